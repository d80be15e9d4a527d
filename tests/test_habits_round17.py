"""PyTorch's in-place pointwise ops refuse operands that broadcast x to a larger shape."""

import numpy as np
import pytest

import glassnet as gn


@pytest.mark.parametrize(
    "call",
    [
        lambda x, t: x.addcmul_(t, t),
        lambda x, t: x.addcdiv_(t, t + 1.0),
        lambda x, t: x.lerp_(t, 0.25),
        lambda x, t: x.lerp_(t, gn.tensor(np.full((1, 3), 0.75))),
    ],
)
def test_an_operand_with_a_leading_one_is_refused_as_pytorch_refuses_it(call):
    """x of shape (3,) and t of shape (1, 3): x + t·t is (1, 3), which NumPy wrote into x
    (dropping the leading 1); PyTorch says the output's shape does not match."""
    x = gn.tensor(np.zeros(3))
    t = gn.tensor(np.ones((1, 3)))
    with pytest.raises(ValueError, match=r"broadcast x of shape \(3,\) to shape \(1, 3\)"):
        call(x, t)
    assert np.array_equal(x.data, np.zeros(3))  # nothing written


def test_an_operand_that_broadcasts_to_x_still_works():
    x = gn.tensor(np.zeros((2, 3)))
    x.addcmul_(gn.tensor(np.ones(3)), gn.tensor(np.full((2, 1), 2.0)), value=0.5)
    assert np.array_equal(x.data, np.ones((2, 3)))
    x.lerp_(gn.tensor(np.full(3, 3.0)), 0.5)
    assert np.array_equal(x.data, np.full((2, 3), 2.0))
