"""The estimators against scikit-learn 1.9 as a practitioner uses them: warnings that point
at the caller's line (so ``module=`` filters act as documented), and the remaining checks
of this round."""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import cross_val_score  # noqa: E402

from glassnet.sklearn import MLPClassifier, MLPParameterError, MLPRegressor  # noqa: E402


def _data(n=40):
    X = np.random.RandomState(0).randn(n, 3)
    return X, (X[:, 0] > 0).astype(int)


def _reg_at_line():
    return MLPRegressor(hidden_layer_sizes=(5,), max_iter=300, random_state=0)


def _fit_here(est, *args):
    """Fit ``est`` and return (the warnings, the line of the fit call in this file)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        line = sys._getframe().f_lineno + 1
        est.fit(*args)
    return caught, line


# ------------------------------------------------------ warnings at the caller's line
@pytest.mark.parametrize(
    "make",
    [
        lambda: MLPClassifier((5,), max_iter=3, random_state=0),
        lambda: MLPClassifier((5,), max_iter=3, random_state=0, early_stopping=True),
        lambda: MLPClassifier((5,), max_iter=3, random_state=0, solver="lbfgs"),
        lambda: MLPRegressor(hidden_layer_sizes=(5,), max_iter=3, random_state=0),
        lambda: MLPClassifier((5,), max_iter=3, random_state=0, batch_size=100),
    ],
)
def test_fit_warnings_point_at_the_line_that_called_fit(make):
    X, y = _data()
    est = make()
    caught, line = _fit_here(est, X, y)
    assert caught, "expected a ConvergenceWarning (or the batch_size clip's UserWarning)"
    for w in caught:
        assert (w.filename, w.lineno) == (__file__, line), (w.filename, w.lineno, w.message)


def test_assigned_weights_warning_points_at_the_line_that_called_fit():
    X, y = _data()
    est = MLPClassifier((5,), max_iter=300, random_state=0)
    est.coefs_ = [np.zeros((3, 5)), np.zeros((5, 1))]
    est.intercepts_ = [np.zeros(5), np.zeros(1)]
    caught, line = _fit_here(est, X, y)
    mine = [w for w in caught if "replaced by new random weights" in str(w.message)]
    assert len(mine) == 1
    assert (mine[0].filename, mine[0].lineno) == (__file__, line)


@pytest.mark.parametrize("est", [MLPClassifier((5,), max_iter=300), _reg_at_line()])
def test_a_column_y_warning_points_at_the_line_that_called_fit(est):
    # scikit-learn's column_or_1d warned at this module's line (its stacklevel=2)
    from sklearn.exceptions import DataConversionWarning

    X, y = _data()
    caught, line = _fit_here(est, X, y.reshape(-1, 1))
    mine = [w for w in caught if issubclass(w.category, DataConversionWarning)]
    assert len(mine) == 1 and "A column-vector y was passed" in str(mine[0].message)
    assert (mine[0].filename, mine[0].lineno) == (__file__, line)


def test_module_filter_on_sklearn_silences_fits_run_by_scikit_learn():
    # docs/sklearn.md: called from cross_val_score, the warning is scikit-learn's module's,
    # so scikit-learn's own examples' filter applies; called from here, it is this module's
    X, y = _data(60)
    est = MLPClassifier((5,), max_iter=3, random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", category=ConvergenceWarning, module="sklearn")
        cross_val_score(est, X, y, cv=3)
        assert not [w for w in caught if issubclass(w.category, ConvergenceWarning)]
        est.fit(X, y)
    assert [w.filename for w in caught if issubclass(w.category, ConvergenceWarning)] == [__file__]


# ------------------------------------------------------ regression targets that are not numbers
def _reg(**kw):
    return MLPRegressor(**{"hidden_layer_sizes": (4,), "max_iter": 5, "random_state": 0, **kw})


@pytest.mark.parametrize("as_type", ["csr", "csc", "coo"])
def test_a_sparse_multi_target_y_fits_as_its_dense_copy(as_type):
    # scikit-learn's validation lets a sparse y of several targets through (its MLP then
    # fails inside its loss); glassnet densifies it, as it densifies sparse X
    import scipy.sparse as sp

    X, _ = _data()
    Y = np.c_[X[:, 0], X[:, 1] * 2]
    Y[Y < 0] = 0.0  # some zeros, as a sparse y would have
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        dense = _reg().fit(X, Y)
        sparse = _reg().fit(X, getattr(sp, f"{as_type}_matrix")(Y))
    np.testing.assert_array_equal(sparse.predict(X), dense.predict(X))
    assert sparse.n_outputs_ == 2


@pytest.mark.parametrize(
    ("y", "value", "row"),
    [
        (np.array(["a", "b"] * 20), "'a'", 0),  # a text array: numpy's words in glassnet's code
        (np.array([1.5, "b"] * 20, dtype=object), "'b'", 1),  # object: numpy's words, no y
        (np.c_[np.ones(40), np.array(["1"] * 39 + ["x"], dtype=object)], "'x'", 39),
    ],
)
def test_a_regression_target_of_text_names_y_the_value_and_the_fix(y, value, row):
    X, _ = _data()
    with pytest.raises(ValueError) as e:
        _reg().fit(X, y)
    msg = str(e.value)
    assert msg.startswith("MLPRegressor: y must hold numbers")
    assert f"it holds {value} at row {row}" in msg
    assert "y.astype(float)" in msg and "MLPClassifier" in msg


@pytest.mark.parametrize(
    ("y", "row"),
    [
        ([None] * 40, 0),  # became NaN unchecked: 'y has values up to nan, beyond the range'
        ([1.0] * 39 + [None], 39),
        (np.c_[np.ones(40), np.array([2.0] * 10 + [None] * 30, dtype=object)], 10),
    ],
)
def test_a_missing_regression_target_is_named_with_its_row(y, row):
    X, _ = _data()
    with pytest.raises(ValueError, match=rf"y has a missing value \(None at row {row}\)"):
        _reg().fit(X, y)
    with pytest.raises(ValueError, match=rf"y has a missing value \(None at row {row}\)"):
        _reg().partial_fit(X, y)


def test_numeric_text_targets_and_nan_targets_keep_their_behaviour():
    X, _ = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        # numbers written as text in an object array: read, as scikit-learn reads them (a
        # str array or a list of them is refused since round 21, as scikit-learn refuses
        # it: tests/test_sklearn_round21.py)
        a = _reg().fit(X, np.array(["1.5", "-2"] * 20, dtype=object))
        b = _reg().fit(X, np.array([1.5, -2.0] * 20))
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    y = X[:, 0].copy()
    y[3] = np.nan
    with pytest.raises(ValueError, match="Input y contains NaN"):  # scikit-learn's own
        _reg().fit(X, y)
    X2 = X.copy()
    X2[0, 0] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):  # X's error comes first
        _reg().fit(X2, np.array(["a"] * 40, dtype=object))


# ------------------------------------------------------ negative sample weights
@pytest.mark.parametrize("est", [MLPClassifier((4,), max_iter=5), _reg()])
@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_negative_sample_weight_names_how_many_the_first_and_the_fix(est, method):
    X, y = _data()
    w = np.ones(40)
    w[[7, 20]] = [-0.5, -3.0]
    kw = {"classes": [0, 1]} if method == "partial_fit" and isinstance(est, MLPClassifier) else {}
    with pytest.raises(ValueError) as e:
        getattr(est, method)(X, y, sample_weight=w, **kw)
    msg = str(e.value)
    assert msg.startswith(f"{type(est).__name__}: Negative values in sample_weight")
    assert "2 of them, the first -0.5 at row 7" in msg
    assert "np.clip(sample_weight, 0, None)" in msg


# ------------------------------------------------------ parameters scikit-learn refuses too
@pytest.mark.parametrize("est", [MLPClassifier((4,), max_iter=2), _reg(max_iter=2)])
def test_a_negative_verbose_is_refused_as_in_scikit_learn(est, capsys):
    # scikit-learn: 'verbose' must be an int in the range [0, inf) or a bool
    X, y = _data()
    with pytest.raises(MLPParameterError, match=r"'verbose' parameter .* int >= 0\. Got -1\."):
        est.set_params(verbose=-1).fit(X, y)
    assert capsys.readouterr().out == ""  # nothing trained, nothing printed
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.set_params(verbose=np.int64(0)).fit(X, y)  # NumPy ints as ever
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_a_list_class_weight_for_one_label_per_sample_says_to_pass_one_dict(method):
    X, y = _data()
    est = MLPClassifier((4,), max_iter=2, class_weight=[{0: 2.0}])
    kw = {"classes": [0, 1]} if method == "partial_fit" else {}
    with pytest.raises(ValueError) as e:  # was: 'The classes, [0, 1], are not in class_weight'
        getattr(est, method)(X, y, **kw)
    msg = str(e.value)
    assert "is a list (one dict per label, for multi-label y)" in msg
    assert "Got [{0: 2.0}]" in msg and "class_weight={0: 2.0}" in msg


# ------------------------------------------------------ DataFrames with date or time columns
def _frames_with_times():
    pd = pytest.importorskip("pandas")
    n = 40
    return pd, {
        "dates": pd.date_range("2020-01-01", periods=n),
        "dates_utc": pd.date_range("2020-01-01", periods=n, tz="UTC"),
        "durations": pd.to_timedelta(np.arange(n), unit="D"),
        "periods": pd.period_range("2020-01-01", periods=n, freq="D"),
    }


@pytest.mark.parametrize("kind", ["dates", "dates_utc", "durations", "periods"])
def test_a_date_or_time_column_is_named_with_a_way_to_make_numbers(kind):
    # NumPy's DTypePromotionError ('The DType ... could not be promoted by ...') or
    # "float() argument must be ... not 'Period'" named no column
    pd, columns = _frames_with_times()
    X, y = _data()
    df = pd.DataFrame({"a": X[:, 0], "when": columns[kind]})
    for est in (MLPClassifier((3,), max_iter=2), _reg(max_iter=2)):
        with pytest.raises(ValueError) as e:
            est.fit(df, y)
        msg = str(e.value)
        assert msg.startswith(f"X has date or time columns ['when']: {type(est).__name__} takes")
        assert ".dt.total_seconds()" in msg  # (round 16: a duration's advice leads with it)
        assert "X['when'].dt.dayofweek" in msg or kind == "durations"


def test_a_date_column_at_predict_is_named_too():
    pd, columns = _frames_with_times()
    X, y = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = MLPClassifier((3,), max_iter=2).fit(pd.DataFrame({"a": X[:, 0], "when": 1.0}), y)
    with pytest.raises(ValueError, match=r"^X has date or time columns \['when'\]"):
        est.predict(pd.DataFrame({"a": X[:, 0], "when": columns["dates"]}))


# ------------------------------------------------------ a 2-D y with several classes per column
@pytest.mark.parametrize(
    "how", ["fit", "fit_sparse", "fit_text", "partial_fit", "later_partial_fit", "warm_start"]
)
def test_a_2d_y_of_several_classes_per_column_names_the_values_and_the_wrapper(how):
    # scikit-learn: 'Multioutput target data is not supported with label binarization' (fit)
    # or 'Unknown label type: (array([[1, 2], ...' printing y (partial_fit, warm start)
    import scipy.sparse as sp

    X, y = _data()
    Y = np.c_[y, 2 * y + (X[:, 1] > 0)]  # values 0..3 in the second column
    est = MLPClassifier((3,), max_iter=2, random_state=0, warm_start=how == "warm_start")
    shown = "0, 1, 2, 3"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if how in ("later_partial_fit", "warm_start"):
            est.fit(X, np.c_[y, 1 - y])
        with pytest.raises(ValueError) as e:
            if how == "fit":
                est.fit(X, Y)
            elif how == "fit_sparse":
                est.fit(X, sp.csr_matrix(Y))
            elif how == "fit_text":
                shown = "a, b, c"
                est.fit(X, np.array(["a", "b", "c"])[np.c_[y, 1 + y]])
            elif how == "partial_fit":
                est.partial_fit(X, Y, classes=[0, 1, 2, 3])
            else:
                getattr(est, "partial_fit" if how == "later_partial_fit" else "fit")(X, Y)
    msg = str(e.value)
    assert "a 0/1 indicator matrix (one column per label, 1 where the sample has it)" in msg
    assert f"y holds the values {shown}." in msg
    assert "sklearn.multioutput.MultiOutputClassifier(MLPClassifier(...))" in msg


# ------------------------------------------------------ outputs that overflow at predict
def test_predictions_that_overflow_to_nan_are_refused_not_the_first_class():
    # float32 network, X near float32's limit: inf - inf inside the network made NaN
    # probabilities, and predict returned classes_[0] for that row (as scikit-learn's does)
    X, _ = _data(60)
    X = X.astype(np.float32)
    y = np.arange(60) % 3
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = MLPClassifier((8,), max_iter=20, random_state=0).fit(X, y)
    big = np.array([[1.0, 0.5, -0.2], [3e38, 3e38, -3e38]], dtype=np.float32)
    for method in ("predict", "predict_proba", "predict_log_proba"):
        with pytest.raises(ValueError) as e:
            getattr(est, method)(big)
        msg = str(e.value)
        assert "outputs overflowed for 1 row(s) of X (the first: row 1)" in msg
        assert "float32 arithmetic" in msg and "dtype='float64'" in msg
    with pytest.raises(ValueError, match="outputs overflowed"):
        est.score(big, [0, 1])
    np.testing.assert_allclose(est.predict_proba(big[:1]).sum(axis=1), 1.0)  # the sane row


def test_logits_with_exact_limits_still_predict():
    # a logistic output at +-inf and a softmax at -inf have exact probabilities: kept
    X, y = _data(60)
    X = X.astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        binary = MLPClassifier((8,), max_iter=20, random_state=0).fit(X, y)
        multilabel = MLPClassifier((8,), max_iter=20, random_state=0).fit(X, np.c_[y, 1 - y])
    big = np.array([[1e37, -1e37, 1e37], [-1e37, 1e37, -1e37]], dtype=np.float32)
    for est in (binary, multilabel):
        P = est.predict_proba(big)
        assert np.isfinite(P).all() and ((P > 0) & (P <= 1)).all()
        assert np.isfinite(est.predict_log_proba(big)).all()


# ------------------------------------------------------ a later y of another form
def _fitted(y, **kw):
    X, _ = _data()
    est = MLPClassifier((3,), max_iter=2, random_state=0, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if kw.get("warm_start"):
            return X, est.fit(X, y)
        return X, est.partial_fit(X, y, classes=[0, 1, 2] if y.ndim == 1 else [0, 1])


@pytest.mark.parametrize("how", ["partial_fit", "warm_start"])
def test_one_label_per_sample_on_a_multi_label_network_says_what_it_was_fitted_on(how):
    # was: 'y has 1 outputs but the fitted network has 2; fit a new estimator
    # (warm_start=False)', advice that does not apply to partial_fit
    _, y = _data()
    X, est = _fitted(np.c_[y, 1 - y], warm_start=how == "warm_start")
    with pytest.raises(ValueError) as e:
        (est.partial_fit if how == "partial_fit" else est.fit)(X, y)
    msg = str(e.value)
    assert msg.startswith("MLPClassifier: y has 1 output(s) per sample but the network was ")
    assert "fitted on a multi-label y (2 labels, a 0/1 column each)" in msg
    if how == "partial_fit":
        assert msg.endswith(
            "partial_fit continues it: pass y in that form, or call fit to start anew."
        )
    else:
        assert "set warm_start=False to start anew" in msg


@pytest.mark.parametrize("how", ["partial_fit", "warm_start"])
def test_a_multi_label_y_on_a_network_of_one_label_per_sample_says_so(how):
    # was LabelBinarizer's 'The object was not fitted with multilabel input.'
    _, y = _data()
    X, est = _fitted(y + (np.arange(40) % 3 == 0), warm_start=how == "warm_start")  # 0, 1, 2
    Y = np.c_[y, 1 - y, y]
    with pytest.raises(ValueError) as e:
        (est.partial_fit if how == "partial_fit" else est.fit)(X, Y)
    msg = str(e.value)
    assert msg.startswith(
        "MLPClassifier: y is multi-label (3 columns) but the network was fitted on one label "
        "per sample."
    )
    assert ("call fit to start anew" if how == "partial_fit" else "warm_start=False") in msg


def test_a_regressor_given_fewer_targets_says_what_it_was_fitted_on():
    X, y = _data()
    est = _reg().partial_fit(X, np.c_[X[:, 0], X[:, 1]])
    with pytest.raises(ValueError, match=r"y has 1 output\(s\) per sample but the network was "):
        est.partial_fit(X, X[:, 0])
    with pytest.raises(ValueError, match="fitted on 2 target"):
        est.partial_fit(X, X[:, 0])


# ------------------------------------------------------ X that is not a table
@pytest.mark.parametrize(
    ("X", "shown"),
    [
        ("abc", "a str"),  # was: could not convert string to float: 'abc'
        ({"a": [1.0, 2.0]}, "a dict"),  # was: float() argument must be ... not 'dict'
        ({1.0, 2.0}, "a set"),
        ((r for r in np.eye(3)), "a generator (a generator or iterator: pass list(X))"),
    ],
)
@pytest.mark.parametrize("method", ["fit", "predict"])
def test_x_that_is_not_a_table_is_named(X, shown, method):
    Xf, y = _data()
    est = MLPClassifier((3,), max_iter=300, random_state=0)
    if method == "predict":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            est.fit(Xf, y)
    with pytest.raises(ValueError) as e:
        est.fit(X, y) if method == "fit" else est.predict(X)
    assert str(e.value) == (
        "MLPClassifier: X must be a 2-D array-like of numbers, shape (n_samples, n_features): a "
        f"NumPy array, a list of rows, a DataFrame or a sparse matrix. Got {shown}."
    )


def test_rows_of_different_lengths_are_named():
    # was NumPy's 'setting an array element with a sequence. The requested array has an
    # inhomogeneous shape after 1 dimensions...'
    X = [[1.0, 2.0, 3.0], [1.0, 2.0], [4.0, 5.0, 6.0], [1.0]]
    with pytest.raises(
        ValueError, match=r"^MLPRegressor: X's rows have different lengths \(1, 2, 3\)"
    ):
        _reg().fit(X, [1.0, 2.0, 3.0, 4.0])
    with pytest.raises(ValueError, match=r"^MLPClassifier: X's rows have different lengths"):
        MLPClassifier((3,)).fit(X, [0, 1, 0, 1])
    # ragged y with a good X: not X's rows (scikit-learn's error stays)
    with pytest.raises(ValueError) as e:
        _reg().fit([[1.0], [2.0]], [[1.0, 2.0], [3.0]])
    assert "X's rows" not in str(e.value)


# ------------------------------------------------------ sample weights at float64's ends
def test_sample_weights_near_float64s_largest_fit_as_their_ratios():
    # their mean overflowed to inf: every weight became 0 and fit said 'every sample_weight
    # is 0' (scikit-learn's own sums overflow too: 'non-finite parameter weights')
    X, y = _data()
    big = MLPClassifier((4,), max_iter=30, random_state=0, alpha=1e-4)
    ones = MLPClassifier((4,), max_iter=30, random_state=0, alpha=1e-4 / 1e308)
    w = np.full(40, 1e308)
    w[::4] = 5e307
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        big.fit(X, y, sample_weight=w)
        ones.fit(X, y, sample_weight=w / 1e308)
    np.testing.assert_allclose(big.predict_proba(X), ones.predict_proba(X), rtol=1e-12)


def test_sample_weights_too_small_for_alpha_say_so():
    # alpha / mean(weight) overflowed: "The 'l2' parameter of fit must be a float >= 0. Got
    # inf.", a parameter the user never set
    X, y = _data()
    w = np.full(40, 1e-320)
    with pytest.raises(ValueError) as e:
        MLPClassifier((4,), max_iter=5).fit(X, y, sample_weight=w)
    msg = str(e.value)
    assert msg.startswith("MLPClassifier: sample_weight (times class_weight) is too small: its ")
    assert "alpha=0.0001" in msg and "Multiply sample_weight by a constant" in msg
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        MLPClassifier((4,), max_iter=5, alpha=0.0).fit(X, y, sample_weight=w)  # no penalty


def test_class_weight_times_sample_weight_beyond_float64_says_so():
    # each finite, their product inf: was 'too small: its mean, nan, ...'
    X, y = _data()
    est = MLPClassifier((4,), max_iter=5, class_weight={0: 1e308, 1: 1.0})
    with pytest.raises(ValueError, match=r"sample_weight times class_weight overflows float64"):
        est.fit(X, y, sample_weight=np.full(40, 10.0))


def test_the_lbfgs_warning_reads_scipys_message_without_a_dangling_colon():
    # SciPy's L-BFGS-B says 'ABNORMAL: ' when its line search fails: the warning read
    # 'ABNORMAL: .'
    X, y = _data()
    with pytest.warns(ConvergenceWarning) as caught:
        MLPClassifier((4,), solver="lbfgs", alpha=1e300, max_iter=5, random_state=0).fit(X, y)
    msg = str(caught[0].message)
    said = msg.split("\n")[1]  # SciPy's message, on its own line
    assert ": ." not in msg and said.endswith(".") and said.rstrip(".").strip()


def test_a_softmax_row_all_minus_inf_is_refused_not_the_first_class():
    """Every logit -inf: softmax's z - max(z) is NaN there, and predict gave classes_[0]."""
    X = np.random.default_rng(0).normal(size=(60, 2))
    c = MLPClassifier(hidden_layer_sizes=(3,), max_iter=3, activation="relu", random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        c.fit(X, np.array([0, 1, 2] * 20))
    c.coefs_[0][:] = 1.0
    c.intercepts_[0][:] = 0
    c.coefs_[1][:] = -1.0
    c.coefs_[1][0, 1] = -2.0
    c.intercepts_[1][:] = 0
    p = c.predict_proba([[1e307, 1e307]])  # (-inf beside finite logits: an exact limit)
    assert np.isfinite(p).all() and p.sum() == pytest.approx(1.0)
    for call in (c.predict, c.predict_proba, c.predict_log_proba):
        with pytest.raises(ValueError, match="outputs overflowed for 1 row"):
            call([[1e308, 1e308]])


def test_ordinary_sample_weights_are_scaled_by_their_plain_mean():
    """The overflow-safe mean of the weights is taken only where w.mean() overflows: the
    mean of w / max(w) rounds otherwise (3.5999999999999996 for [1, 2, 3, 5, 7] where
    w.mean() is 3.6), and fits of ordinary weights changed in their last bits."""
    est = MLPRegressor(hidden_layer_sizes=(4,), dtype="float64", alpha=0.5, max_iter=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(np.zeros((5, 1)), np.zeros(5))  # (the estimator's dtype, set by fit)
    w = np.tile([1.0, 2, 3, 5, 7], 10)
    _, _, scaled, l2 = est._train_spec(np.zeros((50, 1)), w)
    assert w.mean() == 3.6 and (w / w.max()).mean() * w.max() != 3.6
    np.testing.assert_array_equal(scaled, w / 3.6)
    assert l2 == 0.5 / 3.6
