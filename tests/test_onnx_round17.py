"""glassnet.onnx, round 17: an estimator's hand-set ``out_activation_`` (scikit-learn's
'identity' habit: predict_proba returns the logits) exported as predict and predict_proba
read it, by export and by the skl2onnx converter (the converter wrote sigmoid/softmax
probabilities and z > 0 labels, or a multi-label (N, 3) label matrix, in silence);
``feeds`` refusing pandas-typed cells of a text column that match no stored category
(they were sent as 'False', '2134', '2.0', unknown categories, for confident wrong
labels); ``load`` reading torch's Identity aliases of a constant."""

import re
import warnings

import numpy as np
import pytest

pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
pytest.importorskip("sklearn")

from glassnet.cli import main  # noqa: E402
from glassnet.io import load_pipeline  # noqa: E402
from glassnet.onnx import export, feeds  # noqa: E402
from glassnet.sklearn import MLPClassifier, MLPRegressor  # noqa: E402

# ---------------------------------------------------------------- out_activation_

X = np.random.default_rng(0).normal(size=(300, 3))
LABELS = {
    "one class": np.zeros(300, int),
    "binary": (X[:, 0] > 0).astype(int),
    "text binary": np.where(X[:, 0] > 0.2, "yes", "no"),
    "multiclass": np.digitize(X[:, 0], [-0.5, 0.5]),
    "multilabel": np.c_[X[:, 0] > 0, X[:, 1] > 0, X[:, 2] > 0].astype(int),
}


def _fit(y, dtype="float32"):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (ConvergenceWarning: a few iterations suffice)
        return MLPClassifier(hidden_layer_sizes=(4,), max_iter=30, random_state=0, dtype=dtype).fit(
            X, y
        )


def _run(proto, X):
    sess = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    return sess.run(None, {"X": X})


def _skl2onnx(clf, dtype):
    skl2onnx = pytest.importorskip("skl2onnx")
    from glassnet.onnx import register_skl2onnx

    register_skl2onnx()
    return skl2onnx.to_onnx(clf, X[:1].astype(dtype), options={MLPClassifier: {"zipmap": False}})


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("head", ["identity", "logistic", "softmax"])
@pytest.mark.parametrize("labels", list(LABELS))
@pytest.mark.parametrize("via", ["export", "skl2onnx"])
def test_the_graph_answers_as_predict_and_predict_proba_for_each_head(via, labels, head, dtype):
    clf = _fit(LABELS[labels], dtype)
    clf.out_activation_ = head  # ('identity': predict_proba returns the logits)
    proto = export(clf) if via == "export" else _skl2onnx(clf, dtype)
    label, proba = _run(proto, X.astype(dtype))
    want = clf.predict(X)
    assert label.shape == want.shape
    assert (label.astype(str) == want.astype(str)).all()
    P = clf.predict_proba(X)
    assert proba.shape == P.shape
    tol = 1e-6 if dtype == "float32" else 1e-14
    np.testing.assert_allclose(proba, P, rtol=0, atol=tol * max(1.0, np.abs(P).max()))


def test_identity_head_labels_are_scikit_learns_z_above_one_half():
    clf = _fit(LABELS["binary"], "float64")
    clf.out_activation_ = "identity"
    label, proba = _run(export(clf), X)
    z = proba[:, 1]
    assert ((z > 0) & (z <= 0.5)).any()  # (rows that z > 0 labelled the other class)
    np.testing.assert_array_equal(label, (z > 0.5).astype(int))
    np.testing.assert_allclose(proba[:, 0], 1 - z)


@pytest.mark.parametrize("via", ["export", "skl2onnx"])
def test_a_head_predict_does_not_apply_is_refused_naming_out_activation(via):
    clf = _fit(LABELS["multiclass"])
    clf.out_activation_ = "tanh"
    with pytest.raises(ValueError, match="out_activation_='tanh'"):
        export(clf) if via == "export" else _skl2onnx(clf, "float32")


@pytest.mark.parametrize("head", ["identity", "logistic", "tanh", "exp"])
def test_a_regressors_head_set_by_hand_is_exported_as_predict_applies_it(head):
    y = np.c_[X[:, 0], X[:, 1]] * 0.3
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reg = MLPRegressor(hidden_layer_sizes=(4,), max_iter=30, random_state=0).fit(X, y)
    reg.out_activation_ = head
    (out,) = _run(export(reg), X)  # (float64: the regressor's default dtype)
    np.testing.assert_allclose(out, reg.predict(X), rtol=0, atol=1e-12)
    reg.out_activation_ = "relu"
    with pytest.raises(ValueError, match="out_activation_='relu'.*back to the one fit set"):
        export(reg)


# ---------------------------------------------------------------- feeds and pandas' types


@pytest.fixture(scope="module")
def typed(tmp_path_factory):
    """A 'glassnet train' model whose text columns pandas types: flag (TRUE/FALSE: bool),
    zip (02134/10001, --categorical: int), code (1/2/2.0 and blanks, --categorical: float),
    exported; and the CSV."""
    tmp = tmp_path_factory.mktemp("typed")
    rng = np.random.default_rng(1)
    lines = ["x,flag,zip,code,y"]
    for i in range(120):
        x = rng.normal()
        flag, zip_ = rng.choice(["TRUE", "FALSE"]), rng.choice(["02134", "10001"])
        code = ["1", "2", "2.0", ""][i % 4]
        y = "b" if (x > 0) != (flag == "TRUE") or zip_ == "10001" else "a"
        lines.append(f"{x:.3f},{flag},{zip_},{code},{y}")
    data = tmp / "typed.csv"
    data.write_text("\n".join(lines) + "\n")
    model = tmp / "typed.glassnet"
    argv = ["train", str(data), "--target", "y", "--categorical", "zip,code"]
    argv += ["--impute", "mean", "--epochs", "60", "-q", "--out", str(model)]
    assert main(argv) == 0
    sess = ort.InferenceSession(
        export(model, tmp / "typed.onnx").SerializeToString(),
        providers=["CPUExecutionProvider"],
    )
    return sess, data, model


def test_cells_pandas_typed_are_sent_as_the_category_of_their_value(typed):
    pd = pytest.importorskip("pandas")
    sess, data, model = typed
    df = pd.read_csv(data).head(40)
    df = df[df.code != 2.0]  # ('2' and '2.0' are both categories: below)
    assert df.flag.dtype == bool and df.zip.dtype.kind == "i" and df.code.dtype.kind == "f"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rows = feeds(sess, df.drop(columns="y"))
    said = " ".join(str(w.message) for w in caught)
    assert re.search(r"pandas typed.*'flag': .*-> 'TRUE'.*'zip': 2134 -> '02134'", said)
    assert "missing cell(s), by column 'code'" in said  # (the blanks: imputed)
    assert set(rows["flag"].ravel()) == {"TRUE", "FALSE"}
    assert set(rows["zip"].ravel()) == {"02134", "10001"}
    label, _ = sess.run(None, rows)
    as_written = pd.read_csv(data, dtype=str, keep_default_na=False).loc[df.index]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (the missing codes' note)
        want = load_pipeline(model).predict(as_written.drop(columns="y"))
    assert list(label) == list(want)


def test_a_typed_cell_of_several_categories_values_is_refused(typed):
    pd = pytest.importorskip("pandas")
    sess, data, _ = typed
    df = pd.read_csv(data).head(8).drop(columns="y")  # (code 2.0: '2' or '2.0'?)
    with pytest.raises(ValueError, match=r"column 'code' is 2\.0.*several.*\['2', '2\.0'\]"):
        feeds(sess, df)


def test_a_cell_that_is_no_category_is_refused_naming_it_or_sent_with_ignore(typed):
    sess, _, _ = typed
    rows = {"x": [0.1, 0.2], "flag": ["TRUE", "maybe"], "zip": [10001, 99999], "code": ["1", "1"]}
    with pytest.raises(
        ValueError,
        match=r"column 'flag' has 1 cell.*'maybe' \(row 1\).*"
        r"\['FALSE', 'TRUE'\].*unknown='ignore'.*\['zip'\]",
    ):
        feeds(sess, rows)
    with pytest.warns(UserWarning, match=r"2 cell\(s\) hold categories the model never saw"):
        out = feeds(sess, rows, unknown="ignore")
    assert out["zip"].ravel().tolist() == ["10001", "99999"]
    with pytest.raises(ValueError, match="The 'unknown' parameter of feeds"):
        feeds(sess, rows, unknown="zeros")


def test_a_duplicated_input_column_of_a_dataframe_is_named(typed):
    pd = pytest.importorskip("pandas")
    sess, data, _ = typed
    df = pd.read_csv(data, dtype=str, keep_default_na=False).head(3)
    df = pd.concat([df, df[["x"]]], axis=1)
    with pytest.raises(ValueError, match=r"input column\(s\) \['x'\] more than once"):
        feeds(sess, df)
    df = pd.concat([df.iloc[:, :-1], df[["y"]]], axis=1)  # (a column it does not take: kept)
    rows = feeds(sess, df)
    assert rows["x"].shape == (3, 1)
