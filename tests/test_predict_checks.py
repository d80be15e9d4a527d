"""Module.predict checks its output as fit checks X (never a silent NaN or inf), and a model
without parameters checks X too."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn


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
