"""ONNX export of networks with nn.Flatten, and import of the network inside skl2onnx's
files of scikit-learn's MLPClassifier (whose graphs also compute a label and probabilities
as a ZipMap or a tensor)."""

from __future__ import annotations

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from glassnet import nn  # noqa: E402
from glassnet.onnx import export, load  # noqa: E402


def _run(proto, X):
    sess = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    return sess.run(None, {sess.get_inputs()[0].name: X})


def _declared(proto):
    dims = proto.graph.input[0].type.tensor_type.shape.dim
    return [d.dim_param or d.dim_value for d in dims]


def _close(got, want):
    # float32: onnxruntime's GEMM sums in its own order (docs/onnx.md's tolerance)
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    assert got.shape == want.shape
    assert np.all(np.abs(got - want) <= 1e-5 * (np.abs(want) + np.abs(want).max()))


# ------------------------------------------------------------------ export with nn.Flatten


def _flat_net(dtype=np.float32):
    return nn.Sequential(
        nn.Flatten(), nn.Linear(4, 8, rng=0, dtype=dtype), nn.ReLU(),
        nn.Linear(8, 3, rng=1, dtype=dtype),
    )  # fmt: skip


def test_a_sequential_that_flattens_its_samples_exports_with_the_declared_input_shape():
    # export refused it: "export handles networks of Linear layers and activations ...
    # The model holds a Flatten."
    net = _flat_net()
    proto = export(net, input_shape=(2, 2))
    assert _declared(proto) == ["N", 2, 2]
    ops = [n.op_type for n in proto.graph.node]
    assert ops == ["Flatten", "Gemm", "Relu", "Gemm"]
    flat = proto.graph.node[0]
    assert [(a.name, a.i) for a in flat.attribute] == [("axis", 1)]
    for n in (1, 5, 100):
        X = np.random.default_rng(n).normal(size=(n, 2, 2)).astype(np.float32)
        (Y,) = _run(proto, X)
        _close(Y, net.predict(X))
    meta = {p.key: p.value for p in proto.metadata_props}
    assert "64 random rows" in meta["glassnet.verified"]


def test_a_flatten_on_rows_exports_as_the_no_op_it_is():
    net = _flat_net()
    for proto in (export(net), export(net, input_shape=(4,))):
        assert _declared(proto) == ["N", 4]
        assert proto.graph.node[0].op_type == "Flatten"
        X = np.random.default_rng(3).normal(size=(9, 4)).astype(np.float32)
        _close(_run(proto, X)[0], net.predict(X))
    # a Flatten between layers (one axis of the rows (N, k)) changes nothing: dropped
    mid = nn.Sequential(nn.Linear(4, 8, rng=0), nn.Flatten(), nn.Tanh(), nn.Linear(8, 2, rng=1))
    proto = export(mid)
    assert [n.op_type for n in proto.graph.node] == ["Gemm", "Tanh", "Gemm"]
    X = np.random.default_rng(4).normal(size=(6, 4)).astype(np.float32)
    _close(_run(proto, X)[0], mid.predict(X))


def test_flatten_exports_in_float64_nested_and_with_a_task(tmp_path):
    from glassnet.tasks import infer_task

    net = nn.Sequential(
        nn.Flatten(), nn.Sequential(nn.Linear(6, 5, rng=2, dtype=np.float64)), nn.Sigmoid(),
        nn.Linear(5, 3, rng=3, dtype=np.float64), nn.Softmax(),
    )  # fmt: skip
    proto = export(net, tmp_path / "n.onnx", input_shape=(1, 2, 3))
    assert _declared(proto) == ["N", 1, 2, 3]
    X = np.random.default_rng(5).normal(size=(7, 1, 2, 3))
    got = _run(onnx.load(tmp_path / "n.onnx"), X)[0]
    assert np.all(np.abs(got - net.predict(X)) <= 1e-12 * (np.abs(got) + np.abs(got).max()))
    task = infer_task(np.array(["a", "b", "c", "a"]))
    label, proba = _run(export(net, task=task, input_shape=(1, 2, 3)), X)
    assert list(label) == list(task.decode(net.predict(X)))
    # load reads the file back as the network of the flattened rows
    back = load(proto)
    np.testing.assert_array_equal(back.predict(X.reshape(7, -1)), net.predict(X))


def test_shapes_that_do_not_make_rows_are_refused_by_name():
    net = _flat_net()
    with pytest.raises(ValueError, match=r"\(N, 2, 3\).*rows of 6 features.*takes 4"):
        export(net, input_shape=(2, 3))
    with pytest.raises(TypeError, match="'input_shape' must be a tuple of ints"):
        export(net, input_shape="2x2")
    with pytest.raises(ValueError, match=r"'input_shape' must hold positive ints.*\(0, 4\)"):
        export(net, input_shape=(0, 4))
    plain = nn.MLP([4, 3], rng=0)
    with pytest.raises(ValueError, match=r"rows of 4 features; input_shape=\(2, 2\) needs an"):
        export(plain, input_shape=(2, 2))
    _close(_run(export(plain, input_shape=(4,)), np.ones((2, 4), np.float32))[0],
           plain.predict(np.ones((2, 4), np.float32)))  # fmt: skip
    with pytest.raises(ValueError, match=r"Flatten\(start_dim=0, end_dim=-1\) after a Linear"):
        export(nn.Sequential(nn.Linear(4, 3, rng=0), nn.Flatten(0), nn.Linear(3, 1, rng=1)))
    with pytest.raises(ValueError, match=r"reach the first Linear layer as \(N, 2, 2\)"):
        export(nn.Sequential(nn.Flatten(2), nn.Linear(4, 2, rng=0)), input_shape=(2, 2))
    with pytest.raises(ValueError, match="'input_shape' parameter of export applies to networks"):
        export("model.glassnet", input_shape=(2, 2))
