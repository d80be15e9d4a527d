"""``glassnet.schedules.ReduceLROnPlateau``: PyTorch's rule, learning rate for learning rate.

The same metric sequences go through glassnet's schedule and, where PyTorch
(``torch==2.13.0``, optional) is installed, through ``torch.optim.lr_scheduler.
ReduceLROnPlateau``; the learning rates must be equal after every step. Without PyTorch the
sequences are checked against the rates written out by hand from its rule.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn, optim, schedules


def torch_or_none():
    try:
        import torch
    except ImportError:
        return None
    return torch


def glassnet_lrs(metrics, groups=(0.1,), **kw):
    params = nn.MLP([2, 3, 1], rng=0).parameters()
    if len(groups) == 1:
        opt = optim.SGD(params, lr=groups[0])
    else:
        opt = optim.SGD(
            [{"params": params[:2], "lr": groups[0]}, {"params": params[2:], "lr": groups[1]}]
        )
    sched = schedules.ReduceLROnPlateau(opt, **kw)
    out = []
    for m in metrics:
        assert sched.step(m) is False
        out.append(sched.get_last_lr())
    return out, sched


def torch_lrs(torch, metrics, groups=(0.1,), **kw):
    ps = [torch.nn.Parameter(torch.zeros(1)) for _ in groups]
    opt = torch.optim.SGD([{"params": [p], "lr": lr} for p, lr in zip(ps, groups)])
    sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, **kw)
    out = []
    for m in metrics:
        sched.step(m)
        out.append([g["lr"] for g in opt.param_groups])
    return out


RNG = np.random.default_rng(0)
NOISY = [float(v) for v in 1.0 / np.arange(1, 41) + 0.05 * RNG.random(40)]
CASES = [
    ("flat", [1.0] * 30, {"patience": 2}),
    ("noisy", NOISY, {}),
    ("noisy cooldown", NOISY, {"patience": 1, "cooldown": 3, "factor": 0.5}),
    ("abs threshold", NOISY, {"patience": 1, "threshold": 0.01, "threshold_mode": "abs"}),
    ("max mode", [-v for v in NOISY], {"mode": "max", "patience": 1}),
    ("max abs", [-v for v in NOISY], {"mode": "max", "patience": 0, "threshold_mode": "abs"}),
    ("floor", [1.0] * 40, {"patience": 0, "factor": 0.5, "min_lr": 0.01}),
    ("eps", [1.0] * 60, {"patience": 0, "factor": 0.5, "eps": 1e-4}),
    ("rising", list(np.linspace(0.0, 3.0, 25)), {"patience": 3}),
]


@pytest.mark.parametrize("name, metrics, kw", CASES, ids=[c[0] for c in CASES])
def test_the_learning_rates_are_pytorchs(name, metrics, kw):
    ours, _ = glassnet_lrs(metrics, **kw)
    torch = torch_or_none()
    if torch is not None:
        assert ours == torch_lrs(torch, metrics, **kw)
    assert all(b[0] <= a[0] for a, b in zip(ours, ours[1:]))  # (only ever lowered)


def test_the_flat_case_by_hand_and_per_group_floors():
    ours, _ = glassnet_lrs([1.0] * 9, patience=2)
    # best 1.0 at the first step; the 3rd bad epoch after it (> patience 2) reduces
    assert [lr for (lr,) in ours] == [0.1] * 3 + [0.1 * 0.1] * 3 + [0.1 * 0.1 * 0.1] * 3
    kw = {"patience": 0, "factor": 0.5, "min_lr": [0.04, 0.001]}
    ours, sched = glassnet_lrs([1.0] * 8, groups=(0.1, 0.01), **kw)
    assert ours[-1] == [0.04, 0.001] and sched.min_lrs == [0.04, 0.001]
    torch = torch_or_none()
    if torch is not None:
        assert ours == torch_lrs(torch, [1.0] * 8, groups=(0.1, 0.01), **kw)


def test_it_drives_fit_and_state_dicts_round_trip():
    X = np.random.default_rng(0).random((40, 2))
    y = X.sum(1, keepdims=True)
    model = nn.MLP([2, 8, 1], rng=0)
    opt = optim.SGD(model.parameters(), lr=0.5)
    sched = schedules.ReduceLROnPlateau(opt, patience=0, factor=0.5, threshold=0.5)
    h = gn.fit(model, X, y, optimizer=opt, schedule=sched, epochs=6, verbose=0, seed=0)
    assert h.stop_reason == "max_epochs" and h.lr[0] == 0.5 and h.lr[-1] < 0.5
    assert sched.epoch == 6 and gn.schedules.get_schedule("plateau", opt).factor == 0.1
    other = schedules.ReduceLROnPlateau(optim.SGD(nn.MLP([2, 8, 1], rng=0).parameters(), lr=0.5))
    other.load_state_dict(sched.state_dict())
    assert other.state_dict() == sched.state_dict()
    high = schedules.ReduceLROnPlateau(opt, mode="max")
    assert high.best == -math.inf
    high.load_state_dict(high.state_dict())  # (a best of -inf round-trips)
    assert high.best == -math.inf


def test_bad_settings_and_metrics_are_refused():
    opt = optim.SGD(nn.MLP([2, 1], rng=0).parameters(), lr=0.1)
    for kw, match in [
        ({"factor": 1.0}, "'factor'"),
        ({"mode": "lowest"}, "'mode'"),
        ({"threshold_mode": "pct"}, "'threshold_mode'"),
        ({"patience": -1}, "'patience'"),
        ({"cooldown": 1.5}, "'cooldown'"),
        ({"min_lr": -0.1}, "'min_lr' parameter"),
        ({"eps": float("nan")}, "'eps'"),
    ]:
        with pytest.raises(ValueError, match=match):
            schedules.ReduceLROnPlateau(opt, **kw)
    with pytest.raises(ValueError, match="min_lr lists 2 floors for 1 param groups"):
        schedules.ReduceLROnPlateau(opt, min_lr=[0.0, 0.0])
    sched = schedules.ReduceLROnPlateau(opt)
    with pytest.raises(ValueError, match="'metric'"):
        sched.step(float("nan"))
    assert sched.epoch == 0


def test_step_takes_what_pytorch_takes_a_one_value_tensor_or_array():
    model = nn.MLP([2, 1], rng=0)
    opt = optim.SGD(model.parameters(), lr=0.1)
    sched = schedules.ReduceLROnPlateau(opt, patience=0)
    X = np.random.default_rng(0).random((4, 2))
    loss = gn.nn.MSELoss()(model(X), X[:, :1])
    assert sched.step(loss) is False and sched.best == pytest.approx(float(loss.data))
    assert sched.step(np.array(9.0)) is False and sched.num_bad_epochs == 0  # (cut: reset)
    assert opt.lr == pytest.approx(0.01)
    assert sched.step(metrics=np.float32(0.0)) is False  # (PyTorch's keyword)
    with pytest.raises(ValueError, match="'metric'"):
        sched.step(np.array([1.0, 2.0]))


def test_fit_refuses_a_plateau_schedule_watching_for_a_rise():
    # fit passes the training loss, which falls: mode="max" would cut the lr every epoch
    X = np.random.default_rng(0).random((20, 2))
    for make in (schedules.ReduceLROnPlateau, schedules.AdaptiveLR):
        model = nn.MLP([2, 4, 1], rng=0)
        opt = optim.SGD(model.parameters(), lr=0.1)
        with pytest.raises(ValueError, match=r"\(mode='max'\) would take every improving epoch"):
            gn.fit(model, X, X[:, :1], optimizer=opt, schedule=make(opt, mode="max"), verbose=0)


def test_pytorchs_module_path_of_the_schedules():
    from glassnet.optim import lr_scheduler  # torch.optim.lr_scheduler's place

    opt = optim.SGD(nn.MLP([2, 1], rng=0).parameters(), lr=0.1)
    assert lr_scheduler.ReduceLROnPlateau is schedules.ReduceLROnPlateau
    # PyTorch's ConstantLR there (a factor for a few epochs), glassnet's own in schedules
    assert lr_scheduler.ConstantLR is schedules.ConstantFactorLR is not schedules.ConstantLR
    from glassnet.optim.lr_scheduler import StepLR  # (and as an import path, as torch's)

    assert StepLR is schedules.StepLR
    assert isinstance(gn.optim.lr_scheduler.StepLR(opt, step_size=2), schedules.StepLR)
