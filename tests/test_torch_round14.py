"""PyTorch's calls that glassnet lacked or took otherwise: ``gradcheck(fn, (a, w))`` (the
inputs as one tuple, also ``glassnet.autograd.gradcheck``), ``isnan``/``isinf``/``isfinite``,
``any``/``all``, ``prod``, ``logsumexp``, ``type_as`` and ``expand_as``."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet import GradcheckError
from glassnet.tensor import Tensor

R = np.random.default_rng(14)


# ------------------------------------------------------------------ gradcheck's inputs
def test_gradcheck_takes_pytorchs_tuple_of_inputs_and_checks_each():
    """gradcheck(f, (a,)) stacked the tuple into one (1, 3, 4) input: f's softmax over dim 0
    had one value, every gradient was 0 and it passed having compared nothing; (a, w) and
    (a, c) were errors."""
    a = gn.randn(3, 4, dtype=gn.float64, requires_grad=True)
    w = gn.randn(4, 2, dtype=gn.float64, requires_grad=True)
    report = gn.gradcheck(lambda x: x.softmax(dim=0).pow(2).sum(), (a,))
    assert report.ok and [r["shape"] for r in report.rows] == [(3, 4)]
    assert report.rows[0]["analytic"] != 0.0  # (it compared real gradients)
    report = gn.gradcheck(lambda x, v: (x @ v).tanh().sum(), (a, w))
    assert report.ok and [r["shape"] for r in report.rows] == [(3, 4), (4, 2)]
    report = gn.gradcheck(lambda x, y: (x * y).sum(), [a, 2 * a.data])  # a list, an array
    assert report.ok and [r["shape"] for r in report.rows] == [(3, 4), (3, 4)]
    for i, row in enumerate(report.rows):  # d/dx = y = 2a, d/dy = x = a, at the worst entry
        want = (2.0 if i == 0 else 1.0) * float(a.data[row["at"]])
        assert row["numeric"] == pytest.approx(want, abs=1e-6)


def test_gradcheck_of_a_tuple_still_finds_a_wrong_gradient():
    def wrong(x: Tensor, v: Tensor) -> Tensor:  # v's gradient off by one
        out = (x * v).sum()
        return Tensor.from_op(out.data, "wrong", (x, v), lambda g: (g * v.data, g * x.data + 1))

    x, v = R.standard_normal(3), R.standard_normal(3)
    with pytest.raises(GradcheckError, match="NO"):
        gn.gradcheck(wrong, (x, v))
    report = gn.gradcheck(wrong, (x, v), raise_exception=False)
    assert [r["ok"] for r in report.rows] == [True, False]
    assert not report  # (a report was always true: assert gradcheck(...) passed a failure)


def test_gradcheck_keeps_its_own_forms():
    report = gn.gradcheck(lambda a: (a**3).sum(), [[1.0, 2.0], [0.5, -1.0]])
    assert report.rows[0]["shape"] == (2, 2)  # (a list of lists of numbers: one input)
    assert gn.gradcheck(lambda a: (a * a).sum(), (1.0, 2.0, 3.0)).rows[0]["shape"] == (3,)
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    assert gn.gradcheck(lambda t: (t * t).sum(), x).rows[0]["shape"] == (2,)
    assert gn.gradcheck(lambda a, b: a * b, Tensor([1.0, 2.0]), 3.0)
    with pytest.raises(ValueError, match=r"input 0 must be numbers.*gradcheck\(fn, \(x, w\)\)"):
        gn.gradcheck(lambda a: a.sum(), ["a"])


def test_gradcheck_is_offered_as_autograd_gradcheck():
    from glassnet.autograd import gradcheck

    assert gn.autograd.gradcheck is gradcheck is gn.gradcheck.gradcheck
    a = gn.randn(3, 4, dtype=gn.float64, requires_grad=True)
    w = gn.randn(4, 2, dtype=gn.float64, requires_grad=True)
    assert gn.autograd.gradcheck(lambda x, v: (x @ v).tanh().sum(), (a, w))


# ------------------------------------------------------------------ value tests
def test_isnan_isinf_isfinite_give_bool_arrays_without_grad():
    x = gn.tensor([[1.0, np.nan], [np.inf, -np.inf]], requires_grad=True)
    np.testing.assert_array_equal(x.isnan(), [[False, True], [False, False]])
    np.testing.assert_array_equal(gn.isinf(x), [[False, False], [True, True]])
    np.testing.assert_array_equal(gn.isfinite(x), [[True, False], [False, False]])
    for mask in (x.isnan(), gn.isnan(x), x.isfinite(), x.isinf()):
        assert isinstance(mask, gn.habits.Array) and mask.dtype == bool
        assert not isinstance(mask, Tensor)
    loss = x[0].sum()  # (1 + NaN)
    assert bool(gn.isnan(loss)) and gn.isnan(loss).item() is True
    assert not gn.isnan(gn.tensor(1.0)).item()


def test_any_and_all_over_dims():
    x = gn.tensor([[0.0, 2.0, 0.0], [0.0, 0.0, 0.0]])
    assert x.any().item() is True and x.all().item() is False
    np.testing.assert_array_equal(x.any(1), [True, False])
    np.testing.assert_array_equal(x.all(dim=0), [False, False, False])
    assert x.any(dim=1, keepdim=True).shape == (2, 1)
    np.testing.assert_array_equal(gn.any(x, 0), [False, True, False])
    assert gn.all(gn.tensor([1.0, np.nan])).item() is True  # (NaN is nonzero, as PyTorch's)
    assert (x > 1).any() and x.isnan().any().item() is False
    with pytest.raises(TypeError, match="dim must be an int"):
        x.any(dim=1.5)


# ------------------------------------------------------------------ prod
@pytest.mark.parametrize(
    "values",
    [
        R.uniform(0.5, 2.0, (3, 4)),
        np.array([[1.0, 0.0, 3.0, 2.0], [2.0, 0.0, 0.0, 5.0], [0.5, 1.5, -2.0, 4.0]]),
    ],
)
def test_prod_is_differentiable_zeros_included(values: np.ndarray):
    for fn in (
        lambda t: t.prod(),
        lambda t: t.prod(1),
        lambda t: t.prod(0, keepdim=True),
        lambda t: t.prod(dim=-1),
        lambda t: gn.prod(t, 1),
    ):
        assert gn.gradcheck(fn, values)


def test_prod_values_and_gradient_at_zeros():
    x = gn.tensor([[1.0, 0.0, 3.0], [2.0, 0.0, 0.0]], dtype=gn.float64, requires_grad=True)
    out = x.prod(1)
    np.testing.assert_array_equal(out.data, [0.0, 0.0])
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, [[0.0, 3.0, 0.0], [0.0, 0.0, 0.0]])  # as PyTorch's
    assert x.prod().item() == 0.0 and gn.tensor([2.0, 3.0, 4.0]).prod().item() == 24.0
    assert gn.tensor(5.0).prod(0).item() == 5.0
    with pytest.raises(IndexError, match="dim must be in"):
        x.prod(2)
    with pytest.raises(TypeError, match="one int"):
        x.prod((0, 1))


# ------------------------------------------------------------------ logsumexp
def test_logsumexp_is_stable_and_differentiable():
    x = gn.tensor([[1e4, 1e4, 0.0], [-1e4, 2.0, 3.0]], dtype=gn.float64, requires_grad=True)
    out = x.logsumexp(1)
    np.testing.assert_allclose(out.data, [1e4 + np.log(2.0), np.logaddexp(2.0, 3.0)])
    out.sum().backward()
    assert np.all(np.isfinite(x.grad))
    np.testing.assert_allclose(x.grad[0], [0.5, 0.5, 0.0])
    for fn in (
        lambda t: t.logsumexp(1),
        lambda t: t.logsumexp(0, keepdim=True),
        lambda t: t.logsumexp((0, 1)),
        lambda t: gn.logsumexp(t, -1),
    ):
        assert gn.gradcheck(fn, R.standard_normal((3, 4)))
    assert gn.gradcheck(lambda t: t.logsumexp(1), R.standard_normal((2, 3)) + 1e4)
    y = gn.tensor(np.arange(6.0).reshape(2, 3))
    np.testing.assert_allclose(gn.logsumexp(y, 0).data, np.logaddexp(y.data[0], y.data[1]), 1e-6)
    assert y.logsumexp(1, keepdim=True).shape == (2, 1) and y.logsumexp((0, 1)).shape == ()


def test_logsumexp_edges_and_its_dim():
    assert gn.tensor([-np.inf, -np.inf]).logsumexp(0).item() == -np.inf
    assert gn.tensor([np.inf, 1.0]).logsumexp(0).item() == np.inf
    with pytest.raises(TypeError, match="missing its dim"):
        gn.tensor([1.0, 2.0]).logsumexp()


# ------------------------------------------------------------------ type_as, expand_as
def test_type_as_and_expand_as():
    x = gn.tensor([1.0, 2.0], requires_grad=True)
    y = gn.ones(2, dtype=gn.float64)
    z = x.type_as(y)
    assert z.dtype == np.float64 and z.requires_grad
    (z * z).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])
    assert x.type_as(x) is x
    with pytest.raises(TypeError, match="other must be a Tensor.*int64"):
        x.type_as(np.array([1, 2]))
    col = gn.tensor([[1.0], [2.0]], requires_grad=True)
    big = col.expand_as(gn.zeros(2, 3))
    assert big.shape == (2, 3)
    big.sum().backward()
    np.testing.assert_array_equal(col.grad, [[3.0], [3.0]])
    assert col.expand_as(np.zeros((4, 2, 3))).shape == (4, 2, 3)
    with pytest.raises(TypeError, match="expand_as"):
        col.expand_as(3)


def test_numpys_reductions_of_a_tensor_still_work():
    """np.prod(x), np.any(x) and np.all(x) call the method of that name with NumPy's axis=,
    keepdims= and out=None: the new methods take them (np.sum(x) gives a Tensor too)."""
    x = gn.tensor([[1.0, 2.0], [3.0, 0.0]])
    assert np.prod(x).item() == 0.0 and isinstance(np.prod(x), Tensor)
    np.testing.assert_array_equal(np.prod(x, axis=1).data, [2.0, 0.0])
    assert np.prod(x, axis=0, keepdims=True).shape == (1, 2)
    assert bool(np.any(x)) and not bool(np.all(x))
    np.testing.assert_array_equal(np.all(x, axis=1), [True, False])
    assert np.any(x, axis=0, keepdims=True).shape == (1, 2)
    with pytest.raises(TypeError, match="not both"):
        x.any(1, axis=0)
