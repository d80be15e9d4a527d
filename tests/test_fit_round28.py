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


def test_a_ctrl_c_while_the_full_batch_loop_sets_up_stops_the_run_as_interrupted(monkeypatch):
    # a KeyboardInterrupt before the eager loop's first step (in its set-up) reached fit as
    # "AttributeError: 'KeyboardInterrupt' object has no attribute 'losses'"
    import glassnet.eager as eager

    def ctrl_c(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(eager, "_Base", ctrl_c)
    Xg = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    yg = np.array([[1], [0], [0], [1]], dtype=float)
    m = MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=0)
    before = [p.data.copy() for p in m.parameters()]
    with pytest.warns(UserWarning, match="interrupted by user after 0 epochs"):
        h = gn.fit(m, Xg, yg, lr=1.0, epochs=30, seed=0, verbose=0)
    assert h.stop_reason == "interrupted" and h.epochs == 0
    assert all(np.array_equal(a, p.data) for a, p in zip(before, m.parameters(), strict=True))


def test_a_warm_up_stepped_by_a_callback_trains_and_a_fresh_sklearn_momentum_is_refused():
    # a schedule stepped from a callback (fit's docstring shows it) may raise an lr of 0:
    # not refused; SGD with scikit-learn's momentum coasts at lr 0 only on a velocity it has
    m = _model()
    opt = gn.optim.SGD(m.parameters(), lr=0.5)
    warm = gn.lr_scheduler.LambdaLR(opt, lambda e: e / 3)
    start = [p.data.copy() for p in m.parameters()]
    gn.fit(m, X, y, loss="binary_cross_entropy", optimizer=opt, epochs=3,
           callbacks=[lambda state: warm.step()])  # fmt: skip
    assert any(not np.array_equal(a, p.data) for a, p in zip(start, m.parameters(), strict=True))
    m = _model()
    opt = gn.optim.SGD(m.parameters(), lr=0.0, momentum=0.9, style="sklearn")
    with pytest.raises(ValueError, match="lr is 0 in every param group"):
        gn.fit(m, X, y, loss="binary_cross_entropy", optimizer=opt)
