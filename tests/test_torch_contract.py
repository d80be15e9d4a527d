"""A differential contract of glassnet's PyTorch-style surface against ``torch==2.13.0``.

Each test pins one difference found by running the same op in both libraries on random
shapes (0-size axes and 0-d tensors included), negative dims, float32 and float64: the
glassnet half checks the numbers PyTorch gives, written out, and runs without torch; where
a test compares with torch itself it skips when torch is not installed (it is optional,
never a dependency).
"""

from __future__ import annotations

import numpy as np
import pytest

from glassnet.tensor import Tensor


def _leaf(a: object, dtype: object = np.float64) -> Tensor:
    return Tensor(np.array(a, dtype=dtype), requires_grad=True)


# --------------------------------------------------------------------------- ops


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("call", ["amax", "amin", "max", "min"])
@pytest.mark.parametrize("dim", [0, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_a_reduction_over_dim_0_of_a_0d_tensor_has_a_gradient(dtype, call, dim, keepdim):
    # PyTorch takes dim 0 (or -1) of a 0-d tensor as the tensor itself; glassnet's forward
    # agreed, and backward raised NumPy's "cannot broadcast a non-scalar to a scalar array"
    x = _leaf(2.5, dtype)
    if call in ("amax", "amin"):
        y = getattr(x, call)(dim, keepdim)
    else:
        y = getattr(x, call)(axis=dim, keepdims=keepdim)
    assert y.shape == () and y.item() == 2.5
    y.backward(np.array(3.0, dtype))
    assert x.grad.shape == () and x.grad == 3.0
