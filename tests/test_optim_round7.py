"""Adam's ``style="sklearn"``: scikit-learn's placement of epsilon, on every engine."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet import optim


class P:
    def __init__(self, data: np.ndarray) -> None:
        self.data, self.grad = data, None


def _sklearn_adam_steps(w0, grads, lr, b1, b2, eps):
    """scikit-learn's own AdamOptimizer, fed the same gradients."""
    sk = pytest.importorskip("sklearn.neural_network._stochastic_optimizers")
    w = [w0.copy()]
    opt = sk.AdamOptimizer(w, learning_rate_init=lr, beta_1=b1, beta_2=b2, epsilon=eps)
    for g in grads:
        opt.update_params(w, [g])
    return w[0]


@pytest.mark.parametrize("style", ["torch", "sklearn"])
def test_adam_style_places_epsilon_as_its_library_does(style) -> None:
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal(50)
    # tiny gradients (a near-constant input's weights): where the two placements differ most
    grads = [rng.standard_normal(50) * 10.0 ** rng.integers(-9, 0, 50) for _ in range(30)]
    p = P(w0.copy())
    opt = optim.Adam([p], lr=1e-3, eps=1e-8, style=style)
    for g in grads:
        p.grad = g.copy()
        opt.step()
    theirs = _sklearn_adam_steps(w0, grads, 1e-3, 0.9, 0.999, 1e-8)
    same = np.allclose(p.data, theirs, rtol=1e-12, atol=1e-15)
    assert same == (style == "sklearn")  # (PyTorch's placement moves these weights otherwise)
    if style == "torch":
        torch = pytest.importorskip("torch")
        t = torch.tensor(w0.copy(), requires_grad=True)
        topt = torch.optim.Adam([t], lr=1e-3, eps=1e-8)
        for g in grads:
            t.grad = torch.tensor(g)
            topt.step()
        assert np.allclose(p.data, t.detach().numpy(), rtol=1e-12, atol=1e-15)


def test_adam_style_is_a_setting_checked_saved_and_loaded() -> None:
    p = P(np.zeros(3))
    opt = optim.Adam([p], style="sklearn")
    assert opt.style == "sklearn" and "style='sklearn'" in repr(opt)
    with pytest.raises(ValueError, match="style"):
        optim.Adam([P(np.zeros(3))], style="keras")
    p.grad = np.ones(3)
    opt.step()
    sd = opt.state_dict()
    assert sd["param_groups"][0]["style"] == "sklearn"
    other = optim.Adam([P(np.zeros(3))])
    other.load_state_dict(sd)
    assert other.style == "sklearn"
    # a state dict saved before the setting existed is PyTorch's style, as it trained
    old = optim.Adam([P(np.zeros(3))], style="sklearn")
    del sd["param_groups"][0]["style"]
    old.load_state_dict(sd)
    assert old.style == "torch"
    assert optim.AdamW([P(np.zeros(3))], style="sklearn").style == "sklearn"


@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_the_compiled_loop_takes_adams_sklearn_style(dt) -> None:
    pytest.importorskip("numba")
    rng = np.random.default_rng(1)
    X = rng.standard_normal((24, 3)).astype(dt)
    X[:, 2] = 1e-6  # a near-constant input: its weights' gradients are tiny
    y = rng.standard_normal((24, 1)).astype(dt)
    runs = {}
    for style in ("torch", "sklearn"):
        for engine in ("fused", "jit"):
            net = gn.nn.MLP([3, 5, 1], activation="tanh", rng=0, dtype=dt)
            opt = optim.Adam(net.parameters(), lr=0.01, style=style)
            h = gn.fit(net, X, y, optimizer=opt, epochs=20, batch_size=6, seed=0, verbose=0,
                       engine=engine)  # fmt: skip
            assert h.engine == engine
            runs[style, engine] = np.concatenate([p.data.ravel() for p in net.parameters()])
    tol = 1e-5 if dt == np.float32 else 1e-12
    for style in ("torch", "sklearn"):
        assert np.allclose(runs[style, "jit"], runs[style, "fused"], rtol=tol, atol=tol)
    assert not np.allclose(runs["torch", "fused"], runs["sklearn", "fused"], rtol=tol, atol=tol)
