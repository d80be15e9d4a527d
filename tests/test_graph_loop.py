"""The hand-written PyTorch-style loop on the graph: ``opt.zero_grad(); loss = crit(model(x),
y); loss.backward(); opt.step()``.

An optimizer steps a group's buffer with one rule while every parameter takes the step at
the same count, and parameter by parameter otherwise (a frozen parameter, a gradient left
None); both must give the numbers of optimizers that each hold one parameter. The loop keeps
the graph's rules: a graph built before a step refuses backward after it, and a setting
edited in a param group is checked at the next step.
"""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn, optim


def _data(n: int = 6) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.standard_normal((n, 5)).astype(np.float32), rng.integers(0, 3, n)


RULES = [
    lambda ps: optim.SGD(ps, lr=0.1),
    lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-2),
    lambda ps: optim.Adam(ps, lr=0.01),
    lambda ps: optim.RMSprop(ps, lr=0.01, momentum=0.5, centered=True),
]


@pytest.mark.parametrize("make", RULES)
def test_one_optimizer_steps_as_one_per_parameter(make):
    """A frozen bias for three steps and a weight whose gradient is None for one: the
    parameters' step counts part, and the weights stay those of one optimizer per parameter,
    bit for bit."""
    X, y = _data()
    models = [nn.MLP([5, 4, 3], activation="tanh", rng=0) for _ in range(2)]
    together = make(models[0].parameters())
    apart = [make([p]) for p in models[1].parameters()]
    crit = nn.CrossEntropyLoss()
    for k in range(10):
        for model, opts in ((models[0], [together]), (models[1], apart)):
            for opt in opts:
                opt.zero_grad()
            b1, W2 = model.layers[0].b, model.layers[2].W
            b1.requires_grad = not 3 <= k < 6
            crit(model(X), y).backward()
            if k == 7:
                W2.grad = None  # (no gradient: left alone, as PyTorch's)
            for opt in opts:
                opt.step()
    for p, q in zip(models[0].parameters(), models[1].parameters()):
        assert np.array_equal(p.data, q.data), p.label
    counts = [int(o._packs[0].steps[0]) for o in apart]
    assert together._packs[0].steps.tolist() == counts == [10, 7, 9, 10]


def test_loop_is_the_prepared_step():
    """The loop's step (gradients fresh from backward() each time) and fit's prepared step
    (gradients written into the flat buffer) apply the same rule to the same numbers."""
    X, y = _data()
    models = [nn.MLP([5, 4, 3], activation="relu", rng=1) for _ in range(2)]
    opts = [optim.Adam(m.parameters(), lr=0.01) for m in models]
    crit = nn.CrossEntropyLoss()
    opts[1].zero_grad(set_to_none=False)  # every .grad its view of the flat buffer
    prepared = None
    for _ in range(5):
        opts[0].zero_grad()
        crit(models[0](X), y).backward()
        opts[0].step()
        for p in models[1].parameters():  # (zeroed in place: the views stay bound)
            p.grad[...] = 0
        crit(models[1](X), y).backward()
        prepared = prepared or opts[1].prepared()
        prepared()
    for p, q in zip(*(m.parameters() for m in models)):
        assert np.array_equal(p.data, q.data)


def test_a_graph_built_before_a_step_refuses_backward():
    X, y = _data()
    model = nn.MLP([5, 4, 3], rng=0)
    opt = optim.SGD(model.parameters(), lr=0.1)
    loss = nn.CrossEntropyLoss()(model(X), y)
    loss.backward()
    opt.step()
    with pytest.raises(RuntimeError, match="changed in place"):
        loss.backward()


def test_a_setting_edited_in_a_group_is_checked_and_used_at_the_next_step():
    X, y = _data()
    models = [nn.MLP([5, 4, 3], rng=0) for _ in range(2)]
    opts = [optim.SGD(models[0].parameters(), lr=0.1), optim.SGD(models[1].parameters(), lr=0.1)]
    crit = nn.CrossEntropyLoss()
    for k in range(4):
        if k == 2:
            opts[0].param_groups[0]["lr"] = 0.5
            opts[1].lr = 0.5
        for model, opt in zip(models, opts):
            opt.zero_grad()
            crit(model(X), y).backward()
            opt.step()
    for p, q in zip(*(m.parameters() for m in models)):
        assert np.array_equal(p.data, q.data)
    opts[0].param_groups[0]["lr"] = -1.0
    with pytest.raises(ValueError, match="lr"):
        opts[0].step()


def test_a_leaf_reached_by_several_paths_sums_them():
    """backward's sort finishes a leaf where it meets it; the sums along every path stay."""
    x = gn.Tensor([1.0, 2.0], requires_grad=True, dtype=np.float64)
    w = gn.Tensor([3.0, -1.0], requires_grad=True, dtype=np.float64)
    c = gn.Tensor([0.5, 0.5], dtype=np.float64)  # (a constant: no gradient)
    h = x * w + x * c
    ((h * h).sum() + (x * x * w).sum()).backward()
    hv = x.data * (w.data + c.data)
    assert np.allclose(x.grad, 2 * hv * (w.data + c.data) + 2 * x.data * w.data)
    assert np.allclose(w.grad, 2 * hv * x.data + x.data**2)


def test_cross_entropy_module_on_labels_is_the_function():
    """nn.CrossEntropyLoss on plain labels (checked once, in one pass) gives the value and
    gradient of F.cross_entropy bit for bit; labels it cannot take plainly keep the general
    path: ignore_index inside [0, C), labels out of range, float labels, weights."""
    rng = np.random.default_rng(0)
    Z = rng.standard_normal((7, 4)).astype(np.float32)
    y = np.array([0, 3, 1, 2, 3, 0, 1], dtype=np.uint8)
    for reduction in ("mean", "sum", "none"):
        a, b = gn.Tensor(Z, requires_grad=True), gn.Tensor(Z, requires_grad=True)
        la = nn.CrossEntropyLoss(reduction=reduction)(a, y)
        lb = gn.functional.cross_entropy(b, y.astype(np.int64), reduction)
        assert np.array_equal(la.data, lb.data)
        (la.sum() if reduction == "none" else la).backward()
        (lb.sum() if reduction == "none" else lb).backward()
        assert np.array_equal(a.grad, b.grad)
    ignored = nn.CrossEntropyLoss(ignore_index=3)(Z, y)  # the rows labelled 3 left out
    keep = y != 3
    assert np.isclose(ignored.item(), gn.functional.cross_entropy(Z[keep], y[keep]).item())
    for bad in (np.array([0, 4, 1, 2, 3, 0, 1]), np.array([0, -1, 1, 2, 3, 0, 1])):
        with pytest.raises(ValueError, match="labels must lie in"):
            nn.CrossEntropyLoss()(Z, bad)
    assert np.isclose(nn.CrossEntropyLoss()(Z, y.astype(np.float64)).item(), lb.data.sum() / 7)
    weighted = nn.CrossEntropyLoss(weight=np.ones(4))(Z, y)
    assert np.isclose(weighted.item(), lb.data.mean())


def test_cross_entropy_module_reads_big_endian_labels_by_their_values():
    """Labels in the other byte order (an array read from a file written on another machine)
    are checked by their values on the plain-label path, as native ones: label 1 in '>i8' is
    not read as 2**56 (its bytes in the other order), which refused labels in range."""
    rng = np.random.default_rng(0)
    Z = gn.Tensor(rng.standard_normal((100, 5)), requires_grad=True)
    y = rng.integers(0, 5, 100)
    for dtype in (">i8", ">u2"):
        big = nn.CrossEntropyLoss(reduction="none")(Z, y.astype(dtype))
        assert np.array_equal(big.data, nn.CrossEntropyLoss(reduction="none")(Z, y).data)
