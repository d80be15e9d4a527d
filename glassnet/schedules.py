"""Learning-rate schedules: γ changed between epochs, as PyTorch's ``lr_scheduler``.

A schedule sets each param group's ``lr`` of an optimizer (:mod:`glassnet.optim`) once
per epoch. The training loop calls ``schedule.step()`` at the end of every epoch
(``step(samples_seen)`` for :class:`InvScalingLR`, ``step(metric)`` for
:class:`AdaptiveLR`), or :meth:`LRSchedule.epoch_end` with keywords, which every
schedule accepts. ``glassnet.fit(..., schedule=...)`` does that for you.

PyTorch's ``StepLR``, ``MultiStepLR``, ``ExponentialLR``, ``CosineAnnealingLR`` and
``LambdaLR`` give PyTorch's learning rates epoch by epoch (``get_last_lr()`` lists them);
so do ``LinearLR``, ``PolynomialLR``, ``CosineAnnealingWarmRestarts``,
``ReduceLROnPlateau`` and ``MultiplicativeLR``. glassnet's ``ConstantLR`` keeps γ₀
(scikit-learn's "constant"); PyTorch's, which scales γ₀ for a few epochs, is
:class:`ConstantFactorLR`, and ``glassnet.optim.lr_scheduler`` (PyTorch's place:
:mod:`glassnet.lr_scheduler`) names it ``ConstantLR``. ``AdaptiveLR`` is scikit-learn's rule.

PyTorch's per-batch schedules are here too, rate for rate: :class:`OneCycleLR` and
:class:`CyclicLR`, stepped after every batch (``optimizer.step(); sched.step()``), which
cycle the momentum against the rate (SGD's ``momentum``, Adam's ``betas[0]``);
``fit(schedule=...)`` steps once per epoch and refuses them, saying how to step them from a
callback. :class:`SequentialLR` runs schedules one after the other (a warm-up, then a
decay: ``SequentialLR(opt, [LinearLR(opt, ...), CosineAnnealingLR(opt, ...)],
milestones=[5])``), in a loop or in ``fit``.

As PyTorch's, the first schedule built on an optimizer puts each group's lr in the group as
``"initial_lr"`` (``ReduceLROnPlateau`` and ``AdaptiveLR`` do not), and a schedule built
later whose rate is a closed form of its starting lrs (``LambdaLR``,
``CosineAnnealingWarmRestarts``, a subclass's ``get_lr()``) starts from those, not from the
lr an earlier schedule's steps left (to start from the lr in force, delete the groups'
``"initial_lr"`` first, as in PyTorch); the chainable ones (``StepLR``, ``ExponentialLR``,
...) go on from the lr in force, as PyTorch's multiply it (a warm-up's lr that has
stepped is the lr in force too). A :class:`SequentialLR` built later sets each group's lr
back to its ``"initial_lr"``, as PyTorch's does, and its schedules start from there. A
:class:`CyclicLR` starts from its ``base_lr``: PyTorch's first rate there is a cycle from
the group's ``"initial_lr"`` instead (the rest of its cycles from ``base_lr``), a remnant of
its bug #21965, which glassnet does not copy.

Each ``step()`` sets a group's lr from its starting lr (``base_lrs``) in closed form. An lr
written into a group by hand between steps (``opt.param_groups[0]["lr"] *= 0.5``) carries
on, as with PyTorch's chainable schedules, which multiply the lr in force (``StepLR``,
``MultiStepLR``, ``ExponentialLR``, ``CosineAnnealingLR``, ``LinearLR``, PyTorch's
``ConstantLR``, ``PolynomialLR``, ``MultiplicativeLR``, a ``SequentialLR`` or a
``ChainedScheduler`` of them, and glassnet's ``ConstantLR``): the next step moves the
group's curve through that lr (its ``base_lrs`` entry; a cosine's until its next bottom,
past which PyTorch's rises from the starting lr again), so the rates that follow are
PyTorch's, to rounding; a group nobody touched keeps its curve, bit for bit. A checkpoint
written after such an lr, before the next step (the schedule's ``state_dict()`` then holds
PyTorch's ``_last_lr``), resumes with it, the optimizer's state loaded too. (``LambdaLR``,
``CosineAnnealingWarmRestarts`` and the cycles set their rates from the starting lrs, as
PyTorch's closed forms do: there an lr set by hand lasts until the next ``step()``.) One
difference: a second schedule stepping the same optimizer would overwrite the first's rates
(PyTorch's chainable schedulers compound): that is refused with an error. To compound them,
hand both to a :class:`ChainedScheduler` (PyTorch's rates, step by step), or write the
product of the two curves as one ``LambdaLR``; for phases one after the other, hand both to
a ``SequentialLR``, which steps its schedules as one. Change ``schedule.base_lrs`` to move a
schedule's whole curve.

A param group added with ``optimizer.add_param_group`` while a schedule runs (a layer
unfrozen mid-run) joins the curve at its own lr at the next step, as with PyTorch's
chainable schedulers, which multiply each group's lr: ``StepLR``, ``MultiStepLR``,
``ExponentialLR``, PyTorch's ``ConstantLR``, ``LinearLR``, ``PolynomialLR``,
``CosineAnnealingLR`` (PyTorch's breaks past ``T_max``, where this curve goes on),
``ReduceLROnPlateau`` (with ``min_lr`` one number) and a ``ChainedScheduler`` of the scaling
ones; its starting lr in ``base_lrs`` is the one whose curve passes through its lr there
(added at lr 0.01 after 2 steps of ``ExponentialLR(gamma=0.5)``: 0.04, its rates 0.005,
0.0025, ...; a cosine's group added below ``eta_min`` rises towards it, as PyTorch's, from a
starting lr below ``eta_min``, below 0 at times: a step whose rate would be below 0 is
refused, saying what to do; a group added after a ``LinearLR``'s or ``PolynomialLR``'s end,
where the curve is at 0 for every starting lr, keeps its lr, as PyTorch's: the schedule's
``held`` lists it); a ``SequentialLR`` past its last milestone takes it as the schedule in
force does. Where PyTorch's schedule fails on such a group (``LambdaLR``,
``MultiplicativeLR``, ``CosineAnnealingWarmRestarts``, the cycles, ``SequentialLR`` before its
last milestone) the step is refused saying which per-group lists need the group's values,
which gives PyTorch's rates with the same values appended.

A schedule that brings every param group's lr to 0 for good ends the run: its step
returns True (``fit`` then stops, as for :class:`AdaptiveLR`'s minimum), since every
later epoch would leave the weights as they are. "For good" is the rule: a decay ending
at 0 stops there, but a curve that touches 0 and rises again goes on (a cosine with
``eta_min=0`` past ``T_max``; a ``LambdaLR`` whose factor comes back, see
:meth:`LRSchedule.stays_zero`), and so does a run whose steps still move the weights at
lr 0 (SGD with ``style="sklearn"`` and momentum: the velocity coasts on).

They live beside the optimizers, not in them: the loop calls a schedule as it calls its
other end-of-epoch plugins, and the update rules never need one (moved here from
``glassnet.optim`` in glassnet 0.2; the old names still work there, with a warning).

>>> import numpy as np
>>> from glassnet import nn, optim
>>> opt = optim.SGD(nn.Linear(2, 1, rng=0).parameters(), lr=0.1)
>>> sched = StepLR(opt, step_size=2, gamma=0.5)
>>> [(sched.step(), opt.lr)[1] for _ in range(4)]
[0.1, 0.05, 0.05, 0.025]
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import itertools
import math
import numbers
import types
import warnings
import weakref
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from ._validation import ParameterError, build, check_setting, check_state_dict

# fmt: off
__all__ = [
    "SCHEDULES", "AdaptiveLR", "ChainedScheduler", "ConstantFactorLR", "ConstantLR",
    "CosineAnnealingLR", "CosineAnnealingWarmRestarts", "CyclicLR", "ExponentialLR",
    "InvScalingLR", "LambdaLR", "LinearLR", "LRSchedule", "MultiStepLR", "MultiplicativeLR",
    "OneCycleLR", "PolynomialLR", "ReduceLROnPlateau", "SequentialLR", "StepLR",
    "check_schedule", "get_schedule",
]
# fmt: on

_RULES: dict[str, Any] = {  # what each setting must be: check_number's bounds, bool, choices
    "lr": {"low": 0},  # a learning rate once set: a schedule such as cosine annealing may reach 0
    "gamma": {"low": 0, "low_open": True},
    **dict.fromkeys(("eta_min", "power_t", "tol", "min_lr"), {"low": 0}),
    **dict.fromkeys(("epoch", "samples_seen", "bad_epochs"), {"low": 0, "integer": True}),
    "patience": {"low": 0, "integer": True, "allow_inf": True},  # (scikit-learn's np.inf)
    **dict.fromkeys(("step_size", "T_max", "T_0", "T_mult"), {"low": 1, "integer": True}),
    "total_iters": {"low": 0, "integer": True},
    "held": {"low": 0, "integer": True, "each": True},  # (group 0 too: its lr set by hand)
    "start_factor": {"low": 0, "high": 1, "low_open": True},
    "end_factor": {"low": 0, "high": 1},
    "power": {"low": 0},
    "factor": {"low": 0, "high": 1, "low_open": True, "high_open": True},
    "mode": ("min", "max"),
    "best": {"allow_inf": True},
    "metric": {},
    # ReduceLROnPlateau (PyTorch's): a best of -inf in mode "max", a floor per param group
    "plateau_best": {"allow_inf": True, "minus_inf": True},
    "min_lrs": {"low": 0, "each": True},
    **dict.fromkeys(("threshold", "eps"), {"low": 0}),
    "threshold_mode": ("rel", "abs"),
    **dict.fromkeys(
        ("cooldown", "num_bad_epochs", "cooldown_counter"), {"low": 0, "integer": True}
    ),
}


def _is_inf(value: Any, sign: int = 1) -> bool:
    return isinstance(value, numbers.Real) and value == sign * math.inf


def _check(value: Any, name: str, owner: str, rule: Any = None) -> Any:
    """``value`` if it is what ``rule`` (default ``_RULES[name]``) asks, else a ParameterError.
    (Besides check_setting's rules: ``allow_inf`` takes +inf, ``minus_inf`` -inf too,
    ``each`` a list of such numbers.)"""
    rule = _RULES[name] if rule is None else rule
    if isinstance(rule, dict) and rule.get("allow_inf") and _is_inf(value):
        return math.inf  # (an int setting's numpy.inf: check_number's int test refuses it)
    if isinstance(rule, dict) and rule.get("minus_inf") and _is_inf(value, -1):
        return -math.inf
    if isinstance(rule, dict) and rule.get("each"):
        if not isinstance(value, list):
            raise ParameterError(f"{owner}: {name!r} must be a list. Got {value!r:.80}.")
        rule = {k: v for k, v in rule.items() if k != "each"}
        return [check_setting(v, name, owner, rule) for v in value]
    rule = {k: v for k, v in rule.items() if k != "minus_inf"} if isinstance(rule, dict) else rule
    return check_setting(value, name, owner, rule)


_TICKS = itertools.count()  # orders schedules' constructions and steps
# optimizer -> (a weak reference to the warm-up, [(lr, base)]): honoured while it has not stepped
_WARMED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _warmed(optimizer: Any) -> list[tuple[Any, Any]]:
    """The lrs a warm-up (LinearLR, ConstantLR) wrote when it was built and the lrs before
    them, while it has not stepped since (stepped, its lr is the lr in force, as PyTorch's:
    a schedule built then starts from it)."""
    try:
        entry = _WARMED.get(optimizer)
    except TypeError:  # (an optimizer that cannot be weakly referenced)
        return []
    if entry is None:
        return []
    who = entry[0]()
    return entry[1] if who is not None and who.epoch == 0 else []


_LAST_STEPPED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # optimizer -> ref
# optimizer -> its t when the first schedule was built on it: PyTorch's per-optimizer flag of
# a step taken since a scheduler wrapped it (``optimizer._opt_called``), for :meth:`_order`
_FIRST_T: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _need_optimizer(optimizer: Any, name: str) -> None:
    """A TypeError unless ``optimizer`` has an ``lr`` and ``param_groups``; a ValueError
    where a group has no lr (a subclass whose defaults dict holds none, as PyTorch's may)."""
    groups = getattr(optimizer, "param_groups", None)
    listed = groups if isinstance(groups, list) else ()
    no_lr = [isinstance(g, Mapping) and g.get("lr") is None for g in listed]
    if any(no_lr):
        raise ValueError(
            f"{name} sets the 'lr' of each param group, and {type(optimizer).__name__}'s "
            "groups have none (its defaults dict holds no 'lr', or lr=None); give it one: "
            "super().__init__(params, dict(lr=lr, ...)), its step() reading group['lr']."
        )
    if not (hasattr(optimizer, "lr") and hasattr(optimizer, "param_groups")):
        raise TypeError(
            f"{name} needs an optimizer with an 'lr' attribute and param_groups (a "
            f"glassnet.optim optimizer). Got {type(optimizer).__name__}."
        )


def _count_steps(optimizer: Any) -> None:
    """Make a step() written in a subclass of glassnet's Optimizer (PyTorch's way) count in
    ``optimizer.t``, as glassnet's own steps do, so that the order check of a schedule's first
    step (:meth:`LRSchedule._order`) sees it; PyTorch wraps the optimizer's step likewise when
    a scheduler is built. A step that counts itself (calling glassnet's) is counted once."""
    cls, step = type(optimizer), getattr(type(optimizer), "step", None)
    mine = getattr(step, "__module__", "glassnet").split(".")[0] == "glassnet"
    if (
        mine
        or getattr(step, "_counted", False)
        or not isinstance(getattr(optimizer, "t", None), int)
    ):
        return

    @functools.wraps(step)
    def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        before = self.t
        out = step(self, *args, **kwargs)
        if self.t == before:
            self.t += 1
        return out

    counted._counted = True  # type: ignore[attr-defined]
    cls.step = counted


def _initial_lr(group: Any, lr: Any) -> Any:
    """PyTorch's ``group.setdefault("initial_lr", lr)``: the group's starting lr, which the
    first schedule built on its optimizer puts there (a group that is no dict: ``lr``). An
    ``initial_lr`` that is not a number >= 0 (set by hand) is refused, saying what to do."""
    if not isinstance(group, dict):
        return lr
    initial = group.setdefault("initial_lr", lr)
    real = isinstance(initial, numbers.Real) and not isinstance(initial, bool)
    if not (real and 0 <= initial < math.inf):
        raise ValueError(
            f"A param group's 'initial_lr' (PyTorch's starting lr, which the first schedule "
            f"built on the optimizer puts in each group) must be a finite number >= 0. Got "
            f"{initial!r:.40}; delete it (del group['initial_lr']) to start from the group's "
            "lr, or set it to the starting lr."
        )
    return initial


def _fresh(name: str, last_epoch: Any) -> None:
    """PyTorch's ``last_epoch``: -1 (its default, a schedule from its start) only. PyTorch's
    other values resume a run from each group's ``'initial_lr'``; here a schedule resumes from
    its :meth:`LRSchedule.state_dict`."""
    if isinstance(last_epoch, bool) or not isinstance(last_epoch, numbers.Integral):
        raise TypeError(f"{name}: last_epoch must be an int (-1). Got {last_epoch!r:.40}.")
    if last_epoch != -1:
        raise ValueError(
            f"{name}: last_epoch={last_epoch} resumes a run in PyTorch; glassnet's schedules "
            "start at -1 (the default). To resume, build the schedule and call "
            "schedule.load_state_dict(saved) with the state_dict() saved with the run (and "
            "the optimizer's own state dict)."
        )


class LRSchedule:
    """Base class: a schedule sets every param group's ``lr`` once per epoch.

    The training loop calls ``schedule.step()`` at the end of every epoch (after the
    epoch's optimizer steps); the schedule then sets each group's learning rate for the
    next epoch from that group's starting rate (``base_lrs``, the groups' lr when the
    schedule was built, moved where an lr was set by hand: :meth:`_by_hand`; ``base_lr`` is
    the first's) and ``epoch``, the number of calls so far: :meth:`lr_at` for the first
    group. :meth:`epoch_end` takes the epoch's
    facts by keyword and passes each schedule what it needs, so a loop can call every
    schedule the same way.

    ``step`` returns True when training should stop: :class:`AdaptiveLR` at its minimum,
    and every schedule once every group's lr is 0 and stays 0 for every later epoch
    (:meth:`stays_zero`), as the steps at lr 0 would change nothing (:meth:`_ended`).
    ``stop_reason`` then says which: ``"min_lr"`` or ``"lr_zero"`` ('' until a stop).
    A subclass written PyTorch's way overrides ``get_lr()`` (:meth:`get_lr`), building
    with ``super().__init__(optimizer, last_epoch)``; glassnet's own way, a subclass gives
    its rule as ``_rate(base_lr, epoch)``, names its settings
    in ``_hyper`` (passing their values as its constructor's ``locals()``) and what it
    tracks besides the epoch in ``_progress``; what each must be is in ``_RULES``. The
    rate is a function of the epoch unless ``_clock`` names another of those counts.
    """

    _hyper: tuple[str, ...] = ()
    _progress: dict[str, Any] = {}  # name → starting value
    _added: tuple[str, ...] = ()  # progress a state dict saved before it existed may lack
    _needs: tuple[str, ...] = ()  # the facts of epoch_end that step takes
    _clock = "epoch"  # what the rate is a function of
    _never_rises = False  # True: a rate of 0 stays 0 (the decays; :meth:`stays_zero`)
    _rules: dict[str, Any] = {}  # a setting's rule where it differs from _RULES's
    _per_batch = False  # True: PyTorch's schedules stepped after every batch (fit refuses)
    _cycle = False  # True: rates of its own settings, not of the groups' lr (not rebased)
    # ChainedScheduler: ``_chained(lrs, epoch)`` gives each group's lr after this schedule's
    # step of PyTorch's chainable form from the lrs the schedules before it left (and the
    # progress to keep); None: not in a chain. ``_chain_scales``: that step only scales the
    # lr (a rate of 0 stays 0).
    _chained: Any = None
    _chain_scales = False
    # True: a param group added with add_param_group after the schedule was built joins the
    # curve at its lr at the next step (:meth:`_adopt`), as with PyTorch's chainable
    # schedules; False: refused, saying what to do (:meth:`_join_advice`)
    _adopts = False
    # True: a starting lr in ``base_lrs`` may be below 0 where the rates stay >= 0
    # (CosineAnnealingLR's curve from a group added below eta_min: :meth:`_check_base`)
    _negative_bases = False
    # the indices of the param groups that keep their lr, their entry in base_lrs: a group
    # added where the curve is flat at 0 for every starting lr and PyTorch's step leaves
    # each lr as it is (LinearLR's and PolynomialLR's end: :meth:`_flat`, ``_progress``)
    held: Any = ()
    _warns_order = True  # PyTorch's warning of a first step before the optimizer's (:meth:`_order`)
    _in_step = _looped = False  # (in a step: get_lr() does not warn; in epoch_end: no order check)
    # True while get_lr() is called from outside a step: a chained step at epoch 0 is then
    # PyTorch's formula there (its get_lr() outside the constructor's step), not the lr as it is
    _asked = False
    _steps_then: Any = None  # the optimizer's t when the schedule was built
    # True: built, it starts from each group's PyTorch ``initial_lr`` (putting the group's lr
    # there when it has none); False: from the lr in force (the plateau rules)
    _initial_lr = True
    _from_initial = False  # True: base_lrs are the initial_lr (a closed form of base_lrs)
    _early = False  # True: its first step came before the optimizer's (:meth:`_order`)
    # True: PyTorch's chainable schedules, which go on from the lr in force: an lr written into
    # a group by hand carries on (:meth:`_by_hand`)
    _follows_hand = False

    def __init__(self, optimizer: Any, settings: Any = None, last_epoch: int = -1) -> None:
        name, pytorch = type(self).__name__, self._pytorch()
        kind = next((c for c in type(self).__mro__[1:] if c.__module__ == __name__), LRSchedule)
        if pytorch and kind is not LRSchedule:  # (a built-in's steps never call get_lr())
            raise TypeError(
                f"{name} overrides get_lr() of glassnet's {kind.__name__}, whose steps set the "
                "rates in closed form without calling get_lr(): it would be ignored. Subclass "
                "LRScheduler itself and give the whole curve in get_lr() (the rates of "
                f"{kind.__name__} are a formula of self.last_epoch and self.base_lrs), or wrap "
                "the schedule's rates in a LambdaLR."
            )
        if pytorch:  # (PyTorch's LRScheduler.__init__(optimizer, last_epoch=-1))
            _fresh(name, last_epoch if settings is None else settings)
            settings = None
        elif type(self) is LRSchedule:  # (no subclass: the base class itself)
            raise TypeError(
                f"{name} is the base class of the schedules; it sets no rates itself. Pick one "
                "(StepLR, ExponentialLR, CosineAnnealingLR, LambdaLR(optimizer, lambda epoch: "
                "factor), ...), or subclass it and override get_lr()."
            )
        elif type(self)._rate is LRSchedule._rate and type(self).step is LRSchedule.step:
            raise TypeError(
                f"{name} subclasses LRScheduler (glassnet's LRSchedule) but overrides neither "
                "get_lr() nor _rate(). Override get_lr(), PyTorch's way: return one lr per "
                "param group from self.last_epoch (the step's epoch, 0 when built) and "
                "self.base_lrs, e.g. [b * 0.5 ** self.last_epoch for b in self.base_lrs]; or "
                "glassnet's _rate(self, base_lr, epoch), one group's lr at that epoch. (A "
                "LambdaLR(optimizer, lambda epoch: factor) needs no subclass.)"
            )
        rules = self._rules
        self.__dict__.update({k: _check(settings[k], k, name, rules.get(k)) for k in self._hyper})
        _need_optimizer(optimizer, name)
        self.optimizer, self.epoch = optimizer, 0
        self._built = next(_TICKS)  # (SequentialLR: the first built gives the starting lr)
        self._owner: Any = None  # (a weak reference to the SequentialLR that steps it)
        self._stepping = False  # (SequentialLR: True while it steps one of its schedules)
        # a group's lr that a warm-up (LinearLR, PyTorch's ConstantLR) wrote when it was built
        # is not the starting lr: the lr before it is (PyTorch's initial_lr), so a schedule
        # built beside a warm-up for the phase after it starts from the optimizer's lr
        warmed = _warmed(optimizer)
        groups = optimizer.param_groups
        lrs = [
            w[1] if i < len(warmed) and g["lr"] == w[0] else g["lr"]
            for i, (g, w) in enumerate(zip(groups, warmed + [(None, None)] * len(groups)))
        ]
        # PyTorch's initial_lr: the first schedule built on the optimizer puts each group's lr
        # in the group (setdefault; ReduceLROnPlateau and AdaptiveLR, which lower the lr in
        # force, do not), and a later one whose rate is a closed form of base_lrs (LambdaLR,
        # CosineAnnealingWarmRestarts, a subclass's get_lr()) starts from it, whatever lr an
        # earlier schedule's steps left there; the chainable ones (PyTorch's multiply the lr
        # in force) start from the lr in force
        if self._initial_lr:
            initial = [_initial_lr(g, g["lr"]) for g in groups]
            lrs = initial if self._from_initial or pytorch else lrs
            self._initial_lrs = [float(lr) for lr in initial]
        self.base_lrs = [float(lr) for lr in lrs]
        self.__dict__.update(self._progress)
        self._first = self._stepped = None  # the ticks of its first and last steps
        self.stop_reason = ""  # why step last returned True: "min_lr" or "lr_zero"
        _count_steps(optimizer)
        self._steps_then = getattr(optimizer, "t", None)  # (the order check of a first step)
        with contextlib.suppress(TypeError):  # (per optimizer, as PyTorch's: any schedule's)
            self._steps_then = _FIRST_T.setdefault(optimizer, self._steps_then)
        if pytorch:  # (as PyTorch's: each group's lr set to get_lr() at epoch 0)
            self._chained = self._pytorch_chained  # (a ChainedScheduler's step: get_lr())
            if self._own_step():
                self._initial_step()
            else:
                self._write(optimizer.param_groups, 0)
            with contextlib.suppress(TypeError):  # (the lr before it is a later one's start)
                _WARMED[optimizer] = (
                    weakref.ref(self),
                    [(g["lr"], b) for g, b in zip(groups, self.base_lrs)],
                )
        self._record()

    @classmethod
    def _own_step(cls) -> bool:
        """Whether ``step`` is a subclass's own (written outside glassnet's schedules)."""
        owner = next(c for c in cls.__mro__ if "step" in vars(c))
        return owner.__module__ != __name__

    def _initial_step(self) -> None:
        """PyTorch's ``_initial_step``: the constructor calls the subclass's own ``step()``
        once, ``last_epoch`` -1 before it; the ``LRScheduler.step`` it calls then sets each
        group's lr to ``get_lr()`` at epoch 0 (not a step of the run: not counted, nor
        checked for order)."""
        self.epoch, self._initial = -1, True
        try:
            self.step()
        finally:
            self._initial = False
            self.epoch = max(self.epoch, 0)

    @classmethod
    def _pytorch(cls) -> bool:
        """Whether the schedule is written PyTorch's way: a subclass overriding get_lr()."""
        return cls.get_lr is not LRSchedule.get_lr

    def get_lr(self) -> list[float]:
        """PyTorch's ``get_lr()``: each group's lr that a step at ``last_epoch`` gives. A
        subclass written PyTorch's way overrides it (the steps call it with ``last_epoch``
        already advanced, and write what it returns into the groups). Called outside a step
        it warns, as PyTorch's, to read :meth:`get_last_lr` instead; it gives PyTorch's
        values there too, right after construction as later (a chainable schedule's step
        applied to the lrs in force, which differs from them at a decay's epoch: 0.09 for
        ``ExponentialLR(opt, 0.9)`` at lr 0.1, at epoch 0 too). A schedule of no such curve
        (``ReduceLROnPlateau``, ``SequentialLR``, ...; PyTorch's raises) gives the lrs in force."""
        if not self._in_step:
            warnings.warn(
                "To get the last learning rate computed by the scheduler, please use "
                "`get_last_lr()`.",
                UserWarning,
                stacklevel=2,
            )
        chained = type(self)._chained  # (the class's: a subclass's super().get_lr() reads it)
        if chained is not None:
            self._asked = not self._in_step
            try:
                return [float(r) for r in chained(self, self._lrs_now(), self.epoch)[0]]
            finally:
                self._asked = False
        if type(self)._rate is not LRSchedule._rate and not self._needs:
            return [float(r) for r in self._at(getattr(self, self._clock))]
        return self._lrs_now()

    def _pytorch_lrs(self, epoch: int) -> list[float]:
        """A PyTorch-style subclass's ``get_lr()`` at ``last_epoch`` = ``epoch``, checked: one
        number >= 0 per param group."""
        name, saved = type(self).__name__, self.epoch
        self.epoch, self._in_step = epoch, True
        try:
            values = self.get_lr()
        finally:
            self.epoch, self._in_step = saved, False
        n = len(self.optimizer.param_groups)
        if isinstance(values, Iterable) and not isinstance(values, (str, bytes, Mapping)):
            values = list(values)  # (any iterable, as PyTorch's zip: a generator too)
        if not isinstance(values, list) or len(values) != n:
            raise ValueError(
                f"{name}.get_lr() must return a list of one lr per param group ({n}). Got "
                f"{values!r:.80}."
            )
        return [float(_check(v, "lr", f"{name}.get_lr() at last_epoch={epoch}")) for v in values]

    def _pytorch_chained(self, lrs: list[float], epoch: int) -> tuple[list[float], dict]:
        """A PyTorch-style subclass's step in a ChainedScheduler: its ``get_lr()`` at
        ``epoch`` with the groups' lrs the schedules before it left (``lrs``), as PyTorch's
        chain steps each in turn; the groups' lrs are put back (the chain writes them)."""
        groups = self.optimizer.param_groups
        kept = [g["lr"] for g in groups]
        try:
            for group, lr in zip(groups, lrs):
                group["lr"] = lr
            return self._pytorch_lrs(epoch), {}
        finally:
            for group, lr in zip(groups, kept):
                group["lr"] = lr

    def _order(self) -> None:
        """PyTorch's warning of a loop that steps the schedule before the optimizer, and so
        skips the first rate of the curve: the schedule's first step came before its optimizer
        had stepped since the first schedule on it was built (PyTorch's flag is the
        optimizer's: a schedule that replaces another, built and stepped right after the
        optimizer's steps, is in order). It is given at the schedule's next step once
        the optimizer has stepped (PyTorch's, at the first step itself: a schedule stepped
        alone, to read its rates, warns there), once. (Not in ``epoch_end``: fit steps the
        optimizer first.)"""
        if self._looped or not self._warns_order or self._steps_then is None:
            return
        t = getattr(self.optimizer, "t", None)
        if self._stepped is None:  # (the first step: before any of the optimizer's?)
            self._early = t == self._steps_then
        elif self._early and t != self._steps_then:
            self._early = False
            warnings.warn(
                "Detected call of `lr_scheduler.step()` before `optimizer.step()`: the first "
                "step of this schedule came before the optimizer's first step. Call them in "
                "the opposite order: `optimizer.step()` before `lr_scheduler.step()`. Failure "
                "to do this skips the first value of the learning rate schedule.",
                UserWarning,
                stacklevel=5,
            )

    base_lr = property(lambda self: self.base_lrs[0], doc="The first group's starting lr.")

    @property
    def last_epoch(self) -> int:
        """PyTorch's ``last_epoch``: the steps taken so far (0 when built, as PyTorch's after
        its constructor's step; the whole epoch of a :class:`CosineAnnealingWarmRestarts`
        ``step(epoch)``), which is ``epoch`` here."""
        return self.epoch

    @last_epoch.setter
    def last_epoch(self, value: Any) -> None:
        raise AttributeError(
            f"{type(self).__name__}.last_epoch is read-only here (got {value!r:.40}): setting "
            "it in PyTorch moves a schedule to another epoch; to resume, build the schedule and "
            "call schedule.load_state_dict(saved) with the state_dict() of the run."
        )

    def _rate(self, base_lr: float, epoch: int) -> float:
        raise NotImplementedError

    def lr_at(self, clock: int) -> float:
        """The first group's learning rate at ``clock``: the epoch (0-based), or what
        ``_clock`` names instead (:class:`InvScalingLR`: the number of samples seen)."""
        name = type(self).__name__
        if self._pytorch():
            raise TypeError(
                f"{name} has no lr_at: it is written PyTorch's way, and its get_lr() gives the "
                "rates at its steps only. Read schedule.get_last_lr() for the rates in force."
            )
        if type(self)._rate is LRSchedule._rate:
            raise TypeError(
                f"{name} has no lr_at: its learning rate follows the losses it is given, not "
                "a clock. Read schedule.lr (or get_last_lr()) for the rate in force."
            )
        clock = _check(clock, self._clock, f"{name}.lr_at")
        return self._checked(self._rate, self._base_at(0, clock), clock, clock)

    def step(self, epoch: Any = None) -> bool:
        """End of an epoch: set each group's lr for the next one. Returns True when every
        group's lr is then 0 for good (:meth:`_ended`), else False. (PyTorch's deprecated
        ``step(epoch)`` is refused: :meth:`_no_epoch`.)"""
        self._no_epoch(epoch)
        if self.__dict__.get("_initial"):  # (the constructor's: :meth:`_initial_step`)
            self.epoch = 0
            self._write(self.optimizer.param_groups, 0)
            return False
        groups = self._groups()
        self.epoch += 1
        clock = getattr(self, self._clock)
        kept = self._kept()
        try:
            self._by_hand(groups, self.epoch - 1)
            rates = (
                self._pytorch_lrs(self.epoch)
                if self._pytorch()
                else [
                    base
                    if i in self.held
                    else self._checked(self._rate, self._base_at(i, clock), clock)
                    for i, base in enumerate(self.base_lrs)
                ]
            )
        except Exception:
            self.epoch -= 1  # (a refused step changes nothing: fixed as it says, step again)
            self._steps -= 1
            self._put_back(kept)
            raise
        for group, lr in zip(groups, rates):  # (all checked first)
            group["lr"] = lr
        return self._ended(groups)

    def _kept(self) -> tuple[list[float], dict[str, Any]]:
        """What :meth:`_by_hand` may change (base_lrs, in place; ``held`` and the progress,
        replaced), for :meth:`_put_back` when the step is then refused."""
        keys = ("held", *self._progress)
        return list(self.base_lrs), {k: self.__dict__[k] for k in keys if k in self.__dict__}

    def _put_back(self, kept: tuple[list[float], dict[str, Any]]) -> None:
        """Undo :meth:`_by_hand`'s changes (a refused step changes nothing: with the lr set
        back, the next step is the one the refused step would have been)."""
        self.base_lrs[:] = kept[0]
        for k in ("held", *self._progress):
            self.__dict__.pop(k, None)
        self.__dict__.update(kept[1])

    def _no_epoch(self, epoch: Any) -> None:
        """PyTorch's deprecated ``step(epoch)``: refused, saying why, where Python's own
        error ("takes 1 positional argument") named no cause."""
        if epoch is not None:
            name = type(self).__name__
            raise TypeError(
                f"{name}.step() takes no epoch (PyTorch's step(epoch) is deprecated): the "
                f"schedule counts its own steps. Call {name}.step() once per "
                f"{'batch' if getattr(self, '_per_batch', False) else 'epoch'} (got "
                f"epoch={epoch!r:.40}); CosineAnnealingWarmRestarts takes step(epoch), a "
                "fractional epoch for a per-batch schedule, as PyTorch's."
            )

    def _by_hand(self, groups: list[dict[str, Any]], clock: int) -> None:
        """As PyTorch's chainable schedules, which multiply the lr in force: a group whose lr
        was written by hand since this schedule set it goes on from that lr (its curve moved
        through it at ``clock``, the epoch it was set at: :meth:`_through`), so its next rates
        are PyTorch's; a group nobody touched keeps its curve, bit for bit. An lr that is not
        a number >= 0 is refused."""
        last, name = self.__dict__.get("_last_lr"), type(self).__name__
        if not self._follows_hand or last is None:  # (None: just loaded, lrs as they are)
            return
        for i, (group, was) in enumerate(zip(groups, last)):
            lr = group["lr"]
            if type(lr) is float and lr == was:
                continue
            lr = float(_check(lr, "lr", f"{name}: param group {i} (its lr, set by hand)"))
            if i in self.held:  # (the curve has ended there: it keeps its lr, as PyTorch's)
                self.base_lrs[i] = lr
            elif lr != was:
                self._through(i, lr, clock)

    def _through(self, i: int, lr: float, clock: int) -> None:
        """Move group ``i``'s curve through ``lr`` at ``clock``: the starting lr whose rate
        there is ``lr`` (the curve's rate is A + B · starting lr); where the curve is at A
        for every starting lr and stays (:meth:`_flat`) the group keeps its lr (``held``),
        as PyTorch's step leaves it; elsewhere refused."""
        low = self._rate(0.0, clock)
        scale = self._rate(1.0, clock) - low
        if scale > 0:
            self.base_lrs[i] = (lr - low) / scale
        elif self._flat(clock):
            self.held = [*self.held, i]
            self.base_lrs[i] = lr
        else:
            raise ValueError(
                f"{type(self).__name__}: param group {i}'s lr was set to {lr!r} by hand at "
                f"epoch {clock}, where the schedule's curve is at {low!r} for any starting lr: "
                "no curve of the schedule goes on from that lr. Set the lr back to "
                f"{low!r}, or build a new schedule on the optimizer."
            )

    def _base_at(self, i: int, clock: Any) -> float:
        """Group ``i``'s starting lr for its rate at ``clock``: its ``base_lrs`` entry
        (CosineAnnealingLR built after another schedule: its initial_lr past T_max)."""
        return self.base_lrs[i]

    def _rates(self, epoch: int) -> list[float]:
        """Every group's lr at ``epoch``, unchecked (what :meth:`stays_zero` looks ahead at)."""
        return [
            base if i in self.held else self._rate(self._base_at(i, epoch), epoch)
            for i, base in enumerate(self.base_lrs)
        ]

    def stays_zero(self) -> bool:
        """Whether every group's lr, 0 now, stays 0 for every later epoch of the run.

        Where the curve shows it, in closed form: a rate that never rises once at 0 (the
        decays, γ₀·gammaᵏ with k growing, γ₀ / (t + 1)^power_t, :class:`AdaptiveLR`'s
        divisions) stays there; :class:`CosineAnnealingLR`'s only when γ₀ and ``eta_min``
        are 0 (it rises again past ``T_max``). Otherwise (:class:`LambdaLR`, a subclass's
        ``_rate``) the curve is read ahead over the epochs the run has left, which
        :func:`glassnet.fit` passes to :meth:`epoch_end` (``remaining``): 0 for every group
        at each of them. A warm-up that starts at 0 and rises, or a curve that comes back,
        goes on; without ``remaining`` (a loop that calls :meth:`step` itself) such a curve
        is not known to stay at 0: False. A rate that is not a function of the epoch and has
        no closed-form answer: False.
        """
        if self._never_rises:
            return True
        ahead = getattr(self, "_ahead", None)
        if self._clock != "epoch" or type(self)._rate is LRSchedule._rate or ahead is None:
            return False
        if self.epoch < getattr(self, "_rises_at", 0):  # (read ahead before: it rises then)
            return False
        # (the lr now is the next epoch's; the run's epochs after it take rates self.epoch + 1
        # on, and the last of them the rate at self.epoch + ahead - 1)
        for epoch in range(self.epoch + 1, self.epoch + ahead):
            try:
                rates = self._rates(epoch)
            except Exception:  # (a later epoch the curve cannot give: not known to be 0;
                return False  # the step that reaches that epoch raises the real error)
            if any(not isinstance(r, numbers.Real) or r != 0 for r in rates):
                self._rises_at = epoch  # (no reading ahead again before then)
                return False
        return True

    def _ended(self, groups: list[dict[str, Any]]) -> bool:
        """True (``stop_reason`` "lr_zero") when every group's lr is 0 and
        :meth:`stays_zero`, and no group's step moves the weights at lr 0: then every
        later epoch would be a no-op. (SGD's ``style="sklearn"`` momentum, u ← μu − γg;
        w ← w + u, coasts on its velocity at γ = 0: that run goes on.)"""
        self._record(groups)
        ended = (
            all(g["lr"] == 0 for g in groups)
            and not any(g.get("style") == "sklearn" and g.get("momentum") for g in groups)
            and self.stays_zero()
        )
        self.stop_reason = "lr_zero" if ended else ""
        return ended

    def _groups(self) -> list[dict[str, Any]]:
        """The optimizer's param groups, before a step sets them. A group added with
        ``add_param_group`` since the last step joins the curve at its lr where the schedule
        :meth:`_adopt` s it (PyTorch's chainable schedules); else a group without a starting
        lr in ``base_lrs`` is refused (it would keep its lr unscheduled), and so is a step
        while another schedule steps this optimizer too (:meth:`_claim`)."""
        name, groups = type(self).__name__, self.optimizer.param_groups
        if len(groups) > len(self.base_lrs) and self._adopts:
            self._adopt(groups)
        if len(groups) != len(self.base_lrs):
            raise ValueError(
                f"{name}: the optimizer has {len(groups)} param group(s) but the schedule has "
                f"a starting lr for {len(self.base_lrs)} (base_lrs={self.base_lrs!r:.80}): a "
                "group added after the schedule was built would keep its lr, unscheduled. "
                + self._join_advice()
            )
        for base in self.base_lrs:  # (a public list: one written by hand is checked here)
            self._check_base(base, f"{name}.base_lrs")
        self._claim()
        return groups

    def _check_base(self, base: Any, owner: str) -> float:
        """A starting lr of ``base_lrs``: a number >= 0, or, where the schedule takes one
        below 0 (``_negative_bases``), any finite number (each step checks its rate >= 0)."""
        return _check(base, "lr", owner, {} if self._negative_bases else None)

    def _join_advice(self) -> str:
        """What to do about a group added after the schedule was built, where it is not
        adopted (the refusal of :meth:`_groups`)."""
        return (
            "Build the schedule after add_param_group, or append the new group's starting lr "
            "to schedule.base_lrs (the lr its curve starts from at epoch 0)."
        )

    def _adopt(self, groups: list[dict[str, Any]]) -> None:
        """Take each group added after the schedule was built (past ``base_lrs``) onto the
        curve at the lr it has now, as PyTorch's chainable schedules do (each step multiplies
        every group's lr, the new one's too, from the lr it was added with): its starting lr
        is the one whose rate at the current epoch is that lr, γ₀ = (lr − A) / B for the
        rate A + B·γ₀ of the schedule there (StepLR's γ₀ · gammaᵏ: lr / gammaᵏ). Refused,
        with nothing changed, where the curve is at 0 there for every starting lr (a decay
        that has ended: no starting lr puts the group on it) or no starting lr >= 0 gives
        that lr (where the schedule takes a starting lr below 0, ``_negative_bases``: none
        whose next rate is >= 0)."""
        name, clock, n = type(self).__name__, getattr(self, self._clock), len(self.base_lrs)
        low = self._rate(0.0, clock)
        scale = self._rate(1.0, clock) - low
        if not scale > 0 and self._flat(clock):  # (each keeps its lr, as PyTorch's)
            lrs = [
                float(_check(g["lr"], "lr", f"{name}: param group {i}"))
                for i, g in enumerate(groups[n:], n)
            ]
            self.held = [*self.held, *range(n, len(groups))]
            self.base_lrs.extend(lrs)
            return
        bases = []
        for i, group in enumerate(groups[n:], n):
            lr = _check(group["lr"], "lr", f"{name}: param group {i}")
            base = (lr - low) / scale if scale > 0 else math.nan
            below = self._negative_bases and -math.inf < base < 0
            nxt = self._rate(base, clock + 1) if below else 0.0
            if not (0 <= base < math.inf or below and nxt >= 0):
                raise ValueError(
                    f"{name}: param group {i}, added with add_param_group after the schedule "
                    f"was built, has lr {lr!r} at epoch {self.epoch}, where "
                    + (
                        f"the schedule's curve is at {low!r} for any starting lr, so no "
                        "starting lr puts the group on it. " + self._flat_advice(low)
                        if not scale > 0
                        else f"the curve from the starting lr that gives it ({base!r}) falls "
                        f"below 0 at the next step ({nxt!r}). " + self._rate_advice(base)
                        if below
                        else f"no starting lr >= 0 gives that rate (the curve there is {low!r}"
                        f" + {scale!r} × starting lr). Give the group an lr on the curve, or "
                        "append its starting lr to schedule.base_lrs yourself."
                    )
                )
            bases.append(float(base))
        self.base_lrs.extend(bases)

    def _flat(self, clock: Any) -> bool:
        """True where the curve stays as it is at ``clock`` for every later step and PyTorch's
        step leaves each group's lr as it is (a group added there keeps its lr)."""
        return False

    def _flat_advice(self, low: float) -> str:
        """What to do about a group added where the curve is at ``low`` for every starting
        lr (the refusal of :meth:`_adopt`): a decay that has ended, at 0."""
        return (
            "The decay has ended: the schedule has nothing left to do. Stop stepping it "
            "(every group keeps its lr), or add the group before the curve reaches 0."
        )

    def _rate_advice(self, base: float) -> str:
        """The end of :meth:`_checked`'s refusal of a rate below 0 from ``base``."""
        return (
            "lr_lambda must return a factor >= 0 of the starting lr."
            if hasattr(self, "lr_lambdas")
            else "Check its settings (each factor >= 0)."
        )

    def _claim(self) -> None:
        """Record this step; refused when another schedule stepped this optimizer both before
        and after this one's last step (their steps interleave: chained schedules). One
        stepped only after another's last step takes over (phases, one after the other)."""
        me = self._root()  # (a schedule of a SequentialLR steps as that SequentialLR)
        name, tick = type(me).__name__, lambda s, k: s.__dict__.get(k)  # (None: not yet)
        try:
            other = _LAST_STEPPED.get(me.optimizer, lambda: None)()
        except TypeError:  # (an optimizer that cannot be weakly referenced: not checked)
            other = None
        me._order()
        mine, theirs = tick(me, "_stepped"), other and tick(other, "_first")
        if other is not me and None not in (mine, theirs) and theirs < mine:
            raise ValueError(
                f"Two schedules step one optimizer: {type(other).__name__} and {name}. Each "
                "sets the groups' lr from its own curve, so the last to step would silently "
                "overwrite the other's (PyTorch's chainable schedulers compound). Step one "
                "schedule: to compound them as PyTorch's do, build them afresh and step one "
                "ChainedScheduler([first, second]); or write the product of the two curves "
                "as one LambdaLR, e.g. "
                "LambdaLR(opt, lambda e: min(1, (e + 1) / 5) * 0.5 ** (e // 10)) for a warmup "
                "then steps; for phases one after the other (a warm-up, then a decay), hand "
                "both to one SequentialLR(opt, [warmup, decay], milestones=[...])."
            )
        with contextlib.suppress(TypeError):
            _LAST_STEPPED[me.optimizer] = weakref.ref(me)
        self._steps = self.__dict__.get("_steps", 0) + 1  # (PyTorch's _step_count, its get_lr sees)
        me._stepped = next(_TICKS)
        me._first = me._stepped if tick(me, "_first") is None else me._first

    def _root(self) -> LRSchedule:
        """The schedule whose steps these are: the SequentialLR that owns this one (the
        outermost, when nested), or this one. Refused when an owned schedule is stepped
        by hand: its SequentialLR steps it, at its turn."""
        me = self
        while me.__dict__.get("_owner") is not None and me._owner() is not None:
            parent = me._owner()
            if not parent._stepping:
                kind = type(parent).__name__
                raise ValueError(
                    f"This {type(me).__name__} is one of the schedules of a {kind}, which "
                    f"steps it at its turn: call the {kind}'s step(), not this one's (a step "
                    f"of its own would move it off the {kind}'s epochs)."
                )
            me = parent
        return me

    def _at(self, clock: Any) -> list[float]:
        """Every group's lr at ``clock``, checked (:meth:`_checked`)."""
        if self._pytorch() and not self._in_step:  # (in a step: its super().get_lr())
            return self._pytorch_lrs(clock)
        return [
            base
            if i in self.held
            else self._checked(self._rate, self._base_at(i, clock), clock, clock)
            for i, base in enumerate(self.base_lrs)
        ]

    def _write(self, groups: list[dict[str, Any]], clock: Any) -> None:
        """Set each group's lr (a cycle: its momentum too) to its rate at ``clock``."""
        for group, lr in zip(groups, self._at(clock)):  # (all checked first)
            group["lr"] = lr

    def _restart(self, claim: bool = True) -> None:
        """Start the curve again from epoch 0, each group's lr set there: a SequentialLR's
        schedule at its milestone (PyTorch's ``_update_lr(0)``), or its first one when the
        SequentialLR is built (``claim`` False: not a step)."""
        if self._needs:
            raise TypeError(f"{type(self).__name__} has no curve to start again.")
        groups = self._groups() if claim else self.optimizer.param_groups
        self._write(groups, 0)
        self.__dict__.update(self._progress)
        self.epoch = 0
        self._record(groups)

    def _first_bases(self) -> list[float]:
        """The groups' lrs before this schedule wrote any (SequentialLR's starting lrs)."""
        return list(self.base_lrs)

    def _rebase(self, bases: list[float]) -> None:
        """Take ``bases`` as the starting lrs (SequentialLR: PyTorch's ``initial_lr``, the
        lr before the first of its schedules was built); a cycle keeps its own."""
        if not self._cycle:
            self.base_lrs = list(bases)

    def _checked(
        self, rate: Callable[[float, int], Any], base: float, clock: int, epoch: Any = None
    ) -> float:
        """``rate(base, clock)``, refused with a clear error unless it is a number >= 0 in the
        float range (gamma > 1 grows the rate past it: 10.0 ** 400 is Python's OverflowError).
        ``epoch`` is the epoch the messages name (default: this schedule's)."""
        name, epoch = type(self).__name__, self.epoch if epoch is None else epoch
        try:
            lr = rate(base, clock)
        except OverflowError:
            lr = math.inf
        except ParameterError:  # (LambdaLR's factor refused: its own message)
            raise
        except TypeError as e:  # (LambdaLR: a function that returned text, a list, None)
            raise ParameterError(
                f"{name} could not compute the learning rate of epoch {epoch} ({e}). "
                "lr_lambda must return a number, the factor of the starting lr."
            ) from e
        if not isinstance(lr, numbers.Real) or isinstance(lr, bool) or not 0 <= lr < math.inf:
            grows = isinstance(lr, numbers.Real) and lr == math.inf
            raise ParameterError(
                f"{name} gives a learning rate of {lr!r:.80} at epoch {epoch} (starting lr "
                f"{base!r}); a learning rate is a finite number >= 0. "
                + (
                    "A rate that grows each epoch (gamma > 1) passes the float range: train "
                    "fewer epochs, or cap it with LambdaLR(optimizer, lambda e: min(g ** e, cap))."
                    if grows
                    else self._rate_advice(base)
                )
            )
        return _check(lr, "lr", name)

    def epoch_end(
        self,
        *,
        metric: float | None = None,
        samples_seen: int | None = None,
        remaining: int | None = None,
    ) -> bool:
        """Uniform end-of-epoch call; returns True when training should stop.

        ``metric`` is the epoch's training loss (used by :class:`AdaptiveLR`),
        ``samples_seen`` the number of samples trained on so far (used by
        :class:`InvScalingLR`), ``remaining`` the epochs the run has left (how far
        :meth:`stays_zero` reads a :class:`LambdaLR`'s curve ahead; None: unknown).
        """
        facts = {"metric": metric, "samples_seen": samples_seen}
        self._ahead, self._looped = remaining, True
        try:
            return self.step(*(facts[k] for k in self._needs))
        finally:
            self._ahead, self._looped = None, False

    @property
    def lr(self) -> float:
        """The optimizer's current learning rate."""
        return float(self.optimizer.lr)

    def get_last_lr(self) -> list[float]:
        """The learning rates the schedule set last, one per param group, as PyTorch's
        ``get_last_lr()`` (its ``_last_lr``): an lr written into a group by hand since is not
        among them (read ``optimizer.param_groups`` for the lrs in force). Right after
        ``load_state_dict``, until the next step: the groups' lrs (the state's ``_last_lr``
        where it has one: saved after an lr set by hand)."""
        last = self.__dict__.get("_last_lr")
        return list(last) if last is not None else self._lrs_now()

    def _lrs_now(self) -> list[float]:
        """Each param group's lr in force."""
        return [float(g["lr"]) for g in self.optimizer.param_groups]

    def _record(self, groups: Any = None) -> None:
        """Keep the lrs just set as the ones :meth:`get_last_lr` gives (PyTorch's
        ``_last_lr``)."""
        groups = self.optimizer.param_groups if groups is None else groups
        self._last_lr = [float(g["lr"]) for g in groups]

    @property
    def _step_count(self) -> int:
        """PyTorch's ``_step_count``: the steps taken, the constructor's first one counted
        (in a step, that step too, as its ``get_lr()`` sees it in PyTorch)."""
        return self.__dict__.get("_steps", 0) + 1

    @_step_count.setter
    def _step_count(self, value: int) -> None:
        self._steps = value - 1

    def state_dict(self) -> dict[str, Any]:
        """Plain Python values: type, base_lrs (a list), epoch, settings and progress (and,
        where a schedule saves them, the entries of ``_extra_keys``)."""
        return {**self._state(), **self._saved_extras()}

    # keys that load_state_dict takes where present, and older state dicts lack: PyTorch's
    # last_epoch (the epoch; CosineAnnealingWarmRestarts saves it), a LambdaLR's lr_lambdas,
    # a CyclicLR's _scale_fn_custom (saved where a callable object is among them), and
    # PyTorch's _step_count (saved by a subclass written outside glassnet, whose get_lr()
    # may read it), and PyTorch's _last_lr (saved while an lr set by hand is pending)
    _extra_keys: tuple[str, ...] = ("last_epoch", "_step_count", "_last_lr")

    def _saved_extras(self) -> dict[str, Any]:
        """The state dict's entries of ``_extra_keys``: ``_step_count`` for a subclass written
        outside glassnet (as PyTorch's state_dict holds it); ``_last_lr`` where a group's lr
        was set by hand since the last step (:meth:`_hand_set`)."""
        extra = self._hand_set() if self._follows_hand else {}
        if type(self).__module__ != __name__:
            return {"_step_count": self._step_count, **extra}
        return extra

    def _hand_set(self) -> dict[str, Any]:
        """``{"_last_lr": the lrs the schedule set last}`` (PyTorch's, which its state dict
        holds) while a group's lr was set by hand since then, else {} (the state of a run
        nobody touched keeps its keys): loaded, the hand-set lr in force (the optimizer's
        state) carries on at the next step, as in the run that was not stopped."""
        last, groups = self.__dict__.get("_last_lr"), self.optimizer.param_groups
        if last is None or all(
            type(g["lr"]) is float and g["lr"] == was for g, was in zip(groups, last)
        ):
            return {}
        return {"_last_lr": list(last)}

    def _split_extras(self, state: Any) -> tuple[Any, dict[str, Any]]:
        """``state`` without the ``_extra_keys``, and those (``last_epoch`` checked against
        ``epoch``: the same number, or refused)."""
        if not isinstance(state, Mapping):
            return state, {}
        extras = {k: state[k] for k in self._extra_keys if k in state}
        rest = {k: v for k, v in state.items() if k not in extras}
        if "last_epoch" in extras and "epoch" in rest and extras["last_epoch"] != rest["epoch"]:
            raise ValueError(
                f"{type(self).__name__}.load_state_dict: 'last_epoch' ({extras['last_epoch']!r:.40}"
                f") must be the state's 'epoch' ({rest.get('epoch')!r:.40}), the steps taken; "
                "pass the dict state_dict() returned (or leave 'last_epoch' out)."
            )
        last, bases = extras.get("_last_lr"), rest.get("base_lrs")
        if "_last_lr" in extras and not (
            isinstance(last, list)
            and (not isinstance(bases, list) or len(last) == len(bases))
            and all(
                isinstance(v, numbers.Real) and not isinstance(v, bool) and 0 <= v < math.inf
                for v in last
            )
        ):
            raise ValueError(
                f"{type(self).__name__}.load_state_dict: '_last_lr' (PyTorch's, the lrs the "
                "schedule set last) must list one lr >= 0 per param group, as base_lrs. Got "
                f"{last!r:.60}; pass the dict state_dict() returned (or leave '_last_lr' out)."
            )
        count = extras.get("_step_count")
        if "_step_count" in extras and (
            isinstance(count, bool) or not isinstance(count, numbers.Integral) or count < 1
        ):
            raise ValueError(
                f"{type(self).__name__}.load_state_dict: '_step_count' (PyTorch's, the steps "
                f"taken, the constructor's counted) must be an int >= 1. Got {count!r:.40}; "
                "pass the dict state_dict() returned (or leave '_step_count' out)."
            )
        return rest, extras

    def _load_extras(self, extras: dict[str, Any]) -> None:
        """Restore the ``_extra_keys`` entries (``last_epoch`` is the epoch: done; a state
        without ``_step_count``, older, keeps the count the schedule has)."""
        if "_step_count" in extras:
            self._step_count = int(extras["_step_count"])

    def _state(self) -> dict[str, Any]:
        """The state dict's core: type, base_lrs, epoch, settings and progress."""
        keys = ("base_lrs", "epoch", *self._hyper, *self._progress)
        state = {"type": type(self).__name__, **{k: getattr(self, k) for k in keys}}
        if self._pytorch():  # (its own plain attributes, as PyTorch's state_dict holds them)
            plain = (numbers.Number, str, type(None))
            state.update(
                (k, v)
                for k, v in vars(self).items()
                if not k.startswith("_")
                and k not in ("optimizer", "stop_reason", "held", *state)
                and (
                    isinstance(v, plain)
                    or isinstance(v, list)
                    and all(isinstance(x, plain) for x in v)
                )
            )
        return {k: list(v) if isinstance(v, list) else v for k, v in state.items()}  # (copies)

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned (``optimizer.lr`` is not touched:
        load the optimizer's own state dict for that)."""
        state, extras = self._split_extras(state)
        name, keys = type(self).__name__, list(dict.fromkeys([*self._state(), *self._added]))
        if isinstance(state, Mapping):  # (progress added later: a state dict from before)
            state = {**{k: self._progress[k] for k in self._added if k not in state}, **state}
        check_state_dict(state, type(self), keys)
        bases = state["base_lrs"]
        if not isinstance(bases, list) or len(bases) not in self._counts():
            raise ValueError(
                f"{name}.load_state_dict: 'base_lrs' must list one lr per param group "
                f"({len(self.base_lrs)}). Got {bases!r:.80}."
            )
        bases = [self._check_base(b, name) for b in bases]
        rules = self._rules
        checked = {  # (a PyTorch-style subclass's own attributes: its own values)
            k: _check(state[k], k, name, rules.get(k)) if k in _RULES or k in rules else state[k]
            for k in keys[2:]
        }
        self._load_extras(extras)  # (checked first: nothing changes when refused)
        self.__dict__.update(checked, base_lrs=bases)
        self._last_lr = _last_of(extras)

    def _counts(self) -> set[int]:
        """The lengths of ``base_lrs`` a state may have: one per group the schedule has, or,
        where it adopts groups added later, one per group of the optimizer (a run resumed
        with its added group put back before the schedule's state is loaded)."""
        groups = len(self.optimizer.param_groups)
        return {len(self.base_lrs)} | ({groups} if self._adopts else set())

    def __repr__(self) -> str:
        items = ", ".join(f"{k}={getattr(self, k)!r}" for k in self._hyper)
        items += "; " if items else ""  # (ConstantLR, no settings: not "(;")
        return f"{type(self).__name__}({items}epoch={self.epoch}, lr={self.lr!r})"


class ConstantLR(LRSchedule):
    """γₑ = γ₀: the learning rate stays at its initial value (scikit-learn's "constant").

    (Unlike PyTorch's ``ConstantLR``, which scales γ for a first few epochs: called PyTorch's
    way, with a ``factor`` or ``total_iters``, by position or keyword, ``ConstantLR(opt, 0.5,
    3)`` builds PyTorch's, a :class:`ConstantFactorLR`.)
    """

    _never_rises = _chain_scales = True  # (γ₀ = 0 stays 0)
    _adopts = _follows_hand = True

    def __new__(cls, optimizer: Any = None, *args: Any, **kwargs: Any) -> Any:
        if cls is ConstantLR and (args or {"factor", "total_iters"} & kwargs.keys()):
            return ConstantFactorLR(optimizer, *args, **kwargs)  # (PyTorch's ConstantLR)
        return super().__new__(cls)

    def __init__(self, optimizer: Any, last_epoch: int = -1) -> None:
        _fresh(type(self).__name__, last_epoch)
        super().__init__(optimizer)

    def _rate(self, base_lr: float, epoch: int) -> float:
        return base_lr

    def _chained(self, lrs: list[float], epoch: int) -> tuple[list[float], dict[str, Any]]:
        return list(lrs), {}


class _Decay(LRSchedule):
    """γ₀ · gammaᵏ with k never falling as the epochs go: with gamma < 1 the rate never
    rises, and with gamma >= 1 it is 0 only when γ₀ is, so a rate of 0 (γ₀ = 0, or gammaᵏ
    below the float range) stays 0."""

    _never_rises = _chain_scales = _adopts = _follows_hand = True


class StepLR(_Decay):
    """γₑ = γ₀ · gammaᵏ with k = ⌊e / step_size⌋: decay by ``gamma`` every ``step_size`` epochs.

    Computed in closed form (PyTorch multiplies repeatedly; equal up to rounding).
    """

    _hyper = ("step_size", "gamma")

    def __init__(
        self, optimizer: Any, step_size: int, gamma: float = 0.1, last_epoch: int = -1
    ) -> None:
        _fresh(type(self).__name__, last_epoch)
        super().__init__(optimizer, locals())

    def _rate(self, base_lr: float, epoch: int) -> float:
        return base_lr * self.gamma ** (epoch // self.step_size)

    def _chained(self, lrs: list[float], epoch: int) -> tuple[list[float], dict[str, Any]]:
        decays = epoch and not epoch % self.step_size
        return [lr * self.gamma if decays else lr for lr in lrs], {}


class MultiStepLR(_Decay):
    """γₑ = γ₀ · gammaᵏ with k the number of ``milestones`` at or before epoch e: decay by
    ``gamma`` at each milestone (a milestone listed twice counts twice), as PyTorch's
    ``MultiStepLR``. The milestones are a setting, not part of ``state_dict()``."""

    _hyper = ("gamma",)

    def __init__(
        self, optimizer: Any, milestones: Any, gamma: float = 0.1, last_epoch: int = -1
    ) -> None:
        _fresh(type(self).__name__, last_epoch)
        is_list = isinstance(milestones, (list, tuple, range)) or (
            getattr(milestones, "ndim", None) == 1 and hasattr(milestones, "tolist")
        )  # (a NumPy array of epochs, and NumPy ints in a list, are epochs too)
        ms = list(milestones) if is_list else None
        if ms is None or not all(
            isinstance(m, numbers.Integral) and not isinstance(m, bool) and m >= 1 for m in ms
        ):
            raise ParameterError(
                "The 'milestones' parameter of MultiStepLR must be a list of epochs (ints "
                f">= 1). Got {milestones!r:.80}; e.g. milestones=[30, 80]."
            )
        self.milestones = sorted(int(m) for m in ms)
        super().__init__(optimizer, {"gamma": gamma})

    def _rate(self, base_lr: float, epoch: int) -> float:
        return base_lr * self.gamma ** bisect.bisect_right(self.milestones, epoch)

    def _chained(self, lrs: list[float], epoch: int) -> tuple[list[float], dict[str, Any]]:
        times = self.milestones.count(epoch)
        return [lr * self.gamma**times if times else lr for lr in lrs], {}


def _file_holds(value: Any, depth: int = 0) -> bool:
    """Whether a glassnet file (``gn.save``, ``save_checkpoint``) holds ``value``: None, a
    bool, a str, a real number, a NumPy array of numbers or bools, or lists, tuples and dicts
    (str keys) of those; a function, an optimizer or any other object it does not."""
    if value is None or isinstance(value, (bool, np.bool_, str, numbers.Real)):
        return True
    if isinstance(value, np.ndarray):
        return value.dtype.kind in "biuf"
    if depth >= 32:  # (nested deeper, or containing itself: not a file's)
        return False
    if isinstance(value, (list, tuple)):
        return all(_file_holds(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _file_holds(v, depth + 1) for k, v in value.items())
    return False


def _fn_states(fns: list[Any]) -> list[Any]:
    """PyTorch's saved state of each callable: a copy of a callable object's ``__dict__``
    (of the attributes a glassnet file holds: :func:`_file_holds`; an attribute holding a
    function, an optimizer or another object is left out, and keeps, after loading, the
    value the schedule was built with, where ``torch.save`` would pickle it); None for a
    function or a lambda (and for a callable that has no ``__dict__``)."""
    return [
        None
        if isinstance(fn, types.FunctionType) or not isinstance(getattr(fn, "__dict__", None), dict)
        else {k: v for k, v in vars(fn).items() if _file_holds(v)}
        for fn in fns
    ]


def _load_fn_states(fns: list[Any], saved: Any, owner: str, key: str) -> Callable[[], None]:
    """Check ``saved`` (what :func:`_fn_states` gave) against ``fns``: one entry per callable,
    each None or a dict for a callable object. Returns the function that restores them
    (each object's ``__dict__`` updated, as PyTorch's load_state_dict does)."""
    ok = isinstance(saved, list) and len(saved) == len(fns)
    bad = [
        i
        for i, (fn, st) in enumerate(zip(fns, saved if ok else []))
        if st is not None
        and (not isinstance(st, Mapping) or not isinstance(getattr(fn, "__dict__", None), dict))
    ]
    if not ok or bad:
        raise ValueError(
            f"{owner}.load_state_dict: {key!r} must list, for each of its {len(fns)} "
            "function(s), None (a function or a lambda) or a dict of a callable object's "
            f"attributes (its __dict__), as state_dict() saves them. Got {saved!r:.80}"
            + (f" (entry {bad[0]} is a dict for a callable without attributes)." if ok else ".")
            + " Build the schedule with the same kind of callables, then load the state."
        )

    def restore() -> None:
        for fn, st in zip(fns, saved):
            if st is not None:
                fn.__dict__.update(st)

    return restore


class _SavesLambdas(LRSchedule):
    """LambdaLR and MultiplicativeLR: as PyTorch's, ``state_dict()["lr_lambdas"]`` holds a
    copy of each callable object's attributes (None for a function or a lambda), and
    :meth:`load_state_dict` puts them back into the schedule's own objects, so that a
    resumed run's stateful ``lr_lambda`` goes on where it was. Of an object's attributes it
    holds those a glassnet file holds (numbers, strings, bools, None, arrays, and lists,
    tuples and dicts of them), so that ``gn.save`` and ``save_checkpoint`` take the state;
    an attribute holding a function, an optimizer or another object is left out (PyTorch's
    holds it, and ``torch.save`` pickles it) and keeps the value it was built with."""

    _extra_keys = ("last_epoch", "_step_count", "_last_lr", "lr_lambdas")

    def _saved_extras(self) -> dict[str, Any]:
        saved = _fn_states(self.lr_lambdas)  # (only where a callable object is among them:
        # a state of functions alone is what an older glassnet reads too)
        extra = {"lr_lambdas": saved} if any(v is not None for v in saved) else {}
        return {**super()._saved_extras(), **extra}

    def _load_extras(self, extras: dict[str, Any]) -> None:
        super()._load_extras(extras)
        if "lr_lambdas" in extras:
            name = type(self).__name__
            _load_fn_states(self.lr_lambdas, extras["lr_lambdas"], name, "lr_lambdas")()


class LambdaLR(_SavesLambdas):
    """γₑ = γ₀ · lr_lambda(e), as PyTorch's ``LambdaLR``: ``lr_lambda`` is one function of
    the epoch, or a list of one per param group. As PyTorch's, building it sets each
    group's lr to γ₀ · lr_lambda(0) (γ₀: each group's ``initial_lr``). As PyTorch's,
    ``state_dict()["lr_lambdas"]`` holds a copy of each callable object's attributes (None
    for a function or a lambda, whose code is not saved; the key is there where an object is
    among them; of those a glassnet file holds: an attribute holding a function or another
    object is left out, so that ``gn.save`` takes the state): build the schedule with the
    same callables, then load the state (an object's attributes are put back)."""

    _from_initial = True  # (PyTorch's closed form: initial_lr · lr_lambda(epoch))

    def __init__(
        self, optimizer: Any, lr_lambda: Callable[[int], float] | Any, last_epoch: int = -1
    ) -> None:
        _fresh(type(self).__name__, last_epoch)
        super().__init__(optimizer)
        self.lr_lambdas = _lambdas(
            lr_lambda, len(self.base_lrs), "LambdaLR", "lambda epoch: 0.95 ** epoch"
        )
        self._set(self.optimizer.param_groups)
        self._record()

    def _rates(self, epoch: int) -> list[float]:
        return [base * self._of(fn, epoch) for base, fn in zip(self.base_lrs, self.lr_lambdas)]

    def _of(self, fn: Callable[[int], Any], epoch: int) -> Any:
        """``fn(epoch)``, a bool refused (True would be read as 1, False as 0), a numpy bool
        array too (``np.array(epoch < 5)``)."""
        factor = fn(epoch)
        if isinstance(factor, (bool, np.bool_)) or (
            isinstance(factor, np.ndarray) and factor.dtype == np.bool_
        ):
            raise ParameterError(
                f"LambdaLR: lr_lambda returned {factor!r} at epoch {epoch}, a bool; it must "
                "return a number, the factor of the starting lr (1.0 or 0.0, not True or False)."
            )
        return factor

    def _join_advice(self) -> str:
        return (
            "PyTorch's LambdaLR refuses it too (its lr_lambdas and base_lrs list one per "
            "group). Append the group's starting lr to schedule.base_lrs and its function to "
            "schedule.lr_lambdas: its lr is then starting lr × lr_lambda(epoch), as PyTorch's "
            "with both appended (to go on from its lr now, the starting lr is that lr / "
            "lr_lambda(schedule.last_epoch)); or build the schedule after add_param_group."
        )

    def _sizes(self) -> None:
        """Refuse a param group without its function (one added after the schedule was
        built: its lr would stay unscheduled)."""
        n = len(self.base_lrs)
        if len(self.lr_lambdas) != n:
            raise ValueError(
                f"LambdaLR: base_lrs has {n} values and lr_lambdas {len(self.lr_lambdas)}; "
                "give each param group its function (a group added with add_param_group: "
                "append its starting lr to base_lrs and its function to lr_lambdas)."
            )

    def _set(self, groups: list[dict[str, Any]]) -> None:
        self._sizes()
        rates = [
            self._checked(lambda b, e, fn=fn: b * self._of(fn, e), base, self.epoch)
            for base, fn in zip(self.base_lrs, self.lr_lambdas)
        ]
        for group, lr in zip(groups, rates):  # (all checked first)
            group["lr"] = lr

    def _rate(self, base_lr: float, epoch: int) -> float:
        return base_lr * self._of(self.lr_lambdas[0], epoch)

    def _at(self, clock: Any) -> list[float]:
        self._sizes()
        return [
            self._checked(lambda b, e, fn=fn: b * self._of(fn, e), base, clock, clock)
            for base, fn in zip(self.base_lrs, self.lr_lambdas)
        ]

    def _chained(self, lrs: list[float], epoch: int) -> tuple[list[float], dict[str, Any]]:
        """PyTorch's LambdaLR sets γ₀ · lr_lambda(epoch), whatever the lr was."""
        self._sizes()
        return [
            self._checked(lambda b, e, fn=fn: b * self._of(fn, e), base, epoch, epoch)
            for base, fn in zip(self.base_lrs, self.lr_lambdas)
        ], {}

    def step(self, epoch: Any = None) -> bool:
        """End of an epoch: each group's lr becomes γ₀ · its lr_lambda(epoch). True when
        that is 0 for every group and stays 0 (:meth:`stays_zero`: the lr_lambdas are
        called at the next ``epoch`` epochs to see), else False."""
        self._no_epoch(epoch)
        groups = self._groups()
        self.epoch += 1
        try:
            self._set(groups)
        except Exception:  # (a refused step leaves the schedule where it was)
            self.epoch -= 1
            raise
        return self._ended(groups)


def _lambdas(lr_lambda: Any, groups: int, owner: str, example: str) -> list[Callable[[int], Any]]:
    """``lr_lambda``, one function of the epoch or a list of one per param group, as a list
    of one per group; else a ParameterError that says what to pass."""
    many = isinstance(lr_lambda, (list, tuple))
    fns = list(lr_lambda) if many else [lr_lambda] * groups
    if len(fns) != groups or not all(callable(f) for f in fns):
        raise ParameterError(
            f"The 'lr_lambda' parameter of {owner} must be a function of the epoch, or a "
            f"list of one per param group ({groups}). Got {lr_lambda!r:.80}; e.g. "
            f"lr_lambda={example}."
        )
    return fns


class MultiplicativeLR(_SavesLambdas):
    """γₑ = γₑ₋₁ · lr_lambda(e) for e >= 1, γ₀ at epoch 0: PyTorch's ``MultiplicativeLR``, each
    step multiplying the rate by the factor its function gives for the new epoch (one
    function, or a list of one per param group). Building it leaves the rate as it is.

    Here the rate is the starting lr times the product of the factors so far (kept per group as
    ``products``, part of :meth:`state_dict`; PyTorch multiplies the rate itself: equal up to
    rounding); an lr written into a group by hand carries on, as PyTorch's: it becomes the
    group's starting lr, its product 1. Each step calls each group's function once, at the new
    epoch, as PyTorch's does: a function that reads the run (a factor of 0.5 after an epoch
    whose validation loss rose) sees each epoch once. A factor is a finite number >= 0. As
    PyTorch's, ``state_dict()["lr_lambdas"]`` holds a callable object's attributes (None for a
    function; the key is there where an object is among them; of those a glassnet file holds, an
    attribute holding a function or another object left out): build the schedule with the same
    callables, then load the state. A rate of 0 stays 0 (a product never rises from 0), which
    ends a ``fit`` run.

    >>> from glassnet import nn, optim
    >>> opt = optim.SGD(nn.Linear(2, 1, rng=0).parameters(), lr=0.1)
    >>> sched = MultiplicativeLR(opt, lr_lambda=lambda epoch: 0.5)
    >>> [opt.lr] + [(sched.step(), opt.lr)[1] for _ in range(3)]
    [0.1, 0.05, 0.025, 0.0125]
    """

    _progress = {"products": None}  # (one per group, set when built: [1.0, ...])
    _rules = {"products": {"low": 0, "each": True}}
    _never_rises = True  # (a product of 0 stays 0: every factor is finite)
    _chain_scales = _follows_hand = True

    def __init__(
        self, optimizer: Any, lr_lambda: Callable[[int], float] | Any, last_epoch: int = -1
    ) -> None:
        name = type(self).__name__
        _fresh(name, last_epoch)
        super().__init__(optimizer)
        self.lr_lambdas = _lambdas(lr_lambda, len(self.base_lrs), name, "lambda epoch: 0.95")
        self.products = [1.0] * len(self.base_lrs)

    def _factor(self, fn: Callable[[int], Any], epoch: int) -> float:
        """``fn(epoch)``, refused unless a finite number >= 0."""
        f = fn(epoch)
        if isinstance(f, bool) or not isinstance(f, numbers.Real) or not 0 <= f < math.inf:
            raise ParameterError(
                f"{type(self).__name__}: lr_lambda returned {f!r:.40} at epoch {epoch}; it "
                "must return the factor that multiplies the learning rate, a finite number "
                ">= 0, e.g. lr_lambda=lambda epoch: 0.95."
            )
        return float(f)

    def _join_advice(self) -> str:
        return (
            f"PyTorch's {type(self).__name__} refuses it too (its lr_lambdas list one per "
            "group). Append the group's lr to schedule.base_lrs, 1.0 to schedule.products and "
            "its function to schedule.lr_lambdas: each step then multiplies its lr by "
            "lr_lambda(epoch), as PyTorch's with the function appended to its lr_lambdas; or "
            "build the schedule after add_param_group."
        )

    def _sizes(self) -> None:
        """Refuse lists that no longer give each param group one value."""
        n, name = len(self.base_lrs), type(self).__name__
        if len(self.products) != n or len(self.lr_lambdas) != n:
            raise ValueError(
                f"{name}: base_lrs has {n} values, products {len(self.products)} and "
                f"lr_lambdas {len(self.lr_lambdas)}; give each param group one of each (a "
                "group added with add_param_group: append its starting lr to base_lrs, 1.0 "
                "to products and its function to lr_lambdas)."
            )

    def _rate(self, base_lr: float, epoch: int) -> float:
        """The first group's rate at ``epoch`` (:meth:`lr_at`): its function called at epochs
        1 to ``epoch``."""
        return base_lr * math.prod(self._factor(self.lr_lambdas[0], k) for k in range(1, epoch + 1))

    def step(self, epoch: Any = None) -> bool:
        """End of an epoch: each group's product times its lr_lambda(epoch), the rate γ₀
        times that. True when every group's rate is then 0 (it stays 0), else False."""
        self._no_epoch(epoch)
        groups = self._groups()
        self._sizes()
        kept = self._kept()
        try:
            self._by_hand(groups, self.epoch)
            at = self.epoch + 1
            products = [p * self._factor(fn, at) for p, fn in zip(self.products, self.lr_lambdas)]
            rates = [
                self._checked(lambda b, _, p=p: b * p, base, at, at)
                for base, p in zip(self.base_lrs, products)
            ]
        except Exception:
            self._put_back(kept)  # (a refused step changes nothing)
            self._steps -= 1
            raise
        for group, lr in zip(groups, rates):  # (all checked first)
            group["lr"] = lr
        self.epoch, self.products = at, products
        return self._ended(groups)

    def _restart(self, claim: bool = True) -> None:
        super()._restart(claim)
        self.products = [1.0] * len(self.base_lrs)

    def _through(self, i: int, lr: float, clock: int) -> None:
        """An lr set by hand is the group's starting lr from here (each step multiplies it)."""
        self.base_lrs[i], self.products = lr, [*self.products[:i], 1.0, *self.products[i + 1 :]]

    def _chained(self, lrs: list[float], epoch: int) -> tuple[list[float], dict[str, Any]]:
        if not epoch and not self._asked:  # (the constructor's step)
            return list(lrs), {}
        self._sizes()
        factors = [self._factor(fn, epoch) for fn in self.lr_lambdas]
        products = [p * f for p, f in zip(self.products, factors)]
        return [lr * f for lr, f in zip(lrs, factors)], {"products": products}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """As :meth:`LRSchedule.load_state_dict`, with one product per param group."""
        got = state.get("products") if isinstance(state, Mapping) else None
        if isinstance(got, list) and len(got) != len(self.base_lrs):
            raise ValueError(
                f"{type(self).__name__}.load_state_dict: 'products' must list one value per "
                f"param group ({len(self.base_lrs)}). Got {got!r:.80}."
            )
        super().load_state_dict(state)


class ExponentialLR(_Decay):
    """γₑ = γ₀ · gammaᵉ: decay by ``gamma`` every epoch."""

    _hyper = ("gamma",)

    def __init__(self, optimizer: Any, gamma: float, last_epoch: int = -1) -> None:
        _fresh(type(self).__name__, last_epoch)
        super().__init__(optimizer, locals())

    def _rate(self, base_lr: float, epoch: int) -> float:
        return base_lr * self.gamma**epoch

    def _chained(self, lrs: list[float], epoch: int) -> tuple[list[float], dict[str, Any]]:
        return [lr * self.gamma if epoch or self._asked else lr for lr in lrs], {}


class CosineAnnealingLR(LRSchedule):
    """γₑ = η_min + (γ₀ − η_min) · (1 + cos(π e / T_max)) / 2.

    Falls from γ₀ to ``eta_min`` over ``T_max`` epochs. Past ``T_max`` the formula
    keeps going (it rises again, period 2·T_max), as PyTorch's does; set ``T_max`` to
    the number of epochs. So with ``eta_min=0`` the rate touches 0 at ``T_max`` (and at
    every odd multiple) without ending the run: a longer run goes on, on the rising
    curve (only γ₀ = ``eta_min`` = 0, 0 at every epoch, stops: :meth:`stays_zero`).
    """

    _hyper = ("T_max", "eta_min")
    _adopts = True  # (PyTorch's recursive form takes a new group until T_max; past it,
    # where its rise reads base_lrs, PyTorch's raises and this curve goes on)
    # a group added below eta_min, at lr ℓ at epoch k: PyTorch's recursive form gives it
    # η_min + (ℓ − η_min) · c(e) / c(k), c(e) = (1 + cos(π e / T_max)) / 2, which is this
    # curve from γ₀ = η_min + (ℓ − η_min) / c(k): below η_min, and below 0 where ℓ is far
    # enough below it. Its rates until T_max lie between ℓ and η_min (>= 0); past T_max they
    # fall back towards γ₀, and a step whose rate would be below 0 is refused (_rate_advice)
    _negative_bases = True

    # rise_lrs: None, or (built after another schedule moved the lr) each group's initial_lr,
    # the lr the curve rises back to past T_max, as PyTorch's (its rise reads base_lrs, its
    # initial_lr, where its steps until T_max move the lr in force): the starting lr past T_max
    # hand_until: None, or each group's last epoch of base_lrs' curve (T_max, unless its lr
    # was set by hand: the bottom after that, where PyTorch's curve goes back to rise_lrs')
    _progress = {"rise_lrs": None, "hand_until": None}
    _added = ("rise_lrs", "hand_until")  # (state dicts from before: None)
    _follows_hand = True

    def __init__(
        self, optimizer: Any, T_max: int, eta_min: float = 0.0, last_epoch: int = -1
    ) -> None:
        _fresh(type(self).__name__, last_epoch)
        super().__init__(optimizer, locals())
        initial = self.__dict__.get("_initial_lrs", self.base_lrs)
        self.rise_lrs = None if initial == self.base_lrs else list(initial)

    def _base_at(self, i: int, clock: Any) -> float:
        rise, until = self.rise_lrs, self.hand_until
        end = until[i] if until is not None and i < len(until) else self.T_max
        if rise is not None and clock > end and i < len(rise):
            return rise[i]
        return self.base_lrs[i]

    def _through(self, i: int, lr: float, clock: int) -> None:
        """PyTorch's recursive form from ``lr`` at ``clock``: η_min + (lr − η_min) · c(e) /
        c(clock), c(e) = (1 + cos(π e / T_max)) / 2, until the next bottom (from a bottom: its
        rise, lr + (γ₀ − η_min) · c(clock + 1), then that ratio), past which it rises from
        its own γ₀ (``rise_lrs``) again: the curve from a starting lr of its own until then
        (``hand_until``)."""
        t, eta, n = self.T_max, self.eta_min, len(self.base_lrs)
        rise = list(self.rise_lrs or [])
        rise += self.base_lrs[len(rise) : n]  # (the curve past each group's own part)
        until = list(self.hand_until or [])
        until += [t] * (n - len(until))

        def c(e: int) -> float:
            return (1.0 + math.cos(math.pi * e / t)) / 2.0

        if clock % (2 * t) == t:  # (at a bottom: PyTorch's rise, from its starting lr)
            nxt = lr + (rise[i] - eta) * (1.0 - math.cos(math.pi / t)) / 2.0
            self.base_lrs[i] = eta + (nxt - eta) / c(clock + 1)
        else:
            self.base_lrs[i] = eta + (lr - eta) / c(clock)
        until[i] = clock - clock % (2 * t) + t + (2 * t if clock % (2 * t) >= t else 0)
        self.rise_lrs, self.hand_until = rise, until

    def _rebase(self, bases: list[float]) -> None:
        super()._rebase(bases)
        self.rise_lrs = self.hand_until = None  # (SequentialLR: one curve from its start)

    def state_dict(self) -> dict[str, Any]:
        """:meth:`LRSchedule.state_dict`, with ``rise_lrs`` only where the curve rises back
        to another lr than it started from (built after another schedule moved the lr, or
        an lr set by hand: ``hand_until`` then too)."""
        state = super().state_dict()
        return {k: v for k, v in state.items() if k not in ("rise_lrs", "hand_until") or v}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """:meth:`LRSchedule.load_state_dict`, ``rise_lrs`` None or one lr >= 0 per group,
        ``hand_until`` None or one epoch >= 1 per group."""
        until = state.get("hand_until") if isinstance(state, Mapping) else None
        if until is not None:
            bases = state.get("base_lrs")
            ok = isinstance(until, list) and isinstance(bases, list) and len(until) == len(bases)
            ok = ok and all(isinstance(u, numbers.Integral) and u >= 1 for u in until)
            if not ok or state.get("rise_lrs") is None:
                raise ValueError(
                    f"{type(self).__name__}.load_state_dict: 'hand_until' must be None or "
                    "list one epoch >= 1 per param group, as base_lrs, with 'rise_lrs'. Got "
                    f"{until!r:.80}."
                )
        rise = state.get("rise_lrs") if isinstance(state, Mapping) else None
        if rise is not None:
            bases = state.get("base_lrs")
            ok = isinstance(rise, list) and isinstance(bases, list) and len(rise) == len(bases)
            if not ok:
                raise ValueError(
                    f"{type(self).__name__}.load_state_dict: 'rise_lrs' must be None or list "
                    f"one lr per param group, as base_lrs. Got {rise!r:.80}."
                )
            rise = [float(_check(v, "lr", type(self).__name__)) for v in rise]
        super().load_state_dict(state)
        self.rise_lrs, self.hand_until = rise, None if until is None else [int(u) for u in until]

    def stays_zero(self) -> bool:
        """True only when γ₀ and ``eta_min`` are 0: otherwise the curve rises again."""
        bases = self.base_lrs + (self.rise_lrs or [])
        return self.eta_min == 0 and all(base == 0 for base in bases)

    def _rate(self, base_lr: float, epoch: int) -> float:
        cos = math.cos(math.pi * epoch / self.T_max)
        return self.eta_min + (base_lr - self.eta_min) * (1.0 + cos) / 2.0

    def _flat_advice(self, low: float) -> str:
        return (
            f"That is the bottom of the cosine, eta_min, at epoch T_max={self.T_max} (and "
            "every odd multiple of it), from where the curve rises back to the starting lr; "
            "PyTorch's CosineAnnealingLR fails at the next step on such a group (its rise "
            "reads base_lrs). Add the group one epoch earlier or later, or append its "
            "starting lr (the lr its curve rises back to, at 2·T_max) to schedule.base_lrs "
            "yourself."
        )

    def _rate_advice(self, base: float) -> str:
        if base >= 0:
            return super()._rate_advice(base)
        return (
            f"That starting lr ({base!r}) is below 0: a group added with an lr below "
            "eta_min (or whose lr was set by hand below it) joins the curve with a starting "
            "lr below eta_min, whose rates rise towards eta_min until T_max (PyTorch's "
            "recursive form: eta_min + (lr − eta_min) × ratio) and past T_max fall back "
            "towards that starting lr (PyTorch's fails one "
            "step past T_max on an added group). Stop stepping the schedule before this "
            "epoch, or set the group's starting lr in schedule.base_lrs to a number >= 0 "
            "(eta_min holds it at eta_min)."
        )

    def _chained(self, lrs: list[float], epoch: int) -> tuple[list[float], dict[str, Any]]:
        """PyTorch's recursive form: the lr moved towards ``eta_min`` by the ratio of the
        cosine's steps, and, one epoch past each bottom, raised by the closed form's rise."""
        t, eta = self.T_max, self.eta_min
        if not epoch and not self._asked:  # (the constructor's step)
            return list(lrs), {}
        if (epoch - 1 - t) % (2 * t) == 0:
            rise = (1 - math.cos(math.pi / t)) / 2
            return [lr + (b - eta) * rise for lr, b in zip(lrs, self.base_lrs)], {}
        ratio = (1 + math.cos(math.pi * epoch / t)) / (1 + math.cos(math.pi * (epoch - 1) / t))
        return [ratio * (lr - eta) + eta for lr in lrs], {}


class _Warm(LRSchedule):
    """PyTorch's schedules whose factor at epoch 0 is not 1: building one sets each group's
    lr to its epoch-0 rate, as PyTorch's do (γ₀ stays the starting lr, ``base_lrs``)."""

    _adopts = _follows_hand = True

    def __init__(self, optimizer: Any, settings: Any) -> None:
        super().__init__(optimizer, settings)
        for group, base in zip(self.optimizer.param_groups, self.base_lrs):
            group["lr"] = self._checked(self._rate, base, 0)
        with contextlib.suppress(TypeError):  # (the lrs written, and the lrs before them)
            _WARMED[optimizer] = (
                weakref.ref(self),
                [(g["lr"], b) for g, b in zip(optimizer.param_groups, self.base_lrs)],
            )
        self._record()


class _Flat(_Warm):
    """LinearLR and PolynomialLR: from ``total_iters`` on the curve stays as it is, and
    PyTorch's step leaves every group's lr as it is, so a group added there keeps its lr
    (PyTorch's [0.0, 0.05] for a group added at lr 0.05 after a PolynomialLR's end). Where
    the curve is at 0 there for every starting lr (PolynomialLR; LinearLR with
    ``end_factor=0``) the group is held: its index goes in ``held``, its lr in ``base_lrs``
    (elsewhere its starting lr puts it on the curve at its lr: lr / end_factor)."""

    _progress = {"held": []}  # (replaced, never changed in place)
    _added = ("held",)  # (state dicts from before: none held)

    def _flat(self, clock: Any) -> bool:
        return clock >= self.total_iters

    def state_dict(self) -> dict[str, Any]:
        """:meth:`LRSchedule.state_dict`, with ``held`` only when a group is held: the
        state of a run with none held is what an older glassnet reads too."""
        state = super().state_dict()
        return state if state["held"] else {k: v for k, v in state.items() if k != "held"}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """:meth:`LRSchedule.load_state_dict`, ``held`` naming groups of ``base_lrs``."""
        got = state if isinstance(state, Mapping) else {}
        held, bases = got.get("held"), got.get("base_lrs")
        if isinstance(held, list) and isinstance(bases, list):
            bad = [i for i in held if not (isinstance(i, numbers.Integral) and i < len(bases))]
            if bad or len(set(held)) != len(held):
                raise ValueError(
                    f"{type(self).__name__}.load_state_dict: 'held' must list distinct "
                    f"indices of base_lrs' groups (0 to {len(bases) - 1}), those that keep "
                    f"their lr. Got {held!r:.80}."
                )
        super().load_state_dict(state)


class ConstantFactorLR(_Warm):
    """γₑ = γ₀ · ``factor`` for the first ``total_iters`` epochs, then γ₀ (``total_iters=0``:
    γ₀ · ``factor`` for ever, as PyTorch's): PyTorch's ``ConstantLR``
    (``glassnet.optim.lr_scheduler.ConstantLR`` is this class; glassnet's own
    :class:`ConstantLR` is scikit-learn's constant rate)."""

    _hyper = ("factor", "total_iters")
    _rules = {"factor": {"low": 0, "high": 1}}  # ([0, 1], as PyTorch's)
    _chain_scales = True

    def __init__(
        self,
        optimizer: Any,
        factor: float = 1.0 / 3,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        _fresh(type(self).__name__, last_epoch)
        super().__init__(optimizer, locals())

    def _rate(self, base_lr: float, epoch: int) -> float:
        # (total_iters=0: PyTorch's ConstantLR never takes its factor back; so here)
        return (
            base_lr * self.factor if epoch < self.total_iters or not self.total_iters else base_lr
        )

    def _chained(self, lrs: list[float], epoch: int) -> tuple[list[float], dict[str, Any]]:
        if not epoch:
            return [lr * self.factor for lr in lrs], {}
        if epoch != self.total_iters:
            return list(lrs), {}
        return [lr * (1.0 / self.factor) for lr in lrs], {}


class LinearLR(_Flat):
    """γₑ = γ₀ · (s + (f − s) · min(e, T) / T), s = ``start_factor``, f = ``end_factor``,
    T = ``total_iters``: PyTorch's ``LinearLR`` (a linear warm-up, by default from γ₀/3 to
    γ₀ over 5 epochs), in closed form (PyTorch multiplies step by step: equal to rounding);
    ``total_iters=0``: γ₀ · s for ever, as PyTorch's."""

    _hyper = ("start_factor", "end_factor", "total_iters")
    _chain_scales = True

    def __init__(
        self,
        optimizer: Any,
        start_factor: float = 1.0 / 3,
        end_factor: float = 1.0,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        _fresh(type(self).__name__, last_epoch)
        super().__init__(optimizer, locals())

    def _rate(self, base_lr: float, epoch: int) -> float:
        s, f, t = self.start_factor, self.end_factor, self.total_iters
        if not t:  # (total_iters=0: PyTorch's LinearLR stays at start_factor; so here)
            return base_lr * s
        return base_lr * max(0.0, s + (f - s) * min(epoch, t) / t)  # (>= 0 exactly: rounding
        # may give -1e-18 where end_factor is 0)

    def _chained(self, lrs: list[float], epoch: int) -> tuple[list[float], dict[str, Any]]:
        s, f, t = self.start_factor, self.end_factor, self.total_iters
        if not epoch:
            return [lr * s for lr in lrs], {}
        if epoch > t:
            return list(lrs), {}
        k = 1.0 + (f - s) / (t * s + (epoch - 1) * (f - s))  # (>= 0 exactly, as above)
        return [lr * max(k, 0.0) for lr in lrs], {}


class PolynomialLR(_Flat):
    """γₑ = γ₀ · (1 − min(e, T) / T)^``power``, T = ``total_iters``: PyTorch's
    ``PolynomialLR``, at 0 from epoch T on (where a run ends: the rate stays 0);
    ``total_iters=0``: γ₀ for ever, as PyTorch's."""

    _hyper = ("total_iters", "power")
    _never_rises = _chain_scales = True

    def __init__(
        self, optimizer: Any, total_iters: int = 5, power: float = 1.0, last_epoch: int = -1
    ) -> None:
        _fresh(type(self).__name__, last_epoch)
        super().__init__(optimizer, locals())

    def _rate(self, base_lr: float, epoch: int) -> float:
        t = self.total_iters
        if not t:  # (total_iters=0: PyTorch's PolynomialLR keeps the rate)
            return base_lr
        return base_lr * (1.0 - min(epoch, t) / t) ** self.power

    def _chained(self, lrs: list[float], epoch: int) -> tuple[list[float], dict[str, Any]]:
        t = self.total_iters
        if not t or not (epoch or self._asked) or epoch > t:  # (the constructor's step; the end)
            return list(lrs), {}
        decay = ((1.0 - epoch / t) / (1.0 - (epoch - 1) / t)) ** self.power
        return [lr * decay for lr in lrs], {}


class CosineAnnealingWarmRestarts(LRSchedule):
    """PyTorch's ``CosineAnnealingWarmRestarts``: a cosine from γ₀ down towards ``eta_min``
    over ``T_0`` epochs, then again from γ₀, each period ``T_mult`` times the one before:
    γₑ = η_min + (γ₀ − η_min) · (1 + cos(π T_cur / T_i)) / 2 with T_cur the epochs since
    the last restart and T_i the period it is in.

    As PyTorch's, ``step(epoch)`` takes the epoch, a fraction of one too, for a schedule
    stepped each batch (``sched.step(epoch + i / iters)``): the rate at that point of the
    curve; a ``step()`` after it goes one epoch further (``epoch`` + 1), as PyTorch's."""

    _warns_order = False  # (PyTorch's gives no order warning; glassnet's own: none)
    _from_initial = True  # (PyTorch's closed form from base_lrs, its initial_lr)

    def _saved_extras(self) -> dict[str, Any]:
        """PyTorch's ``last_epoch`` (the whole epoch, ``epoch`` here), which a state dict
        saved before it was there lacks."""
        return {**super()._saved_extras(), "last_epoch": self.epoch}

    _hyper = ("T_0", "T_mult", "eta_min")
    _progress = {"fraction": 0.0}  # what step(epoch) gave past the whole epoch (self.epoch)
    _added = ("fraction",)  # (state dicts before step(epoch) took fractions: 0)
    _rules = {"fraction": {"low": 0, "high": 1, "high_open": True}}

    def __init__(
        self,
        optimizer: Any,
        T_0: int,
        T_mult: int = 1,
        eta_min: float = 0.0,
        last_epoch: int = -1,
    ) -> None:
        _fresh(type(self).__name__, last_epoch)
        super().__init__(optimizer, locals())
        self._write(self.optimizer.param_groups, 0)  # (γ₀: the initial_lr, as PyTorch's)
        self._record()

    def _join_advice(self) -> str:
        return (
            "PyTorch's CosineAnnealingWarmRestarts refuses it too (its rate comes from "
            "base_lrs, one per group). Append the lr the group restarts from to "
            "schedule.base_lrs (its rates are then PyTorch's with that lr appended to its "
            "base_lrs), or build the schedule after add_param_group."
        )

    def stays_zero(self) -> bool:
        """True only when γ₀ and ``eta_min`` are 0: otherwise each restart rises again."""
        return self.eta_min == 0 and all(base == 0 for base in self.base_lrs)

    def step(self, epoch: Any = None) -> bool:
        """End of an epoch (``epoch`` None), or the point ``epoch`` (a number >= 0, a
        fraction of an epoch too) of the curve, as PyTorch's ``step(epoch)``: each group's
        lr set there. True when every group's lr is then 0 for good, else False."""
        if epoch is None and not self.fraction:
            return super().step()
        name = type(self).__name__
        if epoch is None:  # (after step(2.5), step() goes on to 3.5, as PyTorch's T_cur + 1)
            epoch = self.epoch + self.fraction + 1
        elif isinstance(epoch, bool) or not isinstance(epoch, numbers.Real):
            raise TypeError(f"{name}.step: epoch must be a number >= 0. Got {epoch!r:.40}.")
        at = float(_check(epoch, "epoch", f"{name}.step", {"low": 0}))
        groups = self._groups()
        rates = [self._checked(self._rate, base, at, at) for base in self.base_lrs]
        for group, lr in zip(groups, rates):  # (all checked first)
            group["lr"] = lr
        self.epoch = math.floor(at)
        self.fraction = at - self.epoch
        return self._ended(groups)

    def _chained(self, lrs: list[float], epoch: int) -> tuple[list[float], dict[str, Any]]:
        """PyTorch's step sets the closed form's rate, whatever the lr was."""
        return [self._rate(b, epoch) for b in self.base_lrs], {"fraction": 0.0}

    def _where(self, epoch: float) -> tuple[float, int]:
        """(T_cur, T_i) at ``epoch``: the epochs since the last restart, and the period."""
        t0, mult = self.T_0, self.T_mult
        if mult == 1:
            return epoch % t0, t0
        n, start = 0, 0  # (the restart epochs are T_0 (mult^n − 1) / (mult − 1); exact in ints)
        while start + t0 * mult**n <= epoch:
            start, n = start + t0 * mult**n, n + 1
        return epoch - start, t0 * mult**n

    @property
    def T_cur(self) -> float:
        """PyTorch's ``T_cur``: the epochs since the last restart (a fraction too, after a
        fractional ``step(epoch)``); 0 at each restart."""
        return self._where(self.epoch + self.fraction if self.fraction else self.epoch)[0]

    @property
    def T_i(self) -> int:
        """PyTorch's ``T_i``: the epochs of the period the schedule is in (``T_0``, then
        ``T_mult`` times the one before at each restart)."""
        return self._where(self.epoch + self.fraction if self.fraction else self.epoch)[1]

    def _rate(self, base_lr: float, epoch: float) -> float:
        cur, period = self._where(epoch)
        cos = math.cos(math.pi * cur / period)
        return self.eta_min + (base_lr - self.eta_min) * (1.0 + cos) / 2.0


class InvScalingLR(LRSchedule):
    """γ = γ₀ / (t + 1)^power_t, with t the number of training samples seen so far.

    scikit-learn's ``learning_rate="invscaling"`` (``SGDOptimizer.iteration_ends``):
    the loop calls ``schedule.step(samples_seen)`` at the end of each epoch with the
    running count of samples (scikit-learn's ``t_``), so epoch 0 uses γ₀.
    """

    _warns_order = False  # (PyTorch's gives no order warning; glassnet's own: none)

    _hyper, _progress, _needs = ("power_t",), {"samples_seen": 0}, ("samples_seen",)
    _clock = "samples_seen"
    _never_rises = True  # (the samples seen only grow: a rate of 0, below the float range)

    def __init__(self, optimizer: Any, power_t: float = 0.5) -> None:
        super().__init__(optimizer, locals())

    def _rate(self, base_lr: float, samples_seen: int) -> float:
        try:
            return base_lr / (samples_seen + 1) ** self.power_t
        except OverflowError:  # (a divisor past the float range: a rate near 0, not inf)
            return base_lr * (samples_seen + 1) ** -self.power_t

    def step(self, samples_seen: int) -> bool:  # type: ignore[override]
        """End of an epoch: ``samples_seen`` is the number of samples trained on so far."""
        self.samples_seen = _check(samples_seen, "samples_seen", type(self).__name__)
        return super().step()


class AdaptiveLR(LRSchedule):
    """Shrink γ when the training loss stops improving (scikit-learn's "adaptive").

    At the end of each epoch, with the epoch's loss L (``mode="min"``; with
    ``mode="max"`` a score, negated) and the best loss so far L*::

        bad ← bad + 1  if L > L* − tol  else 0
        L*  ← min(L*, L)
        if bad > patience:
            if γ <= min_lr: stop (step returns True)
            γ ← γ / (1/factor);  bad ← 0

    With ``factor=0.2`` this divides γ by 5, bit for bit scikit-learn's
    ``learning_rate /= 5``; with ``patience=n_iter_no_change`` (``numpy.inf`` too: never
    shrink), ``tol`` and ``min_lr=1e-6`` it reproduces
    ``MLPClassifier(learning_rate="adaptive")``. As in scikit-learn, γ may end a little
    below ``min_lr`` (the check comes first).

    With several param groups each group's γ is divided while it is above ``min_lr`` (a
    group that starts or arrives at ``min_lr`` or below keeps its γ, as PyTorch's
    ``ReduceLROnPlateau`` keeps each group's at least its ``min_lr``), and training stops
    when every group's γ is at ``min_lr`` or below (``stop_reason`` "min_lr"). It also
    stops at once, without waiting ``patience`` epochs, when every group's γ is 0
    (``min_lr=0`` and γ divided below the float range, or a γ of 0 set by hand): γ is
    only ever divided, so it stays 0 (``stop_reason`` "lr_zero").
    """

    _warns_order = False  # (PyTorch's gives no order warning; glassnet's own: none)
    _initial_lr = False  # (it lowers the lr in force)

    _hyper = ("factor", "patience", "tol", "min_lr", "mode")
    _never_rises = True  # (γ is only ever divided)
    _progress, _needs = {"best": math.inf, "bad_epochs": 0}, ("metric",)

    def __init__(
        self,
        optimizer: Any,
        factor: float = 0.2,
        patience: int = 2,
        tol: float = 1e-4,
        min_lr: float = 1e-6,
        mode: str = "min",
    ) -> None:
        super().__init__(optimizer, locals())

    def step(self, metric: float) -> bool:  # type: ignore[override]
        """End of an epoch with its training loss ``metric``; True means stop training."""
        x = _check(metric, "metric", type(self).__name__)  # a NaN loss is an error
        x = -x if self.mode == "max" else x
        self._claim()
        self.epoch += 1
        self.bad_epochs = self.bad_epochs + 1 if x > self.best - self.tol else 0
        self.best = min(self.best, x)
        if self.bad_epochs > self.patience:
            groups = self.optimizer.param_groups
            if all(g["lr"] <= self.min_lr for g in groups):
                self.stop_reason = "min_lr"
                self._record(groups)
                return True
            for g in groups:
                if g["lr"] > self.min_lr:  # (a group at min_lr or below keeps its lr)
                    g["lr"] = g["lr"] / (1.0 / self.factor)
            self.bad_epochs = 0
        return self._ended(self.optimizer.param_groups)


class ReduceLROnPlateau(LRSchedule):
    """PyTorch's ``ReduceLROnPlateau``, rule for rule: multiply each group's γ by ``factor``
    when the watched number has not improved for more than ``patience`` epochs.

    At the end of each epoch, with the epoch's number m (``fit`` passes the training loss;
    ``mode="max"`` watches a score that should rise) and the best so far m*::

        better = m < m* (1 − threshold)   (mode "min", threshold_mode "rel"; "abs":
                 m < m* − threshold; mode "max": m > m* (1 + threshold), m > m* + threshold)
        bad    ← 0 if better else bad + 1;  m* ← m if better
        cooling down (``cooldown`` epochs after a reduction): bad ← 0
        if bad > patience: γ ← max(γ · factor, min_lr) for each group, where that lowers
                           γ by more than ``eps``; then cool down, bad ← 0

    The same learning rates as PyTorch's for the same numbers, from ``fit`` or from its
    own ``step(metric)``. ``min_lr`` is one floor or a list, one per param group (kept
    as ``min_lrs``). Unlike :class:`AdaptiveLR` (scikit-learn's rule) it never ends
    training at its floor, as in PyTorch; a NaN or infinite metric is refused (PyTorch
    counts it as a bad epoch).
    """

    _warns_order = False  # (PyTorch's gives no order warning; glassnet's own: none)
    _initial_lr = False  # (as PyTorch's: it lowers the lr in force, and no initial_lr)

    _hyper = ("mode", "factor", "patience", "threshold", "threshold_mode", "cooldown")
    _hyper += ("min_lrs", "eps")
    _progress = {"best": math.inf, "num_bad_epochs": 0, "cooldown_counter": 0}
    _needs = ("metric",)
    _never_rises = True  # (γ is only ever lowered)

    def __init__(
        self,
        optimizer: Any,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr: float | list[float] = 0.0,
        eps: float = 1e-8,
    ) -> None:
        groups = getattr(optimizer, "param_groups", [])
        many = isinstance(min_lr, (list, tuple))
        floors = list(min_lr) if many else [min_lr]
        for v in floors:  # (named as given: min_lr)
            check_setting(v, "min_lr", "ReduceLROnPlateau", _RULES["min_lr"])
        min_lrs = floors if many else floors * len(groups)
        if len(min_lrs) != len(groups):
            raise ValueError(
                f"ReduceLROnPlateau: min_lr lists {len(min_lrs)} floors for {len(groups)} "
                "param groups; give one per group, or one number for all."
            )
        super().__init__(optimizer, {**locals(), "min_lrs": min_lrs})
        self.best = math.inf if self.mode == "min" else -math.inf
        self._default_min_lr = None if many else min_lrs[0] if min_lrs else float(min_lr)

    _adopts = True  # (it lowers each group's lr as it is: a group added later too)

    def _adopt(self, groups: list[dict[str, Any]]) -> None:
        """A group added after the schedule was built: its lr is lowered as the others' are,
        floored at ``min_lr`` when that was one number (PyTorch's); with a list of floors
        the group's floor is asked for, as PyTorch asks."""
        n, floors = len(self.base_lrs), list(self.min_lrs)
        if len(floors) < len(groups):
            if self._default_min_lr is None:
                raise ValueError(
                    f"ReduceLROnPlateau: the optimizer has {len(groups)} param groups and "
                    f"min_lrs {len(floors)} floors: a group was added after the schedule was "
                    "built with min_lr a list, one floor per group (PyTorch's refuses it too). "
                    "Append the new group's floor to schedule.min_lrs."
                )
            floors += [self._default_min_lr] * (len(groups) - len(floors))
        lrs = [_check(g["lr"], "lr", f"ReduceLROnPlateau: param group {i}") for i, g in
               enumerate(groups[n:], n)]  # fmt: skip
        self.min_lrs = floors
        self.base_lrs.extend(float(lr) for lr in lrs)

    def _better(self, m: float) -> bool:
        rel, t, best = self.threshold_mode == "rel", self.threshold, self.best
        if self.mode == "min":
            return m < best * (1.0 - t) if rel else m < best - t
        return m > best * (t + 1.0) if rel else m > best + t

    def step(self, metrics: Any) -> bool:  # type: ignore[override]
        """End of an epoch with the watched number ``metrics`` (a float, or a Tensor or
        array of one value, as PyTorch's ``float(metrics)`` takes it). Returns True only
        when every group's γ is 0 (``stop_reason`` "lr_zero")."""
        one = metrics if isinstance(metrics, np.ndarray) else getattr(metrics, "data", None)
        if isinstance(one, np.ndarray) and one.size == 1 and one.dtype.kind in "fiu":
            metrics = one.item()  # (a Tensor's or an array's one value)
        m = _check(metrics, "metric", type(self).__name__)
        groups = self._groups()
        if len(self.min_lrs) != len(groups):
            raise ValueError(
                f"ReduceLROnPlateau: the optimizer has {len(groups)} param groups and "
                f"min_lrs {len(self.min_lrs)} floors; set schedule.min_lrs to one per group."
            )
        self.epoch += 1
        if self._better(m):
            self.best, self.num_bad_epochs = m, 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:  # (bad epochs in the cool-down do not count)
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            for g, floor in zip(groups, self.min_lrs):
                old = float(g["lr"])
                new = max(old * self.factor, floor)
                if old - new > self.eps:
                    g["lr"] = new
            self.cooldown_counter, self.num_bad_epochs = self.cooldown, 0
        return self._ended(groups)

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """As :meth:`LRSchedule.load_state_dict` (with mode "max"'s best of -inf)."""
        if not isinstance(state, Mapping) or "best" not in state:
            return super().load_state_dict(state)  # (which says what is wrong)
        super().load_state_dict({**state, "best": 0.0})
        self.best = _check(state["best"], "plateau_best", type(self).__name__)


def _each(value: Any, name: str, owner: str, groups: int, rule: Any) -> list[Any]:
    """``value`` for each of ``groups`` param groups: one number for all, or a list (a tuple,
    a NumPy vector) of one per group, each checked by ``rule`` (PyTorch's float or list)."""
    many = isinstance(value, (list, tuple)) or (isinstance(value, np.ndarray) and value.ndim == 1)
    values = list(value.tolist() if isinstance(value, np.ndarray) else value) if many else None
    if values is not None and len(values) != groups:
        raise ValueError(
            f"{owner}: {name} lists {len(values)} values for {groups} param group(s) "
            f"({value!r:.80}); give one per group, or one number for every group."
        )
    return [check_setting(v, name, owner, rule) for v in (values or [value] * groups)]


def _momentum_key(optimizer: Any, owner: str) -> str:
    """The group setting a cycle's momentum goes to, as PyTorch's: ``"betas"`` (its first
    value: Adam's, AdamW's β₁) where the optimizer has betas, else ``"momentum"`` (SGD's,
    RMSprop's); else a ValueError, as PyTorch's."""
    defaults = getattr(optimizer, "defaults", None)
    groups = optimizer.param_groups
    keys = defaults if isinstance(defaults, Mapping) else groups[0] if groups else {}
    for key in ("betas", "momentum"):
        if key in keys and all(key in g for g in groups):
            return key
    raise ValueError(
        f"{owner}(cycle_momentum=True) cycles the optimizer's momentum (SGD's and RMSprop's "
        "'momentum', or betas[0] of Adam, AdamW and the other optimizers with betas), and "
        f"{type(optimizer).__name__} has neither, as in PyTorch. Pass cycle_momentum=False "
        "to cycle the learning rate alone."
    )


class _Cycle(LRSchedule):
    """PyTorch's schedules stepped after every batch (``step()`` after each
    ``optimizer.step()``), whose rates come from settings of their own (the bounds of the
    cycle) rather than the groups' lr, and which cycle each group's momentum (SGD's
    ``momentum``, Adam's ``betas[0]``) against the rate when ``cycle_momentum`` is True.
    ``epoch`` counts the steps (PyTorch's ``last_epoch``, batches here). A subclass gives
    ``_values(step)``: each group's (lr, momentum) at that step."""

    _per_batch = _cycle = True
    _lists = ("max_lrs", "base_momentums", "max_momentums")  # one value per param group
    _momentum_rule = {"low": 0, "high": 1, "high_open": True}
    # the momentum cycle's settings, OneCycleLR's and CyclicLR's alike
    _cycle_rules = {
        "cycle_momentum": bool,
        **dict.fromkeys(("base_momentums", "max_momentums"), {**_momentum_rule, "each": True}),
    }

    def _start(self, optimizer: Any, settings: dict[str, Any], bases: list[float]) -> None:
        """Build: settings checked, the momentum's setting found, and the step-0 rates (and
        momenta) written, as PyTorch's constructor's first step writes them. Each group's
        ``initial_lr`` is its starting lr, as PyTorch's: OneCycleLR's ``max_lr /
        div_factor`` (always), CyclicLR's ``base_lr`` (where the group has none yet)."""
        had = [isinstance(g, dict) and "initial_lr" in g for g in optimizer.param_groups]
        super().__init__(optimizer, settings)
        self.base_lrs = bases
        for group, base, kept in zip(optimizer.param_groups, bases, had):
            if isinstance(group, dict) and not (kept and isinstance(self, CyclicLR)):
                group["initial_lr"] = base
        self._key = _momentum_key(optimizer, type(self).__name__) if self.cycle_momentum else ""
        self.use_beta1 = self._key == "betas"  # (PyTorch's attribute)
        self._write(optimizer.param_groups, 0)
        self._record()

    def _values(self, step: int) -> list[tuple[float, float]]:
        raise NotImplementedError

    def _join_advice(self) -> str:
        start = "max_lr / div_factor" if isinstance(self, OneCycleLR) else "base_lr"
        return (
            f"PyTorch's {type(self).__name__} refuses it too (its cycle's bounds are per "
            f"group). Append the group's bounds to schedule.base_lrs ({start}), "
            "schedule.max_lrs, schedule.base_momentums and schedule.max_momentums (its rates "
            "are then PyTorch's for a group with those bounds), or build the schedule after "
            "add_param_group."
        )

    def _at(self, clock: Any) -> list[float]:
        return [lr for lr, _ in self._checked_values(clock)]

    def _checked_values(self, step: int) -> list[tuple[float, float]]:
        """:meth:`_values` at ``step``: each lr a number >= 0, each momentum in [0, 1)."""
        name, out = type(self).__name__, []
        short = [k for k in self._lists if len(getattr(self, k)) != len(self.base_lrs)]
        if short:
            raise ValueError(
                f"{name}: base_lrs has {len(self.base_lrs)} values and "
                + ", ".join(f"{k} {len(getattr(self, k))}" for k in short)
                + "; give each list one value per param group (a group added with "
                "add_param_group needs its value appended to each)."
            )
        for i, (lr, mom) in enumerate(self._values(step)):
            if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not 0 <= lr < math.inf:
                raise ValueError(
                    f"{name} gives param group {i} a learning rate of {lr!r:.40} at step "
                    f"{step}; a learning rate is a finite number >= 0. Check "
                    + ("base_lr, max_lr and scale_fn." if hasattr(self, "mode") else "max_lr.")
                )
            if self.cycle_momentum and not (
                isinstance(mom, numbers.Real) and not isinstance(mom, bool) and 0 <= mom < 1
            ):
                raise ValueError(
                    f"{name} gives param group {i} a momentum of {mom!r:.40} at step {step}; "
                    "the optimizer takes a momentum (beta1) in [0, 1). Check base_momentum "
                    "and max_momentum" + (", and scale_fn" if hasattr(self, "mode") else "") + "."
                )
            out.append((float(lr), float(mom)))
        return out

    def _write(self, groups: list[dict[str, Any]], clock: Any) -> None:
        values = self._checked_values(clock)  # (all checked first)
        for group, (lr, mom) in zip(groups, values):
            group["lr"] = lr
            if self._key == "betas":
                group["betas"] = (mom, *tuple(group["betas"])[1:])
            elif self._key:
                group["momentum"] = mom

    def step(self, epoch: Any = None) -> bool:
        """After a batch (after ``optimizer.step()``): each group's lr (and momentum) for
        the next one. True when every group's lr is then 0 for good, else False."""
        self._no_epoch(epoch)
        self._can_step(self.epoch + 1)
        groups = self._groups()
        self._write(groups, self.epoch + 1)
        self.epoch += 1
        return self._ended(groups)

    def _can_step(self, step: int) -> None:
        """Refuse a step the schedule does not have (OneCycleLR: past its total_steps)."""

    def lr_at(self, clock: int) -> float:
        """The first group's learning rate at step ``clock``."""
        clock = _check(clock, "epoch", f"{type(self).__name__}.lr_at")
        self._can_step(clock)
        return self._checked_values(clock)[0][0]

    def stays_zero(self) -> bool:
        """True only when every bound of the cycle is 0 (the rates never rise from 0)."""
        return all(v == 0 for v in self.base_lrs + list(self.max_lrs))

    def get_last_momentum(self) -> list[float]:
        """Each param group's momentum now (SGD's ``momentum``, Adam's ``betas[0]``)."""
        key = self._key or _momentum_key(self.optimizer, type(self).__name__)
        return [float(g[key][0] if key == "betas" else g[key]) for g in self.optimizer.param_groups]

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """As :meth:`LRSchedule.load_state_dict`, with one value per param group in each of
        the lists (``max_lrs``, the momenta)."""
        name, n = type(self).__name__, len(self.base_lrs)
        for key in self._lists if isinstance(state, Mapping) else ():
            got = state.get(key)
            if isinstance(got, list) and len(got) != n:
                raise ValueError(
                    f"{name}.load_state_dict: {key!r} must list one value per param group "
                    f"({n}). Got {got!r:.80}."
                )
        super().load_state_dict(state)
        if self.cycle_momentum and not self._key:  # (a state with cycle_momentum=True)
            self._key = _momentum_key(self.optimizer, name)
        self._key = self._key if self.cycle_momentum else ""
        self.use_beta1 = self._key == "betas"


class OneCycleLR(_Cycle):
    """PyTorch's ``OneCycleLR`` (the 1cycle policy of Smith & Topin's "Super-Convergence"):
    the rate rises from ``max_lr / div_factor`` to ``max_lr`` over the first ``pct_start``
    of ``total_steps`` steps, then falls to ``max_lr / div_factor / final_div_factor``,
    while the momentum falls from ``max_momentum`` to ``base_momentum`` and rises back.

    Step it after every batch, as PyTorch's: ``optimizer.step(); sched.step()``.
    ``total_steps`` counts those steps (or give ``epochs`` and ``steps_per_epoch``, whose
    product it is); the step after the last one of the cycle (the loop's last
    ``sched.step()``, step ``total_steps``) is taken, and one more is refused, as PyTorch
    refuses it ("Tried to step ... times"). With ``three_phase=True`` the rate falls back
    to ``max_lr / div_factor`` symmetrically, then to the minimum in a third phase (the
    paper's), else in one second phase (fastai's). Phase by phase (``pct`` the fraction of
    the phase done, ``anneal_strategy`` ``'cos'``: ``end + (start − end)(1 + cos(π pct))/2``,
    ``'linear'``: ``start + (end − start) pct``), the same rates as PyTorch's.

    ``max_lr``, ``base_momentum`` and ``max_momentum`` are one number or a list of one per
    param group. Building it sets each group's lr (and momentum) to the cycle's start, as
    PyTorch's does; ``base_lrs`` are the starting rates, ``max_lr / div_factor``.

    With ``cycle_momentum=True`` (the default) the momentum is the optimizer's
    ``momentum`` (:class:`glassnet.optim.SGD`, ``RMSprop``) or ``betas[0]``
    (``Adam``, ``AdamW``), set in each param group at every step, as PyTorch sets it; an
    optimizer with neither is refused (``cycle_momentum=False`` cycles the lr alone). SGD
    built with ``momentum=0`` gets the cycle's momentum, as in PyTorch.

    Unlike PyTorch's, the bounds stay on the schedule (``max_lrs``, ``base_momentums``,
    ``max_momentums``), not as ``'initial_lr'``, ``'max_lr'``, ``'min_lr'`` keys of the
    param groups (a glassnet group holds the optimizer's settings only); ``last_epoch``
    is -1 only (resume with :meth:`load_state_dict`, after loading the optimizer's state
    dict); a phase of no steps (``total_steps=10, pct_start=0.1``: PyTorch divides by
    zero) is refused when the schedule is built; and where PyTorch's rate for the step
    after the last one (step ``total_steps``) leaves the valid range (``'linear'`` can
    give a negative lr there), that group keeps its last step's rate and momentum.
    ``fit(schedule=...)`` steps a schedule once per epoch and refuses this one: step it
    from a callback's ``on_step_end`` (:func:`check_schedule` says how).

    >>> from glassnet import nn, optim
    >>> opt = optim.SGD(nn.Linear(2, 1, rng=0).parameters(), lr=0.1, momentum=0.9)
    >>> sched = OneCycleLR(opt, max_lr=1.0, total_steps=5, pct_start=0.4,
    ...                    anneal_strategy="linear")
    >>> [(round(opt.lr, 6), round(opt.momentum, 4))] + [
    ...     (sched.step(), (round(opt.lr, 6), round(opt.momentum, 4)))[1] for _ in range(4)]
    [(0.04, 0.95), (1.0, 0.85), (0.666668, 0.8833), (0.333336, 0.9167), (4e-06, 0.95)]
    """

    _hyper = ("max_lrs", "total_steps", "pct_start", "anneal_strategy", "div_factor")
    _hyper += ("final_div_factor", "three_phase", "cycle_momentum")
    _hyper += ("base_momentums", "max_momentums")
    _rules = {
        "max_lrs": {"low": 0, "low_open": True, "each": True},
        "total_steps": {"low": 1, "integer": True},
        "pct_start": {"low": 0, "high": 1},
        "anneal_strategy": ("cos", "linear"),
        **dict.fromkeys(("div_factor", "final_div_factor"), {"low": 0, "low_open": True}),
        "three_phase": bool,
        **_Cycle._cycle_rules,
    }

    def __init__(
        self,
        optimizer: Any,
        max_lr: float | list[float],
        total_steps: int | None = None,
        epochs: int | None = None,
        steps_per_epoch: int | None = None,
        pct_start: float = 0.3,
        anneal_strategy: str = "cos",
        cycle_momentum: bool = True,
        base_momentum: float | list[float] = 0.85,
        max_momentum: float | list[float] = 0.95,
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        three_phase: bool = False,
        last_epoch: int = -1,
    ) -> None:
        name = type(self).__name__
        _fresh(name, last_epoch)
        _need_optimizer(optimizer, name)
        n = len(optimizer.param_groups)
        rules = self._rules
        total = self._total(total_steps, epochs, steps_per_epoch)
        settings = {
            "max_lrs": _each(max_lr, "max_lr", name, n, {"low": 0, "low_open": True}),
            "total_steps": total,
            **{
                k: check_setting(v, k, name, rules[k])
                for k, v in (
                    ("pct_start", pct_start),
                    ("anneal_strategy", anneal_strategy),
                    ("div_factor", div_factor),
                    ("final_div_factor", final_div_factor),
                    ("three_phase", three_phase),
                    ("cycle_momentum", cycle_momentum),
                )
            },
            "base_momentums": _each(base_momentum, "base_momentum", name, n, self._momentum_rule),
            "max_momentums": _each(max_momentum, "max_momentum", name, n, self._momentum_rule),
        }
        self._hyper_check(settings)
        bases = [m / settings["div_factor"] for m in settings["max_lrs"]]
        self._start(optimizer, settings, bases)

    @staticmethod
    def _total(total_steps: Any, epochs: Any, steps_per_epoch: Any) -> int:
        """PyTorch's total_steps: given, or epochs × steps_per_epoch."""
        name, rule = "OneCycleLR", {"low": 1, "integer": True}
        given = {
            k: check_setting(v, k, name, rule)
            for k, v in (
                ("total_steps", total_steps),
                ("epochs", epochs),
                ("steps_per_epoch", steps_per_epoch),
            )
            if v is not None
        }
        if "epochs" in given and "steps_per_epoch" in given:
            product = given["epochs"] * given["steps_per_epoch"]
            if given.get("total_steps", product) != product:
                raise ValueError(
                    f"OneCycleLR: total_steps={given['total_steps']} but epochs * "
                    f"steps_per_epoch = {given['epochs']} * {given['steps_per_epoch']} = "
                    f"{product} (PyTorch takes total_steps and ignores the other two); give "
                    "total_steps, or epochs and steps_per_epoch."
                )
            return product
        if "total_steps" in given:
            return given["total_steps"]
        raise ValueError(
            "OneCycleLR needs the number of steps of its cycle: total_steps=..., or epochs=... "
            "and steps_per_epoch=... (e.g. epochs=10, steps_per_epoch=len(loader), the number "
            f"of batches per epoch). Got total_steps={total_steps!r:.40}, epochs="
            f"{epochs!r:.40}, steps_per_epoch={steps_per_epoch!r:.40}."
        )

    def _hyper_check(self, s: dict[str, Any]) -> None:
        """Refuse settings whose cycle has a phase of no steps that a step reaches (PyTorch
        divides by zero there)."""
        self.__dict__.update(
            total_steps=s["total_steps"], pct_start=s["pct_start"], three_phase=s["three_phase"]
        )
        total, ends = s["total_steps"], [e for e, *_ in self._phases()]
        steps = {0, total} | {
            f(e) + d for e in ends for f in (math.floor, math.ceil) for d in (0, 1)
        }
        for step in sorted(k for k in steps if 0 <= k <= total):
            try:
                self._where(step)
            except ZeroDivisionError:
                raise ValueError(
                    f"OneCycleLR: with total_steps={total} and pct_start={s['pct_start']}"
                    + (" (three_phase=True)" if s["three_phase"] else "")
                    + f", a phase of the cycle has no steps, and step {step} falls in it "
                    "(PyTorch's OneCycleLR divides by zero there). Change pct_start (e.g. "
                    "0.3) or total_steps."
                ) from None

    def _phases(self) -> list[tuple[float, str, str, str, str]]:
        """PyTorch's phases: (last step, lr from, lr to, momentum from, momentum to)."""
        p, total = self.pct_start, self.total_steps
        if self.three_phase:
            return [
                (float(p * total) - 1, "initial", "max", "max", "base"),
                (float(2 * p * total) - 2, "max", "initial", "base", "max"),
                (total - 1, "initial", "min", "max", "max"),
            ]
        return [
            (float(p * total) - 1, "initial", "max", "max", "base"),
            (total - 1, "max", "min", "base", "max"),
        ]

    def _where(self, step: int) -> tuple[float, tuple[str, str, str, str]]:
        """The fraction of its phase that ``step`` is at, and the phase's bounds."""
        start, phases = 0.0, self._phases()
        for i, (end, *bounds) in enumerate(phases):
            if step <= end or i == len(phases) - 1:
                return (step - start) / (end - start), tuple(bounds)
            start = end
        raise AssertionError  # (the last phase takes every later step)

    def _anneal(self, start: float, end: float, pct: float) -> float:
        if self.anneal_strategy == "cos":
            cos_out = math.cos(math.pi * pct) + 1
            return end + (start - end) / 2.0 * cos_out
        return (end - start) * pct + start

    def _values(self, step: int) -> list[tuple[float, float]]:
        pct, (lr0, lr1, m0, m1) = self._where(step)
        out = []
        for i, top in enumerate(self.max_lrs):
            initial = top / self.div_factor
            lrs = {"initial": initial, "max": top, "min": initial / self.final_div_factor}
            moms = {"max": self.max_momentums[i], "base": self.base_momentums[i]}
            lr = self._anneal(lrs[lr0], lrs[lr1], pct)
            mom = self._anneal(moms[m0], moms[m1], pct) if self.cycle_momentum else 0.0
            if step == self.total_steps and step > 0 and not (lr >= 0 and 0 <= mom < 1):
                lr, mom = self._values(step - 1)[i]  # (PyTorch's past the cycle's last step)
            out.append((lr, mom))
        return out

    def _can_step(self, step: int) -> None:
        if step > self.total_steps:
            raise ValueError(
                f"OneCycleLR: Tried to step {step} times. The specified number of total steps "
                f"is {self.total_steps} (as PyTorch's, the step after the cycle's last batch "
                "is the last one taken). Build the schedule with total_steps counting every "
                "batch of the run (epochs * steps_per_epoch, the batches per epoch being "
                "ceil(n_train / batch_size), n_train the rows left after a validation split), "
                "or stop stepping it."
            )


class CyclicLR(_Cycle):
    """PyTorch's ``CyclicLR`` (Smith's cyclical learning rates): the rate goes from
    ``base_lr`` up to ``max_lr`` over ``step_size_up`` steps and back down over
    ``step_size_down`` (default: the same), again and again, the momentum going the other
    way between ``max_momentum`` and ``base_momentum``. With ``t`` the steps so far::

        cycle = ⌊1 + t / (up + down)⌋;  x = 1 + t / (up + down) − cycle
        s     = x / r if x <= r else (x − 1) / (r − 1),   r = up / (up + down)
        lr    = base_lr + (max_lr − base_lr) · s · scale(k)
        momentum = max_momentum − (max_momentum − base_momentum) · s · scale(k)

    ``mode`` gives the scale: ``'triangular'`` 1, ``'triangular2'`` 1 / 2^(cycle − 1)
    (halved each cycle), ``'exp_range'`` gamma^t; or ``scale_fn`` (a function of
    ``k``, the cycle (``scale_mode='cycle'``) or the step t (``'iterations'``)), which
    then replaces ``mode``. As PyTorch's, the built-in modes take their own ``k``
    (``'triangular'``, ``'triangular2'``: the cycle, ``'exp_range'``: the step), whatever
    ``scale_mode`` says. Step it after every batch, as PyTorch's.

    ``base_lr``, ``max_lr``, ``base_momentum`` and ``max_momentum`` are one number or a
    list of one per param group. Building it sets each group's lr to ``base_lr`` (and
    momentum to ``max_momentum``), as PyTorch's. ``cycle_momentum=True`` (the default)
    cycles SGD's or RMSprop's ``momentum``, or Adam's or AdamW's ``betas[0]`` (so SGD built
    with ``momentum=0`` gets momentum, as in PyTorch); an optimizer with neither is refused
    with ``cycle_momentum=True`` (a ValueError, as PyTorch's): pass ``cycle_momentum=False``.

    ``scale_fn``'s code is not part of :meth:`state_dict`; as PyTorch's, a callable
    object's attributes are (``"_scale_fn_custom"``: a copy of its ``__dict__``, of the
    attributes a glassnet file holds, one holding a function or another object left out, so
    that ``gn.save`` takes the state; None for a function), and :meth:`load_state_dict`
    puts them back: build the schedule with the same
    kind of ``scale_fn``, then load the state (a state saved with a ``scale_fn`` is refused by
    a schedule built without one, and the other way round). A ``scale_fn`` that gives a
    negative lr, or a momentum outside
    [0, 1), is refused at that step. ``last_epoch`` is -1 only;
    ``fit(schedule=...)`` refuses it (a per-batch schedule): :func:`check_schedule`.

    >>> from glassnet import nn, optim
    >>> opt = optim.SGD(nn.Linear(2, 1, rng=0).parameters(), lr=0.1, momentum=0.9)
    >>> sched = CyclicLR(opt, base_lr=0.1, max_lr=0.5, step_size_up=2)
    >>> [round(opt.lr, 6)] + [(sched.step(), round(opt.lr, 6))[1] for _ in range(5)]
    [0.1, 0.3, 0.5, 0.3, 0.1, 0.3]
    """

    _hyper = ("max_lrs", "step_size_up", "step_size_down", "mode", "gamma", "scale_mode")
    _hyper += ("custom_scale_fn", "cycle_momentum", "base_momentums", "max_momentums")
    _rules = {
        "max_lrs": {"low": 0, "each": True},
        "step_size_up": {"low": 0, "low_open": True},
        "step_size_down": {"low": 0},
        "mode": ("triangular", "triangular2", "exp_range"),
        "scale_mode": ("cycle", "iterations"),
        "custom_scale_fn": bool,
        **_Cycle._cycle_rules,
    }

    def __init__(
        self,
        optimizer: Any,
        base_lr: float | list[float],
        max_lr: float | list[float],
        step_size_up: int = 2000,
        step_size_down: int | None = None,
        mode: str = "triangular",
        gamma: float = 1.0,
        scale_fn: Callable[[float], float] | None = None,
        scale_mode: str = "cycle",
        cycle_momentum: bool = True,
        base_momentum: float | list[float] = 0.8,
        max_momentum: float | list[float] = 0.9,
        last_epoch: int = -1,
    ) -> None:
        name = type(self).__name__
        _fresh(name, last_epoch)
        _need_optimizer(optimizer, name)
        n, rules = len(optimizer.param_groups), self._rules
        if scale_fn is not None and not callable(scale_fn):
            raise ParameterError(
                f"The 'scale_fn' parameter of CyclicLR must be a function of one number (the "
                f"cycle, or the step), or None. Got {scale_fn!r:.80}; e.g. "
                "scale_fn=lambda k: 0.5 ** (k - 1)."
            )
        up = check_setting(step_size_up, "step_size_up", name, rules["step_size_up"])
        down = up if step_size_down is None else step_size_down
        down = check_setting(down, "step_size_down", name, rules["step_size_down"])
        mode = check_setting(mode, "mode", name, rules["mode"])
        scale_mode = check_setting(scale_mode, "scale_mode", name, rules["scale_mode"])
        if scale_fn is None:  # (PyTorch's: the built-in modes' own)
            scale_mode = "iterations" if mode == "exp_range" else "cycle"
        settings = {
            "max_lrs": _each(max_lr, "max_lr", name, n, {"low": 0}),
            "step_size_up": up, "step_size_down": down, "mode": mode, "gamma": gamma,
            "scale_mode": scale_mode, "custom_scale_fn": scale_fn is not None,
            "cycle_momentum": cycle_momentum,
            "base_momentums": _each(base_momentum, "base_momentum", name, n, self._momentum_rule),
            "max_momentums": _each(max_momentum, "max_momentum", name, n, self._momentum_rule),
        }  # fmt: skip
        bases = _each(base_lr, "base_lr", name, n, {"low": 0})
        self._scale_fn_custom = scale_fn
        self._start(optimizer, settings, bases)

    def scale_fn(self, x: float) -> float:
        """The scale at ``x`` (the cycle, or the step): PyTorch's ``scale_fn``."""
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))
        return self.gamma**x

    def _values(self, step: int) -> list[tuple[float, float]]:
        total = float(self.step_size_up) + float(self.step_size_down)
        ratio = float(self.step_size_up) / total
        cycle = math.floor(1 + step / total)
        x = 1.0 + step / total - cycle
        scale = x / ratio if x <= ratio else (x - 1) / (ratio - 1)
        at = cycle if self.scale_mode == "cycle" else step
        out = []
        for base, top, low_m, high_m in zip(
            self.base_lrs, self.max_lrs, self.base_momentums, self.max_momentums
        ):
            lr = base + (top - base) * scale * self._scale(at, step)
            mom = high_m - (high_m - low_m) * scale * self._scale(at, step)
            out.append((lr, mom if self.cycle_momentum else 0.0))
        return out

    def _scale(self, at: float, step: int) -> float:
        try:
            value = self.scale_fn(at)
        except OverflowError:
            value = math.inf
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or math.isnan(value):
            raise ParameterError(
                f"CyclicLR: scale_fn({at!r}) at step {step} gave {value!r:.80}; scale_fn must "
                "return a number (PyTorch's: between 0 and 1), the fraction of the cycle's "
                "height."
            )
        return value

    _extra_keys = ("last_epoch", "_step_count", "_last_lr", "_scale_fn_custom")

    def _saved_extras(self) -> dict[str, Any]:
        saved = _fn_states([self._scale_fn_custom])[0]  # (a callable object's only)
        extra = {"_scale_fn_custom": saved} if saved is not None else {}
        return {**super()._saved_extras(), **extra}

    def _load_extras(self, extras: dict[str, Any]) -> None:
        super()._load_extras(extras)
        saved = extras.get("_scale_fn_custom")
        if saved is not None:
            _load_fn_states([self._scale_fn_custom], [saved], "CyclicLR", "_scale_fn_custom")()

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """As :meth:`LRSchedule.load_state_dict`; of ``scale_fn`` the state holds a callable
        object's attributes only: a state saved with one loads into a schedule built with
        one, and only there."""
        if isinstance(state, Mapping) and "custom_scale_fn" in state:
            saved, mine = state["custom_scale_fn"], self._scale_fn_custom is not None
            if isinstance(saved, bool) and saved != mine:
                raise ValueError(
                    "CyclicLR.load_state_dict: this state was saved from a CyclicLR "
                    + ("with" if saved else "without")
                    + " a scale_fn and this one was built "
                    + ("with" if mine else "without")
                    + " one; build it as the saved one was (the same scale_fn, which the "
                    "state does not hold), then load the state."
                )
        super().load_state_dict(state)


def _checked_children(optimizer: Any, schedulers: Any, owner: str) -> list[LRSchedule]:
    """``schedulers`` as a list, each a schedule of ``optimizer`` not yet stepped and not
    another SequentialLR's or ChainedScheduler's, stepped without a number; else an error
    naming ``owner`` (the class that takes them) and what to pass."""
    many = isinstance(schedulers, (list, tuple))
    children = list(schedulers) if many else []
    if not children:
        raise ParameterError(
            f"The 'schedulers' parameter of {owner} must be a list of at least one "
            f"schedule built on the optimizer. Got {schedulers!r:.80}; e.g. "
            + (
                "[LinearLR(opt, start_factor=0.1, total_iters=5), CosineAnnealingLR(opt, "
                "T_max=95)]."
                if owner == "SequentialLR"
                else "[ConstantLR(opt, factor=0.1, total_iters=2), ExponentialLR(opt, gamma=0.9)]."
            )
        )
    for i, child in enumerate(children):
        what = f"{owner}: schedulers[{i}]"
        if not isinstance(child, LRSchedule):
            raise ParameterError(
                f"{what} must be a glassnet schedule (glassnet.optim.lr_scheduler's) built "
                f"on the optimizer. Got {type(child).__name__}."
            )
        kind = type(child).__name__
        if child._needs:
            raise ValueError(
                f"{what} is a {kind}, whose step takes a number each epoch (the loss, or "
                f"the samples seen); {owner} steps its schedules with none (PyTorch's "
                "refuses ReduceLROnPlateau too). Give it schedules of the epoch."
            )
        if child.optimizer is not optimizer:
            raise ValueError(
                f"{what} ({kind}) was built on another optimizer than the {owner}'s; "
                f"build every schedule on the optimizer the {owner} steps."
            )
        if child.__dict__.get("_first") is not None or child.epoch:
            raise ValueError(
                f"{what} ({kind}) has already stepped ({child.epoch} steps); hand the "
                f"schedules to the {owner} as they are built, before any step."
            )
        parent = child._owner() if child._owner is not None else None
        if parent is not None:
            raise ValueError(
                f"{what} ({kind}) already belongs to another {type(parent).__name__}; "
                "build a new schedule for this one."
            )
        if any(child is other for other in children[:i]):
            raise ValueError(
                f"{what} ({kind}) is listed twice; "
                + (
                    "each phase is a schedule of its own."
                    if owner == "SequentialLR"
                    else "list it once (a chain steps each schedule once per step)."
                )
            )
    return children


def _load_children(children: list[LRSchedule], saved: Any, name: str) -> None:
    """Load each child schedule's state from ``saved`` (a composite's ``"schedulers"``), all
    or none: a child that refuses its state puts back the ones loaded before it."""
    if not isinstance(saved, list) or len(saved) != len(children):
        raise ValueError(
            f"{name}.load_state_dict: 'schedulers' must hold the state of each of its "
            f"{len(children)} schedules. Got {saved!r:.80}."
        )
    before = [c.state_dict() for c in children]
    try:
        for child, s in zip(children, saved):
            child.load_state_dict(s)
    except Exception:
        for child, s in zip(children, before):
            child.load_state_dict(s)
        raise


def _padded(saved: Any, bases: list[float]) -> Any:
    """A SequentialLR's ended schedule's state ``saved``, its ``base_lrs`` extended by the
    starting lrs of the groups added after it ended (``bases``, the SequentialLR's): so a run
    whose schedule in force took an added group resumes into an optimizer built with every
    group, as PyTorch's does (the ended schedule never sets their lrs)."""
    own = saved.get("base_lrs") if isinstance(saved, Mapping) else None
    if not isinstance(own, list) or len(own) >= len(bases):
        return saved
    return {**saved, "base_lrs": [*own, *bases[len(own) :]]}


class SequentialLR(LRSchedule):
    """PyTorch's ``SequentialLR``: ``schedulers`` one after the other, the next one taking
    over at each of ``milestones`` (the epochs where it starts, one fewer than the
    schedules). The usual warm-up, then a decay::

        warmup = LinearLR(opt, start_factor=0.1, total_iters=5)
        decay = CosineAnnealingLR(opt, T_max=95)
        sched = SequentialLR(opt, [warmup, decay], milestones=[5])

    Build the schedules on the optimizer, then hand them over: the SequentialLR steps
    them, and each starts its curve again at its milestone (epoch 0 of its own, as
    PyTorch's). As PyTorch's, every schedule starts from each group's ``'initial_lr'`` (the
    lr before the first schedule ever built on the optimizer: ``base_lrs``), whatever a
    warm-up built before it wrote there or an earlier schedule's steps left, and building the
    SequentialLR sets each group's lr to the first schedule's epoch-0 rate. A
    :class:`OneCycleLR` or :class:`CyclicLR` among them keeps its
    own rates (it restarts its cycle at its milestone).

    Its schedules are its own: stepping one of them by hand is refused (the SequentialLR
    steps it), and so is a schedule stepped before it was handed over, one already in
    another SequentialLR, one on another optimizer, and one stepped with a number
    (:class:`ReduceLROnPlateau`, :class:`AdaptiveLR`, :class:`InvScalingLR`: refused, as
    PyTorch refuses ReduceLROnPlateau). A second schedule stepping the optimizer besides
    the SequentialLR is refused as any two are ("Two schedules step one optimizer").
    ``milestones`` are epochs >= 1 in increasing order. ``state_dict()`` holds each
    schedule's state; ``fit(schedule=...)`` steps it once per epoch (one with a
    :class:`OneCycleLR` or :class:`CyclicLR` in it is refused there: those step per batch).

    >>> from glassnet import nn, optim
    >>> opt = optim.SGD(nn.Linear(2, 1, rng=0).parameters(), lr=0.1)
    >>> warmup = LinearLR(opt, start_factor=0.5, total_iters=2)
    >>> decay = StepLR(opt, step_size=1, gamma=0.5)
    >>> sched = SequentialLR(opt, [warmup, decay], milestones=[2])
    >>> [opt.lr] + [(sched.step(), opt.lr)[1] for _ in range(4)]
    [0.05, 0.075, 0.1, 0.05, 0.025]
    """

    def __init__(
        self, optimizer: Any, schedulers: Any, milestones: Any, last_epoch: int = -1
    ) -> None:
        name = type(self).__name__
        _fresh(name, last_epoch)
        _need_optimizer(optimizer, name)
        children = _checked_children(optimizer, schedulers, name)
        self.milestones = self._checked_milestones(milestones, len(children))
        later = [type(c).__name__ for c in children[1:] if isinstance(c, MultiplicativeLR)]
        if later:  # (its curve here starts from its base rate, PyTorch's from the rate in force)
            raise ValueError(
                f"SequentialLR: a {later[0]} after the first schedule goes on, in PyTorch, from "
                "the rate in force at its milestone times lr_lambda(0), where glassnet's "
                "schedules start their curves again from the base rate at their milestones: put "
                "it first, or write that phase as a LambdaLR of the product (lambda epoch: "
                "0.9 ** epoch), whose curve starts from the base rate in PyTorch too."
            )
        super().__init__(optimizer)
        self.schedulers = children
        self._rebase(self._first_bases())
        for child in children:
            child._owner = weakref.ref(self)
        children[0]._restart(claim=False)
        self._record()

    @staticmethod
    def _checked_milestones(milestones: Any, n: int) -> list[int]:
        is_list = isinstance(milestones, (list, tuple, range)) or (
            getattr(milestones, "ndim", None) == 1 and hasattr(milestones, "tolist")
        )
        ms = (
            list(milestones.tolist() if hasattr(milestones, "tolist") else milestones)
            if (is_list)
            else None
        )
        ok = ms is not None and all(
            isinstance(m, numbers.Integral) and not isinstance(m, bool) and m >= 1 for m in ms
        )
        if not ok or any(a >= b for a, b in zip(ms, ms[1:])):
            raise ParameterError(
                "The 'milestones' parameter of SequentialLR must be a list of epochs (ints >= "
                f"1, increasing) where the next schedule takes over. Got {milestones!r:.80}; "
                "e.g. milestones=[5] for two schedules."
            )
        if len(ms) != n - 1:
            raise ValueError(
                f"SequentialLR: {n} schedule(s) take {n - 1} milestone(s), one where each "
                f"schedule after the first takes over. Got milestones={ms!r:.80}."
            )
        return [int(m) for m in ms]

    def _last_phase(self) -> LRSchedule | None:
        """The schedule in force for good (its milestone, the last, passed: every later step
        is its own), or None before then."""
        if self.milestones and self.epoch < self.milestones[-1]:
            return None
        return self.schedulers[-1]

    @property
    def _adopts(self) -> bool:  # type: ignore[override]
        """A group added after the last milestone joins the curve of the schedule in force as
        that schedule takes one (PyTorch's SequentialLR steps it alone from there: its
        chainable schedules multiply the new group's lr too)."""
        last = self._last_phase()
        return last is not None and last._adopts

    def _adopt(self, groups: list[dict[str, Any]]) -> None:
        """The schedule in force takes the added groups (:meth:`LRSchedule._adopt`); the
        SequentialLR's ``base_lrs`` lists their starting lrs too."""
        last, n = self.schedulers[-1], len(self.base_lrs)
        if len(last.base_lrs) == n:
            last._adopt(groups)
        self.base_lrs.extend(last.base_lrs[n : len(groups)])

    def _join_advice(self) -> str:
        last = self._last_phase()
        if last is not None:  # (past the last milestone: as the schedule in force says)
            return last._join_advice()
        return (
            "Before its last milestone, PyTorch's SequentialLR fails at the next milestone "
            "(the schedule that takes over there starts from base_lrs, one per group). Add the "
            "group after the last milestone (the schedule in force then takes it, where it "
            "takes one), build the SequentialLR and its schedules after add_param_group, or "
            "append the group's starting lr to the base_lrs of the SequentialLR and of each "
            "of its schedules."
        )

    def _counts(self) -> set[int]:
        groups = len(self.optimizer.param_groups)
        last = self.schedulers[-1]
        return {len(self.base_lrs)} | ({groups} if last._adopts else set())

    def _first_bases(self) -> list[float]:
        """As PyTorch's, which sets each group's lr to its ``initial_lr``: the lrs before the
        first schedule was ever built on the optimizer (where a schedule built earlier moved
        the lr, the lr before that one)."""
        born = min((c for c in self.schedulers if not c._cycle), key=_born, default=None)
        if born is None:
            return list(self.base_lrs)
        initial = born.__dict__.get("_initial_lrs")
        bases = born._first_bases()
        return list(initial) if initial is not None and len(initial) == len(bases) else bases

    def _rebase(self, bases: list[float]) -> None:
        self.base_lrs = list(bases)
        for child in self.schedulers:
            child._rebase(bases)

    def _current(self, epoch: int) -> tuple[int, LRSchedule]:
        idx = bisect.bisect_right(self.milestones, epoch)
        return idx, self.schedulers[idx]

    def step(self, epoch: Any = None) -> bool:
        """End of an epoch: the schedule whose turn it is steps (or, at its milestone,
        starts its curve). True when every group's lr is then 0 for good, else False."""
        self._no_epoch(epoch)
        groups = self._groups()
        at = self.epoch + 1
        idx, child = self._current(at)
        self._stepping = True
        try:
            if idx > 0 and self.milestones[idx - 1] == at:
                child._restart()
            else:
                child.step()
        finally:
            self._stepping = False
        self.epoch = at
        return self._ended(groups)

    def _restart(self, claim: bool = True) -> None:
        self._stepping = True
        try:
            self.schedulers[0]._restart(claim)
        finally:
            self._stepping = False
        self.epoch = 0

    def lr_at(self, clock: int) -> float:
        """The first group's learning rate at epoch ``clock``: that of the schedule in force
        then, at its own epoch (the epochs since its milestone)."""
        clock = _check(clock, "epoch", "SequentialLR.lr_at")
        idx, child = self._current(clock)
        return child.lr_at(clock - (self.milestones[idx - 1] if idx else 0))

    def stays_zero(self) -> bool:
        """The last schedule's answer once it is the one in force; before, False (a later
        schedule may raise the rate)."""
        idx, child = self._current(self.epoch)
        if idx < len(self.milestones):
            return False
        child._ahead = getattr(self, "_ahead", None)
        try:
            return child.stays_zero()
        finally:
            child._ahead = None

    @property
    def _per_batch(self) -> bool:  # type: ignore[override]
        return any(c._per_batch for c in self.schedulers)

    def state_dict(self) -> dict[str, Any]:
        """Plain Python values: type, base_lrs, epoch, milestones, and ``schedulers``, the
        state dict of each of its schedules."""
        now = self._current(self.epoch)[1]  # (the others' _last_lr: not the lrs in force)
        return {
            "type": type(self).__name__, "base_lrs": list(self.base_lrs), "epoch": self.epoch,
            "milestones": list(self.milestones),
            "schedulers": [
                {k: v for k, v in c.state_dict().items() if c is now or k != "_last_lr"}
                for c in self.schedulers
            ],
        }  # fmt: skip

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned, its schedules' states too (build the
        SequentialLR with the same kinds of schedules first). Nothing changes when a part
        is refused."""
        name, (state, _) = type(self).__name__, self._split_extras(state)
        check_state_dict(
            state, type(self), ["type", "base_lrs", "epoch", "milestones", "schedulers"]
        )
        bases = state["base_lrs"]
        if not isinstance(bases, list) or len(bases) not in self._counts():
            raise ValueError(
                f"{name}.load_state_dict: 'base_lrs' must list one lr per param group "
                f"({len(self.base_lrs)}). Got {bases!r:.80}."
            )
        bases = [_check(b, "lr", name) for b in bases]
        epoch = _check(state["epoch"], "epoch", name)
        milestones = self._checked_milestones(state["milestones"], len(self.schedulers))
        saved = state["schedulers"]
        if isinstance(saved, list) and len(saved) == len(self.schedulers) and milestones:
            if isinstance(epoch, int) and epoch >= milestones[-1]:  # (the earlier ones ended)
                saved = [*(_padded(s, bases) for s in saved[:-1]), saved[-1]]
        _load_children(self.schedulers, saved, name)
        self.base_lrs, self.epoch, self.milestones = bases, epoch, milestones
        self._last_lr = None  # (get_last_lr: the groups' lrs until the next step)

    def __repr__(self) -> str:
        kinds = ", ".join(type(c).__name__ for c in self.schedulers)
        return (
            f"SequentialLR([{kinds}], milestones={self.milestones!r}; epoch={self.epoch}, "
            f"lr={self.lr!r})"
        )


class ChainedScheduler(LRSchedule):
    """PyTorch's ``ChainedScheduler``: ``schedulers`` stepped together, each step compounding
    them in order as PyTorch's chainable schedulers do (each multiplies the rate the ones
    before it left). PyTorch's own example, a rate held at a tenth for two epochs while it
    decays by 0.9 each epoch::

        sched = ChainedScheduler([ConstantLR(opt, factor=0.1, total_iters=2),
                                  ExponentialLR(opt, gamma=0.9)], optimizer=opt)

    (``ConstantLR`` being PyTorch's, at ``glassnet.optim.lr_scheduler``; here it is
    :class:`ConstantFactorLR`.) The learning rates are PyTorch's, step by step and per
    param group: :class:`StepLR`, :class:`MultiStepLR`, :class:`ExponentialLR`,
    :class:`ConstantFactorLR`, :class:`LinearLR`, :class:`PolynomialLR` and
    :class:`MultiplicativeLR` scale the rate; :class:`CosineAnnealingLR` moves it by
    PyTorch's recursive form (towards ``eta_min``, and up again one epoch past each
    bottom); :class:`LambdaLR` and :class:`CosineAnnealingWarmRestarts` set their own rate,
    whatever the schedules before them in the list left, as PyTorch's do. Building the
    chain sets each group's lr to the epoch-0 rate of them all (a warm-up's factor times
    the others'), in the order they were built, as PyTorch's constructors leave it.

    Refused, with what to do: :class:`ReduceLROnPlateau` (as PyTorch refuses it),
    :class:`AdaptiveLR` and :class:`InvScalingLR` (their step takes a number); the
    per-batch cycles (:class:`OneCycleLR`, :class:`CyclicLR`); a :class:`SequentialLR` or
    another ChainedScheduler in the list; a :class:`ConstantFactorLR` with ``factor=0``
    that ends (PyTorch's divides the rate by the factor then). A schedule built on another
    optimizer, one stepped already, or one of another chain or SequentialLR is refused,
    and its schedules are the chain's: stepping one of them by hand is refused.

    The chain compounds the rates it set itself (``last_lrs``, part of :meth:`state_dict`), so a
    run resumes from the chain's state dict alone; an lr written into a group by hand since its
    last step is compounded instead, as PyTorch's chain compounds the lr in force.
    ``fit(schedule=...)`` steps it once per epoch; it can be a phase of a :class:`SequentialLR`
    (it starts again at its milestone): glassnet's own, since PyTorch's SequentialLR cannot
    restart a chain at a milestone, and as its first phase applies an ExponentialLR's gamma once
    more at epoch 0.

    >>> from glassnet import nn, optim
    >>> opt = optim.SGD(nn.Linear(2, 1, rng=0).parameters(), lr=1.0)
    >>> warm = ConstantFactorLR(opt, factor=0.1, total_iters=2)
    >>> sched = ChainedScheduler([warm, ExponentialLR(opt, gamma=0.5)], optimizer=opt)
    >>> [opt.lr] + [(sched.step(), opt.lr)[1] for _ in range(3)]
    [0.1, 0.05, 0.25, 0.125]
    """

    def __init__(self, schedulers: Any, optimizer: Any = None) -> None:
        name = type(self).__name__
        many = isinstance(schedulers, (list, tuple)) and len(schedulers) > 0
        if optimizer is None and many and isinstance(schedulers[0], LRSchedule):
            optimizer = schedulers[0].optimizer  # (PyTorch's default: the first's optimizer)
        children = _checked_children(optimizer, schedulers, name)
        for i, child in enumerate(children):
            self._chainable(child, i)
        super().__init__(optimizer)
        self.schedulers = children
        self._rebase(min(children, key=_born)._first_bases())
        for child in children:
            child._owner = weakref.ref(self)
        self._restart(claim=False)
        self._record()

    @staticmethod
    def _chainable(child: LRSchedule, i: int) -> None:
        """Refuse a schedule the chain cannot step as PyTorch's would, saying what to do."""
        what, kind = f"ChainedScheduler: schedulers[{i}]", type(child).__name__
        if isinstance(child, (SequentialLR, ChainedScheduler)):
            do = (
                "list its schedules in this one (the same steps, in the same order)"
                if isinstance(child, ChainedScheduler)
                else "make the chain a phase of the SequentialLR instead, "
                "SequentialLR(opt, [ChainedScheduler([...]), ...], milestones=[...])"
            )
            raise ValueError(f"{what} is a {kind}, which a chain does not take here: {do}.")
        if child._cycle:
            raise ValueError(
                f"{what} is a {kind}, which steps after every batch and sets the rate (and the "
                "momentum) from its own bounds, whatever the others would compound: a chain "
                "does not take it here. Step it alone, after each batch."
            )
        if isinstance(child, ConstantFactorLR) and child.factor == 0 and child.total_iters:
            raise ValueError(
                f"{what} is a ConstantFactorLR (PyTorch's ConstantLR) with factor=0: at "
                f"epoch total_iters={child.total_iters} its chained step divides the rate by "
                "the factor (PyTorch's raises ZeroDivisionError), and a rate of 0 cannot come "
                "back to the others' product. Use a factor > 0 (e.g. 1e-3), or a LambdaLR "
                "of the whole curve alone."
            )
        if child._chained is None:
            raise ValueError(
                f"{what} is a {kind}, which has no chained step here. Chain StepLR, "
                "MultiStepLR, ExponentialLR, ConstantLR, LinearLR, PolynomialLR, "
                "MultiplicativeLR, CosineAnnealingLR, LambdaLR or "
                "CosineAnnealingWarmRestarts."
            )

    def _advance(
        self, lrs: list[float], epoch: int, order: list[LRSchedule] | None = None
    ) -> tuple[list[float], list[dict[str, Any]]]:
        """Each group's lr after every schedule's step to ``epoch`` from ``lrs``, in
        ``order`` (default: the list's), each checked, and what each schedule keeps."""
        name, n, kept = type(self).__name__, len(lrs), []
        for child in order or self.schedulers:
            lrs, keep = child._chained(lrs, epoch)
            i = self.schedulers.index(child)
            if len(lrs) != n:
                raise ValueError(
                    f"{name}: schedulers[{i}] ({type(child).__name__}) gives {len(lrs)} "
                    f"learning rates for {n} param groups; give each of its per-group lists "
                    "one value per group (lr_lambda, base_lrs)."
                )
            for g, lr in enumerate(lrs):
                if (
                    isinstance(lr, bool)
                    or not isinstance(lr, numbers.Real)
                    or not (0 <= lr < math.inf)
                ):
                    raise ParameterError(
                        f"{name}: schedulers[{i}] ({type(child).__name__}) gives param group "
                        f"{g} a learning rate of {lr!r:.40} at epoch {epoch}; a learning rate "
                        "is a finite number >= 0. The chain compounds its schedules' steps "
                        "(a factor > 1 grows without end; a CosineAnnealingLR's step moves the "
                        "rate the others left towards its eta_min): check their settings, or "
                        "write the curve as one LambdaLR."
                    )
            lrs = [float(lr) for lr in lrs]
            kept.append(keep)
        return lrs, kept

    @property
    def _adopts(self) -> bool:  # type: ignore[override]
        """A chain of schedules that each only scale the rate (StepLR, MultiStepLR,
        ExponentialLR, ConstantFactorLR, LinearLR, PolynomialLR) takes a group added later
        at its lr, as PyTorch's, whose steps multiply each group's lr; with a schedule that
        reads per-group lists (LambdaLR, MultiplicativeLR, the cosines) PyTorch's breaks."""
        return all(c._adopts and c._chain_scales for c in self.schedulers)

    def _adopt(self, groups: list[dict[str, Any]]) -> None:
        """Each added group compounds the chain's steps from its lr now (``last_lrs``; its
        starting lr, in ``base_lrs`` and its schedules', is that lr too)."""
        n, name = len(self.base_lrs), type(self).__name__
        if len(self.last_lrs) != n:
            return  # (lists changed by hand: the step says what is wrong)
        lrs = [float(_check(g["lr"], "lr", f"{name}: param group {i}"))
               for i, g in enumerate(groups[n:], n)]  # fmt: skip
        self.last_lrs = self.last_lrs + lrs
        for owner in (self, *self.schedulers):
            owner.base_lrs.extend(lrs)

    def _join_advice(self) -> str:
        kinds = sorted({type(c).__name__ for c in self.schedulers if not c._adopts or not
                        c._chain_scales})  # fmt: skip
        return (
            f"With {', '.join(kinds)} in the chain PyTorch's ChainedScheduler breaks too (its "
            "rate reads per-group lists). Append the group's lr to schedule.last_lrs and its "
            "starting lr to schedule.base_lrs and to each of its schedules' base_lrs (their "
            "per-group lists too: a LambdaLR's lr_lambdas, a MultiplicativeLR's lr_lambdas "
            "and products), or build the chain after add_param_group."
        )

    def _counts(self) -> set[int]:
        groups = len(self.optimizer.param_groups)
        return {len(self.base_lrs)} | ({groups} if self._adopts else set())

    def _start(self) -> list[float]:
        """Each group's epoch-0 lr: every schedule's first step from the starting lrs, in
        the order they were built (PyTorch's constructors step in that order)."""
        return self._advance(list(self.base_lrs), 0, sorted(self.schedulers, key=_born))[0]

    def _restart(self, claim: bool = True) -> None:
        groups = self._groups() if claim else self.optimizer.param_groups
        lrs = self._start()
        for child in self.schedulers:
            child.__dict__.update(child._progress)
            child.epoch = 0
            if isinstance(child, MultiplicativeLR):
                child.products = [1.0] * len(child.base_lrs)
        for group, lr in zip(groups, lrs):
            group["lr"] = lr
        self.epoch, self.last_lrs = 0, lrs
        self._record(groups)
        with contextlib.suppress(TypeError):  # (a schedule built after it starts before it)
            _WARMED[self.optimizer] = (
                weakref.ref(self),
                [(g["lr"], b) for g, b in zip(groups, self.base_lrs)],
            )

    def step(self, epoch: Any = None) -> bool:
        """End of an epoch: each schedule's step, in the list's order, from the rates the
        chain set last (an lr set by hand since: from that lr, as PyTorch's). True when every
        group's lr is then 0 for good, else False."""
        self._no_epoch(epoch)
        groups = self._groups()
        if len(self.last_lrs) != len(groups):
            raise ValueError(
                f"ChainedScheduler: the optimizer has {len(groups)} param groups and "
                f"last_lrs {len(self.last_lrs)}; a group added after the chain was built "
                "needs its lr appended to last_lrs and to base_lrs (its schedules' too)."
            )
        at, last = self.epoch + 1, self.__dict__.get("_last_lr")  # (None: just loaded)
        start = [
            float(_check(g["lr"], "lr", f"ChainedScheduler: param group {i} (its lr)"))
            if last is not None
            and i < len(last)  # (a group adopted since: its lr, last_lrs')
            and not (type(g["lr"]) is float and g["lr"] == last[i])
            else lr
            for i, (g, lr) in enumerate(zip(groups, self.last_lrs))
        ]
        lrs, kept = self._advance(start, at)  # (all checked first)
        for child, keep in zip(self.schedulers, kept):
            child.__dict__.update(keep)
            child.epoch = at
        for group, lr in zip(groups, lrs):
            group["lr"] = lr
        for child in self.schedulers:
            child._record(groups)
        self.epoch, self.last_lrs = at, lrs
        return self._ended(groups)

    def lr_at(self, clock: int) -> float:
        """The first group's learning rate at epoch ``clock``, the chain's steps taken again
        from epoch 0 (a MultiplicativeLR's lr_lambda called at each epoch)."""
        clock = _check(clock, "epoch", "ChainedScheduler.lr_at")
        lrs = self._start()
        for at in range(1, clock + 1):
            lrs = self._advance(lrs, at)[0]
        return lrs[0]

    def stays_zero(self) -> bool:
        """True when every schedule only scales the rate (a rate of 0 stays 0); False with a
        LambdaLR, a cosine or its warm restarts in the chain (their steps may raise it)."""
        return all(c._chain_scales for c in self.schedulers)

    def _first_bases(self) -> list[float]:
        return min(self.schedulers, key=_born)._first_bases()

    def _rebase(self, bases: list[float]) -> None:
        self.base_lrs = list(bases)
        for child in self.schedulers:
            child._rebase(bases)

    def state_dict(self) -> dict[str, Any]:
        """Plain Python values: type, base_lrs, epoch, last_lrs (the rates the chain set
        last, which its next step compounds) and ``schedulers``, each schedule's state."""
        return {
            "type": type(self).__name__, "base_lrs": list(self.base_lrs), "epoch": self.epoch,
            "last_lrs": list(self.last_lrs),
            "schedulers": [c.state_dict() for c in self.schedulers], **self._hand_set(),
        }  # fmt: skip

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned, its schedules' states too (build the
        chain with the same kinds of schedules first). Nothing changes when a part is
        refused."""
        name, n = type(self).__name__, len(self.base_lrs)
        state, extras = self._split_extras(state)
        check_state_dict(state, type(self), ["type", "base_lrs", "epoch", "last_lrs", "schedulers"])
        lists, counts = {}, self._counts()
        for key in ("base_lrs", "last_lrs"):
            got = state[key]
            if (
                not isinstance(got, list)
                or len(got) not in counts
                or len(got)
                != len(state["base_lrs"] if isinstance(state["base_lrs"], list) else got)
            ):
                raise ValueError(
                    f"{name}.load_state_dict: {key!r} must list one lr per param group "
                    f"({n}). Got {got!r:.80}."
                )
            lists[key] = [_check(v, "lr", name) for v in got]
        epoch = _check(state["epoch"], "epoch", name)
        _load_children(self.schedulers, state["schedulers"], name)
        self.__dict__.update(lists, epoch=epoch)
        self._last_lr = _last_of(extras)

    def __repr__(self) -> str:
        kinds = ", ".join(type(c).__name__ for c in self.schedulers)
        return f"ChainedScheduler([{kinds}]; epoch={self.epoch}, lr={self.lr!r})"


def _last_of(extras: dict[str, Any]) -> list[float] | None:
    """A loaded state's ``_last_lr`` (saved after an lr set by hand: that lr carries on at
    the next step, as in the run that was not stopped), or None (a state without it, an
    untouched run's or one from before it was saved: get_last_lr gives the groups' lrs
    until the next step, which goes on from the saved curve)."""
    last = extras.get("_last_lr")
    return None if last is None else [float(v) for v in last]


def _born(schedule: LRSchedule) -> int:
    """When ``schedule`` was built: a SequentialLR or a ChainedScheduler, when the first of
    its schedules was."""
    if isinstance(schedule, (SequentialLR, ChainedScheduler)):
        return min(_born(c) for c in schedule.schedulers)
    return schedule._built


# fmt: off
SCHEDULES: dict[str, type[LRSchedule]] = {
    "constant": ConstantLR, "step": StepLR, "exponential": ExponentialLR,
    "cosine": CosineAnnealingLR, "invscaling": InvScalingLR, "adaptive": AdaptiveLR,
    "plateau": ReduceLROnPlateau, "linear": LinearLR, "polynomial": PolynomialLR,
    "warm_restarts": CosineAnnealingWarmRestarts,
}
# fmt: on
"""Name → schedule class, used by :func:`get_schedule`."""


def get_schedule(name: str | type[LRSchedule], optimizer: Any, **kw: Any) -> LRSchedule:
    """Build the schedule called ``name`` (see :data:`SCHEDULES`) for ``optimizer``.

    >>> from glassnet import nn, optim
    >>> opt = optim.SGD(nn.Linear(2, 1, rng=0).parameters(), lr=0.1)
    >>> sched = get_schedule("step", opt, step_size=2, gamma=0.5)
    >>> [(sched.step(), opt.lr)[1] for _ in range(4)]
    [0.1, 0.05, 0.05, 0.025]
    """
    return build(name, SCHEDULES, LRSchedule, "learning-rate schedule", optimizer, kw)


def end_epoch(schedule: Any, metric: float, samples_seen: int, remaining: int) -> str:
    """fit's step of ``schedule`` (None: no schedule) at an epoch's end, told the epoch's
    training loss (``metric``) and the ``samples_seen`` so far (a schedule of the user's
    takes those two) and, a :class:`LRSchedule`, the epochs ``remaining``. Returns why the
    schedule asks to stop: its ``stop_reason`` ("min_lr" where it names none; "lr_zero"),
    or '' to go on."""
    if schedule is None:
        return ""
    facts = {"metric": metric, "samples_seen": samples_seen}
    if isinstance(schedule, LRSchedule):
        facts["remaining"] = remaining
    low = schedule.epoch_end(**facts)
    return (getattr(schedule, "stop_reason", "") or "min_lr") if low else ""


def check_schedule(
    schedule: Any, optimizer: Any, owner: str = "fit", initial_epoch: int = 0
) -> Any:
    """``schedule`` if it can drive ``optimizer``'s learning rate: None, or a schedule
    (anything with ``epoch_end``) built on that very optimizer; in a run resumed after
    epoch ``initial_epoch``, a schedule whose rate is a function of the epoch must have
    stepped that many epochs (a fresh one would restart its curve).

    Raises
    ------
    ParameterError
        A name or a class instead of a built schedule, or anything without
        ``epoch_end``.
    ValueError
        A schedule built on another optimizer: it would change that one's lr and leave
        the training's unchanged (e.g. ``fit(optimizer="sgd", schedule=...)``, where fit
        builds an optimizer of its own).
    """
    if schedule is None:
        return None
    how = (
        "a schedule built on the optimizer that trains, e.g. opt = glassnet.optim.SGD("
        "model.parameters(), lr=0.1); glassnet.schedules.StepLR(opt, step_size=10), with "
        f"{owner}(..., optimizer=opt, schedule=...)"
    )
    if isinstance(schedule, (type, str)):
        shown = schedule.__name__ if isinstance(schedule, type) else repr(schedule)
        raise ParameterError(
            f"The 'schedule' parameter of {owner} must be {how}. Got {shown}: build it "
            "(get_schedule(name, opt, ...) builds one from its name)."
        )
    if not callable(getattr(schedule, "epoch_end", None)):
        raise ParameterError(
            f"The 'schedule' parameter of {owner} must be {how}. Got "
            f"{type(schedule).__name__}, which has no epoch_end method."
        )
    built_on = getattr(schedule, "optimizer", optimizer)
    if built_on is not optimizer:
        raise ValueError(
            f"The 'schedule' parameter of {owner} was built on another optimizer than the "
            f"one that trains ({type(built_on).__name__} at {id(built_on):#x}, not "
            f"{type(optimizer).__name__} at {id(optimizer):#x}): it would change that "
            f"one's lr and leave training's as it is. Pass {how}. (With optimizer= a name, "
            f"{owner} builds an optimizer of its own.)"
        )
    owner_ref = getattr(schedule, "_owner", None) if isinstance(schedule, LRSchedule) else None
    if owner_ref is not None and owner_ref() is not None:
        kind = type(owner_ref()).__name__
        raise ParameterError(
            f"The 'schedule' parameter of {owner} is a {type(schedule).__name__} that belongs "
            f"to a {kind}, which steps it at its turn: pass the {kind}, "
            f"{owner}(..., schedule={'sequential' if kind == 'SequentialLR' else 'chain'})."
        )
    if getattr(schedule, "_per_batch", False) and isinstance(schedule, LRSchedule):
        kind = type(schedule).__name__
        inner = "" if schedule._cycle else ", which holds a OneCycleLR or CyclicLR,"
        raise ParameterError(
            f"The 'schedule' parameter of {owner} is stepped once per epoch, and {kind}"
            f"{inner} steps per batch (PyTorch's OneCycleLR and CyclicLR: scheduler.step() "
            "after every optimizer.step(), their steps counting batches). Stepped once per "
            "epoch it would run a few steps of its cycle and stop there. Step it after every "
            "batch from a callback instead: class EachBatch(glassnet.Callback): def "
            "on_step_end(self, "
            f"state): sched.step() -- then {owner}(..., optimizer=opt, "
            "callbacks=[EachBatch()]), with total_steps = epochs * ceil(n_train / "
            "batch_size) for a OneCycleLR, n_train the rows left after a validation split "
            "(validation_split or early_stopping hold some out). (To step it once per epoch, "
            "on purpose: "
            "callbacks=[lambda state: sched.step()].)"
        )
    if isinstance(schedule, (AdaptiveLR, ReduceLROnPlateau)) and schedule.mode == "max":
        raise ValueError(
            f"{owner} steps the schedule with each epoch's training loss, which falls as "
            f"training improves; {type(schedule).__name__}(mode='max') would take every "
            "improving epoch for a bad one and cut the lr. Use mode='min' (the default), or "
            "step the schedule yourself with a score that rises."
        )
    if initial_epoch and isinstance(schedule, LRSchedule):
        curve = schedule._clock == "epoch" and (
            type(schedule)._rate is not LRSchedule._rate
            or isinstance(schedule, (SequentialLR, ChainedScheduler))
        )
        fresh = schedule._clock != "epoch" and not getattr(schedule, schedule._clock)
        if (curve and schedule.epoch != initial_epoch) or fresh:  # (AdaptiveLR: neither)
            raise ValueError(
                f"{owner}: the run resumes after epoch {initial_epoch} and the schedule has "
                f"stepped {schedule.epoch} epochs, so its rates would be another epoch's. "
                "Resume it too (load_state_dict of the interrupted run's schedule), or step "
                "it to that epoch."
            )
    return schedule
