"""Round 28's scikit-learn audit: a bool random_state, the documented threads values."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from glassnet.sklearn import MLPClassifier, MLPRegressor

X = np.random.default_rng(0).normal(size=(20, 2))
y = (X[:, 0] > 0).astype(int)
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.mark.parametrize("est", [MLPClassifier, MLPRegressor])
@pytest.mark.parametrize("flag", [True, False, np.True_])
def test_a_bool_random_state_is_refused_as_every_number_parameter_refuses_one(est, flag):
    # random_state=True seeded 1 in silence (np.True_ was refused): no value is converted
    with pytest.raises(ValueError, match=r"random_state.*not a bool.*Got (np\.)?(True|False)"):
        est(random_state=flag, max_iter=2).fit(X, y)


def test_random_state_ints_and_generators_still_taken():
    a = MLPClassifier(random_state=1, max_iter=3).fit(X, y).coefs_[0]
    b = MLPClassifier(random_state=np.int64(1), max_iter=3).fit(X, y).coefs_[0]
    assert np.array_equal(a, b)
    MLPClassifier(random_state=np.random.RandomState(0), max_iter=2).fit(X, y)


def test_the_threads_row_names_every_value_the_code_takes():
    doc = Path(__file__).resolve().parents[1] / "docs" / "sklearn.md"
    row = next(line for line in doc.read_text().splitlines() if line.startswith("| **`threads`**"))
    for value in ("'auto'", "'load'", "'keep'"):
        assert f"`{value}`" in row, value
    assert re.search(r"model_.*\.eval\(\)", doc.read_text()), "dropout: model_'s mode"
