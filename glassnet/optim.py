"""Optimizers and learning-rate schedules: update rules, nothing more.

The lecture learns weights by gradient descent,

    w_j ← w_j − γ ∂J/∂w_j,

repeated until a termination criterion holds. This module implements that rule
(:class:`SGD`, alias :class:`GradientDescent`) and the variants used in practice:
momentum and Nesterov momentum (PyTorch's and scikit-learn's forms), :class:`Adam`,
:class:`AdamW` and :class:`RMSprop`, plus learning-rate schedules that change γ
between epochs.

**Parameters** are duck-typed: any object with ``.data`` (a float32 or float64
``numpy.ndarray``) and ``.grad`` (an array of the same shape, or ``None``).

**Memory.** An optimizer owns no parameter memory. It takes the parameters' flat
buffers from :func:`glassnet.nn.flatten_parameters`: per dtype, one vector θ and one
∂J/∂θ of shape ``(numel,)``, with every ``p.data`` / ``p.grad`` a view of them. An
update is then a few whole-buffer NumPy calls with ``out=`` (no loop over layers, no
allocation), and the optimizer's state (velocity, moments) is flat arrays shaped like
θ. Before each step a ``.data`` or ``.grad`` the user rebound is copied back in; a
``None`` gradient counts as zero.

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

import functools
import inspect
import math
import numbers
import operator
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from .nn.flat import flatten_parameters

# fmt: off
__all__ = [
    "OPTIMIZERS", "SCHEDULES", "SGD", "Adam", "AdamW", "AdaptiveLR", "ConstantLR",
    "CosineAnnealingLR", "ExponentialLR", "GradientDescent", "InvScalingLR", "LRSchedule",
    "Optimizer", "RMSprop", "StepLR", "get_optimizer", "get_schedule",
]
# fmt: on

_SPECS: dict[str, Any] = {  # what each setting must be, in the words of the messages
    **dict.fromkeys(("momentum", "beta1", "beta2", "alpha"), "float in [0, 1)"),
    **dict.fromkeys(("nesterov", "amsgrad", "centered"), "bool (True or False)"),
    **dict.fromkeys(("lr", "eps", "gamma"), "float > 0"),
    **dict.fromkeys(("weight_decay", "eta_min", "power_t", "tol", "min_lr"), "float >= 0"),
    "base_lr": "float >= 0",
    **dict.fromkeys(("t", "epoch", "patience", "samples_seen", "bad_epochs"), "int >= 0"),
    **dict.fromkeys(("step_size", "T_max"), "int >= 1"),
    "dampening": "float in [0, 1]",
    "factor": "float in (0, 1)",
    "style": ("torch", "sklearn"),
    "mode": ("min", "max"),
    "best": "number",
    "metric": "finite float",
}

# ---------------------------------------------------------------------------
# validation (messages in scikit-learn's style)
# ---------------------------------------------------------------------------


def _show(value: Any) -> str:
    """repr() of a value for an error message, NumPy scalars shown as plain numbers."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def _check(value: Any, name: str, owner: str, spec: Any = None) -> Any:
    """``value`` (as a bool, int or float) if it meets ``spec`` (default ``_SPECS[name]``),
    else a ValueError: ``The 'lr' parameter of SGD must be a float > 0. Got -1.``

    ``spec`` says what is wanted in the message's words: ``"float > 0"``,
    ``"float >= 0"``, ``"float in [0, 1)"``, ``"int >= 1"``, ``"finite float"``,
    ``"number"`` (a real number, infinite allowed, not NaN), ``"bool (True or False)"``,
    or a tuple of the allowed strings. Floats are always finite.
    """
    spec = _SPECS[name] if spec is None else spec
    if isinstance(spec, tuple):
        if isinstance(value, str) and value in spec:
            return value
        want = " or ".join(map(repr, spec))
    else:
        kind, *rule = spec.removeprefix("finite ").split()
        if kind == "bool" and isinstance(value, (bool, np.bool_)):
            return bool(value)
        real = numbers.Integral if kind == "int" else numbers.Real
        if kind != "bool" and isinstance(value, real) and not isinstance(value, (bool, np.bool_)):
            x = int(value) if kind == "int" else float(value)
            if (math.isfinite(x) or (kind == "number" and not math.isnan(x))) and _within(x, rule):
                return x
        want = ("an " if kind == "int" else "a ") + spec
    raise ValueError(f"The '{name}' parameter of {owner} must be {want}. Got {_show(value)}.")


_OPS = {">": operator.gt, ">=": operator.ge, "[": operator.ge, "(": operator.gt}
_OPS.update({"]": operator.le, ")": operator.lt})


def _within(x: float, rule: list[str]) -> bool:
    """Whether x meets ``> 0``, ``>= 1`` or ``in [0, 1)``, split into words (none: any)."""
    if rule[:1] == ["in"]:  # ["in", "[0,", "1)"]
        low, high = rule[1], rule[2]
        return _OPS[low[0]](x, float(low[1:-1])) and _OPS[high[-1]](x, float(high[:-1]))
    return not rule or _OPS[rule[0]](x, float(rule[1]))


def _check_state(state: Any, owner: str, expected: Iterable[str], partial: bool = False) -> None:
    """A state dict saved from ``owner``, with exactly the ``expected`` keys (at least them
    with ``partial``)."""
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
    missing = sorted(set(expected) - set(state))
    extra = [] if partial else sorted(set(state) - set(expected))
    if missing or extra:
        parts = [f"{w} keys {k}" for w, k in (("missing", missing), ("unexpected", extra)) if k]
        raise ValueError(
            f"{owner}.load_state_dict got a state dict with {' and '.join(parts)}; "
            f"pass the dict returned by {owner}.state_dict() with the same settings."
        )


# ---------------------------------------------------------------------------
# whole-buffer steps shared by the rules (every array has the flat shape (numel,))
# ---------------------------------------------------------------------------


_BLOCK = 1 << 16  # floats per block of _descend (256 KiB in float32): γ d stays in the cache


def _descend(w: np.ndarray, d: np.ndarray, lr: float, out: np.ndarray) -> None:
    """w ← w − γ d (γ d formed in ``out``; γ = 1 is one subtraction).

    On large buffers γ d is formed and subtracted block by block in one reused block of
    ``out``, so it is read back from the cache rather than from memory: for the 235k
    float32 weights of bench/ W1 about 100 µs a step against 135 µs for two whole-buffer
    calls (a bare subtraction, γ = 1, is 60 µs).
    """
    n = w.shape[0]
    if lr == 1.0:
        np.subtract(w, d, out=w)
    elif n <= _BLOCK:
        np.subtract(w, np.multiply(d, lr, out=out), out=w)
    else:
        for i in range(0, n, _BLOCK):  # one block of ``out``, reused: it stays in the cache
            j = min(i + _BLOCK, n)
            t = np.multiply(d[i:j], lr, out=out[: j - i])
            np.subtract(w[i:j], t, out=w[i:j])


def _decayed(g: np.ndarray, w: np.ndarray, wd: float, out: np.ndarray) -> np.ndarray:
    """g + λ w, formed in ``out`` so the parameter's own gradient is left alone (g if λ = 0)."""
    if not wd:
        return g
    np.multiply(w, wd, out=out)
    return np.add(g, out, out=out)


def _average(m: np.ndarray, x: np.ndarray, beta: float, tmp: np.ndarray) -> None:
    """m ← β m + (1 − β) x, computed as m + (1 − β)(x − m) (PyTorch's lerp)."""
    np.subtract(x, m, out=tmp)
    np.multiply(tmp, 1.0 - beta, out=tmp)
    np.add(m, tmp, out=m)


def _mean_square(v: np.ndarray, g: np.ndarray, beta: float, tmp: np.ndarray) -> None:
    """v ← β v + (1 − β) g², elementwise."""
    np.multiply(v, beta, out=v)
    np.multiply(g, g, out=tmp)
    np.multiply(tmp, 1.0 - beta, out=tmp)
    np.add(v, tmp, out=v)


# ---------------------------------------------------------------------------
# optimizers
# ---------------------------------------------------------------------------


def _frozen(name: str) -> property:
    """The hyperparameter ``name``, read as ``opt.name``; assigning it raises, since it sizes
    the state (a C-level getter: the rules read it on every step)."""

    def refuse(self: Any, value: Any) -> None:
        cls = type(self).__name__
        raise AttributeError(
            f"{cls}.{name} is fixed when the optimizer is built; build a new {cls}"
            f"(..., {name}={_show(value)}) or change it through load_state_dict."
        )

    return property(operator.attrgetter("_" + name), refuse)


def _param_list(params: Any, owner: str) -> list[Any]:
    """``params`` as a list (a Module gives its parameters); flatten_parameters checks each."""
    if callable(getattr(params, "parameters", None)):  # a Module: take its parameters
        params = params.parameters()
    try:  # (a single parameter is no list of them, even when it iterates)
        plist = None if hasattr(params, "grad") else list(params)
    except TypeError:
        plist = None
    if plist is None:
        raise TypeError(
            f"The 'params' argument of {owner} must be an iterable of parameters (objects with "
            f".data and .grad) such as model.parameters(); wrap a single parameter in a list: "
            f"{owner}([w], ...). Got {type(params).__name__}."
        )
    if not plist:
        raise ValueError(
            f"The 'params' argument of {owner} is empty; pass the parameters to "
            f"optimize, e.g. {owner}(model.parameters())."
        )
    return plist


class Optimizer:
    """Base class: ``lr``, ``t``, ``step``, ``zero_grad``, state dicts.

    A subclass names its hyperparameters in ``_hyper`` (what each must be is in
    ``_SPECS``) and passes their values as ``settings`` (its constructor's
    ``locals()``); it names the state buffers a setting needs in ``_buffers(hyper)``
    and gives its rule as ``_rule(w, g, work, state)``: the update of one dtype group,
    where ``w`` is θ, ``g`` is ∂J/∂θ, ``work`` two scratch arrays and ``state`` the
    group's buffers by name, all of shape ``(numel,)``. Each hyperparameter is a
    read-only property (:func:`_frozen`): fixed once built, since it sizes the state;
    ``load_state_dict`` changes it.

    Attributes
    ----------
    params : list
        The parameters, in the order given.
    t : int
        Number of steps taken.
    """

    _hyper: tuple[str, ...] = ()

    def __init__(self, params: Iterable[Any] | Any, lr: float, settings: Any = None) -> None:
        name = type(self).__name__
        lr, hyper = _check(lr, "lr", name), self._validate(settings)
        self.params = _param_list(params, name)
        self._flat = flatten_parameters(self.params)  # checks every parameter, then binds
        self._lr, self.t = lr, 0
        self._work = [(np.empty_like(d), np.empty_like(d)) for d in self._flat.data]  # scratch
        self._install(hyper)

    def _validate(self, settings: Any) -> dict[str, Any]:
        return {k: _check(settings[k], k, type(self).__name__) for k in self._hyper}

    _buffers = staticmethod(lambda hyper: [])

    def _install(self, hyper: dict[str, Any], state: Mapping[str, Any] | None = None) -> None:
        """Set checked hyperparameters, and state buffers to match: zeros, or copies of a
        checked state dict's."""
        self.__dict__.update({"_" + k: v for k, v in hyper.items()})
        names, fresh = self._buffers(hyper), state is None
        self._state = [
            {k: np.zeros_like(d) if fresh else state[f"{k}.{g}"].astype(d.dtype) for k in names}
            for g, d in enumerate(self._flat.data)
        ]

    @property
    def lr(self) -> float:
        """The learning rate γ. Settable (schedules set it); must be a float >= 0."""
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        # >= 0, not > 0: a schedule such as cosine annealing may reach 0.
        self._lr = _check(value, "lr", type(self).__name__, "float >= 0")

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Take one update step from the current gradients ∂J/∂w.

        ``closure``, when given, is called first (it should recompute the loss and the
        gradients) and its return value is returned, as in PyTorch.
        """
        loss = closure() if closure is not None else None
        flat = self._flat.sync()
        self.t += 1
        for w, g, work, state in zip(flat.data, flat.grad, self._work, self._state):
            self._rule(w, g, work, state)
        return loss

    def zero_grad(self) -> None:
        """∂J/∂w ← 0 in place for every parameter; every ``p.grad`` is its flat view."""
        self._flat.zero_grad()

    def state_dict(self) -> dict[str, Any]:
        """Everything needed to resume: plain Python scalars and copied arrays.

        Keys: ``"type"``, ``"lr"``, ``"t"``, the hyperparameters, and for each dtype group
        g ``"numel.<g>"``, ``"dtype.<g>"`` and ``"<buffer>.<g>"`` per state buffer (for
        example ``"m.0"``), of shape ``(numel,)``, laid out as the group's θ in
        :func:`glassnet.nn.flatten_parameters`. The parameters' values are not included
        (save the model for those).
        """
        state = {"type": type(self).__name__, "lr": self._lr, "t": self.t}
        state.update({k: getattr(self, k) for k in self._hyper})
        for g, (d, bufs) in enumerate(zip(self._flat.data, self._state)):
            state.update({f"numel.{g}": int(d.size), f"dtype.{g}": str(d.dtype)})
            state.update({f"{k}.{g}": b.copy() for k, b in bufs.items()})
        return state

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned (hyperparameters, lr, t, buffers).

        Everything is checked before anything changes: the type, the keys, the settings,
        each group's size and dtype, and each buffer's shape.
        """
        name, keys = type(self).__name__, ["type", "lr", "t", *self._hyper]
        _check_state(state, name, keys, partial=True)
        hyper, lr = self._validate(state), _check(state["lr"], "lr", name, "float >= 0")
        t, names = _check(state["t"], "t", name), self._buffers(hyper)
        for g in range(len(self._flat.data)):
            keys += [f"numel.{g}", f"dtype.{g}", *(f"{k}.{g}" for k in names)]
        _check_state(state, name, keys)
        for g, d in enumerate(self._flat.data):
            have, want = f"{state[f'numel.{g}']} {state[f'dtype.{g}']}", f"{d.size} {d.dtype}"
            if have != want:
                raise ValueError(
                    f"{name}.load_state_dict: group {g} of the state dict holds {have} values "
                    f"but this optimizer's group {g} holds {want} values; load it into an "
                    f"optimizer over parameters of the same shapes and dtypes."
                )
            for key in (f"{k}.{g}" for k in names):
                arr = state[key]
                ok = isinstance(arr, np.ndarray) and arr.shape == d.shape and arr.dtype.kind == "f"
                if not ok:
                    got = getattr(arr, "shape", type(arr).__name__)
                    raise ValueError(
                        f"{name}.load_state_dict: '{key}' must be a float array of shape "
                        f"{d.shape}; got {getattr(arr, 'dtype', '')} {got}."
                    )
        self._install(hyper, state)  # all checked: commit
        self._lr, self.t = lr, t

    def __repr__(self) -> str:
        items = "".join(f", {k}={getattr(self, k)!r}" for k in self._hyper)
        size = f"params={len(self.params)}, numel={sum(d.size for d in self._flat.data)}"
        return f"{type(self).__name__}(lr={self._lr!r}{items}; {size})"


class SGD(Optimizer):
    """Stochastic gradient descent, with optional momentum, Nesterov and weight decay.

    With the defaults this is the lecture's gradient descent, ``w ← w − γ g`` with
    ``g = ∂J/∂w``: two NumPy calls per dtype group (``s = γ g``; ``w −= s``; one when
    γ = 1).

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
    PyTorch style, u in the scikit-learn style), of shape ``(numel,)`` per dtype group.

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

    _hyper = ("momentum", "nesterov", "weight_decay", "dampening", "style")
    momentum, nesterov, weight_decay, dampening, style = map(_frozen, _hyper)

    def __init__(
        self,
        params: Iterable[Any] | Any,
        lr: float = 0.01,
        momentum: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
        dampening: float = 0.0,
        style: str = "torch",
    ) -> None:
        super().__init__(params, lr, locals())

    def _validate(self, settings: Any) -> dict[str, Any]:
        h, owner = super()._validate(settings), type(self).__name__
        mu, damp = h["momentum"], h["dampening"]
        if h["style"] == "torch" and h["nesterov"] and (mu <= 0 or damp):
            raise ValueError(
                f"{owner} with nesterov=True needs momentum > 0 and dampening=0. Got "
                f"momentum={mu!r}, dampening={damp!r}; set momentum, e.g. momentum=0.9."
            )
        if h["style"] == "sklearn" and damp:
            raise ValueError(
                f"The 'dampening' parameter of {owner} applies to style='torch' only. Got "
                f"dampening={damp!r} with style='sklearn'; set dampening=0."
            )
        return h

    _buffers = staticmethod(lambda hyper: ["v"] if hyper["momentum"] > 0 else [])

    def _rule(self, w: np.ndarray, g: np.ndarray, work: Any, state: dict) -> None:
        lr, mu, wd = self._lr, self.momentum, self.weight_decay
        a, b = work
        if not mu:  # plain gradient descent (both styles): w ← w(1 − γλ) − γg
            if wd:
                np.multiply(w, 1.0 - lr * wd, out=w)
            _descend(w, g, lr, a)
            return
        g, v = _decayed(g, w, wd, a), state["v"]  # g ← g + λw
        np.multiply(v, mu, out=v)
        if self.style == "sklearn":  # u ← μu − γg;  w ← w + (μu − γg) if nesterov else w + u
            np.subtract(v, np.multiply(g, lr, out=b), out=v)
            d = np.subtract(np.multiply(v, mu, out=a), b, out=a) if self.nesterov else v
            np.add(w, d, out=w)
            return
        damp = 1.0 if self.t == 1 else 1.0 - self.dampening  # v ← μv + (1 − τ)g; v ← g first
        np.add(v, g if damp == 1.0 else np.multiply(g, damp, out=b), out=v)
        d = np.add(g, np.multiply(v, mu, out=b), out=b) if self.nesterov else v  # g + μv or v
        _descend(w, d, lr, b)  # w ← w − γd


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

    State: ``t``, ``m``, ``v`` and (amsgrad) ``v_max``, each of shape ``(numel,)`` per
    dtype group.
    """

    _hyper = ("beta1", "beta2", "eps", "weight_decay", "amsgrad")
    beta1, beta2, eps, weight_decay, amsgrad = map(_frozen, _hyper)
    _decoupled = False

    def __init__(
        self,
        params: Iterable[Any] | Any,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
    ) -> None:
        owner = type(self).__name__
        try:
            beta1, beta2 = (_check(b, "betas", owner, "float in [0, 1)") for b in betas)
        except (TypeError, ValueError):
            raise ValueError(
                f"The 'betas' parameter of {owner} must be a pair of floats in [0, 1). "
                f"Got {_show(betas)}."
            ) from None
        super().__init__(params, lr, locals())

    @property
    def betas(self) -> tuple[float, float]:
        """(β₁, β₂)."""
        return (self.beta1, self.beta2)

    _buffers = staticmethod(lambda hyper: ["m", "v", "v_max"] if hyper["amsgrad"] else ["m", "v"])

    def _rule(self, w: np.ndarray, g: np.ndarray, work: Any, state: dict) -> None:
        lr, wd, t = self._lr, self.weight_decay, self.t
        a, b = work
        if self._decoupled and wd:  # AdamW: w ← w(1 − γλ)
            np.multiply(w, 1.0 - lr * wd, out=w)
        g = _decayed(g, w, 0.0 if self._decoupled else wd, b)  # Adam: g ← g + λw
        m, v = state["m"], state["v"]
        _average(m, g, self.beta1, a)  # m ← β₁m + (1 − β₁)g
        _mean_square(v, g, self.beta2, a)  # v ← β₂v + (1 − β₂)g²
        if self.amsgrad:
            v = np.maximum(state["v_max"], v, out=state["v_max"])
        c2 = math.sqrt(1.0 - self.beta2**t)
        np.sqrt(v, out=a)  # s = √v̂ + ε√(1 − β₂ᵗ)
        np.add(a, self.eps * c2, out=a)
        np.divide(m, a, out=a)
        _descend(w, a, lr * c2 / (1.0 - self.beta1**t), a)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019), as PyTorch's AdamW.

    The weights shrink before the Adam step instead of the penalty entering g::

        w ← w (1 − γ λ)
        (then Adam's update of m, v and w with the raw gradient g)

    Parameters and state as :class:`Adam`; ``weight_decay`` defaults to 1e-2 (and, with
    ``amsgrad``, is given by keyword).
    """

    _decoupled = True
    __init__ = functools.partialmethod(Adam.__init__, weight_decay=1e-2)  # (keyword-only)


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

    State: ``t``, ``v``, and ``g_avg`` (centered), ``b`` (momentum > 0), each of shape
    ``(numel,)`` per dtype group.
    """

    _hyper = ("alpha", "eps", "momentum", "centered", "weight_decay")
    alpha, eps, momentum, centered, weight_decay = map(_frozen, _hyper)

    def __init__(
        self,
        params: Iterable[Any] | Any,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        momentum: float = 0.0,
        centered: bool = False,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr, locals())

    _buffers = staticmethod(
        lambda h: ["v"] + ["g_avg"] * h["centered"] + ["b"] * (h["momentum"] > 0)
    )

    def _rule(self, w: np.ndarray, g: np.ndarray, work: Any, state: dict) -> None:
        a, b = work
        g, v = _decayed(g, w, self.weight_decay, b), state["v"]  # g ← g + λw
        _mean_square(v, g, self.alpha, a)  # v ← αv + (1 − α)g²
        if self.centered:  # ḡ ← αḡ + (1 − α)g;  s = √max(v − ḡ², 0)
            g_avg = state["g_avg"]
            _average(g_avg, g, self.alpha, a)
            np.multiply(g_avg, g_avg, out=a)
            v = np.maximum(np.subtract(v, a, out=a), 0.0, out=a)
        np.sqrt(v, out=a)
        np.add(a, self.eps, out=a)
        d = np.divide(g, a, out=a)  # g / s
        if self.momentum:  # b ← μb + g/s;  w ← w − γb
            np.multiply(state["b"], self.momentum, out=state["b"])
            d = np.add(state["b"], a, out=state["b"])
        _descend(w, d, self._lr, a)


OPTIMIZERS = {"sgd": SGD, "gd": SGD, "adam": Adam, "adamw": AdamW, "rmsprop": RMSprop}
"""Name → optimizer class, used by :func:`get_optimizer`, the estimators and the CLI."""


def _build(name: Any, table: Mapping, base: type, what: str, first: Any, kw: Mapping) -> Any:
    """``table[name](first, **kw)`` (``name`` may be a class), with messages that list
    the valid names and settings."""
    is_class = isinstance(name, type) and issubclass(name, base)
    cls = name if is_class else table.get(name.lower()) if isinstance(name, str) else None
    if cls is None:
        valid = ", ".join(map(repr, sorted(table)))
        raise ValueError(f"Unknown {what} {_show(name)}. Valid names: {valid}.")
    allowed = list(inspect.signature(cls.__init__).parameters)[2:]
    if set(kw) - set(allowed):
        bad = sorted(set(kw) - set(allowed))
        raise TypeError(
            f"{cls.__name__} got unexpected keyword arguments {bad}; its settings are {allowed}."
        )
    return cls(first, **kw)


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
    return _build(name, OPTIMIZERS, Optimizer, "optimizer", params, kw)


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
    does). A subclass names its settings in ``_hyper`` (passing their values as its
    constructor's ``locals()``) and what it tracks besides the epoch in ``_progress``;
    what each must be is in ``_SPECS``.
    """

    _hyper: tuple[str, ...] = ()
    _progress: dict[str, Any] = {}  # name → starting value
    _needs: tuple[str, ...] = ()  # the facts of epoch_end that step takes

    def __init__(self, optimizer: Any, settings: Any = None) -> None:
        name = type(self).__name__
        self.__dict__.update({k: _check(settings[k], k, name) for k in self._hyper})
        if not hasattr(optimizer, "lr"):
            raise TypeError(
                f"{name} needs an optimizer with an 'lr' attribute. Got {type(optimizer).__name__}."
            )
        self.optimizer, self.base_lr, self.epoch = optimizer, float(optimizer.lr), 0
        self.__dict__.update(self._progress)

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
        facts = {"metric": metric, "samples_seen": samples_seen}
        return self.step(*(facts[k] for k in self._needs))

    @property
    def lr(self) -> float:
        """The optimizer's current learning rate."""
        return float(self.optimizer.lr)

    def state_dict(self) -> dict[str, Any]:
        """Plain Python scalars: type, base_lr, epoch, settings and progress."""
        keys = ("base_lr", "epoch", *self._hyper, *self._progress)
        return {"type": type(self).__name__, **{k: getattr(self, k) for k in keys}}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned (``optimizer.lr`` is not touched:
        load the optimizer's own state dict for that)."""
        name, keys = type(self).__name__, list(self.state_dict())
        _check_state(state, name, keys)
        self.__dict__.update({k: _check(state[k], k, name) for k in keys[1:]})

    def __repr__(self) -> str:
        items = ", ".join(f"{k}={getattr(self, k)!r}" for k in self._hyper)
        return f"{type(self).__name__}({items}; epoch={self.epoch}, lr={self.lr!r})"


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

    _hyper = ("step_size", "gamma")

    def __init__(self, optimizer: Any, step_size: int, gamma: float = 0.1) -> None:
        super().__init__(optimizer, locals())

    def lr_at(self, epoch: int) -> float:
        return self.base_lr * self.gamma ** (epoch // self.step_size)


class ExponentialLR(LRSchedule):
    """γₑ = γ₀ · gammaᵉ: decay by ``gamma`` every epoch."""

    _hyper = ("gamma",)

    def __init__(self, optimizer: Any, gamma: float) -> None:
        super().__init__(optimizer, locals())

    def lr_at(self, epoch: int) -> float:
        return self.base_lr * self.gamma**epoch


class CosineAnnealingLR(LRSchedule):
    """γₑ = η_min + (γ₀ − η_min) · (1 + cos(π e / T_max)) / 2.

    Falls from γ₀ to ``eta_min`` over ``T_max`` epochs. Past ``T_max`` the formula
    keeps going (it rises again, period 2·T_max), as PyTorch's does; set ``T_max`` to
    the number of epochs.
    """

    _hyper = ("T_max", "eta_min")

    def __init__(self, optimizer: Any, T_max: int, eta_min: float = 0.0) -> None:
        super().__init__(optimizer, locals())

    def lr_at(self, epoch: int) -> float:
        cos = math.cos(math.pi * epoch / self.T_max)
        return self.eta_min + (self.base_lr - self.eta_min) * (1.0 + cos) / 2.0


class InvScalingLR(LRSchedule):
    """γ = γ₀ / (t + 1)^power_t, with t the number of training samples seen so far.

    scikit-learn's ``learning_rate="invscaling"`` (``SGDOptimizer.iteration_ends``):
    the loop calls ``schedule.step(samples_seen)`` at the end of each epoch with the
    running count of samples (scikit-learn's ``t_``), so epoch 0 uses γ₀.
    """

    _hyper, _progress, _needs = ("power_t",), {"samples_seen": 0}, ("samples_seen",)

    def __init__(self, optimizer: Any, power_t: float = 0.5) -> None:
        super().__init__(optimizer, locals())

    def lr_at(self, samples_seen: int) -> float:  # type: ignore[override]
        """The learning rate after ``samples_seen`` samples."""
        return self.base_lr / (samples_seen + 1) ** self.power_t

    def step(self, samples_seen: int) -> bool:  # type: ignore[override]
        """End of an epoch: ``samples_seen`` is the number of samples trained on so far."""
        self.samples_seen = _check(samples_seen, "samples_seen", type(self).__name__)
        self.epoch += 1
        self.optimizer.lr = self.lr_at(self.samples_seen)
        return False


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

    _hyper = ("factor", "patience", "tol", "min_lr", "mode")
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
        self.epoch += 1
        self.bad_epochs = self.bad_epochs + 1 if x > self.best - self.tol else 0
        self.best = min(self.best, x)
        if self.bad_epochs > self.patience:
            if self.optimizer.lr <= self.min_lr:
                return True
            self.optimizer.lr, self.bad_epochs = self.optimizer.lr / (1.0 / self.factor), 0
        return False


# fmt: off
SCHEDULES: dict[str, type[LRSchedule]] = {
    "constant": ConstantLR, "step": StepLR, "exponential": ExponentialLR,
    "cosine": CosineAnnealingLR, "invscaling": InvScalingLR, "adaptive": AdaptiveLR,
}
# fmt: on
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
    return _build(name, SCHEDULES, LRSchedule, "learning-rate schedule", optimizer, kw)
