"""The training loop: mini-batch gradient descent with termination criteria.

``fit`` follows the lecture's recipe (start at some w; step against the gradient;
repeat until a termination criterion holds) and scikit-learn's ``_fit_stochastic``:
shuffle indices, weight each batch by its size, record the curve, stop with a
message naming the criterion, and let Ctrl-C return what was learned so far.

Two engines run the same mathematics:

* ``"graph"`` builds the computational graph of every step with
  :class:`~glassnet.Tensor` and calls ``backward()``: any model, any loss.
* ``"fused"`` handles the lecture's networks (a ``Sequential``/``MLP`` of
  ``Linear`` layers, each followed by an elementwise activation, optionally a
  softmax head) with the backward pass written out once: preallocated buffers,
  ``out=`` NumPy calls, activations done in place, the output activation fused
  with its loss (``dL/dz = y_hat - y`` for softmax + cross-entropy and sigmoid +
  binary cross-entropy). It records the step once and replays it, which is where
  glassnet's speed comes from. Tests check that both engines give the same
  gradients.

``engine="auto"`` (default) picks ``"fused"`` when the model and loss allow it.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import functional as F
from . import optim as optim_mod
from ._validation import as_rng, check_array, check_positive
from .metrics import r2_score
from .nn.layers import ActivationModule, Dropout, Linear, Sequential
from .nn.module import Module, Parameter
from .tensor import Tensor, no_grad

__all__ = [
    "fit",
    "History",
    "Callback",
    "TrainState",
    "DivergenceError",
    "evaluate_loss",
    "Objective",
    "as_callback",
]

STOP_REASONS = {
    "max_epochs": "reached the maximum number of epochs",
    "max_steps": "reached the maximum number of steps",
    "tol": "training loss improved by less than tol for n_iter_no_change epochs",
    "early_stopping": "validation loss did not improve for n_iter_no_change epochs "
    "(best weights restored)",
    "callback": "a callback asked to stop",
    "interrupted": "interrupted by the user (KeyboardInterrupt); the weights learned so far "
    "are kept (the best ones, with early stopping)",
    "min_lr": "the adaptive learning rate reached its minimum",
}


class DivergenceError(FloatingPointError):
    """Training produced a NaN or infinite loss. ``.history`` holds the run so far."""

    def __init__(self, message: str, history: History) -> None:
        super().__init__(message)
        self.history = history


@dataclass
class History:
    """What ``fit`` did: the curves, the stop reason and counters.

    Attributes
    ----------
    loss : list of float
        Training loss per epoch (batch losses weighted by batch size).
    val_loss, val_metric : list of float
        Validation loss and metric (accuracy for classification, R^2 for regression)
        per epoch, when validation data is used.
    stop_reason : str
        One of ``max_epochs``, ``max_steps``, ``tol``, ``early_stopping``,
        ``callback``, ``interrupted``, ``min_lr``.
    epochs, steps : int
        Epochs (complete or not) and optimizer steps run.
    engine : str
        ``"fused"`` or ``"graph"``.
    diagnostics : list of dict
        Per-epoch training diagnostics when ``diagnostics=True`` (see fit).
    """

    loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_metric: list[float] = field(default_factory=list)
    metric_name: str = ""
    lr: list[float] = field(default_factory=list)
    stop_reason: str = ""
    epochs: int = 0
    steps: int = 0
    samples_seen: int = 0
    best_epoch: int | None = None
    best_loss: float = math.inf
    engine: str = ""
    diagnostics: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        """One sentence naming the criterion that stopped training."""
        why = STOP_REASONS.get(self.stop_reason, self.stop_reason)
        return f"Stopped after {self.epochs} epochs ({self.steps} steps): {why}."

    def __repr__(self) -> str:
        last = f"{self.loss[-1]:.6g}" if self.loss else "n/a"
        return (
            f"History(epochs={self.epochs}, steps={self.steps}, loss={last}, "
            f"stop_reason={self.stop_reason!r}, engine={self.engine!r})"
        )


@dataclass
class TrainState:
    """Handed to callbacks: read anything, set ``stop = True`` to end training."""

    model: Module
    optimizer: Any
    history: History
    epoch: int = 0
    step: int = 0
    batch_loss: float = math.nan
    epoch_loss: float = math.nan
    stop: bool = False


class Callback:
    """Override any of these; a plain function passed as a callback is ``on_epoch_end``."""

    def on_train_begin(self, state: TrainState) -> None: ...

    def on_epoch_end(self, state: TrainState) -> None: ...

    def on_step_end(self, state: TrainState) -> None: ...

    def on_train_end(self, state: TrainState) -> None: ...


class _FunctionCallback(Callback):
    def __init__(self, fn: Callable[[TrainState], Any]) -> None:
        self.fn = fn

    def on_epoch_end(self, state: TrainState) -> None:
        # True or numpy's True (``np.mean(...) < t``) stops; None and other values do not
        result = self.fn(state)
        if isinstance(result, (bool, np.bool_)) and result:
            state.stop = True


# ------------------------------------------------------------------- losses
_LOSS_NAMES = {
    "mse": "mse",
    "squared_error": "mse",
    "half_mse": "half_mse",
    "binary_cross_entropy": "bce",
    "bce": "bce",
    "log_loss": "ce",
    "binary_cross_entropy_with_logits": "bce_logits",
    "cross_entropy": "ce",
    "ce": "ce",
}


def _loss_kind(loss: Any) -> str | None:
    if loss is None or callable(loss):
        return None
    if not isinstance(loss, str) or loss not in _LOSS_NAMES:
        raise ValueError(
            f"The 'loss' parameter of fit must be a callable or one of "
            f"{sorted(set(_LOSS_NAMES))}. Got {loss!r}."
        )
    return _LOSS_NAMES[loss]


def _head(model: Module) -> str:
    """The name of the model's final activation when it is a Sequential, else ''."""
    if (
        isinstance(model, Sequential)
        and model.layers
        and isinstance(model.layers[-1], ActivationModule)
    ):
        return model.layers[-1].name
    return ""


def _loss_parts(
    model: Module, kind: str | None, loss: Any
) -> tuple[Callable[[Tensor], Tensor], Callable[..., Tensor], Module | None]:
    """``(forward, loss_fn, head)`` for the graph engine.

    ``loss_fn(forward(x), y, w)`` is the scalar loss. A sigmoid/softmax head is fused into
    its cross-entropy: ``forward`` stops at the logits (stable, dL/dz = y_hat - y) and
    ``head`` turns them into the model's output; otherwise ``forward`` is the model and
    ``head`` is None.
    """
    if kind is None:
        return model, lambda out, y, w: loss(out, y), None
    head = _head(model)
    if (kind == "ce" and head == "softmax") or (kind == "bce" and head == "sigmoid"):
        fn = F.cross_entropy if kind == "ce" else F.binary_cross_entropy_with_logits
        body = model[:-1]  # type: ignore[index]
        return body, lambda z, y, w: fn(z, y, sample_weight=w), model.layers[-1]  # type: ignore[attr-defined]
    fns = {
        "mse": F.mse,
        "half_mse": lambda p, t, sample_weight=None: F.mse(
            p, t, half=True, sample_weight=sample_weight
        ),
        "bce": F.binary_cross_entropy,
        "bce_logits": F.binary_cross_entropy_with_logits,
        "ce": F.cross_entropy,
    }
    f = fns[kind]
    return model, lambda out, y, w: f(out, y, sample_weight=w), None


def _graph_loss(model: Module, kind: str | None, loss: Any) -> Callable[..., Tensor]:
    """``f(x, y, w) -> scalar Tensor``: the loss of the model's forward pass (see _loss_parts)."""
    forward, loss_fn, _ = _loss_parts(model, kind, loss)
    return lambda x, y, w: loss_fn(forward(x), y, w)


def evaluate_loss(
    model: Module, X: Any, y: Any, loss: Any = "mse", sample_weight: Any = None
) -> float:
    """The loss of ``model`` on (X, y) without recording a graph, in eval mode.

    ``y`` is checked and shaped as in :func:`fit` (1-D targets of one output are fine).
    """
    kind = _loss_kind(loss)
    f = _graph_loss(model, kind, loss)
    dtype = _model_dtype(model)
    X = check_array("X", X, "evaluate_loss", ndim=(2,), dtype=dtype)
    y = check_array("y", y, "evaluate_loss", ndim=(1, 2))
    y = _prepare_targets(kind, y, dtype, _n_outputs(model), owner="evaluate_loss")
    was = model.training
    model.eval()
    try:
        with no_grad():
            return float(f(Tensor(X), y, sample_weight).data)
    finally:
        model.train(was)


# ------------------------------------------------------------- fused engine
_FUSABLE_ACTS = {"identity", "sigmoid", "tanh", "relu", "leaky_relu"}


def _fused_layers(model: Module, kind: str | None) -> list[tuple[Linear, str, float]] | None:
    """Describe ``model`` as [(Linear, activation, alpha)] if the fused engine handles it."""
    if kind is None or not isinstance(model, Sequential):
        return None
    layers: list[tuple[Linear, str, float]] = []
    mods = model.layers
    i = 0
    while i < len(mods):
        m = mods[i]
        if not isinstance(m, Linear):
            return None
        act, alpha = "identity", 0.0
        if i + 1 < len(mods) and isinstance(mods[i + 1], ActivationModule):
            act = mods[i + 1].name
            alpha = getattr(mods[i + 1], "alpha", 0.0)
            i += 1
        if act not in _FUSABLE_ACTS and not (act == "softmax" and i == len(mods) - 1):
            return None
        layers.append((m, act, alpha))
        i += 1
    if not layers:
        return None
    dtypes = {lin.W.dtype for lin, _, _ in layers}
    if len(dtypes) != 1:
        return None
    out = layers[-1][1]
    ok = {
        "ce": ("softmax", "identity"),
        "bce": ("sigmoid",),
        "bce_logits": ("identity",),
        "mse": tuple(_FUSABLE_ACTS),
        "half_mse": tuple(_FUSABLE_ACTS),
    }[kind]
    return layers if out in ok else None


class _FusedStep:
    """Forward, loss, backward of an MLP written out once, replayed on every batch.

    Buffers are allocated per batch size and reused; activations are applied in
    place (each g'(z) is computed from a = g(z)); gradients are written straight
    into each parameter's ``.grad`` (the optimizer's flat buffer when it has one).
    """

    def __init__(self, layers: list[tuple[Linear, str, float]], kind: str, l2: float) -> None:
        self.layers = layers
        self.kind = kind
        self.l2 = l2
        self.dtype = layers[0][0].W.dtype
        self._bufs: dict[int, tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]] = {}
        self._ones_buf = np.ones(0, self.dtype)

    def _buffers(self, n: int) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
        b = self._bufs.get(n)
        if b is None:
            acts = [np.empty((n, lin.neurons), self.dtype) for lin, _, _ in self.layers]
            grads = [np.empty((n, lin.neurons), self.dtype) for lin, _, _ in self.layers]
            masks = [np.empty((n, lin.neurons), bool) for lin, _, _ in self.layers]
            b = self._bufs[n] = (acts, grads, masks)
        return b

    def _ones(self, n: int) -> np.ndarray:
        ones = self._ones_buf
        if ones.shape[0] < n:
            ones = self._ones_buf = np.ones(n, self.dtype)
        return ones[:n]

    @staticmethod
    def _grad_array(p: Parameter) -> np.ndarray:
        if p.grad is None or p.grad.shape != p.data.shape:
            p.grad = np.zeros_like(p.data)
        return p.grad

    def forward(self, X: np.ndarray) -> list[np.ndarray]:
        """Each layer's activation a = g(X_prev @ W + b) for the batch X. A sigmoid or softmax
        head fused with its cross-entropy is left to the loss: its buffer holds logits."""
        acts, _, _ = self._buffers(X.shape[0])
        a = X
        last = len(self.layers) - 1
        for i, ((lin, act, alpha), A) in enumerate(zip(self.layers, acts)):
            if i == last and self.kind in ("ce", "bce"):
                act = "identity"  # the head: softmax / sigmoid is applied inside the loss
            np.matmul(a, lin.W.data, out=A)  # (n, neurons)
            if lin.b is not None:
                np.add(A, lin.b.data, out=A)
            if act == "relu":
                np.maximum(A, 0, out=A)
            elif act == "sigmoid":  # (1 + tanh(z/2)) / 2, as functional.sigmoid_fn
                np.multiply(A, 0.5, out=A)
                np.tanh(A, out=A)
                np.add(A, 1.0, out=A)
                np.multiply(A, 0.5, out=A)
            elif act == "tanh":
                np.tanh(A, out=A)
            elif act == "leaky_relu":
                np.maximum(A, A * alpha, out=A)
            a = A
        return acts

    def step(self, X: np.ndarray, y: np.ndarray, w: np.ndarray | None, scale: float = 1.0) -> float:
        """One forward + backward on a batch; fills the parameters' ``.grad`` with
        ``scale * dL/dparam`` (``scale`` = lr folds plain SGD's learning rate into the output
        gradient, so the update is one subtraction). Returns the loss."""
        n = X.shape[0]
        _, dbufs, masks = self._buffers(n)
        # 1) forward, keeping each layer's activation (z is not needed: g' comes from a)
        acts = self.forward(X)
        # 2) loss and dL/dz of the output layer (the head fused with its loss)
        L = len(self.layers)
        out_act = self.layers[-1][1]
        Z = acts[-1]  # output activation; logits when the head is fused with ce / bce
        G = dbufs[-1]
        kind = self.kind
        if kind == "ce":
            if out_act == "softmax" or out_act == "identity":
                m = np.maximum.reduce(Z, axis=1, keepdims=True)  # (n, 1)
                np.subtract(Z, m, out=G)
                np.exp(G, out=G)
                s = np.add.reduce(G, axis=1, keepdims=True)  # (n, 1)
                np.divide(G, s, out=G)  # softmax probabilities
                logs = np.log(s)
                logs += m
                if y.ndim == 1:
                    rows = np.arange(n)
                    per = logs[:, 0] - Z[rows, y]  # -log p_y
                    G[rows, y] -= 1.0
                else:  # -sum_i y_i log p_i = logsumexp(z) sum_i y_i - sum_i y_i z_i
                    per = logs[:, 0] * y.sum(axis=1) - (Z * y).sum(axis=1)
                    G *= y.sum(axis=1, keepdims=True)
                    G -= y
        elif kind == "bce" or kind == "bce_logits":
            # Z holds the logits z (a sigmoid head is fused): stable at any z, dL/dz = sigma(z) - y
            per = np.maximum(Z, 0) - Z * y + np.log1p(np.exp(-np.abs(Z)))
            np.subtract(F.sigmoid_fn(Z), y, out=G)
        else:  # mse / half_mse on the output activation
            np.subtract(Z, y, out=G)
            per = G * G
            c = 1.0 if kind == "mse" else 0.5
            if c != 1.0:
                per *= c
            G *= 2.0 * c
            self._times_gprime(G, Z, out_act, self.layers[-1][2], masks[-1])
        count = per.size
        if w is not None:
            wr = w.reshape((-1,) + (1,) * (per.ndim - 1))
            per = per * wr
            G *= w.reshape(-1, 1)
        loss = float(np.add.reduce(per, axis=None)) / count
        G *= scale / count  # the mean over per-sample (ce) or per-element (bce, mse) losses
        # 3) backward through the layers: dL/dW = A_prev^T G, dL/db = sum_rows G
        l2 = self.l2
        for i in range(L - 1, -1, -1):
            lin, _, _ = self.layers[i]
            a_prev = acts[i - 1] if i > 0 else X
            G = dbufs[i]
            np.matmul(a_prev.T, G, out=self._grad_array(lin.W))
            if lin.b is not None:
                # dL/db = 1ᵀ G as a matrix-vector product (BLAS, faster than a column sum)
                np.matmul(self._ones(n), G, out=self._grad_array(lin.b))
            if l2:
                lin.W.grad += (scale * l2 / n) * lin.W.data
                loss += 0.5 * l2 / n * float(np.vdot(lin.W.data, lin.W.data))
            if i > 0:
                D = dbufs[i - 1]
                np.matmul(G, lin.W.data.T, out=D)  # dL/da of the layer below
                prev_lin, prev_act, prev_alpha = self.layers[i - 1]
                self._times_gprime(D, acts[i - 1], prev_act, prev_alpha, masks[i - 1])
        return loss

    @staticmethod
    def _times_gprime(
        D: np.ndarray, A: np.ndarray, act: str, alpha: float, mask: np.ndarray
    ) -> None:
        """D *= g'(z), with g'(z) computed from a = g(z)."""
        if act == "relu":
            np.greater(A, 0, out=mask)
            np.multiply(D, mask, out=D)
        elif act == "sigmoid":
            t = 1.0 - A
            t *= A
            np.multiply(D, t, out=D)
        elif act == "tanh":
            t = A * A
            np.subtract(1.0, t, out=t)
            np.multiply(D, t, out=D)
        elif act == "leaky_relu":
            np.greater(A, 0, out=mask)
            D[~mask] *= alpha


class Objective:
    """The loss of ``model`` on fixed data, and its gradient, at the current weights.

    For optimizers that drive training themselves (SciPy's L-BFGS behind
    ``glassnet.sklearn``): each call runs one forward and one backward pass — on the fused
    engine when the model and loss allow it, on the autodiff graph otherwise — returns
    L(w) and leaves dL/dw in every parameter's ``.grad``. Buffers are reused across calls.

    Parameters
    ----------
    model : Module
    X : array of shape (n_samples, n_features); y : targets as :func:`fit` takes them
    loss : a loss name of :func:`fit`, or ``f(output, y) -> scalar Tensor``
    sample_weight : array of shape (n_samples,), optional (named losses only)
    l2 : float
        Adds ``l2 / (2 n_samples) * sum ||W||^2`` over weight matrices, as :func:`fit` does.
    """

    def __init__(
        self,
        model: Module,
        X: Any,
        y: Any,
        loss: str | Callable[..., Tensor] = "mse",
        *,
        sample_weight: Any = None,
        l2: float = 0.0,
    ) -> None:
        self.model = model
        self.kind = _loss_kind(loss)
        dtype = _model_dtype(model)
        self.X = check_array("X", X, "Objective", ndim=(2,), dtype=dtype)
        y = check_array("y", y, "Objective", ndim=(1, 2))
        self.y = _prepare_targets(self.kind, y, dtype, _n_outputs(model), owner="Objective")
        self.w = (
            None
            if sample_weight is None
            else check_array("sample_weight", sample_weight, "Objective", ndim=(1,), dtype=dtype)
        )
        if self.w is not None and self.kind is None:
            raise ValueError(
                "Objective: sample_weight needs a named loss; a custom loss function "
                "receives (output, y) only."
            )
        self.l2 = float(check_positive("l2", l2, "Objective", allow_zero=True))
        layers = _fused_layers(model, self.kind)
        self.fused = _FusedStep(layers, self.kind, self.l2) if layers is not None else None
        self.engine = "fused" if self.fused is not None else "graph"
        self._graph_loss = None if self.fused else _graph_loss(model, self.kind, loss)
        self._weights = [m.W for m in model.modules() if isinstance(m, Linear)]

    def __call__(self) -> float:
        """L(w) for the current weights; dL/dw is left in each parameter's ``.grad``."""
        if self.fused is not None:
            return self.fused.step(self.X, self.y, self.w)
        self.model.zero_grad()
        lt = self._graph_loss(Tensor(self.X), self.y, self.w)  # type: ignore[misc]
        for W in self._weights if self.l2 else ():
            lt = lt + (W * W).sum() * (0.5 * self.l2 / self.X.shape[0])
        lt.backward()
        return float(lt.data)


def as_callback(c: Callback | Callable[[TrainState], Any]) -> Callback:
    """A :class:`Callback` as is; a function ``f(state)`` as an ``on_epoch_end`` callback."""
    return c if isinstance(c, Callback) else _FunctionCallback(c)


# ----------------------------------------------------------------- helpers
def _prepare_targets(
    kind: str | None, y: np.ndarray, dtype: np.dtype, n_out: int | None, owner: str = "fit"
) -> np.ndarray:
    if kind == "ce":
        if y.ndim == 1:
            if y.dtype.kind == "f":
                if not np.all(y == np.round(y)):
                    raise ValueError(
                        f"{owner}: cross_entropy needs integer class labels 0..C-1 or one-hot "
                        "rows. Got non-integer values in y."
                    )
            yi = y.astype(np.int64, copy=False)
            if n_out is not None and yi.size and (yi.min() < 0 or yi.max() >= n_out):
                raise ValueError(
                    f"{owner}: y has labels from {yi.min()} to {yi.max()}, but the model has "
                    f"{n_out} outputs (classes 0..{n_out - 1}). Encode labels as 0..C-1 "
                    "(glassnet.preprocessing.LabelEncoder) or widen the output layer."
                )
            return yi
        _check_width(y, n_out, owner)
        return y.astype(dtype, copy=False)
    y = y.astype(dtype, copy=False)
    if y.ndim == 1:
        y = y.reshape(-1, 1)
    if kind in ("bce", "bce_logits") and (y.min() < 0 or y.max() > 1):
        raise ValueError(
            f"{owner}: binary cross-entropy needs targets in [0, 1] (class labels 0 and 1). "
            f"Got values from {y.min():.4g} to {y.max():.4g}; encode the two classes as 0/1 "
            "(glassnet.preprocessing.LabelEncoder) or use cross_entropy for more classes."
        )
    if kind is not None:
        _check_width(y, n_out, owner)
    return y


def _check_width(y: np.ndarray, n_out: int | None, owner: str) -> None:
    """Targets of shape (N, K) must match a model with K outputs (no silent broadcasting)."""
    if n_out is not None and y.shape[1] != n_out:
        raise ValueError(
            f"{owner}: y has {y.shape[1]} value(s) per sample but the model has {n_out} "
            f"outputs; build the output layer with {y.shape[1]} neurons or pass y of shape "
            f"(n_samples, {n_out})."
        )


def _n_outputs(model: Module) -> int | None:
    """The output width when the structure shows it (a Linear, or a Sequential whose last
    Linear is followed only by activations and dropout); None for other modules."""
    if isinstance(model, Linear):
        return model.neurons
    if isinstance(model, Sequential):
        for m in reversed(model.layers):
            if isinstance(m, (Linear, Sequential)):
                return _n_outputs(m)
            if not isinstance(m, (ActivationModule, Dropout)):
                return None
    return None


def _model_dtype(model: Module) -> np.dtype:
    ps = model.parameters()
    return ps[0].dtype if ps else np.dtype(np.float32)


def _metric(kind: str | None, out: np.ndarray, y: np.ndarray) -> tuple[str, float]:
    """Accuracy for classification losses, R^2 (averaged over outputs) for regression."""
    if kind == "ce":
        pred = out.argmax(axis=1)
        truth = y if y.ndim == 1 else y.argmax(axis=1)
        return "accuracy", float(np.mean(pred == truth))
    if kind in ("bce", "bce_logits"):
        thr = 0.5 if kind == "bce" else 0.0
        return "accuracy", float(np.mean((out > thr) == (y > 0.5)))
    return "r2", r2_score(y.reshape(out.shape), out)


class _Progress:
    """A one-line progress display on stderr, shown once a run has lasted ``after`` seconds.

    Hand-written (a dozen lines) rather than tqdm/rich because glassnet's core depends
    on NumPy only.
    """

    def __init__(
        self, total: int, verbose: int, after: float = 2.0, tty_only: bool = False
    ) -> None:
        if tty_only and not getattr(sys.stderr, "isatty", lambda: False)():
            verbose = 0  # the command line draws its bar on a terminal only
        self.total, self.verbose, self.after = total, verbose, after
        self.t0 = self.last = time.perf_counter()
        self.shown = False

    def update(self, epoch: int, loss: float, extra: str, force: bool = False) -> None:
        if not self.verbose:
            return
        now = time.perf_counter()
        if self.verbose < 2 and now - self.t0 < self.after and not force:
            return
        if now - self.last < 0.1 and not force and epoch < self.total:
            return
        self.last = now
        width = 24
        done = int(width * epoch / max(self.total, 1))
        bar = "#" * done + "-" * (width - done)
        rate = epoch / max(now - self.t0, 1e-9)
        sys.stderr.write(
            f"\repoch {epoch}/{self.total} [{bar}] loss {loss:.4g}{extra} "
            f"({rate:.1f} epochs/s)\x1b[K"  # erase what a longer previous line left
        )
        sys.stderr.flush()
        self.shown = True

    def close(self, message: str = "") -> None:
        shown, self.shown = self.shown, False
        if shown:
            sys.stderr.write("\n")
        if message and self.verbose and (shown or self.verbose >= 2):
            sys.stderr.write(message + "\n")
        sys.stderr.flush()


def _split_validation(
    X: np.ndarray,
    y: np.ndarray,
    w: np.ndarray | None,
    frac: float,
    kind: str | None,
    rng: np.random.Generator,
) -> tuple[Any, ...]:
    n = X.shape[0]
    n_val = max(1, int(round(frac * n)))
    if n - n_val < 1:
        raise ValueError(
            f"fit: validation_split={frac} leaves no training samples out of {n}; "
            "use a smaller fraction or more data."
        )
    idx = rng.permutation(n)
    if (
        kind in ("ce", "bce", "bce_logits")
        and y.ndim == 1
        or (y.ndim == 2 and y.shape[1] == 1 and kind in ("bce", "bce_logits"))
    ):
        # stratified: take the same fraction of each class
        labels = y.reshape(-1)
        val_parts = []
        for c in np.unique(labels):
            members = idx[labels[idx] == c]
            k = int(round(frac * len(members)))
            val_parts.append(members[:k])
        val_idx = np.sort(np.concatenate(val_parts)) if val_parts else idx[:n_val]
        if len(val_idx) == 0:
            val_idx = idx[:n_val]
    else:
        val_idx = np.sort(idx[:n_val])
    mask = np.ones(n, bool)
    mask[val_idx] = False
    tr = np.flatnonzero(mask)
    return (X[tr], y[tr], None if w is None else w[tr], X[val_idx], y[val_idx])


# -------------------------------------------------------------------- fit
def fit(
    model: Module,
    X: Any,
    y: Any,
    *,
    loss: str | Callable[..., Tensor] = "mse",
    optimizer: Any = "sgd",
    lr: float = 0.01,
    epochs: int = 100,
    max_steps: int | None = None,
    batch_size: int | None = None,
    shuffle: bool = True,
    seed: Any = None,
    tol: float | None = None,
    n_iter_no_change: int = 10,
    validation_split: float = 0.0,
    validation_data: tuple[Any, Any] | None = None,
    early_stopping: bool = False,
    schedule: Any = None,
    callbacks: Sequence[Callback | Callable[[TrainState], Any]] = (),
    sample_weight: Any = None,
    l2: float = 0.0,
    diagnostics: bool = False,
    verbose: int = 1,
    engine: str = "auto",
) -> History:
    """Train ``model`` on (X, y) by mini-batch gradient descent.

    Each step: 1) forward on a batch, 2) loss, 3) backward (chain rule), 4) the
    optimizer's update (for plain gradient descent ``w <- w - lr * dL/dw``).

    Parameters
    ----------
    model : Module
    X : array of shape (n_samples, n_features)
    y : array of shape (n_samples,) or (n_samples, n_outputs)
        Class labels 0..C-1 (or one-hot rows) for ``'cross_entropy'``, 0/1 for
        ``'binary_cross_entropy'``, real values for ``'mse'``.
    loss : str or callable
        ``'mse'``, ``'half_mse'`` (the lecture's 1/2 (y_hat - y)^2),
        ``'binary_cross_entropy'``, ``'binary_cross_entropy_with_logits'``,
        ``'cross_entropy'``, or ``f(output, y) -> scalar Tensor``. A sigmoid or
        softmax final layer is fused with its cross-entropy (computed from logits).
    optimizer : str or optimizer
        An optimizer built on ``model.parameters()``, or a name from
        ``glassnet.optim.OPTIMIZERS`` created with ``lr``.
    lr : float
        Learning rate (gamma on the slides) when ``optimizer`` is a name.
    epochs, max_steps : int
        Termination: at most this many passes over the data / optimizer steps.
    batch_size : int or None
        ``None``: full-batch gradient descent, as on the slides.
    shuffle : bool; seed : int or Generator
        Batches are drawn from a permutation of indices made with ``seed``.
    tol, n_iter_no_change :
        Stop when the training loss improves by less than ``tol`` for
        ``n_iter_no_change`` epochs (``tol=None``: off). With ``early_stopping``
        the same rule watches the validation loss and the best weights are restored.
    validation_split : float in [0, 1); validation_data : (X_val, y_val)
        Held-out data scored after each epoch (loss and accuracy / R^2).
    schedule : learning-rate schedule from glassnet.optim, stepped once per epoch.
    callbacks : Callback objects or functions ``f(state)`` called after each epoch
        (return True or set ``state.stop`` to stop).
    sample_weight : array of shape (n_samples,); l2 : float
        Per-sample loss weights; an L2 penalty ``l2 / (2 n_batch) * sum ||W||^2`` on
        weight matrices (scikit-learn's ``alpha``).
    diagnostics : bool
        Record per-layer gradient norms, dead-ReLU and saturation fractions and
        update-to-weight ratios each epoch, with plain-language warnings.
    verbose : int
        0 silent, 1 a progress line for runs longer than 2 s, 2 always.
    engine : ``'auto'``, ``'fused'`` or ``'graph'``.

    Returns
    -------
    History

    Raises
    ------
    DivergenceError
        When a loss becomes NaN or inf; the model keeps finite weights.
    """
    # 0) validate at the boundary
    if not isinstance(model, Module):
        raise TypeError(f"fit: model must be a glassnet Module. Got {type(model).__name__}.")
    kind = _loss_kind(loss)
    dtype = _model_dtype(model)
    X = check_array("X", X, "fit", ndim=(2,), dtype=dtype)
    y_arr = check_array("y", y, "fit", ndim=(1, 2))
    if y_arr.shape[0] != X.shape[0]:
        raise ValueError(
            f"fit: X has {X.shape[0]} samples but y has {y_arr.shape[0]}; they must match."
        )
    n_in = next((m.inputs for m in model.modules() if isinstance(m, Linear)), None)
    if n_in is not None and X.shape[1] != n_in:
        raise ValueError(
            f"fit: X has {X.shape[1]} features per sample but the model's first layer expects "
            f"{n_in}; check the columns of X or build the model with inputs={X.shape[1]}."
        )
    y_arr = _prepare_targets(kind, y_arr, dtype, _n_outputs(model))
    check_positive("epochs", epochs, "fit", integer=True)
    if max_steps is not None:
        check_positive("max_steps", max_steps, "fit", integer=True)
    if batch_size is not None:
        check_positive("batch_size", batch_size, "fit", integer=True)
        if batch_size > X.shape[0]:
            raise ValueError(
                f"The 'batch_size' parameter of fit ({batch_size}) is larger than the number "
                f"of training samples ({X.shape[0]}); use batch_size=None for full-batch "
                "gradient descent or a smaller batch."
            )
    if tol is not None:
        check_positive("tol", tol, "fit", allow_zero=True)
    check_positive("n_iter_no_change", n_iter_no_change, "fit", integer=True)
    if not (isinstance(validation_split, (int, float)) and 0 <= validation_split < 1):
        raise ValueError(
            f"The 'validation_split' parameter of fit must be a float in [0, 1). "
            f"Got {validation_split!r}."
        )
    check_positive("l2", l2, "fit", allow_zero=True)
    if engine not in ("auto", "fused", "graph"):
        raise ValueError(
            f"The 'engine' parameter of fit must be 'auto', 'fused' or 'graph'. Got {engine!r}."
        )
    w_arr = None
    if sample_weight is not None:
        if kind is None:
            raise ValueError(
                "fit: sample_weight works with the named losses; a callable loss f(output, y) "
                "would ignore it. Weight the samples inside the callable, or use a named loss."
            )
        w_arr = check_array("sample_weight", sample_weight, "fit", ndim=(1,), dtype=dtype)
        if w_arr.shape[0] != X.shape[0] or (w_arr < 0).any():
            raise ValueError(
                f"fit: sample_weight must hold {X.shape[0]} non-negative values. "
                f"Got shape {w_arr.shape}."
            )
    rng = as_rng(seed)

    # validation data
    Xv = yv = None
    if validation_data is not None:
        Xv = check_array("validation_data[0]", validation_data[0], "fit", ndim=(2,), dtype=dtype)
        yv = _prepare_targets(
            kind,
            check_array("validation_data[1]", validation_data[1], "fit", ndim=(1, 2)),
            dtype,
            _n_outputs(model),
        )
        if Xv.shape[1] != X.shape[1] or yv.shape[0] != Xv.shape[0]:
            raise ValueError(
                f"fit: validation_data must be (X_val, y_val) with {X.shape[1]} features like X "
                f"and one target per row. Got X_val of shape {Xv.shape} and {yv.shape[0]} "
                "targets."
            )
    elif validation_split > 0 or early_stopping:
        frac = validation_split if validation_split > 0 else 0.1
        X, y_arr, w_arr, Xv, yv = _split_validation(X, y_arr, w_arr, frac, kind, rng)
    if early_stopping and Xv is None:
        raise ValueError("fit: early_stopping needs validation data.")

    # optimizer
    if isinstance(optimizer, str):
        check_positive("lr", lr, "fit")
        optimizer = optim_mod.get_optimizer(optimizer, model.parameters(), lr=lr)
    elif not (callable(getattr(optimizer, "step", None)) and hasattr(optimizer, "zero_grad")):
        raise TypeError(
            f"The 'optimizer' parameter of fit must be an optimizer name or an optimizer "
            f"object (glassnet.optim). Got {type(optimizer).__name__}."
        )
    own = {id(p) for p in model.parameters()}
    theirs = {id(p) for p in getattr(optimizer, "params", model.parameters())}
    if theirs != own:
        raise ValueError(
            "fit: the optimizer was built on other parameters than the model's "
            f"({len(theirs & own)} of its {len(theirs)} belong to the model, which has "
            f"{len(own)}); build it with optim.SGD(model.parameters(), ...)."
        )

    # engine
    layers = _fused_layers(model, kind) if engine != "graph" else None
    if engine == "fused" and layers is None:
        raise ValueError(
            "fit: engine='fused' handles a Sequential/MLP of Linear layers each followed by "
            "sigmoid, tanh, relu, leaky_relu or identity (softmax as the last layer) with a "
            "named loss; this model or loss needs engine='graph' (or 'auto')."
        )
    if any(getattr(m, "p", 0) > 0 for m in model.modules()):
        layers = None  # dropout needs the graph engine
    fused = _FusedStep(layers, kind, l2) if layers is not None else None  # type: ignore[arg-type]
    graph_loss = None if fused else _graph_loss(model, kind, loss)
    l2_params = [p for lin in model.modules() if isinstance(lin, Linear) for p in (lin.W,)]

    # Plain SGD on the fused engine: lr is folded into the output gradient and the update is
    # one subtraction. The gradient buffers then hold lr * dL/dw until someone may look at
    # them (a callback, diagnostics, the end of fit), where unscale() divides lr back out.
    fold_lr = (
        fused is not None
        and isinstance(optimizer, optim_mod.SGD)
        and optimizer.folds_lr
        and type(optimizer).step is optim_mod.SGD.step
    )
    grad_scale, prescaled = 1.0, False

    def unscale() -> None:
        nonlocal grad_scale
        if grad_scale != 1.0:
            for g in optimizer.flat_grads():
                np.multiply(g, 1.0 / grad_scale, out=g)
            grad_scale = 1.0

    history = History(engine="fused" if fused else "graph")
    if Xv is not None:
        history.metric_name = _metric(
            kind, np.zeros((1, _n_outputs(model) or 1)), np.zeros(1 if kind == "ce" else (1, 1))
        )[0]
    state = TrainState(model=model, optimizer=optimizer, history=history)
    cbs = [as_callback(c) for c in callbacks]
    step_cbs = [c for c in cbs if type(c).on_step_end is not Callback.on_step_end]
    progress = _Progress(epochs, verbose)

    n = X.shape[0]
    bs = n if batch_size is None else batch_size
    full_batch = bs >= n
    Xb = np.empty((bs, X.shape[1]), dtype) if not full_batch else X
    yb = np.empty((bs,) + y_arr.shape[1:], y_arr.dtype) if not full_batch else y_arr
    wb = np.empty(bs, dtype) if (w_arr is not None and not full_batch) else w_arr

    params = model.parameters()
    snapshot = [p.data.copy() for p in params]  # last known finite weights
    diag_prev = [p.data.copy() for p in params] if diagnostics else None  # epoch-start weights
    best_state: list[np.ndarray] | None = None
    best_score = math.inf
    no_improve = 0
    model.train()
    for c in cbs:
        c.on_train_begin(state)

    def restore(weights: list[np.ndarray]) -> None:
        for p, v in zip(params, weights):
            p.data[...] = v

    # NumPy's overflow warnings on the way to a NaN/inf loss are silenced while training:
    # a non-finite loss is reported once, as DivergenceError (set once, not per step)
    errstate = np.errstate(over="ignore", invalid="ignore", divide="ignore")
    errstate.__enter__()
    try:
        for epoch in range(1, epochs + 1):
            state.epoch = epoch
            order = rng.permutation(n) if (shuffle and not full_batch) else None
            total, seen = 0.0, 0
            for start in range(0, n, bs):
                # 1) the batch: gather rows by index into reused buffers
                if full_batch:
                    xb, ybt, wbt = X, y_arr, w_arr
                else:
                    stop = min(start + bs, n)
                    m = stop - start
                    idx = order[start:stop] if order is not None else slice(start, stop)
                    if order is None:
                        xb, ybt = X[start:stop], y_arr[start:stop]
                        wbt = None if w_arr is None else w_arr[start:stop]
                    else:
                        xb = np.take(X, idx, axis=0, out=Xb[:m], mode="clip")
                        ybt = np.take(y_arr, idx, axis=0, out=yb[:m], mode="clip")
                        wbt = (
                            None if w_arr is None else np.take(w_arr, idx, out=wb[:m], mode="clip")
                        )
                # 2) forward + loss + 3) backward
                if fused is not None:
                    prescaled = fold_lr and optimizer.lr > 0
                    grad_scale = optimizer.lr if prescaled else 1.0
                    batch_loss = fused.step(xb, ybt, wbt, grad_scale)
                else:
                    optimizer.zero_grad()
                    lt = graph_loss(Tensor(xb), ybt, wbt)
                    if l2:
                        m_ = xb.shape[0]
                        for p in l2_params:
                            lt = lt + (p * p).sum() * (0.5 * l2 / m_)
                    lt.backward()
                    batch_loss = float(lt.data)
                if not math.isfinite(batch_loss):
                    raise _Diverged(history.steps + 1, epoch, batch_loss)
                # 4) update
                if prescaled:
                    optimizer.step_prescaled()  # w <- w - (lr * dL/dw)
                else:
                    optimizer.step()
                history.steps += 1
                history.samples_seen += xb.shape[0]
                total += batch_loss * xb.shape[0]
                seen += xb.shape[0]
                state.step = history.steps
                state.batch_loss = batch_loss
                if step_cbs:
                    unscale()
                    for c in step_cbs:
                        c.on_step_end(state)
                if history.steps % 64 == 0 and all(np.isfinite(p.data).all() for p in params):
                    for s, p in zip(snapshot, params):
                        np.copyto(s, p.data)
                if (max_steps is not None and history.steps >= max_steps) or state.stop:
                    break
            # end of epoch: record, validate, check the termination criteria
            epoch_loss = total / max(seen, 1)  # batch losses weighted by batch size
            history.loss.append(epoch_loss)
            history.epochs = epoch
            history.lr.append(float(getattr(optimizer, "lr", math.nan)))
            state.epoch_loss = epoch_loss
            extra = ""
            if Xv is not None:
                vl, vm = _validate(model, kind, loss, Xv, yv)
                history.val_loss.append(vl)
                history.val_metric.append(vm)
                extra = f"  val_loss {vl:.4g}  val_{history.metric_name} {vm:.4g}"
            if diagnostics or cbs:
                unscale()
            if diagnostics:
                from .diagnostics import epoch_diagnostics  # noqa: PLC0415

                history.diagnostics.append(
                    epoch_diagnostics(model, X, history, previous=diag_prev, verbose=verbose)
                )
                diag_prev = [p.data.copy() for p in params]
            progress.update(epoch, epoch_loss, extra)
            for c in cbs:
                c.on_epoch_end(state)
            if state.stop:
                history.stop_reason = "callback"
                break
            if max_steps is not None and history.steps >= max_steps:
                history.stop_reason = "max_steps"
                break
            # termination on loss change (training loss, or validation loss when early stopping)
            score = history.val_loss[-1] if early_stopping else epoch_loss
            threshold = 0.0 if tol is None else tol
            if score < best_score - threshold:
                no_improve = 0
            else:
                no_improve += 1
            if score < best_score:
                best_score = score
                history.best_epoch = epoch
                if early_stopping:
                    best_state = [p.data.copy() for p in params]
            history.best_loss = min(history.best_loss, epoch_loss)
            if schedule is not None and schedule.epoch_end(
                metric=epoch_loss, samples_seen=history.samples_seen
            ):
                history.stop_reason = "min_lr"
                break
            if (tol is not None or early_stopping) and no_improve >= n_iter_no_change:
                history.stop_reason = "early_stopping" if early_stopping else "tol"
                break
        else:
            history.stop_reason = "max_epochs"
    except KeyboardInterrupt:
        history.stop_reason = "interrupted"
    except _Diverged as d:
        finite = all(np.all(np.isfinite(p.data)) for p in params)
        if not finite:
            restore(snapshot)
        history.stop_reason = "diverged"
        progress.close("")
        raise DivergenceError(
            f"fit: the loss became {d.value} at step {d.step} (epoch {d.epoch}): training "
            f"diverged. Try a smaller learning rate (now {getattr(optimizer, 'lr', '?')}), "
            "standardize the features, or check X and y for extreme values. The model keeps "
            + (
                "its weights from before that step."
                if finite
                else "the last finite weights recorded (up to 64 steps earlier)."
            ),
            history,
        ) from None
    finally:
        errstate.__exit__(None, None, None)
        unscale()
    if early_stopping and best_state is not None:
        restore(best_state)
    for c in cbs:
        c.on_train_end(state)
    progress.close(history.message)
    return history


class _Diverged(Exception):
    def __init__(self, step: int, epoch: int, value: float) -> None:
        self.step, self.epoch, self.value = step, epoch, value


def _validate(
    model: Module, kind: str | None, loss: Any, Xv: np.ndarray, yv: np.ndarray
) -> tuple[float, float]:
    """Validation loss and metric from one forward pass, without a graph, in eval mode."""
    forward, loss_fn, head = _loss_parts(model, kind, loss)
    was = model.training
    model.eval()
    try:
        with no_grad():
            z = forward(Tensor(Xv))
            vl = float(loss_fn(z, yv, None).data)
            out = (head(z) if head is not None else z).data
    finally:
        model.train(was)
    return vl, _metric(kind, out, yv)[1]
