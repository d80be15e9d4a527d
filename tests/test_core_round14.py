"""PyTorch habits a porting user reaches for: set_default_dtype reaching new layers,
forward hooks, add_module / register_parameter / parameters(recurse=False) / cpu(),
functional.logsumexp in the graph; and fit's refusal of a softmax over one output."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet import functional as F
from glassnet import nn
from glassnet.fused import layers_of


@pytest.fixture
def float64_default():
    gn.set_default_dtype(np.float64)
    yield
    gn.set_default_dtype(np.float32)


@pytest.mark.parametrize(
    "make",
    [
        lambda: nn.Linear(2, 3),
        lambda: nn.MLP([2, 3, 1]),
        lambda: nn.Neuron(2),
        lambda: nn.BatchNorm1d(3),
        lambda: nn.LayerNorm(3),
    ],
)
def test_set_default_dtype_reaches_new_layers(make, float64_default):
    m = make()
    assert {p.dtype for p in m.parameters()} == {np.dtype(np.float64)}
    assert all(b.dtype == np.float64 for b in m.buffers() if b.dtype.kind == "f")


def test_default_dtype_float32_and_an_explicit_dtype_wins(float64_default):
    assert nn.Linear(2, 3, dtype=np.float32).W.dtype == np.float32
    gn.set_default_dtype(np.float32)
    assert nn.Linear(2, 3).W.dtype == np.float32
    assert nn.MLP([2, 2], dtype="float64").layers[0].W.dtype == np.float64


def test_a_float64_default_gives_float64_gradients(float64_default):
    """The gradient check a PyTorch user runs after set_default_dtype(float64)."""
    lin = nn.Linear(3, 2, rng=0)
    x = np.random.default_rng(1).normal(size=(4, 3))
    lin(x).pow(2).sum().backward()
    W = lin.W.data.copy()
    num = np.zeros_like(W)
    for idx in np.ndindex(W.shape):
        for sign in (1, -1):
            lin.W.data[...] = W
            lin.W.data[idx] += sign * 1e-6
            with gn.no_grad():
                num[idx] += sign * float(lin(x).pow(2).sum().item()) / 2e-6
    assert lin.W.grad.dtype == np.float64
    np.testing.assert_allclose(lin.W.grad, num, rtol=1e-7, atol=1e-8)


def test_logsumexp_of_a_tensor_is_a_graph_node():
    rng = np.random.default_rng(0)
    z = gn.Tensor(rng.normal(size=(3, 4)), requires_grad=True)
    v = F.logsumexp(z, 1)
    np.testing.assert_allclose(v.data, np.log(np.exp(z.data).sum(1, keepdims=True)))
    (v * gn.Tensor(np.arange(1.0, 4.0)[:, None])).sum().backward()
    soft = np.exp(z.data) / np.exp(z.data).sum(1, keepdims=True)
    np.testing.assert_allclose(z.grad, soft * np.arange(1.0, 4.0)[:, None], rtol=1e-12)
    report = gn.gradcheck(lambda t: (F.logsumexp(t, 0) ** 2).sum(), z.data)
    assert report.ok


def test_logsumexp_of_a_tensor_stays_finite_at_large_values():
    z = gn.Tensor(np.array([[1e4, 1e4 - 1.0, -1e4]]), requires_grad=True)
    v = F.logsumexp(z)
    v.sum().backward()
    assert np.isfinite(v.data).all() and np.isfinite(z.grad).all()
    np.testing.assert_allclose(z.grad.sum(), 1.0)


def test_forward_hook_sees_and_replaces_the_output():
    net = nn.MLP([2, 3, 1], activation="tanh", rng=0)
    X = np.random.default_rng(0).normal(size=(5, 2))
    kept = []
    handle = net.layers[1].register_forward_hook(lambda m, args, out: kept.append(out.data))
    base = net(X).data
    assert len(kept) == 1 and kept[0].shape == (5, 3)
    np.testing.assert_array_equal(kept[0], np.tanh(X @ net.layers[0].W.data + net.layers[0].b.data))
    h2 = net.layers[1].register_forward_hook(lambda m, args, out: out * 0)
    np.testing.assert_allclose(net(X).data, np.broadcast_to(net.layers[2].b.data, (5, 1)))
    h2.remove()
    np.testing.assert_array_equal(net(X).data, base)
    handle.remove()
    assert "_hooked" not in vars(net.layers[1])


def test_forward_pre_hook_replaces_the_input_and_handles_close():
    lin = nn.Linear(2, 1, rng=0)
    X = np.ones((3, 2))
    with lin.register_forward_pre_hook(lambda m, args: args[0] * 2):
        np.testing.assert_allclose(lin(X).data, (2 * X) @ lin.W.data + lin.b.data)
    np.testing.assert_allclose(lin(X).data, X @ lin.W.data + lin.b.data)


def test_hooks_order_prepend_and_with_kwargs():
    class Scale(nn.Module):
        def forward(self, x, k=1.0):
            return x * k

    m, order = Scale(), []
    m.register_forward_hook(lambda mod, a, out: order.append("first"))
    m.register_forward_hook(lambda mod, a, out: order.append("prepended"), prepend=True)
    m.register_forward_pre_hook(lambda mod, a, kw: (a, {**kw, "k": 3.0}), with_kwargs=True)
    out = m(np.ones(2), k=2.0)
    assert order == ["prepended", "first"]
    np.testing.assert_array_equal(out.data, [3.0, 3.0])
    with pytest.raises(ValueError, match="always_call"):
        m.register_forward_hook(lambda *a: None, always_call=True)
    with pytest.raises(TypeError, match="returns None or \\(args, kwargs\\)"):
        m.register_forward_pre_hook(lambda mod, a, kw: a, with_kwargs=True)
        m(np.ones(2))


def test_fit_runs_a_hooked_model_on_the_graph_and_readers_refuse_it():
    net = nn.MLP([2, 3, 1], activation="tanh", rng=0)
    X = np.random.default_rng(0).normal(size=(8, 2))
    seen = []
    handle = net.layers[1].register_forward_hook(lambda m, a, out: seen.append(1))
    hist = gn.fit(net, X, X[:, :1], loss="mse", lr=0.1, epochs=3, verbose=0)
    assert hist.engine == "graph" and len(seen) == 3
    with pytest.raises(TypeError, match="forward hooks"):
        layers_of(net)
    with pytest.raises((TypeError, ValueError), match="hooks"):
        gn.fit(net, X, X[:, :1], loss="mse", epochs=1, verbose=0, engine="fused")
    handle.remove()
    assert gn.fit(net, X, X[:, :1], loss="mse", epochs=1, verbose=0).engine == "fused"


def test_add_module_register_parameter_recurse_and_cpu():
    m = nn.Module()
    m.register_parameter("scale", nn.Parameter(np.ones(2)))
    m.add_module("fc", nn.Linear(2, 2))
    m.register_module("head", nn.Linear(2, 1))
    m.register_parameter("unused", None)
    assert [n for n, _ in m.named_parameters()] == ["scale", "fc.W", "fc.b", "head.W", "head.b"]
    assert [n for n, _ in m.named_parameters(recurse=False)] == ["scale"]
    assert m.parameters(recurse=False) == [m.scale]
    assert m.cpu() is m
    with pytest.raises(TypeError, match="nn.Parameter"):
        m.register_parameter("w", np.ones(2))
    with pytest.raises(KeyError, match="without '.'"):
        m.add_module("a.b", nn.Linear(1, 1))
    with pytest.raises(KeyError, match="already exists"):
        m.add_module("forward", nn.Linear(1, 1))
    with pytest.raises(TypeError):
        m.add_module("x", 3)
    with pytest.raises(TypeError, match="recurse"):
        m.parameters(recurse="no")


@pytest.mark.parametrize(
    "model",
    [lambda: nn.MLP([2, 3, 1], output_activation="softmax"), lambda: nn.Neuron(2, "softmax")],
)
def test_fit_refuses_a_softmax_over_one_output(model):
    X = np.random.default_rng(0).normal(size=(4, 2))
    with pytest.raises(ValueError, match="softmax over one output"):
        gn.fit(model(), X, np.array([0.0, 1, 1, 0]), loss="mse", epochs=2, verbose=0)


def test_an_estimators_predictions_run_a_hook_on_its_activation_layer():
    from glassnet.sklearn import MLPClassifier

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 4))
    clf = MLPClassifier(hidden_layer_sizes=(5,), max_iter=5, random_state=0)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(X, (X[:, 0] > 0).astype(int))
    base = clf.predict_proba(X)
    kept = []
    handle = clf.model_.layers[1].register_forward_hook(lambda m, a, out: kept.append(out.data))
    np.testing.assert_array_equal(clf.predict_proba(X), base)
    handle.remove()
    assert len(kept) == 1 and kept[0].shape == (60, 5) and (kept[0] >= 0).all()


def test_add_module_on_a_sequential_appends_or_replaces_a_layer():
    s = nn.Sequential(nn.Linear(2, 3, rng=0), nn.ReLU())
    s.add_module("2", nn.Linear(3, 1, rng=0))
    assert len(s) == 3 and s(np.ones((4, 2))).shape == (4, 1)
    assert [n for n, _ in s.named_parameters()] == [
        "layers.0.W",
        "layers.0.b",
        "layers.2.W",
        "layers.2.b",
    ]
    tanh = nn.Tanh()
    s.register_module("1", tanh)
    assert s.layers[1] is tanh and len(s) == 3
    for name in ("act", "7"):
        with pytest.raises(ValueError, match="append"):
            s.add_module(name, nn.ReLU())
    with pytest.raises(ValueError, match="append"):
        s.add_module("3", None)
    assert len(s) == 3


def test_an_estimators_predictions_leave_a_hooked_linears_output_as_it_was():
    import warnings

    from glassnet.sklearn import MLPClassifier

    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    clf = MLPClassifier(hidden_layer_sizes=(5,), activation="tanh", max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(X, (X[:, 0] > 0).astype(int))
    base = clf.predict_proba(X)
    got = {}
    lin = clf.model_.layers[0]
    with lin.register_forward_hook(lambda m, a, out: got.setdefault("z", out.data)):
        np.testing.assert_array_equal(clf.predict_proba(X), base)
    np.testing.assert_allclose(got["z"], X @ lin.W.data + lin.b.data)
    with (
        clf.model_.register_forward_hook(lambda m, a, out: out),
        pytest.raises(ValueError, match="model_.layers"),
    ):
        clf.predict_proba(X)
    # the output activation's hook too (they apply the head in float64 themselves)
    with (
        clf.model_.layers[-1].register_forward_hook(lambda m, a, out: out),
        pytest.raises(ValueError, match="output layer has forward hooks"),
    ):
        clf.predict_proba(X)


def test_logsumexp_of_a_tensor_over_every_axis():
    a = np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(F.logsumexp(gn.Tensor(a), axis=None).data, F.logsumexp(a, axis=None))
