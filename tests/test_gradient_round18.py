"""A parameter's ``.grad`` takes PyTorch's ``normal_(mean, std)`` and ``uniform_(from, to)``
(the README names them beside zero_, fill_ and copy_): values drawn in place, in the
gradient's dtype, from glassnet's default generator (gn.manual_seed) or ``generator=``."""

import numpy as np
import pytest

import glassnet as gn
from glassnet.gradient import Grad


def _grad(shape=(200, 300), dtype=np.float32):
    w = gn.tensor(np.ones(shape, dtype), requires_grad=True)
    (w * w).sum().backward()
    assert isinstance(w.grad, Grad)
    return w


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_normal_draws_in_place_from_the_normal_law(dtype):
    gn.manual_seed(123)  # (the same draws at each run: no flaky tolerance)
    w = _grad(dtype=dtype)
    g = w.grad
    out = g.normal_(2.0, 0.5)
    assert out is g and w.grad is g and g.dtype == dtype and g.shape == (200, 300)
    assert abs(g.mean() - 2.0) < 0.01  # 60,000 draws: the mean's sd is 0.002
    assert abs(np.std(g) - 0.5) < 0.01
    assert abs(np.mean(np.abs(g - 2.0) < 0.5) - 0.6827) < 0.01  # one sd: 68.27 %
    g.data.normal_()  # PyTorch's defaults: N(0, 1)
    assert abs(g.mean()) < 0.02 and abs(np.std(g) - 1) < 0.02


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_uniform_draws_in_place_from_the_uniform_law(dtype):
    gn.manual_seed(123)
    w = _grad(dtype=dtype)
    g = w.grad
    out = g.uniform_(-1, 3)
    assert out is g and g.dtype == dtype
    assert g.min() >= -1 and g.max() < 3
    assert abs(g.mean() - 1.0) < 0.02
    assert abs(np.var(g) - 16 / 12) < 0.03
    counts = np.histogram(g, bins=4, range=(-1, 3))[0] / g.size
    np.testing.assert_allclose(counts, 0.25, atol=0.01)
    g.uniform_(**{"from": 5, "to": 6})  # PyTorch's keywords
    assert g.min() >= 5 and g.max() < 6
    g.data.uniform_()  # PyTorch's defaults: U(0, 1)
    assert g.min() >= 0 and g.max() < 1 and abs(g.mean() - 0.5) < 0.01


def test_draws_repeat_under_manual_seed_and_match_a_tensors():
    g = _grad((4, 5)).grad
    gn.manual_seed(0)
    a = g.normal_(1, 2).copy()
    b = g.uniform_(-1, 1).copy()
    gn.manual_seed(0)
    np.testing.assert_array_equal(g.normal_(1, 2), a)
    np.testing.assert_array_equal(g.uniform_(-1, 1), b)
    gn.manual_seed(0)
    t = gn.zeros(4, 5)
    np.testing.assert_array_equal(t.normal_(1, 2).data, a)  # the numbers a Tensor draws
    np.testing.assert_array_equal(t.uniform_(-1, 1).data, b)
    assert not np.array_equal(a, g.normal_(1, 2))  # (the stream goes on)


def test_generator_argument():
    g = _grad((3, 4)).grad
    x = g.normal_(generator=gn.Generator().manual_seed(7)).copy()
    np.testing.assert_array_equal(g.normal_(generator=gn.Generator().manual_seed(7)), x)
    gen = np.random.default_rng(3)
    y = g.uniform_(0, 1, generator=gen).copy()
    np.testing.assert_array_equal(y, np.random.default_rng(3).uniform(0, 1, (3, 4)).astype(g.dtype))
    gn.manual_seed(1)
    before = gn.randn(3).data
    gn.manual_seed(1)
    g.normal_(generator=5)  # an explicit generator leaves the default one alone
    np.testing.assert_array_equal(gn.randn(3).data, before)


def test_bad_arguments_are_refused_as_pytorch_refuses_them():
    g = _grad((2, 2)).grad
    g.fill_(7)
    with pytest.raises(ValueError, match="'std' parameter of normal_ must be a float >= 0"):
        g.normal_(0, -1)
    with pytest.raises(ValueError, match="lower bound from=2.0 is above the upper bound to=1.0"):
        g.uniform_(2, 1)
    with pytest.raises(ValueError, match="'mean' parameter of normal_ must be a finite float"):
        g.normal_("a")
    with pytest.raises(ValueError, match="'std' parameter of normal_ .* Got nan"):
        g.normal_(0, float("nan"))
    with pytest.raises(TypeError, match="the keywords \\['sd'\\]"):
        g.uniform_(sd=1)
    with pytest.raises(TypeError, match="two at most by position"):
        g.uniform_(0, 1, 2)
    with pytest.raises(ValueError, match="generator"):
        g.normal_(generator=-1)
    np.testing.assert_array_equal(g, 7)  # nothing written


def test_a_third_positional_value_is_not_taken_as_the_generator():
    """PyTorch's normal_/uniform_ take the generator by keyword only: x.uniform_(0, 1, 2) is a
    TypeError saying so, on a Tensor as on a gradient (it read 2 as a generator's seed)."""
    g = _grad((2, 2)).grad
    x = gn.zeros(2)
    for target in (g, x):
        for name in ("normal_", "uniform_"):
            with pytest.raises(TypeError, match=rf"{name}\(\) takes .*generator= by keyword"):
                getattr(target, name)(0, 1, 2)


def test_pytorch_names_of_the_bounds():
    """x.uniform_ and g.uniform_ name their bounds from and to, as PyTorch's, and refuse
    nn.init's a= and b= (PyTorch's method has no such keywords)."""
    g = _grad((2, 2)).grad
    for target in (g, gn.zeros(2)):
        with pytest.raises(ValueError, match="from=3.0 is above the upper bound to=1.0"):
            target.uniform_(3, to=1)
        with pytest.raises(TypeError, match="the keywords \\['a', 'b'\\]"):
            target.uniform_(a=0, b=1)
    with pytest.raises(ValueError, match="lower bound a=3.0 is above the upper bound b=1.0"):
        gn.nn.init.uniform_(gn.zeros(2), 3, 1)
