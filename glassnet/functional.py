"""Differentiable functions: the lecture's activations, losses and the linear layer.

Each activation ``g`` sits beside its derivative ``g'``: the pair is both the
fast fused backward (``dL/dz = dL/da * g'(z)``, one graph node instead of
several) and what :mod:`glassnet.explain` prints as the weight of an edge in the
reversed graph. The table :data:`ACTIVATIONS` maps names to them; the layers, the
estimators and the command line all look activations up there.

>>> import numpy as np, glassnet as gn
>>> from glassnet import functional as F
>>> z = gn.Tensor(np.array([-6.0, -2.0, 2.0]), requires_grad=True)
>>> np.round(F.sigmoid(z).numpy(), 3)          # the slide's XNOR hidden values
array([0.002, 0.119, 0.881])
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .tensor import Tensor, as_tensor

__all__ = [
    "Activation",
    "ACTIVATIONS",
    "get_activation",
    "sigmoid",
    "tanh",
    "relu",
    "leaky_relu",
    "identity",
    "softmax",
    "log_softmax",
    "activation",
    "linear",
    "dropout",
    "mse",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "one_hot",
    "LOSSES",
    "get_loss",
]


# ---------------------------------------------------------------- activations
# Each g(z) works on NumPy arrays; each g'(z, a) receives z and a = g(z) (computing
# from a is cheaper where possible: sigmoid' = a(1 - a), tanh' = 1 - a^2).


def sigmoid_fn(z: np.ndarray) -> np.ndarray:
    """sigma(z) = 1 / (1 + e^-z), computed as (1 + tanh(z / 2)) / 2.

    The tanh form is the same function, never overflows (z = -1e4 gives 0, not a
    warning) and costs one transcendental call. Its absolute error is one ulp;
    for z < -17 in float32 (-37 in float64) it returns exactly 0.
    """
    a = np.tanh(z * 0.5)
    a += 1.0
    a *= 0.5
    return a


def sigmoid_grad(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    """sigma'(z) = sigma(z) (1 - sigma(z))."""
    return a * (1.0 - a)


def tanh_fn(z: np.ndarray) -> np.ndarray:
    """tanh(z) = (e^z - e^-z) / (e^z + e^-z)."""
    return np.tanh(z)


def tanh_grad(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    """tanh'(z) = 1 - tanh(z)^2."""
    return 1.0 - a * a


def relu_fn(z: np.ndarray) -> np.ndarray:
    """ReLU(z) = max(0, z)."""
    return np.maximum(z, 0)


def relu_grad(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    """ReLU'(z) = 1 if z > 0 else 0 (0 at z = 0, as in PyTorch and scikit-learn)."""
    return (z > 0).astype(z.dtype)


def identity_fn(z: np.ndarray) -> np.ndarray:
    """g(z) = z."""
    return z


def identity_grad(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    """g'(z) = 1."""
    return np.ones_like(z)


def leaky_relu_fn(z: np.ndarray, alpha: float = 0.01) -> np.ndarray:
    """LeakyReLU(z) = max(alpha z, z) for 0 <= alpha < 1."""
    return np.where(z > 0, z, z * alpha)


def leaky_relu_grad(z: np.ndarray, a: np.ndarray, alpha: float = 0.01) -> np.ndarray:
    """LeakyReLU'(z) = 1 if z > 0 else alpha."""
    return np.where(z > 0, 1.0, alpha).astype(z.dtype)


def softmax_fn(z: np.ndarray, axis: int = -1) -> np.ndarray:
    """softmax(z)_i = e^{z_i} / sum_j e^{z_j}, shifted by max(z) so no exp overflows."""
    e = z - np.max(z, axis=axis, keepdims=True)
    np.exp(e, out=e)
    e /= np.sum(e, axis=axis, keepdims=True)
    return e


def softmax_jacobian(s: np.ndarray) -> np.ndarray:
    """d softmax_i / d z_j = s_i (delta_ij - s_j): shape (..., C, C) for s of shape (..., C)."""
    return s[..., :, None] * (np.eye(s.shape[-1], dtype=s.dtype) - s[..., None, :])


@dataclass(frozen=True)
class Activation:
    """An activation function g beside its derivative g'.

    ``fn(z) -> a`` and ``grad(z, a) -> g'(z)`` act on NumPy arrays. ``formula``
    and ``derivative`` are the lecture's notation, used by explanations.
    ``elementwise`` is False only for softmax (its derivative is a Jacobian).
    """

    name: str
    fn: Callable[..., np.ndarray]
    grad: Callable[..., np.ndarray]
    formula: str
    derivative: str
    elementwise: bool = True


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation("sigmoid", sigmoid_fn, sigmoid_grad, "1 / (1 + e^-z)", "g(z) (1 - g(z))"),
    "tanh": Activation("tanh", tanh_fn, tanh_grad, "(e^z - e^-z) / (e^z + e^-z)", "1 - g(z)^2"),
    "relu": Activation("relu", relu_fn, relu_grad, "max(0, z)", "1 if z > 0 else 0"),
    "leaky_relu": Activation(
        "leaky_relu", leaky_relu_fn, leaky_relu_grad, "max(a z, z)", "1 if z > 0 else a"
    ),
    "identity": Activation("identity", identity_fn, identity_grad, "z", "1"),
    "softmax": Activation(
        "softmax",
        softmax_fn,
        lambda z, a: softmax_jacobian(a),
        "e^{z_i} / sum_j e^{z_j}",
        "g_i (delta_ij - g_j)",
        elementwise=False,
    ),
}
# scikit-learn's and common spellings of the same functions
_ALIASES = {
    "logistic": "sigmoid",
    "linear": "identity",
    "none": "identity",
    "leakyrelu": "leaky_relu",
    "leaky-relu": "leaky_relu",
}


def get_activation(name: str) -> Activation:
    """Look up an activation by name (``'sigmoid'``, ``'logistic'``, ``'relu'``, ...)."""
    if not isinstance(name, str):
        raise TypeError(f"An activation name must be a string. Got {name!r}.")
    key = _ALIASES.get(name.lower(), name.lower())
    if key not in ACTIVATIONS:
        valid = ", ".join(sorted(set(ACTIVATIONS) | set(_ALIASES)))
        raise ValueError(f"Unknown activation {name!r}. Valid names: {valid}.")
    return ACTIVATIONS[key]


def _elementwise(x: Any, name: str, **kw: Any) -> Tensor:
    x = as_tensor(x)
    act = ACTIVATIONS[name]
    z = x.data
    a = act.fn(z, **kw)
    return Tensor._make(a, name, (x,), lambda g: (g * act.grad(z, a, **kw),))


def sigmoid(x: Any) -> Tensor:
    """a = sigma(z) = 1 / (1 + e^-z), elementwise; any shape. Backward: g * a (1 - a)."""
    return _elementwise(x, "sigmoid")


def tanh(x: Any) -> Tensor:
    """a = tanh(z), elementwise; any shape. Backward: g * (1 - a^2)."""
    return _elementwise(x, "tanh")


def relu(x: Any) -> Tensor:
    """a = max(0, z), elementwise; any shape. Backward: g * [z > 0]."""
    return _elementwise(x, "relu")


def leaky_relu(x: Any, alpha: float = 0.01) -> Tensor:
    """a = max(alpha z, z), elementwise; any shape. Backward: g * (1 if z > 0 else alpha)."""
    if not (isinstance(alpha, (int, float)) and 0 <= alpha < 1):
        raise ValueError(f"The 'alpha' parameter of leaky_relu must be in [0, 1). Got {alpha!r}.")
    return _elementwise(x, "leaky_relu", alpha=float(alpha))


def identity(x: Any) -> Tensor:
    """a = z (the linear-regression output). Returns the same tensor."""
    return as_tensor(x)


def softmax(x: Any, axis: int = -1) -> Tensor:
    """a_i = e^{z_i} / sum_j e^{z_j} along ``axis``; X of shape (N, C) -> (N, C).

    Backward (fused Jacobian-vector product): dL/dz = a * (g - sum_j g_j a_j).
    """
    x = as_tensor(x)
    s = softmax_fn(x.data, axis=axis)
    return Tensor._make(
        s, "softmax", (x,), lambda g: (s * (g - np.sum(g * s, axis=axis, keepdims=True)),)
    )


def _logsumexp(z: np.ndarray, axis: int) -> np.ndarray:
    m = np.max(z, axis=axis, keepdims=True)
    return m + np.log(np.sum(np.exp(z - m), axis=axis, keepdims=True))


def log_softmax(x: Any, axis: int = -1) -> Tensor:
    """log softmax(z)_i = z_i - log sum_j e^{z_j}, stable for any z.

    Backward: dL/dz = g - softmax(z) * sum_j g_j.
    """
    x = as_tensor(x)
    out = x.data - _logsumexp(x.data, axis)

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        return (g - np.exp(out) * np.sum(g, axis=axis, keepdims=True),)

    return Tensor._make(out, "log_softmax", (x,), backward)


def activation(x: Any, name: str, **kw: Any) -> Tensor:
    """Apply the activation called ``name`` (see :data:`ACTIVATIONS`)."""
    act = get_activation(name)
    if act.name == "identity":
        return as_tensor(x)
    if act.name == "softmax":
        return softmax(x, **kw)
    return _elementwise(x, act.name, **kw)


def linear(x: Any, W: Tensor, b: Tensor | None = None) -> Tensor:
    """Z = X @ W + b, the fully-connected layer as one graph node.

    X : (N, inputs), W : (inputs, neurons) (column i holds neuron i's weights),
    b : (neurons,) -> Z : (N, neurons).
    Backward: dL/dX = G Wᵀ, dL/dW = Xᵀ G, dL/db = sum over rows of G.
    """
    x = as_tensor(x)
    X, Wd = x.data, W.data
    if X.ndim != 2 or X.shape[1] != Wd.shape[0]:
        raise ValueError(
            f"op 'linear': input of shape {X.shape} does not fit weights of shape {Wd.shape}; "
            f"the layer expects inputs of shape (N, {Wd.shape[0]})."
        )
    Z = X @ Wd
    if b is not None:
        Z += b.data
        parents: tuple[Tensor, ...] = (x, W, b)
    else:
        parents = (x, W)

    def backward(g: np.ndarray) -> tuple[np.ndarray | None, ...]:
        gx = g @ Wd.T if x.requires_grad else None
        gw = X.T @ g if W.requires_grad else None
        if b is None:
            return gx, gw
        return gx, gw, g.sum(axis=0)

    return Tensor._make(Z, "linear", parents, backward)


def dropout(x: Any, p: float, rng: np.random.Generator, training: bool = True) -> Tensor:
    """Zero each value with probability p and scale the rest by 1 / (1 - p) (inverted dropout)."""
    if isinstance(p, bool) or not (isinstance(p, (int, float)) and 0 <= p < 1):
        raise ValueError(f"The 'p' parameter of dropout must be in [0, 1). Got {p!r}.")
    x = as_tensor(x)
    if not training or p == 0:
        return x
    keep = (rng.random(x.shape) >= p).astype(x.dtype) / (1.0 - p)
    return Tensor._make(x.data * keep, "dropout", (x,), lambda g: (g * keep,))


# ---------------------------------------------------------------------- losses


def _target_array(target: Any, like: np.ndarray, name: str) -> np.ndarray:
    t = np.asarray(target.data if isinstance(target, Tensor) else target)
    if t.dtype.kind not in "biuf":
        raise TypeError(f"{name}: the target must be numeric. Got dtype {t.dtype}.")
    return t.astype(like.dtype, copy=False)


def _check_same_shape(op: str, pred: np.ndarray, target: np.ndarray) -> None:
    if pred.shape != target.shape:
        raise ValueError(
            f"op {op!r}: prediction of shape {pred.shape} and target of shape {target.shape} "
            "differ; reshape the target (e.g. y.reshape(-1, 1) for one output)."
        )


def _reduce(
    op: str,
    x: Tensor,
    per: np.ndarray,
    dper: np.ndarray,
    reduction: str,
    sample_weight: Any = None,
) -> Tensor:
    """Reduce per-sample (or per-element) losses ``per`` whose local gradients are ``dper``.

    'mean' divides by the number of entries of ``per``; 'sum' adds them; 'none' keeps them.
    ``sample_weight`` (shape (N,)) scales each row's loss; 'mean' still divides by N.
    """
    if sample_weight is not None:
        w = np.asarray(sample_weight, dtype=per.dtype)
        if w.shape != (per.shape[0],):
            raise ValueError(
                f"op {op!r}: sample_weight has shape {w.shape}; expected ({per.shape[0]},)."
            )
        wper = w.reshape((-1,) + (1,) * (per.ndim - 1))
        per = per * wper
        dper = dper * wper.reshape((-1,) + (1,) * (dper.ndim - 1))
    if reduction == "mean":
        scale = 1.0 / max(per.size, 1)
        value = np.asarray(per.sum() * scale, dtype=x.dtype)
        return Tensor._make(value, op, (x,), lambda g: (dper * (g * scale),))
    if reduction == "sum":
        return Tensor._make(np.asarray(per.sum(), dtype=x.dtype), op, (x,), lambda g: (dper * g,))
    if reduction == "none":
        extra = dper.ndim - per.ndim

        def backward(g: np.ndarray) -> tuple[np.ndarray]:
            return (dper * g.reshape(g.shape + (1,) * extra),)

        return Tensor._make(per, op, (x,), backward)
    raise ValueError(
        f"The 'reduction' parameter of {op} must be 'mean', 'sum' or 'none'. Got {reduction!r}."
    )


def mse(
    pred: Any,
    target: Any,
    reduction: str = "mean",
    half: bool = False,
    sample_weight: Any = None,
) -> Tensor:
    """Mean squared error: L = mean((y_hat - y)^2); with ``half=True`` the lecture's
    L = 1/2 (y_hat - y)^2, whose derivative is dL/dy_hat = y_hat - y.

    pred, target : arrays of the same shape, e.g. (N,) or (N, K). 'mean' averages
    over every entry (N * K), as PyTorch's ``MSELoss`` does.
    """
    x = as_tensor(pred)
    y = _target_array(target, x.data, "mse")
    _check_same_shape("mse", x.data, y)
    diff = x.data - y
    c = 0.5 if half else 1.0
    return _reduce("mse", x, c * diff * diff, (2.0 * c) * diff, reduction, sample_weight)


def _prob_eps(dtype: np.dtype) -> float:
    return float(np.finfo(dtype).eps)


def binary_cross_entropy(
    prob: Any, target: Any, reduction: str = "mean", sample_weight: Any = None
) -> Tensor:
    """L = -(y log p + (1 - y) log(1 - p)) on probabilities p in [0, 1].

    p is clipped to [eps, 1 - eps] (eps the dtype's machine epsilon) so that a
    saturated sigmoid gives a large finite loss, not inf. Prefer
    :func:`binary_cross_entropy_with_logits`, which needs no clipping.
    """
    x = as_tensor(prob)
    y = _target_array(target, x.data, "binary_cross_entropy")
    _check_same_shape("binary_cross_entropy", x.data, y)
    if not np.all((x.data >= 0) & (x.data <= 1)):  # also catches NaN
        raise ValueError(
            "op 'binary_cross_entropy': probabilities must lie in [0, 1]. Got values from "
            f"{x.data.min()} to {x.data.max()}; for raw scores (logits) use "
            "binary_cross_entropy_with_logits."
        )
    eps = _prob_eps(x.dtype)
    p = np.clip(x.data, eps, 1 - eps)
    per = -(y * np.log(p) + (1 - y) * np.log1p(-p))
    dper = (p - y) / (p * (1 - p))
    return _reduce("binary_cross_entropy", x, per, dper, reduction, sample_weight)


def binary_cross_entropy_with_logits(
    logits: Any, target: Any, reduction: str = "mean", sample_weight: Any = None
) -> Tensor:
    """L = -(y log sigma(z) + (1 - y) log(1 - sigma(z))) from logits z, computed stably as
    max(z, 0) - z y + log(1 + e^-|z|). Backward: dL/dz = sigma(z) - y.
    """
    x = as_tensor(logits)
    z = x.data
    y = _target_array(target, z, "binary_cross_entropy_with_logits")
    _check_same_shape("binary_cross_entropy_with_logits", z, y)
    per = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))
    dper = sigmoid_fn(z) - y
    return _reduce("binary_cross_entropy_with_logits", x, per, dper, reduction, sample_weight)


def cross_entropy(
    logits: Any, target: Any, reduction: str = "mean", sample_weight: Any = None
) -> Tensor:
    """Softmax cross-entropy from logits Z of shape (N, C).

    L_n = -sum_i y_{n,i} log softmax(z_n)_i. ``target`` is either integer class
    labels of shape (N,) in [0, C) or one-hot / probability rows of shape (N, C).
    Backward: dL/dz_n = softmax(z_n) - y_n (fused; no Jacobian is formed).
    """
    x = as_tensor(logits)
    z = x.data
    if z.ndim != 2:
        raise ValueError(f"op 'cross_entropy': logits must have shape (N, C). Got shape {z.shape}.")
    n, c = z.shape
    t = np.asarray(target.data if isinstance(target, Tensor) else target)
    logp = z - _logsumexp(z, axis=1)
    p = np.exp(logp)
    if t.ndim == 1:
        if t.dtype.kind == "b":
            t = t.astype(np.int64)  # a bool array would index as a mask
        if t.dtype.kind not in "iu":
            if t.dtype.kind == "f" and np.all(t == np.round(t)):
                t = t.astype(np.int64)
            else:
                raise TypeError(
                    "cross_entropy: 1-D targets must be integer class labels. "
                    f"Got dtype {t.dtype}; use one_hot(...) for probability targets."
                )
        if t.shape[0] != n:
            raise ValueError(
                f"op 'cross_entropy': logits of shape {z.shape} but labels of shape {t.shape}; "
                "pass one label per row."
            )
        if n and (t.min() < 0 or t.max() >= c):
            raise ValueError(
                f"cross_entropy: labels must lie in [0, {c - 1}] for {c} classes. "
                f"Got labels from {t.min()} to {t.max()}."
            )
        rows = np.arange(n)
        per = -logp[rows, t]
        dper = p
        dper[rows, t] -= 1.0
    else:
        t = t.astype(z.dtype, copy=False)
        _check_same_shape("cross_entropy", z, t)
        per = -np.sum(t * logp, axis=1)
        dper = p * t.sum(axis=1, keepdims=True) - t
    return _reduce("cross_entropy", x, per, dper, reduction, sample_weight)


def one_hot(labels: Any, num_classes: int | None = None, dtype: Any = np.float32) -> np.ndarray:
    """One-hot encode integer labels: shape (N,) -> (N, C) with a single 1 per row.

    >>> one_hot([0, 2, 1], 3)
    array([[1., 0., 0.],
           [0., 0., 1.],
           [0., 1., 0.]], dtype=float32)
    """
    y = np.asarray(labels)
    if y.ndim != 1:
        raise ValueError(f"one_hot: labels must be 1-D. Got shape {y.shape}.")
    if y.dtype.kind == "f" and np.all(y == np.round(y)):
        y = y.astype(np.int64)
    if y.dtype.kind not in "iub":
        raise TypeError(
            f"one_hot: labels must be integers 0..C-1. Got dtype {y.dtype}; "
            "encode string labels first (glassnet.preprocessing.LabelEncoder)."
        )
    if y.size and y.min() < 0:
        raise ValueError(f"one_hot: labels must be >= 0. Got {y.min()}.")
    c = int(y.max()) + 1 if num_classes is None and y.size else int(num_classes or 0)
    if y.size and y.max() >= c:
        raise ValueError(
            f"one_hot: label {y.max()} does not fit num_classes={c}; labels must be < num_classes."
        )
    out = np.zeros((y.shape[0], c), dtype=dtype)
    out[np.arange(y.shape[0]), y] = 1
    return out


LOSSES: dict[str, Callable[..., Tensor]] = {
    "mse": mse,
    "binary_cross_entropy": binary_cross_entropy,
    "binary_cross_entropy_with_logits": binary_cross_entropy_with_logits,
    "cross_entropy": cross_entropy,
}
_LOSS_ALIASES = {
    "squared_error": "mse",
    "bce": "binary_cross_entropy",
    "log_loss": "cross_entropy",
    "ce": "cross_entropy",
}


def get_loss(name: str) -> Callable[..., Tensor]:
    """Look up a loss function by name (see :data:`LOSSES`)."""
    key = _LOSS_ALIASES.get(name, name) if isinstance(name, str) else name
    if key not in LOSSES:
        raise ValueError(f"Unknown loss {name!r}. Valid names: {', '.join(sorted(LOSSES))}.")
    return LOSSES[key]
