"""Round 20, the lead's mends: a None in X is named as a missing value."""

import numpy as np
import pytest

import glassnet as gn


def test_a_none_in_an_object_array_is_named_missing_not_nan_or_inf():
    X = np.array([[1.0, None], [2.0, 3.0]], dtype=object)
    model = gn.nn.MLP([2, 3, 1], output_activation="sigmoid", rng=0)
    said = r"fit: X holds None \(a missing value\) at index \(0, 1\)"
    with pytest.raises(ValueError, match=said):
        gn.fit(model, X, np.array([0, 1]), epochs=1)
    with pytest.raises(ValueError, match=r"X holds None \(a missing value\)"):
        model.predict(X)
