"""PyTorch's ``torch.nn.functional`` (``import glassnet.nn.functional as F``), for the losses
and activations a hand-written PyTorch loop calls as functions:

* activations: ``relu``, ``sigmoid``, ``tanh``, ``leaky_relu(x, negative_slope=0.01)``,
  ``softmax(x, dim, dtype=None)``, ``log_softmax(x, dim, dtype=None)`` (``dim`` needed on
  3 axes or more, where PyTorch's implicit axis is not the last):
  :mod:`glassnet.functional`'s (one table of g and g'), with PyTorch's argument names;
  ``inplace=True`` is refused, as the modules refuse it; PyTorch's further ones,
  ``gelu(x, approximate='none')``, ``silu``, ``elu(x, alpha=1.0)``,
  ``softplus(x, beta=1.0, threshold=20.0)``, and ``layer_norm(x, normalized_shape, weight,
  bias, eps=1e-5)``: :mod:`glassnet.nn.torch_layers`' (the graph only);
* losses: ``mse_loss``, ``l1_loss``, ``huber_loss``, ``smooth_l1_loss``,
  ``binary_cross_entropy``, ``binary_cross_entropy_with_logits``, ``cross_entropy``,
  ``nll_loss``, ``kl_div``, with PyTorch's arguments (``reduction``, ``weight``,
  ``pos_weight``, ``ignore_index``, ``label_smoothing``, ``delta``, ``beta``,
  ``log_target``): each is the loss module of :mod:`glassnet.nn.losses`
  called once, so the function and the module give the same numbers and refuse the same
  inputs. The arguments after ``weight`` (after ``target`` for ``mse_loss`` and ``l1_loss``)
  are keyword-only: PyTorch's next positional slots are its deprecated ``size_average`` and
  ``reduce``, which are not taken, so a positional value there is an error, not misread;
  given by keyword (``size_average=False``) they are refused as the modules refuse them,
  naming the ``reduction=`` to pass;
* ``linear(input, weight, bias=None)``: y = x @ weightᵀ + bias with PyTorch's weight
  layout, (out_features, in_features) (:func:`glassnet.functional.linear` takes the
  lecture's W, its transpose);
* ``dropout(input, p=0.5, training=True, inplace=False)`` (PyTorch's default is training:
  ``F.dropout(x, p, self.training)`` in a forward), the masks from the generator
  :func:`glassnet.manual_seed` seeds; ``one_hot(tensor, num_classes=-1)``, integer class
  labels of any shape to an int64 :class:`glassnet.habits.Array` of one more axis.

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

import numpy as np

from .. import functional as _gf
from .._validation import ParameterError, as_rng, check_bool, check_float_dtype, implicit_dim
from ..habits import Array
from ..tensor import Tensor, as_tensor
from . import init, losses  # noqa: F401 (init before init_inplace: it loads that module)
from .init_inplace import warn_layout
from .layers import LeakyReLU, ReLU
from .torch_layers import elu, gelu, layer_norm, silu, softplus

__all__ = [
    "relu", "sigmoid", "tanh", "leaky_relu", "softmax", "log_softmax", "mse_loss", "l1_loss",
    "huber_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy",
    "nll_loss", "dropout", "one_hot", "gelu", "silu", "elu", "softplus", "layer_norm",
    "smooth_l1_loss", "kl_div", "linear",
]  # fmt: skip

sigmoid, tanh = _gf.sigmoid, _gf.tanh


def linear(input: Any, weight: Any, bias: Any = None) -> Tensor:  # noqa: A002
    """PyTorch's ``F.linear(input, weight, bias)``: y = x @ weightᵀ + bias, with ``weight``
    in PyTorch's layout, (out_features, in_features), and x of shape (*, in_features).
    (:func:`glassnet.functional.linear` takes the lecture's W, (inputs, neurons): the
    transpose of this weight; a square weight would give no error, so mind which one you
    import.) One graph node of glassnet.functional.linear on ``weight.T``.

    Initialize such a weight in its layout: ``nn.init.kaiming_uniform_(weight,
    a=math.sqrt(5), layout="torch")`` (PyTorch's ``nn.Linear`` init, fan_in =
    ``weight.shape[1]``); a weight whose fans kaiming_uniform_ or kaiming_normal_ read as
    the lecture's W (no ``layout``; a spread for the wrong fan_in) gets a warning at its
    first call here, unless it is a glassnet Linear's own W (tied weights: ``F.linear(h,
    encoder.W)``, drawn for that layer)."""
    x, w = as_tensor(input), as_tensor(weight)
    if w.ndim != 2 or x.ndim < 1 or x.shape[-1] != w.shape[1]:
        raise ValueError(
            f"linear: weight of shape {tuple(w.shape)} is PyTorch's (out_features, "
            f"in_features), so input's last axis must have in_features values; got input of "
            f"shape {tuple(x.shape)}. glassnet.functional.linear(x, W, b) takes the lecture's "
            "W of shape (inputs, neurons) instead."
        )
    warn_layout(w)
    if x.ndim <= 2:
        return _gf.linear(x, w.T, bias)
    lead = x.shape[:-1]  # (*, in) -> (N, in) -> (N, out) -> (*, out)
    return _gf.linear(x.reshape(-1, w.shape[1]), w.T, bias).reshape(*lead, w.shape[0])


def relu(input: Any, inplace: bool = False) -> Tensor:
    """max(0, z); ``inplace``: False only (see :class:`glassnet.nn.ReLU`)."""
    return ReLU(inplace=inplace)(input)


def leaky_relu(input: Any, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """z if z > 0 else negative_slope z, for any finite ``negative_slope``, as PyTorch's
    (the fast path, compiled loop, ONNX export and explain take 0 <= negative_slope < 1
    only); ``inplace``: False only."""
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


def _weighted(
    owner: str, module: Any, input: Any, target: Any, weight: Any, by_weights: bool
) -> Tensor:
    """PyTorch's ``weight=`` of ``mse_loss``, ``l1_loss`` and ``huber_loss`` (torch 2.6 on):
    each entry's loss times its weight (a weight of the input's shape; a Tensor that requires
    grad gets its gradient), then reduced as PyTorch's: 'sum' the sum, 'mean' the sum over
    Σ weight (``by_weights``: mse, l1) or over the number of entries (huber)."""
    reduction = module.reduction
    module.reduction = "none"
    per = module(input, target)
    w = weight if isinstance(weight, Tensor) else as_tensor(np.asarray(weight), per.dtype)
    if w.shape != per.shape:
        raise ValueError(
            f"{owner}: weight has shape {w.shape} but the input has {per.shape}; PyTorch "
            "takes one weight per entry (weights and input of the same size)."
        )
    out = per * w
    if reduction == "none":
        return out
    if reduction == "sum":
        return out.sum()
    total = float(w.data.sum()) if by_weights else out.data.size
    if total == 0:
        raise ValueError(
            f"{owner}: reduction='mean' divides by "
            f"{'the sum of the weights' if by_weights else 'the number of entries'}, which is "
            "0: no losses to average (PyTorch gives NaN). Use reduction='sum'."
        )
    return out.sum() / (w.sum() if by_weights else total)


def mse_loss(
    input: Any,
    target: Any,
    *,
    reduction: str = "mean",
    weight: Any = None,
    size_average: Any = None,
    reduce: Any = None,
) -> Tensor:
    """(input − target)², reduced: :class:`glassnet.nn.MSELoss`; ``weight`` (one per entry)
    weighs each, and 'mean' divides by Σ weight, as PyTorch's."""
    losses.no_legacy("mse_loss", size_average, reduce, ("third", "fourth"))
    loss = losses.MSELoss(reduction=reduction)
    if weight is None:
        return loss(input, target)
    return _weighted("mse_loss", loss, input, target, weight, by_weights=True)


def l1_loss(
    input: Any,
    target: Any,
    *,
    reduction: str = "mean",
    weight: Any = None,
    size_average: Any = None,
    reduce: Any = None,
) -> Tensor:
    """|input − target|, reduced: :class:`glassnet.nn.L1Loss`; ``weight`` as
    :func:`mse_loss`'s."""
    losses.no_legacy("l1_loss", size_average, reduce, ("third", "fourth"))
    loss = losses.L1Loss(reduction=reduction)
    if weight is None:
        return loss(input, target)
    return _weighted("l1_loss", loss, input, target, weight, by_weights=True)


def huber_loss(
    input: Any, target: Any, reduction: str = "mean", delta: float = 1.0, weight: Any = None
) -> Tensor:
    """:class:`glassnet.nn.HuberLoss`; ``weight`` (one per entry) weighs each, and 'mean'
    divides by the number of entries, as PyTorch's."""
    loss = losses.HuberLoss(reduction=reduction, delta=delta)
    if weight is None:
        return loss(input, target)
    return _weighted("huber_loss", loss, input, target, weight, by_weights=False)


def smooth_l1_loss(
    input: Any,
    target: Any,
    *,
    reduction: str = "mean",
    beta: float = 1.0,
    size_average: Any = None,
    reduce: Any = None,
) -> Tensor:
    """½ d² / β where |d| < β, else |d| − ½ β: :class:`glassnet.nn.SmoothL1Loss`."""
    losses.no_legacy("smooth_l1_loss", size_average, reduce, ("third", "fourth"))
    return losses.SmoothL1Loss(reduction=reduction, beta=beta)(input, target)


def kl_div(
    input: Any,
    target: Any,
    *,
    reduction: str = "mean",
    log_target: bool = False,
    size_average: Any = None,
    reduce: Any = None,
) -> Tensor:
    """KL divergence of log-probabilities ``input`` from ``target``:
    :class:`glassnet.nn.KLDivLoss` (``'mean'`` warns, as PyTorch's: use ``'batchmean'``)."""
    losses.no_legacy("kl_div", size_average, reduce, ("third", "fourth"))
    loss = losses.KLDivLoss(reduction=reduction, log_target=log_target)
    loss._stacklevel = 4  # (the warning names the caller of kl_div)
    return loss(input, target)


def binary_cross_entropy(
    input: Any,
    target: Any,
    weight: Any = None,
    *,
    reduction: str = "mean",
    size_average: Any = None,
    reduce: Any = None,
) -> Tensor:
    """BCE of probabilities: :class:`glassnet.nn.BCELoss`."""
    losses.no_legacy("binary_cross_entropy", size_average, reduce, ("fourth", "fifth"))
    return losses.BCELoss(weight=weight, reduction=reduction)(input, target)


def binary_cross_entropy_with_logits(
    input: Any,
    target: Any,
    weight: Any = None,
    *,
    reduction: str = "mean",
    pos_weight: Any = None,
    size_average: Any = None,
    reduce: Any = None,
) -> Tensor:
    """BCE of logits: :class:`glassnet.nn.BCEWithLogitsLoss`."""
    name = "binary_cross_entropy_with_logits"
    losses.no_legacy(name, size_average, reduce, ("fourth", "fifth"))
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
    size_average: Any = None,
    reduce: Any = None,
) -> Tensor:
    """Softmax cross-entropy of logits (N, C): :class:`glassnet.nn.CrossEntropyLoss`."""
    losses.no_legacy("cross_entropy", size_average, reduce, ("fourth", "sixth"))
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
    size_average: Any = None,
    reduce: Any = None,
) -> Tensor:
    """Negative log-likelihood of log-probabilities (N, C): :class:`glassnet.nn.NLLLoss`."""
    losses.no_legacy("nll_loss", size_average, reduce, ("fourth", "sixth"))
    loss = losses.NLLLoss(weight=weight, reduction=reduction, ignore_index=ignore_index)
    try:
        return loss(input, target)
    except (TypeError, ValueError) as e:  # (named as the user called it: nll_loss)
        if not str(e).startswith("NLLLoss: target"):
            raise
        raise type(e)("nll_loss" + str(e)[len("NLLLoss") :]) from None


def dropout(input: Any, p: Any = 0.5, training: Any = True, inplace: Any = False) -> Tensor:
    """PyTorch's ``F.dropout``: in training (the default, as PyTorch's), each value zeroed
    with probability ``p`` (0 <= p <= 1) and the rest scaled by 1 / (1 - p), in the graph
    (:func:`glassnet.functional.dropout`, the masks from the generator
    :func:`glassnet.manual_seed` seeds; ``p=1``: zeros, as PyTorch's); with
    ``training=False``, the input itself. ``inplace``: False only (see nn.ReLU)."""
    if isinstance(p, (bool, np.bool_)) or not isinstance(p, (int, float, np.number)) or not (
        0 <= p <= 1
    ):  # fmt: skip
        raise ParameterError(
            f"dropout: p, the probability of zeroing a value, has to be between 0 and 1, as "
            f"PyTorch's. Got p={p!r:.40}."
        )
    if check_bool(inplace, "inplace", "dropout"):
        raise ValueError(
            "dropout(inplace=True): inplace must be False. glassnet computes the result into a "
            "new array and does not overwrite the input as PyTorch's inplace=True does; write "
            "x = F.dropout(x, p, training)."
        )
    if not check_bool(training, "training", "dropout"):
        return as_tensor(input)  # (the input itself, whatever p)
    if p < 1:
        return _gf.dropout(input, float(p), as_rng(None), True)
    return as_tensor(input) * 0.0  # (p = 1: every value dropped, as PyTorch's input * 0)


def one_hot(tensor: Any, num_classes: Any = -1) -> Array:
    """PyTorch's ``F.one_hot(tensor, num_classes=-1)``: integer class labels of any shape
    (an integer array: a DataLoader's labels, ``y.argmax(1)``, ``gn.randint``) as an int64
    :class:`glassnet.habits.Array` of one more axis, 1 at each label's class and 0 elsewhere;
    ``num_classes=-1``: the largest label + 1. Labels must be whole numbers in
    [0, num_classes), as PyTorch's."""
    if isinstance(tensor, Tensor):
        raise TypeError(
            f"one_hot: tensor must hold integer class labels, as PyTorch's (a LongTensor). Got a "
            f"{tensor.dtype} Tensor: glassnet's Tensors hold floats; pass the labels as an "
            "integer array (a DataLoader gives them so, and so does y.argmax(1)), or convert "
            "whole-number floats with tensor.data.astype(np.int64)."
        )
    labels = np.asarray(tensor)
    if labels.dtype.kind not in "iu":
        raise TypeError(
            f"one_hot: tensor must hold integer class labels, as PyTorch's (a LongTensor). Got "
            f"dtype {labels.dtype}; pass an integer array (np.asarray(labels, dtype=np.int64) "
            "for whole-number floats)."
        )
    if isinstance(num_classes, (bool, np.bool_)) or not isinstance(num_classes, (int, np.integer)):
        raise TypeError(
            f"one_hot: num_classes must be an int (-1: the largest label + 1). Got "
            f"{num_classes!r:.40}."
        )
    if num_classes < -1:
        raise ParameterError(
            f"one_hot: num_classes must be the number of classes (>= 0), or -1 for the largest "
            f"label + 1. Got {num_classes}."
        )
    if labels.size and labels.min() < 0:
        raise ParameterError(
            f"one_hot: class labels must be >= 0 (0 to num_classes - 1), as PyTorch's. Got "
            f"{labels.min()}."
        )
    if num_classes == -1:
        if not labels.size:
            raise ParameterError(
                "one_hot: cannot infer the number of classes of an empty tensor; pass num_classes."
            )
        num_classes = int(labels.max()) + 1
    elif labels.size and labels.max() >= num_classes:
        raise ParameterError(
            f"one_hot: class labels must be smaller than num_classes={num_classes}. Got "
            f"{labels.max()}: pass num_classes={int(labels.max()) + 1} (or more), or check "
            "the labels."
        )
    out = labels[..., None] == np.arange(int(num_classes))
    return out.astype(np.int64).view(Array)
