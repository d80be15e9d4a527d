"""glassnet.sklearn: the message of an 'lbfgs' fit that converged names SciPy's test, not
the stochastic solvers' n_iter_no_change rule, in SciPy's words before 1.15 and since; every
stop of an 'lbfgs' fit counts iterations and loss evaluations."""

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
    # (SciPy's own words, quoted at the end, are its version's: not pinned here)
    assert message == (
        f"Stopped after {clf.n_iter_} iterations ({clf.history_.steps} loss evaluations): "
        "L-BFGS converged: the loss's relative reduction in an iteration fell to SciPy's "
        f"ftol (2.22e-09) or below (SciPy: {clf.history_.said.rstrip(': .')})."
    )
    assert pickle.loads(pickle.dumps(clf)).history_.message == message


@pytest.mark.parametrize("Est", [gs.MLPClassifier, gs.MLPRegressor])
def test_lbfgs_converging_on_the_gradient_names_tol(Est):
    target = y if Est is gs.MLPClassifier else y.astype(np.float64)
    est = Est(random_state=0, solver="lbfgs", tol=0.1).fit(X, target)
    assert est.stop_reason_ == "tol"
    assert est.history_.message.endswith(
        "L-BFGS converged: the largest entry of the loss's projected gradient fell to tol=0.1 "
        f"or below (SciPy: {est.history_.said.rstrip(': .')})."
    )
    assert est.history_.message.startswith(f"Stopped after {est.n_iter_} iteration")


def test_the_other_stops_of_lbfgs_count_iterations_and_loss_evaluations():
    # (max_iter, max_fun and callback stops said "epochs (steps)", the stochastic solvers'
    # words, where a converged fit says "iterations (loss evaluations)")
    with pytest.warns(ConvergenceWarning, match="lbfgs failed to converge"):
        clf = gs.MLPClassifier(random_state=0, solver="lbfgs", max_iter=5).fit(X, y)
    assert clf.stop_reason_ == "max_iter"
    assert clf.history_.message == (
        f"Stopped after 5 iterations ({clf.history_.steps} loss evaluations): reached "
        "max_iter epochs (stochastic solvers) or iterations (lbfgs)."
    )
    with pytest.warns(ConvergenceWarning, match="lbfgs failed to converge"):
        clf = gs.MLPClassifier(random_state=0, solver="lbfgs", max_iter=1000, max_fun=5)
        clf.fit(X, y)
    assert clf.stop_reason_ == "max_fun"
    assert clf.history_.message == (
        f"Stopped after {clf.n_iter_} iterations ({clf.history_.steps} loss evaluations): "
        "lbfgs reached max_fun loss evaluations."
    )

    def stop(state):
        state.stop = state.epoch >= 2

    clf = gs.MLPClassifier(random_state=0, solver="lbfgs", max_iter=50, callbacks=[stop])
    clf.fit(X, y)
    assert clf.stop_reason_ == "callback"
    assert clf.history_.message == (
        f"Stopped after 2 iterations ({clf.history_.steps} loss evaluations): a callback "
        "asked to stop."
    )
    h = gs._LbfgsHistory(epochs=1, steps=1)
    assert h.message == "Trained 1 iteration (1 loss evaluation); not stopped yet."


@pytest.mark.parametrize(
    ("said", "test"),
    [
        # SciPy's C L-BFGS-B (1.15 on), then its Fortran one's (1.9 to 1.14), and as bytes
        ("CONVERGENCE: NORM OF PROJECTED GRADIENT <= PGTOL", "gradient"),
        ("CONVERGENCE: NORM_OF_PROJECTED_GRADIENT_<=_PGTOL", "gradient"),
        ("b'CONVERGENCE: NORM_OF_PROJECTED_GRADIENT_<=_PGTOL'", "gradient"),
        ("CONVERGENCE: RELATIVE REDUCTION OF F <= FACTR*EPSMCH", "reduction"),
        ("CONVERGENCE: REL_REDUCTION_OF_F_<=_FACTR*EPSMCH", "reduction"),
        ("CONVERGENCE: SOMETHING ELSE", "other"),
    ],
)
def test_the_converged_message_reads_scipys_words_old_and_new(said, test):
    h = gs._LbfgsHistory(epochs=8, steps=11, stop_reason="tol")
    h.tol, h.said = 0.1, said
    why = {
        "gradient": "the largest entry of the loss's projected gradient fell to tol=0.1 or below",
        "reduction": "the loss's relative reduction in an iteration fell to SciPy's ftol "
        "(2.22e-09) or below",
        "other": "SciPy's convergence test was met",
    }[test]
    plain = said[2:-1] if said.startswith("b'") else said
    assert h.message == (
        f"Stopped after 8 iterations (11 loss evaluations): L-BFGS converged: {why} "
        f"(SciPy: {plain})."
    )
