"""glassnet.sklearn, round 21: dtype refusals, the warning filters a fit leaves, a hand-set
output activation, class_weight in folds, binary probabilities as complements, set_output
of the preprocessing transformers and text y of the regressor."""

import threading
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")
pytest.importorskip("scipy")

from glassnet.sklearn import MLPClassifier, MLPRegressor  # noqa: E402

# (the short fits here stop at max_iter on purpose)
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _xy(n=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    return X, X.sum(1)


def _has(pattern):
    return any(getattr(f[1], "pattern", None) == pattern for f in warnings.filters)


# ------------------------------------------------------------ dtype (apifuzz 1)
@pytest.mark.parametrize("est", [MLPClassifier, MLPRegressor])
@pytest.mark.parametrize("dtype", ["flaot64", "float_64", 1.5, [1, 2], "", {"a": 1}, "int64"])
def test_dtype_numpy_cannot_read_is_refused(est, dtype):
    # NumPy compares None as float64, so an unreadable dtype used to pass as None (X's dtype)
    X, y = _xy()
    y = (y > 0).astype(int)
    with pytest.raises(ValueError, match=r"'dtype' parameter of .*'float32', 'float64' or None"):
        est(hidden_layer_sizes=(3,), max_iter=2, dtype=dtype).fit(X.astype(np.float32), y)


@pytest.mark.parametrize("dtype", ["float64", "d", float, np.float64])
def test_dtype_float64_spellings_still_train_in_float64(dtype):
    X, y = _xy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reg = MLPRegressor(hidden_layer_sizes=(3,), max_iter=2, dtype=dtype, random_state=0)
        reg.fit(X.astype(np.float32), y)
    assert reg.coefs_[0].dtype == np.float64


# ---------------------------------------------------- warning filters (state 1)
def test_a_filter_a_callback_adds_during_fit_stays():
    X, y = _xy()
    pattern = "glassnet round21 callback filter"

    def cb(state):
        warnings.filterwarnings("error", message=pattern)

    with warnings.catch_warnings():  # (the test's own: puts the filters back after it)
        MLPRegressor(hidden_layer_sizes=(3,), max_iter=1, random_state=0, callbacks=[cb]).fit(X, y)
        assert _has(pattern)


def test_a_filter_added_while_a_fit_runs_in_a_thread_stays():
    X, y = _xy()
    pattern = "glassnet round21 service filter"
    inside, added = threading.Event(), threading.Event()

    def cb(state):
        inside.set()
        added.wait(5)

    est = MLPRegressor(hidden_layer_sizes=(3,), max_iter=1, random_state=0, callbacks=[cb])
    with warnings.catch_warnings():  # (the test's own: puts the filters back after it)
        t = threading.Thread(target=lambda: est.fit(X, y))
        t.start()
        assert inside.wait(5)
        warnings.filterwarnings("error", message=pattern)
        added.set()
        t.join(10)
        assert _has(pattern)


def test_overlapping_fits_leave_the_filters_as_they_were():
    # A enters, B enters, A returns, B returns: catch_warnings in each left an 'ignore'
    X, y = _xy()
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()
    first = {"a": True, "b": True}

    def cb_a(state):
        if first["a"]:
            first["a"] = False
            a_in.set()
            b_in.wait(5)

    def cb_b(state):
        if first["b"]:
            first["b"] = False
            b_in.set()
            a_out.wait(5)

    kw = dict(hidden_layer_sizes=(3,), max_iter=2, random_state=0, tol=0.0)

    def fit_a():
        MLPRegressor(**kw, callbacks=[cb_a]).fit(X, y)
        a_out.set()

    with warnings.catch_warnings():  # (the test's own: puts the filters back after it)
        before = list(warnings.filters)
        ta = threading.Thread(target=fit_a)
        ta.start()
        assert a_in.wait(5)
        tb = threading.Thread(target=lambda: MLPRegressor(**kw, callbacks=[cb_b]).fit(X, y))
        tb.start()
        ta.join(10)
        tb.join(10)
        assert warnings.filters == before
        assert not _has("Training interrupted by user")


@pytest.mark.parametrize("partial", [False, True])
def test_an_interrupted_fit_warns_once_at_the_callers_line(partial):
    X, y = _xy()

    def stop(state):
        raise KeyboardInterrupt

    est = MLPRegressor(hidden_layer_sizes=(3,), max_iter=5, random_state=0, callbacks=[stop])
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        if partial:
            est.partial_fit(X, y)
        else:
            est.fit(X, y)
    said = [w for w in got if "Training interrupted by user" in str(w.message)]
    assert len(said) == 1
    assert said[0].filename == __file__
    assert est.stop_reason_ == "interrupted"
    assert est.history_.stop_reason == "interrupted"


def test_on_train_end_of_a_callback_sees_interrupted():
    from glassnet.train import Callback

    X, y = _xy()
    seen = []

    class Watch(Callback):
        def on_epoch_end(self, state):
            raise KeyboardInterrupt

        def on_train_end(self, state):
            seen.append(state.history.stop_reason)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        MLPRegressor(hidden_layer_sizes=(3,), max_iter=5, callbacks=[Watch()]).fit(X, y)
    assert seen == ["interrupted"]


# ------------------------------------------ a hand-set out_activation_ (onnxfuzz 4)
def _regressor():
    X = np.random.default_rng(0).normal(size=(20, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reg = MLPRegressor(hidden_layer_sizes=(8,), max_iter=5, random_state=0).fit(X, X[:, 0])
    return reg, X


@pytest.mark.parametrize(
    "name, fn",
    [
        ("relu", lambda z: np.maximum(z, 0)),
        ("tanh", np.tanh),
        ("logistic", lambda z: 1 / (1 + np.exp(-z))),
        ("leaky_relu", lambda z: np.maximum(z, 0.01 * z)),
        ("identity", lambda z: z),
    ],
)
def test_a_hand_set_out_activation_is_applied(name, fn):
    reg, X = _regressor()
    z = reg.predict(X)
    assert (z < 0).any()
    reg.out_activation_ = name
    np.testing.assert_allclose(reg.predict(X), fn(z), rtol=1e-12, atol=1e-15)


def test_a_hand_set_out_activation_matches_scikit_learn_relu():
    from sklearn.neural_network import MLPRegressor as SkRegressor

    reg, X = _regressor()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sk = SkRegressor(hidden_layer_sizes=(8,), max_iter=1, random_state=0).fit(X, X[:, 0])
    sk.coefs_ = [c.copy() for c in reg.coefs_]
    sk.intercepts_ = [b.copy() for b in reg.intercepts_]
    sk.out_activation_ = reg.out_activation_ = "relu"
    np.testing.assert_allclose(reg.predict(X), sk.predict(X), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", ["nonsense", None, 3])
def test_an_unknown_out_activation_is_refused(name):
    reg, X = _regressor()
    reg.out_activation_ = name
    with pytest.raises(ValueError, match=r"out_activation_=.*'relu'.*'identity'"):
        reg.predict(X)


# ------------------------------------------------- class_weight in folds (skcompose 1)
def _iris():
    from sklearn.datasets import load_iris

    return load_iris(return_X_y=True)


def test_class_weight_for_every_label_fits_a_subset_lacking_a_class():
    # scikit-learn's compute_class_weight: keys that are not classes of this y are unused
    # when every class is weighted, so the same dict serves every cross-validation fold
    X, y = _iris()
    cw = {0: 1.0, 1: 5.0, 2: 1.0}
    kw = dict(hidden_layer_sizes=(3,), max_iter=3, random_state=0)
    a = MLPClassifier(class_weight=cw, **kw).fit(X[:100], y[:100])
    b = MLPClassifier(**kw).fit(X[:100], y[:100], sample_weight=np.where(y[:100] == 1, 5.0, 1.0))
    assert a.classes_.tolist() == [0, 1]
    for p, q in zip(a.coefs_, b.coefs_):
        np.testing.assert_array_equal(p, q)


def test_class_weight_in_unstratified_cross_validation():
    from sklearn.model_selection import KFold, cross_val_score

    X, y = _iris()
    est = MLPClassifier(hidden_layer_sizes=(3,), max_iter=3, class_weight={0: 1, 1: 5, 2: 1})
    scores = cross_val_score(est, X, y, cv=KFold(3), error_score="raise")
    assert scores.shape == (3,)


def test_class_weight_leaving_a_class_unweighted_and_naming_a_non_class_is_refused():
    # the rule of compute_class_weight: a typo ({0: 2, 7: 1}) leaves classes 1 and 2 unweighted
    from sklearn.utils.class_weight import compute_class_weight

    X, y = _iris()
    with pytest.raises(ValueError, match=r"not in class_weight"):
        compute_class_weight({0: 2.0, 7: 1.0}, classes=np.array([0, 1, 2]), y=y)
    with pytest.raises(ValueError, match=r"not classes: \[7\].*unweighted: \[1, 2\]"):
        MLPClassifier((3,), max_iter=2, class_weight={0: 2.0, 7: 1.0}).fit(X, y)
    # a class left unweighted with no other key: weight 1, as in scikit-learn
    MLPClassifier((3,), max_iter=2, class_weight={0: 2.0}).fit(X, y)


def test_partial_fit_class_weight_with_a_key_beyond_classes():
    X, y = _iris()
    kw = dict(hidden_layer_sizes=(3,), random_state=0, solver="sgd")
    a = MLPClassifier(class_weight={0: 2.0, 1: 1.0, 2: 1.0, 9: 4.0}, **kw)
    a.partial_fit(X[:100], y[:100], classes=[0, 1, 2])
    with pytest.raises(ValueError, match=r"not classes: \[9\].*unweighted: \[2\]"):
        MLPClassifier(class_weight={0: 2.0, 1: 1.0, 9: 4.0}, **kw).partial_fit(
            X[:100], y[:100], classes=[0, 1, 2]
        )


# ---------------------------------------------- text y of the regressor (skcompose 4)
_TEXT = ["1.5", "2"] * 20


@pytest.mark.parametrize(
    "y",
    [
        np.array(_TEXT),
        _TEXT,
        np.array([t.encode() for t in _TEXT]),
        np.array([_TEXT[:2]] * 40),
        [1.5, "2"] * 20,
    ],
    ids=["str array", "list", "bytes array", "2-D str array", "mixed list"],
)
def test_regressor_refuses_numbers_as_text_in_an_array_or_list_as_scikit_learn(y):
    from sklearn.neural_network import MLPRegressor as SkRegressor

    X = np.random.default_rng(0).normal(size=(40, 2))
    with pytest.raises(TypeError):  # scikit-learn's: NumPy's UFuncTypeError
        SkRegressor(hidden_layer_sizes=(3,), max_iter=2, random_state=0).fit(X, y)
    reg = MLPRegressor(hidden_layer_sizes=(3,), max_iter=2, random_state=0)
    with pytest.raises(ValueError, match=r"y holds numbers written as text.*'1\.5'.*float"):
        reg.fit(X, y)
    assert not hasattr(reg, "coefs_")
    with pytest.raises(ValueError, match=r"y holds numbers written as text"):
        reg.partial_fit(X, y)


def test_regressor_reads_an_object_array_or_series_of_numbers_as_text_as_scikit_learn():
    pd = pytest.importorskip("pandas")
    from sklearn.neural_network import MLPRegressor as SkRegressor

    X = np.random.default_rng(0).normal(size=(40, 2))
    for y in (np.array(_TEXT, dtype=object), pd.Series(_TEXT), pd.Series(_TEXT, dtype="string")):
        kw = dict(hidden_layer_sizes=(3,), max_iter=2, random_state=0)
        SkRegressor(**kw).fit(X, y)
        ours = MLPRegressor(**kw).fit(X, y)
        ref = MLPRegressor(**kw).fit(X, np.array(_TEXT, dtype=float))
        np.testing.assert_array_equal(ours.predict(X), ref.predict(X))


# --------------------------------------- binary probabilities as complements (skcompose 2)
def _saturated(multilabel=False):
    from sklearn.datasets import load_breast_cancer, make_multilabel_classification
    from sklearn.neural_network import MLPClassifier as SkClassifier

    if multilabel:
        X, y = make_multilabel_classification(400, 10, n_classes=3, random_state=0)
        X = X * 5.0
    else:
        X, y = load_breast_cancer(return_X_y=True)
        X = (X - X.mean(0)) / X.std(0) * 30
    kw = dict(hidden_layer_sizes=(5,), max_iter=3, random_state=0)
    ours, theirs = MLPClassifier(**kw).fit(X, y), SkClassifier(**kw).fit(X, y)
    for i in range(2):  # the same weights in both, large: saturated outputs
        theirs.coefs_[i] = ours.coefs_[i] * 4.0
        theirs.intercepts_[i] = ours.intercepts_[i] * 4.0
        ours.coefs_[i][...] = theirs.coefs_[i]
        ours.intercepts_[i][...] = theirs.intercepts_[i]
    return ours, theirs, X, y


def test_binary_columns_are_complements_and_auc_does_not_depend_on_the_positive_class():
    from sklearn.metrics import roc_auc_score

    ours, theirs, X, y = _saturated()
    P, S = ours.predict_proba(X), theirs.predict_proba(X)
    assert (S[:, 1] == 1.0).any() and (S[:, 0] == 0.0).any()
    tiny = np.finfo(np.float64).tiny
    np.testing.assert_array_equal(P[:, 0], np.maximum(1.0 - P[:, 1], tiny))
    np.testing.assert_array_equal(P[:, 1] == 1.0, S[:, 1] == 1.0)  # ties where scikit-learn's
    np.testing.assert_allclose(P, S, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(P[:, 0] == 1.0, S[:, 0] == 1.0)
    # the same ranks as scikit-learn's, either class called positive (its two AUCs differ
    # here too: p's below 1e-16 are distinct, their 1 - p tied at 1.0)
    assert roc_auc_score(y, P[:, 1]) == roc_auc_score(y, S[:, 1])
    assert roc_auc_score(1 - y, P[:, 0]) == roc_auc_score(1 - y, S[:, 0])
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    L = ours.predict_log_proba(X)
    assert np.isfinite(L).all()
    np.testing.assert_array_equal(L.argmax(1), P.argmax(1))
    high = P >= np.exp(-1.0)
    np.testing.assert_array_equal(L[high], np.log(P[high]))


def test_multilabel_probabilities_saturate_as_scikit_learns():
    ours, theirs, X, y = _saturated(multilabel=True)
    P, S = ours.predict_proba(X), theirs.predict_proba(X)
    assert (S == 1.0).any()
    np.testing.assert_array_equal(P == 1.0, S == 1.0)
    np.testing.assert_allclose(P, S, rtol=1e-13, atol=1e-300)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))


# ----------------------------- set_output of glassnet.preprocessing's transformers (skcompose 3)
def _frame():
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    n = 90
    df = pd.DataFrame(
        {"a": rng.randn(n), "b": rng.rand(n), "c": rng.choice(list("xyz"), n)},
        index=np.arange(100, 100 + n),
    )
    return pd, df, rng.randint(0, 2, n)


def test_standard_scaler_set_output_pandas_and_default():
    import glassnet.preprocessing as gp

    pd, df, _ = _frame()
    s = gp.StandardScaler()
    assert s.set_output(transform="pandas") is s
    out = s.fit_transform(df[["a", "b"]])
    assert isinstance(out, pd.DataFrame)
    assert out.columns.tolist() == ["a", "b"] and out.index.equals(df.index)
    plain = gp.StandardScaler().fit_transform(df[["a", "b"]])
    np.testing.assert_array_equal(out.to_numpy(), plain)
    assert isinstance(s.transform(df[["a", "b"]].to_numpy()), pd.DataFrame)
    assert s.set_output(transform=None) is s  # (None: unchanged)
    assert isinstance(s.transform(df[["a", "b"]]), pd.DataFrame)
    s.set_output(transform="default")
    assert isinstance(s.transform(df[["a", "b"]]), np.ndarray)


def test_one_hot_encoder_set_output_pandas_names_its_columns():
    import glassnet.preprocessing as gp

    pd, df, _ = _frame()
    enc = gp.OneHotEncoder().set_output(transform="pandas")
    out = enc.fit_transform(df[["c"]])
    assert isinstance(out, pd.DataFrame)
    assert out.columns.tolist() == enc.get_feature_names_out().tolist()
    assert out.index.equals(df.index)
    np.testing.assert_array_equal(out.to_numpy(), gp.OneHotEncoder().fit_transform(df[["c"]]))


@pytest.mark.parametrize("kind", ["polars", "nonsense", 1])
def test_set_output_refuses_what_it_cannot_give(kind):
    import glassnet.preprocessing as gp

    with pytest.raises(ValueError, match=r"'transform' parameter of StandardScaler.set_output"):
        gp.StandardScaler().set_output(transform=kind)


def test_pipeline_set_output_pandas_with_glassnet_transformers():
    from sklearn.base import clone
    from sklearn.compose import make_column_transformer
    from sklearn.pipeline import make_pipeline

    import glassnet.preprocessing as gp

    pd, df, y = _frame()
    p = make_pipeline(
        make_column_transformer((gp.OneHotEncoder(), ["c"]), (gp.StandardScaler(), ["a", "b"])),
        MLPClassifier(hidden_layer_sizes=(4,), max_iter=20, random_state=0),
    )
    p.set_output(transform="pandas")
    p.fit(df, y)
    names = p[-1].feature_names_in_.tolist()
    assert names[-2:] == ["standardscaler__a", "standardscaler__b"]
    assert all(n.startswith("onehotencoder__c") for n in names[:3]) and len(names) == 5
    assert p.predict(df).shape == (90,)
    assert isinstance(
        clone(gp.StandardScaler().set_output(transform="pandas")).fit_transform(df[["a"]]),
        pd.DataFrame,
    )


def test_global_transform_output_pandas_is_followed():
    import sklearn
    from sklearn.pipeline import make_pipeline

    import glassnet.preprocessing as gp

    pd, df, _ = _frame()
    with sklearn.config_context(transform_output="pandas"):
        out = make_pipeline(gp.StandardScaler()).fit_transform(df[["a", "b"]])
        assert isinstance(out, pd.DataFrame)
        s = gp.StandardScaler().set_output(transform="default")  # its own setting first
        assert isinstance(s.fit_transform(df[["a", "b"]]), np.ndarray)
    assert isinstance(gp.StandardScaler().fit_transform(df[["a", "b"]]), np.ndarray)
