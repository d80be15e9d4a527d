"""micrograd's engine tests on glassnet.Tensor.

The two tests of micrograd's ``test/test_engine.py`` (github.com/karpathy/micrograd, MIT
licence), ``test_sanity_check`` and ``test_more_ops``, written as close to the original as
glassnet's API allows. What changed, and why:

* ``Value(v)`` is the helper below, ``Tensor(v, requires_grad=True, dtype=float64)``: a
  glassnet tensor records gradients only when asked, and its default dtype is float32.
* ``c += c + 1``, ``d += ...`` and ``g += 10.0 / f`` on graph nodes are written
  ``c = c + c + 1`` and so on, as the original's own PyTorch half writes them. micrograd's
  ``+=`` rebinds the name to a new node; glassnet's updates the tensor in place, as
  PyTorch's does, and refuses to on a node of a graph that needs its values (the test
  ``test_in_place_on_a_graph_node_raises`` in test_tensor_habits.py).
* The expressions are written once (``sanity_check_graph``, ``more_ops_graph``) and run on
  glassnet and PyTorch leaves; the original writes them out in each half.
* The original checks micrograd against PyTorch only. Here the glassnet half is also
  checked, always, against a float64 reference that shares no code with glassnet: the same
  expressions on Python floats, with the gradients by central finite differences. The
  PyTorch half runs when torch is installed (optional).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from glassnet import Tensor


def Value(data: float) -> Tensor:  # noqa: N802 - micrograd's name
    return Tensor(data, requires_grad=True, dtype=np.float64)


# --------------------------------------------------------------------------- the reference
def relu(v: float) -> float:
    return max(v, 0.0)


def sanity_check(x: float) -> float:
    z = 2 * x + 2 + x
    q = relu(z) + z * x
    h = relu(z * z)
    return h + q + q * x


def more_ops(a: float, b: float) -> float:
    c = a + b
    d = a * b + b**3
    c = c + c + 1
    c = c + 1 + c + (-a)
    d = d + d * 2 + relu(b + a)
    d = d + 3 * d + relu(b - a)
    e = c - d
    f = e**2
    g = f / 2.0
    return g + 10.0 / f


def central_difference(f: Callable[..., float], args: list[float], i: int) -> float:
    h = 1e-6 * max(1.0, abs(args[i]))
    up, down = list(args), list(args)
    up[i] += h
    down[i] -= h
    return (f(*up) - f(*down)) / (2 * h)


# --------------------------------------------------------------------------- the tests
# The original's expressions, written once for a glassnet or a PyTorch leaf: the check
# against the reference (always) and the original's check against PyTorch (when installed)
# run the same lines.
def sanity_check_graph(x):
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    return y


def more_ops_graph(a, b):
    c = a + b
    d = a * b + b**3
    c = c + c + 1
    c = c + 1 + c + (-a)
    d = d + d * 2 + (b + a).relu()
    d = d + 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g = g + 10.0 / f
    return g


def test_sanity_check():
    x = Value(-4.0)
    y = sanity_check_graph(x)
    y.backward()
    xmg, ymg = x, y

    # forward pass went well
    assert ymg.data == sanity_check(-4.0)  # the same float64 operations: exactly equal
    # backward pass went well
    assert abs(xmg.grad - central_difference(sanity_check, [-4.0], 0)) < 1e-6


def test_more_ops():
    a = Value(-4.0)
    b = Value(2.0)
    g = more_ops_graph(a, b)
    g.backward()
    amg, bmg, gmg = a, b, g

    tol = 1e-6
    # forward pass went well
    assert abs(gmg.data - more_ops(-4.0, 2.0)) < tol
    # backward pass went well
    assert abs(amg.grad - central_difference(more_ops, [-4.0, 2.0], 0)) < tol
    assert abs(bmg.grad - central_difference(more_ops, [-4.0, 2.0], 1)) < tol


def test_sanity_check_against_pytorch():
    torch = pytest.importorskip("torch")  # optional reference (torch==2.13.0), not a dependency
    x = Value(-4.0)
    y = sanity_check_graph(x)
    y.backward()
    xmg, ymg = x, y

    x = torch.Tensor([-4.0]).double()
    x.requires_grad = True
    y = sanity_check_graph(x)
    y.backward()
    xpt, ypt = x, y

    # forward pass went well
    assert ymg.data == ypt.data.item()
    # backward pass went well
    assert xmg.grad == xpt.grad.item()


def test_more_ops_against_pytorch():
    torch = pytest.importorskip("torch")  # optional reference (torch==2.13.0), not a dependency
    a = Value(-4.0)
    b = Value(2.0)
    g = more_ops_graph(a, b)
    g.backward()
    amg, bmg, gmg = a, b, g

    a = torch.Tensor([-4.0]).double()
    b = torch.Tensor([2.0]).double()
    a.requires_grad = True
    b.requires_grad = True
    g = more_ops_graph(a, b)
    g.backward()
    apt, bpt, gpt = a, b, g

    tol = 1e-6
    # forward pass went well
    assert abs(gmg.data - gpt.data.item()) < tol
    # backward pass went well
    assert abs(amg.grad - apt.grad.item()) < tol
    assert abs(bmg.grad - bpt.grad.item()) < tol


def test_the_original_in_place_spelling_fails_loudly():
    # micrograd's `c += c + 1` on a node: glassnet refuses instead of silently rebinding
    c = Value(-4.0) + Value(2.0)
    with pytest.raises(RuntimeError, match=r"x = x \+ y"):
        c += c + 1
