"""PyTorch's further Tensor names that a teaching or MLP script writes, as torch defines them.

``x.mT``, ``x // y`` and ``x % y`` (``floor_divide``, ``remainder``; ``fmod``),
``x.diag()``/``diagonal``/``trace``, ``unbind``/``select``/``narrow``, ``masked_select``,
``repeat_interleave``, ``unflatten``, ``reciprocal``/``rsqrt``/``erf``, ``nan_to_num``,
``count_nonzero``, ``median``/``quantile``, ``index_put``/``index_put_`` (``accumulate=True``
sums repeated positions), and the functions ``gn.einsum``, ``gn.var_mean``, ``gn.std_mean``
and the function form of each method (``gn.diag(x)``). Each op's gradient is PyTorch's
(float64 finite differences in tests/test_gradcheck_all.py); ``floor_divide`` (``x // y``)
has none, as in PyTorch: a backward through it is refused, saying so.

A PyTorch name glassnet does not offer (``x.half()``, ``x.movedim``, ...) fails with an
AttributeError that says what to write instead (:data:`NOT_OFFERED`; a property of
Tensor whose reading raises, so ``hasattr`` is False); any other name keeps Python's
plain message.

Nothing of the engine imports this module; ``import glassnet`` attaches its methods to
:class:`~glassnet.tensor.Tensor`, as :mod:`glassnet.habits` attaches its own.

>>> import glassnet as gn
>>> x = gn.tensor([[1.0, 2.0], [3.0, 4.0]])
>>> x.mT.tolist(), (x // 2).tolist(), (x % 3).tolist(), x.trace().item()
([[1.0, 3.0], [2.0, 4.0]], [[0.0, 1.0], [1.0, 2.0]], [[1.0, 2.0], [0.0, 1.0]], 5.0)
"""

from __future__ import annotations

import collections
import math
import string
from typing import Any

import numpy as np

from ._validation import attach, check_bool, check_fits
from ._validation import missing_name as _module_missing_name
from .gradient import axis_of
from .habits import Array, check_writable, write_values
from .nn.containers import BUILDABLE
from .nn.torch_layers import Hardtanh, Unflatten, unflattened_shape
from .nn.torch_layers import erf as erf_values
from .tensor import Tensor, as_tensor, unbroadcast

# fmt: off
__all__ = [
    "einsum", "diag", "diagonal", "trace", "unbind", "select", "narrow", "masked_select",
    "repeat_interleave", "reciprocal", "rsqrt", "erf", "nan_to_num", "count_nonzero",
    "var_mean", "std_mean", "median", "quantile", "floor_divide", "remainder", "fmod",
    "index_put", "index_put_", "unflatten", "NOT_OFFERED", "missing_name",
]
# fmt: on

MedianResult = collections.namedtuple("median", ["values", "indices"])


def _data(x: Any) -> Any:
    return x.data if isinstance(x, Tensor) else x


def _node(value: Any, op: str, inputs: tuple[Any, ...], grads: Any) -> Tensor:
    """One node: ``value``; ``grads(g)`` gives d/d input for each input (None for a
    number), summed back to each input's shape."""
    parents = tuple(t for t in inputs if isinstance(t, Tensor))

    def backward(g: np.ndarray) -> tuple[Any, ...]:
        out = []
        for t, d in zip(inputs, grads(g)):
            if isinstance(t, Tensor):
                out.append(None if d is None else unbroadcast(np.asarray(d), t.shape))
        return tuple(out)

    return Tensor.from_op(np.asarray(value), op, parents, backward)


def _binary(a: Any, b: Any, op: str) -> tuple[Any, Any, np.ndarray, np.ndarray]:
    """The operands and their arrays in the result's dtype: two Tensors' (or a Tensor's and
    a float array's) NumPy promotion; a number or an integer array takes the Tensor's dtype,
    as PyTorch's and glassnet's ``x + y``."""
    for v in (a, b):
        if not isinstance(v, (Tensor, np.ndarray, int, float, np.integer, np.floating)):
            raise TypeError(
                f"{op}: the operands must be Tensors or numbers. Got {type(v).__name__}."
            )
    x, y = _data(a), _data(b)
    floats = [v.dtype for v in (x, y) if isinstance(v, np.ndarray) and v.dtype.kind == "f"]
    dt = np.result_type(*floats) if floats else np.dtype(np.float32)
    return a, b, np.asarray(x, dt), np.asarray(y, dt)


# ------------------------------------------------------------------------------------ //, %
def floor_divide(input: Any, other: Any) -> Tensor:  # noqa: A002 (PyTorch's names)
    """⌊input / other⌋ elementwise (``x // y``), PyTorch's ``floor_divide``. It has no
    gradient, as in PyTorch (piecewise constant): a backward through it raises."""
    a, b, x, y = _binary(input, other, "floor_divide")
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.floor_divide(x, y)

    def grads(g: np.ndarray) -> Any:
        raise RuntimeError(
            "derivative for floor_divide (x // y) is not implemented, as in PyTorch: it is "
            "piecewise constant. Divide the detached values, x.detach() // y, or use "
            "x / y (whose gradient exists) if the rounding is not needed."
        )

    return _node(value, "floor_divide", (a, b), grads)


def remainder(input: Any, other: Any) -> Tensor:  # noqa: A002
    """input − ⌊input / other⌋ · other (``x % y``, the sign of ``other``), PyTorch's
    ``remainder``; d/d input = 1, d/d other = −⌊input / other⌋ (PyTorch's). A number's
    remainder by a tensor (``7 % x``) has no gradient, as PyTorch's: a backward raises."""
    a, b, x, y = _binary(input, other, "remainder")
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.remainder(x, y)
        q = np.floor_divide(x, y)

    def grads(g: np.ndarray) -> tuple[Any, ...]:
        if not isinstance(a, Tensor):  # (PyTorch's remainder(Scalar, Tensor) has none)
            raise RuntimeError(
                "derivative for remainder of a number by a tensor (n % x) is not implemented, "
                "as in PyTorch: write gn.full_like(x, n) % x for the gradient of x."
            )
        return g, -g * q

    return _node(value, "remainder", (a, b), grads)


def fmod(input: Any, other: Any) -> Tensor:  # noqa: A002
    """input − trunc(input / other) · other (the sign of ``input``, C's fmod), PyTorch's
    ``fmod``; d/d input = 1, d/d other = −trunc(input / other)."""
    a, b, x, y = _binary(input, other, "fmod")
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.fmod(x, y)
        q = np.trunc(x / y)
    return _node(value, "fmod", (a, b), lambda g: (g, -g * q))


def _inplace(sym: str, fn: Any) -> Any:
    """``x //= y`` and ``x %= y`` in place, under the rules of ``x += y`` (habits): a leaf
    that requires grad only under ``no_grad()``, a graph's node refused, the version bumped."""

    def op(self: Tensor, other: Any) -> Tensor:
        check_writable(self, f"x {sym} y", sym[:-1], other)
        _binary(self, other, f"x {sym} y")  # (the same operand types as x // y)
        try:
            with np.errstate(divide="ignore", invalid="ignore"):
                fn(self.data, _data(other), out=self.data)
        except (TypeError, ValueError) as e:
            raise ValueError(f"x {sym} y on x of shape {self.shape}: {e}") from e
        self._bump()
        return self

    return op


# ------------------------------------------------------------------------------------ diagonals
def _mt(self: Tensor) -> Tensor:
    if self.ndim == 0:  # (PyTorch's: the 0-d tensor itself)
        return self.reshape(())
    if self.ndim < 2:
        raise RuntimeError(
            f"tensor.mT is only supported on matrices or batches of matrices. Got "
            f"{self.ndim}-D tensor: x.T (or x itself) for a vector."
        )
    return self.transpose(-2, -1)


def diagonal(input: Any, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:  # noqa: A002
    """The diagonal of the matrices over axes ``dim1``/``dim2`` (``offset`` above it, below
    for negative), as a new last axis: PyTorch's ``diagonal`` (a copy here, not a view)."""
    t = as_tensor(input)
    d1, d2 = axis_of("diagonal", dim1, t.ndim), axis_of("diagonal", dim2, t.ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal: dim1 and dim2 cannot be equal. Got {dim1} and {dim2}.")
    offset = int(offset)
    value = np.diagonal(t.data, offset, d1, d2).copy()

    def grads(g: np.ndarray) -> tuple[np.ndarray]:
        z = np.zeros(t.shape, g.dtype)
        moved = np.moveaxis(z, (d1, d2), (-2, -1))
        n = g.shape[-1]
        moved[..., np.arange(n) + max(-offset, 0), np.arange(n) + max(offset, 0)] = g
        return (z,)

    return _node(value, "diagonal", (t,), grads)


def diag(input: Any, diagonal: int = 0) -> Tensor:  # noqa: A002
    """PyTorch's ``diag``: a vector's square matrix with it on the ``diagonal``-th diagonal,
    or a matrix's diagonal as a vector."""
    t = as_tensor(input)
    k = int(diagonal)
    if t.ndim == 2:
        return globals()["diagonal"](t, k)
    if t.ndim != 1:
        raise RuntimeError(
            f"diag(): Supports 1D or 2D tensors. Got {t.ndim}D: x.diagonal(dim1=, dim2=) takes "
            "the diagonal of any two axes."
        )
    value = np.diag(t.data, k)
    return _node(value, "diag", (t,), lambda g: (np.diagonal(g, k).copy(),))


def trace(input: Any) -> Tensor:  # noqa: A002
    """The sum of a matrix's diagonal, PyTorch's ``trace`` (2-D only, as torch's)."""
    t = as_tensor(input)
    if t.ndim != 2:
        raise RuntimeError(
            f"trace: expected a matrix, but got tensor with {t.ndim} dims (shape {t.shape}); "
            "x.diagonal(dim1=-2, dim2=-1).sum(-1) for a batch of matrices."
        )
    return diagonal(t).sum()


# ------------------------------------------------------------------------------------ slicing
def select(input: Any, dim: int, index: int) -> Tensor:  # noqa: A002
    """``x[..., index, ...]`` on axis ``dim`` (that axis dropped), PyTorch's ``select``."""
    t = as_tensor(input)
    if t.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = axis_of("select", dim, t.ndim)
    n = t.shape[d]
    if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
        raise TypeError(f"select: index must be an int. Got {index!r:.40}.")
    if not -n <= index < n:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size {list(t.shape)} at "
            f"dimension {dim}."
        )
    return t[(slice(None),) * d + (int(index) % n,)]


def narrow(input: Any, dim: int, start: int, length: int) -> Tensor:  # noqa: A002
    """``length`` entries of axis ``dim`` from ``start`` (negative from the end), PyTorch's
    ``narrow``."""
    t = as_tensor(input)
    if t.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = axis_of("narrow", dim, t.ndim)
    n = t.shape[d]
    start, length = _data(start), _data(length)
    if not -n <= int(start) <= n:
        raise IndexError(
            f"narrow(): start ({start}) out of range for dimension {dim} of size {n} (expected "
            f"to be in range of [{-n}, {n}])."
        )
    s = int(start) % n if n and int(start) < 0 else int(start)
    if int(length) < 0 or s + int(length) > n:
        raise RuntimeError(
            f"narrow(): start ({start}) + length ({length}) exceeds dimension size ({n})."
        )
    return t[(slice(None),) * d + (slice(s, s + int(length)),)]


def unbind(input: Any, dim: int = 0) -> tuple[Tensor, ...]:  # noqa: A002
    """The slices along ``dim``, each without that axis, PyTorch's ``unbind``."""
    t = as_tensor(input)
    d = axis_of("unbind", dim, t.ndim)
    return tuple(select(t, d, i) for i in range(t.shape[d]))


def unflatten(input: Any, dim: int, sizes: Any) -> Tensor:  # noqa: A002
    """Axis ``dim`` split into ``sizes`` (one may be -1), PyTorch's ``unflatten``."""
    t = as_tensor(input)
    return t.reshape(*unflattened_shape(t.shape, dim, sizes, "unflatten"))


def masked_select(input: Any, mask: Any) -> Tensor:  # noqa: A002
    """The entries where the bool ``mask`` is True, as a vector (x and mask broadcast
    together), PyTorch's ``masked_select``."""
    t = as_tensor(input)
    m = np.asarray(_data(mask))
    if m.dtype != np.bool_:
        raise RuntimeError(
            f"masked_select: expected a bool mask (a comparison, x > 0). Got dtype {m.dtype}."
        )
    shape = np.broadcast_shapes(t.shape, m.shape)
    x = t if t.shape == shape else t.expand(*shape)
    return x[np.broadcast_to(m, shape)]


def repeat_interleave(
    input: Any,  # noqa: A002
    repeats: Any,
    dim: int | None = None,
    *,
    output_size: int | None = None,
) -> Tensor:
    """Each entry repeated ``repeats`` times in place (an int, or one count per entry of
    ``dim``), PyTorch's ``repeat_interleave``; ``dim=None``: of the flattened input."""
    t = as_tensor(input)
    if dim is None:
        t, d = t.reshape(-1), 0
    else:
        d = axis_of("repeat_interleave", dim, t.ndim)
        if t.ndim == 0:
            t = t.reshape(1)
    r = np.asarray(_data(repeats))
    n = t.shape[d]
    if r.dtype.kind not in "iu" or r.ndim > 1 or (r.ndim == 1 and r.size not in (1, n)):
        raise RuntimeError(
            f"repeat_interleave: repeats must be an int or a vector of ints of the size of the "
            f"dim ({n}). Got {r!r:.60}."
        )
    if (r < 0).any():
        raise RuntimeError("repeat_interleave: repeats can not be negative.")
    index = np.repeat(np.arange(n), r.reshape(-1) if r.ndim else int(r))
    if output_size is not None and int(output_size) != index.size:
        raise RuntimeError(
            f"repeat_interleave: output_size {output_size} is not the repeats' total {index.size}."
        )
    return t[(slice(None),) * d + (index,)]


# ------------------------------------------------------------------------------------ pointwise
def _unary(input: Any, op: str, value: np.ndarray, grad: Any) -> Tensor:
    t = as_tensor(input)
    dt = t.data.dtype
    return _node(value.astype(dt, copy=False), op, (t,), lambda g: (g * grad().astype(dt),))


def reciprocal(input: Any) -> Tensor:  # noqa: A002
    """1 / x, PyTorch's ``reciprocal``; d/dx = −1 / x²."""
    x = as_tensor(input).data
    with np.errstate(divide="ignore"):
        v = 1 / x
    return _unary(input, "reciprocal", v, lambda: -v * v)


def rsqrt(input: Any) -> Tensor:  # noqa: A002
    """1 / √x, PyTorch's ``rsqrt``; d/dx = −½ x^(−3/2)."""
    x = as_tensor(input).data
    with np.errstate(divide="ignore", invalid="ignore"):
        v = 1 / np.sqrt(x)
    return _unary(input, "rsqrt", v, lambda: -0.5 * v * v * v)


def erf(input: Any) -> Tensor:  # noqa: A002
    """The error function (W. J. Cody's, glassnet.nn.torch_layers.erf), PyTorch's ``erf``;
    d/dx = 2/√π e^(−x²)."""
    x = as_tensor(input).data
    return _unary(
        input, "erf", erf_values(x), lambda: 2 / math.sqrt(math.pi) * np.exp(-np.square(x))
    )


def nan_to_num(
    input: Any,  # noqa: A002
    nan: float = 0.0,
    posinf: float | None = None,
    neginf: float | None = None,
) -> Tensor:
    """NaN, +inf and −inf replaced (by 0, the dtype's largest and smallest value by
    default), PyTorch's ``nan_to_num``; the gradient passes where x is finite (0 elsewhere)."""
    x = as_tensor(input).data
    v = np.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)
    return _unary(input, "nan_to_num", v, lambda: np.isfinite(x))


def count_nonzero(input: Any, dim: Any = None) -> Array:  # noqa: A002
    """How many entries are nonzero (over ``dim``, an int or a tuple), PyTorch's
    ``count_nonzero``: an int64 :class:`~glassnet.habits.Array` (PyTorch's long tensor)."""
    a = np.asarray(_data(input))
    return np.asarray(np.count_nonzero(a, axis=dim), np.int64).view(Array)


def _moments(op: str, input: Any, dim: Any, unbiased: Any, keepdim: Any, correction: Any) -> Any:
    t = as_tensor(input)
    kw: dict[str, Any] = {"correction": correction} if correction is not None else {}
    if unbiased is not None:
        kw["unbiased"] = unbiased
    spread = getattr(t, op)(dim, keepdim=bool(keepdim), **kw)
    return spread, t.mean(dim=dim, keepdim=bool(keepdim))


def var_mean(
    input: Any,  # noqa: A002
    dim: Any = None,
    unbiased: Any = None,
    keepdim: Any = False,
    *,
    correction: Any = None,
) -> tuple[Tensor, Tensor]:
    """``(x.var(dim, ...), x.mean(dim))``, PyTorch's ``var_mean`` (``correction=1`` by
    default: unbiased)."""
    return _moments("var", input, dim, unbiased, keepdim, correction)


def std_mean(
    input: Any,  # noqa: A002
    dim: Any = None,
    unbiased: Any = None,
    keepdim: Any = False,
    *,
    correction: Any = None,
) -> tuple[Tensor, Tensor]:
    """``(x.std(dim, ...), x.mean(dim))``, PyTorch's ``std_mean``."""
    return _moments("std", input, dim, unbiased, keepdim, correction)


# ------------------------------------------------------------------------------------ order
def median(input: Any, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A002
    """PyTorch's ``median``: the lower of the two middle values (no average), NaN where a
    NaN is. Without ``dim`` a 0-d Tensor of all values; with it ``(values, indices)``. The
    gradient: along ``dim`` to the entry chosen; without ``dim`` split evenly between the
    entries equal to the median (the NaNs where one is), as PyTorch's. An empty tensor's
    median is NaN, as PyTorch's; along an axis of length 0 it is refused, as PyTorch's."""
    t = as_tensor(input)
    if dim is None:
        a = t.data
        nan = np.isnan(a)
        if a.size == 0:
            value = np.array(np.nan, a.dtype)
        elif nan.any():
            value = np.array(np.nan, a.dtype)
        else:
            value = np.sort(a, axis=None)[(a.size - 1) // 2]
        ties = nan if np.isnan(value) else a == value
        share = ties / max(int(ties.sum()), 1)
        return _node(value, "median", (t,), lambda g: (g * share.astype(g.dtype),))
    d = axis_of("median", dim, t.ndim)
    if t.ndim and t.shape[d] == 0:
        raise IndexError(
            f"median(): Expected reduction dim {d} to have non-zero size (shape {t.shape}), "
            "as PyTorch's: an axis of length 0 has no middle value."
        )
    a = t.data if t.ndim else t.data.reshape(1)
    k = (a.shape[d] - 1) // 2
    idx = np.take(np.argsort(a, axis=d, kind="stable"), [k], axis=d)
    nan = np.isnan(a)
    idx = np.where(nan.any(axis=d, keepdims=True), np.argmax(nan, axis=d, keepdims=True), idx)
    src = t if t.ndim else t.reshape(1)
    values = src.gather(d, idx.astype(np.int64))
    if not keepdim or t.ndim == 0:
        values, idx = values.squeeze(d), idx.squeeze(d)
    if t.ndim == 0:
        values, idx = t * 1, idx.reshape(())
    return MedianResult(values, idx.astype(np.int64).view(Array))


_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def quantile(
    input: Any,  # noqa: A002
    q: Any,
    dim: Any = None,
    keepdim: bool = False,
    *,
    interpolation: str = "linear",
) -> Tensor:
    """PyTorch's ``quantile``: the q-th quantile (q in [0, 1], a number or a vector, whose
    axis comes first) of all values or along ``dim``, between the sorted values as
    ``interpolation`` says; NaN where a NaN is. Gradient: to the one or two entries used."""
    if interpolation not in _INTERPOLATIONS:
        raise ValueError(
            f"quantile() interpolation must be one of {', '.join(_INTERPOLATIONS)}. Got "
            f"{interpolation!r:.40}."
        )
    t = as_tensor(input)
    qs = np.asarray(_data(q), np.float64)
    if qs.ndim > 1:
        raise RuntimeError("quantile() q must be a scalar or 1D tensor.")
    if qs.size and ((qs < 0) | (qs > 1) | np.isnan(qs)).any():
        raise RuntimeError("quantile() q values must be in the range [0, 1].")
    if t.data.size == 0:
        raise IndexError("quantile() input tensor must be non-empty.")
    if dim is None:
        x, d = t.reshape(-1), 0
    else:
        d = axis_of("quantile", dim, t.ndim)
        x = t if t.ndim else t.reshape(1)
    n = x.shape[d]
    order = np.argsort(x.data, axis=d, kind="stable")
    nan = np.isnan(x.data).any(axis=d, keepdims=True)
    if nan.any():  # (PyTorch's: a row with NaN takes its last sorted value, a NaN, gradient too)
        order = np.where(nan, np.take(order, [n - 1], axis=d), order)
    pos = qs.reshape(-1) * (n - 1)
    lo, hi = np.floor(pos).astype(np.int64), np.ceil(pos).astype(np.int64)
    if interpolation == "nearest":
        lo = hi = np.round(pos).astype(np.int64)  # (half to even, as PyTorch's round)
    elif interpolation == "lower":
        hi = lo
    elif interpolation == "higher":
        lo = hi
    w = {"linear": pos - np.floor(pos), "midpoint": np.where(hi > lo, 0.5, 0.0)}.get(
        interpolation, np.zeros_like(pos)
    )

    def at(k: np.ndarray) -> Tensor:  # sorted values k, stacked on a new axis 0
        idx = np.take(order, k, axis=d)  # (q's axis at d)
        v = x.gather(d, np.moveaxis(idx, d, d) if idx.ndim else idx)
        return v.unsqueeze(0).transpose(0, d + 1).squeeze(d + 1)

    v_lo, v_hi = at(lo), at(hi)
    shape = (-1,) + (1,) * (v_lo.ndim - 1)
    out = v_lo + (v_hi - v_lo) * Tensor(w.reshape(shape).astype(x.data.dtype))
    if keepdim and t.ndim:  # (a 0-d input keeps no axis, as PyTorch's)
        out = out.unsqueeze(d + 1) if dim is not None else out.reshape(-1, *([1] * t.ndim))
    return out if qs.ndim else out.squeeze(0)


# ------------------------------------------------------------------------------------ index_put
def _indices(indices: Any, op: str) -> tuple[Any, ...]:
    if not isinstance(indices, (tuple, list)):
        raise TypeError(
            f"{op}: indices must be a tuple of index arrays (one per leading axis), as "
            f"PyTorch's: x.{op}((rows, cols), values). Got {type(indices).__name__}."
        )
    out = []
    for i in indices:
        if isinstance(i, Tensor):
            raise TypeError(
                f"{op}: an index must hold integers or bools (PyTorch's long or bool tensor); "
                f"a glassnet Tensor holds floats: pass i.long(), an int64 array, or a list."
            )
        a = np.asarray(i)
        if a.dtype.kind not in "iub" or (a.dtype.kind == "b" and a.ndim == 0):
            raise TypeError(
                f"{op}: tensors used as indices must be long, int or bool. Got dtype {a.dtype}."
            )
        out.append(a)
    return tuple(out)


def _put(t: Tensor, indices: Any, values: Any, accumulate: Any, op: str) -> tuple[Any, ...]:
    idx = _indices(indices, op)
    check_bool(accumulate, "accumulate", op)
    v = np.asarray(_data(values))
    check_fits(v, t.data.dtype, f"x.{op}(indices, values)", "values")
    new = t.data.copy()
    try:
        if accumulate:
            np.add.at(new, idx, v.astype(new.dtype, copy=False))
        else:
            new[idx] = v
    except (IndexError, ValueError) as e:
        raise type(e)(f"{op} on x of shape {t.shape}: {e}") from e
    return idx, new


def index_put(
    input: Any,  # noqa: A002
    indices: Any,
    values: Any,
    accumulate: bool = False,
) -> Tensor:
    """A copy of x with ``x[indices] = values`` (``accumulate=True``: ``+=``, repeated
    positions summed), PyTorch's ``index_put``; gradients to x (0 at the positions
    overwritten) and to values."""
    t = as_tensor(input)
    idx, new = _put(t, indices, values, accumulate, "index_put")

    def grads(g: np.ndarray) -> tuple[Any, ...]:
        gx = g
        if not accumulate:
            gx = g.copy()
            gx[idx] = 0
        return gx, g[idx]

    return _node(new, "index_put", (t, values), grads)


def index_put_(self: Tensor, indices: Any, values: Any, accumulate: bool = False) -> Tensor:
    """``x[indices] = values`` in place (``accumulate=True``: ``+=``, repeated positions
    summed: ``np.add.at``), PyTorch's ``index_put_``, under the rules of ``x += y`` (a
    parameter under ``no_grad()``, a tensor no graph needs)."""
    what = "x.index_put_(indices, values)"
    check_writable(self, what, "", values)  # (values' own gradient, before any write)
    new = _put(self, indices, values, accumulate, "index_put_")[1]
    return write_values(self, what, new)


# ------------------------------------------------------------------------------------ einsum
def einsum(equation: str, *operands: Any) -> Tensor:
    """PyTorch's ``einsum(equation, *operands)`` (``'ij,jk->ik'``; ``...``, an implicit
    output, repeated letters for a diagonal): NumPy's ``np.einsum`` forward; each operand's
    gradient is the einsum of the output's gradient with the other operands (letters of
    its own only broadcast, a repeated letter's diagonal written back)."""
    if not isinstance(equation, str):
        raise TypeError(f"einsum: the equation must be a str ('ij,jk->ik'). Got {equation!r:.40}.")
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    ts = [as_tensor(o) for o in operands]
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(ts):
        raise ValueError(
            f"einsum(): the equation {equation!r} has {len(terms)} operand(s); got "
            f"{len(ts)} tensor(s)."
        )
    free = [c for c in string.ascii_letters if c not in eq]
    width = max(
        (t.ndim - len(s.replace("...", "")) for s, t in zip(terms, ts) if "..." in s), default=0
    )
    dots = "".join(free[:width])
    spelled = []
    for s, t in zip(terms, ts):
        if "..." in s:
            k = t.ndim - len(s.replace("...", ""))
            s = s.replace("...", dots[width - k :] if k > 0 else "")
        if len(s) != t.ndim or (s and not s.isalpha()):  # ('' names a 0-d operand)
            raise ValueError(
                f"einsum(): the term {s!r} of {equation!r} names {len(s)} axes for an operand "
                f"of {t.ndim} (shape {t.shape})."
            )
        spelled.append(s)
    if arrow:
        out = rhs.replace("...", dots)
    else:  # (NumPy's implicit output: the letters used once, sorted; the broadcast ones first)
        counts = collections.Counter("".join(spelled))
        out = dots + "".join(sorted(c for c in counts if counts[c] == 1 and c not in dots))
    dtype = np.result_type(*(t.data.dtype for t in ts))
    arrays = [t.data.astype(dtype, copy=False) for t in ts]
    try:
        value = np.einsum(",".join(spelled) + "->" + out, *arrays)
    except ValueError as e:
        raise ValueError(f"einsum(): {equation!r} with shapes {[t.shape for t in ts]}: {e}") from e
    sizes = {c: n for s, a in zip(spelled, arrays) for c, n in zip(s, a.shape) if n != 1}

    def grads(g: np.ndarray) -> list[np.ndarray]:
        result = []
        for i, s in enumerate(spelled):
            own = "".join(dict.fromkeys(s))  # (its letters once each)
            others = [(spelled[j], arrays[j]) for j in range(len(arrays)) if j != i]
            known = set(out).union(*(set(o) for o, _ in others))
            lone = "".join(c for c in own if c not in known)  # summed in this operand only
            ones = np.ones([sizes.get(c, 1) for c in lone], dtype)
            subs = ",".join([out] + [o for o, _ in others] + [lone])
            d = np.einsum(subs + "->" + own, g, *(a for _, a in others), ones)
            d = np.broadcast_to(
                d, [sizes.get(c, 1) if c in sizes else n for c, n in zip(own, d.shape)]
            )
            if len(own) != len(s):  # a repeated letter: its diagonal, zero elsewhere
                full = np.zeros(ts[i].shape, dtype)
                grid = np.ix_(*(np.arange(n) for n in d.shape))
                full[tuple(grid[own.index(c)] for c in s)] = d
                d = full
            result.append(unbroadcast(np.asarray(d), ts[i].shape))
        return result

    return _node(value, "einsum", tuple(ts), grads)


# ------------------------------------------------------------------------------------ not offered
#: PyTorch names glassnet does not offer, and what to write instead (a Tensor's attributes;
#: glassnet's module-level ones under the key "glassnet")
NOT_OFFERED: dict[str, dict[str, str]] = {
    "Tensor": {
        "half": "write x.float() (or x.double()): glassnet computes in float32 or float64 only",
        "bfloat16": "write x.float() (or x.double()): glassnet computes in float32 or float64",
        "index_add_": "write x.index_put_((index,), values, accumulate=True) (along dim 0)",
        "index_add": "write x.index_put((index,), values, accumulate=True) (along dim 0)",
        "index_copy_": "write x[index] = values (under no_grad() for a parameter)",
        "take_along_dim": "write x.gather(dim, index)",
        "movedim": "write x.permute(*order), every axis in its new order",
        "moveaxis": "write x.permute(*order), every axis in its new order",
        "swapaxes": "write x.transpose(dim0, dim1)",
        "swapdims": "write x.transpose(dim0, dim1)",
        "tile": "write x.repeat(*sizes) (one count per axis of x at least)",
        "broadcast_to": "write x.expand(*sizes)",
        "reshape_as": "write x.view_as(other) (or x.reshape(*other.shape))",
        "nelement": "write x.numel()",
        "stride": "read x.numpy().strides (NumPy's, in bytes)",
        "data_ptr": "read x.numpy().ctypes.data",
        "is_contiguous": "read x.numpy().flags['C_CONTIGUOUS'] (x.contiguous() makes one)",
        "cumprod": "write np.cumprod(x.detach().numpy(), axis) (outside the graph: no gradient)",
        "kthvalue": "write x.sort(dim).values.select(dim, k - 1)",
        "mode": "write glassnet.unique(x, return_counts=True) and take the most counted value",
        "nansum": "write x.nan_to_num().sum(dim)",
        "nanmean": "write x[~x.isnan()].mean() (over all values)",
        "logical_not": "write ~mask on the bool Array that a comparison gives",
        "mH": "write x.mT: glassnet's tensors are real (the conjugate is the tensor itself)",
        "H": "write x.T: glassnet's tensors are real (the conjugate is the tensor itself)",
    },
    "glassnet": {
        "tensordot": "write glassnet.einsum with the contracted letters, or x @ y",
        "baddbmm": "write input + x @ y",
        "addmm": "write input + x @ y",
        "cdist": "write ((x.unsqueeze(1) - y.unsqueeze(0)) ** 2).sum(-1).sqrt()",
        "kron": "write np.kron(x.detach().numpy(), y.detach().numpy()) (outside the graph)",
        "cumprod": "write np.cumprod(x.detach().numpy(), axis) (outside the graph: no gradient)",
        "nansum": "write glassnet.nan_to_num(x).sum(dim)",
        "hypot": "write (x ** 2 + y ** 2).sqrt()",
    },
}


def missing_name(module: str, name: str) -> AttributeError:
    """The AttributeError of ``module.name`` (glassnet's ``__getattr__``): for a PyTorch name
    listed in :data:`NOT_OFFERED`, what to write instead; otherwise glassnet's own."""
    hint = NOT_OFFERED.get(module, {}).get(name)
    if hint is None:
        return _module_missing_name(module, name)
    return AttributeError(
        f"module {module!r} has no attribute {name!r}: PyTorch's torch.{name} is not offered by "
        f"glassnet; {hint}.",
        name=name,
    )


def _not_offered(name: str) -> property:
    """A Tensor property for a PyTorch name glassnet lacks: reading it raises the
    AttributeError that says what to write (``hasattr`` is False). Not a ``__getattr__``:
    on CPython 3.11 that would slow every Tensor attribute access (no specialisation)."""
    hint = NOT_OFFERED["Tensor"][name]

    def read(self: Tensor) -> Any:
        raise AttributeError(
            f"'Tensor' object has no attribute {name!r}: PyTorch's x.{name} is not offered "
            f"by glassnet; {hint}.",
            name=name,
            obj=self,
        )

    return property(read, doc=f"Not offered (PyTorch's x.{name}): {hint}.")


# ------------------------------------------------------------------------------------ attach
Tensor.mT = property(_mt, doc="The last two axes swapped (PyTorch's x.mT).")


def _floordiv(self: Tensor, other: Any) -> Tensor:
    """``x // y``: :func:`floor_divide`, as PyTorch's."""
    return floor_divide(self, other)


def _rfloordiv(self: Tensor, other: Any) -> Tensor:
    """``y // x``: :func:`floor_divide`, as PyTorch's."""
    return floor_divide(other, self)


def _mod(self: Tensor, other: Any) -> Tensor:
    """``x % y``: :func:`remainder` (the sign of y), as PyTorch's."""
    return remainder(self, other)


def _rmod(self: Tensor, other: Any) -> Tensor:
    """``y % x``: :func:`remainder` (the sign of x), as PyTorch's."""
    return remainder(other, self)


attach(Tensor, {"__floordiv__": _floordiv, "__rfloordiv__": _rfloordiv, "__mod__": _mod,
    "__rmod__": _rmod}, module=False)  # fmt: skip
Tensor.__ifloordiv__ = _inplace("//=", np.floor_divide)  # (without them, x //= y and x %= y
Tensor.__imod__ = _inplace("%=", np.remainder)  # made a new tensor, leaving x's alias as it was)
Tensor.floor_divide, Tensor.remainder, Tensor.fmod = floor_divide, remainder, fmod
Tensor.diag, Tensor.diagonal, Tensor.trace = diag, diagonal, trace
Tensor.select, Tensor.narrow, Tensor.unbind, Tensor.unflatten = select, narrow, unbind, unflatten
Tensor.masked_select, Tensor.repeat_interleave = masked_select, repeat_interleave
Tensor.reciprocal, Tensor.rsqrt, Tensor.erf = reciprocal, rsqrt, erf
Tensor.nan_to_num, Tensor.count_nonzero = nan_to_num, count_nonzero
Tensor.median, Tensor.quantile = median, quantile
Tensor.index_put, Tensor.index_put_ = index_put, index_put_
for _name in NOT_OFFERED["Tensor"]:
    setattr(Tensor, _name, _not_offered(_name))
BUILDABLE.update(Hardtanh=Hardtanh, Unflatten=Unflatten)  # (gn.load rebuilds them)
