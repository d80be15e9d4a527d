"""Core mends of round 18."""

import numpy as np
import pytest

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
    with pytest.raises(ValueError, match="the batch is empty"):  # (no gradient written)
        FastMLP(layers_of(model), "mse").step(X, np.zeros((0, 1), np.float32))
    assert all(p.grad is None for p in model.parameters())
    Xs = np.ones((4, 2), np.float32)  # a batch after the empty one is computed as ever
    np.testing.assert_array_equal(
        FastMLP(layers_of(model), "mse").forward(Xs)[-1], model(gn.tensor(Xs)).data
    )


def test_a_slope_outside_the_fast_paths_range_is_refused_naming_the_caller():
    """A LeakyReLU slope outside [0, 1) (the graph's any finite slope) is refused by what
    reads the fast path's layers, each naming itself and what to do; fit takes the graph."""
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


def _resume_data():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(40, 3)).astype(np.float32)
    return X, (X @ np.array([[1.0], [-2.0], [0.5]], np.float32)).astype(np.float32)


def _resumed(rules, split, epochs, **kw):
    """(the uninterrupted history, the resumed call's history and the two models' weights):
    the same rules objects given to both calls of the split run, as fit's docstring says."""
    X, y = _resume_data()
    out = []
    for cut in (None, split):
        gn.manual_seed(0)
        model = gn.nn.Sequential(gn.nn.Linear(3, 8), gn.nn.Tanh(), gn.nn.Linear(8, 1))
        opt = gn.optim.SGD(model.parameters(), lr=0.05)
        made = rules()
        common = dict(optimizer=opt, stop_rules=made, verbose=0, seed=lambda e: e, **kw)
        if cut is None:
            h = gn.fit(model, X, y, epochs=epochs, **common)
        else:
            gn.fit(model, X, y, epochs=cut, **common)
            h = gn.fit(model, X, y, epochs=epochs, initial_epoch=cut, **common)
        out.append((h, [p.data.copy() for p in model.parameters()]))
    return out


def test_a_weight_change_rule_resumed_counts_on():
    """WeightChange given to both calls of a split run stops where the unbroken run stops
    (its count of slow epochs started again at each call: it stopped later)."""
    (whole, w1), (part, w2) = _resumed(lambda: [gn.train.WeightChange(0.08, 3)], 9, 60)
    assert whole.stop_reason == part.stop_reason == "weight_change"
    assert whole.epochs == part.epochs
    for a, b in zip(w1, w2):
        np.testing.assert_array_equal(a, b)


def test_a_resumed_rule_keeps_its_best_epoch():
    """A rule resumed past its best epoch reports that epoch (best_epoch was None)."""
    rules = lambda: [gn.train.EarlyStopping(0.0, 3)]  # noqa: E731
    (whole, _), (part, _) = _resumed(rules, 11, 40, validation_split=0.25)
    assert whole.stop_reason == "early_stopping" and whole.best_epoch is not None
    assert part.best_epoch == whole.best_epoch
    assert part.best_epoch <= 11 < part.epochs  # (the best came before the resumed call)
