"""A schedule that brings every param group's learning rate to 0 for good ends the run
(step / epoch_end return True, fit stops): the epochs after it changed nothing, in silence.
A curve that touches 0 and rises again (a cosine past T_max, a LambdaLR that comes back)
goes on, and so does SGD's scikit-learn-style momentum, which coasts at lr 0."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet import jit, nn, optim, schedules

X = np.random.default_rng(0).normal(size=(32, 3))
Y = X @ np.array([1.0, -2.0, 0.5]) + 0.1


def sgd(lr=0.1, **kw):
    return optim.SGD(nn.Linear(2, 1, rng=0).parameters(), lr=lr, **kw)


def linear_to_zero(T):
    """PyTorch's LinearLR / PolynomialLR(power=1) ending at 0 after T epochs, as a LambdaLR."""
    return lambda e: max(0.0, 1.0 - e / T)


def steps(sched, n, **facts):
    return [sched.epoch_end(**facts) for _ in range(n)]


# ------------------------------------------------------------ the schedules' own rule
def test_a_linear_decay_to_zero_stops_when_it_gets_there():
    opt = sgd()
    sched = schedules.LambdaLR(opt, linear_to_zero(5))
    assert steps(sched, 5, remaining=10) == [False] * 4 + [True]  # (fit passes what is left)
    assert opt.lr == 0.0 and sched.stop_reason == "lr_zero"


@pytest.mark.parametrize(
    "make, n",
    [
        (lambda o: schedules.ExponentialLR(o, gamma=1e-200), 2),  # 0.1e-400: 0 in floats
        (lambda o: schedules.StepLR(o, step_size=2, gamma=1e-200), 4),
        (lambda o: schedules.MultiStepLR(o, milestones=[1, 3], gamma=1e-200), 3),
    ],
    ids=["exponential", "step", "multistep"],
)
def test_a_decay_that_falls_below_the_float_range_stops_there(make, n):
    opt = sgd()
    sched = make(opt)
    assert steps(sched, n) == [False] * (n - 1) + [True] and opt.lr == 0.0


def test_invscaling_whose_rate_falls_below_the_float_range_stops():
    sched = schedules.InvScalingLR(sgd(), power_t=60.0)
    assert sched.epoch_end(samples_seen=10) is False
    assert sched.epoch_end(samples_seen=10**6) is True and sched.lr == 0.0


def test_constant_at_zero_stops():
    sched = schedules.ConstantLR(sgd())
    sched.base_lrs = [0.0]
    assert sched.step() is True


def test_a_cosine_that_touches_zero_and_rises_again_goes_on():
    """eta_min=0: 0 at T_max, then the curve rises (PyTorch's): the run is not stopped."""
    opt = sgd()
    sched = schedules.CosineAnnealingLR(opt, T_max=4, eta_min=0.0)
    stops, lrs = [], []
    for _ in range(12):
        stops.append(sched.step())
        lrs.append(opt.lr)
    assert lrs[3] == 0.0 and lrs[4] > 0 and lrs[11] == 0.0
    assert stops == [False] * 12


def test_a_cosine_at_zero_everywhere_stops():
    sched = schedules.CosineAnnealingLR(sgd(), T_max=4, eta_min=0.0)
    sched.base_lrs = [0.0]
    assert sched.step() is True


@pytest.mark.parametrize(
    "factor",
    [lambda e: abs(e % 8 - 4) / 4, lambda e: 0.0 if e in (2, 3) else 1.0],
    ids=["triangle", "a pause"],
)
def test_a_lambda_that_comes_back_from_zero_goes_on(factor):
    """0 at an epoch, then higher again within as many epochs as it took to get there."""
    opt = sgd()
    sched = schedules.LambdaLR(opt, factor)
    stops, lrs = [], []
    for _ in range(10):
        stops.append(sched.step())
        lrs.append(opt.lr)
    assert 0.0 in lrs and stops == [False] * 10 and sched.stop_reason == ""


def test_a_lambda_that_cannot_give_a_later_epoch_is_not_taken_for_zero():
    """A table of rates ending at 0: the look-ahead past its end is no error (the run ends
    there), and not a stop; the step that reaches that epoch raises as before."""
    table = [1.0, 0.5, 0.0]
    sched = schedules.LambdaLR(sgd(), lambda e: table[e])
    assert steps(sched, 2, remaining=10) == [False, False]
    with pytest.raises(IndexError):
        sched.step()


def test_every_group_must_reach_zero():
    params = nn.MLP([2, 3, 1], rng=0).parameters()
    opt = optim.SGD([{"params": params[:2], "lr": 0.1}, {"params": params[2:], "lr": 0.2}])
    one = schedules.LambdaLR(opt, [linear_to_zero(2), lambda e: 1.0])
    assert steps(one, 4, remaining=10) == [False] * 4
    opt = optim.SGD([{"params": params[:2], "lr": 0.1}, {"params": params[2:], "lr": 0.2}])
    both = schedules.LambdaLR(opt, [linear_to_zero(2), linear_to_zero(3)])
    assert steps(both, 3, remaining=10) == [False, False, True]


def test_sklearn_style_momentum_coasts_at_lr_zero_so_the_run_goes_on():
    """u <- mu u - lr g; w <- w + u: at lr 0 the velocity still moves the weights."""
    coasting = schedules.LambdaLR(sgd(momentum=0.9, style="sklearn"), linear_to_zero(2))
    assert steps(coasting, 4, remaining=10) == [False] * 4
    torch = schedules.LambdaLR(sgd(momentum=0.9), linear_to_zero(2))  # w <- w - lr v
    assert steps(torch, 2, remaining=10) == [False, True]


def test_adaptive_at_zero_stops_without_waiting_for_its_patience():
    opt = sgd()
    sched = schedules.AdaptiveLR(opt, patience=5, min_lr=0.0)
    assert sched.step(1.0) is False
    opt.param_groups[0]["lr"] = 0.0
    assert sched.step(1.0) is True and sched.stop_reason == "lr_zero"
    floor = schedules.AdaptiveLR(sgd(), patience=0, tol=10.0, min_lr=0.05)
    assert steps(floor, 3, metric=1.0) == [False, False, True]  # 0.1, 0.02, then at min_lr
    assert floor.stop_reason == "min_lr"


# ------------------------------------------------------------------ fit stops there
# every loop that steps a schedule (engine="jit" takes none on a full-batch run)
LOOPS = [(e, b) for e in ("auto", "graph", "fused") for b in (8, None)]
LOOPS += [("jit", 8)] if jit.available() else []


@pytest.mark.parametrize("engine, batch_size", LOOPS)
def test_fit_stops_when_the_schedule_reaches_zero_for_good(engine, batch_size):
    """Was: 20 epochs, the last 15 at lr 0 (the same weights, the same loss, in silence)."""

    def run(epochs):
        net = nn.MLP([3, 4, 1], rng=0, dtype=np.float64)
        opt = optim.SGD(net.parameters(), lr=0.05)
        sched = schedules.LambdaLR(opt, linear_to_zero(5))
        h = gn.fit(net, X, Y, loss="mse", optimizer=opt, schedule=sched, epochs=epochs,
                   batch_size=batch_size, engine=engine, seed=0, verbose=0)  # fmt: skip
        return h, [p.data.copy() for p in net.parameters()]

    h, weights = run(20)
    assert (h.epochs, h.stop_reason) == (5, "lr_zero")
    assert h.lr[-1] > 0  # (the lr of the last epoch that ran; 0 would have come next)
    h5, weights5 = run(5)
    assert h5.epochs == 5 and h.loss == h5.loss
    for a, b in zip(weights, weights5):
        np.testing.assert_array_equal(a, b)


def test_fit_with_a_cosine_past_t_max_runs_every_epoch():
    net = nn.MLP([3, 4, 1], rng=0, dtype=np.float64)
    opt = optim.SGD(net.parameters(), lr=0.05)
    sched = schedules.CosineAnnealingLR(opt, T_max=3, eta_min=0.0)
    h = gn.fit(net, X, Y, loss="mse", optimizer=opt, schedule=sched, epochs=8, batch_size=8,
               verbose=0)  # fmt: skip
    assert (h.epochs, h.stop_reason) == (8, "max_epochs") and 0.0 in h.lr


@pytest.mark.parametrize(
    "factor",
    [
        lambda e: 0.0 if e < 5 else 1.0,  # a warm-up held at 0, then the full rate
        lambda e: min(1.0, e / 5),  # a linear warm-up from 0
        lambda e: 0.0 if e < 3 else e / 10,  # 0 for three epochs, then a ramp
    ],
)
def test_a_warm_up_from_zero_is_not_taken_for_the_end(factor):
    # a LambdaLR at 0 is read ahead over the epochs the run has left, not over as many
    # epochs as it took to get there (which stopped these runs after their first epoch)
    X = np.random.default_rng(0).random((20, 2))
    m = gn.nn.MLP([2, 4, 1], rng=0)
    opt = gn.optim.SGD(m.parameters(), lr=0.1)
    h = gn.fit(
        m, X, X.sum(1, keepdims=True), optimizer=opt, epochs=12, verbose=0,
        schedule=schedules.LambdaLR(opt, factor),
    )  # fmt: skip
    assert (h.epochs, h.stop_reason) == (12, "max_epochs")
    assert h.lr[-1] > 0


def test_a_lambda_decay_ends_the_run_where_it_reaches_zero_and_names_it():
    X = np.random.default_rng(0).random((20, 2))
    m = gn.nn.MLP([2, 4, 1], rng=0)
    opt = gn.optim.SGD(m.parameters(), lr=0.1)
    sched = schedules.LambdaLR(opt, lambda e: max(0.0, 1 - e / 6))
    h = gn.fit(m, X, X.sum(1, keepdims=True), optimizer=opt, epochs=12, verbose=0, schedule=sched)
    assert (h.epochs, h.stop_reason) == (6, "lr_zero")
    assert "brought every param group's lr to 0" in h.message
    # reaching 0 at the run's last epoch is the run's end, named as such
    m = gn.nn.MLP([2, 4, 1], rng=0)
    opt = gn.optim.SGD(m.parameters(), lr=0.1)
    sched = schedules.LambdaLR(opt, lambda e: max(0.0, 1 - e / 6))
    h = gn.fit(m, X, X.sum(1, keepdims=True), optimizer=opt, epochs=6, verbose=0, schedule=sched)
    assert (h.epochs, h.stop_reason) == (6, "max_epochs")


def test_a_lambda_at_zero_stepped_by_hand_is_not_known_to_stay_there():
    # a loop of the user's own calls step() without the epochs left: a curve that is not
    # in closed form cannot be known to stay at 0, so step() does not say "stop"
    opt = gn.optim.SGD(gn.nn.MLP([2, 1], rng=0).parameters(), lr=0.1)
    sched = schedules.LambdaLR(opt, lambda e: max(0.0, 1 - e))
    assert sched.step() is False and opt.lr == 0.0
    assert sched.epoch_end(remaining=3) is True and sched.stop_reason == "lr_zero"


def test_a_schedule_of_the_users_own_still_drives_fit():
    # anything with epoch_end(metric=, samples_seen=) is a schedule to fit: it is not handed
    # the epochs left, and needs no stop_reason of its own
    class Halving:
        def __init__(self, opt):
            self.optimizer, self.n = opt, 0

        def epoch_end(self, *, metric=None, samples_seen=None):
            self.n += 1
            self.optimizer.lr *= 0.5
            return self.n >= 3

    X = np.random.default_rng(0).normal(size=(64, 3))
    m = gn.nn.MLP([3, 4, 1], rng=0)
    opt = gn.optim.SGD(m.parameters(), lr=0.05)
    h = gn.fit(m, X, X[:, :1], optimizer=opt, schedule=Halving(opt), epochs=10, verbose=0)
    assert (h.epochs, h.stop_reason) == (3, "min_lr")


def test_the_read_ahead_ends_at_the_runs_last_epoch():
    # lr 0 from the schedule's epoch 2 through 5, then 1: in a run of 6 epochs, epochs 3-6 take
    # the rates of epochs 2-5, all 0 (the rate of epoch 6 would be the next run's)
    X = np.random.default_rng(0).random((20, 2))
    m = gn.nn.MLP([2, 4, 1], rng=0)
    opt = gn.optim.SGD(m.parameters(), lr=0.05)
    sched = schedules.LambdaLR(opt, lambda e: 0.0 if 2 <= e < 6 else 1.0)
    h = gn.fit(m, X, X[:, :1], optimizer=opt, schedule=sched, epochs=6, verbose=0)
    assert (h.epochs, h.stop_reason) == (2, "lr_zero")
    assert h.lr == [0.05, 0.05]
