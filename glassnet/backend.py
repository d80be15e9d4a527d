"""The array-module seam: which library holds a model's arrays (NumPy, or CuPy on a GPU).

The fast path, the optimizers' updates and ``fit``'s batches never name a library. They
compute with NumPy's ufuncs and array functions, which NumPy hands to the arrays' own
library through its dispatch protocols (NEP 13 ``__array_ufunc__`` for ``np.matmul``,
``np.tanh(A, out=A)``, ``np.add.reduce``; NEP 18 ``__array_function__`` for
``np.copyto``, ``np.take``, ``np.empty_like``), and they allocate new arrays through
:func:`namespace` of the model's arrays (``xp.empty``, ``xp.zeros``, ``xp.asarray``):
NumPy for NumPy arrays, CuPy for CuPy arrays, or whatever an array's
``__array_namespace__`` names. That is the whole seam; ``tests/test_backend.py`` proves
it by training through it with arrays that record every call and refuse a plain NumPy
array anywhere in the engine.

>>> import numpy as np
>>> namespace(np.zeros(3)) is np, device_of(np.zeros(3))
(True, 'cpu')
"""

from __future__ import annotations

import copy
import threading
from types import ModuleType
from typing import Any

import numpy as np

__all__ = [
    "DEVICES", "namespace", "device_of", "device_name", "to_device", "is_array", "cupy",
    "host_model",
]  # fmt: skip

DEVICES = ("cpu", "cuda")


def device_name(device: Any) -> Any:
    """A device as the calls that move arrays take it: ``torch.device``'s name read as a
    string, and PyTorch's ``"cpu:0"`` as ``"cpu"`` (the one CPU device); anything else as
    given, for its caller to check."""
    device = str(device) if isinstance(getattr(device, "type", None), str) else device
    return "cpu" if device == "cpu:0" else device


def cupy() -> ModuleType:
    """CuPy, or an ImportError that says how to get it."""
    try:
        import cupy as cp
    except ImportError as e:
        raise ImportError(
            "device='cuda' needs CuPy and an NVIDIA GPU: pip install 'glassnet[gpu]' "
            f"(cupy-cuda12x). ({e})"
        ) from e
    return cp


def namespace(x: Any) -> Any:
    """The array module of ``x``: NumPy for a NumPy array (and for anything that is not an
    array), the module its ``__array_namespace__`` names, and CuPy for a CuPy array (whose
    ndarray names none)."""
    if type(x) is np.ndarray:
        return np
    if hasattr(x, "__array_namespace__"):
        return x.__array_namespace__()
    return cupy() if device_of(x) == "cuda" else np  # (CuPy's ndarray names no namespace)


def is_array(x: Any) -> bool:
    """A NumPy array, or an array of another library that names its namespace, or a CuPy
    array (not a NumPy scalar, nor a class such as ``numpy.float32``, whose attributes an
    array's names are)."""
    return isinstance(x, np.ndarray) or (
        (hasattr(x, "__array_namespace__") or device_of(x) == "cuda")
        and hasattr(x, "shape") and not isinstance(x, (np.generic, type))
    )  # fmt: skip


def device_of(x: Any) -> str:
    """``"cuda"`` for a CuPy array, ``"cpu"`` for a NumPy one."""
    return "cuda" if type(x).__module__.split(".")[0] == "cupy" else "cpu"


def to_device(x: Any, device: str) -> Any:
    """``x`` on ``device`` ("cpu": a NumPy array; "cuda": a CuPy array), copied only when
    it lives elsewhere."""
    if device not in DEVICES:
        raise ValueError(f"device must be one of {DEVICES}. Got {device!r}.")
    if device == "cpu":  # (CuPy's .get(); another library's array through NumPy's asarray)
        return x if type(x) is np.ndarray else x.get() if hasattr(x, "get") else np.asarray(x)
    return cupy().asarray(x)


def host_model(model: Any) -> Any:
    """``model`` itself when its parameters are NumPy arrays; else a copy of it whose
    parameters hold host (NumPy) copies of the values, the model itself untouched. What
    reads a model's numbers on the CPU (``predict``, ``explain``) computes on it: the CPU's
    numbers from the same weights."""
    if all(type(p.data) is np.ndarray for p in model.parameters()):
        return model
    arrays = [a for p in model.parameters() for a in (p.data, p.grad) if a is not None]
    return copy.deepcopy(model, {id(a): to_device(a, "cpu") for a in arrays})


def place(model: Any, device: Any, optimizer: Any, gpu_ok: bool, owner: str = "fit") -> None:
    """Move ``model`` to ``device`` for a training run (None: train where it is), in place.

    Refused before anything moves: the GPU for a run that is not ``gpu_ok`` (validation
    data, streams and MPI stay on the CPU), and a move of a model whose optimizer object
    was built where its weights are now (its flat buffers would stay there).
    ``torch.device("cuda")`` reads as its name."""
    device = device_name(device)
    if device is not None and device not in DEVICES:
        # (the words of model.to(...) for the same mistake: glassnet._validation's
        # check_to_args, which this bottom layer may not import)
        if isinstance(device, str) and device.startswith("cuda:"):
            raise ValueError(
                f"The 'device' parameter of {owner}: glassnet runs on the current CuPy device; "
                f"choose it with cupy.cuda.Device(n).use() and pass device='cuda'. "
                f"Got {device!r}."
            )
        raise ValueError(
            f"The 'device' parameter of {owner} must be 'cpu' (NumPy) or 'cuda' (CuPy on an "
            f"NVIDIA GPU), or None to train where the model is. Got {device!r}."
        )
    here = model.parameters()[0].data  # (off the CPU: any library but NumPy)
    if (device == "cuda" or (device is None and namespace(here) is not np)) and not gpu_ok:
        raise ValueError(
            f"{owner} on the GPU trains without validation data, streams or MPI; train this "
            "run on the CPU (model.to('cpu')), or score the validation data after fit."
        )
    if device is not None and device != device_of(here):
        if not isinstance(optimizer, str):  # its buffers hold the weights where they are
            raise ValueError(
                f"{owner}(device={device!r}) moves the model, but the optimizer was built where "
                f"it is now; pass the optimizer's name (optimizer='sgd'), or call "
                f"model.to({device!r}) first and build the optimizer after."
            )
        model.to(device=device)


_SCRATCH = threading.local()  # per thread: {(shape, strides, dtype): {name: buffer}}


def kept(keep: dict | None, name: str, make: Any, scratch: Any = None) -> Any:
    """``keep[name]``, made by ``make()`` the first time it is asked for; a fresh ``make()``
    without a dict. The fast path keeps one dict of buffers per batch size, so its later
    steps allocate nothing (what a step captured on a GPU needs).

    Without a dict, a ``scratch`` NumPy array (of at most 2^16 entries) marks the buffer
    as an intermediate that never leaves its caller: it is then kept per thread, for
    ``scratch``'s shape, strides and dtype (empty_like's layout follows the strides, and a
    sum's rounding the layout; four sets at most), and reused by the thread's later calls
    (the graph's loss kernels, called once a step)."""
    if keep is None:
        if type(scratch) is not np.ndarray or scratch.size > 65536:
            return make()
        sets = vars(_SCRATCH)  # (the threading.local's dict: this thread's own)
        key = (scratch.shape, scratch.strides, scratch.dtype)
        if key not in sets and len(sets) >= 4:
            del sets[next(iter(sets))]
        keep = sets.setdefault(key, {})
    a = keep.get(name)
    if a is None:
        a = keep[name] = make()
    return a


def asarray(x: Any, like: Any = None, dtype: Any = None) -> Any:
    """``x`` as an array of ``like``'s library (a CuPy array for a CuPy ``like``); without
    ``like``, an array of another library as it is and anything else through NumPy."""
    if like is not None:
        return namespace(like).asarray(x, dtype=dtype)
    if type(x) is not np.ndarray and is_array(x) and namespace(x) is not np:
        return x if dtype is None else x.astype(dtype, copy=False)
    try:
        return np.asarray(x, dtype=dtype)
    except ValueError as e:  # (nested lists of unequal lengths)
        if "inhomogeneous" not in str(e):
            raise
        raise ValueError(ragged(x)) from None


def ragged(x: Any) -> str:
    """The message for nested lists of unequal lengths (NumPy's "inhomogeneous shape")."""
    rows = [len(v) if isinstance(v, (list, tuple, np.ndarray)) else 1 for v in x]
    i = next((i for i, n in enumerate(rows) if n != rows[0]), None)
    where = "" if i is None else f"; row {i} has {rows[i]} value(s), row 0 has {rows[0]}"
    return (
        "The data must be a rectangular array of numbers, nested lists of equal "
        f"lengths{where}. Pad or drop values so that every row has as many."
    )
