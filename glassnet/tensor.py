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

import operator
import sys
from collections.abc import Callable, Sequence
from types import NoneType, SimpleNamespace
from typing import TYPE_CHECKING, Any

import numpy as np

from ._validation import (
    GradShapeError,
    axis_args,
    backward_args,
    cast_fits,
    check_float_dtype,
    checked_grad,
    data_error,
    dim_error,
    grad_flag,
    grad_shape_error,
    operand_error,
    reshape_error,
    tensor_data,
    tensor_dtype,
    tensor_message,
)
from .backend import asarray, is_array
from .grad_modes import (
    AnomalyError,
    Switch,
    anomaly_mode,
    check_backward,
    check_forward,
    enable_grad,
    grad_mode,
    input_paths,
    is_anomaly_enabled,
    is_grad_enabled,
    no_grad,
)
from .gradient import as_grad, axis_sum, plain
from .hooks import grad_hooks, run_grad_hooks

# fmt: off
__all__ = [
    "Tensor", "AnomalyError", "no_grad", "enable_grad", "is_grad_enabled", "is_anomaly_enabled",
    "Switch", "grad_mode", "anomaly_mode", "set_grad_enabled", "detect_anomaly",
    "set_default_dtype", "get_default_dtype", "as_tensor", "unbroadcast", "axis_args",
    "binary_op", "spread", "BINARY_OPS", "operand",
]
# fmt: on


Backward = Callable[[np.ndarray], Sequence[np.ndarray | None]]  # dL/dout -> dL/dparents


# The count of in-place updates so far (a tensor's _version: the count at its last write) and
# the default dtype (the switches, each thread's own, are glassnet.grad_modes')
_state = SimpleNamespace(version=0, default_dtype=np.dtype(np.float32))


def set_default_dtype(dtype: Any) -> None:
    """Set the float dtype given to Python numbers, lists, int and bool inputs."""
    _state.default_dtype = check_float_dtype(dtype, "set_default_dtype")


def get_default_dtype() -> np.dtype:
    """The float dtype given to Python numbers, lists, int and bool inputs (float32)."""
    return _state.default_dtype


def _to_array(value: Any, dtype: Any = None, owner: str = "Tensor") -> np.ndarray:
    """Convert input data to a float ndarray following the module's dtype rule (``owner``:
    who refuses data not of numbers, an op's name, "add", for its other operand: the words
    built by data_error only when refusing)."""
    if type(value) is not np.ndarray:  # (a Tensor's values; a nullable DataFrame as predict's)
        value = tensor_data(value)
    arr = asarray(value)  # (an array of another library, CuPy's, stays there)
    if arr.dtype.kind not in "biuf" or (dtype is None and arr.dtype.itemsize > 8):
        raise data_error(arr, owner)  # (numbers; a longdouble only converted where asked for)
    if dtype is not None:  # (a finite value beyond float32's range refused, not inf)
        return cast_fits(arr, tensor_dtype(dtype, "Tensor"), False, owner)
    if arr.dtype.kind == "f" and (arr is value or isinstance(value, (np.ndarray, np.generic))):
        # float32 and float64 arrays are kept as they are (not copied); float16 widens
        return arr.astype(max(arr.dtype, np.dtype(np.float32)), copy=False)
    return cast_fits(arr, _state.default_dtype)


def _copy(g: Any, dtype: Any) -> Any:
    """A copy of the gradient ``g`` in ``dtype``: a NumPy array (also for NumPy's scalars),
    or an array of ``g``'s own library."""
    return np.array(g, dtype=dtype) if isinstance(g, np.generic) else g.astype(dtype)


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
    return axis_sum(grad, axes).reshape(shape)  # (a long float32 column: long_sum's bits)


# The references sys.getrefcount sees to an array that one local name alone holds (2 in CPython
# up to 3.13; 0, every leaf gradient copied, elsewhere: 3.14 borrows stack references, PyPy
# counts none)
_CPYTHON = sys.implementation.name == "cpython" and sys.version_info < (3, 14)
_LONE = (lambda g: sys.getrefcount(g))(np.empty(0)) if _CPYTHON else 0


if TYPE_CHECKING:  # (the methods and switches other modules attach, as a type checker sees them)
    from .declarations import TensorMethods, detect_anomaly, set_grad_enabled
else:
    TensorMethods = object


class Tensor(TensorMethods):
    """An array with an optional gradient and the graph node that produced it.

    Parameters
    ----------
    data : array_like
        The values. See the module docstring for the dtype rule. A NumPy float array of
        the dtype is kept, not copied, as PyTorch's ``torch.Tensor(a)`` / ``from_numpy``
        keep it: writing into it later changes the tensor (``glassnet.tensor(a)`` copies,
        as ``torch.tensor``).
    requires_grad : bool
        Whether ``backward()`` should compute ``.grad`` for this tensor.
    dtype : float dtype, optional
        Force a dtype (float32 or float64).
    label : str, optional
        A name shown by drawings and explanations (``"x1"``, ``"w5"``).
    """

    # fmt: off
    __slots__ = ("data", "_grad", "_rg", "op", "parents", "label", "backward_fn",
                 "_retain", "_version", "_base", "_hooks", "__weakref__")
    # fmt: on
    __array_priority__ = 1000  # make ndarray (op) Tensor dispatch to Tensor's reflected ops
    # x.relu(), x.tanh(), x.sigmoid(), x.softmax(dim), x.log_softmax(dim) are the activations of
    # glassnet.functional, which attaches them: their mathematics lives in its table, a layer up.
    # Indexing, in-place writes and PyTorch's shape ops (view, permute, .T) are glassnet.habits'.

    def __init__(
        self, data: Any, requires_grad: bool = False, dtype: Any = None, label: str | None = None
    ) -> None:
        self.data: np.ndarray = _to_array(data, dtype)
        self._grad: np.ndarray | None = None
        self.op = ""
        self.parents: tuple[Tensor, ...] = ()
        self.label = label
        self.backward_fn: Backward | None = None
        self.requires_grad = requires_grad
        self._retain = False
        self._version = 0
        # the tensor whose values this one's data views (Tensor(t) keeps t's array: as
        # t.detach(), one clock for both, so an in-place write through either is seen;
        # glassnet.detached's _stand_in links to t, or to a stand-in of a graph's node)
        self._base: Tensor | None = (
            data._stand_in() if isinstance(data, Tensor) and self.data is data.data else None
        )

    # ------------------------------------------------------------------ graph
    @staticmethod  # not a classmethod: this runs for every op, and binding a class costs
    def from_op(data: np.ndarray, op: str, parents: Sequence[Tensor], backward: Backward) -> Tensor:
        """The result of an op: ``data``, the op's name, its parents and ``backward(g)``, the
        op's local chain rule (dL/dout -> one dL/dparent per parent, None where none is
        needed), kept as ``backward_fn`` when a parent needs a gradient. This is how
        glassnet.functional defines its ops on top of the Tensor."""
        out = Tensor.__new__(Tensor)
        if type(data) is not np.ndarray and (isinstance(data, np.generic) or not is_array(data)):
            data = np.asarray(data)  # NumPy returns scalars for 0-d results: keep an array
        out.data = data
        out._grad = None
        out.label = None
        out._retain = False
        out._version = _state.version
        out._base = None
        out.op = op
        needs = False
        if grad_mode.get():
            for p in parents:  # a loop, not any(<generator>): this runs for every op
                if p._rg:  # (the slot, not the property: this runs for every op)
                    needs = True
                    break
        out._rg = needs
        out.parents = parents if needs else ()
        out.backward_fn = backward if needs else None
        if anomaly_mode.get():
            check_forward(op, parents, data)
        return out

    @property
    def requires_grad(self) -> bool:
        """Whether ``backward()`` computes ``.grad`` for this tensor. A leaf's may be set
        (``p.requires_grad = False`` freezes a parameter); an op's result keeps its own, True,
        as PyTorch's (else ``backward()`` would stop there and its inputs' gradients go
        missing in silence): use ``x.detach()`` for a copy outside the graph."""
        return self._rg

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        self._rg = grad_flag(self, value)  # (a bool; True on an op's result)

    @np.errstate(divide="ignore", invalid="ignore", over="ignore")  # (1/0, inf*0: inf, NaN, silent)
    def backward(
        self,
        grad: Any = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
        inputs: Any = None,
        *,
        gradient: Any = None,
    ) -> None:
        """Compute the gradient of this tensor with respect to every leaf that requires it.

        Parameters
        ----------
        grad : array_like, optional
            The upstream gradient dL/dself, of this tensor's shape. May be omitted
            only when this tensor holds a single value (a loss): it is then 1.
        retain_graph : bool, optional
            PyTorch's argument, taken so that its code runs: glassnet keeps every graph
            (as ``retain_graph=True``), so a second ``backward()`` through it works and
            adds its gradients again, where PyTorch without ``retain_graph`` raises.
        create_graph : bool, optional
            PyTorch's: False only (as ``gn.autograd.grad``'s: glassnet does not record its
            backward pass, so ``True``, second derivatives, is refused saying so).
        inputs : Tensor or sequence of Tensors, optional
            PyTorch's: add the gradient into these tensors' ``.grad`` (leaves, or tensors the
            graph computed) and into no other's. The four by place in PyTorch's order.
        gradient : array_like, optional
            PyTorch's name of ``grad``.

        Gradients *accumulate* into ``.grad`` of leaves (and of tensors marked
        with :meth:`retain_grad`): call ``zero_grad`` between steps.
        """
        grad, keep = backward_args(self, grad, gradient, retain_graph, create_graph, inputs)
        g = np.ones_like(self.data) if grad is None else _to_array(grad, self.dtype, "backward")
        if g.shape != self.data.shape:
            raise GradShapeError(tensor_message("seed_shape", got=g.shape, shape=self.shape))

        # 1) iterative topological sort: a depth-first walk with an explicit stack of (node,
        # its parents still to visit); a node joins topo once all its parents have
        topo: list[Tensor] = []
        seen = {id(self)}
        stack = [(self, iter(self.parents))]
        while stack:
            node, todo = stack[-1]
            for p in todo:
                if p._rg and (i := id(p)) not in seen:
                    seen.add(i)
                    stack.append((p, iter(p.parents)))
                    break
            else:
                stack.pop()
                topo.append(node)
        reach = input_paths(topo, keep)  # keep: the ids of the tensors whose .grad takes it

        # 2) reverse sweep: each node passes dL/dnode to its parents (chain rule)
        grads: dict[int, np.ndarray] = {id(self): g}
        anomaly, pg, hooked = anomaly_mode.get(), None, grad_hooks.on
        for node in reversed(topo):
            g, fn = grads.pop(id(node), None), node.backward_fn
            if g is None:
                continue
            if hooked and getattr(node, "_hooks", None) and (fn or not keep or id(node) in keep):
                g = run_grad_hooks(node._hooks, g)  # (a leaf out of inputs=: not run)
            if (
                (fn is None or node._retain)
                if keep is None
                else id(node) in keep or (node._retain and id(node) in reach)
            ):
                if node._grad is not None:
                    acc = plain(node._grad)  # (NumPy's own +=: a Grad's costs a Python call)
                    acc += g
                else:  # g itself where only this frame holds it (as PyTorch), else a copy
                    lone = _LONE and fn is None and sys.getrefcount(g) <= _LONE
                    same = type(g) is type(node.data) and g.dtype == node.data.dtype  # owning its
                    lone = lone and same and g.flags.owndata  # memory, of node's type and dtype
                    node._grad = as_grad(g if lone else _copy(g, node.data.dtype))
            if fn is None:
                continue
            if anomaly:
                check_backward(node, g, "backward (incoming gradient)")
            for p, pg in zip(node.parents, fn(g)):
                if (p._version if p._base is None else p._written()) > node._version:
                    raise RuntimeError(tensor_message("in_place", op=node.op, shape=p.data.shape))
                if pg is None or not p._rg:
                    continue
                if pg.shape != p.data.shape:
                    raise grad_shape_error(node.op, pg.shape, p.data.shape)
                if anomaly:
                    check_backward(node, pg)
                prev = grads.get(i := id(p))
                grads[i] = pg if prev is None else prev + pg
            pg = None  # (holds no gradient: the leaves count the references to one)

    def _written(self) -> int:
        """When the values were last changed in place, through this tensor or any tensor
        that shares them (a view: ``x.view(-1)``, ``x[0]``, ``x.T``, ``x.detach()``)."""
        t, last = self, self._version
        while t._base is not None:  # a view's values are its base's: one clock for both
            t = t._base
            last = max(last, t._version)
        return last

    def _viewing(self, out: Tensor) -> Tensor:
        """Mark ``out`` as a view of this tensor when their arrays share memory."""
        if np.may_share_memory(out.data, self.data):
            out._base = self
        return out

    def _set_grad(self, value: Any) -> None:
        d = self.data  # (the common case, an array of d's shape and dtype, is tested inline)
        if value is not None and not (
            isinstance(value, np.ndarray) and value.shape == d.shape and value.dtype == d.dtype
        ):
            value = as_grad(value.data) if isinstance(value, Tensor) else value
            checked_grad(value, d, isinstance(value, np.ndarray) or is_array(value))
        self._grad = value

    # read through a C-level getter: fit's fast path reads each parameter's .grad every step
    grad = property(
        operator.attrgetter("_grad"),
        _set_grad,
        doc="dL/dself after ``backward()``: an array of this tensor's shape and dtype, or None.",
    )

    # ------------------------------------------------------------- accessors
    shape = property(lambda self: self.data.shape, doc="The shape of ``data``.")
    ndim = property(lambda self: self.data.ndim, doc="The number of axes of ``data``.")
    dtype = property(lambda self: self.data.dtype, doc="The dtype of ``data``.")

    def astype(self, dtype: Any) -> Tensor:
        """Cast to another float dtype; the gradient is cast back."""
        dt = tensor_dtype(dtype, "astype")
        src = self.data.dtype
        return Tensor.from_op(self.data.astype(dt), "astype", (self,), lambda g: (g.astype(src),))

    def __bool__(self) -> bool:
        """One value's truth (``if loss:``), as PyTorch's; more (or none) is ambiguous."""
        if self.data.size != 1:
            raise TypeError("A Tensor's truth value is ambiguous; use .any() or .all() of it.")
        return bool(self.data.item())

    # ------------------------------------------------------------ arithmetic
    def __add__(self, other: Any) -> Tensor:
        """y = a + b; dL/da = dL/db = g."""
        return binary_op("add", self, other)

    __radd__ = __add__

    def __sub__(self, other: Any) -> Tensor:
        """y = a - b; dL/da = g, dL/db = -g."""
        return binary_op("sub", self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return binary_op("add", -self, other, "sub")  # ((-a) + b, named as written: b - a)

    def __mul__(self, other: Any) -> Tensor:
        """y = a * b; dL/da = g b, dL/db = g a."""
        return binary_op("mul", self, other)

    __rmul__ = __mul__

    def __truediv__(self, other: Any) -> Tensor:
        """y = a / b; dL/da = g / b, dL/db = -g y / b."""
        return binary_op("div", self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return operand(other, self, "div") / self

    def __pow__(self, other: Any) -> Tensor:
        """y = a^p; dL/da = g p a^(p-1), dL/dp = g y log a (log a taken as 0 where a <= 0)."""
        return binary_op("pow", self, other)

    def __rpow__(self, other: Any) -> Tensor:
        return operand(other, self, "pow") ** self

    def __neg__(self) -> Tensor:
        return Tensor.from_op(-self.data, "neg", (self,), lambda g: (-g,))

    def __matmul__(self, other: Any) -> Tensor:
        """Matrix product ``a @ b`` (2-D, batched with broadcasting, or 1-D vectors).

        Backward: dL/da = g @ bᵀ, dL/db = aᵀ @ g (summed over broadcast batch axes).
        """
        a, b = self, other if isinstance(other, Tensor) else operand(other, self, "matmul")
        A, B = a.data, b.data
        try:
            out = np.matmul(A, B)
        except ValueError as e:
            raise ValueError(tensor_message("matmul", a=A.shape, b=B.shape)) from e
        A2 = A[None, :] if A.ndim == 1 else A  # 1-D operands as (1, n) and (n, 1) matrices
        B2 = B[:, None] if B.ndim == 1 else B

        def backward(g: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
            g = np.expand_dims(g, -1) if B.ndim == 1 else g  # re-insert the axes NumPy dropped
            g = np.expand_dims(g, -2) if A.ndim == 1 else g  # for 1-D operands: (..., n, m)
            ga = gb = None  # an input that needs no gradient costs no product
            if a._rg:  # g @ Bᵀ (the transposes are views)
                ga = unbroadcast(np.matmul(g, np.swapaxes(B2, -1, -2)), A2.shape).reshape(A.shape)
            if b._rg:  # Aᵀ @ g
                gb = unbroadcast(np.matmul(np.swapaxes(A2, -1, -2), g), B2.shape).reshape(B.shape)
            return ga, gb

        return Tensor.from_op(out, "matmul", (a, b), backward)

    def __rmatmul__(self, other: Any) -> Tensor:
        return operand(other, self, "matmul") @ self

    # In-place writes (x -= y, x[i] = y) are PyTorch's habits, in glassnet.habits; the clock
    # that makes a graph built from old values refuse backward is here, with backward.
    def _bump(self) -> None:
        """Record an in-place write: graphs that used the old values, through this tensor or
        any tensor sharing them, refuse backward."""
        _state.version += 1
        t: Tensor | None = self
        while t is not None:  # the tensors this one views see the write as theirs
            t._version = _state.version
            t = t._base

    # ------------------------------------------------------------ reductions
    def sum(self, axis: Any = None, keepdims: Any = None, *, dim: Any = None,
            keepdim: Any = None, dtype: Any = None, out: Any = None) -> Tensor:  # fmt: skip
        """Sum over ``axis`` (all axes by default); each input receives g. ``dim`` and
        ``keepdim`` are PyTorch's names for ``axis`` and ``keepdims``. (``np.sum(x)`` calls
        it with NumPy's ``dtype`` and ``out``: a float dtype casts the result; ``out`` must
        be None.) Returns a Tensor."""
        return self._reduce("sum", axis, keepdims, dim, keepdim, dtype, out)

    def mean(self, axis: Any = None, keepdims: Any = None, *, dim: Any = None,
             keepdim: Any = None, dtype: Any = None, out: Any = None) -> Tensor:  # fmt: skip
        """Mean over ``axis`` (all axes by default); each input receives g / n. ``dim`` and
        ``keepdim`` are PyTorch's names for ``axis`` and ``keepdims`` (``np.mean(x)``: as
        ``sum``)."""
        return self._reduce("mean", axis, keepdims, dim, keepdim, dtype, out)

    def _reduce(self, op, axis, keepdims, dim, keepdim, dtype=None, out=None) -> Tensor:
        """The node of a sum or a mean (``op``) over ``axis``: the mean is the sum divided by
        the n values averaged into each output, as NumPy's ``mean`` computes it (the same
        bits), and each input receives g, or g / n."""
        if dtype is not None or out is not None:  # (NumPy's np.sum(x, dtype=, out=))
            if out is not None:
                raise TypeError(f"np.{op}(tensor, out=...): a Tensor's op makes a new tensor.")
            return self.astype(dtype)._reduce(op, axis, keepdims, dim, keepdim)  # (as NumPy:
            # the sum taken in dtype; the gradient cast back)
        if dim is None and keepdims is None and keepdim is None and type(axis) in (int, NoneType):
            keepdims = False  # (NumPy's names and defaults, the common case, at no cost)
        else:
            axis, keepdims = axis_args(op, axis, dim, keepdims, keepdim)
        shape = self.data.shape
        try:
            out = axis_sum(self.data, axis, keepdims)  # (np.add.reduce: np.sum minus its wrapper)
        except IndexError:  # (NumPy's AxisError, a ValueError and an IndexError, in every NumPy)
            raise dim_error(op, axis, shape) from None
        n = self.data.size // max(np.size(out), 1) if op == "mean" else 1
        if n != 1:
            if not n and np.size(out):  # (NumPy's 0 / 0: NaN, and a warning of its own)
                raise ValueError(tensor_message("empty_mean", shape=shape, axis=axis))
            out = out / n
        return Tensor.from_op(
            out, op, (self,), lambda g: (spread(g if n == 1 else g / n, shape, axis, keepdims),)
        )

    # ------------------------------------------------------------ elementwise
    def exp(self) -> Tensor:
        """e^x; d/dx = e^x."""
        out = np.exp(self.data)
        return Tensor.from_op(out, "exp", (self,), lambda g: (g * out,))

    def log(self) -> Tensor:
        """Natural logarithm; d/dx = 1/x."""
        a = self.data
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.log(a)
        return Tensor.from_op(out, "log", (self,), lambda g: (_div_grad(g, a, None),))

    # ------------------------------------------------------------ shape
    def reshape(self, *shape: Any) -> Tensor:
        """Same values, new shape (``-1`` infers one axis). ``view`` is PyTorch's name
        (:mod:`glassnet.habits`, with indexing, in-place writes and the other shape ops)."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):  # f((2, 3)) as f(2, 3)
            shape = tuple(shape[0])
        a_shape = self.data.shape
        try:
            out = self.data.reshape(shape)
        except (ValueError, TypeError) as e:
            raise reshape_error(a_shape, self.data.size, shape) from e
        out = Tensor.from_op(out, "reshape", (self,), lambda g: (g.reshape(a_shape),))
        return self._viewing(out)


def spread(g: Any, shape: tuple[int, ...], axis: Any, keepdims: bool) -> np.ndarray:
    """Broadcast the result ``g`` of a reduction over ``axis`` back to ``shape``.

    The adjoint of a sum is a broadcast: every value summed into an output
    receives that output's gradient.
    """
    if not keepdims:  # re-insert the reduced axes (none: a 0-d tensor's dim 0 or -1)
        whole = axis is None or not shape
        g = np.reshape(g, (1,) * len(shape)) if whole else np.expand_dims(g, axis)
    return np.broadcast_to(g, shape).copy()


def operand(value: Any, like: Tensor, op: str = "Tensor") -> Tensor:
    """The other operand of a reflected op: a Python number keeps ``like``'s dtype,
    anything else follows the dtype rule (float32 with float64 gives float64); data not of
    numbers refused as ``op``'s operand (``None / t`` as ``t / None`` is)."""
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    try:
        return as_tensor(value, like.data.dtype if number else None)
    except TypeError as e:
        raise operand_error(e, op, value) from None


def _pow_grad(g: np.ndarray, a: np.ndarray, p: Any, y: np.ndarray, wrt_p: bool) -> np.ndarray:
    """dL/da = g p a^(p-1) (0 where p = 0; at a = 0 with p < 1 inf, as PyTorch's); dL/dp =
    g y log a: NaN where a < 0 (no real log), as PyTorch's and micrograd's Value's; 0 at a = 0
    with p >= 0, -inf with p < 0, as PyTorch's. Silent, as PyTorch's (an overflow too:
    micrograd's Value(1e-300) ** -1 reads this)."""
    if not wrt_p and type(p) is float and p >= 1:  # (x ** 2, the common case: no 0 to divide
        return g * p * a ** (p - 1)  # by, and no errstate's cost)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # (one for both)
        if not wrt_p:
            return g * p * a ** (p - (p != 0))
        return g * np.where((a == 0) & (p >= 0), 0.0, y * np.log(a))


def _div_grad(g: np.ndarray, b: Any, y: Any) -> Any:
    """dL/da = g / b, or dL/db = -g y / b (y given): inf at b = 0 or past the dtype's range,
    without NumPy's warning, as PyTorch's."""
    if type(b) is float and b:  # (a / 2.0: no 0, and no errstate's cost)
        return g / b
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return g / b if y is None else -g * y / b


# A binary op is its forward (a broadcasting NumPy function) beside its derivative
# d(g, a, b, y, wrt_b): dL/da, or dL/db when wrt_b. One function for both keeps each op at
# one closure (these run for every node); binary_op sums each gradient back to its operand's
# shape. glassnet.ops adds maximum and minimum to the table.
BINARY_OPS: dict[str, tuple[Callable, Callable]] = {
    "add": (np.add, lambda g, a, b, y, wrt_b: g),
    "sub": (np.subtract, lambda g, a, b, y, wrt_b: -g if wrt_b else g),
    "mul": (np.multiply, lambda g, a, b, y, wrt_b: g * a if wrt_b else g * b),
    "div": (np.divide, lambda g, a, b, y, wrt_b: _div_grad(g, b, y if wrt_b else None)),
    "pow": (np.power, _pow_grad),
}


def binary_op(op: str, a: Tensor, other: Any, name: str = "") -> Tensor:
    """The node of ``y = fn(a, b)`` for the op ``op`` of :data:`BINARY_OPS`, with broadcasting.

    A Python number ``b`` keeps ``a``'s dtype; a non-Tensor ``b`` is a constant (no
    gradient). A shape mismatch names the op and both shapes; a ``b`` not of numbers names
    ``name`` (the op the user wrote, "sub" of ``1 - t``), else ``op``.
    """
    fn, d = BINARY_OPS[op]
    A = a.data
    if isinstance(other, Tensor):
        B, parents = other.data, (a, other)
    elif isinstance(other, (int, float)) and not isinstance(other, bool):
        B, parents = float(other), (a,)  # (NumPy's float64 scalar too: a number, as NumPy 1's)
    else:
        B, parents = _to_array(other, None, name or op), (a,)
    try:
        y = fn(A, B)
    except ValueError as e:
        raise ValueError(tensor_message("broadcast", op=op, a=A.shape, b=np.shape(B))) from e

    def backward(g: np.ndarray) -> tuple[np.ndarray, ...]:
        ga = unbroadcast(d(g, A, B, y, False), A.shape)
        return (ga, unbroadcast(d(g, A, B, y, True), B.shape)) if len(parents) == 2 else (ga,)

    return Tensor.from_op(y, op, parents, backward)


def as_tensor(value: Any, dtype: Any = None) -> Tensor:
    """Return ``value`` if it is a Tensor, else a constant Tensor of it."""
    return value if isinstance(value, Tensor) else Tensor(value, dtype=dtype)
