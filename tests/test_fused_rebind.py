"""The fast path writes dL/dp into each parameter's .grad as bound at each step: a .grad
set to None or rebound between two steps is bound (or written) again, never left stale."""

from __future__ import annotations

import numpy as np

from glassnet import nn
from glassnet.fused import FastMLP, layers_of


def test_a_grad_unbound_or_rebound_between_steps_gets_that_steps_gradient():
    model = nn.MLP([3, 4, 2], activation="tanh", output_activation="identity", rng=0)
    fast = FastMLP(layers_of(model, training=True), "mse", dtype=np.float64)
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    fast.run(X, y)
    want = [p.grad.copy() for p in model.parameters()]
    W = model.parameters()[0]
    W.grad = None  # unbound (zero_grad's default)
    fast.run(X, y)
    assert W.grad is not None and np.array_equal(W.grad, want[0])
    mine = np.zeros_like(W.data)
    W.grad = mine  # rebound to the caller's array
    fast.run(X, y)
    assert W.grad is mine and np.array_equal(mine, want[0])
    assert all(np.array_equal(p.grad, g) for p, g in zip(model.parameters(), want))
