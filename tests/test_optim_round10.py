"""PyTorch's Adagrad, Adadelta, Adamax, NAdam and RAdam in glassnet.optim: the same weights
as torch.optim's (where torch is installed) and as the algorithms written out below from
PyTorch's documented pseudo-code; fit, fit_many, the CLI, the captured step, checkpoints and
the checks of their arguments."""

from __future__ import annotations

import contextlib
import inspect
import io
import re

import numpy as np
import pytest
import test_backend as tb
import test_capture as tc

import glassnet as gn
from glassnet import nn, optim
from glassnet.cli import main
from glassnet.io import load_model
from glassnet.many import fit_many

NEW = {"adagrad": optim.Adagrad, "adadelta": optim.Adadelta, "adamax": optim.Adamax,
       "nadam": optim.NAdam, "radam": optim.RAdam}  # fmt: skip


class P:
    def __init__(self, data: np.ndarray) -> None:
        self.data, self.grad = data, None


# ---------------------------------------------------------------------------
# the algorithms as PyTorch's documentation writes them (one parameter, plain NumPy)
# ---------------------------------------------------------------------------


def ref_adagrad(w, grads, lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0,
                eps=1e-10):  # fmt: skip
    s = np.full_like(w, initial_accumulator_value)
    for t, g in enumerate(grads, start=1):
        g = g + weight_decay * w
        s = s + g**2
        w = w - lr / (1 + (t - 1) * lr_decay) * g / (np.sqrt(s) + eps)
    return w


def ref_adadelta(w, grads, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0):
    v, u = np.zeros_like(w), np.zeros_like(w)
    for g in grads:
        g = g + weight_decay * w
        v = v * rho + g**2 * (1 - rho)
        dx = np.sqrt(u + eps) / np.sqrt(v + eps) * g
        u = u * rho + dx**2 * (1 - rho)
        w = w - lr * dx
    return w


def ref_adamax(w, grads, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    (b1, b2), m, u = betas, np.zeros_like(w), np.zeros_like(w)
    for t, g in enumerate(grads, start=1):
        g = g + weight_decay * w
        m = b1 * m + (1 - b1) * g
        u = np.maximum(b2 * u, np.abs(g) + eps)
        w = w - lr * m / ((1 - b1**t) * u)
    return w


def _decay(w, g, lr, weight_decay, decoupled):
    """NAdam's and RAdam's first lines: θ ← θ − γλθ, or g ← g + λθ."""
    return (w - lr * weight_decay * w, g) if decoupled else (w, g + weight_decay * w)


def ref_nadam(w, grads, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
              momentum_decay=4e-3, decoupled_weight_decay=False):  # fmt: skip
    (b1, b2), m, v = betas, np.zeros_like(w), np.zeros_like(w)
    mus = [b1 * (1 - 0.5 * 0.96 ** (i * momentum_decay)) for i in range(1, len(grads) + 2)]
    for t, g in enumerate(grads, start=1):
        w, g = _decay(w, g, lr, weight_decay, decoupled_weight_decay)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        m_hat = mus[t] * m / (1 - np.prod(mus[: t + 1])) + (1 - mus[t - 1]) * g / (
            1 - np.prod(mus[:t])
        )
        w = w - lr * m_hat / (np.sqrt(v / (1 - b2**t)) + eps)
    return w


def ref_radam(w, grads, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
              decoupled_weight_decay=False):  # fmt: skip
    (b1, b2), m, v = betas, np.zeros_like(w), np.zeros_like(w)
    rho_inf = 2 / (1 - b2) - 1
    for t, g in enumerate(grads, start=1):
        w, g = _decay(w, g, lr, weight_decay, decoupled_weight_decay)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        m_hat = m / (1 - b1**t)
        rho = rho_inf - 2 * t * b2**t / (1 - b2**t)
        if rho > 5:
            l_t = np.sqrt(1 - b2**t) / (np.sqrt(v) + eps)
            r_t = np.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
            w = w - lr * m_hat * r_t * l_t
        else:
            w = w - lr * m_hat
    return w


REFS = {"adagrad": ref_adagrad, "adadelta": ref_adadelta, "adamax": ref_adamax,
        "nadam": ref_nadam, "radam": ref_radam}  # fmt: skip

# every setting of each: the defaults, then each option away from its default
CASES = [
    ("adagrad", {}),
    ("adagrad", {"lr": 0.1, "lr_decay": 0.1, "weight_decay": 0.1,
                 "initial_accumulator_value": 0.5, "eps": 1e-3}),
    ("adadelta", {}),
    ("adadelta", {"lr": 0.5, "rho": 0.6, "eps": 1e-3, "weight_decay": 0.1}),
    ("adamax", {}),
    ("adamax", {"lr": 0.01, "betas": (0.5, 0.8), "eps": 1e-3, "weight_decay": 0.1}),
    ("nadam", {}),
    ("nadam", {"lr": 0.01, "betas": (0.8, 0.9), "eps": 1e-3, "weight_decay": 0.1,
               "momentum_decay": 0.05}),
    ("nadam", {"weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("radam", {}),  # (β₂ = 0.999: ρₜ passes 5 at step 6)
    ("radam", {"lr": 0.01, "betas": (0.8, 0.9), "eps": 1e-3, "weight_decay": 0.1}),
    ("radam", {"weight_decay": 0.1, "decoupled_weight_decay": True}),
]  # fmt: skip
IDS = [f"{n}-{'-'.join(f'{k}={v}' for k, v in kw.items()) or 'defaults'}" for n, kw in CASES]
# a second param group's own settings (its weight decay on where the first's is off, and off
# where it is on), each class's other settings too
SECOND = {
    "adagrad": {"lr": 0.05, "lr_decay": 0.02},
    "adadelta": {"lr": 2.0, "rho": 0.7},
    "adamax": {"lr": 0.02, "betas": (0.7, 0.95)},
    "nadam": {"lr": 0.03, "momentum_decay": 0.01, "decoupled_weight_decay": True},
    "radam": {"lr": 0.03, "betas": (0.6, 0.99), "decoupled_weight_decay": True},
}
STEPS = 12


def _second(name, kw):
    return {**SECOND[name], "weight_decay": 0.0 if kw.get("weight_decay") else 0.05}


def _gradients(rng, shapes, dtype):
    return [[rng.standard_normal(s).astype(dtype) for s in shapes] for _ in range(STEPS)]


# ---------------------------------------------------------------------------
# (1) against torch.optim
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(("name", "kw"), CASES, ids=IDS)
def test_same_weights_as_torch(name, kw, dtype):
    """Two param groups with settings of their own, a learning rate changed mid-run (as a
    schedule changes it), and a parameter that sits out two steps (no gradient: its own step
    count falls behind, as in PyTorch)."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    shapes = [(3, 4), (4,), (2,), ()]
    params = [P(rng.standard_normal(s).astype(dtype)) for s in shapes]
    tparams = [torch.tensor(p.data.copy(), requires_grad=True) for p in params]
    second = _second(name, kw)
    opt = NEW[name]([{"params": params[:2]}, {"params": params[2:], **second}], **kw)
    old = torch.get_default_dtype()  # (NAdam's running product μ₁⋯μₜ has the default dtype)
    torch.set_default_dtype(torch.float64 if dtype == np.float64 else torch.float32)
    try:
        topt = getattr(torch.optim, NEW[name].__name__)(
            [{"params": tparams[:2]}, {"params": tparams[2:], **second}], **kw
        )
        for step, grads in enumerate(_gradients(rng, shapes, dtype)):
            for i, (p, tp, g) in enumerate(zip(params, tparams, grads)):
                sits_out = i == 2 and step in (3, 4)
                p.grad = None if sits_out else g.copy()
                tp.grad = None if sits_out else torch.tensor(g)
            if step == 7:
                for group, tgroup in zip(opt.param_groups, topt.param_groups):
                    group["lr"] = tgroup["lr"] = tgroup["lr"] / 3
            opt.step()
            topt.step()
    finally:
        torch.set_default_dtype(old)
    rtol, atol = (1e-12, 1e-14) if dtype == np.float64 else (2e-6, 1e-7)
    for p, tp in zip(params, tparams):
        assert p.data.dtype == dtype
        np.testing.assert_allclose(p.data, tp.detach().numpy(), rtol=rtol, atol=atol)


def test_signatures_are_torchs():
    """The positional order and defaults are PyTorch's; its options glassnet does not have
    (foreach, maximize, capturable, differentiable, fused) are refused as Adam refuses them."""
    torch = pytest.importorskip("torch")
    for cls in NEW.values():
        ours = list(inspect.signature(cls).parameters.values())
        theirs = list(inspect.signature(getattr(torch.optim, cls.__name__)).parameters.values())
        assert [(q.name, q.default) for q in ours] == [(q.name, q.default) for q in theirs][
            : len(ours)
        ]
        assert {q.name for q in theirs[len(ours) :]} <= {
            "foreach", "maximize", "capturable", "differentiable", "fused"
        }  # fmt: skip


# ---------------------------------------------------------------------------
# (2) against the documented algorithms (no torch needed)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["step", "prepared"])
@pytest.mark.parametrize(("name", "kw"), CASES, ids=IDS)
def test_same_weights_as_the_documented_algorithm(name, kw, mode):
    rng = np.random.default_rng(7)
    shapes = [(3, 4), (5,), ()]
    params = [P(rng.standard_normal(s)) for s in shapes]
    start = [p.data.copy() for p in params]
    second = _second(name, kw)
    opt = NEW[name]([{"params": params[:2]}, {"params": params[2:], **second}], **kw)
    grads = _gradients(rng, shapes, np.float64)
    update = opt.step
    for step in grads:
        for p, g in zip(params, step):
            if update == opt.step:  # (bound to the flat buffers by the first step)
                p.grad = g.copy()
            else:
                p.grad[...] = g  # (a prepared step: gradients written in place)
        update()
        update = opt.prepared() if mode == "prepared" else opt.step
    for i, (p, w0) in enumerate(zip(params, start)):
        mine = [s[i] for s in grads]
        want = REFS[name](w0, mine, **{**kw, **(second if i >= 2 else {})})
        np.testing.assert_allclose(p.data, want, rtol=1e-12, atol=1e-14)


def test_a_groups_own_initial_accumulator_value_starts_its_sums():
    a, b = P(np.ones(2)), P(np.ones(2))
    opt = optim.Adagrad([{"params": [a]}, {"params": [b], "initial_accumulator_value": 3.0}])
    assert [s["sum.0"].tolist() for s in opt.state_dict()["param_groups"]] == [[0, 0], [3, 3]]
    a.grad, b.grad = np.ones(2), np.ones(2)
    opt.step()
    np.testing.assert_allclose(b.data, ref_adagrad(np.ones(2), [np.ones(2)], 1e-2, 0, 0, 3.0))


def test_radam_switches_to_the_rectified_step_when_rho_t_passes_5():
    """β₂ = 0.9: ρ∞ = 19, ρ₅ ≈ 4.6, ρ₆ ≈ 5.4. Until step 5 a step is γ m/(1 − β₁ᵗ), the same
    whatever v holds; from step 6 it is divided by √v."""
    for scale in (1.0, 100.0):
        p = P(np.zeros(1))
        opt = optim.RAdam([p], lr=0.1, betas=(0.5, 0.9))
        moves = []
        for _ in range(6):
            before = p.data.copy()
            p.grad = np.full(1, scale)
            opt.step()
            moves.append(float((before - p.data)[0]))
        np.testing.assert_allclose(moves[:5], [0.1 * scale] * 5, rtol=1e-12)  # m/(1 − β₁ᵗ) = g
        assert moves[5] == pytest.approx(0.1 * _radam_rect(6, 0.9), rel=1e-6)  # γ rₜ g/|g|


def _radam_rect(t, b2):
    inf = 2 / (1 - b2) - 1
    rho = inf - 2 * t * b2**t / (1 - b2**t)
    return np.sqrt((rho - 4) * (rho - 2) * inf / ((inf - 4) * (inf - 2) * rho))


def test_nadam_keeps_its_running_product_per_value_as_pytorch_with_a_cycled_beta1():
    # PyTorch's mu_product is a running product: each step multiplies in that step's mu_t,
    # with the beta1 of that moment; a schedule that cycles beta1 (OneCycleLR) must not
    # recompute the past steps' mus with today's beta1 (that drifted 9e-7 from torch in 200
    # steps, and cost O(t) a step)
    p = P(np.full(3, 0.5))
    opt = optim.NAdam([p], lr=0.01, momentum_decay=0.1)
    rng = np.random.default_rng(0)
    m = v = np.zeros(3)
    w, prod = p.data.copy(), 1.0
    for t in range(1, 30):
        b1 = 0.85 + 0.1 * ((t % 7) / 7)  # a cycled beta1
        opt.param_groups[0]["betas"] = (b1, 0.999)
        g = rng.normal(size=3)
        p.grad = g.copy()
        opt.step()
        mu = b1 * (1 - 0.5 * 0.96 ** (t * 0.1))
        mu_next = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * 0.1))
        prod *= mu
        m = b1 * m + (1 - b1) * g
        v = 0.999 * v + 0.001 * g * g
        s = np.sqrt(v / (1 - 0.999**t)) + 1e-8
        w = w - 0.01 * (1 - mu) / (1 - prod) * g / s - 0.01 * mu_next / (1 - prod * mu_next) * m / s
        np.testing.assert_allclose(p.data, w, rtol=1e-12)
    st = opt.state_dict()
    assert any("mu_product" in str(k) for k in str(st).split(","))


# ---------------------------------------------------------------------------
# (3) fit, checkpoints, fit_many, the CLI, engines
# ---------------------------------------------------------------------------


def _task():
    X, y = gn.datasets.make_moons(80, noise=0.1, seed=0)
    return X, y


def _fit(model, opt, start, stop, **kw):
    X, y = _task()
    return gn.fit(model, X, y, loss="binary_cross_entropy", optimizer=opt, epochs=stop,
                  initial_epoch=start, batch_size=16, verbose=0,
                  seed=lambda e: np.random.default_rng([4, e]), **kw)  # fmt: skip


def _model():
    return nn.MLP([2, 8, 1], activation="tanh", output_activation="sigmoid", rng=0)


LRS = {"adagrad": 0.1, "adadelta": 1.0, "adamax": 0.02, "nadam": 0.02, "radam": 0.05}


@pytest.mark.parametrize("name", list(NEW))
def test_fit_trains_and_resumes_from_a_state_dict_to_the_same_weights(name):
    model = _model()
    opt = NEW[name](model.parameters(), lr=LRS[name], weight_decay=1e-4)
    h = _fit(model, opt, 0, 8)
    assert h.engine == "fused" and h.loss[-1] < 0.8 * h.loss[0], h.loss
    # the same 8 epochs in two calls, the second with a new model and optimizer loaded
    first = _model()
    opt1 = NEW[name](first.parameters(), lr=LRS[name], weight_decay=1e-4)
    _fit(first, opt1, 0, 3)
    saved, weights = opt1.state_dict(), first.state_dict()
    second = _model()
    second.load_state_dict(weights)
    opt2 = NEW[name](second.parameters(), lr=LRS[name], weight_decay=1e-4)
    opt2.load_state_dict(saved)
    _fit(second, opt2, 3, 8)
    for a, b in zip(model.parameters(), second.parameters()):
        np.testing.assert_array_equal(a.data, b.data)
    assert opt2.t == opt.t and type(opt2).__name__ == saved["type"]


@pytest.mark.parametrize("name", list(NEW))
def test_fit_many_equals_separate_fits(name):
    X, y = _task()
    models = [nn.MLP([2, 6, 1], output_activation="sigmoid", rng=k) for k in range(3)]
    kw = dict(loss="binary_cross_entropy", epochs=3, batch_size=16, seed=0)
    hs = fit_many(models, X, y, optimizer=NEW[name], lr=LRS[name], **kw)
    assert [h.stop_reason for h in hs] == ["max_epochs"] * 3
    alone = nn.MLP([2, 6, 1], output_activation="sigmoid", rng=2)
    opt = NEW[name](alone.parameters(), lr=LRS[name])
    h = gn.fit(alone, X, y, optimizer=opt, engine="fused", verbose=0, **kw)
    assert h.loss == hs[2].loss
    for a, b in zip(models[2].parameters(), alone.parameters()):
        np.testing.assert_array_equal(a.data, b.data)


@pytest.mark.parametrize("name", list(NEW))
def test_the_compiled_loop_refuses_them_and_auto_runs_on_numpy(name):
    from glassnet import jit
    from glassnet.fused import FastMLP, layers_of

    model = _model()
    why = f"the optimizer must be glassnet.optim.SGD, Adam or AdamW; got {NEW[name].__name__}"
    with pytest.raises(ValueError, match=f"engine='jit' cannot train this run: {why}"):
        _fit(model, NEW[name](model.parameters()), 0, 1, engine="jit")
    # engine="auto" runs on NumPy's path (it never picks the compiled loop by itself)
    assert jit.why_not(FastMLP(layers_of(model, training=True), "mse"), NEW[name](
        model.parameters())) == why  # fmt: skip
    h = _fit(model, NEW[name](model.parameters()), 0, 2, engine="auto")
    assert h.engine == "fused" and h.loss[-1] < h.loss[0]


@pytest.mark.parametrize("name", list(NEW))
def test_a_captured_step_is_the_eager_step_bit_for_bit(name, monkeypatch):
    """glassnet.capture records a step's calls once and replays them (on the CPU: the
    stand-in of tests/test_capture.py): every number that changes with t (RAdam's switch,
    NAdam's products, Adagrad's decayed rate) must come from the step's numbers."""
    monkeypatch.setattr(tb.RECORDING, "cuda", tb.StandInCuda, raising=False)
    tb.ALLOCATED.clear()
    tb.LAUNCHES.clear()
    make = lambda ps: NEW[name](ps, lr=LRS[name] / 10, weight_decay=1e-3)  # noqa: E731
    monkeypatch.setitem(tc.CASES, name, ("tanh", "identity", "mse", "values", make, {}))
    try:
        h0, eager, _ = tc._train(name, captured=False)
        h1, captured, _ = tc._train(name, captured=True)
    finally:
        tb.CAPTURE[0] = None
    assert h1.engine == "captured" and not h1.warnings, h1.warnings
    assert tb.LAUNCHES["capture"] == 2 and tb.ALLOCATED == []
    for a, b in zip(eager, captured):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", list(NEW))
def test_fit_and_fit_many_take_them_by_name(name):
    X, y = _task()
    kw = dict(loss="binary_cross_entropy", optimizer=name.capitalize(), lr=LRS[name], epochs=2,
              batch_size=16, seed=0)  # fmt: skip
    models = [nn.MLP([2, 6, 1], output_activation="sigmoid", rng=k) for k in range(2)]
    hs = fit_many(models, X, y, **kw)
    alone = nn.MLP([2, 6, 1], output_activation="sigmoid", rng=1)
    h = gn.fit(alone, X, y, engine="fused", verbose=0, **kw)
    assert h.loss == hs[1].loss and h.loss[-1] < h.loss[0]
    for a, b in zip(models[1].parameters(), alone.parameters()):
        np.testing.assert_array_equal(a.data, b.data)


def test_the_command_line_trains_and_resumes_with_each(tmp_path):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(120, 3))
    y = 5 + 2 * X[:, 0] - X[:, 1] ** 2
    data = tmp_path / "reg.csv"
    data.write_text("a,b,c,y\n" + "".join(f"{a:.5f},{b:.5f},{c:.5f},{t:.5f}\n"
                                         for (a, b, c), t in zip(X, y)))  # fmt: skip

    def train(name, out, epochs, *more):
        argv = ["train", str(data), "--target", "y", "--out", str(tmp_path / out),
                "--hidden", "6", "--seed", "1", "-q", "--optimizer", name,
                "--epochs", str(epochs), *more]  # fmt: skip
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            assert main(argv) == 0, argv

    for name in NEW:
        train(name, f"{name}.glassnet", 6)
        train(name, f"{name}2.glassnet", 3, "--checkpoint-every", "5")
        train(name, f"{name}2.glassnet", 6, "--resume")
        a = load_model(tmp_path / f"{name}.glassnet", network_only=True).state_dict()
        b = load_model(tmp_path / f"{name}2.glassnet", network_only=True).state_dict()
        assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a), name


def test_registered_by_name():
    for name, cls in NEW.items():
        assert optim.OPTIMIZERS[name] is cls
        opt = optim.get_optimizer(name.upper(), [P(np.zeros(2))], lr=0.5)
        assert type(opt) is cls and opt.lr == 0.5
    # (round 16: PyTorch's switches that change no number are taken by name too)
    assert type(optim.get_optimizer("nadam", [P(np.zeros(1))], foreach=False)) is optim.NAdam
    with pytest.raises(TypeError, match=r"unexpected keyword arguments \['foreachh'\]"):
        optim.get_optimizer("nadam", [P(np.zeros(1))], foreachh=False)


# ---------------------------------------------------------------------------
# (4) arguments
# ---------------------------------------------------------------------------

BAD = [
    (optim.Adagrad, {"lr": -1}, "The 'lr' parameter of Adagrad must be a float >= 0. Got -1."),
    (optim.Adagrad, {"lr_decay": -0.1},
     "The 'lr_decay' parameter of Adagrad must be a float >= 0. Got -0.1."),
    (optim.Adagrad, {"initial_accumulator_value": -1.0},
     "The 'initial_accumulator_value' parameter of Adagrad must be a float >= 0. Got -1.0."),
    (optim.Adagrad, {"eps": 0}, "The 'eps' parameter of Adagrad must be a float > 0. Got 0."),
    (optim.Adagrad, {"weight_decay": -1},
     "The 'weight_decay' parameter of Adagrad must be a float >= 0. Got -1."),
    (optim.Adadelta, {"rho": 1.5}, "The 'rho' parameter of Adadelta must be a float in [0, 1]. "
     "Got 1.5."),
    (optim.Adamax, {"betas": (0.9, 1.0)},
     "The 'betas' parameter of Adamax must be a pair of floats in [0, 1). Got (0.9, 1.0)."),
    (optim.Adamax, {"eps": -1e-8},
     "The 'eps' parameter of Adamax must be a float > 0. Got -1e-08."),
    (optim.NAdam, {"betas": (-0.1, 0.9)},
     "The 'betas' parameter of NAdam must be a pair of floats in [0, 1). Got (-0.1, 0.9)."),
    (optim.NAdam, {"momentum_decay": -4e-3},
     "The 'momentum_decay' parameter of NAdam must be a float >= 0. Got -0.004."),
    (optim.NAdam, {"decoupled_weight_decay": "yes"},
     "The 'decoupled_weight_decay' parameter of NAdam must be a bool (True or False). Got 'yes'."),
    (optim.RAdam, {"betas": 0.9},
     "The 'betas' parameter of RAdam must be a pair of floats in [0, 1). Got 0.9."),
    (optim.RAdam, {"weight_decay": -0.5},
     "The 'weight_decay' parameter of RAdam must be a float >= 0. Got -0.5."),
    (optim.RAdam, {"decoupled_weight_decay": 1},
     "The 'decoupled_weight_decay' parameter of RAdam must be a bool (True or False). Got 1."),
]  # fmt: skip


@pytest.mark.parametrize(("cls", "kw", "message"), BAD)
def test_bad_arguments_are_refused_by_name(cls, kw, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        cls([P(np.zeros(2))], **kw)
    p = P(np.zeros(2))
    opt = cls([p])  # a group's setting changed later: checked at the next step
    opt.param_groups[0].update(kw)
    p.grad = np.ones(2)
    if kw != {"lr": 0.0}:  # (a schedule may take a set lr to 0)
        with pytest.raises(ValueError, match=f"The '{next(iter(kw))}' parameter of {cls.__name__}"):
            opt.step()


@pytest.mark.parametrize("cls", list(NEW.values()))
def test_torchs_options_glassnet_has_not_are_refused(cls):
    # (round 16: their values that change no number, False, are taken; the rest refused)
    for option in ("foreach", "maximize", "capturable", "differentiable", "fused"):
        cls([P(np.zeros(2))], **{option: False})
    for option in ("maximize", "capturable", "differentiable"):
        with pytest.raises(TypeError, match=f"{option}=True is not offered"):
            cls([P(np.zeros(2))], **{option: True})
    given = len(inspect.signature(cls).parameters) + 1  # one positional past the last
    with pytest.raises(TypeError, match="positional argument"):
        cls([P(np.zeros(2))], *[None] * given)
