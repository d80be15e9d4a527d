"""PyTorch's ``torch.nn.functional`` (``import glassnet.nn.functional as F``), for the losses
and activations a hand-written PyTorch loop calls as functions:

* activations: ``relu``, ``sigmoid``, ``tanh``, ``leaky_relu(x, negative_slope=0.01)``,
  ``softmax(x, dim, dtype=None)``, ``log_softmax(x, dim, dtype=None)`` (``dim`` needed on
  3 axes or more, where PyTorch's implicit axis is not the last):
  :mod:`glassnet.functional`'s (one table of g and g'), with PyTorch's argument names;
  ``inplace=True`` is refused, as the modules refuse it;
* losses: ``mse_loss``, ``l1_loss``, ``huber_loss``, ``binary_cross_entropy``,
  ``binary_cross_entropy_with_logits``, ``cross_entropy``, ``nll_loss``, with PyTorch's
  arguments (``reduction``, ``weight``, ``pos_weight``, ``ignore_index``,
  ``label_smoothing``, ``delta``): each is the loss module of :mod:`glassnet.nn.losses`
  called once, so the function and the module give the same numbers and refuse the same
  inputs. The arguments after ``weight`` (after ``target`` for ``mse_loss`` and ``l1_loss``)
  are keyword-only: PyTorch's next positional slots are its deprecated ``size_average`` and
  ``reduce``, which are not taken, so a positional value there is an error, not misread.

glassnet's own functional API, named as the lecture names things (``F.mse``,
``F.cross_entropy(z, y, sample_weight=)``), is :mod:`glassnet.functional`; this module is
PyTorch's spelling beside it, outside the engine (nothing in ``fit`` or the fast path
imports it).

>>> import numpy as np
>>> import glassnet.nn.functional as F
>>> F.cross_entropy(np.zeros((2, 3)), np.array([0, 2]), label_smoothing=0.1).item()
1.0986122886681098
"""

from __future__ import annotations

from typing import Any

from .. import functional as _gf
from .._validation import check_float_dtype, implicit_dim
from ..tensor import Tensor
from . import losses
from .layers import LeakyReLU, ReLU

__all__ = [
    "relu", "sigmoid", "tanh", "leaky_relu", "softmax", "log_softmax", "mse_loss", "l1_loss",
    "huber_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy",
    "nll_loss",
]  # fmt: skip

sigmoid, tanh = _gf.sigmoid, _gf.tanh


def relu(input: Any, inplace: bool = False) -> Tensor:
    """max(0, z); ``inplace``: False only (see :class:`glassnet.nn.ReLU`)."""
    return ReLU(inplace=inplace)(input)


def leaky_relu(input: Any, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """max(negative_slope z, z), 0 <= negative_slope < 1; ``inplace``: False only."""
    return LeakyReLU(negative_slope=negative_slope, inplace=inplace)(input)


def _cast(input: Any, dtype: Any, owner: str) -> Any:
    """``input`` cast to ``dtype`` before the op, as PyTorch's ``dtype=`` (in the graph: the
    gradient is cast back to the input's dtype); None: as it is."""
    if dtype is None:
        return input
    dt = check_float_dtype(dtype, owner)
    return (input if isinstance(input, Tensor) else Tensor(input)).to(dt)


def softmax(input: Any, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    """Softmax along ``dim`` (None: the last axis of an input of at most 2 axes, where
    PyTorch warns and takes that one too; refused on more, where PyTorch's implicit axis is
    another); ``dtype`` (float32 or float64): the input is cast to it first, as PyTorch's."""
    implicit_dim(input, dim, "softmax")
    return _gf.softmax(_cast(input, dtype, "softmax"), dim)


def log_softmax(
    input: Any, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None
) -> Tensor:
    """log softmax along ``dim`` (None as :func:`softmax`); ``dtype`` as :func:`softmax`."""
    implicit_dim(input, dim, "log_softmax")
    return _gf.log_softmax(_cast(input, dtype, "log_softmax"), dim)


def mse_loss(input: Any, target: Any, *, reduction: str = "mean") -> Tensor:
    """(input − target)², reduced: :class:`glassnet.nn.MSELoss`."""
    return losses.MSELoss(reduction=reduction)(input, target)


def l1_loss(input: Any, target: Any, *, reduction: str = "mean") -> Tensor:
    """|input − target|, reduced: :class:`glassnet.nn.L1Loss`."""
    return losses.L1Loss(reduction=reduction)(input, target)


def huber_loss(input: Any, target: Any, reduction: str = "mean", delta: float = 1.0) -> Tensor:
    """:class:`glassnet.nn.HuberLoss`."""
    return losses.HuberLoss(reduction=reduction, delta=delta)(input, target)


def binary_cross_entropy(
    input: Any, target: Any, weight: Any = None, *, reduction: str = "mean"
) -> Tensor:
    """BCE of probabilities: :class:`glassnet.nn.BCELoss`."""
    return losses.BCELoss(weight=weight, reduction=reduction)(input, target)


def binary_cross_entropy_with_logits(
    input: Any, target: Any, weight: Any = None, *, reduction: str = "mean", pos_weight: Any = None
) -> Tensor:
    """BCE of logits: :class:`glassnet.nn.BCEWithLogitsLoss`."""
    loss = losses.BCEWithLogitsLoss(weight=weight, reduction=reduction, pos_weight=pos_weight)
    return loss(input, target)


def cross_entropy(
    input: Any,
    target: Any,
    weight: Any = None,
    *,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Softmax cross-entropy of logits (N, C): :class:`glassnet.nn.CrossEntropyLoss`."""
    loss = losses.CrossEntropyLoss(
        weight=weight,
        reduction=reduction,
        label_smoothing=label_smoothing,
        ignore_index=ignore_index,
    )
    return loss(input, target)


def nll_loss(
    input: Any,
    target: Any,
    weight: Any = None,
    *,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood of log-probabilities (N, C): :class:`glassnet.nn.NLLLoss`."""
    loss = losses.NLLLoss(weight=weight, reduction=reduction, ignore_index=ignore_index)
    return loss(input, target)
