"""validation_data[0] with other columns than the model's: the refusal asks for the training
data's columns; it told the user to rebuild the model (built right, for the training data)."""

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn

X = np.random.default_rng(0).normal(size=(20, 3))
Y = X[:, 0].copy()


def test_validation_data_of_other_columns_asks_for_the_training_columns():
    with pytest.raises(ValueError) as e:
        gn.fit(nn.MLP([3, 4, 1], rng=0), X, Y, validation_data=(X[:, :2], Y), verbose=0)
    msg = str(e.value)
    assert msg.startswith("fit: validation_data[0] has 2 features per sample")
    assert "give it the 3 columns of the training data" in msg
    assert "inputs=2" not in msg


def test_training_data_of_other_columns_still_offers_the_model_fix():
    with pytest.raises(ValueError, match=r"build the model with inputs=2\."):
        gn.fit(nn.MLP([3, 4, 1], rng=0), X[:, :2], Y, verbose=0)
