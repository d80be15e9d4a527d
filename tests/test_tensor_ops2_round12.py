"""PyTorch's Tensor ops ``sin``, ``cos``, ``dot``, ``mv``, ``outer``, ``round`` (with
``decimals=``), ``floor``, ``ceil``, ``sign`` (and their function forms ``gn.sin``, ...,
``gn.sign``), the factories ``x.new_zeros``, ``new_ones``, ``new_full``, ``new_tensor``, and
the casts ``x.long()``, ``x.int()``, ``x.bool()``: values and gradients against NumPy written
by hand, the same against torch where it is installed (each torch test has a torch-free twin
above it), the refusals of bad input (each a case PyTorch refuses too), no graph under
``no_grad()``, and float32 kept float32. The float64 finite-difference checks of each
differentiable op are in tests/test_gradcheck_all.py."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import glassnet as gn
from glassnet import functional as F
from glassnet.habits import Array
from glassnet.tensor import Tensor

RNG = np.random.default_rng(1212)
X = RNG.uniform(-3, 3, (3, 4))  # a float64 matrix
V = RNG.uniform(-2, 2, 4)  # a float64 vector of X's column count
W = RNG.uniform(-2, 2, 3)  # another vector
# the piecewise-constant ops' inputs: halves (ties to even), signed zeros, NaN and infinities
EDGES = np.array([-2.5, -1.5, -0.5, -0.0, 0.0, 0.5, 1.5, 2.5, 2.7, -2.7, np.nan, np.inf, -np.inf])


def leaf(a: Any, dtype: Any = np.float64) -> Tensor:
    return Tensor(np.array(a, dtype=dtype), requires_grad=True)


def weights(shape: tuple[int, ...]) -> np.ndarray:
    return np.random.default_rng(7).uniform(-2, 2, shape)


def grads(fn: Any, *arrays: Any) -> tuple[np.ndarray, list[np.ndarray], np.ndarray]:
    """fn(*xs)'s values, each x's gradient of sum(fn(*xs) * w), and w (random weights)."""
    xs = [leaf(a) for a in arrays]
    out = fn(*xs)
    w = weights(out.shape)
    (out * w).sum().backward()
    return out.data, [x.grad for x in xs], w


def torch_grads(torch: Any, fn: Any, *arrays: Any) -> tuple[np.ndarray, list[np.ndarray]]:
    """The same in torch (float64, the same weights)."""
    xs = [torch.tensor(np.array(a, dtype=np.float64), requires_grad=True) for a in arrays]
    out = fn(*xs)
    (out * torch.tensor(weights(tuple(out.shape)))).sum().backward()
    return out.detach().numpy(), [x.grad.numpy() for x in xs]


# ------------------------------------------------------------------ sin, cos
def test_sin_and_cos_values_and_gradients_by_hand():
    out, (g,), w = grads(lambda t: t.sin(), X)
    np.testing.assert_allclose(out, np.sin(X), rtol=1e-15)
    np.testing.assert_allclose(g, w * np.cos(X), rtol=1e-15)
    out, (g,), w = grads(lambda t: gn.cos(t), X)
    np.testing.assert_allclose(out, np.cos(X), rtol=1e-15)
    np.testing.assert_allclose(g, -w * np.sin(X), rtol=1e-15)
    # the chain rule through both: d/dx sin(x) cos(x) = cos 2x
    _, (g,), w = grads(lambda t: t.sin() * t.cos(), X)
    np.testing.assert_allclose(g, w * np.cos(2 * X), rtol=1e-12, atol=1e-15)


def test_sin_and_cos_at_extreme_inputs_as_torch():
    """Finite at ±1e300 (value and gradient); ±inf gives NaN, as PyTorch's, without a
    warning."""
    big = np.array([1e300, -1e300, 1e-300, 0.0])
    for op, d in (("sin", np.cos), ("cos", lambda a: -np.sin(a))):
        out, (g,), _ = grads(lambda t, op=op: getattr(t, op)(), big)
        assert np.isfinite(out).all() and np.isfinite(g).all()
        x = leaf(big)
        getattr(x, op)().sum().backward()
        np.testing.assert_array_equal(x.grad, d(big))
    with np.errstate(all="raise"):  # (no warning escapes at inf)
        x = leaf([np.inf, -np.inf])
        out = x.sin() + x.cos()
        out.sum().backward()
    assert np.isnan(out.data).all() and np.isnan(x.grad).all()


def test_sin_and_cos_against_torch():
    torch = pytest.importorskip("torch")
    for op in ("sin", "cos"):
        out, (g,), _ = grads(lambda t, op=op: getattr(gn, op)(t), X)
        t_out, (t_g,) = torch_grads(torch, lambda t, op=op: getattr(torch, op)(t), X)
        np.testing.assert_allclose(out, t_out, rtol=1e-14, atol=1e-15)
        np.testing.assert_allclose(g, t_g, rtol=1e-14, atol=1e-15)
    big = np.array([1e300, -1e300, np.inf, -np.inf, np.nan])
    np.testing.assert_allclose(gn.sin(big).data, torch.sin(torch.tensor(big)).numpy(), rtol=1e-12)
    np.testing.assert_allclose(gn.cos(big).data, torch.cos(torch.tensor(big)).numpy(), rtol=1e-12)


# ------------------------------------------------------------------ dot, mv, outer
def test_dot_mv_outer_values_and_gradients_by_hand():
    out, (ga, gb), w = grads(lambda a, b: a.dot(b), V, V[::-1])
    assert out.shape == () and out == pytest.approx(float(np.sum(V * V[::-1])), rel=1e-14)
    np.testing.assert_allclose(ga, w * V[::-1], rtol=1e-15)
    np.testing.assert_allclose(gb, w * V, rtol=1e-15)
    out, (gm, gv), w = grads(gn.mv, X, V)
    np.testing.assert_allclose(out, [sum(X[i, j] * V[j] for j in range(4)) for i in range(3)])
    np.testing.assert_allclose(gm, w[:, None] * V[None, :], rtol=1e-14)
    np.testing.assert_allclose(gv, [sum(w[i] * X[i, j] for i in range(3)) for j in range(4)])
    out, (ga, gb), w = grads(lambda a, b: a.outer(b), W, V)
    assert out.shape == (3, 4)
    np.testing.assert_allclose(out, [[W[i] * V[j] for j in range(4)] for i in range(3)])
    np.testing.assert_allclose(ga, (w * V).sum(axis=1), rtol=1e-14)
    np.testing.assert_allclose(gb, (w * W[:, None]).sum(axis=0), rtol=1e-14)


def test_dot_mv_outer_take_arrays_and_lists_as_constants():
    x = leaf(V)
    assert x.dot(list(V)).item() == pytest.approx(float(V @ V))
    out = gn.outer(V, [1.0, 2.0])  # (an array made a Tensor, by the dtype rule: float64)
    assert out.dtype == np.float64 and out.shape == (4, 2)
    np.testing.assert_allclose(gn.mv(X, V).data, X @ V)


def test_dot_overflows_to_inf_as_torch():
    """inf, as PyTorch's (and NumPy's overflow warning, as glassnet's matmul gives it). Both
    products overflow the same way: with terms of opposite signs (1e400 - 1e399) the answer
    depends on the BLAS kernel's order (OpenBLAS's Haswell kernel, NumPy's np.dot and
    PyTorch all give NaN there, where another kernel gave inf)."""
    with pytest.warns(RuntimeWarning, match="overflow"):
        out = gn.dot(np.array([1e200, 1e200]), np.array([1e200, 1e199]))
    assert np.isinf(out.item()) and out.item() > 0


def test_dot_mv_outer_against_torch():
    torch = pytest.importorskip("torch")
    calls = {
        "dot": ((V, V[::-1]), gn.dot, torch.dot),
        "mv": ((X, V), gn.mv, torch.mv),
        "outer": ((W, V), gn.outer, torch.outer),
    }
    for name, (args, ours, theirs) in calls.items():
        out, got, _ = grads(ours, *args)
        t_out, t_got = torch_grads(torch, theirs, *args)
        np.testing.assert_allclose(out, t_out, rtol=1e-13, err_msg=name)
        for g, tg in zip(got, t_got):
            np.testing.assert_allclose(g, tg, rtol=1e-13, atol=1e-15, err_msg=name)
    big = np.array([1e200, 1e200])
    with np.errstate(over="ignore"):
        ours = gn.dot(big, big).item()
    assert ours == torch.dot(torch.tensor(big), torch.tensor(big)).item() == np.inf


# ------------------------------------------------------------------ round, floor, ceil, sign
def test_piecewise_constant_values_by_hand():
    with np.errstate(invalid="ignore"):
        x = Tensor(EDGES, dtype=np.float64)
    nan, inf = np.nan, np.inf
    np.testing.assert_array_equal(
        x.round().data, [-2, -2, -0.0, -0.0, 0, 0, 2, 2, 3, -3, nan, inf, -inf]
    )
    np.testing.assert_array_equal(
        x.floor().data, [-3, -2, -1, -0.0, 0, 0, 1, 2, 2, -3, nan, inf, -inf]
    )
    np.testing.assert_array_equal(
        x.ceil().data, [-2, -1, -0.0, -0.0, 0, 1, 2, 3, 3, -2, nan, inf, -inf]
    )
    # sign: 0 at NaN, as PyTorch's (NumPy's np.sign gives NaN)
    np.testing.assert_array_equal(x.sign().data, [-1, -1, -1, 0, 0, 1, 1, 1, 1, -1, 0, 1, -1])
    assert np.signbit(x.round().data[2])  # (-0.5 rounds to -0, as PyTorch's)


def test_round_decimals_by_hand():
    x = Tensor([1.005, 2.675, 15.0, 25.0, -35.0, 123.456, 0.125], dtype=np.float64)
    # rint(x * 10^d) / 10^d: 1.005 * 100 is 100.49999..., 2.675 * 100 is 267.5 (Python's
    # round(2.675, 2), exact in decimal, gives 2.67); halves to even at the scale: 0.125 -> 0.12
    np.testing.assert_array_equal(
        x.round(decimals=2).data, [1.0, 2.68, 15.0, 25.0, -35.0, 123.46, 0.12]
    )
    np.testing.assert_array_equal(x.round(decimals=-1).data, [0, 0, 20, 20, -40, 120, 0])
    np.testing.assert_array_equal(gn.round(x, decimals=-2).data, [0, 0, 0, 0, -0.0, 100, 0])
    np.testing.assert_array_equal(x.round(decimals=0).data, x.round().data)
    np.testing.assert_array_equal(np.round(x).data, x.round().data)  # (NumPy's np.round(x))


def test_round_stays_finite_where_its_rule_overflows():
    """x · 10ᵈ past the float range (PyTorch's and NumPy's give inf there) leaves x itself
    (so large a float has no decimals); 10⁻ᵈ past the range rounds everything to 0 (theirs
    give NaN)."""
    x = Tensor([1.7e308, -1.7e308, 1e300, 123.0, 0.0], dtype=np.float64)
    with np.errstate(all="raise"):
        out = x.round(decimals=2)
        np.testing.assert_array_equal(out.data, x.data)
        np.testing.assert_array_equal(x.round(decimals=400).data, x.data)
        tiny = x.round(decimals=-400).data
    np.testing.assert_array_equal(tiny, 0.0)
    assert np.signbit(tiny[1]) and not np.signbit(tiny[0])
    x32 = Tensor([3e38, 1.5, 2.5], dtype=np.float32)
    assert x32.round(decimals=1).data.tolist() == [np.float32(3e38), 1.5, 2.5]
    assert x32.round(decimals=-39).data.tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("op", ["round", "floor", "ceil", "sign", "round2"])
def test_piecewise_constant_gradients_are_zero_as_torch(op):
    """Zero everywhere, also at the jumps, NaN and ±inf (PyTorch's: zeros), and the graph
    still reaches x (a sum with x itself gives x's gradient 1)."""
    call = (lambda t: t.round(decimals=2)) if op == "round2" else (lambda t: getattr(t, op)())
    with np.errstate(invalid="ignore"):
        x = leaf(EDGES)
        out = call(x)
        (out * 3.0).sum().backward()
    np.testing.assert_array_equal(x.grad, np.zeros(len(EDGES)))
    y = leaf(X)
    (call(y) + y).sum().backward()
    np.testing.assert_array_equal(y.grad, np.ones_like(X))


def test_piecewise_constant_against_torch():
    torch = pytest.importorskip("torch")
    t = torch.tensor(EDGES, requires_grad=True)
    for op in ("round", "floor", "ceil", "sign"):
        theirs = getattr(torch, op)(t)
        np.testing.assert_array_equal(getattr(gn, op)(EDGES).data, theirs.detach().numpy())
        theirs.sum().backward()
        ours = leaf(EDGES)
        getattr(ours, op)().sum().backward()
        np.testing.assert_array_equal(ours.grad, t.grad.numpy())
        t.grad = None
    x = np.array([1.005, 2.675, 15.0, 25.0, -35.0, 123.456, 0.125, 1e300, -0.5])
    for d in (3, 2, 1, -1, -2, -3):
        for dt, tdt in ((np.float64, torch.float64), (np.float32, torch.float32)):
            with np.errstate(over="ignore"):
                ours = Tensor(x.astype(dt))  # (1e300: inf in float32, as torch)
            theirs = torch.round(torch.tensor(x, dtype=tdt), decimals=d).numpy()
            finite = np.isfinite(theirs)  # (where theirs overflows ours is finite: above)
            np.testing.assert_array_equal(ours.round(decimals=d).data[finite], theirs[finite])


# ------------------------------------------------------------------ new_zeros and kin
def test_new_factories_take_x_dtype_and_make_new_leaves():
    for dt in (np.float32, np.float64):
        x = leaf(X, dt)
        made = {
            "new_zeros": (x.new_zeros(2, 3), np.zeros((2, 3))),
            "new_zeros tuple": (x.new_zeros((2, 3)), np.zeros((2, 3))),
            "new_zeros size=": (x.new_zeros(size=[4]), np.zeros(4)),
            "new_ones": (x.new_ones(5), np.ones(5)),
            "new_ones 0-d": (x.new_ones(()), np.ones(())),
            "new_full": (x.new_full((2, 2), 1.5), np.full((2, 2), 1.5)),
            "new_full int size": (x.new_full(3, -2), np.full(3, -2.0)),
            "new_tensor": (x.new_tensor([[1, 2], [3, 4]]), np.array([[1.0, 2], [3, 4]])),
        }
        for name, (t, want) in made.items():
            assert isinstance(t, Tensor) and t.dtype == dt, name
            assert not t.requires_grad and t.is_leaf and t.device.type == "cpu", name
            np.testing.assert_array_equal(t.data, want, err_msg=name)


def test_new_factories_dtype_device_and_requires_grad():
    x = leaf(X, np.float32)
    t = x.new_zeros(2, dtype=gn.float64, requires_grad=True, device="cpu")
    assert t.dtype == np.float64 and t.requires_grad and t.is_leaf
    ints = x.new_full((2,), 1.5, dtype=gn.long)  # (truncated, as PyTorch's)
    assert isinstance(ints, Array) and ints.dtype == np.int64 and ints.tolist() == [1, 1]
    assert x.new_ones(3, dtype="bool").tolist() == [True] * 3
    assert x.new_tensor([0.0, 2.7], dtype=gn.int32).tolist() == [0, 2]


def test_new_tensor_copies_and_cuts_from_the_graph():
    x = leaf(X)
    src = leaf(V, np.float32)
    y = x.new_tensor(src * 2.0)
    assert y.dtype == np.float64 and not y.requires_grad and y.is_leaf
    np.testing.assert_array_equal(y.data, (V.astype(np.float32) * 2).astype(np.float64))
    values = np.arange(3.0)
    z = x.new_tensor(values)
    values[0] = 9.0
    assert z.data[0] == 0.0  # a copy, as PyTorch's
    assert x.new_tensor(x.argmax(1)).tolist() == np.argmax(X, 1).tolist()


def test_new_factories_against_torch():
    torch = pytest.importorskip("torch")
    for dt, tdt in ((np.float32, torch.float32), (np.float64, torch.float64)):
        x, tx = Tensor(X, dtype=dt), torch.tensor(X, dtype=tdt)
        pairs = [
            (x.new_zeros(2, 3), tx.new_zeros(2, 3)),
            (x.new_ones((4,)), tx.new_ones((4,))),
            (x.new_full((2,), 0.1), tx.new_full((2,), 0.1)),
            (x.new_tensor([[1, 2]]), tx.new_tensor([[1, 2]])),
            (x.new_full((2,), 2.7, dtype=gn.long), tx.new_full((2,), 2.7, dtype=torch.long)),
        ]
        for ours, theirs in pairs:
            assert tuple(ours.shape) == tuple(theirs.shape)
            assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
            np.testing.assert_array_equal(np.asarray(getattr(ours, "data", ours)), theirs.numpy())
            assert getattr(ours, "requires_grad", False) is theirs.requires_grad is False


# ------------------------------------------------------------------ long, int, bool
def test_integer_casts_give_arrays_cut_toward_zero():
    x = leaf([2.7, -2.7, 0.0, -0.0, 3.0, 1e15])
    for name, dt in (("long", np.int64), ("int", np.int32)):
        if name == "int":
            x = leaf([2.7, -2.7, 0.0, -0.0, 3.0, 2.0**31 - 1])
        out = getattr(x, name)()
        assert isinstance(out, Array) and out.dtype == dt
        assert out.tolist() == [2, -2, 0, 0, 3, int(x.data[-1])]
    b = Tensor([0.0, -0.0, 0.5, np.nan, -np.inf]).bool()
    assert isinstance(b, Array) and b.dtype == bool
    assert b.tolist() == [False, False, True, True, True]  # (NaN is not 0: True, as PyTorch's)
    assert x.long.__name__ == "long" and "not a Tensor" in x.long.__doc__


def test_integer_casts_keep_pytorch_idioms_working():
    logits = leaf(X)
    labels = Tensor([0.0, 3.0, 1.0])  # labels that became floats (a glassnet Tensor)
    loss = F.cross_entropy(logits, labels.long())
    loss.backward()
    assert np.isfinite(loss.item()) and logits.grad.shape == X.shape
    correct = (logits.argmax(1) == labels.long()).long().sum()
    assert int(correct) == int(np.sum(np.argmax(X, 1) == [0, 3, 1]))
    assert (logits.argmax(1) == labels.long()).float().mean().item() == int(correct) / 3
    picked = Tensor(X)[Tensor([2.0, 0.0]).long()]  # an index
    np.testing.assert_array_equal(picked.data, X[[2, 0]])
    assert Tensor([1.0, 2.0]).long().float().dtype == np.float32  # (back to a Tensor)
    mask = Tensor([1.0, 0.0, 2.0]).bool()
    np.testing.assert_array_equal(Tensor(W)[mask].data, W[[0, 2]])


@pytest.mark.parametrize(
    "values, name, message",
    [
        ([1.0, np.nan], "long", r"x\.long\(\): x holds nan .*int64 cannot hold.*Replace them"),
        ([np.inf], "int", r"x\.int\(\): x holds inf .*int32 cannot hold"),
        (
            [3e9],
            "int",
            r"int32 cannot hold .*x\.clamp\(-1e\+09, 1e\+09\)\.int\(\), or take x\.long",
        ),
        ([-1e19], "long", r"x holds -1e\+19 .*int64 cannot hold"),
    ],
)
def test_integer_casts_refuse_values_no_integer_holds(values, name, message):
    """Where PyTorch gives an arbitrary integer (-2**63 for NaN) in silence."""
    with pytest.raises(ValueError, match=message):
        getattr(Tensor(values, dtype=np.float64), name)()


def test_integer_casts_against_torch():
    torch = pytest.importorskip("torch")
    x = np.array([2.7, -2.7, 0.0, -0.0, 0.5, -0.5, 1e9, -1e9])
    for name in ("long", "int", "bool"):
        ours = getattr(Tensor(x, dtype=np.float64), name)()
        theirs = getattr(torch.tensor(x), name)()
        assert ours.tolist() == theirs.tolist()
        assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")


# ------------------------------------------------------------------ bad input
BAD = {  # name: (glassnet's call, torch's twin on tensors, error, message)
    "dot: matrices": (
        lambda: Tensor(X).dot(Tensor(X)),
        lambda t: t.dot(t.tensor(X), t.tensor(X)),
        ValueError,
        r"dot: input must be a 1-D vector, as PyTorch's torch\.dot\. Got shape \(3, 4\) "
        r"\(2-D\): write x @ y \(matmul\)",
    ),
    "dot: 0-d": (
        lambda: gn.dot(2.0, 3.0),
        lambda t: t.dot(t.tensor(2.0), t.tensor(3.0)),
        ValueError,
        r"dot: input must be a 1-D vector.* Got shape \(\) \(0-D\)",
    ),
    "dot: lengths": (
        lambda: Tensor(V).dot(W),
        lambda t: t.dot(t.tensor(V), t.tensor(W)),
        ValueError,
        r"dot: the vectors must have the same length, as PyTorch's\. Got 4 and 3 values",
    ),
    "mv: a vector as the matrix": (
        lambda: Tensor(V).mv(V),
        lambda t: t.mv(t.tensor(V), t.tensor(V)),
        ValueError,
        r"mv: input must be a matrix \(2-D\), as PyTorch's torch\.mv\. Got shape \(4,\)",
    ),
    "mv: a matrix as the vector": (
        lambda: gn.mv(X, X.T),
        lambda t: t.mv(t.tensor(X), t.tensor(X.T)),
        ValueError,
        r"mv: vec must be a 1-D vector, as PyTorch's torch\.mv\. Got shape \(4, 3\)",
    ),
    "mv: wrong length": (
        lambda: gn.mv(X, W),
        lambda t: t.mv(t.tensor(X), t.tensor(W)),
        ValueError,
        r"mv: vec must have one value per column of input \(4, input of shape \(3, 4\)\)\. "
        r"Got 3 values",
    ),
    "outer: a matrix": (
        lambda: gn.outer(X, V),
        lambda t: t.outer(t.tensor(X), t.tensor(V)),
        ValueError,
        r"outer: input must be a 1-D vector.*Got shape \(3, 4\).*x\[:, None\] \* y\[None, :\]",
    ),
    "outer: 0-d vec2": (
        lambda: Tensor(V).outer(2.0),
        lambda t: t.outer(t.tensor(V), t.tensor(2.0)),
        ValueError,
        r"outer: vec2 must be a 1-D vector.*Got shape \(\)",
    ),
    "round: positional decimals": (
        lambda: Tensor(X).round(2),
        lambda t: t.tensor(X).round(2),
        TypeError,
        r"round\(\): decimals is keyword-only, as in PyTorch\. Got x\.round\(2\): write "
        r"x\.round\(decimals=2\)",
    ),
    "round: float decimals": (
        lambda: gn.round(X, decimals=1.5),
        lambda t: t.round(t.tensor(X), decimals=1.5),
        TypeError,
        r"round\(\): decimals must be an int .*Got 1\.5",
    ),
    "new_zeros: no size": (
        lambda: Tensor(X).new_zeros(),
        lambda t: t.tensor(X).new_zeros(),
        TypeError,
        r"new_zeros\(\) needs a size, as PyTorch's: x\.new_zeros\(2, 3\)",
    ),
    "new_ones: negative": (
        lambda: Tensor(X).new_ones(2, -1),
        lambda t: t.tensor(X).new_ones(2, -1),
        ValueError,
        r"new_ones: the size must be whole numbers >= 0.*Got \(2, -1\)",
    ),
    "new_zeros: a float size": (
        lambda: Tensor(X).new_zeros(2.0),
        lambda t: t.tensor(X).new_zeros(2.0),
        ValueError,
        r"new_zeros: the size must be whole numbers >= 0",
    ),
    "new_full: a list value": (
        lambda: Tensor(X).new_full((2,), [1.0, 2.0]),
        lambda t: t.tensor(X).new_full((2,), [1.0, 2.0]),
        TypeError,
        r"new_full: fill_value must be a number, as PyTorch's\. Got \[1\.0, 2\.0\]; .*new_tensor",
    ),
    "new_zeros: an integer tensor that requires grad": (
        lambda: Tensor(X).new_zeros(2, dtype=gn.long, requires_grad=True),
        lambda t: t.tensor(X).new_zeros(2, dtype=t.long, requires_grad=True),
        RuntimeError,
        r"new_zeros: only Tensors of floating point dtype can require gradients",
    ),
    "new_zeros: a half dtype": (
        lambda: Tensor(X).new_zeros(2, dtype="float16", requires_grad=True),
        None,  # (PyTorch has float16; glassnet's Tensors hold float32 and float64)
        ValueError,
        r"new_zeros: dtype must be float32 or float64 \(a Tensor; x's own, float64, when left "
        r"out\), or an integer or bool dtype",
    ),
    "new_tensor: ragged": (
        lambda: Tensor(X).new_tensor([[1.0], [2.0, 3.0]]),
        lambda t: t.tensor(X).new_tensor([[1.0], [2.0, 3.0]]),
        ValueError,
        r"new_tensor: data must be numbers, nested lists of one length per axis",
    ),
    "new_tensor: strings": (
        lambda: Tensor(X).new_tensor(["a"]),
        lambda t: t.tensor(X).new_tensor(["a"]),
        TypeError,
        r"new_tensor: data must hold numbers \(or bools\)\. Got \['a'\]",
    ),
    "new_tensor: float32 rounds 2**24 + 1": (
        lambda: Tensor(X, dtype=np.float32).new_tensor([2**24 + 1]),
        None,  # (PyTorch rounds it to 2**24 in silence)
        ValueError,
        r"new_tensor: the whole number 16777217 is not exact in float32",
    ),
}


@pytest.mark.parametrize("key", list(BAD))
def test_bad_input_is_refused_with_a_clear_message(key):
    call, _, error, message = BAD[key]
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize("key", [k for k, v in BAD.items() if v[1] is not None])
def test_pytorch_refuses_the_same_bad_input(key):
    """Each refusal above is a case PyTorch 2.13 refuses too (its types differ: RuntimeError
    where glassnet's is a ValueError)."""
    torch = pytest.importorskip("torch")
    _, twin, _, _ = BAD[key]
    with pytest.raises((RuntimeError, TypeError, ValueError, IndexError)):
        twin(torch)


def test_torch_takes_the_two_glassnet_refuses_of_its_own():
    """The refusals without a twin: PyTorch has float16, and rounds 2**24 + 1 in float32."""
    torch = pytest.importorskip("torch")
    assert torch.tensor(X).new_zeros(2, dtype=torch.float16).dtype == torch.float16
    assert torch.tensor(X, dtype=torch.float32).new_tensor([2**24 + 1]).item() == 2**24


# ------------------------------------------------------------------ no_grad, dtype
OPS = {  # name: the op on float tensors of X and V
    "sin": lambda x, v: x.sin(),
    "cos": lambda x, v: gn.cos(x),
    "dot": lambda x, v: v.dot(v),
    "mv": lambda x, v: x.mv(v),
    "outer": lambda x, v: gn.outer(v, v),
    "round": lambda x, v: x.round(),
    "round decimals": lambda x, v: x.round(decimals=1),
    "floor": lambda x, v: x.floor(),
    "ceil": lambda x, v: gn.ceil(x),
    "sign": lambda x, v: x.sign(),
}


@pytest.mark.parametrize("name", list(OPS))
def test_no_graph_under_no_grad(name):
    x, v = leaf(X), leaf(V)
    with gn.no_grad():
        out = OPS[name](x, v)
    assert not out.requires_grad and out.parents == () and out.backward_fn is None
    out = OPS[name](x, v)  # and a graph outside it
    assert out.requires_grad and out.parents


@pytest.mark.parametrize("name", list(OPS))
def test_float32_stays_float32(name):
    x, v = leaf(X, np.float32), leaf(V, np.float32)
    out = OPS[name](x, v)
    assert out.dtype == np.float32
    out.sum().backward()
    for t in (x, v):
        assert t.grad is None or (t.grad.dtype == np.float32 and t.grad.shape == t.shape)
    assert OPS[name](leaf(X), leaf(V)).dtype == np.float64


def test_the_function_forms_are_pytorchs_names():
    for name in ("sin", "cos", "dot", "mv", "outer", "round", "floor", "ceil", "sign"):
        fn = getattr(gn, name)
        assert callable(fn) and fn.__name__ == name
    assert gn.sin([0.0, 1.0]).dtype == np.float32  # (a list made a Tensor: the dtype rule)
    assert gn.round(np.array([1.25]), decimals=1).item() == 1.2
