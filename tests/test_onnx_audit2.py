"""Audit of ONNX import and export, second pass: graphs other tools write that
glassnet.onnx.load refused or misread, and arguments that export took without a word."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from glassnet import nn  # noqa: E402
from glassnet.onnx import OnnxError, load  # noqa: E402


def _model(nodes, inits, in_shape, out_shape, opset=19):
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, in_shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, out_shape)],
        [numpy_helper.from_array(np.asarray(v), k) for k, v in inits.items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 9  # (onnxruntime 1.15 and later)
    onnx.checker.check_model(model, full_check=True)  # valid ONNX, which onnxruntime runs
    return model


def _ort(model, X):
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return sess.run(None, {"x": X})[0]


def _close(a, b):
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5 * np.abs(b).max())


RNG = np.random.default_rng(0)
W1 = RNG.normal(size=(4, 5)).astype(np.float32)
B1 = RNG.normal(size=5).astype(np.float32)
W2 = RNG.normal(size=(5, 3)).astype(np.float32)
B2 = RNG.normal(size=3).astype(np.float32)
MLP_INITS = {"W1": W1, "B1": B1, "W2": W2, "B2": B2}


def _mlp_after(first, x="x"):
    """``first`` (nodes ending in 'f'), then Gemm, Relu, Gemm, Softmax."""
    return [
        *first,
        helper.make_node("Gemm", ["f" if first else x, "W1", "B1"], ["z1"]),
        helper.make_node("Relu", ["z1"], ["a1"]),
        helper.make_node("Gemm", ["a1", "W2", "B2"], ["z2"]),
        helper.make_node("Softmax", ["z2"], ["y"], axis=-1),
    ]


@pytest.mark.parametrize("axis", [1, -1])
def test_a_flatten_of_flat_rows_is_read_as_the_no_op_it_is(axis):
    # PyTorch writes nn.Flatten() as a Flatten node; on (N, features) rows it changes
    # nothing, but load refused the whole network at it ("node ... (Flatten) is not
    # supported")
    model = _model(
        _mlp_after([helper.make_node("Flatten", ["x"], ["f"], axis=axis, name="flat")]),
        MLP_INITS, ["N", 4], ["N", 3],
    )  # fmt: skip
    net = load(model)
    assert isinstance(net, nn.MLP) and net.sizes == [4, 5, 3]
    X = RNG.normal(size=(6, 4)).astype(np.float32)
    _close(net.predict(X), _ort(model, X))


def test_images_flattened_first_load_as_a_network_of_the_flat_rows():
    # the usual PyTorch MLP for images: nn.Sequential(nn.Flatten(), nn.Linear(...), ...)
    # exported with (N, 1, 2, 2) images; glassnet's network takes the rows flattened
    # (X.reshape(len(X), -1), NumPy's C order, as ONNX's Flatten)
    for first in (
        [helper.make_node("Flatten", ["x"], ["f"])],
        [helper.make_node("Reshape", ["x", "shape"], ["f"])],
    ):
        inits = {**MLP_INITS, "shape": np.array([-1, 4], np.int64)}
        model = _model(_mlp_after(first), inits, ["N", 1, 2, 2], ["N", 3])
        net = load(model)
        assert isinstance(net, nn.MLP) and net.sizes == [4, 5, 3]
        X = RNG.normal(size=(6, 1, 2, 2)).astype(np.float32)
        _close(net.predict(X.reshape(6, -1)), _ort(model, X))


def test_a_flatten_that_does_not_give_rows_is_refused_by_name():
    for axis, dims in ((0, ["N", 4]), (2, ["N", 1, 2, 2]), (-2, ["N", 4])):
        first = [helper.make_node("Flatten", ["x"], ["f"], axis=axis, name="flat")]
        width = 4 if axis == 2 else 1  # (what the flattened rows would be)
        nodes = [
            *first,
            helper.make_node("Gemm", ["f", "W", "B"], ["y"]),
        ]
        model = helper.make_model(
            helper.make_graph(
                nodes, "g",
                [helper.make_tensor_value_info("x", TensorProto.FLOAT, dims)],
                [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 3])],
                [numpy_helper.from_array(np.ones((width, 3), np.float32), "W"),
                 numpy_helper.from_array(np.ones(3, np.float32), "B")],
            ),
            opset_imports=[helper.make_opsetid("", 19)],
        )  # fmt: skip
        with pytest.raises(OnnxError, match=rf"node 'flat' \(Flatten\) .*at axis {axis} of a"):
            load(model)
    # an image that no Flatten or Reshape makes rows is refused at the first layer
    model = _model(
        [helper.make_node("Relu", ["x"], ["y"], name="act")], {}, ["N", 1, 2, 2], ["N", 1, 2, 2]
    )
    with pytest.raises(OnnxError, match=r"node 'act' \(Relu\).* has 4 dimensions.*Flatten"):
        load(model)


def test_a_pytorch_mlp_that_starts_with_nn_flatten_imports():
    torch = pytest.importorskip("torch")  # optional: torch==2.13.0
    torch.manual_seed(0)
    tnet = torch.nn.Sequential(
        torch.nn.Flatten(),
        torch.nn.Linear(12, 8),
        torch.nn.ReLU(),
        torch.nn.Linear(8, 3),
        torch.nn.Softmax(dim=1),
    ).eval()
    X = np.random.default_rng(0).normal(size=(5, 3, 2, 2)).astype(np.float32)
    import io

    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notice
        torch.onnx.export(
            tnet, (torch.from_numpy(X),), buf, dynamo=False, input_names=["x"],
            dynamic_axes={"x": {0: "N"}},
        )  # fmt: skip
    assert "Flatten" in [n.op_type for n in onnx.load_from_string(buf.getvalue()).graph.node]
    net = load(buf.getvalue())
    assert isinstance(net, nn.MLP) and net.sizes == [12, 8, 3]
    with torch.no_grad():
        expected = tnet(torch.from_numpy(X)).numpy()
    _close(net.predict(X.reshape(5, -1)), expected)


def test_a_bias_add_and_a_slope_mul_read_in_either_order():
    # Add and Mul commute: PyTorch's exporter writes a Linear it cannot make a Gemm as
    # MatMul then Add(bias, z) (torch.onnx.symbolic_opset9.linear), which load refused
    # ("its first input must be the previous layer's output"); so was Mul(alpha, z) of
    # max(z, alpha z), and the bias Add after a Gemm without C
    alpha = np.array(0.25, np.float32)
    model = _model(
        [
            helper.make_node("MatMul", ["x", "W1"], ["m1"]),
            helper.make_node("Add", ["B1", "m1"], ["z1"]),
            helper.make_node("Mul", ["alpha", "z1"], ["az1"]),
            helper.make_node("Max", ["az1", "z1"], ["a1"]),
            helper.make_node("Gemm", ["a1", "W2"], ["g2"], alpha=0.5),
            helper.make_node("Add", ["B2", "g2"], ["y"]),
        ],
        {**MLP_INITS, "alpha": alpha}, ["N", 4], ["N", 3],
    )  # fmt: skip
    net = load(model)
    assert isinstance(net, nn.MLP) and net.sizes == [4, 5, 3]
    assert net.activations == ["leaky_relu"] and net.output_activation == "identity"
    assert net.leaky_alpha == 0.25
    X = RNG.normal(size=(8, 4)).astype(np.float32) * 3
    _close(net.predict(X), _ort(model, X))


@pytest.mark.parametrize("op", ["Add", "Mul"])
def test_a_constant_of_more_dimensions_than_rows_is_refused(op):
    # a one-value bias (or slope) of shape (1, 1, 1) broadcasts the (N, k) rows up to
    # (1, N, k): load read it as a plain number and returned a network whose outputs
    # have another shape than the file's
    c = np.full((1, 1, 1), 0.5, np.float32)
    nodes = [helper.make_node("MatMul", ["x", "W1"], ["m1"])]
    if op == "Add":
        nodes.append(helper.make_node("Add", ["m1", "c"], ["y"], name="bias"))
    else:
        nodes += [
            helper.make_node("Mul", ["m1", "c"], ["am"], name="bias"),
            helper.make_node("Max", ["m1", "am"], ["y"]),
        ]
    graph = helper.make_graph(
        nodes, "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, "N", 5])],
        [numpy_helper.from_array(W1, "W1"), numpy_helper.from_array(c, "c")],
    )  # fmt: skip
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 19)])
    model.ir_version = 9
    assert _ort(model, np.ones((2, 4), np.float32)).shape == (1, 2, 5)  # what the file computes
    with pytest.raises(OnnxError, match=rf"node 'bias' \({op}\) is not supported"):
        load(model)


def test_feeds_says_what_is_wrong_with_a_file_that_is_no_onnx_model(tmp_path):
    # feeds read its 'model' path with onnx.load: a truncated or foreign file raised
    # protobuf's DecodeError ("Error parsing message with type 'onnx.ModelProto'"), a
    # directory and a number Python's own errors naming no argument
    from glassnet.io import save_model
    from glassnet.onnx import feeds

    rows = {"x": [1.0, 2.0]}
    good = _model([helper.make_node("Gemm", ["x", "W"], ["y"])], {"W": np.ones((1, 2), np.float32)},
                  ["N", 1], ["N", 2]).SerializeToString()  # fmt: skip
    for name, data in (("half.onnx", good[: len(good) // 2]), ("text.onnx", b"not onnx\n")):
        (tmp_path / name).write_bytes(data)
        with pytest.raises(OnnxError, match=rf"^feeds: '.*{name}' is not a valid ONNX file"):
            feeds(tmp_path / name, rows)
    save_model(nn.MLP([1, 2], rng=0), tmp_path / "m.glassnet")
    with pytest.raises(OnnxError, match="is a safetensors file.*glassnet.onnx.export"):
        feeds(tmp_path / "m.glassnet", rows)
    with pytest.raises(IsADirectoryError, match="^feeds: .* is a directory"):
        feeds(tmp_path, rows)
    with pytest.raises(FileNotFoundError, match="^feeds: no such ONNX file"):
        feeds(tmp_path / "missing.onnx", rows)
    with pytest.raises(TypeError, match="^feeds: 'model' must be a path, bytes or an onnx"):
        feeds(123, rows)
    # the good file, as a path and as its bytes
    (tmp_path / "good.onnx").write_bytes(good)
    for model in (tmp_path / "good.onnx", good):
        got = feeds(model, rows)
        assert list(got) == ["x"] and got["x"].tolist() == [[1.0], [2.0]]


def test_export_names_a_bad_argument(tmp_path, monkeypatch):
    # verify="no" verified (a non-empty text is true), doc=5 became the description "5",
    # a number as path raised Python's "expected str, bytes or os.PathLike object", and
    # export("") said "'.' is a directory"
    from glassnet.onnx import export

    monkeypatch.chdir(tmp_path)
    net = nn.MLP([2, 3, 1], rng=0)
    with pytest.raises(ValueError, match=r"'verify' parameter of export must be a bool.*'no'"):
        export(net, verify="no")
    with pytest.raises(TypeError, match=r"^export: 'doc' must be a str .*Got int\."):
        export(net, doc=5)
    with pytest.raises(TypeError, match=r"^export: 'path' must be a str or os.PathLike.*Got int"):
        export(net, 123)
    with pytest.raises(ValueError, match=r"^export: 'model' is an empty path"):
        export("")
    assert list(tmp_path.iterdir()) == []  # nothing written
    proto = export(net, "net.onnx", doc="my model", verify=np.bool_(False))
    assert proto.doc_string.startswith("my model\n\n")
    assert "glassnet.verified" not in {p.key for p in proto.metadata_props}
    assert (tmp_path / "net.onnx").read_bytes() == proto.SerializeToString()


@pytest.mark.parametrize("target_opset", [11, 13, 15])
@pytest.mark.parametrize("labels", ["single", "binary", "multiclass"])
def test_skl2onnx_pipelines_convert_at_older_target_opsets(target_opset, labels):
    # skl2onnx.to_onnx(..., target_opset=13), for runtimes older than opset 15: a
    # classifier fitted on one class wrote Shape(start=0, end=1), an opset-15 form, and
    # the file did not check ("Unrecognized attribute: end for operator Shape")
    skl2onnx = pytest.importorskip("skl2onnx")
    pytest.importorskip("sklearn")
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from glassnet.onnx import register_skl2onnx
    from glassnet.sklearn import MLPClassifier

    register_skl2onnx()
    X = np.random.default_rng(0).normal(size=(40, 3)).astype(np.float32)
    y = {
        "single": ["only"] * 40,
        "binary": np.where(X[:, 0] > 0, "yes", "no"),
        "multiclass": np.arange(40) % 3,
    }[labels]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (few iterations: ConvergenceWarning)
        pipe = make_pipeline(StandardScaler(), MLPClassifier(max_iter=5, random_state=0)).fit(X, y)
    onx = skl2onnx.to_onnx(
        pipe, X[:1], target_opset=target_opset, options={MLPClassifier: {"zipmap": False}}
    )
    assert {o.domain: o.version for o in onx.opset_import}[""] == target_opset
    onnx.checker.check_model(onx, full_check=True)
    sess = ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
    label, proba = sess.run(None, {sess.get_inputs()[0].name: X})
    np.testing.assert_array_equal(label, pipe.predict(X))
    np.testing.assert_allclose(proba, pipe.predict_proba(X), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_a_train_model_with_a_column_named_like_an_output_exports(tmp_path, capsys, task):
    # the graph's inputs are named after the columns, and its outputs 'label' and
    # 'probabilities' (or 'variable'): a feature column of one of those names made two
    # values of one name, and export failed with "the ONNX graph does not check: Graph
    # must be in single static assignment (SSA) form"
    import csv

    from glassnet.cli import main
    from glassnet.io import load_pipeline
    from glassnet.onnx import feeds

    rng = np.random.default_rng(0)
    header = ["label", "probabilities", "variable", "target"]
    rows = []
    for i in range(90):
        a, b = rng.normal(), rng.normal()
        t = ("yes" if a + b > 0 else "no") if task == "classification" else f"{2 * a - b:.3f}"
        rows.append([f"{a:.3f}", f"{b:.3f}", ["red", "blue"][i % 2], t])
    path, model, out = tmp_path / "t.csv", tmp_path / "m.glassnet", tmp_path / "m.onnx"
    with open(path, "w", newline="") as f:
        csv.writer(f).writerows([header, *rows])
    flags = ["--target", "target", "--hidden", "4", "--epochs", "5", "--seed", "0"]
    assert main(["train", str(path), *flags, "--out", str(model)]) == 0
    assert main(["export", str(model), str(out)]) == 0
    capsys.readouterr()
    sess = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    assert [i.name for i in sess.get_inputs()] == header[:3]
    outputs = [o.name for o in sess.get_outputs()]
    raw = {c: [r[j] for r in rows] for j, c in enumerate(header[:3])}
    pipe = load_pipeline(model)
    got = sess.run(None, feeds(sess, raw))
    if task == "classification":
        assert outputs == ["label_out", "probabilities_out"]
        assert got[0].tolist() == list(pipe.predict(raw))
        np.testing.assert_allclose(got[1], pipe.predict_proba(raw), rtol=1e-5, atol=1e-6)
    else:
        assert outputs == ["variable_out"]
        want = np.asarray(pipe.predict(raw), np.float64).reshape(-1, 1)
        np.testing.assert_allclose(got[0], want, rtol=1e-5, atol=1e-5 * np.abs(want).max())


def test_export_refuses_to_write_over_the_files_it_reads(tmp_path, capsys):
    # export("m.glassnet", "m.glassnet") replaced the trained model with its ONNX graph,
    # and path=impute_from the training CSV (glassnet export on the command line refuses
    # both; the Python function did not)
    import csv

    from glassnet.cli import main
    from glassnet.onnx import export

    rng = np.random.default_rng(0)
    rows = [[f"{a:.3f}", "yes" if a > 0 else "no"] for a in rng.normal(size=40)]
    rows[3][0] = ""  # (a missing cell: --impute has something to do)
    data, model = tmp_path / "t.csv", tmp_path / "m.glassnet"
    with open(data, "w", newline="") as f:
        csv.writer(f).writerows([["a", "y"], *rows])
    flags = ["--target", "y", "--impute", "mean", "--epochs", "2", "--seed", "0"]
    assert main(["train", str(data), *flags, "--out", str(model)]) == 0
    capsys.readouterr()
    before = {p: p.read_bytes() for p in (data, model)}
    (tmp_path / "link.onnx").symlink_to(model)
    for path in (model, tmp_path / "link.onnx", tmp_path / "sub" / ".." / "m.glassnet"):
        with pytest.raises(ValueError, match=r"^export: 'path' .* is the file of 'model' \("):
            export(model, path)
    with pytest.raises(ValueError, match=r"^export: 'path' .* is the file of 'impute_from'"):
        export(model, data, impute_from=data)
    assert {p: p.read_bytes() for p in (data, model)} == before
    proto = export(str(model), tmp_path / "m.onnx", impute_from=data)  # other paths: written
    assert (tmp_path / "m.onnx").read_bytes() == proto.SerializeToString()


def test_feeds_refuses_columns_of_different_lengths(tmp_path, capsys):
    # the inputs were built all the same, and onnxruntime failed in the graph: "Non concat
    # axis dimensions must match: Axis 0 has mismatched dimensions of 1 and 2" (naming
    # an internal node, not the column)
    import csv

    from glassnet.cli import main
    from glassnet.onnx import feeds

    rng = np.random.default_rng(0)
    rows = [[f"{a:.3f}", f"{b:.3f}", ["red", "blue"][i % 2], "yes" if a > b else "no"]
            for i, (a, b) in enumerate(rng.normal(size=(40, 2)))]  # fmt: skip
    data, model, out = tmp_path / "t.csv", tmp_path / "m.glassnet", tmp_path / "m.onnx"
    with open(data, "w", newline="") as f:
        csv.writer(f).writerows([["a", "b", "color", "y"], *rows])
    assert main(["train", str(data), "--target", "y", "--epochs", "2", "--out", str(model)]) == 0
    assert main(["export", str(model), str(out)]) == 0
    capsys.readouterr()
    sess = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    for rows_ in (
        {"a": [1, 2], "b": [1], "color": ["red", "red"]},
        {"a": [1, 2], "b": [1, 3], "color": "red"},  # (one text: one row)
    ):
        with pytest.raises(ValueError, match=r"^feeds: .*different numbers of rows \('a': 2, "):
            feeds(sess, rows_)
    label, _ = sess.run(None, feeds(sess, {"a": [1], "b": [2], "color": "red"}))
    assert label.shape == (1,)


def test_load_leaves_the_model_it_is_given_as_it_was():
    # a Constant node's tensor was renamed in the caller's ModelProto (load set its name
    # to the node's output), so the model saved afterwards was another file
    nodes = [
        helper.make_node("Constant", [], ["W"], value=numpy_helper.from_array(W1, "")),
        helper.make_node("Gemm", ["x", "W", "B1"], ["y"]),
    ]
    model = _model(nodes, {"B1": B1}, ["N", 4], ["N", 5])
    before = model.SerializeToString()
    net = load(model)
    assert model.SerializeToString() == before
    X = RNG.normal(size=(3, 4)).astype(np.float32)
    _close(net.predict(X), _ort(model, X))


def test_feeds_of_a_network_or_estimator_says_how_to_run_it():
    # feeds is for 'glassnet train' models (one input per column); given an exported
    # estimator and its DataFrame it said "the rows lack the model's input column(s) ['X']"
    pytest.importorskip("sklearn")
    pd = pytest.importorskip("pandas")
    from glassnet.onnx import export, feeds
    from glassnet.sklearn import MLPClassifier

    df = pd.DataFrame(RNG.normal(size=(20, 3)), columns=["a", "b", "c"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = MLPClassifier(hidden_layer_sizes=(3,), max_iter=5).fit(df, [0, 1] * 10)
    for proto in (export(clf), export(nn.MLP([3, 2], rng=0))):
        sess = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
        for model in (sess, proto):
            with pytest.raises(ValueError, match=r"takes one matrix: sess.run\(None, \{'X': X\}\)"):
                feeds(model, df)


ACTS_AND_NO_OPS = [
    *("Relu", "Sigmoid", "Tanh", "LeakyRelu", "Softmax", "MulMax"),
    *("Identity", "Flatten", "Reshape", "Cast"),
]


def _random_chain(rng):
    """A random valid ONNX MLP as other tools write them: Gemm (alpha, beta, transB, the
    bias a vector, a row or one value), Gemm without C then Add, MatMul + Add in either
    order, MatMul alone; activations, Identity, Flatten, Cast, Reshape and the Mul/Max
    leaky ReLU with its inputs in either order; nodes in any order. Returns the model,
    the input's dtype and width."""
    dt = (np.float32, np.float64)[int(rng.integers(2))]
    elem = TensorProto.FLOAT if dt == np.float32 else TensorProto.DOUBLE
    d = int(rng.integers(1, 5))
    width, cur, nodes, inits = d, "x", [], {}
    names = (f"v{i}" for i in itertools.count())

    def either(a, b):
        return [a, b] if rng.random() < 0.5 else [b, a]

    for _ in range(int(rng.integers(1, 4))):
        n = int(rng.integers(1, 5))
        W, b = rng.normal(size=(width, n)).astype(dt), rng.normal(size=n).astype(dt)
        w, c, m, out = next(names), next(names), next(names), next(names)
        kind = int(rng.integers(5))
        if kind == 0:
            alpha, beta = float(rng.choice([1.0, 0.5])), float(rng.choice([1.0, -2.0]))
            inits[w], inits[c] = W, (b, b[None, :], b[:1])[int(rng.integers(3))]
            nodes.append(helper.make_node("Gemm", [cur, w, c], [out], alpha=alpha, beta=beta))
        elif kind == 1:
            inits[w], inits[c] = W.T.copy(), b
            nodes.append(helper.make_node("Gemm", [cur, w, c], [out], transB=1))
        elif kind in (2, 3):
            inits[w], inits[c] = W, b
            op = "Gemm" if kind == 2 else "MatMul"
            nodes += [
                helper.make_node(op, [cur, w], [m]),
                helper.make_node("Add", either(m, c), [out]),
            ]
        else:
            inits[w] = W
            nodes.append(helper.make_node("MatMul", [cur, w], [out]))
        cur, width = out, n
        for _ in range(int(rng.integers(0, 3))):
            op, o = str(rng.choice(ACTS_AND_NO_OPS)), next(names)
            if op == "LeakyRelu" and dt == np.float32:
                nodes.append(helper.make_node(op, [cur], [o], alpha=float(rng.choice([0, 0.3]))))
            elif op == "Softmax":
                nodes.append(helper.make_node(op, [cur], [o], axis=int(rng.choice([1, -1]))))
            elif op in ("MulMax", "LeakyRelu"):  # (onnxruntime's LeakyRelu is float32 only)
                a, az = next(names), next(names)
                inits[a] = np.array(rng.choice([0.0, 0.2]), dt)
                nodes += [helper.make_node("Mul", either(cur, a), [az]),
                          helper.make_node("Max", either(cur, az), [o])]  # fmt: skip
            elif op == "Reshape":
                s = next(names)
                inits[s] = np.array(([-1, width], [0, -1])[int(rng.integers(2))], np.int64)
                nodes.append(helper.make_node(op, [cur, s], [o]))
            elif op == "Cast":
                nodes.append(helper.make_node(op, [cur], [o], to=elem))
            else:
                nodes.append(helper.make_node(op, [cur], [o]))
            cur = o
    nodes.append(helper.make_node("Identity", [cur], ["y"]))
    nodes = [nodes[i] for i in rng.permutation(len(nodes))]  # (a graph need not be sorted)
    graph = helper.make_graph(
        nodes, "g",
        [helper.make_tensor_value_info("x", elem, ["N", d])],
        [helper.make_tensor_value_info("y", elem, ["N", width])],
        [numpy_helper.from_array(np.asarray(v), k) for k, v in inits.items()],
    )  # fmt: skip
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 19)])
    model.ir_version = 9
    return model, dt, d


def test_random_mlps_in_the_forms_other_tools_write_load_and_predict_as_onnxruntime():
    # every valid chain of the supported forms loads, and the network predicts what
    # onnxruntime computes from the file (the same seed every run)
    rng = np.random.default_rng(2026)
    for _ in range(300):
        model, dt, d = _random_chain(rng)
        X = (rng.normal(size=(6, d)) * 3).astype(dt)
        sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
        want = sess.run(None, {"x": X})[0]
        got = load(model).predict(X)
        assert got.shape == want.shape
        rtol = 1e-5 if dt == np.float32 else 1e-12
        np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * np.abs(want).max())
