"""Tabular data from pandas through the estimators, the CLI and load_pipeline (round 20)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from glassnet.sklearn import MLPRegressor

# ------------------------------------------- 1. a regressor's y of dates or durations


def _xy_times() -> tuple[pd.DataFrame, list[object]]:
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"a": rng.randn(40), "b": rng.randn(40)})
    ys = [
        pd.Series(pd.date_range("2020", periods=40)),
        pd.Series(pd.to_timedelta(np.arange(40), unit="D")),
        np.arange(40).astype("datetime64[D]"),
        pd.DataFrame({"amount": np.arange(40.0), "when": pd.date_range("2020", periods=40)}),
    ]
    return X, ys


@pytest.mark.parametrize("k", range(4))
def test_regressor_refuses_a_y_of_dates_or_durations_at_fit(k: int) -> None:
    X, ys = _xy_times()
    y = ys[k]
    reg = MLPRegressor(hidden_layer_sizes=(5,), max_iter=5, random_state=0)
    with pytest.raises(ValueError, match=r"y must hold numbers .*(dates|durations) \(dtype"):
        reg.fit(X, y)
    assert not hasattr(reg, "coefs_")  # left unfitted
    if k == 3:
        with pytest.raises(ValueError, match=r"y's column 'when' holds dates"):
            reg.fit(X, y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_regressor_refuses_a_y_of_dates_at_partial_fit_and_score() -> None:
    X, ys = _xy_times()
    reg = MLPRegressor(hidden_layer_sizes=(5,), max_iter=5, random_state=0)
    with pytest.raises(ValueError, match=r"y holds durations .*total_seconds"):
        reg.partial_fit(X, ys[1])
    reg.fit(X, np.arange(40.0))
    with pytest.raises(ValueError, match=r"MLPRegressor: y must hold numbers .*y holds dates"):
        reg.score(X, ys[0])
    assert np.isfinite(reg.score(X, np.arange(40.0)))
