"""R^2 needs two rows: a regression's validation set of one row, and the loss of one row."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet.metrics import UndefinedMetricWarning

X = np.random.default_rng(0).random((20, 2))
Y = X.sum(1, keepdims=True)


def test_a_one_row_validation_set_is_said_once_and_its_r2_is_nan():
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        h = gn.fit(
            gn.nn.MLP([2, 4, 1], rng=0), X, Y, epochs=4, verbose=0,
            validation_data=(X[:1], Y[:1]),
        )  # fmt: skip
    said = [w for w in seen if issubclass(w.category, UndefinedMetricWarning)]
    assert len(said) == 1 and "validation set has 1 row" in str(said[0].message)
    assert np.isnan(h.val_metric).all() and np.isfinite(h.val_loss).all()
    assert len(h.val_loss) == 4


def test_two_rows_and_classification_say_nothing():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h = gn.fit(
            gn.nn.MLP([2, 4, 1], rng=0), X, Y, epochs=2, verbose=0,
            validation_data=(X[:2], Y[:2]),
        )  # fmt: skip
        assert np.isfinite(h.val_metric).all()
        labels = (X[:, 0] > 0.5).astype(int)
        net = gn.nn.MLP([2, 4, 2], output_activation="softmax", rng=0)
        h = gn.fit(
            net, X, labels, loss="cross_entropy", epochs=2, verbose=0,
            validation_data=(X[:1], labels[:1]),
        )  # fmt: skip
        assert h.val_metric[-1] in (0.0, 1.0)


def test_the_loss_of_one_row_warns_of_no_r2():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # evaluate_loss computes no R^2, so it has none to warn of
        value = gn.objective.evaluate_loss(gn.nn.MLP([2, 4, 1], rng=0), X[:1], Y[:1])
    assert np.isfinite(value)


def test_r2_score_itself_still_warns_on_one_row():
    with pytest.warns(UndefinedMetricWarning):
        assert np.isnan(gn.metrics.r2_score([1.0], [2.0]))


def test_search_says_it_once_too():
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        gn.many.search(
            lambda p: gn.nn.MLP([2, 4, 1], rng=0), X, Y, {"lr": [0.01, 0.1]}, epochs=2,
            validation_data=(X[:1], Y[:1]),
        )  # fmt: skip
    said = [w for w in seen if issubclass(w.category, UndefinedMetricWarning)]
    assert len(said) == 1
