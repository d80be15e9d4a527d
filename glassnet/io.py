"""Model files: weights in safetensors, a JSON description, never pickle.

A glassnet file (``.glassnet`` by convention) is a valid safetensors file, so any
safetensors reader can open its weights::

    [8 bytes: N, little-endian unsigned][N bytes: UTF-8 JSON header][data bytes]

The header maps each tensor name to ``{"dtype", "shape", "data_offsets": [begin, end]}``
(``begin`` and ``end`` count bytes from the start of the data) and holds
``"__metadata__"``, a map of strings::

    {"format": "glassnet", "format_version": "1", "kind": "arrays",
     "order": "[\\"W\\", \\"b\\"]", "glassnet": "<the JSON description>"}

``kind`` says what wrote the file (``"arrays"``, ``"checkpoint"`` or ``"model"``),
``order`` lists the tensor names in the order they were given, and ``glassnet`` is
the JSON description (your ``meta``), and ``sha256``, a checksum of the tensors and
the other metadata. Loading never runs code from the file: the reader reads the
8-byte header length first and checks it against the file's size, counts the header's
JSON items (:data:`MAX_JSON_ITEMS`) before parsing it (and refuses JSON nested more than
:data:`MAX_JSON_DEPTH` levels deep), then checks every number in it
(lengths, dtypes, shapes, byte ranges) before anything is allocated from it, reads
each tensor into its own array, and verifies the checksum; malformed or corrupted
files are refused with :class:`ModelFileError`. (Files without a checksum, from
earlier glassnets or other writers, are read without that check.) The header is
written in a fixed order (``__metadata__`` first, its keys sorted), so the same arrays
and description give the same bytes in every process.

>>> import pathlib, tempfile
>>> import numpy as np

>>> from glassnet.io import load_arrays, save_arrays
>>> with tempfile.TemporaryDirectory() as tmp:
...     path = save_arrays(pathlib.Path(tmp) / "xnor.glassnet",
...                        {"W": np.eye(2, dtype=np.float32)}, {"task": "xnor"})
...     arrays, meta = load_arrays(path)
>>> arrays["W"]
array([[1., 0.],
       [0., 1.]], dtype=float32)
>>> meta
{'task': 'xnor'}
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import math
import os
import re
import stat
import warnings
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from ._validation import check_bool, distinct_keys, is_series, positional, unmasked
from .backend import host_model, is_array, namespace, to_device
from .files import NOT_MODEL, WriteError, atomic_write, misnamed, read_only, tilde_hint
from .functional import replaced_entry
from .tensor import Tensor

if TYPE_CHECKING:
    from .nn import Module

__all__ = [
    "FORMAT_VERSION",
    "SUPPORTED_FORMAT_VERSIONS",
    "Checkpoint",
    "LoadedFile",
    "OWN_META_KEYS",
    "ModelFileError",
    "ModelFileExistsError",
    "ModelIsADirectoryError",
    "ModelWriteError",
    "Pipeline",
    "check_arrays_against",
    "file_kind",
    "load_arrays",
    "load_checkpoint",
    "load_file",
    "load_model",
    "load_pipeline",
    "load_torch_state_dict",
    "load_weights",
    "read_only",
    "save_arrays",
    "save_checkpoint",
    "save_model",
]

FORMAT_NAME = "glassnet"
FORMAT_VERSION = "1"
SUPPORTED_FORMAT_VERSIONS = ("1", "1.1")
#: The format version of a file of arrays some of which hold inf, -inf or NaN on purpose
#: (``save_arrays(..., nonfinite=True)``, ``gn.save`` of a state dict or a Tensor: a causal
#: mask of -inf): its ``__metadata__`` lists those arrays under ``"nonfinite"``, so a reader
#: still refuses a non-finite value anywhere else as corruption. Glassnets that read version
#: 1 only refuse it saying to upgrade; a file without such values stays version 1 (1.1 adds
#: that list, nothing else).
NONFINITE_FORMAT_VERSION = "1.1"
_NONFINITE_KEY = "nonfinite"
KINDS = ("arrays", "checkpoint", "model")

# The reference safetensors implementation refuses headers over 100 MB; so do we.
MAX_HEADER_BYTES = 100_000_000
#: The most JSON items a header (or the description in it) may hold, counted as the
#: characters ``, : [ {`` that separate and open them (a value takes one or two): parsing
#: makes a Python object of each item (60-100 bytes), so a 100 MB header of ``[],[],...``
#: would take 2.5 GB and 15 s before it could be refused. Counted before it is parsed;
#: 2 million items cost at most about what reading a 100 MB header does (~200 MB), and
#: hold 150,000 tensors, or a one-hot column of half a million categories.
#: :func:`save_arrays` and the other writers refuse what the readers would refuse.
MAX_JSON_ITEMS = 2_000_000
#: How deeply JSON may nest (arrays and objects within each other) in a header, a
#: description or the tensor order; the writers refuse deeper ``meta`` and optimizer
#: state. Parsing takes a level of Python's recursion limit per level, so without a fixed
#: limit a file could load or not depending on how deep in a program's call stack it was
#: read; 200 levels load wherever at least 250 are left. (A model config of 64 modules
#: nested, :data:`MAX_CONFIG_DEPTH`, is about 130 levels deep.)
MAX_JSON_DEPTH = 200
MAX_NDIM = 32  # NumPy 1.x's limit on dimensions
_MAX_ARRAY_BYTES = int(np.iinfo(np.intp).max)  # NumPy's limit on an array's size

# safetensors dtype code -> NumPy dtype, for the dtypes glassnet stores.
_DTYPES: dict[str, np.dtype] = {
    "F16": np.dtype(np.float16),
    "F32": np.dtype(np.float32),
    "F64": np.dtype(np.float64),
    "I32": np.dtype(np.int32),
    "I64": np.dtype(np.int64),
    "U8": np.dtype(np.uint8),
    "BOOL": np.dtype(np.bool_),
}
# (kind, itemsize) -> code: matches a dtype whatever its byte order.
_CODES = {(dt.kind, dt.itemsize): code for code, dt in _DTYPES.items()}
_DTYPE_NAMES = "float16, float32, float64, int32, int64, uint8 or bool"

#: The ``__metadata__`` key holding the file's SHA-256 checksum (see :func:`_checksum`).
CHECKSUM_KEY = "sha256"

_METADATA_KEYS = frozenset(
    {"format", "format_version", "kind", "order", "glassnet", CHECKSUM_KEY, _NONFINITE_KEY}
)

MODEL_PREFIX = "model/"
OPTIM_PREFIX = "optim/"
# Tags in a checkpoint's JSON for values JSON cannot hold directly. A plain dict
# never has a key starting with "__" (such dicts are stored as items), so the
# tags cannot be confused with data.
_TENSOR_TAG = "__tensor__"
_TUPLE_TAG = "__tuple__"
_ITEMS_TAG = "__items__"
#: A checkpoint's infinite float, which JSON cannot hold (a scheduler's ``best`` before its
#: first step), as ``{"__float__": "inf"}`` in its optimizer state and meta. (NaN is
#: refused there: a setting of NaN is a run gone wrong, not a state to resume; ``gn.save``'s
#: object keeps it, ``{"__float__": "nan"}``, as ``torch.save`` keeps a diverged loss.)
_FLOAT_TAG = "__float__"
_NONFINITE = ("inf", "-inf")
_NAN = "nan"


#: The key of a model file's ``meta`` under which :func:`save_model` records the mode of each
#: module: ``{"training": [m.training for m in model.modules()], "frozen": [...],
#: "fingerprint": ...}``. :func:`load_model` and ``gn.load`` give the model back in
#: that mode (a model saved after ``eval()`` loads in eval mode, as PyTorch's whole-model
#: save keeps it); ``"frozen"`` (``gn.save``'s files) names the parameters it freezes again.
#: The record is trusted only when ``"fingerprint"``, a SHA-256 of the file's weights (names,
#: dtypes, shapes and bytes), config and user meta, matches the file: a record that an older
#: glassnet (which shows it as the user's meta) carried into a later save of other weights,
#: or with a meta changed, is stale, and ignored. (A file an older glassnet saves again with
#: the same weights, config and meta is the very file it read, and loads as that file did.)
#: A file with no record (or a stale one) loads in training mode, as
#: a new module is. The readers take it out of the ``meta`` they give (:func:`load_arrays`
#: too): the ``meta`` given to :func:`save_model` comes back as it was.
MODES_KEY = "glassnet.modes"
_SAVE_KEY = "glassnet.save"  # (gn.save's record in a model's meta: modes and frozen parameters)
#: The keys of a model file's ``meta`` that are glassnet's own records, never the user's:
#: :func:`save_model` refuses them in the ``meta`` it is given, and the readers
#: (:func:`load_arrays`, :func:`load_file`, :func:`load_model`) take them out of the meta
#: they give back, so a meta read from one file can be given to the next save as it is.
OWN_META_KEYS = (MODES_KEY, _SAVE_KEY)


def _user_meta(meta: Any) -> Any:
    """A model file's ``meta`` without glassnet's own records (:data:`OWN_META_KEYS`)."""
    if isinstance(meta, dict) and any(key in meta for key in OWN_META_KEYS):
        return {k: v for k, v in meta.items() if k not in OWN_META_KEYS}
    return meta


class ModelFileError(ValueError):
    """A model file cannot be written, is malformed, or does not match the model."""


class ModelWriteError(ModelFileError, WriteError):
    """A glassnet file cannot be written at its path: the path is a directory or not
    writable, or an existing file there is data of the user's (a CSV file) that writing would
    replace. Raised alike by :func:`save_model`, ``gn.save`` and the other writers: a
    :class:`ModelFileError` (so a ``ValueError``, as before) and a
    :class:`glassnet.files.WriteError` (so an ``OSError``, as other glassnet writers' refusals
    to write a path are), whose ``filename`` is the path. A data file in the way is also a
    ``FileExistsError`` (``errno.EEXIST``), a directory an ``IsADirectoryError``
    (``errno.EISDIR``): a handler that retries an ``OSError`` can tell these refusals, which
    a retry never mends."""

    def __str__(self) -> str:  # (the message alone, as given: not OSError's "[Errno ..]")
        return str(self.args[0]) if self.args else ""


class ModelFileExistsError(ModelWriteError, FileExistsError):
    """:class:`ModelWriteError` for an existing file of the user's data (a CSV file) at the
    path, which writing would replace (``errno.EEXIST``, as Python's own refusal)."""


class ModelIsADirectoryError(ModelWriteError, IsADirectoryError):
    """:class:`ModelWriteError` for a path that is a directory (``errno.EISDIR``)."""


def write_error(
    message: str, path: Any, cause: BaseException | None = None, in_the_way: bool | None = None
) -> ModelWriteError:
    """The :class:`ModelWriteError` for ``path``: a :class:`ModelFileExistsError` when a file
    of the user's is in the way (``in_the_way``; by default :func:`foreign_file`'s rule), a
    :class:`ModelIsADirectoryError` for a directory, with ``errno`` and ``filename`` set (the
    cause's errno, if any, else). ``onnx.export`` raises the same."""
    where = os.fspath(path) if isinstance(path, (str, os.PathLike)) else path
    code = getattr(cause, "errno", None)
    if foreign_file(path) is not None if in_the_way is None else in_the_way:
        exc: ModelWriteError = ModelFileExistsError(message)
        code = errno.EEXIST
    elif isinstance(where, str) and os.path.isdir(where):
        exc, code = ModelIsADirectoryError(message), errno.EISDIR
    else:
        exc = ModelWriteError(message)
    exc.errno, exc.filename = code, where
    if code is not None:
        exc.strerror = os.strerror(code)
    return exc


class Checkpoint(NamedTuple):
    """What :func:`load_checkpoint` returns: unpack it as ``model, optim, meta = ...``."""

    model_state: dict[str, np.ndarray]
    optimizer_state: dict[str, Any]
    meta: dict[str, Any]


# ----------------------------------------------------------------------------- helpers


def _safetensors_numpy(verb: str) -> Any:
    """Import ``safetensors.numpy`` (the ``io`` extra) or say how to install it."""
    try:
        import safetensors.numpy as st
    except ImportError as exc:
        raise ImportError(
            f'{verb} glassnet models needs safetensors: pip install "glassnet[io]"'
        ) from exc
    return st


def _as_path(path: Any, argname: str = "path") -> Path:
    if isinstance(path, (str, os.PathLike)) and not isinstance(path, bytes):
        return Path(path)
    opened = callable(getattr(path, "read", None)) or callable(getattr(path, "write", None))
    raise TypeError(
        f"'{argname}' must be a str or os.PathLike, got {type(path).__name__}: "
        f"pass a file path such as 'model.glassnet'"
        + (
            " (an open file: pass the file's path instead, such as f.name; glassnet reads "
            "and writes model files whole, and atomically)"
            if opened
            else ""
        )
    )


def oneline(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _nonfinite_message(a: np.ndarray, what: str) -> str | None:
    """Describe the NaN/inf values in a float array, or None when all are finite."""
    if a.dtype.kind != "f" or a.size == 0:
        return None
    finite = np.isfinite(a)
    if finite.all():
        return None
    bad = np.argwhere(~finite)
    first = tuple(int(i) for i in bad[0])
    return f"{what} holds {len(bad)} NaN or infinite value(s), the first at index {first}"


def clean_array(a: Any, what: str, nonfinite: bool = False) -> np.ndarray:
    """Check one array for storing; return it C-contiguous in native byte order.
    ``nonfinite``: inf, -inf and NaN are values to keep (else refused)."""
    if not isinstance(a, np.ndarray) and is_array(a):  # on a GPU: its host copy is stored
        a = to_device(a, "cpu")
    if not isinstance(a, np.ndarray):
        raise TypeError(
            f"{what} must be a numpy.ndarray, got {type(a).__name__}: convert it with numpy.asarray"
        )
    why = "which a glassnet file cannot mark: fill them first, e.g. with .filled(0)"
    a = unmasked(a, what, "", why)  # (its values alone would drop the mask silently)
    if (a.dtype.kind, a.dtype.itemsize) not in _CODES:
        raise ValueError(
            f"{what} has dtype {a.dtype}; glassnet files hold {_DTYPE_NAMES}: "
            f"convert it, e.g. with .astype(numpy.float32)"
        )
    problem = None if nonfinite else _nonfinite_message(a, what)
    if problem:
        raise ValueError(
            f"{problem}; glassnet's model files and checkpoints hold finite numbers only (a NaN "
            "or inf weight is a run gone wrong: fix it first). A value meant to be inf or NaN "
            "(a causal mask of -inf) is kept by gn.save(model.state_dict(), path) or "
            "glassnet.io.save_arrays(path, arrays, nonfinite=True); or register it with "
            "register_buffer(name, mask, persistent=False) and build it again after loading"
        )
    # (not np.ascontiguousarray: it turns 0-d arrays into shape (1,))
    return a.astype(a.dtype.newbyteorder("="), order="C", copy=False)


def _clean_arrays(
    arrays: Any, argname: str, prefix: str = "", nonfinite: bool = False
) -> dict[str, np.ndarray]:
    if not isinstance(arrays, Mapping):
        raise TypeError(
            f"'{argname}' must be a dict mapping names to numpy arrays, got {type(arrays).__name__}"
        )
    out = {}
    for name, a in arrays.items():
        if not isinstance(name, str) or not name:
            raise ValueError(
                f"'{argname}' has the name {name!r}; array names must be non-empty strings"
            )
        if name == "__metadata__":
            raise ValueError(
                f"'{argname}' uses the name '__metadata__', which safetensors reserves: rename it"
            )
        out[prefix + name] = clean_array(a, f"{argname}[{name!r}]", nonfinite)
    return out


def finite_floats(value: Any) -> bool:
    """Whether ``value`` is a list of Python floats, every one finite (a loss history): JSON
    as it is, exactly (each float's repr reads back as that float), with no walk per item."""
    if type(value) is not list or len(value) < 16 or not all(type(v) is float for v in value):
        return False
    return bool(np.isfinite(np.fromiter(value, float, len(value))).all())


def to_json(value: Any, where: str, nonfinite: bool = False, nan: bool = False) -> Any:
    """A JSON-ready copy of ``value`` (tuples become lists, NumPy scalars Python ones);
    ``nonfinite``: inf and -inf as ``{"__float__": "inf"}`` (a checkpoint's), else
    refused; ``nan`` (with ``nonfinite``: ``gn.save``'s object) NaN as
    ``{"__float__": "nan"}``, else refused."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        if abs(int(value)) >= _INT_BOUND:  # (the readers refuse it)
            raise ValueError(
                f"{where} is an integer of more than {MAX_INT_DIGITS} digits, more than a "
                f"glassnet file holds; store it as a string"
            )
        return int(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        if math.isinf(number) and nonfinite:
            return {_FLOAT_TAG: repr(number)}  # ('inf', '-inf')
        if math.isnan(number) and nonfinite and nan:
            return {_FLOAT_TAG: _NAN}
        if math.isnan(number) and nonfinite:  # (a checkpoint: its inf is kept)
            raise ValueError(
                f"{where} is nan; a checkpoint keeps inf and -inf but not NaN (a setting of "
                "NaN is a run gone wrong, not a state to resume): leave it out or store it as "
                "a string (gn.save keeps a NaN float, e.g. a diverged loss)"
            )
        if not math.isfinite(number):
            raise ValueError(
                f"{where} is {number}; JSON holds finite numbers only: "
                f"store it as a string or leave it out"
            )
        return number
    if isinstance(value, Mapping):
        if nonfinite and len(value) == 1 and _FLOAT_TAG in value:
            raise ValueError(
                f"{where} is a dict of the one key {_FLOAT_TAG!r}, which a checkpoint's "
                f"description reserves for inf and -inf (it would read back as a number): "
                f"rename the key"
            )
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(
                    f"{where} has the key {key!r} of type {type(key).__name__}; "
                    f"JSON object keys must be str: convert it with str()"
                )
            out[key] = to_json(item, f"{where}[{key!r}]", nonfinite, nan)
        return out
    if isinstance(value, (list, tuple)):
        return [to_json(item, f"{where}[{i}]", nonfinite, nan) for i, item in enumerate(value)]
    if isinstance(value, np.ndarray):
        raise TypeError(
            f"{where} is a numpy array; the JSON description holds plain values only: "
            f"store arrays as tensors, or convert small ones with .tolist()"
        )
    if isinstance(value, Tensor):
        raise TypeError(
            f"{where} is a Tensor, which JSON cannot hold: pass its values, x.numpy() (a "
            "checkpoint's optimizer state stores arrays as tensors), or x.item() for a number"
        )
    raise TypeError(
        f"{where} is a {type(value).__name__}, which JSON cannot hold; use only dict "
        f"(str keys), list, tuple, str, int, float, bool and None"
    )


def _json_depth(value: Any) -> int:
    """How deeply lists and dicts nest in ``value`` (a scalar: 0, ``[]``: 1), iteratively."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            node = node.values()
        elif not isinstance(node, list):
            continue
        deepest = max(deepest, depth)
        stack.extend((v, depth + 1) for v in node if isinstance(v, (dict, list)))
    return deepest


def too_deep(value: Any, limit: int) -> tuple[tuple[tuple[Any, bool], ...], int] | None:
    """Where JSON ``value`` (the state :func:`encode_state` writes, or plain JSON) first
    nests deeper than ``limit`` levels (a list or dict: one level, as :func:`_json_depth`
    counts): ``(route, levels)``, the route of the value in the caller's terms
    (``(key, is_index)`` pairs: a tuple's ``{"__tuple__": [...]}`` and an int-keyed dict's
    ``{"__items__": [[key, value]]}`` read as the tuple and the dict they stand for) and
    the depth of the whole value; None when it does not. Iterative: any depth is measured."""

    def deeper(v: Any) -> bool:  # (a number or a string adds no level: not visited)
        return isinstance(v, (dict, list))

    stack: list[tuple[Any, int, tuple]] = [(value, 1, ())]
    while stack:
        node, level, route = stack.pop()
        if not isinstance(node, (dict, list)):
            continue
        children: list[tuple[Any, int, tuple]] = []
        one = isinstance(node, dict) and len(node) == 1
        tag, inner = next(iter(node.items())) if one else (None, None)
        if tag == _TUPLE_TAG and isinstance(inner, list):
            reach = level + 1
            children = [
                (v, level + 2, (*route, (i, True))) for i, v in enumerate(inner) if deeper(v)
            ]
        elif (
            tag == _ITEMS_TAG
            and isinstance(inner, list)
            and all(isinstance(p, list) and len(p) == 2 for p in inner)
        ):
            reach = level + 2 if inner else level + 1
            children = [(p[1], level + 3, (*route, (p[0], False))) for p in inner if deeper(p[1])]
        elif isinstance(node, dict):
            reach = level
            children = [(v, level + 1, (*route, (k, False))) for k, v in node.items() if deeper(v)]
        else:
            reach = level
            children = [
                (v, level + 1, (*route, (i, True))) for i, v in enumerate(node) if deeper(v)
            ]
        if reach > limit:
            return route, _json_depth(value)
        stack.extend(reversed(children))  # (in order: the first too deep is named)
    return None


def _bracket_path(argname: str, route: tuple[tuple[Any, bool], ...]) -> str:
    """``argname['state'][0]``, shortened in the middle past 100 characters."""
    path = argname + "".join(f"[{key!r}]" for key, _ in route)
    return path if len(path) <= 100 else f"{path[:60]}...{path[-36:]}"


def check_depth(value: Any, argname: str) -> None:
    """Refuse JSON ``value`` stored one level inside the description when it nests deeper
    than the readers read (:data:`MAX_JSON_DEPTH`), naming where (its key path below
    ``argname``: a checkpoint's tuples and int-keyed dicts as stored take more levels)."""
    limit = MAX_JSON_DEPTH - 1
    found = too_deep(value, limit)
    if found is not None:
        route, depth = found
        raise ValueError(
            f"'{argname}' nests {depth} levels of lists and dicts, more than the {limit} a "
            f"glassnet file holds: {_bracket_path(argname, route)} lies deeper (as stored, a "
            "list or dict takes one level, a tuple two, a dict of int keys three, an array or "
            "an inf one); flatten it (e.g. store the deep part as a JSON string)"
        )


def _describe(meta: Any, argname: str = "meta", nonfinite: bool = False) -> dict[str, Any]:
    if meta is None:
        return {}
    if not isinstance(meta, Mapping):
        raise TypeError(f"'{argname}' must be a dict of JSON values, got {type(meta).__name__}")
    try:
        out = to_json(meta, argname, nonfinite)
    except RecursionError:
        raise ValueError(
            f"'{argname}' is nested too deeply or contains itself; JSON needs a finite tree"
        ) from None
    check_depth(out, argname)
    return out


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):  # (1e999: json.loads would read it as inf)
        raise ValueError(f"{_short(text, 30)} is beyond a float's range: numbers must be finite")
    return number


#: The most digits a JSON integer may have (Python's own default limit, which a program
#: may switch off: ``int()`` of a 10-million-digit text then takes minutes).
MAX_INT_DIGITS = 4300
_INT_BOUND = 10**MAX_INT_DIGITS  # the least integer of more digits


def _bounded_int(text: str) -> int:
    digits = len(text) - text.startswith("-")
    if digits > MAX_INT_DIGITS:
        raise ValueError(f"an integer has {digits} digits, more than {MAX_INT_DIGITS}")
    return int(text)


def _json_items(text: str | bytes) -> int:
    """How many JSON items ``text`` holds, as :data:`MAX_JSON_ITEMS` counts them."""
    if isinstance(text, str):
        return sum(text.count(c) for c in ",:[{")
    return sum(text.count(c) for c in b",:[{")


def _strict_json(text: str) -> Any:
    """``json.loads`` that refuses duplicate keys, NaN/Infinity (as safetensors does),
    numbers beyond a float's range or of more than :data:`MAX_INT_DIGITS` digits, JSON
    nested more than :data:`MAX_JSON_DEPTH` levels, and, before parsing, more than
    :data:`MAX_JSON_ITEMS` items."""
    items = _json_items(text)
    if items > MAX_JSON_ITEMS:
        raise ValueError(
            f"it holds about {items} items, more than the {MAX_JSON_ITEMS} glassnet reads; "
            f"the file is corrupt or hostile"
        )
    too_deep = (
        f"its arrays and objects nest more than {MAX_JSON_DEPTH} levels deep, more than "
        f"glassnet reads or writes; the file is corrupt or hostile"
    )
    try:
        value = json.loads(
            text,
            object_pairs_hook=distinct_keys,
            parse_constant=_reject_constant,
            parse_float=_finite_float,
            parse_int=_bounded_int,
        )
    except RecursionError:
        raise ValueError(too_deep) from None
    if _json_depth(value) > MAX_JSON_DEPTH:  # (the same verdict wherever it is called from)
        raise ValueError(too_deep)
    return value


def in_the_way(path: Any) -> str:
    """How a writer's refusal names the file of another kind at ``path``: an ONNX model (as
    ``onnx.export`` writes), else data of the user's."""
    try:
        with open(path, "rb") as f:
            if _onnx_file(f):
                return "an ONNX model, as glassnet.onnx.export writes"
    except OSError:
        pass
    return "data of yours: a CSV file, a NumPy file"


def foreign_file(path: Any) -> str | None:
    """``"text"`` or ``"binary"`` when ``path`` is an existing file that is neither
    glassnet's nor safetensors' (data of the user's, which a writer must not replace),
    else None (no such file, or a bad path, which the writer names)."""
    try:
        kind = file_kind(path)
    except (OSError, TypeError, ValueError):
        return None
    return kind if kind in ("text", "binary") else None


def _save(
    path: Any,
    st: Any,
    arrays: dict[str, np.ndarray],
    description: dict[str, Any],
    kind: str,
    replace_any: bool = False,
    digests: dict[str, tuple[str, Sequence[int], str]] | None = None,
) -> Path:
    """Write the file (``digests``: :func:`_digests` of ``arrays``, when already known).
    An array holding inf, -inf or NaN (only a file of arrays takes one:
    ``save_arrays(..., nonfinite=True)``) is listed in the metadata, the file then of
    :data:`NONFINITE_FORMAT_VERSION`."""
    target = _as_path(path)
    if not replace_any:  # (a CSV file under a model's name is data of the user's)
        found = foreign_file(target)
        if found is not None:
            raise write_error(
                f"cannot write '{target}': it is a {found} file, not a glassnet file "
                f"({in_the_way(target)}), and writing would replace it. Delete it or "
                f"choose another path (or pass replace_any=True to replace it).",
                path,
            )
    metadata = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "kind": kind,
        "order": json.dumps(list(arrays)),
        "glassnet": json.dumps(description, allow_nan=False),
    }
    listed = [  # (the arrays holding inf or NaN: a check, not a description of each)
        n for n, a in arrays.items() if a.dtype.kind == "f" and not np.isfinite(a).all()
    ] if kind == "arrays" else []  # fmt: skip
    if listed:
        metadata["format_version"] = NONFINITE_FORMAT_VERSION
        metadata[_NONFINITE_KEY] = json.dumps(listed)
    if digests is None:
        digests = _digests(arrays)
    metadata[CHECKSUM_KEY] = _checksum(digests, metadata)
    text = sum(len(v) for v in metadata.values())  # (characters: the header holds more)
    less = (  # (gn.save has no meta: its lists and numbers are the description)
        "store long lists as arrays, np.asarray(the_list), which gn.save keeps as one "
        "tensor, not as JSON items"
        if isinstance(description, dict) and "glassnet.save" in description
        else "keep less in 'meta'"
    )
    too_large = ModelFileError(
        f"cannot write '{target}': its header (the description, {_bytes(text)} of text, and "
        f"the arrays' entries) would take more than the {MAX_HEADER_BYTES // 10**6} MB a "
        f"safetensors header holds; {less} (store large data as arrays, or in "
        f"a file of its own)"
    )
    if text > MAX_HEADER_BYTES:  # (safetensors refuses it as "header too large")
        raise too_large
    try:
        data = st.save(arrays, metadata=metadata)
    except Exception as exc:
        if "header too large" in str(exc):
            raise too_large from None
        raise ModelFileError(
            f"cannot write '{target}': safetensors could not serialize the arrays ({oneline(exc)})"
        ) from exc
    data = _fixed_header(data)
    items = _json_items(data[8 : 8 + int.from_bytes(data[:8], "little")])
    if items > MAX_JSON_ITEMS:  # (the readers would refuse the file)
        raise ModelFileError(
            f"cannot write '{target}': its header would hold about {items} JSON items (the "
            f"arrays' entries and the description), more than the {MAX_JSON_ITEMS} glassnet "
            f"reads back; store fewer arrays, or {less}"
        )
    try:  # (the path as given: Path(...) drops a final '/', which names a directory)
        return Path(atomic_write(path, data))
    except WriteError as exc:
        raise write_error(f"{exc}{tilde_hint(path)}", path, exc.__cause__) from exc


def _fixed_header(data: bytes) -> bytes:
    """A safetensors file's bytes ``data`` with its header written in a fixed order, so
    the same arrays and metadata give the same bytes in every process: ``__metadata__``
    first, its keys sorted (the safetensors library writes them in its hash map's order,
    which varies from process to process), then the tensors' entries in the order of
    their data. The header is compact JSON padded with spaces to a multiple of 8 bytes,
    its length in the 8-byte prefix, as safetensors writes it; the data is unchanged."""
    n = int.from_bytes(data[:8], "little")
    header = json.loads(data[8 : 8 + n])
    fixed: dict[str, Any] = {}
    if "__metadata__" in header:
        fixed["__metadata__"] = dict(sorted(header.pop("__metadata__").items()))
    for name in sorted(header, key=lambda k: (header[k]["data_offsets"], k)):
        fixed[name] = header[name]
    text = json.dumps(fixed, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    raw = text.encode("utf-8")
    raw += b" " * (-len(raw) % 8)
    return b"".join((len(raw).to_bytes(8, "little"), raw, memoryview(data)[8 + n :]))


# ----------------------------------------------------------------------------- reading


def _sha256(a: np.ndarray) -> str:
    """SHA-256 of an array's bytes (C order)."""
    flat = np.ascontiguousarray(a).reshape(-1)  # (size,): a 1-d view casts to bytes
    return hashlib.sha256(memoryview(flat).cast("B") if flat.size else b"").hexdigest()


def _digests(arrays: Mapping[str, np.ndarray]) -> dict[str, tuple[str, Sequence[int], str]]:
    """Each array's ``(dtype code, shape, SHA-256 of its little-endian bytes)`` by name."""
    digests = {}
    for name, a in arrays.items():
        little = a.astype(a.dtype.newbyteorder("<"), copy=False)
        digests[name] = (_CODES[a.dtype.kind, a.dtype.itemsize], a.shape, _sha256(little))
    return digests


def _record_print(
    digests: Mapping[str, tuple[str, Sequence[int], str]], config: Any, meta: Any
) -> str:
    """The fingerprint a model's mode record carries (:data:`MODES_KEY`): of its weights
    (names, dtypes, shapes and bytes, ``digests``), its config and the user's ``meta``, so
    a record carried into a save of other weights, another config or another meta (by a
    glassnet that shows it as the user's meta) no longer matches."""
    described = {
        "config": json.dumps(config, sort_keys=True),
        "meta": json.dumps(_user_meta(meta), sort_keys=True),
    }
    return _checksum(digests, described)[:32]


def _checksum(digests: Mapping[str, tuple[str, Sequence[int], str]], metadata: Mapping) -> str:
    """The file's checksum: SHA-256 over every tensor's name, dtype, shape and bytes
    (little-endian, each hashed on its own, ``digests[name] = (code, shape, sha256)``),
    in name order, and over the ``__metadata__`` strings other than the checksum itself.
    It covers the weights and the JSON description, whatever order the bytes are in."""
    h = hashlib.sha256()
    for name in sorted(digests):
        code, shape, digest = digests[name]
        h.update(json.dumps([name, code, [int(d) for d in shape], digest]).encode())
    rest = sorted((k, v) for k, v in metadata.items() if k != CHECKSUM_KEY)
    h.update(json.dumps(rest).encode())
    return h.hexdigest()


def _open_regular(p: Path) -> Any:
    """``open(p, "rb")`` if ``p`` is a regular file once opened, else None (closed).

    The callers check ``os.stat`` first, but the path can be replaced between that check
    and the open: a FIFO put there would block a plain ``open`` until a writer came
    (forever). Opened without blocking (``O_NONBLOCK``), then checked with ``fstat`` on
    the descriptor itself, so what is read is what was checked."""
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0)
    nonblock = getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    fd = os.open(p, flags | nonblock)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            return None
        if nonblock and hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)  # (a regular file: reads as ever)
        return open(fd, "rb")  # noqa: SIM115 - closed by the callers' with-blocks
    except BaseException:
        with contextlib.suppress(OSError):
            os.close(fd)
        raise


def _newer_version(version: Any, known: Sequence[str]) -> bool:
    """Whether ``version`` is a format version (``"2"``, ``"1.2"``: numbers joined by dots)
    above every one of ``known``: a newer glassnet's, which an upgrade reads. A missing,
    malformed or older one is no glassnet's.

    >>> _newer_version("1.2", ("1", "1.1")), _newer_version("1.0", ("1", "1.1"))
    (True, False)
    """
    if not isinstance(version, str) or not re.fullmatch(r"[0-9]{1,9}(\.[0-9]{1,9}){0,3}", version):
        return False

    def parts(text: str) -> tuple[int, ...]:  # ("1.1.0" is "1.1")
        numbers = [int(n) for n in text.split(".")]
        while len(numbers) > 1 and numbers[-1] == 0:
            numbers.pop()
        return tuple(numbers)

    return all(parts(version) > parts(k) for k in known)


def open_regular(path: str | os.PathLike[str]) -> Any:
    """``open(path, "rb")`` if ``path`` is a regular file once opened, else None: opened
    without blocking (a FIFO swapped in after the caller's check would block a plain
    ``open`` for ever), then checked on the descriptor itself (``fstat``). An ``OSError``
    of the open (no such file, permission denied) propagates for the caller to name."""
    return _open_regular(Path(path))


def _open(path: Any) -> tuple[Any, int, str]:
    """Open a model file for reading: (binary file, its size in bytes, its quoted name)."""
    p = _as_path(path)
    source = f"'{p}'"
    if not os.fspath(path):  # (Path("") is '.', the working directory: "a directory")
        raise ModelFileError("the path is empty (''); give the model file's path")
    if "\0" in os.fspath(p):  # (os.stat's ValueError would not name the file)
        raise ModelFileError(f"{os.fspath(p)!r}: a path cannot hold a NUL character")
    given = os.fspath(path)
    if given.endswith(("/", os.sep)) and p.is_file():  # (Path drops the '/': open would not)
        raise ModelFileError(
            f"'{given}' ends in '/', so it names a directory, but {source} is a file; give "
            f"the file's path without the '/'"
        )
    try:
        info = os.stat(p)
        # Checked before opening: opening a FIFO or a device could block or never end.
        if stat.S_ISDIR(info.st_mode):
            raise ModelFileError(f"{source} is a directory, not a model file")
        if not stat.S_ISREG(info.st_mode):
            raise ModelFileError(f"{source} is not a regular file, so it is not a model file")
        f = _open_regular(p)
        if f is None:  # (replaced by a FIFO or a device since it was checked)
            raise ModelFileError(f"{source} is not a regular file, so it is not a model file")
        return f, os.fstat(f.fileno()).st_size, source
    except FileNotFoundError:
        raise ModelFileError(
            f"{source}: no such file (the working directory is '{os.getcwd()}'); check the "
            f"path{tilde_hint(path)}"
        ) from None
    except PermissionError:
        raise ModelFileError(f"{source} cannot be read: permission denied") from None
    except OSError as exc:
        raise ModelFileError(f"{source} cannot be read ({oneline(exc)})") from exc


def _is_count(x: Any) -> bool:
    return type(x) is int and x >= 0


_SAVE_ARRAYS = "then write its arrays with glassnet.io.save_arrays"


#: The tags that can follow an ONNX ModelProto's first field, ``ir_version`` (field 1, a
#: varint): producer_name, producer_version, domain (2-4), model_version (5, a varint),
#: doc_string, graph, opset_import (6-8), each with its wire type.
_ONNX_NEXT_TAGS = frozenset((0x12, 0x1A, 0x22, 0x28, 0x32, 0x3A, 0x42))


def _onnx_file(f: Any) -> str:
    """What to say of a file that starts as an ONNX model does (a protobuf ModelProto,
    ``ir_version`` first, as onnx and every exporter write it), or "" for another file.
    Asked only of a file whose safetensors header length is impossible, so no model file
    matches."""
    f.seek(0)
    head = f.read(3)
    if not (len(head) == 3 and head[0] == 0x08 and 0 < head[1] < 0x40):
        return ""
    if head[2] not in _ONNX_NEXT_TAGS:
        return ""
    return (
        "it looks like an ONNX model (as 'glassnet export' writes), not a glassnet model "
        "file; glassnet reads its own model files (.safetensors, written by 'glassnet train' "
        "or glassnet.io.save_model): give the model file it was exported from, or run the "
        "ONNX file with onnxruntime"
    )


#: The first bytes of compressed files, and their compression's name.
_COMPRESSED = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
)


#: How a network and an estimator are kept, said of a pickle given as a model file.
_KEPT = (
    "a glassnet network is saved with glassnet.io.save_model(net, 'model.glassnet') (a "
    "fitted glassnet estimator's with save_model(est.model_, path)); a whole estimator is "
    "exported with glassnet.onnx.export(est, 'model.onnx'), or kept as a pickle and read "
    "back with joblib.load from a source you trust"
)


def _foreign(f: Any) -> str:
    """What a file that is no safetensors file looks like, from its first bytes, and
    what to do (or "" when it looks like nothing known)."""
    f.seek(0)
    head = f.read(4096)
    if head[8:9] == b"{":  # (a safetensors header after its length: a damaged model file,
        return ""  # whose length's bytes may read as another format's magic)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        what = "a zip archive (a NumPy .npz or PyTorch .pt file?)"
        todo = f"load it with numpy.load or torch.load, {_SAVE_ARRAYS}"
    elif head.startswith(b"\x93NUMPY"):
        what, todo = "a NumPy .npy file", f"load it with numpy.load, {_SAVE_ARRAYS}"
    elif head[:1] == b"\x80" and head[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        what = "a Python pickle (pickle.dump or joblib.dump: a scikit-learn estimator?)"
        todo = f"glassnet never unpickles (it can run any code), so it does not read it; {_KEPT}"
    elif len(head) > 1 and head[0] == 0x78 and (head[0] * 256 + head[1]) % 31 == 0:
        what = "a zlib-compressed file (joblib.dump(..., compress=...) writes these: a pickle)"
        todo = f"glassnet never unpickles (it can run any code), so it does not read it; {_KEPT}"
    elif head.startswith(b"\x89HDF\r\n\x1a\n"):
        what, todo = "an HDF5 file (a Keras .h5 model?)", f"load it with h5py, {_SAVE_ARRAYS}"
    elif any(head.startswith(magic) for magic, _ in _COMPRESSED):
        kind = next(name for magic, name in _COMPRESSED if head.startswith(magic))
        what = f"a {kind}-compressed file (a model file compressed?)"
        todo = "decompress it first, then load the file it holds"
    elif head.startswith((b"\xff\xfe", b"\xfe\xff")) and b"\x00" in head[2:64]:
        what = "a UTF-16 text file (CSV or JSON?)"
        todo = "model files are written by glassnet.io.save_model or 'glassnet train'"
    elif b"\x00" not in head and _is_utf8(head):
        what = "a text file (CSV or JSON?)"
        todo = "model files are written by glassnet.io.save_model or 'glassnet train'"
    else:
        return ""
    return f": it looks like {what}, not a glassnet file; {todo}"


_TORCH_LEGACY = b"\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19"  # (torch.save's legacy magic number)


def _pytorch_pt(f: Any) -> str:
    """What to do with a PyTorch ``.pt`` file (torch.save's zip archive holding a data.pkl,
    or its legacy pickle), from the first bytes of the open file ``f``; else ""."""
    f.seek(0)
    head = f.read(4096)
    zipped = head.startswith(b"PK\x03\x04") and b"data.pkl" in head
    if not zipped and not (head[:2] == b"\x80\x02" and head[2:14] == _TORCH_LEGACY):
        return ""
    return (
        "it is a PyTorch .pt file (torch.save's pickle), which glassnet never opens "
        "(unpickling can run any code), not a glassnet file. For a state_dict, pass the "
        "state_dict itself: glassnet.io.load_torch_state_dict(model, torch.load(path, "
        "weights_only=True)), or save it as safetensors (safetensors.torch.save_file("
        "torch_model.state_dict(), 'model.safetensors')); a glassnet model file is written by "
        "glassnet.io.save_model"
    )


def _is_utf8(head: bytes) -> bool:
    """Whether ``head``, the start of a file, is UTF-8 (a character cut at its end allowed)."""
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 3
    return True


class _Entry(NamedTuple):
    begin: int
    end: int
    name: str
    dtype: np.dtype
    shape: tuple[int, ...]


def _parse_header(f: Any, size: int, source: str) -> tuple[list[_Entry], dict[str, str] | None]:
    """Read and check the safetensors header of the open file ``f`` of ``size`` bytes.

    Only the 8-byte length field and the header it announces are read: the length is
    checked against the file's size first, and every size in the header against the
    data that follows, before anything is allocated from it. Returns the entries and
    ``__metadata__``; ``f`` is left at the start of the data.
    """

    def bad(message: str) -> ModelFileError:
        return ModelFileError(f"{source}: {message}")

    if size == 0:
        raise bad("the file is empty, so it is not a model file (was its writing cut short?)")
    if size < 8:
        raise bad(
            f"the file is {size} byte{'s' * (size != 1)} long, shorter than the 8-byte header "
            f"length that starts every safetensors file{_foreign(f)}"
        )
    n = int.from_bytes(f.read(8), "little")  # (the header's length in bytes)
    if n > MAX_HEADER_BYTES or 8 + n > size:
        onnx_file = _onnx_file(f) or _pytorch_pt(f)  # (said first: no length to speak of)
        if onnx_file:
            raise bad(onnx_file)
        kind = _foreign(f)  # (a pickle, a zip archive: its kind first, the length after)
        if kind.startswith(": it looks like "):
            what, _, todo = kind[2:].partition(", not a glassnet file; ")
            raise bad(
                f"{what}, not a glassnet file (its first 8 bytes, read as a safetensors "
                f"header length, say {n} bytes); {todo}"
            )
        f.seek(8)
    if n > MAX_HEADER_BYTES:
        raise bad(
            f"the header length field says {n} bytes, more than the {MAX_HEADER_BYTES} "
            f"glassnet accepts; the file is corrupt or not a safetensors file{_foreign(f)}"
        )
    if 8 + n > size:
        raise bad(
            f"the header length field says {n} bytes but only {size - 8} follow it; "
            f"the file is truncated or corrupt{_foreign(f)}"
        )
    raw = f.read(n)
    if len(raw) != n:
        raise bad("the file became shorter while it was read; read it again once it is written")
    if raw[:1] != b"{":
        raise bad(
            "the header is not a JSON object (it does not start with '{'), "
            f"so this is not a safetensors file{_foreign(f)}"
        )
    items = _json_items(raw)
    if items > MAX_JSON_ITEMS:  # (before parsing: each item would be a Python object)
        raise bad(
            f"the header holds about {items} JSON items, more than the {MAX_JSON_ITEMS} "
            f"glassnet reads; the file is corrupt or hostile"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise bad(f"the header is not valid UTF-8 (at byte {exc.start})") from None
    try:
        header = _strict_json(text)
    except (ValueError, RecursionError) as exc:
        raise bad(f"the header is not valid JSON ({oneline(exc)})") from None
    if not isinstance(header, dict):
        raise bad(f"the header is a JSON {type(header).__name__}, not an object")

    metadata = header.pop("__metadata__", None)
    if metadata is not None and not (
        isinstance(metadata, dict) and all(isinstance(v, str) for v in metadata.values())
    ):
        raise bad("'__metadata__' must be a JSON object whose values are strings")

    data_len = size - 8 - n
    entries = []
    for name, info in header.items():
        where = f"tensor {_short(name)}"
        if not name:
            raise bad("a tensor has an empty name")
        if not isinstance(info, dict):
            raise bad(f"{where}: its entry is a JSON {type(info).__name__}, not an object")
        if set(info) != {"dtype", "shape", "data_offsets"}:
            raise bad(
                f"{where}: its entry must have exactly 'dtype', 'shape' and 'data_offsets', "
                f"found {_short(sorted(info))}"
            )
        code, shape, offsets = info["dtype"], info["shape"], info["data_offsets"]
        if not isinstance(code, str) or code not in _DTYPES:
            widen = (
                " (a PyTorch bfloat16 tensor: save it as float32, e.g. "
                "{k: v.float() for k, v in state_dict.items()}, or pass the state_dict itself)"
                if code == "BF16"
                else ""
            )
            raise bad(
                f"{where}: unknown dtype {_short(code)}; glassnet reads {', '.join(_DTYPES)}{widen}"
            )
        if not (isinstance(shape, list) and len(shape) <= MAX_NDIM and all(map(_is_count, shape))):
            raise bad(
                f"{where}: shape must be a list of at most {MAX_NDIM} non-negative integers, "
                f"found {_short(shape)}"
            )
        if not (isinstance(offsets, list) and len(offsets) == 2 and all(map(_is_count, offsets))):
            raise bad(
                f"{where}: data_offsets must be two non-negative integers [begin, end], "
                f"found {_short(offsets)}"
            )
        begin, end = offsets
        if begin > end:
            raise bad(f"{where}: data_offsets [{begin}, {end}] end before they begin")
        if end > data_len:
            raise bad(
                f"{where}: data_offsets [{begin}, {end}] run past the end of the data "
                f"({data_len} bytes); the file is truncated or corrupt"
            )
        dtype = _DTYPES[code]
        # (NumPy refuses a shape whose nonzero sizes multiply past its index type, even
        # for an empty array: such a header cannot come from any array)
        if math.prod(d for d in shape if d) * dtype.itemsize > _MAX_ARRAY_BYTES:
            raise bad(
                f"{where}: shape {_short(tuple(shape))} is too large for any array; "
                f"the file is corrupt or hostile"
            )
        nbytes = math.prod(shape) * dtype.itemsize  # Python ints: no overflow
        if end - begin != nbytes:
            raise bad(
                f"{where}: shape {tuple(shape)} of {code} needs {nbytes} bytes but "
                f"data_offsets [{begin}, {end}] hold {end - begin}"
            )
        entries.append(_Entry(begin, end, name, dtype, tuple(shape)))

    # The byte ranges must tile the data exactly: no overlaps, no gaps, nothing after.
    position = 0
    for entry in sorted(entries):
        if entry.begin < position:
            raise bad(
                f"tensor {_short(entry.name)}: data_offsets [{entry.begin}, {entry.end}] "
                f"overlap another tensor's bytes (which end at {position})"
            )
        if entry.begin > position:
            raise bad(
                f"{entry.begin - position} data bytes before tensor {_short(entry.name)} "
                f"belong to no tensor; the file is corrupt"
            )
        position = entry.end
    if position != data_len:
        raise bad(
            f"{data_len - position} bytes after the last tensor belong to no tensor; "
            f"the file is corrupt or was appended to"
        )
    return entries, metadata


def _read_description(
    metadata: dict[str, str] | None,
    names: list[str],
    source: str,
    expect_format: bool,
) -> tuple[dict[str, Any], str, list[str]]:
    """Check the glassnet ``__metadata__``; return (description, kind, tensor order)."""

    def bad(message: str) -> ModelFileError:
        return ModelFileError(f"{source}: {message}")

    hint = "; to read any safetensors file use load_arrays(path, expect_format=False)"
    torch_ends = (".weight", ".bias", ".running_mean", ".running_var", ".num_batches_tracked")
    if names and all(n.endswith(torch_ends) for n in names):  # (a PyTorch state_dict's)
        hint = (
            f"; its tensor names ({', '.join(repr(n) for n in names[:3])}"
            f"{', ...' if len(names) > 3 else ''}) are a PyTorch state_dict's: load them "
            "into a glassnet model with glassnet.io.load_torch_state_dict(model, path)"
        )
    ours = _METADATA_KEYS - {"format"}
    if (
        metadata is not None
        and metadata.get("format") != FORMAT_NAME
        and len(ours & set(metadata)) >= len(ours) - 1
    ):  # (glassnet's keys, one byte of the marker changed: read as another writer's file,
        # its checksum went unchecked and gn.load gave a dict of arrays for a model)
        raise bad(
            f"'__metadata__' holds glassnet's keys ({', '.join(sorted(ours & set(metadata)))}) "
            f"but its format is {_short(metadata.get('format'))}, not 'glassnet': the header "
            f"of a glassnet file is damaged; the file is corrupt"
        )
    if metadata is None or metadata.get("format") != FORMAT_NAME:
        if not expect_format:  # a plain safetensors file: its metadata as it is
            return dict(metadata or {}), "arrays", names
        if metadata is None:
            raise bad(f"not a glassnet model file: the header has no '__metadata__'{hint}")
        if "glassnet" not in metadata:
            raise bad(
                f"not a glassnet model file: '__metadata__' has no 'glassnet' description{hint}"
            )
        raise bad(
            f"not a glassnet model file: '__metadata__' says format "
            f"{_short(metadata.get('format'))}, not 'glassnet'{hint}"
        )
    version = metadata.get("format_version")
    if version not in SUPPORTED_FORMAT_VERSIONS:
        reads = f"this glassnet reads format version(s) {', '.join(SUPPORTED_FORMAT_VERSIONS)}"
        if version is None:  # (every glassnet writes one: upgrading would not help)
            raise bad(
                f"the file has no format_version, which every glassnet writes, so it is "
                f"corrupt or was not written by glassnet ({reads})"
            )
        if not _newer_version(version, SUPPORTED_FORMAT_VERSIONS):
            raise bad(
                f"the file has format_version {_short(version)}, which no glassnet writes, so "
                f"it is corrupt or was not written by glassnet ({reads})"
            )
        raise bad(
            f"the file has format_version {_short(version)}; {reads}: a newer glassnet wrote "
            f"it, so upgrade glassnet to read it (pip install --upgrade glassnet)"
        )
    if "glassnet" not in metadata:
        raise bad("not a glassnet model file: '__metadata__' has no 'glassnet' description")
    unknown = sorted(set(metadata) - _METADATA_KEYS)
    if unknown:  # (a renamed checksum key must not switch the checksum off)
        raise bad(
            f"'__metadata__' has the key {_short(unknown[0])}, which glassnet never writes; "
            f"the file is corrupt"
        )
    kind = metadata.get("kind", "arrays")
    if kind not in KINDS:
        raise bad(f"unknown kind {_short(kind)}; glassnet files are of kind {', '.join(KINDS)}")
    try:
        description = _strict_json(metadata["glassnet"])
    except (ValueError, RecursionError) as exc:
        raise bad(f"the glassnet description is not valid JSON ({oneline(exc)})") from None
    if not isinstance(description, dict):
        raise bad(f"the glassnet description is a JSON {type(description).__name__}, not an object")
    order = names
    if "order" in metadata:
        try:
            order = _strict_json(metadata["order"])
        except (ValueError, RecursionError) as exc:
            raise bad(f"the tensor order is not valid JSON ({oneline(exc)})") from None
        if not (
            isinstance(order, list)
            and len(order) == len(names)
            and all(isinstance(x, str) for x in order)
            and set(order) == set(names)
        ):
            raise bad("the tensor order in '__metadata__' does not list the file's tensors")
    return description, kind, order


def _read_tensors(f: Any, entries: list[_Entry], source: str) -> dict[str, tuple]:
    """Read each tensor into its own new array, in file order; return name -> (array, sha256).

    The header has been checked, so the entries tile the data exactly and every size is
    the file's own: nothing larger than the file is allocated.
    """
    out = {}
    for e in sorted(entries):
        try:
            a = np.empty(e.shape, dtype=e.dtype.newbyteorder("<"))
        except MemoryError:  # (a file as large as its header says: sparse, or huge)
            raise ModelFileError(
                f"{source}: tensor {_short(e.name)} of shape {e.shape} takes "
                f"{_bytes(e.end - e.begin)}, more memory than can be allocated here; the file "
                f"is too large to load on this machine"
            ) from None
        view = memoryview(a.reshape(-1)).cast("B") if a.size else bytearray()
        if f.readinto(view) != e.end - e.begin:
            raise ModelFileError(
                f"{source}: the file became shorter while it was read; read it again once "
                f"it is written"
            )
        digest = _sha256(a)
        out[e.name] = (a.astype(e.dtype, copy=False), digest)  # native byte order
    return out


def _written(f: Any) -> tuple[int, int]:
    """When the open file ``f`` was last written, and its size (``fstat``)."""
    info = os.fstat(f.fileno())
    return info.st_mtime_ns, info.st_size


def _bytes(n: int) -> str:
    """``n`` bytes in words: ``1.0 TiB``, ``12.5 MiB``, ``300 bytes``."""
    for unit, size in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} bytes"


def _load(
    path: Any,
    expect_format: bool,
    verb: str = "loading",
    digests_out: dict | None = None,
    check: Callable[[dict, dict, str], Any] | None = None,
) -> tuple[dict, dict, str]:
    """Read a glassnet (or, with ``expect_format=False``, any safetensors) file (its
    tensors' :func:`_digests`, when checked against its checksum, put in ``digests_out``).

    1) the 8-byte header length, checked against the file's size; 2) the header and
    the glassnet description, checked before anything is allocated from them, and by
    ``check(tensors, description, kind)`` (the caller's test of the names, shapes and
    dtypes, ``tensors`` each a read-only stand-in of its shape and dtype that holds no
    memory: a file's tensors the reader refuses are never read); 3) the
    tensors, each read into its own array, refused if the file was written meanwhile
    (its modification time or size changed); 4) the checksum, when the file has one
    (every file glassnet writes does), against what was read.
    """
    f, size, source = _open(path)
    with f:
        try:  # (a read can fail anywhere: a disk error, a network file system gone)
            before = _written(f)
            # 1) and 2): hostile sizes never reach an allocation
            entries, metadata = _parse_header(f, size, source)
            by_offset = [e.name for e in sorted(entries)]
            description, kind, order = _read_description(metadata, by_offset, source, expect_format)
            if check is not None:
                blank = {e.name: np.broadcast_to(np.zeros((), e.dtype), e.shape) for e in entries}
                check({name: blank[name] for name in order}, description, kind)
            read = _read_tensors(f, entries, source)
            if _written(f) != before:  # (written in place meanwhile: parts of two files)
                raise ModelFileError(
                    f"{source}: the file changed while it was read (a program is writing it "
                    f"in place); read it again once it is written"
                )
        except OSError as exc:
            raise ModelFileError(f"{source} cannot be read ({oneline(exc)})") from exc
    stored = (metadata or {}).get(CHECKSUM_KEY)
    if stored is not None and (metadata or {}).get("format") == FORMAT_NAME:
        codes = {e.name: (_CODES[e.dtype.kind, e.dtype.itemsize], e.shape) for e in entries}
        digests = {name: (*codes[name], digest) for name, (_, digest) in read.items()}
        if _checksum(digests, metadata or {}) != stored:
            raise ModelFileError(
                f"{source}: the checksum does not match the contents (the weights or the "
                f"description changed after glassnet wrote the file): the file is corrupt; "
                f"use an intact copy or train again"
            )
        if digests_out is not None:
            digests_out.update(digests)
    arrays, kept = {}, _nonfinite_listed(metadata, order, kind, source)
    for name in order:
        a = read[name][0]
        problem = None if name in kept else _nonfinite_message(a, f"tensor {_short(name)}")
        if problem:
            raise ModelFileError(f"{source}: {problem}; the file is corrupt")
        arrays[name] = a
    return arrays, description, kind


def _nonfinite_listed(
    metadata: Mapping[str, str] | None, names: list[str], kind: str, source: str
) -> set[str]:
    """The tensors a glassnet file says hold inf, -inf or NaN on purpose (its ``"nonfinite"``
    list: a file of arrays, format version 1.1); refused as corrupt where that list is not one
    glassnet writes."""
    if not metadata or metadata.get("format") != FORMAT_NAME:
        return set()
    version, text = metadata.get("format_version"), metadata.get(_NONFINITE_KEY)
    if text is None and version != NONFINITE_FORMAT_VERSION:
        return set()
    problem = ""
    if text is None or version != NONFINITE_FORMAT_VERSION or kind != "arrays":
        problem = (
            f"it is of format_version {_short(version)}, kind {_short(kind)}, "
            + ("without" if text is None else "with")
            + " a list of the tensors that hold inf or NaN (glassnet writes that list in "
            f"files of arrays of format_version {NONFINITE_FORMAT_VERSION} only)"
        )
    else:
        try:
            listed = _strict_json(text)
        except (ValueError, RecursionError):
            listed = None
        if not (
            isinstance(listed, list)
            and listed
            and all(isinstance(x, str) and x in names for x in listed)
            and len(set(listed)) == len(listed)
        ):
            problem = (
                f"its list of the tensors that hold inf or NaN, {_short(text)}, does not name "
                "tensors of the file"
            )
    if problem:
        raise ModelFileError(f"{source}: {problem}; the file is corrupt")
    return set(listed)


def file_kind(path: str | os.PathLike[str]) -> str:
    """What an existing file is, judged from its first bytes and header only.

    Returns ``"model"``, ``"checkpoint"`` or ``"arrays"`` for glassnet files of that
    kind, ``"safetensors"`` for other safetensors files, ``"empty"``, ``"text"``
    (UTF-8 without NUL bytes in its first 64 KiB: a CSV file, say) or ``"binary"``.
    The command line uses it to refuse writing a model over a CSV file or a CSV file
    over a model. Raises ``OSError`` when the file cannot be read or is not a regular
    file (a directory, a FIFO, a device: opening those could block).
    """
    p = _as_path(path)
    if not os.fspath(path):  # (Path("") is '.': "not a regular file" would puzzle)
        raise OSError("the path is empty (''), so it names no file; give a file's path")
    if "\0" in os.fspath(p):  # (os.stat's ValueError would not name the file)
        raise OSError(f"{os.fspath(p)!r}: a path cannot hold a NUL character")
    if not stat.S_ISREG(os.stat(p).st_mode):
        raise OSError(f"'{p}' is not a regular file, so it has no file kind")
    f = _open_regular(p)
    if f is None:  # (replaced by a FIFO or a device since it was checked)
        raise OSError(f"'{p}' is not a regular file, so it has no file kind")
    with f:
        size = os.fstat(f.fileno()).st_size
        if size == 0:
            return "empty"
        try:
            entries, metadata = _parse_header(f, size, f"'{p}'")
        except ModelFileError:
            f.seek(0)
            head = f.read(65536)
            if b"\x00" in head:
                return "binary"
            try:
                head.decode("utf-8")
            except UnicodeDecodeError as exc:
                if exc.start < len(head) - 3:  # (not a character cut at the chunk's end)
                    return "binary"
            return "text"
    if not metadata or metadata.get("format") != FORMAT_NAME:
        return "safetensors"
    kind = metadata.get("kind", "arrays")
    return kind if kind in KINDS else "safetensors"


# ----------------------------------------------------------------------------- public API


def save_arrays(
    path: str | os.PathLike[str],
    arrays: Mapping[str, np.ndarray],
    meta: Mapping[str, Any] | None = None,
    *,
    replace_any: bool = False,
    nonfinite: bool = False,
) -> Path:
    """Write named arrays and a JSON description to a glassnet file, atomically.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write (``.glassnet`` by convention); its directory must exist.
        An existing file is replaced only once the new one is completely on disk.
    arrays : dict of str to numpy.ndarray
        Each array of dtype float16, float32, float64, int32, int64, uint8 or bool,
        any shape (0-d and empty included), finite (unless ``nonfinite``). Names are
        non-empty strings,
        e.g. the dotted names of a state dict (``"layers.0.W"``, shape ``(inputs, neurons)``).
    meta : dict, optional
        JSON values (dict with str keys, list, tuple, str, int, float, bool, None)
        describing the arrays; :func:`load_arrays` returns it (tuples as lists).
    replace_any : bool, default False
        An existing file that is not a glassnet or safetensors file (a CSV file, a NumPy
        file: data of yours) is refused unless this is True.
    nonfinite : bool, default False
        True: float arrays may hold inf, -inf and NaN, kept as they are (a causal mask of
        -inf; ``gn.save`` of a state dict or a Tensor passes True, as ``torch.save`` keeps
        them). The file lists those arrays in its metadata (``"nonfinite"``) and is then of
        :data:`NONFINITE_FORMAT_VERSION` (glassnets before it refuse it saying to
        upgrade); a reader still refuses a non-finite value in any other array as
        corruption. False: such a value is refused (a weight gone to NaN in training).

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    ModelFileError
        When the file cannot be written (missing or unwritable directory, ...).
    TypeError, ValueError
        When ``arrays`` or ``meta`` hold something a glassnet file cannot.
    """
    if isinstance(path, Mapping) and isinstance(arrays, (str, os.PathLike)):
        raise TypeError("save_arrays(path, arrays): the path comes first, then the arrays.")
    check_bool(replace_any, "replace_any", "save_arrays")
    check_bool(nonfinite, "nonfinite", "save_arrays")
    st = _safetensors_numpy("saving")
    clean = _clean_arrays(arrays, "arrays", nonfinite=nonfinite)
    return _save(path, st, clean, _describe(meta), kind="arrays", replace_any=replace_any)


def load_arrays(
    path: str | os.PathLike[str], *, expect_format: bool = True
) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Read and check a glassnet file; return ``(arrays, meta)``.

    Every structural fact is checked before anything is allocated from the
    header: the header's length against the file's, its JSON, each tensor's
    dtype, shape and ``data_offsets`` (within the data, ``end - begin`` equal to
    ``prod(shape) * itemsize``, together covering the data with no overlap or
    gap), the glassnet description and its format version. Float arrays must be
    finite, but for those the file lists as holding inf or NaN on purpose
    (``save_arrays(..., nonfinite=True)``, ``gn.save`` of a state dict or a Tensor).

    Parameters
    ----------
    path : str or os.PathLike
        A file written by :func:`save_arrays`; files of :func:`save_model` (``meta``
        is then ``{"config": ..., "meta": ...}``) and :func:`save_checkpoint` (arrays
        prefixed ``"model/"`` and ``"optim/"``) read too.
    expect_format : bool, default True
        With False, any safetensors file of the supported dtypes is read; when it
        is not a glassnet file, ``meta`` is its ``__metadata__`` strings (or ``{}``).

    Returns
    -------
    arrays : dict of str to numpy.ndarray
        In the order they were saved; writeable arrays owning their memory.
    meta : dict
        The JSON description.

    Raises
    ------
    ModelFileError
        When the file is missing, unreadable, malformed or not a glassnet file;
        the one-line message says which and where.
    """
    check_bool(expect_format, "expect_format", "load_arrays")
    arrays, description, kind = _load(path, expect_format)
    meta = description.get("meta") if kind == "model" else None
    if _user_meta(meta) is not meta:  # (glassnet's records, not the user's meta)
        description = {**description, "meta": _user_meta(meta)}
    return arrays, description


#: How many names (or differences) a message lists before it says how many more there are.
_LISTED = 10


def _listed(names: list[str]) -> str:
    """The first :data:`_LISTED` names, each cut short, and how many more there are."""
    shown = ", ".join(_short(name) for name in names[:_LISTED])
    more = len(names) - _LISTED
    return f"{shown} and {more} more" if more > 0 else shown


def check_arrays_against(
    arrays: Mapping[str, Any],
    expected: Mapping[str, tuple[Sequence[int] | None, Any]],
) -> None:
    """Check that ``arrays`` has exactly the names, shapes and dtypes in ``expected``.

    Parameters
    ----------
    arrays : dict of str to array
        What was loaded.
    expected : dict of str to (shape, dtype)
        What the model needs, e.g. ``{"layers.0.W": ((2, 16), numpy.float32)}``;
        ``None`` for a shape or dtype accepts any.

    Raises
    ------
    ModelFileError
        Listing the missing and unexpected names and the tensors whose shape or
        dtype differs (naming what was expected and what was found): the first 10
        of each, then how many more there are.

    >>> import numpy as np
    >>> check_arrays_against({"W": np.zeros((2, 3), np.float32)}, {"W": ((2, 3), np.float32)})
    >>> check_arrays_against({"W": np.zeros((3, 2), np.float32)}, {"W": ((2, 3), "float32")})
    Traceback (most recent call last):
    ...
    glassnet.io.ModelFileError: ... 'W': expected shape (2, 3) float32, found (3, 2) float32
    """
    if not isinstance(arrays, Mapping):
        raise TypeError(f"'arrays' must be a dict of arrays, got {type(arrays).__name__}")
    if not isinstance(expected, Mapping):
        raise TypeError(
            f"'expected' must be a dict of name -> (shape, dtype), got {type(expected).__name__}"
        )
    problems = []
    missing = [name for name in expected if name not in arrays]
    unexpected = [name for name in arrays if name not in expected]
    if missing:
        problems.append("missing " + _listed(missing))
    if unexpected:
        problems.append("unexpected " + _listed(unexpected))
    differ = []
    for name, spec in expected.items():
        if not (isinstance(spec, tuple) and len(spec) == 2):
            raise TypeError(f"expected[{name!r}] must be a (shape, dtype) pair, got {_short(spec)}")
        if name not in arrays:
            continue
        shape, dtype = spec
        want_shape = None if shape is None else tuple(int(d) for d in shape)
        want_dtype = None if dtype is None else np.dtype(dtype)
        a = arrays[name]
        found_shape = tuple(np.shape(a))
        found_dtype = a.dtype if isinstance(a, np.ndarray) else np.asarray(a).dtype
        if (want_shape is not None and want_shape != found_shape) or (
            want_dtype is not None and want_dtype != found_dtype
        ):
            shown_shape = "any" if want_shape is None else want_shape
            shown_dtype = "any dtype" if want_dtype is None else want_dtype
            differ.append(
                f"{_short(name)}: expected shape {shown_shape} {shown_dtype}, "
                f"found {found_shape} {found_dtype}"
            )
    problems += differ[:_LISTED]
    if len(differ) > _LISTED:
        problems.append(f"and {len(differ) - _LISTED} more of another shape or dtype")
    if problems:
        raise ModelFileError("the arrays do not match the model: " + "; ".join(problems))


# ----------------------------------------------------------------------------- checkpoints


def encode_state(
    value: Any,
    where: str,
    parts: tuple[str, ...],
    tensors: dict,
    nonfinite: bool = False,
    *,
    nan: bool = False,
    shared: dict[int, str] | None = None,
) -> Any:
    """JSON for optimizer state; arrays go to ``tensors`` under ``optim/<path>``
    (``nonfinite``: arrays may hold inf and NaN, for a file of arrays: ``gn.save``'s;
    ``nan``: a NaN float is kept as ``{"__float__": "nan"}``; ``shared``, a dict the caller
    gives: an array object met again is stored once, each place referring to the one
    tensor, ``id(array)`` to its name, as :func:`decode_state` with ``shared`` reads it)."""

    # (a value 250 levels down: refused before Python's call stack runs out, or a dict
    # inside itself loops; check_depth counts the levels as stored, after: 199 at most)
    limit = MAX_JSON_DEPTH - 1
    if len(parts) >= MAX_JSON_DEPTH + 50 and (
        is_array(value) or isinstance(value, (Mapping, list, tuple))
    ):
        name = where.split("[", 1)[0]
        shown = where if len(where) <= 100 else f"{where[:60]}...{where[-36:]}"
        raise ValueError(
            f"'{name}' nests more than the {limit} levels of lists and dicts a glassnet file "
            f"holds: {shown} lies deeper (or a dict or list holds itself); flatten it (e.g. "
            "store the deep part as a JSON string)"
        )
    if is_array(value):  # (a GPU optimizer's: their host copies)
        if shared is not None and id(value) in shared:
            return {_TENSOR_TAG: shared[id(value)]}
        base = OPTIM_PREFIX + "/".join(parts)
        name, i = base, 1
        while name in tensors:  # keys holding "/" could make two paths meet
            name, i = f"{base}#{i}", i + 1
        tensors[name] = clean_array(value, where, nonfinite)
        if shared is not None:  # (the caller keeps the array alive: its id stays its own)
            shared[id(value)] = name
        return {_TENSOR_TAG: name}
    more = {"nan": nan, "shared": shared}
    if isinstance(value, Mapping):
        if all(isinstance(k, str) and not k.startswith("__") for k in value):
            return {
                k: encode_state(v, f"{where}[{k!r}]", (*parts, k), tensors, nonfinite, **more)
                for k, v in value.items()
            }
        items = []  # int keys (e.g. parameter indices) or keys that look like tags
        for k, v in value.items():
            if isinstance(k, (bool, np.bool_)) or not isinstance(k, (str, int, np.integer)):
                raise TypeError(
                    f"{where} has the key {k!r} of type {type(k).__name__}; "
                    f"optimizer state keys must be str or int"
                )
            key = k if isinstance(k, str) else int(k)
            route = (*parts, str(key))
            items.append(
                [key, encode_state(v, f"{where}[{k!r}]", route, tensors, nonfinite, **more)]
            )
        return {_ITEMS_TAG: items}
    if isinstance(value, tuple):
        return {
            _TUPLE_TAG: [
                encode_state(v, f"{where}[{i}]", (*parts, str(i)), tensors, nonfinite, **more)
                for i, v in enumerate(value)
            ]
        }
    if finite_floats(value):  # (a loss history: as it is, exactly)
        return list(value)
    if isinstance(value, list):
        return [
            encode_state(v, f"{where}[{i}]", (*parts, str(i)), tensors, nonfinite, **more)
            for i, v in enumerate(value)
        ]
    return to_json(value, where, nonfinite=True, nan=nan)


def _nonfinite_back(value: Any) -> Any:
    """A checkpoint's meta with each ``{"__float__": "inf"}`` the float it stands for
    (any other value as it is: the meta of a file written before such floats were kept)."""
    if isinstance(value, list):
        return [_nonfinite_back(v) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1 and value.get(_FLOAT_TAG) in _NONFINITE:
        return float(value[_FLOAT_TAG])
    return {k: _nonfinite_back(v) for k, v in value.items()}


def decode_state(
    value: Any,
    tensors: dict[str, np.ndarray],
    used: set[str],
    *,
    nan: bool = False,
    shared: bool = False,
) -> Any:
    """Inverse of :func:`encode_state`; raises ValueError on anything it did not write
    (``nan``: ``{"__float__": "nan"}`` is read, as ``encode_state(nan=True)`` writes it;
    ``shared``: a tensor referred to again is the same array object at each place, as
    ``encode_state(shared=...)`` writes it, else refused)."""

    def decode(v: Any) -> Any:
        return decode_state(v, tensors, used, nan=nan, shared=shared)

    if isinstance(value, list):  # (a list of floats, a loss history: as it is)
        return list(value) if all(type(v) is float for v in value) else [decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    tags = [k for k in value if k.startswith("__")]
    if not tags:
        return {k: decode(v) for k, v in value.items()}
    if len(value) != 1:
        raise ValueError(f"an object mixes the tag {_short(tags[0])} with other keys")
    tag, inner = next(iter(value.items()))
    if tag == _TENSOR_TAG:
        if not (isinstance(inner, str) and inner.startswith(OPTIM_PREFIX) and inner in tensors):
            raise ValueError(f"it refers to the tensor {_short(inner)}, which the file lacks")
        if inner in used and not shared:  # (two entries sharing one array update each other)
            raise ValueError(f"it refers to the tensor {_short(inner)} twice")
        used.add(inner)
        return tensors[inner]
    if tag == _FLOAT_TAG and (inner in _NONFINITE or (nan and inner == _NAN)):
        return float(inner)
    if tag == _TUPLE_TAG and isinstance(inner, list):
        return tuple(decode(v) for v in inner)
    if tag == _ITEMS_TAG and isinstance(inner, list):
        out = {}
        for pair in inner:
            if not (
                isinstance(pair, list)
                and len(pair) == 2
                and isinstance(pair[0], (str, int))
                and not isinstance(pair[0], bool)
            ):
                raise ValueError(f"an item {_short(pair)} is not a [key, value] pair")
            if pair[0] in out:  # (a dict's keys are its own: a writer lists each once)
                raise ValueError(f"the key {_short(pair[0])} is listed twice")
            out[pair[0]] = decode(pair[1])
        return out
    raise ValueError(f"unknown tag {_short(tag)}")


def save_checkpoint(
    path: str | os.PathLike[str],
    model_state: Mapping[str, np.ndarray],
    optimizer_state: Mapping[Any, Any],
    meta: Mapping[str, Any] | None = None,
    *,
    replace_any: bool = False,
) -> Path:
    """Write a training checkpoint (model and optimizer state) atomically.

    The model's arrays are stored as tensors ``"model/<name>"``; the optimizer's
    arrays (e.g. Adam's moments ``m`` and ``v``, shaped like their parameters) as
    tensors ``"optim/<path>"``; the optimizer's other values (step count, learning
    rate, ...) and ``meta`` (epoch, history, ...) in the JSON description.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write (``.glassnet`` by convention).
    model_state : dict of str to numpy.ndarray
        The model's state dict, as for :func:`save_arrays`.
    optimizer_state : dict
        Arrays, JSON scalars, and lists, tuples and dicts (str or int keys) of them (a
        learning-rate scheduler's ``state_dict()`` too, beside the optimizer's).
    meta : dict, optional
        JSON values. Here (not in a model's or an arrays file's description) a float may
        also be inf or -inf, as a scheduler's state holds before its first step
        (``ReduceLROnPlateau``'s ``best``), in ``optimizer_state`` too: stored as
        ``{"__float__": "inf"}``, read back as the float (so a dict of that one key is
        refused). NaN is refused, and arrays must be finite.
    replace_any : bool, default False
        An existing file that is not a glassnet or safetensors file (a CSV file, a NumPy
        file: data of yours) is refused unless this is True.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    if isinstance(path, Mapping) and not isinstance(model_state, Mapping):
        raise TypeError(
            "save_checkpoint(path, model_state, optimizer_state): the path comes first, then "
            "the model's state_dict() and the optimizer's."
        )
    check_bool(replace_any, "replace_any", "save_checkpoint")
    st = _safetensors_numpy("saving")
    arrays = _clean_arrays(model_state, "model_state", prefix=MODEL_PREFIX)
    if not isinstance(optimizer_state, Mapping):
        raise TypeError(f"'optimizer_state' must be a dict, got {type(optimizer_state).__name__}")
    optim_tensors: dict[str, np.ndarray] = {}
    try:
        encoded = encode_state(optimizer_state, "optimizer_state", (), optim_tensors)
    except RecursionError:
        raise ValueError(
            "'optimizer_state' is nested too deeply or contains itself; it must be a finite tree"
        ) from None
    check_depth(encoded, "optimizer_state")  # (as stored: a tuple or int keys add a level)
    arrays.update(optim_tensors)
    description = {"meta": _describe(meta, nonfinite=True), "optimizer": encoded}
    return _save(path, st, arrays, description, kind="checkpoint", replace_any=replace_any)


def load_checkpoint(path: str | os.PathLike[str]) -> Checkpoint:
    """Read a checkpoint written by :func:`save_checkpoint`.

    Returns
    -------
    Checkpoint
        ``(model_state, optimizer_state, meta)``: the model's arrays under their
        own names, the optimizer state as it was given (tuples stay tuples, NumPy
        scalars come back as Python numbers), and the JSON ``meta``.

    Raises
    ------
    ModelFileError
        For everything :func:`load_arrays` refuses, and for a glassnet file that
        is not a checkpoint or whose optimizer state is inconsistent.
    """
    source = f"'{_as_path(path)}'"
    return _checkpoint(*_load(path, True, check=_checked_checkpoint(source)), source)


def _checked_checkpoint(source: str) -> Callable[[dict, dict, str], Any]:
    """:func:`_load`'s ``check`` of a checkpoint: its tensors' names against its
    description (:func:`_checkpoint` on the stand-ins), before any tensor is read."""
    return lambda tensors, description, kind: _checkpoint(tensors, description, kind, source)


def _arrays_reader(description: Any) -> str:
    """How to read a glassnet file of arrays: ``gn.save``'s state dict or Tensor by what it
    was (its description says), any other with :func:`load_arrays`."""
    what = description.get("glassnet.save") if isinstance(description, Mapping) else None
    if what == "state_dict":
        return (
            "load_arrays (gn.save wrote it from a state dict: load it into the model, "
            "model.load_state_dict(gn.load(path)), or glassnet.io.load_weights(model, path))"
        )
    if what == "tensor":
        return "load_arrays (gn.save wrote it from a Tensor: gn.load(path) gives the Tensor)"
    if what == "object":
        return (
            "gn.load (gn.save wrote it from a dict, list or tuple, a checkpoint dict of "
            "state dicts: gn.load(path) gives it back)"
        )
    return "load_arrays"


def _checkpoint(arrays: dict, description: dict, kind: str, source: str) -> Checkpoint:
    """The :class:`Checkpoint` of what one read of the file ``source`` gave (:func:`_load`)."""
    if kind != "checkpoint":
        reader = "load_model" if kind == "model" else _arrays_reader(description)
        raise ModelFileError(
            f"{source} is a glassnet {kind} file, not a checkpoint: read it with {reader}"
        )
    if set(description) != {"meta", "optimizer"} or not isinstance(description["meta"], dict):
        raise ModelFileError(
            f"{source}: the checkpoint description must hold exactly 'meta' (an object) "
            f"and 'optimizer'"
        )
    model_state = {}
    optim_tensors = {}
    for name, a in arrays.items():
        if name.startswith(MODEL_PREFIX):
            model_state[name[len(MODEL_PREFIX) :]] = a
        elif name.startswith(OPTIM_PREFIX):
            optim_tensors[name] = a
        else:
            raise ModelFileError(
                f"{source}: tensor {_short(name)} starts with neither 'model/' nor 'optim/'"
            )
    used: set[str] = set()
    try:
        optimizer_state = decode_state(description["optimizer"], optim_tensors, used)
    except (ValueError, RecursionError) as exc:
        raise ModelFileError(
            f"{source}: the optimizer state is inconsistent ({oneline(exc)})"
        ) from None
    if not isinstance(optimizer_state, dict):
        raise ModelFileError(f"{source}: the optimizer state is not an object")
    unused = [name for name in optim_tensors if name not in used]
    if unused:
        raise ModelFileError(
            f"{source}: tensor {_short(unused[0])} belongs to no optimizer state entry"
        )
    return Checkpoint(model_state, optimizer_state, _nonfinite_back(description["meta"]))


# ----------------------------------------------------------------------------- models


#: How deeply a model config may nest modules (Sequential in Sequential ...).
MAX_CONFIG_DEPTH = 64
#: How many modules a model config may build (an MLP's layers and activations count):
#: each costs ~400 bytes and its share of a forward pass, so a 30 MB file of 1.3 million
#: ``{"type": "ReLU"}`` took 550 MB and 8 s to load into a useless model.
MAX_CONFIG_MODULES = 10_000


def _configured_weights(cfg: Any) -> int:
    """A lower bound on the weight values a module config asks for.

    Counts ``W`` of every ``Linear``, ``MLP`` (``sum sizes[i] * sizes[i+1]``) and
    ``Neuron`` config at any depth, a ``BatchNorm1d``'s ``num_features`` (its weight, or
    its running mean) and a ``LayerNorm``'s weight (anything else counts 0). Every one of
    those values must be in the file, so a config asking for more than the file holds is
    refused before it is built (a 100-byte file must not allocate gigabytes). Raises
    ``ValueError`` for a config nested more than :data:`MAX_CONFIG_DEPTH` deep, or
    building more than :data:`MAX_CONFIG_MODULES` modules.
    """

    def width(value: Any) -> int:
        return value if type(value) is int and value > 0 else 0

    total = modules = 0
    stack = [(cfg, 0)]
    while stack:  # (iterative: a hostile config cannot exhaust the call stack)
        node, depth = stack.pop()
        if depth > MAX_CONFIG_DEPTH:
            raise ValueError(
                f"the model config nests more than {MAX_CONFIG_DEPTH} levels deep; "
                f"glassnet builds models of at most that depth"
            )
        if modules > MAX_CONFIG_MODULES:
            raise ValueError(
                f"the model config builds more than {MAX_CONFIG_MODULES} modules; "
                f"glassnet builds models of at most that many"
            )
        if isinstance(node, list):
            stack.extend((item, depth) for item in node)  # (a list is no level of its own)
            continue
        if not isinstance(node, dict):
            continue
        kind = node.get("type")
        modules += isinstance(kind, str)
        if kind == "Linear":  # (PyTorch's names too: Linear(in_features=, out_features=))
            total += max(width(node.get("inputs")), width(node.get("in_features"))) * max(
                width(node.get("neurons")), width(node.get("out_features"))
            )
        elif kind == "Neuron":
            total += width(node.get("inputs"))
        elif kind == "MLP" and isinstance(node.get("sizes"), list):
            sizes = [width(v) for v in node["sizes"]]
            total += sum(a * b for a, b in zip(sizes[:-1], sizes[1:], strict=True))
            modules += 2 * len(sizes)  # (a Linear layer and an activation each)
        elif kind == "BatchNorm1d" and (
            node.get("affine", True) is not False
            or node.get("track_running_stats", True) is not False
        ):  # (its weight and bias, or its running statistics: num_features values each)
            total += width(node.get("num_features"))
        elif kind == "LayerNorm" and node.get("elementwise_affine", True) is not False:
            shape = node.get("normalized_shape")
            shape = shape if isinstance(shape, list) else [shape]
            total += math.prod(width(v) for v in shape)  # (its weight, of that shape)
        stack.extend((v, depth + 1) for v in node.values() if isinstance(v, (dict, list)))
    return total


def _rebuilds(model: Module, config: dict[str, Any]) -> bool:
    """Whether ``from_config(config)`` builds a model like ``model``: the same classes,
    layers and hyperparameters (its repr), parameter names, shapes and dtypes. Not so for
    a subclass of ``Sequential`` (whose ``config()`` is Sequential's) or an ``MLP`` whose
    layers were replaced after it was built: :func:`load_model` would build another model;
    nor for a config nested deeper than :data:`MAX_CONFIG_DEPTH`, which it refuses.
    (A model too large to build twice in memory is judged by its classes alone.)
    """
    from .nn import from_config

    def layout(m: Module) -> tuple:
        params = [(name, p.data.shape, p.data.dtype.name) for name, p in m.named_parameters()]
        return [type(x) for x in m.modules()], repr(m), params

    try:
        _configured_weights(config)  # (load_model refuses a config nested too deeply)
    except ValueError:
        return False
    if not _same_classes(model, config):
        return False
    try:
        built = from_config(config)
    except MemoryError:
        return True
    except Exception:  # a config its own class cannot build
        return False
    return layout(built) == layout(model)


def _same_classes(module: Module, cfg: Any) -> bool:
    """Whether ``from_config`` picks ``module``'s own class for ``cfg``, and so on down
    through Sequential's layers (MLP and Neuron build their layers themselves)."""
    from . import nn

    kind = cfg.get("type") if isinstance(cfg, dict) else None
    if not isinstance(kind, str) or kind not in nn.__all__ or getattr(nn, kind) is not type(module):
        return False
    if type(module) is not nn.Sequential:
        return True
    layers = cfg.get("layers")
    return (
        isinstance(layers, list)
        and len(layers) == len(module.layers)
        and all(_same_classes(m, c) for m, c in zip(module.layers, layers))
    )


def save_model(
    model: Module,
    path: str | os.PathLike[str],
    *,
    meta: Mapping[str, Any] | None = None,
    replace_any: bool = False,
) -> Path:
    """Write a model (its ``config()`` and ``state_dict()``) to a glassnet file, atomically.

    The weights are stored under their dotted names (``"layers.0.W"`` of shape
    ``(inputs, neurons)``, ``"layers.0.b"`` of shape ``(neurons,)``, ...); the JSON
    description is ``{"config": model.config(), "meta": meta}``.

    Parameters
    ----------
    model : glassnet.nn.Module or Pipeline
        A :class:`Pipeline` (what :func:`load_model` gives for a ``glassnet train`` file)
        is written as that file was: its network and its description (``meta`` is then
        left out). A module that describes itself with ``config()`` (``Linear``, ``MLP``,
        ``Neuron``, ``Sequential`` of those and of activations, ...): :func:`load_model`
        rebuilds it. A module of your own (whose ``config()`` raises
        ``NotImplementedError``) is saved too, its weights and its class name:
        construct it again and call :func:`load_weights` to fill it. So is a model
        its config would not rebuild as it is (a subclass of ``Sequential``, an ``MLP``
        whose layers were replaced after it was built): :func:`load_model` refuses it
        rather than build another model.
    path : str or os.PathLike
        The file to write (``.glassnet`` by convention).
    meta : dict, optional
        JSON values to keep with the model (training data, scores, ...); read them
        back with ``load_arrays(path)[1]["meta"]``.
    replace_any : bool, default False
        An existing file that is not a glassnet or safetensors file (a CSV file, a NumPy
        file: data of yours) is refused unless this is True.

    Returns
    -------
    pathlib.Path
        The path written.

    >>> import pathlib, tempfile
    >>> import glassnet as gn
    >>> net = gn.nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=0)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = save_model(net, pathlib.Path(tmp) / "xnor.glassnet", meta={"task": "xnor"})
    ...     same = load_model(path)
    >>> bool((same.predict([[0.0, 1.0]]) == net.predict([[0.0, 1.0]])).all())
    True
    """
    check_bool(replace_any, "replace_any", "save_model")
    if not replace_any and isinstance(path, (str, os.PathLike)) and not os.path.lexists(path):
        wrong = misnamed(
            Path(path),
            "save_model: 'path'",
            NOT_MODEL,
            "save_model writes a glassnet model file (binary safetensors)",
            ".glassnet",
        )  # (as glassnet train --out refuses it)
        if wrong is not None:
            raise ValueError(f"{wrong} (or pass replace_any=True to write it under this name).")
    return write_model(model, path, meta=meta, replace_any=replace_any)


def refuse_replaced(model: Any, who: str) -> None:
    """Refuse to write ``model`` (``who``: ``save``, ``save_model``) where it uses an entry of
    glassnet.functional.ACTIVATIONS that was replaced (:func:`~glassnet.functional.replaced_entry`):
    the file names the activation only, and would load as the built-in."""
    from .nn import ActivationModule

    replaced = [  # (an activation the file names only: its table entry in force here)
        m.name
        for m in model.modules()
        if isinstance(m, ActivationModule) and replaced_entry(m.name)
    ]
    if replaced:
        raise TypeError(
            f"{who}: the table entry of {replaced[0]!r} in glassnet.functional.ACTIVATIONS "
            f"was replaced, and this {type(model).__name__} uses it: the file would name "
            f"{replaced[0]!r} only (it holds no code), so loading it where the built-in "
            "is in force would not rebuild this model. Save its weights, gn.save(model."
            "state_dict(), path), and load them into the same network built with the same "
            "table entry, model.load_state_dict(gn.load(path))."
        )


def write_model(
    model: Any,
    path: Any,
    *,
    meta: Mapping[str, Any] | None,
    replace_any: bool,
    saved_by: Mapping[str, Any] | None = None,
) -> Path:
    """:func:`save_model`; ``saved_by``, ``gn.save``'s record (:data:`_SAVE_KEY`, kept for
    earlier glassnet's ``gn.load``), also records the frozen parameters."""
    from .nn import Module

    if isinstance(model, (str, os.PathLike)) and isinstance(path, (Module, Pipeline)):
        raise TypeError("save_model(model, path): the model comes first, then the path.")
    check_bool(replace_any, "replace_any", "save_model")
    st = _safetensors_numpy("saving")
    if isinstance(model, Pipeline):  # (what load_model gives for a 'glassnet train' file)
        if meta is not None:
            raise TypeError(
                "save_model: a Pipeline (a 'glassnet train' model) is saved with its own "
                "description, pipeline.meta, which 'meta' would replace; leave 'meta' out "
                "(edit pipeline.meta itself to keep notes with it)"
            )
        try:  # (what load_model will check: refused now, not when the file is read)
            _pipeline(model.network, model.meta, "the Pipeline")
        except ModelFileError as exc:
            raise ValueError(
                f"save_model: pipeline.network and pipeline.meta no longer fit together, so "
                f"the file would not load ({exc}); save the network alone with "
                "save_model(pipeline.network, path), or keep them as load_model gave them"
            ) from None
        model, meta = model.network, model.meta
    if not isinstance(model, Module):
        raise TypeError(
            f"'model' must be a glassnet.nn.Module, got {type(model).__name__}"
            f"{estimator_advice(model, 'save_model')}"
        )
    from .tasks import check_weights_set

    check_weights_set(model, "save_model")  # (a file load could not rebuild)
    try:
        config = to_json(model.config(), "model.config()")
    except NotImplementedError:
        config = None  # a module of the user's own: its weights only (see load_weights)
    if config is not None and not _rebuilds(model, config):
        config = None  # (a subclass, or a model changed after it was built: the same)
    if config is not None:  # (the file names its activations)
        refuse_replaced(model, "save_model")
    description = {"config": config, "meta": _describe(meta)}
    own = [key for key in OWN_META_KEYS if key in description["meta"]]
    if own:
        raise ValueError(
            f"save_model: 'meta' holds the key {own[0]!r}, one of those under which glassnet "
            f"records the mode of each module and its frozen parameters "
            f"({', '.join(map(repr, OWN_META_KEYS))}); rename that key of yours (the meta "
            "glassnet's readers give back holds none of them, so a meta read from a file can "
            "be given as it is)."
        )
    arrays = _clean_arrays(model.state_dict(), "model.state_dict()")
    digests = _digests(arrays)
    if config is None:
        description["module"] = type(model).__name__
    else:  # (the mode of each module: load_model gives the model back in it)
        record: dict[str, Any] = {"training": [bool(m.training) for m in model.modules()]}
        if saved_by is not None:
            description["meta"][_SAVE_KEY] = to_json(saved_by, "gn.save's record")
            record["frozen"] = [n for n, p in model.named_parameters() if not p.requires_grad]
        if getattr(model, "feature_names_in_", None) is not None:  # (fit on a DataFrame's)
            record["feature_names_in"] = [str(c) for c in model.feature_names_in_]
        record["fingerprint"] = _record_print(digests, config, description["meta"])
        description["meta"][MODES_KEY] = record
    return _save(
        path, st, arrays, description, kind="model", replace_any=replace_any, digests=digests
    )


def estimator_advice(obj: Any, verb: str) -> str:
    """What to do with ``obj`` instead of ``verb(obj, path)``: for a scikit-learn
    estimator (glassnet's or another's), the ways to keep it; else the plain-array writer."""
    if not (callable(getattr(obj, "fit", None)) and callable(getattr(obj, "get_params", None))):
        return "; for plain arrays use save_arrays"
    from .nn import Module

    if isinstance(getattr(obj, "model_", None), Module):
        return (
            f" (a fitted scikit-learn estimator): {verb}(est.model_, path) saves its network "
            "(not its classes or output head); to keep the whole estimator, export it to "
            "ONNX (import glassnet.onnx, then glassnet.onnx.export(est, 'model.onnx')), or "
            "pickle it (joblib.dump), as scikit-learn's estimators are kept"
        )
    return (
        " (a scikit-learn estimator, not a network): glassnet's files hold glassnet networks. "
        "Pickle the estimator (joblib.dump), as scikit-learn's estimators are kept; the "
        f"network of a fitted glassnet estimator saves with {verb}(est.model_, path)"
    )


def load_model(path: str | os.PathLike[str], *, network_only: bool = False) -> Any:
    """Rebuild a model written by :func:`save_model`.

    A file written by ``glassnet train`` holds a network *and* its preprocessing and
    labels: for it ``load_model`` returns :func:`load_pipeline`'s :class:`Pipeline`, whose
    ``predict`` takes raw rows (the bare network would silently misread them); its
    ``.network`` is the network. ``network_only=True`` returns the network alone.

    1) read and check the file as :func:`load_arrays` does, 2) build the module
    from its config (``glassnet.nn.from_config``), 3) check that the file holds
    exactly the module's parameters, with their shapes and dtypes, 4) copy them in.

    Returns
    -------
    glassnet.nn.Module, or Pipeline for a ``glassnet train`` file
        The model, in the mode it was saved in (``save_model`` records each module's,
        :data:`MODES_KEY`; ``gn.save`` too, with its frozen parameters frozen again): a
        model saved after ``eval()`` comes back in eval mode, ready to call, as
        ``gn.load`` gives it. A file written before glassnet recorded the mode gives the
        model in training mode, as a new module is: call ``model.eval()`` before calling
        it on data (``predict`` does so itself). ``meta`` is in
        ``load_arrays(path)[1]["meta"]``.

    Raises
    ------
    ModelFileError
        For everything :func:`load_arrays` refuses, and for a file that is not a
        model file, whose config cannot be built, or whose weights do not fit it.
    """
    check_bool(network_only, "network_only", "load_model")
    model, meta, source = _read_model(path)
    if not network_only and meta.get("format") == CLI_MODEL_FORMAT:
        return _pipeline(model, meta, source)  # raw rows in: the preprocessing comes with it
    return model


def _read_model(path: Any) -> tuple[Module, dict[str, Any], str]:
    """One read of a model file: (the model, its ``meta``, the quoted file name)."""
    digests: dict = {}
    built = _Built(f"'{_as_path(path)}'")
    read = _load(path, expect_format=True, digests_out=digests, check=built.check)
    return _model(*read, built.source, digests, built.model)


class _Built:
    """:func:`_load`'s ``check`` of a model file (any file with ``only_models=False``): the
    tensors against the config, before they are read; ``model`` is the one built."""

    def __init__(self, source: str, only_models: bool = True) -> None:
        self.source, self.only_models, self.model = source, only_models, None

    def check(self, tensors: dict, description: dict, kind: str) -> None:
        if kind == "model" or self.only_models:
            self.model = _built(tensors, description, kind, self.source)
        elif kind == "checkpoint":
            _checkpoint(tensors, description, kind, self.source)


def _built(arrays: dict, description: dict, kind: str, source: str) -> Module:
    """The model that the description of the file ``source`` configures, built once its
    ``arrays`` (or stand-ins of their shapes and dtypes) were found to be exactly its
    parameters; else a ModelFileError."""
    from .nn import from_config

    if kind != "model":
        reader = "load_checkpoint" if kind == "checkpoint" else _arrays_reader(description)
        raise ModelFileError(
            f"{source} is a glassnet {kind} file, not a model file: read it with {reader}"
        )
    config = description.get("config")
    if config is None and isinstance(description.get("module"), str):
        name = _short(description["module"])[1:-1]
        raise ModelFileError(
            f"{source} holds the weights of {name}, a module of your own (or changed after "
            f"it was built) that glassnet cannot rebuild: construct it as you did before "
            f"saving, then load the weights into it with "
            f"glassnet.io.load_weights({name}(...), path)"
        )
    if set(description) != {"config", "meta"} or not (
        isinstance(config, dict) and isinstance(description["meta"], dict)
    ):
        raise ModelFileError(
            f"{source}: the model description must hold exactly 'config' and 'meta' (objects)"
        )
    try:
        needed = _configured_weights(config)
    except ValueError as exc:
        why = str(exc)  # (over a limit: perhaps an honest file of a glassnet before it)
        why += (
            " (glassnet.io.load_arrays reads its weights)"
            if "at most that" in why
            else "; the file is corrupt or hostile"
        )
        raise ModelFileError(f"{source}: {why}") from None
    held = sum(a.size for a in arrays.values())
    if needed > held:
        raise ModelFileError(
            f"{source}: the model config asks for at least {needed} weights but the file "
            f"holds {held} values; the file is corrupt"
        )
    try:
        model = from_config(config)
    except Exception as exc:  # the config is untrusted data: any failure is the file's
        raise ModelFileError(
            f"{source}: the model config cannot be built ({type(exc).__name__}: {oneline(exc)})"
        ) from None
    # (the parameters and the buffers, a BatchNorm's running statistics)
    expected = {name: (a.shape, a.dtype) for name, a in model.state_dict().items()}
    try:
        check_arrays_against(arrays, expected)
    except ModelFileError as exc:  # (the header's tensors against its own config)
        raise ModelFileError(
            f"{source}: {exc}; the file's tensors disagree with its own config: the file is "
            f"damaged or was edited (its checksum is checked after this), or its tensors "
            f"were written for another model; use an intact copy or train again"
        ) from None
    return model


def _model(
    arrays: dict,
    description: dict,
    kind: str,
    source: str,
    digests: dict | None = None,
    model: Module | None = None,
) -> tuple[Module, dict[str, Any], str]:
    """The model of what one read of the file ``source`` gave (:func:`_load`): (the model,
    its ``meta``, ``source``). Built from those arrays and that description only (or
    ``model``, :func:`_built` from them), so a file replaced meanwhile cannot give one
    version's model and another's description."""
    if model is None:
        model = _built(arrays, description, kind, source)
    model.load_state_dict(arrays)
    config, meta = description["config"], description["meta"]
    meta = _restore_modes(model, meta, source, arrays, digests, config)
    return model, meta, source


def _restore_modes(
    model: Module,
    meta: dict[str, Any],
    source: str,
    arrays: Mapping[str, np.ndarray],
    digests: dict | None = None,
    config: Any = None,
) -> dict[str, Any]:
    """Put ``model`` (just built, in training mode) in the mode each of its modules was saved
    in, and freeze its frozen parameters again, as the file records them; returns ``meta``
    without glassnet's records (:data:`OWN_META_KEYS`: the user's own meta).

    The record is :data:`MODES_KEY`'s, trusted only when its fingerprint matches the file's
    weights, ``config`` and user meta (else an older glassnet carried it, shown as the
    user's meta, into a save of other weights or meta: stale, ignored).
    A file without it (an earlier glassnet's) may hold
    ``gn.save``'s record (:data:`_SAVE_KEY`), trusted only as ``gn.save`` wrote it, the
    meta's one key (else a user's meta carried it over). With no record trusted, the model
    stays in training mode, as a new module is."""
    modules = list(model.modules())
    names = [name for name, _ in model.named_parameters()]
    record, kind = meta.get(MODES_KEY), MODES_KEY
    if not (isinstance(record, Mapping) and isinstance(record.get("fingerprint"), str)):
        # (none; or one without a fingerprint: a list a glassnet in development wrote, a
        # user's key of an earlier file; ignored, and gn.save's record read as an earlier one)
        if set(meta) - {MODES_KEY} != {_SAVE_KEY}:
            return _user_meta(meta)  # (no record, or a carried gn.save one: not this model's)
        record, kind = meta[_SAVE_KEY], _SAVE_KEY
    saved = record.get("training") if isinstance(record, Mapping) else None
    frozen = record.get("frozen", []) if isinstance(record, Mapping) else None
    weights = record.get("fingerprint") if isinstance(record, Mapping) else None
    if kind == MODES_KEY:
        if not digests:  # (a file without a checksum: its weights hashed here)
            digests = _digests(arrays)
        if weights != _record_print(digests, config, meta):
            return _user_meta(meta)  # (stale: recorded with other weights, carried over)
    if not (
        isinstance(saved, list)
        and all(isinstance(mode, bool) for mode in saved)
        and (len(saved) == len(modules) if kind == MODES_KEY else len(saved) <= len(modules))
        and isinstance(frozen, list)
        and all(isinstance(name, str) and name in names for name in frozen)
    ):
        what = "save_model" if kind == MODES_KEY else "gn.save"
        raise ModelFileError(
            f"{source}: the modes and frozen parameters saved with the model ({kind!r}: "
            f"{record!r:.80}) are not those {what} writes (True/False for each of its "
            f"{len(modules)} modules, a list of the model's parameter names); the file is "
            "corrupt"
        )
    for m, mode in zip(modules, saved, strict=False):  # (the mode it was saved in)
        m.training = mode
    for name, p in model.named_parameters():  # (its frozen parameters frozen again)
        if name in frozen:
            p.requires_grad_(False)
    columns = record.get("feature_names_in")  # (the DataFrame columns fit trained it on)
    if isinstance(columns, list) and columns and all(isinstance(c, str) for c in columns):
        model.feature_names_in_ = columns
    return _user_meta(meta)


class LoadedFile(NamedTuple):
    """What :func:`load_file` returns: the file's ``kind``, what it holds, and its ``meta``."""

    kind: str
    value: Any
    meta: dict[str, Any]


def load_file(path: str | os.PathLike[str]) -> LoadedFile:
    """Read any glassnet or safetensors file with one open and one read of it, and return
    what it holds by its kind (the file's own word, from the same read):

    * ``"model"``: the model :func:`load_model` gives (a :class:`Pipeline` for a file of
      ``glassnet train``), and the ``meta`` it was saved with;
    * ``"checkpoint"``: :func:`load_checkpoint`'s :class:`Checkpoint`, and its ``meta``;
    * ``"arrays"``: the arrays by name in their order, and the description
      (``__metadata__``'s strings for a safetensors file of another writer).

    For a program that reads a file it did not write itself (``glassnet.load``): asking
    :func:`file_kind` first and then reading the file with the loader of that kind reads
    it twice, and a file replaced in between (another program saving a new version) would
    give a mix of the two. Refuses what the loader of the file's kind refuses
    (:class:`ModelFileError`).
    """
    digests: dict = {}
    source = f"'{_as_path(path)}'"
    built = _Built(source, only_models=False)
    arrays, description, kind = _load(path, False, digests_out=digests, check=built.check)
    if kind == "model":
        model, meta, _ = _model(arrays, description, kind, source, digests, built.model)
        if meta.get("format") == CLI_MODEL_FORMAT:
            model = _pipeline(model, meta, source)
        return LoadedFile(kind, model, meta)
    if kind == "checkpoint":
        checkpoint = _checkpoint(arrays, description, kind, source)
        return LoadedFile(kind, checkpoint, checkpoint.meta)
    return LoadedFile(kind, arrays, description)


def load_weights(module: Module, path: str | os.PathLike[str]) -> Module:
    """Copy the weights of a glassnet file into ``module``, a model you constructed.

    For modules glassnet cannot rebuild from a file (your own ``Module`` subclasses):
    ``save_model(net, path)`` stores their weights, and ``load_weights(MyNet(...), path)``
    puts them back. Any model file, arrays file or checkpoint (its model's weights)
    works, as long as its arrays are exactly the module's parameters, by name, shape
    and dtype (else :class:`ModelFileError` listing each difference).

    Returns
    -------
    glassnet.nn.Module
        ``module``, its parameters overwritten in place.
    """
    from .nn import Module

    if isinstance(module, (str, os.PathLike)) and isinstance(path, Module):
        raise TypeError("load_weights(module, path): the module comes first, then the path.")
    if not isinstance(module, Module):
        raise TypeError(
            f"'module' must be a glassnet.nn.Module you constructed, got "
            f"{type(module).__name__}; to rebuild a model from its file use load_model(path)"
        )
    # (a float array of another float dtype is converted, as module.load_state_dict does)
    expected = {k: (a.shape, None if a.dtype.kind == "f" else a.dtype)
                for k, a in module.state_dict().items()}  # fmt: skip

    def weights(arrays: dict, description: Any, kind: str) -> dict:  # (before the read too)
        if kind == "checkpoint":  # (its tensors as load_checkpoint checks them)
            _checkpoint(arrays, description, kind, f"'{_as_path(path)}'")
            arrays = {k[len(MODEL_PREFIX) :]: v for k, v in arrays.items()
                      if k.startswith(MODEL_PREFIX)}  # fmt: skip
        try:
            check_arrays_against(arrays, expected)
        except ModelFileError as exc:
            raise ModelFileError(f"'{_as_path(path)}': {exc}") from None
        return arrays

    arrays, description, kind = _load(path, expect_format=True, check=weights)
    arrays = weights(arrays, description, kind)
    host = host_model(module)  # a model on a GPU: loaded on a host copy, then moved over
    host.load_state_dict(arrays)
    if host is not module:
        for p, q in zip(module.parameters(), host.parameters()):
            p.data[...] = namespace(p.data).asarray(q.data)
        for a, b in zip(module.buffers(), host.buffers()):
            a[...] = namespace(a).asarray(b)
    return module


# ----------------------------------------------------------------------------- pipelines

#: ``meta["format"]`` of the description ``glassnet train`` writes.
CLI_MODEL_FORMAT = "glassnet-cli-model"
CLI_MODEL_FORMAT_VERSION = 1
_CLI_TASKS = ("binary", "multiclass", "regression", "multioutput_regression", "multilabel")
#: How a multi-label model reads a label column's cells (``target.multilabel[k].kind``):
#: as numbers (``1.0`` is ``1``), as the words true/false or yes/no in any case, or as
#: the two texts exactly as written.
LABEL_KINDS = ("number", "words", "text")
#: The words a label column may hold, (negative, positive), in any case.
LABEL_WORDS = (("false", "true"), ("no", "yes"), ("-", "+"))


def _fitted_task(name: str, n_outputs: int) -> Any:
    """A fitted Task whose classes are the indices ``0 .. C-1`` (or with ``n_outputs`` values)."""
    from .tasks import get_task

    task = get_task(name)
    if name == "multilabel":  # (one output per label)
        return task.fit(np.zeros((1, n_outputs), dtype=np.int64))
    if task.is_classifier:
        return task.fit(np.arange(max(n_outputs, 2)))
    return task.fit(np.zeros((1, n_outputs)) if name == "multioutput_regression" else np.zeros(1))


def _io_widths(model: Module) -> tuple[int, int] | None:
    """The network's input and output widths, from its weight matrices (None: no 2-d W)."""
    Ws = [p.data for name, p in model.named_parameters() if name.split(".")[-1] == "W"]
    Ws = [W for W in Ws if W.ndim == 2]
    return (int(Ws[0].shape[0]), int(Ws[-1].shape[1])) if Ws else None


def _of_rows(message: str, fills: bool) -> str:
    """A reader's message about ``<Pipeline input>`` said of the rows X a caller passed:
    ``row r of X`` for ``line r + 2`` (a file's header is line 1), and, for a model that
    cannot fill a missing cell (trained without ``--impute``), no advice to pass impute."""
    message = re.sub(
        r"(?:at )?line (\d+) of <Pipeline input>",
        lambda m: f"in row {int(m.group(1)) - 2} of X",
        message,
    )
    message = re.sub(  # (a text in a number column: the model's reading is not the caller's)
        r"Column (.*?) was numeric when the Preprocessor was fitted, but <Pipeline input> "
        r"reads it as categorical, not numeric: (.*) is not a number\. Fix the value.*$",
        r"\2 is not a number, and the model reads column \1 as numbers: fix the value.",
        message,
    ).replace("<Pipeline input>", "X")
    if not fills:
        message = message.replace(
            'fill it in, drop the row, or pass impute="mean"',
            "fill it in or drop the row: the model was trained without --impute, so it has "
            "no values to fill missing cells with (retrain with --impute mean for rows that "
            "have them)",
        )
    return message


#: The texts pandas' ``read_csv`` reads as missing (NaN) by default (its ``na_values``).
PANDAS_NA = frozenset(
    ("", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND")
    + ("1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null")
)


def _read_as_missing(message: str, categories: dict[str, Any]) -> str:
    """:func:`_of_rows`' ``message`` of a missing cell, for a model without fill values, in
    a column whose ``categories`` hold a text pandas' read_csv reads as missing ('NA' for
    none, 'None'): the advice to keep it as written, not to retrain with --impute (which
    would fill every such cell with another category)."""
    advice = "fill it in or drop the row: the model was trained without --impute"
    for c, values in categories.items():
        texts = sorted(str(v) for v in values if str(v) in PANDAS_NA)
        if texts and advice in message and f"of X, column {c!r}" in message:
            return (
                f"{message[: message.index(advice)]}the model's categories of {c!r} include "
                f"{', '.join(map(repr, texts))}, which pandas' read_csv reads as missing: "
                f"read_csv(..., keep_default_na=False) keeps such texts as written, as "
                f"glassnet's own reader does; else fill the cell in or drop the row."
            )
    return message


def _as_given(message: str, X: Any, columns: list[str]) -> str:
    """:func:`_of_rows`' ``message`` with the cells and rows as the caller holds them: a
    missing cell shown as it is in ``X`` (``<NA>``, ``nan``, ``None``, not the text the
    reader made of it), and, for a DataFrame whose index is not its row positions, each
    ``row r of X`` with its index label."""
    frame = hasattr(X, "columns") and hasattr(X, "iloc") and hasattr(X, "index")

    def raw(name: str, r: int) -> Any:
        if frame:
            column = next(c for c in X.columns if str(c) == name)
            return X[column].iloc[r]
        if isinstance(X, Mapping):
            column = next(v for c, v in X.items() if str(c) == name)
            return column if isinstance(column, (str, bytes)) or np.ndim(column) == 0 else (
                list(column)[r])  # fmt: skip
        if isinstance(X, Sequence) and X and all(isinstance(row, Mapping) for row in X):
            return X[r].get(name)
        rows = np.asarray(X, dtype=object)
        return (rows[None, :] if rows.ndim == 1 else rows)[r, columns.index(name)]

    def shown(m: re.Match[str]) -> str:
        try:
            value = raw(m.group(3), int(m.group(2)))
        except Exception:  # noqa: BLE001 (the reader's words stand)
            return m.group(0)
        if isinstance(value, str):
            return m.group(0)
        return f"Missing value {value} in row {m.group(2)} of X, column {m.group(3)!r}"

    message = re.sub(
        r"Missing value '(.*?)' in row (\d+) of X, column '(.*?)'", shown, message, count=1
    )
    if frame:
        index = X.index
        positions = len(index) == 0 or (
            getattr(index, "dtype", None) is not None
            and index.dtype.kind in "iu"
            and bool(np.array_equal(np.asarray(index), np.arange(len(index))))
        )
        if not positions:

            def labelled(m: re.Match[str]) -> str:
                r = int(m.group(1))
                if r >= len(index):
                    return m.group(0)
                label = index[r].item() if isinstance(index[r], np.generic) else index[r]
                return f"in row {r} of X (X.iloc[{r}]; index {label!r})"

            message = re.sub(r"in row (\d+) of X\b", labelled, message)
    return message


def not_in_model(names: list[str], columns: list[str], meta: Any) -> str:
    """What to say of the columns ``names`` (of rows to predict) that a 'glassnet train'
    model of feature ``columns`` and description ``meta`` does not take: "" when there are
    none. Its target columns and its --id and --drop columns may be there (read, not used),
    as glassnet predict reads them."""
    prep = meta.get("preprocessing") if isinstance(meta, dict) else None
    target = meta.get("target") if isinstance(meta, dict) else None
    skip = set(columns)
    if isinstance(target, dict) and isinstance(target.get("names"), list):
        skip.update(str(c) for c in target["names"])
    if isinstance(prep, dict):
        skip.update(str(c) for c in prep.get("drop") or [] if isinstance(c, str))
        if isinstance(prep.get("id"), str):
            skip.add(prep["id"])
    extra = [c for c in names if c not in skip]
    if not extra:
        return ""
    shown = ", ".join(extra[:8]) + (f", ... ({len(extra)} in all)" if len(extra) > 8 else "")
    trained = ", ".join(columns[:8]) + (" ..." if len(columns) > 8 else "")
    return (
        f"the model was trained on {len(columns)} column(s) ({trained}); not in the model: {shown}"
    )


class Pipeline:
    """A model trained by ``glassnet train``: its preprocessing, network and labels.

    :func:`load_pipeline` returns one. ``predict`` and ``predict_proba`` take raw rows,
    as they are in the CSV file: a pandas ``DataFrame``, a dict of columns, a list of
    dicts (one per row), or a 2-d sequence of rows in the order of ``columns``. The
    stored preprocessing is applied (numbers standardized, text one-hot encoded, the
    training data's values filling missing cells when it was trained with ``--impute``),
    the network runs, and the outputs are decoded to the original labels (or the target's
    units). Text cells are read as the training run read its CSV file: the texts of its
    ``--missing`` (by default empty, ``nan``, ``NA``, ``N/A``, ``null``) and None or NaN
    are missing cells, and numbers given as text are read with its ``--decimal`` mark
    (``"2,5"`` for a model trained with ``--decimal ,``; Python numbers are numbers).
    Columns other than the model's, its targets and its ``--id``/``--drop`` columns are
    refused, naming them, as ``glassnet predict`` refuses them.

    Attributes
    ----------
    network : glassnet.nn.Module
        The bare network; it takes preprocessed inputs ``(N, n_inputs)``.
    preprocessor : glassnet.preprocessing.Preprocessor
    labels : glassnet.preprocessing.LabelEncoder or None (regression)
    target_scaler : glassnet.preprocessing.StandardScaler or None
    task : glassnet.tasks.Task
    meta : dict, the JSON description
    columns : list of str, the feature columns the rows need
    missing : frozenset of str, the cell texts read as missing (lower-case)
    decimal : str, the decimal mark text cells' numbers are read with
    targets : list of str, the predicted column(s)
    classes_ : array of the class labels (classification)
    """

    def __init__(
        self, network: Module, preprocessor: Any, labels: Any, target_scaler: Any, task: Any,
        meta: dict[str, Any],
    ) -> None:  # fmt: skip
        self.network = network
        self.preprocessor = preprocessor
        self.labels = labels
        self.target_scaler = target_scaler
        self.task = task
        self.meta = meta

    def __repr__(self) -> str:
        return (
            f"Pipeline({self.task.name}: {len(self.columns)} columns -> "
            f"{self.preprocessor.n_features_out} inputs -> {type(self.network).__name__})"
        )

    @property
    def columns(self) -> list[str]:
        return list(self.preprocessor.columns_ or [])

    @property
    def targets(self) -> list[str]:
        return list(self.meta["target"]["names"])

    @property
    def missing(self) -> frozenset[str]:
        from .datasets import missing_tokens

        return missing_tokens(self.meta["preprocessing"].get("missing"))  # (None: the default)

    @property
    def decimal(self) -> str:
        """The decimal mark of the training run's numbers (train's --decimal), which text
        cells of X are read with: '.' for a file written before it was stored."""
        from .stream import check_decimal

        training = self.meta.get("training")
        stored = training.get("decimal") if isinstance(training, dict) else None
        if stored is None:
            return "."
        try:
            return check_decimal(stored, "Pipeline")
        except ValueError:
            raise ModelFileError(
                f"the model description is malformed (training.decimal must be the one "
                f"character its training data's numbers were read with, such as ','; got "
                f"{_short(stored)})"
            ) from None

    @property
    def classes_(self) -> np.ndarray | None:
        return None if self.labels is None else self.labels.classes_

    @property
    def label_values(self) -> list[list[Any]] | None:
        """A multi-label model's two values of each label, ``[negative, positive]``, as
        ``predict`` returns them (numbers for a label of numbers, else text); None for
        another task."""
        if self.task.name != "multilabel":
            return None
        out = []
        for entry in self.meta["target"]["multilabel"]:
            values = entry["values"]
            if entry["kind"] == "number":
                nums = [float(v) for v in values]
                values = [int(v) if v == round(v) else v for v in nums]
            out.append(list(values))
        return out

    def _categories(self) -> dict[str, np.ndarray]:
        """Each categorical column's categories, as fitted."""
        encoder = self.preprocessor.encoder_
        if encoder is None or encoder.names_ is None or encoder.categories_ is None:
            return {}
        return dict(zip(encoder.names_, encoder.categories_, strict=True))

    def _table(self, X: Any, respelled: dict[str, dict[str, str]] | None = None) -> Any:
        """Raw rows as a Table of the model's columns (cells as text, as in a CSV file). A
        bool or number cell of a text column (one pandas typed: 1.0 for the code '1') is
        the one category of its value, as ``glassnet.onnx.feeds`` reads it, recorded in
        ``respelled`` (column -> {cell: category}) when spelled otherwise."""
        from .datasets import Table
        from .preprocessing import CategoryValues

        if is_series(X) and positional(X) and not {str(c) for c in X.index} & set(self.columns):
            X = X.tolist()  # (pd.Series(values): a row of values in the columns' order)
        if hasattr(X, "columns") and hasattr(X, "to_dict"):  # a pandas DataFrame
            names = [str(c) for c in X.columns]
            twice = [c for c, n in Counter(names).items() if n > 1]
            if twice:  # (X[c] would be a DataFrame: its cells the column names)
                raise ValueError(
                    f"Pipeline.predict: X has the column {twice[0]!r} twice; keep one "
                    f"(X.loc[:, ~X.columns.duplicated()]) or rename the other."
                )
            columns = {c: list(X.iloc[:, j]) for j, c in enumerate(names)}
        elif is_series(X):  # a Series
            labels = [str(c) for c in X.index]  # (a row, df.iloc[i]: read by its labels)
            if not set(labels) & set(self.columns) or len(set(labels)) < len(labels):
                raise TypeError(
                    "Pipeline.predict: X must be a pandas DataFrame, a dict of columns, a list "
                    "of dicts, or rows of values; a Series is read as one row labelled by the "
                    f"model's columns {self.columns[:8]}. Got Series with index "
                    f"{_short(labels)}: a column, not a row? Pass X.to_frame(), or "
                    "df.iloc[[i]] (row i, as a DataFrame)."
                )
            columns = {c: [X.iloc[j]] for j, c in enumerate(labels)}
        elif isinstance(X, Mapping):
            single = [c for c, v in X.items() if isinstance(v, (str, bytes)) or np.ndim(v) == 0]
            if single and len(single) < len(X):
                raise ValueError(
                    f"Pipeline.predict: X's column {str(single[0])!r} is one value "
                    f"({_short(X[single[0]])}) where other columns are lists of values; give "
                    f"every column a list (or every column one value, for one row)."
                )
            columns = {str(c): [v] if single else list(v) for c, v in X.items()}  # (one row)
        elif isinstance(X, Sequence) and X and all(isinstance(r, Mapping) for r in X):
            names = list(dict.fromkeys(str(k) for r in X for k in r))
            columns = {c: [r.get(c) for r in X] for c in names}
        else:
            rows = np.asarray(X, dtype=object)
            if rows.ndim == 1 and len(self.columns) > 1:
                rows = rows[None, :]  # one row
            if rows.ndim != 2 or rows.shape[1] != len(self.columns):
                raise ValueError(
                    f"Pipeline.predict: X must be a DataFrame, a dict of columns, a list of "
                    f"dicts, or rows of {len(self.columns)} values in the order "
                    f"{self.columns[:8]}. Got shape {rows.shape}."
                )
            columns = {c: list(rows[:, j]) for j, c in enumerate(self.columns)}
        missing = [c for c in self.columns if c not in columns]
        if missing:
            raise ValueError(
                f"Pipeline.predict: X lacks the column(s) {missing[:8]} the model was trained "
                f"on; it needs {self.columns[:8]}{' ...' if len(self.columns) > 8 else ''}."
            )
        extra = not_in_model(list(columns), self.columns, self.meta)
        if extra:  # (as glassnet predict refuses them: a column left out in silence)
            raise ValueError(
                f"Pipeline.predict: {extra}: remove them from X (X[pipeline.columns] keeps "
                f"the model's), as glassnet predict refuses them."
            )

        tokens = self.missing
        blank = "" if "" in tokens or not tokens else min(tokens)  # how a missing cell reads
        decimal = self.decimal  # text cells are read as the training file's: "2,5" for 2.5

        def cell(v: Any) -> str:
            if v is None or type(v).__name__ in ("NAType", "NaTType"):  # (pandas.NA, NaT)
                return blank
            if isinstance(v, (float, np.floating)) and math.isnan(v):
                return blank
            if isinstance(v, (float, np.floating)):  # (a number, written with that mark)
                return repr(float(v)).replace(".", decimal)
            return str(v)

        kinds = self.preprocessor.kinds_ or {}
        cells = {c: [cell(v) for v in columns[c]] for c in self.columns}
        known = self._categories()
        for c in self.columns:  # (a text column pandas typed: 1.0 is the code '1')
            if kinds.get(c) != "categorical" or c not in known:
                continue
            index = None
            for r, v in enumerate(columns[c]):
                typed = isinstance(v, (bool, int, float, np.bool_, np.integer, np.floating))
                if not typed or cells[c][r] == blank:
                    continue  # (an int cell does not show how it was written: '01' or '1')
                index = index or CategoryValues(known[c].tolist(), decimal)
                match = index.category_of(v, f"Pipeline.predict: row {r} of X's column {c!r}")
                if match is not None and match != cells[c][r]:
                    if respelled is not None:
                        plain = v.item() if isinstance(v, np.generic) else v
                        respelled.setdefault(c, {})[repr(plain)] = match
                    cells[c][r] = match
        for c in self.columns:  # 18_24 is a number to float() only: text, as in a CSV file
            if kinds.get(c) != "numeric":
                continue
            for r, v in enumerate(columns[c]):  # (as glassnet.onnx.feeds: a bool is no number)
                if isinstance(v, (bool, np.bool_)):
                    raise ValueError(
                        f"Pipeline.predict: X's column {c!r} holds {bool(v)} at row {r}, a bool, "
                        f"not a number; the model was trained on numbers in this column: give "
                        f"1.0 and 0.0 (X.astype({{{c!r}: float}}) for a DataFrame)."
                    )
            for r, text in enumerate(cells[c]):
                if "_" in text and _python_number(text):
                    raise ValueError(
                        f"Pipeline.predict: X's column {c!r} holds {_short(text)} at row {r}, "
                        f"which is text, not a number: digits grouped by '_' are read as text, "
                        f"as glassnet's command line, spreadsheets and pandas read them; the "
                        f"model was trained on numbers in this column: give plain numbers."
                    )
        return Table(
            cells,
            categorical=[c for c in self.columns if kinds.get(c) == "categorical"],
            impute=self.preprocessor.fill_ or None,
            source="<Pipeline input>",
            missing=tokens,
            decimal=decimal,
        )

    def transform(self, X: Any, unknown: str = "error") -> np.ndarray:
        """The network's inputs for raw rows ``X``: (N, n_inputs) in the network's dtype."""
        respelled: dict[str, dict[str, str]] = {}
        try:
            table = self._table(X, respelled)
            Z = self.preprocessor.transform(table, extra="ignore", unknown=unknown)
        except ValueError as exc:  # the reader's words for a file, said of X
            message = _of_rows(str(exc), bool(self.preprocessor.fill_))
            message = _as_given(message, X, self.columns)
            message = _read_as_missing(message, self._categories())
            if self.decimal != "." and "is not a number" in message:  # ('0.64' to a ',' model)
                message += (
                    f" The model reads numbers given as text with the decimal mark "
                    f"{self.decimal!r} of its training data (Pipeline.decimal): write them so, "
                    f"or pass numbers (floats) rather than text."
                )
            raise ValueError(message) from None
        if respelled:  # (as glassnet.onnx.feeds says it)
            from .preprocessing import CategoryValues

            shown = CategoryValues.respelled(respelled)
            warnings.warn(
                f"Pipeline: pandas typed text column(s) of X (bools or numbers); their cells "
                f"are read as the model's category of the same value, spelled as in its "
                f"training data ({shown}). read_csv(..., dtype=str) keeps the cells as written.",
                UserWarning,
                stacklevel=3,
            )
        if table.imputed:  # (as glassnet predict's note: nothing filled in silence)
            counts = [f"{c!r} ({len(v)})" for c, v in table.imputed.items()]
            warnings.warn(
                f"Pipeline: filled {sum(len(v) for v in table.imputed.values())} missing "
                f"cell(s) of X with the training data's values, by column {', '.join(counts[:8])}"
                f"{' ...' if len(counts) > 8 else ''}. pandas' read_csv reads texts such as "
                "'NA' or 'null' as missing: read_csv(..., keep_default_na=False) keeps them as "
                "written, as glassnet's own reader does.",
                UserWarning,
                stacklevel=3,
            )
        params = self.network.parameters()
        dtype = np.dtype(params[0].dtype if params else np.float32)
        from .preprocessing import FAR_OUTSIDE, first_beyond

        found = first_beyond(Z, dtype)  # (N, n_inputs): a value the cast would make inf
        if found is not None:
            raise ValueError(
                f"Pipeline.transform: row {found.row} of X, column "
                f"{self.preprocessor.feature_names_out[found.column]!r}, {found.as_input()}: "
                f"{FAR_OUTSIDE}; check it (or retrain in float64)."
            )
        return Z.astype(dtype, copy=False)

    def predict(self, X: Any, unknown: str = "error") -> np.ndarray:
        """Labels ``(N,)`` for classification; values ``(N,)`` (one target) or ``(N, K)``;
        for a multi-label model each label's value ``(N, K)`` (see ``label_values``)."""
        out = np.asarray(self.network.predict(self.transform(X, unknown)))
        if self.task.name == "multilabel":  # (N, K): each label's own value
            hits = np.asarray(self.task.decode(out)).reshape(len(out), -1).astype(bool)
            cols = [np.where(hits[:, k], pos, neg) for k, (neg, pos) in
                    enumerate(self.label_values or [])]  # fmt: skip
            if len({c.dtype.kind for c in cols}) == 1:
                return np.stack(cols, axis=1)
            return np.stack([c.astype(object) for c in cols], axis=1)
        if self.task.is_classifier:
            return self.labels.inverse_transform(np.asarray(self.task.decode(out)).astype(int))
        values = out.astype(np.float64).reshape(len(out), -1)  # (N, K)
        if self.target_scaler is not None:
            s = self.target_scaler
            with np.errstate(over="ignore"):  # (inverse_transform's sum, checked here once)
                scaled = values * s.scale_ + s.mean_
            beyond = ~np.isfinite(scaled)
            if beyond.any():  # (X far beyond the training data's range, or a damaged file)
                r, k = (int(i) for i in np.argwhere(beyond)[0])
                raise ValueError(
                    f"Pipeline.predict: the network's output for row {r} of X is "
                    f"{values[r, k]:.6g} standard deviations of the target, which overflows "
                    f"float64 in the target's scaling ({values[r, k]:.6g} * {s.scale_[k]:.4g} "
                    f"+ {s.mean_[k]:.4g}): row {r} is likely far beyond the range of the "
                    f"training data (or the model file is damaged); check that row's values"
                )
            values = scaled
        return values[:, 0] if values.shape[1] == 1 else values

    def predict_proba(self, X: Any, unknown: str = "error") -> np.ndarray:
        """Class probabilities ``(N, C)``, columns in the order of ``classes_``; for a
        multi-label model each label's probability of its positive value, ``(N, K)``."""
        if not self.task.is_classifier:
            raise TypeError("Pipeline.predict_proba: a regression model has no probabilities.")
        out = np.asarray(self.network.predict(self.transform(X, unknown)))
        return np.asarray(self.task.proba(out))


def _python_number(text: str) -> bool:
    """Whether Python's float() reads ``text`` (it reads 18_24 as 1824)."""
    try:
        float(text)
    except ValueError:
        return False
    return True


def load_pipeline(path: str | os.PathLike[str]) -> Pipeline:
    """Load a model written by ``glassnet train`` as a :class:`Pipeline` that takes raw rows.

    Every number of the description (the task's output count, the classes, the
    preprocessing's inputs, the target scaler) is checked against the weights in the
    file before anything is built from it.

    Raises
    ------
    ModelFileError
        For everything :func:`load_model` refuses, for a network saved without a
        ``glassnet train`` description (use :func:`load_model`), and for a description
        that does not fit the weights.
    """
    return _pipeline(*_read_model(path))


def _pipeline(network: Module, meta: dict[str, Any], source: str) -> Pipeline:
    """The :class:`Pipeline` of a network and its ``meta``, read together from ``source``."""
    from .preprocessing import LabelEncoder, Preprocessor, StandardScaler

    if meta.get("format") != CLI_MODEL_FORMAT:
        raise ModelFileError(
            f"{source} holds a glassnet network but no description from 'glassnet train' "
            f"(its preprocessing and labels are unknown); load it with load_model"
        )
    version = meta.get("format_version")
    if type(version) is not int or not 1 <= version <= CLI_MODEL_FORMAT_VERSION:
        reads = f"this glassnet reads description format {CLI_MODEL_FORMAT_VERSION} or older"
        if type(version) is int and version > CLI_MODEL_FORMAT_VERSION:
            raise ModelFileError(
                f"{source} was written in description format {version}; {reads}: a newer "
                f"glassnet wrote it, so upgrade glassnet to read it (pip install --upgrade "
                f"glassnet)"
            )
        found = (
            "has no description format version (no format_version)"
            if version is None
            else f"has description format {_short(version)}, which no glassnet writes"
        )
        raise ModelFileError(
            f"{source} {found}, so it is corrupt or was not written by glassnet ({reads})"
        )

    def bad(message: str) -> ModelFileError:
        return ModelFileError(f"{source}: the model description is malformed ({message})")

    widths = _io_widths(network)
    if widths is None:
        raise bad("the network has no weight matrix")
    n_in, n_out = widths
    try:
        task_meta, target = meta["task"], meta["target"]
        name, n_outputs = task_meta["name"], task_meta["n_outputs"]
        pre_meta = meta["preprocessing"]["preprocessor"]
        names = target["names"]
    except KeyError as exc:
        raise bad(f"it lacks {_short(exc.args[0] if exc.args else '?')}") from None
    except TypeError:
        raise bad("task, target and preprocessing must be JSON objects") from None
    if name not in _CLI_TASKS:
        raise bad(f"unknown task {_short(name)}")
    # 1) every size against the weights, before anything is built from it
    want = 1 if name in ("binary", "regression") else max(n_out, 2)
    if name == "multilabel":
        want = len(names) if isinstance(names, list) else -1
    if type(n_outputs) is not int or n_outputs != want or n_out != want:
        raise bad(
            f"task.n_outputs is {_short(n_outputs)} but the network has {n_out} output(s) "
            f"and a {name} task needs {want}"
        )
    if not isinstance(names, list) or not names or not all(isinstance(t, str) for t in names):
        raise bad("target.names must be a non-empty list of column names")
    tokens = meta["preprocessing"].get("missing")  # (absent: written before it was stored)
    if tokens is not None and (
        not isinstance(tokens, list) or not all(isinstance(t, str) for t in tokens)
    ):
        raise bad("preprocessing.missing must be a list of the cell texts read as missing")
    several = ("multioutput_regression", "multilabel")
    if (name not in several and len(names) != 1) or (name in several and len(names) != n_out):
        raise bad(f"{len(names)} target name(s) for {n_out} output(s) of a {name} task")
    field = "preprocessing.preprocessor"  # (named in the message: which part is malformed)
    try:
        pre = Preprocessor.from_dict(pre_meta)
        field = "target.labels"
        labels = LabelEncoder.from_dict(target["labels"]) if target.get("labels") else None
        field = "target.scaler"
        scaler = StandardScaler.from_dict(target["scaler"]) if target.get("scaler") else None
    except (KeyError, TypeError, ValueError) as exc:
        raise bad(f"{field}: {type(exc).__name__}: {oneline(exc)}") from None
    if pre.n_features_out != n_in:
        raise bad(f"the preprocessing makes {pre.n_features_out} inputs; the network takes {n_in}")
    if name in ("binary", "multiclass"):
        if labels is None or len(labels.classes_) != max(n_out, 2):
            found = "no" if labels is None else len(labels.classes_)
            raise bad(f"{found} class labels for a {name} network of {n_out} output(s)")
        if scaler is not None:
            raise bad(f"a {name} task has no target.scaler (its targets are class labels)")
    elif name == "multilabel":
        if labels is not None or scaler is not None:
            raise bad("a multilabel task has no target.labels or target.scaler")
        _check_label_values(target.get("multilabel"), names, bad)
    else:
        if labels is not None:  # (its outputs would be read as values, the labels never)
            raise bad(
                f"a {name} task has no target.labels, but the file lists "
                f"{len(labels.classes_)} class labels {_short(labels.classes_.tolist())}"
            )
        if scaler is not None and scaler.n_features_in_ != n_out:
            raise bad(f"the target scaler has {scaler.n_features_in_} columns for {n_out} outputs")
    # 2) the output activation: the network's, the task's and the description's agree
    task = _fitted_task(name, n_outputs)
    ends = getattr(network, "output_activation", None)  # (an MLP's: every 'glassnet train')
    said = task_meta.get("output_activation", task.output_activation)
    if isinstance(ends, str) and (ends != task.output_activation or said != ends):
        raise bad(
            f"a {name} task's network ends in {task.output_activation}, and task."
            f"output_activation is {_short(said)}, but the network ends in {ends}"
        )
    # 3) now that the sizes are the file's own, build
    return Pipeline(network, pre, labels, scaler, task, meta)


def _check_label_values(entries: Any, names: list[str], bad: Callable[[str], Exception]) -> None:
    """``target.multilabel`` of a multi-label model: one ``{"kind", "values"}`` per label,
    ``values`` its two values as text, the negative one first."""
    if not isinstance(entries, list) or len(entries) != len(names):
        raise bad(f"target.multilabel must list the two values of each of the {len(names)} labels")
    for name, entry in zip(names, entries):
        values = entry.get("values") if isinstance(entry, dict) else None
        kind = entry.get("kind") if isinstance(entry, dict) else None
        if (
            kind not in LABEL_KINDS
            or not isinstance(values, list)
            or len(values) != 2
            or not all(isinstance(v, str) for v in values)
            or values[0] == values[1]
        ):
            raise bad(
                f"target.multilabel of the label {_short(name)} must be {{'kind': one of "
                f"{', '.join(LABEL_KINDS)}, 'values': its two values as text, the negative "
                f"one first}}; got {_short(entry)}"
            )
        if kind == "number" and not (
            all(_python_number(v) and math.isfinite(float(v)) for v in values)
            and float(values[0]) < float(values[1])
        ):
            raise bad(
                f"the label {_short(name)} of kind 'number' must have two finite numbers, the "
                f"smaller (negative) first; got {values}"
            )
        words = [w.lower() for w in values]
        if kind == "words" and not any(words == list(pair) for pair in LABEL_WORDS):
            raise bad(
                f"the label {_short(name)} of kind 'words' must be false/true, no/yes or -/+ "
                f"(in any case, the negative first); got {values}"
            )


def load_torch_state_dict(model: Module, source: Any, order: Any = None) -> Module:
    """Copy the weights of a PyTorch ``nn.Sequential`` of ``nn.Linear``, ``nn.LayerNorm`` and
    ``nn.BatchNorm1d`` layers (and parameter-free ones: ``ReLU``, ``GELU``, ...) into
    ``model`` (a glassnet ``MLP`` or ``Sequential`` with the same such layers in the same
    order), so a network trained in PyTorch can be explained with glassnet's tools.
    Returns ``model``.

    ``source`` is a ``state_dict`` (a dict of arrays or CPU tensors, e.g.
    ``torch_model.state_dict()``) or the path of a safetensors file holding one
    (``safetensors.torch.save_file(torch_model.state_dict(), path)``); a ``.pt`` file is
    a pickle, which glassnet never opens: pass ``torch.load(path, weights_only=True)``.
    The glassnet modules holding weights are matched, in order, to the PyTorch layers
    holding weights, each by its kind: a ``Linear``'s ``<layer>.weight`` (neurons, inputs)
    becomes ``W`` (inputs, neurons), its transpose (the lecture's layout), and
    ``<layer>.bias`` becomes ``b``; a ``LayerNorm``'s ``weight`` and ``bias`` (of its
    ``normalized_shape``) are copied as they are, and so are a ``BatchNorm1d``'s ``weight``,
    ``bias``, ``running_mean``, ``running_var`` and ``num_batches_tracked`` (glassnet's
    BatchNorm1d has PyTorch's names and meaning). A single layer's state_dict, its keys
    unprefixed (a bare ``nn.Linear``'s ``weight`` and ``bias``), is one layer: it loads into
    a glassnet ``Linear`` (or a model holding one). The layers are taken in the network's
    order, from input to output: a ``state_dict`` keeps it (PyTorch orders it as the
    layers were registered: ``hidden`` before ``head``); numbered names, as
    ``nn.Sequential``'s, give it too (``0``, ``2``, ``10``: compared as numbers). A
    safetensors file does not keep it, so a file whose names are not numbered (``fc2``,
    ``fc10``) is refused unless ``order`` lists its layer names from input to output.
    The activations are the glassnet model's own: build it with PyTorch's. Every kind,
    shape and key is checked before any weight changes; a mismatch names the kind of
    layer at the first position where the two networks differ. The weights take the
    glassnet model's dtype, as PyTorch's ``load_state_dict`` gives them its model's: a
    float64 state_dict loaded into a float32 model is rounded to float32 (build the model
    with ``dtype=np.float64`` to keep every digit); NaN or inf, or a finite value beyond
    the model's dtype (1e300 into float32), is refused, in a message that names this
    function and the file.

    >>> import numpy as np
    >>> from glassnet import nn
    >>> state = {"0.weight": np.ones((3, 2)), "0.bias": np.zeros(3),
    ...          "2.weight": np.ones((1, 3)), "2.bias": np.zeros(1)}
    >>> model = load_torch_state_dict(nn.MLP([2, 3, 1], dtype=np.float64), state)
    >>> model.predict(np.ones((1, 2)))
    array([[6.]])
    """
    who = "load_torch_state_dict"
    if isinstance(source, (str, os.PathLike)):
        who += f"('{os.fspath(source)}')"
    try:
        return _torch_state_dict(model, source, order)
    except ValueError as exc:  # (the model's own load_state_dict's words too: said as ours)
        head = re.match(r"(?:load_torch_state_dict|\w+\.load_state_dict): ", str(exc))
        if head is None or isinstance(exc, ModelFileError):  # (those name the file)
            raise
        exc.args = (f"{who}: {str(exc)[head.end() :]}",)
        raise


def _torch_state_dict(model: Module, source: Any, order: Any) -> Module:
    """:func:`load_torch_state_dict`'s work (its messages begin 'load_torch_state_dict: ')."""
    from .nn import Module as _Module

    if not isinstance(model, _Module):
        swapped = " (a PyTorch module? the glassnet model comes first)" if _is_torch(model) else ""
        raise TypeError(
            f"load_torch_state_dict: 'model' must be a glassnet model (a glassnet.nn.Module: "
            f"nn.MLP or nn.Sequential of nn.Linear and nn.LayerNorm) to copy the weights into. "
            f"Got {type(model).__name__}{swapped}."
        )
    from_file = isinstance(source, (str, os.PathLike))
    if from_file:
        source = _torch_file(source)
    if not isinstance(source, Mapping):
        hint = ""
        if _is_torch(source) and callable(getattr(source, "state_dict", None)):
            hint = (
                " (a model: pass its state_dict(), load_torch_state_dict(model, "
                "torch_model.state_dict()))"
            )
        raise TypeError(
            f"load_torch_state_dict: 'source' must be a state_dict (a dict of arrays) or the "
            f"path of a safetensors file. Got {type(source).__name__}{hint}."
        )
    arrays = {str(k): _torch_array(v, k) for k, v in source.items()}  # arrays, by name
    ends = (".weight", ".bias", *_STATS)
    bare = [k for k in arrays if f".{k}" in ends]  # (a single layer's keys: no layer name)
    if arrays and len(bare) == len(arrays):
        arrays = {f"{_BARE}.{k}": v for k, v in arrays.items()}  # (one layer's: nn.Linear's)
    odd = sorted(k for k in arrays if not k.endswith(ends))
    if odd and bare and all("." not in k for k in arrays):  # (one layer, of another kind)
        raise ValueError(
            f"load_torch_state_dict: the state_dict is a single layer's (no layer names in "
            f"its keys) and holds {sorted(set(odd) - set(bare))[:5]} beside {sorted(bare)}: "
            f"only a Linear's, a LayerNorm's and a BatchNorm1d's 'weight', 'bias' (and "
            f"BatchNorm1d's running statistics) can be loaded (another kind of layer?)."
        )
    if odd:
        raise ValueError(
            f"load_torch_state_dict: only Linear, LayerNorm and BatchNorm1d layers' 'weight', "
            f"'bias' (and BatchNorm1d's running statistics) can be loaded; the state_dict "
            f"also holds {odd[:5]} (another kind of layer? an nn.Parameter of the model's "
            f"own, beside its layers?)."
        )

    found = list(dict.fromkeys(k.rsplit(".", 1)[0] for k in arrays))  # in the dict's order
    prefixes = _torch_layer_order(found)
    if order is not None and _BARE in found:
        raise ValueError(
            f"load_torch_state_dict: the state_dict is a single layer's ({_listed(bare)}, no "
            f"layer names): there is no order to give; leave 'order' out."
        )
    if order is not None:
        try:
            given = [str(p) for p in order] if not isinstance(order, str) else [order]
        except TypeError:  # (a number, None inside a wrapper: "'int' object is not iterable")
            raise TypeError(
                f"load_torch_state_dict: 'order' must be a list of the state_dict's layer "
                f"names from input to output ([{_listed(found)}] in some order), or None. "
                f"Got {type(order).__name__} {_short(order, 40)}."
            ) from None
        if sorted(given) != sorted(found):
            raise ValueError(
                f"load_torch_state_dict: 'order' must name each layer of the state_dict once, "
                f"from input to output: [{_listed(sorted(found))}] in some order. Got "
                f"[{_listed(given)}]."
            )
        prefixes = given
    elif from_file and prefixes is None:
        raise ValueError(
            "load_torch_state_dict: a safetensors file does not keep the order of the layers, "
            f"and their names {sorted(found)[:6]} do not give it (numbered names, as "
            "nn.Sequential's, do). Pass the state_dict itself (torch_model.state_dict() keeps "
            "the network's order), or order=[layer names from input to output]."
        )
    elif prefixes is None:  # a state_dict: its insertion order is the registration order
        prefixes = found
    entries = [(p, arrays.get(f"{p}.weight"), arrays.get(f"{p}.bias")) for p in prefixes]
    stats = {p: {k: arrays[f"{p}{k}"] for k in _STATS if f"{p}{k}" in arrays} for p in prefixes}
    modules, paths = _weighted_modules(model)
    kinds = [
        _torch_kind(w, b, m, stats[p])
        for (p, w, b), m in zip(entries, modules + [None] * len(entries))
    ]
    ours = [type(m).__name__ for m in modules]
    if kinds != ours:
        if set(kinds) | set(ours) == {"Linear"}:  # (only the count differs)
            one = _BARE in prefixes  # (a single layer's: it may go into one of the model's)
            held = _their_layer(_BARE, bare) if one else f"[{_listed(prefixes)}]"
            raise ValueError(
                f"load_torch_state_dict: the state_dict holds {len(prefixes)} Linear "
                f"layer{'s' * (len(prefixes) != 1)} ({held}) but the model has {len(modules)}; "
                f"build the model with the PyTorch network's layer sizes"
                f"{f', or load it into one of its layers ({_listed(paths)})' * one}."
            )
        i = next(i for i, (a, b) in enumerate(zip([*kinds, None], [*ours, None])) if a != b)
        theirs = (
            f"PyTorch's entry {i + 1} ({_their_layer(prefixes[i], bare)}) is "
            f"{_torch_entry(*entries[i], kinds[i])}"
            if i < len(entries)
            else f"the state_dict has no entry {i + 1}"
        )
        mine = (
            f"glassnet's module {i + 1} ({paths[i]!r}) is {_glassnet_module(modules[i])}"
            if i < len(modules)
            else f"the model has no module {i + 1}"
        )
        raise ValueError(
            f"load_torch_state_dict: the layers holding weights must match in kind and order; "
            f"the state_dict holds {len(kinds)} ([{_kinds(kinds)}]), the model "
            f"{len(ours)} ([{_kinds(ours)}]): {theirs}, {mine}. Build the glassnet model "
            f"with the PyTorch network's layers in its order (nn.Linear for nn.Linear, "
            f"nn.LayerNorm for nn.LayerNorm, nn.BatchNorm1d for nn.BatchNorm1d)."
        )
    names = {id(p): name for name, p in model.named_parameters()}
    state, theirs = {}, {}  # (theirs: the caller's name of each of ours)
    for i, ((prefix, weight, bias), module) in enumerate(zip(entries, modules)):
        wanted = _torch_shapes(module)
        if kinds[i] == "BatchNorm1d":
            named = repr(prefix) if prefix != _BARE else "(a single layer's state_dict)"
            state.update(_batchnorm_stats(named, stats[prefix], module, paths[i]))
        if (
            (weight is None) != (wanted[0] is None)
            or (weight is not None and weight.shape != wanted[0])
            or (bias is None) != (wanted[1] is None)
            or (bias is not None and bias.shape != wanted[1])
        ):
            layout = " (PyTorch's (out, in))" if kinds[i] == "Linear" else ""
            raise ValueError(
                f"load_torch_state_dict: {_their_layer(prefix, bare, 'layer ')} holds weight "
                f"{getattr(weight, 'shape', None)} and bias {getattr(bias, 'shape', None)}, but "
                f"the matching glassnet layer {module!r} (module {i + 1}, {paths[i]!r}) needs "
                f"weight {wanted[0]}{layout} and "
                f"{f'a bias {wanted[1]}' if wanted[1] is not None else 'no bias'}."
            )
        pair = (module.W, module.b) if kinds[i] == "Linear" else (module.weight, module.bias)
        if kinds[i] == "Linear" and weight is not None:  # (PyTorch's (out, in))
            weight = weight.T
        for given, param, end in zip((weight, bias), pair, ("weight", "bias"), strict=True):
            if given is not None:
                state[names[id(param)]] = given
                own, flip = names[id(param)], given is weight and kinds[i] == "Linear"
                key = end if prefix == _BARE else f"{prefix}.{end}"
                theirs[own] = f"'{key}' (the model's {own!r}{', its .T' * flip})"
    try:
        model.load_state_dict(state)  # checks the names, shapes and values, then copies
    except ValueError as exc:  # (a value refused: named by the caller's key, then ours)
        told = str(exc)
        for own, key in theirs.items():  # (an index is of the model's array)
            told = told.replace(f"{own!r} ", f"{key} ", 1)
        exc.args = (told,)
        raise
    return model


def _is_torch(value: Any) -> bool:
    """Whether ``value`` is an object of PyTorch's (judged by its class's module)."""
    return type(value).__module__.split(".")[0] == "torch"


def _torch_file(path: Any) -> Any:
    """The arrays of a safetensors file; a PyTorch ``.pt`` file (a zip archive, or a pickle
    in the legacy format) is refused saying how to pass its state_dict."""
    try:
        arrays, _, kind = _load(path, expect_format=False)
    except ModelFileError as exc:
        head = b""
        with contextlib.suppress(Exception):  # (_open: a regular file only, never blocks)
            f, _, _ = _open(path)
            with f:
                head = f.read(2)
        if head == b"PK" or (
            head[:1] == b"\x80" and head[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05")
        ):
            raise ModelFileError(
                f"load_torch_state_dict: '{os.fspath(path)}' looks like a PyTorch .pt file "
                f"(torch.save's pickle), which glassnet never opens (unpickling can run any "
                f"code). Pass the state_dict itself: load_torch_state_dict(model, "
                f"torch.load(path, weights_only=True)), or save it as safetensors "
                f"(safetensors.torch.save_file(torch_model.state_dict(), 'model.safetensors'))."
            ) from exc
        raise
    if kind in ("model", "checkpoint"):  # (glassnet's names, not PyTorch's: say what to use)
        reader = "load_model" if kind == "model" else "load_checkpoint"
        raise ModelFileError(
            f"load_torch_state_dict: '{os.fspath(path)}' is a glassnet {kind} file (glassnet's "
            f"weights, W (inputs, neurons), not a PyTorch state_dict): read it with "
            f"glassnet.io.{reader}(path), or glassnet.io.load_weights(model, path)."
        )
    return arrays


#: the keys of a BatchNorm1d's running statistics (PyTorch's buffer names, and glassnet's)
_STATS = (".running_mean", ".running_var", ".num_batches_tracked")
_BARE = "(the layer)"  # the name of a single layer's state_dict ('weight', 'bias': no prefix)


def _their_layer(prefix: str, bare: list[str], noun: str = "") -> str:
    """The state_dict's layer ``prefix`` as a message names it, by the caller's keys:
    ``'fc'`` (``layer 'fc'`` with ``noun`` 'layer '); a single layer's state_dict (its keys
    ``bare``, no layer name) as ``the single layer of keys 'weight', 'bias'``."""
    if prefix == _BARE:
        return f"the single layer of keys {', '.join(repr(k) for k in bare)}"
    return f"{noun}{prefix!r}"


def _batchnorm_stats(prefix: str, given: dict, module: Any, path: str) -> dict[str, Any]:
    """A PyTorch BatchNorm1d's running statistics as the glassnet BatchNorm1d ``module``'s
    state_dict entries (named at ``path``); refused where one tracks them and the other
    does not (``prefix``: PyTorch's layer as a message names it: 'fc')."""
    want = [k for k in _STATS if getattr(module, k[1:]) is not None]
    if sorted(given) != sorted(want):
        raise ValueError(
            f"load_torch_state_dict: PyTorch's BatchNorm1d {prefix} holds "
            f"[{_listed(sorted(k[1:] for k in given))}] and glassnet's ({path!r}) "
            f"[{_listed(sorted(k[1:] for k in want))}]: build it with the same "
            f"track_running_stats as PyTorch's."
        )
    base = "" if path == "(model)" else f"{path}."
    return {f"{base}{k[1:]}": v for k, v in given.items()}


def _weighted_modules(model: Module) -> tuple[list[Module], list[str]]:
    """The modules of ``model`` holding parameters of their own (or, a BatchNorm1d, running
    statistics), in order, and their names; a module other than Linear, LayerNorm and
    BatchNorm1d holding some is refused."""
    from .nn import BatchNorm1d, LayerNorm, Linear, Parameter

    names = {id(p): name for name, p in model.named_parameters()}
    module_names = {id(m): name for name, m in model.named_modules()}
    modules, paths = [], []
    for module in model.modules():
        own = [v for _, v in module._children() if isinstance(v, Parameter)]
        tracks = isinstance(module, BatchNorm1d) and module.running_mean is not None
        if not own and not tracks:
            continue
        path = module_names.get(id(module)) or "(model)"
        if not isinstance(module, (Linear, LayerNorm, BatchNorm1d)):
            raise ValueError(
                f"load_torch_state_dict: glassnet's module {len(modules) + 1} ({path!r}) is "
                f"a {type(module).__name__} holding parameters "
                f"[{_listed([names[id(p)] for p in own])}]; only Linear and LayerNorm layers, "
                f"and BatchNorm1d ones, are matched to PyTorch's. Load the others' with "
                f"model.load_state_dict."
            )
        modules.append(module)
        paths.append(path)
    return modules, paths


def _torch_kind(weight: Any, bias: Any, ours: Any, stats: Any = None) -> str:
    """The kind of PyTorch layer holding ``weight`` and ``bias``: "BatchNorm1d" (running
    statistics ``stats``, or the shapes of the glassnet BatchNorm1d ``ours`` it is matched
    to), "Linear" (a 2-D weight, a 1-D bias), "LayerNorm" (a 1-D weight, or a bias of the
    weight's shape, or the shapes of the glassnet LayerNorm ``ours``), else "?"."""
    from .nn import BatchNorm1d, LayerNorm

    if stats or (
        isinstance(ours, BatchNorm1d)
        and weight is not None
        and _torch_shapes(ours) == (weight.shape, None if bias is None else bias.shape)
    ):
        return "BatchNorm1d"
    if weight is None:
        return "?"
    if isinstance(ours, LayerNorm) and _torch_shapes(ours) == (
        weight.shape,
        None if bias is None else bias.shape,
    ):
        return "LayerNorm"
    if weight.ndim == 1 or (weight.ndim >= 2 and bias is not None and bias.shape == weight.shape):
        return "LayerNorm"
    if weight.ndim == 2 and (bias is None or bias.ndim == 1):
        return "Linear"
    return "?"


def _torch_shapes(module: Any) -> tuple[tuple[int, ...], tuple[int, ...] | None]:
    """The shapes of PyTorch's weight and bias (None: no bias) for a glassnet Linear or
    LayerNorm."""
    from .nn import BatchNorm1d, Linear

    if isinstance(module, Linear):
        return (module.neurons, module.inputs), None if module.b is None else (module.neurons,)
    if isinstance(module, BatchNorm1d):
        c = (module.num_features,)
        return (None if module.weight is None else c), (None if module.bias is None else c)
    shape = tuple(module.normalized_shape)
    return shape, None if module.bias is None else shape


def _torch_entry(prefix: str, weight: Any, bias: Any, kind: str) -> str:
    """A PyTorch layer's entry in words: "a LayerNorm's weight (16,)"."""
    if kind == "BatchNorm1d" and weight is None:
        return "a BatchNorm1d's running statistics (running_mean, running_var; no weight)"
    if weight is None:
        return f"a bias {getattr(bias, 'shape', None)} with no weight (no Linear or LayerNorm)"
    if kind == "?":
        with_bias = "" if bias is None else f" and a bias {bias.shape}"
        return f"a weight {weight.shape}{with_bias}, of no Linear or LayerNorm (a convolution?)"
    return f"a {kind}'s weight {weight.shape}"


def _glassnet_module(module: Any) -> str:
    """A glassnet Linear or LayerNorm in words: "a Linear(16, 8)", "a LayerNorm(16)"."""
    from .nn import Linear

    if isinstance(module, Linear):
        return f"a Linear({module.inputs}, {module.neurons})"
    if not hasattr(module, "normalized_shape"):
        return f"a BatchNorm1d({module.num_features})"
    shape = tuple(module.normalized_shape)
    return f"a LayerNorm({shape[0] if len(shape) == 1 else shape})"


def _kinds(kinds: list[str]) -> str:
    """Layer kinds listed, the first :data:`_LISTED`, and how many more there are."""
    more = len(kinds) - _LISTED
    shown = ", ".join(k if k != "?" else "other" for k in kinds[:_LISTED])
    return f"{shown} and {more} more" if more > 0 else shown


def _torch_array(value: Any, key: Any) -> np.ndarray:
    """A state_dict's value as an array: a tensor detached and copied to the CPU; bfloat16
    and the other dtypes NumPy lacks widened to float32 first (exactly: each of their
    values is a float32 value), or refused naming the key."""
    if not hasattr(value, "cpu"):
        return np.asarray(value)
    tensor = value.detach().cpu()
    try:
        return np.asarray(tensor.numpy())
    except TypeError:  # (NumPy has no bfloat16: "Got unsupported ScalarType BFloat16")
        pass
    if getattr(tensor, "is_floating_point", lambda: False)():
        return np.asarray(tensor.float().numpy())
    raise TypeError(
        f"load_torch_state_dict: the state_dict's {str(key)!r} is a tensor of dtype "
        f"{tensor.dtype}, which NumPy cannot hold; convert it, e.g. with .float()"
    )


def _torch_layer_order(prefixes: list[str]) -> list[str] | None:
    """The layer names sorted by their numbers (``layers.2`` before ``layers.10``) when the
    numbers alone order them: every two names first differ in a numbered part. Else None."""

    def parts(name: str) -> list[Any]:  # (numbers before words: any two parts compare)
        return [(0, int(p)) if p.isdigit() else (1, p) for p in name.split(".")]

    # sorted, two names' first difference is between neighbours in the order (the parts that
    # differ where the names' paths branch), so checking neighbours checks every two names
    order = sorted(zip(map(parts, prefixes), prefixes))
    for (a, _), (b, _) in zip(order, order[1:]):
        first = next(((x, y) for x, y in zip(a, b) if x != y), None)
        if first is None or first[0][0] or first[1][0]:
            return None  # "head" against "hidden", "fc2" against "fc10": no order given
    return [name for _, name in order]
