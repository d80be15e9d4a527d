"""ONNX export: classifiers of one class, and how closely a model trained on unscaled
inputs (``glassnet train --no-standardize``) agrees with onnxruntime (docs/onnx.md, *How
closely onnxruntime agrees with glassnet*)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from glassnet import nn  # noqa: E402
from glassnet.onnx import export  # noqa: E402
from glassnet.tasks import get_task  # noqa: E402

X = np.random.default_rng(0).normal(size=(50, 3)).astype(np.float32)


def _run(proto, feeds):
    sess = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    return sess.run(None, feeds)


# ------------------------------------------------------------ a classifier of one class


@pytest.mark.parametrize("verify", [True, False])
def test_export_refuses_a_binary_task_of_one_class_saying_what_to_do(verify):
    # a binary task made from a config (not fitted: fit refuses one class) exported into an
    # IndexError from task.decode, even with verify=False
    net = nn.MLP([3, 4, 1], output_activation="sigmoid", rng=0)
    task = get_task({"name": "binary", "classes": ["yes"]})
    with pytest.raises(ValueError) as info:
        export(net, task=task, verify=verify)
    message = str(info.value)
    assert "'task' is a binary task of 1 class (['yes'])" in message
    assert "needs exactly 2" in message
    assert "get_task('binary').fit(y)" in message
    assert "glassnet.sklearn.MLPClassifier" in message


def test_export_refuses_a_binary_task_of_three_classes():
    # exported into onnx's shape inference error on the probabilities' Concat
    net = nn.MLP([3, 4, 1], output_activation="sigmoid", rng=0)
    task = get_task({"name": "binary", "classes": ["a", "b", "c"]})
    with pytest.raises(ValueError, match=r"binary task of 3 classes \(\['a', 'b', 'c'\]\)") as e:
        export(net, task=task)
    # the way on is a multiclass task, not "labels of both classes"
    assert "get_task('multiclass')" in str(e.value) and "both classes" not in str(e.value)


def test_a_multiclass_task_of_one_class_exports_glassnets_predictions():
    # one softmax output: probability 1, that class for every row, as task.decode says
    net = nn.MLP([3, 4, 1], output_activation="softmax", rng=0)
    task = get_task({"name": "multiclass", "classes": [5]})
    label, proba = _run(export(net, task=task), {"X": X})
    out = net.predict(X)
    assert np.array_equal(label, task.decode(out)) and set(label.tolist()) == {5}
    assert np.array_equal(proba, task.proba(out)) and proba.shape == (50, 1)


@pytest.mark.parametrize("y", [np.zeros(50, int), np.array(["cat"] * 50)], ids=["int", "str"])
def test_an_estimator_fitted_on_one_class_exports_its_predict_and_predict_proba(y):
    pytest.importorskip("sklearn")
    import warnings

    from glassnet.sklearn import MLPClassifier

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (ConvergenceWarning of max_iter=5)
        clf = MLPClassifier(hidden_layer_sizes=(4,), max_iter=5, random_state=0).fit(X, y)
    rows = X * 100  # (far from the training rows: still that class, probability 1)
    label, proba = _run(export(clf), {"X": rows})
    assert np.array_equal(label, clf.predict(rows))
    assert np.array_equal(proba, clf.predict_proba(rows))


def test_the_command_line_refuses_to_train_on_one_class(tmp_path, capsys):
    # so 'glassnet export' never meets a train model of one class (load_pipeline refuses
    # a file whose labels are fewer than two)
    from glassnet.cli import main

    rows = "".join(f"{a:.3f},yes\n" for a in X[:, 0])
    (tmp_path / "d.csv").write_text("a,y\n" + rows)
    argv = ["train", str(tmp_path / "d.csv"), "--target", "y", "-q"]
    assert main([*argv, "--out", str(tmp_path / "m.glassnet")]) != 0
    assert "at least two classes" in capsys.readouterr().err
    assert not (tmp_path / "m.glassnet").exists()


# ------------------------------------------------------------ unscaled inputs


def _absolute_terms(pipe, X64):
    """A(x): the network run on |x| with |W| and |b| and no activation (ReLU and identity
    never make a value larger): the size of the largest terms each output sums."""
    a = np.abs(X64)
    for layer in pipe.network.modules():
        if isinstance(layer, nn.Linear):
            a = a @ np.abs(layer.W.data.astype(np.float64)) + np.abs(layer.b.data)
    return a.reshape(-1)


def _exact(pipe, X64):
    """The network's outputs in float64 on the same (float32-rounded) inputs and weights."""
    a = X64
    linears = [m for m in pipe.network.modules() if isinstance(m, nn.Linear)]
    for i, layer in enumerate(linears):
        a = a @ layer.W.data.astype(np.float64) + layer.b.data.astype(np.float64)
        if i < len(linears) - 1:
            a = np.maximum(a, 0)
    return a.reshape(-1)


@pytest.fixture(scope="module")
def unscaled(tmp_path_factory):
    """Columns of 1e3, 1e-2 and 5e4 and a target of 1 to 200, trained by the command line
    with --no-standardize (float32, and float64) and exported."""
    from glassnet.cli import main

    tmp = tmp_path_factory.mktemp("unscaled")
    rng = np.random.default_rng(0)
    a, b, c = rng.normal(1000, 200, 300), rng.normal(0.01, 0.002, 300), rng.normal(5e4, 1e4, 300)
    y = 0.003 * a + 200 * b + 1e-5 * c + rng.normal(0, 0.1, 300)
    lines = ["a,b,c,y"] + [",".join(f"{v:.6g}" for v in r) for r in zip(a, b, c, y)]
    (tmp / "d.csv").write_text("\n".join(lines) + "\n")
    made = {}
    for dtype in ("float32", "float64"):
        model, onnx_path = tmp / f"{dtype}.glassnet", tmp / f"{dtype}.onnx"
        argv = ["train", str(tmp / "d.csv"), "--target", "y", "--no-standardize", "-q"]
        assert main([*argv, "--epochs", "20", "--dtype", dtype, "--out", str(model)]) == 0
        assert main(["export", str(model), str(onnx_path)]) == 0
        made[dtype] = (model, onnx_path)
    return tmp / "d.csv", made


@pytest.mark.parametrize("dtype, rtol", [("float32", 1e-5), ("float64", 1e-12)])
def test_unscaled_inputs_agree_within_the_documented_bound(unscaled, dtype, rtol):
    """docs/onnx.md: |onnxruntime - glassnet| <= rtol * A(x), A(x) the network run on |x|
    with |W|, |b| (the largest terms its float sums add): both sum the same float32 terms,
    in their own orders, and neither is nearer the exact result."""
    import pandas as pd

    from glassnet.io import load_pipeline

    data, made = unscaled
    model, onnx_path = made[dtype]
    rows = pd.read_csv(data).drop(columns="y")
    pipe = load_pipeline(model)
    ours = np.asarray(pipe.predict(rows), np.float64).reshape(-1)
    sess = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    theirs = sess.run(None, {c: rows[[c]].to_numpy(np.float64) for c in rows.columns})[0]
    theirs = theirs.reshape(-1)
    X64 = pipe.transform(rows).astype(np.float64)  # (the same float32 inputs as the graph's)
    A = _absolute_terms(pipe, X64)
    exact = _exact(pipe, X64)
    assert np.all(np.abs(theirs - ours) <= rtol * A)
    assert np.all(np.abs(ours - exact) <= rtol * A)
    assert np.all(np.abs(theirs - exact) <= rtol * A)
    assert A.min() > 100 * np.abs(ours).max()  # the terms are large, the outputs small
    if dtype == "float64":  # (the remedy the docs give: float64 agrees as scaled inputs do)
        scale = np.abs(ours) + np.abs(ours).max()
        assert np.all(np.abs(theirs - ours) <= 1e-12 * scale)
