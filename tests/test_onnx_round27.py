"""ONNX audit 27: export(path, task=...) applies the task to a bare network's file and
refuses it for a 'glassnet train' file; a float32 LeakyReLU slope that float32 rounds to 1
is refused by export (as load would refuse the file); export of a loaded chain that is no
Linear+activation chain names the shape; sparse initializers and Constant value_float(s)
/ value_int(s) are read; a declared output type that differs from the network's, a
pre-opset-7 bias without broadcast=1 and conflicting opset declarations are refused; the
feeds warning says what glassnet predict does with 'NA' texts."""

from __future__ import annotations

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from onnx import TensorProto as T  # noqa: E402
from onnx import helper as h  # noqa: E402
from onnx import numpy_helper as nh  # noqa: E402

import glassnet as gn  # noqa: E402
from glassnet import nn  # noqa: E402
from glassnet.onnx import OnnxError, export, load  # noqa: E402
from glassnet.tasks import infer_task  # noqa: E402


def _model(nodes, inits, *, width=3, out=4, opset=17, elem=T.FLOAT, out_elem=None, opsets=None,
           sparse=()):  # fmt: skip
    g = h.make_graph(
        nodes, "g", [h.make_tensor_value_info("X", elem, ["N", width])],
        [h.make_tensor_value_info("Y", out_elem or elem, ["N", out])], inits,
        sparse_initializer=list(sparse),
    )  # fmt: skip
    ops = opsets or [("", opset)]
    return h.make_model(g, opset_imports=[h.make_opsetid(d, v) for d, v in ops], ir_version=8)


def _ort(m, X):
    sess = ort.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"])
    return sess.run(None, {"X": X})[0]


_ONES = nh.from_array(np.ones((3, 4), "f4"), "W")
X3 = np.random.default_rng(1).normal(size=(5, 3)).astype(np.float32)


# ------------------------------------------------------------------ 1. task= with a file


def test_task_applies_to_a_bare_network_file(tmp_path):
    path = tmp_path / "plain.glassnet"
    gn.save(nn.MLP([3, 5, 3], output_activation="softmax", rng=0), path)
    task = infer_task(np.array(["a", "b", "c"]))
    m = export(path, task=task)
    assert [o.name for o in m.graph.output] == ["label", "probabilities"]
    label, proba = ort.InferenceSession(
        m.SerializeToString(), providers=["CPUExecutionProvider"]
    ).run(None, {"X": X3})
    net = gn.load(path)
    np.testing.assert_array_equal(label, task.decode(net.predict(X3)))


def test_task_is_checked_against_a_bare_network_file(tmp_path):
    path = tmp_path / "plain.glassnet"
    gn.save(nn.MLP([3, 5, 2], output_activation="softmax", rng=0), path)
    task = infer_task(np.array(["a", "b", "c"]))
    with pytest.raises(ValueError, match="3 classes needs 3 outputs"):
        export(path, task=task)


def test_task_is_refused_for_a_glassnet_train_file(tmp_path):
    from glassnet.cli import main

    rng = np.random.default_rng(0)
    lines = ["a,b,y"] + [f"{a:.3f},{b:.3f},{int(a > b)}" for a, b in rng.normal(size=(40, 2))]
    data = tmp_path / "d.csv"
    data.write_text("\n".join(lines) + "\n")
    model = tmp_path / "m.glassnet"
    argv = ["train", str(data), "--target", "y", "--epochs", "1", "-q", "--out", str(model)]
    assert main(argv) == 0
    with pytest.raises(ValueError, match="'glassnet train'.*knows its task"):
        export(model, task=infer_task(np.array([0, 1])))


# ------------------------------------------------------------------ 2. LeakyReLU slope


def test_a_float32_slope_that_rounds_to_one_is_refused_by_export():
    net = nn.Sequential(nn.Linear(3, 4, rng=0), nn.LeakyReLU(0.99999999), nn.Linear(4, 2, rng=1))
    with pytest.raises(TypeError, match=r"0\.99999999 is 1\.0 in float32.*0\.99999994"):
        export(net)
    # in float64 too: onnxruntime's optimizer rounds max(z, slope z)'s slope to float32
    net64 = nn.Sequential(
        nn.Linear(3, 4, rng=0, dtype=np.float64), nn.LeakyReLU(0.99999999),
        nn.Linear(4, 2, rng=1, dtype=np.float64),
    )  # fmt: skip
    with pytest.raises(TypeError, match=r"0\.99999999 is 1\.0 once rounded.*onnxruntime"):
        export(net64)


def test_glassnet_leaky_relu_files_round_trip_and_keep_the_written_slope():
    for slope in (0.1, 0.99999994, 0.2):
        net = nn.Sequential(nn.Linear(3, 4, rng=0), nn.LeakyReLU(slope), nn.Linear(4, 2, rng=1))
        back = load(export(net))
        np.testing.assert_array_equal(back.predict(X3), net.predict(X3))
        (alpha,) = {m.alpha for m in back.modules() if getattr(m, "name", "") == "leaky_relu"}
        assert alpha == slope  # (0.1, not 0.10000000149011612)
        load(export(back))


# ------------------------------------------------------------------ 3. loaded chains


def _chain(kind):
    r = np.random.default_rng(0)
    W, W2 = r.normal(size=(3, 4)).astype("f4"), r.normal(size=(4, 2)).astype("f4")
    inits = [nh.from_array(W, "W"), nh.from_array(np.zeros(4, "f4"), "b"),
             nh.from_array(W2, "W2"), nh.from_array(np.zeros(2, "f4"), "b2")]  # fmt: skip
    first = {"two": "Relu", "hidden_softmax": "Softmax"}.get(kind, "Relu")
    if kind == "leading":
        nodes = [h.make_node("Tanh", ["X"], ["T"]), h.make_node("Gemm", ["T", "W", "b"], ["Z"]),
                 h.make_node("Relu", ["Z"], ["R2"])]  # fmt: skip
    else:
        nodes = [h.make_node("Gemm", ["X", "W", "b"], ["Z"]), h.make_node(first, ["Z"], ["R"])]
        nodes.append(h.make_node("Relu", ["R"], ["R2"]) if kind == "two" else
                     h.make_node("Identity", ["R"], ["R2"]))  # fmt: skip
    nodes.append(h.make_node("Gemm", ["R2", "W2", "b2"], ["Y"]))
    return _model(nodes, inits, out=2)


@pytest.mark.parametrize(
    ("kind", "words"),
    [("two", "two activations"), ("leading", "starts with an activation"),
     ("hidden_softmax", "softmax on a hidden layer")],
)  # fmt: skip
def test_a_loaded_chain_export_cannot_write_is_refused_naming_its_shape(kind, words, tmp_path):
    m = _chain(kind)
    net = load(m)
    np.testing.assert_allclose(net.predict(X3), _ort(m, X3), rtol=1e-5, atol=1e-6)
    assert "Sequential 3-4-2" in str(gn.summary(net))
    gn.save(net, tmp_path / "net.glassnet")  # (what the message offers)
    np.testing.assert_array_equal(gn.load(tmp_path / "net.glassnet").predict(X3), net.predict(X3))
    with pytest.raises(TypeError) as info:
        export(net)
    msg = str(info.value)
    assert words in msg and "Linear" in msg and "gn.save" in msg


def test_a_model_file_of_such_a_chain_is_refused_by_export_and_glassnet_export(tmp_path, capsys):
    from glassnet.cli import main

    path = tmp_path / "net.glassnet"
    gn.save(load(_chain("two")), path)
    with pytest.raises(OnnxError, match=f"two activations after one Linear layer.*'{path}'"):
        export(path)
    assert main(["export", str(path), str(tmp_path / "net.onnx")]) == 2
    err = capsys.readouterr().err
    assert "two activations after one Linear layer" in err and "internal error" not in err


# ------------------------------------------------------------------ 4. sparse initializers


def test_a_sparse_initializer_is_read_densified():
    W = np.zeros((3, 4), np.float32)
    W[0, 1], W[2, 3], W[1, 0] = 1.5, -2.0, 0.25
    idx = np.flatnonzero(W)
    sp = h.make_sparse_tensor(
        nh.from_array(W.ravel()[idx], "W"), nh.from_array(idx.astype(np.int64), "W_idx"), [3, 4]
    )
    m = _model([h.make_node("Gemm", ["X", "W", "b"], ["Y"])],
               [nh.from_array(np.arange(4, dtype="f4"), "b")], sparse=[sp])  # fmt: skip
    net = load(m)
    np.testing.assert_allclose(net.predict(X3), _ort(m, X3), rtol=1e-6)
    # 2-D (NNZ, rank) indices too
    coo = np.argwhere(W)
    sp2 = h.make_sparse_tensor(
        nh.from_array(W[W != 0], "W"), nh.from_array(coo.astype(np.int64), "W_idx"), [3, 4]
    )
    m2 = _model([h.make_node("Gemm", ["X", "W", "b"], ["Y"])],
                [nh.from_array(np.arange(4, dtype="f4"), "b")], sparse=[sp2])  # fmt: skip
    np.testing.assert_array_equal(load(m2).predict(X3), net.predict(X3))


def test_a_bad_or_large_sparse_initializer_is_refused_by_name():
    sp = h.make_sparse_tensor(
        nh.from_array(np.ones(2, "f4"), "W"), nh.from_array(np.array([0, 99]), "W_idx"), [3, 4]
    )
    m = _model([h.make_node("Gemm", ["X", "W"], ["Y"])], [], sparse=[sp])
    with pytest.raises(OnnxError, match="sparse initializer 'W'.*index"):
        load(m)
    big = h.make_sparse_tensor(
        nh.from_array(np.ones(1, "f4"), "W"), nh.from_array(np.array([0]), "W_idx"), [30000, 40000]
    )
    m = _model([h.make_node("Gemm", ["X", "W"], ["Y"])], [], width=30000, out=40000, sparse=[big])
    with pytest.raises(OnnxError, match="'W'.*max_weights"):
        load(m, max_weights=1000)


# ------------------------------------------------------------------ 5. Constant value_float(s)


@pytest.mark.parametrize("attr", ["value_floats", "value_float"])
def test_constant_value_floats_is_read(attr):
    val = [0.1, 0.2, 0.3, 0.4] if attr == "value_floats" else 0.5
    m = _model(
        [h.make_node("Constant", [], ["b"], **{attr: val}),
         h.make_node("Gemm", ["X", "W", "b"], ["Y"])],
        [nh.from_array(np.ones((3, 4), "f4"), "W")],
    )  # fmt: skip
    np.testing.assert_allclose(load(m).predict(X3), _ort(m, X3), rtol=1e-6)


def test_constant_value_ints_as_a_reshape_shape_is_read():
    m = _model(
        [h.make_node("Constant", [], ["s"], value_ints=[-1, 3]),
         h.make_node("Reshape", ["X", "s"], ["Xr"]), h.make_node("Gemm", ["Xr", "W"], ["Y"])],
        [nh.from_array(np.ones((3, 4), "f4"), "W")],
    )  # fmt: skip
    np.testing.assert_allclose(load(m).predict(X3), _ort(m, X3), rtol=1e-6)


def test_constant_sparse_value_is_read():
    W = np.zeros((3, 4), np.float32)
    W[1, 2], W[0, 0] = 2.0, -1.0
    idx = np.flatnonzero(W)
    sp = h.make_sparse_tensor(
        nh.from_array(W.ravel()[idx], "v"), nh.from_array(idx.astype(np.int64), "i"), [3, 4]
    )
    gemm = h.make_node("Gemm", ["X", "W"], ["Y"])
    m = _model([h.make_node("Constant", [], ["W"], sparse_value=sp), gemm], [])
    np.testing.assert_allclose(load(m).predict(X3), _ort(m, X3), rtol=1e-6)
    bad = _model([h.make_node("Constant", [], ["W"], value_strings=["a"]), gemm], [])
    with pytest.raises(OnnxError, match="value_float.*value_int"):
        load(bad)


# ------------------------------------------------------------------ 6. what onnx.checker refuses


def test_an_output_declared_double_on_a_float32_graph_is_refused():
    m = _model([h.make_node("Gemm", ["X", "W"], ["Y"])], [_ONES], out_elem=T.DOUBLE)
    with pytest.raises(OnnxError, match="'Y' is declared double.*float32"):
        load(m)


def test_an_opset_6_bias_without_broadcast_is_refused():
    inits = [nh.from_array(np.ones((3, 4), "f4"), "W"), nh.from_array(np.zeros(4, "f4"), "b")]
    m = _model([h.make_node("Gemm", ["X", "W", "b"], ["Y"])], inits, opset=6)
    with pytest.raises(OnnxError, match="opset 6.*broadcast"):
        load(m)
    m = _model([h.make_node("Gemm", ["X", "W", "b"], ["Y"], broadcast=1)], inits, opset=6)
    np.testing.assert_array_equal(load(m).predict(X3), X3 @ np.ones((3, 4), "f4"))
    m = _model([h.make_node("MatMul", ["X", "W"], ["Z"]), h.make_node("Add", ["Z", "b"], ["Y"])],
               inits, opset=6)  # fmt: skip
    with pytest.raises(OnnxError, match="opset 6.*broadcast"):
        load(m)


def test_conflicting_opset_declarations_are_refused():
    m = _model([h.make_node("Gemm", ["X", "W"], ["Y"])], [_ONES], opsets=[("", 17), ("", 11)])
    with pytest.raises(OnnxError, match="opset.*17.*11"):
        load(m)
    m.ClearField("opset_import")
    m.opset_import.extend([h.make_opsetid("", 17), h.make_opsetid("", 17)])
    load(m)  # (the same version twice says one thing)


# ------------------------------------------------------------------ 7. feeds and 'NA'


def test_feeds_names_a_column_whose_categories_pandas_reads_as_missing(tmp_path):
    from glassnet.cli import main
    from glassnet.onnx import feeds

    rng = np.random.default_rng(0)
    lines = ["a,c,y"]
    for i in range(60):
        a = rng.normal()
        lines.append(f"{a:.3f},{['NA', 'red', 'blue'][i % 3]},{int(a > 0)}")
    data = tmp_path / "d.csv"
    data.write_text("\n".join(lines) + "\n")
    model = tmp_path / "m.glassnet"
    argv = ["train", str(data), "--target", "y", "--epochs", "1", "-q", "--impute", "mean",
            "--categorical", "c", "--missing", "", "--out", str(model)]  # fmt: skip
    assert main(argv) == 0
    proto = export(model)
    with pytest.warns(UserWarning) as rec:
        feeds(proto, {"a": [0.5, 0.1], "c": ["red", None]})
    msg = str(rec[0].message)
    assert "glassnet predict does" not in msg
    assert "'c'" in msg and "'NA'" in msg and "keep_default_na=False" in msg


# ------------------------------------------------------------------ review 27b


def _leaky64(alpha):
    r = np.random.default_rng(0)
    inits = [nh.from_array(r.normal(size=(3, 4)), "W"), nh.from_array(r.normal(size=4), "b")]
    nodes = [h.make_node("Gemm", ["X", "W", "b"], ["Z"]),
             h.make_node("LeakyRelu", ["Z"], ["Y"], alpha=alpha)]  # fmt: skip
    return _model(nodes, inits, elem=T.DOUBLE)


@pytest.mark.parametrize("alpha", [0.1, 0.123456789, 0.2, 0.01])
def test_a_float64_leaky_relu_keeps_the_attribute_value_and_matches_onnxruntime(alpha):
    m = _leaky64(alpha)
    X = -np.abs(np.random.default_rng(2).normal(size=(200, 3))) * 10
    net = load(m)
    (slope,) = {m.alpha for m in net.modules() if getattr(m, "name", "") == "leaky_relu"}
    assert slope == float(np.float32(alpha))  # (the float32 attribute's exact value)
    np.testing.assert_array_equal(net.predict(X), _ort(m, X))


def test_a_float32_max_mul_pair_gives_the_same_slope_as_the_leaky_relu_attribute():
    r = np.random.default_rng(0)
    inits = [nh.from_array(r.normal(size=(3, 4)).astype("f4"), "W"),
             nh.from_array(r.normal(size=4).astype("f4"), "b")]  # fmt: skip
    pair = [h.make_node("Gemm", ["X", "W", "b"], ["Z"]),
            h.make_node("Constant", [], ["a"], value_float=0.1),
            h.make_node("Mul", ["Z", "a"], ["AZ"]),
            h.make_node("Max", ["Z", "AZ"], ["Y"])]  # fmt: skip
    attr = [pair[0], h.make_node("LeakyRelu", ["Z"], ["Y"], alpha=0.1)]
    a, b = load(_model(pair, inits)), load(_model(attr, inits))
    slopes = [
        {m.alpha for m in n.modules() if getattr(m, "name", "") == "leaky_relu"} for n in (a, b)
    ]
    assert slopes == [{0.1}, {0.1}]
    assert repr(a) == repr(b)
    np.testing.assert_array_equal(a.predict(X3), b.predict(X3))


def test_a_sparse_initializer_named_as_a_constant_output_is_refused():
    b = h.make_sparse_tensor(
        nh.from_array(np.array([5.0], "f4"), "b"), nh.from_array(np.array([0], np.int64)), [4]
    )
    nodes = [h.make_node("Constant", [], ["b"], value=nh.from_array(np.full(4, 7, "f4"))),
             h.make_node("Gemm", ["X", "W", "b"], ["Y"])]  # fmt: skip
    with pytest.raises(OnnxError, match="'b' is both an initializer and the output of node"):
        load(_model(nodes, [_ONES], sparse=[b]))
    # two sparse initializers of one name: refused as two dense ones are
    b2 = h.make_sparse_tensor(
        nh.from_array(np.array([6.0], "f4"), "b"), nh.from_array(np.array([1], np.int64)), [4]
    )
    with pytest.raises(OnnxError, match="'b' is given by two initializers"):
        load(_model([nodes[1]], [_ONES], sparse=[b, b2]))


def _two_outputs(proba_type):
    r = np.random.default_rng(0)
    inits = [nh.from_array(r.normal(size=(3, 4)).astype("f4"), "W"),
             nh.from_array(np.zeros(4, "f4"), "b")]  # fmt: skip
    nodes = [h.make_node("Gemm", ["X", "W", "b"], ["Z"]),
             h.make_node("Softmax", ["Z"], ["P"], axis=1),
             h.make_node("ArgMax", ["P"], ["L"], axis=1, keepdims=0)]  # fmt: skip
    g = h.make_graph(
        nodes, "g", [h.make_tensor_value_info("X", T.FLOAT, ["N", 3])],
        [h.make_tensor_value_info("L", T.INT64, ["N"]),
         h.make_tensor_value_info("P", proba_type, ["N", 4])], inits,
    )  # fmt: skip
    return h.make_model(g, opset_imports=[h.make_opsetid("", 17)], ir_version=8)


def test_the_declared_type_of_a_classifier_graphs_probabilities_is_checked():
    np.testing.assert_allclose(load(_two_outputs(T.FLOAT)).predict(X3).sum(1), 1, rtol=1e-6)
    with pytest.raises(OnnxError, match="'P' is declared double.*float32"):
        load(_two_outputs(T.DOUBLE))
    m = _two_outputs(T.FLOAT)  # (the label: ArgMax gives int64)
    m.graph.output[0].type.tensor_type.elem_type = T.DOUBLE
    with pytest.raises(OnnxError, match="'L' is declared double.*int64"):
        load(m)


def test_conflicting_opsets_of_a_domain_glassnet_does_not_read_are_accepted():
    ops = [("", 17), ("ai.onnx.ml", 3), ("ai.onnx.ml", 1)]
    m = _model([h.make_node("Gemm", ["X", "W"], ["Y"])], [_ONES], opsets=ops)
    np.testing.assert_array_equal(load(m).predict(X3), _ort(m, X3))
    m = _model(
        [h.make_node("Gemm", ["X", "W"], ["Y"])], [_ONES], opsets=[("", 17), ("ai.onnx", 11)]
    )
    with pytest.raises(OnnxError, match="opset 17 and opset 11"):
        load(m)


def test_errors_for_a_glassnet_file_do_not_advise_keeping_it_in_a_glassnet_file(tmp_path):
    near1 = tmp_path / "near1.glassnet"
    gn.save(nn.MLP([3, 4, 2], activation="leaky_relu", leaky_alpha=0.99999999, rng=0), near1)
    chain = tmp_path / "chain.glassnet"
    gn.save(load(_chain("two")), chain)
    gelu = tmp_path / "gelu.glassnet"
    gn.save(nn.Sequential(nn.Linear(3, 4, rng=0), nn.GELU(), nn.Linear(4, 2, rng=1)), gelu)
    big = tmp_path / "big.glassnet"
    gn.save(nn.Sequential(nn.Linear(3, 4, rng=0), nn.LeakyReLU(1.5), nn.Linear(4, 2, rng=1)), big)
    for path in (near1, chain, gelu, big):
        with pytest.raises(OnnxError) as info:
            export(path)
        msg = str(info.value)
        assert str(path) in msg and "glassnet file" not in msg and "save" not in msg, msg


def test_task_refusal_for_a_regression_train_file_speaks_of_its_task_only(tmp_path):
    from glassnet.cli import main

    rng = np.random.default_rng(0)
    lines = ["a,b,y"] + [f"{a:.3f},{b:.3f},{a - b:.3f}" for a, b in rng.normal(size=(40, 2))]
    data = tmp_path / "d.csv"
    data.write_text("\n".join(lines) + "\n")
    model = tmp_path / "m.glassnet"
    argv = ["train", str(data), "--target", "y", "--epochs", "1", "-q", "--out", str(model)]
    assert main(argv) == 0
    with pytest.raises(ValueError, match="knows its task") as info:
        export(model, task=infer_task(np.array([0.5, 1.5])))
    assert "label" not in str(info.value)


def test_the_feeds_warning_says_missing_cell_texts_readably(tmp_path):
    from glassnet.cli import main
    from glassnet.onnx import feeds

    rng = np.random.default_rng(0)
    lines = ["a,c,y"] + [
        f"{a:.3f},{['red', 'blue'][i % 2]},{int(a > 0)}" for i, a in enumerate(rng.normal(size=40))
    ]
    data = tmp_path / "d.csv"
    data.write_text("\n".join(lines) + "\n")
    model = tmp_path / "m.glassnet"
    argv = ["train", str(data), "--target", "y", "--epochs", "1", "-q", "--impute", "mean",
            "--categorical", "c", "--missing", "", "--out", str(model)]  # fmt: skip
    assert main(argv) == 0
    with pytest.warns(UserWarning) as rec:
        feeds(export(model), {"a": [np.nan, 0.1], "c": ["red", "blue"]})
    msg = str(rec[0].message)
    assert "['']" not in msg and "as written" not in msg, msg
    assert "'NA'" in msg and "keep_default_na=False" in msg
