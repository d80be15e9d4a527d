"""The estimators' refusals say what happened: NaN or inf in X passed unchecked
(``assume_finite=True``) is named as such, not as an overflow; the regressor refuses outputs
that overflowed as the classifier does (it returned NaN); a y so large that the loss
overflows is said to be that, not 'non-finite parameter weights'."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import sklearn
from sklearn.compose import TransformedTargetRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import MaxAbsScaler, StandardScaler

from glassnet.sklearn import MLPClassifier, MLPRegressor

RNG = np.random.default_rng(14)
X = RNG.normal(size=(120, 4))
Y_CLASS = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0)


def _fit(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


@pytest.fixture(scope="module")
def clf():
    return _fit(MLPClassifier((8,), max_iter=30, random_state=0), X, Y_CLASS)


@pytest.fixture(scope="module")
def reg():
    return _fit(MLPRegressor(hidden_layer_sizes=(8,), max_iter=30, random_state=0), X, X[:, 0])


# ------------------------------------------------------------------ NaN in X, unchecked
@pytest.mark.parametrize("method", ["predict", "predict_proba", "predict_log_proba"])
@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_nan_in_X_under_assume_finite_is_named_not_an_overflow(clf, method, value):
    Xn = X[:3].copy()
    Xn[1, 2] = value
    Xn[2, 0] = -value
    with sklearn.config_context(assume_finite=True):
        with pytest.raises(ValueError) as info:
            getattr(clf, method)(Xn)
    text = str(info.value)
    assert text.startswith("MLPClassifier: X holds NaN or inf in")
    assert f"row 1, column 2 is {value}" in text and "SimpleImputer" in text
    assert "overflowed" not in text and "too large" not in text


def test_nan_in_X_of_the_regressor_under_assume_finite(reg):
    Xn = X[:2].copy()
    Xn[0, 3] = np.nan
    with sklearn.config_context(assume_finite=True):
        with pytest.raises(ValueError, match=r"row 0, column 3 is nan.*SimpleImputer"):
            reg.predict(Xn)
        assert np.all(np.isfinite(reg.predict(X[:2])))  # finite X predicts as ever


def test_finite_X_that_overflows_still_says_to_scale_it():
    c = _fit(MLPClassifier((8,), max_iter=30, random_state=0, dtype="float32"), X, Y_CLASS)
    big = np.full((1, 4), 3e38)
    with pytest.raises(ValueError, match=r"overflowed .*\(up to 3e\+38\).*Scale X.*float64"):
        c.predict_proba(big)


# ------------------------------------------------------------------ the regressor's overflow
def test_float32_regressor_refuses_outputs_that_overflowed():
    r = _fit(
        MLPRegressor(hidden_layer_sizes=(8,), max_iter=30, random_state=0, dtype="float32"),
        X,
        X[:, 0],
    )
    big = np.full((1, 4), 3e38)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # (no RuntimeWarning of NumPy's either)
        with pytest.raises(ValueError) as info:
            r.predict(np.vstack([X[:2], big]).astype(np.float32))
    text = str(info.value)
    assert text.startswith("MLPRegressor: the network's outputs overflowed for 1 row(s)")
    assert "(the first: row 2)" in text and "float32" in text and "dtype='float64'" in text
    assert "predictions would be NaN" in text
    assert np.all(np.isfinite(r.predict(X[:5].astype(np.float32))))


def test_regressor_refuses_an_infinite_identity_output_and_keeps_tanhs_limit():
    r = _fit(
        MLPRegressor(hidden_layer_sizes=(3,), max_iter=5, random_state=0, activation="identity"),
        X,
        X[:, 0],
    )
    for W in r.coefs_:
        W[...] = 1.0
    huge = np.full((1, 4), 1e308)
    with pytest.raises(ValueError, match="outputs overflowed.*predictions would be NaN"):
        r.predict(huge)
    t = _fit(
        MLPRegressor(hidden_layer_sizes=(3,), max_iter=5, random_state=0, activation="identity",
                     output_activation="tanh"),
        X, np.tanh(X[:, 0]),
    )  # fmt: skip
    for W in t.coefs_:
        W[...] = 1.0
    assert t.predict(huge).tolist() == [1.0]  # (tanh(inf) is exactly 1)


# ------------------------------------------------------------------ y whose loss overflows
@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_a_y_whose_squared_error_overflows_is_named(solver):
    y = np.linspace(1.0, 1.5, 50) * 1e300
    with pytest.raises(ValueError) as info:
        MLPRegressor(solver=solver, max_iter=5, random_state=0).fit(X[:50], y)
    text = str(info.value)
    assert text.startswith("MLPRegressor: the training loss overflowed")
    assert "non-finite parameter weights" not in text
    assert "the weights are finite" in text
    assert "y's values (up to 1.5e+300)" in text
    assert "TransformedTargetRegressor" in text and "MaxAbsScaler()" in text
    # the advice works
    fixed = TransformedTargetRegressor(
        regressor=MLPRegressor(max_iter=200, random_state=0, solver=solver),
        transformer=MaxAbsScaler(),
    )
    assert np.all(np.isfinite(_fit(fixed, X[:50], y).predict(X[:5])))


def test_a_float32_y_overflow_suggests_float64_and_a_standard_scaler():
    y = (1 + RNG.random(50)) * 1e20
    with pytest.raises(ValueError) as info:
        MLPRegressor(max_iter=5, random_state=0, dtype="float32").fit(X[:50], y)
    text = str(info.value)
    assert "too large for the squared error in float32" in text
    assert "StandardScaler()" in text and "dtype='float64'" in text
    fixed = TransformedTargetRegressor(
        regressor=MLPRegressor(max_iter=50, random_state=0, dtype="float32"),
        transformer=StandardScaler(),
    )
    assert np.all(np.isfinite(_fit(fixed, X[:50], y).predict(X[:5])))


def test_a_diverging_learning_rate_keeps_scikit_learns_message():
    Xd = np.random.RandomState(0).randn(50, 3) * 1e3
    y = Xd.sum(axis=1) * 1e30
    with pytest.raises(ValueError, match="^Solver produced non-finite parameter weights.*diverged"):
        MLPRegressor(solver="sgd", learning_rate_init=10.0, max_iter=50, random_state=0).fit(Xd, y)
