"""Numerics mended again in round 18: writes beyond a tensor's float range (refused without
slowing the writes that fit), leaky ReLU's kernels at every slope, lerp's refusal, and the
normalisation gradchecks at extreme scales."""

import decimal

import numpy as np
import pytest

import glassnet as gn
from glassnet._validation import check_fits


def _f32(n=3):
    return gn.tensor(np.zeros(n, np.float32))


@pytest.mark.parametrize(
    ("write", "shown"),
    [
        (lambda x: x.fill_(10**400), "is 1.000e+400"),
        (lambda x: x.fill_(-(10**400)), "is -1.000e+400"),
        (lambda x: x.copy_(np.array([1.0, 1e300, 2.0], dtype=object)), "holds 1e+300 at"),
        (lambda x: x.copy_(np.array([1, 2, 10**400], dtype=object)), "holds 1.000e+400 at"),
        (lambda x: x.fill_(decimal.Decimal("1e300")), "is Decimal('1E+300')"),
        (lambda x: x.copy_([decimal.Decimal("2"), 1.0, decimal.Decimal("-1e39")]), "holds Dec"),
        (lambda x: x.__setitem__(0, 10**39), "is 1.000e+39"),
    ],
)
def test_a_write_beyond_float32_is_refused_with_the_message(write, shown):
    x = _f32()
    with pytest.raises(ValueError, match="beyond the range of float32") as e:
        write(x)
    assert shown in str(e.value) and "x.double()" in str(e.value)
    np.testing.assert_array_equal(x.data, 0.0)  # nothing written


def test_a_float64_tensor_refuses_values_beyond_float64_without_advising_float64():
    x = gn.tensor(np.zeros(2))
    with pytest.raises(ValueError, match=r"is 1\.000e\+400, beyond the range of float64") as e:
        x.fill_(10**400)
    assert "x.double()" not in str(e.value)
    with pytest.raises(ValueError, match=r"holds Decimal\('1E\+400'\) at index \(1,\)"):
        x.copy_(np.array([decimal.Decimal(1), decimal.Decimal("1e400")], dtype=object))
    np.testing.assert_array_equal(x.data, 0.0)


@pytest.mark.parametrize(
    "value",
    [
        np.array([3.4028235e38, -3.4028235e38, 1.0]),  # float32's largest, as float64
        np.array([3e38] * 50 + [np.nan, np.inf, -np.inf]),  # a sum of squares beyond float32's
        np.array([-np.inf, 1.0, 2.0]),
        [decimal.Decimal("1.5"), decimal.Decimal("-Infinity"), 3],
        np.array([2**63 - 1, -(2**63), 5], np.int64),
        np.array([2**64 - 1, 0, 1], np.uint64),
    ],
)
def test_values_that_fit_are_written_as_before(value):
    n = len(value)
    x = _f32(n)
    x.copy_(value)
    want = np.asarray(np.asarray(value, dtype=np.float64), np.float32)
    np.testing.assert_array_equal(x.data, want)
    y = _f32(n)
    y[:] = value
    np.testing.assert_array_equal(y.data, want)


@pytest.mark.parametrize(
    "value", [3.4028235e38, -3.4028235e38, float("inf"), float("-inf"), float("nan"), 10**38, True]
)
def test_numbers_that_fit_are_written(value):
    x = _f32()
    x.fill_(value)
    x[1] = value
    np.testing.assert_array_equal(x.data, np.float32(value))


def test_the_refusal_of_numbers_follows_numpys_rounding():
    check_fits(3.4028235677973362e38, np.float32, "x", "y")  # rounds to float32's largest
    with pytest.raises(ValueError, match="would be stored as inf"):
        check_fits(3.4028235677973366e38, np.float32, "x", "y")  # halfway: rounds to inf
    check_fits(65519.0, np.float16, "x", "y")
    with pytest.raises(ValueError, match=r"beyond the range of float16"):
        check_fits(np.array([0.0, 65520.0]), np.float16, "x", "y")
    check_fits(np.array([1e300]), np.longdouble, "x", "y")
    check_fits(np.array([1e300]), np.int32, "x", "y")  # (not a float dtype: NumPy's write)


ZS = [0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 1e-45, -1e-45, 3e38, -3e38]


def _same(a, b):
    """Equal bit for bit as PyTorch's results: NaN where NaN, the zeros' signs too."""
    return np.all((np.isnan(a) & np.isnan(b)) | ((a == b) & (np.signbit(a) == np.signbit(b))))


@pytest.mark.parametrize("slope", [1.0, 0.0, -0.0, 0.01, 0.2, -0.5, -2.0, 1.5, 1e30, -1e30])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("op", ["nn.functional", "functional"])
def test_leaky_relu_is_pytorchs_formula_at_every_slope_for_zeros_infs_and_nan(slope, dtype, op):
    """PyTorch's leaky_relu: z if z > 0 else z * slope; its gradient: g if z > 0 else
    g * slope (at slope 0 and z = inf: inf and 1, where max(inf, 0 inf) gave NaN and 0)."""
    z = np.array(ZS, dtype)
    g = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 1.0, -3.0, 1.0, 1.0], dtype)
    x = gn.tensor(z, requires_grad=True)
    with np.errstate(all="ignore"):
        y = (
            gn.nn.functional.leaky_relu(x, negative_slope=slope)
            if op == "nn.functional"
            else gn.functional.leaky_relu(x, slope)
        )
        y.backward(gn.tensor(g))
        want = np.where(z > 0, z, z * dtype(slope))
        want_grad = np.where(z > 0, g, g * dtype(slope))
    assert y.dtype == dtype and x.grad.dtype == dtype
    assert _same(y.data, want), (y.data, want)
    assert _same(x.grad, want_grad), (x.grad, want_grad)


def test_leaky_relu_at_slope_0_keeps_inf():
    x = gn.tensor(np.array([np.inf, -1.0, 2.0]), requires_grad=True)
    y = gn.nn.functional.leaky_relu(x, negative_slope=0.0)
    y.sum().backward()
    np.testing.assert_array_equal(y.data, [np.inf, -0.0, 2.0])
    np.testing.assert_array_equal(x.grad, [1.0, 0.0, 1.0])


def test_lerps_refusal_of_a_float32_end_for_a_float64_x_says_nothing_would_turn():
    x = gn.tensor(np.array([1.0, 2.0]))
    with pytest.raises(TypeError, match=r"^x\.lerp\(end, weight\): end is float32 but x is") as e:
        x.lerp(np.zeros(2, np.float32), 0.5)
    assert "would turn" not in str(e.value) and "np.asarray(end, np.float64)" in str(e.value)
    with pytest.raises(TypeError, match="where glassnet's result would turn float64"):
        gn.tensor(np.zeros(2, np.float32)).lerp(np.zeros(2), 0.5)


def test_lerp_in_place_refusal_is_named_lerp_():
    x = gn.tensor(np.zeros(2, np.float32))
    with pytest.raises(TypeError, match=r"^x\.lerp_\(end, weight\): end is float64") as e:
        x.lerp_(np.ones(2), 0.5)
    assert "would turn" not in str(e.value) and "or x to" not in str(e.value)
    with pytest.raises(TypeError, match=r"^x\.lerp_\(end, weight\): weight must be a number"):
        x.lerp_(np.ones(2, np.float32), "0.5")
    np.testing.assert_array_equal(x.lerp_(np.ones(2, np.float32), 0.25).data, [0.25, 0.25])


def test_batchnorm1d_float32_refusal_says_what_to_do_and_changes_nothing():
    x = np.array([[2e19, 1.0], [-2e19, 2.0], [1e19, 3.0]], np.float32)
    bn = gn.nn.BatchNorm1d(2)
    with pytest.raises(ValueError, match=r"variance of feature 0 is 4\.333e\+38") as e:
        bn(gn.tensor(x))
    said = str(e.value)
    assert "beyond about +-1.8e+19" in said and "StandardScaler" in said
    assert "model.double()" in said and "BatchNorm1d(2, track_running_stats=False)" in said
    np.testing.assert_array_equal(bn.running_mean, [0.0, 0.0])
    np.testing.assert_array_equal(bn.running_var, [1.0, 1.0])
    assert int(bn.num_batches_tracked) == 0
    # eval mode, on the running statistics, takes such inputs: (x - 0) / sqrt(1 + eps)
    bn.eval()
    np.testing.assert_array_equal(bn(gn.tensor(x)).data, x / np.sqrt(np.float32(1 + 1e-5)))
    # without running statistics the batch's own normalise it in training as in eval
    free = gn.nn.BatchNorm1d(2, affine=False, track_running_stats=False)
    x64 = x.astype(np.float64)
    want = (x64 - x64.mean(0)) / np.sqrt(x64.var(0) + 1e-5)
    np.testing.assert_allclose(free(gn.tensor(x)).data, want, rtol=2e-6)
    np.testing.assert_allclose(free.eval()(gn.tensor(x)).data, want, rtol=2e-6)
    # float64 takes them, and its running_var holds the variance
    bn64 = gn.nn.BatchNorm1d(2, dtype=np.float64, momentum=None)
    bn64(gn.tensor(x64))
    np.testing.assert_allclose(bn64.running_var, x64.var(0, ddof=1), rtol=1e-12)


def test_a_decimal_checked_leaves_the_callers_decimal_context_alone():
    """check_fits compares a Decimal beyond float64's range with a float: in a context of
    its own, so the caller's decimal context gets no FloatOperation flag (it did, and a
    later localcontext() copied the flag into another test's context)."""
    x = gn.zeros(2)
    with decimal.localcontext() as ctx:
        ctx.clear_flags()
        with pytest.raises(ValueError):
            x.fill_(decimal.Decimal("1e400"))
        x.fill_(decimal.Decimal("-Infinity"))
        assert not any(ctx.flags.values())
