"""The lead's fixes of round 12, each with a test that failed before it."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn


def _data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 2)).astype(np.float32)
    return X, (X[:, :1] > 0).astype(np.float32)


def _model():
    gn.manual_seed(0)
    return nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1), nn.Sigmoid())


@pytest.mark.parametrize("engine", ["jit", "auto", "fused", "graph"])
@pytest.mark.parametrize("batch_size", [None, 16])
def test_empty_stop_rules_is_no_rule_on_every_engine(engine, batch_size):
    # stop_rules=[] (no rule at all) was refused by engine='jit' as if rules were given
    if engine == "jit":
        pytest.importorskip("numba")
    X, y = _data()
    a, b = _model(), _model()
    ha = gn.fit(a, X, y, loss="bce", epochs=12, engine=engine, batch_size=batch_size,
                stop_rules=[], seed=0)  # fmt: skip
    hb = gn.fit(b, X, y, loss="bce", epochs=12, engine=engine, batch_size=batch_size, seed=0)
    assert ha.engine == hb.engine and ha.stop_reason == "max_epochs" and ha.epochs == 12
    assert ha.loss == hb.loss
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(p.data, q.data)
