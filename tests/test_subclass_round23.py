"""A subclass of a built-in layer with a forward of its own (a scaled tanh, a Linear of its
own maths, a residual Sequential, a temperature head) is trained as it computes: the fast
path, which reads glassnet's layers by their class, leaves it to the graph (or refuses it
when asked for by name), and the graph scores a head of yours on its real output. A
subclass that keeps the built-in forward keeps the fast path, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet import functional as F
from glassnet import nn
from glassnet.diagnostics import activation_stats
from glassnet.tasks import builtin_forward

X = np.random.default_rng(0).standard_normal((32, 2))
Y = X[:, :1] * 2 + 1


class ScaledTanh(nn.Tanh):  # LeCun's 1.7159 tanh(2z/3)
    def forward(self, x):
        return 1.7159 * F.tanh(x * (2 / 3))


class HalfLinear(nn.Linear):
    def forward(self, x):
        return x @ (self.W * 0.5)


class Residual(nn.Sequential):
    def forward(self, x):
        return x + super().forward(x)


class NamedTanh(nn.Tanh):  # only a repr and an attribute: the built-in forward
    note = "mine"

    def __repr__(self):
        return "NamedTanh()"


class TempSigmoid(nn.Sigmoid):
    def forward(self, x):
        return F.sigmoid(x * 0.25)


class TempSoftmax(nn.Softmax):
    def forward(self, x):
        return F.softmax(x * 0.25)


def lin(i, o, seed):
    return nn.Linear(i, o, rng=seed, dtype=np.float64)


def net(act=None, first=None):
    first = first or lin(2, 4, 0)
    return nn.Sequential(first, act if act is not None else nn.Tanh(), lin(4, 1, 1))


def run(m, **kw):
    kw = {"loss": "mse", "lr": 0.05, "epochs": 3, "batch_size": 8, "seed": 0, "verbose": 0, **kw}
    return gn.fit(m, X, kw.pop("y", Y), **kw)


@pytest.mark.parametrize(
    "make",
    [
        lambda: net(ScaledTanh()),
        lambda: net(first=HalfLinear(2, 4, rng=0, dtype=np.float64)),
        lambda: nn.Sequential(Residual(lin(2, 4, 0), nn.Tanh(), lin(4, 2, 1))),
    ],
    ids=["activation", "linear", "sequential"],
)
def test_auto_trains_a_forward_of_yours_with_the_graph(make):
    auto, graph = make(), make()
    y = 2 * X if isinstance(auto.layers[0], Residual) else Y
    h = run(auto, y=y)
    run(graph, y=y, engine="graph")
    assert h.engine == "graph"
    for p, q in zip(auto.parameters(), graph.parameters()):
        np.testing.assert_array_equal(p.data, q.data)
    with pytest.raises(ValueError, match=r"(Tanh|Linear|Residual).*engine='graph'"):
        run(make(), y=y, engine="fused")
    with pytest.raises(ValueError, match="engine='jit'.*a forward of its own"):
        run(make(), y=y, engine="jit")


def test_fit_many_and_objective_refuse_or_run_your_forward():
    with pytest.raises(TypeError, match="model 0.*ScaledTanh, a subclass of nn.Tanh"):
        gn.fit_many([net(ScaledTanh())], X, Y, loss="mse", lr=0.05, epochs=1)
    m = net(ScaledTanh())
    obj = gn.Objective(m, X, Y, "mse")
    assert obj.engine == "graph"
    assert obj() == pytest.approx(float(F.mse(m(gn.Tensor(X)), Y).numpy()), rel=1e-12)


def test_a_forward_set_on_the_instance_or_a_renamed_leaky_relu_is_yours():
    m = net()
    m.layers[1].forward = lambda x: F.relu(x)
    assert not builtin_forward(m.layers[1])
    assert run(m).engine == "graph"

    class Renamed(nn.LeakyReLU):  # LeakyReLU's forward computes leaky ReLU, whatever the name
        name = "tanh"

    assert not builtin_forward(Renamed())
    assert run(net(Renamed())).engine == "graph"


def test_a_subclass_keeping_the_forward_keeps_the_fast_path_bit_for_bit():
    a, b = net(NamedTanh()), net()
    assert builtin_forward(a.layers[1]) and builtin_forward(nn.MLP([2, 3, 1]))
    assert run(a).engine == "fused"
    run(b)
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(p.data, q.data)


def test_summary_and_activation_stats_do_not_read_your_forward_as_the_builtin():
    text = str(gn.summary(net(ScaledTanh()), (1, 2)))
    assert "tanh(" not in text and "ScaledTanh" in text

    class Shifted(nn.ReLU):
        def forward(self, x):
            return F.relu(x) + 1.0

    m = net(Shifted())
    m.layers[0].b.data[:] = -100.0  # relu(z) = 0 on every row: the module outputs 1
    assert activation_stats(m, X)["dead_relu"].get("layer1") != 1.0


@pytest.mark.parametrize(
    "head, loss, y, out_w",
    [
        (TempSigmoid, "binary_cross_entropy", (X[:, :1] > 0).astype(float), 1),
        (TempSoftmax, "cross_entropy", (X[:, 0] > 0).astype(int) + (X[:, 1] > 0), 3),
    ],
)
@pytest.mark.parametrize("engine", ["graph", "auto"])
def test_a_head_of_yours_is_scored_on_the_models_real_output(head, loss, y, out_w, engine):
    m = nn.Sequential(lin(2, out_w, 0), head())
    m.layers[0].W.data[:] = np.arange(1.0, 2 * out_w + 1).reshape(2, out_w)
    out = m(gn.Tensor(X)).numpy()
    if loss == "cross_entropy":
        true = -np.mean(np.log(out[np.arange(len(y)), y]))
    else:
        true = -np.mean(y * np.log(out) + (1 - y) * np.log(1 - out))
    h = gn.fit(m, X, y, loss=loss, lr=1e-12, epochs=1, batch_size=len(X), engine=engine, verbose=0)
    assert h.engine == "graph"
    assert h.loss[-1] == pytest.approx(true, rel=1e-9)


def test_a_softmax_head_of_yours_that_gives_no_logits_is_refused_by_cross_entropy():
    class Clamped(nn.Softmax):
        def forward(self, x):
            return F.softmax(x) * 0.98 + 0.01

    m = nn.Sequential(lin(2, 2, 0), Clamped())
    y = (X[:, 0] > 0).astype(int)
    with pytest.raises(ValueError, match="ends in a Clamped.*no logits.*F.softmax"):
        gn.fit(m, X, y, loss="cross_entropy", lr=0.1, epochs=1, engine="graph", verbose=0)
