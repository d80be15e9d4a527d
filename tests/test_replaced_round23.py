"""A replaced entry of glassnet.functional's tables (ACTIVATIONS, LOSSES): explain and
viz.local_derivative show its own description, never the built-in's formula beside its
numbers; ONNX export and gn.save refuse it, saying so and what to do."""

import dataclasses

import numpy as np
import pytest

import glassnet as gn
from glassnet import functional as F
from glassnet import nn
from glassnet.explain import explain
from glassnet.viz import local_derivative


def _net():
    return nn.Sequential(nn.Linear(2, 1, rng=0, dtype=np.float64), nn.Tanh())


def _quartic(P, Y, G, keep=None, value=True):  # (y_hat - y)^4 / 4: dL/dy_hat = (y_hat - y)^3
    np.power(P - Y, 3, out=G)
    return (P - Y) ** 4 / 4


def _row(text, needle):
    return next(line for line in text.splitlines() if needle in line)


def test_builtin_entries_are_not_replaced(tables):
    from glassnet.explain import replaced_entry

    assert not any(replaced_entry(n) for n in F.ACTIVATIONS)
    assert not any(replaced_entry(n, loss=True) for n in F.LOSSES)
    # a copy that changes only a text computes the built-in function
    F.ACTIVATIONS["tanh"] = dataclasses.replace(F.ACTIVATIONS["tanh"], formula="tanh z")
    assert not replaced_entry("tanh")
    F.ACTIVATIONS["tanh"] = dataclasses.replace(F.ACTIVATIONS["tanh"], grad=lambda z, a: 3 - a * a)
    assert replaced_entry("tanh") and not replaced_entry("sigmoid")
    F.ACTIVATIONS["softplus"] = F.Activation(
        "softplus", lambda z: np.logaddexp(0, z), lambda z, a: 1 - np.exp(-a), "log(1 + e^z)", "s"
    )
    assert not replaced_entry("softplus")  # (a name added: no built-in to differ from)
    F.LOSSES["mse"] = dataclasses.replace(F.LOSSES["mse"], kernel=_quartic)
    assert replaced_entry("mse", loss=True) and not replaced_entry("half_mse", loss=True)
    with pytest.raises(TypeError, match="name must be a str"):
        replaced_entry(3)


def test_explain_shows_a_replaced_derivative_by_its_own_text(tables):
    before = str(explain(_net(), [1.0, 0.5], 1.0))
    assert "g′(z) = 1 − ŷ²" in before  # (the built-in: as before)
    tanh = F.ACTIVATIONS["tanh"]
    F.ACTIVATIONS["tanh"] = dataclasses.replace(
        tanh, grad=lambda z, a: 3.0 - a * a, derivative="3 - g(z)^2"
    )
    row = _row(str(explain(_net(), [1.0, 0.5], 1.0)), "ŷ -> z")
    assert "1 − ŷ²" not in row and "g′(z) = 3 − ŷ²" in row and "2.996" in row
    # the derivative's text left as the built-in's: no formula, the entry named
    F.ACTIVATIONS["tanh"] = dataclasses.replace(tanh, grad=lambda z, a: 3.0 - a * a)
    row = _row(str(explain(_net(), [1.0, 0.5], 1.0)), "ŷ -> z")
    assert "1 − ŷ²" not in row and "replaced" in row and "'tanh'" in row and "2.996" in row
    F.ACTIVATIONS["tanh"] = tanh
    assert str(explain(_net(), [1.0, 0.5], 1.0)) == before


def test_explain_shows_a_replaced_loss_by_its_own_text(tables):
    before = str(explain(_net(), [1.0, 0.5], 1.0, loss="half_mse"))
    half = F.LOSSES["half_mse"]
    F.LOSSES["half_mse"] = dataclasses.replace(half, kernel=_quartic, formula="(y_hat - y)^4 / 4")
    e = explain(_net(), [1.0, 0.5], 1.0, loss="half_mse", paths=True)
    text = str(e)
    assert "Loss: L = (ŷ − y)^4 / 4" in text
    step1 = _row(text, "Step 1.")
    assert "ŷ − y" not in step1 and "replaced" in step1 and "-0.826" in step1
    assert "½" not in text and "(ŷ − y)" not in e.paths("w0").symbolic
    # the formula's text left as the built-in's: none shown
    F.LOSSES["half_mse"] = dataclasses.replace(half, kernel=_quartic)
    text = str(explain(_net(), [1.0, 0.5], 1.0, loss="half_mse", sample_weight=[2.0]))
    assert "½" not in text and "ŷ − y" not in text and "replaced" in _row(text, "Loss:")
    F.LOSSES["half_mse"] = half
    assert str(explain(_net(), [1.0, 0.5], 1.0, loss="half_mse")) == before


def test_local_derivative_of_a_replaced_loss(tables):
    def label():
        p = gn.Tensor(np.array([3.0]), requires_grad=True)
        return local_derivative(F.mse(p, np.array([1.0])), 0)

    assert label() == "2 (3 − y) = 4"
    F.LOSSES["mse"] = dataclasses.replace(F.LOSSES["mse"], kernel=_quartic)
    got = label()
    assert "2 (3 − y)" not in got and "replaced" in got and got.endswith("= 8")


def test_onnx_export_refuses_a_replaced_entry(tables, tmp_path):
    pytest.importorskip("onnx")
    import glassnet.onnx as gonnx

    m = nn.MLP([2, 3, 1], activation="tanh", rng=0, dtype=np.float32)
    F.ACTIVATIONS["tanh"] = dataclasses.replace(
        F.ACTIVATIONS["tanh"], fn=lambda z: 1.7159 * np.tanh(z * 2 / 3)
    )
    with pytest.raises(gonnx.OnnxError) as info:
        gonnx.export(m, tmp_path / "m.onnx")
    msg = str(info.value)
    assert "please report" not in msg and "'tanh'" in msg and "replaced" in msg
    assert "built-in" in msg and not (tmp_path / "m.onnx").exists()


def test_save_refuses_a_replaced_entry(tables, tmp_path):
    m = nn.MLP([2, 3, 1], activation="tanh", rng=0)
    gn.save(m, tmp_path / "before.glassnet")  # (the built-in: saved as before)
    F.ACTIVATIONS["tanh"] = dataclasses.replace(
        F.ACTIVATIONS["tanh"], fn=lambda z: 1.7159 * np.tanh(z * 2 / 3)
    )
    with pytest.raises(TypeError) as info:
        gn.save(m, tmp_path / "m.glassnet")
    msg = str(info.value)
    assert "'tanh'" in msg and "replaced" in msg and "state_dict()" in msg
    assert not (tmp_path / "m.glassnet").exists()
    gn.save(m.state_dict(), tmp_path / "sd.glassnet")  # (what it says to do)


def test_explain_writes_an_added_entry_derivative_with_the_node_names(tables):
    F.ACTIVATIONS["softplus"] = F.Activation(
        "softplus",
        lambda z: np.logaddexp(0, z),
        lambda z, a: 1 / (1 + np.exp(-z)),
        "log(1 + e^z)",
        "sigma(z)",
    )
    net = nn.Sequential(
        nn.Linear(2, 2, rng=0, dtype=np.float64),
        nn.activation_module("softplus"),
        nn.Linear(2, 1, rng=1, dtype=np.float64),
    )
    row = _row(str(explain(net, [1.0, 0.5], 1.0)), "a₁ -> z₁")
    assert "g′(z₁) = sigma(z₁)" in row  # (it read sigma(z), z not the node's name)
