"""glassnet.micrograd's Values hold floats and build their Tensor graph when asked.

A Value built by the ops holds its number and gradient as Python floats, and ``backward()``
runs glassnet's chain rule on them; ``v.tensor`` (and ``glassnet.viz.draw_graph(v)``) builds
the Tensor graph beneath it, glassnet's ops on the numbers each op saw. The reference in
these tests is the Tensor path itself: the same expressions on Values whose leaves have
their Tensors first (``Value(gn.Tensor(x, ...))``), so that every op is the Tensor op, as every
op was before. Every number must agree to the bit, and the drawings to the character.
"""

from __future__ import annotations

import gc
import random
import struct
import tracemalloc

import numpy as np
import pytest

import glassnet as gn
from glassnet.micrograd import MLP, Value
from glassnet.viz import draw_graph


def _bits(x: float) -> bytes:
    return struct.pack("<d", float(x))


def _nodes(root: Value) -> list[Value]:
    """Every node under ``root``, children first, by ``_prev`` (micrograd's graph)."""
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        v, done = stack.pop()
        if done:
            order.append(v)
        elif id(v) not in seen:
            seen.add(id(v))
            stack.append((v, True))
            kids = sorted(v._prev, key=lambda c: (c.data, c._op, c.grad))
            stack.extend((c, False) for c in reversed(kids))
    return order


def _assert_same(lazy: Value, eager: Value) -> None:
    a, b = _nodes(lazy), _nodes(eager)
    assert len(a) == len(b)
    for u, v in zip(a, b):
        assert u._op == v._op
        assert _bits(u.data) == _bits(v.data), (u, v)
        assert _bits(u.grad) == _bits(v.grad) and type(u.grad) is type(v.grad), (u, v)


def _expression(leaves: list[Value], seed: int) -> list[Value]:
    """60 random nodes of every op a Value has, over ``leaves``."""
    r = random.Random(seed)
    vals = list(leaves)
    for _ in range(60):
        a, b = r.choice(vals), r.choice(vals)
        op = r.randrange(12)
        if op == 0:
            c = a + b
        elif op == 1:
            c = a * b
        elif op == 2:
            c = a - b
        elif op == 3:
            c = a.relu()
        elif op == 4:
            c = a.tanh()
        elif op == 5:
            c = (a * 0.3).exp()
        elif op == 6:
            c = a**2
        elif op == 7:
            c = a / (b.tanh() + 3.5)
        elif op == 8:
            c = 1.5 - a
        elif op == 9:
            c = (a.tanh() + 2.0) ** b.tanh()
        elif op == 10:
            c = -a * 0.7 + 2
        else:
            c = (b * b + 1.0) ** -0.5
        vals.append(c)
    return vals


def _pair(seed: int) -> tuple[list[Value], list[Value], list[Value], list[Value]]:
    """The same expression twice: float Values, and Values on the Tensor path."""
    r = random.Random(1000 + seed)
    numbers = [r.uniform(-2, 2) for _ in range(4)]
    lazy = [Value(x) for x in numbers]
    # (leaves wrapping Tensors: every op a Tensor op; a leaf drawn, .tensor, stays on floats)
    eager = [Value(gn.Tensor(x, requires_grad=True, dtype=np.float64)) for x in numbers]
    return lazy, _expression(lazy, seed), eager, _expression(eager, seed)


@pytest.mark.parametrize("seed", range(12))
def test_every_number_is_the_tensor_paths_to_the_bit(seed):
    xl, lazy, xe, eager = _pair(seed)
    roots = [vals[-1] + sum(vals[-10:-1], Value(0.0)) for vals in (lazy, eager)]
    for root in roots:
        root.backward()
        root.backward()  # a second backward adds the same gradients again
    _assert_same(roots[0], roots[1])
    for x in (xl, xe):  # micrograd's update, a cleared gradient, a node's number set
        x[0].data += 1.0
        x[1].grad = 0
    lazy[5].data, eager[5].data = 7.0, 7.0
    for root in roots:
        root.backward()  # (the graph keeps the numbers its ops saw)
    _assert_same(roots[0], roots[1])


@pytest.mark.parametrize("seed", range(4))
def test_the_tensor_built_later_is_the_graph_the_ops_would_have_built(seed):
    xl, lazy, xe, eager = _pair(seed)
    roots = [vals[-1] * vals[-2] + vals[10] for vals in (lazy, eager)]
    if seed % 2:
        for root in roots:
            root.backward()
    for x, vals in ((xl, lazy), (xe, eager)):  # numbers set after the ops saw them
        x[0].data = 5.0
        vals[8].data = -1.0
    for backward in (False, True):
        assert draw_graph(roots[0], backward=backward) == draw_graph(roots[1], backward=backward)
    t = roots[0].tensor
    assert roots[0].tensor is t and t.dtype == np.float64 and t.requires_grad
    assert _bits(t.data) == _bits(roots[1].tensor.data)
    for root, x in zip(roots, (xl, xe)):  # on from here as Tensors: ops and backward
        ((root * x[2]).relu() + root).backward()
        root.backward()
    _assert_same(roots[0], roots[1])
    assert _bits(roots[0].tensor.grad) == _bits(roots[1].tensor.grad)


def test_each_node_is_its_tensor_after_the_graph_is_built():
    a, b = Value(2.0), Value(-3.0)
    c = a * b + 1
    d = c.tanh()
    d.backward()
    t = d.tensor
    assert t.op == "tanh" and t.parents[0] is c.tensor and c.tensor.op == "add"
    assert set(c.tensor.parents) == {n.tensor for n in c._prev}
    for v in (a, b, c, d):  # the numbers and gradients the Values held
        assert float(v.tensor.data) == v.data and float(v.tensor.grad) == v.grad
    a.data = 4.0  # the Value's number is its Tensor's from now on, both ways
    assert float(a.tensor.data) == 4.0
    a.tensor.grad = np.array(0.5)
    assert a.grad == 0.5
    d.tensor.backward()  # glassnet's backward fills the Values' gradients
    assert a.grad == pytest.approx(0.5 + float(b.tensor.data) * (1 - d.data**2))


def test_micrographs_demo_is_the_tensor_paths_to_the_bit():
    r = np.random.default_rng(7)
    X, y = r.normal(size=(16, 2)).tolist(), np.where(r.random(16) < 0.5, 1, -1).tolist()
    runs = []
    for on_tensors in (False, True):
        random.seed(1337)
        model = MLP(2, [16, 16, 1])
        losses = []
        for k in range(3):  # (inputs wrapping Tensors: every op on them a Tensor op)
            V = (
                (lambda x: Value(gn.Tensor(x, requires_grad=True, dtype=np.float64)))
                if on_tensors
                else Value
            )
            inputs = [list(map(V, row)) for row in X]
            scores = list(map(model, inputs))
            loss = sum((1 + -yi * si).relu() for yi, si in zip(y, scores)) * (1.0 / len(y))
            loss = loss + 1e-4 * sum(p * p for p in model.parameters())
            model.zero_grad()
            loss.backward()
            for p in model.parameters():
                p.data -= (1.0 - 0.9 * k / 100) * p.grad
            losses.append(loss.data)
        runs.append([_bits(v) for v in losses + [p.data for p in model.parameters()]])
    assert runs[0] == runs[1]


def _tensors() -> int:
    return sum(type(o) is gn.Tensor for o in gc.get_objects())  # (no __class__ lookups)


def test_no_tensor_is_made_until_one_is_asked_for():
    random.seed(0)
    model = MLP(2, [4, 1])
    gc.collect()  # (no garbage Tensors of other tests left to be collected meanwhile)
    before = _tensors()
    loss = sum((model([Value(0.5 * i), Value(-1.0)]) for i in range(3)), Value(0.0))
    loss.backward()
    assert _tensors() == before  # (each node made a Tensor and a NumPy array)
    loss.tensor  # noqa: B018
    assert _tensors() - before == len(_nodes(loss))  # one a node, beneath the one asked for


def test_a_node_costs_a_python_object_not_a_numpy_array():
    # each node held a Tensor, its 0-d NumPy array and its backward closure: about 1.1 KB
    # a node of micrograd's MLP (and most of the time of its training: 1.6-1.8x
    # micrograd's own, now a fraction of it, bench/micrograd_speed.py)
    random.seed(0)
    model = MLP(2, [16, 16, 1])
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        loss = sum((model([Value(0.1 * i), Value(-0.2 * i)]) for i in range(10)), Value(0.0))
        loss.backward()
        used = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    n = len(_nodes(loss))
    assert n > 6000 and used / n < 400, f"{used / n:.0f} bytes a node"


def test_detect_anomaly_names_the_op_in_a_float_graph():
    a = Value(1e-300)
    y = (a * 1e300) * 1e300  # finite values; d y / d a = 1e600 is past the float range
    with gn.detect_anomaly(), pytest.raises(gn.AnomalyError, match="backward of op 'mul'"):
        y.backward()
    with gn.detect_anomaly(), pytest.raises(gn.AnomalyError, match="forward of op 'mul'"):
        Value(1e300) * 1e300
    big = Value(1e300) * 1e300  # (outside it: inf, as with Python floats)
    assert big.data == float("inf")


def test_a_value_records_its_graph_inside_no_grad_as_micrographs():
    # a Value made inside no_grad() had a Tensor with no graph beneath it: its _prev named
    # its children, and backward() raised "does not require grad"
    a, b = Value(2.0), Value(-3.0)
    b.tensor  # noqa: B018 (one operand with its Tensor: the Tensor op)
    with gn.no_grad():
        c = a * a + 1.0  # (floats)
        d = (c * b).tanh()  # (Tensors)
        drawn = draw_graph(d, backward=True)  # (the graph asked for inside: the graph)
    d.backward()
    assert c.grad == pytest.approx(-3.0 * (1 - d.data**2)) and a.grad == pytest.approx(
        2 * 2.0 * c.grad
    )
    (cb,) = d.tensor.parents
    assert cb.parents[0] is c.tensor and cb.parents[1] is b.tensor and "tanh" in drawn


def test_a_deep_graph_needs_no_recursion():
    x = s = Value(0.0)
    for _ in range(30000):
        s = s * 1.0 + 1
    s.backward()
    assert s.data == 30000.0 and x.grad == 1.0
    assert float(s.tensor.data) == 30000.0 and float(x.tensor.grad) == 1.0


@pytest.mark.parametrize("name", ["tanh", "relu"])
def test_one_table_a_swapped_activation_reaches_the_value_path_too(monkeypatch, name):
    """A Value's relu and tanh read g and g' from glassnet.functional's table, as the
    Tensor's do: an entry swapped there changes both, and they still agree to the bit."""
    import dataclasses

    import glassnet.functional as F

    def grads():
        x = Value(0.7)
        y = getattr(x * 1.5, name)() * x
        y.backward()
        t = x.tensor  # (the Tensor graph, built now from the same numbers)
        tx = gn.Tensor(np.float64(0.7), requires_grad=True, dtype=np.float64)
        ty = getattr(tx * 1.5, name)() * tx
        ty.backward()
        return x.grad, y.data, float(tx.grad), float(ty.data), t

    before = grads()
    act = F.ACTIVATIONS[name]
    odd = dataclasses.replace(act, fn=lambda z: act.fn(z) * 2.0, grad=lambda z, a: 3.0 + 0 * a)
    monkeypatch.setitem(F.ACTIVATIONS, name, odd)
    after = grads()
    assert after[0] != before[0] and after[1] != before[1]  # the Value path followed the table
    assert _bits(after[0]) == _bits(after[2]) and _bits(after[1]) == _bits(after[3])


def test_threads_sharing_a_leaf_lose_no_gradient_and_build_one_tensor():
    # the float path keeps its walk in the nodes: two threads' walks wiped each other's
    # gradients (about 11% lost), and two builds of one leaf made a Tensor of None
    import sys
    import threading

    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    try:
        p = Value(0.5)

        def work():
            for _ in range(10):
                s = p
                for _ in range(200):
                    s = s + p
                s.backward()

        ts = [threading.Thread(target=work) for _ in range(4)]
        [t.start() for t in ts]
        [t.join() for t in ts]
        assert p.grad == 201.0 * 4 * 10
        errors = []
        for _ in range(40):
            q = Value(1.0)
            graphs = []
            for _ in range(2):
                s = q
                for i in range(30):
                    s = s * 1.0 + i * 0.001
                graphs.append(s)

            def build(g):
                try:
                    _ = g.tensor
                except Exception as e:  # noqa: BLE001 (collected, asserted below)
                    errors.append(e)

            ts = [threading.Thread(target=build, args=(g,)) for g in graphs]
            [t.start() for t in ts]
            [t.join() for t in ts]
            assert graphs[0].tensor.parents and q.tensor is not None
        assert not errors
    finally:
        sys.setswitchinterval(old)


def test_a_value_wraps_a_tensor_that_needs_no_grad():
    # retain_grad() now refuses such a tensor, and Value called it on every Tensor it wrapped
    v = Value(gn.Tensor(np.array(2.0), dtype=np.float64))
    assert v.data == 2.0 and v.grad == 0
    w = Value(2.0) + gn.Tensor(np.array(3.0), dtype=np.float64)
    assert w.data == 5.0
    t = gn.Tensor(np.array(1.5), requires_grad=True, dtype=np.float64)
    assert Value((t * 3).detach()).data == 4.5
