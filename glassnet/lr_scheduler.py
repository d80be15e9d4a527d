"""PyTorch's ``torch.optim.lr_scheduler``, at ``glassnet.optim.lr_scheduler``: every schedule
of :mod:`glassnet.schedules` under PyTorch's names. One name differs in meaning between the
two libraries: PyTorch's ``ConstantLR`` scales the rate by ``factor`` for ``total_iters``
epochs, where glassnet's keeps it constant (scikit-learn's "constant"). Here, at PyTorch's
place, ``ConstantLR`` is PyTorch's (:class:`glassnet.schedules.ConstantFactorLR`), so code
written for PyTorch gets PyTorch's rates; ``glassnet.schedules.ConstantLR`` stays glassnet's
(and ``get_schedule("constant")``, glassnet's registry, which this module shows too).
PyTorch's ``OneCycleLR`` and ``CyclicLR`` (stepped after every batch, the momentum cycled
too), ``SequentialLR`` (a warm-up, then a decay), ``MultiplicativeLR`` and
``ChainedScheduler`` (its schedules' steps compounded) are here as PyTorch defines them.

>>> from glassnet import nn, optim
>>> opt = optim.SGD(nn.Linear(2, 1, rng=0).parameters(), lr=0.3)
>>> sched = optim.lr_scheduler.ConstantLR(opt, factor=0.5, total_iters=2)
>>> [opt.lr] + [(sched.step(), opt.lr)[1] for _ in range(3)]
[0.15, 0.15, 0.3, 0.3]

A scheduler of your own is written as in PyTorch: subclass :class:`LRScheduler` and override
``get_lr()``, one lr per param group from ``self.last_epoch`` (already advanced when a step
calls it; 0 when built, which sets each group's lr to it) and ``self.base_lrs``.

>>> class Warmup(LRScheduler):
...     def __init__(self, optimizer, warm, last_epoch=-1):
...         self.warm = warm
...         super().__init__(optimizer, last_epoch)
...     def get_lr(self):
...         return [b * min(1.0, (self.last_epoch + 1) / self.warm) for b in self.base_lrs]
>>> opt = optim.SGD(nn.Linear(2, 1, rng=0).parameters(), lr=0.4)
>>> sched = Warmup(opt, warm=4)
>>> [opt.lr] + [(opt.step(), sched.step(), opt.lr)[2] for _ in range(4)]
[0.1, 0.2, 0.30000000000000004, 0.4, 0.4]
"""

from .schedules import (
    SCHEDULES,
    AdaptiveLR,
    ChainedScheduler,
    CosineAnnealingLR,
    CosineAnnealingWarmRestarts,
    CyclicLR,
    ExponentialLR,
    InvScalingLR,
    LambdaLR,
    LinearLR,
    LRSchedule,
    MultiplicativeLR,
    MultiStepLR,
    OneCycleLR,
    PolynomialLR,
    ReduceLROnPlateau,
    SequentialLR,
    StepLR,
    check_schedule,
    get_schedule,
)
from .schedules import ConstantFactorLR as ConstantLR

LRScheduler = LRSchedule  # (PyTorch's base class's name)


class _LRScheduler(LRSchedule):
    """PyTorch's older name of :class:`LRScheduler`, which PyTorch still exports (many
    schedulers written for PyTorch subclass it): the same base class."""


__all__ = [
    "AdaptiveLR", "ChainedScheduler", "ConstantLR", "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts", "CyclicLR", "ExponentialLR", "InvScalingLR", "LRScheduler",
    "LambdaLR", "LinearLR", "MultiStepLR", "MultiplicativeLR", "OneCycleLR", "PolynomialLR",
    "ReduceLROnPlateau", "SequentialLR", "StepLR", "SCHEDULES", "check_schedule",
    "get_schedule",
]  # fmt: skip
