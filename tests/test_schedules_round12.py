"""PyTorch's ``MultiplicativeLR`` and ``ChainedScheduler`` (``glassnet.schedules``): the
learning rates step by step, per param group, against formulas written here independently
and against PyTorch's own schedulers (``torch==2.13.0``, optional); their errors, state dicts,
a resumed run equal to the unbroken one, and ``fit(schedule=...)``."""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn, optim, schedules
from glassnet._validation import ParameterError

S = schedules
BASES = (0.2, 0.05)
STEPS = 14


def sgd(lrs=BASES):
    """Two param groups (lr 0.2 and 0.05)."""
    groups = [{"params": nn.Linear(2, 2, rng=i).parameters(), "lr": lr} for i, lr in enumerate(lrs)]
    return optim.SGD(groups, lr=lrs[0])


def run(sched, steps=STEPS):
    """Each group's lr at epochs 0..steps."""
    out = [sched.get_last_lr()]
    for _ in range(steps):
        sched.step()
        out.append(sched.get_last_lr())
    return out


def torch_rates(make, steps=STEPS):
    """The same schedule's rates from PyTorch (``make(torch_lr_scheduler, optimizer)``)."""
    torch = pytest.importorskip("torch")
    w1, w2 = torch.nn.Parameter(torch.zeros(2)), torch.nn.Parameter(torch.zeros(1))
    topt = torch.optim.SGD([{"params": [w1]}, {"params": [w2], "lr": BASES[1]}], lr=BASES[0])
    sched = make(torch.optim.lr_scheduler, topt)
    out = [sched.get_last_lr()]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(steps):
            topt.step()
            sched.step()
            out.append(sched.get_last_lr())
    return out


# ---------------------------------------------------------------- MultiplicativeLR

ONE = lambda e: 0.9  # noqa: E731
WAVY = lambda e: 1.0 + 0.1 * (e % 3) - 0.15  # noqa: E731  (0.85, 0.95, 1.05 in turn)
MULT_CASES = {
    "one-function": ONE,
    "per-group": [ONE, WAVY],
    "a-factor-above-1": lambda e: 1.05,
}


def mult_formula(fns, base, group, e):
    fn = fns[group] if isinstance(fns, list) else fns
    return base * math.prod(fn(k) for k in range(1, e + 1))


@pytest.mark.parametrize("fns", MULT_CASES.values(), ids=MULT_CASES)
def test_multiplicative_lr_rates_by_the_formula(fns):
    ours = run(S.MultiplicativeLR(sgd(), fns))
    want = [[mult_formula(fns, b, g, e) for g, b in enumerate(BASES)] for e in range(STEPS + 1)]
    np.testing.assert_allclose(ours, want, rtol=1e-13, atol=0)


@pytest.mark.parametrize("fns", MULT_CASES.values(), ids=MULT_CASES)
def test_multiplicative_lr_rates_are_pytorchs(fns):
    theirs = torch_rates(lambda T, o: T.MultiplicativeLR(o, fns))
    ours = run(S.MultiplicativeLR(sgd(), fns))
    # (PyTorch multiplies the rate step by step, glassnet the product of the factors: rounding)
    np.testing.assert_allclose(ours, theirs, rtol=1e-13, atol=0)


def test_multiplicative_lr_calls_its_function_once_per_step_and_group_at_the_new_epoch():
    calls = []

    def halve_on_odd(e):
        calls.append(e)
        return 0.5 if e % 2 else 1.0

    opt = sgd((0.2,))  # (one group: PyTorch calls the function once per group, so here)
    sched = S.MultiplicativeLR(opt, halve_on_odd)
    assert calls == [] and opt.lr == 0.2  # (building it leaves the rate, as PyTorch's)
    got = [(sched.step(), opt.lr)[1] for _ in range(5)]
    assert calls == [1, 2, 3, 4, 5]
    assert got == [0.1, 0.1, 0.05, 0.05, 0.025]
    assert sched.last_epoch == 5 and sched.products == [0.125]
    torch = pytest.importorskip("torch")
    tcalls = []

    def tfn(e):
        tcalls.append(e)
        return 0.5 if e % 2 else 1.0

    topt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.2)
    tsched = torch.optim.lr_scheduler.MultiplicativeLR(topt, tfn)
    for _ in range(5):
        topt.step()
        tsched.step()
    assert tcalls == calls and tsched.last_epoch == sched.last_epoch


def test_multiplicative_lr_lr_at_and_a_zero_factor_ends_a_fit_run():
    opt = sgd()
    sched = S.MultiplicativeLR(opt, WAVY)
    assert sched.lr_at(4) == pytest.approx(mult_formula(WAVY, 0.2, 0, 4), rel=1e-15)
    X = np.random.default_rng(0).standard_normal((32, 2))
    y = X[:, :1] * 2.0
    model = nn.MLP([2, 1], rng=0)
    opt = optim.SGD(model.parameters(), lr=0.1)
    zero_at_3 = S.MultiplicativeLR(opt, lambda e: 0.0 if e == 3 else 0.5)
    h = gn.fit(model, X, y, optimizer=opt, schedule=zero_at_3, epochs=10, verbose=0)
    assert h.stop_reason == "lr_zero" and h.epochs == 3
    assert h.lr == pytest.approx([0.1, 0.05, 0.025])


@pytest.mark.parametrize(
    "make, error, match",
    [
        (lambda o: S.MultiplicativeLR(o, 0.9), ParameterError,
         r"'lr_lambda' parameter of MultiplicativeLR must be a function of the epoch.*Got 0\.9.*"
         r"lambda epoch: 0\.95"),
        (lambda o: S.MultiplicativeLR(o, [ONE]), ParameterError,
         r"or a list of one per param group \(2\)\. Got \["),
        (lambda o: S.MultiplicativeLR(o, ONE, last_epoch=3), ValueError,
         r"last_epoch=3 resumes a run in PyTorch.*load_state_dict"),
    ],
    ids=["a-number", "one-for-two-groups", "last_epoch"],
)  # fmt: skip
def test_multiplicative_lr_refuses_bad_arguments(make, error, match):
    with pytest.raises(error, match=match):
        make(sgd())


@pytest.mark.parametrize("factor", [-0.5, math.nan, math.inf, "0.9", True, None])
def test_multiplicative_lr_refuses_a_factor_that_is_no_rate_and_changes_nothing(factor):
    opt = sgd()
    sched = S.MultiplicativeLR(opt, lambda e: 0.5 if e < 2 else factor)
    sched.step()
    before = (sched.state_dict(), opt.lr)
    with pytest.raises(ParameterError, match=r"lr_lambda returned .* at epoch 2; it must return "
                       r"the factor .* a finite number >= 0"):  # fmt: skip
        sched.step()
    assert (sched.state_dict(), opt.lr) == before


def test_multiplicative_lr_overflow_is_refused_with_its_cause():
    sched = S.MultiplicativeLR(sgd(), lambda e: 1e200)
    sched.step()
    with pytest.raises(ParameterError, match=r"learning rate of inf at epoch 2.*float range"):
        sched.step()


def test_multiplicative_lr_state_dict_round_trip_and_resume_equal_the_unbroken_run():
    whole = run(S.MultiplicativeLR(sgd(), [ONE, WAVY]), 10)
    first = S.MultiplicativeLR(opt := sgd(), [ONE, WAVY])
    for _ in range(4):
        first.step()
    state = json.loads(json.dumps(first.state_dict()))  # (plain values)
    assert set(state) == {"type", "base_lrs", "epoch", "products"}
    opt2 = sgd()
    for g, lr in zip(opt2.param_groups, first.get_last_lr()):
        g["lr"] = lr  # (the optimizer's own state, resumed beside the schedule)
    resumed = S.MultiplicativeLR(opt2, [ONE, WAVY])
    resumed.load_state_dict(state)
    assert resumed.state_dict() == first.state_dict() and resumed.last_epoch == 4
    assert run(resumed, 6) == whole[4:]
    assert opt.param_groups[0]["lr"] == whole[4][0]
    with pytest.raises(ValueError, match=r"'products' must list one value per param group \(2\)"):
        resumed.load_state_dict({**state, "products": [1.0]})
    with pytest.raises(ValueError, match=r"'products' parameter of MultiplicativeLR"):
        resumed.load_state_dict({**state, "products": [1.0, -1.0]})
    assert resumed.state_dict()["epoch"] == 10


# ---------------------------------------------------------------- ChainedScheduler


def _torch_name(name):
    return {"ConstantFactorLR": "ConstantLR"}.get(name, name)


def chain_of(lib, opt, spec):
    """The schedules of ``spec`` ((name, kwargs) pairs) built on ``opt``: glassnet's (lib
    None) or PyTorch's (lib its lr_scheduler module), and the chain of them."""
    if lib is None:
        return S.ChainedScheduler([getattr(S, n)(opt, **kw) for n, kw in spec], optimizer=opt)
    return lib.ChainedScheduler([getattr(lib, _torch_name(n))(opt, **kw) for n, kw in spec], opt)


inv = lambda e: 1.0 / (e + 1)  # noqa: E731
CHAINS = {
    "pytorchs-example": [("ConstantFactorLR", {"factor": 0.1, "total_iters": 2}),
                         ("ExponentialLR", {"gamma": 0.9})],
    "linear-step": [("LinearLR", {"start_factor": 0.2, "total_iters": 3}),
                    ("StepLR", {"step_size": 2, "gamma": 0.5})],
    "multistep-poly": [("MultiStepLR", {"milestones": [2, 2, 5], "gamma": 0.5}),
                       ("PolynomialLR", {"total_iters": 6, "power": 2.0})],
    "mult-linear": [("MultiplicativeLR", {"lr_lambda": WAVY}),
                    ("LinearLR", {"start_factor": 0.5, "total_iters": 4})],
    "exp-cosine": [("ExponentialLR", {"gamma": 0.5}), ("CosineAnnealingLR", {"T_max": 2})],
    "exp-cosine-eta": [("ExponentialLR", {"gamma": 0.95}),
                       ("CosineAnnealingLR", {"T_max": 4, "eta_min": 0.01})],
    "exp-lambda": [("ExponentialLR", {"gamma": 0.9}), ("LambdaLR", {"lr_lambda": inv})],
    "lambda-step": [("LambdaLR", {"lr_lambda": inv}), ("StepLR", {"step_size": 2, "gamma": 0.5})],
    "restarts-mult": [("CosineAnnealingWarmRestarts", {"T_0": 3}),
                      ("MultiplicativeLR", {"lr_lambda": ONE})],
    "three": [("LinearLR", {"start_factor": 0.25, "total_iters": 2}),
              ("ConstantFactorLR", {"factor": 0.5, "total_iters": 3}),
              ("MultiStepLR", {"milestones": [4, 9], "gamma": 0.1})],
}  # fmt: skip


def _factor(name, kw, e):
    """The closed form's factor of a schedule that only scales the rate."""
    if name == "ConstantFactorLR":
        return kw["factor"] if e < kw["total_iters"] else 1.0
    if name == "ExponentialLR":
        return kw["gamma"] ** e
    if name == "LinearLR":
        s, t = kw["start_factor"], kw["total_iters"]
        return s + (1 - s) * min(e, t) / t
    if name == "StepLR":
        return kw["gamma"] ** (e // kw["step_size"])
    if name == "MultiStepLR":
        return kw["gamma"] ** sum(m <= e for m in kw["milestones"])
    if name == "PolynomialLR":
        return (1 - min(e, kw["total_iters"]) / kw["total_iters"]) ** kw["power"]
    return math.prod(kw["lr_lambda"](k) for k in range(1, e + 1))  # MultiplicativeLR


def cosine_step(lr, base, e, t, eta):
    """PyTorch's CosineAnnealingLR step, its documented recursive form."""
    if (e - 1 - t) % (2 * t) == 0:
        return lr + (base - eta) * (1 - math.cos(math.pi / t)) / 2
    ratio = (1 + math.cos(math.pi * e / t)) / (1 + math.cos(math.pi * (e - 1) / t))
    return ratio * (lr - eta) + eta


def restarts(base, e, t0):
    return base * (1 + math.cos(math.pi * (e % t0) / t0)) / 2


def chain_formula(key, base, e):
    spec = CHAINS[key]
    if key.startswith(("exp-cosine",)):  # the ratio of 0.5 or 0.95, then the cosine's step
        gamma, kw = spec[0][1]["gamma"], spec[1][1]
        lr = base
        for k in range(1, e + 1):
            lr = cosine_step(lr * gamma, base, k, kw["T_max"], kw.get("eta_min", 0.0))
        return lr
    if key == "exp-lambda":  # LambdaLR sets γ₀ λ(e), whatever the decay before it left
        return base * inv(e)
    if key == "lambda-step":  # the step's factor on the epochs it decays, on γ₀ λ(e)
        return base * inv(e) * (0.5 if e and e % 2 == 0 else 1.0)
    if key == "restarts-mult":  # the restart's rate, times this step's factor
        return restarts(base, e, 3) * (0.9 if e else 1.0)
    return base * math.prod(_factor(n, kw, e) for n, kw in spec)  # factors that compound


@pytest.mark.parametrize("key", CHAINS)
def test_chained_scheduler_rates_by_the_formula(key):
    ours = run(chain_of(None, sgd(), CHAINS[key]))
    want = [[chain_formula(key, b, e) for b in BASES] for e in range(STEPS + 1)]
    np.testing.assert_allclose(ours, want, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("key", CHAINS)
def test_chained_scheduler_rates_are_pytorchs(key):
    theirs = torch_rates(lambda T, o: chain_of(T, o, CHAINS[key]))
    ours = run(chain_of(None, sgd(), CHAINS[key]))
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)


def test_chained_scheduler_takes_pytorchs_arguments_and_its_first_optimizer():
    opt = sgd()
    a, b = S.ConstantFactorLR(opt, factor=0.1, total_iters=2), S.ExponentialLR(opt, gamma=0.9)
    chain = S.ChainedScheduler([a, b])  # (optimizer=None: the first schedule's)
    assert chain.optimizer is opt and chain.schedulers == [a, b] and chain.last_epoch == 0
    assert chain.get_last_lr() == pytest.approx([0.02, 0.005], rel=1e-15)
    chain.step()
    assert chain.lr_at(1) == chain.get_last_lr()[0] and chain.lr_at(0) == pytest.approx(0.02)
    assert a.last_epoch == b.last_epoch == chain.last_epoch == 1
    assert repr(chain).startswith("ChainedScheduler([ConstantFactorLR, ExponentialLR]; epoch=1")
    with pytest.raises(ValueError, match=r"one of the schedules of a ChainedScheduler, which "
                       r"steps it at its turn: call the ChainedScheduler's step\(\)"):  # fmt: skip
        a.step()


def test_chained_scheduler_builds_the_epoch_0_rate_in_the_order_built():
    """PyTorch's constructors step in the order the schedules were built: the epoch-0 rate
    of a LambdaLR built first is then scaled by a warm-up built after it."""
    opt = sgd()
    lam = S.LambdaLR(opt, lambda e: 0.5)
    warm = S.LinearLR(opt, start_factor=0.1, total_iters=2)
    chain = S.ChainedScheduler([warm, lam], optimizer=opt)
    assert chain.get_last_lr() == pytest.approx([0.2 * 0.5 * 0.1, 0.05 * 0.5 * 0.1], rel=1e-15)
    torch = pytest.importorskip("torch")
    T = torch.optim.lr_scheduler
    w1, w2 = torch.nn.Parameter(torch.zeros(1)), torch.nn.Parameter(torch.zeros(1))
    topt = torch.optim.SGD([{"params": [w1]}, {"params": [w2], "lr": 0.05}], lr=0.2)
    tl = T.LambdaLR(topt, lambda e: 0.5)
    tw = T.LinearLR(topt, start_factor=0.1, total_iters=2)
    tchain = T.ChainedScheduler([tw, tl], topt)
    assert chain.get_last_lr() == pytest.approx(tchain.get_last_lr(), rel=1e-15)


def _refusals():
    def plateau(o):
        return [S.ExponentialLR(o, 0.9), S.ReduceLROnPlateau(o)]

    def other_opt(o):
        return [S.ExponentialLR(o, 0.9), S.StepLR(sgd(), 2)]

    def stepped(o):
        s = S.ExponentialLR(o, 0.9)
        s.step()
        return [s]

    def nested(o):
        return [S.ChainedScheduler([S.ExponentialLR(o, 0.9)])]

    def sequential(o):
        return [S.SequentialLR(o, [S.LinearLR(o), S.ExponentialLR(o, 0.9)], [5])]

    def cycle(o):
        return [S.OneCycleLR(o, max_lr=1.0, total_steps=10)]

    def factor_zero(o):
        return [S.ConstantFactorLR(o, factor=0.0, total_iters=2)]

    def twice(o):
        s = S.ExponentialLR(o, 0.9)
        return [s, s]

    return [
        (lambda o: [], ParameterError, r"'schedulers' parameter of ChainedScheduler must be a "
         r"list of at least one schedule.*Got \[\].*ExponentialLR"),
        (lambda o: S.StepLR(o, 2), ParameterError, r"must be a list .* Got <?StepLR|Got StepLR"),
        (lambda o: ["StepLR"], ParameterError, r"schedulers\[0\] must be a glassnet schedule.*"
         r"Got str"),
        (plateau, ValueError, r"schedulers\[1\] is a ReduceLROnPlateau, whose step takes a "
         r"number .*ChainedScheduler steps its schedules with none"),
        (other_opt, ValueError, r"schedulers\[1\] \(StepLR\) was built on another optimizer"),
        (stepped, ValueError, r"schedulers\[0\] \(ExponentialLR\) has already stepped \(1 steps\)"),
        (nested, ValueError, r"is a ChainedScheduler.*list its schedules in this one"),
        (sequential, ValueError, r"is a SequentialLR.*make the chain a phase of the SequentialLR"),
        (cycle, ValueError, r"is a OneCycleLR, which steps after every batch.*Step it alone"),
        (factor_zero, ValueError, r"factor=0: at epoch total_iters=2 .*ZeroDivisionError.*"
         r"factor > 0"),
        (twice, ValueError, r"schedulers\[1\] \(ExponentialLR\) is listed twice; list it once"),
    ]  # fmt: skip


@pytest.mark.parametrize("make, error, match", _refusals())
def test_chained_scheduler_refuses_what_it_cannot_chain_and_says_what_to_do(make, error, match):
    opt = sgd()
    with pytest.raises(error, match=match):
        S.ChainedScheduler(make(opt), optimizer=opt)


def test_chained_scheduler_refusals_at_step_time():
    opt = sgd()
    chain = S.ChainedScheduler([S.ExponentialLR(opt, 0.9)])
    with pytest.raises(TypeError, match=r"ChainedScheduler.step\(\) takes no epoch"):
        chain.step(3)
    with pytest.raises(ValueError, match="one of the schedules of a ChainedScheduler"):
        chain.schedulers[0].step()
    model = nn.Linear(2, 1, rng=0)
    mopt = optim.SGD(model.parameters(), lr=0.1)
    mine = S.ChainedScheduler([S.ExponentialLR(mopt, 0.9)])
    with pytest.raises(
        ParameterError,
        match=r"belongs to a ChainedScheduler, which steps it "
        r"at its turn: pass the ChainedScheduler, fit\(..., schedule=chain\)",
    ):
        gn.fit(model, np.zeros((4, 2)), np.zeros(4), optimizer=mopt, schedule=mine.schedulers[0],
               epochs=1, verbose=0)  # fmt: skip
    other = S.StepLR(opt, 1)
    with pytest.raises(ValueError, match="Two schedules step one optimizer: "):
        for _ in range(3):  # (their steps interleave: refused at the first that compounds)
            chain.step()
            other.step()
    grows = S.ChainedScheduler([S.MultiplicativeLR(o2 := sgd(), lambda e: 1e200)])
    grows.step()
    before = (grows.state_dict(), o2.lr)
    with pytest.raises(ParameterError, match=r"schedulers\[0\] \(MultiplicativeLR\) gives param "
                       r"group 0 a learning rate of inf at epoch 2"):  # fmt: skip
        grows.step()
    assert (grows.state_dict(), o2.lr) == before


def test_chained_scheduler_negative_rate_of_a_cosine_is_refused_not_written():
    """A cosine with eta_min above the rate a decay before it left moves it up; past its
    bottom PyTorch's recursive step can then take it below 0."""
    opt = sgd((1.0, 1.0))
    chain = S.ChainedScheduler(
        [S.ExponentialLR(opt, 0.1), S.CosineAnnealingLR(opt, T_max=4, eta_min=0.5)]
    )
    with pytest.raises(ParameterError, match=r"CosineAnnealingLR\) gives param group 0 a "
                       r"learning rate of -.*a finite number >= 0"):  # fmt: skip
        for _ in range(20):
            chain.step()


def test_chained_scheduler_compounds_an_lr_set_by_hand_as_pytorchs():
    opt = sgd()
    chain = S.ChainedScheduler([S.ExponentialLR(opt, 0.5)])
    opt.param_groups[0]["lr"] = 7.0
    chain.step()
    assert chain.get_last_lr() == [3.5, 0.025] and chain.last_lrs == [3.5, 0.025]


@pytest.mark.parametrize("key", ["mult-linear", "three", "restarts-mult", "exp-cosine"])
def test_chained_scheduler_state_dict_round_trip_and_resume_equal_the_unbroken_run(key):
    whole = run(chain_of(None, sgd(), CHAINS[key]), 12)
    first = chain_of(None, sgd(), CHAINS[key])
    for _ in range(5):
        first.step()
    state = json.loads(json.dumps(first.state_dict()))
    assert set(state) == {"type", "base_lrs", "epoch", "last_lrs", "schedulers"}
    resumed = chain_of(None, sgd(), CHAINS[key])
    resumed.load_state_dict(state)
    assert resumed.state_dict() == first.state_dict()
    assert [s.last_epoch for s in resumed.schedulers] == [5] * len(CHAINS[key])
    assert run(resumed, 7)[1:] == whole[6:]


def test_chained_scheduler_load_state_dict_refuses_a_bad_state_and_changes_nothing():
    opt = sgd()
    chain = S.ChainedScheduler([S.MultiplicativeLR(opt, ONE), S.StepLR(opt, 2)])
    chain.step()
    good = chain.state_dict()
    bad_child = {**good, "schedulers": [good["schedulers"][0], {**good["schedulers"][1],
                                                               "gamma": -1}]}  # fmt: skip
    for state, error, match in [
        ({**good, "last_lrs": [0.1]}, ValueError, r"'last_lrs' must list one lr per param group"),
        ({**good, "schedulers": good["schedulers"][:1]}, ValueError, r"the state of each of its 2"),
        ({k: v for k, v in good.items() if k != "last_lrs"}, ValueError, r"missing keys"),
        ({**good, "type": "SequentialLR"}, ValueError, r"saved from 'SequentialLR'"),
        (bad_child, ValueError, r"'gamma' parameter of StepLR"),
    ]:
        fresh = S.ChainedScheduler([S.MultiplicativeLR(o := sgd(), ONE), S.StepLR(o, 2)])
        fresh.step()
        fresh.step()
        before = fresh.state_dict()
        with pytest.raises(error, match=match):
            fresh.load_state_dict(state)
        assert fresh.state_dict() == before


def test_fit_steps_a_chain_per_epoch_as_a_loop_does_and_resumes_it():
    X = np.random.default_rng(1).normal(size=(40, 2))
    y = X[:, 0] - X[:, 1]

    def setup():
        model = nn.Sequential(nn.Linear(2, 4, rng=0), nn.Tanh(), nn.Linear(4, 1, rng=1))
        opt = optim.SGD(model.parameters(), lr=0.05)
        warm = S.LinearLR(opt, start_factor=0.2, total_iters=3)
        return model, opt, S.ChainedScheduler([warm, S.ExponentialLR(opt, gamma=0.8)])

    model, opt, chain = setup()
    history = gn.fit(model, X, y, epochs=8, batch_size=8, optimizer=opt, schedule=chain, loss="mse")
    want = [0.05 * _factor("LinearLR", {"start_factor": 0.2, "total_iters": 3}, e) * 0.8**e
            for e in range(8)]  # fmt: skip
    assert history.lr == pytest.approx(want, rel=1e-12) and chain.epoch == 8
    model, opt, chain = setup()
    gn.fit(model, X, y, epochs=3, batch_size=8, optimizer=opt, schedule=chain, loss="mse")
    state, o_state = json.loads(json.dumps(chain.state_dict())), opt.state_dict()
    model2, opt2, chain2 = setup()
    model2.load_state_dict(model.state_dict())
    opt2.load_state_dict(o_state)
    with pytest.raises(ValueError, match="resumes after epoch 3 and the schedule has stepped 0"):
        gn.fit(model2, X, y, epochs=8, batch_size=8, optimizer=opt2, schedule=chain2,
               loss="mse", initial_epoch=3)  # fmt: skip
    chain2.load_state_dict(state)
    h2 = gn.fit(model2, X, y, epochs=8, batch_size=8, optimizer=opt2, schedule=chain2,
                loss="mse", initial_epoch=3)  # fmt: skip
    assert h2.lr[-5:] == pytest.approx(history.lr[-5:], rel=1e-15)


def test_a_chain_of_scaling_schedules_at_zero_ends_a_fit_run():
    X = np.random.default_rng(0).standard_normal((32, 2))
    model = nn.MLP([2, 1], rng=0)
    opt = optim.SGD(model.parameters(), lr=0.1)
    chain = S.ChainedScheduler([S.PolynomialLR(opt, total_iters=3), S.ExponentialLR(opt, 0.5)])
    h = gn.fit(model, X, X[:, :1], optimizer=opt, schedule=chain, epochs=10, verbose=0)
    assert h.stop_reason == "lr_zero" and h.epochs == 3
    assert h.lr == pytest.approx([0.1, 0.1 * 2 / 3 * 0.5, 0.1 / 3 * 0.25])
    assert chain.stays_zero() is True
    opt = sgd()
    cos = S.ChainedScheduler([S.ExponentialLR(opt, 0.5), S.CosineAnnealingLR(opt, T_max=2)])
    assert cos.stays_zero() is False  # (a cosine's step raises the rate again past its bottom)
    assert [(cos.step(), opt.lr)[1] for _ in range(3)] == pytest.approx([0.05, 0.0, 0.1])


def test_a_chain_is_a_phase_of_a_sequential_lr_and_starts_again_at_its_milestone():
    opt = sgd()
    chain = S.ChainedScheduler([S.LinearLR(opt, start_factor=0.5, total_iters=2),
                                S.MultiplicativeLR(opt, ONE)])  # fmt: skip
    seq = S.SequentialLR(opt, [S.StepLR(opt, 1, gamma=0.1), chain], milestones=[2])
    got = run(seq, 5)
    lin = lambda e: 0.5 + 0.5 * min(e, 2) / 2  # noqa: E731
    want = [[b * 0.1**e for b in BASES] for e in range(2)]
    want += [[b * lin(e) * 0.9**e for b in BASES] for e in range(4)]
    np.testing.assert_allclose(got, want, rtol=1e-12)
    assert seq.lr_at(4) == pytest.approx(want[4][0], rel=1e-12)
    assert [c["type"] for c in seq.state_dict()["schedulers"]] == ["StepLR", "ChainedScheduler"]


def test_new_names_are_exported_from_glassnet_schedules():
    for name in ("MultiplicativeLR", "ChainedScheduler"):
        assert name in schedules.__all__ and issubclass(getattr(schedules, name), S.LRSchedule)


@pytest.mark.parametrize("kind", ["LambdaLR", "MultiplicativeLR"])
def test_a_group_added_without_its_function_is_refused_not_left_unscheduled(kind):
    """A group added with add_param_group and its starting lr appended to base_lrs (what
    the error of a missing starting lr says to do) kept its lr, unscheduled, in a
    LambdaLR: its list of functions was one short."""
    opt = optim.SGD(nn.Linear(2, 2, rng=0).parameters(), lr=0.2)
    sched = getattr(S, kind)(opt, lambda e: 0.5)
    opt.add_param_group({"params": nn.Linear(2, 1, rng=1).parameters(), "lr": 0.05})
    sched.base_lrs.append(0.05)
    with pytest.raises(ValueError, match=r"base_lrs has 2 values.*append its starting lr to "
                       r"base_lrs.* its function to lr_lambdas"):  # fmt: skip
        sched.step()
    assert opt.param_groups[1]["lr"] == 0.05 and sched.last_epoch == 0
    sched.lr_lambdas.append(lambda e: 0.5)
    if kind == "MultiplicativeLR":
        sched.products.append(1.0)
    sched.step()
    assert sched.get_last_lr() == [0.1, 0.025]


def _sgd(lr=0.1):
    return optim.SGD(nn.Linear(2, 1, rng=0).parameters(), lr=lr)


@pytest.mark.parametrize("t", [3, 4, 6, 7])
def test_linear_lr_to_zero_ends_at_zero_not_below(t):
    # (0.1, 0.0, t): the closed form and the chained form rounded to about -1e-18 at epoch t,
    # which the schedule (and a chain) refused as a negative learning rate
    opt = _sgd()
    lin = gn.optim.lr_scheduler.LinearLR(opt, start_factor=0.1, end_factor=0.0, total_iters=t)
    rates = [opt.lr] + [(lin.step(), opt.lr)[1] for _ in range(t + 1)]
    assert min(rates) >= 0.0 and rates[t] < 1e-15 and rates[-1] == rates[t]  # (0 up to rounding)
    opt = _sgd()
    lin = gn.optim.lr_scheduler.LinearLR(opt, start_factor=0.1, end_factor=0.0, total_iters=t)
    chain = gn.optim.lr_scheduler.ChainedScheduler(
        [lin, gn.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9)], optimizer=opt
    )
    rates = [opt.lr] + [(chain.step(), opt.lr)[1] for _ in range(t + 1)]
    assert min(rates) >= 0.0 and rates[t] < 1e-15


def test_sequential_refuses_a_multiplicative_phase_after_the_first():
    # PyTorch goes on from the rate in force at the milestone; glassnet's phase started again
    # from the base rate: different rates in silence
    S = gn.optim.lr_scheduler
    opt = _sgd()
    with pytest.raises(ValueError, match=r"MultiplicativeLR after the first schedule.*LambdaLR"):
        S.SequentialLR(
            opt, [S.StepLR(opt, 2, 0.5), S.MultiplicativeLR(opt, lambda e: 0.9)], milestones=[3]
        )
    opt = _sgd()  # first: taken
    seq = S.SequentialLR(
        opt, [S.MultiplicativeLR(opt, lambda e: 0.9), S.StepLR(opt, 2, 0.5)], milestones=[3]
    )
    seq.step()
    assert opt.lr == pytest.approx(0.09)
