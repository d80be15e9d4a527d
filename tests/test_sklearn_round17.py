"""glassnet.sklearn: the message of an 'lbfgs' fit that converged names SciPy's test, not
the stochastic solvers' n_iter_no_change rule."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning

import glassnet.sklearn as gs

X, y = load_iris(return_X_y=True)


def test_lbfgs_converging_on_the_loss_reduction_says_so():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (the stochastic-solver parameter, unused by lbfgs)
        clf = gs.MLPClassifier(random_state=0, solver="lbfgs", max_iter=2000, n_iter_no_change=3)
        clf.fit(X, y)
    message = clf.history_.message
    assert clf.stop_reason_ == "tol"
    assert "n_iter_no_change" not in message
    assert message == (
        f"Stopped after {clf.n_iter_} iterations ({clf.history_.steps} loss evaluations): "
        "L-BFGS converged: the loss's relative reduction in an iteration fell to SciPy's "
        "ftol (2.22e-09) or below (SciPy: CONVERGENCE: RELATIVE REDUCTION OF F <= FACTR*EPSMCH)."
    )
    assert pickle.loads(pickle.dumps(clf)).history_.message == message


@pytest.mark.parametrize("Est", [gs.MLPClassifier, gs.MLPRegressor])
def test_lbfgs_converging_on_the_gradient_names_tol(Est):
    target = y if Est is gs.MLPClassifier else y.astype(np.float64)
    est = Est(random_state=0, solver="lbfgs", tol=0.1).fit(X, target)
    assert est.stop_reason_ == "tol"
    assert est.history_.message.endswith(
        "L-BFGS converged: the largest entry of the loss's projected gradient fell to tol=0.1 "
        "or below (SciPy: CONVERGENCE: NORM OF PROJECTED GRADIENT <= PGTOL)."
    )
    assert est.history_.message.startswith(f"Stopped after {est.n_iter_} iteration")


def test_the_other_stops_of_lbfgs_keep_their_messages():
    with pytest.warns(ConvergenceWarning, match="lbfgs failed to converge"):
        clf = gs.MLPClassifier(random_state=0, solver="lbfgs", max_iter=5).fit(X, y)
    assert clf.stop_reason_ == "max_iter"
    assert clf.history_.message == (
        f"Stopped after 5 epochs ({clf.history_.steps} steps): reached max_iter epochs "
        "(stochastic solvers) or iterations (lbfgs)."
    )
