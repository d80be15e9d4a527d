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
    with pytest.raises(ValueError, match=r"broadcasts x of shape \(3,\) to shape \(1, 3\)"):
        call(x, t)
    assert np.array_equal(x.data, np.zeros(3))  # nothing written


def test_an_operand_that_broadcasts_to_x_still_works():
    x = gn.tensor(np.zeros((2, 3)))
    x.addcmul_(gn.tensor(np.ones(3)), gn.tensor(np.full((2, 1), 2.0)), value=0.5)
    assert np.array_equal(x.data, np.ones((2, 3)))
    x.lerp_(gn.tensor(np.full(3, 3.0)), 0.5)
    assert np.array_equal(x.data, np.full((2, 3), 2.0))


@pytest.mark.parametrize(
    "call",
    [
        lambda x, t: x.copy_(t),
        lambda x, t: x.clamp_(min=t),
        lambda x, t: x.clamp_(max=t),
    ],
)
def test_copy_and_clamp_refuse_a_value_that_broadcasts_x_larger(call):
    """copy_ and clamp_ wrote a (1, 3) value into an x of shape (3,); torch refuses both."""
    x = gn.tensor(np.zeros(3))
    with pytest.raises(ValueError, match=r"broadcasts x of shape \(3,\) to shape \(1, 3\)"):
        call(x, gn.tensor(np.ones((1, 3))))
    assert np.array_equal(x.data, np.zeros(3))


def test_a_value_that_does_not_broadcast_is_named_with_both_shapes():
    x = gn.tensor(np.zeros(3))
    with pytest.raises(ValueError, match=r"x.copy_\(src\) on x of shape \(3,\)"):
        x.copy_(np.ones(4))
    x.clamp_(min=gn.tensor(np.ones((2, 1))[0]))  # (one value: broadcasts to x)
    assert np.array_equal(x.data, np.ones(3))
