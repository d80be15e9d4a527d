"""The readers-writer gate of a model whose class has its own ``train()``: generic
concurrency machinery, not the lecture's mathematics, so it sits outside the core's line
budget (tools/loc.py), as ``glassnet._validation``'s checks do. ``nn.module`` only calls it:
:func:`reading` in ``evaluating()`` (so in ``predict``), :func:`writing` in
``Module.train`` (each a gate only for a model whose class has its own ``train()``, nothing
for any other); ``Module.__init_subclass__`` makes each class's own ``train()`` a writer
whole (:func:`guard_train`). How it behaves: docs/threads.md.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import threading
import types
import weakref
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .module import Module

__all__ = ["WATCH", "Gate", "gate_of", "guard_train", "reading", "writing"]

WATCH: contextvars.ContextVar[Any] = contextvars.ContextVar("glassnet_watch", default=None)
# (a watcher of module outputs for one call in this context, or None: ``Module.__call__``
# gives it each module and its output, ``watch(module, out)``, and returns what it returns;
# glassnet.tasks' look at a softmax head of a model of the user's. Nothing is set on a layer)

_GATES: dict[int, Gate] = {}  # id(a model with its own train()) -> its gate
_MAKING = threading.Lock()  # (held a moment to make one: never while user code runs)


class Gate:
    """The readers-writer gate of a model whose class has its own ``train()``: its predicts
    read together (the first in switches it to eval mode through that ``train()``, the last
    out back), a ``train()`` writes alone, and predicts wait behind a waiting ``train()``.
    Re-entrant: a thread's predict or ``train()`` within its own predict or ``train()``
    passes. Its own lock is held only a moment, never while user code runs."""

    def __init__(self) -> None:
        self.cond = threading.Condition(threading.Lock())
        self.depth: dict[int, int] = {}  # thread -> its predicts running (nested)
        self.writers: list[int] = []  # the thread running train(), once per nesting
        self.waiting = self.switching = 0  # trains waiting; the first in or last out switching
        self.was: list[tuple[Module, bool]] = []  # every module's flag, as the first in found

    def enter(self, write: bool) -> bool:
        """Wait for the turn (none, within the thread's own); whether it is the first reader."""
        me = threading.get_ident()
        with self.cond:
            if not (self.depth.get(me) or me in self.writers):
                self.waiting += write
                try:
                    while self.writers or self.switching or (self.depth if write else self.waiting):
                        self.cond.wait()
                finally:
                    self.waiting -= write
            first = not write and not self.depth
            self.switching += first
            if write:
                self.writers.append(me)
            else:
                self.depth[me] = self.depth.get(me, 0) + 1
            return first

    def leave(self, write: bool, last: bool = False) -> bool:
        """Leave; whether this is the last reader out, who switches back first (``last``)."""
        me = threading.get_ident()
        with self.cond:
            if not (write or last) and self.depth == {me: 1}:
                self.switching += 1
                return True
            if write:
                self.writers.remove(me)
            elif self.depth[me] > 1:
                self.depth[me] -= 1
            else:
                del self.depth[me]
            self.switching -= last
            self.cond.notify_all()
            return False

    @contextlib.contextmanager
    def reading(self, model: Module) -> Iterator[None]:
        """Predict's: eval mode through the model's ``train(False)`` while any predict runs;
        the last out calls ``train(mode found)`` and puts back every module's flag as found
        (a waiting writer then sets its mode: a class's own ``train()`` has run none of its
        code yet, being guarded whole)."""
        first = self.enter(False)
        try:
            if first:  # (a train() waits for the last out: the flags stay as found till then)
                self.was = [(m, vars(m).get("training", True)) for m in model.modules()]
                try:
                    model.train(False)
                finally:
                    with self.cond:
                        self.switching -= 1
                        self.cond.notify_all()
            yield
        finally:
            if self.leave(False):
                try:
                    model.train(self.was[0][1])  # (the state your own train() sets, too)
                finally:
                    for m, mode in self.was:
                        m.training = mode
                    self.was = []  # (the gate holds no module: it goes with the model)
                    self.leave(False, last=True)


def gate_of(model: Module) -> Gate:
    """``model``'s gate, made on first use and dropped when the model is freed."""
    with _MAKING:
        if id(model) not in _GATES:
            _GATES[id(model)] = Gate()
            weakref.finalize(model, _GATES.pop, id(model), None)
        return _GATES[id(model)]


@functools.cache
def _base() -> Any:
    """``Module``, the class, read once (nn.module imports this module: defined by the first
    call; an import at every call cost a predict 2 us). Its ``train`` is read at each call:
    one patched on the class (a mock) is the base's still."""
    from .module import Module

    return Module


def _own_train(model: Module | None) -> bool:
    """Whether ``model``'s class has a ``train()`` of its own (where its gate is)."""
    return model is not None and type(model).train is not _base().train


def reading(model: Module | None) -> contextlib.AbstractContextManager[None]:
    """A reader of ``model``'s gate for the block (:meth:`Gate.reading` on its gate), for a
    model whose class has a ``train()`` of its own; nothing for any other model (or None)."""
    return gate_of(model).reading(model) if _own_train(model) else contextlib.nullcontext()


def writing(model: Module) -> contextlib.AbstractContextManager[None]:
    """A writer of ``model``'s gate for the block, for a model whose class has a ``train()``
    of its own (nothing for any other): ``Module.train``'s flag writes, which every
    ``train()`` reaches (a mixin's, an assigned one, a direct ``nn.Module.train``)."""
    return _writing(gate_of(model)) if _own_train(model) else contextlib.nullcontext()


@contextlib.contextmanager
def _writing(gate: Gate) -> Iterator[None]:
    """A writer of ``gate`` for the block. It waits for the model's predicts in other
    threads, and new ones wait for it; re-entrant, so within a guarded ``train()`` or a
    predict of the thread it passes."""
    gate.enter(True)
    try:
        yield
    finally:
        gate.leave(True)


def _writes(train: Any) -> Any:
    """A class's own ``train()``, run whole as a writer of the model's gate."""

    @functools.wraps(train)
    def train_(self: Module, *args: Any, **kwargs: Any) -> Any:
        with _writing(gate_of(self)):
            return train(self, *args, **kwargs)

    return train_


def guard_train(cls: type) -> None:
    """Make a ``train()`` that ``cls`` defines itself a writer of the model's gate, whole: it
    waits for the model's predicts in other threads, and new ones wait for it."""
    if isinstance(vars(cls).get("train"), types.FunctionType):
        cls.train = _writes(vars(cls)["train"])  # type: ignore[attr-defined]
