"""One rule for text in X, at fit as at predict: wherever text would be read as numbers (a
U/S array, a list of rows of strings, an object array holding strings, a DataFrame column
of numbers written as text) it is refused with scikit-learn's check_array words, then
what holds it and the fix. scikit-learn's shape errors come first, as its check_array
orders them; a structured array is fitted and refused at predict, as scikit-learn does;
a list X is read into an array once."""

import re
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")
pd = pytest.importorskip("pandas")

from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.neural_network import MLPClassifier as SkC  # noqa: E402
from sklearn.neural_network import MLPRegressor as SkR  # noqa: E402

from glassnet.sklearn import MLPClassifier, MLPRegressor  # noqa: E402

SK_WORDS = re.escape(
    "dtype='numeric' is not compatible with arrays of bytes/strings."
    "Convert your data to numeric values explicitly instead."
)
X = np.array([[1.0, 2], [3, 4], [5, 6], [7, 8]])
ESTIMATORS = [(MLPClassifier, SkC, [0, 1, 0, 1]), (MLPRegressor, SkR, [1.0, 2, 3, 4])]
IDS = ["classifier", "regressor"]


def _fit(est, Xf, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est(max_iter=3, random_state=0, hidden_layer_sizes=(3,)).fit(Xf, y)


TEXT = {
    "object array of numbers as text": X.astype(str).astype(object),
    "object array, one string": np.array([[1.0, "2"], [3, 4], [5, 6], [7, 8]], dtype=object),
    "list of mixed rows": [[1, "2"], [3, "4"], [5, "6"], [7, "8"]],
    "DataFrame of numbers as text": pd.DataFrame({"a": ["1", "3", "5", "7"], "b": [2.0, 4, 6, 8]}),
    "DataFrame string dtype": pd.DataFrame(
        {"a": pd.array(["1", "3", "5", "7"], dtype="string"), "b": [2.0, 4, 6, 8]}
    ),
    "DataFrame object column, a string": pd.DataFrame(
        {"a": pd.Series([1, "3", 5, 7], dtype=object), "b": [2.0, 4, 6, 8]}
    ),
}


@pytest.mark.parametrize(("ours", "theirs", "y"), ESTIMATORS, ids=IDS)
@pytest.mark.parametrize("name", list(TEXT))
def test_numbers_written_as_text_are_refused_at_fit_and_predict(ours, theirs, y, name):
    Xt = TEXT[name]
    if name != "list of mixed rows":  # (scikit-learn's predict refuses that one: a U array)
        _fit(theirs, Xt, y).predict(Xt)  # (it reads this text as numbers in silence)
    with pytest.raises(ValueError, match=SK_WORDS) as e:
        _fit(ours, Xt, y)
    shown = str(e.value)
    if isinstance(Xt, pd.DataFrame):
        assert "columns ['a']" in shown and "X.astype({'a': float})" in shown, shown
    else:
        assert "X.astype(float)" in shown and "X holds text" in shown, shown
        assert re.search(r"e\.g\. '\d", shown), shown  # (a value of X)
    est = _fit(ours, X if not isinstance(Xt, pd.DataFrame) else Xt.astype(float), y)
    before = [c.copy() for c in est.coefs_]
    methods = ["predict", "score"] + (["predict_proba"] if ours is MLPClassifier else [])
    for m in methods:
        args = (Xt, y) if m == "score" else (Xt,)
        with pytest.raises(ValueError, match=SK_WORDS):
            getattr(est, m)(*args)
    kwargs = {"classes": [0, 1]} if ours is MLPClassifier else {}
    with pytest.raises(ValueError, match=SK_WORDS):
        est.partial_fit(Xt, y, **kwargs)
    for a, b in zip(est.coefs_, before):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(("ours", "theirs", "y"), ESTIMATORS, ids=IDS)
def test_numbers_are_still_read_as_scikit_learn_reads_them(ours, theirs, y):
    same = [
        X.astype(object),
        X.tolist(),
        tuple(map(tuple, X.tolist())),
        [np.array(r) for r in X],
        pd.DataFrame({"a": pd.Series([1, 3, 5, 7], dtype=object), "b": [2.0, 4, 6, 8]}),
        pd.DataFrame({"a": [1, 3, 5, 7], "b": pd.Categorical([2, 4, 6, 8])}),
        [np.array(r, np.float32) for r in X],  # (a list: read as float64, as check_array)
    ]
    ref = _fit(ours, X, y)
    for Xs in same:
        fitted = _fit(ours, Xs, y)
        for a, b in zip(fitted.coefs_, ref.coefs_):
            np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(fitted.predict(Xs), ref.predict(X))


def test_text_that_is_not_numbers_in_a_dataframe_is_named_as_before():
    df = pd.DataFrame({"colour": ["red", "blue", "red", "blue"], "b": [2.0, 4, 6, 8]})
    with pytest.raises(ValueError, match=r"could not convert.*non-numeric columns \['colour'\]"):
        _fit(MLPRegressor, df, [1.0, 2, 3, 4])


def _message(call):
    with pytest.raises(ValueError) as e:
        call()
    return str(e.value).split("\n")[0]


@pytest.mark.parametrize(("ours", "theirs", "y"), ESTIMATORS, ids=IDS)
def test_scikit_learns_shape_errors_come_first_as_its_own_order(ours, theirs, y):
    zero = np.array("1")
    three = np.array([[["1"]], [["2"]], [["3"]], [["4"]]])
    for Xs in (zero, three):  # at fit: "got scalar array", "Found array with dim 3"
        assert _message(lambda Xs=Xs: _fit(ours, Xs, y)) == _message(
            lambda Xs=Xs: _fit(theirs, Xs, y)
        )
    assert "scalar array" in _message(lambda: _fit(ours, zero, y))
    assert "Found array with dim 3" in _message(lambda: _fit(ours, three, y))
    est, sk = _fit(ours, X, y), _fit(theirs, X, y)
    assert "scalar array" in _message(lambda: est.predict(zero))
    with pytest.raises(ValueError, match=SK_WORDS):  # (scikit-learn's predict: text first)
        sk.predict(three)
    with pytest.raises(ValueError, match=SK_WORDS):
        est.predict(three)


@pytest.mark.parametrize(("ours", "theirs", "y"), ESTIMATORS, ids=IDS)
def test_a_structured_array_is_fitted_and_refused_at_predict_as_in_scikit_learn(ours, theirs, y):
    Xv = np.zeros((4, 2), dtype=[("a", "f8")])
    Xv["a"] = X
    for est in (theirs, ours):
        fitted = _fit(est, Xv, y)  # (scikit-learn reads the one field as numbers)
        ref = _fit(est, X, y)
        for a, b in zip(fitted.coefs_, ref.coefs_):
            np.testing.assert_array_equal(a, b)
        with pytest.raises(ValueError, match=SK_WORDS):
            fitted.predict(Xv)


def test_a_list_x_is_read_into_an_array_once():
    calls = [0]

    class Row:
        def __init__(self, v):
            self.v = np.asarray(v, float)

        def __array__(self, dtype=None, copy=None):
            calls[0] += 1
            return self.v if dtype is None else self.v.astype(dtype)

    rows = [Row(r) for r in X]
    _fit(MLPRegressor, rows, [1.0, 2, 3, 4])
    assert calls[0] == len(rows)
