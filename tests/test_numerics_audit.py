"""The numerics audit: "every differentiable op is gradient-checked against finite
differences in float64; numerics stay finite at extreme inputs."

1. Gradient checks (``glassnet.gradcheck``, float64 central differences) of what the other
   test files check against PyTorch only, or not at all: PyTorch's spellings (``amax``,
   ``clamp``, ``clone``, ``double``), ``ndarray @ Tensor``, every loss module under every
   reduction and option, and the fast path's own kernels: each loss kernel's gradient
   buffer and each in-place activation's backward.
2. Extreme inputs: every activation's value and derivative, every loss's value and
   gradient, at ±1e4, ±1e30, ±3.4e38 (float32), ±1e300 (float64) and exact zeros, against
   a reference in np.longdouble; the graph path and the fast path's kernels agree.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import glassnet as gn
from glassnet import functional as F
from glassnet import nn
from glassnet.tensor import Tensor

LD = np.longdouble
RNG = np.random.default_rng(7)
X34 = RNG.standard_normal((3, 4))
LABELS = np.array([0, 3, 1, 2, 3, 1])
X64 = RNG.standard_normal((6, 4))
SOFT = np.exp(RNG.standard_normal((6, 4)))
SOFT /= SOFT.sum(axis=1, keepdims=True)
Y01 = (RNG.random((6, 4)) < 0.5).astype(float)
W4 = np.array([0.5, 2.0, 1.0, 3.0])


# ------------------------------------------------------------------ 1. gradient checks
OPS: dict[str, tuple[Callable[..., Tensor], tuple[np.ndarray, ...]]] = {
    "amax(1)": (lambda a: a.amax(1), (X34,)),  # (random values: no ties)
    "amax(dim=0, keepdim=True)": (lambda a: a.amax(dim=0, keepdim=True), (X34,)),
    "amin(1)": (lambda a: a.amin(1), (X34,)),
    "amin()": (lambda a: a.amin(), (X34,)),
    "clamp(-0.5, 0.5)": (lambda a: a.clamp(-0.5, 0.5), (np.array([-1.0, -0.3, 0.2, 0.9]),)),
    "clamp(min=0)": (lambda a: a.clamp(min=0.0), (np.array([-1.0, -0.3, 0.2, 0.9]),)),
    "clone": (lambda a: a.clone() * a, (X34,)),
    "double": (lambda a: a.double() * 2.0, (X34,)),
    "ndarray @ Tensor": (lambda a: X34.T @ a, (X34,)),
    "Tensor @ ndarray": (lambda a: a @ X34.T, (X34,)),
    "activation('relu')": (lambda a: F.activation(a, "relu"), (X34,)),
    "activation('leaky_relu', alpha=0.2)": (
        lambda a: F.activation(a, "leaky_relu", alpha=0.2),
        (X34,),
    ),
    "activation('softmax', axis=0)": (lambda a: F.activation(a, "softmax", axis=0), (X34,)),
    "bce_with_logits, soft targets": (
        lambda a: F.binary_cross_entropy_with_logits(a, SOFT, "sum"),
        (X64,),
    ),
    "log_softmax at large logits": (lambda a: F.log_softmax(a), (X34 * 30 - 1e4,)),
    "cross_entropy at large logits": (lambda a: F.cross_entropy(a, LABELS), (X64 * 30 + 1e4,)),
}


@pytest.mark.parametrize("name", OPS)
def test_op_gradient_matches_finite_differences(name: str):
    fn, inputs = OPS[name]
    assert gn.gradcheck(fn, *inputs).ok


def _loss_modules() -> list[tuple[str, dict[str, Any], np.ndarray, np.ndarray]]:
    p = 1 / (1 + np.exp(-X64))
    log_p = X64 - np.log(np.exp(X64).sum(axis=1, keepdims=True))
    ignored = np.where(np.arange(6) % 3 == 0, -100, LABELS)
    cases = []
    for red in ("mean", "sum", "none"):
        r = {"reduction": red}
        cases += [
            ("MSELoss", r, X64, SOFT),
            ("L1Loss", r, X64, SOFT),
            ("HuberLoss", {**r, "delta": 0.3}, X64, SOFT),
            ("BCELoss", r, p, Y01),
            ("BCELoss", r, p, SOFT),
            ("BCEWithLogitsLoss", r, X64, Y01),
            ("BCEWithLogitsLoss", {**r, "weight": W4}, X64, SOFT),
            ("BCEWithLogitsLoss", {**r, "pos_weight": W4}, X64, SOFT),
            ("BCEWithLogitsLoss", {**r, "pos_weight": W4, "weight": W4[::-1]}, X64, Y01),
            ("CrossEntropyLoss", r, X64, LABELS),
            ("CrossEntropyLoss", r, X64, SOFT),
            ("CrossEntropyLoss", {**r, "label_smoothing": 0.2}, X64, LABELS),
            ("CrossEntropyLoss", {**r, "label_smoothing": 0.2}, X64, SOFT),
            ("CrossEntropyLoss", {**r, "weight": W4, "label_smoothing": 0.1}, X64, SOFT),
            ("CrossEntropyLoss", r, X64, ignored),
            ("CrossEntropyLoss", {**r, "weight": W4}, X64, ignored),
            ("CrossEntropyLoss", {**r, "label_smoothing": 0.3}, X64, ignored),
            ("NLLLoss", r, log_p, LABELS),
            ("NLLLoss", r, log_p, SOFT),
            ("NLLLoss", {**r, "weight": W4}, log_p, ignored),
        ]
    return cases


@pytest.mark.parametrize(("name", "kw", "x", "t"), _loss_modules())
def test_loss_module_gradient_matches_finite_differences(name, kw, x, t):
    loss = getattr(nn, name)(**kw)
    assert gn.gradcheck(lambda a: loss(a, t), x).ok


def _kernel_cases() -> dict[str, tuple[Callable, np.ndarray, np.ndarray]]:
    """name: (kernel, output, target): the table's kernels, and the kernels of the
    probabilities a fused head's loss is explained with (``on_probabilities``)."""
    p = 1 / (1 + np.exp(-X64))
    cases = {}
    for name, loss in F.LOSSES.items():
        if loss.per_row:
            cases[name + ", labels"] = (loss.kernel, X64, LABELS)
            cases[name + ", rows"] = (loss.kernel, X64, SOFT)
        else:
            cases[name] = (loss.kernel, p if name == "binary_cross_entropy" else X64, SOFT)
        if loss.on_probabilities is not None:
            probs = p if not loss.per_row else np.exp(X64) / np.exp(X64).sum(1, keepdims=True)
            cases[name + ", on_probabilities"] = (loss.on_probabilities, probs, SOFT)
    return cases


KERNELS = _kernel_cases()


@pytest.mark.parametrize("name", KERNELS)
def test_loss_kernel_gradient_matches_finite_differences(name):
    """The fast path's loss kernels write dL/d(out) of each entry's (each row's) loss into
    G: it is the derivative of sum(r * per) for any weights r."""
    kernel, out, y = KERNELS[name]
    G = np.empty_like(out)
    per = kernel(out, y, G, {})
    r = np.linspace(0.5, 1.5, per.size).reshape(per.shape)
    extra = (1,) * (G.ndim - per.ndim)
    analytic = G * r.reshape(r.shape + extra)
    h, numeric = 1e-6, np.empty_like(out)
    for k in range(out.size):
        step = np.zeros_like(out)
        step.flat[k] = h
        hi, lo = (float((r * kernel(out + s, y, np.empty_like(out))).sum()) for s in (step, -step))
        numeric.flat[k] = (hi - lo) / (2 * h)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", [n for n, a in F.ACTIVATIONS.items() if a.elementwise])
def test_inplace_activation_kernels_match_the_table_and_finite_differences(name):
    """forward_ gives fn's values bit for bit; backward_ multiplies by g'(z), which is the
    derivative of fn (away from ReLU's kink)."""
    act = F.ACTIVATIONS[name]
    forward_, backward_, scratch = F.INPLACE[(act.fn, act.grad)]
    z = np.linspace(-4.0, 4.0, 17) + 0.05
    A, T = z.copy(), np.empty(z.shape, np.float64 if scratch in ("f", None) else scratch)
    forward_(A, T, 0.2)
    kw = {"alpha": 0.2} if name == "leaky_relu" else {}
    np.testing.assert_array_equal(A, act.fn(z, **kw))
    D = np.linspace(0.5, 1.5, z.size)
    backward_(D, A, T, 0.2)
    h = 1e-6
    numeric = (act.fn(z + h, **kw) - act.fn(z - h, **kw)) / (2 * h)
    np.testing.assert_allclose(D, np.linspace(0.5, 1.5, z.size) * numeric, rtol=1e-7, atol=1e-9)


# ------------------------------------------------------------------ 2. extreme inputs
EXTREMES = [(np.float32, b) for b in (1e4, 1e30, 3.4e38)] + [
    (np.float64, b) for b in (1e4, 1e30, 1e300)
]


def _assert_close(got: np.ndarray, want: Any, what: str) -> None:
    """``got`` equals the reference ``want`` (any precision) rounded to got's dtype, to 8
    units of its last place, or to 8 ulps of 1 (sigmoid's documented absolute error); inf
    where the reference overflows the dtype, finite wherever the reference is."""
    dt = got.dtype
    with np.errstate(over="ignore"):
        want = np.asarray(want, LD).astype(dt)
    tol = 8 * np.finfo(dt).eps
    with np.errstate(invalid="ignore"):  # (inf - inf, where both are inf: equal)
        err = np.abs(got.astype(LD) - want)
    ok = (got == want) | (err <= tol * np.maximum(np.abs(want), 1))
    assert ok.all(), f"{what}: got {got[~ok]}, want {want[~ok]}"


def _sigmoid_ld(z: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(z))  # (no overflow)
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def _act_reference(name: str, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(g(z), g'(z)) in np.longdouble."""
    if name == "sigmoid":
        a = _sigmoid_ld(z)
        return a, a * (1 - a)
    if name == "tanh":
        a = np.tanh(z)
        return a, 1 - a * a
    if name == "relu":
        return np.maximum(z, 0), (z > 0).astype(LD)
    if name == "leaky_relu":
        return np.where(z > 0, z, 0.2 * z), np.where(z > 0, 1, 0.2).astype(LD)
    return z, np.ones_like(z)


@pytest.mark.parametrize(("dtype", "big"), EXTREMES)
@pytest.mark.parametrize("name", [n for n, a in F.ACTIVATIONS.items() if a.elementwise])
def test_activation_and_derivative_at_extreme_inputs_graph_and_fast_path(name, dtype, big):
    z = np.array([-big, -1.0, -0.0, 0.0, 1.0, big], dtype)
    act = F.ACTIVATIONS[name]
    kw = {"alpha": 0.2} if name == "leaky_relu" else {}
    t = Tensor(z, requires_grad=True)
    a = F.activation(t, name, **kw) * 1.0  # (identity returns t itself)
    a.backward(np.ones_like(z))
    want_a, want_d = _act_reference(name, z.astype(LD))
    _assert_close(a.data, want_a, f"{name}({big})")
    _assert_close(t.grad, want_d, f"{name}'({big})")
    forward_, backward_, scratch = F.INPLACE[(act.fn, act.grad)]
    A, T = z.copy(), np.empty(z.shape, dtype if scratch in ("f", None) else scratch)
    forward_(A, T, 0.2)
    D = np.ones_like(z)
    backward_(D, A, T, 0.2)
    np.testing.assert_array_equal(A, a.data)  # the fast path computes the same bits
    np.testing.assert_array_equal(D, t.grad)


def _rows(big: float, dtype: Any) -> np.ndarray:
    """Logit rows that span the range: z - max(z) overflows for big = 3.4e38 (float32)."""
    return np.array(
        [[-big, 0.0, big], [-big, -big, -big], [big, big, 0.0], [0.0, 0.0, 0.0], [-big, -big, 0]],
        dtype,
    )


@pytest.mark.parametrize(("dtype", "big"), EXTREMES)
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_and_log_softmax_at_extreme_inputs(name, dtype, big):
    Z = _rows(big, dtype)
    G = np.tile(np.array([1.0, -2.0, 0.5], dtype), (5, 1))
    t = Tensor(Z, requires_grad=True)
    with np.errstate(over="ignore"):  # z - max(z): -inf, whose exp is the 0 it stands for
        out = getattr(F, name)(t)
    out.backward(G)
    Zl = Z.astype(LD)
    ls = (Zl - Zl.max(1, keepdims=True)) - np.log(
        np.exp(Zl - Zl.max(1, keepdims=True)).sum(1, keepdims=True)
    )
    p = np.exp(ls)
    if name == "softmax":
        want, grad = p, p * (G - (G * p).sum(1, keepdims=True))
    else:
        want, grad = ls, G - p * G.sum(1, keepdims=True)
    _assert_close(out.data, want, f"{name} at {big}")
    _assert_close(t.grad, grad, f"{name}' at {big}")


def _graph_and_kernel(name: str, fn: Callable, x: np.ndarray, y: np.ndarray) -> tuple:
    """The loss per entry (row) and its gradient, by the graph function (reduction='none',
    backward of ones) and by the fast path's kernel of the table; asserted equal."""
    t = Tensor(x, requires_grad=True)
    per = fn(t, y, "none")
    per.backward(np.ones_like(per.data))
    G = np.empty_like(x)
    kernel_per = F.LOSSES[name].kernel(x, y, G, {})
    np.testing.assert_array_equal(kernel_per, per.data)
    np.testing.assert_array_equal(G, t.grad)
    return per.data, t.grad


def _logits(big: float, dtype: Any) -> np.ndarray:
    return np.array([-big, -30.0, -15.0, -1.0, -0.0, 0.0, 1.0, 15.0, 30.0, big], dtype)[:, None]


@pytest.mark.parametrize(("dtype", "big"), EXTREMES)
@pytest.mark.parametrize("y", [0.0, 1.0, 0.3])
def test_mse_and_bce_with_logits_at_extreme_inputs(y, dtype, big):
    z = _logits(big, dtype)
    Y = np.full_like(z, y)
    zl, yl = z.astype(LD), Y.astype(LD)
    with np.errstate(over="ignore"):  # (z - y)^2 overflows where the true value does
        per, grad = _graph_and_kernel("mse", F.mse, z, Y)
        _assert_close(per, (zl - yl) ** 2, "mse")
        _assert_close(grad, 2 * (zl - yl), "mse'")
    name = "binary_cross_entropy_with_logits"
    per, grad = _graph_and_kernel(name, F.binary_cross_entropy_with_logits, z, Y)
    softplus = np.log1p(np.exp(-np.abs(zl)))
    _assert_close(per, np.maximum(zl, 0) - zl * yl + softplus, "bce with logits")
    _assert_close(grad, _sigmoid_ld(zl) - yl, "bce with logits'")


@pytest.mark.parametrize(("dtype", "big"), EXTREMES)
@pytest.mark.parametrize("y", [0.0, 1.0, 0.3])
def test_bce_with_logits_module_and_pos_weight_at_extreme_inputs(y, dtype, big):
    """L = (1 - y) softplus(z) + w+ y softplus(-z): finite where it is (z = -3.4e38, y = 0.3,
    w+ = 2 gives 2.04e38: the form (1 - y) z + (1 + (w+ - 1) y) softplus(-z) overflowed to
    inf), and a confident right answer's small loss to the dtype's relative precision
    (z = -15, y = 0 gives 3.06e-7 in float32, which that form made 0)."""
    z = _logits(big, dtype)
    Y = np.full_like(z, y)
    zl, yl = z.astype(LD), Y.astype(LD)
    sp_pos, sp_neg = np.maximum(zl, 0), np.maximum(-zl, 0)
    sp_pos, sp_neg = (s + np.log1p(np.exp(-np.abs(zl))) for s in (sp_pos, sp_neg))
    for pw in (None, 2.0, 0.5):
        t = Tensor(z, requires_grad=True)
        loss = nn.BCEWithLogitsLoss(reduction="none", pos_weight=pw and np.array([pw]))
        with np.errstate(over="ignore"):  # (w+ y softplus(-z) overflows where L does)
            per = loss(t, Y)
        per.backward(np.ones_like(per.data))
        w = 1.0 if pw is None else pw
        want = (1 - yl) * sp_pos + w * yl * sp_neg
        _assert_close(per.data, want, f"BCEWithLogitsLoss(pos_weight={pw})")
        _assert_close(t.grad, (1 + (w - 1) * yl) * _sigmoid_ld(zl) - w * yl, f"pos_weight={pw}'")


@pytest.mark.parametrize("pos_weight", [None, 2.0, 0.5])
def test_bce_with_logits_module_keeps_small_losses_accurate(pos_weight):
    """A confident right answer's loss, log(1 + e^-|z|), to float32's relative precision
    with and without pos_weight: not the difference of two numbers near |z|."""
    z = np.array([[-5.0], [-15.0], [-30.0], [5.0], [15.0], [30.0]], np.float32)
    y = np.array([[0.0], [0.0], [0.0], [1.0], [1.0], [1.0]], np.float32)
    pw = None if pos_weight is None else np.array([pos_weight])
    per = nn.BCEWithLogitsLoss(reduction="none", pos_weight=pw)(z, y).data
    exact = np.log1p(np.exp(-np.abs(z.astype(np.float64)))) * np.where(y > 0, pos_weight or 1, 1)
    np.testing.assert_allclose(per, exact, rtol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("y", [0.0, 1.0, 0.3])
def test_bce_on_probabilities_at_exact_zero_and_one(y, dtype):
    """p = 0 and 1 exactly: F.binary_cross_entropy clips p to [eps, 1 - eps] (graph and
    kernel alike); BCELoss clamps each log at -100, as PyTorch."""
    eps = np.finfo(dtype).eps
    p = np.array([0.0, np.finfo(dtype).tiny, eps, 0.5, 1 - eps, 1.0], dtype)[:, None]
    Y = np.full_like(p, y)
    pc, yl = np.clip(p.astype(LD), eps, 1 - LD(eps)), Y.astype(LD)
    per, grad = _graph_and_kernel("binary_cross_entropy", F.binary_cross_entropy, p, Y)
    _assert_close(per, -(yl * np.log(pc) + (1 - yl) * np.log1p(-pc)), "bce")
    _assert_close(grad, (pc - yl) / (pc * (1 - pc)), "bce'")
    t = Tensor(p, requires_grad=True)
    per = nn.BCELoss(reduction="none")(t, Y)
    per.backward(np.ones_like(per.data))
    pl = p.astype(LD)
    with np.errstate(divide="ignore"):
        want = -(yl * np.maximum(np.log(pl), -100) + (1 - yl) * np.maximum(np.log1p(-pl), -100))
    _assert_close(per.data, want, "BCELoss")
    floor = LD(float(np.float32(1e-12)))
    _assert_close(t.grad, (pl - yl) / np.maximum(pl * (1 - pl), floor), "BCELoss'")


@pytest.mark.parametrize(("dtype", "big"), EXTREMES)
@pytest.mark.parametrize("name", ["L1Loss", "HuberLoss", "MSELoss"])
def test_regression_loss_modules_at_extreme_inputs(name, dtype, big):
    """Values and gradients against the reference, without a warning: HuberLoss squared
    every d, and d² of a far d (|d| > 1.8e19 in float32) overflowed (its branch unused)."""
    x = np.array([-big, -1.0, 0.0, 0.5, 1.0, big], dtype)
    y = np.array([0.0, 0.3, 0.0, 0.0, 1.0, 0.0], dtype)
    t = Tensor(x, requires_grad=True)
    with np.errstate(over="ignore") if name == "MSELoss" else contextlib.nullcontext():
        per = getattr(nn, name)(reduction="none")(t, y)  # (d² overflows where MSE's does)
    per.backward(np.ones_like(per.data))
    d = x.astype(LD) - y.astype(LD)
    want, grad = {
        "L1Loss": (np.abs(d), np.sign(d)),
        "HuberLoss": (np.where(np.abs(d) < 1, d * d / 2, np.abs(d) - 0.5), np.clip(d, -1, 1)),
        "MSELoss": (d * d, 2 * d),
    }[name]
    _assert_close(per.data, want, name)
    _assert_close(t.grad, grad, name + "'")


def test_huber_loss_gradient_is_delta_where_the_difference_overflows():
    """x - y = 3.4e38 - (-3.4e38) is inf in float32: the loss is inf, its gradient ±delta
    (not 0 · inf, NaN, from the unused squared branch)."""
    x = Tensor(np.array([3.4e38, -3.4e38, 0.5], np.float32), requires_grad=True)
    with np.errstate(over="ignore"):
        per = nn.HuberLoss(reduction="none", delta=2.0)(x, np.array([-3.4e38, 3.4e38, 0.0]))
    per.backward(np.ones(3, np.float32))
    np.testing.assert_array_equal(per.data, [np.inf, np.inf, 0.125])
    np.testing.assert_array_equal(x.grad, [2.0, -2.0, 0.5])


@pytest.mark.parametrize(("dtype", "big"), EXTREMES)
@pytest.mark.parametrize("target", ["labels", "one-hot rows", "smoothed rows", "smoothing"])
def test_cross_entropy_at_extreme_inputs(target, dtype, big):
    """Labels, target rows, and CrossEntropyLoss's label smoothing: finite where the loss is
    (rows [-3.4e38, 0, 3.4e38] in float32, whose z - max(z) overflows: one-hot rows gave
    NaN, smoothed rows inf, for 0 and 3.4e37) and correct; graph and kernel agree."""
    Z = _rows(big, dtype)
    labels = np.array([2, 0, 1, 1, 0])
    rows = F.one_hot(labels, 3, np.float64)
    if target in ("smoothed rows", "smoothing"):
        rows = 0.9 * rows + 0.1 / 3
    Zl = Z.astype(LD)
    with np.errstate(over="ignore"):  # (z - max(z) = -inf: its exp is 0)
        ls = (Zl - Zl.max(1, keepdims=True)) - np.log(
            np.exp(Zl - Zl.max(1, keepdims=True)).sum(1, keepdims=True)
        )
        want = -np.where(rows != 0, rows * ls, 0).sum(1)  # (0 log 0 = 0)
        if target == "smoothing":
            t = Tensor(Z, requires_grad=True)
            per = nn.CrossEntropyLoss(reduction="none", label_smoothing=0.1)(t, labels)
            per.backward(np.ones_like(per.data))
            per, grad = per.data, t.grad
        else:
            y = labels if target == "labels" else rows.astype(dtype)
            per, grad = _graph_and_kernel("cross_entropy", F.cross_entropy, Z, y)
    _assert_close(per, want, f"cross-entropy, {target}")
    _assert_close(grad, np.exp(ls) * rows.sum(1, keepdims=True) - rows, f"cross-entropy', {target}")
