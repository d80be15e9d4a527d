"""Loss modules, as PyTorch's: thin modules over the losses of :mod:`glassnet.functional`.

Each is built with ``reduction="mean" | "sum" | "none"`` and called as
``loss(input, target)``; 'mean' averages over every entry, except where a class
``weight`` is given to :class:`CrossEntropyLoss` or :class:`NLLLoss` with class
labels: then, as in PyTorch, it divides by the summed weights of the targets' classes.
As PyTorch's, :class:`CrossEntropyLoss` and :class:`NLLLoss` leave out the samples whose
label is ``ignore_index`` (default −100) from the loss, the gradient and that divisor
(a batch of nothing but ignored labels is an error under 'mean', where PyTorch gives NaN);
:class:`BCELoss` clamps each log at −100; :class:`BCEWithLogitsLoss` takes ``pos_weight``.

Where glassnet differs from PyTorch on purpose, it refuses rather than guess: 'mean' over
an empty batch is an error (PyTorch gives NaN; 'sum' and 'none' agree); the classification
losses take inputs (N, C) only (PyTorch's unbatched (C,) and K-dimensional (N, C, d₁, …)
inputs are refused: move the class axis last and flatten, ``z.movedim(1, -1).reshape(-1, C)``
in PyTorch's terms, the labels ``y.reshape(-1)``); a regression target of another shape
than the input is refused (PyTorch warns and broadcasts (4, 1) against (4,) to (4, 4)); a
target holding NaN or inf (a regression target, probability rows, KLDivLoss's) is refused
(PyTorch gives a NaN loss, and the next optimizer step NaN weights: never a silent NaN), and
so is a ``weight`` or ``pos_weight`` of bools (as PyTorch refuses ``weight=True``) or one
below 0 (PyTorch takes it, and the loss then rewards that class's or entry's error: the
step ascends on it). A class-weighted 'mean' over labels of weight 0 alone is an error, as
an all-ignored batch is (0 / 0: PyTorch gives NaN).
It takes more than PyTorch does: class labels of any integer dtype, or floats holding
whole numbers, or bools (PyTorch wants int64 or uint8); probability rows for
:class:`NLLLoss`; BCE targets of an integer dtype. A class ``ignore_index`` (>= 0) with
probability rows is refused, as in PyTorch. As PyTorch's, a float64 Tensor target with a
float32 input gives a float64 loss (the input's gradient stays float32): a hand-written
loop's ``loss(model(x), gn.tensor(y))`` on a float64 NumPy y computes in float64 since
round 22 (:func:`glassnet.functional.mse` says more); a NumPy target is read in the
input's dtype.

>>> import numpy as np
>>> from glassnet import nn
>>> nn.CrossEntropyLoss(label_smoothing=0.1)(np.zeros((2, 3)), np.array([0, 2])).item()
1.0986122886681098
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .. import functional as F
from .._validation import (
    broadcasts_to,
    check_array,
    check_bool,
    check_choice,
    check_finite,
    check_number,
    check_weights,
    unmasked,
)
from ..ops import where
from ..tensor import Tensor, is_grad_enabled
from .module import Module


def _needs_grad(target: Any) -> bool:
    """Whether a gradient is to flow to ``target``: a Tensor that requires grad, with grad on."""
    return isinstance(target, Tensor) and target.requires_grad and is_grad_enabled()


def _array(target: Any, owner: str, name: str = "target") -> np.ndarray:
    """A target's or weight's values as an array; a masked cell refused (its hidden value
    would be read)."""
    target = unmasked(target, name, owner)
    return np.asarray(target.data if isinstance(target, Tensor) else target)


def _constant(value: Any, arg: str, name: str, owner: Any = None) -> np.ndarray | None:
    """A loss's ``weight`` or ``pos_weight`` as an array (None stays None): constants of the
    loss, which pass them no gradient. One that requires grad (with grad on) is refused, as
    PyTorch refuses it ("not differentiable with respect to argument 'weight'"), where its
    ``.grad`` would silently stay None. (PyTorch's cross-entropy with class-probability
    targets does differentiate its ``weight``; glassnet's refuses it there too, and says so.)
    One taken with grad off, by a loss module ``owner`` built under ``no_grad()``, is checked
    again at each of its calls (its ``forward``, wrapped on that module only): called with
    grad on, it is refused too."""
    if owner is not None and isinstance(value, Tensor) and value.requires_grad:
        forward = owner.forward

        def checked(*args: Any, **kwargs: Any) -> Any:
            _constant(value, arg, name)
            return forward(*args, **kwargs)

        owner.__dict__["forward"] = checked
    if _needs_grad(value):
        torch_does = (
            "PyTorch refuses it with class-index targets; with class-probability targets "
            "PyTorch gives it a gradient, which this loss does not"
            if name == "CrossEntropyLoss"
            else "PyTorch refuses it too"
        )
        raise RuntimeError(
            f"{name}: '{arg}' requires grad, but this loss takes it as a constant and passes it "
            f"no gradient ({torch_does}). Pass {arg}={arg}.detach() for fixed "
            "weights, or, to learn them, write the loss from Tensor ops (e.g. "
            "(w * per_entry_losses).sum(), with reduction='none')."
        )
    arr = None if value is None else _array(value, name, arg)
    if arr is not None and arr.dtype == bool:  # (True is no weight: PyTorch refuses True)
        raise TypeError(
            f"{name}: '{arg}' holds bools ({value!r:.40}), not weights (PyTorch refuses "
            f"weight=True; glassnet a bool array too: True is no weight). Pass numbers, e.g. "
            f"{arg}=np.array([1.0, 0.0]) for a mask of classes or outputs, or leave it out."
        )
    return arr


def no_legacy(name: str, size_average: Any, reduce: Any, slots: tuple[str, str]) -> None:
    """Refuse PyTorch's deprecated ``size_average`` and ``reduce`` (None: not given). The
    modules take PyTorch's positional order, where these hold the slots after ``weight``
    (``MSELoss('sum')`` is ``size_average='sum'`` there, a mean with a warning): a value in
    one is an error naming the ``reduction`` to pass, never read as another argument."""
    for arg, value, slot in zip(("size_average", "reduce"), (size_average, reduce), slots):
        if value is not None:
            raise TypeError(
                f"{name}: {arg}={value!r:.40} is PyTorch's deprecated argument (its {slot} "
                "positional one), which glassnet does not take: pass reduction='mean', 'sum' or "
                "'none' by keyword (size_average=False is reduction='sum', reduce=False is "
                f"reduction='none'), e.g. {name}(reduction='sum')."
            )


def _shift(w: np.ndarray, n: int, dtype: Any) -> int:
    """The k of 2**-k that scales class weights ``w`` (max > 0) of ``n`` labels so that their
    sum cannot overflow ``dtype``: 0 where n·max(w) stays below √max of dtype (the weights as
    given), else n·max(w) brought near √max, but no nonzero weight below dtype's smallest normal
    number (2**-k exact, so the loss and gradient are those of the weights given)."""
    fi = np.finfo(dtype)
    top = np.frexp(w.max())[1] + np.frexp(float(n))[1]  # (n·max(w) < 2**top, no inf)
    if top <= fi.maxexp // 2:
        return 0
    low = np.frexp(w[w > 0].min())[1] - 1 - fi.minexp  # (the smallest weight kept normal)
    return max(top - fi.maxexp + 1, min(top - fi.maxexp // 2, low))


class _Loss(Module):
    """Base: ``reduction`` checked, applied by :meth:`_reduce`; a ``weight`` array."""

    _hparams = ("reduction",)

    def __init__(self, reduction: str = "mean", weight: Any = None, ndim: Any = (1,)) -> None:
        name = type(self).__name__
        self.reduction = check_choice(reduction, "reduction", name, ("mean", "sum", "none"))
        w = _constant(weight, "weight", name, self)  # (a Tensor's values: a constant)
        w = None if w is None else check_array("weight", w, name, ndim=ndim)
        self.weight = None if w is None else check_weights(name, "weight", w)

    def _diff(self, x: Any, target: Any) -> Tensor:
        """d = ŷ − y for a numeric target of the prediction's shape, as :func:`F.mse` checks
        it: PyTorch warns and broadcasts (4, 1) against (4,) to (4, 4); glassnet refuses. A
        target that requires grad (another network's output) keeps its graph: dL/dy = −dL/dd,
        as in PyTorch."""
        x, y = F.check_target(type(self).__name__, x, target, graph=True)
        return x - (target.astype(x.dtype) if _needs_grad(target) else y)

    def _fixed(self, target: Any) -> Any:
        """``target``; refused where it requires grad, as this loss passes it no gradient."""
        if _needs_grad(target):
            raise RuntimeError(
                f"{type(self).__name__}: the target requires grad, but this loss passes no "
                "gradient to its target. Pass target.detach() for a fixed target, or write the "
                "loss from Tensor ops to differentiate it."
            )
        return target

    def _reduce(self, per: Tensor, total: Any = None) -> Tensor:
        """The per-entry losses as ``reduction`` says; 'mean' divides their sum by
        ``total`` (default: their number)."""
        if self.reduction == "none":
            return per
        if self.reduction == "mean" and per.data.size == 0:
            raise ValueError(
                f"{type(self).__name__}: the batch is empty; a mean over no losses has no value."
            )
        s = per.sum()
        return s if self.reduction == "sum" else s / (per.data.size if total is None else total)

    def _rows_in(self, x: Tensor) -> Tensor:
        """``x``; an empty batch under 'mean' refused in this loss's name (as :meth:`_reduce`
        refuses it), not in the name of the functional loss it calls."""
        if self.reduction == "mean" and not x.data.size:
            self._reduce(x)
        return x

    def _one_node(self, per: Tensor) -> Tensor:
        """:meth:`_reduce` of a loss node ``per`` of one input, as one node: its value is
        ``per.sum() / n`` as the Tensor ops compute it (n = 1 for 'sum': x / 1 is x), and
        per's backward takes g / n as it is (no sum and division nodes, nor the broadcast of
        g between them)."""
        n, back = float(per.data.size if self.reduction == "mean" else 1), per.backward_fn
        value = np.divide(np.add.reduce(per.data, axis=None), n)  # (Tensor.sum's reduce)
        return Tensor.from_op(value, per.op, per.parents, lambda g: back(g / n))

    def _rows(self, x: Tensor, target: Any, smoothing: float = 0.0) -> tuple[np.ndarray, Any]:
        """Target rows T = w ⊙ ((1 − ε) y + ε / C), y the one-hot rows of class labels (N,)
        or the given probability rows (N, C); and what 'mean' divides by: Σ_n w_{y_n} for
        labels, N for rows (PyTorch's rules). A label equal to ``ignore_index`` gives a row
        of zeros (no loss, no gradient) and adds nothing to Σ_n w_{y_n}."""
        t = _array(target, type(self).__name__)
        c = x.shape[-1] if x.ndim else 0
        skip = self._ignored(t)
        if skip is not None:
            t = np.where(skip, 0, t)
        self._check_nc(x, t)
        y = self._one_hot(t, c, x.dtype) if t.ndim == 1 else t.astype(x.dtype)
        if y.shape != x.shape:
            raise ValueError(
                f"{type(self).__name__} takes an input of shape (N, C) and class labels (N,) or "
                f"probability rows (N, C). Got {x.shape} and {t.shape}."
            )
        w = np.ones(c, x.dtype) if self.weight is None else self.weight
        if t.ndim == 1 and self.reduction == "mean" and w.size and w.max() > 0:
            w = np.ldexp(w, -_shift(w, len(x), x.dtype))  # (only ratios count: 1e38s add up)
        w = w.astype(x.dtype)
        if w.shape != (c,):
            raise ValueError(
                f"{type(self).__name__}: 'weight' has shape {w.shape} but the input has {c} "
                f"classes; pass one weight per class."
            )
        rows = w * ((1 - smoothing) * y + smoothing / c)
        if skip is not None:
            rows[skip], y[skip] = 0, 0
            if self.reduction == "mean" and skip.all():
                raise ValueError(
                    f"{type(self).__name__}: every label is ignore_index={self.ignore_index}; "
                    "a mean over no losses has no value (PyTorch gives NaN). Leave the batch "
                    "out, or use reduction='sum'."
                )
        total = (y @ w).sum() if t.ndim == 1 else len(x)
        if self.reduction == "mean" and total == 0 and len(x):  # (0 / 0, as every ignored)
            raise ValueError(
                f"{type(self).__name__}: every labelled sample here is of a class of weight 0, "
                "so 'mean''s divisor, the labels' summed class weights, is 0: a mean over no "
                "weight has no value (PyTorch gives NaN). Leave the batch out, or use "
                "reduction='sum'."
            )
        return rows, total

    def _one_hot(self, t: np.ndarray, c: int, dtype: Any) -> np.ndarray:
        """The one-hot rows of class labels ``t``; a bad label refused in this loss's name and
        the argument's (target), not in the name of ``one_hot``, which the user did not call."""
        try:
            return F.one_hot(t, c, dtype)
        except (TypeError, ValueError) as e:
            text = str(e)
            if not text.startswith("one_hot: labels"):
                raise
            text = f"{type(self).__name__}: target's labels{text[len('one_hot: labels') :]}"
            raise type(e)(text) from None

    def _check_nc(self, x: Any, t: np.ndarray) -> None:
        """Refuse an input other than (N, C) (PyTorch's unbatched (C,) or K-dimensional
        (N, C, d₁, …) inputs among them), saying how to bring it to (N, C), and probability
        rows that hold NaN or inf (:func:`check_finite`)."""
        if t.ndim > 1 and t.dtype.kind == "f":
            check_finite(type(self).__name__, t)
        shape = np.shape(x.data if isinstance(x, Tensor) else x)
        if len(shape) != 2:
            raise ValueError(
                f"{type(self).__name__} takes an input of shape (N, C) and class labels (N,) or "
                f"probability rows (N, C). Got {shape} and {t.shape}. For PyTorch's (N, C, d) "
                "move the class axis last and flatten, x.transpose(1, 2).reshape(-1, C) with "
                "labels y.reshape(-1); for one sample (C,), x.reshape(1, -1) and y.reshape(1)."
            )
        if t.shape == (shape[0], 1) and shape[1] > 1:  # a column of labels: glassnet.fit's y
            raise ValueError(  # for a loss function of the user's, or a (N, 1) label array
                f"{type(self).__name__}: the target is one column {t.shape} beside {shape[1]} "
                f"classes: labels go as (N,) integers, t.reshape(-1), or as probability rows "
                f"(N, {shape[1]}). (glassnet.fit gives a loss function of yours y as a float "
                f"NumPy column (N, 1): pass loss={type(self).__name__}() itself, which fit "
                "gives the labels as they are, or write t[:, 0].astype(int) in it.)"
            )

    def _ignored(self, t: np.ndarray) -> np.ndarray | None:
        """Where the class labels ``t`` equal ``ignore_index`` (None: nowhere, or no labels).
        With probability rows a class ``ignore_index`` >= 0 is refused, as PyTorch does:
        rows have no label to leave out."""
        ignore = getattr(self, "ignore_index", None)
        if t.ndim > 1 and ignore is not None and ignore >= 0:
            raise ValueError(
                f"{type(self).__name__}: ignore_index={ignore} leaves out class labels, but the "
                f"target is probability rows {t.shape}. Pass labels (N,), or leave "
                "ignore_index at its default."
            )
        if t.ndim != 1 or ignore is None or t.dtype.kind not in "iuf":
            return None
        skip = t == ignore
        return skip if skip.any() else None


class _Plain(_Loss):
    """A loss of PyTorch's signature ``(size_average=None, reduce=None, reduction='mean')``:
    ``reduction`` by keyword (or third), the deprecated two refused (:func:`no_legacy`)."""

    def __init__(self, size_average: Any = None, reduce: Any = None, reduction: str = "mean"):
        no_legacy(type(self).__name__, size_average, reduce, ("first", "second"))
        super().__init__(reduction)


class MSELoss(_Plain):
    """L = (ŷ − y)², averaged (PyTorch's ``nn.MSELoss``)."""

    def forward(self, x: Tensor, target: Any) -> Tensor:
        if _needs_grad(target):  # (the fused kernel passes the target no gradient)
            return self._reduce(self._diff(x, target) ** 2)
        x, y = F.check_target("MSELoss", x, target)  # (F.mse's, in this loss's name)
        return F.loss_node("mse", self._rows_in(x), y, self.reduction, None)


class L1Loss(_Plain):
    """L = |ŷ − y|, averaged (PyTorch's ``nn.L1Loss``); dL/dŷ = sign(ŷ − y)."""

    def forward(self, x: Tensor, target: Any) -> Tensor:
        return self._reduce(self._diff(x, target).abs())


class HuberLoss(_Loss):
    """L = ½ d² where |d| < δ, else δ (|d| − ½ δ), with d = ŷ − y and δ = ``delta``
    (PyTorch's ``nn.HuberLoss``): squared near the target, absolute far from it."""

    _hparams = ("reduction", "delta")

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction)
        self.delta = check_number(delta, "delta", "HuberLoss", low=0, low_open=True)

    def forward(self, x: Tensor, target: Any) -> Tensor:
        d = self._diff(x, target)
        a, delta = d.abs(), self.delta
        near = ~(a.data >= delta)  # d² from the near d only: a far one's overflows (|d| >
        dn = where(near, d, 0.0)  # 2e19 in float32), and its gradient, 0 · d, was NaN at d =
        # inf; a NaN d is near, so that its gradient is d's NaN (PyTorch's), not abs's 0
        return self._reduce(where(near, 0.5 * dn * dn, delta * (a - 0.5 * delta)))


class SmoothL1Loss(_Plain):
    """L = ½ d² / β where |d| < β, else |d| − ½ β, with d = ŷ − y and β = ``beta`` >= 0
    (PyTorch's ``nn.SmoothL1Loss``): HuberLoss divided by β; ``beta=0`` is L1Loss, as in
    PyTorch. Its arguments as PyTorch's: ``reduction`` by keyword (the deprecated
    ``size_average`` and ``reduce`` before it refused), then ``beta``."""

    _hparams = ("reduction", "beta")

    def __init__(
        self,
        size_average: Any = None,
        reduce: Any = None,
        reduction: str = "mean",
        beta: float = 1.0,
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.beta = check_number(beta, "beta", "SmoothL1Loss", low=0)

    def forward(self, x: Tensor, target: Any) -> Tensor:
        d = self._diff(x, target)
        a, beta = d.abs(), self.beta
        if beta == 0:
            return self._reduce(a)
        near = ~(a.data >= beta)  # d² of the near d only, as HuberLoss (no overflow far away;
        # a NaN d near: its gradient NaN, as PyTorch's)
        dn = where(near, d, 0.0)
        # d · (d / 2β): |d / 2β| < 1/2 where it is used, where 0.5 / β overflows for a tiny β
        return self._reduce(where(near, dn * (dn / (2 * beta)), a - 0.5 * beta))


class KLDivLoss(_Loss):
    """The Kullback-Leibler divergence of the distribution ``target`` from the log-
    probabilities ``input`` (PyTorch's ``nn.KLDivLoss``), per entry
    L = y (log y − x) (0 where y = 0), or with ``log_target=True`` (the target given as
    log-probabilities) L = eʸ (y − x); dL/dx = −y (−eʸ). A target that requires grad gets
    its gradient too (log y + 1 − x; eʸ (y − x + 1)).

    ``reduction``: ``'batchmean'`` (the KL divergence: the sum over a batch ÷ its rows, the
    input's first axis), ``'sum'``, ``'none'``, or ``'mean'`` (PyTorch's default: the mean
    over *every entry*, which is not the divergence; it warns, as PyTorch's does, to use
    'batchmean'). A target outside [0, ∞) (without ``log_target``) is refused: PyTorch's
    loss is NaN there. Where y = 0 (eʸ = 0) the entry is 0 even if x = −inf (a masked class:
    PyTorch gives NaN)."""

    _hparams = ("reduction", "log_target")
    _stacklevel = 3  # ('mean''s warning names the caller's line; F.kl_div's one more up)

    def __init__(
        self,
        size_average: Any = None,
        reduce: Any = None,
        reduction: str = "mean",
        log_target: bool = False,
    ) -> None:
        no_legacy("KLDivLoss", size_average, reduce, ("first", "second"))
        choices = ("mean", "batchmean", "sum", "none")
        self.reduction = check_choice(reduction, "reduction", "KLDivLoss", choices)
        self.weight = None
        self.log_target = check_bool(log_target, "log_target", "KLDivLoss")

    def forward(self, x: Tensor, target: Any) -> Tensor:
        x, y = F.check_target("KLDivLoss", x, target, graph=True, finite=False)
        t = target.astype(x.dtype) if _needs_grad(target) else Tensor(y)
        bad = y[~((y < np.inf) & ((y >= 0) | self.log_target))]  # (NaN too; -inf: log 0)
        if bad.size:
            raise ValueError(
                "KLDivLoss: the target must hold log-probabilities (log_target=True): numbers "
                f"below inf, -inf for a probability 0, no NaN. Got {bad.size} value(s) "
                f"outside, the first {bad[0]}."
                if self.log_target
                else "KLDivLoss: the target must hold probabilities (finite, >= 0). Got "
                f"{bad.size} value(s) outside, the first {bad[0]}; for log-probabilities pass "
                "log_target=True."
            )
        if not self.log_target:
            keep = y > 0
            ts = where(keep, t, 1.0)  # (log 1 = 0 where y = 0: no log 0)
            per = where(keep, ts * (ts.log() - where(keep, x, 0.0)), 0.0)
        else:
            e = t.exp()
            keep = e.data > 0
            ts = where(keep, t, 0.0)
            per = where(keep, e * (ts - where(keep, x, 0.0)), 0.0)
        lost = np.isnan(x.data) & ~keep  # a NaN input beside a target 0 stays NaN, as PyTorch's
        if lost.any():  # (a NaN of no gradient: dL/dx there is −y = 0, as PyTorch's)
            per = where(lost, np.nan, per)
        if self.reduction == "mean":
            warnings.warn(
                "KLDivLoss: reduction='mean' divides the total loss by both the batch size and "
                "the support size (as PyTorch's, which warns the same); 'batchmean' divides "
                "only by the batch size and is the KL divergence. Pass reduction='batchmean'.",
                UserWarning,
                stacklevel=self._stacklevel,
            )
        if self.reduction == "batchmean":
            if per.ndim and not per.shape[0]:
                raise ValueError("KLDivLoss: the batch is empty; a mean over no rows has no value.")
            return per.sum() / (per.shape[0] if per.ndim else 1)
        return self._reduce(per)


_BCE_EPS = float(np.float32(1e-12))  # PyTorch's floor of p (1 − p), a float32 constant


def _bce(x: Tensor, target: Any) -> Tensor:
    """PyTorch's BCE per entry, −(y max(log p, −100) + (1 − y) max(log(1 − p), −100)), and
    its gradient (p − y) / max(p (1 − p), ε), ε = float32(1e-12): finite at p = 0 and 1,
    and 0 there where y = p (:func:`F.binary_cross_entropy` clips p to [eps, 1 − eps])."""
    x, y = F.check_target("BCELoss", x, target)
    p = x.data
    for name, a in (("input", p), ("target", y)):
        bad = a[~((a >= 0) & (a <= 1))]  # (NaN too)
        if bad.size:
            raise ValueError(
                f"BCELoss: the {name} must lie in [0, 1] (probabilities). Got {bad.size} "
                f"value(s) outside, the first {bad[0]}; for logits use BCEWithLogitsLoss."
            )
    with np.errstate(divide="ignore"):
        per = (y - 1) * np.maximum(np.log1p(-p), -100) - y * np.maximum(np.log(p), -100)
    d = (p - y) / np.maximum(p * (1 - p), p.dtype.type(_BCE_EPS))
    return Tensor.from_op(per, "binary_cross_entropy", (x,), lambda g: (g * d,))


def _bce_pos(x: Tensor, target: Any, pos_weight: np.ndarray) -> Tensor:
    """PyTorch's BCE from logits z with ``pos_weight`` w⁺: L = −(w⁺ y log σ(z) + (1 − y)
    log(1 − σ(z))) = (1 − y) softplus(z) + w⁺ y softplus(−z), two terms of one sign (not
    PyTorch's (1 − y) z + (1 + (w⁺ − 1) y) softplus(−z), whose terms cancel: 0 for 3e-7 at
    z = −15, y = 0 in float32, and inf for z = −3e38); dL/dz = (1 + (w⁺ − 1) y) σ(z) − w⁺ y."""
    x, y = F.check_target("BCEWithLogitsLoss", x, target)
    F.unit_target("BCEWithLogitsLoss", y)
    z, pw = x.data, pos_weight.astype(x.dtype)
    if not broadcasts_to(pw.shape, z.shape):
        raise ValueError(
            f"BCEWithLogitsLoss: 'pos_weight' of shape {pw.shape} does not broadcast against "
            f"the input's shape {z.shape}; pass one weight per output (the last axis)."
        )
    lw = (pw - 1) * y + 1
    sp = np.log1p(np.exp(-np.abs(z)))  # softplus(±z) = max(±z, 0) + sp
    # each term only where its factor is not 0: at z = ±inf the other term is inf (0 inf = NaN)
    per = np.multiply(1 - y, np.maximum(z, 0) + sp, out=np.zeros_like(z), where=y != 1)
    per += np.multiply(pw * y, np.maximum(-z, 0) + sp, out=np.zeros_like(z), where=y != 0)
    d = lw * np.exp(-np.logaddexp(0, -z)) - pw * y  # (σ(z) without overflow)
    return Tensor.from_op(per, "binary_cross_entropy_with_logits", (x,), lambda g: (g * d,))


class BCELoss(_Loss):
    """L = −w (y log p + (1 − y) log(1 − p)) on probabilities p (PyTorch's ``nn.BCELoss``);
    ``weight`` rescales each entry (broadcast against the input). As PyTorch's, each log is
    clamped at −100 (p = 0 or 1 gives a loss of at most 100 per entry, and 0 where y = p)
    and the gradient is (p − y) / max(p (1 − p), 1e-12); targets outside [0, 1] are refused.
    A ``weight`` below 0, NaN or inf is refused (PyTorch takes it: a negative weight rewards
    that entry's error). On a saturated sigmoid this loss, ``glassnet.functional``'s
    (clipped at eps) and fit's (of the logits) differ: :func:`F.binary_cross_entropy` says
    how."""

    def __init__(
        self,
        weight: Any = None,
        size_average: Any = None,
        reduce: Any = None,
        reduction: str = "mean",
    ) -> None:
        no_legacy(type(self).__name__, size_average, reduce, ("second", "third"))
        super().__init__(reduction, weight, ndim=(0, 1, 2))

    def _per(self, x: Tensor, target: Any) -> Tensor:
        return _bce(x, target)

    def forward(self, x: Tensor, target: Any) -> Tensor:
        per = self._per(x, self._fixed(target))
        w = self.weight  # in the input's dtype: a float64 weight leaves float32 losses float32
        if w is None and self.reduction != "none" and per.data.size:
            return self._one_node(per)
        return self._reduce(per if w is None else per * w.astype(per.dtype, copy=False))


class BCEWithLogitsLoss(BCELoss):
    """BCE from logits z, p = σ(z), computed stably (PyTorch's ``nn.BCEWithLogitsLoss``):
    ``weight`` rescales each entry, ``pos_weight`` w⁺ (one per output, broadcast against
    the input) the positive term: L = −w (w⁺ y log σ(z) + (1 − y) log(1 − σ(z)))."""

    def __init__(
        self,
        weight: Any = None,
        size_average: Any = None,
        reduce: Any = None,
        reduction: str = "mean",
        pos_weight: Any = None,
    ) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        pw = _constant(pos_weight, "pos_weight", "BCEWithLogitsLoss", self)
        pw = (
            None
            if pw is None
            else check_array("pos_weight", pw, "BCEWithLogitsLoss", ndim=(0, 1, 2))
        )
        self.pos_weight = (
            None if pw is None else check_weights("BCEWithLogitsLoss", "pos_weight", pw)
        )

    def _per(self, x: Tensor, target: Any) -> Tensor:
        if self.pos_weight is None:  # (F.binary_cross_entropy_with_logits, named as this)
            x, y = F.check_target("BCEWithLogitsLoss", x, target)
            F.unit_target("BCEWithLogitsLoss", y)
            return F.loss_node("binary_cross_entropy_with_logits", x, y, "none", None)
        F.check_logits("binary_cross_entropy_with_logits", x)  # (as the plain route)
        return _bce_pos(x, target, self.pos_weight)


class CrossEntropyLoss(_Loss):
    """Softmax cross-entropy from logits (N, C) (PyTorch's ``nn.CrossEntropyLoss``).

    ``target``: class labels (N,) or probability rows (N, C). ``weight`` (C,) weighs each
    class; ``label_smoothing`` ε mixes the target with the uniform distribution:
    L_n = −Σ_c w_c ((1 − ε) y_{n,c} + ε / C) log softmax(z_n)_c. A sample whose label is
    ``ignore_index`` (default −100, PyTorch's) has no loss and no gradient, and 'mean'
    leaves it out of its divisor. A labelled sample of a class of weight 0 adds 0 and no
    gradient, as in :class:`NLLLoss`, even at a logit −inf (PyTorch's is NaN, 0 · inf).
    """

    _hparams = ("reduction", "label_smoothing", "ignore_index")

    def __init__(
        self,
        weight: Any = None,
        size_average: Any = None,
        ignore_index: int = -100,
        reduce: Any = None,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        no_legacy("CrossEntropyLoss", size_average, reduce, ("second", "fourth"))
        super().__init__(reduction, weight)
        self.ignore_index = check_number(
            ignore_index, "ignore_index", "CrossEntropyLoss", integer=True
        )
        self.label_smoothing = check_number(
            label_smoothing, "label_smoothing", "CrossEntropyLoss", low=0, high=1
        )

    def _plain(self, x: Any, t: np.ndarray) -> bool:
        """Whether the loss is the fused kernel alone (no weight, no smoothing) on NumPy logits
        x (N, C) and integer labels t (N,) in [0, C), none of them ``ignore_index``: what
        :func:`F.cross_entropy` checks before its kernel and :meth:`_ignored` looks for, in
        one pass over the labels (a hand-written loop calls this every step). Anything else
        takes the general path, and its errors."""
        d = x.data if isinstance(x, Tensor) else None
        if type(d) is not np.ndarray or d.ndim != 2 or self.weight is not None:
            return False
        c = d.shape[1]
        if self.label_smoothing or 0 <= self.ignore_index < c or t.dtype.kind not in "iu":
            return False  # (negative labels read as huge: the view's max finds them)
        u = f"{t.dtype.byteorder}u{t.itemsize}"  # (unsigned, in the labels' byte order)
        return t.shape == (d.shape[0],) and t.size > 0 and np.maximum.reduce(t.view(u)) < c

    def forward(self, x: Tensor, target: Any) -> Tensor:
        target = self._fixed(target)
        t = _array(target, type(self).__name__)
        if self._plain(x, t):
            return F.loss_node("cross_entropy", x, t, self.reduction, None)
        F.check_logits("cross_entropy", x)  # (weights, smoothing, ignore_index: as the plain)
        self._check_nc(x, t)
        skip = self._ignored(t)
        if self.weight is None and not self.label_smoothing and skip is None:
            return F.cross_entropy(self._rows_in(x), target, self.reduction)  # the fused kernel
        if skip is not None and np.shape(x) == (len(t), np.shape(x)[-1]):
            x = where(skip[:, None], 0.0, x)  # (an ignored row's −inf logit: no 0 · inf = NaN)
        rows, total = self._rows(x, target, self.label_smoothing)
        if t.ndim == 1 and not self.label_smoothing:  # class labels: w_{y_n} L_n, from the
            # labels, as PyTorch (the rows' 0 · log 0 at a class of logit −inf would be NaN)
            t = t if skip is None else np.where(skip, 0, t)  # (an ignored row's weight is 0)
            w = rows.sum(axis=1)  # a sample of a class of weight 0 adds 0 (and no gradient),
            # as NLLLoss picks: its L_n = inf at a logit −inf gave 0 · inf = NaN (PyTorch's)
            return self._reduce(where(w != 0, F.cross_entropy(x, t, "none"), 0.0) * w, total)
        return self._reduce(F.cross_entropy(x, rows, "none"), total)


class NLLLoss(_Loss):
    """L_n = −w_{y_n} x_{n, y_n} on log-probabilities x (N, C), e.g. from
    ``F.log_softmax``, and class labels y (N,) (PyTorch's ``nn.NLLLoss``; probability rows
    (N, C) give −Σ_c w_c y_{n,c} x_{n,c}). A label equal to ``ignore_index`` (default −100)
    is left out, as in :class:`CrossEntropyLoss`."""

    _hparams = ("reduction", "ignore_index")

    def __init__(
        self,
        weight: Any = None,
        size_average: Any = None,
        ignore_index: int = -100,
        reduce: Any = None,
        reduction: str = "mean",
    ) -> None:
        no_legacy("NLLLoss", size_average, reduce, ("second", "fourth"))
        super().__init__(reduction, weight)
        self.ignore_index = check_number(ignore_index, "ignore_index", "NLLLoss", integer=True)

    def forward(self, x: Tensor, target: Any) -> Tensor:
        rows, total = self._rows(x, self._fixed(target))
        picked = where(rows != 0, x, 0.0)  # (0 · x is 0 where x = −inf: a masked class)
        return self._reduce(-(picked * rows).sum(axis=1), total)
