"""Tests for glassnet.tensor: every op against NumPy and finite differences, the
backward pass, the dtype rule, the lecture's 2-2-1 network, and bad input.

The table ``OPS`` drives the generic tests (as tinygrad's ``test_ops`` and PyTorch's
OpInfo do): each entry is a glassnet function, its NumPy reference and a hypothesis
strategy that draws input shapes (broadcasting included) and keyword arguments.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import glassnet as gn
from glassnet import functional as F
from glassnet.tensor import AnomalyError, Tensor, unbroadcast

FAST = settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

Shapes = tuple[tuple[int, ...], ...]


# --------------------------------------------------------------------------- strategies
def _shape(min_dims: int = 0, max_dims: int = 3) -> st.SearchStrategy[tuple[int, ...]]:
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=3)


def _unary(min_dims: int = 0) -> st.SearchStrategy[tuple[Shapes, dict[str, Any]]]:
    return _shape(min_dims).map(lambda s: ((s,), {}))


def _broadcast(n: int = 2) -> st.SearchStrategy[tuple[Shapes, dict[str, Any]]]:
    return hnp.mutually_broadcastable_shapes(num_shapes=n, max_dims=3, min_side=1, max_side=3).map(
        lambda b: (tuple(b.input_shapes), {})
    )


@st.composite
def _reduction(draw: Any) -> tuple[Shapes, dict[str, Any]]:
    shape = draw(_shape(min_dims=1))
    nd = len(shape)
    axis = draw(
        st.one_of(st.none(), st.integers(-nd, nd - 1), hnp.valid_tuple_axes(nd, min_size=1))
    )
    return (shape,), {"axis": axis, "keepdims": draw(st.booleans())}


@st.composite
def _matmul(draw: Any) -> tuple[Shapes, dict[str, Any]]:
    n, k, m = (draw(st.integers(1, 3)) for _ in range(3))
    batch = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=2, max_side=2))
    a = (k,) if draw(st.booleans()) else batch.input_shapes[0] + (n, k)
    b = (k,) if draw(st.booleans()) else batch.input_shapes[1] + (k, m)
    return (a, b), {}


@st.composite
def _transpose(draw: Any) -> tuple[Shapes, dict[str, Any]]:
    shape = draw(_shape())
    return (shape,), {"perm": tuple(draw(st.permutations(range(len(shape)))))}


@st.composite
def _swap(draw: Any) -> tuple[Shapes, dict[str, Any]]:
    shape = draw(_shape(min_dims=1))
    d0, d1 = (draw(st.integers(-len(shape), len(shape) - 1)) for _ in range(2))
    return (shape,), {"d0": d0, "d1": d1}


@st.composite
def _reshape(draw: Any) -> tuple[Shapes, dict[str, Any]]:
    shape = draw(_shape())
    new = list(draw(st.permutations(shape))) + [1] * draw(st.integers(0, 1))
    if new and draw(st.booleans()):
        new[draw(st.integers(0, len(new) - 1))] = -1
    return (shape,), {"new": tuple(new)}


@st.composite
def _concatenate(draw: Any) -> tuple[Shapes, dict[str, Any]]:
    base = list(draw(_shape(min_dims=1)))
    axis = draw(st.integers(-len(base), len(base) - 1))
    shapes = []
    for _ in range(draw(st.integers(1, 3))):
        base[axis] = draw(st.integers(1, 3))
        shapes.append(tuple(base))
    return tuple(shapes), {"axis": axis}


@st.composite
def _stack(draw: Any) -> tuple[Shapes, dict[str, Any]]:
    shape = draw(_shape())
    axis = draw(st.integers(-len(shape) - 1, len(shape)))
    return (shape,) * draw(st.integers(1, 3)), {"axis": axis}


@st.composite
def _where(draw: Any) -> tuple[Shapes, dict[str, Any]]:
    b = draw(hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=3))
    cond = draw(hnp.arrays(np.bool_, b.input_shapes[0]))
    return tuple(b.input_shapes[1:]), {"cond": cond}


@st.composite
def _clip(draw: Any) -> tuple[Shapes, dict[str, Any]]:
    low, high = draw(st.sampled_from([(-0.5, 0.5), (None, 0.3), (-0.2, None)]))
    return (draw(_shape()),), {"low": low, "high": high}


@st.composite
def _torch_reduction(draw: Any) -> tuple[Shapes, dict[str, Any]]:
    """PyTorch's spelling: dim (an int, a tuple or a list of ints) and keepdim."""
    (shape,), kw = draw(_reduction())
    dim = list(kw["axis"]) if isinstance(kw["axis"], tuple) and draw(st.booleans()) else kw["axis"]
    return (shape,), {"dim": dim, "keepdim": kw["keepdims"]}


@st.composite
def _with_dim(draw: Any, extra: int = 0) -> tuple[Shapes, dict[str, Any]]:
    """A shape and a valid ``dim`` for it (``extra`` more positions, for unsqueeze)."""
    shape = draw(_shape(min_dims=1 - extra))
    nd = len(shape) + extra
    return (shape,), {"dim": draw(st.integers(-nd, nd - 1))}


@st.composite
def _squeeze(draw: Any) -> tuple[Shapes, dict[str, Any]]:
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=2))
    nd = len(shape)
    dim = draw(st.one_of(st.none(), st.integers(-nd, nd - 1), hnp.valid_tuple_axes(nd)))
    return (shape,), {"dim": dim}


@st.composite
def _flatten(draw: Any) -> tuple[Shapes, dict[str, Any]]:
    shape = draw(_shape(min_dims=1, max_dims=4))
    nd = len(shape)
    start = draw(st.integers(0, nd - 1))
    end = draw(st.integers(start, nd - 1)) - draw(
        st.sampled_from([0, nd])
    )  # or counted from the end
    return (shape,), {"start_dim": start, "end_dim": end}


def np_flatten(a: np.ndarray, start_dim: int, end_dim: int) -> np.ndarray:
    end = end_dim % a.ndim + 1
    return a.reshape(a.shape[:start_dim] + (-1,) + a.shape[end:])


def np_squeeze(a: np.ndarray, dim: Any) -> np.ndarray:
    """PyTorch's squeeze: only the axes of length 1 among ``dim`` go (others are kept)."""
    dims = range(a.ndim) if dim is None else np.atleast_1d(dim) % a.ndim
    return a.squeeze(tuple(d for d in dims if a.shape[d] == 1))


def _torch_style(method: str) -> Callable[..., Tensor]:
    return lambda t, dim, keepdim: getattr(t, method)(dim=dim, keepdim=keepdim)


def _numpy_style(fn: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
    return lambda a, dim, keepdim: fn(
        a, axis=tuple(np.atleast_1d(dim)) if dim is not None else None, keepdims=keepdim
    )


def np_softmax(a: np.ndarray, dim: int) -> np.ndarray:
    e = np.exp(a - a.max(axis=dim, keepdims=True))
    return e / e.sum(axis=dim, keepdims=True)


# --------------------------------------------------------------------------- the op table
@dataclass(frozen=True)
class Op:
    """One differentiable op: glassnet ``fn`` and NumPy ``ref`` take the same arguments."""

    name: str
    fn: Callable[..., Tensor]
    ref: Callable[..., np.ndarray]
    case: st.SearchStrategy[tuple[Shapes, dict[str, Any]]]
    domain: tuple[str, ...] = ("real",)  # per input: "real" or "positive" (the last repeats)

    def __repr__(self) -> str:
        return self.name


def _values(rng: np.random.Generator, shapes: Shapes, domain: tuple[str, ...]) -> list[np.ndarray]:
    out = []
    for i, s in enumerate(shapes):
        kind = domain[min(i, len(domain) - 1)]
        out.append(rng.uniform(0.5, 2.0, s) if kind == "positive" else rng.standard_normal(s))
    return out


P = ("positive",)
OPS = [
    # binary, broadcasting
    Op("add", lambda a, b: a + b, np.add, _broadcast()),
    Op("sub", lambda a, b: a - b, np.subtract, _broadcast()),
    Op("mul", lambda a, b: a * b, np.multiply, _broadcast()),
    Op("div", lambda a, b: a / b, np.divide, _broadcast(), P),
    Op("pow_tensor", lambda a, b: a**b, np.power, _broadcast(), ("positive", "real")),
    Op("maximum", gn.maximum, np.maximum, _broadcast()),
    Op("minimum", gn.minimum, np.minimum, _broadcast()),
    Op("matmul", lambda a, b: a @ b, np.matmul, _matmul()),
    Op(
        "where",
        lambda a, b, cond: gn.where(cond, a, b),
        lambda a, b, cond: np.where(cond, a, b),
        _where(),
    ),
    # with a Python number, on either side
    Op("add_scalar", lambda a: a + 2.5, lambda a: a + 2.5, _unary()),
    Op("radd_scalar", lambda a: 2.5 + a, lambda a: 2.5 + a, _unary()),
    Op("sub_scalar", lambda a: a - 1.5, lambda a: a - 1.5, _unary()),
    Op("rsub_scalar", lambda a: 1.5 - a, lambda a: 1.5 - a, _unary()),
    Op("mul_scalar", lambda a: a * -2.0, lambda a: a * -2.0, _unary()),
    Op("rmul_scalar", lambda a: 3 * a, lambda a: 3 * a, _unary()),
    Op("div_scalar", lambda a: a / 4.0, lambda a: a / 4.0, _unary()),
    Op("rdiv_scalar", lambda a: 3.0 / a, lambda a: 3.0 / a, _unary(), P),
    Op("pow_int", lambda a: a**2, lambda a: a**2, _unary()),
    Op("pow_cube", lambda a: a**3, lambda a: a**3, _unary()),
    Op("pow_float", lambda a: a**2.5, lambda a: a**2.5, _unary(), P),
    Op("pow_negative", lambda a: a**-1.5, lambda a: a**-1.5, _unary(), P),
    Op("rpow_scalar", lambda a: 2.0**a, lambda a: 2.0**a, _unary()),
    Op("neg", lambda a: -a, np.negative, _unary()),
    # elementwise
    Op("exp", Tensor.exp, np.exp, _unary()),
    Op("log", Tensor.log, np.log, _unary(), P),
    Op("sqrt", Tensor.sqrt, np.sqrt, _unary(), P),
    Op("abs", Tensor.abs, np.abs, _unary()),
    Op(
        "clip",
        lambda a, low, high: a.clip(low, high),
        lambda a, low, high: np.clip(a, low, high),
        _clip(),
    ),
    Op("astype", lambda a: a.astype(np.float64), lambda a: a, _unary()),
    # reductions
    Op("sum", lambda a, axis, keepdims: a.sum(axis=axis, keepdims=keepdims), np.sum, _reduction()),
    Op(
        "mean",
        lambda a, axis, keepdims: a.mean(axis=axis, keepdims=keepdims),
        np.mean,
        _reduction(),
    ),
    Op("max", lambda a, axis, keepdims: a.max(axis=axis, keepdims=keepdims), np.max, _reduction()),
    Op("min", lambda a, axis, keepdims: a.min(axis=axis, keepdims=keepdims), np.min, _reduction()),
    Op("sum_all", lambda a: a.sum(), np.sum, _unary()),
    Op("mean_all", lambda a: a.mean(), np.mean, _unary()),
    # PyTorch's spellings: activation methods, dim/keepdim, view, unsqueeze, squeeze, flatten
    Op("relu_method", Tensor.relu, lambda a: np.maximum(a, 0.0), _unary()),
    Op("tanh_method", Tensor.tanh, np.tanh, _unary()),
    Op("sigmoid_method", Tensor.sigmoid, lambda a: 1 / (1 + np.exp(-a)), _unary()),
    Op("softmax_dim", lambda a, dim: a.softmax(dim=dim), np_softmax, _with_dim()),
    Op("softmax_positional", lambda a, dim: a.softmax(dim), np_softmax, _with_dim()),
    Op(
        "log_softmax_dim",
        lambda a, dim: a.log_softmax(dim=dim),
        lambda a, dim: np.log(np_softmax(a, dim)),
        _with_dim(),
    ),
    Op("sum_dim", _torch_style("sum"), _numpy_style(np.sum), _torch_reduction()),
    Op("mean_dim", _torch_style("mean"), _numpy_style(np.mean), _torch_reduction()),
    Op(
        "sum_positional_dim", lambda a: a.sum(0, True), lambda a: a.sum(0, keepdims=True), _unary(1)
    ),
    Op("view", lambda a, new: a.view(new), lambda a, new: a.reshape(new), _reshape()),
    Op("view_varargs", lambda a: a.view(-1, 1), lambda a: a.reshape(-1, 1), _unary()),
    Op("unsqueeze", Tensor.unsqueeze, lambda a, dim: np.expand_dims(a, dim), _with_dim(extra=1)),
    Op("squeeze", lambda a, dim: a.squeeze(dim), np_squeeze, _squeeze()),
    Op("flatten", lambda a: a.flatten(), np.ravel, _unary()),
    Op("flatten_dims", Tensor.flatten, np_flatten, _flatten()),
    # shape
    Op("reshape", lambda a, new: a.reshape(new), lambda a, new: a.reshape(new), _reshape()),
    Op("reshape_varargs", lambda a: a.reshape(-1, 1), lambda a: a.reshape(-1, 1), _unary()),
    Op(
        "permute",
        lambda a, perm: a.permute(*perm),
        lambda a, perm: np.transpose(a, perm),
        _transpose(),
    ),
    Op(  # PyTorch's transpose(d0, d1): swap two axes
        "transpose",
        lambda a, d0, d1: a.transpose(d0, d1),
        lambda a, d0, d1: np.swapaxes(a, d0, d1),
        _swap(),
    ),
    Op("T", lambda a: a.T, lambda a: a.T, _unary()),
    Op(
        "concatenate",
        lambda *ts, axis: gn.concatenate(ts, axis=axis),
        lambda *arrs, axis: np.concatenate(arrs, axis=axis),
        _concatenate(),
    ),
    Op(
        "stack",
        lambda *ts, axis: gn.stack(ts, axis=axis),
        lambda *arrs, axis: np.stack(arrs, axis=axis),
        _stack(),
    ),
]


@pytest.mark.parametrize("op", OPS, ids=repr)
@FAST
@given(data=st.data())
def test_op_forward_matches_numpy_and_gradients_match_finite_differences(op: Op, data: Any):
    shapes, kw = data.draw(op.case, label="shapes, kwargs")
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))
    arrays = _values(rng, shapes, op.domain)
    expected = np.asarray(op.ref(*arrays, **kw))
    out = op.fn(*[Tensor(a, dtype=np.float64) for a in arrays], **kw)
    assert out.dtype == np.float64
    assert out.shape == expected.shape
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-12)
    report = gn.gradcheck(lambda *ts: op.fn(*ts, **kw), *arrays)
    assert report.ok and len(report.rows) == len(arrays)


@pytest.mark.parametrize("op", OPS, ids=repr)
@settings(FAST, max_examples=5)
@given(data=st.data())
def test_op_keeps_float32(op: Op, data: Any):
    shapes, kw = data.draw(op.case, label="shapes, kwargs")
    rng = np.random.default_rng(0)
    ts = [Tensor(a.astype(np.float32), requires_grad=True) for a in _values(rng, shapes, op.domain)]
    out = op.fn(*ts, **kw) if op.name != "astype" else ts[0].astype(np.float32)
    assert out.dtype == np.float32
    out.sum().backward()
    for t in ts:
        assert t.grad is not None and t.grad.dtype == np.float32 and t.grad.shape == t.shape


# ---------------------------------------------------------------- ops needing fixed cases
INDEXES = [
    1,
    -1,
    slice(None),
    slice(1, None),
    slice(None, None, -1),
    (slice(None), 2),
    (1, slice(0, 3, 2)),
    (Ellipsis, 0),
    (None, 1),
    np.array([0, 2, 2, 0]),
    [2, 2, 2],
    (np.array([0, 0, 1]), np.array([1, 1, 3])),
    (slice(None), [3, 0, 3]),
    np.array([[True, False, True, True], [False] * 4, [True] * 4]),
    np.array([True, False, True]),
]


@pytest.mark.parametrize("index", INDEXES, ids=[repr(i).replace("\n", "") for i in INDEXES])
def test_indexing_forward_and_gradient(index: Any):
    a = np.random.default_rng(1).standard_normal((3, 4))
    out = Tensor(a)[index]
    np.testing.assert_array_equal(out.data, a[index])
    gn.gradcheck(lambda t: t[index], a)


def test_repeated_indices_accumulate():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[[0, 0, 2, 0]].sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 0.0, 1.0])
    y = Tensor(np.zeros((2, 3)), requires_grad=True)
    (y[[1, 1], [2, 2]] * Tensor([5.0, 7.0])).sum().backward()
    np.testing.assert_array_equal(y.grad, [[0, 0, 0], [0, 0, 12.0]])


def test_index_by_tensor():
    x = Tensor(np.arange(5.0), requires_grad=True)
    x[Tensor([1, 3])].sum().backward()
    np.testing.assert_array_equal(x.grad, [0, 1, 0, 1, 0])
    with pytest.raises(IndexError, match="whole numbers"):
        x[Tensor([0.5])]


@pytest.mark.parametrize(
    "shapes",
    [
        ((2, 3), (3, 4)),
        ((3,), (3,)),
        ((3,), (3, 2)),
        ((2, 3), (3,)),
        ((4, 2, 3), (3, 2)),
        ((2, 3), (5, 3, 2)),
        ((2, 1, 2, 3), (4, 3, 1)),
        ((3,), (2, 3, 4)),
        ((2, 2, 3), (3,)),
    ],
)
def test_matmul_cases(shapes: Shapes):
    rng = np.random.default_rng(2)
    a, b = (rng.standard_normal(s) for s in shapes)
    np.testing.assert_allclose((Tensor(a) @ Tensor(b)).data, a @ b)
    gn.gradcheck(lambda x, y: x @ y, a, b)


def test_matmul_with_ndarray_on_either_side():
    a = np.arange(6.0).reshape(2, 3)
    w = Tensor(np.ones((3, 2)), requires_grad=True)
    out = a @ w  # ndarray @ Tensor dispatches to Tensor.__rmatmul__
    assert isinstance(out, Tensor)
    out.sum().backward()
    np.testing.assert_allclose(w.grad, a.T @ np.ones((2, 2)))
    assert isinstance(w @ np.ones(2), Tensor)


def test_max_ties_share_the_gradient():
    x = Tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]], requires_grad=True)
    x.max(axis=1).sum().backward()
    np.testing.assert_allclose(x.grad, [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]])
    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([1.0, 1.0], requires_grad=True)
    gn.maximum(a, b).sum().backward()
    np.testing.assert_allclose(a.grad, [0.5, 1.0])
    np.testing.assert_allclose(b.grad, [0.5, 0.0])


def test_min_and_minimum_are_their_own_ops_and_share_ties():
    x = Tensor([[1.0, 1.0, 3.0]], requires_grad=True)
    y = x.min(axis=1)
    assert y.op == "min" and y.parents == (x,)
    y.sum().backward()
    np.testing.assert_allclose(x.grad, [[0.5, 0.5, 0.0]])
    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([1.0, 1.0], requires_grad=True)
    gn.minimum(a, b).sum().backward()
    np.testing.assert_allclose(a.grad, [0.5, 0.0])
    np.testing.assert_allclose(b.grad, [0.5, 1.0])


def test_a_constant_operand_is_no_parent_and_keeps_the_tensor_dtype():
    x = Tensor(np.array([1.0, 2.0], dtype=np.float32), requires_grad=True)
    for y in (x + 1.0, x - 1, x * 2.0, x / 2.0, x**2.0):
        assert y.parents == (x,) and y.dtype == np.float32
    (x**2.0 / 2.0 - 1.0).sum().backward()
    np.testing.assert_allclose(x.grad, [1.0, 2.0])


def test_matmul_computes_no_gradient_for_a_constant_operand():
    w = Tensor(np.ones((2, 3)), requires_grad=True)
    y = np.ones((4, 2)) @ w
    ga, gb = y.backward_fn(np.ones((4, 3)))
    assert ga is None and gb.shape == (2, 3)


def test_reshape_and_transpose_take_ints_or_one_tuple():
    x = Tensor(np.arange(6.0))
    assert x.reshape(2, 3).shape == x.reshape((2, 3)).shape == x.reshape([2, 3]).shape == (2, 3)
    m = Tensor(np.ones((2, 3, 4)))
    assert m.transpose(2, 0, 1).shape == m.transpose((2, 0, 1)).shape == (4, 2, 3)
    assert m.transpose().shape == (4, 3, 2)


def test_maximum_with_a_python_number_is_relu():
    x = Tensor([-1.0, 2.0], requires_grad=True)
    y = gn.maximum(x, 0.0)
    np.testing.assert_array_equal(y.data, [0.0, 2.0])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 1.0])


def test_clip_gradient_passes_only_inside():
    x = Tensor([-2.0, 0.0, 2.0], requires_grad=True)
    x.clip(-1.0, 1.0).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 1.0, 0.0])


def test_abs_gradient_is_zero_at_zero():
    x = Tensor([-2.0, 0.0, 3.0], requires_grad=True)
    x.abs().sum().backward()
    np.testing.assert_array_equal(x.grad, [-1.0, 0.0, 1.0])


def test_astype_casts_value_and_gradient():
    x = Tensor(np.array([1.5, 2.5], dtype=np.float32), requires_grad=True)
    y = x.astype(np.float64)
    assert y.dtype == np.float64 and y.op == "astype"
    (y * y).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad, [3.0, 5.0])


def test_unbroadcast_sums_broadcast_axes():
    g = np.ones((4, 2, 3))
    np.testing.assert_array_equal(unbroadcast(g, (2, 1)), np.full((2, 1), 12.0))
    np.testing.assert_array_equal(unbroadcast(g, (3,)), np.full(3, 8.0))
    np.testing.assert_array_equal(unbroadcast(g, ()), 24.0)
    assert unbroadcast(g, (4, 2, 3)) is g


# --------------------------------------------------------------------------- backward
def test_backward_from_a_scalar_seeds_one():
    x = Tensor([2.0, 3.0], requires_grad=True)
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad, [4.0, 6.0])
    s = Tensor(5.0, requires_grad=True)
    s.backward()
    assert s.grad == 1.0


def test_backward_with_an_explicit_upstream_gradient():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 3.0
    y.backward(np.array([1.0, -1.0, 0.5]))
    np.testing.assert_allclose(x.grad, [3.0, -3.0, 1.5])
    x2 = Tensor(np.ones((2, 2)), requires_grad=True)
    (x2 * 2.0).backward(Tensor(np.full((2, 2), 0.25)))
    np.testing.assert_allclose(x2.grad, np.full((2, 2), 0.5))


def test_node_used_twice_gets_both_paths():
    x = Tensor(1.5, requires_grad=True, dtype=np.float64)
    c = x.exp()
    (c * c + c).backward()  # d/dx (e^2x + e^x) = 2 e^2x + e^x
    assert x.grad == pytest.approx(2 * np.exp(3.0) + np.exp(1.5))
    y = Tensor([2.0], requires_grad=True)
    (y * y * y).sum().backward()
    np.testing.assert_allclose(y.grad, [12.0])


def test_gradients_accumulate_across_backward_calls_until_zero_grad():
    x = Tensor([1.0, 2.0], requires_grad=True)
    buffer = None
    for k in range(1, 4):
        (x * x).sum().backward()
        np.testing.assert_allclose(x.grad, k * 2 * x.data)
        buffer = x.grad if buffer is None else buffer
        assert x.grad is buffer  # accumulated in place
    x.zero_grad()
    assert x.grad is buffer
    np.testing.assert_array_equal(x.grad, [0.0, 0.0])
    Tensor([1.0]).zero_grad()  # no gradient yet: nothing to do


def test_zero_dimensional_results_and_gradients_are_arrays():
    x = Tensor(5.0, requires_grad=True)
    y = x * x + 1.0
    assert isinstance(y.data, np.ndarray) and isinstance(x.exp().numpy(), np.ndarray)
    y.backward()
    assert isinstance(x.grad, np.ndarray) and x.grad == 10.0
    x.zero_grad()  # must reset a 0-d gradient in place too
    assert x.grad == 0.0
    y.backward()
    assert x.grad == 10.0


def test_backward_of_a_graph_twice_gives_the_same_gradient():
    x = Tensor([1.0, -2.0], requires_grad=True)
    loss = (x.exp() * x).sum()
    loss.backward()
    first = x.grad.copy()
    x.zero_grad()
    loss.backward()
    np.testing.assert_allclose(x.grad, first)


def test_ten_thousand_node_chain_has_no_recursion_error():
    x = Tensor(1.0, requires_grad=True, dtype=np.float64)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    y.backward()
    assert x.grad == pytest.approx(1.0001**10_000, rel=1e-9)
    z = x
    for _ in range(10_000):
        z = z + x  # x feeds every node: 10,001 paths
    z.backward()
    assert x.grad == pytest.approx(1.0001**10_000 + 10_001, rel=1e-9)


def test_requires_grad_propagates():
    a, b = Tensor([1.0]), Tensor([2.0], requires_grad=True)
    assert not (a + a).requires_grad
    assert (a + b).requires_grad and (b * 2).requires_grad and (3 - b).requires_grad
    c = a * 5
    assert c.parents == () and not c.requires_grad
    with pytest.raises(RuntimeError, match="does not require grad"):
        c.sum().backward()


def test_no_grad_records_nothing_and_enable_grad_restores():
    w = Tensor([1.0], requires_grad=True)
    assert gn.is_grad_enabled()
    with gn.no_grad():
        assert not gn.is_grad_enabled()
        y = w * 2
        with gn.enable_grad():
            z = w * 2
        assert not gn.is_grad_enabled()
    assert gn.is_grad_enabled()
    assert not y.requires_grad and y.parents == ()
    assert z.requires_grad and z.parents == (w,)
    with pytest.raises(ValueError), gn.no_grad():
        raise ValueError("inside")
    assert gn.is_grad_enabled()  # restored after an exception


def test_no_grad_and_detect_anomaly_are_per_thread():
    # as PyTorch's grad mode: a no_grad() block in another thread (a server predicting while
    # this thread trains) must not stop this thread's graph from being recorded
    inside, leave = threading.Event(), threading.Event()

    def other() -> None:
        with gn.no_grad(), gn.detect_anomaly():
            inside.set()
            leave.wait(10)

    thread = threading.Thread(target=other)
    thread.start()
    try:
        assert inside.wait(10)
        assert gn.is_grad_enabled()
        x = Tensor([1.0, 2.0], dtype=np.float64, requires_grad=True)
        y = (x * x).sum()
        with np.errstate(divide="ignore"):
            Tensor([0.0]).log()  # no AnomalyError: detect_anomaly is the other thread's
        with gn.no_grad():  # and this thread's no_grad leaves the other's mode alone
            assert not gn.is_grad_enabled()
        assert y.requires_grad
    finally:
        leave.set()
        thread.join()
    y.backward()
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])


def test_detach_cuts_the_graph_and_shares_values():
    x = Tensor([3.0, 4.0], requires_grad=True, label="x")
    d = x.detach()
    assert not d.requires_grad and d.parents == () and d.label == "x"
    assert np.shares_memory(d.data, x.data)
    (x * d).sum().backward()  # only the non-detached path counts
    np.testing.assert_array_equal(x.grad, [3.0, 4.0])


def test_a_tensor_made_from_a_tensor_shares_its_values_and_their_clock():
    """Tensor(t) keeps t's array (as t.detach() does): an in-place write through either is a
    write for the graphs that used the other, which then refuse backward (the gradient of
    the old values was silently computed from the new ones)."""
    t = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    loss = (t * t).sum()
    u = Tensor(t)
    assert np.shares_memory(u.data, t.data) and not u.requires_grad
    with gn.no_grad():
        u += 10.0
    np.testing.assert_array_equal(t.data, [11.0, 12.0, 13.0])
    with pytest.raises(RuntimeError, match="changed in place"):
        loss.backward()
    v = Tensor(t, requires_grad=True)  # and the other way round
    loss = (v * v).sum()
    with gn.no_grad():
        t -= 1.0
    with pytest.raises(RuntimeError, match="changed in place"):
        loss.backward()
    w = Tensor(t, dtype=np.float64)  # (t is float32) another dtype: a copy, a clock of its own
    loss = (t * 2.0).sum()
    with gn.no_grad():
        w += 1.0
    loss.backward()
    np.testing.assert_array_equal(t.grad, [2.0, 2.0, 2.0])


def test_numpy_and_item():
    data = np.array([1.0, 2.0])
    t = Tensor(data)
    assert t.numpy() is data  # float64 array kept as is, not copied
    assert Tensor([[2.5]]).item() == 2.5 and isinstance(Tensor(1).item(), float)
    with pytest.raises(ValueError, match=r"\(2,\)"):
        t.item()


def test_labels_op_names_and_parents_are_recorded():
    a = Tensor(2.0, requires_grad=True, label="a")
    b = Tensor(3.0, requires_grad=True).named("b")
    z = (a * b).named("z")
    assert (a.label, b.label, z.label) == ("a", "b", "z")
    assert z.op == "mul" and z.parents == (a, b)
    assert a.op == "" and a.parents == ()
    y = (z + a).exp()
    assert y.op == "exp" and y.parents[0].op == "add" and y.parents[0].parents == (z, a)
    for expr, name in [
        (a - b, "sub"),
        (a / b, "div"),
        (a**b, "pow"),
        (-a, "neg"),
        (a.reshape(1), "reshape"),
        (a.sum(), "sum"),
        (a.log(), "log"),
        (gn.stack([a, b]), "stack"),
        (F.sigmoid(a), "sigmoid"),
    ]:
        assert expr.op == name
    assert "label='z'" in repr(z) and "op='mul'" in repr(z) and "requires_grad=True" in repr(z)
    assert repr(Tensor([1.0])) == "Tensor([1.], dtype=float32)"


def test_retain_grad_keeps_intermediate_gradients():
    x = Tensor([1.0, 2.0], requires_grad=True)
    h = x * 3.0
    k = (h * h).retain_grad()
    k.sum().backward()
    assert h.grad is None  # intermediates do not keep gradients by default
    np.testing.assert_array_equal(k.grad, [1.0, 1.0])
    np.testing.assert_array_equal(x.grad, 18.0 * x.data)


def test_shape_accessors_and_len():
    t = Tensor(np.zeros((2, 3)))
    assert (t.shape, t.ndim, t.size, len(t)) == ((2, 3), 2, 6, 2)


# --------------------------------------------------------------------------- dtype rule
@pytest.mark.parametrize(
    "value",
    [
        1,
        2.5,
        True,
        [1, 2],
        [[1.0, 2.0]],
        np.arange(3),
        np.array([True, False]),
        np.array([1, 2], dtype=np.uint8),
        np.array([1.0], dtype=np.float16),
    ],
)
def test_non_float_inputs_become_float32(value: Any):
    t = Tensor(value)
    assert t.dtype == np.float32
    np.testing.assert_array_equal(t.data, np.asarray(value, dtype=np.float32))


def test_float64_stays_float64_and_float32_stays_float32():
    assert Tensor(np.ones(2)).dtype == np.float64
    assert Tensor(np.float64(2.0)).dtype == np.float64
    assert Tensor(np.ones(2, dtype=np.float32)).dtype == np.float32
    assert Tensor([1, 2], dtype=np.float64).dtype == np.float64


@pytest.mark.parametrize(
    "combine",
    [
        lambda a, b: a + b,
        lambda a, b: a - b,
        lambda a, b: a * b,
        lambda a, b: a / b,
        lambda a, b: a**b,
        lambda a, b: a @ b,
        lambda a, b: gn.maximum(a, b),
        lambda a, b: gn.concatenate([a, b]),
        lambda a, b: gn.where([True, False], a, b),
        lambda a, b: a.data + b,
        lambda a, b: a.data / b,
        lambda a, b: a.data**b,
        lambda a, b: a.data @ b,
        lambda a, b: a + b.data,
        lambda a, b: a.data - b,
    ],
)
def test_float32_with_float64_gives_float64(combine: Callable):
    a = Tensor(np.array([1.0, 2.0], dtype=np.float32), requires_grad=True)
    b = Tensor(np.array([3.0, 4.0]), requires_grad=True)
    assert combine(a, b).dtype == np.float64
    assert combine(b, a).dtype == np.float64


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "combine",
    [
        lambda t: t + 1.5,
        lambda t: 1.5 + t,
        lambda t: t - 0.1,
        lambda t: 0.1 - t,
        lambda t: t * 3,
        lambda t: 3 * t,
        lambda t: t / 7.0,
        lambda t: 7.0 / t,
        lambda t: t**2,
        lambda t: t**0.5,
        lambda t: 2.0**t,
        lambda t: gn.maximum(t, 0.0),
        lambda t: gn.where([True, False], t, 0.0),
    ],
)
def test_python_numbers_keep_the_tensor_dtype(dtype: Any, combine: Callable):
    t = Tensor([1.0, 2.0], dtype=dtype, requires_grad=True)
    out = combine(t)
    assert out.dtype == dtype
    out.sum().backward()
    assert t.grad.dtype == dtype


@pytest.mark.parametrize(
    "combine",
    [
        lambda t, c: t * c,
        lambda t, c: c * t,
        lambda t, c: t - c,
        lambda t, c: c - t,
        lambda t, c: t / c,
        lambda t, c: t**c,
        lambda t, c: gn.maximum(t, c),
    ],
)
def test_a_numpy_float64_scalar_is_a_number_and_keeps_float32(combine: Callable):
    # np.float64 is a Python float (np.sqrt(2), arr.mean()): under NumPy 2 it would widen
    t = Tensor(np.array([1.0, 2.0], dtype=np.float32), requires_grad=True)
    out = combine(t, np.float64(2.0))
    assert out.dtype == np.float32
    out.sum().backward()
    assert t.grad.dtype == np.float32


@pytest.mark.parametrize("default", [np.float32, np.float64])
@pytest.mark.parametrize("number", [0.5, np.float64(0.5)])
@pytest.mark.parametrize(
    "combine",
    [
        lambda t, c: gn.maximum(c, t),
        lambda t, c: gn.minimum(c, t),
        lambda t, c: gn.where([True, False], c, t),
        lambda t, c: t.clip(c, 1.5),
        lambda t, c: t.clip(-c, c),
    ],
)
def test_a_number_in_any_position_keeps_the_tensor_dtype(
    default: Any, number: Any, combine: Callable
):
    t = Tensor(np.array([1.0, 2.0], dtype=np.float32), requires_grad=True)
    gn.set_default_dtype(default)
    try:
        out = combine(t, number)
    finally:
        gn.set_default_dtype(np.float32)
    assert out.dtype == np.float32
    out.sum().backward()
    assert t.grad.dtype == np.float32


def test_clip_takes_tensor_bounds_as_constants():
    x = Tensor([-2.0, 0.5, 3.0], dtype=np.float64, requires_grad=True)
    out = x.clip(Tensor(0.0), Tensor([1.0, 1.0, 2.0]))
    np.testing.assert_array_equal(out.data, [0.0, 0.5, 2.0])
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 1.0, 0.0])
    with pytest.raises(TypeError, match="clip: high requires grad.*maximum"):
        x.clip(0.0, Tensor(1.0, requires_grad=True))
    with gn.no_grad():  # no gradient wanted: the bound's values are all clip needs
        assert x.clip(0.0, Tensor(1.0, requires_grad=True)).data.max() == 1.0
    # integer arrays and lists are taken as Tensors of them are: float32, no upcast
    x32 = Tensor(np.array([-2.0, 0.5, 3.0], np.float32))
    assert x32.clip(np.array([0, 0, 0]), [1, 1, 2]).dtype == np.float32


def test_an_axis_out_of_range_is_named_by_concatenate_and_stack():
    a = Tensor([1.0, 2.0])
    with pytest.raises(ValueError, match="'stack'.*cannot be joined: axis 3 is out of bounds"):
        gn.stack([a, a], axis=3)  # not "shapes differ": they are equal
    with pytest.raises(ValueError, match="'concatenate'.*cannot be joined: axis 1 is out of"):
        gn.concatenate([a, a], axis=1)
    for join in (gn.concatenate, gn.stack):  # NumPy's axis=None was an internal TypeError
        with pytest.raises(TypeError, match="axis must be an integer. Got None; .*reshape"):
            join([a, a], axis=None)


def test_pow_with_exponent_zero_has_gradient_zero_at_zero():
    # d/da a^0 = 0 everywhere, as PyTorch; 0 * 0^(-1) would be NaN at a = 0
    a = Tensor([0.0, 2.0], dtype=np.float64, requires_grad=True)
    p = Tensor([0.0, 0.0], dtype=np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ((a**0).sum() + (a**p).sum()).backward()
    np.testing.assert_array_equal(a.grad, [0.0, 0.0])


def test_reflected_python_number_keeps_float64_precision():
    t = Tensor([3.0], dtype=np.float64)
    assert (0.1 / t).item() == 0.1 / 3.0
    assert (0.1**t).item() == 0.1**3.0


def test_gradients_take_their_tensors_dtype():
    a = Tensor(np.array([1.0, 2.0], dtype=np.float32), requires_grad=True)
    b = Tensor(np.array([3.0, 4.0]), requires_grad=True)
    (a * b).sum().backward()
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float64


def test_set_default_dtype():
    assert gn.get_default_dtype() == np.float32
    gn.set_default_dtype(np.float64)
    try:
        assert Tensor(1).dtype == np.float64 and Tensor([1, 2]).dtype == np.float64
    finally:
        gn.set_default_dtype(np.float32)
    assert Tensor(1).dtype == np.float32
    with pytest.raises(ValueError, match="float32 or float64"):
        gn.set_default_dtype(np.int32)


def test_non_float_dtypes_are_refused():
    with pytest.raises(TypeError, match="float"):
        Tensor([1.0], dtype=np.int32)
    with pytest.raises(TypeError, match="float32 or float64"):
        Tensor([1.0]).astype(np.int64)


@pytest.mark.parametrize("dtype", [np.float16, "float16"])
def test_a_float_dtype_other_than_float32_or_float64_is_refused(dtype: Any):
    # the message promised float32 or float64, yet float16 tensors were made
    with pytest.raises(TypeError, match="Tensor: a Tensor's dtype must be float32 or float64"):
        Tensor([1.0], dtype=dtype)
    with pytest.raises(TypeError, match="astype: a Tensor's dtype must be float32 or float64"):
        Tensor([1.0]).astype(dtype)


# ------------------------------------------------------------- the lecture's 2-2-1 network
LECTURE_ACTIVATIONS = ["sigmoid", "identity", "tanh", "relu", "leaky_relu"]


def _net_values(seed: int) -> dict[str, float]:
    if seed < 0:  # hand-picked so that z1 > 0, z2 < 0 and z3 > 0 (both branches of relu)
        return dict(x1=0.5, x2=-1.0, w1=0.8, w2=-0.4, w3=-0.3, w4=0.9, w5=1.2, w6=0.7, y=0.2)
    rng = np.random.default_rng(seed)
    names = ["x1", "x2", "w1", "w2", "w3", "w4", "w5", "w6", "y"]
    return dict(zip(names, rng.uniform(-1.5, 1.5, len(names)).tolist()))


@pytest.mark.parametrize("seed", [-1, 0, 1, 2])
@pytest.mark.parametrize("name", LECTURE_ACTIVATIONS)
def test_lecture_2_2_1_network_matches_the_slides_formulas(name: str, seed: int):
    v = _net_values(seed)
    act = F.ACTIVATIONS[name]
    T = {k: Tensor(x, requires_grad=True, dtype=np.float64, label=k) for k, x in v.items()}
    x1, x2, w1, w2, w3, w4, w5, w6 = (
        T[k] for k in ["x1", "x2", "w1", "w2", "w3", "w4", "w5", "w6"]
    )

    def g(t: Tensor) -> Tensor:
        return F.activation(t, name)

    # forward, as on the slides
    z1 = (w1 * x1 + w3 * x2).named("z1").retain_grad()
    z2 = (w2 * x1 + w4 * x2).named("z2").retain_grad()
    a1 = g(z1).named("a1").retain_grad()
    a2 = g(z2).named("a2").retain_grad()
    z3 = (w5 * a1 + w6 * a2).named("z3").retain_grad()
    y_hat = g(z3).named("y_hat")
    L = ((y_hat - v["y"]) ** 2 * 0.5).named("L")
    L.backward()

    def gp(z: Tensor) -> float:  # g'(z) from the ACTIVATIONS table
        return float(act.grad(z.data, act.fn(z.data)))

    err = y_hat.item() - v["y"]
    dz3 = err * gp(z3)
    dz1 = dz3 * v["w5"] * gp(z1)
    dz2 = dz3 * v["w6"] * gp(z2)
    assert z3.grad == pytest.approx(dz3, abs=1e-12)
    assert a1.grad == pytest.approx(dz3 * v["w5"], abs=1e-12)
    assert z1.grad == pytest.approx(dz1, abs=1e-12)
    assert z2.grad == pytest.approx(dz2, abs=1e-12)
    dx1 = err * gp(z3) * v["w5"] * gp(z1) * v["w1"] + err * gp(z3) * v["w6"] * gp(z2) * v["w2"]
    dx2 = err * gp(z3) * v["w5"] * gp(z1) * v["w3"] + err * gp(z3) * v["w6"] * gp(z2) * v["w4"]
    assert x1.grad == pytest.approx(dx1, abs=1e-12)
    assert x2.grad == pytest.approx(dx2, abs=1e-12)
    # dL/dw_j = dL/du_j * v_j: u_j the node w_j feeds, v_j the value it multiplies
    expected_w = {
        "w1": dz1 * v["x1"],
        "w3": dz1 * v["x2"],
        "w2": dz2 * v["x1"],
        "w4": dz2 * v["x2"],
        "w5": dz3 * a1.item(),
        "w6": dz3 * a2.item(),
    }
    for k, expected in expected_w.items():
        assert T[k].grad == pytest.approx(expected, abs=1e-12), k
    # the slide's forward values
    assert a1.item() == pytest.approx(float(act.fn(np.float64(z1.item()))))
    assert L.item() == pytest.approx(0.5 * err**2)
    if seed == -1 and name in ("relu", "leaky_relu"):
        assert z1.item() > 0 > z2.item()  # both branches of g' are exercised


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "op,fn",
    [
        ("add", lambda a, b: a + b),
        ("sub", lambda a, b: a - b),
        ("mul", lambda a, b: a * b),
        ("div", lambda a, b: a / b),
        ("pow", lambda a, b: a**b),
        ("matmul", lambda a, b: a @ b),
        ("maximum", gn.maximum),
        ("minimum", gn.minimum),
        ("concatenate", lambda a, b: gn.concatenate([a, b])),
        ("stack", lambda a, b: gn.stack([a, b])),
        ("where", lambda a, b: gn.where(np.ones((2, 3), dtype=bool), a, b)),
    ],
)
def test_mismatched_shapes_name_the_op_and_both_shapes(op: str, fn: Callable):
    a, b = Tensor(np.ones((2, 3))), Tensor(np.ones((4, 5)))
    with pytest.raises(ValueError) as info:
        fn(a, b)
    msg = str(info.value)
    assert f"'{op}'" in msg and "(2, 3)" in msg and "(4, 5)" in msg


def test_reshape_error_names_shapes():
    with pytest.raises(ValueError, match=r"'reshape'.*\(2, 3\).*\(4,\)"):
        Tensor(np.ones((2, 3))).reshape(4)


def test_concatenate_and_stack_need_tensors():
    with pytest.raises(ValueError, match="at least one"):
        gn.concatenate([])
    with pytest.raises(ValueError, match="at least one"):
        gn.stack([])


def test_backward_on_a_non_scalar_needs_a_gradient():
    y = Tensor([1.0, 2.0], requires_grad=True) * 2
    with pytest.raises(RuntimeError, match=r"non-scalar.*\(2,\).*sum"):
        y.backward()


def test_backward_with_a_wrong_shape_gradient():
    y = Tensor([1.0, 2.0], requires_grad=True) * 2
    with pytest.raises(ValueError, match=r"\(3,\).*\(2,\)"):
        y.backward(np.ones(3))


def test_a_backward_function_with_a_wrong_shape_is_caught():
    x = Tensor([1.0, 2.0], requires_grad=True)
    bad = Tensor.from_op(x.data * 2, "broken", (x,), lambda g: (np.ones(3),))
    with pytest.raises(ValueError, match=r"'broken'.*\(3,\).*\(2,\)"):
        bad.sum().backward()


def test_detect_anomaly_forward_names_op_and_label():
    x = Tensor([1.0, 0.0], requires_grad=True, label="x")
    with pytest.raises(AnomalyError, match=r"forward of op 'log' \(inputs 'x'\) produced -inf"):
        with gn.detect_anomaly():
            x.log()
    with pytest.raises(AnomalyError, match=r"op 'sqrt'.*nan"), gn.detect_anomaly():
        (x - 2.0).sqrt()
    # outside the context the same ops do not raise (and log stays silent)
    assert np.isneginf(x.log().data[1])


def test_detect_anomaly_backward_names_op_and_label():
    x = Tensor([4.0, 0.0], requires_grad=True, label="x")
    with gn.detect_anomaly():
        s = x.sqrt().named("s")  # forward is finite: sqrt(0) = 0
        with pytest.raises(AnomalyError, match=r"backward of op 'sqrt' \(label 's'\) produced inf"):
            s.sum().backward()
    assert issubclass(AnomalyError, FloatingPointError)


def test_detect_anomaly_is_off_outside_the_context():
    with pytest.raises(AnomalyError), gn.detect_anomaly():
        Tensor([0.0]).log()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Tensor([1.0]).log()  # state restored; finite values raise nothing
    y = Tensor([-1.0, 4.0]).clip(0.0) * 2
    np.testing.assert_array_equal(y.data, [0.0, 8.0])


def test_bool_of_a_tensor_of_several_values_is_an_error():
    with pytest.raises(TypeError, match="ambiguous"):
        bool(Tensor([1.0, 2.0]))
    with pytest.raises(TypeError, match="ambiguous"):
        bool(Tensor(np.zeros((0, 2))))
    assert bool(Tensor([1.0])) and not Tensor(0.0)  # (one value: PyTorch's, since round 27)


@pytest.mark.parametrize(
    "value", ["abc", ["a", "b"], [1, "a"], None, {"a": 1}, 1 + 2j, np.array([1 + 1j])]
)
def test_non_numeric_data_is_refused(value: Any):
    with pytest.raises(TypeError, match="Tensor data must be"):
        Tensor(value)


def test_non_numeric_data_with_a_dtype_is_refused():
    with pytest.raises(TypeError, match="Tensor data must be numbers"):
        Tensor("abc", dtype=np.float64)


def test_backward_never_hands_out_a_shared_gradient_array():
    """backward keeps a gradient array as a leaf's .grad without copying only when nothing
    else holds it: never the caller's grad=, never one array for two leaves, never an
    array the graph still uses."""
    g = np.array([1.0, 2.0, 3.0])
    a = gn.Tensor(np.zeros(3), requires_grad=True)
    b = gn.Tensor(np.zeros(3), requires_grad=True)
    (a + b).backward(g)  # add's backward passes g itself to both inputs
    assert not np.shares_memory(a.grad, b.grad)
    assert not np.shares_memory(a.grad, g) and not np.shares_memory(b.grad, g)
    g[:] = 0.0  # the caller's array changes: the gradients do not
    np.testing.assert_array_equal(a.grad, [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(b.grad, [1.0, 2.0, 3.0])
    x = gn.Tensor(np.ones(3), requires_grad=True)
    user = np.full(3, 4.0)
    (x * 1.0).backward(user)
    assert not np.shares_memory(x.grad, user)
    x.grad += 1.0  # accumulating into .grad leaves the caller's array alone
    np.testing.assert_array_equal(user, [4.0, 4.0, 4.0])
    c = gn.Tensor(np.ones(2), requires_grad=True)
    (c + c).sum().backward()  # one leaf reached twice: the two paths summed, once
    np.testing.assert_array_equal(c.grad, [2.0, 2.0])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("axis", [None, 0, -1, (0, 1)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_mean_is_numpys_mean_bit_for_bit_and_its_gradient_is_g_over_n(dtype, axis, keepdims):
    x = np.random.default_rng(3).standard_normal((7, 33, 5)).astype(dtype) * 1e3
    t = Tensor(x, requires_grad=True)
    m = t.mean(axis=axis, keepdims=keepdims)
    expected = np.mean(x, axis=axis, keepdims=keepdims)
    assert m.data.dtype == expected.dtype and np.array_equal(m.data, expected)
    m.sum().backward()
    n = x.size // max(expected.size, 1)
    np.testing.assert_array_equal(t.grad, np.full(x.shape, 1 / n, dtype))


def test_backward_takes_pytorchs_retain_graph_and_keeps_the_graph_either_way():
    # loss.backward(retain_graph=True) was a TypeError (an unexpected keyword)
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])
    y.backward()  # the graph is kept: the gradients add up, as PyTorch's with retain_graph
    np.testing.assert_array_equal(x.grad, [4.0, 8.0])
