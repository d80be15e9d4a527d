"""Round 31's scikit-learn audit: a warm-started fit or partial_fit without early stopping,
after a fit with it, leaves no validation scores of the earlier run behind."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.datasets import load_iris  # noqa: E402

from glassnet.sklearn import MLPClassifier, MLPRegressor  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _iris():
    X, y = load_iris(return_X_y=True)
    return (X - X.mean(0)) / X.std(0), y


def _no_validation(est):
    # scikit-learn's attributes for a run without early stopping (and glassnet's curve)
    assert est.validation_scores_ is None
    assert est.best_validation_score_ is None
    assert est.validation_loss_curve_ is None


@pytest.mark.parametrize("Est", [MLPClassifier, MLPRegressor])
def test_warm_fit_without_early_stopping_drops_the_earlier_validation_scores(Est):
    # they described an earlier run, not the weights now held: best_validation_score_ 0.8
    # stayed after a run that never scored a validation set
    X, y = _iris()
    est = Est(early_stopping=True, warm_start=True, max_iter=10, random_state=0).fit(X, y)
    assert len(est.validation_scores_) == 10 and est.best_validation_score_ > -np.inf
    est.set_params(early_stopping=False).fit(X, y)
    _no_validation(est)
    assert len(est.loss_curve_) == 20  # the training curve goes on, as in every warm fit
    assert est.best_loss_ == min(est.loss_curve_[10:])  # counted from this fit
    assert est.history_.val_metric is None or len(est.history_.val_metric) == 0
    # and switched on again, the scores start with that fit
    est.set_params(early_stopping=True).fit(X, y)
    assert len(est.validation_scores_) == est.n_iter_ and est.best_loss_ is None


@pytest.mark.parametrize("Est", [MLPClassifier, MLPRegressor])
def test_partial_fit_without_early_stopping_drops_the_earlier_validation_scores(Est):
    X, y = _iris()
    est = Est(early_stopping=True, max_iter=10, random_state=0).fit(X, y)
    est.set_params(early_stopping=False).partial_fit(X, y)
    _no_validation(est)
    assert est.best_loss_ == est.loss_curve_[-1]


@pytest.mark.parametrize("Est", [MLPClassifier, MLPRegressor])
@pytest.mark.parametrize("weights", [np.array(["2"] * 50 + ["1"] * 100), ["1"] * 150])
def test_score_refuses_sample_weight_written_as_text_as_fit_does(Est, weights):
    # fit refused them; the regressor's score read '2' as 2 in silence, and the
    # classifier's failed inside NumPy ('The `dtype` and `signature` arguments to ufuncs')
    X, y = _iris()
    est = Est(max_iter=5, random_state=0).fit(X, y)
    text = r"sample_weight holds text \(e\.g\. '[12]'\).*dtype=float"
    with pytest.raises(ValueError, match=text):
        est.fit(X, y, sample_weight=weights)
    with pytest.raises(ValueError, match=text):
        est.score(X, y, sample_weight=weights)
    # numbers are scored as before
    w = np.r_[np.full(50, 2.0), np.ones(100)]
    Sk = type(est).__mro__[1]  # ClassifierMixin / RegressorMixin: scikit-learn's score
    assert est.score(X, y, sample_weight=w) == Sk.score(est, X, y, sample_weight=w)
    assert est.score(X, y, sample_weight=list(w)) == Sk.score(est, X, y, sample_weight=w)
