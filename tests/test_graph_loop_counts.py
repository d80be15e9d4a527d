"""The hand-written loop's bookkeeping, kept in Python ints for speed: each parameter's step
count (``step()``, a prepared step, a frozen parameter, a state dict saved and loaded), and a
leaf's fresh gradient taken by backward without a copy."""

from __future__ import annotations

import numpy as np

import glassnet as gn
from glassnet import nn, optim
from glassnet import tensor as tensor_module


def _data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.standard_normal((6, 5)).astype(np.float32), rng.integers(0, 3, 6)


def test_step_counts_through_loop_prepared_steps_and_a_frozen_parameter():
    X, y = _data()
    model = nn.MLP([5, 4, 3], activation="tanh", rng=0)
    opt, crit = optim.Adam(model.parameters(), lr=0.01), nn.CrossEntropyLoss()
    b1 = model.layers[0].b
    for k in range(5):
        opt.zero_grad()
        b1.requires_grad = k != 2  # the bias sits out one step
        crit(model(X), y).backward()
        opt.step()
    b1.requires_grad = True
    counts = opt._packs[0].steps
    assert counts.dtype == np.int64 and counts.tolist() == [5, 4, 5, 5]
    opt.zero_grad(set_to_none=False)
    crit(model(X), y).backward()
    assert opt.prepared() == opt.step  # (the counts differ: the prepared step is step itself)
    state = opt.state_dict()
    assert state["param_groups"][0]["steps"].tolist() == [5, 4, 5, 5]
    state["param_groups"][0]["steps"] = np.array([7, 7, 7, 7])
    opt.load_state_dict(state)
    step = opt.prepared()  # every count equal: the rule over the whole buffer
    for _ in range(3):
        step()
    assert opt._packs[0].steps.tolist() == [10, 10, 10, 10]
    assert opt.state_dict()["param_groups"][0]["steps"].tolist() == [10, 10, 10, 10]
    opt.zero_grad()
    crit(model(X), y).backward()
    opt.step()  # after prepared steps, step() starts from their counts
    assert opt._packs[0].steps.tolist() == [11, 11, 11, 11]


def test_a_leaf_takes_its_fresh_gradient_without_a_copy(monkeypatch):
    copies = []
    copy = tensor_module._copy
    monkeypatch.setattr(tensor_module, "_copy", lambda g, dt: copies.append(1) or copy(g, dt))
    X, y = _data()
    model = nn.MLP([5, 4, 3], activation="tanh", rng=0)
    opt, crit = optim.SGD(model.parameters(), lr=0.1), nn.CrossEntropyLoss()
    for _ in range(2):
        opt.zero_grad()
        crit(model(X), y).backward()
        opt.step()
    assert copies == []
    x, g = gn.Tensor([1.0, 2.0], requires_grad=True), np.ones(2, np.float32)
    x.backward(g)  # (a gradient the caller holds: copied, as before)
    assert copies and x.grad is not g and x.grad.tolist() == [1.0, 1.0]
