"""ONNX export: the class and errno of a refused path as gn.save's (a read-only ONNX file,
a dangling link into a missing directory), a doc string on every node (networks,
estimators, 'glassnet train' models with preprocessing), and an estimator's
``glassnet.params`` as JSON values without process-specific text."""

from __future__ import annotations

import errno
import json
import os
import pickle
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

from cli_helpers import run, write_csv  # noqa: E402

import glassnet as gn  # noqa: E402
from glassnet import nn  # noqa: E402
from glassnet.io import ModelFileExistsError, ModelIsADirectoryError, ModelWriteError  # noqa: E402
from glassnet.onnx import export  # noqa: E402


def _refusal(call):
    with pytest.raises(ModelWriteError) as info:
        call()
    return type(info.value), info.value.errno


# ----------------------------------------------------------- refusals as gn.save's


@pytest.mark.skipif(os.name == "nt", reason="symlinks")
def test_dangling_link_into_missing_directory_is_a_write_error_as_gn_save(tmp_path):
    os.symlink(tmp_path / "nowhere" / "x.onnx", tmp_path / "d.onnx")
    os.symlink(tmp_path / "nowhere" / "x.glassnet", tmp_path / "d.glassnet")
    net = nn.MLP([3, 2], rng=0)
    got = _refusal(lambda: export(net, tmp_path / "d.onnx", verify=False))
    want = _refusal(lambda: gn.save(net, tmp_path / "d.glassnet"))
    assert got == want == (ModelWriteError, None)
    assert os.path.islink(tmp_path / "d.onnx")  # (the link is left as it is)


def test_read_only_onnx_file_is_a_write_error_as_gn_save(tmp_path):
    onnx_path, model_path = tmp_path / "ro.onnx", tmp_path / "ro.glassnet"
    export(nn.MLP([3, 2], rng=0), onnx_path, verify=False)
    gn.save(nn.MLP([3, 2], rng=0), model_path)
    before = onnx_path.read_bytes()
    os.chmod(onnx_path, 0o444)
    os.chmod(model_path, 0o444)
    net = nn.MLP([3, 4, 2], rng=0)
    got = _refusal(lambda: export(net, onnx_path, verify=False))
    want = _refusal(lambda: gn.save(net, model_path))
    assert got == want
    assert got[0] is ModelWriteError and not issubclass(got[0], FileExistsError)
    assert onnx_path.read_bytes() == before


def test_other_refusals_keep_their_classes(tmp_path):
    net = nn.MLP([3, 2], rng=0)
    (tmp_path / "data.csv").write_text("a,b\n1,2\n")
    got = _refusal(lambda: export(net, tmp_path / "data.csv", verify=False))
    assert got == (ModelFileExistsError, errno.EEXIST)
    gn.save(net, tmp_path / "m.glassnet")
    got = _refusal(lambda: export(net, tmp_path / "m.glassnet", verify=False))
    assert got == (ModelFileExistsError, errno.EEXIST)
    (tmp_path / "dir.onnx").mkdir()
    got = _refusal(lambda: export(net, tmp_path / "dir.onnx", verify=False))
    assert got == (ModelIsADirectoryError, errno.EISDIR)
    got = _refusal(lambda: export(net, tmp_path / "nowhere" / "x.onnx", verify=False))
    assert got[0] is ModelWriteError


# ----------------------------------------------------------- a doc string on every node


def _undocumented(proto):
    return [n.op_type for n in proto.graph.node if not n.doc_string.strip()]


def test_every_node_of_a_network_has_a_doc_string():
    for act, head, dtype in [
        ("relu", "identity", "float32"),
        ("leaky_relu", "softmax", "float64"),  # (float64 leaky ReLU: Mul and Max)
        ("tanh", "sigmoid", "float32"),
    ]:
        net = nn.MLP([3, 4, 2], activation=act, output_activation=head, rng=0, dtype=dtype)
        assert _undocumented(export(net, verify=False)) == []


@pytest.mark.parametrize(
    ("labels", "hidden", "kw"),
    [
        (["a", "b", "c"], (3,), {}),
        (["no", "yes"], (3,), {}),
        (["no", "yes"], (), {"activation": "identity"}),
        (["a"], (2,), {}),
    ],
)
def test_every_node_of_an_estimator_has_a_doc_string(labels, hidden, kw):
    from glassnet.sklearn import MLPClassifier, MLPRegressor

    X = np.random.default_rng(0).normal(size=(30, 3))
    y = np.array(labels)[np.arange(30) % len(labels)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = MLPClassifier(hidden_layer_sizes=hidden, max_iter=3, random_state=0, **kw)
        est.fit(X, y)
        assert _undocumented(export(est, verify=False)) == []
        Y = np.stack([X[:, 0], X[:, 1]], axis=1)
        multilabel = MLPClassifier(hidden_layer_sizes=hidden, max_iter=3, random_state=0)
        assert _undocumented(export(multilabel.fit(X, Y > 0), verify=False)) == []
        reg = MLPRegressor(hidden_layer_sizes=hidden, max_iter=3, random_state=0)
        assert _undocumented(export(reg.fit(X, Y), verify=False)) == []
        est32 = MLPClassifier(
            hidden_layer_sizes=hidden, max_iter=3, random_state=0, dtype="float32"
        )
        assert _undocumented(export(est32.fit(X, y), verify=False)) == []


@pytest.mark.parametrize("task", ["binary", "multiclass", "regression"])
def test_every_node_of_a_train_model_with_preprocessing_has_a_doc_string(tmp_path, capsys, task):
    rng = np.random.default_rng(0)
    rows = []
    for i in range(40):
        age = "" if i % 7 == 0 else f"{rng.normal(40, 10):.1f}"
        city = ["Oslo", "Paris", "Zürich"][i % 3] if i % 5 else ""
        target = {
            "binary": "yes" if i % 2 else "no",
            "multiclass": "abc"[i % 3],
            "regression": f"{rng.normal():.3f}",
        }[task]
        rows.append([age, f"{rng.normal(5e4, 1e4):.0f}", city, "ab"[i % 2], target])
    csv = write_csv(tmp_path / "c.csv", ["age", "income", "city", "plan", "y"], rows)
    model, out = tmp_path / "c.glassnet", tmp_path / "c.onnx"
    argv = ["train", csv, "--target", "y", "--impute", "mean", "--hidden", "4", "--epochs", "2"]
    code, _, err = run(capsys, *argv, "--out", model)
    assert code == 0, err
    code, _, err = run(capsys, "export", model, out)
    assert code == 0, err
    proto = onnx.load(str(out))
    assert {"IsNaN", "Sub", "Div"} <= {n.op_type for n in proto.graph.node}
    assert _undocumented(proto) == []
    docs = [n.doc_string for n in proto.graph.node]
    assert any("city" in d for d in docs) and any("age" in d for d in docs)


# ----------------------------------------------------------- glassnet.params as JSON


def _params(proto):
    return json.loads({p.key: p.value for p in proto.metadata_props}["glassnet.params"])


def test_estimator_params_are_json_values():
    from glassnet.sklearn import MLPClassifier

    X = np.random.default_rng(0).normal(size=(30, 3))
    y = np.where(X[:, 0] > 0, "yes", "no")
    est = MLPClassifier(
        hidden_layer_sizes=(3,), max_iter=2, alpha=np.float32(0.001), random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        params = _params(export(est.fit(X, y), verify=False))
    assert params["activation"] == "relu"
    assert params["hidden_layer_sizes"] == [3]
    assert params["alpha"] == pytest.approx(0.001)
    assert params["random_state"] == 0


_SCRIPT = """
import pickle, sys, warnings
warnings.simplefilter("ignore")
from glassnet.onnx import export
with open(sys.argv[1], "rb") as f:
    export(pickle.load(f), sys.argv[2], verify=False)
"""


_QUALNAME = "test_same_estimator_exports_to_the_same_bytes_in_two_processes"


def test_same_estimator_exports_to_the_same_bytes_in_two_processes(tmp_path):
    from glassnet.sklearn import MLPClassifier

    X = np.random.default_rng(0).normal(size=(40, 3))
    y = np.where(X[:, 0] > 0, "yes", "no")
    est = MLPClassifier(hidden_layer_sizes=(3,), max_iter=2, random_state=np.random.RandomState(0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y)
    est.set_params(callbacks=[lambda *args: None])  # (a lambda: not pickled, so only here)
    called = _params(export(est, verify=False))["callbacks"]
    assert called == [f"<function {__name__}.{_QUALNAME}.<locals>.<lambda>>"]
    est.set_params(callbacks=None)
    pkl = tmp_path / "est.pkl"
    pkl.write_bytes(pickle.dumps(est))
    script = tmp_path / "s.py"
    script.write_text(_SCRIPT)
    root = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}
    outs = [tmp_path / "e1.onnx", tmp_path / "e2.onnx"]
    runs = [  # (two processes at once: their memory addresses differ)
        subprocess.Popen(
            [sys.executable, str(script), str(pkl), str(out)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for out in outs
    ]
    for proc in runs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    one, two = (out.read_bytes() for out in outs)
    assert one == two
    params = _params(onnx.load_from_string(one))
    assert params["random_state"] == "<RandomState>"
    assert "0x" not in json.dumps(params)
