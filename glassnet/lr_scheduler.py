"""PyTorch's ``torch.optim.lr_scheduler``, at ``glassnet.optim.lr_scheduler``: every schedule
of :mod:`glassnet.schedules` under PyTorch's names. One name differs in meaning between the
two libraries: PyTorch's ``ConstantLR`` scales the rate by ``factor`` for ``total_iters``
epochs, where glassnet's keeps it constant (scikit-learn's "constant"). Here, at PyTorch's
place, ``ConstantLR`` is PyTorch's (:class:`glassnet.schedules.ConstantFactorLR`), so code
written for PyTorch gets PyTorch's rates; ``glassnet.schedules.ConstantLR`` stays glassnet's
(and ``get_schedule("constant")``, glassnet's registry, which this module shows too).
PyTorch's ``OneCycleLR`` and ``CyclicLR`` (stepped after every batch, the momentum cycled
too) and ``SequentialLR`` (a warm-up, then a decay) are here as PyTorch defines them;
``ChainedScheduler`` and ``MultiplicativeLR`` are not (the error says what to write).

>>> from glassnet import nn, optim
>>> opt = optim.SGD(nn.Linear(2, 1, rng=0).parameters(), lr=0.3)
>>> sched = optim.lr_scheduler.ConstantLR(opt, factor=0.5, total_iters=2)
>>> [opt.lr] + [(sched.step(), opt.lr)[1] for _ in range(3)]
[0.15, 0.15, 0.3, 0.3]
"""

from .schedules import (
    SCHEDULES,
    AdaptiveLR,
    CosineAnnealingLR,
    CosineAnnealingWarmRestarts,
    CyclicLR,
    ExponentialLR,
    InvScalingLR,
    LambdaLR,
    LinearLR,
    LRSchedule,
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

__all__ = [
    "AdaptiveLR", "ConstantLR", "CosineAnnealingLR", "CosineAnnealingWarmRestarts", "CyclicLR",
    "ExponentialLR", "InvScalingLR", "LRScheduler", "LambdaLR", "LinearLR", "MultiStepLR",
    "OneCycleLR", "PolynomialLR", "ReduceLROnPlateau", "SequentialLR", "StepLR", "SCHEDULES",
    "check_schedule", "get_schedule",
]  # fmt: skip

#: PyTorch's schedulers that glassnet does not have, and what to write instead
_MISSING = {
    "ChainedScheduler": "PyTorch's chained schedulers compound, each multiplying the lr the "
    "others left; a glassnet schedule sets each group's lr from its own curve in closed form "
    "(so a run resumes from its state dict alone), so two stepped together would overwrite, "
    "not multiply. Schedules that multiply are one LambdaLR of the product of their "
    "factors: LambdaLR(opt, lambda e: min(1, (e + 1) / 5) * 0.9 ** e); phases one after "
    "the other are SequentialLR(opt, [warmup, decay], milestones=[5])",
    "MultiplicativeLR": "its rate is the start times the product of the factors so far: "
    "LambdaLR(opt, lambda e: math.prod(f(k) for k in range(1, e + 1)))",
}


def __getattr__(name: str) -> object:
    """PyTorch's schedulers that glassnet lacks: an AttributeError saying what to write."""
    if name in _MISSING:
        raise AttributeError(
            f"glassnet.optim.lr_scheduler has no {name} (PyTorch's): {_MISSING[name]}."
        )
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
