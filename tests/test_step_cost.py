"""What a training step costs beyond its arithmetic: work kept out of the step.

No test here times anything (speed lives in bench/: bench/fit_overhead.py). Each counts
calls a step no longer makes, and checks that the numbers are those of the code it
replaced: the prepared optimizer step makes SGD's per-step numbers once, the eager loop
keeps each step's outputs without NumPy's ``copyto`` wrapper, the fast path calls no
backward kernel for an identity output, and a full-batch run's tolerance record is the
per-epoch rule's.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import glassnet as gn
from glassnet import eager, nn, optim
from glassnet import functional as F
from glassnet.fused import FastMLP, layers_of


def _net(sizes=(3, 4, 2), act="tanh", out="identity", seed=0):
    return nn.MLP(list(sizes), activation=act, output_activation=out, rng=seed, dtype=np.float64)


def _xnor():
    X, y = gn.datasets.logic_gate("xnor")
    return np.asarray(X, np.float64), np.asarray(y, np.float64).reshape(-1, 1)


def _grads(model, seed):
    rng = np.random.default_rng(seed)
    for p in model.parameters():
        p.grad = rng.standard_normal(p.data.shape)


@pytest.mark.parametrize(
    "kw",
    [{}, {"momentum": 0.9}, {"momentum": 0.9, "dampening": 0.3}, {"weight_decay": 0.01},
     {"momentum": 0.5, "nesterov": True}, {"momentum": 0.9, "style": "sklearn"}],
)  # fmt: skip
def test_prepared_sgd_makes_its_numbers_once_and_steps_as_step(kw, monkeypatch):
    a, b = _net(), _net()
    opt_a = optim.SGD(a.parameters(), lr=0.1, **kw)
    opt_b = optim.SGD(b.parameters(), lr=0.1, **kw)
    _grads(a, 0)
    _grads(b, 0)
    opt_a.step()
    opt_b.step()  # (the first step: dampening's exception, then the prepared rules)
    calls = []
    per_step = optim.SGD._per_step
    monkeypatch.setattr(optim.SGD, "_per_step", lambda s, h: calls.append(h["t"]) or per_step(s, h))
    monkeypatch.setattr(optim.SGD, "_same_after", 1)  # (the patched function keeps the promise)
    update = opt_b.prepared()
    for k in range(1, 30):
        _grads(a, k)
        for p, q in zip(a.parameters(), b.parameters()):
            q.grad[...] = p.grad
        opt_a.step()
        update()
    for p, q in zip(a.parameters(), b.parameters()):
        assert np.array_equal(p.data, q.data)
    assert opt_a.state_dict()["t"] == opt_b.state_dict()["t"]
    calls.clear()
    update = opt_b.prepared()
    for _ in range(10):
        update()
    assert len(calls) == 1  # once, when prepared (before: every step)


def test_prepared_step_of_a_fresh_sgd_with_dampening_takes_the_first_steps_numbers():
    a, b = _net(), _net()
    opt_a = optim.SGD(a.parameters(), lr=0.1, momentum=0.9, dampening=0.5)
    opt_b = optim.SGD(b.parameters(), lr=0.1, momentum=0.9, dampening=0.5)
    for k in range(3):
        _grads(a, k)
        _grads(b, k)
        opt_a.step()
        opt_b.prepared()()  # (prepared anew before every step: step 1 is the exception)
        for p, q in zip(a.parameters(), b.parameters()):
            assert np.array_equal(p.data, q.data)


def test_a_rule_of_a_subclass_still_sees_each_steps_count():
    seen = []

    class Counting(optim.SGD):  # its own rule, reading t: not SGD's promise
        def _rule(self, w, g, work, state, h):
            seen.append(h["t"])
            super()._rule(w, g, work, state, h)

    model = _net()
    opt = Counting(model.parameters(), lr=0.1)
    _grads(model, 0)
    opt.step()
    update = opt.prepared()
    for _ in range(3):
        update()
    assert seen == [1, 2, 3, 4]


def test_eager_loop_keeps_outputs_without_copyto(monkeypatch):
    X, y = _xnor()
    model = _net((2, 2, 1), "sigmoid", "sigmoid")
    fast = FastMLP(layers_of(model, training=True), "mse")
    opt = optim.SGD(model.parameters(), lr=1.0)
    copies = []
    copyto = np.copyto
    monkeypatch.setattr(np, "copyto", lambda *a, **k: copies.append(1) or copyto(*a, **k))
    run = eager.run_full_batch(fast, opt, X, y, None, 200)
    assert run.steps == 200 and len(copies) < 20  # (before: one a step)


def test_identity_output_calls_no_backward_kernel(monkeypatch):
    X = np.random.default_rng(0).standard_normal((8, 3))
    y = np.random.default_rng(1).standard_normal((8, 2))
    key = (F.identity_fn, F.identity_grad)
    fwd, bwd, t = F.INPLACE[key]
    calls = []
    monkeypatch.setitem(F.INPLACE, key, (fwd, lambda *a: calls.append(1) or bwd(*a), t))
    model = _net()
    fast = FastMLP(layers_of(model, training=True), "mse")
    loss = fast.step(X, y)
    assert calls == [] and math.isfinite(loss)
    ref = _net()
    step = gn.train.graph_step(ref, F.get_loss("mse"), "mse", 0.0)
    assert step(X, y, None) == pytest.approx(loss)
    for p, q in zip(model.parameters(), ref.parameters()):
        assert np.allclose(p.grad, q.grad, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("losses", [[3.0, 2.0, 2.0, 5.0], [1.0], [4.0, 3.0, 2.0], [2.0, 2.0]])
def test_full_batch_record_is_the_per_epoch_rule(losses, monkeypatch):
    got = np.array(losses)
    monkeypatch.setattr(eager, "_run", lambda *a, **k: got)
    X, y = _xnor()
    model = _net((2, 2, 1), "sigmoid", "sigmoid")
    fast = FastMLP(layers_of(model, training=True), "mse")
    run = eager.run_full_batch(fast, optim.SGD(model.parameters()), X, y, None, len(losses))
    best, bad, best_epoch = math.inf, 0, None
    for i, v in enumerate(losses):  # fit's Tolerance with tol=None
        bad = 0 if v < best else bad + 1
        if v < best:
            best, best_epoch = v, i
    assert (run.best, run.bad, run.best_epoch, run.steps) == (best, bad, best_epoch, len(losses))
