"""X of text (a NumPy array of dtype U or S, a list of rows of strings) is refused with
scikit-learn's check_array words (``dtype='numeric' is not compatible with arrays of
bytes/strings``) at predict, as scikit-learn's MLPs refuse it, and at fit too (where
scikit-learn's fit converts what its predict then refuses): no number is read from text in
silence. An object array of numbers is converted as scikit-learn converts it; one
holding strings is refused too (tests/test_sklearn_round18b.py)."""

import re
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.neural_network import MLPClassifier as SkC  # noqa: E402
from sklearn.neural_network import MLPRegressor as SkR  # noqa: E402

from glassnet.sklearn import MLPClassifier, MLPRegressor  # noqa: E402

SK_WORDS = re.escape(
    "dtype='numeric' is not compatible with arrays of bytes/strings."
    "Convert your data to numeric values explicitly instead."
)
X = np.array([[1.0, 2], [3, 4], [5, 6], [7, 8]])
TEXT = [
    np.array([["1", "2"], ["3", "4"], ["5", "6"], ["7", "8"]]),  # dtype <U1
    [["1", "2"], ["3", "4"], ["5", "6"], ["7", "8"]],  # a list of rows of strings
    X.astype("S"),  # bytes
    np.array([["a", "b"]] * 4),  # not numbers at all
]
ESTIMATORS = [(MLPClassifier, SkC, [0, 1, 0, 1]), (MLPRegressor, SkR, [1.0, 2, 3, 4])]


def _fitted(est, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est(max_iter=3, random_state=0).fit(X, y)


@pytest.mark.parametrize(("ours", "theirs", "y"), ESTIMATORS)
@pytest.mark.parametrize("Xt", TEXT, ids=["str", "list", "bytes", "letters"])
def test_predict_refuses_text_as_scikit_learn_does(ours, theirs, y, Xt):
    with pytest.raises(ValueError, match=SK_WORDS):
        _fitted(theirs, y).predict(Xt)  # (the contract: scikit-learn's own refusal)
    est = _fitted(ours, y)
    methods = ["predict", "score"] + (["predict_proba"] if ours is MLPClassifier else [])
    for name in methods:
        args = (Xt, y) if name == "score" else (Xt,)
        with pytest.raises(ValueError, match=SK_WORDS) as e:
            getattr(est, name)(*args)
        assert "X.astype(float)" in str(e.value)


@pytest.mark.parametrize(("ours", "theirs", "y"), ESTIMATORS)
@pytest.mark.parametrize("Xt", TEXT, ids=["str", "list", "bytes", "letters"])
def test_fit_and_partial_fit_refuse_text_and_change_nothing(ours, theirs, y, Xt):
    est = _fitted(ours, y)
    before = [c.copy() for c in est.coefs_]
    with pytest.raises(ValueError, match=SK_WORDS):
        est.fit(Xt, y)
    kwargs = {"classes": [0, 1]} if ours is MLPClassifier else {}
    with pytest.raises(ValueError, match=SK_WORDS):
        est.partial_fit(Xt, y, **kwargs)
    for a, b in zip(est.coefs_, before):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match=SK_WORDS):
        ours(max_iter=3).fit(Xt, y)


@pytest.mark.parametrize(("ours", "theirs", "y"), ESTIMATORS)
@pytest.mark.parametrize("Xo", [X.astype(object)], ids=["numbers"])
def test_an_object_array_is_read_as_numbers_as_scikit_learn_reads_it(ours, theirs, y, Xo):
    for est in (ours, theirs):
        fitted = _fitted(est, y)
        np.testing.assert_array_equal(fitted.predict(Xo), fitted.predict(X))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            refit = est(max_iter=3, random_state=0).fit(Xo, y)
        for a, b in zip(refit.coefs_, fitted.coefs_):
            np.testing.assert_array_equal(a, b)


def test_a_one_dimensional_text_x_gets_scikit_learns_2d_error_first():
    with pytest.raises(ValueError, match="Expected 2D array, got 1D array"):
        MLPRegressor(max_iter=3).fit(np.array(["1", "2", "3", "4"]), [1.0, 2, 3, 4])
