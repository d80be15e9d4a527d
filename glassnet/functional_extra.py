"""PyTorch's and NumPy's functions beside the lecture's, which ``glassnet.functional``
names: ``log_softmax`` (a graph node), ``logsumexp`` of an array, ``one_hot``; ``dim_of``,
the axis of a softmax with PyTorch's refusal of one out of range; and
``jacobian_product``, the backward of a vector activation of yours given by its Jacobian
(the table's softmax never forms one: its backward is the Jacobian-vector product).

The engine's activations, losses and layer are :mod:`glassnet.functional`'s; the fast
path's cross-entropy computes its log-probabilities in its own kernel and never calls
these. They serve hand-written PyTorch-style losses (``nn.LogSoftmax``, ``nn.NLLLoss``),
the explanations and the estimators, so they are counted outside the core
(``tools/loc.py``), a layer below ``functional``, which imports them: ``F.log_softmax``,
``F.logsumexp`` and ``F.one_hot`` are where they were, and ``x.log_softmax()`` is attached
there with the activations.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._validation import class_labels, dim_error, functional_message, unmasked
from .backend import asarray
from .tensor import Tensor, as_tensor, axis_args

__all__ = ["dim_of", "jacobian_product", "log_softmax", "logsumexp", "one_hot"]


def dim_of(op: str, x: Any, axis: Any) -> Any:
    """The axis of a softmax (the last when None), or PyTorch's error where x has none such."""
    n = max(np.ndim(x.data if isinstance(x, Tensor) else x), 1)  # (a 0-d x: dims -1 and 0)
    if isinstance(axis, (int, np.integer)) and not -n <= axis < n:
        raise dim_error(op, axis, np.shape(x.data if isinstance(x, Tensor) else x))
    return -1 if axis is None else axis


def log_softmax(x: Any, axis: int | None = None, *, dim: int | None = None) -> Tensor:
    """log softmax(z)_i = z_i - log sum_j e^{z_j} along ``axis`` (``dim``; the last axis by
    default), stable for any z.

    Backward: dL/dz = g - softmax(z) * sum_j g_j.
    """
    x = as_tensor(x)
    axis = dim_of("log_softmax", x, axis_args("log_softmax", axis, dim)[0])
    z = x.data
    out = z - (np.max if z.size else np.sum)(z, axis=axis, keepdims=True)  # (sum: empty, checked)
    if out.size:  # (z - m) - log sum e^(z - m): no m added back, subtracted
        out -= np.log(np.sum(np.exp(out), axis=axis, keepdims=True))

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        return (g - np.exp(out) * np.sum(g, axis=axis, keepdims=True),)

    return Tensor.from_op(out, "log_softmax", (x,), backward)


def logsumexp(z: Any, axis: int = -1) -> Any:
    """log sum_j e^{z_j} along ``axis`` (kept as a size-1 axis), shifted by max(z): finite
    for any finite z, inf where z holds inf, -inf where all are -inf or the axis is empty.
    A Tensor gives its graph node, ``z.logsumexp(axis, keepdim=True)`` (glassnet.ops')."""
    if isinstance(z, Tensor):
        return z.logsumexp(tuple(range(z.ndim)) if axis is None else axis, keepdim=True)
    if not z.size:  # (in z's float type: an integer z's logsumexp is a float, as NumPy's log)
        return np.full(np.sum(z, axis=axis, keepdims=True).shape, -np.inf, np.result_type(z, 1.0))
    m = np.where(np.isfinite(m := np.max(z, axis=axis, keepdims=True)), m, 0)  # (±inf: 0)
    with np.errstate(divide="ignore", over="ignore"):  # (log 0: -inf; e^inf: inf)
        return m + np.log(np.sum(np.exp(z - m), axis=axis, keepdims=True))


def one_hot(labels: Any, num_classes: int | None = None, dtype: Any = np.float32) -> np.ndarray:
    """One-hot encode integer labels: shape (N,) -> (N, C) with a single 1 per row.

    >>> one_hot([0, 2, 1], 3)
    array([[1., 0., 0.],
           [0., 0., 1.],
           [0., 1., 0.]], dtype=float32)
    """
    y, c = class_labels("one_hot", asarray(unmasked(labels, "labels", "one_hot")), num_classes)
    out = np.zeros((y.shape[0], c), dtype=dtype)
    out[np.arange(y.shape[0]), y] = 1
    return out


def jacobian_product(
    grad: Any, name: str, g: Any, z: Any, a: Any, ax: int, kw: dict, most: int
) -> np.ndarray:
    """dL/dz = sum_i g_i J_ij along the axis ``ax`` for the vector activation ``name`` whose
    ``grad(z, a)`` returns its Jacobian J (``Activation.backward``): z, a and g moved to
    (rows, C), J made a few rows at a time so that it holds at most ``most`` bytes
    (``functional.JACOBIAN_BYTES``), each J refused unless of shape (rows, C, C) or (1, C, C)."""
    g, z, a = (np.moveaxis(v, ax, -1) for v in (g, z, a))
    C, lead = a.shape[-1], a.shape[:-1]
    g, z, a = (v.reshape(int(np.prod(lead)), C) for v in (g, z, a))
    rows, out = max(1, most // (8 * C * C or 1)), []  # (J's rows at a time)
    for i in range(0, max(len(a), 1), rows):
        J, b = grad(z[i : i + rows], a[i : i + rows], **kw), g[i : i + rows]
        if getattr(J, "shape", None) not in ((len(b), C, C), (1, C, C)):
            raise ValueError(functional_message("jacobian", name=name, J=J, g=b.shape))
        out.append(np.einsum("ni,nij->nj", b, J))
    return np.moveaxis(np.concatenate(out).reshape(*lead, C), -1, ax)
