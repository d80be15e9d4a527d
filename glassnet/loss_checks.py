"""The refusals of :mod:`glassnet.functional`'s losses: what a target, a reduction and
sample weights must be before a loss takes them.

A loss's mathematics (its kernel, the reduction, the fused softmax and sigmoid heads) is
the engine's, in ``functional``; the checks that a hand-written loop's arguments are
what the loss can take (a numeric target of the prediction's shape, in range, finite;
class labels in [0, C); probabilities in [0, 1]; weights one per row) are counted outside
the core (``tools/loc.py``), as :mod:`glassnet._validation`'s are: each loss calls one of
them, whose name says what it refuses. ``functional`` imports them, so
``glassnet.functional.check_target`` and ``F.CHECKED`` are where they were.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from ._validation import (
    check_finite,
    check_weights,
    class_labels,
    functional_message,
    overflowed,
    unit_target,
    unmasked,
)
from .backend import asarray, to_device
from .tensor import Tensor, as_tensor, is_grad_enabled

__all__ = [
    "CHECKED",
    "check_probabilities",
    "check_reduction",
    "check_target",
    "check_unsquashed",
    "class_targets",
    "fixed_target",
    "row_weights",
    "squashed_by",
]

# the losses on logits, and the activation each applies first (check_unsquashed refuses its
# output)
SQUASHES = {"cross_entropy": "softmax", "binary_cross_entropy_with_logits": "sigmoid"}


class _Checked(threading.local):  # CHECKED.on: train.graph_step calls a named loss on the y
    on = False  # and w fit checked up front: check_target and loss_node skip those checks


CHECKED = _Checked()


def fixed_target(who: str, target: Any) -> None:
    """Refuse a target that requires grad: these losses pass their target no gradient."""
    if isinstance(target, Tensor) and target.requires_grad and is_grad_enabled():
        raise RuntimeError(functional_message("fixed_target", who=who))


def check_target(
    who: str, pred: Any, target: Any, graph: bool = False, finite: bool = True
) -> tuple[Tensor, Any]:
    """The prediction as a Tensor x, and a numeric target of x's shape (on x's device), both
    in one dtype: a Tensor target's where it is the wider float (the dtype rule, as
    PyTorch's losses: float32 with float64 gives a float64 loss, x's gradient float32),
    else x's (a NumPy array's values are data, read in the model's dtype as fit reads y,
    a value beyond its range refused in fit's words); else an error that names ``who``
    (``"op 'mse'"``, ``"MSELoss"``). A target that requires grad is refused unless the
    caller differentiates it too (``graph``); one holding NaN or inf is refused
    (:func:`check_finite`) unless ``finite`` is False (KLDivLoss checks its own)."""
    if not graph:
        fixed_target(who, target)
    x, target = as_tensor(pred), unmasked(target, "target", who)  # (a masked cell refused)
    y = asarray(target.data if isinstance(target, Tensor) else target, like=x.data)
    if y.dtype.kind not in "biuf":
        raise TypeError(f"{who}: the target must be numeric. Got dtype {y.dtype}.")
    if y.shape != x.shape:
        raise ValueError(functional_message("target_shape", who=who, x=x.shape, y=y.shape))
    if isinstance(target, Tensor) and y.dtype.itemsize > x.dtype.itemsize and y.dtype.kind == "f":
        x = x.astype(y.dtype)  # the wider wins, as in x - target
    cast, bad = y, None
    if y.dtype != x.dtype:  # (errstate's context costs more than the loss's check: skip it)
        with np.errstate(over="ignore"):
            cast = y.astype(x.dtype)
        bad = overflowed(y, cast)
    if bad is not None:
        raise ValueError(functional_message("target_range", who=who, y=y, at=bad, dt=x.dtype))
    return x, check_finite(who, cast) if finite and not CHECKED.on else cast


def class_targets(logits: Any, target: Any) -> tuple[Tensor, Any]:
    """Cross-entropy's logits as a Tensor x of shape (N, C), and its target: integer class
    labels (N,) in [0, C) (``class_labels``), or target rows of x's shape
    (:func:`check_target`, whose dtype rule they follow)."""
    x, who = as_tensor(logits), "op 'cross_entropy'"
    if x.ndim != 2:
        raise ValueError(f"{who}: logits must have shape (N, C). Got shape {x.shape}.")
    fixed_target(who, target)
    target = unmasked(target, "target", who)
    t = asarray(target.data if isinstance(target, Tensor) else target, like=x.data)
    if t.ndim != 1:  # target rows, one per prediction row (a Tensor's dtype promotes)
        return check_target(who, x, target)
    return x, class_labels("cross_entropy", t, x.shape[1], logits=x.shape)[0]  # (one a row)


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


def check_unsquashed(name: str, x: Tensor, activations: dict[str, Any]) -> None:
    """Refuse probabilities given to the loss on logits ``name`` (cross_entropy,
    binary_cross_entropy_with_logits), the output of a vector entry of ``activations`` too
    where its rows are probabilities (:func:`squashed_by`): the loss would squash them
    twice, in silence (:func:`glassnet.functional.check_logits`)."""
    head, vec = SQUASHES.get(name), not getattr(activations.get(x.op), "elementwise", True)
    got = x.op if head and vec and x.op != head and squashed_by(x, x.op, activations) else head
    if head is not None and (got != head or squashed_by(x, head, activations)):
        raise ValueError(functional_message("squashed", name=name, head=head, got=got))
