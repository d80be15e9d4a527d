"""PyTorch's tensor factories: ``gn.tensor(data)``, ``gn.zeros(2, 3)``, ``gn.randn(4, 2)``.

A PyTorch user makes tensors with ``torch.tensor``, ``torch.zeros``, ``torch.randn``; these
are the same calls on glassnet's :class:`~glassnet.tensor.Tensor`, under glassnet's dtype
rule (float32 or float64 only: :func:`glassnet.set_default_dtype` picks the default, and
a tensor of integer values, such as class labels, holds them as floats, as every glassnet
Tensor does). ``gn.float32`` and ``gn.float64`` name the dtypes, as ``torch.float32`` does.

* ``tensor(data, dtype=None, requires_grad=False)`` copies ``data`` (PyTorch's
  ``torch.tensor`` copies too); ``from_numpy(a)`` shares a float array's memory.
* ``zeros``, ``ones``, ``full``, ``rand``, ``randn`` take the size as PyTorch does, as
  numbers, one tuple or ``size=`` (``zeros(2, 3)``, ``zeros((2, 3))``); ``zeros_like``,
  ``ones_like``, ``full_like``, ``rand_like`` and ``randn_like`` take a Tensor (or an array)
  and its dtype (and device). Every factory takes PyTorch's ``device=`` ("cpu", or "cuda"
  as ``t.to("cuda")``) and ``requires_grad=``.
* ``rand``/``randn`` draw from ``generator`` (a seed or a NumPy Generator), or from the
  generator :func:`glassnet.manual_seed` seeds, as PyTorch's ``torch.manual_seed`` does
  (NumPy's streams, not PyTorch's: the same seed does not draw PyTorch's numbers).
* ``Generator()`` is a NumPy Generator with PyTorch's ``manual_seed(seed)`` (returning
  itself), ``seed()`` and ``initial_seed()``: ``generator=gn.Generator().manual_seed(42)``
  wherever glassnet takes ``generator=`` (a DataLoader, ``random_split``, ``nn.init``'s
  in-place initializers, ``randperm``, ``randint``, ``rand``, ``randn``). (PyTorch's
  ``FloatTensor``, ``DoubleTensor`` and ``LongTensor`` are in :mod:`glassnet.habits`.)
* ``arange(end)``, ``arange(start, end, step)`` (by position or by name, as PyTorch's; a
  float tensor, where PyTorch gives integers for integer arguments),
  ``linspace(start, end, steps)``, ``eye(n, m)``; ``is_tensor(x)``.

Nothing in the engine calls these; ``import glassnet`` loads them, and ``gn.tensor`` is
this module's ``tensor`` called through the module ``glassnet.tensor`` (see
``glassnet/__init__.py``).

>>> import glassnet as gn
>>> gn.tensor([[1.0, 2.0]], requires_grad=True)
Tensor([[1., 2.]], dtype=float32, requires_grad=True)
>>> gn.zeros(2, 3).shape, gn.ones((2,), dtype=gn.float64).dtype
((2, 3), dtype('float64'))
"""

from __future__ import annotations

import json
import math
import operator
from typing import Any

import numpy as np

from ._validation import (
    ParameterError,
    as_rng,
    check_fits,
    check_float_dtype,
    check_number,
    check_size,
    data_error,
    shown,
    tensor_data,
)
from .backend import asarray
from .tensor import Tensor, get_default_dtype

__all__ = [
    "tensor", "as_tensor", "from_numpy", "zeros", "ones", "full", "rand", "randn", "zeros_like",
    "ones_like", "preserve_format", "contiguous_format",
    "full_like", "rand_like", "randn_like", "arange", "eye", "linspace", "is_tensor", "float32",
    "float64", "empty", "empty_like", "Generator", "get_rng_state", "set_rng_state",
]  # fmt: skip

float32, float64 = np.float32, np.float64
# PyTorch's other dtype names, as glassnet's top-level names (gn.long, gn.float, ...)
# (float16, half: named as PyTorch's, refused where a dtype is given, as float32 or float64)
DTYPE_NAMES = {"float": np.float32, "double": np.float64, "long": np.int64, "int": np.int32,
               "int64": np.int64, "int32": np.int32, "bool": np.bool_, "float16": np.float16,
               "half": np.float16}  # fmt: skip


def tensor(
    data: Any, dtype: Any = None, requires_grad: bool = False, *, device: Any = None
) -> Tensor:
    """A new Tensor holding a copy of ``data`` (numbers, nested lists, an array or a
    Tensor), as ``torch.tensor``: float arrays keep their dtype, the rest take the default
    dtype; ``dtype`` float32 or float64."""
    dt = None if dtype is None else _dtype(dtype, "tensor")  # (torch.float64 too)
    data = tensor_data(data, "tensor", dtype=dt)  # (a torch tensor's values, grad or not)
    if isinstance(data, (list, tuple)) and any(isinstance(v, Tensor) for v in data):
        data = [np.asarray(v.data) if isinstance(v, Tensor) else v for v in data]  # (values)
    copy = np.array(data, copy=True) if isinstance(data, np.ndarray) else data
    values = copy if isinstance(copy, np.ndarray) else asarray(copy)  # (ragged: a message)
    _no_mask(values, "tensor", dt, copy)
    return _on(Tensor(copy, requires_grad=requires_grad, dtype=dt), device)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """``data`` as a Tensor, as ``torch.as_tensor``: a Tensor itself (converted where
    ``dtype`` is another), a float32 or float64 array's memory shared, the rest copied into
    the default dtype. All-True/False values are refused as :func:`tensor` refuses them."""
    dt = None if dtype is None else _dtype(dtype, "as_tensor")
    if isinstance(data, Tensor):  # (moved as t.to(device=) moves it: the caller's kept as is)
        out = data if dt is None or data.dtype == dt else data.to(dt)
        return out if device is None else out.to(device=device)
    _no_mask(np.asarray(data), "as_tensor", dt, data)
    return _on(Tensor(data, dtype=dt), device)


def _no_mask(values: np.ndarray, owner: str, dt: Any, given: Any = None) -> None:
    """Refuse True/False values (PyTorch's bool tensor, a mask: glassnet's would be 0/1
    floats, indices) and whole numbers ``dt`` (or the default dtype) cannot hold exactly;
    ``given``: the data ``values`` was read from (a list of whole numbers NumPy read as
    floats is checked as its numbers)."""
    if values.dtype.kind == "b":  # (PyTorch's is a bool tensor: a mask, x[mask])
        raise TypeError(
            f"{owner}: these values are all True/False, which PyTorch keeps as a bool tensor, "
            "a mask (x[mask] picks the rows where it is True). glassnet tensors hold floats, "
            f"where x[gn.{owner}([True, False])] would pick rows 1 and 0: keep a mask as a "
            "NumPy bool array (np.array([True, False]); x > 0 gives one), or pass 0/1 numbers "
            f"as gn.{owner}(np.array(values, dtype=float))."
        )
    if values.dtype.kind in "iu":  # (PyTorch keeps whole numbers as int64: exact)
        _exact(values, get_default_dtype() if dt is None else dt, owner)
    elif isinstance(given, (list, tuple)) and values.dtype == np.float64:
        _exact_list(given, values, get_default_dtype() if dt is None else dt, owner)


def _exact_list(given: list | tuple, values: np.ndarray, dtype: Any, owner: str) -> None:
    """:func:`_exact` for a list or tuple (nested) ``given`` of whole numbers that NumPy read
    as the floats ``values`` (it does for one in [2**63, 2**64) beside a negative one or one
    below 2**63), each rounded to float64 already: looked at only where a value reaches
    2**24 (float32) or 2**53 (float64), up to which ``dtype`` holds every whole number."""
    limit = 2 ** (np.finfo(dtype).nmant + 1)
    if not values.size or not ((values >= limit) | (values <= -limit)).any():
        return  # (a whole number beyond the limit is read as a float at least as far out)
    numbers = np.array(given, dtype=object)  # (Python's ints, unrounded)
    if all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in numbers.flat):
        _exact(numbers, dtype, owner)  # (floats given: rounded, as PyTorch's float tensor is)


def _exact(values: np.ndarray, dtype: Any, owner: str) -> None:
    """Refuse whole numbers that ``dtype`` (float32 or float64) cannot hold exactly, such as
    16777217 in float32: PyTorch keeps them as int64, so a rounded float would be another
    number, silently."""
    dtype = np.dtype(dtype)
    limit = 2 ** (np.finfo(dtype).nmant + 1)  # (every whole number up to it is exact)
    big = values[(values > limit) | (values < -limit)]
    for v, f in zip(big.tolist(), big.astype(dtype).tolist()):
        if int(f) != v:
            wider = (
                "Pass dtype=gn.float64 (exact up to 2**53), or keep" if limit < 2**53 else "Keep"
            )
            raise ParameterError(
                f"{owner}: the whole number {v} is not exact in {dtype} (it would become "
                f"{int(f)}; PyTorch keeps whole numbers as int64). {wider} integers such as "
                f"labels or indices as a NumPy int array."
            )


def from_numpy(array: np.ndarray) -> Tensor:
    """A Tensor sharing ``array``'s memory (a float32 or float64 ndarray), as
    ``torch.from_numpy``: a write into one is a write into the other."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy.ndarray. Got {type(array).__name__}.")
    if array.dtype not in (np.float32, np.float64):
        raise TypeError(
            f"from_numpy: glassnet tensors hold float32 or float64, which shares the memory of "
            f"this array only if it is one. Got dtype {array.dtype}: pass array.astype("
            f"np.float32), or gn.tensor(array) for a converted copy."
        )
    return Tensor(array)


def _size(size: tuple[Any, ...], owner: str, keyword: Any = None) -> tuple[int, ...]:
    """PyTorch's size arguments: ``f(2, 3)``, ``f((2, 3))`` or ``f(size=(2, 3))`` (``keyword``),
    each a whole number >= 0; none at all is refused, as by PyTorch (``f(())`` is a 0-d
    tensor)."""
    if keyword is not None:
        if size:
            raise TypeError(
                f"{owner}: the size is given twice, as numbers {size!r:.40} and as size="
                f"{keyword!r:.40}; pass one."
            )
        size = (keyword,)
    if not size:
        raise TypeError(
            f"{owner}() needs a size, as PyTorch's: {owner}(2, 3) or {owner}((2, 3)); "
            f"{owner}(()) is a 0-d tensor (one value)."
        )
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    try:
        shape = tuple(operator.index(k) for k in size if not isinstance(k, bool))
    except TypeError:
        shape = None
    if shape is None or len(shape) < len(size) or any(k < 0 for k in shape):
        raise ParameterError(
            f"{owner}: the size must be whole numbers >= 0, given as {owner}(2, 3) or "
            f"{owner}((2, 3)). Got {size!r:.80}."
        )
    check_size(f"{owner}({', '.join(map(str, shape))})", shape, "pass a smaller size")
    return shape


def _on(t: Tensor, device: Any) -> Tensor:
    """``t`` on ``device`` (PyTorch's ``device=`` of a factory: None or "cpu" leave it where
    NumPy made it; "cuda" moves it, as ``t.to("cuda")``), a leaf that requires grad as ``t``
    did; an unknown device is refused by ``Tensor.to``."""
    if device is None:
        return t
    wants = t.requires_grad
    t.requires_grad = False  # (a leaf moved, then marked: the move is not a graph op)
    out = t.to(device=device)  # (by name: a dtype given as the device is refused)
    out.requires_grad = wants
    return out


# where a PyTorch factory's integer or bool tensor is made with NumPy (the fix its message gives)
_NUMPY_FIX = {"zeros": "np.zeros(size, dtype=np.{})", "ones": "np.ones(size, dtype=np.{})",
              "full": "np.full(size, value, dtype=np.{})", "eye": "np.eye(n, dtype=np.{})",
              "empty": "np.zeros(size, dtype=np.{})",
              "arange": "np.arange(start, end, dtype=np.{})",
              "linspace": "np.linspace(start, end, steps).astype(np.{})",
              "tensor": "np.asarray(data, dtype=np.{})"}  # fmt: skip


def _dtype(dtype: Any, owner: str) -> np.dtype:
    """``dtype`` (the default float dtype when None) if it is float32 or float64; PyTorch's
    integer and bool dtypes (``torch.long``) refused, saying that Tensors hold floats and
    where the integers are made instead."""
    if dtype is None:
        return get_default_dtype()
    try:
        return check_float_dtype(dtype, owner)
    except ParameterError:
        try:
            kind = np.dtype(str(dtype).removeprefix("torch.") if "torch." in str(dtype) else dtype)
        except TypeError:
            raise ParameterError(  # (None named as a dtype, not one of NumPy's dtypes)
                f"The 'dtype' parameter of {owner} must be float32 or float64. Got {dtype!r:.40}."
            ) from None
        if kind.kind not in "biu":
            raise
        name = "bool_" if kind.kind == "b" else str(kind)
        fix = _NUMPY_FIX.get(owner)
        fix = (
            f"with NumPy: {fix.format(name)}"
            if fix
            else "with NumPy, or gn.randint(low, high, size) (random integers)"
        )
        raise ParameterError(
            f"{owner}: dtype={kind} (a PyTorch {kind} tensor): "
            "glassnet Tensors hold float32 or float64 only (integer values, such as labels, "
            f"as floats). Leave dtype out for {np.dtype(get_default_dtype())}, or make the "
            f"integers {fix}."
        ) from None


def full(
    size: Any,
    fill_value: float | np.integer[Any] | np.floating[Any],  # (what it takes: not a bool)
    *,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """A tensor of ``size`` filled with ``fill_value``."""
    dt = _dtype(dtype, "full")
    if isinstance(fill_value, bool) or not isinstance(fill_value, (int, float, np.number)):
        raise TypeError(f"full: fill_value must be a number. Got {fill_value!r:.40}.")
    check_fits(fill_value, dt, "full", "fill_value")
    if isinstance(fill_value, (int, np.integer)):
        _exact(np.asarray([fill_value]), dt, "full")
    data = np.full(_size((size,), "full"), fill_value, dtype=dt)
    return _on(Tensor(data, requires_grad=requires_grad), device)


def zeros(
    *size: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None, **kw: Any
) -> Tensor:
    """A tensor of zeros: ``zeros(2, 3)``, ``zeros((2, 3))`` or ``zeros(size=(2, 3))``."""
    shape = _size(size, "zeros", _keyword(kw, "zeros"))
    return _on(Tensor(np.zeros(shape, _dtype(dtype, "zeros")), requires_grad), device)


def ones(
    *size: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None, **kw: Any
) -> Tensor:
    """A tensor of ones: ``ones(2, 3)``, ``ones((2, 3))`` or ``ones(size=(2, 3))``."""
    shape = _size(size, "ones", _keyword(kw, "ones"))
    return _on(Tensor(np.ones(shape, _dtype(dtype, "ones")), requires_grad), device)


def empty(
    *size: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None, **kw: Any
) -> Tensor:
    """PyTorch's ``empty(2, 3)``: a tensor of that size to be written into. PyTorch's values
    are whatever its memory held; glassnet's are zeros (NumPy's ``empty`` would hand over
    stale memory, which a forgotten write would read as numbers), so it is :func:`zeros`."""
    shape = _size(size, "empty", _keyword(kw, "empty"))
    return _on(Tensor(np.zeros(shape, _dtype(dtype, "empty")), requires_grad), device)


def _keyword(kw: dict[str, Any], owner: str) -> Any:
    """PyTorch's ``size=`` keyword (None when not given); any other keyword is refused, as
    Python would refuse it."""
    size = kw.pop("size", None)
    if kw:
        raise TypeError(f"{owner}() got an unexpected keyword argument {next(iter(kw))!r}.")
    return size


def rand(
    *size: Any,
    generator: Any = None,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
    **kw: Any,
) -> Tensor:
    """Values drawn uniformly from [0, 1): ``rand(4, 2)``."""
    shape, dt = _size(size, "rand", _keyword(kw, "rand")), _dtype(dtype, "rand")
    data = as_rng(generator, "rand", "generator").random(shape, dtype=np.float64)
    return _on(Tensor(data.astype(dt), requires_grad), device)


def randn(
    *size: Any,
    generator: Any = None,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
    **kw: Any,
) -> Tensor:
    """Values drawn from the standard normal distribution: ``randn(4, 2)``."""
    shape, dt = _size(size, "randn", _keyword(kw, "randn")), _dtype(dtype, "randn")
    data = as_rng(generator, "randn", "generator").standard_normal(shape)
    return _on(Tensor(data.astype(dt), requires_grad), device)


preserve_format, contiguous_format = "preserve_format", "contiguous_format"
"""PyTorch's memory formats a ``*_like`` factory takes (``torch.preserve_format``): glassnet's
arrays have one layout, NumPy's, which both name."""


def _like(
    x: Any, device: Any, memory_format: Any, dtype: Any, owner: str
) -> tuple[tuple[int, ...], np.dtype, Any]:
    """``x``'s shape, (float) dtype (``dtype`` when given, checked for ``owner``) and device
    (PyTorch's ``zeros_like`` of a tensor on the GPU is on the GPU): ``device`` when given,
    else "cuda" for a CuPy tensor, else None. ``x`` not of numbers (None, a str, a dict)
    refused, as PyTorch's TypeError refuses it, not read as a 0-d tensor."""
    if memory_format not in (None, preserve_format, contiguous_format):
        raise ValueError(
            f"memory_format={memory_format!r:.40}: glassnet's arrays have one layout, NumPy's "
            "(PyTorch's preserve_format and contiguous_format name it); leave it out."
        )
    if isinstance(x, Tensor):
        data = x.data
    else:  # (read as gn.tensor reads it, a nullable DataFrame too: taken where it takes it)
        data = asarray(x if type(x) is np.ndarray else tensor_data(x, owner, "input"))
    if data.dtype.kind not in "biuf":  # (a bool or longdouble array's shape: taken, as before)
        raise TypeError(
            f"{owner}(): argument 'input' must be a Tensor or an array of numbers (its shape "
            f"and dtype are taken), as gn.tensor takes. Got {shown(x, 60)} of type "
            f"{type(x).__name__}: {data_error(data)}"
        )
    dt = data.dtype if data.dtype in (np.float32, np.float64) else get_default_dtype()
    dt = dt if dtype is None else _dtype(dtype, owner)
    if device is None and not isinstance(data, np.ndarray):  # (a CuPy array: x on the GPU)
        device = "cuda"
    return data.shape, dt, device


def zeros_like(
    x: Any,
    *,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
    memory_format: Any = None,
) -> Tensor:
    """Zeros of ``x``'s shape and (float) dtype, on its device."""
    shape, dt, dev = _like(x, device, memory_format, dtype, "zeros_like")
    return zeros(shape, dtype=dt, requires_grad=requires_grad, device=dev)


def empty_like(
    x: Any,
    *,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
    memory_format: Any = None,
) -> Tensor:
    """PyTorch's ``empty_like(x)``: as :func:`empty`, zeros of ``x``'s shape and (float)
    dtype, on its device."""
    shape, dt, dev = _like(x, device, memory_format, dtype, "empty_like")
    return empty(shape, dtype=dt, requires_grad=requires_grad, device=dev)


def ones_like(
    x: Any,
    *,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
    memory_format: Any = None,
) -> Tensor:
    """Ones of ``x``'s shape and (float) dtype, on its device."""
    shape, dt, dev = _like(x, device, memory_format, dtype, "ones_like")
    return ones(shape, dtype=dt, requires_grad=requires_grad, device=dev)


def full_like(
    x: Any,
    fill_value: float | np.integer[Any] | np.floating[Any],
    *,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
    memory_format: Any = None,
) -> Tensor:
    """``fill_value`` in ``x``'s shape and (float) dtype, on its device, as
    ``torch.full_like``."""
    shape, dt, dev = _like(x, device, memory_format, dtype, "full_like")
    return full(shape, fill_value, dtype=dt, requires_grad=requires_grad, device=dev)


def rand_like(
    x: Any,
    *,
    generator: Any = None,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
    memory_format: Any = None,
) -> Tensor:
    """:func:`rand` of ``x``'s shape and (float) dtype, on its device."""
    shape, dt, dev = _like(x, device, memory_format, dtype, "rand_like")
    return rand(shape, generator=generator, dtype=dt, requires_grad=requires_grad, device=dev)


def randn_like(
    x: Any,
    *,
    generator: Any = None,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
    memory_format: Any = None,
) -> Tensor:
    """:func:`randn` of ``x``'s shape and (float) dtype, on its device."""
    shape, dt, dev = _like(x, device, memory_format, dtype, "randn_like")
    return randn(shape, generator=generator, dtype=dt, requires_grad=requires_grad, device=dev)


def eye(
    n: int,
    m: int | None = None,
    *,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """The identity matrix, ``n`` x ``m`` (``m = n`` by default)."""
    rows, cols = _size((n, n if m is None else m), "eye")
    return _on(Tensor(np.eye(rows, cols, dtype=_dtype(dtype, "eye")), requires_grad), device)


def linspace(
    start: float,
    end: float,
    steps: int,
    *,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """``steps`` values evenly spaced from ``start`` to ``end``, both included."""
    k = check_number(steps, "steps", "linspace", low=0, integer=True)
    check_size(f"linspace(steps={k})", (k,), "use fewer steps", np.dtype(np.float64).itemsize)
    dt = _dtype(dtype, "linspace")
    start, end = (_number(v, n, "linspace", False) for n, v in (("start", start), ("end", end)))
    # a whole-number end (an int64's, arange's rule) checked as given, before float64 rounds
    # one past 2**53 (2**53 + 1 would pass as 2**53); a float end, or an int past int64
    # (_number's float), is rounded, as gn.tensor rounds a float and PyTorch's linspace both
    ints = [v for v in (start, end) if isinstance(v, (int, np.integer))]
    _exact(np.array(ints, dtype=object), dt, "linspace")
    with np.errstate(invalid="ignore"):  # (a NaN or inf end: NaNs, as PyTorch's, no warning)
        values = np.linspace(start, end, k)
    whole = all(isinstance(v, (int, np.integer)) for v in (start, end))
    values = _cast(values, dt, "linspace", whole)
    return _on(Tensor(values, requires_grad), device)


def _cast(values: np.ndarray, dt: np.dtype, owner: str, whole: bool) -> np.ndarray:
    """The float64 ``values`` of arange or linspace in ``dt``, refused as the other factories
    refuse theirs: a finite value beyond float32's range (not inf), and (``whole``: whole
    numbers given) a whole number among them that ``dt`` would round."""
    check_fits(values, dt, owner, "the result", " or pass dtype=gn.float64.")
    big = values[np.abs(values) > 2 ** (np.finfo(dt).nmant + 1)] if whole else values[:0]
    if big.size:  # (an int64 copy of the whole ones: _exact's numbers, exact in float64)
        _exact(big[big == np.floor(big)].astype(np.int64), dt, owner)
    return values.astype(dt)


def is_tensor(obj: Any) -> bool:
    """Whether ``obj`` is a glassnet Tensor (a Parameter is one), as ``torch.is_tensor``."""
    return isinstance(obj, Tensor)


def _range_args(args: tuple[Any, ...], kw: dict[str, Any]) -> tuple[Any, Any, Any]:
    """PyTorch's arange arguments: ``(end)``, ``(start, end)`` or ``(start, end, step)``, by
    position or by name (``arange(end=5)``, ``arange(1, end=5)``); ``start`` 0 and ``step`` 1
    by default; a step without a start, or a start without an end, refused as by PyTorch."""
    names = ("start", "end", "step")
    unknown = [k for k in kw if k not in names]
    if unknown or len(args) > 3:
        what = f"keyword argument {unknown[0]!r}" if unknown else f"{len(args)} arguments"
        raise TypeError(
            f"arange() got an unexpected {what}: it takes (end), (start, end) or "
            "(start, end, step), by position or by name."
        )
    one = len(args) == 1 and not {"start", "end"} & kw.keys()  # (arange(5): the end)
    given = {"end": args[0]} if one else dict(zip(names, args))
    for k, v in kw.items():
        if k in given:
            raise TypeError(f"arange() got multiple values for argument {k!r}.")
        given[k] = v
    if "end" not in given or ("step" in given and "start" not in given):
        raise TypeError(
            f"arange() takes (end), (start, end) or (start, end, step), as PyTorch's: a step "
            f"needs a start and an end, a start needs an end. Got {given!r:.80}: write "
            f"arange(5), arange(end=5), arange(1, 5) or arange(0, 5, 2)."
        )
    values = given.get("start", 0), given["end"], given.get("step", 1)
    start, end, step = (_number(v, k, "arange") for k, v in zip(names, values))
    return start, end, step


def _number(value: Any, name: str, owner: str, ranged: bool = True) -> Any:
    """``value`` as a number (a 0-d Tensor or array as its value, as PyTorch takes
    ``arange(n)`` of a 0-d tensor), or a TypeError naming it: NumPy's errors ("unsupported
    operand type(s) for -: 'str' and 'int'") named neither. ``ranged``: arange's, within
    int64 and finite (linspace, as PyTorch's, takes any, NaN giving NaNs)."""
    if (
        isinstance(value, (Tensor, np.ndarray))
        and np.ndim(value.data if isinstance(value, Tensor) else value) == 0
    ):
        value = (value.data if isinstance(value, Tensor) else value)[()]
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        raise TypeError(f"{owner}: {name} must be a number. Got {value!r:.40}.")
    if not ranged:  # (linspace computes in floats: an int past int64, which NumPy refuses, too)
        return float(value) if isinstance(value, int) and abs(value) >= 2**63 else value
    if isinstance(value, int) and not -(2**63) <= value < 2**63:  # (PyTorch's limit too)
        raise OverflowError(
            f"{owner}: {name} {value:.4g} does not fit int64, as PyTorch refuses it; pass it as "
            f"a float ({float(value):.4g}) if that value is meant."
        )
    if not np.isfinite(value):  # (NumPy's "arange: cannot compute length" named neither)
        raise ValueError(f"{owner}: {name} must be a finite number. Got {value}.")
    return value


def arange(
    *args: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None, **kw: Any
) -> Tensor:
    """``start, start + step, ...`` below ``end``, as PyTorch's ``arange(end)``,
    ``arange(start, end)``, ``arange(start, end, step)`` (``arange(n)`` and ``arange(end=n)``:
    0 to n - 1), as floats."""
    start, end, step = _range_args(args, kw)
    if step == 0:
        raise ParameterError("arange: step must not be 0. Got step=0.")
    if (end - start) * step < 0:  # (PyTorch refuses a range the step never reaches)
        raise ParameterError(
            f"arange: a step of {step} never goes from {start} to {end}; swap them, or change "
            f"the step's sign."
        )
    dt = _dtype(dtype, "arange")
    n = math.ceil((end - start) / step)  # (the length: within memory, before NumPy's error)
    check_size(f"arange({start}, {end}, {step})", (n,), "use a larger step or a shorter range")
    whole = all(
        isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in (start, end, step)
    )
    if whole and max(abs(start), abs(end)) > 2 ** (np.finfo(dt).nmant + 1):  # (PyTorch's int64)
        _exact(np.arange(start, end, step, dtype=np.int64), dt, "arange")
    values = _cast(np.arange(start, end, step, dtype=np.float64), dt, "arange", False)
    return _on(Tensor(values, requires_grad), device)


# ----------------------------------------------------------- PyTorch's Generator
class Generator(np.random.Generator):
    """PyTorch's ``torch.Generator()``: a NumPy Generator (so every ``generator=`` and
    ``rng=`` of glassnet takes it) with PyTorch's seeding, ``g.manual_seed(seed)`` (which
    returns ``g``: ``generator=gn.Generator().manual_seed(42)``), ``g.seed()`` and
    ``g.initial_seed()``. The numbers are NumPy's (PCG64), not PyTorch's.

    >>> import glassnet as gn
    >>> g = gn.Generator().manual_seed(42)
    >>> bool(gn.randperm(5, generator=g).tolist() == gn.randperm(5, generator=42).tolist())
    True
    """

    def __init__(self, device: Any = "cpu") -> None:
        from ._validation import check_device

        self.device = check_device(device, "Generator")
        seed = int(np.random.SeedSequence().generate_state(1, np.uint64)[0])
        super().__init__(np.random.PCG64(seed))
        self._initial_seed = seed

    def manual_seed(self, seed: Any) -> Generator:
        """Seed this generator (an int >= 0); returns it, as PyTorch's."""
        if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
            raise TypeError(
                f"Generator.manual_seed takes an int >= 0, as PyTorch's. Got {seed!r:.40} of "
                f"type {type(seed).__name__}."
            )
        if seed < 0:
            raise ValueError(f"Generator.manual_seed takes an int >= 0. Got {seed}.")
        self.bit_generator.state = np.random.PCG64(int(seed)).state
        self._initial_seed = int(seed)
        return self

    def seed(self) -> int:
        """Seed from fresh entropy; returns the seed, as PyTorch's."""
        seed = int(np.random.SeedSequence().generate_state(1, np.uint64)[0])
        self.manual_seed(seed)
        return seed

    def initial_seed(self) -> int:
        """The seed this generator was last seeded with, as PyTorch's."""
        return self._initial_seed

    def get_state(self) -> np.ndarray:
        """This generator's state as bytes (a uint8 array, as PyTorch's ByteTensor), for a
        checkpoint: :meth:`set_state` of it draws on from where this one is now, and gives
        back its :meth:`initial_seed`, as PyTorch's."""
        return rng_state(self, initial_seed=self._initial_seed)

    def set_state(self, new_state: Any) -> Generator:
        """Go back to the state :meth:`get_state` returned; returns this generator."""
        seed = set_rng_state(new_state, self)
        self._initial_seed = self._initial_seed if seed is None else seed
        return self

    def __reduce__(self) -> Any:  # (a copy stays a glassnet Generator, mid-stream)
        return (_generator, (self.bit_generator.state, self._initial_seed, self.device))

    def __repr__(self) -> str:
        return f"Generator(initial_seed={self._initial_seed})"

    __str__ = __repr__  # (NumPy's print named its bit generator only)


def rng_state(generator: np.random.Generator, **extra: Any) -> np.ndarray:
    """``generator``'s bit generator state (NumPy's dict, with ``extra`` keys) as a uint8
    array of its JSON text."""
    state = {**generator.bit_generator.state, **extra}
    text = json.dumps(state, default=lambda a: a.tolist(), sort_keys=True)  # (MT19937's key)
    return np.frombuffer(text.encode("ascii"), dtype=np.uint8).copy()


def get_rng_state() -> np.ndarray:
    """PyTorch's ``torch.get_rng_state()``: the state of glassnet's default generator (the
    one every ``seed=None`` draws from, :func:`glassnet.manual_seed`'s), a uint8 array to
    keep in a checkpoint (``gn.save``) and give back to :func:`set_rng_state`, so that a
    resumed run draws the numbers the uninterrupted run would.

    >>> import glassnet as gn
    >>> _ = gn.manual_seed(3)
    >>> state = gn.get_rng_state()
    >>> a = gn.rand(2)
    >>> gn.set_rng_state(state)
    >>> bool((gn.rand(2).data == a.data).all())
    True
    """
    return rng_state(as_rng(None))


def set_rng_state(new_state: Any, generator: Any = None) -> Any:
    """PyTorch's ``torch.set_rng_state(state)``: the default generator (or ``generator``)
    back to a state :func:`get_rng_state` (or ``Generator.get_state``) returned; returns the
    initial seed that state recorded (a ``Generator``'s), else None."""
    gen = as_rng(None) if generator is None else generator
    owner = "set_rng_state" if generator is None else "Generator.set_state"
    a = np.asarray(new_state.data if isinstance(new_state, Tensor) else new_state)
    try:
        state = json.loads(a.tobytes().decode("ascii")) if a.dtype == np.uint8 else None
    except (UnicodeDecodeError, ValueError):
        state = None
    kind = type(gen.bit_generator).__name__
    if not isinstance(state, dict) or state.get("bit_generator") != kind:
        other = state.get("bit_generator") if isinstance(state, dict) else None
        raise ParameterError(
            f"{owner} takes the uint8 array that get_rng_state() (or Generator.get_state()) "
            f"returned for a {kind} generator. Got {a.dtype} values of shape {a.shape}"
            + (
                f", the state of a {other} generator, which a {kind} one cannot take: load it "
                f"into a generator of that kind, np.random.Generator(np.random.{other}())."
                if other
                else ": pass the saved state itself."
            )
        )
    seed = state.pop("initial_seed", None)
    gen.bit_generator.state = state
    return seed


def _generator(state: dict[str, Any], seed: int, device: Any) -> Generator:
    g = Generator(device)
    g.bit_generator.state, g._initial_seed = state, seed
    return g
