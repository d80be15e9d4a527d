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

import onnx  # noqa: E402
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from glassnet.cli import main  # noqa: E402
from glassnet.io import load_pipeline  # noqa: E402
from glassnet.onnx import OnnxError, export, feeds, load  # noqa: E402
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
    if head == "softmax" and labels in ("binary", "text binary"):  # (one output: refused by
        with pytest.raises(ValueError, match="'softmax' cannot give two classes'"):  # predict
            export(clf) if via == "export" else _skl2onnx(clf, dtype)  # too)
        return
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
    reg.out_activation_ = "swish"  # (relu and leaky_relu export since round 29)
    with pytest.raises(ValueError, match="out_activation_='swish'.*back to the one fit set"):
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


# ---------------------------------------------------------------- load: Identity aliases


def _mlp_graph(alias_nodes, gemm2_weight="W1", gemm2_bias="b1", extra=()):
    """X (N, 4) -> Gemm(W0, b0) -> Relu -> Gemm(gemm2_weight, gemm2_bias) -> Y (N, 4),
    float32, with ``alias_nodes`` (and ``extra`` nodes after the Relu) added."""
    rng = np.random.default_rng(0)
    W0, W1 = (rng.normal(size=(4, 4)).astype(np.float32) for _ in range(2))
    inits = [
        numpy_helper.from_array(W0, "W0"),
        numpy_helper.from_array(np.zeros(4, np.float32), "b0"),
        numpy_helper.from_array(W1, "W1"),
        numpy_helper.from_array(np.zeros(4, np.float32), "b1"),
    ]
    hidden = "H"
    nodes = [
        *alias_nodes,
        helper.make_node("Gemm", ["X", "W0", "b0"], ["Z0"], name="gemm0"),
        helper.make_node("Relu", ["Z0"], ["H"], name="relu0"),
        *extra,
    ]
    if extra:
        hidden = extra[-1].output[0]
    nodes.append(helper.make_node("Gemm", [hidden, gemm2_weight, gemm2_bias], ["Y"], name="gemm1"))
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, ["N", 4])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, ["N", 4])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model, full_check=True)
    return model


def _same_as_onnxruntime(model):
    Xs = np.random.default_rng(1).normal(size=(16, 4)).astype(np.float32)
    (want,) = _run(model, Xs)
    net = load(model)
    np.testing.assert_allclose(net.predict(Xs), want, rtol=1e-6, atol=1e-6)


def test_an_identity_of_an_initializer_is_that_constant():
    # (as torch.onnx.export writes the second of two equal zero biases)
    alias = helper.make_node("Identity", ["b0"], ["b1_alias"], name="Identity_0")
    _same_as_onnxruntime(_mlp_graph([alias], gemm2_bias="b1_alias"))


def test_identities_of_identities_and_of_a_constant_node_are_constants():
    nodes = [
        helper.make_node("Identity", ["W0"], ["W_a"], name="Identity_0"),
        helper.make_node("Identity", ["W_a"], ["W_b"], name="Identity_1"),
        helper.make_node(
            "Constant",
            [],
            ["c"],
            name="const",
            value=numpy_helper.from_array(np.full(4, 0.5, np.float32), "c"),
        ),  # fmt: skip
        helper.make_node("Identity", ["c"], ["c_a"], name="Identity_2"),
    ]
    _same_as_onnxruntime(_mlp_graph(nodes, gemm2_weight="W_b", gemm2_bias="c_a"))


def test_the_unsupported_node_is_named_not_the_identity_before_it():
    # (torch's BatchNorm1d: Identity aliases of its running statistics, then the node)
    nodes = [
        helper.make_node("Identity", ["b0"], ["mean"], name="Identity_0"),
        helper.make_node("Identity", ["b0"], ["shift"], name="Identity_1"),
    ]
    ones = helper.make_node(
        "Constant", [], ["one"], name="ones", value=numpy_helper.from_array(np.ones(4, np.float32))
    )
    bn = helper.make_node(
        "BatchNormalization", ["H", "one", "shift", "mean", "one"], ["BN"], name="/1/BatchNorm"
    )
    model = _mlp_graph(nodes, extra=[ones, bn])
    with pytest.raises(OnnxError, match=r"node '/1/BatchNorm' \(BatchNormalization\) is not"):
        load(model)


def test_a_classifier_graph_with_an_aliased_bias_loads():
    clf = _fit(LABELS["multiclass"])
    proto = export(clf)
    gemm = next(n for n in proto.graph.node if n.op_type == "Gemm")
    bias = gemm.input[2]
    gemm.input[2] = "bias_alias"
    proto.graph.node.insert(0, helper.make_node("Identity", [bias], ["bias_alias"], name="Id0"))
    onnx.checker.check_model(proto, full_check=True)
    net = load(proto)
    np.testing.assert_allclose(
        net.predict(X.astype(np.float32)),
        _run(proto, X.astype(np.float32))[1],
        rtol=1e-5,
        atol=1e-6,
    )


def test_a_pytorch_mlp_with_equal_zero_biases_loads(tmp_path):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    nn = torch.nn
    m = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 3))
    for layer in m:
        if isinstance(layer, nn.Linear):
            nn.init.zeros_(layer.bias)
    m.eval()
    x = torch.randn(5, 4)
    path = tmp_path / "zero_biases.onnx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (torch's deprecation notes about dynamo=False)
        torch.onnx.export(
            m, (x,), str(path), dynamo=False, input_names=["X"], dynamic_axes={"X": {0: "N"}}
        )
    assert any(n.op_type == "Identity" for n in onnx.load(str(path)).graph.node)
    with torch.no_grad():
        want = m(x).numpy()
    np.testing.assert_allclose(load(path).predict(x.numpy()), want, rtol=1e-5, atol=1e-6)


def test_skl2onnx_of_a_two_class_softmax_head_is_refused_as_predict_proba_refuses_it():
    """A two-class network's one output under softmax (1 for any X): predict_proba refuses
    it, and so do both ONNX converters, with or without zipmap."""
    clf = _fit(LABELS["binary"])
    clf.out_activation_ = "softmax"
    skl2onnx = pytest.importorskip("skl2onnx")
    from glassnet.onnx import register_skl2onnx

    register_skl2onnx()
    with pytest.raises(ValueError, match="'softmax' cannot give two classes'"):
        clf.predict_proba(X)
    with pytest.raises(ValueError, match="'softmax' cannot give two classes'"):
        skl2onnx.to_onnx(clf, X[:1].astype(np.float32))
    with pytest.raises(ValueError, match="'softmax' cannot give two classes'"):
        _skl2onnx(clf, "float32")
