"""fit_many under an adversarial user: each case against K separate glassnet.fit calls, or
a refusal that says what is wrong before any training."""

from __future__ import annotations

import functools

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn, train
from glassnet.many import fit_many, search

# the separate fits on the NumPy fast path, what fit_many stacks (as tests/test_many.py)
fit = functools.partial(train.fit, engine="fused", verbose=0)


def nets(k, dtype=np.float64):
    return [
        nn.MLP([3, 4, 1], activation="tanh", output_activation="sigmoid", rng=10 + s, dtype=dtype)
        for s in range(k)
    ]


def data(n=40):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, 3))
    return X, (X[:, 0] + 0.5 * X[:, 1] > 0).astype(float)


def weights(model):
    return [p.data.copy() for p in model.parameters()]


def assert_same(a, b):
    for p, q in zip(weights(a), weights(b)):
        np.testing.assert_array_equal(p, q)


def test_a_model_of_mixed_dtypes_among_models_of_one_dtype_is_refused():
    """Only the first layer's dtype was compared: a model whose second layer is float32
    among float64 models was stacked into float64 and trained in another precision than
    its own fit trains it (silently, to about 1e-7)."""
    X, y = data()
    models = nets(2)
    last = models[1].layers[2]
    last.W.data, last.b.data = last.W.data.astype(np.float32), last.b.data.astype(np.float32)
    before = [weights(m) for m in models]
    with pytest.raises(ValueError, match=r"model 1 is mixed: float64, float32; model 0 is float64"):
        fit_many(models, X, y, loss="binary_cross_entropy", epochs=2)
    for m, w in zip(models, before):  # refused before any training
        for p, q in zip(weights(m), w):
            np.testing.assert_array_equal(p, q)
    # models of one mixed pattern are one shape: each layer stacked in its own dtype
    same = nets(2)
    for m in same:
        m.layers[2].W.data = m.layers[2].W.data.astype(np.float32)
    fit_many(same, X, y, loss="binary_cross_entropy", epochs=2)
    assert same[0].layers[2].W.data.dtype == np.float32


def test_a_read_only_parameter_is_trained_as_fit_trains_it():
    """fit trains a parameter whose array is read-only (its optimizer moves it into a
    buffer of its own); fit_many trained every model, then failed writing the weights
    back (a bare 'assignment destination is read-only'), the models before it written,
    the others not, and no History returned."""
    X, y = data()
    opts = dict(loss="binary_cross_entropy", lr=0.5, epochs=3, batch_size=8, seed=[1, 2, 3])

    def models():
        out = nets(3)
        out[1].layers[2].W.data.flags.writeable = False
        return out

    many = models()
    hs = fit_many(many, X, y, **opts)
    for k, alone in enumerate(models()):
        h = fit(alone, X, y, **{**opts, "seed": k + 1})
        assert_same(many[k], alone)
        assert hs[k].loss == h.loss


def test_a_seed_that_is_a_function_of_the_epoch_draws_the_batches_fit_draws():
    """fit takes seed(epoch) -> int or Generator, each epoch's own stream; fit_many
    refused it. One function for all models, or one per model beside plain seeds; the
    validation split of a function's model is drawn from seed(0), as fit draws it."""
    X, y = data()
    opts = dict(loss="binary_cross_entropy", lr=0.5, epochs=4, batch_size=8)
    seeds = [lambda e: 100 + e, lambda e: np.random.default_rng(7 * e), 3]
    gn.manual_seed(5)
    many = nets(3)
    hs = fit_many(many, X, y, seed=seeds, validation_split=0.25, **opts)
    gn.manual_seed(5)
    for k, alone in enumerate(nets(3)):
        h = fit(alone, X, y, seed=seeds[k], validation_split=0.25, **opts)
        assert_same(many[k], alone)
        assert (hs[k].loss, hs[k].val_loss) == (h.loss, h.val_loss)
    many = nets(2)
    fit_many(many, X, y, seed=seeds[0], **opts)
    for got, alone in zip(many, nets(2)):
        fit(alone, X, y, seed=seeds[0], **opts)
        assert_same(got, alone)
    with pytest.raises(ValueError, match=r"'seed' parameter of fit_many .* Got 'x'"):
        fit_many(nets(2), X, y, seed=lambda e: "x", **opts)


def test_one_generator_given_as_the_seed_of_two_models_is_refused():
    """seed=[g, g] (or [g] * K): the models took turns drawing from one stream, epoch by
    epoch, so no model drew the batches of any fit given g; trained silently."""
    X, y = data()
    g = np.random.default_rng(0)
    with pytest.raises(ValueError, match=r"seed 2 is seed 0 \(the same Generator\)"):
        fit_many(nets(3), X, y, seed=[g, 1, g], epochs=2, batch_size=8)
    state = g.bit_generator.state
    fit_many(nets(3), X, y, seed=g, epochs=2, batch_size=8)  # one for all: shared batches
    assert g.bit_generator.state != state


@pytest.mark.parametrize("key", ["params", "name"])
def test_a_keyword_that_names_the_optimizer_s_own_argument_is_named_as_unknown(key):
    """fit_many builds the optimizer over the stacked weights: params= (or name=) reached
    get_optimizer as a bare 'got multiple values for argument' TypeError."""
    X, y = data()
    models = nets(2)
    with pytest.raises(TypeError, match=rf"SGD got unexpected keyword arguments \['{key}'\]"):
        fit_many(models, X, y, epochs=1, **{key: models[0].parameters()})


def test_an_unknown_loss_name_is_not_told_that_a_function_would_do():
    """fit_many (and search) train on a named loss only; an unknown name was told 'must be
    a callable f(output, y) or one of [...]', and a function, passed then, was refused."""
    X, y = data()
    with pytest.raises(ValueError, match=r"'loss' parameter of fit_many must be one of \['bce'"):
        fit_many(nets(2), X, y, loss="bce_loss", epochs=1)  # (round 16: "BCE" is a name)
    build = lambda p: nets(1)[0]  # noqa: E731
    with pytest.raises(ValueError, match=r"'loss' parameter of search must be one of \['bce'"):
        search(build, X, y, {"seed": [0]}, loss=None, epochs=1)


class OnDevice(np.ndarray):
    """An array of another library, as glassnet.backend sees one (CuPy's on a GPU)."""

    def __array_namespace__(self, api_version=None):
        return self  # (any namespace but NumPy's)


def test_a_model_on_the_gpu_is_refused_before_training_with_what_to_do():
    """fit trains a model where its weights are (fit(device='cuda')); fit_many stacks and
    steps on the CPU, and a model on the GPU failed deep in its first step (CuPy refuses a
    host array in np.matmul). It is refused before anything moves."""
    X, y = data()
    models = nets(2)
    for p in models[1].parameters():
        p.data = p.data.view(OnDevice)
    before = weights(models[0])
    says = r"model 1's weights are arrays of another library .* model.to\('cpu'\).*glassnet.fit"
    with pytest.raises(TypeError, match=says):
        fit_many(models, X, y, epochs=2)
    for p, q in zip(weights(models[0]), before):
        np.testing.assert_array_equal(p, q)


def test_ctrl_c_while_validating_keeps_the_epoch_s_training_loss_as_fit_does(monkeypatch):
    """Ctrl-C while the second epoch is scored: its steps were taken and counted, but the
    History dropped the epoch (epochs 1, one loss, 8 steps of 4 a epoch). fit records the
    epoch's training loss before it scores it: 2 epochs, 2 losses, 1 validation score."""
    import glassnet.many as many_mod

    X, y = data()
    opts = dict(loss="binary_cross_entropy", lr=0.5, epochs=3, batch_size=8)
    validate, calls = many_mod._validate, []

    def pressed(*args):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return validate(*args)

    monkeypatch.setattr(many_mod, "_validate", pressed)
    many = nets(2)
    with pytest.warns(UserWarning, match="2 of the 2 networks: Training interrupted"):
        hs = fit_many(many, X, y, validation_split=0.2, seed=[1, 2], **opts)
    for k, alone in enumerate(nets(2)):
        h = fit(alone, X, y, validation_split=0.2, seed=k + 1, max_steps=8, **opts)
        assert_same(many[k], alone)
        assert (hs[k].stop_reason, hs[k].epochs, hs[k].steps) == ("interrupted", 2, 8)
        assert hs[k].loss == h.loss and hs[k].val_loss == h.val_loss[:1]


def test_a_split_per_model_counts_its_copies_of_the_data_before_making_them(monkeypatch):
    """A seed per model with a validation split gives each model rows of its own: the data
    copied K times (twice at the peak, the splits and their stack), and each epoch's K
    permutations. The memory check counted the weights and one batch only: 8 models on
    6,000 rows (3 MB of copies) went past GLASSNET_MEMORY_LIMIT=2M unrefused."""
    monkeypatch.setenv("GLASSNET_MEMORY_LIMIT", "2M")
    rng = np.random.default_rng(0)
    X = rng.standard_normal((6000, 3))
    y = (X[:, 0] > 0).astype(float)
    models = nets(8)
    before = weights(models[0])
    opts = dict(loss="binary_cross_entropy", epochs=1, batch_size=64, validation_split=0.2)
    with pytest.raises(MemoryError, match=r"fit_many needs about .* one seed for all"):
        fit_many(models, X, y, seed=list(range(8)), **opts)
    for p, q in zip(weights(models[0]), before):
        np.testing.assert_array_equal(p, q)
    fit_many(models, X, y, seed=0, **opts)  # one split for all: no copies per model
    # each epoch's 8 permutations of 6,000 rows (and their stack): 768 KB
    monkeypatch.setenv("GLASSNET_MEMORY_LIMIT", "512K")
    opts = dict(loss="binary_cross_entropy", epochs=1, batch_size=64)
    with pytest.raises(MemoryError, match=r"fit_many needs about .* smaller batch_size"):
        fit_many(models, X, y, seed=list(range(8)), **opts)
    fit_many(models, X, y, seed=0, **opts)  # one permutation for all


# ------------------------------------- weighted validation scores, as fit weighs them
def _case(loss):
    """(models, X, y, weights) of a loss: a sigmoid, softmax or identity head."""
    rng = np.random.default_rng(4)
    X = rng.standard_normal((60, 3))
    w = rng.uniform(0.1, 3.0, 60)
    if loss == "mse":
        y, sizes, head = np.c_[X[:, 0] - X[:, 1], X[:, 2] ** 2], [3, 4, 2], "identity"
    elif loss == "cross_entropy":
        y, sizes, head = np.digitize(X[:, 0], [-0.4, 0.4]), [3, 4, 3], "softmax"
    else:  # two labels per row (multi-label)
        y, sizes, head = (X[:, :2] > 0).astype(float), [3, 4, 2], "sigmoid"
    build = functools.partial(nn.MLP, sizes, activation="tanh", output_activation=head)
    return build, X, y, w


def _same_scores(hs, alone):
    for h, a in zip(hs, alone):  # (bit for bit)
        assert (h.loss, h.val_loss, h.val_metric) == (a.loss, a.val_loss, a.val_metric)
        assert (h.epochs, h.stop_reason, h.best_epoch) == (a.epochs, a.stop_reason, a.best_epoch)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("loss", ["mse", "cross_entropy", "binary_cross_entropy"])
@pytest.mark.parametrize("seed", [5, [5, 6, 7]])
def test_a_weighted_validation_split_is_scored_as_fit_scores_it(loss, seed, dtype):
    """Was: the held-out rows' weights dropped, in fit and fit_many alike. Each model's
    weighted validation loss and metric, and its early stop, are its separate fit's."""
    build, X, y, w = _case(loss)
    opts = dict(loss=loss, lr=0.2, epochs=12, batch_size=16, sample_weight=w,
                validation_split=0.25, early_stopping=True, n_iter_no_change=2)  # fmt: skip
    many = [build(rng=s, dtype=dtype) for s in range(3)]
    hs = fit_many(many, X, y, seed=seed, **opts)
    seeds = seed if isinstance(seed, list) else [seed] * 3
    alone = [build(rng=s, dtype=dtype) for s in range(3)]
    _same_scores(hs, [fit(m, X, y, seed=s, **opts) for m, s in zip(alone, seeds)])
    for a, b in zip(many, alone):
        assert_same(a, b)
    # the best epoch's weights, restored, score that epoch's weighted loss on the held-out rows
    spec = gn.functional.get_loss(loss)
    for model, h, s in zip(many, hs, seeds):
        _, _, _, Xv, yv, wv = gn.tasks.split_validation(
            X, y, w, 0.25, spec, np.random.default_rng(s)
        )
        weighted = gn.objective.evaluate_loss(model, Xv, yv, loss, sample_weight=wv)
        assert h.val_loss[h.best_epoch - 1] == pytest.approx(weighted, rel=1e-6)
        assert weighted != pytest.approx(gn.objective.evaluate_loss(model, Xv, yv, loss), rel=1e-3)


@pytest.mark.parametrize("loss", ["mse", "cross_entropy", "binary_cross_entropy"])
def test_validation_data_with_weights_is_scored_as_fit_scores_it(loss):
    build, X, y, w = _case(loss)
    val = (X[:20] * 1.5, y[:20], w[::-1][:20])
    opts = dict(loss=loss, lr=0.2, epochs=8, batch_size=16, validation_data=val)
    hs = fit_many([build(rng=s) for s in range(3)], X[20:], y[20:], seed=[1, 2, 3], **opts)
    _same_scores(hs, [fit(build(rng=s), X[20:], y[20:], seed=s + 1, **opts) for s in range(3)])
    hp = fit_many([build(rng=0)], X[20:], y[20:], seed=1, **{**opts, "validation_data": val[:2]})
    assert hp[0].val_loss != hs[0].val_loss


def test_bad_validation_weights_are_refused_by_fit_many_as_by_fit():
    build, X, y, w = _case("mse")
    for w_val, match in ((np.zeros(20), r"every weight in validation_data\[2\] is 0"),
                         (-w[:20], r"validation_data\[2\] must hold 20 non-negative"),
                         (w[:19], r"validation_data\[2\] must hold 20")):  # fmt: skip
        with pytest.raises(ValueError, match="^fit_many: " + match):
            fit_many([build(rng=0)], X, y, validation_data=(X[:20], y[:20], w_val), epochs=1)
    with pytest.raises(ValueError, match=r"fit_many: validation_data must be a pair .* triple"):
        fit_many([build(rng=0)], X, y, validation_data=(X, y, w, w), epochs=1)


def test_search_scores_a_weighted_split_with_the_held_out_rows_weights():
    build, X, y, w = _case("mse")
    result = search(lambda p: build(rng=p["seed"]), X, y, {"seed": [0, 1]}, loss="mse",
                    epochs=5, sample_weight=w)  # fmt: skip
    spec = gn.functional.get_loss("mse")
    parts = gn.tasks.split_validation(X, y, w, 0.2, spec, np.random.default_rng(0))
    Xv, yv, wv = parts[3:]
    for model, h, vl, vm in zip(result.models, result.histories, result.val_loss,
                                result.val_metric):  # fmt: skip
        assert vl == gn.objective.evaluate_loss(model, Xv, yv, "mse", sample_weight=wv)
        assert (h.val_loss[-1], h.val_metric[-1]) == (vl, vm)
        assert vl != gn.objective.evaluate_loss(model, Xv, yv, "mse")


def test_fit_many_refuses_what_fit_refuses_of_its_validation():
    """fit_many ignored validation_split beside validation_data, and trained a split that
    held out every sample of a class, both in silence; fit refuses both."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 2))
    y = np.r_[np.zeros(29), 1.0]  # one sample of class 1
    nets = lambda: [  # noqa: E731
        nn.MLP([2, 3, 1], activation="tanh", output_activation="sigmoid", rng=s) for s in range(2)
    ]
    kw = {"loss": "binary_cross_entropy", "epochs": 2}
    with pytest.raises(ValueError, match="fit_many: validation_data and validation_split=0.2"):
        gn.fit_many(nets(), X, y, validation_data=(X, y), validation_split=0.2, **kw)
    for seed in range(40):  # a split that holds the lone class-1 sample out
        try:
            gn.fit_many(nets(), X, y, validation_split=0.5, seed=seed, **kw)
        except ValueError as e:
            assert str(e).startswith("fit_many: ") and "class" in str(e), e
            for net in nets()[:1]:  # fit says the same
                with pytest.raises(ValueError, match="class"):
                    gn.fit(net, X, y, validation_split=0.5, seed=seed, verbose=0, **kw)
            break
    else:
        pytest.fail("no seed held the lone sample out")


def test_n_iter_no_change_without_tol_or_early_stopping_is_refused():
    """As in fit: only tol and early_stopping count it; without them it did nothing."""
    X, y = data()
    with pytest.raises(ValueError, match="fit_many: n_iter_no_change=3 counts epochs for tol"):
        fit_many(nets(2), X, y, loss="binary_cross_entropy", epochs=2, n_iter_no_change=3)


def test_n_iter_no_change_beside_tol_stops_each_model_as_fit_does():
    X, y = data()
    many = nets(2)
    hs = fit_many(many, X, y, loss="binary_cross_entropy", epochs=30, tol=10.0, n_iter_no_change=3)
    alone = nets(2)
    for h, net in zip(hs, alone):
        one = fit(net, X, y, loss="binary_cross_entropy", epochs=30, tol=10.0, n_iter_no_change=3)
        assert h.epochs == one.epochs == 4 and h.stop_reason == one.stop_reason == "tol"
    for a, b in zip(many, alone):
        assert_same(a, b)
