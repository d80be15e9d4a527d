"""Round 30's reshaping of the core (#10): what changed on purpose, pinned."""

import numpy as np
import pytest

import glassnet as gn
import glassnet.functional as F


@pytest.mark.parametrize("rows", [0, 2])
def test_softmax_kernel_refuses_an_integer_array_empty_or_not(rows):
    # softmax_fn works in place in z's dtype: an integer z could never hold exp's floats.
    # Before round 30 an empty integer z returned an empty integer array, a non-empty one
    # raised; both raise the same error now (F.softmax and nn.Softmax cast to a float first).
    with pytest.raises(TypeError, match="Cannot cast ufunc 'exp'"):
        F.softmax_fn(np.zeros((rows, 3), dtype=np.int64))


@pytest.mark.parametrize("rows", [0, 2])
def test_softmax_of_an_integer_tensor_is_a_float_one(rows):
    out = F.softmax(gn.Tensor(np.zeros((rows, 3), dtype=np.int64)))
    assert out.data.dtype.kind == "f" and out.data.shape == (rows, 3)


def test_tensor_named_shows_a_plain_self_in_its_signature():
    import inspect

    assert str(inspect.signature(gn.Tensor.named)).startswith("(self, label")
