"""Round 28: an optimizer built at lr 0 (PyTorch takes it) given to fit."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet.nn import MLP

X = np.random.default_rng(0).random((8, 2)).astype(np.float32)
y = (X[:, 0] > 0.5).astype(np.float32)


def _model():
    return MLP([2, 3, 1], output_activation="sigmoid", rng=0)


@pytest.mark.parametrize("make", [gn.optim.SGD, gn.optim.Adam])
def test_an_optimizer_at_lr_0_in_every_group_is_refused_as_fit_lr_0_is(make):
    # optimizers take lr=0.0 now, as PyTorch's; fit with one ran every epoch moving nothing
    m = _model()
    before = [p.data.copy() for p in m.parameters()]
    with pytest.raises(ValueError, match=r"fit: .*lr is 0 in every param group.*lr > 0"):
        gn.fit(m, X, y, loss="binary_cross_entropy", optimizer=make(m.parameters(), lr=0.0))
    assert all(np.array_equal(a, p.data) for a, p in zip(before, m.parameters(), strict=True))


def test_a_group_at_lr_0_beside_another_and_a_warm_up_from_0_still_train():
    m = _model()
    first, *rest = m.parameters()
    opt = gn.optim.SGD([{"params": [first], "lr": 0.0}, {"params": rest}], lr=0.5)
    before = first.data.copy()
    gn.fit(m, X, y, loss="binary_cross_entropy", optimizer=opt, epochs=2)
    assert np.array_equal(before, first.data)  # (the group at 0 unmoved, the rest trained)
    m = _model()
    opt = gn.optim.SGD(m.parameters(), lr=0.5)
    warm = gn.lr_scheduler.LambdaLR(opt, lambda e: e / 3)  # (a warm-up: lr 0 at epoch 0)
    assert opt.param_groups[0]["lr"] == 0
    start = [p.data.copy() for p in m.parameters()]
    gn.fit(m, X, y, loss="binary_cross_entropy", optimizer=opt, epochs=3, schedule=warm)
    assert any(not np.array_equal(a, p.data) for a, p in zip(start, m.parameters(), strict=True))
