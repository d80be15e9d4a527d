"""PyTorch's ``OneCycleLR``, ``CyclicLR`` and ``SequentialLR`` (``glassnet.optim.lr_scheduler``,
``glassnet.schedules``): the learning rates and momenta step by step against PyTorch's
own schedulers (``torch==2.13.0``, optional), against the formulas written here
independently, and against the expected values of PyTorch's tests
(``test/optim/test_lrscheduler.py``: momenta scaled into glassnet's [0, 1)); their errors,
state dicts, the refusal of two schedules stepping one optimizer (a SequentialLR's own
schedules excepted), ``fit``'s refusal of a per-batch schedule, and training with them."""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn, optim, schedules

L = optim.lr_scheduler


def sgd(lrs=(0.05, 0.5), momentum=0.0, **kw):
    """PyTorch's test optimizer: two param groups (lr 0.05 and 0.5)."""
    groups = [{"params": nn.Linear(2, 2, rng=i).parameters(), "lr": lr} for i, lr in enumerate(lrs)]
    return optim.SGD(groups, lr=lrs[0], momentum=momentum, **kw)


def adam(lrs=(0.05, 0.5)):
    groups = [{"params": nn.Linear(2, 2, rng=i).parameters(), "lr": lr} for i, lr in enumerate(lrs)]
    return optim.Adam(groups, lr=lrs[0])


def lrs(opt):
    return [g["lr"] for g in opt.param_groups]


def moms(opt):
    return [g["betas"][0] if "betas" in g else g["momentum"] for g in opt.param_groups]


def run(opt, sched, steps):
    """The (lrs, momenta) in force for each of ``steps`` batches, as PyTorch's tests read
    them: before the batch's optimizer step, then the schedule's step."""
    out = []
    for _ in range(steps):
        out.append((lrs(opt), moms(opt)))
        opt.step()
        sched.step()
    return out


def check_cycle(opt, sched, lr_targets, mom_targets):
    """PyTorch's _test_cycle_lr: the targets per group, batch by batch."""
    got = run(opt, sched, len(lr_targets[0]))
    for i, (got_lrs, got_moms) in enumerate(got):
        for g in range(len(lr_targets)):
            assert got_lrs[g] == pytest.approx(lr_targets[g][i], rel=1e-12, abs=1e-15), (i, g)
            if mom_targets is not None:
                assert got_moms[g] == pytest.approx(mom_targets[g][i], rel=1e-12), (i, g)


def annealing_cos(start, end, pct):
    return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)


# ---------------------------------------------------------------- PyTorch's expected values
# (test_lrscheduler.py's; its momenta (1 to 22, or 1 to 5) are outside the [0, 1) an
# optimizer takes, so they are divided by 100 (or 10) here, bounds and targets alike)


def test_onecycle_lr_linear_annealing():
    lr = [1, 13, 25, 21.5, 18, 14.5, 11, 7.5, 4, 0.5]
    mom = [m / 100 for m in [22, 11.5, 1, 4, 7, 10, 13, 16, 19, 22]]
    opt = sgd()
    sched = L.OneCycleLR(
        opt, max_lr=25, final_div_factor=2, base_momentum=0.01, max_momentum=0.22,
        total_steps=10, anneal_strategy="linear",
    )  # fmt: skip
    check_cycle(opt, sched, [lr, lr], [mom, mom])


def test_onecycle_lr_linear_annealing_three_phases():
    lr = [1, 9, 17, 25, 17, 9, 1, 0.75, 0.5, 0.25]
    mom = [m / 100 for m in [22, 15, 8, 1, 8, 15, 22, 22, 22, 22]]
    opt = sgd()
    sched = L.OneCycleLR(
        opt, max_lr=25, div_factor=25, base_momentum=0.01, max_momentum=0.22, total_steps=10,
        anneal_strategy="linear", pct_start=0.4, final_div_factor=4, three_phase=True,
    )  # fmt: skip
    check_cycle(opt, sched, [lr, lr], [mom, mom])


def test_onecycle_lr_cosine_annealing():
    lr = [1, 13, 25] + [annealing_cos(25, 0.5, k / 7.0) for k in range(1, 7)] + [0.5]
    mom = [0.22, 0.115, 0.01] + [annealing_cos(0.01, 0.22, k / 7.0) for k in range(1, 7)]
    mom += [0.22]
    opt = sgd()
    sched = L.OneCycleLR(
        opt, max_lr=25, final_div_factor=2, base_momentum=0.01, max_momentum=0.22,
        total_steps=10,
    )  # fmt: skip
    check_cycle(opt, sched, [lr, lr], [mom, mom])


def test_onecycle_lr_with_adam_cycles_beta1():
    """PyTorch's test_cycle_lr_with_adam: beta1 cycles, beta2 stays."""
    lr = [1, 13, 25, 21.5, 18, 14.5, 11, 7.5, 4, 0.5]
    mom = [m / 100 for m in [22, 11.5, 1, 4, 7, 10, 13, 16, 19, 22]]
    opt = adam()
    sched = L.OneCycleLR(
        opt, max_lr=25, final_div_factor=2, base_momentum=0.01, max_momentum=0.22,
        total_steps=10, anneal_strategy="linear",
    )  # fmt: skip
    check_cycle(opt, sched, [lr, lr], [mom, mom])
    assert [g["betas"][1] for g in opt.param_groups] == [0.999, 0.999]
    assert sched.use_beta1 and sched.get_last_momentum() == moms(opt)


def test_onecycle_lr_invalid_arguments_as_pytorchs_tests():
    opt = sgd()
    with pytest.raises(ValueError, match=r"'anneal_strategy' parameter of OneCycleLR.*'CATS'"):
        L.OneCycleLR(opt, max_lr=1e-3, total_steps=10, anneal_strategy="CATS")
    with pytest.raises(ValueError, match=r"'pct_start' parameter of OneCycleLR .*\[0, 1\]"):
        L.OneCycleLR(opt, max_lr=1e-3, total_steps=10, pct_start=1.1)
    with pytest.raises(ValueError, match=r"total_steps=\.\.\., or epochs=\.\.\. and steps_per"):
        L.OneCycleLR(opt, max_lr=1e-3)


TRI = [1, 2, 3, 4, 5, 4, 3, 2, 1, 2, 3]
TRI_M = [5, 4, 3, 2, 1, 2, 3, 4, 5, 4, 3]
TRI2 = [1, 2, 3, 4, 5, 4, 3, 2, 1, 1.5, 2.0, 2.5, 3.0, 2.5, 2.0, 1.5, 1]
TRI2 += [1.25, 1.50, 1.75, 2.00, 1.75]
TRI2_M = [5.0, 4.0, 3.0, 2.0, 1.0, 2.0, 3.0, 4.0, 5.0, 4.5, 4.0, 3.5, 3.0, 3.5, 4.0, 4.5]
TRI2_M += [5.0, 4.75, 4.5, 4.25, 4.0, 4.25]


def test_cycle_lr_invalid_mode():
    with pytest.raises(ValueError, match=r"'mode' parameter of CyclicLR.*'CATS'"):
        L.CyclicLR(sgd(), base_lr=0, max_lr=0, mode="CATS")


def test_cycle_lr_triangular_mode_one_lr():
    opt = sgd()
    sched = L.CyclicLR(
        opt, base_lr=1, max_lr=5, step_size_up=4, cycle_momentum=True, base_momentum=0.1,
        max_momentum=0.5, mode="triangular",
    )  # fmt: skip
    mom = [m / 10 for m in TRI_M]
    check_cycle(opt, sched, [TRI, TRI], [mom, mom])


def test_cycle_lr_triangular_mode_one_lr_no_momentum():
    opt = sgd()
    sched = L.CyclicLR(opt, base_lr=1, max_lr=5, step_size_up=4, cycle_momentum=False)
    check_cycle(opt, sched, [TRI, TRI], [[0.0] * len(TRI)] * 2)


def test_cycle_lr_triangular2_mode_one_lr():
    opt = sgd()
    sched = L.CyclicLR(
        opt, base_lr=1, max_lr=5, step_size_up=4, base_momentum=0.1, max_momentum=0.5,
        mode="triangular2",
    )  # fmt: skip
    mom = [m / 10 for m in TRI2_M]
    check_cycle(opt, sched, [TRI2, TRI2], [mom, mom])


def test_cycle_lr_exp_range_mode_one_lr():
    gamma, xs = 0.9, [0, 0.25, 0.5, 0.75, 1, 0.75, 0.50, 0.25, 0, 0.25, 0.5, 0.75, 1]
    lr = [1 + x * 4 * gamma**i for i, x in enumerate(xs)]
    mom = [0.5 - x * 0.4 * gamma**i for i, x in enumerate(xs)]
    opt = sgd()
    sched = L.CyclicLR(
        opt, base_lr=1, max_lr=5, step_size_up=4, base_momentum=0.1, max_momentum=0.5,
        mode="exp_range", gamma=gamma,
    )  # fmt: skip
    check_cycle(opt, sched, [lr, lr], [mom, mom])


def test_cycle_lr_triangular_mode_per_group():
    opt = sgd()
    sched = L.CyclicLR(
        opt, base_lr=[1, 2], max_lr=[5, 6], step_size_up=4, base_momentum=[0.1, 0.2],
        max_momentum=[0.5, 0.6],
    )  # fmt: skip
    lr2 = [x + 1 for x in TRI]
    mom1 = [m / 10 for m in TRI_M]
    mom2 = [(m + 1) / 10 for m in TRI_M]
    check_cycle(opt, sched, [TRI, lr2], [mom1, mom2])


def test_cycle_lr_triangular2_mode_per_group():
    opt = sgd()
    sched = L.CyclicLR(
        opt, base_lr=[1, 3], max_lr=[5, 7], step_size_up=4, base_momentum=[0.1, 0.3],
        max_momentum=[0.5, 0.7], mode="triangular2",
    )  # fmt: skip
    lr2 = [x + 2 for x in TRI2]
    mom1 = [m / 10 for m in TRI2_M]
    mom2 = [(m + 2) / 10 for m in TRI2_M]
    check_cycle(opt, sched, [TRI2, lr2], [mom1, mom2])


def test_cycle_lr_exp_range_mode_per_group():
    gamma, xs = 0.9, [0, 0.25, 0.5, 0.75, 1, 0.75, 0.50, 0.25, 0, 0.25, 0.5, 0.75, 1]
    lr1 = [1 + x * 4 * gamma**i for i, x in enumerate(xs)]
    lr2 = [5 + x * 7 * gamma**i for i, x in enumerate(xs)]
    mom1 = [0.05 - x * 0.04 * gamma**i for i, x in enumerate(xs)]
    mom2 = [0.12 - x * 0.07 * gamma**i for i, x in enumerate(xs)]
    opt = sgd()
    sched = L.CyclicLR(
        opt, base_lr=[1, 5], max_lr=[5, 12], step_size_up=4, base_momentum=[0.01, 0.05],
        max_momentum=[0.05, 0.12], mode="exp_range", gamma=gamma,
    )  # fmt: skip
    check_cycle(opt, sched, [lr1, lr2], [mom1, mom2])


def test_cycle_lr_triangular_mode_step_size_up_down():
    lr = [1.0, 2.0, 3.0, 4.0, 5.0, 13 / 3, 11 / 3, 9 / 3, 7 / 3, 5 / 3, 1.0]
    mom = [m / 10 for m in [5.0, 4.0, 3.0, 2.0, 1.0, 5 / 3, 7 / 3, 3.0, 11 / 3, 13 / 3, 5.0]]
    opt = sgd()
    sched = L.CyclicLR(
        opt, base_lr=1, max_lr=5, step_size_up=4, step_size_down=6, base_momentum=0.1,
        max_momentum=0.5,
    )  # fmt: skip
    check_cycle(opt, sched, [lr, lr], [mom, mom])


def test_cycle_lr_triangular2_mode_step_size_up_down():
    lr = [1.0, 3.0, 5.0, 13 / 3, 11 / 3, 9 / 3, 7 / 3, 5 / 3, 1.0, 2.0, 3.0, 8 / 3, 7 / 3]
    lr += [6 / 3, 5 / 3, 4 / 3, 1.0, 3 / 2, 2.0, 11 / 6, 10 / 6, 9 / 6, 8 / 6, 7 / 6]
    mom = [5.0, 3.0, 1.0, 5 / 3, 7 / 3, 3.0, 11 / 3, 13 / 3, 5.0, 4.0, 3.0, 10 / 3, 11 / 3]
    mom += [4.0, 13 / 3, 14 / 3, 5.0, 4.5, 4.0, 25 / 6, 13 / 3, 4.5, 14 / 3, 29 / 6]
    opt = sgd()
    sched = L.CyclicLR(
        opt, base_lr=[1, 3], max_lr=[5, 7], step_size_up=2, step_size_down=6,
        base_momentum=[0.1, 0.3], max_momentum=[0.5, 0.7], mode="triangular2",
    )  # fmt: skip
    lr_targets = [lr, [x + 2 for x in lr]]
    mom_targets = [[m / 10 for m in mom], [(m + 2) / 10 for m in mom]]
    check_cycle(opt, sched, lr_targets, mom_targets)


def test_cycle_lr_exp_range_mode_step_size_up_down():
    gamma = 0.9
    xs = [0.0, 0.5, 1.0, 5 / 6, 4 / 6, 3 / 6, 2 / 6, 1 / 6, 0.0, 0.5, 1.0, 5 / 6, 4 / 6]
    lr = [1 + x * 4 * gamma**i for i, x in enumerate(xs)]
    mom = [0.5 - x * 0.4 * gamma**i for i, x in enumerate(xs)]
    opt = sgd()
    sched = L.CyclicLR(
        opt, base_lr=1, max_lr=5, step_size_up=2, step_size_down=6, base_momentum=0.1,
        max_momentum=0.5, mode="exp_range", gamma=gamma,
    )  # fmt: skip
    check_cycle(opt, sched, [lr, lr], [mom, mom])


def test_cycle_lr_with_adam_and_no_momentum_cycling():
    opt = adam()
    sched = L.CyclicLR(opt, base_lr=1, max_lr=5, step_size_up=4, cycle_momentum=False)
    check_cycle(opt, sched, [TRI, TRI], None)
    assert [g["betas"] for g in opt.param_groups] == [(0.9, 0.999)] * 2


class Momentumless:
    """An optimizer with neither momentum nor betas (PyTorch's test takes Rprop)."""

    def __init__(self):
        self.defaults = {"lr": 0.1}
        self.param_groups = [{"params": [], "lr": 0.1}]

    lr = property(lambda self: self.param_groups[0]["lr"])


def test_cycle_momentum_with_a_momentumless_optimizer_is_refused_as_pytorch():
    for make in (
        lambda o: L.CyclicLR(o, base_lr=1, max_lr=5, cycle_momentum=True),
        lambda o: L.OneCycleLR(o, max_lr=1, total_steps=10),
    ):
        with pytest.raises(ValueError, match=r"Momentumless has neither.*cycle_momentum=False"):
            make(Momentumless())
    opt = Momentumless()
    sched = L.CyclicLR(opt, base_lr=1, max_lr=5, step_size_up=2, cycle_momentum=False)
    sched.step()
    assert opt.param_groups[0]["lr"] == 3 and "momentum" not in opt.param_groups[0]


def test_cycle_lr_with_a_beta1_optimizer_cycles_beta1():
    opt = optim.Adam(nn.Linear(2, 2, rng=0).parameters())
    sched = L.CyclicLR(opt, base_lr=1, max_lr=5)  # (PyTorch's defaults: 0.8 to 0.9)
    assert opt.betas == (0.9, 0.999) and opt.lr == 1
    sched.step()
    assert opt.betas == (pytest.approx(0.9 - 0.1 / 2000), 0.999)


def test_cycle_lr_scale_fn_restored_from_state_dict():
    opt = adam()
    sched = L.CyclicLR(opt, base_lr=1, max_lr=5, cycle_momentum=False, mode="triangular2")
    restored = L.CyclicLR(opt, base_lr=1, max_lr=5, cycle_momentum=False)
    restored.load_state_dict(sched.state_dict())
    assert restored.mode == sched.mode == "triangular2"
    assert restored.scale_fn(3) == 0.25

    def scale_fn(_):
        return 0.5

    sched = L.CyclicLR(opt, base_lr=1, max_lr=5, cycle_momentum=False, scale_fn=scale_fn)
    restored = L.CyclicLR(opt, base_lr=1, max_lr=5, cycle_momentum=False, scale_fn=scale_fn)
    state = sched.state_dict()
    json.dumps(state)  # (plain values: the function is not in it)
    restored.load_state_dict(state)
    assert restored._scale_fn_custom is scale_fn
    plain = L.CyclicLR(opt, base_lr=1, max_lr=5, cycle_momentum=False)
    with pytest.raises(ValueError, match="saved from a CyclicLR with a scale_fn and this one"):
        plain.load_state_dict(state)
    with pytest.raises(ValueError, match="without a scale_fn and this one was built with"):
        restored.load_state_dict(plain.state_dict())


# PyTorch's SequentialLR tests (self.opt: two groups, lr 0.05 and 0.5)


def check_sequence(opt, sched, targets):
    for epoch in range(len(targets[0])):
        for g, target in enumerate(targets):
            got = opt.param_groups[g]["lr"]
            assert got == pytest.approx(target[epoch], rel=1e-12, abs=1e-15), (epoch, g)
        sched.step()


def test_sequentiallr1():
    opt = sgd()
    target = [0.05, 0.04, 0.032] + [0.05] * 4 + [0.005] * 4 + [0.0005] * 4 + [0.00005] * 4
    scheds = [L.ExponentialLR(opt, gamma=0.8), L.StepLR(opt, gamma=0.1, step_size=4)]
    sched = L.SequentialLR(opt, schedulers=scheds, milestones=[3])
    check_sequence(opt, sched, [target, [x * 10 for x in target]])


def test_sequentiallr2():
    opt = sgd()
    target = [0.005, 0.005, 0.005] + [0.05 * 0.9**x for x in range(10)]
    scheds = [L.ConstantLR(opt, factor=0.1, total_iters=3), L.ExponentialLR(opt, gamma=0.9)]
    sched = L.SequentialLR(opt, schedulers=scheds, milestones=[3])
    check_sequence(opt, sched, [target, [x * 10 for x in target]])


def test_sequentiallr3_and_get_last_lr():
    opt = sgd()
    target = [0.005] * 3 + [0.05, 0.04, 0.032] + [0.05, 0.05, 0.005, 0.005, 0.0005, 0.0005]
    scheds = [
        L.ConstantLR(opt, factor=0.1, total_iters=3),
        L.ExponentialLR(opt, gamma=0.8),
        L.StepLR(opt, gamma=0.1, step_size=2),
    ]
    sched = L.SequentialLR(opt, schedulers=scheds, milestones=[3, 6])
    for epoch in range(12):
        assert sched.get_last_lr() == pytest.approx([target[epoch], 10 * target[epoch]])
        opt.step()
        sched.step()


def test_sequentiallr4_keeps_the_initial_lr():
    opt = optim.SGD(nn.Linear(1, 1, rng=0).parameters(), lr=0.1)
    scheds = [L.ConstantLR(opt, factor=1), L.ConstantLR(opt, factor=0.1)]
    L.SequentialLR(opt, scheds, milestones=[10])
    assert opt.lr == 0.1


def test_sequentiallr_linear_up_then_down():
    """PyTorch's test_sequentiallr_does_not_alias_lr_and_initial_lr (lr 2.0)."""
    opt = optim.SGD(nn.Linear(2, 2, rng=0).parameters(), lr=2.0)
    scheds = [L.LinearLR(opt, 0.1, 0.8, total_iters=4), L.LinearLR(opt, 0.8, 0.1, total_iters=4)]
    sched = L.SequentialLR(opt, scheds, milestones=[4])
    check_sequence(opt, sched, [[0.2, 0.55, 0.9, 1.25, 1.6, 1.25, 0.9, 0.55]])


# ---------------------------------------------------------------- formulas written here


def onecycle_formula(t, total, max_lr, pct, div, final, strategy, three, mom_lo, mom_hi):
    """PyTorch's documented 1cycle, written piecewise: (lr, momentum) at step t."""
    lo, bottom = max_lr / div, max_lr / div / final
    up = pct * total - 1

    def anneal(a, b, f):
        if strategy == "linear":
            return a + (b - a) * f
        return b + (a - b) * (1 + math.cos(math.pi * f)) / 2

    if t <= up:
        f = t / up
        return anneal(lo, max_lr, f), anneal(mom_hi, mom_lo, f)
    if three:
        down = 2 * pct * total - 2
        if t <= down:
            f = (t - up) / (down - up)
            return anneal(max_lr, lo, f), anneal(mom_lo, mom_hi, f)
        f = (t - down) / (total - 1 - down)
        return anneal(lo, bottom, f), mom_hi
    f = (t - up) / (total - 1 - up)
    return anneal(max_lr, bottom, f), anneal(mom_lo, mom_hi, f)


@pytest.mark.parametrize(
    "total, pct, strategy, three",
    list(itertools.product([10, 37, 200], [0.25, 0.3, 0.45], ["cos", "linear"], [False, True])),
)
def test_onecycle_against_the_formula(total, pct, strategy, three):
    opt = sgd(momentum=0.9)
    sched = L.OneCycleLR(
        opt, max_lr=[0.4, 2.0], total_steps=total, pct_start=pct, anneal_strategy=strategy,
        three_phase=three, base_momentum=[0.8, 0.85], max_momentum=[0.9, 0.95],
        div_factor=10.0, final_div_factor=100.0,
    )  # fmt: skip
    got = run(opt, sched, total)  # (the total steps of the cycle; one step more after it)
    for t, (got_lrs, got_moms) in enumerate(got):
        for g, (top, lo, hi) in enumerate([(0.4, 0.8, 0.9), (2.0, 0.85, 0.95)]):
            lr, mom = onecycle_formula(t, total, top, pct, 10.0, 100.0, strategy, three, lo, hi)
            assert got_lrs[g] == pytest.approx(lr, rel=1e-12, abs=1e-15), (t, g)
            assert got_moms[g] == pytest.approx(mom, rel=1e-12), (t, g)
    assert sched.epoch == total and opt.lr == pytest.approx(sched.get_last_lr()[0])
    with pytest.raises(ValueError, match=rf"Tried to step {total + 1} times.*total steps is"):
        sched.step()
    assert sched.epoch == total  # (refused: nothing moved)


def test_onecycle_epochs_and_steps_per_epoch_and_defaults():
    opt = optim.SGD(nn.Linear(2, 2, rng=0).parameters(), lr=1.0, momentum=0.5)
    sched = L.OneCycleLR(opt, max_lr=0.5, epochs=4, steps_per_epoch=25)
    assert sched.total_steps == 100 and sched.base_lrs == [0.02]
    # (the cycle's start, as PyTorch's: its cosine's end + (start - end) / 2 * 2, rounded)
    assert opt.lr == pytest.approx(0.02, rel=1e-15) and opt.momentum == 0.95
    for t in range(1, 101):
        sched.step()
        lr, mom = onecycle_formula(t, 100, 0.5, 0.3, 25.0, 1e4, "cos", False, 0.85, 0.95)
        assert opt.lr == pytest.approx(lr, rel=1e-12) and opt.momentum == pytest.approx(mom)
    assert sched.lr_at(29) == 0.5


def clr_formula(t, base, top, step, scale):
    """The triangular policy as Smith's paper (and bckenstler/CLR) write it."""
    cycle = math.floor(1 + t / (2 * step))
    x = abs(t / step - 2 * cycle + 1)
    return base + (top - base) * max(0.0, 1 - x) * scale(cycle, t)


@pytest.mark.parametrize(
    "mode, scale",
    [
        ("triangular", lambda c, t: 1.0),
        ("triangular2", lambda c, t: 1 / 2 ** (c - 1)),
        ("exp_range", lambda c, t: 0.99**t),
    ],
)
@pytest.mark.parametrize("step", [1, 3, 10])
def test_cyclic_against_the_papers_formula(mode, scale, step):
    opt = sgd(momentum=0.5)
    sched = L.CyclicLR(
        opt, base_lr=[0.01, 0.1], max_lr=[0.1, 0.4], step_size_up=step, mode=mode, gamma=0.99,
        base_momentum=0.8, max_momentum=0.9,
    )  # fmt: skip
    for t, (got_lrs, got_moms) in enumerate(run(opt, sched, 8 * step + 3)):
        assert got_lrs[0] == pytest.approx(clr_formula(t, 0.01, 0.1, step, scale), rel=1e-12)
        assert got_lrs[1] == pytest.approx(clr_formula(t, 0.1, 0.4, step, scale), rel=1e-12)
        m = 0.9 - (clr_formula(t, 0.8, 0.9, step, scale) - 0.8)
        assert got_moms == [pytest.approx(m, rel=1e-12)] * 2


def test_cyclic_scale_fn_on_the_cycle_or_the_step():
    for scale_mode, k in (("cycle", lambda c, t: c), ("iterations", lambda c, t: t)):
        opt = sgd(momentum=0.5)
        f = lambda x: 1 / (1 + x)  # noqa: E731
        sched = L.CyclicLR(
            opt, 0.0, 1.0, step_size_up=2, scale_fn=f, scale_mode=scale_mode,
            cycle_momentum=False,
        )  # fmt: skip
        got = [lr[0] for lr, _ in run(opt, sched, 13)]
        assert got == pytest.approx(
            [clr_formula(t, 0.0, 1.0, 2, lambda c, t, f=f, k=k: f(k(c, t))) for t in range(13)]
        )


def test_sequential_warmup_then_cosine_against_the_formula():
    opt = sgd(momentum=0.9)
    warm = L.LinearLR(opt, start_factor=0.1, total_iters=5)
    cos = L.CosineAnnealingLR(opt, T_max=15, eta_min=0.001)
    sched = L.SequentialLR(opt, [warm, cos], milestones=[5])
    assert sched.base_lrs == [0.05, 0.5]
    for e in range(25):
        for g, base in enumerate((0.05, 0.5)):
            want = base * (0.1 + 0.9 * e / 5) if e < 5 else (
                0.001 + (base - 0.001) * (1 + math.cos(math.pi * (e - 5) / 15)) / 2
            )  # fmt: skip
            assert opt.param_groups[g]["lr"] == pytest.approx(want, rel=1e-12), (e, g)
        opt.step()
        sched.step()


def test_sequential_lambda_warmup_then_cosine_starts_the_cosine_from_the_optimizers_lr():
    """The cosine built after a LambdaLR (which wrote 0.05 / 5) starts from 0.05, as
    PyTorch's (its initial_lr), not from the warm-up's first rate."""
    opt = optim.SGD(nn.Linear(2, 2, rng=0).parameters(), lr=0.05)
    warm = L.LambdaLR(opt, lambda e: (e + 1) / 5)
    cos = L.CosineAnnealingLR(opt, T_max=10)
    assert cos.base_lrs == [pytest.approx(0.01, rel=1e-15)]  # (alone, it would start there)
    sched = L.SequentialLR(opt, [warm, cos], milestones=[5])
    assert cos.base_lrs == [0.05] and opt.lr == pytest.approx(0.01, rel=1e-15)
    got = [(sched.step(), opt.lr)[1] for _ in range(6)]
    assert got == pytest.approx(
        [0.02, 0.03, 0.04, 0.05, 0.05, 0.05 * (1 + math.cos(0.1 * math.pi)) / 2]
    )


def test_sequential_with_a_onecycle_phase_restarts_its_cycle_at_the_milestone():
    opt = sgd(momentum=0.9)
    warm = L.ConstantLR(opt, factor=0.5, total_iters=3)
    one = L.OneCycleLR(opt, max_lr=[1.0, 2.0], total_steps=10)
    sched = L.SequentialLR(opt, [warm, one], milestones=[3])
    assert lrs(opt) == [0.025, 0.25] and one.base_lrs == [0.04, 0.08]
    for _ in range(3):
        sched.step()
    assert lrs(opt) == pytest.approx([0.04, 0.08], rel=1e-14)
    assert moms(opt) == [0.95, 0.95] and one.epoch == 0
    for t in range(1, 11):
        sched.step()
        lr, mom = onecycle_formula(t, 10, 1.0, 0.3, 25.0, 1e4, "cos", False, 0.85, 0.95)
        assert opt.lr == pytest.approx(lr, rel=1e-12) and opt.momentum == pytest.approx(mom)
    with pytest.raises(ValueError, match="Tried to step 11 times"):
        sched.step()
    assert sched.epoch == 13


def test_nested_sequential():
    opt = optim.SGD(nn.Linear(2, 1, rng=0).parameters(), lr=0.1)
    inner = L.SequentialLR(
        opt, [L.ConstantLR(opt, factor=0.5, total_iters=2), L.ExponentialLR(opt, gamma=0.9)],
        milestones=[2],
    )  # fmt: skip
    outer = L.SequentialLR(opt, [L.LinearLR(opt, start_factor=0.1, total_iters=3), inner], [3])
    got = [opt.lr] + [(outer.step(), opt.lr)[1] for _ in range(8)]
    assert got == pytest.approx([0.01, 0.04, 0.07, 0.05, 0.05, 0.1, 0.09, 0.081, 0.0729])
    with pytest.raises(ValueError, match="one of the schedules of a SequentialLR"):
        inner.step()


# ---------------------------------------------------------------- against PyTorch's own


def torch_pair(kind, groups=2):
    torch = pytest.importorskip("torch")
    ws = [torch.nn.Parameter(torch.zeros(1)) for _ in range(groups)]
    tg = [{"params": [w], "lr": 0.1 * (i + 1)} for i, w in enumerate(ws)]
    gg = [
        {"params": nn.Linear(2, 1, rng=i).parameters(), "lr": 0.1 * (i + 1)} for i in range(groups)
    ]
    if kind == "sgd":
        return torch.optim.SGD(tg, lr=0.1, momentum=0.9), optim.SGD(gg, lr=0.1, momentum=0.9)
    if kind == "rmsprop":
        return torch.optim.RMSprop(tg, lr=0.1, momentum=0.5), optim.RMSprop(
            gg, lr=0.1, momentum=0.5
        )
    return torch.optim.Adam(tg, lr=0.1), getattr(optim, kind)(gg, lr=0.1)


ONECYCLE_GRID = list(
    itertools.product(
        ["sgd", "Adam"], [7, 10, 100], [0.0, 0.25, 0.3, 0.5, 0.7], [False, True], ["cos", "linear"]
    )
)


@pytest.mark.parametrize("kind, total, pct, three, strategy", ONECYCLE_GRID)
def test_onecycle_as_torch(kind, total, pct, three, strategy):
    import warnings

    torch = pytest.importorskip("torch")
    topt, gopt = torch_pair(kind)
    kw = dict(
        max_lr=[1.0, 0.5], total_steps=total, pct_start=pct, three_phase=three,
        anneal_strategy=strategy, base_momentum=[0.8, 0.85], max_momentum=[0.9, 0.95],
    )  # fmt: skip
    tsched = torch.optim.lr_scheduler.OneCycleLR(topt, **kw)
    gsched = L.OneCycleLR(gopt, **kw)
    kept = 0
    for t in range(total + 1):
        want_lr, want_mom = lrs(topt), moms(topt)
        if t == total and not all(x >= 0 for x in want_lr + [-m + 0.999 for m in want_mom]):
            # PyTorch's rate after the cycle's last step leaves the valid range ('linear'
            # gives a negative lr there): glassnet keeps the last step's
            assert gsched.get_last_lr() == gsched._at(total - 1)
            kept += 1
            continue
        np.testing.assert_allclose(lrs(gopt), want_lr, rtol=1e-12, atol=0)
        np.testing.assert_allclose(moms(gopt), want_mom, rtol=1e-12, atol=0)
        assert gsched.get_last_lr() == lrs(gopt)
        if t < total:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                tsched.step()
            gsched.step()
    assert kept == 0 or strategy == "linear"
    with pytest.raises(ValueError, match="Tried to step"):
        gsched.step()


@pytest.mark.parametrize(
    "pct, total, three",
    [(0.1, 10, False), (0.1, 10, True), (1.0, 10, False), (0.5, 2, False), (0.5, 2, True)],
)
def test_onecycle_refuses_a_phase_of_no_steps_where_torch_divides_by_zero(pct, total, three):
    if True:
        with pytest.raises(ValueError, match=r"a phase of the cycle has no steps.*pct_start"):
            L.OneCycleLR(sgd(), max_lr=1.0, total_steps=total, pct_start=pct, three_phase=three)
        torch = pytest.importorskip("torch")
        topt, _ = torch_pair("sgd")
        with pytest.raises(ZeroDivisionError):
            s = torch.optim.lr_scheduler.OneCycleLR(
                topt, max_lr=1.0, total_steps=total, pct_start=pct, three_phase=three
            )
            for _ in range(total):
                topt.step()
                s.step()


CYCLIC_GRID = list(
    itertools.product(
        ["sgd", "Adam", "rmsprop"], [1, 3, 4.5], [None, 0, 2, 7],
        ["triangular", "triangular2", "exp_range"], [True, False],
    )
)  # fmt: skip


@pytest.mark.parametrize("kind, up, down, mode, cycle_momentum", CYCLIC_GRID)
def test_cyclic_as_torch(kind, up, down, mode, cycle_momentum):
    torch = pytest.importorskip("torch")
    topt, gopt = torch_pair(kind)
    kw = dict(
        base_lr=[0.01, 0.02], max_lr=[0.1, 0.3], step_size_up=up, step_size_down=down,
        mode=mode, gamma=0.97, cycle_momentum=cycle_momentum,
    )  # fmt: skip
    tsched = torch.optim.lr_scheduler.CyclicLR(topt, **kw)
    gsched = L.CyclicLR(gopt, **kw)
    for _ in range(60):
        np.testing.assert_allclose(lrs(gopt), lrs(topt), rtol=1e-13, atol=0)
        np.testing.assert_allclose(moms(gopt), moms(topt), rtol=1e-13, atol=0)
        topt.step()
        tsched.step()
        gopt.step()
        gsched.step()


@pytest.mark.parametrize("scale_mode", ["cycle", "iterations"])
def test_cyclic_scale_fn_as_torch(scale_mode):
    torch = pytest.importorskip("torch")
    topt, gopt = torch_pair("sgd")
    f = lambda x: 1 / (1 + 0.1 * x)  # noqa: E731
    tsched = torch.optim.lr_scheduler.CyclicLR(
        topt, 0.01, 0.1, 5, scale_fn=f, scale_mode=scale_mode
    )
    gsched = L.CyclicLR(gopt, 0.01, 0.1, 5, scale_fn=f, scale_mode=scale_mode)
    for _ in range(40):
        np.testing.assert_allclose(lrs(gopt), lrs(topt), rtol=1e-13, atol=0)
        np.testing.assert_allclose(moms(gopt), moms(topt), rtol=1e-13, atol=0)
        topt.step()
        tsched.step()
        gsched.step()


def _s(name, *args, **kw):
    return (name, args, kw)


SEQUENCES = [
    ([_s("LinearLR", start_factor=0.1, total_iters=5), _s("CosineAnnealingLR", T_max=20)], [5]),
    (
        [
            _s("LambdaLR", lambda e: (e + 1) / 5),
            _s("CosineAnnealingLR", T_max=20, eta_min=0.001),
        ],
        [5],
    ),
    ([_s("ConstantLR", factor=0.1, total_iters=3), _s("ExponentialLR", gamma=0.9)], [3]),
    ([_s("ExponentialLR", gamma=0.8), _s("StepLR", gamma=0.1, step_size=4)], [3]),
    (
        [
            _s("ConstantLR", factor=0.1, total_iters=3),
            _s("ExponentialLR", gamma=0.8),
            _s("StepLR", gamma=0.1, step_size=2),
        ],
        [3, 6],
    ),
    ([_s("StepLR", gamma=0.5, step_size=2), _s("LinearLR", start_factor=0.5, total_iters=4)], [4]),
    (
        [
            _s("LinearLR", start_factor=0.1, total_iters=4),
            _s("MultiStepLR", [3, 6], gamma=0.5),
            _s("PolynomialLR", total_iters=6, power=2.0),
        ],
        [4, 12],
    ),
    (
        [
            _s("LinearLR", start_factor=0.2, total_iters=3),
            _s("CosineAnnealingWarmRestarts", T_0=4, T_mult=2),
        ],
        [3],
    ),
    ([_s("LinearLR", 0.1, 0.8, total_iters=4), _s("LinearLR", 0.8, 0.1, total_iters=4)], [4]),
    (
        [
            _s("LinearLR", start_factor=0.1, total_iters=5),
            _s("CyclicLR", base_lr=0.01, max_lr=0.1, step_size_up=3),
        ],
        [5],
    ),
    (
        [
            _s("LinearLR", start_factor=0.1, total_iters=5),
            _s("LambdaLR", [lambda e: 0.9**e, lambda e: 0.8**e]),
        ],
        [5],
    ),
    (
        [_s("OneCycleLR", max_lr=[1.0, 0.5], total_steps=10), _s("CosineAnnealingLR", T_max=20)],
        [10],
    ),
    (
        [
            _s("OneCycleLR", max_lr=[1.0, 0.5], total_steps=10),
            _s("LinearLR", start_factor=0.5, total_iters=20),
        ],
        [10],
    ),
    (
        [
            _s("CyclicLR", base_lr=0.01, max_lr=0.1, step_size_up=3),
            _s("LambdaLR", lambda e: 0.9**e),
        ],
        [10],
    ),
]


@pytest.mark.parametrize("kind", ["sgd", "Adam"])
@pytest.mark.parametrize("spec, milestones", SEQUENCES, ids=lambda v: None)
def test_sequential_as_torch(kind, spec, milestones):
    import warnings

    torch = pytest.importorskip("torch")
    topt, gopt = torch_pair(kind)
    tsched = torch.optim.lr_scheduler.SequentialLR(
        topt, [getattr(torch.optim.lr_scheduler, n)(topt, *a, **k) for n, a, k in spec], milestones
    )
    gsched = L.SequentialLR(gopt, [getattr(L, n)(gopt, *a, **k) for n, a, k in spec], milestones)
    for _ in range(31):
        np.testing.assert_allclose(lrs(gopt), lrs(topt), rtol=1e-9, atol=1e-15)
        np.testing.assert_allclose(moms(gopt), moms(topt), rtol=1e-12, atol=0)
        topt.step()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tsched.step()
        gsched.step()


# ---------------------------------------------------------------- errors and refusals


def test_bad_arguments_name_the_argument_the_value_and_the_fix():
    opt = sgd(momentum=0.9)
    one = L.OneCycleLR
    cases = [
        (lambda: one(opt, max_lr=0, total_steps=10), r"'max_lr' parameter of OneCycleLR.*> 0"),
        (lambda: one(opt, max_lr=[0.1], total_steps=10), r"max_lr lists 1 values for 2 param"),
        (lambda: one(opt, max_lr=0.1, total_steps=0), r"'total_steps' parameter of OneCycleLR"),
        (lambda: one(opt, max_lr=0.1, total_steps=2.5), r"'total_steps'.*an int >= 1. Got 2.5"),
        (lambda: one(opt, max_lr=0.1, epochs=3), r"total_steps=\.\.\., or epochs"),
        (lambda: one(opt, max_lr=0.1, epochs=0, steps_per_epoch=3), r"'epochs' parameter"),
        (
            lambda: one(opt, max_lr=0.1, total_steps=10, epochs=3, steps_per_epoch=4),
            r"total_steps=10 but epochs \* steps_per_epoch = 3 \* 4 = 12",
        ),
        (
            lambda: one(opt, max_lr=0.1, total_steps=10, max_momentum=1.0),
            r"'max_momentum' parameter of OneCycleLR.*\[0, 1\). Got 1.0",
        ),
        (
            lambda: one(opt, max_lr=0.1, total_steps=10, base_momentum=[0.8, -0.1]),
            r"'base_momentum' parameter of OneCycleLR.*Got -0.1",
        ),
        (lambda: one(opt, max_lr=0.1, total_steps=10, div_factor=0), r"'div_factor' parameter"),
        (lambda: one(opt, max_lr=0.1, total_steps=10, three_phase="yes"), r"'three_phase'"),
        (lambda: one(opt, max_lr=0.1, total_steps=10, last_epoch=5), r"last_epoch=5 resumes"),
        (lambda: L.CyclicLR(opt, base_lr=-1, max_lr=0.1), r"'base_lr' parameter of CyclicLR"),
        (lambda: L.CyclicLR(opt, base_lr=0.1, max_lr=[0.1, 0.2, 0.3]), r"max_lr lists 3 values"),
        (lambda: L.CyclicLR(opt, 0.1, 1.0, step_size_up=0), r"'step_size_up' parameter.*> 0"),
        (lambda: L.CyclicLR(opt, 0.1, 1.0, step_size_down=-1), r"'step_size_down' parameter"),
        (lambda: L.CyclicLR(opt, 0.1, 1.0, scale_mode="epochs"), r"'scale_mode' parameter"),
        (lambda: L.CyclicLR(opt, 0.1, 1.0, scale_fn=0.5), r"'scale_fn' parameter of CyclicLR"),
        (lambda: L.CyclicLR(opt, 0.1, 1.0, gamma=0), r"'gamma' parameter of CyclicLR"),
        (lambda: L.CyclicLR(opt, 0.1, 1.0, last_epoch=3), r"last_epoch=3 resumes"),
    ]
    for make, message in cases:
        with pytest.raises(ValueError, match=message):
            make()
    assert lrs(opt) == [0.05, 0.5] and moms(opt) == [0.9, 0.9]  # (nothing written)


def test_a_scale_fn_that_gives_a_bad_rate_or_momentum_is_refused_at_its_step():
    opt = sgd(momentum=0.5)
    sched = L.CyclicLR(opt, 0.1, 0.5, step_size_up=2, scale_fn=lambda k: 20.0)
    with pytest.raises(ValueError, match=r"momentum of -0.0\d* at step 1.*scale_fn"):
        sched.step()  # (momentum 0.9 - (0.9 - 0.8) * 0.5 * 20)
    assert sched.epoch == 0 and lrs(opt) == [0.1, 0.1]
    with pytest.raises(ValueError, match=r"scale_fn\(1\) at step 0 gave 'x'.*return a number"):
        L.CyclicLR(opt, 0.1, 0.5, 2, scale_fn=lambda k: "x", cycle_momentum=False)
    sched = L.CyclicLR(opt, 0.1, 0.5, 2, scale_fn=lambda k: -1.0, cycle_momentum=False)
    with pytest.raises(ValueError, match=r"learning rate of -0.1 at step 1.*scale_fn"):
        sched.step()


def test_sequential_refusals():
    opt = sgd()
    warm = L.LinearLR(opt, start_factor=0.1, total_iters=2)
    other = sgd()
    with pytest.raises(ValueError, match=r"'schedulers' parameter of SequentialLR"):
        L.SequentialLR(opt, [], milestones=[])
    with pytest.raises(ValueError, match=r"schedulers\[1\] must be a glassnet schedule"):
        L.SequentialLR(opt, [warm, "cosine"], milestones=[2])
    with pytest.raises(ValueError, match=r"schedulers\[1\] \(StepLR\) was built on another"):
        L.SequentialLR(opt, [warm, L.StepLR(other, 2)], milestones=[2])
    with pytest.raises(ValueError, match=r"schedulers\[1\] is a ReduceLROnPlateau, whose step"):
        L.SequentialLR(opt, [warm, L.ReduceLROnPlateau(opt)], milestones=[2])
    with pytest.raises(ValueError, match=r"schedulers\[1\] \(LinearLR\) is listed twice"):
        L.SequentialLR(opt, [warm, warm], milestones=[2])
    for bad in ([0], [2, 2], [3.0], 2, [True]):
        with pytest.raises(ValueError, match=r"'milestones' parameter of SequentialLR"):
            L.SequentialLR(opt, [warm, L.StepLR(opt, 2)], milestones=bad)
    with pytest.raises(ValueError, match=r"2 schedule\(s\) take 1 milestone\(s\).*\[2, 4\]"):
        L.SequentialLR(opt, [warm, L.StepLR(opt, 2)], milestones=[2, 4])
    with pytest.raises(ValueError, match=r"last_epoch=1 resumes"):
        L.SequentialLR(opt, [warm, L.StepLR(opt, 2)], milestones=[2], last_epoch=1)
    stepped = L.StepLR(opt, 2)
    stepped.step()
    with pytest.raises(ValueError, match=r"\(StepLR\) has already stepped \(1 steps\)"):
        L.SequentialLR(opt, [warm, stepped], milestones=[2])
    seq = L.SequentialLR(opt, [warm, L.StepLR(opt, 2)], milestones=[2])
    with pytest.raises(ValueError, match=r"already belongs to another SequentialLR"):
        L.SequentialLR(opt, [warm], milestones=[])
    assert seq.epoch == 0


def test_a_sequentials_schedules_step_through_it_and_two_independent_schedules_are_refused():
    opt = sgd()
    warm = L.LinearLR(opt, start_factor=0.1, total_iters=3)
    cos = L.CosineAnnealingLR(opt, T_max=10)
    seq = L.SequentialLR(opt, [warm, cos], milestones=[3])
    for _ in range(5):
        seq.step()  # (its schedules step one optimizer, through it: no refusal)
    with pytest.raises(ValueError, match="one of the schedules of a SequentialLR.*step\\(\\)"):
        cos.step()
    with pytest.raises(ValueError, match="one of the schedules of a SequentialLR"):
        warm.step()
    assert seq.epoch == 5 and cos.epoch == 2
    # a schedule of its own beside the SequentialLR: their steps interleave, refused
    extra = L.ExponentialLR(opt, gamma=0.9)
    with pytest.raises(ValueError, match="Two schedules step one optimizer.*SequentialLR"):
        for _ in range(2):
            extra.step()
            seq.step()


def test_fit_refuses_a_per_batch_schedule_and_takes_it_from_a_step_callback():
    X = np.random.default_rng(0).normal(size=(48, 3))
    y = X @ np.array([1.0, -2.0, 0.5])
    model = nn.Sequential(nn.Linear(3, 8, rng=0), nn.Tanh(), nn.Linear(8, 1, rng=1))
    opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    for sched in (
        L.OneCycleLR(opt, max_lr=0.1, total_steps=12),
        L.CyclicLR(opt, base_lr=0.01, max_lr=0.1, step_size_up=3),
        L.SequentialLR(opt, [L.ConstantLR(opt), L.OneCycleLR(opt, 0.1, 9)], milestones=[3]),
    ):
        name = type(sched).__name__
        with pytest.raises(ValueError, match=rf"stepped once per epoch, and {name}.*on_step_end"):
            gn.fit(model, X, y, epochs=3, batch_size=16, optimizer=opt, schedule=sched, loss="mse")
    # the callback the message shows: the same rates as a loop that steps it per batch
    opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    sched = L.OneCycleLR(opt, max_lr=0.1, epochs=3, steps_per_epoch=3)
    seen = []

    class EachBatch(gn.Callback):
        def on_step_end(self, state):
            sched.step()
            seen.append((opt.lr, opt.momentum))

    gn.fit(model, X, y, epochs=3, batch_size=16, optimizer=opt, callbacks=[EachBatch()], loss="mse")
    opt2 = optim.SGD(nn.Linear(3, 1, rng=0).parameters(), lr=0.01, momentum=0.9)
    sched2 = L.OneCycleLR(opt2, max_lr=0.1, epochs=3, steps_per_epoch=3)
    assert seen == [(sched2.step(), (opt2.lr, opt2.momentum))[1] for _ in range(9)]
    assert sched.epoch == 9


def test_fit_steps_a_sequential_per_epoch_as_a_loop_does_and_resumes_it():
    X = np.random.default_rng(1).normal(size=(40, 2))
    y = X[:, 0] - X[:, 1]

    def setup():
        model = nn.Sequential(nn.Linear(2, 4, rng=0), nn.Tanh(), nn.Linear(4, 1, rng=1))
        opt = optim.SGD(model.parameters(), lr=0.05)
        warm = L.LinearLR(opt, start_factor=0.2, total_iters=3)
        seq = L.SequentialLR(opt, [warm, L.CosineAnnealingLR(opt, T_max=7)], milestones=[3])
        return model, opt, seq

    model, opt, seq = setup()
    history = gn.fit(model, X, y, epochs=10, batch_size=8, optimizer=opt, schedule=seq, loss="mse")
    _, opt2, seq2 = setup()
    want = [opt2.lr] + [(seq2.step(), opt2.lr)[1] for _ in range(9)]
    assert history.lr == pytest.approx(want, rel=1e-15) and seq.epoch == 10
    # resumed after epoch 4: the run's state dicts, then the same rates as the whole run
    model, opt, seq = setup()
    gn.fit(model, X, y, epochs=4, batch_size=8, optimizer=opt, schedule=seq, loss="mse")
    state = json.loads(json.dumps(seq.state_dict()))  # (plain values: JSON holds them)
    o_state = opt.state_dict()
    model2, opt2, seq2 = setup()
    model2.load_state_dict(model.state_dict())
    opt2.load_state_dict(o_state)
    with pytest.raises(ValueError, match="resumes after epoch 4 and the schedule has stepped 0"):
        gn.fit(model2, X, y, epochs=10, batch_size=8, optimizer=opt2, schedule=seq2,
               loss="mse", initial_epoch=4)  # fmt: skip
    seq2.load_state_dict(state)
    h2 = gn.fit(model2, X, y, epochs=10, batch_size=8, optimizer=opt2, schedule=seq2,
                loss="mse", initial_epoch=4)  # fmt: skip
    assert h2.lr[-6:] == pytest.approx(history.lr[-6:], rel=1e-15)


# ---------------------------------------------------------------- state dicts


@pytest.mark.parametrize(
    "make",
    [
        lambda o: L.OneCycleLR(o, max_lr=[0.5, 1.0], total_steps=30, three_phase=True),
        lambda o: L.OneCycleLR(o, max_lr=0.5, total_steps=30, cycle_momentum=False),
        lambda o: L.CyclicLR(o, [0.01, 0.02], 0.2, step_size_up=4, mode="exp_range", gamma=0.95),
        lambda o: L.SequentialLR(
            o, [L.LinearLR(o, 0.1, total_iters=4), L.OneCycleLR(o, 1.0, total_steps=20)], [4]
        ),
    ],
    ids=["onecycle", "onecycle-no-momentum", "cyclic", "sequential"],
)
def test_state_dict_round_trip_resumes_the_same_rates(make):
    opt = sgd(momentum=0.9)
    sched = make(opt)
    for _ in range(7):
        opt.step()
        sched.step()
    state, o_state = sched.state_dict(), opt.state_dict()
    assert json.loads(json.dumps(state)) == state
    rest = [(lrs(opt), moms(opt)) for _ in range(10) if not sched.step()]
    opt2 = sgd(lrs=(0.3, 0.3), momentum=0.5)
    sched2 = make(opt2)  # (build, then load the optimizer's state, then the schedule's)
    opt2.load_state_dict(o_state)
    sched2.load_state_dict(state)
    assert sched2.state_dict() == state
    assert [(lrs(opt2), moms(opt2)) for _ in range(10) if not sched2.step()] == rest


def test_load_state_dict_refusals():
    opt = sgd(momentum=0.9)
    one = L.OneCycleLR(opt, max_lr=1.0, total_steps=10)
    state = one.state_dict()
    with pytest.raises(ValueError, match=r"'max_lrs' must list one value per param group \(2\)"):
        one.load_state_dict({**state, "max_lrs": [1.0]})
    with pytest.raises(ValueError, match="saved from 'CyclicLR', not OneCycleLR"):
        one.load_state_dict(L.CyclicLR(opt, 0.1, 1.0).state_dict())
    with pytest.raises(ValueError, match="missing keys"):
        one.load_state_dict({k: v for k, v in state.items() if k != "pct_start"})
    seq = L.SequentialLR(opt, [L.LinearLR(opt), L.StepLR(opt, 2)], [5])
    s = seq.state_dict()
    for _ in range(7):
        seq.step()
    bad = {**s, "schedulers": [s["schedulers"][0], {**s["schedulers"][1], "type": "LinearLR"}]}
    with pytest.raises(ValueError, match="saved from 'LinearLR', not StepLR"):
        seq.load_state_dict(bad)
    assert seq.epoch == 7 and [c.epoch for c in seq.schedulers] == [4, 2]  # (nothing changed)
    with pytest.raises(ValueError, match="'schedulers' must hold the state of each of its 2"):
        seq.load_state_dict({**s, "schedulers": s["schedulers"][:1]})
    seq.load_state_dict(s)
    assert seq.epoch == 0 and [c.epoch for c in seq.schedulers] == [0, 0]


def test_state_dicts_go_into_a_checkpoint(tmp_path):
    pytest.importorskip("safetensors")
    model = nn.Linear(2, 1, rng=0)
    opt = optim.Adam(model.parameters(), lr=0.1)
    seq = L.SequentialLR(opt, [L.LinearLR(opt), L.OneCycleLR(opt, 0.5, 20)], [5])
    for _ in range(8):
        seq.step()
    path = gn.io.save_checkpoint(
        tmp_path / "c.glassnet", model.state_dict(), {"optimizer": opt.state_dict(),
                                                      "schedule": seq.state_dict()}
    )  # fmt: skip
    loaded = gn.io.load_checkpoint(path)
    opt2 = optim.Adam(nn.Linear(2, 1, rng=0).parameters(), lr=0.1)
    seq2 = L.SequentialLR(opt2, [L.LinearLR(opt2), L.OneCycleLR(opt2, 0.5, 20)], [5])
    opt2.load_state_dict(loaded[1]["optimizer"])
    seq2.load_state_dict(loaded[1]["schedule"])
    assert seq2.state_dict() == seq.state_dict()
    seq.step()
    seq2.step()
    assert lrs(opt2) == lrs(opt) and opt2.betas == opt.betas


# ---------------------------------------------------------------- training


def test_onecycle_trains_a_model_in_a_hand_written_loop_and_resumes_identically():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(128, 4))
    y = np.tanh(X @ rng.normal(size=(4, 1))) + 0.05 * rng.normal(size=(128, 1))
    epochs, bs = 8, 16
    steps = epochs * math.ceil(len(X) / bs)

    def setup():
        model = nn.Sequential(nn.Linear(4, 16, rng=1), nn.Tanh(), nn.Linear(16, 1, rng=2))
        opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        return model, opt, L.OneCycleLR(opt, max_lr=0.1, total_steps=steps)

    def train(model, opt, sched, epochs):
        losses = []
        for _ in range(epochs):
            total = 0.0
            for i in range(0, len(X), bs):
                opt.zero_grad()
                loss = nn.MSELoss()(model(gn.tensor(X[i : i + bs])), gn.tensor(y[i : i + bs]))
                loss.backward()
                opt.step()
                sched.step()
                total += float(loss.item()) * len(X[i : i + bs])
            losses.append(total / len(X))
        return losses

    model, opt, sched = setup()
    first = float(nn.MSELoss()(model(gn.tensor(X)), gn.tensor(y)).item())
    losses = train(model, opt, sched, epochs)
    assert losses[-1] < 0.1 * first and losses == sorted(losses, reverse=True)
    assert sched.epoch == steps and sched.lr_at(steps - 1) == pytest.approx(0.1 / 25 / 1e4)
    # interrupted after 2 epochs: the three state dicts, then the rest
    model, opt, sched = setup()
    train(model, opt, sched, 2)
    saved = (
        {k: v.copy() for k, v in model.state_dict().items()},
        opt.state_dict(),
        json.loads(json.dumps(sched.state_dict())),
    )
    whole = train(model, opt, sched, epochs - 2)
    model2, opt2, sched2 = setup()
    model2.load_state_dict(saved[0])
    opt2.load_state_dict(saved[1])
    sched2.load_state_dict(saved[2])
    resumed = train(model2, opt2, sched2, epochs - 2)
    assert resumed == whole
    for (k, a), b in zip(model.state_dict().items(), model2.state_dict().values()):
        np.testing.assert_array_equal(a, b, err_msg=k)
    assert whole == pytest.approx(losses[2:], rel=1e-9)


def test_exported_at_pytorchs_place():
    for name in ("OneCycleLR", "CyclicLR", "SequentialLR", "ChainedScheduler", "MultiplicativeLR"):
        assert getattr(L, name) is getattr(schedules, name)
        assert name in L.__all__ and name in schedules.__all__
    from glassnet.optim.lr_scheduler import (  # noqa: F401
        ChainedScheduler,
        CyclicLR,
        MultiplicativeLR,
        OneCycleLR,
        SequentialLR,
    )


def test_sequential_lr_at_reads_the_schedule_in_force():
    opt = optim.SGD(nn.Linear(2, 1, rng=0).parameters(), lr=0.1)
    seq = L.SequentialLR(
        opt, [L.LinearLR(opt, start_factor=0.5, total_iters=2), L.StepLR(opt, 1, 0.5)], [2]
    )
    want = [seq.lr_at(e) for e in range(6)]
    assert want == [opt.lr] + [(seq.step(), opt.lr)[1] for _ in range(5)]
    one = L.OneCycleLR(optim.SGD(nn.Linear(2, 1, rng=0).parameters(), lr=0.1), 1.0, 10)
    with pytest.raises(ValueError, match="Tried to step 11 times"):
        one.lr_at(11)


def test_a_group_added_after_a_cycle_was_built_is_refused_not_left_unscheduled():
    opt = optim.SGD(nn.Linear(2, 1, rng=0).parameters(), lr=0.1, momentum=0.9)
    sched = L.OneCycleLR(opt, max_lr=1.0, total_steps=10)
    opt.add_param_group({"params": nn.Linear(2, 1, rng=1).parameters(), "lr": 0.5})
    with pytest.raises(ValueError, match=r"2 param group\(s\) but the schedule has a starting"):
        sched.step()
    sched.base_lrs.append(0.04)  # (what that message says: the lists need it too)
    with pytest.raises(ValueError, match=r"base_lrs has 2 values and max_lrs 1, base_mom"):
        sched.step()
    for key, value in (("max_lrs", 1.0), ("base_momentums", 0.85), ("max_momentums", 0.95)):
        getattr(sched, key).append(value)
    sched.step()
    assert lrs(opt)[0] == lrs(opt)[1] and sched.epoch == 1


def test_fit_refuses_a_schedule_that_belongs_to_a_sequential():
    X = np.random.default_rng(0).normal(size=(20, 2))
    model = nn.Linear(2, 1, rng=0)
    opt = optim.SGD(model.parameters(), lr=0.1)
    cos = L.CosineAnnealingLR(opt, T_max=5)
    seq = L.SequentialLR(opt, [L.LinearLR(opt), cos], milestones=[5])
    with pytest.raises(ValueError, match="belongs to a SequentialLR.*pass the SequentialLR"):
        gn.fit(model, X, X[:, 0], epochs=2, optimizer=opt, schedule=cos, loss="mse")
    history = gn.fit(model, X, X[:, 0], epochs=2, optimizer=opt, schedule=seq, loss="mse")
    assert history.lr == pytest.approx([0.1 / 3, 0.1 * (1 / 3 + 2 / 15)])


@pytest.mark.parametrize(
    "name, key",
    [
        ("SGD", "momentum"), ("RMSprop", "momentum"), ("Adam", "betas"), ("AdamW", "betas"),
        ("Adamax", "betas"), ("NAdam", "betas"), ("RAdam", "betas"), ("Adagrad", None),
        ("Adadelta", None),
    ],
)  # fmt: skip
def test_every_optimizer_cycles_its_momentum_or_is_refused_as_in_pytorch(name, key):
    model = nn.Linear(3, 1, rng=0)
    opt = getattr(optim, name)(model.parameters(), lr=0.01)
    if key is None:
        with pytest.raises(ValueError, match=rf"{name} has neither, as in PyTorch"):
            L.OneCycleLR(opt, max_lr=0.1, total_steps=6)
        L.OneCycleLR(opt, max_lr=0.1, total_steps=6, cycle_momentum=False).step()
        return
    sched = L.OneCycleLR(opt, max_lr=0.1, total_steps=6, pct_start=0.5)
    seen = []
    for _ in range(6):
        model.zero_grad()
        nn.MSELoss()(model(gn.tensor(np.ones((4, 3)))), gn.tensor(np.zeros((4, 1)))).backward()
        opt.step()  # (the optimizer takes the momentum written into its groups)
        sched.step()
        seen.append(opt.param_groups[0][key][0] if key == "betas" else opt.param_groups[0][key])
    want = [
        onecycle_formula(t, 6, 0.1, 0.5, 25.0, 1e4, "cos", False, 0.85, 0.95)[1]
        for t in range(1, 7)
    ]
    assert seen == pytest.approx(want, rel=1e-12)


def test_per_batch_schedules_advise_batches_counted_after_the_validation_split():
    opt = sgd(momentum=0.9)
    sched = L.OneCycleLR(opt, max_lr=1.0, total_steps=4)
    with pytest.raises(TypeError, match=r"once per batch \(got epoch=3"):
        sched.step(3)  # (it said "once per epoch" of a per-batch schedule)
    for _ in range(4):
        sched.step()
    with pytest.raises(ValueError, match=r"n_train the rows left after a validation split"):
        sched.step()
    opt = sgd(momentum=0.9)
    with pytest.raises(ValueError, match=r"ceil\(n_train / batch_size\).*validation_split"):
        schedules.check_schedule(L.CyclicLR(opt, 0.1, 1.0), opt, "fit", 0)
