"""fit_many: K networks trained at once end where K separate fits end."""

from __future__ import annotations

import functools
import threading
import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn, train
from glassnet.fused import FastMLP
from glassnet.many import fit_many, search


@pytest.fixture(autouse=True)
def _numpy_reference_fits(monkeypatch):
    """The separate fits are the NumPy fast path (engine="fused"), what fit_many stacks:
    engine="auto" hands a small network's run of 20,000 steps or more to glassnet.jit's
    compiled loop, equal only to rounding (docs/jit.md)."""
    monkeypatch.setattr(gn, "fit", functools.partial(train.fit, engine="fused"))


XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XNOR_Y = np.array([1, 0, 0, 1])


def xnor_nets(k, dtype=np.float32):
    return [
        nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=s, dtype=dtype)
        for s in range(k)
    ]


def small_nets(k, sizes=(6, 8, 8, 1), act="tanh", out="sigmoid", dtype=np.float32):
    return [
        nn.MLP(list(sizes), activation=act, output_activation=out, rng=10 + s, dtype=dtype)
        for s in range(k)
    ]


def data(n=120, d=6, outputs=1, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(float)
    return X, y


def weights(model):
    return [p.data.copy() for p in model.parameters()]


def assert_same(a, b, rtol=0.0):
    for p, q in zip(weights(a), weights(b)):
        if rtol:
            np.testing.assert_allclose(p, q, rtol=rtol, atol=rtol)
        else:
            np.testing.assert_array_equal(p, q)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_xnor_per_model_lr_and_l2_equal_separate_fits_bit_for_bit(dtype):
    lrs = [0.5 + 0.25 * k for k in range(6)]
    l2s = [0.0, 0.01] * 3
    many = xnor_nets(6, dtype)
    hs = fit_many(
        many, XOR_X, XNOR_Y, loss="binary_cross_entropy", lr=lrs, l2=l2s, epochs=200, tol=1e-4
    )
    for k, alone in enumerate(xnor_nets(6, dtype)):
        h = gn.fit(
            alone, XOR_X, XNOR_Y, loss="binary_cross_entropy", lr=lrs[k], l2=l2s[k],
            epochs=200, tol=1e-4, verbose=0,
        )  # fmt: skip
        assert_same(many[k], alone)
        assert (hs[k].epochs, hs[k].steps, hs[k].stop_reason) == (h.epochs, h.steps, h.stop_reason)
        assert hs[k].loss == h.loss  # (each ||W||² a dot product, as one network's)


def test_each_history_holds_what_fit_records_when_models_stop_at_different_epochs():
    # fit_many keeps its books as arrays over the models; each History is written from them
    X, y = data(n=90)
    lrs = [0.05, 0.2, 0.8, 3.0]
    many = small_nets(4)
    opts = dict(epochs=60, batch_size=40, seed=3, tol=1e-3, n_iter_no_change=4, max_steps=150)
    hs = fit_many(many, X, y, loss="binary_cross_entropy", lr=lrs, **opts)
    ends = set()
    for k, alone in enumerate(small_nets(4)):
        h = gn.fit(alone, X, y, loss="binary_cross_entropy", lr=lrs[k], verbose=0, **opts)
        assert_same(many[k], alone)
        fields = ("epochs", "steps", "samples_seen", "stop_reason", "best_epoch", "lr")
        assert [getattr(hs[k], f) for f in fields] == [getattr(h, f) for f in fields]
        np.testing.assert_array_equal(hs[k].loss, h.loss)
        assert hs[k].best_loss == h.best_loss == min(h.loss)
        ends.add((h.epochs, h.stop_reason))
    assert len(ends) == 4  # (max_steps, then tol at three different epochs)


def test_a_stack_past_one_update_block_equals_separate_fits_bit_for_bit():
    """12 networks of 5,505 weights: the stacked buffer (66,060) is past the optimizer's
    block, where a buffer that large is updated by BLAS's axpy (one rounding); each network
    alone is not, so fit_many's optimizer keeps NumPy's two calls (fuse_above = K x)."""
    X, y = data(n=64, d=20)
    a, b = small_nets(12, sizes=(20, 64, 64, 1)), small_nets(12, sizes=(20, 64, 64, 1))
    opts = dict(loss="binary_cross_entropy", lr=0.1, epochs=1, batch_size=16)
    fit_many(a, X, y, seed=list(range(12)), **opts)
    for k, net in enumerate(b):
        gn.fit(net, X, y, seed=k, verbose=0, **opts)
    for m, n in zip(a, b):
        assert_same(m, n)


def test_minibatches_with_a_seed_per_model_and_momentum_equal_separate_fits():
    X, y = data()
    many = small_nets(4)
    fit_many(
        many, X, y, loss="binary_cross_entropy", lr=0.1, epochs=4, batch_size=32,
        seed=[1, 2, 3, 4], momentum=0.9,
    )  # fmt: skip
    for k, alone in enumerate(small_nets(4)):
        opt = gn.optim.SGD(alone.parameters(), lr=0.1, momentum=0.9)
        gn.fit(
            alone, X, y, loss="binary_cross_entropy", optimizer=opt, epochs=4, batch_size=32,
            seed=k + 1, verbose=0,
        )  # fmt: skip
        assert_same(many[k], alone)


def test_shared_seed_adam_and_early_stopping_stop_each_model_where_it_stops_alone():
    X, y = data(n=200)
    many = small_nets(3)
    hs = fit_many(
        many, X, y, loss="binary_cross_entropy", optimizer="adam", lr=0.02, epochs=40,
        batch_size=32, seed=7, early_stopping=True, n_iter_no_change=3,
    )  # fmt: skip
    for k, alone in enumerate(small_nets(3)):
        h = gn.fit(
            alone, X, y, loss="binary_cross_entropy", optimizer="adam", lr=0.02, epochs=40,
            batch_size=32, seed=7, early_stopping=True, n_iter_no_change=3, verbose=0,
        )  # fmt: skip
        assert (hs[k].epochs, hs[k].stop_reason, hs[k].best_epoch) == (
            h.epochs,
            h.stop_reason,
            h.best_epoch,
        )
        assert_same(many[k], alone)  # the best weights, restored
        # validation losses as fit scores them, bit for bit
        np.testing.assert_array_equal(hs[k].val_loss, h.val_loss)
        np.testing.assert_allclose(hs[k].val_metric, h.val_metric)


def test_multiclass_cross_entropy_and_regression():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((90, 4))
    labels = np.argmax(X[:, :3], axis=1)
    nets = lambda: [  # noqa: E731
        nn.MLP([4, 5, 3], activation="relu", output_activation="softmax", rng=s, dtype=np.float64)
        for s in range(3)
    ]
    many = nets()
    fit_many(
        many,
        X,
        labels,
        loss="cross_entropy",
        lr=[0.1, 0.2, 0.3],
        epochs=20,
        batch_size=30,
        seed=[0, 1, 2],
    )
    for k, alone in enumerate(nets()):
        gn.fit(
            alone,
            X,
            labels,
            loss="cross_entropy",
            lr=[0.1, 0.2, 0.3][k],
            epochs=20,
            batch_size=30,
            seed=k,
            verbose=0,
        )
        assert_same(many[k], alone)
    Y = np.stack([X[:, 0] - X[:, 1], X[:, 2] * 0.5], axis=1)
    regs = lambda: [nn.MLP([4, 6, 2], activation="tanh", rng=s) for s in range(2)]  # noqa: E731
    many = regs()
    fit_many(many, X, Y, loss="mse", lr=0.05, epochs=10, batch_size=16, seed=5, l2=0.1)
    for alone, got in zip(regs(), many):
        gn.fit(
            alone, X, Y, loss="mse", lr=0.05, epochs=10, batch_size=16, seed=5, l2=0.1, verbose=0
        )
        assert_same(got, alone)


def test_a_diverging_model_stops_alone_with_its_finite_weights():
    X, y = data()
    many = small_nets(3, act="identity", out="identity", dtype=np.float64)
    hs = fit_many(many, X, y, loss="mse", lr=[0.01, 2.0, 0.01], epochs=30)
    assert hs[1].stop_reason == "diverged" and "diverged" in hs[1].warnings[0]
    assert all(np.isfinite(p).all() for p in weights(many[1]))
    assert hs[0].stop_reason == hs[2].stop_reason == "max_epochs"
    assert hs[0].epochs == 30 and hs[1].epochs < 30
    with pytest.raises(gn.DivergenceError) as info:  # alone, fit stops at the same step
        gn.fit(small_nets(3, act="identity", out="identity", dtype=np.float64)[1], X, y,
               loss="mse", lr=2.0, epochs=30, verbose=0)  # fmt: skip
    assert info.value.history.steps == hs[1].steps


def test_frozen_models_do_not_move_while_others_train():
    many = xnor_nets(4)
    hs = fit_many(
        many,
        XOR_X,
        XNOR_Y,
        loss="binary_cross_entropy",
        lr=[0.01, 3.0, 0.01, 3.0],
        tol=1e-3,
        n_iter_no_change=2,
        epochs=400,
    )
    stopped = [k for k, h in enumerate(hs) if h.stop_reason == "tol"]
    assert stopped, [h.stop_reason for h in hs]
    for k in stopped:  # a separate fit with the same settings stops at the same epoch
        alone = xnor_nets(4)[k]
        h = gn.fit(
            alone,
            XOR_X,
            XNOR_Y,
            loss="binary_cross_entropy",
            lr=[0.01, 3.0, 0.01, 3.0][k],
            tol=1e-3,
            n_iter_no_change=2,
            epochs=400,
            verbose=0,
        )
        assert h.epochs == hs[k].epochs
        assert_same(many[k], alone)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"lr": [0.1, 0.2]}, "one value or one per model"),
        ({"lr": -1.0}, "lr"),
        ({"batch_size": 10}, "larger than the number of training samples"),
        ({"loss": "nope"}, "loss"),
    ],
)
def test_bad_settings_are_refused(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        fit_many(xnor_nets(3), XOR_X, XNOR_Y, **{"loss": "binary_cross_entropy", **kwargs})


def test_models_of_different_shapes_or_dtypes_are_refused():
    nets = xnor_nets(2) + [nn.MLP([2, 3, 1], activation="sigmoid", output_activation="sigmoid")]
    with pytest.raises(ValueError, match="model 2 has layers 2->3 sigmoid"):
        fit_many(nets, XOR_X, XNOR_Y, loss="binary_cross_entropy")
    nets = xnor_nets(1) + xnor_nets(1, np.float64)
    with pytest.raises(ValueError, match="one dtype"):
        fit_many(nets, XOR_X, XNOR_Y, loss="binary_cross_entropy")
    with pytest.raises(TypeError, match="list of glassnet models"):
        fit_many(xnor_nets(1)[0], XOR_X, XNOR_Y)


def test_a_network_sharing_a_linear_layer_is_refused_with_its_index():
    """fit_many trains on the fast path, which cannot train a Linear used twice (each use's
    dL/dW would overwrite the other's): the model is named by its index, once."""
    lin = gn.nn.Linear(2, 2, rng=0)
    shared = gn.nn.Sequential(lin, gn.nn.Tanh(), lin)
    plain = gn.nn.Sequential(gn.nn.Linear(2, 2, rng=1), gn.nn.Tanh(), gn.nn.Linear(2, 2, rng=2))
    X, y = np.zeros((4, 2)), np.zeros((4, 2))
    with pytest.raises(TypeError, match=r"^fit_many: model 1: the model uses one Linear layer"):
        gn.fit_many([plain, shared], X, y, epochs=1)


def test_validation_data_with_a_seed_per_model_scores_every_model_as_fit_does():
    """One validation set for all (validation_data) while each model draws its own batches
    (a seed per model): each model is scored on the whole set, as its separate fit scores it."""
    X, y = data()
    val = data(n=40, seed=1)
    many = small_nets(2)
    hs = fit_many(
        many, X, y, loss="binary_cross_entropy", lr=0.1, epochs=3, batch_size=32, seed=[1, 2],
        validation_data=val,
    )  # fmt: skip
    for k, alone in enumerate(small_nets(2)):
        h = gn.fit(
            alone, X, y, loss="binary_cross_entropy", lr=0.1, epochs=3, batch_size=32,
            seed=k + 1, validation_data=val, verbose=0,
        )  # fmt: skip
        assert_same(many[k], alone)
        np.testing.assert_array_equal(hs[k].val_loss, h.val_loss)  # (bit for bit)
        np.testing.assert_allclose(hs[k].val_metric, h.val_metric)


def test_a_model_whose_weights_overflow_keeps_its_last_finite_weights_as_fit_does():
    """One huge step sends a model's weights to inf while its loss was still finite; the
    next loss is NaN. It keeps the last finite weights recorded (here the initial ones),
    as fit does, not the overflowed ones; the other model trains on unaffected."""
    X, y = data()
    lin = lambda: small_nets(2, act="identity", out="identity")  # noqa: E731
    many = lin()
    hs = fit_many(many, X, 100 * y, loss="mse", lr=[1e-4, 1e38], epochs=5)
    assert hs[1].stop_reason == "diverged" and hs[1].steps == 1
    assert "last finite weights" in hs[1].warnings[0]
    alone = lin()[1]
    with pytest.raises(gn.DivergenceError) as info:
        gn.fit(alone, X, 100 * y, loss="mse", lr=1e38, epochs=5, verbose=0)
    assert info.value.history.steps == hs[1].steps
    assert_same(many[1], alone)
    assert_same(alone, lin()[1])  # both put back to the initial weights
    alone = lin()[0]
    gn.fit(alone, X, 100 * y, loss="mse", lr=1e-4, epochs=5, verbose=0)
    assert hs[0].stop_reason == "max_epochs"
    assert_same(many[0], alone)


@pytest.mark.parametrize("options", [{"weight_decay": 0.1}, {"weight_decay": 0.1, "momentum": 0.9}])
def test_per_model_learning_rates_with_weight_decay_equal_separate_fits(options):
    """SGD's weight decay λw joins the gradient before each model's rate scales it: model k
    steps by its own rate times (dL/dw + λw), as SGD(lr=lrs[k], weight_decay=λ) alone does
    (to rounding: the decay is formed in another order). "gd" names the same SGD."""
    X, y = data()
    lrs = [0.1, 0.3]
    many = small_nets(2, dtype=np.float64)
    fit_many(
        many, X, y, loss="binary_cross_entropy", optimizer="gd", lr=lrs, epochs=5,
        batch_size=32, seed=3, **options,
    )  # fmt: skip
    for k, alone in enumerate(small_nets(2, dtype=np.float64)):
        opt = gn.optim.SGD(alone.parameters(), lr=lrs[k], **options)
        gn.fit(
            alone, X, y, loss="binary_cross_entropy", optimizer=opt, epochs=5, batch_size=32,
            seed=3, verbose=0,
        )  # fmt: skip
        assert_same(many[k], alone, rtol=1e-12)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"verbose": 0}, r"fit_many takes no \['verbose'\]: an option of glassnet.fit"),
        ({"callbacks": [], "engine": "fused"}, r"no \['callbacks', 'engine'\]"),
        ({"optimizer": "sgd", "momentun": 0.9}, r"SGD got unexpected keyword arguments"),
        ({"validation_data": (XOR_X,)}, r"fit_many: validation_data must be a pair"),
        ({"validation_data": (XOR_X, XNOR_Y[:3])}, r"validation_data\[0\] has 4 samples"),
        ({"lr": None}, r"'lr' parameter of fit_many must be a float > 0. Got None"),
        ({"lr": [0.1, "0.2", 0.3]}, r"'lr' parameter of fit_many must be a float > 0. Got '0.2'"),
        ({"l2": [0.0, None, 0.0]}, r"'l2' parameter of fit_many must be a float >= 0. Got None"),
        ({"optimizer": "adm"}, r"Unknown optimizer 'adm'"),
        ({"threads": 4}, r"'threads' parameter of fit_many \(4\) is more than the 3 network"),
        ({"threads": "many"}, r"int >= 1 \(exactly that many threads, each stepping a share"),
        ({"threads": 0}, r"'threads' parameter of fit_many must be 'auto'"),
    ],
)
def test_bad_arguments_name_themselves(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        fit_many(xnor_nets(3), XOR_X, XNOR_Y, **{"loss": "binary_cross_entropy", **kwargs})


def test_an_optimizer_object_is_refused_with_what_to_pass_instead():
    nets = xnor_nets(2)
    opt = gn.optim.SGD(nets[0].parameters(), lr=0.1, momentum=0.9)
    with pytest.raises(TypeError, match=r"optimizer='sgd', momentum=0.9.*Got SGD"):
        fit_many(nets, XOR_X, XNOR_Y, loss="binary_cross_entropy", optimizer=opt)


def test_a_model_diverging_after_early_stopping_saw_a_best_epoch_keeps_what_fit_keeps():
    """With early stopping, a model that diverges keeps its weights from before the step
    that diverged, as fit does (fit raises before its best weights are put back), not the
    best weights of an earlier epoch."""
    X, y = data()
    lin = lambda: small_nets(1, act="identity", out="identity", dtype=np.float64)  # noqa: E731
    options = dict(loss="mse", lr=0.4, epochs=200, early_stopping=True, batch_size=16, seed=0)
    many = lin()
    (h,) = fit_many(many, X, y, **options)
    alone = lin()[0]
    with pytest.raises(gn.DivergenceError) as info:
        gn.fit(alone, X, y, verbose=0, **options)
    assert (h.stop_reason, h.best_epoch, h.steps) == (
        "diverged",
        info.value.history.best_epoch,
        info.value.history.steps,
    )
    assert h.best_epoch is not None  # a best epoch was seen before it diverged
    assert_same(many[0], alone)


def test_models_in_a_numpy_object_array_train_as_the_list_does():
    X, y = XOR_X, XNOR_Y
    listed, arrayed = xnor_nets(3), np.empty(3, dtype=object)
    arrayed[:] = xnor_nets(3)  # (np.array(models) would unpack each MLP's layers)
    fit_many(listed, X, y, loss="binary_cross_entropy", lr=1.0, epochs=20)
    fit_many(arrayed, X, y, loss="binary_cross_entropy", lr=1.0, epochs=20)
    for a, b in zip(listed, arrayed):
        assert_same(a, b)
    with pytest.raises(TypeError, match="models must be a non-empty list"):
        fit_many(np.array([], dtype=object), X, y)


def test_one_model_given_twice_is_refused():
    """[net] * 3 is one model three times: trained as three, only one set of weights could
    come back. Each model must be its own object, sharing no parameter with another."""
    net = xnor_nets(1)[0]
    with pytest.raises(ValueError, match=r"model 1 is model 0.*\[MLP\(\.\.\., rng=s\)"):
        fit_many([net] * 3, XOR_X, XNOR_Y, loss="binary_cross_entropy")
    lin = gn.nn.Linear(2, 1, rng=0)
    a = gn.nn.Sequential(gn.nn.Linear(2, 2, rng=1), gn.nn.Sigmoid(), lin, gn.nn.Sigmoid())
    b = gn.nn.Sequential(gn.nn.Linear(2, 2, rng=2), gn.nn.Sigmoid(), lin, gn.nn.Sigmoid())
    with pytest.raises(ValueError, match=r"model 1 shares a parameter with model 0"):
        fit_many([a, b], XOR_X, XNOR_Y, loss="binary_cross_entropy")


def test_sample_weight_and_max_steps_mean_what_they_mean_in_fit():
    """Sample weights (split with each model's own validation rows) and a step budget that
    ends mid-epoch, with a tol that stops one model before it: each model as alone."""
    X, y = data(n=150)
    w = np.random.default_rng(9).uniform(0, 2, 150)
    lrs = [0.05, 2.0, 5.0]
    options = dict(epochs=200, batch_size=32, max_steps=30, tol=1e-2, n_iter_no_change=2)
    many = small_nets(3)
    hs = fit_many(
        many, X, y, loss="binary_cross_entropy", lr=lrs, seed=[1, 2, 3], sample_weight=w,
        validation_split=0.2, **options,
    )  # fmt: skip
    assert {h.stop_reason for h in hs} == {"max_steps", "tol"}
    for k, alone in enumerate(small_nets(3)):
        h = gn.fit(
            alone, X, y, loss="binary_cross_entropy", lr=lrs[k], seed=k + 1, sample_weight=w,
            validation_split=0.2, verbose=0, **options,
        )  # fmt: skip
        assert (hs[k].steps, hs[k].epochs, hs[k].stop_reason, hs[k].samples_seen) == (
            h.steps,
            h.epochs,
            h.stop_reason,
            h.samples_seen,
        )
        assert_same(many[k], alone)
        assert hs[k].loss == h.loss


def test_a_parameter_a_model_keeps_fixed_is_not_trained():
    """A parameter with requires_grad=False is left as it is, as fit's optimizer leaves it;
    one model may freeze a layer the others train."""
    X, y = data()

    def nets():
        out = small_nets(2)
        for p in out[0].layers[0].parameters():  # model 0: its first layer fixed
            p.requires_grad = False
        return out

    many = nets()
    fit_many(many, X, y, loss="binary_cross_entropy", lr=0.1, epochs=3, batch_size=32, seed=1)
    for k, alone in enumerate(nets()):
        gn.fit(
            alone, X, y, loss="binary_cross_entropy", lr=0.1, epochs=3, batch_size=32, seed=1,
            verbose=0,
        )  # fmt: skip
        assert_same(many[k], alone)
    first = [p.data for p in small_nets(2)[0].layers[0].parameters()]
    for p, start in zip(many[0].layers[0].parameters(), first):
        np.testing.assert_array_equal(p.data, start)


def test_models_of_different_shapes_are_refused_with_readable_layers():
    nets = xnor_nets(1) + [
        nn.MLP([2, 3, 1], activation="leaky_relu", output_activation="sigmoid", rng=0)
    ]
    match = (
        r"model 1 has layers 2->3 leaky_relu\(0.01\), 3->1 sigmoid; model 0 has "
        r"2->2 sigmoid, 2->1 sigmoid\. .*fit_many once per shape"
    )
    with pytest.raises(ValueError, match=match):
        fit_many(nets, XOR_X, XNOR_Y, loss="binary_cross_entropy")
    with pytest.raises(ValueError, match=r"lr must be one value or one per model \(3\)\. Got "
                       r"an array of shape \(1, 3\)"):  # fmt: skip
        fit_many(xnor_nets(3), XOR_X, XNOR_Y, loss="binary_cross_entropy", lr=[[0.1] * 3])


def test_a_model_the_fast_path_cannot_train_is_named_with_the_reason():
    plain = nn.Sequential(nn.Linear(2, 3, rng=0), nn.ReLU(), nn.Linear(3, 1, rng=1))
    dropout = nn.Sequential(nn.Linear(2, 3, rng=0), nn.ReLU(), nn.Dropout(0.5), nn.Linear(3, 1))
    match = r"^fit_many: model 1: fit_many handles networks of Linear.*The model holds a Dropout"
    with pytest.raises(TypeError, match=match):
        fit_many([plain, dropout], XOR_X, XNOR_Y, epochs=1)
    with pytest.raises(TypeError, match=r"^fit_many: model 0: model must be a glassnet Module"):
        fit_many(["net", plain], XOR_X, XNOR_Y, epochs=1)


def test_a_loss_that_needs_another_output_layer_says_what_to_do():
    nets = [nn.MLP([2, 2, 1], activation="tanh", rng=s) for s in range(2)]  # identity output
    match = (
        r"expects a sigmoid output layer; the models end in identity\. End them in sigmoid "
        r"\(output_activation='sigmoid'\), or .* loss='binary_cross_entropy_with_logits'"
    )
    with pytest.raises(ValueError, match=match):
        fit_many(nets, XOR_X, XNOR_Y, loss="binary_cross_entropy", epochs=1)


def press_ctrl_c_at(monkeypatch, n):
    """FastMLP.step raises KeyboardInterrupt at its n-th call in the main thread, where
    Ctrl-C arrives (a share's thread steps on); returns what puts the real step back."""
    step, calls = FastMLP.step, []

    def pressed(self, *args, **kwargs):
        if threading.current_thread() is threading.main_thread():
            calls.append(1)
            if len(calls) == n:
                raise KeyboardInterrupt
        return step(self, *args, **kwargs)

    monkeypatch.setattr(FastMLP, "step", pressed)
    return lambda: monkeypatch.setattr(FastMLP, "step", step)


def test_ctrl_c_leaves_each_model_where_the_steps_it_took_leave_it(monkeypatch):
    """Ctrl-C before the stack's 60th step: a model still training holds the weights and
    counts of its 59 steps (a fit stopped by max_steps=59 takes the same ones; the epoch cut
    short is not recorded), and one stopped earlier by tol is as its own fit left it."""
    X, y = data()
    lrs = [0.05, 5.0]
    options = dict(epochs=100, batch_size=32, seed=3, tol=1e-4, n_iter_no_change=2)
    many = small_nets(2, dtype=np.float64)
    release = press_ctrl_c_at(monkeypatch, 60)
    with pytest.warns(UserWarning, match="1 of the 2 networks: Training interrupted by user"):
        hs = fit_many(many, X, y, loss="binary_cross_entropy", lr=lrs, **options)
    release()
    assert [h.stop_reason for h in hs] == ["interrupted", "tol"]
    assert (hs[0].steps, hs[0].epochs, len(hs[0].loss)) == (59, 14, 14)  # 4 steps an epoch
    for k, alone in enumerate(small_nets(2, dtype=np.float64)):
        h = gn.fit(
            alone, X, y, loss="binary_cross_entropy", lr=lrs[k], max_steps=59, verbose=0,
            **options,
        )  # fmt: skip
        assert_same(many[k], alone)
        assert hs[k].loss == h.loss[: len(hs[k].loss)]
    assert hs[1].steps == h.steps and h.stop_reason == "tol"


def test_a_validation_split_that_leaves_no_training_rows_is_named_as_fit_many_s():
    one = np.zeros((1, 2)), np.zeros(1)
    with pytest.raises(ValueError, match=r"^fit_many: validation_split=0.5 leaves no training"):
        fit_many(xnor_nets(2), *one, loss="binary_cross_entropy", validation_split=0.5)
    with pytest.raises(ValueError, match=r"^fit_many: early_stopping's 0.1 split leaves no train"):
        fit_many(xnor_nets(2), *one, loss="binary_cross_entropy", early_stopping=True)


def test_models_too_large_for_the_memory_allowed_are_refused_before_training(monkeypatch):
    monkeypatch.setenv("GLASSNET_MEMORY_LIMIT", "2M")
    X, y = data(n=4000, d=6)
    nets = small_nets(8, sizes=(6, 64, 64, 1))
    before = weights(nets[0])
    # full batch: each model's 4000 rows of 129 activations, 3 buffers each (about 50 MB)
    with pytest.raises(MemoryError, match=r"fit_many needs about .* GLASSNET_MEMORY_LIMIT=2M"):
        fit_many(nets, X, y, loss="binary_cross_entropy", epochs=1)
    assert all(np.array_equal(a, b) for a, b in zip(before, weights(nets[0])))
    # the same models in batches of 64 rows fit in it
    fit_many(nets, X, y, loss="binary_cross_entropy", epochs=1, batch_size=64)


# ------------------------------------------------------------------------ search
def xnor_build(p):
    return nn.MLP([2, 3, 1], activation="tanh", output_activation="sigmoid", rng=p["seed"])


def test_search_trains_each_grid_point_as_its_own_fit_and_ranks_them_on_one_validation_set():
    X, y = data(n=80, d=2)
    Xv, yv = data(n=40, d=2, seed=1)
    grid = {"lr": [0.3, 1.0], "seed": [0, 1, 2]}
    result = search(xnor_build, X, y, grid, validation_data=(Xv, yv), l2=0.01,
                    loss="binary_cross_entropy", epochs=30, batch_size=16)  # fmt: skip
    assert result.params == [{"lr": a, "seed": s} for a in (0.3, 1.0) for s in (0, 1, 2)]
    for params, model, h in zip(result.params, result.models, result.histories):
        alone = xnor_build(params)
        ha = gn.fit(alone, X, y, loss="binary_cross_entropy", lr=params["lr"], l2=0.01,
                    epochs=30, batch_size=16, seed=params["seed"], verbose=0)  # fmt: skip
        assert_same(model, alone)
        assert h.epochs == ha.epochs == 30
    spec = gn.functional.get_loss("binary_cross_entropy")
    Xc, yc, _ = gn.tasks.check_data(result.models[0], spec, Xv, yv, None, "test")
    for model, vl, vm in zip(result.models, result.val_loss, result.val_metric):
        assert (vl, vm) == gn.tasks.score(model, spec, "binary_cross_entropy", Xc, yc)[:2]
    assert result.best_index == int(np.argmin(result.val_loss))
    assert list(result.ranking) == list(np.argsort(result.val_loss, kind="stable"))
    assert result.best_model is result.models[result.best_index]
    lines = result.table().splitlines()
    assert lines[0].split() == ["rank", "lr", "seed", "val_loss", "accuracy", "epochs", "stopped"]
    assert len(lines) == 7 and lines[1].split()[0] == "1"


def test_search_holds_out_one_split_for_every_model_and_ranks_a_diverged_model_last():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 3))
    y = X @ np.array([1.0, -2.0, 0.5])
    build = lambda p: nn.MLP([3, 4, 1], activation="identity", rng=0)  # noqa: E731
    result = search(build, X, y, {"lr": [0.01, 100.0]}, loss="mse", epochs=5, seed=3)
    # 0.2 of 50 rows held out: each model trained on the other 40 in all 5 epochs
    assert result.histories[0].samples_seen == 5 * 40
    assert result.histories[1].stop_reason == "diverged"
    assert list(result.ranking) == [0, 1]
    assert "diverged" in result.table().splitlines()[-1]


@pytest.mark.parametrize(
    ("grid", "kwargs", "error", "match"),
    [
        ({"batch_size": [8, 16]}, {}, ValueError, "'batch_size' cannot vary between the models"),
        ({"momentum": [0.0, 0.9]}, {}, ValueError, "call search once per momentum"),
        ({"lr": [0.1]}, {"lr": 0.2}, TypeError, "given both in the grid and as a keyword"),
        ({"lr": 0.1}, {}, TypeError, r"grid\['lr'\] must be a list .* write \[0.1\]"),
        ({"lr": []}, {}, ValueError, r"grid\['lr'\] is empty"),
        ([("lr", [0.1])], {}, TypeError, "grid must be a non-empty dict"),
        ({"seed": [0]}, {"validation_split": 1.5}, ValueError, "validation_split"),
        ({"lr": {0.1, 0.2}}, {}, TypeError, r"Got a set, .* sorted\("),
        ({"lr": np.array([[0.1, 0.2]])}, {}, ValueError, r"grid\['lr'\] must be a flat list"),
        ({"seed": [[0, 1], [2]]}, {}, ValueError, r"Got \[0, 1\] among them"),
        ({"seed": [0]}, {"split_seed": "a"}, ValueError, r"'split_seed' parameter of search"),
        ({"split_seed": [0, 1]}, {}, ValueError, r"'split_seed' draws the one validation"),
    ],
)
def test_search_refuses_a_grid_it_cannot_train_in_one_run(grid, kwargs, error, match):
    X, y = data(n=40, d=2)
    with pytest.raises(error, match=match):
        search(lambda p: xnor_build({"seed": 0}), X, y, grid, loss="binary_cross_entropy",
               epochs=2, **kwargs)  # fmt: skip


@pytest.mark.parametrize(
    "optimizer, options",
    [
        ("adam", {"lr": 0.01, "l2": [0.0, 0.01, 0.1]}),
        ("sgd", {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
        ("rmsprop", {"lr": 0.01, "l2": [0.0, 0.1, 1.0], "validation_split": 0.2}),
    ],
)
def test_seeded_minibatches_not_dividing_n_equal_separate_fits_bit_for_bit(optimizer, options):
    """Per-model L2 under Adam, Nesterov momentum, a validation split: each model of the
    stack ends with the weights of its own fit (batch_size 17 leaves a short last batch)."""
    X, y = data(n=101)
    seeds = [1, 2, 3]
    many = small_nets(3, dtype=np.float64)
    fit_many(many, X, y, loss="binary_cross_entropy", optimizer=optimizer, epochs=4,
             batch_size=17, seed=seeds, **options)  # fmt: skip
    for k, alone in enumerate(small_nets(3, dtype=np.float64)):
        own = {key: v[k] if isinstance(v, list) else v for key, v in options.items()}
        settings = {key: own.pop(key) for key in ("lr", "momentum", "nesterov") if key in own}
        opt = gn.optim.get_optimizer(optimizer, alone.parameters(), **settings)
        gn.fit(alone, X, y, loss="binary_cross_entropy", optimizer=opt, epochs=4,
               batch_size=17, seed=seeds[k], verbose=0, **own)  # fmt: skip
        assert_same(many[k], alone)


def test_a_loss_function_is_refused_with_its_name_and_what_to_pass():
    X, y = data(n=40, d=2)
    mse = gn.functional.mse
    with pytest.raises(ValueError, match=r"Got the function mse; pass a name such as"):
        fit_many(xnor_nets(2), X, y, loss=mse, epochs=1)
    with pytest.raises(ValueError, match=r"search trains on a named loss .* glassnet.fit"):
        search(lambda p: xnor_build({"seed": 0}), X, y, {"seed": [0]}, loss=mse, epochs=1)


@pytest.mark.parametrize("top", [0, -1, "3", 2.0])
def test_search_table_refuses_a_top_that_is_not_a_count(top):
    """top=-1 dropped the worst model, as a slice does; "3" was a bare slicing TypeError."""
    X, y = data(n=40, d=2)
    result = search(lambda p: xnor_build({"seed": 0}), X, y, {"lr": [0.1, 0.2]},
                    loss="binary_cross_entropy", epochs=1)  # fmt: skip
    assert len(result.table(top=1).splitlines()) == 2
    with pytest.raises(ValueError, match=rf"'top' parameter of SearchResult.table .* {top!r}"):
        result.table(top=top)


def test_search_names_a_build_that_does_not_return_a_model():
    X, y = data(n=40, d=2)
    with pytest.raises(TypeError, match=r"build\(\{'seed': 0\}\) returned int"):
        search(lambda p: 3, X, y, {"seed": [0]}, loss="binary_cross_entropy")
    with pytest.raises(TypeError, match="build must be a function"):
        search(xnor_build({"seed": 0}), X, y, {"seed": [0]}, loss="binary_cross_entropy")


# ------------------------------------------------------------- the stack over threads


@pytest.mark.parametrize("threads", [2, 3])
@pytest.mark.parametrize("own_rows", [True, False])
def test_threads_give_every_network_the_numbers_of_one_thread_bit_for_bit(threads, own_rows):
    """Shares of 2 and 1 networks (threads=3 on 4 is uneven), each model's own batches or
    shared ones, per-model rates, L2, momentum with weight decay, sample weights and early
    stopping: the same weights, losses and stops as on one thread."""
    X, y = data(n=160)
    w = np.random.default_rng(4).uniform(0.5, 2.0, len(y))
    opts = dict(
        loss="binary_cross_entropy", lr=[0.05, 0.2, 0.1, 3.0], l2=[0.0, 0.01, 0.1, 0.0],
        momentum=0.9, weight_decay=1e-3, epochs=12, batch_size=32, sample_weight=w,
        early_stopping=True, n_iter_no_change=2, seed=list(range(4)) if own_rows else 7,
    )  # fmt: skip
    one, many = small_nets(4), small_nets(4)
    h1 = fit_many(one, X, y, threads=1, **opts)
    hn = fit_many(many, X, y, threads=threads, **opts)
    for a, b, ha, hb in zip(one, many, h1, hn):
        assert_same(a, b)
        assert (ha.loss, ha.val_loss, ha.stop_reason) == (hb.loss, hb.val_loss, hb.stop_reason)
    assert len({h.epochs for h in hn}) > 1  # (early stopping stopped them apart)


def test_threads_keep_a_diverging_network_quiet_and_named_by_its_index():
    """The shares' threads ignore overflow as fit_many does (NumPy's error state is per
    thread), and a network diverging in the second share is named by its index."""
    X, y = data()
    many = small_nets(4, act="identity", out="identity", dtype=np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        hs = fit_many(many, X, y, loss="mse", lr=[0.01, 0.01, 0.01, 50.0], epochs=30, threads=2)
    assert [h.stop_reason for h in hs] == ["max_epochs"] * 3 + ["diverged"]
    assert "model 3's loss became" in hs[3].warnings[0]


def test_an_error_in_a_share_reaches_the_caller_and_no_thread_is_left(monkeypatch):
    X, y = data()
    step = FastMLP.step

    def fails_off_main(self, *args, **kwargs):
        if threading.current_thread() is not threading.main_thread():
            raise ValueError("a share failed")
        return step(self, *args, **kwargs)

    before = threading.active_count()
    monkeypatch.setattr(FastMLP, "step", fails_off_main)
    with pytest.raises(ValueError, match="a share failed"):
        fit_many(small_nets(2), X, y, loss="binary_cross_entropy", epochs=2, threads=2)
    assert threading.active_count() == before


def test_ctrl_c_with_threads_leaves_the_weights_of_the_steps_taken(monkeypatch):
    """Ctrl-C in the main thread's share of the 30th step: the other share's step ends
    (it writes gradients only), no update is taken, each model holds its 29 steps."""
    X, y = data()
    options = dict(loss="binary_cross_entropy", lr=0.1, epochs=100, batch_size=32, seed=3)
    many = small_nets(3, dtype=np.float64)
    release = press_ctrl_c_at(monkeypatch, 30)
    with pytest.warns(UserWarning, match="3 of the 3 networks: Training interrupted"):
        hs = fit_many(many, X, y, threads=2, **options)
    release()
    assert [h.stop_reason for h in hs] == ["interrupted"] * 3 and hs[0].steps == 29
    for got, alone in zip(many, small_nets(3, dtype=np.float64)):
        gn.fit(alone, X, y, max_steps=29, verbose=0, **options)
        assert_same(got, alone)


def test_auto_threads_follow_the_step_s_work_and_the_free_cpus(monkeypatch):
    from glassnet import threads as th

    monkeypatch.setattr(th, "usable_cpus", lambda: 8)
    monkeypatch.setattr(th, "busy_cpus", lambda: 0.0)
    w2 = th.gemm_flops([20, 64, 64, 1], 64)
    step = 3 * sum(w2) - w2[0]  # one network's step: 3 products a layer, the first 2
    assert th.model_threads(100 * 144, 100) == 1  # XNOR: nothing to share
    assert th.model_threads(4 * step, 4) == 1  # under 2 x 6 MFLOP: one thread is faster
    assert th.model_threads(16 * step, 16) == 5  # 30.8 MFLOP: 5 shares of 6
    assert th.model_threads(1000 * step, 1000) == 8  # no more than the CPUs
    monkeypatch.setattr(th, "busy_cpus", lambda: 6.0)
    assert th.model_threads(16 * step, 16) == 5  # 'auto' reads no load (round 20)
    assert th.model_threads(16 * step, 16, threads="load") == 2  # the CPUs left free
    assert th.model_threads(16 * step, 16, threads=3) == 3  # asked for: exactly


@pytest.mark.parametrize(
    ("kw", "says"),
    [
        ({"shuffle": "no"}, "The 'shuffle' parameter of fit_many must be a bool"),
        ({"early_stopping": "yes"}, "The 'early_stopping' parameter of fit_many must be a bool"),
        ({"sample_weight": [0.0, 0.0, 0.0, 0.0]}, "every sample_weight is 0"),
    ],
)
def test_fit_many_refuses_a_flag_given_as_text_and_weights_all_zero(kw, says):
    with pytest.raises(ValueError, match=says):
        fit_many(xnor_nets(2), XOR_X, XNOR_Y, epochs=2, **kw)
