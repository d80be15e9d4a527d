"""PyTorch's ``ConstantLR`` (at ``glassnet.optim.lr_scheduler``), ``LinearLR``,
``PolynomialLR`` and ``CosineAnnealingWarmRestarts``: the learning rates epoch by epoch, per
param group, against the formulas always and against PyTorch's schedulers (``torch==2.13.0``,
optional) where installed; building one sets the epoch-0 rate, as PyTorch's does."""

from __future__ import annotations

import math

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn, optim, schedules

CASES = [
    ("ConstantLR", {}),
    ("ConstantLR", {"factor": 0.5, "total_iters": 3}),
    ("ConstantLR", {"factor": 0.0, "total_iters": 2}),
    ("LinearLR", {}),
    ("LinearLR", {"start_factor": 0.1, "end_factor": 0.9, "total_iters": 4}),
    ("LinearLR", {"start_factor": 1.0, "end_factor": 0.0, "total_iters": 6}),
    ("LinearLR", {"start_factor": 0.1, "total_iters": 0}),  # (PyTorch: start_factor forever)
    ("ConstantLR", {"factor": 0.5, "total_iters": 0}),  # (PyTorch: the factor forever)
    ("PolynomialLR", {"total_iters": 0}),  # (PyTorch: the rate kept)
    ("PolynomialLR", {}),
    ("PolynomialLR", {"total_iters": 4, "power": 2.0}),
    ("CosineAnnealingWarmRestarts", {"T_0": 3}),
    ("CosineAnnealingWarmRestarts", {"T_0": 2, "T_mult": 2, "eta_min": 0.01}),
    ("CosineAnnealingWarmRestarts", {"T_0": 1, "T_mult": 3}),
]


def formula(name, kw, base, e):
    if name == "ConstantLR":
        t = kw.get("total_iters", 5)
        return base * kw.get("factor", 1 / 3) if e < t or t == 0 else base
    if name == "LinearLR":
        s, f, t = kw.get("start_factor", 1 / 3), kw.get("end_factor", 1.0), kw.get("total_iters", 5)
        return base * s if t == 0 else base * (s + (f - s) * min(e, t) / t)
    if name == "PolynomialLR":
        t, p = kw.get("total_iters", 5), kw.get("power", 1.0)
        return base if t == 0 else base * (1 - min(e, t) / t) ** p
    t0, mult, eta = kw["T_0"], kw.get("T_mult", 1), kw.get("eta_min", 0.0)
    start, period = 0, t0
    while start + period <= e:
        start, period = start + period, period * mult
    return eta + (base - eta) * (1 + math.cos(math.pi * (e - start) / period)) / 2


def groups(module):
    a, b = nn.Linear(2, 2, rng=0), nn.Linear(2, 1, rng=1)
    params = [{"params": a.parameters()}, {"params": b.parameters(), "lr": 0.05}]
    return params


@pytest.mark.parametrize("name, kw", CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_the_rates_are_pytorchs_epoch_by_epoch(name, kw):
    opt = optim.SGD(groups(gn), lr=0.2)
    sched = getattr(optim.lr_scheduler, name)(opt, **kw)
    ours = [sched.get_last_lr()]
    for _ in range(14):
        sched.step()
        ours.append(sched.get_last_lr())
    expected = [[formula(name, kw, base, e) for base in (0.2, 0.05)] for e in range(15)]
    np.testing.assert_allclose(ours, expected, rtol=1e-12, atol=1e-15)
    try:
        import torch
    except ImportError:
        return
    if kw.get("factor") == 0.0:
        return  # (PyTorch's ConstantLR divides by factor at total_iters: ZeroDivisionError)
    w1, w2 = torch.nn.Parameter(torch.zeros(2)), torch.nn.Parameter(torch.zeros(1))
    topt = torch.optim.SGD([{"params": [w1]}, {"params": [w2], "lr": 0.05}], lr=0.2)
    tsched = getattr(torch.optim.lr_scheduler, name)(topt, **kw)
    theirs = [tsched.get_last_lr()]
    for _ in range(14):
        topt.step()
        tsched.step()
        theirs.append(tsched.get_last_lr())
    # (PyTorch multiplies step by step where glassnet uses the closed form: equal to rounding)
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)


def test_glassnets_constant_lr_stays_and_pytorchs_is_at_pytorchs_place():
    opt = optim.SGD(nn.Linear(2, 1, rng=0).parameters(), lr=0.3)
    mine = schedules.ConstantLR(opt)
    assert [(mine.step(), opt.lr)[1] for _ in range(3)] == [0.3, 0.3, 0.3]
    theirs = optim.lr_scheduler.ConstantLR(opt, factor=0.5, total_iters=1)
    assert opt.lr == 0.15 and (theirs.step(), opt.lr)[1] == 0.3
    with pytest.raises(ValueError, match="'factor' parameter of ConstantFactorLR"):
        optim.lr_scheduler.ConstantLR(opt, factor=1.5)
    with pytest.raises(ValueError, match="'start_factor' parameter of LinearLR"):
        schedules.LinearLR(opt, start_factor=0.0)
    with pytest.raises(ValueError, match="'total_iters' parameter of LinearLR"):
        schedules.LinearLR(opt, total_iters=-1)
    with pytest.raises(ValueError, match="'T_0' parameter of CosineAnnealingWarmRestarts"):
        schedules.CosineAnnealingWarmRestarts(opt, T_0=0)


def test_fit_runs_a_warmup_and_stops_where_a_polynomial_decay_reaches_zero():
    X = np.random.default_rng(0).standard_normal((32, 2))
    y = X[:, :1] * 2.0
    model = nn.MLP([2, 1], rng=0)
    opt = optim.SGD(model.parameters(), lr=0.1)
    h = gn.fit(model, X, y, optimizer=opt, schedule=schedules.PolynomialLR(opt, total_iters=4),
               epochs=10, verbose=0)  # fmt: skip
    assert h.stop_reason == "lr_zero" and h.epochs == 4
    assert h.lr == pytest.approx([0.1, 0.075, 0.05, 0.025])
    model = nn.MLP([2, 1], rng=0)
    opt = optim.SGD(model.parameters(), lr=0.1)
    warm = schedules.LinearLR(opt, start_factor=0.25, total_iters=3)
    h = gn.fit(model, X, y, optimizer=opt, schedule=warm, epochs=5, verbose=0)
    assert h.stop_reason == "max_epochs"
    assert h.lr == pytest.approx([0.025, 0.05, 0.075, 0.1, 0.1])


def test_a_schedule_built_beside_a_warm_up_starts_from_the_optimizers_lr():
    """A CosineAnnealingLR built after a LinearLR took the warm-up's first rate (γ₀/10) as
    its starting lr: the main phase trained at a tenth of the rate PyTorch's gives."""
    opt = optim.SGD(groups(gn), lr=0.1)
    warm = optim.lr_scheduler.LinearLR(opt, start_factor=0.1, total_iters=3)
    cos = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=6)
    assert cos.base_lrs == [0.1, 0.05]
    ours = [opt.lr]
    for sched, n in ((warm, 3), (cos, 6)):
        for _ in range(n):
            sched.step()
            ours.append(opt.lr)
    expected = [0.1 * (0.1 + 0.9 * e / 3) for e in range(4)]
    expected += [0.1 * (1 + math.cos(math.pi * e / 6)) / 2 for e in range(1, 7)]
    np.testing.assert_allclose(ours, expected, rtol=1e-12, atol=1e-15)
    try:
        import torch
    except ImportError:
        return
    w = torch.nn.Parameter(torch.zeros(1))
    topt = torch.optim.SGD([w], lr=0.1)
    tw = torch.optim.lr_scheduler.LinearLR(topt, start_factor=0.1, total_iters=3)
    tc = torch.optim.lr_scheduler.CosineAnnealingLR(topt, T_max=6)
    seq = torch.optim.lr_scheduler.SequentialLR(topt, [tw, tc], milestones=[3])
    theirs = [topt.param_groups[0]["lr"]]
    for _ in range(9):
        topt.step()
        seq.step()
        theirs.append(topt.param_groups[0]["lr"])
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)
