"""glassnet.onnx, round 17b: ``feeds`` parsing a text column's categories once (a column
pandas typed as numbers was matched one value at a time against every category: minutes
for a zip-code column); labels of a hand-set ``out_activation_`` read as predict reads them
on near-tied rows; ``load`` of such a file; plain values in messages; ``export``'s refusals
of its ``path`` raising glassnet.io.ModelWriteError, as ``gn.save``."""

import re
import warnings

import numpy as np
import pytest

pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
pytest.importorskip("sklearn")

import glassnet.onnx as gonnx  # noqa: E402
from glassnet.cli import main  # noqa: E402
from glassnet.io import load_pipeline  # noqa: E402
from glassnet.onnx import export, feeds  # noqa: E402

# ---------------------------------------------------------------- feeds: many categories


@pytest.fixture(scope="module")
def zips(tmp_path_factory):
    """A 'glassnet train' model of a text column of 300 zip codes and one of codes 1, 01
    and 2 (--categorical: pandas reads both as int64), exported; and the CSV."""
    tmp = tmp_path_factory.mktemp("zips")
    rng = np.random.default_rng(3)
    codes = [f"{c:05d}" for c in rng.choice(99999, 300, replace=False)]
    lines = ["x,zip,code,y"]
    for i in range(600):
        x = rng.normal()
        lines.append(f"{x:.3f},{codes[i % 300]},{['1', '01', '2'][i % 3]},{'b' if x > 0 else 'a'}")
    data = tmp / "zips.csv"
    data.write_text("\n".join(lines) + "\n")
    model = tmp / "zips.glassnet"
    argv = ["train", str(data), "--target", "y", "--categorical", "zip,code"]
    argv += ["--epochs", "5", "-q", "--out", str(model)]
    assert main(argv) == 0
    sess = ort.InferenceSession(
        export(model).SerializeToString(), providers=["CPUExecutionProvider"]
    )
    return sess, data, model, codes


def test_a_typed_column_parses_each_category_once_not_once_per_value(zips, monkeypatch):
    pd = pytest.importorskip("pandas")
    sess, data, model, codes = zips
    df = pd.read_csv(data, dtype={"code": str})
    assert df.zip.dtype.kind == "i" and df.zip.nunique() == 300
    calls = []
    point = gonnx.as_point
    monkeypatch.setattr(gonnx, "as_point", lambda *a: calls.append(a) or point(*a))
    with pytest.warns(UserWarning, match=r"pandas typed.*'zip': \d+ -> '0"):
        rows = feeds(sess, df.drop(columns="y"))
    assert len(calls) <= 300  # (each category once; it was 300 values x 300 categories)
    assert rows["zip"].ravel().tolist() == [codes[i % 300] for i in range(600)]
    label, _ = sess.run(None, rows)
    as_written = pd.read_csv(data, dtype=str).drop(columns="y")
    assert list(label) == list(load_pipeline(model).predict(as_written))


def test_typed_cells_are_shown_as_plain_values(zips):
    pd = pytest.importorskip("pandas")
    sess, data, _, _ = zips
    df = pd.read_csv(data, dtype={"code": str}).drop(columns="y")
    df = df[df.zip < 10000].head(6).reset_index(drop=True)  # (written with a leading 0)
    df["zip"] = df.zip.astype("Int64")  # (a nullable column: NumPy scalars, np.int64(2134))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        feeds(sess, df)
    said = " ".join(str(w.message) for w in caught)
    assert re.search(r"'zip': \d+ -> '\d{5}'", said) and "np." not in said
    df.loc[0, "zip"] = 123456
    with pytest.raises(ValueError, match=r"none of the model's categories: 123456 \(row 0\)") as e:
        feeds(sess, df)
    assert "np." not in str(e.value)
    df = pd.read_csv(data).drop(columns="y").head(6)
    df["code"] = df.code.astype("Int64")
    with pytest.raises(ValueError, match=r"column 'code' is 1 \(an int: pandas typed") as e:
        feeds(sess, df)
    assert "np." not in str(e.value)
    df["code"] = [True] * 6
    with pytest.raises(ValueError, match=r"'code' has 6 cell.*: True \(row 0\)") as e:
        feeds(sess, df.astype({"code": "boolean"}))
    assert "np." not in str(e.value)


# ---------------------------------------------------------------- export's path refusals


def _net():
    from glassnet.nn import MLP

    return MLP([2, 3, 1])


def test_a_csv_file_in_the_way_is_refused_as_gn_save_refuses_it(tmp_path):
    from glassnet.io import ModelFileExistsError, ModelWriteError

    target = tmp_path / "data.csv"
    target.write_text("a,b\n1,2\n")
    with pytest.raises(ModelFileExistsError, match=r"'path' .*data\.csv.* replace_any") as e:
        export(_net(), target)
    assert isinstance(e.value, ModelWriteError) and isinstance(e.value, ValueError)
    assert isinstance(e.value, OSError) and e.value.filename == str(target)
    assert target.read_text() == "a,b\n1,2\n"


def test_a_directory_is_refused_as_gn_save_refuses_it(tmp_path):
    from glassnet.io import ModelIsADirectoryError

    with pytest.raises(ModelIsADirectoryError) as e:
        export(_net(), tmp_path)
    assert isinstance(e.value, ValueError) and isinstance(e.value, IsADirectoryError)
    assert e.value.filename == str(tmp_path) and str(tmp_path) in str(e.value)


def test_the_models_own_file_as_path_is_a_model_write_error(tmp_path):
    from glassnet.io import ModelWriteError

    data = tmp_path / "d.csv"
    data.write_text("x,y\n" + "".join(f"{i / 10},{i % 2}\n" for i in range(40)))
    model = tmp_path / "m.glassnet"
    assert (
        main(["train", str(data), "--target", "y", "--epochs", "2", "-q", "--out", str(model)]) == 0
    )
    with pytest.raises(ModelWriteError, match="is the file of 'model'"):
        export(model, model)


# ---------------------------------------------------------------- hand-set heads: near-ties


def _logits_are_x(y, k, dtype):
    """A classifier whose logits z are its inputs X (identity layers and weights)."""
    import glassnet as gn
    from glassnet.sklearn import MLPClassifier

    X = np.random.default_rng(0).normal(size=(60, k))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = MLPClassifier(
            hidden_layer_sizes=(k,), activation="identity", max_iter=5, random_state=0,
            dtype=dtype,
        ).fit(X, y(X))  # fmt: skip
    with gn.no_grad():
        for layer in clf.model_.layers:
            if hasattr(layer, "W"):
                layer.W[...] = np.eye(*layer.W.shape, dtype=layer.W.dtype)
                layer.b[...] = 0
    return clf


def test_logistic_on_multiclass_reads_near_tied_saturated_rows_as_predict():
    # sigmoid(z) of these two logits differ in the last place of float64; onnxruntime's
    # Sigmoid, 1 / (1 + e^-z), rounded them to a tie (the first class), predict does not
    clf = _logits_are_x(lambda X: np.argmax(X, 1), 3, "float32")
    clf.out_activation_ = "logistic"
    Z = np.array([[26.604961395263672, 26.60496711730957, 0.4826837182044983]], np.float32)
    sess = ort.InferenceSession(export(clf).SerializeToString(), providers=["CPUExecutionProvider"])
    label, proba = sess.run(None, {"X": Z})
    assert clf.predict(Z).tolist() == [1] and label.tolist() == [1]
    np.testing.assert_allclose(proba, clf.predict_proba(Z), rtol=1e-6)


# ---------------------------------------------------------------- load of hand-set heads


@pytest.mark.parametrize(
    ("y", "head"),
    [(lambda X: np.argmax(X, 1), "logistic"), (lambda X: (X > 0).astype(int), "softmax")],
    ids=["logistic on multi-class", "softmax on multi-label"],
)
def test_a_hand_set_head_loads_as_the_network_of_predict_proba(y, head):
    clf = _logits_are_x(y, 3, "float64")
    clf.out_activation_ = head
    net = gonnx.load(export(clf))
    X = np.random.default_rng(2).normal(size=(50, 3)) * 3
    np.testing.assert_allclose(net(X).data, clf.predict_proba(X), rtol=1e-12, atol=1e-15)


def test_an_identity_head_is_refused_saying_it_was_set_by_hand():
    clf = _logits_are_x(lambda X: np.argmax(X, 1), 3, "float64")
    clf.out_activation_ = "identity"
    with pytest.raises(gonnx.OnnxError, match=r"out_activation_ was set to 'identity' by hand"):
        gonnx.load(export(clf))


def test_a_head_node_of_a_network_operator_is_not_called_unsupported():
    from onnx import TensorProto, helper, numpy_helper

    nodes = [
        helper.make_node("Gemm", ["x", "W", "b"], ["z"], name="layer"),
        helper.make_node("Softmax", ["z"], ["p"], name="soft"),
        helper.make_node("Tanh", ["p"], ["label"], name="odd"),
    ]
    inits = {"W": np.ones((2, 3), np.float32), "b": np.zeros(3, np.float32)}
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 2])],
        [helper.make_tensor_value_info(o, TensorProto.FLOAT, None) for o in ("label", "p")],
        [numpy_helper.from_array(v, k) for k, v in inits.items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 19)])
    with pytest.raises(gonnx.OnnxError, match=r"node 'odd' \(Tanh\) computes outputs beside") as e:
        gonnx.load(model)
    assert "not supported" not in str(e.value)


def test_an_identity_of_a_constant_as_the_graphs_output_is_named():
    from onnx import TensorProto, helper, numpy_helper

    nodes = [
        helper.make_node("Gemm", ["x", "W", "b"], ["z"], name="layer"),
        helper.make_node("Identity", ["b"], ["y"], name="answer"),
    ]
    inits = {"W": np.ones((2, 3), np.float32), "b": np.zeros(3, np.float32)}
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        [numpy_helper.from_array(v, k) for k, v in inits.items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 19)])
    with pytest.raises(gonnx.OnnxError, match=r"node 'answer' \(Identity\).*constant 'b'"):
        gonnx.load(model)
