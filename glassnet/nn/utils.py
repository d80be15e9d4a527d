"""Gradient clipping, as PyTorch's ``torch.nn.utils``: ``clip_grad_norm_`` and
``clip_grad_value_`` change every ``.grad`` in place (a flat buffer's views stay views);
and ``parameters_to_vector``/``vector_to_parameters``, the parameters as one vector (a copy,
outside the graph) and back (written into each ``p.data``); ``get_total_norm`` and
``clip_grads_with_norm_``, the two halves of ``clip_grad_norm_`` (PyTorch 2.6's).

Unlike PyTorch, a ``max_norm`` or ``clip_value`` below 0 is refused (PyTorch's flips the
gradients' sign, or sets every entry to ``clip_value``), and so is ``norm_type=0``
(PyTorch's counts the gradients with a non-zero entry); an infinite one is taken, as in
PyTorch.

>>> import numpy as np
>>> from glassnet import nn
>>> w = nn.Parameter(np.zeros(2))
>>> w.grad = np.array([3.0, 4.0])
>>> clip_grad_norm_([w], max_norm=1.0).item()    # the norm before clipping
5.0
>>> w.grad.round(6)
array([0.6, 0.8])
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._validation import check_bool, check_number
from ..tensor import Tensor

__all__ = [
    "clip_grad_norm_", "clip_grad_value_", "parameters_to_vector", "vector_to_parameters",
    "get_total_norm", "clip_grads_with_norm_",
]  # fmt: skip


def _grads(parameters: Any, fn: str) -> list[np.ndarray]:
    """The gradients that exist (a parameter with ``.grad`` None has none to clip)."""
    single = isinstance(parameters, Tensor) or not hasattr(parameters, "__iter__")
    params = [parameters] if single else list(parameters)
    for p in params:
        if not isinstance(p, Tensor):
            raise TypeError(
                f"{fn}: parameters must be a Tensor or an iterable of Tensors. Got "
                f"{type(p).__name__}; pass model.parameters()."
            )
    return [p.grad for p in params if p.grad is not None]


def _foreach(foreach: Any, fn: str) -> None:
    """PyTorch's ``foreach=None | True | False`` (which kernel runs): checked, no effect."""
    if foreach is not None:
        check_bool(foreach, "foreach", fn)


def _norm(x: np.ndarray, p: float) -> float:
    """‖x‖_p, computed as m ‖x / m‖_p with m = max |x| so that no power of an entry
    overflows or underflows (a float32 gradient of norm 1e20 has squares past float32's
    range); m itself where p is inf or m is 0, inf or NaN."""
    x = x.ravel()
    m = float(np.max(np.abs(x))) if x.size else 0.0  # (CuPy's max takes no initial=)
    if p == math.inf or m == 0 or not math.isfinite(m):
        return m
    return m * float(np.linalg.norm(x / m, p))


def clip_grad_norm_(
    parameters: Any,
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """Scale the gradients so that their joint norm ‖(g₁, …, g_k)‖_p is at most ``max_norm``.

    As PyTorch: the total norm is the p-norm of the gradients' p-norms (p = ``norm_type``,
    ``inf`` or ``'inf'`` for the largest |g|); every gradient is multiplied by
    min(1, max_norm / (total + 1e-6)). Returns the total norm before clipping, a 0-d
    Tensor (``max_norm=inf`` measures it and clips nothing). A non-finite total (NaN, inf,
    or past the gradients' dtype's range) raises with ``error_if_nonfinite=True``; without
    it, gradients whose total only the dtype cannot hold are scaled by the norm formed in
    float64 (PyTorch's inf zeroes them). ``foreach``, PyTorch's choice of kernel, is taken and
    changes nothing (NumPy has one).
    """
    _foreach(foreach, "clip_grad_norm_")
    max_norm = check_number(max_norm, "max_norm", "clip_grad_norm_", low=0, allow_inf=True)
    norm_type = math.inf if isinstance(norm_type, str) and norm_type == "inf" else norm_type
    p = check_number(
        norm_type, "norm_type", "clip_grad_norm_", low=0, low_open=True, allow_inf=True
    )
    strict = check_bool(error_if_nonfinite, "error_if_nonfinite", "clip_grad_norm_")
    grads = _grads(parameters, "clip_grad_norm_")
    if not grads:
        return Tensor(0.0)
    total = _norm(np.array([_norm(g, p) for g in grads]), p)
    dtype = np.result_type(*grads)  # (float64 if any is, as PyTorch)
    with np.errstate(over="ignore"):  # (a float32 total past 3.4e38 is inf, as PyTorch's)
        out = np.asarray(total, dtype)
    if strict and not np.isfinite(out):  # what is returned, as PyTorch checks its total
        past = "" if not math.isfinite(total) else f" ({total:.4g}, past {dtype}'s range)"
        raise RuntimeError(
            f"clip_grad_norm_: the total norm of the gradients is {out}{past}; look for the "
            f"NaN or inf (glassnet.detect_anomaly) or the exploding gradient, or pass "
            f"error_if_nonfinite=False (a total past the dtype's range then scales the "
            f"gradients by its finite float64 value; a NaN or inf gradient stays NaN)."
        )
    coef = min(max_norm / (total + 1e-6), 1.0)  # NaN for a NaN total, 0 for an inf one
    with np.errstate(invalid="ignore"):  # (inf · 0 is NaN, as in PyTorch: no warning)
        for g in grads:
            g *= coef
    return Tensor(out)


def clip_grad_value_(parameters: Any, clip_value: float, foreach: bool | None = None) -> None:
    """Clip every gradient entry into [−clip_value, clip_value], in place (as PyTorch);
    ``foreach`` is taken, as by :func:`clip_grad_norm_`."""
    _foreach(foreach, "clip_grad_value_")
    v = check_number(clip_value, "clip_value", "clip_grad_value_", low=0, allow_inf=True)
    for g in _grads(parameters, "clip_grad_value_"):
        np.clip(g, -v, v, out=g)


def _params(parameters: Any, fn: str) -> list[Any]:
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    if not params or not all(isinstance(p, Tensor) for p in params):
        raise TypeError(
            f"{fn}: parameters must be Tensors (model.parameters()). Got {params!r:.80}."
        )
    return params


def parameters_to_vector(parameters: Any) -> Tensor:
    """Every parameter's values, flattened in order, as one vector (a copy; no gradient
    flows back through it, as PyTorch's flows none to a leaf's ``.data``): one dtype only."""
    params = _params(parameters, "parameters_to_vector")
    dtypes = {p.data.dtype for p in params}
    if len(dtypes) > 1:
        raise TypeError(
            f"parameters_to_vector: the parameters hold {sorted(map(str, dtypes))}; make them "
            f"one dtype (model.to(np.float32)), as PyTorch asks one device."
        )
    return Tensor(np.concatenate([p.data.ravel() for p in params]))


def vector_to_parameters(vec: Any, parameters: Any) -> None:
    """Write ``vec`` (a vector of every parameter's values, as :func:`parameters_to_vector`
    gives) into the parameters, in order, each in place; a vector of another length is
    refused before anything is written."""
    params = _params(parameters, "vector_to_parameters")
    v = np.asarray(vec.data if isinstance(vec, Tensor) else vec)
    need = sum(p.data.size for p in params)
    if v.ndim != 1 or v.size != need:
        raise ValueError(
            f"vector_to_parameters: vec must be a vector of {need} values (the parameters' "
            f"count). Got shape {v.shape}."
        )
    at = 0
    for p in params:
        p.data[...] = v[at : at + p.data.size].reshape(p.data.shape)
        at += p.data.size


def get_total_norm(
    tensors: Any,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """The p-norm of the tensors' p-norms (``norm_type`` p; ``inf`` or ``'inf'``: the
    largest |x|), as one 0-d Tensor in their dtype (float64 if any is): PyTorch's
    ``nn.utils.get_total_norm``, the norm :func:`clip_grad_norm_` measures, of any tensors
    (``[p.grad for p in model.parameters()]``; a Tensor or a NumPy array each; None entries
    skipped). ``error_if_nonfinite=True`` raises for a NaN or inf total."""
    _foreach(foreach, "get_total_norm")
    norm_type = math.inf if isinstance(norm_type, str) and norm_type == "inf" else norm_type
    p = check_number(norm_type, "norm_type", "get_total_norm", low=0, low_open=True, allow_inf=True)
    strict = check_bool(error_if_nonfinite, "error_if_nonfinite", "get_total_norm")
    single = isinstance(tensors, (Tensor, np.ndarray)) or not hasattr(tensors, "__iter__")
    arrays = []
    for t in [tensors] if single else list(tensors):
        if t is None:
            continue
        if not isinstance(t, (Tensor, np.ndarray)):
            raise TypeError(
                f"get_total_norm: tensors must be a Tensor or an iterable of Tensors (the "
                f"gradients: [p.grad for p in model.parameters()]). Got {type(t).__name__}."
            )
        arrays.append(np.asarray(t.data if isinstance(t, Tensor) else t))
    if not arrays:
        return Tensor(0.0)
    total = _norm(np.array([_norm(a, p) for a in arrays]), p)
    dtype = np.result_type(*arrays)
    with np.errstate(over="ignore"):
        out = np.asarray(total, dtype if np.issubdtype(dtype, np.floating) else np.float32)
    if strict and not np.isfinite(out):
        raise RuntimeError(
            f"get_total_norm: the total norm of the tensors is {out}; look for the NaN or inf "
            "(glassnet.detect_anomaly) or pass error_if_nonfinite=False."
        )
    return Tensor(out)


def clip_grads_with_norm_(
    parameters: Any, max_norm: float, total_norm: Any, foreach: bool | None = None
) -> None:
    """Scale every gradient by min(1, max_norm / (total_norm + 1e-6)), in place: PyTorch's
    ``nn.utils.clip_grads_with_norm_``, the second half of :func:`clip_grad_norm_` with the
    norm :func:`get_total_norm` gave."""
    _foreach(foreach, "clip_grads_with_norm_")
    max_norm = check_number(max_norm, "max_norm", "clip_grads_with_norm_", low=0, allow_inf=True)
    total = float(np.asarray(total_norm.data if isinstance(total_norm, Tensor) else total_norm))
    coef = min(max_norm / (total + 1e-6), 1.0)
    with np.errstate(invalid="ignore"):
        for g in _grads(parameters, "clip_grads_with_norm_"):
            g *= coef
