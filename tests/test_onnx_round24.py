"""ONNX import: a node of another domain refused naming its domain; two producers of one
value among initializers and Constant nodes refused; Dropout at inference read as the
identity; a Cast of a weight folded, a narrowing Cast between layers refused; PyTorch's
x.view(x.size(0), -1) refused with the fix; external data refused with the receiver's recipe."""

from __future__ import annotations

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from onnx import TensorProto as T  # noqa: E402
from onnx import helper as h  # noqa: E402
from onnx import numpy_helper as nh  # noqa: E402

from glassnet.onnx import OnnxError, load  # noqa: E402


def _model(nodes, inits, *, width=4, out=3, opset=19, elem=T.FLOAT, extra=(), outputs=None):
    g = h.make_graph(
        nodes, "g", [h.make_tensor_value_info("X", elem, ["N", width])],
        outputs or [h.make_tensor_value_info("Y", elem, ["N", out])], inits,
    )  # fmt: skip
    return h.make_model(
        g, opset_imports=[h.make_opsetid("", opset), *extra], ir_version=min(onnx.IR_VERSION, 9)
    )


def _ort(m, X):
    sess = ort.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"])
    return sess.run(None, {"X": X})[0]


def _W(seed=0, shape=(4, 3)):
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


# ------------------------------------------------------------------ 1. foreign domain


@pytest.mark.parametrize("op", ["Relu", "Gemm"])
def test_a_supported_op_of_another_domain_names_the_domain(op):
    nodes = [h.make_node("Gemm", ["X", "W"], ["Z"])]
    if op == "Relu":
        nodes.append(h.make_node("Relu", ["Z"], ["Y"], domain="com.example"))
    else:
        nodes = [h.make_node("Gemm", ["X", "W"], ["Y"], domain="com.example")]
    m = _model(nodes, [nh.from_array(_W(), "W")], extra=[h.make_opsetid("com.example", 1)])
    with pytest.raises(OnnxError) as info:
        load(m)
    msg = str(info.value)
    assert f"{op} of domain 'com.example'" in msg
    assert "only the default ONNX domain's ops are read" in msg


# ------------------------------------------------------------------ 2. two producers


def test_two_initializers_of_one_name_are_refused():
    W = _W()
    m = _model(
        [h.make_node("Gemm", ["X", "W"], ["Y"])], [nh.from_array(W, "W"), nh.from_array(2 * W, "W")]
    )
    with pytest.raises(OnnxError, match="'W'.*two initializers"):
        load(m)


def test_a_constant_node_named_like_an_initializer_is_refused():
    W = _W()
    nodes = [
        h.make_node("Constant", [], ["W"], value=nh.from_array(2 * W, "c")),
        h.make_node("Gemm", ["X", "W"], ["Y"]),
    ]
    m = _model(nodes, [nh.from_array(W, "W")])
    with pytest.raises(OnnxError, match="'W'.*initializer.*node"):
        load(m)


# ------------------------------------------------------------------ 3. Dropout


def _dropout_model(inputs=("Z",), outputs=("Y",), consts=(), opset=19, **attrs):
    W = _W()
    nodes = [
        h.make_node("Gemm", ["X", "W"], ["Z"]),
        h.make_node("Dropout", list(inputs), list(outputs), name="drop", **attrs),
    ]
    return _model(nodes, [nh.from_array(W, "W"), *consts], opset=opset), W


@pytest.mark.parametrize("opset", [11, 12, 19])
def test_an_inference_dropout_is_the_identity(opset):
    m, W = _dropout_model(opset=opset)
    X = np.random.default_rng(1).normal(size=(5, 4)).astype(np.float32)
    net = load(m)
    np.testing.assert_array_equal(net.predict(X), _ort(m, X))
    np.testing.assert_allclose(net.predict(X), X @ W, rtol=1e-6)


def test_dropout_with_a_constant_ratio_and_training_mode_false_is_the_identity():
    consts = [nh.from_array(np.array(0.3, np.float32), "r"), nh.from_array(np.array(False), "t")]
    m, W = _dropout_model(inputs=("Z", "r", "t"), consts=consts)
    X = np.ones((2, 4), np.float32)
    np.testing.assert_array_equal(load(m).predict(X), _ort(m, X))


def test_dropout_in_training_mode_is_refused():
    consts = [nh.from_array(np.array(0.5, np.float32), "r"), nh.from_array(np.array(True), "t")]
    m, _ = _dropout_model(inputs=("Z", "r", "t"), consts=consts)
    with pytest.raises(OnnxError, match="'drop'.*training_mode.*true"):
        load(m)


def test_dropout_with_a_ratio_that_is_not_constant_is_refused():
    # (a second graph input is refused first; a computed ratio is refused at its node)
    W = _W()
    g = h.make_graph(
        [h.make_node("Gemm", ["X", "W"], ["Z"]), h.make_node("Dropout", ["Z", "R"], ["Y"])],
        "g",
        [
            h.make_tensor_value_info("X", T.FLOAT, ["N", 4]),
            h.make_tensor_value_info("R", T.FLOAT, []),
        ],
        [h.make_tensor_value_info("Y", T.FLOAT, ["N", 3])],
        [nh.from_array(W, "W")],
    )
    with pytest.raises(OnnxError, match="2 input"):
        load(h.make_model(g, opset_imports=[h.make_opsetid("", 19)]))
    nodes = [
        h.make_node("Gemm", ["X", "W"], ["Z"]),
        h.make_node("Sigmoid", ["r0"], ["R"], name="ratio"),
        h.make_node("Dropout", ["Z", "R"], ["Y"], name="drop"),
    ]
    m = _model(nodes, [nh.from_array(W, "W"), nh.from_array(np.array(0.0, np.float32), "r0")])
    with pytest.raises(OnnxError, match="'ratio'"):
        load(m)


def test_dropout_with_an_unused_mask_loads_and_a_used_mask_is_refused():
    m, _ = _dropout_model(outputs=("Y", "mask"))
    X = np.ones((2, 4), np.float32)
    np.testing.assert_array_equal(load(m).predict(X), _ort(m, X))
    W = _W()
    nodes = [
        h.make_node("Gemm", ["X", "W"], ["Z"]),
        h.make_node("Dropout", ["Z"], ["D", "mask"], name="drop"),
        h.make_node("Cast", ["mask"], ["mf"], to=T.FLOAT),
        h.make_node("Mul", ["D", "mf"], ["Y"]),
    ]
    with pytest.raises(OnnxError, match="'drop'.*mask"):
        load(_model(nodes, [nh.from_array(W, "W")]))


def test_dropout_of_opset_6_not_in_test_mode_is_refused():
    m, _ = _dropout_model(opset=6)
    with pytest.raises(OnnxError, match="'drop'.*is_test"):
        load(m)
    m, W = _dropout_model(opset=6, is_test=1)
    np.testing.assert_allclose(
        load(m).predict(np.ones((1, 4), np.float32)), np.ones((1, 4)) @ W, rtol=1e-6
    )


# ------------------------------------------------------------------ 4. Cast


def test_float16_weights_behind_a_cast_are_folded():
    W16 = _W().astype(np.float16)
    b16 = np.arange(3, dtype=np.float16)
    nodes = [
        h.make_node("Cast", ["W16"], ["W"], to=T.FLOAT),
        h.make_node("Cast", ["b16"], ["b"], to=T.FLOAT),
        h.make_node("Gemm", ["X", "W", "b"], ["Y"]),
    ]
    m = _model(nodes, [nh.from_array(W16, "W16"), nh.from_array(b16, "b16")])
    X = np.random.default_rng(2).normal(size=(6, 4)).astype(np.float32)
    net = load(m)
    np.testing.assert_allclose(net.predict(X), _ort(m, X), rtol=1e-6, atol=1e-6)
    assert net.layers[0].W.dtype == np.float32


def test_a_cast_of_a_weight_to_another_type_than_the_data_is_refused():
    nodes = [
        h.make_node("Cast", ["W32"], ["W"], to=T.DOUBLE),
        h.make_node("Gemm", ["X", "W"], ["Y"]),
    ]
    with pytest.raises(OnnxError, match="float64.*float32"):
        load(_model(nodes, [nh.from_array(_W(), "W32")]))


def test_a_narrowing_cast_between_layers_is_refused():
    nodes = [
        h.make_node("Gemm", ["X", "W1"], ["Z"]),
        h.make_node("Cast", ["Z"], ["Z16"], to=T.FLOAT16, name="narrow"),
        h.make_node("Cast", ["Z16"], ["Z32"], to=T.FLOAT),
        h.make_node("Gemm", ["Z32", "W2"], ["Y"]),
    ]
    m = _model(nodes, [nh.from_array(_W(), "W1"), nh.from_array(_W(1, (3, 3)), "W2")])
    with pytest.raises(OnnxError, match="'narrow'.*float16"):
        load(m)


def test_a_cast_back_after_a_widening_one_rounds_nothing_and_loads():
    nodes = [
        h.make_node("Gemm", ["X", "W1"], ["Z"]),
        h.make_node("Cast", ["Z"], ["Z64"], to=T.DOUBLE),
        h.make_node("Cast", ["Z64"], ["Z32"], to=T.FLOAT),
        h.make_node("Relu", ["Z32"], ["Y"]),
    ]
    m = _model(nodes, [nh.from_array(_W(), "W1")])
    X = np.random.default_rng(5).normal(size=(4, 4)).astype(np.float32)
    np.testing.assert_array_equal(load(m).predict(X), _ort(m, X))


def test_a_widening_cast_between_layers_still_loads():
    nodes = [
        h.make_node("Gemm", ["X", "W1"], ["Z"]),
        h.make_node("Cast", ["Z"], ["Y"], to=T.DOUBLE),
    ]
    m = _model(
        nodes,
        [nh.from_array(_W(), "W1")],
        outputs=[h.make_tensor_value_info("Y", T.DOUBLE, ["N", 3])],
    )
    X = np.ones((2, 4), np.float32)
    np.testing.assert_allclose(load(m).predict(X), _ort(m, X), rtol=1e-6)


# ------------------------------------------------------------------ 5. receiver's messages


def test_shape_names_the_view_pattern_and_the_fix():
    nodes = [
        h.make_node("Shape", ["X"], ["s"], name="/Shape"),
        h.make_node("Gemm", ["X", "W"], ["Y"]),
    ]
    with pytest.raises(OnnxError, match=r"x\.view\(x\.size\(0\), -1\).*nn\.Flatten\(\)"):
        load(_model(nodes, [nh.from_array(_W(), "W")]))


def test_external_data_refusal_gives_the_receivers_recipe(tmp_path):
    m = _model([h.make_node("Gemm", ["X", "W"], ["Y"])], [nh.from_array(_W(), "W")])
    path = tmp_path / "m.onnx"
    onnx.save(m, str(path), save_as_external_data=True, size_threshold=0, location="w.bin")
    with pytest.raises(OnnxError, match=r"glassnet\.onnx\.load\(onnx\.load\(path\)\)"):
        load(path)


def test_a_cast_weight_in_a_classifiers_graph_is_folded():
    W16 = _W(3).astype(np.float16)
    nodes = [
        h.make_node("Cast", ["W16"], ["W"], to=T.FLOAT),
        h.make_node("Gemm", ["X", "W", "b"], ["Z"]),
        h.make_node("Softmax", ["Z"], ["P"], axis=1),
        h.make_node("ArgMax", ["P"], ["label"], axis=1, keepdims=0),
    ]
    outputs = [
        h.make_tensor_value_info("label", T.INT64, ["N"]),
        h.make_tensor_value_info("P", T.FLOAT, ["N", 3]),
    ]
    inits = [nh.from_array(W16, "W16"), nh.from_array(np.zeros(3, np.float32), "b")]
    m = _model(nodes, inits, outputs=outputs)
    X = np.random.default_rng(4).normal(size=(5, 4)).astype(np.float32)
    sess = ort.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"])
    np.testing.assert_allclose(
        load(m).predict(X), sess.run(None, {"X": X})[1], rtol=1e-5, atol=1e-7
    )


def test_a_float16_network_behind_float32_input_and_output_casts_loads():
    # (onnxconverter-common's keep_io_types: computed in float32, as a float16 model is)
    W16 = _W(6).astype(np.float16)
    nodes = [
        h.make_node("Cast", ["X"], ["X16"], to=T.FLOAT16),
        h.make_node("Gemm", ["X16", "W16"], ["Z16"]),
        h.make_node("Cast", ["Z16"], ["Y"], to=T.FLOAT),
    ]
    m = _model(nodes, [nh.from_array(W16, "W16")])
    X = np.random.default_rng(7).normal(size=(5, 4)).astype(np.float32)
    np.testing.assert_allclose(load(m).predict(X), _ort(m, X), atol=5e-3)


def _view_nodes(opset, index=0, of="X"):
    c = lambda name, v: h.make_node(  # noqa: E731
        "Constant", [], [name], value=nh.from_array(np.array(v, np.int64), name)
    )
    uns = (
        h.make_node("Unsqueeze", ["g", "axes"], ["u"])
        if opset >= 13
        else h.make_node("Unsqueeze", ["g"], ["u"], axes=[0])
    )
    return [
        h.make_node("Shape", [of], ["s"]),
        c("i", index),
        h.make_node("Gather", ["s", "i"], ["g"], axis=0),
        *([c("axes", [0])] if opset >= 13 else []),
        uns,
        c("m1", [-1]),
        h.make_node("Concat", ["u", "m1"], ["shape"], axis=0),
        h.make_node("Reshape", ["X", "shape"], ["F"]),
        h.make_node("Gemm", ["F", "W"], ["Y"]),
    ]


@pytest.mark.parametrize("opset", [11, 13, 19])
def test_pytorchs_view_flatten_pattern_is_read(opset):
    W = _W(8, (12, 3))
    g = h.make_graph(
        _view_nodes(opset),
        "g",
        [h.make_tensor_value_info("X", T.FLOAT, ["N", 3, 4])],
        [h.make_tensor_value_info("Y", T.FLOAT, ["N", 3])],
        [nh.from_array(W, "W")],
    )
    m = h.make_model(g, opset_imports=[h.make_opsetid("", opset)], ir_version=7)
    X = np.random.default_rng(9).normal(size=(5, 3, 4)).astype(np.float32)
    net = load(m)
    np.testing.assert_allclose(net.predict(X.reshape(5, -1)), _ort(m, X), rtol=1e-6, atol=1e-6)


def test_a_view_pattern_of_another_index_is_refused_naming_the_fix():
    g = h.make_graph(
        _view_nodes(13, index=1),
        "g",
        [h.make_tensor_value_info("X", T.FLOAT, ["N", 3, 4])],
        [h.make_tensor_value_info("Y", T.FLOAT, ["N", 3])],
        [nh.from_array(_W(8, (12, 3)), "W")],
    )
    m = h.make_model(g, opset_imports=[h.make_opsetid("", 13)], ir_version=7)
    with pytest.raises(OnnxError, match=r"\(Shape\).*x\.flatten\(1\)"):
        load(m)
