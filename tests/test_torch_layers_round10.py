"""PyTorch's further MLP layers: nn.GELU, nn.SiLU, nn.ELU, nn.Softplus, nn.LayerNorm,
nn.LogSoftmax, nn.SmoothL1Loss, nn.KLDivLoss and their F functions (glassnet.nn.torch_layers,
glassnet.nn.losses).

Values and gradients are checked against formulas computed here, element by element with
``math`` (these run without torch, as CI does), and against torch where it is installed
(float64 to 1e-12, float32 to 1e-6); what the rest of glassnet does with the new modules
(fit, save/load, repr, ONNX export, explain) is checked too. The float64 finite-difference
checks are in tests/test_gradcheck_all.py.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pytest

import glassnet as gn
import glassnet.nn.functional as F
from glassnet import nn
from glassnet.nn import torch_layers as TL

RNG = np.random.default_rng(0)
X = np.concatenate([RNG.normal(0, 3, 60), [-30.0, -9.0, -5.0, -0.5, 0.0, 0.5, 5.0, 9.0, 30.0]])


def _grad(fn: Any, x: np.ndarray, dtype: Any = np.float64) -> tuple[np.ndarray, np.ndarray]:
    """fn(x) and d sum(fn(x)) / dx."""
    t = gn.Tensor(np.asarray(x, dtype=dtype), requires_grad=True)
    out = fn(t)
    out.backward(np.ones(out.shape, out.dtype))
    assert out.dtype == dtype and t.grad.dtype == dtype
    return out.data, t.grad


def _phi(v: float) -> float:
    return 0.5 * math.erfc(-v / math.sqrt(2))


# formulas from math, element by element: value, derivative
FORMULAS = {
    "gelu": (
        F.gelu,
        lambda v: v * _phi(v),
        lambda v: _phi(v) + v * math.exp(-v * v / 2) / math.sqrt(2 * math.pi),
    ),
    "gelu tanh": (
        lambda t: F.gelu(t, approximate="tanh"),
        lambda v: 0.5 * v * (1 + math.tanh(math.sqrt(2 / math.pi) * (v + 0.044715 * v**3))),
        lambda v: (
            0.5 * (1 + math.tanh(math.sqrt(2 / math.pi) * (v + 0.044715 * v**3)))
            + 0.5
            * v
            * (1 - math.tanh(math.sqrt(2 / math.pi) * (v + 0.044715 * v**3)) ** 2)
            * math.sqrt(2 / math.pi)
            * (1 + 3 * 0.044715 * v * v)
        ),
    ),
    "silu": (
        F.silu,
        lambda v: v / (1 + math.exp(-v)),
        lambda v: (1 / (1 + math.exp(-v))) * (1 + v * (1 - 1 / (1 + math.exp(-v)))),
    ),
    "elu alpha=0.7": (
        lambda t: F.elu(t, alpha=0.7),
        lambda v: v if v > 0 else 0.7 * math.expm1(v),
        lambda v: 1.0 if v > 0 else 0.7 * math.exp(v),
    ),
    "softplus beta=2 threshold=5": (
        lambda t: F.softplus(t, beta=2.0, threshold=5.0),
        lambda v: v if 2 * v > 5 else math.log1p(math.exp(2 * v)) / 2,
        lambda v: 1.0 if 2 * v > 5 else 1 / (1 + math.exp(-2 * v)),
    ),
}


@pytest.mark.parametrize("name", sorted(FORMULAS))
def test_activation_matches_its_formula_float64(name: str):
    fn, f, df = FORMULAS[name]
    value, grad = _grad(fn, X)
    want_v = np.array([f(v) for v in X])
    want_g = np.array([df(v) for v in X])
    np.testing.assert_allclose(value, want_v, rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(grad, want_g, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("name", sorted(FORMULAS))
def test_activation_float32_keeps_its_dtype_and_values(name: str):
    fn, f, df = FORMULAS[name]
    x32 = X.astype(np.float32)
    value, grad = _grad(fn, x32, np.float32)
    np.testing.assert_allclose(value, [f(float(v)) for v in x32], rtol=1e-6, atol=1e-30)
    np.testing.assert_allclose(grad, [df(float(v)) for v in x32], rtol=1e-6, atol=1e-7)


def test_erf_and_erfc_to_math_within_1e_15():
    x = np.concatenate([np.linspace(-27, 27, 20001), np.geomspace(1e-300, 1, 300)])
    x = np.concatenate([x, -x])
    e, c = TL.erf(x), TL.erfc(x)
    me, mc = np.array([math.erf(v) for v in x]), np.array([math.erfc(v) for v in x])
    nz = me != 0
    assert np.all(np.abs(e - me)[nz] <= 1e-15 * np.abs(me[nz]))
    assert np.array_equal(e[~nz], me[~nz])
    big = mc > 1e-300  # (below: subnormal numbers, 0 beyond x = 26.543)
    assert np.all(np.abs(c - mc)[big] <= 1e-15 * mc[big])
    np.testing.assert_array_equal(TL.erf([np.inf, -np.inf, 0.0]), [1.0, -1.0, 0.0])
    np.testing.assert_array_equal(TL.erfc([np.inf, -np.inf, 30.0]), [0.0, 2.0, 0.0])
    assert np.isnan(TL.erf([np.nan])).all() and np.isnan(TL.erfc([np.nan])).all()
    assert TL.erf(np.float32([0.5])).dtype == np.float32


EXTREME = [-np.inf, -1e4, 1e4, np.inf]
LIMITS = {  # values and gradients at EXTREME: the limits (PyTorch gives NaN at some of them)
    "gelu": (F.gelu, [0.0, 0.0, 1e4, np.inf], [0.0, 0.0, 1.0, 1.0]),
    "gelu tanh": (lambda t: F.gelu(t, "tanh"), [0.0, 0.0, 1e4, np.inf], [0.0, 0.0, 1.0, 1.0]),
    "silu": (F.silu, [0.0, 0.0, 1e4, np.inf], [0.0, 0.0, 1.0, 1.0]),
    "elu": (F.elu, [-1.0, -1.0, 1e4, np.inf], [0.0, 0.0, 1.0, 1.0]),
    "softplus": (F.softplus, [0.0, 0.0, 1e4, np.inf], [0.0, 0.0, 1.0, 1.0]),
    "softplus beta=3 threshold=inf": (
        lambda t: F.softplus(t, beta=3.0, threshold=np.inf),
        [0.0, 0.0, 1e4, np.inf],
        [0.0, 0.0, 1.0, 1.0],
    ),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(LIMITS))
def test_extreme_inputs_give_the_limits_without_warnings(name: str, dtype: Any):
    fn, want_v, want_g = LIMITS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # (an overflow or invalid value would warn)
        value, grad = _grad(fn, EXTREME, dtype)
    np.testing.assert_array_equal(value, np.array(want_v, dtype))
    np.testing.assert_array_equal(grad, np.array(want_g, dtype))


def test_elu_gradient_at_zero_is_alpha_as_pytorch():
    assert _grad(lambda t: F.elu(t, alpha=2.0), [0.0])[1][0] == 2.0


def test_layer_norm_matches_numpy_and_round_trips():
    x = RNG.normal(3, 2, (5, 2, 4))
    ln = nn.LayerNorm((2, 4), eps=1e-3, dtype=np.float64)
    ln.weight.data[...] = RNG.normal(size=(2, 4))
    ln.bias.data[...] = RNG.normal(size=(2, 4))
    mu = x.mean(axis=(1, 2), keepdims=True)
    var = ((x - mu) ** 2).mean(axis=(1, 2), keepdims=True)
    want = (x - mu) / np.sqrt(var + 1e-3) * ln.weight.data + ln.bias.data
    np.testing.assert_allclose(ln(x).data, want, rtol=1e-13, atol=1e-14)
    assert list(ln.state_dict()) == ["weight", "bias"]
    # the gradient of sum(y * r) w.r.t. x is orthogonal to constants and to x within a slice
    r = RNG.normal(size=x.shape)
    t = gn.Tensor(x, requires_grad=True)
    nn.LayerNorm((2, 4), elementwise_affine=False, dtype=np.float64)(t).backward(r)
    np.testing.assert_allclose(t.grad.sum(axis=(1, 2)), 0, atol=1e-12)
    assert ln.weight.grad is None  # (that one was not in this graph)


def test_layer_norm_options_and_dtypes():
    assert nn.LayerNorm(4).weight.dtype == np.float32
    assert nn.LayerNorm(4, bias=False).bias is None
    assert list(nn.LayerNorm(4, bias=False).state_dict()) == ["weight"]
    assert nn.LayerNorm(4, elementwise_affine=False).parameters() == []
    assert nn.LayerNorm(4)(np.ones((2, 4), np.float32)).dtype == np.float32
    y = nn.LayerNorm(4, dtype=np.float64)(np.full((3, 4), 7.0)).data  # constant rows: 0
    np.testing.assert_array_equal(y, np.zeros((3, 4)))


def test_layer_norm_state_dict_and_model_round_trip(tmp_path: Any):
    model = nn.Sequential(
        nn.Linear(3, 4, rng=0), nn.LayerNorm(4), nn.GELU(), nn.Linear(4, 1, rng=1)
    )
    for p in model.parameters():
        p.data[...] = RNG.normal(size=p.shape)
    x = RNG.normal(size=(6, 3))
    gn.save(model.state_dict(), tmp_path / "state.gn")
    state = gn.load(tmp_path / "state.gn")
    assert list(state) == [
        "layers.0.W",
        "layers.0.b",
        "layers.1.weight",
        "layers.1.bias",
        "layers.3.W",
        "layers.3.b",
    ]
    other = nn.Sequential(nn.Linear(3, 4), nn.LayerNorm(4), nn.GELU(), nn.Linear(4, 1))
    other.load_state_dict(state)
    np.testing.assert_array_equal(other.predict(x), model.predict(x))
    gn.save(model, tmp_path / "model.gn")  # the whole model: from_config rebuilds each layer
    again = gn.load(tmp_path / "model.gn")
    assert repr(again) == repr(model)
    np.testing.assert_array_equal(again.predict(x), model.predict(x))


REPRS = {  # PyTorch 2.13's repr of each
    "GELU(approximate='none')": lambda: nn.GELU(),
    "GELU(approximate='tanh')": lambda: nn.GELU("tanh"),
    "SiLU()": lambda: nn.SiLU(),
    "ELU(alpha=1.0)": lambda: nn.ELU(),
    "Softplus(beta=1.0, threshold=20.0)": lambda: nn.Softplus(),
    "LogSoftmax(dim=1)": lambda: nn.LogSoftmax(dim=1),
    "LayerNorm((4,), eps=1e-05, elementwise_affine=True, bias=True)": lambda: nn.LayerNorm(4),
    "LayerNorm((3,), eps=1e-05, elementwise_affine=False, bias=False)": lambda: nn.LayerNorm(
        3, elementwise_affine=False
    ),
}


@pytest.mark.parametrize("text", sorted(REPRS))
def test_repr_and_config_round_trip(text: str):
    module = REPRS[text]()
    assert repr(module) == text
    rebuilt = nn.from_config(module.config())
    assert type(rebuilt) is type(module) and repr(rebuilt) == repr(module)


@pytest.mark.parametrize(
    "act", [nn.GELU(), nn.GELU("tanh"), nn.SiLU(), nn.ELU(), nn.Softplus()], ids=repr
)
def test_fit_trains_on_the_graph_and_fused_refuses(act: Any):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(64, 3))
    y = (x[:, :1] * x[:, 1:2] > 0).astype(float)
    model = nn.Sequential(nn.Linear(3, 8, rng=0), act, nn.LayerNorm(8), nn.Linear(8, 1, rng=1))
    before = float(((model.predict(x) - y) ** 2).mean())
    history = gn.fit(model, x, y, epochs=40, lr=0.05)
    assert history.engine == "graph"
    assert float(((model.predict(x) - y) ** 2).mean()) < 0.7 * before
    with pytest.raises(ValueError, match="engine='fused' handles"):
        gn.fit(model, x, y, epochs=1, engine="fused")


def test_log_softmax_with_nll_loss_trains_and_matches_cross_entropy():
    rng = np.random.default_rng(2)
    x, labels = rng.normal(size=(30, 4)), rng.integers(0, 3, 30)
    z = rng.normal(size=(30, 3))
    a = nn.NLLLoss()(nn.LogSoftmax(dim=1)(z), labels).item()
    assert a == pytest.approx(nn.CrossEntropyLoss()(z, labels).item(), rel=1e-12)
    model = nn.Sequential(nn.Linear(4, 3, rng=0), nn.LogSoftmax(dim=1))
    history = gn.fit(model, x, labels, loss=nn.NLLLoss(), epochs=30, lr=0.1)
    assert history.engine == "graph"
    assert history.loss[-1] < history.loss[0]
    with pytest.raises(ValueError, match="implicit"):
        nn.LogSoftmax()(np.zeros((2, 3, 4)))
    np.testing.assert_allclose(
        nn.LogSoftmax(0)(z).data, z - np.log(np.exp(z).sum(axis=0)), rtol=1e-12
    )


@pytest.mark.parametrize("module", [nn.GELU(), nn.SiLU(), nn.LayerNorm(4)], ids=repr)
def test_onnx_export_and_explain_refuse_naming_the_module(module: Any, tmp_path: Any):
    from glassnet import onnx

    model = nn.Sequential(nn.Linear(3, 4), module, nn.Linear(4, 1))
    name = type(module).__name__
    with pytest.raises(TypeError, match=f"holds a {name}"):
        onnx.export(model, tmp_path / "m.onnx")
    with pytest.raises(TypeError, match=f"holds a {name}"):
        gn.explain(model, np.zeros((2, 3)), np.zeros((2, 1)))


# ------------------------------------------------------------------------------ losses
def test_smooth_l1_matches_its_formula():
    x, y = RNG.normal(0, 2, (6, 3)), RNG.normal(0, 2, (6, 3))
    for beta in (1.0, 0.5, 0.0):
        d = x - y
        per = np.where(np.abs(d) < beta, 0.5 * d * d / (beta or 1), np.abs(d) - 0.5 * beta)
        for red, want in (("none", per), ("sum", per.sum()), ("mean", per.mean())):
            got = F.smooth_l1_loss(x, y, reduction=red, beta=beta).data
            np.testing.assert_allclose(got, want, rtol=1e-13)
            got = nn.SmoothL1Loss(reduction=red, beta=beta)(x, y).data
            np.testing.assert_allclose(got, want, rtol=1e-13)
        _, g = _grad(lambda t, b=beta: F.smooth_l1_loss(t, y, reduction="sum", beta=b), x)
        np.testing.assert_allclose(g, np.where(np.abs(d) < beta, d / (beta or 1), np.sign(d)))


def test_kl_div_matches_its_formula_and_warns_on_mean_as_pytorch():
    logp = np.log(RNG.dirichlet(np.ones(4), 5))
    q = RNG.dirichlet(np.ones(4), 5)
    q[0, 2] = 0.0  # (no term)
    per = np.where(q > 0, q * (np.log(np.where(q > 0, q, 1)) - logp), 0.0)
    cases = (("none", per), ("sum", per.sum()), ("batchmean", per.sum() / 5))
    for red, want in cases:
        np.testing.assert_allclose(F.kl_div(logp, q, reduction=red).data, want, rtol=1e-13)
    with pytest.warns(UserWarning, match="batchmean"):
        got = nn.KLDivLoss()(logp, q).item()
    assert got == pytest.approx(per.mean(), rel=1e-13)
    logq = np.log(RNG.dirichlet(np.ones(4), 5))
    want = (np.exp(logq) * (logq - logp)).sum()
    got = F.kl_div(logp, logq, reduction="sum", log_target=True).item()
    assert got == pytest.approx(want, rel=1e-13)
    _, g = _grad(lambda t: F.kl_div(t, q, reduction="sum"), logp)
    np.testing.assert_allclose(g, -q, rtol=1e-15)


def test_kl_div_masked_class_is_zero_not_nan():
    logp = np.array([[-np.inf, 0.0]])
    value, g = _grad(lambda t: F.kl_div(t, [[0.0, 1.0]], reduction="sum"), logp)
    assert value == 0.0 and np.array_equal(g, [[0.0, -1.0]])


def test_fit_trains_with_smooth_l1_and_kl_div_losses():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(64, 3))
    model = nn.Sequential(nn.Linear(3, 8, rng=0), nn.ELU(), nn.Linear(8, 1, rng=1))
    history = gn.fit(
        model, x, 2 * x[:, :1] + 0.1, loss=nn.SmoothL1Loss(beta=0.5), epochs=40, lr=0.05
    )
    assert history.engine == "graph" and history.loss[-1] < 0.7 * history.loss[0]
    targets = rng.dirichlet(np.ones(3), 64)
    model = nn.Sequential(nn.Linear(3, 3, rng=0), nn.LogSoftmax(dim=1))
    history = gn.fit(
        model, x, targets, loss=nn.KLDivLoss(reduction="batchmean"), epochs=40, lr=0.05
    )
    assert history.engine == "graph" and history.loss[-1] < history.loss[0]


def test_kl_div_mean_warning_names_the_callers_line():
    logp, q = np.log(np.full((2, 2), 0.5)), np.full((2, 2), 0.5)
    for call in (lambda: nn.KLDivLoss()(logp, q), lambda: F.kl_div(logp, q)):
        with pytest.warns(UserWarning, match="batchmean") as caught:
            call()
        assert caught[0].filename == __file__


class _GPUArray(np.ndarray):
    """An array the backend reads as CuPy's (its class's module is cupy's)."""


_GPUArray.__module__ = "cupy._core.core"


@pytest.mark.parametrize("fn", [F.gelu, F.silu, F.elu, F.softplus], ids=lambda f: f.__name__)
def test_elementwise_ops_refuse_a_gpu_array_saying_so(fn: Any):
    t = gn.Tensor(np.zeros(3))
    t.data = np.zeros(3).view(_GPUArray)
    with pytest.raises(TypeError, match="NumPy arrays .the CPU. only"):
        fn(t)


# ------------------------------------------------------------------------------ refusals
REFUSED = {
    "GELU approximate": (lambda: nn.GELU("exact"), "approximate"),
    "gelu approximate": (lambda: F.gelu(np.zeros(2), approximate=True), "approximate"),
    "SiLU inplace": (lambda: nn.SiLU(inplace=True), "inplace"),
    "silu inplace 1": (lambda: F.silu(np.zeros(2), inplace=1), "inplace"),
    "ELU inplace": (lambda: nn.ELU(inplace=True), "inplace"),
    "ELU alpha": (lambda: nn.ELU(alpha="1"), "alpha"),
    "elu alpha nan": (lambda: F.elu(np.zeros(2), alpha=float("nan")), "alpha"),
    "Softplus beta 0": (lambda: nn.Softplus(beta=0), "beta"),
    "Softplus threshold nan": (lambda: nn.Softplus(threshold=float("nan")), "threshold"),
    "LayerNorm 0": (lambda: nn.LayerNorm(0), "normalized_shape"),
    "LayerNorm float": (lambda: nn.LayerNorm(4.0), "normalized_shape"),
    "LayerNorm empty": (lambda: nn.LayerNorm(()), "normalized_shape"),
    "LayerNorm eps": (lambda: nn.LayerNorm(4, eps=-1), "eps"),
    "LayerNorm affine": (lambda: nn.LayerNorm(4, elementwise_affine=1), "elementwise_affine"),
    "LayerNorm dtype": (lambda: nn.LayerNorm(4, dtype=np.int64), "dtype"),
    "LayerNorm shape": (lambda: nn.LayerNorm(4)(np.zeros((2, 3))), "last 1 axes"),
    "layer_norm weight": (lambda: F.layer_norm(np.zeros((2, 3)), 3, np.ones(2)), "weight"),
    "LogSoftmax dim": (lambda: nn.LogSoftmax(dim=1.0), "dim"),
    "SmoothL1Loss beta": (lambda: nn.SmoothL1Loss(beta=-1.0), "beta"),
    "SmoothL1Loss legacy": (lambda: nn.SmoothL1Loss("sum"), "size_average"),
    "SmoothL1Loss shapes": (lambda: nn.SmoothL1Loss()(np.zeros((4, 1)), np.zeros(4)), "shape"),
    "KLDivLoss reduction": (lambda: nn.KLDivLoss(reduction="avg"), "batchmean"),
    "KLDivLoss log_target": (lambda: nn.KLDivLoss(log_target="yes"), "log_target"),
    "KLDivLoss target": (
        lambda: nn.KLDivLoss(reduction="sum")(np.zeros((1, 2)), [[-0.5, 1.5]]),
        "log_target=True",
    ),
    "kl_div positional reduction": (lambda: F.kl_div(np.zeros(2), np.ones(2), "sum"), "positional"),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_bad_arguments_are_refused_naming_them(name: str):
    call, words = REFUSED[name]
    with pytest.raises((ValueError, TypeError), match=words):
        call()


# ------------------------------------------------------------------------------ PyTorch
def _torch_cases(torch: Any) -> dict[str, tuple[Any, Any]]:
    TF = torch.nn.functional
    return {
        "gelu": (F.gelu, TF.gelu),
        "gelu tanh": (lambda t: F.gelu(t, "tanh"), lambda t: TF.gelu(t, approximate="tanh")),
        "silu": (F.silu, TF.silu),
        "elu": (lambda t: F.elu(t, 0.7), lambda t: TF.elu(t, 0.7)),
        "softplus": (lambda t: F.softplus(t, 2.0, 3.0), lambda t: TF.softplus(t, 2.0, 3.0)),
        "softplus beta<0": (lambda t: F.softplus(t, -1.5), lambda t: TF.softplus(t, -1.5)),
        "layer_norm": (lambda t: F.layer_norm(t, (4,)), lambda t: TF.layer_norm(t, (4,))),
        "LogSoftmax": (nn.LogSoftmax(1), torch.nn.LogSoftmax(1)),
    }


TORCH_NAMES = ["gelu", "gelu tanh", "silu", "elu", "softplus", "softplus beta<0"]
TORCH_NAMES += ["layer_norm", "LogSoftmax"]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", TORCH_NAMES)
def test_values_and_gradients_match_torch(name: str, dtype: Any):
    torch = pytest.importorskip("torch")
    ours, theirs = _torch_cases(torch)[name]
    x = np.concatenate([X, [-1e4, 1e4]])[:68].reshape(17, 4).astype(dtype)
    r = RNG.normal(size=x.shape).astype(dtype)
    t = gn.Tensor(x, requires_grad=True)
    out = ours(t)
    out.backward(r)
    tx = torch.tensor(x, requires_grad=True)
    tout = theirs(tx)
    tout.backward(torch.tensor(r))
    # float64: 1e-12 relative (and 1e-14 absolute: PyTorch's exact GELU computes
    # 1 + erf(x/√2), which loses the digits of a small Φ(x) at x < -5 that erfc keeps)
    rtol, atol = (1e-12, 1e-14) if dtype == np.float64 else (1e-6, 1e-6)
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=rtol, atol=atol)
    np.testing.assert_allclose(t.grad, tx.grad.numpy(), rtol=rtol, atol=atol)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_losses_match_torch(dtype: Any):
    torch = pytest.importorskip("torch")
    TF = torch.nn.functional
    x, y = RNG.normal(0, 2, (6, 3)).astype(dtype), RNG.normal(0, 2, (6, 3)).astype(dtype)
    logp = np.log(RNG.dirichlet(np.ones(3), 6)).astype(dtype)
    q = RNG.dirichlet(np.ones(3), 6).astype(dtype)
    # (float32: y (log y − x) and PyTorch's xlogy(y, y) − y x round differently, an ulp of
    # the terms: 1e-6 absolute, as the activations')
    rtol, atol = (1e-12, 1e-15) if dtype == np.float64 else (1e-6, 1e-6)
    pairs = []
    for red in ("mean", "sum", "none"):
        for beta in (1.0, 0.3, 0.0):
            pairs.append(
                (
                    x,
                    lambda t, r=red, b=beta: F.smooth_l1_loss(t, y, reduction=r, beta=b),
                    lambda t, r=red, b=beta: TF.smooth_l1_loss(
                        t, torch.tensor(y), reduction=r, beta=b
                    ),
                )
            )
    for red in ("mean", "batchmean", "sum", "none"):
        for log_target, target in ((False, q), (True, np.log(q))):
            pairs.append(
                (
                    logp,
                    lambda t, r=red, lt=log_target, tg=target: F.kl_div(
                        t, tg, reduction=r, log_target=lt
                    ),
                    lambda t, r=red, lt=log_target, tg=target: TF.kl_div(
                        t, torch.tensor(tg), reduction=r, log_target=lt
                    ),
                )
            )
    for inp, ours, theirs in pairs:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # ('mean' warns in both)
            t = gn.Tensor(inp, requires_grad=True)
            out = ours(t)
            tx = torch.tensor(inp, requires_grad=True)
            tout = theirs(tx)
        out.backward(np.ones(out.shape, dtype))
        tout.backward(torch.ones_like(tout))
        np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=rtol, atol=atol)
        np.testing.assert_allclose(t.grad, tx.grad.numpy(), rtol=rtol, atol=atol)


def test_reprs_match_torch():
    torch = pytest.importorskip("torch")
    tnn = torch.nn
    theirs = {
        "GELU(approximate='none')": tnn.GELU(),
        "GELU(approximate='tanh')": tnn.GELU("tanh"),
        "SiLU()": tnn.SiLU(),
        "ELU(alpha=1.0)": tnn.ELU(),
        "Softplus(beta=1.0, threshold=20.0)": tnn.Softplus(),
        "LogSoftmax(dim=1)": tnn.LogSoftmax(dim=1),
        "LayerNorm((4,), eps=1e-05, elementwise_affine=True, bias=True)": tnn.LayerNorm(4),
        "LayerNorm((3,), eps=1e-05, elementwise_affine=False, bias=False)": tnn.LayerNorm(
            3, elementwise_affine=False
        ),
    }
    for text, module in theirs.items():
        assert repr(module) == text == repr(REPRS[text]())


def test_layer_norm_loads_a_torch_state_dict_by_its_names():
    torch = pytest.importorskip("torch")
    theirs = torch.nn.LayerNorm(4, dtype=torch.float64)
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(RNG.normal(size=4)))
        theirs.bias.copy_(torch.tensor(RNG.normal(size=4)))
    ours = nn.LayerNorm(4, dtype=np.float64)
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    x = RNG.normal(size=(3, 4))
    want = theirs(torch.tensor(x)).detach().numpy()
    np.testing.assert_allclose(ours(x).data, want, rtol=1e-12, atol=1e-14)


def test_cross_entropy_on_a_column_of_labels_says_how_to_pass_them():
    # a loss function given to fit gets y as a float column (N, 1); F.cross_entropy on it
    # advised "y.reshape(-1, 1) for one output", the shape it already had
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = (X[:, 0] > 0).astype(int)
    with pytest.raises(ValueError, match=r"one column \(60, 1\) beside 2 classes.*astype\(int\)"):
        gn.fit(gn.nn.MLP([3, 4, 2], rng=0), X, y, loss=lambda o, t: F.cross_entropy(o, t), epochs=1)
    h = gn.fit(gn.nn.MLP([3, 4, 2], rng=0), X, y, epochs=3, lr=0.5,
               loss=lambda o, t: F.cross_entropy(o, t[:, 0].astype(int)))  # fmt: skip
    assert h.loss[-1] < h.loss[0]


def test_layer_norm_of_a_constant_float32_row_is_zero():
    # float32's mean of 777 copies of 12345.678 is not 12345.678: the rest, divided by
    # sqrt(eps), normalised every value to -0.295 (PyTorch: 0)
    x = np.full((2, 777), 12345.678, np.float32)
    x[1] = 1000.1
    ln = nn.LayerNorm(777)
    ln.bias.data[...] = 0.5
    y = ln(gn.Tensor(x, requires_grad=True))
    assert y.data.dtype == np.float32
    np.testing.assert_array_equal(y.data, 0.5)
    y.sum().backward()
    np.testing.assert_array_equal(ln.weight.grad, 0.0)  # (dL/dweight = sum of x-hat)


def test_kl_div_keeps_a_nan_input_beside_a_target_of_zero():
    # the 0 term hid it: loss 1.0 for a model output of NaN (PyTorch: NaN)
    x = gn.Tensor(np.array([[np.nan, -1.0]]), requires_grad=True)
    loss = nn.KLDivLoss(reduction="sum")(x, np.array([[0.0, 1.0]]))
    assert np.isnan(loss.data)
    fine = nn.KLDivLoss(reduction="sum")(gn.Tensor([[0.5, -1.0]]), [[0.0, 1.0]])
    assert fine.data == 1.0  # (a finite input beside a target 0: its term is 0)


def test_smooth_l1_with_a_tiny_beta_stays_finite():
    # 0.5 / beta overflowed for beta below 2.8e-309: NaN loss and gradient at d = 0
    x = gn.Tensor(np.array([0.0, 1e-320, 1.0]), requires_grad=True)
    loss = nn.SmoothL1Loss(reduction="sum", beta=1e-310)(x, np.zeros(3))
    loss.backward()
    assert loss.data == pytest.approx(1.0) and np.isfinite(x.grad).all()
    assert x.grad[0] == 0.0 and x.grad[2] == 1.0


def test_kl_div_nan_beside_a_target_of_zero_takes_no_gradient():
    # the NaN kept in the loss came with dL/dx = +1 there (x itself spliced in); PyTorch's
    # derivative there is -y = 0
    x = gn.Tensor(np.array([[np.nan, -1.0]]), requires_grad=True)
    nn.KLDivLoss(reduction="sum")(x, np.array([[0.0, 0.5]])).backward()
    np.testing.assert_array_equal(x.grad, [[0.0, -0.5]])
