"""Refusals of a validation split name the split the user asked for: early stopping's own
0.1 split (validation_split not given) as such, and the function called (search, not fit)."""

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn

X = np.random.default_rng(0).normal(size=(10, 3))
Y = X[:, 0].copy()


def _net(p=None):
    return nn.MLP([3, 4, 1], rng=0, dtype=np.float64)


def test_early_stoppings_split_of_one_row_is_named_as_early_stoppings():
    with pytest.raises(ValueError) as e:
        gn.fit(_net(), X[:1], Y[:1], early_stopping=True, epochs=2, verbose=0)
    msg = str(e.value)
    assert "early_stopping's 0.1 split leaves no training samples out of 1" in msg
    assert "validation_split=" not in msg and "early_stopping=False" in msg


def test_early_stoppings_split_of_zero_weights_is_named_as_early_stoppings():
    held = gn.tasks.split_validation(X, Y, None, 0.1, None, np.random.default_rng(0))[3]
    w = np.ones(10)
    w[(X == held[0]).all(axis=1)] = 0  # the one row early stopping holds out (seed 0)
    with pytest.raises(ValueError) as e:
        gn.fit(_net(), X, Y, early_stopping=True, sample_weight=w, seed=0, epochs=2, verbose=0)
    assert str(e.value).startswith("fit: early_stopping's 0.1 split holds out only samples")


def test_a_search_split_refusal_names_search():
    with pytest.raises(ValueError, match=r"^search: validation_split=0.5 leaves no training"):
        gn.many.search(
            _net, X[:1], Y[:1], {"lr": [0.1, 0.2]}, validation_split=0.5, epochs=2, verbose=0
        )
