"""Tensor semantics as PyTorch's: indexing order, integer results' dtype, std/var's advice,
norm's p, and float Tensors of 0s and 1s as indices."""

import numpy as np
import pytest

import glassnet as gn

# ------------------------------------------------- A: integers applied first, as PyTorch's


def test_integer_then_list_apart_keeps_pytorch_order():
    a = np.arange(18.0).reshape(2, 3, 3)
    assert gn.tensor(a)[0, :, [0, 1, 2]].tolist() == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    x = gn.tensor(np.arange(24.0).reshape(2, 3, 4))
    got = x[0, :, [0, 3]]
    assert got.shape == (3, 2)
    np.testing.assert_array_equal(got.data, x.data[0][:, [0, 3]])


@pytest.mark.parametrize(
    "make",
    [
        lambda m: (1, slice(None), m),  # a bool mask apart from the integer
        lambda m: (1, Ellipsis, m),
        lambda m: (-1, slice(None), np.flatnonzero(m)),  # an int64 array
        lambda m: (gn.tensor(1.0), slice(None), m),  # a 0-d Tensor is an integer
        lambda m: (np.int64(1), slice(None), gn.tensor(np.flatnonzero(m) * 1.0)),
    ],
)
def test_integer_and_advanced_index_apart(make):
    a = np.arange(24.0).reshape(2, 3, 4)
    mask = np.array([True, False, True, True])
    got = gn.tensor(a)[make(mask)]
    np.testing.assert_array_equal(got.data, a[1][:, mask])  # (3, 3): rows of a[1], 3 columns


def test_none_between_integer_and_list():
    a = np.arange(12.0).reshape(3, 4)
    assert gn.tensor(a)[0, None, [0, 1]].shape == (1, 2)  # NumPy: (2, 1)
    b = np.zeros((2, 3, 4, 5))
    assert gn.tensor(b)[:, 0, :, [0, 1]].shape == (2, 4, 2)  # NumPy: (2, 2, 4)
    assert gn.tensor(b)[..., 0, :, [0, 1]].shape == (2, 4, 2)


def test_rules_that_agree_stay():
    b = gn.tensor(np.arange(120.0).reshape(2, 3, 4, 5))
    # advanced indices apart from each other: moved first in both
    assert b[[0, 1], 0, :, [0, 1]].shape == (2, 4)
    assert b[0, [0, 1], :, [0, 1]].shape == (2, 4)
    # an integer next to the advanced index: in place in both
    assert b[[0, 1], 0, [0, 1]].shape == (2, 5)
    assert b[:, 1, [0, 2]].shape == (2, 2, 5)
    np.testing.assert_array_equal(b[np.arange(2), 1].data, b.data[np.arange(2), 1])


def test_gradient_reaches_the_positions_read():
    a = np.arange(18.0).reshape(2, 3, 3)
    x = gn.tensor(a, requires_grad=True)
    up = np.arange(9.0).reshape(3, 3)  # up[r, c] reaches x[0, r, [2, 0, 1][c]]
    (x[0, :, [2, 0, 1]] * gn.tensor(up)).sum().backward()
    want = np.zeros_like(a)
    want[0][:, [2, 0, 1]] = up
    np.testing.assert_array_equal(x.grad, want)


def test_write_stores_the_value_not_its_transpose():
    z = gn.zeros(2, 3, 3, dtype=gn.float64)
    v = np.arange(9.0).reshape(3, 3)
    z[0, :, [0, 1, 2]] = gn.tensor(v)
    np.testing.assert_array_equal(z.data[0], v)
    np.testing.assert_array_equal(z.data[1], 0)
    w = gn.zeros(2, 3, 4, dtype=gn.float64)
    w[1, :, np.array([True, False, True, False])] = gn.tensor(np.ones((3, 2)))
    assert w.data[1].sum() == 6 and w.data[1][:, [1, 3]].sum() == 0 and w.data[0].sum() == 0


def test_nested_list_is_a_tuple_as_pytorch_reads_it():
    x = gn.tensor(np.arange(12.0).reshape(3, 4))
    with pytest.warns(UserWarning, match=r"x\[tuple\(seq\)\]"):
        got = x[[[0, 1]]]
    assert got.shape == (2, 4)
    np.testing.assert_array_equal(got.data, x.data[[0, 1]])
    with pytest.warns(UserWarning, match="as PyTorch reads it"):
        assert x[[[0, 1], [1, 2]]].tolist() == [1.0, 6.0]
    with pytest.warns(UserWarning):
        assert x[[slice(None), 0]].tolist() == [0.0, 4.0, 8.0]
    # a flat list is one index array, and 32 or more lists too (PyTorch's rule)
    assert x[[0, 1]].shape == (2, 4)
    assert x[[[0]] * 32].shape == (32, 1, 4)


def test_nested_list_write_as_pytorch():
    x = gn.zeros(3, 4)
    with pytest.warns(UserWarning):
        x[[[0, 2]]] = 1.0
    assert x.data.sum(1).tolist() == [4.0, 0.0, 4.0]


# ------------------------------------- B: integers with a float number: the default dtype


@pytest.mark.parametrize(
    "expr",
    [
        lambda y: y / 2,
        lambda y: y * 0.5,
        lambda y: 0.5 * y,
        lambda y: y + 0.5,
        lambda y: 1.5 - y,
        lambda y: 2 / y,
        lambda y: y / y,
        lambda y: y**0.5,
        lambda y: y % 2.5,
        lambda y: y * np.float64(0.5),
        lambda y: (y > 1) * 0.5,
        lambda y: y / np.int64(2),
    ],
)
def test_integer_array_with_a_float_number_is_float32(expr):
    y = gn.tensor([1.0, 2.0, 3.0]).long()
    got = expr(y)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, expr(np.array([1, 2, 3])), rtol=1e-6)
    x = gn.tensor([1.0, 2.0, 3.0], requires_grad=True)
    assert (x * got).dtype == np.float32  # (no float64 spread into the graph)


def test_integer_array_rules_that_stay():
    y = gn.tensor([1.0, 2.0, 3.0]).long()
    assert (y * 2).dtype == np.int64 and (y // 2).dtype == np.int64 and (y + y).dtype == np.int64
    assert (y * np.array([0.5, 0.5, 0.5])).dtype == np.float64  # a float64 array's dtype wins
    assert (y * gn.tensor([1.0, 1.0, 1.0], dtype=gn.float64)).dtype == np.float64
    assert (y / gn.tensor([1.0, 1.0, 1.0])).dtype == np.float32  # the Tensor's dtype
    gn.set_default_dtype(gn.float64)
    try:
        assert (y / 2).dtype == np.float64  # the default dtype
    finally:
        gn.set_default_dtype(gn.float32)


# ----------------------------------------------- C: std/var of no values: the right advice


@pytest.mark.parametrize(
    "call",
    [
        lambda: gn.ones(0).std(correction=0),
        lambda: gn.ones(1, 0).std(1, correction=0),
        lambda: gn.ones(1, 0).var(1),
    ],
)
def test_std_var_of_no_values_advises_values_not_correction(call):
    with pytest.raises(ValueError, match="reduce over dims that hold values") as e:
        call()
    assert "correction=0" not in str(e.value).split("divides")[1]


def test_std_var_correction_too_large_advises_a_smaller_one():
    with pytest.raises(ValueError, match=r"correction below the number of values \(correction=0"):
        gn.ones(3, 1).var(1)


# ---------------------------------------------------- D: x.norm(p) for any p PyTorch takes

INF = float("inf")


@pytest.mark.parametrize(
    "p, value, grad",
    [  # PyTorch 2.13's values and gradients at x = [3, -4, 0] (float64)
        (INF, 4.0, [0.0, -1.0, 0.0]),
        (-INF, 0.0, [0.0, 0.0, 0.0]),
        (0, 2.0, [0.0, 0.0, 0.0]),
        (3, 4.497941445275415, [0.4448513517305356, -0.7908468475209521, 0.0]),
        (0.5, 13.928203230275509, [2.154700538379252, -1.8660254037844386, 0.0]),
        (1.5, 5.584250376480029, [0.7329564758289748, -0.8463452372482761, 0.0]),
        (-1, 0.0, [0.0, 0.0, 0.0]),
        (-2.5, 0.0, [0.0, 0.0, 0.0]),
        ("fro", 5.0, [0.6, -0.8, 0.0]),
        (None, 5.0, [0.6, -0.8, 0.0]),
        (1, 7.0, [1.0, -1.0, 0.0]),
    ],
)
def test_norm_of_every_p_as_pytorch(p, value, grad):
    x = gn.tensor([3.0, -4.0, 0.0], dtype=gn.float64, requires_grad=True)
    n = x.norm(p)
    n.backward()
    assert n.item() == pytest.approx(value, rel=1e-12)
    np.testing.assert_allclose(x.grad, grad, rtol=1e-12, atol=1e-15)


def test_norm_negative_p_and_inf_ties():
    x = gn.tensor([2.0, -4.0, 4.0], dtype=gn.float64, requires_grad=True)
    n = x.norm(-2)  # (Σ|x|^-2)^(-1/2) = (1/4 + 1/16 + 1/16)^(-1/2)
    n.backward()
    assert n.item() == pytest.approx(1 / np.sqrt(0.375), rel=1e-12)
    np.testing.assert_allclose(x.grad, np.sign(x.data) * (np.abs(x.data) / n.item()) ** -3)
    y = gn.tensor([2.0, -4.0, 4.0], requires_grad=True)
    y.norm(INF).backward()  # the tied largest share the gradient
    assert y.grad.tolist() == [0.0, -0.5, 0.5]


def test_norm_nan_row_as_pytorch():
    for p, row in ((3, [np.nan, np.nan]), (0.5, [np.nan, np.nan]), (-1, [np.nan, np.nan])):
        x = gn.tensor([[1.0, np.nan], [2.0, 3.0]], requires_grad=True)
        x.norm(p, dim=1).sum().backward()
        assert np.isnan(x.grad[0]).all() and np.isfinite(x.grad[1]).all(), (p, row)
    x = gn.tensor([[1.0, np.nan], [2.0, 3.0]], requires_grad=True)
    n = x.norm(INF, dim=1)
    n.sum().backward()
    assert np.isnan(n.data[0]) and n.data[1] == 3.0
    assert x.grad.tolist() == [[0.0, 0.0], [0.0, 1.0]]  # (PyTorch's sign(NaN) is 0)


def test_norm_dims_and_keepdim():
    a = np.random.default_rng(0).standard_normal((2, 3, 4))
    x = gn.tensor(a, dtype=gn.float64)
    np.testing.assert_allclose(x.norm(3, dim=(0, 2)).data, (np.abs(a) ** 3).sum((0, 2)) ** (1 / 3))
    assert x.norm(INF, dim=1, keepdim=True).shape == (2, 1, 4)
    np.testing.assert_array_equal(x.norm(-INF, dim=-1).data, np.abs(a).min(-1))
    assert gn.tensor(5.0).norm(3, dim=0).item() == pytest.approx(5.0)


def test_norm_nuclear():
    x = gn.tensor([[3.0, 0.0], [0.0, -2.0]], dtype=gn.float64, requires_grad=True)
    n = x.norm("nuc")
    n.backward()
    assert n.item() == pytest.approx(5.0)
    np.testing.assert_allclose(x.grad, [[1.0, 0.0], [0.0, -1.0]], atol=1e-12)
    assert gn.ones(2, 3).norm("nuc").item() == pytest.approx(np.sqrt(6), rel=1e-6)
    b = np.random.default_rng(1).standard_normal((2, 3, 4))
    got = gn.tensor(b, dtype=gn.float64).norm("nuc", dim=(0, 2), keepdim=True)
    want = [np.linalg.svd(b[:, i, :], compute_uv=False).sum() for i in range(3)]
    np.testing.assert_allclose(got.data.reshape(-1), want)
    assert got.shape == (1, 3, 1)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: gn.ones(3).norm("abc"), r"p must be a number .* Got p='abc'"),
        (lambda: gn.ones(3).norm(float("nan")), "Got p=nan"),
        (lambda: gn.ones(3).norm(True), "Got p=True"),
        (lambda: gn.ones(0).norm(INF), r"p=inf over no values .* shape \(0,\)"),
        (lambda: gn.ones(2, 0).norm(-1, dim=1), "p=-1.0 over no values"),
        (lambda: gn.ones(2, 3, 4).norm("nuc"), r"matrix norm: x of shape \(2, 3, 4\)"),
        (lambda: gn.ones(2, 3, 4).norm("nuc", dim=(0, 1, 2)), "two dims of the matrices"),
    ],
)
def test_norm_refusals_name_p(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_norm_of_empty_with_p_at_least_0():
    assert gn.ones(0).norm(3).item() == 0.0 and gn.ones(0).norm(0).item() == 0.0
    assert gn.ones(2, 0).norm(0.5, dim=1).tolist() == [0.0, 0.0]
