"""Round 21 (onnxfuzz): the labels of float32 and float64 sigmoid heads at the logit where
glassnet's sigmoid rounds to 0.5, feeds refusing a number beyond the network's dtype, the
export's words for a LeakyReLU slope it cannot write, and what docs/onnx.md says of rows
that overflow or hold +-inf (what onnxruntime answers there)."""

import json
import warnings

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from glassnet import nn  # noqa: E402
from glassnet.cli import main  # noqa: E402
from glassnet.io import load_pipeline, save_model  # noqa: E402
from glassnet.onnx import export, feeds  # noqa: E402
from glassnet.tasks import get_task, infer_task  # noqa: E402


def _session(proto):
    return ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])


# logits around 2^-52, where glassnet's float64 sigmoid (1 + tanh(z/2)) / 2 is exactly 0.5
# (label 0) and onnxruntime's Sigmoid 0.5000000000000001; above it both are above 0.5
TINY = np.array([2.0**-52, 2e-16, 1.7e-16, np.nextafter(2.0**-52, 1.0), 0.0, -1e-16, 1.0])
# the same in float32, around 2^-23, where glassnet's float32 sigmoid rounds to 0.5 (label 0)
# and onnxruntime's is above it: the first four are 2^-23, 2^-24, 1e-7 (label 0) and the
# float32 after 2^-23 (label 1)
TINY32 = np.array(
    [2.0**-23, 2.0**-24, 1e-7, np.nextafter(np.float32(2.0**-23), np.float32(1)), 0.0, -1e-7, 1.0],
    dtype=np.float32,
)
TINIES = {"float32": TINY32, "float64": TINY}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("multilabel", [False, True])
def test_a_network_exported_with_its_task_labels_tiny_logits_as_task_decode(multilabel, dtype):
    width = 2 if multilabel else 1
    net = nn.MLP([1, width], output_activation="sigmoid", dtype=dtype, rng=0)
    net.layers[0].W.data[:] = 1.0
    net.layers[0].b.data[:] = 0.0
    y = np.array([[0, 1], [1, 0]]) if multilabel else np.array([0, 1])
    task = get_task("multilabel").fit(y) if multilabel else infer_task(y)
    X = TINIES[dtype].reshape(-1, 1)
    label, proba = _session(export(net, task=task)).run(None, {"X": X})
    out = net.predict(X)
    want = task.decode(out)
    assert np.asarray(want).reshape(len(X), -1)[:4, 0].tolist() == [0, 0, 0, 1]  # (the case)
    np.testing.assert_array_equal(label, want)
    atol = 1e-7 if dtype == "float32" else 1e-15  # one float32 rounding of a probability
    np.testing.assert_allclose(proba, task.proba(out), rtol=0, atol=atol)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("task", ["binary", "multilabel"])
def test_a_command_line_model_labels_tiny_logits_as_pipeline_predict(tmp_path, task, dtype):
    pd = pytest.importorskip("pandas")
    x = np.random.default_rng(0).normal(size=40)
    multi = task == "multilabel"
    lines = ["x,y,u" if multi else "x,y"]
    lines += [f"{v:.4f},{'yes' if v > 0 else 'no'}" + (f",{int(v > 0.3)}" if multi else "")
              for v in x]  # fmt: skip
    (tmp_path / "d.csv").write_text("\n".join(lines) + "\n")
    argv = ["train", str(tmp_path / "d.csv"), "--target", "y,u" if multi else "y"]
    argv += ["--hidden", "none", "--dtype", dtype, "--no-standardize", "--epochs", "2"]
    argv += ["-q", "--out", str(tmp_path / "m.glassnet")] + (["--task", task] if multi else [])
    assert main(argv) == 0
    pipe = load_pipeline(tmp_path / "m.glassnet")  # z = x: the network's inputs are the cells
    pipe.network.layers[0].W.data[:] = 1.0
    pipe.network.layers[0].b.data[:] = 0.0
    save_model(pipe.network, tmp_path / "z.glassnet", meta=pipe.meta)
    tiny = TINIES[dtype]
    rows = pd.DataFrame({"x": tiny.astype(np.float64)})  # (float32 cells: exact in float64)
    sess = _session(export(tmp_path / "z.glassnet"))
    label, _ = sess.run(None, feeds(sess, rows))
    want = np.asarray(load_pipeline(tmp_path / "z.glassnet").predict(rows))
    assert [str(v) for v in want.reshape(len(tiny), -1)[:4, 0]] == ["no", "no", "no", "yes"]
    assert [str(v) for v in np.ravel(label)] == [str(v) for v in np.ravel(want)]


@pytest.mark.parametrize("slope", [1.5, 1.0, -0.5])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_leaky_relu_slope_export_cannot_write_is_refused_in_exports_words(slope, dtype):
    net = nn.Sequential(nn.Linear(3, 4, rng=0, dtype=dtype), nn.LeakyReLU(slope))
    with pytest.raises(TypeError) as caught:
        export(net)
    said = str(caught.value)
    assert said.startswith("export writes a LeakyReLU for 0 <= negative_slope < 1 only")
    assert f"negative_slope={slope:g}" in said and "glassnet.io.save_model" in said
    assert "engine" not in said  # (fit's engines export nothing)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """'glassnet train' models (float32 and float64, --impute mean) of a number column a
    and a text column col, exported; by dtype: (session, model path)."""
    tmp = tmp_path_factory.mktemp("r21")
    rng = np.random.default_rng(2)
    lines = ["a,col,y"]
    for i in range(60):
        a = rng.normal()
        lines.append(f"{a:.3f},{['red', 'blue'][i % 2]},{'yes' if a > 0 else 'no'}")
    (tmp / "d.csv").write_text("\n".join(lines) + "\n")
    out = {}
    for dtype in ("float32", "float64"):
        model = tmp / f"{dtype}.glassnet"
        argv = ["train", str(tmp / "d.csv"), "--target", "y", "--impute", "mean", "--dtype"]
        argv += [dtype, "--hidden", "4", "--epochs", "5", "-q", "--out", str(model)]
        assert main(argv) == 0
        out[dtype] = (_session(export(model, tmp / f"{dtype}.onnx")), model)
    return out


def test_feeds_refuses_a_number_beyond_the_networks_dtype_as_pipeline_predict(trained):
    pd = pytest.importorskip("pandas")
    sess, model = trained["float32"]
    rows = pd.DataFrame({"a": [0.5, 1e300, -1e300], "col": ["red", "blue", "red"]})
    with pytest.raises(ValueError, match=r"row 1 of X, column 'a'.*beyond float32's largest"):
        load_pipeline(model).predict(rows)
    with pytest.raises(ValueError) as caught:
        feeds(sess, rows)
    said = str(caught.value)
    assert "row 1" in said and "column 'a'" in said and "beyond float32's largest" in said
    assert "NaN" in said  # (what the graph would answer)
    # the same file read as a ModelProto or from its path: the same refusal
    with pytest.raises(ValueError, match="beyond float32's largest"):
        feeds(str(model.with_suffix(".onnx")), rows)
    # a file exported before the dtype was stored: read from the graph's description
    proto = onnx.load(str(model.with_suffix(".onnx")))
    for prop in proto.metadata_props:
        if prop.key == "glassnet.preprocessing":
            prep = json.loads(prop.value)
            assert prep.pop("dtype") == "float32"
            prop.value = json.dumps(prep)
    with pytest.raises(ValueError, match="beyond float32's largest"):
        feeds(proto, rows)
    # cells the graph imputes (+-inf, NaN) and numbers within float32 go through, as predict
    ok = pd.DataFrame({"a": [np.inf, -np.inf, 1e30], "col": ["red", "blue", "red"]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (the filled cells' note)
        label, _ = sess.run(None, feeds(sess, ok))
        assert list(label) == list(load_pipeline(model).predict(ok))
    # a float64 network takes 1e300 (its scaled value fits), as Pipeline.predict does
    sess64, model64 = trained["float64"]
    label, proba = sess64.run(None, feeds(sess64, rows))
    assert list(label) == list(load_pipeline(model64).predict(rows))
    assert np.isfinite(proba).all()


# ---------------------------------------------------------------- what docs/onnx.md says of
# rows that overflow a layer's sums or hold +-inf (Limits)


def _overflowing(w):
    """A float32 sigmoid Neuron of weights ``w`` (4 inputs, no bias) as a binary network."""
    net = nn.MLP([4, 1], output_activation="sigmoid", rng=0)
    net.layers[0].W.data[:] = np.array(w, np.float32).reshape(4, 1)
    net.layers[0].b.data[:] = 0.0
    task = infer_task(np.array(["no", "yes"]))
    return net, task, _session(export(net, task=task))


def test_a_sum_that_overflows_gives_exact_0_or_1_not_nan_and_depends_on_the_order():
    X = np.full((1, 4), 3e38, np.float32)  # terms 2.7e38, 2.7e38, -3e38, -3e38: z = -6e37
    terms = np.abs(X.astype(np.float64)) @ np.abs([[0.9], [0.9], [-1.0], [-1.0]])
    assert terms[0, 0] > np.finfo(np.float32).max  # (the docs' range: terms beyond float32's)
    labels = []
    for w in ([0.9, 0.9, -1, -1], [-1, -1, 0.9, 0.9]):  # the same terms, in two orders
        net, task, sess = _overflowing(w)
        label, proba = sess.run(None, {"X": X})
        assert np.isin(proba, [0.0, 1.0]).all()  # a confident answer, no NaN
        assert np.isin(task.proba(net.predict(X)), [0.0, 1.0]).all()  # glassnet: no refusal
        labels.append(label[0])
    # onnxruntime sums the products in the inputs' order: 2.7e38 + 2.7e38 is inf, and no
    # finite term brings it back ('yes'); the other order overflows to -inf ('no')
    assert labels == ["yes", "no"]


def test_rows_whose_layer_terms_stay_below_float32s_largest_agree_within_the_tolerance():
    net = nn.MLP([8, 16, 16, 3], activation="relu", rng=0)  # float32, identity output
    linears = [m for m in net.layers if isinstance(m, nn.Linear)]

    def terms(X):  # each layer's A(x): the network on |x| with |W| and |b|, no activation
        A = [np.abs(X.astype(np.float64))]
        for lin in linears:
            W, b = (np.abs(p.data.astype(np.float64)) for p in (lin.W, lin.b))
            A.append(A[-1] @ W + b)
        return A[1:]

    X = np.random.default_rng(0).normal(size=(200, 8))
    X = (X * (1e38 / terms(X)[-1].max(axis=1, keepdims=True))).astype(np.float32)
    layers = terms(X)  # (each row's last about 1e38; every layer's below float32's 3.4e38)
    A = layers[-1]
    assert max(a.max() for a in layers) < np.finfo(np.float32).max
    assert A.max(axis=1).min() > 9e37
    (Y,) = _session(export(net)).run(None, {"X": X})
    out = net.predict(X)
    assert np.isfinite(Y).all() and np.abs(out).max() > 1e35
    assert (np.abs(Y - out) <= 1e-5 * A).all()


def test_an_inf_cell_gives_finite_confident_probabilities_a_nan_cell_nan():
    pytest.importorskip("sklearn")
    from glassnet.sklearn import MLPClassifier

    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (a short fit: its ConvergenceWarning)
        clf = MLPClassifier(hidden_layer_sizes=(), max_iter=50, random_state=0)
        clf.fit(X, ["no", "no", "yes", "yes"])
    assert clf.coefs_[0][0, 0] > 0
    rows = np.array([[np.inf], [-np.inf], [np.nan]])
    label, proba = _session(export(clf)).run(None, {"X": rows})
    assert list(label) == ["yes", "no", "no"]  # (NaN: the first class)
    np.testing.assert_array_equal(proba[:2], [[0.0, 1.0], [1.0, 0.0]])  # no NaN to see
    assert np.isnan(proba[2]).all()
    for row in rows:  # glassnet's predict refuses each
        with pytest.raises(ValueError):
            clf.predict(row[None])


@pytest.mark.parametrize("act", ["relu", "leaky_relu", "sigmoid", "tanh"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_nan_cell_makes_every_output_of_its_row_nan_through_every_activation(act, dtype):
    net = nn.MLP([3, 5, 2], activation=act, rng=0, dtype=dtype)
    X = np.array([[np.nan, 0, 0], [0, np.nan, 1], [0.5, 0, 1]], dtype)
    (Y,) = _session(export(net)).run(None, {"X": X})
    assert np.isnan(Y[:2]).all() and np.isfinite(Y[2]).all()
