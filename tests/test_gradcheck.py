"""Tests for glassnet.gradcheck: it passes correct gradients, catches wrong ones (in any
entry, of any input, for scalar and non-scalar outputs) and reports where."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import glassnet as gn
from glassnet import GradcheckError, GradcheckReport
from glassnet.tensor import Tensor


def square_with_wrong_gradient(x: Tensor, wrong_at: int | None = None, factor: float = 1.0):
    """x^2 whose backward is 2x, except entry ``wrong_at`` which gets 2x * factor + 0.1."""

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        grad = np.array(2 * x.data * g)
        if wrong_at is not None:
            grad.reshape(-1)[wrong_at] = grad.reshape(-1)[wrong_at] * factor + 0.1
        return (grad,)

    return Tensor.from_op(x.data**2, "square", (x,), backward)


def test_correct_gradients_pass_and_report_each_input():
    report = gn.gradcheck(lambda a, b: (a * b).sum(), np.ones((2, 3)), np.arange(3.0))
    assert isinstance(report, GradcheckReport) and report.ok
    assert [r["input"] for r in report.rows] == [0, 1]
    assert [r["shape"] for r in report.rows] == [(2, 3), (3,)]
    assert all(r["ok"] and r["max_abs_err"] < 1e-6 for r in report.rows)


@settings(max_examples=25, deadline=None, database=None)
@given(shape=hnp.array_shapes(min_dims=0, max_dims=3, max_side=3), data=st.data())
def test_a_wrong_entry_is_caught_wherever_it_is(shape: tuple[int, ...], data: Any):
    size = int(np.prod(shape))
    k = data.draw(st.integers(0, size - 1), label="wrong entry")
    x = np.random.default_rng(size).standard_normal(shape)
    gn.gradcheck(square_with_wrong_gradient, x)  # the correct gradient passes
    with pytest.raises(GradcheckError) as info:  # non-scalar output: projected on a random r
        gn.gradcheck(lambda t: square_with_wrong_gradient(t, k), x)
    assert "NO" in str(info.value)
    report = gn.gradcheck(
        lambda t: square_with_wrong_gradient(t, k).sum(), x, raise_exception=False
    )
    assert not report.ok
    row = report.rows[0]
    assert row["at"] == tuple(int(i) for i in np.unravel_index(k, shape))
    assert row["analytic"] == pytest.approx(row["numeric"] + 0.1, abs=1e-6)
    assert row["max_abs_err"] == pytest.approx(0.1, abs=1e-6)


def test_the_failing_input_is_named():
    a, b = np.array([1.0, 2.0]), np.array([0.5, -1.0, 2.0])
    report = gn.gradcheck(
        lambda s, t: s.sum() + square_with_wrong_gradient(t, 2).sum(), a, b, raise_exception=False
    )
    assert [r["ok"] for r in report.rows] == [True, False]
    assert report.rows[1]["at"] == (2,)
    text = str(report)
    assert text.splitlines()[0].split()[:2] == ["input", "shape"]
    assert text.splitlines()[1].rstrip().endswith("yes")
    assert text.splitlines()[2].rstrip().endswith("NO")


def test_relative_errors_scale_with_the_gradient():
    x = np.array([1000.0])
    # a 1e-5 relative error on a gradient of 2000 passes rtol=1e-4 ...
    assert gn.gradcheck(
        lambda t: square_with_wrong_gradient(t, 0, 1 + 1e-5 - 0.1 / 2000).sum(), x, eps=1e-4
    ).ok
    # ... and fails a tighter rtol
    report = gn.gradcheck(
        lambda t: square_with_wrong_gradient(t, 0, 1 + 1e-3).sum(),
        x,
        eps=1e-4,
        raise_exception=False,
    )
    assert not report.ok


def test_inputs_are_not_modified_and_run_in_float64():
    x = np.array([0.5, -1.5], dtype=np.float32)
    before = x.copy()
    seen = []

    def fn(t: Tensor) -> Tensor:
        seen.append(t.dtype)
        return (t * t).sum()

    gn.gradcheck(fn, x)
    np.testing.assert_array_equal(x, before)
    assert set(seen) == {np.dtype(np.float64)} and len(seen) == 1 + 2 * x.size


def test_accepts_tensors_lists_and_scalars():
    assert gn.gradcheck(lambda a, b: a * b, Tensor([1.0, 2.0]), 3.0).ok
    assert gn.gradcheck(lambda a: (a**3).sum(), [[1.0, 2.0], [0.5, -1.0]]).ok


def test_unused_input_has_zero_gradient():
    report = gn.gradcheck(lambda a, b: a.sum(), np.ones(2), np.ones(3))
    assert report.ok and report.rows[1]["max_abs_err"] == 0.0


def test_the_random_projection_is_seeded():
    x = np.array([0.3, -0.7, 1.1])

    def fn(t: Tensor) -> Tensor:
        return square_with_wrong_gradient(t, 1)

    r1 = gn.gradcheck(fn, x, seed=3, raise_exception=False)
    r2 = gn.gradcheck(fn, x, seed=3, raise_exception=False)
    assert r1.rows == r2.rows


def test_fn_must_return_a_float64_tensor():
    with pytest.raises(TypeError, match="must return a Tensor"):
        gn.gradcheck(lambda a: a.data.sum(), np.ones(2))
    with pytest.raises(TypeError, match="float32"):
        gn.gradcheck(lambda a: a.astype(np.float32).sum(), np.ones(2))


def test_a_nan_gradient_fails():
    # NaN compares false with everything: "err > tol" let it pass
    def fn(t: Tensor) -> Tensor:
        return Tensor.from_op(2 * t.data, "twice", (t,), lambda g: (g * np.nan,))

    report = gn.gradcheck(fn, np.ones(3), raise_exception=False)
    assert not report.ok and not report.rows[0]["ok"]
    with pytest.raises(GradcheckError, match="NO"):
        gn.gradcheck(fn, np.ones(3))


@pytest.mark.parametrize(("name", "value"), [("eps", 0.0), ("eps", -1e-6), ("atol", -1.0)])
def test_a_bad_tolerance_or_step_is_named(name: str, value: float):
    with pytest.raises(ValueError, match=f"'{name}' parameter of gradcheck"):
        gn.gradcheck(lambda a: (a * a).sum(), np.ones(2), **{name: value})


def test_a_function_that_cuts_the_graph_fails_with_a_report():
    # fn computes from .data: autodiff sees no path to the input (gradient 0), which is wrong
    def detached(t: Tensor) -> Tensor:
        return Tensor(t.data**2, dtype=np.float64).sum()

    report = gn.gradcheck(detached, np.array([1.0, 2.0]), raise_exception=False)
    assert not report.ok
    assert report.rows[0]["analytic"] == 0.0 and report.rows[0]["numeric"] != 0.0


def test_a_transposed_input_is_stepped_itself():
    """The finite-difference steps of a Fortran-ordered input (a.T) went into a copy made by
    reshape(-1): the numeric gradient was 0, so an op that drops its gradient passed and
    a right one failed."""
    from glassnet.gradcheck import gradcheck

    a = np.arange(1.0, 7.0).reshape(2, 3)
    dropped = lambda x: (x.detach() * x.detach()).sum() + 0 * x.sum()  # noqa: E731
    assert not gradcheck(dropped, a.T, raise_exception=False).ok
    assert gradcheck(lambda x, y: x @ y, a, a.T).ok
    assert gradcheck(lambda x: (x * x).sum(), np.asfortranarray(a)).ok
