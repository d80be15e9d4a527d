"""Round 18: DataLoader and datasets as torch.utils.data behaves."""

import pickle
import warnings

import numpy as np
import pytest

from glassnet.data import (
    ChainDataset,
    DataLoader,
    Dataset,
    IterableDataset,
    TensorDataset,
    default_collate,
    random_split,
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


def test_default_collate_refuses_none_naming_its_type():
    with pytest.raises(TypeError, match="found <class 'NoneType'>"):
        next(iter(DataLoader([None, None], batch_size=2)))
    with pytest.raises(TypeError, match="found <class 'set'>"):
        default_collate([(np.zeros(2), {1}), (np.zeros(2), {2})])
    xb, yb = default_collate([(np.zeros(2), 1), (np.ones(2), 0)])  # still stacks numbers
    assert xb.shape == (2, 2) and yb.tolist() == [1, 0]


def test_random_split_warns_of_empty_splits_as_pytorch():
    with pytest.warns(UserWarning) as record:
        parts = random_split(range(3), [0.9, 0.1, 0.0], generator=0)
    assert [len(p) for p in parts] == [3, 0, 0]
    assert [str(w.message) for w in record] == [
        f"Length of split at index {i} is 0. This might result in an empty dataset." for i in (1, 2)
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert [len(p) for p in random_split(range(3), [3, 0], generator=0)] == [3, 0]
        assert [len(p) for p in random_split(range(4), [0.5, 0.5], generator=0)] == [2, 2]


_WORKER_ATTRS = {
    "num_workers": 0,
    "pin_memory": False,
    "timeout": 0,
    "worker_init_fn": None,
    "prefetch_factor": None,
    "persistent_workers": False,
    "multiprocessing_context": None,
    "pin_memory_device": "",
    "in_order": True,
}


def test_dataloader_keeps_worker_attributes():
    dl = DataLoader(np.zeros((4, 2)), batch_size=2)
    assert {n: getattr(dl, n) for n in _WORKER_ATTRS} == _WORKER_ATTRS
    init = print
    dl = DataLoader(np.zeros((4, 2)), batch_size=2, worker_init_fn=init, pin_memory_device="x")
    copy = DataLoader(np.zeros((4, 2)), num_workers=dl.num_workers, pin_memory=dl.pin_memory)
    assert dl.worker_init_fn is init and dl.pin_memory_device == "x" and len(copy) == 4
    back = pickle.loads(pickle.dumps(dl))
    assert back.num_workers == 0 and back.pin_memory_device == "x"
    old = pickle.loads(pickle.dumps(dl))  # a loader pickled before these attributes
    state = {k: v for k, v in dl.__dict__.items() if k not in _WORKER_ATTRS}
    old.__setstate__(state)
    assert {n: getattr(old, n) for n in _WORKER_ATTRS} == {**_WORKER_ATTRS}
