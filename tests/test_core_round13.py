"""Core mends of round 13 (each failed before its fix)."""

from __future__ import annotations

import pytest

import glassnet as gn


@pytest.mark.parametrize(
    "kwargs, arg",
    [
        ({"output_activation": None}, "output_activation"),  # Keras's "no activation"
        ({"output_activation": ["relu"]}, "output_activation"),
        ({"activation": None}, "activation"),
        ({"activation": ["relu", None]}, "activation"),
    ],
)
def test_mlp_names_the_activation_argument_that_is_no_name(kwargs, arg):
    with pytest.raises(TypeError, match=rf"^MLP: {arg} must be an activation name: 'identity' "):
        gn.nn.MLP([2, 3, 3, 1], **kwargs)


def test_mlp_takes_one_name_per_hidden_layer_still():
    model = gn.nn.MLP([2, 3, 3, 1], activation=["relu", "tanh"], output_activation="sigmoid")
    assert model.activations == ["relu", "tanh"] and model.output_activation == "sigmoid"
