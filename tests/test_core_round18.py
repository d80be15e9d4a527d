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


def test_a_slope_outside_the_fast_paths_range_is_refused_naming_the_caller():
    """A LeakyReLU slope outside [0, 1) (the graph's any finite slope) is refused by what
    reads the fast path's layers, each naming itself and what to do; fit takes the graph."""
    import pytest

    from glassnet import viz

    def make():
        gn.manual_seed(0)
        return gn.nn.Sequential(gn.nn.Linear(2, 3), gn.nn.LeakyReLU(1.5), gn.nn.Linear(3, 1))

    X = np.random.default_rng(0).normal(size=(8, 2))
    y = (X[:, :1] > 0).astype(float)
    calls = {
        "explain": lambda: gn.explain(make(), X[:1], y[:1]),
        "fit_many": lambda: gn.fit_many([make(), make()], X, y, epochs=1),
        "plot_hidden_space": lambda: viz.plot_hidden_space(make(), X, y),
    }
    for who, call in calls.items():
        with pytest.raises(TypeError, match=rf"{who}.* negative_slope=1.5: use a slope in"):
            call()
    assert gn.fit(make(), X, y, epochs=1, verbose=0).engine == "graph"
    assert hasattr(make()[1], "alpha") and make()[1].negative_slope == 1.5
