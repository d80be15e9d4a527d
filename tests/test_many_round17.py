"""fit_many and search, round 17: a learning rate per model with every optimizer.

Each model's rate scales its own update (``w ← w − γ_k d``, the rate inside each rule as
fit applies it), not its gradient, so an lr sweep with Adam (or RMSprop, Adagrad, ...)
trains in one stacked run and each model ends where its own ``gn.fit`` ends, bit for bit.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn, train
from glassnet.many import fit_many, search


@pytest.fixture(autouse=True)
def _numpy_reference_fits(monkeypatch):
    """The separate fits are the NumPy fast path (engine="fused"), what fit_many stacks
    (engine="auto" may hand a long run of a small network to glassnet.jit, equal only to
    rounding)."""
    monkeypatch.setattr(gn, "fit", functools.partial(train.fit, engine="fused"))


def data(n=90, d=5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    return X, (X[:, 0] + 0.5 * X[:, 1] * X[:, 2] > 0).astype(float)


def nets(k, sizes=(5, 6, 4, 1), dtype=np.float64):
    return [
        nn.MLP(list(sizes), activation="tanh", output_activation="sigmoid", rng=7 + s, dtype=dtype)
        for s in range(k)
    ]


def assert_same(a, b):
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(p.data, q.data)


# every optimizer fit_many takes, with the settings whose numbers depend on the rate
OPTIMIZERS = [
    ("adam", {}),
    ("adam", {"amsgrad": True, "weight_decay": 0.01}),
    ("adam", {"style": "sklearn"}),
    ("adamw", {"weight_decay": 0.1}),
    ("rmsprop", {}),
    ("rmsprop", {"momentum": 0.9, "centered": True, "weight_decay": 0.01}),
    ("adagrad", {"lr_decay": 0.01, "initial_accumulator_value": 0.1}),
    ("adadelta", {"weight_decay": 0.01}),
    ("adamax", {}),
    ("nadam", {}),
    ("nadam", {"decoupled_weight_decay": True, "weight_decay": 0.1}),
    ("radam", {}),
    ("radam", {"decoupled_weight_decay": True, "weight_decay": 0.1}),
    ("sgd", {"momentum": 0.9}),
    ("sgd", {"momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    ("sgd", {"momentum": 0.5, "dampening": 0.3}),
    ("sgd", {"momentum": 0.9, "style": "sklearn"}),
    ("sgd", {"weight_decay": 0.1}),
    ("sgd", {}),
]
LRS = [0.003, 0.02, 0.1]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(("optimizer", "options"), OPTIMIZERS)
def test_a_learning_rate_per_model_equals_separate_fits_bit_for_bit(optimizer, options, dtype):
    """fit_many(optimizer="adam", lr=[...]) was refused ("'adam' normalizes the gradient"):
    it trains now, each model's rate inside its update, and each model ends with the weights
    and losses of its own fit, bit for bit, with every optimizer and setting (SGD's momentum
    and weight decay too, which were equal to rounding only)."""
    X, y = data()
    many = nets(3, dtype=dtype)
    hs = fit_many(
        many, X, y, loss="bce", optimizer=optimizer, lr=LRS, epochs=4, batch_size=16,
        seed=[0, 1, 2], **options,
    )  # fmt: skip
    for k, alone in enumerate(nets(3, dtype=dtype)):
        opt = gn.optim.get_optimizer(optimizer, alone.parameters(), lr=LRS[k], **options)
        h = gn.fit(
            alone, X, y, loss="bce", optimizer=opt, epochs=4, batch_size=16, seed=k, verbose=0
        )
        assert_same(many[k], alone)
        assert hs[k].loss == h.loss
        assert hs[k].lr == h.lr


@pytest.mark.parametrize("optimizer", ["adam", "rmsprop", "nadam"])
def test_per_model_lr_l2_and_early_stopping_together_equal_separate_fits(optimizer):
    """Per-model rates with per-model L2, a seed per model and early stopping (a split of
    each model's own): every model stops at its own fit's epoch with its own fit's best
    weights, losses and validation scores."""
    X, y = data(n=120)
    lrs, l2s = [0.3, 0.001, 0.05, 0.02], [0.0, 0.01, 0.1, 0.0]
    many = nets(4)
    hs = fit_many(
        many, X, y, loss="bce", optimizer=optimizer, lr=lrs, l2=l2s, epochs=60,
        batch_size=20, seed=range(4), early_stopping=True, validation_split=0.25,
        n_iter_no_change=3,
    )  # fmt: skip
    for k, alone in enumerate(nets(4)):
        h = gn.fit(
            alone, X, y, loss="bce", optimizer=optimizer, lr=lrs[k], l2=l2s[k], epochs=60,
            batch_size=20, seed=k, early_stopping=True, validation_split=0.25,
            n_iter_no_change=3, verbose=0,
        )  # fmt: skip
        assert (hs[k].epochs, hs[k].stop_reason) == (h.epochs, h.stop_reason)
        assert hs[k].loss == h.loss and hs[k].val_loss == h.val_loss
        assert_same(many[k], alone)
    assert len({h.epochs for h in hs}) > 1  # (the models stopped at epochs of their own)


def test_a_stack_of_more_than_65536_values_updates_each_model_as_its_fit():
    """The stacked buffer (3 networks of 24,000 weights: 72,000 values) is updated block by
    block, each block with its own models' rates; each network, below 65,536 weights, is
    updated by its fit in NumPy's calls too: bit for bit."""
    X, y = data(n=40, d=150)
    sizes = (150, 150, 10, 1)
    many = nets(3, sizes, np.float32)
    assert sum(p.data.size for p in many[0].parameters()) * 3 > 65536
    fit_many(many, X, y, loss="bce", optimizer="adam", lr=LRS, epochs=2, batch_size=20, seed=5)
    for k, alone in enumerate(nets(3, sizes, np.float32)):
        gn.fit(alone, X, y, loss="bce", optimizer="adam", lr=LRS[k], epochs=2, batch_size=20,
               seed=5, verbose=0)  # fmt: skip
        assert_same(many[k], alone)


def test_per_model_rates_on_threads_equal_one_thread():
    """threads=2 splits the forward and backward; the update of the stack is the same."""
    X, y = data()
    runs = []
    for threads in (1, 2):
        many = nets(4)
        fit_many(
            many, X, y, loss="bce", optimizer="adam", lr=[0.1, 0.01, 0.001, 0.05], epochs=3,
            batch_size=16, seed=range(4), threads=threads,
        )  # fmt: skip
        runs.append(many)
    for a, b in zip(*runs):
        assert_same(a, b)
    alone = nets(4)[2]
    gn.fit(alone, X, y, loss="bce", optimizer="adam", lr=0.001, epochs=3, batch_size=16,
           seed=2, verbose=0)  # fmt: skip
    assert_same(runs[0][2], alone)


def test_search_sweeps_the_learning_rate_with_adam():
    """search(..., {"lr": [...]}, optimizer="adam") was refused; it trains every point,
    each model as its own fit on the rows search keeps for training."""
    X, y = data(n=100)
    build = lambda p: nn.MLP(  # noqa: E731
        [5, 6, 1], activation="tanh", output_activation="sigmoid", rng=p["seed"]
    )
    grid = {"lr": [0.001, 0.01, 0.1], "seed": [0, 1]}
    result = search(build, X, y, grid, loss="bce", optimizer="adam", epochs=5, batch_size=16)
    assert [p["lr"] for p in result.params] == [0.001, 0.001, 0.01, 0.01, 0.1, 0.1]
    assert [h.lr[0] for h in result.histories] == [0.001, 0.001, 0.01, 0.01, 0.1, 0.1]
    # the three rates trained differently: their validation losses differ
    assert len({round(float(v), 12) for v in result.val_loss}) == 6


def test_a_class_of_ones_own_is_refused_a_rate_per_model_with_the_reason():
    """A class of one's own may read its rate elsewhere than in its rule's settings (its
    own self.lr, a number of its own), where one rate per model cannot reach it: refused,
    saying so; one rate for all models trains."""

    class Halved(gn.optim.SGD):
        def _rule(self, w, g, work, state, h):
            np.subtract(w, np.multiply(g, 0.5 * self.lr), out=w)

    X, y = data()
    with pytest.raises(ValueError, match=r"Halved is a class of your own.*one lr for all models"):
        fit_many(nets(2), X, y, loss="bce", optimizer=Halved, lr=[0.1, 0.2], epochs=1)
    fit_many(nets(2), X, y, loss="bce", optimizer=Halved, lr=0.1, epochs=1)


def test_search_refuses_a_rate_per_model_for_a_class_of_ones_own_before_building():
    """search names the class and the same reason, before build makes any model."""

    class Halved(gn.optim.SGD):
        def _rule(self, w, g, work, state, h):
            np.subtract(w, np.multiply(g, 0.5 * self.lr), out=w)

    built = []
    X, y = data()
    with pytest.raises(ValueError, match=r"search: grid\['lr'\].*Halved is a class of your own"):
        search(built.append, X, y, {"lr": [0.1, 0.2]}, loss="bce", optimizer=Halved)
    assert built == []


def test_per_model_rates_with_a_frozen_layer_and_a_diverging_model_equal_separate_fits():
    """A layer one model keeps fixed (requires_grad=False) stays as it is under RMSprop's
    per-model rates; a model whose Adam rate (1e300) overflows stops "diverged" with its
    weights from before that step, as its fit does, while the others train on."""
    X, y = data(n=60)
    y = 100 * y

    def relu_nets():
        return [nn.MLP([5, 6, 1], activation="relu", rng=s) for s in range(3)]

    lrs = [0.01, 0.1, 0.003]
    many = relu_nets()
    many[1].parameters()[0].requires_grad_(False)
    hs = fit_many(many, X, y, loss="mse", optimizer="rmsprop", lr=lrs, epochs=4, batch_size=10,
                  seed=[0, 1, 2])  # fmt: skip
    for k, alone in enumerate(relu_nets()):
        if k == 1:
            alone.parameters()[0].requires_grad_(False)
        h = gn.fit(alone, X, y, loss="mse", optimizer="rmsprop", lr=lrs[k], epochs=4,
                   batch_size=10, seed=k, verbose=0)  # fmt: skip
        assert_same(many[k], alone)
        assert hs[k].loss == h.loss
    lrs = [0.01, 1e300, 0.003]
    many = relu_nets()
    with np.errstate(all="ignore"):
        hs = fit_many(many, X, y, loss="mse", optimizer="adam", lr=lrs, epochs=4, batch_size=10,
                      seed=[0, 1, 2])  # fmt: skip
    assert [h.stop_reason for h in hs] == ["max_epochs", "diverged", "max_epochs"]
    for k, alone in enumerate(relu_nets()):
        try:
            with np.errstate(all="ignore"):
                h = gn.fit(alone, X, y, loss="mse", optimizer="adam", lr=lrs[k], epochs=4,
                           batch_size=10, seed=k, verbose=0)  # fmt: skip
        except gn.DivergenceError as e:
            h = e.history
        assert (h.stop_reason, h.steps) == (hs[k].stop_reason, hs[k].steps)
        assert_same(many[k], alone)
