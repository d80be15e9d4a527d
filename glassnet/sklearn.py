"""scikit-learn's MLP, trained by glassnet: change one import, keep the code.

>>> from glassnet.sklearn import MLPClassifier            # was: from sklearn.neural_network
>>> from sklearn.datasets import load_iris
>>> X, y = load_iris(return_X_y=True)
>>> clf = MLPClassifier(hidden_layer_sizes=(16,), max_iter=2000, random_state=0).fit(X, y)
>>> clf.score(X, y) > 0.9
True
>>> clf.coefs_[0].shape                                   # W1: (inputs, neurons), Z = X @ W + b
(4, 16)

:class:`MLPClassifier` and :class:`MLPRegressor` take every constructor parameter of
scikit-learn's estimators of the same names, with the same defaults and meanings, and
set the same fitted attributes. Training runs in glassnet (:func:`glassnet.fit` with
the fused MLP engine for ``'sgd'`` and ``'adam'``; SciPy's L-BFGS-B on glassnet's
loss and gradient for ``'lbfgs'``), following scikit-learn's conventions so results
compare one to one:

* the same initial weights (Glorot uniform drawn from ``random_state`` exactly as
  scikit-learn draws them), the same early-stopping split, the same losses
  (half squared error, log-loss summed over outputs, half Poisson deviance), the
  same L2 penalty ``alpha / (2 n_batch) * sum ||W||^2``, the same stopping rules
  (``tol``, ``n_iter_no_change``, ``early_stopping``, ``learning_rate='adaptive'``);
* the differences are listed in ``docs/sklearn.md`` and in the class docstrings
  (per-dataset instead of per-batch sample-weight normalization, the multi-output
  squared-error gradient, float64 probabilities).

Beyond scikit-learn: ``activation='leaky_relu'`` or one activation per hidden layer,
``dropout``, ``class_weight``, ``callbacks``, ``validation_loss_curve_``, ``dtype``,
the regressor's ``output_activation``, ``threads`` (BLAS threads, :mod:`glassnet.threads`),
``stop_reason_``, ``model_`` and ``history_``.

scikit-learn (>= 1.6) and SciPy are optional dependencies of glassnet, needed here
only: ``pip install 'glassnet[sklearn]'``.
"""

from __future__ import annotations

import inspect
import numbers
import operator
import re
import sys
import warnings
from collections.abc import Callable, Sequence
from dataclasses import fields
from typing import Any

import numpy as np

try:
    import scipy.optimize
    import scipy.sparse
    from scipy.special import expit, xlogy
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
    from sklearn.exceptions import ConvergenceWarning, DataConversionWarning
    from sklearn.metrics import accuracy_score, r2_score
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import LabelBinarizer
    from sklearn.utils import check_random_state, column_or_1d
    from sklearn.utils._param_validation import InvalidParameterError
    from sklearn.utils.class_weight import compute_sample_weight
    from sklearn.utils.metaestimators import available_if
    from sklearn.utils.multiclass import (
        check_classification_targets,
        type_of_target,
        unique_labels,
    )
    from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data
except ImportError as e:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "glassnet.sklearn needs scikit-learn >= 1.6 and SciPy "
        f"({e}). Install them with: pip install 'glassnet[sklearn]'"
    ) from e

from . import functional as F
from . import optim, schedules
from ._validation import (
    ParameterError,
    check_bool,
    check_choice,
    check_memory,
    check_number,
    collapsed,
    dates_error,
    detached,
    shown,
    time_cell,
    time_columns,
    time_error,
    time_like,
    unmasked,
)
from .fitting import epoch_end
from .interrupts import OwnInterrupt as _OwnInterrupt
from .interrupts import interrupted_warning
from .nn import flatten_parameters
from .nn.containers import forward_hooked
from .nn.layers import MLP, ActivationModule, Dropout, Linear
from .objective import Objective
from .tasks import FORWARD_BYTES, row_blocks
from .tensor import Tensor, no_grad
from .threads import check_threads
from .threads import limit as blas_limit
from .train import STOP_REASONS as _FIT_STOP_REASONS
from .train import (
    Callback,
    DivergenceError,
    History,
    OneCallback,
    TrainState,
    as_callback,
)
from .train import fit as _glassnet_fit

__all__ = ["MLPClassifier", "MLPRegressor"]

_SOLVERS = ("lbfgs", "sgd", "adam")
_STOCHASTIC = ("sgd", "adam")
_ACTIVATIONS = ("identity", "logistic", "tanh", "relu", "leaky_relu")
# what the errors list: scikit-learn's names, glassnet's 'leaky_relu', and 'sigmoid',
# glassnet's own name for 'logistic', accepted as its alias (docs/sklearn.md, Differences)
_ACTIVATION_NAMES = "'identity', 'logistic', 'sigmoid' (the same), 'tanh', 'relu', 'leaky_relu'"
_ACT_TO_GLASSNET = {
    "identity": "identity",
    "logistic": "sigmoid",
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "relu": "relu",
    "leaky_relu": "leaky_relu",
}
_LEARNING_RATES = ("constant", "invscaling", "adaptive")
_OUTPUT_ACTIVATIONS = ("identity", "logistic", "sigmoid", "tanh")  # ('sigmoid': 'logistic')
_SKLEARN_NAME = {"sigmoid": "logistic", "identity": "identity", "tanh": "tanh"}
# what predict applies as out_activation_: scikit-learn's ACTIVATIONS, the Poisson loss's
# 'exp', glassnet's 'sigmoid' (= 'logistic') and 'leaky_relu' (max(0.01 z, z))
_OUT_HEADS = ("identity", "logistic", "sigmoid", "tanh", "relu", "leaky_relu", "softmax", "exp")

STOP_REASONS = {
    "max_iter": "reached max_iter epochs (stochastic solvers) or iterations (lbfgs)",
    "max_fun": "lbfgs reached max_fun loss evaluations",
    "tol": "the training loss improved by less than tol for more than n_iter_no_change "
    "epochs (stochastic solvers), or the projected gradient fell below tol (lbfgs)",
    "early_stopping": "the validation score improved by less than tol for more than "
    "n_iter_no_change epochs; the best weights were restored",
    "min_lr": "learning_rate='adaptive' reached its minimum (1e-6) on a plateau",
    "callback": "a callback asked to stop",
    "interrupted": "interrupted by the user (KeyboardInterrupt); the weights so far are kept",
    "partial_fit": "partial_fit runs one epoch",
    "line_search": "lbfgs could not make progress along its search direction",
    "diverged": "the loss became NaN or inf (early_stopping=True); the best weights were "
    "restored and the last validation score is NaN",
}

# the criteria only the estimators have, in fit's vocabulary too (History.message reads it)
_FIT_STOP_REASONS.update({k: v for k, v in STOP_REASONS.items() if k not in _FIT_STOP_REASONS})

_LOG_TINY = float(np.log(np.finfo(np.float64).tiny))  # -708.396...: predict_log_proba's floor
_COLLAPSED = "Centre and scale the features (StandardScaler), or fit with dtype=np.float64."
_COLLAPSED_Y = (
    "Centre and scale the targets (TransformedTargetRegressor(regressor=..., "
    "transformer=StandardScaler())), or fit with dtype=np.float64."
)

_NONFINITE = (  # scikit-learn's message, which code may match on
    "Solver produced non-finite parameter weights. The input data may contain large values "
    "and need to be preprocessed (e.g. StandardScaler)."
)


_LBFGS_SCIPY = (1, 11)  # scipy.optimize.minimize's intermediate_result callback


def _check_scipy_for_lbfgs(owner: str) -> None:
    """Refuse a SciPy older than 1.11 for ``solver='lbfgs'`` (``owner``: the estimator's
    name): L-BFGS's iterations are followed through ``minimize``'s ``intermediate_result``
    callback, which older versions call with the bare weights."""
    version = str(getattr(scipy, "__version__", "0"))
    found = tuple(int(part) for part in re.findall(r"\d+", version)[:2])
    if found < _LBFGS_SCIPY:
        raise ImportError(
            f"{owner}(solver='lbfgs') needs SciPy >= 1.11 (L-BFGS reports each iteration to "
            f"glassnet through scipy.optimize.minimize's intermediate_result); SciPy "
            f'{version} is installed. pip install "glassnet[sklearn]" (which asks for '
            "scipy>=1.11), or use solver='adam' or solver='sgd', which need no SciPy update."
        )


def _warn(message: str, category: type[Warning] = UserWarning) -> None:
    """``warnings.warn`` at the first frame outside this module: the line that called
    ``fit`` or ``partial_fit`` (the user's, or scikit-learn's inside ``GridSearchCV``,
    ``cross_val_score`` or a ``Pipeline``), however deep inside the estimator it is raised,
    so the warning shows that line and filters by ``module`` apply to the caller's module."""
    frame: Any = sys._getframe(0)
    level = 1
    while frame is not None and frame.f_globals.get("__name__") == __name__:
        frame = frame.f_back
        level += 1
    warnings.warn(message, category, stacklevel=level)


def _column_to_1d(y: np.ndarray) -> np.ndarray:
    """``column_or_1d(y, warn=True)`` for a y of shape (n, 1): scikit-learn's warning, at
    the line that called fit (see :func:`_warn`), not at this module's."""
    _warn(
        "A column-vector y was passed when a 1d array was expected. Please change the shape "
        "of y to (n_samples, ), for example using ravel().",
        DataConversionWarning,
    )
    return column_or_1d(y)


# ------------------------------------------------------------ parameter checks
class MLPParameterError(ParameterError, InvalidParameterError):
    """A bad constructor parameter, found by fit: scikit-learn's InvalidParameterError (a
    ValueError and a TypeError), so code catching either type works unchanged."""


def _array_like(value: Any) -> bool:
    """scikit-learn's "array-like" (``_is_arraylike``): a value with a length, a shape or
    ``__array__``, which can be read more than once (an iterator has none of them)."""
    return any(hasattr(value, a) for a in ("__len__", "shape", "__array__"))


def _fail(owner: str, name: str, want: str, value: Any) -> ValueError:
    return ValueError(f"The '{name}' parameter of {owner} must be {want}. Got {value!r}.")


def _as_dtype(owner: str, dtype: Any) -> np.dtype | None:
    if dtype is None:
        return None
    want = "'float32', 'float64' or None (the dtype of X)"
    try:
        dt = np.dtype(dtype)
    except (TypeError, ValueError):  # ('flaot64', 1.5, a list: not None, which NumPy
        raise _fail(owner, "dtype", want, dtype) from None  # would read as float64)
    if dt.type not in (np.float32, np.float64):
        raise _fail(owner, "dtype", want, dtype)
    return dt


# ------------------------------------------------------------------ the losses
def _sklearn_loss(kind: str, out: np.ndarray, Y: np.ndarray, w: np.ndarray | None) -> float:
    """A data loss in scikit-learn's convention (no penalty), from outputs ``out`` (n, K).

    * ``softmax``: log-loss ``-mean_i sum_k Y_ik log p_ik``
    * ``logistic``: binary log-loss summed over outputs, averaged over samples
    * ``squared_error``: ``1/2`` of the squared error, averaged over samples and outputs
    * ``poisson``: half Poisson deviance ``y log(y / mu) - y + mu``, summed over outputs

    The per-entry losses are glassnet.functional's (its loss table, on probabilities).
    """
    out = out.astype(np.float64, copy=False)
    if kind == "poisson":
        return float(np.average(xlogy(Y, Y / out) - Y + out, weights=w, axis=0).sum())
    name = {"softmax": "cross_entropy", "logistic": "binary_cross_entropy"}.get(kind, "half_mse")
    loss = F.LOSSES[name]
    per = (loss.on_probabilities or loss.kernel)(out, Y, np.empty_like(out))
    per = np.average(per, weights=w, axis=0)  # (K,), or a number for the softmax rows
    return float(per.mean() if name == "half_mse" else per.sum())


class _PoissonLoss:
    """Half Poisson deviance on the log-link outputs z (mu = e^z), summed over outputs.

    ``L = 1/n sum_i w_i sum_k (e^{z_ik} - y_ik z_ik + y_ik log y_ik - y_ik)``, so
    ``dL/dz = w (e^z - y) / n`` (scikit-learn's ``delta = mu - y``). The targets arrive
    as ``[y, w]`` (n, K + 1): the weights ride along with y through glassnet's batches.
    """

    def __init__(self, n_outputs: int) -> None:
        self.k = n_outputs

    def __call__(self, z: Tensor, target: np.ndarray) -> Tensor:
        Y, w = target[:, : self.k], target[:, self.k :]  # (n, K), (n, 1)
        n = Y.shape[0]
        const = float((w * (xlogy(Y, Y) - Y)).sum()) / n  # no gradient: the deviance's offset
        return ((z.exp() - z * Y) * w).sum() / n + const


# ------------------------------------------------- an estimator's History
class _EstimatorHistory(History):
    """The History of a fit with early stopping: glassnet.fit's, with the validation curves
    that the estimator's rules record, and a message that names what stops such a fit (the
    validation score, scikit-learn's rule, not the validation loss)."""

    score = "accuracy"  # the validation score, in words ("accuracy", "R^2 score")
    best_by = ""  # what best_epoch is best by ("validation accuracy"): plot_history's label
    best_score = float("nan")
    tol, patience = 0.0, 0

    @property
    def message(self) -> str:
        text = super().message
        if self.stop_reason != "early_stopping":
            return text
        why = (
            f"the validation {self.score} improved by less than tol={self.tol:g} for more "
            f"than n_iter_no_change={self.patience} epochs"
        )
        if self.best_epoch is not None:
            why += (
                f"; the weights of its best epoch, {self.best_epoch} "
                f"({self.score} {self.best_score:.4g}), were restored"
            )
        else:
            why += "; the best weights of an earlier fit were restored"
        return f"{text.split(': ', 1)[0]}: {why}."


class _LbfgsHistory(History):
    """The History of a ``solver='lbfgs'`` fit (epochs: L-BFGS's iterations; steps: its loss
    evaluations), whose message counts iterations and loss evaluations whatever stopped
    it and, where L-BFGS converged (``stop_reason 'tol'``), names the test of SciPy's that
    stopped it rather than the stochastic solvers' n_iter_no_change rule."""

    tol = 0.0  # the fit's tol: SciPy's gtol
    said = ""  # SciPy's message (the result's .message)

    @property
    def message(self) -> str:
        count = lambda k, what: f"{k} {what}" + "s" * (k != 1)  # noqa: E731
        done = f"{count(self.epochs, 'iteration')} ({count(self.steps, 'loss evaluation')})"
        if self.stop_reason != "tol":
            r = self.stop_reason  # (the one vocabulary's words: max_iter's name both counts)
            why = STOP_REASONS.get(r) or _FIT_STOP_REASONS.get(r, r)
            return f"Stopped after {done}: {why}." if why else f"Trained {done}; not stopped yet."
        said = self.said
        if said[:2] in ("b'", 'b"') and said[-1:] == said[1]:  # (bytes, as str(): SciPy's once)
            said = said[2:-1]
        said = said.rstrip(": .")
        # (SciPy's words: 'NORM OF PROJECTED GRADIENT <= PGTOL' since 1.15, its Fortran
        # L-BFGS-B's 'NORM_OF_PROJECTED_GRADIENT_<=_PGTOL' before; REL(ATIVE) REDUCTION OF F)
        words = said.upper().replace("_", " ")
        if "PROJECTED GRADIENT" in words:
            why = (
                "the largest entry of the loss's projected gradient fell to tol="
                f"{self.tol:g} or below"
            )
        elif "REDUCTION OF F" in words:
            why = (
                "the loss's relative reduction in an iteration fell to SciPy's ftol "
                f"({_LBFGS_FTOL:.3g}) or below"
            )
        else:
            why = "SciPy's convergence test was met"
        return f"Stopped after {done}: L-BFGS converged: {why} (SciPy: {said or 'no message'})."


_LBFGS_FTOL = 2.220446049250313e-09  # SciPy's L-BFGS-B default ftol (factr 1e7 times eps)


# ------------------------------------------------- scikit-learn's batch orders
class _Order(np.random.Generator):
    """What glassnet.fit's ``seed(epoch)`` returns for an estimator's epoch: a Generator
    whose ``permutation(n)`` is scikit-learn's batch order of that epoch (fit draws only that
    from it, once per epoch)."""

    def __init__(self) -> None:
        super().__init__(np.random.PCG64(0))
        self.order: np.ndarray | None = None

    def permutation(self, x: Any, axis: int = 0) -> Any:  # noqa: ARG002 (fit's call)
        if self.order is None or not isinstance(x, numbers.Integral) or len(self.order) != x:
            raise RuntimeError(f"glassnet.sklearn: no batch order of {x!r} rows was drawn")
        return self.order


class _SklearnShuffles:
    """scikit-learn's shuffles as glassnet.fit's ``seed(epoch)``: the very draws it takes
    from its RandomState ``rs`` at the start of each epoch (``sklearn.utils.shuffle`` of
    the sample indices, which shuffles ``arange(n)`` with ``rs.shuffle`` and indexes the
    previous order with it), none when ``shuffle`` is off. So ``rs`` ends each fit or
    partial_fit where scikit-learn's does, and the batches come in scikit-learn's order.

    ``rs=None`` (a later partial_fit with an int random_state): the first shuffle of a
    fresh ``RandomState(random_state)``, the same at every call (as scikit-learn's), kept
    on the estimator rather than seeded anew per call."""

    def __init__(self, est: _BaseMLP, rs: Any, n: int, shuffle: bool) -> None:
        self.est, self.rs, self.n, self.on = est, rs, n, shuffle
        self.drawn = 0
        self.gen = _Order()

    def __call__(self, epoch: int) -> np.random.Generator:  # noqa: ARG002 (fit's call)
        self.draw()
        return self.gen

    def draw(self) -> None:
        """The next epoch's draws (at the start of each epoch, as scikit-learn's)."""
        self.drawn += 1
        if not self.on:
            return
        if self.rs is None:
            key = (self.est.random_state, self.n)
            kept = self.est.__dict__.get("_partial_fit_order")
            if kept is None or kept[0] != key:
                order = np.arange(self.n)
                check_random_state(key[0]).shuffle(order)
                kept = self.est._partial_fit_order = (key, order)
            self.gen.order = kept[1]
            return
        perm = np.arange(self.n)
        self.rs.shuffle(perm)
        previous = self.gen.order
        self.gen.order = perm if previous is None else previous[perm]


def _lbfgs_signature(names: str) -> inspect.Signature:
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    return inspect.Signature([inspect.Parameter(n, kind) for n in names.split()])


# scikit-learn's BaseMultilayerPerceptron._loss_grad_lbfgs, without self: 1.7+'s, then 1.6's
_LBFGS_SIGNATURES = (
    _lbfgs_signature(
        "packed_coef_inter X y sample_weight activations deltas coef_grads intercept_grads"
    ),
    _lbfgs_signature("packed_coef_inter X y activations deltas coef_grads intercept_grads"),
)


def _loss_attrs_float64(state: dict[str, Any]) -> None:
    """An estimator pickled when glassnet kept ``loss_``, ``best_loss_`` and ``loss_curve_``
    as Python floats: NumPy float64s, the values unchanged, as a fit now records them (and
    scikit-learn does). A ``best_loss_`` of inf (no epoch yet) stays Python's, as in both."""
    if type(state.get("loss_")) is float:
        state["loss_"] = np.float64(state["loss_"])
    best = state.get("best_loss_")
    if type(best) is float and best != np.inf:
        state["best_loss_"] = np.float64(best)
    curve = state.get("loss_curve_")
    if isinstance(curve, list) and any(type(v) is float for v in curve):
        state["loss_curve_"] = [np.float64(v) for v in curve]


# ------------------------------------------------- the sklearn rules, per epoch
class _SklearnRules(Callback):
    """scikit-learn's end-of-epoch bookkeeping and stopping rules: glassnet.fit's stop rule
    (``fit(stop_rules=[...])``) for the estimators.

    After each epoch (``BaseMultilayerPerceptron._fit_stochastic``): record ``loss_``,
    ``loss_curve_``, ``t_``; score the validation set when early stopping; count epochs
    without improvement by more than ``tol``; let ``invscaling`` set the next rate; when
    the count exceeds ``n_iter_no_change``, divide an ``adaptive`` rate by 5 or stop.
    """

    def __init__(self, est: _BaseMLP, n_train: int, val: tuple[Any, ...] | None) -> None:
        self.est, self.n_train, self.val = est, n_train, val

    def on_epoch_end(self, state: TrainState) -> None:
        est = self.est
        loss = np.float64(state.epoch_loss)  # (NumPy's float64, as scikit-learn's loss_)
        est.n_iter_ += 1
        est.t_ += self.n_train
        est.loss_ = loss
        est.loss_curve_.append(loss)
        if est.verbose:
            print(f"Iteration {est.n_iter_}, loss = {loss:.8f}")
        tol = est.tol
        # 1) the no-improvement count: validation score with early stopping, else train loss
        if self.val is not None:
            Xv, yv, Yv, wv = self.val
            # (fit runs its stop rules under the caller's NumPy error state: weights that
            # diverge overflow here, a NaN score, as scikit-learn scores it, not a warning)
            with np.errstate(over="ignore", invalid="ignore"):
                out = est._outputs(Xv)
                score = est._score_outputs(out, yv, wv)
                vloss = _sklearn_loss(est._loss_kind(), out, Yv, wv)
            est.validation_scores_.append(score)
            est.validation_loss_curve_.append(vloss)
            if est.verbose:
                print(f"Validation score: {score:f}")
            if not score >= est.best_validation_score_ + tol:  # NaN counts as no improvement
                est._no_improvement_count += 1
            else:
                est._no_improvement_count = 0
            if score > est.best_validation_score_:
                est.best_validation_score_ = score
                est._best_params = [p.data.copy() for p in est.model_.parameters()]
        else:
            if loss > est.best_loss_ - tol:
                est._no_improvement_count += 1
            else:
                est._no_improvement_count = 0
            est.best_loss_ = min(est.best_loss_, loss)
        # 2) invscaling: lr = learning_rate_init / (t_ + 1)^power_t for the next epoch
        if est._schedule is not None:
            est._schedule.step(est.t_)
        # 3) stop, or (adaptive) shrink the rate and carry on
        if est._no_improvement_count > est.n_iter_no_change:
            what = "Validation score" if self.val is not None else "Training loss"
            msg = (
                f"{what} did not improve more than tol={tol:f} for "
                f"{est.n_iter_no_change} consecutive epochs."
            )
            opt = state.optimizer
            adaptive = est._adaptive()  # the optimizer's, as made by the fit (see _make_optimizer)
            if adaptive and opt.lr > 1e-6:
                opt.lr = opt.lr / 5.0
                est._no_improvement_count = 0
                if est.verbose:
                    print(f"{msg} Setting learning rate to {opt.lr:f}")
                return
            if adaptive:
                state.stop_reason = "min_lr"
                msg += " Learning rate too small."
            else:
                state.stop_reason = "early_stopping" if self.val is not None else "tol"
            if est.verbose:
                print(f"{msg} Stopping.")
            state.stop = True


def _as_callbacks(owner: str, callbacks: Any) -> list[Any]:
    if callbacks is None:
        return []
    if isinstance(callbacks, (Callback,)) or callable(callbacks):
        callbacks = [callbacks]
    if not isinstance(callbacks, (list, tuple)):
        raise _fail(
            owner, "callbacks", "a glassnet Callback / function, a list of them, or None", callbacks
        )
    for c in callbacks:
        if not (isinstance(c, Callback) or callable(c)):
            raise _fail(owner, "callbacks", "a list of glassnet Callbacks or functions f(state)", c)
    return list(callbacks)


# ------------------------------------------------------------------- the base
class _BaseMLP(BaseEstimator):
    """Shared machinery of :class:`MLPClassifier` and :class:`MLPRegressor` (not public)."""

    # -------------------------------------------------------------- parameters
    def _check_params(self) -> None:
        o = type(self).__name__
        hls = self.hidden_layer_sizes
        text = isinstance(hls, (str, bytes))
        if hasattr(hls, "__iter__") and not text and not _array_like(hls):
            # a generator, iter(...), map(...): reading it here would leave the network
            # no hidden layers (scikit-learn refuses it: not an array-like)
            raise ValueError(
                f"The 'hidden_layer_sizes' parameter of {o} must be an int >= 1 or a tuple "
                f"or list of them (neurons per hidden layer), e.g. (100,) or (64, 32). Got "
                f"{hls!r}, which can be read only once (fit would find it empty): pass "
                "tuple(...) of it, e.g. hidden_layer_sizes=tuple(sizes)."
            )
        sizes = list(hls) if hasattr(hls, "__iter__") and not text else [hls]
        for s in sizes:
            want = (
                f"The 'hidden_layer_sizes' parameter of {o} must hold ints >= 1 (neurons per "
                f"hidden layer), e.g. (100,) or (64, 32). Got {hls!r}"
            )
            if isinstance(s, (bool, np.bool_)) or not isinstance(s, numbers.Integral):
                kind = "a bool" if isinstance(s, (bool, np.bool_)) else f"a {type(s).__name__}"
                why = "None is not a number" if s is None else f"{s!r} is {kind}, not an int"
                raise ValueError(f"{want}: {why}.")
            if s < 1:  # (scikit-learn's own words end the message)
                raise ValueError(f"{want}; hidden_layer_sizes must be > 0.")
        acts = self.activation
        if isinstance(acts, str):
            if acts not in _ACT_TO_GLASSNET:
                raise _fail(
                    o,
                    "activation",
                    f"one of {_ACTIVATION_NAMES} or a list of those, one per hidden layer",
                    acts,
                )
        else:
            if not isinstance(acts, (list, tuple)) or len(acts) != len(sizes):
                raise ValueError(
                    f"The 'activation' parameter of {o} must be a name or a list of one name "
                    f"per hidden layer ({len(sizes)} here). Got {acts!r}."
                )
            for a in acts:
                if not isinstance(a, str) or a not in _ACT_TO_GLASSNET:
                    raise _fail(
                        o,
                        "activation",
                        f"a list of names among {_ACTIVATION_NAMES}",
                        acts,
                    )
        check_choice(self.solver, "solver", o, _SOLVERS)
        check_number(self.alpha, "alpha", o, low=0)
        if not (isinstance(self.batch_size, str) and self.batch_size == "auto"):
            check_number(self.batch_size, "batch_size", o, low=1, integer=True)
        check_choice(self.learning_rate, "learning_rate", o, _LEARNING_RATES)
        check_number(self.learning_rate_init, "learning_rate_init", o, low=0, low_open=True)
        check_number(self.power_t, "power_t", o, low=0)
        check_number(self.max_iter, "max_iter", o, low=1, integer=True)
        check_bool(self.shuffle, "shuffle", o)
        check_number(self.tol, "tol", o, low=0)
        verbose = self.verbose
        if not isinstance(verbose, (bool, np.bool_, numbers.Integral)) or verbose < 0:
            raise _fail(o, "verbose", "a bool or an int >= 0", verbose)
        check_bool(self.warm_start, "warm_start", o)
        check_number(self.momentum, "momentum", o, low=0, high=1, high_open=True)
        check_bool(self.nesterovs_momentum, "nesterovs_momentum", o)
        check_bool(self.early_stopping, "early_stopping", o)
        check_number(
            self.validation_fraction,
            "validation_fraction",
            o,
            low=0,
            high=1,
            high_open=True,
        )
        check_number(self.beta_1, "beta_1", o, low=0, high=1, high_open=True)
        check_number(self.beta_2, "beta_2", o, low=0, high=1, high_open=True)
        check_number(self.epsilon, "epsilon", o, low=0, low_open=True)
        if not (isinstance(self.n_iter_no_change, float) and self.n_iter_no_change == np.inf):
            # numpy.inf is a float: check_number's integer test would refuse it
            check_number(
                self.n_iter_no_change, "n_iter_no_change", o, low=1, integer=True, allow_inf=True
            )
        check_number(self.max_fun, "max_fun", o, low=1, integer=True)
        rs = self.random_state
        if not (
            rs is None
            or isinstance(rs, np.random.RandomState)
            or (isinstance(rs, numbers.Integral) and not isinstance(rs, bool) and 0 <= rs < 2**32)
        ):  # (True is an Integral: it seeded 1 in silence, where np.True_ was refused)
            want = "None, an int in [0, 2**32 - 1] (not a bool) or a RandomState"
            raise _fail(o, "random_state", want, rs)
        check_number(self.dropout, "dropout", o, low=0, high=1, high_open=True)
        _as_dtype(o, self.dtype)
        _as_callbacks(o, self.callbacks)
        check_threads(self.threads, o)
        if self.device is not None:
            check_choice(self.device, "device", o, ("cpu", "cuda"))
        if self.device == "cuda" and (self.solver == "lbfgs" or self.early_stopping):
            raise ValueError(
                f"{o}: device='cuda' trains with solver 'sgd' or 'adam' and without early "
                "stopping (L-BFGS and the validation score run on the CPU for now); change "
                "those, or train on the CPU."
            )
        if self.solver == "lbfgs" and self.dropout > 0:
            raise ValueError(
                f"{o}: dropout={self.dropout} needs a stochastic solver: L-BFGS needs the "
                "same loss at every evaluation. Use solver='adam' or 'sgd', or dropout=0."
            )
        self._check_extra_params()

    def _check_extra_params(self) -> None:
        """Subclass hook for their own parameters."""

    def _hidden(self) -> list[int]:
        hls = self.hidden_layer_sizes
        return [int(s) for s in (hls if hasattr(hls, "__iter__") else [hls])]

    def _hidden_acts(self, n_hidden: int) -> list[str]:
        acts = [self.activation] * n_hidden if isinstance(self.activation, str) else self.activation
        return [_ACT_TO_GLASSNET[a] for a in acts]

    # ------------------------------------------------------------- the network
    def _build(self, n_features: int, n_outputs: int, dtype: np.dtype, rs: Any) -> None:
        """The glassnet MLP, initialized as scikit-learn initializes (``_init_coef``).

        W_l and b_l ~ U(-a, a) with a = sqrt(f / (fan_in + fan_out)), f = 2 for the
        logistic activation and 6 otherwise, drawn from ``random_state`` in
        scikit-learn's order (W1, b1, W2, b2, ...), so the same ``random_state`` gives
        the same initial weights as scikit-learn's MLP.
        """
        hidden = self._hidden()
        acts = self._hidden_acts(len(hidden))
        sizes = [n_features, *hidden, n_outputs]
        # before drawing anything: the weights (drawn in float64), their gradients and the
        # solver's state, about 4 float64 copies (the batches are checked by fit)
        params = sum((a + 1) * c for a, c in zip(sizes[:-1], sizes[1:]))
        what = f"{type(self).__name__}(hidden_layer_sizes={tuple(hidden)})"
        check_memory(what, 4 * 8 * params, "use fewer or narrower hidden layers")
        init = []
        for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            if isinstance(self.activation, str):
                logistic = self.activation in ("logistic", "sigmoid")
            else:
                logistic = i < len(acts) and acts[i] == "sigmoid"
            bound = np.sqrt((2.0 if logistic else 6.0) / (fan_in + fan_out))
            W = rs.uniform(-bound, bound, (fan_in, fan_out))  # (inputs, neurons)
            b = rs.uniform(-bound, bound, fan_out)  # (neurons,)
            init.append((W, b))
        model = MLP(
            sizes,
            activation=acts,
            output_activation=self._model_head(),
            dropout=float(self.dropout),
            rng=0,  # the weights are overwritten below; dropout's rng is set at each fit
            dtype=dtype,
        )
        for lin, (W, b) in zip((m for m in model.layers if isinstance(m, Linear)), init):
            lin.W.data[...] = W
            lin.b.data[...] = b  # type: ignore[union-attr]
        self.model_ = model
        self._network_id = object()  # a coefs_ list read before is not this network's
        self.n_layers_ = len(sizes)
        self.n_outputs_ = n_outputs
        self.n_iter_ = 0
        self.t_ = 0
        self._best_params = [p.data.copy() for p in model.parameters()]
        self._optimizer: Any = None
        self._schedule: Any = None
        self._optimizer_kind: dict[str, Any] | None = None
        self.loss_curve_: list[float] = []
        self.__dict__.pop("loss_", None)  # (a fresh start's: a refit interrupted before its
        self._no_improvement_count = 0  # first epoch kept the previous fit's loss_)
        if self.early_stopping:
            self.validation_scores_: list[float] | None = []
            self.validation_loss_curve_: list[float] | None = []
            self.best_validation_score_: float | None = -np.inf
            self.best_loss_: float | None = None
        else:
            self.best_loss_ = np.inf
            self.validation_scores_ = None
            self.validation_loss_curve_ = None
            self.best_validation_score_ = None

    @property
    def coefs_(self) -> list[np.ndarray]:
        """Weight matrices, ``coefs_[i]`` of shape (inputs, neurons) of layer i + 1.

        Live views of ``model_``'s weights (writing into them changes the model), in the
        training dtype. A fit that builds a new optimizer moves the weights into new
        buffers: read ``coefs_`` again after fitting. Assigning a list, or an item
        (``coefs_[i] = W``, as in scikit-learn), copies the values in.
        """
        given = self._given("coefs_")
        if given is not None:
            return given
        return _LayerArrays(self, "coefs_", [lin.W.data for lin in self._linears()])

    @coefs_.setter
    def coefs_(self, values: Sequence[Any]) -> None:
        if self._keep_given("coefs_", values):
            return
        self._set_weights("coefs_", values, [lin.W for lin in self._linears()])

    @property
    def intercepts_(self) -> list[np.ndarray]:
        """Bias vectors, ``intercepts_[i]`` of shape (neurons,): live views, as ``coefs_``."""
        given = self._given("intercepts_")
        if given is not None:
            return given
        arrays = [lin.b.data for lin in self._linears()]  # type: ignore[union-attr]
        return _LayerArrays(self, "intercepts_", arrays)

    @intercepts_.setter
    def intercepts_(self, values: Sequence[Any]) -> None:
        if self._keep_given("intercepts_", values):
            return
        self._set_weights("intercepts_", values, [lin.b for lin in self._linears()])

    # Weights assigned before the first fit (scikit-learn's own test_fit does it): with no
    # network yet, ``coefs_``/``intercepts_`` keep the object given, as scikit-learn's
    # plain attributes do (``clf.coefs_[0] = W`` writes into it); the next partial_fit, or
    # fit with warm_start=True, builds the network from them (checked then), as
    # scikit-learn continues from coefs_ it finds. A fit that starts over warns instead.
    def __sklearn_is_fitted__(self) -> bool:
        """Fitted once a fit built the network (``check_is_fitted``'s question); a refused
        fit or partial_fit leaves the estimator as it was (see ``_fit``)."""
        return "model_" in self.__dict__

    def _given(self, name: str) -> Any:
        if "model_" in self.__dict__:
            return None
        return self.__dict__.get("_given_weights", {}).get(name)

    def _keep_given(self, name: str, values: Any) -> bool:
        if "model_" in self.__dict__:
            return False
        self.__dict__.setdefault("_given_weights", {})[name] = values
        return True

    def _given_arrays(self, start: bool, n_features: int, n_outputs: int) -> Any:
        """The weights assigned before the first fit, checked against the network the fit
        builds (``start``: partial_fit or a warm start, which start from them), before
        anything is built: a refusal leaves them assigned and the estimator not fitted.
        None when there are none, or when the fit starts over (it says so)."""
        given = self.__dict__.get("_given_weights")
        if not given:
            return None
        name = type(self).__name__
        if not start:
            del self.__dict__["_given_weights"]
            _warn(
                f"{name}: the {' and '.join(sorted(given))} assigned before fit were replaced by "
                "new random weights, as scikit-learn's fit does. To train from them, call "
                "partial_fit, or set warm_start=True before fit.",
                UserWarning,
            )
            return None
        missing = {"coefs_", "intercepts_"} - set(given)
        if missing:
            raise ValueError(
                f"{name}: {sorted(given)[0]} was assigned before the first fit but "
                f"{sorted(missing)[0]} was not; assign both (one array per layer) to start "
                "from your own weights."
            )
        sizes = [n_features, *self._hidden(), n_outputs]
        shapes = {
            "coefs_": list(zip(sizes[:-1], sizes[1:])),
            "intercepts_": [(b,) for b in sizes[1:]],
        }
        arrays = {}
        for key, want in shapes.items():
            values = given[key]
            if isinstance(values, (str, bytes)) or not hasattr(values, "__len__"):
                raise ValueError(
                    f"{key} must be a list of arrays, one per layer. Got {type(values).__name__}."
                )
            arrays[key] = _checked_arrays(key, values, want, range(len(want)))
        return arrays

    def _use_given(self, arrays: Any) -> None:
        """Copy the weights :meth:`_given_arrays` checked into the network just built."""
        if arrays is None:
            return
        del self.__dict__["_given_weights"]
        for key, values in arrays.items():
            for p, v in zip(self._layer_params(key), values):
                p.data[...] = v
        self._best_params = [p.data.copy() for p in self.model_.parameters()]

    def _linears(self) -> list[Linear]:
        model = self.__dict__.get("model_")
        if model is None:
            raise AttributeError(
                f"This {type(self).__name__} instance is not fitted yet: weights exist after fit."
            )
        return [m for m in model.layers if isinstance(m, Linear)]

    def _layer_params(self, name: str) -> list[Any]:
        """The Parameters behind ``coefs_`` (W) or ``intercepts_`` (b), one per layer."""
        return [lin.W if name == "coefs_" else lin.b for lin in self._linears()]

    def _set_weights(
        self, name: str, values: Sequence[Any], params: list[Any], at: Sequence[int] | None = None
    ) -> None:
        """Copy ``values`` into ``params`` (all layers, or the layers ``at``), each checked
        for its shape and finite values before any is written."""
        at = range(len(params)) if at is None else at
        arrs = _checked_arrays(name, values, [p.data.shape for p in params], at)
        for i, v in zip(at, arrs):
            params[i].data[...] = v

    def _nonfinite_weight(self) -> str | None:
        """Where the network's weights hold NaN or inf (written into the live ``coefs_`` or
        ``intercepts_`` views), in words: 'coefs_[0][2, 1] is nan (1 non-finite value in
        coefs_[0])'; None where every weight is finite."""
        for name in ("coefs_", "intercepts_"):
            for i, p in enumerate(self._layer_params(name)):
                bad = ~np.isfinite(p.data)
                if bad.any():
                    at = np.unravel_index(int(np.argmax(bad)), bad.shape)
                    count = int(bad.sum())
                    return (
                        f"{name}[{i}][{', '.join(map(str, at))}] is {p.data[at]} ({count} "
                        f"non-finite value{'s' if count > 1 else ''} in {name}[{i}])"
                    )
        return None

    def _refuse_nonfinite_weights(self, result: str) -> None:
        """Refuse to continue from (``result``: 'training', or what predict would return)
        weights that hold NaN or inf, naming the first."""
        where = self._nonfinite_weight()
        if where is None:
            return
        if result == "training":
            what = (
                "from which training cannot continue (the loss would be NaN at the first "
                "step). Write finite values into them, or fit anew (warm_start=False)."
            )
        else:
            what = (
                f"so the network computes no number from them: its {result} would be NaN. "
                "Write finite values into them, or fit again."
            )
        raise ValueError(
            f"{type(self).__name__}: the fitted weights are not all finite: {where}, {what}"
        )

    def _model_head(self) -> str:
        raise NotImplementedError

    def _loss_kind(self) -> str:
        raise NotImplementedError

    # ------------------------------------------------------------- forward
    def _outputs(self, X: np.ndarray) -> np.ndarray:
        """The network's outputs for validated X, in float64: probabilities for the
        classifier, predictions for the regressor. The output activation is applied in
        float64 to float64 copies of the logits (no float32 saturation at 0 or 1)."""
        return self._head(self._logits(X))

    def _head(self, z: np.ndarray) -> np.ndarray:
        """The output activation applied to float64 logits ``z`` (in place where it can):
        ``out_activation_``, any of scikit-learn's activations (a name set by hand too, as
        scikit-learn's predict applies it), 'exp' (the Poisson loss's) or glassnet's
        'sigmoid' and 'leaky_relu'; another value is a ValueError naming them."""
        head = self._checked_head()
        if _replaced_head(head):  # (a replaced table entry: the model's own output, as fit's)
            z = np.asarray(F.ACTIVATIONS[_replaced_head(head)].fn(z), np.float64)
        elif head == "softmax":
            z = F.softmax_fn(z, axis=1)
        elif head in ("logistic", "sigmoid"):
            z = expit(z)  # 1 / (1 + e^-z), accurate in both tails
        elif head == "exp":
            np.exp(z, out=z)
        elif head != "identity":  # tanh, relu, leaky_relu: glassnet's activation table
            z = F.ACTIVATIONS[head].fn(z)
        return z

    def _checked_head(self) -> str:
        """``out_activation_`` if :meth:`_head` can apply it, else a ValueError."""
        head = self.out_activation_
        if not (isinstance(head, str) and head in _OUT_HEADS):
            names = ", ".join(map(repr, _OUT_HEADS))
            raise ValueError(
                f"{type(self).__name__}: out_activation_={head!r} is not an output activation "
                f"the estimator can apply: one of {names}. Set it to one of those, or back to "
                f"the one fit set, {self._fitted_out_activation()!r}."
            )
        return head

    def _fitted_out_activation(self) -> str:
        raise NotImplementedError

    def _logits(self, X: np.ndarray) -> np.ndarray:
        """z of the output layer (before its activation), float64, (n, n_outputs).

        The network as in eval mode: its Dropout layers (inverted dropout, the identity at
        inference) are skipped rather than switched off, so the model's training flag is
        never touched and predictions from several threads at once are all exact.
        """
        if any(forward_hooked(m) for m in (self.model_, self.model_.layers[-1])):
            raise ValueError(
                f"{type(self).__name__}: model_ or its output layer has forward hooks, which "
                "its predictions would not run (they run the hidden layers one by one, the "
                "output activation in float64): register the hook on a hidden layer, "
                "model_.layers[i]."
            )
        layers = self.model_.layers
        if hasattr(X, "toarray"):  # sparse: densified a block of rows at a time (one pass's
            shapes = [m.W.shape for m in layers if isinstance(m, Linear)]  # numbers: its bits
            wide = 8 * max([X.shape[1], *(b for _, b in shapes)])  # in float64, to rounding
            starts = row_blocks(X.shape[0], FORWARD_BYTES // wide, shapes)  # in float32)
            if len(starts) <= 2:  # (each dense block checked against the memory limit)
                return self._logits(_dense(X))
            return np.concatenate(
                [self._logits(_dense(X[a:b])) for a, b in zip(starts, starts[1:])]
            )
        body = layers[:-1] if isinstance(layers[-1], ActivationModule) else layers
        fresh = False  # whether t holds a Linear's new output, which an activation may overwrite
        with no_grad():
            t = Tensor(self._in_dtype(X))
            for layer in body:
                if isinstance(layer, Dropout):
                    continue
                act = F.get_activation(layer.name) if isinstance(layer, ActivationModule) else None
                own = act and fresh and not forward_hooked(layer)  # (a hook sees its call)
                kernel = F.INPLACE.get((act.fn, act.grad)) if own else None
                if kernel and act.name != "leaky_relu":  # (in place: no copy of a large batch;
                    kernel[0](t.data, None, 0.0)  # leaky ReLU's kernel needs scratch memory)
                else:
                    t = layer(t)
                fresh = isinstance(layer, Linear) and not forward_hooked(layer)
        return np.asarray(t.data, dtype=np.float64)  # (float64 X: the Linear's own output)

    def _refuse_nonfinite_rows(self, X: np.ndarray, rows: np.ndarray, result: str) -> None:
        """Refuse the ``rows`` of X whose outputs are not numbers (``result``: what would be
        NaN, "probabilities" or "predictions"). Where such a row holds NaN or inf (X passed
        unchecked, under scikit-learn's ``assume_finite=True``) that is said, with the
        imputer to use; otherwise the network overflowed on finite values too large for its
        dtype, and X is to be scaled. Predictions made from NaN would be NaN (scikit-learn's
        regressor), or the first class (its classifier), without a word."""
        if not rows.size:
            return
        self._refuse_nonfinite_weights(result)  # (a NaN written into coefs_, not X's fault)
        name = type(self).__name__
        X = _dense(X)  # (a sparse X of predict's: dense to name its cells)
        holes = ~np.isfinite(X[rows]).all(axis=1)
        if holes.any():
            r = int(rows[np.argmax(holes)])
            c = int(np.argmax(~np.isfinite(X[r])))
            raise ValueError(
                f"{name}: X holds NaN or inf in {int(holes.sum())} row(s) (the first: row {r}, "
                f"column {c} is {X[r, c]}), from which the network computes no output: their "
                f"{result} would be NaN. (scikit-learn's check of X for NaN and inf was skipped: "
                "assume_finite=True.) Fill the missing values first, e.g. a SimpleImputer in a "
                "Pipeline before the estimator, or drop those rows."
            )
        fix = " or fit with dtype='float64'" if self._dtype == np.float32 else ""
        raise ValueError(
            f"{name}: the network's outputs overflowed for {rows.size} row(s) of "
            f"X (the first: row {rows[0]}), whose values (up to "
            f"{float(np.abs(X[rows[0]]).max()):.3g}) are too large for its {self._dtype} "
            f"arithmetic: their {result} would be NaN. Scale X as the training data was "
            f"(e.g. a StandardScaler in a Pipeline){fix}."
        )

    def _check_X(self, X: Any, dense: bool = True) -> Any:
        """Validate X at predict time (features, NaN/inf, dtype), densify sparse input
        (``dense=False``: kept sparse, as CSR, for :meth:`_logits` to densify by rows)."""
        X = _validate(
            self, X, accept_sparse=["csr", "csc"], dtype=(np.float64, np.float32), reset=False
        )
        return _dense(X) if dense else X.tocsr() if hasattr(X, "tocsr") else X

    # ------------------------------------------------------------------ fit
    def _fit(
        self,
        X: Any,
        y: Any,
        sample_weight: Any = None,
        incremental: bool = False,
        setup: Callable[[], None] | None = None,
    ) -> Any:
        """Check the parameters, then fit (``setup``: partial_fit's first-call work, run
        after the parameters are checked).

        A fit refused before training starts (its X, y, sample_weight, classes or any of
        glassnet's own checks) leaves the estimator exactly as it was: fitted with the
        same classes_, n_features_in_, feature_names_in_ and network, or not fitted. The
        checks set attributes as they go (validate_data sets n_features_in_, the labels
        classes_), so ``__dict__`` is restored from a shallow copy; nothing before the
        solvers' ``began`` mark changes an object it holds in place (a new network, new
        lists and optimizers are new objects). A failure once training has started (a
        diverging SGD) keeps the weights it reached, as documented.
        """
        try:
            self._check_params()
        except ValueError as e:
            if isinstance(e, InvalidParameterError):
                raise
            raise MLPParameterError(str(e)) from None
        before = dict(self.__dict__)
        began: list[bool] = []  # the solvers append to it once they change the weights
        try:
            if setup is not None:
                setup()
            return self._fit_checked(X, y, sample_weight, incremental, began)
        except BaseException:
            if not began:
                self.__dict__.clear()
                self.__dict__.update(before)
            raise

    def _fit_checked(
        self, X: Any, y: Any, sample_weight: Any, incremental: bool, began: list[bool]
    ) -> Any:
        first_pass = not hasattr(self, "model_") or (not self.warm_start and not incremental)
        X, y_user, Y = self._validate_input(X, y, incremental, reset=first_pass)
        n, n_features = X.shape
        if sample_weight is not None:
            sample_weight = _check_sample_weight(_no_text(self, sample_weight), X, dtype=np.float64)
            negative = np.flatnonzero(sample_weight < 0)
            if negative.size:  # (scikit-learn's check says only 'Negative values in data')
                i = int(negative[0])
                raise ValueError(
                    f"{type(self).__name__}: Negative values in sample_weight, which must be "
                    f">= 0 (how much each sample counts): {negative.size} of them, the first "
                    f"{sample_weight[i]:g} at row {i}. Give those samples 0 to leave them out, "
                    "e.g. np.clip(sample_weight, 0, None)."
                )
        w = self._combined_weights(y_user, sample_weight, incremental)
        # a later partial_fit with an int random_state draws only the shuffle, the same at
        # every call: _SklearnShuffles keeps it rather than seeding a RandomState each call
        later_call = incremental and not first_pass
        seeded = isinstance(self.random_state, numbers.Integral)
        rs = None if later_call and seeded else check_random_state(self.random_state)
        if first_pass:
            dt = _as_dtype(type(self).__name__, self.dtype)
            self._dtype = dt if dt is not None else np.dtype(X.dtype)
            self._set_head(Y)
            given = self._given_arrays(incremental or bool(self.warm_start), n_features, Y.shape[1])
            self._build(n_features, Y.shape[1], self._dtype, rs)
            self._use_given(given)
        elif Y.shape[1] != self.n_outputs_:
            n = self.n_outputs_
            if not self._is_classifier():
                fitted = f"was fitted on {n} target(s)"
            elif self._label_binarizer.y_type_ == "multilabel-indicator":
                fitted = f"was fitted on a multi-label y ({n} labels, a 0/1 column each)"
            else:
                fitted = f"was fitted on one label per sample ({n} output(s))"
            raise ValueError(
                f"{type(self).__name__}: y has {Y.shape[1]} output(s) per sample but the "
                f"network {fitted}. {_continue_advice(incremental)}"
            )
        else:
            self._follow_params(Y)
        if not first_pass:  # (the live coefs_ views may have been written into)
            self._refuse_nonfinite_weights("training")
        X, given = self._in_dtype(X), X
        collapsed(given, X, "X", f"{type(self).__name__}.fit", _COLLAPSED)  # (not at predict)
        if self.solver == "lbfgs":
            self._fit_lbfgs(X, Y, w, began)
        else:
            self._fit_stochastic(X, y_user, Y, w, rs, incremental, began)
        if not all(np.all(np.isfinite(p.data)) for p in self.model_.parameters()):
            raise ValueError(_NONFINITE)
        return self

    def _diverged_message(self, Y: np.ndarray, detail: str) -> str:
        """What a fit stopped at a non-finite loss raises (``detail``: fit's account of it):
        scikit-learn's message, which code may match on, with glassnet's details."""
        return f"{_NONFINITE} Details: {detail}"

    def _follow_params(self, Y: np.ndarray) -> None:
        """A warm-started fit or a later partial_fit continues the fitted weights with the
        parameters as they are now, as scikit-learn does: a new ``activation`` (and
        glassnet's ``dropout``, the regressor's ``loss`` and ``output_activation``) applies
        to the fitted weights. The network is rebuilt around them, and the optimizer's
        state (momentum, Adam's moments) carried over. Different ``hidden_layer_sizes``
        cannot hold the fitted weights, nor does a different ``dtype`` name theirs: those
        are errors, not silent no-ops.
        """
        model = self.model_
        hidden = self._hidden()
        if hidden != list(model.sizes[1:-1]):
            raise ValueError(
                f"{type(self).__name__}: hidden_layer_sizes={tuple(hidden)} differs from the "
                f"fitted network's {tuple(model.sizes[1:-1])}. warm_start=True and partial_fit "
                "continue from the fitted weights, which need the same layers: set "
                "hidden_layer_sizes back, or fit anew with warm_start=False."
            )
        dt = _as_dtype(type(self).__name__, self.dtype)
        if dt is not None and dt != self._dtype:
            raise ValueError(
                f"{type(self).__name__}: dtype={self.dtype!r} differs from the fitted "
                f"network's {self._dtype}. warm_start=True and partial_fit continue from the "
                "fitted weights in their dtype: set dtype back, or fit anew with "
                "warm_start=False."
            )
        self._set_head(Y)
        acts = self._hidden_acts(len(hidden))
        if (
            acts == list(model.activations)
            and float(self.dropout) == model.dropout
            and self._model_head() == model.output_activation
        ):
            return
        new = MLP(
            model.sizes,
            activation=acts,
            output_activation=self._model_head(),
            dropout=float(self.dropout),
            rng=0,  # the weights are copied in below
            dtype=self._dtype,
        )
        for p_new, p_old in zip(new.parameters(), model.parameters()):
            p_new.data[...] = p_old.data
        opt, sched = self._optimizer, self._schedule
        self.model_ = new
        if opt is not None:  # the same optimizer and schedule, as scikit-learn keeps its own
            self._rebuild_optimizer(opt.state_dict(), None if sched is None else sched.state_dict())

    def _in_dtype(self, X: np.ndarray) -> np.ndarray:
        """X (validated, finite) as a C-contiguous array of the training dtype; values beyond
        that dtype's range (float64 X, dtype='float32') are an error, not infinities."""
        with np.errstate(over="ignore"):
            Xc = np.ascontiguousarray(X, dtype=self._dtype)
        if Xc.dtype != X.dtype and not np.isfinite(Xc).all():
            raise self._beyond_range("X", X, "Scale X (e.g. StandardScaler)")
        return Xc

    def _y_in_dtype(self, Y: np.ndarray) -> np.ndarray:
        """The regression targets (finite float64) in the training dtype: values beyond
        float32's range are an error that says so, not the infinities fit would refuse as
        'y contains NaN or inf'."""
        with np.errstate(over="ignore"):
            Yc = Y.astype(self._dtype)
        if not np.isfinite(Yc).all():
            raise self._beyond_range(
                "y",
                Y,
                "Scale y (e.g. TransformedTargetRegressor(regressor=..., "
                "transformer=StandardScaler()))",
            )
        collapsed(Y, Yc, "y", f"{type(self).__name__}.fit", _COLLAPSED_Y)
        return Yc

    def _beyond_range(self, name: str, values: np.ndarray, scale: str) -> ValueError:
        why = f"dtype={self.dtype!r}"
        fix = "use dtype='float64'"
        if self.dtype is None:  # it follows the training X: float32 X at fit
            why += f", which followed the {self._dtype} X it was fitted on"
            fix = "fit it on float64 X (or with dtype='float64')"
        return ValueError(
            f"{type(self).__name__}: {name} has values up to {np.abs(values).max():.3g}, beyond "
            f"the range of {self._dtype} ({np.finfo(self._dtype).max:.3g}) in which this "
            f"estimator computes ({why}). {scale} or {fix}."
        )

    def _combined_weights(
        self, y: np.ndarray, sample_weight: np.ndarray | None, incremental: bool
    ) -> np.ndarray | None:
        return sample_weight

    def _train_spec(
        self, Y: np.ndarray, w: np.ndarray | None
    ) -> tuple[Any, np.ndarray, Any, float]:
        """(loss for glassnet.fit, targets, per-sample weights, l2) in scikit-learn's scale.

        scikit-learn normalizes a weighted loss and its penalty by the sum of the weights,
        ``L = sum_i w_i l_i / sum_i w_i + alpha ||W||^2 / (2 sum_i w_i)``; glassnet's fit
        divides by the batch size. Weights scaled to mean 1 and ``l2 = alpha / mean(w)``
        make the two equal for full batches (and on average for mini-batches).
        """
        alpha = float(self.alpha)
        if w is not None:
            if not np.isfinite(w).all():  # (each is finite: their product overflowed)
                raise ValueError(
                    f"{type(self).__name__}: sample_weight times class_weight overflows float64 "
                    "(beyond 1.8e+308) for some samples. Divide sample_weight or class_weight "
                    "by a constant (only the ratios of the weights matter, besides alpha)."
                )
            top = float(w.max()) if w.size else 0.0
            if not top > 0:
                raise ValueError(
                    "sample_weight (times class_weight) is zero for every sample; give some "
                    "samples a positive weight."
                )
            with np.errstate(over="ignore"):  # (w.mean() overflows for weights near 1e308:
                mean = float(w.mean())  # there alone the mean of w / max(w), which rounds
            if not np.isfinite(mean):  # otherwise, so ordinary weights fit as before)
                mean = float((w / top).mean()) * top
            w = (w / mean).astype(self._dtype)
            with np.errstate(over="ignore"):
                alpha = alpha / mean
            if not np.isfinite(alpha):
                raise ValueError(
                    f"{type(self).__name__}: sample_weight (times class_weight) is too small: "
                    f"its mean, {mean:.3g}, divides alpha={self.alpha} in the L2 penalty "
                    "(alpha / (2 * the sum of the weights) * ||W||^2, scikit-learn's), which "
                    "overflows. Multiply sample_weight by a constant (only the ratios of the "
                    "weights matter, besides alpha), or set alpha=0."
                )
        kind = self._loss_kind()
        k = Y.shape[1]
        if kind == "poisson":
            wcol = np.ones((Y.shape[0], 1)) if w is None else w.reshape(-1, 1)
            target = np.hstack([self._y_in_dtype(Y), wcol.astype(self._dtype)])
            return _PoissonLoss(k), target, None, alpha
        if kind == "softmax":
            return "cross_entropy", Y.argmax(axis=1).astype(np.int64), w, alpha
        if kind == "logistic":
            if k > 1:  # scikit-learn sums the binary log-loss over the labels; glassnet averages
                w = np.full(Y.shape[0], float(k), self._dtype) if w is None else w * k
            return "binary_cross_entropy", Y.astype(self._dtype), w, alpha
        return "half_mse", self._y_in_dtype(Y), w, alpha

    def _batch_size(self, n: int) -> int:
        if self.batch_size == "auto":
            return min(200, n)
        if self.batch_size > n:
            _warn(
                "Got `batch_size` less than 1 or larger than sample size. It is going to be "
                "clipped",
            )
        return int(np.clip(self.batch_size, 1, n))

    def _fit_stochastic(
        self,
        X: np.ndarray,
        y_user: np.ndarray,
        Y: np.ndarray,
        w: np.ndarray | None,
        rs: Any,
        incremental: bool,
        began: list[bool] | None = None,
    ) -> None:
        """``began`` (see :meth:`_fit`) is marked once every check has passed, before the
        model, its optimizer or the weights change."""
        model = self.model_
        if self.early_stopping and incremental:
            raise ValueError("partial_fit does not support early_stopping=True")
        if self.early_stopping and self.validation_scores_ is None:  # switched on, warm start
            self.validation_scores_, self.validation_loss_curve_ = [], []
            self.best_validation_score_, self.best_loss_ = -np.inf, None
        if not self.early_stopping and self.best_loss_ is None:  # switched off, warm start
            self.best_loss_ = np.inf  # (the scores were the earlier run's: none now, as a
            self.validation_scores_ = self.validation_loss_curve_ = None  # fresh fit has)
            self.best_validation_score_ = None
        val = None
        if self.early_stopping and self.validation_fraction == 0:
            raise ValueError(
                f"{type(self).__name__}: early_stopping=True scores a held-out validation set, "
                "but validation_fraction=0.0 holds out no samples. Set validation_fraction in "
                "(0, 1) (default 0.1), or early_stopping=False."
            )
        if self.early_stopping:
            # scikit-learn stratifies single-output (binary) classification only, by its own
            # code of the labels (the 0/1 column as bools): the same split as by the labels,
            # and scikit-learn's own error, which an added note translates into the labels
            binary = self._is_classifier() and Y.shape[1] == 1
            stratify = Y.astype(bool) if binary else None
            parts = [X, y_user, Y] + ([w] if w is not None else [])
            try:
                split = train_test_split(
                    *parts, random_state=rs, test_size=self.validation_fraction, stratify=stratify
                )
            except ValueError as e:
                if stratify is None:
                    raise
                if "least populated" in str(e):
                    fix = "Give each class at least 2 samples"
                elif "test_size" in str(e) and "number of classes" in str(e):
                    fix = "Raise validation_fraction to hold out a sample of each class"
                else:  # the training part empty, or with fewer rows than classes
                    fix = "Lower validation_fraction to train on a sample of each class"
                codes, labels = "", np.asarray(self.classes_).tolist()
                if len(labels) == 2 and ("'True'" in str(e) or "'False'" in str(e)):
                    codes = (
                        f" (scikit-learn's codes for the classes: 'False' is {labels[0]!r}, "
                        f"'True' is {labels[1]!r})"
                    )
                raise ValueError(
                    f"{type(self).__name__}: early_stopping=True holds out "
                    f"validation_fraction={self.validation_fraction} of the samples, stratified "
                    f"by class: {str(e).rstrip('.')}{codes}. {fix}, or set early_stopping=False."
                ) from e
            X, Xv = split[0], split[1]
            y_user, yv = split[2], split[3]
            Y, Yv = split[4], split[5]
            w_val = None
            if w is not None:
                w, w_val = split[6], split[7]
            if Xv.shape[0] < 2:
                raise ValueError(
                    "The validation set is too small. Increase 'validation_fraction' or the "
                    "size of your dataset."
                )
            val = (Xv, yv, Yv, w_val)
        loss, target, w_fit, l2 = self._train_spec(Y, w)
        if began is not None:
            began.append(True)
        if self.device == "cuda":  # the weights there first, so the optimizer's buffers are
            model.to("cuda")
        if not incremental or self._optimizer is None:
            self._make_optimizer()
        n = X.shape[0]
        bs = self._batch_size(n)
        rules = _SklearnRules(self, n, val)
        self.n_iter_ = 0
        if val is not None:  # where this fit's validation numbers begin (warm starts add on)
            scored = (len(self.validation_scores_), self.best_validation_score_)
        # after scikit-learn's draws (init, split): each epoch's shuffle, scikit-learn's own
        # draws from rs, so the batch order and rs's next draws are scikit-learn's (a later
        # partial_fit with an int random_state repeats its order, as scikit-learn's does)
        shuffles = _SklearnShuffles(self, rs, n, bool(self.shuffle))
        dropouts = [m for m in model.modules() if isinstance(m, Dropout)]
        if dropouts:
            # the dropout masks: a stream of their own, seeded by (rs's position, t_: the
            # samples seen so far), drawing nothing from rs: so each partial_fit or
            # warm-started fit drops other units, and the same random_state and calls give
            # the same masks
            masks = np.random.default_rng([*self._stream_key(rs), int(self.t_)])
            for m in dropouts:
                m.rng = masks
        diverged = None
        if isinstance(self.threads, numbers.Integral):  # (over the BLAS's cap: refused
            with blas_limit(model, 1, threads=self.threads, owner=type(self).__name__):
                pass  # naming the estimator, not the fit it calls)
        try:  # (fit applies the BLAS threads: threads= is passed on)
            history = _glassnet_fit(
                model,
                X,
                target,
                loss=loss,
                optimizer=self._optimizer,
                epochs=1 if incremental else int(self.max_iter),
                batch_size=None if bs >= n else bs,
                shuffle=bool(self.shuffle),
                seed=shuffles,
                stop_rules=[rules],
                # (last: an interrupt is warned of once, by the estimator, at the caller's
                # line; no warning filter is touched, the process's are left as they are)
                callbacks=[*_as_callbacks(type(self).__name__, self.callbacks), _OwnInterrupt()],
                sample_weight=w_fit,
                l2=l2,
                verbose=0,
                threads=self.threads,
            )
            _OwnInterrupt.named(history)
        except DivergenceError as e:
            # scikit-learn trains on with non-finite weights and then raises, unless early
            # stopping kept finite best weights; glassnet stops at the first non-finite loss
            diverged, history = e, e.history
            detail = str(e).removeprefix("fit: ")
            if not (self.early_stopping and self.best_validation_score_ > -np.inf):
                raise ValueError(self._diverged_message(Y, detail)) from e
            self.t_ += history.samples_seen - len(history.loss) * n
            if e.epoch is None or e.epoch > history.epochs:  # (not when the run had ended:
                # its epochs are booked, its last update diverged) the diverged epoch, cut
                # short, scored as scikit-learn scores it: NaN
                self.n_iter_ += 1
                self.loss_ = np.float64(np.nan)
                self.loss_curve_.append(self.loss_)
                self.validation_scores_.append(np.nan)  # type: ignore[union-attr]
                self.validation_loss_curve_.append(np.nan)  # type: ignore[union-attr]
        finally:  # a model trained on the GPU comes back: predict, coefs_, pickling as ever
            if self.device == "cuda":
                model.to("cpu")
        while shuffles.drawn < len(history.loss):  # (an epoch run without asking its order)
            shuffles.draw()
        self.history_ = history
        if diverged is not None:
            self.stop_reason_ = "diverged"
            _warn(
                f"Stochastic Optimizer: {detail.split(':')[0]}: training diverged. "
                + (
                    "The validation score of that epoch is NaN; training stopped there and the "
                    if diverged.epoch is None or diverged.epoch > history.epochs
                    else "The "
                )
                + "weights of the best validation score "
                f"({self.best_validation_score_:.6g}) were restored. Try a smaller "
                f"learning_rate_init (now {self.learning_rate_init}) or standardize X.",
                ConvergenceWarning,
            )
        elif history.stop_reason in ("min_lr", "early_stopping", "tol", "callback"):
            self.stop_reason_ = history.stop_reason
        elif history.stop_reason == "interrupted":
            self.stop_reason_ = "interrupted"
            _warn(interrupted_warning(history))
        elif incremental:
            self.stop_reason_ = "partial_fit"
        else:
            self.stop_reason_ = "max_iter"
            _warn(
                f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached and the "
                "optimization hasn't converged yet.",
                ConvergenceWarning,
            )
        history.stop_reason = self.stop_reason_  # one vocabulary: train.STOP_REASONS
        if val is not None:
            self.history_ = self._validated_history(history, *scored)
        if self.early_stopping:
            for p, best in zip(model.parameters(), self._best_params):
                p.data[...] = best

    def _validated_history(self, history: History, start: int, best_before: float) -> History:
        """``history`` with this fit's validation curves (early stopping scores the held-out
        set in :class:`_SklearnRules`, not in glassnet.fit): ``val_loss`` (scikit-learn's
        loss), ``val_metric`` (the score: accuracy or R^2), ``best_epoch`` (the epoch of the
        best score, whose weights are restored; None when an earlier fit's stay) and a
        message that names the validation score, which is what stops the run."""
        n = len(history.loss)
        h = _EstimatorHistory(**{f.name: getattr(history, f.name) for f in fields(History)})
        h.val_loss = [float(v) for v in self.validation_loss_curve_[start : start + n]]
        scores = [float(v) for v in self.validation_scores_[start : start + n]]
        h.val_metric = scores
        h.metric_name = "accuracy" if self._is_classifier() else "r2"
        h.score = "accuracy" if self._is_classifier() else "R^2 score"
        h.best_by = f"validation {h.metric_name}"
        h.tol, h.patience = self.tol, self.n_iter_no_change
        best = np.nanmax(scores) if np.any(np.isfinite(scores)) else -np.inf
        if best > best_before:  # (scikit-learn keeps the first epoch that beats the best)
            h.best_epoch = history.epochs - n + 1 + int(np.nanargmax(scores))
            h.best_score = float(best)
        else:
            h.best_epoch = None
        return h

    def _stream_key(self, rs: Any) -> list[int]:
        """Where ``rs`` stands, as ints (its MT19937 key and position; for ``rs=None``, a
        later partial_fit with an int random_state, that int): the dropout masks' seed,
        read without drawing from ``rs``."""
        if rs is None:
            return [int(self.random_state)]
        state = rs.get_state(legacy=False)["state"]
        return [*np.asarray(state["key"]).tolist(), int(state["pos"])]

    def _make_optimizer(self, kind: dict[str, Any] | None = None) -> None:
        """scikit-learn's SGDOptimizer / AdamOptimizer as glassnet optimizers.

        ``kind`` ({'solver': 'sgd' or 'adam', 'learning_rate': 'constant', 'invscaling' or
        'adaptive'}) rebuilds the optimizer a fit made, whatever the parameters say now:
        scikit-learn keeps its optimizer object through later partial_fit calls and copies,
        so a new ``solver`` or ``learning_rate`` applies from the next fit (which builds a
        new one), not to a later partial_fit. None: from the parameters now.
        """
        if kind is None:
            sgd = self.solver == "sgd"
            kind = {
                "solver": "sgd" if sgd else "adam",
                "learning_rate": self.learning_rate if sgd else "constant",
            }
        params = self.model_.parameters()
        if kind["solver"] == "sgd":
            self._optimizer = optim.SGD(
                params,
                lr=self.learning_rate_init,
                momentum=self.momentum,
                nesterov=self.nesterovs_momentum,
                style="sklearn",
            )
            self._schedule = (
                schedules.InvScalingLR(self._optimizer, power_t=self.power_t)
                if kind["learning_rate"] == "invscaling"
                else None
            )
        else:
            self._optimizer = optim.Adam(
                params,
                lr=self.learning_rate_init,
                betas=(self.beta_1, self.beta_2),
                eps=self.epsilon,
                style="sklearn",  # (epsilon where scikit-learn's AdamOptimizer adds it)
            )
            self._schedule = None
        self._optimizer_kind = dict(kind)

    def _rebuild_optimizer(self, opt_state: Any, sched_state: Any) -> None:
        """The optimizer (and schedule) of the last fit again, around ``model_``'s weights,
        with their states: after the network is rebuilt, or a copy is loaded. Estimators
        pickled before the kind was kept are rebuilt from the parameters, as they were."""
        self._make_optimizer(self.__dict__.get("_optimizer_kind"))
        self._optimizer.load_state_dict(opt_state)
        if self._schedule is not None and sched_state is not None:
            self._schedule.load_state_dict(sched_state)
        else:  # (an old pickle's parameters may name a schedule the fit did not have)
            self._schedule = None

    def _adaptive(self) -> bool:
        """Whether the optimizer of the last fit has scikit-learn's 'adaptive' rate."""
        kind = self.__dict__.get("_optimizer_kind")
        if kind is None:  # pickled before the kind was kept
            return self.solver == "sgd" and self.learning_rate == "adaptive"
        return kind["solver"] == "sgd" and kind["learning_rate"] == "adaptive"

    def __getstate__(self) -> dict[str, Any]:
        # An optimizer binds the weights to views of its flat buffers; pickling would cut
        # those ties. Keep its state dict and rebuild it on load instead. (A copy: the state
        # object.__getstate__ gives is the instance's own __dict__, which must keep its
        # optimizer.)
        state = dict(super().__getstate__())
        opt = state.get("_optimizer")
        if opt is not None and not isinstance(opt, dict):
            sched = state.get("_schedule")
            state["_optimizer"] = {"state_dict": opt.state_dict()}
            state["_schedule"] = None if sched is None else {"state_dict": sched.state_dict()}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        if "threads" not in self.__dict__:  # pickled before the parameter existed
            self.threads = None
        _loss_attrs_float64(self.__dict__)
        opt, sched = self.__dict__.get("_optimizer"), self.__dict__.get("_schedule")
        if isinstance(opt, dict):
            sched_state = sched["state_dict"] if isinstance(sched, dict) else None
            self._rebuild_optimizer(opt["state_dict"], sched_state)

    def _fit_lbfgs(
        self, X: np.ndarray, Y: np.ndarray, w: np.ndarray | None, began: list[bool] | None = None
    ) -> None:
        """Minimize the full-batch loss with SciPy's L-BFGS-B, as scikit-learn does.

        glassnet gives the loss and its gradient: the parameters are packed into one flat
        buffer (:func:`glassnet.nn.flatten_parameters`); SciPy's float64 vector is
        copied into it, the fast path's forward/backward fills the flat gradient.
        """
        _check_scipy_for_lbfgs(type(self).__name__)
        model = self.model_
        loss, target, w_fit, l2 = self._train_spec(Y, w)
        if began is not None:  # (see _fit) the checks passed: from here the weights change
            began.append(True)
        flat = flatten_parameters(model.parameters())
        (theta,), (grad,) = flat.data, flat.grad
        objective = Objective(model, X, target, loss, sample_weight=w_fit, l2=l2)
        model.train()

        # the lowest finite loss evaluated and its weights (L-BFGS's last accepted point,
        # or a better one): where a step overflowed, SciPy returns that step's NaN
        lowest: list[Any] = [np.inf, None]
        start, first = theta.copy(), []  # the initial weights, and their loss
        # L-BFGS's last accepted iterate (the initial weights until its first iteration):
        # what a Ctrl-C keeps, not the line search's trial point in the live network
        accepted: list[np.ndarray] = [start]
        evaluations = [0]  # the loss evaluations completed (history.steps)

        def value_and_grad(x: np.ndarray) -> tuple[float, np.ndarray]:
            theta[...] = x
            value = objective()  # forward + backward: dL/dw lands in the flat gradient
            evaluations[0] += 1
            flat.sync()  # a graph engine may have rebound a .grad: copy it into its slot
            first[:] = first or [float(value)]
            if value < lowest[0]:  # (False for NaN)
                lowest[:] = [float(value), np.array(x, dtype=np.float64)]
            return value, grad.astype(np.float64)

        cbs = [as_callback(c) for c in _as_callbacks(type(self).__name__, self.callbacks)]
        history = _LbfgsHistory(engine=objective.engine)
        history.tol = float(self.tol)
        state = TrainState(model=model, optimizer=None, history=history)
        curve: list[float] = []

        def on_iteration(intermediate_result: Any) -> None:
            accepted[0] = np.array(intermediate_result.x, dtype=np.float64)
            curve.append(float(intermediate_result.fun))
            history.loss.append(float(intermediate_result.fun))
            history.epochs = len(curve)
            if self.verbose:
                print(f"Iteration {len(curve)}, loss = {curve[-1]:.8f}")
            if cbs:
                theta[...] = intermediate_result.x
                state.epoch = len(curve)
                state.epoch_loss = curve[-1]
                epoch_end(cbs, state)
                if state.stop:
                    raise StopIteration

        for c in cbs:
            c.on_train_begin(state)
        try:
            with (
                np.errstate(over="ignore"),
                blas_limit(model, X.shape[0], threads=self.threads, owner=type(self).__name__),
            ):
                res = scipy.optimize.minimize(
                    value_and_grad,
                    theta.astype(np.float64),
                    method="L-BFGS-B",
                    jac=True,
                    callback=on_iteration,
                    options={
                        "maxfun": int(self.max_fun),
                        "maxiter": int(self.max_iter),
                        "gtol": float(self.tol),
                    },
                )
        except KeyboardInterrupt:
            # Ctrl-C, as 'sgd' and 'adam' take it: the weights of the last accepted
            # iterate, the books of the iterations done, stop_reason_ 'interrupted', a warning
            theta[...] = accepted[0]
            self.n_iter_ = len(curve)
            # loss_: the kept weights' loss (with no iteration done, the initial weights',
            # once evaluated; a fresh fit cut off in its first evaluation has none)
            kept = curve[-1:] or [v for v in first if np.isfinite(v)]
            if kept:
                self.loss_ = np.float64(kept[0])
            elif not self.loss_curve_ and hasattr(self, "loss_"):
                # no loss of this run's weights, and no warm start's curve they continue:
                # no loss_, as a fresh estimator's (a refit's new initial weights are not
                # the previous fit's, whose loss_ it was)
                del self.loss_
            before = self.best_loss_ if self.best_loss_ is not None else np.inf
            self.loss_curve_.extend(map(np.float64, curve))
            self.best_loss_ = np.float64(min([before, *curve, *kept]))
            self.validation_scores_ = self.validation_loss_curve_ = None
            self.best_validation_score_ = None
            self.stop_reason_ = "interrupted"
            history.steps = evaluations[0]
            history.said = "interrupted by the user (KeyboardInterrupt)"
            history.stop_reason = self.stop_reason_
            self.history_ = history
            for c in cbs:
                c.on_train_end(state)
            _warn(
                f"Training interrupted by user after {self.n_iter_} iterations "
                f"({history.steps} loss evaluations): the estimator keeps the weights of the "
                "last accepted iterate, not those of a finished run."
            )
            return
        if not np.isfinite(res.fun):
            if lowest[1] is None:
                # no finite loss at all, the initial weights' overflowed: refused as 'sgd' and
                # 'adam' refuse it, not returned as loss_ NaN with advice to iterate longer;
                # the weights are the initial ones again
                theta[...] = start
                raise ValueError(
                    self._lbfgs_overflow_message(
                        X, Y, f"the loss is {first[0]} at the initial weights"
                    )
                )
            # a step overflowed (SciPy stops there, its line search failed): the weights of
            # the lowest finite loss, and that loss, not the step's NaN
            res.x, res.fun = lowest[1], lowest[0]
        theta[...] = res.x
        self.n_iter_ = min(int(res.nit), int(self.max_iter))
        self.loss_ = np.float64(res.fun)  # (NumPy's float64, as scikit-learn's loss_)
        # a warm start appends to the curve and keeps the best loss of every run, as 'sgd' and
        # 'adam' do (a fresh fit's network starts them anew: _build)
        before = self.best_loss_ if self.best_loss_ is not None else np.inf
        self.loss_curve_.extend(map(np.float64, curve))
        self.best_loss_ = np.float64(min(before, min(curve) if curve else self.loss_))
        # early_stopping does not apply to lbfgs: no validation set, whatever the parameter
        self.validation_scores_ = self.validation_loss_curve_ = None
        self.best_validation_score_ = None
        if state.stop:
            self.stop_reason_ = "callback"
        elif res.status == 0:
            self.stop_reason_ = "tol"
        elif res.status == 1:
            self.stop_reason_ = "max_iter" if res.nit >= self.max_iter else "max_fun"
        else:
            self.stop_reason_ = "line_search"
        history.steps = int(res.nfev)
        history.said = str(res.message)
        history.stop_reason = self.stop_reason_
        self.history_ = history
        for c in cbs:
            c.on_train_end(state)
        if self.stop_reason_ in ("max_iter", "max_fun", "line_search"):
            said = str(res.message).rstrip(": .") or "no message"  # ('ABNORMAL: ' at times)
            if self.stop_reason_ == "max_iter":
                advice = (
                    f"Increase the number of iterations (max_iter={self.max_iter}) or scale "
                    "the data (e.g. StandardScaler)."
                )
            elif self.stop_reason_ == "max_fun":
                advice = (
                    "Increase the number of loss function calls (max_fun="
                    f"{self.max_fun}, which this run used up) or scale the data (e.g. "
                    "StandardScaler)."
                )
            else:  # more iterations would not help: the line search found no better point
                advice = (
                    "The line search found no lower loss along its direction; scale the data "
                    "(e.g. StandardScaler), or try solver='adam'."
                )
            _warn(
                f"lbfgs failed to converge after {self.n_iter_} iteration(s) "
                f"(status={res.status}):\n{said}.\n\n{advice}",
                ConvergenceWarning,
            )

    def _lbfgs_overflow_message(self, X: np.ndarray, Y: np.ndarray, when: str) -> str:
        """What L-BFGS raises when the loss at the initial weights is not finite (``when``):
        the regressor's message for a y whose squares overflow (as 'sgd' and 'adam' say it),
        otherwise that the network's outputs overflowed on X."""
        message = self._diverged_message(Y, when)
        if not message.startswith(_NONFINITE):  # (the regressor named y: scale it)
            return message
        name = type(self).__name__
        fix = " or fit with dtype='float64'" if self._dtype == np.float32 else ""
        return (
            f"{name}: the training loss overflowed ({when}): X's values (up to "
            f"{float(np.abs(X).max()):.3g}) are too large for the network's {self._dtype} "
            "arithmetic, whose outputs overflowed; the weights are the initial ones, finite. "
            f"Scale X, e.g. a StandardScaler in a Pipeline before the estimator{fix}."
        )

    def _loss_grad_lbfgs(self, *args: Any, **kwargs: Any) -> tuple[float, np.ndarray]:
        """scikit-learn's private L-BFGS objective, with its signature and effects, for code
        that calls it (scikit-learn's own ``test_gradient`` does).

        Either argument list, by position or by name: scikit-learn 1.7+'s ``(packed_coef_inter,
        X, y, sample_weight, activations, deltas, coef_grads, intercept_grads)`` or 1.6's,
        without ``sample_weight`` (unweighted). A call fits at most one of the two: the
        newer has one argument more, and is the only one with ``sample_weight``.

        The weights are set from ``packed_coef_inter`` (every ``coefs_`` flattened, then every
        ``intercepts_``, scikit-learn's packing), and the loss (its L2 term included) and
        its gradient, packed the same way, are returned, in the scale ``solver='lbfgs'``
        minimizes. ``y`` is the encoded target, as scikit-learn's fit passes it: the
        classifier's ``LabelBinarizer`` columns, the regressor's (n, n_outputs) values. As in
        scikit-learn, ``activations[i + 1]`` receives layer i's output and ``coef_grads[i]``,
        ``intercept_grads[i]`` the gradient's parts; ``deltas``, scikit-learn's scratch space
        for its backward pass, is not written (glassnet's engine keeps its own buffers).
        """
        for signature in _LBFGS_SIGNATURES:
            try:
                bound = signature.bind(*args, **kwargs).arguments
                break
            except TypeError:
                continue
        else:
            given = [*(type(a).__name__ for a in args), *(f"{k}=" for k in kwargs)]
            raise TypeError(
                f"_loss_grad_lbfgs takes scikit-learn's arguments {_LBFGS_SIGNATURES[0]} "
                f"(scikit-learn 1.7+) or {_LBFGS_SIGNATURES[1]} (1.6). Got ({', '.join(given)}): "
                "pass one of these lists."
            )
        packed_coef_inter, X, y = bound["packed_coef_inter"], bound["X"], bound["y"]
        sample_weight = bound.get("sample_weight")
        activations, coef_grads = bound["activations"], bound["coef_grads"]
        intercept_grads = bound["intercept_grads"]
        Ws, bs = self._layer_params("coefs_"), self._layer_params("intercepts_")
        params = Ws + bs
        theta = np.asarray(packed_coef_inter, dtype=np.float64).reshape(-1)
        sizes = [p.data.size for p in params]
        if theta.size != sum(sizes):
            raise ValueError(
                f"packed_coef_inter must hold {sum(sizes)} values (every coefs_, then every "
                f"intercepts_, flattened). Got {theta.size}."
            )
        parts = np.split(theta, np.cumsum(sizes)[:-1])
        shaped = [v.reshape(p.data.shape) for v, p in zip(parts, params)]
        self._set_weights("coefs_", shaped[: len(Ws)], Ws)
        self._set_weights("intercepts_", shaped[len(Ws) :], bs)
        X = self._in_dtype(self._check_X(X))
        Y = np.asarray(y)
        Y = Y.reshape(-1, 1) if Y.ndim == 1 else Y
        if Y.shape != (X.shape[0], self.n_outputs_):
            raise ValueError(
                f"y must be the encoded targets, of shape ({X.shape[0]}, {self.n_outputs_}) "
                f"(one row per sample of X, one column per output). Got shape {Y.shape}."
            )
        w = None
        if sample_weight is not None:
            w = _check_sample_weight(
                _no_text(self, sample_weight), X, dtype=np.float64, ensure_non_negative=True
            )
        loss, target, w_fit, l2 = self._train_spec(Y, w)
        value = Objective(self.model_, X, target, loss, sample_weight=w_fit, l2=l2)()
        grads = [np.asarray(p.grad, dtype=np.float64) for p in params]
        outputs, first = [], True
        with no_grad():  # each layer's output, the network as _logits runs it
            t = Tensor(X)
            for layer in self.model_.layers:
                if isinstance(layer, Linear) and not first:
                    outputs.append(t.data)
                first = first and not isinstance(layer, Linear)
                t = t if isinstance(layer, Dropout) else layer(t)
            outputs.append(t.data)
        for i, a in enumerate(outputs):
            activations[i + 1] = a
        for i, g in enumerate(grads[: len(Ws)]):
            coef_grads[i] = g
        for i, g in enumerate(grads[len(Ws) :]):
            intercept_grads[i] = g
        # (the loss a NumPy float64, as scikit-learn's)
        return np.float64(value), np.concatenate([g.reshape(-1) for g in grads])

    def _stochastic_only(self) -> bool:
        if self.solver not in _STOCHASTIC:
            raise AttributeError(
                f"partial_fit is only available for stochastic optimizers. {self.solver} is "
                "not stochastic."
            )
        return True

    def _is_classifier(self) -> bool:
        return False

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


def _checked_arrays(
    name: str, values: Sequence[Any], shapes: list[tuple[int, ...]], at: Sequence[int]
) -> list[np.ndarray]:
    """``values`` as arrays for the layers ``at`` of ``coefs_`` or ``intercepts_`` (``name``),
    each checked for its shape (``shapes[i]``) and finite values, all before any is used."""
    values = list(values)
    if len(values) != len(at):
        raise ValueError(
            f"{name} must be a list of {len(at)} arrays (one per layer). Got {len(values)}."
        )
    arrs = [np.asarray(v) for v in values]
    for i, v in zip(at, arrs):
        if v.shape != tuple(shapes[i]):
            raise ValueError(
                f"{name}[{i}] must be a finite array of shape {tuple(shapes[i])}. Got shape "
                f"{v.shape}."
            )
        if not np.issubdtype(v.dtype, np.number) or not np.all(np.isfinite(v)):
            raise ValueError(f"{name}[{i}] must be a finite array. Got NaN or inf values.")
    return arrs


class _LayerArrays(list):
    """``coefs_`` or ``intercepts_``: the list of a fitted estimator's live weight arrays.

    scikit-learn stores these lists, so ``clf.coefs_[0] = W`` replaces a layer's weights
    there. Here the weights live in ``model_``: item (and slice) assignment copies the
    values into the layer (shape and finite values checked), so it changes the model as
    in scikit-learn rather than a list that is thrown away. The number of layers is
    ``hidden_layer_sizes``'s: what would add, remove or reorder layers is an error.
    Copies (``copy``, ``deepcopy``, ``pickle``) are plain lists of arrays.
    """

    def __init__(self, est: _BaseMLP, name: str, arrays: list[np.ndarray]) -> None:
        super().__init__(arrays)
        self._est, self._name = est, name
        self._network = est.__dict__.get("_network_id")

    def __setitem__(self, index: Any, value: Any) -> None:
        if self._est.__dict__.get("_network_id") is not self._network:
            raise ValueError(
                f"This {self._name} list was read before a fit built a new network: its "
                f"arrays are no longer the model's. Read clf.{self._name} again and assign "
                "into that."
            )
        n = len(self)
        if isinstance(index, slice):
            at = list(range(*index.indices(n)))
            values = list(value)
        else:
            i = operator.index(index)
            if not -n <= i < n:
                raise IndexError(f"{self._name} has {n} layers: index {index} is out of range.")
            at, values = [i % n], [value]
        if len(values) != len(at):
            self._fixed("assigning a different number of arrays to a slice of")
        params = self._est._layer_params(self._name)
        self._est._set_weights(self._name, values, params, at=at)
        for i in at:  # this list shows the layer's array, as a fresh read would
            list.__setitem__(self, i, params[i].data)

    def _fixed(self, what: str, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(
            f"{what} {self._name} would change the network's layers: it holds one array per "
            f"layer ({len(self)}), set by hidden_layer_sizes. Assign arrays of the same shapes "
            f"(clf.{self._name}[i] = array), or set hidden_layer_sizes and fit again."
        )

    def __delitem__(self, index: Any) -> None:
        self._fixed("deleting from")

    def __iadd__(self, other: Any) -> Any:
        return self._fixed("extending")

    def __imul__(self, other: Any) -> Any:
        return self._fixed("repeating")

    def append(self, value: Any) -> None:
        self._fixed("appending to")

    def extend(self, values: Any) -> None:
        self._fixed("extending")

    def insert(self, index: Any, value: Any) -> None:
        self._fixed("inserting into")

    def pop(self, index: Any = -1) -> Any:
        return self._fixed("popping from")

    def remove(self, value: Any) -> None:
        self._fixed("removing from")

    def clear(self) -> None:
        self._fixed("clearing")

    def sort(self, *args: Any, **kwargs: Any) -> None:
        self._fixed("sorting")

    def reverse(self) -> None:
        self._fixed("reversing")

    def __reduce_ex__(self, protocol: Any) -> Any:
        return (list, (list(self),))  # copies and pickles: a plain list of the arrays


def _balanced_weights(y: np.ndarray, sample_weight: np.ndarray) -> np.ndarray:
    """class_weight='balanced' for 1-D labels y with sample weights: each row's class weight
    ``sum(w) / (n_classes * sum of w over its class)``, the weighted class counts of
    scikit-learn's ``compute_class_weight(..., sample_weight=w)`` (as LogisticRegression
    and SVC count them), so a weight of 3 counts as the row repeated 3 times. A class whose
    rows all weigh 0 gets weight 0 (its rows are ignored, as if absent), not inf."""
    classes, idx = np.unique(y, return_inverse=True)
    counts = np.bincount(idx.ravel(), weights=sample_weight, minlength=len(classes))  # (K,)
    per_class = np.zeros(len(classes))
    seen = counts > 0
    per_class[seen] = counts.sum() / (len(classes) * counts[seen])
    return per_class[idx.ravel()]  # (n,)


def _check_classes_sequence(classes: Any) -> None:
    """partial_fit's ``classes`` is a sequence or an array of the labels: scikit-learn's
    label check refuses anything else (a set, a generator, dict keys, a str) with the words
    that begin this error; without this check those became a 0-d object array, whose error
    told to convert the 'labels' (the container) with ``.astype``."""
    listed = isinstance(classes, Sequence) or hasattr(classes, "__array__")
    if (listed or scipy.sparse.issparse(classes)) and not isinstance(classes, str):
        return
    kind = type(classes).__name__
    fix = f"classes=[{classes!r}]" if isinstance(classes, str) else "classes=sorted(labels)"
    raise ValueError(
        f"Expected array-like (array or non-string sequence), got {shown(classes)}. "
        "classes is every label the model will be trained on, as a list or an array (in "
        f"any order), and a {kind} is not one: pass e.g. {fix} or list(labels)."
    )


def _same_classes(fitted: np.ndarray, classes: Any) -> bool:
    """Whether ``unique_labels(classes)`` equals ``fitted`` (sorted, unique labels).

    ``classes`` is usually the same array at every partial_fit call: equal as given, of the
    same kind and shape, it needs no ``unique_labels`` (which sorts and checks it again).
    """
    if isinstance(classes, (np.ndarray, list, tuple)):
        given = np.asarray(classes)
        if (
            given.shape == fitted.shape
            and given.dtype.kind == fitted.dtype.kind
            and given.dtype.kind in "biufU"
            # NumPy reads [1, "a"] as strings; unique_labels refuses that mix
            and (given.dtype.kind != "U" or all(isinstance(c, str) for c in classes))
            and np.array_equal(given, fitted)
        ):
            return True
    return bool(np.array_equal(fitted, unique_labels(classes)))


# scikit-learn's check_array(dtype='numeric') words, which its MLP's predict raises (its
# fit reads the text as numbers, then predict refuses the same X)
TEXT_X = (
    "dtype='numeric' is not compatible with arrays of bytes/strings."
    "Convert your data to numeric values explicitly instead."
)


def _is_text(value: Any) -> bool:
    return isinstance(value, (str, bytes))


def _text_checked(X: Any, at_predict: bool, dtype: Any) -> Any:
    """``X`` to validate, with text refused wherever it would be read as numbers, at fit as
    at predict (scikit-learn's fit converts text, its predict refuses a U/S array, and
    both convert numbers written as text in an object array or a DataFrame's column): a
    2-D array of dtype U or S, an object array or a list holding strings, a DataFrame
    column of text that reads as numbers (one that does not is named below, in
    :func:`_validate`). Refused with scikit-learn's check_array words, then X's dtype or
    columns, a value and the fix. scikit-learn's shape errors come first: X of other than 2
    dimensions is left to its check (at predict, a U/S array of more than 2 is text first, as
    there). A structured (``V``) array is refused at predict, as
    scikit-learn refuses it there, and fitted as scikit-learn fits it.

    A list or tuple is read into an array once here and that array is passed on (as
    check_array reads it: in ``dtype``'s first type where the dtype is a choice)."""
    fix = "encode text categories first (OneHotEncoder)"
    columns = getattr(X, "columns", None)
    dtypes = getattr(X, "dtypes", None)
    if columns is not None and hasattr(dtypes, "items") and getattr(X, "ndim", 2) == 2:
        found = []  # (column, a value) of each column of numbers written as text
        for i, (c, t) in enumerate(dtypes.items()):
            if getattr(t, "kind", "O") in "biufcmM" or time_like(t):
                continue
            column = X.iloc[:, i] if hasattr(X, "iloc") else X[c]
            text = next((v for v in column if _is_text(v)), None)
            if text is not None and _numeric(column):
                found.append((c, text))
        if found:
            cols = [c for c, _ in found]
            cast = "{" + ", ".join(f"{c!r}: float" for c in cols[:4])
            cast += ", ...}" if len(cols) > 4 else "}"
            raise ValueError(
                f"{TEXT_X} X's columns {[str(c) for c in cols]} hold numbers written as text "
                f"(e.g. {found[0][1]!r}): X.astype({cast}) reads them as numbers "
                f"(pd.read_csv reads such a column as numbers unless it holds other text); "
                f"{fix}."
            )
        return X
    if isinstance(X, (list, tuple)):
        with warnings.catch_warnings():  # (rows of different lengths: refused later, named)
            warnings.simplefilter("ignore")
            try:
                arr = np.asarray(detached(X))  # (as check_array reads a list: once)
            except (ValueError, TypeError):
                return X
        if arr.dtype.kind in "biuf":  # numbers: passed on in the type check_array makes
            wanted = dtype[0] if isinstance(dtype, (list, tuple)) and dtype else None
            return arr.astype(wanted, copy=False) if wanted is not None else arr
        if arr.dtype.kind not in "USO":  # (complex and others: check_array's own words)
            return X
        X = arr
    if not isinstance(X, np.ndarray):
        return X
    kind = X.dtype.kind
    # scikit-learn's shape errors first (0-d, 1-D; 3-D at fit): its check_array looks at
    # the text of a U/S array after the 2-D check and before the >2-D one, and its fit does
    # not look at text at all
    if X.ndim < 2 or (X.ndim > 2 and not (at_predict and kind in "US")):
        return X
    text = None
    if kind in "US" and X.size:
        text = X.flat[0].item()
    elif kind == "O":
        text = next((v for v in X.flat if _is_text(v)), None)
    elif kind == "V" and at_predict:
        raise ValueError(TEXT_X)  # (scikit-learn's own refusal, at predict)
    if kind in "US" or text is not None:
        shown = f", e.g. {text!r}" if text is not None else ""
        raise ValueError(
            f"{TEXT_X} X holds text (dtype {X.dtype}{shown}): X.astype(float) reads numbers "
            f"written as text; {fix}."
        )
    return X


def _validate(est: Any, X: Any, *y: Any, **kwargs: Any) -> Any:
    """scikit-learn's ``validate_data``; a DataFrame with text, categorical, date or time
    columns is refused with its error followed by the columns' names and the way to turn
    them into numbers (NumPy's own errors name no column: 'could not convert string to
    float', ``DTypePromotionError`` for dates, 'float() argument ... not Period')."""
    name = type(est).__name__
    if (
        isinstance(X, (str, bytes, dict, set, frozenset))
        and not scipy.sparse.issparse(X)  # (a DOK sparse matrix is a dict: accepted)
    ) or (
        X is not None and not hasattr(X, "__len__") and hasattr(X, "__next__")
    ):  # NumPy's words otherwise: "float() argument must be ... not 'dict'"
        how = " (a generator or iterator: pass list(X))" if hasattr(X, "__next__") else ""
        raise ValueError(
            f"{name}: X must be a 2-D array-like of numbers, shape (n_samples, n_features): a "
            f"NumPy array, a list of rows, a DataFrame or a sparse matrix. Got a "
            f"{type(X).__name__}{how}."
        )
    X = unmasked(X, "X", name)  # (scikit-learn reads the hidden values: refused here)
    times = time_columns(X)  # (dates beside numbers fail NumPy's merge: named below)
    if times and len(times) == len(X.columns):  # (read as ticks)
        raise dates_error("X", name, X.dtypes[times[0]], times)
    y = tuple(unmasked(v, "y", name) for v in y)
    X = _text_checked(X, at_predict=not y, dtype=kwargs.get("dtype", "numeric"))
    timed = None if hasattr(X, "columns") or scipy.sparse.issparse(X) else time_error("X", name, X)
    if timed is not None:  # (an array's, a list of rows' (read once, above), dtype or objects)
        raise timed
    try:
        return validate_data(est, detached(X), *map(detached, y), **kwargs)
    except (ValueError, TypeError) as e:
        lengths = []
        if "inhomogeneous" in str(e) and isinstance(X, (list, tuple)):
            lengths = sorted({len(r) if hasattr(r, "__len__") else 1 for r in X})
        if len(lengths) > 1:  # (not y's rows)
            raise ValueError(
                f"{name}: X's rows have different lengths ({', '.join(map(str, lengths[:5]))}"
                f"{', ...' if len(lengths) > 5 else ''}); every sample needs one value per "
                "feature. Pad or drop the short rows, or fill missing values (e.g. "
                "SimpleImputer on a DataFrame with NaN)."
            ) from e
        dtypes = getattr(X, "dtypes", None)
        converting = isinstance(e, TypeError) or any(
            s in str(e) for s in ("could not convert", "setting an array element")
        )
        if dtypes is None or not hasattr(dtypes, "items") or not converting:
            raise
        bad = [
            c
            for c, t in dtypes.items()
            if time_like(t) or (getattr(t, "kind", "O") not in "biuf" and not _numeric(X[c]))
        ]
        if not bad:
            raise
        times = [str(c) for c in bad if time_like(dtypes[c])]
        text = [str(c) for c in bad if not time_like(dtypes[c])]
        encode = (
            "make_pipeline(make_column_transformer((OneHotEncoder(handle_unknown='ignore'), "
            f"{text}), remainder='passthrough'), {name}(...))"
        )
        if times:
            c = times[0]
            dates = (
                f"parts of a date such as X[{c!r}].dt.dayofweek, or the time elapsed, "
                f"(X[{c!r}] - X[{c!r}].min()).dt.total_seconds() (a duration: "
                f"X[{c!r}].dt.total_seconds(); a period: .dt.to_timestamp() first)"
            )
            if getattr(dtypes[c], "kind", "") == "m":  # (a timedelta64: pandas' extension
                # dtypes, a timezone's or a period's, have other kinds, or none)
                dates = f"the duration in seconds, X[{c!r}].dt.total_seconds()"  # (no .dayofweek)
            if text:  # every column that is not numbers in one error, each kind's fix
                raise ValueError(
                    f"X has non-numeric columns {text} and date or time columns {times}: "
                    f"{name} takes numbers. Turn the date or time columns into numbers first, "
                    f"e.g. {dates}, or drop them; then encode the non-numeric ones, e.g. "
                    f"{encode}."
                ) from e
            raise ValueError(  # (NumPy's words, a DTypePromotionError's, stay in the chain)
                f"X has date or time columns {times}: {name} takes numbers. Turn them into "
                f"numbers first, e.g. {dates}; or drop them."
            ) from e
        raise ValueError(
            f"{str(e).rstrip('.')}. X has non-numeric columns {text}: {name} takes numbers. "
            f"Encode them first, e.g. {encode}."
        ) from e


def _no_text(est: Any, sample_weight: Any) -> Any:
    """``sample_weight`` as given, or a ValueError where it holds text: glassnet reads no
    number from text in silence (as for y)."""
    w = unmasked(detached(sample_weight), "sample_weight", type(est).__name__)
    arr = w if hasattr(w, "dtype") else np.asarray(w, dtype=object)
    text = next((v for v in np.ravel(arr) if _is_text(v)), None)
    if text is not None:
        raise ValueError(
            f"{type(est).__name__}: sample_weight holds text (e.g. {str(text)!r:.40}), and "
            "glassnet reads no number from text in silence: convert it first, "
            "np.asarray(sample_weight, dtype=float)."
        )
    return w  # (a torch tensor's values: NumPy refuses one that requires grad)


def _numeric(column: Any) -> bool:
    """Whether a DataFrame column converts to float64 (numbers in an object or categorical
    column do)."""
    try:
        np.asarray(column, dtype=np.float64)
    except (ValueError, TypeError):
        return False
    return True


def _label_error(y: Any, mixed: bool = False) -> ValueError | None:
    """The error that says what is wrong with classification labels ``y`` that scikit-learn
    refused with a message that does not (a missing label: None or pandas.NA among texts;
    with ``mixed``, texts mixed with numbers), or None to keep scikit-learn's."""
    try:
        labels = np.asarray(y, dtype=object).ravel()
    except Exception:  # noqa: BLE001 (an error is being reported: keep that one)
        return None
    for i, v in enumerate(labels):
        if v is None or type(v).__name__ == "NAType" or (isinstance(v, float) and v != v):
            return ValueError(
                f"Input y contains a missing label ({v} at row {i}); a classifier needs a "
                "label for every sample: drop those rows or give them a class."
            )
    kinds = sorted({type(v).__name__ for v in labels})
    if mixed and any(issubclass(type(v), str) for v in labels) and len(kinds) > 1:
        return ValueError(
            f"The labels in y mix types ({', '.join(kinds)}); the classes must be of one type. "
            "Convert them, e.g. y.astype(str)."
        )
    if mixed and len(labels) and getattr(y, "dtype", None) == np.dtype(object):
        # ints, bools or other objects in an object array: 'Unknown label type: unknown ...
        # regression target with continuous values' speaks of neither
        return _object_label_error(labels, kinds)
    return None


def _object_label_error(labels: np.ndarray, kinds: list[str], name: str = "y") -> ValueError | None:
    """The error for classification labels that scikit-learn's label check refuses for
    being objects (ints, bools, Decimals, Enums in an object array), with the conversion
    that gives classes it takes."""
    if all(isinstance(v, (bool, np.bool_)) for v in labels):
        fix = f"{name}.astype(bool)"
    elif all(isinstance(v, numbers.Integral) for v in labels):
        fix = f"{name}.astype(int)"
    elif all(isinstance(v, numbers.Number) or type(v).__name__ == "Decimal" for v in labels):
        whole = True
        try:
            whole = all(float(v) == int(v) for v in labels)
        except (TypeError, ValueError, OverflowError):
            whole = False
        if not whole:  # fractions: scikit-learn's 'continuous values' says it
            return None
        fix = f"{name}.astype(int)"
    else:
        fix = f"{name}.astype(str), or a list of each label's name or value"
    return ValueError(
        f"The labels in {name} are Python objects of type {', '.join(kinds)} in an array of dtype "
        "object, which scikit-learn's label check does not take as classes (its 'Unknown "
        f"label type'). Convert them to strings, integers or booleans, e.g. {fix}."
    )


def _time_target_error(owner: str, y: Any) -> ValueError | None:
    """The error for a regression target of dates or durations (datetime64 or timedelta64:
    NumPy would read them as integer ticks since 1970 or of zero), naming y's dtype and
    the conversion to numbers, or None for any other y."""
    dtypes = getattr(y, "dtypes", None)
    if hasattr(dtypes, "items"):  # a DataFrame of targets: its first date or time column
        found = [(c, t) for c, t in dtypes.items() if getattr(t, "kind", None) in ("M", "m")]
        if not found:
            return None
        column, dtype = found[0]
        where = f"y's column {column!r} holds"
    else:
        dtype = getattr(y, "dtype", None)
        if dtype is None and isinstance(y, (list, tuple)):
            try:
                dtype = np.asarray(y).dtype
            except Exception:  # noqa: BLE001 (the checks after this one report it)
                return None
        if getattr(dtype, "kind", None) == "O":  # (objects: np.datetime64, datetime, ...)
            return _time_objects_error(owner, y)
        if getattr(dtype, "kind", None) not in ("M", "m"):
            return None
        where = "y holds"
    if dtype.kind == "m":
        what, fix = "durations", "the duration in seconds, y.dt.total_seconds()"
        numpy_fix = "y / np.timedelta64(1, 's') gives seconds"
    else:
        what = "dates"
        fix = "the time elapsed, (y - y.min()).dt.total_seconds(), or a part such as y.dt.year"
        numpy_fix = "(y - y.min()) / np.timedelta64(1, 's') gives seconds"
    return ValueError(
        f"{owner}: y must hold numbers (a regressor's targets); {where} {what} "
        f"(dtype {dtype}), which would be read as integer ticks. Convert y to numbers first, "
        f"e.g. {fix} (on a NumPy array: {numpy_fix}), or pass the column of amounts you meant "
        "to predict."
    )


def _time_objects_error(owner: str, y: Any) -> ValueError | None:
    """The error for an object y (or a list mixing numbers with dates) whose cells hold a
    date or a duration (np.datetime64, np.timedelta64, datetime, date, timedelta, pandas'
    Timestamp, Timedelta or Period), naming the first, or None where none does."""
    import datetime

    try:
        found = time_cell(y)
    except Exception:  # noqa: BLE001 (the checks after this one report it)
        return None
    if found is None:
        return None
    i, cell = found
    width = max(1, int(np.prod(np.shape(y)[1:], dtype=np.int64))) if np.ndim(y) > 1 else 1
    what, fix = (
        ("durations", "each duration in seconds, e.g. pd.to_timedelta(y).total_seconds()")
        if isinstance(cell, (np.timedelta64, datetime.timedelta))
        else ("dates", "the time elapsed in seconds since a start, or a part such as the year")
    )
    return ValueError(
        f"{owner}: y must hold numbers (a regressor's targets); y holds {what} (objects: "
        f"{cell!r:.60} at row {i // width}), which would be read as integer ticks or "
        f"refused as text. Convert y to numbers first, e.g. {fix}, or pass the column of "
        "amounts you meant to predict."
    )


def _target_error(owner: str, y: Any) -> ValueError | None:
    """The error for a regression target holding something other than numbers (text,
    None, dates), naming the first such value and its row, or None where every value is
    one."""
    if hasattr(y, "toarray"):
        return None
    timed = _time_target_error(owner, y)
    if timed is not None:
        return timed
    try:
        given = np.asarray(y)
        if given.ndim == 0 or given.dtype.kind not in "USO":  # no y, a scalar, numbers:
            return None  # scikit-learn's errors say it
        values = np.asarray(y, dtype=object)
    except Exception:  # noqa: BLE001 (an error is being reported: keep that one)
        return None
    per_row = values.shape[1] if values.ndim == 2 and values.shape[1] else 1
    for i, v in enumerate(values.ravel()):
        try:
            missing = float(v) != float(v)
        except (ValueError, TypeError):
            missing = v is None or type(v).__name__ == "NAType"
            if not missing:
                return ValueError(
                    f"{owner}: y must hold numbers (a regressor's targets); it holds {v!r} at "
                    f"row {i // per_row}. Convert y to numbers first (e.g. y.astype(float), or "
                    "pandas.to_numeric(y, errors='coerce') and drop the rows that become NaN), "
                    "or use MLPClassifier to predict classes."
                )
        if missing:
            return ValueError(
                f"{owner}: y has a missing value ({v} at row {i // per_row}); a regressor needs "
                "a target for every sample: drop those rows or fill them in."
            )
    return None


def _continue_advice(incremental: bool) -> str:
    """What to do when a later call's y does not fit the fitted network's outputs."""
    if incremental:
        return "partial_fit continues it: pass y in that form, or call fit to start anew."
    return (
        "A warm_start fit continues it: pass y in that form, or set warm_start=False to start anew."
    )


def _check_indicator(owner: str, y: Any) -> None:
    """A 2-D y is multi-label: a 0/1 matrix, one column per label. Other pairs of values
    (-1/1, 0/2) are an error: scikit-learn trains its logistic outputs towards them as they
    are (a target of -1 or 2 for a probability) and predicts 0/1 whatever they were."""
    values = np.unique(y.data if hasattr(y, "toarray") else np.asarray(y))
    if hasattr(y, "toarray") and y.nnz < y.shape[0] * y.shape[1]:  # sparse: 0 implied
        values = np.union1d(values, [0])
    if not np.isin(values, (0, 1)).all():
        shown = ", ".join(str(v) for v in values[:4].tolist()) + (
            ", ..." if len(values) > 4 else ""
        )
        several = ""
        if len(values) > 2 or values.dtype.kind not in "biuf":  # classes per column
            several = (
                f" For one classification per column (several classes each), wrap it: "
                f"sklearn.multioutput.MultiOutputClassifier({owner}(...))."
            )
        raise ValueError(
            f"{owner}: a 2-D y is multi-label classification, a 0/1 indicator matrix (one "
            f"column per label, 1 where the sample has it); y holds the values {shown}. "
            "Convert it, e.g. (y == 1).astype(int) for -1/1, or (y > 0).astype(int)." + several
        )


def _dense(X: Any) -> np.ndarray:
    """Sparse input is densified: glassnet's engine multiplies dense arrays. One that would
    not fit in memory is refused first (a MemoryError that says so, rather than the
    operating system ending the process while the zeros are written)."""
    if not hasattr(X, "toarray"):
        return X
    n, d = X.shape
    check_memory(
        f"densifying the sparse X of shape ({n}, {d}) (glassnet.sklearn trains on dense arrays)",
        n * d * X.dtype.itemsize,
        "reduce the features first (e.g. TruncatedSVD or SelectKBest in the pipeline), or use "
        "scikit-learn's MLP, which multiplies sparse X as it is",
    )
    return X.toarray()


_DOC_COMMON = """
    hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
        Neurons in each hidden layer.
    activation : str or list of str, default='relu'
        Hidden activation g: 'identity' (z), 'logistic' (1 / (1 + e^-z)), 'tanh',
        'relu' (max(0, z)), or, beyond scikit-learn, 'leaky_relu' (max(0.01 z, z)),
        or a list with one of these per hidden layer.
    solver : {'lbfgs', 'sgd', 'adam'}, default='adam'
        'lbfgs' runs SciPy's L-BFGS-B on glassnet's full-batch loss and gradient.
    alpha : float >= 0, default=0.0001
        L2 penalty ``alpha / (2 n) * sum_l ||W_l||^2`` (weights only), n the batch size
        (the sum of the batch's sample weights when weighted).
    batch_size : int or 'auto', default='auto'
        'auto' = min(200, n_samples); clipped to n_samples with a warning.
    learning_rate : {'constant', 'invscaling', 'adaptive'}, default='constant'
        solver='sgd' only: 'invscaling' sets gamma = learning_rate_init / (t + 1)^power_t
        after each epoch (t = samples seen); 'adaptive' divides gamma by 5 whenever
        the loss (validation score with early stopping) stalls for more than
        n_iter_no_change epochs, and stops once gamma <= 1e-6.
    learning_rate_init : float > 0, default=0.001
    power_t : float >= 0, default=0.5
    max_iter : int >= 1, default=200
        Epochs for 'sgd' / 'adam', iterations for 'lbfgs'.
    shuffle : bool, default=True
    random_state : int, RandomState instance or None, default=None
        Drives the initial weights, the early-stopping split and each epoch's batch order:
        the very draws scikit-learn takes, in its order, so a RandomState reused or shared
        is left where scikit-learn leaves it. With an int, each fit draws anew from it, as
        scikit-learn does (so later partial_fit calls repeat an order). The dropout masks
        are seeded from where the RandomState stands and t_, drawing nothing from it:
        each call drops other units.
    tol : float >= 0, default=1e-4
    verbose : bool or int >= 0, default=False
        Print the loss after each epoch (as scikit-learn).
    warm_start : bool, default=False
        Continue from the fitted weights with the parameters as they are now (a new
        ``activation`` applies to them, as in scikit-learn); ``hidden_layer_sizes`` and
        ``dtype`` must not change.
    momentum : float in [0, 1), default=0.9
        solver='sgd': u <- momentum u - gamma g, w <- w + u (scikit-learn's form).
    nesterovs_momentum : bool, default=True
    early_stopping : bool, default=False
        Hold out validation_fraction of the training data (stratified by class for binary
        classification only, as scikit-learn), stop when its score stalls, restore the
        best weights.
    validation_fraction : float in [0, 1), default=0.1
    beta_1, beta_2 : float in [0, 1), default=0.9, 0.999
    epsilon : float > 0, default=1e-8
        Adam's epsilon, added where scikit-learn adds it, before the bias correction
        (``glassnet.optim.Adam(style="sklearn")``; glassnet's own Adam adds it as PyTorch
        does, ``sqrt(v_hat) + epsilon``).
    n_iter_no_change : int >= 1 or numpy.inf, default=10
    max_fun : int >= 1, default=15000
        solver='lbfgs': at most this many loss evaluations.
    dropout : float in [0, 1), default=0.0
        Beyond scikit-learn: inverted dropout after each hidden activation while
        training ('sgd' / 'adam' only; runs glassnet's graph engine).
    callbacks : glassnet.Callback or function f(state), or a list of them, default=None
        Beyond scikit-learn: called after each epoch (lbfgs: each iteration) with a
        :class:`glassnet.TrainState`; return True or set ``state.stop`` to stop.
    dtype : 'float32', 'float64' or None, default=None
        Beyond scikit-learn: the training dtype. None follows X (float32 or float64,
        other input becomes float64) as scikit-learn does; 'float32' trains about 1.2-1.6
        times faster on float64 X (see docs/sklearn.md, Speed).
    threads : 'auto', None, 'load', 'keep' or int >= 1, default=None
        Beyond scikit-learn: BLAS threads while fitting. None / 'auto' chooses from the
        matrix sizes (batch x inputs x neurons) and the usable CPUs, never above the limit
        in force, and not from the machine's load (the same fit gives the same weights on a
        busy machine as on a quiet one); 'load' also leaves out the CPUs other work keeps
        busy (faster there, but the last bits may then differ; docs/threads.md); an int sets
        exactly that many; 'keep' sets none (for a process whose other threads compute
        meanwhile). The limits in force before are restored after fit. Needs
        threadpoolctl (``pip install 'glassnet[fast]'``) to act; without it 'auto' leaves
        BLAS as it is and an int raises ImportError.
    device : None, 'cpu' or 'cuda', default=None
        Beyond scikit-learn: where fit trains. 'cuda' trains with CuPy on an NVIDIA GPU
        (``pip install 'glassnet[gpu]'``; solver 'sgd' or 'adam', no early stopping) and
        brings the model back to the CPU when fit returns, so predict, the fitted
        attributes and pickling work as ever (docs/gpu.md). None and 'cpu': the CPU."""

_DOC_ATTRIBUTES = """
    loss_ : numpy.float64
        Last epoch's training loss (batch losses weighted by batch size, penalty
        included), in scikit-learn's scale.
    best_loss_ : numpy.float64 or None
        Lowest training loss (None with early stopping).
    loss_curve_ : list of numpy.float64
        Training loss per epoch (lbfgs: per iteration).
    validation_scores_ : list of float or None
        Validation accuracy / R^2 per epoch, with early stopping.
    validation_loss_curve_ : list of float or None
        Beyond scikit-learn: the validation loss per epoch (no penalty), with early stopping.
    best_validation_score_ : float or None
    t_ : int
        Training samples seen (stochastic solvers).
    coefs_ : list of ndarray
        coefs_[i] of shape (inputs, neurons): W of layer i + 1, Z = X @ W + b. Live views
        of ``model_``'s weights (writable), in the training dtype; ``coefs_[i] = W``
        copies W into the layer, as assigning the whole list does.
    intercepts_ : list of ndarray
        intercepts_[i] of shape (neurons,): b of layer i + 1 (live views).
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Column names when X was a DataFrame with string column names.
    n_iter_ : int
        Epochs run by the last fit (lbfgs: iterations).
    n_layers_ : int
    n_outputs_ : int
    model_ : glassnet.nn.MLP
        Beyond scikit-learn: the network itself (inspect, explain, save with glassnet.io).
    history_ : glassnet.History
        Beyond scikit-learn: what the last fit did (curves, steps, engine).
    stop_reason_ : str
        Beyond scikit-learn: 'max_iter', 'tol', 'early_stopping', 'min_lr', 'max_fun',
        'line_search', 'callback', 'interrupted' or 'partial_fit'."""


# ------------------------------------------------------------------ classifier
class MLPClassifier(ClassifierMixin, _BaseMLP):
    """Multi-layer perceptron classifier: scikit-learn's ``MLPClassifier``, trained by glassnet.

    The network is ``a_0 = X``, ``a_l = g(a_{l-1} @ W_l + b_l)`` for the hidden layers,
    and an output layer of C softmax neurons (C > 2 classes), one logistic neuron (two
    classes) or K logistic neurons (multi-label y, an (n, K) 0/1 matrix). Training
    minimizes the log-loss

        L = -1/n sum_i sum_k y_ik log p_ik  (+ (1 - y_ik) log(1 - p_ik) for logistic)
            + alpha / (2 n) sum_l ||W_l||^2

    (averaged over samples, summed over outputs: scikit-learn's convention).

    Parameters
    ----------
    <common parameters>
    class_weight : None, 'balanced' or dict, default=None
        Beyond scikit-learn: weights per class, multiplied into the sample weights
        ('balanced': n_samples / (n_classes * count(class))). A dict maps labels to
        weights (a list of dicts, one per label, for multi-label y). partial_fit accepts
        a dict only.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels (any type), sorted; for multi-label y, 0..K-1.
    out_activation_ : str
        'logistic' (binary, multi-label) or 'softmax' (multi-class). Set to 'identity'
        (scikit-learn's way to read the logits), predict_proba returns the raw outputs.
    <common attributes>

    Notes
    -----
    Differences from scikit-learn, all small: weighted losses are normalized by the
    mean weight of the whole training set instead of each batch's; predict_proba and
    predict_log_proba are float64 (the last activation is applied in float64) and a single
    class gets one column of ones.
    Training runs in X's dtype, as in scikit-learn, unless ``dtype`` says otherwise.

    Examples
    --------
    >>> from glassnet.sklearn import MLPClassifier
    >>> X = [[0., 0.], [0., 1.], [1., 0.], [1., 1.]]
    >>> clf = MLPClassifier((8,), activation="tanh", solver="lbfgs", random_state=1)
    >>> clf.fit(X, ["no", "yes", "yes", "no"]).predict(X).tolist()   # XOR
    ['no', 'yes', 'yes', 'no']
    """

    loss = "log_loss"  # scikit-learn's attribute: the classifier's loss is fixed

    def __init__(
        self,
        hidden_layer_sizes: Any = (100,),
        activation: str | Sequence[str] = "relu",
        *,
        solver: str = "adam",
        alpha: float = 0.0001,
        batch_size: int | str = "auto",
        learning_rate: str = "constant",
        learning_rate_init: float = 0.001,
        power_t: float = 0.5,
        max_iter: int = 200,
        shuffle: bool = True,
        random_state: Any = None,
        tol: float = 1e-4,
        verbose: bool | int = False,
        warm_start: bool = False,
        momentum: float = 0.9,
        nesterovs_momentum: bool = True,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        n_iter_no_change: int = 10,
        max_fun: int = 15000,
        dropout: float = 0.0,
        class_weight: Any = None,
        callbacks: OneCallback | Sequence[OneCallback] | None = None,
        dtype: Any = None,
        threads: Any = None,
        device: str | None = None,
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.dropout = dropout
        self.class_weight = class_weight
        self.callbacks = callbacks
        self.dtype = dtype
        self.threads = threads
        self.device = device

    def _check_extra_params(self) -> None:
        cw = self.class_weight
        if not (cw is None or cw == "balanced" or isinstance(cw, (dict, list))):
            raise _fail(
                type(self).__name__,
                "class_weight",
                "None, 'balanced' or a dict {label: weight}",
                cw,
            )

    def _is_classifier(self) -> bool:
        return True

    def _model_head(self) -> str:
        return "softmax" if self.out_activation_ == "softmax" else "sigmoid"

    def _loss_kind(self) -> str:
        return self.out_activation_

    def _set_head(self, Y: np.ndarray) -> None:
        self.out_activation_ = self._fitted_head()

    def _validate_input(
        self, X: Any, y: Any, incremental: bool, reset: bool
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        try:
            X, y = _validate(
                self,
                X,
                y,
                accept_sparse=["csr", "csc"],
                multi_output=True,
                dtype=(np.float64, np.float32),
                reset=reset,
            )
        except TypeError as e:  # pandas.NA among text labels: its truth value fails
            better = _label_error(y)
            if better is None:
                raise
            raise better from e
        if y.ndim == 2 and y.shape[1] == 1:
            y = _column_to_1d(y)
        new_labels = not hasattr(self, "classes_") or (not self.warm_start and not incremental)
        if not new_labels:
            # validate_data has checked X and y once; labels of a known kind are encoded
            # here without checking them again (see _encode_labels)
            Y = self._encode_labels(y, every_class=not incremental)
            if Y is not None:
                return _dense(X), y, Y
        # the general path: new labels, multi-label and object labels, and every error
        try:
            check_classification_targets(y)
        except (ValueError, TypeError) as e:  # (TypeError: sorting None among texts)
            # texts mixed with numbers: scikit-learn's 'Unknown label type: unknown' is
            # replaced; its TypeError from sorting them (partial_fit) is kept
            better = _label_error(y, mixed=isinstance(e, ValueError))
            if better is None:
                raise
            raise better from e
        if y.ndim == 2 and type_of_target(y) == "multiclass-multioutput":
            # several classes per column: scikit-learn's 'Multioutput target data is not
            # supported with label binarization' (fit) or 'Unknown label type: (array(...' (a
            # later call) names neither y's values nor a way out
            try:
                _check_indicator(type(self).__name__, y)
            except TypeError:  # values np.unique cannot sort: scikit-learn's error stays
                pass
        if new_labels:
            # one class is fitted as scikit-learn fits it (one logistic output trained
            # towards 0); predict returns that class and predict_proba a column of ones
            lb = LabelBinarizer().fit(y)
            self._label_binarizer = lb
            self.classes_ = lb.classes_
            Y = self._encode_labels(y, every_class=True)
            if Y is not None:
                return _dense(X), y, Y
        else:
            classes = unique_labels(y)
            if self.warm_start and not incremental:
                if set(classes) != set(self.classes_):
                    raise ValueError(
                        "warm_start can only be used where `y` has the same classes as in the "
                        f"previous call to fit. Previously got {self.classes_}, `y` has "
                        f"{classes}."
                    )
            elif len(np.setdiff1d(classes, self.classes_, assume_unique=True)):
                raise ValueError(
                    f"`y` has classes not in `self.classes_`. `self.classes_` has "
                    f"{self.classes_}. 'y' has {classes}."
                )
        if self._label_binarizer.y_type_ == "multilabel-indicator" and y.ndim == 2:
            _check_indicator(type(self).__name__, y)
        elif y.ndim == 2:  # (LabelBinarizer: 'The object was not fitted with multilabel input.')
            raise ValueError(
                f"{type(self).__name__}: y is multi-label ({y.shape[1]} columns) but the "
                "network was fitted on one label per sample. " + _continue_advice(incremental)
            )
        Y = self._label_binarizer.transform(y).astype(np.float64)  # (n, K) 0/1
        return _dense(X), y, Y

    def _encode_labels(self, y: np.ndarray, every_class: bool) -> np.ndarray | None:
        """``LabelBinarizer.transform(y)`` as float64 (n, K), for a y validated by
        ``validate_data``, without checking y again; None where the general path must
        decide (it raises scikit-learn's errors there, or encodes what this does not).

        scikit-learn's transform runs ``type_of_target`` twice and ``check_array`` four
        times on y; a partial_fit of a small batch spent most of its time there. This
        takes the common case only: a 1-D y of booleans, integers, floats or str (objects
        that are all str, as pandas gives them, read as str) whose labels all lie in
        ``classes_`` (sorted, of the same kind; integers of the same dtype). For such a
        y, ``type_of_target`` says 'binary' or 'multiclass' (float y:
        when every value is integral, its own test), which ``check_classification_targets``
        accepts; the encoding is ``label_binarize``'s: column ``searchsorted(classes_, y)``,
        one 0/1 column (the second class) for two classes, zeros for one. A dense
        multi-label y of 0/1 values with one column per label of ``classes_`` (0..K-1)
        is 'multilabel-indicator' and encodes as itself.
        ``every_class`` (warm_start fit) also asks that y holds every class.
        """
        classes = self.classes_
        if y.ndim == 2:
            if (
                not isinstance(y, np.ndarray)
                or self._label_binarizer.y_type_ != "multilabel-indicator"
                or y.dtype.kind not in "biuf"
                or y.shape[1] < 2
                or y.shape[1] != classes.shape[0]
            ):
                return None
            Y = (y == 1).astype(np.float64)  # (n, K)
            if not bool((Y == y).all()):  # a value other than 0 and 1: the general path
                return None
            return Y
        if y.dtype == object and y.ndim == 1 and classes.dtype.kind == "U":
            labels = y.tolist()
            if not all(isinstance(v, str) for v in labels):
                return None  # unique_labels refuses a mix of str and numbers
            y = np.array(labels, dtype=str)
        if (
            y.ndim != 1
            or self._label_binarizer.y_type_ not in ("binary", "multiclass")
            or y.dtype.kind not in "biufU"
            or y.dtype.kind != classes.dtype.kind
            or (y.dtype.kind in "iu" and y.dtype != classes.dtype)
        ):
            return None
        if y.dtype.kind == "f":  # type_of_target: a non-integral value makes y continuous
            with np.errstate(invalid="ignore"):
                if not np.array_equal(y, y.astype(np.int64).astype(y.dtype)):
                    return None
        k = classes.shape[0]
        if k > 1 and not bool((classes[1:] > classes[:-1]).all()):
            return None
        idx = np.searchsorted(classes, y)  # (n,) the column of each label
        np.minimum(idx, k - 1, out=idx)
        if not bool((classes[idx] == y).all()):
            return None  # a label outside classes_: the general path names it
        if every_class and np.bincount(idx, minlength=k).min() == 0:
            return None
        n = y.shape[0]
        if k == 1:
            return np.zeros((n, 1))
        if k == 2:
            return (idx == 1).astype(np.float64).reshape(-1, 1)  # (n, 1): the second class
        Y = np.zeros((n, k))
        Y[np.arange(n), idx] = 1.0  # (n, K) one-hot
        return Y

    def _combined_weights(
        self, y: np.ndarray, sample_weight: np.ndarray | None, incremental: bool
    ) -> np.ndarray | None:
        cw = self.class_weight
        if cw is None:
            return sample_weight
        if incremental and cw == "balanced":
            raise ValueError(
                "class_weight='balanced' is not supported by partial_fit (a batch does not "
                "show the class frequencies). Compute the weights once on all labels, e.g. "
                "dict(zip(classes, sklearn.utils.class_weight.compute_class_weight("
                "'balanced', classes=classes, y=y_all))), and pass that dict."
            )
        if isinstance(cw, list) and y.ndim == 1:
            raise ValueError(
                "The 'class_weight' parameter of MLPClassifier is a list (one dict per label, "
                f"for multi-label y), but y holds one label per sample. Got {cw!r}; pass one "
                "dict {label: weight}, e.g. class_weight=" + repr(cw[0] if cw else {}) + "."
            )
        if isinstance(cw, dict) and y.ndim == 1:
            # scikit-learn's rule (compute_class_weight): keys that are not classes are
            # unused where every class is weighted (a dict for all labels serves a fold or
            # subset lacking one); refused where a class is left unweighted too (a typo)
            classes = self.classes_.tolist()
            known = set(classes)
            unknown = [k for k in cw if k not in known]
            unweighted = [c for c in classes if c not in cw]
            if unknown and unweighted:
                raise ValueError(
                    "The 'class_weight' parameter of MLPClassifier names labels that are not "
                    f"classes: {unknown}, and leaves classes unweighted: {unweighted}. The "
                    f"classes are {classes}: give each of them its weight (keys for labels "
                    "that are not classes are then unused, as in scikit-learn), or correct "
                    "the keys."
                )
            # a partial_fit batch may lack a weighted class: its weight is simply not used
            present = set(np.unique(y).tolist())
            cw = {k: v for k, v in cw.items() if k in present}
        elif isinstance(cw, list) and isinstance(y, np.ndarray) and y.ndim == 2:
            # multi-label: one dict per label over its values 0 and 1, as above per column
            restricted = []
            for j, d in enumerate(cw):
                if isinstance(d, dict) and j < y.shape[1]:
                    unknown = [k for k in d if k not in (0, 1)]
                    if unknown:
                        raise ValueError(
                            f"The 'class_weight' parameter of MLPClassifier: label {j}'s "
                            f"dict has keys other than 0 and 1: {unknown}."
                        )
                    present = set(np.unique(y[:, j]).tolist())
                    d = {k: v for k, v in d.items() if k in present}
                restricted.append(d)
            cw = restricted
        try:
            if cw == "balanced" and y.ndim == 1 and sample_weight is not None:
                cww = _balanced_weights(y, sample_weight)
            else:
                cww = compute_sample_weight(cw, y)
        except ValueError as e:
            raise ValueError(f"The 'class_weight' parameter of MLPClassifier: {e}") from e
        if not (np.all(np.isfinite(cww)) and np.all(cww >= 0)):
            raise ValueError(
                "The 'class_weight' parameter of MLPClassifier must give every class a finite "
                f"weight >= 0. Got {cw!r}; use 0 to ignore a class."
            )
        if sample_weight is None:
            return cww
        with np.errstate(over="ignore"):  # an overflow is named by _train_spec
            return cww * sample_weight

    def _score_outputs(self, out: np.ndarray, y: np.ndarray, w: np.ndarray | None) -> float:
        if not np.all(np.isfinite(out)):
            return np.nan
        return float(accuracy_score(y, self._decode(out), sample_weight=w))

    def _decode(self, out: np.ndarray) -> np.ndarray:
        return self._label_binarizer.inverse_transform(out.ravel() if out.shape[1] == 1 else out)

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> MLPClassifier:
        """Fit the network to X (n_samples, n_features) and labels y.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Sparse input is densified.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels (numbers, strings or bools, as scikit-learn takes them: ints or
            bools held in an object array are refused, naming the conversion), or a 0/1
            indicator matrix for multi-label.
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=False)

    @available_if(lambda est: est._stochastic_only())
    def partial_fit(
        self, X: Any, y: Any, sample_weight: Any = None, classes: Any = None
    ) -> MLPClassifier:
        """One epoch over (X, y) ('sgd' / 'adam'). ``classes`` (all labels) is required on
        the first call; y need not hold every class.

        Returns
        -------
        self
        """
        return self._fit(
            X,
            y,
            sample_weight=sample_weight,
            incremental=True,
            setup=lambda: self._partial_fit_classes(y, classes),
        )

    def _partial_fit_classes(self, y: Any, classes: Any) -> None:
        """partial_fit's ``classes``: ``classes_`` from it on the first call, the same on a
        later one. Run by ``_fit`` after the parameters are checked (as scikit-learn
        does); a refused call leaves no ``classes_`` behind."""
        if classes is not None:
            _check_classes_sequence(classes)
        if not hasattr(self, "classes_"):
            if classes is None:
                raise ValueError("classes must be passed on the first call to partial_fit.")
            lb = LabelBinarizer()
            if type_of_target(y).startswith("multilabel"):  # dense or sparse 0/1 (n, K)
                lb.fit(y)
                # scikit-learn's classes_ is unique_labels(classes): y's labels 0..K-1
                # must be among them
                given = unique_labels(classes)
                if len(np.setdiff1d(lb.classes_, given)):
                    raise ValueError(
                        f"`y` has classes not in `self.classes_`. `self.classes_` has {given}. "
                        f"'y' has {lb.classes_}."
                    )
            else:
                try:
                    given = unique_labels(classes)
                except ValueError as e:  # ints, bools ... as objects: 'Unknown label type'
                    labels = np.asarray(classes, dtype=object).ravel()
                    if (
                        np.asarray(classes).dtype != object
                        or not len(labels)
                        or any(isinstance(v, str) for v in labels)
                    ):
                        raise
                    kinds = sorted({type(v).__name__ for v in labels})
                    better = _object_label_error(labels, kinds, "classes")
                    if better is None:
                        raise
                    raise better from e
                lb.fit(given)
            self._label_binarizer = lb
            self.classes_ = lb.classes_
        elif classes is not None and not _same_classes(self.classes_, classes):
            raise ValueError(
                f"`classes={classes!r}` is not the same as on last call to partial_fit, "
                f"was: {self.classes_!r}"
            )

    def predict(self, X: Any) -> np.ndarray:
        """Predicted labels: the most probable class (multi-class), p > 0.5 (binary and
        multi-label, an (n, K) 0/1 matrix), read from predict_proba's numbers so the two
        always agree."""
        P = self.predict_proba(X)
        if P.shape[1] == 2 and self._label_binarizer.y_type_ != "multilabel-indicator":
            P = P[:, 1:]  # binary: [1 - p, p] -> p
        return self._decode(P)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, shape (n_samples, n_classes), columns in ``classes_`` order
        ([1 - p, p] for two classes; per-label p for multi-label; ones for a single class).

        float64, ``exp`` of the log-probabilities of :meth:`predict_log_proba` (so both
        rank the classes alike), but for a binary model's first column: ``1 - p``, as
        scikit-learn's, so the two columns are complements. A probability that would fall
        below about 2.2e-308 (the smallest normal float64) is returned as that, so its log
        stays finite."""
        return self._proba_and_log(X)[0]

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """The mean accuracy of ``predict(X)`` against ``y`` (scikit-learn's
        ``ClassifierMixin.score``); a ``sample_weight`` of text is refused, as at ``fit``."""
        if sample_weight is not None:
            sample_weight = _no_text(self, sample_weight)
        return super().score(X, y, sample_weight=sample_weight)

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Log-probabilities, shape (n_samples, n_classes), float64.

        From the logits z (log-softmax; log-sigmoid ``-log(1 + e^-z)``): accurate and finite
        where a probability rounds to 0. Where a probability is >= 1/e it is
        ``log(predict_proba)`` exactly, so probabilities that round to the same value (1.0
        for two saturated labels) get the same log and ``argmax`` agrees with
        ``predict_proba``'s. Like predict_proba's probabilities (floored at the smallest
        normal float64, about 2.2e-308), the logs are floored at its log, -708.4: classes
        tied at that floor are tied in both. A binary model's first column (``1 - p``) is the
        exception: below log(1/e) it is the exact log-sigmoid ``-log(1 + e^z)``, about -z,
        not floored (finite: at z = +inf the most negative float64)."""
        if self._proba_head() == "identity":
            raise ValueError(
                f"{type(self).__name__}: out_activation_='identity' makes predict_proba return "
                "the network's raw outputs (the logits), not probabilities, which have no "
                "logarithm to return. Read the logits from predict_proba, or set "
                f"out_activation_ back to {self._fitted_head()!r} for log-probabilities."
            )
        return self._proba_and_log(X)[1]

    def _fitted_out_activation(self) -> str:
        return self._fitted_head()

    def _fitted_head(self) -> str:
        """The output activation fit set: 'softmax' (multi-class) or 'logistic'."""
        multiclass = self._label_binarizer.y_type_ == "multiclass"
        return "softmax" if multiclass else "logistic"

    def _proba_head(self) -> str:
        """``out_activation_`` if predict_proba knows it, else a ValueError naming those
        it knows: 'logistic', 'softmax' and, as in scikit-learn, 'identity' (set by hand to
        read the logits)."""
        check_is_fitted(self)
        head = self.out_activation_
        if not (isinstance(head, str) and head in ("logistic", "softmax", "identity")):
            raise ValueError(
                f"{type(self).__name__}: out_activation_={head!r} is not an output activation "
                "the classifier can apply: 'logistic' (two classes, multi-label), 'softmax' "
                "(multi-class) or 'identity' (predict_proba then returns the raw outputs, the "
                f"logits). This network was fitted with {self._fitted_head()!r}."
            )
        if head == "softmax" and self.n_outputs_ == 1 and len(self.classes_) == 2:
            raise ValueError(  # (scikit-learn's predict_proba: [0, 1] on every row)
                f"{type(self).__name__}: out_activation_='softmax' cannot give two classes' "
                "probabilities from this network's one output: the softmax of one number is "
                "1 whatever X is. Set out_activation_ back to 'logistic' (what fit set: "
                "[1 - p, p]), or to 'identity' to read the logits."
            )
        return head

    def _proba_and_log(self, X: Any) -> tuple[np.ndarray, np.ndarray]:
        """(P, log P) from one set of log-probabilities L of the logits.

        P = exp(L). Below L = -1 the float64 grid of L is coarser than that of P, so exp is
        one-to-one and L is returned; above it P is the coarser one (it saturates at 1.0),
        so log P is returned instead. Either way equal probabilities have equal logs and a
        larger probability a larger log, which keeps the two argmaxes equal. Below P's
        floor (the smallest normal float64, about 2.2e-308) both are floored: P at it,
        L at its log (-708.4), so probabilities tied there have tied logs too."""
        check_is_fitted(self)
        head = self._proba_head()
        X = self._check_X(X, dense=False)  # (sparse: _logits densifies it by rows)
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow: the error below
            z = self._logits(X)  # (n, n_outputs)
        self._check_finite_logits(X, z)
        if head == "identity":  # scikit-learn's "logits" trick: the raw outputs, as its
            # predict_proba returns them ([1 - z, z] for two classes); they have no logs
            P = np.hstack([1.0 - z, z]) if z.shape[1] == 1 and len(self.classes_) == 2 else z
            return P, None  # type: ignore[return-value]
        logistic = len(self.classes_) > 1 and self.out_activation_ != "softmax"
        multilabel = self._label_binarizer.y_type_ == "multilabel-indicator"
        binary = logistic and z.shape[1] == 1 and not multilabel
        expits = binary or (logistic and multilabel)  # (scikit-learn's logistic heads)
        if len(self.classes_) > 1 and _replaced_head(head):  # (the model's own output, as
            # fit trained it: the replaced entry's probabilities, their logs taken of them)
            P = np.maximum(self._head(z), np.finfo(np.float64).tiny)
            P = np.hstack([np.maximum(1.0 - P, np.finfo(np.float64).tiny), P]) if binary else P
            return P, np.log(P)
        if len(self.classes_) == 1:
            L = np.zeros((z.shape[0], 1))
        elif self.out_activation_ == "softmax":
            z = z - z.max(axis=1, keepdims=True)  # first, so the row's largest L is exact
            L = z - F.logsumexp(z, axis=1)
        else:
            L = -np.logaddexp(0.0, -z)  # log p (per label; the positive class's)
        # P's floor is the smallest normal float64 (tiny); every L at or below log(tiny)
        # becomes log(tiny), so probabilities tied at the floor have tied logs (any
        # output, e.g. a softmax row of logits 700 apart), and every L above it gives a
        # P above it (exp(log(tiny)) > tiny)
        tiny = np.finfo(np.float64).tiny
        low = L <= _LOG_TINY
        L[low] = _LOG_TINY
        P = np.exp(L)
        P[low] = tiny
        high = L >= -1.0
        if expits:  # p >= 1/e: scikit-learn's expit(z), which rounds to 1.0 where it does
            P[high] = expit(z[high])
        L[high] = np.log(P[high])
        if binary:  # [1 - p, p], as scikit-learn: complements, which rank the samples alike
            # (reversed), whichever class is called positive; 1 - p is floored as any
            # probability is (p rounds to 1.0), and its log, below log(1/e), is the exact
            # log-sigmoid of -z, not floored (about -z, -910.7 at z = 910.7), finite where
            # 1 - p rounds to 0 (at z = +inf the most negative float64, below every other)
            q = np.maximum(1.0 - P, tiny)
            Lq = np.maximum(-np.logaddexp(0.0, z), np.finfo(np.float64).min)
            upper = q >= np.exp(-1.0)
            Lq[upper] = np.log(q[upper])
            P, L = np.hstack([q, P]), np.hstack([Lq, L])
        return P, L

    def _check_finite_logits(self, X: np.ndarray, z: np.ndarray) -> None:
        """Refuse outputs that overflowed inside the network: a NaN logit (inf - inf in a
        layer), or in a softmax +inf or a row all -inf (inf - inf there). Their probabilities
        would be NaN and ``predict`` would return the first class for them, silently
        (scikit-learn's MLP does). -inf beside finite logits, and ±inf in a logistic output,
        have exact limits and are kept. A NaN or inf in those rows of X is named as such."""
        bad = np.isnan(z)
        if self.out_activation_ == "softmax" and len(self.classes_) > 1:
            bad |= np.isposinf(z) | np.isneginf(z).all(axis=1, keepdims=True)
        self._refuse_nonfinite_rows(X, np.flatnonzero(bad.any(axis=1)), "probabilities")

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


# ------------------------------------------------------------------- regressor
class MLPRegressor(RegressorMixin, _BaseMLP):
    """Multi-layer perceptron regressor: scikit-learn's ``MLPRegressor``, trained by glassnet.

    The hidden layers compute ``a_l = g(a_{l-1} @ W_l + b_l)``; the output layer has
    one neuron per target with the identity (or ``output_activation``). Training
    minimizes, in scikit-learn's scale,

        'squared_error':  L = 1/(2 n K) sum_i sum_k (y_hat_ik - y_ik)^2
        'poisson':        L = 1/n sum_i sum_k (y log(y / mu) - y + mu),  mu = e^z
                          (half the Poisson deviance, log link)

    plus ``alpha / (2 n) sum_l ||W_l||^2``.

    Parameters
    ----------
    loss : {'squared_error', 'poisson'}, default='squared_error'
        'poisson' needs y >= 0 and predicts mu = e^z (``model_`` outputs z).
    <common parameters>
    output_activation : {'identity', 'logistic', 'tanh'}, default='identity'
        Beyond scikit-learn: squash the outputs into (0, 1) ('logistic') or (-1, 1)
        ('tanh') for bounded targets (y must lie in that range); loss='squared_error' only.

    Attributes
    ----------
    out_activation_ : str
        'identity', 'logistic', 'tanh' or 'exp' (poisson).
    <common attributes>

    Notes
    -----
    For several targets scikit-learn reports the squared error averaged over outputs
    but steps along the gradient of its sum over outputs (K times larger); glassnet
    steps along the gradient of the loss it reports. With 'adam' this changes only the
    relative weight of ``alpha`` (alpha / K in scikit-learn's terms); with 'sgd' the
    step is K times smaller. Training runs in X's dtype unless ``dtype`` says otherwise;
    predictions are float32 when X and the training dtype are, float64 otherwise.

    Examples
    --------
    >>> import numpy as np
    >>> from glassnet.sklearn import MLPRegressor
    >>> X = np.linspace(-1, 1, 200).reshape(-1, 1)
    >>> reg = MLPRegressor(hidden_layer_sizes=(32,), activation="tanh", solver="lbfgs")
    >>> reg.set_params(random_state=0).fit(X, X[:, 0] ** 2).score(X, X[:, 0] ** 2) > 0.99
    True
    """

    def __init__(
        self,
        loss: str = "squared_error",
        hidden_layer_sizes: Any = (100,),
        activation: str | Sequence[str] = "relu",
        *,
        solver: str = "adam",
        alpha: float = 0.0001,
        batch_size: int | str = "auto",
        learning_rate: str = "constant",
        learning_rate_init: float = 0.001,
        power_t: float = 0.5,
        max_iter: int = 200,
        shuffle: bool = True,
        random_state: Any = None,
        tol: float = 1e-4,
        verbose: bool | int = False,
        warm_start: bool = False,
        momentum: float = 0.9,
        nesterovs_momentum: bool = True,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        n_iter_no_change: int = 10,
        max_fun: int = 15000,
        dropout: float = 0.0,
        output_activation: str = "identity",
        callbacks: OneCallback | Sequence[OneCallback] | None = None,
        dtype: Any = None,
        threads: Any = None,
        device: str | None = None,
    ) -> None:
        self.loss = loss
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.dropout = dropout
        self.output_activation = output_activation
        self.callbacks = callbacks
        self.dtype = dtype
        self.threads = threads
        self.device = device

    def _check_extra_params(self) -> None:
        o = type(self).__name__
        check_choice(self.loss, "loss", o, ("squared_error", "poisson"))
        check_choice(self.output_activation, "output_activation", o, _OUTPUT_ACTIVATIONS)
        if self.loss == "poisson" and self.output_activation != "identity":
            raise ValueError(
                f"{o}: loss='poisson' has its own output, mu = e^z; leave "
                f"output_activation='identity'. Got {self.output_activation!r}."
            )

    def _model_head(self) -> str:
        return {"exp": "identity", "logistic": "sigmoid"}.get(
            self.out_activation_, self.out_activation_
        )

    def _loss_kind(self) -> str:
        return "poisson" if self.loss == "poisson" else "squared_error"

    def _diverged_message(self, Y: np.ndarray, detail: str) -> str:
        """A target so large that its squared error overflows the training dtype (y about
        1e300) makes the loss inf at the first step while the weights are finite: that is
        said, and to scale y, not scikit-learn's 'non-finite parameter weights' (which would
        be untrue: scikit-learn's adam trains on with an inf loss, its weights finite)."""
        weights_finite = all(np.isfinite(p.data).all() for p in self.model_.parameters())
        if self.loss == "poisson" or not weights_finite:
            return super()._diverged_message(Y, detail)
        with np.errstate(over="ignore", invalid="ignore"):
            squares = np.mean(np.square(Y.astype(self._dtype)))
            in_float64 = np.isfinite(np.mean(np.square(Y.astype(np.float64))))
        if np.isfinite(squares):
            return super()._diverged_message(Y, detail)
        wider = (
            ", or fit with dtype='float64' (whose range holds their squares)"
            if self._dtype == np.float32 and in_float64
            else ""
        )
        # (a StandardScaler's variance is a mean of squares too: past float64's, MaxAbsScaler)
        scaler = "StandardScaler()" if in_float64 else "MaxAbsScaler()"
        when = detail.split(":")[0]  # ("the loss became inf at step 1 (epoch 1)")
        return (
            f"{type(self).__name__}: the training loss overflowed ({when}): y's values (up to "
            f"{float(np.abs(Y).max()):.3g}) are too large for the squared error in "
            f"{self._dtype} (their squares pass {float(np.finfo(self._dtype).max):.3g}); the "
            "weights are finite, kept from before that step. Scale y, e.g. sklearn.compose."
            "TransformedTargetRegressor(regressor=MLPRegressor(...), transformer="
            f"{scaler}), which predicts in y's units{wider}."
        )

    def _set_head(self, Y: np.ndarray) -> None:
        self.out_activation_ = self._fitted_out_activation()

    def _fitted_out_activation(self) -> str:
        if self.loss == "poisson":
            return "exp"
        return _SKLEARN_NAME[_ACT_TO_GLASSNET[self.output_activation]]

    def _validate_input(
        self, X: Any, y: Any, incremental: bool, reset: bool
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        o = type(self).__name__
        given = y
        given_dtype = getattr(y, "dtype", None)
        timed = _time_target_error(o, y)  # NumPy reads them as ticks: refused before X's
        if timed is not None:  # checks set anything
            raise timed
        try:
            X, y_checked = _validate(
                self,
                X,
                y,
                accept_sparse=["csr", "csc"],
                multi_output=True,
                y_numeric=True,
                dtype=(np.float64, np.float32),
                reset=reset,
            )
        except (ValueError, TypeError) as e:  # object y with text or None: numpy's words
            better = None if "Input X" in str(e) or "X has" in str(e) else _target_error(o, y)
            if better is None:
                raise
            raise better from e
        y = y_checked
        if hasattr(y, "toarray"):  # several targets as a sparse matrix: dense, as sparse X
            y = y.toarray()
        if y.ndim == 2 and y.shape[1] == 1:
            y = _column_to_1d(y)
        if y.dtype.kind in "USO":  # text y passes validate_data's numeric check as it is
            better = _target_error(o, y)
            if better is not None:
                raise better
        if y.dtype.kind in "US":  # numbers as text in a str/bytes array or a list: refused,
            # as scikit-learn's loss refuses them (UFuncTypeError); an object array or a
            # pandas Series of them is read as numbers, as scikit-learn's check_array reads it
            first = y.ravel()[:1].tolist()[0]
            raise ValueError(
                f"{o}: y holds numbers written as text (dtype {y.dtype.str!r}, e.g. {first!r} "
                "at row 0), which scikit-learn's MLPRegressor refuses too, and glassnet reads "
                "no number from text in silence. Convert y to numbers first: "
                "np.asarray(y, dtype=float) (or pandas.to_numeric(y))."
            )
        y = y.astype(np.float64, copy=False)
        if (given_dtype is None or y.dtype != given_dtype) and np.isnan(y).any():  # None: NaN
            better = _target_error(o, given)
            if better is not None:
                raise better
        if self.loss == "poisson" and np.any(y < 0):
            raise ValueError(
                f"{o}: loss='poisson' needs y >= 0 (counts, rates). Got a minimum of "
                f"{y.min():g}; use loss='squared_error' for signed targets."
            )
        bounds = {"logistic": (0.0, 1.0), "sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}.get(
            self.output_activation
        )
        if bounds is not None and (y.min() < bounds[0] or y.max() > bounds[1]):
            raise ValueError(
                f"{o}: output_activation={self.output_activation!r} produces values in "
                f"{list(bounds)}, but y ranges over [{y.min():.4g}, {y.max():.4g}]. Rescale "
                "y (e.g. MinMaxScaler) or use output_activation='identity'."
            )
        Y = y.reshape(-1, 1) if y.ndim == 1 else y
        return _dense(X), y, Y

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """The coefficient of determination R^2 of ``predict(X)`` against ``y``
        (scikit-learn's ``RegressorMixin.score``); a y of dates or durations, and a
        ``sample_weight`` of text, are refused, as at ``fit``."""
        timed = _time_target_error(type(self).__name__, y)
        if timed is not None:
            raise timed
        if sample_weight is not None:
            sample_weight = _no_text(self, sample_weight)
        return super().score(X, y, sample_weight=sample_weight)

    def _score_outputs(self, out: np.ndarray, y: np.ndarray, w: np.ndarray | None) -> float:
        if not np.all(np.isfinite(out)):
            return np.nan
        return float(r2_score(y, out.ravel() if out.shape[1] == 1 else out, sample_weight=w))

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> MLPRegressor:
        """Fit the network to X (n_samples, n_features) and targets y.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Sparse input is densified.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=False)

    @available_if(lambda est: est._stochastic_only())
    def partial_fit(self, X: Any, y: Any, sample_weight: Any = None) -> MLPRegressor:
        """One epoch over (X, y) ('sgd' / 'adam').

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)

    def predict(self, X: Any) -> np.ndarray:
        """Predictions, shape (n_samples,) for one target, (n_samples, n_targets) otherwise;
        float32 when both X and the training dtype are float32, else float64."""
        check_is_fitted(self)
        X = self._check_X(X, dense=False)  # (sparse: _logits densifies it by rows)
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow: the error below
            z = self._logits(X)
        # refused as the classifier's: a NaN output (inf - inf inside the network, or NaN in
        # X passed unchecked), or an infinite one where the output's limit is not exact (an
        # identity output; exp's and relu's at +inf); tanh and the logistic keep theirs
        bad = np.isnan(z)
        head = self._checked_head()
        if head in ("identity", "exp", "relu", "leaky_relu"):
            unbounded_below = head in ("identity", "leaky_relu")
            bad |= np.isposinf(z) | (np.isneginf(z) if unbounded_below else False)
        self._refuse_nonfinite_rows(X, np.flatnonzero(bad.any(axis=1)), "predictions")
        # the dtype NumPy would give X @ W: X's (float32 or float64) or the wider training one
        out = self._head(z).astype(np.promote_types(X.dtype, self._dtype), copy=False)
        return out.ravel() if out.shape[1] == 1 else out

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.positive_only = self.loss == "poisson"
        return tags


def _fill_doc(cls: type) -> None:
    """Put the parameters and attributes both estimators share into the class docstring."""
    doc = cls.__doc__ or ""
    doc = doc.replace("\n    <common parameters>", _DOC_COMMON)
    cls.__doc__ = doc.replace("\n    <common attributes>", _DOC_ATTRIBUTES)


_fill_doc(MLPClassifier)
_fill_doc(MLPRegressor)


def _replaced_head(head: Any) -> str:
    """The table name of an output activation ``head`` ('logistic' or 'sigmoid': 'sigmoid';
    'softmax') whose entry in functional.ACTIVATIONS the user replaced, else '': the network
    outputs that entry's values (fit trains the head on them, see tasks.on_output), so the
    estimators' outputs and probabilities are that entry's too, as a replaced hidden
    activation's are."""
    name = {"logistic": "sigmoid", "sigmoid": "sigmoid", "softmax": "softmax"}.get(head, "")
    return name if name and F.replaced_entry(name) else ""
