"""Round 21: a hand-set lr while a PyTorch-style schedule runs carries on as in PyTorch;
glassnet's ConstantLR called PyTorch's way; LambdaLR factors that are bools."""

import math

import numpy as np
import pytest

from glassnet import nn, optim, schedules
from glassnet._validation import ParameterError
from glassnet.optim import lr_scheduler as L


def _opt(lr=0.1, groups=1):
    ps = [nn.Parameter(np.zeros(2)) for _ in range(groups)]
    return optim.SGD([{"params": [p], "lr": lr * (i + 1)} for i, p in enumerate(ps)], lr=lr)


def _run(make, steps, hand, lib="gn", groups=1):
    """Each group's lr before each of ``steps`` steps; ``hand``: {step: (group, factor)}."""
    if lib == "torch":
        torch = pytest.importorskip("torch")
        ps = [torch.nn.Parameter(torch.zeros(2)) for _ in range(groups)]
        opt = torch.optim.SGD([{"params": [p], "lr": 0.1 * (i + 1)} for i, p in enumerate(ps)])
        M = torch.optim.lr_scheduler
    else:
        opt, M = _opt(groups=groups), L
    sched = make(M, opt)
    out = []
    for k in range(steps):
        if k in hand:
            g, f = hand[k]
            opt.param_groups[g]["lr"] *= f
        out.append([g["lr"] for g in opt.param_groups])
        opt.step()
        sched.step()
    out.append([g["lr"] for g in opt.param_groups])
    return out


CHAINABLE = {
    "exponential": lambda M, o: M.ExponentialLR(o, gamma=0.9),
    "step": lambda M, o: M.StepLR(o, 3, 0.5),
    "multistep": lambda M, o: M.MultiStepLR(o, [2, 6, 6], 0.5),
    "cosine": lambda M, o: M.CosineAnnealingLR(o, T_max=4, eta_min=0.01),
    "cosine0": lambda M, o: M.CosineAnnealingLR(o, T_max=3),
    "linear": lambda M, o: M.LinearLR(o, 0.2, 1.0, 6),
    "linear_down": lambda M, o: M.LinearLR(o, 1.0, 0.0, 5),
    "constant": lambda M, o: M.ConstantLR(o, 0.5, 6),
    "polynomial": lambda M, o: M.PolynomialLR(o, 8, 2.0),
    "polynomial_end": lambda M, o: M.PolynomialLR(o, 3, 1.0),
    "multiplicative": lambda M, o: M.MultiplicativeLR(o, lambda e: 0.9),
    "sequential": lambda M, o: M.SequentialLR(
        o, [M.LambdaLR(o, lambda e: (e + 1) / 3), M.CosineAnnealingLR(o, T_max=10)], [3]
    ),
    "sequential_exp": lambda M, o: M.SequentialLR(
        o, [M.LinearLR(o, 0.5, 1.0, 2), M.ExponentialLR(o, 0.8)], [2]
    ),
}


@pytest.mark.parametrize("name", sorted(CHAINABLE))
@pytest.mark.parametrize("at", [0, 1, 4, 5, 6, 8])
def test_hand_set_lr_carries_on_as_in_torch(name, at):
    make = CHAINABLE[name]
    hand = {at: (1, 0.5), at + 3: (0, 3.0)}
    mine = _run(make, 16, hand, groups=2)
    theirs = _run(make, 16, hand, "torch", groups=2)
    np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=1e-15)


def test_hand_set_lr_by_hand_numbers():
    """PyTorch's recursive forms, worked by hand (no torch needed)."""
    # ExponentialLR(0.9) from 0.1, lr halved before step 4: 0.06561 / 2, then × 0.9 each step
    got = [r[0] for r in _run(CHAINABLE["exponential"], 7, {4: (0, 0.5)})]
    want = [0.1, 0.09, 0.081, 0.0729] + [0.06561 / 2 * 0.9**k for k in (0, 1, 2, 3)]
    np.testing.assert_allclose(got, want, rtol=1e-12)
    # StepLR(3, 0.5): halved before step 4 (lr 0.05 → 0.025), halved again at epoch 6
    got = [r[0] for r in _run(CHAINABLE["step"], 8, {4: (0, 0.5)})]
    np.testing.assert_allclose(got, [0.1] * 3 + [0.05, 0.025, 0.025, 0.0125, 0.0125, 0.0125])
    # ConstantLR(0.5, 6): 0.05 halved by hand to 0.025 before step 2; at epoch 6 ×2: 0.05
    got = [r[0] for r in _run(CHAINABLE["constant"], 8, {2: (0, 0.5)})]
    np.testing.assert_allclose(got, [0.05, 0.05] + [0.025] * 4 + [0.05] * 3)
    # CosineAnnealingLR(T_max=4, eta_min=0.01): lr at epoch 1 set to 0.05; PyTorch's
    # eta + (lr − eta) · c(e)/c(e − 1) until the bottom (epoch 4), then the rise from base 0.1
    c = [(1 + math.cos(math.pi * e / 4)) / 2 for e in range(8)]
    got = [r[0] for r in _run(CHAINABLE["cosine"], 7, {1: (0, 0.5)})]
    lr1 = (0.01 + 0.09 * c[1]) * 0.5
    want = [0.1, lr1] + [0.01 + (lr1 - 0.01) * c[e] / c[1] for e in (2, 3, 4)]
    want += [0.01 + 0.09 * c[e] for e in (5, 6, 7)]
    np.testing.assert_allclose(got, want, rtol=1e-12)
    # PolynomialLR(3, 1.0) past its end (lr 0): set to 0.02 by hand, it stays 0.02
    got = [r[0] for r in _run(CHAINABLE["polynomial_end"], 6, {4: (0, 1.0)})]
    assert got[3:] == [0.0] * 4
    opt = _opt()
    sched = L.PolynomialLR(opt, 3, 1.0)
    for _ in range(4):
        opt.step()
        sched.step()
    opt.param_groups[0]["lr"] = 0.02
    for _ in range(3):
        opt.step()
        sched.step()
        assert opt.param_groups[0]["lr"] == 0.02


def _untouched(make, steps=12):
    opt = _opt(groups=2)
    sched = make(L, opt)
    out = []
    for _ in range(steps):
        opt.step()
        sched.step()
        out.append([g["lr"] for g in opt.param_groups])
    return out, sched


@pytest.mark.parametrize("name", sorted(CHAINABLE))
def test_untouched_rates_are_the_closed_form(name):
    """Nobody touching the lr: each rate is the schedule's closed form, bit for bit."""
    got, sched = _untouched(CHAINABLE[name])
    if name.startswith("sequential"):
        sched = sched.schedulers[1]
        got = got[sched.epoch - len(got) :]
    product = 1.0
    for e, lrs in enumerate(got, sched.epoch - len(got) + 1):
        product *= 0.9
        for i, base in enumerate(sched.base_lrs):
            closed = base * product if name == "multiplicative" else sched._rate(base, e)
            assert lrs[i] == closed


@pytest.mark.parametrize("name", sorted(CHAINABLE))
def test_state_dict_round_trip_after_a_hand_set_lr(name):
    make = CHAINABLE[name]
    opt = _opt(groups=2)
    sched = make(L, opt)
    for k in range(5):
        if k == 2:
            opt.param_groups[1]["lr"] *= 0.5
        opt.step()
        sched.step()
    state, lrs = sched.state_dict(), [g["lr"] for g in opt.param_groups]
    later = []
    for _ in range(6):
        opt.step()
        sched.step()
        later.append([g["lr"] for g in opt.param_groups])
    opt2 = _opt(groups=2)
    sched2 = make(L, opt2)
    sched2.load_state_dict(state)
    for g, lr in zip(opt2.param_groups, lrs):
        g["lr"] = lr
    again = []
    for _ in range(6):
        opt2.step()
        sched2.step()
        again.append([g["lr"] for g in opt2.param_groups])
    assert again == later


def test_a_hand_set_lr_that_is_no_number_is_refused():
    opt = _opt()
    sched = L.ExponentialLR(opt, 0.9)
    opt.param_groups[0]["lr"] = "0.1"
    with pytest.raises(ParameterError, match="lr"):
        sched.step()


# ConstantLR (glassnet's) called PyTorch's way


def test_constant_lr_positional_pytorch_form():
    opt = _opt()
    sched = schedules.ConstantLR(opt, 0.5, 3)
    lrs = []
    for _ in range(5):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    assert lrs == [0.05, 0.05, 0.05, 0.1, 0.1]
    opt = _opt()
    sched = schedules.ConstantLR(opt, factor=0.25)
    assert opt.param_groups[0]["lr"] == 0.025
    assert isinstance(sched, schedules.ConstantFactorLR)


def test_constant_lr_plain_stays_constant():
    opt = _opt()
    sched = schedules.ConstantLR(opt)
    assert type(sched) is schedules.ConstantLR
    for _ in range(3):
        opt.step()
        sched.step()
    assert opt.param_groups[0]["lr"] == 0.1


@pytest.mark.parametrize("bad", ["abc", math.nan, [1, 2], {}, 1j, 1.5, True])
def test_constant_lr_bad_last_epoch_refused(bad):
    with pytest.raises((TypeError, ValueError), match="last_epoch"):
        schedules.ConstantLR(_opt(), last_epoch=bad)


@pytest.mark.parametrize("bad", ["abc", -0.5, 2.0, None, True])
def test_constant_lr_bad_factor_refused(bad):
    with pytest.raises((TypeError, ValueError), match="factor"):
        schedules.ConstantLR(_opt(), bad, 3)


def test_constant_lr_bad_total_iters_refused():
    with pytest.raises((TypeError, ValueError), match="total_iters"):
        schedules.ConstantLR(_opt(), 0.5, "3")


def test_signatures_match_torch():
    torch = pytest.importorskip("torch")
    import inspect

    for name in dir(torch.optim.lr_scheduler):
        theirs = getattr(torch.optim.lr_scheduler, name)
        mine = getattr(L, name, None)
        if not isinstance(theirs, type) or mine is None or name.startswith("_"):
            continue
        if name in ("LRScheduler", "Optimizer", "Tensor", "Counter", "Enum"):
            continue
        want = list(inspect.signature(theirs).parameters)
        assert list(inspect.signature(mine).parameters) == want, name


# LambdaLR: a factor that is a bool


@pytest.mark.parametrize("flag", [True, False, np.True_])
def test_lambda_lr_bool_factor_refused(flag):
    with pytest.raises(ParameterError, match="lr_lambda"):
        schedules.LambdaLR(_opt(), lambda e: flag)
    opt = _opt()
    sched = schedules.LambdaLR(opt, lambda e: 1.0 if e == 0 else flag)
    with pytest.raises(ParameterError, match="bool"):
        sched.step()
    assert opt.param_groups[0]["lr"] == 0.1 and sched.epoch == 0


def test_untouched_cosine_state_has_no_new_keys():
    """An untouched run's state dict is what an older glassnet reads (no hand_until)."""
    opt = _opt()
    sched = L.CosineAnnealingLR(opt, T_max=4)
    for _ in range(3):
        opt.step()
        sched.step()
    assert set(sched.state_dict()) == {"type", "base_lrs", "epoch", "T_max", "eta_min"}
    opt.param_groups[0]["lr"] = 0.01
    opt.step()
    sched.step()
    assert sched.state_dict()["hand_until"] == [4]
    bad = {**sched.state_dict(), "hand_until": ["x"]}
    with pytest.raises(ValueError, match="hand_until"):
        L.CosineAnnealingLR(_opt(), T_max=4).load_state_dict(bad)


def test_glassnet_constant_lr_keeps_a_hand_set_lr():
    opt = _opt()
    sched = schedules.ConstantLR(opt)
    opt.step()
    sched.step()
    opt.param_groups[0]["lr"] = 0.03
    for _ in range(3):
        opt.step()
        sched.step()
        assert opt.param_groups[0]["lr"] == 0.03


CHAINS = {
    "exp_cos": lambda M, o: M.ChainedScheduler(
        [M.ExponentialLR(o, 0.9), M.CosineAnnealingLR(o, 4)]
    ),
    "warm_step": lambda M, o: M.ChainedScheduler([M.ConstantLR(o, 0.5, 3), M.StepLR(o, 2, 0.5)]),
    "lambda_exp": lambda M, o: M.ChainedScheduler(
        [M.LambdaLR(o, lambda e: 1 / (e + 1)), M.ExponentialLR(o, 0.8)]
    ),
}


@pytest.mark.parametrize("name", sorted(CHAINS))
@pytest.mark.parametrize("at", [0, 2, 5])
def test_chained_scheduler_hand_set_lr_as_in_torch(name, at):
    hand = {at: (1, 0.5), at + 3: (0, 3.0)}
    mine = _run(CHAINS[name], 12, hand, groups=2)
    theirs = _run(CHAINS[name], 12, hand, "torch", groups=2)
    np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=1e-15)


def test_chained_scheduler_resumes_from_its_state_alone():
    """Loaded, the chain goes on from the rates it saved (a fresh optimizer's lr is not a
    hand-set lr)."""
    opt = _opt()
    chain = CHAINS["exp_cos"](L, opt)
    for _ in range(3):
        opt.step()
        chain.step()
    state = chain.state_dict()
    opt.step()
    chain.step()
    want = opt.param_groups[0]["lr"]
    opt2 = _opt()
    chain2 = CHAINS["exp_cos"](L, opt2)
    chain2.load_state_dict(state)
    opt2.step()
    chain2.step()
    assert opt2.param_groups[0]["lr"] == want


# Mends of the round's review: a checkpoint written after a hand-set lr, before the next step


def _resume(make, lib="gn", groups=2, old=False, at=3):
    """Each group's lr for 5 steps after ``at`` steps, a hand-set lr and a checkpoint: the run
    goes on (unbroken) and from the checkpoint in fresh objects (resumed). ``old``: the
    schedule's state without the key this mend added (a state dict from before it)."""
    if lib == "torch":
        torch = pytest.importorskip("torch")

        def fresh():
            ps = [torch.nn.Parameter(torch.zeros(2)) for _ in range(groups)]
            opt = torch.optim.SGD([{"params": [p], "lr": 0.1 * (i + 1)} for i, p in enumerate(ps)])
            return opt, make(torch.optim.lr_scheduler, opt)
    else:

        def fresh():
            opt = _opt(groups=groups)
            return opt, make(L, opt)

    runs = []
    opt, sched = fresh()
    for _ in range(at):
        opt.step()
        sched.step()
    opt.param_groups[0]["lr"] = 0.5
    state, opt_state = sched.state_dict(), opt.state_dict()
    if old:
        state = {k: v for k, v in state.items() if k != "_last_lr"}
    opt2, sched2 = fresh()
    opt2.load_state_dict(opt_state)
    sched2.load_state_dict(state)
    for o, s in ((opt, sched), (opt2, sched2)):
        lrs = []
        for _ in range(5):
            o.step()
            s.step()
            lrs.append([g["lr"] for g in o.param_groups])
        runs.append(lrs)
    return runs


RESUMED = {**CHAINABLE, **{f"chain_{k}": v for k, v in CHAINS.items()}}


@pytest.mark.parametrize("name", sorted(RESUMED))
@pytest.mark.parametrize("at", [2, 3])
def test_resumed_after_a_hand_set_lr_is_the_unbroken_run(name, at):
    unbroken, resumed = _resume(RESUMED[name], at=at)
    assert resumed == unbroken
    theirs, theirs_resumed = _resume(RESUMED[name], "torch", at=at)
    np.testing.assert_allclose(theirs_resumed, theirs, rtol=1e-12)
    np.testing.assert_allclose(unbroken, theirs, rtol=1e-12, atol=1e-15)


def test_resumed_after_a_hand_set_lr_exponential_numbers():
    unbroken, resumed = _resume(RESUMED["exponential"], groups=1)
    assert resumed[0][0] == pytest.approx(0.45, rel=1e-12)
    assert unbroken[0][0] == pytest.approx(0.45, rel=1e-12)


def test_state_dict_without_last_lr_loads_as_before():
    """A state dict written before ``_last_lr`` was saved loads: the curve goes on from its
    saved rates (the hand-set lr is not known then), as it did."""
    _, resumed = _resume(RESUMED["exponential"], groups=1, old=True)
    assert resumed[0][0] == pytest.approx(0.1 * 0.9**4, rel=1e-12)


@pytest.mark.parametrize(
    "name", ["exponential", "cosine", "step", "polynomial", "sequential", "chain_exp_cos"]
)
def test_untouched_state_dict_keys_unchanged(name):
    opt = _opt()
    sched = RESUMED[name](L, opt)
    for _ in range(3):
        opt.step()
        sched.step()
    assert "_last_lr" not in sched.state_dict()
    opt.param_groups[0]["lr"] = 0.5
    assert "_last_lr" in str(sched.state_dict())


@pytest.mark.parametrize("bad", [[-1.0], ["x"], 0.1, [0.1, 0.2]])
def test_a_bad_saved_last_lr_is_refused(bad):
    opt = _opt()
    sched = L.ExponentialLR(opt, 0.9)
    opt.step()
    sched.step()
    state = {**sched.state_dict(), "_last_lr": bad}
    sched2 = L.ExponentialLR(_opt(), 0.9)
    with pytest.raises(ValueError, match="_last_lr"):
        sched2.load_state_dict(state)
    assert sched2.epoch == 0


@pytest.mark.parametrize(
    "make",
    [
        lambda o: L.PolynomialLR(o, total_iters=3),
        lambda o: L.LinearLR(o, start_factor=1.0, end_factor=0.0, total_iters=3),
    ],
)
def test_held_first_group_state_round_trip(make):
    opt = _opt(groups=2)
    sched = make(opt)
    for _ in range(4):
        opt.step()
        sched.step()
    opt.param_groups[0]["lr"] = 0.05
    opt.step()
    sched.step()
    state = sched.state_dict()
    assert state["held"] == [0]
    opt2 = _opt(groups=2)
    sched2 = make(opt2)
    sched2.load_state_dict(state)
    assert sched2.state_dict() == state
    for g, g2 in zip(opt.param_groups, opt2.param_groups):
        g2["lr"] = g["lr"]
    for _ in range(3):
        for o, s in ((opt, sched), (opt2, sched2)):
            o.step()
            s.step()
        assert [g["lr"] for g in opt2.param_groups] == [g["lr"] for g in opt.param_groups]
    assert opt2.param_groups[0]["lr"] == 0.05
    with pytest.raises(ValueError, match="held"):
        make(_opt(groups=2)).load_state_dict({**state, "held": [-1]})


def test_a_refused_step_changes_nothing():
    """A cosine lr set by hand below eta_min on the rise: the step is refused (the rate would
    be below 0); with the lr put back the schedule goes on as if that step never came."""
    opt, ref = _opt(), _opt()
    sched = L.CosineAnnealingLR(opt, T_max=4, eta_min=0.001)
    sched_ref = L.CosineAnnealingLR(ref, T_max=4, eta_min=0.001)
    for _ in range(5):
        for o, s in ((opt, sched), (ref, sched_ref)):
            o.step()
            s.step()
    opt.param_groups[0]["lr"] = 0.0
    before = sched.state_dict()
    with pytest.raises(ValueError, match="below 0|hand"):
        sched.step()
    assert sched.state_dict() == before and sched.epoch == 5
    opt.param_groups[0]["lr"] = sched.get_last_lr()[0]
    for _ in range(6):
        for o, s in ((opt, sched), (ref, sched_ref)):
            o.step()
            s.step()
        assert opt.param_groups[0]["lr"] == ref.param_groups[0]["lr"]
    assert sched.state_dict() == sched_ref.state_dict()


def test_lambda_lr_bool_array_factor_refused():
    with pytest.raises(ParameterError, match="bool"):
        schedules.LambdaLR(_opt(), lambda e: np.array(e < 1))
    opt = _opt()
    sched = schedules.LambdaLR(opt, lambda e: 1.0 if e == 0 else np.array(False))
    with pytest.raises(ParameterError, match="bool"):
        sched.step()
    assert opt.param_groups[0]["lr"] == 0.1 and sched.epoch == 0


def test_a_refused_multiplicative_step_changes_nothing():
    opt = _opt()
    sched = L.MultiplicativeLR(opt, lambda e: -1.0 if e == 3 else 0.5)
    for _ in range(2):
        opt.step()
        sched.step()
    opt.param_groups[0]["lr"] = 0.08
    before, count = sched.state_dict(), sched._step_count
    with pytest.raises(ParameterError, match="lr_lambda"):
        sched.step()
    assert sched.state_dict() == before and sched._step_count == count
