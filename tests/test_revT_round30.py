"""Round 30 (revT): mends of the teach3 mends (0cd40e59, 63d7c341, 617912fa).

1. a micrograd network's batch check takes one data point of size-1 arrays again (a list
   of 1-element arrays, a (3, 1) column, ``MLP(1, ...)(np.array([[0.5]]))``), as micrograd
   and glassnet before it did; MLP, Layer and Neuron agree;
2. plot_decision_boundary takes a micrograd network that has ``predict(X)``;
3. a network of the pip ``micrograd`` package is told to rebuild with
   ``glassnet.micrograd.nn`` (draw_graph refuses micrograd's own Value, saying so);
4. a DataFrame, a 2-D torch tensor or a list of Series given to a micrograd network is
   called a batch;
5. plot_training_snapshots' epoch-0 loss is fit's, with l2 and mini-batches and with
   validation_split;
6. fit and Objective given an estimator name the calls with X and y.
"""

from __future__ import annotations

import random

import matplotlib
import numpy as np
import pytest

from glassnet import viz
from glassnet.micrograd.engine import Value
from glassnet.micrograd.nn import MLP, Layer, Neuron

matplotlib.use("Agg")


# ------------------------------------------------- 1. one data point of size-1 items
def _m3() -> MLP:
    random.seed(0)
    return MLP(3, [4, 1])


@pytest.mark.parametrize(
    "x",
    [
        [np.array([1.0]), np.array([2.0]), np.array([3.0])],
        np.array([[1.0], [2.0], [3.0]]),
        (np.array([1.0]), np.array([2.0]), np.array([3.0])),
    ],
    ids=["list of 1-element arrays", "(3, 1) column", "tuple of 1-element arrays"],
)
def test_one_data_point_of_size_1_arrays_works_again(x) -> None:
    """Each was refused as '3 rows of 1 numbers, a batch' (63d7c341); micrograd takes it."""
    out = _m3()(x)
    assert isinstance(out, Value)
    assert out.data == pytest.approx(_m3()([1.0, 2.0, 3.0]).data, abs=0)


@pytest.mark.parametrize(
    "x", [np.array([[0.5]]), [np.array([0.5])], (np.array([0.5]),)], ids=["(1,1)", "list", "tuple"]
)
def test_a_one_input_network_takes_its_one_size_1_array(x) -> None:
    random.seed(1)
    m, layer, neuron = MLP(1, [3, 1]), Layer(1, 2), Neuron(1)
    assert m(x).data == pytest.approx(m([0.5]).data, abs=0)
    assert [v.data for v in layer(x)] == [v.data for v in layer([0.5])]
    assert neuron(x).data == neuron([0.5]).data


@pytest.mark.parametrize("model", [MLP(1, [3, 1]), Layer(1, 2), Neuron(1)], ids=repr)
def test_mlp_layer_and_neuron_agree_on_a_batch_of_rows_of_1(model) -> None:
    """Two rows of one number, for a one-input network: a batch, said alike by all three."""
    for x in ([[0.5], [0.7]], np.array([[0.5], [0.7]]), [np.array([0.5]), np.array([0.7])]):
        with pytest.raises(ValueError) as e:
            model(x)
        why = str(e.value)
        assert "takes one data point (a list of 1 number or Value). Got " in why, why
        assert "2 rows of 1 number, a batch" in why, why


def test_a_batch_message_counts_in_the_singular_where_one() -> None:
    random.seed(0)
    with pytest.raises(ValueError) as e:
        MLP(1, [2, 1])(np.ones((1, 2)))
    why = str(e.value)
    assert "(a list of 1 number or Value). Got an array of shape (1, 2): 1 row of 2 numbers" in why


def test_a_list_of_1_lists_is_still_refused_by_value_as_before() -> None:
    """micrograd fails on it (a list times a float); glassnet before 63d7c341 said Value holds
    one number, and says so again (it is one data point's shape, not a batch)."""
    with pytest.raises(TypeError, match=r"Value holds one real number.*Got \[1\.0\] \(list\)"):
        _m3()([[1.0], [2.0], [3.0]])


def test_the_check_runs_once_per_forward_not_per_layer(monkeypatch) -> None:
    """MLP looks at its input once; its layers' lists of Values are not looked at again."""
    import glassnet.micrograd.nn as nn_mod

    calls = []
    real = nn_mod._batch
    monkeypatch.setattr(nn_mod, "_batch", lambda *a: calls.append(a) or real(*a))
    random.seed(0)
    m = MLP(2, [4, 4, 1])
    m([1.0, 2.0])
    m([Value(1.0), Value(2.0)])
    assert calls == []
    m(np.array([1.0, 2.0]))  # (an array: looked at by the MLP, then by its first layer)
    assert len(calls) <= 2


# ------------------------------------------------- 4. other batch forms
def test_a_dataframe_torch_tensor_or_list_of_series_is_called_a_batch() -> None:
    pd = pytest.importorskip("pandas")
    torch = pytest.importorskip("torch")
    random.seed(0)
    m = MLP(2, [3, 1])
    df = pd.DataFrame({"x1": [1.0, 2.0], "x2": [3.0, 4.0]})
    cases = {
        "a pandas DataFrame of shape (2, 2): 2 rows of 2 numbers": df,
        "a torch Tensor of shape (2, 2): 2 rows of 2 numbers": torch.tensor([[1.0, 2], [3, 4]]),
        "a list of 2 rows of 2 numbers": [df.iloc[0], df.iloc[1]],
        "a list of 3 rows of 2 numbers": [torch.tensor([1.0, 2.0])] * 3,
        "a pandas DataFrame of shape (2, 1): 2 rows of 1 number": df[["x1"]],
    }
    for got, x in cases.items():
        for model, name in ((m, "MLP(2, [3, 1])"), (m.layers[0], "Layer(2, 3)")):
            with pytest.raises(ValueError) as e:
                model(x)
            why = str(e.value)
            assert why.startswith(f"{name} takes one data point"), why
            assert f"Got {got}, a batch" in why, why
    neuron = m.layers[0].neurons[0]
    with pytest.raises(ValueError, match=r"Got a list of 2 rows of 2 numbers, a batch"):
        neuron([df.iloc[0], df.iloc[1]])
    # one row of a DataFrame (a Series) is one data point, as before
    assert isinstance(m(df.iloc[0]), Value)


# ------------------------------------------------- 2. a micrograd network with predict(X)
def test_plot_decision_boundary_takes_a_micrograd_network_with_predict() -> None:
    """Refused as 'micrograd's network of Values' (63d7c341); anything with predict(X)
    was drawn before, the usual way to draw micrograd's moons demo."""

    class Predicting(MLP):
        def predict(self, X):
            return np.array([[float(self(list(map(float, x))).data > 0)] for x in X])

    random.seed(0)
    X = np.random.default_rng(0).standard_normal((8, 2))
    y = (X[:, 0] > 0).astype(float)
    fig = viz.plot_decision_boundary(Predicting(2, [4, 1]), X, y, resolution=10)
    assert fig.axes
    # without predict, still told what it is
    with pytest.raises(TypeError, match="micrograd's network of Values"):
        viz.plot_decision_boundary(MLP(2, [4, 1]), X, y)


# ------------------------------------------------- 3. a network of the pip micrograd package
def test_a_pip_micrograd_network_is_told_to_rebuild_with_glassnet_micrograd() -> None:
    """Each said to draw_graph(m([x1, x2])), which refuses micrograd's own Value."""
    mnn = pytest.importorskip("micrograd.nn")
    import glassnet as gn
    from glassnet.explain import explain

    m = mnn.MLP(2, [2, 1])
    X, Y = gn.datasets.xnor_gate()
    for owner, call in (
        ("fit", lambda: gn.fit(m, X, Y, epochs=1, verbose=0)),
        ("explain", lambda: explain(m, [1.0, 0.0], 1.0)),
        ("draw_network", lambda: viz.draw_network(m, [1.0, 0.0])),
        ("draw_graph", lambda: viz.draw_graph(m)),
    ):
        with pytest.raises(TypeError) as e:
            call()
        why = str(e.value)
        assert why.startswith(f"{owner}: "), why
        assert "(micrograd.nn.MLP)" in why, why
        assert "build it with glassnet.micrograd.nn instead" in why, why
        assert "from glassnet.micrograd.nn import MLP" in why, why
        assert "draw_graph does not read the micrograd package's Values" in why, why
    # the advice works: the same constructor, the same weights after the same seed
    random.seed(5)
    theirs = mnn.MLP(2, [2, 1])
    random.seed(5)
    ours = MLP(2, [2, 1])
    assert [p.data for p in ours.parameters()] == [p.data for p in theirs.parameters()]
    assert "<svg" in viz.draw_graph(ours([1.0, 2.0]))


def test_draw_graph_of_a_pip_micrograd_value_says_to_use_glassnet_micrograd() -> None:
    engine = pytest.importorskip("micrograd.engine")
    a = engine.Value(2.0)
    with pytest.raises(TypeError) as e:
        viz.draw_graph(a * a + 1)
    why = str(e.value)
    assert "Got Value (micrograd.engine.Value), a Value of the micrograd package" in why, why
    assert "from glassnet.micrograd.engine import Value" in why, why
    # a glassnet Value draws
    b = Value(2.0)
    assert "<svg" in viz.draw_graph(b * b + 1)


def test_a_network_whose_layers_raise_is_still_refused_in_words() -> None:
    """A Module subclass whose ``layers`` raises a KeyError made the refusal itself crash."""
    import glassnet as gn
    from glassnet.micrograd.nn import Module

    class Odd(Module):
        @property
        def layers(self):
            raise KeyError("layers")

    X, Y = gn.datasets.xnor_gate()
    with pytest.raises(TypeError, match=r"micrograd's network of Values .*Odd\)"):
        gn.fit(Odd(), X, Y, epochs=1, verbose=0)


# ------------------------------------------------- 5. the epoch-0 snapshot loss is fit's
def _snap_case():
    import glassnet as gn

    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(float)
    m = gn.nn.MLP(
        [2, 4, 1], activation="tanh", output_activation="sigmoid", rng=np.random.default_rng(0)
    )
    return gn, X, y, m


def _titles(fig) -> list[str]:
    return [a.get_title() for a in fig.axes if a.get_title()]


@pytest.mark.parametrize(
    "kw",
    [
        {"loss": "bce", "l2": 1.0, "batch_size": 8},
        {"loss": "bce", "l2": 1.0, "batch_size": 7},
        {"l2": 2.0, "batch_size": 16, "validation_split": 0.25, "seed": 0},
        {"loss": "bce", "validation_split": 0.25, "seed": 0},
        {"loss": "bce", "early_stopping": True, "seed": 3},
        {"l2": 1.0, "batch_size": 5, "validation_split": 0.3, "seed": 1, "sample_weight": "w"},
        {"loss": "bce", "l2": 0.5, "validation_split": 0.25, "seed": "generator"},
        {"loss": "bce", "l2": 0.5, "validation_split": 0.25, "seed": "function"},
    ],
    ids=lambda kw: ",".join(f"{k}={v}" for k, v in kw.items()),
)
def test_epoch_0_loss_is_fits_loss_at_the_same_weights(kw) -> None:
    """lr = 1e-30: epoch 1 keeps epoch 0's weights, so fit's 1-epoch history is the loss
    at epoch 0, as fit counts it. With mini-batches and l2, epoch 0 had l2/(2 n) once
    (fit adds l2/(2 b) per batch); with validation_split, all of X (fit: its training
    rows)."""
    import copy

    gn, X, y, m = _snap_case()
    kw = dict(kw)
    if kw.get("sample_weight") == "w":
        kw["sample_weight"] = np.random.default_rng(2).uniform(0.2, 3.0, len(X))
    seeds = {"generator": lambda: np.random.default_rng(11), "function": lambda: lambda e: 5 + e}
    make_seed = seeds.get(kw.get("seed"), lambda: kw.get("seed"))
    kw["seed"] = make_seed()
    h = gn.fit(copy.deepcopy(m), X, y, epochs=1, lr=1e-30, verbose=0, **kw)
    kw["seed"] = make_seed()
    fig = viz.plot_training_snapshots(copy.deepcopy(m), X, y, epochs=[0, 1], lr=1e-30, **kw)
    titles = _titles(fig)
    assert titles[0] == f"epoch 0, loss {h.loss[0]:.3f}", (titles, h.loss)
    assert titles[1] == f"epoch 1, loss {h.loss[0]:.3f}", (titles, h.loss)


def test_epoch_0_with_the_default_generator_draws_fits_split_and_leaves_it() -> None:
    """seed=None: fit draws the split from glassnet's default generator; epoch 0 reads the
    same rows, and training draws what it drew before (the generator is not advanced)."""
    import copy

    gn, X, y, m = _snap_case()
    kw = {"loss": "bce", "l2": 0.5, "validation_split": 0.25, "batch_size": 6}
    gn.manual_seed(4)
    h = gn.fit(copy.deepcopy(m), X, y, epochs=3, lr=0.1, verbose=0, **kw)
    gn.manual_seed(4)
    titles = _titles(
        viz.plot_training_snapshots(copy.deepcopy(m), X, y, epochs=[0, 3], lr=0.1, **kw)
    )
    assert titles[1] == f"epoch 3, loss {h.loss[2]:.3f}", (titles, h.loss)
    gn.manual_seed(4)
    h0 = gn.fit(copy.deepcopy(m), X, y, epochs=1, lr=1e-30, verbose=0, **kw)
    assert titles[0] == f"epoch 0, loss {h0.loss[0]:.3f}", (titles, h0.loss)


# ------------------------------------------------- 6. fit and Objective given an estimator
def test_fit_and_objective_given_an_estimator_name_the_calls_with_x_and_y() -> None:
    """fit said 'fit(est.model_)' (no X, y) and, unfitted, 'fit it, then fit(est.model_)';
    Objective said 'Objective(est.model_)'."""
    import warnings

    import glassnet as gn
    from glassnet.sklearn import MLPClassifier

    X = np.random.default_rng(0).normal(size=(20, 2))
    y = np.arange(20) % 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = MLPClassifier(hidden_layer_sizes=(3,), max_iter=3, random_state=0).fit(X, y)
    with pytest.raises(TypeError) as e:
        gn.fit(fitted, X, y, epochs=1, verbose=0)
    assert str(e.value).endswith("an estimator; pass its network: fit(est.model_, X, y)."), e.value
    with pytest.raises(TypeError) as e:
        gn.fit(MLPClassifier(), X, y, epochs=1, verbose=0)
    assert str(e.value).endswith(
        "an estimator that has its network once fitted: train it first, est.fit(X, y), then "
        "fit(est.model_, X, y)."
    ), e.value
    from glassnet.objective import evaluate_loss

    for owner, call in (("Objective", gn.Objective), ("evaluate_loss", evaluate_loss)):
        with pytest.raises(TypeError) as e:
            call(fitted, X, y)
        assert str(e.value).endswith(f"pass its network: {owner}(est.model_, X, y)."), e.value
    # the other tools keep their calls, with est.fit(X, y) named for an unfitted one
    with pytest.raises(TypeError, match=r"train it first, est\.fit\(X, y\), then summary\(est"):
        gn.summary(MLPClassifier())


# ------------------------------------------------- minor: p.grad = a Value
@pytest.mark.parametrize("name", ["grad", "data"])
def test_setting_a_value_to_a_value_says_to_take_its_number(name: str) -> None:
    """It read 'use it as it is in the ops, or Value(v.data)', the constructor's advice."""
    p, v = Value(1.0), Value(2.0)
    with pytest.raises(TypeError) as e:
        setattr(p, name, v)
    why = str(e.value)
    assert why.startswith(f"Value.{name} must be a number"), why
    assert f"a Value already: write p.{name} = v.data (its number)" in why, why
    assert "use it as it is in the ops" not in why, why
    setattr(p, name, v.data)
    assert getattr(p, name) == 2.0
