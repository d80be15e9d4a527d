"""The warning about a one-row validation set points at the caller's line, not at glassnet's
own call of tasks.validation_set (train.py, many.py)."""

import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn
from glassnet.metrics import UndefinedMetricWarning

X = np.random.default_rng(0).normal(size=(10, 3))
Y = X[:, 0].copy()
ONE_ROW = (X[:1], Y[:1])


def _net(p=None):
    return nn.MLP([3, 4, 1], rng=0, dtype=np.float64)


CALLS = {
    "fit": lambda: gn.fit(_net(), X, Y, validation_data=ONE_ROW, epochs=1, verbose=0),
    "fit split": lambda: gn.fit(_net(), X[:3], Y[:3], validation_split=0.2, epochs=1, verbose=0),
    "fit_many": lambda: gn.fit_many([_net(), _net()], X, Y, validation_data=ONE_ROW, epochs=1),
    "search": lambda: gn.many.search(_net, X, Y, {"lr": [0.1, 0.2]}, validation_data=ONE_ROW),
}


@pytest.mark.parametrize("call", sorted(CALLS))
def test_the_one_row_warning_points_at_the_callers_line(call):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        CALLS[call]()
    [w] = [w for w in caught if issubclass(w.category, UndefinedMetricWarning)]
    assert "the validation set has 1 row" in str(w.message)
    assert w.filename == __file__, (w.filename, w.lineno)


def test_fit_many_with_a_split_warns_at_the_callers_line():
    """fit_many's split ran validation_set in a list comprehension, a frame more on Python
    3.11: the one-row warning pointed into glassnet/many.py."""
    nets = [_net(s) for s in range(2)]
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        gn.fit_many(nets, X[:3], Y[:3], loss="mse", validation_split=0.34, epochs=1)
    [w] = [w for w in got if issubclass(w.category, UndefinedMetricWarning)]
    assert w.filename == __file__, w.filename
    assert str(w.message).startswith("fit_many: ")
