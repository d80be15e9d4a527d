"""Scores shared by training, the tasks and the command line (NumPy only).

>>> import numpy as np
>>> r2_per_output(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 4.0]))
array([0.5])
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["r2_per_output", "r2_score"]


def r2_per_output(y_true: Any, y_pred: Any) -> np.ndarray:
    """R^2 = 1 - SS_res / SS_tot for each output column; NaN where the target is constant.

    y_true, y_pred : arrays of shape (N,) or (N, K) -> array of shape (K,).
    """
    yt = np.asarray(y_true, dtype=np.float64)
    yt = yt.reshape(len(yt), -1)  # (N, K)
    yp = np.asarray(y_pred, dtype=np.float64).reshape(yt.shape)  # (N, K)
    ss_res = ((yt - yp) ** 2).sum(axis=0)  # (K,)
    ss_tot = ((yt - yt.mean(axis=0)) ** 2).sum(axis=0)  # (K,)
    return np.where(ss_tot > 0, 1.0 - ss_res / np.where(ss_tot > 0, ss_tot, 1.0), np.nan)


def r2_score(y_true: Any, y_pred: Any) -> float:
    """R^2 averaged over outputs; a constant target column counts as 0."""
    return float(np.nan_to_num(r2_per_output(y_true, y_pred), nan=0.0).mean())
