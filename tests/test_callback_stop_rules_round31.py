"""as_callback(f).on_epoch_end(state) sets state.stop on f's True (or NumPy's True) again,
for a loop of the user's own, and returns f's result; a Callback subclass in fit's
stop_rules whose on_epoch_end returns True stops the run at that epoch."""

import numpy as np
import pytest

import glassnet as gn
from glassnet.train import TrainState, as_callback

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)
y = np.array([[1], [0], [0], [1]], float)


def _state():
    return TrainState(model=None, optimizer=None, history=gn.History())


@pytest.mark.parametrize("value", [True, np.True_])
def test_as_callback_sets_stop_on_true(value):
    state = _state()
    assert as_callback(lambda s: value).on_epoch_end(state) is value
    assert state.stop is True


@pytest.mark.parametrize("value", [None, False, 1, "yes", np.False_])
def test_as_callback_other_results_leave_stop(value):
    state = _state()
    assert as_callback(lambda s: value).on_epoch_end(state) is value
    assert state.stop is False


def test_a_function_that_sets_stop_itself_keeps_it():
    def f(s):
        s.stop = True
        return False

    state = _state()
    as_callback(f).on_epoch_end(state)
    assert state.stop is True


class StopAt(gn.Callback):
    def __init__(self, epoch):
        self.epoch = epoch

    def on_epoch_end(self, state):
        return state.epoch >= self.epoch


def test_a_callback_subclass_in_stop_rules_returning_true_stops():
    seen = []
    gn.manual_seed(0)
    net = gn.nn.Sequential(gn.nn.Linear(2, 2), gn.nn.Sigmoid(), gn.nn.Linear(2, 1), gn.nn.Sigmoid())
    h = gn.fit(
        net, X, y, loss="bce", epochs=50, stop_rules=[StopAt(3)],
        callbacks=[lambda s: seen.append((s.epoch, s.stop))], verbose=0,
    )  # fmt: skip
    assert h.epochs == 3 and h.stop_reason == "callback"
    assert seen == [(1, False), (2, False), (3, True)]
