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

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

import numpy as np

from ._validation import (
    check_finite,
    check_number,
    class_labels,
    dim_error,
    dropout_rng,
    functional_message,
    unit_target,
    unmasked,
    width_error,
)
from .backend import asarray, device_of, is_array, kept
from .gradient import bias_sum, loss_sum, masked
from .loss_checks import (
    CHECKED,  # noqa: F401 (F.CHECKED, train.graph_step's switch, where it was)
    check_probabilities,
    check_reduction,
    check_target_array,
    check_unsquashed,
    fixed_target,
    row_weights,
    squashed_by,
    target_in,
)
from .tensor import Tensor, as_tensor, axis_args

# fmt: off
__all__ = [
    "Activation", "ACTIVATIONS", "get_activation", "sigmoid", "tanh", "relu", "leaky_relu",
    "identity", "softmax", "log_softmax", "activation", "linear", "dropout", "mse", "half_mse",
    "loss_node", "check_logits", "squashed", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "cross_entropy", "one_hot",
    "LOSSES", "get_loss", "Loss", "LOSS_ALIASES", "logsumexp", "INPLACE", "check_target",
    "replaced_entry",
]
# fmt: on


# ---------------------------------------------------------------- activations
# Each g(z) works on NumPy arrays; each g'(z, a) receives z and a = g(z). Every built-in
# derivative reads a only (sigmoid' = a(1 - a), tanh' = 1 - a^2, ReLU' = [a > 0]), which is
# what lets the fast path apply activations in place and keep no copy of z.


def sigmoid_fn(z: np.ndarray) -> np.ndarray:
    """sigma(z) = 1 / (1 + e^-z), computed as (1 + tanh(z / 2)) / 2.

    The tanh form is the same function, never overflows (z = -1e4 gives 0, not a
    warning) and costs one transcendental call. Its absolute error is one ulp: below
    z = -17.3 in float32 it returns 2^-25, and 0 below about -20 (where exactly depends on
    the CPU's float32 tanh); in float64 2^-54, and 0 below -38. It is the fast path's
    in-place form too, so the graph, the fast path, explain and the playground give the
    same bits; a form accurate relative to tiny values (e^z / (1 + e^z)) costs the fast
    path twice the calls. A log of a probability far below 0 is the losses' on logits
    (``binary_cross_entropy_with_logits``, ``cross_entropy``), which never form sigma(z).
    """
    return _sigmoid_(np.empty_like(z, dtype=np.result_type(z, 0.5)), z)  # (a new array)


def _constants(*values: float) -> Callable[[Any], tuple[Any, ...]]:
    """``f(A)``: ``values`` for ufuncs on A, as read-only 0-d arrays of A's dtype on NumPy
    (a ufunc takes one for about half the instructions of a Python float, which it casts to
    the array's dtype: the same number), as the floats on CuPy and other dtypes."""
    # (np.broadcast_to to no new axes: a read-only view of each 0-d array)
    consts = {c: tuple(np.broadcast_to(np.array(v, c), ()) for v in values) for c in "fd"}
    return lambda A: consts.get(A.dtype.char, values) if type(A) is np.ndarray else values


_half_one = _constants(0.5, 1.0)


def _sigmoid_(A: np.ndarray, Z: np.ndarray | None = None) -> np.ndarray:
    """In place: A holds z (or z is Z, of A's shape) and becomes (1 + tanh(z / 2)) / 2."""
    half, one = _half_one(A)
    np.multiply(A if Z is None else Z, half, out=A)  # (from Z: no copy of it into A first)
    np.tanh(A, out=A)
    A += one
    A *= half
    return A


def sigmoid_grad(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    """sigma'(z) = sigma(z) (1 - sigma(z))."""
    d = np.subtract(1.0, a)  # one new array, written in place: a large one costs page faults
    return np.multiply(d, a, out=d if is_array(d) else None)  # (a scalar: a new scalar)


def tanh_fn(z: np.ndarray) -> np.ndarray:
    """tanh(z) = (e^z - e^-z) / (e^z + e^-z)."""
    return np.tanh(z)


def tanh_grad(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    """tanh'(z) = 1 - tanh(z)^2."""
    d = np.multiply(a, a)
    return np.subtract(1.0, d, out=d if is_array(d) else None)


def relu_fn(z: np.ndarray) -> np.ndarray:
    """ReLU(z) = max(0, z)."""
    return np.maximum(z, 0)


def relu_grad(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    """ReLU'(z) = 1 if z > 0 else 0 (0 at z = 0, as in PyTorch and scikit-learn); a ≠ 0
    exactly when z > 0, or z is NaN: there the gradient passes, as PyTorch's (whose gate is
    z <= 0), so that a NaN forward shows in the gradient rather than as 0."""
    return (a != 0).astype(a.dtype)


def identity_fn(z: np.ndarray) -> np.ndarray:
    """g(z) = z."""
    return z


def identity_grad(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    """g'(z) = 1."""
    return np.ones_like(a)


def leaky_relu_fn(z: np.ndarray, alpha: float = 0.01) -> np.ndarray:
    """LeakyReLU(z) = z if z > 0 else alpha z (PyTorch's): max(alpha z, z) for alpha <= 1,
    else the min; at alpha 0, z itself where z > 0 (max(inf, 0 inf) would be NaN)."""
    if alpha == 0:  # (-0.0 too; 0 * -inf is NaN, as PyTorch's, without NumPy's warning)
        with np.errstate(invalid="ignore"):
            return np.where(np.greater(z, 0), z, np.multiply(z, alpha))
    a = np.multiply(z, alpha)
    return (np.maximum if alpha <= 1 else np.minimum)(z, a, out=a if is_array(a) else None)


def leaky_relu_grad(z: np.ndarray, a: np.ndarray, alpha: float = 0.01) -> np.ndarray:
    """LeakyReLU'(z) = 1 if z > 0 else alpha. For 0 <= alpha <= 1 (+0.0: a > 0 exactly
    when z > 0), [a > 0] then its max with alpha; any other slope (-0.0 too, whose sign
    PyTorch's gradient keeps) alpha, with 1 written where z > 0."""
    if 0 < alpha <= 1 or (alpha == 0 and not np.signbit(alpha)):
        d = np.greater(a, 0, out=np.empty_like(a))  # 1 or 0, then 1 or alpha, in a's dtype
        return np.maximum(d, a.dtype.type(alpha), out=d)
    d = np.full_like(a, alpha)
    np.copyto(d, 1, where=np.greater(z, 0))
    return d


def softmax_fn(z: np.ndarray, axis: int = -1) -> np.ndarray:
    """softmax(z)_i = e^{z_i} / sum_j e^{z_j}, shifted by max(z) so no exp overflows."""
    if not z.ndim:  # one value (its softmax is 1, NaN at ±inf); NumPy's max of it is no array
        return softmax_fn(z.reshape(1), axis).reshape(())
    e = z - (np.max if z.size else np.sum)(z, axis=axis, keepdims=True)  # (sum: empty, checked)
    np.exp(e, out=e)
    e /= np.sum(e, axis=axis, keepdims=True)
    return e


def softmax_jac(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    """The Jacobian d softmax_i / d z_j = a_i (delta_ij - a_j): shape (..., C, C) for a of
    shape (..., C)."""
    return a[..., :, None] * (np.eye(a.shape[-1], dtype=a.dtype) - a[..., None, :])


def logsumexp(z: Any, axis: int = -1) -> Any:
    """log sum_j e^{z_j} along ``axis`` (kept as a size-1 axis), shifted by max(z): finite
    for any finite z, inf where z holds inf, -inf where all are -inf or the axis is empty.
    A Tensor gives its graph node, ``z.logsumexp(axis, keepdim=True)`` (glassnet.ops')."""
    if isinstance(z, Tensor):
        return z.logsumexp(tuple(range(z.ndim)) if axis is None else axis, keepdim=True)
    # the shift m: the max, 0 where it is ±inf, and 0 for an empty z (NumPy's max refuses one;
    # then log of the sum of no values, -inf)
    m = (np.max if z.size else np.sum)(z, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)
    with np.errstate(divide="ignore", over="ignore"):  # (log 0: -inf; e^inf: inf)
        return m + np.log(np.sum(np.exp(z - m), axis=axis, keepdims=True))


# the most bytes of a vector activation's Jacobian held at once (8 a number): rows in blocks
JACOBIAN_BYTES = 64 * 2**20


@dataclass(frozen=True)
class Activation:
    """An activation function g beside its derivative g'.

    ``fn(z) -> a`` and ``grad(z, a) -> g'(z)`` act on NumPy arrays (leaky ReLU takes
    ``alpha=`` too). ``formula`` and ``derivative`` are the lecture's notation, used by
    explanations. ``elementwise=False`` marks a vector activation (softmax): ``fn(z,
    axis=-1)`` works along ``axis``, and ``grad(z, a)`` receives z and a with that axis
    moved last, shape (..., C), and returns the Jacobian ``J[..., i, j] = d a_i / d z_j``,
    shape (..., C, C) (``softmax_jac``); the backward contracts it with dL/da (softmax's
    own entry by its Jacobian-vector product, never forming J). Any other ``grad`` costs
    C times the memory and work of softmax's: O(N C^2) for N rows, a few rows at a time
    so that J holds at most ``JACOBIAN_BYTES`` (64 MiB; more while ``grad`` makes its own
    temporaries, two J's for ``softmax_jac``), z and a given as (rows, C) blocks.
    """

    name: str
    fn: Callable[..., np.ndarray]
    grad: Callable[..., np.ndarray]
    formula: str
    derivative: str
    elementwise: bool = True

    def backward(self, g: np.ndarray, z: np.ndarray, a: np.ndarray, **kw: Any) -> np.ndarray:
        """dL/dz from dL/da = g: ``g * g'(z)``; for a vector activation ``sum_i g_i J_ij``
        along ``axis``, for softmax's Jacobian the product ``a * (g - sum_j g_j a_j)``."""
        if self.elementwise:
            d = self.grad(z, a, **kw)
            if (self.fn, self.grad) not in INPLACE or d.dtype != g.dtype:
                return g * d
            if self.grad is relu_grad:  # a gate, as PyTorch's: 0 where the unit is off, where
                return masked(g, d, out=d if is_array(d) else None)  # an inf g times 0 is NaN
            d *= g  # a built-in g' returns a new array of a's shape: multiplied in place
            return d
        ax = kw.pop("axis", -1)
        if self.grad is softmax_jac:  # (J itself: C times the memory and work)
            return a * (g - np.sum(g * a, axis=ax, keepdims=True))
        lead, C = np.moveaxis(a, ax, -1).shape[:-1], a.shape[ax]  # each as (rows, C): ax last
        g, z, a = (np.moveaxis(v, ax, -1).reshape(int(np.prod(lead)), C) for v in (g, z, a))
        rows, out = max(1, JACOBIAN_BYTES // (8 * C * C or 1)), []  # (J's rows at a time)
        for i in range(0, max(len(a), 1), rows):
            J, b = self.grad(z[i : i + rows], a[i : i + rows], **kw), g[i : i + rows]
            if getattr(J, "shape", None) not in ((len(b), C, C), (1, C, C)):
                raise ValueError(functional_message("jacobian", name=self.name, J=J, g=b.shape))
            out.append(np.einsum("ni,nij->nj", b, J))
        return np.moveaxis(np.concatenate(out).reshape(*lead, C), -1, ax)


# fmt: off
ACTIVATIONS: dict[str, Activation] = {act.name: act for act in (
    Activation("sigmoid", sigmoid_fn, sigmoid_grad, "1 / (1 + e^-z)", "g(z) (1 - g(z))"),
    Activation("tanh", tanh_fn, tanh_grad, "(e^z - e^-z) / (e^z + e^-z)", "1 - g(z)^2"),
    Activation("relu", relu_fn, relu_grad, "max(0, z)", "1 if z > 0 else 0"),
    Activation("leaky_relu", leaky_relu_fn, leaky_relu_grad, "z if z > 0 else a z",
               "1 if z > 0 else a"),
    Activation("identity", identity_fn, identity_grad, "z", "1"),
    Activation("softmax", softmax_fn, softmax_jac, "e^{z_i} / sum_j e^{z_j}",
               "g_i (delta_ij - g_j)", elementwise=False),
)}
# fmt: on
# scikit-learn's and common spellings of the same functions ("-" reads as "_")
_ALIASES = dict(logistic="sigmoid", linear="identity", none="identity", leakyrelu="leaky_relu")


# In-place forms of the built-in functions above, for the fast path (glassnet.fused).
# ``forward_(A, T, alpha)`` turns a buffer holding z into g(z); ``backward_(D, A, T, alpha)``
# multiplies D by g'(z) read from a = g(z); T is a scratch buffer of A's shape (bool for
# ReLU). None of them allocates, so a step made of them can be captured on a GPU
# (glassnet.capture). They are keyed by the table's functions: an entry whose fn or grad is
# replaced has none, and the fast path then calls its fn and grad, so every engine follows
# the table.
def _sigmoid_bwd(D: np.ndarray, A: np.ndarray, T: np.ndarray, alpha: float) -> None:
    np.subtract(_half_one(A)[1], A, out=T)
    T *= A
    D *= T  # D *= a (1 - a)


def _tanh_bwd(D: np.ndarray, A: np.ndarray, T: np.ndarray, alpha: float) -> None:
    np.multiply(A, A, out=T)
    np.subtract(_half_one(T)[1], T, out=T)
    D *= T  # D *= 1 - a^2


def _relu_bwd(D: np.ndarray, A: np.ndarray, T: np.ndarray, alpha: float) -> None:
    D *= np.not_equal(A, 0, out=T)  # D *= [a ≠ 0]: a > 0, or NaN (relu_grad's gate)


def _leaky_fwd(A: np.ndarray, T: np.ndarray, alpha: float) -> None:
    if alpha == 0:  # (0 · inf is NaN, and max(inf, NaN) too: z kept where z > 0, as fn's)
        with np.errstate(invalid="ignore"):
            np.multiply(A, alpha, out=T)
        return np.copyto(A, T, where=np.less_equal(A, 0))
    np.maximum(A, np.multiply(A, alpha, out=T), out=A)  # max(z, alpha z)


def _leaky_bwd(D: np.ndarray, A: np.ndarray, T: np.ndarray, alpha: float) -> None:
    D *= np.maximum(np.greater(A, 0, out=T), alpha, out=T)  # D *= 1 if a > 0 else alpha


INPLACE: dict[tuple[Callable[..., Any], Callable[..., Any]], tuple[Any, Any, Any]] = {
    # (fn, grad): (forward_(A, T, alpha), backward_(D, A, T, alpha), scratch dtype or None);
    # alpha is leaky ReLU's, which the other functions ignore (_)
    (sigmoid_fn, sigmoid_grad): (lambda A, T, _: _sigmoid_(A), _sigmoid_bwd, "f"),
    (tanh_fn, tanh_grad): (lambda A, T, _: np.tanh(A, out=A), _tanh_bwd, "f"),
    (relu_fn, relu_grad): (lambda A, T, _: np.maximum(A, 0, out=A), _relu_bwd, bool),
    (leaky_relu_fn, leaky_relu_grad): (_leaky_fwd, _leaky_bwd, "f"),
    (identity_fn, identity_grad): (lambda A, T, _: A, lambda D, A, T, _: None, None),
}


def get_activation(name: str) -> Activation:
    """Look up an activation by name (``'sigmoid'``, ``'logistic'``, ``'relu'``, ...)."""
    if not isinstance(name, str):
        raise TypeError(f"An activation name must be a string. Got {name!r}.")
    return _lookup("activation", ACTIVATIONS, _ALIASES, name)


def _lookup(what: str, table: dict, aliases: dict, name: Any) -> Any:
    """The entry of ``table`` called ``name`` in any case, "-" read as "_" (an alias read as
    the name it stands for), else a ValueError naming ``name`` and listing every valid name:
    one lookup for activations and losses."""
    key = name.lower().replace("-", "_") if isinstance(name, str) else None
    key = aliases.get(key, key)
    if key not in table:
        raise ValueError(functional_message("unknown", what=what, name=name, valid=table | aliases))
    return table[key]


def activation(x: Any, name: str, **kw: Any) -> Tensor:
    """a = g(z) for the activation called ``name`` (see :data:`ACTIVATIONS`); any shape
    (softmax along ``axis=-1`` by default). Backward: :meth:`Activation.backward`."""
    act = ACTIVATIONS[name] if name in ACTIVATIONS else get_activation(name)
    x = as_tensor(x)
    if act.fn is identity_fn and act.grad is identity_grad:
        return x
    z = x.data
    a, op = act.fn(z, **kw), name if name in ACTIVATIONS else act.name  # (op: the key, as read)
    return Tensor.from_op(a, op, (x,), lambda g: (act.backward(g, z, a, **kw),))


def sigmoid(x: Any) -> Tensor:
    """a = sigma(z) = 1 / (1 + e^-z), elementwise; any shape. Backward: g * a (1 - a)."""
    return activation(x, "sigmoid")


def tanh(x: Any) -> Tensor:
    """a = tanh(z), elementwise; any shape. Backward: g * (1 - a^2)."""
    return activation(x, "tanh")


def relu(x: Any) -> Tensor:
    """a = max(0, z), elementwise; any shape. Backward: g * [z > 0]."""
    return activation(x, "relu")


def leaky_relu(x: Any, alpha: float = 0.01) -> Tensor:
    """a = z if z > 0 else alpha z; any shape. Backward: g * (1 if z > 0 else alpha)."""
    alpha = check_number(alpha, "alpha", "leaky_relu")
    return activation(x, "leaky_relu", alpha=alpha)


def identity(x: Any) -> Tensor:
    """a = z (the linear-regression output). Returns the same tensor."""
    return as_tensor(x)


def _dim(op: str, x: Any, axis: Any) -> Any:
    """The axis of a softmax (the last when None), or PyTorch's error where x has none such."""
    n = max(np.ndim(x.data if isinstance(x, Tensor) else x), 1)  # (a 0-d x: dims -1 and 0)
    if isinstance(axis, (int, np.integer)) and not -n <= axis < n:
        raise dim_error(op, axis, np.shape(x.data if isinstance(x, Tensor) else x))
    return -1 if axis is None else axis


def softmax(x: Any, axis: int | None = None, *, dim: int | None = None) -> Tensor:
    """a_i = e^{z_i} / sum_j e^{z_j} along ``axis`` (``dim``, PyTorch's name; the last axis
    when neither is given); X of shape (N, C) -> (N, C).

    Backward (fused Jacobian-vector product): dL/dz = a * (g - sum_j g_j a_j).
    """
    axis = _dim("softmax", x, axis_args("softmax", axis, dim)[0])
    return activation(x, "softmax", axis=axis)


def log_softmax(x: Any, axis: int | None = None, *, dim: int | None = None) -> Tensor:
    """log softmax(z)_i = z_i - log sum_j e^{z_j} along ``axis`` (``dim``; the last axis by
    default), stable for any z.

    Backward: dL/dz = g - softmax(z) * sum_j g_j.
    """
    x = as_tensor(x)
    axis = _dim("log_softmax", x, axis_args("log_softmax", axis, dim)[0])
    z = x.data
    out = z - (np.max if z.size else np.sum)(z, axis=axis, keepdims=True)  # (sum: empty, checked)
    if out.size:  # (z - m) - log sum e^(z - m): no m added back, subtracted
        out -= np.log(np.sum(np.exp(out), axis=axis, keepdims=True))

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        return (g - np.exp(out) * np.sum(g, axis=axis, keepdims=True),)

    return Tensor.from_op(out, "log_softmax", (x,), backward)


# PyTorch's tensor methods x.relu(), x.softmax(dim=1), ... are the functions above: attached
# here because their mathematics is this module's table (tensor.py sits a layer below).
Tensor.relu, Tensor.tanh, Tensor.sigmoid = relu, tanh, sigmoid
Tensor.softmax, Tensor.log_softmax = softmax, log_softmax


def linear(x: Any, W: Any, b: Any = None) -> Tensor:
    """Z = X @ W + b, the fully-connected layer as one graph node.

    X : (N, inputs), W : (inputs, neurons) (column i holds neuron i's weights),
    b : (neurons,) -> Z : (N, neurons); a 1-D x of shape (inputs,) is one sample and
    gives Z : (neurons,), and X of shape (N, *, inputs) gives (N, *, neurons) (the last
    axis), as torch.nn.Linear does.
    Backward: dL/dX = G Wᵀ, dL/dW = Xᵀ G, dL/db = sum over rows of G.
    """
    x, W, b = as_tensor(x), as_tensor(W), None if b is None else as_tensor(b)  # (arrays too)
    X, Wd = x.data, W.data
    if Wd.ndim != 2 or X.ndim < 1 or X.shape[-1] != Wd.shape[0]:
        raise width_error(X.shape, Wd.shape)
    Z = X @ Wd
    if b is not None:
        Z += b.data

    def backward(g: np.ndarray) -> tuple[np.ndarray | None, ...]:
        gx = g @ Wd.T if x.requires_grad else None
        G, X2 = (g, X) if g.ndim == 2 else (g.reshape(-1, g.shape[-1]), X.reshape(-1, len(Wd)))
        # one row: an outer product (BLAS's GEMM with k = 1 is several times slower); db: a GEMV
        gw = (X2.T * G if len(G) == 1 else X2.T @ G) if W.requires_grad else None
        return (gx, gw) if b is None else (gx, gw, bias_sum(G))  # (the fast path's 1ᵀ G)

    return Tensor.from_op(Z, "linear", (x, W) if b is None else (x, W, b), backward)


def dropout(x: Any, p: float, rng: np.random.Generator, training: bool = True) -> Tensor:
    """Zero each value with probability p and scale the rest by 1 / (1 - p) (inverted dropout)."""
    p = check_number(p, "p", "dropout", low=0, high=1, high_open=True)
    x = as_tensor(x)
    if not training or p == 0:
        return x
    rng = dropout_rng(rng)  # (refuses PyTorch's order, x, p, training, in words)
    keep = asarray((rng.random(x.shape) >= p).astype(x.dtype) / (1.0 - p), like=x.data)
    return Tensor.from_op(x.data * keep, "dropout", (x,), lambda g: (g * keep,))


# ---------------------------------------------------------------------- losses
# Each loss is one object in LOSSES. Its kernel ``kernel(out, y, G, keep=None, value=True) ->
# per`` writes the unreduced dL/d(out) into the buffer G (out's shape) and returns the
# per-entry losses (out's shape; (N,) for cross-entropy), or None with ``value=False``: the
# gradient alone, for a step whose loss value is computed later from its outputs (fit's
# eager epochs, glassnet.eager). Every intermediate goes into a buffer of
# ``keep``, a dict the fast path (glassnet.fused) keeps per batch size: its buffers are made
# at the first step and reused, so later steps allocate nothing (what a step captured on a
# GPU needs, glassnet.capture). The graph functions below pass no dict: what a call returns
# is fresh, and its intermediates are the thread's scratch (kept's last argument, Z).
# loss_node applies sample weights and the reduction.


_SQUARED = {"mse": 1.0, "half_mse": 0.5}  # c of c (y_hat - y)^2, for loss_node


_TWICE = {c: _constants(2.0 * c) for c in _SQUARED.values()}


def _mse_kernel(P: Any, Y: Any, G: Any, keep: Any = None, value: bool = True, *, c: float) -> Any:
    """c (y_hat - y)^2 (LOSSES' partial of it: a module function, so a loss pickles)."""
    np.subtract(P, Y, out=G)  # y_hat - y
    per = np.multiply(G, G, out=kept(keep, "per", lambda: np.empty_like(G))) if value else None
    if value and c != 1.0:
        per *= c
    G *= _TWICE[c](G)[0]  # dL/dy_hat = 2c (y_hat - y)
    return per


def _bce_kernel(P: Any, Y: Any, G: Any, keep: dict | None = None, value: bool = True) -> Any:
    """-(y log p + (1 - y) log(1 - p)) on probabilities, p clipped to [eps, 1 - eps]."""
    eps = float(np.finfo(P.dtype).eps)
    p = np.clip(P, eps, 1 - eps)
    np.divide(p - Y, p * (1 - p), out=G)  # dL/dp
    return -(Y * np.log(p) + (1 - Y) * np.log1p(-p)) if value else None


def _bce_logits_kernel(Z: Any, Y: Any, G: Any, keep: Any = None, value: bool = True) -> Any:
    """max(z, 0) - z y + log(1 + e^-|z|), stable at any z; dL/dz = sigma(z) - y. (Not
    log(1 + e^z) - z y: for z = 15, y = 1 that subtracts 15 from 15 + 3e-7 in float32.)"""
    np.subtract(_sigmoid_(G, Z), Y, out=G)  # (sigmoid_fn's arithmetic, in G)
    if not value:
        return None
    S = kept(keep, "S", lambda: np.empty_like(Z), Z)
    per = np.maximum(Z, 0, out=kept(keep, "per", lambda: np.empty_like(Z)))
    per -= np.multiply(Z, Y, out=S)
    np.abs(Z, out=S)
    np.negative(S, out=S)
    np.exp(S, out=S)
    per += np.log1p(S, out=S)
    return per


def _ce_buffers(Z: np.ndarray, Y: np.ndarray) -> tuple:
    """The cross-entropy kernel's intermediates for logits Z (N, C) and targets Y."""
    (N, C), dt = Z.shape, Z.dtype
    labels = Y.ndim == 1
    return (
        np.empty((N, C), dt, order="F", like=Z) if C <= 32 <= N else None,  # see below
        *[np.empty((N, 1), dt, like=Z) for _ in range(4)],  # max, sum, logsumexp, sum of y
        np.empty(N, dt, like=Z),  # z_y, or sum(z y)
        np.ones((C, 1), dt, like=Z),
        np.arange(0, N * C, C, like=Y) if labels else None,  # each row's first flat index
        np.empty(N, np.intp, like=Y) if labels else None,
        None if labels else np.empty_like(Z),
    )


def _ce_kernel(Z: Any, Y: Any, G: Any, keep: Any = None, value: bool = True) -> Any:
    """-sum_i y_i log softmax(z)_i per row, from logits Z (N, C); Y holds integer labels (N,)
    or target rows (N, C). dL/dz = softmax(z) sum_i y_i - y (= p - y for one-hot rows)."""
    per = kept(keep, "per", lambda: np.empty(Z.shape[0], Z.dtype, like=Z))
    # (labels and rows keep buffers of their own)
    ZF, m, s, lse, t, r, ones, first, at, S = kept(
        keep, f"ce{Y.ndim}", lambda: _ce_buffers(Z, Y), Z
    )
    if ZF is not None:  # NumPy reduces a short last axis slowly (13x at 4096 x 10): a
        np.copyto(ZF, Z)  # column-major copy is reduced fast
    (Z if ZF is None else ZF).max(axis=1, keepdims=True, out=m)  # (the method: no wrapper)
    np.subtract(Z, m, out=G)
    np.exp(G, out=G)
    # each row's sum in an order its own C values fix: a GEMV's (G @ 1) depends on the rows
    # beside it and on BLAS's threads (fit_many's stacked rows, a one-row batch, threads=2
    # gave other last bits); einsum's does not (1 us more at 1 row, 3 at 64, 15 at 4096 x 10)
    if device_of(G) == "cpu":
        np.einsum("ij->i", G, out=s[:, 0])
    else:  # (CuPy's einsum takes no out=)
        np.matmul(G, ones, out=s)
    np.divide(G, s, out=G)  # softmax probabilities
    if Y.ndim == 1:  # at flat index i C + y_i: z_y read, 1 taken from p_y
        np.add(first, Y, out=at, casting="unsafe")  # (labels are checked: 0 <= y < C)
        if G.flags.c_contiguous:  # (G.reshape(-1) is a view of G)
            Gf = G.reshape(-1)
            np.put(Gf, at, np.subtract(np.take(Gf, at, out=r), 1.0, out=r))
        else:
            G[np.arange(len(Y), like=Y), Y] -= 1.0
    else:
        np.add.reduce(Y, axis=1, keepdims=True, out=t)  # 1 for one-hot rows
        G *= t
        G -= Y
    if not value:
        return None
    # The loss from log sum e^(z - m), never adding m back to subtract it again (float32
    # logits near -1e4 lost the loss's last 4 digits that way)
    np.log(s, out=lse)  # log sum e^(z - m), (N, 1)
    if Y.ndim == 1:
        np.subtract(m[:, 0], np.take(Z.reshape(-1), at, out=r), out=per)
        return np.add(per, lse[:, 0], out=per)  # -log p_y = (m - z_y) + log sum e^(z - m)
    # t log sum e^(z - m) - sum y (z - m), the sum from the halves z/2 - m/2: z - m itself
    # overflows where the logits span the float range (-3e38 - 3e38 is -inf; 0 (-inf) NaN)
    np.multiply(lse[:, 0], t[:, 0], out=per)
    np.subtract(np.multiply(Z, 0.5, out=S), np.multiply(m, 0.5, out=s), out=S)
    if keep is None:  # the graph's loss, on any logits: a masked class's -inf with y = 0 adds
        np.copyto(S, 0.0, where=Y == 0)  # 0, not 0 (-inf) = NaN. (The fast path's logits come
    np.multiply(S, Y, out=S)  # from a Linear layer: -inf only where fit stops as diverged)
    return np.subtract(per, np.multiply(np.add.reduce(S, axis=1, out=r), 2.0, out=r), out=per)


def _nll_kernel(P: Any, Y: Any, G: Any, keep: dict | None = None, value: bool = True) -> Any:
    """-sum_i y_i log p_i on probability rows P (N, C) and target rows Y; dL/dp = -y / p."""
    p = np.clip(P, float(np.finfo(P.dtype).eps), None)
    np.divide(-Y, p, out=G)
    return -np.add.reduce(Y * np.log(p), axis=1) if value else None


@dataclass(frozen=True)
class Loss:
    """A loss L(y_hat, y): its kernel (value and gradient, see above) and its notation.

    ``head`` names the output activation the loss is fused with: a model ending in it is
    trained on its logits z with the loss ``on_logits`` (stable, dL/dz = y_hat - y).
    ``on_probabilities`` is the same loss as a function of the head's output (what
    explanations show as dL/dy_hat). ``per_row``: the kernel gives one loss per row,
    shape (N,) (cross-entropy), not one per output entry. Calling the object calls the
    graph function.
    """

    name: str
    kernel: Callable[..., np.ndarray]
    formula: str
    fn: Callable[..., Tensor]
    head: str = ""
    on_logits: str = ""
    on_probabilities: Callable[..., np.ndarray] | None = None
    per_row: bool = False

    def __call__(self, *args: Any, **kw: Any) -> Tensor:
        return self.fn(*args, **kw)


def loss_node(name: str, x: Tensor, y: Any, reduction: str, sample_weight: Any) -> Tensor:
    """The loss ``name`` of ``x`` against the target ``y`` (of x's shape, or class labels for
    cross-entropy): the table's kernel, then sample weights and the reduction, as one graph
    node. ``y`` is taken as checked (the graph functions above check it: :func:`mse`,
    :func:`cross_entropy`): a hand-written loop's loss module that checked it already calls
    this directly.

    'mean' divides by the number of per-entry losses; 'sum' adds them; 'none' keeps them.
    ``sample_weight`` (shape (N,)) scales each row's loss; 'mean' still divides by N.
    """
    check_reduction(name, reduction)
    check_logits(name, x)
    G = np.empty_like(x.data, order="C")
    # a logit of ±inf (any logits come here): the loss's limit, 0 where y agrees (1 at +inf, 0
    # at -inf), inf elsewhere, not inf - inf or 0 (-inf) = NaN. (The fast path's logits come
    # from a Linear layer: ±inf only where fit stops as diverged.)
    inf = np.isinf(x.data) if name == "binary_cross_entropy_with_logits" else None
    inf = inf if inf is not None and inf.any() else None
    with np.errstate(invalid="ignore") if inf is not None else contextlib.nullcontext():
        per = LOSSES[name].kernel(x.data, y, G)  # per-entry losses; G holds their dL/dx
    if inf is not None:
        per[inf] = np.where(y[inf] == (x.data[inf] > 0), 0.0, np.inf)
    k = 1.0  # G's factor, applied to the backward's g first (g = 1/N for a mean)
    if name in _SQUARED and not np.isfinite(per).all():  # c d² overflowed, and 2c d may
        # have (|d| > 1.7e38 in float32) where 2c d g is finite: G holds d/2, from the halves
        G, k = np.subtract(x.data * 0.5, y * 0.5), 4.0 * _SQUARED[name]  # (d may overflow)
    if sample_weight is not None:
        w = row_weights(name, sample_weight, per)
        per = per * w.reshape((-1,) + (1,) * (per.ndim - 1))
        G = G * w.reshape((-1,) + (1,) * (G.ndim - 1))
    if reduction == "none":
        extra = (1,) * (G.ndim - per.ndim)  # cross-entropy: one loss per row of G
        return Tensor.from_op(per, name, (x,), lambda g: (_times(G, g, k, extra),))
    if reduction == "mean" and per.size == 0:
        raise ValueError(f"op {name!r}: the batch is empty; a mean over no losses has no value.")
    scale = 1.0 / per.size if reduction == "mean" else 1.0
    value = asarray(loss_sum(per) * scale, like=per, dtype=x.dtype)
    return Tensor.from_op(value, name, (x,), lambda g: (_times(G, g * scale, k),))


def _times(G: Any, g: Any, k: float, extra: tuple = ()) -> Any:
    """G g (g given one axis more for each of ``extra``); with k, G (k g) without NumPy's
    overflow warning: the squared losses' far route, whose loss, inf, has warned."""
    if k == 1.0:
        return G * g.reshape(g.shape + extra) if extra else G * g
    with np.errstate(over="ignore"):
        return G * (g * k)


def squashed(x: Tensor, head: str) -> bool:
    """Whether ``x`` is the output of ``head`` (sigmoid; softmax over its last axis, the
    classes', or another vector entry of :data:`ACTIVATIONS`: its rows lie in [0, 1] and sum
    to 1), maybe reshaped or indexed, which a loss on logits would apply a second time."""
    return squashed_by(x, head, ACTIVATIONS)


def check_logits(name: str, x: Tensor) -> None:
    """Refuse probabilities given to the loss on logits ``name`` (cross_entropy,
    binary_cross_entropy_with_logits), a vector activation's output too where its rows are
    probabilities (:func:`squashed`): it would squash them twice, in silence. (fit strips a
    model's head before it. Other vector outputs, z - mean z, log softmax: logits.)"""
    check_unsquashed(name, SQUASHES.get(name), x, ACTIVATIONS)


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
    check_target_array(who, x, y)  # (numeric, of x's shape)
    if isinstance(target, Tensor) and y.dtype.itemsize > x.dtype.itemsize and y.dtype.kind == "f":
        x = x.astype(y.dtype)  # the wider wins, as in x - target
    cast = y if y.dtype == x.dtype else target_in(who, y, x.dtype)  # (beyond its range: refused)
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


def mse(
    pred: Any, target: Any, reduction: str = "mean", half: bool = False, sample_weight: Any = None
) -> Tensor:
    """Mean squared error: L = mean((y_hat - y)^2); with ``half=True`` the lecture's
    L = 1/2 (y_hat - y)^2, whose derivative is dL/dy_hat = y_hat - y.

    pred, target : arrays of the same shape, e.g. (N,) or (N, K). 'mean' averages
    over every entry (N * K), as PyTorch's ``MSELoss`` does.

    Dtypes (every loss here and in :mod:`glassnet.nn`): a float64 Tensor target with a
    float32 prediction gives a float64 loss (the wider wins, as PyTorch's; the prediction's
    gradient stays float32), so a hand-written loop's ``loss(model(x), gn.tensor(y))``,
    ``gn.tensor`` of a float64 NumPy y, computes in float64 since round 22 (its weights
    differ from before by ~1e-5 relative after 200 steps); for float32's numbers pass
    ``gn.tensor(y, dtype=gn.float32)`` or the NumPy y itself, read in the model's dtype as
    ``fit`` reads it.
    """
    x, y = check_target("op 'mse'", pred, target)
    return loss_node("half_mse" if half else "mse", x, y, reduction, sample_weight)


def binary_cross_entropy(
    prob: Any, target: Any, reduction: str = "mean", sample_weight: Any = None
) -> Tensor:
    """L = -(y log p + (1 - y) log(1 - p)) on probabilities p in [0, 1].

    p is clipped to [eps, 1 - eps] (eps the dtype's machine epsilon) so that a
    saturated sigmoid gives a large finite loss, not inf. Prefer
    :func:`binary_cross_entropy_with_logits`, which needs no clipping.

    Three BCEs of one saturated sigmoid, on purpose: where sigmoid(z) rounds to exactly 0
    or 1 (|z| > ~37 in float64, ~17 in float32) the probability no longer holds z, and
    each way caps the loss its own way. This function: at most -log(eps) per entry (36.04
    in float64, 15.94 in float32), with gradient 0 through the saturated sigmoid;
    ``nn.BCELoss`` (and ``nn.functional.binary_cross_entropy``): each log clamped at -100,
    as PyTorch's, at most 100; ``fit``, ``evaluate_loss`` and ``Objective`` with
    ``loss='binary_cross_entropy'`` after a sigmoid head take the loss of the logits
    (this function's ``on_logits``, :func:`binary_cross_entropy_with_logits`): the exact
    loss, |z| for a wrong z (800 at z = 800), gradient sigmoid(z) - y, so training goes
    on. To check fit's loss by hand, take the logits' loss, not this one of model(X).

    A probability below eps (or above 1 - eps) given directly: the loss is the clipped,
    flat one, but dL/dp is taken at the clipped point, (p_c - y) / (p_c (1 - p_c)), -4.5e15
    at p < eps for y = 1 in float64, not the flat function's 0, on purpose: a zero gradient
    would stop learning a saturated output (PyTorch's BCE keeps a large finite one too). A
    finite difference there sees the flat loss (0) and disagrees, by design.
    """
    x, y = check_target("op 'binary_cross_entropy'", prob, target)
    check_probabilities("op 'binary_cross_entropy'", x, y)
    return loss_node("binary_cross_entropy", x, y, reduction, sample_weight)


def binary_cross_entropy_with_logits(
    logits: Any, target: Any, reduction: str = "mean", sample_weight: Any = None
) -> Tensor:
    """L = -(y log sigma(z) + (1 - y) log(1 - sigma(z))) from logits z, computed stably as
    max(z, 0) - z y + log(1 + e^-|z|). Backward: dL/dz = sigma(z) - y.
    """
    x, y = check_target("op 'binary_cross_entropy_with_logits'", logits, target)
    unit_target("op 'binary_cross_entropy_with_logits'", y)
    return loss_node("binary_cross_entropy_with_logits", x, y, reduction, sample_weight)


def cross_entropy(
    logits: Any, target: Any, reduction: str = "mean", sample_weight: Any = None
) -> Tensor:
    """Softmax cross-entropy from logits Z of shape (N, C).

    L_n = -sum_i y_{n,i} log softmax(z_n)_i. ``target`` is either integer class
    labels of shape (N,) in [0, C) or one-hot / probability rows of shape (N, C).
    Backward: dL/dz_n = softmax(z_n) - y_n (fused; no Jacobian is formed).
    """
    x, t = class_targets(logits, target)  # (labels (N,), or rows of x's shape)
    return loss_node("cross_entropy", x, t, reduction, sample_weight)


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


def half_mse(pred: Any, target: Any, reduction: str = "mean", sample_weight: Any = None) -> Tensor:
    """The lecture's loss, 1/2 (y_hat - y)^2 (dL/dy_hat = y_hat - y): ``mse(half=True)``."""
    return mse(pred, target, reduction, True, sample_weight)


# fmt: off
LOSSES: dict[str, Loss] = {loss.name: loss for loss in (
    Loss("mse", partial(_mse_kernel, c=1.0), "(y_hat - y)^2", mse),
    Loss("half_mse", partial(_mse_kernel, c=0.5), "1/2 (y_hat - y)^2", half_mse),
    Loss("binary_cross_entropy", _bce_kernel, "-(y log y_hat + (1 - y) log(1 - y_hat))",
         binary_cross_entropy, head="sigmoid", on_logits="binary_cross_entropy_with_logits",
         on_probabilities=_bce_kernel),
    Loss("binary_cross_entropy_with_logits", _bce_logits_kernel,
         "-(y log sigma(z) + (1 - y) log(1 - sigma(z)))", binary_cross_entropy_with_logits),
    Loss("cross_entropy", _ce_kernel, "-sum_i y_i log y_hat_i", cross_entropy, head="softmax",
         on_logits="cross_entropy", on_probabilities=_nll_kernel, per_row=True),
)}
LOSS_ALIASES = {"squared_error": "mse", "lecture": "half_mse", "bce": "binary_cross_entropy",
                "log_loss": "cross_entropy", "ce": "cross_entropy"}
# fmt: on
# the losses on logits, and the activation each applies first (check_logits refuses its output)
SQUASHES = {s.on_logits: s.head for s in LOSSES.values() if s.head}


def get_loss(name: str) -> Loss:
    """Look up a loss by name or alias (see :data:`LOSSES` and :data:`LOSS_ALIASES`), in any
    case, as activations, optimizers and initializers are (``'MSE'`` is ``'mse'``)."""
    return _lookup("loss", LOSSES, LOSS_ALIASES, name)


# the built-in entries: each as glassnet's import left it (frozen), and without its texts
_TEXTS = ({"formula": "", "derivative": ""}, {"formula": ""})
_BUILTIN = tuple(
    {n: (e, replace(e, **t)) for n, e in d.items()} for d, t in zip((ACTIVATIONS, LOSSES), _TEXTS)
)


def replaced_entry(name: str, loss: bool = False) -> bool:
    """Whether the built-in entry ``name`` of :data:`ACTIVATIONS` (``loss=True``: :data:`LOSSES`)
    no longer computes the built-in function: a function of it (``fn``, ``grad``, ``kernel``...)
    was replaced, or the entry removed. New texts only, or an added name, are no replacement."""
    if not isinstance(name, str):
        raise TypeError(f"replaced_entry: name must be a str such as 'tanh'. Got {name!r:.60}.")
    entry = (LOSSES if loss else ACTIVATIONS).get(name)
    left, builtin = _BUILTIN[bool(loss)].get(name, (entry, None))  # (not a built-in's: as left)
    return entry is not left and (
        not isinstance(entry, type(builtin)) or replace(entry, **_TEXTS[bool(loss)]) != builtin
    )
