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
  your class's code (torch.save pickles it);
* a Tensor (a Parameter too): a Tensor of the same values (inf and NaN too),
  ``requires_grad`` as saved (no graph, as PyTorch's);
* a :class:`glassnet.io.Pipeline` (what ``load`` gives for a ``glassnet train`` file): that
  model file again, its network and its preprocessing;
* a checkpoint file of :func:`glassnet.io.save_checkpoint`: ``{"model": state dict,
  "optimizer": its state dict, "meta": ...}``, as a PyTorch checkpoint dict reads;
* anything else (an optimizer's nested state, a list, a number) is refused, naming
  :func:`glassnet.io.save_checkpoint` for training state.

``save`` replaces a glassnet or safetensors file at ``path`` (atomically), but refuses to
write over any other file, such as a CSV file of data (a link is followed): delete it or
choose another path.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from . import nn
from .io import (
    ModelFileError,
    Pipeline,
    estimator_advice,
    foreign_file,
    load_file,
    save_arrays,
    save_model,
)
from .nn.module import Module
from .tensor import Tensor

__all__ = ["save", "load"]

_KIND = "glassnet.save"  # (the description's key: what save wrote)


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
    if kind is not None:
        raise ValueError(
            f"save: '{os.fspath(path)}' is a {kind} file, not a glassnet file (data of yours: "
            "a CSV file, a NumPy file): save would replace it. Delete it, or choose another path."
        )


def save(obj: Any, path: str | os.PathLike[str]) -> None:
    """Write ``obj`` (a state dict, a model of glassnet's layers, or a Tensor) to ``path``,
    atomically, as a glassnet file: see the module's docstring."""
    if isinstance(obj, (str, os.PathLike)) and not isinstance(path, (str, os.PathLike)):
        raise TypeError("save(obj, path): the object to save comes first, then the path.")
    _writable(path)
    if isinstance(obj, Pipeline):  # (gn.load's value for a 'glassnet train' file: the same file)
        save_model(obj, path, replace_any=True)
        return
    if isinstance(obj, Module):
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
        save_model(obj, path, meta={_KIND: {"training": modes, "frozen": frozen}}, replace_any=True)
        return
    if isinstance(obj, Tensor):
        meta = {_KIND: "tensor", "requires_grad": bool(obj.requires_grad)}
        save_arrays(
            path, {"tensor": np.asarray(obj.data)}, meta=meta, replace_any=True, nonfinite=True
        )
        return
    if isinstance(obj, Mapping):
        arrays: dict[str, np.ndarray] = {}
        for name, value in obj.items():
            value = value.data if isinstance(value, Tensor) else value
            if not isinstance(name, str):  # (the value is not what is wrong: say so)
                raise TypeError(
                    "save: a dict is saved as a state dict, names (str) to arrays or Tensors; "
                    f"the key {name!r:.40} is a {type(name).__name__}, not a str: name it with "
                    f"a string, e.g. {str(name)!r:.40}."
                )
            if not isinstance(value, np.ndarray):
                torch = type(value).__module__.split(".")[0] == "torch"
                hint = (
                    " (a torch.Tensor: give value.detach().numpy(), or load a PyTorch state dict "
                    "into a glassnet model with glassnet.io.load_torch_state_dict)"
                    if torch
                    else ""
                )
                raise TypeError(
                    "save: a dict is saved as a state dict, names (str) to arrays or Tensors; "
                    f"{name!r:.40} holds {type(value).__module__}.{type(value).__name__}{hint}."
                    " An optimizer's state or a training run's goes with glassnet.io."
                    "save_checkpoint(path, model.state_dict(), optimizer.state_dict())."
                )
            arrays[name] = value
        try:
            meta = {_KIND: "state_dict", "order": list(arrays)}
            save_arrays(path, arrays, meta=meta, replace_any=True, nonfinite=True)
        except (TypeError, ValueError) as e:  # (io names its own argument, 'arrays')
            raise type(e)(
                str(e).replace("'arrays'", "the state dict").replace("arrays[", "[")
            ) from None
        return
    advice = estimator_advice(obj, "gn.save")
    if advice.startswith(" ("):  # (a scikit-learn estimator: how to keep it)
        raise TypeError(
            "save takes a state dict, a model of glassnet's layers or a Tensor (glassnet's "
            f"files hold arrays and JSON, never pickled objects). Got {type(obj).__name__}"
            f"{advice}."
        )
    raise TypeError(
        f"save takes a state dict, a model of glassnet's layers or a Tensor. Got "
        f"{type(obj).__name__}: glassnet's files hold arrays and JSON, never pickled objects."
    )


def _check_load_args(map_location: Any, weights_only: Any, mmap: Any) -> None:
    """PyTorch's ``torch.load`` arguments: ``map_location`` the host ("cpu", a
    ``torch.device("cpu")`` or None) only, since what load gives is NumPy arrays (move the
    model afterwards, ``model.to(device)``); ``weights_only`` any bool, as a glassnet file
    holds arrays and JSON only and runs no code either way; ``mmap`` None or False."""
    where = map_location
    where = str(where) if isinstance(getattr(where, "type", None), str) else where
    if where is not None and where != "cpu":
        raise ValueError(
            f"load: map_location={map_location!r:.60} is not taken: glassnet's load gives NumPy "
            "arrays on the host (map_location='cpu' or None). Load, then move the model with "
            "model.to(device) (or fit(device=))."
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
    """What :func:`save` wrote to ``path`` (a state dict of arrays, a model, a Tensor); a
    file of :func:`glassnet.io.save_model` gives its model, a checkpoint of
    :func:`glassnet.io.save_checkpoint` ``{"model", "optimizer", "meta"}``, any other glassnet
    or safetensors file of arrays its arrays by name. PyTorch's ``map_location`` ("cpu" or
    None: the arrays are NumPy's), ``weights_only`` (either way: the file holds no code to
    run) and ``mmap`` (None or False) are taken, as ``torch.load(path, map_location="cpu",
    weights_only=True)`` reads. The file is opened and read once
    (:func:`glassnet.io.load_file`): one replaced while it is loaded gives the version that
    was opened, whole."""
    _check_load_args(map_location, weights_only, mmap)
    # one open and one read: asking the file's kind first and then reading it with that
    # kind's loader read it twice (three times for a model), and a file replaced in between
    # gave one version's model with another's modes, or a confusing error
    kind, value, saved = load_file(path)
    if kind == "model":
        model = value
        state = saved.get(_KIND) if isinstance(saved, Mapping) else None
        if state is None:  # (a file of glassnet.io.save_model: no mode or frozen parameters)
            return model
        names = [name for name, _ in model.named_parameters()]
        modes = state.get("training", []) if isinstance(state, Mapping) else None
        frozen = state.get("frozen", []) if isinstance(state, Mapping) else None
        if not (
            isinstance(modes, list)
            and all(isinstance(mode, bool) for mode in modes)
            and len(modes) <= len(list(model.modules()))
            and isinstance(frozen, list)
            and all(isinstance(name, str) and name in names for name in frozen)
        ):
            raise ModelFileError(
                f"'{os.fspath(path)}': the modes and frozen parameters saved with the model "
                f"({_KIND!r}: {state!r:.80}) are not those gn.save writes (a list of True/False "
                "per module, a list of the model's parameter names); the file is corrupt"
            )
        for m, mode in zip(model.modules(), modes):  # (the mode it was saved in)
            m.training = mode
        for name, p in model.named_parameters():  # (its frozen parameters frozen again)
            if name in frozen:
                p.requires_grad_(False)
        return model
    if kind == "checkpoint":
        return {"model": value.model_state, "optimizer": value.optimizer_state, "meta": saved}
    arrays, meta = value, saved
    what = meta.get(_KIND) if isinstance(meta, Mapping) else None
    if what == "tensor" and "tensor" in arrays:
        return Tensor(arrays["tensor"], requires_grad=bool(meta.get("requires_grad", False)))
    order = meta.get("order") if what == "state_dict" else None
    if isinstance(order, list) and sorted(order) == sorted(arrays):
        return {name: arrays[name] for name in order}
    return dict(arrays)
