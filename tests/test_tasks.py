"""Tests for glassnet.tasks: the lecture's four tasks (output layer, loss, encoding,
decoding, scoring), their config round trip and target inference."""

from __future__ import annotations

import json

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn, tasks
from glassnet.tasks import (
    MAX_FLOAT_CLASSES,
    TASKS,
    BinaryClassification,
    MultiClassClassification,
    MultiLabelClassification,
    MultiOutputRegression,
    Regression,
    Task,
    get_task,
    infer_task,
    type_of_target,
)


def output_layers(model):
    """(neurons of the last Linear, class name of the module after it, or None)."""
    layers = list(model.layers)
    i = max(j for j, m in enumerate(layers) if isinstance(m, nn.Linear))
    after = type(layers[i + 1]).__name__ if i + 1 < len(layers) else None
    return layers[i].neurons, after


# --------------------------------------------------------------------- the four tasks
def test_binary_classification():
    y = np.array(["no", "yes", "yes", "no", "yes"])
    task = infer_task(y)
    assert isinstance(task, BinaryClassification) and task.is_classifier
    assert (task.n_outputs, task.output_activation, task.loss) == (
        1,
        "sigmoid",
        "binary_cross_entropy",
    )
    assert task.classes_.tolist() == ["no", "yes"]
    enc = task.encode(y)
    assert enc.shape == (5, 1) and enc[:, 0].tolist() == [0, 1, 1, 0, 1]
    # threshold 0.5: y_hat > 0.5 is the positive (second) class; exactly 0.5 is not
    out = np.array([[0.1], [0.5], [0.500001], [0.99]])
    assert task.decode(out).tolist() == ["no", "no", "yes", "yes"]
    assert task.decode(enc).tolist() == y.tolist()
    np.testing.assert_allclose(task.proba(out)[:, 0], 1 - out[:, 0])
    model = task.build_model(3, hidden=(4,), rng=0)
    assert model.sizes == [3, 4, 1] and output_layers(model) == (1, "Sigmoid")


def test_multiclass_classification_one_hot_and_argmax():
    y = np.array(["cat", "dog", "bird", "dog"])
    task = infer_task(y)
    assert isinstance(task, MultiClassClassification)
    assert (task.n_outputs, task.output_activation, task.loss) == (3, "softmax", "cross_entropy")
    # the slide's one-hot vectors: each row has a single 1 at its class's position
    enc = task.encode(["cat", "dog", "bird"])
    cls = task.classes_.tolist()
    for row, label in zip(enc, ["cat", "dog", "bird"]):
        assert row.sum() == 1 and row[cls.index(label)] == 1
    probs = np.array([[0.2, 0.5, 0.3], [0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
    assert task.decode(probs).tolist() == [cls[1], cls[0], cls[2]]
    assert task.decode(task.encode(y)).tolist() == y.tolist()
    np.testing.assert_array_equal(task.proba(probs), probs)
    model = task.build_model(5, hidden=(8, 6), activation="tanh", rng=0)
    assert model.sizes == [5, 8, 6, 3] and output_layers(model) == (3, "Softmax")


def test_multiclass_from_one_hot_targets():
    Y = np.eye(4)[[0, 3, 2, 1, 3]]
    task = infer_task(Y)
    assert isinstance(task, MultiClassClassification) and task.n_outputs == 4
    np.testing.assert_array_equal(task.encode(Y), Y)
    assert task.decode(Y).tolist() == [0, 3, 2, 1, 3]


@pytest.mark.parametrize(
    ("act", "low", "high", "module"),
    [
        ("identity", -50.0, 80.0, None),
        ("sigmoid", 0.0, 1.0, "Sigmoid"),
        ("tanh", -1.0, 1.0, "Tanh"),
    ],
)
def test_single_output_regression(act, low, high, module):
    y = np.random.default_rng(0).uniform(low, high, 30)
    task = Regression(act).fit(y)
    assert (task.n_outputs, task.output_activation, task.loss) == (1, act, "mse")
    assert not task.is_classifier
    enc = task.encode(y)
    assert enc.shape == (30, 1) and enc.dtype == np.float64
    np.testing.assert_array_equal(task.decode(enc), y)
    assert task.decode(enc).shape == (30,)
    assert output_layers(task.build_model(2, hidden=(3,), rng=0)) == (1, module)


def test_regression_activation_aliases_and_range_check():
    assert Regression("logistic").output_activation == "sigmoid"
    assert Regression("linear").output_activation == "identity"
    with pytest.raises(ValueError, match=r"'output_activation'.*'identity', 'sigmoid' or 'tanh'"):
        Regression("relu")
    with pytest.raises(ValueError, match=r"sigmoid output.*\[0.0, 1.0\].*\[0.5, 2\].*Rescale"):
        Regression("sigmoid").fit([0.5, 2.0])
    with pytest.raises(ValueError, match=r"tanh output.*\[-1.0, 1.0\]"):
        Regression("tanh").fit([-3.0, 0.5])
    with pytest.raises(ValueError, match="regression targets must be numbers"):
        Regression().fit(["a", "b"])


def test_multi_output_regression():
    Y = np.random.default_rng(1).standard_normal((20, 3))
    task = infer_task(Y)
    assert isinstance(task, MultiOutputRegression)
    assert (task.n_outputs, task.output_activation, task.loss) == (3, "identity", "mse")
    np.testing.assert_array_equal(task.encode(Y), Y)
    assert task.decode(Y).shape == (20, 3)
    model = task.build_model(4, hidden=(5,), rng=0)
    assert model.sizes == [4, 5, 3] and output_layers(model) == (3, None)
    with pytest.raises(ValueError, match=r"needs y of shape \(N, K\)"):
        MultiOutputRegression().fit(Y[:, 0])


def test_multilabel():
    Y = np.array([[1, 0, 1], [0, 1, 1], [0, 0, 0], [1, 1, 0]])
    task = infer_task(Y)
    assert isinstance(task, MultiLabelClassification) and task.n_outputs == 3
    assert task.decode(np.array([[0.9, 0.2, 0.6]])).tolist() == [[1, 0, 1]]
    assert task.score(Y, np.array([[1, 0, 1], [0, 1, 0], [0, 0, 0], [1, 1, 0]])) == 0.75


# ----------------------------------------------------------------------- scores
def test_classification_score_is_accuracy():
    task = infer_task([0, 1, 2, 1])
    assert task.score([0, 1, 2, 1], [0, 2, 2, 1]) == 0.75


def test_regression_score_is_r2_averaged_over_outputs():
    rng = np.random.default_rng(2)
    Y = rng.standard_normal((50, 2))
    P = Y + rng.standard_normal((50, 2)) * [0.3, 0.9]
    task = infer_task(Y)
    r2 = [
        1 - ((Y[:, k] - P[:, k]) ** 2).sum() / ((Y[:, k] - Y[:, k].mean()) ** 2).sum()
        for k in range(2)
    ]
    assert task.score(Y, P) == pytest.approx(np.mean(r2), rel=1e-12)
    assert task.score(Y, Y) == 1.0
    single = infer_task(Y[:, 0])
    assert single.score(Y[:, 0], P[:, 0]) == pytest.approx(r2[0], rel=1e-12)
    assert single.score(Y[:, 0], np.full(50, Y[:, 0].mean())) == pytest.approx(0.0, abs=1e-12)


# ------------------------------------------------------------ config round trip
@pytest.mark.parametrize(
    "y",
    [
        np.array(["b", "a", "c", "a"]),
        np.array([3, 7, 7, 3]),
        np.array([True, False, True]),
        np.eye(3)[[0, 2, 1]],
        np.array([0.5, 1.5, -2.25]),
        np.random.default_rng(0).standard_normal((6, 4)),
        np.array([[1, 0], [1, 1], [0, 0]]),
    ],
)
def test_config_round_trip_through_json(y):
    task = infer_task(y)
    cfg = json.loads(json.dumps(task.config()))
    again = get_task(cfg)
    assert type(again) is type(task)
    assert again.n_outputs == task.n_outputs
    assert again.output_activation == task.output_activation and again.loss == task.loss
    outputs = np.random.default_rng(1).uniform(0, 1, (3, task.n_outputs))
    np.testing.assert_array_equal(again.decode(outputs), task.decode(outputs))
    if task.is_classifier and not isinstance(task, MultiLabelClassification):
        labels = task.decode(outputs)
        np.testing.assert_array_equal(again.encode(labels), task.encode(labels))


def test_regression_config_keeps_output_activation():
    task = Regression("tanh").fit([0.1, -0.4, 0.9])
    again = get_task(json.loads(json.dumps(task.config())))
    assert (
        again.output_activation == "tanh" and repr(again) == "Regression(output_activation='tanh')"
    )


def test_get_task_by_name():
    assert set(TASKS) >= {"binary", "multiclass", "regression", "multioutput_regression"}
    for name, cls in TASKS.items():
        assert isinstance(get_task(name), cls) and get_task(name).name == name
    assert get_task("regression", output_activation="sigmoid").output_activation == "sigmoid"
    t = BinaryClassification()
    assert get_task(t) is t
    with pytest.raises(ValueError, match=r"Unknown task 'nope'. Valid names: binary, multiclass"):
        get_task("nope")


# ------------------------------------------------------------------ inference
@pytest.mark.parametrize(
    ("y", "kind", "task_cls", "n_out"),
    [
        (["yes", "no", "yes"], "binary", BinaryClassification, 1),
        (np.array(["cat", "dog", "bird", "dog"]), "multiclass", MultiClassClassification, 3),
        (np.array(["a", "b"], dtype=object), "binary", BinaryClassification, 1),
        ([0, 1, 1, 0], "binary", BinaryClassification, 1),
        (np.array([-1, 1, 1]), "binary", BinaryClassification, 1),
        (np.array([3, 1, 2, 3], dtype=np.uint8), "multiclass", MultiClassClassification, 3),
        (np.array([True, False]), "binary", BinaryClassification, 1),
        (np.array([0.0, 1.0, 1.0]), "binary", BinaryClassification, 1),
        (np.array([0.0, 1.0, 2.0, 1.0]), "multiclass", MultiClassClassification, 3),
        (np.array([0.5, 1.7, -2.0]), "continuous", Regression, 1),
        (np.arange(MAX_FLOAT_CLASSES + 1, dtype=float), "continuous", Regression, 1),
        (np.array([[0.5], [1.5], [2.25]]), "continuous", Regression, 1),
        (np.array([[1], [0], [1]]), "binary", BinaryClassification, 1),
        ([[1.5, 2.5], [3.5, 4.5]], "continuous-multioutput", MultiOutputRegression, 2),
        (np.array([[1, 2], [3, 4]]), "continuous-multioutput", MultiOutputRegression, 2),
        (np.eye(3)[[0, 1, 2, 2]], "multiclass-onehot", MultiClassClassification, 3),
        (np.array([[1, 1], [0, 1]]), "multilabel-indicator", MultiLabelClassification, 2),
    ],
)
def test_infer_task(y, kind, task_cls, n_out):
    assert type_of_target(y) == kind
    task = infer_task(y)
    assert type(task) is task_cls and task.n_outputs == n_out


def test_infer_task_on_pandas_like_input():
    class Column:  # anything with to_numpy(), as a pandas Series
        def to_numpy(self):
            return np.array(["x", "y", "x"])

    assert infer_task(Column()).classes_.tolist() == ["x", "y"]


def test_infer_task_on_bundled_targets():
    assert infer_task(gn.datasets.load_diabetes()[1]).name == "regression"  # whole-number floats
    assert infer_task(gn.datasets.load_iris()[1]).n_outputs == 3
    assert infer_task(gn.datasets.xnor_gate()[1]).name == "binary"


@pytest.mark.parametrize(
    ("y", "error", "match"),
    [
        ([1, 1, 1], ValueError, r"single class \(1\).*at least two"),
        (["a"], ValueError, r"single class"),
        ([1.0, np.nan, 2.0], ValueError, r"NaN or inf"),
        ([0.5, np.inf], ValueError, r"NaN or inf"),
        (["a", None, "b"], ValueError, r"missing values"),
        ([], ValueError, r"at least one target. Got shape \(0,\)"),
        (3.0, ValueError, r"at least one target. Got shape \(\)"),
        (np.zeros((2, 2, 2)), ValueError, r"1-D or 2-D. Got shape \(2, 2, 2\)"),
        (np.array([1 + 2j, 3]), ValueError, r"complex"),
        (np.array([[1 + 2j, 3], [1, 2]]), ValueError, r"complex"),
        (np.array([["a", "b"], ["c", "d"]]), ValueError, r"2-D y must be numeric"),
        (np.array(["a", 1], dtype=object), TypeError, r"mixes label types.*astype\(str\)"),
    ],
)
def test_infer_task_errors(y, error, match):
    with pytest.raises(error, match=match):
        infer_task(y)


def test_encode_rejects_unseen_labels():
    task = infer_task(["a", "b", "c"])
    with pytest.raises(ValueError, match=r"labels not seen in training: \['z'\].*Known classes"):
        task.encode(["a", "z"])
    binary = infer_task([0, 1])
    with pytest.raises(ValueError, match=r"not seen in training: \['2'\]"):
        binary.encode([2])
    with pytest.raises(ValueError, match="exactly 2 classes. Got 3"):
        BinaryClassification().fit([0, 1, 2])


def test_task_base_is_abstract():
    t = Task()
    with pytest.raises(NotImplementedError):
        t.fit([0, 1])
    with pytest.raises(NotImplementedError):
        _ = t.n_outputs


# -------------------------------------------------------- tasks compose with fit
@pytest.mark.parametrize(
    ("make_y", "expected"),
    [
        (lambda X: np.where(X[:, 0] > 0, "pos", "neg"), "binary"),
        (lambda X: np.array(["r", "g", "b"])[np.argmax(X[:, :3], axis=1)], "multiclass"),
        (lambda X: np.tanh(X[:, 0] - X[:, 1]) * 1.5 + 0.25, "regression"),
        (
            lambda X: np.stack([X[:, 0] + 0.5, X[:, 1] * X[:, 2] + 0.5], axis=1),
            "multioutput_regression",
        ),
    ],
)
def test_each_task_trains_with_fit(make_y, expected):
    X = np.random.default_rng(0).standard_normal((120, 4))
    y = make_y(X)
    task = infer_task(y)
    assert task.name == expected
    model = task.build_model(4, hidden=(16,), activation="tanh", rng=0)
    h = gn.fit(
        model,
        X,
        task.encode(y),
        loss=task.loss,
        optimizer="adam",
        lr=0.02,
        epochs=60,
        batch_size=32,
        seed=0,
        verbose=0,
    )
    assert h.engine == "fused" and h.loss[-1] < 0.5 * h.loss[0]
    pred = task.decode(model.predict(X.astype(np.float32)))
    assert pred.shape == np.shape(y)
    assert task.score(y, pred) > 0.8


def test_r2_is_one_definition_shared_by_tasks_training_and_cli():
    from glassnet.cli import regression_metrics
    from glassnet.metrics import r2_per_output, r2_score

    rng = np.random.default_rng(0)
    y = rng.standard_normal((50, 3))
    pred = y + 0.3 * rng.standard_normal((50, 3))
    y[:, 2] = 1.0  # a constant target: R^2 undefined
    per = r2_per_output(y, pred)
    ref = 1 - ((y - pred)[:, :2] ** 2).sum(0) / ((y[:, :2] - y[:, :2].mean(0)) ** 2).sum(0)
    np.testing.assert_allclose(per[:2], ref[:2])
    assert np.isnan(per[2])
    assert r2_score(y, pred) == pytest.approx((ref[0] + ref[1]) / 3)
    assert get_task("multioutput_regression").score(y, pred) == pytest.approx(r2_score(y, pred))
    assert regression_metrics(y, pred)["r2"][2] is None


# ------------------------------------------------- class order chosen by the user
def test_classes_in_the_users_order_the_lectures_one_hot():
    """The slide: Cat=[1,0,0], Dog=[0,1,0], Bird=[0,0,1], not the sorted Bird, Cat, Dog."""
    y = ["Dog", "Cat", "Bird", "Dog"]
    task = infer_task(y, classes=["Cat", "Dog", "Bird"])
    assert isinstance(task, MultiClassClassification)
    assert task.classes_.tolist() == ["Cat", "Dog", "Bird"]
    assert task.encode(["Cat", "Dog", "Bird"]).tolist() == np.eye(3).tolist()
    assert task.decode(np.array([[0.1, 0.2, 0.7], [0.8, 0.1, 0.1]])).tolist() == ["Bird", "Cat"]
    assert infer_task(y).classes_.tolist() == ["Bird", "Cat", "Dog"]  # sorted by default
    # a class the data lacks still has its output; the order survives the config (JSON)
    t4 = get_task("multiclass", classes=["Cat", "Dog", "Bird", "Fish"]).fit(y)
    assert t4.n_outputs == 4 and t4.encode(["Fish"]).tolist() == [[0, 0, 0, 1]]
    back = get_task(json.loads(json.dumps(t4.config())))
    assert back.classes_.tolist() == ["Cat", "Dog", "Bird", "Fish"]
    assert np.array_equal(back.encode(y), t4.encode(y))
    with pytest.raises(ValueError, match="not seen in training: \\['Cow'\\]"):
        back.encode(["Cow"])
    # binary: the second class given is the positive one (y_hat > 0.5)
    b = infer_task(["yes", "no", "yes"], classes=["yes", "no"])
    assert isinstance(b, BinaryClassification) and b.n_outputs == 1
    assert b.encode(["yes", "no"]).ravel().tolist() == [0.0, 1.0]
    assert b.decode(np.array([[0.9], [0.1]])).tolist() == ["no", "yes"]
    # one-hot rows: the columns are named by the classes
    oh = infer_task(np.eye(3)[[2, 0, 1]], classes=["Cat", "Dog", "Bird"])
    assert oh.decode(np.eye(3)[[2, 0, 1]]).tolist() == ["Bird", "Cat", "Dog"]


def test_classes_train_with_fit_in_the_given_order():
    X = np.random.default_rng(0).standard_normal((90, 2))
    y = np.array(["Cat", "Dog", "Bird"])[np.argmax(np.c_[X, -X.sum(1)], axis=1)]
    task = infer_task(y, classes=["Cat", "Dog", "Bird"])
    Y = task.encode(y)
    assert (Y[y == "Cat"] == [1, 0, 0]).all() and (Y[y == "Bird"] == [0, 0, 1]).all()
    model = task.build_model(2, hidden=(8,), activation="tanh", rng=0)
    gn.fit(model, X, Y, loss=task.loss, optimizer="adam", lr=0.05, epochs=80, verbose=0)
    pred = task.decode(model.predict(X.astype(np.float32)))
    assert task.score(y, pred) > 0.9


@pytest.mark.parametrize(
    "y, classes, match",
    [
        (["Cat", "Cow"], ["Cat", "Dog"], "missing from 'classes': \\['Cow'\\]"),
        ([0.5, 1.5, 2.25], ["a", "b"], "looks like continuous targets"),
        (["a", "b"], ["a"], "'classes' parameter of MultiClassClassification"),
        (["a", "b"], ["a", "a", "b"], "distinct labels, each once"),
        (np.eye(3), ["a", "b"], "one-hot rows of 3 columns, but 'classes' lists 2"),
    ],
)
def test_classes_errors(y, classes, match):
    with pytest.raises(ValueError, match=match):
        infer_task(y, classes=classes)
    with pytest.raises(ValueError, match="multi-label targets take no 'classes'"):
        get_task("multilabel", classes=["a", "b"]).fit(np.array([[1, 0], [1, 1]]))


def test_cross_entropy_takes_class_labels_as_a_column():
    """A column of labels (N, 1), as pandas or y.reshape(-1, 1) give it, is the labels (N,)."""
    from glassnet import functional as F
    from glassnet.tasks import prepare_targets

    labels = np.array([0, 2, 1, 2])
    ce = F.get_loss("cross_entropy")
    col = prepare_targets(ce, labels.reshape(-1, 1), np.float32, 3)
    np.testing.assert_array_equal(col, labels)
    X = np.random.default_rng(0).standard_normal((4, 2))
    model = nn.MLP([2, 3, 3], output_activation="softmax", rng=0)
    h = gn.fit(model, X, labels.reshape(-1, 1), loss="cross_entropy", epochs=1, verbose=0)
    assert np.isfinite(h.loss[-1])


@pytest.mark.parametrize(
    ("y", "frac", "n_val", "per_class_max"),
    [
        (np.repeat(np.arange(10), 6), 0.1, 6, 1),  # not round(0.6) = 1 from each of 10
        (np.arange(4), 0.6, 2, 1),  # singletons: not all four held out
        (np.eye(2)[np.array([0] * 90 + [1] * 10)], 0.2, 20, 18),  # one-hot rows
        (np.array([0.0] * 90 + [1.0] * 10).reshape(-1, 1), 0.2, 20, 18),  # binary 0/1
    ],
)
def test_stratified_split_holds_out_the_requested_fraction(y, frac, n_val, per_class_max):
    """round(frac * N) samples are held out, about frac of each class, never all of the data."""
    from glassnet import functional as F
    from glassnet.tasks import split_validation

    loss = F.get_loss("binary_cross_entropy" if y.ndim == 2 and y.shape[1] == 1 else "ce")
    X = np.arange(len(y))[:, None] * 1.0
    for seed in range(5):
        Xt, yt, _, Xv, yv, _ = split_validation(X, y, None, frac, loss, np.random.default_rng(seed))
        assert len(Xv) == n_val and len(Xt) == len(y) - n_val
        assert sorted(np.r_[Xt[:, 0], Xv[:, 0]]) == list(X[:, 0])
        labels = yv.argmax(axis=1) if yv.ndim == 2 and yv.shape[1] > 1 else yv.reshape(-1)
        assert np.unique(labels, return_counts=True)[1].max() == per_class_max


def test_multiclass_score_on_one_hot_rows():
    """A task fitted on one-hot rows scores one-hot rows against decoded predictions."""
    Y = np.eye(3)[[0, 1, 2, 1]]
    task = infer_task(Y)
    pred = task.decode(np.eye(3)[[0, 1, 2, 2]])
    assert task.score(Y, pred) == task.score(Y, np.eye(3)[[0, 1, 2, 2]]) == 0.75
    assert infer_task(np.eye(2)[[0, 1, 1]]).score(np.eye(2)[[0, 1, 1]], [0, 1, 0]) == 2 / 3


def test_get_task_from_a_config_without_its_name():
    with pytest.raises(ValueError, match="needs its 'name'"):
        get_task({"classes": [0, 1]})


def test_a_negative_sample_weight_is_named_with_its_value():
    """The message says what is wrong with the weights (a negative one), not only their shape."""
    from glassnet import functional as F
    from glassnet.tasks import check_data

    model = nn.MLP([2, 3, 1], rng=0)
    X, y, w = np.ones((4, 2)), np.ones(4), np.array([1.0, 2.0, -0.5, 1.0])
    with pytest.raises(ValueError, match=r"non-negative values.*Got 4 values, the smallest -0\.5"):
        check_data(model, F.get_loss("mse"), X, y, w, "fit")
    with pytest.raises(ValueError, match=r"must hold 4 non-negative values.*Got 3 values"):
        check_data(model, F.get_loss("mse"), X, y, w[:3], "fit")


def test_build_model_takes_one_int_as_one_hidden_layer():
    """hidden=10 is one hidden layer of 10 (scikit-learn's hidden_layer_sizes=10), not a
    'Value after * must be an iterable' TypeError."""
    task = infer_task(["a", "b", "c", "a"])
    assert task.build_model(2, hidden=10, rng=0).sizes == [2, 10, 3]
    assert task.build_model(2, hidden=np.array([4, 5]), rng=0).sizes == [2, 4, 5, 3]
    with pytest.raises(ValueError, match="'sizes' parameter of MLP.*Got None"):
        task.build_model(2, hidden=None)


@pytest.mark.parametrize("loss", [None, 3, "hinge"])
def test_a_loss_that_is_neither_a_name_nor_a_callable_is_named_with_its_caller(loss):
    X, y = np.zeros((6, 2)), np.zeros(6)
    with pytest.raises(ValueError, match=r"The 'loss' parameter of fit must be a callable"):
        gn.fit(nn.MLP([2, 1], rng=0), X, y, loss=loss, epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"The 'loss' parameter of fit_many must be"):
        gn.fit_many([nn.MLP([2, 1], rng=0)], X, y, loss=loss, epochs=1)


def _stacked_outputs(loss, outputs):
    """A stack of 4 networks' outputs (4, 9, outputs) for ``loss``, and targets."""
    rng = np.random.default_rng(0)
    spec = gn.functional.get_loss(loss)
    out = rng.standard_normal((4, 9, outputs))
    if loss == "binary_cross_entropy":
        out = 1 / (1 + np.exp(-out))
    y = rng.integers(0, outputs, (4, 9)) if loss == "cross_entropy" else rng.random((4, 9, outputs))
    return rng, spec, out, y


@pytest.mark.parametrize(
    ("loss", "outputs"),
    [
        ("cross_entropy", 3),
        ("binary_cross_entropy", 1),
        ("binary_cross_entropy_with_logits", 2),
        ("mse", 2),
    ],
)
def test_the_metric_of_a_stack_of_networks_is_each_networks_own(loss, outputs):
    rng, spec, out, y = _stacked_outputs(loss, outputs)
    name, stacked = tasks.metric(spec, out, y)
    assert stacked.shape == (4,)
    assert list(stacked) == [tasks.metric(spec, o, t)[1] for o, t in zip(out, y)]
    assert name == ("r2" if loss == "mse" else "accuracy")


def test_a_validation_split_keeps_the_held_out_rows_weights():
    """Was: (X, y, w, X_val, y_val), the held-out rows' weights dropped."""
    from glassnet.tasks import split_validation

    X = np.arange(20.0)[:, None]
    w = 100.0 + np.arange(20.0)  # each row's weight names it
    for loss in ("mse", "ce"):
        y = np.arange(20) % 2
        Xt, _, wt, Xv, _, wv = split_validation(
            X, y, w, 0.25, gn.functional.get_loss(loss), np.random.default_rng(0)
        )
        np.testing.assert_array_equal(wt, 100.0 + Xt[:, 0])
        np.testing.assert_array_equal(wv, 100.0 + Xv[:, 0])
    assert split_validation(X, y, None, 0.25, None, np.random.default_rng(0))[5] is None


@pytest.mark.parametrize(
    ("loss", "outputs"),
    [
        ("cross_entropy", 3),
        ("binary_cross_entropy", 1),
        ("binary_cross_entropy_with_logits", 1),
        ("mse", 1),
        ("mse", 2),
    ],
)
def test_the_weighted_metric_is_scikit_learns(loss, outputs):
    """Weighted accuracy is accuracy_score(sample_weight=), weighted R^2 r2_score's."""
    metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(0)
    spec = gn.functional.get_loss(loss)
    out = rng.standard_normal((30, outputs))
    w = rng.uniform(0, 3, 30)
    if loss == "cross_entropy":
        y = rng.integers(0, outputs, 30)
        want = metrics.accuracy_score(y, out.argmax(axis=1), sample_weight=w)
        onehot = tasks.metric(spec, out, np.eye(outputs)[y], w)[1]
        assert onehot == want  # (one-hot rows: the class of each)
    elif loss.startswith("binary"):
        y = rng.integers(0, 2, (30, 1)).astype(float)
        if loss == "binary_cross_entropy":
            out = 1 / (1 + np.exp(-out))
        thr = 0.5 if loss == "binary_cross_entropy" else 0.0
        want = metrics.accuracy_score(y[:, 0], out[:, 0] > thr, sample_weight=w)
    else:
        y = out + rng.standard_normal((30, outputs))
        want = metrics.r2_score(y, out, sample_weight=w)
    got = tasks.metric(spec, out, y, w)[1]
    assert got == pytest.approx(want, rel=1e-12)
    assert got != pytest.approx(tasks.metric(spec, out, y)[1], rel=1e-6)  # (weights count)
    assert tasks.metric(spec, out, y, np.ones(30))[1] == pytest.approx(
        tasks.metric(spec, out, y)[1]
    )


def test_the_weighted_r2_of_a_constant_column_and_of_multi_label_accuracy():
    """A constant target column counts 1 when predicted exactly, else 0 (scikit-learn's
    force_finite); multi-label accuracy gives each label of a row the row's weight."""
    metrics = pytest.importorskip("sklearn.metrics")
    y = np.array([[1.0, 2.0], [1.0, 3.0], [1.0, 5.0]])
    out = np.array([[1.0, 2.5], [1.0, 2.5], [1.0, 4.0]])
    w = np.array([1.0, 0.5, 2.0])
    for pred in (out, out + [[0.1, 0.0]] * 3):
        got = tasks.metric(gn.functional.get_loss("mse"), pred, y, w)[1]
        assert got == pytest.approx(metrics.r2_score(y, pred, sample_weight=w), rel=1e-12)
    labels = np.array([[1, 0], [1, 1], [0, 0]], float)
    prob = np.array([[0.9, 0.8], [0.7, 0.6], [0.2, 0.1]])  # wrong: row 0's second label
    got = tasks.metric(gn.functional.get_loss("binary_cross_entropy"), prob, labels, w)[1]
    assert got == pytest.approx((1.0 * 1 + 0.5 * 2 + 2.0 * 2) / (2 * w.sum()))


@pytest.mark.parametrize(
    ("loss", "outputs"),
    [("cross_entropy", 3), ("binary_cross_entropy", 2), ("mse", 2)],
)
def test_the_weighted_metric_of_a_stack_is_each_networks_own(loss, outputs):
    """Shared weights (n,) or each network's own (K, n): bit for bit its own metric."""
    rng, spec, out, y = _stacked_outputs(loss, outputs)
    w_all, w_own = rng.uniform(0, 2, 9), rng.uniform(0, 2, (4, 9))
    shared = tasks.metric(spec, out, y, w_all)[1]
    assert list(shared) == [tasks.metric(spec, o, t, w_all)[1] for o, t in zip(out, y)]
    own = tasks.metric(spec, out, y, w_own)[1]
    assert list(own) == [tasks.metric(spec, o, t, v)[1] for o, t, v in zip(out, y, w_own)]
