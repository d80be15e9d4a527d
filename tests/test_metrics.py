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
