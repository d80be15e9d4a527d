"""FastMLP.bind: the step of FastMLP.run on fixed arrays, as a function of no arguments
(what the eager loop runs on a full batch or on a batch size's reused buffers). Steps
taken by the bound function and by run on the same arrays leave the same bits in every
.grad, in the outputs buffer (per-entry losses, each ||W||²) and in the output layer."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from glassnet import functional as F
from glassnet import nn
from glassnet.fused import FastMLP, layers_of

CASES = [  # (hidden activation, output activation, loss)
    ("relu", "softmax", "cross_entropy"),
    ("tanh", "sigmoid", "binary_cross_entropy"),
    ("sigmoid", "sigmoid", "mse"),
    ("leaky_relu", "identity", "half_mse"),
    ("identity", "identity", "mse"),
    ("tanh", "softmax", "mse"),  # a head not fused with the loss
]


def _pair(hidden, out, loss, l2, bias=True):
    """Two FastMLPs over two copies of one network, and the data for the loss."""
    rng = np.random.default_rng(0)
    classes = 3 if out == "softmax" else 2
    X, w = rng.normal(size=(7, 4)), rng.uniform(0.5, 2.0, size=7)
    if loss == "cross_entropy":
        y = rng.integers(0, classes, size=7).astype(np.float64)
    elif loss == "binary_cross_entropy":
        y = (rng.uniform(size=(7, classes)) > 0.5).astype(np.float64)
    else:
        y = rng.normal(size=(7, classes))
    fasts = []
    for _ in range(2):
        if bias:
            net = nn.MLP([4, 5, 6, classes], activation=hidden, output_activation=out, rng=1,
                         dtype=np.float64)  # fmt: skip
        else:  # (tanh and identity)
            lins = [nn.Linear(i, o, bias=False, rng=k, dtype=np.float64)
                    for k, (i, o) in enumerate([(4, 5), (5, 6), (6, classes)])]  # fmt: skip
            net = nn.Sequential(lins[0], nn.Tanh(), lins[1], nn.Tanh(), lins[2])
        fasts.append((net, FastMLP(layers_of(net, training=True), loss, l2=l2)))
    return fasts, X, y, w


def _steps(net, take, k=3):
    """k steps of SGD (in place, as an optimizer's prepared update) through ``take``."""
    for _ in range(k):
        take()
        for p in net.parameters():
            p.data -= 0.1 * p.grad


def _same(a, b):
    (net_a, fa), (net_b, fb) = a, b
    for p, q in zip(net_a.parameters(), net_b.parameters()):
        assert np.array_equal(p.grad, q.grad) and np.array_equal(p.data, q.data)
    assert np.array_equal(fa.output(7), fb.output(7))
    if fa.l2:  # (each ||W||², in the outputs buffer)
        assert fa.penalty(7) == fb.penalty(7)


@pytest.mark.parametrize("hidden,out,loss", CASES)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("l2", [0.0, 0.3])
@pytest.mark.parametrize("value", [False, True])
def test_bound_step_and_run_leave_the_same_bits(hidden, out, loss, weighted, l2, value):
    (a, b), X, y, w = _pair(hidden, out, loss, l2)
    w = w if weighted else None
    _steps(a[0], lambda: a[1].run(X, y, w, None, value), 3)
    per_run = a[1].run(X, y, w, None, value)[0]
    _steps(b[0], lambda: b[1].run(X, y, w, None, value), 1)  # (the gradients bound: then
    go = b[1].bind(X, y, w, None, value)  # bind, as the eager loop does)
    _steps(b[0], go, 2)
    per_bound = go()
    _same(a, b)
    assert (per_run is None) == (per_bound is None)
    if per_run is not None:
        assert np.array_equal(per_run, per_bound)


def test_without_biases_and_with_a_replaced_loss_kernel(tables):
    def kernel(P, Y, G, value=True):  # the squared error again, with no "keep": it allocates
        np.multiply(np.subtract(P, Y, out=G), 2.0, out=G)
        return np.square(P - Y) if value else None

    F.LOSSES["mse"] = dataclasses.replace(F.LOSSES["mse"], kernel=kernel)
    (a, b), X, y, w = _pair("tanh", "identity", "mse", 0.1, bias=False)
    _steps(a[0], lambda: a[1].run(X, y, w, None, False), 3)
    _steps(b[0], lambda: b[1].run(X, y, w, None, False), 1)
    _steps(b[0], b[1].bind(X, y, w, None, False), 2)
    _same(a, b)


def test_a_stack_of_networks_bound_and_run():
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(6, 3)), rng.normal(size=(2, 6, 1))
    nets = []
    for _ in range(2):
        lin1 = nn.Linear(3, 4, rng=0, dtype=np.float64)
        lin2 = nn.Linear(4, 1, rng=1, dtype=np.float64)
        for lin in (lin1, lin2):  # a stack of K = 2 networks
            lin.W.data = np.stack([lin.W.data, 2 * lin.W.data])
            lin.b.data = np.stack([lin.b.data, lin.b.data - 1]).reshape(2, 1, -1)
        net = nn.Sequential(lin1, nn.Tanh(), lin2)
        nets.append((net, FastMLP(layers_of(net, training=True), "mse", l2=0.2)))
    (a, b) = nets
    _steps(a[0], lambda: a[1].run(X, y), 3)
    _steps(b[0], lambda: b[1].run(X, y), 1)
    _steps(b[0], b[1].bind(X, y), 2)
    for p, q in zip(a[0].parameters(), b[0].parameters()):
        assert np.array_equal(p.grad, q.grad) and np.array_equal(p.data, q.data)
    assert np.array_equal(a[1].outputs(6), b[1].outputs(6))  # (the losses, each ||W||²)


def test_run_binds_a_rebound_data_array_again():
    """A .data rebound between two steps (not updated in place) is the one run reads."""
    (a, b), X, y, _ = _pair("tanh", "identity", "mse", 0.0)
    for net, fast in (a, b):
        fast.run(X, y)
        for p in net.parameters():
            p.data = p.data - 0.1 * p.grad  # a new array each time
        fast.run(X, y)
    _same(a, b)
    ref = FastMLP(layers_of(a[0], training=True), "mse")
    ref.run(X, y)
    for p, g in zip(a[0].parameters(), [p.grad.copy() for p in a[0].parameters()]):
        assert np.array_equal(p.grad, g)
    assert np.array_equal(ref.output(7), a[1].output(7))


def test_a_new_l2_takes_effect_in_the_next_step():
    """The step bound for a batch size read l2 once: ``fast.l2 = 0.5`` after a run left the
    gradient at the old l2 while the loss read the new one."""
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    nets = [nn.MLP([3, 4, 2], activation="tanh", rng=0, dtype=np.float64) for _ in range(2)]
    late = FastMLP(layers_of(nets[0], training=True), "mse", l2=0.0)
    late.step(X, y)  # (a plan bound at l2 = 0)
    late.l2 = 0.5
    fresh = FastMLP(layers_of(nets[1], training=True), "mse", l2=0.5)
    assert late.step(X, y) == fresh.step(X, y)
    for a, b in zip(nets[0].parameters(), nets[1].parameters()):
        np.testing.assert_array_equal(a.grad, b.grad)


def test_a_dropped_fastmlp_is_freed_without_the_cycle_collector():
    """A bound step that held its FastMLP made a reference cycle: each fit's FastMLP and its
    buffers waited for the cycle collector (hundreds of MB over repeated fits)."""
    import gc
    import weakref

    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(5, 3)), rng.integers(0, 3, size=5).astype(np.float64)
    net = nn.MLP([3, 4, 3], activation="relu", output_activation="softmax", rng=0)
    fast = FastMLP(layers_of(net, training=True), "cross_entropy")
    fast.step(X.astype(np.float32), y)
    fast.trace(X.astype(np.float32), y)  # (the record path too)
    gone = weakref.ref(fast)
    gc.disable()
    try:
        del fast
        assert gone() is None
    finally:
        gc.enable()
