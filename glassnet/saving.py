"""PyTorch's ``torch.save``/``torch.load`` habit, on glassnet's safe files (safetensors: arrays
and JSON, never pickle, so loading a file runs no code).

    gn.save(model.state_dict(), "m.glassnet")       # torch.save(model.state_dict(), "m.pt")
    model.load_state_dict(gn.load("m.glassnet"))     # model.load_state_dict(torch.load(...))
    gn.save(model, "m.glassnet"); gn.load("m.glassnet")   # a model of glassnet's layers
    gn.save(x, "x.glassnet"); gn.load("x.glassnet")       # one tensor

What ``save`` takes, and ``load`` gives back:

* a state dict (a dict of names to arrays or Tensors): the same names to NumPy arrays (a
  model's ``load_state_dict`` takes them), in their order;
* a Module that describes itself (``Linear``, ``MLP``, ``Sequential`` of glassnet's
  layers): the module, rebuilt (:func:`glassnet.io.save_model`); a Module of your own
  class is refused, saying to save its ``state_dict()``: a file of arrays cannot rebuild
  your class's code (torch.save pickles it);
* a Tensor: a Tensor of the same values (no graph, as PyTorch's);
* anything else (an optimizer's nested state, a list, a number) is refused, naming
  :func:`glassnet.io.save_checkpoint` for training state.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from .io import file_kind, load_arrays, load_model, save_arrays, save_model
from .nn.module import Module
from .tensor import Tensor

__all__ = ["save", "load"]

_KIND = "glassnet.save"  # (the description's key: what save wrote)


def save(obj: Any, path: str | os.PathLike[str]) -> None:
    """Write ``obj`` (a state dict, a Module of glassnet's layers, or a Tensor) to ``path``,
    atomically, as a glassnet file: see the module's docstring."""
    if isinstance(obj, Module):
        try:
            obj.config()
        except NotImplementedError:
            raise TypeError(
                f"save: a {type(obj).__name__} (a Module of your own class) cannot be rebuilt "
                "from a file of arrays (torch.save pickles its code; glassnet's files hold "
                "none): save its weights, gn.save(model.state_dict(), path), and load them "
                "into a new one, model.load_state_dict(gn.load(path))."
            ) from None
        save_model(obj, path)
        return
    if isinstance(obj, Tensor):
        save_arrays(path, {"tensor": np.asarray(obj.data)}, meta={_KIND: "tensor"})
        return
    if isinstance(obj, Mapping):
        arrays: dict[str, np.ndarray] = {}
        for name, value in obj.items():
            value = value.data if isinstance(value, Tensor) else value
            if not isinstance(name, str) or not isinstance(value, np.ndarray):
                raise TypeError(
                    "save: a dict is saved as a state dict, names (str) to arrays or Tensors; "
                    f"{name!r:.40} holds {type(value).__name__}. An optimizer's state or a "
                    "training run's goes with glassnet.io.save_checkpoint(path, "
                    "model.state_dict(), optimizer.state_dict())."
                )
            arrays[name] = value
        save_arrays(path, arrays, meta={_KIND: "state_dict", "order": list(arrays)})
        return
    raise TypeError(
        f"save takes a state dict, a Module of glassnet's layers or a Tensor. Got "
        f"{type(obj).__name__}: glassnet's files hold arrays and JSON, never pickled objects."
    )


def load(path: str | os.PathLike[str]) -> Any:
    """What :func:`save` wrote to ``path`` (a state dict of arrays, a Module, a Tensor); a
    file of :func:`glassnet.io.save_model` gives its model, any other glassnet or
    safetensors file of arrays its arrays by name."""
    try:
        model = file_kind(path) == "model"
    except OSError:  # (missing, a directory: load_arrays says so, naming the file)
        model = False
    if model:
        return load_model(path)
    arrays, meta = load_arrays(path, expect_format=False)
    kind = meta.get(_KIND) if isinstance(meta, Mapping) else None
    if kind == "tensor":
        return Tensor(arrays["tensor"])
    order = meta.get("order") if kind == "state_dict" else None
    if isinstance(order, list) and sorted(order) == sorted(arrays):
        return {name: arrays[name] for name in order}
    return dict(arrays)
