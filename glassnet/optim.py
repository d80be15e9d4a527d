"""Optimizers and learning-rate schedules.

The lecture learns weights by gradient descent,

    w_j ← w_j − γ ∂J/∂w_j,

repeated until a termination criterion holds. This module implements that rule
(:class:`SGD`, alias :class:`GradientDescent`) and the variants used in practice:
momentum and Nesterov momentum (PyTorch's and scikit-learn's forms), :class:`Adam`,
:class:`AdamW` and :class:`RMSprop`, plus learning-rate schedules that change γ
between epochs.

**Parameters** are duck-typed: any object with ``.data`` (a float32 or float64
``numpy.ndarray``) and ``.grad`` (an array of the same shape, or ``None``).

**Flat buffers.** An optimizer packs its parameters, one group per dtype, into one
contiguous data buffer and one gradient buffer, and rebinds every ``p.data`` and
``p.grad`` to a reshaped *view* of them. An update is then a handful of whole-buffer
NumPy calls with ``out=`` (no loop over parameters, no allocation), whatever the
number of layers. Before each step the optimizer checks, with one identity test per
parameter, that each ``p.data`` / ``p.grad`` is still its view; an array rebound by
the user is copied into the view and the view rebound, a ``None`` gradient counts
as zero. :meth:`Optimizer.flat_params`, :meth:`Optimizer.flat_grads` and
:attr:`Optimizer.param_views` expose the buffers and the layout.

**Schedules** set ``optimizer.lr``. The training loop calls ``schedule.step()`` once
at the end of every epoch (``step(samples_seen)`` for :class:`InvScalingLR`,
``step(metric)`` for :class:`AdaptiveLR`), or :meth:`LRSchedule.epoch_end` with
keywords, which every schedule accepts.

Example: the lecture's update on a stand-in parameter.

>>> import numpy as np
>>> class P:  # anything with .data and .grad
...     def __init__(self, data):
...         self.data, self.grad = data, None
>>> w = P(np.array([1.0, 2.0]))
>>> opt = SGD([w], lr=0.1)          # w.grad is now a zero-filled view
>>> w.grad[...] = [1.0, -1.0]       # ∂J/∂w, as backward() would write it
>>> opt.step()
>>> w.data                          # w − γ ∂J/∂w
array([0.9, 2.1])
"""

from __future__ import annotations

import inspect
import math
import numbers
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple, Protocol

import numpy as np

__all__ = [
    "OPTIMIZERS",
    "SCHEDULES",
    "SGD",
    "Adam",
    "AdamW",
    "AdaptiveLR",
    "ConstantLR",
    "CosineAnnealingLR",
    "ExponentialLR",
    "GradientDescent",
    "InvScalingLR",
    "LRSchedule",
    "Optimizer",
    "ParamLike",
    "ParamView",
    "RMSprop",
    "StepLR",
    "get_optimizer",
    "get_schedule",
]

_FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


class ParamLike(Protocol):
    """What an optimizer needs from a parameter: its values and their gradient."""

    data: np.ndarray
    grad: np.ndarray | None


class ParamView(NamedTuple):
    """Where one parameter lives in the flat buffers.

    ``optimizer.flat_params()[group][start:stop].reshape(shape)`` is the parameter's
    ``.data`` (the same memory), and likewise for ``flat_grads()``.
    """

    group: int
    start: int
    stop: int
    shape: tuple[int, ...]


# ---------------------------------------------------------------------------
# validation helpers (messages in scikit-learn's style)
# ---------------------------------------------------------------------------


def _show(value: Any) -> str:
    """repr() of a value for an error message, numpy scalars shown as plain numbers."""
    if isinstance(value, np.generic):
        value = value.item()
    return repr(value)


def _num(x: float) -> str:
    return f"{x:g}"


def _check_float(
    value: Any,
    name: str,
    owner: str,
    low: float | None = None,
    high: float | None = None,
    low_closed: bool = True,
    high_closed: bool = False,
) -> float:
    """Return ``float(value)`` if it is a finite real number in the given interval.

    Raises ValueError ``The 'lr' parameter of SGD must be a float > 0. Got -1.``
    """
    if low is not None and high is not None:
        want = (
            f"in {'[' if low_closed else '('}{_num(low)}, {_num(high)}{']' if high_closed else ')'}"
        )
    elif low is not None:
        want = f"{'>=' if low_closed else '>'} {_num(low)}"
    else:
        want = ""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if ok:
        x = float(value)
        ok = math.isfinite(x)
        if ok and low is not None:
            ok = x >= low if low_closed else x > low
        if ok and high is not None:
            ok = x <= high if high_closed else x < high
    if not ok:
        raise ValueError(
            f"The '{name}' parameter of {owner} must be a "
            f"{'float ' + want if want else 'finite float'}. Got {_show(value)}."
        )
    return x


def _check_int(value: Any, name: str, owner: str, low: int) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < low:
        raise ValueError(
            f"The '{name}' parameter of {owner} must be an int >= {low}. Got {_show(value)}."
        )
    return int(value)


def _check_bool(value: Any, name: str, owner: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(
            f"The '{name}' parameter of {owner} must be a bool (True or False). Got {_show(value)}."
        )
    return bool(value)


def _check_choice(value: Any, name: str, owner: str, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in choices:
        listed = " or ".join(repr(c) for c in choices)
        raise ValueError(f"The '{name}' parameter of {owner} must be {listed}. Got {_show(value)}.")
    return value


def _check_betas(value: Any, owner: str) -> tuple[float, float]:
    try:
        b1, b2 = value
        return (
            _check_float(b1, "betas", owner, 0.0, 1.0),
            _check_float(b2, "betas", owner, 0.0, 1.0),
        )
    except (TypeError, ValueError):
        raise ValueError(
            f"The 'betas' parameter of {owner} must be a pair of floats in [0, 1). "
            f"Got {_show(value)}."
        ) from None


def _check_state_mapping(state: Any, owner: str) -> str:
    """Check that ``state`` is a mapping whose "type" names ``owner``; return the type."""
    if not isinstance(state, Mapping):
        raise TypeError(
            f"{owner}.load_state_dict expects the dict returned by state_dict(). "
            f"Got {type(state).__name__}."
        )
    kind = state.get("type")
    if kind != owner:
        raise ValueError(
            f"This state dict was saved from {kind!r}, not {owner}; "
            f"load it into a {kind} (build one with the same parameters) instead."
        )
    return kind


def _check_keys(state: Mapping, expected: Iterable[str], owner: str) -> None:
    expected = set(expected)
    missing = sorted(expected - set(state))
    extra = sorted(set(state) - expected)
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing keys {missing}")
        if extra:
            parts.append(f"unexpected keys {extra}")
        raise ValueError(
            f"{owner}.load_state_dict got a state dict with {' and '.join(parts)}; "
            f"pass the dict returned by {owner}.state_dict() with the same settings."
        )


class _Hyper:
    """A hyperparameter readable as ``opt.name``, fixed after construction.

    It changes only through ``load_state_dict`` (which revalidates it and resizes the
    optimizer's state) or a new optimizer; the learning rate is the one exception
    (``opt.lr`` is settable, see :attr:`Optimizer.lr`).
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, objtype: type | None = None) -> Any:
        return self if obj is None else obj._hyper[self.name]

    def __set__(self, obj: Any, value: Any) -> None:
        cls = type(obj).__name__
        raise AttributeError(
            f"{cls}.{self.name} is fixed when the optimizer is built; build a new {cls}"
            f"(..., {self.name}={_show(value)}) or change it through load_state_dict."
        )


# ---------------------------------------------------------------------------
# optimizers
# ---------------------------------------------------------------------------


def _collect_params(params: Any, owner: str) -> list[Any]:
    """Turn ``params`` into a checked list of parameters (nothing is modified)."""
    if hasattr(params, "data") and hasattr(params, "grad"):
        raise TypeError(
            f"The 'params' argument of {owner} must be an iterable of parameters; got a "
            f"single parameter. Wrap it in a list: {owner}([w], ...)."
        )
    if callable(getattr(params, "parameters", None)):  # a Module: take its parameters
        params = params.parameters()
    try:
        plist = list(params)
    except TypeError:
        raise TypeError(
            f"The 'params' argument of {owner} must be an iterable of parameters "
            f"(objects with .data and .grad), such as model.parameters(). "
            f"Got {type(params).__name__}."
        ) from None
    if not plist:
        raise ValueError(
            f"The 'params' argument of {owner} is empty; pass the parameters to "
            f"optimize, e.g. {owner}(model.parameters())."
        )
    seen: dict[int, int] = {}
    seen_data: dict[int, int] = {}
    for i, p in enumerate(plist):
        if not (hasattr(p, "data") and hasattr(p, "grad")):
            raise TypeError(
                f"Parameter {i} given to {owner} has no .data/.grad attributes "
                f"(got {type(p).__name__}); pass parameters such as model.parameters()."
            )
        d = p.data
        if not isinstance(d, np.ndarray) or d.dtype not in _FLOAT_DTYPES:
            kind = d.dtype if isinstance(d, np.ndarray) else type(d).__name__
            raise TypeError(
                f"Parameter {i} given to {owner} must hold a float32 or float64 numpy "
                f"array in .data; got {kind}. Convert it, e.g. p.data = "
                f"p.data.astype(np.float32)."
            )
        g = p.grad
        if g is not None and (not isinstance(g, np.ndarray) or g.shape != d.shape):
            got = g.shape if isinstance(g, np.ndarray) else type(g).__name__
            raise ValueError(
                f"Parameter {i} given to {owner} has .data of shape {d.shape} but .grad "
                f"{got}; a gradient must have its parameter's shape (or be None)."
            )
        if id(p) in seen:
            raise ValueError(
                f"Parameters {seen[id(p)]} and {i} given to {owner} are the same object; "
                f"pass each parameter once."
            )
        if id(d) in seen_data:
            raise ValueError(
                f"Parameters {seen_data[id(d)]} and {i} given to {owner} share one .data "
                f"array; the optimizer gives each parameter its own slot, which would "
                f"untie them. Tie weights by reusing one parameter object instead."
            )
        seen[id(p)] = i
        seen_data[id(d)] = i
    return plist


class Optimizer:
    """Base class: flat-buffer packing, the view check, ``zero_grad``, ``lr``, state dicts.

    Subclasses define ``_update()`` (the rule, over whole flat buffers), the names of
    their hyperparameters and of their state buffers.

    Attributes
    ----------
    params : list
        The parameters, in the order given.
    param_views : list of ParamView
        ``param_views[i]`` says where ``params[i]`` lives in the flat buffers.
    dtypes : list of numpy.dtype
        The dtype of each group (in order of first appearance among ``params``).
    t : int
        Number of steps taken.
    """

    _hyper_names: tuple[str, ...] = ()
    _n_scratch: int = 1

    def __init__(self, params: Iterable[ParamLike] | Any, lr: float) -> None:
        name = type(self).__name__
        lr = _check_float(lr, "lr", name, 0.0, low_closed=False)
        plist = _collect_params(params, name)  # checks everything before changing anything
        self._lr = lr
        self.t = 0
        self._hyper: dict[str, Any] = {}
        self._state: dict[str, list[np.ndarray]] = {}
        self.params = plist
        self._pack()

    # -- packing ------------------------------------------------------------

    def _pack(self) -> None:
        name = type(self).__name__
        self.dtypes: list[np.dtype] = []
        members: dict[np.dtype, list[int]] = {}
        for i, p in enumerate(self.params):
            dt = p.data.dtype
            if dt not in members:
                members[dt] = []
                self.dtypes.append(dt)
            members[dt].append(i)
        self._data: list[np.ndarray] = []
        self._grad: list[np.ndarray] = []
        views: list[ParamView | None] = [None] * len(self.params)
        slots: list[tuple[Any, np.ndarray, np.ndarray] | None] = [None] * len(self.params)
        for gi, dt in enumerate(self.dtypes):
            total = sum(self.params[i].data.size for i in members[dt])
            data = np.empty(total, dtype=dt)  # (numel,)
            grad = np.zeros(total, dtype=dt)  # (numel,)
            start = 0
            for i in members[dt]:
                p = self.params[i]
                shape = tuple(p.data.shape)
                stop = start + p.data.size
                dv = data[start:stop].reshape(shape)  # a view: shares data's memory
                gv = grad[start:stop].reshape(shape)
                dv[...] = p.data
                if p.grad is not None:
                    gv[...] = p.grad
                views[i] = ParamView(gi, start, stop, shape)
                slots[i] = (p, dv, gv)
                start = stop
            self._data.append(data)
            self._grad.append(grad)
        self.param_views: list[ParamView] = views  # type: ignore[assignment]
        self._slots: list[tuple[Any, np.ndarray, np.ndarray]] = slots  # type: ignore[assignment]
        for i, (p, dv, gv) in enumerate(self._slots):
            p.data = dv
            p.grad = gv
            if p.data is not dv or p.grad is not gv:
                raise TypeError(
                    f"Parameter {i} given to {name} does not keep the array assigned to "
                    f".data/.grad (its setter copies it), so the optimizer cannot bind it "
                    f"to its flat buffer. Store the assigned array as is."
                )
        self._scratch_bufs: list[list[np.ndarray]] | None = None

    @property
    def _scratch(self) -> list[list[np.ndarray]]:
        """Work buffers shaped like the flat groups, allocated on first use (a training loop
        that only calls :meth:`SGD.step_prescaled` never needs them)."""
        if self._scratch_bufs is None:
            self._scratch_bufs = [
                [np.empty_like(d) for d in self._data] for _ in range(self._n_scratch)
            ]
        return self._scratch_bufs

    def __setstate__(self, state: dict[str, Any]) -> None:
        """After unpickling or deep-copying, views no longer share the flat buffers' memory
        (each array is copied on its own): rebuild them and bind the parameters again."""
        self.__dict__.update(state)
        slots = []
        for (p, _, _), (gi, start, stop, shape) in zip(self._slots, self.param_views):
            dv = self._data[gi][start:stop].reshape(shape)
            gv = self._grad[gi][start:stop].reshape(shape)
            dv[...] = p.data
            if p.grad is not None:
                gv[...] = p.grad
            p.data, p.grad = dv, gv
            slots.append((p, dv, gv))
        self._slots = slots

    def _sync(self) -> None:
        """Make sure each parameter still holds its views (one identity test each)."""
        for i, (p, dv, gv) in enumerate(self._slots):
            if p.data is not dv or p.grad is not gv:
                self._repair(i)

    def _repair(self, i: int) -> None:
        """Copy a rebound ``.data`` / ``.grad`` of parameter ``i`` into its view, rebind."""
        p, dv, gv = self._slots[i]
        name = type(self).__name__
        for attr, view in (("data", dv), ("grad", gv)):
            value = getattr(p, attr)
            if value is view:
                continue
            if value is None:
                if attr == "data":
                    raise ValueError(
                        f"Parameter {i} of {name} has .data None; give it an array of "
                        f"shape {view.shape}."
                    )
                view.fill(0)  # no gradient computed: a zero gradient
            else:
                arr = np.asarray(value)
                if arr.shape != view.shape:
                    raise ValueError(
                        f"Parameter {i} of {name} had .{attr} rebound to an array of shape "
                        f"{arr.shape}, but the parameter has shape {view.shape}. An "
                        f"optimizer's parameters keep their shapes; build a new {name} for "
                        f"new shapes."
                    )
                view[...] = arr
            setattr(p, attr, view)

    # -- public API ---------------------------------------------------------

    @property
    def lr(self) -> float:
        """The learning rate γ. Settable (schedules set it); must be a float >= 0."""
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        # >= 0, not > 0: a schedule such as cosine annealing may reach 0.
        self._lr = _check_float(value, "lr", type(self).__name__, 0.0)

    @property
    def numel(self) -> int:
        """Total number of parameter values."""
        return sum(d.size for d in self._data)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Take one update step from the current gradients.

        ``closure``, when given, is called first (it should recompute the loss and the
        gradients) and its return value is returned, as in PyTorch.
        """
        loss = closure() if closure is not None else None
        self._sync()
        self.t += 1
        self._update()
        return loss

    def zero_grad(self) -> None:
        """Fill the flat gradient buffers with 0 in place; every ``p.grad`` stays its view."""
        for g in self._grad:
            g.fill(0)
        for p, _, gv in self._slots:
            if p.grad is not gv:
                p.grad = gv

    def flat_params(self) -> list[np.ndarray]:
        """The flat data buffer of each dtype group, shape ``(numel_g,)``.

        Writing into them writes the parameters (they are the same memory).
        """
        self._sync()
        return list(self._data)

    def flat_grads(self) -> list[np.ndarray]:
        """The flat gradient buffer of each dtype group, shape ``(numel_g,)``."""
        self._sync()
        return list(self._grad)

    def flat_buffers(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """``(data_buffer, grad_buffer)`` for each dtype group."""
        self._sync()
        return list(zip(self._data, self._grad, strict=True))

    def state_dict(self) -> dict[str, Any]:
        """Everything needed to resume: plain Python scalars and copied arrays.

        Keys: ``"type"``, ``"lr"``, ``"t"``, the hyperparameters, ``"numel.<g>"`` and
        ``"dtype.<g>"`` for each group ``g``, and ``"<buffer>.<g>"`` for each state
        buffer (for example ``"m.0"``), a 1-D array laid out as ``flat_params()[g]``.
        The parameters' values are not included (save the model for those).
        """
        state: dict[str, Any] = {"type": type(self).__name__, "lr": self._lr, "t": self.t}
        state.update(self._hyper)
        for g, d in enumerate(self._data):
            state[f"numel.{g}"] = int(d.size)
            state[f"dtype.{g}"] = str(d.dtype)
        for key, bufs in self._state.items():
            for g, b in enumerate(bufs):
                state[f"{key}.{g}"] = b.copy()
        return state

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned (hyperparameters, lr, t, buffers).

        Everything is checked before anything changes: the type, the keys, the group
        layout (sizes and dtypes) and each buffer's shape.
        """
        name = type(self).__name__
        _check_state_mapping(state, name)
        missing = [k for k in ("lr", "t", *self._hyper_names) if k not in state]
        if missing:
            _check_keys(state, set(state) | set(missing), name)
        hyper = self._validate_hyper(name, **{k: state[k] for k in self._hyper_names})
        lr = _check_float(state["lr"], "lr", name, 0.0)
        t = _check_int(state["t"], "t", name, 0)
        names = self._state_names(hyper)
        expected = {"type", "lr", "t", *self._hyper_names}
        for g in range(len(self._data)):
            expected |= {f"numel.{g}", f"dtype.{g}"}
            expected |= {f"{key}.{g}" for key in names}
        _check_keys(state, expected, name)
        arrays: dict[str, np.ndarray] = {}
        for g, d in enumerate(self._data):
            if state[f"numel.{g}"] != d.size or state[f"dtype.{g}"] != str(d.dtype):
                raise ValueError(
                    f"{name}.load_state_dict: group {g} of the state dict holds "
                    f"{state[f'numel.{g}']} {state[f'dtype.{g}']} values but this "
                    f"optimizer's group {g} holds {d.size} {d.dtype} values; load it into an "
                    f"optimizer over parameters of the same shapes and dtypes."
                )
            for key in names:
                arr = state[f"{key}.{g}"]
                if not isinstance(arr, np.ndarray) or arr.shape != d.shape or arr.dtype.kind != "f":
                    got = (
                        f"{arr.dtype} array of shape {arr.shape}"
                        if isinstance(arr, np.ndarray)
                        else type(arr).__name__
                    )
                    raise ValueError(
                        f"{name}.load_state_dict: '{key}.{g}' must be a float array of "
                        f"shape {d.shape}; got {got}."
                    )
                arrays[f"{key}.{g}"] = arr
        # all checked: commit
        self._set_hyper(hyper)
        self._lr = lr
        self.t = t
        for key, bufs in self._state.items():
            for g, b in enumerate(bufs):
                b[...] = arrays[f"{key}.{g}"]

    def __repr__(self) -> str:
        items = [f"lr={self._lr!r}"]
        for k, v in self._hyper.items():
            items.append(f"{k}={v!r}")
        return (
            f"{type(self).__name__}({', '.join(items)}; params={len(self.params)}, "
            f"numel={self.numel})"
        )

    # -- subclass hooks -----------------------------------------------------

    @staticmethod
    def _validate_hyper(owner: str, **kw: Any) -> dict[str, Any]:
        return {}

    @staticmethod
    def _state_names(hyper: Mapping[str, Any]) -> list[str]:
        return []

    def _set_hyper(self, hyper: dict[str, Any]) -> None:
        """Install validated hyperparameters and zero state buffers to match them."""
        self._hyper = dict(hyper)
        self._state = {
            key: [np.zeros_like(d) for d in self._data] for key in self._state_names(hyper)
        }

    def _update(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent, with optional momentum, Nesterov and weight decay.

    With the defaults this is the lecture's gradient descent, ``w ← w − γ g`` with
    ``g = ∂J/∂w``: two NumPy calls per dtype group (``s = γ g``; ``w −= s``).

    ``style="torch"`` (default), PyTorch's ``torch.optim.SGD`` (μ = momentum,
    τ = dampening, λ = weight_decay, v = velocity, one per parameter, starting at 0)::

        g ← g + λ w
        v ← μ v + (1 − τ) g          (first step: v ← g)
        d ← g + μ v   if nesterov  else  v
        w ← w − γ d

    ``style="sklearn"``, scikit-learn's ``SGDOptimizer`` (``MLPClassifier(solver="sgd")``)
    with u the velocity, starting at 0 (``λ w`` stands for scikit-learn's L2 term
    ``alpha``, which it adds to the gradient)::

        g ← g + λ w
        u ← μ u − γ g
        w ← w + (μ u − γ g)   if nesterov  else  w + u

    The two agree while γ is constant (then u = −γ v); when a schedule changes γ,
    PyTorch applies the new γ to the whole velocity while scikit-learn applies it to
    the new gradient only. Dampening exists only in the PyTorch style.

    Parameters
    ----------
    params : iterable of parameters (objects with ``.data`` and ``.grad``)
    lr : float > 0, default 0.01
        The learning rate γ.
    momentum : float in [0, 1), default 0
        μ; 0 turns the velocity off (no state kept).
    nesterov : bool, default False
        Nesterov momentum (PyTorch style needs momentum > 0 and dampening 0).
    weight_decay : float >= 0, default 0
        λ, an L2 penalty ``λ/2 ||w||²`` added to the loss, applied to every parameter.
    dampening : float in [0, 1], default 0
        τ (PyTorch style only).
    style : {"torch", "sklearn"}, default "torch"

    State: ``t`` (steps taken) and, when momentum > 0, ``v`` (the velocity: v in the
    PyTorch style, u in the scikit-learn style), one flat buffer per dtype group.

    Example
    -------
    >>> import numpy as np
    >>> class P:
    ...     def __init__(self, data):
    ...         self.data, self.grad = data, None
    >>> w = P(np.zeros(2))
    >>> opt = SGD([w], lr=0.5, momentum=0.5)
    >>> for _ in range(2):
    ...     w.grad[...] = 1.0
    ...     opt.step()
    >>> w.data            # −0.5·1, then −0.5·(0.5·1 + 1)
    array([-1.25, -1.25])
    """

    _n_scratch = 2
    momentum = _Hyper()
    nesterov = _Hyper()
    weight_decay = _Hyper()
    dampening = _Hyper()
    style = _Hyper()
    _hyper_names = ("momentum", "nesterov", "weight_decay", "dampening", "style")

    def __init__(
        self,
        params: Iterable[ParamLike] | Any,
        lr: float = 0.01,
        momentum: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
        dampening: float = 0.0,
        style: str = "torch",
    ) -> None:
        hyper = self._validate_hyper(
            type(self).__name__,
            momentum=momentum,
            nesterov=nesterov,
            weight_decay=weight_decay,
            dampening=dampening,
            style=style,
        )
        super().__init__(params, lr)
        self._set_hyper(hyper)

    @staticmethod
    def _validate_hyper(owner: str, **kw: Any) -> dict[str, Any]:
        h = {
            "momentum": _check_float(kw["momentum"], "momentum", owner, 0.0, 1.0),
            "nesterov": _check_bool(kw["nesterov"], "nesterov", owner),
            "weight_decay": _check_float(kw["weight_decay"], "weight_decay", owner, 0.0),
            "dampening": _check_float(kw["dampening"], "dampening", owner, 0.0, 1.0, True, True),
            "style": _check_choice(kw["style"], "style", owner, ("torch", "sklearn")),
        }
        if h["style"] == "torch" and h["nesterov"] and (h["momentum"] <= 0 or h["dampening"]):
            raise ValueError(
                f"{owner} with nesterov=True needs momentum > 0 and dampening=0. Got "
                f"momentum={h['momentum']!r}, dampening={h['dampening']!r}; set momentum, "
                f"e.g. momentum=0.9."
            )
        if h["style"] == "sklearn" and h["dampening"]:
            raise ValueError(
                f"The 'dampening' parameter of {owner} applies to style='torch' only. Got "
                f"dampening={h['dampening']!r} with style='sklearn'; set dampening=0."
            )
        return h

    @staticmethod
    def _state_names(hyper: Mapping[str, Any]) -> list[str]:
        return ["v"] if hyper["momentum"] > 0 else []

    @property
    def folds_lr(self) -> bool:
        """True when the update is plain gradient descent, w <- w - lr g (no momentum, no
        weight decay): a caller may then multiply the gradients by lr while computing them
        and call :meth:`step_prescaled`."""
        return self._hyper["momentum"] == 0 and self._hyper["weight_decay"] == 0

    def step_prescaled(self) -> None:
        """w <- w - g for gradients that already hold lr * dL/dw: one subtraction per dtype
        group. Only valid when :attr:`folds_lr` is True; the fused training engine uses it
        (the learning rate folded into the output gradient, as hand-written NumPy does)."""
        if not self.folds_lr:
            raise RuntimeError("step_prescaled() needs an SGD without momentum or weight decay.")
        self._sync()
        self.t += 1
        for d, g in zip(self._data, self._grad):
            np.subtract(d, g, out=d)

    def _update(self) -> None:
        lr = self._lr
        h = self._hyper
        mu, wd = h["momentum"], h["weight_decay"]
        s1, s2 = self._scratch
        if mu == 0:  # plain gradient descent (both styles coincide)
            for w, g, s in zip(self._data, self._grad, s1, strict=True):
                np.multiply(g, lr, out=s)
                if wd:  # w − γ(g + λw) = w(1 − γλ) − γg
                    np.multiply(w, 1.0 - lr * wd, out=w)
                np.subtract(w, s, out=w)
            return
        nesterov = h["nesterov"]
        torch_style = h["style"] == "torch"
        # PyTorch starts the velocity at g itself (no dampening on the first step).
        c = 1.0 if self.t == 1 else 1.0 - h["dampening"]
        for w, g, v, a, b in zip(self._data, self._grad, self._state["v"], s1, s2, strict=True):
            if wd:  # g ← g + λw, in scratch a (the user's grad is left alone)
                np.multiply(w, wd, out=a)
                np.add(g, a, out=a)
                g = a
            if torch_style:
                np.multiply(v, mu, out=v)  # v ← μv + (1 − τ)g
                if c == 1.0:
                    np.add(v, g, out=v)
                else:
                    np.multiply(g, c, out=b)
                    np.add(v, b, out=v)
                if nesterov:  # d = g + μv
                    np.multiply(v, mu, out=b)
                    np.add(g, b, out=b)
                    np.multiply(b, lr, out=b)
                else:
                    np.multiply(v, lr, out=b)
                np.subtract(w, b, out=w)  # w ← w − γd
            else:
                np.multiply(g, lr, out=b)  # γg
                np.multiply(v, mu, out=v)  # u ← μu − γg
                np.subtract(v, b, out=v)
                if nesterov:  # w ← w + (μu − γg)
                    np.multiply(v, mu, out=a)
                    np.subtract(a, b, out=a)
                    np.add(w, a, out=w)
                else:
                    np.add(w, v, out=w)


GradientDescent = SGD
"""The lecture's ``w ← w − γ ∂J/∂w``: :class:`SGD` with its defaults."""


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015), with PyTorch's formulas and L2 weight decay.

    Per step t = 1, 2, ... (β₁, β₂ = betas, ε = eps, λ = weight_decay; m, v start at 0)::

        g ← g + λ w                        (L2 penalty in the gradient; AdamW differs)
        m ← β₁ m + (1 − β₁) g              (first moment)
        v ← β₂ v + (1 − β₂) g²             (second moment, elementwise)
        v̂ ← max(v̂, v) if amsgrad else v    (v̂ kept only with amsgrad)
        w ← w − γ/(1 − β₁ᵗ) · m / (√v̂ / √(1 − β₂ᵗ) + ε)

    i.e. ``w ← w − γ m̂ / (√(v̂/(1 − β₂ᵗ)) + ε)`` with ``m̂ = m/(1 − β₁ᵗ)``, PyTorch's
    placement of ε. The bias corrections are folded into scalars: the update runs as
    ``s = √v̂ + ε√(1 − β₂ᵗ)``, ``w −= (γ√(1 − β₂ᵗ)/(1 − β₁ᵗ)) · m / s``.
    (scikit-learn's Adam adds ε to √v̂ before the correction: ``ε`` there equals
    ``ε·√(1 − β₂ᵗ)`` here.)

    Parameters
    ----------
    params : iterable of parameters (objects with ``.data`` and ``.grad``)
    lr : float > 0, default 1e-3
    betas : pair of floats in [0, 1), default (0.9, 0.999)
    eps : float > 0, default 1e-8
    weight_decay : float >= 0, default 0
    amsgrad : bool, default False

    State: ``t``, ``m``, ``v`` and (amsgrad) ``v_max``: one flat buffer each per group.
    """

    _n_scratch = 2
    _decoupled = False
    beta1 = _Hyper()
    beta2 = _Hyper()
    eps = _Hyper()
    weight_decay = _Hyper()
    amsgrad = _Hyper()
    _hyper_names = ("beta1", "beta2", "eps", "weight_decay", "amsgrad")

    def __init__(
        self,
        params: Iterable[ParamLike] | Any,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
    ) -> None:
        owner = type(self).__name__
        b1, b2 = _check_betas(betas, owner)
        hyper = self._validate_hyper(
            owner, beta1=b1, beta2=b2, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad
        )
        super().__init__(params, lr)
        self._set_hyper(hyper)

    @property
    def betas(self) -> tuple[float, float]:
        """(β₁, β₂)."""
        return (self._hyper["beta1"], self._hyper["beta2"])

    @staticmethod
    def _validate_hyper(owner: str, **kw: Any) -> dict[str, Any]:
        return {
            "beta1": _check_float(kw["beta1"], "betas", owner, 0.0, 1.0),
            "beta2": _check_float(kw["beta2"], "betas", owner, 0.0, 1.0),
            "eps": _check_float(kw["eps"], "eps", owner, 0.0, low_closed=False),
            "weight_decay": _check_float(kw["weight_decay"], "weight_decay", owner, 0.0),
            "amsgrad": _check_bool(kw["amsgrad"], "amsgrad", owner),
        }

    @staticmethod
    def _state_names(hyper: Mapping[str, Any]) -> list[str]:
        return ["m", "v", "v_max"] if hyper["amsgrad"] else ["m", "v"]

    def _update(self) -> None:
        lr = self._lr
        h = self._hyper
        b1, b2, eps, wd = h["beta1"], h["beta2"], h["eps"], h["weight_decay"]
        t = self.t
        bc1 = 1.0 - b1**t
        c2 = math.sqrt(1.0 - b2**t)
        step_size = lr * c2 / bc1
        eps_hat = eps * c2
        amsgrad = h["amsgrad"]
        st = self._state
        vmaxes = st["v_max"] if amsgrad else st["v"]
        s1, s2 = self._scratch
        for w, g, m, v, vmax, a, b in zip(
            self._data, self._grad, st["m"], st["v"], vmaxes, s1, s2, strict=True
        ):
            if wd:
                if self._decoupled:  # AdamW: w ← w(1 − γλ)
                    np.multiply(w, 1.0 - lr * wd, out=w)
                else:  # g ← g + λw, in scratch b
                    np.multiply(w, wd, out=b)
                    np.add(g, b, out=b)
                    g = b
            np.subtract(g, m, out=a)  # m ← m + (1 − β₁)(g − m)  (PyTorch's lerp)
            np.multiply(a, 1.0 - b1, out=a)
            np.add(m, a, out=m)
            np.multiply(v, b2, out=v)  # v ← β₂v + (1 − β₂)g²
            np.multiply(g, g, out=a)
            np.multiply(a, 1.0 - b2, out=a)
            np.add(v, a, out=v)
            if amsgrad:
                np.maximum(vmax, v, out=vmax)
            np.sqrt(vmax, out=a)  # √v̂ + ε√(1 − β₂ᵗ)
            np.add(a, eps_hat, out=a)
            np.divide(m, a, out=a)
            np.multiply(a, step_size, out=a)
            np.subtract(w, a, out=w)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019), as PyTorch's AdamW.

    The weights shrink before the Adam step instead of the penalty entering g::

        w ← w (1 − γ λ)
        (then Adam's update of m, v and w with the raw gradient g)

    Parameters and state as :class:`Adam`; ``weight_decay`` defaults to 1e-2.
    """

    _decoupled = True

    def __init__(
        self,
        params: Iterable[ParamLike] | Any,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)


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
    lr : float > 0, default 1e-2
    alpha : float in [0, 1), default 0.99
    eps : float > 0, default 1e-8
    momentum : float in [0, 1), default 0
    centered : bool, default False
    weight_decay : float >= 0, default 0

    State: ``t``, ``v``, and ``g_avg`` (centered), ``b`` (momentum > 0).
    """

    _n_scratch = 2
    alpha = _Hyper()
    eps = _Hyper()
    momentum = _Hyper()
    centered = _Hyper()
    weight_decay = _Hyper()
    _hyper_names = ("alpha", "eps", "momentum", "centered", "weight_decay")

    def __init__(
        self,
        params: Iterable[ParamLike] | Any,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        momentum: float = 0.0,
        centered: bool = False,
        weight_decay: float = 0.0,
    ) -> None:
        hyper = self._validate_hyper(
            type(self).__name__,
            alpha=alpha,
            eps=eps,
            momentum=momentum,
            centered=centered,
            weight_decay=weight_decay,
        )
        super().__init__(params, lr)
        self._set_hyper(hyper)

    @staticmethod
    def _validate_hyper(owner: str, **kw: Any) -> dict[str, Any]:
        return {
            "alpha": _check_float(kw["alpha"], "alpha", owner, 0.0, 1.0),
            "eps": _check_float(kw["eps"], "eps", owner, 0.0, low_closed=False),
            "momentum": _check_float(kw["momentum"], "momentum", owner, 0.0, 1.0),
            "centered": _check_bool(kw["centered"], "centered", owner),
            "weight_decay": _check_float(kw["weight_decay"], "weight_decay", owner, 0.0),
        }

    @staticmethod
    def _state_names(hyper: Mapping[str, Any]) -> list[str]:
        names = ["v"]
        if hyper["centered"]:
            names.append("g_avg")
        if hyper["momentum"] > 0:
            names.append("b")
        return names

    def _update(self) -> None:
        lr = self._lr
        h = self._hyper
        alpha, eps, mu, wd = h["alpha"], h["eps"], h["momentum"], h["weight_decay"]
        st = self._state
        n = len(self._data)
        g_avgs = st.get("g_avg", [None] * n)
        bufs = st.get("b", [None] * n)
        s1, s2 = self._scratch
        for w, g, v, ga, buf, a, b in zip(
            self._data, self._grad, st["v"], g_avgs, bufs, s1, s2, strict=True
        ):
            if wd:  # g ← g + λw, in scratch b
                np.multiply(w, wd, out=b)
                np.add(g, b, out=b)
                g = b
            np.multiply(v, alpha, out=v)  # v ← αv + (1 − α)g²
            np.multiply(g, g, out=a)
            np.multiply(a, 1.0 - alpha, out=a)
            np.add(v, a, out=v)
            if ga is not None:  # ḡ ← ḡ + (1 − α)(g − ḡ);  s = √max(v − ḡ², 0)
                np.subtract(g, ga, out=a)
                np.multiply(a, 1.0 - alpha, out=a)
                np.add(ga, a, out=ga)
                np.multiply(ga, ga, out=a)
                np.subtract(v, a, out=a)
                np.maximum(a, 0.0, out=a)
                np.sqrt(a, out=a)
            else:
                np.sqrt(v, out=a)
            np.add(a, eps, out=a)
            np.divide(g, a, out=a)  # g / s
            if buf is not None:  # b ← μb + g/s;  w ← w − γb
                np.multiply(buf, mu, out=buf)
                np.add(buf, a, out=buf)
                np.multiply(buf, lr, out=a)
            else:
                np.multiply(a, lr, out=a)
            np.subtract(w, a, out=w)


OPTIMIZERS: dict[str, type[Optimizer]] = {
    "sgd": SGD,
    "gd": SGD,
    "adam": Adam,
    "adamw": AdamW,
    "rmsprop": RMSprop,
}
"""Name → optimizer class, used by :func:`get_optimizer`, the estimators and the CLI."""


def _check_kwargs(cls: type, kw: Mapping[str, Any], skip: int) -> None:
    allowed = list(inspect.signature(cls.__init__).parameters)[skip:]
    bad = sorted(set(kw) - set(allowed))
    if bad:
        raise TypeError(
            f"{cls.__name__} got unexpected keyword arguments {bad}; its settings are {allowed}."
        )


def _lookup(name: Any, table: Mapping[str, type], what: str, base: type) -> type:
    if isinstance(name, type) and issubclass(name, base):
        return name
    if not isinstance(name, str):
        raise TypeError(
            f"The {what} must be given by name (one of {sorted(table)}) or class. "
            f"Got {type(name).__name__}."
        )
    key = name.lower()
    if key not in table:
        valid = ", ".join(repr(k) for k in sorted(table))
        raise ValueError(f"Unknown {what} {_show(name)}. Valid names: {valid}.")
    return table[key]


def get_optimizer(name: str | type[Optimizer], params: Any, **kw: Any) -> Optimizer:
    """Build the optimizer called ``name`` (see :data:`OPTIMIZERS`) over ``params``.

    >>> import numpy as np
    >>> class P:
    ...     def __init__(self, data):
    ...         self.data, self.grad = data, None
    >>> opt = get_optimizer("adam", [P(np.zeros(3))], lr=0.01)
    >>> type(opt).__name__, opt.lr, opt.betas
    ('Adam', 0.01, (0.9, 0.999))
    """
    cls = _lookup(name, OPTIMIZERS, "optimizer", Optimizer)
    _check_kwargs(cls, kw, skip=2)
    return cls(params, **kw)


# ---------------------------------------------------------------------------
# learning-rate schedules
# ---------------------------------------------------------------------------


class LRSchedule:
    """Base class: a schedule sets ``optimizer.lr`` once per epoch.

    The training loop calls ``schedule.step()`` at the end of every epoch (after the
    epoch's optimizer steps); the schedule then sets the learning rate for the next
    epoch to ``lr_at(epoch)``, where ``epoch`` counts the calls so far. Epoch 0 uses
    ``base_lr``, the optimizer's lr when the schedule was built. :meth:`epoch_end`
    takes the epoch's facts by keyword and passes each schedule what it needs, so a
    loop can call every schedule the same way.

    ``step`` returns True when training should stop (only :class:`AdaptiveLR` ever
    does).
    """

    _hyper_names: tuple[str, ...] = ()

    def __init__(self, optimizer: Any) -> None:
        if not hasattr(optimizer, "lr"):
            raise TypeError(
                f"{type(self).__name__} needs an optimizer with an 'lr' attribute. "
                f"Got {type(optimizer).__name__}."
            )
        self.optimizer = optimizer
        self.base_lr = float(optimizer.lr)
        self.epoch = 0

    def lr_at(self, epoch: int) -> float:
        """The learning rate for epoch ``epoch`` (0-based)."""
        raise NotImplementedError

    def step(self) -> bool:
        """End of an epoch: set ``optimizer.lr`` for the next one. Returns False."""
        self.epoch += 1
        self.optimizer.lr = self.lr_at(self.epoch)
        return False

    def epoch_end(self, *, metric: float | None = None, samples_seen: int | None = None) -> bool:
        """Uniform end-of-epoch call; returns True when training should stop.

        ``metric`` is the epoch's training loss (used by :class:`AdaptiveLR`),
        ``samples_seen`` the number of samples trained on so far (used by
        :class:`InvScalingLR`).
        """
        return self.step()

    @property
    def lr(self) -> float:
        """The optimizer's current learning rate."""
        return float(self.optimizer.lr)

    def _extra_state(self) -> dict[str, Any]:
        return {}

    def state_dict(self) -> dict[str, Any]:
        """Plain Python scalars: type, base_lr, epoch, settings and progress."""
        state: dict[str, Any] = {
            "type": type(self).__name__,
            "base_lr": self.base_lr,
            "epoch": self.epoch,
        }
        state.update({k: getattr(self, k) for k in self._hyper_names})
        state.update(self._extra_state())
        return state

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned (``optimizer.lr`` is not touched:
        load the optimizer's own state dict for that)."""
        name = type(self).__name__
        _check_state_mapping(state, name)
        _check_keys(state, self.state_dict().keys(), name)
        hyper = self._validate(**{k: state[k] for k in self._hyper_names})
        base_lr = _check_float(state["base_lr"], "base_lr", name, 0.0)
        epoch = _check_int(state["epoch"], "epoch", name, 0)
        extra = self._validate_extra(state)
        for k, v in hyper.items():
            setattr(self, k, v)
        self.base_lr = base_lr
        self.epoch = epoch
        for k, v in extra.items():
            setattr(self, k, v)

    def _validate(self, **kw: Any) -> dict[str, Any]:
        return {}

    def _validate_extra(self, state: Mapping[str, Any]) -> dict[str, Any]:
        return {}

    def __repr__(self) -> str:
        items = [f"{k}={getattr(self, k)!r}" for k in self._hyper_names]
        return f"{type(self).__name__}({', '.join(items)}; epoch={self.epoch}, lr={self.lr!r})"


class ConstantLR(LRSchedule):
    """γₑ = γ₀: the learning rate stays at its initial value (scikit-learn's "constant").

    (Unlike PyTorch's ``ConstantLR``, which scales γ for a first few epochs.)
    """

    def lr_at(self, epoch: int) -> float:
        return self.base_lr


class StepLR(LRSchedule):
    """γₑ = γ₀ · gammaᵏ with k = ⌊e / step_size⌋: decay by ``gamma`` every ``step_size`` epochs.

    Computed in closed form (PyTorch multiplies repeatedly; equal up to rounding).
    """

    _hyper_names = ("step_size", "gamma")

    def __init__(self, optimizer: Any, step_size: int, gamma: float = 0.1) -> None:
        h = self._validate(step_size=step_size, gamma=gamma)
        super().__init__(optimizer)
        self.step_size, self.gamma = h["step_size"], h["gamma"]

    def _validate(self, **kw: Any) -> dict[str, Any]:
        name = type(self).__name__
        return {
            "step_size": _check_int(kw["step_size"], "step_size", name, 1),
            "gamma": _check_float(kw["gamma"], "gamma", name, 0.0, low_closed=False),
        }

    def lr_at(self, epoch: int) -> float:
        return self.base_lr * self.gamma ** (epoch // self.step_size)


class ExponentialLR(LRSchedule):
    """γₑ = γ₀ · gammaᵉ: decay by ``gamma`` every epoch."""

    _hyper_names = ("gamma",)

    def __init__(self, optimizer: Any, gamma: float) -> None:
        h = self._validate(gamma=gamma)
        super().__init__(optimizer)
        self.gamma = h["gamma"]

    def _validate(self, **kw: Any) -> dict[str, Any]:
        name = type(self).__name__
        return {"gamma": _check_float(kw["gamma"], "gamma", name, 0.0, low_closed=False)}

    def lr_at(self, epoch: int) -> float:
        return self.base_lr * self.gamma**epoch


class CosineAnnealingLR(LRSchedule):
    """γₑ = η_min + (γ₀ − η_min) · (1 + cos(π e / T_max)) / 2.

    Falls from γ₀ to ``eta_min`` over ``T_max`` epochs. Past ``T_max`` the formula
    keeps going (it rises again, period 2·T_max), as PyTorch's does; set ``T_max`` to
    the number of epochs.
    """

    _hyper_names = ("T_max", "eta_min")

    def __init__(self, optimizer: Any, T_max: int, eta_min: float = 0.0) -> None:
        h = self._validate(T_max=T_max, eta_min=eta_min)
        super().__init__(optimizer)
        self.T_max, self.eta_min = h["T_max"], h["eta_min"]

    def _validate(self, **kw: Any) -> dict[str, Any]:
        name = type(self).__name__
        return {
            "T_max": _check_int(kw["T_max"], "T_max", name, 1),
            "eta_min": _check_float(kw["eta_min"], "eta_min", name, 0.0),
        }

    def lr_at(self, epoch: int) -> float:
        cos = math.cos(math.pi * epoch / self.T_max)
        return self.eta_min + (self.base_lr - self.eta_min) * (1.0 + cos) / 2.0


class InvScalingLR(LRSchedule):
    """γ = γ₀ / (t + 1)^power_t, with t the number of training samples seen so far.

    scikit-learn's ``learning_rate="invscaling"`` (``SGDOptimizer.iteration_ends``):
    the loop calls ``schedule.step(samples_seen)`` at the end of each epoch with the
    running count of samples (scikit-learn's ``t_``), so epoch 0 uses γ₀.
    """

    _hyper_names = ("power_t",)

    def __init__(self, optimizer: Any, power_t: float = 0.5) -> None:
        h = self._validate(power_t=power_t)
        super().__init__(optimizer)
        self.power_t = h["power_t"]
        self.samples_seen = 0

    def _validate(self, **kw: Any) -> dict[str, Any]:
        return {"power_t": _check_float(kw["power_t"], "power_t", type(self).__name__, 0.0)}

    def lr_at(self, samples_seen: int) -> float:  # type: ignore[override]
        """The learning rate after ``samples_seen`` samples."""
        return self.base_lr / (samples_seen + 1) ** self.power_t

    def step(self, samples_seen: int | None = None) -> bool:  # type: ignore[override]
        """End of an epoch: ``samples_seen`` is the number of samples trained on so far."""
        name = type(self).__name__
        if samples_seen is None:
            raise TypeError(
                f"{name}.step needs samples_seen, the number of training samples seen so "
                f"far: call schedule.step(samples_seen) at the end of each epoch."
            )
        self.samples_seen = _check_int(samples_seen, "samples_seen", name, 0)
        self.epoch += 1
        self.optimizer.lr = self.lr_at(self.samples_seen)
        return False

    def epoch_end(self, *, metric: float | None = None, samples_seen: int | None = None) -> bool:
        return self.step(samples_seen)

    def _extra_state(self) -> dict[str, Any]:
        return {"samples_seen": self.samples_seen}

    def _validate_extra(self, state: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "samples_seen": _check_int(state["samples_seen"], "samples_seen", "InvScalingLR", 0)
        }


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
    ``learning_rate /= 5``; with ``patience=n_iter_no_change``, ``tol`` and
    ``min_lr=1e-6`` it reproduces ``MLPClassifier(learning_rate="adaptive")``. As in
    scikit-learn, γ may end a little below ``min_lr`` (the check comes first).
    """

    _hyper_names = ("factor", "patience", "tol", "min_lr", "mode")

    def __init__(
        self,
        optimizer: Any,
        factor: float = 0.2,
        patience: int = 2,
        tol: float = 1e-4,
        min_lr: float = 1e-6,
        mode: str = "min",
    ) -> None:
        h = self._validate(factor=factor, patience=patience, tol=tol, min_lr=min_lr, mode=mode)
        super().__init__(optimizer)
        for k, v in h.items():
            setattr(self, k, v)
        self.best = math.inf
        self.bad_epochs = 0

    def _validate(self, **kw: Any) -> dict[str, Any]:
        name = type(self).__name__
        return {
            "factor": _check_float(kw["factor"], "factor", name, 0.0, 1.0, low_closed=False),
            "patience": _check_int(kw["patience"], "patience", name, 0),
            "tol": _check_float(kw["tol"], "tol", name, 0.0),
            "min_lr": _check_float(kw["min_lr"], "min_lr", name, 0.0),
            "mode": _check_choice(kw["mode"], "mode", name, ("min", "max")),
        }

    def lr_at(self, epoch: int) -> float:
        raise NotImplementedError("AdaptiveLR's learning rate depends on the losses seen.")

    def step(self, metric: float | None = None) -> bool:  # type: ignore[override]
        """End of an epoch with its training loss ``metric``; True means stop training."""
        name = type(self).__name__
        if metric is None:
            raise TypeError(
                f"{name}.step needs the epoch's training loss: call schedule.step(loss)."
            )
        x = _check_float(metric, "metric", name)  # a NaN loss is an error, not a plateau
        if self.mode == "max":
            x = -x
        self.epoch += 1
        if x > self.best - self.tol:
            self.bad_epochs += 1
        else:
            self.bad_epochs = 0
        if x < self.best:
            self.best = x
        if self.bad_epochs > self.patience:
            lr = self.optimizer.lr
            if lr <= self.min_lr:
                return True
            self.optimizer.lr = lr / (1.0 / self.factor)
            self.bad_epochs = 0
        return False

    def epoch_end(self, *, metric: float | None = None, samples_seen: int | None = None) -> bool:
        return self.step(metric)

    def _extra_state(self) -> dict[str, Any]:
        return {"best": self.best, "bad_epochs": self.bad_epochs}

    def _validate_extra(self, state: Mapping[str, Any]) -> dict[str, Any]:
        best = state["best"]
        if not isinstance(best, numbers.Real) or math.isnan(best):
            raise ValueError(f"AdaptiveLR.load_state_dict: 'best' must be a number. Got {best!r}.")
        return {
            "best": float(best),
            "bad_epochs": _check_int(state["bad_epochs"], "bad_epochs", "AdaptiveLR", 0),
        }


SCHEDULES: dict[str, type[LRSchedule]] = {
    "constant": ConstantLR,
    "step": StepLR,
    "exponential": ExponentialLR,
    "cosine": CosineAnnealingLR,
    "invscaling": InvScalingLR,
    "adaptive": AdaptiveLR,
}
"""Name → schedule class, used by :func:`get_schedule`."""


def get_schedule(name: str | type[LRSchedule], optimizer: Any, **kw: Any) -> LRSchedule:
    """Build the schedule called ``name`` (see :data:`SCHEDULES`) for ``optimizer``.

    >>> import numpy as np
    >>> class P:
    ...     def __init__(self, data):
    ...         self.data, self.grad = data, None
    >>> opt = SGD([P(np.zeros(1))], lr=0.1)
    >>> sched = get_schedule("step", opt, step_size=2, gamma=0.5)
    >>> [(sched.step(), opt.lr)[1] for _ in range(4)]
    [0.1, 0.05, 0.05, 0.025]
    """
    cls = _lookup(name, SCHEDULES, "learning-rate schedule", LRSchedule)
    _check_kwargs(cls, kw, skip=2)
    return cls(optimizer, **kw)
