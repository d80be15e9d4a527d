"""PyTorch's ``torch.save``/``torch.load`` habit, on glassnet's safe files (safetensors: arrays
and JSON, never pickle, so loading a file runs no code).

    gn.save(model.state_dict(), "m.glassnet")       # torch.save(model.state_dict(), "m.pt")
    model.load_state_dict(gn.load("m.glassnet"))     # model.load_state_dict(torch.load(...))
    gn.save(model, "m.glassnet"); gn.load("m.glassnet")   # a model of glassnet's layers
    gn.save(x, "x.glassnet"); gn.load("x.glassnet")       # one tensor

What ``save`` takes, and ``load`` gives back:

* a state dict (a dict of names to arrays or Tensors): the same names to NumPy arrays (a
  model's ``load_state_dict`` takes them), in their order, inf, -inf and NaN kept as
  ``torch.save`` keeps them (a causal mask of -inf; the file lists the arrays that hold them,
  so a non-finite value anywhere else is still refused as corruption:
  :data:`glassnet.io.NONFINITE_FORMAT_VERSION`);
* a model of glassnet's own layers (``Linear``, ``MLP``, ``Sequential`` of glassnet's
  layers and activations): the model, rebuilt (:func:`glassnet.io.save_model`), in the
  mode it was saved in (``eval()``) and with its frozen parameters still frozen, as
  PyTorch's whole-model save keeps them. A model holding a class of your own (a subclass
  too) is refused, saying to save its ``state_dict()``: a file of arrays cannot rebuild
  your class's code (torch.save pickles it); so is a model whose activation's entry of
  :data:`glassnet.functional.ACTIVATIONS` was replaced (the file names the activation
  only: loaded where the built-in is in force, it would compute the built-in);
* a Tensor (a Parameter too): a Tensor of the same values (inf and NaN too),
  ``requires_grad`` as saved (no graph, as PyTorch's);
* a :class:`glassnet.io.Pipeline` (what ``load`` gives for a ``glassnet train`` file): that
  model file again, its network and its preprocessing;
* a checkpoint file of :func:`glassnet.io.save_checkpoint`: ``{"model": state dict,
  "optimizer": its state dict, "meta": ...}``, as a PyTorch checkpoint dict reads;
* PyTorch's checkpoint dict, ``gn.save({"epoch": e, "model_state_dict": model.state_dict(),
  "optimizer_state_dict": opt.state_dict(), "scheduler": sched.state_dict(), "loss": l},
  path)``, an optimizer's state dict alone, or any dicts (str or int keys), lists and tuples
  of arrays, Tensors, numbers, strings, bools and None, nested: the same structure
  (written as :func:`glassnet.io.save_checkpoint` writes an optimizer's state: the arrays
  as the file's tensors, the rest as JSON). An int stays an int, a float a float, a tuple
  a tuple, an array keeps its dtype and shape (inf and NaN too) and a Tensor comes back a
  Tensor (``requires_grad`` as saved). A NumPy scalar comes back as the Python number
  (``np.float32(0.5)`` as ``0.5``), a dict of another class (an ``OrderedDict``) as a
  dict; a float that is NaN, inf or -inf is kept (``"loss": loss.item()`` of a run that
  diverged), as ``torch.save`` keeps it. One array object at several places (an EMA copy
  that is the same Tensor, tied weights) is stored once and comes back one object at each
  place, as ``torch.load`` gives it: the same Tensor the same Tensor, and a Tensor's
  ``.data`` (glassnet's Tensor holds that array itself) the array that Tensor holds; two
  different arrays over one memory (a view, a slice) are stored each whole, and a dict or
  list met twice comes back as two equal copies (a state dict of one array at two names,
  ``{"w": t, "w_ema": t}``, is saved so too: gn.load reads it, load_weights does not; a
  model's ``state_dict()`` holds copies, never one array twice). The object may nest 198
  levels as the file stores it (a list or dict one level, a tuple two, a dict of int keys
  three, an array, a Tensor or an inf or NaN float one): deeper is refused, naming where;
* anything else (a function, a class of your own, a set) is refused, naming its key path
  (``'optimizer_state_dict.param_groups[0].params'``) and what to save in its place.

``save`` replaces a glassnet or safetensors file at ``path`` (atomically), but refuses to
write over any other file, such as a CSV file of data (a link is followed): delete it or
choose another path.
"""

from __future__ import annotations

import os
import re
import warnings
import weakref
from collections.abc import Mapping
from typing import Any

import numpy as np

from . import nn
from ._validation import user_level
from .backend import is_array
from .factories import get_rng_state, set_rng_state
from .io import (
    MAX_JSON_DEPTH,
    OPTIM_PREFIX,
    ModelFileError,
    ModelWriteError,
    Pipeline,
    clean_array,
    decode_state,
    encode_state,
    estimator_advice,
    finite_floats,
    foreign_file,
    in_the_way,
    load_checkpoint,
    load_file,
    oneline,
    refuse_replaced,
    save_arrays,
    save_checkpoint,
    save_model,
    to_json,
    too_deep,
    write_error,
    write_model,
)
from .nn.module import Module
from .tasks import check_weights_set
from .tensor import Tensor
from .torch_optim import state_dict_into
from .train import Callback, TrainState

__all__ = ["save", "load", "ModelCheckpoint"]

_KIND = "glassnet.save"  # (the description's key: what save wrote)


_OBJECT = "object"  # (the description's word for a nested dict, list or tuple: a checkpoint)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")  # (a key shown as .key in a key path)


def _key_path(parent: str, key: Any, index: bool = False) -> str:
    """The key path of ``key`` below ``parent`` as a PyTorch user reads it:
    ``optimizer_state_dict.param_groups[0].lr`` (a list's index, an int key and a key
    that is no name in brackets)."""
    if index or not isinstance(key, str):
        return f"{parent}[{key!r}]"
    if _NAME.match(key):
        return f"{parent}.{key}" if parent else key
    return f"{parent}[{key!r}]"


def _refusal(where: str, value: Any) -> str:
    """Why ``value`` at the key path ``where`` cannot be saved, and what to do instead."""
    given = f"{type(value).__module__}.{type(value).__qualname__}"
    at = f"{where!r}" if where else "the object"
    if isinstance(value, (type, np.dtype)):  # (a class: no instance's state_dict() to save)
        todo = (
            "a class or a dtype is no data: save its name in its place (value.__name__; "
            "np.dtype(value).name for a dtype) and look it up again after loading"
        )
    elif isinstance(value, Module):
        todo = "save its weights in its place, model.state_dict() (load_state_dict takes them)"
    elif callable(getattr(value, "state_dict", None)):  # (an optimizer, a scheduler)
        todo = "save its state_dict() in its place (its load_state_dict takes it)"
    elif isinstance(value, (set, frozenset)):
        todo = "save sorted(value) or list(value) in its place"
    elif type(value).__module__.split(".")[0] == "torch":
        todo = (
            "convert a torch.Tensor with .detach().cpu().numpy() (a PyTorch model's state "
            "dict goes into a glassnet model with glassnet.io.load_torch_state_dict)"
        )
    elif callable(value):
        todo = (
            "a function is code, which a glassnet file never holds (torch.save pickles it): "
            "leave it out and build it again in the script that loads"
        )
    else:
        todo = "convert it to those, or leave it out"
    shown = " ".join(repr(value).split())  # (cut at a space, marked: never "eps=1" of 1e-08)
    shown = shown if len(shown) <= 40 else shown[:40].rsplit(" ", 1)[0] + " …"
    return (
        f"save: {at} holds a {given} ({shown}), which a glassnet file cannot hold "
        "(it holds dicts, lists and tuples of arrays, Tensors, numbers, strings, bools and "
        f"None, never pickled objects): {todo}."
    )


#: How deeply the object may nest as the file stores it: the description holding it is
#: written as ``save_arrays``' meta, which nests at most ``MAX_JSON_DEPTH - 1`` levels, and
#: the object lies one level inside it.
_MAX_DEPTH = MAX_JSON_DEPTH - 2
_LEVELS = (
    "as stored, a list or dict takes one level, a tuple two, a dict of int keys three, and "
    "an array, a Tensor or an inf or NaN float one"
)


def _too_deep(where: str, depth: int | None) -> ValueError:
    """The refusal of an object that nests deeper than :data:`_MAX_DEPTH` at ``where``
    (``depth``: how deep it nests as stored, None where not yet counted)."""
    shown = where if len(where) <= 100 else f"{where[:60]}...{where[-36:]}"
    nests = "more than" if depth is None else f"{depth} levels, more than"
    return ValueError(
        f"save: {shown!r} lies deeper than a glassnet file holds: the object nests {nests} "
        f"the {_MAX_DEPTH} levels it holds ({_LEVELS}); flatten it (e.g. keep the deep part in "
        "a file of its own)."
    )


class _Seen:
    """What :func:`_plain` met already: each array object's clean copy (an array met again
    gives the same, which the file stores once) and each Tensor's index in the list of
    Tensor places (a Tensor met again is that one Tensor, given back once)."""

    def __init__(self) -> None:
        self.arrays: dict[int, tuple[Any, np.ndarray]] = {}  # (the original kept alive)
        self.tensors: dict[int, tuple[Tensor, int]] = {}

    def array(self, value: Any, where: str) -> np.ndarray:
        if id(value) not in self.arrays:
            self.arrays[id(value)] = (value, clean_array(value, where, nonfinite=True))
        return self.arrays[id(value)][1]


def _plain(
    value: Any,
    where: str,
    route: tuple,
    places: dict[str, list],
    within: set[int],
    seen: _Seen,
) -> Any:
    """``value`` as :func:`glassnet.io.encode_state` writes it (what a checkpoint's
    optimizer state holds), checked first so that a refusal names its key path: Tensors
    become their arrays, their places noted in ``places["tensors"]`` (``[route,
    requires_grad]``) and, for a Tensor met again, ``places["same_tensors"]`` (``[route,
    index of its first place]``); an array object met again is the same clean array."""
    if len(route) >= _MAX_DEPTH and (
        isinstance(value, (Tensor, Mapping, list, tuple)) or is_array(value)
    ):  # (a level of its own below _MAX_DEPTH others: refused before the call stack runs out)
        raise _too_deep(where, None)
    if isinstance(value, Tensor):
        if id(value) in seen.tensors:
            places["same_tensors"].append([list(route), seen.tensors[id(value)][1]])
        else:
            seen.tensors[id(value)] = (value, len(places["tensors"]))
            places["tensors"].append([list(route), bool(value.requires_grad)])
        return seen.array(value.data, f"save: {where or 'the Tensor'!r}")
    if is_array(value):
        return seen.array(value, f"save: {where or 'the array'!r}")
    if finite_floats(value):  # (a loss history: as it is, exactly, no walk per item)
        return list(value)
    if isinstance(value, (Mapping, list, tuple)):
        if id(value) in within:
            raise ValueError(
                f"save: {where or 'the object'!r} holds itself (a dict or list inside "
                "itself), which a file cannot: save a copy without the loop."
            )
        if type(value) not in (list, tuple) and not isinstance(value, Mapping):
            kind = "tuple" if isinstance(value, tuple) else "list"
            raise TypeError(
                f"save: {where or 'the object'!r} is a {type(value).__qualname__}, a {kind} "
                f"of a class of its own, which the file would give back as a plain {kind}: "
                f"save {kind}(value)"
                + (" or value._asdict()" if hasattr(value, "_asdict") else "")
                + " instead."
            )
        within.add(id(value))
        try:
            if isinstance(value, Mapping):
                out = {}
                for key, item in value.items():
                    if isinstance(key, (bool, np.bool_)) or not isinstance(
                        key, (str, int, np.integer)
                    ):
                        raise TypeError(
                            f"save: in {where or 'the dict'!r} the key {key!r:.40} is a "
                            f"{type(key).__name__}, not a str or int (a file's keys): name "
                            f"it with a string, e.g. {str(key)!r:.40}."
                        )
                    key = key if isinstance(key, str) else int(key)
                    out[key] = _plain(
                        item, _key_path(where, key), (*route, key), places, within, seen
                    )
                return out
            items = [
                _plain(item, _key_path(where, i, index=True), (*route, i), places, within, seen)
                for i, item in enumerate(value)
            ]
            return tuple(items) if isinstance(value, tuple) else items
        finally:
            within.discard(id(value))
    if value is None or isinstance(value, (bool, str, int, float, np.bool_, np.number)):
        if isinstance(value, np.complexfloating):
            raise TypeError(_refusal(where, value))
        if isinstance(value, np.floating) and value.dtype.itemsize > 8 and value == value:
            if np.longdouble(float(value)) != value:  # (1e400 would be inf, 1 + 2**-60 1.0)
                raise ValueError(
                    f"save: {where or 'the value'!r} is a NumPy longdouble ({value.dtype}), "
                    f"{value!r:.40}, which a float64 would change (to {float(value)!r}): "
                    "glassnet files hold float64 numbers; save float(value) if that is "
                    "meant, or str(value) for every digit."
                )
        # (huge ints refused; inf, -inf and NaN kept, as torch.save keeps a diverged loss)
        to_json(value, f"save: {where or 'the value'!r}", nonfinite=True, nan=True)
        return value
    raise TypeError(_refusal(where, value))


def _route_path(route: tuple) -> str:
    """The key path (:func:`_key_path`) of a route of ``(key, is_index)`` pairs."""
    where = ""
    for key, index in route:
        where = _key_path(where, key, index=index)
    return where


def _save_object(obj: Any, path: Any) -> None:
    """A nested dict, list or tuple (a PyTorch checkpoint's dict): its arrays as the
    file's tensors (an array object met twice stored once), the rest as the JSON of
    :func:`glassnet.io.save_checkpoint`'s optimizer state (NaN floats too), in a file of
    arrays (which may hold inf and NaN, as a state dict's)."""
    places: dict[str, list] = {"tensors": [], "same_tensors": []}
    seen = _Seen()
    try:
        plain = _plain(obj, "", (), places, set(), seen)
        arrays: dict[str, np.ndarray] = {}
        encoded = encode_state(
            plain, "save: the object", (), arrays, nonfinite=True, nan=True, shared={}
        )
    except RecursionError:  # (only where gn.save is called with little of the stack left)
        raise ValueError(
            f"save: Python's call stack ran out saving the object (which may nest {_MAX_DEPTH} "
            "levels): call gn.save from a shallower place in the program, or flatten the object."
        ) from None
    found = too_deep(encoded, _MAX_DEPTH)
    if found is not None:
        route, depth = found
        raise _too_deep(_route_path(route), depth)
    meta = {_KIND: _OBJECT, "value": encoded, "tensors": places["tensors"]}
    if places["same_tensors"]:
        meta["same_tensors"] = places["same_tensors"]
    save_arrays(path, arrays, meta=meta, replace_any=True, nonfinite=True)


_OBJECT_KEYS = ({_KIND, "value", "tensors"}, {_KIND, "value", "tensors", "same_tensors"})


def _load_object(arrays: dict, meta: Mapping, path: Any) -> Any:
    """What :func:`_save_object` wrote, Tensors where Tensors were and one object wherever
    one array or Tensor was; a file not as it writes them is refused as corrupt."""
    source = f"'{os.fspath(path)}'"
    used: set[str] = set()
    try:
        if set(meta) not in _OBJECT_KEYS:
            raise ValueError(f"its description holds the keys {sorted(meta)!r:.80}")
        if any(not name.startswith(OPTIM_PREFIX) for name in arrays):
            raise ValueError("a tensor's name does not start with 'optim/'")
        value = decode_state(meta["value"], arrays, used, nan=True, shared=True)
        if len(used) != len(arrays):
            raise ValueError("a tensor belongs to no entry")
        same = meta.get("same_tensors")
        if "same_tensors" in meta and not (isinstance(same, list) and same):
            raise ValueError(f"its list of Tensors met again {same!r:.60} is no list of places")
        value = _tensors_back(value, meta["tensors"], same or [])
    except (ValueError, TypeError, RecursionError) as exc:
        raise ModelFileError(
            f"{source}: the object gn.save wrote is inconsistent ({oneline(exc)}); the file "
            "is corrupt"
        ) from None
    return value


def _route(place: Any, second: type) -> tuple | None:
    """The route of ``place`` when it is ``[route, second]`` (a list of str or int keys and
    a ``second``), else None."""
    if not (
        isinstance(place, list)
        and len(place) == 2
        and isinstance(place[0], list)
        and isinstance(place[1], second)
        and (second is bool or not isinstance(place[1], bool))
        and all(isinstance(k, (str, int)) and not isinstance(k, bool) for k in place[0])
    ):
        return None
    return tuple(place[0])


def _tensor_of(array: np.ndarray, requires_grad: bool, where: str = "") -> Tensor:
    """The Tensor of a file's ``array``; a ValueError for one not of float32 or float64,
    which gn.save never writes (converting it would lose digits: 2**60 + 1)."""
    if array.dtype not in (np.float32, np.float64):
        raise ValueError(
            f"the Tensor{where} is stored as {array.dtype}; gn.save writes a Tensor's "
            "values as float32 or float64"
        )
    return Tensor(array, requires_grad=requires_grad)


def _tensors_back(value: Any, places: Any, same: list) -> Any:
    """``value`` with a Tensor (``requires_grad`` as saved) at each of ``places``
    (``[route, requires_grad]``, each an array there), and at each of ``same`` (``[route,
    i]``) the Tensor of ``places[i]`` itself, as :func:`_plain` notes them: each route
    once, each named, a Tensor met again after its first place and over its array."""
    if not isinstance(places, list):
        raise ValueError(f"its list of Tensors {places!r:.60} is not a list")
    wanted: dict[tuple, bool] = {}
    again: dict[tuple, int] = {}
    for place in places:
        route = _route(place, bool)
        if route is None:
            raise ValueError(f"a Tensor's place {place!r:.60} is not [route, requires_grad]")
        if route in wanted:
            raise ValueError(f"the Tensor's place {list(route)!r:.60} is listed twice")
        wanted[route] = place[1]
    for place in same:
        route = _route(place, int)
        if route is None or not 0 <= place[1] < len(places):
            raise ValueError(f"a Tensor's place {place!r:.60} is not [route, its Tensor's index]")
        if route in wanted or route in again:
            raise ValueError(f"the Tensor's place {list(route)!r:.60} is listed twice")
        again[route] = place[1]
    made: dict[int, Tensor] = {}
    order = {route: i for i, route in enumerate(wanted)}
    found = 0

    def back(node: Any, route: tuple) -> Any:
        nonlocal found
        if route in wanted:
            if not isinstance(node, np.ndarray):
                raise ValueError(f"a Tensor's place {list(route)!r:.60} holds no array")
            found += 1
            made[order[route]] = _tensor_of(node, wanted[route], f" at {list(route)!r:.60}")
            return made[order[route]]
        if route in again:  # (the writer notes a Tensor's first place first)
            first = made.get(again[route])
            if first is None or first.data is not node:
                raise ValueError(
                    f"the place {list(route)!r:.60} of a Tensor met again holds another array "
                    "or comes before the Tensor's first place"
                )
            found += 1
            return first
        if isinstance(node, dict):
            return {k: back(v, (*route, k)) for k, v in node.items()}
        if isinstance(node, (list, tuple)):
            items = [back(v, (*route, i)) for i, v in enumerate(node)]
            return tuple(items) if isinstance(node, tuple) else items
        return node

    value = back(value, ())
    if found != len(wanted) + len(again):
        raise ValueError("a Tensor's place names no entry")
    return value


def _glassnets(model: Module) -> list[str]:
    """The class names in ``model`` that are not glassnet's own layers (subclasses too)."""
    return [
        type(m).__name__
        for m in model.modules()
        if getattr(nn, type(m).__name__, None) is not type(m)
    ]


def _writable(path: Any) -> None:
    """Refuse to write over an existing file that is not glassnet's or safetensors', before
    anything else is done (the writers are then told not to look again: replace_any)."""
    kind = foreign_file(path)
    if kind is not None:  # (as save_model refuses it: a ModelFileError, so a ValueError)
        raise write_error(
            f"save: '{os.fspath(path)}' is a {kind} file, not a glassnet file "
            f"({in_the_way(path)}): save would replace it. Delete it, or choose another path.",
            path,
        )


def save(obj: Any, path: str | os.PathLike[str]) -> None:
    """Write ``obj`` (a state dict, a model of glassnet's layers, a Tensor, or dicts, lists
    and tuples of those, numbers and strings: PyTorch's checkpoint dict) to ``path``,
    atomically, as a glassnet file: see the module's docstring. A model's dropout keeps its
    int seed, not its stream's position: the loaded model's masks start again from the seed
    (:class:`glassnet.nn.Dropout`; a pickle keeps the position)."""
    if isinstance(obj, (str, os.PathLike)) and not isinstance(path, (str, os.PathLike)):
        raise TypeError("save(obj, path): the object to save comes first, then the path.")
    _writable(path)
    if isinstance(obj, Pipeline):  # (gn.load's value for a 'glassnet train' file: the same file)
        save_model(obj, path, replace_any=True)
        return
    if isinstance(obj, Module):
        check_weights_set(obj, "save")
        foreign = _glassnets(obj)
        held = f" holding a {foreign[0]}" if foreign and foreign[0] != type(obj).__name__ else ""
        what = f"{type(obj).__name__}{held} (a class of your own)"
        try:
            obj.config()
        except NotImplementedError:  # (a container: ModuleList, ModuleDict, no description)
            if not foreign:
                foreign, what = [type(obj).__name__], f"{type(obj).__name__} (a container)"
        if foreign:
            raise TypeError(
                f"save: a {what} cannot be rebuilt from a file of arrays (torch.save pickles "
                "its code; glassnet's files hold none): save its weights, gn.save(model."
                "state_dict(), path), and load them into a new one, model.load_state_dict("
                "gn.load(path))."
            )
        refuse_replaced(obj, "save")
        try:  # (what load would build: the same layers?)
            rebuilt: Module | None = nn.from_config(obj.config())
        except (TypeError, ValueError):  # (a module the description cannot name: a loss)
            rebuilt = None
        if (
            rebuilt is None
            or list(rebuilt.state_dict()) != list(obj.state_dict())
            or len(list(rebuilt.modules())) != len(list(obj.modules()))
        ):
            raise TypeError(
                f"save: this {type(obj).__name__} cannot be rebuilt from its description (a "
                "layer used twice, or a module that is no layer, such as a loss): save its "
                "weights, gn.save(model.state_dict(), path), and load them into a new one."
            )
        modes = [m.training for m in obj.modules()]
        frozen = [name for name, p in obj.named_parameters() if not p.requires_grad]
        record = {"training": modes, "frozen": frozen}  # (as earlier glassnet's load reads it)
        write_model(obj, path, meta=None, replace_any=True, saved_by=record)
        return
    if isinstance(obj, Tensor):
        meta = {_KIND: "tensor", "requires_grad": bool(obj.requires_grad)}
        save_arrays(
            path, {"tensor": np.asarray(obj.data)}, meta=meta, replace_any=True, nonfinite=True
        )
        return
    flat = isinstance(obj, Mapping) and all(
        isinstance(name, str) and (isinstance(value, Tensor) or is_array(value))
        for name, value in obj.items()
    )
    if flat:  # (one array at two names, {"w": t, "w_ema": t}: stored once, as an object is)
        held_arrays = [v.data if isinstance(v, Tensor) else v for v in obj.values()]
        flat = len({id(a) for a in held_arrays}) == len(held_arrays)
    if flat:  # (a state dict: a file of its arrays by name, as load_weights reads)
        arrays: dict[str, np.ndarray] = {}
        held = [[[name], bool(v.requires_grad)] for name, v in obj.items() if isinstance(v, Tensor)]
        for name, value in obj.items():
            arrays[name] = value.data if isinstance(value, Tensor) else value
        try:
            meta = {
                _KIND: "state_dict",
                "order": list(arrays),
                **({"tensors": held} if held else {}),
            }
            save_arrays(path, arrays, meta=meta, replace_any=True, nonfinite=True)
        except ModelWriteError:  # (the path refused: as it is, its errno and filename)
            raise
        except (TypeError, ValueError) as e:  # (io names its own argument, 'arrays')
            raise type(e)(
                str(e).replace("'arrays'", "the state dict").replace("arrays[", "[")
            ) from None
        return
    if (
        isinstance(obj, (Mapping, list, tuple))
        or obj is None
        or isinstance(obj, (bool, str, int, float, np.bool_, np.number))
        or is_array(obj)
    ):  # (a PyTorch checkpoint's dict of state dicts, numbers and strings; an array alone)
        _save_object(obj, path)
        return
    advice = estimator_advice(obj, "gn.save")
    if advice.startswith(" ("):  # (a scikit-learn estimator: how to keep it)
        raise TypeError(
            "save takes a state dict, a model of glassnet's layers, a Tensor, or dicts, lists "
            "and tuples of those, numbers and strings (glassnet's files hold arrays and JSON, "
            f"never pickled objects). Got {type(obj).__name__}{advice}."
        )
    raise TypeError(_refusal("", obj))


class _Storage:
    """The stand-in storage a ``map_location`` callable is called with (:func:`_on_host`):
    PyTorch calls it with each storage, loaded on the CPU, and its saved location. It answers
    what a CPU storage answers (``device``, ``nbytes()``, ``size()``, ``cpu()``,
    ``to("cpu")``); a callable that gives it back (or its ``cpu()``, or None: PyTorch's
    "where it was saved", the CPU for a glassnet file) keeps it on the CPU. Asked to move to
    a GPU (``.cuda()``, ``.to("cuda")``), it says so: :class:`_ToGpu`."""

    is_cuda = False

    def __init__(self) -> None:
        self.moved_to: str | None = None  # (the GPU it was asked to move to)

    def cpu(self) -> _Storage:
        return self

    def nbytes(self) -> int:
        return 0

    def size(self) -> int:
        return 0

    def element_size(self) -> int:
        return 1

    def type(self, *args: Any, **kwargs: Any) -> Any:
        return "torch.UntypedStorage" if not args and not kwargs else self

    def cuda(self, device: Any = None, *args: Any, **kwargs: Any) -> _Storage:
        name = _device_name(device)
        self.moved_to = (
            "cuda" if name is None else f"cuda:{name}" if isinstance(name, int) else str(name)
        )
        return self

    def to(self, *args: Any, **kwargs: Any) -> _Storage:
        where = kwargs.get("device", args[0] if args else None)
        name = _device_name(where)
        if not (where is None or (isinstance(name, str) and _CPU.match(name))):
            self.moved_to = str(name)
        return self

    def __repr__(self) -> str:
        return "<glassnet's stand-in for a CPU storage>"


class _Device:
    """``torch.device("cpu")`` as the stand-in storage's ``device`` answers it."""

    type = "cpu"
    index = None

    def __str__(self) -> str:
        return "cpu"

    def __repr__(self) -> str:
        return "device(type='cpu')"

    def __eq__(self, other: object) -> bool:
        return str(other) == "cpu"

    def __hash__(self) -> int:
        return hash("cpu")


_Storage.device = _Device()  # type: ignore[attr-defined]


_CPU = re.compile(r"cpu(:\d+)?\Z")  # ('cpu', 'cpu:0': PyTorch's names of the CPU)


def _device_name(where: Any) -> Any:
    """A device as its name: ``torch.device("cpu")`` as ``'cpu'`` (a str, or what was given)."""
    return str(where) if isinstance(getattr(where, "type", None), str) else where


def _on_host(map_location: Any) -> str | None:
    """Why ``map_location`` does not mean "onto the CPU" (None when it does): PyTorch's
    None, ``"cpu"``, ``"cpu:0"``, ``torch.device("cpu")``, a dict mapping saved locations to
    the CPU (``{"cuda:0": "cpu"}``), or a callable that keeps each storage where it is loaded,
    on the CPU (``lambda storage, loc: storage``: called once with a stand-in storage)."""
    where = _device_name(map_location)
    if where is None or (isinstance(where, str) and _CPU.match(where)):
        return None
    if isinstance(where, Mapping):
        for saved, to in where.items():
            name = _device_name(to)
            if not (isinstance(name, str) and _CPU.match(name)):
                return f"it maps {saved!r:.30} to {to!r:.30}, not to the CPU"
        return None
    if callable(where) and not isinstance(where, type):
        probe = _Storage()
        try:
            kept = where(probe, "cpu")
        except Exception as exc:  # (a mistake in the callable: its own error, named)
            said = (
                f"load: map_location={map_location!r:.60}, called as PyTorch calls it (with "
                f"glassnet's stand-in for a CPU storage, and its location 'cpu'), raised "
                f"{type(exc).__name__}: "
                f"{oneline(exc)}"
            )
            try:
                again = type(exc)(said)
            except Exception:  # (an error class that takes other arguments: as it was)
                exc.add_note(said)
                raise
            raise again from exc
        if probe.moved_to is not None:
            return f"it moves the storage to {probe.moved_to!r}"
        if kept is not None and kept is not probe:
            return f"it gives back a {type(kept).__name__}, not the storage it is called with"
        return None
    return "not a name of the CPU"


def _check_load_args(map_location: Any, weights_only: Any, mmap: Any) -> None:
    """PyTorch's ``torch.load`` arguments: ``map_location`` any of PyTorch's ways to say
    "onto the CPU" (:func:`_on_host`), since what load gives is NumPy arrays on the host
    (move the model afterwards, ``model.to(device)``); ``weights_only`` any bool, as a glassnet
    file holds arrays and JSON only and runs no code either way; ``mmap`` None or False."""
    why = _on_host(map_location)
    if why is not None:
        raise ValueError(
            f"load: map_location={map_location!r:.60} is not taken ({why}): glassnet's load "
            "gives NumPy arrays on the host; pass map_location='cpu' (or None, or PyTorch's "
            "{'cuda:0': 'cpu'}), then move the model with model.to(device) (or fit(device=))."
        )
    if weights_only is not None and not isinstance(weights_only, (bool, np.bool_)):
        raise TypeError(
            f"load: weights_only must be True, False or None. Got {weights_only!r:.40}."
        )
    if mmap not in (None, False):
        raise ValueError(
            f"load: mmap={mmap!r:.40} is not taken: a glassnet file is read whole (each tensor's "
            "bytes checked); pass mmap=None or leave it out."
        )


def load(
    path: str | os.PathLike[str],
    map_location: Any = None,
    *,
    weights_only: bool | None = None,
    mmap: bool | None = None,
) -> Any:
    """What :func:`save` wrote to ``path`` (a state dict of arrays, a model, a Tensor, a
    checkpoint dict of them); a
    file of :func:`glassnet.io.save_model` gives its model, a checkpoint of
    :func:`glassnet.io.save_checkpoint` ``{"model", "optimizer", "meta"}``, any other glassnet
    or safetensors file of arrays its arrays by name. PyTorch's ``map_location`` (any that
    means the CPU: None, "cpu", "cpu:0", ``torch.device("cpu")``, ``{"cuda:0": "cpu"}``, or
    ``lambda storage, loc: storage``; the arrays are NumPy's, so a GPU is refused: move the
    model afterwards), ``weights_only`` (either way: the file holds no code to
    run) and ``mmap`` (None or False) are taken, as ``torch.load(path, map_location="cpu",
    weights_only=True)`` reads. The file is opened and read once
    (:func:`glassnet.io.load_file`): one replaced while it is loaded gives the version that
    was opened, whole."""
    _check_load_args(map_location, weights_only, mmap)
    # one open and one read: asking the file's kind first and then reading it with that
    # kind's loader read it twice (three times for a model), and a file replaced in between
    # gave one version's model with another's modes, or a confusing error
    kind, value, saved = load_file(path)
    if kind == "model":  # (in the mode it was saved in, its frozen parameters frozen again:
        return value  # glassnet.io.load_file restores them, as load_model does)
    if kind == "checkpoint":
        return {"model": value.model_state, "optimizer": value.optimizer_state, "meta": saved}
    arrays, meta = value, saved
    what = meta.get(_KIND) if isinstance(meta, Mapping) else None
    if what == "tensor" and "tensor" in arrays:
        try:
            return _tensor_of(arrays["tensor"], bool(meta.get("requires_grad", False)))
        except ValueError as exc:
            raise ModelFileError(f"'{os.fspath(path)}': {exc}; the file is corrupt") from None
    if what == _OBJECT:  # (a nested dict, list or tuple: a checkpoint's)
        return _load_object(arrays, meta, path)
    order = meta.get("order") if what == "state_dict" else None
    if isinstance(order, list) and sorted(order) == sorted(arrays):
        state = {name: arrays[name] for name in order}
        if "tensors" in meta:  # (its Tensors as Tensors)
            try:
                return _tensors_back(state, meta["tensors"], [])
            except ValueError as exc:
                raise ModelFileError(
                    f"'{os.fspath(path)}': the state dict's list of Tensors is inconsistent "
                    f"({oneline(exc)}); the file is corrupt"
                ) from None
        return state
    return dict(arrays)


# ------------------------------------------------------------------ the checkpoint callback
def _module_rngs(model: Any) -> dict[str, Any]:
    """The NumPy generators of ``model``'s modules (a ``Dropout(p, rng=7)``'s, an
    ``MLP(dropout=, rng=0)``'s), by module name: their bit generators' states."""
    return {
        name or "model": m.rng.bit_generator.state
        for name, m in model.named_modules()
        if isinstance(getattr(m, "rng", None), np.random.Generator)
    }


#: The stopping rules' books that :meth:`ModelCheckpoint.restore` read, by model, for the
#: ModelCheckpoint given to that model's resumed fit to put back at its start.
_RESUMED: weakref.WeakKeyDictionary[Any, tuple[int, list]] = weakref.WeakKeyDictionary()


class ModelCheckpoint(Callback):
    """A callback of :func:`glassnet.fit` that writes a checkpoint to ``path`` every
    ``every`` epochs, after the run's last epoch, and, after Ctrl-C (which may land within
    an epoch), the last whole epoch's: the model's weights, the optimizer's state, the
    ``schedule``'s (when given), the epoch, glassnet's default generator
    (:func:`glassnet.get_rng_state`), the generators of the model's seeded modules
    (``Dropout(p, rng=7)``) and the books of the run's stopping rules (fit's own rule
    from ``early_stopping`` or ``tol``, the ``stop_rules`` given, ``tol_weights``'s: their
    ``state_dict()``, the best loss, the count of epochs without improvement, the best
    weights). Each write is atomic (a crash leaves the old file or the new one, whole).
    It is what ``glassnet train --checkpoint-every N`` writes its checkpoints with (its own
    subclass, which keeps the command line's run state and early stopping's books in its
    own layout).

    The rules' books go back into the resumed run's rules at its start: :meth:`restore`
    reads them, and the ModelCheckpoint given to the model's next fit (this object or
    another, at any path) puts them into that fit's rules, when it resumes at the restored
    epoch and its rules are of the same types, in the same order (else a UserWarning says
    they start afresh). A stopping rule without ``state_dict()`` (a rule of your own in
    ``stop_rules``) is not saved: it starts afresh in the resumed run, which then differs
    from the uninterrupted one wherever that rule's books would have decided a stop.

    Between writes the last whole epoch is kept in memory: two sets of copies of the
    weights and the optimizer's buffers, made once and refreshed in turn with np.copyto.

    The resume, bit for bit the uninterrupted run, early stopping included (the same data
    and settings, and a ``seed`` that is an int or a function of the epoch, so that each
    epoch draws its own batches)::

        model, opt = build()                      # as the first run built them
        sched = glassnet.schedules.StepLR(opt, step_size=10)
        epoch = glassnet.ModelCheckpoint.restore("run.ckpt", model, opt, sched)
        glassnet.fit(model, X, y, optimizer=opt, schedule=sched, epochs=100,
                     initial_epoch=epoch, seed=0, validation_split=0.2, early_stopping=True,
                     callbacks=[glassnet.ModelCheckpoint("run.ckpt", every=5, schedule=sched)])

    Parameters
    ----------
    path : str or os.PathLike
        The checkpoint file, in an existing folder (else a ModelWriteError at once); replaced
        at each write. It is glassnet's checkpoint format whatever the name (``.ckpt`` by
        convention; :func:`glassnet.io.load_checkpoint` reads it).
    every : int >= 1, default 1
        Write every that many epochs (counted from the run's start, ``initial_epoch``
        included); the last epoch and an interrupted run's last whole epoch are written too.
    schedule : an LR schedule, optional
        The schedule given to fit, whose ``state_dict()`` the checkpoint keeps.
    epochs : int, optional
        The run's last epoch (fit's ``epochs``): written at its end. Without it the last
        epoch is written when the run ends (``on_train_end``).
    """

    FORMAT = "glassnet-checkpoint"  # (the meta's "format": what restore reads)

    def __init__(
        self, path: Any, every: int = 1, *, schedule: Any = None, epochs: int | None = None
    ) -> None:
        if isinstance(every, bool) or not isinstance(every, (int, np.integer)) or every < 1:
            raise ValueError(
                f"ModelCheckpoint: 'every' must be an int >= 1 (epochs between writes); got "
                f"{every!r}."
            )
        if schedule is not None and not callable(getattr(schedule, "state_dict", None)):
            raise TypeError(
                "ModelCheckpoint: 'schedule' must be the LR schedule given to fit (it has a "
                f"state_dict()); got {type(schedule).__name__}."
            )
        folder = os.path.dirname(os.path.abspath(os.fspath(path)))
        if not os.path.isdir(folder):
            raise ModelWriteError(
                f"ModelCheckpoint: the folder of path '{os.fspath(path)}' ('{folder}') is "
                f"missing: create it first (os.makedirs('{folder}')), or give a path in an "
                "existing folder."
            )
        self.path, self.every, self.schedule, self.last = path, int(every), schedule, epochs
        self.kept: tuple[Any, ...] | None = None
        self._sets: list[tuple[dict[str, np.ndarray], dict[str, Any]] | None] = [None, None]
        self._params: list[tuple[str, Any]] | None = None
        self._names: list[str] = []
        self._plain = False  # (the model's state is its parameters alone)

    def _copy_weights(
        self, model: Any, kept: dict[str, np.ndarray] | None
    ) -> dict[str, np.ndarray]:
        if self._params is None:  # (the parameters stay; their arrays are read each time)
            self._params = list(model.named_parameters())
            self._names = [k for k, _ in self._params] + [k for k, _ in model.named_buffers()]
            self._plain = set(model.state_dict()) == set(self._names[: len(self._params)])
        if kept is None or not self._plain:  # (buffers too: state_dict reads them anew)
            return model.state_dict()
        for k, p in self._params:
            np.copyto(kept[k], p.data)
        return kept

    def on_train_begin(self, state: TrainState) -> None:
        # a new run (another model, perhaps): nothing of the last one's kept or cached
        self.kept, self._sets, self._params = None, [None, None], None
        epoch, books = _RESUMED.pop(state.model, (None, None))
        if books is None or epoch != state.epoch:  # (a restore this run does not resume)
            return
        rules = [r for r in state.rules if callable(getattr(r, "load_state_dict", None))]
        if [type(r).__name__ for r in rules] != [kind for kind, _ in books]:
            warnings.warn(
                f"ModelCheckpoint: the checkpoint restored holds the books of the stopping "
                f"rules {[kind for kind, _ in books]}, and this run stops by "
                f"{[type(r).__name__ for r in rules]}: its rules start afresh. Give fit the "
                "first run's (early_stopping=, tol=, stop_rules=, tol_weights=) to resume "
                "those too.",
                UserWarning, stacklevel=user_level(),
            )  # fmt: skip
            return
        for rule, (_, book) in zip(rules, books):
            rule.load_state_dict(book)
            rule.on_train_begin(state)  # (its start again, from its books: the best epoch)

    def kept_extra(self, state: TrainState, last: bool) -> tuple[Any, ...]:
        """What a checkpoint keeps of epoch ``state.epoch`` besides the weights and the
        optimizer's state (a subclass's own: the command line's run state)."""
        schedule = None if self.schedule is None else self.schedule.state_dict()
        books = [(type(r).__name__, r.state_dict()) for r in state.rules
                 if callable(getattr(r, "state_dict", None))]  # fmt: skip
        return state.epoch, schedule, get_rng_state(), _module_rngs(state.model), books

    def on_epoch_end(self, state: TrainState) -> None:
        last = state.epoch == self.last
        spare = 1 if self.kept is not None and self.kept[0] is self._sets[0] else 0
        weights, opt = self._sets[spare] or (None, None)
        copies = (self._copy_weights(state.model, weights),
                  state_dict_into(state.optimizer, opt))  # fmt: skip
        self._sets[spare] = copies
        self.kept = (copies, *self.kept_extra(state, last))
        if state.epoch % self.every == 0 or last or state.stop:
            self.write_kept()

    def on_train_end(self, state: TrainState) -> None:
        self.write_kept()  # (the last whole epoch, when no write took it yet)

    def write_kept(self) -> int | None:
        """Write the kept checkpoint unless written already; its epoch, or None if none."""
        if self.kept is None:
            return None
        epoch = self.write(*self.kept)
        self.kept = None  # (only once written: Ctrl-C within the write leaves it to retry)
        return epoch

    def write(
        self, copies: tuple, epoch: int, schedule: Any, rng: Any, rngs: Any, books: list
    ) -> int:
        """Write one checkpoint (atomically); its epoch."""
        weights, optimizer = copies
        state = {"optimizer": optimizer, "schedule": schedule, "rng": rng, "module_rngs": rngs,
                 "stop_rules": books}  # fmt: skip
        save_checkpoint(
            self.path, weights, state, {"format": self.FORMAT, "epoch": int(epoch)},
            replace_any=True,
        )  # fmt: skip
        return int(epoch)

    @classmethod
    def restore(cls, path: Any, model: Any, optimizer: Any, schedule: Any = None) -> int:
        """Load a checkpoint this callback wrote into ``model``, ``optimizer`` and
        ``schedule`` (each built as the first run built it), and put back glassnet's
        default generator and the model's seeded modules' generators; returns its epoch,
        fit's ``initial_epoch``. The stopping rules' books it holds go into the rules of
        the model's next fit resumed at that epoch, by the ModelCheckpoint given to it."""
        ck = load_checkpoint(path)
        if not isinstance(ck.meta, dict) or ck.meta.get("format") != cls.FORMAT:
            raise ModelFileError(
                f"'{path}' is not a checkpoint of glassnet.ModelCheckpoint (a glassnet train "
                "checkpoint resumes with 'glassnet train ... --resume'; one of "
                "glassnet.io.save_checkpoint reads with glassnet.io.load_checkpoint)."
            )
        saved = ck.optimizer_state
        if (saved.get("schedule") is None) != (schedule is None):
            has = "holds a schedule's state" if schedule is None else "holds no schedule"
            raise ValueError(
                f"ModelCheckpoint.restore: '{path}' {has}; pass the schedule the run was "
                "given (built on this optimizer), or none, as the first run did."
            )
        rngs = _module_rngs(model)
        if set(rngs) != set(saved.get("module_rngs") or {}):
            raise ValueError(
                f"ModelCheckpoint.restore: '{path}' holds the generators of the modules "
                f"{sorted(saved.get('module_rngs') or {})}; this model's seeded modules are "
                f"{sorted(rngs)}: build the model as the first run built it."
            )
        model.load_state_dict(ck.model_state)
        optimizer.load_state_dict(saved["optimizer"])
        if schedule is not None:
            schedule.load_state_dict(saved["schedule"])
        set_rng_state(saved["rng"])
        modules = dict(model.named_modules())
        for name, st in (saved.get("module_rngs") or {}).items():
            modules["" if name == "model" else name].rng.bit_generator.state = st
        _RESUMED[model] = (int(ck.meta["epoch"]), saved.get("stop_rules"))
        return int(ck.meta["epoch"])
