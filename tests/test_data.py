"""Tests for glassnet.data: DataLoader batches an array's rows and any dataset's items as
PyTorch's default collation does, and a loader without a generator follows manual_seed."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet.data import DataLoader, TensorDataset
from glassnet.tensor import Tensor

X = np.arange(12.0).reshape(6, 2)
Y = np.array([0, 1, 0, 1, 1, 0])


@pytest.mark.parametrize("data", [X, Tensor(X)], ids=["array", "Tensor"])
def test_an_array_or_tensor_dataset_gives_batches_of_its_rows(data):
    batches = list(DataLoader(data, batch_size=4))
    assert [type(b) for b in batches] == [Tensor, Tensor]
    np.testing.assert_array_equal(batches[0].data, X[:4])
    np.testing.assert_array_equal(batches[1].data, X[4:])


def test_a_dataset_of_single_arrays_is_stacked_not_split_into_columns():
    class Rows:
        def __len__(self):
            return len(X)

        def __getitem__(self, i):
            return X[i]

    (first, _) = DataLoader(Rows(), batch_size=3)
    assert isinstance(first, Tensor)
    np.testing.assert_array_equal(first.data, X[:3])


def test_a_dataset_of_dicts_is_collated_key_by_key():
    class Named:
        def __len__(self):
            return len(X)

        def __getitem__(self, i):
            return {"x": X[i], "y": Y[i]}

    batch = next(iter(DataLoader(Named(), batch_size=4)))
    assert sorted(batch) == ["x", "y"]
    np.testing.assert_array_equal(batch["x"].data, X[:4])
    np.testing.assert_array_equal(batch["y"], Y[:4])


def test_tuples_still_come_as_one_batch_per_position():
    pairs = [(X[i], int(Y[i])) for i in range(len(X))]
    xb, yb = next(iter(DataLoader(pairs, batch_size=4)))
    np.testing.assert_array_equal(xb.data, X[:4])
    np.testing.assert_array_equal(yb, Y[:4])


def test_without_a_generator_manual_seed_decides_the_order_as_torch_manual_seed():
    loader = DataLoader(TensorDataset(X, Y), batch_size=6, shuffle=True)
    gn.manual_seed(0)
    a = next(iter(loader))[1]
    gn.manual_seed(0)
    b = next(iter(loader))[1]
    np.testing.assert_array_equal(a, b)
    # each epoch still draws a new order from the stream
    gn.manual_seed(0)
    epochs = [next(iter(loader))[1].tolist() for _ in range(4)]
    assert len({tuple(e) for e in epochs}) > 1


def test_a_seeded_loader_gives_a_new_order_each_epoch_and_the_same_run_twice():
    def run():
        loader = DataLoader(TensorDataset(X, Y), batch_size=6, shuffle=True, generator=3)
        return [next(iter(loader))[0].data.tolist() for _ in range(3)]

    assert run() == run()
    assert len({str(e) for e in run()}) > 1


@pytest.mark.parametrize("bad", [None, 3, (x for x in range(3))], ids=["None", "int", "generator"])
def test_a_dataset_without_len_and_indexing_is_refused_naming_the_argument(bad):
    with pytest.raises(ValueError, match=r"'dataset' parameter of DataLoader must support len"):
        DataLoader(bad, batch_size=2)


def test_dataset_subclass_subset_and_random_split_as_pytorch():
    """PyTorch code subclasses Dataset and splits with random_split: neither existed."""

    class Squares(gn.data.Dataset):
        def __len__(self):
            return 10

        def __getitem__(self, i):
            return np.array([float(i)]), i * i

    parts = gn.data.random_split(Squares(), [0.7, 0.3], generator=0)
    assert [len(p) for p in parts] == [7, 3]
    seen = sorted(int(p[i][0][0]) for p in parts for i in range(len(p)))
    assert seen == list(range(10))  # every item once
    xb, yb = next(iter(DataLoader(parts[1], batch_size=3)))
    np.testing.assert_array_equal(yb, xb.data[:, 0] ** 2)
    again = gn.data.random_split(Squares(), [7, 3], generator=0)
    assert list(again[0].indices) == list(parts[0].indices)  # the same seed, the same split
    for lengths, expected in (
        ([0.34, 0.33, 0.33], [4, 3, 3]),
        ([0.5, 0.5], [5, 5]),
        ([2, 8], [2, 8]),
    ):
        assert [len(p) for p in gn.data.random_split(range(10), lengths, generator=1)] == expected
    for bad in ([5, 4], [0.5, 0.4], [], [-1, 11], ["5", "5"]):
        with pytest.raises(gn._validation.ParameterError, match="random_split: lengths must be"):
            gn.data.random_split(range(10), bad)
    with pytest.raises(NotImplementedError, match="must define __getitem__"):
        gn.data.Dataset()[0]
    try:
        import torch
    except ImportError:
        return
    for lengths in ([0.34, 0.33, 0.33], [0.25, 0.75], [0.1] * 10, [3, 10]):
        theirs = [len(p) for p in torch.utils.data.random_split(range(13), lengths)]
        assert [len(p) for p in gn.data.random_split(range(13), lengths, generator=0)] == theirs


def test_collate_fn_makes_each_batch_and_pin_memory_warns():
    loader = DataLoader(TensorDataset(X, Y), batch_size=4, collate_fn=lambda items: items)
    first = next(iter(loader))
    assert len(first) == 4 and int(first[2][1]) == Y[2]  # the items themselves
    with pytest.raises(gn._validation.ParameterError, match="'collate_fn' parameter"):
        DataLoader(X, collate_fn="stack")
    with pytest.warns(UserWarning, match="pin_memory=True\\) changes nothing"):
        loader = DataLoader(X, batch_size=2, pin_memory=True)
    assert len(list(loader)) == 3
