"""Autograd's switches and anomaly mode, below the Tensor: PyTorch's surface, not the lecture's.

The lecture's engine is a graph, its topological order and the chain rule (``tensor.py``).
What PyTorch adds around them lives here, a layer below ``tensor`` (which reads the
switches in every op and imports every name back, so ``from glassnet.tensor import no_grad``
and the rest work as before) and is counted outside the core as ``_validation``'s checks are:

* the switches: ``no_grad``/``enable_grad`` (graph recording off or on), ``Switch`` (their
  with-block, whose decorator form ``glassnet.autograd`` attaches), ``is_grad_enabled``,
  ``is_anomaly_enabled``;
* anomaly mode's checks (``detect_anomaly``, ``glassnet.autograd``'s: the first op whose
  values or gradients hold NaN or inf raises :class:`AnomalyError`);
* ``backward(inputs=...)``'s reach: which retained tensors lie on a path to an input.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ._validation import tensor_message

# the switches, each thread's and asyncio task's own (as PyTorch's grad mode; public:
# glassnet.autograd's set_grad_enabled and detect_anomaly set them)
grad_mode = contextvars.ContextVar("grad_enabled", default=True)
anomaly_mode = contextvars.ContextVar("anomaly", default=False)
_held: contextvars.ContextVar[tuple] = contextvars.ContextVar("held", default=())  # (Switch's)


class AnomalyError(FloatingPointError):
    """Raised inside :func:`detect_anomaly` by the first op that yields NaN or inf."""

    __module__ = "glassnet.tensor"  # (its name where it always was: tracebacks, pickles)


def is_grad_enabled() -> bool:
    """Whether ops record the graph here: False inside :func:`no_grad` (PyTorch's
    ``torch.is_grad_enabled``)."""
    return grad_mode.get()


def is_anomaly_enabled() -> bool:
    """Whether :func:`detect_anomaly` is on here (PyTorch's ``torch.is_anomaly_enabled``)."""
    return anomaly_mode.get()


class Switch:
    """Set ``switch`` (``grad_mode``, ``anomaly_mode``) inside a with-block; its decorator
    form (PyTorch's ``@no_grad``, a generator's body run in the mode each time it is
    resumed), ``set_grad_enabled`` and ``detect_anomaly`` are :mod:`glassnet.autograd`'s."""

    __module__ = "glassnet.tensor"  # (its name where it always was)
    __call__: Callable[..., Any]  # (the decorator form, glassnet.autograd's)

    def __init__(self, switch: contextvars.ContextVar[bool], value: bool) -> None:
        self.switch, self.value = switch, value

    def __enter__(self) -> None:  # (the mode before is kept per thread and asyncio task:
        _held.set((*_held.get(), (self, self.switch.set(self.value))))  # one object is reusable

    def __exit__(self, *exc: object) -> None:
        held = _held.get()
        i = max(i for i, (s, _) in enumerate(held) if s is self)
        self.switch.reset(held[i][1])
        _held.set(held[:i] + held[i + 1 :])


def no_grad(fn: Callable[..., Any] | None = None) -> Any:
    """Context manager: operations inside record no graph (inference, updates). A decorator
    too, ``@no_grad()`` or, as PyTorch's, ``@no_grad``.

    >>> import glassnet as gn
    >>> w = gn.Tensor([1.0], requires_grad=True)
    >>> with gn.no_grad():
    ...     y = w * 2
    >>> y.requires_grad
    False
    """
    return Switch(grad_mode, False) if fn is None else Switch(grad_mode, False)(fn)


def enable_grad(fn: Callable[..., Any] | None = None) -> Any:
    """Context manager: re-enable graph recording inside a :func:`no_grad` block (a decorator
    too, with or without the call's parentheses)."""
    return Switch(grad_mode, True) if fn is None else Switch(grad_mode, True)(fn)


def check_finite(op: str, who: str, arr: Any, where: str) -> None:
    """Raise AnomalyError if ``arr`` holds NaN/inf; ``who`` names the node ("label 'z1'")."""
    if not np.all(np.isfinite(arr)):
        bad = "nan" if np.isnan(arr).any() else ("-inf" if np.isneginf(arr).any() else "inf")
        raise AnomalyError(tensor_message("anomaly", where=where, op=op, who=who, bad=bad))


def check_forward(op: str, parents: Iterable[Any], data: Any) -> None:
    """Anomaly mode's check of an op's result, naming its inputs' labels."""
    labels = ", ".join(repr(p.label) for p in parents if p.label)
    check_finite(op, f"inputs {labels}" if labels else "", data, "forward")


def check_backward(node: Any, g: Any, where: str = "backward") -> None:
    """Anomaly mode's check of a gradient passing through ``node``, naming its label."""
    check_finite(node.op, f"label {node.label!r}" if node.label else "", g, where)


def input_paths(topo: list[Any], keep: Any) -> set[int]:
    """``backward(inputs=...)``'s reach: the ids of ``keep`` (the tensors whose ``.grad``
    takes the gradient) and, where a tensor of ``topo`` retains its gradient, of every node
    on a path to one of them (retained ones on such a path are filled, as PyTorch's)."""
    reach = set(keep or ())
    if keep is not None and any(n._retain for n in topo):
        for node in topo:
            if any(id(p) in reach for p in node.parents):
                reach.add(id(node))
    return reach
