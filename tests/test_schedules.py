"""Tests for glassnet.schedules beyond tests/test_optim.py's: param groups under
AdaptiveLR, and check_schedule, which refuses a schedule that could not drive training."""

from __future__ import annotations

import numpy as np
import pytest

from glassnet import nn, optim
from glassnet.schedules import AdaptiveLR, StepLR, check_schedule


def two_groups(lr1, lr2):
    params = nn.MLP([2, 3, 1], rng=0).parameters()
    return optim.SGD([{"params": params[:2], "lr": lr1}, {"params": params[2:], "lr": lr2}])


def sklearn_lrs(lr, n, min_lr=1e-6):
    """scikit-learn's adaptive lr when every epoch is bad: lr /= 5 while above min_lr."""
    out = []
    for _ in range(n):
        if lr > min_lr:
            lr /= 5.0
        out.append(lr)
    return out


def test_adaptive_leaves_a_group_at_min_lr_where_it_is_and_divides_the_others():
    opt = two_groups(0.1, 1e-6)
    sched = AdaptiveLR(opt, patience=0, tol=10.0, min_lr=1e-6)
    assert sched.step(1.0) is False  # the first epoch sets the best loss
    lrs, stops = [], []
    for _ in range(12):  # then every epoch is "bad" (tol=10)
        stops.append(sched.step(1.0))
        lrs.append([g["lr"] for g in opt.param_groups])
    assert [b for a, b in lrs] == [1e-6] * 12  # never below its floor
    assert [a for a, b in lrs] == sklearn_lrs(0.1, 12)  # the other as scikit-learn's lr
    assert stops == [False] * 8 + [True] * 4  # 0.1 / 5**8 <= 1e-6 < 0.1 / 5**7: stop next


def test_adaptive_one_group_is_unchanged_scikit_learns_rule():
    opt = optim.SGD(nn.Linear(2, 1, rng=0).parameters(), lr=0.1)
    sched = AdaptiveLR(opt, patience=0, tol=10.0)
    got = [opt.lr] if sched.step(1.0) is False else []
    while not sched.step(1.0):
        got.append(opt.lr)
    assert got[1:] == sklearn_lrs(0.1, len(got) - 1)
    assert got[-1] <= 1e-6 < got[-2]


def test_check_schedule_accepts_none_and_a_schedule_of_the_training_optimizer():
    opt = optim.SGD(nn.Linear(2, 1, rng=0).parameters(), lr=0.1)
    sched = StepLR(opt, step_size=2)
    assert check_schedule(None, opt) is None
    assert check_schedule(sched, opt) is sched


def test_a_schedule_of_another_optimizer_is_refused_not_silently_ignored():
    model = nn.Linear(2, 1, rng=0)
    opt, other = (optim.SGD(model.parameters(), lr=0.1) for _ in range(2))
    with pytest.raises(ValueError, match=r"'schedule' parameter of fit was built on another"):
        check_schedule(StepLR(other, step_size=2), opt, "fit")


@pytest.mark.parametrize("bad", ["step", StepLR, 0.1], ids=["name", "class", "number"])
def test_a_name_a_class_or_a_number_is_refused_naming_the_argument(bad):
    opt = optim.SGD(nn.Linear(2, 1, rng=0).parameters(), lr=0.1)
    with pytest.raises(ValueError, match=r"The 'schedule' parameter of fit must be a schedule"):
        check_schedule(bad, opt, "fit")
    assert np.isfinite(opt.lr)


def test_a_rate_that_grows_past_the_float_range_is_a_clear_error():
    """gamma > 1 for 309 epochs: 0.1 * 10.0 ** 309 was Python's bare OverflowError."""
    from glassnet.schedules import ExponentialLR

    opt = optim.SGD(nn.Linear(2, 1, rng=0).parameters(), lr=0.1)
    sched = ExponentialLR(opt, gamma=10.0)
    for _ in range(308):
        sched.step()
    assert opt.lr == pytest.approx(1e307)
    message = "ExponentialLR gives a learning rate of inf at epoch 309"
    with pytest.raises(ValueError, match=message):
        sched.step()
    assert opt.lr == pytest.approx(1e307)  # the groups keep the last valid rate


@pytest.mark.parametrize(
    ("factor", "message"),
    [
        (lambda e: "x", "could not compute the learning rate of epoch 0"),
        (lambda e: None, "could not compute the learning rate of epoch 0"),
        (lambda e: float("nan"), "learning rate of nan at epoch 0"),
        (lambda e: -1.0, "learning rate of -0.1 at epoch 0"),
        (lambda e: 10.0 ** (400 * e), "learning rate of inf at epoch 1"),
    ],
)
def test_lambda_lr_refuses_a_factor_that_is_no_learning_rate(factor, message):
    from glassnet.schedules import LambdaLR

    opt = optim.SGD(nn.Linear(2, 1, rng=0).parameters(), lr=0.1)
    with pytest.raises(ValueError, match=message):
        LambdaLR(opt, factor).step()


def test_lambda_lr_takes_numpy_numbers():
    from glassnet.schedules import LambdaLR

    opt = optim.SGD(nn.Linear(2, 1, rng=0).parameters(), lr=0.1)
    LambdaLR(opt, lambda e: np.float32(0.5) ** (e + 1)).step()
    assert opt.lr == pytest.approx(0.025)
