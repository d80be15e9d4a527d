"""``Module`` and ``Parameter``: the building blocks of networks.

A module's parameters are discovered by walking its attributes (Parameters,
sub-Modules, and lists of Modules): its own Parameters, then its sub-Modules', each in the
order they were set (PyTorch's order), and named with dots: ``layers.0.W``.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections import namedtuple
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from .._validation import (
    ParameterName,
    check_array,
    check_bool,
    check_device,
    check_flag,
    check_state_arrays,
    check_state_dict,
    check_to_args,
    model_input,
    module_message,
    not_finite_output,
    torch_input,
    torch_keys_hint,
)
from ..backend import asarray, namespace, to_device
from ..gradient import as_grad
from ..habits import Parameters  # (a list that next() walks too, as PyTorch's generator)
from ..tensor import Tensor, get_default_dtype, no_grad
from . import _gate as gate

__all__ = ["IncompatibleKeys", "Module", "Parameter", "StateDictError", "evaluating"]


class Parameter(Tensor):
    """A Tensor that a model learns: ``requires_grad=True``, found by ``parameters()``.

    Its ``.data`` is updated in place by optimizers (which may move it into a
    shared flat buffer); to set values use ``p.data[...] = values``.
    """

    __slots__ = ()

    def __init__(
        self, data: Any, label: str | None = None, dtype: Any = None, requires_grad: bool = True
    ) -> None:
        if label is not None and not isinstance(label, str):  # (PyTorch's second: requires_grad)
            raise TypeError(module_message("label", label=label))
        super().__init__(data, requires_grad=requires_grad, dtype=dtype, label=label)

    def __repr__(self) -> str:  # (PyTorch's form: the values, and a frozen one says so)
        text = super().__repr__()
        frozen = "" if self.requires_grad else ", requires_grad=False"
        return f"Parameter containing:\n{text[:-1]}{frozen})"


# What load_state_dict(state, strict=False) did not load, as PyTorch returns it
IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


class BufferNameError(KeyError, TypeError):
    """``register_buffer``'s refusal of a name that is no attribute name (dotted, empty): a
    ``KeyError`` as PyTorch's (and ``register_parameter``'s), a ``TypeError`` as before."""


class StateDictError(ValueError, RuntimeError):
    """``Module.load_state_dict``'s refusal of a state dict (missing or unexpected keys, a
    shape or a value that does not fit): a ``RuntimeError`` as PyTorch's (so a ported
    ``except RuntimeError:`` catches it) and a ``ValueError`` as glassnet's before it."""


_NUMBER = (int, float, np.number, np.bool_)  # (bool is an int)


def _numbers(x: Any) -> bool:
    """Whether ``x`` is numbers: an array, a number, a DataFrame, or lists and tuples of
    numbers (nested), rather than Tensors, dicts, text, None or a list or tuple of arrays
    (``(X, y)``, a batch of a forward of yours): what a module's call makes a Tensor."""
    if isinstance(x, (list, tuple)):
        return all(
            isinstance(v, _NUMBER) or (type(v) in (list, tuple) and _numbers(v))
            or (type(v) is np.ndarray and v.ndim == 0)  # (a 0-d array: one number)
            for v in x
        )  # fmt: skip
    return not isinstance(x, (Tensor, dict, str, type(None)))


#: Whether :meth:`Module.predict` runs in this thread: every module reads as in eval mode
#: there, its flag unwritten (a flag predict set and put back raced other threads' calls).
_PREDICTING = contextvars.ContextVar("glassnet_predicting", default=False)


@contextlib.contextmanager
def evaluating(model: Module | None = None) -> Iterator[None]:
    """Every module reads as in eval mode (``training`` False) in this thread for the block,
    no flag written: other threads' calls, and every flag after it, are as they were. The
    forward of :meth:`Module.predict` runs so. A ``model`` whose class has a ``train()`` of
    its own (a mode that changes more than flags) is a reader of its gate (:mod:`._gate`):
    such blocks run together, and a ``train()`` of that model waits for them (docs/threads.md)."""
    with _gated(model, gate.reading):
        token = _PREDICTING.set(True)
        try:
            yield
        finally:
            _PREDICTING.reset(token)


def _gated(model: Module | None, side: Any) -> contextlib.AbstractContextManager[None]:
    """``side`` (``gate.reading``/``writing``) of the gate of a model whose class has a
    ``train()`` of its own (where the gate is): nothing for any other model."""
    own = model is not None and type(model).train is not Module.train
    return side(model) if own else contextlib.nullcontext()


if TYPE_CHECKING:  # (the methods nn.containers attaches, as a type checker sees them)
    from ..declarations import ModuleMethods, Self
else:
    ModuleMethods = object


class Module(ModuleMethods):
    """Base class: subclasses set Parameters / Modules as attributes and define ``forward``."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        gate.guard_train(cls)  # (a subclass's own train() guarded whole: docs/threads.md)

    @property
    def training(self) -> bool:
        """Training mode (dropout active); False within :meth:`predict` in its thread."""
        return self.__dict__.get("training", True) and not _PREDICTING.get()

    @training.setter
    def training(self, mode: bool) -> None:
        self.__dict__["training"] = mode

    # Constructor arguments, kept as attributes of the same name, that the default config()
    # and repr show; None: the module does not describe itself.
    _hparams: tuple[str, ...] | None = None

    def forward(self, x: Tensor) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} must define forward(x).")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """``forward(*args, **kwargs)``, a first argument of numbers (an array, a number,
        lists or tuples of numbers) made a Tensor; a list or tuple holding Tensors or arrays,
        a dict or text (a batch of a forward of yours) is passed on as it is, as the other
        arguments are (a loss's target). PyTorch's ``input=`` is the first argument."""
        if "input" in kwargs:  # (layer(input=x): the name of PyTorch's forward's argument)
            args, kwargs = torch_input(self.forward, args, kwargs)
        if args and not isinstance(args[0], Tensor) and _numbers(args[0]):
            args = (Tensor(model_input(args[0], self, get_default_dtype())), *args[1:])
        hooked = self.__dict__.get("_hooked")  # (forward hooks: nn/containers.py's runner)
        out = hooked(self, args, kwargs) if hooked else self.forward(*args, **kwargs)
        return out if (watch := gate.WATCH.get()) is None else watch(self, out)  # (tasks')

    def __setattr__(self, name: str, value: Any) -> None:
        # a buffer set again as PyTorch's code does (self.mean = 0.9 * self.mean + ...): a
        # Tensor's values, as register_buffer keeps them; a Parameter or a Module makes it one
        # (no buffer of that name any more, PyTorch's). nn/containers.py wraps this method
        # with PyTorch's refusals (a Tensor set over a Parameter, a number over a buffer, ...).
        if name in self.__dict__.get("_buffers", ()):
            if isinstance(value, (Parameter, Module)):
                delattr(self, name)
            elif isinstance(value, Tensor):
                value = value.data
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        """``del module.name``; a buffer's name is no buffer's any more, as PyTorch's."""
        object.__delattr__(self, name)
        for key in ("_buffers", "_transient"):  # (a new list: a copy.copy shares the old)
            if name in self.__dict__.get(key, ()):
                self.__dict__[key] = [n for n in self.__dict__[key] if n != name]

    # --------------------------------------------------------------- discovery
    def _children(self) -> Iterator[tuple[str, Any]]:
        """The module's own Parameters, then its sub-Modules, each in the order set (PyTorch's
        order: its ``_parameters`` before its ``_modules``)."""
        items = list(vars(self).items())  # (a copy: another thread may add a key meanwhile)
        yield from ((name, value) for name, value in items if isinstance(value, Parameter))
        for name, value in items:
            if isinstance(value, Module):
                yield name, value
            elif isinstance(value, (list, tuple)) and all(isinstance(v, Module) for v in value):
                yield from ((f"{name}.{i}", v) for i, v in enumerate(value))

    def _named_state(
        self, prefix: str = "", saved: bool = False, dedupe: bool = True, recurse: bool = True
    ) -> Iterator[tuple[str, Any]]:
        """``(dotted_name, Parameter or buffer array)`` pairs, each once, depth first: a
        module's parameters, its buffers, then its sub-modules, each in the order set
        (PyTorch's ``state_dict`` order); with ``saved``, only the
        state_dict's (no buffer registered with ``persistent=False``); ``dedupe=False``:
        a shared value (or module) at each of its names; ``recurse=False``: this module's
        own. Unlabelled parameters take their name as label."""
        dedupe, recurse = (check_bool(v, k, "named_parameters/named_buffers") for k, v in
                           (("remove_duplicate", dedupe), ("recurse", recurse)))  # fmt: skip
        seen: set[int] = set()  # (the values given, and the modules walked: each once)

        def walk(mod: Module, pre: str) -> Iterator[tuple[str, Any]]:
            if id(mod) in seen:  # (a module held twice, or one that holds its parent)
                return
            seen.add(id(mod))  # (not dedupe: a module within itself only, below)
            skip = vars(mod).get("_transient", ()) if saved else ()
            names = [n for n in vars(mod).get("_buffers", ()) if n not in skip]
            kids = list(mod._children())  # its parameters, its buffers, then its modules
            at = next((i for i, (_, v) in enumerate(kids) if isinstance(v, Module)), len(kids))
            for name, value in [*kids[:at], *[(n, getattr(mod, n)) for n in names], *kids[at:]]:
                full = f"{pre}.{name}" if pre else name
                if isinstance(value, Module):
                    yield from walk(value, full) if recurse else ()
                elif value is not None and id(value) not in seen:  # (a None buffer: none)
                    if dedupe:
                        seen.add(id(value))
                    if isinstance(value, Parameter) and value.label is None:
                        value.label = full
                    yield full, value
            if not dedupe:  # (a module held twice is walked at each of its names)
                seen.discard(id(mod))

        yield from walk(self, prefix)

    def named_parameters(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """Yield ``(dotted_name, parameter)`` pairs, e.g. ``('layers.0.W', W)``; a shared
        parameter is yielded once (``remove_duplicate=False``: at each of its names).
        Unlabelled parameters take their name as label. ``recurse=False``: this module's
        own parameters only, as PyTorch's."""
        state = self._named_state(prefix, dedupe=remove_duplicate, recurse=recurse)
        return ((ParameterName(k), v) for k, v in state if isinstance(v, Parameter))

    def named_buffers(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Any]]:
        """Yield ``(dotted_name, array)`` for each buffer (:meth:`register_buffer`), e.g.
        ``('1.running_mean', array)``, as PyTorch's (``recurse`` and ``remove_duplicate``
        as :meth:`named_parameters`')."""
        state = self._named_state(prefix, dedupe=remove_duplicate, recurse=recurse)
        return ((k, v) for k, v in state if not isinstance(v, Parameter))

    def buffers(self, recurse: bool = True) -> list[Any]:
        """The buffers' arrays, in named_buffers' order (``recurse=False``: its own)."""
        return [v for _, v in self.named_buffers(recurse=recurse)]

    def parameters(self, recurse: bool = True) -> Parameters:
        """The list of this module's parameters (each once), in named_parameters' order; found
        without building names once each has its label (model.zero_grad() every step).
        ``recurse=False``: this module's own parameters only, as PyTorch's."""
        if recurse is not True:
            return Parameters(p for _, p in self.named_parameters(recurse=recurse))
        found: dict[int, Parameter] = {}
        stack, seen = [self], set()
        while stack:  # (as modules(), in a loop of its own: a generator's yields cost 1.3x)
            mod = stack.pop()
            subs: list[Module] = []
            for value in mod.__dict__.copy().values():  # (another thread's eval() or hook
                if isinstance(value, Parameter):  # may add a key during the walk)
                    found.setdefault(id(value), value)
                elif isinstance(value, Module):
                    subs.append(value)
                elif isinstance(value, (list, tuple)) and all(isinstance(v, Module) for v in value):
                    subs.extend(value)
            if subs and id(mod) not in seen:  # (a module held twice: its modules walked once,
                seen.add(id(mod))  # and a module that holds its parent ends)
                stack.extend(reversed(subs))  # (the first sub-module next)
        if all(p.label is not None for p in found.values()):
            return Parameters(found.values())
        return Parameters(p for _, p in self.named_parameters())  # (which labels them)

    def modules(self) -> Iterator[Module]:
        """This module and every sub-module, depth first, each once (a sub-module used twice,
        for shared weights, too: as PyTorch's), read as _children reads the tree, without
        the names (a copy of each module's attributes; the first sub-module next)."""
        seen: set[int] = set()
        stack: list[Module] = [self]
        while stack:
            mod = stack.pop()
            if id(mod) not in seen:
                seen.add(id(mod))
                yield mod
                subs: list[Module] = []
                for value in mod.__dict__.copy().values():
                    if isinstance(value, Module):
                        subs.append(value)
                    elif isinstance(value, (list, tuple)) and all(
                        isinstance(v, Module) for v in value
                    ):
                        subs.extend(value)
                stack += reversed(subs)

    # ------------------------------------------------------------------ modes
    def train(self, mode: bool = True) -> Self:
        """Training mode (dropout active); returns self."""
        mode = check_bool(mode, "mode", f"{type(self).__name__}.train")
        with _gated(self, gate.writing):  # (a writer of its gate: docs/threads.md)
            for m in self.modules():
                m.training = mode
        return self

    def eval(self) -> Self:
        """Evaluation mode (dropout off); returns self."""
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Set every parameter's gradient to None, as PyTorch's default, so that an
        optimizer skips a parameter that gets no gradient before its next step;
        ``set_to_none=False``: to zero, in place where it exists."""
        set_to_none = check_flag(set_to_none, "set_to_none", "zero_grad")
        for p in self.parameters():  # (None: an array the caller kept is left as it is)
            if set_to_none:
                p.grad = None
            else:
                p.zero_grad()

    def predict(self, X: Any) -> np.ndarray:
        """Forward pass without recording a graph, in eval mode; returns a NumPy array. (A
        model on a GPU predicts there: X goes to the device, the output comes back.) X is
        checked as fit checks it: numbers, no NaN or inf, within the model's dtype (without
        parameters: X's float dtype, else the default dtype, as ``Tensor(X)`` takes it).

        The output is checked too: NaN or inf (a diverged model's weights, or arithmetic
        that overflows the dtype, e.g. a float32 network on features of 1e30) is a
        ValueError that says which, never a value returned. A model whose output is meant to
        hold inf is called as ``model.eval()(X)`` under :func:`glassnet.no_grad`."""
        ps = self.parameters()
        X = X.data if isinstance(X, Tensor) else model_input(X, self, None)  # (its names)
        if namespace(X) is np:  # (1e39 for float32 was NumPy's "overflow in cast")
            floats = isinstance(X, (np.ndarray, np.generic)) and X.dtype.kind == "f"
            own = max(X.dtype, np.dtype(np.float32)) if floats else get_default_dtype()
            dt = ps[0].dtype if ps else own  # the model's, as fit checks; else as Tensor(X)
            ranks = tuple(range(65))  # (any: the layers name a shape they cannot take)
            owner = f"{type(self).__name__}.predict"
            X = check_array("X", X, owner, ndim=ranks, dtype=dt, allow_empty=True)
        if ps:  # on the model's device
            X = asarray(X, like=ps[0].data, dtype=ps[0].dtype)
        with evaluating(self), no_grad(), np.errstate(all="ignore"):
            out = to_device(self(X).data, "cpu")  # (overflow warnings: the output is checked)
        if not np.isfinite(out).all():
            raise ValueError(not_finite_output(self, X, out))
        return out

    # ------------------------------------------------------------------- state
    def state_dict(self) -> dict[str, np.ndarray]:
        """A copy of every parameter's and (persistent) buffer's values by dotted name
        (PyTorch's ``destination``, ``prefix`` and ``keep_vars``: nn/containers.py)."""
        state = self._named_state(saved=True)
        return {k: (v.data if isinstance(v, Parameter) else v).copy() for k, v in state}

    def load_state_dict(self, state: dict[str, Any], strict: bool = True) -> IncompatibleKeys:
        """Copy values into the parameters and buffers (in place), checking names and shapes.

        With ``strict=True`` a missing or unexpected name is an error; a shape
        mismatch is always an error. Both list the offending names. Returns the names
        not loaded, ``(missing_keys, unexpected_keys)`` (empty lists with ``strict=True``).
        """
        state_now = list(self._named_state(saved=True))
        like = {k: v.data if isinstance(v, Parameter) else v for k, v in state_now}
        if strict or not isinstance(state, Mapping):
            try:
                check_state_dict(state, type(self).__name__, list(like))
            except TypeError:  # (not a dict: PyTorch's TypeError too)
                raise
            except ValueError as e:  # (PyTorch's keys, bare or prefixed: say which loader)
                raise StateDictError(f"{e}{torch_keys_hint(state, like)}") from None
        state = {k: v.data if isinstance(v, Tensor) else v for k, v in state.items()}  # Parameters
        bufs = {k for k, v in state_now if not isinstance(v, Parameter)}  # (may hold -inf: a
        try:  # causal mask; not NaN, as a run gone wrong leaves)
            given = check_state_arrays(
                state, like, type(self).__name__, same_dtype=False, inf_ok=bufs
            )
        except ValueError as e:  # (a shape, a dtype, a NaN: PyTorch's RuntimeError too)
            raise StateDictError(str(e)) from None
        for name, v in given.items():  # all converted first: a bad state leaves the model intact
            try:  # (a buffer beyond a float dtype: +-inf, as PyTorch's copy; no parameter is)
                with np.errstate(over="ignore", invalid="raise"):
                    given[name] = asarray(v, like=like[name], dtype=like[name].dtype)
            except FloatingPointError:  # (inf or 1e300 into an int buffer)
                raise StateDictError(
                    module_message("range", who=type(self).__name__, name=name, dt=like[name].dtype)
                ) from None
        for name, v in given.items():
            like[name][...] = v
        missing = [k for k in like if k not in given]
        return IncompatibleKeys(missing, [k for k in state if k not in like])

    # ----------------------------------------------------------------- config
    def config(self) -> dict[str, Any]:
        """A JSON-serializable description from which :func:`from_config` rebuilds the
        module (weights excluded)."""
        if self._hparams is None:
            raise NotImplementedError(f"{type(self).__name__} does not describe itself (config()).")
        ps = self.parameters()  # and, with parameters, their dtype
        dtype = {"dtype": ps[0].dtype.name} if ps else {}
        hparams = {k: getattr(self, k) for k in self._hparams}
        return {"type": type(self).__name__, **hparams, **dtype}

    def to(self, *args: Any, dtype: Any = None, device: Any = None) -> Self:
        """Convert every parameter, its gradient and float buffers to ``dtype`` (float32 or
        float64; a NumPy dtype, its name, or PyTorch's ``torch.float64``) and to ``device``
        ("cpu": NumPy arrays; "cuda": CuPy arrays on an NVIDIA GPU, ``pip install
        glassnet[gpu]``) in place, as PyTorch's ``model.to(...)``; the parameter objects stay
        the same. Returns self. An optimizer built before a change refuses to step: build it
        after."""
        owner = f"{type(self).__name__}.to"  # (a device object, torch.device("cuda"), by name)
        given = (*args, dtype, check_device(device, owner))
        given = tuple(str(a) if isinstance(getattr(a, "type", None), str) else a for a in given)
        dt, dev = check_to_args(given, owner)
        for p in self.parameters():
            for name in ("data", "grad") if getattr(p, "grad", None) is not None else ("data",):
                a = getattr(p, name) if dev is None else to_device(getattr(p, name), dev)
                a = a if dt is None else a.astype(dt, copy=False)
                setattr(p, name, as_grad(a) if name == "grad" else a)  # (a Grad stays one)
        for m in self.modules():  # buffers: moved, and the float ones converted (PyTorch's)
            for name in (n for n in vars(m).get("_buffers", ()) if getattr(m, n) is not None):
                a = getattr(m, name) if dev is None else to_device(getattr(m, name), dev)
                floats = dt is not None and a.dtype.kind == "f"
                setattr(m, name, a.astype(dt, copy=False) if floats else a)
        return self

    def extra_repr(self) -> str:
        return ", ".join(f"{k}={getattr(self, k)}" for k in self._hparams or ())

    def __repr__(self) -> str:
        """PyTorch's: ``Name(settings)``, or with sub-modules one line each, ``(name): repr``."""
        kids = [f"({k}): {m!r}" for k, m in self._children() if isinstance(m, Module)]
        if not kids:
            return f"{type(self).__name__}({self.extra_repr()})"
        lines = [self.extra_repr()] * bool(self.extra_repr()) + kids
        body = "".join(f"\n{line}" for line in lines).replace("\n", "\n  ")  # (nested: indented)
        return f"{type(self).__name__}({body}\n)"
