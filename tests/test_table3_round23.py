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
