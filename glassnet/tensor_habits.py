"""PyTorch's habits of the Tensor that the engine's forward and backward never call.

``t.register_hook(fn)`` and ``t.retain_grad()`` (what ``backward`` does with a tensor's hooks
and its retained gradient is the engine's, in :meth:`Tensor.backward`; registering them is
not), the repr, ``t.item()`` and ``t.numpy()``: PyTorch's and NumPy's surface of a
tensor, which a hand-written loop reads; ``t.named("z1")``, which sets the label
drawings and explanations show (a node keeps its ``label``; no op names its result); and
``t.zero_grad()``, a leaf's gradient zeroed in place (``fit`` and ``model.zero_grad()`` set
gradients to None; only ``model.zero_grad(set_to_none=False)`` calls it). (The
truth value of one value and ``astype``, which the core's reductions and losses call, are
``glassnet/tensor.py``'s.)

It is outside the core (``tools/loc.py``): a layer above the Tensor, which it attaches
these to as :mod:`glassnet.habits` attaches indexing and the shape ops (``import glassnet``
loads it), so that ``glassnet/tensor.py`` reads as the lecture's engine in one sitting.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ._validation import attach, tensor_message
from .backend import to_device
from .hooks import RemovableHandle, grad_hooks, ids
from .tensor import Tensor

__all__ = ["register_hook", "retain_grad"]


def retain_grad(self: Tensor) -> Tensor:
    """Keep ``.grad`` on this non-leaf tensor after ``backward()``; returns self."""
    if not self._rg:
        raise RuntimeError(tensor_message("retain_grad"))
    self._retain = True
    return self


def register_hook(self: Tensor, hook: Callable[[Any], Any]) -> RemovableHandle:
    """PyTorch's: ``hook(grad)`` runs when ``backward()`` reaches this tensor, with dL/dself
    (read-only); a result other than None takes its place, in ``.grad`` and on the way to
    the inputs (:func:`glassnet.hooks.run_grad_hooks`). Returns a handle: ``.remove()``."""
    if not self._rg:
        raise RuntimeError(tensor_message("register_hook"))
    if not callable(hook):
        raise TypeError(f"register_hook takes a function hook(grad). Got {hook!r:.60}.")
    if getattr(self, "_hooks", None) is None:  # (the slot is unset until a first hook)
        self._hooks = {}
    self._hooks[key := next(ids)] = hook
    grad_hooks.on += 1  # (while any is on, backward looks for them)
    return RemovableHandle(self._hooks, key, _unhooked)


def _unhooked() -> None:
    grad_hooks.on -= 1


def _repr(self: Tensor) -> str:
    tags = {"label": self.label, "op": self.op, "requires_grad": self.requires_grad}
    extra = "".join(f", {k}={v!r}" for k, v in tags.items() if v)
    host = to_device(self.data, "cpu")  # (a GPU tensor shows its values too)
    body = np.array2string(host, precision=4, separator=", ", prefix="Tensor(")
    size = f", size={host.shape}" if host.size == 0 else ""  # (PyTorch's: [] loses it)
    return f"Tensor({body}{size}, dtype={self.data.dtype}{extra})"


def named(self, label: str) -> Tensor:
    """Set the label used by drawings and explanations; returns self.

    >>> import glassnet as gn
    >>> gn.Tensor(1.0).named("z1").label
    'z1'
    """
    self.label = label
    return self


def zero_grad(self: Tensor) -> None:
    """Reset ``.grad``: filled with zeros in place if it exists (keeps shared buffers)."""
    if self.grad is not None:
        self.grad.fill(0)


def numpy(self: Tensor) -> np.ndarray:
    """The values as a NumPy array (shared, not copied)."""
    return self.data


def item(self: Tensor) -> float:
    """The single value of a one-element tensor as a Python float."""
    if self.data.size != 1:
        raise ValueError(f"item() needs a tensor of one value. Got shape {self.shape}.")
    return float(self.data.reshape(()))


# attached under their own names, as tensor.py defined them (help(), tracebacks, pickle)
_ATTACHED = {"retain_grad": retain_grad, "register_hook": register_hook, "__repr__": _repr}
attach(Tensor, {**_ATTACHED, "numpy": numpy, "item": item, "named": named, "zero_grad": zero_grad})
