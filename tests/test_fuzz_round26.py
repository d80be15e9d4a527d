"""Round 26's fuzz audit: functional.binary_cross_entropy's target outside [0, 1] refused as
nn.BCELoss's is, and NaN in its prediction named; class labels beyond int64 (1e20, inf) named
as given; the shape hint of the functional losses fitting the shapes; X or y of zero columns;
a Pipeline given a repeated column; the reduction keywords of var/std/logsumexp/norm/amax; one
policy for NumPy's RuntimeWarnings in Tensor ops; the minor rough edges."""

import warnings

import numpy as np
import pytest

import glassnet as gn
import glassnet.functional as F
from glassnet import nn


# 1. functional.binary_cross_entropy: a target outside [0, 1]
@pytest.mark.parametrize("t", [2.0, -1.0, np.nan])
def test_bce_target_outside_unit_refused(t):
    p = gn.Tensor(np.array([[0.9], [0.5]]), requires_grad=True)
    y = np.array([[t], [1.0]])
    with pytest.raises(ValueError, match=r"op 'binary_cross_entropy': the (target must lie in \[0, 1\]|target contains NaN)"):
        F.binary_cross_entropy(p, y)


def test_bce_target_in_unit_still_taken():
    p = gn.Tensor(np.array([[0.9], [0.2]]), requires_grad=True)
    loss = F.binary_cross_entropy(p, np.array([[1.0], [0.25]]))
    loss.backward()
    assert np.isfinite(loss.item()) and loss.item() > 0


# 5. NaN in the prediction of binary_cross_entropy
def test_bce_nan_prediction_named():
    p = gn.Tensor(np.array([[np.nan], [0.5]]))
    with pytest.raises(ValueError, match=r"holds NaN \(first at index \(0, 0\)\)") as e:
        F.binary_cross_entropy(p, np.array([[0.0], [1.0]]))
    assert "nan to nan" not in str(e.value)


def test_bce_prediction_outside_unit_names_values_outside():
    p = gn.Tensor(np.array([[1.5], [0.5], [-0.25]]))
    with pytest.raises(ValueError, match=r"probabilities must lie in \[0, 1\]\. Got 2 value\(s\) outside, from -0\.25 to 1\.5"):
        F.binary_cross_entropy(p, np.array([[0.0], [1.0], [1.0]]))
