"""Round 11 of the fit and task-layer audit: each test is a defect found by probing fit, the
tasks, the metrics, gradcheck and glassnet.micrograd as a user would (a wrong number, a
vague error or a traceback from inside glassnet), checked against an independent
computation (scikit-learn's metrics, Python's float arithmetic, micrograd's rules)."""

import numpy as np
import pytest

from glassnet.tasks import infer_task

sklearn_metrics = pytest.importorskip("sklearn.metrics")


# ------------------------------------------------------------- Task.score on outputs
def test_a_binary_task_scores_the_networks_outputs_as_their_classes():
    """BinaryClassification.score compared probabilities with labels (0.0 for any network);
    a multi-class task already scored its outputs as the class of their argmax."""
    y = np.array([0, 1, 1, 0])
    out = np.array([[0.2], [0.7], [0.4], [0.9]])  # model.predict's (N, 1) probabilities
    truth = sklearn_metrics.accuracy_score(y, (out[:, 0] > 0.5).astype(int))
    task = infer_task(y)
    assert task.score(y, out) == truth == 0.5
    assert task.score(y, out[:, 0]) == truth
    assert task.score(task.encode(y), out) == truth  # (encoded targets, as fit takes them)
    text = infer_task(["no", "yes", "yes", "no"])
    assert text.score(["no", "yes", "yes", "no"], out) == truth
    assert task.score(y, [0, 1, 0, 0]) == 0.75  # labels stay labels


def test_a_multilabel_task_scores_the_networks_outputs_as_their_labels():
    Y = np.array([[1, 0, 1], [0, 1, 1], [1, 1, 0]])
    out = np.array([[0.9, 0.1, 0.6], [0.2, 0.8, 0.3], [0.7, 0.6, 0.1]])
    truth = sklearn_metrics.accuracy_score(Y, (out > 0.5).astype(int))  # subset accuracy
    assert infer_task(Y).score(Y, out) == truth == 2 / 3


# ----------------------------------------------------------------------- metrics
def test_r2_score_refuses_a_negative_sample_weight_naming_it():
    """A negative weight made SS_tot negative and the score 0.0, in silence."""
    from glassnet.metrics import r2_score

    rng = np.random.default_rng(0)
    yt, yp = rng.normal(size=10), rng.normal(size=10)
    w = np.abs(rng.normal(size=10))
    assert r2_score(yt, yp, w) == pytest.approx(sklearn_metrics.r2_score(yt, yp, sample_weight=w))
    with pytest.raises(ValueError, match=r"^r2_score: 'sample_weight' holds -1 at row 3; weights"):
        r2_score(yt, yp, np.r_[w[:3], -1.0, w[4:]])
    with pytest.raises(ValueError, match="'sample_weight' holds -"):
        r2_score(yt, yp, -w)


# ------------------------------------------------------------------- micrograd
def test_micrograd_value_raises_where_pythons_floats_and_micrograd_raise():
    """Value(1) / Value(0) was inf (1 / 0 a ZeroDivisionError from a bare float), exp and
    ** overflowed to inf and (-8) ** (1/3) was nan, each with a NumPy RuntimeWarning from
    glassnet/tensor.py; micrograd's floats raise."""
    import warnings

    from glassnet.micrograd import Value

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # (no NumPy RuntimeWarning from glassnet's inside)
        for div in (lambda: Value(1.0) / Value(0.0), lambda: Value(1.0) / 0, lambda: 2 / Value(0)):
            with pytest.raises(ZeroDivisionError, match=r"^Value: division by zero \("):
                div()
        with pytest.raises(ZeroDivisionError, match="0.0 cannot be raised to a negative power"):
            Value(0.0) ** -0.5
        with pytest.raises(OverflowError, match=r"^Value: exp\(1000.0\) is past the float range"):
            Value(1000.0).exp()
        with pytest.raises(OverflowError, match="past the float range"):
            Value(10.0) ** Value(400.0)
        with pytest.raises(ValueError, match=r"is not a real number \(a negative base"):
            Value(-8.0) ** (1 / 3)
        big = Value(1e308) * 10  # (as 1e308 * 10: inf, no error)
        assert big.data == float("inf")
        a, b = Value(-2.0), Value(0.0)
        assert (a**2).data == 4.0 and (b**0.5).data == 0.0 and (b**0).data == 1.0
        c = Value(3.0) / Value(4.0)
        c.backward()
        assert c.data == 0.75


# ------------------------------------------------------------------- objective
def test_evaluate_loss_with_every_weight_0_says_there_is_nothing_to_score():
    """The refusal spoke of training ("nothing to train on ... learn from") in a function
    that only scores."""
    from glassnet import nn
    from glassnet.objective import evaluate_loss

    X, y = np.ones((4, 3)), np.arange(4.0)
    net = nn.MLP([3, 2, 1], rng=0)
    with pytest.raises(ValueError, match=r"^evaluate_loss: every sample_weight is 0") as e:
        evaluate_loss(net, X, y, sample_weight=np.zeros(4))
    assert "weighs no sample" in str(e.value) and "train" not in str(e.value)


# ------------------------------------------------------- stratified validation split
def _training_rows(loss, y, **kw):
    import glassnet as gn
    from glassnet import nn

    seen = {}

    class Rows(gn.Callback):
        def on_train_begin(self, state):
            seen["X"] = state.X.copy()

    X = np.arange(len(y), dtype=np.float32)[:, None] * np.ones((1, 3), np.float32)
    net = nn.MLP([3, 4, 3], rng=0)
    gn.fit(net, X, y, loss=loss, lr=0.1, epochs=1, verbose=0, callbacks=[Rows()], **kw)
    return seen["X"][:, 0].astype(int)


def test_a_label_loss_of_pytorchs_gets_the_stratified_split_of_cross_entropy():
    """validation_split (and early stopping's split) with nn.CrossEntropyLoss / NLLLoss
    held out rows at random: its classes' shares varied from seed to seed (class 2, 5 of
    100 rows, from 0 to 2 of the 20 held out) and a class could be held out whole."""
    from glassnet import nn

    y = np.r_[np.zeros(80, int), np.ones(15, int), np.full(5, 2)]
    for seed in range(6):
        rows = _training_rows("cross_entropy", y, validation_split=0.2, seed=seed)
        assert np.bincount(y[rows], minlength=3).tolist() == [64, 12, 4]
        for loss in (nn.CrossEntropyLoss(), nn.functional.cross_entropy):
            same = _training_rows(loss, y, validation_split=0.2, seed=seed)
            np.testing.assert_array_equal(same, rows)
    one = np.r_[np.zeros(10, int), np.ones(9, int), [2]]  # (class 2: one sample)
    with pytest.raises(ValueError, match="leaves class 2 with no training sample"):
        _training_rows(nn.CrossEntropyLoss(), one, validation_split=0.5, seed=0)


# ------------------------------------------------------------- heads and losses
@pytest.mark.parametrize("head", ["identity", "relu", "tanh", "leaky_relu"])
def test_binary_cross_entropy_on_a_head_without_sigmoid_is_refused_before_training(head):
    """A model ending in Linear (or relu, tanh) trained on binary_cross_entropy ran until a
    batch's output left [0, 1], then raised the op's error from inside the run: no History,
    the model half trained (a first batch inside [0, 1] and the 5th epoch out, say)."""
    import glassnet as gn
    from glassnet import nn

    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    y = (X[:, 0] > 0).astype(int)
    net = nn.MLP([3, 1], output_activation=head, rng=0)
    net.layers[0].W.data[...] = 0.01  # (outputs near 0.5 at first: the op accepted them)
    net.layers[0].b.data[...] = 0.5
    before = [p.data.copy() for p in net.parameters()]
    ends = "a Linear layer" if head == "identity" else head
    with pytest.raises(ValueError, match=rf"^fit: the model ends in {ends} \(no sigmoid\)") as e:
        gn.fit(net, X, y, loss="binary_cross_entropy", lr=1.0, epochs=50, batch_size=20, verbose=0)
    assert "binary_cross_entropy_with_logits" in str(e.value)
    assert all(np.array_equal(b, p.data) for b, p in zip(before, net.parameters()))
    with pytest.raises(ValueError, match="^fit: the model ends in a Linear layer"):
        gn.fit(nn.Linear(3, 1, rng=0), X, y, loss="bce", epochs=1, verbose=0)
    # its own head and the logits loss train
    sig = nn.MLP([3, 1], output_activation="sigmoid", rng=0)
    assert gn.fit(sig, X, y, loss="binary_cross_entropy", epochs=2, verbose=0).loss
    if head == "identity":
        h = gn.fit(net, X, y, loss="binary_cross_entropy_with_logits", epochs=2, verbose=0)
        assert h.loss


def test_a_label_loss_with_one_validation_row_has_no_r2_warning():
    """With nn.CrossEntropyLoss and one validation row fit warned 'R^2 is undefined:
    val_metric is NaN' while val_metric was that row's accuracy."""
    import warnings

    import glassnet as gn
    from glassnet import nn

    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 3))
    y = (X[:, 0] > 0).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h = gn.fit(
            nn.MLP([3, 2], rng=0), X, y, loss=nn.CrossEntropyLoss(), epochs=2, verbose=0,
            validation_data=(X[:1], y[:1]),
        )  # fmt: skip
    assert h.metric_name == "accuracy" and h.val_metric[-1] in (0.0, 1.0)


def test_a_bce_loss_of_pytorchs_gets_the_stratified_split_of_binary_cross_entropy():
    """nn.BCEWithLogitsLoss is scored with accuracy, as binary_cross_entropy_with_logits,
    but its validation split is drawn at random (fit does not hand validation_set the loss
    object, so tasks cannot see it is a classification) and a one-row validation set warns
    of an undefined R^2."""
    import warnings

    import glassnet as gn
    from glassnet import nn

    y = np.r_[np.zeros(90), np.ones(10)].reshape(-1, 1)
    X = np.arange(100, dtype=np.float32)[:, None] * np.ones((1, 3), np.float32)

    class Rows(gn.Callback):
        def on_train_begin(self, state):
            self.rows = state.X[:, 0].copy()

    for seed in range(6):
        rows = []
        for loss in ("binary_cross_entropy_with_logits", nn.BCEWithLogitsLoss()):
            seen = Rows()
            net = nn.MLP([3, 1], rng=0)
            gn.fit(net, X, y, loss=loss, epochs=1, verbose=0, validation_split=0.2, seed=seed,
                   callbacks=[seen])  # fmt: skip
            rows.append(seen.rows)
        np.testing.assert_array_equal(*rows)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gn.fit(nn.MLP([3, 1], rng=0), X, y, loss=nn.BCEWithLogitsLoss(), epochs=1, verbose=0,
               validation_data=(X[:1], y[:1]))  # fmt: skip


# ------------------------------------------------------------------ frozen layers
def test_an_optimizer_on_the_trainable_parameters_alone_is_named_as_such():
    """PyTorch's fine-tuning habit, an optimizer built on the parameters that require
    grad, was refused as 'built on other parameters than the model's (4 of its 4 belong to
    the model, ...)': every one of them is the model's; the others are frozen."""
    import glassnet as gn
    from glassnet import nn

    net = nn.MLP([3, 4, 1], rng=0)
    net.layers[0].requires_grad_(False)
    opt = gn.optim.SGD([p for p in net.parameters() if p.requires_grad], lr=0.1)
    with pytest.raises(ValueError, match=r"^fit: the optimizer holds the model's 2 trainable") as e:
        gn.fit(net, np.ones((4, 3)), np.ones(4), optimizer=opt, epochs=1, verbose=0)
    assert "2 frozen" in str(e.value) and "optim.SGD(model.parameters()" in str(e.value)


# ------------------------------------------------------------------------ resume
def test_a_run_resumed_with_its_early_stopping_rule_equals_the_uninterrupted_run():
    """fit(epochs=k) then fit(epochs=n, initial_epoch=k) with the same EarlyStopping in
    stop_rules (as fit's docstring says to resume its books) went on from the best weights,
    which the first call put back at its end, not from those of epoch k: another run."""
    import glassnet as gn
    from glassnet import nn
    from glassnet.train import EarlyStopping

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = X @ [1.0, 2.0, 3.0] + rng.normal(size=60) * 2
    Xv = rng.normal(size=(20, 3))
    yv = Xv @ [1.0, 2.0, 3.0]

    def run(*cuts):
        net = nn.MLP([3, 32, 1], rng=0, dtype=np.float64)
        opt = gn.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
        rule, losses, start = EarlyStopping(None, 4), [], 0
        for end in (*cuts, 60):
            h = gn.fit(
                net, X, y, optimizer=opt, epochs=end, initial_epoch=start, batch_size=8,
                seed=lambda e: e, verbose=0, validation_data=(Xv, yv), stop_rules=[rule],
            )  # fmt: skip
            losses += h.val_loss
            start = end
            if h.stop_reason != "max_epochs":
                break
        return h, losses, [p.data.copy() for p in net.parameters()]

    whole, losses, weights = run()
    assert whole.stop_reason == "early_stopping" and whole.epochs == 13
    assert int(np.argmin(losses)) + 1 == 9 and losses[3] > losses[2]  # (epoch 3 beats 4)
    for cut in (4, 6, 7):  # (the best epoch so far is not the cut's: 3, 5, 5)
        h, resumed, w = run(cut)
        np.testing.assert_array_equal(resumed, losses)
        assert h.stop_reason == "early_stopping" and h.epochs == 13
        assert all(np.array_equal(a, b) for a, b in zip(w, weights))


# -------------------------------------------------------------------- gradcheck
def test_gradcheck_leaves_the_grad_of_a_model_fn_closes_over_as_it_was():
    """gradcheck ran loss.backward(), which added dL/dW into the .grad of a layer that fn
    calls: the next optimizer step (without zero_grad) took that stale gradient too."""
    import glassnet as gn
    from glassnet import nn

    layer = nn.Linear(3, 2, rng=0)
    assert gn.gradcheck(lambda x: layer(x).tanh().sum(), np.ones((2, 3))).ok
    assert layer.W.grad is None and layer.b.grad is None
    layer.W.grad = np.full((3, 2), 7.0, np.float32)  # (a gradient of the user's: kept)
    report = gn.gradcheck(lambda x: (layer(x) ** 2).sum(), np.arange(6.0).reshape(2, 3))
    assert report.ok and (layer.W.grad == 7.0).all()
    with pytest.raises(gn.GradcheckError):  # (a wrong gradient is still caught)
        gn.gradcheck(lambda a: (a.detach() * a).sum(), np.ones(3) * 2)


# ---------------------------------------------------------------- messages
def test_class_labels_given_to_mse_name_cross_entropy_not_a_1_neuron_layer():
    """A softmax classifier fitted on labels 0..2 with fit's default loss, mse, was told to
    'build the output layer with 1 neurons'."""
    import glassnet as gn
    from glassnet import nn

    X = np.random.default_rng(0).normal(size=(12, 3))
    y = np.arange(12) % 3
    net = nn.MLP([3, 4, 3], output_activation="softmax", rng=0)
    with pytest.raises(ValueError, match=r"^fit: y has 1 value\(s\) per sample but the model") as e:
        gn.fit(net, X, y, epochs=1, verbose=0)
    assert "class labels 0..2: train on them with loss='cross_entropy'" in str(e.value)
    assert "1 neurons" not in str(e.value)
    with pytest.raises(ValueError, match="build the output layer with 1 neurons"):
        gn.fit(nn.MLP([3, 3], rng=0), X, y * 1.5, epochs=1, verbose=0)  # (values: as before)
    assert gn.fit(net, X, y, loss="cross_entropy", epochs=1, verbose=0).loss


def test_r2_score_refuses_predictions_of_three_axes():
    """y_pred of shape (n, k, 1) was reshaped to y_true's (n, k) in silence (any two shapes
    of as many rows and values were scored as one)."""
    from glassnet.metrics import r2_per_output, r2_score

    yt = np.arange(12.0).reshape(4, 3)
    for score in (r2_score, r2_per_output):
        with pytest.raises(ValueError, match=r"'y_pred' must hold one prediction per target"):
            score(yt, yt.reshape(4, 3, 1))
    assert r2_score(yt, yt) == 1.0 and r2_score(yt[:, 0], yt[:, :1]) == 1.0  # (N,) and (N, 1)


def test_binary_cross_entropy_on_a_softmax_head_is_refused():
    """BCE on a softmax head trains each competing output as a yes/no of its own, and its
    'accuracy' is the fraction of labels right: a model with every output below 0.5 scores
    2/3 on 3 classes. tests/test_train.py uses this model and loss as a case the fused
    engine refuses, so the refusal waits for that case to go."""
    import glassnet as gn
    from glassnet import nn

    X = np.random.default_rng(0).normal(size=(30, 3))
    Y = np.eye(3)[np.arange(30) % 3]
    net = nn.MLP([3, 4, 3], output_activation="softmax", rng=0)
    with pytest.raises(ValueError, match="^fit: the model ends in softmax, whose outputs compete"):
        gn.fit(net, X, Y, loss="binary_cross_entropy", epochs=1, verbose=0)


def test_an_optimizer_class_with_lr_is_told_what_to_pass():
    """fit(optimizer=optim.Adam, lr=0.01) said 'this type trains with its own lr
    (<property object at 0x...>)'."""
    import glassnet as gn
    from glassnet import nn, optim

    with pytest.raises(TypeError, match=r"Got the class Adam: pass Adam\(model.parameters"):
        gn.fit(nn.MLP([2, 3, 1], rng=0), np.ones((4, 2)), np.ones(4), optimizer=optim.Adam,
               lr=0.01, epochs=1, verbose=0)  # fmt: skip
