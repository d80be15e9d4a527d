"""PyTorch's habits of fit's objects: the stopping rules' state dicts, the History's repr.

:mod:`glassnet.train` is the loop and its termination rules; ``fit`` reads a rule's books
(the best score, the epochs without improvement) and never saves or prints them. A
checkpoint does (:class:`glassnet.ModelCheckpoint`, ``gn.save``, the command line's
resume), through ``state_dict()``/``load_state_dict()`` as PyTorch's objects have them,
and a REPL prints a History. Those are attached to the classes here, beside ``train`` (it
imports this module at its end, so every rule and History has them), which keeps train.py
the loop in one sitting.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from ._validation import attach, check_state_dict
from .train import History, Tolerance, WeightChange

__all__: list[str] = []


def state_dict(self: Tolerance | WeightChange) -> dict[str, Any]:
    """The rule's type and books (copies; best weights as arrays), as PyTorch's."""
    books = {k: getattr(self, k) for k in self.books}
    return {"type": type(self).__name__, **copy.deepcopy(books)}


def load_state_dict(self: Tolerance | WeightChange, state: Mapping[str, Any]) -> None:
    """Restore what :meth:`state_dict` returned: a run resumed at its epoch goes on."""
    check_state_dict(state, type(self), ("type", *self.books))
    self.__dict__.update(copy.deepcopy({k: state[k] for k in self.books}), ran=True)


def __repr__(self: History) -> str:
    last = f"{self.loss[-1]:.6g}" if self.loss else "n/a"
    return (
        f"History(epochs={self.epochs}, steps={self.steps}, loss={last}, "
        f"stop_reason={self.stop_reason!r}, engine={self.engine!r})"
    )


# (on the rules' base, train.py's _Books, where they were: EarlyStopping, Tolerance and
# WeightChange inherit them)
# (the names they had in train.py: Python's argument errors, tracebacks and pickles)
attach(Tolerance.__mro__[1], (state_dict, load_state_dict))
attach(History, (__repr__,))
