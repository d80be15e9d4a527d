"""A practitioner's second review of the modules past one machine (fit_many, search, MPI,
datasets): each test is a case where they did otherwise than glassnet.fit or their
documents say."""

from __future__ import annotations

import numpy as np
import pytest

from glassnet import nn
from glassnet.many import fit_many
from glassnet.train import fit


def _bce_data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    return X, (X[:, 0] * X[:, 1] > 0).astype(float)


def _net(seed):
    return nn.MLP(
        [3, 5, 1], activation="tanh", output_activation="sigmoid", rng=seed, dtype=np.float64
    )


def _flat(m):
    return np.concatenate([p.data.ravel() for p in m.parameters()])


def test_fit_many_takes_a_range_of_seeds_one_per_model():
    # "seed takes one value for all models or a sequence of one per model": range(K), the
    # seed study's own spelling (search's grid takes it), was refused as no seed at all
    X, y = _bce_data()
    kw = dict(loss="binary_cross_entropy", lr=0.5, epochs=4, batch_size=8)
    models = [_net(k) for k in range(3)]
    hs = fit_many(models, X, y, seed=range(3), **kw)
    for k, (m, h) in enumerate(zip(models, hs)):
        alone = _net(k)
        ha = fit(alone, X, y, seed=k, verbose=0, engine="fused", **kw)
        np.testing.assert_array_equal(_flat(m), _flat(alone))
        assert h.loss == ha.loss
    with pytest.raises(ValueError, match=r"seed must be one value or one per model \(3\)"):
        fit_many([_net(k) for k in range(3)], X, y, seed=range(2), **kw)
