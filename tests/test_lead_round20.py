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


def test_the_duration_targets_numpy_hint_gives_seconds():
    """MLPRegressor's refusal of a duration y told NumPy users astype('datetime64[s]')
    .astype(float), which gives the raw ticks (5 s in microseconds read 5,000,000)."""
    pytest.importorskip("sklearn")
    import re

    from glassnet.sklearn import MLPRegressor

    y = np.array([5, 10, 15, 20], dtype="timedelta64[s]").astype("timedelta64[us]")
    with pytest.raises(ValueError, match="durations") as info:
        MLPRegressor(max_iter=1).fit(np.ones((4, 2)), y)
    hint = re.search(r"on a NumPy array: (.+?) gives seconds", str(info.value))[1]
    assert list(eval(hint, {"np": np, "y": y})) == [5.0, 10.0, 15.0, 20.0]
