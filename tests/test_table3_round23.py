"""The activation and loss tables, third part: an added vector entry ending a model scored
on its own output by cross_entropy; a loss entry whose fn is replaced followed by every
engine (or refused by the fast ones); explain of a vector entry other than softmax; an MLP
or Neuron of an added entry loaded where the entry is missing; a Neuron of a vector entry."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import glassnet as gn
from glassnet import functional as F
from glassnet import nn


def _sharp_fn(z: np.ndarray, axis: int = -1) -> np.ndarray:
    return F.softmax_fn(2.0 * z, axis=axis)


def _sharp_jac(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return 2.0 * F.softmax_jac(2.0 * z, a)


SHARP = F.Activation("sharp", _sharp_fn, _sharp_jac, "softmax(2 z)", "2 J", elementwise=False)
SOFTPLUS = F.Activation(
    "softplus", lambda z: np.logaddexp(0, z), lambda z, a: 1 / (1 + np.exp(-z)),
    "log(1 + e^z)", "sigma(z)",
)  # fmt: skip
RNG = np.random.default_rng(0)
X = RNG.standard_normal((16, 3)).astype(np.float32)
Y = np.eye(3, dtype=np.float32)[RNG.integers(0, 3, 16)]


@pytest.fixture(autouse=True)
def tables(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tables as they were after each test (entries added or replaced put back)."""
    monkeypatch.setattr(F, "ACTIVATIONS", dict(F.ACTIVATIONS))
    monkeypatch.setattr(F, "LOSSES", dict(F.LOSSES))
    F.ACTIVATIONS["sharp"] = SHARP
    F.ACTIVATIONS["softplus"] = SOFTPLUS


# --------------------------------------- an added vector head under cross_entropy
@pytest.mark.parametrize("key", ["sharp", "soft_named"])
@pytest.mark.parametrize("engine", ["graph", "auto"])
def test_vector_head_scored_on_its_output(key, engine):
    F.ACTIVATIONS["soft_named"] = dataclasses.replace(SHARP, name="softmax")
    m = nn.MLP([3, 4, 3], activation="tanh", output_activation=key, rng=0)
    h = gn.fit(m, X, Y, loss="cross_entropy", epochs=1, lr=1e-30, batch_size=16,
               engine=engine, verbose=0)  # fmt: skip
    out = m(gn.tensor(X)).data.astype(np.float64)
    assert h.loss[-1] == pytest.approx(-(Y * np.log(out)).sum(1).mean(), rel=1e-5)


def test_vector_head_without_probabilities_refused():
    F.ACTIVATIONS["unit"] = F.Activation(
        "unit", lambda z, axis=-1: z / np.linalg.norm(z, axis=axis, keepdims=True),
        lambda z, a: np.broadcast_to(np.eye(z.shape[-1]), (*z.shape, z.shape[-1])),
        "", "", elementwise=False,
    )  # fmt: skip
    m = nn.MLP([3, 4, 3], activation="tanh", output_activation="unit", rng=0)
    with pytest.raises(ValueError, match="'unit', a vector activation.*< 0"):
        gn.fit(m, X, Y, loss="cross_entropy", epochs=1, verbose=0)


def test_softmax_head_still_on_logits():
    m = nn.MLP([3, 4, 3], activation="tanh", output_activation="softmax", rng=0)
    h = gn.fit(m, X, Y, loss="cross_entropy", epochs=1, lr=1e-30, batch_size=16,
               engine="graph", verbose=0)  # fmt: skip
    out = m(gn.tensor(X)).data.astype(np.float64)
    assert h.loss[-1] == pytest.approx(-(Y * np.log(out)).sum(1).mean(), rel=1e-5)


# --------------------------------------- a loss entry whose fn is replaced
def _fit(engine: str) -> gn.History:
    y = X[:, :1] * 2.0
    net = nn.MLP([3, 4, 1], activation="tanh", rng=0)
    return gn.fit(net, X, y, loss="mse", epochs=1, lr=1e-30, batch_size=16,
                  engine=engine, verbose=0)  # fmt: skip


def test_replaced_loss_fn_same_on_graph_and_auto():
    built = _fit("auto").loss[-1]
    mse = F.LOSSES["mse"]
    F.LOSSES["mse"] = dataclasses.replace(mse, fn=lambda *a, **k: 2 * mse.fn(*a, **k))
    graph, auto = _fit("graph"), _fit("auto")
    assert auto.engine == "graph"
    assert graph.loss[-1] == auto.loss[-1] == pytest.approx(2 * built, rel=1e-6)


@pytest.mark.parametrize("engine", ["fused", "jit"])
def test_replaced_loss_fn_refused_by_fast_engines(engine):
    mse = F.LOSSES["mse"]
    F.LOSSES["mse"] = dataclasses.replace(mse, fn=lambda *a, **k: 2 * mse.fn(*a, **k))
    with pytest.raises(
        ValueError, match=f"engine='{engine}'.*'mse' of glassnet.functional.LOSSES was replaced"
    ):
        _fit(engine)


def test_replaced_on_logits_fn_refused_by_fused():
    ce = F.LOSSES["cross_entropy"]
    F.LOSSES["cross_entropy"] = dataclasses.replace(ce, fn=lambda *a, **k: 2 * ce.fn(*a, **k))
    m = nn.MLP([3, 4, 3], activation="tanh", output_activation="softmax", rng=0)
    with pytest.raises(ValueError, match="'cross_entropy' of glassnet.functional.LOSSES"):
        gn.fit(m, X, Y, loss="cross_entropy", epochs=1, engine="fused", verbose=0)


def test_replaced_loss_kernel_still_fused():
    mse = F.LOSSES["mse"]
    F.LOSSES["mse"] = dataclasses.replace(mse, kernel=lambda *a, **k: mse.kernel(*a, **k))
    assert _fit("fused").engine == "fused"


# --------------------------------------- explain of an added vector entry
@pytest.mark.parametrize("where", ["output_activation", "activation"])
def test_explain_vector_entry(where):
    kw = {"activation": "tanh", where: "sharp"}
    m = nn.MLP([3, 4, 3], **kw, rng=0)
    text = str(gn.explain(m, X[:1].astype(np.float64), Y[:1], loss="mse"))
    assert "of 'sharp'" in text and "sharp(z" in text


# --------------------------------------- an MLP/Neuron of an added entry, loaded elsewhere
@pytest.mark.parametrize(
    "build", [lambda: nn.MLP([3, 4, 1], activation="softplus", rng=0),
              lambda: nn.Neuron(3, "softplus"),
              lambda: nn.MLP([3, 4, 1], activation=["softplus"], rng=0),
              lambda: nn.MLP([3, 4, 1], output_activation="softplus", rng=0)],
)  # fmt: skip
def test_missing_entry_of_a_loaded_model(tmp_path, build):
    gn.save(build(), tmp_path / "m.gn")
    cfg = build().config()
    del F.ACTIVATIONS["softplus"]
    said = "'softplus' is not in glassnet.functional.ACTIVATIONS in this process.*add it"
    with pytest.raises(Exception, match=said):
        gn.load(tmp_path / "m.gn")
    with pytest.raises(ValueError, match=f"{cfg['type']}: the activation {said}"):
        nn.from_config(cfg)


def test_unknown_name_at_build_unchanged():
    with pytest.raises(ValueError, match="Unknown activation 'softplux'"):
        nn.MLP([3, 4, 1], activation="softplux")


# --------------------------------------- a Neuron of a vector entry
def test_neuron_of_vector_entry_refused():
    with pytest.raises(ValueError, match="Neuron: the activation 'sharp' is a vector one"):
        nn.Neuron(3, "sharp")
    assert nn.Neuron(3, "softplus")(gn.tensor(np.ones((2, 3)))).shape == (2, 1)
