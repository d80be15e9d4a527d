"""``Module`` and ``Parameter``: the building blocks of networks.

A module's parameters are discovered by walking its attributes (Parameters,
sub-Modules, and lists of Modules): its own Parameters, then its sub-Modules', each in the
order they were set (PyTorch's order), and named with dots: ``layers.0.W``. PyTorch's
surface of a module (state dicts, buffers, ``to()``, names, reprs, ``config()``) is
:mod:`glassnet.nn.torch_module`'s, which attaches it.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from .._validation import check_bool, check_flag, model_input, torch_input
from ..backend import to_device
from ..habits import Parameters  # (a list that next() walks too, as PyTorch's generator)
from ..tensor import Tensor, get_default_dtype, no_grad
from . import _gate as gate
from ._checks import BufferNameError as BufferNameError  # (their path: nn/_checks.py)
from ._checks import IncompatibleKeys, StateDictError, check_label, check_output, predict_input

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
        check_label(label)  # (a str or None: PyTorch's second argument is requires_grad)
        super().__init__(data, requires_grad=requires_grad, dtype=dtype, label=label)


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
    with gate.reading(model):  # (a gate only for a model whose class has its own train())
        token = _PREDICTING.set(True)
        try:
            yield
        finally:
            _PREDICTING.reset(token)


if TYPE_CHECKING:  # (what nn.torch_module and nn.containers attach, as type checkers see it)
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

    def parameters(self, recurse: bool = True) -> Parameters:
        """The list of this module's parameters, each once, in the order the loop below reads
        them: a module's own Parameters in the order set, then its sub-Modules' (attributes,
        and lists of Modules), depth first, the first set first (PyTorch's order, and
        named_parameters'). Until each has its label, they come from named_parameters
        (nn/torch_module.py), which walks the tree in this order with names and labels each
        by its dotted name (``layers.0.W``); after, this loop finds them without names
        (model.zero_grad() every step). ``recurse=False``: this module's own, as PyTorch's."""
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
        for shared weights, too: as PyTorch's), read as parameters() reads the tree (a copy of
        each module's attributes: its Modules and lists of Modules; the first sub-module
        next)."""
        seen: set[int] = set()
        stack: list[Module] = [self]
        while stack:
            mod = stack.pop()
            if id(mod) in seen:  # (a module held twice, or one that holds its parent)
                continue
            seen.add(id(mod))
            yield mod
            subs: list[Module] = []
            for value in mod.__dict__.copy().values():
                if isinstance(value, Module):
                    subs.append(value)
                elif isinstance(value, (list, tuple)) and all(isinstance(v, Module) for v in value):
                    subs.extend(value)
            stack += reversed(subs)

    # ------------------------------------------------------------------ modes
    def train(self, mode: bool = True) -> Self:
        """Training mode (dropout active); returns self."""
        mode = check_bool(mode, "mode", f"{type(self).__name__}.train")
        with gate.writing(self):  # (a writer of its gate, if it has one: docs/threads.md)
            self._own_trains(mode)  # (top down; one with its own train() handed it: PyTorch's)
        return self

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
        X = predict_input(self, X, next(iter(self.parameters()), None))  # (as fit takes it)
        with evaluating(self), no_grad(), np.errstate(all="ignore"):
            out = to_device(self(X).data, "cpu")  # (overflow warnings: the output is checked)
        check_output(self, X, out)  # (no NaN or inf)
        return out
