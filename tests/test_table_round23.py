"""The public activation table read by every engine: a vector activation's derivative (its
Jacobian), a new table entry as a network's activation module, and stop rules that decide per
step."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import glassnet as gn
from glassnet import functional as F
from glassnet import nn
from glassnet.train import Callback


def sharp_fn(z: np.ndarray, axis: int = -1) -> np.ndarray:
    """softmax(2 z): a softmax with temperature 1/2."""
    return F.softmax_fn(2.0 * z, axis=axis)


def sharp_jac(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Its Jacobian d a_i / d z_j = 2 a_i (delta_ij - a_j), shape (..., C, C)."""
    return 2.0 * F.softmax_jac(z, a)


SHARP = F.Activation(
    "sharp_softmax", sharp_fn, sharp_jac, "e^{2 z_i} / sum_j e^{2 z_j}", "2 g_i (delta_ij - g_j)",
    elementwise=False,
)  # fmt: skip
SOFTPLUS = F.Activation(
    "softplus", lambda z: np.logaddexp(0, z), lambda z, a: 1 / (1 + np.exp(-z)),
    "log(1 + e^z)", "sigma(z)",
)  # fmt: skip
RNG = np.random.default_rng(0)
X = RNG.standard_normal((6, 3))
Y = np.eye(3)[[0, 1, 2, 0, 1, 2]]


@pytest.fixture
def table(monkeypatch: pytest.MonkeyPatch) -> dict:
    """The table, with the two new entries (taken out again after the test)."""
    monkeypatch.setitem(F.ACTIVATIONS, "sharp_softmax", SHARP)
    monkeypatch.setitem(F.ACTIVATIONS, "softplus", SOFTPLUS)
    return F.ACTIVATIONS


def fd_grad(f, W0: np.ndarray, h: float = 1e-6) -> np.ndarray:
    num = np.zeros_like(W0)
    for i in np.ndindex(W0.shape):
        Wp, Wm = W0.copy(), W0.copy()
        Wp[i] += h
        Wm[i] -= h
        num[i] = (f(Wp) - f(Wm)) / (2 * h)
    return num


def fit_grad(model: nn.Module, engine: str, **kw) -> np.ndarray:
    h = gn.fit(model, X, Y, loss="mse", lr=1e-300, epochs=1, batch_size=6, engine=engine,
               verbose=0, **kw)  # fmt: skip
    assert h.engine == engine
    return np.array(model.layers[0].W.grad)


# ------------------------------------------------------ a vector activation's derivative
@pytest.mark.parametrize("axis", [-1, 0, 1])
def test_vector_entry_gradcheck(table, axis):
    z = gn.Tensor(RNG.standard_normal((4, 3)), requires_grad=True)
    gn.gradcheck(lambda t: F.activation(t, "sharp_softmax", axis=axis) ** 2, z)


@pytest.mark.parametrize("engine", ["graph", "fused"])
def test_vector_entry_trains_on_its_own_jacobian(table, engine):
    class Sharp(nn.ActivationModule):
        name = "sharp_softmax"

    m = nn.Sequential(nn.Linear(3, 3, rng=0, dtype=np.float64), Sharp())
    W0, b0 = m.layers[0].W.data.copy(), m.layers[0].b.data.copy()
    num = fd_grad(lambda W: np.mean((sharp_fn(X @ W + b0) - Y) ** 2), W0)
    np.testing.assert_allclose(fit_grad(m, engine), num, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("engine", ["graph", "fused"])
def test_softmax_entry_derivative_is_read(monkeypatch, engine):
    def mk():
        return nn.MLP([3, 4, 3], "tanh", "softmax", rng=0, dtype=np.float64)

    before = fit_grad(mk(), engine)
    sm = F.ACTIVATIONS["softmax"]
    monkeypatch.setitem(
        F.ACTIVATIONS, "softmax", dataclasses.replace(sm, grad=lambda z, a: 3 * F.softmax_jac(z, a))
    )
    np.testing.assert_allclose(fit_grad(mk(), engine), 3 * before, rtol=1e-10)
    z = gn.Tensor(X, requires_grad=True)
    (F.softmax(z) * gn.Tensor(Y)).sum().backward()
    s = F.softmax_fn(X)
    np.testing.assert_allclose(z.grad, 3 * s * (Y - np.sum(Y * s, 1, keepdims=True)))


def test_builtin_softmax_backward_is_the_jvp():
    """The built-in entry keeps the Jacobian-vector product: the same bits as before."""
    z, g = RNG.standard_normal((5, 4)), RNG.standard_normal((5, 4))
    a = F.softmax_fn(z)
    out = F.ACTIVATIONS["softmax"].backward(g, z, a)
    assert np.array_equal(out, a * (g - np.sum(g * a, axis=-1, keepdims=True)))


# ------------------------------------------------------ a new entry as a module
def test_new_entry_builds_modules(table):
    for m in (
        nn.MLP([2, 3, 1], activation="softplus", rng=0),
        nn.MLP([2, 3, 1], activation="relu", output_activation="softplus", rng=0),
        nn.Neuron(2, "softplus", rng=0),
    ):
        acts = [x for x in m.layers if isinstance(x, nn.ActivationModule)]
        assert [a.name for a in acts][-1:] == ["softplus"]
        assert "softplus" in repr(m)
    mod = nn.activation_module("softplus")
    assert mod.name == "softplus" and mod.activation is SOFTPLUS
    again = nn.from_config(mod.config())
    assert type(again) is type(mod) and again.name == "softplus"
    z = gn.Tensor(RNG.standard_normal((4, 3)), requires_grad=True)
    gn.gradcheck(lambda t: mod(t), z)


@pytest.mark.parametrize("engine", ["graph", "fused"])
def test_new_entry_mlp_trains(table, engine):
    m = nn.MLP([3, 4, 3], activation="softplus", rng=0, dtype=np.float64)
    W1, b1 = m.layers[0].W.data.copy(), m.layers[0].b.data.copy()
    W2, b2 = m.layers[2].W.data.copy(), m.layers[2].b.data.copy()
    num = fd_grad(lambda W: np.mean((np.logaddexp(0, X @ W + b1) @ W2 + b2 - Y) ** 2), W1)
    np.testing.assert_allclose(fit_grad(m, engine), num, rtol=1e-6, atol=1e-9)


def test_unknown_name_still_refused():
    with pytest.raises(ValueError, match="Unknown activation 'softplus2'"):
        nn.activation_module("softplus2")


# ------------------------------------------------------ stop rules' step hook
class StepStop(Callback):
    def on_step_end(self, s):
        if s.step >= 3:
            s.stop, s.stop_reason = True, "three_steps"


@pytest.mark.parametrize("where", ["stop_rules", "callbacks"])
@pytest.mark.parametrize("engine", ["auto", "graph"])
def test_stop_rule_step_hook(where, engine):
    Xr = RNG.standard_normal((32, 2))
    yr = Xr[:, :1] * 2
    m = nn.MLP([2, 3, 1], rng=0)
    h = gn.fit(m, Xr, yr, loss="mse", epochs=5, batch_size=4, engine=engine, verbose=0,
               **{where: [StepStop()]})  # fmt: skip
    assert (h.steps, h.stop_reason) == (3, "three_steps")
