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


# ------------------------------------------------------------- parameter containers


def test_parameter_list_registers_its_parameters_under_pytorchs_names():
    from glassnet import nn

    t = gn.tensor(np.ones((2, 3)))
    p = nn.Parameter(np.zeros(3))
    pl = nn.ParameterList([t, p])
    pl.append(np.full(2, 2.0))
    pl.extend([np.ones(1)])
    pl += [gn.tensor([5.0])]
    assert len(pl) == 5 and all(isinstance(q, nn.Parameter) for q in pl)
    assert pl[1] is p and np.shares_memory(pl[0].data, t.data) and pl[0].requires_grad
    assert pl[-1].data.tolist() == [5.0] and pl[2].data.tolist() == [2.0, 2.0]
    assert [n for n, _ in pl.named_parameters()] == ["0", "1", "2", "3", "4"]
    assert list(pl.state_dict()) == ["0", "1", "2", "3", "4"] and len(pl.parameters()) == 5
    part = pl[1:3]
    assert isinstance(part, nn.ParameterList) and list(part) == [pl[1], pl[2]]
    q = nn.Parameter(np.ones(3))
    pl[1] = q
    assert pl[1] is q and [n for n, _ in pl.named_parameters()][1] == "1"

    class Net(nn.Module):
        def __init__(self):
            self.lin = nn.Linear(3, 2)
            self.scales = nn.ParameterList([np.ones(2), np.ones(2)])

        def forward(self, x):
            out = self.lin(x)
            for s in self.scales:
                out = out * s
            return out

    net = Net()
    names = [n for n, _ in net.named_parameters()]
    assert names == ["lin.W", "lin.b", "scales.0", "scales.1"]
    assert list(net.state_dict()) == names
    opt = gn.optim.SGD(net.parameters(), lr=0.1)
    loss = (net(np.ones((4, 3))) ** 2).sum()
    loss.backward()
    opt.step()
    assert not np.allclose(net.scales[0].data, 1.0)  # the optimizer moved them
    fresh = Net()
    fresh.load_state_dict(net.state_dict())
    assert np.array_equal(fresh.scales[1].data, net.scales[1].data)


def test_parameter_list_refuses_what_it_cannot_hold_and_being_called():
    from glassnet import nn

    pl = nn.ParameterList([np.ones(2)])
    with pytest.raises(TypeError, match="ParameterList holds parameters.*position 1 is 'x'"):
        nn.ParameterList([np.ones(2), "x"])
    with pytest.raises(TypeError, match="value appended is an array of int64"):
        pl.append(np.arange(3))
    with pytest.raises(IndexError, match="index 1 is out of range for 1 parameters.*append"):
        pl[1] = np.ones(2)
    with pytest.raises(TypeError, match="ParameterList indices are integers or slices, not str"):
        pl["0"]
    with pytest.raises(TypeError, match="extend takes an iterable.*got Tensor"):
        pl.extend(gn.tensor([1.0, 2.0]))
    with pytest.raises(RuntimeError, match="ParameterList should not be called"):
        pl(np.ones(2))
    assert len(pl) == 1  # nothing was added by the refused calls


def test_parameter_dict_registers_its_parameters_under_their_keys():
    from glassnet import nn

    pd = nn.ParameterDict({"b": np.ones(2), "a": gn.tensor([0.0, 1.0])})
    assert list(pd) == ["a", "b"]  # a plain dict in sorted order, as PyTorch's
    ordered = nn.ParameterDict(collections.OrderedDict([("b", np.ones(2)), ("a", np.ones(1))]))
    assert list(ordered) == ["b", "a"] and list(
        nn.ParameterDict([("z", np.ones(1)), ("y", np.ones(1))])
    ) == ["z", "y"]
    assert list(pd.state_dict()) == ["a", "b"] and [n for n, _ in pd.named_parameters()] == [
        "a",
        "b",
    ]
    assert isinstance(pd["a"], nn.Parameter) and "a" in pd and len(pd) == 2
    p = nn.Parameter(np.zeros(3))
    pd["c"] = p
    assert pd["c"] is p and pd.get("c") is p and pd.get("zz") is None
    assert pd.keys() == ["a", "b", "c"] and pd.values()[2] is p and pd.items()[2] == ("c", p)
    assert list(reversed(pd)) == ["c", "b", "a"]
    assert pd.setdefault("c", np.ones(1)) is p and pd.setdefault("d", np.ones(1)).data.tolist() == [
        1.0
    ]
    assert pd.pop("d").data.tolist() == [1.0] and "d" not in pd
    assert pd.popitem() == ("c", p) and list(pd) == ["a", "b"]
    merged = pd | {"e": np.ones(1)}
    assert list(merged) == ["a", "b", "e"] and list(pd) == ["a", "b"] and merged["a"] is pd["a"]
    pd |= [("f", np.ones(1))]
    assert list(pd) == ["a", "b", "f"]
    copy = pd.copy()
    assert list(copy) == list(pd) and copy["f"] is pd["f"]
    del pd["f"]
    assert list(pd) == ["a", "b"] and list(pd.fromkeys(["x", "y"], np.ones(1))) == ["x", "y"]

    class Net(nn.Module):
        def __init__(self):
            self.heads = nn.ParameterDict({"left": np.ones(2), "right": np.ones(2)})

        def forward(self, x):
            return x * self.heads["left"] + self.heads["right"]

    net = Net()
    assert list(net.state_dict()) == ["heads.left", "heads.right"]
    gn.optim.SGD(net.parameters(), lr=0.5)
    (net(np.ones((3, 2))) ** 2).sum().backward()
    assert net.heads["left"].grad is not None
    pd.clear()
    assert len(pd) == 0 and list(pd.parameters()) == []


def test_parameter_dict_refuses_bad_keys_and_values_naming_them():
    from glassnet import nn

    pd = nn.ParameterDict({"a": np.ones(1)})
    with pytest.raises(TypeError, match="ParameterDict keys are strings.*got int 3"):
        pd[3] = np.ones(1)
    with pytest.raises(KeyError, match="without '.'"):
        pd["x.y"] = np.ones(1)
    with pytest.raises(KeyError, match="'train' is an attribute of the container"):
        pd["train"] = np.ones(1)
    with pytest.raises(KeyError, match=r"no parameter 'zz'; its keys are \['a'\]"):
        pd["zz"]
    with pytest.raises(TypeError, match="ParameterDict holds parameters.*value of 'c' is 1.0"):
        pd.update({"b": np.ones(1), "c": 1.0})
    assert list(pd) == ["a"]  # every value checked before any was stored
    with pytest.raises(ValueError, match="element #0 has length 3"):
        pd.update([("b", np.ones(1), 0)])
    with pytest.raises(RuntimeError, match="ParameterDict should not be called"):
        pd(np.ones(1))


def test_parameter_containers_name_their_parameters_as_torch_does():
    from glassnet import nn

    torch = pytest.importorskip("torch")
    tpl = torch.nn.ParameterList([torch.ones(2), torch.nn.Parameter(torch.ones(1))])
    gpl = nn.ParameterList([np.ones(2), nn.Parameter(np.ones(1))])
    assert [n for n, _ in tpl.named_parameters()] == [n for n, _ in gpl.named_parameters()]
    assert list(tpl.state_dict()) == list(gpl.state_dict())
    for given in ({"b": 1, "a": 2, "c": 3}, collections.OrderedDict([("b", 1), ("a", 2)]),
                  [("z", 1), ("y", 2)]):  # fmt: skip
        pairs = given.items() if isinstance(given, dict) else given
        tpd = torch.nn.ParameterDict(type(given)((k, torch.ones(v)) for k, v in pairs))
        gpd = nn.ParameterDict(type(given)((k, np.ones(v)) for k, v in pairs))
        assert list(tpd.state_dict()) == list(gpd.state_dict()) == list(gpd)


# ------------------------------------------------------------------ nn.init.sparse_


def test_sparse_zeroes_a_fraction_of_each_inputs_connections():
    from glassnet import nn

    lin = nn.Linear(6, 9)
    out = nn.init.sparse_(lin.W, sparsity=0.5, std=0.02, generator=1)
    W = lin.W.data
    assert out is lin.W and W.dtype == np.float32
    assert (W == 0).sum(axis=1).tolist() == [5] * 6  # ceil(0.5 * 9) per input (row of W)
    # each input's zeros land on the neurons at random: every neuron equally often
    big = nn.init.sparse_(np.empty((20_000, 8)), sparsity=0.25, std=1.0, generator=2)
    assert (big == 0).sum(axis=1).max() == (big == 0).sum(axis=1).min() == 2
    _within_binomial((big == 0).sum(axis=0), [2 / 8] * 8, 20_000)
    # the values kept: N(0, std^2); the sample std within 5 of its standard errors
    kept = big[big != 0]
    assert abs(kept.std() - 1.0) <= 5 / np.sqrt(2 * kept.size) and abs(kept.mean()) <= 5 / np.sqrt(
        kept.size
    )
    a = nn.init.sparse_(np.empty((3, 4)), 0.5, generator=7)
    assert np.array_equal(a, nn.init.sparse_(np.empty((3, 4)), 0.5, generator=7))
    gn.manual_seed(4)
    b = nn.init.sparse_(np.empty((3, 4)), 0.5)
    gn.manual_seed(4)
    assert np.array_equal(b, nn.init.sparse_(np.empty((3, 4)), 0.5))
    assert (nn.init.sparse_(np.empty((3, 4)), 0.0, generator=0) != 0).all()
    assert (nn.init.sparse_(np.empty((3, 4)), 1.0, generator=0) == 0).all()


def test_sparse_refuses_what_pytorch_refuses_and_bad_settings():
    from glassnet import nn

    for shape in ((3,), (2, 3, 4)):
        with pytest.raises(
            ValueError, match=r"sparse_ fills a 2-D weight W.*got a tensor of shape"
        ):
            nn.init.sparse_(np.empty(shape), 0.1)
    with pytest.raises(ParameterError, match=r"'sparsity' parameter of sparse_.*\[0, 1\]. Got 1.5"):
        nn.init.sparse_(np.empty((2, 2)), 1.5)
    with pytest.raises(ParameterError, match=r"'std' parameter of sparse_.*>= 0. Got -1"):
        nn.init.sparse_(np.empty((2, 2)), 0.5, std=-1)
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError):
        torch.nn.init.sparse_(torch.empty(3), 0.1)


def test_sparse_draws_the_pattern_torchs_draws_in_the_transposed_layout():
    from glassnet import nn

    torch = pytest.importorskip("torch")
    for inputs, neurons, sparsity in ((6, 9, 0.5), (5, 7, 0.1), (4, 3, 0.9)):
        weight = torch.empty(neurons, inputs)  # PyTorch's (out, in)
        torch.nn.init.sparse_(weight, sparsity, generator=torch.Generator().manual_seed(0))
        W = nn.init.sparse_(np.empty((inputs, neurons)), sparsity, generator=0)
        assert (W == 0).sum(axis=1).tolist() == (weight == 0).sum(dim=0).tolist()


# ------------------------------------------------------------------ porting scripts


def test_the_imbalanced_binary_script_ports_class_balanced_batches():
    from glassnet import nn

    rng = np.random.default_rng(0)
    y = (rng.random(1000) < 0.1).astype(np.float64)  # about 10% positives
    X = rng.standard_normal((1000, 3)) + y[:, None]
    counts = np.bincount(y.astype(int))
    weights = 1.0 / counts[y.astype(int)]
    n_draws = 20_000
    sampler = gdata.WeightedRandomSampler(weights, num_samples=n_draws, replacement=True,
                                          generator=3)  # fmt: skip
    loader = gdata.DataLoader(gdata.TensorDataset(X, y), batch_size=500, sampler=sampler)
    model = nn.Linear(3, 1)
    loss_fn = nn.BCEWithLogitsLoss()
    opt = gn.optim.SGD(model.parameters(), lr=0.1)
    positives = 0
    for xb, yb in loader:
        opt.zero_grad()
        loss = loss_fn(model(xb).view(-1), yb)
        loss.backward()
        opt.step()
        positives += int(yb.data.sum())
    assert len(loader) == 40
    _within_binomial([positives], [0.5], n_draws)  # balanced, from 10% positives


def test_pytorchs_submodule_imports_give_the_same_objects():
    from glassnet.utils.data.dataloader import DataLoader, default_collate
    from glassnet.utils.data.dataset import ConcatDataset, Dataset
    from glassnet.utils.data.sampler import BatchSampler, SubsetRandomSampler

    assert (
        SubsetRandomSampler is gn.data.SubsetRandomSampler and BatchSampler is gn.data.BatchSampler
    )
    assert Dataset is gn.data.Dataset and ConcatDataset is gn.data.ConcatDataset
    assert DataLoader is gn.data.DataLoader and default_collate is gn.data.default_collate
    assert gn.utils.data.sampler.WeightedRandomSampler is gn.data.WeightedRandomSampler


def test_a_samplers_generator_object_is_drawn_from_at_each_epoch():
    g = np.random.default_rng(9)
    s = gdata.RandomSampler(range(8), generator=g)
    assert s.generator is g
    want = np.random.default_rng(9)
    assert list(s) == want.permutation(8).tolist() and list(s) == want.permutation(8).tolist()
    with pytest.raises(ParameterError, match="'generator' parameter of WeightedRandomSampler"):
        gdata.WeightedRandomSampler([1.0], 1, generator=-1)
