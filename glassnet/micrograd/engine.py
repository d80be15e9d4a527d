"""micrograd's ``Value``: one number and its gradient, on glassnet's autodiff graph.

The same API and numbers as ``micrograd.engine.Value``, to the bit (but for the
gradients that a second ``backward()`` adds to nodes holding an earlier one's: see below):
its arithmetic
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
g(z) from :data:`glassnet.functional.ACTIVATIONS`, the table the Tensor's ops and the fast
path read (an entry swapped there changes all of them), and ``tanh`` its g'(z) too;
``relu``'s backward is micrograd's gate ``(out.data > 0) * out.grad`` on both paths, so an
inf or NaN gradient reaching a unit that is off gives NaN below it, as micrograd's
(``0 * inf``; glassnet's Tensor relu, as PyTorch's, gives 0 there). The Tensor graph holds
the values each op saw, the gradients the nodes hold, and glassnet's ops, as if it had
been built op by op; from then on the nodes are their Tensors (``v.data`` and ``v.grad``
read them, ``backward()`` is the Tensor's, and an op on such a node makes a Tensor
node), but for the leaves (a model's weights): an op on a leaf whose Tensor was built
from its float stays on the float path, reading the number from its Tensor, and
``backward()`` adds to the Tensor's gradient, so that the training steps after a drawing
make no Tensor. A ``copy.copy`` or pickle of a drawn node holds its own numbers as floats.
A result that is not finite (inf or nan) is made by the Tensor op too, and
``backward()`` inside ``glassnet.detect_anomaly()`` is the Tensor's, so that its checks
name the op.

What follows micrograd rather than glassnet's Tensor (and PyTorch):

* ``.data`` and ``.grad`` read as Python floats (NumPy numbers where NumPy numbers were
  given, as micrograd's: see below); ``.grad`` is the int 0 before any
  ``backward()`` and after ``p.grad = 0`` (micrograd's ``zero_grad``), as micrograd's, and
  a float from then on (``p.grad = 0.0`` reads 0.0). ``p.data += ...``
  (micrograd's update) sets the number: a graph built before keeps the old value, and a
  ``backward()`` on a graph built before a ``.data`` change uses the values the graph was
  built with; micrograd's reads the new ones (its ``_backward`` closures read ``.data``
  when they run)::

      a, b = Value(2.0), Value(3.0); out = a * b; out.backward()
      a.data = 5.0; a.grad = 0; b.grad = 0   # the update and zero_grad of a training loop
      out.backward()   # b.grad: 2.0 here (the a that out was computed from), 5.0 in micrograd

  (glassnet's is the derivative of ``out`` as it was computed, the number its Tensor graph,
  once drawn, holds too.) A forward pass after each update, as micrograd's training loop
  does, gives micrograd's numbers.
* ``c += x`` builds a new node, as micrograd's (where a Tensor updates in place).
* ``backward()`` leaves the gradient in every node of the graph, not only in the leaves,
  and accumulates, as micrograd's. Where they differ: a second ``backward()`` with no
  ``zero_grad`` between, from the same root or from a second root whose graph shares nodes that
  kept gradients from the first. glassnet adds that call's own gradients (the sum
  PyTorch's accumulation gives); micrograd's nodes pass on the gradients they kept as
  well, counting them again. Only where every node the gradient passes through is the
  root or a leaf (a one-op graph, ``z = x * x``), and no ``.data`` changed between the
  calls (see above), do the two agree::

      x = Value(2.0); z = (x * x) * 3
      z.backward(); z.backward()   # x.grad: 24.0 here (12 + 12), 36.0 in micrograd
      x = Value(2.0); y = x * x; z = y + x
      y.backward(); z.backward()   # x.grad: 9.0 here (4 + 5), 13.0 in micrograd

  glassnet keeps the sum because its Tensor graph (built once the graph is drawn, say)
  gives that one: micrograd's would make a Value's numbers depend on whether it was drawn.
  ``zero_grad()`` between the two calls does not make them agree: micrograd's (and the
  lessons' ``p.grad = 0``) zeroes the parameters only, and the inner nodes keep their
  gradients, which micrograd's second call passes on again (after ``zero_grad()`` glassnet's
  second call gives the gradient of that call, the right one; micrograd's does not). Build
  the graph again for each ``backward()``, as micrograd's training loop does (a forward
  pass per step), and the numbers are micrograd's.
* An op of your own, micrograd's way (its lecture's): ``out = Value(y, (x,), 'op')`` and
  ``out._backward = fn``, ``fn`` adding to each child's ``.grad`` from ``out.grad``.
  ``backward()`` calls ``fn`` with ``out.grad`` the gradient that reached ``out`` in that
  call and the children's ``.grad`` at 0, adds what ``fn`` left in them to what they held,
  and goes on below them: on the first ``backward()``, micrograd's numbers for a ``fn``
  that adds (``x.grad += ...``). A ``fn`` that assigns (``x.grad = ...``, the bug
  micrograd's lecture shows) is not micrograd's there: what it assigns is added to the
  gradient reaching ``x`` from elsewhere, which micrograd's assignment drops::

      x = Value(0.5); t = math.tanh(0.5); out = Value(t, (x,), 'tanh')
      def fn(): x.grad = (1 - t**2) * out.grad   # '=' where '+=' is meant
      out._backward = fn; y = out + x
      y.backward()   # x.grad: 1.786... here (0.786 + 1, from +), 0.786... in micrograd

  Write ``+=``, the lecture's fix, and the numbers are micrograd's. A ``_backward`` set
  on a leaf (micrograd's own default ``lambda: None``, say) runs where micrograd's would,
  drawn or not. Every node has micrograd's ``_backward`` (the lecture calls them by
  hand, node by node: each adds its local derivatives times its ``.grad`` to its
  children's, a leaf's does nothing). The function read from a node of glassnet's ops
  holds the op as it was when read, so a hook around it works as in micrograd::

      old = out._backward
      def clipped(): out.grad = max(-1.0, min(1.0, out.grad)); old()
      out._backward = clipped

  (what a ``fn`` leaves in ``out.grad``, the clipped number here, stays there, as in
  micrograd). Every node has a ``label`` ('' until set; the label of its Tensor in ``draw_graph``).
  Unlike micrograd's, a Value takes no other attributes (``v.foo = 1`` raises
  AttributeError: a Value has fixed slots, for speed); keep such data in a dict keyed by
  the Value. A node of the user's with any number of children runs on the float path
  (the Tensor path where the graph is drawn); each ``.grad`` and ``.data`` its ``fn``
  reads or adds to is a property, so a network built of such ops costs about what
  micrograd's does (a loop of 3-child ops took 1.1 to 1.7 times micrograd's time), where
  glassnet's own ops run faster than micrograd's.
* ``a ** b`` with ``b`` a Value: dL/db at a negative base is NaN, as PyTorch's (``b ln a``
  has no real value there; glassnet's Tensor ``**`` gives 0, a subgradient).
* ``Value(2)`` holds the float 2.0 (micrograd keeps the int); an int past the float range
  (``Value(10**400)``) raises an OverflowError. A Python int as an op's constant (the 2 of
  ``x * 2``, the -1 of ``-x``) is kept as micrograd keeps it, so ``-h`` of micrograd's int
  0 (a relu of a NumPy number that is off) is 0, not -0.0. A NumPy number (float32, float64, int64,
  ...) is kept as it is, and computed in, as micrograd's: NumPy's arithmetic and
  promotion, so ``Value(np.float32(0.1)) * 3`` is the float32 0.3000000119..., a float32
  times a NumPy float64 or int64 (a label of ``y = y*2 - 1``) a float64, and a training
  loop on float32 data gives micrograd's numbers and types to the bit; a relu of a NumPy
  number that is off gives the int 0, as micrograd's. A size-1 array is its NumPy number
  (``Value(y[i])`` of a column; micrograd keeps the array, its ``.data`` ``[2.]``). A graph
  holding float32 (or float16) numbers has no Tensors (they are float64, whose arithmetic
  is not float32's): ``v.tensor`` and ``draw_graph(v)`` refuse it, saying so (pass
  ``float(x)`` to draw it); float64 and int numbers draw as before. Such a graph in an op
  with a node that has its Tensor (a drawn node, one after ``v.tensor``, a ``Value(t)``)
  goes on the Tensor path, which is float64: its numbers are widened (exactly) into
  float64 Tensors, and read as floats from then on, so the results from there differ
  from micrograd's float32 ones by float32's rounding (a relative 2**-24 an op, more
  where terms cancel; float16's 2**-11), not its bits (``(o - np.float32(1.0)) ** 2``
  of a drawn ``o``).
  ``Value(True)`` is refused (``Value(x > 0)`` is a slip more often than not), but a bool
  as an operand is its number, as in micrograd (``a + True``, ``a ** True``,
  ``score - (y > 0)``).
* The backward of ``0 ** 0.5`` and ``0 ** 0``, where micrograd's raises a
  ZeroDivisionError (``0.0 ** -0.5`` in its chain rule), gives the limits, inf and 0.
* Where micrograd's Python floats raise, a Value raises the same error: ``x / 0`` and
  ``0 ** -1`` a ZeroDivisionError (a NumPy zero is NumPy's, as in micrograd:
  ``x / np.float64(0)`` is inf, with NumPy's RuntimeWarning), ``exp`` or ``**`` past the
  float range an OverflowError. ``exp`` is the lecture's ``math.exp(x)`` for a NumPy number
  too: a float (``Value(np.float32(100)).exp()`` is 2.69e43), an OverflowError past the
  range (``Value(np.float64(1000)).exp()``, as ``math.exp(np.float64(1000))``); ``**`` of a
  NumPy number is NumPy's, as micrograd's (``Value(np.float64(10)) ** 400.0`` is inf, with
  NumPy's RuntimeWarning), and so with a Value exponent (``** Value(400.0)``). A negative
  base to a non-integer power (a complex number in micrograd) raises a ValueError. A sum
  or product past the range is inf, as with floats, and ``backward()`` through it warns
  of nothing, as floats do not.
* A Value records its graph always, as micrograd's (which has no such switch), inside
  ``glassnet.no_grad()`` too: that is the Tensor's switch.
"""

from __future__ import annotations

import math
import numbers
import threading
import weakref
from typing import Any

import numpy as np

from .. import functional as F
from ..tensor import BINARY_OPS, Tensor, enable_grad, is_anomaly_enabled

__all__ = ["Value"]

# How a node was made (its ``_k``): what backward() does with its gradient, and which
# glassnet op builds its Tensor (an op node keeps the numbers the op saw: Value's slots).
# _USER: a node whose ``_backward`` the user set (micrograd's way to add an op): its
# children in ``_a``, the first two also in ``_l``/``_r`` for the walk (_MANY for a third).
_LEAF, _ADD, _MUL, _RELU, _POW, _POWV, _TANH, _EXP, _USER = range(9)
_BINARY = (_ADD, _MUL, _POWV)
_pow_grad = BINARY_OPS["pow"][1]  # glassnet's d(a^p): the same expression, the same bits
_new = object.__new__
_LABELS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # Value -> its label
_BUILT = object()  # a leaf's _b once _build made its Tensor from its float (see _num)
_INF = math.inf
_RELU_GRAD = F.relu_grad  # (the table's own relu: micrograd's gate is its backward, see _relu)
_WALK = threading.RLock()  # (_topo and _sweep keep their walk in the nodes: one walk at a time)


def _number(data: Any) -> Any:
    """``data`` as a Value's number: a Python int as the float of its value; a NumPy
    scalar (float32, float64, int64, ...) kept as it is, as micrograd's Value keeps it:
    NumPy's arithmetic and promotion (a float32 times a NumPy float64 or int64 is a
    float64, times a Python float a float32); else a TypeError that says what a Value
    holds (a bool too: ``Value(x > 0)`` is a slip more often than not; as an operand,
    ``a + True``, it is the number, see _operand)."""
    if type(data) is float:  # (the common cases first: micrograd's p.grad = 0 an int)
        return data
    try:
        if type(data) is int:
            return float(data)
        if isinstance(data, np.ndarray) and data.size == 1:  # (micrograd takes it too)
            data = data.reshape(())[()]  # (its NumPy scalar: a float32 stays float32)
        if isinstance(data, (np.floating, np.integer)) and data.dtype.itemsize <= 8:
            return data  # (micrograd computes in them; a longdouble: below)
        if isinstance(data, bool) or not isinstance(data, numbers.Real):
            raise TypeError(_not_a_number(data))
        if isinstance(data, np.floating) and data.dtype.itemsize > 8 and data == data:
            return _longdouble(data)
        return float(data)
    except OverflowError:  # (an int of 400 digits, a Fraction: repr would be too long to show)
        kind = type(data).__name__
        what = f"{'an' if kind[:1] in 'aeiou' else 'a'} {kind}"
        if isinstance(data, int) and abs(data) < 10**4000:
            what += f" of {len(str(abs(data)))} digits"
        raise OverflowError(
            f"Value holds one real number, as a float (Value(2).data is 2.0). Got {what}, "
            "past the float range (about 1.8e308); pass a number within it, or float('inf')."
        ) from None


def _not_a_number(data: Any) -> str:
    """Why ``data`` (not a real number) is no Value's number, and what to pass instead."""
    kind = type(data)
    if isinstance(data, (bool, np.bool_)):
        return (
            f"Value holds one real number. Got {data!r} ({kind.__name__}): a Value of a bool "
            "is refused (Value(x > 0) is often a slip); pass float(x) for its 1.0 or 0.0 (as "
            "an operand, a + True, a bool is its number, as in micrograd)."
        )
    if kind.__name__ == "Value" and kind.__module__.startswith("micrograd"):
        return (
            f"Value holds one real number. Got {data!r:.60}, a {kind.__module__}.Value from "
            "the micrograd package, mixed with glassnet's: import Value from "
            "glassnet.micrograd.engine (use glassnet.micrograd.engine.Value) everywhere, or "
            "pass its number, x.data."
        )
    if isinstance(data, Value):
        return (
            f"Value holds one real number. Got {data!r:.60}, a Value already: use it as it is "
            "in the ops, or Value(v.data) for a new leaf of its number."
        )
    if isinstance(data, Tensor):
        return _tensor_message(data)
    if isinstance(data, np.ndarray):
        what = f"an array of shape {data.shape} and dtype {data.dtype}"
        fix = "For arrays, use glassnet.Tensor (a Value holds one number)."
    else:
        what, fix = f"{data!r:.60} ({kind.__name__})", "Pass a number, e.g. float(x)."
    return f"Value holds one real number, as micrograd's does. Got {what}. {fix}"


def _set_message(name: str, value: Any, e: TypeError) -> str:
    """The refusal of ``v.<name> = value`` (``name`` ``'data'`` or ``'grad'``), ``value``
    no number (``e``: why, from :func:`_number`): ``p.grad = None``, PyTorch's way to clear a
    gradient, is named with micrograd's ``p.grad = 0``. micrograd's Value takes any object
    there and fails later, at the next op or ``backward()`` (``None += 1.0``): refused here,
    where the slip is."""
    why = str(e)
    rest = why[why.index("Got ") :] if "Got " in why else why
    if value is None and name == "grad":
        return (
            "Value.grad must be a number; to zero it, write p.grad = 0 (micrograd's way; "
            "model.zero_grad() zeroes every parameter of a network). Got None: PyTorch's "
            "p.grad = None has no meaning here (micrograd's Value takes it and fails at the "
            "next backward(), adding to None)."
        )
    if value is None:
        return (
            "Value.data must be a number (the weight's value: p.data -= lr * p.grad updates "
            "it). Got None (micrograd's Value takes it and fails at the next op on it)."
        )
    if isinstance(value, Value):  # (the constructor's advice, Value(v.data), fits no setter)
        rest = f"Got {value!r:.60}, a Value already: write p.{name} = v.data (its number)."
    return f"Value.{name} must be a number (a Value holds one real number). {rest}"


def _tensor_message(t: Tensor) -> str:
    """The refusal of a glassnet Tensor that is no Value's node (a Value wraps a 0-d float64
    Tensor), with the two ways to go on."""
    shape, dtype = t.data.shape, t.data.dtype
    if shape != ():
        fix = "For arrays, stay with glassnet.Tensor: a Value holds one number."
    else:
        fix = (
            "For its number, use Value(t.item()); for a node whose gradient flows back into "
            "the Tensor, make it float64 (gn.Tensor(x, dtype='float64', requires_grad=True), "
            "or a Value's own v.tensor)."
        )
    return (
        "A Value holds one real number, and wraps a glassnet Tensor only as a 0-d float64 "
        f"node. Got a Tensor of shape {shape} and dtype {dtype}. {fix}"
    )


def _longdouble(data: Any) -> float:
    """A NumPy longdouble ``data`` as the float that holds it exactly; else an OverflowError
    (past the float range: not inf) or a ValueError (digits a float drops)."""
    f = float(data)
    if np.longdouble(f) == data:
        return f
    if math.isinf(f):
        raise OverflowError(
            f"Value holds one real number, as a float. Got a NumPy longdouble, {data!r:.40}, "
            "past the float range (about 1.8e308); pass a number within it, or float('inf')."
        )
    raise ValueError(
        f"Value holds one real number, as a float (float64). Got a NumPy longdouble, "
        f"{data!r:.40}, which is not exact in a float (it would become {f!r}): pass "
        "float(value) if that is meant."
    )


def _float64(x: Any) -> bool:
    """Whether the number ``x`` of a node is a float64's exactly, as its Tensor holds it: a
    float, a NumPy float64, a bool, an int of 53 bits (not a float32, float16 or a larger
    int: NumPy's arithmetic in them differs)."""
    if type(x) is float or type(x) is np.float64 or isinstance(x, (bool, np.bool_)):
        return True
    return isinstance(x, (int, np.integer)) and -(2**53) <= x <= 2**53


class _NarrowGraph(TypeError):
    """A graph of NumPy float32 numbers asked for its Tensors (which are float64)."""


def _like(x: Any, *like: Any) -> Any:
    """The 0-d result ``x`` of a NumPy op on the numbers ``like``: a float where they are
    Python floats (or ints), else the NumPy scalar of their type (NumPy's promotion: a
    float32 Value's tanh is a float32)."""
    if all(type(v) is float or type(v) is int for v in like):
        return float(x)
    return np.asarray(x).astype(np.result_type(*like))[()]


def _off_floats(y: Any, k: int, op: str, left: Value, right: Value | None, a: Any, b: Any,
                p: Any = None) -> Value:  # fmt: skip
    """The node of a result ``y`` that is not finite (inf or nan): made by the Tensor op
    (whose checks name it), but where the graph holds NumPy float32 numbers (no Tensor
    graph: float64): the float node, as micrograd's."""
    if type(y) is float:
        try:
            return _eager(k, op, left, right, p, widen=False)
        except _NarrowGraph:
            pass
    return _node(y, k, op, left, right, a, b)


_OVERFLOWS = {
    "**": (
        "as Python's float ** raises (so does micrograd's Value holding a float; micrograd "
        "keeps Value(10) an int, whose ** is exact, where glassnet's holds the float 10.0)"
    ),
    "exp": (
        "as math.exp raises (so does the lecture's Value.exp, math.exp; micrograd 0.1.0 has no exp)"
    ),
}
"""What Python (and micrograd) does where a result of ``**`` or ``exp`` passes the float
range: the overflow messages say no more of micrograd than this."""


def _finite(out: Any, what: str, inputs: tuple[float, ...], op: str = "**") -> Any:
    """``out`` (a Value, or its number), or the OverflowError Python's float ``**`` and
    ``math.exp`` raise where finite ``inputs`` give a result past the float range (``op``:
    ``'**'`` or ``'exp'``, whose message says what micrograd does)."""
    y = out.data if isinstance(out, Value) else out  # (a NumPy number's inf is NumPy's)
    if type(y) is float and math.isinf(y) and all(math.isfinite(v) for v in inputs):
        raise OverflowError(
            f"Value: {what} is past the float range (about 1.8e308), {_OVERFLOWS[op]}. Use "
            "smaller numbers, e.g. a smaller learning rate."
        )
    return out


def _nonzero(divisor: Any, dividend: Any) -> None:
    """The ZeroDivisionError of Python's ``x / 0`` (micrograd's Value raises it too)."""
    d = divisor.data if isinstance(divisor, Value) else divisor
    if isinstance(d, numbers.Real) and not isinstance(d, np.generic) and d == 0:
        # (a NumPy scalar's 0 is NumPy's: np.float64(0) ** -1 is inf, with its warning)
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


def _pow_node(ta: Tensor, p: float, a: Any = None) -> Tensor:
    """The Tensor node of ``a ** p`` (a number p) with micrograd's arithmetic, forward and
    backward (glassnet's ``**`` is np.power's, an ulp off micrograd's at times): the op
    ``pow`` of one parent, as glassnet's, which the drawings read the same. ``a``: the
    number as the float path saw it (a NumPy float64's ``**`` is NumPy's, as micrograd's)."""
    a = float(ta.data) if a is None else a
    y = _float_pow(a, p)
    return Tensor.from_op(
        np.array(y, dtype=np.float64), "pow", (ta,),
        lambda g: (np.array(_pow_local(a, p, g), dtype=np.float64),),
    )  # fmt: skip


def _powv_node(ta: Tensor, tb: Tensor) -> Tensor:
    """glassnet's ``a ** b`` node (b a Value), with PyTorch's NaN for dL/db at a negative
    base (b ln a has no real value there: glassnet's Tensor gives 0, a subgradient)."""
    t = ta**tb
    fn = t.backward_fn
    if fn is None or not float(ta.data) < 0:
        return t

    def backward(g: np.ndarray) -> tuple[Any, Any]:
        ga, gb = fn(g)
        return ga, (None if gb is None else np.full_like(gb, np.nan))

    t.backward_fn = backward
    return t


def _operand(x: Any) -> Any:
    """An exponent ``x`` as micrograd's arithmetic reads it: a bool is its number, 1.0 or
    0.0 (``a ** True``)."""
    return float(x) if isinstance(x, (bool, np.bool_)) else x


def _leaf(data: Any) -> Value:
    """A leaf Value of the number ``data`` (the ops' constants: ``x * 2``); a bool is its
    number there, as in micrograd (``score - (y > 0)``): Python's as 1.0 or 0.0, NumPy's
    kept (``2.0 * np.True_`` is NumPy's float64, as micrograd's)."""
    if type(data) is not float:  # (anything else as Value() takes it: an int, a Tensor)
        if type(data) is bool:
            data = float(data)
        elif type(data) is int and -(2**53) <= data <= 2**53 or type(data) is np.bool_:
            v = Value(0.0)
            v._data = data
            return v
        return Value(data)
    v = _new(Value)
    v._data = data
    v._grad = v._l = v._r = v._t = v._mark = None
    v._op, v._k, v._a = "", _LEAF, ()
    return v


def _num(v: Value) -> float | None:
    """The number of ``v``, an operand holding its Tensor, where an op on it can stay on the
    float path: a leaf whose Tensor was built from its float (a weight once its graph was
    drawn: the Tensor holds its number and gradient, and backward() adds to them); None
    for any other node with a Tensor (its op is the Tensor op)."""
    if v._k == _LEAF and getattr(v, "_b", None) is _BUILT:
        return float(v._t.data)
    return None


def _node(y: float, k: int, op: str, left: Value, right: Value | None, a: float, b: Any) -> Value:
    """The op node of value ``y`` (its Tensor not built yet)."""
    v = _new(Value)
    v._data, v._k, v._op, v._l, v._r, v._a, v._b = y, k, op, left, right, a, b
    v._grad = v._t = v._mark = None
    return v


def _wrap(t: Tensor, k: int, op: str, left: Value, right: Value | None, a: float, b: Any) -> Value:
    """The op node whose Tensor ``t`` a glassnet op has made (operands with Tensors), with
    the numbers the op saw as _node's (a copy or pickle of it holds them as floats)."""
    v = _new(Value)
    v._t = t.retain_grad() if t.requires_grad else t  # every node keeps its gradient
    v._data = v._grad = v._mark = None
    v._k, v._op, v._l, v._r, v._a, v._b = k, op, left, right, a, b
    return v


def _relu(ta: Tensor) -> Tensor:
    """glassnet's relu node (g(z) from the table), with micrograd's gate as its backward,
    ``(out.data > 0) * out.grad``: 0 where the input is NaN (glassnet's Tensor, as
    PyTorch's, passes the gradient on there), and NaN at an unit that is off where the
    gradient reaching it is inf or NaN (0 * inf: PyTorch's mask gives 0). A relu of the
    user's swapped into the table: its own g'."""
    t = ta.relu()
    if F.ACTIVATIONS["relu"].grad is not _RELU_GRAD:
        return t
    out = t.data
    return Tensor.from_op(out, "relu", (ta,), lambda g: (_gate(out, g),))


def _relu_back(z: Any, out: Any, g: Any) -> Any:
    """dL/dz of a relu node (``z`` its input, ``out`` its output), dL/dout = ``g``:
    micrograd's gate ``(out.data > 0) * out.grad`` where glassnet's table holds its own
    relu (the same mask as the table's g', with micrograd's 0 * inf = NaN where PyTorch's
    gives 0); a relu of the user's swapped into the table, its own g'(z)."""
    act = F.ACTIVATIONS["relu"]
    if act.grad is _RELU_GRAD:
        return (out > 0) * g
    return _like(act.backward(np.array(g), np.array(z), np.array(out)), z, g)


def _gate(out: Any, g: Any) -> Any:
    """micrograd's relu backward, ``(out.data > 0) * out.grad``, for arrays (NumPy's
    0 * inf warning silenced: Python's floats, micrograd's, give NaN and say nothing)."""
    with np.errstate(invalid="ignore"):
        return (out > 0) * g


def _eager(k: int, op: str, left: Value, right: Value | None, p: Any = None,
           widen: bool = True) -> Value:  # fmt: skip
    """The node made by glassnet's Tensor op on the operands' Tensors (recorded inside
    ``no_grad()`` too: a Value records its graph always, as micrograd's); an operand's
    graph of NumPy float32 numbers gets float64 Tensors, its numbers widened (``widen``)."""
    ta = _tensor(left, widen)
    tb = _tensor(right, widen) if k in _BINARY else None
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
                t = ta.exp() if k == _EXP else _pow_node(ta, p) if k == _POW else _powv_node(ta, tb)
    a, y = float(ta.data), float(t.data)
    b = float(tb.data) if k in _BINARY else p if k == _POW else y  # (_node's numbers)
    return _wrap(t, k, op, left, right, a, (b, y) if k == _POWV else b)


def _tensor(v: Value, widen: bool) -> Tensor:
    """``v``'s Tensor, built (with the graph beneath it) where it has none."""
    if v._t is None:
        _build(v, widen)
    return v._t


def _build(root: Value, widen: bool = True) -> None:
    """Build the Tensor of ``root`` and of every node beneath it that has none: glassnet's
    op of each node, on the numbers it saw, holding the gradient the node holds. A graph
    holding NumPy float32 (float16, or ints past 2**53) numbers: float64 Tensors of its
    numbers widened, or where not ``widen``, the _NarrowGraph error."""
    with _WALK:  # (one build at a time: a leaf shared by two graphs gets one Tensor)
        if root._t is None:
            _build_locked(root, widen)


def _wide(x: Any) -> Any:
    """A number of a node as its float64 Tensor op computes with it: a NumPy float32 (or
    float16, or an int past 2**53) as the float it widens to; any other as it is."""
    return x if _float64(x) else float(x)


def _build_locked(root: Value, widen: bool) -> None:
    order, stack, seen = [], [root], {id(root)}
    while stack:  # (post-order: children first)
        v = stack[-1]
        for c in v._a if v._k == _USER else (v._l, v._r):
            if c is not None and c._t is None and id(c) not in seen:
                seen.add(id(c))
                stack.append(c)
                break
        else:
            order.append(stack.pop())
    for v in order if not widen else ():
        if not _float64(v._data):
            raise _NarrowGraph(
                "Value.tensor (and draw_graph(v): glassnet's Tensor graph) is float64; this "
                f"graph holds {v._data!r} of type {type(v._data).__name__}, from a NumPy "
                "number given to Value (kept, and computed in, as micrograd keeps it: "
                f"{type(v._data).__name__} arithmetic is not float64's). Give Value float(x) "
                "where the graph is to be drawn."
            )
    with enable_grad():  # (asked for inside no_grad(): the graph all the same)
        for v in order:
            _build_one(v)


def _build_one(v: Value) -> None:
    """``v``'s Tensor, its operands' built."""
    k = v._k
    if k == _LEAF:
        t = Tensor(np.array(v._data, dtype=np.float64), requires_grad=True)
        v._b = _BUILT
    elif k == _USER and not v._a:  # a leaf whose _backward the user set: it still runs
        t = Tensor(np.array(v._data, dtype=np.float64), requires_grad=True)
        t.backward_fn = _user_fn(v)
    elif k == _USER:  # the user's _backward passes the gradient on
        kids = v._a
        t = Tensor.from_op(np.array(v._data, dtype=np.float64), v._op or "_backward",
                           tuple(c._t for c in kids),
                           _user_fn(v))  # fmt: skip
    else:  # the op on its operands' Tensors holding the numbers the op saw
        ta, tb = v._l._t, (v._r._t if k in _BINARY else None)
        sa = ta.data
        ta.data = np.array(v._a, dtype=np.float64)
        if tb is not None:
            sb = tb.data
            tb.data = np.array(v._b[0] if k == _POWV else v._b, dtype=np.float64)
        try:
            with np.errstate(over="ignore", invalid="ignore"):
                if k == _ADD:
                    t = ta + tb
                elif k == _MUL:
                    t = ta * tb
                elif k == _RELU:
                    t = _relu(ta)
                elif k == _POW:
                    t = _pow_node(ta, _wide(v._b), _wide(v._a))
                elif k == _POWV:
                    t = _powv_node(ta, tb)
                elif k == _TANH:
                    t = ta.tanh()
                else:
                    t = ta.exp()
        finally:  # (in this order: ta may be tb, a * a)
            if tb is not None:
                tb.data = sb
            ta.data = sa
        if not float(t.data) == v._data:  # the number set on the node since (p.data = x)
            t.data = np.array(v._data, dtype=np.float64)
    t.retain_grad()  # every node keeps its gradient, as in micrograd
    label = _LABELS.get(v) if _LABELS else None
    if label:
        t.label = label
    if v._grad is not None:
        t.grad = np.array(v._grad, dtype=np.float64)
    v._t, v._data, v._grad = t, None, None  # (the Tensor holds them from now on)


def _nothing() -> None:
    """A leaf's ``_backward``: nothing to pass on (micrograd's ``lambda: None``)."""


def _run_user(v: Value, g: Any) -> list[float]:
    """What ``v``'s own ``_backward`` (the user's) passes to each of its children for the
    gradient ``g`` reaching it in this ``backward()``: it runs with ``v.grad`` set to ``g``
    and its children's at 0, and what it leaves in them is the answer; their gradients are
    then put back (backward() adds what each call passes on, as for glassnet's ops)."""
    kids, own = v._a, v.grad
    kept = [c.grad for c in kids]
    try:
        v.grad = g
        for c in kids:
            c.grad = 0
        v._b()
        own = _own_after(own, g, v.grad)
        return [c.grad for c in kids]
    finally:
        for c, k in zip(kids, kept):
            c.grad = k
        v.grad = own


def _own_after(own: Any, g: Any, left: float) -> Any:
    """A node's ``.grad`` after its user's ``_backward`` ran with ``.grad`` set to ``g``
    (this call's gradient; ``own`` what it held, ``g`` included): ``own``, or, where the
    function changed it to ``left`` (micrograd's hook that clips ``out.grad`` leaves it
    clipped), ``own`` with ``g`` replaced by ``left``."""
    g = float(g)
    if left == g or (left != left and g != g):
        return own
    o = 0.0 if own is None else float(own)
    return left if o == g else o - g + left


def _run_user_float(v: Value, g: float) -> list[float]:
    """:func:`_run_user` on the float path (``v`` and its children with no Tensor): the
    same, with the numbers set in the slots rather than through ``.grad``."""
    kids = v._a
    own, kept = v._grad, [c._grad if c._t is None else c.grad for c in kids]
    v._grad = g
    for c in kids:
        if c._t is None:
            c._grad = None
        else:  # (a leaf whose Tensor holds its gradient, see _num)
            c.grad = 0
    try:
        v._b()
        own = _own_after(own, g, v.grad)
        return [c.grad for c in kids]
    finally:  # (a function that drew the graph has moved the numbers to the Tensors)
        for c, x in zip(kids, kept):
            if c._t is None:
                c._grad = x
            else:
                c.grad = 0 if x is None else x
        if v._t is None:
            v._grad = own
        else:
            v.grad = 0 if own is None else own


def _user_fn(v: Value) -> Any:
    """The Tensor backward of ``v``, a node whose ``_backward`` the user set."""
    return lambda g: tuple(np.array(float(x)) for x in _run_user(v, g))


def _local(k: int, l: Value, r: Value | None, a: Any, b: Any, fn: Any, g: float) -> list:
    """Each operand of a glassnet op's node (made by op ``k`` of operands ``l``, ``r`` that
    it saw as the numbers ``a``, ``b``; ``fn`` its Tensor's backward, where built) beside
    dL/doperand for dL/dnode = ``g``, as backward() computes it."""
    if fn is not None:  # (the Tensor op's own backward: the numbers it saw)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            gs = fn(np.array(float(g)))
        return [(c, float(x)) for c, x in zip((l, r), gs) if c is not None and x is not None]
    if k == _MUL:
        return [(l, g * b), (r, g * a)]
    if k == _ADD:
        return [(l, g), (r, g)]
    if k == _RELU:  # micrograd's gate (b: the output)
        return [(l, _relu_back(a, b, g))]
    if k == _TANH:
        act = F.ACTIVATIONS["tanh"]
        return [(l, _like(act.backward(np.array(g), np.array(a), np.array(b)), a))]
    if k == _EXP:
        return [(l, g * b)]
    if k == _POW:
        return [(l, _pow_local(a, b, g))]
    A, p, y = np.array(a), np.array(b[0]), np.array(b[1])  # _POWV
    gb = math.nan if a < 0 else _like(_pow_grad(g, A, p, y, True), g, a, b[0])
    return [(l, _like(_pow_grad(g, A, p, y, False), g, a, b[0])), (r, gb)]


def _pass_on(v: Value) -> Any:
    """micrograd's ``_backward`` of a glassnet op's node ``v``: a function adding to each
    operand's ``.grad`` its local derivative times ``v.grad`` (read when it runs), as
    micrograd's closures add them. It holds the op as it is now: a ``_backward`` set on
    ``v`` later, which may call this one (a hook around the op's own), leaves it the op's."""
    t = v._t
    if t is not None:
        k, a, b, fn = v._k, None, None, t.backward_fn
        if fn is None:  # (no gradient reaches its operands)
            return _nothing
    else:
        k, a, b, fn = v._k, v._a, v._b, None
    left, right = v._l, v._r

    def _backward() -> None:
        for c, gc in _local(k, left, right, a, b, fn, v.grad):
            c.grad += gc

    return _backward


class _Many:
    """The second operand (``_r``) of a node made by the user with more than two children:
    the walk of backward()'s float path sees a node with a Tensor there and, seeing it is
    this one, goes through the node's children (``_a``) instead; any other node with a
    Tensor leaves the graph to the Tensor path."""

    _t, _mark = True, None


_MANY = _Many()


_STATE = ("_data", "_grad", "_op", "_k", "_l", "_r", "_a", "_b", "_t")  # (__getstate__)


class Value:
    """One number and its gradient (micrograd's ``Value``), a node of glassnet's graph.

    Parameters
    ----------
    data : a real number
    _children, _op : micrograd's bookkeeping of the node that made this one (set by the ops,
        and by an op of your own: then set ``_backward`` too).
    label : a name for drawings (micrograd's lecture's ``Value(2.0, label='a')``).

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
    # gradient and walk. A node whose _backward the user set (_k _USER): _a its children,
    # _b the function. (Labels are in _LABELS: a slot more would cost every node's making.)
    __slots__ = ("_data", "_grad", "_op", "_k", "_l", "_r", "_a", "_b", "_t", "_g", "_mark",
                 "__weakref__")  # fmt: skip

    def __init__(self, data: Any, _children: tuple = (), _op: str = "", label: str = "") -> None:
        self._grad = self._l = self._r = self._mark = None
        self._k, self._op, self._a = _LEAF, _op, tuple(_children)
        if isinstance(data, Tensor):  # a Tensor node, wrapped
            if data.data.shape != () or data.data.dtype != np.float64:
                raise TypeError(_tensor_message(data))
            self._t, self._data = (data.retain_grad() if data.requires_grad else data), None
        else:
            self._t, self._data = None, _number(data)
        if label:  # (the lecture's Value(2.0, label='a'))
            self.label = label

    # --------------------------------------------------------------- the graph
    @property
    def tensor(self) -> Tensor:
        """This node's glassnet Tensor (0-d, float64, requires grad), with the graph
        beneath it: built when first asked for, the same object from then on (a leaf's
        ops stay on the float path, reading and adding to it: see the module's notes)."""
        if self._t is None:
            try:
                _build(self, widen=False)
            except _NarrowGraph as e:  # (a TypeError; raised by its public name)
                raise TypeError(str(e)) from None
        return self._t

    @property
    def _prev(self) -> set[Value]:
        """micrograd's set of the Values this one was made from."""
        if self._k == _LEAF or self._k == _USER:
            return set(self._a)
        return {self._l} if self._r is None else {self._l, self._r}

    @property
    def label(self) -> str:
        """A name for the node (micrograd's lecture sets ``a.label = 'a'`` for its
        drawings); '' until set, and the label of the node's Tensor (``draw_graph``)."""
        return _LABELS.get(self, "")

    @label.setter
    def label(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError(
                f"Value.label must be a str (a name for drawings). Got {type(value).__name__}; "
                "pass str(...)."
            )
        _LABELS[self] = value
        if self._t is not None:
            self._t.label = value

    @property
    def _backward(self) -> Any:
        """micrograd's ``_backward``: called after ``backward()`` has set this node's
        ``.grad``, it adds the node's local derivatives times ``.grad`` to its children's
        ``.grad`` (micrograd's closure: a leaf's does nothing). ``backward()`` does this
        itself; the lecture calls it by hand, node by node. The function holds the node's
        op as it is when read: set ``_backward`` to one that calls it (a hook) and it
        still passes on the op's derivatives.

        Set it to a function of no arguments to define an op of your own, micrograd's way:
        ``out = Value(y, (x,), 'op'); out._backward = fn``, where ``fn`` adds to each
        child's ``.grad`` from ``out.grad``. ``backward()`` calls it with ``out.grad`` the
        gradient reaching ``out`` in that call and each child's ``.grad`` at 0, adds what it
        left there to what the children held, and goes on below them."""
        k = self._k
        if k == _USER:
            return self._b
        return _nothing if k == _LEAF else _pass_on(self)

    @_backward.setter
    def _backward(self, fn: Any) -> None:
        if not callable(fn):
            raise TypeError(
                f"Value._backward must be a function of no arguments (micrograd's closure that "
                f"adds to the children's .grad). Got {type(fn).__name__}; define def _backward(): "
                "... and assign the function."
            )
        k = self._k
        kids = self._a if k == _LEAF or k == _USER else (self._l, self._r)
        for c in kids:  # (a loop, no generator: a user's op sets this for every node it makes)
            if type(c) is not Value and not isinstance(c, Value) and c is not None:
                raise TypeError(
                    f"Value._backward: the node's _children must be Values, to pass gradients "
                    f"to. Got {type(c).__name__} among them; make it Value(...) first."
                )
        if len(kids) > 1 or None in kids:  # (a * a: a once; a unary op's None out)
            kids = tuple(dict.fromkeys(c for c in kids if c is not None))
        t = self._t
        if t is not None:  # (its Tensor built already: it becomes the user's op node)
            if not t.requires_grad:
                raise RuntimeError(
                    "Value._backward: this Value wraps a Tensor that does not require grad, "
                    "so no gradient reaches it; wrap one with requires_grad=True."
                )
            t.parents = tuple(c.tensor for c in kids)
            t.backward_fn = _user_fn(self)  # (a leaf's too: micrograd runs every node's)
            t._retain = True
        self._k, self._a, self._b = _USER, kids, fn
        self._l = kids[0] if kids else None
        self._r = kids[1] if len(kids) == 2 else _MANY if len(kids) > 2 else None

    # --------------------------------------------------------------- the numbers
    @property
    def data(self) -> float:
        """The number (a float; a NumPy number given, or computed from one, as NumPy's; a
        float once the node has its Tensor: drawn, or after ``v.tensor``)."""
        t = self._t
        return self._data if t is None else float(t.data)

    @data.setter
    def data(self, value: Any) -> None:
        try:
            value = _number(value)
        except TypeError as e:
            raise TypeError(_set_message("data", value, e)) from None
        if self._t is None:
            self._data = value
        else:
            self._t.data = np.array(value, dtype=np.float64)

    @property
    def grad(self) -> float:
        """dL/dself after ``backward()`` (a float, or a NumPy number where the graph holds
        NumPy numbers, as micrograd's; 0 before, as in micrograd)."""
        t = self._t
        g = self._grad if t is None else t.grad
        # (micrograd's 0 before any backward is an int; + 0.0: its grad starts at 0 and adds,
        # so a zero gradient is 0.0, never -0.0; a NumPy number stays one)
        if g is None:
            return 0
        return (g if t is None else float(g)) + 0.0

    @grad.setter
    def grad(self, value: Any) -> None:
        # (micrograd's zero_grad sets the int 0, read back as 0; a float, 0.0 too, stays one)
        try:
            value = None if type(value) is int and value == 0 else _number(value)
        except TypeError as e:
            raise TypeError(_set_message("grad", value, e)) from None
        if self._t is None:
            self._grad = value
        else:
            self._t.grad = None if value is None else np.array(value, dtype=np.float64)

    # --------------------------------------------------------------- micrograd's primitives
    # (an operand with a Tensor, or a result that is not finite, goes through the Tensor op:
    # abs(y) < inf for a finite y: no NumPy warning where y is a float32's inf, as y - y has)
    def __add__(self, other: Any) -> Value:
        if not isinstance(other, Value):
            other = _leaf(other)
        # (this block, as __mul__'s, is written out on purpose, for speed: not a helper's call)
        a, b = self._data, other._data
        if a is None:  # (a leaf with its Tensor built: still the float op, see _num)
            a = _num(self)
        if b is None:
            b = _num(other)
        if a is not None and b is not None:
            y = a + b
            if abs(y) < _INF:  # (_node's work, written out: this runs for every node)
                v = _new(Value)
                v._data, v._k, v._op, v._l, v._r, v._a, v._b = y, _ADD, "+", self, other, a, b
                v._grad = v._t = v._mark = None
                return v
            return _off_floats(y, _ADD, "+", self, other, a, b)
        return _eager(_ADD, "+", self, other)

    def __mul__(self, other: Any) -> Value:
        if not isinstance(other, Value):
            other = _leaf(other)
        # (this block, as __add__'s, is written out on purpose, for speed: not a helper's call)
        a, b = self._data, other._data
        if a is None:  # (a leaf with its Tensor built: still the float op, see _num)
            a = _num(self)
        if b is None:
            b = _num(other)
        if a is not None and b is not None:
            y = a * b
            if abs(y) < _INF:  # (_node's work, written out: this runs for every node)
                v = _new(Value)
                v._data, v._k, v._op, v._l, v._r, v._a, v._b = y, _MUL, "*", self, other, a, b
                v._grad = v._t = v._mark = None
                return v
            return _off_floats(y, _MUL, "*", self, other, a, b)
        return _eager(_MUL, "*", self, other)

    def __pow__(self, other: Any) -> Value:
        p = other.data if isinstance(other, Value) else _number(_operand(other))
        a = self.data
        if isinstance(a, np.generic) or isinstance(p, np.generic):
            pass  # (NumPy's float32 **: inf or nan with NumPy's warning, as in micrograd)
        elif a == 0 and p < 0:  # (Python's float, and so micrograd's Value, raise this)
            raise ZeroDivisionError(
                f"Value: 0.0 cannot be raised to a negative power ({a} ** {p}), as with Python "
                "floats: a division by zero."
            )
        elif a < 0 and math.isfinite(p) and p != int(p):  # (Python's float gives a complex)
            raise ValueError(
                f"Value: ({a}) ** {p} is not a real number (a negative base to a non-integer "
                "power); a Value holds one real number."
            )
        if isinstance(other, Value):
            k, op, right = _POWV, f"**{p}", other
        else:
            k, op, right = _POW, f"**{other}", None
        if (self._t is None or _num(self) is not None) and (
            right is None or right._t is None or _num(right) is not None
        ):
            if right is None:
                y = _float_pow(a, p)
            else:  # (micrograd has no Value exponent: np.power, as the Tensor op; NumPy's
                A, P = (float(x) if type(x) is int else x for x in (a, p))  # warning on
                if isinstance(a, np.generic) or isinstance(p, np.generic):  # NumPy numbers,
                    y = _like(np.power(np.array(A), np.array(P)), a, p)  # as micrograd's **)
                else:
                    with np.errstate(over="ignore"):
                        y = _like(np.power(np.array(A), np.array(P)), a, p)
            b = p if right is None else (p, y)
            if abs(y) < _INF:
                return _node(y, k, op, self, right, a, b)
            y = _finite(y, f"{a} ** {p}", (a, p))  # (raised before any Tensor is built)
            return _off_floats(y, k, op, self, right, a, b, p)
        return _finite(_eager(k, op, self, right, p), f"{a} ** {p}", (a, p))

    def relu(self) -> Value:
        a = self._data if self._t is None else _num(self)
        if a is not None:  # (g(z) from glassnet's table, as the Tensor's relu computes it)
            if type(a) is float:
                y = float(F.ACTIVATIONS["relu"].fn(np.array(a)))
            else:  # (a NumPy number's: micrograd's own, its int 0 included)
                y = 0 if a < 0 else a
            if abs(y) < _INF:
                return _node(y, _RELU, "ReLU", self, None, a, y)
            return _off_floats(y, _RELU, "ReLU", self, None, a, y)
        return _eager(_RELU, "ReLU", self, None)

    def tanh(self) -> Value:
        a = self._data if self._t is None else _num(self)
        if a is not None:
            y = _like(F.ACTIVATIONS["tanh"].fn(np.array(a)), a)  # (glassnet's table: g(z))
            if abs(y) < _INF:
                return _node(y, _TANH, "tanh", self, None, a, y)
            return _off_floats(y, _TANH, "tanh", self, None, a, y)
        return _eager(_TANH, "tanh", self, None)

    def exp(self) -> Value:
        a = self.data
        if self._t is None or _num(self) is not None:
            with np.errstate(over="ignore"):  # (the lecture's math.exp(x): a float, and an
                y = float(np.exp(np.float64(a)))  # OverflowError past the range, _finite's)
            if abs(y) < _INF:
                return _node(y, _EXP, "exp", self, None, a, y)
            y = _finite(y, f"exp({a})", (a,), "exp")
            return _off_floats(y, _EXP, "exp", self, None, a, y)
        return _finite(_eager(_EXP, "exp", self, None), f"exp({a})", (a,), "exp")

    def backward(self) -> None:
        """Fill ``.grad`` of every node this value depends on (dself/dnode), adding to
        what a previous ``backward()`` left; this value's own ``.grad`` is set to 1, as
        micrograd sets it."""
        if self._t is None and is_anomaly_enabled():
            try:  # (the Tensor's backward, whose checks name the op)
                _build(self, widen=False)
            except _NarrowGraph:  # (NumPy float32 numbers: no Tensor graph, the float path)
                pass
        if self._t is None:
            with _WALK:
                topo = _topo(self)
                if topo is not None:
                    _sweep(self, topo)
                    self._grad = 1.0
                    return
        if self._t is None:
            _build(self)  # (or a node below has its Tensor: the Tensor's backward, for all)
        with np.errstate(over="ignore", invalid="ignore"):  # (inf + inf: floats are silent)
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

    def __getstate__(self) -> tuple[None, dict[str, Any]]:
        """The slots, for ``copy`` and ``pickle``: a node whose Tensor was built from its
        numbers (its graph drawn) gives them as floats, so a copy holds its own number and
        gradient, drawn or not (its children and op shared, as micrograd's copy shares
        them), and a pickle holds no Tensor closure."""
        state = {s: getattr(self, s) for s in _STATE if hasattr(self, s)}
        t, state["_mark"] = self._t, None
        if t is not None and (self._k != _LEAF or state.get("_b") is _BUILT):
            g = t.grad
            state.update(_t=None, _data=float(t.data), _grad=None if g is None else float(g))
            if self._k == _LEAF:
                del state["_b"]
        if self in _LABELS:
            state["label"] = _LABELS[self]  # (set last: the label setter reads _t)
        return None, state


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
            if c._t is not None and _num(c) is None:
                return None
            c._mark, c._g = mark, None
            stack.append(c)
            continue
        c = v._r
        if c is not None and c._mark is not mark:
            if c._t is not None and (c is _MANY or _num(c) is None):
                if c is not _MANY:
                    return None
                c = _next_child(v, mark)  # (a node of the user's with three or more children)
                if c is False:
                    return None
                if c is not None:
                    c._mark, c._g = mark, None
                    stack.append(c)
                    continue
            else:
                c._mark, c._g = mark, None
                stack.append(c)
                continue
        topo.append(stack.pop())
    return topo


def _next_child(v: Value, mark: object) -> Value | None | bool:
    """The first child of ``v`` (a node of the user's with more than two children) that
    the walk ``mark`` has not seen; None if it has seen all, False if that child has its
    Tensor (the graph goes to the Tensor path)."""
    for c in v._a:
        if c._mark is not mark:
            return False if c._t is not None and _num(c) is None else c
    return None


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
        if v._t is not None:  # a leaf whose Tensor holds its gradient (see _num)
            v.grad = v.grad + g
            continue
        v._grad = g if v._grad is None else v._grad + g
        k = v._k
        if k == _LEAF:
            continue
        if k == _MUL:
            ga, gb = g * v._b, g * v._a
        elif k == _ADD:
            ga = gb = g
        elif k == _RELU:  # micrograd's gate, (out.data > 0) * out.grad (_b: the output)
            ga = (
                (v._b > 0) * g
                if F.ACTIVATIONS["relu"].grad is _RELU_GRAD
                else _relu_back(v._a, v._b, g)
            )
        elif k == _TANH:  # g'(z) from glassnet's table (_a: z, _b: the output)
            act = F.ACTIVATIONS["tanh"]
            ga = _like(act.backward(np.array(g), np.array(v._a), np.array(v._b)), v._a)
        elif k == _EXP:
            ga = g * v._b
        elif k == _POW:  # a ** p: micrograd's expression, in Python floats
            ga = _pow_local(v._a, v._b, g)
        elif k == _USER:  # the user's _backward
            for c, gc in zip(v._a, _run_user_float(v, g)):
                c._g = gc if c._g is None else c._g + gc
            continue
        else:  # a ** b, b a Value (_b: b and y); d/db PyTorch's NaN at a < 0 (no real log)
            A, p, y = np.array(v._a), np.array(v._b[0]), np.array(v._b[1])
            ga = _like(_pow_grad(g, A, p, y, False), g, v._a, v._b[0])
            gb = math.nan if v._a < 0 else _like(_pow_grad(g, A, p, y, True), g, v._a, v._b[0])
        c = v._l
        c._g = ga if c._g is None else c._g + ga
        if k in _BINARY:
            c = v._r
            c._g = gb if c._g is None else c._g + gb
