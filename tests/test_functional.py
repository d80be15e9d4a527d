"""Tests for glassnet.functional: activations, their derivatives, linear, dropout and
losses against NumPy references and finite differences; numerical stability; bad input.

The tables ``FUNCS`` and ``LOSS_CASES`` drive the generic tests.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import glassnet as gn
from glassnet import functional as F
from glassnet.tensor import Tensor

FAST = settings(max_examples=25, deadline=None, database=None)


# --------------------------------------------------------------------------- references
def np_sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def np_softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def np_log_softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.log(np_softmax(z, axis))


def np_leaky(z: np.ndarray, alpha: float = 0.01) -> np.ndarray:
    return np.where(z > 0, z, alpha * z)


def _reduce(per: np.ndarray, reduction: str) -> np.ndarray:
    return {"mean": per.mean, "sum": per.sum, "none": lambda: per}[reduction]()


# --------------------------------------------------------------------------- strategies
def _shape(min_dims: int = 0, max_dims: int = 3) -> st.SearchStrategy[tuple[int, ...]]:
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=3)


@st.composite
def _unary(draw: Any) -> tuple[tuple[tuple[int, ...], ...], dict[str, Any]]:
    return (draw(_shape()),), {}


@st.composite
def _with_axis(draw: Any) -> tuple[tuple[tuple[int, ...], ...], dict[str, Any]]:
    shape = draw(_shape(min_dims=1))
    return (shape,), {"axis": draw(st.integers(-len(shape), len(shape) - 1))}


@st.composite
def _leaky(draw: Any) -> tuple[tuple[tuple[int, ...], ...], dict[str, Any]]:
    return (draw(_shape()),), {"alpha": draw(st.sampled_from([0.0, 0.01, 0.2, 0.9]))}


@st.composite
def _linear(draw: Any) -> tuple[tuple[tuple[int, ...], ...], dict[str, Any]]:
    n, k, m = (draw(st.integers(1, 4)) for _ in range(3))
    shapes = ((n, k), (k, m)) + (((m,),) if draw(st.booleans()) else ())
    return shapes, {}


@dataclass(frozen=True)
class Func:
    name: str
    fn: Callable[..., Tensor]
    ref: Callable[..., np.ndarray]
    case: st.SearchStrategy[Any]

    def __repr__(self) -> str:
        return self.name


FUNCS = [
    Func("sigmoid", F.sigmoid, np_sigmoid, _unary()),
    Func("tanh", F.tanh, np.tanh, _unary()),
    Func("relu", F.relu, lambda z: np.maximum(z, 0.0), _unary()),
    Func("leaky_relu", F.leaky_relu, np_leaky, _leaky()),
    Func("identity", lambda x: F.identity(x) * 1.0, lambda z: z, _unary()),
    Func("softmax", F.softmax, np_softmax, _with_axis()),
    Func("log_softmax", F.log_softmax, np_log_softmax, _with_axis()),
    Func("activation_tanh", lambda x: F.activation(x, "tanh"), np.tanh, _unary()),
    Func("activation_logistic", lambda x: F.activation(x, "logistic"), np_sigmoid, _unary()),
    Func("linear", F.linear, lambda x, w, b=0.0: x @ w + b, _linear()),
    Func(
        "dropout",
        lambda x: F.dropout(x, 0.3, np.random.default_rng(5)),
        lambda z: z * (np.random.default_rng(5).random(z.shape) >= 0.3) / 0.7,
        _unary(),
    ),
]


@pytest.mark.parametrize("func", FUNCS, ids=repr)
@FAST
@given(data=st.data())
def test_function_forward_matches_numpy_and_gradcheck(func: Func, data: Any):
    shapes, kw = data.draw(func.case, label="shapes, kwargs")
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))
    arrays = [rng.standard_normal(s) * 2 for s in shapes]
    out = func.fn(*[Tensor(a, dtype=np.float64) for a in arrays], **kw)
    expected = func.ref(*arrays, **kw)
    assert out.dtype == np.float64 and out.shape == np.shape(expected)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-15)
    gn.gradcheck(lambda *ts: func.fn(*ts, **kw), *arrays)


@pytest.mark.parametrize("func", FUNCS, ids=repr)
def test_function_keeps_float32(func: Func):
    rng = np.random.default_rng(0)
    shapes = {"linear": [(3, 2), (2, 4), (4,)]}.get(func.name, [(3, 2)])
    ts = [Tensor(rng.standard_normal(s).astype(np.float32), requires_grad=True) for s in shapes]
    out = func.fn(*ts)
    assert out.dtype == np.float32
    out.sum().backward()
    assert all(t.grad.dtype == np.float32 for t in ts)


def test_activation_ops_are_single_graph_nodes():
    z = Tensor([[1.0, -2.0]], requires_grad=True)
    for name in ["sigmoid", "tanh", "relu", "leaky_relu", "softmax", "log_softmax"]:
        out = getattr(F, name)(z)
        assert out.op == name and out.parents == (z,)
    assert F.identity(z) is z and F.activation(z, "identity") is z
    W, b = Tensor(np.ones((2, 3)), requires_grad=True), Tensor(np.zeros(3), requires_grad=True)
    lin = F.linear(z, W, b)
    assert lin.op == "linear" and lin.parents == (z, W, b)
    assert F.linear(z, W).parents == (z, W)


# --------------------------------------------------------------------------- the ACTIVATIONS table
ELEMENTWISE = [name for name, act in F.ACTIVATIONS.items() if act.elementwise]


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_table_derivative_matches_finite_differences_and_autodiff(name: str):
    act = F.ACTIVATIONS[name]
    assert act.name == name and act.formula and act.derivative
    z = np.linspace(-3.0, 3.0, 13) + 0.05  # avoids the kink of relu at 0
    h = 1e-6
    numeric = (act.fn(z + h) - act.fn(z - h)) / (2 * h)
    np.testing.assert_allclose(act.grad(z, act.fn(z)), numeric, atol=1e-8)
    t = Tensor(z, requires_grad=True)
    F.activation(t, name).sum().backward()
    np.testing.assert_allclose(t.grad, act.grad(z, act.fn(z)), atol=1e-12)


def test_relu_and_leaky_relu_derivative_at_zero():
    z = np.array([0.0])
    assert F.ACTIVATIONS["relu"].grad(z, z)[0] == 0.0
    assert F.ACTIVATIONS["leaky_relu"].grad(z, z)[0] == 0.01


def test_softmax_jacobian_matches_finite_differences():
    act = F.ACTIVATIONS["softmax"]
    assert not act.elementwise
    z = np.array([[0.3, -1.2, 2.0], [1.0, 1.0, 1.0]])
    J = act.grad(z, act.fn(z))
    assert J.shape == (2, 3, 3)
    h = 1e-6
    for j in range(3):
        dz = np.zeros_like(z)
        dz[:, j] = h
        np.testing.assert_allclose(
            J[:, :, j], (act.fn(z + dz) - act.fn(z - dz)) / (2 * h), atol=1e-8
        )


def test_xnor_hidden_values_of_the_slides():
    # a = sigmoid(z) at the slide's pre-activations -6, -2, 2, 6 (rounded to 3 decimals)
    out = F.sigmoid(Tensor(np.array([-6.0, -2.0, 2.0, 6.0]))).numpy()
    np.testing.assert_array_equal(np.round(out, 3), [0.002, 0.119, 0.881, 0.998])


@pytest.mark.parametrize(
    "alias,name",
    [
        ("logistic", "sigmoid"),
        ("linear", "identity"),
        ("none", "identity"),
        ("ReLU", "relu"),
        ("leaky-relu", "leaky_relu"),
        ("TANH", "tanh"),
    ],
)
def test_get_activation_aliases(alias: str, name: str):
    assert F.get_activation(alias) is F.ACTIVATIONS[name]


def test_get_activation_errors_list_valid_names():
    with pytest.raises(ValueError, match="Unknown activation 'swish'.*relu.*sigmoid"):
        F.get_activation("swish")
    with pytest.raises(TypeError, match="string"):
        F.get_activation(3)


@pytest.mark.parametrize("alpha", [float("nan"), float("inf"), "0.1", None])
def test_leaky_relu_alpha_is_checked(alpha: Any):
    with pytest.raises(ValueError, match="'alpha'"):
        F.leaky_relu(Tensor([1.0]), alpha)


# --------------------------------------------------------------------------- linear and dropout
def test_linear_is_the_lectures_layer():
    X = np.array([[1.0, 2.0], [3.0, -1.0], [0.0, 0.5]])  # (N=3, inputs=2)
    W = np.array([[0.1, 0.2, 0.3], [0.4, -0.5, 0.6]])  # (inputs=2, neurons=3)
    b = np.array([1.0, 0.0, -1.0])
    Z = F.linear(Tensor(X), Tensor(W), Tensor(b))
    np.testing.assert_allclose(Z.data, X @ W + b)
    for i in range(3):  # column i holds neuron i's weights: z_i = w_0 + sum_j w_j x_j
        np.testing.assert_allclose(Z.data[:, i], b[i] + X @ W[:, i])


def test_linear_gradients_are_the_documented_products():
    rng = np.random.default_rng(0)
    X, W, b = (Tensor(rng.standard_normal(s), requires_grad=True) for s in [(4, 2), (2, 3), (3,)])
    G = rng.standard_normal((4, 3))
    F.linear(X, W, b).backward(G)
    np.testing.assert_allclose(X.grad, G @ W.data.T)
    np.testing.assert_allclose(W.grad, X.data.T @ G)
    np.testing.assert_allclose(b.grad, G.sum(axis=0))


@pytest.mark.parametrize("bias", [True, False])
def test_linear_accepts_one_sample_as_a_1d_vector(bias: bool):
    """x of shape (inputs,) is one sample (as torch.nn.Linear takes it): z = x @ W + b of
    shape (neurons,), the row of the (1, inputs) batch, with the same gradients."""
    rng = np.random.default_rng(1)
    x, W, b = rng.standard_normal(2), rng.standard_normal((2, 3)), rng.standard_normal(3)
    args = (x, W, b) if bias else (x, W)
    z = F.linear(*[Tensor(a, dtype=np.float64) for a in args])
    assert z.shape == (3,)
    np.testing.assert_allclose(z.data, x @ W + (b if bias else 0.0), rtol=1e-12)
    gn.gradcheck(F.linear, *args)  # finite differences, float64
    G = rng.standard_normal(3)
    ts = [Tensor(a[None] if i == 0 else a, requires_grad=True) for i, a in enumerate(args)]
    F.linear(*ts).backward(G[None])
    t1 = [Tensor(a, requires_grad=True) for a in args]
    F.linear(*t1).backward(G)
    np.testing.assert_allclose(t1[0].grad, ts[0].grad[0])
    for a, c in zip(t1[1:], ts[1:]):
        np.testing.assert_allclose(a.grad, c.grad)


def test_a_model_and_the_explain_tools_take_a_1d_input():
    from glassnet import viz
    from glassnet.explain import explain

    m = gn.nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=0)
    x = np.array([1.0, 0.0])
    y1 = m(x)
    assert y1.shape == (1,)
    np.testing.assert_allclose(y1.data, m(x[None]).data[0])
    e1, e2 = explain(m, x, 1.0), explain(m, x[None], [[1.0]])
    assert str(e1) == str(e2)
    assert viz.draw_network(m, x, 1.0, backward=True) == viz.draw_network(
        m, x[None], [[1.0]], backward=True
    )


@pytest.mark.parametrize("x_shape", [(4, 3), (3,), (2, 2, 3)])  # ((N, *, 2) is taken)
def test_linear_wrong_input_names_both_shapes(x_shape: tuple[int, ...]):
    with pytest.raises(ValueError) as info:
        F.linear(Tensor(np.ones(x_shape)), Tensor(np.ones((2, 5))))
    msg = str(info.value)
    assert "'linear'" in msg and str(x_shape) in msg and "(2, 5)" in msg


def test_dropout_scales_kept_values_and_is_reproducible():
    x = Tensor(np.ones((200, 50)), requires_grad=True)
    y = F.dropout(x, 0.25, np.random.default_rng(3))
    kept = y.data != 0
    np.testing.assert_allclose(y.data[kept], 1 / 0.75)
    assert abs(kept.mean() - 0.75) < 0.02
    y.sum().backward()
    np.testing.assert_allclose(x.grad, kept / 0.75)
    y2 = F.dropout(x, 0.25, np.random.default_rng(3))
    np.testing.assert_array_equal(y.data, y2.data)
    assert F.dropout(x, 0.25, np.random.default_rng(3), training=False) is x
    assert F.dropout(x, 0.0, np.random.default_rng(3)) is x


@pytest.mark.parametrize("p", [1.0, -0.1, 1.5, True])
def test_dropout_probability_is_checked(p: Any):
    with pytest.raises(ValueError, match="'p'"):
        F.dropout(Tensor([1.0]), p, np.random.default_rng(0))


# --------------------------------------------------------------------------- losses
@dataclass(frozen=True)
class LossCase:
    name: str
    fn: Callable[..., Tensor]
    ref: Callable[..., np.ndarray]  # per-entry loss (before reduction), from pred and target
    pred: Callable[[np.random.Generator, int, int], np.ndarray]
    target: Callable[[np.random.Generator, int, int], np.ndarray]
    kw: dict[str, Any]

    def __repr__(self) -> str:
        return self.name


def _normal(rng: np.random.Generator, n: int, c: int) -> np.ndarray:
    return rng.standard_normal((n, c)) * 2


def _probs(rng: np.random.Generator, n: int, c: int) -> np.ndarray:
    return rng.uniform(0.05, 0.95, (n, c))


def _binary(rng: np.random.Generator, n: int, c: int) -> np.ndarray:
    return rng.integers(0, 2, (n, c)).astype(float)


def _labels(rng: np.random.Generator, n: int, c: int) -> np.ndarray:
    return rng.integers(0, c, n)


def _distribution(rng: np.random.Generator, n: int, c: int) -> np.ndarray:
    return np_softmax(rng.standard_normal((n, c)))


def _ce_ref(z: np.ndarray, t: np.ndarray) -> np.ndarray:
    logp = np_log_softmax(z)
    if t.ndim == 1:
        return -logp[np.arange(len(t)), t]
    return -(t * logp).sum(axis=1)


def _bce_ref(p: np.ndarray, y: np.ndarray) -> np.ndarray:
    return -(y * np.log(p) + (1 - y) * np.log(1 - p))


LOSS_CASES = [
    LossCase("mse", F.mse, lambda p, y: (p - y) ** 2, _normal, _normal, {}),
    LossCase("mse_half", F.mse, lambda p, y: 0.5 * (p - y) ** 2, _normal, _normal, {"half": True}),
    LossCase("bce", F.binary_cross_entropy, _bce_ref, _probs, _binary, {}),
    LossCase("bce_soft_targets", F.binary_cross_entropy, _bce_ref, _probs, _probs, {}),
    LossCase(
        "bce_with_logits",
        F.binary_cross_entropy_with_logits,
        lambda z, y: _bce_ref(np_sigmoid(z), y),
        _normal,
        _binary,
        {},
    ),
    LossCase("cross_entropy_labels", F.cross_entropy, _ce_ref, _normal, _labels, {}),
    LossCase(
        "cross_entropy_one_hot",
        F.cross_entropy,
        _ce_ref,
        _normal,
        lambda rng, n, c: F.one_hot(_labels(rng, n, c), c, dtype=np.float64),
        {},
    ),
    LossCase("cross_entropy_probabilities", F.cross_entropy, _ce_ref, _normal, _distribution, {}),
]


@pytest.mark.parametrize("case", LOSS_CASES, ids=repr)
@FAST
@given(
    n=st.integers(1, 4),
    c=st.integers(1, 3),
    seed=st.integers(0, 2**32 - 1),
    reduction=st.sampled_from(["mean", "sum", "none"]),
    weighted=st.booleans(),
)
def test_loss_forward_matches_numpy_and_gradcheck(
    case: LossCase, n: int, c: int, seed: int, reduction: str, weighted: bool
):
    rng = np.random.default_rng(seed)
    if case.name.startswith("cross_entropy") and c == 1:
        c = 2
    pred, target = case.pred(rng, n, c), case.target(rng, n, c)
    kw = dict(case.kw, reduction=reduction)
    per = case.ref(pred, target)
    if weighted:
        w = rng.uniform(0.0, 2.0, n)
        kw["sample_weight"] = w
        per = per * w.reshape((-1,) + (1,) * (per.ndim - 1))
    out = case.fn(Tensor(pred), target, **kw)
    assert out.dtype == np.float64
    expected = _reduce(per, reduction)
    assert out.shape == np.shape(expected)
    np.testing.assert_allclose(out.data, expected, rtol=1e-10, atol=1e-12)
    gn.gradcheck(lambda p: case.fn(p, target, **kw), pred)


def test_mse_half_is_the_lectures_loss():
    y_hat = Tensor(np.array([[0.8]]), requires_grad=True)
    L = F.mse(y_hat, [[0.2]], half=True, reduction="sum")
    assert L.item() == pytest.approx(0.5 * 0.6**2)
    L.backward()
    assert y_hat.grad[0, 0] == pytest.approx(0.8 - 0.2)  # dL/dy_hat = y_hat - y


def test_mse_mean_averages_every_entry():
    out = F.mse(Tensor(np.zeros((2, 3))), np.ones((2, 3)) * np.arange(3))
    assert out.item() == pytest.approx(np.mean(np.arange(3.0) ** 2))


def test_bce_with_logits_gradient_is_sigmoid_minus_target():
    z = Tensor(np.array([-3.0, 0.0, 2.0]), requires_grad=True)
    y = np.array([0.0, 1.0, 1.0])
    F.binary_cross_entropy_with_logits(z, y, reduction="sum").backward()
    np.testing.assert_allclose(z.grad, np_sigmoid(z.data) - y)


def test_cross_entropy_gradient_is_softmax_minus_one_hot():
    z = Tensor(np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]]), requires_grad=True)
    F.cross_entropy(z, [2, 0], reduction="sum").backward()
    np.testing.assert_allclose(z.grad, np_softmax(z.data) - F.one_hot([2, 0], 3))


def test_cross_entropy_label_forms_agree():
    z = np.array([[1.0, 3.0], [2.0, -1.0], [0.1, 0.2]])
    ints = F.cross_entropy(Tensor(z), np.array([1, 0, 1])).item()
    assert F.cross_entropy(Tensor(z), np.array([True, False, True])).item() == pytest.approx(ints)
    assert F.cross_entropy(Tensor(z), np.array([1.0, 0.0, 1.0])).item() == pytest.approx(ints)
    assert F.cross_entropy(Tensor(z), F.one_hot([1, 0, 1], 2)).item() == pytest.approx(ints)


def test_sample_weight_mean_divides_by_n():
    p = Tensor(np.array([[1.0], [2.0]]))
    out = F.mse(p, np.zeros((2, 1)), sample_weight=[3.0, 0.0])
    assert out.item() == pytest.approx(3.0 / 2)


def test_losses_keep_float32():
    z = Tensor(np.array([[0.3, -0.2]], dtype=np.float32), requires_grad=True)
    for loss in [
        F.mse(z, [[1.0, 0.0]]),
        F.binary_cross_entropy_with_logits(z, [[1.0, 0.0]]),
        F.binary_cross_entropy(F.sigmoid(z), [[1.0, 0.0]]),
        F.cross_entropy(z, [1]),
    ]:
        assert loss.dtype == np.float32
        z.zero_grad()
        loss.backward()
        assert z.grad.dtype == np.float32


@pytest.mark.parametrize(
    "alias,name",
    [
        ("squared_error", "mse"),
        ("bce", "binary_cross_entropy"),
        ("log_loss", "cross_entropy"),
        ("ce", "cross_entropy"),
        ("mse", "mse"),
    ],
)
def test_get_loss(alias: str, name: str):
    assert F.get_loss(alias) is F.LOSSES[name]


def test_get_loss_unknown_lists_valid_names():
    with pytest.raises(ValueError, match="Unknown loss 'hinge'.*cross_entropy.*mse"):
        F.get_loss("hinge")


# --------------------------------------------------------------------------- one_hot
def test_one_hot():
    out = F.one_hot(np.array([2, 0, 1, 2]))
    np.testing.assert_array_equal(out, np.eye(3)[[2, 0, 1, 2]])
    assert out.dtype == np.float32
    assert F.one_hot([0.0, 1.0], 4, dtype=np.float64).shape == (2, 4)
    assert F.one_hot(np.array([], dtype=int), 3).shape == (0, 3)


@pytest.mark.parametrize(
    "labels,num,exc,match",
    [
        ([[0, 1]], None, ValueError, "1-D"),
        ([0.5, 1], None, TypeError, "integers"),
        (["a", "b"], None, TypeError, "integers"),
        ([-1, 0], None, ValueError, ">= 0"),
        ([0, 3], 3, ValueError, "num_classes=3"),
    ],
)
def test_one_hot_errors(labels: Any, num: Any, exc: type, match: str):
    with pytest.raises(exc, match=match):
        F.one_hot(labels, num)


# --------------------------------------------------------------------------- numerical stability
ACTIVATION_FNS = [
    F.sigmoid,
    F.tanh,
    F.relu,
    F.leaky_relu,
    F.softmax,
    F.log_softmax,
    lambda x: F.identity(x) * 1.0,
] + [(lambda x, n=name: F.activation(x, n)) for name in F.ACTIVATIONS if name != "identity"]


def _extreme(big: float, dtype: Any) -> Tensor:
    data = np.array([[-big, big, 0.0, 1.0], [big, big, -big, -big]], dtype=dtype)
    return Tensor(data, requires_grad=True)


EXTREMES = [(1e4, np.float32), (1e4, np.float64), (1e30, np.float64)]


@pytest.mark.parametrize("big,dtype", EXTREMES)
@pytest.mark.parametrize("fn", ACTIVATION_FNS)
def test_activations_are_finite_at_extremes(fn: Callable, big: float, dtype: Any):
    z = _extreme(big, dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = fn(z)
        (out * Tensor(np.linspace(-1, 1, 8).reshape(2, 4), dtype=dtype)).sum().backward()
    assert out.dtype == dtype
    assert np.all(np.isfinite(out.data)) and np.all(np.isfinite(z.grad))


def _losses(z: Tensor) -> list[Tensor]:
    y = np.array([[0.0, 1.0, 1.0, 0.0], [1.0, 0.0, 1.0, 0.0]])
    return [
        F.mse(z, y),
        F.mse(z, y, half=True, reduction="sum"),
        F.binary_cross_entropy(F.sigmoid(z), y),  # a saturated sigmoid: p is exactly 0 or 1
        F.binary_cross_entropy_with_logits(z, y),
        F.cross_entropy(z, [1, 2]),
        F.cross_entropy(z, y / y.sum(axis=1, keepdims=True)),
        F.cross_entropy(z, [0, 3], reduction="none").sum(),
    ]


@pytest.mark.parametrize("big,dtype", EXTREMES)
@pytest.mark.parametrize("k", range(7))
def test_losses_are_finite_at_extremes(k: int, big: float, dtype: Any):
    z = _extreme(big, dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = _losses(z)[k]
        loss.backward()
    assert loss.dtype == dtype
    assert np.isfinite(loss.item()) and np.all(np.isfinite(z.grad))


def test_bce_at_exact_zero_and_one_is_large_but_finite():
    p = Tensor(np.array([0.0, 1.0, 0.0, 1.0]), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = F.binary_cross_entropy(p, [1.0, 0.0, 0.0, 1.0], reduction="none")
        loss.sum().backward()
    assert np.all(np.isfinite(loss.data)) and loss.data[0] > 30 and loss.data[2] < 1e-10
    assert np.all(np.isfinite(p.grad))


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "loss", [F.mse, F.binary_cross_entropy, F.binary_cross_entropy_with_logits, F.cross_entropy]
)
def test_loss_shape_mismatch_names_op_and_both_shapes(loss: Callable):
    pred = Tensor(np.full((4, 3), 0.5))
    with pytest.raises(ValueError) as info:
        loss(pred, np.zeros((4, 2)))
    msg = str(info.value)
    assert f"'{loss.__name__}'" in msg and "(4, 3)" in msg and "(4, 2)" in msg


def test_mse_column_vs_flat_target_suggests_reshape():
    with pytest.raises(ValueError, match=r"\(3, 1\).*\(3,\).*reshape"):
        F.mse(Tensor(np.zeros((3, 1))), np.zeros(3))


def test_cross_entropy_label_errors():
    z = Tensor(np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"'cross_entropy'.*\(3, 2\).*\(2,\)"):
        F.cross_entropy(z, [0, 1])
    with pytest.raises(ValueError, match=r"\[0, 1\].*from 0 to 2"):
        F.cross_entropy(z, [0, 1, 2])
    with pytest.raises(ValueError, match="from -1"):
        F.cross_entropy(z, [0, -1, 1])
    with pytest.raises(TypeError, match="integer class labels"):
        F.cross_entropy(z, [0.5, 1.0, 0.0])
    with pytest.raises(ValueError, match=r"\(N, C\)"):
        F.cross_entropy(Tensor(np.zeros(3)), [0, 1, 0])


def test_bce_refuses_values_outside_0_1():
    with pytest.raises(ValueError, match=r"\[0, 1\].*with_logits"):
        F.binary_cross_entropy(Tensor([0.5, 2.0]), [1.0, 0.0])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        F.binary_cross_entropy(Tensor([np.nan, 0.5]), [1.0, 0.0])


def test_loss_argument_errors():
    p = Tensor(np.zeros((2, 1)))
    with pytest.raises(ValueError, match="'reduction'.*'mean', 'sum' or 'none'.*'avg'"):
        F.mse(p, np.zeros((2, 1)), reduction="avg")
    with pytest.raises(ValueError, match=r"sample_weight.*\(3,\).*\(2,\)"):
        F.mse(p, np.zeros((2, 1)), sample_weight=[1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="numeric"):
        F.mse(p, np.array([["a"], ["b"]]))


def test_bce_with_logits_keeps_small_losses_accurate():
    """A confident right answer has a tiny loss: log(1 + e^-z) for z = 15 is 3.1e-7. It must
    come out to float32's relative precision, not as the difference of two numbers near z
    (log(1 + e^z) - z y would give 0 or a few ulp of 15)."""
    z = np.array([[5.0], [10.0], [15.0], [30.0], [-12.0]], np.float32)
    y = np.array([[1.0], [1.0], [1.0], [1.0], [0.0]], np.float32)
    per = F.binary_cross_entropy_with_logits(z, y, reduction="none").data
    exact = np.log1p(np.exp(-np.abs(z.astype(np.float64))))
    np.testing.assert_allclose(per, exact, rtol=1e-6)


@pytest.mark.parametrize("shift", [-1e4, 1e4, -3e5])
def test_log_softmax_and_cross_entropy_keep_float32_precision_at_large_logits(shift: float):
    """Logits far from 0 (here 1e4, where a float32 ulp is 1e-3) give the loss of the
    logits' differences to float32's relative precision: log softmax is computed as
    (z - m) - log sum e^(z - m), not as z - (m + log sum e^(z - m)), whose m is added and
    subtracted back (that gave 1.09814 for 1.0986123 at z = -1e4)."""
    rng = np.random.default_rng(0)
    z = (shift + rng.standard_normal((5, 3))).astype(np.float32)
    y = np.array([0, 2, 1, 1, 0])
    d = z.astype(np.float64)
    exact = np_log_softmax(d - d.max(axis=1, keepdims=True))
    np.testing.assert_allclose(F.log_softmax(z).data, exact, rtol=1e-6)
    rows = 0.9 * F.one_hot(y, 3, np.float64) + 0.1 / 3
    ce = [(F.cross_entropy(z, y, "none"), -exact[np.arange(5), y])]
    ce.append((F.cross_entropy(z, rows.astype(np.float32), "none"), -(rows * exact).sum(1)))
    ce.append((gn.nn.CrossEntropyLoss(label_smoothing=0.1)(z, y), -(rows * exact).sum(1).mean()))
    for got, want in ce:
        assert got.dtype == np.float32
        np.testing.assert_allclose(got.data, want, rtol=1e-6)


def test_cross_entropy_with_labels_on_column_major_logits():
    """Logits that are a transpose (or a Fortran-ordered array) give the same loss and
    gradient as C-ordered ones: 1 is taken from each row's p_y wherever the rows lie."""
    Z = np.array([[2.0, 0.5], [0.0, 1.0], [-1.0, 3.0]])
    a, b = Tensor(Z, requires_grad=True), Tensor(np.ascontiguousarray(Z.T), requires_grad=True)
    la, lb = F.cross_entropy(a.T, [0, 1]), F.cross_entropy(b, [0, 1])
    la.backward(), lb.backward()
    assert la.item() == lb.item()
    np.testing.assert_array_equal(a.grad.T, b.grad)
    np.testing.assert_allclose(b.grad.sum(axis=1), 0.0, atol=1e-12)  # softmax - one_hot


@pytest.mark.parametrize("dtype", [np.uint8, np.uint64, np.int32, np.int64, bool])
def test_cross_entropy_takes_labels_of_any_integer_dtype(dtype):
    Z = Tensor(np.array([[0.2, 1.0], [3.0, -1.0], [0.0, 0.5]]), requires_grad=True)
    labels = np.array([0, 1, 1]).astype(dtype)
    loss = F.cross_entropy(Z, labels)
    loss.backward()
    ref = Tensor(Z.data, requires_grad=True)
    F.cross_entropy(ref, np.array([0, 1, 1])).backward()
    np.testing.assert_array_equal(Z.grad, ref.grad)


@pytest.mark.parametrize(
    ("loss", "target"),
    [
        (F.mse, np.ones((4, 2))),
        (F.binary_cross_entropy, np.full((4, 2), 0.5)),
        (F.binary_cross_entropy_with_logits, np.full((4, 2), 0.5)),
        (F.cross_entropy, np.full((4, 2), 0.5)),
    ],
)
def test_a_target_that_requires_grad_is_refused_where_no_gradient_reaches_it(loss, target):
    # the loss passes its target no gradient: it would stay None, silently
    pred = Tensor(np.full((4, 2), 0.3), requires_grad=True)
    t = Tensor(target, requires_grad=True)
    with pytest.raises(RuntimeError, match="the target requires grad, but this loss passes"):
        loss(pred, t)
    loss(pred, t.detach()).backward()  # a fixed target: as before
    assert pred.grad is not None


def test_linear_takes_weights_and_bias_given_as_arrays_as_constants():
    x = Tensor(np.ones((2, 2)), requires_grad=True)
    W, b = np.arange(6.0).reshape(2, 3), np.ones(3)
    z = F.linear(x, W, b)
    z.sum().backward()
    np.testing.assert_array_equal(z.data, np.ones((2, 2)) @ W + b)
    np.testing.assert_array_equal(x.grad, np.ones((2, 3)) @ W.T)


@pytest.mark.parametrize(
    "loss",
    [
        lambda x: F.mse(x, np.zeros((0, 2))),
        lambda x: F.cross_entropy(x, np.zeros(0, int)),
        lambda x: F.binary_cross_entropy_with_logits(x, np.zeros((0, 2))),
        lambda x: gn.nn.L1Loss()(x, np.zeros((0, 2))),
        lambda x: gn.nn.CrossEntropyLoss()(x, np.zeros(0, int)),
    ],
)
def test_the_mean_loss_of_an_empty_batch_is_an_error_not_0_or_nan(loss):
    x = Tensor(np.zeros((0, 2)), requires_grad=True)
    with pytest.raises(ValueError, match="the batch is empty"):
        loss(x)


@pytest.mark.parametrize("bad", [[0, 256, 1], [256, 512, 768, 1024]])
def test_big_endian_labels_out_of_range_are_refused_by_their_values(bad):
    # labels stored as '>i2' were range-checked in the machine's byte order: 256 read as 1
    # (a loss computed from a wrong class) or out of range in another place (IndexError)
    Z = np.random.default_rng(0).standard_normal((len(bad), 5))
    labels = np.array(bad, dtype=">i2")
    with pytest.raises(ValueError, match="labels must lie in"):
        F.cross_entropy(Tensor(Z), labels)
    with pytest.raises(ValueError, match="labels must lie in"):
        gn.nn.CrossEntropyLoss()(Tensor(Z), labels)
    good = np.array([1, 4, 0][: len(bad)], dtype=">i2")
    assert np.isfinite(float(F.cross_entropy(Tensor(Z[: len(good)]), good).data))
