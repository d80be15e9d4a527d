"""Checks at the public boundary, with messages that name the argument and the fix.

The one home of glassnet's argument checks (scikit-learn's parameter-validation style):

* :func:`check_number`: an int or a float inside an interval,
  ``The 'lr' parameter of SGD must be a float > 0. Got -1.``
* :func:`check_choice` and :func:`check_bool`: one of some strings, a bool;
* :func:`check_positive`: the common ``> 0`` / ``>= 0`` case of :func:`check_number`;
* :func:`check_array`: a finite numeric array of an allowed rank;
* :func:`as_rng`: a ``numpy.random.Generator`` from a seed;
* :func:`moved`: the deprecation path of names that moved to another module.
* :func:`attach`: methods set on a class from another module, named as in its body.
* :func:`takes`: whether a function has a parameter of a name (a loss kernel's ``keep``).

Every check raises :class:`ParameterError`, which is both a ``ValueError`` and a
``TypeError`` (like scikit-learn's ``InvalidParameterError``): callers and tests that
expect either keep working, whether the value had the wrong type or the wrong size.
"""

from __future__ import annotations

import contextlib
import datetime
import decimal
import functools
import inspect
import math
import numbers
import operator
import os
import sys
import warnings
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from typing import Any, cast

import numpy as np

__all__ = [
    "TORCH_SWITCHES",
    "COLLAPSED_FEATURES",
    "collapsed_targets",
    "overflowed",
    "check_fits",
    "detached",
    "ParameterName",
    "torch_switches",
    "network_advice",
    "not_a_network",
    "micrograd_network",
    "micrograd_package",
    "micrograd_rebuild",
    "micrograd_advice",
    "micrograd_output",
    "sklearn_mlp",
    "memory_limit",
    "reduced",
    "moved",
    "attach",
    "check_memory",
    "bytes_text",
    "ParameterError",
    "as_rng",
    "manual_seed",
    "arrow_read",
    "check_array",
    "check_exact",
    "model_input",
    "check_names",
    "frame_names",
    "record_names",
    "no_rows",
    "not_sparse",
    "check_bool",
    "check_choice",
    "check_float_dtype",
    "check_keywords",
    "init_signature",
    "check_name",
    "check_number",
    "check_params",
    "check_positive",
    "check_setting",
    "check_state_arrays",
    "check_state_dict",
    "check_device",
    "check_to_args",
    "GradShapeError",
]


class NotGiven:
    """A default that stands for an argument not given (where None is a value of its own):
    shown as ``<not given>`` in help() and signatures, not ``<object object at 0x..>``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<not given>"


class ParameterError(ValueError, TypeError):
    """An argument of the wrong type or outside its allowed values."""


class GradShapeError(ValueError, RuntimeError):
    """A gradient seed (``Tensor.backward``'s ``grad``, ``grad_outputs`` of
    :func:`glassnet.autograd.grad`, ``grad_tensors`` of :func:`glassnet.autograd.backward`)
    whose shape is not its output's: a RuntimeError, as PyTorch's, and a ValueError, as
    glassnet's before."""

    __module__ = "glassnet.autograd"  # (its public place, where tracebacks and pickles find it)


class DimError(IndexError, TypeError):
    """A ``dim`` that is no integer: a TypeError, as PyTorch's, and an IndexError, as a dim
    out of range and glassnet's shape ops' (``transpose``, ``unsqueeze``) before."""


def shown(value: Any, limit: int = 200) -> str:
    """repr() of a value for a message; NumPy scalars shown as plain numbers (0.5, not
    np.float64(0.5)); a long one cut to ``limit`` characters (a list of 10,000 numbers
    given as ``lr`` made a message of 59,000)."""
    if isinstance(value, np.generic):
        value = value.item()
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 5]} ...{text[-1]}"


def distinct_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``json.loads``'s ``object_pairs_hook`` for an object whose keys are distinct: a key
    given twice (``{"epochs": 1, "epochs": 200}``, which ``json.loads`` would read as its
    last value, in silence) is a ValueError naming it."""
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise ValueError(f"duplicate key {shown(key, 60)}: it appears twice in one object")
        obj[key] = value
    return obj


def _interval(low: Any, high: Any, low_open: bool, high_open: bool) -> str:
    """``> 0``, ``>= 1``, ``<= 1`` or ``in [0, 1)``; bounds shown as the caller wrote them."""
    if low is not None and high is not None:
        return (
            f"in {'(' if low_open else '['}{shown(low)}, {shown(high)}{')' if high_open else ']'}"
        )
    if low is not None:
        return f"{'>' if low_open else '>='} {shown(low)}"
    if high is not None:
        return f"{'<' if high_open else '<='} {shown(high)}"
    return ""


def check_number(
    value: Any,
    name: str,
    owner: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    integer: bool = False,
    allow_inf: bool = False,
) -> Any:
    """``value`` as an int (``integer=True``) or a float, if it lies in the interval.

    The interval is ``[low, high]``, each end open with ``low_open`` / ``high_open`` and
    absent when None. NaN and +-inf are refused, except ``+inf`` with ``allow_inf``
    (scikit-learn's ``n_iter_no_change=np.inf``). Bools are refused (``True`` is not a
    learning rate); so are floats where an int is asked for (``2.0`` epochs).

    Raises
    ------
    ParameterError
        ``The 'lr' parameter of SGD must be a float > 0. Got -1.`` The bounds appear as
        given: pass ``low=0`` to read ``> 0``, ``low=0.0`` to read ``> 0.0``.

    >>> check_number(0.1, "lr", "SGD", low=0, low_open=True)
    0.1
    >>> check_number(-1, "lr", "SGD", low=0, low_open=True)
    Traceback (most recent call last):
    ...
    glassnet._validation.ParameterError: The 'lr' parameter of SGD must be a float > 0. Got -1.
    """
    kind = numbers.Integral if integer else numbers.Real
    # (a plain int, or a float where one is taken: no ABC's check)
    plain = type(value) is int or (type(value) is float and not integer)
    ok = plain or (isinstance(value, kind) and not isinstance(value, (bool, np.bool_)))
    if ok:
        try:  # (an int too large for a float is finite, and out of any float bound)
            x = int(value) if integer else float(value)
        except OverflowError:
            x = math.inf
        if allow_inf and x == np.inf:
            return x
        ok = isinstance(x, int) or math.isfinite(x)
        if ok and low is not None:
            ok = x > low if low_open else x >= low
        if ok and high is not None:
            ok = x < high if high_open else x <= high
    if not ok:
        interval = _interval(low, high, low_open, high_open)
        if integer:
            want = f"an int {interval}".rstrip()
        else:
            want = f"a float {interval}" if interval else "a finite float"
        if allow_inf:
            want += " or numpy.inf"
        got = f"Got {shown(value)}."
        if isinstance(value, (bool, np.bool_)):  # (False is >= 0: say why it is refused)
            fix = f"write {want}"
            with contextlib.suppress(ParameterError):
                as_number = int(value) if integer else float(value)
                bounds = {"low": low, "high": high, "low_open": low_open, "high_open": high_open}
                num = check_number(as_number, name, owner, integer=integer, **bounds)
                fix = f"write {name}={num!r}" if name.isidentifier() else f"write {num!r}"
            got = f"Got {shown(value)}: a bool is not taken as a number; {fix}."
        raise ParameterError(f"The {name!r} parameter of {owner} must be {want}. {got}")
    return x


def check_positive(
    name: str, value: Any, owner: str, *, integer: bool = False, allow_zero: bool = False
) -> Any:
    """``value`` unchanged if it is > 0 (>= 0 with ``allow_zero``), else
    ``The 'lr' parameter of fit must be a float > 0. Got -1.``"""
    check_number(value, name, owner, low=0, low_open=not allow_zero, integer=integer)
    return value


def check_choice(value: Any, name: str, owner: str, choices: Sequence[str]) -> str:
    """``value`` if it is one of ``choices``, else
    ``The 'names' parameter of explain must be 'auto', 'lecture' or 'layered'. Got 'x'.``"""
    if not isinstance(value, str) or value not in choices:
        quoted = [repr(c) for c in choices]
        listed = quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"
        raise ParameterError(
            f"The {name!r} parameter of {owner} must be {listed}. Got {shown(value)}."
        )
    return value


def check_bool(value: Any, name: str, owner: str) -> bool:
    """``bool(value)`` for a Python or NumPy bool, else
    ``The 'shuffle' parameter of fit must be a bool (True or False). Got 1.``"""
    if not isinstance(value, (bool, np.bool_)):
        raise ParameterError(
            f"The {name!r} parameter of {owner} must be a bool (True or False). Got {shown(value)}."
        )
    return bool(value)


def check_flag(value: Any, name: str, owner: str) -> bool:
    """:func:`check_bool` that also reads PyTorch's 0 and 1 as False and True (its flags
    ``bias``, ``retain_graph``, ``set_to_none`` take them); any other number is refused."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value in (0, 1):
        return bool(value)
    return check_bool(value, name, owner)


def as_rng(seed: Any, owner: str | None = None, name: str = "seed") -> np.random.Generator:
    """A ``numpy.random.Generator`` from ``None`` (glassnet's default generator, seeded
    from fresh entropy or by :func:`manual_seed`), an int >= 0 or a Generator.

    A Generator is returned as is (the caller's stream goes on); an int gives
    ``numpy.random.default_rng(seed)``, so the same seed draws the same numbers.
    ``owner`` and ``name`` name the argument in the message:
    ``The 'seed' parameter of make_moons must be None, an int >= 0 or a
    numpy.random.Generator. Got 'x'.``
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        return _DEFAULT_RNG[0]
    whose = f"The {name!r} parameter of {owner}" if owner else f"The {name!r} argument"
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise ParameterError(
            f"{whose} must be None, an int >= 0 or a numpy.random.Generator. "
            f"Got {shown(seed)} of type {type(seed).__name__}."
        )
    if seed < 0:
        raise ParameterError(f"{whose} must be an int >= 0. Got {shown(seed)}.")
    return np.random.default_rng(int(seed))


def seed_alias(seed: Any, random_state: Any, owner: str) -> tuple[Any, str]:
    """``seed``, or ``random_state``, scikit-learn's name of it, with the name given (for
    messages): one of the two, or both with the same value; two different ones refused."""
    if random_state is None:
        return seed, "seed"
    ints = all(
        isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))
        for v in (seed, random_state)
    )
    if seed is not None and not (seed is random_state or (ints and seed == random_state)):
        raise ParameterError(
            f"{owner} got seed={shown(seed, 60)} and random_state={shown(random_state, 60)}: "
            "random_state is scikit-learn's name of seed; give one of the two."
        )
    return random_state, "random_state"


def detached(value: Any) -> Any:
    """A Tensor's values, outside the graph (its ``.data``), for the functions that read
    values (fit's X and y, the metrics, an estimator's X): NumPy refuses a Tensor that
    requires grad (``np.asarray(model(X))``), so that its own functions do not leave the
    graph in silence. Anything else as it is."""
    if getattr(value, "requires_grad", False) and type(value).__module__.startswith("torch"):
        return value.detach().cpu()  # (a torch tensor's values, as .detach().cpu().numpy())
    return value.data if hasattr(value, "backward_fn") and hasattr(value, "data") else value


def unmasked(
    value: Any,
    name: str,
    owner: str,
    why: str = "which would be read with their hidden values: fill them, e.g. {name}.filled("
    "value), or drop their rows",
) -> Any:
    """``value``; a NumPy masked array as its values where no cell is masked, refused where
    one is (``np.asarray`` drops the mask: its hidden values would be read; ``why``: what
    the caller would do with them, and the fix)."""
    if isinstance(value, np.ma.MaskedArray):
        hidden = int(np.ma.count_masked(value))
        if hidden:
            raise ValueError(
                f"{owner}: " * bool(owner) + f"{name} is a masked array with {hidden} masked "
                f"value(s), {why.format(name=name)}."
            )
        value = value.data
    return value


def not_sparse(value: Any, name: str, owner: str) -> Any:
    """``value``; refused where it is a scipy.sparse matrix or array (NumPy wraps one as a
    single object: "dtype object", "shape ()"), with the ``.toarray()`` hint, or a torch
    bfloat16 tensor (NumPy has no bfloat16: torch's "unsupported ScalarType BFloat16")."""
    if type(value).__module__ == "torch" and str(value.dtype) == "torch.bfloat16":
        raise TypeError(
            f"{owner}: {name} is a torch bfloat16 tensor, a dtype NumPy (and glassnet) has "
            f"no arrays of: pass {name}.float() (float32; bfloat16's values are exact in it)."
        )
    if type(value).__module__.startswith("scipy.sparse"):
        raise ValueError(
            f"{owner}: {name} is a scipy.sparse matrix; pass {name}.toarray() if it fits in "
            "memory (or train on its rows in chunks, each .toarray())."
        )
    return value


def no_rows(value: Any, name: str, owner: str) -> None:
    """Refuse a container that holds no rows of numbers for NumPy to read, saying what was
    given and what to pass (NumPy makes an object array of it, refused as text otherwise):
    a generator or iterator, a dict of columns, a list of dicts (records), a set."""
    if isinstance(value, Mapping):
        what = (
            f"dict (of columns?): pass pd.DataFrame({name}), or "
            f"np.column_stack(list({name}.values()))"
        )
    elif isinstance(value, (list, tuple)) and len(value) and isinstance(value[0], Mapping):
        what = f"list of dicts (records): pass pd.DataFrame({name}), one column per key"
    elif isinstance(value, (set, frozenset)):
        what = "set, which has no order: pass a list in the order of the samples"
    elif hasattr(value, "__next__") and not hasattr(value, "__len__"):
        what = f"{type(value).__name__} (a one-pass iterator): pass list({name})"
    else:
        return
    raise ValueError(
        f"{owner}: {name} must be an array of numbers (a NumPy array, a list of rows, a "
        f"DataFrame). Got a {what}."
    )


def arrow_read(value: Any) -> Any:
    """A pyarrow Array, ChunkedArray, Table or RecordBatch as the pandas Series or DataFrame
    of its Arrow dtypes (a dictionary column: a categorical), which the readers of pandas
    data check: float64 kept float64, a null refused as pd.NA is, bools as bools, text as
    text (``to_numpy()`` of a pyarrow Array copies nothing: it raised on bools, text and
    nulls, and NumPy read a Table as float32 objects). Anything else as it is."""
    if not type(value).__module__.startswith("pyarrow") or not hasattr(value, "to_pandas"):
        return value
    import pandas as pd  # (pyarrow's to_pandas needs it: installed beside pyarrow)
    import pyarrow as pa

    def mapper(t: Any) -> Any:
        return None if pa.types.is_dictionary(t) else pd.ArrowDtype(t)

    return value.to_pandas(types_mapper=mapper)


def tensor_data(value: Any, owner: str = "Tensor", name: str = "data", dtype: Any = None) -> Any:
    """What a Tensor reads of ``value``: a glassnet or torch tensor's values
    (:func:`detached`); a masked array's where no cell is masked (:func:`unmasked`); a
    pandas DataFrame or Series of nullable (extension) dtypes, Float64 or Int64, checked
    as ``Module.predict`` checks it (:func:`check_array`: text, dates and pd.NA refused;
    inf kept, as elsewhere in a Tensor) and read as the same values in NumPy dtypes are
    (Int64 as int64, boolean as bool: gn.tensor's exactness and True/False refusals see
    them; pyarrow's too), not as NumPy's object array; one of NumPy dtypes as its NumPy
    array (a copy: float64 kept as float64, as the array is). Anything else as it is.
    ``name``: the data's name in the messages; ``dtype``: the float dtype it is read as
    (None: its own), whose rounding of an int or decimal column is refused
    (:func:`exact_columns`)."""
    value = arrow_read(unmasked(not_sparse(detached(value), name, owner), name, owner))
    exact_columns(value, dtype, name, owner, what="the")
    dtypes = getattr(value, "dtypes", None)
    if dtypes is None or not hasattr(value, "to_numpy"):
        return value
    kinds = list(dtypes) if hasattr(dtypes, "items") else [dtypes]
    if any(t == np.dtype(object) for t in kinds):  # (numbers as objects: read as predict does)
        typed = np.array(value.to_numpy().tolist())  # (ints as int64: exactness is checked)
        if typed.dtype.kind == "O" and any(map(_past_int64, typed.flat)):
            return value  # (ints past int64: the Tensor's refusal, "too large for int64")
        read = check_array(name, value, owner, ndim=(1, 2), allow_empty=True, finite=False)
        if typed.dtype.kind == "f" and dtype is None:  # (ints beside floats: float64)
            exact_columns(value, np.float64, name, owner, what="the")
        return typed if typed.dtype.kind in "biuf" and typed.shape == read.shape else read
    if all(isinstance(t, np.dtype) for t in kinds):
        return value.to_numpy(copy=True)  # (pandas 3's own is a read-only view)
    check_array(name, value, owner, ndim=(1, 2), allow_empty=True, finite=False)
    missing = np.argwhere(np.asarray(value.isna()))  # (pandas 3 writes pd.NA as NaN)
    if len(missing):
        raise ValueError(
            f"{owner}: {name} holds pd.NA (a missing value) at index "
            f"{tuple(int(i) for i in missing[0])}; fill it in (impute, e.g. with its "
            "column's mean) or drop the row."
        )
    numpy = [getattr(t, "numpy_dtype", None) for t in kinds]  # (Int64's int64)
    ok = [t for t in numpy if isinstance(t, np.dtype) and t.kind in "biuf"]
    dt = np.result_type(*ok) if len(ok) == len(numpy) else np.float64  # (decimals)
    return value.to_numpy(dtype=dt)


def _past_int64(v: Any) -> bool:
    """Whether ``v`` is a Python int that neither int64 nor uint64 holds."""
    return type(v) is int and not -(2**63) <= v < 2**64


def check_exact(
    given: np.ndarray, dtype: Any, name: str, owner: str, fix: str, what: str = "the model's"
) -> None:
    """Refuse the whole numbers of the int array ``given`` that ``dtype`` (a float dtype: the
    model's) cannot hold exactly, above 2**24 in float32 and 2**53 in float64: the cast
    would read another number, in silence (``gn.tensor`` refuses them too). ``fix``: what to
    do instead; ``what``: whose dtype it is. One max and one min where all are small."""
    dtype = np.dtype(dtype)
    if given.dtype.kind not in "iu" or dtype.kind != "f" or not given.size:
        return
    limit = 2 ** (np.finfo(dtype).nmant + 1)  # (every whole number up to it is exact)
    if -limit <= given.min() and given.max() <= limit:
        return
    cast = given.astype(dtype)
    with np.errstate(invalid="ignore"):  # (2**64 - 1 rounds to 2**64: no uint64)
        off = cast.astype(given.dtype) != given
    if off.any():
        at = tuple(int(i) for i in np.argwhere(off)[0])
        raise exact_error(owner, name, int(given[at]), at, dtype, what, fix)


def exact_error(
    owner: str,
    name: str,
    given: int,
    at: tuple,
    dtype: Any,
    what: str,
    fix: str,
    column: Any = None,
) -> ValueError:
    """The refusal of the whole number ``given`` at index ``at`` (of ``column``, a
    DataFrame's, where named) that the float ``dtype`` would round. ``fix``'s advice of a
    float64 model is left out where ``dtype`` is float64 already (no wider float to take)."""
    dtype = np.dtype(dtype)
    if dtype.itemsize >= 8 and "float64" in fix:
        fix = _EXACT_FIX64
    where = f" (column {column!r})" if column is not None else ""
    became = _whole(_became(dtype, given))
    became = "another number, its last digits lost" if became == _whole(given) else (
        f"{became}, another number")  # fmt: skip
    return ValueError(
        f"{owner}: {name} holds the whole number {_whole(given)} at index {at}{where}, which "
        f"is not exact in {dtype}, {what} dtype (it would become {became}). {fix}"
    )


def _whole(v: Any) -> Any:
    """The int ``v`` as it is, or, past 20 digits, shortened (:func:`_number`'s 1.000e+40)
    with its count of digits; anything else as it is."""
    if type(v) is not int or abs(v) < 10**20:
        return v
    return f"{_number(v)} ({len(str(abs(v)))} digits)"


def inexact_cell(cells: Any, dtype: Any) -> tuple[int, int] | None:
    """The flat index and value of the first whole number (a Python or NumPy int, not a
    bool; a whole ``Decimal``) among the objects ``cells`` (an object array's, a categorical
    column's) that the float ``dtype`` would round, or None: an object column of ints is read
    as float64 first, which the int arrays' check (:func:`check_exact`) would not see."""
    dtype = np.dtype(dtype)
    limit = 2 ** (np.finfo(dtype).nmant + 1)
    for i, v in enumerate(np.asarray(cells, dtype=object).flat):
        if isinstance(v, decimal.Decimal) and v.is_finite() and v == v.to_integral_value():
            v = int(v)  # (a whole Decimal, SQL NUMERIC's: as a pyarrow decimal is checked)
        if isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)):
            if not -limit <= v <= limit and _became(dtype, int(v)) != int(v):
                return i, int(v)
    return None


def model_input(value: Any, owner: Any, dtype: Any) -> Any:
    """What the module ``owner`` called on ``value`` (not a Tensor) reads of it
    (:func:`tensor_data`): a DataFrame whose column names differ from those the model was
    fitted on refused (:func:`check_names`); whole numbers that ``Tensor(value)``'s
    ``dtype`` (the default dtype) would round refused (:func:`check_exact`). ``dtype``
    None (``predict``'s call, whose own check reads X): the names checked alone, a warning
    where X has none, as scikit-learn's; ``value`` as it is."""
    if dtype is not None and type(value) is np.ndarray and value.dtype.kind not in "iu":
        return value  # (a float or bool array: no names, nothing to round)
    who = type(owner).__name__
    if dtype is None:
        check_names(owner, value, f"{who}.predict", "X", warn=True)
        check_width(owner, value, f"{who}.predict")
        return value
    check_names(owner, value, who, "x")
    fix = (
        "Call it on gn.tensor(x, dtype=gn.float64) with a float64 model (exact up to 2**53), "
        "or scale the column first (e.g. subtract its smallest value)."
    )
    value = arrow_read(value)  # (a Table's int column beside a float one: named)
    exact_columns(value, dtype, "x", who, fix, "the default")
    value = tensor_data(value, dtype=dtype)
    try:
        listed = isinstance(value, (list, tuple, np.ndarray))
        arr = np.asarray(value) if listed or type(value).__module__ == "torch" else None
    except (ValueError, TypeError):
        return value  # (ragged: Tensor's reading says what is wrong)
    if arr is not None and arr.dtype.kind in "iu":
        check_exact(arr, dtype, "x", who, fix, "the default")
    return value


def check_width(model: Any, X: Any, owner: str) -> None:
    """Refuse a 2-D ``X`` (an array, a DataFrame) whose number of columns is not the
    inputs of the model's first layer, a Linear (a Sequential's first, nested or not), with
    :func:`features_error`'s words, as fit's (the layer's own message names shapes alone)."""
    first = model  # (isinstance by the classes' names: nn is a layer above this module)
    while _is_a(first, "Sequential") and len(first):
        first = first[0]
    n_in = getattr(first, "inputs", None) if _is_a(first, "Linear") else None
    shape = getattr(X, "shape", None)
    if isinstance(n_in, int) and isinstance(shape, tuple) and len(shape) == 2:
        if shape[1] != n_in:
            fitted = getattr(model, "feature_names_in_", None)
            named = f" {shown(list(fitted), 120)}" if fitted is not None else ""
            fix = f"the model was trained on {n_in} columns: pass the same columns as at fit{named}"
            raise features_error(owner, "X", shape[1], n_in, fix, frame_names(X))


def _is_a(obj: Any, cls: str) -> bool:
    """``isinstance(obj, nn.<cls>)`` (nn.MLP is a Sequential), by the names of its classes."""
    return any(
        c.__name__ == cls and c.__module__.startswith("glassnet.nn") for c in type(obj).__mro__
    )


def features_error(
    owner: str, name: str, width: int, n_in: int, fix: str, columns: list | None = None
) -> ValueError:
    """X of ``width`` features per sample (its ``columns``, a DataFrame's) where the
    model's first layer takes ``n_in``: fit's and predict's words."""
    cols = f" (columns {shown(columns, 120)})" if columns else ""
    return ValueError(
        f"{owner}: {name} has {width} features per sample{cols} but the model's first "
        f"layer expects {n_in}; {fix}."
    )


def is_series(X: Any) -> bool:
    """Whether ``X`` is a pandas Series (a row ``df.iloc[i]``, labelled by column names, or
    a column ``df[c]``), by its attributes: pandas is not imported."""
    return hasattr(X, "to_frame") and hasattr(X, "iloc") and getattr(X, "columns", None) is None


def positional(X: Any) -> bool:
    """Whether the pandas Series ``X`` has a plain RangeIndex 0..n-1 (a row of an unnamed
    frame, ``pd.Series(values)``): its labels are positions, and it is read as a 1-D array."""
    index = getattr(X, "index", None)
    return type(index).__name__ == "RangeIndex" and index.start == 0 and index.step == 1


def mixed_names(X: Any, owner: str) -> None:
    """Refuse a DataFrame ``X`` whose column names mix str and other types, with
    scikit-learn's TypeError (its names could be recorded in part alone)."""
    columns = getattr(X, "columns", None) if hasattr(X, "iloc") else None
    if columns is not None and len({isinstance(c, str) for c in columns}) > 1:
        types = {type(c).__name__ for c in columns}
        raise TypeError(
            f"{owner}: Feature names are only supported if all input features have "
            f"string names, but your input has {sorted(types)} as feature name / column "
            "name types. If you want feature names to be stored and validated, you must "
            "convert them all to strings, by using X.columns = X.columns.astype(str) for "
            "example. Otherwise you can remove feature / column names from your input "
            "data, or convert them all to a non-string data type."
        )


def unique_names(
    names: Sequence[Any] | None, owner: str, name: str = "X", arrow: bool = False
) -> None:
    """Refuse column ``names`` (a DataFrame's, at fit) that hold a name more than once, as
    scikit-learn does: the names could not say which column is which. ``arrow``: the names
    of a pyarrow Table's or RecordBatch's (advice in its own methods)."""
    seen: dict[Any, int] = {}
    for n in names or ():
        seen[n] = seen.get(n, 0) + 1
    twice = [n for n, k in seen.items() if k > 1]
    if twice:
        raise ValueError(
            f"{owner}: {name} has the column name(s) {shown(twice, 80)} more than once "
            f"(columns {shown(list(names or ()), 120)}); each column needs a name of its own "
            "(scikit-learn refuses duplicate names too), or the names cannot say which is "
            + (
                f"which: rename them ({name}.rename_columns([...])), or drop the copies."
                if arrow
                else f"which: rename them, or drop the copies "
                f"({name}.loc[:, ~{name}.columns.duplicated()])."
            )
        )


def frame_names(X: Any) -> list[str] | None:
    """The column names of a pandas DataFrame, or a pyarrow Table or RecordBatch (read as
    one), whose names are all str (scikit-learn's rule for ``feature_names_in_``), else
    None (an array, a list, a frame of unnamed columns)."""
    if type(X).__module__.startswith("pyarrow") and hasattr(X, "column_names"):
        names = list(X.column_names)
    elif getattr(X, "columns", None) is None or not hasattr(X, "iloc"):
        return None
    else:
        names = list(X.columns)
    return names if names and all(isinstance(n, str) for n in names) else None


def user_level() -> int:
    """The ``stacklevel`` that a ``warnings.warn`` in the caller of this function gives to
    name the first frame outside the glassnet package: the user's line (``predict`` and
    ``fit`` reach the warning through different depths of calls)."""
    package = os.path.dirname(os.path.abspath(__file__)) + os.sep
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(package):
        frame, level = frame.f_back, level + 1
    return level


def _frame_kind(X: Any, name: str) -> tuple[str, str]:
    """What ``X`` is (a pyarrow Table or RecordBatch, else a DataFrame) and how its fitted
    columns are taken, in messages."""
    if type(X).__module__.startswith("pyarrow"):
        return f"pyarrow {type(X).__name__}", f"{name}.select(model.feature_names_in_)"
    return "DataFrame", f"{name}[model.feature_names_in_]"


def column_change(got: list, fitted: list, show: Callable[[list], str]) -> str:
    """How the columns ``got`` differ from the ``fitted`` ones, for a message: "the same
    columns in another order", or "it lacks [...] and has [...] not seen at fit" (each
    list written by ``show``)."""
    if sorted(got) == sorted(fitted):
        return "the same columns in another order"
    lacks = [c for c in fitted if c not in set(got)]
    extra = [c for c in got if c not in set(fitted)]
    parts = [f"lacks {show(lacks)}"] if lacks else []
    parts += [f"has {show(extra)} not seen at fit"] if extra else []
    return f"it {' and '.join(parts)}"


def check_names(model: Any, X: Any, owner: str, name: str, warn: bool = False) -> None:
    """Refuse a DataFrame ``X`` whose column names differ from, or come in another order
    than, ``model.feature_names_in_`` (the columns of the DataFrame ``fit`` trained it on):
    its columns would be read by position, the wrong ones in silence. ``warn``: a warning
    where X has no column names (an array), as scikit-learn's "X does not have valid
    feature names"; it is read by position. A model with no names: nothing checked."""
    fitted = getattr(model, "feature_names_in_", None)
    if fitted is None:
        return
    if is_series(X) and not positional(X):  # (a positional one: as a 1-D array, below)
        _check_row(X, list(fitted), owner, name)
        return
    got = frame_names(X)
    if got is None:
        if warn:
            warnings.warn(
                f"{owner}: {name} has no column names, but the model was fitted on a "
                f"DataFrame with columns {shown(list(fitted), 120)} (model.feature_names_in_): "
                "its columns are read in that order, by position.",
                UserWarning,
                stacklevel=user_level(),
            )
        return
    if got == list(fitted):
        return
    todo = column_change(got, list(fitted), lambda c: shown(c, 80))
    kind, take = _frame_kind(X, name)
    raise ValueError(
        f"{owner}: {name} is a {kind} with columns {shown(got, 120)}, but the model was "
        f"fitted on columns {shown(list(fitted), 120)} (model.feature_names_in_): {todo}, "
        f"which would be read by position, the wrong ones. Pass {take} (the fitted "
        "columns, in order); to train the model on other "
        "columns, del model.feature_names_in_ first."
    )


def _check_row(X: Any, fitted: list, owner: str, name: str) -> None:
    """:func:`check_names` of a pandas Series: a row (``df.iloc[i]``) whose labels are the
    fitted names in their order is one sample; one of other labels, or in another order, is
    refused (read by position, the wrong values), as a column (``df[c]``) is."""
    labels = list(X.index)
    if labels == fitted:
        return
    if not set(labels) & set(fitted):
        raise ValueError(
            f"{owner}: {name} is a pandas Series with index {shown(labels, 80)}, not the "
            f"column names the model was fitted on, {shown(fitted, 120)} "
            "(model.feature_names_in_): a column, not a row? Pass "
            f"{name}.to_frame() (one column), or df.iloc[[i]] (row i, as a DataFrame)."
        )
    todo = column_change(labels, fitted, lambda c: shown(c, 80))
    raise ValueError(
        f"{owner}: {name} is a pandas Series (one row) with labels {shown(labels, 120)}, "
        f"but the model was fitted on columns {shown(fitted, 120)} "
        f"(model.feature_names_in_): {todo}, which would be read by position, the wrong "
        f"ones. Pass {name}[model.feature_names_in_] (the fitted columns, in order)."
    )


def record_names(model: Any, X: Any, owner: str, name: str = "X") -> None:
    """``fit``'s record of the column names of a DataFrame ``X`` as
    ``model.feature_names_in_`` (scikit-learn's name), after :func:`check_names` (a model
    fitted already on named columns takes the same again; an array is read by position,
    with a warning). ``name`` other than "X" (validation data): checked, not recorded."""
    if name == "X":  # (a pyarrow Table's names too: frame_names reads them)
        mixed_names(X, owner)
        unique_names(frame_names(X), owner, name, type(X).__module__.startswith("pyarrow"))
    check_names(model, X, owner, name, warn=name == "X")
    got = frame_names(X)
    if name == "X" and got is not None:
        model.feature_names_in_ = got


def dates_error(
    name: str, owner: str, dtype: Any, columns: Sequence[Any] = (), cell: Any = None
) -> ValueError:
    """The refusal of dates or durations where numbers are read (a cast would count days,
    microseconds or nanoseconds: the unit's choice), naming the DataFrame ``columns`` that
    hold them, or the first date or duration ``cell`` of an object array."""
    where = f" in columns {[str(c) for c in columns]}" if columns else ""
    c = f"{name}[{str(columns[0])!r}]" if columns else name
    if columns or not isinstance(dtype, np.dtype):  # (pandas' dtypes: the .dt accessor)
        period = " (a period: .dt.to_timestamp() first)" if "eriod" in str(dtype) else ""
        fix = f"seconds since the first, ({c} - {c}.min()).dt.total_seconds(){period}"
    elif cell is not None:
        where = f" (objects such as {cell!r:.50})"
        fix = (
            "each duration in seconds, d / np.timedelta64(1, 's')"
            if isinstance(cell, (np.timedelta64, datetime.timedelta))
            else "each date in days since one of your choice, (np.datetime64(d) - "
            "np.datetime64('2020-01-01')) / np.timedelta64(1, 'D') (a pandas Period: "
            "d.to_timestamp() first)"
        )
    elif dtype.kind == "m":
        fix = f"days, {name} / np.timedelta64(1, 'D')"
    else:
        fix = f"days since a date, ({name} - np.datetime64('2020-01-01')) / np.timedelta64(1, 'D')"
    return ValueError(
        f"{owner}: {name} must be numbers. Got dates or durations{where} (dtype {dtype}): "
        f"convert them to numbers in a unit of your choice first, e.g. {fix}, or drop them."
    )


def time_like(dtype: Any) -> bool:
    """Whether a dtype (a DataFrame column's, a Series's, an array's) holds dates,
    durations or periods."""
    return getattr(dtype, "kind", None) in ("M", "m") or type(dtype).__name__ == "PeriodDtype"


def time_error(name: str, owner: str, value: Any) -> ValueError | None:
    """:func:`dates_error` where ``value`` (an array, a list of rows, a Series; not a
    DataFrame: :func:`time_columns`) holds dates, durations or periods, as its dtype or as
    objects (np.datetime64, datetime, date, timedelta, pandas' Timestamp, Timedelta or
    Period: NumPy reads some as ticks); None where it holds none."""
    dtype = getattr(value, "dtype", None)
    if dtype is None:  # a list or tuple: its array's
        try:
            value = np.asarray(value)
        except (ValueError, TypeError):
            return None  # (the caller's reading says what is wrong)
        dtype = value.dtype
    if time_like(dtype):
        return dates_error(name, owner, dtype)
    if getattr(dtype, "kind", None) == "O" and isinstance(dtype, np.dtype):
        found = time_cell(value.to_numpy() if hasattr(value, "to_numpy") else value)
        if found is not None:
            return dates_error(name, owner, dtype, cell=found[1])
    return None


def time_cell(cells: Any) -> tuple[int, Any] | None:
    """The flat index and value of the first date, duration or period of an object array
    ``cells`` (np.datetime64, np.timedelta64, datetime, date, timedelta, pandas' Timestamp,
    Timedelta or Period), or None where it holds none."""
    times = (np.datetime64, np.timedelta64, datetime.date, datetime.timedelta)
    return next(
        (
            (i, v)
            for i, v in enumerate(np.asarray(cells, dtype=object).flat)
            if isinstance(v, times) or type(v).__name__ == "Period"
        ),
        None,
    )


def time_columns(value: Any) -> list[Any]:
    """The columns of a DataFrame that hold dates, durations or periods (none for another
    value)."""
    dtypes = getattr(value, "dtypes", None)
    if not hasattr(dtypes, "items"):
        return []
    return [c for c, t in dtypes.items() if time_like(t)]


def broadcasts_to(shape: tuple[int, ...], target: tuple[int, ...]) -> bool:
    """Whether an array of ``shape`` broadcasts against one of ``target`` to ``target``
    itself (a loss's per-output weights against its input; a gradient summed back)."""
    try:
        return np.broadcast_shapes(shape, target) == tuple(target)
    except ValueError:
        return False


def _text_where(given: Any, arr: np.ndarray, at: int) -> str:
    """Where check_array's text is, in the words of what the caller passed: a DataFrame's
    column by its name and pandas dtype (``string``, ``object``, ``category``), a Series' dtype,
    else the array's (the DataFrame's dtypes were lost to to_numpy's ``object``)."""
    dtypes = getattr(given, "dtypes", None)
    if arr.ndim == 2 and hasattr(dtypes, "iloc") and len(dtypes) == arr.shape[1]:
        j = np.unravel_index(at, arr.shape)[1]
        return f"Its column {shown(given.columns[j])} holds text (dtype {dtypes.iloc[j]})"
    return f"It holds text (dtype {getattr(given, 'dtype', arr.dtype)})"


def check_array(
    name: str,
    value: Any,
    owner: str,
    *,
    ndim: tuple[int, ...] = (1, 2),
    dtype: Any = None,
    allow_empty: bool = False,
    fix: str = "Scale the features (e.g. glassnet.preprocessing.StandardScaler), or train a "
    "float64 model.",
    finite: bool = True,
    collapse: str = "",
) -> np.ndarray:
    """A finite numeric array of an allowed rank, or a ValueError naming ``name`` (``fix``:
    what to do about a value beyond ``dtype``'s range; ``finite=False``: NaN and inf
    kept). ``collapse``: training data's words (:data:`COLLAPSED_FEATURES`,
    :func:`collapsed_targets`) for a column whose distinct values the cast to ``dtype``
    makes one (:func:`collapsed`); '' (predict, sample weights): not checked."""
    if value is None:  # (not "holds None (a missing value) at index ()": no data at all)
        raise ValueError(f"{owner}: {name} is None; pass the data (an array of numbers).")
    series = hasattr(value, "to_frame") and hasattr(value, "iloc")  # (a Series: no reshape)
    one = f"{name}.to_frame()" if series else f"{name}.reshape(-1, 1)"
    value = unmasked(not_sparse(arrow_read(detached(value)), name, owner), name, owner)
    exact_columns(value, dtype, name, owner)
    no_rows(value, name, owner)
    times = time_columns(value)
    if times:
        raise dates_error(name, owner, value.dtypes[times[0]], times)
    if time_like(getattr(value, "dtype", None)):  # (a Series with a timezone, of periods)
        raise dates_error(name, owner, value.dtype)
    given = value  # (a DataFrame's or Series' own dtypes, for the message of a text column)
    if hasattr(value, "to_numpy") and not isinstance(value, np.ndarray):
        value = value.to_numpy()
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError) as e:
        raise ValueError(f"{owner}: {name} could not be read as an array ({e}).") from e
    timed = time_error(name, owner, arr)  # (as objects too: NumPy casts np.datetime64's)
    if timed is not None:
        raise timed
    if arr.dtype.kind == "c":
        raise ValueError(f"{owner}: {name} has complex values; only real numbers are supported.")
    if arr.dtype.kind in "USO":  # text is no number: parsing "0.5" would pass it in silence
        at = next((k for k, v in enumerate(arr.flat) if isinstance(v, (str, bytes))), None)
        if at is not None or arr.dtype.kind != "O":
            first = shown(arr.flat[at or 0], 40)
            raise ValueError(
                f"{owner}: {name} must be numeric. {_text_where(given, arr, at or 0)}, e.g. "
                f"{first}: convert numbers written as text (np.asarray({name}, dtype=float)), "
                "or encode text columns first."
            )
    if arr.dtype.kind == "O" and any(map(_missing, arr.flat)):  # (astype makes None NaN)
        where, v = next((i, v) for i, v in np.ndenumerate(arr) if _missing(v))
        what = _missing(v)
        raise ValueError(
            f"{owner}: {name} holds {what} (a missing value) at index {where}; fill it in "
            "(impute, e.g. with its column's mean) or drop the row."
        )
    if arr.dtype.kind == "O" and dtype is None and arr.size:  # (a y of ints: as int64 y)
        typed = np.array(arr.tolist()) if isinstance(arr.flat[0], (int, np.integer)) else arr
        arr = typed if typed.dtype.kind in "iu" and typed.shape == arr.shape else arr
    if arr.dtype.kind == "O" and dtype is not None and not hasattr(given, "dtypes"):
        found = inexact_cell(arr, dtype)  # (a DataFrame's or Series': exact_columns')
        if found is not None:
            at = tuple(int(i) for i in np.unravel_index(found[0], arr.shape))
            raise exact_error(owner, name, found[1], at, dtype, "the model's", _EXACT_FIX)
    if arr.dtype.kind not in "biuf":
        try:
            arr = arr.astype(np.float64)
        except (ValueError, TypeError) as e:
            raise ValueError(
                f"{owner}: {name} must be numeric. Got dtype {arr.dtype}; "
                "encode text columns first."
            ) from e
    if arr.ndim not in ndim:
        raise ValueError(
            f"{owner}: {name} must have {' or '.join(map(str, ndim))} dimensions. "
            f"Got shape {arr.shape}."
            + (f" Reshape a single feature with {one}." if arr.ndim == 1 else "")
        )
    if not allow_empty and arr.size == 0:
        raise ValueError(
            f"{owner}: {name} has {arr.shape[0]} rows but 0 columns (shape {arr.shape}); pass at "
            f"least one {'feature' if name in ('X', 'validation_data[0]') else 'column'}."
            if arr.ndim == 2 and arr.shape[0]
            else f"{owner}: {name} is empty (shape {arr.shape}); pass at least one sample."
        )
    given = arr
    if dtype is not None:  # (a value beyond the dtype's range becomes inf: named below)
        with np.errstate(over="ignore"):
            arr = arr.astype(dtype, copy=False)
    bad = overflowed(given, arr)
    if bad is not None:
        raise ValueError(
            f"{owner}: {name} holds {given[bad].item()!r} at index {bad}, beyond the range "
            f"of {arr.dtype}, the model's dtype. {fix}"
        )
    check_exact(
        given, arr.dtype, name, owner, "Train a float64 model (dtype=gn.float64: exact up to "
        "2**53), or scale the column first (e.g. subtract its smallest value).",
    )  # fmt: skip
    if finite and arr.dtype.kind == "f" and not all_finite(arr):
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        raise ValueError(
            f"{owner}: {name} contains NaN or inf (first at index {bad}). "
            "Remove or impute those values."
        )
    if collapse:
        collapsed(given, arr, name, owner, collapse)
    return arr


COLLAPSED_FEATURES = (
    "Centre and scale the features (glassnet.preprocessing.StandardScaler, or subtract the "
    "column's mean), or train a float64 model (dtype=gn.float64, or model.double())."
)


def collapsed_targets(name: str) -> str:
    """What to do about targets ``name`` that a float32 cast made one value."""
    return (
        f"Centre and scale the targets (e.g. ({name} - {name}.mean()) / {name}.std(), and "
        "the predictions back), or train a float64 model (model.double())."
    )


def _missing(v: Any) -> str:
    """How a missing value of an object array is written ('None', 'pd.NA', 'pd.NaT'), or ''
    for another value."""
    if v is None:
        return "None"
    return {"NAType": "pd.NA", "NaTType": "pd.NaT"}.get(type(v).__name__, "")


def all_finite(arr: np.ndarray) -> bool:
    """Whether every value of the float array ``arr`` is finite: a sum is NaN or inf when
    any value is (a cheap first test that allocates no mask the size of X; a finite sum
    that overflowed falls through to the exact check); a small one's mask is cheaper."""
    if arr.size <= 4096:  # (errstate's context alone costs more: a loss's target per call)
        return bool(np.logical_and.reduce(np.isfinite(arr), axis=None))
    with np.errstate(over="ignore", invalid="ignore"):
        total = np.add.reduce(arr, axis=None)
    return bool(np.isfinite(total) or np.all(np.isfinite(arr)))


def collapsed(given: np.ndarray, cast: np.ndarray, name: str, owner: str, fix: str) -> None:
    """Warn where the cast of the float array ``given`` to ``cast``'s narrower float dtype
    (the model's) made a column's distinct values one value: targets of 1e9 plus a variation
    below float32's spacing there (64) become one target, in silence; a feature likewise
    becomes a constant column. A column is one of a 2-D array's (a 1-D array is one).

    Training data only (fit's and jit's features and targets), once a run, where the lost
    values are lost training signal; not at predict (the same loss, said on every call to
    someone who may not train), nor for sample weights (only their ratios matter). Distinct
    means a meaningful spread, max - min > 2**-40 * max|x| (4096 float64 spacings): a column
    equal up to float64 rounding, as (price * 1.1) / price, is one value already. Cost: the
    cast's columns equal at 9 spread rows are read on, a block of rows at a time, until they
    differ (one-hot data: within the first block); the float64 values of only those equal
    throughout (typically none). ``fix``: what to do, after it."""
    if given.dtype.kind != "f" or cast.dtype.itemsize >= given.dtype.itemsize or len(given) < 2:
        return
    flat = cast.reshape(len(cast), -1)
    rows = flat[np.linspace(0, len(flat) - 1, 9).astype(np.intp)]
    one = np.flatnonzero((rows == rows[0]).all(axis=0))  # (NaN: not one value)
    block = max(1024, (1 << 20) // flat.shape[1])  # (rows: a block of 1M values)
    for lo in range(0, len(flat), block):
        if not one.size:
            return
        one = one[(flat[lo : lo + block, one] == flat[0, one]).all(axis=0)]
    if not one.size:
        return
    col = given.reshape(len(given), -1)[:, one]  # (those columns, as given: one value too?)
    lo, hi = col.min(axis=0), col.max(axis=0)
    with np.errstate(over="ignore"):
        lost = np.flatnonzero(hi - lo > 2.0**-40 * np.maximum(abs(lo), abs(hi)))
    if not lost.size:
        return
    j, k = int(one[lost[0]]), int(lost[0])
    where = f" (column {j}{f' and {lost.size - 1} more' if lost.size > 1 else ''})"
    warnings.warn(
        f"{owner}: {name}{where if given.ndim == 2 else ''} holds distinct values, from "
        f"{float(lo[k])!r} to {float(hi[k])!r}, that all become {flat[0, j].item()!r} in "
        f"{cast.dtype}, the model's dtype: they differ by less than its spacing there "
        f"({float(np.spacing(flat[0, j])):.3g}), so the model sees one value. {fix}",
        UserWarning,
        stacklevel=user_level(),
    )


def overflowed(given: np.ndarray, cast: np.ndarray) -> tuple[int, ...] | None:
    """The first index where the cast of ``given`` to ``cast``'s float dtype made a finite
    value inf (beyond the dtype's range: NumPy's cast warns, no more); None where none did.
    The features' check and the targets' (:mod:`glassnet.tasks`) share it."""
    if cast.dtype.kind != "f" or all_finite(cast):
        return None
    over = ~np.isfinite(cast) & np.isfinite(given)
    return tuple(int(i) for i in np.argwhere(over)[0]) if over.any() else None


_EXACT_FIX = (
    "Train a float64 model (dtype=gn.float64: exact up to 2**53), or scale the column first "
    "(e.g. subtract its smallest value)."
)
_EXACT_FIX64 = (
    "Scale the column first (e.g. subtract its smallest value), or, for an ID, drop it or "
    "encode it as categories (float64, exact up to 2**53, is the widest float)."
)


def exact_columns(
    value: Any, dtype: Any, name: str, owner: str, fix: str = _EXACT_FIX, what: str = "the model's"
) -> None:
    """Refuse a whole number of an integer or decimal column of the DataFrame or Series
    ``value`` that ``dtype`` (a float dtype; None: float64 where the columns read as one
    float block) cannot hold exactly: pandas converts a frame of int and float columns as
    one float64 block first, so the check of the converted array (:func:`check_exact`)
    never sees the int column's number; a decimal (Arrow's big integer) is read as float64.
    The column is named, with the message :func:`check_exact` gives. Not for arrays."""
    dtypes = getattr(value, "dtypes", None)
    if dtypes is None or not hasattr(value, "to_numpy"):
        return
    kinds = list(dtypes) if hasattr(dtypes, "items") else [dtypes]
    numpy = [getattr(t, "numpy_dtype", t) for t in kinds]  # (Int64's int64; decimal: object)
    ints = [isinstance(t, np.dtype) and t.kind in "iu" for t in numpy]
    if dtype is None and all(ints):
        return  # (an int block stays int: the array's own check sees it)
    given_none = dtype is None  # (object columns: checked for a model's dtype alone)
    dtype = np.dtype(np.float64 if dtype is None else dtype)
    if dtype.kind != "f":
        return
    limit = 2 ** (np.finfo(dtype).nmant + 1)  # (every whole number up to it is exact)
    framed = hasattr(dtypes, "items")
    for j, t in enumerate(numpy):
        pa_type = getattr(kinds[j], "pyarrow_dtype", None)
        decimal = pa_type is not None and "decimal" in str(pa_type)
        category = type(t).__name__ == "CategoricalDtype"  # (a Series': read as its ints)
        objects = not decimal and (
            (isinstance(t, np.dtype) and t.kind == "O" and not given_none)
            or (category and (framed or not given_none))  # (Python's ints, read as float64)
        )
        if not (decimal or ints[j] or objects):
            continue  # (a float column: read as it is; no column taken out of the frame)
        col = value.iloc[:, j] if framed else value
        if objects and category:  # (its categories, once: not cell by cell)
            cats = t.categories
            found = None if cats.dtype.kind == "f" else inexact_cell(cats.to_numpy(object), dtype)
            if found is None:
                continue
            i, given = int(np.flatnonzero(col.cat.codes.to_numpy() == found[0])[0]), found[1]
        elif objects:
            found = inexact_cell(col.to_numpy(dtype=object), dtype)
            if found is None:
                continue
            i, given = found
        elif decimal:
            cells = col.to_numpy(dtype=object)
            with np.errstate(over="ignore"):
                floats = np.abs(col.to_numpy(dtype=np.float64, na_value=0.0))
            if not floats.size or floats.max() < limit:
                continue  # (a number below the limit is exact, a fraction too)
            whole = [i for i, v in enumerate(cells) if v is not None and v == v.to_integral_value()]
            off = [i for i in whole if _became(dtype, int(cells[i])) != int(cells[i])]
            if not off:
                continue
            i, given = off[0], int(cells[off[0]])
        elif isinstance(t, np.dtype) and t.kind in "iu":
            arr = col.to_numpy(dtype=t, na_value=0) if t != getattr(col, "dtype", t) else (
                col.to_numpy())  # fmt: skip
            if not arr.size or (-limit <= arr.min() and arr.max() <= limit):
                continue
            with np.errstate(invalid="ignore"):  # (2**64 - 1 rounds to 2**64: no uint64)
                offs = np.flatnonzero(arr.astype(dtype).astype(t) != arr)
            if not offs.size:
                continue
            i, given = int(offs[0]), int(arr[offs[0]])
        else:
            continue
        at = (i, j) if framed else (i,)
        column = value.columns[j] if framed else None
        how = "the columns' shared" if given_none else what  # (no model's dtype given)
        raise exact_error(owner, name, given, at, dtype, how, fix, column)


def _became(dtype: np.dtype, v: int) -> Any:
    """The whole number ``v`` as the float ``dtype`` holds it, as an int ('inf' beyond it)."""
    with np.errstate(over="ignore"):
        try:
            f = dtype.type(v)
        except OverflowError:  # (beyond float64: Python's int to float)
            return "inf"
    return int(f) if np.isfinite(f) else "inf"


def check_finite(who: str, y: Any) -> Any:
    """``y``, a target of ``who``'s; refused where it holds NaN or inf. PyTorch returns a NaN
    (or inf) loss there, and the next optimizer step writes NaN into every weight; glassnet's
    rule, never a silent NaN, wins, as fit refuses such a y (:func:`all_finite`: one sum)."""
    if not all_finite(y):
        at = tuple(int(i) for i in np.argwhere(~np.isfinite(y))[0])
        raise ValueError(
            f"{who}: the target contains NaN or inf (first at index {at}), which would make the "
            "loss and then every weight NaN. Remove or impute those values, or leave those "
            "entries out of the loss: m = np.isfinite(y), then the loss of (output[m], y[m])."
        )
    return y


def check_weights(who: str, arg: str, w: Any) -> Any:
    """``w``, the weights ``arg`` of the loss ``who`` (sample_weight, a class ``weight``,
    ``pos_weight``); refused where one is NaN, inf or negative. PyTorch takes a negative
    weight in silence, and the loss then rewards that sample's (class's) error: the step
    ascends on it; glassnet takes it for the mistake it is. One min and one max. Text and
    bools are refused too (True is no weight), as the loss modules' own checks word it;
    real numbers held as objects (an object column's values, Decimals) are taken as floats."""
    odd = w.flat[0] if w.size else w  # (shown where w is refused: no real number)
    if w.dtype.kind == "O":
        real = (numbers.Real, decimal.Decimal)
        at = [i for i, e in enumerate(w.flat) if isinstance(e, bool) or not isinstance(e, real)]
        odd = w.flat[at[0]] if at else odd
        try:
            w = w if at else w.astype(np.float64)
        except (OverflowError, ValueError):  # (an int beyond float64, Decimal('sNaN'))
            for i in range(w.size):  # (the first with no float value)
                try:
                    float(e := w.flat[i])
                except (OverflowError, ValueError):
                    break
            raise ValueError(
                f"{who}: {arg} must hold finite weights >= 0. Got {shown(e, 40)} at index "
                f"{tuple(map(int, np.unravel_index(i, w.shape)))}, beyond the range of float64 "
                "(largest 1.798e+308) or a signalling NaN: no weight. Pass weights >= 0 (0 "
                "leaves a sample or class out)."
            ) from None
    if w.dtype.kind == "b" or isinstance(odd, (bool, np.bool_)):
        raise TypeError(
            f"{who}: '{arg}' holds bools, not weights (PyTorch refuses weight=True; glassnet a "
            f"bool array too: True is no weight). Pass numbers, e.g. {arg}=np.array([1.0, "
            "0.0]), or leave it out."
        )
    if w.dtype.kind not in "iuf":
        raise ValueError(
            f"{who}: {arg} must be numeric. It holds {w.dtype} values, e.g. "
            f"{shown(odd, 40)}: pass real numbers "
            f"(np.asarray({arg}, dtype=float) for numbers written as text)."
        )
    if w.size and not (w.min() >= 0 and w.max() < np.inf):  # (NaN fails both)
        at = tuple(int(i) for i in np.argwhere(~((w >= 0) & (w < np.inf)))[0])
        raise ValueError(
            f"{who}: {arg} must hold finite weights >= 0. Got {w[at]} at index {at}: a "
            "negative weight would reward that error (the step ascends on it), NaN or inf "
            "make the loss NaN or inf. Pass weights >= 0 (0 leaves a sample or class out)."
        )
    return w


_LIMITS: dict[Any, float] = {}
"""check_fits' table: a dtype (as given: np.float32, 'float32', a np.dtype) to its largest
finite value as a Python float (inf beyond float64: a longdouble holds any float; 0.0 for a
dtype that is not a float)."""


def _limit(dtype: Any) -> float:
    """The largest finite value of a float ``dtype`` (0.0 for another dtype), remembered."""
    dt = np.dtype(dtype)
    lim = 0.0 if dt.kind != "f" else math.inf if dt.itemsize > 8 else float(np.finfo(dt).max)
    _LIMITS[dtype] = _LIMITS[dt] = lim
    return lim


def _overflows(e: Any, dtype: np.dtype, lim: float) -> bool:
    """Whether the number ``e`` would be stored as inf in the float ``dtype`` (of largest
    value ``lim``) though it is finite: an int or a Decimal beyond float64's range, a
    longdouble beyond ``lim``, a float beyond ``lim`` that NumPy's rounding takes to inf
    (3.40282357e38 rounds to float32's largest, and is kept)."""
    if isinstance(e, (str, bytes)):
        return False  # (no number: the write says why)
    try:
        with np.errstate(over="ignore"):
            f = float(e)
    except OverflowError:  # (an int, a Fraction beyond float64's range)
        return True
    except (TypeError, ValueError):  # (no number: the write says why)
        return False
    if f != f or not abs(f) > lim:
        return False
    if math.isinf(f):  # inf given (kept), or a finite value beyond float64's range (in a
        with decimal.localcontext():  # context of its own: a Decimal compared with a float
            return bool(f != e)  # flags FloatOperation, which the caller's must not get)
    with np.errstate(over="ignore"):
        return bool(np.isinf(np.float64(f).astype(dtype)))


def _first_beyond(given: np.ndarray, dtype: np.dtype, lim: float) -> tuple[int, ...] | None:
    """The first index of ``given`` (an array of numbers) whose finite value would be
    stored as inf in the float ``dtype``; None where none would."""
    if given.dtype.kind == "O":  # (Decimals, ints beyond int64: one by one)
        for i, e in enumerate(given.flat):
            if _overflows(e, dtype, lim):
                return tuple(int(k) for k in np.unravel_index(i, given.shape))
        return None
    wide = given.astype(np.float64) if given.dtype.kind != "f" else given
    with np.errstate(over="ignore"):
        return overflowed(wide, wide.astype(dtype))


def _number(e: Any) -> str:
    """A number for check_fits' message: an int to 4 digits (10**400 too), else its repr."""
    if isinstance(e, (int, np.integer)) and not isinstance(e, bool):
        return format(decimal.Decimal(int(e)), ".4g")
    return shown(e, 40)


_HIDDEN = "whose hidden values would be written: fill them first (a.filled(value))"
_NARROW = frozenset((np.float16, np.float32))  # (check_fits compares them as Python floats)


def _no_missing_or_dates(given: np.ndarray, name: str, what: str) -> None:
    """Refuse an object array ``given`` (a value written into a tensor) that holds a date
    or a duration (:func:`dates_error`), or pandas' pd.NA, as a Tensor's data is refused."""
    found = time_cell(given)
    if found is not None:
        raise dates_error(name, what, given.dtype, cell=found[1])
    na = next((i for i, e in enumerate(given.flat) if type(e).__name__ == "NAType"), None)
    if na is not None:
        at = tuple(int(k) for k in np.unravel_index(na, given.shape))
        raise ValueError(
            f"{what}: {name} {'holds' if at else 'is'} pd.NA (a missing value)"
            f"{f' at index {at}' if at else ''}: fill it in (impute, e.g. with its column's "
            "mean), or write float('nan') where NaN is meant."
        )


def check_fits(value: Any, dtype: Any, what: str, name: str = "the value", fix: str = "") -> None:
    """Refuse writing ``value`` (a number, an array, a Tensor's values) into a tensor of the
    float ``dtype`` when a finite value of it would become inf there (beyond float32's
    range, 3.4e38): a ValueError naming ``what`` (the call), ``name``, the value and the
    dtype. inf, -inf and NaN given are kept. PyTorch refuses such a Python number
    (``x.fill_(1e300)``) but stores inf from a tensor (``x.copy_(src)``); glassnet refuses
    both. Near free where nothing is refused: a number is compared with the dtype's largest
    value; an array is looked at only where its dtype's range exceeds ``dtype``'s (float64
    into float32: its sum of squares, one pass, bounds every value), and the message is
    written only for a refusal. A complex value is refused (PyTorch's "cannot be converted"),
    and a masked array with masked cells (:func:`unmasked`). ``fix``: what the message
    offers in place of the conversion of the tensor to float64."""
    lim = _LIMITS.get(dtype)
    if lim is None:
        lim = _limit(dtype)
    if not lim:
        return  # (an integer dtype: NumPy's write says what it does)
    v = value
    if isinstance(v, (float, int, np.floating, np.integer)):  # (a bool fits)
        if type(v) in _NARROW:  # (NumPy would compare in its dtype: float32's largest as inf)
            v = float(v)
        try:
            inside = -lim <= v <= lim
        except TypeError:  # (np.timedelta64, an integer to NumPy)
            raise dates_error(name, what, v.dtype) from None
        if inside or v != v or not _overflows(v, np.dtype(dtype), lim):
            return
        bad: tuple[int, ...] | None = ()
        shown = _number(v)
    else:
        if isinstance(v, np.ndarray):
            pass
        elif hasattr(v, "backward_fn") and hasattr(v, "data"):
            v = v.data
        elif hasattr(v, "to_numpy") and hasattr(v, "dtypes"):  # (pandas: NumPy reads pd.NA
            v = tensor_data(v, what, name)  # as NaN, a date as a count: refused as gn.tensor)
        try:
            given = np.asarray(unmasked(v, name, what, _HIDDEN))
        except (TypeError, ValueError):  # (a CuPy array, or no array: the write says why)
            if isinstance(v, np.ma.MaskedArray):
                raise
            return
        kind = given.dtype.kind
        if kind == "c":
            raise TypeError(
                f"{what}: {name} is complex ({given.dtype}), which a real tensor cannot hold "
                "(its imaginary part would be dropped; PyTorch refuses it too): write its "
                "real part, .real, or abs(value) if the modulus is meant."
            )
        if kind == "f":
            wide = _LIMITS.get(given.dtype)
            if (wide or _limit(given.dtype)) <= lim or not given.size:
                return
            if given.dtype == np.float64 and np.vdot(given, given) <= lim * lim * (1 - 1e-6):
                return  # (every |value| <= the root of the sum of squares, below lim)
        elif kind in "iu":
            if lim > 1.9e19:  # (above uint64's largest: any integer array fits)
                return
        elif kind != "O":
            if kind in "Mm":  # (a cast would write days or microseconds)
                raise dates_error(name, what, given.dtype)
            return  # (bools fit; text: the write says why)
        else:
            _no_missing_or_dates(given, name, what)
        bad = _first_beyond(given, np.dtype(dtype), lim)
        if bad is None:
            return
        shown = _number(given[bad].item() if given.dtype.kind != "O" else given[bad])
    where = f" at index {bad}" if bad else ""
    dt = np.dtype(dtype)
    wider = " or convert the tensor to float64 first (x.double())." if dt.itemsize < 8 else ""
    wider = fix or wider
    raise ValueError(
        f"{what}: {name} {'holds' if bad else 'is'} {shown}{where}, beyond the range of "
        f"{dt} (largest {lim:.4g}), the tensor's dtype: it would be stored as inf. Give a "
        f"value within +-{lim:.4g}, float('inf') or float('-inf') if infinity is meant (a "
        f"mask's -inf){',' + wider if wider else '.'}"
    )


def data_error(arr: np.ndarray, owner: str = "Tensor") -> TypeError:
    """The refusal of Tensor data ``arr`` that is not of real numbers a Tensor holds: complex,
    a longdouble (float32 or float64 only), whole numbers past int64 (NumPy's object array),
    anything else. ``owner``: "Tensor", or the name of the op whose other operand ``arr`` is
    ("add": "add: the other operand ..."; "where: b" as it is), the words built here, only
    when refusing (never on the path of an operand that is taken)."""
    dt, who = arr.dtype, "Tensor data" if owner == "Tensor" else owner
    who = SEED if owner == "backward" else who
    who = f"{owner}: the other operand" if owner.isidentifier() and who == owner else who
    if dt.kind == "c":
        return refusal("real", f"{who} must be real numbers (take .real first). Got dtype {dt}.")
    if dt.kind == "f":
        return TypeError(
            f"{owner}: data has dtype {dt} (longdouble); glassnet tensors hold float32 or "
            f"float64 only, as PyTorch refuses a longdouble array: pass data.astype(np.float64)"
            f" (or dtype=gn.float64), checking that float64 keeps what you need of it."
        )
    if dt.kind == "O":
        big = next((v for v in arr.flat if type(v) is int and abs(v) >= 2**63), None)
        if big is not None:
            shown = format(decimal.Decimal(big), ".4g")
            fix = "Pass float(v) if a rounded float is meant, or keep"
            past = " (a float keeps about 16 of its digits)"
            if abs(big) >= 2**1024:
                fix, past = (
                    "Scale it into that range, or keep",
                    ", and past float64's range (1.8e308)",
                )
            return TypeError(
                f"{owner}: data holds the whole number {shown}, too large for int64{past}. "
                f"{fix} such integers (IDs, keys) out of the tensor, as Python ints."
            )
        kinds = {type(v).__module__ + "." + type(v).__name__ for v in arr.flat[:8]}
        if "glassnet.micrograd.engine.Value" in kinds:  # (t * v: the Tensor's op runs first)
            return TypeError(
                f"{owner}: a glassnet.micrograd Value in a Tensor's op. Use v.tensor (its 0-d "
                f"float64 node, the gradient flowing back to v) or v.data (its number), or put "
                f"the Value first (v * t)."
            )
        if any(isinstance(v, decimal.Decimal) for v in arr.flat[:8]):  # (a number NumPy can't)
            return refusal(
                "decimal",
                f"{who}: a decimal.Decimal is not supported (glassnet tensors hold float32 or "
                f"float64, and gn.tensor refuses a Decimal). Pass float(d), or an array of floats.",
            )
    if owner != "Tensor":  # (an op's operand, "add: the other operand": what was given)
        given = arr.item() if arr.ndim == 0 else arr
        return TypeError(f"{who} must be a number or an array of numbers. Got {given!r:.60}.")
    return refusal("numbers", f"{owner} data must be numbers. Got dtype {dt}.")


def refusal(kind: str, text: str) -> TypeError:
    """A TypeError of :func:`data_error` marked with what it refused (``kind``: "numbers",
    "real", "decimal"), which :func:`refused` reads: callers that retell it in their own
    words tell the kinds apart by the mark, not by the words."""
    e = TypeError(text)
    e.refused = kind  # type: ignore[attr-defined]
    return e


def refused(e: BaseException, *kinds: str) -> bool:
    """Whether ``e`` is :func:`data_error`'s refusal of one of ``kinds``."""
    return getattr(e, "refused", None) in kinds


def operand_error(e: TypeError, op: str, value: Any) -> TypeError:
    """``e``, a Tensor's refusal of ``value`` as data not of numbers, retold as the refusal
    of ``op``'s operand (:func:`data_error`'s words, ``op`` "add" or "where: b"); another
    error as it is. For the callers that make ``value`` a Tensor (``t.add(None)``)."""
    if not refused(e, "numbers", "real", "decimal"):
        return e
    return data_error(np.asarray(value), op)


_F64, _F32_MAX = np.dtype(np.float64), float(np.finfo(np.float32).max)
_F32_SQUARED = _F32_MAX**2 * (1 - 1e-6)


def cast_fits(arr: np.ndarray, dtype: Any, copy: bool = True, owner: str = "Tensor") -> np.ndarray:
    """``arr`` (of numbers) as a Tensor's ``dtype``, a finite value beyond its range refused
    (:func:`check_fits`: ``gn.tensor([1e300])`` in float32 is not inf), as ``gn.full`` and
    ``new_tensor`` refuse it. Only a wider float is looked at: a float64 number compared
    with float32's largest, an array by its sum of squares first (one pass), value by
    value only where that is large. ``owner``: "Tensor" (its data), or "backward" (the
    gradient seed of ``Tensor.backward``, which ``autograd.grad`` passes on)."""
    dt = arr.dtype
    if dt is _F64 and not arr.ndim:  # (Tensor(0.5), x + 0.5's operand: the common case)
        if -_F32_MAX <= arr.item() <= _F32_MAX or dtype != np.float32:
            return arr.astype(dtype, copy=copy)
    elif dt.kind != "f" or dt.itemsize <= np.dtype(dtype).itemsize:
        return arr.astype(dtype, copy=copy)
    elif dt is _F64 and np.vdot(arr, arr) <= _F32_SQUARED:
        return arr.astype(dtype, copy=copy)
    given = arr.item() if not arr.ndim else arr
    if owner == "backward":  # (the seed: named as given, not as a Tensor's data)
        check_fits(given, dtype, "backward", SEED, _FIX_SEED)
    check_fits(given, dtype, "Tensor", "data", _FIX_DTYPE)
    return arr.astype(dtype, copy=copy)


_FIX_DTYPE = " or pass dtype=gn.float64 (gn.tensor(data, dtype=gn.float64))."
#: the gradient seed, as refusals name it (Tensor.backward's, autograd.grad's grad_outputs)
SEED = "the gradient seed (backward's gradient=, or grad_outputs= of glassnet.autograd.grad)"
_FIX_SEED = (
    " or compute the output in float64 (the model or the inputs as float64: model.double(),"
    " x.double()), whose seed then fits."
)


def torch_keys_hint(state: Any, like: Any) -> str:
    """What ``load_state_dict``'s refusal adds where ``state``'s keys look like a PyTorch
    state_dict's (a ``weight`` that ``like``, the module's own names, lacks; none of
    glassnet's ``W``/``b``): the loader that maps PyTorch's weight (out, in) to W (in, out)."""
    keys = [k for k in state if isinstance(k, str)]
    inner = [k for k in keys if isinstance(state[k], Mapping) and set(state[k]) & set(like)]
    if inner and not set(keys) & set(like):  # (a whole checkpoint: ck['model_state_dict'])
        return (
            f" It is a dict that holds a model's state dict under {inner[0]!r} (a whole "
            f"checkpoint): pass that one, model.load_state_dict(ck[{inner[0]!r}]), ck the "
            "dict given."
        )
    torch_keys = [k for k in keys if k.split(".")[-1] == "weight" and k not in like]
    if not torch_keys or any(k.split(".")[-1] in ("W", "b") for k in keys):
        return ""  # (glassnet's own, of a LayerNorm's weight too)
    return (
        f" The keys look like a PyTorch state_dict's ({torch_keys[0]!r}: PyTorch's weight is "
        "glassnet's W transposed): load it with glassnet.io.load_torch_state_dict(model, "
        "torch_state_dict), which maps weight (out, in) to W (in, out)."
    )


def check_trace(record: list[dict], loss: Any, weights: list, dtype: Any) -> None:
    """``FastMLP.trace``'s refusal of a pass that made NaN or inf: names the first value made
    (forward, then backward from the output layer), and its cause: weights that are not
    finite (training diverged), else a pass that overflows ``dtype``."""
    bad = [(i, k) for i, r in enumerate(record) for k in r if not np.isfinite(r[k]).all()]
    bad.sort(key=lambda b: (b[1][0] == "d", -b[0] if b[1][0] == "d" else b[0]))  # first made
    if bad or (loss is not None and not np.isfinite(loss)):
        what = f"layer {bad[0][0] + 1}'s {bad[0][1]}" if bad else "the loss"
        wider = ", or trace with dtype=np.float64" if dtype != np.float64 else ""
        why = (
            "the network's weights are not finite (has training diverged?)"
            if not all(np.isfinite(w).all() for w in weights)
            else f"the pass overflows {dtype}: scale X (e.g. glassnet.preprocessing."
            f"StandardScaler){wider}"
        )
        raise ValueError(f"FastMLP.trace: {what} holds NaN or inf: {why}.")


_DEFAULT_RNG = [np.random.default_rng()]
"""The generator behind ``seed=None`` (one stream, like PyTorch's default generator)."""


def manual_seed(seed: int) -> np.random.Generator:
    """Seed glassnet's default generator, which every ``seed=None`` / ``rng=None`` draws
    from (initial weights, dropout, shuffles), as PyTorch's ``torch.manual_seed``; returns
    it. An explicit seed or Generator, the reproducible choice, is not affected.

    >>> import glassnet as gn
    >>> gen = gn.manual_seed(0)
    >>> a = gn.nn.Linear(2, 2).W.data
    >>> gen = gn.manual_seed(0)
    >>> bool((gn.nn.Linear(2, 2).W.data == a).all())
    True
    """
    if isinstance(seed, (bool, np.bool_)) or not isinstance(
        seed, (int, np.integer, np.random.Generator)
    ):  # (None: as_rng's current generator, a no-op; PyTorch refuses it too)
        unset = ": an unset seed? Pass one, or leave manual_seed out for fresh randomness"
        raise ParameterError(
            f"The 'seed' parameter of manual_seed must be an int >= 0 (or a "
            f"numpy.random.Generator). Got {shown(seed, 60)} of type {type(seed).__name__}"
            f"{unset if seed is None else ''}."
        )
    _DEFAULT_RNG[0] = as_rng(seed, "manual_seed")
    return _DEFAULT_RNG[0]


def check_float_dtype(dtype: Any, owner: str, name: str = "dtype", default: Any = None) -> np.dtype:
    """``dtype`` as a NumPy dtype if it is float32 or float64 (given as a NumPy dtype, its
    name, or PyTorch's ``torch.float64``), else
    ``The 'dtype' parameter of MLP must be float32 or float64. Got 'int64'.``
    ``default``: the dtype that ``None`` stands for (a layer's: the default dtype, as
    PyTorch's ``set_default_dtype`` reaches ``nn.Linear``); without it None is refused."""
    if dtype is None and default is not None:
        return np.dtype(default)
    try:  # (None without a default refused: NumPy reads np.dtype(None) as float64)
        dt = (
            None
            if dtype is None
            else np.dtype(str(dtype).removeprefix("torch.") if "torch." in str(dtype) else dtype)
        )
    except TypeError:
        dt = None
    if dt not in (np.float32, np.float64):
        half = " (glassnet computes in float32 or float64; no half precision)"
        got = shown(dtype if dt is None or isinstance(dtype, str) else dt.name)  # (not a class)
        got += half if dt is not None and dt.kind == "f" else ""
        raise ParameterError(
            f"The {name!r} parameter of {owner} must be float32 or float64. Got {got}."
        )
    return dt


def _kin(cls: type | None, kind: Any) -> bool:
    """Whether a state saved from class ``kind`` (a name) loads into ``cls``, as PyTorch's
    state dicts (which name no type) load: ``kind`` is a base of ``cls`` or derived from it
    by a class of the user's (``LoggedSGD(SGD)`` either way), never one of glassnet's own
    (AdamW's rules are not Adam's)."""
    if cls is None:
        return False
    base, mine = _own_base(cls), [c.__name__ for c in cls.__mro__]
    below = [*cls.__subclasses__()]
    for sub in below:
        below += sub.__subclasses__()
    return kind in mine[: mine.index(base.__name__) + 1] or any(
        c.__name__ == kind and _own_base(c) is base
        for c in below  # (a user's, on one base)
    )


def _own_base(cls: type) -> type:
    """The first of glassnet's own classes in ``cls.__mro__`` (``cls`` itself for one of
    glassnet's): what a user's subclass steps like (``MyAdamW(AdamW)``: AdamW, not Adam)."""
    return next((c for c in cls.__mro__ if c.__module__.startswith("glassnet.")), object)


def check_state_dict(
    state: Any, owner: str | type, expected: Sequence[str], *, partial: bool = False
) -> None:
    """``state`` a dict returned by ``owner.state_dict()`` (its ``"type"``, when
    ``expected`` lists one, is ``owner``'s, or where ``owner`` is the class, a base's or a
    subclass's of the user's), with exactly the ``expected`` keys (at least them with
    ``partial``); else an error that says what differs."""
    cls, owner = (owner, owner.__name__) if isinstance(owner, type) else (None, owner)
    if not isinstance(state, Mapping):
        arrays = isinstance(state, tuple) and state and isinstance(state[0], dict)
        arrays = arrays and "type" not in expected  # (a model's: an optimizer's names its type)
        raise TypeError(
            f"{owner}.load_state_dict expects the dict returned by state_dict(). "
            f"Got {type(state).__name__}"
            + (", as glassnet.io.load_arrays(path) returns (arrays, meta). Pass "
               "load_arrays(path)[0], or call glassnet.io.load_weights(model, path)."
               if arrays else ".")
        )  # fmt: skip
    if (
        "type" in expected
        and state.get("type", owner) != owner
        and not _kin(cls, kind := state["type"])
    ):
        raise ValueError(
            f"This state dict was saved from {kind!r}, not {owner} (nor a class {owner} "
            f"derives from, or one of yours derived from it); load it into an instance of "
            f"{kind} (built with the same parameters) instead."
        )
    missing = sorted(set(expected) - set(state))
    extra = [] if partial else sorted(set(state) - set(expected))
    if missing or extra:
        parts = [f"{w} keys {k}" for w, k in (("missing", missing), ("unexpected", extra)) if k]
        raise ValueError(
            f"{owner}.load_state_dict got a state dict with {' and '.join(parts)}; "
            f"pass the dict returned by {owner}.state_dict() with the same settings."
        )


def _one_value(exc: ParameterError, value: Any, name: str, owner: str, bounds: dict) -> str:
    """check_setting's message for a one-value array or tensor given for a number (a 0-d
    Tensor lr, as PyTorch keeps): ``exc``'s, then that it is not read as a number, and the
    fix, ``float(lr)`` or ``int(max_iter.item())``, where its value is in range; else that
    its value is not in range either. Any other value (a bool, NumPy's too): ``exc``'s
    message as it is."""
    told = str(exc)
    if getattr(value, "ndim", None) != 0 or isinstance(value, (numbers.Real, np.bool_)):
        return told
    try:
        item = value.item()
    except Exception:  # (no .item(): the message as it is)
        return told
    if isinstance(item, (bool, np.bool_)) or not isinstance(item, numbers.Real):
        return told
    kind = type(value).__name__
    torch_like = " (PyTorch keeps a Tensor {name} as it is; glassnet reads numbers)"
    article = "an" if kind[0] in "aeiou" or kind == "ndarray" else "a"
    said = (
        f"{told[:-1]}: {article} {kind} is not taken as a number"
        f"{torch_like.format(name=name) if kind == 'Tensor' else ''}"
    )
    integer = bounds.get("integer", False)
    try:
        check_number(item, name, owner, **bounds)
    except ParameterError:
        if integer and float(item).is_integer():
            with contextlib.suppress(ParameterError, OverflowError, ValueError):
                check_number(int(item), name, owner, **bounds)
                return f"{said}: pass int({name}.item())."
        want = told.split(" must be ", 1)[1].split(". Got ", 1)[0]
        return f"{said}, and its value, {item:.8g}, is not {want} either."
    return f"{said}: pass {f'int({name}.item())' if integer else f'float({name}) ({name}.item())'}."


def check_setting(value: Any, name: str, owner: str, rule: Any) -> Any:
    """``value`` checked by ``rule``, a declarative description of a setting (one table
    of rules per class, e.g. :mod:`glassnet.optim`'s): ``bool`` (:func:`check_bool`), a
    tuple of strings (:func:`check_choice`), or a dict of :func:`check_number`'s bounds,
    with ``"pair": True`` for a pair of such floats, returned as a tuple
    (``The 'betas' parameter of Adam must be a pair of floats in [0, 1). Got (0.9,).``)."""
    if rule is bool:
        return check_bool(value, name, owner)
    if isinstance(rule, tuple):
        return check_choice(value, name, owner, rule)
    bounds = {k: v for k, v in rule.items() if k != "pair"}
    if not rule.get("pair"):
        try:
            return check_number(value, name, owner, **bounds)
        except ParameterError as exc:  # (a one-value tensor, as PyTorch's Tensor lr: say how)
            exc.args = (_one_value(exc, value, name, owner, bounds),)
            raise
    try:
        first, second = (check_number(v, name, owner, **bounds) for v in value)
    except (TypeError, ValueError):
        interval = _interval(
            bounds.get("low"),
            bounds.get("high"),
            bounds.get("low_open", False),
            bounds.get("high_open", False),
        )
        raise ParameterError(
            f"The {name!r} parameter of {owner} must be a pair of floats {interval}. "
            f"Got {shown(value)}."
        ) from None
    return first, second


_INIT_NUMBERS = {"std": {"low": 0}, "mean": {}, "low": {}, "high": {}, "gain": {"low": 0}}
_INIT_NUMBERS["value"] = {}  # (gain >= 0: PyTorch's xavier refuses the negative std it makes)


def checked_initializer(f: Callable[..., Any]) -> Callable[..., Any]:
    """``f``, a shape-taking initializer of :mod:`glassnet.nn.init` (``f(shape, rng, dtype,
    ...)``), with its arguments checked first, as its in-place twin's (``normal_``) and
    Linear's are: ``shape`` a tuple of ints >= 0 (an int n read as (n,)), with inputs
    (``shape[0]``, the fan in) for He's laws and a fan for Xavier's; ``dtype`` float32 or
    float64; ``std`` >= 0, ``low`` <= ``high``, the other numbers real. A ParameterError
    names them, not NumPy's error from inside (``float division by zero``)."""
    sig, owner = inspect.signature(f), f"nn.init.{f.__name__}"
    fan = {"he": "shape[0] (the inputs, the fan in)", "xa": "shape[0] + shape[-1] (the fans)"}
    fan_rule = fan.get(f.__name__[:2])

    @functools.wraps(f)
    def initializer(*args: Any, **kwargs: Any) -> Any:
        bound = sig.bind(*args, **kwargs)
        bound.apply_defaults()
        a = bound.arguments
        shape = (a["shape"],) if isinstance(a["shape"], (int, np.integer)) else a["shape"]
        if isinstance(shape, np.ndarray) and shape.ndim == 1 and shape.dtype.kind in "iu":
            shape = shape.tolist()  # (x.shape of an array, np.array([2, 3]): taken, as before)
        ok = isinstance(shape, (tuple, list)) and all(
            isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 0 for n in shape
        )
        fans = (shape[0] if f.__name__[:2] == "he" else shape[0] + shape[-1]) if ok and shape else 0
        if not ok or (fan_rule and fans <= 0):
            need = f"; {fan_rule} must be > 0" if ok and fan_rule else ""
            raise ParameterError(
                f"The 'shape' parameter of {owner} must be a tuple of ints >= 0, such as "
                f"(inputs, neurons){need}. Got {shown(a['shape'], 80)}."
            )
        a["shape"] = tuple(int(n) for n in shape)
        a["dtype"] = check_float_dtype(a["dtype"], owner)
        for name in _INIT_NUMBERS.keys() & a.keys():
            a[name] = check_setting(a[name], name, owner, _INIT_NUMBERS[name])
        if "low" in a and a["low"] > a["high"]:
            raise ParameterError(
                f"{owner}: the lower bound low={a['low']} is above the upper bound "
                f"high={a['high']}."
            )
        return f(*bound.args, **bound.kwargs)

    return initializer


def check_name(name: Any, table: Mapping[str, Any], what: str, base: type | None = None) -> Any:
    """``table[name.lower()]`` (a class derived from ``base`` passes through), else
    ``Unknown optimizer 'adm'. Valid names: 'adam', 'sgd'.`` (a ValueError)."""
    if base is not None and isinstance(name, type) and issubclass(name, base):
        return name
    found = table.get(name.lower()) if isinstance(name, str) else None
    if found is None:
        valid = ", ".join(map(repr, sorted(table)))
        raise ParameterError(f"Unknown {what} {name!r}. Valid names: {valid}.")
    return found


TORCH_SWITCHES = {  # PyTorch's optimizer keywords glassnet has no setting for: the values
    # that change no number are taken, and each other value's refusal says what to write
    "foreach": (None, "NumPy has one kernel, so any value is taken"),
    "fused": (None, "glassnet updates flat buffers in place, so any value is taken"),
    "maximize": (False, "glassnet's optimizers minimize: step on the negated objective, "
                 "loss = -objective"),
    "capturable": (False, "for CUDA graphs glassnet has glassnet.capture (docs/gpu.md)"),
    "differentiable": (False, "glassnet's optimizers step outside the autodiff graph"),
    "decoupled_weight_decay": (False, "PyTorch's Adam with decoupled_weight_decay=True is "
                               "AdamW: write optim.AdamW(params, lr, weight_decay=...)"),
}  # fmt: skip


def torch_switches(owner: str, kw: dict[str, Any], taken: Container[str]) -> dict[str, Any]:
    """``kw`` without PyTorch's optimizer switches (``foreach``, ``fused``, ``maximize``,
    ``capturable``, ``differentiable``, ``decoupled_weight_decay``) that ``owner`` does not
    take itself (``taken``): those that change no number are dropped, the rest refused,
    naming what to write instead."""
    for name in [k for k in kw if k in TORCH_SWITCHES and k not in taken]:
        plain, why = TORCH_SWITCHES[name]
        if owner == "AdamW" and name == "decoupled_weight_decay":  # (not in PyTorch's AdamW)
            why = "AdamW's weight decay is decoupled already; leave the argument out"
        value = kw.pop(name)
        if plain is None and not (value is None or isinstance(value, (bool, np.bool_))):
            raise TypeError(f"{owner}(): {name} is True, False or None; got {value!r:.40}.")
        if plain is False and value not in (None, False):
            raise TypeError(f"{owner}(): {name}={value!r:.40} is not offered: {why}.")
    return kw


def init_signature(cls: type) -> inspect.Signature:
    """The signature of ``cls``'s constructor: the one its ``__init__`` carries
    (``__signature__``, as :mod:`glassnet.optim`'s constructors do), read without
    ``inspect.signature``'s search for it (a few us, twice an optimizer built from its name),
    else ``inspect.signature``'s."""
    sig = getattr(cls.__init__, "__signature__", None)
    return sig if isinstance(sig, inspect.Signature) else inspect.signature(cls.__init__)


def check_keywords(cls: type, kw: Mapping[str, Any], skip: int = 1) -> None:
    """Each keyword in ``kw`` one that ``cls``'s constructor takes (its first ``skip``
    arguments after ``self`` left out), else a TypeError that lists the ones it takes."""
    allowed = list(init_signature(cls).parameters)[1 + skip :]
    bad = sorted(set(kw) - set(allowed))
    if bad:
        raise TypeError(
            f"{cls.__name__} got unexpected keyword arguments {bad}; its settings are {allowed}."
        )


def _finite_as(arr: np.ndarray, dtype: np.dtype) -> bool:
    """Whether every value of ``arr`` is finite in ``dtype`` (1e300 is inf in float32)."""
    with np.errstate(over="ignore"):
        return bool(np.all(np.isfinite(arr.astype(dtype, copy=False))))


def _overflow(arr: np.ndarray, dtype: np.dtype) -> str:
    """Where a finite value of the float ``arr`` becomes inf as ``dtype`` (float64 into
    float32: 1e300), in words (``overflows float32 (|x| > 3.4e+38): 1e+300 at index
    (0,)``); '' where none does (looked at only for a wider float dtype)."""
    if arr.dtype.kind != "f" or arr.dtype.itemsize <= dtype.itemsize or dtype.kind != "f":
        return ""
    at = _first_beyond(arr, dtype, _limit(dtype))
    if at is None:
        return ""
    return f"overflows {dtype} (|x| > {_limit(dtype):.2g}): {_number(arr[at].item())} at index {at}"


def check_state_arrays(
    state: Mapping[str, Any],
    like: Mapping[str, np.ndarray],
    owner: str,
    *,
    same_dtype: bool = False,
    finite: bool = True,
    inf_ok: Container[str] = (),
    params: int | None = None,
) -> dict[str, np.ndarray]:
    """The arrays of ``state`` named in ``like`` (those present), as arrays, each of its
    ``like`` array's shape (and dtype with ``same_dtype``) and finite (unless ``finite`` is
    False; those named in ``inf_ok`` may hold inf and -inf, a causal mask's, but no NaN,
    and a value beyond ``like``'s dtype there becomes +-inf in the cast, as PyTorch's
    ``load_state_dict`` copies a buffer: float64's -1.8e308 into float32 is -inf);
    else one ValueError that lists every mismatch. Nothing is changed, so a failed load
    leaves its owner intact.

    ``params``: the arrays are an optimizer group's packed state buffers over that many
    parameters (``state["steps"]`` one count per parameter): a state saved over other
    parameters is refused in those terms, and each array is converted to its ``like``
    array's dtype, as PyTorch's ``Optimizer.load_state_dict`` casts the state to each
    parameter's dtype."""
    if params is not None:
        _check_optimizer_layout(state, like, owner, params)
    given, bad = {}, []
    for key in [k for k in like if k in state]:
        value, want = state[key], like[key]
        if isinstance(value, np.ma.MaskedArray) and (hidden := int(np.ma.count_masked(value))):
            bad.append(
                f"{key!r} is a masked array with {hidden} masked value(s), which would be "
                "loaded with their hidden values: fill them (a.filled(value))"
            )
            continue
        arr = np.asarray(value) if not same_dtype or isinstance(value, np.ndarray) else None
        kind = f"a {want.dtype} array" if same_dtype or params else "an array"
        got = f"{getattr(arr, 'dtype', type(value).__name__)} {getattr(arr, 'shape', '')}"
        if arr is None or arr.shape != want.shape or (same_dtype and arr.dtype != want.dtype):
            bad.append(f"{key!r} must be {kind} of shape {want.shape}; got {got.strip()}")
        elif arr.dtype.kind not in "biuf":  # (text, complex, objects: not weights)
            bad.append(f"{key!r} must hold real numbers; got dtype {arr.dtype}")
        elif key in inf_ok and np.isnan(arr).any():
            bad.append(f"{key!r} contains NaN")
        elif finite and key not in inf_ok and (over := _overflow(arr, want.dtype)):
            bad.append(f"{key!r} {over}")
        elif finite and key not in inf_ok and not _finite_as(arr, want.dtype):
            bad.append(f"{key!r} contains NaN or inf (in {want.dtype})")
        given[key] = arr if params is None else arr.astype(want.dtype, copy=False)
    if bad:
        raise ValueError(f"{owner}.load_state_dict: " + "; ".join(bad) + ".")
    return given


def _check_optimizer_layout(
    state: Mapping[str, Any], like: Mapping[str, np.ndarray], owner: str, params: int
) -> None:
    """An optimizer group's saved buffers and step counts (``state``) laid out over the
    parameters this group holds (``like``, ``params`` of them); else a ValueError that says
    the state was saved over other parameters, in values and parameters, not buffers."""
    keys = [k for k in like if k in state]
    if not all(isinstance(state[k], np.ndarray) and state[k].ndim == 1 for k in keys):
        return  # (not arrays: check_state_arrays names them)
    steps = state.get("steps")
    counts = np.shape(steps) if steps is not None else (params,)
    if counts == (params,) and all(state[k].shape == like[k].shape for k in keys):
        return
    by_dtype = {(k.split(".")[-1], state[k].size) for k in keys}  # (one size per dtype group:
    if len(by_dtype) != len({k.split(".")[-1] for k in keys}):  # else an edited state,
        return  # which check_state_arrays names buffer by buffer)
    first = keys[0].split(".")[0] if keys else None  # (one buffer's size over the dtypes)
    saved = sum(state[k].size for k in keys if k.split(".")[0] == first)
    mine = sum(v.size for k, v in like.items() if k.split(".")[0] == first)

    def n_params(n: int) -> str:
        return f"{n} parameter{'' if n == 1 else 's'}"

    was = "" if steps is None else f" in {n_params(int(np.size(steps)))}"
    values, has = (f"{saved} values{was}", f"{mine} values in ") if keys else (was[4:], "")
    raise ValueError(
        f"{owner}.load_state_dict: the state was saved from an optimizer over {values}; "
        f"this one has {has}{n_params(params)}: it was built on another model (another "
        "architecture). Build this optimizer on the same model, one built as the saved "
        "run's was (the same layers and sizes), and load its state there."
    )


def not_optimizer_state(state: Mapping[str, Any], owner: str) -> str:
    """The message for a dict given to an optimizer's ``load_state_dict`` that is no
    optimizer's ``state_dict()`` (no ``"type"``, no ``"param_groups"``): a whole checkpoint
    dict, ``{}``, a model's state dict. It names the keys given and, where one of them
    holds an optimizer's state dict, points to it."""
    keys = list(state)
    shown = ", ".join(repr(k) for k in keys[:8]) + (", ..." if len(keys) > 8 else "")
    got = f"a dict with keys {shown}" if keys else "an empty dict"
    holder = next(
        (k for k, v in state.items()
         if isinstance(v, Mapping) and "type" in v and ("param_groups" in v or "t" in v)),
        None,
    )  # fmt: skip
    if holder is not None:
        fix = f"pass ck[{holder!r}] (ck the dict given), which holds one"
    elif keys and all(isinstance(v, np.ndarray) or hasattr(v, "shape") for v in state.values()):
        fix = (
            "it looks like a model's state_dict() (arrays by name): load that into the "
            "model, model.load_state_dict(...), and give this optimizer the dict its "
            "state_dict() returned"
        )
    else:
        fix = "pass the dict returned by an optimizer's state_dict(), saved at the same epoch"
    return (
        f"{owner}.load_state_dict got {got}, which is not an optimizer's state_dict() (that "
        f"holds 'type', 't' and 'param_groups'): {fix}."
    )


def check_to_args(args: Sequence[Any], owner: str) -> tuple[np.dtype | None, str | None]:
    """The dtype and the device among the arguments of a PyTorch-style ``.to(...)`` call
    (the last of each given; None if none is): a dtype checked by :func:`check_float_dtype`,
    a device "cpu" or "cuda" (CuPy on an NVIDIA GPU, the current CuPy device)."""
    dt = device = None
    for a in args:
        if a is None:
            continue
        if a in ("cpu", "cpu:0", "cuda"):  # (PyTorch's "cpu:0" is the one CPU: "cpu")
            device = "cpu" if a.startswith("cpu") else a
        elif isinstance(a, str) and a.startswith("cuda:"):
            raise ParameterError(
                f"{owner}: glassnet runs on the current CuPy device; choose it with "
                f"cupy.cuda.Device(n).use() and pass 'cuda'. Got {a!r}."
            )
        elif isinstance(a, str) and not a.startswith(("float", "double")):
            raise ParameterError(
                f"{owner}: the device {a!r} is not one glassnet knows; use 'cpu' (NumPy) or "
                f"'cuda' (CuPy on an NVIDIA GPU)."
            )
        else:
            dt = check_float_dtype(a, owner)
    return dt, device


def check_device(device: Any, owner: str) -> Any:
    """A ``device=`` keyword: None, or a device :func:`check_to_args` takes ("cpu", "cuda",
    PyTorch's "cpu:0" and device objects), never a dtype (which ``.to(...)``'s positional
    arguments may be): ``device=torch.float64`` changed the dtype in silence."""
    name = str(device) if isinstance(getattr(device, "type", None), str) else device
    if device is None:
        return None
    if isinstance(name, str):  # (a name no device's nor dtype's is refused there)
        dev = check_to_args((name,), owner)[1]
        if dev is not None:
            return dev
    raise ParameterError(
        f"{owner}: device must be 'cpu' or 'cuda' (a str, or a glassnet.device). Got "
        f"{device!r:.40} ({type(device).__name__}); a dtype goes to dtype=."
    )


def _named(item: Any) -> bool:
    """Whether ``item`` is a ``(name, parameter)`` pair, as ``model.named_parameters()``
    gives."""
    return (
        isinstance(item, tuple)
        and len(item) == 2
        and isinstance(item[0], str)
        and hasattr(item[1], "grad")
    )


def check_params(params: Any, owner: str) -> list[Any]:
    """``params`` as a non-empty list of parameters (a Module, anything with a
    ``parameters()`` method, gives its own), else an error that shows the usual call.

    As PyTorch 2's: ``model.named_parameters()`` (``(name, parameter)`` pairs, every item
    named or none) gives its parameters, the names not kept (glassnet's param groups hold
    no ``param_names``: nothing reads them); a param group's ``"params"`` may be one
    parameter (``{"params": model.fc.W}``), made a list of it."""
    if callable(getattr(params, "parameters", None)):
        params = params.parameters()
    if hasattr(params, "grad") or not isinstance(params, Iterable):  # (one parameter: no list)
        raise ParameterError(
            f"The 'params' argument of {owner} must be an iterable of parameters (objects with "
            f".data and .grad) such as model.parameters(); wrap a single parameter in a list: "
            f"{owner}([w], ...). Got {type(params).__name__}."
        )
    plist = list(params)
    if not plist:
        raise ParameterError(
            f"The 'params' argument of {owner} is empty; pass the parameters to "
            f"optimize, e.g. {owner}(model.parameters())."
        )
    named = [_named(p) for p in plist]
    if any(named) and not all(named):
        raise ParameterError(
            f"The 'params' argument of {owner} mixes (name, parameter) pairs with other items; "
            "give every parameter with its name (model.named_parameters()) or none "
            "(model.parameters()), as PyTorch asks."
        )
    if any(named):
        plist = [p for _, p in plist]
    plist = [  # (a group of one parameter: PyTorch's {"params": w} is {"params": [w]})
        {**p, "params": [p["params"]]}
        if isinstance(p, Mapping) and hasattr(p.get("params"), "grad")
        else p
        for p in plist
    ]
    odd = [p for p in plist if not isinstance(p, Mapping) and not hasattr(p, "grad")]
    if isinstance(params, (str, bytes)) or odd:  # (a str is an iterable of str)
        got = params if isinstance(params, (str, bytes, np.ndarray)) else odd[0]
        array = isinstance(got, (np.ndarray, np.generic))  # (a NumPy array has a .data too)
        raise ParameterError(
            f"The 'params' argument of {owner} must be an iterable of parameters (objects with "
            f".data and .grad, such as model.parameters()) or of param group dicts. Got "
            f"{'' if got is params else 'an item '}{got!r:.60} ({type(got).__name__})"
            + (": a NumPy array holds no gradient; make it a glassnet.nn.Parameter(w)."
               if array else ".")
        )  # fmt: skip
    groups = [isinstance(p, Mapping) for p in plist]
    if any(groups) and not all(groups):  # (PyTorch: "can only optimize Tensors ... dict")
        raise ParameterError(
            f"The 'params' argument of {owner} mixes param group dicts with parameters; give "
            f"each parameter in a group, {owner}([{{'params': body}}, {{'params': head, "
            f"'lr': 0.1}}], ...), or no group at all. Got item {groups.index(True)} a dict "
            f"and item {groups.index(False)} a {type(plist[groups.index(False)]).__name__}."
        )
    node = next((p for p in plist if getattr(p, "backward_fn", None) is not None), None)
    if node is not None:  # (backward() leaves its .grad None: it would never train)
        raise ParameterError(
            f"The 'params' argument of {owner} holds a non-leaf tensor (the result of op "
            f"{node.op!r}, shape {tuple(node.data.shape)}), which gets no .grad and never "
            "trains, as PyTorch refuses it ('can't optimize a non-leaf Tensor'). Build it as a "
            "leaf: w = (gn.randn(3) * 0.1).requires_grad_(), or pass w.detach().requires_grad_()."
        )
    return plist


# ----------------------------------------------------------------------- memory
def check_optimizer(optimizer: Any, params: Sequence[Any], owner: str) -> Any:
    """``optimizer`` if it is an optimizer object (``step`` and ``zero_grad``) built on
    exactly ``params`` (the model's parameters), else a TypeError or ValueError saying how
    to build one."""
    if isinstance(optimizer, type):  # (its step is a function of an instance)
        raise TypeError(
            f"The 'optimizer' parameter of {owner} must be an optimizer name or an optimizer "
            f"object. Got the class {optimizer.__name__}: pass {optimizer.__name__}"
            f"(model.parameters(), lr=...), or its name, e.g. optimizer='sgd'."
        )
    if not (callable(getattr(optimizer, "step", None)) and hasattr(optimizer, "zero_grad")):
        raise TypeError(
            f"The 'optimizer' parameter of {owner} must be an optimizer name or an optimizer "
            f"object (glassnet.optim). Got {type(optimizer).__name__}."
        )
    own = {id(p) for p in params}
    theirs = {id(p) for p in getattr(optimizer, "params", params)}
    frozen = {id(p) for p in params if not getattr(p, "requires_grad", True)}
    if theirs < own and own - theirs <= frozen:  # (PyTorch's fine-tuning habit)
        raise ValueError(
            f"{owner}: the optimizer holds the model's {len(theirs)} trainable parameters and "
            f"not its {len(own - theirs)} frozen ones (requires_grad=False); {owner} takes an "
            "optimizer built on all of them and leaves the frozen ones as they are: build it "
            f"with optim.{type(optimizer).__name__}(model.parameters(), ...)."
        )
    if theirs != own:
        raise ValueError(
            f"{owner}: the optimizer was built on other parameters than the model's "
            f"({len(theirs & own)} of its {len(theirs)} belong to the model, which has "
            f"{len(own)}); build it with optim.SGD(model.parameters(), ...)."
        )
    return optimizer


def bytes_text(n: float) -> str:
    """``1.5 GB``, ``512 KB``, ``12 bytes``."""
    for unit, size in (("TB", 2**40), ("GB", 2**30), ("MB", 2**20), ("KB", 2**10)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{int(n)} bytes"


def memory_limit() -> tuple[int | None, str]:
    """The bytes glassnet may allocate, and what says so: ``GLASSNET_MEMORY_LIMIT`` (bytes,
    or with a K, M, G or T suffix), else the memory available now (Linux's MemAvailable),
    else no limit (None)."""
    text = os.environ.get("GLASSNET_MEMORY_LIMIT", "").strip()
    if text:
        units = {"K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}
        scale = units.get(text[-1].upper(), 1)
        try:
            limit = float(text[:-1] if text[-1].upper() in units else text) * scale
        except ValueError:
            raise ParameterError(
                f"GLASSNET_MEMORY_LIMIT={text!r} is not a size; give bytes, e.g. 8G or 500M"
            ) from None
        if not math.isfinite(limit) or limit <= 0:
            raise ParameterError(f"GLASSNET_MEMORY_LIMIT={text!r} must be a size > 0, e.g. 8G")
        return int(limit), f"GLASSNET_MEMORY_LIMIT={text}"
    with contextlib.suppress(OSError, ValueError, IndexError):
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024, "the memory available now"
    return None, ""


def check_memory(what: str, nbytes: float, fix: str) -> None:
    """Refuse, before allocating, arrays that need more bytes than may be used: a
    ``MemoryError`` saying how much was asked for, the limit and what to do (instead of
    the operating system killing the process). Under 16 MiB only a limit set in
    ``GLASSNET_MEMORY_LIMIT`` is checked (reading the memory available costs more than
    such a request: fit asks at every call)."""
    if nbytes < 1 << 24 and "GLASSNET_MEMORY_LIMIT" not in os.environ:
        return
    limit, source = memory_limit()
    if limit is not None and nbytes > limit:
        raise MemoryError(
            f"{what} needs about {bytes_text(nbytes)} of memory, more than {source} "
            f"({bytes_text(limit)}): {fix}"
        )


def check_size(what: str, shape: Sequence[int], fix: str, itemsize: int = 4) -> None:
    """Refuse, before NumPy's "Maximum allowed dimension exceeded", an array of ``shape``
    (whole numbers >= 0) of ``itemsize`` bytes a value beyond the memory (as
    :func:`check_memory`) or beyond any array's size: a ``MemoryError`` naming ``what``."""
    nbytes = math.prod(shape) * itemsize
    if max(nbytes, *shape, 0) > np.iinfo(np.intp).max:
        raise MemoryError(
            f"{what} needs about {bytes_text(nbytes)} of memory, more than an array can hold"
            f"{' (a size beyond int64)' if not nbytes else ''}: {fix}"
        )
    check_memory(what, nbytes, fix)


def build(name: Any, table: Mapping, base: type, what: str, first: Any, kw: Mapping) -> Any:
    """``table[name](first, **kw)`` (``name`` may be a class), with messages that list
    the valid names and settings (optimizers, schedules)."""
    cls = check_name(name, table, what, base)
    check_keywords(cls, kw)
    return cls(first, **kw)


def attach(
    cls: type,
    methods: Mapping[str, Any] | Iterable[Any],
    *,
    owner: str | None = None,
    module: bool = True,
) -> None:
    """Set each of ``methods`` on ``cls`` named as if defined in its body: ``__name__`` the
    attribute's name, ``__qualname__`` ``"Cls.name"`` and ``__module__`` ``cls.__module__``,
    so Python's argument errors, tracebacks, help() and pickle name the class's method.

    ``methods``: name -> function, or functions set under their own ``__name__``; a
    ``staticmethod`` is named through its function. ``owner``: the class name in
    ``__qualname__`` in place of ``cls``'s (a base's method, set on a subclass as well).
    ``module=False``: the function keeps the module that defines it (which imports ``cls``,
    so pickle finds it there too)."""
    items: Iterable[tuple[str, Any]] = (
        methods.items()
        if isinstance(methods, Mapping)
        else [(f.__name__, f) for f in cast(Iterable[Any], methods)]
    )
    for name, value in items:
        fn: Any = value.__func__ if isinstance(value, staticmethod) else value
        fn.__name__, fn.__qualname__ = name, f"{owner or cls.__name__}.{name}"
        if module:
            fn.__module__ = cls.__module__
        setattr(cls, name, staticmethod(fn) if isinstance(value, staticmethod) else fn)


@functools.lru_cache(maxsize=256)
def takes(fn: Callable[..., Any], name: str) -> bool:
    """Whether ``fn`` (a loss kernel: the fast path's ``keep``, ``value``) has a parameter
    called ``name``: read from its signature once (a fit asks at every call)."""
    return name in inspect.signature(fn).parameters


def moved(module: str, target: str, names: Sequence[str], until: str) -> Any:
    """The ``__getattr__`` of ``module`` for ``names`` that moved to ``target``: each old
    name still works, with a DeprecationWarning that names the new home, until ``until``."""

    def __getattr__(name: str) -> Any:
        if name not in names:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        import importlib
        import warnings

        warnings.warn(
            f"{module}.{name} moved to {target}.{name}; the old name goes in {until}.",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(importlib.import_module(target), name)

    return __getattr__


def not_finite_output(model: Any, X: Any, out: np.ndarray) -> str:
    """Why ``model.predict(X)`` gave ``out``, which holds NaN or inf: weights, or overflow
    (``Module.predict``'s error message, kept out of the engine's code)."""
    params = dict(model.named_parameters())
    bad = next((name for name, p in params.items() if not np.isfinite(p.data).all()), None)
    if bad is not None:
        return (
            f"{type(model).__name__}.predict: the model's weights hold NaN or inf ({bad}; has "
            "training diverged?), and so does its output. Retrain it, e.g. with a smaller "
            "learning rate, or load finite weights."
        )
    out = np.atleast_1d(out)
    rows = np.unique(np.argwhere(~np.isfinite(out.reshape(len(out), -1)))[:, 0])
    big = [float(abs(a).max()) for a in (*(p.data for p in params.values()), X) if a.size]
    weights = f", its weights' {max(big[:-1]):.4g}" if len(big) > 1 else ""
    wider = "use a float64 model (model.double())" if params else "pass X as float64"
    return (
        f"{type(model).__name__}.predict: the output holds NaN or inf in {len(rows)} of "
        f"{len(out)} rows (the first: row {rows[0]}): the network's arithmetic overflows "
        f"{out.dtype} (X's largest magnitude is {big[-1]:.4g}{weights}). Scale the features "
        "(e.g. glassnet.preprocessing.StandardScaler, as for training)"
        + (f", or {wider}." if out.dtype == np.float32 else ".")
    )


def dim_error(op: str, axis: Any, shape: tuple[int, ...]) -> IndexError:
    """PyTorch's error for a dim out of range, naming the op and the tensor's shape."""
    return IndexError(
        f"{op}(): dim {axis} is out of range for a tensor of shape {shape}: pass a dim in "
        f"[{-max(len(shape), 1)}, {max(len(shape), 1) - 1}]."
    )


def whole_number(value: Any) -> bool:
    """Whether ``value`` is an integer (Python's, NumPy's, or one with ``__index__``), never
    a bool: a dim, a size."""
    if isinstance(value, (bool, np.bool_)):
        return False
    try:
        operator.index(value)
    except TypeError:
        return False
    return True


def check_dims(axis: Any, op: str) -> Any:
    """A reduction's ``dim``/``axis``: None (every axis), an integer or a tuple of them (a
    list becomes a tuple), else a DimError naming ``op`` (NumPy's "an integer is required"
    named neither; a bool was refused only by accident of NumPy's internals)."""
    axis = tuple(axis) if isinstance(axis, list) else axis
    if axis is None or all(whole_number(a) for a in (axis if type(axis) is tuple else (axis,))):
        return axis
    raise DimError(
        f"{op}(): dim must be an integer, a tuple of integers, or None (every axis). Got "
        f"{shown(axis, 40)} ({type(axis).__name__})."
    )


def axis_args(op: str, axis: Any, dim: Any, keepdims: Any = None, keepdim: Any = None) -> Any:
    """NumPy's ``axis``/``keepdims`` or PyTorch's ``dim``/``keepdim``, whichever was given (a
    list of axes becomes a tuple); giving both spellings of one argument is a TypeError. The
    axis is checked by :func:`check_dims`; ``keepdim`` must be a bool (None: False), as
    PyTorch refuses any other value (``keepdim='False'`` kept the axis)."""
    if (axis is not None and dim is not None) or (keepdims is not None and keepdim is not None):
        raise TypeError(
            f"{op}(): pass axis or dim, keepdims or keepdim (PyTorch's names), not both."
        )
    dim = None if isinstance(dim, (tuple, list)) and not dim else dim  # PyTorch's dim=(): all
    axis = check_dims(dim if axis is None else axis, op)
    name, keep = ("keepdim", keepdim) if keepdims is None else ("keepdims", keepdims)
    return axis, False if keep is None else check_bool(keep, name, op)


def tensor_dtype(dtype: Any, owner: str) -> np.dtype:
    """A Tensor's dtype: float32 or float64 (a NumPy dtype or its name), else a TypeError
    naming ``owner`` (``astype('abc')``: NumPy's "data type 'abc' not understood")."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    if dt not in (np.float32, np.float64):  # (float16 and longdouble too, as the message says)
        got = dt if dt is not None else shown(dtype, 40)
        raise TypeError(f"{owner}: a Tensor's dtype must be float32 or float64. Got {got}.")
    return dt


def reshape_error(shape: tuple[int, ...], size: int, new: tuple[Any, ...]) -> Exception:
    """The error of a reshape of a tensor of ``shape`` (``size`` values) into ``new`` that
    NumPy refused: the sizes do not fit (ValueError), or are not integers (TypeError)."""
    if all(whole_number(n) for n in new):
        return ValueError(f"op 'reshape': cannot reshape {shape} ({size} values) into {new}.")
    return TypeError(
        f"op 'reshape': the sizes must be integers (-1: the one inferred), as x.reshape(2, -1) "
        f"or x.reshape((2, -1)). Got {shown(new, 60)}."
    )


def torch_input(forward: Callable, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """``(args, kwargs)`` of a module's call with PyTorch's keyword ``input=`` (the name of
    the argument of every PyTorch module's forward: ``layer(input=x)``) given as the first
    argument, where ``forward`` names that argument otherwise (glassnet's ``x``). A forward
    that takes ``input`` itself (or any keyword, ``**kwargs``) gets it as given."""
    if args or "input" not in kwargs:
        return args, kwargs
    params = inspect.signature(forward).parameters.values()
    if any(p.name == "input" or p.kind is p.VAR_KEYWORD for p in params):
        return args, kwargs
    kwargs = dict(kwargs)
    return (kwargs.pop("input"),), kwargs


def reduced(fn: Callable, a: np.ndarray, op: str, axis: Any, **kw: Any) -> Any:
    """``fn(a, axis=axis, **kw)`` (a max, min, argmax, ... of a tensor's values ``a``); over
    an axis of length 0 an error that says so, naming ``op``."""
    axis = check_dims(axis, op)
    try:
        return fn(a, axis=axis, **kw)
    except ValueError as e:
        if isinstance(e, IndexError):  # (NumPy's AxisError, from its own source: PyTorch's)
            raise dim_error(op, axis, a.shape) from None
        over = "it has no values" if axis is None else f"its axis {axis} has length 0"
        raise ValueError(
            f"{op} of a tensor of shape {a.shape}: {over}, so there is no {op} to take "
            "(PyTorch raises too). Check for an empty batch, or reduce over an axis of "
            "length > 0."
        ) from e


def one_of(value: Any, alias: Any, name: str, alias_name: str, owner: str) -> Any:
    """The argument given by its name or by its alias (PyTorch's name of it), refused when
    both are given or neither."""
    if (value is None) == (alias is None):
        given = "both" if value is not None else "neither"
        raise TypeError(
            f"{owner}: give {name} or {alias_name} (PyTorch's name), one of them; {given} given."
        )
    return alias if value is None else value


def check_no_inplace(inplace: Any, owner: str) -> None:
    """PyTorch's ``inplace=`` flag: False (its default) only. glassnet's activations write a
    new array; in place, the input would be overwritten, and a graph that keeps it (or a
    caller that reads it again) would see other values: refused, not ignored."""
    if inplace is not False and inplace is not np.False_:
        raise ValueError(
            f"{owner}(inplace={inplace!r}): inplace must be False. glassnet computes activations "
            f"into a new array and does not overwrite the input as PyTorch's inplace=True does; "
            f"leave it out (the outputs and gradients are the same)."
        )


def implicit_dim(input: Any, dim: Any, owner: str, example: str = "") -> None:
    """``dim=None`` on 3 axes or more refused: PyTorch's deprecated implicit choice there is
    axis 0 (3 axes) or 1 (4 or more), not the last axis glassnet would take, so the same
    call would give other numbers. With at most 2 axes the two agree (the last axis)."""
    ndim = np.ndim(getattr(input, "data", input))
    if dim is None and ndim >= 3:
        raise ValueError(
            f"{owner}(x) without dim on an input of {ndim} axes: PyTorch's implicit choice "
            f"(deprecated) is dim={0 if ndim == 3 else 1} there, glassnet's the last axis. "
            f"Pass dim= to say which axis to normalize, e.g. {example or f'{owner}(x, dim=-1)'}."
        )


def missing_activation(name: Any, owner: str) -> str:
    """The refusal of an activation ``name`` that glassnet.functional.ACTIVATIONS lacks in
    this process: a TableActivation's entry, added where the model was built or saved."""
    F = "glassnet.functional"
    return (
        f"{owner}: the activation {name!r} is not in {F}.ACTIVATIONS in this process (a "
        f"model built where that entry was added, then saved, pickled or copied here); add "
        f"it, {F}.ACTIVATIONS[{name!r}] = {F}.Activation(...), before loading or using the "
        "model."
    )


def missing_entry(cfg: Mapping, lookup: Callable[[str], Any]) -> str | None:
    """The refusal of an MLP's or a Neuron's config (``from_config``, a model loaded) naming
    an activation that ``lookup`` (glassnet.functional.get_activation) does not find in this
    process, as :func:`missing_activation` says it; None when every name is found."""
    acts = cfg.get("activation"), cfg.get("output_activation")
    for name in [*(acts[0] if isinstance(acts[0], (list, tuple)) else [acts[0]]), acts[1]]:
        try:
            lookup(name) if isinstance(name, str) else None
        except ValueError as e:
            return f"{missing_activation(name, str(cfg.get('type')))} ({e})"
    return None


def sklearn_mlp(model: Any) -> bool:
    """Whether ``model`` is scikit-learn's own ``MLPClassifier`` or ``MLPRegressor`` (whose
    weights, ``coefs_`` and ``intercepts_``, are no glassnet network)."""
    kind = type(model)
    return kind.__module__.split(".")[0] == "sklearn" and kind.__name__ in (
        "MLPClassifier",
        "MLPRegressor",
    )


def network_advice(model: Any, call: str) -> str | None:
    """What to do with a scikit-learn style estimator given where a glassnet network is
    wanted (``explain``, ``summary``, the drawings), ``call`` the tool's call on a network
    (``"summary(est.model_)"``): pass a fitted glassnet.sklearn estimator's ``model_``, fit
    an unfitted one, fit glassnet.sklearn's twin of scikit-learn's own MLP. None for no
    estimator.

    >>> from glassnet.sklearn import MLPRegressor
    >>> network_advice(MLPRegressor(), "summary(est.model_)").split(": ")[1]
    'train it first, est.fit(X, y), then summary(est.model_).'
    """
    if isinstance(model, type) or not (hasattr(model, "fit") and hasattr(model, "get_params")):
        return None
    kind = type(model)
    if hasattr(getattr(model, "model_", None), "parameters"):  # (a fitted glassnet.sklearn one)
        return f"an estimator; pass its network: {call}."
    if kind.__module__.split(".")[0] == "glassnet":
        return (
            "an estimator that has its network once fitted: train it first, est.fit(X, y), "
            f"then {call}."
        )
    if sklearn_mlp(model):
        return (
            f"scikit-learn's own estimator ({kind.__module__}), whose weights (coefs_, "
            f"intercepts_) are not a glassnet network. Fit glassnet.sklearn.{kind.__name__} "
            f"instead (the same parameters, the same initial weights), then {call}."
        )
    return f"an estimator ({kind.__module__}) that has no glassnet network."


_MICROGRAD_NN = ("glassnet.micrograd.nn", "micrograd.nn")
"""The modules of micrograd's networks: glassnet's drop-in and micrograd's own."""


def micrograd_network(model: Any) -> str | None:
    """``'glassnet.micrograd.nn.MLP'`` (where its class comes from) for a network of
    micrograd's ``nn`` (glassnet's drop-in or micrograd's own: a Neuron, Layer, MLP or a
    subclass of its Module), None for anything else.

    >>> import random
    >>> from glassnet.micrograd.nn import MLP
    >>> micrograd_network(MLP(2, [2, 1])), micrograd_network([1.0])
    ('glassnet.micrograd.nn.MLP', None)
    """
    kind = type(model)
    if not any(c.__module__ in _MICROGRAD_NN for c in kind.__mro__[:-1]):
        return None
    return f"{kind.__module__}.{kind.__qualname__}"


def _micrograd_sizes(model: Any) -> tuple[list[int], bool] | None:
    """A micrograd MLP's (or Layer's, or Neuron's) sizes ``[nin, *nouts]``, and whether its
    last neurons are ReLU (``nonlin``: a lone Neuron or Layer), read from its neurons; None
    where they cannot be read."""
    try:
        layers = getattr(model, "layers", None) or [model]
        sizes: list[int] = []
        for layer in layers:
            neurons = getattr(layer, "neurons", None) or [layer]
            sizes = sizes or [len(neurons[0].w)]
            sizes.append(len(neurons))
        return sizes, bool(getattr(neurons[0], "nonlin", False))
    except Exception:  # (a user's property that raises: the refusal itself must not)
        return None


def micrograd_advice(model: Any, owner: str) -> str | None:
    """What ``owner`` (``explain``, ``fit``, a drawing) says to a micrograd network given
    where a glassnet Module is wanted: what it is, that its graph is drawn from its output
    (``viz.draw_graph(m(x))``), and the glassnet.nn.MLP of its sizes to copy it into. None
    for anything else."""
    where = micrograd_network(model)
    if where is None:
        return None
    read = _micrograd_sizes(model)
    mlp = "a glassnet.nn.MLP of its sizes"
    if read:
        sizes, relu = read
        out = ', output_activation="relu"' if relu else ""
        mlp = f'glassnet.nn.MLP({sizes}, activation="relu"{out}, dtype=np.float64)'
    draw = f"glassnet.viz.draw_graph({micrograd_output(model)}) (a Value)"
    if micrograd_package(model):
        draw = f"To draw its graph, {micrograd_rebuild(model)}, then draw its output, {draw}"
    else:
        draw = f"Draw its graph from its output, {draw}"
    return (
        f"micrograd's network of Values ({where}), which takes one data point per call and "
        f"is no glassnet Module, so {owner} does not take it. {draw}; for {owner}, build the "
        f"same network as a glassnet Module, {mlp}, and copy its weights in "
        "(help(glassnet.micrograd.nn) shows how)."
    )


def micrograd_package(obj: Any) -> bool:
    """Whether ``obj`` (a network or a Value) comes from the pip ``micrograd`` package, not
    glassnet's drop-in (its class, or a class it derives from, is micrograd's own)."""
    return any(c.__module__.split(".")[0] == "micrograd" for c in type(obj).__mro__[:-1])


def micrograd_rebuild(obj: Any) -> str:
    """What to do with a network or Value of the pip ``micrograd`` package, which glassnet's
    tools do not read: build it with glassnet.micrograd, the same API and numbers."""
    if micrograd_network(obj):
        kind = type(obj).__name__ if type(obj).__module__ == "micrograd.nn" else "MLP"
        return (
            f"build it with glassnet.micrograd.nn instead (from glassnet.micrograd.nn import "
            f"{kind}: the same constructor, and after the same random.seed the same weights; "
            "draw_graph does not read the micrograd package's Values)"
        )
    return (
        "build it with glassnet.micrograd instead (from glassnet.micrograd.engine import "
        "Value; from glassnet.micrograd.nn import MLP: the same API, the same numbers; "
        "draw_graph does not read the micrograd package's Values)"
    )


def micrograd_output(model: Any) -> str:
    """How a micrograd network's output on one data point is written, ``'m([x1, x2])'``
    (``'m(x)'`` for more than 4 inputs, or where its sizes cannot be read): what
    ``draw_graph`` draws the graph of."""
    read = _micrograd_sizes(model)
    if not read or read[0][0] > 4:
        return "m(x)"
    return f"m([{', '.join(f'x{i + 1}' for i in range(read[0][0]))}])"


def not_a_network(model: Any, owner: str, call: str | None = None) -> str:
    """The refusal of ``model``, no glassnet Module, where ``owner`` wants a network:
    ``'<owner>: model must be a glassnet Module (e.g. glassnet.nn.MLP). Got ...'``, the
    class named with where it comes from (a micrograd ``MLP`` is no ``glassnet.nn.MLP``)
    and what to do: for an estimator, :func:`network_advice` (``call``: the tool's call on
    its network, ``"summary(est.model_)"``); for a micrograd network,
    :func:`micrograd_advice`; for a class, make one first.

    >>> not_a_network([1, 2], "fit")
    'fit: model must be a glassnet Module (e.g. glassnet.nn.MLP). Got list.'
    """
    kind = type(model)
    estimator = hasattr(model, "fit") and hasattr(model, "get_params")
    shown = kind.__name__
    if kind.__module__ != "builtins" and not estimator:
        shown += f" ({kind.__module__}.{kind.__qualname__})"
    if isinstance(model, type):
        cls = f"{model.__module__}.{model.__qualname__}"
        shown = f"the class {cls}; make one first ({model.__name__}(...))"
    advice = micrograd_advice(model, owner)
    if advice:
        shown = kind.__name__
    else:
        advice = network_advice(model, call or f"{owner}(est.model_)")
    todo = f", {advice}" if advice else "."
    return f"{owner}: model must be a glassnet Module (e.g. glassnet.nn.MLP). Got {shown}{todo}"


class ParameterName(str):
    """A name from ``named_parameters()`` (``'layers.0.W'``): a str that warns where
    PyTorch's name tests look for ``weight`` or ``bias`` in a Linear's parameter, which
    glassnet names ``W`` and ``b`` (the lecture's), so that a ported init loop or no-decay
    group (``if "bias" in name``) does not select nothing in silence.

    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as seen:
    ...     warnings.simplefilter("always")
    ...     found = "bias" in ParameterName("layers.0.b")
    >>> found, "glassnet names a Linear's" in str(seen[0].message)
    (False, True)
    """

    __slots__ = ()

    def __reduce__(self) -> tuple[type, tuple[str]]:  # (pickled as the plain str it is)
        return str, (str(self),)

    def __contains__(self, part: object) -> bool:
        found = str.__contains__(self, part)  # type: ignore[operator]
        return found or _torch_word(self, (part,))

    def endswith(self, suffix: Any, *args: Any) -> bool:
        found = str.endswith(self, suffix, *args)
        return found or _torch_word(self, suffix if isinstance(suffix, tuple) else (suffix,))

    # name.split(".")[-1] == "bias": the last part keeps the warning
    def split(self, sep: Any = None, maxsplit: int = -1) -> list[str]:  # type: ignore[override]
        parts = str.split(self, sep, maxsplit)
        return [*parts[:-1], _LastPart(parts[-1], self)] if parts else parts

    def rsplit(self, sep: Any = None, maxsplit: int = -1) -> list[str]:  # type: ignore[override]
        parts = str.rsplit(self, sep, maxsplit)
        return [*parts[:-1], _LastPart(parts[-1], self)] if parts else parts

    def rpartition(self, sep: str) -> tuple[str, str, str]:
        head, mid, last = str.rpartition(self, sep)
        return head, mid, _LastPart(last, self)


class _LastPart(str):
    """The last part of a :class:`ParameterName` (``W`` of ``layers.0.W``): a str whose
    comparison with PyTorch's word for it (``== "weight"``) warns, as the name's tests do."""

    __slots__ = ("name",)
    __hash__ = str.__hash__

    def __new__(cls, part: str, name: str) -> _LastPart:
        out = super().__new__(cls, part)
        out.name = name
        return out

    def __eq__(self, other: object) -> bool:
        return str.__eq__(self, other) is True or _torch_word(self.name, (other,))

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __reduce__(self) -> tuple[type, tuple[str]]:
        return str, (str(self),)


def _torch_word(name: str, parts: tuple[Any, ...]) -> bool:
    """Warn when one of ``parts`` is PyTorch's word (``bias`` or ``.bias``; a qualified
    ``LayerNorm.weight`` looks for another layer's) for the Linear parameter ``name``;
    returns False, the test's own result."""
    own = name.rsplit(".", 1)[-1]
    word = {"W": "weight", "b": "bias"}.get(own)
    if word and any(isinstance(p, str) and p.lstrip(".") == word for p in parts):
        warnings.warn(
            f"{word!r} in the parameter name {str(name)!r} is False: glassnet names a Linear's "
            "weight W (PyTorch's weight transposed) and its bias b, so a name test written "
            "for PyTorch selects no Linear parameter. Test the last part, name.rsplit('.', "
            f"1)[-1] in ({own!r}, {word!r}), or the shape, p.ndim == {2 if own == 'W' else 1}.",
            UserWarning,
            stacklevel=3,
        )
    return False


# ------------------------------------------------- optim / flat: the refusals' wording
# (nn.flat and optim keep each refusal's condition and raise these messages on its failing
# branch only, so a step runs the same code until something is refused)
_FLAT_MESSAGES: dict[str, Callable[..., str]] = {
    "parameter": lambda i, p, d, array: (
        f"Parameter {i} must have a .grad and, in .data, a float32 or float64 numpy "
        f"array; got {type(p).__name__} with .data {getattr(d, 'dtype', type(d))}. "
        "Pass parameters such as model.parameters() with float arrays"
        + (
            f" (in this machine's byte order: p.data = p.data.astype('{d.dtype.name}'))."
            if array and not d.dtype.isnative
            else "."
        )
    ),
    "tied": lambda first, i: (
        f"Parameters {first} and {i} are the same object or share one .data "
        f"array; each parameter gets its own slot, which would untie them. Pass "
        f"each parameter once (tie weights by reusing one parameter object)."
    ),
    "devices": lambda: (
        "The parameters live on more than one device (NumPy and CuPy arrays); move the "
        "whole model with model.to(device) before building the optimizer."
    ),
    "setter": lambda p: (
        f"{type(p).__name__} does not keep the array assigned to .data/.grad (its "
        f"setter copies it), so it cannot be bound to a flat buffer."
    ),
    "shape": lambda i, attr, value, view: (
        f"Parameter {i} has .{attr} of shape {np.shape(value)} but its slot has "
        f"shape {view.shape}: a gradient has its parameter's shape (or is None), and "
        f"a parameter keeps its shape (pack again for new shapes)."
    ),
    "device": lambda i, attr, value, view: (
        f"Parameter {i} moved to another device (its .{attr} is a "
        f"{type(value).__module__}.{type(value).__name__}, its slot a "
        f"{type(view).__module__}.{type(view).__name__}); build the optimizer after "
        f"model.to(device)."
    ),
    "dtype": lambda i, value, view: (
        f"Parameter {i} changed dtype from {view.dtype} to {value.dtype} (after "
        f"model.to(), .double() or .float()?); build the optimizer after "
        f"converting the model."
    ),
}


def flat_message(key: str, **facts: Any) -> str:
    """The message of :class:`glassnet.nn.FlatParameters`' refusal ``key`` (a parameter
    that is none, two tied, mixed devices, a copying setter, then a parameter's changed
    shape, device or dtype), from the facts the refusal names."""
    return _FLAT_MESSAGES[key](**facts)


_OPTIM_MESSAGES: dict[str, Callable[..., str]] = {
    "shared": lambda name: (
        f"{name}: a parameter appears in more than one param group; give each "
        f"parameter to one group."
    ),
    "edited": lambda name: (
        f"{name}: param_groups was edited after the optimizer was built "
        "(a group's 'params' changed, or a group removed or replaced); its parameters "
        "were packed when their group was added. Add parameters with "
        "add_param_group({'params': [...]}) (or append such a dict), or build a new "
        "optimizer."
    ),
    "groups": lambda name, saved, packs: (
        f"{name}.load_state_dict: the state dict holds {len(saved)} param groups but "
        f"this optimizer has {len(packs)}; build it with the same groups."
        if isinstance(saved, list)
        else f"{name}.load_state_dict: the state dict's 'param_groups' must be a list, one "
        f"entry per param group. Got {type(saved).__name__}; pass the dict that "
        f"{name}.state_dict() returned."
    ),
    "nesterov": lambda owner, mu, damp: (  # (the advice: for the values that are wrong)
        f"{owner} with nesterov=True needs momentum > 0 and dampening=0. Got "
        f"momentum={mu!r}, dampening={damp!r}; set "
        + ("momentum, e.g. momentum=0.9" if mu <= 0 else "")
        + (", and " if mu <= 0 and damp else "")
        + ("dampening=0 (or nesterov=False to keep the dampening)" if damp else "")
        + "."
    ),
    "dampening": lambda owner, damp: (
        f"The 'dampening' parameter of {owner} applies to style='torch' only. Got "
        f"dampening={damp!r} with style='sklearn'; set dampening=0."
    ),
}


def optim_message(key: str, **facts: Any) -> str:
    """The message of an optimizer's refusal ``key`` (a parameter in two groups, edited
    ``param_groups``, a state dict of another number of groups, SGD's nesterov without
    momentum, dampening in scikit-learn's style), from the facts the refusal names."""
    return _OPTIM_MESSAGES[key](**facts)


def legacy_optimizer_state(state: Mapping[str, Any], owner: str = "Optimizer") -> dict[str, Any]:
    """An optimizer state dict of glassnet 0.1 (one group, its settings and buffers at the
    top level; Adam's ``beta1``/``beta2``) in today's layout, for ``load_state_dict`` to
    check and load: ``{"type", "t", "param_groups": [group]}``."""
    if "type" not in state:  # (0.1's had it: a checkpoint dict, {}, a model's state dict)
        raise ValueError(not_optimizer_state(state, owner))
    layout = ("numel.", "dtype.")  # (the buffers' own shapes and dtypes tell it now)
    group = {k: v for k, v in state.items() if k not in ("type", "t")}
    group = {k: v for k, v in group.items() if not k.startswith(layout)}
    if "beta1" in group:
        group["betas"] = (group.pop("beta1"), group.pop("beta2", None))
    return {"type": state.get("type"), "t": state.get("t"), "param_groups": [group]}


# ----------------------------------------------- nn layers / module: the refusals' wording
# (nn.layers and nn.module keep each refusal's condition and raise these messages on its
# failing branch only)
_LAYERS_MESSAGES: dict[str, Callable[..., str]] = {
    "init": lambda init, got, shape: (
        f"Linear: the init {init!r} returned shape {got}; an initializer "
        f"returns the shape it is given, (inputs, neurons) = {shape}."
    ),
    "softmax_dim": lambda dim: (
        f"Softmax(dim={dim!r}): a network's softmax layer normalizes the features of "
        f"each row, dim=1 (or -1, or None). For another axis call x.softmax(dim="
        + (f"{dim!r}) in your forward." if type(dim) is int else "k) in your forward, k an int.")
    ),
    "layer": lambda i, m: (
        f"Sequential: layer {i} must be a glassnet Module. Got {type(m).__name__}"
        + (
            " (a dict of named layers: Sequential(*d.values()), or nn.ModuleDict)"
            if isinstance(m, dict)
            else ""
        )
        + "."
    ),
    "neuron_vector": lambda act: (
        f"Neuron: the activation {act!r} is a vector one (elementwise=False in "
        "glassnet.functional.ACTIVATIONS: it acts on a layer's outputs together, as softmax "
        "does), and a Neuron has one output, which it would see alone (softmax's is always 1, "
        "its gradient 0: it never learns). Give an elementwise activation ('sigmoid', "
        f"'identity', ...), or MLP([inputs, classes], output_activation={act!r})."
    ),
    "neuron_softmax": lambda: (
        "Neuron: a softmax over one output is always 1, its gradient 0: it never "
        "learns. For two classes use 'sigmoid'; for more, MLP([inputs, classes], "
        "output_activation='softmax')."
    ),
    "weights": lambda n, got: f"Neuron.set_weights: expected {n} weights. Got {got}.",
}


def width_error(x: tuple, w: tuple) -> ValueError:
    """op 'linear''s refusal of an input of shape ``x`` beside weights ``w`` (2-D: w[0]
    inputs), marked: its ``wrong_width`` holds the op's text, by which :func:`name_layer` and
    ``chain.as_chain`` tell it (its message changes as Sequentials name the layer)."""
    n = w[0] if len(w) == 2 else None  # (weights of another rank: no count of inputs)
    error = ValueError(functional_message("linear", x=x, w=w, n=n))
    error.wrong_width = error.args[0]  # type: ignore[attr-defined]
    return error


def name_layer(error: ValueError, seq: Any, i: int, layer: Any) -> ValueError:
    """``error``, a width error (:func:`width_error`) ``layer`` raised, its message naming the
    layer ``i`` of the Sequential ``seq`` (by its class's name), in place (its type and
    traceback kept): ``Sequential layer 1 (Linear(inputs=3, neurons=2)): op 'linear': ...``;
    in a Sequential within another, the path, as PyTorch's module names: ``1.0``, or
    ``1.seq.1`` through a module of one's own that holds the inner one as ``seq``. The same
    exception raised again is named afresh (not ``0.0``)."""
    if not getattr(error, "wrong_width", None):
        return error
    named = getattr(error, "layer_path", None)  # (id of the Sequential that named it, path,
    # text: its id, not the object, so that a pickled or kept error does not hold the model)
    walk = getattr(layer, "named_modules", None)
    names = {id(m): n for n, m in walk()} if named and callable(walk) else {}
    if named and named[0] in names:  # (an inner Sequential's; "": the layer itself)
        path, tail = ".".join(filter(None, (str(i), names[named[0]], named[1]))), named[2]
    else:  # (layer raised it, or raised again an exception named before)
        path, tail = str(i), f"({layer!r}): {error.wrong_width}"  # type: ignore[attr-defined]
    error.args = (f"{type(seq).__name__} layer {path} {tail}", *error.args[1:])
    error.layer_path = (id(seq), path, tail)  # type: ignore[attr-defined]
    return error


def layers_message(key: str, **facts: Any) -> str:
    """The message of an nn layer's refusal ``key`` (a Linear initializer's shape, a
    Softmax's dim, a Sequential's layer that is no Module, a softmax Neuron,
    ``Neuron.set_weights``' count), from the facts the refusal names."""
    return _LAYERS_MESSAGES[key](**facts)


_MODULE_MESSAGES: dict[str, Callable[..., str]] = {
    "label": lambda label: (
        f"Parameter: the second argument is the label, a str. Got {label!r:.40}; for "
        "PyTorch's requires_grad give it by name: Parameter(data, requires_grad=False)."
    ),
    "range": lambda who, name, dt: (
        f"{who}.load_state_dict: {name!r} holds a value that "
        f"{dt} cannot hold (inf, or beyond its range); give values "
        "within it."
    ),
}


def module_message(key: str, **facts: Any) -> str:
    """The message of :class:`glassnet.nn.Module`'s or ``Parameter``'s refusal ``key`` (a
    label that is no str, a state dict's value that a buffer's dtype cannot hold), from the
    facts the refusal names."""
    return _MODULE_MESSAGES[key](**facts)


def check_mlp_args(
    sizes: Any, activation: Any, output_activation: Any, dropout: Any, leaky_alpha: Any
) -> tuple[list[int], float, float]:
    """An MLP's arguments checked, in this order: ``sizes`` (a sequence of at least two
    widths, each an int >= 1), ``dropout`` and ``leaky_alpha`` (in [0, 1)), then
    ``activation`` (one name, or a list or tuple of one per hidden layer) and
    ``output_activation`` (one name) as names; returns the widths as a list, ``dropout``
    and ``leaky_alpha``. Whether a name is in the table is the table's (``get_activation``)."""
    sizes = list(sizes) if isinstance(sizes, (list, tuple, range, np.ndarray)) else sizes
    if not isinstance(sizes, list) or len(sizes) < 2:
        raise ValueError(
            f"The 'sizes' parameter of MLP must list at least an input and an output width, "
            f"e.g. [2, 2, 1]. Got {sizes!r}."
        )
    sizes = [check_number(s, "sizes", "MLP", low=1, integer=True) for s in sizes]
    dropout = check_number(dropout, "dropout", "MLP", low=0, high=1, high_open=True)
    leaky_alpha = check_number(leaky_alpha, "leaky_alpha", "MLP", low=0, high=1, high_open=True)
    single = not isinstance(activation, (list, tuple))  # (checked with no hidden layer too)
    for arg, v in (("activation", activation), ("output_activation", output_activation)):
        many = arg == "activation" and not single  # (a name per hidden layer)
        if not all(isinstance(a, str) for a in (v if many else [v])):
            raise TypeError(
                f"MLP: {arg} must be an activation name: 'identity' for none, 'relu', "
                f"'sigmoid', ... Got {v!r}."
            )
    if not single and len(activation) != len(sizes) - 2:
        raise ValueError(
            f"MLP: {len(sizes) - 2} hidden layers but {len(activation)} activations were given; "
            "pass one name, or one per hidden layer."
        )
    return sizes, dropout, leaky_alpha


# ------------------------------------------------- train / fused: the refusals' wording
# (fused's layers_of and FastMLP.trace keep each refusal's condition and raise these messages
# on its failing branch only; glassnet.engines.graph_reason reads the last sentence of
# layers_of's: keep their words)
_FUSED_MESSAGES: dict[str, Callable[..., str]] = {
    "module": lambda owner, got: (
        f"{owner}: model must be a glassnet Module (e.g. glassnet.nn.MLP). Got {got}."
    ),
    "hooks": lambda owner: (
        f"{owner}: the model has forward hooks (or, for training, module backward hooks), "
        "which run only when a module is called "
        "(the autodiff graph); remove them (handle.remove()) first."
    ),
    "grad_hooks": lambda owner: (
        f"{owner}: a parameter has gradient hooks (register_hook), which run in the "
        "autodiff graph's backward(); remove them (handle.remove()) first."
    ),
    "starts": lambda owner, kind: (
        f"{owner}: the model starts with an activation ({kind}); it needs a Linear layer first."
    ),
    "two": lambda owner, first, then: (
        f"{owner}: two activations follow one Linear layer ({first} then "
        f"{then}); combine them into one or insert a Linear layer."
    ),
    "slope": lambda owner, slope: (
        f"{owner} computes a LeakyReLU as max(z, slope z), for 0 <= negative_slope < 1 "
        f"(alpha, its glassnet name). The model holds a LeakyReLU with negative_slope="
        f"{slope:g}: use a slope in [0, 1)"
        + (
            ", or nn.Identity() in its place (a slope of 1 makes LeakyReLU the identity, "
            "a = z: the network is the same)"
            if slope == 1
            else ""
        )
        + (  # (fit's reason for leaving the fast path is this last sentence: no '. ' in it)
            ", or the autodiff graph (fit's engine='auto' or 'graph': any slope)."
            if owner in ("fit", "fit_many", "search")
            else f"; fit trains any slope on the autodiff graph (engine='auto' or 'graph'), "
            f"but {owner} reads the fast path's layers."
        )
    ),
    "kind": lambda owner, kind, whole: (  # (an ELU, a GELU)
        f"{owner} handles networks of Linear layers and activations (Sequential, MLP, "
        f"Neuron). The model {'is' if whole else 'holds'} "
        f"{'an' if kind[0] in 'AEIOU' else 'a'} {kind}."
    ),
    "shared": lambda owner: (
        f"{owner}: the model uses one Linear layer more than once (shared weights), where "
        "each use's dL/dW would overwrite the other's; the autodiff graph trains it "
        "(glassnet.fit picks the graph for such a model by itself)."
    ),
    "sizes": lambda owner, i, lay, following: (
        f"{owner}: layer {i + 1} has {lay.neurons} neurons but layer {i + 2} expects "
        f"{following.inputs} inputs."
    ),
    "softmax": lambda owner, i, n: (
        f"{owner}: softmax is only supported on the output layer; layer {i + 1} of {n} uses it."
    ),
    "trace": lambda shape, rows, inputs: (
        f"FastMLP.trace: X of shape {shape} (targets, weights: {sorted(rows)} rows) does "
        f"not fit; pass X of shape (N, {inputs}), a target and weight a row."
    ),
}


def check_slope(slope: Any, owner: str) -> float:
    """The fast path's one rule for a LeakyReLU's slope (its kernels compute max(z, slope z),
    the function for 0 <= slope < 1 only): ``slope`` as a float, or a ParameterError (a
    ValueError, and the TypeError it was) in :func:`fused_message`'s words. explain,
    draw_network and ``glassnet explain --layer`` meet it through ``fused.layers_of``."""
    slope = float(slope)
    if not 0 <= slope < 1:
        raise ParameterError(fused_message("slope", owner=owner, slope=slope))
    return slope


def check_unhooked(model: Any, owner: str, training: bool, modules: Any = None) -> None:
    """Refuse, for the fast path (``layers_of``), a model whose modules have forward hooks
    (backward hooks too when ``training``: they run in ``backward()`` only) or, for
    training, whose parameters have gradient hooks: the fast path runs none of them.
    ``modules``: ``model.modules()`` walked already (tasks.check_weights_set's walk)."""
    kinds = ("_forward_pre_hooks", "_forward_hooks", *training * ("_backward_pre_hooks",
             "_backward_hooks"))  # fmt: skip
    mods = model.modules() if modules is None else modules
    if any(vars(m).get(k) for m in mods for k in kinds):  # (this reads its weights)
        raise TypeError(fused_message("hooks", owner=owner))
    if training and any(getattr(p, "_hooks", None) for p in model.parameters()):
        raise TypeError(fused_message("grad_hooks", owner=owner))


def check_chain(layers: list[Any], owner: str, training: bool, got: str) -> None:
    """Refuse, for the fast path, layers (``layers_of``'s, of a model of class ``got``) that
    are no chain of Linear layers: none at all, a Linear used twice for training (each use's
    dL/dW would overwrite the other's in its one ``.grad``; the graph adds them up), sizes
    that do not chain, or a softmax before the output layer."""
    if not layers:
        raise TypeError(f"{owner}: the model has no Linear layer. Got {got}.")
    if training and len({id(lay.linear) for lay in layers}) < len(layers):
        raise TypeError(fused_message("shared", owner=owner))
    for i, lay in enumerate(layers[:-1]):
        if lay.neurons != layers[i + 1].inputs:
            raise TypeError(
                fused_message("sizes", owner=owner, i=i, lay=lay, following=layers[i + 1])
            )
        if lay.act == "softmax":
            raise TypeError(fused_message("softmax", owner=owner, i=i, n=len(layers)))


def check_activation(m: Any, owner: str, known: Any, layers: list[Any]) -> tuple[str, float]:
    """The fast path's (name, slope) of an activation module ``m`` after ``layers`` (a
    Linear layer's, which has none yet, else refused): its name must be in ``known``
    (glassnet.functional.ACTIVATIONS, else :func:`missing_activation`'s ValueError) and
    its slope pass :func:`check_slope`."""
    if not layers:
        raise TypeError(fused_message("starts", owner=owner, kind=type(m).__name__))
    if layers[-1].act != "identity":
        raise TypeError(fused_message("two", owner=owner, first=layers[-1].act, then=m.name))
    if m.name not in known:  # (a TableActivation's entry, added elsewhere)
        raise ValueError(missing_activation(m.name, owner))
    return m.name, check_slope(getattr(m, "alpha", 0.0), owner)


def fused_message(key: str, **facts: Any) -> str:
    """The message of the fast path's refusal ``key`` (``layers_of``: a model that is no
    Module, hooks, an activation first or two in a row, a LeakyReLU's slope, a layer of
    another kind, shared weights, sizes that do not chain, softmax before the output layer;
    ``FastMLP.trace``'s X), from the facts the refusal names."""
    return _FUSED_MESSAGES[key](**facts)


_TRAIN_MESSAGES: dict[str, Callable[..., str]] = {
    "callback": lambda arg, c: (
        f"fit: {arg} must be a glassnet Callback (an instance), a function f(state), or a "
        f"list of them. Got {c!r:.80}"
        f"{f': pass an instance, {c.__name__}()' if isinstance(c, type) else ''}."
    ),
    "new_run": lambda rule, initial: (
        f"fit: the {type(rule).__name__} in stop_rules last saw epoch {rule.epoch}, not "
        f"initial_epoch={initial}: give it the state_dict() saved at epoch "
        f"{initial} (load_state_dict), or pass a new one."
    ),
    "no_validation": lambda kind: (
        f"fit: {kind} watches the validation loss, and the run has no "
        "validation data: pass validation_data or validation_split."
    ),
}


def train_message(key: str, **facts: Any) -> str:
    """The message of fit's refusal ``key`` (a callback that is none, a stop rule given to
    a run resumed at another epoch, a rule watching a validation loss the run lacks), from
    the facts the refusal names."""
    return _TRAIN_MESSAGES[key](**facts)


# ---------------------------------------- tensor / functional: the refusals' wording
# (tensor and functional keep each refusal's condition and raise these messages on its
# failing branch only; the label and target checks below take arrays, not Tensors)
_TENSOR_MESSAGES: dict[str, Callable[..., str]] = {
    "leaf_flag": lambda op: (
        f"requires_grad=False on the result of op {op!r}: only a leaf's flag can "
        "change (PyTorch's rule). For a copy outside the graph use x.detach()."
    ),
    "retain_grad": lambda: (
        "retain_grad() on a tensor that does not require grad: it gets no gradient to "
        "keep. Set requires_grad=True on the leaves it is computed from."
    ),
    "register_hook": lambda: (
        "register_hook on a tensor that does not require grad: set requires_grad=True "
        "on it, or on the leaves it comes from."
    ),
    "inputs": lambda inputs: (
        "backward(): inputs must be a tensor that requires grad, or a non-empty "
        f"sequence of them. Got {inputs!r:.80}."
    ),
    "create_graph": lambda: (
        "backward(create_graph=True): glassnet does not record its backward pass, so there "
        "are no second derivatives (gn.autograd.grad(create_graph=True) refuses it too); "
        "call backward() once, create_graph=False."
    ),
    "backward_no_grad": lambda: (
        "backward() on a tensor that does not require grad: no input had "
        "requires_grad=True (or it ran inside no_grad())."
    ),
    "non_scalar": lambda shape: (
        f"backward() of a non-scalar tensor of shape {shape} needs grad= of that "
        "shape; or reduce it to a scalar first (.sum() or .mean())."
    ),
    "seed_shape": lambda got, shape: (
        f"backward(): grad has shape {got}; pass one of the tensor's shape {shape}"
    ),
    "in_place": lambda op, shape: (
        f"backward of op {op!r}: an input of shape {shape} was changed "
        "in place (x += ..., x[i] = ..., x.add_(...)) after the op used it, which "
        "glassnet refuses for every op (PyTorch: where the backward reads it): "
        "call backward() before the write, or write into a copy, x.clone()."
    ),
    "grad_shape": lambda op, got, shape: (
        f"backward of op {op!r} produced a gradient of shape {got} "
        f"for an input of shape {shape}; a backward returns a tuple, "
        "one gradient per input, of its shape: (g * ...,) for one input"
    ),
    "matmul": lambda a, b: (
        f"op 'matmul': shapes {a} and {b} do not match: the last axis of the "
        "left must equal the second-to-last (a vector's only) axis of the right."
    ),
    "empty_mean": lambda shape, axis: (
        f"mean over an axis of length 0 (a tensor of shape {shape}, axis {axis}) has "
        "no values to average; check the batch is not empty, or take the sum."
    ),
    "broadcast": lambda op, a, b: (
        f"op {op!r}: shapes {a} and {b} cannot be broadcast together "
        "(NumPy broadcasting compares shapes from the right; each pair must be equal or 1)."
    ),
    "flag": lambda value: (  # (an int: PyTorch's sizes, Tensor(2, 3), read as data and a flag)
        f"Tensor: requires_grad must be True or False. Got {value!r:.40}"
        + (" (PyTorch's sizes, Tensor(2, 3)? gn.empty(2, 3))" if type(value) is int else "")
        + "."
    ),
    "anomaly": lambda where, op, who, bad: (  # (who names the node: "label 'z1'", or "")
        f"{where} of op {op!r}{f' ({who})' if who else ''} produced {bad}. Check the inputs of "
        "this op, or lower the learning rate if the values grew during training."
    ),
}


# PyTorch's names a module of glassnet has not, and what to write instead (the modules'
# __getattr__: glassnet's and glassnet.nn.init's); any other name: Python's own message
_GPU = "the GPU path is CuPy's, see docs/gpu.md"
_FLOATS = (
    "glassnet has no mixed precision: it trains in float32 or float64 (pass dtype=, or "
    "gn.set_default_dtype); leave {name} out"
)
_MISSING_NAMES: dict[str, dict[str, str]] = {
    "glassnet": {
        "autocast": _FLOATS,
        "amp": _FLOATS + " (a GradScaler is not needed without float16)",
        "compile": (
            "glassnet has no torch.compile: fit(..., engine='jit') trains compiled (numba, "
            "glassnet[jit]; see glassnet.jit); leave the model uncompiled"
        ),
        "backends": (
            "glassnet has no torch.backends: pick the device with "
            "'cuda' if gn.cuda.is_available() else 'cpu' (no mps; " + _GPU + ")"
        ),
        "mps": (
            "glassnet has no mps device: 'cuda' if gn.cuda.is_available() else 'cpu' (" + _GPU + ")"
        ),
    },
    "glassnet.nn.init": {
        "_calculate_fan_in_and_fan_out": (
            "glassnet has not PyTorch's private _calculate_fan_in_and_fan_out: the fans are "
            "the weight's shape, fan_in = W.shape[0] for the lecture's W: (inputs, neurons), "
            "weight.shape[1] for PyTorch's (out, in) used with nn.functional.linear (and "
            "nn.init's fan-based initializers take layout='torch' for that one)"
        ),
    },
}


def missing_name(module: str, name: str) -> AttributeError:
    """The AttributeError of ``module.name`` (a module's ``__getattr__``): Python's message,
    and for a PyTorch name glassnet has not, what to write instead."""
    hint = _MISSING_NAMES.get(module, {}).get(name)
    told = f"module {module!r} has no attribute {name!r}"
    return AttributeError(f"{told}: {hint.format(name=name)}." if hint else told, name=name)


def backward_flags(retain_graph: Any, create_graph: Any) -> None:
    """``Tensor.backward``'s PyTorch switches: ``retain_graph`` any flag (glassnet keeps
    every graph), ``create_graph`` False only (True is refused, as autograd.grad refuses it:
    there are no second derivatives)."""
    check_flag(False if retain_graph is None else retain_graph, "retain_graph", "backward")
    if check_flag(create_graph, "create_graph", "backward"):
        raise ValueError(tensor_message("create_graph"))


def backward_args(
    t: Any, grad: Any, gradient: Any, retain_graph: Any, create_graph: Any, inputs: Any
) -> tuple[Any, set[int] | None]:
    """``t.backward``'s arguments checked: the seed (``grad``, or ``gradient``, PyTorch's name;
    None only for one value), the switches (:func:`backward_flags`), and ``inputs``, a
    tensor or a sequence of tensors that require grad, as the ids of those whose ``.grad``
    takes the gradient (None: every leaf's, PyTorch's default). Returns (seed, ids)."""
    if gradient is not None:  # (PyTorch's name)
        if grad is not None:
            raise TypeError("backward(): pass grad or gradient (PyTorch's name), not both.")
        grad = gradient
    backward_flags(retain_graph, create_graph)  # (create_graph=True refused, saying why)
    keep = None
    if inputs is not None:
        tensor = next(c for c in reversed(type(t).__mro__) if "backward" in vars(c))  # Tensor
        given = [inputs] if isinstance(inputs, tensor) else inputs  # (one Tensor)
        given = list(given) if hasattr(given, "__iter__") and not isinstance(given, str) else []
        if not given or not all(isinstance(x, tensor) and x._rg for x in given):
            raise ValueError(tensor_message("inputs", inputs=inputs))  # (tensors needing grad)
        keep = {id(x) for x in given}
    if not t.requires_grad:
        raise RuntimeError(tensor_message("backward_no_grad"))
    if grad is None and t.data.size != 1:
        raise RuntimeError(tensor_message("non_scalar", shape=t.data.shape))
    return grad, keep


def tensor_message(key: str, **facts: Any) -> str:
    """The message of a Tensor's refusal ``key`` (a flag that is no bool, a non-leaf's flag,
    ``retain_grad`` or ``register_hook`` without grad, ``backward``'s inputs, seed and
    in-place checks, a backward's gradient shape, matmul and broadcast shapes, an empty mean,
    detect_anomaly's NaN or inf), from the facts the refusal names."""
    return _TENSOR_MESSAGES[key](**facts)


def grad_flag(t: Any, value: Any) -> bool:
    """``t.requires_grad = value``'s flag: a bool (``"no"`` would read as True), and True on
    an op's result (False would stop ``backward()`` there, its inputs' gradients missing in
    silence: ``t.detach()`` is the copy outside the graph)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(tensor_message("flag", value=value))
    if not value and getattr(t, "backward_fn", None) is not None:
        raise RuntimeError(tensor_message("leaf_flag", op=t.op))
    return bool(value)


def grad_shape_error(op: str, got: tuple, shape: tuple) -> ValueError:
    """The refusal of a gradient of shape ``got`` that op ``op``'s backward returned for an
    input of shape ``shape`` (a user's op, ``autograd.Function``'s, returned the wrong one)."""
    return ValueError(tensor_message("grad_shape", op=op, got=got, shape=shape))


def checked_grad(value: Any, like: Any, array: bool) -> None:
    """Refuse a ``.grad`` that is no array (``array`` False: not NumPy's nor the device's)
    or not of ``like``'s shape and dtype: the Tensor's setter calls this only off its
    inline fast test."""
    if not array:
        raise TypeError(
            f"grad must be a NumPy array or None. Got {type(value).__name__}; "
            "pass np.asarray(...) of the tensor's shape and dtype."
        )
    if value.shape != like.shape or value.dtype != like.dtype:
        raise ValueError(
            f"grad must have the tensor's shape {like.shape} and dtype "
            f"{like.dtype}. Got shape {value.shape}, dtype {value.dtype}; "
            "a gradient of another shape or dtype cannot accumulate into this tensor."
        )


def label_value(v: Any) -> Any:
    """A class label as a message shows it: a whole-number float that int64 holds as an int
    (2.0 as 2), any other value (1e+20, inf, 0.5) as it is."""
    v = v.item() if hasattr(v, "item") else v
    whole = isinstance(v, float) and math.isfinite(v) and v.is_integer() and abs(v) < 2**63
    return int(v) if whole else v


def class_labels(who: str, y: Any, classes: int | None, logits: Any = None) -> tuple[Any, int]:
    """1-D integer labels in [0, classes) (whole-number floats and bools become integers)
    and the number of classes (the largest label + 1 when ``classes`` is None), from the
    array ``y`` (NumPy's, or the device's as the caller holds it: none is converted here);
    with cross_entropy's ``logits`` shape (N, C), first one label a row of them."""
    if logits is not None and y.shape[0] != logits[0]:
        raise ValueError(
            f"op 'cross_entropy': logits {logits} need one label per row; got labels {y.shape}."
        )
    if y.dtype.kind == "f" and np.any(np.abs(y) >= np.float64(2.0**63)):  # (inf, 1e20: no
        # int64 holds it; a float64 bound: 2**63 cast to float16 overflowed, warning)
        lo, hi = label_value(np.nanmin(y)), label_value(np.nanmax(y))
        raise ValueError(
            f"{who}: labels must lie in [0, {classes - 1}] (>= 0 and < num_classes={classes}). "
            f"Got labels from {lo} to {hi}."
            if classes
            else f"{who}: labels must be integer class labels (integers 0..C-1). Got labels "
            f"from {lo} to {hi}, beyond any number of classes."
        )
    if y.dtype.kind == "b" or (y.dtype.kind == "f" and np.all(y == np.round(y))):
        y = y.astype(np.int64)  # (a bool array would index as a mask)
    if y.dtype.kind == "f":  # (whole numbers were taken above)
        bad = y[y != np.round(y)].flat[0]
        raise TypeError(
            f"{who}: labels must be integer class labels (integers 0..C-1). Got {bad}, "
            "not a whole number; round them, or pass rows of class probabilities (N, C)."
        )
    if y.dtype.kind not in "iu":
        raise TypeError(
            f"{who}: labels must be integer class labels (integers 0..C-1). Got dtype {y.dtype}; "
            "encode strings with glassnet.preprocessing.LabelEncoder, or pass probability rows."
        )
    if y.ndim != 1:
        raise ValueError(f"{who}: labels must be 1-D. Got shape {y.shape}.")
    c = int(y.max()) + 1 if classes is None and y.size else int(classes or 0)
    if y.size and y.view(f"{y.dtype.byteorder}u{y.itemsize}").max() >= c:  # (negative: huge)
        raise ValueError(
            f"{who}: labels must lie in [0, {c - 1}] (>= 0 and < num_classes={c}). "
            f"Got labels from {y.min()} to {y.max()}."
        )
    return y, c


def unit_target(who: str, y: Any) -> None:
    """Refuse a binary cross-entropy target outside [0, 1] (NaN too): with -1/+1 labels the
    loss falls below 0, without end. One min and one max."""
    lo, hi = (y.min(), y.max()) if y.size else (0, 0)
    if not (lo >= 0 and hi <= 1):
        raise ValueError(
            f"{who}: the target must lie in [0, 1] (labels 0 and 1, or probabilities). Got "
            f"values from {float(lo):.4g} to {float(hi):.4g}; for -1/+1 labels pass (y + 1) / 2."
        )


def _probabilities_message(p: Any) -> str:
    """binary_cross_entropy's refusal of a prediction ``p`` (a NumPy array) outside [0, 1]:
    where it holds NaN, the first NaN's index (a min and max of NaN say nothing); else how
    many values lie outside, and their range."""
    out = (p < 0) | (p > 1)
    got = (
        f"The prediction holds NaN (first at index {tuple(map(int, np.argwhere(np.isnan(p))[0]))}),"
        " the output of a model that diverged or read NaN"
        if np.isnan(p).any()
        else f"Got {int(out.sum())} value(s) outside, from {p[out].min():.4g} to {p[out].max():.4g}"
    )
    return (
        f"op 'binary_cross_entropy': probabilities must lie in [0, 1]. {got}; for raw scores "
        "(logits) use binary_cross_entropy_with_logits."
    )


def _target_shape_hint(who: str, x: tuple, y: tuple) -> str:
    """The fix for a loss's target of shape ``y`` beside a prediction of shape ``x``, as the
    shapes show it: cross_entropy's labels (N,) or rows of C columns; a reshape where the
    sizes agree; else one value per entry (the losses do not broadcast)."""
    n = x[0] if x else 1
    if who == "op 'cross_entropy'":
        c = x[-1]
        if y == (n, 1) and c > 1:
            return (
                f"the target is one column {y} beside {c} classes: labels go as (N,) integers, "
                f"y.reshape(-1), or as probability rows ({n}, {c})."
            )
        if len(y) == 2 and y[0] == n:
            return f"one-hot or probability rows need {c} columns, one per class; got {y[1]}."
        return f"pass class labels of shape ({n},) or probability rows of shape {x}."
    if math.prod(y) == math.prod(x) and len(x) == len(y) == 2 and y == x[::-1] and min(x) > 1:
        return "the target looks transposed: pass y.T."  # (a reshape would mispair them)
    lines = sum(d > 1 for d in x) <= 1 and sum(d > 1 for d in y) <= 1  # (a vector, row, column)
    ones = [d for d in x if d != 1] == [d for d in y if d != 1]  # (apart by axes of size 1)
    if math.prod(y) == math.prod(x) and (lines or ones):  # (a reshape pairs them right)
        spell = {((n, 1), (n,)): "-1, 1", ((n,), (n, 1)): "-1"}.get((x, y), str(x)[1:-1])
        spell = spell.rstrip(",") or "()"  # ((3,): 3; a 0-d prediction: ())
        return f"reshape the target: y.reshape({spell})."
    if math.prod(y) == math.prod(x):  # (rows or columns: which order they are in, not told)
        return (
            f"the target holds the prediction's {math.prod(x)} values in another shape; pass "
            f"one value per entry of the prediction, shape {x}, in the prediction's order."
        )
    if y == ():
        return f"the losses do not broadcast; pass np.broadcast_to(y, {x})."
    return f"the target needs one value per entry of the prediction, shape {x}."


_OF_PROBABILITIES = {
    "softmax": "the lecture's -sum y log y_hat, nll_loss(p.log(), labels)",
    "sigmoid": "binary_cross_entropy(p, y)",
}
_FUNCTIONAL_MESSAGES: dict[str, Callable[..., str]] = {
    "linear": lambda x, w, n: (
        f"op 'linear': input of shape {x} does not fit weights of shape {w}; "
        + (
            f"the layer expects inputs of shape (N, {n}) or ({n},), or (N, *, {n})."
            if n is not None
            else "W must be 2-D, of shape (inputs, neurons)."
        )
    ),
    "weights": lambda name, w, n: f"op {name!r}: sample_weight has shape {w}; expected ({n},).",
    "squashed": lambda name, head, got: (
        f"{name} takes logits, the last Linear layer's output, and applies {head} itself; "
        f"its input here is a {got}'s output (probabilities), which it would squash twice (a "
        "wrong loss and gradient). Pass the logits (output_activation='identity', or a "
        "forward that returns them), or take the loss of probabilities: "
        f"{_OF_PROBABILITIES.get(got, _OF_PROBABILITIES['softmax'])}."
    ),
    "fixed_target": lambda who: (
        f"{who}: the target requires grad, but this loss passes it no gradient; pass "
        "target.detach(), or write the loss from Tensor ops."
    ),
    "target_shape": lambda who, x, y: (
        f"{who}: prediction of shape {x} and target of shape {y} differ; "
        + _target_shape_hint(who, x, y)
    ),
    "target_range": lambda who, y, at, dt: (
        f"{who}: the target holds {y[at].item()!r} at index {at}, beyond the range of "
        f"{dt}, the prediction's dtype. Scale the targets (their loss then fits), or "
        "pass gn.tensor(target, dtype=gn.float64) (the wider dtype wins), or train a "
        "float64 model."
    ),
    "probabilities": lambda p: _probabilities_message(p),
    "unknown": lambda what, name, valid: (  # (valid: the table and its aliases, as one dict)
        f"Unknown {what} {name!r}. Valid names: {', '.join(sorted(set(valid)))}."
    ),
    "dropout_rng": lambda rng: (
        "glassnet.functional.dropout(x, p, rng, training): rng, the source of the masks, "
        "must be a numpy.random.Generator, a numpy.random.RandomState or an int seed >= 0 "
        f"(None only where no mask is drawn: training=False or p=0). Got {shown(rng)} of type "
        f"{type(rng).__name__}. For PyTorch's F.dropout(x, p, training) use "
        "glassnet.nn.functional.dropout (import glassnet.nn.functional as F; its masks come "
        "from the generator gn.manual_seed seeds), or pass rng=np.random.default_rng(seed)."
    ),
    "jacobian": lambda name, J, g: (  # (g: the shape of the block of dL/da given)
        f"activation {name!r} has elementwise=False: its grad(z, a) must "
        f"return the Jacobian d a_i / d z_j, shape (..., C, C) for z and a of shape "
        f"(..., C); it returned {getattr(J, 'shape', type(J))} for {g}. An "
        "elementwise g'(z) needs elementwise=True."
    ),
}


def dropout_rng(rng: Any) -> Any:
    """glassnet.functional.dropout's source of masks: a Generator or a RandomState as it is,
    an int >= 0 as ``numpy.random.default_rng(rng)`` (as :func:`as_rng` reads a seed); a
    bool, None or anything else refused with PyTorch's order (x, p, training) named."""
    if isinstance(rng, (np.random.Generator, np.random.RandomState)):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, (bool, np.bool_)) and rng >= 0:
        return np.random.default_rng(int(rng))
    raise TypeError(functional_message("dropout_rng", rng=rng))


def functional_message(key: str, **facts: Any) -> str:
    """The message of a functional op's refusal ``key`` (linear's shapes, a loss's
    sample_weight shape, probabilities given to a loss on logits, a target that requires
    grad, of another shape, beyond the prediction's dtype, probabilities outside [0, 1], a
    vector activation's grad that returns no Jacobian, a name no table holds), from the facts
    the refusal names."""
    return _FUNCTIONAL_MESSAGES[key](**facts)
