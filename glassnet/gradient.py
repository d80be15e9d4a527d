"""The array a tensor's ``.grad`` is: a NumPy array with PyTorch's methods for a gradient.

``w.grad`` holds dL/dw as a NumPy array (the lecture's numbers, printed as NumPy prints
them). PyTorch's loops call a few tensor methods on it, ``w.grad.zero_()`` above all
(PyTorch's "What is torch.nn really?" clears its gradients so), and log with
``p.grad.norm().item()`` or ``p.grad.detach().cpu().numpy()``: :class:`Grad` is the NumPy
array with those methods, so that code runs as written; the PyTorch method names whose
NumPy namesakes mean something else (``g.size()``, ``g.t()``, ``g.transpose(0, 1)``,
``g.max(1)``, ``g.sort()``, ``g.repeat(2, 1)``, ``g.nonzero()``, ``g.std()``, ...) have
PyTorch's meaning
(:class:`TorchMethods` states the rule; NumPy's functions, ``np.std(g)``, keep NumPy's).
Everything else is NumPy's:
arithmetic on it gives plain NumPy arrays (``lr * w.grad``), reductions NumPy scalars,
its repr is the plain array's; a view of it (``w.grad[0]``, ``w.grad.T``) is a Grad too.

``backward()`` leaves a Grad in every ``.grad`` it fills, and an optimizer's flat gradient
buffer (:mod:`glassnet.nn.flat`) is seen through Grad views; an array you assign to
``p.grad`` yourself is kept as given (``p.grad = np.zeros(3)`` stays that array), a
Tensor assigned is seen as a Grad of its values. A gradient on a GPU is CuPy's array, with
CuPy's methods.

>>> import glassnet as gn
>>> w = gn.tensor([1.0, 2.0], requires_grad=True)
>>> (w * w).sum().backward()
>>> w.grad
array([2., 4.], dtype=float32)
>>> round(w.grad.norm().item(), 4)  # sqrt(2² + 4²), in float32
4.4721
>>> w.grad.zero_()
array([0., 0.], dtype=float32)
"""

from __future__ import annotations

import collections
import math
import operator
from typing import Any

import numpy as np

__all__ = [
    "scaled_norm",
    "Grad",
    "TorchMethods",
    "TorchSize",
    "as_grad",
    "axis_of",
    "axis_sum",
    "bias_sum",
    "long_sum",
    "masked",
    "plain",
    "running_sum",
    "stable_order",
]

_NUMPY1 = np.lib.NumpyVersion(np.__version__) < "2.0.0"


def _values(other: Any) -> Any:
    """A Tensor's values (its ``.data``), anything else as given."""
    return other.data if hasattr(other, "backward_fn") else other


class TorchSize(int):
    """``a.size``: the number of values, an int as NumPy's ``a.size``, which is also
    PyTorch's method: ``a.size()`` is the shape and ``a.size(dim)`` the length of axis
    ``dim`` (negative counts from the end), with PyTorch's errors."""

    _shape: tuple[int, ...]

    def __new__(cls, data: Any) -> TorchSize:
        self = super().__new__(cls, data.size)  # (the array's own count: np.prod cost 5 µs)
        self._shape = tuple(data.shape)
        return self

    def __call__(self, dim: int | None = None) -> Any:
        if dim is None:
            return self._shape
        if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
            raise TypeError(
                f"size(): argument 'dim' (position 1) must be int, not {type(dim).__name__}"
            )
        n = len(self._shape)
        if n == 0:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        if not -n <= dim < n:
            raise IndexError(
                f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got "
                f"{dim})"
            )
        return self._shape[dim]

    def __reduce__(self) -> tuple[type, tuple[int]]:
        return (int, (int(self),))  # (pickled and copied as the plain int)


#: PyTorch's named tuples of ``sort``, ``topk``, ``max`` and ``min`` (``torch.return_types``;
#: :class:`glassnet.habits.return_types` names these same classes)
SortResult = collections.namedtuple("sort", ["values", "indices"])
TopkResult = collections.namedtuple("topk", ["values", "indices"])
MaxResult = collections.namedtuple("max", ["values", "indices"])
MinResult = collections.namedtuple("min", ["values", "indices"])

#: NumPy's keywords of the methods below: a call that passes one is NumPy's (np.sort(a)
#: calls a.sort(axis=..., kind=..., order=...), np.repeat(a, n) a.repeat(n, axis=None))
_NUMPY_KEYWORDS = frozenset(
    {"axis", "out", "keepdims", "initial", "where", "kind", "order", "ddof"}
)


def _ints(op: str, args: tuple[Any, ...], noun: str) -> tuple[int, ...]:
    """``f(2, 3)`` and ``f((2, 3))`` as ints, or a TypeError naming the first that is not."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    for k in args:
        if isinstance(k, (bool, np.bool_)) or not isinstance(k, (int, np.integer)):
            raise TypeError(f"{op} takes {noun} as whole numbers. Got {k!r:.40} in {args!r:.80}.")
    return tuple(int(k) for k in args)


def axis_of(op: str, dim: Any, ndim: int) -> int:
    """PyTorch's ``dim`` as an axis in [0, ndim) (a 0-d array takes 0 and -1)."""
    n = max(ndim, 1)
    if isinstance(dim, (bool, np.bool_)) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{op}: dim must be an int. Got {dim!r:.40}.")
    if not -n <= dim < n:
        raise IndexError(f"{op}: dim must be in [{-n}, {n - 1}]. Got {dim}.")
    return int(dim) % n


def _plain_all(x: Any) -> Any:
    """``x`` with every array of these classes in it (in lists and tuples too) a plain view."""
    if isinstance(x, TorchMethods):
        return np.ndarray.view(x, np.ndarray)  # type: ignore[arg-type]
    if isinstance(x, (list, tuple)):
        return type(x)(_plain_all(v) for v in x)
    return x


def stable_order(a: np.ndarray, axis: int, descending: bool) -> np.ndarray:
    """The stable order of ``a`` along ``axis``, NaN counted above every number (last when
    ascending, first when descending), as PyTorch's ``sort`` (a Tensor's, an Array's)."""
    if not descending:
        return np.argsort(a, axis=axis, kind="stable")
    if a.dtype.kind in "iub":  # (-a wraps around for unsigned and the smallest integer:
        # the stable ascending order of the reversed array, reversed, keeps ties in order)
        rev = np.flip(a, axis=axis)
        order = np.flip(np.argsort(rev, axis=axis, kind="stable"), axis=axis)
        return a.shape[axis] - 1 - order
    first = np.argsort(-a, axis=axis, kind="stable")  # (-NaN is NaN: still last)
    nan = np.isnan(np.take_along_axis(a, first, axis=axis))
    return np.take_along_axis(first, np.argsort(~nan, axis=axis, kind="stable"), axis=axis)


class TorchMethods:
    """PyTorch's meaning of the tensor methods whose NumPy namesake does something else,
    for an ndarray subclass (:class:`Grad`, and :class:`glassnet.habits.Array`, the labels,
    indices and masks). The rule: a call with one of NumPy's own keywords (``axis=``,
    ``kind=``, ``order=``, ``ddof=``, ``out=``, ``keepdims=``; NumPy's functions always pass
    them: ``np.repeat(a, 2)`` calls ``a.repeat(2, axis=None)``, ``np.sort(a)`` calls
    ``a.sort(axis=-1, kind=None, order=None)``, ``np.max(a, 1)`` calls ``a.max(axis=1)``) or
    NumPy's argument forms (``a.transpose((1, 0))``, ``a.transpose()``) keeps NumPy's
    meaning; the method called as PyTorch writes it has PyTorch's:

    ``a.repeat(2, 1)`` tiles (``np.tile``), ``a.transpose(0, 1)`` swaps two axes, ``a.t()``,
    ``a.permute(1, 0)``, ``a.max(1)``/``a.min(1)`` give ``(values, indices)``, ``a.max(b)``
    the elementwise maximum, ``a.sort()`` gives ``(values, indices)`` and leaves ``a`` as it
    was, ``a.argsort(descending=True)``, ``a.nonzero()`` the ``(n, ndim)`` indices
    (``np.nonzero(a)`` stays NumPy's tuple), ``a.size()``, ``a.flatten(1)``,
    ``a.squeeze(0)`` (a no-op where that axis is not 1), ``a.expand(4, -1)`` (a read-only
    view), ``a.unsqueeze(0)``, ``a.std()``/``a.var()`` unbiased, ``a.contiguous()``."""

    __slots__ = ()

    def _own(self, arr: Any) -> Any:
        """A result of these methods as the subclass (so its methods stay PyTorch's)."""
        return np.ndarray.view(np.asarray(arr), type(self))

    def _plain(self) -> np.ndarray:
        return np.ndarray.view(self, np.ndarray)  # type: ignore[arg-type]

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        # NumPy's functions run on plain views: they call these methods inside (np.unique
        # calls a.sort(), np.median a.flatten() and sorts it in place, np.tile a.repeat(n,
        # 0)), meaning NumPy's, so PyTorch's here reordered a gradient or labels in place
        if func is np.nonzero:  # (np.nonzero(a) calls a.nonzero(): NumPy's tuple there)
            a = args[0] if args else kwargs["a"]
            found = np.nonzero(np.ndarray.view(a, np.ndarray))
            return tuple(np.ndarray.view(i, type(a)) for i in found)
        return func(*_plain_all(args), **{k: _plain_all(v) for k, v in kwargs.items()})

    @property
    def size(self) -> Any:  # type: ignore[override]
        """NumPy's number of values (an int) that is also PyTorch's ``size()``/``size(dim)``."""
        return TorchSize(self._plain())

    def numel(self) -> int:
        """The number of values, as PyTorch's ``numel()``."""
        return int(self._plain().size)

    def dim(self) -> int:
        """The number of axes, as PyTorch's ``dim()``."""
        return int(np.ndim(self._plain()))

    def contiguous(self) -> Any:
        """The array itself if C-contiguous, else a C-contiguous copy (PyTorch's)."""
        a = self._plain()
        return self if a.flags.c_contiguous else self._own(np.ascontiguousarray(a))

    def repeat(self, *sizes: Any, **kwargs: Any) -> Any:
        """PyTorch's ``a.repeat(2, 1)``: tiled (``np.tile``), one count per axis at least;
        NumPy's ``a.repeat(n, axis=...)`` (what ``np.repeat`` calls) repeats each value."""
        if kwargs:
            return super().repeat(*sizes, **kwargs)  # type: ignore[misc]
        reps, shape = _ints("repeat", sizes, "the counts of copies"), np.shape(self._plain())
        if not reps or len(reps) < len(shape):
            raise ValueError(
                f"repeat: {len(reps)} count(s) {reps} for an array of shape {shape}: PyTorch's "
                f"repeat takes one count per axis (more add leading axes) and tiles the whole "
                f"array; NumPy's (each value repeated) is np.repeat(a, n) or a.repeat(n, "
                f"axis=0)."
            )
        if any(k < 0 for k in reps):
            raise ValueError(f"repeat: the counts must be >= 0. Got {reps}.")
        return self._own(np.tile(self._plain(), reps))

    def transpose(self, *axes: Any) -> Any:
        """PyTorch's ``a.transpose(d0, d1)`` (two ints): those two axes swapped (a view); one
        tuple, None, no argument, or every axis in order is NumPy's permutation."""
        if len(axes) != 2 or not all(isinstance(d, (int, np.integer)) for d in axes):
            return super().transpose(*axes)  # type: ignore[misc]
        n = self._plain().ndim
        a, b = (axis_of("transpose", d, n) for d in axes)
        if n == 0:
            return self
        return self._own(np.swapaxes(self, a, b))  # (a view: the subclass kept)

    def t(self) -> Any:
        """PyTorch's ``a.t()``: the transpose of a matrix (a vector as it is)."""
        if self._plain().ndim > 2:
            raise ValueError(
                f"t() expects at most 2 axes, as PyTorch's. Got shape {np.shape(self)}: "
                "write a.transpose(d0, d1) or a.permute(...)."
            )
        return super().transpose()  # type: ignore[misc]

    def permute(self, *dims: Any) -> Any:
        """PyTorch's ``a.permute(1, 0)``: axis i of the result is axis ``dims[i]``."""
        n = self._plain().ndim
        perm = tuple(axis_of("permute", d, n) for d in _ints("permute", dims, "the axes"))
        if sorted(perm) != list(range(n)):
            raise ValueError(f"permute: dims must order all {n} axes once each. Got {dims}.")
        return super().transpose(perm)  # type: ignore[misc]

    def unsqueeze(self, dim: Any) -> Any:
        """An axis of length 1 inserted at ``dim``, as PyTorch's ``unsqueeze``."""
        return self._own(np.expand_dims(self, axis_of("unsqueeze", dim, self._plain().ndim + 1)))

    def squeeze(self, *args: Any, **kwargs: Any) -> Any:
        """PyTorch's ``a.squeeze(dim)``: the axes of length 1 among ``dim`` removed (others
        kept, as PyTorch's, where NumPy's raised); ``squeeze(axis=...)`` is NumPy's."""
        if "axis" in kwargs or (not args and not kwargs):
            return super().squeeze(*args, **kwargs)  # type: ignore[misc]
        if len(args) + len(kwargs) != 1 or (kwargs and "dim" not in kwargs):
            raise TypeError(f"squeeze() takes one dim (PyTorch's). Got {args}, {kwargs}.")
        dims = kwargs.get("dim", args[0] if args else None)
        a = self._plain()
        axes = [axis_of("squeeze", d, a.ndim) for d in _ints("squeeze", (dims,), "dims")]
        if not a.ndim:
            return self
        return super().squeeze(axis=tuple(d for d in axes if a.shape[d] == 1))  # type: ignore[misc]

    def flatten(self, *args: Any, **kwargs: Any) -> Any:
        """PyTorch's ``a.flatten(start_dim=0, end_dim=-1)``; ``flatten('F')`` (an order) is
        NumPy's copy, and so is ``flatten()``: the same call in both, where a copy is never
        wrong (PyTorch's may be a view or a copy; a kept ``g.flatten()`` stays as it was)."""
        if (args and isinstance(args[0], str)) or "order" in kwargs or not (args or kwargs):
            return super().flatten(*args, **kwargs)  # type: ignore[misc]
        given = dict(zip(("start_dim", "end_dim"), args))
        if len(args) > 2 or set(kwargs) - {"start_dim", "end_dim"} or set(given) & set(kwargs):
            raise TypeError(f"flatten() takes start_dim and end_dim. Got {args}, {kwargs}.")
        given.update(kwargs)
        start, end = given.get("start_dim", 0), given.get("end_dim", -1)
        a = self._plain()
        n = max(a.ndim, 1)
        s, e = axis_of("flatten", start, n), axis_of("flatten", end, n) + 1
        if s >= e:
            raise ValueError(
                f"flatten: start_dim cannot come after end_dim. Got {start}, {end} for shape "
                f"{a.shape}."
            )
        return self.reshape(a.shape[:s] + (int(np.prod(a.shape[s:e])),) + a.shape[e:])

    def expand(self, *sizes: Any) -> Any:
        """PyTorch's ``a.expand(4, -1)``: broadcast without copying (a read-only view); -1
        keeps an axis's length, only an axis of length 1 grows."""
        target, shape = _ints("expand", sizes, "the new shape"), self._plain().shape
        new = len(target) - len(shape)
        if new < 0:
            raise ValueError(f"expand: {target} has fewer axes than the array's shape {shape}.")
        out = tuple(shape[i - new] if i >= new and k == -1 else k for i, k in enumerate(target))
        if any(k < 0 for k in out):
            raise ValueError(
                f"expand: sizes are lengths (>= 0), or -1 for an axis of the array's own. Got "
                f"{target} for shape {shape}."
            )
        try:
            return self._own(np.broadcast_to(self, out))
        except ValueError:
            raise ValueError(
                f"expand: shape {shape} cannot become {target}: only an axis of length 1 "
                "grows, as in PyTorch (a.repeat(...) tiles)."
            ) from None

    def expand_as(self, other: Any) -> Any:
        """``a.expand(*other.shape)``."""
        return self.expand(*np.shape(getattr(other, "data", other)))

    def _extreme(self, op: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        numpy_method = getattr(super(), op)
        if (not args and not kwargs) or _NUMPY_KEYWORDS.intersection(kwargs):
            return numpy_method(*args, **kwargs)
        dim = kwargs.pop("dim", args[0] if args else None)
        keepdim = kwargs.pop("keepdim", args[1] if len(args) > 1 else False)
        if kwargs or len(args) > 2:
            raise TypeError(f"{op}() takes dim and keepdim (PyTorch's) or axis=. Got {kwargs}.")
        a = self._plain()
        if isinstance(dim, np.ndarray) or hasattr(dim, "backward_fn"):  # a.max(b): elementwise
            other = np.asarray(getattr(dim, "data", dim))
            return self._own((np.maximum if op == "max" else np.minimum)(a, other))
        axis = axis_of(op, dim, a.ndim)
        if not a.ndim:
            return (MaxResult if op == "max" else MinResult)(self, self._own(np.int64(0)))
        index = (np.argmax if op == "max" else np.argmin)(a, axis=axis, keepdims=True)
        values = np.take_along_axis(a, index, axis=axis)
        if not keepdim:
            values, index = values.squeeze(axis), index.squeeze(axis)
        kind = MaxResult if op == "max" else MinResult
        return kind(self._own(values), self._own(index.astype(np.int64)))

    def max(self, *args: Any, **kwargs: Any) -> Any:  # noqa: A003 (NumPy's and PyTorch's)
        """PyTorch's ``a.max(dim, keepdim=False)``: ``(values, indices)`` (a named tuple),
        ``a.max(b)`` the elementwise maximum; ``a.max()`` the largest value; NumPy's
        ``a.max(axis=1)`` (what ``np.max`` calls) the values only."""
        return self._extreme("max", args, kwargs)

    def min(self, *args: Any, **kwargs: Any) -> Any:  # noqa: A003
        """As :meth:`max`, the smallest."""
        return self._extreme("min", args, kwargs)

    def sort(self, *args: Any, **kwargs: Any) -> Any:
        """PyTorch's ``a.sort(dim=-1, descending=False)``: ``(values, indices)`` (a named
        tuple), ``a`` left as it was; NumPy's in-place ``a.sort(axis=..., kind=...)`` (what
        ``np.sort`` calls on its copy) where one of its keywords is given."""
        if _NUMPY_KEYWORDS.intersection(kwargs):
            return super().sort(*args, **kwargs)  # type: ignore[misc]
        axis, desc = self._order_args("sort", args, kwargs)
        a = self._plain()
        if not a.ndim:
            return SortResult(self.copy(), self._own(np.int64(0)))
        order = stable_order(a, axis, desc)
        values = np.take_along_axis(a, order, axis=axis)
        return SortResult(self._own(values), self._own(order.astype(np.int64, copy=False)))

    def argsort(self, *args: Any, **kwargs: Any) -> Any:
        """PyTorch's ``a.argsort(dim=-1, descending=False)`` (stable); NumPy's where one of
        its keywords is given (``np.argsort`` passes them)."""
        if _NUMPY_KEYWORDS.intersection(kwargs):
            return super().argsort(*args, **kwargs)  # type: ignore[misc]
        axis, desc = self._order_args("argsort", args, kwargs)
        a = self._plain()
        if not a.ndim:
            return self._own(np.int64(0))
        return self._own(stable_order(a, axis, desc).astype(np.int64, copy=False))

    def _order_args(self, op: str, args: tuple, kwargs: dict) -> tuple[int, bool]:
        names = ("dim", "descending", "stable")
        given = dict(zip(names, args))
        for k, v in kwargs.items():
            if k not in names or k in given:
                raise TypeError(f"{op}() takes dim, descending and stable (PyTorch's). Got {k}=.")
            given[k] = v
        if len(args) > 3:
            raise TypeError(f"{op}() takes at most 3 arguments. Got {len(args)}.")
        desc = given.get("descending", False)
        if not isinstance(desc, (bool, np.bool_)):
            raise TypeError(f"{op}: descending must be True or False. Got {desc!r:.40}.")
        return axis_of(op, given.get("dim", -1), self._plain().ndim), bool(desc)

    def nonzero(self, *, as_tuple: bool = False) -> Any:
        """PyTorch's ``a.nonzero()``: the indices of the nonzero values, one row each (an
        int64 array of shape (n, ndim)); ``as_tuple=True`` (and ``np.nonzero(a)``) NumPy's
        tuple of index arrays, one per axis."""
        found = np.nonzero(np.atleast_1d(self._plain()))
        if as_tuple:
            return tuple(self._own(i.astype(np.int64)) for i in found)
        rows = np.stack(found, axis=1).astype(np.int64)  # (n, ndim); a 0-d array's (n, 0)
        return self._own(rows[:, : self._plain().ndim])

    def var(self, dim: Any = None, unbiased: Any = None, keepdim: Any = None, **kw: Any) -> Any:
        """PyTorch's ``var(dim, unbiased, keepdim)``: the unbiased estimate (``correction=1``;
        ``unbiased=False`` or ``correction=0``: divided by n), as a Tensor's ``var()``;
        ``var(False)`` is ``unbiased=False``, as there. NumPy's ``np.var(a)``, which passes
        ``ddof``, gets NumPy's own."""
        return super().var(**_spread("var", dim, unbiased, keepdim, kw))  # type: ignore[misc]

    def std(self, dim: Any = None, unbiased: Any = None, keepdim: Any = None, **kw: Any) -> Any:
        """PyTorch's ``std``: the square root of :meth:`var` (unbiased by default)."""
        return super().std(**_spread("std", dim, unbiased, keepdim, kw))  # type: ignore[misc]


class Grad(TorchMethods, np.ndarray):
    """A NumPy array with PyTorch's methods for a ``.grad``: the in-place ``zero_()``,
    ``fill_(v)``, ``add_(x, alpha=1)``, ``sub_(x, alpha=1)``, ``mul_(x)``, ``div_(x)``,
    ``copy_(x)``, ``clamp_(min, max)``, ``normal_(mean, std)``, ``uniform_(from, to)`` (each
    returns the array itself; the two draws, attached by :mod:`glassnet.nn.init_inplace`, are
    ``nn.init``'s, from glassnet's generator), their out-of-place
    ``add(x, alpha=1)``, ``sub``, ``mul``, ``div``, ``sqrt()``, ``square()`` (NumPy arrays, as
    ``lr * w.grad`` is), ``view(-1)``, ``clone()``,
    ``detach()``, ``cpu()``, ``numpy()``, ``numel()``, ``abs()``, ``norm(p=2, dim)`` (a NumPy
    scalar, so ``.item()`` gives the float), ``.data`` (the array itself), ``sum``/``mean``
    with ``dim``/``keepdim``, and ``var``/``std`` as PyTorch's (unbiased, as a Tensor's;
    ``np.std(g)`` stays NumPy's); a loop's guards ``isnan()``, ``isinf()``, ``isfinite()``
    (bool arrays: ``if p.grad.isnan().any()``), ``nan_to_num_()``, ``clamp(min, max)``,
    ``pow``, ``sign``, ``float()``/``double()``/``to(dtype or "cpu")`` and
    ``requires_grad`` (False). An ``x`` may be a Tensor, an array or a number."""

    def __array_wrap__(self, arr: Any, context: Any = None, return_scalar: bool = False) -> Any:
        # NumPy's result of it: a new array stays NumPy's own (``lr * w.grad``), one value a
        # NumPy scalar; an ``out=`` it wrote into (``w.grad += g``) is itself. (NumPy 1.x
        # allocates a new result as the subclass and passes no return_scalar.)
        if return_scalar:
            return arr[()]
        if type(arr) is not Grad and not _NUMPY1:  # (NumPy 2's new result: plain already)
            return arr
        if context and any(arr is o for o in context[1][context[0].nin :]):
            return arr
        arr = np.ndarray.view(arr, np.ndarray)
        return arr[()] if arr.ndim == 0 and _NUMPY1 else arr  # (NumPy 1's reductions: 0-d)

    __hash__ = object.__hash__  # (by identity, as a Tensor's and PyTorch's: {g[0, 1]: 1})

    def __repr__(self) -> str:
        return repr(np.ndarray.view(self, np.ndarray))

    def __getitem__(self, index: Any) -> Any:
        """NumPy's indexing, but one value (an integer for every axis) is its 0-d view, as
        PyTorch's, so that ``p.grad[0].zero_()`` writes into the gradient (``g[()]``, NumPy's
        way to the value itself, stays NumPy's)."""
        out = super().__getitem__(index)
        if isinstance(out, np.generic) and (type(index) is not tuple or index):
            return super().__getitem__(element_index(index))
        return out

    def zero_(self) -> Grad:
        self.fill(0)
        return self

    def fill_(self, value: float) -> Grad:  # (fill_ and copy_: habits binds the checked ones)
        self.fill(value)
        return self

    def add_(self, other: Any, *, alpha: float = 1) -> Grad:
        other = _values(other)
        self += other if alpha == 1 else np.multiply(other, alpha)
        return self

    def sub_(self, other: Any, *, alpha: float = 1) -> Grad:
        return self.add_(other, alpha=-alpha)

    def mul_(self, other: Any) -> Grad:
        self *= _values(other)
        return self

    def div_(self, other: Any) -> Grad:
        self /= _values(other)
        return self

    def copy_(self, src: Any) -> Grad:
        self[...] = _values(src)
        return self

    # the out-of-place forms (NumPy arrays, as lr * w.grad is): p.grad.add(p, alpha=wd)
    def add(self, other: Any, *, alpha: float = 1) -> np.ndarray:
        return plain(self) + alpha * _values(other)

    def sub(self, other: Any, *, alpha: float = 1) -> np.ndarray:
        return plain(self) - alpha * _values(other)

    def mul(self, other: Any) -> np.ndarray:
        return plain(self) * _values(other)

    def div(self, other: Any) -> np.ndarray:
        return plain(self) / _values(other)

    def sqrt(self) -> np.ndarray:
        return np.sqrt(plain(self))

    def square(self) -> np.ndarray:
        return np.square(plain(self))

    def clamp_(self, min: float | None = None, max: float | None = None) -> Grad:  # noqa: A002
        if min is None and max is None:
            raise ValueError(
                "clamp_(): give min or max (or both); with neither it would do nothing."
            )
        np.clip(self, _values(min), _values(max), out=self)
        return self

    def view(self, *args: Any, **kwargs: Any) -> Any:
        """PyTorch's ``g.view(-1)`` / ``g.view(2, 3)``: the values in that shape (a view);
        NumPy's ``view(dtype)`` or ``view(type)`` otherwise, as NumPy's."""
        shape = args[0] if len(args) == 1 and isinstance(args[0], tuple) else args
        if shape and not kwargs and all(isinstance(n, (int, np.integer)) for n in shape):
            out = self.reshape(shape)
            if out.size and not np.may_share_memory(out, self):  # (reshape copied it)
                raise RuntimeError(
                    f"view({', '.join(map(str, shape))}): this gradient of shape {self.shape} "
                    "is not contiguous in that order (PyTorch's view needs it); use "
                    ".reshape(...), which copies."
                )
            return out
        return super().view(*args, **kwargs)

    def clone(self) -> Grad:
        """A copy of the values (a Grad of its own memory)."""
        return self.copy()

    def detach(self) -> Grad:
        """The array itself: a gradient is in no graph (PyTorch's ``.detach()`` shares it)."""
        return self

    cpu = detach  # (on the CPU already: the array itself, as PyTorch's)

    def numpy(self) -> np.ndarray:
        """The values as a plain NumPy array (shared, not copied)."""
        return np.ndarray.view(self, np.ndarray)

    @property
    def data(self) -> Grad:  # (PyTorch's p.grad.data: the gradient itself, not NumPy's buffer)
        """The array itself, as PyTorch's ``p.grad.data`` (``p.grad.data.zero_()``);
        NumPy's buffer of it is ``memoryview(g)``."""
        return self

    def sum(self, *args: Any, dim: Any = None, keepdim: Any = None, **kwargs: Any) -> Any:
        """NumPy's ``sum``, with PyTorch's ``dim`` and ``keepdim`` too."""
        return super().sum(*args, **_axes("sum", dim, keepdim, kwargs))

    def mean(self, *args: Any, dim: Any = None, keepdim: Any = None, **kwargs: Any) -> Any:
        """NumPy's ``mean``, with PyTorch's ``dim`` and ``keepdim`` too."""
        return super().mean(*args, **_axes("mean", dim, keepdim, kwargs))

    def abs(self) -> np.ndarray:
        return np.abs(self)

    # a training loop's guards and edits, as PyTorch's: if p.grad.isnan().any(): ...
    def isnan(self) -> np.ndarray:
        return np.isnan(plain(self))

    def isinf(self) -> np.ndarray:
        return np.isinf(plain(self))

    def isfinite(self) -> np.ndarray:
        return np.isfinite(plain(self))

    def nan_to_num_(self, nan: float = 0.0, posinf: Any = None, neginf: Any = None) -> Grad:
        np.nan_to_num(self, copy=False, nan=nan, posinf=posinf, neginf=neginf)
        return self

    def nan_to_num(self, nan: float = 0.0, posinf: Any = None, neginf: Any = None) -> Any:
        return np.nan_to_num(plain(self), nan=nan, posinf=posinf, neginf=neginf)

    def clamp(self, min: Any = None, max: Any = None) -> np.ndarray:  # noqa: A002
        return self.copy().clamp_(min, max).numpy()

    def pow(self, exponent: Any) -> np.ndarray:
        return np.power(plain(self), _values(exponent))

    def sign(self) -> np.ndarray:
        return np.sign(plain(self))

    def float(self) -> Any:
        """The values in float32: the array itself where it is (PyTorch's ``.float()``)."""
        return self.astype(np.float32, copy=False)

    def double(self) -> Any:
        return self.astype(np.float64, copy=False)

    def half(self) -> np.ndarray:
        """A float16 copy of the values (as ``g.to(glassnet.float16)``, PyTorch's
        ``.half()``): a plain array to look at or send; glassnet computes in float32/64."""
        return np.asarray(self, dtype=np.float16)

    def to(
        self, *args: Any, dtype: Any = None, device: Any = None, non_blocking: bool = False,
        copy: bool = False,
    ) -> Any:  # fmt: skip
        """PyTorch's ``g.to("cpu")`` (the array itself: a gradient is a NumPy array on the
        host) and ``g.to(dtype)`` (a copy in that dtype; the array itself in its own)."""
        for a in args:  # (a str or a glassnet.device is the device; anything else a dtype)
            at_device = isinstance(a, str) or type(a).__name__ == "device"
            device, dtype = (a, dtype) if at_device else (device, a)
        if device is not None and str(getattr(device, "type", device)).split(":")[0] != "cpu":
            raise ValueError(
                f"to(): this gradient is a NumPy array on the host; its device is 'cpu'. Got "
                f"{device!r:.40}: move the model (model.to('cuda')), its gradients move with it."
            )
        out = self if dtype is None else self.astype(dtype, copy=False)
        return out.copy() if copy else out

    @property
    def requires_grad(self) -> bool:
        """False: a gradient is in no graph (PyTorch's ``p.grad.requires_grad``)."""
        return False

    def norm(self, p: float | str = 2, dim: Any = None, keepdim: bool = False) -> Any:
        """PyTorch's vector ``p``-norm of the values (``p=2``, or ``"fro"``: the Euclidean;
        ``inf``: the largest magnitude), over ``dim`` (all values by default): a NumPy
        scalar of the array's dtype, or an array."""
        a, p = np.abs(np.ndarray.view(self, np.ndarray)), 2 if p == "fro" else p
        axis = _axis(dim)
        if p in (np.inf, -np.inf):
            return (a.max if p > 0 else a.min)(axis=axis, keepdims=keepdim)
        if p == 0:
            return (a != 0).sum(axis=axis, keepdims=keepdim).astype(self.dtype)
        n = scaled_norm(a, float(p), axis)  # (1e20 in float32: its square would be inf)
        return n if keepdim else np.squeeze(n, axis=axis)[()]


def scaled_norm(a: np.ndarray, p: float, axis: Any) -> np.ndarray:
    """(Σ|a|^p)^(1/p) over ``axis`` (kept, of size 1), ``p`` a finite number but 0, in
    ``a``'s dtype. Each slice is scaled first, so that |a|^p neither overflows (1e300, or
    1e20 in float32) nor underflows: the norm is finite where it is. For p = 2 by a power
    of two near its largest |a| (exact); for another p by its largest |a| itself (its
    smallest for p < 0), whose term is then exactly 1, so that a large p (1000) gives
    the largest |a|, not 0 (a zero's term, for p < 0, inf: the norm 0)."""
    absa = np.abs(a)
    big = (np.max if p > 0 else np.min)(absa, axis=axis, keepdims=True) if a.size else 1.0
    big = np.where(np.isfinite(big) & (big > 0), big, 1.0).astype(a.dtype, copy=False)
    with np.errstate(divide="ignore", over="ignore", under="ignore", invalid="ignore"):
        if p == 2:  # (the square root of the sum of squares, as ever: the same bits)
            e = np.frexp(big)[1]  # (2^e itself may overflow: ldexp scales without it)
            s = np.ldexp(absa, -e).astype(a.dtype, copy=False)
            return np.ldexp(np.sqrt(np.add.reduce(s * s, axis=axis, keepdims=True)), e).astype(
                a.dtype, copy=False
            )
        n = np.add.reduce((absa / big) ** p, axis=axis, keepdims=True) ** (1 / p)
        return (n * big).astype(a.dtype, copy=False)


def _axes(method: str, dim: Any, keepdim: Any, kwargs: dict) -> dict:
    """NumPy's keywords of a reduction given PyTorch's ``dim``/``keepdim`` or NumPy's
    ``axis``/``keepdims`` (both spellings of one: a TypeError)."""
    if (dim is not None and "axis" in kwargs) or (keepdim is not None and "keepdims" in kwargs):
        raise TypeError(f"{method}(): pass axis or dim, keepdims or keepdim, not both.")
    if dim is not None:
        kwargs["axis"] = _axis(dim)
    if keepdim is not None:
        kwargs["keepdims"] = bool(keepdim)
    return kwargs


def _axis(dim: Any) -> Any:
    """PyTorch's ``dim`` as NumPy's ``axis``: a list as a tuple, an empty one as every axis."""
    if isinstance(dim, (tuple, list)):
        return tuple(dim) if dim else None
    return dim


def _spread(method: str, dim: Any, unbiased: Any, keepdim: Any, kwargs: dict) -> dict:
    """NumPy's keywords of ``var``/``std`` called with PyTorch's (``dim``, ``unbiased``,
    ``keepdim``, ``correction``: ddof 1 unless given; a bool first argument is ``unbiased``)
    or NumPy's (``ddof`` given)."""
    if isinstance(dim, (bool, np.bool_)):  # (var(False): PyTorch's unbiased, as a Tensor's)
        dim, unbiased = None, dim
    correction = kwargs.pop("correction", None)
    if "ddof" not in kwargs:
        kwargs["ddof"] = correction if correction is not None else int(unbiased is not False)
    elif unbiased is not None or correction is not None:
        raise TypeError(f"{method}(): pass ddof (NumPy's) or unbiased/correction, not both.")
    return _axes(method, dim, keepdim, kwargs)


def element_index(index: Any) -> tuple[Any, ...]:
    """``index``, an integer for every axis of an array (NumPy's integers and 0-d integer
    arrays too), as the index of that value's 0-d view (PyTorch's ``x[i, j]``): plain
    integers and an Ellipsis (without it NumPy gives a copy, and with a 0-d array too)."""
    if type(index) is int:  # (x[i]: the common case, at once)
        return index, Ellipsis
    return (*map(operator.index, index if type(index) is tuple else (index,)), Ellipsis)


def as_grad(a: Any) -> Any:
    """``a`` seen as a :class:`Grad` (a view: the same memory) when it is a plain NumPy
    array; anything else (a Grad already, CuPy's array, None) as given."""
    return a.view(Grad) if type(a) is np.ndarray else a


def plain(a: Any) -> Any:
    """A Grad's plain NumPy view (the same memory), anything else as given: what an engine
    writes into with ``out=``, at NumPy's own cost (a subclass's output costs more)."""
    return np.ndarray.view(a, np.ndarray) if type(a) is Grad else a


def masked(g: np.ndarray, share: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``g * share`` for a backward that passes ``g`` only where ``share`` (a mask, ReLU's
    derivative, the tie shares of max) is nonzero: 0 where it is 0 even where g is ±inf or
    NaN (inf * 0 is NaN: ``x.relu().sqrt()`` and ``x.clamp(min=0).sqrt()`` gave NaN at
    x < 0), PyTorch's select. The product alone (into ``out`` when given) where g is
    finite: the select is 2-14x the product's time, and these run at every ReLU, clamp,
    maximum and max in a graph. g's sum tells it in one pass, no mask made: finite unless
    some g is inf or NaN (or the sum overflows: the select, right all the same)."""
    if math.isfinite(np.add.reduce(g, axis=None)):
        return np.multiply(g, share, out=out)
    with np.errstate(invalid="ignore"):  # (inf * 0, put right by the select)
        return np.where(share != 0, g * share, 0).astype(np.result_type(g, share), copy=False)


# ---------------------------------------------------------------------- long float32 sums
# NumPy sums pairwise only along the contiguous axis of a reduction; along another axis (a
# column sum: x.sum(0), dL/db = 1ᵀ G) and in np.cumsum it adds one value after another, and
# in float32 that error grows with the count: 1e6 rows of 0.1 summed down a column came out
# 1% off (BLAS's product with ones, the bias gradient's, 0.09%). Measured on 0.1s (the worst
# case, one sign) and on normal(0.5, 1) draws, the largest relative error over the columns:
#
#     rows                 1024     4096     8192    16384    65536      1e6
#     add.reduce, 0.1s   9.7e-6   3.9e-5   6.5e-5   1.5e-4   6.2e-4   9.6e-3
#     1ᵀ G (BLAS), 0.1s  9.7e-7   4.1e-6   9.7e-6   1.6e-5   6.5e-5   9.0e-4
#     add.reduce, draws  1.1e-6   1.8e-6   2.9e-6   3.3e-6   9.5e-6   4.7e-5
#
# Up to LONG_SUM values a sum keeps NumPy's own order (a batch of a few thousand rows: the
# weights every existing run trained keep their bits, and a small batch pays nothing);
# past it a float32 sum is accumulated in float64 and rounded once (long_sum): the float32
# value nearest the exact sum, as PyTorch's cascaded sums give within an ulp or two.
LONG_SUM = 8192
_F32 = np.dtype(np.float32)
_CHUNK = 1 << 18  # values per float64 block of long_sum (2 MiB: cached, and few BLAS calls)


def long_sum(a: np.ndarray, axis: Any = 0, keepdims: bool = False) -> np.ndarray:
    """The sum of a float32 array along ``axis`` accumulated in float64 and rounded once to
    float32: correct to the last bit or so however many values meet (the one function
    behind a Tensor's long column sums, the graph's and the fast path's bias gradients,
    and long running sums). A matrix's column sum goes in blocks of rows through BLAS's
    float64 product with ones, any other axis through NumPy's float64 reduction: the cast
    makes it 2-5x the float32 sum it replaces (a bias gradient of 8,193 x 16: 4.6x;
    sum(0) of 65,536 x 128: 1.7x), small beside a batch's matrix products of that size."""
    if a.ndim == 2 and axis in (0, -2, (0,)):
        n, k = a.shape
        rows = max(64, _CHUNK // max(k, 1))
        ones = np.ones(min(rows, n))
        acc, part = np.zeros(k), np.empty(k)
        for start in range(0, n, rows):
            block = a[start : start + rows].astype(np.float64)
            acc += np.matmul(ones[: len(block)], block, out=part)
        out = acc.astype(a.dtype)
        return out[None] if keepdims else out
    return np.add.reduce(a, axis=axis, dtype=np.float64, keepdims=keepdims).astype(a.dtype)


def _one_by_one(a: Any, axis: Any) -> bool:
    """Whether NumPy's sum of ``a`` over ``axis`` adds more than LONG_SUM float32 values one
    after another: a float NumPy array reduced over axes other than its trailing
    contiguous ones (those NumPy sums pairwise, accurate already)."""
    if axis is None or type(a) is not np.ndarray or a.dtype != _F32:
        return False
    nd, given = a.ndim, axis if isinstance(axis, tuple) else (axis,)
    if not all(isinstance(d, (int, np.integer)) and -nd <= d < nd for d in given):
        return False  # (NumPy's own error, from its sum)
    axes = tuple(sorted({int(d) % nd for d in given}))
    if a.flags.c_contiguous and axes == tuple(range(a.ndim - len(axes), a.ndim)):
        return False
    return math.prod(a.shape[d] for d in axes) > LONG_SUM


def axis_sum(a: np.ndarray, axis: Any = None, keepdims: bool = False) -> np.ndarray:
    """``np.add.reduce(a, axis, keepdims=keepdims)``, NumPy's sum (a Tensor's ``sum``,
    ``mean`` and ``var``), except a float32 sum of more than LONG_SUM values that NumPy
    would add one at a time (``x.sum(0)`` of a long column): :func:`long_sum`."""
    if a.size > LONG_SUM and _one_by_one(a, axis):
        return long_sum(a, axis, keepdims)
    return np.add.reduce(a, axis=axis, keepdims=keepdims)


def loss_sum(per: Any, axis: int | None = None, scale: float | None = None) -> Any:
    """``np.add.reduce(per, axis)`` of losses; a sum of finite terms that overflowed (float32:
    weights of 1e38) taken again in float64, as ``engine="jit"`` sums, so ordinary sums keep
    their bits. NumPy's arrays only: a device's sum is not read back to the host. ``scale``:
    each sum times it (a mean, as the graph's loss takes it: in the terms' dtype, in float64
    where the sum was taken again)."""
    total, host = np.add.reduce(per, axis=axis), type(per) is np.ndarray
    if host and axis is None:  # (one sum: a scalar compare at every step; NaN is not below inf)
        if not abs(total) < np.inf and np.isfinite(per).all():
            total = np.add.reduce(per, axis=None, dtype=np.float64)
    elif host and not np.isfinite(total).all():
        again = np.isinf(total) & np.isfinite(per).all(axis=axis)
        wide = np.add.reduce(per, axis=axis, dtype=np.float64)
        if scale is not None:  # (each sum scaled in its own dtype)
            return np.where(again, wide * scale, total * scale)
        total = np.where(again, wide, total)
    return total if scale is None else total * scale


def bias_sum(G: Any, ones: Any = None, out: Any = None) -> Any:
    """dL/db = 1ᵀ G, the sum of the rows of G (N, neurons), or of each network's rows of a
    stack G (K, N, neurons) into ``out`` (K, neurons): BLAS's product with ``ones`` (a
    vector of N ones, made when not given), as the graph's linear and the fast path take
    it, both through here so that they keep the same bits; more than LONG_SUM float32
    rows: :func:`long_sum`."""
    n = G.shape[-2]
    if n <= LONG_SUM or type(G) is not np.ndarray or G.dtype != _F32:
        if ones is None:
            ones = np.ones(n, G.dtype, like=G)
        return ones @ G if out is None else np.matmul(ones, G, out=out)  # (CuPy's @: its own)
    if G.ndim == 2:
        s = long_sum(G)
    else:
        s = np.stack([long_sum(Gk) for Gk in G.reshape(-1, *G.shape[-2:])])
        s = s.reshape(*G.shape[:-2], G.shape[-1])
    if out is None:
        return s
    out[...] = s
    return out


def running_sum(a: np.ndarray, axis: int) -> np.ndarray:
    """``np.cumsum(a, axis)``; a float32 run longer than LONG_SUM (where each sum adds one
    value to the last, in float32: 1e6 copies of 0.1 came to 100958) accumulated in
    float64 and rounded once per value, as :func:`long_sum`."""
    if a.shape[axis] > LONG_SUM and type(a) is np.ndarray and a.dtype == _F32:
        return np.cumsum(a, axis=axis, dtype=np.float64).astype(a.dtype)
    return np.cumsum(a, axis=axis)
