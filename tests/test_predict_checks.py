"""Module.predict checks its output as fit checks X (never a silent NaN or inf), and a model
without parameters checks X too; the squared losses' gradient is finite wherever the true one
is, as the graph of Tensor ops gives it; glassnet.explain, .gradcheck and .summary are
modules that are also their function."""

from __future__ import annotations

import importlib
import inspect

import numpy as np
import pytest

import glassnet as gn
from glassnet import functional as F
from glassnet import nn

LD = np.longdouble


# ------------------------------------------------------------ predict's output
def _big_net(dtype) -> nn.MLP:
    net = nn.MLP([3, 4, 1], rng=0, dtype=dtype)
    for p in net.parameters():
        p.data *= 1e6
    return net


def test_an_output_that_overflows_is_an_error_naming_x_and_the_fix_without_a_warning():
    """A float32 network on features of 1e30: NumPy's "overflow in matmul" and a silent inf
    were what predict gave; the error names the rows, X's and the weights' magnitude, and
    the fixes. (The suite turns any warning into an error.)"""
    net = _big_net(np.float32)
    X = np.full((5, 3), 1e30, np.float32)
    X[0] = 1.0
    net.train()
    with pytest.raises(ValueError) as info:
        net.predict(X)
    msg = str(info.value)
    assert msg.startswith("MLP.predict: the output holds NaN or inf in 4 of 5 rows (the first: ")
    assert "row 1): the network's arithmetic overflows float32" in msg
    assert "X's largest magnitude is 1e+30, its weights' 1.4" in msg
    assert "StandardScaler" in msg and "use a float64 model (model.double())" in msg
    assert all(m.training for m in net.modules())  # the mode comes back after the error
    out = net.double().predict(X)  # the fix it names
    assert out.dtype == np.float64 and np.isfinite(out).all()
    with pytest.raises(ValueError, match=r"overflows float64 \(X's largest magnitude is 1e\+300"):
        net.predict(np.full((2, 3), 1e300))  # (float64 already: no float64 advice)
    with pytest.raises(ValueError, match=r"as for training\)\.$"):
        net.predict(np.full((2, 3), 1e300))


def test_weights_that_hold_nan_are_named_as_a_diverged_model():
    net = nn.MLP([3, 4, 1], rng=0)
    net.layers[2].b.data[0] = np.inf
    with pytest.raises(ValueError, match=r"weights hold NaN or inf \(layers\.2\.b; has training"):
        net.predict(np.ones((2, 3), np.float32))


def test_a_finite_output_is_returned_as_before():
    net = nn.MLP([3, 8, 2], output_activation="softmax", rng=0)
    X = np.random.default_rng(0).normal(size=(16, 3)).astype(np.float32)
    with gn.no_grad():
        want = net.eval()(X).data
    np.testing.assert_array_equal(net.predict(X), want)
    assert net.predict(np.zeros((0, 3), np.float32)).shape == (0, 2)  # empty: nothing to check


class Exp(nn.Module):
    """A model a user wrote whose last layer is exp."""

    def __init__(self) -> None:
        self.lin = nn.Linear(1, 1, rng=0)

    def forward(self, x):
        return self.lin(x).exp()


def test_an_exp_output_beyond_the_dtype_is_an_error_and_the_unchecked_call_is_documented():
    """e^z for z = 1000 is no number float64 holds: predict says so instead of returning inf.
    A model whose output is meant to hold inf is called directly, as predict's docstring
    says."""
    model = Exp().double()
    model.lin.W.data[...] = 1.0
    model.lin.b.data[...] = 0.0
    assert model.predict(np.array([[2.0]]))[0, 0] == pytest.approx(np.exp(2.0))
    with pytest.raises(ValueError, match="1 of 2 rows .*overflows float64"):
        model.predict(np.array([[2.0], [1000.0]]))
    assert "``model.eval()(X)`` under :func:`glassnet.no_grad`" in inspect.getdoc(nn.Module.predict)
    with gn.no_grad(), np.errstate(over="ignore"):
        assert np.isinf(model.eval()(np.array([[1000.0]])).data).all()


# ---------------------------------------------- a model without parameters
class Square(nn.Module):
    def forward(self, x):
        return x * x


def test_a_model_without_parameters_checks_x():
    """nn.Sequential(nn.ReLU()) passed NaN, text and 1e39 (inf in float32) through."""
    relu = nn.Sequential(nn.ReLU())
    with pytest.raises(ValueError, match=r"Sequential.predict: X contains NaN or inf"):
        relu.predict(np.array([[np.nan, 1.0]]))
    with pytest.raises(ValueError, match="X must be numeric. It holds text"):
        relu.predict([["a", "b"]])
    with pytest.raises(ValueError, match="holds 1e\\+39 at index \\(0, 0\\), beyond the range of"):
        relu.predict([[1e39]])  # a list: the default dtype, float32, as Tensor(X) takes it
    with pytest.raises(ValueError, match="contains NaN or inf"):
        relu.predict(gn.Tensor(np.array([np.inf])))


def test_a_model_without_parameters_computes_in_xs_float_dtype_or_the_default():
    relu = nn.Sequential(nn.ReLU())
    out = relu.predict(np.array([[1e39, -2.0]]))  # a float64 array stays float64
    assert out.dtype == np.float64 and out.tolist() == [[1e39, 0.0]]
    assert relu.predict(np.array([[3.0]], np.float32)).dtype == np.float32
    assert relu.predict(np.array([[3.0]], np.float16)).dtype == np.float32  # (as Tensor)
    assert relu.predict([[1, -1]]).dtype == gn.get_default_dtype()  # numbers: the default
    with pytest.raises(ValueError, match=r"overflows float32 .*, or pass X as float64\.$"):
        nn.Sequential(nn.ReLU(), Square()).predict(np.array([[1e20]], np.float32))


# ------------------------------------------------- the squared losses' gradient
def _grads(loss, x, y, reduction="mean", g=None, weight=None):
    """dL/dx of the fused kernel's graph function (F.mse) and of the graph of Tensor ops."""
    out = []
    for fused in (True, False):
        t = gn.Tensor(x, requires_grad=True)
        with np.errstate(over="ignore", invalid="ignore"):  # (the loss overflows: it warns)
            if fused:
                L = loss(t, y, reduction=reduction, sample_weight=weight)
            else:
                per = (t - gn.Tensor(y)) ** 2 * (0.5 if loss is F.half_mse else 1.0)
                per = per if weight is None else per * weight[:, None]
                L = per if reduction == "none" else getattr(per, reduction)()
        L.backward(np.ones_like(L.data) if g is None else g)
        out.append(t.grad)
    return out


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("loss", [F.mse, F.half_mse])
def test_mse_gradient_is_finite_where_the_true_gradient_is(loss, dtype):
    """|y_hat - y| > 1.7e38 in float32 (9e307 in float64): the fused kernel's 2 (y_hat - y)
    overflowed before the mean's 1/N scaled it; the graph of Tensor ops scales first. Now
    both give 2 d / N, and the kernel also where d itself overflows (from the halves)."""
    top = np.finfo(dtype).max
    c = 0.5 if loss is F.half_mse else 1.0
    x = np.array([[top], [0.6 * top], [0.9 * top], [1.0], [-2.5], [0.0], [3.0], [7.0]], dtype)
    y = np.array([[0.0], [0.0], [-0.9 * top], [0.5], [0.0], [0.25], [1.0], [2.0]], dtype)
    kernel, graph = _grads(loss, x, y)
    d = x.astype(LD) - y.astype(LD)
    want = (2 * c * d / len(x)).astype(dtype)
    assert np.isfinite(want).all()
    np.testing.assert_array_equal(kernel, want)
    ok = np.isfinite(graph)  # the graph: where its d did not overflow, the same numbers
    assert ok.sum() == len(x) - 1
    np.testing.assert_array_equal(kernel[ok], graph[ok])
    with np.errstate(over="ignore"):  # the sum's gradient 2 top is beyond the dtype: inf
        assert np.isinf(_grads(loss, x, y, "sum")[0][:3]).all() == (c == 1.0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_mse_gradient_with_reduction_none_and_weights_at_extremes(dtype):
    top = np.finfo(dtype).max
    x = np.array([[0.9 * top], [1.0], [-3.0]], dtype)
    y = np.array([[0.0], [0.0], [0.0]], dtype)
    g = np.full((3, 1), 0.125, dtype)  # a reduction of the user's: d g finite, 2 d not
    kernel, graph = _grads(F.mse, x, y, "none", g)
    want = (2 * (x.astype(LD) - y.astype(LD)) * LD(0.125)).astype(dtype)
    np.testing.assert_array_equal(kernel, want)
    np.testing.assert_array_equal(graph, want)
    with np.errstate(over="ignore"):
        assert np.isinf(_grads(F.mse, x, y, "none")[0][0, 0])  # g = 1: 1.8 top, beyond
    w = np.array([0.25, 2.0, 1.0], dtype)
    kernel, graph = _grads(F.mse, x, y, "mean", weight=w)
    np.testing.assert_array_equal(kernel, graph)
    assert np.isfinite(kernel).all()


def test_the_far_route_computes_the_other_entries_bit_for_bit():
    """Where the loss overflows on one entry, every other entry's gradient is the number the
    usual route gives it (the halves and 4c, in place of d and 2c, are exact)."""
    rng = np.random.default_rng(3)
    for dtype in (np.float32, np.float64):
        x = rng.normal(size=(64, 2)).astype(dtype)
        y = rng.normal(size=(64, 2)).astype(dtype)
        w = rng.uniform(0.1, 2.0, 64).astype(dtype)
        for name, loss in (("mse", F.mse), ("half_mse", F.half_mse)):
            for reduction, weight in (("mean", None), ("sum", w), ("mean", w)):
                far = x.copy()
                far[0, 0] = np.finfo(dtype).max
                usual = _grads(loss, x, y, reduction, weight=weight)[0]
                with np.errstate(over="ignore"):
                    got = _grads(loss, far, y, reduction, weight=weight)[0]
                np.testing.assert_array_equal(got.ravel()[1:], usual.ravel()[1:], err_msg=name)


def test_mse_loss_module_gives_one_gradient_whether_or_not_the_target_needs_one():
    """nn.MSELoss takes the fused kernel for a fixed target, Tensor ops for one that
    requires grad: at 0.6 of float32's largest number both now give 1.2 top / N."""
    x = np.array([[0.6 * np.finfo(np.float32).max], [1.0]], np.float32)
    y = np.zeros((2, 1), np.float32)
    grads = []
    for needs in (False, True):
        t = gn.Tensor(x, requires_grad=True)
        target = gn.Tensor(y, requires_grad=needs)
        with np.errstate(over="ignore"):
            nn.MSELoss()(t, target).backward()
        grads.append(t.grad)
    np.testing.assert_array_equal(grads[0], grads[1])
    assert np.isfinite(grads[0]).all()


# ------------------------------------------------------ modules and functions
@pytest.mark.parametrize(
    ("name", "other"),
    [("explain", "Explanation"), ("gradcheck", "GradcheckReport"), ("summary", "ModelSummary")],
)
def test_the_submodule_import_gives_the_module_which_calls_as_the_function(name, other):
    """`import glassnet.explain as ex` bound the function (glassnet's __init__ imported it
    under the submodule's name): ex.Explanation was an AttributeError of a function."""
    module = importlib.import_module(f"glassnet.{name}")
    bound = getattr(gn, name)
    assert bound is module and isinstance(bound, type(np))  # the module itself
    assert hasattr(bound, other) and callable(bound)
    function = getattr(module, name)
    assert inspect.isfunction(function)
    assert inspect.signature(bound) == inspect.signature(function)
    namespace: dict = {}
    exec(f"import glassnet.{name} as m\nfrom glassnet import {name} as f", namespace)
    assert namespace["m"] is module and namespace["f"] is module


def test_the_documented_calls_work_as_before():
    net = nn.MLP([2, 2, 1], activation="sigmoid", rng=0)
    e = gn.explain(net, [1.0, 0.0], 1.0)
    assert type(e).__name__ == "Explanation"
    assert str(e) == str(gn.explain.explain(net, [1.0, 0.0], 1.0))
    assert str(gn.summary(net)) == str(gn.summary.summary(net))
    x = gn.Tensor(np.array([1.0, 2.0]), requires_grad=True)
    assert gn.gradcheck(lambda t: (t * t).sum(), [x]).ok
    with pytest.raises(TypeError):  # a wrong call is the function's own error
        gn.explain()
