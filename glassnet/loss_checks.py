"""The refusals of :mod:`glassnet.functional`'s losses: what class labels, probabilities, a
reduction and sample weights must be before a loss takes them.

A loss's mathematics (its kernel, the reduction, the fused softmax and sigmoid heads) is
the engine's, in ``functional``; the checks that a hand-written loop's arguments are
what the loss can take (a numeric target of the prediction's shape, in range, finite;
class labels in [0, C); probabilities in [0, 1]; weights one per row) are counted outside
the core (``tools/loc.py``), as :mod:`glassnet._validation`'s are: each loss calls one of
them, whose name says what it refuses. ``functional`` imports them (``F.CHECKED`` is
where it was); reading a target in the loss's dtype (``check_target``, a graph node where
the dtypes differ) and the loss-to-head table are ``functional``'s: ``target_in`` only casts
the target array to the dtype that rule chose, refusing a value beyond its range.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from ._validation import (
    check_weights,
    functional_message,
    overflowed,
    unit_target,
)
from .backend import asarray, to_device
from .tensor import Tensor, is_grad_enabled

__all__ = [
    "CHECKED",
    "checked_by_fit",
    "check_probabilities",
    "check_reduction",
    "check_target_array",
    "check_unsquashed",
    "fixed_target",
    "row_weights",
    "squashed_by",
    "target_in",
]


class _Checked(threading.local):  # CHECKED.on: train.graph_step calls a named loss on the y
    on = False  # and w fit checked up front: check_target and loss_node skip those checks


CHECKED = _Checked()


def checked_by_fit(loss_fn: Callable[..., Any]) -> Callable[..., Any]:
    """``loss_fn``, a loss of functional's table, called with ``CHECKED.on``: on the y and
    w that fit checked up front (``train.graph_step``'s), whose checks the loss skips."""

    def checked(*args: Any) -> Any:
        was, CHECKED.on = CHECKED.on, True
        try:
            return loss_fn(*args)
        finally:
            CHECKED.on = was

    return checked


def fixed_target(who: str, target: Any) -> None:
    """Refuse a target that requires grad: these losses pass their target no gradient."""
    if isinstance(target, Tensor) and target.requires_grad and is_grad_enabled():
        raise RuntimeError(functional_message("fixed_target", who=who))


def check_target_array(who: str, x: Tensor, y: Any) -> None:
    """Refuse a target array ``y`` that is not numeric or not of the prediction ``x``'s shape,
    in an error that names the loss ``who`` (``"op 'mse'"``, ``"MSELoss"``)."""
    if y.dtype.kind not in "biuf":
        raise TypeError(f"{who}: the target must be numeric. Got dtype {y.dtype}.")
    if y.shape != x.shape:
        raise ValueError(functional_message("target_shape", who=who, x=x.shape, y=y.shape))


def target_in(who: str, y: Any, dtype: Any) -> Any:
    """The target array ``y`` cast to the loss's ``dtype`` (another than its own), a finite
    value beyond that dtype's range refused in fit's words (NumPy's cast would make it inf,
    with a warning only)."""
    with np.errstate(over="ignore"):
        cast = y.astype(dtype)
    bad = overflowed(y, cast)
    if bad is not None:
        raise ValueError(functional_message("target_range", who=who, y=y, at=bad, dt=dtype))
    return cast


def check_probabilities(who: str, x: Tensor, y: Any) -> None:
    """Refuse a prediction outside [0, 1] (NaN too) or a target outside [0, 1] given to the
    loss on probabilities ``who``."""
    if not np.all((x.data >= 0) & (x.data <= 1)):  # also catches NaN
        raise ValueError(functional_message("probabilities", p=to_device(x.data, "cpu")))
    unit_target(who, y)


def check_reduction(name: str, reduction: Any) -> None:
    """Refuse a ``reduction`` other than 'mean', 'sum' and 'none', naming the loss ``name``."""
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{name}: 'reduction' must be 'mean', 'sum' or 'none'. Got {reduction!r}.")


def row_weights(name: str, sample_weight: Any, per: Any) -> Any:
    """The loss ``name``'s ``sample_weight`` as one finite, non-negative weight per row of the
    per-entry losses ``per``, in their dtype and on their device (checked unless fit did)."""
    w = asarray(sample_weight, like=per)
    w = w if CHECKED.on else check_weights(f"op {name!r}", "sample_weight", w)
    w = w.astype(per.dtype, copy=False)
    if w.shape != (per.shape[0],):
        raise ValueError(functional_message("weights", name=name, w=w.shape, n=per.shape[0]))
    return w


def squashed_by(x: Tensor, head: str, activations: dict[str, Any]) -> bool:
    """Whether ``x`` is the output of ``head`` (sigmoid; softmax over its last axis, the
    classes', or another vector entry of ``activations``, glassnet.functional.ACTIVATIONS:
    its rows lie in [0, 1] and sum to 1), maybe reshaped or indexed, which a loss on logits
    would apply a second time (:func:`glassnet.functional.squashed`)."""
    node = x
    for _ in range(4):  # through a few shape-only ops: .squeeze(1), .view(-1), [:, 0], .T
        if node.op not in ("reshape", "index", "transpose", "astype") or not node.parents:
            break
        node = node.parents[0]
    if node.op != head:
        return False
    rows = (x,) if node is x else (x, node)  # (a view may have moved the classes' axis)
    vector = head == "softmax" or not getattr(activations.get(head), "elementwise", True)
    return not vector or any(not t.size or _unit_rows(t.data) for t in rows)


def _unit_rows(d: Any) -> bool:
    return bool(-1e-3 <= d.min() and d.max() <= 1 + 1e-3) and np.allclose(d.sum(-1), 1, atol=1e-3)


def check_unsquashed(name: str, head: Any, x: Tensor, activations: dict[str, Any]) -> None:
    """Refuse probabilities given to the loss on logits ``name`` (cross_entropy,
    binary_cross_entropy_with_logits), which applies ``head`` first (None: a loss on
    anything; ``glassnet.functional.SQUASHES``), the output of a vector entry of
    ``activations`` too where its rows are probabilities (:func:`squashed_by`): the loss
    would squash them twice, in silence (:func:`glassnet.functional.check_logits`)."""
    vec = not getattr(activations.get(x.op), "elementwise", True)
    got = x.op if head and vec and x.op != head and squashed_by(x, x.op, activations) else head
    if head is not None and (got != head or squashed_by(x, head, activations)):
        raise ValueError(functional_message("squashed", name=name, head=head, got=got))
