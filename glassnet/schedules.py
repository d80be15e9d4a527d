"""Learning-rate schedules: γ changed between epochs, as PyTorch's ``lr_scheduler``.

A schedule sets each param group's ``lr`` of an optimizer (:mod:`glassnet.optim`) once
per epoch. The training loop calls ``schedule.step()`` at the end of every epoch
(``step(samples_seen)`` for :class:`InvScalingLR`, ``step(metric)`` for
:class:`AdaptiveLR`), or :meth:`LRSchedule.epoch_end` with keywords, which every
schedule accepts. ``glassnet.fit(..., schedule=...)`` does that for you.

PyTorch's ``StepLR``, ``MultiStepLR``, ``ExponentialLR``, ``CosineAnnealingLR`` and
``LambdaLR`` give PyTorch's learning rates epoch by epoch (``get_last_lr()`` lists them);
so do ``LinearLR``, ``PolynomialLR``, ``CosineAnnealingWarmRestarts`` and
``ReduceLROnPlateau``. glassnet's ``ConstantLR`` keeps γ₀ (scikit-learn's "constant");
PyTorch's, which scales γ₀ for a few epochs, is :class:`ConstantFactorLR`, and
``glassnet.optim.lr_scheduler`` (PyTorch's place: :mod:`glassnet.lr_scheduler`) names it
``ConstantLR``. ``AdaptiveLR`` is scikit-learn's rule. PyTorch's ``OneCycleLR``,
``CyclicLR`` and ``SequentialLR`` are not here: ``LambdaLR`` writes any of them as a
function of the epoch. One difference: each
``step()`` sets a group's lr from its starting lr (``base_lrs``) in closed form, so an lr
written into a group by hand between steps lasts until the next ``step()``, and a
second schedule stepping the same optimizer would overwrite the first's rates (PyTorch's
chainable schedulers compound): that is refused with an error, write the product of the
two curves as one ``LambdaLR``. Change ``schedule.base_lrs`` to move a schedule's whole
curve (a param group added after the schedule was built needs its starting lr there).

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
import itertools
import math
import numbers
import weakref
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from ._validation import ParameterError, build, check_setting, check_state_dict

# fmt: off
__all__ = [
    "SCHEDULES", "AdaptiveLR", "ConstantFactorLR", "ConstantLR", "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts", "ExponentialLR", "InvScalingLR", "LambdaLR", "LinearLR",
    "LRSchedule", "MultiStepLR", "PolynomialLR", "ReduceLROnPlateau", "StepLR",
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
_WARMED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # optimizer -> [(lr, base)]
_LAST_STEPPED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # optimizer -> ref


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
    schedule was built; ``base_lr`` is the first's) and ``epoch``, the number of calls
    so far: :meth:`lr_at` for the first group. :meth:`epoch_end` takes the epoch's
    facts by keyword and passes each schedule what it needs, so a loop can call every
    schedule the same way.

    ``step`` returns True when training should stop: :class:`AdaptiveLR` at its minimum,
    and every schedule once every group's lr is 0 and stays 0 for every later epoch
    (:meth:`stays_zero`), as the steps at lr 0 would change nothing (:meth:`_ended`).
    ``stop_reason`` then says which: ``"min_lr"`` or ``"lr_zero"`` ('' until a stop).
    A subclass gives its rule as ``_rate(base_lr, epoch)``, names its settings
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

    def __init__(self, optimizer: Any, settings: Any = None) -> None:
        name = type(self).__name__
        rules = self._rules
        self.__dict__.update({k: _check(settings[k], k, name, rules.get(k)) for k in self._hyper})
        if not (hasattr(optimizer, "lr") and hasattr(optimizer, "param_groups")):
            raise TypeError(
                f"{name} needs an optimizer with an 'lr' attribute and param_groups (a "
                f"glassnet.optim optimizer). Got {type(optimizer).__name__}."
            )
        self.optimizer, self.epoch = optimizer, 0
        # a group's lr that a warm-up (LinearLR, PyTorch's ConstantLR) wrote when it was built
        # is not the starting lr: the lr before it is (PyTorch's initial_lr), so a schedule
        # built beside a warm-up for the phase after it starts from the optimizer's lr
        try:
            warmed = _WARMED.get(optimizer, [])
        except TypeError:  # (an optimizer that cannot be weakly referenced)
            warmed = []
        groups = optimizer.param_groups
        self.base_lrs = [
            float(w[1] if i < len(warmed) and g["lr"] == w[0] else g["lr"])
            for i, (g, w) in enumerate(zip(groups, warmed + [(None, None)] * len(groups)))
        ]
        self.__dict__.update(self._progress)
        self._first = self._stepped = None  # the ticks of its first and last steps
        self.stop_reason = ""  # why step last returned True: "min_lr" or "lr_zero"

    base_lr = property(lambda self: self.base_lrs[0], doc="The first group's starting lr.")

    def _rate(self, base_lr: float, epoch: int) -> float:
        raise NotImplementedError

    def lr_at(self, clock: int) -> float:
        """The first group's learning rate at ``clock``: the epoch (0-based), or what
        ``_clock`` names instead (:class:`InvScalingLR`: the number of samples seen)."""
        name = type(self).__name__
        if type(self)._rate is LRSchedule._rate:
            raise TypeError(
                f"{name} has no lr_at: its learning rate follows the losses it is given, not "
                "a clock. Read schedule.lr (or get_last_lr()) for the rate in force."
            )
        clock = _check(clock, self._clock, f"{name}.lr_at")
        return self._checked(self._rate, self.base_lr, clock, clock)

    def step(self, epoch: Any = None) -> bool:
        """End of an epoch: set each group's lr for the next one. Returns True when every
        group's lr is then 0 for good (:meth:`_ended`), else False. (PyTorch's deprecated
        ``step(epoch)`` is refused: :meth:`_no_epoch`.)"""
        self._no_epoch(epoch)
        groups = self._groups()
        self.epoch += 1
        clock = getattr(self, self._clock)
        rates = [self._checked(self._rate, base, clock) for base in self.base_lrs]
        for group, lr in zip(groups, rates):  # (all checked first)
            group["lr"] = lr
        return self._ended(groups)

    def _no_epoch(self, epoch: Any) -> None:
        """PyTorch's deprecated ``step(epoch)``: refused, saying why, where Python's own
        error ("takes 1 positional argument") named no cause."""
        if epoch is not None:
            name = type(self).__name__
            raise TypeError(
                f"{name}.step() takes no epoch (PyTorch's step(epoch) is deprecated): the "
                f"schedule counts its own steps. Call {name}.step() once per epoch (got "
                f"epoch={epoch!r:.40}); CosineAnnealingWarmRestarts takes step(epoch), a "
                "fractional epoch for a per-batch schedule, as PyTorch's."
            )

    def _rates(self, epoch: int) -> list[float]:
        """Every group's lr at ``epoch``, unchecked (what :meth:`stays_zero` looks ahead at)."""
        return [self._rate(base, epoch) for base in self.base_lrs]

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
        ended = (
            all(g["lr"] == 0 for g in groups)
            and not any(g.get("style") == "sklearn" and g.get("momentum") for g in groups)
            and self.stays_zero()
        )
        self.stop_reason = "lr_zero" if ended else ""
        return ended

    def _groups(self) -> list[dict[str, Any]]:
        """The optimizer's param groups, before a step sets them: refused when a group has
        no starting lr in ``base_lrs`` (it would keep its lr unscheduled), or when another
        schedule steps this optimizer too (:meth:`_claim`)."""
        name, groups = type(self).__name__, self.optimizer.param_groups
        if len(groups) != len(self.base_lrs):
            raise ValueError(
                f"{name}: the optimizer has {len(groups)} param group(s) but the schedule has "
                f"a starting lr for {len(self.base_lrs)} (base_lrs={self.base_lrs!r:.80}): a "
                "group added after the schedule was built would keep its lr, unscheduled. "
                "Build the schedule after add_param_group, or append the new group's "
                "starting lr to schedule.base_lrs."
            )
        for base in self.base_lrs:  # (a public list: one written by hand is checked here)
            _check(base, "lr", f"{name}.base_lrs")
        self._claim()
        return groups

    def _claim(self) -> None:
        """Record this step; refused when another schedule stepped this optimizer both before
        and after this one's last step (their steps interleave: chained schedules). One
        stepped only after another's last step takes over (phases, one after the other)."""
        name, tick = type(self).__name__, lambda s, k: s.__dict__.get(k)  # (None: not yet)
        try:
            other = _LAST_STEPPED.get(self.optimizer, lambda: None)()
        except TypeError:  # (an optimizer that cannot be weakly referenced: not checked)
            other = None
        mine, theirs = tick(self, "_stepped"), other and tick(other, "_first")
        if other is not self and None not in (mine, theirs) and theirs < mine:
            raise ValueError(
                f"Two schedules step one optimizer: {type(other).__name__} and {name}. Each "
                "sets the groups' lr from its own curve, so the last to step would silently "
                "overwrite the other's (PyTorch's chainable schedulers compound). Step one "
                "schedule: write the product of the two curves as one LambdaLR, e.g. "
                "LambdaLR(opt, lambda e: min(1, (e + 1) / 5) * 0.5 ** (e // 10)) for a warmup "
                "then steps."
            )
        with contextlib.suppress(TypeError):
            _LAST_STEPPED[self.optimizer] = weakref.ref(self)
        self._stepped = next(_TICKS)
        self._first = self._stepped if tick(self, "_first") is None else self._first

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
                    else "lr_lambda must return a factor >= 0 of the starting lr."
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
        self._ahead = remaining
        try:
            return self.step(*(facts[k] for k in self._needs))
        finally:
            self._ahead = None

    @property
    def lr(self) -> float:
        """The optimizer's current learning rate."""
        return float(self.optimizer.lr)

    def get_last_lr(self) -> list[float]:
        """Each param group's current learning rate, as PyTorch's ``get_last_lr()``."""
        return [float(g["lr"]) for g in self.optimizer.param_groups]

    def state_dict(self) -> dict[str, Any]:
        """Plain Python values: type, base_lrs (a list), epoch, settings and progress."""
        keys = ("base_lrs", "epoch", *self._hyper, *self._progress)
        return {"type": type(self).__name__, **{k: getattr(self, k) for k in keys}}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned (``optimizer.lr`` is not touched:
        load the optimizer's own state dict for that)."""
        name, keys = type(self).__name__, list(self.state_dict())
        if isinstance(state, Mapping):  # (progress added later: a state dict from before)
            state = {**{k: self._progress[k] for k in self._added if k not in state}, **state}
        check_state_dict(state, name, keys)
        bases = state["base_lrs"]
        if not isinstance(bases, list) or len(bases) != len(self.base_lrs):
            raise ValueError(
                f"{name}.load_state_dict: 'base_lrs' must list one lr per param group "
                f"({len(self.base_lrs)}). Got {bases!r:.80}."
            )
        bases = [_check(b, "lr", name) for b in bases]
        rules = self._rules
        checked = {k: _check(state[k], k, name, rules.get(k)) for k in keys[2:]}
        self.__dict__.update(checked, base_lrs=bases)

    def __repr__(self) -> str:
        items = ", ".join(f"{k}={getattr(self, k)!r}" for k in self._hyper)
        return f"{type(self).__name__}({items}; epoch={self.epoch}, lr={self.lr!r})"


class ConstantLR(LRSchedule):
    """γₑ = γ₀: the learning rate stays at its initial value (scikit-learn's "constant").

    (Unlike PyTorch's ``ConstantLR``, which scales γ for a first few epochs.)
    """

    _never_rises = True  # (γ₀ = 0 stays 0)

    def _rate(self, base_lr: float, epoch: int) -> float:
        return base_lr


class _Decay(LRSchedule):
    """γ₀ · gammaᵏ with k never falling as the epochs go: with gamma < 1 the rate never
    rises, and with gamma >= 1 it is 0 only when γ₀ is, so a rate of 0 (γ₀ = 0, or gammaᵏ
    below the float range) stays 0."""

    _never_rises = True


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


class LambdaLR(LRSchedule):
    """γₑ = γ₀ · lr_lambda(e), as PyTorch's ``LambdaLR``: ``lr_lambda`` is one function of
    the epoch, or a list of one per param group. As PyTorch's, building it sets each
    group's lr to γ₀ · lr_lambda(0). The functions are not part of ``state_dict()`` (nor
    are plain functions PyTorch's): build the schedule with them, then load the state."""

    def __init__(
        self, optimizer: Any, lr_lambda: Callable[[int], float] | Any, last_epoch: int = -1
    ) -> None:
        _fresh(type(self).__name__, last_epoch)
        super().__init__(optimizer)
        many = isinstance(lr_lambda, (list, tuple))
        fns = list(lr_lambda) if many else [lr_lambda] * len(self.base_lrs)
        if len(fns) != len(self.base_lrs) or not all(callable(f) for f in fns):
            raise ParameterError(
                "The 'lr_lambda' parameter of LambdaLR must be a function of the epoch, or a "
                f"list of one per param group ({len(self.base_lrs)}). Got {lr_lambda!r:.80}; "
                "e.g. lr_lambda=lambda epoch: 0.95 ** epoch."
            )
        self.lr_lambdas = fns
        self._set(self.optimizer.param_groups)

    def _rates(self, epoch: int) -> list[float]:
        return [base * fn(epoch) for base, fn in zip(self.base_lrs, self.lr_lambdas)]

    def _set(self, groups: list[dict[str, Any]]) -> None:
        rates = [
            self._checked(lambda b, e, fn=fn: b * fn(e), base, self.epoch)
            for base, fn in zip(self.base_lrs, self.lr_lambdas)
        ]
        for group, lr in zip(groups, rates):  # (all checked first)
            group["lr"] = lr

    def _rate(self, base_lr: float, epoch: int) -> float:
        return base_lr * self.lr_lambdas[0](epoch)

    def step(self, epoch: Any = None) -> bool:
        """End of an epoch: each group's lr becomes γ₀ · its lr_lambda(epoch). True when
        that is 0 for every group and stays 0 (:meth:`stays_zero`: the lr_lambdas are
        called at the next ``epoch`` epochs to see), else False."""
        self._no_epoch(epoch)
        groups = self._groups()
        self.epoch += 1
        self._set(groups)
        return self._ended(groups)


class ExponentialLR(_Decay):
    """γₑ = γ₀ · gammaᵉ: decay by ``gamma`` every epoch."""

    _hyper = ("gamma",)

    def __init__(self, optimizer: Any, gamma: float, last_epoch: int = -1) -> None:
        _fresh(type(self).__name__, last_epoch)
        super().__init__(optimizer, locals())

    def _rate(self, base_lr: float, epoch: int) -> float:
        return base_lr * self.gamma**epoch


class CosineAnnealingLR(LRSchedule):
    """γₑ = η_min + (γ₀ − η_min) · (1 + cos(π e / T_max)) / 2.

    Falls from γ₀ to ``eta_min`` over ``T_max`` epochs. Past ``T_max`` the formula
    keeps going (it rises again, period 2·T_max), as PyTorch's does; set ``T_max`` to
    the number of epochs. So with ``eta_min=0`` the rate touches 0 at ``T_max`` (and at
    every odd multiple) without ending the run: a longer run goes on, on the rising
    curve (only γ₀ = ``eta_min`` = 0, 0 at every epoch, stops: :meth:`stays_zero`).
    """

    _hyper = ("T_max", "eta_min")

    def __init__(
        self, optimizer: Any, T_max: int, eta_min: float = 0.0, last_epoch: int = -1
    ) -> None:
        _fresh(type(self).__name__, last_epoch)
        super().__init__(optimizer, locals())

    def stays_zero(self) -> bool:
        """True only when γ₀ and ``eta_min`` are 0: otherwise the curve rises again."""
        return self.eta_min == 0 and all(base == 0 for base in self.base_lrs)

    def _rate(self, base_lr: float, epoch: int) -> float:
        cos = math.cos(math.pi * epoch / self.T_max)
        return self.eta_min + (base_lr - self.eta_min) * (1.0 + cos) / 2.0


class _Warm(LRSchedule):
    """PyTorch's schedules whose factor at epoch 0 is not 1: building one sets each group's
    lr to its epoch-0 rate, as PyTorch's do (γ₀ stays the starting lr, ``base_lrs``)."""

    def __init__(self, optimizer: Any, settings: Any) -> None:
        super().__init__(optimizer, settings)
        for group, base in zip(self.optimizer.param_groups, self.base_lrs):
            group["lr"] = self._checked(self._rate, base, 0)
        with contextlib.suppress(TypeError):  # (the lrs written, and the lrs before them)
            _WARMED[optimizer] = [
                (g["lr"], b) for g, b in zip(optimizer.param_groups, self.base_lrs)
            ]


class ConstantFactorLR(_Warm):
    """γₑ = γ₀ · ``factor`` for the first ``total_iters`` epochs, then γ₀ (``total_iters=0``:
    γ₀ · ``factor`` for ever, as PyTorch's): PyTorch's ``ConstantLR``
    (``glassnet.optim.lr_scheduler.ConstantLR`` is this class; glassnet's own
    :class:`ConstantLR` is scikit-learn's constant rate)."""

    _hyper = ("factor", "total_iters")
    _rules = {"factor": {"low": 0, "high": 1}}  # ([0, 1], as PyTorch's)

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


class LinearLR(_Warm):
    """γₑ = γ₀ · (s + (f − s) · min(e, T) / T), s = ``start_factor``, f = ``end_factor``,
    T = ``total_iters``: PyTorch's ``LinearLR`` (a linear warm-up, by default from γ₀/3 to
    γ₀ over 5 epochs), in closed form (PyTorch multiplies step by step: equal to rounding);
    ``total_iters=0``: γ₀ · s for ever, as PyTorch's."""

    _hyper = ("start_factor", "end_factor", "total_iters")

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
        return base_lr * (s + (f - s) * min(epoch, t) / t)


class PolynomialLR(_Warm):
    """γₑ = γ₀ · (1 − min(e, T) / T)^``power``, T = ``total_iters``: PyTorch's
    ``PolynomialLR``, at 0 from epoch T on (where a run ends: the rate stays 0);
    ``total_iters=0``: γ₀ for ever, as PyTorch's."""

    _hyper = ("total_iters", "power")
    _never_rises = True

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


class CosineAnnealingWarmRestarts(LRSchedule):
    """PyTorch's ``CosineAnnealingWarmRestarts``: a cosine from γ₀ down towards ``eta_min``
    over ``T_0`` epochs, then again from γ₀, each period ``T_mult`` times the one before:
    γₑ = η_min + (γ₀ − η_min) · (1 + cos(π T_cur / T_i)) / 2 with T_cur the epochs since
    the last restart and T_i the period it is in.

    As PyTorch's, ``step(epoch)`` takes the epoch, a fraction of one too, for a schedule
    stepped each batch (``sched.step(epoch + i / iters)``): the rate at that point of the
    curve; a ``step()`` after it goes one epoch further (``epoch`` + 1), as PyTorch's."""

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

    def _rate(self, base_lr: float, epoch: float) -> float:
        t0, mult, cur = self.T_0, self.T_mult, epoch
        if mult == 1:
            cur, period = epoch % t0, t0
        else:  # (the restart epochs are T_0 (mult^n − 1) / (mult − 1); exact in integers)
            n, start = 0, 0
            while start + t0 * mult**n <= epoch:
                start, n = start + t0 * mult**n, n + 1
            cur, period = epoch - start, t0 * mult**n
        cos = math.cos(math.pi * cur / period)
        return self.eta_min + (base_lr - self.eta_min) * (1.0 + cos) / 2.0


class InvScalingLR(LRSchedule):
    """γ = γ₀ / (t + 1)^power_t, with t the number of training samples seen so far.

    scikit-learn's ``learning_rate="invscaling"`` (``SGDOptimizer.iteration_ends``):
    the loop calls ``schedule.step(samples_seen)`` at the end of each epoch with the
    running count of samples (scikit-learn's ``t_``), so epoch 0 uses γ₀.
    """

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
    if isinstance(schedule, (AdaptiveLR, ReduceLROnPlateau)) and schedule.mode == "max":
        raise ValueError(
            f"{owner} steps the schedule with each epoch's training loss, which falls as "
            f"training improves; {type(schedule).__name__}(mode='max') would take every "
            "improving epoch for a bad one and cut the lr. Use mode='min' (the default), or "
            "step the schedule yourself with a score that rises."
        )
    if initial_epoch and isinstance(schedule, LRSchedule):
        curve = schedule._clock == "epoch" and type(schedule)._rate is not LRSchedule._rate
        fresh = schedule._clock != "epoch" and not getattr(schedule, schedule._clock)
        if (curve and schedule.epoch != initial_epoch) or fresh:  # (AdaptiveLR: neither)
            raise ValueError(
                f"{owner}: the run resumes after epoch {initial_epoch} and the schedule has "
                f"stepped {schedule.epoch} epochs, so its rates would be another epoch's. "
                "Resume it too (load_state_dict of the interrupted run's schedule), or step "
                "it to that epoch."
            )
    return schedule
