"""The refusals of nn's core modules, each one call there named for what it checks: a
layer's constructor arguments (``linear_args``, ``mlp_dtype``, ``leaky_slope``,
``softmax_dim``, ``neuron_activation``, ``check_layers``, ``table_activation``, a
Parameter's ``check_label``), what ``predict`` takes (``predict_input``) and gives
(``check_output``), the weights ``Neuron.set_weights`` writes, and what
``flatten_parameters`` packs, copies and binds (``check_packable``, ``check_copyable``,
``check_bound``). Some also resolve what they check: PyTorch's aliases and the default
dtype (``linear_args``, ``mlp_dtype``), a Sequential's list of layers (``check_layers``),
an activation's key in the table (``table_activation``), X converted
to the model's dtype (``predict_input``). Module's errors are defined here too
(``StateDictError``, ``IncompatibleKeys``, ``BufferNameError``), below glassnet.nn.module,
which imports them and names them its own (their path as before).

It is counted outside the core (``tools/loc.py``), as ``_validation``'s checks are: a check
and its message are what a user's mistake meets, not the lecture's mathematics, and a reader
of a layer learns what it refuses from the call's name. It sits in ``nn``, beside
``_gate``, since only nn calls it (the layering contract then needs no new entry); it
imports nothing of nn (``check_layers`` is given the Module class, ``table_activation``
the table's lookup).
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np

from .._validation import (
    check_array,
    check_flag,
    check_float_dtype,
    check_memory,
    check_no_inplace,
    check_number,
    flat_message,
    layers_message,
    missing_activation,
    model_input,
    module_message,
    not_finite_output,
    one_of,
)
from ..backend import asarray, is_array, namespace
from ..tensor import Tensor, get_default_dtype

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))

# Module's errors, here below glassnet.nn.module, which imports them: their path is
# glassnet.nn.module's, as before they moved (pickles read by older glassnet too).
# What load_state_dict(state, strict=False) did not load, as PyTorch returns it
IncompatibleKeys = namedtuple(
    "IncompatibleKeys", ["missing_keys", "unexpected_keys"], module="glassnet.nn.module"
)


class BufferNameError(KeyError, TypeError):
    """``register_buffer``'s refusal of a name that is no attribute name (dotted, empty): a
    ``KeyError`` as PyTorch's (and ``register_parameter``'s), a ``TypeError`` as before."""

    __module__ = "glassnet.nn.module"


class StateDictError(ValueError, RuntimeError):
    """``Module.load_state_dict``'s refusal of a state dict (missing or unexpected keys, a
    shape or a value that does not fit): a ``RuntimeError`` as PyTorch's (so a ported
    ``except RuntimeError:`` catches it) and a ``ValueError`` as glassnet's before it."""

    __module__ = "glassnet.nn.module"


def linear_args(
    inputs: Any, neurons: Any, in_features: Any, out_features: Any, dtype: Any, bias: Any
) -> tuple[int, int, np.dtype, bool]:
    """A Linear's widths (each given once, as glassnet's or PyTorch's name, an int >= 1),
    dtype (float32 or float64) and ``bias`` flag (a bool, or 0 or 1), checked, and its
    weights' memory within what is free."""
    names = (
        "in_features" if inputs is None else "inputs",
        "out_features" if neurons is None else "neurons",
    )  # (as given, for messages)
    inputs = one_of(inputs, in_features, "inputs", "in_features", "Linear")
    neurons = one_of(neurons, out_features, "neurons", "out_features", "Linear")
    inputs = check_number(inputs, names[0], "Linear", low=1, integer=True)
    neurons = check_number(neurons, names[1], "Linear", low=1, integer=True)
    dt = check_float_dtype(dtype, "Linear", default=get_default_dtype())
    size = (inputs + 1) * neurons * np.dtype(dt).itemsize
    check_memory(f"Linear({inputs}, {neurons})", size, "use fewer neurons")
    return inputs, neurons, dt, check_flag(bias, "bias", "Linear")


def check_label(label: Any) -> None:
    """A Parameter's label is a str or None (PyTorch's second argument, ``requires_grad``,
    is the third here)."""
    if label is not None and not isinstance(label, str):
        raise TypeError(module_message("label", label=label))


def check_layers(layers: tuple[Any, ...], module: type) -> list[Any]:
    """A Sequential's layers, given one by one or as one list or tuple, checked to be
    modules (PyTorch's ``Sequential(OrderedDict)`` names its layers: a TypeError that says
    so); returns them as a new list (the Sequential's own)."""
    if len(layers) == 1 and isinstance(layers[0], (list, tuple)):
        layers = tuple(layers[0])
    for i, m in enumerate(layers):
        if not isinstance(m, module):
            raise TypeError(layers_message("layer", i=i, m=m))
    return list(layers)


def table_activation(name: Any, key: Any) -> str:
    """TableActivation's name: ``key(name)``, the key of the activations' table that ``name``
    reads as; a name the table lacks (an entry added in another process: a model loaded
    here) is a ValueError that says so."""
    try:
        return key(name)
    except ValueError as e:
        raise ValueError(f"{missing_activation(name, 'TableActivation')} ({e})") from None


def check_init_shape(W: Any, shape: tuple[int, int], init: str) -> None:
    """A Linear's initializer gave W of the layer's shape (a custom one may not)."""
    if W.shape != shape:
        raise ValueError(layers_message("init", init=init, got=W.shape, shape=shape))


def mlp_dtype(sizes: list[int], dtype: Any) -> np.dtype:
    """An MLP's dtype (float32 or float64, the default dtype for None), and its weights'
    memory within what is free (checked after its other arguments, as before: its widths and
    names, ``check_mlp_args``, then the activations' names, then ``rng``)."""
    dt = check_float_dtype(dtype, "MLP", default=get_default_dtype())
    size = sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:])) * np.dtype(dt).itemsize
    check_memory(f"MLP({sizes})", size, "use fewer or narrower layers")
    return dt


def leaky_slope(alpha: Any, negative_slope: Any, inplace: Any) -> float:
    """LeakyReLU's slope, given as ``alpha`` or as PyTorch's ``negative_slope`` (not both), a
    finite number; PyTorch's ``inplace``, False only."""
    if negative_slope is not None and alpha != 0.01:  # (PyTorch's name of alpha)
        raise TypeError("LeakyReLU: give alpha or negative_slope (its PyTorch name), not both.")
    name = "alpha" if negative_slope is None else "negative_slope"
    check_no_inplace(inplace, "LeakyReLU")
    return check_number(alpha if negative_slope is None else negative_slope, name, "LeakyReLU")


def softmax_dim(dim: Any) -> int | None:
    """``nn.Softmax(dim=...)``: None, -1 or 1, the features of a batch of rows."""
    if dim is not None and (type(dim) not in (int, np.int64, np.int32) or dim not in (-1, 1)):
        raise ValueError(layers_message("softmax_dim", dim=dim))
    return dim


def neuron_activation(act: str, elementwise: bool) -> None:
    """A Neuron's activation gives its one output alone: not softmax, nor another entry of
    the table that is not elementwise."""
    if act == "softmax":  # (an MLP may end in one: a one-class task's, fit refuses it)
        raise ValueError(layers_message("neuron_softmax"))
    if not elementwise:  # (one added: its one output seen alone)
        raise ValueError(layers_message("neuron_vector", act=act))


def neuron_weights(w: Any, w0: Any, inputs: int, dtype: Any) -> tuple[np.ndarray, float]:
    """``Neuron.set_weights``' w (``inputs`` numbers) and w0 (one number), checked."""
    w = check_array("w", w, "Neuron.set_weights", ndim=(0, 1, 2), dtype=dtype).ravel()
    w0 = check_number(w0, "w0", "Neuron.set_weights")
    if w.shape != (inputs,):
        raise ValueError(layers_message("weights", n=inputs, got=w.shape[0]))
    return w, w0


def predict_input(model: Any, X: Any, first: Any) -> Any:
    """What ``model.predict`` takes: a Tensor's values, or numbers that ``fit`` would take
    (no NaN or inf, within the dtype of ``first``, the model's first parameter; without
    parameters, ``first`` None: X's float dtype, else the default dtype, as ``Tensor(X)``
    takes it), of any rank (the layers name a shape they cannot take); returned in the
    model's dtype on its device (a model on a GPU predicts there)."""
    dtype = None if first is None else first.dtype
    X = X.data if isinstance(X, Tensor) else model_input(X, model, None)  # (its names)
    if namespace(X) is np:  # (1e39 for float32 was NumPy's "overflow in cast")
        floats = isinstance(X, (np.ndarray, np.generic)) and X.dtype.kind == "f"
        own = max(X.dtype, np.dtype(np.float32)) if floats else get_default_dtype()
        dt = own if dtype is None else dtype  # the model's, as fit checks; else as Tensor(X)
        owner = f"{type(model).__name__}.predict"
        X = check_array("X", X, owner, ndim=tuple(range(65)), dtype=dt, allow_empty=True)
    return X if first is None else asarray(X, like=first.data, dtype=dtype)


def check_output(model: Any, X: Any, out: Any) -> None:
    """``predict``'s output holds no NaN or inf (a diverged model, or arithmetic that
    overflows the dtype): a ValueError that says which, never a value returned."""
    if not np.isfinite(out).all():
        raise ValueError(not_finite_output(model, X, out))


def check_packable(params: list[Any]) -> None:
    """What ``flatten_parameters`` packs: objects with ``.grad`` and a float32 or float64
    array ``.data``, none holding another's array (tied), all on one device."""
    seen: dict[int, int] = {}
    for i, p in enumerate(params):
        d = getattr(p, "data", None)
        if not hasattr(p, "grad") or not is_array(d) or d.dtype not in _FLOATS:
            raise TypeError(flat_message("parameter", i=i, p=p, d=d, array=is_array(d)))
        if id(d) in seen:
            raise ValueError(flat_message("tied", first=seen[id(d)], i=i))
        seen[id(d)] = i
    if len({namespace(p.data) for p in params}) > 1:
        raise TypeError(flat_message("devices"))


def check_copyable(i: int, attr: str, value: Any, view: Any) -> None:
    """Parameter i's ``.data`` or ``.grad`` (``attr``) fits its slot's view: its shape, its
    array library, and for ``.data`` its dtype."""
    if np.shape(value) != view.shape:
        raise ValueError(flat_message("shape", i=i, attr=attr, value=value, view=view))
    if type(value) is not type(view) and namespace(value) is not namespace(view):
        raise TypeError(flat_message("device", i=i, attr=attr, value=value, view=view))
    if attr == "data" and getattr(value, "dtype", view.dtype) != view.dtype:
        raise TypeError(flat_message("dtype", i=i, value=value, view=view))


def check_bound(p: Any, data_view: Any, grad_view: Any) -> None:
    """Parameter ``p`` holds the views it was given, as ``.data`` and ``.grad``: no setter of
    its own copied them instead (a flat buffer could not be bound to it)."""
    if p.data is not data_view or p.grad is not grad_view:
        raise TypeError(flat_message("setter", p=p))
