"""Reverse-mode automatic differentiation over NumPy arrays.

A :class:`Tensor` holds an array (``.data``), and, when it was produced by an
operation on tensors that require gradients, the node of the computational graph
that made it: the op name (``.op``), its parents (``.parents``), an optional
label (``.label``, e.g. ``"z1"``) and a backward function.

``backward()`` walks the graph in reverse topological order (iteratively, so a
10,000-node chain works) and applies the chain rule. A node used by several
later nodes receives the *sum* of the gradients along every path: the lecture's
chain rule (2), ``dl/dx = dl/dz1 dz1/dx + dl/dz2 dz2/dx``.

dtype rule
----------
* NumPy floating arrays keep their dtype (float16 is promoted to float32).
* Everything else (Python numbers and lists, integer and boolean arrays) becomes
  the default dtype, float32 (``glassnet.set_default_dtype`` changes it).
* Mixing float32 and float64 tensors gives float64 (NumPy's promotion: the
  wider type wins). A Python number combined with a tensor keeps the tensor's
  dtype.

>>> import glassnet as gn
>>> x = gn.Tensor([2.0, 3.0], requires_grad=True, label="x")
>>> y = (x * x).sum()
>>> y.backward()
>>> x.grad
array([4., 6.], dtype=float32)
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

__all__ = [
    "Tensor",
    "AnomalyError",
    "no_grad",
    "enable_grad",
    "is_grad_enabled",
    "detect_anomaly",
    "set_default_dtype",
    "get_default_dtype",
    "as_tensor",
    "concatenate",
    "stack",
    "where",
    "maximum",
    "minimum",
    "unbroadcast",
]


class _State:
    grad_enabled = True
    anomaly = False
    default_dtype: np.dtype = np.dtype(np.float32)


_state = _State()


class AnomalyError(FloatingPointError):
    """Raised inside :func:`detect_anomaly` by the first op that yields NaN or inf."""


def set_default_dtype(dtype: Any) -> None:
    """Set the float dtype given to Python numbers, lists, int and bool inputs."""
    dt = np.dtype(dtype)
    if dt not in (np.float32, np.float64):
        raise ValueError(
            f"The 'dtype' parameter of set_default_dtype must be float32 or float64. Got {dt}."
        )
    _state.default_dtype = dt


def get_default_dtype() -> np.dtype:
    """The float dtype given to Python numbers, lists, int and bool inputs (float32)."""
    return _state.default_dtype


def is_grad_enabled() -> bool:
    return _state.grad_enabled


@contextlib.contextmanager
def no_grad() -> Iterator[None]:
    """Context manager: operations inside record no graph (inference, updates).

    >>> import glassnet as gn
    >>> w = gn.Tensor([1.0], requires_grad=True)
    >>> with gn.no_grad():
    ...     y = w * 2
    >>> y.requires_grad
    False
    """
    prev = _state.grad_enabled
    _state.grad_enabled = False
    try:
        yield
    finally:
        _state.grad_enabled = prev


@contextlib.contextmanager
def enable_grad() -> Iterator[None]:
    """Context manager: re-enable graph recording inside a :func:`no_grad` block."""
    prev = _state.grad_enabled
    _state.grad_enabled = True
    try:
        yield
    finally:
        _state.grad_enabled = prev


@contextlib.contextmanager
def detect_anomaly() -> Iterator[None]:
    """Context manager: the first op whose forward value or backward gradient
    contains NaN or inf raises :class:`AnomalyError`, naming the op and its label.

    >>> import glassnet as gn
    >>> x = gn.Tensor([0.0], requires_grad=True, label="x")
    >>> with gn.detect_anomaly():
    ...     y = x.log()
    Traceback (most recent call last):
    ...
    glassnet.tensor.AnomalyError: forward of op 'log' (inputs 'x') produced -inf...
    """
    prev = _state.anomaly
    _state.anomaly = True
    try:
        with np.errstate(all="ignore"):
            yield
    finally:
        _state.anomaly = prev


def _to_array(value: Any, dtype: Any = None) -> np.ndarray:
    """Convert input data to a float ndarray following the module's dtype rule."""
    if isinstance(value, Tensor):
        value = value.data
    if dtype is not None:
        dt = np.dtype(dtype)
        if dt.kind != "f":
            raise TypeError(f"Tensor dtype must be a float type (float32 or float64). Got {dt}.")
        try:
            return np.asarray(value, dtype=dt)
        except (TypeError, ValueError) as e:
            raise TypeError(
                f"Tensor data must be numbers (a NumPy array, list or scalar). Got {value!r:.60}."
            ) from e
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        if value.dtype == np.float16:
            return value.astype(np.float32)
        return value
    if isinstance(value, np.generic) and value.dtype.kind == "f":
        return np.asarray(value, dtype=max(value.dtype, np.dtype(np.float32)))
    arr = np.asarray(value)
    if arr.dtype.kind in "biuf":
        return arr.astype(_state.default_dtype)
    if arr.dtype.kind == "c":
        raise TypeError("Tensor data must be real numbers. Got complex values; take .real first.")
    raise TypeError(
        f"Tensor data must be numbers (a NumPy array, list or scalar). Got dtype {arr.dtype}."
    )


def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``grad`` back to ``shape``.

    The adjoint of broadcasting is a sum: a value broadcast to many positions
    receives the sum of their gradients.
    """
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    axes = tuple(range(extra)) + tuple(
        i + extra for i, n in enumerate(shape) if n == 1 and grad.shape[i + extra] != 1
    )
    out = grad.sum(axis=axes, keepdims=False) if axes else grad
    return out.reshape(shape)


def _check_finite(op: str, who: str, arr: np.ndarray, where: str) -> None:
    """Raise AnomalyError if ``arr`` holds NaN/inf; ``who`` names the node ("label 'z1'")."""
    if not np.all(np.isfinite(arr)):
        bad = "nan" if np.isnan(arr).any() else ("-inf" if np.isneginf(arr).any() else "inf")
        name = f" ({who})" if who else ""
        raise AnomalyError(
            f"{where} of op {op!r}{name} produced {bad}. Check the inputs of this op, "
            "or lower the learning rate if the values grew during training."
        )


class Tensor:
    """An array with an optional gradient and the graph node that produced it.

    Parameters
    ----------
    data : array_like
        The values. See the module docstring for the dtype rule.
    requires_grad : bool
        Whether ``backward()`` should compute ``.grad`` for this tensor.
    dtype : float dtype, optional
        Force a dtype (float32 or float64).
    label : str, optional
        A name shown by drawings and explanations (``"x1"``, ``"w5"``).
    """

    __slots__ = (
        "data",
        "grad",
        "requires_grad",
        "op",
        "parents",
        "label",
        "_backward",
        "_retain",
        "__weakref__",
    )
    __array_priority__ = 1000  # make ndarray (op) Tensor dispatch to Tensor's reflected ops

    def __init__(
        self,
        data: Any,
        requires_grad: bool = False,
        dtype: Any = None,
        label: str | None = None,
    ) -> None:
        self.data: np.ndarray = _to_array(data, dtype)
        self.grad: np.ndarray | None = None
        self.requires_grad = bool(requires_grad)
        self.op = ""
        self.parents: tuple[Tensor, ...] = ()
        self.label = label
        self._backward: Callable[[np.ndarray], Sequence[np.ndarray | None]] | None = None
        self._retain = False

    # ------------------------------------------------------------------ graph
    @classmethod
    def _make(
        cls,
        data: np.ndarray,
        op: str,
        parents: tuple[Tensor, ...],
        backward: Callable[[np.ndarray], Sequence[np.ndarray | None]],
    ) -> Tensor:
        """Create the result of an op; record the graph node if any parent needs grad."""
        out = Tensor.__new__(Tensor)
        if type(data) is not np.ndarray:
            data = np.asarray(data)  # NumPy returns scalars for 0-d results: keep an array
        out.data = data
        out.grad = None
        out.label = None
        out._retain = False
        needs = False
        if _state.grad_enabled:
            for p in parents:  # a loop, not any(<generator>): this runs for every op
                if p.requires_grad:
                    needs = True
                    break
        if needs:
            out.requires_grad = True
            out.op = op
            out.parents = parents
            out._backward = backward
        else:
            out.requires_grad = False
            out.op = op
            out.parents = ()
            out._backward = None
        if _state.anomaly:
            labels = ", ".join(repr(p.label) for p in parents if p.label)
            _check_finite(op, f"inputs {labels}" if labels else "", data, "forward")
        return out

    def named(self, label: str) -> Tensor:
        """Set the label used by drawings and explanations; returns self.

        >>> import glassnet as gn
        >>> gn.Tensor(1.0).named("z1").label
        'z1'
        """
        self.label = label
        return self

    def retain_grad(self) -> Tensor:
        """Keep ``.grad`` on this non-leaf tensor after ``backward()``; returns self."""
        self._retain = True
        return self

    def backward(self, grad: Any = None) -> None:
        """Compute the gradient of this tensor with respect to every leaf that requires it.

        Parameters
        ----------
        grad : array_like, optional
            The upstream gradient dL/dself, of this tensor's shape. May be omitted
            only when this tensor holds a single value (a loss): it is then 1.

        Gradients *accumulate* into ``.grad`` of leaves (and of tensors marked
        with :meth:`retain_grad`): call ``zero_grad`` between steps.
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward() was called on a tensor that does not require grad: no input of "
                "the computation had requires_grad=True (or it ran inside no_grad())."
            )
        if grad is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward() needs a gradient argument for a non-scalar tensor of shape "
                    f"{self.data.shape}: reduce it to a scalar first (e.g. .sum() or .mean()) "
                    "or pass grad= of the same shape."
                )
            g = np.ones_like(self.data)
        else:
            g = np.asarray(grad.data if isinstance(grad, Tensor) else grad, dtype=self.data.dtype)
            if g.shape != self.data.shape:
                raise ValueError(
                    f"backward(): the gradient has shape {g.shape} but the tensor has shape "
                    f"{self.data.shape}; pass a gradient of the tensor's shape."
                )

        # 1) iterative topological sort (post-order DFS with an explicit stack)
        topo: list[Tensor] = []
        visited: set[int] = set()
        stack: list[tuple[Tensor, bool]] = [(self, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                topo.append(node)
                continue
            if id(node) in visited:
                continue
            visited.add(id(node))
            stack.append((node, True))
            for p in node.parents:
                if p.requires_grad and id(p) not in visited:
                    stack.append((p, False))

        # 2) reverse sweep: each node passes dL/dnode to its parents (chain rule)
        grads: dict[int, np.ndarray] = {id(self): g}
        anomaly = _state.anomaly
        for node in reversed(topo):
            g = grads.pop(id(node), None)
            if g is None:
                continue
            if node._backward is None or node._retain:
                if node.grad is None:
                    node.grad = np.array(g, dtype=node.data.dtype)  # an array, never aliasing g
                else:
                    node.grad += g
            if node._backward is None:
                continue
            if anomaly:
                who = f"label {node.label!r}" if node.label else ""
                _check_finite(node.op, who, g, "backward (incoming gradient)")
            parent_grads = node._backward(g)
            for p, pg in zip(node.parents, parent_grads):
                if pg is None or not p.requires_grad:
                    continue
                if pg.shape != p.data.shape:
                    raise ValueError(
                        f"backward of op {node.op!r} produced a gradient of shape {pg.shape} "
                        f"for an input of shape {p.data.shape}"
                    )
                if anomaly:
                    _check_finite(node.op, who, pg, "backward")
                prev = grads.get(id(p))
                grads[id(p)] = pg if prev is None else prev + pg

    def zero_grad(self) -> None:
        """Reset ``.grad``: filled with zeros in place if it exists (keeps shared buffers)."""
        if self.grad is not None:
            self.grad.fill(0)

    # ------------------------------------------------------------- accessors
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    def __len__(self) -> int:
        return len(self.data)

    def numpy(self) -> np.ndarray:
        """The values as a NumPy array (shared, not copied)."""
        return self.data

    def item(self) -> float:
        """The single value of a one-element tensor as a Python float."""
        if self.data.size != 1:
            raise ValueError(
                f"item() needs a tensor with exactly one value; this one has shape {self.shape}."
            )
        return float(self.data.reshape(()))

    def detach(self) -> Tensor:
        """A tensor sharing the values but cut from the graph (no gradient flows back)."""
        return Tensor(self.data, label=self.label)

    def astype(self, dtype: Any) -> Tensor:
        """Cast to another float dtype; the gradient is cast back."""
        dt = np.dtype(dtype)
        if dt.kind != "f":
            raise TypeError(f"astype: a Tensor's dtype must be float32 or float64. Got {dt}.")
        src = self.data.dtype
        return Tensor._make(self.data.astype(dt), "astype", (self,), lambda g: (g.astype(src),))

    def __repr__(self) -> str:
        extra = []
        if self.label:
            extra.append(f"label={self.label!r}")
        if self.op:
            extra.append(f"op={self.op!r}")
        if self.requires_grad:
            extra.append("requires_grad=True")
        body = np.array2string(self.data, precision=4, separator=", ", prefix="Tensor(")
        tail = (", " + ", ".join(extra)) if extra else ""
        return f"Tensor({body}, dtype={self.data.dtype}{tail})"

    def __bool__(self) -> bool:
        raise TypeError(
            "The truth value of a Tensor is ambiguous; compare .data or use .item() for a scalar."
        )

    __hash__ = object.__hash__

    # ------------------------------------------------------------ arithmetic
    def _binary(
        self, other: Any, op: str, fn: Callable[[np.ndarray, Any], np.ndarray]
    ) -> tuple[np.ndarray, Tensor | None, Any]:
        """Apply a broadcasting NumPy function; errors name the op and both shapes."""
        if isinstance(other, Tensor):
            o = other.data
            ot: Tensor | None = other
        elif isinstance(other, (int, float)) and not isinstance(other, bool):
            o, ot = other, None  # Python number: keeps this tensor's dtype
        else:
            o = _to_array(other)
            ot = None
        try:
            out = fn(self.data, o)
        except ValueError as e:
            oshape = np.shape(o)
            raise ValueError(
                f"op {op!r}: shapes {self.data.shape} and {oshape} cannot be broadcast together "
                "(NumPy broadcasting compares shapes from the right; each pair must be equal or 1)."
            ) from e
        return out, ot, o

    def __add__(self, other: Any) -> Tensor:
        out, ot, o = self._binary(other, "add", np.add)
        a_shape = self.data.shape
        if ot is None:
            return Tensor._make(out, "add", (self,), lambda g: (unbroadcast(g, a_shape),))
        b_shape = ot.data.shape
        return Tensor._make(
            out, "add", (self, ot), lambda g: (unbroadcast(g, a_shape), unbroadcast(g, b_shape))
        )

    __radd__ = __add__

    def __sub__(self, other: Any) -> Tensor:
        out, ot, o = self._binary(other, "sub", np.subtract)
        a_shape = self.data.shape
        if ot is None:
            return Tensor._make(out, "sub", (self,), lambda g: (unbroadcast(g, a_shape),))
        b_shape = ot.data.shape
        return Tensor._make(
            out, "sub", (self, ot), lambda g: (unbroadcast(g, a_shape), unbroadcast(-g, b_shape))
        )

    def __rsub__(self, other: Any) -> Tensor:
        return (-self) + other

    def __mul__(self, other: Any) -> Tensor:
        out, ot, o = self._binary(other, "mul", np.multiply)
        a = self.data
        if ot is None:
            return Tensor._make(out, "mul", (self,), lambda g: (unbroadcast(g * o, a.shape),))
        return Tensor._make(
            out,
            "mul",
            (self, ot),
            lambda g: (unbroadcast(g * o, a.shape), unbroadcast(g * a, o.shape)),
        )

    __rmul__ = __mul__

    def __truediv__(self, other: Any) -> Tensor:
        out, ot, o = self._binary(other, "div", np.divide)
        a = self.data
        if ot is None:
            return Tensor._make(out, "div", (self,), lambda g: (unbroadcast(g / o, a.shape),))
        return Tensor._make(
            out,
            "div",
            (self, ot),
            lambda g: (unbroadcast(g / o, a.shape), unbroadcast(-g * out / o, o.shape)),
        )

    def __rtruediv__(self, other: Any) -> Tensor:
        return _operand(other, self) / self

    def __pow__(self, other: Any) -> Tensor:
        out, ot, p = self._binary(other, "pow", np.power)
        a = self.data
        if ot is None:
            return Tensor._make(
                out, "pow", (self,), lambda g: (unbroadcast(g * p * a ** (p - 1), a.shape),)
            )

        def backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            ga = unbroadcast(g * p * a ** (p - 1), a.shape)
            # d(a^p)/dp = a^p log a, defined for a > 0 (0 where a == 0 and the power is 0)
            safe = np.where(a > 0, a, 1)
            gp = unbroadcast(g * out * np.log(safe), p.shape)
            return ga, gp

        return Tensor._make(out, "pow", (self, ot), backward)

    def __rpow__(self, other: Any) -> Tensor:
        return _operand(other, self) ** self

    def __neg__(self) -> Tensor:
        return Tensor._make(-self.data, "neg", (self,), lambda g: (-g,))

    def __matmul__(self, other: Any) -> Tensor:
        return matmul(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return matmul(_operand(other, self), self)

    # ------------------------------------------------------------ reductions
    def sum(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        """Sum over ``axis`` (all axes by default). The gradient is broadcast back."""
        a_shape = self.data.shape
        out = np.add.reduce(self.data, axis=axis, keepdims=keepdims)  # np.sum minus its wrapper
        return Tensor._make(
            out,
            "sum",
            (self,),
            lambda g: (np.broadcast_to(_expand(g, a_shape, axis, keepdims), a_shape).copy(),),
        )

    def mean(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        """Mean over ``axis`` (all axes by default)."""
        a_shape = self.data.shape
        out = np.mean(self.data, axis=axis, keepdims=keepdims)
        n = self.data.size // max(np.size(out), 1)  # values averaged into each output
        return Tensor._make(
            np.asarray(out),
            "mean",
            (self,),
            lambda g: (np.broadcast_to(_expand(g, a_shape, axis, keepdims) / n, a_shape).copy(),),
        )

    def max(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        """Maximum over ``axis``. Ties share the gradient equally."""
        a = self.data
        out_k = np.max(a, axis=axis, keepdims=True)

        def backward(g: np.ndarray) -> tuple[np.ndarray]:
            mask = (a == out_k).astype(a.dtype)
            mask /= mask.sum(axis=axis, keepdims=True)
            return (mask * _expand(g, a.shape, axis, keepdims),)

        if keepdims:
            out = out_k
        else:
            out = np.squeeze(out_k, axis=axis) if axis is not None else out_k.reshape(())
        return Tensor._make(np.asarray(out), "max", (self,), backward)

    def min(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        """Minimum over ``axis``. Ties share the gradient equally."""
        return -((-self).max(axis=axis, keepdims=keepdims))

    # ------------------------------------------------------------ elementwise
    def exp(self) -> Tensor:
        """e^x; d/dx = e^x."""
        out = np.exp(self.data)
        return Tensor._make(out, "exp", (self,), lambda g: (g * out,))

    def log(self) -> Tensor:
        """Natural logarithm; d/dx = 1/x."""
        a = self.data
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.log(a)
        return Tensor._make(out, "log", (self,), lambda g: (g / a,))

    def sqrt(self) -> Tensor:
        """Square root; d/dx = 1 / (2 sqrt(x))."""
        out = np.sqrt(self.data)
        return Tensor._make(out, "sqrt", (self,), lambda g: (g / (2 * out),))

    def abs(self) -> Tensor:
        """|x|; d/dx = sign(x) (0 at 0)."""
        a = self.data
        return Tensor._make(np.abs(a), "abs", (self,), lambda g: (g * np.sign(a),))

    def clip(self, low: float | None = None, high: float | None = None) -> Tensor:
        """Clamp to [low, high]; the gradient passes only where the value was inside."""
        a = self.data
        out = np.clip(a, low, high)

        def backward(g: np.ndarray) -> tuple[np.ndarray]:
            inside = np.ones(a.shape, dtype=bool)
            if low is not None:
                inside &= a >= low
            if high is not None:
                inside &= a <= high
            return (g * inside,)

        return Tensor._make(out, "clip", (self,), backward)

    # ------------------------------------------------------------ shape
    def reshape(self, *shape: Any) -> Tensor:
        """Same values, new shape (``-1`` infers one axis)."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        a_shape = self.data.shape
        try:
            out = self.data.reshape(shape)
        except ValueError as e:
            raise ValueError(
                f"op 'reshape': cannot reshape a tensor of shape {a_shape} "
                f"({self.data.size} values) into shape {shape}."
            ) from e
        return Tensor._make(out, "reshape", (self,), lambda g: (g.reshape(a_shape),))

    def transpose(self, *axes: int) -> Tensor:
        """Permute axes (reverse them by default). ``.T`` is the 2-D transpose."""
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        perm = axes if axes else tuple(reversed(range(self.data.ndim)))
        inv = tuple(np.argsort(perm))
        return Tensor._make(
            np.transpose(self.data, perm), "transpose", (self,), lambda g: (np.transpose(g, inv),)
        )

    @property
    def T(self) -> Tensor:  # noqa: N802 - NumPy's name
        return self.transpose()

    def __getitem__(self, index: Any) -> Tensor:
        if isinstance(index, Tensor):
            index = _index_array(index)
        if isinstance(index, tuple):
            index = tuple(_index_array(i) if isinstance(i, Tensor) else i for i in index)
        a = self.data
        out = a[index]
        advanced = _is_advanced(index)

        def backward(g: np.ndarray) -> tuple[np.ndarray]:
            full = np.zeros_like(a)
            if advanced:
                np.add.at(full, index, g)  # repeated indices accumulate
            else:
                full[index] = g
            return (full,)

        return Tensor._make(np.asarray(out), "index", (self,), backward)


def _index_array(t: Tensor) -> np.ndarray:
    """A Tensor used as an index: its (float) values must be whole numbers."""
    if not np.all(t.data == np.round(t.data)):
        raise IndexError(
            "A Tensor used as an index must hold whole numbers. Got non-integer values; "
            "index with an integer NumPy array instead."
        )
    return t.data.astype(np.intp)


def _is_advanced(index: Any) -> bool:
    items = index if isinstance(index, tuple) else (index,)
    return any(
        isinstance(i, (list, np.ndarray)) and not (isinstance(i, np.ndarray) and i.ndim == 0)
        for i in items
    )


def _expand(g: np.ndarray, shape: tuple[int, ...], axis: Any, keepdims: bool) -> np.ndarray:
    """Re-insert the reduced axes of ``g`` so it broadcasts against ``shape``."""
    if keepdims or axis is None:
        return g if keepdims else np.reshape(g, (1,) * len(shape))
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    axes = tuple(a % len(shape) for a in axes)
    return np.expand_dims(g, axes)


def _operand(value: Any, like: Tensor) -> Tensor:
    """The other operand of a reflected op: a Python number keeps ``like``'s dtype,
    anything else follows the dtype rule (float32 with float64 gives float64)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Tensor(value, dtype=like.data.dtype)
    return as_tensor(value)


def as_tensor(value: Any, dtype: Any = None) -> Tensor:
    """Return ``value`` if it is a Tensor, else a constant Tensor of it."""
    if isinstance(value, Tensor):
        return value
    return Tensor(value, dtype=dtype)


def matmul(a: Any, b: Any) -> Tensor:
    """Matrix product ``a @ b`` (2-D, batched with broadcasting, or 1-D vectors).

    Backward: dL/da = g @ bᵀ, dL/db = aᵀ @ g (summed over broadcast batch axes).
    """
    a, b = as_tensor(a), as_tensor(b)
    A, B = a.data, b.data
    try:
        out = np.matmul(A, B)
    except ValueError as e:
        raise ValueError(
            f"op 'matmul': shapes {A.shape} and {B.shape} do not match: the last axis of the "
            f"left ({A.shape[-1] if A.ndim else '-'}) must equal the "
            f"{'first' if B.ndim <= 2 else 'second-to-last'} axis of the right."
        ) from e
    if A.ndim == 2 and B.ndim == 2:  # the common case: no copies, transposes are views

        def backward2(g: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
            return (g @ B.T if a.requires_grad else None, A.T @ g if b.requires_grad else None)

        return Tensor._make(out, "matmul", (a, b), backward2)
    A2 = A[None, :] if A.ndim == 1 else A
    B2 = B[:, None] if B.ndim == 1 else B

    def backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        g2 = g  # re-insert the axes NumPy dropped for 1-D operands: (..., n, m)
        if B.ndim == 1:
            g2 = np.expand_dims(g2, -1)
        if A.ndim == 1:
            g2 = np.expand_dims(g2, -2)
        ga = unbroadcast(np.matmul(g2, np.swapaxes(B2, -1, -2)), A2.shape).reshape(A.shape)
        gb = unbroadcast(np.matmul(np.swapaxes(A2, -1, -2), g2), B2.shape).reshape(B.shape)
        return ga, gb

    return Tensor._make(np.asarray(out), "matmul", (a, b), backward)


def concatenate(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Join tensors along an existing axis; the gradient is split back."""
    ts = [as_tensor(t) for t in tensors]
    if not ts:
        raise ValueError("concatenate needs at least one tensor. Got an empty sequence.")
    try:
        out = np.concatenate([t.data for t in ts], axis=axis)
    except ValueError as e:
        raise ValueError(
            f"op 'concatenate': shapes {[t.shape for t in ts]} cannot be joined on axis {axis}; "
            "all other axes must match."
        ) from e
    bounds = np.cumsum([t.data.shape[axis] for t in ts])[:-1]
    return Tensor._make(
        out, "concatenate", tuple(ts), lambda g: tuple(np.split(g, bounds, axis=axis))
    )


def stack(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Join same-shape tensors along a new axis."""
    ts = [as_tensor(t) for t in tensors]
    if not ts:
        raise ValueError("stack needs at least one tensor. Got an empty sequence.")
    try:
        out = np.stack([t.data for t in ts], axis=axis)
    except ValueError as e:
        raise ValueError(
            f"op 'stack': shapes {[t.shape for t in ts]} differ; stack needs equal shapes."
        ) from e
    n = len(ts)
    return Tensor._make(
        out,
        "stack",
        tuple(ts),
        lambda g: tuple(np.squeeze(p, axis=axis) for p in np.split(g, n, axis=axis)),
    )


def where(condition: Any, a: Any, b: Any) -> Tensor:
    """Elementwise ``a`` where ``condition`` holds, else ``b``; gradients follow the choice."""
    cond = np.asarray(condition.data if isinstance(condition, Tensor) else condition, dtype=bool)
    ta = as_tensor(a)
    tb = as_tensor(b, ta.dtype if not isinstance(b, Tensor) else None)
    try:
        out = np.where(cond, ta.data, tb.data)
    except ValueError as e:
        raise ValueError(
            f"op 'where': shapes {cond.shape}, {ta.shape} and {tb.shape} cannot be broadcast "
            "together."
        ) from e
    zero = np.zeros((), dtype=out.dtype)
    return Tensor._make(
        out,
        "where",
        (ta, tb),
        lambda g: (
            unbroadcast(np.where(cond, g, zero), ta.shape),
            unbroadcast(np.where(cond, zero, g), tb.shape),
        ),
    )


def maximum(a: Any, b: Any) -> Tensor:
    """Elementwise maximum; at ties the gradient is split equally."""
    ta, tb = as_tensor(a), as_tensor(b)
    return _minmax(ta, tb, np.greater, "maximum")


def minimum(a: Any, b: Any) -> Tensor:
    """Elementwise minimum; at ties the gradient is split equally."""
    ta, tb = as_tensor(a), as_tensor(b)
    return _minmax(ta, tb, np.less, "minimum")


def _minmax(ta: Tensor, tb: Tensor, better: Callable, op: str) -> Tensor:
    A, B = ta.data, tb.data
    try:
        out = np.maximum(A, B) if op == "maximum" else np.minimum(A, B)
    except ValueError as e:
        raise ValueError(
            f"op {op!r}: shapes {A.shape} and {B.shape} cannot be broadcast together."
        ) from e

    def backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        wa = (better(A, B) + 0.5 * (A == B)).astype(g.dtype)  # share of the gradient to A
        return unbroadcast(g * wa, A.shape), unbroadcast(g * (1 - wa), B.shape)

    return Tensor._make(out, op, (ta, tb), backward)
