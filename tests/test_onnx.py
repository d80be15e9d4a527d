"""Tests for glassnet.onnx: every export is run in onnxruntime and compared with glassnet.

Tolerance: |onnxruntime - glassnet| <= rtol * (|y| + max |y|), max over the batch, with
rtol = 1e-5 for float32 graphs (the issue's figure) and 1e-12 for float64 ones.
onnxruntime's GEMM sums a layer's products in its own order, so each output differs
by a few roundings of its *terms*, not of its value: an output near 0 that is a sum of
large terms of both signs keeps an absolute error of the terms' size (measured over
600 random float32 networks: at most 1.7e-6 * (|y| + max |y|); elementwise relative
errors reach 7e-4 on such outputs). Class labels must be equal.
"""

from __future__ import annotations

import csv
import math
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from onnx import TensorProto, helper, numpy_helper  # noqa: E402

import glassnet as gn  # noqa: E402
from glassnet import nn  # noqa: E402
from glassnet.cli import main  # noqa: E402
from glassnet.datasets import read_csv  # noqa: E402
from glassnet.io import load_arrays, load_model  # noqa: E402
from glassnet.onnx import (  # noqa: E402
    DEFAULT_OPSET,
    OnnxError,
    export,
    feeds,
    load,
    register_skl2onnx,
)
from glassnet.preprocessing import LabelEncoder, Preprocessor, StandardScaler  # noqa: E402

RTOL = {np.float32: 1e-5, np.float64: 1e-12}


def session(model) -> ort.InferenceSession:
    data = model.SerializeToString() if hasattr(model, "SerializeToString") else str(model)
    return ort.InferenceSession(data, providers=["CPUExecutionProvider"])


def run(model, X, name: str = "X") -> list[np.ndarray]:
    return session(model).run(None, {name: X})


def close(a, b, dtype) -> None:
    """``a`` equals ``b`` to the module's tolerance for ``dtype``."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    assert a.shape == b.shape
    rtol = RTOL[np.dtype(dtype).type]
    np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * max(np.abs(b).max(), 1e-300))


# ================================================================ networks


ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu", "identity"]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("act", ACTIVATIONS)
@pytest.mark.parametrize("head", ["identity", "sigmoid", "softmax", "tanh"])
def test_mlp_every_activation_and_head_matches_onnxruntime(act, head, dtype):
    net = nn.MLP(
        [5, 16, 8, 3], activation=act, output_activation=head, rng=1, dtype=dtype, leaky_alpha=0.2
    )
    X = np.random.default_rng(2).normal(scale=2.0, size=(33, 5)).astype(dtype)
    (Y,) = run(export(net), X)
    assert Y.dtype == dtype and Y.shape == (33, 3)
    close(Y, net.predict(X), dtype)


def test_sequential_neuron_and_layers_without_bias():
    seq = nn.Sequential(
        nn.Sequential(nn.Linear(3, 4, rng=0), nn.LeakyReLU(0.3)),
        nn.Dropout(0.5, rng=0),  # evaluation: the identity
        nn.Linear(4, 2, bias=False, rng=1),
        nn.Identity(),
    )
    X = np.random.default_rng(0).normal(size=(10, 3)).astype(np.float32)
    proto = export(seq)
    assert [n.op_type for n in proto.graph.node] == ["Gemm", "LeakyRelu", "MatMul"]
    close(run(proto, X)[0], seq.predict(X), np.float32)
    neuron = nn.Neuron(2, "sigmoid", rng=0)
    neuron.set_weights([1.0, 1.0], -1.5)  # the slide's AND neuron
    gates = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.float32)
    assert (run(export(neuron), gates)[0].ravel() > 0.5).tolist() == [False, False, False, True]


def test_dynamic_batch_names_doc_strings_and_metadata(tmp_path):
    net = nn.MLP([4, 6, 2], activation="relu", output_activation="softmax", rng=0)
    path = tmp_path / "net.onnx"
    proto = export(net, path, doc="iris petals")
    assert onnx.load(path) == proto  # what was written is what was returned
    (inp,), (out,) = proto.graph.input, proto.graph.output
    assert (inp.name, out.name) == ("X", "Y")
    dims = inp.type.tensor_type.shape.dim
    assert dims[0].dim_param == "N" and dims[1].dim_value == 4
    assert out.type.tensor_type.shape.dim[0].dim_param == "N"
    assert proto.doc_string.startswith("iris petals") and "4-6-2 network" in proto.doc_string
    assert inp.doc_string and out.doc_string and all(n.doc_string for n in proto.graph.node)
    assert proto.producer_name == "glassnet"
    assert [(o.domain, o.version) for o in proto.opset_import] == [("", DEFAULT_OPSET)]
    props = {p.key: p.value for p in proto.metadata_props}
    assert '"type": "MLP"' in props["glassnet.config"]
    sess = session(path)
    for n in (1, 7, 100):  # one graph, any batch size
        X = np.random.default_rng(n).normal(size=(n, 4)).astype(np.float32)
        close(sess.run(None, {"X": X})[0], net.predict(X), np.float32)


@pytest.mark.parametrize("opset", [17, 18, 21])
def test_other_opsets(opset):
    net = nn.MLP([3, 5, 2], activation="tanh", output_activation="softmax", rng=0)
    proto = export(net, opset=opset)
    assert proto.opset_import[0].version == opset
    X = np.ones((2, 3), np.float32)
    close(run(proto, X)[0], net.predict(X), np.float32)


def test_export_refuses_what_it_cannot_write(tmp_path):
    class Square(nn.Module):
        def forward(self, x):
            return x * x

    with pytest.raises(TypeError, match="holds a Square, a module of your own"):
        export(nn.Sequential(nn.Linear(2, 2), Square()))
    broken = nn.MLP([2, 3, 1], rng=0)
    broken.layers[2].b.data[0] = np.nan
    with pytest.raises(OnnxError, match="b of layer 2 holds NaN or inf"):
        export(broken)
    with pytest.raises(TypeError, match="'model' must be a glassnet network"):
        export(np.eye(2))
    with pytest.raises(ValueError, match="'opset'"):
        export(nn.Linear(2, 2), opset=16)
    with pytest.raises(ValueError, match="'opset'"):
        export(nn.Linear(2, 2), opset=10_000)
    with pytest.raises(ValueError, match="impute_from"):
        export(nn.Linear(2, 2), impute_from="train.csv")
    with pytest.raises(FileNotFoundError, match="no such model file"):
        export(tmp_path / "missing.glassnet")
    with pytest.raises(gn.files.WriteError, match="does not exist"):
        export(nn.Linear(2, 2), tmp_path / "no" / "such" / "dir.onnx")
    assert not (tmp_path / "no").exists()


# ================================================================ the estimators

sk = pytest.importorskip("sklearn")
from glassnet.sklearn import MLPClassifier, MLPRegressor  # noqa: E402


def _fit_quietly(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning: a few epochs are enough here
        return est.fit(X, y)


def check_classifier(clf, X):
    dtype = clf.coefs_[0].dtype
    label, proba = run(export(clf), X.astype(dtype))
    np.testing.assert_array_equal(label, clf.predict(X))
    close(proba, clf.predict_proba(X), dtype)
    return label


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_classifiers_binary_multiclass_multilabel(dtype):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 6))
    targets = {
        "binary": np.where(X[:, 0] + X[:, 1] > 0, "spam", "ham"),
        "multiclass": rng.integers(0, 4, 80) * 10,
        "multilabel": (X[:, :3] > 0).astype(int),
    }
    for kind, y in targets.items():
        clf = _fit_quietly(
            MLPClassifier(
                hidden_layer_sizes=(12, 6),
                activation="tanh",
                max_iter=40,
                random_state=0,
                dtype=dtype,
            ),
            X,
            y,
        )
        label = check_classifier(clf, X)
        assert label.dtype == (object if kind == "binary" else np.int64)
        assert label.shape == ((80, 3) if kind == "multilabel" else (80,))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_regressors_single_multi_poisson_and_bounded_outputs(dtype):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(70, 4))
    cases = [
        ({}, X @ [1.0, -2.0, 0.5, 0.0]),
        ({"activation": "leaky_relu"}, np.c_[X[:, 0], X[:, 1] * X[:, 2]]),
        ({"loss": "poisson"}, rng.poisson(np.exp(0.3 * X[:, 0]))),
        ({"output_activation": "tanh"}, np.tanh(X[:, 0])),
    ]
    for kwargs, y in cases:
        reg = _fit_quietly(
            MLPRegressor(
                hidden_layer_sizes=(10,), max_iter=40, random_state=0, dtype=dtype, **kwargs
            ),
            X,
            y,
        )
        dt = reg.coefs_[0].dtype
        proto = export(reg)
        assert [o.name for o in proto.graph.output] == ["variable"]
        (out,) = run(proto, X.astype(dt))
        close(out, reg.predict(X).reshape(len(X), -1), dt)


@pytest.mark.parametrize("name", ["iris", "breast_cancer", "digits", "diabetes"])
def test_bundled_data_sets(name):
    loader = getattr(gn.datasets, f"load_{name}")
    X, y = loader()
    X = StandardScaler().fit_transform(X)
    if name == "diabetes":
        est = _fit_quietly(
            MLPRegressor(hidden_layer_sizes=(32,), max_iter=30, random_state=0), X, y / 100
        )
        (out,) = run(export(est), X.astype(est.coefs_[0].dtype))
        close(out.ravel(), est.predict(X), est.coefs_[0].dtype)
    else:
        check_classifier(
            _fit_quietly(
                MLPClassifier(hidden_layer_sizes=(32,), max_iter=30, random_state=0), X, y
            ),
            X,
        )


def test_boolean_class_labels_export_as_int64():
    # the labels are int64 (docs/onnx.md): False -> 0, True -> 1; verify must accept them
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    clf = _fit_quietly(
        MLPClassifier(hidden_layer_sizes=(4,), max_iter=5, random_state=0), X, X[:, 0] > 0
    )
    label, proba = run(export(clf), X.astype(clf.coefs_[0].dtype))
    assert label.dtype == np.int64
    np.testing.assert_array_equal(label, clf.predict(X).astype(np.int64))
    close(proba, clf.predict_proba(X), clf.coefs_[0].dtype)


def test_unfitted_estimator_is_refused():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError, match="not fitted"):
        export(MLPClassifier())


def test_skl2onnx_converts_pipelines_ending_in_glassnet_estimators():
    skl2onnx = pytest.importorskip("skl2onnx")
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler as SkScaler

    register_skl2onnx()
    register_skl2onnx()  # twice is fine
    rng = np.random.default_rng(3)
    X = rng.normal(size=(60, 5))
    y = np.array(["a", "b", "c"])[rng.integers(0, 3, 60)]
    pipe = _fit_quietly(
        make_pipeline(
            SkScaler(), MLPClassifier(hidden_layer_sizes=(8,), max_iter=30, random_state=0)
        ),
        X,
        y,
    )
    X32 = X.astype(np.float32)
    onx = skl2onnx.to_onnx(pipe, X32[:1], options={id(pipe[-1]): {"zipmap": False}})
    label, proba = run(onx, X32)
    np.testing.assert_array_equal(label, pipe.predict(X32))
    close(proba, pipe.predict_proba(X32), np.float32)
    # the default ZipMap output: one {label: probability} per row, as for sklearn's own MLP
    maps = run(skl2onnx.to_onnx(pipe, X32[:1]), X32)[1]
    assert set(maps[0]) == {"a", "b", "c"}
    assert math.isclose(maps[0]["b"], pipe.predict_proba(X32[:1])[0, 1], rel_tol=1e-5)
    # integer labels, and a multi-output regressor in float64
    pipe = _fit_quietly(
        make_pipeline(
            SkScaler(), MLPClassifier(hidden_layer_sizes=(8,), max_iter=30, random_state=0)
        ),
        X,
        (X[:, 0] > 0).astype(int),
    )
    label, _ = run(skl2onnx.to_onnx(pipe, X32[:1], options={"zipmap": False}), X32)
    assert label.dtype == np.int64
    np.testing.assert_array_equal(label, pipe.predict(X32))
    _fit_quietly(pipe, X, np.where(X[:, 0] > 0, "up", "down"))  # nocl: indices, not names
    onx = skl2onnx.to_onnx(pipe, X32[:1], options={id(pipe[-1]): {"zipmap": False, "nocl": True}})
    label, _ = run(onx, X32)
    np.testing.assert_array_equal(pipe[-1].classes_[label], pipe.predict(X32))
    pipe = _fit_quietly(
        make_pipeline(
            SkScaler(),
            MLPRegressor(hidden_layer_sizes=(8,), max_iter=30, random_state=0, dtype="float64"),
        ),
        X,
        X[:, :2] * 3,
    )
    (out,) = run(skl2onnx.to_onnx(pipe, X[:1]), X)
    close(out, pipe.predict(X), np.float64)


# ================================================================ glassnet train models


def write_mixed_csv(path: Path, n: int = 150, seed: int = 0) -> Path:
    """Numbers, a text column and a few missing cells of each kind."""
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=n), rng.normal(size=n) * 3 + 1
    color = rng.choice(["red", "green", "blue"], n)
    yes = np.where(a + (color == "red") > 0.3, "yes", "no")
    level = np.array(["lo", "mid", "hi"])[(a > 0).astype(int) + (b > 1).astype(int)]
    value = 2 * a - b + (color == "blue")
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["a", "b", "color", "yes", "level", "value", "other"])
        for i in range(n):
            cell_a = ["", "NaN", "inf"][i % 3] if i % 13 == 4 else f"{a[i]:.5f}"
            cell_c = ["NA", "", "null"][i % 3] if i % 11 == 2 else color[i]
            w.writerow(
                [
                    cell_a,
                    f"{b[i]:.5f}",
                    cell_c,
                    yes[i],
                    level[i],
                    f"{value[i]:.5f}",
                    f"{value[i] * 0.5 + a[i]:.5f}",
                ]
            )
    return path


def glassnet_predictions(model: Path, data: Path, impute: str | None):
    """What glassnet itself predicts for the CSV's rows, through public functions only."""
    net = load_model(model, network_only=True)
    meta = load_arrays(model)[1]["meta"]
    targets = meta["target"]["names"]
    table = read_csv(data, target=targets[0] if len(targets) == 1 else None, impute=impute)
    pre = Preprocessor.from_dict(meta["preprocessing"]["preprocessor"])
    X = pre.transform(table, extra="ignore").astype(net.parameters()[0].dtype)
    out = net.predict(X)
    if meta["target"]["labels"]:
        task = gn.tasks.get_task(meta["task"]["name"])
        task.fit(np.arange(max(out.shape[1], 2)))
        labels = LabelEncoder.from_dict(meta["target"]["labels"])
        return labels.inverse_transform(task.decode(out).astype(np.int64)), task.proba(out)
    scaler = meta["target"]["scaler"]
    values = out.astype(np.float64)
    return StandardScaler.from_dict(scaler).inverse_transform(values) if scaler else values


def cli(*argv) -> int:
    return main([str(a) for a in argv])


FAST = ("--hidden", "8", "--epochs", "15", "--seed", "0")


@pytest.mark.parametrize(
    ("target", "impute", "extra"),
    [
        ("yes", "mean", ()),
        ("level", "median", ()),
        ("value,other", "mean", ()),
        ("value", "median", ("--no-standardize",)),
    ],
)
def test_train_model_raw_rows_in_predictions_out(tmp_path, capsys, target, impute, extra):
    data = write_mixed_csv(tmp_path / "mixed.csv")
    model, out = tmp_path / "m.glassnet", tmp_path / "m.onnx"
    args = ("train", data, "--target", target, "--impute", impute, "--out", model, *FAST, *extra)
    assert cli(*args) == 0
    # the file stores the training run's fill value of every column: export uses them, and
    # recomputing them from the training CSV gives the same graph
    assert cli("export", model, out) == 0
    stored = onnx.load(out)
    assert cli("export", model, out, "--impute-from", data) == 0
    proto = onnx.load(out)
    assert [(i.name, numpy_helper.to_array(i).tolist()) for i in stored.graph.initializer] == [
        (i.name, numpy_helper.to_array(i).tolist()) for i in proto.graph.initializer
    ]
    names = [i.name for i in proto.graph.input]
    assert names == [
        c
        for c in ["a", "b", "color", "yes", "level", "value", "other"]
        if c not in target.split(",")
    ]
    assert {o.domain for o in proto.opset_import} == {"", "ai.onnx.ml"}
    with pytest.warns(UserWarning, match="missing cell"):  # (said, as glassnet predict says it)
        rows = feeds(proto, read_csv(data, impute=impute))
    outputs = session(out).run(None, rows)  # raw cells
    expected = glassnet_predictions(model, data, impute)
    if target.startswith("value"):
        (values,) = outputs
        assert values.dtype == np.float64 and values.shape == (150, target.count(",") + 1)
        close(values, expected, np.float32)  # the network runs in float32
    else:
        (label, proba), (labels, probs) = outputs, expected
        assert label.dtype == object
        np.testing.assert_array_equal(label, labels)
        close(proba, probs, np.float32)


def test_train_model_unknown_category_missing_cells_and_no_impute(tmp_path, capsys):
    data = write_mixed_csv(tmp_path / "mixed.csv")
    model, out = tmp_path / "m.glassnet", tmp_path / "m.onnx"
    clean = tmp_path / "clean.csv"
    table = read_csv(data, impute="mean")  # a copy without missing cells
    with open(clean, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(table.names)
        w.writerows(
            zip(
                *[
                    table.strings(c)
                    if table.kinds[c] == "categorical"
                    else [repr(v) for v in table.numbers(c)]
                    for c in table.names
                ]
            )
        )
    assert cli("train", clean, "--target", "yes", "--out", model, *FAST) == 0
    assert cli("export", model, out, "--impute-from", clean) == 2  # trained without --impute
    assert "without --impute" in capsys.readouterr().err
    assert cli("export", model, out) == 0
    assert "wrote" in capsys.readouterr().out
    rows = feeds(session(out), read_csv(clean))
    label, proba = session(out).run(None, rows)
    expected, probs = glassnet_predictions(model, clean, None)
    np.testing.assert_array_equal(label, expected)
    close(proba, probs, np.float32)
    # a category never seen in training: all-zero one-hot (scikit-learn's 'ignore')
    one = {k: v[:1].copy() for k, v in rows.items()}
    one["color"][0, 0] = "purple"
    net = load_model(model, network_only=True)
    meta = load_arrays(model)[1]["meta"]
    pre = Preprocessor.from_dict(meta["preprocessing"]["preprocessor"])
    X = pre.transform(read_csv(clean), extra="ignore")[:1]
    names = pre.feature_names_out
    X[0, [i for i, n in enumerate(names) if n.startswith("color=")]] = 0.0
    p = net.predict(X.astype(np.float32)).ravel()[0]
    close(session(out).run(None, one)[1][0], [1 - p, p], np.float32)
    # the model file is never the output
    assert cli("export", model, model) == 2
    assert "is an input" in capsys.readouterr().err


def test_train_model_with_its_own_missing_texts_matches_glassnet(tmp_path, capsys):
    """--missing '' --missing '?': "NA" (a region) and "N/A" (a grade) are categories, "?" a
    missing cell in number and text columns; the graph, feeds and glassnet agree."""
    from glassnet.io import load_pipeline

    rng = np.random.default_rng(0)
    path = tmp_path / "regions.csv"
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["region", "grade", "x", "label"])
        for i in range(150):
            region, grade = ["NA", "EU", "AS"][i % 3], ["A", "N/A", "B", "n/a"][i % 4]
            x = rng.normal()
            label = "yes" if (region == "NA") != (x > 1.0) else "no"
            w.writerow(
                [
                    "?" if i % 11 == 5 else region,
                    "?" if i % 13 == 6 else grade,
                    "?" if i % 7 == 2 else f"{x:.4f}",
                    label,
                ]
            )
    model, out = tmp_path / "m.glassnet", tmp_path / "m.onnx"
    texts = ("--missing", "", "--missing", "?")
    assert cli("train", path, "--target", "label", "--impute", "mean", "--out", model, *FAST,
               *texts) == 0  # fmt: skip
    assert cli("export", model, out) == 0  # (verified in onnxruntime before it is written)
    stored = onnx.load(out)
    assert cli("export", model, out, "--impute-from", path) == 0  # read with the model's texts
    proto = onnx.load(out)
    assert [numpy_helper.to_array(i).tolist() for i in stored.graph.initializer] == [
        numpy_helper.to_array(i).tolist() for i in proto.graph.initializer
    ]
    table = read_csv(path, impute="mean", missing=("", "?"))  # (its raw cells are fed)
    with pytest.warns(UserWarning, match="missing cell"):
        rows = feeds(proto, table)  # the model's texts, read from the ONNX file
    assert np.isnan(rows["x"][2, 0]) and rows["grade"][6, 0] == "?"
    assert rows["region"][0, 0] == "NA" and rows["grade"][1, 0] == "N/A"
    for s in (proto, session(out)):
        with pytest.warns(UserWarning, match="missing cell"):
            np.testing.assert_array_equal(feeds(s, table)["x"], rows["x"])
    label, proba = session(out).run(None, rows)
    pipe = load_pipeline(model)  # glassnet's own reading of the same raw cells
    raw = {c: table.raw(c).tolist() for c in table.names}
    with pytest.warns(UserWarning, match="filled .* missing cell"):  # (its "?" cells, said)
        np.testing.assert_array_equal(label, pipe.predict(raw))
    with pytest.warns(UserWarning, match="filled .* missing cell"):
        close(proba, pipe.predict_proba(raw), np.float32)
    assert set(label) == {"no", "yes"}


def test_train_model_on_a_bundled_data_set(tmp_path, capsys):
    model, out = tmp_path / "iris.glassnet", tmp_path / "iris.onnx"
    assert cli("train", "--dataset", "iris", "--out", model, *FAST) == 0
    assert cli("export", model, out, "--opset", 17) == 0
    X, _ = gn.datasets.load_iris()
    meta = load_arrays(model)[1]["meta"]
    columns = meta["preprocessing"]["preprocessor"]["columns"]
    label, proba = session(out).run(None, feeds(session(out), dict(zip(columns, X.T))))
    net = load_model(model, network_only=True)
    pre = Preprocessor.from_dict(meta["preprocessing"]["preprocessor"])
    scaler = pre.scaler_
    probs = net.predict(scaler.transform(X).astype(np.float32))
    close(proba, probs, np.float32)
    classes = LabelEncoder.from_dict(meta["target"]["labels"]).classes_
    np.testing.assert_array_equal(label, classes[probs.argmax(axis=1)])


def test_feeds_refuses_missing_columns_and_text_in_number_columns():
    net_in = helper.make_tensor_value_info("a", TensorProto.DOUBLE, ["N", 1])
    graph = helper.make_graph(
        [helper.make_node("Identity", ["a"], ["y"])],
        "g",
        [net_in],
        [helper.make_tensor_value_info("y", TensorProto.DOUBLE, ["N", 1])],
    )
    proto = helper.make_model(graph)
    with pytest.raises(ValueError, match=r"lack the model's input column\(s\) \['a'\]"):
        feeds(proto, {"b": [1.0]})
    with pytest.raises(ValueError, match="holds the text 'x'"):
        feeds(proto, {"a": ["1", "x"]})
    assert np.isnan(feeds(proto, {"a": ["NA", " 2 "]})["a"][0, 0])


# ================================================================ import


def test_round_trip_export_import_export_is_identical():
    rng = np.random.default_rng(0)
    for net in [
        nn.MLP(
            [4, 7, 5, 3],
            activation=["relu", "leaky_relu"],
            output_activation="softmax",
            rng=0,
            leaky_alpha=0.1,
        ),
        nn.MLP([3, 6, 1], activation="tanh", output_activation="sigmoid", rng=1, dtype=np.float64),
        nn.Sequential(nn.Linear(3, 4, rng=0), nn.ReLU(), nn.Linear(4, 2, bias=False, rng=0)),
    ]:
        first = export(net)
        back = load(first.SerializeToString())
        assert type(back) is type(net)
        second = export(back)
        for a, b in zip(first.graph.initializer, second.graph.initializer, strict=True):
            assert a.name == b.name and a.raw_data == b.raw_data and a.dims == b.dims
        dt = net.parameters()[0].dtype
        X = rng.normal(size=(9, net.parameters()[0].shape[0])).astype(dt)
        np.testing.assert_array_equal(back.predict(X), net.predict(X))


def _graph(nodes, inits, n_in=3, n_out=2, opset=19, elem=TensorProto.FLOAT):
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", elem, ["N", n_in])],
        [helper.make_tensor_value_info("y", elem, ["N", n_out])],
        [numpy_helper.from_array(np.asarray(v), k) for k, v in inits.items()],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def test_matmul_add_gemm_attributes_constants_and_identity():
    rng = np.random.default_rng(1)
    W1, b1 = rng.normal(size=(3, 4)).astype(np.float32), rng.normal(size=(1, 4)).astype(np.float32)
    B2, c2 = rng.normal(size=(2, 4)).astype(np.float32), np.float32(0.5)
    nodes = [
        helper.make_node("MatMul", ["x", "W1"], ["m"]),
        helper.make_node("Add", ["m", "b1"], ["z1"]),
        helper.make_node("Identity", ["z1"], ["z1b"]),
        helper.make_node("LeakyRelu", ["z1b"], ["a1"], alpha=0.2),
        helper.make_node("Constant", [], ["B2"], value=numpy_helper.from_array(B2)),
        helper.make_node("Gemm", ["a1", "B2", "c2"], ["z2"], transB=1, alpha=2.0, beta=3.0),
        helper.make_node("Softmax", ["z2"], ["y"], axis=1),
    ]
    proto = _graph(nodes, {"W1": W1, "b1": b1, "c2": c2})
    net = load(proto)
    assert isinstance(net, nn.MLP) and net.activations == ["leaky_relu"]
    assert net.output_activation == "softmax" and net.leaky_alpha == pytest.approx(0.2)
    np.testing.assert_array_equal(net.layers[2].W.data, 2.0 * B2.T)
    X = rng.normal(size=(6, 3)).astype(np.float32)
    close(net.predict(X), run(proto, X, "x")[0], np.float32)


def test_a_pytorch_mlp_imports_and_then_explains_draws_and_trains(tmp_path):
    torch = pytest.importorskip("torch")  # the comparison needs torch==2.13.0 (optional)
    torch.manual_seed(0)
    tnet = torch.nn.Sequential(
        torch.nn.Linear(4, 16),
        torch.nn.Tanh(),
        torch.nn.Linear(16, 8),
        torch.nn.LeakyReLU(0.05),
        torch.nn.Linear(8, 3),
        torch.nn.Softmax(dim=-1),
    )
    X = np.random.default_rng(0).normal(size=(20, 4)).astype(np.float32)
    path = tmp_path / "torch.onnx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notice
        torch.onnx.export(
            tnet,
            (torch.from_numpy(X),),
            str(path),
            dynamo=False,
            input_names=["X"],
            output_names=["Y"],
            dynamic_axes={"X": {0: "N"}},
        )
    net = load(path)
    assert isinstance(net, nn.MLP) and net.sizes == [4, 16, 8, 3]
    with torch.no_grad():
        expected = tnet(torch.from_numpy(X)).numpy()
    close(net.predict(X), expected, np.float32)
    close(net.predict(X), run(path, X)[0], np.float32)
    # glassnet's tools take it as their own
    assert "∂L/∂" in str(gn.explain(net, X[0], np.array([1]), loss="cross_entropy"))  # (typeset)
    assert "<svg" in gn.viz.draw_network(net)
    y = np.random.default_rng(1).integers(0, 3, 20)
    hist = gn.fit(net, X, y, loss="cross_entropy", lr=0.1, epochs=5, verbose=0)
    assert len(hist.loss) == 5 and hist.loss[-1] < hist.loss[0]


def test_unsupported_nodes_are_named():
    W = np.ones((3, 2), np.float32)
    nodes = [
        helper.make_node("Gemm", ["x", "W"], ["z"], name="dense"),
        helper.make_node("Relu", ["z"], ["r"], name="act"),
        helper.make_node("Mul", ["r", "r"], ["s"], name="square"),
        helper.make_node("Conv", ["s", "W"], ["y"], name="conv"),
    ]
    with pytest.raises(OnnxError, match=r"node 'square' \(Mul\) is not supported"):
        load(_graph(nodes, {"W": W}))
    nodes = [helper.make_node("Gemm", ["x", "W"], ["z"], transA=1, name="t")]
    with pytest.raises(OnnxError, match="node 't' .*transA"):
        load(_graph(nodes[:1] + [helper.make_node("Identity", ["z"], ["y"])], {"W": W}))
    nodes = [
        helper.make_node("Gemm", ["x", "W"], ["z"]),
        helper.make_node("Softmax", ["z"], ["y"], axis=0, name="sm"),
    ]
    with pytest.raises(OnnxError, match="node 'sm' .*axis 0"):
        load(_graph(nodes, {"W": W}))
    nodes = [
        helper.make_node("Gemm", ["x", "W"], ["z"]),
        helper.make_node("LeakyRelu", ["z"], ["y"], alpha=1.5, name="lr"),
    ]
    with pytest.raises(OnnxError, match="node 'lr' .*alpha 1.5"):
        load(_graph(nodes, {"W": W}))
    nodes = [helper.make_node("Gemm", ["x", "x"], ["y"], name="g")]
    with pytest.raises(OnnxError, match="node 'g' .*not a constant"):
        load(_graph(nodes, {}))
    # a classifier's two outputs
    sk_like = _graph([helper.make_node("Gemm", ["x", "W"], ["y"])], {"W": W})
    sk_like.graph.output.append(helper.make_tensor_value_info("label", TensorProto.INT64, ["N"]))
    with pytest.raises(OnnxError, match="1 input.* and 2 output"):
        load(sk_like)


def test_hostile_files(tmp_path):
    W = np.ones((3, 2), np.float32)
    good = _graph([helper.make_node("Gemm", ["x", "W"], ["y"])], {"W": W})
    assert isinstance(load(good), nn.Sequential)  # no bias: not an MLP
    data = good.SerializeToString()
    with pytest.raises(OnnxError, match="not a valid ONNX file|no graph"):
        load(data[: len(data) // 2])
    with pytest.raises(OnnxError, match="not a valid ONNX file|no graph"):
        load(b"\x00garbage" * 10)
    for opset in (0, 1000):
        with pytest.raises(OnnxError, match=f"opset {opset}"):
            load(_graph([helper.make_node("Gemm", ["x", "W"], ["y"])], {"W": W}, opset=opset))
    # a cycle: z feeds itself through two nodes
    cyc = _graph([helper.make_node("Gemm", ["x", "W"], ["y"])], {"W": W})
    cyc.graph.node.extend(
        [
            helper.make_node("Relu", ["b"], ["a"], name="ra"),
            helper.make_node("Relu", ["a"], ["b"], name="rb"),
        ]
    )
    with pytest.raises(OnnxError, match="cycle through node"):
        load(cyc)
    # an initializer that claims 10^12 values and holds none: refused before allocating
    huge = _graph([helper.make_node("Gemm", ["x", "W"], ["y"])], {})
    t = TensorProto(name="W", data_type=TensorProto.FLOAT, dims=[10**6, 10**6])
    huge.graph.initializer.append(t)
    with pytest.raises(OnnxError, match="more than the .* max_weights"):
        load(huge)
    huge.graph.initializer[0].dims[:] = [3, 2]
    with pytest.raises(OnnxError, match="should hold 6 values but its data holds 0"):
        load(huge)
    # data in an external file is never read
    ext = _graph([helper.make_node("Gemm", ["x", "W"], ["y"])], {"W": W})
    w = ext.graph.initializer[0]
    w.ClearField("raw_data")
    w.data_location = TensorProto.EXTERNAL
    w.external_data.add(key="location", value="/etc/passwd")
    with pytest.raises(OnnxError, match="external file"):
        load(ext)
    with pytest.raises(OnnxError, match="NaN or inf"):
        load(_graph([helper.make_node("Gemm", ["x", "W"], ["y"])], {"W": W * np.nan}))
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "none.onnx")
    with pytest.raises(TypeError, match="'source'"):
        load(42)


def test_fuzzed_files_load_or_raise_one_clear_error():
    """3000 mutations of a valid file: each loads, or raises OnnxError; nothing else."""
    net = nn.MLP(
        [4, 8, 8, 3], activation=["relu", "leaky_relu"], output_activation="softmax", rng=0
    )
    data = export(net).SerializeToString()
    rng = np.random.default_rng(0)
    loaded = refused = overflowed = 0
    X = np.ones((2, 4), np.float32)
    for i in range(3000):
        b = bytearray(data)
        kind = i % 4
        if kind == 0:  # truncated
            b = b[: rng.integers(0, len(b))]
        elif kind == 1:  # random bytes overwritten
            for _ in range(rng.integers(1, 5)):
                b[rng.integers(len(b))] = rng.integers(256)
        elif kind == 2:  # bytes inserted
            j = rng.integers(len(b))
            b[j:j] = rng.bytes(int(rng.integers(1, 8)))
        else:  # one bit flipped
            b[rng.integers(len(b))] ^= 1 << int(rng.integers(8))
        try:
            model = load(bytes(b))
        except OnnxError as exc:
            assert str(exc).startswith("load: ")
            refused += 1
        else:  # (a flipped exponent bit can make a weight 1e38: products overflow to inf,
            # which predict refuses, naming the weights' magnitude, rather than returns)
            try:
                assert model.predict(X).shape[0] == 2
            except ValueError as exc:
                assert "predict: the output holds NaN or inf" in str(exc), exc
                assert "its weights' " in str(exc)
                overflowed += 1
            loaded += 1
    assert loaded > 100 and refused > 1000 and overflowed < loaded / 4


def test_a_model_file_without_preprocessing_exports_its_network(tmp_path, capsys):
    net = nn.MLP([3, 5, 2], activation="relu", output_activation="softmax", rng=0)
    gn.io.save_model(net, tmp_path / "net.glassnet")
    assert cli("export", tmp_path / "net.glassnet", tmp_path / "net.onnx") == 0
    X = np.random.default_rng(0).normal(size=(4, 3)).astype(np.float32)
    close(run(tmp_path / "net.onnx", X)[0], net.predict(X), np.float32)
    assert cli("export", tmp_path / "net.glassnet", tmp_path / "x.onnx", "--impute-from", "a") == 2
    assert "'impute_from' does not apply" in capsys.readouterr().err
    assert cli("export", tmp_path / "none.glassnet", tmp_path / "x.onnx") == 2
    assert "no such model file" in capsys.readouterr().err
    assert not (tmp_path / "x.onnx").exists()


def test_scikit_learns_own_regressor_through_skl2onnx_imports():
    skl2onnx = pytest.importorskip("skl2onnx")
    from sklearn.neural_network import MLPClassifier as SkClassifier
    from sklearn.neural_network import MLPRegressor as SkRegressor

    X = np.random.default_rng(0).normal(size=(50, 3))
    sk = _fit_quietly(
        SkRegressor(hidden_layer_sizes=(6, 4), max_iter=50, random_state=0), X, X[:, 0] - X[:, 1]
    )
    proto = skl2onnx.to_onnx(sk, X[:1].astype(np.float32))  # Cast, MatMul + Add, ..., Reshape
    net = load(proto)
    assert isinstance(net, nn.MLP) and net.sizes == [3, 6, 4, 1]
    X32 = X.astype(np.float32)
    close(net.predict(X32), run(proto, X32)[0], np.float32)
    clf = _fit_quietly(
        SkClassifier(hidden_layer_sizes=(4,), max_iter=20, random_state=0), X, X[:, 0] > 0
    )
    # a classifier's file (label + probabilities): the network of its probabilities, p
    clf_proto = skl2onnx.to_onnx(clf, X32[:1], options={"zipmap": False})
    clf_net = load(clf_proto)
    assert isinstance(clf_net, nn.MLP) and clf_net.sizes == [3, 4, 1]
    close(clf_net.predict(X32)[:, 0], run(clf_proto, X32)[1][:, 1], np.float32)
    nodes = [
        helper.make_node("Gemm", ["x", "W"], ["z"]),
        helper.make_node("Reshape", ["z", "s"], ["y"], name="flatten"),
    ]
    with pytest.raises(OnnxError, match=r"node 'flatten' .*Reshape to \[-1\]"):
        load(_graph(nodes, {"W": np.ones((3, 2), np.float32), "s": np.array([-1])}))


@settings(max_examples=25, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 12), min_size=2, max_size=5),
    acts=st.lists(st.sampled_from(ACTIVATIONS), min_size=4, max_size=4),
    head=st.sampled_from(["identity", "sigmoid", "softmax", "tanh", "relu"]),
    dtype=st.sampled_from([np.float32, np.float64]),
    seed=st.integers(0, 2**16),
)
# every output near 0.003, each a sum of terms near 0.5: export's own check refused it (its
# scale was the outputs', not their terms')
@example(sizes=[2, 1, 8, 1], acts=["sigmoid", "tanh", "sigmoid", "sigmoid"], head="identity",
         dtype=np.float32, seed=0)  # fmt: skip
def test_random_networks_match_onnxruntime_and_round_trip(sizes, acts, head, dtype, seed):
    net = nn.MLP(
        sizes,
        activation=acts[: len(sizes) - 2],
        output_activation=head,
        rng=seed,
        dtype=dtype,
        leaky_alpha=0.05,
    )
    X = np.random.default_rng(seed).normal(scale=3.0, size=(17, sizes[0])).astype(dtype)
    proto = export(net)
    close(run(proto, X)[0], net.predict(X), dtype)
    np.testing.assert_array_equal(load(proto).predict(X), net.predict(X))


def test_float16_weights_are_read_as_float32():
    W = np.random.default_rng(0).normal(size=(3, 2)).astype(np.float16)
    nodes = [helper.make_node("Gemm", ["x", "W", "b"], ["y"])]
    net = load(_graph(nodes, {"W": W, "b": np.ones(2, np.float16)}, elem=TensorProto.FLOAT16))
    assert net.layers[0].W.dtype == np.float32
    np.testing.assert_array_equal(net.layers[0].W.data, W.astype(np.float32))


def test_feeds_from_a_dataframe_equal_feeds_from_a_table(tmp_path):
    pd = pytest.importorskip("pandas")
    data = write_mixed_csv(tmp_path / "mixed.csv")
    model, out = tmp_path / "m.glassnet", tmp_path / "m.onnx"
    assert cli("train", data, "--target", "level", "--impute", "mean", "--out", model, *FAST) == 0
    proto = export(model, out, impute_from=data)
    sess = session(out)
    with pytest.warns(UserWarning, match="missing cell"):
        from_table = sess.run(None, feeds(proto, read_csv(data, impute="mean")))
    with pytest.warns(UserWarning, match="missing cell"):
        from_frame = sess.run(None, feeds(sess, pd.read_csv(data, dtype=str)))
    np.testing.assert_array_equal(from_frame[0], from_table[0])
    np.testing.assert_array_equal(from_frame[1], from_table[1])


def test_the_export_example_of_docs_onnx_md_runs(tmp_path, monkeypatch):
    import re

    text = (Path(__file__).resolve().parent.parent / "docs" / "onnx.md").read_text()
    block = re.findall(r"```python\n(.*?)```", text, flags=re.S)[0]
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(block, "docs/onnx.md", "exec"), namespace)
    close(namespace["Y"], namespace["net"].predict(namespace["X"]), np.float32)


def test_a_network_with_its_task_outputs_labels_and_probabilities():
    from glassnet.tasks import get_task, infer_task

    rng = np.random.default_rng(4)
    X = rng.normal(size=(40, 3)).astype(np.float32)
    targets = [
        np.where(X[:, 0] > 0, "cat", "dog"),
        rng.integers(0, 3, 40) + 5,
        (X > 0).astype(int),
    ]
    for y in targets:
        task = infer_task(y) if y.ndim == 1 else get_task("multilabel").fit(y)
        net = task.build_model(3, hidden=(6,), activation="tanh", rng=0)
        label, proba = run(export(net, task=task), X)
        out = net.predict(X)
        np.testing.assert_array_equal(label, task.decode(out))
        close(proba, task.proba(out), np.float32)
    reg = get_task("regression").fit(X[:, 0])
    net = reg.build_model(3, hidden=(4,), rng=0)
    proto = export(net, task=reg)
    assert [o.name for o in proto.graph.output] == ["variable"]
    close(run(proto, X)[0], net.predict(X), np.float32)
    wrong = nn.MLP([3, 4, 2], output_activation="identity", rng=0)
    with pytest.raises(ValueError, match="softmax output layer, but the network's output"):
        export(wrong, task=infer_task(np.array(["a", "b", "c"])))
    with pytest.raises(ValueError, match="not fitted"):
        export(wrong, task=get_task("multiclass"))
    with pytest.raises(TypeError, match="'task' must be a glassnet.tasks.Task"):
        export(wrong, task="multiclass")


def test_every_export_is_verified_in_onnxruntime_before_it_is_written(tmp_path):
    class Drifting(nn.MLP):  # a network whose glassnet predictions the graph cannot match
        def predict(self, X):
            return super().predict(X) + 1e-3

    net = Drifting([3, 4, 2], rng=0)
    with pytest.raises(OnnxError, match="onnxruntime and glassnet disagree on output 'Y'"):
        export(net, tmp_path / "drift.onnx")
    assert not (tmp_path / "drift.onnx").exists()
    assert "glassnet.verified" not in {p.key for p in export(net, verify=False).metadata_props}
    props = {p.key: p.value for p in export(nn.MLP([3, 4, 2], rng=0)).metadata_props}
    assert props["glassnet.verified"].startswith(f"onnxruntime {ort.__version__}: 64 random rows")
