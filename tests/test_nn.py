"""Tests for glassnet.nn: parameters and their names, modes and dropout, state dicts,
reprs, MLP and Neuron, initializers, the Linear layout, configs, and the lecture's
networks (the 2-2-1 chain rule in matrix form, the XNOR table, the AND neuron)."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

import glassnet as gn
from glassnet import functional as F
from glassnet import nn
from glassnet.nn import init
from glassnet.tensor import Tensor

X4 = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


# --------------------------------------------------------------------------- Linear
def test_linear_weight_layout_is_inputs_by_neurons():
    layer = nn.Linear(3, 5, rng=0)
    assert layer.W.shape == (3, 5) and layer.b.shape == (5,)
    assert layer.W.dtype == np.float32 and layer.b.dtype == np.float32
    layer.b.data[:] = np.arange(5)
    X = np.random.default_rng(1).standard_normal((4, 3)).astype(np.float32)
    Z = layer(X)
    assert Z.shape == (4, 5)
    np.testing.assert_allclose(Z.data, X @ layer.W.data + layer.b.data, rtol=1e-6)
    np.testing.assert_array_equal(nn.Linear(3, 5, rng=0).b.data, np.zeros(5))


def test_linear_without_bias_float64_and_custom_init():
    layer = nn.Linear(
        2,
        3,
        bias=False,
        dtype=np.float64,
        init=lambda shape, rng, dtype: np.full(shape, 0.5, dtype=dtype),
    )
    assert layer.b is None and layer.W.dtype == np.float64
    np.testing.assert_array_equal(layer(np.ones((1, 2))).data, [[1.0, 1.0, 1.0]])
    assert [n for n, _ in layer.named_parameters()] == ["W"]


def test_linear_gradients():
    layer = nn.Linear(2, 3, rng=0, dtype=np.float64)
    X = np.array([[1.0, 2.0], [3.0, 4.0]])
    gn.gradcheck(lambda x, w, b: F.linear(x, w, b), X, layer.W.data, layer.b.data)
    layer(X).sum().backward()
    np.testing.assert_allclose(layer.W.grad, X.T @ np.ones((2, 3)))
    np.testing.assert_allclose(layer.b.grad, [2.0, 2.0, 2.0])


def test_wrong_input_width_names_both_shapes():
    model = nn.MLP([3, 4, 2], rng=0)
    with pytest.raises(ValueError) as info:
        model(np.ones((5, 7)))
    msg = str(info.value)
    assert "(5, 7)" in msg and "(3, 4)" in msg and "(N, 3)" in msg


@pytest.mark.parametrize(
    "kw,match",
    [
        ({"inputs": 0, "neurons": 2}, "'inputs'"),
        ({"inputs": 2, "neurons": 1.5}, "'neurons'"),
        ({"inputs": True, "neurons": 2}, "'inputs'"),
        ({"inputs": 2, "neurons": 2, "dtype": np.int32}, "'dtype'"),
        ({"inputs": 2, "neurons": 2, "init": "magic"}, "Unknown initializer 'magic'.*xavier"),
        ({"inputs": 2, "neurons": 3, "init": lambda s, r, d: np.zeros(3)}, r"shape \(3,\)"),
        ({"inputs": 2, "neurons": 2, "rng": "x"}, "'rng' parameter of Linear"),
    ],
)
def test_linear_argument_errors(kw: dict[str, Any], match: str):
    with pytest.raises(ValueError, match=match):
        nn.Linear(**kw)


# --------------------------------------------------------------------------- parameters
def test_named_parameters_use_dotted_names_in_order():
    model = nn.Sequential(nn.Linear(2, 3, rng=0), nn.Tanh(), nn.Linear(3, 1, bias=False, rng=1))
    names = [n for n, _ in model.named_parameters()]
    assert names == ["layers.0.W", "layers.0.b", "layers.2.W"]
    assert model.parameters() == [p for _, p in model.named_parameters()]
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in model.parameters())
    assert model.num_parameters() == 2 * 3 + 3 + 3
    assert [n for n, _ in model.named_parameters(prefix="net")][0] == "net.layers.0.W"


def test_nested_modules_and_shared_parameters():
    class Net(nn.Module):
        def __init__(self) -> None:
            self.encoder = nn.Sequential(nn.Linear(2, 2, rng=0))
            self.head = nn.Linear(2, 1, rng=1)
            self.tied = self.head  # the same module twice: its parameters once
            self.scale = nn.Parameter(np.ones(1))

        def forward(self, x: Tensor) -> Tensor:
            return self.head(self.encoder(x)) * self.scale

    net = Net()
    names = [n for n, _ in net.named_parameters()]
    # PyTorch's order: a module's own parameters before its sub-modules' (set after them)
    assert names == ["scale", "encoder.layers.0.W", "encoder.layers.0.b", "head.W", "head.b"]
    assert [p.label for p in net.parameters()] == names
    assert len(net.parameters()) == 5
    assert net.scale.label == "scale"  # unlabelled parameters take their name
    assert net(np.ones((3, 2))).shape == (3, 1)
    # each module once, as PyTorch's modules(): head is reached twice, listed once
    assert sum(isinstance(m, nn.Linear) for m in net.modules()) == 2
    assert len(list(net.modules())) == len({id(m) for m in net.modules()}) == 4


def test_l2_counts_a_shared_weight_once_on_the_graph():
    # fit's L2 penalty is over the parameters: a Linear used twice is one W, penalized once
    # (modules() listed it twice, so its penalty and gradient were doubled)
    shared = nn.Linear(2, 2, rng=0)
    model = nn.Sequential(shared, nn.Tanh(), shared)
    X = np.array([[0.5, -1.0], [1.5, 0.25], [-0.5, 2.0]])
    y = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]])
    model.to(dtype=np.float64)
    W0, b0 = shared.W.data.copy(), shared.b.data.copy()
    gn.fit(model, X, y, loss="mse", lr=0.1, l2=0.5, epochs=1, verbose=0, engine="graph")
    ref = nn.Sequential(ref_lin := nn.Linear(2, 2, rng=0, dtype=np.float64), nn.Tanh(), ref_lin)
    ref_lin.W.data[...], ref_lin.b.data[...] = W0, b0
    loss = F.mse(ref(Tensor(X)), y) + (ref_lin.W * ref_lin.W).sum() * (0.5 / (2 * len(X)))
    loss.backward()
    np.testing.assert_allclose(shared.W.data, W0 - 0.1 * ref_lin.W.grad, rtol=1e-12)
    np.testing.assert_allclose(shared.b.data, b0 - 0.1 * ref_lin.b.grad, rtol=1e-12)


def test_mlp_labels_layers_like_the_slides():
    model = nn.MLP([2, 3, 1], rng=0)
    assert [p.label for p in model.parameters()] == ["W1", "b1", "W2", "b2"]


def test_zero_grad_resets_every_parameter_in_place():
    model = nn.MLP([2, 3, 1], activation="tanh", rng=0)
    model(X4).sum().backward()
    buffers = [p.grad for p in model.parameters()]
    assert all(np.any(g != 0) for g in buffers)
    model.zero_grad(set_to_none=False)
    assert all(p.grad is g and not np.any(g) for p, g in zip(model.parameters(), buffers))
    model.zero_grad()  # PyTorch's default
    assert all(p.grad is None for p in model.parameters())


def test_parameter_is_a_float_tensor_that_requires_grad():
    p = nn.Parameter([1, 2], label="w")
    assert p.requires_grad and p.dtype == np.float32 and p.label == "w"
    assert repr(p) == (
        "Parameter containing:\nTensor([1., 2.], dtype=float32, label='w', requires_grad=True)"
    )
    assert nn.Parameter(np.ones(2), dtype=np.float32).dtype == np.float32


# --------------------------------------------------------------------------- modes and Dropout
def test_train_and_eval_reach_every_module():
    model = nn.MLP([2, 4, 4, 1], dropout=0.5, rng=0)
    assert all(m.training for m in model.modules())
    assert model.eval() is model and not any(m.training for m in model.modules())
    assert model.train() is model and all(m.training for m in model.modules())
    model.train(False)
    assert not any(m.training for m in model.modules())
    with pytest.raises(ValueError, match="'mode' parameter of MLP.train must be a bool"):
        model.train("no")  # (truthy: it would have switched dropout on)
    assert not any(m.training for m in model.modules())


def test_requires_grad_freezes_parameters_that_fit_then_leaves_alone():
    X = np.random.default_rng(0).standard_normal((8, 2))
    for engine in ("fused", "graph"):
        model = nn.MLP([2, 3, 1], rng=0)
        assert model.layers[0].requires_grad_(False) is model.layers[0]
        before = [p.data.copy() for p in model.parameters()]
        gn.fit(model, X, X[:, :1], epochs=2, lr=0.1, verbose=0, engine=engine)
        after = [p.data for p in model.parameters()]
        assert [np.array_equal(a, b) for a, b in zip(before, after)] == [True, True, False, False]
        assert all(p.requires_grad for p in model.requires_grad_().parameters())
    with pytest.raises(ValueError, match="'requires_grad' parameter"):
        model.requires_grad_("no")


def test_dropout_scales_by_one_over_keep_probability():
    drop = nn.Dropout(0.2, rng=0)
    x = Tensor(np.ones((100, 100)), requires_grad=True)
    y = drop(x)
    kept = y.data != 0
    assert abs(kept.mean() - 0.8) < 0.02
    np.testing.assert_allclose(y.data[kept], 1 / 0.8)
    assert abs(y.data.mean() - 1.0) < 0.03  # inverted dropout keeps the expectation
    y.sum().backward()
    np.testing.assert_allclose(x.grad, kept / 0.8)


def test_dropout_is_the_identity_in_eval_mode():
    drop = nn.Dropout(0.7, rng=0).eval()
    x = Tensor(np.arange(6.0))
    assert drop(x) is x


def test_dropout_seeds_are_reproducible():
    x = np.ones((20, 20))
    a, b, c = nn.Dropout(0.5, rng=3), nn.Dropout(0.5, rng=3), nn.Dropout(0.5, rng=4)
    first = a(x).data
    np.testing.assert_array_equal(first, b(x).data)
    assert not np.array_equal(first, c(x).data)
    assert not np.array_equal(first, a(x).data)  # the next call draws a new mask
    gen = np.random.default_rng(9)
    d = nn.Dropout(0.5, rng=gen)
    assert d.rng is gen


def test_predict_and_score_give_each_module_its_own_mode_back():
    """A sub-module put in eval mode by hand stays so after predict() or a validation score
    (they set every module back to the top module's mode)."""
    from glassnet import functional as F
    from glassnet.tasks import score

    model = nn.MLP([2, 8, 1], dropout=0.5, rng=0)
    model.layers[2].eval()
    modes = [m.training for m in model.modules()]
    model.predict(np.ones((2, 2)))
    assert [m.training for m in model.modules()] == modes
    score(model, F.get_loss("mse"), "mse", np.ones((2, 2)), np.ones((2, 1)))
    assert [m.training for m in model.modules()] == modes


def test_dropout_without_a_seed_draws_from_the_default_generator_at_each_call():
    """As torch.manual_seed: seeding after the model is built makes its masks reproducible
    (the layers kept the generator that was the default when they were built)."""
    x = np.ones((8, 2))
    for model in (nn.Dropout(0.5), nn.MLP([2, 16, 1], dropout=0.5)):
        gn.manual_seed(0)
        first = model(x).data
        gn.manual_seed(0)
        np.testing.assert_array_equal(first, model(x).data)


@pytest.mark.parametrize("p", [1.0001, -0.1, "0.5"])
def test_dropout_probability_is_checked(p: Any):
    with pytest.raises(ValueError, match="'p' parameter of Dropout"):
        nn.Dropout(p)


def test_mlp_dropout_is_active_in_training_only():
    model = nn.MLP([4, 64, 2], dropout=0.5, rng=0)
    assert any(isinstance(m, nn.Dropout) for m in model)
    X = np.ones((3, 4))
    assert not np.allclose(model(X).data, model(X).data)
    out = model.predict(X)
    np.testing.assert_array_equal(out, model.predict(X))
    assert model.training  # predict() restores the mode
    # predict() computes in the model's float32; model(X) with float64 X computes in float64
    np.testing.assert_allclose(model.eval()(X).data, out, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "X,words",
    [
        # 1e39 leaked NumPy's "overflow encountered in cast" (an error under -W error), then
        # predicted from inf; fit and the estimators name the value and the fix
        ([[1e39, 0.0]], r"X holds 1e\+39 at index \(0, 0\), beyond the range of float32"),
        ([[np.nan, 0.0]], r"X contains NaN or inf \(first at index \(0, 0\)\)"),  # was NaN
        ([["1", "2"]], "X must be numeric. It holds text"),  # was NumPy's "could not convert"
    ],
)
def test_predict_names_what_it_cannot_compute(X: Any, words: str):
    model = nn.MLP([2, 3, 1], rng=0)  # float32
    with pytest.raises(ValueError, match="MLP.predict: " + words):
        model.predict(np.array(X))


def test_predict_checks_change_no_result():
    model = nn.MLP([2, 3, 1], rng=0)
    X = np.array([[0.5, -1.0], [2.0, 0.25]])
    expected = model.eval()(X.astype(np.float32)).data
    model.train()
    np.testing.assert_array_equal(model.predict(X), expected)
    assert model.predict(np.zeros((0, 2))).shape == (0, 1)  # an empty batch, as before
    assert model.predict([0.5, -1.0]).shape == (1,)  # one point, 1-D, as before
    assert model.predict(gn.Tensor(X)).dtype == np.float32


def test_predict_takes_inputs_of_any_rank_the_model_takes():
    """predict's check of X refused 5-D inputs that a model of one's own takes ("X must
    have 1 or 2 or 3 or 4 dimensions"), and for a number it said that instead of the
    layer's own message, which names the shape the layer expects."""

    class Scale(nn.Module):  # a model of one's own: one weight times a video's values
        def __init__(self) -> None:
            self.w = nn.Parameter(np.full(1, 2.0, dtype=np.float32))

        def forward(self, x: Any) -> Tensor:
            return x * self.w

    video = np.ones((2, 3, 4, 5, 6))
    assert Scale().predict(video).shape == video.shape
    expects = r"input of shape \(\) does not fit .* expects inputs of shape \(N, 2\) or \(2,\)"
    with pytest.raises(ValueError, match=expects):
        nn.MLP([2, 3, 1], rng=0).predict(1.0)


# --------------------------------------------------------------------------- state dicts
def test_state_dict_round_trip_copies_values():
    a, b = nn.MLP([2, 3, 1], rng=0), nn.MLP([2, 3, 1], rng=1)
    state = a.state_dict()
    assert list(state) == ["layers.0.W", "layers.0.b", "layers.2.W", "layers.2.b"]
    state["layers.0.W"][0, 0] = 100.0  # a copy: the model is unchanged
    assert a.layers[0].W.data[0, 0] != 100.0
    W_buffer = b.layers[0].W.data
    b.load_state_dict(a.state_dict())
    assert b.layers[0].W.data is W_buffer  # loaded in place
    np.testing.assert_array_equal(a.predict(X4), b.predict(X4))


def test_load_state_dict_takes_parameters_and_checks_its_type_when_not_strict():
    """dict(named_parameters()) loads as the arrays do (was: 'setting an array element with a
    sequence'); a list of pairs is refused with strict=False too (it loaded nothing)."""
    a, b = nn.MLP([2, 3, 1], rng=0), nn.MLP([2, 3, 1], rng=1)
    b.load_state_dict(dict(a.named_parameters()))
    np.testing.assert_array_equal(a.predict(X4), b.predict(X4))
    with pytest.raises(TypeError, match="expects the dict returned by state_dict"):
        nn.MLP([2, 3, 1], rng=2).load_state_dict(list(a.state_dict().items()), strict=False)


def test_load_state_dict_not_strict_returns_what_it_did_not_load():
    """As PyTorch: (missing_keys, unexpected_keys), so that a state whose names all differ
    (a prefix, another model) does not load nothing in silence."""
    model = nn.MLP([2, 3, 1], rng=0)
    state = {f"model.{k}": v for k, v in nn.MLP([2, 3, 1], rng=1).state_dict().items()}
    state["layers.0.W"] = np.zeros((2, 3))
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert missing == ["layers.0.b", "layers.2.W", "layers.2.b"]
    assert unexpected == [k for k in state if k.startswith("model.")]
    assert not model.layers[0].W.data.any()
    keys = model.load_state_dict(model.state_dict())
    assert keys.missing_keys == keys.unexpected_keys == []


def test_load_state_dict_strict_names_are_listed():
    model = nn.MLP([2, 3, 1], rng=0)
    state = model.state_dict()
    del state["layers.2.b"]
    state["layers.9.W"] = np.zeros((1, 1))
    with pytest.raises(ValueError) as info:
        model.load_state_dict(state)
    msg = str(info.value)
    assert "missing keys ['layers.2.b']" in msg and "unexpected keys ['layers.9.W']" in msg
    model.load_state_dict(state, strict=False)  # loads what matches


def test_load_state_dict_shape_errors_list_names_and_shapes():
    model = nn.MLP([2, 3, 1], rng=0)
    state = model.state_dict()
    state["layers.0.W"] = np.zeros((3, 2))
    state["layers.2.b"] = np.zeros(2)
    with pytest.raises(
        ValueError,
        match=r"'layers\.0\.W' must be an array of shape \(2, 3\); got float64 \(3, 2\); "
        r"'layers\.2\.b' must be an array of shape \(1,\); got float64 \(2,\)",
    ):
        model.load_state_dict(state, strict=False)


def test_load_state_dict_refuses_nan_and_leaves_the_model_intact():
    model = nn.MLP([2, 3, 1], rng=0)
    before = model.state_dict()
    state = {k: np.full_like(v, 7.0) for k, v in before.items()}
    state["layers.2.b"] = np.array([np.nan])
    with pytest.raises(ValueError, match=r"'layers\.2\.b' contains NaN"):
        model.load_state_dict(state)
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v, before[k])


# --------------------------------------------------------------------------- repr
def test_reprs():
    assert repr(nn.Linear(2, 16, rng=0)) == "Linear(inputs=2, neurons=16)"
    assert repr(nn.Linear(2, 1, bias=False, rng=0)) == "Linear(inputs=2, neurons=1, bias=False)"
    assert repr(nn.Sigmoid()) == "Sigmoid()" and repr(nn.ReLU()) == "ReLU()"
    assert repr(nn.LeakyReLU(0.2)) == "LeakyReLU(alpha=0.2)"
    assert repr(nn.Dropout(0.25)) == "Dropout(p=0.25)"
    assert repr(nn.Sequential(nn.Linear(2, 2, rng=0), nn.Tanh())) == (
        "Sequential(\n  (0): Linear(inputs=2, neurons=2)\n  (1): Tanh()\n)"
    )
    assert repr(nn.MLP([3, 4, 2], activation="tanh", output_activation="softmax", rng=0)) == (
        "MLP(\n  (0): Linear(inputs=3, neurons=4)\n  (1): Tanh()\n"
        "  (2): Linear(inputs=4, neurons=2)\n  (3): Softmax()\n)"
    )
    nested = nn.Sequential(nn.Sequential(nn.Linear(1, 1, rng=0), nn.ReLU()), nn.Sigmoid())
    assert repr(nested) == (  # (a nested container indented as PyTorch indents it)
        "Sequential(\n  (0): Sequential(\n    (0): Linear(inputs=1, neurons=1)\n"
        "    (1): ReLU()\n  )\n  (1): Sigmoid()\n)"
    )
    assert repr(nn.Sequential()) == "Sequential()"


# --------------------------------------------------------------------------- activation modules
@pytest.mark.parametrize(
    "module,fn",
    [
        (nn.Sigmoid(), F.sigmoid),
        (nn.Tanh(), F.tanh),
        (nn.ReLU(), F.relu),
        (nn.LeakyReLU(0.3), lambda z: F.leaky_relu(z, 0.3)),
        (nn.Identity(), F.identity),
        (nn.Softmax(), F.softmax),
    ],
)
def test_activation_modules_call_functional(module: nn.Module, fn: Any):
    z = Tensor(np.array([[-2.0, 0.5, 3.0]]))
    np.testing.assert_array_equal(module(z).data, fn(z).data)
    assert module.parameters() == []
    if isinstance(module, nn.ActivationModule):
        assert module.activation is F.ACTIVATIONS[module.name]


def test_activation_module_lookup():
    assert isinstance(nn.activation_module("logistic"), nn.Sigmoid)
    assert isinstance(nn.activation_module("leaky_relu"), nn.LeakyReLU)
    relu = nn.ReLU()
    assert nn.activation_module(relu) is relu
    with pytest.raises(ValueError, match="Unknown activation"):
        nn.activation_module("gelu")
    with pytest.raises(ValueError, match="'alpha'"):
        nn.LeakyReLU(float("nan"))


def test_sequential_container():
    layers = [nn.Linear(2, 3, rng=0), nn.ReLU(), nn.Linear(3, 1, rng=1)]
    seq = nn.Sequential(layers)
    assert len(seq) == 3 and list(seq) == layers and seq[1] is layers[1]
    head = seq[:2]
    assert isinstance(head, nn.Sequential) and head(X4).shape == (4, 3)
    np.testing.assert_array_equal(seq(X4).data, layers[2](layers[1](layers[0](X4))).data)
    with pytest.raises(TypeError, match="layer 1 must be a glassnet Module"):
        nn.Sequential(nn.ReLU(), lambda x: x)


# --------------------------------------------------------------------------- MLP
def test_mlp_per_layer_activations():
    model = nn.MLP(
        [2, 4, 3, 1],
        activation=["tanh", "leaky_relu"],
        output_activation="logistic",
        leaky_alpha=0.1,
        rng=0,
    )
    kinds = [type(m) for m in model]
    assert kinds == [nn.Linear, nn.Tanh, nn.Linear, nn.LeakyReLU, nn.Linear, nn.Sigmoid]
    assert model[3].alpha == 0.1
    assert model.activations == ["tanh", "leaky_relu"] and model.output_activation == "sigmoid"
    assert [m.init for m in model if isinstance(m, nn.Linear)] == [
        "xavier_uniform",
        "he_uniform",
        "xavier_uniform",
    ]  # 'auto': He before ReLU-like
    out = model(np.ones((5, 2)))
    assert out.shape == (5, 1) and np.all((out.data > 0) & (out.data < 1))


def test_mlp_identity_output_and_no_hidden_layer():
    model = nn.MLP([3, 2], rng=0)
    assert [type(m) for m in model] == [nn.Linear]
    assert nn.MLP([3, 2], activation=[], rng=0).sizes == [3, 2]


def test_mlp_same_seed_same_weights():
    a, b = nn.MLP([2, 5, 1], rng=7), nn.MLP([2, 5, 1], rng=7)
    for (na, pa), (nb, pb) in zip(a.named_parameters(), b.named_parameters()):
        assert na == nb
        np.testing.assert_array_equal(pa.data, pb.data)
    assert not np.array_equal(a.layers[0].W.data, nn.MLP([2, 5, 1], rng=8).layers[0].W.data)
    assert nn.MLP([2, 2], dtype=np.float64, rng=0).layers[0].W.dtype == np.float64


@pytest.mark.parametrize("sizes", [np.array([2, 5, 1]), range(2, 5), (2, 5, 1)])
def test_mlp_sizes_from_any_sequence_of_ints(sizes):
    """A NumPy array or a range of widths builds the same MLP as the list, JSON config too."""
    a, b = nn.MLP(sizes, rng=7), nn.MLP([int(s) for s in sizes], rng=7)
    assert json.loads(json.dumps(a.config())) == b.config()
    for pa, pb in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(pa.data, pb.data)


@pytest.mark.parametrize(
    "kw,exc,match",
    [
        ({"sizes": [2]}, ValueError, "at least an input and an output"),
        ({"sizes": 3}, ValueError, "'sizes'"),
        ({"sizes": [2, 0, 1]}, ValueError, "'sizes'.*Got 0"),
        ({"sizes": [2, 3.5, 1]}, ValueError, "'sizes'"),
        (
            {"sizes": [2, 3, 3, 1], "activation": ["relu"]},
            ValueError,
            "2 hidden layers but 1 activations",
        ),
        (
            {"sizes": [2, 3, 1], "activation": "swish"},
            ValueError,
            "Unknown activation 'swish'. Valid names: .*leaky_relu.*relu.*sigmoid.*tanh",
        ),
        (
            {"sizes": [2, 3, 1], "activation": ["relu", "mystery"][1:]},
            ValueError,
            "Unknown activation 'mystery'",
        ),
        (
            {"sizes": [2, 3, 1], "output_activation": "soft"},
            ValueError,
            "Unknown activation 'soft'",
        ),
        ({"sizes": [2, 3, 1], "dropout": -0.5}, ValueError, "'dropout'"),
        ({"sizes": [2, 3, 1], "dropout": 1.0}, ValueError, "'dropout'"),
        ({"sizes": [2, 3, 1], "dtype": np.float16}, ValueError, "'dtype'"),
        ({"sizes": [2, 3, 1], "activation": None}, TypeError, "activation must be .* Got None"),
        ({"sizes": [2, 3, 1], "activation": nn.ReLU()}, TypeError, "activation must .* Got ReLU"),
        ({"sizes": [2, 3, 1], "leaky_alpha": "a"}, ValueError, "'leaky_alpha' parameter of MLP"),
        ({"sizes": [2, 3, 1], "leaky_alpha": -1}, ValueError, "'leaky_alpha' parameter of MLP"),
        ({"sizes": [2, 3, 1], "rng": -1}, ValueError, "'rng' parameter of MLP"),
    ],
)
def test_mlp_errors(kw: dict[str, Any], exc: type, match: str):
    with pytest.raises(exc, match=match):
        nn.MLP(**kw)


# --------------------------------------------------------------------------- Neuron
def test_neuron_is_logistic_regression():
    neuron = nn.Neuron(3, "sigmoid", rng=0, dtype=np.float64)
    w, w0 = np.array([0.5, -1.0, 2.0]), 0.25
    neuron.set_weights(w, w0)
    np.testing.assert_array_equal(neuron.weights, w)
    assert neuron.bias == w0
    X = np.random.default_rng(0).standard_normal((6, 3))
    expected = 1 / (1 + np.exp(-(w0 + X @ w)))
    np.testing.assert_allclose(neuron.predict(X).ravel(), expected)
    assert [p.label for p in neuron.parameters()] == ["w", "w0"]


def test_neuron_is_linear_regression_with_the_slides_gradient():
    neuron = nn.Neuron(2, "identity", rng=0, dtype=np.float64)
    neuron.set_weights([2.0, -3.0], 1.0)
    X, y = np.array([[1.0, 2.0], [0.5, -1.0]]), np.array([[0.0], [1.0]])
    y_hat = neuron(X)
    np.testing.assert_allclose(y_hat.data.ravel(), 1.0 + X @ [2.0, -3.0])
    F.mse(y_hat, y, half=True, reduction="sum").backward()
    # dL/dw_j = sum_n (y_hat - y) g'(z) x_j with g' = 1; dL/dw_0 = sum_n (y_hat - y)
    err = y_hat.data - y
    np.testing.assert_allclose(neuron.layers[0].W.grad, X.T @ err)
    np.testing.assert_allclose(neuron.layers[0].b.grad, err.sum(axis=0))


def test_neuron_set_weights_checks_length():
    with pytest.raises(ValueError, match="expected 2 weights. Got 3"):
        nn.Neuron(2).set_weights([1.0, 2.0, 3.0], 0.0)
    n = nn.Neuron(2, rng=0)
    before = n.state_dict()
    for w, w0, match in (
        (["a", "b"], 0.0, "set_weights: w must be numeric"),
        ([1.0, np.nan], 0.0, "w contains NaN"),
        ([1.0, 2.0], "x", "'w0' parameter of Neuron.set_weights"),
        ([1.0, 2.0], [1.0, 2.0], "'w0' parameter"),
    ):
        with pytest.raises(ValueError, match=match):
            n.set_weights(w, w0)
    assert all(np.array_equal(v, n.state_dict()[k]) for k, v in before.items())  # untouched


def test_the_slides_and_neuron():
    neuron = nn.Neuron(2, "sigmoid", rng=0)
    neuron.set_weights([1.0, 1.0], -1.5)  # z = -1.5 + x1 + x2
    pred = (neuron.predict(X4) > 0.5).ravel().astype(int)
    np.testing.assert_array_equal(pred, [0, 0, 0, 1])


# --------------------------------------------------------------------------- the XNOR network
def _xnor_hidden() -> nn.Sequential:
    layer = nn.Linear(2, 2, dtype=np.float64, rng=0)
    layer.W.data[...] = [[4.0, -4.0], [4.0, -4.0]]  # column i: neuron i's weights
    layer.b.data[...] = [-6.0, 2.0]
    return nn.Sequential(layer, nn.Sigmoid())


def test_the_slides_xnor_hidden_table():
    hidden = _xnor_hidden()
    A = hidden.predict(X4)
    np.testing.assert_array_equal(
        np.round(A, 3), [[0.002, 0.881], [0.119, 0.119], [0.119, 0.119], [0.881, 0.002]]
    )
    out = nn.Neuron(2, "sigmoid", rng=0, dtype=np.float64)
    out.set_weights([1.0, 1.0], -0.5)  # z = -0.5 + a1 + a2
    pred = (nn.Sequential(hidden, out).predict(X4) > 0.5).ravel().astype(int)
    np.testing.assert_array_equal(pred, [1, 0, 0, 1])  # XNOR


def test_xnor_as_an_mlp_with_loaded_weights():
    model = nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=0)
    model.load_state_dict(
        {
            "layers.0.W": [[4, -4], [4, -4]],
            "layers.0.b": [-6, 2],
            "layers.2.W": [[1], [1]],
            "layers.2.b": [-0.5],
        }
    )
    np.testing.assert_array_equal((model.predict(X4) > 0.5).ravel(), [True, False, False, True])


# ------------------------------------------------------------- the 2-2-1 network as matrices
@pytest.mark.parametrize("name", ["sigmoid", "identity", "tanh", "relu", "leaky_relu"])
def test_lecture_2_2_1_network_matrix_form_matches_scalar_form(name: str):
    w1, w2, w3, w4, w5, w6 = 0.8, -0.4, -0.3, 0.9, 1.2, 0.7
    x1, x2, y = 0.5, -1.0, 0.2
    # scalar form, as on the slides
    s = {
        k: Tensor(v, requires_grad=True, dtype=np.float64, label=k)
        for k, v in dict(w1=w1, w2=w2, w3=w3, w4=w4, w5=w5, w6=w6, x1=x1, x2=x2).items()
    }
    a1 = F.activation(s["w1"] * s["x1"] + s["w3"] * s["x2"], name)
    a2 = F.activation(s["w2"] * s["x1"] + s["w4"] * s["x2"], name)
    y_hat_s = F.activation(s["w5"] * a1 + s["w6"] * a2, name)
    L_s = (y_hat_s - y) ** 2 * 0.5
    L_s.backward()
    # matrix form: W1 column i holds hidden neuron i's weights, no bias (the slides have none)
    act = nn.activation_module(name)
    net = nn.Sequential(
        nn.Linear(2, 2, bias=False, dtype=np.float64, rng=0),
        act,
        nn.Linear(2, 1, bias=False, dtype=np.float64, rng=0),
        act,
    )
    net.load_state_dict({"layers.0.W": [[w1, w2], [w3, w4]], "layers.2.W": [[w5], [w6]]})
    X = Tensor(np.array([[x1, x2]]), requires_grad=True)
    y_hat = net(X)
    L = F.mse(y_hat, [[y]], half=True, reduction="sum")
    L.backward()
    assert L.item() == pytest.approx(L_s.item(), abs=1e-15)
    W1, W2 = net.layers[0].W.grad, net.layers[2].W.grad
    np.testing.assert_allclose(
        W1, [[s["w1"].grad, s["w2"].grad], [s["w3"].grad, s["w4"].grad]], atol=1e-15
    )
    np.testing.assert_allclose(W2.ravel(), [s["w5"].grad, s["w6"].grad], atol=1e-15)
    np.testing.assert_allclose(X.grad.ravel(), [s["x1"].grad, s["x2"].grad], atol=1e-15)


# --------------------------------------------------------------------------- initializers
@pytest.mark.parametrize(
    "name,bound",
    [
        ("xavier_uniform", np.sqrt(6 / (300 + 200))),
        ("he_uniform", np.sqrt(6 / 300)),
        ("uniform", 0.05),
    ],
)
def test_uniform_initializers_bounds_and_spread(name: str, bound: float):
    W = init.get_initializer(name)((300, 200), rng=0)
    assert W.shape == (300, 200) and W.dtype == np.float32
    assert np.abs(W).max() <= bound and np.abs(W).max() > 0.99 * bound
    assert abs(W.std() - bound / np.sqrt(3)) < 0.02 * bound
    assert abs(W.mean()) < 0.01 * bound


@pytest.mark.parametrize(
    "name,std",
    [
        ("xavier_normal", np.sqrt(2 / (300 + 200))),
        ("he_normal", np.sqrt(2 / 300)),
        ("normal", 0.01),
    ],
)
def test_normal_initializers_std(name: str, std: float):
    W = init.get_initializer(name)((300, 200), rng=1)
    assert W.shape == (300, 200)
    assert abs(W.std() - std) < 0.02 * std and abs(W.mean()) < 0.02 * std


def test_initializer_options_and_constants():
    W = init.xavier_uniform((10, 10), rng=0, gain=2.0)
    assert np.abs(W).max() <= 2.0 * np.sqrt(6 / 20)
    W = init.normal((200, 200), rng=0, mean=3.0, std=0.5, dtype=np.float64)
    assert W.dtype == np.float64 and abs(W.mean() - 3.0) < 0.01 and abs(W.std() - 0.5) < 0.01
    assert np.all(init.uniform((50,), rng=0, low=2.0, high=3.0) >= 2.0)
    np.testing.assert_array_equal(init.zeros((2, 3)), np.zeros((2, 3)))
    np.testing.assert_array_equal(init.constant((2,), value=1.5), [1.5, 1.5])
    assert init.he_normal((4,), rng=0).shape == (4,)  # 1-D: fan_in = fan_out = size


@pytest.mark.parametrize("name", sorted(init.INITIALIZERS))
def test_initializers_are_reproducible_from_a_seed_or_generator(name: str):
    fn = init.get_initializer(name)
    np.testing.assert_array_equal(fn((4, 3), rng=5), fn((4, 3), rng=5))
    gen = np.random.default_rng(5)
    first, second = fn((4, 3), rng=gen), fn((4, 3), rng=gen)
    np.testing.assert_array_equal(first, fn((4, 3), rng=5))  # a Generator is used as given
    if name not in ("zeros", "constant"):
        assert not np.array_equal(first, second)  # ... and advanced


def test_initializer_lookup():
    assert init.get_initializer("glorot_uniform") is init.xavier_uniform
    assert init.get_initializer("kaiming_normal") is init.he_normal
    custom = lambda shape, rng, dtype: np.zeros(shape, dtype)  # noqa: E731
    assert init.get_initializer(custom) is custom
    with pytest.raises(ValueError, match="Unknown initializer 'magic'. Valid names: .*he_normal"):
        init.get_initializer("magic")
    with pytest.raises(TypeError, match="The 'rng' parameter of an initializer"):
        init.xavier_uniform((2, 2), rng="zero")  # (the argument is rng, not 'seed')
    with pytest.raises(ValueError, match="The 'rng' parameter of an initializer"):
        init.he_normal((2, 2), rng=-1)


# --------------------------------------------------------------------------- configs
CONFIG_MODELS = [
    lambda: nn.MLP(
        [3, 5, 4, 2],
        activation=["tanh", "leaky_relu"],
        output_activation="softmax",
        dropout=0.1,
        leaky_alpha=0.2,
        rng=0,
    ),
    lambda: nn.MLP([3, 1], dtype=np.float64, rng=0),
    lambda: nn.Neuron(3, "identity", rng=0),
    lambda: nn.Linear(3, 2, bias=False, rng=0),
    lambda: nn.Sequential(
        nn.Linear(3, 4, rng=0),
        nn.LeakyReLU(0.3),
        nn.Dropout(0.2),
        nn.Linear(4, 2, rng=1),
        nn.Sigmoid(),
        nn.Identity(),
    ),
]


@pytest.mark.parametrize("make", CONFIG_MODELS)
def test_from_config_round_trip(make: Any):
    model = make()
    cfg = json.loads(json.dumps(model.config()))
    rebuilt = nn.from_config(cfg)
    assert type(rebuilt) is type(model)
    assert rebuilt.config() == model.config()
    assert repr(rebuilt) == repr(model)
    rebuilt.load_state_dict(model.state_dict())
    X = np.random.default_rng(0).standard_normal((4, 3))
    np.testing.assert_array_equal(rebuilt.predict(X), model.predict(X))


def test_from_config_errors():
    with pytest.raises(ValueError, match="'type' key"):
        nn.from_config({"sizes": [2, 1]})
    with pytest.raises(ValueError, match="unknown module type 'Conv2d'"):
        nn.from_config({"type": "Conv2d"})
    with pytest.raises(ValueError, match="Sequential cannot be built from .*'layers'"):
        nn.from_config({"type": "Sequential"})  # (was a KeyError)
    with pytest.raises(NotImplementedError, match="config"):
        nn.Module().config()
    with pytest.raises(NotImplementedError, match="forward"):
        nn.Module()(np.ones(2))


def test_from_config_refuses_an_argument_the_module_does_not_take():
    with pytest.raises(ValueError, match="Linear cannot be built from .*'kernel'"):
        nn.from_config({"type": "Linear", "inputs": 2, "neurons": 1, "kernel": 3})
    assert repr(nn.from_config({"type": "LeakyReLU"})) == "LeakyReLU(alpha=0.01)"


def test_activation_module_builds_leaky_relu_with_its_slope():
    assert repr(nn.activation_module("leaky_relu", 0.2)) == "LeakyReLU(alpha=0.2)"
    assert isinstance(nn.activation_module("tanh"), nn.Tanh)
    relu = nn.ReLU()
    assert nn.activation_module(relu) is relu


def test_width_errors_read_as_before():
    with pytest.raises(
        ValueError, match=r"^The 'neurons' parameter of Linear must be an int >= 1\. Got 0\.$"
    ):
        nn.Linear(2, 0)
    with pytest.raises(
        ValueError, match=r"'sizes' parameter of MLP must be an int >= 1\. Got 2\.5"
    ):
        nn.MLP([2, 2.5, 1])


@pytest.mark.parametrize("bad, error", [("os.system", ValueError), (5, TypeError)])
def test_mlp_checks_its_hidden_activation_with_no_hidden_layer_too(bad, error):
    # MLP([2, 1], activation="os.system") was accepted: no hidden layer read the name
    with pytest.raises(error, match="activation"):
        nn.MLP([2, 1], activation=bad)
    assert len(nn.MLP([2, 1], activation="tanh").layers) == 1  # (a good name: as before)
