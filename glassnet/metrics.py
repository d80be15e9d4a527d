"""Scores shared by training, the tasks and the command line (NumPy only).

R^2 needs two samples at least: :func:`r2_score` of one sample is NaN with an
:class:`UndefinedMetricWarning`, as scikit-learn's ``r2_score``.

>>> import numpy as np
>>> r2_per_output(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 4.0]))
array([0.5])
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

__all__ = ["UndefinedMetricWarning", "r2_per_output", "r2_score"]


class UndefinedMetricWarning(UserWarning):
    """A score that is not defined for the data given (R^2 of fewer than two samples): the
    score is NaN. A UserWarning, as scikit-learn's ``UndefinedMetricWarning`` of the same
    name (glassnet does not import scikit-learn), so that it can be filtered on its own:
    ``warnings.filterwarnings("ignore", category=glassnet.metrics.UndefinedMetricWarning)``."""


def _numbers(values: Any, name: str, owner: str) -> np.ndarray:
    """``values`` as a float64 array, else an error that names the argument. Numbers written
    as text are refused, as fit, the losses and ``glassnet.tensor`` refuse them (in fit's
    words): parsing ``'1'`` would pass a column read as text in silence."""
    try:
        values = values.data if hasattr(values, "backward_fn") else values  # (a Tensor's, any)
        given = np.asarray(values)
        numbers = given.astype(np.float64, copy=False)
    except (TypeError, ValueError) as e:
        raise ValueError(
            f"{owner}: {name!r} must be an array of numbers. Got {values!r:.60} ({e})."
        ) from None
    kind = given.dtype.kind
    text = (
        next((v for v in given.flat if isinstance(v, (str, bytes))), None) if kind == "O" else None
    )
    if kind in "US" or text is not None:
        first = repr(text if text is not None else given.flat[0])[:40]
        raise ValueError(
            f"{owner}: {name} must be numeric. It holds text (dtype {given.dtype}), e.g. "
            f"{first}: convert numbers written as text (np.asarray({name}, dtype=float)), "
            "or encode text columns first."
        )
    return numbers


def _weights(w: Any, n: int, owner: str) -> np.ndarray:
    """``sample_weight`` as a float64 array (n,), else an error that names it: one finite
    number >= 0 per row, not all 0 (scikit-learn's ``r2_score`` refuses all 0)."""
    wa = _numbers(w, "sample_weight", owner)
    if wa.shape != (n,):
        raise ValueError(
            f"{owner}: 'sample_weight' must hold one weight per row of y_true, shape ({n},). "
            f"Got shape {wa.shape}."
        )
    if not np.isfinite(wa).all():
        at = int(np.argwhere(~np.isfinite(wa))[0, 0])
        raise ValueError(
            f"{owner}: 'sample_weight' holds {wa[at]} at row {at}; weights must be finite numbers."
        )
    if (wa < 0).any():  # (both sums of squares change sign: R^2 came out as 0, in silence)
        at = int(np.argmax(wa < 0))
        raise ValueError(
            f"{owner}: 'sample_weight' holds {wa[at]:.6g} at row {at}; weights must be >= 0 "
            "(a row's share of the score). Drop or reweight that row."
        )
    if wa.sum() == 0:
        raise ValueError(
            f"{owner}: 'sample_weight' sums to 0 ({wa!r:.60}), so no row counts and the "
            "weighted mean is undefined. Give at least one row a weight other than 0."
        )
    return wa


def _sums(y_true: Any, y_pred: Any, owner: str, w: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """(SS_res, SS_tot) per output column, each of shape (K,), after checking the shapes;
    with sample weights ``w`` (N,), each row's squares weighted, about the weighted mean."""
    yt, yp = (_numbers(v, name, owner) for v, name in ((y_true, "y_true"), (y_pred, "y_pred")))
    if yt.ndim not in (1, 2) or len(yt) == 0:
        raise ValueError(
            f"{owner}: 'y_true' must be a non-empty array of shape (n_samples,) or "
            f"(n_samples, n_outputs). Got shape {yt.shape}."
        )
    yt = yt.reshape(len(yt), -1)  # (N, K)
    if yp.ndim not in (1, 2) or len(yp) != len(yt) or yp.size != yt.size:
        raise ValueError(
            f"{owner}: 'y_pred' must hold one prediction per target value: y_true has shape "
            f"{np.shape(y_true)}, y_pred {yp.shape}. Pass predictions for the same rows and "
            "outputs."
        )
    if not np.isfinite(yt).all():  # (a NaN prediction is a score of NaN; a NaN target, a mistake)
        at = tuple(int(i) for i in np.argwhere(~np.isfinite(yt))[0])
        raise ValueError(
            f"{owner}: 'y_true' holds {yt[at]} at row {at[0]}, column {at[1]}; targets must be "
            "finite numbers. Remove or impute those rows."
        )
    yp = yp.reshape(yt.shape)  # (N, K)
    # each column scaled by a power of two near its largest target, so that the squares
    # neither overflow (1e200) nor underflow (1e-200): exact, R^2 is unchanged bit for bit
    scale = -np.frexp(np.abs(yt).max(axis=0))[1]  # (K,)
    yt, yp = np.ldexp(yt, scale), np.ldexp(yp, scale)
    if w is None:
        ss_res = ((yt - yp) ** 2).sum(axis=0)  # (K,)
        ss_tot = ((yt - yt.mean(axis=0)) ** 2).sum(axis=0)  # (K,)
        return ss_res, ss_tot
    wc = _weights(w, len(yt), owner).reshape(-1, 1)  # (N, 1)
    mean = (wc * yt).sum(axis=0) / wc.sum()
    return (wc * (yt - yp) ** 2).sum(axis=0), (wc * (yt - mean) ** 2).sum(axis=0)


def r2_per_output(y_true: Any, y_pred: Any) -> np.ndarray:
    """R^2 = 1 - SS_res / SS_tot for each output column; NaN where the target is constant.

    y_true, y_pred : arrays of shape (N,) or (N, K) -> array of shape (K,). A NaN
    prediction gives NaN.
    """
    ss_res, ss_tot = _sums(y_true, y_pred, "r2_per_output")
    return np.where(ss_tot > 0, 1.0 - ss_res / np.where(ss_tot > 0, ss_tot, 1.0), np.nan)


def r2_score(y_true: Any, y_pred: Any, sample_weight: Any = None) -> float:
    """R^2 averaged over outputs. A constant target column, where R^2 is undefined, counts
    as 1 when predicted exactly and 0 otherwise (scikit-learn's ``r2_score``); a NaN
    prediction makes the score NaN. ``sample_weight`` (N,) weighs each row's squares, as
    scikit-learn's ``r2_score(..., sample_weight=)``.

    With a single sample (one row, whatever its weight and however many outputs) R^2 is
    not defined: the score is NaN, with an :class:`UndefinedMetricWarning`, as
    scikit-learn's (its "constant target" rule would give a meaningless 0 or 1).

    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     r2_score([1.0], [2.0])
    nan
    >>> caught[0].category.__name__
    'UndefinedMetricWarning'
    """
    ss_res, ss_tot = _sums(y_true, y_pred, "r2_score", sample_weight)
    n = np.shape(y_true)[0]  # (checked by _sums: 1 or 2 dimensions, at least one row)
    if n < 2:
        warnings.warn(
            f"r2_score: R^2 score is not well-defined with less than two samples (got {n}); "
            "the score is NaN. Score on two rows or more.",
            UndefinedMetricWarning,
            stacklevel=2,
        )
        return float("nan")
    constant = np.where(ss_res == 0, 1.0, np.where(np.isnan(ss_res), np.nan, 0.0))
    r2 = np.where(ss_tot > 0, 1.0 - ss_res / np.where(ss_tot > 0, ss_tot, 1.0), constant)
    return float(r2.mean())
