"""Dtypes at the edges of a Tensor (2): whole numbers in a list NumPy reads as floats,
missing values and dates written into a tensor, a float16 written, a graph node pickled."""

import numpy as np
import pytest

import glassnet as gn
from glassnet._validation import ParameterError

pd = pytest.importorskip("pandas")


# 1. a list of whole numbers is checked as whole numbers, where NumPy reads it as floats
@pytest.mark.parametrize(
    "data, dtype, number",
    [
        ([2**53 + 1, 2**63], None, 2**53 + 1),  # (float32: 2**53+1 not exact)
        ([2**53 + 1, 2**64 - 1], None, 2**53 + 1),
        ([[2**53 + 1], [2**63]], None, 2**53 + 1),  # (nested)
        ((2**53 + 1, 2**63), None, 2**53 + 1),  # (a tuple)
        ([2**63 + 1, -1], gn.float64, 2**63 + 1),
        ([[2**63 + 1], [-1]], gn.float64, 2**63 + 1),
        ([np.int64(3), 2**64 - 1, -1], gn.float64, 2**64 - 1),
    ],
)
def test_list_of_whole_numbers_exact(data, dtype, number):
    for make in (gn.tensor, gn.as_tensor):
        with pytest.raises(ParameterError, match=f"whole number {number} is not exact"):
            make(data, dtype=dtype)


def test_list_of_whole_numbers_kept():
    t = gn.tensor([2**63, -1], dtype=gn.float64)  # (both exact in float64)
    assert t.data.tolist() == [2.0**63, -1.0]
    assert gn.tensor([2**63, 2**40]).data.tolist() == [2.0**63, 2.0**40]
    assert gn.tensor([2**53 + 1, 0.5], dtype=gn.float64).dtype == np.float64  # (floats given)
    assert gn.tensor([[1, 2], [3, 4]]).data.tolist() == [[1, 2], [3, 4]]
