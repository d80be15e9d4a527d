"""Core mends of round 18."""

import numpy as np

import glassnet as gn
from glassnet.fused import FastMLP, layers_of


def test_fast_forward_of_no_rows_is_empty_as_the_graphs():
    """FastMLP.forward on 0 rows gives (0, width) activations, as the model's own call
    does (it divided by the row count: ZeroDivisionError)."""
    gn.manual_seed(0)
    model = gn.nn.Sequential(gn.nn.Linear(2, 3), gn.nn.Tanh(), gn.nn.Linear(3, 1))
    X = np.zeros((0, 2), np.float32)
    outs = FastMLP(layers_of(model), "mse").forward(X)
    assert [a.shape for a in outs] == [(0, 3), (0, 1)]
    assert model(gn.tensor(X)).shape == outs[-1].shape
    Xs = np.ones((4, 2), np.float32)  # a batch after the empty one is computed as ever
    np.testing.assert_array_equal(
        FastMLP(layers_of(model), "mse").forward(Xs)[-1], model(gn.tensor(Xs)).data
    )
