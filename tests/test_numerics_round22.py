"""Round 22 numerics audit: losses' dtype promotion and checks, pow's gradients, gn.max."""

import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet.micrograd import Value

F = gn.functional


def f32(v, grad=False):
    return gn.tensor(v, dtype=gn.float32, requires_grad=grad)


def f64(v, grad=False):
    return gn.tensor(v, dtype=gn.float64, requires_grad=grad)


# 1. the wider wins: a float64 target promotes a float32 prediction, as PyTorch's losses
@pytest.mark.parametrize(
    "loss",
    [
        gn.nn.MSELoss(),
        gn.nn.L1Loss(),
        gn.nn.HuberLoss(),
        gn.nn.SmoothL1Loss(),
        F.mse,
        F.half_mse,
    ],
)
def test_float64_target_promotes_float32_prediction(loss):
    p = f32([1.0, 2.0], True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = loss(p, f64([1e20, 0.0]))
        out.backward()
    assert out.dtype == np.float64 and np.isfinite(out.item())
    assert p.grad.dtype == np.float32 and np.isfinite(p.grad).all()


def test_mse_float64_target_value_as_torch():
    p = f32([1.0, 2.0], True)
    out = gn.nn.MSELoss()(p, f64([1e20, 0.0]))
    assert out.dtype == np.float64
    assert out.item() == pytest.approx((1e20 - 1) ** 2 / 2 + 2.0, rel=1e-12)  # torch: 5e39
    with np.errstate(over="ignore"):  # 1e300 is finite: no "NaN or inf" error; its square
        out = F.mse(f32([1.0, 2.0]), f64([1e300, 0.0]))  # overflows float64, as PyTorch's
    assert out.item() == np.inf


def test_numpy_target_beyond_float32_refused_in_fits_words():
    # a NumPy target is data, read in the prediction's dtype (as fit reads y): 1e300 is no
    # "NaN or inf", it is beyond float32's range
    for loss in (gn.nn.MSELoss(), F.mse, gn.nn.L1Loss()):
        with pytest.raises(ValueError, match=r"holds 1e\+300 at index \(0,\), beyond the range"):
            loss(f32([1.0, 2.0]), np.array([1e300, 0.0]))
    assert F.mse(f32([1.0, 2.0]), np.array([1.0, 0.0])).dtype == np.float32


def test_float32_target_keeps_float32_loss():
    out = gn.nn.MSELoss()(f32([1.0, 2.0]), np.array([0.0, 0.0], np.float32))
    assert out.dtype == np.float32
    out = F.mse(f32([1.0, 2.0]), np.array([0, 0]))  # integers: the prediction's dtype
    assert out.dtype == np.float32


# 2. class weights: a batch of total weight 0 under 'mean' refused; negative weights refused
def test_class_weights_summing_to_zero_refused():
    z = f64([[1.0, 2.0, 0.0], [0.0, 1.0, 3.0]], True)
    w = f64([0.0, 1.0, 0.0])
    with pytest.raises(ValueError, match="weight 0.*no value"):
        gn.nn.CrossEntropyLoss(weight=w)(z, gn.tensor([0, 2]))
    with pytest.raises(ValueError, match="weight 0.*no value"):
        gn.nn.NLLLoss(weight=w)(z.log_softmax(1), gn.tensor([0, 2]))
    # 'sum' is 0, as PyTorch's; a batch with a weighted label is fine
    assert gn.nn.CrossEntropyLoss(weight=w, reduction="sum")(z, gn.tensor([0, 2])).item() == 0
    assert np.isfinite(gn.nn.CrossEntropyLoss(weight=w)(z, gn.tensor([1, 2])).item())


@pytest.mark.parametrize(
    "make",
    [
        lambda w: gn.nn.CrossEntropyLoss(weight=w),
        lambda w: gn.nn.NLLLoss(weight=w),
        lambda w: gn.nn.BCELoss(weight=w),
        lambda w: gn.nn.BCEWithLogitsLoss(weight=w),
        lambda w: gn.nn.BCEWithLogitsLoss(pos_weight=w),
    ],
)
def test_negative_weight_refused(make):
    with pytest.raises(ValueError, match=r"weight.*-1.*>= 0"):
        make(np.array([-1.0, 1.0, 1.0]))


# 3. glassnet.functional's losses refuse NaN/inf targets and bad sample weights
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_functional_losses_refuse_non_finite_target(bad):
    p = f64([0.5, 0.2], True)
    for fn in (F.mse, F.half_mse, F.binary_cross_entropy):
        with pytest.raises(ValueError, match=r"NaN or inf \(first at index \(0,\)\)"):
            fn(p, f64([bad, 0.0]))
    z = f64([[1.0, 2.0]], True)
    with pytest.raises(ValueError, match=r"NaN or inf \(first at index \(0, 0\)\)"):
        F.cross_entropy(z, f64([[bad, 1.0]]))


@pytest.mark.parametrize("w", [[np.nan, 1.0], [np.inf, 1.0], [-1.0, 1.0]])
def test_functional_losses_refuse_bad_sample_weight(w):
    p = f64([0.5, 0.2], True)
    for fn in (F.mse, F.binary_cross_entropy, F.binary_cross_entropy_with_logits):
        with pytest.raises(ValueError, match="sample_weight"):
            fn(p, f64([1.0, 0.0]), sample_weight=np.array(w))
    z = f64([[1.0, 2.0], [0.0, 1.0]], True)
    with pytest.raises(ValueError, match="sample_weight"):
        F.cross_entropy(z, np.array([0, 1]), sample_weight=np.array(w))


def test_functional_good_sample_weight_still_works():
    p = f64([0.5, 0.2], True)
    out = F.mse(p, f64([1.0, 0.0]), sample_weight=np.array([2.0, 0.0]))
    assert out.item() == pytest.approx(2 * 0.25 / 2)


# 4. Value's and Tensor's backward through an overflow: silent (-inf), as PyTorch's
def test_backward_through_overflow_is_silent():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = Value(1e-300)
        b = a**-1
        b.backward()
        assert a.grad == -np.inf
        c = Value(1e-300)
        d = Value(1.0) / c
        d.backward()
        assert c.grad == -np.inf
        x = f64([1e-300], True)
        (x**-1).sum().backward()
        assert x.grad[0] == -np.inf
        x = f64([1e-300], True)
        (1 / x).sum().backward()
        assert x.grad[0] == -np.inf


# 5. d(x^y)/dy at a negative base: NaN, as PyTorch's and Value's
def test_pow_exponent_gradient_at_negative_base_is_nan():
    x, y = f64([-2.0, 2.0, 0.0, 0.0], True), f64([2.0, 2.0, 2.0, -1.0], True)
    with np.errstate(divide="ignore"):  # (the forward's 0 ** -1 warns, as x / 0 does)
        out = (x**y).sum()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # (the backward is silent)
        out.backward()
    assert np.isnan(y.grad[0])
    assert y.grad[1] == pytest.approx(4 * np.log(2))
    assert y.grad[2] == 0.0 and y.grad[3] == -np.inf  # PyTorch's at a base 0
    a, b = Value(-2.0), Value(2.0)
    (a**b).backward()
    assert np.isnan(b.grad)


# 7. gn.max(x) / gn.min(x) are x.max() / x.min(): a NaN's gradient goes to the NaN only
@pytest.mark.parametrize("op", ["max", "min"])
def test_function_max_min_nan_gradient_as_method(op):
    grads = []
    for f in (getattr(gn, op), lambda t: getattr(t, op)()):
        x = f64([np.nan, 1.0, 3.0], True)
        f(x).backward()
        grads.append(x.grad.copy())
    np.testing.assert_array_equal(grads[0], [1.0, 0.0, 0.0])
    np.testing.assert_array_equal(grads[0], grads[1])


# 5. review_d: fit's graph path does not re-check what fit checked; weighted means are stable
def test_fit_graph_path_skips_the_loss_calls_own_checks(monkeypatch):
    import glassnet._validation as V
    import glassnet.loss_checks as checks  # (the losses' refusals: sample_weight's there)

    calls = []
    for where, name in ((F, "check_finite"), (checks, "check_weights")):
        real = getattr(V, name)
        spy = lambda *a, _real=real, _name=name: calls.append(_name) or _real(*a)  # noqa: E731
        monkeypatch.setattr(where, name, spy)
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((64, 3)), rng.standard_normal((64, 1))
    model = gn.nn.MLP([3, 4, 1], "tanh", rng=0)
    w = np.ones(64)
    gn.fit(model, X, y, loss="mse", epochs=2, batch_size=16, engine="graph", sample_weight=w)
    assert calls == []  # (fit checked y and sample_weight once, up front)
    F.mse(model(gn.tensor(X[:4])), y[:4], sample_weight=np.ones(4))  # a hand loop's: checked
    assert calls == ["check_finite", "check_weights"]


def test_checks_still_refuse_after_fit_in_the_same_thread():
    model = gn.nn.MLP([3, 4, 1], "tanh", rng=0)
    X, y = np.ones((8, 3)), np.ones((8, 1))
    gn.fit(model, X, y, loss="mse", epochs=1, batch_size=4, engine="graph", verbose=0)
    with pytest.raises(ValueError, match="NaN or inf"):
        F.mse(model(gn.tensor(X)), np.full((8, 1), np.nan))
    with pytest.raises(ValueError, match="sample_weight"):
        F.mse(model(gn.tensor(X)), y, sample_weight=-np.ones(8))


@pytest.mark.parametrize("make", [gn.nn.CrossEntropyLoss, gn.nn.NLLLoss])
def test_huge_class_weights_give_the_float64_mean(make):
    z64 = f64([[1.0, 2.0, 0.0], [0.0, 1.0, 3.0]])
    z32 = f32(z64.data, True)
    for w in ([1e38, 1e38, 1.0], [3e38, 3e38, 1.0], [1e39, 1e39, 1.0]):
        for labels in ([0, 0], [0, 1], [2, 2]):
            t = np.array(labels)
            nll = make is gn.nn.NLLLoss
            want = make(weight=np.array(w) / 1e38)(z64.log_softmax(1) if nll else z64, t)
            with warnings.catch_warnings():
                warnings.simplefilter("error")  # (NumPy's overflow warning, was inf)
                got = make(weight=np.array(w))(z32.log_softmax(1) if nll else z32, t)
            assert got.dtype == np.float32
            assert got.item() == pytest.approx(want.item(), rel=1e-6)
    t = np.array([2, 2])  # (a small weight, 0.3 / 2**127 in float32, alone: its ratio kept)
    small = make(weight=np.array([1e38, 1e38, 0.3]))(z32.log_softmax(1) if nll else z32, t)
    assert small.item() == pytest.approx(make()(z32.log_softmax(1) if nll else z32, t).item())
    w = np.array([1e308, 1e308, 1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = make(weight=w)(z64.log_softmax(1) if make is gn.nn.NLLLoss else z64, np.array([0, 1]))
    assert got.item() == pytest.approx(
        make(weight=w / 1e308)(z64.log_softmax(1) if make is gn.nn.NLLLoss else z64, [0, 1]).item()
    )


def test_power_of_two_class_weights_scaling_changes_no_bit():
    z = f32([[1.0, 2.0, 0.0], [0.0, 1.0, 3.0], [2.0, -1.0, 0.5]], True)
    w = np.array([0.3, 7.0, 1.9])
    loss = gn.nn.CrossEntropyLoss(weight=w)(z, np.array([0, 1, 2]))
    loss.backward()
    z2 = f32(z.data, True)
    loss2 = gn.nn.CrossEntropyLoss(weight=w * 2.0**100)(z2, np.array([0, 1, 2]))
    loss2.backward()
    assert loss.item() == loss2.item() and np.array_equal(z.grad, z2.grad)


def test_class_weights_sum_loss_overflow_is_inf_not_rescaled():
    z = f64([[1.0, 2.0, 0.0], [0.0, 1.0, 3.0]])
    w = np.array([1e308, 1e308, 1.0])
    with np.errstate(over="ignore"):
        loss = gn.nn.CrossEntropyLoss(weight=w, reduction="sum")(z, np.array([0, 1]))
    assert loss.item() == np.inf


def test_docs_say_a_float64_tensor_target_makes_a_loop_float64():
    import glassnet.nn.losses as losses

    assert "gn.tensor(y, dtype=gn.float32)" in F.mse.__doc__
    assert "computes in float64 since" in losses.__doc__
    p = gn.nn.MLP([2, 1], rng=0)(gn.tensor(np.ones((3, 2)), dtype=gn.float32))
    assert F.mse(p, gn.tensor(np.zeros((3, 1)))).dtype == np.float64  # (as the docs say)
    assert F.mse(p, np.zeros((3, 1))).dtype == np.float32
