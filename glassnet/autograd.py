"""PyTorch's ``torch.autograd``: ``grad``, the gradients of outputs with respect to chosen
inputs, returned, not added into any ``.grad``; ``backward``; ``Function``.

``loss.backward()`` adds dL/dw into the ``.grad`` of every leaf of the graph (the lecture's
backward pass, and the training loop's); ``grad(loss, [w1, b1])`` gives dL/dw1 and dL/db1
and leaves every ``.grad`` of the graph as it was: the same backward pass, run with the
leaves' gradients set aside and put back. An input may be a leaf or a tensor the graph
computed (dL/dz of a layer's pre-activation, the slides' δ).

Differences from PyTorch, refused rather than approximated: ``create_graph=True`` (glassnet's
backward pass is not itself recorded, so there are no second derivatives) is an error;
``retain_graph`` is taken and changes nothing (glassnet keeps every graph).

:class:`Function` is PyTorch's ``torch.autograd.Function``, an op with a backward of your own
(the tutorials' ``LegendrePolynomial3`` and ``MyReLU``): static ``forward(ctx, *args)`` and
``backward(ctx, *grad_outputs)``, called as ``MyOp.apply(x, ...)``, with
``ctx.save_for_backward``, ``ctx.saved_tensors``, ``ctx.needs_input_grad``,
``ctx.mark_non_differentiable`` and ``ctx.set_materialize_grads``. ``forward`` runs
unrecorded; its result is one node of the graph whose backward calls yours (checked: one
gradient per argument of ``apply``, each of its argument's shape or None).

``backward(tensors, grad_tensors)`` is PyTorch's ``torch.autograd.backward``: ``t.backward(g)``
for each tensor and its seed, accumulating into ``.grad``. A seed of the wrong shape raises
:class:`GradShapeError`, both a RuntimeError (PyTorch's class) and a ValueError.

>>> import glassnet as gn
>>> w = gn.tensor([1.0, 2.0], requires_grad=True)
>>> z = w * w
>>> loss = z.sum()
>>> dw, dz = gn.autograd.grad(loss, [w, z])
>>> dw.data, dz.data, w.grad
(array([2., 4.], dtype=float32), array([1., 1.], dtype=float32), None)
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from ._validation import GradShapeError, broadcasts_to
from .tensor import (
    AnomalyError,
    Switch,
    Tensor,
    anomaly_mode,
    enable_grad,
    grad_mode,
    is_anomaly_enabled,
    no_grad,
    unbroadcast,
)

__all__ = ["Function", "FunctionCtx", "GradShapeError", "backward", "grad"]


def _decorate(self: Switch, fn: Callable[..., Any]) -> Callable[..., Any]:
    """``no_grad``'s and ``enable_grad``'s decorator form (PyTorch's ``@no_grad``): ``fn``
    runs in the switch's mode in each call. A generator function runs in the mode each time
    it is resumed, as PyTorch's: the caller's code between two items keeps its own mode (a
    generator's body runs after the call returns, so a with-block around the call alone would
    leave it recording)."""
    if not callable(fn):  # (no_grad(x): a Tensor is no function to decorate)
        name = "enable_grad" if self.value else "no_grad"  # (the grad switches' names)
        raise TypeError(f"{name} decorates a function. Got {type(fn).__name__}.")
    mode = lambda: Switch(self.switch, self.value)  # noqa: E731 (one per call: reentrant)

    def call(*args: Any, **kwargs: Any) -> Any:
        with mode():
            return fn(*args, **kwargs)

    def generator(*args: Any, **kwargs: Any) -> Any:
        gen, sent, resume = fn(*args, **kwargs), None, "send"
        while True:
            with mode():
                try:  # (a value sent in, or an exception thrown in, goes on to fn's body)
                    item = getattr(gen, resume)(sent)
                except StopIteration as stop:
                    return stop.value
            try:
                sent, resume = (yield item), "send"
            except GeneratorExit:
                with mode():
                    gen.close()
                raise
            except BaseException as e:
                sent, resume = e, "throw"

    return functools.wraps(fn)(generator if inspect.isgeneratorfunction(fn) else call)


Switch.__call__ = _decorate  # type: ignore[method-assign]  # (tensor's no_grad(fn) calls it)


class _SetMode:
    """A switch set from the call on (``set(mode)``); as a with-block the mode before comes
    back after it. ``var`` is the switch: ``grad_mode`` or ``anomaly_mode``."""

    var: Any

    def set(self, mode: bool) -> None:
        self.prev, self.mode = self.var.get(), bool(mode)
        self.var.set(self.mode)

    def __enter__(self) -> None:
        self.var.set(self.mode)  # (again: an object reused in a second with-block)

    def __exit__(self, *exc: object) -> None:
        self.var.set(self.prev)


class set_grad_enabled(_SetMode):  # noqa: N801 (PyTorch's name; a class, as there)
    """Recording on (``mode`` True) or off from the call on, as PyTorch's
    ``torch.set_grad_enabled(mode)``; as a with-block (or a decorator) the mode before comes
    back after it."""

    var = grad_mode

    def __init__(self, mode: bool) -> None:
        if not isinstance(mode, (bool, np.bool_)):
            raise TypeError(f"set_grad_enabled: mode must be True or False. Got {mode!r:.40}.")
        self.set(mode)

    def __call__(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        """A decorator: the call's own change undone, the mode set for each call of ``fn``."""
        grad_mode.set(self.prev)
        return Switch(grad_mode, self.mode)(fn)


class set_detect_anomaly(_SetMode):  # noqa: N801 (PyTorch's name; a class, as there)
    """Anomaly detection (:func:`detect_anomaly`) on (``mode`` True) or off from the call on,
    as PyTorch's ``torch.autograd.set_detect_anomaly(mode)``, the usual first line of a
    debugging script; as a with-block the mode before comes back after it. (glassnet checks
    NaN and inf alike: ``check_nan`` must be True.)

    Unlike PyTorch's (process-wide), it holds for this thread and context only (a context
    variable, as ``no_grad``'s mode): a thread started later, or a Jupyter cell that an
    ipykernel runs in a fresh context (ipykernel#749, cells with ``await``; 7.0.0's
    ipykernel#1457), does not see it: call it there too, or wrap the code in
    ``with detect_anomaly():``."""

    var = anomaly_mode

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        if not isinstance(mode, (bool, np.bool_)) or check_nan is not True:
            raise TypeError(
                f"set_detect_anomaly: mode must be True or False, and check_nan True (glassnet "
                f"checks NaN and inf alike). Got mode={mode!r:.40}, check_nan={check_nan!r:.40}."
            )
        self.set(mode)


@contextlib.contextmanager
def detect_anomaly(mode: bool = True) -> Iterator[None]:
    """Context manager: the first op whose forward value or backward gradient
    contains NaN or inf raises :class:`AnomalyError`, naming the op and its label
    (``detect_anomaly(False)``: off inside, as around a Function's own backward).

    >>> import glassnet as gn
    >>> x = gn.Tensor([0.0], requires_grad=True, label="x")
    >>> with gn.detect_anomaly():
    ...     y = x.log()
    Traceback (most recent call last):
    ...
    glassnet.tensor.AnomalyError: forward of op 'log' (inputs 'x') produced -inf...
    """
    with Switch(anomaly_mode, bool(mode)), np.errstate(all="ignore"):
        yield


# where they were defined before, and where PyTorch's users of glassnet.tensor find them
vars(sys.modules[Tensor.__module__]).update(
    set_grad_enabled=set_grad_enabled, detect_anomaly=detect_anomaly
)


def _tensors(value: Any, name: str, who: str = "grad") -> list[Tensor]:
    items = [value] if isinstance(value, Tensor) else list(value) if value is not None else []
    if not items or not all(isinstance(t, Tensor) for t in items):
        raise TypeError(
            f"{who}: {name} must be a Tensor or a sequence of Tensors. Got {value!r:.80}."
        )
    return items


def _outputs(value: Any, name: str, who: str, item: str, create_graph: Any) -> list[Tensor]:
    """The tensors whose backward passes ``who`` (grad, backward) runs, checked: each requires
    grad (``item`` names one, ``"output {}"``), and ``create_graph=True`` is refused (no
    second derivatives)."""
    outs = _tensors(value, name, who)
    if not isinstance(create_graph, (bool, np.bool_)):
        raise TypeError(f"{who}: create_graph must be True or False. Got {create_graph!r:.40}.")
    k = next((i for i, t in enumerate(outs) if not t.requires_grad), None)
    if k is not None:
        raise RuntimeError(
            f"{who}: {item.format(k)} does not require grad (it was not computed from a tensor "
            "that requires it, or ran inside no_grad()), so there is no gradient to take from it."
        )
    if create_graph:
        raise ValueError(
            f"{who}(create_graph=True): glassnet does not record its backward pass, so there are "
            "no second derivatives; differentiate once (create_graph=False)."
        )
    return outs


def _seeds(outs: list[Tensor], given: Any, who: str, name: str) -> list[Any]:
    """The seed of each output's backward pass from ``given`` (``name``: grad_outputs or
    grad_tensors), checked before any pass runs: None only for a one-value output, else of
    the output's shape."""
    one = isinstance(given, (Tensor, np.ndarray, int, float, np.number))
    seeds = [None] * len(outs) if given is None else list([given] if one else given)
    if len(seeds) != len(outs):
        raise ValueError(
            f"{who}: {len(seeds)} {name} for {len(outs)} outputs; pass one per output (None "
            "for a one-value output)."
        )
    for k, (out, seed) in enumerate(zip(outs, seeds)):
        if seed is None:
            if out.data.size != 1:
                raise RuntimeError(
                    f"{who}: output {k} has shape {out.shape}, and a gradient can be implicitly "
                    f"created only for a one-value output; pass {name}= with a tensor of that "
                    "shape for it (or reduce the output to a scalar first, .sum() or .mean())."
                )
            continue
        shape = np.shape(seed.data if isinstance(seed, Tensor) else seed)
        if tuple(shape) != tuple(out.shape):
            raise GradShapeError(
                f"{who}: {name}[{k}] has shape {tuple(shape)} but output {k} has shape "
                f"{tuple(out.shape)}; pass one of the output's shape."
            )
    return [seed.data if isinstance(seed, Tensor) else seed for seed in seeds]


def backward(
    tensors: Any,
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    *,
    inputs: Any = None,
) -> None:
    """PyTorch's ``torch.autograd.backward``: each of ``tensors`` (a Tensor or a sequence of
    them) runs its backward pass seeded with its ``grad_tensors`` entry (None, or left out,
    for a one-value tensor: 1), and the gradients *accumulate* into ``.grad``, as
    ``t.backward(g)`` for each. ``inputs``: add into these tensors' ``.grad`` only.
    ``retain_graph`` changes nothing (glassnet keeps every graph); ``create_graph=True`` is
    refused (no second derivatives). ``inputs`` is keyword-only (PyTorch's fifth positional
    argument is the deprecated ``grad_variables``).

    >>> import glassnet as gn
    >>> x = gn.tensor([2.0, 3.0], requires_grad=True)
    >>> gn.autograd.backward([(x**2).sum(), x * 3], [None, gn.ones(2)])
    >>> x.grad
    array([7., 9.], dtype=float32)
    """
    outs = _outputs(tensors, "tensors", "autograd.backward", "element {} of tensors", create_graph)
    seeds = _seeds(outs, grad_tensors, "autograd.backward", "grad_tensors")
    _one_pass(outs, seeds, inputs)


def _one_pass(outs: list[Tensor], seeds: list[Any], inputs: Any = None) -> None:
    """The backward passes of ``outs`` seeded with ``seeds``, as one pass (PyTorch's: a
    Function reached from several outputs runs its backward once): from the sum of each
    output times its seed, whose gradient at each output is its seed, exactly."""
    if len(outs) == 1:
        return outs[0].backward(seeds[0], inputs=inputs)
    with enable_grad():  # (each term in float64: an output's gradient keeps its dtype)
        terms = [(o * (1.0 if g is None else np.asarray(g, o.dtype))).sum() for o, g in
                 zip(outs, seeds)]  # fmt: skip
        root = sum((t.astype(np.float64) for t in terms[1:]), terms[0].astype(np.float64))
    root.backward(inputs=inputs)


def _graph(outputs: Sequence[Tensor]) -> list[Tensor]:
    """Every tensor that requires grad in the graphs of ``outputs`` (each once)."""
    found: dict[int, Tensor] = {}
    todo = [t for t in outputs if t.requires_grad]
    while todo:
        t = todo.pop()
        if id(t) not in found:
            found[id(t)] = t
            todo.extend(p for p in t.parents if p.requires_grad)
    return list(found.values())


def grad(
    outputs: Any,
    inputs: Any,
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool | None = None,
    materialize_grads: bool = False,
) -> tuple[Tensor | None, ...]:
    """d(outputs)/d(inputs), as PyTorch's ``torch.autograd.grad``: one Tensor per input (no
    gradient flows through it), the sum over the outputs of each output's backward pass
    seeded with its ``grad_outputs`` entry (1 for a one-value output). No ``.grad`` of the
    graph changes. An input the outputs do not depend on is an error, or None with
    ``allow_unused=True``, or zeros of its shape with ``materialize_grads=True`` (PyTorch's,
    which implies ``allow_unused``)."""
    outs = _outputs(outputs, "outputs", "grad", "output {}", create_graph)
    ins = _tensors(inputs, "inputs")
    for name, flag in (("allow_unused", allow_unused), ("materialize_grads", materialize_grads)):
        if flag is not None and not isinstance(flag, (bool, np.bool_)):
            raise TypeError(f"grad: {name} must be True or False. Got {flag!r:.40}.")
    if materialize_grads and allow_unused is False:
        raise ValueError(
            "grad: materialize_grads=True gives zeros for the unused inputs, which "
            "allow_unused=False refuses; leave allow_unused out (or pass True)."
        )
    allow_unused = bool(allow_unused or materialize_grads)
    seeds = _seeds(outs, grad_outputs, "grad", "grad_outputs")
    for t in ins:
        if not t.requires_grad:
            raise RuntimeError(
                "grad: an input does not require grad, so no gradient reaches it; build it with "
                "requires_grad=True (or x.requires_grad_())."
            )
    nodes = _graph(outs)
    saved = [(t, t.grad, t._retain) for t in {id(t): t for t in [*nodes, *ins]}.values()]
    try:
        for t, _, _ in saved:  # every gradient set aside: backward adds into none of them
            t.grad = None
        for t in ins:
            t._retain = True  # (a computed input keeps its dL/dt too, as retain_grad does)
        _one_pass(outs, seeds)
        got = [None if t.grad is None else Tensor(np.array(t.grad, copy=True)) for t in ins]
    finally:
        for t, g, retain in saved:
            t.grad, t._retain = g, retain
    if not allow_unused and any(g is None for g in got):
        raise RuntimeError(
            "grad: an input was not used to compute the outputs (no gradient reaches it); "
            "pass allow_unused=True to get None for it."
        )
    if materialize_grads:  # (zeros of each unused input's shape and dtype, as PyTorch's)
        got = [Tensor(np.zeros_like(t.data)) if g is None else g for t, g in zip(ins, got)]
    return tuple(got)


# ------------------------------------------------------------------ custom Functions
class FunctionCtx:
    """The ``ctx`` a :class:`Function`'s ``forward`` and ``backward`` share, as PyTorch's:
    ``save_for_backward(*tensors)`` keeps tensors for ``backward`` (``saved_tensors``, which
    refuses them if one was changed in place since); ``needs_input_grad``, one bool per
    argument of ``apply``; any other value is kept as an attribute (``ctx.k = 3``)."""

    def __init__(self, name: str, needs: tuple[bool, ...]) -> None:
        self.needs_input_grad, self.materialize_grads = needs, True
        self._name, self._saved, self._when, self._fixed = name, (), (), set()

    def save_for_backward(self, *tensors: Tensor | None) -> None:
        bad = next((t for t in tensors if t is not None and not isinstance(t, Tensor)), None)
        if bad is not None:
            raise TypeError(
                f"{self._name}: ctx.save_for_backward takes Tensors (or None). Got "
                f"{type(bad).__name__}; keep other values as attributes (ctx.k = k)."
            )
        self._saved = tensors
        self._when = tuple(None if t is None else t._written() for t in tensors)

    @property
    def saved_tensors(self) -> tuple[Tensor | None, ...]:
        """The tensors given to ``save_for_backward``, as they were then."""
        for t, when in zip(self._saved, self._when):
            if t is not None and t._written() != when:
                raise RuntimeError(
                    f"{self._name}.backward: a tensor of shape {t.shape} saved by "
                    "ctx.save_for_backward was changed in place after forward saved it; write "
                    "into a copy (x.clone()) or call backward() before the write."
                )
        return self._saved

    def mark_non_differentiable(self, *outputs: Tensor) -> None:
        """These outputs of ``forward`` get no gradient (indices, masks): their results do
        not require grad, and ``backward`` receives zeros for them."""
        self._fixed |= {id(t) for t in outputs}

    def mark_dirty(self, *tensors: Tensor) -> None:
        """PyTorch's, for a forward that writes into its inputs: not supported."""
        raise RuntimeError(
            f"{self._name}: ctx.mark_dirty is not supported (glassnet's Function forward does "
            "not write into its inputs in place); return a new tensor (x.clone(), then write "
            "into it) and leave mark_dirty out."
        )

    def set_materialize_grads(self, value: bool) -> None:
        """False: ``backward`` receives None, not zeros, for an output no gradient reached."""
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"set_materialize_grads takes True or False. Got {value!r:.40}.")
        self.materialize_grads = bool(value)


class Function:
    """PyTorch's ``torch.autograd.Function``: an op of your own, with the backward you
    write. Subclass it with two static methods and call ``apply``::

        class MyReLU(gn.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x.clamp(min=0)

            @staticmethod
            def backward(ctx, grad_output):
                (x,) = ctx.saved_tensors
                return grad_output * (x > 0)

        y = MyReLU.apply(x)

    ``forward(ctx, *args)`` runs without recording (inside, tensors are plain values) and
    returns a Tensor or a tuple of them (other values pass through). Its result is one node
    of the graph, named after the class, whose backward calls ``backward(ctx, *grad_outputs)``
    (under no_grad: one gradient per output, plain Tensors, zeros for an output no
    gradient reached). ``backward`` returns one gradient per argument of ``apply`` (a Tensor
    or a NumPy array of that argument's shape, or None: no gradient; None for a non-tensor
    argument). A wrong count or shape is refused, naming the Function (a gradient of a
    broadcast shape is summed back, as PyTorch's). ``ctx``: :class:`FunctionCtx`.
    PyTorch 2's form, ``forward(*args)`` without ctx beside ``setup_context(ctx, inputs,
    output)``, works too. No second derivatives (glassnet's backward is not recorded).

    >>> import glassnet as gn
    >>> class Cube(gn.autograd.Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return x**3
    ...
    ...     @staticmethod
    ...     def backward(ctx, g):
    ...         (x,) = ctx.saved_tensors
    ...         return 3 * x**2 * g
    >>> x = gn.tensor([1.0, 2.0], requires_grad=True)
    >>> Cube.apply(x).sum().backward()
    >>> x.grad
    array([ 3., 12.], dtype=float32)
    """

    @staticmethod
    def forward(ctx: FunctionCtx, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("A Function subclass defines forward(ctx, *args).")

    @staticmethod
    def backward(ctx: FunctionCtx, *grad_outputs: Any) -> Any:
        raise NotImplementedError("A Function subclass defines backward(ctx, *grad_outputs).")

    @staticmethod
    def setup_context(ctx: FunctionCtx, inputs: tuple[Any, ...], output: Any) -> Any:
        raise NotImplementedError  # (PyTorch 2's form only: forward(*args) without ctx)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(
            f"{type(self).__name__}()(...) is PyTorch's old form of a Function; call the "
            f"class's apply: {type(self).__name__}.apply(...)."
        )

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run ``forward`` on ``args`` and return its output(s), recorded as one node."""
        name, own = cls.__name__, cls.setup_context is Function.setup_context
        for m in ("forward", "backward"):  # (a Module's habit: def forward(self, ctx, x))
            f = cls.__dict__.get(m)
            if getattr(getattr(f, "__code__", None), "co_varnames", ())[:1] == ("self",):
                raise TypeError(
                    f"{name}.{m} takes self, but a Function is never instantiated: make forward "
                    f"and backward static methods, @staticmethod def {m}(ctx, ...), with ctx "
                    "first and no self."
                )
        if kwargs:  # (as PyTorch's: bound to forward's positions, each an argument of apply)
            bound = inspect.signature(cls.forward).bind(*(None,) * own, *args, **kwargs)
            args, kwargs = bound.args[own:], bound.kwargs  # (keyword-only ones stay keywords)
        ctx = FunctionCtx(name, tuple(isinstance(a, Tensor) and a._rg for a in args))
        with no_grad():
            if own:
                out = cls.forward(ctx, *args, **kwargs)
            else:
                out = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, out)
        outs = out if isinstance(out, tuple) else (out,)
        ks = [k for k, o in enumerate(outs) if isinstance(o, Tensor)]
        if not ks:
            raise TypeError(
                f"{name}.forward returned {type(out).__name__}; it returns a Tensor (or a tuple "
                "of them): gn.tensor(array) makes one."
            )
        live = [k for k in ks if id(outs[k]) not in ctx._fixed]
        ins = tuple(a for a in args if isinstance(a, Tensor))
        fixed = [k for k in ks if k not in live]  # (marked non-differentiable: no gradient)
        err = np.geterr()  # (the caller's np.seterr, for the backward: the engine's is not)

        def grads(g: np.ndarray) -> list[np.ndarray | None]:
            """The user's backward, given dL/d(the outputs) (``g``, the live ones in a row,
            then, for several, one count per live output of the parts that reached it: this
            pass's own, summed by the engine, so concurrent or nested passes keep theirs)."""
            gs: list[Any] = [None] * len(outs)
            at, reached = 0, g[g.size - len(live) :] if len(live) > 1 else [1]
            for j, k in enumerate(live):
                o = outs[k].data
                if reached[j]:
                    gs[k] = Tensor(np.array(g[at : at + o.size].reshape(o.shape), dtype=o.dtype))
                elif ctx.materialize_grads:
                    gs[k] = Tensor(np.zeros_like(o))
                at += o.size
            for k in fixed if ctx.materialize_grads else ():
                gs[k] = Tensor(np.zeros_like(outs[k].data))
            anomaly = is_anomaly_enabled()  # (its ops unchecked: the Function is named below)
            off = detect_anomaly(False) if anomaly else contextlib.nullcontext()
            with no_grad(), off, np.errstate(**err):
                back = cls.backward(ctx, *gs)
            back = tuple(back) if isinstance(back, (tuple, list)) else (back,)
            if len(back) < len(args) or any(b is not None for b in back[len(args) :]):
                raise ValueError(
                    f"{name}.backward returned {len(back)} gradients for the {len(args)} "
                    f"arguments of {name}.apply; return one per argument (None for one that "
                    "needs none)."
                )
            back = [_input_grad(name, k, a, b) for k, (a, b) in enumerate(zip(args, back))]
            for k, b in enumerate(back if anomaly else ()):
                if b is not None and not np.all(np.isfinite(b)):
                    raise AnomalyError(
                        f"Function '{name}Backward' returned "
                        f"{'nan' if np.isnan(b).any() else 'inf'} values in its {k}th output "
                        f"(the gradient of argument {k} of {name}.apply); check {name}.backward "
                        "where its inputs are 0 or extreme."
                    )
            return [b for a, b in zip(args, back) if isinstance(a, Tensor)]

        if len(live) == 1:  # one differentiable output: it is the node
            node = Tensor.from_op(outs[live[0]].data, name, ins, lambda g: grads(g.reshape(-1)))
            nodes = {live[0]: node}
        else:  # several: a node of them all (their values in a row), each output a part of it
            whole = [outs[k].data.reshape(-1) for k in live] + [np.zeros(len(live), "f4")]
            whole = np.concatenate(whole) if live else None  # (then the parts' counts: 0)
            core = Tensor.from_op(whole, name, ins, grads) if live else None
            nodes, at = {}, 0
            for k in live:
                n = outs[k].data.size
                part = _part(whole.size - len(live) + live.index(k), at, n, whole)
                nodes[k] = Tensor.from_op(outs[k].data, f"{name}[{k}]", (core,), part)
                at += n
        res = tuple(nodes[k] if k in nodes else Tensor(o.data) if k in ks else o
                    for k, o in enumerate(outs))  # fmt: skip
        return res if isinstance(out, tuple) else res[0]


def _part(flag: int, at: int, n: int, whole: Any) -> Any:
    """The backward of an output of a Function of several outputs: its gradient in its
    place among the values of all (``whole``), zeros elsewhere, and 1 at ``flag``, its count
    of the parts reached (kept in the gradient: each backward pass has its own)."""

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        full = np.zeros_like(whole)
        full[at : at + n] = g.reshape(-1)
        full[flag] = 1
        return (full,)

    return backward


def _input_grad(name: str, k: int, x: Any, g: Any) -> np.ndarray | None:
    """Gradient ``g`` that ``name``'s backward returned for argument ``k`` (``x``), checked."""
    if g is None or (isinstance(x, Tensor) and not x._rg):
        return None  # (an argument that needs no gradient: whatever came back, ignored)
    if not isinstance(x, Tensor):
        raise ValueError(
            f"{name}.backward returned a gradient for argument {k} of {name}.apply, a "
            f"{type(x).__name__}, not a Tensor; return None for it."
        )
    if not isinstance(g, (Tensor, np.ndarray)):
        raise TypeError(
            f"{name}.backward returned {type(g).__name__} as the gradient of argument {k}; "
            "return a Tensor (or a NumPy array) of that argument's shape, or None."
        )
    g = np.asarray(g.data if isinstance(g, Tensor) else g, dtype=x.data.dtype)
    if g.shape != x.shape:  # (a broadcast of the argument's shape is summed back, as PyTorch's)
        if not broadcasts_to(x.shape, g.shape):
            raise ValueError(
                f"{name}.backward returned a gradient of shape {g.shape} for argument {k} of "
                f"shape {x.shape}; return one of the argument's shape."
            )
        g = unbroadcast(g, x.shape)
    return g
