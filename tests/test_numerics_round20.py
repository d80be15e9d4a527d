"""Numerics at extreme inputs, round 20: the compiled loop's tanh saturates where NumPy's
does; clip_grad_norm_'s error_if_nonfinite; Huber/SmoothL1 at a NaN prediction; a zero
class weight in cross_entropy against nll_loss; the optimizers' second moment at huge
float32 gradients."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn

F32, F64 = np.float32, np.float64


# ------------------------------------------------------------------ the compiled loop's tanh
def _jit():
    pytest.importorskip("numba", reason='glassnet.jit needs numba: pip install -e ".[jit]"')
    from glassnet import jit

    jit._compile()
    return jit


def _tanh_jit(jit, x, code=2):
    """The compiled loop's activation ``code`` (2 tanh, 1 sigmoid) of x, with the constants
    a run of x's dtype uses."""
    dt = x.dtype.type
    hd = np.zeros(jit._N_SLOTS, dt)
    hd[jit._TANH :] = jit._TANH_CONSTANTS
    hd[jit._TAIL : jit._TANH] = jit._tanh_tail(dt)
    hd[jit._FAST], hd[jit._ONE], hd[jit._HALF] = dt == F32, 1, 0.5
    A = x.copy()
    jit._k_activate(A, 1, A.size, code, dt(0), hd)
    return A


@pytest.mark.parametrize("dt", [F32, F64])
def test_jit_tanh_and_sigmoid_saturate_where_numpys_do(dt):
    # float32: every float in [7.5, 10.5] (NumPy's SIMD tanh is 1 - 4 ulp from 7.88 and 1
    # from 10.0; Eigen's approximation stopped at 0.99999976); float64: the C library's tanh
    # reaches 1 at 19.06, NumPy's at 18.99
    jit = _jit()
    if dt == F32:
        bits = np.array([7.5, 10.5], F32).view(np.int32)
        x = np.arange(bits[0], bits[1], dtype=np.int32).view(F32)
    else:
        x = np.linspace(17.5, 19.5, 400_001)
    x = np.concatenate([x, -x, [np.inf, -np.inf, 1e30, -1e30]]).astype(dt)
    first = 7.8837576 if dt == F32 else 17.9545  # NumPy's tanh within 4 ulp of 1 from here
    tail = np.abs(x) >= first
    A = _tanh_jit(jit, x)
    np.testing.assert_array_equal(A[tail], np.tanh(x[tail]))
    saturated = np.abs(x) >= (10.0 if dt == F32 else 18.990342)
    np.testing.assert_array_equal(np.abs(A[saturated]), 1)
    np.testing.assert_array_equal(1 - A[saturated] * A[saturated], 0)  # g'(z) = 0 there
    # the sigmoid, (1 + tanh(z / 2)) / 2, on twice those z
    z = 2 * x[tail]
    half, one = dt(0.5), dt(1)
    np.testing.assert_array_equal(_tanh_jit(jit, z, code=1), (np.tanh(z * half) + one) * half)
    # NaN, ±0 and small values as before
    s = _tanh_jit(jit, np.array([np.nan, 0.0, -0.0, 1e-5, -3.0], dt))
    assert np.isnan(s[0]) and np.signbit(s[2]) and not np.signbit(s[1])
    np.testing.assert_allclose(s[3:], np.tanh(np.array([1e-5, -3.0], dt)), rtol=1e-6)


def _one_step(X, y, engine, dt, epochs=1, lr=0.5):
    m = nn.MLP([3, 8, 1], activation="tanh", output_activation="sigmoid", rng=0, dtype=dt)
    h = gn.fit(
        m, X, y, loss="binary_cross_entropy", lr=lr, epochs=epochs, engine=engine, verbose=0,
        shuffle=False,
    )  # fmt: skip
    return [p.data.copy() for p in m.parameters()], h


def _rel(a, b):
    return np.abs(a - b).max() / max(np.abs(b).max(), np.finfo(F64).tiny)


@pytest.mark.parametrize("dt", [F32, F64])
@pytest.mark.parametrize("scale", [1e6, 1e9, 1e30])
def test_one_jit_step_on_unscaled_features_is_the_numpy_paths(scale, dt):
    # a saturated unit's 1 - a² was 4.8e-7 (not 0) on the compiled path in float32, times
    # inputs of 1e6: the first layer's weights 16% apart after one step (1e9: 100 times)
    _jit()
    X = (np.random.default_rng(0).normal(size=(64, 3)) * scale).astype(dt)
    y = (X[:, 0] > 0).astype(int)
    (W1, *rest), _ = _one_step(X, y, "jit", dt)
    (V1, *_), _ = _one_step(X, y, "fused", dt)
    assert _rel(W1, V1) <= 1e-5, (W1, V1)
    assert np.abs(W1).max() < 10  # (the compiled path moved W1 to 1e22 at 1e30)


def test_long_jit_run_on_unscaled_features_agrees_with_the_numpy_path():
    # the audit's run: 3-8-1 tanh, sigmoid + BCE, lr 0.1, 20,000 full-batch steps on float32
    # features of scale 1e4 (the compiled path ended at loss 0.076 against 0.145 before);
    # held to docs/jit.md's float32 tolerance, 1e-5 relative to each array's largest value
    _jit()
    rng = np.random.default_rng(0)
    X = (rng.normal(size=(64, 3)) * 1e4).astype(F32)
    y = (X[:, 0] > 0).astype(int)
    a, ha = _one_step(X, y, "jit", F32, epochs=20_000, lr=0.1)
    b, hb = _one_step(X, y, "fused", F32, epochs=20_000, lr=0.1)
    assert ha.engine == "jit" and hb.engine == "fused"
    for p, q in zip(a, b):
        assert _rel(p, q) <= 1e-5
    np.testing.assert_allclose(ha.loss, hb.loss, rtol=1e-5)


# ------------------------------------------------------------------ clip_grad_norm_
def test_clip_grad_norm_raises_where_the_norm_it_returns_is_not_finite():
    # PyTorch: "The total norm of order 2.0 for gradients from `parameters` is non-finite"
    p = nn.Parameter(np.zeros(2, F32))
    p.grad = np.array([3e38, 3e38], F32)
    with pytest.raises(RuntimeError, match=r"clip_grad_norm_: the total norm .* is inf"):
        nn.utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
    np.testing.assert_array_equal(p.grad, np.array([3e38, 3e38], F32))  # nothing clipped yet
    total = nn.utils.clip_grad_norm_([p], 1.0)  # without the check: inf, grads finite
    assert total.data.dtype == F32 and total.item() == np.inf
    np.testing.assert_allclose(p.grad, [2**-0.5, 2**-0.5], rtol=1e-6)
    q = nn.Parameter(np.zeros(2, F64))
    q.grad = np.array([3e38, 3e38])
    assert np.isclose(
        nn.utils.clip_grad_norm_([q], 1.0, error_if_nonfinite=True).item(), 4.243e38, rtol=1e-3
    )


# ------------------------------------------------------------------ losses
@pytest.mark.parametrize("name", ["huber_loss", "smooth_l1_loss"])
@pytest.mark.parametrize("dt", [F32, F64])
def test_huber_and_smooth_l1_pass_a_nan_predictions_nan_gradient(name, dt):
    # PyTorch 2.13: huber_loss and smooth_l1_loss of [nan, 1] against 0 give the gradient
    # [nan, 0.5] (glassnet gave [0, 0.5]: NaN took the |d| branch, and abs'(NaN) is 0)
    loss = getattr(nn.functional, name)
    x = gn.tensor(np.array([np.nan, 1.0, np.inf, -np.inf, 0.5], dt), requires_grad=True)
    out = loss(x, np.zeros(5, dt), reduction="none")
    out.sum().backward()
    assert np.isnan(out.data[0]) and np.isinf(out.data[2:4]).all()
    g = x.grad
    assert np.isnan(g[0]), g
    np.testing.assert_array_equal(g[1:], np.array([1.0, 1.0, -1.0, 0.5], dt))
    assert g.dtype == dt


@pytest.mark.parametrize("reduction", ["sum", "mean", "none"])
@pytest.mark.parametrize("dt", [F32, F64])
def test_cross_entropy_with_a_zero_class_weight_agrees_with_nll_loss(reduction, dt):
    # a class of weight 0 whose target logit is -inf (log-probability -inf): nll_loss picks
    # nothing there (0); cross_entropy multiplied L_n = inf by 0 (NaN). PyTorch 2.13 gives NaN
    # for both, loss and 'mean'; its gradient [-0, 0, 0] for the row. glassnet gives 0 for
    # both, its gradient 0: a weight of 0 masks the class (README: Coming from PyTorch).
    F = nn.functional
    z = np.array([[-np.inf, 0.0, 0.0], [0.0, 1.0, 2.0], [3.0, 1.0, -1.0]], dt)
    t = np.array([0, 1, 2])
    w = np.array([0.0, 1.0, 2.0], dt)
    x1 = gn.tensor(z, requires_grad=True)
    ce = F.cross_entropy(x1, t, weight=w, reduction=reduction)
    x2 = gn.tensor(z, requires_grad=True)
    nll = F.nll_loss(x2.log_softmax(1), t, weight=w, reduction=reduction)
    np.testing.assert_allclose(ce.data, nll.data, rtol=1e-6)
    assert np.isfinite(ce.data).all() and ce.data.dtype == dt
    ce.sum().backward()
    nll.sum().backward()
    np.testing.assert_allclose(x1.grad, x2.grad, rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(x1.grad[0], 0)
    # the value: rows 1 and 2 alone (row 0 adds 0, and to 'mean''s divisor its weight 0)
    rest = F.cross_entropy(gn.tensor(z[1:]), t[1:], weight=w, reduction=reduction)
    expect = rest.data if reduction != "none" else np.concatenate([[0], rest.data])
    np.testing.assert_allclose(ce.data, expect, rtol=1e-6)


# ------------------------------------------------------------------ optimizers at huge grads
@pytest.mark.parametrize(
    ("name", "grad", "torch_w"),
    [  # torch.optim's weight after one step from w = 1, lr 0.1, float32 (PyTorch 2.13)
        ("Adam", 1e20, 0.9000000357627869),
        ("AdamW", 1e20, 0.8990000486373901),
        ("RMSprop", 1e20, 0.0),
        ("Adadelta", 3e19, 0.9996837973594666),
        ("NAdam", 3e38, 1.0),
        ("NAdam", -3e38, 1.0),
    ],
)
def test_optimizers_step_at_huge_float32_gradients_as_pytorch(name, grad, torch_w):
    # (1 - β) g² formed as g² first overflowed float32 from |g| = 1.8e19: v = inf and the
    # step m / √v = 0 (the weight stayed at 1); PyTorch's addcmul scales first. NAdam's
    # g / (1 - Π) overflowed at 3e38 and the weight became NaN.
    p = nn.Parameter(np.ones(1, F32))
    opt = getattr(gn.optim, name)([p], lr=0.1)
    p.grad = np.array([grad], F32)
    with np.errstate(over="ignore"):  # (NAdam's v is inf at 3e38, as PyTorch's)
        opt.step()
    assert p.data.dtype == F32
    np.testing.assert_allclose(p.data, [torch_w], rtol=1e-6, atol=1e-7)
