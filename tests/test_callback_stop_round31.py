"""A Callback subclass's on_epoch_end that returns True stops the run, as a plain
function's True does (it ran on silently before), in fit and in the scikit-learn
estimators' L-BFGS loop."""

import numpy as np
import pytest

import glassnet as gn

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)
y = np.array([[1], [0], [0], [1]], float)


class StopAt(gn.Callback):
    def __init__(self, epoch, value=True):
        self.epoch, self.value = epoch, value

    def on_epoch_end(self, state):
        return self.value if state.epoch >= self.epoch else None


def _net():
    gn.manual_seed(0)
    return gn.nn.Sequential(
        gn.nn.Linear(2, 2), gn.nn.Sigmoid(), gn.nn.Linear(2, 1), gn.nn.Sigmoid()
    )


@pytest.mark.parametrize("value", [True, np.True_])
def test_callback_subclass_returning_true_stops(value):
    h = gn.fit(_net(), X, y, loss="bce", epochs=50, callbacks=[StopAt(3, value)], verbose=0)
    assert h.epochs == 3
    assert h.stop_reason == "callback"


@pytest.mark.parametrize("value", [None, False, 1, "yes", np.False_])
def test_callback_subclass_other_results_run_on(value):
    h = gn.fit(_net(), X, y, loss="bce", epochs=6, callbacks=[StopAt(1, value)], verbose=0)
    assert h.epochs == 6


def test_function_callback_still_stops():
    h = gn.fit(_net(), X, y, loss="bce", epochs=50, callbacks=[lambda s: s.epoch >= 4], verbose=0)
    assert h.epochs == 4 and h.stop_reason == "callback"


def test_estimator_lbfgs_callback_subclass_stops():
    from glassnet.sklearn import MLPClassifier

    clf = MLPClassifier(
        hidden_layer_sizes=(3,), solver="lbfgs", max_iter=100, random_state=0, callbacks=[StopAt(2)]
    )
    clf.fit(X, y.ravel())
    assert clf.n_iter_ == 2
