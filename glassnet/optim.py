"""Optimizers: update rules, nothing more.

The lecture learns weights by gradient descent,

    w_j ← w_j − γ ∂J/∂w_j,

repeated until a termination criterion holds. This module implements that rule
(:class:`SGD`, alias :class:`GradientDescent`), momentum and Nesterov momentum (PyTorch's
and scikit-learn's forms), :class:`Adam` and :class:`AdamW`. PyTorch's further optimizers
(:class:`RMSprop`, :class:`Adagrad`, :class:`Adadelta`, :class:`Adamax`, :class:`NAdam`,
:class:`RAdam`) are :mod:`glassnet.torch_optim`'s, imported here and named in ``OPTIMIZERS``.
The learning-rate schedules that change γ between epochs are :mod:`glassnet.schedules`.

**Parameters** are duck-typed: any object with ``.data`` (a float32 or float64
``numpy.ndarray``) and ``.grad`` (an array of the same shape, or ``None``). As in
PyTorch, a step leaves alone every parameter whose ``.grad`` is ``None`` or whose
``requires_grad`` is False: no weight decay, no leftover momentum, its state kept.

**Param groups.** As in PyTorch, ``params`` may be a list of dicts, each with its
``"params"`` and its own settings (``{"params": head, "lr": 0.1}``); settings a group
does not give come from the constructor's arguments. ``optimizer.param_groups`` holds
them (plain dicts); a schedule sets each group's ``"lr"``. ``optimizer.lr``
and the other settings read as attributes are the first group's; assigning one sets
it in every group. As PyTorch's, a group may carry keys the optimizer does not read (a
wrapper's ``lookahead_step``, a ``"name"``): kept, ignored by the step; a key a letter or
two from a setting's name (``"momentun"``) is refused, as a misspelling. A group dict of
another optimizer (``super().__init__(base.param_groups, defaults)``) is kept itself, as
PyTorch's ``add_param_group`` keeps it: the two share it, and an lr written through either
is the one both step with.

**Memory.** An optimizer owns no parameter memory. It takes each group's flat
buffers from :func:`glassnet.nn.flatten_parameters`: per dtype, one vector θ and one
∂J/∂θ of shape ``(numel,)``, with every ``p.data`` (and ``p.grad``, once a step has
seen a gradient; ``None`` before, as in PyTorch) a view of them. An
update is then a few whole-buffer NumPy calls with ``out=`` (no loop over layers, no
allocation), and the optimizer's state (velocity, moments) is flat arrays shaped like
θ. Before each step a ``.data`` or ``.grad`` the user rebound is copied back in,
except fresh gradients of 65536 values or more in all (a hand-written loop's
``backward()`` after ``zero_grad()``): the rules read those where they are, parameter by
parameter, which saves a pass over every gradient.

Example: the lecture's update on a stand-in parameter.

>>> import numpy as np
>>> class P:  # anything with .data and .grad
...     def __init__(self, data):
...         self.data, self.grad = data, None
>>> w = P(np.array([1.0, 2.0]))
>>> opt = SGD([w], lr=0.1)
>>> w.grad = np.array([1.0, -1.0])  # ∂J/∂w, as backward() would write it
>>> opt.step()
>>> w.data                          # w − γ ∂J/∂w
array([0.9, 2.1])
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from . import lr_scheduler  # (PyTorch's place: glassnet.schedules, PyTorch's ConstantLR)
from ._validation import (
    build,
    check_name,
    check_params,
    init_signature,
    torch_switches,
)
from .blas import axpy
from .nn.flat import flatten_parameters
from .optim_signature import RULES as RULES  # (what each setting must be; torch_optim adds)
from .optim_signature import check_rule, setting, signatures  # (constructors, opt.lr)

if TYPE_CHECKING:  # (the constructors' types, optim_habits' methods: for type checkers)
    from .declarations import Betas, Params, Style, Switches, Unpack
    from .declarations import Optimizer as OptimizerMethods
else:
    OptimizerMethods = object

# fmt: off
__all__ = [
    "CLOSURE_OPTIMIZERS", "LBFGS", "OPTIMIZERS", "SGD", "Adadelta", "Adagrad", "Adam", "AdamW",
    "Adamax", "GradientDescent", "NAdam", "Optimizer", "RAdam", "RMSprop", "get_optimizer",
    "lr_scheduler",
]
# fmt: on

# ---------------------------------------------------------------------------
# whole-buffer steps shared by the rules (every array has the flat shape (numel,))
# ---------------------------------------------------------------------------
BLOCK = 1 << 16  # floats per block of descend (256 KiB in float32): γ d stays in the cache
# (public: fit_many lays per-model rates out in the same blocks)


def descend(w: np.ndarray, d: np.ndarray, lr: float, out: np.ndarray, fuse_above: int) -> None:
    """w ← w − γ d (γ d formed in ``out``; γ = 1 is one subtraction).

    A buffer of more than ``fuse_above`` values is updated in one pass by BLAS's axpy
    (:mod:`glassnet.blas`) where NumPy's BLAS has one; else γ d is formed and subtracted,
    a large buffer block by block in one reused block of ``out``, so it is read back from
    the cache rather than from memory (the same numbers as one block).
    """
    n = w.shape[0]
    if not hasattr(lr, "shape") and lr == 1.0:  # (a number; a captured step's γ is an array)
        np.subtract(w, d, out=w)
    elif n > fuse_above and isinstance(lr, (int, float)) and axpy(w, d, -lr):
        pass  # (done by BLAS; a captured γ, an array, takes NumPy's calls)
    elif n <= BLOCK:
        np.subtract(w, np.multiply(d, lr, out=out), out=w)
    else:
        for i in range(0, n, BLOCK):  # one block of ``out``, reused: it stays in the cache
            s = slice(i, i + BLOCK)  # (the last one shorter)
            np.subtract(w[s], np.multiply(d[s], lr, out=out[: min(BLOCK, n - i)]), out=w[s])


def decayed(g: np.ndarray, w: np.ndarray, wd: float, out: np.ndarray) -> np.ndarray:
    """g + λ w, formed in ``out`` so the parameter's own gradient is left alone (g if λ = 0)."""
    return np.add(g, np.multiply(w, wd, out=out), out=out) if wd else g


def average(m: np.ndarray, x: np.ndarray, beta: float, tmp: np.ndarray) -> None:
    """m ← β m + (1 − β) x, computed as m + (1 − β)(x − m) (PyTorch's lerp)."""
    np.add(m, np.multiply(np.subtract(x, m, out=tmp), 1.0 - beta, out=tmp), out=m)


def mean_square(v: np.ndarray, g: np.ndarray, beta: float, tmp: np.ndarray) -> None:
    """v ← β v + (1 − β) g², elementwise, scaled before squared ((1 − β) g) g, as PyTorch's
    addcmul: g² alone overflows float32 from |g| = 1.8e19, where (1 − β₂) g g (β₂ = 0.999)
    stays finite to 5.8e20 (v = inf made the step m / √v = 0: the weight stayed put)."""
    np.multiply(np.multiply(g, 1.0 - beta, out=tmp), g, out=tmp)  # (1 − β) g²
    np.add(np.multiply(v, beta, out=v), tmp, out=v)


def moments(w: np.ndarray, g: np.ndarray, work: Any, state: dict, h: dict, decoupled: bool) -> Any:
    """Adam's first lines (NAdam's and RAdam's too): w ← w(1 − γλ) if ``decoupled``, else
    g ← g + λw; then m ← β₁m + (1 − β₁)g and v ← β₂v + (1 − β₂)g². Returns that g."""
    wd, (b1, b2), (a, b) = h["weight_decay"], h["betas"], work
    if decoupled and wd:  # AdamW: w ← w(1 − γλ)
        np.multiply(w, h["decay"], out=w)
    g = decayed(g, w, 0.0 if decoupled else wd, b)  # Adam: g ← g + λw
    average(state["m"], g, b1, a)  # m ← β₁m + (1 − β₁)g
    mean_square(state["v"], g, b2, a)  # v ← β₂v + (1 − β₂)g²
    return g


# ---------------------------------------------------------------------------
# optimizers
# ---------------------------------------------------------------------------


def _taking(params: list[Any]) -> list[bool]:
    """Whether each parameter takes a step: it has a gradient and requires one (PyTorch's)."""
    return [p.grad is not None and getattr(p, "requires_grad", True) for p in params]


class _Pack:
    """What an optimizer keeps per param group: the parameters' flat buffers, two scratch
    arrays and the state buffers per dtype, the group's settings as last checked, and the
    values its dict held then (``seen``: a step checks the settings again when one of
    them is no longer the same object, or a key was added)."""

    def __init__(self, flat: Any, params: list[Any]) -> None:
        self.flat, self.settings, self.seen, self.group, self.held = flat, {}, [], {}, []
        self.order = list(params)  # the group's order (a packing reused may have another)
        self.steps = np.zeros(len(flat.params), np.int64)
        self.work = [(np.empty_like(d), np.empty_like(d)) for d in flat.data]
        self.state: list[dict[str, np.ndarray]] = [{} for _ in flat.data]

    @property
    def steps(self) -> np.ndarray:
        """Each parameter's own step count: ``counts``, Python ints (a step adds to them without
        a NumPy call), plus ``pending``, the steps since that every parameter took (prepared)."""
        return np.array([k + self.pending for k in self.counts], np.int64)

    @steps.setter
    def steps(self, counts: np.ndarray) -> None:
        self.counts, self.pending = [int(k) for k in counts], 0


class Optimizer(OptimizerMethods):
    """Base class: ``param_groups``, ``t``, ``step``; ``add_param_group``, ``zero_grad``, the
    state dicts, the repr and the checks of edited param groups are PyTorch's habits,
    attached to it by :mod:`glassnet.optim_habits`.

    A subclass names its settings besides ``lr`` in ``_hyper`` (what each must be is in
    ``RULES``) and passes their values as ``settings`` (its constructor's
    ``locals()``); it names the state buffers a group's settings need in
    ``_buffers(settings)`` and gives its rule as ``_rule(w, g, work, state, h)``: the
    update of one group's parameters of one dtype, where ``w`` is θ, ``g`` is ∂J/∂θ,
    ``work`` two scratch arrays and ``state`` the buffers by name, all of shape
    ``(numel,)``, and ``h`` the group's settings with the numbers of the parameters' step t
    that ``_per_step(h)`` adds (a rule reads a number that changes with t from there, in
    NumPy calls only, never in an ``if``: a captured step records the calls once). A new
    state buffer starts at ``_start(name, settings)`` (0; Adagrad's sum at τ).

    Attributes
    ----------
    params : list
        The parameters of every group, in the order given.
    param_groups : list of dict
        Each group's ``"params"`` and settings, as PyTorch's. A setting changed in a
        group's dict (``group["lr"] = 0.1``) is checked at the next step.
    defaults : dict
        The constructor's settings, which a group given as a dict overrides.
    t : int
        Number of steps taken. Each parameter also counts its own steps, those in which
        it had a gradient (PyTorch's per-parameter ``step``): Adam's bias correction and
        SGD's first dampening-free step follow that count.
    fuse_above : int, default 65536
        A buffer (the parameters of one dtype in a group) of more values than this is
        updated ``w ← w − γ d`` in one pass by BLAS's axpy, which may round once where
        NumPy's two calls round twice (:mod:`glassnet.blas`): the weights can differ in
        the last bit. ``math.inf`` keeps NumPy's two calls on every size;
        :func:`glassnet.fit_many` sets it to K times this, so that each of its K stacked
        networks is updated as one ``fit`` would update it alone.
    """

    _hyper: tuple[str, ...] = ()
    fuse_above: float = BLOCK
    state: dict[Any, dict[str, Any]]  # (PyTorch's opt.state: torch_optim sets it, a descriptor)
    lr = setting("lr")  # the learning rate γ, >= 0 once set (a schedule may reach 0)
    learning_rate: float  # (scikit-learn's name of lr: torch_optim sets it, a property)

    def __init__(self, params: Iterable[Any] | Any, lr: float, settings: Any = None) -> None:
        name, settings = type(self).__name__, settings or {}
        if isinstance(lr, Mapping):  # PyTorch's Optimizer(params, defaults): a step of its own
            lr, settings = _torch.pytorch_defaults(self, lr)
        self.defaults = self._validate({"lr": lr, **{k: settings[k] for k in self._hyper}})
        self.params: list[Any] = []
        self.param_groups: list[dict[str, Any]] = []
        self._packs: list[_Pack] = []
        self.t = 0
        self._generation = 0  # bumped by what a prepared step cannot see: zero_grad, loads, groups
        add_groups(self, check_params(params, name))  # (a list of params, or of group dicts)

    def _validate(self, settings: Mapping[str, Any]) -> dict[str, Any]:
        """A group's settings (``lr`` and ``_hyper``), checked by ``RULES`` (``lr`` >= 0, as
        PyTorch's: a schedule such as cosine annealing may reach 0); no other keys but
        "params"."""
        name, known = type(self).__name__, ("lr", *self._hyper)
        if getattr(self, "_free", False):  # (PyTorch's defaults: the subclass's own settings)
            return _torch.free_settings(self, settings)
        settings = group_keys(name, settings, known)  # (foreach=...; a misspelling refused)
        return {k: check_rule(settings[k], k, name) for k in known}

    _buffers = staticmethod(lambda settings: [])
    _per_step = staticmethod(lambda h: h)  # h with the numbers of step h["t"] a rule reads
    _start = staticmethod(lambda name, settings: 0.0)  # a new state buffer's value

    def _join(self, group: Mapping[str, Any], settings: dict[str, Any], plist: list) -> None:
        """Add the param group ``group`` of ``plist`` with ``settings``, each checked (by the
        constructor, or by ``add_param_group``, PyTorch's, which optim_habits attaches)."""
        nones = [p for p in plist if p.grad is None]  # PyTorch's: None until a gradient comes
        self._packs.append(_Pack(flatten_parameters(plist), plist))  # checks, then binds
        for p in nones:  # (a step binds it to its flat view when one came)
            p.grad = None
        self._generation += 1
        self.param_groups.append(_torch.group_dict(self, group, plist, settings))
        self._settle(self._packs[-1], settings, self.param_groups[-1])
        self.params += plist

    def _settle(self, pack: _Pack, settings: dict[str, Any], group: dict[str, Any]) -> None:
        """Give a group checked settings, and state buffers to match (new ones at 0)."""
        names = self._buffers(settings)
        pack.settings, pack.group = settings, group
        group.update(settings)
        pack.seen = list(group.values())
        pack.state = [
            {n: bufs[n] if n in bufs else np.full_like(d, self._start(n, settings)) for n in names}
            for d, bufs in zip(pack.flat.data, pack.state)
        ]

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Take one update step from the current gradients ∂J/∂w.

        A parameter whose ``.grad`` is None or that does not require grad is left as it
        is, with its state. ``closure``, when given, is called first (it should recompute
        the loss and the gradients) and its return value is returned, as in PyTorch.
        """
        loss = closure() if closure is not None else None
        self._regroup()
        self.t += 1
        for pack in self._packs:
            flat = pack.flat
            on = _taking(flat.params)
            every = all(on)
            none = [] if every else [p for p in flat.params if p.grad is None]
            steps = [k + pack.pending for k in pack.counts]  # before this step
            pack.counts, pack.pending = [k + o for k, o in zip(steps, on)], 0  # the steps taken
            # fresh gradients, read where backward() left them when that saves a copy
            own = flat.own_grads() if sum(d.size for d in flat.data) >= BLOCK else {}
            own = own if own and sum(a.size for a in own.values()) >= BLOCK else {}
            # (zero_grad(False) zeroes those a caller still holds after: weak, or the step
            # would keep each alive through the next backward)
            pack.held = [None if p.grad is None else weak(p.grad) for p in flat.params]
            flat.sync(keep=own)
            if every and not own and min(steps) == max(steps):  # one rule per dtype buffer
                h = self._per_step({**pack.settings, "t": steps[0] + 1})
                for w, g, work, state in zip(flat.data, flat.grad, pack.work, pack.state):
                    self._rule(w, g, work, state, h)
            else:
                self._sliced(pack, steps, on, own)
            for p in none:  # as in PyTorch: no gradient before the step, none after it
                p.grad = None
            for p in itertools.compress(flat.params, on) if not every else flat.params:
                getattr(p, "_bump", int)()  # a graph of the old values then refuses backward
        return loss

    def _sliced(self, pack: _Pack, steps: list[int], on: list[bool], own: dict) -> None:
        """A step of the parameters that ``on`` marks, each at its own count (``steps``: before
        this step), a gradient of ``own`` read where it is; a rule over a dtype's whole
        buffer where every parameter of that dtype takes the same step and none is ``own``."""
        slots = [[] for _ in pack.flat.data]  # per dtype: (slice, step count, taking, index)
        for i, ((c, s), k, o) in enumerate(zip(pack.flat.slots, steps, on)):
            slots[c].append((s, k + o, o, i))
        chunks = zip(pack.flat.data, pack.flat.grad, pack.work, pack.state, slots)
        counts = {k for mine in slots for _, k, o, _ in mine if o}
        hs = {k: self._per_step({**pack.settings, "t": k}) for k in counts}  # each step's
        for w, g, (a, b), state, mine in chunks:  # per dtype
            if not own and all(o and k == mine[0][1] for _, k, o, _ in mine):  # one rule
                self._rule(w, g, (a, b), state, hs[mine[0][1]])  # over the buffer
                continue
            for s, k, _, i in filter(lambda m: m[2], mine):  # each on its own slices
                gi = own[i].reshape(-1) if i in own else g[s]
                sliced = {n: v[s] for n, v in state.items()}
                self._rule(w[s], gi, (a[s], b[s]), sliced, hs[k])

    def prepared(self) -> Callable[[], None]:
        """:meth:`step` for a loop that changes nothing between two steps but the gradients'
        values (``glassnet.fit`` on its fast path): the checks of ``step`` run now, once, and
        the function returned applies the rules only. Valid until anything else changes (a
        setting, a param group, a ``.data``/``.grad`` rebound, ``requires_grad``): ask again
        then. After ``zero_grad``, ``load_state_dict`` or ``add_param_group`` it runs
        ``step`` itself. While some parameter would be left out of a step, or a subclass
        writes a ``step`` of its own, it is ``step``."""
        if "step" in vars(self) or type(self).step is not Optimizer.step:  # (a subclass's,
            # or one set on the optimizer itself, runs at every step)
            return self.step
        self._regroup()
        generation, calls, rule, per_step = self._generation, [], self._rule, self._per_step
        # numbers of a step that stay the same after ``_same_after`` steps: made once here
        # (read from the class that defines ``_per_step``, where it defines ``_rule`` too)
        own = vars(next(c for c in type(self).__mro__ if "_per_step" in vars(c)))
        same = own.get("_same_after") if own.get("_rule") is type(self)._rule else None
        for pack in self._packs:
            if not all(_taking(pack.flat.params)) or np.ptp(pack.steps):
                return self.step
            flat = pack.flat.sync()
            h = {**pack.settings, "t": int(pack.steps[0])}  # (a group has parameters)
            hs = per_step({**h, "t": h["t"] + 1}) if same is not None and h["t"] >= same else None
            calls.append((pack, h, [*zip(flat.data, flat.grad, pack.work, pack.state)], hs))

        def step() -> None:
            if self._generation != generation:  # (gradients rebound, or the state replaced)
                return self.step()
            self.t += 1
            for pack, h, chunks, hs in calls:  # per group: its parameters' step counts, equal
                pack.pending += 1
                h["t"] += 1
                for w, g, work, state in chunks:
                    rule(w, g, work, state, per_step(h) if hs is None else hs)

        return step


signature = signatures(Optimizer)  # (@signature: PyTorch's __init__ of an optimizer)


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
    lr : float >= 0, default 1e-3
        The learning rate γ (PyTorch's default; it was 0.01 before this version).
    momentum : float in [0, 1), default 0
        μ; 0 turns the velocity off (no state kept).
    dampening : float in [0, 1], default 0
        τ (PyTorch style only).
    weight_decay : float >= 0, default 0
        λ, an L2 penalty ``λ/2 ||w||²`` added to the loss, applied to every parameter.
    nesterov : bool, default False
        Nesterov momentum (PyTorch style needs momentum > 0 and dampening 0).
    style : {"torch", "sklearn"}, default "torch", keyword only

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
    ...     w.grad = np.ones(2)
    ...     opt.step()
    >>> w.data            # −0.5·1, then −0.5·(0.5·1 + 1)
    array([-1.25, -1.25])
    """

    _hyper = ("momentum", "nesterov", "weight_decay", "dampening", "style")
    momentum, nesterov, weight_decay, dampening, style = map(setting, _hyper)

    @signature
    def __init__(self, params: Params, lr: float = 1e-3, momentum: float = 0.0,
                 dampening: float = 0.0, weight_decay: float = 0.0, nesterov: bool = False, *,
                 style: Style = "torch", **switches: Unpack[Switches]) -> None: ...  # fmt: skip

    def _validate(self, settings: Mapping[str, Any]) -> dict[str, Any]:
        return check_momentum(super()._validate(settings), type(self).__name__)

    _buffers = staticmethod(lambda hyper: ["v"] if hyper["momentum"] > 0 else [])

    _same_after = 1  # (after its first step, every step's numbers are the same)

    def _per_step(self, h: dict) -> dict:
        """Step t's numbers: the decay 1 − γλ, and the dampening 1 − τ (1 on a parameter's
        first step, where v ← g). A captured step (glassnet.capture) reads them from the
        device, refreshed before each step."""
        return {**h, "decay": 1.0 - h["lr"] * h["weight_decay"],
                "damp": 1.0 if h["t"] == 1 else 1.0 - h["dampening"]}  # fmt: skip

    def _rule(self, w: np.ndarray, g: np.ndarray, work: Any, state: dict, h: dict) -> None:
        lr, mu, wd = h["lr"], h["momentum"], h["weight_decay"]
        a, b = work
        if not mu:  # plain gradient descent (both styles): w ← w(1 − γλ) − γg
            if wd:
                np.multiply(w, h["decay"], out=w)
            descend(w, g, lr, a, self.fuse_above)
            return
        g, v = decayed(g, w, wd, a), state["v"]  # g ← g + λw
        np.multiply(v, mu, out=v)
        if h["style"] == "sklearn":  # u ← μu − γg;  w ← w + (μu − γg) if nesterov else w + u
            np.subtract(v, np.multiply(g, lr, out=b), out=v)
            d = np.subtract(np.multiply(v, mu, out=a), b, out=a) if h["nesterov"] else v
            np.add(w, d, out=w)
            return
        damp = np.multiply(g, h["damp"], out=b) if h["dampening"] else g  # (1 − τ)g; g at first
        np.add(v, damp, out=v)  # v ← μv + (1 − τ)g
        d = np.add(g, np.multiply(v, mu, out=b), out=b) if h["nesterov"] else v  # g + μv or v
        descend(w, d, lr, b, self.fuse_above)  # w ← w − γd


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
    ``style="sklearn"`` is scikit-learn's ``AdamOptimizer`` (``MLPClassifier(solver=
    "adam")``), which adds ε after the correction, ``s = √v̂ + ε``: the same update for
    ``ε·√(1 − β₂ᵗ)`` in the PyTorch style (on gradients of near-constant inputs the two
    differ visibly: ``v̂`` is tiny there).

    Parameters
    ----------
    params : iterable of parameters (objects with ``.data`` and ``.grad``)
    lr : float >= 0, default 1e-3
    betas : pair of floats in [0, 1), default (0.9, 0.999)
    eps : float > 0, default 1e-8
    weight_decay : float >= 0, default 0
    amsgrad : bool, default False
    style : {"torch", "sklearn"}, default "torch", keyword only
        Where ε enters (above).

    State: ``t``, ``m``, ``v`` and (amsgrad) ``v_max``, each of shape ``(numel,)`` per
    dtype group.
    """

    _hyper = ("betas", "eps", "weight_decay", "amsgrad", "style")
    betas, eps, weight_decay, amsgrad, style = map(setting, _hyper)
    beta1 = property(lambda self: self.betas[0], doc="β₁ (the first group's).")
    beta2 = property(lambda self: self.betas[1], doc="β₂ (the first group's).")
    _decoupled = False

    @signature
    def __init__(self, params: Params, lr: float = 1e-3, betas: Betas = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, amsgrad: bool = False, *,
                 style: Style = "torch", **switches: Unpack[Switches]) -> None: ...  # fmt: skip

    _buffers = staticmethod(lambda hyper: ["m", "v", "v_max"] if hyper["amsgrad"] else ["m", "v"])

    def _per_step(self, h: dict) -> dict:
        """Step t's numbers: AdamW's decay 1 − γλ, ε√(1 − β₂ᵗ) (ε in scikit-learn's style)
        and the rate γ√(1 − β₂ᵗ)/(1 − β₁ᵗ) (a captured step reads them from the device)."""
        lr, t, (b1, b2) = h["lr"], h["t"], h["betas"]
        c2 = math.sqrt(1.0 - b2**t)
        eps_t = h["eps"] * c2 if h["style"] == "torch" else h["eps"]
        return {**h, "decay": 1.0 - lr * h["weight_decay"], "eps_t": eps_t,
                "rate": lr * c2 / (1.0 - b1**t)}  # fmt: skip

    def _rule(self, w: np.ndarray, g: np.ndarray, work: Any, state: dict, h: dict) -> None:
        moments(w, g, work, state, h, self._decoupled)  # the decay; m and v
        a, m, v = work[0], state["m"], state["v"]
        if h["amsgrad"]:
            v = np.maximum(state["v_max"], v, out=state["v_max"])
        # m / s, s = √v̂ + ε√(1 − β₂ᵗ)
        np.divide(m, np.add(np.sqrt(v, out=a), h["eps_t"], out=a), out=a)
        descend(w, a, h["rate"], a, self.fuse_above)  # w ← w − γ√(1 − β₂ᵗ)/(1 − β₁ᵗ) · m / s


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019), as PyTorch's AdamW.

    The weights shrink before the Adam step instead of the penalty entering g::

        w ← w (1 − γ λ)
        (then Adam's update of m, v and w with the raw gradient g)

    Parameters and state as :class:`Adam`; ``weight_decay`` defaults to 1e-2.
    """

    _decoupled = True

    @signature  # (weight decay 1e-2)
    def __init__(self, params: Params, lr: float = 1e-3, betas: Betas = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 style: Style = "torch", **switches: Unpack[Switches]) -> None: ...  # fmt: skip


# PyTorch's further optimizers (glassnet.torch_optim), here too as glassnet.optim.<name>
# isort: off
from .torch_optim import Adadelta, Adagrad, Adamax, NAdam, RAdam, RMSprop  # noqa: E402
from . import torch_optim as _torch  # noqa: E402  (PyTorch's subclassing habits)
from .optim_habits import add_groups, check_momentum, group_keys, weak  # noqa: E402
from .lbfgs import LBFGS  # noqa: E402  (PyTorch's L-BFGS, stepped with a closure)
# isort: on

OPTIMIZERS = {
    "sgd": SGD, "gd": SGD, "adam": Adam, "adamw": AdamW, "rmsprop": RMSprop, "adagrad": Adagrad,
    "adadelta": Adadelta, "adamax": Adamax, "nadam": NAdam, "radam": RAdam,
}  # fmt: skip
"""Name → optimizer class, used by :func:`get_optimizer`, the estimators and the CLI."""
# the optimizers stepped with a closure, opt.step(closure): get_optimizer builds them by name,
# but fit, fit_many and the CLI, which step from each batch's gradients, take OPTIMIZERS only
CLOSURE_OPTIMIZERS = {"lbfgs": LBFGS}


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
    table = {**OPTIMIZERS, **CLOSURE_OPTIMIZERS}
    cls = check_name(name, table, "optimizer", Optimizer)  # (PyTorch's switches, as a call's)
    kw = torch_switches(cls.__name__, dict(kw), init_signature(cls).parameters)
    return build(cls, table, Optimizer, "optimizer", params, kw)
