"""ONNX audit, round 31: a network too large for one ONNX file (protobuf's 2 GiB) is
refused before the graph is built, with the size and what to do (before, a raw protobuf
EncodeError, or an OnnxError calling it a bug); a network with no Linear layer, and a
layer export has no operator for, are refused naming what export writes and where the
layer is."""

from __future__ import annotations

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from glassnet import nn  # noqa: E402
from glassnet.onnx import OnnxError, export  # noqa: E402


def _huge(n_in: int, n_out: int, dtype: type = np.float32) -> nn.Linear:
    """A Linear whose weights claim n_in * n_out values but take one value of memory (a
    broadcast view): export must refuse it by its size before reading it."""
    lin = nn.Linear(2, 3)
    lin.W.data = np.broadcast_to(dtype(0.01), (n_in, n_out))
    lin.b.data = np.broadcast_to(dtype(0.0), (n_out,))
    lin.inputs, lin.neurons = n_in, n_out  # (as Linear(n_in, n_out) sets them)
    return lin


def test_a_single_weight_tensor_over_2_gib_is_refused_with_the_size(tmp_path):
    # 1,100 x 500,000 float32 = 2.2 GB: protobuf's EncodeError('Failed to serialize
    # proto') came out of onnx.helper.make_graph before
    path = tmp_path / "big.onnx"
    with pytest.raises(OnnxError) as info:
        export(_huge(1100, 500_000), path, verify=False)
    msg = str(info.value)
    assert "2,202,000,000 bytes" in msg and "2 GiB" in msg
    assert "glassnet.io.save_model" in msg
    assert not path.exists() and list(tmp_path.iterdir()) == []


def test_weights_over_2_gib_in_several_tensors_are_refused_not_called_a_bug(tmp_path):
    # two layers of 1.2 GB each: before, 'the ONNX graph does not check: Failed to
    # serialize proto' (an OnnxError worded as glassnet's own bug), after building both
    net = nn.Sequential(_huge(600, 500_000), nn.ReLU(), _huge(500_000, 600))
    with pytest.raises(OnnxError) as info:
        export(net, tmp_path / "big.onnx")
    msg = str(info.value)
    assert "2 GiB" in msg and "does not check" not in msg
    assert list(tmp_path.iterdir()) == []


def test_a_float64_network_over_the_limit_is_told_float32_would_fit(tmp_path):
    # 0.3e9 float64 weights = 2.4 GB; in float32 1.2 GB, which one file holds
    with pytest.raises(OnnxError, match="float32"):
        export(_huge(600, 500_000, np.float64), tmp_path / "big.onnx", verify=False)


def test_the_size_limit_is_the_file_limit_less_one_mib_for_the_graph():
    from glassnet.fused import layers_of
    from glassnet.onnx import MAX_FILE_BYTES, _check_size

    # W (1, n) and b (n,) in float32: 8n bytes; the largest n that fits, then one more
    n = (MAX_FILE_BYTES - 2**20) // 8
    _check_size(layers_of(_huge(1, n), owner="export"), "export")  # (no error)
    with pytest.raises(OnnxError, match=f"{8 * (n + 1):,} bytes"):
        _check_size(layers_of(_huge(1, n + 1), owner="export"), "export")


def test_a_small_network_exports_and_runs_as_before():
    net = nn.MLP([3, 4, 2], rng=0)
    sess = ort.InferenceSession(export(net).SerializeToString(), providers=["CPUExecutionProvider"])
    X = np.random.default_rng(0).normal(size=(5, 3)).astype(np.float32)
    np.testing.assert_allclose(sess.run(None, {"X": X})[0], net.predict(X), rtol=1e-5)


@pytest.mark.parametrize(
    "model",
    [nn.Sequential(), nn.Sequential(nn.Dropout(0.1)), nn.Sequential(nn.Sequential())],
    ids=["empty", "dropout-only", "nested-empty"],
)
def test_a_network_with_no_linear_layer_is_told_what_export_writes(model):
    with pytest.raises(TypeError) as info:
        export(model)
    msg = str(info.value)
    assert "has no Linear layer" in msg
    assert "glassnet exports nn.Linear layers" in msg  # what it writes, and what to do


def test_an_unsupported_layer_is_named_with_where_it_sits():
    net = nn.Sequential(
        nn.Linear(3, 4), nn.Sequential(nn.ReLU(), nn.Linear(4, 4), nn.GELU()), nn.Linear(4, 1)
    )
    with pytest.raises(TypeError) as info:
        export(net)
    msg = str(info.value)
    assert "The model holds a GELU. Export has no ONNX operator for it ('layers.1.layers.2' " in msg


def test_a_class_label_that_is_no_utf8_text_is_refused_naming_it(tmp_path):
    # a label with a lone surrogate (os.fsdecode of an undecodable file name): protobuf's
    # UnicodeEncodeError came out of the graph's constants, and no file said why
    import warnings

    from glassnet.sklearn import MLPClassifier

    X = np.random.default_rng(0).normal(size=(40, 3))
    y = np.array(["ok", "bad\udcff"])[np.arange(40) % 2]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (ConvergenceWarning of 5 iterations)
        est = MLPClassifier(max_iter=5, random_state=0).fit(X, y)
    with pytest.raises(ValueError) as info:
        export(est, tmp_path / "m.onnx")
    msg = str(info.value)
    assert "'bad\\udcff'" in msg and "UTF-8" in msg and "class" in msg
    assert list(tmp_path.iterdir()) == []
    # skl2onnx, through register_skl2onnx, without its ZipMap (skl2onnx's own parser adds
    # that before glassnet's converter runs, and raises its UnicodeEncodeError there, as
    # for scikit-learn's MLPClassifier)
    skl2onnx = pytest.importorskip("skl2onnx")
    from glassnet.onnx import register_skl2onnx

    register_skl2onnx()
    with pytest.raises(OnnxError, match=r"skl2onnx\(MLPClassifier\): the class label 'bad"):
        skl2onnx.to_onnx(est, X[:1].astype(np.float32), options={"zipmap": False})


def test_a_feature_name_that_is_no_utf8_text_is_refused_naming_it(tmp_path):
    import warnings

    pd = pytest.importorskip("pandas")
    from glassnet.sklearn import MLPRegressor

    X = np.random.default_rng(0).normal(size=(40, 3))
    df = pd.DataFrame(X)
    df.columns = pd.Index(["a\udcff", "b", "c"], dtype=object)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (ConvergenceWarning of 5 iterations)
        est = MLPRegressor(max_iter=5, random_state=0).fit(df, X[:, 0])
    with pytest.raises(OnnxError, match=r"the feature name 'a\\udcff' cannot be written as UTF-8"):
        export(est, tmp_path / "m.onnx")
    assert list(tmp_path.iterdir()) == []


def _fitted_float64_classifier():
    import warnings

    from glassnet.sklearn import MLPClassifier

    X = np.random.default_rng(0).normal(size=(40, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (ConvergenceWarning of 5 iterations)
        return MLPClassifier(
            hidden_layer_sizes=(4,), max_iter=5, random_state=0, dtype="float64"
        ).fit(X, np.arange(40) % 2)


def test_the_float32_advice_is_worded_for_a_network_and_for_an_estimator(monkeypatch):
    # an estimator was told to "export net.to(np.float32)"; it is refitted in float32 (which
    # keeps its labels). The limit is lowered so that the float64 weights (21 values, 168
    # bytes) are over it and float32's 84 bytes are not.
    import glassnet.onnx as gonnx

    monkeypatch.setattr(gonnx, "_MAX_WEIGHT_BYTES", 100)
    with pytest.raises(OnnxError) as info:
        export(nn.MLP([3, 4, 1], rng=0).to(np.float64), verify=False)
    msg = str(info.value)
    assert "168 bytes" in msg and "In float32 they take 84 bytes, which fit: export" in msg
    assert "net.to(np.float32)" in msg and "dtype='float32'" not in msg
    with pytest.raises(OnnxError) as info:
        export(_fitted_float64_classifier(), verify=False)
    msg = str(info.value)
    assert msg.startswith("export(MLPClassifier): the network's weights take 168 bytes")
    assert "which fit: fit the MLPClassifier with dtype='float32'" in msg
    assert "net.to" not in msg


def _named_regressor(n_features: int = 60):
    """A float32 MLPRegressor fitted on a DataFrame of long column names: the graph's
    description lists them, so they take more of the file than its weights."""
    import warnings

    pd = pytest.importorskip("pandas")
    from glassnet.sklearn import MLPRegressor

    X = np.random.default_rng(0).normal(size=(30, n_features))
    df = pd.DataFrame(X, columns=[f"a_rather_long_feature_name_{i:04d}" for i in range(n_features)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (ConvergenceWarning of 3 iterations)
        return MLPRegressor(
            hidden_layer_sizes=(2,), max_iter=3, random_state=0, dtype="float32"
        ).fit(df, X[:, 0])


@pytest.mark.parametrize("verify", [True, False])
def test_a_graph_whose_weights_fit_but_whose_names_do_not_is_refused_clearly(
    monkeypatch, tmp_path, verify
):
    # the early check counts weights only: feature names (in the description), class labels
    # and preprocessing constants made a graph just under the limit in weights fail late,
    # with protobuf's EncodeError or an OnnxError calling it a bug. The limits are lowered:
    # the weights (60 x 2 + 2 + 2 + 1 float32 = 500 bytes) are under the weight limit, the
    # graph (its 60 names of 31 characters) over the file limit.
    import glassnet.onnx as gonnx

    est = _named_regressor()
    whole = export(est, verify=False).ByteSize()
    assert whole > 2 * 60 * 31  # (the names are in it, as doc string and metadata)
    monkeypatch.setattr(gonnx, "_MAX_WEIGHT_BYTES", 500)
    monkeypatch.setattr(gonnx, "MAX_FILE_BYTES", 1500)
    path = tmp_path / "m.onnx"
    with pytest.raises(OnnxError) as info:
        export(est, path, verify=verify)
    msg = str(info.value)
    assert msg.startswith(f"export(MLPRegressor): the ONNX graph takes {whole:,} bytes")
    assert "1,500 bytes" in msg and "preprocessing constants) take 500 bytes" in msg
    assert "feature names" in msg and "glassnet.io.save_model" in msg
    assert "does not check" not in msg and "float32" not in msg  # (float32 already)
    assert list(tmp_path.iterdir()) == []
    # at the limit it is written
    monkeypatch.setattr(gonnx, "MAX_FILE_BYTES", whole + 200)  # (+ verify's metadata)
    export(est, path, verify=verify)
    assert path.stat().st_size <= whole + 200


def test_a_float64_graph_over_the_file_limit_is_told_float32_may_fit(monkeypatch):
    import glassnet.onnx as gonnx

    est = _fitted_float64_classifier()
    whole = export(est, verify=False).ByteSize()
    monkeypatch.setattr(gonnx, "MAX_FILE_BYTES", whole - 1)
    with pytest.raises(OnnxError) as info:
        export(est, verify=False)
    msg = str(info.value)
    assert f"the ONNX graph takes {whole:,} bytes" in msg
    assert "fit the MLPClassifier with dtype='float32'" in msg
