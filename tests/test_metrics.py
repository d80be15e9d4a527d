"""Tests for glassnet.metrics: R^2 as scikit-learn's r2_score, NaN predictions not hidden,
and shapes that do not match refused with a message that names them."""

from __future__ import annotations

import numpy as np
import pytest

from glassnet.metrics import r2_per_output, r2_score


def test_a_nan_prediction_gives_nan_not_a_score_of_zero():
    assert np.isnan(r2_score([1.0, 2.0, 3.0], [1.0, 2.0, np.nan]))
    assert np.isnan(r2_per_output([1.0, 2.0, 3.0], [1.0, 2.0, np.nan])[0])


def test_a_constant_target_predicted_exactly_scores_one_as_in_scikit_learn():
    y = np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]])
    exact = y.copy()
    assert r2_score(y, exact) == 1.0
    off = y + np.array([[0.1, 0.0], [0.0, 0.0], [0.0, 0.0]])
    assert r2_score(y, off) == pytest.approx(0.5)  # (0 + 1) / 2
    assert np.isnan(r2_per_output(y, exact)[0])


@pytest.mark.parametrize(
    "y_true, y_pred",
    [([1.0, 2.0, 3.0], [1.0, 2.0]), ([1.0, 2.0, 3.0], [[1, 2], [3, 4], [5, 6]]), ([], [])],
    ids=["fewer rows", "more outputs", "empty"],
)
def test_shapes_that_do_not_match_are_refused_naming_them(y_true, y_pred):
    with pytest.raises(ValueError, match=r"r2_score: 'y_(pred|true)' must"):
        r2_score(y_true, y_pred)


def test_one_output_as_a_column_or_a_vector_is_the_same():
    y, p = np.array([1.0, 2.0, 4.0]), np.array([1.5, 2.0, 3.0])
    assert r2_score(y, p[:, None]) == r2_score(y[:, None], p) == r2_score(y, p)


# ------------------------------------------------- one sample: NaN and a warning, as scikit-learn
ONE_ROW = [
    ([1.0], [1.0], None),
    ([1.0], [2.0], None),
    ([1.0], [2.0], [3.0]),
    ([[1.0, 2.0]], [[1.0, 3.0]], None),
    ([[1.0, 2.0]], [[1.0, 2.0]], [0.5]),
]


@pytest.mark.parametrize(
    "y_true, y_pred, w", ONE_ROW, ids=["exact", "off", "weighted", "2 out", "2 out w"]
)
def test_one_sample_is_nan_with_a_warning_as_scikit_learn(y_true, y_pred, w):
    """R^2 of one sample was 1 (predicted exactly) or 0: the constant-target rule. R^2 is not
    defined there; scikit-learn 1.9 gives NaN with an UndefinedMetricWarning, whatever the
    weight and the number of outputs."""
    from sklearn.exceptions import UndefinedMetricWarning as SkWarning
    from sklearn.metrics import r2_score as sk_r2

    from glassnet.metrics import UndefinedMetricWarning

    with pytest.warns(SkWarning, match="not well-defined with less than two samples"):
        assert np.isnan(sk_r2(y_true, y_pred, sample_weight=w))
    with pytest.warns(UndefinedMetricWarning, match=r"r2_score: R\^2 score is not well-defined wi"):
        got = r2_score(y_true, y_pred, sample_weight=w)
    assert isinstance(got, float) and np.isnan(got)


def test_the_warning_is_a_user_warning_and_two_samples_give_none():
    from glassnet.metrics import UndefinedMetricWarning

    assert issubclass(UndefinedMetricWarning, UserWarning)
    # two rows, one of weight 0: defined (a constant weighted target), 1.0 as scikit-learn's
    assert r2_score([1.0, 2.0], [1.0, 3.0], sample_weight=[1.0, 0.0]) == 1.0


def test_a_regression_task_scores_one_row_as_nan_with_the_warning():
    """The task's score (fit's validation R^2, the sklearn-style score) goes through r2_score:
    one row is NaN and says why, not a silent 0 or 1."""
    from glassnet.metrics import UndefinedMetricWarning
    from glassnet.tasks import get_task

    with pytest.warns(UndefinedMetricWarning, match="less than two samples"):
        assert np.isnan(get_task("regression").score([1.0], [2.0]))


@pytest.mark.parametrize(
    "w, message",
    [
        (
            [1.0],
            r"'sample_weight' must hold one weight per row of y_true, shape \(3,\)\. Got shape \(1",
        ),
        ([[1.0, 1.0, 1.0]], r"'sample_weight' must hold one weight per row.*Got shape \(1, 3\)"),
        ([1.0, np.nan, 1.0], r"'sample_weight' holds nan at row 1; weights must be finite"),
        ([0.0, 0.0, 0.0], r"'sample_weight' sums to 0"),
        (["a", "b", "c"], r"'sample_weight' must be an array of numbers"),
    ],
    ids=["short", "2-d", "nan", "zero", "text"],
)
def test_a_sample_weight_that_does_not_fit_is_refused_naming_it(w, message):
    """A weight of the wrong length was broadcast (one weight for 3 rows scored 0.8), a NaN
    weight or weights summing to 0 gave NaN with a RuntimeWarning: scikit-learn refuses all."""
    with pytest.raises(ValueError, match=r"r2_score: " + message):
        r2_score([1.0, 2.0, 3.0], [1.0, 2.0, 4.0], sample_weight=w)
