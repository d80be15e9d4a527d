"""OneHotEncoder: float64 numbers given to an encoder fitted on float32 ones."""

from __future__ import annotations

import numpy as np
import pytest

from glassnet.preprocessing import OneHotEncoder


def test_float64_values_for_a_float32_fit_are_refused_with_the_dtype_to_pass():
    X = np.array([[0.1], [0.2], [0.1]], dtype=np.float32)
    enc = OneHotEncoder().fit(X)
    # scikit-learn refuses them too (0.1 in float64 is another number than float32's 0.1);
    # the message says why and what to pass
    with pytest.raises(ValueError, match=r"fitted on float32 numbers.*X\.astype\(np\.float32\)"):
        enc.transform(np.array([[0.1], [0.2]]))
    # passing float32, as the message says, encodes them
    np.testing.assert_array_equal(
        enc.transform(np.array([[0.1], [0.2]]).astype(np.float32)), [[1, 0], [0, 1]]
    )


def test_unseen_numbers_that_are_no_float32_category_get_no_dtype_advice():
    enc = OneHotEncoder().fit(np.array([[0.1], [0.2]], dtype=np.float32))
    with pytest.raises(ValueError, match="not seen at fit") as err:
        enc.transform(np.array([[0.3]], dtype=np.float32))
    assert "float32" not in str(err.value)
    enc64 = OneHotEncoder().fit(np.array([[0.1], [0.2]]))
    with pytest.raises(ValueError, match="not seen at fit") as err:
        enc64.transform(np.array([[0.5]]))
    assert "float32" not in str(err.value)
