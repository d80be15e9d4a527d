"""The in-place kernels take their constants (0.5, 1.0, 2c) as 0-d arrays of the array's
dtype, cheaper for a ufunc than Python floats: the same numbers, bit for bit, on every
dtype (float16 and others fall back to the floats), and the constants cannot be changed."""

from __future__ import annotations

import numpy as np
import pytest

from glassnet import functional as F


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_the_kernels_give_the_numbers_of_python_floats(dtype):
    rng = np.random.default_rng(0)
    Z = (rng.standard_normal((5, 3)) * 4).astype(dtype)
    A = Z.copy()
    F._sigmoid_(A)
    want = ((np.tanh(Z * 0.5) + 1.0) * 0.5).astype(dtype)
    np.testing.assert_array_equal(A, want)
    D, T = np.ones_like(A), np.empty_like(A)
    F._sigmoid_bwd(D, A, T, 0.0)
    np.testing.assert_array_equal(D, (1.0 - A) * A)
    D = np.ones_like(A)
    F._tanh_bwd(D, A, T, 0.0)
    np.testing.assert_array_equal(D, 1.0 - A * A)
    for name, c in (("mse", 1.0), ("half_mse", 0.5)):
        G = np.empty_like(A)
        F.LOSSES[name].kernel(A, Z, G)
        np.testing.assert_array_equal(G, (A - Z) * (2.0 * c))
        assert G.dtype == dtype


def test_the_constants_are_read_only():
    for dtype in (np.float32, np.float64):
        for c in F._half_one(np.zeros(2, dtype)):
            assert c.dtype == dtype
            with pytest.raises(ValueError, match="read-only"):
                c[...] = 3.0
