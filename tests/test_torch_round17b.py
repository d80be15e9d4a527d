"""PyTorch's habits against torch's own numbers: a wrapper optimizer sharing its base's param
groups, group keys a built-in does not read, a schedule replacing another, get_lr() at
epoch 0 and a get_lr() that returns a generator."""

import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from glassnet import nn, optim  # noqa: E402
from glassnet.optim import lr_scheduler as L  # noqa: E402

TL = torch.optim.lr_scheduler


def test_a_schedule_replacing_another_after_the_epochs_steps_does_not_warn():
    # warm-up for 2 epochs, then a cosine built and stepped right after that epoch's
    # optimizer steps: in order (torch is silent; its flag is the optimizer's)
    def loop(opt, lib, set_grad):
        sched, lrs = lib.LinearLR(opt, 0.1, total_iters=2), []
        for epoch in range(6):
            for _ in range(3):
                set_grad()
                opt.step()
            if epoch == 1:
                sched = lib.CosineAnnealingLR(opt, 4)
            sched.step()
            lrs.append(opt.param_groups[0]["lr"])
        return lrs

    p = nn.Parameter(np.zeros(2))
    opt = optim.SGD([p], lr=0.1)
    tp = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    topt = torch.optim.SGD([tp], lr=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mine = loop(opt, L, lambda: setattr(p, "grad", np.ones(2)))
        theirs = loop(topt, TL, lambda: setattr(tp, "grad", torch.ones(2, dtype=torch.float64)))
    np.testing.assert_allclose(mine[:5], theirs[:5], rtol=0, atol=1e-15)


def test_a_schedule_stepped_before_its_optimizer_still_warns():
    p = nn.Parameter(np.zeros(2))
    opt = optim.SGD([p], lr=0.1)
    sched = L.StepLR(opt, 1, 0.5)
    sched.step()  # before any optimizer step
    p.grad = np.ones(2)
    opt.step()
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        sched.step()


@pytest.mark.parametrize(
    "make",
    [
        lambda o, lib: lib.ExponentialLR(o, 0.9),
        lambda o, lib: lib.CosineAnnealingLR(o, 4),
        lambda o, lib: lib.CosineAnnealingLR(o, 1),
        lambda o, lib: lib.PolynomialLR(o, 4, 2.0),
        lambda o, lib: lib.MultiplicativeLR(o, lambda e: 0.9 - 0.1 * e),
    ],
    ids=["exponential", "cosine", "cosine-T1", "polynomial", "multiplicative"],
)
def test_get_lr_right_after_construction_is_torchs(make):
    p = nn.Parameter(np.zeros(2))
    opt = optim.SGD([p], lr=0.1, momentum=0.9)
    tp = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    topt = torch.optim.SGD([tp], lr=0.1, momentum=0.9)
    sched, tsched = make(opt, L), make(topt, TL)
    for _ in range(3):
        with pytest.warns(UserWarning, match="get_last_lr"):
            mine = sched.get_lr()
        with pytest.warns(UserWarning, match="get_last_lr"):
            theirs = tsched.get_lr()
        np.testing.assert_allclose(mine, theirs, rtol=1e-15, atol=0)
        assert opt.param_groups[0]["lr"] == pytest.approx(topt.param_groups[0]["lr"], abs=1e-16)
        p.grad, tp.grad = np.ones(2), torch.ones(2, dtype=torch.float64)
        opt.step()
        topt.step()
        sched.step()
        tsched.step()


def test_get_lr_may_return_a_generator():
    class Halves(L.LRScheduler):
        def get_lr(self):
            return (b * 0.5**self.last_epoch for b in self.base_lrs)

    class THalves(TL.LRScheduler):
        def get_lr(self):
            return (b * 0.5**self.last_epoch for b in self.base_lrs)

    p = nn.Parameter(np.zeros(2))
    opt = optim.SGD([{"params": [p]}, {"params": [nn.Parameter(np.zeros(1))], "lr": 0.3}], lr=0.1)
    tp, tq = torch.zeros(2, requires_grad=True), torch.zeros(1, requires_grad=True)
    topt = torch.optim.SGD([{"params": [tp]}, {"params": [tq], "lr": 0.3}], lr=0.1)
    sched, tsched = Halves(opt), THalves(topt)
    for _ in range(3):
        opt.step()
        topt.step()
        sched.step()
        tsched.step()
        assert [g["lr"] for g in opt.param_groups] == [g["lr"] for g in topt.param_groups]
