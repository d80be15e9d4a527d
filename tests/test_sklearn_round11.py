"""The estimators against scikit-learn 1.9 as a practitioner uses them: warnings that point
at the caller's line (so ``module=`` filters act as documented), and the remaining checks
of this round."""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import cross_val_score  # noqa: E402

from glassnet.sklearn import MLPClassifier, MLPRegressor  # noqa: E402


def _data(n=40):
    X = np.random.RandomState(0).randn(n, 3)
    return X, (X[:, 0] > 0).astype(int)


def _fit_here(est, *args):
    """Fit ``est`` and return (the warnings, the line of the fit call in this file)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        line = sys._getframe().f_lineno + 1
        est.fit(*args)
    return caught, line


# ------------------------------------------------------ warnings at the caller's line
@pytest.mark.parametrize(
    "make",
    [
        lambda: MLPClassifier((5,), max_iter=3, random_state=0),
        lambda: MLPClassifier((5,), max_iter=3, random_state=0, early_stopping=True),
        lambda: MLPClassifier((5,), max_iter=3, random_state=0, solver="lbfgs"),
        lambda: MLPRegressor(hidden_layer_sizes=(5,), max_iter=3, random_state=0),
        lambda: MLPClassifier((5,), max_iter=3, random_state=0, batch_size=100),
    ],
)
def test_fit_warnings_point_at_the_line_that_called_fit(make):
    X, y = _data()
    est = make()
    caught, line = _fit_here(est, X, y)
    assert caught, "expected a ConvergenceWarning (or the batch_size clip's UserWarning)"
    for w in caught:
        assert (w.filename, w.lineno) == (__file__, line), (w.filename, w.lineno, w.message)


def test_assigned_weights_warning_points_at_the_line_that_called_fit():
    X, y = _data()
    est = MLPClassifier((5,), max_iter=300, random_state=0)
    est.coefs_ = [np.zeros((3, 5)), np.zeros((5, 1))]
    est.intercepts_ = [np.zeros(5), np.zeros(1)]
    caught, line = _fit_here(est, X, y)
    mine = [w for w in caught if "replaced by new random weights" in str(w.message)]
    assert len(mine) == 1
    assert (mine[0].filename, mine[0].lineno) == (__file__, line)


def test_module_filter_on_sklearn_silences_fits_run_by_scikit_learn():
    # docs/sklearn.md: called from cross_val_score, the warning is scikit-learn's module's,
    # so scikit-learn's own examples' filter applies; called from here, it is this module's
    X, y = _data(60)
    est = MLPClassifier((5,), max_iter=3, random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", category=ConvergenceWarning, module="sklearn")
        cross_val_score(est, X, y, cv=3)
        assert not [w for w in caught if issubclass(w.category, ConvergenceWarning)]
        est.fit(X, y)
    assert [w.filename for w in caught if issubclass(w.category, ConvergenceWarning)] == [__file__]
