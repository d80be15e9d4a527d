"""PyTorch's habits on the Tensor: in-place writes, indexing, and the shape ops.

The lecture's engine (:mod:`glassnet.tensor`) is arithmetic, matrix products, reductions,
elementwise functions, ``reshape`` and ``backward()``; the networks, losses and training
loop need nothing else. A PyTorch user also writes ``p -= lr * p.grad`` under
``no_grad()``, ``x[0]``, ``x[mask] = 0``, ``x.view(-1)``, ``x.unsqueeze(1)``,
``x.permute(1, 0)``, ``x.T``, ``x.expand(4, -1)``, ``x.repeat(2, 1)``,
``x.gather(1, index)``. Those are attached to :class:`~glassnet.tensor.Tensor` here, a
layer above the engine, as :mod:`glassnet.functional` attaches the activations:
tensor.py stays the lecture's autodiff in one sitting, and every Tensor still has them
(``import glassnet`` loads this module).

**Small habits.** ``x.requires_grad_()``, ``x.clone()`` (a copy in the graph),
``x.numel()``, ``x.dim()``, ``x.tolist()``, ``x.float()``, ``x.double()``, ``x.to(dtype or
device)``, ``float(x)`` and ``int(x)`` of one value; the in-place
``x.add_(y, alpha=a)``, ``sub_``, ``mul_``, ``div_``, ``fill_``, ``copy_``, ``zero_``,
``masked_fill_(mask, value)`` and the pointwise ones of hand-written optimizers and EMA
loops, ``x.addcmul_(t1, t2, value=v)``, ``addcdiv_``, ``lerp_(end, weight)``, ``exp_``,
``sqrt_``, ``abs_``, ``neg_``, ``pow_(e)``, ``sign_``, under the rules of ``x += y`` below
(``x.masked_fill(mask, value)``, ``x.addcmul(...)``, ``x.addcdiv(...)`` and ``x.lerp(end,
weight)`` are the ops in the graph). ``x.unique(...)`` and ``x.is_cuda`` as PyTorch's;
``FloatTensor(data)``, ``DoubleTensor`` and ``LongTensor`` (an int64 :class:`Array`) as its
legacy constructors. ``x.new_zeros(size)``, ``new_ones``, ``new_full(size,
value)`` and ``new_tensor(data)`` make a new leaf of x's dtype and device (PyTorch's).
``x.long()``, ``x.int()`` and ``x.bool()`` give an :class:`Array` (below), not a Tensor:
Tensors hold floats; values an integer cannot hold (NaN, inf) are refused. ``x.type_as(y)``
is ``x.to(y.dtype)`` (on y's device) and ``x.expand_as(y)`` is ``x.expand(*y.shape)``.

**Comparisons and indices.** ``x > 0``, ``x == y`` (between two Tensors too, elementwise
with broadcasting, as PyTorch's), ``!=``, ``<``, ``<=``, ``>=`` give a bool :class:`Array`,
and ``x.argmax(dim)``/``x.argmin(dim)`` an int64 one, where PyTorch gives a bool or a long
tensor (no gradient passes either); so do the value tests ``x.isnan()``, ``x.isinf()`` and
``x.isfinite()`` (``glassnet.isnan(loss)`` as ``torch.isnan(loss)``) and ``x.any(dim,
keepdim)``, ``x.all(...)`` (whether any, every, value is nonzero). An :class:`Array` is a
NumPy array (a mask for ``x[mask]``, ``x[mask] = 0``, ``glassnet.where`` and
``masked_fill``; ``np.mean(pred == y)``) that also has PyTorch's casts, so that the accuracy
idioms run as written:
``(out.argmax(1) == y).float().mean().item()`` and ``(pred == y).sum().item()``; a
:class:`glassnet.data.DataLoader` batch's integer labels are one too, with the calls a
PyTorch loop makes on them (``y.to(device)``, ``.type(torch.float)``, ``.cpu()``,
``.numpy()``, ``.size(0)``, ``.unsqueeze(1)``, ``.view(-1, 1)``). A tensor
is still hashed by its identity (a dict key, a set member); ``x in [a, b]`` is True for x
itself and otherwise compares values, as PyTorch's (an error for tensors of more than one
value): ``any(x is t for t in ts)`` asks for the tensor itself.

**PyTorch's method names on an Array** (and on a ``.grad``, :class:`glassnet.gradient.Grad`)
have PyTorch's meaning where NumPy's namesake would silently do something else
(:class:`glassnet.gradient.TorchMethods`): ``y.repeat(2)`` tiles as ``x.repeat(2, 1)``
does (NumPy repeated each value in place, so inputs and labels fell out of step),
``i.transpose(0, 1)`` swaps the axes (NumPy's identity permutation), ``i.t()``,
``i.permute(...)``, ``v, i = a.max(1)`` (NumPy's values only, unpacked as two rows),
``a.sort()`` returns ``(values, indices)`` and leaves ``a`` as it was (NumPy sorted in
place and returned None), ``a.argsort(descending=True)``, ``mask.nonzero()`` the
``(n, ndim)`` indices (NumPy's tuple had ``len`` the number of axes), ``a.size()``,
``a.flatten(1)``, ``a.squeeze(0)``, ``a.expand(...)``, ``a.std()``/``a.var()`` unbiased.
The rule for what stays NumPy's: a call with one of NumPy's own keywords (``axis=``,
``kind=``, ``order=``, ``ddof=``, ``out=``, ``keepdims=``) or argument forms
(``a.transpose((1, 0))``, ``a.transpose()``, ``a.flatten('F')``) is NumPy's, and NumPy's
functions always pass them: ``np.repeat(y, 2)``, ``np.sort(y)``, ``np.max(a, 1)``,
``np.std(a)``, ``np.transpose(a, axes)``, ``np.nonzero(a)`` keep NumPy's meaning.
``sum``, ``mean``, ``any``, ``all``, ``argmax`` take ``dim``/``keepdim`` as well as
``axis``/``keepdims`` (the same meaning either way).

``x.size`` is both NumPy's and PyTorch's: the number of values (an int, as NumPy's
``a.size``; PyTorch's ``x.numel()``) that is also a method, ``x.size()`` the shape (a tuple)
and ``x.size(0)`` the length of axis 0, as in PyTorch.

**Broadcasting, tiling, gathering.** ``x.expand(*sizes)`` is a read-only view, as
PyTorch's (its positions share values in memory; a write into it is refused, and
``x.expand(...).clone()`` is a copy to write into); ``x.repeat(*sizes)`` is a copy tiled as
``np.tile`` (one count per axis of x at least, as PyTorch asks); ``x.gather(dim, index)``
takes integer indices (an int64 array such as ``x.argmax(1)``: PyTorch's LongTensor), or a
Tensor of whole numbers (``gn.tensor(labels)``, whose values are floats), as ``scatter``
does. Each gradient sums over the positions a value reached.

**Writes and the graph.** ``x -= y`` writes into x's array, as in PyTorch: the update of a
parameter under ``no_grad()``, or of a tensor no graph needs. Anywhere else (a tensor the
graph computed, or a parameter outside ``no_grad()``) it is refused before anything is
written, saying what to write instead. A node built from the old values refuses to run
``backward`` afterwards: the engine keeps the clock for that (``Tensor._version`` and
``Tensor._base``, PyTorch's names, which every view and in-place write here updates).

>>> import glassnet as gn
>>> w = gn.Tensor([1.0, 2.0], requires_grad=True)
>>> (w * w).sum().backward()
>>> with gn.no_grad():
...     w -= 0.25 * w.grad
>>> w.data, w[1].data, w.unsqueeze(0).shape
(array([0.5, 1. ], dtype=float32), array(1., dtype=float32), (1, 2))
"""

from __future__ import annotations

import math
import numbers
import re
import warnings
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from ._validation import (
    NotGiven,
    attach,
    check_bool,
    check_device,
    check_fits,
    operand_error,
    reduced,
    refused,
    unmasked,
)
from .backend import device_of
from .gradient import (
    Grad,
    MaxResult,
    MinResult,
    SortResult,
    TopkResult,
    TorchMethods,
    TorchSize,
    element_index,
    stable_order,
)
from .tensor import (
    Tensor,
    enable_grad,
    get_default_dtype,
    is_grad_enabled,
    no_grad,
    operand,
    unbroadcast,
)

__all__ = [
    "Array", "Count", "inference_mode", "function", "FUNCTIONS", "device", "cuda", "return_types",
    "accelerator", "randint", "randperm", "torch_max", "torch_min", "check_writable",
    "write_values", "FloatTensor", "DoubleTensor", "LongTensor", "bincount", "unique_of",
]  # (and methods of Tensor)  # fmt: skip


def _unpack(args: tuple[Any, ...]) -> tuple[Any, ...]:
    """``f(2, 3)`` and ``f((2, 3))`` mean the same (NumPy's convention)."""
    return tuple(args[0]) if len(args) == 1 and isinstance(args[0], (tuple, list)) else args


def _dim(op: str, dim: Any, ndim: int) -> int:
    """``dim`` as an axis in [0, ndim): negative values count from the end."""
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool) or not -ndim <= dim < ndim:
        raise IndexError(f"{op}: dim must be an integer in [{-ndim}, {ndim - 1}]. Got {dim!r}.")
    return int(dim) % ndim


_IDENTITY = (  # (ops.py's where says the same of its condition)
    "a single True/False where a mask was meant? x == y gives one only where y is not a "
    "Tensor, an array or a number (a list, None): compare with x == glassnet.tensor(y)"
)


def _reduction(op: str) -> Any:
    """``Array.<op>``: NumPy's reduction, taking PyTorch's ``dim``/``keepdim`` too."""

    def reduce(self: np.ndarray, *args: Any, **kwargs: Any) -> Any:
        args, kwargs = _torch_names(op, args, kwargs)
        return getattr(np.ndarray, op)(self, *args, **kwargs)

    reduce.__name__ = reduce.__qualname__ = op
    reduce.__doc__ = f"NumPy's ``{op}``, with PyTorch's ``dim``/``keepdim`` (a list of dims too)."
    return reduce


if TYPE_CHECKING:  # (TorchMethods and the methods attached below, as a type checker sees them)
    from .declarations import ArrayMethods
else:
    ArrayMethods = TorchMethods


class Array(ArrayMethods, np.ndarray):
    """A NumPy array with PyTorch's casts: the result of a comparison (``x == y``, ``x > 0``:
    bool) and of ``x.argmax(dim)`` (int64 indices), where PyTorch gives a bool or long
    tensor. ``a.float()`` and ``a.double()`` are float32 and float64 Tensors (no gradient),
    so ``(out.argmax(1) == y).float().mean().item()`` is the accuracy, as in PyTorch;
    ``a.long()``, ``a.int()`` and ``a.bool()`` are Arrays of int64, int32 and bool. Otherwise
    it is the NumPy array it holds (its repr too): NumPy's results of it (and ``astype``)
    stay Arrays only while they hold bools or integers, one such value (a count,
    ``(pred == y).sum()``) a :class:`Count`, NumPy's int64 scalar with PyTorch's casts (so
    ``(pred == y).sum().float() / len(y)`` is the accuracy, and ``[0] * n``, ``range(n)``,
    pandas and scikit-learn take it as the int it is), a 0-d comparison a 0-d Array as
    PyTorch's 0-d tensor; one float value is a NumPy scalar. Integers (or bools) with a
    float number, ``y / 2``, ``y * 0.5``, and ``/`` between integers are the default float
    dtype (float32), as PyTorch's, not NumPy's float64."""

    def __array_wrap__(self, arr: Any, context: Any = None, return_scalar: bool = False) -> Any:
        # one value of bools or integers (a count, (pred == y).sum(); a 0-d comparison) stays
        # a 0-d Array, as PyTorch's 0-d tensor, so .float()/.double() follow; a float one is
        # NumPy's scalar (a Python float), as np.mean(pred == y) was
        if arr.ndim == 0 and arr.dtype == np.int64:  # (a count: an int to every library)
            return Count(arr[()])
        if arr.dtype.kind in "biu":
            return arr.view(Array)
        return arr[()] if return_scalar or arr.ndim == 0 else arr.view(np.ndarray)

    def astype(self, dtype: Any, *args: Any, **kwargs: Any) -> Any:
        out = super().astype(dtype, *args, **kwargs)
        return out if out.dtype.kind in "biu" else out.view(np.ndarray)

    def __repr__(self) -> str:
        return repr(self.view(np.ndarray))

    def __hash__(self) -> int:  # (one value, as the NumPy scalar a comparison gave: a key)
        if self.ndim:
            raise TypeError("unhashable type: 'Array' of more than one value")
        return hash(self[()])

    def __round__(self, ndigits: Any = None) -> Any:  # (round(count), as of NumPy's scalar)
        if self.ndim:
            raise TypeError(f"round() takes one value; this Array has shape {self.shape}.")
        return round(self.item(), ndigits)

    def float(self) -> Tensor:
        """The values as a float32 Tensor, as PyTorch's ``.float()``."""
        return Tensor(self.view(np.ndarray), dtype=np.float32)

    def double(self) -> Tensor:
        """The values as a float64 Tensor, as PyTorch's ``.double()``."""
        return Tensor(self.view(np.ndarray), dtype=np.float64)

    def long(self) -> Array:
        """The values as int64, as PyTorch's ``.long()``."""
        return self.astype(np.int64)

    def int(self) -> Array:  # noqa: A003 (PyTorch's name)
        """The values as int32, as PyTorch's ``.int()``."""
        return self.astype(np.int32)

    def bool(self) -> Array:  # noqa: A003 (PyTorch's name)
        """The values as bools (nonzero: True), as PyTorch's ``.bool()``."""
        return self.astype(bool)

    # the calls a PyTorch loop makes on a batch's labels and on predicted indices
    # (``y = y.to(device)``, ``(pred.argmax(1) == y).type(torch.float)``, ``y.float()``)
    def to(
        self,
        *args: Any,
        dtype: Any = None,
        device: Any = None,
        non_blocking: bool = False,
        copy: bool = False,
    ) -> Any:
        """PyTorch's ``y.to(device)`` and ``y.to(dtype)`` for labels, masks and indices: on
        "cpu" the array itself (a copy with ``copy=True``), on "cuda" a CuPy copy; a float
        dtype gives a Tensor (as ``.float()``), an integer or bool dtype an Array of it."""
        check_bool(non_blocking, "non_blocking", "Array.to")
        out = _array_to(self, (*args, dtype, check_device(device, "Array.to")), "Array.to")
        if check_bool(copy, "copy", "Array.to") and out is self:
            return self.copy()
        return out

    def type(self, dtype: Any = None) -> Any:  # noqa: A003 (PyTorch's name)
        """PyTorch's ``y.type(torch.float)``: ``y.to(dtype)``."""
        if dtype is None:
            raise TypeError(
                f"Array.type() with no dtype names the type in PyTorch ('torch.LongTensor'); "
                f"here read .dtype ({self.dtype}), or pass a dtype to cast: y.type(gn.float32)."
            )
        return _array_to(self, (_type_name(dtype, "Array.type"),), "Array.type")

    def cpu(self) -> Array:
        """The array itself (it is in host memory), as PyTorch's ``.cpu()`` there."""
        return self

    def detach(self) -> Array:
        """The array itself: no gradient passes through labels or indices."""
        return self

    def numpy(self) -> np.ndarray:
        """The values as a plain NumPy array (the same memory), as PyTorch's ``.numpy()``."""
        return self.view(np.ndarray)

    def _own(self, arr: Any) -> Any:  # (a float result, a.max(b) of floats: NumPy's array)
        arr = np.asarray(arr)
        return arr.view(Array) if arr.dtype.kind in "biu" else arr

    def view(self, *args: Any, **kwargs: Any) -> Any:
        """PyTorch's ``y.view(-1, 1)`` (sizes: a reshape); NumPy's ``view(dtype or type)``
        otherwise."""
        shape = _unpack(args)
        if args and not kwargs and all(_is_int(k) for k in shape):
            return self.reshape(shape)
        return super().view(*args, **kwargs)

    def view_as(self, other: Any) -> Array:
        """The values in ``other``'s shape (a Tensor or an array), as PyTorch's ``view_as``."""
        return self.reshape(np.shape(other.data if isinstance(other, Tensor) else other))

    # PyTorch's dim=/keepdim= (and a list of dims) on the reductions that return one array
    # (NumPy's own calls, np.sum(a, axis=1), pass axis= and keepdims= as before)
    sum, prod, any, all, argmax, argmin, mean = map(  # noqa: A003 (NumPy's names)
        _reduction, ("sum", "prod", "any", "all", "argmax", "argmin", "mean")
    )

    def eq(self, other: Any) -> Any:
        """``self == other`` elementwise, a bool Array, as PyTorch's ``eq`` (the MNIST
        example's ``pred.eq(target.view_as(pred)).sum().item()``)."""
        return _array(np.equal(self.view(np.ndarray), _values(other)))

    def ne(self, other: Any) -> Any:
        """``self != other`` elementwise, a bool Array, as PyTorch's ``ne``."""
        return _array(np.not_equal(self.view(np.ndarray), _values(other)))


class Count(np.int64):
    """One integer an :class:`Array` reduces to (a count, ``(pred == y).sum()``; an index,
    ``y.argmax()``): NumPy's int64 scalar, so an int to every library (``[0] * n``,
    ``range(n)``, ``nn.Linear(d, n)``, pandas, scikit-learn), with the casts of PyTorch's
    0-d long tensor: ``n.float()`` and ``n.double()`` (0-d Tensors, so
    ``(pred == y).sum().float() / len(y)`` is the accuracy), ``n.long()``, ``n.int()``,
    ``n.bool()`` (0-d Arrays). Arithmetic on it gives NumPy's own scalars."""

    __slots__ = ()

    def _array(self) -> Array:
        return np.asarray(np.int64(self)).view(Array)

    def float(self) -> Tensor:
        return self._array().float()

    def double(self) -> Tensor:
        return self._array().double()

    def long(self) -> Array:
        return self._array()

    def int(self) -> Array:
        return self._array().int()

    def bool(self) -> Array:
        return self._array().bool()


def _torch_names(
    op: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """An Array reduction's keywords with PyTorch's ``dim``/``keepdim`` as NumPy's ``axis``/
    ``keepdims`` (NumPy's TypeError named its internal ``_sum``), a list of axes as a tuple;
    both spellings of one argument are refused."""
    kw = dict(kwargs)
    if len(args) == 2 and isinstance(args[1], (bool, np.bool_)):  # PyTorch's x.sum(1, True)
        args, kw["keepdim"] = args[:1], args[1]
    for torch_name, numpy_name in (("dim", "axis"), ("keepdim", "keepdims")):
        if torch_name in kw:
            if numpy_name in kw or (numpy_name == "axis" and args):
                raise TypeError(
                    f"Array.{op}(): pass {numpy_name} or {torch_name} (PyTorch's name), not both."
                )
            value = kw.pop(torch_name)  # (PyTorch's sum over dim=() or []: every dim)
            empty = op == "sum" and isinstance(value, (tuple, list)) and not value
            kw[numpy_name] = None if empty else value
    if isinstance(kw.get("axis"), list):
        kw["axis"] = tuple(kw["axis"])
    if args and isinstance(args[0], list):
        args = (tuple(args[0]), *args[1:])
    return args, kw


def _is_int(k: Any) -> bool:
    return isinstance(k, (int, np.integer)) and not isinstance(k, (bool, np.bool_))


#: PyTorch's dtype names that are not NumPy's (torch.long is int64, torch.int is int32)
_TORCH_DTYPES = {"long": "int64", "int": "int32", "short": "int16", "float": "float32",
                 "double": "float64", "half": "float16"}  # fmt: skip


def _numpy_dtype(dtype: Any) -> np.dtype | None:
    """``dtype`` as NumPy's (a NumPy dtype, its name, or PyTorch's ``torch.long`` read as
    int64), or None where it names none; what each caller allows is its own."""
    text = str(dtype)
    name = _TORCH_DTYPES.get(text[6:], text[6:]) if text.startswith("torch.") else dtype
    try:
        return np.dtype(name)
    except TypeError:
        return None


def _array_to(a: Array, given: tuple[Any, ...], owner: str) -> Any:
    """``a`` on the device and with the dtype among ``given`` (PyTorch's ``.to`` arguments:
    the last of each): a float dtype gives a Tensor, an integer or bool one an Array."""
    from ._validation import ParameterError, check_to_args
    from .backend import to_device

    dt = dev = None
    for g in given:
        if g is None:
            continue
        name = str(g) if isinstance(getattr(g, "type", None), str) else g  # (torch.device)
        if isinstance(name, str) and (name in ("cpu", "cuda") or not _dtype_name(name)):
            dev = check_to_args((name,), owner)[1]
            continue
        dt = _numpy_dtype(g)
        if dt is None or dt.kind not in "biuf":
            raise ParameterError(
                f"{owner}: a dtype must be a float (a Tensor, as .float()), integer or bool "
                f"dtype, or a device 'cpu' or 'cuda'. Got {g!r:.60}."
            )
    out: Any = a
    if dt is not None and dt.kind == "f":
        from ._validation import check_float_dtype

        out = Tensor(a.view(np.ndarray), dtype=check_float_dtype(dt, owner))
    elif dt is not None and dt != a.dtype:
        out = a.astype(dt)
    if dev is None or isinstance(out, Tensor):
        return out if dev is None else out.to(dev)
    return out if dev == "cpu" else to_device(out.view(np.ndarray), dev)  # (CuPy's array)


def _values(other: Any) -> Any:
    """An operand of an Array's comparison: a Tensor's values, else as it is."""
    return other.data if isinstance(other, Tensor) else other


def _dtype_name(name: str) -> bool:
    try:
        np.dtype(name)
    except TypeError:
        return False
    return True


def _to_default_float(name: str, divide: bool) -> Callable[[Array, Any], Any]:
    """``Array.<name>``: NumPy's, except for integers (or bools) with a float number (a
    Python float or a NumPy float scalar), and for ``divide`` (``/``) of integers by
    integers, where the result is the default float dtype (float32), as PyTorch's
    ``y / 2``, ``y * 0.5``, ``y.long() / y.long()``; NumPy's float64 spread into the model's
    float32 graph. A float array keeps NumPy's rule (its dtype wins, as a float tensor's
    does in PyTorch)."""
    base = getattr(np.ndarray, name)

    def op(self: Array, other: Any) -> Any:
        if self.dtype.kind in "biu":
            if type(other) is float or isinstance(other, np.floating):
                return base(self.astype(get_default_dtype()), float(other))  # (weak: float32)
            if divide and (
                isinstance(other, (int, np.integer))
                or (isinstance(other, np.ndarray) and other.dtype.kind in "biu")
            ):
                dt = get_default_dtype()
                return base(self.astype(dt), np.asarray(other).astype(dt, copy=False))
        return base(self, other)

    op.__name__ = op.__qualname__ = name
    return op


for _name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow"):
    for _side in ("", "r"):
        _dunder = f"__{_side}{_name}__"
        setattr(Array, _dunder, _to_default_float(_dunder, _name == "truediv"))
del _name, _side, _dunder


def _array(a: Any) -> Array:
    """A NumPy result (an array, or the scalar of a 0-d comparison) as an :class:`Array`; an
    array of another library (CuPy's, on a GPU) as it is."""
    if not isinstance(a, (np.ndarray, np.generic, bool, int, float)):
        return a
    return np.asarray(a).view(Array)


def _index(t: Any) -> Any:
    """An index with Tensors in it as integers (a Tensor's values must be whole numbers)."""
    if type(t) is bool:  # (NumPy would add an axis, or empty it)
        raise IndexError(f"A Tensor indexed by {t}: {_IDENTITY}.")
    if isinstance(t, tuple):
        return tuple(map(_index, t))
    if isinstance(t, Tensor) and not np.all(t.data == np.round(t.data)):
        raise IndexError("A Tensor used as an index must hold whole numbers; use an integer array.")
    if not isinstance(t, Tensor):  # (a 0-d integer array too: an int, as PyTorch's 0-d long)
        return int(t) if isinstance(t, np.ndarray) and not t.ndim and t.dtype.kind in "iu" else t
    return t.data.astype(np.intp) if t.data.ndim else int(t.data)  # (0-d: a select, a view)


def _sequence_as_tuple(index: list[Any]) -> bool:
    """PyTorch's reading of a list index (``x[[[0, 1]]]``): as a tuple of indices where it is
    shorter than 32 and holds a sequence, a slice, a Tensor, an array, None or Ellipsis
    (NumPy's old rule, which PyTorch keeps); otherwise as one index array."""
    return len(index) < 32 and any(
        k is None or k is Ellipsis or isinstance(k, (list, tuple, slice, Tensor, np.ndarray))
        for k in index
    )


def _is_select(k: Any) -> bool:
    """Whether ``k`` in a tuple index is one integer (0-d integer arrays too, as PyTorch's
    0-d long tensors), which PyTorch applies first, as basic indexing."""
    if isinstance(k, np.ndarray):
        return k.ndim == 0 and k.dtype.kind in "iu"
    return isinstance(k, (int, np.integer)) and not isinstance(k, bool)


_BASIC = frozenset((int, slice, type(None), type(Ellipsis)))  # (indices that are views alone)
_ALONE = frozenset((int, slice, np.ndarray, Array))  # (an index NumPy's rule reads as PyTorch's)
_PLAIN = _BASIC | {list, np.ndarray, Array}  # (those _index leaves as they are)
_APART = frozenset((slice, type(None), type(Ellipsis)))  # (what can keep two indices apart)


def _axes_taken(k: Any) -> int:
    """How many of x's axes the index ``k`` in a tuple index reads: none for None, Ellipsis
    and a 0-d mask, a mask's number of axes, one for the others (an integer, a slice, an
    index array)."""
    if k is None or k is Ellipsis:
        return 0
    if isinstance(k, (list, np.ndarray, np.generic)):
        try:
            a = np.asarray(k) if type(k) is list else k
        except ValueError:  # (a ragged list: NumPy's indexing says why)
            return 1
        if a.dtype == bool:
            return a.ndim
    return 1


def _without_empty_ellipsis(index: tuple[Any, ...], ndim: int) -> tuple[Any, ...]:
    """``index`` without its Ellipsis where that stands for none of x's ``ndim`` axes, as
    PyTorch reads it (expanded to the slices it stands for, none): NumPy would count it as
    keeping the advanced indices on either side apart (``x[:, [0, 1], ..., [1, 2]]`` on
    shape (6, 3, 4): (2, 6) in NumPy, (6, 2) in PyTorch)."""
    if sum(map(_axes_taken, index)) != ndim:
        return index  # (it covers axes; or too many indices, which NumPy's indexing names)
    return tuple(k for k in index if k is not Ellipsis)


def _torch_index(index: Any, ndim: int) -> tuple[Any, Any]:
    """``x[index]`` (and ``x[index] = v``) in PyTorch's order, as NumPy indices ``(first,
    rest)``, for an x of ``ndim`` axes: x[index] is ``a[first][rest]`` (``first`` None:
    ``a[rest]``). The two rules part where an integer and an advanced index (a list, an
    integer array or Tensor, a mask) are separated by a slice, None or Ellipsis,
    ``x[0, :, [0, 2]]``: NumPy counts the integer as an advanced index and moves the
    advanced axes first; PyTorch applies the integers first (basic indexing), then the
    rest. There ``first`` holds the integers (with a full slice for every other axis) and
    ``rest`` the other indices. They part too where an Ellipsis that stands for no axis is
    between two advanced indices (``x[:, [0, 1], ..., [1, 2]]`` on 3 axes): PyTorch keeps
    them together; here that Ellipsis is left out. A list that PyTorch reads as a tuple
    (``x[[[0, 1]]]`` is ``x[[0, 1]]``) is one here too."""
    kind = type(index)
    if kind in _ALONE:  # (x[i], x[a:b], x[idx], x[mask]: the common cases, at once)
        if kind is np.ndarray and not index.ndim and index.dtype.kind in "iu":
            return None, int(index)  # (a 0-d integer array: a select, a view, as PyTorch's)
        return None, index
    if kind is tuple:
        types = set(map(type, index))
        if types <= _BASIC:  # (x[:, j]: basic indexing)
            return None, index
    elif kind is list and _sequence_as_tuple(index):
        warnings.warn(
            f"x[seq] with a list seq holding a sequence, slice, Tensor, None or Ellipsis "
            f"(here {index!r:.60}) is read as x[tuple(seq)], as PyTorch reads it (NumPy reads "
            "it as one index array, and PyTorch's notice says it will too): write "
            "x[tuple(seq)], or x[np.array(seq)] for one index array.",
            UserWarning,
            stacklevel=3,
        )
        index = tuple(index)
        types = set(map(type, index))
    else:
        return None, _index(index)
    if not types <= _PLAIN:  # (Tensors among them: as integer arrays)
        index = tuple(map(_index, index))
        types = set(map(type, index))
    if len(index) == 2 or types.isdisjoint(_APART):  # (x[idx, j]: nothing apart; x[idx, :],
        return None, index  # x[..., idx]: one index besides a slice, None or Ellipsis)
    if type(Ellipsis) in types:
        index = _without_empty_ellipsis(index, ndim)
    if int not in types:  # (x[idx, :]: no integer, unless a 0-d array or NumPy's int)
        for k in index:
            if isinstance(k, (np.ndarray, np.integer)) and _is_select(k):
                break
        else:
            return None, index
    # each index as a letter: i an integer, a an advanced index, - a slice, None or Ellipsis
    codes = "".join(
        "-" if k is None or k is Ellipsis or type(k) is slice else "i" if _is_select(k) else "a"
        for k in index
    )
    # NumPy's rule is PyTorch's unless NumPy's advanced block (integers in it) is split by a
    # slice, None or Ellipsis where PyTorch's (integers applied first, so not in it) is not
    if "a" not in codes or "-" not in codes.strip("-"):
        return None, index
    if "-" in codes.replace("i", "").strip("-"):  # (both split: both move it first)
        return None, index
    first: list[Any] = []
    rest: list[Any] = []
    for k, c in zip(index, codes):
        if c == "i":
            first.append(k[()] if isinstance(k, np.ndarray) else k)  # (a scalar: a view)
        elif k is Ellipsis:
            first.append(k)
            rest.append(k)
        elif k is None or (c == "a" and np.ndim(k) == 0):
            rest.append(k)  # (an axis added, a 0-d mask's too: none of x's read)
        else:  # a slice, an index array, or a mask of one or more axes
            ndim = 1 if c == "-" or np.asarray(k).dtype != bool else np.ndim(k)
            first.extend([slice(None)] * ndim)
            rest.append(k)
    return tuple(first), tuple(rest)


# ------------------------------------------------------------------ shape
def unsqueeze(self: Tensor, dim: int) -> Tensor:
    """Insert an axis of length 1 at position ``dim`` (NumPy's expand_dims)."""
    shape = list(self.data.shape)
    shape.insert(_dim("unsqueeze", dim, self.data.ndim + 1), 1)
    return self.reshape(shape)


def squeeze(self: Tensor, dim: int | tuple[int, ...] | None = None) -> Tensor:
    """Remove the axes of length 1 (only those among ``dim`` when given, as in PyTorch)."""
    n = self.data.ndim  # (a 0-d tensor takes dim 0 or -1, as in PyTorch)
    dims = range(n) if dim is None else [_dim("squeeze", d, max(n, 1)) for d in _unpack((dim,))]
    if len(set(dims)) < len(dims):
        raise ValueError(f"squeeze: dim names an axis more than once. Got {dim!r}.")
    return self.reshape([k for i, k in enumerate(self.data.shape) if k != 1 or i not in dims])


def flatten(self: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge the axes ``start_dim`` to ``end_dim`` (both included) into one, as in PyTorch."""
    shape, n = self.data.shape, max(self.data.ndim, 1)
    s, e = _dim("flatten", start_dim, n), _dim("flatten", end_dim, n) + 1
    if s >= e:  # e is one past end_dim
        raise ValueError(
            f"flatten: start_dim cannot come after end_dim. Got start_dim={start_dim}, "
            f"end_dim={end_dim} for a tensor of shape {shape}."
        )
    return self.reshape(shape[:s] + (int(np.prod(shape[s:e])),) + shape[e:])


def permute(self: Tensor, *dims: int) -> Tensor:
    """Reorder the axes: axis i of the result is axis ``dims[i]`` (NumPy's transpose; all
    axes reversed when none are given)."""
    dims = _unpack(dims)
    n = self.data.ndim
    perm = tuple(_dim("permute", d, n) for d in dims) if dims else tuple(range(n))[::-1]
    if sorted(perm) != list(range(n)):
        raise ValueError(f"permute: dims must order all {n} axes once each. Got {dims}.")
    inv = tuple(np.argsort(perm))
    out = np.transpose(self.data, perm)
    out = Tensor.from_op(out, "transpose", (self,), lambda g: (np.transpose(g, inv),))
    return self._viewing(out)


def transpose(self: Tensor, *dims: int) -> Tensor:
    """``transpose(d0, d1)`` swaps two axes, as PyTorch's (so on a matrix ``(0, 1)`` is the
    transpose, not NumPy's identity); with no argument, or with three or more axes
    (``transpose(2, 0, 1)``, NumPy's spelling), it is ``permute``."""
    dims = _unpack(dims)
    if len(dims) == 1 and self.data.ndim > 1:  # (permute's error would name permute)
        raise TypeError(
            f"transpose takes the two dims to swap, as PyTorch's transpose(dim0, dim1) (or "
            f"every axis in its new order, NumPy's). Got {dims} for a tensor of shape "
            f"{self.shape}."
        )
    if len(dims) != 2:
        return self.permute(*dims)
    perm = list(range(self.data.ndim))
    a, b = (_dim("transpose", d, max(self.data.ndim, 1)) for d in dims)
    if not perm:  # a 0-d tensor takes dims 0 and -1, as in PyTorch: itself
        return self.permute(perm)
    perm[a], perm[b] = perm[b], perm[a]
    return self.permute(perm)


def _sizes(op: str, sizes: tuple[Any, ...], noun: str) -> tuple[int, ...]:
    """``op``'s sizes as ints (``f(2, 3)`` or ``f((2, 3))``), or a TypeError naming the first
    that is not a whole number."""
    sizes = _unpack(sizes)
    for k in sizes:
        if isinstance(k, (bool, np.bool_)) or not isinstance(k, numbers.Integral):
            raise TypeError(
                f"{op} takes {noun} as whole numbers ({op}(2, 3), or {op}((2, 3))). Got "
                f"{k!r:.40} in {sizes!r:.80}."
            )
    return tuple(int(k) for k in sizes)


def expand(self: Tensor, *sizes: Any) -> Tensor:
    """PyTorch's ``x.expand(*sizes)``: x broadcast to ``sizes`` without copying (a read-only
    view). New axes may come first; of x's own, only one of length 1 grows, and -1 keeps an
    axis's length. The gradient is summed over the positions that repeat a value."""
    target, shape = _sizes("expand", sizes, "the new shape"), self.data.shape
    new = len(target) - len(shape)
    if new < 0:
        raise ValueError(
            f"expand: {len(target)} size(s) {target} for x of shape {shape} ({len(shape)} axes): "
            "give one per axis of x, and any new axes first (x.expand(4, *x.shape)), as "
            "PyTorch's; -1 keeps an axis's length."
        )
    out = []
    for i, k in enumerate(target):
        if i < new:
            if k < 0:
                raise ValueError(
                    f"expand: size {k} for the new leading axis {i} of {target}: a new axis "
                    "needs its length (>= 0); -1, keep the length, is for x's own axes only, "
                    "as in PyTorch."
                )
            out.append(k)
            continue
        have = shape[i - new]
        if k == -1 or k == have:
            out.append(have)
        elif k < 0:
            raise ValueError(
                f"expand: size {k} at axis {i} of {target}: sizes are lengths (>= 0) or -1 "
                "(keep x's length)."
            )
        elif have != 1:
            raise ValueError(
                f"expand: axis {i} of x (shape {shape}) has length {have}, which cannot become "
                f"{k} (target {target}): only an axis of length 1 grows, as in PyTorch. Give "
                f"x that axis of length 1 first (x.unsqueeze(d)), or tile x with x.repeat(...)."
            )
        else:
            out.append(k)
    a = self.data
    values = np.broadcast_to(a, tuple(out))  # (read-only: its positions share memory)
    node = Tensor.from_op(values, "expand", (self,), lambda g: (unbroadcast(g, a.shape),))
    return self._viewing(node)


_NO_AXIS: Any = NotGiven()


def repeat(self: Tensor, *sizes: Any, axis: Any = _NO_AXIS) -> Tensor:
    """PyTorch's ``x.repeat(*sizes)``: x tiled ``sizes[i]`` times along axis i (NumPy's
    ``np.tile``, a copy), with one count per axis of x at least (more add leading axes), as
    PyTorch asks. The gradient of a value is the sum of g over its copies. (NumPy's
    ``np.repeat(x, n)``, which repeats each value in place, calls ``x.repeat(n, axis=None)``:
    refused, naming what to write, where it made an array of one-value Tensors.)"""
    if axis is not _NO_AXIS:  # (a ValueError: NumPy reads a TypeError as "try the values")
        raise ValueError(
            "np.repeat(x, n, axis) repeats each value n times (NumPy's repeat); a Tensor's "
            "x.repeat(...) is PyTorch's, which tiles all of x (np.tile). For the values, write "
            "np.repeat(x.data, n, axis); in the graph, each value n times along axis d is "
            "x.unsqueeze(d + 1).expand(...).flatten(d, d + 1)."
        )
    if not sizes:
        raise TypeError(
            "repeat() needs the number of copies along each axis (x.repeat(2, 1)), as "
            "PyTorch's. Got none."
        )
    reps, shape = _sizes("repeat", sizes, "the counts of copies"), self.data.shape
    if len(reps) < len(shape):
        raise ValueError(
            f"repeat: {len(reps)} count(s) {reps} for x of shape {shape} ({len(shape)} axes): "
            "give one per axis of x (more add leading axes), as PyTorch's; NumPy's "
            f"np.tile pads the counts with 1s in front: write x.repeat"
            f"{(1,) * (len(shape) - len(reps)) + reps}."
        )
    if any(k < 0 for k in reps):
        raise ValueError(f"repeat: the counts must be >= 0 (0 empties an axis). Got {reps}.")
    a = self.data
    full = (1,) * (len(reps) - a.ndim) + a.shape  # x's shape with the new axes in front

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        split = [n for pair in zip(reps, full) for n in pair]  # (copies, length) per axis
        summed = g.reshape(split).sum(axis=tuple(range(0, len(split), 2)))
        return (summed.reshape(a.shape),)

    return Tensor.from_op(np.tile(a, reps), "repeat", (self,), backward)


def getitem(self: Tensor, index: Any) -> Tensor:
    """``x[index]``, PyTorch's indexing (NumPy's, with the integers applied first where an
    advanced index is apart from them: :func:`_torch_index`); the gradient goes back to the
    positions read (repeated indices accumulate)."""
    a = self.data
    first, index = _torch_index(index, a.ndim)

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        full = np.zeros_like(a)
        np.add.at(full if first is None else full[first], index, g)  # repeats accumulate
        return (full,)

    out = a[index] if first is None else a[first][index]
    if type(out) is not np.ndarray and isinstance(out, np.generic):  # one value: NumPy's copy;
        out = a[element_index(index)]  # PyTorch's 0-d view (x[0].add_(1) writes into x)
    return self._viewing(Tensor.from_op(out, "index", (self,), backward))


def _integer_index(index: Any, op: str) -> np.ndarray:
    """``index`` as an integer array (``[]`` too, which NumPy reads as float64), or a clear
    error naming ``op``."""
    given = index
    index = np.asarray(index)
    if index.size == 0 and not isinstance(given, np.ndarray):  # ([] reads as float64)
        index = index.astype(np.int64)
    if index.dtype.kind not in "iu":
        raise TypeError(
            f"{op}: index must hold integers (int64, PyTorch's long), as PyTorch's. Got "
            f"dtype {index.dtype}: cast it, np.asarray(index, dtype=np.int64) (of whole "
            "numbers), or give the result of x.argmax(dim) or y.long()."
        )
    return index


def _gather_index(index: Any, a: np.ndarray, d: int, dim: Any, op: str = "gather") -> np.ndarray:
    """gather's ``index`` as an intp array (at least 1-D) that fits x (``a``), or a clear error:
    integers only, as many axes as x, no longer than x off ``dim``, each in [0, len) on it
    (``op``: the name the messages give, scatter's too)."""
    if isinstance(index, Tensor):
        raise TypeError(
            "gather: index must hold integers (PyTorch's LongTensor; here an integer array: "
            "x.argmax(1), a DataLoader's labels, np.array([[0, 2]])). Got a Tensor, whose "
            "values are floats: pass np.asarray(index.data, dtype=np.int64) if they are "
            "whole numbers."
        )
    index = _integer_index(index, op)
    n = max(a.ndim, 1)  # (a 0-d x, or index, counts as 1-D, as in PyTorch)
    if max(index.ndim, 1) != n:
        raise ValueError(
            f"{op}: index must have as many axes as x, as PyTorch's. Got index of shape "
            f"{index.shape} for x of shape {a.shape}: add the missing axes (index[:, None], "
            "index.reshape(...))."
        )
    index, shape = np.atleast_1d(index), a.shape or (1,)
    for k in range(n):
        if k != d and index.shape[k] > shape[k]:
            raise ValueError(
                f"{op}: index of shape {index.shape} is longer than x (shape {a.shape}) on "
                f"axis {k}: off dim {dim}, each axis of index must be no longer than x's, as "
                "PyTorch's."
            )
    bad = (index < 0) | (index >= shape[d])
    if bad.any():
        raise IndexError(
            f"{op}: index {index[bad].flat[0]} is out of range for dim {dim} of x (shape "
            f"{a.shape}, length {shape[d]}): each index must be in [0, {shape[d] - 1}], as "
            "PyTorch's (which takes no negative ones)."
        )
    return index.astype(np.intp, copy=False)


def gather(self: Tensor, dim: Any, index: Any, *, sparse_grad: Any = False) -> Tensor:
    """PyTorch's ``x.gather(dim, index)``: ``out[i][j] = x[index[i][j]][j]`` for dim 0 (and
    so on for each dim), an ``out`` of index's shape; ``index``, integers (an int64 array, or
    a Tensor of whole numbers such as ``gn.tensor(labels)``, read as ``x[t]`` reads it), has
    as many axes as x and is no longer than x on each other axis. The gradient is scattered
    back, added where an index repeats (np.add.at). ``sparse_grad``: PyTorch's choice of a
    sparse gradient; glassnet's is a dense array, of the same values, either way."""
    check_bool(sparse_grad, "sparse_grad", "gather")
    if isinstance(index, Tensor):  # (gn.tensor(label) holds floats: whole numbers, as scatter)
        index = _index(index)
    a = self.data
    n = max(a.ndim, 1)
    d = _dim("gather", dim, n)
    idx = _gather_index(index, a, d, dim)
    # the index of each output: idx on dim, the output's own position on every other axis
    where = tuple(
        idx if k == d else np.arange(idx.shape[k]).reshape([-1 if j == k else 1 for j in range(n)])
        for k in range(n)
    )
    a1, out_shape = a.reshape(a.shape or (1,)), np.shape(index)

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        full = np.zeros_like(a1)
        np.add.at(full, where, g.reshape(idx.shape))  # repeated indices accumulate
        return (full.reshape(a.shape),)

    return Tensor.from_op(a1[where].reshape(out_shape), "gather", (self,), backward)


def _scatter_args(
    self: Tensor, op: str, dim: Any, index: Any, src: Any, value: Any, reduce: Any
) -> tuple[tuple[Any, ...], Any, Any, tuple[slice, ...]]:
    """scatter's checked arguments: where each value goes in ``self`` (seen as at least 1-D),
    the values (an array of index's shape), the Tensor ``src`` (None for a number) and the
    part of src they are (index's shape)."""
    if reduce is not None:
        raise TypeError(
            f"{op}: reduce= is not supported (PyTorch deprecates it for scatter_reduce_). Got "
            f"reduce={reduce!r:.30}: to add repeated indices, write np.add.at(x.data, ...) "
            "inside `with gn.no_grad():`."
        )
    if src is not None and value is not None:
        raise TypeError(f"{op}: give src (a tensor) or value (a number), not both.")
    if src is None and value is None:
        raise TypeError(f"{op}() missing the values to write: src (a tensor) or value=.")
    if src is None or not isinstance(src, (Tensor, np.ndarray)):
        given = value if src is None else src
        if isinstance(given, (bool, np.bool_)) or not isinstance(given, numbers.Real):
            raise TypeError(
                f"{op}: value must be a number (src a Tensor), as PyTorch's. Got "
                f"{type(given).__name__} {given!r:.40}."
            )
        src, value = None, given
    if isinstance(index, Tensor):  # (gn.tensor(label) holds a float: read as x[t] reads it)
        index = _index(index)
    a = self.data
    n = max(a.ndim, 1)
    d = _dim(op, dim, n)
    idx = _gather_index(index, a, d, dim, op)
    if src is None:  # (1e300 in float32 would be written as inf: refused, as PyTorch's)
        check_fits(value, a.dtype, f"x.{op}(dim, index, value)", "value")
    else:
        if not isinstance(src, Tensor):
            src = Tensor(src, dtype=a.dtype)
        if src.data.dtype != a.dtype:  # (a silent cast: float64's values rounded, or inf)
            to = {"float32": ".float()", "float64": ".double()"}.get(a.dtype.name, "")
            raise TypeError(
                f"x.{op}(dim, index, src): src is {src.data.dtype} but x is {a.dtype}; "
                f"PyTorch's scatter refuses mixed dtypes too (expected src's dtype to equal "
                f"x's). Convert src to x's dtype (src{to or f'.to({a.dtype.name})'}), or x "
                f"to {src.data.dtype}."
            )
        sshape = src.shape or (1,)
        if len(sshape) != n or any(i > k for i, k in zip(idx.shape, sshape)):
            raise ValueError(
                f"{op}: src of shape {src.shape} must have as many axes as x (shape "
                f"{a.shape}) and be no shorter than index (shape {np.shape(index)}) on each, "
                "as PyTorch's."
            )
    where = tuple(
        idx if k == d else np.arange(idx.shape[k]).reshape([-1 if j == k else 1 for j in range(n)])
        for k in range(n)
    )
    part = tuple(slice(0, k) for k in idx.shape)  # (the values src gives: index's shape)
    values = value if src is None else src.data.reshape(src.shape or (1,))[part]
    return where, values, src, part


def scatter_(
    self: Tensor, dim: Any, index: Any, src: Any = None, *, value: Any = None, reduce: Any = None
) -> Tensor:
    """PyTorch's ``x.scatter_(dim, index, src)`` / ``x.scatter_(dim, index, value=v)``: for
    dim 0, ``x[index[i][j]][j] = src[i][j]`` (or v), and so on for each dim, in place under
    the rules of ``x += y``; returns x. ``index`` holds integers (an int64 array, or a
    Tensor of whole numbers such as ``gn.tensor(label)``), as many axes as x, no longer than
    x off ``dim`` (nor than src on any axis); where an index repeats, one of the values is
    kept (the last, where PyTorch's order is not defined). The Transforms tutorial's one-hot
    target, ``gn.zeros(10).scatter_(0, gn.tensor(y), value=1)``, runs as written."""
    where, values, src, _ = _scatter_args(self, "scatter_", dim, index, src, value, reduce)
    check_writable(self, "x.scatter_(...)", "", src, "x = x.scatter(dim, index, src)")
    self.data.reshape(self.data.shape or (1,))[where] = values
    self._bump()
    return self


def scatter(
    self: Tensor, dim: Any, index: Any, src: Any = None, *, value: Any = None, reduce: Any = None
) -> Tensor:
    """PyTorch's ``x.scatter(dim, index, src)``: :func:`scatter_` on a copy, in the graph. x
    receives g except where a value was written; src receives g at the position each of
    its values went to (``g.gather(dim, index)``, as PyTorch's)."""
    where, values, src, part = _scatter_args(self, "scatter", dim, index, src, value, reduce)
    shape1 = self.data.shape or (1,)
    out = self.data.copy()
    out.reshape(shape1)[where] = values
    sshape = None if src is None else src.data.shape
    if src is not None:  # which of src's values stayed (the last where an index repeats)
        ishape = tuple(sl.stop for sl in part)  # (index's shape)
        order = np.arange(int(np.prod(ishape))).reshape(ishape)
        last = np.full(shape1, -1, dtype=np.intp)
        last[where] = order
        kept = last[where] == order

    def backward(g: np.ndarray) -> tuple[np.ndarray | None, ...]:
        g1 = g.reshape(shape1)
        gx = g1.copy()
        gx[where] = 0
        if sshape is None:
            return (gx.reshape(g.shape),)
        gs = np.zeros(sshape or (1,), dtype=g.dtype)
        # g.gather(dim, index) into src's shape; a value overwritten by a later one at the
        # same place changes nothing, so its gradient is 0 (PyTorch's order is undefined)
        gs[part] = np.where(kept, g1[where], 0)
        return gx.reshape(g.shape), gs.reshape(sshape)

    return Tensor.from_op(out, "scatter", (self,) if src is None else (self, src), backward)


Tensor.scatter_, Tensor.scatter = scatter_, scatter


# ------------------------------------------------------------------ writes
def check_writable(
    self: Tensor,
    what: str,
    sym: str = "",
    other: Any = None,
    fix: str = "glassnet.where(mask, y, x)",
) -> None:
    """Raise, before anything is written, where writing into this tensor's values (or those
    of a tensor it views) would make a graph wrong or lose a gradient; ``fix`` is the op that
    records it in the graph instead (for an operator ``sym``, ``x = x <sym> y``)."""
    fix = f"x = x {sym} y" if sym else fix
    root = self
    while root._base is not None:
        root = root._base
    # W[0] -= y on a parameter W, outside no_grad: said as for W -= y (W[0] is a graph node)
    param_view = is_grad_enabled() and self.requires_grad and root.backward_fn is None
    t: Tensor | None = self
    while t is not None and not param_view:
        if t.backward_fn is not None and not self.requires_grad:  # z.detach()[0] = y
            zfix = re.sub(r"\bx\b", "z", fix)  # (x is outside the graph: z's new node)
            zfix = zfix if zfix.startswith("z = ") else f"z = {zfix}"
            raise RuntimeError(  # (allowed, the ops whose backward reads z's values would err)
                f"{what}: x requires no grad, but shares its values with a tensor computed by op "
                f"{t.op!r} (as z.detach() does), which the graph keeps for backward. Write into "
                "a copy, z.detach().clone(); or, to change the values in the graph, make a new "
                f"node from z (a write into x changes nothing there): {zfix}."
            )
        if t.backward_fn is not None:  # a view writes into its base: both must allow it
            raise RuntimeError(
                f"{what} on a tensor computed by op {t.op!r} that requires grad (or a view of "
                f"one): the graph holds its values. Write {fix} (a new node) instead."
            )
        t = t._base
    value_grad = getattr(other, "requires_grad", False)
    if is_grad_enabled() and value_grad and not self.requires_grad:
        raise RuntimeError(  # out[:, t] = h: the values would come in, h's gradient would not
            f"{what}: the value written requires grad (it is in the graph) and the target x "
            "does not, outside no_grad(): the values would be copied in without the graph, "
            "so no gradient would reach what made the value (under no_grad() too, silently). "
            "Build the result in the graph instead: collect the pieces in a list and join "
            "them, glassnet.stack(rows, dim) (as for out[:, t] = h in a loop over t) or "
            f"glassnet.cat(pieces, dim); to replace some of x's values, write {fix}."
        )
    if is_grad_enabled() and self.requires_grad:
        both = " (and so does the value written)" if value_grad else ""
        raise RuntimeError(  # a parameter's update, or x += loss: no graph would record it
            f"{what}: the target x requires grad{both}, outside no_grad(): update parameters "
            "inside `with glassnet.no_grad():` (p -= lr * p.grad), as in PyTorch; "
            + (fix if fix.startswith("or ") else f"to record the op in the graph, write {fix}.")
        )
    if not getattr(self.data.flags, "writeable", True):  # (NumPy's error named no cause)
        raise ValueError(
            f"{what} on a tensor whose values are read-only: x.expand()'s result (or a view "
            "of it), whose positions share their values in memory (PyTorch refuses writing "
            "into it too), or a tensor made from a read-only array. Write into a copy: "
            "x = x.clone() first."
        )


def _inplace(sym: str, fn: Callable) -> Callable[[Tensor, Any], Tensor]:
    """``x <sym>= y``: ``fn(x, y, out=x)`` under the rules of the module docstring."""

    def op(self: Tensor, other: Any) -> Tensor:
        check_writable(self, f"x {sym} y", sym[:-1], other)
        b = other.data if isinstance(other, Tensor) else other
        try:
            fn(self.data, b, out=self.data)
        except (TypeError, ValueError) as e:
            raise ValueError(f"x {sym} y on x of shape {self.shape}: {e}") from e
        self._bump()
        return self

    return op


def setitem(self: Tensor, index: Any, value: Any) -> None:
    """``x[index] = value`` writes into x's array, as in PyTorch, under the rules of the
    in-place operators (``x[0] -= y`` is ``x[0] = x[0] - y``): a parameter inside
    ``no_grad()``, or a tensor no graph needs; refused, changing nothing, elsewhere."""
    check_writable(self, "x[...] = y", "", value)
    v = value.data if isinstance(value, Tensor) else value
    check_fits(v, self.data.dtype, "x[...] = y", "y")
    try:
        first, index = _torch_index(index, self.data.ndim)
        (self.data if first is None else self.data[first])[index] = v
    except (TypeError, ValueError, IndexError) as e:
        raise type(e)(f"x[...] = y on x of shape {self.shape}: {e}") from e
    self._bump()


def write_values(self: Tensor, what: str, value: Any, one_value: bool = False) -> Tensor:
    """``x[...] = value`` under the rules of ``x += y`` (:func:`check_writable`), named as
    ``what`` in its errors (``one_value``: v a number or a 0-d tensor, as fill_'s); returns
    x. PyTorch's ``x.fill_(v)`` and ``x.copy_(src)``, and ``nn.init``'s ``x.normal_()``."""
    new = {"x.fill_(v)": "glassnet.full_like(x, v)", "x.zero_()": "glassnet.zeros_like(x)"}
    fix = new.get(what, "src.clone()" if what == "x.copy_(src)" else None)
    check_writable(self, what, "", value, *([f"x = {fix}"] if fix else []))
    v = value.data if isinstance(value, Tensor) else value
    if one_value and np.ndim(v) != 0:  # (NumPy would broadcast a row into x)
        raise ValueError(
            f"x.fill_(v) takes one value (a number or a 0-d tensor), as PyTorch's. Got "
            f"shape {np.shape(v)}: write x.copy_(src) to copy a tensor's values in."
        )
    try:  # (NumPy would write a (1, n) value into an (n,) x, dropping the leading 1)
        wider = np.broadcast_shapes(np.shape(v), self.shape)
    except ValueError:
        wider = self.shape  # (NumPy's assignment says why, below)
    if wider != self.shape:
        raise ValueError(
            f"{what}: the value of shape {np.shape(v)} broadcasts x of shape {self.shape} to "
            f"shape {wider}, which cannot be written into x (PyTorch refuses it too): give a "
            "value of x's shape, or one that broadcasts to it."
        )
    check_fits(v, self.data.dtype, what)
    try:
        self.data[...] = v
    except (TypeError, ValueError) as e:
        raise ValueError(f"{what} on x of shape {self.shape}: {e}") from e
    self._bump()
    return self


def _write(what: str, one_value: bool = False) -> Callable[[Tensor, Any], Tensor]:
    return lambda self, value: write_values(self, what, value, one_value)


def _method(sym: str) -> Callable[..., Tensor]:
    """PyTorch's ``x.add_(y, alpha=a)`` and kin: ``x <sym>= a * y`` (``alpha`` for add_ and
    sub_ only); returns x."""
    op = _INPLACE[sym]

    def method(self: Tensor, other: Any, *, alpha: float = 1) -> Tensor:
        if alpha != 1 and sym not in ("+=", "-="):
            raise TypeError(f"alpha= is an argument of add_ and sub_ only. Got alpha={alpha!r}.")
        if alpha != 1:  # (in the result's dtype: 1e39 in float32 refused, as PyTorch's)
            what = "x.add_" if sym == "+=" else "x.sub_"
            dt = np.result_type(self.data.dtype, getattr(other, "dtype", self.data.dtype))
            check_fits(alpha, dt, what, "alpha")
            if isinstance(other, (Tensor, np.ndarray)) and other.dtype != dt:
                other = other.to(dt) if isinstance(other, Tensor) else other.astype(dt)
        return op(self, other if alpha == 1 else other * alpha)

    return method


def _format(self: Tensor, spec: str) -> str:
    """``f"{loss:.4f}"``: a one-value tensor formats as its value, as in PyTorch (``f"{x}"``,
    without a format, is the repr)."""
    if not spec:
        return str(self)
    if self.data.size != 1:
        raise TypeError(
            f"format {spec!r} needs a tensor of one value (a loss). Got shape {self.shape}; "
            "format its values (x.data) or one of them (x[i].item())."
        )
    return format(self.item(), spec)


def _float(self: Tensor) -> float:
    """``float(loss)``: the value of a one-value tensor, as ``item()`` (and as in PyTorch)."""
    return self.item()


def _int(self: Tensor) -> int:
    """``int(count)``: a one-value tensor's value rounded toward 0, as Python's ``int(2.7)``
    (and as PyTorch's ``int(x)``); a tensor of more values is refused, as by ``item()``."""
    return int(self.item())


def _no_imatmul(self: Tensor, other: Any) -> Tensor:
    raise TypeError("In-place matmul (a @= b) is not supported; write a = a @ b.")


def _fill_args(op: str, x: np.ndarray, mask: Any, value: Any) -> tuple[np.ndarray, Any]:
    """masked_fill's ``mask`` as a bool array and ``value`` as a number of x's dtype, or a
    0-d Tensor (as PyTorch's), or a clear error naming the argument."""
    if type(mask) is bool:
        raise TypeError(f"{op}: the mask is {mask}: {_IDENTITY}.")
    if isinstance(mask, Tensor):
        raise TypeError(
            f"{op}: mask must be a bool array (x > 0, or a NumPy bool array), as PyTorch's "
            f"bool mask. Got a Tensor (of {mask.dtype}): glassnet's Tensors hold floats; "
            "write mask.data != 0 for a Tensor of 0/1 values."
        )
    m = np.asarray(unmasked(mask, "mask", op))  # (a masked cell's hidden value refused)
    if m.dtype != bool:
        raise TypeError(
            f"{op}: mask must be a bool array, as PyTorch's (which refuses other dtypes too). "
            f"Got dtype {m.dtype}; write mask != 0 for an array of 0/1 values."
        )
    if isinstance(value, Tensor):
        if value.data.ndim:
            raise ValueError(
                f"{op}: value must be a number or a 0-d Tensor, as PyTorch's. Got a Tensor of "
                f"shape {value.shape}; for values that vary, write glassnet.where(mask, y, x)."
            )
        check_fits(value, x.dtype, f"{op}(mask, value)", "value")
        return m, value
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        raise TypeError(
            f"{op}: value must be a number or a 0-d Tensor. Got {value!r:.60}"
            f" ({type(value).__name__})."
        )
    check_fits(value, x.dtype, f"{op}(mask, value)", "value")
    return m, x.dtype.type(value)


def _fill_shape(op: str, shape: tuple[int, ...], mask: tuple[int, ...]) -> tuple[int, ...]:
    """The shape x and its mask broadcast to, or an error naming both."""
    try:
        return tuple(np.broadcast_shapes(shape, mask))
    except ValueError as e:
        raise ValueError(
            f"{op}: mask of shape {mask} does not broadcast with x of shape {shape} (shapes "
            "compare from the right; each pair must be equal or 1)."
        ) from e


def masked_fill(self: Tensor, mask: Any, value: Any) -> Tensor:
    """PyTorch's ``x.masked_fill(mask, value)``: x with ``value`` where the bool ``mask`` is
    True (mask broadcast with x, as PyTorch's). In the graph: x's gradient passes where the
    mask is False; a 0-d Tensor ``value`` receives the sum of the gradient where it is True."""
    a = self.data
    m, v = _fill_args("masked_fill", a, mask, value)
    fill = v.data.astype(a.dtype) if isinstance(v, Tensor) else v
    _fill_shape("masked_fill", a.shape, m.shape)
    out = np.where(m, fill, a)
    zero = np.zeros((), dtype=out.dtype)

    def backward(g: np.ndarray) -> tuple[np.ndarray, ...]:
        gx = unbroadcast(np.where(m, zero, g), a.shape)
        if not isinstance(v, Tensor):
            return (gx,)
        gv = np.where(m, g, zero).sum()
        return gx, np.asarray(gv, dtype=v.data.dtype)

    parents = (self, v) if isinstance(v, Tensor) else (self,)
    return Tensor.from_op(out, "masked_fill", parents, backward)


def masked_fill_(self: Tensor, mask: Any, value: Any) -> Tensor:
    """PyTorch's ``x.masked_fill_(mask, value)``: ``value`` written into x where ``mask`` is
    True (a mask that broadcasts to x's shape), under the rules of ``x[mask] = value``;
    returns x."""
    m, v = _fill_args("masked_fill_", self.data, mask, value)
    if _fill_shape("masked_fill_", self.data.shape, m.shape) != self.data.shape:
        raise ValueError(
            f"masked_fill_: mask of shape {m.shape} does not broadcast to x's shape "
            f"{self.shape}: an in-place write keeps x's shape (x.masked_fill(mask, value) "
            "broadcasts both)."
        )
    check_writable(self, "x.masked_fill_(mask, value)", "", v, "x.masked_fill(mask, value)")
    fill = v.data.astype(self.data.dtype) if isinstance(v, Tensor) else v
    np.copyto(self.data, fill, where=m)
    self._bump()
    return self


# ------------------------------------------------------------------ PyTorch's small habits
def requires_grad_(self: Tensor, requires_grad: bool = True) -> Tensor:
    """Set ``requires_grad`` in place and return the tensor, as PyTorch's; only a leaf's
    (a tensor no op computed) may be turned off."""
    flag = check_bool(requires_grad, "requires_grad", "Tensor.requires_grad_")
    if not flag and self.backward_fn is not None:
        raise RuntimeError(
            f"requires_grad_(False) on a tensor computed by op {self.op!r}: only a leaf's flag "
            "can change, as in PyTorch. Use x.detach() for a tensor cut from the graph."
        )
    self.requires_grad = flag
    return self


def clone(self: Tensor) -> Tensor:
    """A copy of the values that stays in the graph (the gradient passes through), as
    PyTorch's ``clone``; not a view, so writing into it leaves this tensor alone."""
    return Tensor.from_op(self.data.copy(), "clone", (self,), lambda g: (g,))


def _compare(fn: Callable, sym: str) -> Callable[[Tensor, Any], Any]:
    """``x > 0``, ``x == y`` and the other comparisons with a number, a NumPy array or a
    Tensor: a bool :class:`Array`, elementwise with broadcasting (PyTorch's is a bool
    tensor, which carries no gradient either). ``==`` and ``!=`` with anything else (None,
    a list, a string) stay Python's: False and True."""

    def compare(self: Tensor, other: Any) -> Any:
        if isinstance(other, Tensor):
            b = other.data
        elif isinstance(other, (np.ndarray, np.generic, int, float, bool)):
            b = other
        elif sym in ("==", "!="):
            return NotImplemented  # (Python's fallback: identity)
        else:
            return _array(fn(self.data, other))  # (x < [1, 2]; NumPy's error for x < "a")
        try:
            return _array(fn(self.data, b))
        except ValueError as e:
            raise ValueError(
                f"x {sym} y: shapes {self.shape} and {np.shape(b)} cannot be broadcast together "
                "(NumPy broadcasting compares shapes from the right; each pair must be equal "
                "or 1)."
            ) from e

    return compare


def _arg(fn: Callable, op: str) -> Callable[..., Array]:
    """PyTorch's ``argmax(dim, keepdim)`` (``argmin``): the index of the first maximum
    (minimum) along ``dim``, of the flattened values when None, as an int64 :class:`Array`:
    indices have no gradient, and a Tensor holds floats."""

    def method(self: Tensor, dim: Any = None, keepdim: bool = False) -> Array:
        keepdims = check_bool(keepdim, "keepdim", op)
        if dim is not None and (isinstance(dim, bool) or not isinstance(dim, numbers.Integral)):
            raise TypeError(  # (NumPy's: "'tuple' object cannot be interpreted as an integer")
                f"{op} takes one dim (an int) or None (the flattened values), as PyTorch's. "
                f"Got dim={dim!r:.40}; for several axes, flatten them first "
                f"(x.flatten(0, 1).{op}(0))."
            )
        out = reduced(fn, self.data, op, dim, keepdims=keepdims)
        return _array(out).astype(np.int64, copy=False)

    method.__name__ = op
    method.__doc__ = f"PyTorch's ``{op}(dim, keepdim)``: the indices, an int64 Array."
    return method


_Size = TorchSize  # (x.size: an int that is also PyTorch's size())


def to(
    self: Tensor,
    *args: Any,
    dtype: Any = None,
    device: Any = None,
    non_blocking: bool = False,
    copy: bool = False,
) -> Tensor:
    """``x.to(torch.float64)``, ``x.to("cpu")``, ``x.to("cuda")``, as PyTorch's: a dtype cast
    in the graph (the gradient cast back; the tensor itself when it has that dtype), and a
    copy on another device ("cpu": NumPy, "cuda": CuPy) for a tensor that needs no gradient
    (the batches of a hand-written loop). A tensor that requires grad is not moved: the
    move is not in the graph, so its gradient would not come back; move the model with
    ``model.to(device)`` (or ``fit(device=)``) and build the graph there. ``copy=True``: a
    new tensor even when nothing changes (a copy in the graph); ``non_blocking`` is taken
    and changes nothing (NumPy's and CuPy's copies here are synchronous)."""
    from ._validation import ParameterError, check_device, check_to_args
    from .backend import namespace, to_device

    given = (*args, dtype, check_device(device, "Tensor.to"))  # (torch.device: by its name)
    given = tuple(str(a) if isinstance(getattr(a, "type", None), str) else a for a in given)
    dt, dev = check_to_args(given, "Tensor.to")
    check_bool(non_blocking, "non_blocking", "Tensor.to")
    out = self if dt is None or self.data.dtype == dt else self.astype(dt)
    out = out.clone() if check_bool(copy, "copy", "Tensor.to") and out is self else out
    if dev is None or (dev == "cpu") == (namespace(out.data) is np):
        return out  # (already there: the tensor itself, as PyTorch's)
    if out.requires_grad:
        raise ParameterError(
            f"Tensor.to({dev!r}): this tensor requires grad, and a move between devices is not "
            f"in glassnet's graph (its gradient would not come back). Move the model with "
            f"model.to({dev!r}) and build the graph there, or move x.detach()."
        )
    return Tensor(to_device(out.data, dev), dtype=out.data.dtype)


Tensor.to = to


def _pickled(self: Tensor) -> tuple[Any, dict[str, Any]]:
    """A Tensor's pickled state (``pickle``, ``copy.deepcopy``, ``gn.save`` of a dict):
    its slots without the link to the tensor whose values it viewed (a copy's values are
    its own) and with its clock at 0, the start of any process's clock: a write-counter
    from the process that pickled it would read, in the next, as a later in-place write.
    A graph node that requires grad is refused (its backward is code of this process)."""
    if self.backward_fn is not None and self.requires_grad:
        raise RuntimeError(
            f"pickle (or copy.deepcopy) of a tensor computed by op {self.op!r}: a non-leaf "
            "tensor that requires grad cannot be pickled: the graph cannot cross processes; "
            "call .detach() to send its values (t.detach(), a leaf; "
            "t.detach().requires_grad_() to start a new graph from them)."
        )
    slots = {
        k: getattr(self, k)
        for c in type(self).__mro__
        for k in getattr(c, "__slots__", ())
        if k != "__weakref__" and hasattr(self, k)
    }
    slots["_base"], slots["_version"] = None, 0
    _hooks_dropped(slots)
    return getattr(self, "__dict__", None) or None, slots


def _hooks_dropped(slots: dict[str, Any]) -> None:
    """A tensor's gradient hooks (``register_hook``'s) are not carried by pickle or
    ``copy.deepcopy``, as PyTorch's are not: said in a UserWarning (PyTorch warns on
    pickle), and taken out of the state (a copy's hooks would have no handle to remove
    them, and would keep every backward of the process looking for hooks)."""
    if slots.get("_hooks"):
        warnings.warn(
            f"pickle (or copy.deepcopy) of a tensor with {len(slots['_hooks'])} gradient "
            "hook(s): the copy does not carry them (PyTorch's neither); call register_hook "
            "on the copy's tensors again where it needs them.",
            UserWarning,
            stacklevel=3,
        )
    if "_hooks" in slots:
        slots["_hooks"] = None


def _unpickled(self: Tensor, state: Any) -> None:
    """A Tensor back from :func:`_pickled`'s state (without gradient hooks: one an earlier
    glassnet pickled with some has them dropped, with the same warning)."""
    own, slots = state if isinstance(state, tuple) else (state, None)
    if own:  # (pickle's own way: a __dict__ updated, the slots set)
        self.__dict__.update(own)
    _hooks_dropped(slots := dict(slots or {}))
    for k, v in slots.items():
        setattr(self, k, v)


Tensor.__getstate__ = _pickled
attach(Tensor, {"__setstate__": _unpickled}, module=False)
Tensor.cpu = lambda self: self.to("cpu")  # (the tensor itself on the host, as PyTorch's)
Tensor.cuda = lambda self: self.to("cuda")
Tensor.is_leaf = property(
    lambda self: self.backward_fn is None,
    doc="True for a tensor no op of the graph made (a parameter, data): PyTorch's is_leaf.",
)


def _arith(name: str, op: Callable[[Tensor, Any], Tensor], scaled: bool = False) -> Callable:
    """PyTorch's method form of an operator (``x.add(y, alpha=2)`` is ``x + 2 * y``)."""

    def method(self: Tensor, other: Any, *, alpha: Any = 1, rounding_mode: Any = None) -> Tensor:
        if isinstance(alpha, (bool, np.bool_)) or not isinstance(alpha, (int, float, np.number)):
            raise TypeError(f"{name}(): alpha must be a number. Got {alpha!r:.40}.")
        if alpha != 1 and not scaled:
            raise TypeError(f"{name}() takes no alpha (add and sub do).")
        if rounding_mode is not None and (name != "div" or rounding_mode not in ("trunc", "floor")):
            raise ValueError(
                f"{name}(): rounding_mode must be None, 'trunc' or 'floor' (div's, as PyTorch's). "
                f"Got {rounding_mode!r:.30}."
            )
        if not isinstance(other, Tensor):  # (as the operator reads it: a list times alpha
            try:  # would repeat the list)
                other = operand(other, self)
            except TypeError as e:  # (t.add(None): named as t + None is)
                raise operand_error(e, name, other) from None
        if alpha != 1:  # (alpha·other in the result's dtype: 1e39 in float32 refused, as
            dt = np.result_type(self.data.dtype, other.data.dtype)  # PyTorch's; in float64 kept)
            check_fits(alpha, dt, f"x.{name}", "alpha")
            other = other if other.data.dtype == dt else other.to(dt)
        if rounding_mode is None:
            return op(self, other if alpha == 1 else other * alpha)
        # PyTorch's rounded quotient, from the exact remainder (floor_divide: 1 // 0.1 is 9,
        # where floor(1 / 0.1) is 10), with gradient 0 (also where other is 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            a, b = self.data, other.data
            q = np.floor_divide(a, b) if rounding_mode == "floor" else np.trunc(a / b)
        ps = (self, other)
        return Tensor.from_op(q, "div", ps, lambda g: tuple(np.zeros_like(p.data) for p in ps))

    method.__name__ = name
    method.__doc__ = f"``x.{name}(y)``: PyTorch's method form of an operator, in the graph."
    return method


Tensor.add, Tensor.sub = _arith("add", Tensor.__add__, True), _arith("sub", Tensor.__sub__, True)
Tensor.mul, Tensor.div = _arith("mul", Tensor.__mul__), _arith("div", Tensor.__truediv__)


def _mm(self: Tensor, other: Any) -> Tensor:
    """PyTorch's ``x.mm(y)``: the product of two matrices (2-D only; ``matmul`` takes more)."""
    if self.data.ndim != 2 or np.ndim(other.data if isinstance(other, Tensor) else other) != 2:
        raise ValueError("mm: both operands must be matrices (2-D); matmul takes other shapes.")
    return self @ other


Tensor.pow, Tensor.matmul = Tensor.__pow__, Tensor.__matmul__
attach(Tensor, {"mm": _mm}, module=False)
Tensor.neg = Tensor.__neg__
Tensor.square = lambda self: self * self


def inference_mode(mode: Any = True) -> Any:
    """PyTorch's ``torch.inference_mode()``: :func:`glassnet.no_grad` (a with-block or a
    decorator, with or without its parentheses; a decorated generator function records
    nothing each time it resumes, as PyTorch's); ``inference_mode(False)`` records, as
    PyTorch's turns recording back on inside ``no_grad``."""
    if callable(mode):  # @inference_mode, bare
        return no_grad(mode)
    return no_grad() if check_bool(mode, "mode", "inference_mode") else enable_grad()


class Parameters(list):
    """``model.parameters()``: a list (``len``, indexing) that ``next()`` walks too, as it
    walks PyTorch's generator (``next(model.parameters()).dtype``)."""

    def __next__(self) -> Any:
        at = self.__dict__.setdefault("at", 0)
        if at == len(self):
            raise StopIteration
        self.at = at + 1
        return self[at]


#: torch.<name>(input, ...) for these Tensor methods: the method of ``input`` (a Tensor, or an
#: array or number made one), e.g. ``gn.sum(x, dim=1)`` is ``x.sum(dim=1)``
FUNCTIONS = (
    "sum", "mean", "exp", "log", "log1p", "sqrt", "abs", "sigmoid", "tanh", "relu", "softmax",
    "log_softmax", "matmul", "mm", "argmax", "argmin", "amax", "amin", "clamp", "flatten",
    "reshape", "transpose", "permute", "unsqueeze", "squeeze", "pow", "square", "std", "var",
    "norm", "numel", "cumsum", "masked_fill", "sort", "argsort", "topk", "bmm", "isclose",
    "allclose", "equal", "clamp_min", "clamp_max", "split", "chunk", "gather", "add", "sub",
    "mul", "div", "neg", "t", "clone", "scatter", "sin", "cos", "dot", "mv", "outer", "round",
    "floor", "ceil", "sign", "isnan", "isinf", "isfinite", "any", "all", "prod", "logsumexp",
    "flip", "roll", "tril", "triu", "index_select", "clip", "addcmul", "addcdiv", "lerp", "detach",
)  # fmt: skip


def _made(values: Any, owner: str) -> Tensor:
    """``values`` (an array, list or number) made a Tensor by the dtype rule; whole numbers
    the float type would round (above 2**24 in float32) are refused, not rounded."""
    try:
        t = Tensor(values)
    except TypeError as e:  # (None, a str: named by the function, gn.sum(None))
        if not refused(e, "numbers"):
            raise
        raise TypeError(
            f"{owner}: the input must be a Tensor or an array of numbers. Got {values!r:.60}."
        ) from None
    return _exact(t, values, owner)


def _exact(t: Tensor, values: Any, owner: str) -> Tensor:
    """``t``, made from ``values``, if it holds every whole number of theirs exactly; else a
    ValueError naming the first one rounded (above 2**24 in float32, 2**53 in float64)."""
    ints = np.asarray(values)
    if ints.dtype.kind not in "iu":
        return t
    with np.errstate(invalid="ignore"):  # (2**64 - 1 rounds to 2**64: no uint64)
        back = t.data.astype(ints.dtype)
    off = back.reshape(-1) != ints.reshape(-1)
    if off.any():
        bad = ints.reshape(-1)[off][0]
        wider = (
            "Pass glassnet.tensor(values, dtype=glassnet.float64) (exact up to 2**53), or "
            if t.data.dtype == np.float32 and abs(int(bad)) <= 2**53
            else ""
        )
        raise ValueError(
            f"{owner}: the whole number {bad} is not exact in {t.data.dtype} (Tensors hold "
            f"floats). {wider}{'use' if wider else 'Use'} NumPy on integer arrays."
        )
    return t


def _into(out: Any, result: Any, args: tuple[Any, ...], name: str) -> Tensor:
    """PyTorch's ``torch.<name>(..., out=out)``: ``result``'s values written into ``out`` (a
    Tensor of its shape), under the rules of ``x.copy_(src)``; returns ``out``. As in
    PyTorch, an input that requires grad is refused while grad mode is on (no graph records
    a write into ``out``)."""
    if not isinstance(out, Tensor):
        raise TypeError(
            f"{name}(..., out=): out must be a Tensor to write the result into, as PyTorch's. "
            f"Got {type(out).__name__}: leave out= out and take the returned tensor."
        )
    if not isinstance(result, Tensor):
        raise TypeError(
            f"{name}(..., out=): the result of {name} is {type(result).__name__} (integer "
            "indices, or several results), not one float Tensor: leave out= out and take what "
            "it returns."
        )
    if is_grad_enabled() and any(getattr(a, "requires_grad", False) for a in args):
        raise RuntimeError(
            f"{name}(): functions with out=... arguments don't support automatic "
            "differentiation, but one of the arguments requires grad (as PyTorch says). "
            f"Write out = gn.{name}(...) to record it in the graph, or call it inside "
            "`with gn.no_grad():`."
        )
    if out.shape != result.shape:
        raise ValueError(
            f"{name}(..., out=): out has shape {out.shape} and the result shape "
            f"{result.shape}. PyTorch resizes out (with a warning when it held values); "
            "glassnet does not reshape a tensor's memory: pass an out of the result's shape, "
            f"or take the returned tensor (out = gn.{name}(...))."
        )
    return out.copy_(result.detach())


def _clip_bounds(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """glassnet.clip(input, min, max)'s bounds checked under PyTorch's names: one at least, and
    none that requires grad (clip passes no gradient to its bounds)."""
    given = dict(zip(("min", "max"), args))
    given.update((k, v) for k, v in kwargs.items() if k in ("min", "max", "low", "high"))
    if all(v is None for v in given.values()):
        raise TypeError(
            "clip: pass min= or max= (or both), as torch.clip. Got neither, which would return "
            "the values unchanged."
        )
    for k, v in given.items():
        if isinstance(v, Tensor) and v.requires_grad and is_grad_enabled():
            raise TypeError(
                f"clip: {k} requires grad, but clip passes no gradient to its bounds; pass "
                f"{k}.detach(), or write glassnet.minimum(glassnet.maximum(x, min), max)."
            )


def function(name: str) -> Callable[..., Any]:
    """The function form ``torch.<name>(input, ...)`` of the Tensor method ``name``; with
    PyTorch's ``out=``, the result written into that tensor (:func:`_into`)."""

    def fn(input: Any, *args: Any, out: Any = None, **kwargs: Any) -> Any:  # noqa: A002
        x = input if isinstance(input, Tensor) else _made(input, name)
        if name == "clip":  # (torch.clip's names, min and max, not the method's low and high)
            _clip_bounds(args, kwargs)
        result = getattr(x, name)(*args, **kwargs)
        given = (out, x, *args, *kwargs.values())  # (out counts: PyTorch refuses one that
        return result if out is None else _into(out, result, given, name)  # requires grad)

    fn.__name__ = fn.__qualname__ = name
    fn.__module__ = "glassnet"  # (where it is found: pickle and joblib look it up there)
    fn.__doc__ = f"``{name}(input, ...)``, PyTorch's function form of ``input.{name}(...)``."
    return fn


Tensor.size = property(lambda self: _Size(self.data), doc=_Size.__doc__)
Tensor.requires_grad_, Tensor.clone = requires_grad_, clone
Tensor.numel = lambda self: int(self.data.size)  # PyTorch's names for .size and .ndim
Tensor.dim = lambda self: int(self.data.ndim)
Tensor.tolist = lambda self: self.data.tolist()
# PyTorch's casts (the gradient cast back); to the dtype it has, the tensor itself, as PyTorch's
Tensor.float = lambda self: self if self.data.dtype == np.float32 else self.astype(np.float32)
Tensor.double = lambda self: self if self.data.dtype == np.float64 else self.astype(np.float64)
Tensor.__eq__, Tensor.__ne__ = _compare(np.equal, "=="), _compare(np.not_equal, "!=")
Tensor.__hash__ = object.__hash__  # (by identity: tensors are dict keys and set members)
Tensor.__lt__, Tensor.__le__ = _compare(np.less, "<"), _compare(np.less_equal, "<=")
Tensor.__gt__, Tensor.__ge__ = _compare(np.greater, ">"), _compare(np.greater_equal, ">=")
Tensor.argmax, Tensor.argmin = _arg(np.argmax, "argmax"), _arg(np.argmin, "argmin")


def view(self: Tensor, *shape: Any) -> Tensor:
    """PyTorch's ``x.view(2, 3)``: :meth:`Tensor.reshape` (a NumPy view where possible).
    PyTorch's ``x.view(dtype)`` (the same bytes read as another dtype) is refused, naming
    the cast (NumPy's error said "'type' object cannot be interpreted as an integer")."""
    for k in _unpack(shape):
        if isinstance(k, bool) or not isinstance(k, numbers.Integral):
            raise TypeError(
                f"x.view takes the new shape as whole numbers (x.view(2, 3), x.view(-1)). Got "
                f"{k!r:.40}. PyTorch's view(dtype) reads the same bytes as another dtype, which "
                "glassnet does not do: x.to(dtype) casts the values (in the graph)."
            )
    return self.reshape(*shape)


Tensor.view = view  # PyTorch's name
Tensor.unsqueeze, Tensor.squeeze, Tensor.flatten = unsqueeze, squeeze, flatten
Tensor.permute, Tensor.transpose = permute, transpose
Tensor.expand, Tensor.repeat = expand, repeat
Tensor.T = property(permute, doc="The transpose: all axes reversed.")


def t(self: Tensor) -> Tensor:
    """PyTorch's ``x.t()``: the transpose of a matrix (a vector or a 0-d tensor as it is, a
    view); a tensor of more than 2 axes is refused, as PyTorch refuses it."""
    if self.data.ndim > 2:
        raise ValueError(
            f"t() expects a tensor of at most 2 axes, as PyTorch's. Got shape {self.shape}: "
            "write x.transpose(d0, d1) (two axes swapped) or x.permute(...) (all reordered)."
        )
    return self.permute()


# PyTorch's names of its CPU tensor types, x.type("torch.FloatTensor")
_TYPE_NAMES = {
    "torch.FloatTensor": np.float32, "torch.DoubleTensor": np.float64,
    "torch.LongTensor": np.int64, "torch.IntTensor": np.int32, "torch.ShortTensor": np.int16,
    "torch.CharTensor": np.int8, "torch.ByteTensor": np.uint8, "torch.BoolTensor": np.bool_,
}  # fmt: skip


def _type_name(dtype: Any, owner: str) -> Any:
    """``dtype``, or the NumPy dtype a PyTorch type name (``"torch.LongTensor"``) names; a
    name of another (a GPU's ``"torch.cuda.FloatTensor"``, a half) refused, naming it."""
    if not (isinstance(dtype, str) and dtype.endswith("Tensor")):
        return dtype
    if dtype not in _TYPE_NAMES:
        raise TypeError(
            f"{owner}({dtype!r}): glassnet knows PyTorch's CPU type names "
            f"{sorted(_TYPE_NAMES)}; pass a dtype (gn.float32), and .to('cuda') for the GPU."
        )
    return _TYPE_NAMES[dtype]


def _type(self: Tensor, dtype: Any = None, non_blocking: bool = False) -> Tensor:
    """PyTorch's ``x.type(torch.float64)``: ``x.to(dtype)``."""
    if dtype is None:
        raise TypeError(
            f"x.type() with no dtype names the type in PyTorch ('torch.FloatTensor'); here "
            f"read x.dtype ({self.data.dtype}), or pass a dtype to cast: x.type(gn.float64)."
        )
    if isinstance(dtype, _LegacyType):  # x.type(gn.FloatTensor), as x.type(torch.FloatTensor)
        dtype = f"torch.{dtype.__name__}"
    if isinstance(dtype, str) and dtype.endswith("Tensor"):  # PyTorch's type names
        kind = _TYPE_NAMES.get(dtype)
        if kind not in (np.float32, np.float64):
            raise TypeError(
                f"x.type({dtype!r}): glassnet Tensors hold float32 or float64 only, PyTorch's "
                "'torch.FloatTensor' and 'torch.DoubleTensor' (or pass the dtype, gn.float32); "
                "integer labels and indices stay NumPy arrays (x.argmax(1), y.long()); "
                "x.to('cuda') moves a tensor to the GPU."
            )
        dtype = kind
    return self.to(dtype, non_blocking=non_blocking)


def clamp_(self: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    """PyTorch's ``x.clamp_(min, max)``: ``x.clamp(min, max)`` written into x, under the
    rules of ``x += y`` (a parameter inside ``no_grad()``, or a tensor no graph needs)."""
    check_writable(self, "x.clamp_(min, max)", "", None, fix="x = x.clamp(min, max)")
    with no_grad():
        values = self.clamp(min, max).data  # (clamp's checks of the bounds)
    return write_values(self, "x.clamp_(min, max)", values)


def _abs(self: Tensor) -> Tensor:
    """``abs(x)``: ``x.abs()``, as PyTorch's."""
    return self.abs()


Tensor.t, Tensor.clamp_ = t, clamp_
attach(Tensor, {"type": _type, "__abs__": _abs}, module=False)


def _iter(self: Tensor) -> Iterator[Tensor]:
    """``for row in x``: x[0], x[1], ... along the first axis (each in the graph), as
    PyTorch's; a 0-d tensor is refused, as PyTorch refuses it (Python's fallback through
    ``__getitem__`` met x[0]'s IndexError at once and iterated over nothing, silently)."""
    if self.data.ndim == 0:
        raise TypeError(
            f"iteration over a 0-d tensor (one value, {self.data.item()!r:.20}), as in PyTorch: "
            "read it with x.item(), or x.reshape(1) to iterate over one value."
        )
    return (self[i] for i in range(self.data.shape[0]))


def _numpy_values(self: Tensor, dtype: Any = None, copy: Any = None) -> np.ndarray:
    """NumPy's view of a Tensor (``np.asarray(x)``, ``np.exp(x)``, scikit-learn's metrics):
    its values, for a tensor outside the graph; refused for one that requires grad, as
    PyTorch refuses it, since NumPy's result would leave the graph in silence (NumPy built
    an array of one-value Tensors from it before, walking it as a sequence)."""
    if self._rg:
        raise TypeError(
            f"NumPy was given a Tensor of shape {self.shape} that requires grad (a model's "
            "output, or a parameter): its result would not be in the graph, so no gradient "
            "would pass. For its values write x.detach().numpy() (as in PyTorch), or compute "
            "under glassnet.no_grad(); for the op in the graph use the Tensor's own (x.exp())."
        )
    if copy is False and dtype is not None and np.dtype(dtype) != self.data.dtype:
        raise ValueError(
            f"np.asarray(x, dtype={np.dtype(dtype)}, copy=False): x holds {self.data.dtype}; a "
            "new dtype needs a copy."
        )
    out = self.data if dtype is None else self.data.astype(dtype, copy=False)
    return np.array(out, copy=True) if copy else out


def _len(self: Tensor) -> int:
    """``len(x)``: the length of the first axis; a 0-d tensor's refused, as PyTorch's."""
    try:
        return len(self.data)
    except TypeError:  # (NumPy's "len() of unsized object" named neither x nor what to do)
        raise TypeError(
            f"len() of a 0-d tensor (one value, {self.data.item()!r:.20}), as in PyTorch: it has "
            "no first axis; x.numel() counts its values (1), x.item() reads the value."
        ) from None


attach(Tensor, {"__getitem__": getitem, "__setitem__": setitem, "__iter__": _iter,
    "__len__": _len, "__array__": _numpy_values}, module=False)  # fmt: skip
Tensor.gather = gather
_INPLACE = {
    sym: _inplace(sym, fn)
    for sym, fn in (("+=", np.add), ("-=", np.subtract), ("*=", np.multiply), ("/=", np.divide))
}
Tensor.__iadd__, Tensor.__isub__ = _INPLACE["+="], _INPLACE["-="]
Tensor.__imul__, Tensor.__itruediv__ = _INPLACE["*="], _INPLACE["/="]
Tensor.__ipow__ = _inplace("**=", np.power)  # (without it, x **= y made a new tensor)
Tensor.add_, Tensor.sub_, Tensor.mul_, Tensor.div_ = map(_method, ("+=", "-=", "*=", "/="))
Tensor.fill_, Tensor.copy_ = _write("x.fill_(v)", one_value=True), _write("x.copy_(src)")
_zero = _write("x.zero_()", one_value=True)
Tensor.zero_ = lambda self: _zero(self, 0)  # (its own name in its messages)
Tensor.masked_fill, Tensor.masked_fill_ = masked_fill, masked_fill_


def _grad_fill(self: Grad, value: Any) -> Grad:
    """``p.grad.fill_(v)`` under ``x.fill_(v)``'s refusals (:func:`check_fits`: a complex
    value, a finite one stored as inf), as PyTorch's gradient is a tensor."""
    check_fits(
        value.data if isinstance(value, Tensor) else value, self.dtype, "p.grad.fill_(v)", "v"
    )
    self.fill(value.data if isinstance(value, Tensor) else value)
    return self


def _grad_copy(self: Grad, src: Any) -> Grad:
    """``p.grad.copy_(src)`` under ``x.copy_(src)``'s refusals (masked cells too)."""
    v = src.data if isinstance(src, Tensor) else src
    check_fits(v, self.dtype, "p.grad.copy_(src)", "src")
    self[...] = v
    return self


Grad.fill_, Grad.copy_ = _grad_fill, _grad_copy  # (gradient.py knows no _validation)
attach(Tensor, {"__imatmul__": _no_imatmul, "__format__": _format, "__float__": _float,
    "__int__": _int}, module=False)  # fmt: skip


# ------------------------------------------------------------------ devices
_builtin_type = type  # (device's first argument has PyTorch's name, type)


class device(str):  # noqa: N801 (PyTorch's name: torch.device)
    """PyTorch's ``torch.device``: ``device("cpu")``, ``device("cuda")``, ``device("cuda:1")``,
    ``device("cuda", 1)`` or ``device(1)`` (a GPU's number), ``device(type=, index=)``. It is
    its name as a string ("cpu", "cuda:1"), so everything that takes ``"cpu"`` or ``"cuda"``
    takes it (``model.to(device)``, ``x.to(device)``, ``fit(device=)``, ``map_location=``),
    with PyTorch's ``.type`` ("cpu" or "cuda") and ``.index`` (an int, or None) and repr.
    glassnet runs on the current CuPy device: ``"cuda:N"`` makes a device, and the calls that
    move arrays refuse it, saying to choose the GPU with ``cupy.cuda.Device(n).use()``. Unlike
    PyTorch's, it equals its name: ``device("cpu") == "cpu"``; ``device("cpu:0")`` is
    ``device("cpu")`` (index None), the one CPU device."""

    __slots__ = ()

    def __new__(cls, type: Any = None, index: Any = None) -> device:  # noqa: A002
        if isinstance(type, device) and index is None:
            return type
        if _is_int(type) and index is None:  # torch.device(1): the GPU of that number
            type, index = "cuda", type
        if not isinstance(type, str):
            raise TypeError(
                f"device: type must be 'cpu' or 'cuda' (or 'cuda:N'), or a GPU's number. Got "
                f"{type!r:.60} ({_builtin_type(type).__name__})."
            )
        kind, sep, number = type.partition(":")
        if kind not in ("cpu", "cuda"):
            raise ValueError(
                f"device: glassnet knows the devices 'cpu' (NumPy) and 'cuda' (CuPy on an "
                f"NVIDIA GPU), as 'cuda' or 'cuda:N'. Got {type!r:.60}."
            )
        if sep:
            if index is not None:
                raise ValueError(
                    f"device: the index is given twice, in {type!r} and as index={index!r}; "
                    f"pass one of them."
                )
            if not number.isdigit():
                raise ValueError(
                    f"device: {type!r:.60} is not a device string: write 'cuda' or 'cuda:N', "
                    "N a GPU's number (0, 1, ...)."
                )
            index = int(number)
        if index is not None:
            if not _is_int(index) or index < 0:
                raise ValueError(
                    f"device: index must be a GPU's number, an int >= 0, or None. Got "
                    f"{index!r:.40}."
                )
            if kind == "cpu" and index != 0:
                raise ValueError(
                    f"device: glassnet's CPU is one device, 'cpu' (or 'cpu:0'). Got index {index}."
                )
        # the CPU is one device: "cpu:0" is "cpu", the name everything that moves arrays takes
        name = kind if index is None or kind == "cpu" else f"{kind}:{int(index)}"
        return super().__new__(cls, name)

    @property
    def type(self) -> str:  # noqa: A003 (PyTorch's name)
        """The kind of device, "cpu" or "cuda", as PyTorch's ``device.type``."""
        return str.__str__(self).partition(":")[0]

    @property
    def index(self) -> int | None:  # type: ignore[override]  # (PyTorch's: str.index hidden)
        """The GPU's number of "cuda:N" (an int), else None, as PyTorch's ``device.index``."""
        number = str.__str__(self).partition(":")[2]
        return int(number) if number else None

    def __repr__(self) -> str:
        index = self.index
        return f"device(type={self.type!r}" + ("" if index is None else f", index={index}") + ")"

    def __str__(self) -> str:
        return str.__str__(self)

    def __reduce__(self) -> tuple[type, tuple[str]]:
        return (device, (str.__str__(self),))


class _Cuda:
    """PyTorch's ``torch.cuda``: ``is_available()`` and ``device_count()``, through CuPy
    (glassnet's GPU library: ``pip install 'glassnet[gpu]'``)."""

    @staticmethod
    def device_count() -> int:
        """The number of NVIDIA GPUs CuPy sees: 0 where CuPy is not installed, or finds no
        driver or device."""
        from .backend import cupy

        try:
            cp = cupy()
        except ImportError:
            return 0
        try:
            return int(cp.cuda.runtime.getDeviceCount())
        except Exception:  # (CuPy's CUDARuntimeError without a driver or a device)  # noqa: BLE001
            return 0

    @classmethod
    def is_available(cls) -> bool:
        """True when CuPy is installed and sees a GPU: ``device="cuda"`` can run here."""
        return cls.device_count() > 0

    @staticmethod
    def manual_seed(seed: Any) -> None:
        """PyTorch's seeding of the GPU's generator. glassnet draws every random number on
        the CPU, from the generator :func:`glassnet.manual_seed` seeds (then moved to the
        GPU): there is none on the GPU, so this checks ``seed`` (an int) and seeds nothing;
        a script's ``torch.manual_seed(s)`` beside it is what makes its runs repeat."""
        _whole(seed, "seed", "cuda.manual_seed")

    manual_seed_all = manual_seed

    @classmethod
    def _cupy(cls, owner: str) -> Any:
        if not cls.is_available():
            raise RuntimeError(
                f"cuda.{owner}: no GPU here (CuPy is not installed or sees none); check "
                "glassnet.cuda.is_available() first, as with PyTorch's."
            )
        from .backend import cupy

        return cupy()

    @classmethod
    def current_device(cls) -> int:
        """The number of the GPU CuPy computes on (``cupy.cuda.Device().id``)."""
        return int(cls._cupy("current_device").cuda.Device().id)

    @classmethod
    def synchronize(cls) -> None:
        """Wait for the GPU's work to finish (CuPy's current device), before timing it."""
        cls._cupy("synchronize").cuda.Device().synchronize()

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(
            f"glassnet.cuda has no {name} (PyTorch's torch.cuda.{name}): it has is_available, "
            "device_count, current_device, synchronize, manual_seed and manual_seed_all. "
            "glassnet computes on the GPU through CuPy: see cupy.cuda for the rest."
        )

    def __repr__(self) -> str:
        return "<glassnet.cuda: is_available(), device_count(), current_device() (CuPy)>"


cuda = _Cuda()


class _Accelerator:
    """PyTorch's ``torch.accelerator`` (PyTorch 2.6 on), which the tutorials open with:
    ``device = torch.accelerator.current_accelerator().type if
    torch.accelerator.is_available() else "cpu"``. glassnet's one accelerator is an NVIDIA GPU
    through CuPy (:data:`cuda`): ``is_available()`` is ``cuda.is_available()``, and
    ``current_accelerator()`` is ``device("cuda")`` where it is, ``None`` where it is not
    (PyTorch's answer on a build without an accelerator, or with ``check_available=True``)."""

    @staticmethod
    def is_available() -> bool:
        """True when CuPy is installed and sees a GPU."""
        return cuda.is_available()

    @staticmethod
    def current_accelerator(check_available: Any = False) -> device | None:
        """``device("cuda")`` when a GPU is there, else None (``check_available`` is taken:
        glassnet names no accelerator it cannot use)."""
        check_bool(check_available, "check_available", "accelerator.current_accelerator")
        return device("cuda") if cuda.is_available() else None

    @staticmethod
    def device_count() -> int:
        """The number of GPUs CuPy sees (0 without CuPy or a GPU)."""
        return cuda.device_count()

    @staticmethod
    def current_device_index() -> int:
        """The number of the GPU CuPy computes on (an error without one, as ``cuda``'s)."""
        return cuda.current_device()

    @staticmethod
    def synchronize(device: Any = None) -> None:  # noqa: ARG004 (PyTorch's argument)
        """Wait for the GPU's work to finish (CuPy's current device)."""
        cuda.synchronize()

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(
            f"glassnet.accelerator has no {name} (PyTorch's torch.accelerator.{name}): it has "
            "is_available, current_accelerator, device_count, current_device_index and "
            "synchronize. glassnet's accelerator is a GPU through CuPy (glassnet.cuda)."
        )

    def __repr__(self) -> str:
        return "<glassnet.accelerator: is_available(), current_accelerator() (CuPy's GPU)>"


accelerator = _Accelerator()


def _device(self: Tensor) -> device:
    return device(device_of(self.data))


Tensor.device = property(
    _device, doc="Where the values are, as PyTorch's ``x.device``: device('cpu') or "
    "device('cuda') (a CuPy array)."
)  # fmt: skip
Array.device = property(  # type: ignore[assignment]
    lambda self: device("cpu"), doc="device('cpu'): an Array is in host memory."
)


# ------------------------------------------------------------------ sorting
class return_types:  # noqa: N801 (PyTorch's torch.return_types)
    """The named tuples of ``sort`` and ``topk``: ``values, indices = x.sort()``, or
    ``x.sort().values``, as PyTorch's ``torch.return_types``."""

    sort, topk = SortResult, TopkResult  # (glassnet.gradient's: Grad's and Array's too)
    max, min = MaxResult, MinResult  # noqa: A003 (PyTorch's names)


for _cls in (return_types.sort, return_types.topk, return_types.max, return_types.min):
    _cls.__module__, _cls.__qualname__ = __name__, f"return_types.{_cls.__name__}"


def _pairwise(op: str, x: Tensor, other: Any) -> Tensor:
    """``torch.max(x, other)`` (``torch.min``): the elementwise maximum (minimum) with
    broadcasting, as :func:`glassnet.maximum`: the gradient to the larger (smaller) value,
    shared equally at ties, as PyTorch's."""
    y = other if isinstance(other, Tensor) else operand(other, x)
    a, b = x.data, y.data
    out = np.maximum(a, b) if op == "max" else np.minimum(a, b)

    def backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        share = np.where(a == b, 0.5, (a > b) if op == "max" else (a < b)).astype(g.dtype)
        return unbroadcast(g * share, a.shape), unbroadcast(g * (1 - share), b.shape)

    return Tensor.from_op(out, f"{op}imum", (x, y), backward)


def _torch_extreme(op: str) -> Callable[..., Any]:
    """PyTorch's function ``torch.max`` (``op`` "max") or ``torch.min``, three functions in
    one, as PyTorch's: of ``input`` alone the largest value (a 0-d Tensor); with ``dim``
    (an int) the named tuple ``(values, indices)`` along it, the blitz classifier's
    ``_, predicted = torch.max(outputs, 1)``, ``values`` in the graph with the gradient
    going to the index returned (the first of ties), as PyTorch's, ``indices`` an int64
    :class:`Array`; with a second tensor ``other``, the elementwise
    :func:`glassnet.maximum` (``minimum``). The method ``x.max(1)`` stays refused: NumPy
    reads ``max(axis)`` as values only (``np.max(x, 1)`` calls it)."""
    arg, kind = f"arg{op}", getattr(return_types, op)

    def fn(
        input: Any, dim: Any = None, keepdim: Any = False, *, other: Any = None, out: Any = None
    ) -> Any:  # noqa: A002, E501
        x = input if isinstance(input, Tensor) else _made(np.asarray(input), op)
        result = pick(x, dim, keepdim, other)  # (out=: one Tensor written into, as _into's)
        if out is not None and isinstance(result, tuple):
            raise TypeError(
                f"{op}(x, dim, out=): this form returns (values, indices), which glassnet "
                f"does not write into tensors of yours: leave out= out and take the pair, "
                f"values, indices = gn.{op}(x, dim)."
            )
        return result if out is None else _into(out, result, (out, x, dim, other), op)

    def pick(x: Tensor, dim: Any, keepdim: Any, other: Any) -> Any:
        if isinstance(dim, (Tensor, np.ndarray, list)) or other is not None:
            if other is not None and dim is not None:
                raise TypeError(f"{op}: give dim (an int) or other (a tensor), not both.")
            if keepdim is not False:
                raise TypeError(f"{op}(input, other) takes no keepdim (it is elementwise).")
            return _pairwise(op, x, dim if other is None else other)
        if dim is None:
            if keepdim is not False:
                raise TypeError(
                    f"{op}(input) takes no keepdim: give dim, {op}(x, 1, keepdim=True)."
                )
            return x.max() if op == "max" else x.min()  # (a NaN: its gradient to it alone)
        if isinstance(dim, bool) or not isinstance(dim, numbers.Integral):
            raise TypeError(
                f"{op}: dim must be one int ({op}(x, 1): values and indices along it), or "
                f"the second argument a Tensor ({op}(x, y): elementwise), as PyTorch's. Got "
                f"{dim!r:.40}."
            )
        keep = check_bool(keepdim, "keepdim", op)
        index = _arg(getattr(np, arg), op)(x, dim, keepdim=True)  # (its refusals name op)
        values = x.gather(_dim(op, dim, max(x.ndim, 1)), index.reshape(index.shape or (1,)))
        if not keep:
            values, index = values.squeeze(dim), np.squeeze(index, axis=dim)
        return kind(values.reshape(np.shape(index)), _array(index))

    fn.__name__ = fn.__qualname__ = op
    fn.__module__ = "glassnet"
    fn.__doc__ = f"PyTorch's ``torch.{op}(input, dim, keepdim)``: see ``_torch_extreme``."
    return fn


#: PyTorch's ``torch.max`` and ``torch.min`` (as ``glassnet.max``/``glassnet.min``)
torch_max, torch_min = _torch_extreme("max"), _torch_extreme("min")


def _sort_args(self: Tensor, op: str, dim: Any, descending: Any, stable: Any) -> tuple[int, bool]:
    check_bool(descending, "descending", op)
    if stable is not None:  # (PyTorch's stable=False leaves ties' order open; this is stable)
        check_bool(stable, "stable", op)
    return _dim(op, dim, max(self.data.ndim, 1)), bool(descending)


def _picked(self: Tensor, op: str, order: Any, axis: int, k: int) -> Tensor:
    """The values at the first ``k`` positions of ``order`` (a permutation along ``axis``);
    the gradient goes back to the positions they came from."""
    a = self.data
    out = np.take_along_axis(a, order[_first(k, axis, a.ndim)], axis=axis)

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        full = np.zeros_like(a)  # (g in sorted order: 0 past the first k)
        full[_first(k, axis, a.ndim)] = g
        return (np.take_along_axis(full, np.argsort(order, axis=axis), axis=axis),)

    return Tensor.from_op(out, op, (self,), backward)


def _first(k: int, axis: int, ndim: int) -> tuple[slice, ...]:
    return (slice(None),) * axis + (slice(0, k),) + (slice(None),) * (ndim - axis - 1)


def sort(self: Tensor, dim: Any = -1, descending: Any = False, stable: Any = False) -> Any:
    """PyTorch's ``x.sort(dim=-1, descending=False, stable=False)``: ``(values, indices)``, a
    named tuple (``values, indices = x.sort()``; ``x.sort().values``). The values are in the
    graph (the gradient goes back to where each came from); the indices are an int64
    :class:`Array`. NaN sorts above every number, as PyTorch's; ties keep their order
    (``stable=False`` is taken, and sorts stably too)."""
    axis, desc = _sort_args(self, "sort", dim, descending, stable)
    if self.data.ndim == 0:  # (a 0-d tensor: itself, at index 0, as PyTorch's)
        return return_types.sort(self.clone(), _array(np.zeros((), np.int64)))
    order = stable_order(self.data, axis, desc)
    values = _picked(self, "sort", order, axis, self.data.shape[axis])
    return return_types.sort(values, _array(order).astype(np.int64, copy=False))


def argsort(self: Tensor, dim: Any = -1, descending: Any = False, stable: Any = False) -> Any:
    """PyTorch's ``x.argsort(dim=-1, descending=False, stable=False)``: the indices that sort
    ``x`` along ``dim``, an int64 :class:`Array` (``x.sort().indices``; no gradient)."""
    axis, desc = _sort_args(self, "argsort", dim, descending, stable)
    if self.data.ndim == 0:
        return _array(np.zeros((), np.int64))
    return _array(stable_order(self.data, axis, desc)).astype(np.int64, copy=False)


def topk(
    self: Tensor,
    k: Any,
    dim: Any = -1,
    largest: Any = True,
    sorted: Any = True,  # noqa: A002
) -> Any:
    """PyTorch's ``x.topk(k, dim=-1, largest=True, sorted=True)``: the ``k`` largest values
    along ``dim`` (the smallest with ``largest=False``) and their indices, a named tuple
    ``(values, indices)``; the values in the graph, the indices an int64 :class:`Array`. NaN
    counts as the largest, as PyTorch's. They come largest first (smallest first), also
    with ``sorted=False``, where PyTorch leaves the order open."""
    check_bool(sorted, "sorted", "topk")
    axis, _ = _sort_args(self, "topk", dim, False, None)
    n = self.data.shape[axis] if self.data.ndim else 1
    if not _is_int(k) or not 0 <= k <= n:
        raise ValueError(
            f"topk: k must be an int in [0, {n}] (the length of dim {dim} of a tensor of shape "
            f"{self.shape}). Got k={k!r:.40}."
        )
    if self.data.ndim == 0:  # (itself at index 0, for k 0 or 1, as PyTorch's)
        return return_types.topk(self.clone(), _array(np.zeros((), np.int64)))
    order = stable_order(self.data, axis, check_bool(largest, "largest", "topk"))
    indices = _array(order[_first(int(k), axis, order.ndim)]).astype(np.int64)
    return return_types.topk(_picked(self, "topk", order, axis, int(k)), indices)


Tensor.sort, Tensor.argsort, Tensor.topk = sort, argsort, topk


# ------------------------------------------------------------------ comparing tensors
def _pair(op: str, self: Tensor, other: Any) -> Any:
    """``other``'s values beside ``self``'s: a Tensor of the same dtype, as PyTorch's, which
    refuses two dtypes (an array is made one by the dtype rule; a number or a list of them
    takes ``self``'s, as ``tensor(values)`` beside it would)."""
    b = _other(other, self, op)
    if b.data.dtype != self.data.dtype:
        raise TypeError(
            f"{op}: input is {self.data.dtype} and other {b.data.dtype}, as PyTorch refuses "
            f"(Float did not match Double); cast one first: {op}(a, b.to(a.dtype))."
        )
    return b.data


def _other(other: Any, self: Tensor, op: str) -> Tensor:
    """A comparison's ``other``: a Tensor as it is, a NumPy array by the dtype rule, a number
    or a list of numbers in ``self``'s dtype."""
    if isinstance(other, Tensor):
        return other
    if isinstance(other, np.ndarray | np.generic):
        return _made(other, op)
    values = np.asarray(other, dtype=self.data.dtype) if np.ndim(other) else other
    return _exact(operand(values, self), other, op)


def _tolerance(value: Any, name: str, op: str) -> float:
    from ._validation import check_number

    return check_number(value, name, op, low=0)


def isclose(
    self: Tensor, other: Any, rtol: Any = 1e-05, atol: Any = 1e-08, equal_nan: Any = False
) -> Any:
    """PyTorch's ``isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False)``:
    ``|input - other| <= atol + rtol * |other|`` elementwise, with broadcasting (infinities
    close only to themselves; NaN to NaN only with ``equal_nan``): a bool :class:`Array`."""
    b = _pair("isclose", self, other)
    rtol, atol = _tolerance(rtol, "rtol", "isclose"), _tolerance(atol, "atol", "isclose")
    nan = check_bool(equal_nan, "equal_nan", "isclose")
    try:
        np.broadcast_shapes(self.data.shape, b.shape)
    except ValueError as e:
        raise ValueError(
            f"isclose: shapes {self.shape} and {tuple(b.shape)} cannot be broadcast together "
            "(shapes compare from the right; each pair must be equal or 1)."
        ) from e
    return _array(np.isclose(self.data, b, rtol=rtol, atol=atol, equal_nan=nan))


def allclose(
    self: Tensor, other: Any, rtol: Any = 1e-05, atol: Any = 1e-08, equal_nan: Any = False
) -> bool:
    """PyTorch's ``allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False)``: whether
    every value is :func:`isclose` (a Python bool)."""
    close = isclose(self, other, rtol, atol, equal_nan)
    return bool(np.all(close))


def equal(self: Tensor, other: Any) -> bool:
    """PyTorch's ``equal(input, other)``: True when both have the same shape and the same
    values (NaN equals nothing; the dtypes may differ), a Python bool."""
    b = _other(other, self, "equal").data
    return self.data.shape == b.shape and bool(np.all(self.data == b))


Tensor.isclose, Tensor.allclose, Tensor.equal = isclose, allclose, equal


# ------------------------------------------------------------------ value tests
def _test(fn: Callable, op: str, what: str) -> Callable[[Tensor], Array]:
    """PyTorch's ``x.<op>()``: a bool :class:`Array` of ``fn`` of each value (no gradient)."""

    def method(self: Tensor) -> Array:
        return _array(fn(self.data))

    method.__name__ = method.__qualname__ = op
    method.__doc__ = (
        f"PyTorch's ``x.{op}()`` (``torch.{op}(x)``): True where a value is {what}, a bool "
        "Array of x's shape (no gradient), as ``x > 0`` gives; ``x.{op}().any()`` asks "
        "whether any is."
    ).replace("{op}", op)
    return method


def _truth(fn: Callable, op: str) -> Callable[..., Array]:
    """PyTorch's ``x.any(dim, keepdim)`` and ``x.all(...)``: whether any (every) value is
    nonzero (NaN counts as nonzero), over ``dim`` (all values by default), a bool
    :class:`Array` (one value: a 0-d one, which ``if`` and ``.item()`` read)."""

    def method(
        self: Tensor,
        dim: Any = None,
        keepdim: Any = False,
        *,
        axis: Any = None,
        keepdims: Any = None,
        out: Any = None,
    ) -> Array:
        if out is not None:  # (np.any(x) passes out=None, and NumPy's axis and keepdims)
            raise TypeError(f"{op}(): out= is NumPy's; glassnet's {op} returns a new Array.")
        if axis is not None or keepdims is not None:
            if dim is not None or keepdim is not False:
                raise TypeError(f"{op}(): pass dim or axis, keepdim or keepdims, not both.")
            dim, keepdim = axis, bool(keepdims) if keepdims is not None else False
        keepdims = check_bool(keepdim, "keepdim", op)
        if isinstance(dim, list):
            dim = tuple(dim)
        if dim is not None and not (
            _is_int(dim) or (isinstance(dim, tuple) and all(_is_int(d) for d in dim))
        ):
            raise TypeError(f"{op}: dim must be an int, a tuple of ints or None. Got {dim!r:.40}.")
        return _array(np.asarray(fn(self.data != 0, axis=dim, keepdims=keepdims)))

    method.__name__ = method.__qualname__ = op
    method.__doc__ = _truth.__doc__.replace("x.any(dim, keepdim)", f"x.{op}(dim, keepdim)")
    return method


def type_as(self: Tensor, other: Any) -> Tensor:
    """PyTorch's ``x.type_as(other)``: x cast to ``other``'s dtype (and moved to its device),
    in the graph; x itself when it already has them. ``other`` is a Tensor (or a float NumPy
    array); integer labels are no float dtype a Tensor can take."""
    kind = getattr(other.data if isinstance(other, Tensor) else other, "dtype", None)
    if not isinstance(other, (Tensor, np.ndarray)) or kind is None or kind.kind != "f":
        raise TypeError(
            f"x.type_as(other): other must be a Tensor (or a float array) whose dtype x takes; "
            f"got {type(other).__name__}"
            f"{f' of dtype {kind}' if kind is not None else ''}. glassnet Tensors hold float32 "
            "or float64; for integer labels keep the Array (y.long()), or cast x with x.long()."
        )
    out = self.to(kind)
    there = device_of(other.data if isinstance(other, Tensor) else other)  # (a NumPy array: cpu)
    return out if device_of(out.data) == there else out.to(there)


def expand_as(self: Tensor, other: Any) -> Tensor:
    """PyTorch's ``x.expand_as(other)``: ``x.expand(*other.shape)`` (a read-only view)."""
    shape = getattr(other, "shape", None)
    if not isinstance(shape, tuple):
        raise TypeError(
            f"x.expand_as(other): other must be a Tensor or an array, whose shape x is "
            f"expanded to. Got {type(other).__name__}; pass sizes to x.expand(*sizes)."
        )
    return self.expand(*shape)


Tensor.isnan = _test(np.isnan, "isnan", "NaN")
Tensor.isinf = _test(np.isinf, "isinf", "+inf or -inf")
Tensor.isfinite = _test(np.isfinite, "isfinite", "finite (not NaN, not ±inf)")
Tensor.any, Tensor.all = _truth(np.any, "any"), _truth(np.all, "all")
Tensor.type_as, Tensor.expand_as = type_as, expand_as


# ------------------------------------------------------------------ batched products
def bmm(self: Tensor, mat2: Any) -> Tensor:
    """PyTorch's ``bmm(input, mat2)``: the product of each pair of matrices of two batches,
    (b, n, m) @ (b, m, p) -> (b, n, p), in the graph; no broadcasting (``matmul`` has it)."""
    other = mat2 if isinstance(mat2, Tensor) else operand(mat2, self)
    a, b = self.data.shape, other.data.shape
    for name, shape in (("input", a), ("mat2", b)):
        if len(shape) != 3:
            raise ValueError(
                f"bmm: {name} must be a batch of matrices, 3-D (b, n, m). Got shape {shape}; "
                f"matmul takes other shapes (x @ y)."
            )
    if b[0] != a[0] or b[1] != a[2]:
        raise ValueError(
            f"bmm: mat2 must have shape ({a[0]}, {a[2]}, p) for input of shape {a} (the same "
            f"batch, and rows as many as input's columns). Got {b}."
        )
    return self @ other


Tensor.bmm = bmm


# ------------------------------------------------------------------ random integers
def _int_dtype(dtype: Any, owner: str) -> np.dtype:
    """``dtype`` of randint/randperm: an integer dtype (int64 by default, PyTorch's long)
    or float32/float64 (a Tensor); a NumPy dtype, its name, or PyTorch's ``torch.int32``."""
    from ._validation import ParameterError

    if dtype is None:
        return np.dtype(np.int64)
    dt = _numpy_dtype(dtype)
    if dt is None or dt.kind not in "iuf" or (dt.kind == "f" and dt.itemsize < 4):
        raise ParameterError(
            f"{owner}: dtype must be an integer dtype (int64, PyTorch's default; int32, ...) or "
            f"float32/float64 (a Tensor). Got {dtype!r:.60}."
        )
    return dt


def _integers(values: np.ndarray, dt: np.dtype, requires_grad: Any, owner: str) -> Any:
    """Drawn integers as PyTorch gives them: an :class:`Array` of an integer ``dt``, or a
    Tensor of a float one (which may require grad)."""
    if check_bool(requires_grad, "requires_grad", owner) and dt.kind != "f":
        raise RuntimeError(
            f"{owner}: only Tensors of floating point dtype can require gradients, as in "
            f"PyTorch; these are {dt}. Pass dtype=glassnet.float32 (or float64) for a Tensor."
        )
    if dt.kind == "f":
        return Tensor(values.astype(dt), requires_grad=bool(requires_grad))
    return _array(values.astype(dt, copy=False))


def _fits(low: int, high: int, dt: np.dtype, what: str) -> None:
    """Refuse whole numbers from ``low`` to ``high`` that ``dt`` cannot hold exactly (a float
    type holds them up to 2**24, float32, or 2**53, float64), as PyTorch refuses them."""
    from ._validation import ParameterError

    top = np.iinfo(dt).max if dt.kind in "iu" else 2 ** (np.finfo(dt).nmant + 1)
    bottom = np.iinfo(dt).min if dt.kind in "iu" else -top
    if low < bottom or high > top:
        raise ParameterError(
            f"{what} does not fit {dt}, whose whole numbers go from {bottom} to {top} "
            f"exactly; pass a wider dtype, such as dtype=glassnet.int64."
        )


def _whole(value: Any, name: str, owner: str) -> int:
    if not _is_int(value):
        raise TypeError(f"{owner}: {name} must be an int, as PyTorch's. Got {value!r:.40}.")
    return int(value)


def randint(
    *args: Any,
    low: Any = None,
    high: Any = None,
    size: Any = None,
    generator: Any = None,
    dtype: Any = None,
    requires_grad: Any = False,
) -> Any:
    """PyTorch's ``randint(low=0, high, size)``: integers drawn uniformly from [low, high),
    as ``randint(10, (3,))``, ``randint(2, 10, (3, 4))`` or with the keywords; ``size`` a
    tuple (or list). An int64 :class:`Array` by default (PyTorch's long tensor: labels and
    indices), another integer ``dtype`` likewise, a float32/float64 Tensor for a float one.
    ``generator``: a seed or a NumPy Generator, or the generator :func:`glassnet.manual_seed`
    seeds (NumPy's streams: a seed does not draw PyTorch's numbers)."""
    from ._validation import ParameterError, as_rng

    given = list(args)
    if size is None and given:
        size = given.pop()
    if len(given) > 2 or (given and low is not None and high is not None):
        raise TypeError(
            "randint takes (high, size) or (low, high, size), as PyTorch's: randint(10, (3,)) "
            f"or randint(0, 10, (3,)). Got {len(args)} positional arguments."
        )
    if len(given) == 2:
        low, high = given
    elif given:
        low, high = (low, given[0]) if high is None else (given[0], high)
    if high is None or size is None:
        raise TypeError(
            "randint needs high and size, as PyTorch's: randint(10, (3,)) or randint(0, 10, "
            f"(3,)) (low 0 by default). Got high={high!r:.20}, size={size!r:.40}."
        )
    low = 0 if low is None else _whole(low, "low", "randint")
    high = _whole(high, "high", "randint")
    if not isinstance(size, (tuple, list)) or not all(_is_int(k) and k >= 0 for k in size):
        raise TypeError(
            f"randint: size must be a tuple of sizes (whole numbers >= 0), as PyTorch's: "
            f"randint(0, 10, (3,)), not randint(0, 10, 3). Got {size!r:.60}."
        )
    if high <= low:
        raise ParameterError(
            f"randint: high must be greater than low (the values drawn are low <= v < high). "
            f"Got low={low}, high={high}."
        )
    dt = _int_dtype(dtype, "randint")
    _fits(low, high - 1, dt, f"randint: [{low}, {high})")
    rng = as_rng(generator, "randint", "generator")
    values = rng.integers(low, high, size=tuple(int(k) for k in size), dtype=np.int64)
    return _integers(values, dt, requires_grad, "randint")


def randperm(
    n: Any, *, generator: Any = None, dtype: Any = None, requires_grad: Any = False
) -> Any:
    """PyTorch's ``randperm(n)``: the numbers 0 to n - 1 in a random order, an int64
    :class:`Array` (``x[gn.randperm(len(x))]`` shuffles rows); ``dtype`` and ``generator``
    as :func:`randint`'s."""
    from ._validation import ParameterError, as_rng

    n = _whole(n, "n", "randperm")
    if n < 0:
        raise ParameterError(f"randperm: n must be >= 0 (the number of values). Got {n}.")
    dt = _int_dtype(dtype, "randperm")
    _fits(0, n - 1, dt, f"randperm: n={n}")
    values = as_rng(generator, "randperm", "generator").permutation(n)
    return _integers(values, dt, requires_grad, "randperm")


# ------------------------------------------------------------------ new tensors like x
def _new_dtype(self: Tensor, dtype: Any, owner: str) -> np.dtype:
    """``dtype`` of ``x.new_zeros(...)`` and kin: x's own by default, as PyTorch's; float32 or
    float64 (a Tensor), or an integer or bool dtype (an :class:`Array`, as randint's), given
    as a NumPy dtype, its name, or PyTorch's ``torch.long``."""
    from ._validation import ParameterError

    if dtype is None:
        return self.data.dtype
    dt = _numpy_dtype(dtype)
    if dt is None or dt.kind not in "biuf" or (dt.kind == "f" and dt.itemsize < 4):
        raise ParameterError(
            f"{owner}: dtype must be float32 or float64 (a Tensor; x's own, {self.data.dtype}, "
            f"when left out), or an integer or bool dtype (a NumPy Array, as glassnet holds "
            f"integers). Got {dtype!r:.60}."
        )
    return dt


def _new_size(size: tuple[Any, ...], owner: str, keyword: Any = _NO_AXIS) -> tuple[int, ...]:
    """PyTorch's size of ``x.new_zeros``: ``(2, 3)`` as numbers, one tuple or list, or
    ``size=``; whole numbers >= 0."""
    if keyword is not _NO_AXIS:
        if size:
            raise TypeError(f"{owner}: the size is given twice (as numbers and as size=).")
        size = (keyword,)
    if not size:
        raise TypeError(
            f"{owner}() needs a size, as PyTorch's: x.{owner}(2, 3) or x.{owner}((2, 3)); "
            f"x.{owner}(()) is a 0-d tensor."
        )
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    if not all(_is_int(k) and k >= 0 for k in size):
        raise ValueError(
            f"{owner}: the size must be whole numbers >= 0, as x.{owner}(2, 3) or "
            f"x.{owner}((2, 3)). Got {size!r:.80}."
        )
    return tuple(int(k) for k in size)


def _new(
    self: Tensor, values: np.ndarray, dtype: Any, device: Any, requires_grad: Any, owner: str
) -> Any:
    """``values`` (NumPy's) as a new tensor like ``x``: x's dtype and device unless given
    (PyTorch's ``new_*``), a leaf; an integer or bool dtype gives an :class:`Array` (no
    gradient: ``requires_grad=True`` is refused, as PyTorch refuses it)."""
    from .backend import to_device

    dt = _new_dtype(self, dtype, owner)
    dev = check_device(device, owner) or device_of(self.data)
    check_fits(values, dt, owner)
    if dt.kind == "f" and np.asarray(values).dtype.kind in "iu":
        _exact(Tensor(values, dtype=dt), values, owner)  # (2**24 + 1 in float32: refused)
    out = _integers(np.array(values, copy=True), dt, requires_grad, owner)
    if dev == "cpu":
        return out
    if isinstance(out, Tensor):
        return Tensor(to_device(out.data, dev), requires_grad=out.requires_grad)
    return to_device(out.view(np.ndarray), dev)


def new_zeros(
    self: Tensor,
    *size: Any,
    dtype: Any = None,
    device: Any = None,
    requires_grad: Any = False,
    **kw: Any,
) -> Any:
    """PyTorch's ``x.new_zeros(size)``: zeros of ``size`` (``x.new_zeros(2, 3)`` or
    ``x.new_zeros((2, 3))``) with x's dtype and device unless ``dtype``/``device`` are given;
    a new leaf (``requires_grad`` False by default), whatever x's."""
    shape = _new_size(size, "new_zeros", _size_keyword(kw, "new_zeros"))
    return _new(self, np.zeros(shape), dtype, device, requires_grad, "new_zeros")


def new_ones(
    self: Tensor,
    *size: Any,
    dtype: Any = None,
    device: Any = None,
    requires_grad: Any = False,
    **kw: Any,
) -> Any:
    """PyTorch's ``x.new_ones(size)``: ones of ``size``, x's dtype and device (as
    :func:`new_zeros`)."""
    shape = _new_size(size, "new_ones", _size_keyword(kw, "new_ones"))
    return _new(self, np.ones(shape), dtype, device, requires_grad, "new_ones")


def new_full(
    self: Tensor,
    size: Any,
    fill_value: Any,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: Any = False,
) -> Any:
    """PyTorch's ``x.new_full(size, fill_value)``: ``fill_value`` in ``size`` (a tuple or
    list; an int for one axis), x's dtype and device unless given; a whole number the dtype
    cannot hold exactly (above 2**24 in float32) is refused, not rounded."""
    shape = _new_size(size if isinstance(size, (tuple, list)) else (size,), "new_full")
    if isinstance(fill_value, Tensor) and fill_value.data.size == 1:  # (a 0-d tensor's value)
        fill_value = fill_value.data.reshape(()).item()
    if isinstance(fill_value, (bool, np.bool_)) or not isinstance(fill_value, numbers.Real):
        raise TypeError(
            f"new_full: fill_value must be a number, as PyTorch's. Got {fill_value!r:.40}; for "
            "values of a shape write x.new_tensor(values)."
        )
    check_fits(fill_value, _new_dtype(self, dtype, "new_full"), "new_full", "fill_value")
    values = np.full(shape, fill_value)
    return _new(self, values, dtype, device, requires_grad, "new_full")


def new_tensor(
    self: Tensor, data: Any, *, dtype: Any = None, device: Any = None, requires_grad: Any = False
) -> Any:
    """PyTorch's ``x.new_tensor(data)``: a copy of ``data`` (numbers, nested lists, an array
    or a Tensor, whose values are copied and cut from any graph, as PyTorch's) with x's
    dtype and device unless given, ``requires_grad`` False by default (whatever x's)."""
    from .backend import to_device

    values = data.data if isinstance(data, Tensor) else data
    values = values.view(np.ndarray) if isinstance(values, Array) else values
    values = to_device(values, "cpu") if device_of(values) == "cuda" else values  # (CuPy's)
    try:
        arr = np.asarray(values)
    except ValueError as e:
        raise ValueError(
            f"new_tensor: data must be numbers, nested lists of one length per axis, an array "
            f"or a Tensor. Got {data!r:.60} ({e})"
        ) from e
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"new_tensor: data must hold numbers (or bools). Got {data!r:.60} (NumPy's dtype "
            f"{arr.dtype})."
        )
    return _new(self, arr, dtype, device, requires_grad, "new_tensor")


def _size_keyword(kw: dict[str, Any], owner: str) -> Any:
    """PyTorch's ``size=`` keyword of ``new_zeros``/``new_ones`` (``_NO_AXIS`` when not
    given); another keyword is refused, naming it."""
    extra = sorted(set(kw) - {"size"})
    if extra:
        raise TypeError(
            f"{owner}() got an unexpected keyword {extra[0]!r}; it takes size, dtype, device "
            "and requires_grad, as PyTorch's."
        )
    return kw.get("size", _NO_AXIS)


Tensor.new_zeros, Tensor.new_ones, Tensor.new_full = new_zeros, new_ones, new_full
Tensor.new_tensor = new_tensor


# ------------------------------------------------------------------ integer casts
def _integer_cast(name: str, dt: Any) -> Callable[[Tensor], Any]:
    """PyTorch's ``x.long()``, ``x.int()``, ``x.bool()`` on a Tensor: an :class:`Array` of the
    values cast (``_CAST_DOC`` says why, and what is refused)."""
    dt = np.dtype(dt)

    def cast(self: Tensor) -> Any:
        from .backend import namespace

        a = self.data
        if dt.kind in "iu":
            xp = namespace(a)
            top = 2.0 ** (8 * dt.itemsize - 1)
            bound = 1e9 if dt.itemsize == 4 else 1e18  # (inside it after rounding to a float)
            whole = xp.trunc(a)
            bad = ~xp.isfinite(whole) | (whole < -top) | (whole >= top)
            if bool(bad.any()):
                first = a.reshape(-1)[xp.argmax(bad.reshape(-1))].item()
                raise ValueError(
                    f"x.{name}(): x holds {first!r} (at {int(bad.sum())} place(s)), which "
                    f"{dt} cannot hold (it holds whole numbers from {-int(top)} to "
                    f"{int(top) - 1}); PyTorch gives an arbitrary integer there. "
                    + (
                        f"Clamp the values into it first, x.clamp({-bound:g}, {bound:g})."
                        f"{name}(){', or take x.long() (int64)' if name == 'int' else ''}."
                        if math.isfinite(first)
                        else f"Replace them first: gn.where(np.isfinite(x.data), x, 0).{name}()."
                    )
                )
        return _array(a.astype(dt))

    cast.__name__ = cast.__qualname__ = name
    cast.__doc__ = _CAST_DOC.format(name=name, dtype=dt)
    return cast


_CAST_DOC = """PyTorch's ``x.{name}()``: the values as a NumPy {dtype} :class:`Array`, not a Tensor
    (glassnet's Tensors hold floats only). An Array is what ``x.argmax(1)`` and ``x == y``
    give: labels for cross_entropy and nll_loss, an index (``x[i.{name}()]``), ``.sum()``,
    ``.item()``, ``.tolist()``, ``.float()`` (a Tensor again) work on it as on PyTorch's
    tensor. No gradient, as PyTorch's. Floats are cut toward 0 (2.7 to 2, -2.7 to -2), as
    PyTorch's; ``bool``: True where the value is not 0 (NaN too). NaN, ±inf or a value past
    the integer type's range is refused (a ValueError naming it), where PyTorch gives an
    arbitrary integer in silence."""


Tensor.long, Tensor.int, Tensor.bool = (
    _integer_cast("long", np.int64),
    _integer_cast("int", np.int32),
    _integer_cast("bool", bool),
)


# ------------------------------------------------------------------ grad_fn
def _backward_name(op: str) -> str:
    """PyTorch's name of the backward node of ``op``: ``"mul"`` gives ``"MulBackward0"``,
    ``"binary_cross_entropy_with_logits"`` ``"BinaryCrossEntropyWithLogitsBackward0"``."""
    if op in _TORCH_NODES:
        return _TORCH_NODES[op] + "Backward0"
    words = "".join(c if c.isalnum() else " " for c in op).split()
    return "".join(w[:1].upper() + w[1:] for w in words) + "Backward0"


# glassnet's ops whose node PyTorch names otherwise (F.cross_entropy ends in its nll_loss)
_TORCH_NODES = {"mse": "MseLoss", "cross_entropy": "NllLoss"}


class GradFn:
    """PyTorch's ``z.grad_fn``: the node of the graph that made ``z`` (``None`` for a leaf
    and for a tensor that requires no grad, as PyTorch's). ``name()`` is glassnet's op in
    PyTorch's form (``MulBackward0``, ``AddBackward0``, ``BinaryCrossEntropyWithLogitsBackward0``
    where the two ops agree; glassnet's op name where they do not, ``MatmulBackward0`` for
    PyTorch's ``MmBackward0``); ``next_functions`` the nodes of its inputs, as
    ``(node, 0)`` pairs: a leaf that requires grad an :class:`AccumulateGrad` (its
    ``variable`` the leaf), an input that requires none ``None``. The tensor's ``op``,
    ``parents`` and ``backward_fn`` are the same graph in glassnet's own names."""

    __slots__ = ("_tensor",)

    def __init__(self, tensor: Tensor) -> None:
        self._tensor = tensor

    def name(self) -> str:
        return _backward_name(self._tensor.op)

    @property
    def next_functions(self) -> tuple[tuple[Any, int], ...]:
        t = self._tensor  # (a number operand of + - * / is no parent here: PyTorch's None)
        const = ((None, 0),) if t.op in ("add", "sub", "mul", "div") and len(t.parents) == 1 else ()
        return tuple((_node(p), 0) for p in t.parents) + const

    def __eq__(self, other: object) -> bool:  # (z.grad_fn == z.grad_fn, as PyTorch's one node)
        return type(other) is type(self) and other._tensor is self._tensor

    def __hash__(self) -> int:
        return hash((type(self), id(self._tensor)))

    def __repr__(self) -> str:
        return f"<{self.name()} object at {id(self._tensor):#x}>"


class AccumulateGrad(GradFn):
    """PyTorch's node of a leaf that requires grad in ``next_functions``: its ``variable``
    is the leaf, whose ``.grad`` backward adds into."""

    __slots__ = ()

    variable = property(lambda self: self._tensor, doc="The leaf whose .grad this adds into.")
    next_functions = ()  # type: ignore[assignment]

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {id(self._tensor):#x}>"


def _node(t: Tensor) -> GradFn | None:
    """The node ``next_functions`` shows for an input ``t``."""
    if not t.requires_grad:
        return None
    return AccumulateGrad(t) if t.backward_fn is None else GradFn(t)


def _grad_fn(self: Tensor) -> GradFn | None:
    return GradFn(self) if self.backward_fn is not None and self.requires_grad else None


Tensor.grad_fn = property(_grad_fn, doc=GradFn.__doc__)


# ------------------------------------------------------------------ more of PyTorch's shape ops
def contiguous(self: Tensor, memory_format: Any = None) -> Tensor:
    """PyTorch's ``x.contiguous()``: x itself. PyTorch copies a tensor whose values are not
    in row order; glassnet's ops take any NumPy layout (``x.T.contiguous().view(-1)`` reads
    the same values: ``view`` copies where it must)."""
    if memory_format is not None:
        raise TypeError(
            f"x.contiguous(memory_format=...): glassnet's tensors have one layout, NumPy's. Got "
            f"memory_format={memory_format!r:.60}: leave it out, x.contiguous()."
        )
    return self


def view_as(self: Tensor, other: Any) -> Tensor:
    """PyTorch's ``x.view_as(y)``: ``x.view(*y.shape)`` (y a Tensor or an array)."""
    if not isinstance(getattr(other, "shape", None), tuple):
        raise TypeError(
            f"x.view_as(other): other must be a Tensor or an array, whose shape x takes. Got "
            f"{type(other).__name__}: write x.view(*shape) for a shape."
        )
    return self.view(*other.shape)


def index_select(self: Tensor, dim: Any, index: Any) -> Tensor:
    """PyTorch's ``x.index_select(dim, index)``: the slices of x at ``index`` (a vector of
    integers, each in [0, len) on ``dim``, as PyTorch's; a Tensor of whole numbers too) along
    ``dim``, in that order: NumPy's ``np.take(x, index, axis=dim)``. The gradient goes back to
    the slices read, added where an index repeats."""
    a = self.data
    d = _dim("index_select", dim, max(a.ndim, 1))
    index = _integer_index(_index(index) if isinstance(index, Tensor) else index, "index_select")
    if index.ndim > 1:
        raise ValueError(
            f"index_select: index must be a vector (or one number), as PyTorch's. Got shape "
            f"{index.shape}: pass index.reshape(-1), or use x.gather(dim, index)."
        )
    n = (a.shape or (1,))[d]
    bad = (index < 0) | (index >= n)
    if bad.any():
        raise IndexError(
            f"index_select: index {index[bad].flat[0]} is out of range for dim {dim} of x "
            f"(shape {a.shape}, length {n}): each must be in [0, {n - 1}], as PyTorch's."
        )
    idx = np.atleast_1d(index).astype(np.intp, copy=False)
    a1 = a.reshape(a.shape or (1,))
    out = np.take(a1, idx, axis=d)  # x's shape, with len(index) on dim
    if a.ndim == 0 and idx.size != 1:
        raise ValueError(
            f"index_select: x is 0-d (one value), so index must hold one index, as PyTorch's. "
            f"Got shape {index.shape}: write x.expand(len(index)) for copies of the value."
        )
    if a.ndim == 0:
        out = out.reshape(())  # (a 0-d x gives a 0-d result, as PyTorch's)

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        full = np.zeros_like(a1)
        where = (slice(None),) * d + (idx,)
        np.add.at(full, where, g.reshape(np.shape(np.take(a1, idx, axis=d))))  # repeats add
        return (full.reshape(a.shape),)

    return Tensor.from_op(out, "index_select", (self,), backward)


def _dims(op: str, dims: tuple[Any, ...], ndim: int) -> tuple[int, ...]:
    """``dims`` (ints, or one tuple/list of them) as distinct axes in [0, ndim)."""
    axes = tuple(_dim(op, k, max(ndim, 1)) for k in _unpack(dims))
    if len(set(axes)) < len(axes):
        raise ValueError(f"{op}: dims names an axis more than once. Got {dims!r}.")
    return axes


def flip(self: Tensor, *dims: Any) -> Tensor:
    """PyTorch's ``x.flip(dims)``: the order of the values reversed along each of ``dims``
    (``x.flip(0)``, ``x.flip(0, 1)``, ``x.flip([0, 1])``); the gradient is flipped back."""
    if not dims:
        raise TypeError("x.flip(dims): name the axes to reverse, as PyTorch's: x.flip(0).")
    axes = _dims("flip", dims, self.data.ndim)
    if self.data.ndim == 0:  # (0-d: nothing to reverse)
        axes = ()
    out = np.flip(self.data, axes).copy()  # (a copy, as PyTorch's)
    return Tensor.from_op(out, "flip", (self,), lambda g: (np.flip(g, axes),))


def _shifts(shifts: Any) -> tuple[int, ...]:
    """roll's ``shifts`` as a tuple of ints."""
    many = shifts if isinstance(shifts, (tuple, list)) else (shifts,)
    for s in many:
        if isinstance(s, bool) or not isinstance(s, numbers.Integral):
            raise TypeError(
                f"x.roll(shifts, dims): shifts must be whole numbers. Got {shifts!r:.40}."
            )
    return tuple(int(s) for s in many)


def roll(self: Tensor, shifts: Any, dims: Any = None) -> Tensor:
    """PyTorch's ``x.roll(shifts, dims)``: the values moved ``shifts`` places along ``dims``
    (one shift per dim), those pushed off the end coming round to the start; with no dims,
    over the flattened values, the shape kept. The gradient is rolled back."""
    shift = _shifts(shifts)
    a = self.data
    if dims is None:
        if len(shift) != 1:
            raise ValueError(
                f"x.roll(shifts): without dims, shifts is one number (the values rolled as "
                f"one row), as PyTorch's. Got shifts={shifts!r}: pass dims too."
            )
        s = shift[0]
        out = np.roll(a.reshape(-1), s).reshape(a.shape)
        return Tensor.from_op(
            out, "roll", (self,), lambda g: (np.roll(g.reshape(-1), -s).reshape(a.shape),)
        )
    axes = tuple(_dim("roll", k, max(a.ndim, 1)) for k in _unpack((dims,)))
    if len(axes) != len(shift):
        raise ValueError(
            f"x.roll(shifts, dims): one shift per dim, as PyTorch's. Got shifts={shifts!r} "
            f"and dims={dims!r}."
        )
    back = tuple(-s for s in shift)
    if a.ndim == 0:
        return Tensor.from_op(a.copy(), "roll", (self,), lambda g: (g,))
    out = np.roll(a, shift, axes)
    return Tensor.from_op(out, "roll", (self,), lambda g: (np.roll(g, back, axes),))


def _triangle(op: str, keep: Callable[..., np.ndarray]) -> Callable[[Tensor, Any], Tensor]:
    """``x.tril(diagonal)`` / ``x.triu(diagonal)``: the values on and below (above) the
    ``diagonal``-th diagonal of the last two axes kept, the others 0; the gradient passes
    where values were kept (np.tril/np.triu of g)."""

    def triangle(self: Tensor, diagonal: Any = 0) -> Tensor:
        if isinstance(diagonal, bool) or not isinstance(diagonal, numbers.Integral):
            raise TypeError(
                f"x.{op}(diagonal): diagonal must be a whole number. Got {diagonal!r:.40}."
            )
        if self.data.ndim < 2:
            raise ValueError(
                f"x.{op}(): x must have at least 2 axes (a matrix, or a batch of them), as "
                f"PyTorch's. Got shape {self.shape}."
            )
        k = int(diagonal)
        out = keep(self.data, k)
        return Tensor.from_op(out, op, (self,), lambda g: (keep(g, k),))

    triangle.__name__ = triangle.__qualname__ = op
    return triangle


def detach_(self: Tensor) -> Tensor:
    """PyTorch's ``x.detach_()`` of a leaf: ``requires_grad`` False from now on (what a leaf's
    in-place detach does in PyTorch); returns x. The result of an op is refused: glassnet's
    graph is made of the tensors themselves, so cutting x in place would also cut the graphs
    already built from x (PyTorch's keep their path): write ``x = x.detach()``."""
    if self.backward_fn is not None:
        raise RuntimeError(
            f"x.detach_() on the result of op {self.op!r}: glassnet's graph is made of the "
            "tensors themselves, so detaching x in place would also cut the graphs already "
            "built from x, whose gradients PyTorch still computes. Write x = x.detach() (the "
            "same values, outside the graph)."
        )
    self.requires_grad = False
    return self


Tensor.contiguous, Tensor.view_as, Tensor.index_select = contiguous, view_as, index_select
Tensor.flip, Tensor.roll, Tensor.detach_ = flip, roll, detach_
Tensor.tril, Tensor.triu = _triangle("tril", np.tril), _triangle("triu", np.triu)

# what help(Tensor.fill_) shows of the methods set above as lambdas and made functions (else
# "<lambda> lambda self, value", or "function method" for add_): a name and a docstring
_DOCS = {
    "add_": "``x.add_(y, alpha=1)``: x += alpha * y in place, as PyTorch's; returns x.",
    "sub_": "``x.sub_(y, alpha=1)``: x -= alpha * y in place, as PyTorch's; returns x.",
    "mul_": "``x.mul_(y)``: x *= y in place, as PyTorch's; returns x.",
    "div_": "``x.div_(y)``: x /= y in place, as PyTorch's; returns x.",
    "fill_": "``x.fill_(value)``: every value of x set to the number ``value``; returns x.",
    "copy_": "``x.copy_(src)``: src's values (broadcast to x's shape) written into x; returns x.",
    "zero_": "``x.zero_()``: every value of x set to 0 in place; returns x.",
    "cpu": "``x.cpu()``: x in host memory (NumPy): x itself there, else a copy, as PyTorch's.",
    "cuda": "``x.cuda()``: x on the GPU (CuPy), as ``x.to('cuda')``.",
    "dim": "``x.dim()``: the number of axes, PyTorch's name of ``x.ndim``.",
    "numel": "``x.numel()``: the number of values, PyTorch's name of ``x.size`` (an int).",
    "float": "``x.float()``: x as float32 (x itself when it is float32 already).",
    "double": "``x.double()``: x as float64 (x itself when it is float64 already).",
    "square": "``x.square()``: x * x, elementwise (in the graph).",
    "tolist": "``x.tolist()``: the values as (nested) Python lists of floats; a float for 0-d.",
    "tril": "``x.tril(diagonal=0)``: the values on and below the diagonal kept, the rest 0.",
    "triu": "``x.triu(diagonal=0)``: the values on and above the diagonal kept, the rest 0.",
}
for _name, _doc in _DOCS.items():
    getattr(Tensor, _name).__doc__ = _doc
attach(Tensor, {name: getattr(Tensor, name) for name in _DOCS}, module=False)
Tensor.__neg__.__doc__ = "``-x`` (PyTorch's ``x.neg()``): the values negated, in the graph."


# ------------------------------------------- the pointwise ops of hand-written optimizers
def _scale(value: Any, name: str, op: str, dtype: Any) -> Any:
    """A ``value=``/``weight=`` number (a real one, not a bool) that ``dtype``, the tensor's
    it multiplies, holds (1e39 in float32 would be inf: refused, as PyTorch refuses it)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"x.{op}: {name} must be a number, as PyTorch's. Got {value!r:.40} of type "
            f"{type(value).__name__}."
        )
    check_fits(value, dtype, f"x.{op}", name)
    return value


def _operand(value: Any, like: Tensor) -> Tensor:
    return value if isinstance(value, Tensor) else operand(value, like)


def _scaled(x: Tensor, t1: Tensor, t2: Tensor, value: Any, op: str) -> tuple[Tensor, Any]:
    """addcmul's/addcdiv's ``value`` checked against the result's dtype (x's, t1's and t2's
    promoted: a float64 x with float32 t1, t2 keeps 1e39, as PyTorch's), and t1 in it."""
    dt = np.result_type(x.data.dtype, t1.data.dtype, t2.data.dtype)
    v = _scale(value, "value", op, dt)
    return (t1 if t1.data.dtype == dt or v == 1 else t1.to(dt)), v


def addcmul(self: Tensor, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Tensor:
    """PyTorch's ``x.addcmul(t1, t2, value=v)``: x + v·t1·t2, in the graph (each input gets
    its gradient)."""
    t1, t2 = _operand(tensor1, self), _operand(tensor2, self)
    t1, v = _scaled(self, t1, t2, value, "addcmul")
    return self + (t1 if v == 1 else v * t1) * t2


def addcdiv(self: Tensor, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Tensor:
    """PyTorch's ``x.addcdiv(t1, t2, value=v)``: x + v·t1/t2, in the graph (Adam's step,
    ``p.addcdiv(m, v.sqrt() + eps, value=-lr)``)."""
    t1, t2 = _operand(tensor1, self), _operand(tensor2, self)
    t1, v = _scaled(self, t1, t2, value, "addcdiv")
    return self + (t1 if v == 1 else v * t1) / t2


def lerp(self: Tensor, end: Any, weight: Any) -> Tensor:
    """PyTorch's ``x.lerp(end, weight)``: x + weight·(end − x), in the graph; computed as
    PyTorch computes it (``end − (end − x)·(1 − weight)`` where |weight| >= 0.5, so that
    weight 1 gives ``end`` exactly). ``weight`` a number or a Tensor. ``end`` and a
    ``weight`` of values (not one) of another float dtype than x's are refused, as PyTorch
    refuses them (a float32 x would have turned float64)."""
    return _lerp(self, end, weight, False)


def _lerp(self: Tensor, end: Any, weight: Any, inplace: bool) -> Tensor:
    """:func:`lerp`, its refusals named as ``x.lerp_`` where ``inplace``."""
    what = f"x.lerp{'_' if inplace else ''}(end, weight)"
    x_dt = self.data.dtype
    for name, v in (("end", end), ("weight", weight)):
        a = v.data if isinstance(v, Tensor) else v
        dt = getattr(a, "dtype", None)  # (an array, a NumPy number; a float: None)
        if dt is None or np.dtype(dt).kind != "f" or np.dtype(dt) == x_dt:
            continue
        if name == "weight" and np.ndim(a) == 0:  # (a 0-d weight is a number, as PyTorch's)
            check_fits(a, x_dt, what, name)
            weight = v.astype(x_dt) if isinstance(v, Tensor) else x_dt.type(v)
            continue
        to = {"float32": ".float()", "float64": ".double()"}.get(x_dt.name, f".to({x_dt.name})")
        fix = f"{name}{to}" if isinstance(v, Tensor) else f"np.asarray({name}, np.{x_dt.name})"
        turn = not inplace and np.dtype(dt).itemsize > x_dt.itemsize
        raise TypeError(
            f"{what}: {name} is {np.dtype(dt)} but x is {x_dt}; PyTorch's lerp refuses mixed "
            f"dtypes too (expected dtype {x_dt} for {name!r})"
            + (f", where glassnet's result would turn {np.dtype(dt)}" if turn else "")
            + f". Convert {name} to x's dtype ({fix})"
            + ("." if inplace else f", or x to {np.dtype(dt)}.")
        )
    e = _operand(end, self)
    diff = e - self
    if not isinstance(weight, (Tensor, np.ndarray)):
        w = _scale(weight, "weight", what[2:], diff.dtype)
        return self + w * diff if abs(w) < 0.5 else e - diff * (1 - w)
    w = _operand(weight, self)
    near, far = self + w * diff, e - diff * (1 - w)  # (one shape: every operand's broadcast)
    low = np.abs(w.data) < 0.5
    zero = np.zeros((), dtype=near.data.dtype, like=near.data)

    def backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return np.where(low, g, zero), np.where(low, zero, g)

    return Tensor.from_op(np.where(low, near.data, far.data), "lerp", (near, far), backward)


def _pointwise_(name: str, call: Callable[..., Tensor], args: str) -> Callable[..., Tensor]:
    """PyTorch's in-place ``x.<name>_(...)``: the values of ``x.<name>(...)`` written into
    x under the rules of ``x += y`` (:func:`check_writable`: a parameter inside
    ``no_grad()`` only; the version bumped, so a graph that read the old values refuses
    ``backward``); returns x."""
    what = f"x.{name}_({args})"

    def method(self: Tensor, *given: Any, **kw: Any) -> Tensor:
        grads = [v for v in (*given, *kw.values()) if getattr(v, "requires_grad", False)]
        check_writable(self, what, "", grads[0] if grads else None, f"x = x.{name}({args})")
        with no_grad():
            out = call(self, *given, **kw)
        return write_values(self, what, out.data)

    method.__name__ = method.__qualname__ = f"{name}_"
    method.__doc__ = (
        f"PyTorch's in-place ``x.{name}_({args})``: ``x.{name}({args})``'s values written into "
        "x, under the rules of ``x += y`` (a parameter inside ``no_grad()``); returns x."
    )
    return method


Tensor.addcmul, Tensor.addcdiv, Tensor.lerp = addcmul, addcdiv, lerp
for _name, _call, _args in (
    ("addcmul", addcmul, "t1, t2, value=v"),
    ("addcdiv", addcdiv, "t1, t2, value=v"),
    ("lerp", lambda x, end, weight: _lerp(x, end, weight, True), "end, weight"),
    ("exp", Tensor.exp, ""),
    ("sqrt", lambda x: x.sqrt(), ""),
    ("abs", lambda x: x.abs(), ""),
    ("neg", lambda x: -x, ""),
    ("pow", lambda x, exponent: x**exponent, "exponent"),
    ("sign", lambda x: x.sign(), ""),
):
    setattr(Tensor, f"{_name}_", _pointwise_(_name, _call, _args))
del _name, _call, _args


# ------------------------------------------------------------- is_cuda, unique
Tensor.is_cuda = property(
    lambda self: device_of(self.data) != "cpu",
    doc="PyTorch's ``x.is_cuda``: whether x's values are on the GPU (a CuPy array).",
)
Array.is_cuda = property(
    lambda self: False, doc="PyTorch's ``y.is_cuda``: False (an Array is in host memory)."
)


def _unique(
    a: Any, owner: str, sorted: Any, return_inverse: Any, return_counts: Any, dim: Any
) -> tuple[Any, Any, Any, bool, bool]:
    """np.unique with PyTorch's arguments: (values, inverse, counts, inverse?, counts?)."""
    from .backend import namespace

    check_bool(sorted, "sorted", owner)  # (NumPy's values are sorted either way)
    inv, cnt = (
        check_bool(return_inverse, "return_inverse", owner),
        check_bool(return_counts, "return_counts", owner),
    )
    axis = None if dim is None else _dim(owner, dim, max(a.ndim, 1))
    xp = namespace(a)
    kw = {"equal_nan": False} if xp is np else {}  # (PyTorch's NaNs each stay: NaN != NaN)
    values, inverse, counts = xp.unique(a, return_inverse=True, return_counts=True, axis=axis, **kw)
    inverse = inverse.reshape(a.shape if axis is None else (-1,))
    return values, inverse.astype(np.int64), counts.astype(np.int64), inv, cnt


def _unique_result(values: Any, inverse: Any, counts: Any, inv: bool, cnt: bool) -> Any:
    if not (inv or cnt):
        return values
    return (values, *((_array(inverse),) if inv else ()), *((_array(counts),) if cnt else ()))


def unique(
    self: Tensor,
    sorted: Any = True,  # noqa: A002 (PyTorch's name)
    return_inverse: Any = False,
    return_counts: Any = False,
    dim: Any = None,
) -> Any:
    """PyTorch's ``x.unique(sorted=True, return_inverse=False, return_counts=False,
    dim=None)``: the distinct values, sorted (of the flattened x, or the distinct slices
    along ``dim``), and with ``return_inverse``/``return_counts`` the tuple ``(values,
    inverse, counts)`` of those asked for (int64 Arrays: where each of x's values went, how
    often each came). No gradient passes, as in PyTorch (whose derivative of unique is not
    implemented): for x that requires grad the values are in the graph, and ``backward``
    through them is refused, naming unique."""
    values, inverse, counts, inv, cnt = _unique(
        self.data, "x.unique", sorted, return_inverse, return_counts, dim
    )

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        raise RuntimeError(
            "backward through x.unique(): unique has no gradient (PyTorch does not implement "
            "its derivative either). If no gradient is to pass there, take it of the values "
            "outside the graph, x.detach().unique()."
        )

    out = Tensor.from_op(values, "unique", (self,), backward)
    return _unique_result(out, inverse, counts, inv, cnt)


def _array_unique(
    self: Array,
    sorted: Any = True,  # noqa: A002 (PyTorch's name)
    return_inverse: Any = False,
    return_counts: Any = False,
    dim: Any = None,
) -> Any:
    """PyTorch's ``y.unique(...)`` on labels and indices (:meth:`Tensor.unique`'s arguments):
    the distinct values as an Array of y's dtype (``y.unique()`` the classes present)."""
    values, inverse, counts, inv, cnt = _unique(
        self.view(np.ndarray), "y.unique", sorted, return_inverse, return_counts, dim
    )
    return _unique_result(_array(values), inverse, counts, inv, cnt)


Tensor.unique, Array.unique = unique, _array_unique


def _bincount(self: Array, weights: Any = None, minlength: Any = 0) -> Any:
    """PyTorch's ``y.bincount(weights=None, minlength=0)``: how often each value 0, 1, ...
    occurs in a vector of whole numbers >= 0 (an int64 Array); with ``weights``, their sums
    (a float64 Tensor, no gradient), as PyTorch's."""
    a = self.view(np.ndarray)
    if a.ndim != 1 or a.dtype.kind not in "biu" or (a.size and a.min() < 0):
        raise ValueError(
            f"y.bincount(): y must be a vector of whole numbers >= 0 (class labels), as "
            f"PyTorch's. Got shape {a.shape}, dtype {a.dtype}"
            + (f", smallest {a.min()}" if a.size and a.dtype.kind in "iu" else "")
            + "."
        )
    w = weights.data if isinstance(weights, Tensor) else weights
    counts = np.bincount(a, None if w is None else np.asarray(w, np.float64), int(minlength))
    return _array(counts) if w is None else Tensor(counts, dtype=np.float64)


def bincount(input: Any, weights: Any = None, minlength: Any = 0) -> Any:  # noqa: A002
    """PyTorch's ``torch.bincount(y, weights=None, minlength=0)``: ``y.bincount(...)`` of a
    vector of labels (an Array, or an integer array or list)."""
    if isinstance(input, Tensor):
        raise TypeError(
            "bincount counts whole numbers: glassnet's Tensors hold floats; pass the labels "
            "(an Array: y, x.argmax(1), or x.long())."
        )
    return _bincount(np.asarray(input).view(Array), weights, minlength)


def unique_of(input: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: A002
    """PyTorch's ``torch.unique(x, ...)``: ``x.unique(...)`` of a Tensor, or of labels (an
    Array, or an integer array or list)."""
    if isinstance(input, Tensor):
        return input.unique(*args, **kwargs)
    values = np.asarray(input)
    if values.dtype.kind in "biu":
        return values.view(Array).unique(*args, **kwargs)
    return _made(values, "unique").unique(*args, **kwargs)


Array.bincount = _bincount


# ----------------------------------------------------------- PyTorch's legacy constructors
class _LegacyType(type):
    """``isinstance(x, gn.FloatTensor)``: whether x is what the constructor makes (a float32
    Tensor; for ``LongTensor`` an int64 Array), as PyTorch's type check on its legacy names."""

    def __instancecheck__(cls, obj: Any) -> bool:
        if cls._dtype == np.int64:  # (glassnet's integer values: an Array, as x.long() gives)
            return isinstance(obj, Array) and obj.dtype == np.int64
        return isinstance(obj, Tensor) and obj.dtype == cls._dtype


def _legacy_values(cls: Any, data: tuple[Any, ...], kw: dict[str, Any]) -> Any:
    """The values of ``FloatTensor(data)`` (a list, an array, a Tensor) or the zeros of
    ``FloatTensor(2, 3)`` (whole numbers alone are sizes, as PyTorch's)."""
    name = cls.__name__
    device = kw.pop("device", None)
    if kw:  # (PyTorch's legacy constructors take device= only)
        raise TypeError(
            f"{name}() takes data (or sizes) and device= only, as PyTorch's. Got "
            f"{', '.join(f'{k}=' for k in kw)}; for dtype= or requires_grad= write "
            f"gn.tensor(data, dtype=..., requires_grad=True)."
        )
    if not data or all(isinstance(k, (int, np.integer)) and not isinstance(k, bool) for k in data):
        shape = _sizes(name, data, "size") if data else (0,)  # (FloatTensor(): an empty one)
        return np.zeros(shape, cls._dtype), device
    if len(data) != 1:
        raise TypeError(
            f"{name}() takes one data argument (a list, an array or a Tensor) or whole numbers "
            f"as sizes, as PyTorch's. Got {len(data)} arguments: pass the values as one list."
        )
    (values,) = data
    if isinstance(values, Tensor):
        values = values.data
    return values, device


class FloatTensor(metaclass=_LegacyType):
    """PyTorch's ``torch.FloatTensor(data)``: a float32 Tensor of a copy of ``data``
    (``gn.tensor(data, dtype=gn.float32)``); ``FloatTensor(2, 3)`` a (2, 3) one of zeros."""

    _dtype = np.float32

    def __new__(cls, *data: Any, **kw: Any) -> Tensor:  # type: ignore[misc]
        values, device = _legacy_values(cls, data, kw)
        a = np.asarray(values)
        if a.dtype.kind not in "biuf":
            raise TypeError(
                f"{cls.__name__}() takes numbers (a list, an array or a Tensor). Got values of "
                f"dtype {a.dtype}."
            )
        out = _exact(Tensor(np.array(a), dtype=cls._dtype), a, cls.__name__)  # (a copy; no inf)
        return out if device is None else out.to(device)


class DoubleTensor(FloatTensor):
    """PyTorch's ``torch.DoubleTensor(data)``: a float64 Tensor (``FloatTensor``'s rules)."""

    _dtype = np.float64


class LongTensor(metaclass=_LegacyType):
    """PyTorch's ``torch.LongTensor(data)``: the values as int64, an :class:`Array` as
    ``x.long()`` gives (glassnet's Tensors hold floats): class labels, indices. Floats are cut
    toward 0, as PyTorch's; NaN or ±inf are refused (``x.long()``'s rules)."""

    _dtype = np.int64

    def __new__(cls, *data: Any, **kw: Any) -> Any:  # type: ignore[misc]
        values, device = _legacy_values(cls, data, kw)
        a = np.asarray(values)
        if a.dtype.kind == "u" and a.size and a.max() > np.iinfo(np.int64).max:
            raise OverflowError(  # (NumPy's cast would wrap 2**63 to -2**63, in silence)
                f"LongTensor(): {int(a.max())} does not fit in int64 (largest "
                f"{np.iinfo(np.int64).max}), as PyTorch refuses it."
            )
        if a.dtype.kind in "biu":
            out = np.array(a, dtype=np.int64).view(Array)
        elif a.dtype.kind == "f":
            out = Tensor(np.array(a, dtype=np.float64)).long()
        else:
            raise TypeError(
                f"LongTensor() takes numbers (a list, an array or a Tensor). Got values of "
                f"dtype {a.dtype}."
            )
        return out if device is None else _array_to(out, (device,), "LongTensor")
