"""Bad arguments of the core's public functions: a clear error, not an internal one."""

from __future__ import annotations

import re

import numpy as np
import pytest

import glassnet.functional as F
from glassnet import Tensor, nn, optim
from glassnet._validation import ParameterError


@pytest.mark.parametrize("W", [np.float64(-1.0), np.ones(3), np.ones((3, 2, 1))])
def test_linear_refuses_weights_that_are_not_a_matrix(W):
    """A 0-d W raised IndexError from inside the shape check; a 1-D W of shape (inputs,) ran
    forward and failed in backward."""
    with pytest.raises(ValueError, match=r"W must be 2-D, of shape \(inputs, neurons\)"):
        F.linear(np.ones((4, 3)), W)


@pytest.mark.parametrize(
    "params, got",
    [("abc", "Got 'abc' (str)"), ([1, 2], "Got an item 1 (int)"), ([None], "Got an item None")],
)
@pytest.mark.parametrize("cls", [optim.SGD, optim.Adam, optim.RMSprop])
def test_an_optimizer_refuses_params_that_are_no_parameters(cls, params, got):
    """SGD('abc') raised AttributeError: 'str' object has no attribute 'grad'."""
    pattern = f"'params' argument of {cls.__name__}.*{re.escape(got)}"
    with pytest.raises(ParameterError, match=pattern):
        cls(params, lr=0.1)


def test_an_optimizer_still_takes_parameters_and_groups():
    model = nn.MLP([3, 4, 1], rng=0)
    assert len(optim.SGD(model.parameters(), lr=0.1).params) == 4
    groups = [{"params": model.layers[0].parameters()}, {"params": model.layers[-1].parameters()}]
    assert len(optim.Adam(groups, lr=0.1).param_groups) == 2
    assert len(optim.SGD(iter(model.parameters()), lr=0.1).params) == 4  # (a generator)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_bce_with_logits_at_infinite_logits_is_the_limit_not_nan(dtype):
    """max(z, 0) - z y at z = -inf, y = 0 was 0 (-inf) = NaN, and at z = +inf, y = 1 inf - inf
    (PyTorch gives NaN too), with NumPy's invalid-value warnings: the loss is 0 where the
    target agrees with the infinite logit, inf where it does not; the gradient σ(z) − y."""
    import warnings

    z = np.array([-np.inf, np.inf, np.inf, -np.inf, np.inf, 0.0], dtype)
    y = np.array([0.0, 1.0, 0.0, 1.0, 0.5, 1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        per = F.binary_cross_entropy_with_logits(z, y, reduction="none").data
        x = Tensor(z[[0, 1, 5]], requires_grad=True)
        loss = F.binary_cross_entropy_with_logits(x, y[[0, 1, 5]])
        loss.backward()
    assert per.dtype == dtype
    np.testing.assert_array_equal(per[:5], [0.0, 0.0, np.inf, np.inf, np.inf])
    assert per[5] == pytest.approx(np.log(2.0))
    assert loss.item() == pytest.approx(np.log(2.0) / 3)
    np.testing.assert_allclose(x.grad, [0.0, 0.0, -0.5 / 3])


def test_the_softmax_module_without_dim_on_3_axes_is_refused_as_the_function_is():
    """nn.Softmax() on a (2, 3, 4) input took the last axis, where PyTorch's implicit axis
    there is 0: the same model gave other numbers in silence."""
    from glassnet import tensor

    x = tensor(np.random.default_rng(0).normal(size=(2, 3, 4)))
    with pytest.raises(ValueError, match=r"nn.Softmax\(\)\(x\) without dim.*dim=0 there"):
        nn.Softmax()(x)
    np.testing.assert_allclose(nn.Softmax(dim=1)(x).data.sum(axis=1), 1.0)
    np.testing.assert_allclose(nn.Softmax()(x[0]).data.sum(axis=-1), 1.0)  # (2 axes: the last)


def test_optimizers_take_pytorchs_positional_order_and_defaults():
    """RMSprop(p, 0.01, 0.99, 1e-8, 1e-4) set momentum to 1e-4 in silence (PyTorch's fourth
    setting is weight_decay); SGD(p, 0.1, 0.9, 0, 1e-4) was refused (its fourth was nesterov);
    SGD's default lr was 0.01 where PyTorch's is 1e-3."""
    p = nn.MLP([3, 2], rng=0).parameters()
    r = optim.RMSprop(p, 0.01, 0.9, 1e-7, 1e-4, 0.5, True)
    assert (r.alpha, r.eps, r.weight_decay, r.momentum, r.centered) == (0.9, 1e-7, 1e-4, 0.5, True)
    s = optim.SGD(p, 0.1, 0.9, 0.0, 1e-4, True)
    assert (s.lr, s.momentum, s.dampening, s.weight_decay, s.nesterov) == (
        0.1,
        0.9,
        0.0,
        1e-4,
        True,
    )
    assert optim.SGD(p).lr == 1e-3
    with pytest.raises(TypeError):
        optim.SGD(p, 0.1, 0.9, 0.0, 1e-4, True, "sklearn")  # style: keyword only
    with pytest.raises(TypeError):
        optim.Adam(p, 1e-3, (0.9, 0.999), 1e-8, 0.0, False, "sklearn")
    w = optim.AdamW(p, 1e-3, (0.9, 0.99), 1e-7, 0.05, True)  # (weight_decay was keyword-only)
    assert (w.betas, w.eps, w.weight_decay, w.amsgrad) == ((0.9, 0.99), 1e-7, 0.05, True)
    assert optim.AdamW(p).weight_decay == 1e-2


def test_optimizer_signatures_as_torch():
    torch = pytest.importorskip("torch")
    import inspect

    for name in ("SGD", "Adam", "AdamW", "RMSprop"):
        ours = [
            k
            for k, v in inspect.signature(getattr(optim, name)).parameters.items()
            if v.kind is v.POSITIONAL_OR_KEYWORD
        ]
        theirs = [
            k
            for k, v in inspect.signature(getattr(torch.optim, name)).parameters.items()
            if v.kind is v.POSITIONAL_OR_KEYWORD
        ]
        assert ours == theirs[: len(ours)], name
        defaults = inspect.signature(getattr(torch.optim, name)).parameters
        for k in ours[1:]:
            assert (
                inspect.signature(getattr(optim, name)).parameters[k].default == defaults[k].default
            )


def test_next_of_model_parameters_as_pytorchs_generator():
    """next(model.parameters()) (PyTorch code reads a model's dtype or device so) was a
    TypeError: 'list' object is not an iterator. The list stays a list."""
    model = nn.MLP([3, 4, 2], rng=0)
    assert next(model.parameters()) is model.layers[0].W
    params = model.parameters()
    assert [next(params) for _ in range(4)] == list(params) == model.parameters()
    with pytest.raises(StopIteration):
        next(params)
    assert len(params) == 4 and params[1] is model.layers[0].b
    assert [p.shape for p in params] == [(3, 4), (4,), (4, 2), (2,)]  # (a fresh walk each time)


def test_pytorchs_dtype_names_at_the_top_level():
    """x.type(torch.float), y.to(torch.long): gn.float, gn.long, ... were AttributeErrors."""
    import glassnet as gn

    assert (gn.float, gn.double, gn.long, gn.int) == (np.float32, np.float64, np.int64, np.int32)
    assert gn.tensor([1.0, 2.0]).type(gn.double).dtype == np.float64
    assert gn.tensor([1.0, 2.0], dtype=gn.double).to(gn.float).dtype == np.float32
    assert (gn.tensor([1.0, 3.0]) > 2).to(gn.long).dtype == np.int64
    assert "float" not in gn.__all__  # (a star import leaves Python's float alone)


def test_pytorchs_dtype_names_as_torch():
    torch = pytest.importorskip("torch")
    import glassnet as gn

    for name in ("float", "double", "long", "int", "int64", "int32", "bool"):
        assert np.dtype(getattr(gn, name)).name == str(getattr(torch, name)).removeprefix("torch.")


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_cross_entropy_rows_sum_alike_whatever_rows_are_beside_them(dtype):
    """The softmax's row sums came from a GEMV (G @ 1), whose order depends on the rows beside
    a row and on BLAS's threads: with 40 classes fit_many differed from fit (2.8e-16 in
    float64) and threads=1 from threads=2; a one-row batch summed otherwise than the same row
    in a batch (float32: 1e-4 relative after an epoch of batch_size=1 with momentum)."""
    from glassnet import fit, fit_many

    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((120, 10)), rng.integers(0, 40, 120)

    def nets():
        return [
            nn.MLP([10, 16, 40], activation="tanh", output_activation="softmax", rng=s,
                   dtype=dtype)
            for s in range(3)
        ]  # fmt: skip

    a, b = nets(), nets()
    kw = dict(loss="cross_entropy", lr=0.1, epochs=2, batch_size=7, seed=1)
    fit_many(a, X, y, threads=1, **kw)
    fit_many(b, X, y, threads=2, **kw)
    alone = nets()[0]
    fit(alone, X, y, verbose=0, engine="fused", **kw)
    for m, n in zip(a, b):
        for p, q in zip(m.parameters(), n.parameters()):
            np.testing.assert_array_equal(p.data, q.data)
    for p, q in zip(a[0].parameters(), alone.parameters()):
        np.testing.assert_array_equal(p.data, q.data)
    # a row's probabilities alone and among others
    Z = rng.standard_normal((9, 40)).astype(dtype)
    for i in range(9):
        np.testing.assert_array_equal(
            F.softmax(Z[i : i + 1], axis=1).data, F.softmax(Z, axis=1).data[i : i + 1]
        )
        g_all, g_one = np.empty_like(Z), np.empty_like(Z[i : i + 1])
        F.LOSSES["cross_entropy"].kernel(Z, np.arange(9) % 40, g_all)
        F.LOSSES["cross_entropy"].kernel(Z[i : i + 1], np.array([i % 40]), g_one)
        np.testing.assert_array_equal(g_one, g_all[i : i + 1])


def test_bce_with_logits_and_pos_weight_at_infinite_logits_is_the_limit_not_nan():
    """(1 - y) softplus(z) + w y softplus(-z) at z = -inf, y = 0 was 0 + 0 inf = NaN."""
    import warnings

    z = np.array([[-np.inf, np.inf], [0.0, 1.0], [np.inf, -np.inf]])
    y = np.array([[0.0, 1.0], [1.0, 0.0], [0.0, 0.5]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = nn.BCEWithLogitsLoss(pos_weight=np.array([2.0, 3.0]), reduction="none")
        per = loss(Tensor(z), y).data
    np.testing.assert_array_equal(per[[0, 2]], [[0.0, 0.0], [np.inf, np.inf]])
    np.testing.assert_allclose(per[1], [2 * np.log1p(np.exp(-0.0)), np.log1p(np.exp(1.0))])


def test_an_optimizer_refuses_numpy_arrays_saying_they_hold_no_gradient():
    """A NumPy array has a .data (its buffer): SGD([W, b]) of arrays passed the check and
    raised AttributeError: 'numpy.ndarray' object has no attribute 'grad' from inside."""
    for params in ([np.zeros(3), np.zeros(2)], np.zeros(3)):
        with pytest.raises(ParameterError, match=r"\(ndarray\): a NumPy array holds no gradient"):
            optim.SGD(params, lr=0.1)


def test_adamw_settings_by_name_through_get_optimizer_and_fit():
    """AdamW's constructor written as Adam's with another default hid amsgrad= and style=
    from the signature get_optimizer checks: 'AdamW got unexpected keyword arguments'."""
    import glassnet as gn

    p = nn.MLP([2, 1], rng=0).parameters()
    o = optim.get_optimizer("adamw", p, lr=0.01, amsgrad=True, style="sklearn")
    assert (o.amsgrad, o.style, o.weight_decay) == (True, "sklearn", 1e-2)
    X, y = np.zeros((8, 2)), np.zeros(8)
    gn.fit_many([nn.MLP([2, 1], rng=s) for s in range(2)], X, y, loss="mse", epochs=1,
                optimizer="adamw", amsgrad=True)  # fmt: skip
