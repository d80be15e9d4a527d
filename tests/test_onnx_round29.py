"""ONNX audit 29: load refuses a classifier's head that changes the probabilities (a
Gather reordering them, a Slice, a float16 round trip) and still reads skl2onnx's and
glassnet's own heads; export(net, task=...) checks a regression task against the network;
a glassnet.sklearn MLPRegressor whose out_activation_ is 'sigmoid', 'relu' or 'leaky_relu'
exports what predict computes; load of a 'glassnet train' export names its loader."""

from __future__ import annotations

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from onnx import TensorProto as T  # noqa: E402
from onnx import helper as h  # noqa: E402
from onnx import numpy_helper as nh  # noqa: E402

from glassnet.onnx import OnnxError, load  # noqa: E402


def _ort(m, X):
    sess = ort.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"])
    return sess.run(None, {"X": X})


def _classifier(head, extra=(), act="Softmax", width=3, out_width=None, out_elem=T.FLOAT):
    rng = np.random.default_rng(0)
    W = rng.normal(size=(4, width)).astype(np.float32)
    b = np.zeros(width, np.float32)
    act_node = (
        h.make_node("Softmax", ["z"], ["p"], axis=1)
        if act == "Softmax"
        else h.make_node("Sigmoid", ["z"], ["p"])
    )
    nodes = [
        h.make_node("Gemm", ["X", "W", "b"], ["z"]),
        act_node,
        h.make_node("ArgMax", ["p"], ["label"], axis=1, keepdims=0),
        *head,
    ]
    inits = [nh.from_array(W, "W"), nh.from_array(b, "b"), *extra]
    g = h.make_graph(
        nodes, "g", [h.make_tensor_value_info("X", T.FLOAT, ["N", 4])],
        [h.make_tensor_value_info("label", T.INT64, ["N"]),
         h.make_tensor_value_info("probabilities", out_elem, ["N", out_width or width])],
        inits,
    )  # fmt: skip
    m = h.make_model(g, opset_imports=[h.make_opsetid("", 19)])
    onnx.checker.check_model(m, full_check=True)
    return m


_X = np.random.default_rng(1).normal(size=(5, 4)).astype(np.float32)


@pytest.mark.parametrize(
    "head, extra, out_width",
    [
        ([h.make_node("Gather", ["p", "idx"], ["probabilities"], axis=1)],
         [nh.from_array(np.array([2, 0, 1], np.int64), "idx")], 3),
        ([h.make_node("Gather", ["p", "idx"], ["probabilities"], axis=1)],
         [nh.from_array(np.array([0, 0, 0], np.int64), "idx")], 3),
        ([h.make_node("Slice", ["p", "s", "e", "a"], ["probabilities"])],
         [nh.from_array(np.array([1], np.int64), "s"), nh.from_array(np.array([3], np.int64), "e"),
          nh.from_array(np.array([1], np.int64), "a")], 2),
        ([h.make_node("Cast", ["p"], ["p16"], to=T.FLOAT16),
          h.make_node("Cast", ["p16"], ["probabilities"], to=T.FLOAT)], [], 3),
        ([h.make_node("Sub", ["one", "p"], ["probabilities"])],
         [nh.from_array(np.array(1, np.float32), "one")], 3),
        ([h.make_node("Concat", ["p", "p"], ["probabilities"], axis=1)], [], 6),
    ],
)  # fmt: skip
def test_a_head_that_changes_the_probabilities_is_refused(head, extra, out_width):
    m = _classifier(head, extra, out_width=out_width)
    _ort(m, _X)  # (a valid file, that onnxruntime runs)
    with pytest.raises(OnnxError, match="probabilities 'p' .* unchanged"):
        load(m)


def test_a_head_that_passes_the_probabilities_on_loads_and_agrees():
    m = _classifier([h.make_node("Identity", ["p"], ["probabilities"])])
    np.testing.assert_allclose(load(m).predict(_X), _ort(m, _X)[1], rtol=1e-6)
    widen = _classifier(
        [h.make_node("Cast", ["p"], ["probabilities"], to=T.DOUBLE)], out_elem=T.DOUBLE
    )
    np.testing.assert_allclose(load(widen).predict(_X), _ort(widen, _X)[1], rtol=1e-6)
    # a Sigmoid's p and [1 - p, p] (skl2onnx's binary and multilabel heads)
    pair = _classifier(
        [h.make_node("Sub", ["one", "p"], ["q"]),
         h.make_node("Concat", ["q", "p"], ["probabilities"], axis=1)],
        [nh.from_array(np.array(1, np.float32), "one")], act="Sigmoid", width=1, out_width=2,
    )  # fmt: skip
    np.testing.assert_allclose(load(pair).predict(_X)[:, 0], _ort(pair, _X)[1][:, 1], rtol=1e-6)


def test_a_sigmoid_pair_in_the_wrong_order_is_refused():
    m = _classifier(
        [h.make_node("Sub", ["one", "p"], ["q"]),
         h.make_node("Concat", ["p", "q"], ["probabilities"], axis=1)],
        [nh.from_array(np.array(1, np.float32), "one")], act="Sigmoid", width=1, out_width=2,
    )  # fmt: skip
    with pytest.raises(OnnxError, match="unchanged"):
        load(m)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_skl2onnx_and_glassnet_heads_still_load():
    skl2onnx = pytest.importorskip("skl2onnx")
    from sklearn.neural_network import MLPClassifier as SkMLP

    from glassnet.onnx import export, register_skl2onnx
    from glassnet.sklearn import MLPClassifier

    register_skl2onnx()
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3)).astype(np.float32)
    ys = {
        "binary": (X[:, 0] > 0).astype(int),
        "multiclass": np.digitize(X[:, 0], [-0.5, 0.5]),
        "multilabel": np.c_[X[:, 0] > 0, X[:, 1] > 0].astype(int),
    }
    for kind, y in ys.items():
        gn_est = MLPClassifier(max_iter=5, hidden_layer_sizes=(4,)).fit(X, y)
        files = [export(gn_est)]
        for zipmap in (True, False, "columns"):
            if kind == "multilabel" and zipmap is not False:
                continue
            for est in (SkMLP(max_iter=5, hidden_layer_sizes=(4,)).fit(X, y), gn_est):
                files.append(skl2onnx.to_onnx(est, X[:1], options={"zipmap": zipmap}))
        for m in files:
            net = load(m)
            ref = _ort_any(m, X)
            got = net.predict(X)
            np.testing.assert_allclose(got, ref[:, -got.shape[1] :], rtol=1e-6, atol=1e-7)


def _ort_any(m, X):
    """The probabilities of a classifier's file as one matrix (maps and columns joined)."""
    sess = ort.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"])
    outs = sess.run(None, {sess.get_inputs()[0].name: X})[1:]
    if isinstance(outs[0], list):  # ZipMap
        return np.array([list(d.values()) for d in outs[0]])
    return np.concatenate([np.asarray(o).reshape(len(X), -1) for o in outs], axis=1)


# ---------------------------------------------------------------- --impute-from (#2)


def _churn(tmp_path):
    pd = pytest.importorskip("pandas")
    from glassnet.cli import main

    rng = np.random.default_rng(1)
    n = 120
    df = pd.DataFrame(
        {"age": rng.normal(40, 10, n).round(1), "plan": rng.choice(["basic", "pro", "max"], n),
         "tenure": rng.integers(0, 60, n)}
    )  # fmt: skip
    df["churn"] = np.where(df.age - df.tenure * 0.3 > 25, "yes", "no")
    df.loc[[3, 7], "age"] = np.nan
    data, first = tmp_path / "churn.csv", tmp_path / "first20.csv"
    df.to_csv(data, index=False)
    df.head(20).to_csv(first, index=False)
    model = tmp_path / "churn.glassnet"
    args = ["train", str(data), "--target", "churn", "--impute", "mean", "--epochs", "3"]
    assert main([*args, "--out", str(model), "-q"]) == 0
    return data, first, model


def test_impute_from_that_differs_from_the_stored_statistics_is_refused(tmp_path, capsys):
    import json

    from glassnet.cli import main
    from glassnet.onnx import export

    data, first, model = _churn(tmp_path)
    with pytest.raises(ValueError, match=r"stores the imputation statistics.*'age'.*Leave out"):
        export(model, tmp_path / "a.onnx", impute_from=first)
    assert not (tmp_path / "a.onnx").exists()
    assert main(["export", str(model), str(tmp_path / "b.onnx"), "--impute-from", str(first)]) == 2
    err = capsys.readouterr().err
    assert "stores the imputation statistics" in err and "Leave out --impute-from" in err, err
    assert "'impute_from'" not in err, err  # (the command line names its flag alone)
    # the training CSV itself gives the stored values: accepted, and the file keeps them
    proto = export(model, tmp_path / "c.onnx", impute_from=data)
    meta = {p.key: p.value for p in proto.metadata_props}
    plain = {p.key: p.value for p in export(model).metadata_props}
    assert json.loads(meta["glassnet.imputation"]) == json.loads(plain["glassnet.imputation"])


# ---------------------------------------------------------------- a regression task (#3)


def test_a_regression_task_that_does_not_fit_the_network_is_refused():
    from glassnet import nn
    from glassnet.onnx import export
    from glassnet.tasks import MultiOutputRegression, Regression

    net = nn.MLP([3, 4, 1], rng=0)  # one identity output
    with pytest.raises(ValueError, match=r"'task'.*5 outputs.*the network has 1"):
        export(net, task=MultiOutputRegression().fit(np.zeros((3, 5))))
    with pytest.raises(ValueError, match=r"'task'.*sigmoid output layer.*identity"):
        export(net, task=Regression("sigmoid").fit(np.array([0.1, 0.9])))
    # a task that fits is applied
    m = export(net, task=Regression().fit(np.array([0.1, 0.9])))
    assert {p.key: p.value for p in m.metadata_props}["glassnet.task"] == "regression"
    two = nn.MLP([3, 4, 2], output_activation="tanh", rng=0)
    m = export(two, task=MultiOutputRegression("tanh").fit(np.zeros((3, 2))))
    assert {p.key: p.value for p in m.metadata_props}["glassnet.task"] == "multioutput_regression"


# ---------------------------------------------------------------- a regressor's head (#6)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("head", ["sigmoid", "relu", "leaky_relu", "logistic"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_regressors_hand_set_head_exports_what_predict_computes(head, dtype):
    pytest.importorskip("sklearn")
    from glassnet.onnx import export
    from glassnet.sklearn import MLPRegressor

    X = np.random.default_rng(0).normal(size=(60, 3)).astype(dtype)
    r = MLPRegressor(max_iter=20, hidden_layer_sizes=(5,), random_state=0).fit(X, X[:, :2])
    r.out_activation_ = head
    sess = ort.InferenceSession(export(r).SerializeToString(), providers=["CPUExecutionProvider"])
    got = sess.run(None, {sess.get_inputs()[0].name: X})[0]
    want = r.predict(X)
    np.testing.assert_allclose(got, want, rtol=1e-5 if dtype == np.float32 else 1e-12, atol=1e-6)
    if head in ("relu", "leaky_relu"):
        assert (want < 0).any() == (head == "leaky_relu")


# ---------------------------------------------------------------- a 'glassnet train' file (#8)


def test_load_of_a_glassnet_train_export_names_what_it_is(tmp_path):
    from glassnet.onnx import export

    _, _, model = _churn(tmp_path)
    export(model, tmp_path / "churn.onnx")
    with pytest.raises(OnnxError, match=r"glassnet train.*load_pipeline.*feeds"):
        load(tmp_path / "churn.onnx")


# ---------------------------------------------------------------- skl2onnx on a DataFrame (#4)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("which", ["classifier", "regressor"])
def test_skl2onnx_of_an_estimator_fitted_on_a_dataframe_reads_every_column(which):
    skl2onnx = pytest.importorskip("skl2onnx")
    pd = pytest.importorskip("pandas")
    from glassnet.onnx import register_skl2onnx
    from glassnet.sklearn import MLPClassifier, MLPRegressor

    register_skl2onnx()
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(size=(80, 3)).astype(np.float32), columns=list("abc"))
    df["d"] = rng.integers(0, 3, 80)  # (an int64 column: cast to the network's float)
    y = ((df.a + df.c) > 0).astype(int)
    est = (MLPClassifier if which == "classifier" else MLPRegressor)(max_iter=20, random_state=0)
    est.fit(df, y if which == "classifier" else df.a - df.c)
    onx = skl2onnx.to_onnx(est, df[:1])
    assert [i.name for i in onx.graph.input] == ["a", "b", "c", "d"]
    onnx.checker.check_model(onx, full_check=True)
    sess = ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
    feeds = {c: df[[c]].to_numpy() for c in df.columns}
    out = sess.run(None, feeds)
    if which == "classifier":
        np.testing.assert_array_equal(out[0], est.predict(df))
        proba = np.array([list(d.values()) for d in out[1]])
        np.testing.assert_allclose(proba, est.predict_proba(df), rtol=1e-5, atol=1e-6)
    else:
        np.testing.assert_allclose(out[0][:, 0], est.predict(df), rtol=1e-5, atol=1e-5)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_skl2onnx_with_inputs_of_another_width_is_refused():
    skl2onnx = pytest.importorskip("skl2onnx")
    from glassnet.onnx import register_skl2onnx
    from glassnet.sklearn import MLPClassifier

    register_skl2onnx()
    X = np.random.default_rng(0).normal(size=(40, 3)).astype(np.float32)
    est = MLPClassifier(max_iter=5).fit(X, X[:, 0] > 0)
    with pytest.raises(ValueError, match=r"2 feature.*takes 3"):
        skl2onnx.to_onnx(est, X[:1, :2])


# ---------------------------------------------------------------- glassnet's preprocessing (#5)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_pipeline_of_glassnets_standard_scaler_converts(dtype):
    skl2onnx = pytest.importorskip("skl2onnx")
    from sklearn.pipeline import make_pipeline

    import glassnet as gn
    from glassnet.onnx import register_skl2onnx
    from glassnet.sklearn import MLPClassifier, MLPRegressor

    register_skl2onnx()
    X = (np.random.default_rng(0).normal(size=(60, 3)) * [1, 10, 100] + 5).astype(dtype)
    y = (X[:, 0] > 5).astype(int)
    pipe = make_pipeline(gn.preprocessing.StandardScaler(), MLPClassifier(max_iter=20))
    pipe.fit(X, y)
    onx = skl2onnx.to_onnx(pipe, X[:1], options={MLPClassifier: {"zipmap": False}})
    onnx.checker.check_model(onx, full_check=True)
    label, proba = ort.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    ).run(None, {"X": X})
    np.testing.assert_array_equal(label, pipe.predict(X))
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(proba, pipe.predict_proba(X), rtol=tol, atol=tol)
    reg = make_pipeline(gn.preprocessing.StandardScaler(), MLPRegressor(max_iter=20))
    reg.fit(X, X[:, 1])
    onx = skl2onnx.to_onnx(reg, X[:1])
    (out,) = ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"]).run(
        None, {"X": X}
    )
    np.testing.assert_allclose(out[:, 0], reg.predict(X), rtol=tol, atol=tol * 10)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_pipeline_of_glassnets_one_hot_encoder_converts():
    skl2onnx = pytest.importorskip("skl2onnx")
    from sklearn.pipeline import make_pipeline

    import glassnet as gn
    from glassnet.onnx import register_skl2onnx
    from glassnet.sklearn import MLPClassifier

    register_skl2onnx()
    rng = np.random.default_rng(0)
    X = np.c_[rng.choice(["red", "blue", "green"], 80), rng.choice(["s", "m"], 80)]
    y = (X[:, 0] == "red").astype(int)
    pipe = make_pipeline(gn.preprocessing.OneHotEncoder(), MLPClassifier(max_iter=30)).fit(X, y)
    onx = skl2onnx.to_onnx(pipe, X[:1], options={MLPClassifier: {"zipmap": False}})
    onnx.checker.check_model(onx, full_check=True)
    sess = ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
    label, proba = sess.run(None, {"X": X})
    np.testing.assert_array_equal(label, pipe.predict(X))
    np.testing.assert_allclose(proba, pipe.predict_proba(X), rtol=1e-5, atol=1e-6)
    Xi = rng.integers(0, 3, (80, 2)).astype(np.int64)
    pipe = make_pipeline(gn.preprocessing.OneHotEncoder(), MLPClassifier(max_iter=30))
    pipe.fit(Xi, (Xi[:, 0] == 1).astype(int))
    onx = skl2onnx.to_onnx(pipe, Xi[:1], options={MLPClassifier: {"zipmap": False}})
    sess = ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
    label, proba = sess.run(None, {"X": Xi})
    np.testing.assert_array_equal(label, pipe.predict(Xi))
    np.testing.assert_allclose(proba, pipe.predict_proba(Xi), rtol=1e-5, atol=1e-6)
