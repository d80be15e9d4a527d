"""``glassnet.nn.functional``, PyTorch's ``F``: each function equals the glassnet loss module
or activation it calls (always), and PyTorch's function on the same values, the value and
the input's gradient, in float64 (where ``torch==2.13.0``, optional, is installed)."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
import glassnet.nn.functional as F
from glassnet import nn

RNG = np.random.default_rng(0)
Z = RNG.standard_normal((6, 4))  # logits / inputs
P = 1 / (1 + np.exp(-RNG.standard_normal((6, 4))))  # probabilities
T = RNG.standard_normal((6, 4))  # regression targets
B = (RNG.random((6, 4)) > 0.5).astype(np.float64)  # binary targets
Y = np.array([0, 3, 1, 2, -100, 3])  # class labels, one ignored
W = np.array([0.5, 1.0, 2.0, 1.5])  # class weights
POS = np.array([1.0, 2.0, 0.5, 3.0])

# name, glassnet call, torch call (t: torch, x: the input tensor), input
CASES = [
    ("mse_loss", lambda x: F.mse_loss(x, T),
     lambda t, x: t.nn.functional.mse_loss(x, t.tensor(T)), Z),
    ("mse_loss sum", lambda x: F.mse_loss(x, T, reduction="sum"),
     lambda t, x: t.nn.functional.mse_loss(x, t.tensor(T), reduction="sum"), Z),
    ("l1_loss", lambda x: F.l1_loss(x, T), lambda t, x: t.nn.functional.l1_loss(x, t.tensor(T)), Z),
    ("huber_loss", lambda x: F.huber_loss(x, T, delta=0.5),
     lambda t, x: t.nn.functional.huber_loss(x, t.tensor(T), delta=0.5), Z),
    ("binary_cross_entropy", lambda x: F.binary_cross_entropy(x, B, weight=W),
     lambda t, x: t.nn.functional.binary_cross_entropy(x, t.tensor(B), weight=t.tensor(W)), P),
    ("bce_with_logits", lambda x: F.binary_cross_entropy_with_logits(x, B, pos_weight=POS),
     lambda t, x: t.nn.functional.binary_cross_entropy_with_logits(
         x, t.tensor(B), pos_weight=t.tensor(POS)), Z),
    ("cross_entropy", lambda x: F.cross_entropy(x, Y, weight=W, label_smoothing=0.1),
     lambda t, x: t.nn.functional.cross_entropy(
         x, t.tensor(Y), weight=t.tensor(W), label_smoothing=0.1), Z),
    ("cross_entropy none", lambda x: F.cross_entropy(x, Y, reduction="none"),
     lambda t, x: t.nn.functional.cross_entropy(x, t.tensor(Y), reduction="none"), Z),
    ("nll_loss", lambda x: F.nll_loss(F.log_softmax(x, 1), Y, weight=W),
     lambda t, x: t.nn.functional.nll_loss(t.log_softmax(x, 1), t.tensor(Y), weight=t.tensor(W)),
     Z),
    ("relu", lambda x: F.relu(x), lambda t, x: t.nn.functional.relu(x), Z),
    ("leaky_relu", lambda x: F.leaky_relu(x, 0.2),
     lambda t, x: t.nn.functional.leaky_relu(x, 0.2), Z),
    ("sigmoid", lambda x: F.sigmoid(x), lambda t, x: t.sigmoid(x), Z),
    ("tanh", lambda x: F.tanh(x), lambda t, x: t.tanh(x), Z),
    ("softmax", lambda x: F.softmax(x, dim=1), lambda t, x: t.nn.functional.softmax(x, dim=1), Z),
    ("softmax dim 0", lambda x: F.softmax(x, 0), lambda t, x: t.nn.functional.softmax(x, 0), Z),
    ("log_softmax", lambda x: F.log_softmax(x, dim=1),
     lambda t, x: t.nn.functional.log_softmax(x, dim=1), Z),
]  # fmt: skip


def value_and_grad(fn, x0):
    x = gn.tensor(x0, requires_grad=True, dtype=np.float64)
    out = fn(x)
    weights = np.linspace(0.5, 1.5, out.data.size).reshape(out.shape)  # a fixed dL/dout
    (out * weights).sum().backward()
    return out.data, x.grad


@pytest.mark.parametrize("name, ours, theirs, x0", CASES, ids=[c[0] for c in CASES])
def test_each_function_is_pytorchs(name, ours, theirs, x0):
    value, grad = value_and_grad(ours, x0)
    assert np.all(np.isfinite(value)) and np.all(np.isfinite(grad)) and np.any(grad)
    torch = _torch()  # (optional: glassnet's half runs always)
    if torch is None:
        return
    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    out = theirs(torch, x)
    weights = torch.tensor(np.linspace(0.5, 1.5, out.numel()).reshape(tuple(out.shape)))
    (out * weights).sum().backward()
    np.testing.assert_allclose(value, out.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(grad, x.grad.numpy(), rtol=1e-10, atol=1e-14)


def _torch():
    try:
        import torch
    except ImportError:
        return None
    return torch


def test_the_losses_are_the_modules_called_once():
    pairs = [
        (F.mse_loss(Z, T, reduction="sum"), nn.MSELoss(reduction="sum")(Z, T)),
        (F.cross_entropy(Z, Y, W, reduction="sum"), nn.CrossEntropyLoss(W, reduction="sum")(Z, Y)),
        (F.nll_loss(Z, Y, W), nn.NLLLoss(W)(Z, Y)),
        (F.binary_cross_entropy(P, B), nn.BCELoss()(P, B)),
    ]
    for a, b in pairs:
        assert a.item() == b.item()
    np.testing.assert_array_equal(F.leaky_relu(Z, 0.3).data, nn.LeakyReLU(0.3)(Z).data)


def test_what_the_modules_refuse_the_functions_refuse():
    with pytest.raises(ValueError, match=r"ReLU\(inplace=True\)"):
        F.relu(Z, inplace=True)
    with pytest.raises(ValueError, match="'reduction' parameter of MSELoss"):
        F.mse_loss(Z, T, reduction="avg")
    with pytest.raises(ValueError, match="shape"):
        F.mse_loss(Z, T[:, :1])
    assert gn.nn.functional is F and F is not gn.functional
