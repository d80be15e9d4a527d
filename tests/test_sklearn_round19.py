"""Round 19 (grade19b): an lbfgs refit interrupted (Ctrl-C) before its first loss is known
reports no loss of the previous fit's network."""

import warnings

import numpy as np
import pytest

import glassnet as gn
import glassnet.sklearn as gsk
from glassnet.sklearn import MLPClassifier, MLPRegressor

pytest.importorskip("scipy")


def _data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 6))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    return X, y


def _interrupt_first_evaluation(monkeypatch):
    """The next fit's first loss evaluation raises KeyboardInterrupt (Ctrl-C in the forward
    pass), before any loss is known."""
    real = gsk.Objective

    class Interrupted(real):  # type: ignore[misc, valid-type]
        def __call__(self, *a, **k):
            raise KeyboardInterrupt

    monkeypatch.setattr(gsk, "Objective", Interrupted)


def _fit(est, X, y):
    try:
        return est.fit(X, y)
    except KeyboardInterrupt:
        pytest.fail(f"KeyboardInterrupt escaped {type(est).__name__}.fit")


class _CtrlCAtFirstStep(gn.Callback):
    def on_step_end(self, state):
        raise KeyboardInterrupt


@pytest.mark.parametrize("Est", [MLPClassifier, MLPRegressor])
def test_an_lbfgs_refit_interrupted_in_its_first_evaluation_keeps_no_stale_loss(monkeypatch, Est):
    X, y = _data()
    est = Est(hidden_layer_sizes=(8,), solver="lbfgs", max_iter=50, random_state=0)
    with warnings.catch_warnings():  # (whether 50 iterations converge is not the point)
        warnings.simplefilter("ignore", gsk.ConvergenceWarning)
        _fit(est, X, y)
    assert np.isfinite(est.loss_) and est.n_iter_ > 0 and est.loss_curve_
    est.set_params(random_state=1)
    _interrupt_first_evaluation(monkeypatch)
    with pytest.warns(UserWarning, match="Training interrupted by user"):
        _fit(est, X, y)
    # the refit's own books: no iteration, no loss known, as a fresh estimator's
    assert est.stop_reason_ == "interrupted" and est.n_iter_ == 0 and est.loss_curve_ == []
    assert not hasattr(est, "loss_")
    # and as 'adam' reports a fit interrupted before its first epoch (scikit-learn's
    # best_loss_ before any loss is known: inf)
    adam = Est(hidden_layer_sizes=(8,), max_iter=5, random_state=0)
    adam.set_params(callbacks=[_CtrlCAtFirstStep()])
    with pytest.warns(UserWarning, match="Training interrupted by user"):
        _fit(adam, X, y)
    assert not hasattr(adam, "loss_") and adam.loss_curve_ == [] and adam.n_iter_ == 0
    assert est.best_loss_ == adam.best_loss_ == np.inf


def test_a_warm_started_lbfgs_fit_interrupted_in_its_first_evaluation_keeps_its_curve(
    monkeypatch,
):
    # the weights are the previous fit's, which the curve and loss_ describe: kept, as
    # 'adam' keeps them
    X, y = _data()
    est = MLPClassifier((8,), solver="lbfgs", max_iter=200, random_state=0, warm_start=True)
    _fit(est, X, y)
    loss, curve, best = est.loss_, list(est.loss_curve_), est.best_loss_
    _interrupt_first_evaluation(monkeypatch)
    with pytest.warns(UserWarning, match="Training interrupted by user"):
        _fit(est, X, y)
    assert (est.loss_, est.loss_curve_, est.best_loss_, est.n_iter_) == (loss, curve, best, 0)
