"""Tensor indexing as PyTorch's where an Ellipsis stands for no axis (round 19b): PyTorch
expands the Ellipsis to the slices it stands for before it decides whether the advanced
indices are next to each other, so one that covers no axis keeps none apart (NumPy counts
it as keeping them apart, and moves their axes first)."""

import numpy as np
import pytest

import glassnet as gn

E = Ellipsis
MASK2 = np.zeros((3, 4), bool)
MASK2[0, 1] = MASK2[2, 3] = True  # (two positions, to broadcast against [0, 1])

# (shape of x, index, shape of PyTorch 2.13's x[index])
NO_AXIS = [  # the Ellipsis covers no axis: NumPy's shape is another
    ((6, 3, 4), (slice(None), [0, 1], E, [1, 2]), (6, 2)),  # NumPy (2, 6)
    ((6, 2, 3, 4), (slice(None), 0, [0, 1], E, [1, 2]), (6, 2)),  # with an integer
    ((6, 3, 4, 5), (slice(None), [0, 1], E, [1, 2], slice(None)), (6, 2, 5)),
    ((6, 3, 4, 5), (slice(None), [0, 1], E, 0, [1, 2]), (6, 2)),
    ((6, 3), (None, [0, 1], E, [1, 2]), (1, 2)),
    ((6, 3), (slice(None), [0, 1], E, np.array(True)), (6, 2)),  # a 0-d mask covers none
    ((6, 3), (slice(None), np.array(True), E, [0, 1]), (6, 2)),
    ((6, 2, 3), (slice(None), [0, 1], E, [True, False, True]), (6, 2)),  # a list mask
    ((6, 3, 4, 5), (slice(None), MASK2, E, [1, 2]), (6, 2)),  # a 2-D mask covers two axes
    ((6, 2, 3, 4), (slice(None), [0, 1], E, MASK2), (6, 2)),
    ((6, 2, 5, 3, 4), (slice(None), [0, 1], E, np.int64(0), MASK2), (6, 2)),
    ((6, 2, 3, 5), (slice(None), [[0, 1]], E, [True, False, True], 0), (6, 1, 2)),
    ((3, 4, 3, 2), (None, np.array(-3), [2, -1, -3], E, MASK2[:, 2:]), (1, 3)),  # (a fuzzer's)
]
SOME_AXES = [  # the Ellipsis covers one axis or more: it keeps them apart in PyTorch too
    ((6, 3, 4, 5), (slice(None), [0, 1], E, [1, 2]), (2, 6, 4)),
    ((6, 3, 4, 5, 2), (slice(None), [0, 1], E, [1, 0]), (2, 6, 4, 5)),
    ((6, 3, 4), (E, [0, 1], [1, 2]), (6, 2)),
    ((6, 3, 4), (0, E, [0, 1]), (3, 2)),
    ((6, 3, 4, 5), ([0, 1], E, 0, slice(None), [0, 1]), (2, 4)),
    ((6, 2, 3, 3, 5), (slice(None), [0, 1], MASK2[:, :3], E), (6, 2, 5)),
]
CASES = NO_AXIS + SOME_AXES
IDS = [f"{shape}-{index!r:.60}" for shape, index, _ in CASES]


def _x(shape, seed=0, requires_grad=False):
    a = np.random.default_rng(seed).permutation(int(np.prod(shape))).reshape(shape) * 1.0
    return a, gn.tensor(a, requires_grad=requires_grad)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_shape_read_is_pytorchs(case):
    shape, index, want = case
    a, x = _x(shape)
    got = x[index]
    assert got.shape == want
    # the same values as NumPy's (distinct values: each read once, in another order)
    np.testing.assert_array_equal(np.sort(got.data, axis=None), np.sort(a[index], axis=None))


@pytest.mark.parametrize("case", NO_AXIS, ids=IDS[: len(NO_AXIS)])
def test_an_ellipsis_of_no_axis_is_read_as_left_out(case):
    shape, index, _ = case
    a, x = _x(shape, requires_grad=True)
    without = tuple(k for k in index if k is not Ellipsis)  # (no integer apart from them)
    got = x[index]
    np.testing.assert_array_equal(got.data, x[without].data)
    up = np.random.default_rng(1).standard_normal(got.shape)
    (got * gn.tensor(up)).sum().backward()
    want = np.zeros(shape)
    np.add.at(want, without, up)
    np.testing.assert_array_equal(np.asarray(x.grad), want)
    y = gn.tensor(np.zeros(shape))
    y[index] = gn.tensor(up)
    np.testing.assert_array_equal(y.data, want)


def _torch(torch, index):
    return tuple(torch.tensor(k) if isinstance(k, (np.ndarray, np.generic)) else k for k in index)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_reads_gradients_and_writes_as_pytorch(case):
    torch = pytest.importorskip("torch")  # (the comparison with PyTorch itself, optional)
    shape, index, _ = case
    a, x = _x(shape, requires_grad=True)
    xt = torch.tensor(a, requires_grad=True)
    want = xt[_torch(torch, index)]
    got = x[index]
    assert got.shape == tuple(want.shape)
    np.testing.assert_array_equal(got.data, want.detach().numpy())
    up = np.random.default_rng(1).standard_normal(got.shape)
    (want * torch.tensor(up)).sum().backward()
    (got * gn.tensor(up)).sum().backward()
    np.testing.assert_array_equal(np.asarray(x.grad), xt.grad.numpy())
    zt, z = torch.tensor(a), gn.tensor(a)
    zt[_torch(torch, index)] = torch.tensor(up)
    z[index] = gn.tensor(up)
    np.testing.assert_array_equal(z.data, zt.numpy())


def test_the_review_examples():
    x = gn.tensor(np.arange(72.0).reshape(6, 3, 4))
    got = x[:, [0, 1], ..., [1, 2]]
    assert got.shape == (6, 2)  # NumPy's order is (2, 6)
    np.testing.assert_array_equal(got.data, x.data[:, [0, 1], [1, 2]])
    y = gn.tensor(np.arange(144.0).reshape(6, 2, 3, 4))
    got = y[:, 0, [0, 1], ..., [1, 2]]
    assert got.shape == (6, 2)
    np.testing.assert_array_equal(got.data, y.data[:, 0][:, [0, 1], [1, 2]])


def test_the_list_read_as_a_tuple_too():
    x = gn.tensor(np.arange(72.0).reshape(6, 3, 4))
    with pytest.warns(UserWarning, match="as PyTorch reads it"):
        got = x[[slice(None), [0, 1], ..., [1, 2]]]
    assert got.shape == (6, 2)


def test_tensor_indices_beside_an_ellipsis():
    x = gn.tensor(np.arange(72.0).reshape(6, 3, 4))
    got = x[:, gn.tensor([0.0, 1.0]), ..., gn.tensor([1.0, 2.0]).long()]
    assert got.shape == (6, 2)
    np.testing.assert_array_equal(got.data, x.data[:, [0, 1], [1, 2]])


def test_too_many_indices_beside_an_ellipsis_still_raise():
    x = gn.tensor(np.zeros((2, 3)))
    with pytest.raises(IndexError, match="too many indices"):
        x[0, [0, 1], ..., [1, 2]]


# ------------------------------------- x[idx, :]: no work beyond NumPy's for one index


@pytest.mark.parametrize(
    "make",
    [
        lambda i: (i, slice(None)),  # an int64 Array (x.argmax(1), y.long())
        lambda i: (slice(None), i),
        lambda i: (Ellipsis, i),
        lambda i: (i, None),
        lambda i: (i.view(np.ndarray), slice(None)),  # a NumPy array
    ],
)
def test_one_index_beside_a_slice_is_numpys_at_once(make, monkeypatch):
    from glassnet import habits

    calls = []
    for name in ("_index", "_is_select", "_without_empty_ellipsis"):
        real = getattr(habits, name)
        monkeypatch.setattr(
            habits, name, lambda *a, _real=real, _n=name: calls.append(_n) or _real(*a)
        )
    a = np.arange(12.0).reshape(3, 4)
    i = gn.tensor([2.0, 0.0]).long()
    got = gn.tensor(a)[make(i)]
    np.testing.assert_array_equal(got.data, a[make(np.array([2, 0]))])
    assert calls == []  # (NumPy's order is PyTorch's: no index converted or looked at alone)
