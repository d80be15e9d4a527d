"""The compiled loop's leaky ReLU at infinities (round 19). numba is in the ``test`` extra;
without it this module is skipped, as tests/test_jit.py."""

import numpy as np
import pytest

pytest.importorskip("numba", reason='glassnet.jit needs numba: pip install -e ".[jit]"')

from glassnet import jit  # noqa: E402
from glassnet.functional import leaky_relu_fn  # noqa: E402


@pytest.mark.parametrize("alpha", [0.0, 0.01, 0.5])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_compiled_leaky_relu_equals_the_graphs_at_infinities(alpha, dtype):
    # At slope 0 the kernel gave NaN for z = +inf (0 * inf is NaN), where the graph gives inf.
    z = np.array([np.inf, -np.inf, 3.0, -2.0, 0.0, np.nan, 1e30], dtype)
    hd = np.zeros(jit._N_SLOTS, dtype)
    hd[jit._ONE], hd[jit._HALF] = 1, 0.5
    jit._compile()
    A = z.copy()
    jit._k_activate(A, 1, A.size, 4, dtype(alpha), hd)
    np.testing.assert_array_equal(A, leaky_relu_fn(z.copy(), alpha))
