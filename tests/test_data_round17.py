"""DataLoader's sampler and batch_sampler are PyTorch's defaults when none is given."""

import numpy as np
import pytest

from glassnet.data import (
    BatchSampler,
    DataLoader,
    IterableDataset,
    RandomSampler,
    SequentialSampler,
    TensorDataset,
)


def _data(n=10):
    X = np.arange(2 * n, dtype=np.float32).reshape(n, 2)
    return TensorDataset(X, np.arange(n))


def test_the_default_sampler_is_sequential_and_counts_the_rows():
    """loader.sampler was None: len(loader.sampler), a common denominator for the mean
    loss, raised TypeError."""
    loader = DataLoader(_data(10), batch_size=4)
    assert isinstance(loader.sampler, SequentialSampler)
    assert len(loader.sampler) == 10
    assert isinstance(loader.batch_sampler, BatchSampler)
    assert loader.batch_sampler.batch_size == 4 and loader.batch_sampler.drop_last is False
    assert [len(b) for b in loader.batch_sampler] == [4, 4, 2]
    assert list(loader.batch_sampler) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


def test_a_shuffled_loaders_sampler_draws_the_loaders_order():
    data = _data(10)
    loader = DataLoader(data, batch_size=3, shuffle=True, generator=np.random.default_rng(5))
    assert isinstance(loader.sampler, RandomSampler)
    again = DataLoader(data, batch_size=3, shuffle=True, generator=np.random.default_rng(5))
    drawn = list(loader.sampler)
    taken = np.concatenate([y for _, y in again])
    assert drawn == taken.tolist()


def test_a_given_sampler_is_kept_and_batched():
    loader = DataLoader(_data(6), batch_size=4, sampler=[5, 4, 3, 2, 1, 0], drop_last=True)
    assert loader.sampler == [5, 4, 3, 2, 1, 0]
    assert list(loader.batch_sampler) == [[5, 4, 3, 2]]


def test_no_batches_and_iterable_datasets():
    assert DataLoader(_data(3), batch_size=None).batch_sampler is None
    assert isinstance(DataLoader(_data(3), batch_size=None).sampler, SequentialSampler)

    class Rows(IterableDataset):
        def __iter__(self):
            return iter(range(3))

    stream = DataLoader(Rows(), batch_size=2)
    assert stream.sampler is None and stream.batch_sampler is None


def test_an_empty_dataset_still_makes_a_loader():
    loader = DataLoader(_data(0), batch_size=2, shuffle=True)
    assert list(loader) == []


@pytest.mark.parametrize("name", ["sampler", "batch_sampler"])
def test_setting_a_sampler_after_the_loader_is_made_is_refused(name):
    loader = DataLoader(_data(4), batch_size=2)
    with pytest.raises(ValueError, match=f"{name} cannot be set after"):
        setattr(loader, name, [0, 1])


def test_stack_dataset_by_position_and_by_name_batches_in_a_loader():
    """PyTorch's StackDataset (ImportError before)."""
    from glassnet.data import StackDataset
    from glassnet.utils.data.dataset import StackDataset as at_torchs_path

    assert at_torchs_path is StackDataset
    X = np.arange(12, dtype=np.float32).reshape(6, 2)
    y = np.arange(6)
    pair = StackDataset(TensorDataset(X), y)
    xb, yb = next(iter(DataLoader(pair, batch_size=4)))
    assert np.array_equal(xb[0].data, X[:4]) and yb.tolist() == [0, 1, 2, 3]
    named = StackDataset(x=X, y=y)
    batch = next(iter(DataLoader(named, batch_size=2)))
    assert sorted(batch) == ["x", "y"] and np.array_equal(batch["x"].data, X[:2])


@pytest.mark.parametrize(
    "args, kwargs, match",
    [
        ((np.zeros(3), np.zeros(4)), {}, r"one length.*datasets\[0\]: 3, datasets\[1\]: 4"),
        ((np.zeros(3),), {"y": np.zeros(3)}, "by position .* or by name"),
        ((), {}, "at least one dataset"),
        ((iter([1, 2]),), {}, "map-style datasets"),
    ],
)
def test_stack_dataset_refusals_name_what_was_given(args, kwargs, match):
    from glassnet.data import StackDataset

    with pytest.raises(ValueError, match=match):
        StackDataset(*args, **kwargs)


def test_default_convert_is_public_at_pytorchs_paths():
    from glassnet.data import default_convert
    from glassnet.utils.data.dataloader import default_convert as at_torchs_path

    assert at_torchs_path is default_convert
    out = default_convert({"x": np.ones(2), "y": [np.int64(1), "a"]})
    assert type(out["x"]).__name__ == "Tensor" and int(out["y"][0]) == 1 and out["y"][1] == "a"


def test_the_default_samplers_follow_settings_set_after_the_loader_is_made():
    """They were made once, at the first look: a batch_size or shuffle set afterwards left
    loader.batch_sampler with the old batches."""
    loader = DataLoader(_data(10), batch_size=4)
    assert loader.batch_sampler.batch_size == 4
    loader.batch_size = 5
    assert loader.batch_sampler.batch_size == 5 and len(list(loader.batch_sampler)) == 2
    loader.shuffle = True
    assert isinstance(loader.sampler, RandomSampler)


def test_a_loader_pickled_with_public_sampler_attributes_loads():
    """A loader pickled by an earlier glassnet kept sampler/batch_sampler in its __dict__."""
    import pickle

    loader = DataLoader(_data(6), batch_size=4)
    state = dict(vars(loader))
    state["sampler"], state["batch_sampler"] = state.pop("_sampler"), state.pop("_batch_sampler")
    state.pop("_defaults")
    old = DataLoader.__new__(DataLoader)
    old.__dict__.update(state)
    restored = pickle.loads(pickle.dumps(old))
    assert isinstance(restored.sampler, SequentialSampler)
    assert [len(y) for _, y in restored] == [4, 2]
