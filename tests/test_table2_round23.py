"""The activation table's entries, second part: a vector entry's Jacobian taken a few rows at
a time and its shape checked; a table key whose entry has another ``.name``; a network of an
added entry saved, and refused clearly where the entry is missing; engine='jit' naming a stop
rule's step hook; TableActivation exported from glassnet.nn."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import glassnet as gn
from glassnet import functional as F
from glassnet import nn
from glassnet.train import Callback

SOFTPLUS = F.Activation(
    "softplus", lambda z: np.logaddexp(0, z), lambda z, a: 1 / (1 + np.exp(-z)),
    "log(1 + e^z)", "sigma(z)",
)  # fmt: skip
RNG = np.random.default_rng(0)
X = RNG.standard_normal((6, 2))
Y = X[:, :1] * 2.0


@pytest.fixture
def softplus(monkeypatch: pytest.MonkeyPatch) -> F.Activation:
    monkeypatch.setitem(F.ACTIVATIONS, "softplus", SOFTPLUS)
    return SOFTPLUS


# --------------------------------------------- a vector entry's Jacobian, rows in blocks
@pytest.mark.parametrize(("shape", "axis"), [((10, 4), -1), ((3, 4, 5), 1), ((0, 4), -1)])
def test_jacobian_rows_in_blocks(monkeypatch, shape, axis):
    seen: list[tuple[int, ...]] = []

    def jac(z: np.ndarray, a: np.ndarray) -> np.ndarray:
        seen.append(a.shape)
        return F.softmax_jac(z, a)

    C = shape[axis]
    monkeypatch.setattr(F, "JACOBIAN_BYTES", 8 * C * C * 3)  # (3 rows' J at a time)
    act = F.Activation("wrapped", F.softmax_fn, jac, "", "", elementwise=False)
    z = RNG.standard_normal(shape)
    a, g = F.softmax_fn(z, axis=axis), RNG.standard_normal(shape)
    got = act.backward(g, z, a, axis=axis)
    jvp = F.ACTIVATIONS["softmax"].backward(g, z, a, axis=axis)  # (softmax's own product)
    assert got.shape == shape and got.dtype == g.dtype
    np.testing.assert_allclose(got, jvp, rtol=1e-12, atol=1e-15)
    assert seen and all(s[0] <= 3 and s[1:] == (C,) for s in seen), seen
    assert sum(s[0] for s in seen) == z.size // C


def test_jacobian_blocks_keep_float32():
    act = F.Activation("w", F.softmax_fn, lambda z, a: F.softmax_jac(z, a), "", "", False)
    z = RNG.standard_normal((5, 3)).astype(np.float32)
    a = F.softmax_fn(z)
    got = act.backward(np.ones_like(z), z, a)
    assert got.dtype == np.float32


# ---------------------------------------------------- a Jacobian of the wrong shape
@pytest.mark.parametrize("n", [3, 5])  # (n == C: the old product gave a wrong gradient)
def test_vector_grad_of_wrong_shape_refused(n):
    bad = F.Activation("bad", F.softmax_fn, lambda z, a: a * (1 - a), "", "", elementwise=False)
    z = RNG.standard_normal((n, 3))
    with pytest.raises(ValueError, match=r"'bad' has elementwise=False.*\(\.\.\., C, C\)"):
        bad.backward(np.ones_like(z), z, F.softmax_fn(z))


# ------------------------------------------------- the key the user gave, not .name
def test_copied_entry_builds_its_own_module(monkeypatch):
    scaled = dataclasses.replace(  # (keeps name='tanh')
        F.ACTIVATIONS["tanh"], fn=lambda z: 1.7159 * np.tanh(2 * z / 3),
        grad=lambda z, a: 1.7159 * 2 / 3 * (1 - np.tanh(2 * z / 3) ** 2),
    )  # fmt: skip
    monkeypatch.setitem(F.ACTIVATIONS, "scaled_tanh", scaled)
    m = nn.MLP([2, 3, 1], activation="scaled_tanh", rng=0, dtype=np.float64)
    assert isinstance(m.layers[1], nn.layers.TableActivation)
    assert m.layers[1].name == "scaled_tanh"
    z = np.array([[1.0, -2.0, 3.0]])
    np.testing.assert_allclose(m.layers[1](gn.Tensor(z)).data, scaled.fn(z))
    assert nn.Neuron(2, activation="scaled_tanh").activation == "scaled_tanh"
    assert nn.activation_module("tanh").__class__ is nn.Tanh  # (the built-in stays)


def test_key_differing_from_name_resolves(monkeypatch):
    monkeypatch.setitem(F.ACTIVATIONS, "sp2", dataclasses.replace(SOFTPLUS, name="mysoftplus"))
    assert nn.activation_module("sp2").name == "sp2"
    assert nn.MLP([2, 3, 1], activation="sp2").layers[1].name == "sp2"
    monkeypatch.setitem(F.ACTIVATIONS, "sp", dataclasses.replace(SOFTPLUS, name="SoftPlus"))
    monkeypatch.setitem(F.ACTIVATIONS, "softplus", F.ACTIVATIONS["tanh"])  # (another entry)
    assert nn.activation_module("sp").name == "sp"
    assert nn.activation_module("Logistic").__class__ is nn.Sigmoid  # (an alias still reads)


# --------------------------------------------------- saving; the entry missing here
def test_save_and_load_a_table_activation(softplus, tmp_path):
    m = nn.MLP([2, 3, 1], activation="softplus", rng=0)
    gn.save(m, tmp_path / "m.gn")
    back = gn.load(tmp_path / "m.gn")
    assert type(back.layers[1]) is nn.layers.TableActivation and back.layers[1].name == "softplus"
    np.testing.assert_array_equal(back(gn.Tensor(X)).data, m(gn.Tensor(X)).data)


def test_missing_entry_refused_clearly(monkeypatch):
    monkeypatch.setitem(F.ACTIVATIONS, "softplus", SOFTPLUS)
    m = nn.MLP([2, 3, 1], activation="softplus", rng=0)
    monkeypatch.delitem(F.ACTIVATIONS, "softplus")  # (as in a process that never added it)
    clear = r"'softplus' is not in glassnet\.functional\.ACTIVATIONS in this process.*add it"
    with pytest.raises(ValueError, match="fit: the activation " + clear):
        gn.fit(m, X, Y, loss="mse", epochs=1, verbose=0)
    with pytest.raises(ValueError, match=clear):
        gn.explain(m, X[:1], Y[:1])
    with pytest.raises(ValueError, match="TableActivation: the activation " + clear):
        nn.from_config({"type": "TableActivation", "name": "softplus"})


# ------------------------------------------------------ engine='jit' and a stop rule
def test_jit_refusal_names_a_stop_rule():
    class StepStop(Callback):
        def on_step_end(self, s):
            s.stop = True

    with pytest.raises(ValueError, match=r"StepStop \(a stop rule or callback given to fit\)"):
        gn.fit(nn.MLP([2, 3, 1], rng=0), X, Y, loss="mse", epochs=1, batch_size=2,
               engine="jit", verbose=0, stop_rules=[StepStop()])  # fmt: skip


# ------------------------------------------------------------------- the export
def test_table_activation_exported():
    assert nn.TableActivation is nn.layers.TableActivation and "TableActivation" in nn.__all__
