"""Audit of the ONNX export of the scikit-learn estimators: cases a user meets that the
main suite (tests/test_onnx.py) did not reach."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
pytest.importorskip("sklearn")

from glassnet.onnx import export, register_skl2onnx  # noqa: E402
from glassnet.sklearn import MLPClassifier  # noqa: E402


def run(proto, X) -> list:
    sess = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    return sess.run(None, {sess.get_inputs()[0].name: X})


def fit(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return est.fit(X, y)


def trained_and_exported(tmp_path, header, rows, *args):
    """``glassnet train`` on a CSV of ``rows`` (the target last) and ``glassnet export``:
    the CSV's path, the model file, and an onnxruntime session of the exported graph."""
    import csv

    from glassnet.cli import main

    path, model, out = tmp_path / "train.csv", tmp_path / "m.glassnet", tmp_path / "m.onnx"
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    flags = ("--impute", "mean", "--hidden", "8", "--seed", "0", *args)
    assert main(["train", str(path), "--target", header[-1], "--out", str(model), *flags]) == 0
    assert main(["export", str(model), str(out)]) == 0
    return path, model, ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])


@pytest.mark.parametrize("label", [7, "only"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_single_class_classifier_exports_a_column_of_ones(label, dtype):
    # a classifier fitted on one class predicts it with predict_proba a column of ones;
    # the export wrote the binary head's two columns and failed its own shape check
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 3))
    clf = fit(MLPClassifier(hidden_layer_sizes=(4,), max_iter=5, dtype=dtype), X, [label] * 30)
    Xq = np.r_[X, [[1e6, -1e6, 0.0]]].astype(clf.coefs_[0].dtype)
    got, proba = run(export(clf), Xq)
    assert proba.shape == (31, 1) and np.all(proba == 1.0)
    np.testing.assert_array_equal(got.astype(str), clf.predict(Xq).astype(str))


def test_a_single_class_pipeline_converts_through_skl2onnx():
    skl2onnx = pytest.importorskip("skl2onnx")
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    register_skl2onnx()
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 3)).astype(np.float32)
    pipe = fit(make_pipeline(StandardScaler(), MLPClassifier(max_iter=5)), X, ["a"] * 30)
    label, proba = run(skl2onnx.to_onnx(pipe, X[:1]), X)  # ZipMap refused 2 columns
    assert list(label) == ["a"] * 30
    assert [dict(p) for p in proba] == [{"a": 1.0}] * 30


def test_a_scikit_learn_object_is_refused_with_the_way_to_convert_it():
    # scikit-learn's own MLPClassifier was refused as "Got MLPClassifier.": the very name
    # export asks for; the message now names its module and points to skl2onnx
    from sklearn.neural_network import MLPClassifier as SkMLP
    from sklearn.pipeline import make_pipeline

    X, y = np.random.default_rng(0).normal(size=(20, 2)), [0, 1] * 10
    for model in (fit(SkMLP(max_iter=5), X, y), make_pipeline(MLPClassifier())):
        with pytest.raises(TypeError, match=r"Got sklearn\..*skl2onnx\.to_onnx\(model"):
            export(model)
    with pytest.raises(TypeError, match=r"Got numpy\.ndarray\.$"):
        export(np.eye(2))


def test_an_empty_path_is_refused_before_anything_is_written(tmp_path, monkeypatch):
    # export(model, "") wrote nothing but said "cannot write '.': it is a directory"
    monkeypatch.chdir(tmp_path)
    clf = fit(MLPClassifier(hidden_layer_sizes=(3,), max_iter=2), np.eye(4), [0, 1, 0, 1])
    with pytest.raises(ValueError, match="'path' is empty"):
        export(clf, "")
    assert list(tmp_path.iterdir()) == []


def test_uint64_labels_beyond_int64_are_refused_with_the_reason():
    # they wrapped to negative int64 labels; verify caught it and called it a glassnet bug
    from glassnet.onnx import OnnxError

    X = np.random.default_rng(0).normal(size=(20, 2))
    y = np.array([2**63 + 1, 5], dtype=np.uint64)[[0, 1] * 10]
    clf = fit(MLPClassifier(hidden_layer_sizes=(3,), max_iter=2), X, y)
    with pytest.raises(OnnxError, match=r"class label 9223372036854775809 does not fit"):
        export(clf)
    small = fit(MLPClassifier(hidden_layer_sizes=(3,), max_iter=2), X, y % 7)
    label, _ = run(export(small), X)
    np.testing.assert_array_equal(label, small.predict(X))


def test_an_estimator_fitted_on_a_dataframe_records_its_column_order():
    # the graph's one input X takes the columns in feature_names_in_ order; the file did
    # not say which
    import json

    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(np.random.default_rng(0).normal(size=(20, 3)), columns=["b", "a", "c"])
    clf = fit(MLPClassifier(hidden_layer_sizes=(3,), max_iter=2), df, [0, 1] * 10)
    proto = export(clf)
    meta = {p.key: p.value for p in proto.metadata_props}
    assert json.loads(meta["glassnet.feature_names"]) == ["b", "a", "c"]
    assert proto.graph.input[0].doc_string.endswith("columns in this order: b, a, c")
    label, _ = run(proto, df.to_numpy())
    np.testing.assert_array_equal(label, clf.predict(df))
    plain = fit(MLPClassifier(hidden_layer_sizes=(3,), max_iter=2), df.to_numpy(), [0, 1] * 10)
    plain = export(plain)
    assert "glassnet.feature_names" not in {p.key for p in plain.metadata_props}


@pytest.mark.parametrize("texts", [(), ("--missing", "", "--missing", "?")])
def test_feeds_reads_a_dataframes_missing_cells_as_the_model_does(tmp_path, capsys, texts):
    # pandas' missing cells: NaN, None, pandas.NA (nullable dtypes). A text column's None
    # and pandas.NA became the categories 'None' and '<NA>' (zero one-hot rows), and NaN
    # became 'nan', a category too for a model trained with --missing; pandas.NA in a
    # number column raised TypeError
    pd = pytest.importorskip("pandas")
    from glassnet.datasets import read_csv
    from glassnet.io import load_pipeline
    from glassnet.onnx import feeds

    rng = np.random.default_rng(0)
    rows = []
    for i in range(120):
        a, color = rng.normal(), ["red", "green", "blue"][i % 3]
        label = "yes" if (a > 0) != (color == "red") else "no"
        rows.append(["" if i % 7 == 2 else f"{a:.3f}", "" if i % 5 == 1 else color, label])
    header = ["a", "color", "churned"]
    path, model, sess = trained_and_exported(tmp_path, header, rows, "--epochs", "15", *texts)
    capsys.readouterr()
    table = read_csv(path, impute="mean", missing=texts[1::2] or None)
    raw = {c: table.raw(c).tolist() for c in table.names}
    with pytest.warns(UserWarning, match="filled .* missing cell"):  # (said, not silent)
        want = load_pipeline(model).predict_proba(raw)
    for frame in (
        pd.read_csv(path),  # NaN in both columns
        pd.read_csv(path, dtype="string"),  # pandas.NA in both
        pd.read_csv(path).astype({"a": "Float64"}),  # pandas.NA in a number column
        pd.read_csv(path).astype({"color": object}).replace({np.nan: None}),  # None
    ):
        with pytest.warns(UserWarning, match="missing cell"):
            rows = feeds(sess, frame)
        _, proba = sess.run(None, rows)
        np.testing.assert_allclose(proba, want, rtol=1e-5, atol=1e-6)


def test_load_and_export_say_what_a_path_is_when_it_is_no_model_file(tmp_path, monkeypatch):
    # a directory was 'no such ONNX file', '' was "no such ONNX file '.'", and a glassnet
    # model file (safetensors) 'not a valid ONNX file (DecodeError)'
    from glassnet import nn
    from glassnet.io import save_model
    from glassnet.onnx import OnnxError, load

    monkeypatch.chdir(tmp_path)
    with pytest.raises(IsADirectoryError, match="is a directory, not an ONNX file"):
        load(tmp_path)
    with pytest.raises(ValueError, match="'source' is an empty path"):
        load("")
    save_model(nn.MLP([2, 3, 1], rng=0), tmp_path / "m.glassnet")
    for source in (tmp_path / "m.glassnet", (tmp_path / "m.glassnet").read_bytes()):
        with pytest.raises(OnnxError, match="is a safetensors file.*glassnet.io.load_model"):
            load(source)
    with pytest.raises(FileNotFoundError, match="no such ONNX file"):
        load(tmp_path / "missing.onnx")
    with pytest.raises(IsADirectoryError, match="is a directory, not a model file"):
        export(tmp_path)  # (the model to export, given as a path)


def test_the_check_recorded_in_a_regressors_file_claims_no_labels():
    # a regressor has values only: its file said 'labels equal' all the same
    from glassnet.sklearn import MLPRegressor

    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 3))
    reg = fit(MLPRegressor(hidden_layer_sizes=(4,), max_iter=5), X, X @ [1.0, -2.0, 0.5])
    meta = {p.key: p.value for p in export(reg).metadata_props}
    assert "values within" in meta["glassnet.verified"]
    assert "labels" not in meta["glassnet.verified"]
    clf = fit(MLPClassifier(hidden_layer_sizes=(4,), max_iter=5), X, X[:, 0] > 0)
    meta = {p.key: p.value for p in export(clf).metadata_props}
    assert "labels equal, values within" in meta["glassnet.verified"]


def test_feeds_reads_a_dataframes_cells_as_glassnet_predict_reads_the_file(tmp_path, capsys):
    # pandas.read_csv keeps the blanks around a cell, which glassnet's reader strips:
    # " blue" and "blue " were unknown categories to the graph (all zeros) and "n/a " no
    # missing cell, so onnxruntime predicted otherwise than glassnet predict on the file
    pd = pytest.importorskip("pandas")
    from glassnet.cli import main
    from glassnet.onnx import feeds

    rng = np.random.default_rng(0)
    rows = []
    for i in range(150):
        x, color = rng.normal(), ["red", "blue", "green"][i % 3]
        rows.append([f"{x:.3f}", color, int((color == "blue") != (x > 0))])
    _, model, sess = trained_and_exported(tmp_path, ["x", "color", "y"], rows, "--epochs", "30")
    test = tmp_path / "test.csv"
    test.write_text("x,color\n0.5, blue\n-0.5,blue \n0.3,NA\n0.3,n/a \n0.3,\n-0.5,green\n")
    capsys.readouterr()
    assert main(["predict", str(model), str(test), "--proba"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()[1:]
    want = np.array([[float(v) for v in line.split(",")[1:]] for line in lines])
    for frame in (pd.read_csv(test, dtype=str, keep_default_na=False), pd.read_csv(test)):
        with pytest.warns(UserWarning, match="missing cell"):
            rows = feeds(sess, frame)
        _, proba = sess.run(None, rows)
        np.testing.assert_allclose(proba, want, rtol=1e-5, atol=1e-6)
