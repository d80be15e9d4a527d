"""An adversarial user's audit of ``glassnet.fit``: options that did nothing, or did
something else than asked, in silence, and mistakes answered with an internal traceback.
Each case was a defect; tiny networks, so the file runs in seconds."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn

_rng = np.random.default_rng(0)
X = _rng.standard_normal((40, 3))
Y = 2.0 * X[:, :1]  # regression targets (40, 1)
LABELS = (X[:, 0] > 0).astype(np.int64)


def _net(out: int = 1, head: str = "identity") -> nn.Module:
    return nn.MLP([3, 4, out], activation="tanh", output_activation=head, rng=0)


def _weights(model: nn.Module) -> list[np.ndarray]:
    return [p.data.copy() for p in model.parameters()]


class _StepHook(gn.Callback):
    def on_step_end(self, state: gn.TrainState) -> None: ...


# ------------------------------------------- engine='jit' names the cause it was given
@pytest.mark.parametrize(
    ("kw", "cause"),
    [
        ({"callbacks": [lambda s: None]}, "callbacks (1 given)"),
        ({"validation_data": (X, Y)}, "validation_data"),
        ({"validation_split": 0.25}, "validation_split=0.25"),
        ({"early_stopping": True}, "early_stopping=True"),
        ({"stop_rules": [gn.train.Tolerance(None, 10)]}, "the stop_rules given"),
        ({"tol_weights": 1e-3}, "tol_weights=0.001"),
        ({"callbacks": [_StepHook()], "batch_size": 8}, "the on_step_end hook of _StepHook"),
    ],
)
def test_engine_jit_refusal_names_the_cause_given(kw, cause):
    with pytest.raises(ValueError, match="engine='jit' cannot train this run: ") as e:
        gn.fit(_net(), X, Y, epochs=2, verbose=0, engine="jit", **kw)
    why = str(e.value).split("cannot train this run: ")[1].split(" (the compiled")[0]
    assert why.startswith(cause) and ";" not in why, why  # (causes given: joined by "; ")


def test_engine_jit_refusal_names_every_cause_given_and_only_those():
    with pytest.raises(ValueError, match="engine='jit'") as e:
        gn.fit(_net(), X, Y, epochs=2, verbose=0, engine="jit", callbacks=[lambda s: None],
               tol_weights=1e-3)  # fmt: skip
    why = str(e.value).split("cannot train this run: ")[1].split(" (the compiled")[0]
    assert "callbacks (1 given)" in why and "tol_weights=0.001" in why
    assert "validation" not in why and "stop_rules" not in why


# ------------------------------------------------- callbacks and stop_rules: what they take
class _Stop(gn.Callback):
    def on_epoch_end(self, state: gn.TrainState) -> None:
        state.stop = True


@pytest.mark.parametrize("arg", ["callbacks", "stop_rules"])
@pytest.mark.parametrize("bad", [3, "progress", [3], [_Stop], _Stop, {"a": 1}])
def test_callbacks_that_are_not_callbacks_are_named(arg, bad):
    """Neither a Callback (an instance) nor a function f(state): a TypeError naming the
    argument and what was given, before a step (was: 'int' object is not callable, or an
    AttributeError or a missing 'state' from inside the loop)."""
    net = _net()
    before = _weights(net)
    with pytest.raises(TypeError, match=f"fit: {arg} must be ") as e:
        gn.fit(net, X, Y, epochs=2, verbose=0, **{arg: bad})
    assert "Got " in str(e.value)
    if bad is _Stop or bad == [_Stop]:
        assert "_Stop()" in str(e.value)  # the class given: pass an instance
    for a, b in zip(before, _weights(net)):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("arg", ["callbacks", "stop_rules"])
def test_one_callback_or_function_is_taken_as_a_list_of_one(arg):
    """As the estimators take them (glassnet.sklearn): one Callback, or one function."""
    for one in (_Stop(), lambda s: True):
        h = gn.fit(_net(), X, Y, epochs=5, verbose=0, **{arg: one})
        assert (h.epochs, h.stop_reason) == (1, "callback")


def test_callbacks_none_is_no_callback():
    h = gn.fit(_net(), X, Y, epochs=3, verbose=0, callbacks=None)
    ref = gn.fit(_net(), X, Y, epochs=3, verbose=0)
    assert h.loss == ref.loss


# ------------------------------------------------------------------------------- verbose
@pytest.mark.parametrize("bad", [3, -1, 1.0, "yes", None])
def test_verbose_other_than_0_1_2_is_refused(bad):
    """3, -1 and 1.0 ran as some level in silence; "yes" and None failed inside the engine
    choice (TypeError: '<' not supported). (True and False are 1 and 0: below.)"""
    with pytest.raises(ValueError, match=r"'verbose' parameter of fit must be an int in \[0, 2\]"):
        gn.fit(_net(), X, Y, epochs=2, verbose=bad)


def test_verbose_numpy_int_is_taken():
    assert gn.fit(_net(), X, Y, epochs=2, verbose=np.int64(0)).epochs == 2


# ------------------------------------------------------- options that another one overrode
@pytest.mark.parametrize("early_stopping", [False, True])
def test_validation_data_and_validation_split_together_are_refused(early_stopping):
    """validation_data was scored and validation_split ignored, in silence (the training
    rows were all kept)."""
    with pytest.raises(ValueError, match="validation_data and validation_split=0.2") as e:
        gn.fit(_net(), X, Y, epochs=2, verbose=0, validation_data=(X, Y), validation_split=0.2,
               early_stopping=early_stopping)  # fmt: skip
    assert "one of them" in str(e.value)


@pytest.mark.parametrize("kw", [{"tol": 1e-3}, {"early_stopping": True}])
def test_stop_rules_beside_tol_or_early_stopping_are_refused(kw):
    """stop_rules replace the rule fit builds from tol and early_stopping: those were
    ignored in silence (early stopping held out rows, but neither stopped nor restored)."""
    name = next(iter(kw))
    with pytest.raises(ValueError, match=f"fit: stop_rules replace .* {name}=") as e:
        gn.fit(_net(), X, Y, epochs=2, verbose=0, stop_rules=[gn.train.Tolerance(None, 3)], **kw)
    assert "Tolerance" in str(e.value) or "EarlyStopping" in str(e.value)


def test_stop_rules_beside_tol_none_and_tol_weights_still_run():
    """(The estimators' and the command line's call: their rules, tol_weights beside.)"""
    h = gn.fit(_net(), X, Y, epochs=3, verbose=0, stop_rules=[gn.train.Tolerance(None, 3)],
               tol=None, tol_weights=1e-9)  # fmt: skip
    assert h.epochs == 3


@pytest.mark.parametrize(
    "kw", [{}, {"max_steps": 5}, {"stop_rules": [gn.train.Tolerance(None, 3)]}, {"tol": None}]
)
def test_n_iter_no_change_without_a_rule_that_counts_it_is_refused(kw):
    """Only tol, early_stopping and tol_weights count n_iter_no_change: without one of them
    it was ignored in silence (a documented example passed it beside max_steps)."""
    with pytest.raises(ValueError, match="fit: n_iter_no_change=4 counts epochs for tol, "):
        gn.fit(_net(), X, Y, epochs=2, verbose=0, n_iter_no_change=4, **kw)


@pytest.mark.parametrize(
    "kw",
    [
        {"tol": 10.0},
        {"early_stopping": True, "tol": 10.0},
        {"tol_weights": 10.0},
        {"tol_weights": 10.0, "stop_rules": [gn.train.Tolerance(None, 3)]},
    ],
)
def test_n_iter_no_change_beside_a_rule_that_counts_it_sets_its_patience(kw):
    """Each rule stops after n_iter_no_change epochs without improvement (a tol or
    tol_weights of 10 is never met: the count runs from the first epoch)."""
    for patience in (2, 4):
        h = gn.fit(_net(), X, Y, epochs=30, verbose=0, seed=0, n_iter_no_change=patience, **kw)
        assert h.epochs == patience + ("tol_weights" not in kw), (kw, patience, h.epochs)
    default = gn.fit(_net(), X, Y, epochs=30, verbose=0, seed=0, **kw)
    assert default.epochs == 10 + ("tol_weights" not in kw)  # (the default patience, 10)


def test_lr_beside_an_optimizer_object_with_another_lr_is_refused():
    """lr only builds an optimizer given by name: beside an optimizer object it was
    ignored in silence (the object's own lr trained)."""
    net = _net()
    opt = gn.optim.SGD(net.parameters(), lr=0.1)
    with pytest.raises(ValueError, match=r"fit: lr=0\.5 .* optimizer given by name") as e:
        gn.fit(net, X, Y, epochs=2, verbose=0, optimizer=opt, lr=0.5)
    assert "SGD" in str(e.value) and "0.1" in str(e.value)
    h = gn.fit(net, X, Y, epochs=2, verbose=0, optimizer=opt, lr=0.1)  # (the same: no harm)
    assert h.lr == [0.1, 0.1]


def test_lr_default_is_still_0_01_for_a_named_optimizer():
    a, b = _net(), _net()
    gn.fit(a, X, Y, epochs=3, verbose=0)
    gn.fit(b, X, Y, epochs=3, verbose=0, lr=0.01)
    for p, q in zip(_weights(a), _weights(b)):
        np.testing.assert_array_equal(p, q)


# ------------------------------------------------------------- nothing to train, in silence
def _frozen(net: nn.Module) -> nn.Module:
    for p in net.parameters():
        p.requires_grad_(False)
    return net


@pytest.mark.parametrize(
    ("make", "loss"),
    [
        (lambda: _frozen(_net()), "mse"),  # every parameter frozen: epochs of nothing
        (lambda: nn.Sequential(nn.Tanh()), lambda o, t: ((o - t) ** 2).mean()),  # (IndexError)
    ],
)
def test_a_model_with_nothing_to_train_is_refused(make, loss):
    with pytest.raises(ValueError, match="fit: the model has no parameter to train") as e:
        gn.fit(make(), X, np.tanh(X), loss=loss, epochs=2, verbose=0)
    assert "requires_grad_(True)" in str(e.value)


@pytest.mark.parametrize("engine", ["fused", "graph", "auto"])
@pytest.mark.parametrize("opt", ["sgd", "adam", "adamw"])
@pytest.mark.parametrize("l2", [0.0, 0.1])
def test_a_frozen_layer_stays_put_and_every_engine_agrees(engine, opt, l2):
    """One frozen layer, with L2 and the optimizers' weight decay: it never moves, and the
    engines give the same history and weights (float64: the graph to rounding)."""
    runs = {}
    for e in (engine, "graph"):
        net = nn.MLP([3, 4, 1], activation="tanh", rng=0, dtype=np.float64)
        first = net.layers[0].parameters()
        for p in first:
            p.requires_grad_(False)
        before = [p.data.copy() for p in first]
        o = gn.optim.get_optimizer(opt, net.parameters(), lr=0.05)
        if opt != "adam":
            o.weight_decay = 0.1
        h = gn.fit(net, X, Y, optimizer=o, l2=l2, batch_size=8, epochs=3, seed=0, engine=e,
                   verbose=0)  # fmt: skip
        for a, p in zip(before, first):
            np.testing.assert_array_equal(a, p.data)
        runs[e] = h.loss, _weights(net)
    np.testing.assert_allclose(runs[engine][0], runs["graph"][0], rtol=1e-12)
    for a, b in zip(runs[engine][1], runs["graph"][1]):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


# ------------------------------------------------------------ a callable loss's value
@pytest.mark.parametrize(
    ("loss", "got"),
    [
        (lambda o, t: (o - gn.Tensor(t)) ** 2, "a Tensor of shape (40, 1)"),  # (backward's)
        (lambda o, t: ((o - gn.Tensor(t)) ** 2).mean().reshape(1), "a Tensor of shape (1,)"),
        (lambda o, t: 1.0, "float"),  # (AttributeError: no backward)
        (lambda o, t: None, "NoneType"),
        (lambda o, t: np.float64(0.5), "float64"),
    ],
)
def test_a_callable_loss_that_returns_no_scalar_tensor_is_named(loss, got):
    """Was: backward()'s RuntimeError, an AttributeError ('float' object has no attribute
    'backward') or a TypeError from float() inside the step."""
    with pytest.raises(ValueError, match="The 'loss' callable must return a scalar") as e:
        gn.fit(_net(), X, Y, loss=loss, epochs=2, verbose=0)
    assert got in str(e.value)


# ------------------------------------------------------------------- a resumed run's epochs
def test_initial_epoch_past_epochs_is_refused():
    """A run resumed past its end trained nothing and said "reached the maximum number of
    epochs" (epochs counts the run's total, not the epochs to add)."""
    with pytest.raises(ValueError, match="fit: initial_epoch=5 is past epochs=3") as e:
        gn.fit(_net(), X, Y, epochs=3, initial_epoch=5, verbose=0)
    assert "epochs=8" in str(e.value)  # (3 more)
    h = gn.fit(_net(), X, Y, epochs=3, initial_epoch=3, verbose=0)  # a finished run: as before
    assert (h.steps, h.stop_reason) == (0, "max_epochs")


# ------------------------------------------------- validation_data's targets named as such
@pytest.mark.parametrize(
    ("net", "loss", "y_val", "says"),
    [
        (_net(), "mse", np.hstack([Y, Y]), "validation_data[1] has 2 value(s) per sample"),
        (_net(2, "softmax"), "cross_entropy", LABELS + 1, "validation_data[1] has labels from"),
        (_net(2, "softmax"), "cross_entropy", LABELS + 0.5, "non-integer values in validation"),
        (_net(1, "sigmoid"), "binary_cross_entropy", LABELS * 2, "validation_data[1] holds"),
    ],
)
def test_validation_targets_that_do_not_fit_are_named_validation_data(net, loss, y_val, says):
    """The training targets are fine; validation_data's were reported as 'y'."""
    y = Y if loss == "mse" else LABELS
    with pytest.raises(ValueError, match=r"^fit: ") as e:
        gn.fit(net, X, y, loss=loss, validation_data=(X, y_val), epochs=2, verbose=0)
    assert says in str(e.value), str(e.value)


# ------------------------------------------------------- a class the split takes away
@pytest.mark.parametrize(
    ("net", "loss", "y"),
    [
        (_net(3, "softmax"), "cross_entropy", np.r_[[0] * 20, [1] * 19, 2]),
        (_net(3, "softmax"), "cross_entropy", np.eye(3)[np.r_[[0] * 20, [1] * 19, 2]]),
        (_net(1, "sigmoid"), "binary_cross_entropy", np.r_[[0] * 39, 1]),
    ],
)
def test_a_class_the_validation_split_leaves_without_training_rows_is_refused(net, loss, y):
    """The stratified split holds out about the fraction of every class: a class of one
    sample went to the validation rows half the time, and the network trained without
    ever seeing it, in silence."""
    for seed in range(6):  # (the seeds that hold it out raise; the others train)
        try:
            gn.fit(net, X, y, loss=loss, validation_split=0.5, seed=seed, epochs=1, verbose=0)
        except ValueError as e:
            assert "validation_split=0.5 leaves class" in str(e) and "no training" in str(e)
            assert "validation_data" in str(e)  # (what to do instead)
            break
    else:
        pytest.fail("no seed held the lone sample out")


# --------------------------------------------------------- cross-entropy's target rows
@pytest.mark.parametrize(
    "rows",
    [
        np.eye(2)[LABELS] - 0.5,  # (trained to a negative loss)
        np.eye(2)[LABELS] * 0.5,  # rows summing to 0.5: half the loss and gradient
        np.ones((40, 2)),  # multi-hot rows: binary cross-entropy's targets
    ],
)
def test_cross_entropy_rows_that_are_not_probabilities_are_refused(rows):
    with pytest.raises(ValueError, match="fit: cross_entropy's rows of y must be class prob"):
        gn.fit(_net(2, "softmax"), X, rows, loss="cross_entropy", epochs=2, verbose=0)


def test_cross_entropy_takes_soft_labels():
    """Label smoothing: each row in [0, 1], summing to 1 (to rounding, float32 here)."""
    rows = (np.eye(3)[LABELS + (X[:, 1] > 1)] * 0.9 + 0.1 / 3).astype(np.float32)
    h = gn.fit(_net(3, "softmax"), X, rows, loss="cross_entropy", epochs=2, verbose=0)
    assert np.isfinite(h.loss).all()


# ------------------------------------------------------------------ text class labels
@pytest.mark.parametrize(
    ("net", "loss"),
    [(_net(2, "softmax"), "cross_entropy"), (_net(1, "sigmoid"), "binary_cross_entropy")],
)
@pytest.mark.parametrize("as_", [np.asarray, list])
def test_text_labels_for_a_classification_loss_point_to_the_label_encoder(net, loss, as_):
    """Was: "y must be numeric ... convert numbers written as text (np.asarray(y,
    dtype=float))", which fails on 'cat'."""
    y = as_(np.where(LABELS, "cat", "dog"))
    with pytest.raises(ValueError, match=f"fit: y holds text labels .* {loss} trains on") as e:
        gn.fit(net, X, y, loss=loss, epochs=1, verbose=0)
    assert "LabelEncoder" in str(e.value) and "dtype=float" not in str(e.value)


# ------------------------------------------------------- a stop rule given to a second fit
def _run(net, rules, **kw):
    kw = {"epochs": 60, "verbose": 0, "lr": 0.1, "validation_data": (X, Y), **kw}
    return gn.fit(net, X, Y, stop_rules=rules, **kw)


@pytest.mark.parametrize("make", [lambda: gn.train.Tolerance(1e-3, 2),
                                  lambda: gn.train.EarlyStopping(1e-3, 2)])  # fmt: skip
def test_a_stop_rule_given_to_a_second_fit_starts_afresh(make):
    """The rule kept its books (best score, epochs without improvement, and early
    stopping's best weights) from the first run: the second stopped at once on the first
    run's best, and early stopping put the first model's weights into the second model."""
    rule = make()
    _run(_net(), [rule])
    second, fresh = nn.MLP([3, 4, 1], rng=1), nn.MLP([3, 4, 1], rng=1)
    h, ref = _run(second, [rule], lr=0.01), _run(fresh, [make()], lr=0.01)
    assert (h.epochs, h.stop_reason, h.loss) == (ref.epochs, ref.stop_reason, ref.loss)
    for a, b in zip(_weights(second), _weights(fresh)):
        np.testing.assert_array_equal(a, b)


def test_a_stop_rule_seeded_before_its_first_fit_keeps_its_books():
    """(The command line resumes a run so: best and patience set on a new rule.)"""
    rule = gn.train.EarlyStopping(0.0, 3)
    rule.best, rule.bad = -1.0, 2  # a best no epoch beats, one epoch of patience left
    h = _run(_net(), [rule])
    assert (h.epochs, h.stop_reason) == (1, "early_stopping")


@pytest.mark.parametrize(
    "rule", [lambda: gn.train.EarlyStopping(0.0, 2), lambda: gn.train.Tolerance(0.0, 2, "val_loss")]
)
def test_a_stop_rule_on_the_validation_loss_without_validation_data_is_refused(rule):
    """Was: an IndexError after the first epoch (no validation loss to read)."""
    net = _net()
    before = _weights(net)
    with pytest.raises(ValueError, match="watches the validation loss.*no validation data"):
        gn.fit(net, X, Y, stop_rules=[rule()], epochs=3, verbose=0)
    for a, b in zip(before, _weights(net)):
        np.testing.assert_array_equal(a, b)


def test_tolerance_monitor_is_checked():
    """Was: an AttributeError ('History' object has no attribute 'val_los') after an epoch."""
    with pytest.raises(ValueError, match="'monitor' parameter of Tolerance must be 'loss' or"):
        gn.train.Tolerance(0.0, 2, monitor="val_los")


def test_callbacks_from_any_iterable_are_taken():
    """A generator of callbacks trained before the check of callbacks; it still does."""
    h = gn.fit(_net(), X, Y, epochs=5, verbose=0, callbacks=(c for c in [_Stop()]))
    assert (h.epochs, h.stop_reason) == (1, "callback")


@pytest.mark.parametrize("engine", ["fused", "graph"])
def test_an_l2_given_as_a_numpy_float_trains_as_the_same_python_float(engine):
    """Was: NumPy's float64 scalar widened the float32 weights' L2 term, so the weights
    differed from l2=0.37's by 6e-8 (np.logspace grids give such scalars)."""
    nets = [_net(), _net()]
    for net, l2 in zip(nets, (0.37, np.float64(0.37))):
        gn.fit(net, X, Y, l2=l2, lr=0.1, epochs=5, batch_size=8, seed=1, verbose=0, engine=engine)
    for a, b in zip(*map(_weights, nets)):
        np.testing.assert_array_equal(a, b)


def test_a_resumed_run_refuses_a_schedule_at_another_epoch():
    """Was: a fresh StepLR given to a run resumed after epoch 4 restarted its curve at epoch
    0, in silence (the rates of epochs 1-4 again)."""
    net = _net()
    opt = gn.optim.SGD(net.parameters(), lr=0.1)
    fresh = gn.schedules.StepLR(opt, step_size=2, gamma=0.5)
    with pytest.raises(ValueError, match="resumes after epoch 4 and the schedule has stepped 0"):
        gn.fit(net, X, Y, optimizer=opt, schedule=fresh, epochs=8, initial_epoch=4, verbose=0)
    for _ in range(4):  # stepped to the epoch the run resumes after: taken
        fresh.step()
    h = gn.fit(net, X, Y, optimizer=opt, schedule=fresh, epochs=8, initial_epoch=4, verbose=0)
    assert h.lr == [fresh.lr_at(e) for e in range(4, 8)] == [0.025, 0.025, 0.0125, 0.0125]


def test_an_optimizer_class_is_refused_naming_the_instance_to_pass():
    """Was: TypeError "prepared() missing 1 required positional argument: 'self'"."""
    with pytest.raises(TypeError, match=r"Got the class SGD: pass SGD\(model.parameters\(\)"):
        gn.fit(_net(), X, Y, optimizer=gn.optim.SGD, epochs=1, verbose=0)


# --------------------------------------- weighted validation: sample_weight and w_val
_W = np.random.default_rng(1).uniform(0.1, 3.0, len(X))  # each row's weight


def _held_out(y, w, frac, seed, loss):
    """The rows fit's validation_split holds out with ``seed``, and their weights."""
    spec = gn.functional.get_loss(loss)
    parts = gn.tasks.split_validation(X, y, w, frac, spec, np.random.default_rng(seed))
    return parts[3:]


class _Scores(gn.Callback):
    """Each epoch, the weighted validation loss and metric written out by hand."""

    def __init__(self, Xv, yv, wv, loss):
        self.Xv, self.yv, self.wv, self.loss, self.rows = Xv, yv, wv, loss, []

    def on_epoch_end(self, state):
        out = state.model(gn.Tensor(self.Xv)).data
        yv, wv = self.yv.reshape(len(self.yv), -1), self.wv
        if self.loss == "mse":  # each row's loss: the mean over outputs
            per = ((out - yv) ** 2).mean(axis=1)
            mean = (wv @ yv) / wv.sum()
            r2 = 1 - (wv @ (yv - out) ** 2) / (wv @ (yv - mean) ** 2)
            self.rows.append((np.sum(wv * per) / len(wv), float(r2.mean())))
        else:  # binary cross-entropy on a sigmoid output
            p = out[:, 0]
            per = -(yv[:, 0] * np.log(p) + (1 - yv[:, 0]) * np.log(1 - p))
            hit = (p > 0.5) == (yv[:, 0] > 0.5)
            self.rows.append((np.sum(wv * per) / len(wv), np.sum(wv * hit) / wv.sum()))


@pytest.mark.parametrize("engine", ["fused", "graph"])
@pytest.mark.parametrize("loss", ["mse", "binary_cross_entropy"])
def test_validation_split_scores_the_held_out_rows_with_their_sample_weight(loss, engine):
    """Was: the held-out rows' weights were dropped, so val_loss and val_metric were
    unweighted means while the training loss was weighted. Now the loss is weighted as the
    training loss is (sum_i w_i l_i / n), accuracy is the weighted fraction correct and R^2
    scikit-learn's r2_score(sample_weight=)."""
    head, y = ("identity", Y) if loss == "mse" else ("sigmoid", LABELS)
    net = nn.MLP([3, 4, 1], activation="tanh", output_activation=head, rng=0, dtype=np.float64)
    Xv, yv, wv = _held_out(y.reshape(len(y), -1).astype(float), _W, 0.25, 3, loss)
    hand, plain = _Scores(Xv, yv, wv, loss), _Scores(Xv, yv, np.ones(len(wv)), loss)
    h = gn.fit(net, X, y, loss=loss, sample_weight=_W, validation_split=0.25, seed=3, lr=0.1,
               epochs=6, batch_size=8, callbacks=[hand, plain], verbose=0,
               engine=engine)  # fmt: skip
    np.testing.assert_allclose(h.val_loss, [r[0] for r in hand.rows], rtol=1e-12)
    np.testing.assert_allclose(h.val_metric, [r[1] for r in hand.rows], rtol=1e-12)
    # (the unweighted scores differ: the test tells them apart)
    assert not np.allclose(h.val_loss, [r[0] for r in plain.rows], rtol=1e-3)
    sklearn = pytest.importorskip("sklearn.metrics")
    out = net(gn.Tensor(Xv)).data
    if loss == "mse":
        assert h.val_metric[-1] == pytest.approx(sklearn.r2_score(yv, out, sample_weight=wv))
    else:
        assert h.val_metric[-1] == pytest.approx(
            sklearn.accuracy_score(yv[:, 0], out[:, 0] > 0.5, sample_weight=wv)
        )


def test_early_stopping_on_a_split_watches_the_weighted_validation_loss():
    net = nn.MLP([3, 4, 1], activation="tanh", rng=0, dtype=np.float64)
    Xv, yv, wv = _held_out(Y, _W, 0.25, 3, "mse")
    hand = _Scores(Xv, yv, wv, "mse")
    h = gn.fit(net, X, Y, sample_weight=_W, validation_split=0.25, early_stopping=True,
               n_iter_no_change=3, seed=3, lr=0.3, epochs=40, batch_size=4, callbacks=[hand],
               verbose=0)  # fmt: skip
    weighted = [r[0] for r in hand.rows]
    np.testing.assert_allclose(h.val_loss, weighted, rtol=1e-12)
    assert h.best_epoch == 1 + int(np.argmin(weighted))


def _opposed():
    """Validation rows whose weights move the best epoch: 36 rows of the training targets
    (weight 1) and 4 of their opposite (weight 20). Unweighted, the loss falls for some
    epochs as the network learns the training targets; weighted, it rises from the start."""
    Xv = np.random.default_rng(2).standard_normal((40, 3))
    yv = 2.0 * Xv[:, :1] * np.r_[np.ones(36), -np.ones(4)][:, None]
    return Xv, yv, np.r_[np.ones(36), 20 * np.ones(4)]


def test_validation_data_takes_the_held_out_weights_as_a_third_element():
    """Keras's validation_data=(x, y, sample_weight): was refused ("must be a pair")."""
    Xv, yv, wv = _opposed()
    runs = {}
    for name, val in (("pair", (Xv, yv)), ("ones", (Xv, yv, np.ones(40))),
                      ("none", (Xv, yv, None)), ("weighted", (Xv, yv, wv))):  # fmt: skip
        net = nn.MLP([3, 4, 1], activation="tanh", rng=0, dtype=np.float64)
        hand = _Scores(Xv, yv, wv if name == "weighted" else np.ones(40), "mse")
        h = gn.fit(net, X, Y, validation_data=val, lr=0.02, epochs=30, callbacks=[hand],
                   early_stopping=True, n_iter_no_change=5, verbose=0)  # fmt: skip
        np.testing.assert_allclose(h.val_loss, [r[0] for r in hand.rows], rtol=1e-12)
        np.testing.assert_allclose(h.val_metric, [r[1] for r in hand.rows], rtol=1e-12)
        runs[name] = h
    for name in ("ones", "none"):  # weights all 1, or None: the pair's run, bit for bit
        assert (runs[name].val_loss, runs[name].val_metric) == (
            runs["pair"].val_loss,
            runs["pair"].val_metric,
        )
    # early stopping stops where the weighted loss says, not where the unweighted one does
    assert runs["weighted"].best_epoch == 1 + int(np.argmin(runs["weighted"].val_loss)) == 1
    assert runs["pair"].best_epoch > 5 and runs["weighted"].epochs == 6


@pytest.mark.parametrize(
    ("w_val", "match"),
    [
        (np.ones(39), r"validation_data\[2\] must hold 40 non-negative values.*Got 39"),
        (np.r_[np.ones(39), -1.0], r"validation_data\[2\] must hold 40 non-negative.*-1"),
        (np.r_[np.ones(39), np.nan], r"validation_data\[2\]"),
        (np.ones((40, 1)), r"validation_data\[2\] must have 1 dimensions"),
        (np.zeros(40), r"every weight in validation_data\[2\] is 0, so the weighted validation"),
        (np.array(["a"] * 40), r"validation_data\[2\] must be numeric"),
    ],
)
def test_bad_validation_weights_are_refused_naming_validation_data_2(w_val, match):
    Xv, yv, _ = _opposed()
    with pytest.raises(ValueError, match=r"^fit: " + match):
        gn.fit(_net(), X, Y, validation_data=(Xv, yv, w_val), epochs=1, verbose=0)


def test_validation_data_of_four_parts_and_weights_with_a_callable_loss_are_refused():
    Xv, yv, wv = _opposed()
    with pytest.raises(ValueError, match=r"must be a pair \(X_val, y_val\) or a triple"):
        gn.fit(_net(), X, Y, validation_data=(Xv, yv, wv, wv), epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"fit: validation_data\[2\] works with the named"):
        gn.fit(_net(), X, Y, loss=lambda o, t: ((o - t) ** 2).mean(),
               validation_data=(Xv, yv, wv), epochs=1, verbose=0)  # fmt: skip


def test_a_split_that_holds_out_only_weightless_rows_is_refused():
    """Its weighted validation loss and metric would weigh no sample (the metric 0 / 0)."""
    w = np.ones(len(X))
    _, _, wv = _held_out(Y, np.arange(len(X), dtype=float), 0.25, 0, "mse")
    w[np.isin(np.arange(len(X)), wv.astype(int))] = 0.0  # (the held-out rows' own numbers)
    with pytest.raises(ValueError, match=r"validation_split=0.25 holds out only samples whose"):
        gn.fit(_net(), X, Y, sample_weight=w, validation_split=0.25, seed=0, verbose=0)


def test_a_split_that_leaves_only_weightless_rows_to_train_on_is_refused():
    """Was: every training loss 0 (history.loss [0.0, 0.0, ...]) and nothing learned, in
    silence: the rows of weight > 0 were all held out."""
    w = np.zeros(len(X))
    _, _, wv = _held_out(Y, np.arange(len(X), dtype=float), 0.25, 0, "mse")
    w[np.isin(np.arange(len(X)), wv.astype(int))] = 1.0  # (the held-out rows alone count)
    with pytest.raises(ValueError, match=r"validation_split=0.25 holds out every sample whose"):
        gn.fit(_net(), X, Y, sample_weight=w, validation_split=0.25, seed=0, verbose=0)
    with pytest.raises(ValueError, match=r"^fit_many: validation_split=0.25 holds out every"):
        gn.fit_many([_net()], X, Y, sample_weight=w, validation_split=0.25, seed=0)


# ------------------------------------------------- a review of the checks above: valid calls
def test_soft_labels_rounded_or_stored_in_float16_train():
    """A row-sum tolerance of 1e-4 refused a teacher's probabilities stored in float16 (rows
    3e-4 off) or rounded to 3 decimals (3e-3 off)."""
    logits = np.random.default_rng(1).standard_normal((40, 3))
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    for rows in (probs.astype(np.float16), np.round(probs, 3)):
        assert np.abs(rows.astype(float).sum(axis=1) - 1).max() > 1e-4
        h = gn.fit(_net(3, "softmax"), X, rows, loss="cross_entropy", epochs=2, verbose=0)
        assert np.isfinite(h.loss).all()
    with pytest.raises(ValueError, match=r"a row sum 0.5 away from 1; normalize soft labels"):
        gn.fit(_net(3, "softmax"), X, probs * 0.5, loss="cross_entropy", epochs=1, verbose=0)


def test_text_labels_after_a_number_written_as_text_point_to_the_label_encoder():
    """Only the first text value was looked at: ['1', 'dog', ...] got the advice for numbers
    written as text, showing '1'."""
    y = np.where(LABELS, "dog", "1")
    y[0] = "1"
    with pytest.raises(ValueError, match=r"y holds text labels \(e.g. 'dog'\)"):
        gn.fit(_net(2, "softmax"), X, y, loss="cross_entropy", epochs=1, verbose=0)


@pytest.mark.parametrize(("verbose", "level"), [(False, 0), (True, 1)])
def test_verbose_takes_a_bool(verbose, level):
    """verbose=True/False (a common spelling; the estimators document it) was refused."""
    seen = []
    gn.fit(_net(), X, Y, epochs=1, verbose=verbose, callbacks=[lambda s: seen.append(s.verbose)])
    assert seen == [level] and type(seen[0]) is int


def test_lr_equal_to_the_optimizer_s_starting_lr_is_taken_after_a_schedule_moved_it():
    """The same call repeated after a schedule lowered opt.lr was refused."""
    net = _net()
    opt = gn.optim.SGD(net.parameters(), lr=0.1)
    sched = gn.schedules.StepLR(opt, step_size=1, gamma=0.5)
    gn.fit(net, X, Y, optimizer=opt, lr=0.1, schedule=sched, epochs=2, verbose=0)
    assert opt.lr == 0.025
    gn.fit(net, X, Y, optimizer=opt, lr=0.1, schedule=sched, epochs=1, verbose=0)  # its start
    with pytest.raises(ValueError, match=r"lr=0.1 builds .* its own lr \(0.0125\)"):
        gn.fit(net, X, Y, optimizer=opt, lr=0.1, epochs=1, verbose=0)  # (no schedule: 0.0125)
    with pytest.raises(ValueError, match=r"lr=0.3 builds an optimizer given by name"):
        gn.fit(net, X, Y, optimizer=opt, lr=0.3, epochs=1, verbose=0)


def test_a_resumed_run_with_its_stop_rule_stops_where_the_whole_run_stops():
    """The rule's books were cleared at every second run, resumed ones too: a run split just
    before its stop and resumed with the same rule stopped later than the uninterrupted one."""

    def run(split):
        net, rule = _net(), gn.train.Tolerance(1e-3, 3)
        opt = gn.optim.SGD(net.parameters(), lr=0.05)
        kw = {"optimizer": opt, "stop_rules": [rule], "verbose": 0, "seed": lambda e: e}
        h = gn.fit(net, X, Y, epochs=split or 200, batch_size=8, **kw)
        if split and h.stop_reason == "max_epochs":
            h = gn.fit(net, X, Y, epochs=200, initial_epoch=split, batch_size=8, **kw)
        return h.epochs, h.stop_reason, _weights(net)

    whole = run(None)
    assert whole[1] == "tol" and whole[0] > 4
    for split in (whole[0] - 2, whole[0] - 1):  # (the books at the split decide the stop)
        resumed = run(split)
        assert resumed[:2] == whole[:2]
        for a, b in zip(resumed[2], whole[2]):
            np.testing.assert_array_equal(a, b)


def test_a_run_stopped_by_a_callback_resumes_with_its_schedule():
    """fit stepped the schedule after every epoch but one ended by a callback or max_steps,
    so the same schedule was one epoch behind the run and its resume was refused."""
    net = _net()
    opt = gn.optim.SGD(net.parameters(), lr=0.1)
    sched = gn.schedules.StepLR(opt, step_size=2, gamma=0.5)
    stop_at_3 = lambda s: s.epoch == 3  # noqa: E731
    h = gn.fit(net, X, Y, optimizer=opt, schedule=sched, epochs=8, callbacks=[stop_at_3], verbose=0)
    assert (h.epochs, sched.epoch) == (3, 3)
    h = gn.fit(net, X, Y, optimizer=opt, schedule=sched, epochs=5, initial_epoch=3, verbose=0)
    assert h.lr == [sched.lr_at(e) for e in (3, 4)]
    adaptive = gn.schedules.AdaptiveLR(opt)  # (no curve of the epoch: taken on any resume)
    gn.fit(net, X, Y, optimizer=opt, schedule=adaptive, epochs=7, initial_epoch=5, verbose=0)


def test_a_rule_that_refuses_the_run_does_so_before_any_callback_begins():
    """A user callback's on_train_begin ran, and its on_train_end never did."""
    began = []

    class Log(gn.Callback):
        def on_train_begin(self, state):
            began.append(state.epoch)

    with pytest.raises(ValueError, match="watches the validation loss"):
        gn.fit(
            _net(), X, Y, stop_rules=[gn.train.EarlyStopping(0.0, 2)], callbacks=[Log()], verbose=0
        )
    assert began == []


def test_early_stopping_reused_on_another_model_resumed_forgets_the_first_model():
    """A rule's books were kept on any run with initial_epoch > 0: model B, resumed with
    model A's rule, ended with A's weights (of another width: a broadcast error)."""
    rule = gn.train.EarlyStopping(0.0, 50)
    a, b = _net(), nn.MLP([3, 8, 1], activation="tanh", rng=1)
    gn.fit(a, X, Y, stop_rules=[rule], validation_data=(X, Y), epochs=5, verbose=0)
    gn.fit(b, X, Y, stop_rules=[rule], validation_data=(X, Y), epochs=8, initial_epoch=5, verbose=0)
    assert [w.shape for w in rule.weights] == [p.data.shape for p in b.parameters()]


def test_a_fresh_invscaling_schedule_on_a_resumed_run_is_refused():
    """Its clock is the samples seen: a fresh one restarted its curve on a resumed run."""
    net = _net()
    opt = gn.optim.SGD(net.parameters(), lr=0.1)
    fresh = gn.schedules.InvScalingLR(opt, power_t=0.5)
    with pytest.raises(ValueError, match="resumes after epoch 4 and the schedule has stepped 0"):
        gn.fit(net, X, Y, optimizer=opt, schedule=fresh, epochs=6, initial_epoch=4, verbose=0)


@pytest.mark.parametrize("engine", ["fused", "graph"])
def test_max_steps_names_the_stop_over_a_rule_stopping_the_same_epoch(engine):
    """As every loop (jit, fit_many) names it."""
    h = gn.fit(_net(), X, Y, lr=1e-6, tol=1e9, n_iter_no_change=2, max_steps=3, epochs=10,
               verbose=0, engine=engine)  # fmt: skip
    assert (h.steps, h.stop_reason) == (3, "max_steps")


def test_early_stopping_s_own_split_that_takes_a_class_names_that_split():
    """Without a validation_split, early stopping holds out 0.1 of the rows: the refusal
    said to use 'a smaller validation_split', which the user never gave."""
    y = np.r_[0, 1]  # (0.1 of 2 rows: one row held out, a whole class)
    for seed in range(40):
        try:
            gn.fit(_net(1, "sigmoid"), X[:2], y, loss="binary_cross_entropy",
                   early_stopping=True, seed=seed, epochs=1, verbose=0)  # fmt: skip
        except ValueError as e:
            why = str(e)
            assert "early_stopping's 0.1 split leaves class" in why, why
            assert "validation_split" not in why.split("leaves")[1]
            assert "early_stopping=False" in why and "validation_data" in why
            break
    else:
        pytest.fail("no seed held the one sample of class 1 out")


def test_a_seed_function_draws_the_validation_split_too():
    # seed(0) holds the rows out: two equal calls (and a resumed run) train on the same rows;
    # the split came from glassnet's global generator, different at every call
    X = np.random.default_rng(0).random((40, 2))
    y = X.sum(1, keepdims=True)
    runs = []
    for _ in range(2):
        m = gn.nn.MLP([2, 4, 1], rng=0)
        h = gn.fit(m, X, y, epochs=3, verbose=0, validation_split=0.25, seed=lambda e: 10 + e)
        runs.append((h.val_loss, [p.data.copy() for p in m.parameters()]))
    assert runs[0][0] == runs[1][0]
    assert all(np.array_equal(a, b) for a, b in zip(runs[0][1], runs[1][1]))
    m = gn.nn.MLP([2, 4, 1], rng=0)  # in two calls, resumed at epoch 2: the same run
    gn.fit(m, X, y, epochs=2, verbose=0, validation_split=0.25, seed=lambda e: 10 + e)
    h = gn.fit(m, X, y, epochs=3, initial_epoch=2, verbose=0, validation_split=0.25,
               seed=lambda e: 10 + e)  # fmt: skip
    assert h.val_loss == runs[0][0][2:]
    assert all(np.array_equal(p.data, b) for p, b in zip(m.parameters(), runs[0][1]))


def test_a_last_update_that_overflows_is_a_divergence_not_a_finished_run():
    # every loss is finite (checked before each update), the last update is not: fit
    # returned max_epochs with weights of inf; it raises, as for a loss that overflows
    X = np.random.default_rng(0).random((8, 2)).astype(np.float32)
    y = X.sum(1, keepdims=True) * 100  # (a gradient of about 200: 200 * 1e38 is inf)
    for engine in ("fused", "graph"):
        net = nn.MLP([2, 3, 1], rng=0, dtype=np.float32)
        start = [p.data.copy() for p in net.parameters()]
        with pytest.raises(
            gn.DivergenceError, match="the update of step 1 \\(epoch 1\\) left non-finite weights"
        ):
            gn.fit(net, X, y, lr=1e38, epochs=1, verbose=0, engine=engine)
        assert all(np.array_equal(p.data, s) for p, s in zip(net.parameters(), start))
    # fit_many: that model stops as diverged with the weights fit keeps; the other trains on
    nets = [nn.MLP([2, 3, 1], rng=0, dtype=np.float32), nn.MLP([2, 3, 1], rng=1, dtype=np.float32)]
    hs = gn.fit_many(nets, X, y, lr=[1e38, 0.01], epochs=1)
    assert [h.stop_reason for h in hs] == ["diverged", "max_epochs"]
    assert "left non-finite weights" in hs[0].warnings[0]
    assert all(np.array_equal(p.data, s) for p, s in zip(nets[0].parameters(), start))


@pytest.mark.parametrize(
    "seed",
    [lambda e: np.random.default_rng(e - 1), {1: 5, 2: 6, 3: 7}.__getitem__, lambda e: 1000 // e],
    ids=["rng(e - 1)", "a table of epochs 1-3", "1000 // e"],
)
def test_a_seed_function_of_epochs_from_1_is_called_at_0_only_for_a_split(seed):
    X = np.random.default_rng(0).random((40, 2))
    y = X.sum(1, keepdims=True)
    h = gn.fit(nn.MLP([2, 4, 1], rng=0), X, y, epochs=3, verbose=0, seed=seed)
    assert h.epochs == 3
    hs = gn.fit_many([nn.MLP([2, 4, 1], rng=0)] * 1, X, y, epochs=3, seed=seed)
    assert hs[0].epochs == 3


def test_the_compiled_loop_diverging_after_adams_moments_overflowed_raises_divergence():
    jit = pytest.importorskip("glassnet.jit")
    if not jit.available():
        pytest.skip("numba is not installed")
    rng = np.random.default_rng(1)
    X = (rng.standard_normal((16, 2)) * 10.0 ** rng.integers(0, 14)).astype(np.float32)
    y = (rng.random(16) > 0.5).astype(np.float32)
    net = nn.MLP([2, 3, 1], activation="relu", output_activation="sigmoid", rng=1, dtype=np.float32)
    opt = gn.optim.AdamW(net.parameters(), lr=1e6)
    with pytest.raises(gn.DivergenceError) as info:  # (was load_state_dict's ValueError)
        gn.fit(
            net, X, y, loss="binary_cross_entropy", optimizer=opt, batch_size=16, epochs=400,
            verbose=0, shuffle=False, engine="jit",
        )  # fmt: skip
    assert info.value.epoch is not None and all(np.isfinite(p.data).all() for p in net.parameters())


def test_an_optimizer_subclass_keeping_its_own_state_is_put_back_through_its_own_method():
    # a late-seen divergence puts the optimizer's state back: a load_state_dict of the user's
    # own (no finite=) is called, so state of its own comes back too, and fit raises what it
    # raises on the per-step loop
    class CountingSGD(gn.optim.SGD):
        n = 0

        def state_dict(self):
            return {**super().state_dict(), "n": self.n}

        def load_state_dict(self, state):
            state = dict(state)
            self.n = state.pop("n") + 1
            return super().load_state_dict(state)

    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 3))
    y = X @ [1.0, 2.0, 3.0]
    m = nn.MLP([3, 8, 1], rng=0)
    opt = CountingSGD(m.parameters(), lr=0.3)
    with pytest.raises(gn.DivergenceError, match="the loss became inf"):
        gn.fit(m, X, y, optimizer=opt, epochs=50, engine="fused", verbose=0, seed=0)
    assert opt.n >= 1  # (its own load_state_dict ran)
