"""Round 23's mends made by the lead: messages and behaviour found by porting PyTorch scripts."""

import numpy as np
import pytest

import glassnet as gn


def test_max_method_refusal_names_the_function_that_gives_values_and_indices():
    x = gn.tensor([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(TypeError, match=r"gn\.max\(x, 1\) for PyTorch's \(values, indices\)"):
        x.max(1)
    values, indices = gn.max(x, 1)
    np.testing.assert_array_equal(values.numpy(), [2.0, 4.0])
    np.testing.assert_array_equal(indices, [1, 1])
