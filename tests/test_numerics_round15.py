"""Round 15 numerics: gradients that stay finite where PyTorch's do, gradcheck's reach,
where's dtype, var's own node, and glassnet.micrograd's bits against micrograd's."""

import numpy as np
import pytest

import glassnet as gn


def _grad(f, xs):
    x = gn.tensor(xs, dtype=gn.float64, requires_grad=True)
    f(x).sum().backward()
    return x.grad


# ------------------------------------------------ 1) a mask's 0 times an upstream inf
@pytest.mark.parametrize(
    ("f", "xs", "want"),
    [
        (lambda x: x.clamp(min=0).sqrt(), [-1.0, 2.0], [0.0, 0.5 / np.sqrt(2.0)]),
        (lambda x: x.clamp_min(0).sqrt(), [-1.0, 2.0], [0.0, 0.5 / np.sqrt(2.0)]),
        (lambda x: (-x.clamp_max(0)).sqrt(), [1.0, -2.0], [0.0, -0.5 / np.sqrt(2.0)]),
        (lambda x: x.clip(0, 1).log(), [-1.0, 2.0, 0.5], [0.0, 0.0, 2.0]),
        (lambda x: gn.maximum(x, 0.0).sqrt(), [-1.0, 2.0], [0.0, 0.5 / np.sqrt(2.0)]),
        (lambda x: (-gn.minimum(x, 0.0)).sqrt(), [1.0, -2.0], [0.0, -0.5 / np.sqrt(2.0)]),
        (lambda x: x.max().sqrt(), [-1.0, 0.0, 0.0, -2.0], [0.0, np.inf, np.inf, 0.0]),
        (lambda x: x.reshape(2, 2).amax(1).sqrt(), [-1.0, 0.0, 0.0, -2.0], [0, np.inf, np.inf, 0]),
        (lambda x: x.reshape(2, 2).amin(1).log(), [1.0, 0.0, 0.0, 2.0], [0, np.inf, np.inf, 0]),
    ],
)
def test_masked_backward_gives_zero_not_nan_under_an_infinite_upstream(f, xs, want):
    with np.errstate(divide="ignore"):
        got = _grad(f, xs)
    np.testing.assert_array_equal(got, np.asarray(want, dtype=np.float64))


def test_maximum_tie_keeps_pytorchs_half_share_and_no_nan():
    x = gn.tensor([-1.0, 0.0, 3.0], dtype=gn.float64, requires_grad=True)
    y = gn.tensor([0.0, 0.0, 0.0], dtype=gn.float64, requires_grad=True)
    gn.maximum(x, y).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.5, 1.0])
    np.testing.assert_array_equal(y.grad, [1.0, 0.5, 0.0])
    x.grad = y.grad = None
    with np.errstate(divide="ignore"):
        gn.maximum(x, y).sqrt().sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, np.inf, 0.5 / np.sqrt(3.0)])
    np.testing.assert_array_equal(y.grad, [np.inf, np.inf, 0.0])


def test_masked_backward_matches_torch():
    torch = pytest.importorskip("torch")
    xs = [-1.0, 0.0, 2.0, 0.5]
    cases = [
        (lambda x: x.clamp(min=0).sqrt(), lambda t: t.clamp(min=0).sqrt()),
        (lambda x: x.clamp(0, 1).log(), lambda t: t.clamp(0, 1).log()),
        (lambda x: gn.maximum(x, 0.0).sqrt(), lambda t: torch.clamp_min(t, 0.0).sqrt()),
        (lambda x: x.max().sqrt(), lambda t: t.max().sqrt()),
    ]
    for f, tf in cases:
        with np.errstate(divide="ignore"):
            got = _grad(f, xs)
        t = torch.tensor(xs, dtype=torch.float64, requires_grad=True)
        tf(t).sum().backward()
        np.testing.assert_array_equal(got, t.grad.numpy())


# ------------------------------------------------ 4) where's dtype is the binary ops'
def test_where_promotes_float32_with_a_float64_array_both_ways():
    m = np.array([True, False])
    a32 = gn.tensor([1.0, 2.0], requires_grad=True)
    f64 = np.array([3.0, 0.1])
    assert (a32 + f64).dtype == np.float64  # the rule where follows
    got = gn.where(m, a32, f64)
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got.data, [1.0, 0.1])  # 0.1 kept, not narrowed
    assert gn.where(~m, f64, a32).dtype == np.float64
    assert gn.where(m, a32, 2.0).dtype == np.float32  # a number keeps the Tensor's dtype
    assert gn.where(m, 2.0, a32).dtype == np.float32
    assert gn.where(m, a32, np.array([1, 2])).dtype == np.float32  # integers: float32
    got.sum().backward()
    assert a32.grad.dtype == np.float32
    np.testing.assert_array_equal(a32.grad, [1.0, 0.0])


def test_where_dtype_matches_torch():
    torch = pytest.importorskip("torch")
    m = np.array([True, False])
    t = torch.where(
        torch.tensor(m), torch.tensor([1.0, 2.0]), torch.tensor([3.0, 0.1], dtype=torch.float64)
    )
    assert (
        str(gn.where(m, gn.tensor([1.0, 2.0]), np.array([3.0, 0.1])).dtype)
        == str(t.dtype).split(".")[1]
    )
