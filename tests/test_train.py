"""Tests for glassnet.train: the fit loop, its two engines, termination criteria,
validation, callbacks, divergence, interruption, reproducibility and bad input."""

from __future__ import annotations

import gc
import math
import re
import weakref

import numpy as np
import pytest

import glassnet as gn
from glassnet import functional as F
from glassnet import nn
from glassnet.objective import evaluate_loss
from glassnet.optim import SGD
from glassnet.schedules import AdaptiveLR, ExponentialLR, StepLR
from glassnet.train import Callback, DivergenceError, History, fit


# ------------------------------------------------------------------ data helpers
def regression_data(n=64, d=3, k=1, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    W = rng.standard_normal((d, k))
    Y = np.tanh(X @ W) + 0.1 * rng.standard_normal((n, k))
    return X, (Y[:, 0] if k == 1 else Y)


def classification_data(n=60, d=4, c=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = np.argmax(X @ rng.standard_normal((d, c)), axis=1)
    return X, y


def weights(model):
    return [p.data.copy() for p in model.parameters()]


class StepRecorder(Callback):
    """Records each step's batch loss, gradients and weights."""

    def __init__(self):
        self.losses, self.grads, self.weights = [], [], []

    def on_step_end(self, state):
        self.losses.append(state.batch_loss)
        self.grads.append([p.grad.copy() for p in state.model.parameters()])
        self.weights.append(weights(state.model))


# ------------------------------------------- fused engine == graph engine (float64)
# (hidden activation, output activation, loss, target kind). The fused engine writes the
# backward pass out by hand; the graph engine runs the autodiff graph. Same model, same
# data, same batches: every gradient and every trained weight must agree.
ENGINE_CASES = [
    ("sigmoid", "identity", "mse", "real"),
    ("tanh", "identity", "half_mse", "real"),
    ("relu", "identity", "mse", "real"),
    ("leaky_relu", "identity", "mse", "real"),
    ("identity", "identity", "mse", "real"),
    ("tanh", "sigmoid", "mse", "unit"),
    ("relu", "tanh", "half_mse", "signed"),
    ("sigmoid", "relu", "mse", "unit"),
    ("tanh", "leaky_relu", "mse", "real"),
    ("relu", "sigmoid", "binary_cross_entropy", "binary"),
    ("tanh", "identity", "binary_cross_entropy_with_logits", "binary"),
    ("relu", "softmax", "cross_entropy", "labels"),
    ("sigmoid", "softmax", "cross_entropy", "onehot"),
    ("leaky_relu", "identity", "cross_entropy", "labels"),
]


def engine_problem(target, n=40, seed=3):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 4))
    labels = rng.integers(0, 3, n)
    if target == "real":
        return X, rng.standard_normal((n, 2)), 2
    if target == "unit":
        return X, rng.uniform(0, 1, (n, 2)), 2
    if target == "signed":
        return X, rng.uniform(-1, 1, (n, 2)), 2
    if target == "binary":
        return X, (labels > 0).astype(float), 1
    if target == "labels":
        return X, labels, 3
    return X, F.one_hot(labels, 3, dtype=np.float64), 3  # onehot


@pytest.mark.parametrize("extra", [{}, {"sample_weight": True, "l2": 0.3}])
@pytest.mark.parametrize(("hidden", "out", "loss", "target"), ENGINE_CASES)
def test_fused_and_graph_engines_agree(hidden, out, loss, target, extra):
    X, y, k = engine_problem(target)
    kw = {}
    if extra:
        kw["sample_weight"] = np.random.default_rng(7).uniform(0.2, 2.0, len(X))
        kw["l2"] = extra["l2"]
    runs = {}
    for engine in ("fused", "graph"):
        model = nn.MLP(
            [4, 5, 3, k],
            activation=hidden,
            output_activation=out,
            rng=11,
            dtype=np.float64,
            leaky_alpha=0.1,
        )
        rec = StepRecorder()
        h = fit(
            model,
            X,
            y,
            loss=loss,
            optimizer="sgd",
            lr=0.2,
            epochs=3,
            batch_size=16,
            seed=5,
            verbose=0,
            engine=engine,
            callbacks=[rec],
            **kw,
        )
        assert h.engine == engine
        runs[engine] = (h, rec, weights(model))
    (hf, rf, wf), (hg, rg, wg) = runs["fused"], runs["graph"]
    assert hf.steps == hg.steps == 9  # ceil(40 / 16) = 3 steps per epoch
    np.testing.assert_allclose(rf.losses, rg.losses, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(hf.loss, hg.loss, rtol=1e-10, atol=1e-12)
    for gf, gg in zip(rf.grads, rg.grads):
        for a, b in zip(gf, gg):
            np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
    for a, b in zip(wf, wg):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
    assert any(np.abs(g).max() > 1e-6 for g in rf.grads[0])  # not vacuously equal


def test_engines_agree_full_batch_float32():
    X, y = classification_data()
    out = []
    for engine in ("fused", "graph"):
        model = nn.MLP([4, 8, 3], activation="relu", output_activation="softmax", rng=2)
        fit(model, X, y, loss="cross_entropy", lr=0.5, epochs=20, verbose=0, engine=engine)
        out.append(model.predict(X))
    np.testing.assert_allclose(out[0], out[1], rtol=1e-4, atol=1e-5)


def test_fused_gradient_matches_hand_derivation():
    # One sigmoid neuron, half MSE, one full batch: dL/dw = mean((y_hat - y) y_hat (1 - y_hat) x).
    X, y = regression_data(n=10, d=2)
    y = (y - y.min()) / (y.max() - y.min())
    neuron = nn.Neuron(2, "sigmoid", rng=0, dtype=np.float64)
    w, w0 = neuron.weights.copy(), neuron.bias
    rec = StepRecorder()
    fit(neuron, X, y, loss="half_mse", lr=0.1, epochs=1, verbose=0, callbacks=[rec])
    a = 1 / (1 + np.exp(-(X @ w + w0)))
    delta = (a - y) * a * (1 - a)  # dL/dz per sample
    gW, gb = rec.grads[0]
    np.testing.assert_allclose(gW[:, 0], X.T @ delta / len(X), rtol=1e-10)
    np.testing.assert_allclose(gb, [delta.mean()], rtol=1e-10)


def test_auto_picks_fused_and_dropout_uses_graph():
    X, y = classification_data()
    m = nn.MLP([4, 8, 3], output_activation="softmax", rng=0)
    assert fit(m, X, y, loss="cross_entropy", epochs=1, verbose=0).engine == "fused"
    d = nn.MLP([4, 8, 3], output_activation="softmax", rng=0, dropout=0.3)
    assert fit(d, X, y, loss="cross_entropy", epochs=1, verbose=0).engine == "graph"


@pytest.mark.parametrize(
    ("model", "loss"),
    [
        (nn.MLP([4, 8, 3], output_activation="softmax", rng=0, dropout=0.3), "cross_entropy"),
        (nn.Sequential(nn.Linear(4, 3, rng=0), nn.Softmax(), nn.Linear(3, 3, rng=0)), "mse"),
        (nn.MLP([4, 3], rng=0), lambda out, y: F.mse(out, y)),
    ],
)
def test_fused_engine_refuses_unsupported_models(model, loss):
    X, y = classification_data()
    target = F.one_hot(y, 3, dtype=np.float64)
    with pytest.raises(ValueError, match="engine='fused'.*engine='graph'"):
        fit(model, X, target, loss=loss, epochs=1, verbose=0, engine="fused")


def test_graph_engine_trains_a_custom_module():
    class SumOfFour(nn.Module):  # output width 1, although its only Linear has 4 neurons
        def __init__(self):
            self.lin = nn.Linear(3, 4, rng=0)

        def forward(self, x):
            return self.lin(x).sum(axis=1, keepdims=True)

    X, y = regression_data()
    h = fit(SumOfFour(), X, y, lr=0.05, epochs=20, verbose=0)
    assert h.engine == "graph" and h.loss[-1] < h.loss[0]


def test_graph_engine_trains_a_custom_loss():
    X, y = regression_data()
    model = nn.MLP([3, 8, 1], activation="tanh", rng=0)
    h = fit(
        model,
        X,
        y.reshape(-1, 1),
        loss=lambda out, t: F.mse(out, t, half=True),
        optimizer="adam",
        lr=0.01,
        epochs=30,
        verbose=0,
    )
    assert h.engine == "graph"
    assert h.loss[-1] < 0.5 * h.loss[0]


# ------------------------------------------------------------------ mini-batches
def test_mini_batches_follow_the_documented_sgd_rule():
    # A linear neuron with half MSE trained with shuffle=False: replay the lecture's
    # update w <- w - lr * dL/dw batch by batch in NumPy and compare.
    X, y = regression_data(n=23, d=3)
    neuron = nn.Neuron(3, "identity", rng=4, dtype=np.float64)
    w, b = neuron.weights.copy(), neuron.bias
    h = fit(
        neuron, X, y, loss="half_mse", lr=0.05, epochs=3, batch_size=5, shuffle=False, verbose=0
    )
    for _ in range(3):
        for s in range(0, 23, 5):
            xb, yb = X[s : s + 5], y[s : s + 5]
            err = xb @ w + b - yb  # (m,)
            w = w - 0.05 * xb.T @ err / len(xb)
            b = b - 0.05 * err.mean()
    assert h.steps == 15  # 5 batches (the last of 3 rows) per epoch
    assert h.samples_seen == 69
    np.testing.assert_allclose(neuron.weights, w, rtol=1e-10)
    np.testing.assert_allclose(neuron.bias, b, rtol=1e-10)


def test_shuffle_draws_a_permutation_of_indices_from_seed():
    X, y = regression_data(n=12, d=2)
    neuron = nn.Neuron(2, "identity", rng=4, dtype=np.float64)
    w, b = neuron.weights.copy(), neuron.bias
    fit(neuron, X, y, loss="half_mse", lr=0.05, epochs=2, batch_size=4, seed=9, verbose=0)
    rng = np.random.default_rng(9)
    for _ in range(2):
        order = rng.permutation(12)
        for s in range(0, 12, 4):
            idx = order[s : s + 4]
            err = X[idx] @ w + b - y[idx]
            w = w - 0.05 * X[idx].T @ err / 4
            b = b - 0.05 * err.mean()
    np.testing.assert_allclose(neuron.weights, w, rtol=1e-10)


def test_full_batch_is_one_step_per_epoch_and_epoch_loss_weights_batches():
    X, y = regression_data(n=50)
    model = nn.MLP([3, 4, 1], rng=0)
    h = fit(model, X, y, epochs=4, batch_size=None, verbose=0)
    assert h.steps == 4 and len(h.loss) == 4
    rec = StepRecorder()
    model = nn.MLP([3, 4, 1], rng=0)
    h = fit(model, X, y, epochs=2, batch_size=16, verbose=0, seed=0, callbacks=[rec])
    sizes = [16, 16, 16, 2]
    for e in range(2):
        batch = rec.losses[4 * e : 4 * e + 4]
        assert h.loss[e] == pytest.approx(np.dot(batch, sizes) / 50, rel=1e-12)


@pytest.mark.parametrize("engine", ["fused", "graph"])
def test_same_seed_gives_bit_identical_weights(engine):
    X, y = classification_data(n=90)
    runs = []
    for seed in (0, 0, 1):
        model = nn.MLP([4, 6, 3], output_activation="softmax", rng=3)
        fit(
            model,
            X,
            y,
            loss="cross_entropy",
            optimizer="adam",
            lr=0.01,
            epochs=3,
            batch_size=8,
            seed=seed,
            verbose=0,
            engine=engine,
        )
        runs.append(weights(model))
    assert all(np.array_equal(a, b) for a, b in zip(runs[0], runs[1]))
    assert not all(np.array_equal(a, b) for a, b in zip(runs[0], runs[2]))


def test_same_seed_bit_identical_with_dropout():
    X, y = classification_data(n=90)
    runs = []
    for _ in range(2):
        model = nn.MLP([4, 16, 3], output_activation="softmax", rng=3, dropout=0.25)
        fit(model, X, y, loss="cross_entropy", epochs=3, batch_size=8, seed=5, verbose=0)
        runs.append(weights(model))
    assert all(np.array_equal(a, b) for a, b in zip(*runs))


@pytest.mark.parametrize("engine", ["fused", "graph"])
def test_float32_stays_float32(engine):
    X, y = regression_data()  # float64 data
    model = nn.MLP([3, 8, 1], activation="tanh", rng=0)
    fit(model, X, y, epochs=3, batch_size=16, verbose=0, engine=engine, optimizer="adam")
    for p in model.parameters():
        assert p.data.dtype == np.float32 and p.grad.dtype == np.float32
    assert model.predict(X.astype(np.float32)).dtype == np.float32


def test_no_graph_node_survives_a_step():
    X, y = regression_data(n=40)
    model = nn.MLP([3, 8, 1], rng=0)
    refs = []

    def loss(out, target):
        t = F.mse(out, target)
        refs.append((weakref.ref(t), weakref.ref(out)))
        return t

    class Check(Callback):
        def on_step_end(self, state):
            if len(refs) >= 2:  # the previous step's loss and output are gone
                assert refs[-2][0]() is None and refs[-2][1]() is None

    gc.collect()
    gc.disable()  # freed by reference counting alone, not by a cycle collection
    try:
        fit(
            model,
            X,
            y.reshape(-1, 1),
            loss=loss,
            epochs=2,
            batch_size=10,
            verbose=0,
            callbacks=[Check()],
        )
        assert len(refs) == 8
        assert all(r() is None and o() is None for r, o in refs)
    finally:
        gc.enable()


# ---------------------------------------------------------- termination criteria
def test_max_epochs():
    X, y = regression_data()
    h = fit(nn.MLP([3, 4, 1], rng=0), X, y, epochs=5, batch_size=16, verbose=0)
    assert (h.epochs, h.steps, len(h.loss), h.stop_reason) == (5, 20, 5, "max_epochs")
    assert "5 epochs" in h.message and "maximum number of epochs" in h.message


def test_max_steps_stops_mid_epoch():
    X, y = regression_data(n=100)
    h = fit(nn.MLP([3, 4, 1], rng=0), X, y, epochs=50, max_steps=25, batch_size=10, verbose=0)
    assert (h.steps, h.epochs, h.stop_reason) == (25, 3, "max_steps")
    assert h.samples_seen == 250


def test_tol_stops_when_loss_stalls():
    X, y = regression_data()
    h = fit(
        nn.MLP([3, 8, 1], rng=0),
        X,
        y,
        optimizer="adam",
        lr=0.05,
        epochs=2000,
        tol=1e-3,
        n_iter_no_change=5,
        verbose=0,
    )
    assert h.stop_reason == "tol" and h.epochs < 2000
    # the rule: each of the last 5 epochs failed to beat the best loss before it by tol
    for e in range(h.epochs - 5, h.epochs):
        assert h.loss[e] >= min(h.loss[:e]) - 1e-3
    assert h.loss[h.epochs - 6] < min(h.loss[: h.epochs - 6]) - 1e-3
    h2 = fit(
        nn.MLP([3, 8, 1], rng=0), X, y, optimizer="adam", lr=0.05, epochs=60, tol=None, verbose=0
    )
    assert h2.stop_reason == "max_epochs" and h2.epochs == 60


def test_early_stopping_restores_the_best_epochs_weights():
    # Few noisy samples and a wide network: the validation loss turns up while training goes on.
    rng = np.random.default_rng(1)
    X = rng.standard_normal((40, 5))
    y = X[:, 0] + rng.standard_normal(40)
    Xv = rng.standard_normal((40, 5))
    yv = Xv[:, 0] + rng.standard_normal(40)
    model = nn.MLP([5, 64, 64, 1], activation="relu", rng=0)
    seen = {}

    def remember(state):
        seen[state.epoch] = weights(state.model)

    h = fit(
        model,
        X,
        y,
        optimizer="adam",
        lr=0.01,
        epochs=500,
        validation_data=(Xv, yv),
        early_stopping=True,
        n_iter_no_change=10,
        tol=0.0,
        callbacks=[remember],
        verbose=0,
    )
    assert h.stop_reason == "early_stopping"
    assert h.epochs < 500 and len(h.val_loss) == h.epochs == len(h.val_metric)
    best = int(np.argmin(h.val_loss)) + 1
    assert h.best_epoch == best and best < h.epochs
    assert all(np.array_equal(a, b) for a, b in zip(weights(model), seen[best]))
    assert not all(np.array_equal(a, b) for a, b in zip(weights(model), seen[h.epochs]))
    assert evaluate_loss(model, Xv, yv.reshape(-1, 1)) == pytest.approx(min(h.val_loss), rel=1e-5)
    assert "best weights restored" in h.message


def test_early_stopping_on_a_validation_split():
    X, y = classification_data(n=200)
    model = nn.MLP([4, 16, 3], output_activation="softmax", rng=0)
    h = fit(
        model,
        X,
        y,
        loss="cross_entropy",
        optimizer="adam",
        lr=0.05,
        epochs=300,
        validation_split=0.25,
        early_stopping=True,
        n_iter_no_change=5,
        seed=0,
        batch_size=16,
        verbose=0,
    )
    assert h.stop_reason == "early_stopping"
    assert h.metric_name == "accuracy" and 0.8 <= h.val_metric[h.best_epoch - 1] <= 1.0
    assert h.samples_seen == h.epochs * 150  # 25 % held out


def test_early_stopping_holds_out_a_tenth_by_default():
    X, y = regression_data(n=100)
    h = fit(nn.MLP([3, 4, 1], rng=0), X, y, epochs=3, early_stopping=True, seed=0, verbose=0)
    assert h.samples_seen == 3 * 90 and len(h.val_loss) == 3


def test_validation_curves_match_evaluate_loss():
    X, y = regression_data(n=80)
    Xv, yv = regression_data(n=30, seed=1)
    model = nn.MLP([3, 8, 1], rng=0)
    h = fit(model, X, y, epochs=7, validation_data=(Xv, yv), verbose=0)
    assert len(h.val_loss) == len(h.val_metric) == 7 and h.metric_name == "r2"
    assert h.val_loss[-1] == pytest.approx(evaluate_loss(model, Xv, yv.reshape(-1, 1)), rel=1e-6)
    pred = model.predict(Xv)[:, 0]
    r2 = 1 - ((yv - pred) ** 2).sum() / ((yv - yv.mean()) ** 2).sum()
    assert h.val_metric[-1] == pytest.approx(r2, rel=1e-4)


# --------------------------------------------------------------------- callbacks
def test_function_callback_returning_true_stops():
    X, y = regression_data()
    calls = []

    def cb(state):
        calls.append((state.epoch, state.epoch_loss))
        return state.epoch == 3

    h = fit(nn.MLP([3, 4, 1], rng=0), X, y, epochs=10, callbacks=[cb], verbose=0)
    assert h.stop_reason == "callback" and h.epochs == 3
    assert [c[0] for c in calls] == [1, 2, 3]
    assert [c[1] for c in calls] == h.loss


def test_function_callback_numpy_true_stops_and_none_does_not():
    X, y = regression_data()
    h = fit(
        nn.MLP([3, 4, 1], rng=0),
        X,
        y,
        epochs=10,
        verbose=0,
        callbacks=[lambda s: np.int64(s.epoch) >= 2],
    )
    assert h.stop_reason == "callback" and h.epochs == 2
    h = fit(nn.MLP([3, 4, 1], rng=0), X, y, epochs=4, verbose=0, callbacks=[lambda s: None])
    assert h.stop_reason == "max_epochs" and h.epochs == 4


def test_callback_class_per_step_and_lifecycle():
    X, y = regression_data(n=40)

    class Counter(Callback):
        def __init__(self):
            self.events = []

        def on_train_begin(self, state):
            self.events.append("begin")

        def on_step_end(self, state):
            self.events.append(("step", state.step))
            if state.step == 7:
                state.stop = True

        def on_epoch_end(self, state):
            self.events.append(("epoch", state.epoch))

        def on_train_end(self, state):
            self.events.append("end")

    c = Counter()
    h = fit(nn.MLP([3, 4, 1], rng=0), X, y, epochs=10, batch_size=10, callbacks=[c], verbose=0)
    assert h.stop_reason == "callback" and h.steps == 7 and h.epochs == 2
    assert c.events[0] == "begin" and c.events[-1] == "end"
    assert [e[1] for e in c.events if e[0] == "step"] == list(range(1, 8))
    assert [e[1] for e in c.events if e[0] == "epoch"] == [1, 2]


# ------------------------------------------------------------------- schedules
def test_schedule_is_stepped_once_per_epoch():
    X, y = regression_data()
    model = nn.MLP([3, 4, 1], rng=0)
    opt = SGD(model.parameters(), lr=0.2)
    h = fit(
        model,
        X,
        y,
        optimizer=opt,
        schedule=StepLR(opt, step_size=2, gamma=0.5),
        epochs=6,
        batch_size=8,
        verbose=0,
    )
    assert h.steps == 48
    np.testing.assert_allclose(h.lr, [0.2, 0.2, 0.1, 0.1, 0.05, 0.05])
    model = nn.MLP([3, 4, 1], rng=0)
    opt = SGD(model.parameters(), lr=0.1)
    h = fit(model, X, y, optimizer=opt, schedule=ExponentialLR(opt, gamma=0.9), epochs=4, verbose=0)
    np.testing.assert_allclose(h.lr, [0.1 * 0.9**e for e in range(4)])


def test_adaptive_schedule_stops_at_min_lr():
    X, y = regression_data()
    model = nn.MLP([3, 4, 1], rng=0)
    opt = SGD(model.parameters(), lr=0.05)
    sched = AdaptiveLR(opt, factor=0.5, patience=0, tol=10.0, min_lr=0.01)
    h = fit(model, X, y, optimizer=opt, schedule=sched, epochs=100, verbose=0)
    # tol=10: after the first epoch no epoch counts as an improvement, so lr halves at the
    # end of every epoch until an epoch ends with lr <= min_lr
    assert h.stop_reason == "min_lr" and "minimum" in h.message
    np.testing.assert_allclose(h.lr, [0.05, 0.05, 0.025, 0.0125, 0.00625])


def test_engines_agree_without_biases():
    # the slides' bias-free network: Linear(bias=False) layers, sigmoid, half MSE
    X, y = regression_data(n=30, d=2)
    out = []
    for engine in ("fused", "graph"):
        net = nn.Sequential(
            nn.Linear(2, 2, bias=False, rng=1, dtype=np.float64),
            nn.Sigmoid(),
            nn.Linear(2, 1, bias=False, rng=2, dtype=np.float64),
            nn.Sigmoid(),
        )
        h = fit(
            net,
            X,
            (y > 0).astype(float),
            loss="half_mse",
            lr=0.5,
            epochs=5,
            batch_size=8,
            seed=0,
            engine=engine,
            verbose=0,
        )
        out.append((h.loss, weights(net)))
    np.testing.assert_allclose(out[0][0], out[1][0], rtol=1e-10)
    for a, b in zip(out[0][1], out[1][1]):
        np.testing.assert_allclose(a, b, rtol=1e-10)


# ------------------------------------------------------------------ progress
def test_verbose_2_shows_progress_on_stderr(capsys):
    X, y = regression_data()
    fit(nn.MLP([3, 4, 1], rng=0), X, y, epochs=3, verbose=2)
    out, err = capsys.readouterr()
    assert out == ""
    assert "epoch 3/3" in err and "loss" in err
    assert "Stopped after 3 epochs" in err


class FakeClock:
    """Stands in for the time module inside glassnet.train: each reading advances by step."""

    def __init__(self, step):
        self.now, self.step = 0.0, step

    def perf_counter(self):
        self.now += self.step
        return self.now


def test_verbose_1_shows_progress_only_for_long_runs(capsys, monkeypatch):
    import glassnet.progress as progress_module

    X, y = regression_data()
    Xv, yv = regression_data(seed=1)
    monkeypatch.setattr(progress_module, "time", FakeClock(step=1.0))  # every epoch "takes" 1 s
    fit(nn.MLP([3, 4, 1], rng=0), X, y, epochs=5, verbose=1, validation_data=(Xv, yv))
    err = capsys.readouterr().err
    assert "epoch 5/5" in err and "val_loss" in err and "val_r2" in err
    assert "epoch 1/5" not in err  # the first 2 s stay quiet
    assert err.rstrip().endswith("reached the maximum number of epochs.")
    monkeypatch.setattr(progress_module, "time", FakeClock(step=0.0))  # a run that takes no time
    fit(nn.MLP([3, 4, 1], rng=0), X, y, epochs=5, verbose=1)
    assert capsys.readouterr() == ("", "")


def test_verbose_0_prints_nothing(capsys):
    X, y = regression_data()
    Xv, yv = regression_data(seed=1)
    fit(nn.MLP([3, 4, 1], rng=0), X, y, epochs=3, verbose=0, validation_data=(Xv, yv))
    assert capsys.readouterr() == ("", "")


# ------------------------------------------------------------ divergence, Ctrl-C
@pytest.mark.parametrize("engine", ["fused", "graph"])
def test_divergence_raises_and_keeps_finite_weights(engine):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 5)) * 10
    y = X @ rng.standard_normal(5) * 100
    model = nn.MLP([5, 16, 1], activation="relu", rng=0)
    rec = StepRecorder()
    with pytest.raises(DivergenceError) as info:
        fit(
            model, X, y, lr=1e3, epochs=50, batch_size=10, verbose=0, engine=engine, callbacks=[rec]
        )
    msg = str(info.value)
    step = info.value.history.steps + 1
    assert re.search(rf"at step {step}\b", msg) and "smaller learning rate" in msg
    assert info.value.history.stop_reason == "diverged"
    assert isinstance(info.value, FloatingPointError)
    now = weights(model)
    assert all(np.isfinite(w).all() for w in now)
    # (predict() computes in the model's float32, where such large finite weights may
    # still overflow; the float64 forward pass must stay finite)
    with gn.no_grad():
        assert np.isfinite(model(gn.Tensor(X, dtype=np.float64)).data).all()
    finite_states = [ws for ws in rec.weights if all(np.isfinite(w).all() for w in ws)]
    assert any(all(np.array_equal(a, b) for a, b in zip(now, ws)) for ws in finite_states)


@pytest.mark.parametrize("per_step", [False, True])
def test_keyboard_interrupt_keeps_weights_and_history(per_step):
    X, y = regression_data()
    model = nn.MLP([3, 8, 1], rng=0)
    start = weights(model)
    seen = []

    class Interrupt(Callback):
        def on_step_end(self, state):
            if per_step and state.step == 5:
                seen.append(weights(state.model))
                raise KeyboardInterrupt

        def on_epoch_end(self, state):
            if not per_step and state.epoch == 3:
                seen.append(weights(state.model))
                raise KeyboardInterrupt

    with pytest.warns(UserWarning, match="Training interrupted by user"):
        h = fit(model, X, y, lr=0.1, epochs=10, batch_size=16, callbacks=[Interrupt()], verbose=0)
    assert h.stop_reason == "interrupted" and "interrupted" in h.message
    assert (h.epochs, h.steps) == ((1, 5) if per_step else (3, 12))
    assert len(h.loss) == h.epochs
    assert all(np.array_equal(a, b) for a, b in zip(weights(model), seen[0]))
    assert not all(np.array_equal(a, b) for a, b in zip(weights(model), start))


def test_history_repr_and_fields():
    X, y = regression_data()
    h = fit(nn.MLP([3, 4, 1], rng=0), X, y, epochs=2, verbose=0)
    assert isinstance(h, History)
    assert "History(epochs=2" in repr(h) and "stop_reason='max_epochs'" in repr(h)
    assert h.best_loss == min(h.loss) and h.best_epoch in (1, 2)


# --------------------------------------------------------------------- bad input
def check_error(match, *args, **kw):
    with pytest.raises(ValueError, match=match):
        fit(*args, verbose=0, **kw)


def test_bad_input_width():
    X, y = regression_data(d=3)
    check_error(
        r"X has 5 features.*expects 3.*inputs=5",
        nn.MLP([3, 4, 1], rng=0),
        np.ones((10, 5)),
        np.ones(10),
    )
    with pytest.raises(ValueError, match=r"\(4, 5\).*expects inputs of shape \(N, 3\)"):
        nn.Linear(3, 2, rng=0)(np.ones((4, 5)))


def test_bad_labels_outside_known_classes():
    X, y = classification_data(c=3)
    model = nn.MLP([4, 3], output_activation="softmax", rng=0)
    check_error(
        r"y has labels from 0 to 5.*3 outputs.*0\.\.2",
        model,
        X,
        np.where(y == 2, 5, y),
        loss="cross_entropy",
    )
    check_error(r"labels from -1", model, X, y - 1, loss="cross_entropy")
    check_error(r"non-integer", model, X, y + 0.5, loss="cross_entropy")
    binary = nn.MLP([4, 1], output_activation="sigmoid", rng=0)
    check_error(r"targets in \[0, 1\].*from 0 to 2", binary, X, y, loss="binary_cross_entropy")


def test_bad_target_width():
    X, y = regression_data(n=20, k=2)
    check_error(
        r"y has 2 value\(s\) per sample but the model has 3 outputs", nn.MLP([3, 3], rng=0), X, y
    )
    check_error(
        r"y has 1 value\(s\) per sample but the model has 3 outputs",
        nn.MLP([3, 3], rng=0),
        X,
        y[:, 0],
        engine="fused",
    )


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_bad_nan_or_inf(bad):
    X, y = regression_data(n=20)
    Xb = X.copy()
    Xb[3, 1] = bad
    yb = y.copy()
    yb[7] = bad
    model = nn.MLP([3, 1], rng=0)
    check_error(r"X contains NaN or inf.*\(3, 1\)", model, Xb, y)
    check_error(r"y contains NaN or inf.*\(7,\)", model, X, yb)
    check_error(r"validation_data\[0\] contains NaN", model, X, y, validation_data=(Xb, y))


def test_a_finite_value_beyond_a_float32_models_range_is_named_as_such():
    """Not 'contains NaN or inf' (the user's value is finite), and no NumPy overflow warning
    on the way (warnings are errors in this suite)."""
    X, y = regression_data(n=20)
    Xb = X.copy()
    Xb[4, 2] = -1e300
    model = nn.MLP([3, 1], rng=0, dtype=np.float32)
    check_error(r"X holds -1e\+300 at index \(4, 2\), beyond the range of float32", model, Xb, y)


def test_bad_validation_data():
    X, y = regression_data(n=20)
    model = nn.MLP([3, 1], rng=0)
    check_error(
        r"validation_data\[0\] has 2 features per sample but the model's first layer expects 3",
        model,
        X,
        y,
        validation_data=(np.ones((5, 2)), np.ones(5)),
    )
    check_error(
        r"validation_data\[0\] has 5 samples but validation_data\[1\] has 4",
        model,
        X,
        y,
        validation_data=(np.ones((5, 3)), np.ones(4)),
    )
    check_error(
        r"fit: validation_data must be a pair \(X_val, y_val\)",
        model,
        X,
        y,
        validation_data=(np.ones((5, 3)), np.ones(5), np.ones(5), np.ones(5)),
    )  # (a third element is its sample weights, as Keras takes them)
    check_error(
        r"validation_split=0.5 leaves no training samples out of 1",
        model,
        X[:1],
        y[:1],
        validation_split=0.5,
    )


def test_evaluate_loss_takes_targets_like_fit():
    X, y = classification_data()
    model = nn.MLP([4, 3], output_activation="softmax", rng=0, dtype=np.float64)
    fit(model, X, y, loss="cross_entropy", epochs=3, verbose=0)
    p = model.predict(X)
    expected = -np.mean(np.log(p[np.arange(len(y)), y]))
    assert evaluate_loss(model, X, y, loss="cross_entropy") == pytest.approx(expected, rel=1e-10)
    Xr, yr = regression_data()
    reg = nn.MLP([3, 1], rng=0)
    assert evaluate_loss(reg, Xr, yr) == pytest.approx(
        float(np.mean((reg.predict(Xr.astype(np.float32))[:, 0] - yr) ** 2)), rel=1e-5
    )
    with pytest.raises(ValueError, match=r"evaluate_loss: y has labels from 7 to 7.*3 outputs"):
        evaluate_loss(model, X, np.full(len(X), 7), loss="cross_entropy")


def test_bad_empty_and_mismatched_lengths():
    model = nn.MLP([3, 1], rng=0)
    check_error(r"X is empty", model, np.empty((0, 3)), np.empty(0))
    check_error(r"X has 10 samples but y has 9", model, np.ones((10, 3)), np.ones(9))
    check_error(r"X must have 2 dimensions.*X.reshape\(-1, 1\)", model, np.ones(10), np.ones(10))


def test_bad_hyperparameters():
    X, y = regression_data(n=20)
    model = nn.MLP([3, 1], rng=0)
    check_error(
        r"'batch_size'.*\(21\) is larger than the number of training samples \(20\)",
        model,
        X,
        y,
        batch_size=21,
    )
    check_error(
        r"'batch_size' parameter of fit must be an int > 0. Got 0", model, X, y, batch_size=0
    )
    for lr in (0, -0.1, float("nan")):
        check_error(r"'lr' parameter of fit must be a float > 0", model, X, y, lr=lr)
    check_error(r"'epochs'.*Got 0", model, X, y, epochs=0)
    check_error(r"'max_steps'", model, X, y, max_steps=-1)
    check_error(r"'tol'.*>= 0", model, X, y, tol=-1.0)
    check_error(r"'validation_split'.*\[0, 1\).*Got 1.5", model, X, y, validation_split=1.5)
    check_error(r"'engine'.*'auto', 'fused', 'graph' or 'jit'.*'fast'", model, X, y, engine="fast")
    check_error(r"sample_weight must hold 20 non-negative", model, X, y, sample_weight=-np.ones(20))
    check_error(r"'l2'.*>= 0", model, X, y, l2=-1.0)
    check_error(
        r"sample_weight works with the named losses",
        model,
        X,
        y,
        loss=lambda out, t: F.mse(out, t),
        sample_weight=np.ones(20),
    )


def test_bad_loss_and_model():
    X, y = regression_data(n=20)
    check_error(
        r"'loss' parameter of fit must be a callable f\(output, y\) or one of .*'mse'.*Got 'hinge'",
        nn.MLP([3, 1], rng=0),
        X,
        y,
        loss="hinge",
    )
    with pytest.raises(
        TypeError, match=r"model must be a glassnet Module \(e.g. glassnet.nn.MLP\). Got function"
    ):
        fit(lambda x: x, X, y)
    with pytest.raises(ValueError, match="Unknown optimizer 'sgdd'"):
        fit(nn.MLP([3, 1], rng=0), X, y, optimizer="sgdd", verbose=0)


def test_glassnet_exports_fit():
    assert gn.fit is fit and gn.DivergenceError is DivergenceError
    assert math.isinf(History().best_loss)


def test_plain_sgd_leaves_true_gradients():
    # fit hands back dL/dw on both engines, never lr * dL/dw: the learning rate is the
    # optimizer's alone.
    rng = np.random.default_rng(0)
    X = rng.standard_normal((16, 3))
    y = rng.integers(0, 3, 16)
    grads = {}
    for engine in ("fused", "graph"):
        model = nn.MLP(
            [3, 5, 3], activation="tanh", output_activation="softmax", rng=0, dtype=np.float64
        )
        opt = gn.optim.SGD(model.parameters(), lr=0.37)
        fit(model, X, y, loss="cross_entropy", optimizer=opt, epochs=1, verbose=0, engine=engine)
        grads[engine] = [p.grad.copy() for p in model.parameters()]
    for a, b in zip(grads["fused"], grads["graph"]):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("model_kind", ["fused", "graph"])
def test_objective_gives_the_loss_and_its_gradient(model_kind):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((20, 3))
    y = rng.standard_normal(20)
    model = nn.MLP([3, 4, 1], activation="tanh", rng=0, dtype=np.float64)
    if model_kind == "graph":  # a custom loss keeps it on the autodiff graph
        obj = gn.Objective(model, X, y, lambda out, t: ((out - t) ** 2).mean(), l2=0.3)
    else:
        obj = gn.Objective(model, X, y, "mse", l2=0.3)
    assert obj.engine == model_kind
    value = obj()
    grads = [p.grad.copy() for p in model.parameters()]
    # the same numbers by hand on the graph: mean squared error + l2/(2N) * sum ||W||^2
    for p in model.parameters():
        p.grad = None
    out = model(gn.Tensor(X))
    lt = ((out - y.reshape(-1, 1)) ** 2).mean()
    for lin in (m for m in model.modules() if isinstance(m, nn.Linear)):
        lt = lt + (lin.W * lin.W).sum() * (0.3 / (2 * len(X)))
    lt.backward()
    assert value == pytest.approx(float(lt.data), rel=1e-12)
    for g, p in zip(grads, model.parameters()):
        np.testing.assert_allclose(g, p.grad, rtol=1e-10, atol=1e-12)


def test_objective_refuses_weights_with_a_custom_loss():
    model = nn.MLP([2, 1], rng=0)
    with pytest.raises(ValueError, match="sample_weight works with the named losses"):
        gn.Objective(
            model, np.ones((3, 2)), np.ones(3), lambda o, t: o.sum(), sample_weight=np.ones(3)
        )


def test_an_optimizer_of_another_model_is_refused():
    model, other = nn.MLP([2, 3, 1], rng=0), nn.MLP([2, 3, 1], rng=1)
    opt = gn.optim.SGD(other.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="optimizer was built on other parameters"):
        fit(model, np.ones((4, 2)), np.ones(4), optimizer=opt, epochs=1, verbose=0)
    with pytest.raises(TypeError, match="'optimizer' parameter of fit"):
        fit(model, np.ones((4, 2)), np.ones(4), optimizer=42, epochs=1, verbose=0)


def test_a_run_resumed_at_initial_epoch_equals_an_uninterrupted_one():
    X, y = gn.datasets.make_moons(100, seed=0)

    def run(pieces: list[tuple[int, int]]) -> list[np.ndarray]:
        m = nn.MLP([2, 8, 1], activation="tanh", output_activation="sigmoid", rng=0)
        opt = gn.optim.Adam(m.parameters(), lr=0.01)
        for start, stop in pieces:
            h = fit(m, X, y, loss="binary_cross_entropy", optimizer=opt, epochs=stop,
                    initial_epoch=start, batch_size=10, verbose=0,
                    seed=lambda e: np.random.default_rng([3, 0, e]))  # fmt: skip
            assert h.epochs == stop and len(h.loss) == stop - start
        return [p.data.copy() for p in m.parameters()]

    for a, b in zip(run([(0, 6)]), run([(0, 2), (2, 6)])):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="'initial_epoch' parameter of fit must be an int >= 0"):
        fit(nn.MLP([2, 1]), X, y, initial_epoch=-1, verbose=0)


# ------------------------------------------------- the lecture's "small change" criterion
def test_tol_weights_stops_when_the_weights_barely_change():
    """||Δw||, the L2 norm of the change of all parameters over an epoch, measured from
    snapshots a callback takes, matches history.weight_change, and the run stops on the
    first epoch that completes n_iter_no_change epochs in a row with ||Δw|| < eps."""
    X, y = regression_data()
    model = nn.MLP([3, 8, 1], rng=0)
    snaps = [weights(model)]
    eps, patience = 2e-3, 3
    h = fit(
        model, X, y, optimizer="sgd", lr=0.1, epochs=5000, tol_weights=eps,
        n_iter_no_change=patience, callbacks=[lambda s: snaps.append(weights(s.model))],
        verbose=0,
    )  # fmt: skip
    assert h.stop_reason == "weight_change" and h.epochs < 5000
    assert "||Δw||" in h.message and "weight_change" in gn.train.STOP_REASONS
    dw = [
        math.sqrt(sum(float(np.sum((a - b) ** 2)) for a, b in zip(s1, s0)))
        for s0, s1 in zip(snaps, snaps[1:])
    ]
    assert len(dw) == len(h.weight_change) == h.epochs
    np.testing.assert_allclose(h.weight_change, dw, rtol=1e-6)
    small = [d < eps for d in dw]
    assert all(small[-patience:])
    assert not any(  # no earlier run of `patience` small changes
        all(small[e - patience : e]) for e in range(patience, h.epochs)
    )
    assert dw[0] > eps  # it did learn first


def test_weight_change_beside_tol_and_as_a_stop_rule():
    X, y = regression_data()
    kw = dict(optimizer="sgd", lr=0.1, epochs=3000, verbose=0)
    ha = fit(nn.MLP([3, 8, 1], rng=0), X, y, tol=1e-6, n_iter_no_change=3, **kw)
    hb = fit(nn.MLP([3, 8, 1], rng=0), X, y, tol=1e-6, tol_weights=2e-3, n_iter_no_change=3, **kw)
    assert ha.stop_reason == "tol" and hb.stop_reason == "weight_change"
    assert hb.epochs < ha.epochs and ha.weight_change == []  # off unless asked for
    hc = fit(nn.MLP([3, 8, 1], rng=0), X, y, stop_rules=[gn.train.WeightChange(2e-3, 3)], **kw)
    assert (hc.stop_reason, hc.epochs, hc.weight_change) == (
        hb.stop_reason,
        hb.epochs,
        hb.weight_change,
    )
    # the graph engine measures the same change
    hd = fit(nn.MLP([3, 8, 1], rng=0), X, y, tol_weights=2e-3, n_iter_no_change=3,
             engine="graph", **kw)  # fmt: skip
    assert hd.epochs == hb.epochs and hd.stop_reason == "weight_change"
    # tol_weights beside stop rules given (as the estimators give theirs): both watch
    rules = [gn.train.Tolerance(None, 3)]
    he = fit(nn.MLP([3, 8, 1], rng=0), X, y, stop_rules=rules, tol_weights=2e-3,
             n_iter_no_change=3, **kw)  # fmt: skip
    assert (he.stop_reason, he.epochs) == ("weight_change", hb.epochs)
    assert he.best_epoch is not None  # the given rule kept its books


@pytest.mark.parametrize("bad", [0, -1e-3, "small", float("nan"), True])
def test_tol_weights_is_checked(bad):
    X, y = regression_data()
    with pytest.raises((ValueError, TypeError), match="'tol_weights' parameter of fit"):
        fit(nn.MLP([3, 1]), X, y, tol_weights=bad, verbose=0)


def test_progress_in_a_log_is_plain_lines(capsys, monkeypatch):
    # stderr is not a terminal here (captured): no carriage returns or escape codes, and a
    # plain line at most every 10 s plus the last epoch's
    import glassnet.progress as progress_module

    monkeypatch.setattr(progress_module, "time", FakeClock(step=0.5))
    X, y = regression_data()
    fit(nn.MLP([3, 4, 1], rng=0), X, y, epochs=60, verbose=2)
    err = capsys.readouterr().err
    assert "\r" not in err and "\x1b" not in err
    lines = [ln for ln in err.splitlines() if ln.startswith("epoch ")]
    assert 2 <= len(lines) < 60 and lines[-1].startswith("epoch 60/60")


def test_a_network_too_big_for_memory_is_refused_before_allocating(monkeypatch):
    # GLASSNET_MEMORY_LIMIT stands for the machine's available memory
    monkeypatch.setenv("GLASSNET_MEMORY_LIMIT", "64M")
    limit = "more than GLASSNET_MEMORY_LIMIT=64M"
    with pytest.raises(
        MemoryError, match=rf"MLP\(\[3, 20000000, 1\]\) needs about 381 MB .* {limit}"
    ):
        nn.MLP([3, 2 * 10**7, 1])
    with pytest.raises(MemoryError, match=r"Linear\(100000, 1000\) needs about"):
        nn.Linear(10**5, 1000)
    model = nn.MLP([3, 2000, 1], rng=0)  # 32 KB of weights: fine
    X, y = regression_data(n=20)
    with pytest.raises(MemoryError, match="fit needs about .* use a smaller batch_size"):
        fit(model, np.repeat(X, 2000, axis=0), np.repeat(y, 2000), verbose=0, epochs=1)
    monkeypatch.setenv("GLASSNET_MEMORY_LIMIT", "lots")
    with pytest.raises(ValueError, match="GLASSNET_MEMORY_LIMIT='lots' is not a size"):
        nn.Linear(2, 2)


def test_a_parameter_frozen_by_a_callback_stops_moving_on_the_fast_path():
    """fit checks the optimizer once per epoch on its fast path, not per step: a callback's
    change (here freezing W1 after epoch 2) must still hold from the next step on."""
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((64, 3)), rng.standard_normal((64, 1))
    model = gn.nn.MLP([3, 4, 1], activation="tanh", rng=0, dtype=np.float64)
    W1 = model.parameters()[0]
    seen = {}

    def freeze(state):
        if state.epoch == 2:
            W1.requires_grad = False
            seen["W1"] = W1.data.copy()

    h = fit(model, X, y, epochs=5, batch_size=16, lr=0.1, callbacks=[freeze], verbose=0)
    assert h.engine == "fused" and h.steps == 20
    np.testing.assert_array_equal(W1.data, seen["W1"])
    assert not np.array_equal(model.parameters()[2].data, 0)  # the others trained on


def test_l2_none_means_no_penalty_as_before():
    X = np.random.default_rng(0).standard_normal((20, 3))
    y = X[:, :1] * 2.0
    runs = []
    for l2 in (None, 0.0):
        model = gn.nn.MLP([3, 4, 1], "tanh", rng=0, dtype=np.float64)
        runs.append(gn.fit(model, X, y, epochs=3, l2=l2, verbose=0).loss)
    assert runs[0] == runs[1]


def test_a_fresh_optimizer_takes_one_full_step_then_the_prepared_rules(monkeypatch):
    """fit with an optimizer that has seen no gradient yet: the fast path writes the first
    gradients straight into the optimizer's flat buffer, the first step binds them, and every
    later step runs the prepared rules (the checks once), in the first epoch already. (The
    full steps are counted on the base class: a step set on the optimizer object, or a
    subclass's, is the user's own and runs at every step.)"""
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((64, 20)), rng.standard_normal((64, 1))
    model = gn.nn.MLP([20, 300, 300, 1], "tanh", rng=0, dtype=np.float64)  # > 65536 weights
    opt = gn.optim.SGD(model.parameters(), lr=0.01)
    full = []
    step = gn.optim.Optimizer.step
    monkeypatch.setattr(gn.optim.Optimizer, "step", lambda *a: full.append(1) or step(*a))
    h = gn.fit(model, X, y, optimizer=opt, epochs=2, batch_size=16, verbose=0, engine="fused")
    assert h.steps == 8 and len(full) == 1
    flat = opt._packs[0].flat
    assert all(np.shares_memory(p.grad, flat.grad[0]) for p in model.parameters())


def test_diagnostics_flag_names_the_callback_it_moved_to():
    X, y = regression_data(n=20)
    with pytest.raises(TypeError, match=r"callbacks=\[glassnet\.diagnostics\.Diagnostics\(\)\]"):
        fit(nn.MLP([3, 1], rng=0), X, y, diagnostics=True, verbose=0)


def test_ctrl_c_as_the_rules_are_prepared_after_the_first_step_keeps_that_step_counted(
    monkeypatch,
):
    """fit's per-step loop asks a fresh optimizer for its prepared rules after the first
    step (which bound the gradients); a Ctrl-C there ends the run with that step counted."""
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((32, 3)), rng.standard_normal((32, 1))
    model = nn.MLP([3, 4, 1], rng=0, dtype=np.float64)
    opt = gn.optim.SGD(model.parameters(), lr=0.1)
    prepared, calls = opt.prepared, []

    def interrupting():
        calls.append(1)
        if len(calls) == 2:  # (the first: at the epoch's start, before any step)
            raise KeyboardInterrupt
        return prepared()

    monkeypatch.setattr(opt, "prepared", interrupting)
    with pytest.warns(UserWarning, match="Training interrupted by user"):
        h = gn.fit(model, X, y, optimizer=opt, batch_size=8, epochs=3, shuffle=False, verbose=0,
                   engine="fused")  # fmt: skip
    assert len(calls) == 2 and h.stop_reason == "interrupted"
    assert h.steps == 1 and h.samples_seen == 8
    ref = nn.MLP([3, 4, 1], rng=0, dtype=np.float64)
    gn.fit(ref, X, y, lr=0.1, batch_size=8, epochs=3, shuffle=False, max_steps=1, verbose=0)
    for a, b in zip(model.parameters(), ref.parameters()):
        np.testing.assert_array_equal(a.data, b.data)


def test_an_invscaling_schedule_resumed_goes_on_from_the_samples_it_had_seen():
    # its clock is the samples seen since it started, not since this fit call
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((40, 3)), rng.standard_normal(40)

    def run(split):
        model = nn.MLP([3, 4, 1], activation="tanh", rng=0, dtype=np.float64)
        opt = gn.optim.SGD(model.parameters(), lr=0.1)
        sched = gn.schedules.InvScalingLR(opt, power_t=0.5)
        lrs, done = [], 0
        for until in split:
            h = gn.fit(model, X, y, optimizer=opt, schedule=sched, epochs=until,
                       initial_epoch=done, batch_size=10, seed=until, verbose=0)  # fmt: skip
            lrs, done = lrs + h.lr, until
        return lrs, [p.data.copy() for p in model.parameters()]

    straight, parts = run([4]), run([2, 4])
    assert np.allclose(straight[0], [0.1 / math.sqrt(1 + 40 * e) for e in range(4)])
    assert parts[0] == straight[0]


@pytest.mark.parametrize(
    ("schedule", "error", "match"),
    [
        ("step", TypeError, "Got 'step': build it"),
        (gn.schedules.StepLR, TypeError, "Got StepLR: build it"),
        (object(), TypeError, "has no epoch_end method"),
    ],
)
def test_a_schedule_that_cannot_drive_fits_optimizer_is_refused(schedule, error, match):
    model = nn.MLP([2, 3, 1], rng=0)
    X, y = np.zeros((8, 2)), np.zeros(8)
    with pytest.raises(error, match=match):
        gn.fit(model, X, y, schedule=schedule, epochs=1, verbose=0)


def test_a_schedule_built_on_another_optimizer_is_refused_not_ignored():
    model = nn.MLP([2, 3, 1], rng=0)
    other = gn.optim.SGD(nn.MLP([2, 3, 1], rng=1).parameters(), lr=0.1)
    X, y = np.zeros((8, 2)), np.zeros(8)
    with pytest.raises(ValueError, match="built on another optimizer"):
        gn.fit(model, X, y, optimizer="sgd", schedule=gn.schedules.StepLR(other, 1), epochs=2)


def test_engine_fused_on_layers_of_two_dtypes_says_one_dtype_is_needed():
    model = nn.Sequential(
        nn.Linear(2, 3, rng=0), nn.Tanh(), nn.Linear(3, 1, rng=0, dtype=np.float64)
    )
    with pytest.raises(ValueError, match="Linear layers of one dtype"):
        gn.fit(model, np.zeros((4, 2)), np.zeros(4), engine="fused", epochs=1, verbose=0)


def test_the_stop_message_counts_one_epoch_and_one_step_in_the_singular():
    X, y = gn.datasets.logic_gate("xnor")
    net = gn.nn.MLP([2, 2, 1], rng=0)
    assert gn.fit(net, X, y, epochs=1, verbose=0).message.startswith(
        "Stopped after 1 epoch (1 step): "
    )  # (it read "1 epochs (1 steps)")
    assert gn.fit(net, X, y, epochs=2, verbose=0).message.startswith(
        "Stopped after 2 epochs (2 steps): "
    )


def test_the_message_during_training_says_how_far_it_went_not_a_stop_with_no_reason():
    # a callback reading history.message mid-run got "Stopped after 1 epoch (1 step): ."
    X, y = gn.datasets.logic_gate("xnor")
    seen = []
    keep = [lambda state: seen.append(state.history.message)]
    gn.fit(gn.nn.MLP([2, 2, 1], rng=0), X, y, epochs=2, verbose=0, callbacks=keep)
    assert seen == [
        "Trained 1 epoch (1 step); not stopped yet.",
        "Trained 2 epochs (2 steps); not stopped yet.",
    ]
    assert gn.train.History().message == "Trained 0 epochs (0 steps); not stopped yet."


@pytest.mark.parametrize(
    ("kw", "says"),
    [
        ({"shuffle": "no"}, "The 'shuffle' parameter of fit must be a bool"),
        ({"early_stopping": "yes"}, "The 'early_stopping' parameter of fit must be a bool"),
        ({"sample_weight": [0.0, 0.0, 0.0, 0.0]}, "every sample_weight is 0"),
    ],
)
def test_a_flag_given_as_text_and_weights_all_zero_are_refused(kw, says):
    # shuffle="no" shuffled and early_stopping="yes" stopped early (any text is true), and
    # weights all 0 trained nothing (every loss and gradient 0), all in silence
    X, y = gn.datasets.logic_gate("xnor")
    net = gn.nn.MLP([2, 2, 1], rng=0)
    before = [p.data.copy() for p in net.parameters()]
    with pytest.raises(ValueError, match=says):
        gn.fit(net, X, y, epochs=2, verbose=0, **kw)
    for a, p in zip(before, net.parameters()):
        np.testing.assert_array_equal(a, p.data)
    # some weights 0 (those rows left out) is what sample_weight is for: accepted
    gn.fit(net, X, y, epochs=2, verbose=0, sample_weight=[0.0, 1.0, 1.0, 0.0])


def test_numbers_written_as_text_are_refused_not_parsed_in_silence():
    # X.astype(str) and y.astype(str) trained: NumPy parsed the text into numbers
    X = np.random.default_rng(0).standard_normal((20, 4))
    y = (X[:, 0] > 0).astype(int)
    net = gn.nn.MLP([4, 8, 2], output_activation="softmax", rng=1)
    for a, b, name in ((X.astype(str), y, "X"), (X, y.astype(str), "y")):
        with pytest.raises(ValueError, match=rf"^fit: {name} must be numeric. It holds text"):
            gn.fit(net, a, b, loss="cross_entropy", epochs=1, verbose=0)
    # numbers held in an object array (a pandas object column of numbers) are numbers
    h = gn.fit(net, X.astype(object), y, loss="cross_entropy", epochs=1, verbose=0)
    assert h.steps == 1
