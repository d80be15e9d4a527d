"""glassnet.micrograd: micrograd's way of adding an op (``_children``, ``_op`` and
``_backward``), ``_backward`` called by hand, ``label``; a Value exponent's gradient at a
negative base; backward() through an overflow is silent; the docstrings' account of a
second backward()."""

from __future__ import annotations

import math
import warnings

import pytest

import glassnet.micrograd
import glassnet.micrograd.engine as engine
from glassnet.micrograd import Value

mg_engine = pytest.importorskip("micrograd.engine")
torch = pytest.importorskip("torch")


def _custom_tanh(V, x):
    """The lecture's tanh, added micrograd's way (a node made with _children, _op)."""
    t = math.tanh(x.data)
    out = V(t, (x,), "tanh")

    def _backward():
        x.grad += (1 - t**2) * out.grad

    out._backward = _backward
    return out


@pytest.mark.parametrize("drawn", [False, True])  # the float path; the Tensor path
def test_an_op_added_micrographs_way_passes_its_gradient_on(drawn):
    def run(V, draw):
        w, b = V(-3.0), V(0.5)
        x = w * 2.0 + b  # (a graph below the user's node, and above it)
        y = _custom_tanh(V, x) * 2 + w
        if draw:
            assert y.tensor.requires_grad  # (its Tensor graph: the Tensor path)
        y.backward()
        return [v.grad for v in (w, b, x, y)]

    assert run(Value, drawn) == run(mg_engine.Value, False)
    # the audit's case: 1.5729, micrograd's
    x = Value(0.5)
    y = _custom_tanh(Value, x) * 2
    if drawn:
        assert y.tensor.requires_grad  # (its Tensor graph: the Tensor path)
    y.backward()
    assert x.grad == pytest.approx(1.572895465932, abs=1e-12)


@pytest.mark.parametrize("drawn", [False, True])
def test_an_op_of_three_children(drawn):
    def run(V):
        a, b, c = V(2.0), V(-1.0), V(0.25)
        s = V(a.data * b.data * c.data, (a, b, c), "prod3")

        def _backward():
            a.grad += b.data * c.data * s.grad
            b.grad += a.data * c.data * s.grad
            c.grad += a.data * b.data * s.grad

        s._backward = _backward
        y = s * s + a
        if drawn and V is Value:
            assert y.tensor.requires_grad  # (its Tensor graph: the Tensor path)
        y.backward()
        return [v.grad for v in (a, b, c, s)]

    assert run(Value) == run(mg_engine.Value)


def test_the_user_op_matches_the_built_in_one_over_two_backward_calls():
    # backward() hands the user's _backward the gradient of that call: the numbers are
    # those of glassnet's own tanh, call after call
    x1, x2 = Value(0.3), Value(0.3)
    y1 = _custom_tanh(Value, x1 * 3) * 2
    y2 = (x2 * 3).tanh() * 2
    for _ in range(2):
        y1.backward()
        y2.backward()
        assert x1.grad == pytest.approx(x2.grad, rel=1e-15)
    assert x1.grad == pytest.approx(2 * 6 * (1 - math.tanh(0.9) ** 2), rel=1e-14)


def test_backward_by_hand_node_by_node_as_in_the_lecture():
    def run(V, draw=False):
        a, b, c, f = V(2.0), V(-3.0), V(10.0), V(-2.0)
        e = a * b
        d = e + c
        L = d * f
        r = (L**2).relu() - c / 4  # micrograd's other ops
        if draw:
            assert r.tensor.requires_grad  # (its Tensor graph: the Tensor path)
        r.grad = 1.0
        topo, seen = [], set()

        def build(v):
            if v not in seen:
                seen.add(v)
                for child in sorted(v._prev, key=lambda u: u.data):
                    build(child)
                topo.append(v)

        build(r)
        for node in reversed(topo):
            node._backward()
        return [v.grad for v in (a, b, c, d, e, f, L)]

    want = run(mg_engine.Value)
    assert run(Value) == want
    assert run(Value, draw=True) == want


@pytest.mark.parametrize("drawn", [False, True])  # (drawn: its Tensor built before)
def test_backward_runs_a_users_backward_on_a_built_in_node(drawn):
    x = Value(2.0)
    y = x * x
    if drawn:
        assert y.tensor.requires_grad
    y._backward = lambda: setattr(x, "grad", x.grad + 10 * y.grad)
    (y * 3).backward()
    assert x.grad == 30.0 and y.grad == 3.0 and y._prev == {x}
    x = Value(0.5)
    o = Value(0.3, (x,), "f")
    if drawn:
        assert o.tensor.requires_grad
    o._backward = lambda: setattr(x, "grad", x.grad + 2 * o.grad)
    (o * 3).backward()
    assert x.grad == 6.0 and o.grad == 3.0


def test_backward_attribute_refusals():
    x = Value(1.0)
    assert x._backward() is None and x.grad == 0  # a leaf's does nothing
    with pytest.raises(TypeError, match="_backward must be a function.*Got float"):
        x._backward = 1.0
    y = Value(3.0, (x, 2.0), "bad")
    with pytest.raises(TypeError, match="must be Values.*Got float"):
        y._backward = lambda: None


def test_label():
    a = Value(2.0, label="a")
    b = Value(3.0)
    assert a.label == "a" and b.label == ""
    b.label = "b"
    c = a * b
    c.label = "c"
    assert (c.label, c.tensor.label, a.tensor.label) == ("c", "c", "a")
    d = c + 1
    d.label = "d"  # (a node with its Tensor already)
    assert d.tensor.label == "d"
    with pytest.raises(TypeError, match="label must be a str"):
        a.label = 3


@pytest.mark.parametrize("drawn", [False, True])
@pytest.mark.parametrize(("base", "p"), [(-2.0, 2.0), (-2.0, 3.0), (-2.0, 0.0), (2.0, 0.5)])
def test_a_value_exponents_gradient_is_pytorchs(base, p, drawn):
    a, b = Value(base), Value(p)
    if drawn:
        assert a.tensor.requires_grad  # (its Tensor graph: the Tensor path)
    (a**b).backward()
    ta = torch.tensor(base, dtype=torch.float64, requires_grad=True)
    tb = torch.tensor(p, dtype=torch.float64, requires_grad=True)
    (ta**tb).backward()
    assert a.grad == pytest.approx(ta.grad.item(), rel=1e-15)
    if math.isnan(tb.grad.item()):
        assert math.isnan(b.grad)
    else:
        assert b.grad == pytest.approx(tb.grad.item(), rel=1e-15)


def test_backward_through_an_overflow_is_silent():
    a, b = Value(1e308), Value(2.0)
    y = (a + b) * b + a * a
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y.backward()
    assert (y.data, a.grad, b.grad) == (math.inf, math.inf, 1e308)


def test_the_same_root_twice_is_described_as_it_is():
    x = Value(2.0)
    z = (x * x) * 3
    z.backward()
    z.backward()
    xm = mg_engine.Value(2.0)
    zm = (xm * xm) * 3
    zm.backward()
    zm.backward()
    assert (x.grad, xm.grad) == (24.0, 36.0)  # the docstrings' example
    for doc in (engine.__doc__, glassnet.micrograd.__doc__):
        flat = " ".join(doc.split())
        assert "the same root's ``backward()`` twice gives micrograd's numbers" not in flat
        assert "from the same root or" in flat
    assert "x.grad: 24.0 here (12 + 12), 36.0 in micrograd" in engine.__doc__


def test_values_stay_small():
    # (the fast path's speed: a Value has no __dict__, the label lives beside it)
    assert not hasattr(Value(1.0), "__dict__")
