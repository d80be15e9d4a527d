"""Round 18: DataLoader and datasets as torch.utils.data behaves."""

import numpy as np
import pytest

from glassnet.data import (
    ChainDataset,
    DataLoader,
    Dataset,
    IterableDataset,
    TensorDataset,
)


class _Aug(TensorDataset):
    def __getitem__(self, i):
        x, t = super().__getitem__(i)
        return x * 0 + 100, t


def test_tensordataset_subclass_getitem_is_used():
    X, y = np.arange(6, dtype=np.float32).reshape(3, 2), np.arange(3)
    xb, yb = next(iter(DataLoader(_Aug(X, y), batch_size=2)))
    assert xb.tolist() == [[100.0, 100.0], [100.0, 100.0]]
    assert yb.tolist() == [0, 1]


def test_dataset_with_arrays_attribute_uses_its_getitem():
    X = np.arange(6, dtype=np.float64).reshape(3, 2)

    class MyDS(Dataset):
        def __init__(self):
            self.arrays = [X]

        def __len__(self):
            return 3

        def __getitem__(self, i):
            return -X[i]

    (xb,) = [b for b in DataLoader(MyDS(), batch_size=3)]
    assert xb.tolist() == (-X).tolist()


def test_plain_tensordataset_still_batches_rows():
    X, y = np.arange(6.0).reshape(3, 2), np.array([0, 1, 0])
    xb, yb = next(iter(DataLoader(TensorDataset(X, y), batch_size=3)))
    assert xb.tolist() == X.tolist() and yb.tolist() == [0, 1, 0]


class _Stream(IterableDataset):
    def __iter__(self):
        return iter(range(3))


def test_list_of_iterable_dataset_without_len():
    assert list(_Stream()) == [0, 1, 2]
    assert tuple(ChainDataset([_Stream(), _Stream()])) == (0, 1, 2, 0, 1, 2)
    assert sorted(_Stream(), reverse=True) == [2, 1, 0]
    with pytest.raises(TypeError):
        len(_Stream())
    with pytest.raises(TypeError):
        len(ChainDataset([_Stream()]))


def test_dataset_base_has_no_len():
    assert not hasattr(Dataset(), "__len__")
    assert not hasattr(_Stream(), "__len__")
