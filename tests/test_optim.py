"""Tests for glassnet.optim: update rules against NumPy transcriptions, the flat buffers
they update (glassnet.nn.flatten_parameters, tested on its own in test_flat.py), state
dicts, schedules, validation."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from glassnet.nn import flatten_parameters
from glassnet.optim import OPTIMIZERS, SGD, Adam, AdamW, GradientDescent, RMSprop, get_optimizer
from glassnet.schedules import (
    SCHEDULES,
    AdaptiveLR,
    ConstantLR,
    CosineAnnealingLR,
    ExponentialLR,
    InvScalingLR,
    StepLR,
    get_schedule,
)


class P:
    """Stand-in parameter: an object with .data and .grad."""

    def __init__(self, data, grad=None):
        self.data = data
        self.grad = grad


SHAPES = [(), (3,), (2, 3), (4, 1)]


def make_params(rng, dtypes=(np.float64,), shapes=SHAPES):
    """Parameters of the given shapes, dtypes cycling (so several dtype groups mix)."""
    return [
        P(rng.standard_normal(shape).astype(dtypes[i % len(dtypes)]))
        for i, shape in enumerate(shapes)
    ]


# ---------------------------------------------------------------------------
# reference transcriptions (one parameter at a time, written from the formulas)
# ---------------------------------------------------------------------------


def ref_sgd(
    w, grads, lrs, momentum=0.0, nesterov=False, weight_decay=0.0, dampening=0.0, style="torch"
):
    w = w.copy()
    buf = None
    for g, lr in zip(grads, lrs, strict=True):
        g = g + weight_decay * w
        if style == "torch":
            if momentum:
                if buf is None:
                    buf = g.copy()
                else:
                    buf = momentum * buf + (1 - dampening) * g
                g = g + momentum * buf if nesterov else buf
            w = w - lr * g
        else:  # scikit-learn's SGDOptimizer._get_updates
            if buf is None:
                buf = np.zeros_like(w)
            buf = momentum * buf - lr * g
            update = momentum * buf - lr * g if nesterov else buf
            w = w + update
    return w


def ref_adam(
    w, grads, lrs, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False, decoupled=False
):
    b1, b2 = betas
    w = w.copy()
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    vmax = np.zeros_like(w)
    for t, (g, lr) in enumerate(zip(grads, lrs, strict=True), start=1):
        if decoupled:
            w = w - lr * weight_decay * w
        else:
            g = g + weight_decay * w
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        vmax = np.maximum(vmax, v)
        m_hat = m / (1 - b1**t)
        v_hat = (vmax if amsgrad else v) / (1 - b2**t)
        w = w - lr * m_hat / (np.sqrt(v_hat) + eps)
    return w


def ref_rmsprop(
    w, grads, lrs, alpha=0.99, eps=1e-8, momentum=0.0, centered=False, weight_decay=0.0
):
    w = w.copy()
    sq = np.zeros_like(w)
    gbar = np.zeros_like(w)
    buf = np.zeros_like(w)
    for g, lr in zip(grads, lrs, strict=True):
        g = g + weight_decay * w
        sq = alpha * sq + (1 - alpha) * g**2
        if centered:
            gbar = alpha * gbar + (1 - alpha) * g
            denom = np.sqrt(sq - gbar**2) + eps
        else:
            denom = np.sqrt(sq) + eps
        if momentum > 0:
            buf = momentum * buf + g / denom
            w = w - lr * buf
        else:
            w = w - lr * g / denom
    return w


def ref_adamw(w, grads, lrs, weight_decay=1e-2, **kw):
    return ref_adam(w, grads, lrs, weight_decay=weight_decay, decoupled=True, **kw)


CASES = [
    (SGD, ref_sgd, 0.1, {}),
    (SGD, ref_sgd, 0.1, {"weight_decay": 0.1}),
    (SGD, ref_sgd, 0.1, {"momentum": 0.9}),
    (SGD, ref_sgd, 0.1, {"momentum": 0.8, "dampening": 0.3, "weight_decay": 0.05}),
    (SGD, ref_sgd, 0.1, {"momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    (SGD, ref_sgd, 0.1, {"momentum": 0.9, "style": "sklearn"}),
    (
        SGD,
        ref_sgd,
        0.1,
        {"momentum": 0.7, "nesterov": True, "style": "sklearn", "weight_decay": 0.1},
    ),
    (Adam, ref_adam, 0.01, {}),
    (Adam, ref_adam, 0.01, {"weight_decay": 0.1, "betas": (0.5, 0.8)}),
    (Adam, ref_adam, 0.01, {"amsgrad": True, "eps": 0.1}),
    (AdamW, ref_adamw, 0.01, {}),
    (AdamW, ref_adamw, 0.01, {"weight_decay": 0.3, "amsgrad": True, "eps": 1e-3}),
    (RMSprop, ref_rmsprop, 0.01, {}),
    (RMSprop, ref_rmsprop, 0.01, {"momentum": 0.9, "alpha": 0.9}),
    (RMSprop, ref_rmsprop, 0.01, {"centered": True, "eps": 0.1}),
    (RMSprop, ref_rmsprop, 0.01, {"centered": True, "momentum": 0.5, "weight_decay": 0.1}),
]
CASE_IDS = [
    f"{c.__name__}-{'-'.join(f'{k}={v}' for k, v in kw.items()) or 'default'}"
    for c, _, _, kw in CASES
]
N_STEPS = 5
LR_FACTORS = [1.0, 1.0, 0.5, 0.5, 0.25]  # the lr changes mid-run (as a schedule would)


def run_steps(opt, params, grads_per_step, lrs, mode):
    for step, (grads, lr) in enumerate(zip(grads_per_step, lrs, strict=True)):
        opt.lr = lr
        for p, g in zip(params, grads, strict=True):
            if mode == "inplace" or (mode == "mixed" and step % 2 == 0):
                p.grad = np.full_like(p.data, g)  # as a backward pass accumulating into the view
            else:
                p.grad = g.astype(p.data.dtype)  # rebound: the optimizer copies it in
        opt.step()


@pytest.mark.parametrize("mode", ["inplace", "mixed"])
@pytest.mark.parametrize(("cls", "ref", "lr", "kw"), CASES, ids=CASE_IDS)
def test_update_matches_formula_float64(cls, ref, lr, kw, mode):
    rng = np.random.default_rng(0)
    params = make_params(rng)
    w0 = [p.data.copy() for p in params]
    grads = [[rng.standard_normal(w.shape) for w in w0] for _ in range(N_STEPS)]
    lrs = [lr * f for f in LR_FACTORS]
    opt = cls(params, lr=lr, **kw)
    run_steps(opt, params, grads, lrs, mode)
    assert opt.t == N_STEPS
    for i, p in enumerate(params):
        expected = ref(w0[i], [g[i] for g in grads], lrs, **kw)
        assert p.data.shape == w0[i].shape
        np.testing.assert_allclose(p.data, expected, rtol=1e-12, atol=1e-14)
        assert not np.allclose(p.data, w0[i])  # it did move


@pytest.mark.parametrize(("cls", "ref", "lr", "kw"), CASES, ids=CASE_IDS)
def test_update_two_dtype_groups(cls, ref, lr, kw):
    rng = np.random.default_rng(1)
    params = make_params(rng, dtypes=(np.float64, np.float32), shapes=[(), (3,), (2, 3), (5,)])
    w0 = [p.data.astype(np.float64) for p in params]
    grads = [[rng.standard_normal(w.shape) for w in w0] for _ in range(N_STEPS)]
    lrs = [lr * f for f in LR_FACTORS]
    opt = cls(params, lr=lr, **kw)
    assert flatten_parameters(params).dtypes == [np.dtype(np.float64), np.dtype(np.float32)]
    run_steps(opt, params, grads, lrs, "mixed")
    for i, p in enumerate(params):
        expected = ref(
            w0[i], [g[i].astype(p.data.dtype).astype(np.float64) for g in grads], lrs, **kw
        )
        assert p.data.dtype == w0[i].dtype if i % 2 == 0 else p.data.dtype == np.float32
        if p.data.dtype == np.float64:
            np.testing.assert_allclose(p.data, expected, rtol=1e-12, atol=1e-14)
        else:
            np.testing.assert_allclose(p.data, expected, rtol=1e-5, atol=1e-5)


def test_gradient_descent_is_the_lecture_rule_bit_for_bit():
    rng = np.random.default_rng(2)
    w = P(rng.standard_normal((3, 2)))
    w_before = w.data.copy()
    assert GradientDescent is SGD
    opt = GradientDescent([w], lr=0.3)
    g = rng.standard_normal((3, 2))
    w.grad = np.full_like(w.data, g)
    opt.step()
    np.testing.assert_array_equal(w.data, w_before - 0.3 * g)
    np.testing.assert_array_equal(w.grad, g)  # the gradient is not modified


def test_sklearn_and_torch_momentum_agree_at_constant_lr_and_differ_when_it_changes():
    rng = np.random.default_rng(3)
    grads = [rng.standard_normal(4) for _ in range(4)]
    w0 = rng.standard_normal(4)
    results = {}
    for lrs in ([0.1] * 4, [0.1, 0.1, 0.01, 0.01]):
        for style in ("torch", "sklearn"):
            p = P(w0.copy())
            opt = SGD([p], lr=lrs[0], momentum=0.9, style=style)
            run_steps(opt, [p], [[g] for g in grads], lrs, "inplace")
            results[style, lrs[2]] = p.data.copy()
    np.testing.assert_allclose(results["torch", 0.1], results["sklearn", 0.1], rtol=1e-12)
    assert not np.allclose(results["torch", 0.01], results["sklearn", 0.01])


def test_grad_is_not_modified_by_weight_decay():
    rng = np.random.default_rng(4)
    for cls in (SGD, Adam, RMSprop):
        p = P(rng.standard_normal(5))
        opt = cls([p], weight_decay=0.5)
        g = rng.standard_normal(5)
        p.grad = np.full_like(p.data, g)
        opt.step()
        np.testing.assert_array_equal(p.grad, g)


# ---------------------------------------------------------------------------
# flat buffers
# ---------------------------------------------------------------------------


def test_optimizer_updates_the_shared_flat_buffers():
    rng = np.random.default_rng(5)
    params = make_params(
        rng, dtypes=(np.float32, np.float64), shapes=[(2, 3), (), (4,), (3, 1), (0,)]
    )
    params[2].grad = rng.standard_normal(4)
    values = [p.data.copy() for p in params]
    opt = Adam(params)
    opt.zero_grad(set_to_none=False)  # every .grad its flat view (None until a gradient)
    views = [(p.data, p.grad) for p in params]

    def still_bound():
        return all(p.data is d and p.grad is g for p, (d, g) in zip(params, views, strict=True))

    flat = flatten_parameters(params)  # the optimizer's packing, not a new one
    assert still_bound()
    assert flat.dtypes == [np.dtype(np.float32), np.dtype(np.float64)]
    assert [d.size for d in flat.data] == [6 + 4 + 0, 1 + 3]
    for p, v in zip(params, values, strict=True):
        np.testing.assert_array_equal(p.data, v)
    np.testing.assert_array_equal(params[2].grad, params[2].grad.astype(np.float32))
    assert not params[0].grad.any()  # None became a zero view
    flat.grad[0][:] = 1.0
    flat.grad[1][:] = 1.0
    before = [d.copy() for d in flat.data]
    opt.step()  # Adam's first step moves every weight by lr (= 1e-3) against its gradient
    for d, b in zip(flat.data, before, strict=True):
        np.testing.assert_allclose(d, b - 1e-3, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(params[0].data, values[0] - 1e-3, rtol=1e-5, atol=1e-6)
    # a second optimizer on the same parameters shares the packing: no repacking
    sgd = SGD(params, lr=0.5)
    assert still_bound()
    sgd.step()
    np.testing.assert_allclose(params[3].data.ravel(), before[1][1:] - 1e-3 - 0.5, rtol=1e-6)


def test_rebound_data_and_grad_are_recovered():
    rng = np.random.default_rng(6)
    a, b = P(rng.standard_normal((2, 2))), P(rng.standard_normal(3))
    opt = SGD([a, b], lr=0.5)
    opt.zero_grad(set_to_none=False)  # every .grad its flat view (None until a gradient)
    view_a, gview_a = a.data, a.grad
    new_a = np.full((2, 2), 2.0)
    a.data = new_a  # the user rebinds the values
    a.grad = np.ones((2, 2))  # and the gradient
    b_before = b.data.copy()
    b.grad = None  # no gradient computed: skipped, as in PyTorch, and still None after
    opt.step()
    assert a.data is view_a and a.grad is gview_a and b.grad is None
    np.testing.assert_array_equal(a.data, np.full((2, 2), 1.5))
    np.testing.assert_array_equal(new_a, np.full((2, 2), 2.0))  # the user's array untouched
    np.testing.assert_array_equal(b.data, b_before)
    np.testing.assert_array_equal(flatten_parameters([a, b]).data[0][:4], 1.5)
    # a scalar parameter rebound to a Python float
    s = P(np.array(1.0))
    opt = SGD([s], lr=1.0)
    s.data, s.grad = 3.0, 0.5
    opt.step()
    assert isinstance(s.data, np.ndarray) and s.data.shape == () and s.data == 2.5


def test_rebound_with_wrong_shape_raises():
    p = P(np.zeros((2, 3)))
    opt = SGD([p])
    p.grad = np.zeros(6)
    with pytest.raises(ValueError, match=r"\.grad of shape \(6,\) but its slot has shape \(2, 3\)"):
        opt.step()
    p.grad = np.zeros((2, 3))
    p.data = np.zeros((3, 2))
    with pytest.raises(ValueError, match=r"\.data of shape \(3, 2\)"):
        opt.step()


def test_zero_grad_fills_in_place_and_keeps_views():
    rng = np.random.default_rng(7)
    params = make_params(rng, dtypes=(np.float64, np.float32))
    opt = RMSprop(params)
    opt.zero_grad(set_to_none=False)  # every .grad its flat view (None until a gradient)
    views = [p.grad for p in params]
    for p in params:
        p.grad = np.full_like(p.data, 1.0)
    params[1].grad = None
    params[2].grad = np.ones(params[2].data.shape)
    own = [p.grad for p in params]
    opt.zero_grad(set_to_none=False)
    for p, v, g in zip(params, views, own, strict=True):  # a .grad of its own (which the
        assert p.grad is (v if g is None else g)  # caller may hold) zeroed where it is, as
        assert not p.grad.any()  # PyTorch's; a None its flat view
    assert all(not g.any() for g in flatten_parameters(params).grad)
    opt.zero_grad()  # PyTorch's default: no gradient at all
    assert all(p.grad is None for p in params)


def test_step_keeps_buffers_and_state_identity():
    rng = np.random.default_rng(8)
    params = make_params(rng)
    opt = Adam(params)
    flat = flatten_parameters(params)
    before = [id(b) for b in flat.data + flat.grad]
    data_ids = [id(p.data) for p in params]
    for _ in range(3):
        for p in params:
            p.grad = np.full_like(p.data, rng.standard_normal(p.data.shape))
        opt.step()
    assert flatten_parameters(params) is flat
    assert [id(b) for b in flat.data + flat.grad] == before
    assert [id(p.data) for p in params] == data_ids


def test_step_closure_is_called_and_its_value_returned():
    p = P(np.array([1.0]))
    opt = SGD([p], lr=0.1)

    def closure():
        p.grad = np.full_like(p.data, 2.0)
        return 42.0

    assert opt.step(closure) == 42.0
    np.testing.assert_allclose(p.data, [0.8])


def test_bad_params_raise():
    with pytest.raises(ValueError, match="'params' argument of SGD is empty"):
        SGD([])
    with pytest.raises(TypeError, match=r"wrap a single parameter in a list"):
        SGD(P(np.zeros(2)))
    with pytest.raises(TypeError, match="iterable of parameters"):
        SGD(3)
    # each parameter is checked by the flat-parameter helper (all cases in test_flat.py)
    with pytest.raises(TypeError, match="float32 or float64.*int64"):
        SGD([P(np.zeros(2)), P(np.zeros(2, dtype=np.int64))])
    p = P(np.zeros(2))
    with pytest.raises(ValueError, match="same object"):
        SGD([p, p])
    with pytest.raises(ValueError, match=r"\.grad of shape \(3,\) but its slot has shape \(2,\)"):
        SGD([P(np.zeros(2), np.zeros(3))])


def test_failed_construction_leaves_params_untouched():
    data = np.zeros(3)
    p = P(data)
    with pytest.raises(ValueError):
        Adam([p], lr=-1)
    with pytest.raises(ValueError):
        SGD([p, P(np.zeros(2, dtype=np.float32), np.zeros(5))])
    assert p.data is data and p.grad is None


def test_module_like_object_is_accepted():
    class Model:
        def __init__(self):
            self.w = P(np.ones(2))

        def parameters(self):
            yield self.w

    model = Model()
    opt = SGD(model, lr=0.5)
    model.w.grad = np.full_like(model.w.data, 1.0)
    opt.step()
    np.testing.assert_array_equal(model.w.data, [0.5, 0.5])


# ---------------------------------------------------------------------------
# state dicts
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("cls", "ref", "lr", "kw"), CASES, ids=CASE_IDS)
def test_state_dict_resumes_bit_identically(cls, ref, lr, kw):
    rng = np.random.default_rng(9)
    params = make_params(rng, dtypes=(np.float32, np.float64))
    grads = [[rng.standard_normal(p.data.shape) for p in params] for _ in range(6)]
    opt = cls(params, lr=lr, **kw)
    run_steps(opt, params, grads[:3], [lr * 0.5] * 3, "inplace")
    state = opt.state_dict()
    saved = [p.data.copy() for p in params]
    assert set(state) == {"type", "t", "param_groups"} and len(state["param_groups"]) == 1
    for value in state["param_groups"][0].values():
        assert isinstance(value, (bool, int, float, str, tuple, np.ndarray))
    run_steps(opt, params, grads[3:], [lr * 0.5] * 3, "inplace")
    # a fresh optimizer, built with other settings, picks up the saved ones
    params2 = [P(w.copy()) for w in saved]
    opt2 = cls(params2)
    opt2.load_state_dict(state)
    assert opt2.t == 3 and opt2.lr == lr * 0.5
    for name in cls._hyper:
        assert getattr(opt2, name) == getattr(opt, name)
    run_steps(opt2, params2, grads[3:], [lr * 0.5] * 3, "inplace")
    for p, p2 in zip(params, params2, strict=True):
        np.testing.assert_array_equal(p.data, p2.data)
    after = opt.state_dict()["param_groups"][0]
    for key, value in opt2.state_dict()["param_groups"][0].items():
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(value, after[key])
        else:
            assert value == after[key]


def test_state_dict_arrays_are_copies():
    p = P(np.zeros(3))
    opt = Adam([p])
    p.grad = np.full_like(p.data, 1.0)
    opt.step()
    (state,) = opt.state_dict()["param_groups"]
    m_before = state["m.0"].copy()
    state["m.0"][:] = 99.0
    assert opt.state_dict()["param_groups"][0]["m.0"][0] != 99.0
    opt.step()
    np.testing.assert_array_equal(opt.state_dict()["param_groups"][0]["m.0"] != m_before, True)


def edited(state, drop=(), **changes):
    """``state`` with its first param group's entry changed."""
    group = {k: v for k, v in state["param_groups"][0].items() if k not in drop}
    return dict(state, param_groups=[{**group, **changes}])


def test_load_state_dict_errors():
    p = P(np.zeros(3))
    adam = Adam([p])
    state = adam.state_dict()
    with pytest.raises(ValueError, match="saved from 'Adam', not SGD"):
        SGD([P(np.zeros(3))]).load_state_dict(state)
    with pytest.raises(ValueError, match="saved from 'Adam', not AdamW"):
        AdamW([P(np.zeros(3))]).load_state_dict(state)
    with pytest.raises(TypeError, match="expects the dict"):
        adam.load_state_dict([1, 2])
    with pytest.raises(  # (another model's: said in values and parameters, round 27)
        ValueError, match=r"saved from an optimizer over 3 values in 1 parameter; this one has 4"
    ):
        Adam([P(np.zeros(4))]).load_state_dict(state)
    narrow = Adam([P(np.zeros(3, dtype=np.float32))])  # (converted, as PyTorch's: round 27)
    narrow.load_state_dict(state)
    assert narrow.state_dict()["param_groups"][0]["m.0"].dtype == np.float32
    with pytest.raises(ValueError, match=r"missing keys \['m\.0'\]"):
        adam.load_state_dict(edited(state, drop=["m.0"]))
    with pytest.raises(ValueError, match=r"unexpected keys \['v_max\.0'\]"):
        adam.load_state_dict(edited(state, **{"v_max.0": np.zeros(3)}))
    with pytest.raises(ValueError, match=r"'m\.0' must be a float64 array of shape \(3,\)"):
        adam.load_state_dict(edited(state, **{"m.0": np.zeros(4)}))
    with pytest.raises(ValueError, match="The 'eps' parameter of Adam must be a float > 0"):
        adam.load_state_dict(edited(state, eps=-1.0))
    with pytest.raises(ValueError, match="The 'betas' parameter of Adam must be a pair"):
        adam.load_state_dict(edited(state, betas=(0.9,)))
    with pytest.raises(ValueError, match="missing keys"):
        adam.load_state_dict(edited(state, drop=["betas"]))
    with pytest.raises(ValueError, match="holds 2 param groups but this optimizer has 1"):
        adam.load_state_dict(dict(state, param_groups=state["param_groups"] * 2))
    # nothing changed by the failed loads
    assert adam.state_dict()["param_groups"][0]["eps"] == 1e-8


def test_load_state_dict_changes_state_layout():
    p = P(np.zeros(2))
    sgd = SGD([p], lr=0.1, momentum=0.9)
    p.grad = np.full_like(p.data, 1.0)
    sgd.step()
    state = sgd.state_dict()
    assert "v.0" in state["param_groups"][0]
    q = P(np.zeros(2))
    plain = SGD([q])  # no momentum, no state buffer
    assert "v.0" not in plain.state_dict()["param_groups"][0]
    plain.load_state_dict(state)
    assert plain.momentum == 0.9
    got = plain.state_dict()["param_groups"][0]["v.0"]
    np.testing.assert_array_equal(got, state["param_groups"][0]["v.0"])


def test_settings_are_set_in_every_group_and_checked():
    p = P(np.zeros(1))
    opt = SGD([p], lr=0.1, momentum=0.5)
    assert opt.momentum == 0.5
    opt.momentum = 0.9  # the velocity buffer follows the setting
    assert opt.param_groups[0]["momentum"] == 0.9
    with pytest.raises(
        ValueError, match=r"'momentum' parameter of SGD must be a float in \[0, 1\)"
    ):
        opt.momentum = 1.5
    opt.momentum = 0.0
    p.grad = np.full_like(p.data, 1.0)
    opt.step()
    assert "v.0" not in opt.state_dict()["param_groups"][0] and p.data[0] == pytest.approx(-0.1)
    opt.momentum = 0.5
    opt.step()
    assert "v.0" in opt.state_dict()["param_groups"][0] and p.data[0] == pytest.approx(-0.2)
    with pytest.raises(ValueError, match="nesterov=True needs momentum > 0"):
        SGD([P(np.zeros(1))], lr=0.1, momentum=0.5, nesterov=True).momentum = 0.0
    opt.momentum = 0.5
    opt.lr = 0.0  # a schedule may anneal to 0
    assert opt.lr == 0.0
    with pytest.raises(
        ValueError, match=re.escape("The 'lr' parameter of SGD must be a float >= 0. Got -0.1.")
    ):
        opt.lr = -0.1
    assert "SGD(lr=0.0, momentum=0.5" in repr(opt)
    assert "params=1, numel=1" in repr(opt)


# ---------------------------------------------------------------------------
# validation messages
# ---------------------------------------------------------------------------

BAD = [
    (SGD, {"lr": -1}, "The 'lr' parameter of SGD must be a float >= 0. Got -1."),
    (SGD, {"lr": float("nan")}, "The 'lr' parameter of SGD must be a float >= 0. Got nan."),
    (SGD, {"lr": "0.1"}, "The 'lr' parameter of SGD must be a float >= 0. Got '0.1'."),
    (SGD, {"momentum": 1.0}, "The 'momentum' parameter of SGD must be a float in [0, 1). Got 1.0."),
    (
        SGD,
        {"momentum": -0.1},
        "The 'momentum' parameter of SGD must be a float in [0, 1). Got -0.1.",
    ),
    (
        SGD,
        {"weight_decay": -1e-3},
        "The 'weight_decay' parameter of SGD must be a float >= 0. Got -0.001.",
    ),
    (
        SGD,
        {"dampening": 1.5},
        "The 'dampening' parameter of SGD must be a float in [0, 1]. Got 1.5.",
    ),
    (
        SGD,
        {"nesterov": "yes"},
        "The 'nesterov' parameter of SGD must be a bool (True or False). Got 'yes'.",
    ),
    (
        SGD,
        {"style": "keras"},
        "The 'style' parameter of SGD must be 'torch' or 'sklearn'. Got 'keras'.",
    ),
    (SGD, {"nesterov": True}, "SGD with nesterov=True needs momentum > 0 and dampening=0."),
    (
        SGD,
        {"momentum": 0.9, "dampening": 0.1, "style": "sklearn"},
        "The 'dampening' parameter of SGD applies to style='torch' only.",
    ),
    (Adam, {"lr": -1}, "The 'lr' parameter of Adam must be a float >= 0. Got -1."),
    (
        Adam,
        {"betas": (1.0, 0.999)},
        "The 'betas' parameter of Adam must be a pair of floats in [0, 1). Got (1.0, 0.999).",
    ),
    (
        Adam,
        {"betas": 0.9},
        "The 'betas' parameter of Adam must be a pair of floats in [0, 1). Got 0.9.",
    ),
    (Adam, {"eps": 0.0}, "The 'eps' parameter of Adam must be a float > 0. Got 0.0."),
    (
        Adam,
        {"weight_decay": -1},
        "The 'weight_decay' parameter of Adam must be a float >= 0. Got -1.",
    ),
    (
        Adam,
        {"amsgrad": 1},
        "The 'amsgrad' parameter of Adam must be a bool (True or False). Got 1.",
    ),
    (
        AdamW,
        {"betas": (0.9, -0.1)},
        "The 'betas' parameter of AdamW must be a pair of floats in [0, 1). Got (0.9, -0.1).",
    ),
    (
        RMSprop,
        {"alpha": 1.0},
        "The 'alpha' parameter of RMSprop must be a float in [0, 1). Got 1.0.",
    ),
    (RMSprop, {"eps": -1e-8}, "The 'eps' parameter of RMSprop must be a float > 0. Got -1e-08."),
    (
        RMSprop,
        {"momentum": 2},
        "The 'momentum' parameter of RMSprop must be a float in [0, 1). Got 2.",
    ),
    (
        RMSprop,
        {"centered": None},
        "The 'centered' parameter of RMSprop must be a bool (True or False). Got None.",
    ),
]


@pytest.mark.parametrize(("cls", "kw", "message"), BAD)
def test_invalid_hyperparameters_raise(cls, kw, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        cls([P(np.zeros(2))], **kw)


def test_numpy_scalars_are_accepted_and_shown_plainly():
    opt = SGD([P(np.zeros(2))], lr=np.float32(0.5), momentum=np.float64(0.25))
    assert opt.lr == 0.5 and isinstance(opt.lr, float)
    with pytest.raises(ValueError, match=re.escape("Got -1.0.")):
        SGD([P(np.zeros(2))], lr=np.float64(-1))


def test_get_optimizer():
    p = P(np.zeros(2))
    assert set(OPTIMIZERS) == {
        "sgd", "gd", "adam", "adamw", "rmsprop", "adagrad", "adadelta", "adamax", "nadam", "radam"
    }  # fmt: skip
    opt = get_optimizer("AdamW", [p], lr=0.1)
    assert isinstance(opt, AdamW) and opt.lr == 0.1 and opt.weight_decay == 1e-2
    assert type(get_optimizer("gd", [P(np.zeros(1))])) is SGD
    assert type(get_optimizer(RMSprop, [P(np.zeros(1))])) is RMSprop
    with pytest.raises(
        ValueError,
        match=re.escape(
            "Unknown optimizer 'adm'. Valid names: 'adadelta', 'adagrad', 'adam', 'adamax', "
            "'adamw', 'gd', 'lbfgs', 'nadam', 'radam', 'rmsprop', 'sgd'."
        ),
    ):
        get_optimizer("adm", [P(np.zeros(1))])
    with pytest.raises(TypeError, match=r"unexpected keyword arguments \['beta'\].*'betas'"):
        get_optimizer("adam", [P(np.zeros(1))], beta=0.9)


# ---------------------------------------------------------------------------
# schedules
# ---------------------------------------------------------------------------


def lr_sequence(schedule, opt, n, **step_kw):
    lrs = [opt.lr]
    for _ in range(n):
        assert schedule.step(**step_kw) is False
        lrs.append(opt.lr)
    return lrs


def test_constant_step_exponential_cosine_schedules():
    def fresh(lr=0.1):
        return SGD([P(np.zeros(1))], lr=lr)

    opt = fresh()
    assert lr_sequence(ConstantLR(opt), opt, 5) == [0.1] * 6
    opt = fresh()
    np.testing.assert_allclose(
        lr_sequence(StepLR(opt, step_size=3, gamma=0.5), opt, 9),
        [0.1 * 0.5 ** (e // 3) for e in range(10)],
        rtol=1e-15,
    )
    opt = fresh()
    np.testing.assert_allclose(
        lr_sequence(ExponentialLR(opt, gamma=0.9), opt, 8),
        [0.1 * 0.9**e for e in range(9)],
        rtol=1e-15,
    )
    opt = fresh()
    got = lr_sequence(CosineAnnealingLR(opt, T_max=6, eta_min=0.01), opt, 12)
    want = [0.01 + 0.09 * (1 + math.cos(math.pi * e / 6)) / 2 for e in range(13)]
    np.testing.assert_allclose(got, want, rtol=1e-14)
    assert got[6] == pytest.approx(0.01) and got[12] == pytest.approx(0.1)
    opt = fresh()
    got = lr_sequence(CosineAnnealingLR(opt, T_max=4), opt, 4)
    assert got[-1] == pytest.approx(0.0, abs=1e-18)  # lr may reach 0


def test_invscaling_matches_sklearn_formula():
    opt = Adam([P(np.zeros(1))], lr=0.2)
    sched = InvScalingLR(opt, power_t=0.25)
    seen = 0
    lrs = [opt.lr]
    for _ in range(5):
        seen += 37
        assert sched.step(seen) is False
        lrs.append(opt.lr)
    assert lrs == [0.2] + [0.2 / (37 * k + 1) ** 0.25 for k in range(1, 6)]
    with pytest.raises(TypeError, match="samples_seen"):
        sched.step()
    with pytest.raises(ValueError, match="'samples_seen' parameter of InvScalingLR"):
        sched.epoch_end(metric=1.0)
    assert sched.epoch_end(samples_seen=999, metric=1.0) is False
    assert opt.lr == 0.2 / 1000**0.25


def sklearn_adaptive_reference(losses, lr, n_iter_no_change, tol, min_lr=1e-6):
    """scikit-learn's _fit_stochastic / _update_no_improvement_count / trigger_stopping."""
    best, count, out = np.inf, 0, []
    for loss in losses:
        if loss > best - tol:
            count += 1
        else:
            count = 0
        if loss < best:
            best = loss
        stop = False
        if count > n_iter_no_change:
            if lr <= min_lr:
                stop = True
            else:
                lr /= 5.0
                count = 0
        out.append((lr, stop))
        if stop:
            break
    return out


@pytest.mark.parametrize("patience", [0, 2, 4])
def test_adaptive_matches_sklearn_logic(patience):
    rng = np.random.default_rng(10)
    # improving, then noisy plateaus, then flat until the lr hits the floor
    losses = list(np.linspace(1.0, 0.5, 6)) + list(0.5 + 1e-5 * rng.standard_normal(20))
    losses += [0.4] + [0.4] * 200
    opt = SGD([P(np.zeros(1))], lr=0.1)
    sched = AdaptiveLR(opt, patience=patience, tol=1e-4)
    got = []
    for loss in losses:
        stop = sched.step(loss)
        got.append((opt.lr, stop))
        if stop:
            break
    want = sklearn_adaptive_reference(losses, 0.1, patience, 1e-4)
    assert got == want  # bit for bit, including the stopping epoch
    assert got[-1][1] is True and got[-1][0] <= 1e-6
    assert sum(1 for a, b in zip(got, got[1:]) if b[0] < a[0]) >= 5  # lr was cut repeatedly


def test_adaptive_details():
    opt = SGD([P(np.zeros(1))], lr=1.0)
    sched = AdaptiveLR(opt, factor=0.5, patience=1, tol=1e-3, mode="max")
    for score in [0.5, 0.6, 0.6, 0.6]:  # accuracy: higher is better
        assert sched.epoch_end(metric=score) is False
    assert opt.lr == 0.5  # two epochs without a better score, more than patience=1
    with pytest.raises(TypeError, match="metric"):
        sched.step()
    with pytest.raises(ValueError, match="The 'metric' parameter of AdaptiveLR"):
        sched.epoch_end(samples_seen=10)
    with pytest.raises(
        ValueError, match="The 'metric' parameter of AdaptiveLR must be a finite float. Got nan."
    ):
        sched.step(float("nan"))


@pytest.mark.parametrize(
    ("name", "kw", "step_kw"),
    [
        ("constant", {}, {}),
        ("step", {"step_size": 2}, {}),
        ("exponential", {"gamma": 0.8}, {}),
        ("cosine", {"T_max": 10, "eta_min": 1e-3}, {}),
        ("invscaling", {"power_t": 0.5}, {"samples_seen": 0}),
        ("adaptive", {"patience": 1}, {"metric": 1.0}),
    ],
)
def test_schedule_state_dict_round_trip(name, kw, step_kw):
    opt = SGD([P(np.zeros(1))], lr=0.1)
    sched = get_schedule(name, opt, **kw)
    assert isinstance(sched, SCHEDULES[name])

    def advance(s, o, n, start):
        out = []
        for k in range(start, start + n):
            step = {
                key: (v + 10 * k if key == "samples_seen" else v * 0.99**k)
                for key, v in step_kw.items()
            }
            out.append((s.epoch_end(**step), o.lr))
        return out

    advance(sched, opt, 4, 0)
    state, opt_state = sched.state_dict(), opt.state_dict()
    for value in [*state.values(), *state["base_lrs"]]:
        assert isinstance(value, (bool, int, float, str, list))
    cont = advance(sched, opt, 5, 4)
    opt2 = SGD([P(np.zeros(1))], lr=0.5)
    opt2.load_state_dict(opt_state)
    sched2 = get_schedule(name, opt2, **kw)
    sched2.load_state_dict(state)
    assert sched2.state_dict() == state
    assert advance(sched2, opt2, 5, 4) == cont
    assert repr(sched2).startswith(SCHEDULES[name].__name__ + "(")


def test_schedule_errors():
    opt = SGD([P(np.zeros(1))], lr=0.1)
    with pytest.raises(
        ValueError,
        match=re.escape("The 'step_size' parameter of StepLR must be an int >= 1. Got 0."),
    ):
        StepLR(opt, step_size=0)
    with pytest.raises(
        ValueError,
        match=re.escape("The 'gamma' parameter of ExponentialLR must be a float > 0. Got -0.5."),
    ):
        ExponentialLR(opt, gamma=-0.5)
    with pytest.raises(ValueError, match="'T_max' parameter of CosineAnnealingLR"):
        CosineAnnealingLR(opt, T_max=2.5)
    with pytest.raises(
        ValueError,
        match=re.escape("The 'factor' parameter of AdaptiveLR must be a float in (0, 1). Got 5."),
    ):
        AdaptiveLR(opt, factor=5)
    with pytest.raises(ValueError, match="'power_t' parameter of InvScalingLR"):
        InvScalingLR(opt, power_t=-1)
    with pytest.raises(TypeError, match="needs an optimizer with an 'lr' attribute"):
        ConstantLR(object())
    with pytest.raises(
        ValueError,
        match="Unknown learning-rate schedule 'cosin'. Valid names: "
        "'adaptive', 'constant', 'cosine'",
    ):
        get_schedule("cosin", opt)
    with pytest.raises(ValueError, match="saved from 'StepLR', not ExponentialLR"):
        ExponentialLR(opt, 0.5).load_state_dict(StepLR(opt, 2).state_dict())
    assert opt.lr == 0.1  # building schedules does not change the lr


# ---------------------------------------------------------------------------
# optional peer check against PyTorch
# ---------------------------------------------------------------------------

TORCH_CASES = [
    (SGD, "SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    (SGD, "SGD", {"lr": 0.1, "momentum": 0.8, "dampening": 0.2}),
    (Adam, "Adam", {"lr": 0.01, "weight_decay": 0.1}),
    (Adam, "Adam", {"lr": 0.01, "amsgrad": True, "eps": 1e-3}),
    (AdamW, "AdamW", {"lr": 0.01, "weight_decay": 0.2}),
    (RMSprop, "RMSprop", {"lr": 0.01, "momentum": 0.9, "centered": True, "weight_decay": 0.1}),
    (RMSprop, "RMSprop", {"lr": 0.01}),
]


def test_matches_torch_optim():
    torch = pytest.importorskip("torch")  # optional reference, not a dependency
    rng = np.random.default_rng(11)
    for cls, torch_name, kw in TORCH_CASES:
        params = make_params(rng)
        tparams = [torch.tensor(p.data.copy(), requires_grad=True) for p in params]
        opt = cls(params, **kw)
        topt = getattr(torch.optim, torch_name)(tparams, **kw)
        for step in range(6):
            for p, tp in zip(params, tparams, strict=True):
                g = rng.standard_normal(p.data.shape)
                p.grad = np.full_like(p.data, g)
                tp.grad = torch.tensor(g)
            if step == 3:  # a schedule changes the lr
                opt.lr = kw["lr"] / 2
                for group in topt.param_groups:
                    group["lr"] = kw["lr"] / 2
            opt.step()
            topt.step()
        for p, tp in zip(params, tparams, strict=True):
            np.testing.assert_allclose(
                p.data, tp.detach().numpy(), rtol=1e-10, atol=1e-12, err_msg=f"{torch_name} {kw}"
            )


@pytest.mark.parametrize("how", ["deepcopy", "pickle"])
def test_copied_optimizer_still_updates_its_own_parameters(how):
    import copy
    import pickle

    from glassnet import nn

    model = nn.MLP([3, 4, 1], rng=0)
    opt = Adam(model.parameters(), lr=0.1)
    pair = (
        copy.deepcopy((model, opt))
        if how == "deepcopy"
        else pickle.loads(pickle.dumps((model, opt)))
    )
    model2, opt2 = pair
    original = [p.data.copy() for p in model.parameters()]
    for p in model2.parameters():
        p.grad = np.full_like(p.data, 1.0)
    before = [p.data.copy() for p in model2.parameters()]
    opt2.step()
    # the copy's weights move, through views of the copy's own flat buffer
    assert all(not np.array_equal(b, p.data) for b, p in zip(before, model2.parameters()))
    (theta,) = flatten_parameters(model2.parameters()).data
    assert all(np.shares_memory(p.data, theta) for p in model2.parameters())
    assert not any(np.shares_memory(p.data, theta) for p in model.parameters())
    # the original is untouched
    assert all(np.array_equal(o, p.data) for o, p in zip(original, model.parameters()))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("blas", [False, True])
def test_plain_sgd_on_a_buffer_larger_than_one_block(monkeypatch, dtype, blas):
    """Past optim._BLOCK values the update is BLAS's axpy (glassnet.blas) where NumPy's BLAS
    has one, else NumPy block by block; every value is updated either way. NumPy's two calls
    round γ g and then w - γ g: its result is w0 - γ g as NumPy computes it, exactly. axpy
    may round once (a fused multiply-add): no farther from the exact w0 - γ g than that."""
    import glassnet.blas

    if blas and not glassnet.blas.available():
        pytest.skip("this NumPy's BLAS has no axpy that glassnet.blas finds")
    if not blas:
        monkeypatch.setattr(glassnet.blas, "_FUNCS", {})
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal(3 * 65536 + 123).astype(dtype)  # optim blocks 65536 floats
    g = rng.standard_normal(w0.shape).astype(dtype)
    p = P(w0.copy())
    opt = SGD([p], lr=0.3)
    p.grad = np.full_like(p.data, g)
    opt.step()
    numpy_way = w0 - dtype(0.3) * g
    if not blas:
        np.testing.assert_array_equal(p.data, numpy_way)
        return
    exact = w0.astype(np.longdouble) - np.longdouble(dtype(0.3)) * g
    assert np.all(np.abs(p.data - exact) <= np.abs(numpy_way - exact))
    ulps = np.spacing(np.abs(numpy_way)) + np.spacing(np.abs(dtype(0.3) * g))
    assert np.all(np.abs(p.data - numpy_way) <= ulps)  # the two roundings' worth, no more


@pytest.mark.parametrize("cls", [SGD, Adam, RMSprop])
def test_fuse_above_infinity_keeps_numpys_two_calls_on_a_large_buffer(cls):
    """fuse_above = inf: no axpy on any size, so a large buffer gets the numbers a small
    one gets (the same rule, block by block); the default may round once less."""
    rng = np.random.default_rng(1)
    w0 = rng.standard_normal(2 * 65536 + 7).astype(np.float32)
    g = rng.standard_normal(w0.shape).astype(np.float32)

    def run(fuse_above, pieces):  # the buffer as one parameter or as many small optimizers
        out = []
        for part in np.array_split(np.arange(w0.size), pieces):
            p = P(w0[part].copy())
            opt = cls([p], lr=0.3)
            opt.fuse_above = fuse_above
            p.grad = g[part].copy()
            opt.step()
            out.append(p.data)
        return np.concatenate(out)

    small = run(65536, pieces=4)  # every piece under one block: NumPy's calls
    np.testing.assert_array_equal(run(math.inf, pieces=1), small)


def test_fuse_above_is_the_size_past_which_the_update_is_blas_axpy(monkeypatch):
    import glassnet.optim

    calls = []
    monkeypatch.setattr(glassnet.optim, "axpy", lambda w, d, a: calls.append(w.size) or False)
    p = P(np.zeros(1000, np.float32))
    opt = SGD([p], lr=0.5)
    for fuse_above in (65536, 999, 1000):
        opt.fuse_above = fuse_above
        p.grad = np.ones(1000, np.float32)
        opt.step()
    assert calls == [1000]  # only 1000 > 999 asked BLAS (which said no: NumPy's calls ran)
    np.testing.assert_array_equal(p.data, np.full(1000, -1.5, np.float32))


# ---------------------------------------------------------------------------
# prepared(): step's checks once, then the rules only (fit's fast path)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("cls", "ref", "lr", "kw"), CASES, ids=CASE_IDS)
def test_prepared_step_equals_step_bit_for_bit(cls, ref, lr, kw):
    """Two copies, one stepped by step(), one by the function prepared() returns (with the
    gradients written into the bound .grad views, as the fast path does): same weights,
    same state dict, same step counts."""
    rng = np.random.default_rng(3)
    a = make_params(rng, dtypes=(np.float64, np.float32), shapes=[(3,), (2, 3), (5,)])
    b = [P(p.data.copy()) for p in a]
    grads = [[rng.standard_normal(p.data.shape) for p in a] for _ in range(4)]
    opt_a, opt_b = cls(a, lr=lr, **kw), cls(b, lr=lr, **kw)
    for p, g in zip(a + b, grads[0] * 2):
        p.grad = g.astype(p.data.dtype)
    opt_a.step(), opt_b.step()  # a first step binds every .grad to its view
    update = opt_b.prepared()
    assert update != opt_b.step
    for gs in grads[1:]:
        for pa, pb, g in zip(a, b, gs):
            pa.grad = g.astype(pa.data.dtype)
            pb.grad[...] = g  # into the view, as FastMLP.step writes it
        opt_a.step()
        update()
    for pa, pb in zip(a, b):
        np.testing.assert_array_equal(pa.data, pb.data)
    sa, sb = opt_a.state_dict(), opt_b.state_dict()
    assert sa["t"] == sb["t"] == 4
    for ga, gb in zip(sa["param_groups"], sb["param_groups"]):
        assert ga.keys() == gb.keys()
        for k in ga:
            np.testing.assert_array_equal(ga[k], gb[k])


def test_prepared_is_step_itself_while_a_parameter_is_left_out():
    rng = np.random.default_rng(4)
    params = make_params(rng)
    opt = SGD(params, lr=0.1, momentum=0.9)
    assert opt.prepared() == opt.step  # no gradient yet: step decides per parameter
    for p in params:
        p.grad = np.ones_like(p.data)
    opt.step()
    assert opt.prepared() != opt.step
    params[1].requires_grad = False  # frozen
    assert opt.prepared() == opt.step
    params[1].requires_grad = True
    params[2].grad = None
    assert opt.prepared() == opt.step
    opt.step()  # without parameter 2: it takes one step fewer
    params[2].grad = np.ones_like(params[2].data)
    assert opt.prepared() == opt.step  # the counts differ: step handles them


def test_prepared_sees_a_changed_setting_when_asked_again():
    p = P(np.zeros(3), np.ones(3))
    opt = SGD([p], lr=0.5)
    opt.step()
    update = opt.prepared()
    opt.param_groups[0]["lr"] = 0.25
    opt.prepared()()
    np.testing.assert_array_equal(p.data, [-0.75, -0.75, -0.75])
    assert update != opt.prepared()


def test_schedules_moved_out_of_optim_with_a_deprecation_path():
    import glassnet.optim as optim_mod

    for name in ("StepLR", "get_schedule", "SCHEDULES", "AdaptiveLR"):
        with pytest.warns(DeprecationWarning, match=rf"glassnet.optim.{name} moved to glassnet"):
            assert getattr(optim_mod, name) is getattr(__import__("glassnet").schedules, name)
    with pytest.raises(AttributeError, match="has no attribute 'NoSuchLR'"):
        optim_mod.NoSuchLR  # noqa: B018


def test_a_prepared_step_after_zero_grad_or_a_load_is_a_checked_step():
    """zero_grad() (new .grad arrays follow) and load_state_dict() (new state) are what a
    prepared step cannot see: it runs step() then, and lands where step() does."""
    rng = np.random.default_rng(5)
    a = make_params(rng, shapes=[(3,), (2, 2)])
    b = [P(p.data.copy()) for p in a]
    opt_a, opt_b = Adam(a, lr=0.1), Adam(b, lr=0.1)
    for opt, ps in ((opt_a, a), (opt_b, b)):
        for p in ps:
            p.grad = np.ones_like(p.data)
        opt.step()
    update = opt_b.prepared()
    saved = opt_b.state_dict()
    for _ in range(3):
        g = [rng.standard_normal(p.data.shape) for p in a]
        for opt, ps in ((opt_a, a), (opt_b, b)):
            opt.zero_grad()  # .grad None: the next gradients are new arrays
            for p, gi in zip(ps, g):
                p.grad = gi.copy()
        opt_a.step()
        update()
        for pa, pb in zip(a, b):
            np.testing.assert_array_equal(pa.data, pb.data)
    opt_b.load_state_dict(saved)
    opt_a.load_state_dict(saved)
    opt_a.step()
    update()  # after the load: a checked step, with the loaded moments and counts
    for pa, pb in zip(a, b):
        np.testing.assert_array_equal(pa.data, pb.data)
    assert opt_a.state_dict()["t"] == opt_b.state_dict()["t"] == 2


@pytest.mark.parametrize(("cls", "ref", "lr", "kw"), CASES, ids=CASE_IDS)
def test_fresh_gradients_are_read_where_they_are_bit_for_bit(cls, ref, lr, kw):
    """A hand-written loop's backward() leaves each .grad a fresh array: above 65536 values
    in all, step reads them there instead of copying them into the flat buffer first. The
    weights and state equal those of the copying path (the same gradients written into the
    bound views) bit for bit, with a frozen parameter and one without a gradient among them;
    the fresh arrays stay the parameters' .grad, unchanged."""
    rng = np.random.default_rng(11)
    shapes, dtypes = [(300, 240), (240,), (7,), (240, 3)], (np.float32, np.float64)
    a = [P(rng.standard_normal(s).astype(dtypes[i % 2])) for i, s in enumerate(shapes)]
    b = [P(p.data.copy()) for p in a]
    opt_a, opt_b = cls(a, lr=lr, **kw), cls(b, lr=lr, **kw)
    for step in range(3):
        for i, (pa, pb) in enumerate(zip(a, b)):
            g = rng.standard_normal(pa.data.shape).astype(pa.data.dtype)
            pa.grad = None if (i == 2 and step == 1) else g  # a fresh array (or none)
            if pb.grad is None or pa.grad is None:
                pb.grad = None if pa.grad is None else g.copy()
            else:
                pb.grad[...] = g  # into the bound view: the copying path
        a[3].requires_grad = b[3].requires_grad = step != 2  # frozen in the last step
        fresh = [p.grad for p in a]
        before = [None if g is None else g.copy() for g in fresh]
        opt_a.step(), opt_b.step()
        for p, g, g0 in zip(a, fresh, before):
            assert p.grad is g  # read in place, left where it was
            if g is not None:
                np.testing.assert_array_equal(g, g0)
    for pa, pb in zip(a, b):
        np.testing.assert_array_equal(pa.data, pb.data)
    sa, sb = opt_a.state_dict(), opt_b.state_dict()
    for ga, gb in zip(sa["param_groups"], sb["param_groups"]):
        for k in ga:
            np.testing.assert_array_equal(ga[k], gb[k])


def test_a_gradient_that_is_the_weights_is_copied_not_read_in_place():
    """p.grad = p.data (the gradient of ||w||² / 2) is no fresh gradient to read in place:
    the update writes the weights, so it is copied first, and p.grad stops being p.data."""
    a, b = P(np.ones(70_000, np.float32)), P(np.ones(1_000, np.float32))
    for p in (a, b):
        opt = SGD([p], lr=0.1, weight_decay=0.1)
        p.grad = p.data
        opt.step()
        np.testing.assert_allclose(p.data, np.float32(1 - 0.1 * 0.1) - np.float32(0.1))
        assert p.grad is not p.data


@pytest.mark.parametrize("n", [1_000, 70_000])
def test_a_zero_learning_rate_with_an_infinite_gradient_is_nan_at_any_size(n):
    """BLAS's axpy skips a zero multiplier; NumPy's w - 0 inf is nan. Every size says nan."""
    p = P(np.ones(n, np.float32))
    opt = SGD([p], lr=0.1)
    opt.param_groups[0]["lr"] = 0.0
    p.grad = np.full(n, np.inf, np.float32)
    with np.errstate(invalid="ignore"):  # (0 * inf, as NumPy says)
        opt.step()
    assert np.isnan(p.data).all()


def test_a_graph_built_before_a_step_refuses_backward_after_it():
    # the step changes the weights in place: the old graph's gradients would be wrong
    import glassnet as gn

    m = gn.nn.MLP([2, 3, 1], rng=0, dtype=np.float64)
    opt = SGD(m.parameters(), lr=0.5)
    loss = (m(gn.Tensor(np.ones((4, 2)))) ** 2).mean()
    loss.backward()
    opt.step()
    opt.zero_grad()
    with pytest.raises(RuntimeError, match="was changed in place"):
        loss.backward()
    loss = (m(gn.Tensor(np.ones((4, 2)))) ** 2).mean()  # a graph of the new values
    loss.backward()
    opt.step()


def test_two_optimizers_over_the_same_parameters_in_other_orders_both_step():
    # the second one's packing is the first's (the same parameters): its group keeps its order
    import glassnet as gn

    m = gn.nn.MLP([2, 3, 1], rng=0, dtype=np.float64)
    ps = m.parameters()
    first, second = SGD(ps, lr=0.1), Adam(ps[::-1], lr=0.1)
    (m(gn.Tensor(np.ones((4, 2)))) ** 2).mean().backward()
    grads = [p.grad.copy() for p in ps]
    before = [p.data.copy() for p in ps]
    first.step()
    second.step()
    assert second.param_groups[0]["params"] == ps[::-1]
    for p, g, w in zip(ps, grads, before):  # SGD's step, then Adam's first (γ sign(g))
        np.testing.assert_allclose(p.data, w - 0.1 * g - 0.1 * np.sign(g), atol=1e-7)


def test_load_state_dict_refuses_non_finite_buffers_unless_told_finite_false():
    from glassnet import nn

    opt = Adam(nn.MLP([2, 3, 1], rng=0).parameters(), lr=0.1)
    for p in opt.params:
        p.grad = np.ones_like(p.data)
    opt.step()
    state = opt.state_dict()
    state["param_groups"][0]["v.0"][0] = np.inf  # (Adam's v = g² overflowed)
    with pytest.raises(ValueError, match="'v.0' contains NaN or inf"):
        opt.load_state_dict(state)
    opt.load_state_dict(state, finite=False)  # (a run's own state put back as it was)
    assert np.isinf(opt.state_dict()["param_groups"][0]["v.0"][0])
