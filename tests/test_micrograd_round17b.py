"""glassnet.micrograd: a hook around a node's own ``_backward`` (the function read holds
the op as it was), ``_backward`` set on a leaf, a user's op of three children on the float
path, and the docstrings' account of an op whose closure assigns."""

from __future__ import annotations

import math

import pytest

import glassnet.micrograd
import glassnet.micrograd.engine as engine
from glassnet.micrograd import Value

mg_engine = pytest.importorskip("micrograd.engine")

_OPS = {
    "mul": lambda a, b: a * b,
    "add": lambda a, b: a + b,
    "relu": lambda a, b: (a * b).relu(),
    "pow": lambda a, b: a**3,
    "div": lambda a, b: a / b,
    # (micrograd 0.1.0 has no tanh or exp: their numbers are checked below, by hand)
    "tanh": lambda a, b: (a * b).tanh(),
    "exp": lambda a, b: (a * b).exp(),
}
_MG_OPS = ("mul", "add", "relu", "pow", "div")


def _fma(V, a, b, c):
    """A user's op of three children (micrograd's way)."""
    out = V(a.data * b.data + c.data, (a, b, c), "fma")

    def _backward():
        a.grad += b.data * out.grad
        b.grad += a.data * out.grad
        c.grad += out.grad

    out._backward = _backward
    return out


def _hooked(V, op, draw):
    """The hook idiom around the node of ``op``; [a.grad, b.grad, out.grad, what it saw]."""
    a, b = V(1.5), V(-2.0)
    out = _OPS[op](a, b)
    if draw == "before":
        assert out.tensor.requires_grad  # (its Tensor built before _backward is read)
    old = out._backward
    seen = []

    def _backward():  # clip the gradient reaching the node, then its own backward
        seen.append(out.grad)
        out.grad = max(-1.0, min(1.0, out.grad))
        old()

    out._backward = _backward
    y = out * 3 + a
    if draw == "after":
        assert y.tensor.requires_grad
    y.backward()
    return [a.grad, b.grad, out.grad, seen]


@pytest.mark.parametrize("op", _MG_OPS)
@pytest.mark.parametrize("when", ["never", "before", "after"])  # the graph drawn
def test_a_hook_around_a_nodes_own_backward(op, when):
    assert _hooked(Value, op, when) == _hooked(mg_engine.Value, op, "never")


@pytest.mark.parametrize("op", ["tanh", "exp"])
@pytest.mark.parametrize("when", ["never", "before", "after"])
def test_a_hook_around_tanh_and_exp(op, when):
    z = 1.5 * -2.0  # a * b; the hook clips the 3 reaching the node to 1
    d = 1 - math.tanh(z) ** 2 if op == "tanh" else math.exp(z)
    got = _hooked(Value, op, when)
    assert got[2:] == [1.0, [3.0]]
    assert got[0] == pytest.approx(-2.0 * d + 1, rel=1e-15)
    assert got[1] == pytest.approx(1.5 * d, rel=1e-15)


def test_a_hook_around_a_hook():
    def run(V):
        x = V(0.7)
        out = (x * x).relu()
        calls = []
        for name in ("inner", "outer"):
            old = out._backward

            def hooked(old=old, name=name):
                calls.append(name)
                old()

            out._backward = hooked
        (out * 2).backward()
        return [x.grad, calls]

    assert run(Value) == run(mg_engine.Value)


@pytest.mark.parametrize("drawn", [False, True])
def test_backward_set_on_a_leaf(drawn):
    def run(V, draw):
        w = V(3.0)
        w._backward = lambda: None  # micrograd's own default
        y = w * w + w
        if draw:
            assert y.tensor.requires_grad
        y.backward()
        return [w.grad, y.data]

    assert run(Value, drawn) == run(mg_engine.Value, False) == [7.0, 12.0]


@pytest.mark.parametrize("drawn", [False, True])
def test_a_leaf_with_backward_set_under_an_op_of_three_children(drawn):
    def run(V, draw):
        w = V(3.0)
        w._backward = lambda: None
        a, b = V(1.5), V(-2.0)
        y = _fma(V, a, b, w) * w
        if draw:
            assert y.tensor.requires_grad
        y.backward()
        return [w.grad, a.grad, b.grad, y.data]

    assert run(Value, drawn) == run(mg_engine.Value, False)


def test_a_leafs_backward_runs_as_micrographs_does():
    def run(V, draw):
        w, seen = V(2.0), []
        w._backward = lambda: seen.append(w.grad)
        y = w * 5
        if draw:
            assert y.tensor.requires_grad
        y.backward()
        return [w.grad, seen]

    want = run(mg_engine.Value, False)
    assert run(Value, False) == want and run(Value, True) == want


def test_an_op_of_three_children_keeps_the_float_path():
    # one such op used to send its graph, parameters included, to the Tensor path for good
    def run(V):
        ps = [V(0.5), V(-1.25), V(2.0), V(0.75)]
        out = []
        for _ in range(3):
            y = _fma(V, ps[0], ps[1], ps[2]) * ps[3] + (ps[0] * ps[3]).relu()
            for p in ps:
                p.grad = 0
            y.backward()
            for p in ps:
                p.data -= 0.1 * p.grad
            out.append([p.grad for p in ps] + [y.data])
        return out, ps

    got, ps = run(Value)
    assert got == run(mg_engine.Value)[0]
    assert all(p._t is None for p in ps)  # (no Tensor built: the float path throughout)


def test_the_assigning_closure_is_described_as_it_is():
    def run(V):
        x = V(0.5)
        t = math.tanh(0.5)
        out = V(t, (x,), "tanh")

        def fn():
            x.grad = (1 - t**2) * out.grad  # '=' where '+=' is meant

        out._backward = fn
        (out + x).backward()
        return x.grad

    local = 1 - math.tanh(0.5) ** 2
    assert run(mg_engine.Value) == local
    assert run(Value) == local + 1
    flat = " ".join(engine.__doc__.split())
    assert "1.786... here (0.786 + 1, from +), 0.786... in micrograd" in flat
    assert f"{local:.3f}" == "0.786"


def test_the_docstrings_say_a_value_takes_no_other_attributes():
    with pytest.raises(AttributeError):
        Value(1.0).foo = 1
    for doc in (engine.__doc__, glassnet.micrograd.__doc__):
        assert "takes other attributes" not in " ".join(doc.split())
    assert "a Value takes no other attributes" in " ".join(engine.__doc__.split())
