"""Review revO of the ONNX audit 29 mends: load reads a Sigmoid head that widens p to
float64 and builds [1 - p, p] there; skl2onnx of a float64 estimator fitted on a DataFrame
with an integer column computes in float64; glassnet's StandardScaler converts bit for bit
with transform (float64 arithmetic, one rounding; an int64 input gives float64); a
regression task of another output layer is refused with a task that exists; a DataFrame
whose columns are not the fitted ones is refused, as predict refuses it."""

from __future__ import annotations

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from onnx import TensorProto as T  # noqa: E402
from onnx import helper as h  # noqa: E402
from onnx import numpy_helper as nh  # noqa: E402

from glassnet.onnx import OnnxError, load  # noqa: E402


def _sess(m):
    return ort.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"])


def _sigmoid_classifier(head, extra, out_elem):
    W = np.random.default_rng(0).normal(size=(4, 1)).astype(np.float32)
    nodes = [
        h.make_node("Gemm", ["X", "W", "b"], ["z"]),
        h.make_node("Sigmoid", ["z"], ["p"]),
        h.make_node("Greater", ["p", "half"], ["label"]),
        *head,
    ]
    inits = [nh.from_array(W, "W"), nh.from_array(np.zeros(1, np.float32), "b"),
             nh.from_array(np.array(0.5, np.float32), "half"), *extra]  # fmt: skip
    g = h.make_graph(
        nodes, "g", [h.make_tensor_value_info("X", T.FLOAT, ["N", 4])],
        [h.make_tensor_value_info("label", T.BOOL, ["N", 1]),
         h.make_tensor_value_info("probabilities", out_elem, ["N", 2])],
        inits,
    )  # fmt: skip
    m = h.make_model(g, opset_imports=[h.make_opsetid("", 19)])
    onnx.checker.check_model(m, full_check=True)
    return m


_X = np.random.default_rng(1).normal(size=(7, 4)).astype(np.float32)


def test_a_head_that_widens_p_and_builds_its_complement_in_float64_loads():
    m = _sigmoid_classifier(
        [h.make_node("Cast", ["p"], ["pd"], to=T.DOUBLE),
         h.make_node("Sub", ["one", "pd"], ["q"]),
         h.make_node("Concat", ["q", "pd"], ["probabilities"], axis=1)],
        [nh.from_array(np.array([1.0]), "one")], T.DOUBLE,
    )  # fmt: skip
    got = np.asarray(load(m).predict(_X)).reshape(-1)
    np.testing.assert_array_equal(got, _sess(m).run(None, {"X": _X})[1][:, 1])
    # the same head in the wrong order, or through float16, is still refused
    swapped = _sigmoid_classifier(
        [h.make_node("Cast", ["p"], ["pd"], to=T.DOUBLE),
         h.make_node("Sub", ["one", "pd"], ["q"]),
         h.make_node("Concat", ["pd", "q"], ["probabilities"], axis=1)],
        [nh.from_array(np.array([1.0]), "one")], T.DOUBLE,
    )  # fmt: skip
    with pytest.raises(OnnxError, match="unchanged"):
        load(swapped)
    rounded = _sigmoid_classifier(
        [h.make_node("Cast", ["p"], ["p16"], to=T.FLOAT16),
         h.make_node("Cast", ["p16"], ["pd"], to=T.DOUBLE),
         h.make_node("Sub", ["one", "pd"], ["q"]),
         h.make_node("Concat", ["q", "pd"], ["probabilities"], axis=1)],
        [nh.from_array(np.array([1.0]), "one")], T.DOUBLE,
    )  # fmt: skip
    with pytest.raises(OnnxError, match="unchanged"):
        load(rounded)


@pytest.fixture
def _skl():
    skl2onnx = pytest.importorskip("skl2onnx")
    pytest.importorskip("sklearn")
    from glassnet.onnx import register_skl2onnx

    register_skl2onnx()
    return skl2onnx


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_float64_estimator_on_a_dataframe_with_an_int_column_computes_in_float64(_skl):
    pd = pytest.importorskip("pandas")
    from glassnet.sklearn import MLPRegressor

    rng = np.random.default_rng(0)
    df = pd.DataFrame({"a": rng.normal(size=80), "b": rng.normal(size=80) * 100})
    df["c"] = rng.integers(0, 1000, 80)
    r = MLPRegressor(hidden_layer_sizes=(6,), max_iter=30, dtype="float64", random_state=0)
    r.fit(df, df.a * 3)
    onx = _skl.to_onnx(r, df[:1])
    sess = _sess(onx)
    assert sess.get_outputs()[0].type == "tensor(double)"
    (out,) = sess.run(None, {c: df[[c]].to_numpy() for c in df.columns})
    np.testing.assert_allclose(out[:, 0], r.predict(df), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.int64, np.float64])
def test_the_standard_scaler_converts_bit_for_bit_with_transform(_skl, dtype):
    import glassnet as gn

    rng = np.random.default_rng(0)
    X = np.column_stack([rng.normal(size=200) * 1e3 + 5e6, rng.normal(size=200)])
    X = X.astype(dtype)
    sc = gn.preprocessing.StandardScaler().fit(X)
    (got,) = _sess(_skl.to_onnx(sc, X[:1])).run(None, {"X": X})
    want = sc.transform(X)
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)


def test_a_regression_task_of_another_output_layer_names_one_that_exists():
    from glassnet import nn
    from glassnet.onnx import export
    from glassnet.tasks import Regression, infer_task

    y = np.array([0.1, 0.9])
    task = infer_task(y)
    sig = nn.MLP([3, 4, 1], output_activation="sigmoid", rng=0)
    with pytest.raises(ValueError, match=r"an identity output.*Regression\('sigmoid'\)"):
        export(sig, task=task)
    export(sig, task=Regression("sigmoid").fit(y))  # (the suggestion works)
    relu = nn.MLP([3, 4, 1], output_activation="relu", rng=0)
    with pytest.raises(ValueError, match=r"no regression task describes a relu") as e:
        export(relu, task=task)
    assert "Regression('relu')" not in str(e.value)
    export(relu)  # (leaving out 'task', as it says)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_dataframe_with_other_column_names_is_refused_as_predict_refuses_it(_skl):
    pd = pytest.importorskip("pandas")
    from glassnet.sklearn import MLPClassifier

    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(size=(40, 3)).astype(np.float32), columns=list("abc"))
    est = MLPClassifier(max_iter=5, random_state=0).fit(df, df.a > 0)
    other = df.rename(columns={"a": "x"})
    with pytest.raises(ValueError, match="feature names"):
        est.predict(other)
    with pytest.raises(ValueError, match=r"not seen at fit time \['x'\].*missing \['a'\]"):
        _skl.to_onnx(est, other[:1])
    reordered = df[["c", "a", "b"]]  # (the same names in another order: put in order)
    onx = _skl.to_onnx(est, reordered[:1], options={MLPClassifier: {"zipmap": False}})
    label = _sess(onx).run(None, {c: df[[c]].to_numpy() for c in df.columns})[0]
    np.testing.assert_array_equal(label, est.predict(df))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("zipmap", [True, False])
def test_a_float64_classifier_on_a_dataframe_with_an_int_column(_skl, zipmap):
    pd = pytest.importorskip("pandas")
    from glassnet.sklearn import MLPClassifier

    rng = np.random.default_rng(0)
    df = pd.DataFrame({"a": rng.normal(size=80), "c": rng.integers(0, 1000, 80)})
    c = MLPClassifier(hidden_layer_sizes=(6,), max_iter=30, dtype="float64", random_state=0)
    c.fit(df, df.a > 0)
    onx = _skl.to_onnx(c, df[:1], options={MLPClassifier: {"zipmap": zipmap}})
    onnx.checker.check_model(onx, full_check=True)
    label, proba = _sess(onx).run(None, {k: df[[k]].to_numpy() for k in df.columns})
    np.testing.assert_array_equal(label, c.predict(df))
    if zipmap:  # (skl2onnx's ZipMap takes float32: the graph computes in float32)
        proba = np.array([list(d.values()) for d in proba])
        np.testing.assert_allclose(proba, c.predict_proba(df), rtol=1e-5, atol=1e-6)
    else:
        assert proba.dtype == np.float64
        np.testing.assert_allclose(proba, c.predict_proba(df), rtol=1e-12, atol=1e-14)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("zipmap", [True, False, "columns"])
@pytest.mark.parametrize("dtype", [np.int64, np.float64, np.float32])
def test_a_scaler_and_classifier_pipeline_converts_for_every_input_type(_skl, zipmap, dtype):
    from sklearn.pipeline import make_pipeline

    import glassnet as gn
    from glassnet.sklearn import MLPClassifier

    X = np.random.default_rng(0).integers(0, 100, size=(60, 3)).astype(dtype)
    y = (X[:, 0] > 50).astype(int)
    pipe = make_pipeline(gn.preprocessing.StandardScaler(), MLPClassifier(max_iter=20))
    pipe.fit(X, y)
    onx = _skl.to_onnx(pipe, X[:1], options={MLPClassifier: {"zipmap": zipmap}})
    onnx.checker.check_model(onx, full_check=True)  # (ZipMap takes float32 only)
    out = _sess(onx).run(None, {"X": X})
    np.testing.assert_array_equal(out[0], pipe.predict(X))
    proba = (
        np.array([list(d.values()) for d in out[1]]) if zipmap is True
        else np.column_stack(out[1:]) if zipmap == "columns" else out[1]
    )  # fmt: skip
    np.testing.assert_allclose(proba, pipe.predict_proba(X), rtol=1e-5, atol=1e-6)
