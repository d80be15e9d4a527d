"""PyTorch's Tensor ops ``clamp_min``, ``clamp_max``, ``expand``, ``repeat``, ``split``,
``chunk`` and ``gather`` (and the function forms ``gn.clamp_min``, ``gn.clamp_max``,
``gn.split``, ``gn.chunk``, ``gn.gather``): values and gradients against NumPy written by
hand, the same against torch where it is installed (each torch test has a torch-free twin
above it), the refusals of bad input (each a case PyTorch refuses too), no graph under
``no_grad()``, and float32 kept float32. The float64 finite-difference checks of each op
are in tests/test_gradcheck_all.py."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import glassnet as gn
from glassnet.tensor import Tensor

RNG = np.random.default_rng(12)
X = RNG.uniform(-2, 2, (3, 4))  # a float64 x for the ops
R3 = RNG.uniform(-2, 2, (2, 5, 3))


def leaf(a: np.ndarray, dtype: Any = np.float64) -> Tensor:
    return Tensor(np.array(a, dtype=dtype), requires_grad=True)


def grad_of(fn: Any, a: np.ndarray, weights: np.ndarray | None = None) -> tuple[Any, Any]:
    """fn(x)'s values and x's gradient of sum(fn(x) * weights) (a random weight each)."""
    x = leaf(a)
    out = fn(x)
    w = np.random.default_rng(1).uniform(-2, 2, out.shape) if weights is None else weights
    (out * w).sum().backward()
    return out.data, x.grad, w


def joined(pieces: tuple[Tensor, ...], dim: int) -> Tensor:
    """The pieces joined back, each weighted by its place (1, 2, 3, ...)."""
    return gn.cat([p * (i + 1.0) for i, p in enumerate(pieces)], dim=dim)


# ------------------------------------------------------------------ clamp_min, clamp_max
def test_clamp_min_and_max_values_and_gradient_by_hand():
    x = np.array([-1.5, -0.5, 0.0, 0.5, 2.0])
    out, g, w = grad_of(lambda t: t.clamp_min(-0.5), x)
    np.testing.assert_array_equal(out, [-0.5, -0.5, 0.0, 0.5, 2.0])
    np.testing.assert_array_equal(g, w * [0, 1, 1, 1, 1])  # (at the bound: passes, as PyTorch)
    out, g, w = grad_of(lambda t: t.clamp_max(0.5), x)
    np.testing.assert_array_equal(out, [-1.5, -0.5, 0.0, 0.5, 0.5])
    np.testing.assert_array_equal(g, w * [1, 1, 1, 1, 0])
    # the function forms, PyTorch's names, and bounds that broadcast (an array, a Tensor)
    np.testing.assert_array_equal(gn.clamp_min(X, min=0.25).data, np.maximum(X, 0.25))
    np.testing.assert_array_equal(gn.clamp_max(X, max=0.25).data, np.minimum(X, 0.25))
    low = np.array([-1.0, 0.0, 1.0, 0.5])
    np.testing.assert_array_equal(Tensor(X).clamp_min(low).data, np.maximum(X, low))
    np.testing.assert_array_equal(Tensor(X).clamp_max(Tensor(low)).data, np.minimum(X, low))
    # NaN stays NaN and passes no gradient, as clamp's
    out, g, _ = grad_of(lambda t: t.clamp_min(0.0), np.array([np.nan, 1.0]), np.ones(2))
    assert np.isnan(out[0]) and out[1] == 1.0 and g.tolist() == [0.0, 1.0]


def test_clamp_min_and_max_against_torch():
    torch = pytest.importorskip("torch")
    for method, bound in (
        ("clamp_min", 0.3),
        ("clamp_max", -0.2),
        ("clamp_min", np.array([-1.0, 0.0, 1.0, 0.5])),
    ):
        out, g, w = grad_of(lambda t, m=method, b=bound: getattr(t, m)(b), X)
        tx = torch.tensor(X, requires_grad=True)
        tb = torch.tensor(bound) if isinstance(bound, np.ndarray) else bound
        ty = getattr(torch, method)(tx, tb)
        (ty * torch.tensor(w)).sum().backward()
        np.testing.assert_array_equal(out, ty.detach().numpy())
        np.testing.assert_array_equal(g, tx.grad.numpy())


# ------------------------------------------------------------------ expand
def test_expand_values_view_and_gradient_by_hand():
    a = np.array([[1.0], [2.0], [3.0]])  # (3, 1)
    out, g, w = grad_of(lambda t: t.expand(2, -1, 4), a)
    assert out.shape == (2, 3, 4)
    np.testing.assert_array_equal(out, np.broadcast_to(a, (2, 3, 4)))
    np.testing.assert_array_equal(g, w.sum(axis=(0, 2))[:, None])  # summed over the copies
    x = Tensor(a)
    e = x.expand((3, 5))  # a tuple, as PyTorch's expand(size)
    assert e.shape == (3, 5) and np.shares_memory(e.data, x.data) and e._base is x
    assert x.expand(3, 1).shape == (3, 1)  # the same shape: itself, a view
    assert Tensor(np.ones(1)).expand(0).shape == (0,)  # (a length-1 axis may become 0)
    assert Tensor(7.0).expand(2, 3).data.tolist() == [[7.0] * 3] * 2  # a 0-d x
    # a write into x is seen through the view (PyTorch's expand shares memory too)
    with gn.no_grad():
        x[1] = 9.0
    assert e.data[1].tolist() == [9.0] * 5


def test_expand_against_torch():
    torch = pytest.importorskip("torch")
    a = RNG.uniform(-1, 1, (3, 1, 2))
    for sizes in ((3, 4, 2), (2, 3, -1, 2), (-1, 5, -1), (1, 3, 1, 2)):
        out, g, w = grad_of(lambda t, s=sizes: t.expand(*s), a)
        tx = torch.tensor(a, requires_grad=True)
        ty = tx.expand(*sizes)
        (ty * torch.tensor(w)).sum().backward()
        np.testing.assert_array_equal(out, ty.detach().numpy())
        np.testing.assert_allclose(g, tx.grad.numpy(), rtol=1e-15)


def test_a_write_into_an_expanded_tensor_is_refused():
    e = Tensor(np.ones((1, 3), np.float32)).expand(2, 3)
    writes = {
        "x += y": lambda: e.__iadd__(1.0),
        "x[...] = y": lambda: e.__setitem__(0, 2.0),
        "x.fill_(v)": lambda: e.fill_(0.0),
        "x.clamp_(min, max)": lambda: e.clamp_(0.0, 0.5),
        "x.masked_fill_(mask, value)": lambda: e.masked_fill_(e.data > 0, 0.0),
        "x -= y (a view)": lambda: e[0].__isub__(1.0),
    }
    for what, write in writes.items():
        with pytest.raises(ValueError, match=r"read-only: x\.expand\(\)'s result") as info:
            write()
        assert "x = x.clone() first" in str(info.value), what
    assert e.data.tolist() == [[1.0] * 3] * 2  # nothing written
    c = e.clone()  # the way out the message names
    c += 1.0
    assert c.data.tolist() == [[2.0] * 3] * 2


# ------------------------------------------------------------------ repeat
def test_repeat_values_and_gradient_by_hand():
    a = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    out, g, w = grad_of(lambda t: t.repeat(2, 1, 2), a)
    np.testing.assert_array_equal(out, np.tile(a, (2, 1, 2)))
    # each value's gradient: the sum of w over its 2 * 2 copies
    by_hand = np.zeros_like(a)
    for i in range(2):
        for j in range(3):
            by_hand[i, j] = sum(w[k, i, j + 3 * m] for k in range(2) for m in range(2))
    np.testing.assert_allclose(g, by_hand, rtol=1e-15)
    assert Tensor(a).repeat([1, 1]).data.tolist() == a.tolist()  # a list, as PyTorch's
    assert not np.shares_memory(Tensor(a).repeat(1, 1).data, a)  # a copy, as PyTorch's
    assert Tensor(a).repeat(0, 2).shape == (0, 6)
    assert Tensor(5.0).repeat(3).data.tolist() == [5.0, 5.0, 5.0]
    _, g0, _ = grad_of(lambda t: t.repeat(0, 1), a)
    np.testing.assert_array_equal(g0, np.zeros_like(a))  # no copies: no gradient


def test_repeat_against_torch():
    torch = pytest.importorskip("torch")
    a = RNG.uniform(-1, 1, (2, 3))
    for reps in ((2, 2), (3, 1, 2), (1, 1), (2, 0), (2, 1, 1, 3)):
        out, g, w = grad_of(lambda t, r=reps: t.repeat(*r), a)
        tx = torch.tensor(a, requires_grad=True)
        ty = tx.repeat(*reps)
        (ty * torch.tensor(w)).sum().backward()
        np.testing.assert_array_equal(out, ty.detach().numpy())
        np.testing.assert_allclose(g, tx.grad.numpy(), rtol=1e-14)


def test_np_repeat_of_a_tensor_is_refused_naming_the_difference():
    """np.repeat(x, n) calls x.repeat(n, axis=None): NumPy's repeat repeats each value, where
    the Tensor's is PyTorch's, which tiles; it made an array of one-value Tensors before."""
    with pytest.raises(ValueError, match=r"np\.repeat\(x\.data, n, axis\)"):
        np.repeat(Tensor([1.0, 2.0]), 2)


# ------------------------------------------------------------------ split, chunk
SPLIT_SIZES = {  # (length, split_size or sections): PyTorch's piece lengths
    (5, 2): [2, 2, 1],
    (6, 2): [2, 2, 2],
    (3, 7): [3],
    (0, 2): [0],
    (0, 0): [0],
    (5, (1, 0, 4)): [1, 0, 4],
    (0, ()): [],
}
CHUNK_SIZES = {  # (length, chunks): PyTorch's piece lengths (fewer pieces where they do not fit)
    (6, 4): [2, 2, 2],
    (5, 4): [2, 2, 1],
    (10, 4): [3, 3, 3, 1],
    (10, 6): [2, 2, 2, 2, 2],
    (7, 5): [2, 2, 2, 1],
    (3, 5): [1, 1, 1],
    (6, 3): [2, 2, 2],
    (0, 3): [0, 0, 0],
}


@pytest.mark.parametrize("key", list(SPLIT_SIZES), ids=str)
def test_split_lengths_are_pytorchs(key):
    n, size = key
    pieces = Tensor(np.arange(n * 2.0).reshape(2, n)).split(size, dim=1)
    assert isinstance(pieces, tuple)
    assert [p.shape[1] for p in pieces] == SPLIT_SIZES[key]
    if pieces:
        np.testing.assert_array_equal(
            np.concatenate([p.data for p in pieces], 1), np.arange(n * 2.0).reshape(2, n)
        )


@pytest.mark.parametrize("key", list(CHUNK_SIZES), ids=str)
def test_chunk_lengths_are_pytorchs(key):
    n, chunks = key
    pieces = gn.chunk(Tensor(np.arange(float(n))), chunks)
    assert isinstance(pieces, tuple)
    assert [p.shape[0] for p in pieces] == CHUNK_SIZES[key]


def test_split_and_chunk_lengths_against_torch():
    torch = pytest.importorskip("torch")
    for n in range(0, 13):
        for k in range(1, 8):
            ours = [p.shape[0] for p in Tensor(np.zeros(n)).chunk(k)]
            assert ours == [p.shape[0] for p in torch.zeros(n).chunk(k)], (n, k)
        for k in range(0 if n == 0 else 1, 8):
            ours = [p.shape[0] for p in Tensor(np.zeros(n)).split(k)]
            assert ours == [p.shape[0] for p in torch.zeros(n).split(k)], (n, k)
    for key, lengths in {**SPLIT_SIZES, **CHUNK_SIZES}.items():  # the tables above
        n, arg = key
        theirs = torch.zeros(n).chunk(arg) if key in CHUNK_SIZES else torch.zeros(n).split(arg)
        assert [p.shape[0] for p in theirs] == lengths, key


def test_split_and_chunk_gradients_by_hand():
    """Each piece's gradient goes back to its place: with piece i weighted by i + 1, x's
    gradient is w times the piece number of each position."""
    w = np.random.default_rng(3).uniform(-2, 2, R3.shape)
    place = np.array([1, 1, 2, 2, 3], dtype=float)[None, :, None]  # dim 1 in pieces 2, 2, 1
    cuts = (
        lambda t: t.split(2, 1),
        lambda t: t.split([2, 2, 1], dim=1),
        lambda t: gn.chunk(t, 3, 1),
        lambda t: gn.split(t, split_size_or_sections=2, dim=-2),  # (torch.split's name)
    )
    for cut in cuts:
        out, g, _ = grad_of(lambda t, c=cut: joined(c(t), 1), R3, w)
        np.testing.assert_array_equal(out, R3 * place)
        np.testing.assert_array_equal(g, w * place)
    # one piece alone: the rest of x gets 0
    _, g, w1 = grad_of(lambda t: t.chunk(2, dim=2)[1], R3)
    expected = np.zeros_like(R3)
    expected[:, :, 2:] = w1
    np.testing.assert_array_equal(g, expected)
    x = Tensor(R3)
    assert all(np.shares_memory(p.data, x.data) and p._base is x for p in x.split(2, 1))


def test_split_and_chunk_against_torch():
    torch = pytest.importorskip("torch")
    w = np.random.default_rng(3).uniform(-2, 2, R3.shape)
    for name, args, d in (
        ("split", (2,), 1),
        ("split", ([1, 0, 4],), 1),
        ("split", (1,), -1),
        ("chunk", (4,), 1),
        ("chunk", (2,), 0),
        ("chunk", (3,), -1),
    ):
        out, g, _ = grad_of(lambda t, n=name, a=args, d=d: joined(getattr(t, n)(*a, d), d), R3, w)
        tx = torch.tensor(R3, requires_grad=True)
        pieces = getattr(torch, name)(tx, *args, d)
        ty = torch.cat([p * (i + 1.0) for i, p in enumerate(pieces)], dim=d)
        (ty * torch.tensor(w)).sum().backward()
        np.testing.assert_array_equal(out, ty.detach().numpy())
        np.testing.assert_array_equal(g, tx.grad.numpy())


# ------------------------------------------------------------------ gather
def test_gather_values_and_gradient_by_hand():
    index = np.array([[0, 0, 3], [2, 1, 1], [3, 3, 3]])
    out, g, w = grad_of(lambda t: t.gather(1, index), X)
    expected = np.array([[X[i, index[i, j]] for j in range(3)] for i in range(3)])
    np.testing.assert_array_equal(out, expected)
    by_hand = np.zeros_like(X)  # repeated indices add up
    for i in range(3):
        for j in range(3):
            by_hand[i, index[i, j]] += w[i, j]
    np.testing.assert_array_equal(g, by_hand)
    # dim 0, an index shorter than x off dim (PyTorch's rule: no longer), the function form
    index0 = np.array([[2, 0, 1], [0, 0, 2]])
    out0 = gn.gather(Tensor(X), 0, index0)
    assert out0.data.tolist() == [[X[index0[i, j], j] for j in range(3)] for i in range(2)]
    # longer than x on dim itself, and labels from argmax (an int64 Array) with keepdim
    assert gn.gather(X, 1, [[0, 1, 2, 3, 3, 0]]).data.tolist() == [list(X[0, [0, 1, 2, 3, 3, 0]])]
    best = Tensor(X).gather(1, Tensor(X).argmax(1, keepdim=True))
    np.testing.assert_array_equal(best.data, X.max(axis=1, keepdims=True))
    # a 0-d x (one axis, as PyTorch counts it) and an empty index
    assert Tensor(5.0).gather(0, np.array([0, 0])).data.tolist() == [5.0, 5.0]
    assert Tensor([5.0, 6.0]).gather(0, np.array(1)).shape == ()
    assert Tensor(X).gather(1, np.empty((2, 0), np.int64)).shape == (2, 0)


def test_gather_against_torch():
    torch = pytest.importorskip("torch")
    x3 = RNG.uniform(-1, 1, (2, 3, 4))
    for a, d, index in (
        (X, 1, [[0, 0, 3], [2, 1, 1], [3, 3, 3]]),
        (X, 0, [[2, 0, 1, 2], [0, 0, 2, 1]]),
        (X, -1, [[1], [3], [0]]),
        (X, 1, [[0, 1, 2, 3, 3, 0]]),
        (x3, 2, np.random.default_rng(4).integers(0, 4, (2, 3, 5))),
        (x3, 0, np.random.default_rng(5).integers(0, 2, (2, 2, 4))),
    ):
        index = np.array(index, dtype=np.int64)
        out, g, w = grad_of(lambda t, d=d, i=index: t.gather(d, i), a)
        tx = torch.tensor(a, requires_grad=True)
        ty = torch.gather(tx, d, torch.tensor(index))
        (ty * torch.tensor(w)).sum().backward()
        np.testing.assert_array_equal(out, ty.detach().numpy())
        np.testing.assert_allclose(g, tx.grad.numpy(), rtol=1e-15)


# ------------------------------------------------------------------ bad input
I2 = np.array([[0]])
BAD = {  # id: (call on x = Tensor(X) (3, 4), its PyTorch twin on tx, error, message)
    "expand: fewer sizes": (
        lambda x: x.expand(4),
        lambda tx: tx.expand(4),
        ValueError,
        r"expand: 1 size\(s\) \(4,\) for x of shape \(3, 4\) \(2 axes\): give one per axis",
    ),
    "expand: a length-3 axis to 4": (
        lambda x: x.expand(4, 4),
        lambda tx: tx.expand(4, 4),
        ValueError,
        r"axis 0 of x \(shape \(3, 4\)\) has length 3, which cannot become 4 .*only an axis of "
        r"length 1 grows",
    ),
    "expand: -1 on a new axis": (
        lambda x: x.expand(-1, 3, 4),
        lambda tx: tx.expand(-1, 3, 4),
        ValueError,
        r"size -1 for the new leading axis 0 .*a new axis needs its length",
    ),
    "expand: -2": (
        lambda x: x[:, :1].expand(3, -2),
        lambda tx: tx[:, :1].expand(3, -2),
        ValueError,
        r"size -2 at axis 1 of \(3, -2\): sizes are lengths \(>= 0\) or -1",
    ),
    "expand: a float size": (
        lambda x: x.expand(3, 4.0),
        lambda tx: tx.expand(3, 4.0),
        TypeError,
        r"expand takes the new shape as whole numbers .*Got 4\.0",
    ),
    "repeat: fewer counts": (
        lambda x: x.repeat(2),
        lambda tx: tx.repeat(2),
        ValueError,
        r"repeat: 1 count\(s\) \(2,\) for x of shape \(3, 4\) .*write x\.repeat\(1, 2\)",
    ),
    "repeat: a negative count": (
        lambda x: x.repeat(-1, 2),
        lambda tx: tx.repeat(-1, 2),
        ValueError,
        r"repeat: the counts must be >= 0 .*Got \(-1, 2\)",
    ),
    "repeat: no counts": (
        lambda x: x.repeat(),
        lambda tx: tx.repeat(),
        TypeError,
        r"repeat\(\) needs the number of copies along each axis",
    ),
    "repeat: a float count": (
        lambda x: x.repeat(2.0, 1),
        lambda tx: tx.repeat(2.0, 1),
        TypeError,
        r"repeat takes the counts of copies as whole numbers .*Got 2\.0",
    ),
    "split: sections not summing to the length": (
        lambda x: x.split([1, 1], 1),
        lambda tx: tx.split([1, 1], 1),
        ValueError,
        r"split: the sections \[1, 1\] sum to 2, but dim 1 of x \(shape \(3, 4\)\) has length 4: "
        r"they must sum to it exactly",
    ),
    "split: a negative section": (
        lambda x: x.split([5, -1], 1),
        lambda tx: tx.split([5, -1], 1),
        ValueError,
        r"split: the sections must be whole numbers >= 0 .*Got \[5, -1\]",
    ),
    "split: size 0 of a non-empty axis": (
        lambda x: x.split(0),
        lambda tx: tx.split(0),
        ValueError,
        r"split: split_size must be >= 1 \(0 only for an axis of length 0\).*Got 0 for dim 0 "
        r"of length 3",
    ),
    "split: a negative size": (
        lambda x: x.split(-1),
        lambda tx: tx.split(-1),
        ValueError,
        r"split_size must be >= 1 .*Got -1",
    ),
    "split: a float size": (
        lambda x: x.split(2.0),
        lambda tx: tx.split(2.0),
        TypeError,
        r"split: split_size must be an int .*Got 2\.0",
    ),
    "split: dim out of range": (
        lambda x: x.split(1, 2),
        lambda tx: tx.split(1, 2),
        IndexError,
        r"split: dim must be an integer in \[-2, 1\] for a tensor of shape \(3, 4\)\. Got 2",
    ),
    "split: a 0-d tensor": (
        lambda x: x[0, 0].split(1),
        lambda tx: tx[0, 0].split(1),
        ValueError,
        r"split: x is 0-d \(one value, no axis to split\)",
    ),
    "chunk: 0 chunks": (
        lambda x: x.chunk(0),
        lambda tx: tx.chunk(0),
        ValueError,
        r"chunk: chunks must be >= 1, as PyTorch's\. Got 0",
    ),
    "chunk: a float count": (
        lambda x: x.chunk(2.0),
        lambda tx: tx.chunk(2.0),
        TypeError,
        r"chunk: chunks must be an int \(how many pieces\)\. Got 2\.0",
    ),
    "chunk: dim out of range": (
        lambda x: x.chunk(2, -3),
        lambda tx: tx.chunk(2, -3),
        IndexError,
        r"chunk: dim must be an integer in \[-2, 1\] .*Got -3",
    ),
    "chunk: a 0-d tensor": (
        lambda x: x[0, 0].chunk(1),
        lambda tx: tx[0, 0].chunk(1),
        ValueError,
        r"chunk: x is 0-d",
    ),
    "gather: index out of range": (
        lambda x: x.gather(1, np.array([[4]])),
        lambda tx: tx.gather(1, np.array([[4]])),
        IndexError,
        r"gather: index 4 is out of range for dim 1 of x \(shape \(3, 4\), length 4\): each "
        r"index must be in \[0, 3\]",
    ),
    "gather: a negative index": (
        lambda x: x.gather(0, np.array([[0, -1]])),
        lambda tx: tx.gather(0, np.array([[0, -1]])),
        IndexError,
        r"gather: index -1 is out of range for dim 0 .*takes no negative ones",
    ),
    "gather: index of fewer axes": (
        lambda x: x.gather(1, np.array([0, 1])),
        lambda tx: tx.gather(1, np.array([0, 1])),
        ValueError,
        r"gather: index must have as many axes as x, as PyTorch's\. Got index of shape \(2,\) "
        r"for x of shape \(3, 4\)",
    ),
    "gather: index longer off dim": (
        lambda x: x.gather(1, np.zeros((4, 1), np.int64)),
        lambda tx: tx.gather(1, np.zeros((4, 1), np.int64)),
        ValueError,
        r"gather: index of shape \(4, 1\) is longer than x \(shape \(3, 4\)\) on axis 0",
    ),
    "gather: a float index": (
        lambda x: x.gather(1, np.array([[0.0]])),
        lambda tx: tx.gather(1, np.array([[0.0]])),
        TypeError,
        r"gather: index must hold integers \(int64, PyTorch's long\), as PyTorch's\. Got dtype "
        r"float64: cast it",
    ),
    "gather: a bool index": (
        lambda x: x.gather(1, np.array([[True]])),
        lambda tx: tx.gather(1, np.array([[True]])),
        TypeError,
        r"index must hold integers .*Got dtype bool",
    ),
    "gather: a Tensor index of fractions": (  # (whole numbers are taken, as scatter's)
        lambda x: x.gather(1, Tensor([[0.5]])),
        lambda tx: tx.gather(1, np.array([[0.5]], np.float32)),
        IndexError,
        r"A Tensor used as an index must hold whole numbers",
    ),
    "gather: dim out of range": (
        lambda x: x.gather(2, I2),
        lambda tx: tx.gather(2, I2),
        IndexError,
        r"gather: dim must be an integer in \[-2, 1\]\. Got 2",
    ),
    "clamp_min: None": (
        lambda x: x.clamp_min(None),
        lambda tx: tx.clamp_min(None),
        TypeError,
        r"clamp_min: min must be a number, an array or a Tensor, as PyTorch's\. Got None",
    ),
    "clamp_max: a string": (
        lambda x: x.clamp_max("a"),
        lambda tx: tx.clamp_max("a"),
        TypeError,
        r"clamp_max: max must be a number, an array or a Tensor of numbers\. Got 'a'",
    ),
}


@pytest.mark.parametrize("key", list(BAD))
def test_bad_input_is_refused_with_a_clear_message(key):
    call, _, error, message = BAD[key]
    x = Tensor(X)
    with pytest.raises(error, match=message):
        call(x)


def _torch_twin(torch: Any, call: Any, x: np.ndarray) -> Any:
    """The PyTorch call on a tensor of x, its NumPy index arrays made tensors."""
    tx = torch.tensor(x)

    class Wrap:  # tx, whose gather takes a NumPy index as a tensor (torch's takes tensors only)
        def __getattr__(self, name: str) -> Any:
            if name == "gather":
                return lambda d, i: tx.gather(d, torch.as_tensor(i))
            return getattr(tx, name)

        def __getitem__(self, index: Any) -> Any:
            return tx[index]

    return call(Wrap())


@pytest.mark.parametrize("key", list(BAD))
def test_pytorch_refuses_the_same_bad_input(key):
    """Each refusal above is a case PyTorch 2.13 refuses too (its types differ: RuntimeError
    where glassnet's is a ValueError or IndexError)."""
    torch = pytest.importorskip("torch")
    _, twin, _, _ = BAD[key]
    with pytest.raises((RuntimeError, TypeError, ValueError, IndexError)):
        _torch_twin(torch, twin, X)


def test_torch_twins_of_the_bad_inputs_run_on_good_input():
    """The wrapper the PyTorch refusals go through passes good calls (so a refusal there is
    PyTorch's, not the wrapper's)."""
    torch = pytest.importorskip("torch")
    assert _torch_twin(torch, lambda tx: tx.gather(1, np.array([[3]])), X).item() == X[0, 3]
    assert _torch_twin(torch, lambda tx: tx[:, :1].expand(3, 2), X).shape == (3, 2)


def test_split_sizes_given_twice_are_refused():
    with pytest.raises(TypeError, match=r"pass split_size or split_size_or_sections"):
        Tensor(X).split(2, split_size_or_sections=2)
    with pytest.raises(TypeError, match=r"split\(\) needs split_size"):
        Tensor(X).split()


def test_a_clamp_bound_that_requires_grad_is_refused_as_clamps():
    m = Tensor(0.5, requires_grad=True)
    with pytest.raises(TypeError, match=r"clamp_min: min requires grad, but clamp_min passes"):
        Tensor(X).clamp_min(m)
    with gn.no_grad():  # (no graph: the bound's values are taken)
        assert Tensor(X).clamp_max(m).data.max() == 0.5


# ------------------------------------------------------------------ no_grad, dtype
OPS = {  # name: the op on a (3, 4) tensor, a Tensor out (the first piece of split/chunk)
    "clamp_min": lambda t: t.clamp_min(0.0),
    "clamp_max": lambda t: t.clamp_max(0.0),
    "expand": lambda t: t.expand(2, 3, 4),
    "repeat": lambda t: t.repeat(2, 1),
    "split": lambda t: t.split(3, 1)[0],
    "chunk": lambda t: t.chunk(2, 1)[1],
    "gather": lambda t: t.gather(1, np.array([[0, 3], [1, 1], [2, 0]])),
}


@pytest.mark.parametrize("name", list(OPS))
def test_no_graph_under_no_grad(name):
    x = leaf(X)
    with gn.no_grad():
        out = OPS[name](x)
    assert not out.requires_grad and out.parents == () and out.backward_fn is None
    out = OPS[name](x)  # and a graph outside it
    assert out.requires_grad and out.parents == (x,)


@pytest.mark.parametrize("name", list(OPS))
def test_float32_stays_float32(name):
    x = leaf(X, np.float32)
    out = OPS[name](x)
    assert out.dtype == np.float32
    out.sum().backward()
    assert x.grad.dtype == np.float32 and x.grad.shape == x.shape
    assert OPS[name](leaf(X)).dtype == np.float64


def test_the_function_forms_are_pytorchs_names():
    """torch.clamp_min / clamp_max / split / chunk / gather as gn.<name> (not expand and repeat,
    which torch has as methods only); an array made a Tensor first."""
    for name in ("clamp_min", "clamp_max", "split", "chunk", "gather"):
        assert callable(getattr(gn, name)) and getattr(gn, name).__name__ == name
    assert not hasattr(gn, "expand") and not hasattr(gn, "repeat")
    pieces = gn.split(X, [1, 2])
    assert [p.shape for p in pieces] == [(1, 4), (2, 4)] and pieces[0].dtype == np.float64


def test_gather_takes_a_tensor_of_whole_numbers_as_scatter_does():
    # gn.tensor(labels) holds floats: gather refused it while scatter_ took it
    x = Tensor(X, requires_grad=True)
    idx = np.array([[0, 2], [1, 1], [3, 0]])
    a = x.gather(1, Tensor(idx.astype(np.float32)))
    b = x.gather(1, idx)
    np.testing.assert_array_equal(a.data, b.data)
    a.sum().backward()
    g = x.grad.copy()
    x.grad = None
    b.sum().backward()
    np.testing.assert_array_equal(g, x.grad)
