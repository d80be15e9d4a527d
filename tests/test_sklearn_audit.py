"""glassnet.sklearn under a practitioner's audit: inputs a user meets, errors that say what
to do (compared with scikit-learn's MLPs on the same input)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")
pytest.importorskip("scipy")

from glassnet.sklearn import MLPClassifier, MLPRegressor  # noqa: E402


def _X(n=40, d=3):
    return np.random.default_rng(0).normal(size=(n, d))


def _quiet_fit(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return est.fit(X, y)


@pytest.mark.parametrize("est", [MLPClassifier, MLPRegressor])
def test_early_stopping_with_validation_fraction_zero_says_so(est):
    # scikit-learn accepts validation_fraction=0.0 (for fits without early stopping); with
    # early stopping glassnet ended in train_test_split's test_size error, and the
    # classifier then advised 'Give each class at least 2 samples'
    X = _X()
    with pytest.raises(ValueError, match=r"validation_fraction=0\.0 holds out no samples"):
        est(early_stopping=True, validation_fraction=0.0).fit(X, (X[:, 0] > 0).astype(int))


@pytest.mark.parametrize(
    "n, fraction, advice",
    [
        (3, 0.1, r"'True' is 1\)\. Give each class at least 2 samples"),
        (5, 0.1, r"classes = 2\. Raise validation_fraction to hold out a sample of each class"),
        (6, 0.9, r"Lower validation_fraction to train on a sample of each class"),
    ],
)
def test_early_stopping_split_errors_advise_the_fix_that_applies(n, fraction, advice):
    y = [0, 1] * (n // 2) + [0] * (n % 2)
    clf = MLPClassifier(early_stopping=True, validation_fraction=fraction)
    with pytest.raises(ValueError, match=advice + r", or set early_stopping=False\.$"):
        clf.fit(_X(n), y)


def test_labels_mixing_text_and_numbers_are_named():
    # glassnet said 'Unknown label type: unknown. Maybe you are trying to fit a classifier,
    # which expects discrete classes on a regression target with continuous values.'
    y = np.array([1, "a"] * 20, dtype=object)
    with pytest.raises(ValueError, match=r"labels in y mix types \(int, str\).*y\.astype\(str\)"):
        MLPClassifier(max_iter=2).fit(_X(), y)
    # where scikit-learn's check fails sorting them, its TypeError stays (as scikit-learn's)
    y = np.array(["a", "b", 3, "b"] * 10, dtype=object)
    with pytest.raises(TypeError, match="'<' not supported between instances of 'int' and 'str'"):
        MLPClassifier(max_iter=2).fit(_X(), y)


def test_missing_labels_are_named_with_their_row():
    # scikit-learn: TypeError "boolean value of NA is ambiguous" (pandas' string dtype) or
    # "'<' not supported between instances of 'NoneType' and 'str'" (object labels)
    pd = pytest.importorskip("pandas")
    labels = ["a", "b"] * 19 + ["a", None]
    for y, shown in [
        (pd.Series(labels, dtype="string"), "<NA>"),
        (pd.Series(labels, dtype=object), "None"),
        (np.array(labels, dtype=object), "None"),
    ]:
        with pytest.raises(ValueError, match=f"missing label \\({shown} at row 39\\)"):
            MLPClassifier(max_iter=2).fit(_X(), y)


def test_numeric_labels_that_are_not_classes_keep_scikit_learns_error():
    y = np.array([1.5, 2.5, 1, 2] * 10, dtype=object)
    with pytest.raises(ValueError, match="Unknown label type"):
        MLPClassifier(max_iter=2).fit(_X(), y)


@pytest.mark.parametrize("est", [MLPClassifier, MLPRegressor])
def test_a_dataframe_with_text_columns_names_them_and_the_encoding(est):
    # scikit-learn's message alone: "could not convert string to float: 'x'"
    pd = pytest.importorskip("pandas")
    X = _X()
    df = pd.DataFrame(X, columns=["a", "b", "c"])
    df["city"] = ["x", "y"] * 20
    df["kind"] = pd.Categorical(["u", "v"] * 20)
    y = (X[:, 0] > 0).astype(int)
    match = (
        r"^could not convert string to float: 'x'\. X has non-numeric columns "
        rf"\['city', 'kind'\]: {est.__name__} takes numbers\. Encode them first.*OneHotEncoder"
    )
    with pytest.raises(ValueError, match=match):
        est(max_iter=2).fit(df, y)
    fitted = _quiet_fit(est(max_iter=2), df[["a", "b", "c"]], y)
    with pytest.raises(ValueError, match=r"non-numeric columns \['b'\]"):
        fitted.predict(df[["a", "city", "c"]].rename(columns={"city": "b"}))
    # numbers of pandas' nullable and boolean dtypes are numbers
    df["n"] = pd.array(range(40), dtype="Int64")
    df["flag"] = pd.array([True, False] * 20, dtype="boolean")
    assert _quiet_fit(est(max_iter=2), df.drop(columns=["city", "kind"]), y).n_features_in_ == 5


def test_a_new_activation_applies_at_the_next_fit_not_to_the_fitted_model():
    # docs/sklearn.md, Differences: scikit-learn's predict reads self.activation, so
    # set_params(activation=...) changes a fitted model's predictions; glassnet's model_
    # keeps the activation it was fitted with until the next fit
    X = _X()
    y = (X[:, 0] > 0).astype(int)
    clf = _quiet_fit(MLPClassifier(max_iter=30, random_state=0), X, y)
    before = clf.predict_proba(X)
    clf.set_params(activation="tanh")
    np.testing.assert_array_equal(clf.predict_proba(X), before)
    clf.set_params(warm_start=True, max_iter=1)
    _quiet_fit(clf, X, y)
    assert clf.model_.config()["activation"] == ["tanh"]


def test_sparse_x_too_large_to_densify_is_refused_before_it_is_allocated(monkeypatch):
    # glassnet densifies sparse X: a matrix whose dense form does not fit was left to
    # NumPy (or to the operating system, which ends the process while writing the zeros)
    sp = pytest.importorskip("scipy.sparse")
    rows = np.arange(400)
    X = sp.csr_matrix((np.ones(400), (rows, rows % 50)), shape=(400, 50))  # 160,000 bytes
    y = rows % 2
    monkeypatch.setenv("GLASSNET_MEMORY_LIMIT", "100K")
    with pytest.raises(MemoryError, match=r"densifying the sparse X of shape \(400, 50\)"):
        MLPClassifier(max_iter=1).fit(X, y)
    monkeypatch.setenv("GLASSNET_MEMORY_LIMIT", "1M")
    clf = _quiet_fit(MLPClassifier(hidden_layer_sizes=(4,), max_iter=1), X, y)
    np.testing.assert_array_equal(clf.predict(X), clf.predict(X.toarray()))
    monkeypatch.setenv("GLASSNET_MEMORY_LIMIT", "100K")
    with pytest.raises(MemoryError, match="TruncatedSVD"):
        clf.predict(X)


def test_float64_x_beyond_a_float32_models_range_names_the_float32_fit():
    # a model fitted on float32 X (dtype=None follows X) computes in float32: the advice
    # was "use dtype='float64'", which the user never set
    X = _X().astype(np.float32)
    reg = _quiet_fit(MLPRegressor(max_iter=2), X, X[:, 0])
    match = (
        r"beyond the range of float32 .* \(dtype=None, which followed the float32 X it was "
        r"fitted on\)\. Scale X \(e\.g\. StandardScaler\) or fit it on float64 X"
    )
    with pytest.raises(ValueError, match=match):
        reg.predict(X.astype(np.float64) * 1e300)


def test_numbers_in_a_categorical_column_are_not_named_as_text():
    # the columns named were every object and categorical one, numbers or not
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(_X(), columns=["a", "b", "c"])
    df["k"] = pd.Categorical([1, 2] * 20)
    df["t"] = ["u", "v"] * 20
    with pytest.raises(ValueError, match=r"X has non-numeric columns \['t'\]:"):
        MLPRegressor(max_iter=2).fit(df, df["a"])
    assert _quiet_fit(MLPRegressor(max_iter=2), df.drop(columns="t"), df["a"]).n_features_in_ == 4


def _stop_never(state):
    return False


def test_callbacks_pickle_when_defined_at_module_level_not_as_lambdas():
    # docs/sklearn.md: the callbacks are a parameter and travel with a pickled estimator
    import pickle

    X = _X()
    y = (X[:, 0] > 0).astype(int)
    clf = _quiet_fit(MLPClassifier(max_iter=2, callbacks=[_stop_never], random_state=0), X, y)
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))
    clf.set_params(callbacks=[lambda state: False])
    with pytest.raises((pickle.PicklingError, AttributeError)):
        pickle.dumps(clf)


def test_a_last_update_that_overflows_is_not_booked_as_a_second_epoch():
    # the run's epochs were all booked when its last update overflowed: no NaN epoch added
    from glassnet.sklearn import MLPRegressor as GnMLPRegressor

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = X @ [1.0, 2.0, 3.0] * 100
    est = GnMLPRegressor(
        hidden_layer_sizes=(4,), solver="sgd", momentum=0.0, early_stopping=True,
        warm_start=True, max_iter=3, learning_rate_init=1e-6, random_state=0,
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y)
        est.set_params(learning_rate_init=1e307, max_iter=1).fit(X, y)
    assert est.n_iter_ == 1 and est.stop_reason_ == "diverged"
    assert len(est.loss_curve_) == 4 and np.isfinite(est.loss_curve_).all()
    assert len(est.validation_scores_) == 4
