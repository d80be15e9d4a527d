"""The lecture's four tasks (plus multi-label), each as one object.

A task knows its output layer (neurons and activation), its loss, how targets are
encoded for training and how network outputs are decoded into predictions:

===========================  ==============  ============  ======================
task                         output layer    loss          prediction
===========================  ==============  ============  ======================
binary classification        1, sigmoid      binary CE     class of y_hat > 0.5
multi-class classification   C, softmax      cross-entropy class of argmax y_hat
single-output regression     1, identity*    MSE           y_hat
multi-output regression      K, identity*    MSE           y_hat (K values)
multi-label classification   K, sigmoid      binary CE     each y_hat_k > 0.5
===========================  ==============  ============  ======================

\\* or sigmoid / tanh, for targets in [0, 1] / [-1, 1].

Below the tasks sit what every training run needs to know about its loss and data, for
``fit``, ``Objective``, ``evaluate_loss``, the estimators and the CLI alike:
:func:`loss_spec` (a loss name to its table entry), :func:`loss_parts` (a model ending in
its loss's head is scored on its logits), :func:`check_data` (X, y and sample_weight
checked at the boundary and shaped for the loss) and :func:`score` (validation loss and
metric).

>>> import numpy as np
>>> from glassnet.tasks import infer_task
>>> infer_task(["cat", "dog", "bird", "dog"]).name
'multiclass'
>>> infer_task(np.array([0.5, 1.7, -2.0])).name
'regression'
"""

from __future__ import annotations

import contextlib
import dataclasses
import inspect
import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import functional as F
from ._validation import (
    COLLAPSED_FEATURES,
    ParameterError,
    arrow_read,
    as_rng,
    check_array,
    check_exact,
    check_memory,
    check_names,
    check_setting,
    check_unhooked,
    collapsed,
    collapsed_targets,
    detached,
    features_error,
    frame_names,
    label_value,
    not_a_network,
    overflowed,
    record_names,
    shown,
)
from .backend import namespace
from .metrics import UndefinedMetricWarning, r2_score
from .nn._gate import WATCH
from .nn.layers import MLP, ActivationModule, Dropout, Linear, Sequential
from .nn.module import Module, evaluating
from .tensor import Tensor, no_grad

__all__ = [
    "Task",
    "BinaryClassification",
    "MultiClassClassification",
    "Regression",
    "MultiOutputRegression",
    "MultiLabelClassification",
    "TASKS",
    "infer_task",
    "get_task",
    "type_of_target",
    "prepare_targets",
    "metric",
    "split_validation",
    "validation_set",
    "validation_parts",
    "n_outputs",
    "loss_spec",
    "loss_parts",
    "builtin_forward",
    "on_output",
    "own_forward",
    "model_dtype",
    "check_data",
    "score",
]


def _as_target(y: Any) -> np.ndarray:
    if hasattr(y, "to_numpy") and not isinstance(y, np.ndarray):
        y = y.to_numpy()
    arr = np.asarray(y)
    if arr.ndim == 0 or arr.size == 0:
        raise ValueError(f"y must hold at least one target. Got shape {arr.shape}.")
    if arr.ndim > 2:
        raise ValueError(f"y must be 1-D or 2-D. Got shape {arr.shape}.")
    if arr.dtype.kind == "c":
        raise ValueError("y has complex values; targets must be real numbers or labels.")
    if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
        raise ValueError("y contains NaN or inf; remove or impute those targets.")
    if arr.dtype.kind == "O":
        if any(v is None or (isinstance(v, float) and not np.isfinite(v)) for v in arr.ravel()):
            raise ValueError("y contains missing values (None/NaN); remove those rows.")
    return arr


MAX_FLOAT_CLASSES = 20
"""Whole-number floats with more distinct values than this are regression targets."""


def type_of_target(y: Any) -> str:
    """Classify targets like scikit-learn's ``type_of_target``.

    Integers, text and booleans are class labels. Floats are class labels only when
    every value is a whole number and there are at most :data:`MAX_FLOAT_CLASSES`
    distinct values (``[0., 1., 1.]`` is binary; a float target such as a disease
    score that happens to be stored as whole numbers is continuous, where
    scikit-learn would call it multiclass).

    Returns ``'binary'``, ``'multiclass'``, ``'continuous'``,
    ``'continuous-multioutput'``, ``'multilabel-indicator'`` or ``'multiclass-onehot'``.
    """
    arr = _as_target(y)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim == 2:
        if arr.dtype.kind in "biuf" and np.isin(arr, (0, 1)).all():
            if np.all(arr.sum(axis=1) == 1):
                return "multiclass-onehot"
            return "multilabel-indicator"
        if arr.dtype.kind in "iuf":
            return "continuous-multioutput"
        raise ValueError(
            f"2-D y must be numeric (a 0/1 matrix or real values). Got dtype {arr.dtype}; "
            "pass one column of labels as a 1-D array."
        )
    if arr.dtype.kind == "f" and not np.all(arr == np.round(arr)):
        return "continuous"
    n = len(np.unique(arr.astype(str) if arr.dtype.kind == "O" else arr))
    if arr.dtype.kind == "f" and n > MAX_FLOAT_CLASSES:
        return "continuous"  # whole-number measurements (counts, scores), not class labels
    return "binary" if n <= 2 else "multiclass"


class Task:
    """Base class. Subclasses set ``name``, ``loss`` and ``output_activation``."""

    name = ""
    loss = ""
    output_activation = ""
    is_classifier = False

    def fit(self, y: Any) -> Task:
        """Learn what the targets look like (classes, number of outputs); returns self."""
        raise NotImplementedError

    @property
    def n_outputs(self) -> int:
        """Neurons of the output layer."""
        raise NotImplementedError

    def encode(self, y: Any) -> np.ndarray:
        """Targets as the loss expects them."""
        raise NotImplementedError

    def decode(self, output: np.ndarray) -> np.ndarray:
        """Network outputs to predictions (labels or values)."""
        raise NotImplementedError

    def score(self, y_true: Any, y_pred: Any) -> float:
        """Accuracy for classification, R^2 (mean over outputs) for regression."""
        raise NotImplementedError

    def build_model(
        self,
        n_features: int,
        hidden: Sequence[int] = (100,),
        activation: str | Sequence[str] = "relu",
        *,
        rng: Any = None,
        dtype: Any = np.float32,
        dropout: float = 0.0,
    ) -> MLP:
        """An MLP with this task's output layer: ``[n_features, *hidden, n_outputs]`` (one
        int ``hidden``: one hidden layer of that width, as scikit-learn's)."""
        if not isinstance(hidden, (list, tuple, range, np.ndarray)):
            hidden = [hidden]  # (an int; anything else is named by MLP's check of 'sizes')
        return MLP(
            [n_features, *hidden, self.n_outputs],
            activation=activation,
            output_activation=self.output_activation,
            rng=rng,
            dtype=dtype,
            dropout=dropout,
        )

    def config(self) -> dict[str, Any]:
        """A JSON-serializable description (see :func:`get_task`)."""
        return {"name": self.name}

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class _Classification(Task):
    """``classes``: the class labels in the user's order (the one-hot column, or for a
    binary task the second label is the positive class); by default the sorted labels."""

    is_classifier = True
    classes_: np.ndarray

    def __init__(self, classes: Sequence[Any] | None = None) -> None:
        if classes is not None:
            arr = np.asarray(classes)
            if arr.ndim != 1 or arr.size < 2 or len(np.unique(arr)) != arr.size:
                raise ValueError(
                    f"The 'classes' parameter of {type(self).__name__} must list two or more "
                    f"distinct labels, each once, e.g. ['Cat', 'Dog', 'Bird']. Got {classes!r}."
                )
            classes = arr
        self.classes = classes

    @property
    def n_outputs(self) -> int:
        return len(self.classes_)

    def proba(self, output: np.ndarray) -> np.ndarray:
        """Class probabilities: the network's outputs, (N, C)."""
        return np.asarray(output)

    def _fit_classes(self, labels: np.ndarray) -> None:
        if getattr(self, "classes", None) is not None:  # the user's order
            known = set(self.classes.tolist())
            missing = sorted({v for v in labels.tolist() if v not in known}, key=repr)
            if missing:
                theirs = sorted({type(v).__name__ for v in missing})
                ours = sorted({type(c).__name__ for c in self.classes.tolist()})
                types = f" (y's labels are {theirs}, the classes {ours})" if theirs != ours else ""
                raise ValueError(
                    f"y has labels missing from 'classes': {shown(missing[:5], 200)}; classes: "
                    f"{shown(self.classes.tolist(), 200)}{types}. Add them to the list or fix "
                    "y (or convert one to the other's type)."
                )
            self.classes_ = self.classes
            return
        try:
            classes = np.unique(labels)
        except TypeError:
            raise TypeError(
                "y mixes label types that cannot be sorted (e.g. str and int); convert the "
                "labels to one type, e.g. np.asarray(y).astype(str)."
            ) from None
        if len(classes) < 2:
            raise ValueError(
                f"y has a single class ({classes[0]}); a classifier needs at least two. "
                "Check the target column or use more data."
            )
        self.classes_ = classes

    def _indices(self, y: Any) -> np.ndarray:
        arr = _as_target(y)
        if arr.ndim == 2 and arr.shape[1] == 1:
            arr = arr[:, 0]
        if arr.ndim != 1:
            raise ValueError(f"expected 1-D class labels. Got shape {arr.shape}.")
        order = np.argsort(self.classes_, kind="stable")  # classes_ may be the user's order
        idx = order[np.clip(np.searchsorted(self.classes_[order], arr), 0, len(order) - 1)]
        unknown = self.classes_[idx] != arr
        if unknown.any():
            bad = sorted({str(v) for v in arr[unknown]})[:5]
            raise ValueError(
                f"y has labels not seen in training: {bad}. Known classes: "
                f"{[str(c) for c in self.classes_]}."
            )
        return idx

    def score(self, y_true: Any, y_pred: Any) -> float:
        return float(np.mean(np.asarray(y_true).reshape(-1) == np.asarray(y_pred).reshape(-1)))

    def config(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "classes": [c.item() if hasattr(c, "item") else c for c in self.classes_],
        }


class BinaryClassification(_Classification):
    """Two classes: 1 sigmoid output, binary cross-entropy, predict the class of y_hat > 0.5."""

    name = "binary"
    loss = "binary_cross_entropy"
    output_activation = "sigmoid"

    def fit(self, y: Any) -> BinaryClassification:
        arr = _as_target(y).reshape(-1)
        self._fit_classes(arr)
        if len(self.classes_) != 2:
            raise ValueError(
                f"binary classification needs exactly 2 classes. Got {len(self.classes_)}; "
                "use MultiClassClassification."
            )
        return self

    @property
    def n_outputs(self) -> int:
        return 1

    def encode(self, y: Any) -> np.ndarray:
        """Labels -> 0/1 of shape (N, 1) (the second class, sorted, is positive)."""
        return self._indices(y).astype(np.float64).reshape(-1, 1)

    def decode(self, output: np.ndarray) -> np.ndarray:
        return self.classes_[(np.asarray(output).reshape(-1) > 0.5).astype(int)]

    def proba(self, output: np.ndarray) -> np.ndarray:
        """(N, 2) class probabilities [1 - y_hat, y_hat]."""
        p = np.asarray(output).reshape(-1, 1)
        return np.hstack([1 - p, p])

    def score(self, y_true: Any, y_pred: Any) -> float:
        """Accuracy; the network's outputs (floats in [0, 1] that are not all class labels,
        as ``model.predict`` gives them, (N, 1) or (N,)) count as the class of y_hat > 0.5,
        as :meth:`decode` gives it (a multi-class task scores its outputs the same way)."""
        return super().score(
            *(self.decode(v) if self._is_output(v) else v for v in (y_true, y_pred))
        )

    def _is_output(self, v: Any) -> bool:
        a = np.asarray(v)
        if a.dtype.kind != "f" or a.size == 0 or not (a.ndim == 1 or a.shape[1:] == (1,)):
            return False
        if not (np.all(a >= 0) and np.all(a <= 1)):
            return False
        try:
            return not np.isin(a, self.classes_).all()
        except TypeError:  # (text classes)
            return True


class MultiClassClassification(_Classification):
    """C classes: C softmax outputs, cross-entropy on one-hot targets, predict the argmax."""

    name = "multiclass"
    loss = "cross_entropy"
    output_activation = "softmax"

    def fit(self, y: Any) -> MultiClassClassification:
        arr = _as_target(y)
        if arr.ndim == 2 and arr.shape[1] > 1:  # one-hot rows (columns: the classes given)
            if self.classes is not None and len(self.classes) != arr.shape[1]:
                raise ValueError(
                    f"y has one-hot rows of {arr.shape[1]} columns, but 'classes' lists "
                    f"{len(self.classes)}: {self.classes.tolist()}."
                )
            self._fit_classes(np.arange(arr.shape[1]) if self.classes is None else self.classes)
            self._onehot = True
        else:
            self._fit_classes(arr.reshape(-1))
            self._onehot = False
        return self

    def encode(self, y: Any) -> np.ndarray:
        """Labels -> one-hot rows (N, C), the lecture's target vectors."""
        arr = _as_target(y)
        if arr.ndim == 2 and arr.shape[1] == len(self.classes_) and arr.shape[1] > 1:
            return arr.astype(np.float64)
        return F.one_hot(self._indices(arr), len(self.classes_), dtype=np.float64)

    def decode(self, output: np.ndarray) -> np.ndarray:
        return self.classes_[np.asarray(output).argmax(axis=1)]

    def score(self, y_true: Any, y_pred: Any) -> float:
        """Accuracy; one-hot rows (or outputs) count as the class of their largest entry."""
        y = [
            self.decode(v) if np.ndim(v) == 2 and np.shape(v)[1] > 1 else v
            for v in (y_true, y_pred)
        ]
        return super().score(*y)


class MultiLabelClassification(_Classification):
    """K independent yes/no labels: K sigmoid outputs, binary cross-entropy, y_hat_k > 0.5."""

    name = "multilabel"
    loss = "binary_cross_entropy"
    output_activation = "sigmoid"

    def fit(self, y: Any) -> MultiLabelClassification:
        arr = _as_target(y)
        if arr.ndim != 2 or not np.isin(arr, (0, 1)).all():
            raise ValueError("multi-label targets must be a 2-D 0/1 indicator matrix.")
        if self.classes is not None:
            raise ValueError("multi-label targets take no 'classes': the columns are the labels.")
        self.classes_ = np.arange(arr.shape[1])
        return self

    def encode(self, y: Any) -> np.ndarray:
        arr = _as_target(y)
        if arr.ndim != 2 or arr.shape[1] != len(self.classes_):
            raise ValueError(
                f"expected a (N, {len(self.classes_)}) indicator matrix. Got shape {arr.shape}."
            )
        return arr.astype(np.float64)

    def decode(self, output: np.ndarray) -> np.ndarray:
        return (np.asarray(output) > 0.5).astype(np.int64)

    def score(self, y_true: Any, y_pred: Any) -> float:
        """Subset accuracy: a row counts only if every label is right. The network's outputs
        (values in [0, 1] other than 0 and 1) count as the labels y_hat_k > 0.5, as
        :meth:`decode` gives them."""
        y = [
            self.decode(a) if a.dtype.kind == "f" and not np.isin(a, (0, 1)).all() else a
            for a in (np.asarray(y_true), np.asarray(y_pred))
        ]
        return float(np.mean(np.all(y[0] == y[1], axis=1)))


_RANGES = {"identity": None, "sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}


class Regression(Task):
    """Real-valued targets: identity (or sigmoid / tanh) outputs, MSE, predict y_hat.

    Parameters
    ----------
    output_activation : ``'identity'`` (default), ``'sigmoid'`` (targets in [0, 1])
        or ``'tanh'`` (targets in [-1, 1]).
    """

    name = "regression"
    loss = "mse"

    def __init__(self, output_activation: str = "identity") -> None:
        act = F.get_activation(output_activation).name
        if act not in _RANGES:
            raise ValueError(
                f"The 'output_activation' parameter of {type(self).__name__} must be "
                f"'identity', 'sigmoid' or 'tanh'. Got {output_activation!r}."
            )
        self.output_activation = act
        self._k = 1

    def fit(self, y: Any) -> Regression:
        arr = self._values(y)
        self._k = 1 if arr.ndim == 1 else arr.shape[1]
        return self

    def _values(self, y: Any) -> np.ndarray:
        arr = _as_target(y)
        if arr.dtype.kind not in "biuf":
            raise ValueError(f"regression targets must be numbers. Got dtype {arr.dtype}.")
        arr = arr.astype(np.float64)
        rng = _RANGES[self.output_activation]
        if rng is not None and (arr.min() < rng[0] or arr.max() > rng[1]):
            raise ValueError(
                f"a {self.output_activation} output can only produce values in {list(rng)}, "
                f"but y ranges over [{arr.min():.4g}, {arr.max():.4g}]. Rescale y or use "
                "output_activation='identity'."
            )
        return arr

    @property
    def n_outputs(self) -> int:
        return self._k

    def encode(self, y: Any) -> np.ndarray:
        arr = self._values(y)
        return arr.reshape(-1, 1) if arr.ndim == 1 else arr

    def decode(self, output: np.ndarray) -> np.ndarray:
        out = np.asarray(output)
        return out[:, 0] if out.ndim == 2 and out.shape[1] == 1 and self._k == 1 else out

    def score(self, y_true: Any, y_pred: Any) -> float:
        """R^2 = 1 - SS_res / SS_tot, averaged over outputs."""
        return r2_score(y_true, y_pred)

    def config(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "output_activation": self.output_activation,
            "n_outputs": self._k,
        }

    def __repr__(self) -> str:
        return f"{type(self).__name__}(output_activation={self.output_activation!r})"


class MultiOutputRegression(Regression):
    """K real-valued targets per sample: K outputs, MSE averaged over all of them."""

    name = "multioutput_regression"

    def fit(self, y: Any) -> MultiOutputRegression:
        arr = self._values(y)
        if arr.ndim != 2:
            raise ValueError(f"multi-output regression needs y of shape (N, K). Got {arr.shape}.")
        self._k = arr.shape[1]
        return self


TASKS: dict[str, type[Task]] = {
    "binary": BinaryClassification,
    "multiclass": MultiClassClassification,
    "multilabel": MultiLabelClassification,
    "regression": Regression,
    "multioutput_regression": MultiOutputRegression,
}


def get_task(name: str | Task | dict[str, Any], **kw: Any) -> Task:
    """A task by name (``'binary'``, ``'multiclass'``, ``'regression'``,
    ``'multioutput_regression'``, ``'multilabel'``) or from :meth:`Task.config`."""
    if isinstance(name, Task):
        return name
    if isinstance(name, dict):
        cfg = dict(name)
        if "name" not in cfg:
            raise ValueError(
                f"get_task: a task's config needs its 'name' (one of {', '.join(TASKS)}), as "
                f"Task.config() writes it. Got {name!r:.80}."
            )
        key = cfg.pop("name")
        task = get_task(
            key,
            **(
                {"output_activation": cfg["output_activation"]}
                if "output_activation" in cfg
                else {}
            ),
        )
        if "classes" in cfg:
            task.classes_ = np.asarray(cfg["classes"])  # type: ignore[attr-defined]
            task._onehot = False  # type: ignore[attr-defined]
        if "n_outputs" in cfg:
            task._k = int(cfg["n_outputs"])  # type: ignore[attr-defined]
        return task
    if name not in TASKS:
        raise ValueError(f"Unknown task {name!r}. Valid names: {', '.join(TASKS)}.")
    return TASKS[name](**kw)


def infer_task(y: Any, classes: Sequence[Any] | None = None) -> Any:
    """The task that fits targets ``y``, fitted to them (classes / outputs learned).

    Text labels and integers are classes (2 -> binary, more -> multi-class);
    non-integer numbers are regression. Floats that are all whole numbers are classes
    too when they hold at most :data:`MAX_FLOAT_CLASSES` (20) distinct values
    (``[100., 250., 310.]``, prices say, become 3 classes; ``Regression().fit(y)`` or
    ``get_task('regression')`` trains them as real numbers), regression above that, as
    :func:`type_of_target` reads them. A 2-D float array is multi-output
    regression; a 2-D 0/1 matrix is one-hot multi-class (rows sum to 1) or multi-label.
    ``classes`` lists the labels in the user's order (``['Cat', 'Dog', 'Bird']``: Cat is
    one-hot ``[1, 0, 0]``); its length says binary or multi-class.

    Typed ``Any``, as PyTorch types ``model(x)``: which Task it is (and so whether it has a
    classifier's ``classes_``) depends on the values in ``y``, which a type checker does
    not see; ``infer_task(y).classes_`` type-checks. It is always a :class:`Task`.
    """
    t = type_of_target(y)
    if classes is not None:
        if t not in ("binary", "multiclass", "multiclass-onehot"):
            raise ValueError(
                f"infer_task: 'classes' was given, but y looks like {t} targets, not class "
                "labels; drop 'classes' or pass the labels."
            )
        binary = t != "multiclass-onehot" and len(np.atleast_1d(np.asarray(classes))) == 2
        task0 = (BinaryClassification if binary else MultiClassClassification)(classes=classes)
        return task0.fit(y)
    task: Task = {
        "binary": BinaryClassification,
        "multiclass": MultiClassClassification,
        "multiclass-onehot": MultiClassClassification,
        "multilabel-indicator": MultiLabelClassification,
        "continuous": Regression,
        "continuous-multioutput": MultiOutputRegression,
    }[t]()
    return task.fit(y)


# ------------------------------------------------- targets, metric and split for a loss
# fit, Objective, evaluate_loss and the estimators train on a named loss (a key of
# glassnet.functional.LOSSES); these say what its targets look like and how it is scored.
def _is_ce(loss: F.Loss | None) -> bool:
    return loss is not None and loss.name == "cross_entropy"


def _is_bce(loss: F.Loss | None) -> bool:
    return loss is not None and loss.name.startswith("binary_cross_entropy")


def divergence_reason(
    step: int, epoch: int, value: Any, optimizer: Any, params: list, spec: Any = "?"
) -> str:
    """What fit's DivergenceError says happened and why: the loss ``value`` (None: an update
    left non-finite weights) at ``step``; read before the finite weights are put back.
    ``spec``: fit's named loss (:func:`loss_spec`), None for a loss function of the user's
    (blamed first for a loss not finite before any update, not the squared error), "?" not
    known."""
    what = f"the loss became {value} at step {step} (epoch {epoch})"
    if value is None:  # (every loss was finite; the last update was not)
        what = f"the update of step {step} (epoch {epoch}) left non-finite weights"
    lr = getattr(optimizer, "lr", "?")
    dtype = np.dtype(params[0].data.dtype) if params else np.dtype(np.float64)
    if step == 1 and value is not None and spec is None:  # (a loss function of the user's)
        why = (
            f"{what}, before any update, so the learning rate is not the cause: the loss "
            "function given returned a non-finite value on the model's starting outputs. "
            "Check where it has none (a log of 0 or of a negative, a division by 0, the sqrt "
            "of a negative; gn.detect_anomaly() names the op), and where its values are large "
            f"enough to pass {dtype}'s range (largest {np.finfo(dtype).max:.3g})"
        )
    elif step == 1 and value is not None:  # (no update yet: not the learning rate)
        top = np.finfo(dtype).max
        why = (
            f"{what}, before any update, so the learning rate is not the cause: the loss of "
            f"the model's starting weights on X and y is not finite. A value past {dtype}'s "
            f"range (the model's dtype, largest {top:.3g}) overflows, and targets or outputs "
            f"near {np.sqrt(top):.2g} square past it (the mean squared error). Scale y (e.g. "
            "y / y.std(), and the predictions back) and X, or train a float64 model "
            "(model.double()); or check the loss function and the starting weights"
        )
    else:
        why = (
            f"{what}: training diverged. Try a smaller learning rate (now {lr}), "
            "standardize the features, or check X and y for extreme values"
        )
    if any(np.isnan(p.data).any() for p in params) and all(
        not np.isinf(p.data).any() for p in params
    ):  # (a finite step of a finite gradient makes no NaN: the gradient was NaN)
        why += (
            ". The weights turned NaN (none inf), the mark of a NaN gradient: a loss with no "
            "derivative where it was evaluated (the sqrt of a loss that is exactly 0, a log "
            "of 0) gives one at any learning rate (glassnet.gradcheck checks a loss)"
        )
    return why


def _in_range(y: np.ndarray, dtype: Any, owner: str, name: str) -> np.ndarray:
    """``y`` cast to the model's ``dtype``, or a ValueError where a finite target lies
    beyond its range (the cast's inf, NumPy's warning only), as the features are checked
    (:func:`glassnet._validation.check_array`)."""
    with np.errstate(over="ignore"):
        cast = y.astype(dtype, copy=False)
    bad = None if cast is y else overflowed(y, cast)
    if bad is None:  # (NaN or inf given: the check of y's values names them)
        check_exact(
            y, cast.dtype, name, owner, "Train a float64 model (dtype=gn.float64: exact up "
            f"to 2**53), or scale the targets (e.g. {name} - {name}.min(), and the "
            "predictions back).",
        )  # fmt: skip
        if owner != "evaluate_loss":  # (training data only: a score loses no training)
            collapsed(y, cast, name, owner, collapsed_targets(name))
        return cast
    raise ValueError(
        f"{owner}: {name} holds {y[bad].item()!r} at index {bad}, beyond the range of "
        f"{cast.dtype}, the model's dtype (largest {np.finfo(cast.dtype).max:.3g}). Scale "
        f"the targets (e.g. {name} / {name}.std(), and the predictions back), or train a "
        "float64 model (model.double())."
    )


def prepare_targets(
    loss: F.Loss | None,
    y: np.ndarray,
    dtype: Any,
    n_out: int | None,
    owner: str = "fit",
    name: str = "y",
    labels: bool = False,
) -> np.ndarray:
    """Targets as ``loss`` trains on them: int64 labels (N,) or rows (N, C) for
    cross-entropy, (N, K) values of ``dtype`` otherwise; checked against the model's
    ``n_out`` outputs (no silent broadcasting). ``name``: the argument, in messages.
    ``labels``: a callable loss that takes class labels (:func:`takes_labels`) gets 1-D
    integer targets as they are, for a model of several outputs."""
    if _is_ce(loss) and y.ndim == 2 and y.shape[1] == 1 and n_out != 1:
        y = y[:, 0]  # a column of class labels, as (N,)
    if labels and loss is None and y.ndim == 1 and y.dtype.kind in "iu" and n_out != 1:
        return y.astype(np.int64, copy=False)  # (nn.CrossEntropyLoss's class labels)
    if _is_ce(loss) and y.ndim == 1:
        if y.dtype.kind == "f" and not np.all(y == np.round(y)):
            raise ValueError(
                f"{owner}: cross_entropy needs integer class labels 0..C-1 or one-hot "
                f"rows. Got non-integer values in {name}."
            )
        lo, hi = (y.min().item(), y.max().item()) if y.size else (0, 0)  # (before the cast:
        # 1e20 fits none; Python's values, compared exactly: a bool, a float16 to 2**63)
        if (n_out is not None and (lo < 0 or hi >= n_out)) or not -(2**63) <= lo <= hi < 2**63:
            raise ValueError(
                f"{owner}: {name} has labels from {label_value(lo)} to {label_value(hi)}, but "
                + (
                    f"the model has {n_out} outputs (classes 0..{n_out - 1})"
                    if n_out is not None
                    else "class labels are integers 0..C-1"
                )
                + ". Encode labels as 0..C-1 (glassnet.preprocessing.LabelEncoder) or widen "
                "the output layer."
            )
        return y.astype(np.int64, copy=False)
    y = _in_range(y, dtype, owner, name)
    if y.ndim == 1:
        y = y.reshape(-1, 1)
    if _is_bce(loss) and (y.min() < 0 or y.max() > 1):
        raise ValueError(
            f"{owner}: binary cross-entropy needs targets in [0, 1] (class labels 0 and 1). "
            f"{name} holds values from {y.min():.4g} to {y.max():.4g}; encode the two classes "
            "as 0/1 (glassnet.preprocessing.LabelEncoder) or use cross_entropy for more classes."
        )
    if loss is not None and n_out is not None and y.shape[1] != n_out:
        labels_in = (  # (a classifier's labels 0..C-1 with the default loss, mse)
            y.shape[1] == 1 and not _is_bce(loss) and bool(np.all(y == np.round(y)))
            and y.min() >= 0 and y.max() < n_out
        )  # fmt: skip
        fix = (
            f"; these look like class labels 0..{n_out - 1}: train on them with "
            f"loss='cross_entropy', or pass one-hot rows ({name} of shape (n_samples, {n_out}))"
            f" to {loss.name}"
            if labels_in
            else f"; build the output layer with {y.shape[1]} neurons or pass {name} of shape "
            f"(n_samples, {n_out})"
        )
        raise ValueError(
            f"{owner}: {name} has {y.shape[1]} value(s) per sample but the model has {n_out} "
            f"outputs{fix}."
        )
    if _is_ce(loss):  # rows of class probabilities: one-hot, or soft labels
        off = float(np.abs(y.sum(axis=1) - 1).max())  # (1e-2: soft labels rounded or float16)
        if y.min() < 0 or y.max() > 1 or off > 1e-2:
            raise ValueError(
                f"{owner}: cross_entropy's rows of {name} must be class probabilities (one-hot "
                "rows, or soft labels: values in [0, 1], each row summing to 1). Got values from "
                f"{y.min():.6g} to {y.max():.6g}, a row sum {off:.3g} away from 1; normalize "
                f"soft labels ({name} / {name}.sum(axis=1, keepdims=True)), or, for several "
                "labels per sample, use binary_cross_entropy with sigmoid outputs."
            )
    return y


def metric_name(loss: F.Loss | None, y: np.ndarray, width: int, labels: bool = False) -> str:
    """The metric of a run on targets ``y`` (as :func:`prepare_targets` gives them) for
    outputs ``width`` wide: "accuracy" for the classification losses and for a callable
    loss that takes class labels (``labels``: :func:`takes_labels`; labels or one-hot rows;
    on multi-label rows, binary cross-entropy's K outputs, it is the fraction of labels
    right, the Hamming score, not scikit-learn's ``accuracy_score``, the fraction of rows
    with every label right),
    "r2" for values, one per output, and "none" for a callable loss's targets that are not
    one per output (a Gaussian NLL's mean and variance of one target): its value is NaN."""
    if _is_ce(loss) or _is_bce(loss) or labels:
        return "accuracy"
    return "r2" if y.shape[-1] == width else "none"


def metric(
    loss: F.Loss | None,
    out: np.ndarray,
    y: np.ndarray,
    w: np.ndarray | None = None,
    labels: bool = False,
) -> tuple[str, Any]:
    """``("accuracy", a)`` for the classification losses (``out``: the model's output, or
    logits for a loss with logits), ``("r2", R^2 averaged over outputs)`` otherwise (and
    ``("none", nan)`` where :func:`metric_name` finds none). With a leading axis of K
    networks (``out`` (K, n, outputs), ``y`` (K, n, ...)): K values. ``w``: sample weights
    (n,) (or (K, n), each network's own rows'): the weighted fraction correct (multi-label:
    each label of a row at the row's weight) and the weighted R^2 of scikit-learn's
    ``r2_score(sample_weight=w)``. ``labels``: a callable loss that takes class labels."""
    if metric_name(loss, y, out.shape[-1], labels) == "none":
        return "none", math.nan
    if _is_ce(loss) or labels:  # (a stack: one accuracy pass for all its networks)
        truth = y if y.ndim < out.ndim else y.argmax(axis=-1)
        hits = out.argmax(axis=-1) == truth
    elif _is_bce(loss):
        thr = 0.0 if loss.name.endswith("logits") else 0.5  # type: ignore[union-attr]
        hits = ((out > thr) == (y.reshape(out.shape) > 0.5)).reshape(*out.shape[:-2], -1)
        w = None if w is None else np.repeat(w, out.shape[-1], axis=-1)  # (a row's labels)
    elif out.ndim == 3:  # R^2 per network of a stack
        wk = [w if w is None or w.ndim == 1 else w[k] for k in range(len(out))]
        return "r2", np.array([metric(loss, o, t, v)[1] for o, t, v in zip(out, y, wk)])
    else:  # (a validation set of one row has no R^2: NaN, said once by validation_set)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UndefinedMetricWarning)
            return "r2", r2_score(y.reshape(out.shape), out, w)
    if w is not None:  # the weighted fraction correct
        wd = w.astype(np.float64)
        acc = (hits * wd).sum(axis=-1) / wd.sum(axis=-1)
        return "accuracy", acc if out.ndim == 3 else float(acc)
    return "accuracy", hits.mean(axis=-1) if out.ndim == 3 else float(hits.mean())


def _classes(y: np.ndarray, loss: F.Loss | None, labels: bool = False) -> np.ndarray | None:
    """The class of each row (labels, one-hot rows, 0/1) for the classification losses and
    a callable loss that takes class labels (``labels``: :func:`takes_labels`), None
    otherwise (and for multi-label rows)."""
    if labels and loss is None:  # (nn.CrossEntropyLoss's labels (N,), or rows (N, C))
        return (y if y.ndim == 1 else y.argmax(axis=1)).reshape(-1).astype(np.int64)
    if not (_is_ce(loss) or (_is_bce(loss) and y.shape[1] == 1)):
        return None
    labels = y if _is_bce(loss) or y.ndim == 1 else y.argmax(axis=1)
    return (labels > 0.5 if _is_bce(loss) else labels).reshape(-1).astype(np.int64)


def split_validation(
    X: np.ndarray,
    y: np.ndarray,
    w: np.ndarray | None,
    frac: float,
    loss: F.Loss | None,
    rng: np.random.Generator,
    owner: str = "fit",
    own_split: bool = False,
    labels: bool = False,
) -> tuple[Any, ...]:
    """``(X, y, w, X_val, y_val, w_val)``: a fraction ``frac`` held out, the same fraction
    of each class for the classification losses and a callable loss that takes class labels
    (``labels``) (stratified); the held-out rows keep their weights (``w_val``; None without
    ``w``). ``owner``: the function, in messages; ``own_split``: the split is early
    stopping's own (``validation_split`` not given), which messages name as such."""
    split = "early_stopping's 0.1 split" if own_split else f"validation_split={frac}"
    n = X.shape[0]
    n_val = max(1, int(round(frac * n)))
    if n - n_val < 1:
        fix = "validation_data or early_stopping=False" if own_split else "a smaller fraction"
        raise ValueError(
            f"{owner}: {split} leaves no training samples out of {n}; use {fix}, or more data."
        )
    idx = rng.permutation(n)
    classes = _classes(y, loss, labels)
    if classes is not None:
        labels = classes[idx]
        _, cls, counts = np.unique(labels, return_inverse=True, return_counts=True)
        # each sample's place within its class, as a fraction: the n_val smallest take
        # about frac of every class (ties in the shuffled order)
        order = np.argsort(cls, kind="stable")
        rank = np.empty(n)
        rank[order] = np.arange(n) - np.repeat(np.cumsum(counts) - counts, counts)
        idx = idx[np.argsort((rank + 0.5) / counts[cls], kind="stable")]
    val_idx = np.sort(idx[:n_val])
    keep = np.ones(n, bool)
    keep[val_idx] = False
    tr = np.flatnonzero(keep)
    w_tr, w_val = (None, None) if w is None else (w[tr], w[val_idx])
    if w_val is not None and not w_val.any():  # (0 / 0: no weighted score to watch)
        raise ValueError(
            f"{owner}: {split} holds out only samples whose sample_weight is 0, so "
            "the weighted validation loss and metric would weigh no sample. Use another seed, a "
            "larger validation_split, or validation_data."
        )
    if w_tr is not None and not w_tr.any():  # (every loss and gradient 0: nothing trains)
        raise ValueError(
            f"{owner}: {split} holds out every sample whose sample_weight is > 0, "
            "so there is nothing left to train on: every loss and gradient would be 0. Use "
            "another seed, a smaller validation_split, or validation_data."
        )
    return X[tr], y[tr], w_tr, X[val_idx], y[val_idx], w_val


def validation_parts(given: Any, owner: str = "fit") -> tuple[Any, Any, Any]:
    """``(X_val, y_val, w_val)`` of a ``validation_data`` given as a pair ``(X_val, y_val)``
    (``w_val`` None: unweighted) or, as Keras takes it, a triple ``(X_val, y_val, w_val)``."""
    if not (isinstance(given, (tuple, list)) and len(given) in (2, 3)):
        raise ValueError(
            f"{owner}: validation_data must be a pair (X_val, y_val) or a triple (X_val, y_val, "
            "w_val), w_val the held-out samples' weights."
        )
    return given[0], given[1], given[2] if len(given) == 3 else None


_COUNT = {"low": 0, "low_open": True, "integer": True}
RUNS: dict[str, Any] = {  # fit's and fit_many's settings: _validation.check_setting's rules
    **dict.fromkeys(("epochs", "max_steps", "batch_size", "n_iter_no_change"), _COUNT),
    "initial_epoch": {"low": 0, "integer": True},
    **dict.fromkeys(("tol", "l2"), {"low": 0}),
    "tol_weights": {"low": 0, "low_open": True},
    "validation_split": {"low": 0, "high": 1, "high_open": True},
    "engine": ("auto", "fused", "graph", "jit"),
    "verbose": {"low": 0, "high": 2, "integer": True},
    **dict.fromkeys(("shuffle", "early_stopping"), bool),  # ("no" is no False)
}
_OFF_AS_NONE = ("max_steps", "batch_size", "tol", "tol_weights", "l2")  # None turns these off


def check_run(owner: str, rows: int | None, **settings: Any) -> tuple[Any, ...]:
    """fit's (and fit_many's) ``settings``, each by its rule in :data:`RUNS` (None turns
    max_steps, batch_size, tol, tol_weights and l2 off), and a batch_size within the
    ``rows`` of the data (None: not known yet, a stream's). Returns the counts among them
    (the settings of ints, in the order given; None as None) as Python ints: a NumPy
    integer (``np.argmin(history.val_loss)``, a checkpoint's) counts as the int it holds."""
    counts = []
    for name, value in settings.items():
        if value is not None or name not in _OFF_AS_NONE:
            value = check_setting(value, name, owner, RUNS[name])
        if isinstance(RUNS[name], dict) and RUNS[name].get("integer"):
            counts.append(value)
    bs = settings.get("batch_size")
    if bs is not None and rows is not None and bs > rows:
        raise ValueError(
            f"The 'batch_size' parameter of {owner} ({bs}) is larger than the number "
            f"of training samples ({rows}); use batch_size=None for full-batch "
            "gradient descent or a smaller batch."
        )
    return tuple(counts)


def check_weights_set(
    model: Module, owner: str, unhooked: bool = False, training: Any = False
) -> None:
    """Refuse a model with a Linear whose weight W was set to None (PyTorch lets it be, and a
    call then refuses it), naming the layer: ``fit``, ``fit_many``, ``summary``, ``save`` and
    the fast path read the weights without calling the layer. ``unhooked`` (the fast path's,
    ``layers_of``'s, with its ``training``, any value read as a bool): then the hooks it
    runs none of, refused in the same walk of the modules
    (:func:`glassnet._validation.check_unhooked`)."""
    mods = list(model.modules())
    unset = any(isinstance(m, Linear) and m.W is None for m in mods)
    for name, m in model.named_modules() if unset else ():  # (the names: the refusal's only)
        if isinstance(m, Linear) and m.W is None:
            raise ValueError(
                f"{owner}: the Linear layer {name or 'model'!r} has its weight W set to None; "
                "give it a Parameter first: layer.W = nn.Parameter(values of shape "
                f"({m.inputs}, {m.neurons}))."
            )
    if unhooked:
        check_unhooked(model, owner, bool(training), mods)


def check_trainable(model: Any, diagnostics: Any = False) -> None:
    """fit's refusals of a model that is no glassnet Module or has nothing to train (none,
    or every parameter frozen), and of the old ``diagnostics=True``."""
    if not isinstance(model, Module):
        raise TypeError(not_a_network(model, "fit", "fit(est.model_, X, y)"))
    check_weights_set(model, "fit")
    if not any(p.requires_grad for p in model.parameters()):
        raise ValueError(
            "fit: the model has no parameter to train (none, or every one frozen): its epochs "
            "would change nothing. Unfreeze some, p.requires_grad_(True), or add a layer."
        )
    if isinstance(diagnostics, np.ndarray) or diagnostics:  # (an array: no truth value)
        given = "True" if diagnostics is True else f"{diagnostics!r:.40}"
        raise TypeError(
            f"fit(diagnostics={given}) moved to a callback: import glassnet.diagnostics, "
            "then pass callbacks=[glassnet.diagnostics.Diagnostics()] (the records land in "
            "history.diagnostics as before)."
        )


def epoch_rng(seed: Any, epoch: int, owner: str = "fit", call: bool = True) -> np.random.Generator:
    """fit's ``seed`` as a stream (:func:`as_rng`); a seed function's for ``epoch`` (0: the
    validation split's; ``call=False``: not called, glassnet's default generator), a value it
    cannot read refused as the function's return (the message said 'The seed argument must
    be ...', naming what the caller never passed)."""
    if not callable(seed) or not call:
        return as_rng(None if callable(seed) else seed)
    value = seed(epoch)
    try:
        return as_rng(value)
    except ParameterError:
        raise ParameterError(
            f"{owner}: seed({epoch}) returned {shown(value)} of type {type(value).__name__}; a "
            "seed function must return None, an int >= 0 or a numpy.random.Generator for each "
            "epoch (seed=lambda epoch: 1000 + epoch)."
        ) from None


def check_stops(
    initial_epoch: int, epochs: int, stop_rules: Any, tol: Any, early_stopping: Any
) -> None:
    """fit's refusals of a run that would train nothing (``initial_epoch`` past ``epochs``)
    and of ``stop_rules`` beside the rule fit builds from ``tol``/``early_stopping``."""
    if initial_epoch > epochs:
        raise ValueError(
            f"fit: initial_epoch={initial_epoch} is past epochs={epochs}, the run's total: "
            f"nothing would train. For {epochs} more, epochs={initial_epoch + epochs}."
        )
    if stop_rules is not None and (tol is not None or early_stopping):
        raise ValueError(
            "fit: stop_rules replace the rule fit builds from tol and early_stopping, so "
            f"{'early_stopping=True' if early_stopping else f'tol={tol}'} would be ignored. Put "
            "a Tolerance(tol, n_iter_no_change) or EarlyStopping(...) in stop_rules, or drop one."
        )


def check_patience(n_iter_no_change: Any, owner: str, **rules: Any) -> None:
    """Refuse ``n_iter_no_change`` given (not None) when none of the stopping ``rules`` that
    count it is on (``tol=None``, ``early_stopping=False``): it would change nothing. (A
    count that is no count is refused first, by :data:`RUNS`' rule.)"""
    if n_iter_no_change is not None:
        check_setting(n_iter_no_change, "n_iter_no_change", owner, RUNS["n_iter_no_change"])
    if n_iter_no_change is not None and all(v is None or v is False for v in rules.values()):
        *most, last = rules
        raise ValueError(
            f"{owner}: n_iter_no_change={n_iter_no_change} counts epochs for "
            f"{', '.join(most)} or {last}, and none is set: it would change nothing. Set one "
            "(tol=1e-4), or leave n_iter_no_change out."
        )


def validation_set(
    model: Module, spec: F.Loss | None, X: Any, y: Any, w: Any, given: Any, frac: float,
    early_stopping: bool, rng: np.random.Generator, owner: str = "fit", labels: bool = False,
    loss: Any = None,
) -> tuple[Any, ...]:  # fmt: skip
    """``(X, y, w, X_val, y_val, w_val)`` for a run: ``given`` (``(X_val, y_val)`` or
    ``(X_val, y_val, w_val)``, checked as the training data and its sample_weight are), or
    a fraction ``frac`` of (X, y, w) held out with their weights (0.1 when only
    ``early_stopping`` asks for one; :func:`split_validation`), or no validation (None).
    ``w_val`` weighs the validation loss and metric as ``w`` weighs the training loss.
    ``labels`` (:func:`takes_labels`) and ``loss``, a callable loss of PyTorch's scored as a
    classification (:func:`metric_loss`), make the split stratified as a named
    classification loss makes it."""
    strata = spec if spec is not None else metric_loss(loss)  # (the classes, for the split)
    if given is not None:
        given = validation_parts(given, owner)
        if frac > 0 and owner != "search":  # (search's default split gives way, documented)
            raise ValueError(
                f"{owner}: validation_data and validation_split={frac} were both given; the split "
                "would be ignored (every training row kept). Pass one of them."
            )
        return _one_row(
            strata,
            (X, y, w, *check_data(model, spec, *given, owner, VALIDATION_NAMES, labels=labels)),
            owner,
            labels,
        )
    if frac > 0 or early_stopping:
        parts = split_validation(
            X, y, w, frac if frac > 0 else 0.1, strata, rng, owner, frac == 0, labels
        )
        classes, kept = _classes(y, strata, labels), _classes(parts[1], strata, labels)
        lost = [] if classes is None else np.setdiff1d(classes, kept).tolist()
        split = f"validation_split={frac}" if frac > 0 else "early_stopping's 0.1 split"
        fix = "a smaller validation_split" if frac > 0 else "early_stopping=False"
        if lost:  # (a class of one sample, or few: all of it held out)
            raise ValueError(
                f"{owner}: {split} leaves class {lost[0]} with no training "
                f"sample (y has {int((classes == lost[0]).sum())}, all held out): the network "
                f"would never see it. Use {fix}, more samples of that class, or "
                "validation_data."
            )
        return _one_row(strata, parts, owner, labels)
    return X, y, w, None, None, None


def _one_row(
    spec: F.Loss | None, parts: tuple[Any, ...], owner: str, labels: bool = False
) -> tuple[Any, ...]:
    """``parts``, after a warning when they hold a regression's validation set of one row:
    R^2 needs two, so every epoch's ``val_metric`` is NaN (said once here, not each epoch).
    A classification's accuracy (``labels``: a callable loss that takes class labels) has
    no such warning: one row has an accuracy."""
    if not (_is_ce(spec) or _is_bce(spec) or labels) and len(parts[4]) < 2:
        warnings.warn(
            f"{owner}: the validation set has 1 row, where R^2 is undefined: val_metric is NaN "
            "at every epoch (val_loss is computed). Hold out 2 rows or more (validation_split "
            "or validation_data) for an R^2.",
            UndefinedMetricWarning,
            stacklevel=4,  # (here, validation_set, fit / fit_many / search, their caller)
        )
    return parts


def n_outputs(model: Module) -> int | None:
    """The output width when the structure shows it (a Linear, or a Sequential whose last
    Linear is followed only by activations and dropout); None for other modules."""
    if isinstance(model, Linear):
        return model.neurons
    if isinstance(model, Sequential):
        for m in reversed(model.layers):
            if isinstance(m, (Linear, Sequential)):
                return n_outputs(m)
            if not isinstance(m, (ActivationModule, Dropout)):
                return None
    return None


# ------------------------------------------- the loss and the data of a training run
def takes_labels(loss: Any) -> bool:
    """Whether a callable loss takes class labels (N,) for outputs (N, C): PyTorch's
    ``nn.CrossEntropyLoss`` and ``nn.NLLLoss``, and their functions."""
    from .nn import functional as nnf  # (PyTorch's spelling, beside the engine)
    from .nn.losses import CrossEntropyLoss, NLLLoss

    return isinstance(loss, CrossEntropyLoss | NLLLoss) or loss in (nnf.cross_entropy, nnf.nll_loss)


def metric_loss(loss: Any) -> F.Loss | None:
    """The table's loss whose metric a loss of PyTorch's takes (binary accuracy for
    ``nn.BCEWithLogitsLoss``/``nn.BCELoss`` and their functions, thresholded at logit 0 or
    probability 0.5), None for the others (:func:`takes_labels` covers the label losses)."""
    from .nn import functional as nnf  # (PyTorch's spelling, beside the engine)
    from .nn.losses import BCELoss, BCEWithLogitsLoss

    if isinstance(loss, BCEWithLogitsLoss) or loss is nnf.binary_cross_entropy_with_logits:
        return F.get_loss("binary_cross_entropy_with_logits")
    if isinstance(loss, BCELoss) or loss is nnf.binary_cross_entropy:
        return F.get_loss("binary_cross_entropy")
    return None


def loss_spec(loss: Any, owner: str = "fit") -> F.Loss | None:
    """The named loss from glassnet.functional's table; None for a callable."""
    if isinstance(loss, F.Loss):
        return loss
    if isinstance(loss, type):  # (PyTorch's habit without the (): it would read y as an option)
        name = loss.__name__
        raise ParameterError(
            f"The 'loss' parameter of {owner} must be a callable f(output, y) (a loss object) "
            f"or a loss name. Got the class {name}: pass {name}() (an instance), or a name, "
            "e.g. loss='cross_entropy'."
        )
    if callable(loss):
        return None
    if isinstance(loss, str):
        with contextlib.suppress(ValueError):
            return F.get_loss(loss)
    names = sorted(set(F.LOSSES) | set(F.LOSS_ALIASES))
    raise ParameterError(
        f"The 'loss' parameter of {owner} must be a callable f(output, y) or one of {names}. "
        f"Got {loss!r}."
    )


def _scalar(value: Any) -> Tensor:
    """A callable loss's value, if it is a scalar Tensor (backward and the books need one)."""
    if isinstance(value, Tensor) and value.data.ndim == 0:
        return value
    tensor = isinstance(value, Tensor)
    got = f"a Tensor of shape {value.shape}" if tensor else f"{type(value).__name__} {value!r:.60}"
    raise ParameterError(
        "The 'loss' callable must return a scalar glassnet Tensor, e.g. ((output - y) ** 2)"
        f".mean() (a loss averaged over the batch). It returned {got}."
    )


def under(errs: dict[str, str] | None, loss: Any) -> Any:
    """``loss``, a loss function of the caller's, run under NumPy's error state ``errs``
    (``np.geterr()``'s, taken as fit starts): fit's own steps run with NumPy's overflow
    warnings off (a non-finite loss is its DivergenceError), the caller's code as the caller
    set it, so that a ``np.log(0)`` of theirs warns (or raises) as it would outside fit.
    None, a loss that is no function (a name) or glassnet's own (``nn.MSELoss()``,
    ``F.mse_loss``: fit's, silent on the way to a divergence) leaves it as it is."""
    own = getattr(loss, "__module__", None) or type(loss).__module__
    if errs is None or not callable(loss) or own.startswith("glassnet."):
        return loss

    def users(*args: Any) -> Any:
        with np.errstate(**errs):
            return loss(*args)

    return users


def call_hooks(hooks: Sequence[Any], name: str, state: Any, errs: dict[str, str]) -> None:
    """Each of ``hooks``' method ``name`` on ``state`` (fit's callbacks and stopping rules:
    ``on_train_begin``, ``on_step_end``), under NumPy's error state ``errs``, the caller's
    (:func:`under`)."""
    with np.errstate(**errs):
        for hook in hooks:
            getattr(hook, name)(state)


WATCHES = "glassnet_watches"  # (a wrapper function's own attribute: the forward it watches,
# set on the instance for one run by summary's tracing; no forward of yours)


def forward_set(m: Module) -> Any:
    """The forward set on the instance ``m`` by its user, or None: glassnet's own watching
    wrappers (marked with :data:`WATCHES`) are looked through to the forward they wrap, and
    the class's own forward bound to ``m`` is none of the user's."""
    f = vars(m).get("forward")
    for _ in range(64):  # (glassnet's wrappers only: a function whose own attribute names the
        # forward it wraps; a mock claims every attribute, and is a forward of the user's)
        if not inspect.isfunction(f) or WATCHES not in vars(f):
            break
        f = vars(f)[WATCHES]
    mine = getattr(f, "__self__", None) is m and getattr(f, "__func__", None) is type(m).forward
    return None if mine else f


_BASES: dict[type, tuple[tuple[type, ...], type]] = {}  # class: (its __mro__, its base)


def glassnet_base(m: Module) -> type:
    """The nearest class of glassnet's that ``m``'s class derives from (kept per class while
    its ``__mro__`` is the same tuple: fit reads it for every layer twice a call, and the
    walk up the classes cost more than the rest of :func:`builtin_forward`)."""
    cls = type(m)
    kept = _BASES.get(cls)
    if kept is not None and kept[0] is cls.__mro__:  # (__bases__ reassigned: a new tuple)
        return kept[1]
    base = next(c for c in cls.__mro__ if f"{c.__module__}.".startswith("glassnet."))
    if len(_BASES) >= 1024:  # (classes made in a loop: at most 1024 held)
        _BASES.clear()
    _BASES[cls] = (cls.__mro__, base)
    return base


def builtin_forward(m: Module) -> bool:
    """Whether module ``m`` computes what glassnet's own class of it computes, so that it
    may be read by its class rather than run: its class's ``forward`` and ``__call__`` are
    those of the nearest glassnet class it derives from (a subclass of yours that only adds
    attributes, a ``__repr__`` or a constructor keeps them), no ``forward`` of the user's is
    set on the instance (:func:`forward_set`: glassnet's own wrappers, summary's, are looked
    through), and an activation's table name is the one its forward computes. The one check
    of a layer "of your own": the fast path (:func:`glassnet.fused.layers_of`), the graph's
    loss head (:func:`loss_parts`), :func:`glassnet.chain.as_chain` and summary read a
    module by it."""
    cls, base = type(m), glassnet_base(m)
    if cls.forward is not base.forward or cls.__call__ is not base.__call__ or forward_set(m):
        return False  # (a forward of your own: the graph runs it; nothing else may read it)
    return (  # (ActivationModule's forward computes its name's entry; LeakyReLU's its own)
        not isinstance(m, ActivationModule)
        or cls.forward is ActivationModule.forward
        or m.name == base.name
    )


def kind_of(m: Module) -> str:
    """What ``m``, a module :func:`builtin_forward` does not pass, is, in words: "a Tanh
    given a forward on the instance", "a ScaledTanh, a subclass of nn.Tanh, with a forward
    of its own", "a MySm, a subclass of nn.ActivationModule, with ...", ..."""
    cls, base = type(m), glassnet_base(m)
    what = f"{'an' if cls.__name__[0] in 'AEIOU' else 'a'} {cls.__name__}"
    what += "" if cls is base else f", a subclass of nn.{base.__name__},"
    if forward_set(m) is not None:
        return what + " given a forward on the instance"
    if cls.forward is not base.forward:
        return what + " with a forward of its own"
    if cls.__call__ is not base.__call__:
        return what + " with a __call__ of its own"
    return what + f" named {m.name!r}, whose forward computes {base.name}"


def own_layer(model: Module) -> Module | None:
    """The first of ``model``'s modules (itself first) that the fast path reads by its class
    (a Linear, an activation, Dropout, a Sequential) and that has a forward of the user's
    (:func:`builtin_forward` fails), or None."""
    read = (Linear, ActivationModule, Dropout, Sequential)
    return next(
        (m for m in model.modules() if isinstance(m, read) and not builtin_forward(m)), None
    )


def own_forward(m: Module, owner: str, whole: bool, training: bool) -> str:
    """The refusal of a module ``m`` that :func:`builtin_forward` does not pass, by a reader
    of glassnet's layers by their class (``owner``: fit's fast path, fit_many, a plot);
    ``whole``: ``m`` is the model itself."""
    todo = (
        "train it with glassnet.fit (engine='graph' or 'auto'), whose autodiff graph runs it"
        if training
        else f"build the model of glassnet's own layers for {owner}"
    )
    return (
        f"{owner} reads glassnet's layers by their class, without calling a forward, so it "
        f"cannot run {kind_of(m)}, which the model {'is' if whole else 'holds'}; {todo}."
    )


def loss_parts(model: Module, spec: F.Loss | None, loss: Any) -> tuple[Any, Any, Any]:
    """``(forward, loss_fn, head)`` for the graph engine: ``loss_fn(forward(x), y, w)`` is
    the scalar loss. A model ending in the loss's head (softmax for cross-entropy, sigmoid
    for binary cross-entropy) is scored on its logits with the loss's ``on_logits`` form,
    and ``head`` turns logits into the model's output; otherwise ``head`` is None."""
    if spec is None:
        return model, lambda out, y, w: _scalar(loss(out, y)), None
    last = model.layers[-1] if isinstance(model, Sequential) and model.layers else None
    own = isinstance(last, ActivationModule) and builtin_forward(last)  # (a head of yours:
    if spec.head and own and last.name == spec.head:  # the loss is on its real output)
        if F.replaced_entry(spec.head):  # (the head's entry replaced: its own output too)
            fn = on_output(spec)
            return model, lambda out, y, w: fn(out, y, sample_weight=w), None
        fn = F.LOSSES[spec.on_logits]
        return model[:-1], lambda z, y, w: fn(z, y, sample_weight=w), last  # type: ignore[index]
    if spec.head and own and spec.on_logits == spec.name and vector_head(last.name, spec):
        scored = _probabilities(spec)  # (an added vector entry: its probabilities)
        return model, lambda out, y, w: scored(out, y, w, last.name), None
    if spec.head and spec.on_logits == spec.name:  # (cross-entropy: a custom forward's softmax
        # head, over the classes, is scored on its logits, as a Sequential's is; a head of
        # yours whose output is no softmax is refused: it gives probabilities, not logits.
        # The output of a vector entry of the table other than the built-in softmax (added,
        # or softmax's replaced) is scored as the probabilities it is, as a Sequential's is)
        yours = None if own or getattr(last, "name", "") != spec.head else kind_of(last)
        heads = [] if last is not None else _heads_of_yours(model, spec.head)
        forward, ends = (model, None) if not heads else _watched(model, heads)
        scored = _probabilities(spec)

        def fn(out: Tensor, y: Any, w: Any) -> Tensor:
            if _vector_output(out, spec):
                return scored(out, y, w, out.op)
            mine = yours if ends is None or ends[0] is None else kind_of(ends[0])
            return spec(_logits(out, spec.head, mine), y, sample_weight=w)

        return forward, fn, None
    return model, lambda out, y, w: spec(out, y, sample_weight=w), None


def _heads_of_yours(model: Module, head: str) -> list[Module]:
    """The modules within ``model`` (a model of the user's, no Sequential) that may be its
    softmax head of the user's: activations named ``head`` failing :func:`builtin_forward`."""
    return [
        m
        for m in model.modules()
        if m is not model
        and isinstance(m, ActivationModule)
        and getattr(m, "name", "") == head
        and not builtin_forward(m)
    ]


def _watched(model: Module, heads: list[Module]) -> tuple[Any, list[Any]]:
    """``(forward, ends)``: ``forward(x)`` is ``model(x)``, and ``ends[0]`` the one of
    ``heads`` whose output (its ``__call__``'s, seen through :data:`glassnet.nn._gate.WATCH`
    for that call in this context alone) the model's output is, else None. Nothing is set on
    the layers: another thread, a copy or a pickle of the model meanwhile sees them as they
    are. A head called by its ``forward`` directly, or by a ``__call__`` of its own, is not
    seen (then ends[0] is None: its output is scored as it is)."""
    ends: list[Any] = [None]
    ids = {id(m) for m in heads}

    def forward(x: Any) -> Any:
        made: dict[int, tuple[Any, Module]] = {}

        def seen(m: Module, out: Any) -> Any:
            if id(m) in ids:
                made[id(out)] = (out, m)
            return out

        mine = WATCH.set(seen)
        try:
            out = model(x)
        finally:
            WATCH.reset(mine)
        got = made.get(id(out))
        ends[0] = got[1] if got is not None and got[0] is out else None
        return out

    return forward, ends


def _vector_output(out: Any, spec: F.Loss) -> bool:
    """Whether ``out`` is the output of a vector entry of the table (its op is the entry's
    key, :func:`glassnet.functional.activation`) that ``spec`` cannot read logits from: an
    added one, or the loss's head whose entry was replaced, whose rows are probabilities
    (:func:`glassnet.functional.squashed`). Other rows (z - mean z, a log softmax) are
    logits: the loss takes them as they are, as PyTorch's cross_entropy does."""
    op = getattr(out, "op", "")
    vector = vector_head(op, spec) or (op == spec.head and F.replaced_entry(op))
    return vector and F.squashed(out, op)


def _probabilities(spec: F.Loss) -> Any:
    """``scored(out, y, w, head)``: the loss ``spec`` of ``out``, the probabilities of the
    vector activation ``head`` (:func:`on_output`), refused where they hold a value below
    0 by more than rounding: C eps of out's dtype for C classes (a head computing one class
    as 1 - the sum of the others gives -2.2e-16 for 0 in float64)."""
    fn = on_output(spec)

    def scored(out: Tensor, y: Any, w: Any, head: str) -> Tensor:
        data = out.data
        tol = np.finfo(data.dtype).eps * max(data.shape[-1] if data.ndim else 1, 1)
        if data.size and np.min(data) < -tol:  # (no probabilities: a log of them has no value)
            raise ValueError(
                f"{spec.name}: the model ends in {head!r}, a vector activation of "
                "glassnet.functional.ACTIVATIONS, whose outputs it scores as probabilities "
                f"(-sum_k y_k log p_k), but they hold {np.min(data):.4g} < 0 (beyond rounding, "
                f"{tol:.3g}: C eps of {data.dtype} for C = {data.shape[-1]} classes). End the "
                "model in an activation whose outputs are probabilities (softmax), or in "
                "none (output_activation='identity') to score raw scores as logits."
            )
        return fn(out, y, sample_weight=w)

    return scored


def vector_head(name: str, spec: F.Loss) -> bool:
    """Whether the activation ``name`` ending a model is a vector entry of
    :data:`glassnet.functional.ACTIVATIONS` (``elementwise=False``) under another key than
    the loss ``spec``'s head (a temperature softmax added to the table, or softmax's entry
    copied under a new key): its output, probabilities, is scored as it is
    (:func:`on_output`), not taken for logits that the loss would squash again."""
    entry = F.ACTIVATIONS.get(name)
    return name != spec.head and entry is not None and not entry.elementwise


def on_output(spec: F.Loss) -> F.Loss:
    """The loss ``spec`` (one with a ``head``) on the head's output, for a head whose table
    entry was replaced (:func:`glassnet.functional.replaced_entry`), which is then not fused
    with the loss on the logits: binary cross-entropy is that already; cross-entropy becomes
    ``-sum_i y_i log p_i`` of the probabilities p, of labels (N,) or target rows (N, C):
    the exact log and gradient -y / p for every p from the dtype's smallest normal number
    up, as PyTorch's nll_loss(log p); a p below it (0, a rounding to -2e-16) is read as it,
    a finite loss (87.3 in float32) where PyTorch gives inf. Its kernel (the fast path's,
    for a replaced softmax head) computes the same. (sklearn's log_loss, and the table's
    on_probabilities, clip at eps instead: 15.9 in float32 for any p below 1.2e-7.)"""
    if spec.on_logits != spec.name:
        return spec

    def rows(Y: Any, C: int, dtype: Any) -> Any:
        return F.one_hot(Y, C, dtype=dtype) if np.ndim(Y) == 1 else Y

    def kernel(P: Any, Y: Any, G: Any, keep: Any = None, value: bool = True) -> Any:
        Y, p = rows(Y, P.shape[1], P.dtype), np.maximum(P, np.finfo(P.dtype).tiny)  # (as fn)
        np.divide(-Y, p, out=G)
        return -np.add.reduce(Y * np.log(p), axis=1) if value else None

    def fn(p: Tensor, y: Any, reduction: str = "mean", sample_weight: Any = None) -> Tensor:
        y = y.data if isinstance(y, Tensor) else y  # p's exact log for every normal p > 0
        q = np.maximum(p.data, np.finfo(p.data.dtype).tiny)  # (a 0, or -2e-16, reads the
        log = Tensor.from_op(np.log(q), "log", (p,), lambda g: (g / q,))  # smallest normal)
        per = -(log * rows(np.asarray(y), p.shape[1], p.dtype)).sum(axis=1)
        per = per if sample_weight is None else per * np.asarray(sample_weight).reshape(-1)
        return {"mean": per.mean, "sum": per.sum}.get(reduction, lambda: per)()

    return dataclasses.replace(spec, kernel=kernel, fn=fn, head="", on_logits="")


def _logits(out: Tensor, head: str, yours: str | None = None) -> Tensor:
    """Logits of ``out``, a custom forward's output: the head's input where ``out`` is the
    head's (softmax over the classes) output, log(out) where no_grad() kept no input
    (softmax(log p) = p: the same loss), else ``out`` as it is (refused where the model
    ends in ``yours``, a head module of the user's, in words (:func:`kind_of`): its output
    is probabilities)."""
    if out.op != head or not F.squashed(out, head):  # (a view of it: check_logits refuses)
        if yours:
            raise ValueError(
                f"loss='cross_entropy' takes logits (it applies softmax itself), but the "
                f"model ends in {yours}, whose output is not softmax(logits) (its last op is "
                f"{out.op or 'none'!r}), so no logits can be read from it: end that forward "
                "with F.softmax(z) (a temperature: F.softmax(z / T)), or pass a loss function "
                "of your own on its probabilities (loss=lambda p, y: ...)."
            )
        return out
    return out.parents[0] if out.parents else out.log()


def model_dtype(model: Module) -> np.dtype:
    """The dtype of ``model``'s first parameter (its weights' float type), float32 for a model
    without parameters."""
    ps = model.parameters()
    return ps[0].dtype if ps else np.dtype(np.float32)


def _text_in(y: Any) -> Any:
    """The first text value of ``y`` (an array, list or pandas object) that is not a number
    written as text, or None (numbers written as text alone: check_array names them)."""
    y = arrow_read(y)  # (a pyarrow Array's to_numpy() copies no text)
    try:
        arr = np.asarray(y.to_numpy() if hasattr(y, "to_numpy") else y)
    except (ValueError, TypeError):
        return None  # (check_array says what is wrong with it)
    if arr.dtype.kind not in "USO":
        return None
    for text in (v for v in arr.flat if isinstance(v, (str, bytes))):
        try:
            float(text)
        except ValueError:
            return str(text) if isinstance(text, str) else text  # (np.str_('a') as 'a')
    return None


_FIX_HEAD = {  # (a loss on logits, the model's last activation): what to do instead
    ("cross_entropy", "sigmoid"): "End the model in softmax (output_activation='softmax') for "
    "one class per sample, or use loss='binary_cross_entropy' for several labels per sample",
    ("binary_cross_entropy_with_logits", "sigmoid"): "Use loss='binary_cross_entropy' (computed "
    "from the sigmoid's logits), or drop the model's final sigmoid",
    ("binary_cross_entropy_with_logits", "softmax"): "Use loss='cross_entropy' for one class "
    "per sample, or drop the model's final softmax",
}


_UNBOUNDED = ("identity", "relu", "leaky_relu", "tanh")  # (outputs that leave [0, 1])


def _gives_probabilities(act: str) -> bool:
    """Whether the vector entry ``act`` of the table turns a probe of logits into rows of
    probabilities (:func:`glassnet.functional.squashed`); False where it cannot take them
    (then a loss on logits refuses its probabilities batch by batch, by their values)."""
    probe = Tensor(np.array([[-1.0, 0.0, 2.0], [3.0, -2.0, 0.5]]))
    try:
        return F.squashed(F.activation(probe, act), act)
    except Exception:  # noqa: BLE001 (an entry of the user's: any error of its fn)
        return False


def _check_head(model: Module, spec: F.Loss | None, owner: str) -> None:
    """Refuse a model ending in sigmoid or softmax trained on a loss that takes raw scores
    (logits) and is not that head's own: its probabilities would be squashed again, in
    silence (a sigmoid of probabilities lies in (0.5, 0.73): the loss stalls, and the
    accuracy, thresholded at logit 0, is the share of positives)."""
    last = model.layers[-1] if isinstance(model, Sequential) and model.layers else None
    act = last.name if isinstance(last, ActivationModule) else ""
    # a vector entry of the table (added: a temperature softmax) that gives probabilities
    # as softmax does is refused where softmax is (one of z - mean z is logits)
    vec = act != "softmax" and not getattr(F.ACTIVATIONS.get(act), "elementwise", True)
    probs = vec and _gives_probabilities(act)
    fix = _FIX_HEAD.get((spec.name if spec is not None else "", "softmax" if probs else act))
    if fix:
        raise ValueError(
            f"{owner}: the model ends in {act}, so its outputs are probabilities, and "
            f"{spec.name} takes raw scores (logits): they would be squashed again. "  # type: ignore[union-attr]
            f"{fix.replace('final softmax', f'final {act}')}."
        )
    if spec is not None and spec.name == "binary_cross_entropy" and (act == "softmax" or vec):
        kind = "a vector activation: each depends on its whole row" if vec else "they sum to 1"
        raise ValueError(
            f"{owner}: the model ends in {act}, whose outputs compete ({kind}), and "
            "binary_cross_entropy scores each output as a yes/no of its own (and its accuracy "
            "each label apart: all outputs below 0.5 score (C - 1) / C). Use "
            "loss='cross_entropy' for one class per sample, or end the model in sigmoid "
            "(output_activation='sigmoid') for several labels per sample."
        )
    lin = next((m for m in reversed(model.layers) if type(m) is Linear), None) if act else None
    if act == "softmax" and lin is not None and lin.neurons == 1:  # (a Neuron, too)
        raise ValueError(
            f"{owner}: the model ends in softmax over one output, which is always 1 (its "
            "gradient is 0: it would never learn). End it in sigmoid "
            "(output_activation='sigmoid') for one yes/no output, or give the output layer "
            "one neuron per class for softmax."
        )
    # the reverse: probabilities taken from a layer whose outputs leave [0, 1] (the op
    # refused the first batch to do so, in the middle of a run, with no History back)
    last = model if type(model) is Linear else last  # (a lone layer: its outputs are raw)
    raw = act in _UNBOUNDED or type(last) is Linear
    if spec is not None and spec.name == "binary_cross_entropy" and raw:
        ends = f"{act} (no sigmoid)" if act else "a Linear layer (no sigmoid)"
        raise ValueError(
            f"{owner}: the model ends in {ends}, so its outputs are raw scores, not "
            "probabilities, and binary_cross_entropy takes probabilities in [0, 1]: it would "
            "fail at the first output outside them. End the model in sigmoid "
            "(output_activation='sigmoid'), or use loss='binary_cross_entropy_with_logits' on "
            "its raw scores."
        )


def _check_range(model: Module, spec: F.Loss | None, y: np.ndarray, owner: str, name: str) -> None:
    """Refuse regression targets outside [0, 1] for a model ending in sigmoid or softmax:
    its outputs lie in [0, 1], so no weights could reach them (the loss stalls, in silence)."""
    last = model.layers[-1] if isinstance(model, Sequential) and model.layers else None
    act = last.name if isinstance(last, ActivationModule) else ""
    if spec is None or "entropy" in spec.name or act not in ("sigmoid", "softmax") or not y.size:
        return
    if y.min() < 0 or y.max() > 1:
        raise ValueError(
            f"{owner}: the model ends in {act}, whose outputs lie in [0, 1], but {name} holds "
            f"values from {y.min():.4g} to {y.max():.4g}, which it can never reach. For "
            "regression end the model in a Linear layer (output_activation='identity'), or "
            f"scale {name} into [0, 1] first."
        )


VALIDATION_NAMES = ("validation_data[0]", "validation_data[1]", "validation_data[2]")
"""How :func:`check_data` names a ``validation_data`` triple's parts in its messages."""


def check_data(
    model: Module,
    spec: F.Loss | None,
    X: Any,
    y: Any,
    w: Any,
    owner: str,
    names: Sequence[str] = "Xy",
    whole: bool = True,
    labels: bool = False,
    loss: Any = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """(X, y, sample_weight) checked at the boundary and shaped as ``spec`` trains on them:
    X (N, features of the first layer) in the model's dtype, y by prepare_targets.
    ``whole``: the rows are all the training data (not a stream's chunk), so that weights
    all 0 are refused (nothing to train on; a chunk of them is fine). ``names``: the
    arguments, in messages (X, y and, when a third is given, the weights: validation data's
    weights, :data:`VALIDATION_NAMES`, all 0 are refused as nothing to score). ``loss``: the
    loss object of PyTorch's given for ``spec`` None (``nn.BCELoss()``), checked as its
    named loss against the model's head."""
    _check_head(model, spec if spec is not None else metric_loss(loss), owner)
    dtype = model_dtype(model)
    if owner in ("fit", "fit_many", "search") and names[0] in ("X", VALIDATION_NAMES[0]):
        record_names(model, X, owner, names[0])  # (a DataFrame's columns, as scikit-learn's)
    else:  # (evaluate_loss, Objective: a DataFrame of other columns is refused as predict's)
        check_names(model, X, owner, names[0])
    collapse = None if owner == "evaluate_loss" else COLLAPSED_FEATURES  # (as the targets')
    columns = frame_names(X)  # (a DataFrame's, for the width message)
    X = check_array(names[0], X, owner, ndim=(2,), dtype=dtype, collapse=collapse)
    text = _text_in(y) if spec is not None and "entropy" in spec.name else None
    if text is not None:  # (class labels as text: not numbers written as text)
        raise ValueError(
            f"{owner}: {names[1]} holds text labels (e.g. {text!r:.40}), and {spec.name} trains "
            "on class indices 0..C-1: encode them with glassnet.preprocessing.LabelEncoder "
            "(its classes_ maps them back), or use glassnet.sklearn's MLPClassifier (from "
            "glassnet.sklearn import MLPClassifier), which takes labels as they are."
        )
    y = check_array(names[1], y, owner, ndim=(1, 2))
    if y.shape[0] != X.shape[0]:
        raise ValueError(
            f"{owner}: {names[0]} has {X.shape[0]} samples but {names[1]} has {y.shape[0]}; "
            "they must match."
        )
    n_in = next((m.inputs for m in model.modules() if isinstance(m, Linear)), None)
    if n_in is not None and X.shape[1] != n_in:
        fix = (  # (validation data: the model, built for the training data, is not at fault)
            f"give it the {n_in} columns of the training data"
            if names[0] == VALIDATION_NAMES[0]
            else f"check its columns or build the model with inputs={X.shape[1]}"
        )
        raise features_error(owner, names[0], X.shape[1], n_in, fix, columns)
    y = prepare_targets(spec, y, dtype, n_outputs(model), owner, names[1], labels)
    _check_range(model, spec, y, owner, names[1])
    if w is not None:
        wname = names[2] if len(names) > 2 else "sample_weight"
        if spec is None:
            raise ValueError(
                f"{owner}: {wname} works with the named losses; a callable loss "
                "f(output, y) would ignore it. Weight the samples inside the callable, or use "
                "a named loss."
            )
        fix = (  # (the features' advice, StandardScaler, does nothing for the weights)
            f"Divide {wname} by its largest value ({wname} / {wname}.max()): its ratios "
            "weigh the samples against each other (the loss scales with them: with SGD, "
            "multiply lr by that largest value to keep the steps)."
        )
        if np.ndim(detached(w)) == 0:  # one weight for every sample: np.full(n, w)'s run
            w = np.full(X.shape[0], _one_weight(detached(w), wname, owner, dtype))
        given, w = w, check_array(wname, w, owner, ndim=(1,), dtype=dtype, fix=fix)
        if w.shape[0] != X.shape[0] or (w < 0).any():
            raise ValueError(
                f"{owner}: {wname} must hold {X.shape[0]} non-negative values, one per "
                f"sample. Got {w.shape[0]} values, the smallest {w.min():.4g}."
            )
        _underflowed(given, w, wname, owner)
        if len(names) > 2 and not w.any():  # (0 / 0: a weighted score of no sample)
            raise ValueError(
                f"{owner}: every weight in {wname} is 0, so the weighted validation loss and "
                "metric would weigh no sample. Give the samples to score a weight > 0, or pass "
                "(X_val, y_val) to weigh them alike."
            )
        if whole and w.size and not w.any() and owner == "evaluate_loss":  # (nothing to score)
            raise ValueError(
                f"{owner}: every sample_weight is 0, so the weighted loss weighs no sample: it "
                "would be 0 whatever the model. Give the samples to score a weight > 0, or leave "
                "sample_weight out to weigh them alike."
            )
        if whole and w.size and not w.any():  # (every loss and gradient 0: nothing trains)
            raise ValueError(
                f"{owner}: every sample_weight is 0, so there is nothing to train on: every "
                "loss and gradient would be 0. Give the samples to learn from a weight > 0."
            )
    return X, y, w


def _underflowed(given: Any, w: np.ndarray, wname: str, owner: str) -> None:
    """Refuse sample weights > 0 that the cast to the model's dtype made 0 (below its
    smallest subnormal, 1.4e-45 in float32): their samples would drop out of the loss, in
    silence (every one of them: "every sample_weight is 0" blamed values that were not).
    ``given``: the weights as passed; ``w``: cast. One test of ``w`` where none is 0."""
    if w.all() or w.dtype == np.float64:
        return
    given = np.asarray(detached(given), dtype=np.float64)
    lost = int(np.count_nonzero(given > 0)) - int(np.count_nonzero(w))
    if lost > 0:
        raise ValueError(
            f"{owner}: {lost} of the {w.size} values of {wname} are > 0 but round to 0 in "
            f"{w.dtype}, the model's dtype (its smallest is "
            f"{float(np.finfo(w.dtype).smallest_subnormal):.3g}; the smallest given is "
            f"{given[given > 0].min():.3g}), so their samples would not train. Multiply "
            f"{wname} by a constant (only the ratios of the weights matter: with SGD, divide lr "
            "by it), or train a float64 model (model.double()); give a sample meant to drop "
            "out a weight of 0."
        )


def _one_weight(w: Any, wname: str, owner: str, dtype: Any) -> Any:
    """A scalar sample weight ``w``, refused where it is not a finite number >= 0 that the
    model's ``dtype`` holds, in words for one number (no count of values, no index)."""
    if isinstance(w, (int, float, np.integer, np.floating)) and not isinstance(w, bool):
        if not 0 <= float(w) <= float(np.finfo(dtype).max):  # (NaN fails too)
            raise ValueError(
                f"{owner}: {wname}={w!r} is one weight for every sample, so it must be a "
                f"finite number >= 0 within {np.dtype(dtype).name}'s range: it multiplies "
                f"every sample's loss (1 weighs as no {wname}; with SGD, a larger one is a "
                "larger learning rate)."
            )
    return w


def score(
    model: Module,
    spec: F.Loss | None,
    loss: Any,
    X: np.ndarray,
    y: np.ndarray,
    w: Any = None,
    errs: dict[str, str] | None = None,
    with_metric: bool = True,
) -> tuple[float, float, str]:
    """Loss, metric and the metric's name from one forward pass, without a graph, in eval
    mode; with sample weights ``w``, both weighted: the loss as fit weighs the training loss
    (sum_i w_i l_i / n, ``evaluate_loss``'s), the metric as :func:`metric` weighs it (NaN,
    not computed, with ``with_metric=False``). A loss function of the caller's runs under
    NumPy's error state ``errs`` (:func:`under`)."""
    forward, loss_fn, head = loss_parts(model, spec, under(errs, loss) if spec is None else loss)
    with evaluating(model), no_grad():  # (eval mode in this thread alone: no flag written)
        z = forward_rows(forward, X) if graph_free(forward, spec, head) else forward(Tensor(X))
        value = float(loss_fn(z, y, w).data)
        out = (head(z) if head is not None else z).data
    if not with_metric:
        return value, math.nan, ""
    name, m = metric(spec or metric_loss(loss), out, y, w, spec is None and takes_labels(loss))
    return value, m, name


ROW_BLOCK = 64  # (rows: a block of rows starts at a multiple of it)
FORWARD_BYTES = 64 << 20  # (about what a forward pass in blocks of rows holds at once)


def row_blocks(n: int, rows: int, shapes: Sequence[tuple[int, int]] = ()) -> list[int]:
    """The starts of blocks of about ``rows`` of ``n`` rows, and ``n``, for a forward pass
    through layers of weights of ``shapes`` ((inputs, outputs) each) that gives the numbers
    of one pass over all the rows: blocks that start at a multiple of :data:`ROW_BLOCK` rows
    (a BLAS computes a row of a product as its product of all the rows does where the block
    keeps the row's place in the kernel's tiles), none of fewer rows than a product of all
    the rows stays off OpenBLAS's small-matrix kernels with (M N K > 100^3: another order
    of the sums; a layer of one output is multiplied as by a vector, row by row) and none
    of one row (which NumPy multiplies as a vector): the rows left at
    the end join the block before where fewer. All n rows at once where ``rows`` >= n.
    Bit for bit in float64 (dgemm) and on kernels whose products are row-invariant; in
    float32, agreeing to rounding only (~1e-7 relative): OpenBLAS 0.3.31's Haswell sgemm
    gives rows of a block other last bits than the product of all the rows, wherever the
    block starts (multiples of 64 to 2048 rows tried: most rows of a later block differ)."""
    least = max([ROW_BLOCK] + [_SMALL_GEMM // (a * b) + 1 for a, b in shapes if a * b > 1 < b])
    step = max(rows - rows % ROW_BLOCK, -(-least // ROW_BLOCK) * ROW_BLOCK)
    starts = list(range(0, n, step))
    if len(starts) > 1 and n - starts[-1] < least:
        starts.pop()
    starts.append(n)
    return starts


_SMALL_GEMM = 100**3  # (OpenBLAS multiplies M x K by K x N with M N K at most this apart)


def rowwise(model: Any) -> bool:
    """Whether ``model`` computes each row of its input alone (in eval mode): a chain of
    glassnet's Linear layers, built-in activations (their table entries not replaced, none
    of the user's functions), Dropout and Sequentials of them, all with glassnet's forward
    (:func:`builtin_forward`) and no hooks. A forward of the user's may mix rows (a
    BatchNorm in train mode, a sum over the batch), so it is run on all the rows at once."""
    if not isinstance(model, Module) or any(
        vars(m).get(k) for m in model.modules() for k in ("_forward_pre_hooks", "_forward_hooks")
    ):
        return False
    for m in model.modules():
        if not isinstance(m, (Linear, ActivationModule, Dropout, Sequential)):
            return False
        if not builtin_forward(m) or (isinstance(m, Dropout) and m.training and m.p > 0):
            return False
        if isinstance(m, ActivationModule):
            entry = F.ACTIVATIONS.get(m.name)
            fn = getattr(entry, "fn", None)
            if F.replaced_entry(m.name) or not getattr(fn, "__module__", "").startswith(
                "glassnet."
            ):
                return False
    return True


def graph_free(forward: Any, spec: F.Loss | None, head: Any) -> bool:
    """Whether :func:`score` may run ``forward`` (of :func:`loss_parts`) in blocks of rows
    (:func:`forward_rows`, whose output has no graph): a :func:`rowwise` chain whose loss
    reads nothing from the output's graph: a loss of no head, or the head stripped off
    (``head``), or a chain ending in a Linear (its logits as they are). A chain ending in a
    softmax within (a nested head, then Identity or Dropout) is run in one pass: the loss
    reads its logits from the graph (:func:`_logits`) and refuses probabilities there."""
    if not rowwise(forward):
        return False
    if spec is None or not spec.head or head is not None:
        return True
    leaves = [m for m in forward.modules() if not isinstance(m, Sequential)]
    return bool(leaves) and isinstance(leaves[-1], Linear)


def forward_rows(forward: Module, X: Any, nbytes: int | None = None) -> Tensor:
    """``forward(Tensor(X))`` under no_grad for a :func:`rowwise` model, run over blocks of
    the rows of the 2-D ``X`` (:func:`row_blocks`) so that its layers' values hold about
    ``nbytes`` (:data:`FORWARD_BYTES` by default) at once, not every row's: the outputs
    joined are the numbers of one pass over all the rows (the same operations, row by row):
    its bits in float64, to rounding in float32 (:func:`row_blocks`)."""
    nbytes = FORWARD_BYTES if nbytes is None else nbytes
    n = X.shape[0] if getattr(X, "ndim", 0) == 2 else 0
    shapes = [(m.W.shape[0], m.W.shape[1]) for m in forward.modules() if isinstance(m, Linear)]
    row = 3 * max([b for _, b in shapes] + [X.shape[-1]]) * X.dtype.itemsize if n else 1
    starts = row_blocks(n, max(1, nbytes // row), shapes)
    if len(starts) <= 2:
        return forward(Tensor(X))
    out = None  # (the rows' outputs, joined)
    for r, e in zip(starts, starts[1:]):
        part = forward(Tensor(X[r:e])).data
        if out is None:
            out = namespace(part).empty((n, *part.shape[1:]), part.dtype)
        out[r:e] = part
    return Tensor(out)


def check_fit_memory(model: Module, params: Any, bs: int, dtype: Any) -> None:
    """fit's refusal before allocating: gradients and optimizer state (3 copies of the
    weights), and per batch row each layer's activation, its dL/dZ and a scratch buffer."""
    widths = sum(m.neurons for m in model.modules() if isinstance(m, Linear))
    weights = sum(p.data.nbytes for p in params)
    need = 3 * weights + 3 * bs * widths * np.dtype(dtype).itemsize
    check_memory("fit", need, "use a smaller batch_size or fewer, narrower layers")
