"""ONNX export of networks with nn.Flatten, and import of the network inside skl2onnx's
files of scikit-learn's MLPClassifier (whose graphs also compute a label and probabilities
as a ZipMap or a tensor)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from glassnet import nn  # noqa: E402
from glassnet.onnx import OnnxError, export, load  # noqa: E402
from glassnet.tasks import infer_task  # noqa: E402


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


class _Flattening(nn.Module):
    """A model written as PyTorch's are, flattening its input first (``how``)."""

    def __init__(self, how="module"):
        self.how, self.flat = how, nn.Flatten()
        self.fc1, self.fc2 = nn.Linear(4, 8, rng=0), nn.Linear(8, 3, rng=1)

    def forward(self, x):
        x = x.flatten(1) if self.how == "method" else self.flat(x)
        if self.how == "late":  # (a reshape after a layer: no chain)
            return self.fc2(self.fc1(x).relu().reshape(len(x.data), -1))
        return self.fc2(self.fc1(x).relu())


@pytest.mark.parametrize("how", ["module", "method"])
def test_a_module_of_your_own_that_flattens_its_input_exports(how):
    from glassnet.chain import as_chain

    net = _Flattening(how)
    X = np.random.default_rng(6).normal(size=(10, 2, 2)).astype(np.float32)
    proto = export(net, input_shape=(2, 2))
    assert _declared(proto) == ["N", 2, 2]
    assert [n.op_type for n in proto.graph.node] == ["Flatten", "Gemm", "Relu", "Gemm"]
    _close(_run(proto, X)[0], net.predict(X))
    rows = X.reshape(10, 4)
    _close(_run(export(net), rows)[0], net.predict(rows))
    # explain and draw_network take rows: for them the reshape stays an op they refuse
    with pytest.raises(TypeError, match="computes op 'reshape'"):
        as_chain(net, rows)
    chain = as_chain(net, X, owner="export", flatten=True)
    assert isinstance(chain[0], nn.Flatten) and chain[1] is net.fc1


def test_a_module_of_your_own_that_reshapes_elsewhere_or_takes_no_samples_is_refused():
    late = _Flattening("module")
    late.how = "late"
    with pytest.raises(TypeError, match="computes op 'reshape'"):
        export(late)

    class Rows(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(4, 2, rng=0)

        def forward(self, x):
            return self.fc(x)

    with pytest.raises(ValueError, match=r"Rows's forward does not take inputs of shape \(N, 2, 2"):
        export(Rows(), input_shape=(2, 2))


# ------------------------------------------------------------------ skl2onnx's classifiers

SKL2ONNX = "skl2onnx converts scikit-learn models to ONNX: pip install skl2onnx"


def _sk_classifier(y, activation):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    X = np.random.default_rng(0).normal(size=(80, 4))
    clf = MLPClassifier((6, 5), activation=activation, max_iter=60, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return clf.fit(X, y(X))


TARGETS = {
    "binary": lambda X: np.where(X[:, 0] > 0, "yes", "no"),
    "multiclass": lambda X: np.digitize(X[:, 0] + X[:, 1], [-0.5, 0.5]),  # 0, 1, 2
    "multilabel": lambda X: (X[:, :3] > 0).astype(int),  # (N, 3) 0/1
}


@pytest.mark.parametrize("target", sorted(TARGETS))
@pytest.mark.parametrize("zipmap", [True, False, "columns"])
def test_scikit_learns_mlp_classifier_through_skl2onnx_loads_its_network(target, zipmap):
    # load refused the file: "has 1 input(s) and 2 output(s); an MLP has one of each"
    skl2onnx = pytest.importorskip("skl2onnx", reason=SKL2ONNX)
    activation = {"binary": "relu", "multiclass": "tanh", "multilabel": "logistic"}[target]
    clf = _sk_classifier(TARGETS[target], activation)
    X = np.random.default_rng(1).normal(size=(300, 4))
    proto = skl2onnx.to_onnx(clf, X[:1].astype(np.float32), options={"zipmap": zipmap})
    ops = {n.op_type for n in proto.graph.node}
    assert {"ArgMax", "ArrayFeatureExtractor", "Binarizer"} & ops  # (the label's nodes)
    assert ("ZipMap" in ops) == (zipmap is True)
    net = load(proto)
    assert isinstance(net, nn.MLP) and net.sizes[:3] == [4, 6, 5]
    out = net.predict(X.astype(np.float32))
    task = infer_task(TARGETS[target](X))
    proba = task.proba(out)  # binary: the network's p, as [1 - p, p]
    assert proba.shape == clf.predict_proba(X).shape
    # float32 weights and arithmetic against scikit-learn's float64: the tolerance of
    # docs/onnx.md, |diff| <= 1e-5 (|y| + max |y|) (measured: about 1e-7)
    _close(proba, clf.predict_proba(X))
    if zipmap is False:  # and what onnxruntime computes from the same file
        _close(proba, _run(proto, X.astype(np.float32))[1])


def test_a_float64_skl2onnx_classifier_loads_in_float64():
    skl2onnx = pytest.importorskip("skl2onnx", reason=SKL2ONNX)
    clf = _sk_classifier(TARGETS["multiclass"], "relu")
    X = np.random.default_rng(2).normal(size=(50, 4))
    net = load(skl2onnx.to_onnx(clf, X[:1], options={"zipmap": False}))
    assert net.layers[0].W.dtype == np.float64
    np.testing.assert_allclose(net.predict(X), clf.predict_proba(X), rtol=1e-12, atol=1e-15)


def test_glassnets_own_classifier_files_load_back():
    pytest.importorskip("sklearn")
    from sklearn.exceptions import ConvergenceWarning

    from glassnet.sklearn import MLPClassifier

    X = np.random.default_rng(3).normal(size=(40, 3))
    for y in (X[:, 0] > 0, np.array(list("abcd"))[np.arange(40) % 4], X[:, :2] > 0):
        est = MLPClassifier(hidden_layer_sizes=(4,), max_iter=3, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            est.fit(X, y)
        net = load(export(est))
        np.testing.assert_array_equal(net.predict(X), est.model_.predict(X))


def _two_outputs(nodes, inits, outputs=("p", "label"), x_shape=(None, 2), label=TensorProto.INT64):
    # (the label declared as its head gives it: ArgMax int64; load refuses another type)
    types = {"label": label}
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(x_shape))],
        [helper.make_tensor_value_info(o, types.get(o, TensorProto.FLOAT), None) for o in outputs],
        [numpy_helper.from_array(np.asarray(v, np.float32), k) for k, v in inits.items()],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 19)])


W = {"W": np.ones((2, 3)), "W2": np.ones((3, 3)), "b": np.zeros(3)}


def test_classifier_graphs_glassnet_cannot_read_name_the_node_and_its_op_type():
    gemm = helper.make_node("Gemm", ["x", "W", "b"], ["z"], name="layer")
    soft = helper.make_node("Softmax", ["z"], ["p"], name="soft")
    # an operator outside a classifier's head
    exp = helper.make_node("Exp", ["p"], ["label"], name="odd")
    with pytest.raises(
        OnnxError, match=r"node 'odd' \(Exp\) is not supported: the graph has 1 input and 2 "
    ):
        load(_two_outputs([gemm, soft, exp], W))
    # a head node that reads the input rather than the network's output
    idx = helper.make_node("Identity", ["x"], ["label"], name="copy")
    with pytest.raises(OnnxError, match=r"node 'copy' \(Identity\).* reads 'x', which is not"):
        load(_two_outputs([gemm, soft, idx], W))
    # outputs that branch off a layer that is no Softmax or Sigmoid
    arg = helper.make_node("ArgMax", ["z"], ["label"], name="arg", axis=1)
    ident = helper.make_node("Identity", ["z"], ["p"], name="same")
    with pytest.raises(OnnxError, match=r"branch off node 'layer' \(Gemm\).*Softmax or Sigmoid"):
        load(_two_outputs([gemm, arg, ident], W))
    # an unsupported operator inside the network is named, as in a graph of one output
    nodes = [
        helper.make_node("Gemm", ["x", "W", "b"], ["h"], name="layer1"),
        helper.make_node("Abs", ["h"], ["a"], name="abs"),
        helper.make_node("Gemm", ["a", "W2", "b"], ["z"], name="layer2"),
        soft, helper.make_node("ArgMax", ["p"], ["label"], name="arg", axis=1),
    ]  # fmt: skip
    with pytest.raises(OnnxError, match=r"node 'abs' \(Abs\) is not supported"):
        load(_two_outputs(nodes, W))
    # an output that is a hidden layer's values, not computed from the probabilities
    nodes = [
        helper.make_node("Gemm", ["x", "W", "b"], ["h"], name="layer1"),
        helper.make_node("Gemm", ["h", "W2", "b"], ["z"], name="layer2"), soft,
    ]  # fmt: skip
    with pytest.raises(OnnxError, match=r"the output 'h' is not computed from the network's"):
        load(_two_outputs(nodes, W, outputs=("p", "h")))
    # a classifier's head that reads its probabilities loads: the network, p
    arg = helper.make_node("ArgMax", ["p"], ["label"], name="arg", axis=1, keepdims=0)
    net = load(_two_outputs([gemm, soft, arg], W))
    assert isinstance(net, nn.MLP) and net.sizes == [2, 3]
    # the probabilities an output that the head reshapes (a Constant of ints in the head,
    # which load does not read as a weight): the network ends at the output
    head = [
        helper.make_node("Constant", [], ["shape"], value_ints=[-1]),
        helper.make_node("Reshape", ["p", "shape"], ["label"]),
    ]
    net = load(_two_outputs([gemm, soft, *head], W, label=TensorProto.FLOAT))
    assert isinstance(net, nn.MLP) and net.sizes == [2, 3]
    assert isinstance(net.layers[-1], nn.Softmax)


def test_input_shape_may_be_a_numpy_array_of_ints():
    net = nn.Sequential(nn.Flatten(), nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    proto = export(net, input_shape=np.array([2, 2]))
    dims = [d.dim_param or d.dim_value for d in proto.graph.input[0].type.tensor_type.shape.dim]
    assert dims == ["N", 2, 2]
    with pytest.raises(ValueError, match="'input_shape' must hold positive ints"):
        export(net, input_shape=np.array([2.0, 2.0]))
