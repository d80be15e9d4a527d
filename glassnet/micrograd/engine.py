"""micrograd's ``Value``: one number and its gradient, on glassnet's autodiff graph.

The same API and numbers as ``micrograd.engine.Value``. Each ``Value`` wraps a 0-d
float64 :class:`~glassnet.Tensor` (``v.tensor``) that requires grad; the ops micrograd
defines as primitives (``+``, ``*``, ``**``, ``relu``, ``tanh``, ``exp``) are glassnet's
ops, and the others are composed from them exactly as micrograd composes them
(``a - b`` is ``a + (-b)``, ``-a`` is ``a * -1``, ``a / b`` is ``a * b**-1``), so the graph
has micrograd's nodes, each with micrograd's ``_op`` label and ``_prev`` set of children,
and a number becomes a leaf ``Value`` as in micrograd.

What follows micrograd rather than glassnet's Tensor (and PyTorch):

* ``.data`` and ``.grad`` read as Python floats; ``.grad`` is 0 before any ``backward()``,
  and assigning ``p.grad = 0`` clears it (micrograd's ``zero_grad``). ``p.data += ...``
  (micrograd's update) sets the number: a graph built before keeps the old value.
* ``c += x`` builds a new node, as micrograd's (where a Tensor updates in place).
* ``backward()`` leaves the gradient in every node of the graph, not only in the leaves,
  and accumulates, as micrograd's. A second call without ``zero_grad`` adds the same
  gradients again (the sum PyTorch's accumulation gives); micrograd's adds more, since
  its nodes pass on the gradients they kept from the first call as well.
* ``Value(2)`` holds the float 2.0 (micrograd keeps the int).
* Where micrograd's Python floats raise, a Value raises the same error: ``x / 0`` and
  ``0 ** -1`` a ZeroDivisionError, ``exp`` or ``**`` past the float range an
  OverflowError; a negative base to a non-integer power (a complex number in micrograd) a
  ValueError. A sum or product past the range is inf, as with floats.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from ..tensor import Tensor

__all__ = ["Value"]


def _number(data: Any) -> float:
    """``data`` as a float, or a TypeError that says what a Value holds."""
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

    __slots__ = ("tensor", "_prev", "_op", "__weakref__")

    def __init__(self, data: Any, _children: tuple = (), _op: str = "") -> None:
        if isinstance(data, Tensor):  # (the ops' result, wrapped)
            if data.data.shape != () or data.data.dtype != np.float64:
                raise TypeError(
                    "Value holds one real number, as micrograd's does. Got a Tensor of shape "
                    f"{data.data.shape} and dtype {data.data.dtype}; a Value wraps a 0-d float64 "
                    "Tensor (use glassnet.Tensor for arrays)."
                )
            self.tensor = data
        else:
            self.tensor = Tensor(np.array(_number(data)), requires_grad=True)
        self.tensor.retain_grad()  # every node keeps its gradient, as in micrograd
        self._prev = set(_children)
        self._op = _op

    # --------------------------------------------------------------- the numbers
    @property
    def data(self) -> float:
        """The number (a float)."""
        return float(self.tensor.data)

    @data.setter
    def data(self, value: Any) -> None:
        self.tensor.data = np.array(_number(value))

    @property
    def grad(self) -> float:
        """dL/dself after ``backward()`` (a float; 0 before, as in micrograd)."""
        g = self.tensor.grad
        return 0 if g is None else float(g)  # (micrograd's 0 before any backward is an int)

    @grad.setter
    def grad(self, value: Any) -> None:
        value = _number(value)
        self.tensor.grad = None if value == 0 else np.array(value)

    # --------------------------------------------------------------- micrograd's primitives
    # (a sum or product past the float range is inf, and inf - inf is nan, as with Python
    # floats, without NumPy's RuntimeWarning)
    def __add__(self, other: Any) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        with np.errstate(over="ignore", invalid="ignore"):
            return Value(self.tensor + other.tensor, (self, other), "+")

    def __mul__(self, other: Any) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        with np.errstate(over="ignore", invalid="ignore"):
            return Value(self.tensor * other.tensor, (self, other), "*")

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
        with np.errstate(over="ignore"):
            if isinstance(other, Value):
                out = Value(self.tensor**other.tensor, (self, other), f"**{other.data}")
            else:
                out = Value(self.tensor**p, (self,), f"**{other}")
        return _finite(out, f"{a} ** {p}", (a, p))

    def relu(self) -> Value:
        return Value(self.tensor.relu(), (self,), "ReLU")

    def tanh(self) -> Value:
        return Value(self.tensor.tanh(), (self,), "tanh")

    def exp(self) -> Value:
        with np.errstate(over="ignore"):
            out = Value(self.tensor.exp(), (self,), "exp")
        return _finite(out, f"exp({self.data})", (self.data,))

    def backward(self) -> None:
        """Fill ``.grad`` of every node this value depends on (dself/dnode), adding to
        what a previous ``backward()`` left; this value's own ``.grad`` is set to 1, as
        micrograd sets it."""
        self.tensor.backward()
        self.tensor.grad = np.array(1.0)

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
