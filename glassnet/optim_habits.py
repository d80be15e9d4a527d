"""PyTorch's habits of an optimizer: state dicts, param-group edits, ``zero_grad``, a repr.

:mod:`glassnet.optim` holds the lecture's update rules (SGD with momentum, Adam, AdamW) on
flat buffers, and how a step applies them; ``fit`` needs nothing else of an optimizer. A
PyTorch user also saves and loads its state (``state_dict``/``load_state_dict``, with
glassnet 0.1's layout upgraded), edits ``param_groups`` between steps (a dict appended, a
setting changed: taken or checked at the next step, ``_regroup``), clears the gradients
between steps of a hand-written loop (``zero_grad``; ``fit``'s steps clear them through the
model) and prints it. Those are attached to :class:`~glassnet.optim.Optimizer` here, beside
the optimizers as :mod:`glassnet.torch_optim` is (``glassnet.optim`` imports this module
at its end, so every optimizer has them), which keeps optim.py the update rules in one
sitting. So are the old import paths: ``glassnet.optim.lr_scheduler`` (PyTorch's place of
the schedules) and the schedules' names of glassnet 0.1 (``glassnet.optim.StepLR``, with a
DeprecationWarning).
"""

from __future__ import annotations

import copy
import sys
import weakref
from collections.abc import Callable, Mapping
from operator import is_not
from typing import Any

import numpy as np

from . import optim
from . import torch_optim as _torch
from ._validation import (
    TORCH_SWITCHES,
    attach,
    check_flag,
    check_params,
    check_setting,
    check_state_arrays,
    check_state_dict,
    legacy_optimizer_state,
    moved,
    optim_message,
    torch_switches,
)
from .backend import namespace
from .nn.flat import FlatParameters
from .optim import RULES, Optimizer
from .tensor import Tensor

__all__ = [
    "Weak",
    "add_groups",
    "check_group",
    "check_momentum",
    "group_keys",
    "group_params",
    "weak",
]

# torch.optim.lr_scheduler's place (glassnet.optim.lr_scheduler), also as an import path
sys.modules[f"{optim.__name__}.lr_scheduler"] = optim.lr_scheduler

# The learning-rate schedules moved to glassnet.schedules (glassnet 0.2); their old names
# in glassnet.optim still work, with a DeprecationWarning, until glassnet 0.3.
optim.__getattr__ = moved(  # type: ignore[attr-defined]
    "glassnet.optim", "glassnet.schedules", ("SCHEDULES", "LRSchedule", "ConstantLR", "StepLR",
    "ExponentialLR", "CosineAnnealingLR", "InvScalingLR", "AdaptiveLR", "get_schedule"),
    "glassnet 0.3",
)  # fmt: skip


def check_group(group: Any, owner: str) -> Mapping[str, Any]:
    """``group``, a param group of ``owner`` (an optimizer's name): a dict with ``"params"``,
    as PyTorch's, else a TypeError."""
    if not isinstance(group, Mapping) or "params" not in group:
        raise TypeError(f"A param group of {owner} is a dict with 'params'. Got {group!r:.80}.")
    return group


def check_momentum(h: dict[str, Any], owner: str) -> dict[str, Any]:
    """SGD's checked settings ``h`` as they are, unless two refuse each other (a ValueError):
    Nesterov in PyTorch's style needs momentum > 0 and no dampening (as PyTorch's SGD
    refuses it), and scikit-learn's style has no dampening."""
    mu, damp = h["momentum"], h["dampening"]
    if h["style"] == "torch" and h["nesterov"] and (mu <= 0 or damp):
        raise ValueError(optim_message("nesterov", owner=owner, mu=mu, damp=damp))
    if h["style"] == "sklearn" and damp:
        raise ValueError(optim_message("dampening", owner=owner, damp=damp))
    return h


def group_keys(name: str, settings: Mapping[str, Any], known: tuple[str, ...]) -> Any:
    """A param group's ``settings`` for optimizer ``name`` whose settings are ``known``:
    PyTorch's switches (``foreach=``, ...) taken as its constructor takes them, the keys
    it does not read kept, a misspelled setting refused (:func:`torch_optim.check_keys`)."""
    if not TORCH_SWITCHES.keys().isdisjoint(settings):  # (a group's foreach=, ...)
        settings = torch_switches(name, dict(settings), known)
    _torch.check_keys(name, settings, known)  # (others' keys kept; a misspelling refused)
    return settings


def add_param_group(self: Optimizer, param_group: Mapping[str, Any]) -> None:
    """Add parameters with settings of their own (PyTorch's ``add_param_group``):
    ``{"params": [...], "lr": 0.1}``; the settings not given are :attr:`defaults`."""
    group = check_group(param_group, type(self).__name__)  # (a dict with "params")
    settings = self._validate({**self.defaults, **group})
    self._join(group, settings, group_params(self, group["params"]))  # (none in another)


#: glassnet's own add_param_group, and its checks of a group's settings that give the same
#: settings when run again (LBFGS has an add_param_group of its own), as this import left
#: them: a subclass's own, or a patch, is called for the constructor's group (add_groups)
_OWN_ADD, _OWN_VALIDATE = add_param_group, (Optimizer._validate, optim.SGD._validate)


def add_groups(opt: Optimizer, items: list[Any]) -> None:
    """The param groups of ``opt``'s constructor, given ``items`` (checked by
    ``check_params``): each dict a group, as PyTorch's, added by ``opt.add_param_group``;
    else one group of the list. That one's settings are ``opt.defaults``, which the
    constructor checked, and its parameters were checked with them: it joins as it is,
    without add_param_group's second check of both (tens of us a call), unless a subclass's
    own add_param_group would see it (it may edit the group), or its own _validate (it may
    check a group, or not give the same settings again), or a patch of either
    (``_OWN_ADD``, ``_OWN_VALIDATE``)."""
    if all(isinstance(g, Mapping) for g in items):
        for group in items:
            opt.add_param_group(group)
    elif (
        type(opt).add_param_group is not _OWN_ADD
        or type(opt)._validate not in _OWN_VALIDATE
        or not {"add_param_group", "_validate"}.isdisjoint(vars(opt))  # (an instance's own)
    ):
        opt.add_param_group({"params": items})
    else:
        opt._join({"params": items}, dict(opt.defaults), items)  # (a copy: a group's own)


def group_params(opt: Optimizer, given: Any) -> list[Any]:
    """A param group's ``"params"``, checked: one tensor as PyTorch's group takes it (a list
    of one), and none already in one of ``opt``'s groups."""
    name = type(opt).__name__
    plist = check_params([given] if isinstance(given, Tensor) else given, name)
    if {id(p) for p in plist} & {id(p) for p in opt.params}:
        raise ValueError(optim_message("shared", name=name))
    return plist


class Weak(weakref.ref):
    """A weak reference to an array (a step's gradient, which ``zero_grad(False)`` zeroes
    if a caller still holds it): ``weakref.ref`` itself (its C-speed call).

    A deep copy refers to the copy of its array, alive only if the copy holds it
    elsewhere (never to the original's: a copied optimizer's ``zero_grad`` would zero and
    take the original's gradient); a pickle holds none (it would fail on a weakref)."""

    __slots__ = ()

    def __deepcopy__(self, memo: dict[int, Any]) -> Callable[[], Any]:
        value = self()
        return _DEAD if value is None else weak(copy.deepcopy(value, memo))

    def __reduce__(self) -> tuple[Callable[[], Any], tuple[()]]:
        return (_dead, ())


class Strong:
    """For a value that takes no weak reference (a float): a holder that returns it, copied
    with it, pickled (as :class:`Weak`) without it."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __call__(self) -> Any:
        return self.value

    def __reduce__(self) -> tuple[Callable[[], Any], tuple[()]]:
        return (_dead, ())

    def __deepcopy__(self, memo: dict[int, Any]) -> Strong:
        return Strong(copy.deepcopy(self.value, memo))


def _dead() -> Callable[[], Any]:
    return _DEAD


_DEAD = Weak(np.empty(0))  # (its referent gone at once: a dead reference, returns None)


def weak(value: Any) -> Callable[[], Any]:
    """A weak reference to ``value`` (an array), or for a value that takes none (a float)
    a function that returns it (:class:`Weak`, :class:`Strong`: copied and pickled without
    the original)."""
    try:
        return Weak(value)
    except TypeError:
        return Strong(value)


def _regroup(self: Optimizer) -> None:
    """Take group dicts appended to ``param_groups`` as :meth:`add_param_group` does;
    refuse, rather than ignore, the other edits made after a group was added; check a
    group's settings again where its dict was changed (``group["lr"] = 0.1``)."""
    n, groups = len(self._packs), self.param_groups
    if len(groups) < n or any(
        g is not p.group or not isinstance(g.get("params"), list)
        or [*map(id, g["params"])] != [*map(id, p.order)]
        for g, p in zip(groups, self._packs)
    ):  # fmt: skip
        raise RuntimeError(optim_message("edited", name=type(self).__name__))
    for group in groups[n:]:
        del groups[n]
        self.add_param_group(group)
    for group, pack in zip(groups, self._packs):
        if len(group) != len(pack.seen) or any(map(is_not, group.values(), pack.seen)):
            self._settle(pack, self._validate(group), group)


def zero_grad(self: Optimizer, set_to_none: bool = True) -> None:
    """Clear ∂J/∂w: ``p.grad = None`` for every parameter (PyTorch's default: the next
    step skips a parameter that gets no gradient), or, with ``set_to_none=False``,
    ∂J/∂w ← 0 in place: a ``p.grad`` of its own (one that ``backward()`` made, which the
    caller may hold) zeroed where it is and kept, as PyTorch's, also after a ``step()``
    (which copied it into the flat buffer); a None its flat view. (Set to None, the
    flat buffer is not zeroed: the next step copies in each new gradient, and a None
    as 0.)"""
    set_to_none = check_flag(set_to_none, "set_to_none", "zero_grad")
    self._generation += 1
    for pack in self._packs:
        held = () if set_to_none else [p.grad for p in pack.flat.params]
        if not set_to_none:
            pack.flat.zero_grad()
        for p, g, h in zip(pack.flat.params, held, pack.held or [None] * len(held)):
            g = h() if h is not None and g is p.grad else g  # (h: the step's, copied in)
            if g is not None and g is not p.grad:
                g.fill(0)
                p.grad = g
        for p in pack.flat.params if set_to_none else ():
            p.grad = None
        pack.held = []


def _zero_flat(self: FlatParameters) -> None:
    """∂J/∂θ ← 0 in place; every ``p.grad`` is its view again (``FlatParameters.zero_grad``,
    which :func:`zero_grad` with ``set_to_none=False`` calls)."""
    for g in self.grad:
        g.fill(0)
    for p, _, gv in self._slots:
        p.grad = gv


def state_dict(self: Optimizer) -> dict[str, Any]:
    """Everything needed to resume: plain Python values and copied arrays.

    ``{"type": ..., "t": ..., "param_groups": [...]}``; each group's entry holds its
    settings and, for its parameters of each dtype g, ``"<buffer>.<g>"`` per state
    buffer (for example ``"m.0"``), of shape ``(numel,)``, laid out as θ in
    :func:`glassnet.nn.flatten_parameters`, and under ``"extra"`` (deep copies) the group's
    keys that are not settings, which :meth:`load_state_dict` gives back as PyTorch's
    does. The parameters' values are not included
    (save the model for those). This is not PyTorch's layout: it has no ``"state"``
    key of per-parameter entries (``state_dict()["state"][0]["exp_avg"]``); read
    :attr:`state` for those, by parameter with PyTorch's names
    (``opt.state[p]["exp_avg"]``).
    """
    if not hasattr(type(self), "_rule"):  # (a step of its own: PyTorch's layout)
        return _torch.own_state_dict(self)
    self._regroup()
    groups = []
    for pack in self._packs:
        bufs = {f"{n}.{g}": b.copy() for g, s in enumerate(pack.state) for n, b in s.items()}
        extra = _torch.group_extras(pack.group, pack.settings)
        groups.append({**pack.settings, **bufs, "steps": pack.steps.copy(), **extra})
    return {"type": type(self).__name__, "t": self.t, "param_groups": groups}


def load_state_dict(self: Optimizer, state_dict: Mapping[str, Any], *, finite: bool = True) -> None:
    """Restore what :meth:`state_dict` returned (settings, t, buffers); a state dict
    of glassnet 0.1 (one group, its settings at the top level) loads too.

    Everything is checked before anything changes: the type, the keys, the settings,
    and each buffer's shape and dtype, and that it is finite (``finite=False`` takes
    NaN and inf too: a state kept from a run whose moments overflowed, put back as it
    was, as :mod:`glassnet.eager` puts back the step before a divergence).

    A state saved from parameters of another float dtype is converted to each
    parameter's dtype, as PyTorch's is, where every parameter of a group has one dtype
    (float32 into float64 and back). A group of mixed float32 and float64 parameters
    keeps one buffer per dtype (``"m.0"``, ``"m.1"``): its state is not converted, and
    loads only into a group of the same dtypes in the same order.
    """
    name = type(self).__name__
    if not hasattr(type(self), "_rule"):  # (a step of its own: PyTorch's layout)
        return _torch.load_own_state_dict(self, state_dict)
    if isinstance(state_dict, Mapping) and "param_groups" not in state_dict:  # (0.1's layout)
        state_dict = legacy_optimizer_state(state_dict, name)
    check_state_dict(state_dict, type(self), ["type", "t", "param_groups"])
    t, saved = check_setting(state_dict["t"], "t", name, RULES["t"]), state_dict["param_groups"]
    if not isinstance(saved, list) or len(saved) != len(self._packs):
        raise ValueError(optim_message("groups", name=name, saved=saved, packs=self._packs))
    loaded = [self._loaded(entry, pack, finite) for entry, pack in zip(saved, self._packs)]
    for group, pack, (hyper, bufs, steps, own) in zip(self.param_groups, self._packs, loaded):
        pack.steps = np.array([t] * len(pack.steps) if steps is None else steps, np.int64)
        pack.state = bufs
        _torch.restore_extras(group, own, hyper)
        self._settle(pack, hyper, group)
    self.t, self._generation = t, self._generation + 1


def _loaded(self: Optimizer, entry: Any, pack: Any, finite: bool = True) -> tuple:
    """One group's settings and state buffers from its saved entry, checked."""
    name = type(self).__name__
    if isinstance(entry, Mapping) and "style" in self.defaults and "style" not in entry:
        entry = {**entry, "style": "torch"}  # (Adam's state dicts before its style setting)
    check_state_dict(entry, name, self.defaults, partial=True)
    settings = self._validate({k: entry[k] for k in self.defaults})
    names, chunks = self._buffers(settings), range(len(pack.state))
    like = {f"{n}.{g}": pack.flat.data[g] for g in chunks for n in names}
    steps = entry.get("steps")  # each parameter's step count (none before glassnet 0.2)
    check_state_dict(entry, name, [*self.defaults, *like, *{"steps", "extra"} & set(entry)])
    extra = _torch.checked_extras(entry, name, self.defaults)
    arrays = check_state_arrays(entry, like, name, finite=finite, params=len(pack.steps))
    if steps is not None and np.shape(steps) != pack.steps.shape:
        raise ValueError(f"{name}: 'steps' must hold one count per parameter of its group.")
    steps = None if steps is None else [check_setting(int(k), "t", name, RULES["t"]) for k in steps]
    # (copied onto the parameters' device: a checkpoint holds host arrays)
    xp = [namespace(d) for d in pack.flat.data]
    bufs = [{n: xp[g].asarray(arrays[f"{n}.{g}"]).copy() for n in names} for g in chunks]
    return settings, bufs, steps, extra


def __repr__(self: Optimizer) -> str:
    groups = [", ".join(f"{k}={g[k]!r}" for k in self.defaults) for g in self.param_groups]
    numel = sum(d.size for p in self._packs for d in p.flat.data)
    size = f"params={len(self.params)}, numel={numel}"
    return f"{type(self).__name__}({' | '.join(groups)}; {size})"


# (under the names they had in optim.py: Python's argument errors, tracebacks and pickles)
attach(
    Optimizer,
    (add_param_group, _regroup, zero_grad, state_dict, load_state_dict, _loaded, __repr__),
)
attach(FlatParameters, {"zero_grad": _zero_flat})  # (the flat buffers' own, for zero_grad)
