"""PyTorch's surface of a module, which the engine never calls: the module tree by dotted
name (``named_parameters``, ``named_buffers``, ``buffers``), ``state_dict`` and
``load_state_dict``, ``to()`` (dtype and device moves), the reprs (``Linear(inputs=2,
neurons=3)``) and ``config()``, the description a model file keeps (what ``gn.save``,
``glassnet.io`` and :func:`~glassnet.nn.from_config` read), and the buffers' bookkeeping
(``__setattr__``: a buffer set again, as PyTorch's ``self.mean = 0.9 * self.mean + ...``;
``__delattr__``). Every attribute set passes through that ``__setattr__`` (after
``glassnet.nn.containers``' wrapper, as before it moved here from ``nn/module.py``), but only
a module with buffers, which the engine's layers never have, reaches more than
``object.__setattr__`` there.

It is outside the core (``tools/loc.py``) because nothing of the engine, the forward and
backward passes, the losses, the fast path, the optimizers' updates and ``fit``'s loop,
calls any of it (but for ``__setattr__``, object's for their attributes): it serves a
hand-written PyTorch-style loop, the saving of models and their printing.
:mod:`glassnet.nn` imports it before anything else of nn, which attaches these functions
to :class:`~glassnet.nn.Module` and the layers (``Module.state_dict = state_dict``), so
every model has them and they read as methods; ``glassnet.nn.containers`` wraps some of
them in turn with PyTorch's further arguments and refusals.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from .._validation import (
    ParameterName,
    attach,
    check_bool,
    check_device,
    check_state_arrays,
    check_state_dict,
    check_to_args,
    module_message,
    torch_keys_hint,
)
from ..backend import asarray, to_device
from ..gradient import as_grad
from ..tensor import Tensor
from ._checks import BufferNameError, IncompatibleKeys, StateDictError
from .layers import MLP, Dropout, LeakyReLU, Linear, Neuron, Sequential, Softmax
from .module import Module, Parameter

if TYPE_CHECKING:
    from ..declarations import Self

__all__ = ["BufferNameError", "IncompatibleKeys", "StateDictError"]


def _parameter_repr(self: Parameter) -> str:
    """PyTorch's form: the values, and a frozen one says so."""
    text = super(Parameter, self).__repr__()  # (along the MRO, as super() in a class)
    frozen = "" if self.requires_grad else ", requires_grad=False"
    return f"Parameter containing:\n{text[:-1]}{frozen})"


def __delattr__(self: Module, name: str) -> None:  # noqa: N807 (Module.__delattr__)
    """``del module.name``; a buffer's name is no buffer's any more, as PyTorch's."""
    object.__delattr__(self, name)
    for key in ("_buffers", "_transient"):  # (a new list: a copy.copy shares the old)
        if name in self.__dict__.get(key, ()):
            self.__dict__[key] = [n for n in self.__dict__[key] if n != name]


def __setattr__(self: Module, name: str, value: Any) -> None:  # noqa: N807 (Module.__setattr__)
    # a buffer set again as PyTorch's code does (self.mean = 0.9 * self.mean + ...): a
    # Tensor's values, as register_buffer keeps them; a Parameter or a Module makes it one
    # (no buffer of that name any more, PyTorch's: __delattr__ above forgets it). Any other
    # attribute is set as object's (no docstring: nn/containers.py wraps this method with
    # PyTorch's refusals, a Tensor set over a Parameter, a number over a buffer, ..., and
    # its docstring is the wrapper's).
    if name in self.__dict__.get("_buffers", ()):
        if isinstance(value, (Parameter, Module)):
            delattr(self, name)
        elif isinstance(value, Tensor):
            value = value.data
    object.__setattr__(self, name, value)


# --------------------------------------------------------------- the tree by name
def _children(self: Module) -> Iterator[tuple[str, Any]]:
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
    self: Module, prefix: str = "", saved: bool = False, dedupe: bool = True, recurse: bool = True
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
    self: Module, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
) -> Iterator[tuple[str, Parameter]]:
    """Yield ``(dotted_name, parameter)`` pairs, e.g. ``('layers.0.W', W)``; a shared
    parameter is yielded once (``remove_duplicate=False``: at each of its names).
    Unlabelled parameters take their name as label. ``recurse=False``: this module's
    own parameters only, as PyTorch's."""
    state = self._named_state(prefix, dedupe=remove_duplicate, recurse=recurse)
    return ((ParameterName(k), v) for k, v in state if isinstance(v, Parameter))


def named_buffers(
    self: Module, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
) -> Iterator[tuple[str, Any]]:
    """Yield ``(dotted_name, array)`` for each buffer (:meth:`register_buffer`), e.g.
    ``('1.running_mean', array)``, as PyTorch's (``recurse`` and ``remove_duplicate``
    as :meth:`named_parameters`')."""
    state = self._named_state(prefix, dedupe=remove_duplicate, recurse=recurse)
    return ((k, v) for k, v in state if not isinstance(v, Parameter))


def buffers(self: Module, recurse: bool = True) -> list[Any]:
    """The buffers' arrays, in named_buffers' order (``recurse=False``: its own)."""
    return [v for _, v in self.named_buffers(recurse=recurse)]


# ------------------------------------------------------------------- state
def state_dict(self: Module) -> dict[str, np.ndarray]:
    """A copy of every parameter's and (persistent) buffer's values by dotted name
    (PyTorch's ``destination``, ``prefix`` and ``keep_vars``: nn/containers.py)."""
    state = self._named_state(saved=True)
    return {k: (v.data if isinstance(v, Parameter) else v).copy() for k, v in state}


def load_state_dict(self: Module, state: dict[str, Any], strict: bool = True) -> IncompatibleKeys:
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
        given = check_state_arrays(state, like, type(self).__name__, same_dtype=False, inf_ok=bufs)
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


def to(self: Module, *args: Any, dtype: Any = None, device: Any = None) -> Self:
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


# ------------------------------------------------------------- config and repr
def config(self: Module) -> dict[str, Any]:
    """A JSON-serializable description from which :func:`from_config` rebuilds the
    module (weights excluded)."""
    if self._hparams is None:
        raise NotImplementedError(f"{type(self).__name__} does not describe itself (config()).")
    ps = self.parameters()  # and, with parameters, their dtype
    dtype = {"dtype": ps[0].dtype.name} if ps else {}
    hparams = {k: getattr(self, k) for k in self._hparams}
    return {"type": type(self).__name__, **hparams, **dtype}


def extra_repr(self: Module) -> str:
    """The settings a repr shows: the constructor's arguments that ``_hparams`` names."""
    return ", ".join(f"{k}={getattr(self, k)}" for k in self._hparams or ())


def _module_repr(self: Module) -> str:
    """PyTorch's: ``Name(settings)``, or with sub-modules one line each, ``(name): repr``."""
    kids = [f"({k}): {m!r}" for k, m in self._children() if isinstance(m, Module)]
    if not kids:
        return f"{type(self).__name__}({self.extra_repr()})"
    lines = [self.extra_repr()] * bool(self.extra_repr()) + kids
    body = "".join(f"\n{line}" for line in lines).replace("\n", "\n  ")  # (nested: indented)
    return f"{type(self).__name__}({body}\n)"


def _with_seed(cfg: dict[str, Any], seed: int | None) -> dict[str, Any]:
    return cfg if seed is None else {**cfg, "seed": seed}  # (from_config: its dropout's rng)


def _linear_config(self: Linear) -> dict[str, Any]:
    return {**super(Linear, self).config(), "bias": self.b is not None}


def _linear_extra_repr(self: Linear) -> str:
    return super(Linear, self).extra_repr() + ("" if self.b is not None else ", bias=False")


def _softmax_config(self: Softmax) -> dict[str, Any]:
    return {**super(Softmax, self).config(), **({} if self.dim is None else {"dim": self.dim})}


def _softmax_extra_repr(self: Softmax) -> str:
    return "" if self.dim is None else f"dim={self.dim}"


def _dropout_config(self: Dropout) -> dict[str, Any]:
    return _with_seed(config(self), getattr(self, "_seed", None))


def _sequential_config(self: Sequential) -> dict[str, Any]:
    return {"type": "Sequential", "layers": [m.config() for m in self.layers]}


def _sequential_repr(self: Sequential) -> str:
    body = "".join("\n  " + f"({i}): {m!r}".replace("\n", "\n  ") for i, m in enumerate(self))
    return f"{type(self).__name__}({body}\n)" if body else f"{type(self).__name__}()"


_TRAINING: contextvars.ContextVar[frozenset[int]] = contextvars.ContextVar(
    "glassnet_training", default=frozenset()
)  # (the modules whose train() is running in this context: a cycle's walk ends)


def _own_trains(self: Module, mode: bool) -> None:
    """``Module.train``'s walk, top down as PyTorch's recursion: this module's ``training``
    flag set, then each sub-module's, except that one whose class has its own ``train()``
    is handed ``train(mode)`` and not walked into (its override decides for its sub-modules,
    as in PyTorch: one that does not call ``super().train()`` keeps their flags). A module
    whose ``train()`` is running in this context is skipped: one that holds its parent."""
    self.training = mode
    busy = _TRAINING.get() | {id(self)}
    seen, stack, own = set(busy), [self], []
    while stack:
        for value in stack.pop().__dict__.copy().values():
            seq = isinstance(value, (list, tuple)) and all(isinstance(v, Module) for v in value)
            for m in value if seq else (value,):
                if not isinstance(m, Module) or id(m) in seen:
                    continue
                seen.add(id(m))
                if type(m).train is not Module.train:
                    own.append(m)
                else:
                    m.training = mode
                    stack.append(m)
    if not own:
        return
    token = _TRAINING.set(busy)
    try:
        for m in own:
            m.train(mode)
    finally:
        _TRAINING.reset(token)


def _mlp_config(self: MLP) -> dict[str, Any]:  # (not Sequential's: built from its arguments)
    seed = getattr(self, "_seed", None) if self.dropout > 0 else None
    return _with_seed(config(self), seed)


attach(Module, (__delattr__, __setattr__, _children, _named_state, named_parameters,
                named_buffers, buffers, state_dict, load_state_dict, to, config, extra_repr,
                _own_trains), module=False)  # fmt: skip
for _cls, _methods in (
    (Parameter, {"__repr__": _parameter_repr}), (Module, {"__repr__": _module_repr}),
    (Linear, {"config": _linear_config, "extra_repr": _linear_extra_repr}),
    (Softmax, {"config": _softmax_config, "extra_repr": _softmax_extra_repr}),
    (Dropout, {"config": _dropout_config}), (MLP, {"config": _mlp_config}),
    (Sequential, {"config": _sequential_config, "__repr__": _sequential_repr}),
):  # fmt: skip
    attach(_cls, _methods, module=False)
# (not Sequential's: a Neuron is built from its arguments; Module's config, under its name)
attach(Neuron, [config], owner="Module", module=False)
# PyTorch's name of LeakyReLU's slope alpha, read and written (the same number)
LeakyReLU.negative_slope = property(  # type: ignore[assignment]
    lambda self: self.alpha, lambda self, v: setattr(self, "alpha", v), doc="``alpha``"
)
