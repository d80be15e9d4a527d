"""glassnet.diagnostics: gradient norms, update ratios, dead ReLUs, saturation, warnings."""

from __future__ import annotations

import math

import numpy as np
import pytest

import glassnet as gn
from glassnet.diagnostics import Diagnostics, activation_stats, epoch_diagnostics, gradient_norms

F64 = np.float64


@pytest.fixture(scope="module")
def moons():
    return gn.datasets.make_moons(120, noise=0.1, seed=0)


def test_records_per_epoch_match_the_weights_and_gradients(moons) -> None:
    X, y = moons
    m = gn.nn.MLP([2, 8, 1], activation="tanh", output_activation="sigmoid", rng=0, dtype=F64)
    w0 = [p.data.copy() for p in m.parameters()]
    h = gn.fit(
        m, X, y, loss="binary_cross_entropy", lr=0.5, epochs=1, callbacks=[Diagnostics()], verbose=0
    )
    (d,) = h.diagnostics
    assert d["epoch"] == 1 and d["loss"] == h.loss[0]
    assert set(d["grad_norm"]) == set(d["update_ratio"]) == {"layer1", "layer2"}
    W1, b1, W2, b2 = m.parameters()
    expect = math.sqrt(np.sum((W1.data - w0[0]) ** 2) + np.sum((b1.data - w0[1]) ** 2)) / (
        math.sqrt(np.sum(w0[0] ** 2) + np.sum(w0[1] ** 2))
    )
    assert d["update_ratio"]["layer1"] == pytest.approx(expect, rel=1e-9)
    assert d["grad_norm"]["layer2"] == pytest.approx(
        math.sqrt(np.sum(W2.grad**2) + np.sum(b2.grad**2)), rel=1e-9
    )
    assert gradient_norms(m) == d["grad_norm"]
    assert set(d["saturated"]) == {"layer1"} and d["dead_relu"] == {}
    assert d["warnings"] == [] and h.warnings == []


def test_dead_relus_warn_once_and_print_when_verbose(moons, capsys) -> None:
    X, y = moons
    m = gn.nn.MLP([2, 16, 1], activation="relu", output_activation="sigmoid", rng=0)
    m.layers[0].b.data[:] = -50.0  # every hidden ReLU is off for every sample
    h = gn.fit(
        m, X, y, loss="binary_cross_entropy", lr=0.1, epochs=3, callbacks=[Diagnostics()], verbose=1
    )
    assert [d["dead_relu"]["layer1"] for d in h.diagnostics] == [1.0, 1.0, 1.0]
    dead = [w for w in h.warnings if "ReLU units in layer1 are dead" in w]
    assert len(dead) == 1 and dead[0].startswith("epoch 1: 100% ")
    assert "leaky_relu" in dead[0]
    assert h.diagnostics[0]["warnings"][0] == "dead_relu:layer1"
    assert not any("Raise the learning rate" in w for w in h.warnings)  # not the cause here
    assert "ReLU units in layer1 are dead" in capsys.readouterr().err


def test_saturated_sigmoids_warn(moons, capsys) -> None:
    X, y = moons
    m = gn.nn.MLP([2, 8, 1], activation="sigmoid", output_activation="sigmoid", rng=0)
    h = gn.fit(
        m,
        X * 100,
        y,
        loss="binary_cross_entropy",
        lr=0.1,
        epochs=2,
        callbacks=[Diagnostics()],
        verbose=0,
    )
    frac = h.diagnostics[0]["saturated"]["layer1"]
    assert frac >= 0.5
    (msg,) = [w for w in h.warnings if "saturated" in w]
    assert f"{100 * frac:.0f}% of the sigmoid outputs in layer1" in msg
    assert "StandardScaler" in msg
    assert capsys.readouterr().err == ""  # verbose=0 prints nothing


def test_stalled_training_names_the_learning_rate(moons) -> None:
    X, y = moons
    m = gn.nn.MLP([2, 8, 1], activation="tanh", output_activation="sigmoid", rng=0)
    h = gn.fit(
        m,
        X,
        y,
        loss="binary_cross_entropy",
        lr=1e-9,
        epochs=2,
        callbacks=[Diagnostics()],
        verbose=0,
    )
    assert max(h.diagnostics[0]["update_ratio"].values()) < 1e-6
    (msg,) = h.warnings
    assert "training has stalled" in msg and "now 1e-09" in msg


def test_vanishing_gradients_in_a_deep_sigmoid_network(moons) -> None:
    X, y = moons
    m = gn.nn.MLP([2] + [8] * 8 + [1], activation="sigmoid", output_activation="sigmoid", rng=0)
    h = gn.fit(
        m, X, y, loss="binary_cross_entropy", lr=0.1, epochs=1, callbacks=[Diagnostics()], verbose=0
    )
    norms = h.diagnostics[0]["grad_norm"]
    assert norms["layer1"] < 1e-3 * norms["layer9"]
    assert any("gradients vanish toward the input" in w for w in h.warnings)


def test_activation_stats_counts_units_exactly() -> None:
    net = gn.nn.MLP([1, 4, 1], activation="relu", rng=0, dtype=F64)
    net.layers[0].W.data[:] = [[1.0, -1.0, 1.0, 0.0]]
    net.layers[0].b.data[:] = [0.0, 0.0, -10.0, -1.0]  # units 3, 4 never fire for |x| <= 1
    X = np.linspace(-1, 1, 11).reshape(-1, 1)
    assert activation_stats(net, X)["dead_relu"] == {"layer1": 0.5}
    tnet = gn.nn.MLP([1, 2, 1], activation="tanh", rng=0, dtype=F64)
    tnet.layers[0].W.data[:] = [[100.0, 0.0]]
    tnet.layers[0].b.data[:] = [0.0, 0.0]
    Xt = np.array([[-1.0], [1.0], [0.0], [0.5]])  # unit 1: |tanh| > 0.99 except at x = 0
    assert activation_stats(tnet, Xt)["saturated"] == {"layer1": pytest.approx(3 / 8)}
    with pytest.raises(ValueError, match="shape \\(N, 1\\)"):
        activation_stats(net, np.ones((3, 2)))


def test_other_models_and_bad_previous() -> None:
    class Scale(gn.nn.Module):
        def __init__(self) -> None:
            self.s = gn.nn.Parameter(np.ones(2))

        def forward(self, x):
            return (x * self.s).sum(axis=1, keepdims=True)

    m = Scale()
    h = gn.History(loss=[1.0], epochs=1)
    d = epoch_diagnostics(m, np.ones((3, 2)), h, previous=[np.full(2, 2.0)])
    assert d["grad_norm"] == {"s": 0.0} and d["dead_relu"] == {} and d["saturated"] == {}
    assert d["update_ratio"]["s"] == pytest.approx(0.5)
    with pytest.raises(ValueError, match="previous holds 2 arrays"):
        epoch_diagnostics(m, np.ones((3, 2)), h, previous=[np.ones(2), np.ones(2)])


def test_a_deep_sigmoid_network_that_never_learns_is_warned_about_vanishing_gradients():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 4))
    y = (X[:, 0] * X[:, 1] > 0).astype(float)

    def run(sizes, act):
        model = gn.nn.MLP(sizes, activation=act, output_activation="sigmoid", rng=0)
        return gn.fit(
            model, X, y, loss="binary_cross_entropy", lr=0.1, epochs=30, batch_size=32,
            callbacks=[Diagnostics()], verbose=0, seed=0,
        )  # fmt: skip

    deep = run([4, 8, 8, 8, 8, 1], "sigmoid")
    assert deep.loss[-1] > 0.69  # it never learned (chance is log 2 = 0.693)
    vanishing = [w for w in deep.warnings if "gradients vanish toward the input" in w]
    assert vanishing and "has not improved" in vanishing[0]
    healthy = run([4, 16, 1], "relu")  # learns: no warning
    assert healthy.loss[-1] < 0.4 and not healthy.warnings


def test_no_sample_is_an_error_not_every_unit_dead() -> None:
    """With no rows (X empty, or max_samples=0) nothing is known about the units: a clear
    error, where np.all over no samples said 100% of the ReLUs were dead."""
    net = gn.nn.MLP([2, 3, 1], activation="relu", rng=0, dtype=F64)
    with pytest.raises(ValueError, match="X has no rows"):
        activation_stats(net, np.zeros((0, 2)))
    with pytest.raises(ValueError, match="'max_samples' parameter of activation_stats.*Got 0"):
        activation_stats(net, np.ones((4, 2)), max_samples=0)
    with pytest.raises(ValueError, match="'max_samples' parameter of Diagnostics.*Got 'a'"):
        Diagnostics(max_samples="a")


def test_progress_rate_of_a_resumed_run_counts_this_run_s_epochs(capsys) -> None:
    """fit(initial_epoch=900, epochs=1000): one epoch in about a second is about 1 epoch/s,
    not 901 (the epochs done before the run are not this run's speed)."""
    import re
    import time
    from types import SimpleNamespace

    from glassnet.progress import Progress

    p = Progress(1000, verbose=2)
    p.t0 = time.perf_counter() - 1.0  # the run began a second ago
    p.last = p.t0 - 20.0  # (a log gets a line every 10 s)
    history = SimpleNamespace(val_loss=[], val_metric=[], metric_name="accuracy")
    p.on_epoch_end(SimpleNamespace(epoch=901, epoch_loss=0.5, history=history))
    p.last -= 20.0
    p.on_epoch_end(SimpleNamespace(epoch=902, epoch_loss=0.4, history=history))
    rates = [float(r) for r in re.findall(r"\(([0-9.]+) epochs/s\)", capsys.readouterr().err)]
    assert len(rates) == 2 and 0.5 < rates[0] <= 1.0 and 1.0 < rates[1] <= 2.0


def test_functions_refuse_what_is_not_a_module_by_name() -> None:
    X = np.ones((3, 2))
    for f, call in [
        ("gradient_norms", lambda m: gradient_norms(m)),
        ("activation_stats", lambda m: activation_stats(m, X)),  # returned {} in silence
        ("epoch_diagnostics", lambda m: epoch_diagnostics(m, X, gn.History())),
    ]:
        with pytest.raises(TypeError, match=f"{f}: model must be a glassnet Module.*NoneType"):
            call(None)
    net = gn.nn.MLP([2, 3, 1], rng=0)
    with pytest.raises(ValueError, match="X must be the inputs, shape \\(N, 2\\). Got None"):
        activation_stats(net, None)  # ("Got ()")
    with pytest.raises(TypeError, match="history must be the glassnet.History.*Got NoneType"):
        epoch_diagnostics(net, X, None)  # (ran on, its warnings lost)


def test_previous_of_other_shapes_is_refused_not_broadcast() -> None:
    net = gn.nn.MLP([2, 3, 1], rng=0, dtype=F64)
    X = np.ones((3, 2))
    wrong = [np.ones(3), np.ones(3), np.ones(1), np.ones(1)]  # (3,) broadcast against (2, 3)
    with pytest.raises(ValueError, match="previous\\[0\\] has shape \\(3,\\).*\\(2, 3\\)"):
        epoch_diagnostics(net, X, gn.History(), previous=wrong)
    with pytest.raises(ValueError, match="previous must be a list.*Got int"):
        epoch_diagnostics(net, X, gn.History(), previous=5)


@pytest.mark.parametrize(("dtype", "value"), [(np.float32, 3e19), (F64, 1e200), (F64, 1e-200)])
def test_gradient_norms_of_huge_or_tiny_gradients_are_their_size(dtype, value) -> None:
    net = gn.nn.MLP([2, 3, 1], rng=0, dtype=dtype)
    net.layers[0].W.grad = np.full((2, 3), value, dtype=dtype)
    net.layers[0].b.grad = np.zeros(3, dtype=dtype)
    norms = gradient_norms(net)  # the squares overflowed (inf) or underflowed (0)
    exact = float(dtype(value)) * math.sqrt(6)
    assert norms["layer1"] == pytest.approx(exact, rel=1e-12, abs=0)
    assert norms["layer2"] == 0.0
