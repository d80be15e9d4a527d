"""The see-through trace of the fast path: every number of one pass over a batch.

:meth:`FastMLP.trace <glassnet.fused.FastMLP.trace>` runs the fast path's own step with a
``record`` list, so the numbers are the ones training computes: every layer's Z, A, g'(Z),
dL/dA, dL/dZ, dL/dW and dL/db (:class:`Trace`), which ``explain``, ``viz``,
``diagnostics``, ``summary`` and the ONNX export read.

It is outside the core (``tools/loc.py``) because the engine never calls it: ``fit``, the
fast path's step and the optimizers train without it; it is what the explanations show of
a step, a layer above the fast path, which it attaches the method to (``import glassnet``
loads it), as :mod:`glassnet.habits` attaches PyTorch's habits to the Tensor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import functional as F
from ._validation import attach, check_array, check_bool, check_trace, fused_message
from .fused import FastMLP
from .tasks import prepare_targets

__all__ = ["Trace", "trace"]


@dataclass
class Trace:
    """What one pass computed: ``layers[l]`` maps ``X`` (the layer's input), ``Z``, ``A``,
    ``gprime`` (g'(Z); for softmax the Jacobian, (N, C, C)), ``dA``, ``dZ``, ``dW``,
    ``db`` to arrays (the backward ones only when targets were given); ``per_sample`` holds
    each entry's loss before the mean, ``loss`` the batch loss."""

    layers: list[dict[str, np.ndarray]] = field(default_factory=list)
    per_sample: np.ndarray | None = None
    loss: float = float("nan")


def trace(
    self: FastMLP,
    X: Any,
    y: Any = None,
    sample_weight: Any = None,
    finite: bool = True,
    jacobians: bool = True,
) -> Trace:
    """Every number of one pass over the batch X (and the backward pass, L2 penalty included
    and rows weighted by ``sample_weight`` (N,), when targets ``y`` are given in the loss's
    form: labels or rows for cross-entropy, (N, K) values otherwise), in ``self.dtype``.
    A NaN or inf among them is a ValueError naming the first made; ``finite=False``
    returns them (``glassnet.explain`` names the cause itself). ``jacobians=False``: no
    ``gprime`` for a vector activation (softmax: (N, C, C); explain makes its rows)."""
    X = check_array("X", X, "FastMLP.trace", ndim=(2,), dtype=self.dtype)
    finite = check_bool(finite, "finite", "FastMLP.trace")
    rows = {len(np.atleast_1d(v)) for v in (y, sample_weight) if v is not None}
    if X.shape[1] != self.layers[0].inputs or rows - {X.shape[0]}:
        raise ValueError(
            fused_message("trace", shape=X.shape, rows=rows, inputs=self.layers[0].inputs)
        )
    record: list[dict] = []
    t = Trace(layers=record)
    with np.errstate(all="ignore"):  # (a number that overflows is refused below)
        if y is None:
            self.forward(X, record)
        else:
            n_out, w = self.layers[-1].neurons, sample_weight
            y = prepare_targets(self.spec, np.asarray(y), self.dtype, n_out, "FastMLP.trace")
            w = None if w is None else np.asarray(w, dtype=self.dtype).reshape(X.shape[0])
            t.loss = self.step(X, y, w, record)
            t.per_sample = record[-1].pop("per_sample")
            record[-1]["dA"] = _output_grad(self, self.output(X.shape[0]), y, w)
        # each layer's activation: the next layer's input (its buffer), then the output's
        acts = [rec["X"] for rec in record[1:]] + [self.output(X.shape[0])]
        for i, (lay, rec, A) in enumerate(zip(self.layers, record, acts)):
            # a head fused with its loss left logits in its buffer: its output is g(Z)
            fused_head = self.fused and i == len(record) - 1
            rec["A"] = lay.activation.fn(rec["Z"], **lay.kw) if fused_head else A.copy()
            if jacobians or lay.activation.elementwise:
                rec["gprime"] = lay.activation.grad(rec["Z"], rec["A"], **lay.kw)
    if finite:  # (else the caller looks at NaN and inf itself)
        weights = [w for lay in self.layers for w in (lay.W, lay.b) if w is not None]
        check_trace(record, None if y is None else t.loss, weights, self.dtype)
    return t


def _output_grad(fast: FastMLP, out: Any, y: Any, w: Any) -> Any:
    """The output layer's dL/dA (dL/dy_hat), rows weighted by ``w``, as the step's kernel
    gives it for the output ``out`` (a stack's rows one network after another), or, when the
    head is fused with the loss, the loss's derivative with respect to the head's output."""
    n = out.shape[-2]
    count = n if fast.loss.per_row else n * out.shape[-1]  # (one network's mean)
    if fast.lead:
        y = y.reshape(-1, *y.shape[2:])
    if fast.fused:
        lay = fast.layers[-1]
        P = lay.activation.fn(out, **lay.kw)
        G = np.empty_like(P)
        Y = F.one_hot(y, P.shape[1], dtype=P.dtype) if y.ndim == 1 else y  # labels: rows
        fast.spec.on_probabilities(P, Y, G)
    else:
        o = out.reshape(-1, out.shape[-1]) if fast.lead else out
        G = np.empty_like(o)
        fast.loss.kernel(o, y, G)
    return G / count if w is None else G * (w.reshape(-1, 1) / count)


attach(FastMLP, (trace,))  # (its old name, fused.py's)
