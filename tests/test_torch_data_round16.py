"""PyTorch's torch.utils.data classes at glassnet.utils.data (the samplers, ConcatDataset,
IterableDataset, default_collate, TensorDataset.tensors), and nn.ParameterList,
nn.ParameterDict and nn.init.sparse_. The main assertions run without torch; the parts
that compare with torch import it where they need it."""

from __future__ import annotations

import collections

import numpy as np
import pytest

import glassnet as gn
from glassnet.utils import data as gdata

ParameterError = gn._validation.ParameterError


def _within_binomial(counts, p, n, sigmas=5.0):
    """Each count within ``sigmas`` binomial standard deviations of n * p."""
    counts, p = np.asarray(counts, float), np.asarray(p, float)
    sd = np.sqrt(n * p * (1 - p))
    assert np.all(np.abs(counts - n * p) <= sigmas * sd + 1e-12), (counts, n * p, sd)


# --------------------------------------------------------------------- the samplers


def test_the_sampler_classes_are_at_pytorchs_import_path():
    for name in ("Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
                 "WeightedRandomSampler", "BatchSampler", "ConcatDataset", "IterableDataset",
                 "default_collate"):  # fmt: skip
        assert getattr(gdata, name) is getattr(gn.data, name)
        assert name in gdata.__all__


def test_sequential_sampler_gives_the_indices_in_order():
    s = gdata.SequentialSampler(np.zeros((4, 2)))
    assert list(s) == [0, 1, 2, 3] and list(s) == [0, 1, 2, 3] and len(s) == 4
    with pytest.raises(ParameterError, match="'data_source'.*len"):
        gdata.SequentialSampler(iter([1, 2]))


def test_random_sampler_permutes_anew_each_epoch_from_its_generator():
    s = gdata.RandomSampler(range(6), generator=0)
    e1, e2 = list(s), list(s)
    assert sorted(e1) == sorted(e2) == list(range(6)) and e1 != e2 and len(s) == 6
    rng = np.random.default_rng(0)  # a seed's stream goes on from epoch to epoch
    assert e1 == rng.permutation(6).tolist() and e2 == rng.permutation(6).tolist()
    # the same order a shuffled loader with the same seed gives in its first epoch
    loader = gdata.DataLoader(np.arange(6.0), batch_size=6, shuffle=True, generator=0)
    assert next(iter(loader)).tolist() == [float(i) for i in e1]
    # None: glassnet's default generator, looked up at each epoch (manual_seed decides it)
    s = gdata.RandomSampler(range(50))
    gn.manual_seed(3)
    a = list(s)
    gn.manual_seed(3)
    assert list(s) == a


def test_random_sampler_with_more_samples_than_items_goes_on_with_new_permutations():
    s = gdata.RandomSampler(range(4), num_samples=10, generator=1)
    got = list(s)
    assert len(got) == len(s) == 10
    assert sorted(got[:4]) == sorted(got[4:8]) == [0, 1, 2, 3] and len(set(got[8:])) == 2


def test_random_sampler_with_replacement_draws_uniformly():
    n_draws = 60_000
    got = list(gdata.RandomSampler(range(5), replacement=True, num_samples=n_draws, generator=2))
    counts = np.bincount(got, minlength=5)
    assert len(got) == n_draws and counts.size == 5
    _within_binomial(counts, [0.2] * 5, n_draws)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"replacement": 1}, "'replacement'.*bool.*Got 1"),
        ({"num_samples": 0}, "'num_samples'.*positive int.*Got 0"),
        ({"num_samples": 2.0}, "'num_samples'.*positive int.*Got 2.0"),
        ({"num_samples": True}, "'num_samples'.*positive int.*Got True"),
        ({"generator": "x"}, "'generator' parameter of RandomSampler"),
    ],
)
def test_random_sampler_refuses_bad_arguments_naming_them(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        gdata.RandomSampler(range(3), **kwargs)


def test_random_sampler_of_an_empty_dataset_is_refused_as_pytorch_refuses_it():
    with pytest.raises(ParameterError, match="empty"):
        gdata.RandomSampler([])
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError):
        torch.utils.data.RandomSampler([])
    with pytest.raises(TypeError):
        torch.utils.data.RandomSampler([1], replacement=1)


def test_subset_random_sampler_permutes_its_indices():
    s = gdata.SubsetRandomSampler([7, 3, 9, 1], generator=0)
    got = list(s)
    assert sorted(got) == [1, 3, 7, 9] and len(s) == 4 and all(type(i) is int for i in got)
    assert s.indices == [7, 3, 9, 1]
    epochs = {tuple(s) for _ in range(20)}
    assert len(epochs) > 1  # a new order per epoch
    with pytest.raises(ParameterError, match="SubsetRandomSampler: indices.*whole numbers"):
        gdata.SubsetRandomSampler([0.5, 1])


def test_weighted_random_sampler_follows_the_weights():
    w = np.array([1.0, 2.0, 0.0, 3.0, 4.0])
    n_draws = 50_000
    s = gdata.WeightedRandomSampler(w, num_samples=n_draws, generator=0)
    got = list(s)
    assert len(got) == len(s) == n_draws
    counts = np.bincount(got, minlength=5)
    assert counts[2] == 0  # a weight of 0 is never drawn with replacement
    _within_binomial(counts, w / w.sum(), n_draws)


def test_weighted_random_sampler_without_replacement_draws_in_proportion_to_what_is_left():
    w = np.array([1.0, 2.0, 3.0, 4.0])
    p = w / w.sum()
    epochs = 20_000
    s = gdata.WeightedRandomSampler(w, num_samples=2, replacement=False, generator=5)
    pairs = np.array([list(s) for _ in range(epochs)])
    assert np.all(pairs[:, 0] != pairs[:, 1])
    # the first index follows the weights; the second the weights left after the first
    second = [sum(p[i] * w[j] / (w.sum() - w[i]) for i in range(4) if i != j) for j in range(4)]
    _within_binomial(np.bincount(pairs[:, 0], minlength=4), p, epochs)
    _within_binomial(np.bincount(pairs[:, 1], minlength=4), second, epochs)
    # all of them: a permutation; the weights of 0 last (PyTorch's draws them too)
    full = gdata.WeightedRandomSampler([0.0, 1.0, 0.0, 2.0], 4, replacement=False, generator=1)
    for _ in range(20):
        got = list(full)
        assert sorted(got) == [0, 1, 2, 3] and set(got[2:]) == {0, 2}


@pytest.mark.parametrize(
    "args, kwargs, match",
    [
        (([1.0, -1.0, 2.0], 3), {}, r"'weights'.*>= 0.*weights\[1\] = -1.0"),
        (([1.0, float("nan")], 3), {}, r"'weights'.*finite.*weights\[1\] = nan"),
        (([1.0, float("inf")], 3), {}, r"'weights'.*finite.*weights\[1\] = inf"),
        (([0.0, 0.0], 3), {}, "'weights'.*all zeros"),
        (([], 3), {}, "'weights'.*non-empty 1-D"),
        (([[1.0, 2.0]], 2), {}, r"'weights'.*1-D.*\(1, 2\)"),
        ((["a", "b"], 2), {}, "'weights'.*numbers"),
        (([1.0, 2.0], 0), {}, "'num_samples'.*positive int.*Got 0"),
        (([1.0, 2.0], -3), {}, "'num_samples'.*positive int.*Got -3"),
        (([1.0, 2.0], True), {}, "'num_samples'.*positive int.*Got True"),
        (([1.0, 2.0], 3), {"replacement": False}, "num_samples=3.*replacement=False.*at most 2"),
        (([1.0, 2.0], 2), {"replacement": 0}, "'replacement'.*bool"),
    ],
)
def test_weighted_random_sampler_refuses_what_pytorch_refuses(args, kwargs, match):
    with pytest.raises(ParameterError, match=match):
        gdata.WeightedRandomSampler(*args, **kwargs)


def test_weighted_random_sampler_refuses_where_torch_does():
    torch = pytest.importorskip("torch")
    bad = [
        (([1.0, -1.0, 2.0], 3), {}),
        (([1.0, float("nan")], 3), {}),
        (([0.0, 0.0], 3), {}),
        (([[1.0, 2.0]], 2), {}),
        (([1.0, 2.0], 0), {}),
        (([1.0, 2.0], 3), {"replacement": False}),
        (([1.0, 2.0], 2), {"replacement": 0}),
    ]
    for args, kwargs in bad:  # torch refuses when made or when iterated; glassnet when made
        with pytest.raises((ValueError, RuntimeError)):
            list(torch.utils.data.WeightedRandomSampler(*args, **kwargs))
        with pytest.raises(ParameterError):
            gdata.WeightedRandomSampler(*args, **kwargs)
    # torch takes num_samples up to len(weights) without replacement, zeros included
    got = list(torch.utils.data.WeightedRandomSampler([1.0, 0.0, 2.0], 3, replacement=False))
    assert sorted(got) == [0, 1, 2] and got[2] == 1
    got = list(gdata.WeightedRandomSampler([1.0, 0.0, 2.0], 3, replacement=False, generator=0))
    assert sorted(got) == [0, 1, 2] and got[2] == 1


def test_batch_sampler_groups_indices_as_pytorchs():
    seq = gdata.SequentialSampler(range(10))
    assert list(gdata.BatchSampler(seq, 3, False)) == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    assert list(gdata.BatchSampler(seq, 3, True)) == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    assert len(gdata.BatchSampler(seq, 3, False)) == 4
    assert len(gdata.BatchSampler(seq, 3, True)) == 3
    assert list(gdata.BatchSampler([4, 2, 0], 2, False)) == [[4, 2], [0]]  # a plain list too
    for bs, dl, match in ((0, False, "'batch_size'.*positive int.*Got 0"),
                          (2.0, False, "'batch_size'.*positive int"),
                          (2, 1, "'drop_last'.*bool.*Got 1")):  # fmt: skip
        with pytest.raises(ParameterError, match=match):
            gdata.BatchSampler(seq, bs, dl)
    with pytest.raises(ParameterError, match="one-pass iterator"):
        gdata.BatchSampler(iter(range(4)), 2, False)
    torch = pytest.importorskip("torch")
    for dl in (False, True):
        tseq = torch.utils.data.SequentialSampler(range(10))
        want = list(torch.utils.data.BatchSampler(tseq, 3, dl))
        assert list(gdata.BatchSampler(seq, 3, dl)) == want


def test_the_loader_takes_each_sampler():
    X, y = np.arange(20.0).reshape(10, 2), np.arange(10)
    ds = gdata.TensorDataset(X, y)
    w = gdata.WeightedRandomSampler(np.r_[np.zeros(5), np.ones(5)], num_samples=8, generator=0)
    loader = gdata.DataLoader(ds, batch_size=3, sampler=w)
    batches = list(loader)
    assert len(loader) == 3 and [len(b[1]) for b in batches] == [3, 3, 2]
    assert all(int(i) >= 5 for b in batches for i in b[1])  # only the weighted rows
    for b in batches:
        assert np.array_equal(b[0].data, X[np.asarray(b[1])])
    sub = gdata.SubsetRandomSampler([1, 3, 5], generator=0)
    got = sorted(int(i) for b in gdata.DataLoader(ds, batch_size=2, sampler=sub) for i in b[1])
    assert got == [1, 3, 5]
    bs = gdata.BatchSampler(gdata.RandomSampler(ds, generator=1), 4, drop_last=True)
    loader = gdata.DataLoader(ds, batch_sampler=bs)
    assert len(loader) == 2 and [len(b[1]) for b in loader] == [4, 4]
    seq = gdata.DataLoader(ds, batch_size=4, sampler=gdata.SequentialSampler(ds))
    assert [b[1].tolist() for b in seq] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


def test_the_loader_refuses_pytorchs_illegal_combinations_with_samplers():
    ds = gdata.TensorDataset(np.arange(6.0))
    s = gdata.RandomSampler(ds)
    with pytest.raises(ParameterError, match="'sampler'.*mutually exclusive with shuffle"):
        gdata.DataLoader(ds, sampler=s, shuffle=True)
    gdata.DataLoader(ds, sampler=s, shuffle=False)  # (PyTorch takes shuffle=False)
    bs = gdata.BatchSampler(s, 2, False)
    for kwargs in ({"batch_size": 2}, {"shuffle": True}, {"sampler": s}, {"drop_last": True}):
        with pytest.raises(ParameterError, match="'batch_sampler'.*mutually exclusive"):
            gdata.DataLoader(ds, batch_sampler=bs, **kwargs)
    torch = pytest.importorskip("torch")
    tds = torch.utils.data.TensorDataset(torch.arange(6.0))
    ts = torch.utils.data.RandomSampler(tds)
    with pytest.raises(ValueError, match="mutually exclusive"):
        torch.utils.data.DataLoader(tds, sampler=ts, shuffle=True)
    tbs = torch.utils.data.BatchSampler(ts, 2, False)
    for kwargs in ({"batch_size": 2}, {"shuffle": True}, {"sampler": ts}, {"drop_last": True}):
        with pytest.raises(ValueError, match="mutually exclusive"):
            torch.utils.data.DataLoader(tds, batch_sampler=tbs, **kwargs)


def test_a_subclass_of_sampler_is_taken_and_one_without_iter_says_what_to_define():
    class Evens(gdata.Sampler[int]):  # (subscripted, as PyTorch's Sampler[int])
        def __init__(self, n):
            self.n = n

        def __iter__(self):
            return iter(range(0, self.n, 2))

        def __len__(self):
            return (self.n + 1) // 2

    loader = gdata.DataLoader(np.arange(7.0), batch_size=2, sampler=Evens(7))
    assert [b.tolist() for b in loader] == [[0.0, 2.0], [4.0, 6.0]] and len(loader) == 2
    with pytest.raises(NotImplementedError, match="must define __iter__"):
        iter(gdata.Sampler())


# ------------------------------------------------------------------------- datasets


def test_concat_dataset_joins_datasets_as_pytorchs():
    a = gdata.TensorDataset(np.arange(3.0), np.arange(3))
    b = gdata.TensorDataset(np.arange(2.0) + 10, np.arange(2) + 10)
    c = gdata.ConcatDataset([a, b])
    assert len(c) == 5 and c.cumulative_sizes == [3, 5] and c.datasets == [a, b]
    assert [float(c[i][0]) for i in range(5)] == [0.0, 1.0, 2.0, 10.0, 11.0]
    assert float(c[-1][0]) == 11.0 and float(c[-5][0]) == 0.0
    with pytest.raises(IndexError, match="index 5 is outside the dataset's 5 items"):
        c[5]
    with pytest.raises(ValueError, match="index -6"):
        c[-6]
    assert isinstance(a + b, gdata.ConcatDataset) and len(a + b) == 5
    batches = list(gdata.DataLoader(c, batch_size=2))
    assert [bt[1].tolist() for bt in batches] == [[0, 1], [2, 10], [11]]
    assert [bt[0].data.tolist() for bt in batches] == [[0.0, 1.0], [2.0, 10.0], [11.0]]
    with pytest.raises(ParameterError, match="'datasets'.*empty"):
        gdata.ConcatDataset([])
    with pytest.raises(ParameterError, match="datasets\\[1\\].*len\\(\\) and \\[i\\]"):
        gdata.ConcatDataset([a, 3])
    torch = pytest.importorskip("torch")
    tdata = torch.utils.data
    t = tdata.ConcatDataset(
        [tdata.TensorDataset(torch.arange(3)), tdata.TensorDataset(torch.arange(2) + 10)]
    )
    assert t.cumulative_sizes == c.cumulative_sizes and len(t) == len(c)
    assert [int(t[i][0]) for i in range(-5, 5)] == [int(c[i][1]) for i in range(-5, 5)]


def test_the_loader_iterates_an_iterable_dataset_as_pytorchs():
    class _Count(gdata.IterableDataset):
        def __init__(self, n, sized=True):
            self.n, self.sized = n, sized

        def __iter__(self):
            return iter([np.array([float(i), -float(i)]) for i in range(self.n)])

        def __len__(self):
            if not self.sized:
                raise TypeError("no len")
            return self.n

    ds = _Count(7)
    loader = gdata.DataLoader(ds, batch_size=3)
    batches = [b.data[:, 0].tolist() for b in loader]
    assert batches == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0]] and len(loader) == 3
    assert [b.data[:, 0].tolist() for b in loader] == batches  # anew each epoch
    dropped = gdata.DataLoader(ds, batch_size=3, drop_last=True)
    assert len(list(dropped)) == len(dropped) == 2
    items = list(gdata.DataLoader(ds, batch_size=None))
    assert len(items) == 7 and items[3].data.tolist() == [3.0, -3.0]
    assert list(gdata.DataLoader(ds, batch_size=4, collate_fn=len)) == [4, 3]
    assert [len(b) for b in gdata.DataLoader(_Count(5) + _Count(2), batch_size=3)] == [3, 3, 1]
    with pytest.raises(TypeError, match="IterableDataset.*no len"):
        len(gdata.DataLoader(_Count(3, sized=False)))
    for kwargs, name in (({"shuffle": True}, "shuffle=True"), ({"sampler": [0]}, "sampler"),
                         ({"batch_sampler": [[0]]}, "batch_sampler"),
                         ({"generator": 0}, "generator")):  # fmt: skip
        with pytest.raises(ParameterError, match=f"IterableDataset.*{name}.*nothing to order"):
            gdata.DataLoader(ds, **kwargs)
    with pytest.raises(ParameterError, match="IterableDataset.*ChainDataset"):
        gdata.ConcatDataset([ds])
    assert gdata.get_worker_info() is None
    torch = pytest.importorskip("torch")

    class TCount(torch.utils.data.IterableDataset):
        def __iter__(self):
            return iter([torch.tensor([float(i), -float(i)]) for i in range(7)])

    want = [b[:, 0].tolist() for b in torch.utils.data.DataLoader(TCount(), batch_size=3)]
    assert want == batches
    for kwargs in ({"shuffle": True}, {"sampler": [0]}, {"batch_sampler": [[0]]}):
        with pytest.raises(ValueError, match="IterableDataset"):
            torch.utils.data.DataLoader(TCount(), **kwargs)


def test_default_collate_batches_items_as_pytorchs():
    Pair = collections.namedtuple("Pair", "x y")
    items = [(np.array([1.0, 2.0]), 0, "a"), (np.array([3.0, 4.0]), 1, "b")]
    x, y, s = gdata.default_collate(items)
    assert isinstance(x, gn.Tensor) and x.data.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert y.tolist() == [0, 1] and y.dtype.kind == "i" and list(s) == ["a", "b"]
    d = gdata.default_collate([{"x": [1, 2]}, {"x": [3, 4]}])
    assert [v.tolist() for v in d["x"]] == [[1, 3], [2, 4]]
    p = gdata.default_collate([Pair(1.0, 2), Pair(3.0, 4)])
    assert isinstance(p, Pair) and p.x.data.tolist() == [1.0, 3.0] and p.y.tolist() == [2, 4]
    with pytest.raises(ValueError, match="each item of a batch must hold as many values"):
        gdata.default_collate([(1, 2), (3,)])
    with pytest.raises(ValueError, match=r"different shapes \[\(2,\), \(3,\)\].*collate_fn"):
        gdata.default_collate([np.ones(2), np.ones(3)])
    with pytest.raises(ValueError, match="'?batch'? must be a non-empty list"):
        gdata.default_collate([])
    torch = pytest.importorskip("torch")
    tx, ty, ts = torch.utils.data.default_collate(items)
    assert tx.tolist() == x.data.tolist() and ty.tolist() == y.tolist() and list(ts) == list(s)
    td = torch.utils.data.default_collate([{"x": [1, 2]}, {"x": [3, 4]}])
    assert [v.tolist() for v in td["x"]] == [v.tolist() for v in d["x"]]
    tp = torch.utils.data.default_collate([Pair(1.0, 2), Pair(3.0, 4)])
    assert isinstance(tp, Pair) and tp.x.tolist() == p.x.data.tolist()


def test_tensor_dataset_has_pytorchs_tensors():
    X, y = np.ones((3, 2)), np.arange(3)
    t = gn.tensor([1.0, 2.0, 3.0])
    ds = gdata.TensorDataset(X, y, t)
    xs, ys, ts = ds.tensors
    assert isinstance(xs, gn.Tensor) and np.shares_memory(xs.data, X)
    assert ys.tolist() == [0, 1, 2] and ys.dtype.kind == "i" and ts is t
    assert len(ds.tensors) == 3 and isinstance(ds.tensors, tuple)
