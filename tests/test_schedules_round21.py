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
