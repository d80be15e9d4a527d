"""Preprocessing: split data, standardize numbers, encode categories and labels.

* :func:`train_test_split` shuffles row indices with a seed and splits any number
  of arrays the same way (optionally keeping class proportions).
* :class:`StandardScaler` maps each column to zero mean and unit variance.
* :class:`OneHotEncoder` turns categorical string columns into 0/1 indicator
  columns (the lecture's one-hot encoding of class labels, applied to inputs).
* :class:`LabelEncoder` maps class labels of any type to ``0 .. C-1``.
* :class:`Preprocessor` combines the two encoders for a :class:`~glassnet.datasets.Table`
  read from a CSV file.

:class:`StandardScaler` and :class:`OneHotEncoder` follow scikit-learn's transformer protocol
(``fit(X, y=None)`` with ``y`` ignored, ``get_params``/``set_params``,
``get_feature_names_out``), so ``sklearn.base.clone`` and a ``Pipeline`` take them.

Every fitted object has ``to_dict()`` / ``from_dict()`` that round-trip through
``json.dumps`` / ``json.loads`` (plain lists, str, float, int: no pickle), so it
can be stored in a model file and applied again at prediction time.
"""

from __future__ import annotations

import itertools
import math
import numbers
import re
import sys
import unicodedata
import warnings
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any, NamedTuple

import numpy as np

from ._validation import (
    as_rng,
    check_float_dtype,
    column_change,
    mixed_names,
    seed_alias,
    unique_names,
)
from .datasets import SeedLike, Table

__all__ = [
    "LabelEncoder",
    "NotFittedError",
    "OneHotEncoder",
    "Preprocessor",
    "StandardScaler",
    "train_test_split",
]


class NotFittedError(ValueError, AttributeError):
    """Raised when a transformer is used before ``fit`` (a ValueError and an AttributeError,
    like scikit-learn's)."""


def _not_fitted(obj: object, call: str = "fit") -> NotFittedError:
    name = type(obj).__name__
    return NotFittedError(f"This {name} is not fitted yet: call {call} before using it.")


#: The longest value a message shows whole; a longer one (a free-text cell, a review) is
#: shown by its start and end, and its length.
LONGEST_SHOWN = 80


def _common_start(a: str, b: str) -> int:
    """The length of the start ``a`` and ``b`` share (a binary search on slices: C speed on
    100,000-character cells)."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def differ_points(texts: Sequence[str]) -> list[int]:
    """For each of ``texts`` the position where it first differs from the one nearest to it
    (the longest start it shares with another), 0 for a text alone: where an abridged text
    must be shown for texts that share a long start (URLs differing in the middle) to be
    told apart."""
    order = sorted(range(len(texts)), key=texts.__getitem__)
    points = [0] * len(texts)
    for a, b in zip(order, order[1:]):  # (the nearest texts are neighbours in sorted order)
        shared = _common_start(texts[a], texts[b])
        points[a], points[b] = max(points[a], shared), max(points[b], shared)
    return points


def abridge(text: str, differ_at: int = 0, length: int | None = None) -> str:
    """``text`` (as shown: quoted, escaped) itself up to :data:`LONGEST_SHOWN` characters, else
    its start, end and ``length`` ("(5,000 characters)"), and where it first differs from the
    texts shown beside it (``differ_at``, :func:`differ_points`) when the start does not hold
    that: "'https://shop.example.com/...ultrabooks/item-7-details/revi...=homepage'"."""
    if len(text) <= LONGEST_SHOWN:
        return text
    suffix = f" ({length:,} characters)" if length is not None else ""
    n = len(text)
    if differ_at < 50:
        spans = [(0, 60), (n - 10, n)]
    else:
        spans = sorted([(0, 25), (max(0, differ_at - 20), min(n, differ_at + 25)), (n - 10, n)])
    merged = [spans[0]]
    for a, b in spans[1:]:
        if a <= merged[-1][1] + 3:  # (a gap of a few characters: shown rather than '...')
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return "...".join(text[_whole(text, a, 0) : _whole(text, b, 1)] for a, b in merged) + suffix


#: An escape a shown text holds (repr's \\x1b, \\u0301, \\U0001f600, \\n): never cut in two.
_ESCAPE = re.compile(r"\\(?:x[0-9a-f]{2}|u[0-9a-f]{4}|U[0-9a-f]{8}|.)")


def _whole(text: str, at: int, end: int) -> int:
    """``at``, or the start (``end`` 0) or the end (1) of the escape it would cut in two."""
    for m in _ESCAPE.finditer(text, max(0, at - 9), min(len(text), at + 9)):
        if m.start() < at < m.end():
            return m.end() if end else m.start()
    return at


def _display(value: Any) -> str:
    """``repr(value)``; for a text with combining marks (an accent written as a letter and a
    mark: the NFD 'Café' of a macOS export), each mark escaped ('Cafe\\u0301'), as its repr
    looks the same as the composed text's."""
    text = repr(value)
    if isinstance(value, str) and unicodedata.normalize("NFC", value) != value:
        text = "".join(_marks_escaped(text))
    return text


def _marks_escaped(text: str) -> Iterator[str]:
    """The characters of ``text``, a combining mark escaped only where NFC combines it with
    the character before it (the e and \u0301 of an NFD 'Café'); the marks of a script
    written with them (Devanagari's virama in 'नमस्ते') are shown as they are."""
    before = ""  # the character before, composed with the marks escaped after it
    for c in text:
        if before and unicodedata.combining(c):
            composed = unicodedata.normalize("NFC", before + c)
            if len(composed) < len(before) + 1:
                yield f"\\u{ord(c):04x}"
                before = composed
                continue
        yield c
        before = c


def _length(value: Any) -> int | None:
    return len(value) if isinstance(value, str) else None


def _shown(value: Any) -> str:
    """``repr(value)``, or for a long one its first and last characters and its length:
    "'qqqq...qqq' (5,000 characters)"."""
    return abridge(_display(value), 0, _length(value))


def loose_text(value: Any) -> str:
    """A text read loosely: Unicode-normalized (NFKC: an accent written as one character or
    as a letter and a combining mark, a full-width letter), without case, blanks collapsed,
    without invisible characters (:func:`invisible_characters`: "No\u200b" is "no")."""
    text = unicodedata.normalize("NFKC", str(value))
    if not text.isascii():
        text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return " ".join(text.casefold().split())


def loose_spelling(text: str) -> str:
    """What a label or category is, read loosely: a number's value ("1", "1.0" and "01" are
    1.0), or the text Unicode-normalized, without case and with its blanks collapsed ("Yes",
    "yes"; "Café" with its accent as one character or as a combining mark: :func:`loose_text`).
    Two values of one loose spelling are one written otherwise, for train's warning and
    predict's hints alike."""
    if re.fullmatch(r"\s*[+-]?\d+\s*", text) and abs(int(text)) >= 2**53:
        return str(int(text))  # (past float64's whole numbers: 20-digit codes stay apart)
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if math.isfinite(value):
        return repr(value)
    return loose_text(text)


def number_written_otherwise(value: str, known: str) -> str:
    """How the number ``value`` is written otherwise than ``known``, the same number:
    "leading zeros lost, as a spreadsheet drops them" ('2134' for '02134'), "leading zeros
    added", "a whole number written as a float" ('1.0' for '1'), or "how the number is
    written" ('1e3' for '1000'); "" where they are not one number written two ways."""
    a, b = value.strip(), known.strip()
    if a == b or loose_text(a) == loose_text(b) or loose_spelling(a) != loose_spelling(b):
        return ""
    if re.fullmatch(r"\d+", a) and re.fullmatch(r"\d+", b) and a.lstrip("0") == b.lstrip("0"):
        if len(b) > len(a):  # ('2134' for '02134'; not '5' for '+5', nor '002134' for '02134')
            return "leading zeros lost, as a spreadsheet drops them"
        return "leading zeros added"
    if re.fullmatch(r"[+-]?\d+[.,]0+", a) and re.fullmatch(r"[+-]?\d+", b):
        return "a whole number written as a float"
    return "how the number is written"


def invisible_characters(value: Any) -> list[str]:
    """The distinct invisible characters of a text, as Unicode names them ("ZERO WIDTH
    SPACE (U+200B)"): the format characters (category Cf: a zero-width space, joiner or
    non-joiner, a word joiner, a byte-order mark, a soft hyphen), which a spreadsheet cell
    or a web page carries unseen."""
    text = str(value)
    if text.isascii():
        return []
    return [
        f"{unicodedata.name(ch, 'a character')} (U+{ord(ch):04X})"
        for ch in dict.fromkeys(text)
        if unicodedata.category(ch) == "Cf"
    ]


def visible_text(value: Any) -> str:
    """``repr(value)``, with the combining marks of a text not in Unicode's composed form
    (NFC) escaped, as its repr looks the same as the composed text's: 'Cafe\\u0301' for the
    NFD 'Café'; a long one abridged (:func:`abridge`), the escaped text."""
    return _shown(value)


def shown_apart(values: Sequence[Any], among: Sequence[Any] = ()) -> list[str]:
    """:func:`visible_text` of each of ``values``, a long one abridged so as to show where it
    first differs from the others and from ``among`` (values shown beside them)."""
    texts = [_display(v) for v in values]
    points = differ_points(texts + [_display(v) for v in among])
    return [abridge(t, p, _length(v)) for t, p, v in zip(texts, points, values)]


def _few(values: Sequence[Any], limit: int = 5, among: Sequence[Any] = ()) -> str:
    """At most ``limit`` values, then how many there are: "['a', 'b', ...] (300 in all)";
    each value abridged past :data:`LONGEST_SHOWN` characters, where it differs from the
    others and from ``among`` shown (:func:`shown_apart`)."""
    values = list(values)
    shown = "[" + ", ".join(shown_apart(values[:limit], list(among)[:limit]))
    if len(values) <= limit:
        return shown + "]"
    return shown + f", ...] ({len(values)} in all)"


def _check_dict(d: Any, cls: str, keys: Sequence[str]) -> Mapping[str, Any]:
    """Validate the outer shape of a ``to_dict()`` payload."""
    if not isinstance(d, Mapping):
        raise TypeError(
            f"{cls}.from_dict expects a dict made by {cls}.to_dict(). Got {type(d).__name__}."
        )
    if d.get("type") != cls:
        raise ValueError(
            f"{cls}.from_dict expects a dict with 'type': {cls!r}. Got 'type': {d.get('type')!r}."
        )
    missing = [k for k in keys if k not in d]
    if missing:
        raise ValueError(
            f"{cls}.from_dict: the dict lacks the key(s) {missing}; it has {sorted(d)}."
        )
    return d


def _repeated(texts: Sequence[str]) -> list[str]:
    """The texts listed more than once in ``texts``, sorted, each once."""
    seen: set[str] = set()
    return sorted({t for t in texts if t in seen or seen.add(t)})  # type: ignore[func-returns-value]


def _names_of(values: Any, where: str, field: str, size: int | None = None) -> list[str]:
    """A list of distinct str from a ``to_dict`` payload (column names, categories), as
    ``to_dict`` writes them (``size`` of them, one per column, where given); else a
    ValueError naming ``where``'s ``field`` and the value."""
    odd = (
        [values] if not isinstance(values, list) else [v for v in values if not isinstance(v, str)]
    )
    if odd:
        raise ValueError(
            f"{where}: {field!r} must be a list of str, as to_dict writes it. Got "
            f"{odd[0]!r:.80} ({type(odd[0]).__name__})."
        )
    if size is not None and len(values) != size:
        raise ValueError(
            f"{where}: {field!r} must be a list of {size} str, one per column. Got "
            f"{len(values)}: {values!r:.80}."
        )
    dup = _repeated(values)
    if dup:
        raise ValueError(f"{where}: {field!r} repeats {_few(dup)}: each is listed once.")
    return list(values)


def _numbers_of(values: Any, where: str, field: str) -> np.ndarray:
    """A non-empty list of finite JSON numbers from a ``to_dict`` payload as a float64 array;
    a str, a bool, null, NaN or inf, or an int beyond float64 is a ValueError naming
    ``where``'s ``field``, the item and its index."""
    if not isinstance(values, list) or not values:
        raise ValueError(
            f"{where}: {field!r} must be a non-empty list of numbers. Got {values!r:.80}."
        )
    for i, v in enumerate(values):
        number = _is_number(type(v))
        try:
            finite = number and math.isfinite(float(v))
        except OverflowError:  # (an int beyond float64's range)
            finite = False
        if not finite:
            what = "not finite" if number else f"a {type(v).__name__}, not a number"
            raise ValueError(
                f"{where}: {field!r} must hold finite numbers (JSON numbers, as to_dict "
                f"writes them). Item {i} is {v!r:.40}: {what}."
            )
    return np.array([float(v) for v in values], dtype=np.float64)


def _frame_names(X: Any) -> list[str] | None:
    """The column names of a pandas DataFrame whose names are all str (scikit-learn's rule
    for ``feature_names_in_``), else None (an array, a list, a frame of unnamed columns)."""
    cols = getattr(X, "columns", None)
    if cols is None or not hasattr(X, "iloc"):  # (pandas is not imported)
        return None
    names = list(cols)
    return names if names and all(isinstance(n, str) for n in names) else None


def _check_frame_names(X: Any, fitted: Sequence[str] | None, name: str, where: str) -> None:
    """Raise when ``X`` is a DataFrame whose column names differ from those seen at fit
    (``fitted``; None: fitted without names): its columns would be taken by position,
    silently the wrong ones when they come in another order."""
    got = _frame_names(X)
    if got is None or fitted is None or got == list(fitted):
        return
    todo = column_change(got, list(fitted), _few) + (
        f": pass X[{list(fitted)!r}]"
        if sorted(got) == sorted(fitted)
        else ": pass a DataFrame with the fitted columns, in order"
    )
    raise ValueError(
        f"The '{name}' parameter of {where} is a DataFrame with columns {_few(got)}, but it was "
        f"fitted on columns {_few(list(fitted))}; {todo}."
    )


def _y_rows(y: Any) -> int | None:
    """The number of rows of a target ``y`` (its first dimension), or None when it has none
    (a scalar: not a target)."""
    shape = getattr(y, "shape", None)
    if shape is None:
        try:  # (a list, or an object NumPy reads as an array through __array__)
            shape = np.asarray(y).shape
        except (TypeError, ValueError):  # (a list of rows of different lengths)
            return len(y) if hasattr(y, "__len__") else None
    return int(shape[0]) if len(shape) else None


def _table_shape(X: Any) -> tuple[int, int] | None:
    """``(rows, columns)`` of ``X`` (a 1-D ``X`` is one column), read without converting it
    (an array's or a DataFrame's shape; a list's length and its first row's); None when it
    is no table (refused later, by the conversion)."""
    shape = getattr(X, "shape", None)
    if shape is None:
        try:
            first = X[0] if len(X) else None
        except (TypeError, KeyError, IndexError):
            return None
        if isinstance(first, str | bytes) or not hasattr(first, "__len__"):
            return len(X), 1
        return len(X), len(first)
    if len(shape) == 1:
        return int(shape[0]), 1
    return (int(shape[0]), int(shape[1])) if len(shape) == 2 else None


def _str_values(y: Any) -> list[str] | None:
    """``y``'s values when it is a 1-D list, tuple, array or pandas Index of str (what may be
    column names), else None (a Series, a 2-D target, numbers: a target only)."""
    if hasattr(y, "iloc") or not (
        isinstance(y, list | tuple | np.ndarray) or type(y).__name__.endswith("Index")
    ):
        return None
    if np.ndim(y) != 1:
        return None
    values = list(y)
    if not values or not all(isinstance(v, str) for v in values):
        return None
    return [str(v) for v in values]  # (NumPy's str_ as str)


def _check_y(y: Any, n_rows: int, where: str) -> None:
    """scikit-learn's ``fit(X, y=None)``: ``y`` (a Pipeline passes its target) is ignored by a
    transformer, but one that cannot be ``X``'s target (another number of rows, a str, a
    scalar) is refused rather than dropped silently."""
    if y is None:
        return
    rows = None if isinstance(y, str | bytes) else _y_rows(y)
    if rows != n_rows:
        got = f"{rows} rows" if rows is not None else f"a {type(y).__name__}"
        raise ValueError(
            f"The 'y' parameter of {where} is the target (scikit-learn's fit(X, y), ignored by "
            f"this transformer), which must have one value per row of X ({n_rows}); got {got}"
            f" ({_short_repr(y)}). Pass y=None, or the target of these rows."
        )


def _short_repr(value: Any, limit: int = 60) -> str:
    text = repr(value).replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _names_in(obj: Any, given: Any, where: str) -> list[str]:
    """scikit-learn's ``input_features`` of ``get_feature_names_out``: None gives the fitted
    names (``feature_names_in_``, else ``x0, x1, ...``); given ones must be one per column,
    and the fitted ones when there are."""
    n = int(obj.n_features_in_)
    fitted = getattr(obj, "feature_names_in_", None)
    if given is None:
        return list(fitted) if fitted is not None else [f"x{j}" for j in range(n)]
    names = [str(v) for v in given] if not isinstance(given, str) else None
    if names is None or len(names) != n or (fitted is not None and names != list(fitted)):
        want = f"the fitted columns {list(fitted)}" if fitted is not None else f"{n} names"
        raise ValueError(
            f"The 'input_features' parameter of {where} must be {want} (one per column of X), "
            f"or None. Got {_short_repr(given)}."
        )
    return names


class _Params:
    """scikit-learn's estimator protocol, without importing scikit-learn: ``get_params`` /
    ``set_params`` (so ``sklearn.base.clone``, grid searches and ``Pipeline`` take the
    transformer), ``__sklearn_is_fitted__`` and ``get_feature_names_out``."""

    _PARAMS: tuple[str, ...] = ()

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor's parameters by name (scikit-learn's ``get_params``)."""
        return {name: getattr(self, name) for name in self._PARAMS}

    def set_params(self, **params: Any) -> Any:
        """Set constructor parameters by name (scikit-learn's ``set_params``); returns self."""
        for name, value in params.items():
            if name not in self._PARAMS:
                valid = ", ".join(self._PARAMS) if self._PARAMS else "none"
                raise ValueError(
                    f"Invalid parameter {name!r} for {type(self).__name__}.set_params: its "
                    f"parameters are {valid}."
                )
            self._set_param(name, value)
        return self

    def _set_param(self, name: str, value: Any) -> None:
        setattr(self, name, value)

    def __sklearn_is_fitted__(self) -> bool:
        return self._fitted()

    def _fitted(self) -> bool:
        raise NotImplementedError

    def set_output(self, *, transform: str | None = None) -> Any:
        """scikit-learn's ``set_output`` (what ``Pipeline.set_output`` and
        ``ColumnTransformer.set_output`` call on each step), without importing scikit-learn:
        ``transform='pandas'`` makes ``transform`` and ``fit_transform`` return a pandas
        DataFrame whose columns are :meth:`get_feature_names_out` (and whose index is X's
        where X is a DataFrame); ``'default'``, NumPy arrays again; ``None`` leaves the
        setting as it is. Unset, scikit-learn's global ``transform_output`` (``set_config``,
        ``config_context``) decides, as for its own transformers. Returns self."""
        where = f"{type(self).__name__}.set_output"
        if transform is None:
            return self
        if not (isinstance(transform, str) and transform in ("default", "pandas")):
            raise ValueError(
                f"The 'transform' parameter of {where} must be 'default' (NumPy arrays), "
                f"'pandas' (DataFrames) or None (unchanged). Got {transform!r}"
                + (
                    ": glassnet's transformers give no polars output; use 'pandas' "
                    "(polars.from_pandas converts a DataFrame)."
                    if transform == "polars"
                    else "."
                )
            )
        if transform == "pandas":
            _pandas_for(where)
        self._sklearn_output_config = {"transform": transform}
        return self

    def _output(self, out: np.ndarray, X: Any, where: str) -> Any:
        """``out`` as :meth:`set_output` (or scikit-learn's global ``transform_output``,
        where scikit-learn is imported) asks: the array, or a pandas DataFrame."""
        kind = getattr(self, "_sklearn_output_config", {}).get("transform")
        if kind is None:
            sklearn = sys.modules.get("sklearn")
            get_config = getattr(sklearn, "get_config", None)
            kind = get_config().get("transform_output", "default") if get_config else "default"
        if kind == "default":
            return out
        if kind != "pandas":
            raise ValueError(
                f"{where}: scikit-learn's transform_output is {kind!r} (set_config or "
                "config_context), and glassnet's transformers give 'default' (NumPy arrays) "
                f"or 'pandas' (DataFrames) only: call {type(self).__name__}()"
                ".set_output(transform='pandas') (or 'default') on this step, or set "
                "transform_output to one of those."
            )
        pd = _pandas_for(where)
        index = X.index if isinstance(X, pd.DataFrame | pd.Series) else None
        return pd.DataFrame(out, index=index, columns=self.get_feature_names_out())

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        raise NotImplementedError

    def __sklearn_tags__(self) -> Any:
        """scikit-learn's tags (1.6 and later, which alone call this): a transformer that
        needs no target; the encoder takes text."""
        from sklearn.utils import InputTags, Tags, TargetTags, TransformerTags

        text = isinstance(self, OneHotEncoder)
        return Tags(
            estimator_type=None,
            target_tags=TargetTags(required=False),
            transformer_tags=TransformerTags(),
            input_tags=InputTags(string=text, categorical=text),
        )


def _pandas_for(where: str) -> Any:
    """pandas, or an ImportError saying that a 'pandas' output needs it."""
    try:
        import pandas
    except ImportError:
        raise ImportError(
            f"{where}: a 'pandas' output needs pandas, which is not installed: pip install "
            "pandas, or keep transform='default' (NumPy arrays)."
        ) from None
    return pandas


def _as_float_2d(X: Any, name: str, where: str) -> np.ndarray:
    """``X`` as a finite floating 2-D array (float32 kept, anything else float64)."""
    if type(X).__module__.startswith("scipy.sparse") or (
        hasattr(X, "toarray") and hasattr(X, "nnz")
    ):  # (np.asarray would make it a 0-d object array: "encode text columns" misleads)
        shape = "x".join(map(str, getattr(X, "shape", ())))
        raise TypeError(
            f"The '{name}' parameter of {where} is a SciPy sparse matrix "
            f"({type(X).__name__}, {shape}), and glassnet takes dense arrays only: pass "
            f"{name}.toarray() (a dense copy; for a very wide matrix, scikit-learn's "
            f"StandardScaler(with_mean=False) or MaxAbsScaler keeps it sparse)."
        )
    try:
        arr = np.asarray(X)
    except ValueError:  # rows of different lengths: numpy's message names no parameter
        raise ValueError(
            f"The '{name}' parameter of {where} must be a 2-D array of shape (n_samples, "
            f"n_features): its rows have different lengths. Give every row the same number "
            f"of values."
        ) from None
    if arr.dtype.kind == "c":  # a cast to float would silently drop the imaginary parts
        raise TypeError(
            f"The '{name}' parameter of {where} must be real numbers. Got an array of dtype "
            f"{arr.dtype}: pass X.real or np.abs(X) if that is what you mean."
        )
    text = arr.dtype.kind in "US" and arr.size
    if arr.dtype.kind == "O":  # numbers as objects (Fraction, Decimal) convert; text does not
        text = next((v for v in arr.flat if isinstance(v, str | bytes)), None) is not None
    if text:  # ("2" would become 2.0 and "1_000" 1000.0: text is a reading mistake upstream)
        first = next(v for v in arr.flat if isinstance(v, str | bytes | np.str_ | np.bytes_))
        raise TypeError(
            f"The '{name}' parameter of {where} must be numeric. Got text, such as "
            f"{str(first)!r}: convert columns of numbers written as text with float() first, "
            f"and encode text columns (OneHotEncoder, Preprocessor)."
        )
    if arr.dtype.kind in "mM":  # (a cast counts days or nanoseconds: the unit's choice)
        raise TypeError(
            f"The '{name}' parameter of {where} must be numbers. Got dates or durations (dtype "
            f"{arr.dtype}): convert them to numbers in a unit of your choice first, e.g. days "
            f"since a date: (X - np.datetime64('2020-01-01')) / np.timedelta64(1, 'D')."
        )
    if arr.dtype.kind == "O" and arr.ndim == 2:  # pandas' NA and None: missing, not text
        gone = [type(v) not in _NEVER_MISSING and _is_missing(v) for v in arr.flat]
        if any(gone):
            r, c = divmod(gone.index(True), arr.shape[1])
            raise ValueError(
                f"The '{name}' parameter of {where} holds {sum(gone)} missing value(s) (None, "
                f"NaN, pandas' NA or NaT), the first at row {r}, column {c}. Remove or impute "
                f"them first."
            )
    if arr.dtype.kind not in "fiub":
        try:
            arr = arr.astype(np.float64)
        except OverflowError:  # an int past float64's range (10**400)
            raise ValueError(
                f"The '{name}' parameter of {where} holds a number beyond float64's range "
                f"(1.8e308): divide it by a power of ten first."
            ) from None
        except (TypeError, ValueError):
            raise TypeError(
                f"The '{name}' parameter of {where} must be numeric. Got an array of dtype "
                f"{arr.dtype}: encode text columns first (OneHotEncoder, Preprocessor)."
            ) from None
    if arr.dtype != np.float32:
        arr = arr.astype(np.float64)
    if arr.ndim != 2:
        hint = " Use X.reshape(-1, 1) for a single feature." if arr.ndim == 1 else ""
        raise ValueError(
            f"The '{name}' parameter of {where} must be 2-D, of shape (n_samples, n_features). "
            f"Got shape {arr.shape}.{hint}"
        )
    if arr.shape[0] == 0:
        raise ValueError(f"The '{name}' parameter of {where} has no rows (shape {arr.shape}).")
    if arr.shape[1] == 0:
        raise ValueError(
            f"The '{name}' parameter of {where} has no columns (shape {arr.shape}): pass at "
            f"least one feature."
        )
    finite = np.isfinite(arr)
    if not finite.all():
        r, c = np.argwhere(~finite)[0]
        raise ValueError(
            f"The '{name}' parameter of {where} holds {int((~finite).sum())} NaN or inf value(s), "
            f"the first at row {r}, column {c} ({arr[r, c]}). Remove or impute them first."
        )
    return arr


# ---------------------------------------------------------------------------------------
# train / test split
# ---------------------------------------------------------------------------------------


def _n_rows(a: Any) -> int:
    if isinstance(a, Table):
        return len(a)
    if isinstance(a, str | bytes | Mapping | set | frozenset) and not hasattr(a, "tocsr"):
        raise TypeError(  # (scipy's dok_matrix is a Mapping: a sparse matrix of rows)
            f"train_test_split takes arrays, lists or Tables. Got {type(a).__name__}, which has "
            f"no rows to split: pass a list or array of its items."
        )
    if hasattr(a, "shape") and len(a.shape) > 0:
        return int(a.shape[0])
    try:
        return len(a)
    except TypeError:
        raise TypeError(
            f"train_test_split takes arrays, lists or Tables. Got {type(a).__name__}, which has "
            f"no length."
        ) from None


def _take(a: Any, idx: np.ndarray) -> Any:
    if isinstance(a, Table):
        return a.take(idx)
    if isinstance(a, np.ndarray):
        return a[idx]
    if isinstance(a, list | tuple):
        return [a[i] for i in idx.tolist()]
    if hasattr(a, "iloc"):  # pandas DataFrame / Series: rows by position
        return a.iloc[idx]
    if type(a).__module__.startswith("scipy.sparse"):  # rows as scikit-learn's, by CSR;
        part = a.tocsr()[idx]  # the part in the format given (coo has no rows to index)
        return part if a.format == "csr" else part.asformat(a.format)
    return np.asarray(a)[idx]


def train_test_split(
    *arrays: Any,
    test_size: float | int = 0.25,
    seed: SeedLike = None,
    stratify: Any = None,
    shuffle: bool = True,
    random_state: SeedLike = None,
) -> list[Any]:
    """Split arrays into shuffled train and test parts, the same rows for each array.

    A permutation ``p`` of the row indices is drawn from ``seed``; the test rows are
    ``p[:n_test]`` and the training rows ``p[n_test:]``. With ``shuffle=False`` nothing
    is drawn: the training rows are the first ``n - n_test``, the test rows the last
    ``n_test``, in order, as scikit-learn's ``train_test_split(..., shuffle=False)``
    gives them. With ``stratify`` each class
    gives its share of the test set (within one row of ``n_c * n_test / n``), the
    largest remainders rounding up, and every class keeps at least one row in each
    part (so both parts need at least as many rows as there are classes; that minimum
    overrides the one-row bound when a class's share is below one row).

    Parameters
    ----------
    *arrays : arrays, lists or Tables, all with the same number of rows ``n``
    test_size : float in (0, 1) or int in [1, n - 1]
        Fraction (rounded up: ``n_test = ceil(test_size * n)``) or number of test rows.
    seed : int, numpy.random.Generator or None
    stratify : array of shape (n,), optional
        Class labels whose proportions both parts keep; each class needs >= 2 rows.
        Refused with ``shuffle=False``, as scikit-learn refuses it.
    shuffle : bool, default True
        False: no shuffle, the last ``n_test`` rows the test part (scikit-learn's name).
    random_state : int, numpy.random.Generator or None
        scikit-learn's name of ``seed`` (give one of the two, or both equal). The rows drawn are
        glassnet's, not scikit-learn's: only ``shuffle=False`` gives scikit-learn's parts.

    Returns
    -------
    list
        ``[a_train, a_test, b_train, b_test, ...]``; NumPy arrays stay arrays, lists
        and tuples become lists, Tables stay Tables, pandas objects are split by
        position (``.iloc``), scipy.sparse matrices by rows, in their format.

    Examples
    --------
    >>> X = np.arange(20).reshape(10, 2)
    >>> y = np.arange(10)
    >>> X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, seed=0)
    >>> X_tr.shape, X_te.shape, bool(np.all(X_te[:, 0] == 2 * y_te))
    ((7, 2), (3, 2), True)
    >>> train_test_split(y, test_size=0.3, shuffle=False)
    [array([0, 1, 2, 3, 4, 5, 6]), array([7, 8, 9])]
    """
    seed, seed_name = seed_alias(seed, random_state, "train_test_split")
    if not isinstance(shuffle, bool | np.bool_):
        raise TypeError(
            f"The 'shuffle' parameter of train_test_split must be True or False. Got "
            f"{shuffle!r} of type {type(shuffle).__name__}."
        )
    if not shuffle and stratify is not None:
        raise ValueError(
            "train_test_split: stratify cannot be combined with shuffle=False (a stratified "
            "split picks rows of each class, which is a shuffle; scikit-learn refuses it "
            "too): pass shuffle=True (the default), or stratify=None to keep the rows' order."
        )
    if not arrays:
        raise ValueError("train_test_split needs at least one array to split.")
    lengths = [_n_rows(a) for a in arrays]
    n = lengths[0]
    if any(m != n for m in lengths):
        raise ValueError(
            f"train_test_split: the arrays have different numbers of rows {lengths}; they "
            f"must all have the same."
        )
    if n < 2:
        raise ValueError(f"train_test_split needs at least 2 rows to split. Got {n}.")
    if isinstance(test_size, bool | np.bool_):
        raise TypeError(f"The 'test_size' parameter must be a float or an int. Got {test_size!r}.")
    if isinstance(test_size, int | np.integer):
        if not 1 <= test_size <= n - 1:
            raise ValueError(
                f"The 'test_size' parameter, as an int, must be in [1, {n - 1}] for {n} rows. "
                f"Got {test_size}."
            )
        n_test = int(test_size)
    elif isinstance(test_size, float | np.floating):
        if not 0.0 < test_size < 1.0:
            raise ValueError(
                f"The 'test_size' parameter, as a float, must be in (0, 1). Got {test_size}."
            )
        n_test = math.ceil(float(test_size) * n)
        if n_test > n - 1:
            raise ValueError(
                f"The 'test_size' parameter {test_size} leaves no training rows out of {n}: "
                f"use a smaller test_size."
            )
    else:
        raise TypeError(
            f"The 'test_size' parameter must be a float in (0, 1) or an int. "
            f"Got {test_size!r} of type {type(test_size).__name__}."
        )
    rng = as_rng(seed, "train_test_split", seed_name)
    if not shuffle:  # (scikit-learn's: the first n - n_test rows train, the rest test)
        train_idx, test_idx = np.arange(n - n_test), np.arange(n - n_test, n)
    elif stratify is None:
        perm = rng.permutation(n)
        test_idx, train_idx = perm[:n_test], perm[n_test:]
    else:
        test_idx, train_idx = _stratified(stratify, n, n_test, rng)
    out: list[Any] = []
    for a in arrays:
        out.append(_take(a, train_idx))
        out.append(_take(a, test_idx))
    return out


def _stratified(
    stratify: Any, n: int, n_test: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    labels = np.asarray(stratify)
    if labels.ndim != 1 or labels.shape[0] != n:
        raise ValueError(
            f"The 'stratify' parameter must be a 1-D array of {n} labels, one per row. "
            f"Got shape {labels.shape}."
        )
    kind = labels.dtype.kind  # (NaN, NaT found by NumPy; objects alone one by one)
    gone = (
        np.flatnonzero(np.isnan(labels)).tolist() if kind in "fc"
        else np.flatnonzero(np.isnat(labels)).tolist() if kind in "mM"
        else [i for i, v in enumerate(labels.tolist()) if _is_missing(v)] if kind == "O"
        else []
    )  # fmt: skip
    if gone:  # (None, NaN, pandas' NA: no class to keep the share of)
        raise ValueError(
            f"The 'stratify' parameter holds {len(gone)} missing label(s) (None, NaN, "
            f"pandas' NA), the first at row {gone[0]}: drop those rows or give them a label."
        )
    try:
        classes, inverse, counts = np.unique(labels, return_inverse=True, return_counts=True)
    except TypeError:
        raise TypeError(
            "The 'stratify' labels mix types that cannot be sorted (e.g. str and int): "
            "use one type."
        ) from None
    small = classes[counts < 2]
    if small.size:
        raise ValueError(
            f"The 'stratify' parameter has classes with a single row: {small.tolist()}. Each "
            f"class needs >= 2 rows to appear in both parts; drop them or pass stratify=None."
        )
    n_classes = classes.size
    if n_test < n_classes:
        raise ValueError(
            f"The 'test_size' parameter gives {n_test} test rows, fewer than the {n_classes} "
            f"classes in 'stratify': each class needs a test row. Use a test_size of at least "
            f"{n_classes} rows."
        )
    if n - n_test < n_classes:
        raise ValueError(
            f"The 'test_size' parameter leaves {n - n_test} training row(s), fewer than the "
            f"{n_classes} classes in 'stratify': each class needs a training row. Use a "
            f"test_size of at most {n - n_classes} rows."
        )
    ideal = counts * (n_test / n)  # (C,)
    # each class keeps at least one row in each part: 1 <= take <= count - 1
    take = np.clip(np.floor(ideal).astype(np.int64), 1, counts - 1)  # (C,)
    while (diff := n_test - int(take.sum())) != 0:
        if diff > 0:  # one more row from the classes furthest below their share
            order = np.argsort(-(ideal - take), kind="stable")
            order = order[take[order] < counts[order] - 1]
            take[order[:diff]] += 1
        else:  # one fewer from the classes furthest above it
            order = np.argsort(ideal - take, kind="stable")
            order = order[take[order] > 1]
            take[order[:-diff]] -= 1
    test_parts, train_parts = [], []
    for c in range(classes.size):
        members = rng.permutation(np.flatnonzero(inverse == c))
        test_parts.append(members[: take[c]])
        train_parts.append(members[take[c] :])
    test_idx = rng.permutation(np.concatenate(test_parts))
    train_idx = rng.permutation(np.concatenate(train_parts))
    return test_idx, train_idx


# ---------------------------------------------------------------------------------------
# StandardScaler
# ---------------------------------------------------------------------------------------


def _no_overflow(out: np.ndarray, arr: np.ndarray, name: str, where: str) -> np.ndarray:
    """``out``, computed from the finite ``arr``; a value that overflowed to inf there (a
    float32 result beyond 3.4e38, a float64 one beyond 1.8e308) is an error, not an inf."""
    finite = np.isfinite(out)
    if not finite.all():
        r, c = np.argwhere(~finite)[0]
        todo = (
            f"pass {name} as float64 (float32 ends at 3.4e38)"
            if out.dtype == np.float32
            else "check the value: it is far outside the data the scaler was fitted on"
        )
        raise ValueError(
            f"The '{name}' parameter of {where} holds {float(arr[r, c]):g} at row {r}, column "
            f"{c}, which overflows {out.dtype} in the fitted scale: {todo}."
        )
    return out


#: What a value beyond the network's dtype means, in every message that refuses one (the
#: command line, ``Pipeline.transform``, ``glassnet.onnx.feeds``).
FAR_OUTSIDE = "the value is far outside what the model was trained on"


class Beyond(NamedTuple):
    """The first cell of a scaled matrix beyond a dtype's largest (see :func:`first_beyond`):
    its row and column, its value, how many columns hold one, the dtype and its largest."""

    row: int
    column: int
    value: float
    columns: int
    dtype: np.dtype
    limit: float

    def words(self) -> str:
        """The shared part of the messages: ``beyond float32's largest 3.4e+38``."""
        return f"beyond {self.dtype.name}'s largest {self.limit:.3g}"

    def as_input(self) -> str:
        """``is 1e+300 as the network's input, beyond float32's largest 3.4e+38``."""
        return f"is {self.value:.3g} as the network's input, {self.words()}"


def first_beyond(
    Z: np.ndarray, dtype: Any, check: np.ndarray | None = None, by_row: bool = False
) -> Beyond | None:
    """The first cell of ``Z`` (rows x columns, the float64 values a network of ``dtype``
    is given) beyond ``dtype``'s largest, which the cast to ``dtype`` would make inf (inf and
    NaN count): the first such column, then its first row (``by_row``: the first row, then
    its first column); None where every value fits. ``check``, a mask of ``Z``'s shape: only
    its cells are looked at (the others: imputed or refused elsewhere). A matrix of many
    cells is checked in blocks of rows, with no second matrix of its size where all fit."""
    dtype = np.dtype(dtype)
    limit = float(np.finfo(dtype).max) if dtype.kind == "f" else math.inf
    Z = np.asarray(Z)
    if Z.ndim != 2:
        Z = Z.reshape(len(Z), -1)
    step = max(1, (1 << 22) // max(1, Z.shape[1]))  # (rows of about 4M cells a block)
    with np.errstate(invalid="ignore"):
        if check is None and all(
            np.all(np.abs(Z[s : s + step]) <= limit) for s in range(0, len(Z), step)
        ):
            return None
        bad = ~(np.abs(Z) <= limit)
    if check is not None:
        bad &= np.asarray(check, dtype=bool)
    if not bad.any():
        return None
    cols = np.flatnonzero(bad.any(axis=0))
    if by_row:
        r, j = (int(i) for i in np.argwhere(bad)[0])
    else:
        j = int(cols[0])
        r = int(np.flatnonzero(bad[:, j])[0])
    return Beyond(r, j, float(Z[r, j]), len(cols), dtype, limit)


class StandardScaler(_Params):
    """Standardize each column: ``Z = (X - mean_) / scale_``.

    ``mean_`` is the column mean and ``scale_`` the column standard deviation
    (``ddof = 0``) of the data passed to :meth:`fit`; a column with (numerically)
    zero variance gets ``scale_ = 1`` so it maps to zeros instead of NaN.

    Unlike scikit-learn's scaler, NaN and inf are refused: ``fit``, ``transform`` and
    ``inverse_transform`` raise ``ValueError`` naming their count and the first one's row
    and column (scikit-learn's ignores NaN in ``fit`` and passes it through ``transform``
    for a later imputer). Impute missing values before scaling (``SimpleImputer`` first in
    a ``Pipeline``, or :func:`~glassnet.datasets.read_csv`'s ``impute``); pandas' nullable
    ``Int64`` columns holding ``<NA>`` are refused the same way. Nor does it have
    scikit-learn's ``with_mean``, ``with_std``, ``copy``, ``partial_fit``, ``var_`` or
    ``n_samples_seen_``; scipy sparse matrices are refused (pass ``X.toarray()``).

    Attributes
    ----------
    mean_ : float64 array of shape (n_features,)
    scale_ : float64 array of shape (n_features,), all > 0
    n_features_in_ : int
    feature_names_in_ : list of str or None
        The columns of a pandas DataFrame passed to :meth:`fit` (when all its column names
        are str, as scikit-learn's); a DataFrame given to :meth:`transform` or
        :meth:`inverse_transform` must then have those columns in that order (else
        ``ValueError``: taken by position, columns in another order would be scaled with
        each other's statistics). None when fitted on an array.

    Examples
    --------
    >>> s = StandardScaler().fit(np.array([[1.0, 5.0], [3.0, 5.0]]))
    >>> s.mean_.tolist(), s.scale_.tolist()
    ([2.0, 5.0], [1.0, 1.0])
    >>> s.transform(np.array([[3.0, 6.0]])).tolist()
    [[1.0, 1.0]]
    """

    def __init__(self) -> None:
        self.mean_: np.ndarray | None = None
        self.scale_: np.ndarray | None = None
        self.n_features_in_: int | None = None
        self.feature_names_in_: list[str] | None = None

    def __repr__(self) -> str:
        # scikit-learn's form, the constructor call (a Pipeline's repr and diagram show it;
        # "StandardScaler(unfitted)" read as an argument); fitted or not: n_features_in_
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({params})"

    def fit(self, X: Any, y: Any = None) -> StandardScaler:
        """Learn ``mean_`` and ``scale_`` from ``X`` of shape (n_samples, n_features).

        ``y`` is ignored, as scikit-learn's transformers ignore it (a ``Pipeline`` passes
        its target to every step); one that is not a target of ``X``'s rows is refused.
        """
        mixed_names(X, "StandardScaler.fit")  # (scikit-learn's refusals)
        unique_names(_frame_names(X), "StandardScaler.fit")
        arr = _as_float_2d(X, "X", "StandardScaler.fit").astype(np.float64)
        _check_y(y, arr.shape[0], "StandardScaler.fit")
        # Each column is divided by a power of two p near its largest |x| first, so that
        # sums of values near float64's limit (1e308) do not overflow: mean = mean(x / p) * p,
        # same for std. A power of two keeps x / p exact (dividing by m itself rounded
        # every value, which cost a column with a large offset most digits of its std).
        with np.errstate(all="ignore"):
            m = np.max(np.abs(arr), axis=0) if arr.shape[0] else np.ones(arr.shape[1])
            m = np.where((m > 0) & np.isfinite(m), m, 1.0)  # (n_features,)
            p = np.ldexp(1.0, np.frexp(m)[1] - 1)  # (n_features,), m / 2 < p <= m
            u = arr / p  # (N, n_features), |u| < 2, exact
            mu = u.mean(axis=0)  # (n_features,)
            d = u - mu  # (N, n_features)
            dm = d.mean(axis=0)  # the rounding error of mu: corrected two-pass variance
            var = np.maximum((d * d).mean(axis=0) - dm * dm, 0.0)  # (n_features,)
            mean = (mu + dm) * p  # (n_features,)
            std = np.sqrt(var) * p  # (n_features,)
        bad = np.flatnonzero(~(np.isfinite(mean) & np.isfinite(std)))
        if bad.size:
            raise ValueError(
                f"StandardScaler.fit: column {int(bad[0])} overflows float64 (its values "
                f"span more than 1.8e308): divide it by a power of ten first."
            )
        # a constant column has std 0 up to rounding: scale 1 keeps it finite (as scikit-learn).
        # Rounding is relative to the column's largest |x| (m), not to 1: a column of
        # values near 1e-20 that vary is scaled like any other.
        tiny = 10 * np.finfo(np.float64).eps * m
        self.mean_ = mean
        self.scale_ = np.where(std < tiny, 1.0, std)
        self.n_features_in_ = arr.shape[1]
        self.feature_names_in_ = _frame_names(X)
        return self

    def _check(self, X: Any, where: str) -> np.ndarray:
        if self.mean_ is None or self.scale_ is None:
            raise _not_fitted(self, "fit(X)")
        arr = _as_float_2d(X, "X", where)
        _check_frame_names(X, getattr(self, "feature_names_in_", None), "X", where)
        if arr.shape[1] != self.n_features_in_:
            raise ValueError(
                f"The 'X' parameter of {where} has {arr.shape[1]} columns, but the scaler was "
                f"fitted on {self.n_features_in_}."
            )
        return arr

    def transform(self, X: Any) -> np.ndarray:
        """``(X - mean_) / scale_``, shape (n_samples, n_features); float32 stays float32 (a
        pandas DataFrame under :meth:`set_output`'s ``transform='pandas'``)."""
        return self._output(self._transform(X), X, "StandardScaler.transform")

    def _transform(self, X: Any) -> np.ndarray:
        """:meth:`transform`'s array, whatever :meth:`set_output` or scikit-learn's global
        ``transform_output`` say: glassnet's own scalers (the command line's target) call
        this, their outputs being glassnet's internals."""
        arr = self._check(X, "StandardScaler.transform")
        with np.errstate(over="ignore"):
            out = self._scaled(arr)
        return _no_overflow(out, arr, "X", "StandardScaler.transform")

    def _scaled(self, arr: np.ndarray) -> np.ndarray:
        """``(arr - mean_) / scale_`` as it comes, an overflow inf (the Preprocessor's
        callers name its column and line: the command line, ``Pipeline.transform``)."""
        assert self.mean_ is not None and self.scale_ is not None
        return ((arr - self.mean_) / self.scale_).astype(arr.dtype, copy=False)

    def fit_transform(self, X: Any, y: Any = None) -> np.ndarray:
        """``fit(X, y)`` then ``transform(X)`` (``y`` ignored, as scikit-learn's)."""
        return self.fit(X, y).transform(X)

    def _fitted(self) -> bool:
        return self.mean_ is not None

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """The output column names (scikit-learn's): the input's, ``feature_names_in_``
        or ``x0, x1, ...``; an object array."""
        if self.mean_ is None:
            raise _not_fitted(self, "fit(X)")
        names = _names_in(self, input_features, "StandardScaler.get_feature_names_out")
        return np.asarray(names, dtype=object)

    def inverse_transform(self, Z: Any) -> np.ndarray:
        """``Z * scale_ + mean_``: back to the original units, shape (n_samples, n_features)."""
        arr = self._check(Z, "StandardScaler.inverse_transform")
        assert self.mean_ is not None and self.scale_ is not None
        with np.errstate(over="ignore"):
            out = (arr * self.scale_ + self.mean_).astype(arr.dtype, copy=False)
        return _no_overflow(out, arr, "Z", "StandardScaler.inverse_transform")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict: ``{"type", "mean", "scale"}`` with plain float lists, and
        ``"names"`` (``feature_names_in_``) when fitted on a DataFrame."""
        if self.mean_ is None or self.scale_ is None:
            raise _not_fitted(self, "fit(X)")
        out: dict[str, Any] = {
            "type": "StandardScaler",
            "mean": [float(v) for v in self.mean_],
            "scale": [float(v) for v in self.scale_],
        }
        names = getattr(self, "feature_names_in_", None)
        if names is not None:  # (only then: files without it read as before)
            out["names"] = list(names)
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> StandardScaler:
        """Rebuild a fitted scaler from :meth:`to_dict`'s output."""
        d = _check_dict(d, "StandardScaler", ("mean", "scale"))
        mean = _numbers_of(d["mean"], "StandardScaler.from_dict", "mean")
        scale = _numbers_of(d["scale"], "StandardScaler.from_dict", "scale")
        if mean.shape != scale.shape:
            raise ValueError(
                f"StandardScaler.from_dict: 'mean' and 'scale' must be lists of the same length "
                f">= 1. Got lengths {mean.shape} and {scale.shape}."
            )
        if not np.all(scale > 0):
            raise ValueError(
                f"StandardScaler.from_dict: 'mean' must be finite and 'scale' finite and > 0. "
                f"Got 'scale' {scale[scale <= 0][0]!r} at index {int(np.argmax(scale <= 0))}."
            )
        names = d.get("names")
        if names is not None:
            names = _names_of(names, "StandardScaler.from_dict", "names", int(mean.size))
        s = cls()
        s.mean_, s.scale_, s.n_features_in_ = mean, scale, int(mean.size)
        s.feature_names_in_ = list(names) if names is not None else None
        return s


# ---------------------------------------------------------------------------------------
# OneHotEncoder
# ---------------------------------------------------------------------------------------


#: The types of cells that are never a missing value: not looked at one by one.
_NEVER_MISSING = frozenset({str, int, bool})


def _is_missing(v: Any) -> bool:
    """Whether cell ``v`` is a missing value: None, a NaN (float, NumPy, complex, Decimal),
    NumPy's NaT, or pandas' NA or NaT (looked up by type name: pandas is not imported)."""
    if v is None:
        return True
    if isinstance(v, float | complex | np.inexact):
        return bool(v != v)
    if isinstance(v, Decimal):
        return v.is_nan()
    if isinstance(v, np.datetime64 | np.timedelta64):
        return bool(np.isnat(v))
    return type(v).__name__ in ("NAType", "NaTType")


def _as_str_columns(X: Any, where: str, names: Sequence[str] | None = None) -> list[np.ndarray]:
    """``X`` (n_samples, n_columns), or (n_samples,) for one column, as str columns
    (``names``: the columns', for the messages)."""
    if isinstance(X, np.ndarray) and X.dtype.kind in "mM":  # dates and durations as their
        text = X.astype(str).astype(object)  # ISO text (as objects, ns ones become ints)
        text[np.isnat(X)] = X.dtype.type("NaT")  # (missing, as below)
        X = text
    arr = np.asarray(X, dtype=object)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ValueError(
            f"The 'X' parameter of {where} must be of shape (n_samples, n_columns) or "
            f"(n_samples,) for one column. Got shape {arr.shape}."
        )
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"The 'X' parameter of {where} is empty (shape {arr.shape}).")
    # missing values are no categories: str() would make None, NaN, pandas' NA and NaT the
    # categories 'None', 'nan', '<NA>' and 'NaT', silently (an array of str, ints or bools
    # holds none: not looked for, cell by cell; nor are the cells of those types)
    gone: list[bool] = []
    if not (isinstance(X, np.ndarray) and X.dtype.kind in "USiub"):
        if not set(map(type, arr.flat)) <= _NEVER_MISSING:
            gone = [type(v) not in _NEVER_MISSING and _is_missing(v) for v in arr.flat]
    if any(gone):
        r, c = divmod(gone.index(True), arr.shape[1])
        name = f" ({names[c]!r})" if names is not None and len(names) == arr.shape[1] else ""
        raise ValueError(
            f"The 'X' parameter of {where} holds {sum(gone)} missing value(s) (None, NaN, "
            f"pandas' NA or NaT), the first ({arr[r, c]!r}) at row {r}, column {c}{name}: fill "
            f"them first, with the column's most frequent value or a category of their own "
            f"such as 'missing'."
        )
    if isinstance(X, np.ndarray) and X.dtype.kind in "iuf":  # numbers, compared as numbers
        return [arr[:, j] for j in range(arr.shape[1])]
    numeric = [False] * arr.shape[1]
    if not (isinstance(X, np.ndarray) and X.dtype.kind in "USb"):
        for j in range(arr.shape[1]):
            numeric[j] = _one_kind(arr[:, j], j, where, names)
    return [
        arr[:, j] if numeric[j] else np.array([str(v) for v in arr[:, j]], dtype=str)
        for j in range(arr.shape[1])
    ]


def _is_number(t: type) -> bool:
    """Whether values of type ``t`` are real numbers (a bool is not: ``True`` is the
    category 'True')."""
    return (issubclass(t, numbers.Real) or issubclass(t, Decimal)) and not issubclass(
        t, bool | np.bool_
    )


def _number_of(text: str) -> Any:
    """The number ``text`` is the text of, as Python writes an int or a float ('1', '-2.5',
    '1e+20', 'inf'), else None: '01', '1_000', ' 1' and '1.50' are text."""
    for kind in (int, float):
        try:
            x = kind(text)
        except (ValueError, OverflowError):
            continue
        if repr(x) == text:
            return x
    return None


def _category_positions(cats: np.ndarray, col: np.ndarray) -> np.ndarray:
    """The position in ``cats`` (a column's categories, as str) of each value of ``col``,
    -1 where none: a text column (str) by its text; a column of numbers (an object array)
    by value, as scikit-learn compares them (1 and 1.0 one category, -0.0 the category
    0.0): each number matches the category written as it (str(v)), else the one whose text
    is its value ('1' for 1.0)."""
    if col.dtype != object:
        order = np.argsort(cats, kind="stable")  # categories_ may be in the user's order
        idx = order[np.minimum(np.searchsorted(cats[order], col), cats.size - 1)]  # (N,)
        return np.where(cats[idx] == col, idx, -1)
    texts = {c: i for i, c in reversed(list(enumerate(cats.tolist())))}
    values: dict[Any, int] = {}
    for i, c in enumerate(cats.tolist()):
        x = _number_of(c)
        if x is not None:  # (two categories of one value, '1' and '1.0' of an earlier
            values[x] = -1 if x in values else i  # glassnet: only their texts match)
    found = [texts.get(str(v), -1) for v in col.tolist()]
    return np.array(
        [i if i >= 0 else values.get(v, -1) for i, v in zip(found, col.tolist())],
        dtype=np.int64,
    )


def _one_kind(col: np.ndarray, j: int, where: str, names: Sequence[str] | None) -> bool:
    """Whether column ``j`` holds numbers only (compared as numbers); raise when it holds
    text and other values (numbers, bools): compared as text, the int 1 and the text '1'
    would be one category, silently (scikit-learn's encoder refuses such a column too), or
    bools and numbers (True would be the category 1)."""
    types = set(map(type, col))
    nums = {t for t in types if _is_number(t)}
    name = f" ({names[j]!r})" if names is not None and j < len(names) else ""
    if nums == types:
        return True
    bools = {t for t in types if issubclass(t, bool | np.bool_)}
    if nums and bools and nums | bools == types:
        flag = next(v for v in col if type(v) in bools)
        other = next(v for v in col if type(v) in nums)
        raise TypeError(
            f"The 'X' parameter of {where} mixes bools and numbers in column {j}{name}, "
            f"such as {flag!r} and {other!r}: True equals 1, so they cannot be told apart as "
            f"categories. Convert the column to one type first (e.g. every value to str)."
        )
    if len(types) < 2:
        return False
    texts = {t for t in types if issubclass(t, str | bytes)}
    if not texts or texts == types:
        return False
    text = next(v for v in col if type(v) in texts)
    other = next(v for v in col if type(v) not in texts)
    raise TypeError(
        f"The 'X' parameter of {where} mixes text and other values in column {j}{name}, "
        f"such as {_shown(text)} and {other!r} ({type(other).__name__}): categories are "
        f"compared as text ({other!r} as {str(other)!r}), so a value and its text would be one "
        f"category. Convert the column to one type first (e.g. every value to str)."
    )


def _plain(v: Any) -> Any:
    """A category the user gave, as JSON keeps it: a str, bool, int or float as it is (a
    NumPy scalar as its Python value), anything else as its text."""
    v = v.item() if isinstance(v, np.generic) else v
    return v if isinstance(v, str | bool | int | float) else str(v)


def _sorted_categories(col: np.ndarray) -> np.ndarray:
    """The distinct values of a column, sorted, as str: a text column's in text order, a
    column of numbers' in numeric order, each value once (1 and 1.0 one category, written
    as the first met; -0.0 and 0.0 one, written 0.0), as scikit-learn's 'auto' categories."""
    if col.dtype != object:
        return np.unique(col)
    distinct = sorted(dict.fromkeys(col.tolist()))  # (a dict: 1 and 1.0 one key)
    return np.array([str(v + 0 if v == 0 else v) for v in distinct], dtype=str)


def _ordered_categories(cats: Sequence[Any], where: str, numbers_once: bool = False) -> np.ndarray:
    """A list of categories, in its own order, as str; duplicates and missing values raise
    (with ``numbers_once``, two of one value, 1 and 1.0, too)."""
    gone = [v for v in cats if _is_missing(v)]
    if gone:
        raise ValueError(
            f"The categories given to {where} hold a missing value ({gone[0]!r}), which is no "
            f"category: the data's missing values are refused; fill them first with a category "
            f"of their own such as 'missing', and list that."
        )
    arr = np.array([str(v) for v in cats], dtype=str)
    dup = _repeated(arr.tolist())
    if dup:
        raise ValueError(f"The categories given to {where} repeat {_few(dup)}: list each once.")
    if numbers_once:
        seen: dict[Any, Any] = {}
        for v in cats:
            if _is_number(type(v)) and seen.setdefault(v, v) is not v:
                raise ValueError(
                    f"The categories given to {where} list one number twice, as "
                    f"{seen[v]!r} and {v!r}: numbers are compared as numbers (1 and 1.0 are "
                    f"one category); list each once."
                )
    return arr


def _as_float32_text(values: list[str], cats: np.ndarray) -> bool:
    """Whether some of ``values`` (texts of numbers) are categories once read as float32:
    float64 numbers given to an encoder fitted on float32 ones."""
    known = set(cats.tolist())
    for v in values:
        try:
            x = float(v)
        except ValueError:
            continue
        with np.errstate(over="ignore"):
            if repr(float(np.float32(x))) in known and repr(x) not in known:
                return True
    return False


class CategoryValues:
    """A text column's categories by the value pandas gives their texts when it types the
    column (a blank among codes makes ``1`` the float 1.0; ``TRUE`` the bool True; ``02134``
    the int 2134), so that such a cell finds the category it was written as:
    :meth:`matches`, :meth:`category_of`. Each category is parsed once, with ``decimal`` as
    its decimal mark (a text with '.' as written: pandas reads '1.5' so without its
    ``decimal=``); no text with '_' nor NaN is a number (pandas reads none). The one matcher
    of ``Pipeline.predict`` and ``glassnet.onnx.feeds``."""

    @staticmethod
    def respelled(cells: dict[str, dict[Any, str]]) -> str:
        """The warning's list of typed cells read as categories, by column: ``'store':
        1.0 -> '1', 2.0 -> '2'`` (four a column, then ...)."""
        return "; ".join(
            f"{n!r}: " + ", ".join(f"{k} -> {v!r}" for k, v in list(m.items())[:4])
            + (" ..." if len(m) > 4 else "")
            for n, m in cells.items()
        )  # fmt: skip

    def __init__(self, categories: Sequence[str], decimal: str = ".") -> None:
        self.bools: dict[bool, list[str]] = {}  # True: 'TRUE', 'true', ...
        self.ints: dict[Any, list[str]] = {}  # Decimal keys: an int equals its key exactly
        self.floats: dict[float, list[str]] = {}
        self._seen: dict[tuple[bool, Any], list[str]] = {}
        for category in categories:
            text = str(category).strip()
            if text.lower() in ("true", "false"):
                self.bools.setdefault(text.lower() == "true", []).append(category)
            if "_" in text or text.lower() in ("nan", "+nan", "-nan"):
                continue
            point = text.replace(decimal, ".") if decimal != "." and "." not in text else text
            try:
                number = float(point)
            except ValueError:
                continue
            self.floats.setdefault(number, []).append(category)
            try:
                exact = Decimal(point)
            except ArithmeticError:
                continue
            if exact.is_finite():  # (equal numbers hash alike: an int finds its Decimal key)
                self.ints.setdefault(exact, []).append(category)

    def matches(self, cell: Any) -> list[str]:
        """The categories that have the value of a bool or number ``cell``: 'TRUE' or
        'true' for True, '02134' for 2134, '2' or '2.0' for 2.0 (exact for ints past 2**53
        too); [] for any other cell."""
        if isinstance(cell, (bool, np.bool_)):
            return self.bools.get(bool(cell), [])
        if isinstance(cell, (int, np.integer)):
            return self.ints.get(int(cell), [])
        if isinstance(cell, (float, np.floating)):
            number = float(cell)
            return [] if number != number else self.floats.get(number, [])
        return []

    def category_of(self, cell: Any, where: str) -> str | None:
        """The one category that has the value of a bool or number ``cell`` (a text
        column's cell that pandas typed), None where none has it. A value that several
        categories have is refused, even where one of them is spelled as ``str(cell)``: an
        int or bool cell does not show how it was written (pandas reads '01' and '1' both
        as 1, 'true' and 'True' both as True). ``where`` begins the message ("feeds: row 3
        of column 'code'")."""
        key = (type(cell), cell)  # (True == 1 == 1.0: keyed apart, as they match apart)
        matches = self._seen.get(key)
        if matches is None:  # (each value once: a large column of few values)
            matches = self._seen[key] = self.matches(cell)
        if len(matches) > 1:
            plain = cell.item() if isinstance(cell, np.generic) else cell
            kind = type(plain).__name__
            shown = ", ".join(repr(str(m)) for m in matches[:10])
            shown += f", ... ({len(matches)} in all)" if len(matches) > 10 else ""
            raise ValueError(
                f"{where} is {plain!r} ({'an' if kind[:1] in 'aeiou' else 'a'} {kind}: pandas "
                f"typed this text column), which is the value of several of the model's "
                f"categories, [{shown}]: pandas lost which was written. Read the rows with "
                "read_csv(..., dtype=str), which keeps the cells as written."
            )
        return str(matches[0]) if matches else None


def _whole_float_texts(values: list[str], cats: np.ndarray) -> list[tuple[str, str]]:
    """Each of ``values`` that is a whole number written as a float ('1.0', as pandas writes
    a column of codes that holds a blank) where the category is its integer ('1'):
    (category, value) pairs."""
    known = set(cats.tolist())
    pairs = []
    for v in values:
        m = re.fullmatch(r"\s*([+-]?\d+)[.,]0+\s*", v)
        if m is not None and m.group(1) in known:
            pairs.append((m.group(1), v))
    return pairs


class OneHotEncoder(_Params):
    """One-hot encode categorical columns: value ``v`` of column ``j`` becomes the
    indicator vector ``[v == c_1, ..., v == c_k]`` over that column's categories.

    Numbers are compared as numbers, as scikit-learn's encoder compares them: in a numeric
    column (or an object column of numbers) 1 and 1.0 are one category, -0.0 is the
    category 0.0, a column fitted on ints takes floats of the same values, and
    ``categories='auto'`` sorts them numerically (2, 9, 10). Each category is kept as the
    text of its number (``categories_`` are str arrays: '1', '2.5'; a float as Python
    writes it, so a float32 0.1 is '0.10000000149011612': give a column in the dtype it was
    fitted in). Text (and bools, bytes) is compared as text. A column that mixes text with
    other values (the int 1 and the text '1', which would be one category), or bools with
    numbers (True equals 1), raises ``TypeError``. The output puts the columns' indicator
    blocks side by side: shape ``(n_samples, sum_j k_j)``, dtype float64.

    Missing values are refused, every kind the same way: None, a NaN (float, NumPy,
    Decimal), pandas' ``NA`` and ``NaT`` and NumPy's ``NaT`` in ``X`` make fit and
    transform raise ``ValueError`` naming their count and the first one's row and
    column (``unknown="ignore"`` does not encode them as zeros), and one in
    ``categories`` raises too: none becomes a category such as ``'None'`` or ``'<NA>'``.
    Fill them first, with the column's most frequent value or a category of their
    own such as ``'missing'`` (scikit-learn's encoder takes None and NaN as a category
    and refuses ``pd.NA``; :func:`~glassnet.datasets.read_csv` reads missing cells as
    the ``missing`` texts say, and its ``impute`` fills them).

    Parameters
    ----------
    categories : ``'auto'`` or a list with one list of categories per column
        ``'auto'``: each column's distinct values, sorted (numbers by value, text as
        text). A list gives the user's order
        (the lecture's Cat=[1,0,0], Dog=[0,1,0], Bird=[0,0,1]); fit raises if the data
        holds a value the list lacks.

    Attributes
    ----------
    categories_ : list of str arrays, one per column (sorted, or in the order given)
    names_ : list of str, the column names (``names``, else a DataFrame's, else ``x0, x1, ...``)
    feature_names_in_ : list of str or None, the columns of a pandas DataFrame passed to
        :meth:`fit` (when all its column names are str); a DataFrame given to
        :meth:`transform` must then have those columns in that order

    Examples
    --------
    >>> enc = OneHotEncoder().fit([["red"], ["blue"], ["red"]], names=["color"])
    >>> enc.feature_names_out
    ['color=blue', 'color=red']
    >>> enc.transform([["red"], ["blue"]]).tolist()
    [[0.0, 1.0], [1.0, 0.0]]
    >>> OneHotEncoder(categories=[["Cat", "Dog", "Bird"]]).fit_transform(["Dog", "Bird"]).tolist()
    [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    """

    _PARAMS = ("categories",)

    def __init__(self, categories: str | Sequence[Sequence[Any]] = "auto") -> None:
        self._set_param("categories", categories)
        self.categories_: list[np.ndarray] | None = None
        self.names_: list[str] | None = None
        self.feature_names_in_: list[str] | None = None

    def _set_param(self, name: str, categories: Any) -> None:
        if not (isinstance(categories, str) and categories == "auto") and not (
            isinstance(categories, (list, tuple))
            and categories
            and all(isinstance(c, (list, tuple, np.ndarray)) and len(c) for c in categories)
        ):
            raise ValueError(
                "The 'categories' parameter of OneHotEncoder must be 'auto' or a list with "
                "one non-empty list of categories per column, e.g. [['Cat', 'Dog', 'Bird']]. "
                f"Got {categories!r}."
            )
        self.categories = categories

    def _fitted(self) -> bool:
        return self.categories_ is not None

    @property
    def n_features_in_(self) -> int | None:
        """The number of columns seen at fit (scikit-learn's), None before."""
        return None if self.categories_ is None else len(self.categories_)

    def __repr__(self) -> str:
        if self.categories_ is None:
            return "OneHotEncoder(unfitted)"
        return f"OneHotEncoder(columns={self.names_})"

    def fit(self, X: Any, y: Any = None, *, names: Sequence[str] | None = None) -> OneHotEncoder:
        """Learn each column's categories from ``X`` of shape (n_samples, n_columns).

        ``y`` is ignored, as scikit-learn's transformers ignore it (a ``Pipeline`` passes
        its target to every step); one that is not a target of ``X``'s rows is refused.

        ``names`` (one per column, a keyword) label the outputs and error messages; by
        default a pandas DataFrame's column names (when all are str), else ``x0, x1, ...``.
        Fitted on such a DataFrame, the encoder takes at :meth:`transform` a DataFrame
        with those columns in that order (else ``ValueError``: taken by position, columns
        in another order would be encoded with each other's categories).

        The second argument is scikit-learn's ``y`` (the target, ignored). Earlier glassnet
        took ``names`` there, ``fit(X, ["color", "size"])``; such a call still works for
        now, with a ``FutureWarning`` (pass ``names=`` instead): a second argument of
        distinct str, one per column of ``X`` (a list, a tuple, an array, ``df.columns``),
        that cannot be a target (``X`` has another number of rows) is read as the names.
        One that could be either (as many rows as columns) is the target, as scikit-learn
        reads it, with a ``FutureWarning`` that earlier glassnet read it as the names
        (pass ``names=`` for that). Anything else is the target (a target of repeated
        values, or of numbers, is never names); one that is not ``X``'s rows' is refused.
        """
        mixed_names(X, "OneHotEncoder.fit")  # (scikit-learn's refusals)
        unique_names(_frame_names(X), "OneHotEncoder.fit")
        self.feature_names_in_ = _frame_names(X)
        shape = _table_shape(X)  # (before X's checks: names given second name its columns)
        if names is None and y is not None and shape is not None:
            names, y = self._names_or_target(y, shape[1], shape[0])
        given = names if names is not None else self.feature_names_in_
        cols = _as_str_columns(X, "OneHotEncoder.fit", None if isinstance(given, str) else given)
        if names is None and y is not None and shape is None:
            names, y = self._names_or_target(y, len(cols), cols[0].shape[0])
        _check_y(y, cols[0].shape[0], "OneHotEncoder.fit")
        if names is None:
            names = self.feature_names_in_
        self.names_ = self._check_names(names, len(cols))
        if isinstance(self.categories, str):
            self.categories_ = [_sorted_categories(c) for c in cols]
            return self
        if len(self.categories) != len(cols):
            raise ValueError(
                f"The 'categories' parameter of OneHotEncoder lists {len(self.categories)} "
                f"column(s), but X has {len(cols)} ({self.names_}): give one list per column."
            )
        self.categories_ = [
            _ordered_categories(c, "OneHotEncoder", numbers_once=True) for c in self.categories
        ]
        for name, cats, col in zip(self.names_, self.categories_, cols, strict=True):
            unseen = list(dict.fromkeys(col[_category_positions(cats, col) < 0].tolist()))
            if unseen:
                raise ValueError(
                    f"Column {name!r} has value(s) missing from the 'categories' given to "
                    f"OneHotEncoder: {_few(unseen, among=cats.tolist())}; the categories: "
                    f"{_few(cats.tolist(), among=unseen)}. "
                    "Add them to the list, or fix the data."
                )
        return self

    @staticmethod
    def _names_or_target(y: Any, n_cols: int, n_rows: int) -> tuple[Any, Any]:
        """The second argument of ``fit(X, y)`` as ``(names, y)``: scikit-learn's target, or
        (deprecated, with a ``FutureWarning``) the column names earlier glassnet took there
        (``fit(X, names)``), read so only where it cannot be a target."""
        where = "OneHotEncoder.fit"
        if isinstance(y, str):
            raise ValueError(
                f"The second argument of {where}, {y!r}, is a str: a target y holds one value "
                f"per row of X ({n_rows}), and column names go in names= as a list, one per "
                f"column ({n_cols}), e.g. names=[{y!r}]."
            )
        texts = _str_values(y)
        if texts is None:  # (numbers, a 2-D target, a Series: a target)
            return None, y
        could_be_names = len(texts) == n_cols and len(set(texts)) == n_cols
        if could_be_names and n_rows != n_cols:
            warnings.warn(
                f"{where}(X, names) with the column names second is deprecated: the second "
                f"argument is scikit-learn's target y. {_short_repr(y)} was read as X's "
                f"column names (one per column, and X has {n_rows} rows, so no target); "
                f"pass names={_short_repr(texts)} instead.",
                FutureWarning,
                stacklevel=3,
            )
            return texts, None
        if could_be_names:
            warnings.warn(
                f"The second argument of {where}, {_short_repr(y)}, is taken as the target y "
                f"(scikit-learn's fit(X, y), ignored by this transformer), not as X's column "
                f"names, which earlier glassnet read there (X has {n_rows} rows and {n_cols} "
                f"columns: it could be either). If they are the names, pass names=[...]; if it "
                f"is the target, nothing changes (a later glassnet will take it so without a "
                f"warning): warnings.filterwarnings('ignore', 'The second argument of "
                f"OneHotEncoder.fit') silences this.",
                FutureWarning,
                stacklevel=3,
            )
            return None, y
        if len(texts) != n_rows:
            raise ValueError(
                f"The second argument of {where}, {_short_repr(y)}, is neither a target y (one "
                f"value per row of X: {n_rows}) nor X's column names (distinct, one per "
                f"column: {n_cols}); got {len(texts)} values. Pass names=[...] with one name "
                f"per column, or the target of these rows."
            )
        return None, y

    @staticmethod
    def _check_names(names: Sequence[str] | None, n_cols: int) -> list[str]:
        if names is None:
            return [f"x{j}" for j in range(n_cols)]
        if isinstance(names, str) or len(names) != n_cols:
            raise ValueError(
                f"The 'names' parameter of OneHotEncoder.fit must be a list of {n_cols} column "
                f"names. Got {names!r}."
            )
        return [str(n) for n in names]

    @property
    def feature_names_out(self) -> list[str]:
        """Output column names, ``"name=category"``, in output order."""
        if self.categories_ is None or self.names_ is None:
            raise _not_fitted(self, "fit(X)")
        return [
            f"{n}={c}" for n, cats in zip(self.names_, self.categories_, strict=True) for c in cats
        ]

    def transform(self, X: Any, unknown: str = "error") -> np.ndarray:
        """Indicator matrix of shape (n_samples, sum of categories), float64 (a pandas
        DataFrame under :meth:`set_output`'s ``transform='pandas'``).

        A value not seen at fit raises ``ValueError`` naming the column, a few of the
        values and of the known categories; with ``unknown="ignore"`` its block is all
        zeros instead (as scikit-learn's ``handle_unknown="ignore"``), and
        ``unknown_counts_`` maps each such column to how many cells were unknown.
        """
        cols = self._columns(X, unknown)
        assert self.categories_ is not None
        n = cols[0].shape[0]
        widths = [c.size for c in self.categories_]
        out = np.zeros((n, sum(widths)), dtype=np.float64)  # (N, sum k_j)
        self._encode(cols, unknown, out, list(itertools.accumulate(widths, initial=0))[:-1])
        return self._output(out, X, "OneHotEncoder.transform")  # (set_output's kind)

    def _columns(self, X: Any, unknown: str) -> list[np.ndarray]:
        """:meth:`transform`'s checks of its arguments, and ``X``'s str columns."""
        if unknown not in ("error", "ignore"):
            raise ValueError(
                f"The 'unknown' parameter of OneHotEncoder.transform must be 'error' or "
                f"'ignore'. Got {unknown!r}."
            )
        self.unknown_counts_: dict[str, int] = {}
        if self.categories_ is None or self.names_ is None:
            raise _not_fitted(self, "fit(X)")
        fitted = getattr(self, "feature_names_in_", None)
        _check_frame_names(X, fitted, "X", "OneHotEncoder.transform")
        cols = _as_str_columns(X, "OneHotEncoder.transform", self.names_)
        if len(cols) != len(self.categories_):
            raise ValueError(
                f"The 'X' parameter of OneHotEncoder.transform has {len(cols)} columns, but the "
                f"encoder was fitted on {len(self.categories_)} ({self.names_})."
            )
        return cols

    def _encode(
        self, cols: list[np.ndarray], unknown: str, out: np.ndarray, starts: Sequence[int]
    ) -> None:
        """Write the indicators of ``cols`` (:meth:`_columns`') into ``out``, whose block
        of column ``j`` starts at its column ``starts[j]`` and holds zeros: the 1s alone
        are written, in ``out``'s dtype, with no matrix of its size besides it (a column
        of 8,000 cities in 40,000 rows is 2.5 GB of float64)."""
        assert self.categories_ is not None and self.names_ is not None
        for name, cats, col, offset in zip(
            self.names_, self.categories_, cols, starts, strict=True
        ):
            idx = _category_positions(cats, col)  # (N,)
            known = idx >= 0
            if not known.all():
                if unknown == "error":
                    unseen = list(dict.fromkeys(col[~known].tolist()))
                    folded = {loose_text(c): c for c in cats.tolist()}
                    alike = [
                        f"{visible_text(folded[loose_text(u)])} for {visible_text(u)}"
                        for u in unseen
                        if loose_text(u) in folded
                    ]
                    unseen_hidden = [
                        (u, invisible_characters(u))
                        for u in unseen
                        if loose_text(u) in folded and invisible_characters(u)
                    ]
                    case = ""
                    if alike:  # "true" for "True", "Café" for "Cafe\u0301": compared as written
                        case = (
                            " Categories must match exactly (the same Unicode characters), "
                            "case included: write "
                        )
                        case += ", ".join(alike[:5]) + "."
                    if unseen_hidden:  # "No\u200b" for "No": a zero-width space, unseen
                        u, chars = unseen_hidden[0]
                        known = visible_text(folded[loose_text(u)])
                        case += (
                            f" {visible_text(u)} differs from {known} "
                            f"only by an invisible character, {', '.join(chars)}: write the "
                            "value as the model knows it."
                        )
                    numbers = {loose_spelling(str(c)): str(c) for c in cats.tolist()}
                    zeros = [
                        (visible_text(numbers[loose_spelling(u)]), visible_text(u))
                        for u in map(str, unseen)
                        if "leading zeros lost"
                        in number_written_otherwise(u, numbers.get(loose_spelling(u), u))
                    ]
                    if zeros:  # '2134' for the code '02134': a spreadsheet dropped its zeros
                        case += (
                            " Codes written without their leading zeros (as a spreadsheet "
                            "drops them) are other texts: write "
                            + ", ".join(f"{c} for {u}" for c, u in zeros[:5])
                            + " (keep the column as text when the file is saved or read)."
                        )
                    floats = _whole_float_texts([str(u) for u in unseen], cats)
                    if floats:  # '1.0' for the code '1': pandas typed the column as floats
                        case += (
                            " Whole numbers written as floats are other texts: write "
                            + ", ".join(
                                f"{visible_text(c)} for {visible_text(u)}" for c, u in floats[:5]
                            )
                            + " (pandas writes a column of codes that holds a blank as "
                            "floats: read it with read_csv(..., dtype=str), or write "
                            "df[col].astype('Int64'))."
                        )
                    if _as_float32_text(unseen, cats):  # '0.1' where a float32 fit wrote its
                        case += (  # float64 digits, '0.10000000149011612'
                            " The encoder was fitted on float32 numbers, written with their "
                            "float64 digits ('0.1' as float32 is "
                            f"{repr(float(np.float32(0.1)))!r}); these are float64: pass X "
                            "as float32 (X.astype(np.float32)), as at fit."
                        )
                    raise ValueError(
                        f"Column {name!r} has {len(unseen)} value(s) not seen at fit: "
                        f"{_few(unseen, among=cats.tolist())}; known categories: "
                        f"{_few(cats.tolist(), among=unseen)}.{case} Fix "
                        f"the values, encode them as all zeros (unknown='ignore'), or refit on "
                        f"data that has them."
                    )
                self.unknown_counts_[name] = int(np.count_nonzero(~known))
            rows = np.flatnonzero(known)
            out[rows, offset + idx[rows]] = 1.0

    def fit_transform(
        self, X: Any, y: Any = None, *, names: Sequence[str] | None = None
    ) -> np.ndarray:
        """``fit(X, y, names=names)`` then ``transform(X)`` (``y`` ignored, as
        scikit-learn's)."""
        return self.fit(X, y, names=names).transform(X)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """The output column names (scikit-learn's), ``"name=category"`` as
        :attr:`feature_names_out`, an object array; ``input_features`` (one per column)
        name the columns in place of ``names_``."""
        if self.categories_ is None or self.names_ is None:
            raise _not_fitted(self, "fit(X)")
        names = self.names_
        if input_features is not None:
            names = _names_in(self, input_features, "OneHotEncoder.get_feature_names_out")
        pairs = zip(names, self.categories_, strict=True)
        return np.asarray([f"{n}={c}" for n, cats in pairs for c in cats], dtype=object)

    def inverse_transform(self, Z: Any) -> np.ndarray:
        """Categories back from indicator (or score) rows: the argmax of each block.

        A block of all zeros (a value unknown at transform, with ``unknown="ignore"``)
        gives ``None``, as scikit-learn's ``handle_unknown="ignore"``. Returns an object
        array of str (or None), shape (n_samples, n_columns).
        """
        if self.categories_ is None:
            raise _not_fitted(self, "fit(X)")
        arr = _as_float_2d(Z, "Z", "OneHotEncoder.inverse_transform")
        width = sum(c.size for c in self.categories_)
        if arr.shape[1] != width:
            raise ValueError(
                f"The 'Z' parameter of OneHotEncoder.inverse_transform must have {width} "
                f"columns. Got {arr.shape[1]}."
            )
        out = np.empty((arr.shape[0], len(self.categories_)), dtype=object)
        offset = 0
        for j, cats in enumerate(self.categories_):
            block = arr[:, offset : offset + cats.size]  # (N, k_j)
            out[:, j] = cats[block.argmax(axis=1)]
            out[~block.any(axis=1), j] = None  # an unknown value: no category to name
            offset += cats.size
        return out

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict: ``{"type", "names", "categories"}``, with ``"names_in"``
        (``feature_names_in_``) when fitted on a DataFrame and ``"categories_given"`` (the
        ``categories`` parameter) when not ``'auto'``, so :meth:`from_dict`'s encoder refits
        (``sklearn.base.clone``) in the user's order."""
        if self.categories_ is None or self.names_ is None:
            raise _not_fitted(self, "fit(X)")
        out: dict[str, Any] = {
            "type": "OneHotEncoder",
            "names": list(self.names_),
            "categories": [[str(c) for c in cats] for cats in self.categories_],
        }
        names_in = getattr(self, "feature_names_in_", None)
        if names_in is not None:  # (only then: files without it read as before)
            out["names_in"] = list(names_in)
        if not isinstance(self.categories, str):  # the user's categories= (a refit's order)
            out["categories_given"] = [[_plain(v) for v in c] for c in self.categories]
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> OneHotEncoder:
        """Rebuild a fitted encoder from :meth:`to_dict`'s output."""
        d = _check_dict(d, "OneHotEncoder", ("names", "categories"))
        names, cats = d["names"], d["categories"]
        if (
            not isinstance(names, list)
            or not isinstance(cats, list)
            or len(names) != len(cats)
            or not names
            or not all(isinstance(c, list) and c for c in cats)
        ):
            raise ValueError(
                "OneHotEncoder.from_dict: 'names' and 'categories' must be lists of the same "
                "length >= 1, each category list non-empty."
            )
        given = d.get("categories_given", "auto")  # (absent from earlier files: 'auto')
        if given != "auto" and (not isinstance(given, list) or len(given) != len(names)):
            raise ValueError(
                f"OneHotEncoder.from_dict: 'categories_given' must be a list of {len(names)} "
                f"lists of categories, one per column. Got {given!r:.80}."
            )
        enc = cls(categories=given)
        enc.names_ = _names_of(names, "OneHotEncoder.from_dict", "names")
        names_in = d.get("names_in")
        if names_in is not None:
            names_in = _names_of(names_in, "OneHotEncoder.from_dict", "names_in", len(names))
        enc.feature_names_in_ = list(names_in) if names_in is not None else None
        # the saved order (sorted, or the user's): one-hot column i is category i
        enc.categories_ = [
            np.array(_names_of(c, "OneHotEncoder.from_dict", "categories"), dtype=str) for c in cats
        ]
        return enc


# ---------------------------------------------------------------------------------------
# LabelEncoder
# ---------------------------------------------------------------------------------------

_LABEL_TYPES = {"str": str, "int": int, "float": float, "bool": bool}


#: What ``LabelEncoder.to_dict`` writes for a class label of each type.
_LABEL_TEXT = {
    "str": "str",
    "int": "the text of a whole number ('3', '-2')",
    "float": "the text of a finite number ('1.5', '2.0')",
    "bool": "'True' or 'False'",
}


def _label_of(t: Any, kind: str) -> Any:
    """The class label of type ``kind`` that the text ``t`` of a ``to_dict`` payload holds
    exactly (written as :meth:`LabelEncoder.to_dict` writes it, or a JSON number of that
    value); None where it holds none: 1.9 or '3.0' as int, NaN or inf, null, a list, a bool
    as a number or a number as a str label."""
    if kind == "str" or (isinstance(t, bool) and kind != "bool"):
        return t if isinstance(t, str) else None
    if kind == "bool":
        return {"True": True, "False": False}.get(t) if isinstance(t, str) else None
    if kind == "int":
        digits = t.removeprefix("-") if isinstance(t, str) else ""
        if digits.isascii() and digits.isdigit() and len(digits) < 100:
            return int(t) if str(int(t)) == t else None  # ('03', '-0': not as written)
        return t if isinstance(t, int) else None
    try:
        v = float(t) if isinstance(t, (str, int, float)) else math.nan
    except (ValueError, OverflowError):  # (no number; an int beyond float64)
        return None
    return v if math.isfinite(v) and (not isinstance(t, str) or repr(v) == t) else None


def _label_type(classes: np.ndarray) -> str:
    kind = classes.dtype.kind
    if kind == "b":
        return "bool"
    if kind in "iu":
        return "int"
    if kind == "f":
        return "float"
    if kind == "U":
        return "str"
    types = sorted({type(c).__name__ for c in classes.tolist()})
    raise TypeError(f"LabelEncoder takes labels of one type: str, int, float or bool. Got {types}.")


def _kind_of(v: Any) -> str:
    """The label type of one value: str, bool, int, float, or its own type's name."""
    for kind, types in (
        ("str", (str, np.str_)),
        ("bool", (bool, np.bool_)),
        ("int", (int, np.integer)),
        ("float", (float, np.floating)),
    ):
        if isinstance(v, types):
            return kind
    return type(v).__name__


class LabelEncoder:
    """Map class labels to integers ``0 .. C-1`` in sorted order of the labels, or in
    the order of ``classes`` (the lecture's Cat=0, Dog=1, Bird=2).

    ``classes_[i]`` is the label encoded as ``i``. Labels may be str, int, float or
    bool (one type per encoder). With ``classes`` given, fit raises on a label missing
    from the list.

    Attributes
    ----------
    classes_ : array of shape (C,), sorted or in the order given

    Examples
    --------
    >>> enc = LabelEncoder().fit(["dog", "cat", "bird", "cat"])
    >>> enc.classes_.tolist(), enc.transform(["cat", "dog"]).tolist()
    (['bird', 'cat', 'dog'], [1, 2])
    >>> enc.inverse_transform([0, 2]).tolist()
    ['bird', 'dog']
    >>> LabelEncoder(classes=["cat", "dog", "bird"]).fit_transform(["dog", "bird"]).tolist()
    [1, 2]
    """

    def __init__(self, classes: Sequence[Any] | None = None) -> None:
        if classes is not None:
            if isinstance(classes, (str, bytes)) or not hasattr(classes, "__iter__"):
                raise TypeError(
                    f"The 'classes' parameter of LabelEncoder must be a list (or array) of "
                    f"labels, such as ['cat', 'dog']. Got {classes!r:.60} of type "
                    f"{type(classes).__name__}."
                )
            if not isinstance(classes, np.ndarray):  # np.asarray would turn [1, "a"] into str
                kinds = sorted({_kind_of(v) for v in classes})
                if len(kinds) > 1 and not set(kinds) <= {"bool", "int", "float"}:
                    raise TypeError(
                        f"The 'classes' parameter of LabelEncoder takes labels of one type "
                        f"(str, int, float or bool). Got {kinds}: convert them to one type."
                    )
            arr = np.asarray(classes)
            if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):  # (as labels: refused)
                raise ValueError(
                    f"The 'classes' parameter of LabelEncoder holds NaN or inf, which no label "
                    f"may be. Got {classes!r}."
                )
            if arr.ndim != 1 or arr.size == 0 or len(set(arr.tolist())) != arr.size:
                raise ValueError(
                    "The 'classes' parameter of LabelEncoder must be a list of distinct labels, "
                    f"each once, e.g. ['cat', 'dog', 'bird']. Got {classes!r}."
                )
            classes = arr
        self.classes = classes
        self.classes_: np.ndarray | None = None

    def __repr__(self) -> str:
        if self.classes_ is None:
            return "LabelEncoder(unfitted)"
        return f"LabelEncoder(classes={self.classes_.tolist()})"

    @staticmethod
    def _as_labels(y: Any, where: str, allow_empty: bool = False) -> np.ndarray:
        arr = np.asarray(y)
        if arr.ndim != 1:
            hint = " Use y.ravel() for a column vector." if arr.ndim == 2 and 1 in arr.shape else ""
            raise ValueError(
                f"The 'y' parameter of {where} must be 1-D, one label per sample. Got shape "
                f"{arr.shape}.{hint}"
            )
        if arr.size == 0 and not allow_empty:
            raise ValueError(f"The 'y' parameter of {where} is empty.")
        if arr.dtype.kind == "U" and isinstance(y, (list, tuple)):
            # np.asarray([1, "a"]) is ['1', 'a']: the int would silently become a str
            kinds = sorted({_kind_of(v) for v in y})
            if kinds != ["str"]:
                raise TypeError(
                    f"The 'y' parameter of {where} mixes label types {kinds}; LabelEncoder "
                    f"takes labels of one type (str, int, float or bool). Convert them to one "
                    f"type first."
                )
        values = arr.tolist() if arr.dtype.kind == "O" and arr.ndim == 1 else []
        if not set(map(type, values)) <= _NEVER_MISSING:  # None, pandas' NA: no label
            gone = [i for i, v in enumerate(values) if _is_missing(v)]  # ("mixes NoneType")
            if gone:
                raise ValueError(
                    f"The 'y' parameter of {where} holds {len(gone)} missing label(s) (None, "
                    f"NaN, pandas' NA or NaT), the first at position {gone[0]}: drop those "
                    f"samples or give them a label."
                )
        if arr.dtype.kind == "O":  # (NumPy's scalars as Python's; ints and floats as floats,
            # as a list of them reads: then checked as any float labels, NaN included)
            vals = [v.item() if isinstance(v, np.generic) else v for v in arr.tolist()]
            kinds = {_kind_of(v) for v in vals}
            if kinds in ({"str"}, {"int"}, {"float"}, {"bool"}, {"int", "float"}):
                arr = np.array(vals)
        if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
            gone = [tuple(int(i) for i in at) for at in np.argwhere(np.isnan(arr))]
            if gone:  # (pandas' NA of an Int64 y reads as NaN)
                first = gone[0][0] if arr.ndim == 1 else gone[0]
                raise ValueError(
                    f"The 'y' parameter of {where} holds {len(gone)} missing label(s) (NaN or "
                    f"pandas' NA), the first at position {first}: drop those samples or give "
                    "them a label."
                )
            at = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
            raise ValueError(
                f"The 'y' parameter of {where} holds NaN or inf labels: {arr[at]} at position "
                f"{at[0] if arr.ndim == 1 else at}; drop those samples or give them a label."
            )
        return arr

    def fit(self, y: Any) -> LabelEncoder:
        """Learn the sorted set of labels in ``y`` of shape (n_samples,)."""
        arr = self._as_labels(y, "LabelEncoder.fit")
        if getattr(self, "classes", None) is not None:  # the user's order
            known = set(self.classes.tolist())
            missing = [v for v in dict.fromkeys(arr.tolist()) if v not in known]
            if missing:
                raise ValueError(
                    f"The 'y' parameter of LabelEncoder.fit holds labels missing from "
                    f"'classes': {missing[:10]}; classes: {self.classes.tolist()}. Add them "
                    "to the list or fix y."
                )
            _label_type(self.classes)  # one label type, as for learned classes
            self.classes_ = self.classes
            return self
        try:
            classes = np.unique(arr)
        except TypeError:
            types = sorted({type(v).__name__ for v in arr.tolist()})
            raise TypeError(
                f"LabelEncoder takes labels of one type; 'y' mixes {types}. Convert them to one "
                f"type first."
            ) from None
        _label_type(classes)  # rejects mixed object arrays
        self.classes_ = classes
        return self

    def transform(self, y: Any) -> np.ndarray:
        """Class indices of ``y``: int64 array of shape (n_samples,).

        A label not seen at fit raises ``ValueError`` naming it.
        """
        if self.classes_ is None:
            raise _not_fitted(self, "fit(y)")
        arr = self._as_labels(y, "LabelEncoder.transform", allow_empty=True)
        if arr.size == 0:  # an empty batch (as scikit-learn)
            return np.empty(0, dtype=np.int64)
        classes = self.classes_
        same_kind = (arr.dtype.kind == "U") == (classes.dtype.kind == "U") and arr.dtype.kind != "O"
        if same_kind:
            order = np.argsort(classes, kind="stable")  # classes_ may be the user's order
            idx = order[np.minimum(np.searchsorted(classes[order], arr), classes.size - 1)]
            known = classes[idx] == arr
        else:
            lookup = {c: i for i, c in enumerate(classes.tolist())}
            vals = arr.tolist()
            idx = np.array([lookup.get(v, 0) for v in vals], dtype=np.int64)
            known = np.array([v in lookup for v in vals], dtype=bool)
        if not known.all():
            unseen = list(dict.fromkeys(arr[~known].tolist()))
            raise ValueError(
                f"The 'y' parameter of LabelEncoder.transform holds labels not seen at fit: "
                f"{unseen[:10]}. Known classes: {classes.tolist()}."
            )
        return idx.astype(np.int64)

    def fit_transform(self, y: Any) -> np.ndarray:
        """``fit(y)`` then ``transform(y)``."""
        return self.fit(y).transform(y)

    def inverse_transform(self, indices: Any) -> np.ndarray:
        """Labels of class indices ``0 .. C-1``: array of shape (n_samples,)."""
        if self.classes_ is None:
            raise _not_fitted(self, "fit(y)")
        idx = np.asarray(indices)
        whole = idx.dtype.kind == "f" and bool(np.all(idx == np.round(idx)))  # e.g. 2.0
        if (idx.dtype.kind not in "iu" and not whole) or idx.ndim != 1:
            raise ValueError(
                f"The 'indices' parameter of LabelEncoder.inverse_transform must be a 1-D array "
                f"of ints. Got dtype {idx.dtype} and shape {idx.shape}."
            )
        bad = (idx < 0) | (idx >= self.classes_.size)  # before a cast, which could wrap 1e20
        if bad.any():
            raise ValueError(
                f"The 'indices' parameter of LabelEncoder.inverse_transform must be in "
                f"[0, {self.classes_.size - 1}]. Got {sorted(set(idx[bad].tolist()))[:10]}."
            )
        return self.classes_[idx.astype(np.int64)]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict: the classes as str plus a type tag (``str int float bool``)."""
        if self.classes_ is None:
            raise _not_fitted(self, "fit(y)")
        kind = _label_type(self.classes_)
        # repr(float) round-trips exactly; str(True) == "True" reads back through the tag
        as_text = repr if kind == "float" else str
        return {
            "type": "LabelEncoder",
            "label_type": kind,
            "classes": [as_text(c) for c in self.classes_.tolist()],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> LabelEncoder:
        """Rebuild a fitted encoder from :meth:`to_dict`'s output (ints come back as ints)."""
        d = _check_dict(d, "LabelEncoder", ("label_type", "classes"))
        kind, texts = d["label_type"], d["classes"]
        if kind not in _LABEL_TYPES:
            raise ValueError(
                f"LabelEncoder.from_dict: 'label_type' must be one of {list(_LABEL_TYPES)}. "
                f"Got {kind!r}."
            )
        if not isinstance(texts, list) or not texts:
            raise ValueError("LabelEncoder.from_dict: 'classes' must be a non-empty list.")
        labels: list[Any] = [_label_of(t, kind) for t in texts]
        if None in labels:
            t = texts[labels.index(None)]
            raise ValueError(
                f"LabelEncoder.from_dict: 'classes' {texts[:10]!r:.80} are not all of type "
                f"{kind}: each must be {_LABEL_TEXT[kind]}, as to_dict writes {kind} labels; "
                f"{t!r:.40} ({type(t).__name__}) is not."
            )
        if len(set(labels)) != len(labels):
            raise ValueError(f"LabelEncoder.from_dict: 'classes' {texts[:10]} repeat a label.")
        enc = cls()
        enc.classes_ = np.array(labels)  # the saved order: index i is classes[i]
        if kind == "int" and enc.classes_.dtype.kind != "i":  # past int64 (a uint64 label):
            try:  # NumPy made floats of them, which merge labels near 2**64
                enc.classes_ = np.array(labels, dtype=np.uint64)
            except OverflowError:
                raise ValueError(
                    f"LabelEncoder.from_dict: 'classes' {texts[:10]} hold ints beyond int64 and "
                    f"uint64 (-2**63 to 2**64 - 1)."
                ) from None
        return enc


# ---------------------------------------------------------------------------------------
# Preprocessor
# ---------------------------------------------------------------------------------------


class Preprocessor:
    """Turn a :class:`~glassnet.datasets.Table` into a float matrix a network can take.

    Numeric columns are standardized (:class:`StandardScaler`), categorical columns
    one-hot encoded (:class:`OneHotEncoder`). The output keeps the columns' order:
    a numeric column gives one output column ``name``, a categorical one gives one
    column ``name=category`` per category::

        table (N rows, features f_1 .. f_m)  ->  X of shape (N, n_features_out)

    The target column is not touched (encode it with :class:`LabelEncoder` or keep
    ``table.y_float``).

    Attributes
    ----------
    columns_ : list of str, the feature columns, in order
    kinds_ : dict of column name to ``"numeric"`` or ``"categorical"``
    scaler_ : StandardScaler or None (no numeric columns)
    encoder_ : OneHotEncoder or None (no categorical columns)

    Examples
    --------
    >>> from glassnet.datasets import Table
    >>> t = Table({"size": ["1", "3"], "color": ["red", "blue"], "y": ["0", "1"]}, target="y")
    >>> pre = Preprocessor().fit(t)
    >>> pre.feature_names_out
    ['size', 'color=blue', 'color=red']
    >>> pre.transform(t).tolist()
    [[-1.0, 0.0, 1.0], [1.0, 1.0, 0.0]]
    """

    def __init__(self) -> None:
        self.columns_: list[str] | None = None
        self.kinds_: dict[str, str] | None = None
        self.scaler_: StandardScaler | None = None
        self.encoder_: OneHotEncoder | None = None
        self.fill_: dict[str, float | str] = {}
        self.unknown_counts_: dict[str, int] = {}

    def __repr__(self) -> str:
        if self.columns_ is None:
            return "Preprocessor(unfitted)"
        return f"Preprocessor(columns={self.columns_}, n_features_out={self.n_features_out})"

    def _numeric(self) -> list[str]:
        assert self.columns_ is not None and self.kinds_ is not None
        return [c for c in self.columns_ if self.kinds_[c] == "numeric"]

    def _categorical(self) -> list[str]:
        assert self.columns_ is not None and self.kinds_ is not None
        return [c for c in self.columns_ if self.kinds_[c] == "categorical"]

    def fit(self, table: Table, columns: Sequence[str] | None = None) -> Preprocessor:
        """Learn the scaling and categories from ``table``.

        ``columns`` are the feature columns to use; by default all but the target.
        """
        if not isinstance(table, Table):
            raise TypeError(
                f"The 'table' parameter of Preprocessor.fit must be a glassnet.datasets.Table "
                f"(from read_csv). Got {type(table).__name__}."
            )
        if isinstance(columns, str):
            columns = [columns]
        cols = list(table.feature_names) if columns is None else [str(c) for c in columns]
        if not cols:
            raise ValueError(f"Preprocessor.fit: {table._src} has no feature columns to use.")
        have = set(table.names)  # (sets: every pass is linear in the number of columns)
        missing = [c for c in cols if c not in have]
        if missing:
            raise ValueError(
                f"The 'columns' parameter of Preprocessor.fit names columns not in "
                f"{table._src}: {missing}. Available columns: {list(table.names)}."
            )
        if table.target is not None and table.target in cols:
            raise ValueError(
                f"The 'columns' parameter of Preprocessor.fit includes the target column "
                f"{table.target!r}: leave it out."
            )
        if _repeated(cols):  # (a column given twice: from_dict refuses the file it would write)
            raise ValueError(
                f"The 'columns' parameter of Preprocessor.fit repeats {_few(_repeated(cols))}: "
                f"list each column once. Got {_few(cols)}."
            )
        self.columns_ = cols
        self.kinds_ = {c: table.kinds[c] for c in cols}
        self.fill_ = {c: table.fill_values[c] for c in cols if c in table.fill_values}
        num, cat = self._numeric(), self._categorical()
        self.scaler_ = StandardScaler().fit(table.to_array(num)) if num else None
        self.encoder_ = (
            OneHotEncoder().fit(np.stack([table.strings(c) for c in cat], axis=1), names=cat)
            if cat
            else None
        )
        return self

    @property
    def feature_names_out(self) -> list[str]:
        """Names of the output columns, in order: ``name`` or ``name=category``."""
        if self.columns_ is None:
            raise _not_fitted(self, "fit(table)")
        out: list[str] = []
        block = {}
        if self.encoder_ is not None and self.encoder_.categories_ is not None:
            block = dict(zip(self._categorical(), self.encoder_.categories_, strict=True))
        for c in self.columns_:
            if self.kinds_ is not None and self.kinds_[c] == "numeric":
                out.append(c)
            else:
                out.extend(f"{c}={v}" for v in block[c])
        return out

    @property
    def n_features_out(self) -> int:
        """Number of output columns."""
        return len(self.feature_names_out)

    def transform(
        self, table: Table, *, extra: str = "error", unknown: str = "error", dtype: Any = np.float64
    ) -> np.ndarray:
        """Apply the fitted scaling and encoding: array of shape (N, n_features_out), float64
        (or ``dtype``: ``np.float32`` gives the float64 result cast to float32, bit for bit,
        without the float64 matrix: a one-hot block of many categories is written straight
        into the output, one cell of ``dtype`` each).

        Missing cells ``table`` imputed with its own statistics (read with
        ``impute="mean"`` or ``"median"``) are filled with the training's fill values,
        ``fill_`` (the training data's mean, median or most frequent value), as
        ``impute=pre.fill_`` would fill them: the test data's own statistics never leak into
        its inputs. Such a cell in a column without a training fill value (a Preprocessor
        fitted on data read without ``impute``) raises ``ValueError``; fill values the
        user gave (``impute={column: value}``) are kept.

        ``table`` must hold every column seen at fit (else ``ValueError`` listing the
        missing ones). Feature columns not seen at fit raise ``ValueError`` too,
        unless ``extra="ignore"``. A category not seen at fit raises ``ValueError``,
        unless ``unknown="ignore"``: its one-hot block is then all zeros, and
        ``unknown_counts_`` says how many cells of each column were unknown. A number
        that overflows float64 in the fitted scale (-1e308 in a column of 1e308's) comes
        back as ``inf`` or ``-inf``, without a NumPy warning: the command line and
        :class:`glassnet.io.Pipeline` refuse it naming its line or row and column.
        """
        if self.columns_ is None or self.kinds_ is None:
            raise _not_fitted(self, "fit(table)")
        kind = check_float_dtype(dtype, "Preprocessor.transform")
        if not isinstance(table, Table):
            raise TypeError(
                f"The 'table' parameter of Preprocessor.transform must be a "
                f"glassnet.datasets.Table (from read_csv). Got {type(table).__name__}."
            )
        if extra not in ("error", "ignore"):
            raise ValueError(f"The 'extra' parameter must be 'error' or 'ignore'. Got {extra!r}.")
        if unknown not in ("error", "ignore"):  # (checked here too: without categories too)
            raise ValueError(
                f"The 'unknown' parameter must be 'error' or 'ignore'. Got {unknown!r}."
            )
        have, known = set(table.names), set(self.columns_)  # (linear in the columns)
        missing = [c for c in self.columns_ if c not in have]
        if missing:
            raise ValueError(
                f"{table._src} lacks column(s) {_few(missing)} that the preprocessor was "
                f"fitted on. Expected columns: {_few(self.columns_)}; it has: {_few(table.names)}."
            )
        surplus = [c for c in table.feature_names if c not in known]
        if surplus and extra == "error":
            raise ValueError(
                f"{table._src} has column(s) {_few(surplus)} not seen at fit. Expected columns: "
                f"{_few(self.columns_)}. Drop them, read the file with target=..., or pass "
                f'extra="ignore".'
            )
        num, cat = self._numeric(), self._categorical()
        width = dict.fromkeys(num, 1)
        if cat:
            assert self.encoder_ is not None and self.encoder_.categories_ is not None
            width.update(zip(cat, (k.size for k in self.encoder_.categories_), strict=True))
        start, position = {}, 0  # each column's first output column
        for c in self.columns_:
            start[c], position = position, position + width[c]
        # (zeros: the one-hot blocks' 0s; calloc's pages, untouched until written)
        out = np.zeros((table.n_rows, position), dtype=kind)  # (N, n_features_out)
        if num:
            assert self.scaler_ is not None
            self._check_numeric(table, num)
            Xn = np.stack([self._refilled(table, c, table.numbers(c)) for c in num], axis=1)
            Xn = self.scaler_._check(Xn, "Preprocessor.transform")
            with np.errstate(over="ignore"):  # (the inf is the callers' to name: no warning)
                Xn = self.scaler_._scaled(Xn)
                out[:, [start[c] for c in num]] = Xn  # (and float32's, cast)
        if cat:
            assert self.encoder_ is not None
            cols = self.encoder_._columns(
                np.stack([self._refilled(table, c, table.strings(c)) for c in cat], axis=1),
                unknown,
            )
            self.encoder_._encode(cols, unknown, out, [start[c] for c in cat])
            self.unknown_counts_ = dict(self.encoder_.unknown_counts_)
        return out

    def _refilled(self, table: Table, c: str, values: np.ndarray) -> np.ndarray:
        """Column ``c``'s ``values`` with the cells ``table`` imputed with its own mean,
        median or most frequent value (read with ``impute="mean"``) filled with the
        training's, ``fill_[c]``, as the command line and ``Pipeline`` fill them; a column
        the training data had no fill value for is refused (the test set's own statistics
        would leak into its inputs)."""
        own, lines = table.fill_values.get(c), table.imputed.get(c)
        if own is None or not lines:  # (none imputed, or by the values the user gave)
            return values
        if c not in self.fill_:
            raise ValueError(
                f"Column {c!r} of {table._src} had {len(lines)} missing cell(s) imputed with "
                f"the table's own {table.impute} ({own!r}), but the Preprocessor was fitted "
                "on data without imputation, so it has no training value to fill them with "
                "(the test data's own statistics would leak into its inputs). Fit the "
                "Preprocessor on data read with impute='mean' (or 'median'), or read this "
                "data with impute={column: value} giving the fill values yourself."
            )
        values[np.isin(table.line_numbers, lines)] = self.fill_[c]
        return values

    @staticmethod
    def _check_numeric(table: Table, num: Sequence[str]) -> None:
        """A column numeric at fit that ``table`` read as text is named with its first text
        cell (Table.numbers' own error advised a Preprocessor, which this is)."""
        for c in num:
            if table.kinds[c] != "numeric":
                raise ValueError(
                    f"Column {c!r} was numeric when the Preprocessor was fitted, but "
                    f"{table._src} reads it as categorical, not numeric: {table.why_text(c)}. "
                    "Fix the value(s), or refit the Preprocessor on data where the column is text."
                )

    def fit_transform(self, table: Table, columns: Sequence[str] | None = None) -> np.ndarray:
        """``fit(table, columns)`` then ``transform(table)``."""
        return self.fit(table, columns).transform(table, extra="ignore")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict: ``{"type", "columns", "kinds", "scaler", "encoder"}``."""
        if self.columns_ is None or self.kinds_ is None:
            raise _not_fitted(self, "fit(table)")
        out = {
            "type": "Preprocessor",
            "columns": list(self.columns_),
            "kinds": [self.kinds_[c] for c in self.columns_],
            "scaler": self.scaler_.to_dict() if self.scaler_ is not None else None,
            "encoder": self.encoder_.to_dict() if self.encoder_ is not None else None,
        }
        if self.fill_:  # (only when fitted on imputed data: older readers never see it)
            out["fill"] = dict(self.fill_)
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Preprocessor:
        """Rebuild a fitted preprocessor from :meth:`to_dict`'s output."""
        d = _check_dict(d, "Preprocessor", ("columns", "kinds", "scaler", "encoder"))
        cols, kinds = d["columns"], d["kinds"]
        if (
            not isinstance(cols, list)
            or not isinstance(kinds, list)
            or len(cols) != len(kinds)
            or not cols
            or any(k not in ("numeric", "categorical") for k in kinds)
        ):
            raise ValueError(
                "Preprocessor.from_dict: 'columns' and 'kinds' must be lists of the same length "
                ">= 1, each kind 'numeric' or 'categorical'."
            )
        pre = cls()
        pre.columns_ = _names_of(cols, "Preprocessor.from_dict", "columns")
        pre.kinds_ = dict(zip(pre.columns_, kinds, strict=True))
        num, cat = pre._numeric(), pre._categorical()
        if bool(num) != (d["scaler"] is not None) or bool(cat) != (d["encoder"] is not None):
            raise ValueError(
                "Preprocessor.from_dict: 'scaler' must be given exactly when there are numeric "
                "columns and 'encoder' exactly when there are categorical ones."
            )
        pre.scaler_ = StandardScaler.from_dict(d["scaler"]) if num else None
        pre.encoder_ = OneHotEncoder.from_dict(d["encoder"]) if cat else None
        if pre.scaler_ is not None and pre.scaler_.n_features_in_ != len(num):
            raise ValueError(
                f"Preprocessor.from_dict: the scaler has {pre.scaler_.n_features_in_} columns "
                f"but there are {len(num)} numeric columns."
            )
        fill = d.get("fill", {})
        if not isinstance(fill, Mapping) or any(c not in pre.kinds_ for c in fill):
            raise ValueError(
                "Preprocessor.from_dict: 'fill' must map feature columns to fill values (a "
                f"finite number for a numeric column, a str for a categorical one). Got "
                f"{fill!r:.80}."
            )
        for c, v in fill.items():  # (a number as the scaler's, a category as the encoder's)
            if pre.kinds_[c] != "categorical":
                _numbers_of([v], "Preprocessor.from_dict", f"fill.{c}")
            elif not isinstance(v, str):
                raise ValueError(
                    f"Preprocessor.from_dict: 'fill.{c}' must be a str (a category of a "
                    f"categorical column), as to_dict writes it. Got {v!r:.80} "
                    f"({type(v).__name__})."
                )
        if pre.encoder_ is not None and pre.encoder_.names_ != cat:
            raise ValueError(
                f"Preprocessor.from_dict: the encoder's columns {pre.encoder_.names_} differ "
                f"from the categorical columns {cat}."
            )
        for c, v in fill.items():  # (a fill outside the categories: predict blamed the data)
            known = [] if pre.kinds_[c] != "categorical" else pre.encoder_.categories_[cat.index(c)]
            if len(known) and v not in set(known.tolist()):
                raise ValueError(
                    f"Preprocessor.from_dict: 'fill.{c}' is {v!r:.80}, not one of the categories "
                    f"{known.tolist()!r:.200} of column {c!r}: the file was edited or damaged. "
                    "Restore the file, or refit the model."
                )
        pre.fill_ = dict(fill)
        return pre
