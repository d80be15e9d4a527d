"""PyTorch's further optimizers: :class:`RMSprop`, :class:`Adagrad`, :class:`Adadelta`,
:class:`Adamax`, :class:`NAdam` and :class:`RAdam`, with PyTorch's formulas.

Each is a rule on :class:`glassnet.optim.Optimizer`'s flat buffers, written with the
building blocks :class:`~glassnet.optim.Adam` uses; :mod:`glassnet.optim` (and its
``OPTIMIZERS``, by name) holds them too. They serve a PyTorch-style loop or a run that asks
for them by name: the lecture's rules and scikit-learn's (SGD with momentum, Adam, AdamW)
are :mod:`glassnet.optim`'s own, and the compiled loop (:mod:`glassnet.jit`) takes only those.
"""

from __future__ import annotations

import collections
import copy
import functools
import weakref
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ._validation import TORCH_SWITCHES, check_setting, check_state_dict
from .gradient import as_grad
from .optim import (
    RULES,
    Optimizer,
    average,
    decayed,
    descend,
    mean_square,
    moments,
    setting,
    signature,
)

if TYPE_CHECKING:  # (the constructors' types: glassnet/declarations.pyi, for type checkers)
    from .declarations import Betas, Params, Switches, SwitchesNoDecay, Unpack

__all__ = ["RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam"]

# ---------------------------------------------------------------------------
# PyTorch's opt.state[p]["exp_avg"]: views of the flat buffers (every Optimizer's)
# ---------------------------------------------------------------------------
#: PyTorch's names of the optimizers' state buffers (``opt.state[p]["exp_avg"]``), by class;
#: a buffer not named here keeps glassnet's name
_TORCH_STATE = {
    "SGD": {"v": "momentum_buffer"},
    "Adam": {"m": "exp_avg", "v": "exp_avg_sq", "v_max": "max_exp_avg_sq"},
    "RMSprop": {"v": "square_avg", "g_avg": "grad_avg", "b": "momentum_buffer"},
    "Adagrad": {"sum": "sum"},
    "Adadelta": {"v": "square_avg", "u": "acc_delta"},
    "Adamax": {"m": "exp_avg", "u": "exp_inf"},
    "NAdam": {"m": "exp_avg", "v": "exp_avg_sq"},
    "RAdam": {"m": "exp_avg", "v": "exp_avg_sq"},
}


def torch_state_names(opt: Any) -> dict[str, str]:
    """PyTorch's names of ``opt``'s state buffers (glassnet's name -> PyTorch's), by its
    class or the nearest base class :data:`_TORCH_STATE` names; {} for others."""
    return next((_TORCH_STATE[c.__name__] for c in type(opt).__mro__ if c.__name__ in
                 _TORCH_STATE), {})  # fmt: skip


def rule_state(opt: Any) -> list[str] | None:
    """The names of the state buffers ``opt``'s update rule keeps (moments, a velocity,
    sums), which a fresh one starts at zero: [] for plain SGD; None for an optimizer with
    a step of its own (not a glassnet rule: its step count is its own too). What
    ``fit(initial_epoch=k)`` reads of an optimizer, here beside the optimizers' classes."""
    if not hasattr(type(opt), "_rule"):
        return None
    return sorted({n for pack in opt._packs for n in opt._buffers(pack.settings)})


def state_buffers(opt: Any) -> list[tuple[str, Any]]:
    """``(name, buffer)`` for each flat state buffer of a glassnet optimizer ``opt`` (one
    per buffer name, param group and dtype); [] for another's."""
    packs = getattr(opt, "_packs", ()) if hasattr(type(opt), "_rule") else ()
    return [(n, b) for pack in packs for bufs in pack.state for n, b in bufs.items()]


def state_dict_into(opt: Any, kept: dict[str, Any] | None) -> dict[str, Any]:
    """``opt.state_dict()``, into ``kept`` (an earlier one's copies) where it fits: a
    glassnet optimizer's buffers and step counts are copied with np.copyto, with no new
    arrays, and its settings (the lr a schedule set) taken anew (what
    :class:`glassnet.ModelCheckpoint` keeps of every epoch)."""
    packs = opt._packs if hasattr(type(opt), "_rule") else None
    if kept is None or packs is None or len(packs) != len(kept["param_groups"]):
        return opt.state_dict()
    opt._regroup()  # (the settings as param_groups hold them now, as state_dict reads)
    for pack, group in zip(packs, kept["param_groups"]):
        group.update(pack.settings)
        pairs = [
            (group.get(f"{n}.{g}"), b) for g, st in enumerate(pack.state) for n, b in st.items()
        ]
        pairs.append((group.get("steps"), pack.steps))
        if any(k is None or k.shape != b.shape for k, b in pairs):
            return opt.state_dict()
        for k, b in pairs:
            np.copyto(k, b)
    kept["t"] = opt.t
    return kept


class _StateView(dict):
    """What ``opt.state`` and each of its entries read as: made anew at each read from the
    optimizer's buffers, so a write into the mapping itself would be lost; it is refused
    (a write into a buffer's values, ``opt.state[p]["exp_avg"][...] = 0``, is the
    optimizer's). A parameter without state reads as an empty entry, as PyTorch's."""

    def __missing__(self, key: Any) -> Any:
        return _StateView()

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(
            "opt.state is read from the optimizer's own buffers at each read: a change to the "
            "mapping would be lost. Write into a buffer's values "
            "(opt.state[p]['exp_avg'][...] = 0, opt.state[p]['exp_avg'].zero_()), or start "
            "every moment and step count afresh with opt.state = collections.defaultdict(dict)."
        )

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _refuse  # type: ignore[assignment]


class _State:
    """``opt.state``: PyTorch's per-parameter state, ``{p: {"step": k, "exp_avg": ...}}``,
    each buffer a view (the parameter's shape) of the optimizer's own flat buffer, so a
    write into it is the optimizer's. Assigning an empty mapping (PyTorch's moment-reset
    idiom, ``opt.state = collections.defaultdict(dict)``) starts every buffer and step
    count afresh, as PyTorch's lazily re-created state does; another mapping is refused.
    (An optimizer of no flat buffers, L-BFGS, keeps its own dict.)"""

    def __get__(self, opt: Any, cls: Any = None) -> Any:
        if opt is None:
            return self
        if not hasattr(type(opt), "_rule"):  # (a step of its own: PyTorch's defaultdict(dict))
            return opt.__dict__.setdefault("_own_state", collections.defaultdict(dict))
        opt._regroup()
        names = torch_state_names(opt)
        state = _StateView()
        for pack in opt._packs:
            steps = pack.steps
            for i, (p, (c, sl)) in enumerate(zip(pack.flat.params, pack.flat.slots)):
                bufs = pack.state[c]
                entry = {"step": np.int64(steps[i])}  # (.item() as PyTorch's step tensor)
                for n, b in bufs.items():
                    if b.shape == pack.flat.data[c].shape:  # (a per-parameter buffer)
                        entry[names.get(n, n)] = as_grad(b[sl].reshape(p.data.shape))
                dict.__setitem__(state, p, _StateView(entry))
        return state

    def __set__(self, opt: Any, value: Any) -> None:
        if not hasattr(type(opt), "_rule"):
            opt.__dict__["_own_state"] = value
            return
        name = type(opt).__name__
        if not isinstance(value, Mapping) or len(value):
            raise TypeError(
                f"{name}.state = ...: only an empty mapping is taken (opt.state = "
                f"collections.defaultdict(dict): every moment and step count starts afresh, as "
                f"PyTorch's lazily re-created state does). Got {type(value).__name__} of "
                f"{len(value) if isinstance(value, Mapping) else '?'} entries: write into "
                f"opt.state[p]['exp_avg'][...] (views of the optimizer's buffers), or restore a "
                f"saved state with opt.load_state_dict(...)."
            )
        for pack in opt._packs:
            pack.state = [{} for _ in pack.flat.data]
            pack.steps = np.zeros(len(pack.flat.params), np.int64)
            opt._settle(pack, pack.settings, pack.group)
        opt._generation += 1  # (a prepared step runs step() again, on the new buffers)


Optimizer.state = _State()  # type: ignore[attr-defined]
# scikit-learn's name of lr, read and written (its optimizers' learning_rate)
Optimizer.learning_rate = property(  # type: ignore[assignment]
    lambda self: self.lr,
    lambda self, value: setattr(self, "lr", value),
    doc="``lr`` (scikit-learn's optimizers' name).",
)


# ---------------------------------------------------------------------------
# PyTorch's way of writing an optimizer: a subclass of Optimizer with a step() of its own,
# built with super().__init__(params, defaults), its buffers in self.state[p]
# ---------------------------------------------------------------------------


def pytorch_defaults(opt: Any, defaults: Mapping[str, Any]) -> tuple[Any, dict[str, Any]]:
    """PyTorch's ``Optimizer.__init__(params, defaults)``, for a subclass that writes its own
    ``step()``: the dict's keys are each group's settings (``opt.defaults``), unchecked but
    ``lr`` (a number >= 0), and a group may hold keys of its own, as PyTorch's. Returns the lr
    and the settings for :meth:`glassnet.optim.Optimizer.__init__`."""
    name = type(opt).__name__
    if hasattr(type(opt), "_rule"):  # (a glassnet rule: its settings are its signature's)
        raise TypeError(
            f"{name} takes lr, a number, and its settings by keyword (got lr={defaults!r:.80}): "
            "PyTorch's Optimizer.__init__(params, defaults) dict is for a subclass of "
            "glassnet.optim.Optimizer that writes its own step()."
        )
    if type(opt).step is Optimizer.step:  # (no rule of glassnet's, no step of its own)
        raise TypeError(
            f"{name} is built with PyTorch's defaults dict but writes no step(): override "
            "step(self, closure=None), updating each p of group['params'] for group in "
            "self.param_groups (under gn.no_grad()), its buffers in self.state[p]."
        )
    opt._hyper, opt._free = tuple(k for k in defaults if k != "lr"), True
    return defaults.get("lr", NO_LR), dict(defaults)


#: The lr of a subclass whose defaults dict has none (PyTorch's takes one without: a
#: sign-SGD's ``eta``); its groups hold no "lr" (a learning-rate schedule needs one).
class _NoLr:
    def __repr__(self) -> str:
        return "NO_LR"


NO_LR = _NoLr()


def free_settings(opt: Any, settings: Mapping[str, Any]) -> dict[str, Any]:
    """A group's settings for a subclass built with PyTorch's defaults dict: every key but
    ``params`` as given (the subclass's own), ``lr`` checked (a number >= 0, or None as
    PyTorch's Adafactor takes; none where the defaults hold none)."""
    out = {k: v for k, v in settings.items() if k != "params" and v is not NO_LR}
    if out.get("lr") is not None:
        out["lr"] = check_setting(out["lr"], "lr", type(opt).__name__, {"low": 0})
    return out


# ---------------------------------------------------------------------------
# PyTorch's param groups: dicts that carry any key, kept by the optimizer given them
# ---------------------------------------------------------------------------
_GROUPED: weakref.WeakSet = weakref.WeakSet()  # the optimizers that have added param groups


def _edits(a: str, b: str) -> int:
    """The edits (a letter changed, added, removed, or two neighbours swapped) from a to b."""
    row2, row = None, list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        new = [i] + [0] * len(b)
        for j, y in enumerate(b, 1):
            new[j] = min(row[j] + 1, new[j - 1] + 1, row[j - 1] + (x != y))
            if row2 is not None and i > 1 and j > 1 and x == b[j - 2] and a[i - 2] == y:
                new[j] = min(new[j], row2[j - 2] + 1)
        row2, row = row, new
    return row[-1]


@functools.lru_cache(maxsize=4096)
def _near(key: str, known: tuple[str, ...]) -> bool:
    """Whether ``key`` is a letter or two from one of the settings ``known`` (remembered: a
    group's own key, a schedule's ``initial_lr``, is looked at again at every step after a
    change of its lr)."""
    return any(_edits(key.lower(), s) <= (1 if len(s) <= 5 else 2) for s in known)


def check_keys(name: str, settings: Mapping[str, Any], known: tuple[str, ...]) -> None:
    """A param group's keys for a glassnet rule: as PyTorch's, a group may carry keys the
    optimizer does not read (Lookahead's ``lookahead_step``, SAM's ``rho``, a ``"name"`` for
    logging), kept in the group and ignored by the step; a key a letter or two away from one
    of its settings (``"momentun"``, ``"weight_decya"``, ``"beta"``) is refused, since the
    setting meant would silently stay at its default. (A setting of another optimizer,
    ``"rho"`` given to SGD, is kept.)"""
    typos = sorted(
        k for k in settings
        if k != "params" and k not in known and k not in RULES and isinstance(k, str)
        and _near(k, known)
    )  # fmt: skip
    if typos:
        near = {k: min(known, key=lambda s, k=k: _edits(k.lower(), s)) for k in typos}
        raise ValueError(
            f"{name} has no settings {typos}; its settings are {list(known)}. "
            + ", ".join(f"{k!r} looks like {s!r}" for k, s in near.items())
            + ": spell the setting as it is named (a misspelled one would stay at its default); "
            "a key of your own, which the step ignores as PyTorch's does, needs a name that is "
            "not a letter or two from a setting's."
        )


def group_extras(group: Mapping[str, Any], settings: Mapping[str, Any]) -> dict[str, Any]:
    """A built-in optimizer's state-dict entry for the keys of its param group it does not
    read (a ``"name"`` for logging, Lookahead's slow weights): PyTorch's state dict keeps
    them, so a resumed run has them back. The values themselves, as PyTorch's state dict holds
    them (``fit`` takes a state dict at every run: a copy would cost, and part a wrapper from
    its objects), under ``"extra"``; nothing when there are none."""
    extra = {k: v for k, v in group.items() if k != "params" and k not in settings}
    return {"extra": extra} if extra else {}


def checked_extras(entry: Mapping[str, Any], name: str, settings: Any) -> dict[str, Any] | None:
    """The ``"extra"`` keys of a saved group (see :func:`group_extras`), checked: a dict
    whose keys name neither ``"params"`` nor one of the optimizer's settings; None for an
    entry without them (saved with no keys of the group's own, or before glassnet saved
    them: the group's own keys are then left as they are)."""
    if "extra" not in entry:
        return None
    extra = entry["extra"]
    clash = isinstance(extra, Mapping) and sorted(set(extra) & {"params", *settings}, key=str)
    if not isinstance(extra, Mapping) or clash:
        got = f"the keys {clash}" if clash else type(extra).__name__
        raise ValueError(
            f"{name}.load_state_dict: a group's 'extra' holds the group's keys other than "
            f"'params' and its settings, as a dict. Got {got}; pass the dict state_dict() "
            "returned."
        )
    return dict(extra)


def restore_extras(group: dict[str, Any], extra: Mapping[str, Any] | None, settings: Any) -> None:
    """The group's own keys made the saved ones, as PyTorch's load_state_dict makes them
    (a key added since the save is dropped; ``"params"`` and the settings are kept); an
    entry with none saved (``extra`` None) leaves them."""
    if extra is None:
        return
    for k in [k for k in group if k != "params" and k not in settings]:
        del group[k]
    group.update(extra)


def group_dict(opt: Any, group: Mapping[str, Any], plist: list, settings: dict) -> dict:
    """The dict :meth:`~glassnet.optim.Optimizer.add_param_group` appends to ``param_groups``.
    A group dict of another optimizer (``super().__init__(base.param_groups, defaults)``, a
    Lookahead- or EMA-style wrapper; SAM's ``base_optimizer(self.param_groups)``) is kept
    itself, as PyTorch's ``add_param_group`` keeps the dict it is given: the two optimizers
    share it, so an lr a schedule writes through either is the one both step with. Any
    other mapping is copied, with the keys the optimizer does not read (PyTorch's groups
    keep them)."""
    others = [g for o in list(_GROUPED) if o is not opt for g in getattr(o, "param_groups", ())]
    _GROUPED.add(opt)
    if isinstance(group, dict) and any(group is g for g in others):
        if not isinstance(group["params"], list) or [*map(id, group["params"])] != [
            *map(id, plist)
        ]:
            group["params"] = plist
        return group
    extras = {k: v for k, v in group.items() if k not in settings and k not in TORCH_SWITCHES}
    return {"params": plist, **settings, **{k: v for k, v in extras.items() if k != "params"}}


def _indices(opt: Any) -> dict[int, int]:
    return {id(p): i for i, p in enumerate(p for g in opt.param_groups for p in g["params"])}


def own_state_dict(opt: Any) -> dict[str, Any]:
    """PyTorch's layout, for an optimizer with a step of its own: ``{"state": {i: {...}},
    "param_groups": [{settings..., "params": [i, ...]}]}``, parameters by their index over
    the groups; every value a deep copy."""
    index = _indices(opt)
    stray = [p for p in opt.state if id(p) not in index]
    if stray:
        raise ValueError(
            f"{type(opt).__name__}.state_dict: opt.state holds {len(stray)} entr(y/ies) for a "
            "parameter of none of its param groups, which a state dict cannot name. Key "
            "self.state by the parameters of self.param_groups."
        )
    return {
        "state": {index[id(p)]: copy.deepcopy(dict(s)) for p, s in opt.state.items()},
        "param_groups": [
            {**copy.deepcopy({k: v for k, v in g.items() if k != "params"}),
             "params": [index[id(p)] for p in g["params"]]}
            for g in opt.param_groups
        ],
    }  # fmt: skip


def load_own_state_dict(opt: Any, state: Any) -> None:
    """Restore what :func:`own_state_dict` returned (PyTorch's layout) into an optimizer of
    the same groups: each group's settings and each parameter's state, copied. Everything is
    checked before anything changes."""
    name = type(opt).__name__
    check_state_dict(state, name, ["state", "param_groups"])
    saved, groups = state["state"], state["param_groups"]
    sizes = [len(g["params"]) for g in opt.param_groups]
    given = [
        len(g["params"]) if isinstance(g, Mapping) and isinstance(g.get("params"), list) else None
        for g in (groups if isinstance(groups, list) else [])
    ]
    if given != sizes:
        raise ValueError(
            f"{name}.load_state_dict: the state dict's param groups hold {given} parameters, this "
            f"optimizer's {sizes}; build the optimizer with the same groups, then load."
        )
    params = [p for g in opt.param_groups for p in g["params"]]
    by_index = dict(zip((i for g in groups for i in g["params"]), params))
    if not isinstance(saved, Mapping) or not all(
        k in by_index and isinstance(v, Mapping) for k, v in saved.items()
    ):
        raise ValueError(
            f"{name}.load_state_dict: 'state' must map the parameters' indices of "
            f"'param_groups' to dicts. Got {saved!r:.80}."
        )
    settings = [
        opt._validate({**mine, **{k: v for k, v in g.items() if k != "params"}})
        for g, mine in zip(groups, opt.param_groups)
    ]
    for mine, new in zip(opt.param_groups, settings):
        mine.update(copy.deepcopy(new))
    opt.state = collections.defaultdict(
        dict, {by_index[k]: copy.deepcopy(dict(v)) for k, v in saved.items()}
    )


_UNIT = {"low": 0, "high": 1, "high_open": True}  # [0, 1)
RULES.update({  # what these optimizers' own settings must be (glassnet.optim's table)
    "alpha": _UNIT,
    **dict.fromkeys(("centered", "decoupled_weight_decay"), bool),
    **dict.fromkeys(("lr_decay", "initial_accumulator_value", "momentum_decay"), {"low": 0}),
    "rho": {"low": 0, "high": 1},
})  # fmt: skip


class RMSprop(Optimizer):
    """RMSprop (Hinton's lecture 6e), with PyTorch's formulas.

    Per step (α = alpha, ε = eps, μ = momentum, λ = weight_decay; v, ḡ, b start at 0)::

        g ← g + λ w
        v ← α v + (1 − α) g²                      (mean square)
        ḡ ← α ḡ + (1 − α) g                       (centered only: mean gradient)
        s ← √(v − ḡ²) + ε  if centered  else  √v + ε
        b ← μ b + g / s;  w ← w − γ b              (momentum > 0)
        w ← w − γ g / s                            (momentum = 0)

    With ``centered`` the variance ``v − ḡ²`` is clipped at 0 before the square root
    (rounding can push it a hair below 0, where PyTorch would return NaN).

    Parameters
    ----------
    params : iterable of parameters (objects with ``.data`` and ``.grad``)
    lr : float >= 0, default 1e-2
    alpha : float in [0, 1), default 0.99
    eps : float > 0, default 1e-8
    weight_decay : float >= 0, default 0
    momentum : float in [0, 1), default 0
    centered : bool, default False

    State: ``t``, ``v``, and ``g_avg`` (centered), ``b`` (momentum > 0), each of shape
    ``(numel,)`` per dtype group.
    """

    _hyper = ("alpha", "eps", "momentum", "centered", "weight_decay")
    alpha, eps, momentum, centered, weight_decay = map(setting, _hyper)

    @signature
    def __init__(self, params: Params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False,
                 **switches: Unpack[Switches]) -> None: ...  # fmt: skip

    _buffers = staticmethod(
        lambda h: ["v"] + ["g_avg"] * h["centered"] + ["b"] * (h["momentum"] > 0)
    )

    def _rule(self, w: np.ndarray, g: np.ndarray, work: Any, state: dict, h: dict) -> None:
        a, b = work
        g, v = decayed(g, w, h["weight_decay"], b), state["v"]  # g ← g + λw
        mean_square(v, g, h["alpha"], a)  # v ← αv + (1 − α)g²
        if h["centered"]:  # ḡ ← αḡ + (1 − α)g;  s = √max(v − ḡ², 0)
            g_avg = state["g_avg"]
            average(g_avg, g, h["alpha"], a)
            np.multiply(g_avg, g_avg, out=a)
            v = np.maximum(np.subtract(v, a, out=a), 0.0, out=a)
        d = np.divide(g, np.add(np.sqrt(v, out=a), h["eps"], out=a), out=a)  # g / (√v + ε)
        if h["momentum"]:  # b ← μb + g/s;  w ← w − γb
            np.multiply(state["b"], h["momentum"], out=state["b"])
            d = np.add(state["b"], a, out=state["b"])
        descend(w, d, h["lr"], a, self.fuse_above)


class Adagrad(Optimizer):
    """Adagrad (Duchi, Hazan & Singer, 2011), with PyTorch's formulas.

    Per step t = 1, 2, ... (η = lr_decay, ε = eps, λ = weight_decay; the sum s starts at
    τ = initial_accumulator_value)::

        g ← g + λ w
        s ← s + g²                                 (elementwise)
        w ← w − γ/(1 + (t − 1) η) · g / (√s + ε)

    A param group's own ``initial_accumulator_value`` starts its sums (PyTorch starts
    every group's at the constructor's value).

    Parameters
    ----------
    params : iterable of parameters (objects with ``.data`` and ``.grad``)
    lr : float >= 0, default 1e-2
    lr_decay : float >= 0, default 0
    weight_decay : float >= 0, default 0
    initial_accumulator_value : float >= 0, default 0
    eps : float > 0, default 1e-10

    State: ``t`` and ``sum``, of shape ``(numel,)`` per dtype group.
    """

    _hyper = ("lr_decay", "weight_decay", "initial_accumulator_value", "eps")
    lr_decay, weight_decay, initial_accumulator_value, eps = map(setting, _hyper)

    @signature
    def __init__(self, params: Params, lr: float = 1e-2, lr_decay: float = 0.0,
                 weight_decay: float = 0.0, initial_accumulator_value: float = 0.0,
                 eps: float = 1e-10, **switches: Unpack[Switches]) -> None: ...  # fmt: skip

    _buffers = staticmethod(lambda h: ["sum"])
    _start = staticmethod(lambda name, h: h["initial_accumulator_value"])
    # step t's rate γ/(1 + (t − 1)η)
    _per_step = staticmethod(lambda h: {**h, "rate": h["lr"] / (1 + (h["t"] - 1) * h["lr_decay"])})

    def _rule(self, w: np.ndarray, g: np.ndarray, work: Any, state: dict, h: dict) -> None:
        a, b = work
        g, s = decayed(g, w, h["weight_decay"], b), state["sum"]  # g ← g + λw
        np.add(s, np.multiply(g, g, out=a), out=s)  # s ← s + g²
        np.divide(g, np.add(np.sqrt(s, out=a), h["eps"], out=a), out=a)  # g / (√s + ε)
        descend(w, a, h["rate"], a, self.fuse_above)


class Adadelta(Optimizer):
    """Adadelta (Zeiler, 2012), with PyTorch's formulas.

    Per step (ρ = rho, ε = eps, λ = weight_decay; v, u start at 0)::

        g ← g + λ w
        v ← ρ v + (1 − ρ) g²                       (elementwise)
        Δ ← √(u + ε) / √(v + ε) · g
        u ← ρ u + (1 − ρ) Δ²
        w ← w − γ Δ

    Parameters
    ----------
    params : iterable of parameters (objects with ``.data`` and ``.grad``)
    lr : float >= 0, default 1.0
    rho : float in [0, 1], default 0.9
    eps : float > 0, default 1e-6
    weight_decay : float >= 0, default 0

    State: ``t``, ``v`` and ``u``, each of shape ``(numel,)`` per dtype group.
    """

    _hyper = ("rho", "eps", "weight_decay")
    rho, eps, weight_decay = map(setting, _hyper)

    @signature
    def __init__(self, params: Params, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0.0, **switches: Unpack[Switches]) -> None: ...  # fmt: skip

    _buffers = staticmethod(lambda h: ["v", "u"])

    def _rule(self, w: np.ndarray, g: np.ndarray, work: Any, state: dict, h: dict) -> None:
        (a, b), rho, eps = work, h["rho"], h["eps"]
        g, v, u = decayed(g, w, h["weight_decay"], b), state["v"], state["u"]  # g ← g + λw
        mean_square(v, g, rho, a)  # v ← ρv + (1 − ρ)g²
        q = np.divide(g, np.sqrt(np.add(v, eps, out=a), out=a), out=b)  # g / √(v + ε)
        d = np.multiply(np.sqrt(np.add(u, eps, out=a), out=a), q, out=a)  # Δ
        mean_square(u, d, rho, b)  # u ← ρu + (1 − ρ)Δ²
        descend(w, d, h["lr"], b, self.fuse_above)


class Adamax(Optimizer):
    """Adamax (Kingma & Ba, 2015, section 7): Adam with the infinity norm, PyTorch's formulas.

    Per step t = 1, 2, ... (β₁, β₂ = betas, ε = eps, λ = weight_decay; m, u start at 0)::

        g ← g + λ w
        m ← β₁ m + (1 − β₁) g
        u ← max(β₂ u, |g| + ε)                     (elementwise)
        w ← w − γ/(1 − β₁ᵗ) · m / u

    Parameters
    ----------
    params, lr, betas, eps, weight_decay
        As :class:`Adam`'s, but ``lr`` defaults to 2e-3.

    State: ``t``, ``m`` and ``u``, each of shape ``(numel,)`` per dtype group.
    """

    _hyper = ("betas", "eps", "weight_decay")
    betas, eps, weight_decay = map(setting, _hyper)

    @signature
    def __init__(self, params: Params, lr: float = 2e-3, betas: Betas = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0,
                 **switches: Unpack[Switches]) -> None: ...  # fmt: skip

    _buffers = staticmethod(lambda h: ["m", "u"])
    # step t's rate γ/(1 − β₁ᵗ)
    _per_step = staticmethod(lambda h: {**h, "rate": h["lr"] / (1 - h["betas"][0] ** h["t"])})

    def _rule(self, w: np.ndarray, g: np.ndarray, work: Any, state: dict, h: dict) -> None:
        (a, b), (b1, b2), m, u = work, h["betas"], state["m"], state["u"]
        g = decayed(g, w, h["weight_decay"], b)  # g ← g + λw
        average(m, g, b1, a)  # m ← β₁m + (1 − β₁)g
        np.maximum(np.multiply(u, b2, out=u), np.add(np.abs(g, out=a), h["eps"], out=a), out=u)
        descend(w, np.divide(m, u, out=a), h["rate"], a, self.fuse_above)  # w ← w − γ' m/u


class NAdam(Optimizer):
    """NAdam (Dozat, 2016): Adam with Nesterov momentum, PyTorch's formulas.

    Per step t = 1, 2, ... (β₁, β₂ = betas, ψ = momentum_decay, ε = eps,
    λ = weight_decay; m, v start at 0)::

        w ← w (1 − γ λ)  if decoupled_weight_decay  else  g ← g + λ w
        m ← β₁ m + (1 − β₁) g;   v ← β₂ v + (1 − β₂) g²
        μₜ = β₁ (1 − ½ · 0.96^(t ψ)),   Πₜ = μ₁ μ₂ ⋯ μₜ
        s ← √(v / (1 − β₂ᵗ)) + ε
        w ← w − γ (1 − μₜ)/(1 − Πₜ) · g / s − γ μₜ₊₁/(1 − Πₜ μₜ₊₁) · m / s

    Πₜ is kept per value, as PyTorch keeps it per parameter (``mu_product``): each step
    multiplies it by that step's μₜ, so a β₁ a schedule cycles enters it as it was then.

    Parameters
    ----------
    params, lr, betas, eps, weight_decay
        As :class:`Adam`'s, but ``lr`` defaults to 2e-3.
    momentum_decay : float >= 0, default 4e-3
        ψ, how fast μₜ rises to β₁.
    decoupled_weight_decay : bool, default False
        AdamW's decay of the weights instead of the L2 term in g.

    State: ``t``, ``m``, ``v`` as Adam's and ``mu_product`` (Πₜ, starting at 1), each of
    shape ``(numel,)`` per dtype group.
    """

    _hyper = ("betas", "eps", "weight_decay", "momentum_decay", "decoupled_weight_decay")
    betas, eps, weight_decay, momentum_decay, decoupled_weight_decay = map(setting, _hyper)

    @signature
    def __init__(self, params: Params, lr: float = 2e-3, betas: Betas = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, **switches: Unpack[SwitchesNoDecay]
                 ) -> None: ...  # fmt: skip

    _buffers = staticmethod(lambda h: ["m", "v", "mu_product"])
    _start = staticmethod(lambda name, h: 1.0 if name == "mu_product" else 0.0)
    _mu = staticmethod(lambda b1, psi, t: b1 * (1.0 - 0.5 * (0.96 ** (t * psi))))  # μₜ

    def _per_step(self, h: dict) -> dict:
        """Step t's numbers: AdamW's decay 1 − γλ, 1 − β₂ᵗ, μₜ, μₜ₊₁ and the rates of g and
        m, γ(1 − μₜ) and γμₜ₊₁ (a captured step reads them from the device)."""
        lr, t, (b1, b2), psi = h["lr"], h["t"], h["betas"], h["momentum_decay"]
        mu, mu_next = self._mu(b1, psi, t), self._mu(b1, psi, t + 1)
        return {**h, "decay": 1.0 - lr * h["weight_decay"], "c2": 1.0 - b2**t, "mu": mu,
                "mu_next": mu_next, "rate_g": lr * (1.0 - mu), "rate_m": lr * mu_next}  # fmt: skip

    def _rule(self, w: np.ndarray, g: np.ndarray, work: Any, state: dict, h: dict) -> None:
        (a, b), v, pi = work, state["v"], state["mu_product"]
        g = moments(w, g, work, state, h, h["decoupled_weight_decay"])  # the decay; m and v
        np.multiply(pi, h["mu"], out=pi)  # Πₜ = Πₜ₋₁ μₜ
        # γ(1 − μₜ) g / (1 − Πₜ), scaled first: g / (1 − Πₜ) overflowed float32 from |g| =
        # 1.9e38 (the step was inf / s = NaN); (1 − μₜ) <= (1 − Πₜ), so it stays finite for
        # γ <= 1 (the m term is finite as it is: |m| <= max |g| (1 − β₁ᵗ) <= max |g| (1 − Πₜμₜ₊₁))
        np.divide(np.multiply(g, h["rate_g"], out=b), np.subtract(1.0, pi, out=a), out=b)
        np.subtract(1.0, np.multiply(pi, h["mu_next"], out=a), out=a)  # 1 − Πₜ μₜ₊₁
        np.add(b, np.multiply(np.divide(state["m"], a, out=a), h["rate_m"], out=a), out=b)
        np.add(np.sqrt(np.divide(v, h["c2"], out=a), out=a), h["eps"], out=a)  # s, once
        # w ← w − (γ(1 − μₜ) g/(1 − Πₜ) + γμₜ₊₁ m/(1 − Πₜμₜ₊₁)) / s
        descend(w, np.divide(b, a, out=b), 1.0, b, self.fuse_above)


class RAdam(Optimizer):
    """RAdam (Liu et al., 2020): Adam with its adaptive rate's variance rectified,
    PyTorch's formulas.

    Per step t = 1, 2, ... (β₁, β₂ = betas, ε = eps, λ = weight_decay; m, v start at 0)::

        w ← w (1 − γ λ)  if decoupled_weight_decay  else  g ← g + λ w
        m ← β₁ m + (1 − β₁) g;   v ← β₂ v + (1 − β₂) g²
        ρ∞ = 2/(1 − β₂) − 1,   ρₜ = ρ∞ − 2t β₂ᵗ/(1 − β₂ᵗ)
        rₜ = √((ρₜ − 4)(ρₜ − 2) ρ∞ / ((ρ∞ − 4)(ρ∞ − 2) ρₜ))
        w ← w − γ/(1 − β₁ᵗ) · m · rₜ √(1 − β₂ᵗ)/(√v + ε)    if ρₜ > 5
        w ← w − γ/(1 − β₁ᵗ) · m                            otherwise

    Both run as one formula, ``w ← w − γ/(1 − β₁ᵗ) · m · (A/(√v + ε) + B)`` with
    A = rₜ√(1 − β₂ᵗ), B = 0 once ρₜ > 5 and A = 0, B = 1 before, so that a captured step
    (:mod:`glassnet.capture`, which records its calls once) switches at the right step.

    Parameters
    ----------
    params, lr, betas, eps, weight_decay
        As :class:`Adam`'s.
    decoupled_weight_decay : bool, default False
        Weight decay as AdamW's, w ← w(1 − γλ) before the step, instead of λw in g.

    State: ``t``, ``m`` and ``v`` as Adam's.
    """

    _hyper = ("betas", "eps", "weight_decay", "decoupled_weight_decay")
    betas, eps, weight_decay, decoupled_weight_decay = map(setting, _hyper)

    @signature
    def __init__(self, params: Params, lr: float = 1e-3, betas: Betas = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0,
                 decoupled_weight_decay: bool = False, **switches: Unpack[SwitchesNoDecay]
                 ) -> None: ...  # fmt: skip

    _buffers = staticmethod(lambda h: ["m", "v"])

    def _per_step(self, h: dict) -> dict:
        """Step t's numbers: AdamW's decay 1 − γλ, the rate γ/(1 − β₁ᵗ), A and B."""
        lr, t, (b1, b2) = h["lr"], h["t"], h["betas"]
        c2, inf = 1.0 - b2**t, 2.0 / (1.0 - b2) - 1.0
        rho = inf - 2.0 * t * b2**t / c2
        r = ((rho - 4) * (rho - 2) * inf / ((inf - 4) * (inf - 2) * rho)) ** 0.5 if rho > 5 else 0
        return {**h, "decay": 1.0 - lr * h["weight_decay"], "rate": lr / (1.0 - b1**t),
                "adapt": r * c2**0.5, "plain": float(rho <= 5)}  # fmt: skip

    def _rule(self, w: np.ndarray, g: np.ndarray, work: Any, state: dict, h: dict) -> None:
        a = work[0]
        moments(w, g, work, state, h, h["decoupled_weight_decay"])  # the decay; m and v
        np.add(np.sqrt(state["v"], out=a), h["eps"], out=a)  # √v + ε
        np.add(np.divide(h["adapt"], a, out=a), h["plain"], out=a)  # A/(√v + ε) + B
        descend(w, np.multiply(state["m"], a, out=a), h["rate"], a, self.fuse_above)
