"""micrograd's ``Value``: one number and its gradient, on glassnet's autodiff graph.

The same API and numbers as ``micrograd.engine.Value``, to the bit (but for the
gradients that a second root's ``backward()`` adds to nodes holding an earlier one's: see
below): its arithmetic
(``a ** p`` is Python's float ``**``, and its gradient micrograd's ``(p * a**(p-1)) * g``)
and its order of sums (a depth-first walk, then each node's gradient passed on in reverse;
a node's children in operand order: micrograd keeps them in a set, ordered by memory
address, so the same graph built twice in micrograd can differ in the last bit where three
or more paths meet, and glassnet's is one of those orders, always the same). A zero is
micrograd's 0.0, never -0.0, in ``.grad``; in ``.data`` the sign of a zero can differ
where micrograd computes in ints (its relu's 0, ``0 * -1``). Each ``Value`` is a node of a
0-d float64 :class:`~glassnet.Tensor` graph (``v.tensor``, a Tensor that requires grad);
the ops micrograd defines as primitives (``+``, ``*``, ``**``, ``relu``, ``tanh``,
``exp``) are glassnet's ops (``**`` of a number a ``pow`` node with micrograd's
arithmetic: glassnet's np.power is an ulp off Python's in 1 x of 20), and the others
are composed from them exactly as micrograd composes them (``a - b`` is ``a + (-b)``,
``-a`` is ``a * -1``, ``a / b`` is ``a * b**-1``), so the graph has micrograd's nodes,
each with micrograd's ``_op`` label and ``_prev`` set of children, and a number becomes a
leaf ``Value`` as in micrograd.

The Tensor of a node is built when first asked for (``v.tensor``,
``glassnet.viz.draw_graph(v)``), with the whole graph beneath it: until then a Value
holds its number and gradient as Python floats, and ``backward()`` runs glassnet's chain
rule on them, the same arithmetic in the same order as on the Tensor graph (the same
bits), at micrograd's cost rather than a NumPy array per number; ``relu`` and ``tanh`` read
g(z) and g'(z) from :data:`glassnet.functional.ACTIVATIONS`, the table the Tensor's ops and
the fast path read (an entry swapped there changes all of them). The Tensor graph holds
the values each op saw, the gradients the nodes hold, and glassnet's ops, as if it had
been built op by op; from then on the nodes are their Tensors (``v.data`` and ``v.grad``
read them, ``backward()`` is the Tensor's, and an op on such a node makes a Tensor
node). A result that is not finite (inf or nan) is made by the Tensor op too, and
``backward()`` inside ``glassnet.detect_anomaly()`` is the Tensor's, so that its checks
name the op.

What follows micrograd rather than glassnet's Tensor (and PyTorch):

* ``.data`` and ``.grad`` read as Python floats; ``.grad`` is 0 before any ``backward()``,
  and assigning ``p.grad = 0`` clears it (micrograd's ``zero_grad``). ``p.data += ...``
  (micrograd's update) sets the number: a graph built before keeps the old value.
* ``c += x`` builds a new node, as micrograd's (where a Tensor updates in place).
* ``backward()`` leaves the gradient in every node of the graph, not only in the leaves,
  and accumulates, as micrograd's: the same root's ``backward()`` twice gives micrograd's
  numbers. Where they differ: a ``backward()`` from another root whose graph shares nodes
  that kept gradients from an earlier call, with no ``zero_grad`` between. glassnet adds
  that root's own gradients (the sum PyTorch's accumulation gives); micrograd's nodes pass
  on the gradients they kept as well, counting them again::

      x = Value(2.0); y = x * x; z = y + x
      y.backward(); z.backward()   # x.grad: 9.0 here (4 + 5), 13.0 in micrograd

  glassnet keeps the sum because its Tensor graph (built once the graph is drawn, say)
  gives that one: micrograd's would make a Value's numbers depend on whether it was drawn.
  Zero the gradients between two roots, as micrograd's lessons do, and the numbers are
  micrograd's.
* ``Value(2)`` holds the float 2.0 (micrograd keeps the int).
* The backward of ``0 ** 0.5`` and ``0 ** 0``, where micrograd's raises a
  ZeroDivisionError (``0.0 ** -0.5`` in its chain rule), gives the limits, inf and 0.
* Where micrograd's Python floats raise, a Value raises the same error: ``x / 0`` and
  ``0 ** -1`` a ZeroDivisionError, ``exp`` or ``**`` past the float range an
  OverflowError; a negative base to a non-integer power (a complex number in micrograd) a
  ValueError. A sum or product past the range is inf, as with floats.
* A Value records its graph always, as micrograd's (which has no such switch), inside
  ``glassnet.no_grad()`` too: that is the Tensor's switch.
"""

from __future__ import annotations

import math
import numbers
import threading
from typing import Any

import numpy as np

from .. import functional as F
from ..tensor import BINARY_OPS, Tensor, enable_grad, is_anomaly_enabled

__all__ = ["Value"]

# How a node was made (its ``_k``): what backward() does with its gradient, and which
# glassnet op builds its Tensor (an op node keeps the numbers the op saw: Value's slots).
_LEAF, _ADD, _MUL, _RELU, _POW, _POWV, _TANH, _EXP = range(8)
_BINARY = (_ADD, _MUL, _POWV)
_pow_grad = BINARY_OPS["pow"][1]  # glassnet's d(a^p): the same expression, the same bits
_new = object.__new__
_WALK = threading.RLock()  # (_topo and _sweep keep their walk in the nodes: one walk at a time)


def _number(data: Any) -> float:
    """``data`` as a float, or a TypeError that says what a Value holds."""
    if type(data) is float:  # (the common case first)
        return data
    if isinstance(data, np.ndarray) and data.size == 1:
        data = data.reshape(()).item()
    if isinstance(data, bool) or not isinstance(data, numbers.Real):
        what = f"an array of shape {data.shape}" if hasattr(data, "shape") else repr(data)[:60]
        raise TypeError(
            f"Value holds one real number, as micrograd's does. Got {what} "
            f"({type(data).__name__}). For arrays, use glassnet.Tensor."
        )
    return float(data)


def _finite(out: Value, what: str, inputs: tuple[float, ...]) -> Value:
    """``out``, or the OverflowError Python's float ops (micrograd's) raise where finite
    ``inputs`` give a result past the float range."""
    if math.isinf(out.data) and all(math.isfinite(v) for v in inputs):
        raise OverflowError(
            f"Value: {what} is past the float range (about 1.8e308), as with Python floats "
            "(micrograd's Value raises too). Use smaller numbers, e.g. a smaller learning rate."
        )
    return out


def _nonzero(divisor: Any, dividend: Any) -> None:
    """The ZeroDivisionError of Python's ``x / 0`` (micrograd's Value raises it too)."""
    d = divisor.data if isinstance(divisor, Value) else divisor
    if isinstance(d, numbers.Real) and d == 0:
        n = dividend.data if isinstance(dividend, Value) else dividend
        raise ZeroDivisionError(f"Value: division by zero ({n} / {d}).")


def _float_pow(a: float, p: float) -> float:
    """a ** p as micrograd computes it, Python's float ``**`` (np.power's x ** 3 is an ulp
    off in 1 x of 20; an int p is the float p to Python too); inf past the float range,
    where Python raises (the caller's _finite raises glassnet's error for finite a, p)."""
    try:
        return a**p
    except OverflowError:
        return math.inf


def _pow_local(a: float, p: float, g: Any) -> Any:
    """dL/da of y = a ** p, micrograd's expression ``(p * a ** (p - 1)) * g``, in its order
    (the same bits). Where Python's floats raise there (0 ** 0 and 0 ** 0.5: micrograd's
    backward fails), glassnet's d(a^p) gives the limits, 0 and inf."""
    try:
        return (p * a ** (p - 1)) * g
    except (ZeroDivisionError, OverflowError):
        return float(_pow_grad(g, np.array(a), p, None, False))


def _pow_node(ta: Tensor, p: float) -> Tensor:
    """The Tensor node of ``a ** p`` (a number p) with micrograd's arithmetic, forward and
    backward (glassnet's ``**`` is np.power's, an ulp off micrograd's at times): the op
    ``pow`` of one parent, as glassnet's, which the drawings read the same."""
    a = float(ta.data)
    y = _float_pow(a, p)
    return Tensor.from_op(np.array(y), "pow", (ta,), lambda g: (np.array(_pow_local(a, p, g)),))


def _leaf(data: Any) -> Value:
    """A leaf Value of the number ``data`` (the ops' constants: ``x * 2``)."""
    if type(data) is not float:  # (anything else as Value() takes it: an int, a Tensor)
        return Value(data)
    v = _new(Value)
    v._data = data
    v._grad = v._l = v._r = v._t = v._mark = None
    v._op, v._k, v._a = "", _LEAF, ()
    return v


def _node(y: float, k: int, op: str, left: Value, right: Value | None, a: float, b: Any) -> Value:
    """The op node of value ``y`` (its Tensor not built yet)."""
    v = _new(Value)
    v._data, v._k, v._op, v._l, v._r, v._a, v._b = y, k, op, left, right, a, b
    v._grad = v._t = v._mark = None
    return v


def _wrap(t: Tensor, k: int, op: str, left: Value, right: Value | None) -> Value:
    """The op node whose Tensor ``t`` a glassnet op has made (operands with Tensors)."""
    v = _new(Value)
    v._t = t.retain_grad() if t.requires_grad else t  # every node keeps its gradient
    v._data = v._grad = v._mark = None
    v._k, v._op, v._l, v._r, v._a = k, op, left, right, ()
    return v


def _relu(ta: Tensor) -> Tensor:
    """glassnet's relu node, with micrograd's gate ``(out.data > 0) * out.grad``: 0 where
    the input is NaN, where glassnet's Tensor (as PyTorch's) passes the gradient on."""
    t = ta.relu()
    out = t.data
    if not np.isnan(out).any():
        return t
    return Tensor.from_op(out, "relu", (ta,), lambda g: (g * (out > 0),))


def _eager(k: int, op: str, left: Value, right: Value | None, p: Any = None) -> Value:
    """The node made by glassnet's Tensor op on the operands' Tensors (recorded inside
    ``no_grad()`` too: a Value records its graph always, as micrograd's)."""
    ta, tb = left.tensor, (right.tensor if k in _BINARY else None)
    with enable_grad():
        if k == _ADD or k == _MUL:  # (a sum or product past the float range is inf, and
            with np.errstate(over="ignore", invalid="ignore"):  # inf - inf nan, as floats)
                t = ta + tb if k == _ADD else ta * tb
        elif k == _RELU:
            t = _relu(ta)
        elif k == _TANH:
            t = ta.tanh()
        else:
            with np.errstate(over="ignore"):
                t = ta.exp() if k == _EXP else _pow_node(ta, p) if k == _POW else ta**tb
    return _wrap(t, k, op, left, right)


def _build(root: Value) -> None:
    """Build the Tensor of ``root`` and of every node beneath it that has none: glassnet's
    op of each node, on the numbers it saw, holding the gradient the node holds."""
    with _WALK:  # (one build at a time: a leaf shared by two graphs gets one Tensor)
        if root._t is None:
            _build_locked(root)


def _build_locked(root: Value) -> None:
    order, stack, seen = [], [root], {id(root)}
    while stack:  # (post-order: children first)
        v = stack[-1]
        for c in (v._l, v._r):
            if c is not None and c._t is None and id(c) not in seen:
                seen.add(id(c))
                stack.append(c)
                break
        else:
            order.append(stack.pop())
    with enable_grad():  # (asked for inside no_grad(): the graph all the same)
        for v in order:
            _build_one(v)


def _build_one(v: Value) -> None:
    """``v``'s Tensor, its operands' built."""
    k = v._k
    if k == _LEAF:
        t = Tensor(np.array(v._data), requires_grad=True)
    else:  # the op on its operands' Tensors holding the numbers the op saw
        ta, tb = v._l._t, (v._r._t if k in _BINARY else None)
        sa = ta.data
        ta.data = np.array(v._a)
        if tb is not None:
            sb = tb.data
            tb.data = np.array(v._b[0] if k == _POWV else v._b)
        try:
            with np.errstate(over="ignore", invalid="ignore"):
                if k == _ADD:
                    t = ta + tb
                elif k == _MUL:
                    t = ta * tb
                elif k == _RELU:
                    t = _relu(ta)
                elif k == _POW:
                    t = _pow_node(ta, v._b)
                elif k == _POWV:
                    t = ta**tb
                elif k == _TANH:
                    t = ta.tanh()
                else:
                    t = ta.exp()
        finally:  # (in this order: ta may be tb, a * a)
            if tb is not None:
                tb.data = sb
            ta.data = sa
        if not float(t.data) == v._data:  # the number set on the node since (p.data = x)
            t.data = np.array(v._data)
    t.retain_grad()  # every node keeps its gradient, as in micrograd
    if v._grad is not None:
        t.grad = np.array(v._grad)
    v._t, v._data, v._grad = t, None, None  # (the Tensor holds them from now on)


class Value:
    """One number and its gradient (micrograd's ``Value``), a node of glassnet's graph.

    Parameters
    ----------
    data : a real number
    _children, _op : micrograd's bookkeeping of the node that made this one (set by the ops).

    >>> a, b = Value(-4.0), Value(2.0)
    >>> c = a * b + b**3
    >>> c.backward()
    >>> c.data, a.grad, b.grad        # dc/da = b, dc/db = a + 3 b^2
    (0.0, 2.0, 8.0)
    """

    # _data, _grad: the numbers (None once the node has its Tensor, _t); _k: how it was
    # made; _l, _r: the operands; _a, _b: their numbers as the op saw them, or _b the
    # op's output (ReLU, tanh, exp), the exponent and output (a Value's), the exponent (a
    # number's); a leaf's _a: the _children given to Value(); _g, _mark: backward()'s
    # gradient and walk
    __slots__ = ("_data", "_grad", "_op", "_k", "_l", "_r", "_a", "_b", "_t", "_g", "_mark",
                 "__weakref__")  # fmt: skip

    def __init__(self, data: Any, _children: tuple = (), _op: str = "") -> None:
        self._grad = self._l = self._r = self._mark = None
        self._k, self._op, self._a = _LEAF, _op, tuple(_children)
        if isinstance(data, Tensor):  # a Tensor node, wrapped
            if data.data.shape != () or data.data.dtype != np.float64:
                raise TypeError(
                    "Value holds one real number, as micrograd's does. Got a Tensor of shape "
                    f"{data.data.shape} and dtype {data.data.dtype}; a Value wraps a 0-d float64 "
                    "Tensor (use glassnet.Tensor for arrays)."
                )
            self._t, self._data = (data.retain_grad() if data.requires_grad else data), None
        else:
            self._t, self._data = None, _number(data)

    # --------------------------------------------------------------- the graph
    @property
    def tensor(self) -> Tensor:
        """This node's glassnet Tensor (0-d, float64, requires grad), with the graph
        beneath it: built when first asked for, the same object from then on."""
        if self._t is None:
            _build(self)
        return self._t

    @property
    def _prev(self) -> set[Value]:
        """micrograd's set of the Values this one was made from."""
        if self._k == _LEAF:
            return set(self._a)
        return {self._l} if self._r is None else {self._l, self._r}

    # --------------------------------------------------------------- the numbers
    @property
    def data(self) -> float:
        """The number (a float)."""
        t = self._t
        return self._data if t is None else float(t.data)

    @data.setter
    def data(self, value: Any) -> None:
        if self._t is None:
            self._data = _number(value)
        else:
            self._t.data = np.array(_number(value))

    @property
    def grad(self) -> float:
        """dL/dself after ``backward()`` (a float; 0 before, as in micrograd)."""
        t = self._t
        g = self._grad if t is None else t.grad
        # (micrograd's 0 before any backward is an int; + 0.0: its grad starts at 0 and adds,
        # so a zero gradient is 0.0, never -0.0)
        return 0 if g is None else float(g) + 0.0

    @grad.setter
    def grad(self, value: Any) -> None:
        value = _number(value)
        if self._t is None:
            self._grad = None if value == 0 else value
        else:
            self._t.grad = None if value == 0 else np.array(value)

    # --------------------------------------------------------------- micrograd's primitives
    # (an operand with a Tensor, or a result that is not finite, goes through the Tensor op:
    # y - y is 0 exactly for a finite y)
    def __add__(self, other: Any) -> Value:
        if not isinstance(other, Value):
            other = _leaf(other)
        if self._t is None and other._t is None:
            a, b = self._data, other._data
            y = a + b
            if y - y == 0.0:  # (_node's work, written out: this runs for every node)
                v = _new(Value)
                v._data, v._k, v._op, v._l, v._r, v._a, v._b = y, _ADD, "+", self, other, a, b
                v._grad = v._t = v._mark = None
                return v
        return _eager(_ADD, "+", self, other)

    def __mul__(self, other: Any) -> Value:
        if not isinstance(other, Value):
            other = _leaf(other)
        if self._t is None and other._t is None:
            a, b = self._data, other._data
            y = a * b
            if y - y == 0.0:  # (_node's work, written out: this runs for every node)
                v = _new(Value)
                v._data, v._k, v._op, v._l, v._r, v._a, v._b = y, _MUL, "*", self, other, a, b
                v._grad = v._t = v._mark = None
                return v
        return _eager(_MUL, "*", self, other)

    def __pow__(self, other: Any) -> Value:
        p = other.data if isinstance(other, Value) else _number(other)
        a = self.data
        if a == 0 and p < 0:  # (Python's float, and so micrograd's Value, raise this)
            raise ZeroDivisionError(
                f"Value: 0.0 cannot be raised to a negative power ({a} ** {p}), as with Python "
                "floats: a division by zero."
            )
        if a < 0 and math.isfinite(p) and p != int(p):  # (Python's float gives a complex)
            raise ValueError(
                f"Value: ({a}) ** {p} is not a real number (a negative base to a non-integer "
                "power); a Value holds one real number."
            )
        if isinstance(other, Value):
            k, op, right = _POWV, f"**{p}", other
        else:
            k, op, right = _POW, f"**{other}", None
        if self._t is None and (right is None or right._t is None):
            if right is None:
                y = _float_pow(a, p)
            else:  # (micrograd has no Value exponent: np.power, as the Tensor op)
                with np.errstate(over="ignore"):
                    y = float(np.power(np.array(a), np.array(p)))
            if y - y == 0.0:
                return _node(y, k, op, self, right, a, p if right is None else (p, y))
        return _finite(_eager(k, op, self, right, p), f"{a} ** {p}", (a, p))

    def relu(self) -> Value:
        if self._t is None:
            a = self._data  # (g(z) from glassnet's table, as the Tensor's relu computes it)
            y = float(F.ACTIVATIONS["relu"].fn(np.array(a)))
            if y - y == 0.0:
                return _node(y, _RELU, "ReLU", self, None, a, y)
        return _eager(_RELU, "ReLU", self, None)

    def tanh(self) -> Value:
        if self._t is None:
            a = self._data
            y = float(F.ACTIVATIONS["tanh"].fn(np.array(a)))  # (glassnet's table: g(z))
            if y - y == 0.0:
                return _node(y, _TANH, "tanh", self, None, a, y)
        return _eager(_TANH, "tanh", self, None)

    def exp(self) -> Value:
        a = self.data
        if self._t is None:
            with np.errstate(over="ignore"):
                y = float(np.exp(np.array(a)))
            if y - y == 0.0:
                return _node(y, _EXP, "exp", self, None, a, y)
        return _finite(_eager(_EXP, "exp", self, None), f"exp({a})", (a,))

    def backward(self) -> None:
        """Fill ``.grad`` of every node this value depends on (dself/dnode), adding to
        what a previous ``backward()`` left; this value's own ``.grad`` is set to 1, as
        micrograd sets it."""
        if self._t is None and not is_anomaly_enabled():
            with _WALK:
                topo = _topo(self)
                if topo is not None:
                    _sweep(self, topo)
                    self._grad = 1.0
                    return
        if self._t is None:
            _build(self)  # (or a node below has its Tensor: the Tensor's backward, for all)
        self._t.backward()
        self._t.grad = np.array(1.0)

    # --------------------------------------------------------------- composed, as micrograd's
    def __neg__(self) -> Value:  # -self
        return self * -1

    def __radd__(self, other: Any) -> Value:  # other + self
        return self + other

    def __sub__(self, other: Any) -> Value:  # self - other
        return self + (-other)

    def __rsub__(self, other: Any) -> Value:  # other - self
        return other + (-self)

    def __rmul__(self, other: Any) -> Value:  # other * self
        return self * other

    def __truediv__(self, other: Any) -> Value:  # self / other
        _nonzero(other, self)
        return self * other**-1

    def __rtruediv__(self, other: Any) -> Value:  # other / self
        _nonzero(self, other)
        return other * self**-1

    # c += x is c = c + x, a new node (micrograd's Value defines no in-place ops)
    __iadd__, __isub__, __imul__, __itruediv__ = __add__, __sub__, __mul__, __truediv__

    def __repr__(self) -> str:
        return f"Value(data={self.data}, grad={self.grad})"


def _topo(root: Value) -> list[Value] | None:
    """The nodes under ``root`` in the order glassnet's ``Tensor.backward`` sorts their
    Tensors (a depth-first walk, operands in order: the same sums in the same order), each
    with no gradient passed yet; None if a node has its Tensor."""
    mark = object()  # (a node is seen in this walk when its _mark is this walk's)
    root._mark, root._g = mark, None
    topo, stack = [], [root]
    while stack:  # (the two operands written out, not a loop over them: this is the hot
        v = stack[-1]  # loop of every backward, and a tuple a visit cost it a fifth)
        c = v._l
        if c is not None and c._mark is not mark:
            if c._t is not None:
                return None
            c._mark, c._g = mark, None
            stack.append(c)
            continue
        c = v._r
        if c is not None and c._mark is not mark:
            if c._t is not None:
                return None
            c._mark, c._g = mark, None
            stack.append(c)
            continue
        topo.append(stack.pop())
    return topo


def _sweep(root: Value, topo: list[Value]) -> None:
    """The chain rule over ``topo`` from ``root`` (dL/droot = 1), each op's local
    derivative as glassnet's op computes it; every node adds what reaches it to its
    ``_grad``."""
    root._g = 1.0
    for v in reversed(topo):
        g = v._g
        if g is None:
            continue
        v._g = None
        v._grad = g if v._grad is None else v._grad + g
        k = v._k
        if k == _LEAF:
            continue
        if k == _MUL:
            ga, gb = g * v._b, g * v._a
        elif k == _ADD:
            ga = gb = g
        elif k == _RELU or k == _TANH:  # g'(z) from glassnet's table (_a: z, _b: the output)
            act = F.ACTIVATIONS["relu" if k == _RELU else "tanh"]
            ga = float(act.backward(np.array(g), np.array(v._a), np.array(v._b)))
        elif k == _EXP:
            ga = g * v._b
        elif k == _POW:  # a ** p: micrograd's expression, in Python floats
            ga = _pow_local(v._a, v._b, g)
        else:  # a ** b, b a Value (_b: b and y)
            A, p, y = np.array(v._a), np.array(v._b[0]), np.array(v._b[1])
            ga = float(_pow_grad(g, A, p, y, False))
            gb = float(_pow_grad(g, A, p, y, True))
        c = v._l
        c._g = ga if c._g is None else c._g + ga
        if k in _BINARY:
            c = v._r
            c._g = gb if c._g is None else c._g + gb
