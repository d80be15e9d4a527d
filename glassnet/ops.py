"""The Tensor ops beyond the lecture's engine: maxima and minima, ``abs``, ``sqrt``,
``clip``, ``where``, ``maximum``/``minimum``, ``cumsum(dim)``, joining (``concatenate``,
``stack``) and its inverse, splitting (``x.split``, ``x.chunk``); ``sin`` and ``cos``, the
vector products ``x.dot(y)``, ``x.mv(v)`` and ``x.outer(y)`` (1-D operands, as PyTorch's),
and the piecewise-constant ``round`` (``decimals=``), ``floor``, ``ceil`` and ``sign``, whose
gradient is 0, as PyTorch's. ``x.prod(dim, keepdim)`` multiplies along one dim (its gradient
exact where values are 0) and ``x.logsumexp(dim, keepdim)`` is log Σ exp(x) with each slice's
maximum taken out first (finite at logits of 1e4); ``glassnet.prod`` and ``glassnet.logsumexp``
are their function forms.

PyTorch's spellings: ``x.clamp(min=, max=)`` is ``x.clip`` (``x.clamp_min(m)`` and
``x.clamp_max(m)`` its one-bound forms); ``x.split(2, dim)`` and ``x.chunk(3, dim)`` give a
tuple of views, PyTorch's sizes (``chunk``'s last piece the shorter, and fewer pieces than
asked where the length does not fill them: 6 in 4 chunks is 3 of 2);
``x.amax(dim, keepdim)`` and ``x.amin`` are ``x.max(axis=, keepdims=)`` and ``x.min``;
``x.argmax(dim)`` gives the indices (:mod:`glassnet.habits`' NumPy integer array;
PyTorch's, a LongTensor). ``x.max(1)`` and ``x.max(dim=1)`` are refused: PyTorch's return
(values, indices), and ``v, i = x.max(1)`` would unpack glassnet's values row by row
without a word; ``x.argmax(1)`` gives the indices. At ties ``x.max(axis=1)`` and
``x.amax(1)`` share the gradient equally, as PyTorch's ``amax``; PyTorch's
``x.max(1).values`` gives it all to the index it returns, which
``x[np.arange(len(x)), x.argmax(1)]`` reproduces.

:mod:`glassnet.tensor` holds what micrograd's ``Value`` holds, over arrays: the arithmetic
(+, −, ×, ÷, **), ``exp`` and ``log``, the sums and means, the matrix product, ``reshape``
and ``backward()``; with the activations and losses of :mod:`glassnet.functional` that is
all the networks, losses and training loop use. The ops here are NumPy's and PyTorch's
further ones, for losses and models a user writes (``nn.L1Loss`` and ``nn.HuberLoss`` use
``abs`` and ``where``). They are built the way every op is, on ``Tensor.from_op`` and the
table of binary ops, and gradient-checked like the rest (tests/test_tensor.py); the
methods (``x.max()``, ``x.abs()``, ...) are attached to the Tensor here, as
:mod:`glassnet.functional` attaches ``x.relu()``. ``import glassnet`` loads this module.

>>> import glassnet as gn
>>> x = gn.Tensor([-2.0, 0.5, 3.0], requires_grad=True)
>>> gn.where(x.data > 0, x, 0.0).sum().backward()
>>> x.grad, x.abs().max().item()
(array([0., 1., 1.], dtype=float32), 3.0)
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from ._validation import (
    NotGiven,
    attach,
    check_bool,
    check_fits,
    operand_error,
    reduced,
    refused,
    shown,
)
from .backend import asarray
from .gradient import axis_sum, masked, running_sum, scaled_norm
from .tensor import (
    BINARY_OPS,
    Tensor,
    as_tensor,
    axis_args,
    binary_op,
    is_grad_enabled,
    operand,
    spread,
    unbroadcast,
)

__all__ = ["cat", "concatenate", "stack", "where", "maximum", "minimum"]


# ------------------------------------------------------------ methods of Tensor
def _max(self: Tensor, *args: Any, axis: Any = None, keepdims: bool = False, **kw: Any) -> Tensor:
    """Maximum over ``axis`` (a keyword); g goes to the maxima (ties share it equally).
    ``x.max(other)`` with a Tensor is PyTorch's elementwise ``maximum(x, other)``."""
    other = _other(args, kw)
    if other is not None:
        return maximum(self, other[0])
    _values_only("max", args, kw)
    return _extreme(self, np.max, "max", axis, keepdims, whole=True)


def _min(self: Tensor, *args: Any, axis: Any = None, keepdims: bool = False, **kw: Any) -> Tensor:
    """Minimum over ``axis`` (a keyword); g goes to the minima (ties share it equally).
    ``x.min(other)`` with a Tensor is PyTorch's elementwise ``minimum(x, other)``."""
    other = _other(args, kw)
    if other is not None:
        return minimum(self, other[0])
    _values_only("min", args, kw)
    return _extreme(self, np.min, "min", axis, keepdims, whole=True)


def _other(args: tuple[Any, ...], kw: dict[str, Any]) -> tuple[Any] | None:
    """PyTorch's ``x.max(other)`` / ``x.max(other=y)``: a Tensor (``other=`` anything), the
    elementwise overload (one value, no indices), as a 1-tuple; None for every other call."""
    if len(args) == 1 and not kw and isinstance(args[0], Tensor):
        return (args[0],)
    if not args and list(kw) == ["other"]:
        return (kw["other"],)
    return None


def _values_only(op: str, args: tuple[Any, ...], kw: dict[str, Any]) -> None:
    """Refuse ``x.max(1)`` and ``x.max(dim=1)``: PyTorch's return (values, indices), which
    ``v, i = x.max(1)`` unpacks; glassnet's values would unpack row by row, silently.
    (``out=None``, which ``np.max(x)`` passes, is no argument.)"""
    if kw.get("out", 0) is None:
        kw = {k: v for k, v in kw.items() if k != "out"}
    if args or kw:
        given = ", ".join([*map(repr, args), *(f"{k}={v!r}" for k, v in kw.items())])
        d = args[0] if args else kw.get("dim", kw.get("axis", 1))
        one = isinstance(d, int) and not isinstance(d, bool)  # (one axis: indices too)
        raise TypeError(
            f"x.{op}({given}): glassnet's {op} takes axis= and returns the values only, "
            f"not PyTorch's (values, indices). Write x.{op}(axis={d!r}) or "
            f"x.a{op}(dim={d!r}) for the values"
            + (
                f", x.arg{op}({d}) for the indices, or gn.{op}(x, {d}) for PyTorch's "
                f"(values, indices) as torch.{op}(x, {d}) gives them. At ties the values "
                "share the gradient equally, "
                f"as PyTorch's a{op}; PyTorch's {op}({d}) gives it all to the index it returns, "
                f"as x.gather({d}, x.arg{op}({d}, keepdim=True)).squeeze({d}) does."
                if one
                else "."
            )
        )


def _amax(
    self: Tensor, dim: Any = None, keepdim: Any = None, *, axis: Any = None, keepdims: Any = None
) -> Tensor:
    """PyTorch's ``amax(dim, keepdim)``: the maxima over ``dim`` (all axes by default), g
    shared equally among ties, as PyTorch's (NumPy's ``axis=``/``keepdims=`` too)."""
    return _extreme(self, np.max, "max", *axis_args("amax", axis, dim, keepdims, keepdim))


def _amin(
    self: Tensor, dim: Any = None, keepdim: Any = None, *, axis: Any = None, keepdims: Any = None
) -> Tensor:
    """PyTorch's ``amin(dim, keepdim)``: the minima over ``dim``, g shared among ties."""
    return _extreme(self, np.min, "min", *axis_args("amin", axis, dim, keepdims, keepdim))


def _extreme(
    t: Tensor, fn: Callable, op: str, axis: Any, keepdims: bool, whole: bool = False
) -> Tensor:
    """``fn`` over ``axis``; g shared among the values equal to the result. ``whole``: PyTorch's
    ``x.max()``, whose g at a NaN result is shared among the NaNs (amax's is NaN, as here)."""
    a = t.data
    out = reduced(fn, a, op, axis, keepdims=keepdims)
    axis = None if a.ndim == 0 else axis  # (dim 0 or -1 of a 0-d tensor: all of it, as PyTorch)

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        if whole and axis is None and np.isnan(out):
            hits = np.isnan(a).astype(a.dtype)
        else:
            hits = (a == spread(out, a.shape, axis, keepdims)).astype(a.dtype)
        with np.errstate(invalid="ignore"):  # (a NaN result equals nothing: 0/0, as PyTorch)
            hits /= hits.sum(axis=axis, keepdims=True)
        return (masked(spread(g, a.shape, axis, keepdims), hits),)

    return Tensor.from_op(out, op, (t,), backward)


def _cumsum(
    self: Tensor, dim: Any = None, *, dtype: Any = None, axis: Any = None, out: Any = None
) -> Tensor:
    """PyTorch's ``x.cumsum(dim)``: the running sums along ``dim`` (``axis``, NumPy's name,
    too; one of them is needed: NumPy's default, the flattened values, is
    ``x.reshape(-1).cumsum(0)``). ``dtype``: float32 or float64, a cast before the sums, as
    PyTorch's. The gradient of each value is the sum of g over the positions at and after
    it: the running sums of g taken from the end. (Bad arguments other than dim's type are
    ValueErrors: NumPy's ``np.cumsum(x)`` reads a TypeError as "not supported" and sums an
    array of Tensor objects instead, in silence.)"""
    if dim is not None and axis is not None:
        raise ValueError("cumsum(): pass dim or axis (NumPy's name), not both.")
    dim = axis if dim is None else dim
    if out is not None:  # (np.cumsum(x) passes out=None)
        raise ValueError("cumsum(): out= is NumPy's; glassnet's cumsum returns a new tensor.")
    if dim is None:
        raise ValueError(
            "cumsum() needs dim, the axis to sum along (an int), as PyTorch's. For the "
            "running sum of all values (NumPy's default) write x.reshape(-1).cumsum(0)."
        )
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"cumsum(): dim must be an int. Got {dim!r:.40}.")
    n = max(self.data.ndim, 1)  # (a 0-d tensor takes dim 0 or -1, as in PyTorch)
    if not -n <= dim < n:
        raise IndexError(
            f"cumsum: dim must be in [{-n}, {n - 1}] for a tensor of shape {self.shape}. Got {dim}."
        )
    try:
        x = self if dtype is None else self.astype(dtype)
    except TypeError as e:
        raise ValueError(f"cumsum: dtype must be float32 or float64. Got {dtype!r:.40}.") from e
    if x.data.ndim == 0:
        return Tensor.from_op(x.data.copy(), "cumsum", (x,), lambda g: (g,))
    d = int(dim) % n

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        return (np.flip(running_sum(np.flip(g, d), d), d),)

    return Tensor.from_op(running_sum(x.data, d), "cumsum", (x,), backward)


def _sqrt(self: Tensor) -> Tensor:
    """Square root; d/dx = 1 / (2 sqrt(x))."""
    out = np.sqrt(self.data)

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        with np.errstate(divide="ignore"):  # (inf at 0, as PyTorch's: no warning)
            return (g / (2 * out),)

    return Tensor.from_op(out, "sqrt", (self,), backward)


def _abs(self: Tensor) -> Tensor:
    """|x|; d/dx = sign(x) (0 at 0, and at NaN, as PyTorch's)."""
    a = self.data
    return Tensor.from_op(np.abs(a), "abs", (self,), lambda g: (g * np.nan_to_num(np.sign(a)),))


def _clip(
    self: Tensor,
    low: Any = None,
    high: Any = None,
    *,
    min: Any = None,  # noqa: A002 (PyTorch's and NumPy's names: x.clip(min=0, max=1))
    max: Any = None,  # noqa: A002
    _op: str = "clip",
) -> Tensor:
    """Clamp to [low, high]; the gradient passes only where the value was inside. The bounds
    are constants: numbers keep the tensor's dtype, arrays follow the dtype rule. ``min=`` and
    ``max=`` are PyTorch's (and NumPy's) names of the bounds."""
    for given, alias, name in ((low, min, "low"), (high, max, "high")):
        if given is not None and alias is not None:
            raise TypeError(
                f"clip: pass {name} or {'min' if name == 'low' else 'max'} (PyTorch's name), "
                "not both."
            )
    low, high = (min if low is None else low), (max if high is None else high)
    a = self.data
    names = ("min", "max") if _op.startswith("clamp") else ("low", "high")
    if low is None and high is None:  # (PyTorch's clamp() and clip() raise too)
        raise TypeError(
            f"{_op}: pass {names[0]}= or {names[1]}= (or both). Got neither, which would "
            "return the values unchanged."
        )
    lo, hi = (_bound(v, n, a.dtype, _op) for v, n in zip((low, high), names))
    out = np.clip(a, lo, hi)
    inside = out == a  # (NaN is not: no gradient, as PyTorch's)
    if lo is not None and hi is not None:  # low > high: every value is high, none inside
        inside &= np.asarray(lo <= hi)

    # (bounds of more axes than x broadcast the result: x's gradient sums over them)
    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        return (unbroadcast(masked(g, inside), a.shape),)

    return Tensor.from_op(out, "clip", (self,), backward)


def _clamp(self: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    """PyTorch's ``clamp(min, max)``: :meth:`clip` with PyTorch's names."""
    return _clip(self, min, max, _op="clamp")


def _clamp_min(self: Tensor, min: Any) -> Tensor:  # noqa: A002
    """PyTorch's ``clamp_min(min)``: ``clamp(min=min)``, the values below ``min`` raised to it
    (the gradient passes where a value was at or above it)."""
    return _clip(self, _given(min, "clamp_min", "min"), None, _op="clamp_min")


def _clamp_max(self: Tensor, max: Any) -> Tensor:  # noqa: A002
    """PyTorch's ``clamp_max(max)``: ``clamp(max=max)``, the values above ``max`` lowered to
    it (the gradient passes where a value was at or below it)."""
    return _clip(self, None, _given(max, "clamp_max", "max"), _op="clamp_max")


def _given(value: Any, op: str, name: str) -> Any:
    """The one bound of clamp_min/clamp_max: None is refused (PyTorch refuses it too), which
    clip would read as no bound and return the values unchanged."""
    if value is None:
        raise TypeError(
            f"{op}: {name} must be a number, an array or a Tensor, as PyTorch's. Got None, "
            f"which would return the values unchanged: pass the bound (x.{op}(0.0))."
        )
    return value


def _bound(value: Any, name: str, dtype: np.dtype, op: str = "clip") -> Any:
    """A bound of clip as NumPy takes it: a number as a float of ``dtype``, anything else as
    a Tensor of it would hold it (the dtype rule: an integer array as float32)."""
    if isinstance(value, Tensor) and value.requires_grad and is_grad_enabled():
        raise TypeError(
            f"{op}: {name} requires grad, but {op} passes no gradient to its bounds; pass "
            f"{name}.detach(), or write glassnet.minimum(glassnet.maximum(x, low), high)."
        )
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        check_fits(value, dtype, op, name)  # (1e300 in float32: inf, as PyTorch refuses)
        return dtype.type(value)  # (NumPy's float64 scalar too, as binary_op takes it)
    try:
        return None if value is None else as_tensor(value).data
    except (TypeError, ValueError) as e:
        raise TypeError(
            f"{op}: {name} must be a number, an array or a Tensor of numbers"
            f"{'' if op.startswith('clamp_') else ', or None'}. Got {value!r:.80} ({e})"
        ) from e


def _log1p(self: Tensor) -> Tensor:
    """log(1 + x), exact for small x (NumPy's log1p); d/dx = 1 / (1 + x)."""
    a = self.data
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.log1p(a)
    return Tensor.from_op(out, "log1p", (self,), lambda g: (g / (1 + a),))


def _norm(
    self: Tensor,
    p: Any = "fro",
    dim: Any = None,
    keepdim: Any = None,
    *,
    axis: Any = None,
    keepdims: Any = None,
) -> Tensor:
    """PyTorch's ``x.norm(p="fro", dim=None, keepdim=False)`` over ``dim`` (all values by
    default): ``p`` any real number, (Σ|x|^p)^(1/p) (2 or "fro" the 2-norm, None too; a
    negative p too), ``inf`` the largest |x|, ``-inf`` the smallest, 0 the number of nonzero
    values; "nuc" the nuclear norm (the sum of the singular values) of a matrix (``dim`` its
    two dims). The gradients are PyTorch's: x/‖x‖ for p=2, 0 where the norm is 0 (not the
    NaN of sqrt's chain rule); sign(x)·(|x|/‖x‖)^(p−1) for other p (0 at x = 0 for p < 1);
    for ±inf g shared among the values at the norm (ties); 0 for p=0; NaN in every gradient
    of a slice whose norm is NaN (as PyTorch's: a NaN value shows in all of them). Each
    slice is scaled by a power of two near its largest |x| (its smallest for p < 0) first,
    exactly, so that |x|^p neither overflows (1e300) nor underflows: the norm and its
    gradient are finite where they are. NumPy's ``axis=``/``keepdims=`` are taken too."""
    dim, keepdim = axis_args("norm", axis, dim, keepdims, keepdim)
    if isinstance(p, str):
        if p == "nuc":
            return _nuclear_norm(self, dim, keepdim)
        if p != "fro":
            raise ValueError(
                f"norm: p must be a number (inf, -inf, 0, 1, 2, any real), 'fro' or 'nuc', as "
                f"PyTorch's. Got p={p!r:.40}."
            )
        p = 2
    elif p is None:  # (PyTorch's torch.norm(x, p=None): the 2-norm)
        p = 2
    elif isinstance(p, (bool, np.bool_)) or not isinstance(p, numbers.Real) or math.isnan(p):
        raise ValueError(
            f"norm: p must be a number (inf, -inf, 0, 1, 2, any real), 'fro' or 'nuc', as "
            f"PyTorch's. Got p={p!r:.40}."
        )
    if p == 1:
        return _abs(self).sum(dim=dim, keepdim=keepdim)
    axis, keep = axis_args("norm", None, dim, None, keepdim)
    a = self.data
    axis = _scalar_dim("norm", a.ndim, axis)
    if p == 2:
        return _two_norm(self, axis, keep)
    p = float(p)
    if (
        (p < 0 or math.isinf(p))
        and a.ndim
        and any(a.shape[d] == 0 for d in _var_axes(a.shape, axis, "norm"))
    ):
        raise ValueError(
            f"norm: p={p} over no values (x of shape {a.shape}, dim={dim!r}) is undefined: "
            f"{'the largest' if p > 0 else 'the smallest'} |x| of none, as PyTorch refuses it. "
            "Reduce over dims that hold values (a finite p >= 0 gives 0 there)."
        )
    if p == 0:  # (the count of nonzero values; NaN counts, as in PyTorch; no gradient)
        out = np.count_nonzero(a, axis=axis, keepdims=keep).astype(a.dtype)
        return Tensor.from_op(np.asarray(out), "norm", (self,), lambda g: (np.zeros_like(a),))
    absa = np.abs(a)
    if math.isinf(p):
        n = (np.max if p > 0 else np.min)(absa, axis=axis, keepdims=True)

        def inf_backward(g: np.ndarray) -> tuple[np.ndarray]:
            at = (absa == n) | np.isnan(a)  # (the values at the norm share g, as PyTorch's)
            share = spread(g, a.shape, axis, keep) / np.sum(at, axis=axis, keepdims=True)
            return ((np.nan_to_num(np.sign(a)) * at * share).astype(a.dtype, copy=False),)

        out = n if keep else np.squeeze(n, axis=axis)
        return Tensor.from_op(out, "norm", (self,), inf_backward)
    n = scaled_norm(a, p, axis)  # (each slice scaled by a power of two: finite where it is)

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        with np.errstate(divide="ignore", over="ignore", under="ignore", invalid="ignore"):
            d = np.sign(a) * (absa / n) ** (p - 1)  # (|x|/‖x‖ <= 1 for p >= 1: finite)
        # PyTorch's: 0 at x = 0 for p < 1, 0 where the norm is 0 for p > 1, NaN where it is
        d = np.where(a == 0 if p < 1 else n == 0, 0.0, d)
        d = np.where(np.isnan(n), np.nan, d)
        return ((d * spread(g, a.shape, axis, keep)).astype(a.dtype, copy=False),)

    out = n if keep else np.squeeze(n, axis=axis)
    return Tensor.from_op(out, "norm", (self,), backward)


def _two_norm(self: Tensor, axis: Any, keep: bool) -> Tensor:
    """The 2-norm over ``axis`` (:func:`_norm`'s p=2)."""
    a = self.data
    out = scaled_norm(a, 2.0, axis)  # (x² neither overflows nor underflows: scaled first)
    out = out if keep else np.squeeze(out, axis=axis)  # (kept above: the axes to drop)

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        n = spread(out, a.shape, axis, keep)
        with np.errstate(divide="ignore", invalid="ignore"):
            return (np.where(n != 0, spread(g, a.shape, axis, keep) * a / n, 0.0).astype(a.dtype),)

    return Tensor.from_op(out, "norm", (self,), backward)


def _nuclear_norm(self: Tensor, dim: Any, keepdim: Any) -> Tensor:
    """``x.norm("nuc", dim)``: the sum of the singular values of the matrices over the two
    dims ``dim`` (a 2-d x's by default), as PyTorch's; the gradient U Vᵀ (g per matrix)."""
    a = self.data
    keep = check_bool(keepdim, "keepdim", "norm")
    if dim is None and a.ndim != 2:
        raise ValueError(
            f"norm: p='nuc' is a matrix norm: x of shape {a.shape} has {a.ndim} dim(s); pass "
            "dim=(d0, d1), the two dims of the matrices (x of 2 dims needs none), as PyTorch."
        )
    dims = (0, 1) if dim is None else dim
    if not isinstance(dims, (tuple, list)) or len(dims) != 2:
        raise ValueError(
            f"norm: p='nuc' needs dim as the two dims of the matrices, dim=(d0, d1), as "
            f"PyTorch's. Got dim={dim!r:.40}."
        )
    d0, d1 = _var_axes(a.shape, tuple(dims), "norm")
    d0, d1 = d0 % a.ndim, d1 % a.ndim
    moved = np.moveaxis(a, (d0, d1), (-2, -1))
    try:
        u, sv, vh = np.linalg.svd(moved, full_matrices=False)
    except np.linalg.LinAlgError as e:
        raise ValueError(
            f"norm: p='nuc' of x of shape {a.shape}: the singular values were not found "
            f"({e}); x holds NaN or inf? PyTorch's svd refuses those too."
        ) from e
    out = sv.sum(-1).astype(a.dtype, copy=False)
    low = tuple(sorted((d0, d1)))
    out = np.expand_dims(out, low) if keep else out

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        gm = np.squeeze(g, axis=low) if keep else g
        grad = np.matmul(u, vh) * np.asarray(gm)[..., None, None]
        return (np.moveaxis(grad, (-2, -1), (d0, d1)).astype(a.dtype, copy=False),)

    return Tensor.from_op(out, "norm", (self,), backward)


def _scalar_dim(op: str, ndim: int, dim: Any) -> Any:
    """``dim`` of a reduction, where a 0-d tensor's dim 0 or -1 (or a tuple of them) is all
    of it (None), as in PyTorch; another dim of a 0-d tensor is an IndexError."""
    if ndim or dim is None:
        return dim
    for d in dim if isinstance(dim, (tuple, list)) else (dim,):
        if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d not in (0, -1):
            raise IndexError(
                f"{op}: dim {d!r:.40} is out of range for a 0-d tensor: it has one dim, 0 "
                "(or -1), as in PyTorch. Pass dim=None (or 0) to reduce its one value."
            )
    return None


def _var_axes(shape: tuple[int, ...], axis: Any, op: str = "var/std") -> list[int]:
    """The axes ``op`` reduces (all for None), each an int in range, none twice, or a clear
    error (``shape[a]`` of a dim out of range was "tuple index out of range")."""
    nd = len(shape)
    axes = list(range(nd)) if axis is None else np.atleast_1d(axis).tolist()
    for a in axes:
        if isinstance(a, bool) or not isinstance(a, int) or not -nd <= a < nd:
            raise IndexError(
                f"{op}: dim must be an int from {-nd} to {nd - 1} (a tensor of shape "
                f"{shape}), or a tuple of them. Got {a!r:.40}."
            )
    if len({a % nd for a in axes}) < len(axes):
        raise ValueError(f"{op}: dim names an axis more than once. Got {axis!r:.60}.")
    return axes


def _var(
    self: Tensor,
    dim: Any = None,
    unbiased: Any = None,
    keepdim: Any = None,
    *,
    correction: Any = None,
    axis: Any = None,
    keepdims: Any = None,
    ddof: Any = None,
    dtype: Any = None,
    out: Any = None,
) -> Tensor:
    """PyTorch's variance over ``dim`` (all values by default): Σ (x − mean)² / (n − correction),
    ``correction=1`` (the default; ``unbiased=True``) the sample variance, 0 the population's
    (``x.var(False)``, as PyTorch's positional ``unbiased``). Fewer values than ``correction``
    + 1 is an error (PyTorch gives NaN or inf). One node, PyTorch's: dL/dx = 2 (x − mean) /
    (n − correction) · g, exact where the values are far apart (1e12 and 1). NumPy's
    ``axis=``, ``keepdims=`` and ``ddof=`` are taken too."""
    if isinstance(dim, (bool, np.bool_)):  # x.var(False): PyTorch's unbiased, positionally
        dim, unbiased = None, dim if unbiased is None else unbiased
    dim = axis_args("var", axis, dim)[0]  # (NumPy's axis= too, as the other reductions)
    dim = _scalar_dim("var", self.data.ndim, dim)
    if dtype is not None or out is not None:  # (np.var(x) passes them: None is taken)
        raise TypeError("var/std: dtype= and out= are NumPy's; glassnet's take neither.")
    if ddof is not None:  # (NumPy's name of correction: np.std(x) passes ddof=0)
        if correction is not None or unbiased is not None:
            raise TypeError("var/std: pass ddof (NumPy's) or correction, not both.")
        correction = ddof
    if unbiased is not None and correction is not None:
        raise TypeError("var/std: pass unbiased or correction, not both.")
    if unbiased is not None:
        correction = 1 if check_bool(unbiased, "unbiased", "var") else 0
    correction = 1 if correction is None else correction
    if isinstance(correction, bool) or not isinstance(correction, (int, float, np.number)) or (
        not correction >= 0
    ):  # fmt: skip
        raise ValueError(f"var/std: correction must be a number >= 0. Got {correction!r:.40}.")
    axis, keep = axis_args("var", None, dim, keepdims, keepdim)
    axes = _var_axes(self.data.shape, axis)
    n = math.prod(self.data.shape[a] for a in axes)  # (the values reduced into each output)
    if n - correction <= 0:
        over = "every dim" if axis is None else f"dim={dim!r}"
        raise ValueError(
            f"var/std of {n} value(s) with correction={correction} divides by {n - correction}: "
            + (  # (no values: no correction helps)
                f"undefined (PyTorch gives nan). x of shape {self.data.shape} reduced over "
                f"{over} has no values there: reduce over dims that hold values."
                if n == 0
                else "undefined. Pass a correction below the number of values (correction=0, "
                "the population's), or reduce over more values."
            )
        )
    # one node, as PyTorch's: var = Σ c² / (n − correction), c = x − mean, and
    # dL/dx = 2 c / (n − correction) · g. Built from the graph's mean, squares and sum it
    # also carried mean's term, −2 Σc / (n (n − correction)) · g, 0 in exact arithmetic but
    # the rounding of a sum of large terms: at x = [1e12, −1e12, 1] dvar/dx₂ was 0.666694
    # for 2/3, at 1e30 a third off
    a = self.data
    ax = None if axis is None else tuple(axes)
    shape = a.shape
    centred = a - axis_sum(a, ax, True) / n  # (x − mean, Tensor.mean's bits)
    scale = float(n - correction)  # (a float: np.float64's correction keeps float32 float32)
    out = axis_sum(centred * centred, ax, keep) / scale

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        return ((centred * (2 / scale)) * spread(g, shape, ax, keep),)

    return Tensor.from_op(out, "var", (self,), backward)


def _std(self: Tensor, dim: Any = None, *args: Any, **kw: Any) -> Tensor:
    """The square root of the variance (``x.var``'s arguments); its gradient is 0 where it is
    0 (constant values), as PyTorch's ``std`` (``var().sqrt()``'s is NaN there). Each slice
    is computed as 2ᵉ · std(x / 2ᵉ), 2ᵉ near the slice's largest |x| (std is homogeneous, and
    a power of two scales exactly: the same value and gradient), so values whose squares
    pass the float range (1e20 in float32) or fall below it still give their std."""
    a = self.data
    code = _var.__code__  # (var's keywords, after self and dim; _var's error named _var)
    bad = sorted(set(kw) - set(code.co_varnames[2 : code.co_argcount + code.co_kwonlyargcount]))
    if bad:
        raise TypeError(f"Tensor.std() got an unexpected keyword argument {bad[0]!r}")
    if len(args) > 2:  # (var's positionals: dim, unbiased, keepdim)
        raise TypeError(
            f"Tensor.std() takes from 1 to 4 positional arguments but {len(args) + 2} were given"
        )
    twice = sorted(set(code.co_varnames[2 : 2 + len(args)]) & set(kw))  # (x.std(0, True,
    if twice:  # unbiased=False): var's error named var)
        raise TypeError(f"Tensor.std() got multiple values for argument {twice[0]!r}")
    axis = None if isinstance(dim, (bool, np.bool_)) else dim  # (x.std(False): unbiased)
    axis = axis_args("std", kw.get("axis"), axis, kw.get("keepdims"), kw.get("keepdim"))[0]
    axis = _scalar_dim("std", a.ndim, axis)
    if axis is not None and a.ndim:
        _var_axes(a.shape, axis_args("std", None, axis)[0])  # (before np.max meets it)
    if a.size:
        axes = axis_args("std", None, axis)[0]
        big = np.max(np.abs(a), axis=axes, keepdims=True)
        info = np.finfo(a.dtype)
        e = np.frexp(np.where(np.isfinite(big) & (big > 0), big, 1.0))[1]
        e = np.clip(e, info.minexp + 1, info.maxexp - 1)  # (2⁻ᵉ and 2ᵉ both finite)
        up = np.ldexp(np.ones((), a.dtype), e).astype(a.dtype)  # 2ᵉ per slice
        v = _var(self * (1 / up), dim, *args, **kw)  # (1 / 2ᵉ: exact, a power of two)
    else:
        up, v = np.ones((), a.dtype), _var(self, dim, *args, **kw)
    root = np.sqrt(v.data)
    up = up.reshape(root.shape) if up.size == root.size else up
    out = root * up

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        with np.errstate(divide="ignore", invalid="ignore"):
            return (np.where(root > 0, g * up / (2 * root), 0.0).astype(root.dtype),)

    return Tensor.from_op(out, "std", (v,), backward)


def _one_dim(op: str, ndim: int, dim: Any) -> Any:
    """``dim`` of a reduction over one axis (None: all values) as an axis in range, or a
    clear error naming ``op`` (NumPy's AxisError said nothing of PyTorch's dim)."""
    if dim is None:
        return None
    if isinstance(dim, (bool, np.bool_)) or not isinstance(dim, (int, np.integer)):
        raise TypeError(
            f"{op}: dim must be one int (or None, all values), as PyTorch's. Got {dim!r:.40}; "
            f"for several axes, flatten them first (x.flatten(0, 1).{op}(0))."
        )
    n = max(ndim, 1)  # (a 0-d tensor takes dim 0 or -1, as in PyTorch)
    if not -n <= dim < n:
        raise IndexError(f"{op}: dim must be in [{-n}, {n - 1}] for a {ndim}-d tensor. Got {dim}.")
    return None if ndim == 0 else int(dim) % n


def _prod(
    self: Tensor,
    dim: Any = None,
    keepdim: Any = None,
    *,
    dtype: Any = None,
    axis: Any = None,
    keepdims: Any = None,
    out: Any = None,
) -> Tensor:
    """PyTorch's ``x.prod(dim=None, keepdim=False, dtype=None)``: the product of the values
    along one ``dim`` (all of them by default; NumPy's ``axis``/``keepdims`` too, which
    ``np.prod(x)`` passes). The gradient of each value is the product of the others in its
    slice, taken as running products from both ends, not ``out / x``: exact where values are
    0 (one 0: the others' product; two: 0), as PyTorch's."""
    if out is not None:  # (np.prod(x) passes out=None)
        raise TypeError("prod(): out= is NumPy's; glassnet's prod returns a new tensor.")
    for name, flag in (("keepdim", keepdim), ("keepdims", keepdims)):
        if flag is not None:
            check_bool(flag, name, "prod")
    dim, keep = axis_args("prod", axis, dim, keepdims, keepdim)
    x = self if dtype is None else self.to(dtype)
    a = x.data
    axis = _one_dim("prod", a.ndim, dim)
    out = np.prod(a, axis=axis, keepdims=keep)

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        v = a.reshape(-1) if axis is None else np.moveaxis(a, axis, -1)
        one = np.ones_like(v[..., :1])
        left = np.cumprod(np.concatenate([one, v[..., :-1]], axis=-1), axis=-1)
        right = np.cumprod(np.concatenate([one, np.flip(v, -1)[..., :-1]], axis=-1), axis=-1)
        others = left * np.flip(right, -1)  # the product of every value but this one
        if axis is None:
            return ((others * g).reshape(a.shape).astype(a.dtype, copy=False),)
        gk = g if keep else np.expand_dims(g, axis)
        return ((np.moveaxis(others, -1, axis) * gk).astype(a.dtype, copy=False),)

    return Tensor.from_op(np.asarray(out, dtype=a.dtype), "prod", (x,), backward)


def _logsumexp(
    self: Tensor, dim: Any = None, keepdim: Any = None, *, axis: Any = None, keepdims: Any = None
) -> Tensor:
    """PyTorch's ``x.logsumexp(dim, keepdim=False)``: log Σ exp(x) over ``dim`` (an int or a
    tuple of them; needed, as PyTorch's), without overflow: each slice's maximum m is taken
    out first, m + log Σ exp(x − m), so logits of 1e4 give 1e4 + log(count), not inf. One
    node, PyTorch's: the gradient is the softmax of the slice, exp(x − m) / Σ · g. A slice all
    −inf gives −inf, one holding +inf gives inf (gradient 0 at its finite values, NaN at the
    inf), as PyTorch's. NumPy's ``axis=``/``keepdims=`` are taken too."""
    if dim is None and axis is None:
        raise TypeError(
            "logsumexp() missing its dim (or axis=), the axis (or axes) to reduce, as PyTorch's: "
            "x.logsumexp(1), or x.logsumexp(tuple(range(x.dim()))) for every value."
        )
    axis, keep = axis_args("logsumexp", axis, dim, keepdims, keepdim)
    axis = _scalar_dim("logsumexp", self.data.ndim, axis)
    a = self.data
    # (each axis in range, none twice; NumPy's errors said less)
    axes = {d % max(a.ndim, 1) for d in _var_axes(a.shape, axis, "logsumexp")}
    with np.errstate(invalid="ignore"):
        m = np.max(a, axis=axis, keepdims=True, initial=-np.inf)
    shift = np.where(fin := np.isfinite(m), m, 0).astype(a.dtype)
    with np.errstate(divide="ignore", over="ignore"):  # (log 0 of a slice all -inf: -inf)
        s = np.add.reduce(e := np.exp(a - shift), axis=axis, keepdims=True)
        full = np.log(s) + shift

    # one node: dL/dx = softmax(x) · g, e / s (exp(x − out), PyTorch's, is 1, not 1/n, where
    # out rounds to x: equal logits of 1e8 in float32). Through the graph's exp, sum and log a
    # slice holding +inf gave NaN everywhere (0 · inf in exp's backward); such a slice (or
    # one all −inf) takes exp(x − out): 0 at 1e30 beside inf's NaN (inf − inf), as PyTorch's
    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        gk = g if keep else g.reshape(full.shape)  # (the reduced axes back, as 1s)
        with np.errstate(invalid="ignore"):
            soft = e / s if fin.all() else np.where(fin, e / s, np.exp(a - full))
            return ((soft * gk).astype(a.dtype, copy=False),)

    out = full if keep else full.reshape(tuple(n for i, n in enumerate(a.shape) if i not in axes))
    return Tensor.from_op(out, "logsumexp", (self,), backward)


def _trig(op: str, fn: Callable[[np.ndarray], np.ndarray], d: Callable[..., Any]) -> Callable:
    """PyTorch's ``x.<op>()`` for ``fn`` (np.sin, np.cos) with derivative ``d(a)``; of ±inf
    NaN, as PyTorch's, silently."""

    def method(self: Tensor) -> Tensor:
        a = self.data
        with np.errstate(invalid="ignore"):
            out = fn(a)

        def backward(g: np.ndarray) -> tuple[np.ndarray]:
            with np.errstate(invalid="ignore"):
                return (g * d(a),)

        return Tensor.from_op(out, op, (self,), backward)

    method.__name__ = op
    method.__doc__ = f"PyTorch's ``x.{op}()``, in the graph."
    return method


_sin = _trig("sin", np.sin, np.cos)  # d/dx sin x = cos x
_cos = _trig("cos", np.cos, lambda a: -np.sin(a))  # d/dx cos x = −sin x


def _zero_grad_op(op: str, out: np.ndarray, t: Tensor) -> Tensor:
    """A piecewise-constant op (``round``, ``floor``, ``ceil``, ``sign``) in the graph: its
    gradient is 0 everywhere, as PyTorch's (the derivative where it exists; 0 at the jumps)."""
    a = t.data
    return Tensor.from_op(out, op, (t,), lambda g: (np.zeros_like(a),))


def _floor(self: Tensor) -> Tensor:
    """PyTorch's ``x.floor()``: the largest whole number <= x (a float); gradient 0."""
    return _zero_grad_op("floor", np.floor(self.data), self)


def _ceil(self: Tensor) -> Tensor:
    """PyTorch's ``x.ceil()``: the smallest whole number >= x (a float); gradient 0."""
    return _zero_grad_op("ceil", np.ceil(self.data), self)


def _sign(self: Tensor) -> Tensor:
    """PyTorch's ``x.sign()``: −1, 0 or 1 (0 at NaN, as PyTorch's; NumPy's is NaN);
    gradient 0."""
    return _zero_grad_op("sign", np.nan_to_num(np.sign(self.data)), self)


def _round(self: Tensor, *args: Any, decimals: Any = 0, out: Any = None) -> Tensor:
    """PyTorch's ``x.round(decimals=0)``: to the nearest whole number, halves to the even one
    (``2.5`` to 2, ``-0.5`` to −0), as PyTorch's and NumPy's; ``decimals`` (keyword-only, as
    PyTorch's) rounds to that many decimal places (negative: to tens, hundreds, ...), by
    PyTorch's and NumPy's rule, ``rint(x · 10ᵈ) / 10ᵈ`` (so ``x.round(decimals=2)`` of 2.675
    is 2.68, where Python's ``round(2.675, 2)``, exact in decimal, gives 2.67). Gradient 0,
    as PyTorch's. Where that rule overflows (``x · 10ᵈ`` past the
    float range, or 10ᵈ itself), PyTorch's and NumPy's give inf or NaN; here a finite x gives
    its rounded value: x itself (a float that large has no decimals), or 0 where 10⁻ᵈ
    exceeds the float range."""
    if args:
        raise TypeError(
            f"round(): decimals is keyword-only, as in PyTorch. Got x.round({args[0]!r:.20}): "
            f"write x.round(decimals={args[0]!r:.20})."
        )
    if out is not None:  # (np.round(x) passes out=None)
        raise ValueError("round(): out= is NumPy's; glassnet's round returns a new tensor.")
    if isinstance(decimals, (bool, np.bool_)) or not isinstance(decimals, (int, np.integer)):
        raise TypeError(
            f"round(): decimals must be an int (the decimal places to keep), as PyTorch's. "
            f"Got {decimals!r:.40}."
        )
    a, d = self.data, int(decimals)
    if d == 0:
        return _zero_grad_op("round", np.round(a), self)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        result = np.round(a, d)
    lost = np.isfinite(a) & ~np.isfinite(result)
    if lost.any():  # (the rule overflowed: x already whole at that scale, or 10^-d past range)
        huge = d < 0 and -d > np.log10(np.finfo(a.dtype).max)
        result[lost] = (np.copysign(0, a) if huge else a)[lost]
    return _zero_grad_op("round", result, self)


def _vector(op: str, name: str, t: Tensor, fix: str) -> None:
    """Refuse an operand of ``op`` that is not 1-D, as PyTorch refuses it, naming the fix."""
    if t.data.ndim != 1:
        raise ValueError(
            f"{op}: {name} must be a 1-D vector, as PyTorch's torch.{op}. Got shape "
            f"{t.shape} ({t.data.ndim}-D): {fix}."
        )


def _dot(self: Tensor, other: Any) -> Tensor:
    """PyTorch's ``x.dot(y)`` (``torch.dot``): Σ xᵢ yᵢ of two 1-D vectors of one length, a 0-d
    Tensor in the graph (dL/dx = g y, dL/dy = g x). Only vectors, as PyTorch's: ``x @ y``
    (matmul) takes matrices, ``(x * y).sum()`` any equal shapes."""
    y = other if isinstance(other, Tensor) else operand(other, self)
    fix = "write x @ y (matmul) for matrices, or (x * y).sum() for the elementwise products"
    _vector("dot", "input", self, fix)
    _vector("dot", "other", y, fix)
    if len(self.data) != len(y.data):
        raise ValueError(
            f"dot: the vectors must have the same length, as PyTorch's. Got {len(self.data)} "
            f"and {len(y.data)} values."
        )
    return self @ y


def _mv(self: Tensor, vec: Any) -> Tensor:
    """PyTorch's ``x.mv(vec)`` (``torch.mv``): the product of a matrix (n, m) and a vector
    (m,), a vector (n,) in the graph. Only those shapes, as PyTorch's (``x @ v``, matmul,
    takes batches)."""
    v = vec if isinstance(vec, Tensor) else operand(vec, self)
    if self.data.ndim != 2:
        raise ValueError(
            f"mv: input must be a matrix (2-D), as PyTorch's torch.mv. Got shape "
            f"{self.shape}: x @ v (matmul) takes other shapes, x.dot(v) two vectors."
        )
    _vector("mv", "vec", v, "x @ y (matmul) multiplies matrices")
    n, m = self.data.shape
    if len(v.data) != m:
        raise ValueError(
            f"mv: vec must have one value per column of input ({m}, input of shape "
            f"{self.shape}). Got {len(v.data)} values."
        )
    return self @ v


def _outer(self: Tensor, vec2: Any) -> Tensor:
    """PyTorch's ``x.outer(y)`` (``torch.outer``): the matrix of xᵢ yⱼ, shape (len x, len y),
    of two 1-D vectors, in the graph (x as a column times y as a row). Only vectors, as
    PyTorch's."""
    y = vec2 if isinstance(vec2, Tensor) else operand(vec2, self)
    fix = "flatten it first (x.reshape(-1)), or broadcast: x[:, None] * y[None, :]"
    _vector("outer", "input", self, fix)
    _vector("outer", "vec2", y, fix)
    return self.reshape(-1, 1) * y.reshape(1, -1)


# (a TypeError names Tensor.var, not _var)
_METHODS = dict(
    sin=_sin, cos=_cos, dot=_dot, mv=_mv, outer=_outer, round=_round, floor=_floor, ceil=_ceil,
    sign=_sign, log1p=_log1p, norm=_norm, var=_var, std=_std, max=_max, min=_min, sqrt=_sqrt,
    abs=_abs, clip=_clip, amax=_amax, amin=_amin, clamp=_clamp, clamp_min=_clamp_min,
    clamp_max=_clamp_max, cumsum=_cumsum, prod=_prod, logsumexp=_logsumexp,
)  # fmt: skip
attach(Tensor, _METHODS, module=False)


# ------------------------------------------------------------ functions
def _ties(loses: Callable) -> Callable:
    """dL/da (dL/db) of maximum or minimum: g to the operand picked, half each at a tie, and
    all of it to both where one is NaN (neither loses), as PyTorch's."""
    return lambda g, a, b, y, wrt_b: masked(
        g, (1 - (loses(b, a) if wrt_b else loses(a, b)) - 0.5 * (a == b)).astype(g.dtype)
    )


BINARY_OPS.update(maximum=(np.maximum, _ties(np.less)), minimum=(np.minimum, _ties(np.greater)))


def maximum(a: Any, b: Any) -> Tensor:
    """Elementwise maximum; g goes to the larger value, split equally at ties."""
    return _elementwise_extreme("maximum", a, b)


def minimum(a: Any, b: Any) -> Tensor:
    """Elementwise minimum; g goes to the smaller value, split equally at ties."""
    return _elementwise_extreme("minimum", a, b)


def _elementwise_extreme(op: str, a: Any, b: Any) -> Tensor:
    """maximum or minimum of a Tensor and a Tensor, array or number; a number keeps the
    tensor's dtype, so one past its range (1e300 in float32, which would be inf) is
    refused, as PyTorch refuses it."""
    a, b = (b, a) if isinstance(b, Tensor) and not isinstance(a, Tensor) else (a, b)
    a = as_tensor(a)
    if isinstance(b, numbers.Real):
        check_fits(b, a.dtype, f"gn.{op}", "the number")
    return binary_op(op, a, b)


def _join(tensors: Sequence[Any], fn: Callable, op: str, axis: int, rule: str) -> Any:
    """``fn`` (np.concatenate or np.stack) over the values; errors list every shape."""
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
        raise TypeError(  # (NumPy's axis=None, the flattened values, has no gradient split here)
            f"{op}: axis must be an integer. Got {axis!r}; for NumPy's axis=None join the "
            "flattened tensors, t.reshape(-1), on axis 0."
        )
    if isinstance(tensors, (Tensor, np.ndarray)):  # (iterating one would split its rows)
        raise TypeError(
            f"{op} takes a sequence of tensors (a list or tuple). Got one "
            f"{type(tensors).__name__} of shape {np.shape(tensors)}: pass [t] (or several)."
        )
    if not isinstance(tensors, (list, tuple)):  # (a generator: read once, here)
        if not isinstance(tensors, Iterable) or isinstance(tensors, (str, bytes, dict)):
            raise TypeError(
                f"{op} takes a sequence of tensors (a list or tuple). Got "
                f"{shown(tensors, 60)} of type {type(tensors).__name__}."
            )
        tensors = list(tensors)
    arrays = [t for t in tensors if isinstance(t, np.ndarray) and t.dtype.kind in "biu"]
    if arrays and len(arrays) == len(tensors):  # (labels or indices: PyTorch's long tensors)
        try:  # (their own kind of array, as torch.cat of LongTensors is one; no graph)
            return None, fn([np.asarray(t) for t in arrays], axis=axis).view(type(arrays[0]))
        except ValueError as e:
            raise ValueError(f"op {op!r}: shapes {[t.shape for t in arrays]} {rule}.") from e
    ts = tuple(_member(t, i, op) for i, t in enumerate(tensors))
    if not ts:
        raise ValueError(f"{op} needs at least one tensor. Got an empty sequence.")
    try:
        return ts, fn([t.data for t in ts], axis=axis)
    except ValueError as e:  # (an axis out of range, NumPy's AxisError, is an IndexError too)
        rule = f"cannot be joined: {e}" if isinstance(e, IndexError) else rule
        raise ValueError(f"op {op!r}: shapes {[t.shape for t in ts]} {rule}.") from e


def _member(t: Any, i: int, op: str) -> Tensor:
    """``tensors[i]`` of cat or stack as a Tensor; one not of numbers named by its place."""
    try:
        return as_tensor(t)
    except TypeError as e:
        why = "" if refused(e, "numbers") else f" ({e})"
        raise TypeError(
            f"{op}: tensors[{i}] must be a Tensor or an array of numbers. Got "
            f"{shown(t, 60)} of type {type(t).__name__}{why}."
        ) from None


class _Zero(int):
    """The default axis 0, told apart from an ``axis=0`` given beside ``dim``."""


_AXIS0 = _Zero(0)


def _axis(op: str, axis: Any, dim: Any) -> Any:
    """``axis``, or PyTorch's ``dim`` (``torch.cat(ts, dim=1)``) when given instead."""
    if dim is None:
        return int(axis) if type(axis) is _Zero else axis
    if axis is not _AXIS0:
        raise TypeError(f"{op}(): pass axis or dim (PyTorch's name), not both.")
    return dim


def concatenate(tensors: Sequence[Any], axis: int = _AXIS0, *, dim: int | None = None) -> Tensor:
    """Join tensors along an existing axis (``dim``: PyTorch's ``torch.cat``); the gradient
    is split back. Integer or bool arrays alone (labels, predictions) are joined as they
    are, an array of their kind, as ``torch.cat`` of long tensors gives a long tensor."""
    axis = _axis("concatenate", axis, dim)
    rule = f"cannot be joined on axis {axis}; all other axes must match"
    ts, out = _join(tensors, np.concatenate, "concatenate", axis, rule)
    if ts is None:  # (integer arrays joined as they are)
        return out
    bounds = np.cumsum([t.data.shape[axis] for t in ts])[:-1]
    return Tensor.from_op(out, "concatenate", ts, lambda g: tuple(np.split(g, bounds, axis=axis)))


cat = concatenate  # PyTorch's name: torch.cat(tensors, dim)


def stack(tensors: Sequence[Any], axis: int = _AXIS0, *, dim: int | None = None) -> Tensor:
    """Join same-shape tensors along a new axis (``dim``: PyTorch's name); the gradient is
    split back."""
    axis = _axis("stack", axis, dim)
    ts, out = _join(tensors, np.stack, "stack", axis, "differ; stack needs equal shapes")
    if ts is None:
        return out
    n = len(ts)
    return Tensor.from_op(
        out, "stack", ts, lambda g: tuple(np.squeeze(p, axis=axis) for p in np.split(g, n, axis))
    )


# ------------------------------------------------------------ splitting (cat's inverse)
_NOT_GIVEN: Any = NotGiven()


def _whole_number(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _split_dim(op: str, t: Tensor, dim: Any) -> int:
    """The axis ``op`` splits (negative counts from the end), or a clear error; a 0-d tensor
    has none to split, as PyTorch says."""
    n = t.data.ndim
    if n == 0:
        raise ValueError(
            f"{op}: x is 0-d (one value, no axis to split), as PyTorch refuses it; split a "
            f"tensor of at least one axis (x.reshape(1) has one)."
        )
    if not _whole_number(dim) or not -n <= dim < n:
        raise IndexError(
            f"{op}: dim must be an integer in [{-n}, {n - 1}] for a tensor of shape "
            f"{t.shape}. Got {dim!r:.40}."
        )
    return int(dim) % n


def _pieces(t: Tensor, op: str, sizes: Sequence[int], d: int) -> tuple[Tensor, ...]:
    """``t`` cut along axis ``d`` into pieces of ``sizes`` (which sum to its length): views,
    each a node whose gradient is g in its place and 0 elsewhere."""
    a, out, start = t.data, [], 0
    for k in sizes:
        where = (slice(None),) * d + (slice(start, start + k),)
        start += k

        def backward(g: np.ndarray, where: tuple[slice, ...] = where) -> tuple[np.ndarray]:
            full = np.zeros_like(a)
            full[where] = g
            return (full,)

        out.append(t._viewing(Tensor.from_op(a[where], op, (t,), backward)))
    return tuple(out)


def _split(
    self: Tensor,
    split_size: Any = _NOT_GIVEN,
    dim: Any = 0,
    *,
    split_size_or_sections: Any = _NOT_GIVEN,
) -> tuple[Tensor, ...]:
    """PyTorch's ``x.split(split_size, dim=0)`` (``torch.split(x, split_size_or_sections,
    dim)``): a tuple of pieces of x along ``dim``. An int: pieces of that length, the last
    shorter where it does not divide the length; a list of ints: pieces of those lengths,
    which must sum to the length (0 gives an empty piece). The pieces are views of x, each in
    the graph: its gradient goes back to its place in x (cat's inverse)."""
    if split_size is _NOT_GIVEN and split_size_or_sections is _NOT_GIVEN:
        raise TypeError(
            "split() needs split_size: the length of each piece (an int) or the lengths of "
            "all pieces (a list of ints), as PyTorch's x.split(2) or x.split([1, 2], dim=1)."
        )
    if split_size is not _NOT_GIVEN and split_size_or_sections is not _NOT_GIVEN:
        raise TypeError("split(): pass split_size or split_size_or_sections (its name in "
                        "torch.split), not both.")  # fmt: skip
    size = split_size if split_size_or_sections is _NOT_GIVEN else split_size_or_sections
    d = _split_dim("split", self, dim)
    n = self.data.shape[d]
    if isinstance(size, (list, tuple)):
        if not all(_whole_number(k) for k in size) or any(k < 0 for k in size):
            raise ValueError(
                f"split: the sections must be whole numbers >= 0 (the length of each piece), "
                f"as PyTorch's. Got {list(size)!r:.80}."
            )
        if sum(size) != n:
            raise ValueError(
                f"split: the sections {list(size)!r:.80} sum to {sum(size)}, but dim {dim} of "
                f"x (shape {self.shape}) has length {n}: they must sum to it exactly, as "
                f"PyTorch's; an int (x.split(2, dim={dim})) cuts pieces of one length, the "
                "last shorter."
            )
        return _pieces(self, "split", [int(k) for k in size], d)
    if not _whole_number(size):
        raise TypeError(
            f"split: split_size must be an int (the length of each piece) or a list of ints "
            f"(the length of every piece), as PyTorch's. Got {size!r:.40}."
        )
    if size < 0 or (size == 0 and n > 0):
        raise ValueError(
            f"split: split_size must be >= 1 (0 only for an axis of length 0), as PyTorch's. "
            f"Got {size} for dim {dim} of length {n} (x of shape {self.shape})."
        )
    size = int(size)
    count = max(-(-n // size), 1) if size else 1  # (an empty axis: one empty piece, as PyTorch)
    return _pieces(self, "split", [size] * (count - 1) + [n - size * (count - 1)], d)


def _chunk(self: Tensor, chunks: Any, dim: Any = 0) -> tuple[Tensor, ...]:
    """PyTorch's ``x.chunk(chunks, dim=0)``: ``x.split(ceil(length / chunks), dim)``, so the
    last piece is the shorter one, and fewer than ``chunks`` pieces come back where the length
    does not fill them (a length of 6 in 4 chunks gives 3 pieces of 2), as PyTorch's. An axis
    of length 0 gives ``chunks`` empty pieces, as PyTorch's."""
    if not _whole_number(chunks):
        raise TypeError(f"chunk: chunks must be an int (how many pieces). Got {chunks!r:.40}.")
    if chunks <= 0:
        raise ValueError(f"chunk: chunks must be >= 1, as PyTorch's. Got {chunks}.")
    d = _split_dim("chunk", self, dim)
    n = self.data.shape[d]
    if n == 0:
        return _pieces(self, "chunk", [0] * int(chunks), d)
    size = -(-n // int(chunks))
    count = -(-n // size)
    return _pieces(self, "chunk", [size] * (count - 1) + [n - size * (count - 1)], d)


attach(Tensor, {"split": _split, "chunk": _chunk}, module=False)

_IDENTITY = (  # (habits.py says the same of an index: ops and habits do not import each other)
    "a single True/False where a mask was meant? x == y gives one only where y is not a "
    "Tensor, an array or a number (a list, None): compare with x == glassnet.tensor(y)"
)


def where(condition: Any, a: Any = _NOT_GIVEN, b: Any = _NOT_GIVEN) -> Any:
    """Elementwise ``a`` where ``condition`` holds, else ``b``; gradients follow the choice.
    The dtype is the binary ops' (``a + b``): a number takes the other's dtype, float32 with
    float64 (a Tensor or an array) gives float64, as PyTorch's. ``where(mask)`` alone is
    PyTorch's ``nonzero(mask, as_tuple=True)``: a tuple of index arrays, one per axis."""
    if a is _NOT_GIVEN and b is _NOT_GIVEN and isinstance(condition, np.ndarray):
        return tuple(i.view(type(condition)) for i in np.nonzero(np.asarray(condition)))
    if a is _NOT_GIVEN or b is _NOT_GIVEN:
        raise TypeError(
            "where(condition, a, b) takes both a and b (or neither, for where(mask), the "
            "indices where a bool array holds: PyTorch's nonzero(mask, as_tuple=True))."
        )
    if type(condition) is bool:  # (every element would take a, or every one b)
        raise TypeError(f"where: the condition is {condition}: {_IDENTITY}.")
    values = condition.data if isinstance(condition, Tensor) else condition
    kind = values.dtype if hasattr(values, "dtype") else asarray(values).dtype
    if isinstance(condition, Tensor) or kind.kind != "b":  # (NumPy would take nonzero as True)
        raise TypeError(
            f"where: the condition must be a mask of True/False (a bool array: x > 0 gives "
            f"one), as PyTorch's. Got {'a Tensor' if isinstance(condition, Tensor) else 'values'}"
            f" of dtype {kind}: write where(c != 0, a, b) for the nonzero entries of c."
        )
    cond = asarray(values, dtype=bool)
    # the binary ops' dtype rule, both ways: a number takes the other operand's dtype, an
    # array or Tensor keeps its own and the result promotes (float32 with float64 gives
    # float64; b was cast to a's dtype, a float64 array narrowed to float32 without a word)
    for name, v, t in (("a", a, b), ("b", b, a)):  # (a number takes the other's dtype)
        if isinstance(v, (int, float)) and isinstance(t, Tensor):
            check_fits(v, t.dtype, "where(condition, a, b)", name)
    try:
        ta = operand(a, b) if isinstance(b, Tensor) else as_tensor(a)
    except TypeError as e:  # (where(c, None, t): named, as t + None is)
        raise operand_error(e, "where: a", a) from None
    try:
        tb = operand(b, ta)
    except TypeError as e:
        raise operand_error(e, "where: b", b) from None
    try:
        out = np.where(cond, ta.data, tb.data)
    except ValueError as e:
        shapes = f"{cond.shape}, {ta.shape} and {tb.shape}"
        raise ValueError(f"op 'where': shapes {shapes} cannot be broadcast together.") from e
    zero = np.zeros((), dtype=out.dtype, like=out)

    def backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ga = unbroadcast(np.where(cond, g, zero), ta.shape)
        return ga, unbroadcast(np.where(cond, zero, g), tb.shape)

    return Tensor.from_op(out, "where", (ta, tb), backward)
