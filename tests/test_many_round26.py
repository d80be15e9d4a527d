"""fit_many sums a float32 loss as fit does: a sum of finite terms that overflows float32 is
taken again in float64 (gradient.loss_sum), in training and in validation, so a model is
not called diverged where its own fit would go on."""

import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn


def _data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(32, 3))
    return X, (X[:, 0] > 0).astype(int)


def _net():
    gn.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))


def test_fit_many_diverges_where_fit_does_on_an_overflowing_float32_sum():
    X, y = _data()
    opts = dict(loss="cross_entropy", epochs=3, seed=0, batch_size=8,
                sample_weight=np.full(32, 1e38))  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (fit's warnings of the huge weights)
        try:
            gn.fit(_net(), X, y, verbose=0, **opts)
        except gn.DivergenceError as e:
            assert "at step 2 (epoch 1)" in str(e)  # the first step's loss is finite
        hs = gn.fit_many([_net(), _net()], X, y, **opts)
    for h in hs:
        assert h.stop_reason == "diverged" and h.steps == 1  # (was 0: the sum read as inf)


def test_fit_many_validation_loss_sums_past_float32_overflow():
    X, y = _data()
    r = np.random.default_rng(1)
    Xv, yv = r.normal(size=(16, 3)), r.integers(0, 2, 16)
    opts = dict(loss="cross_entropy", epochs=1, seed=0, batch_size=8, lr=1e-30,
                validation_data=(Xv, yv, np.full(16, 3e37)))  # fmt: skip
    m = _net()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        h1 = gn.fit(m, X, y, verbose=0, **opts)
        hs = gn.fit_many([_net()], X, y, **opts)
    assert np.isfinite(h1.val_loss[0]) and h1.val_loss[0] > 1e37  # (16 terms of ~2e37)
    assert hs[0].val_loss[0] == h1.val_loss[0]


@pytest.mark.parametrize("seed", range(8))
def test_fit_many_validation_means_round_as_fit_s_beside_an_overflowed_model(seed):
    """One model's float32 validation sum overflows (taken again in float64); the other's
    mean keeps fit's float32 product (the sum times float32(1 / n)), bit for bit."""
    rng = np.random.default_rng(seed)
    X, y = rng.normal(size=(7, 2)).astype(np.float32), rng.normal(size=7)
    Xv, yv = rng.normal(size=(5, 2)), rng.normal(size=5)
    nets = []
    for k in range(2):
        gn.manual_seed(k)
        nets.append(nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1)))
    with gn.no_grad():
        nets[1][1].b.data[:] = 1e19  # (squared errors of 1e38: their float32 sum overflows)
    opts = dict(loss="mse", epochs=1, lr=1e-30, validation_data=(Xv, yv))
    singles = []
    for k in range(2):
        gn.manual_seed(k)
        m = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1))
        m.load_state_dict(nets[k].state_dict())
        singles.append(gn.fit(m, X, y, verbose=0, **opts).val_loss[0])
    hs = gn.fit_many(nets, X, y, **opts)
    assert np.isfinite(singles[1]) and singles[1] > 1e37
    assert [h.val_loss[0] for h in hs] == singles
