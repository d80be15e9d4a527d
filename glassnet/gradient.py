"""The array a tensor's ``.grad`` is: a NumPy array with PyTorch's methods for a gradient.

``w.grad`` holds dL/dw as a NumPy array (the lecture's numbers, printed as NumPy prints
them). PyTorch's loops call a few tensor methods on it, ``w.grad.zero_()`` above all
(PyTorch's "What is torch.nn really?" clears its gradients so), and log with
``p.grad.norm().item()`` or ``p.grad.detach().cpu().numpy()``: :class:`Grad` is the NumPy
array with those methods, so that code runs as written. Everything else is NumPy's:
arithmetic on it gives plain NumPy arrays (``lr * w.grad``), reductions NumPy scalars,
its repr is the plain array's; a view of it (``w.grad[0]``, ``w.grad.T``) is a Grad too.

``backward()`` leaves a Grad in every ``.grad`` it fills, and an optimizer's flat gradient
buffer (:mod:`glassnet.nn.flat`) is seen through Grad views; an array you assign to
``p.grad`` yourself is kept as given (``p.grad = np.zeros(3)`` stays that array), a
Tensor assigned is seen as a Grad of its values. A gradient on a GPU is CuPy's array, with
CuPy's methods.

>>> import glassnet as gn
>>> w = gn.tensor([1.0, 2.0], requires_grad=True)
>>> (w * w).sum().backward()
>>> w.grad
array([2., 4.], dtype=float32)
>>> round(w.grad.norm().item(), 4)  # sqrt(2² + 4²), in float32
4.4721
>>> w.grad.zero_()
array([0., 0.], dtype=float32)
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["Grad", "as_grad", "plain"]

_NUMPY1 = np.lib.NumpyVersion(np.__version__) < "2.0.0"


def _values(other: Any) -> Any:
    """A Tensor's values (its ``.data``), anything else as given."""
    return other.data if hasattr(other, "backward_fn") else other


class Grad(np.ndarray):
    """A NumPy array with PyTorch's methods for a ``.grad``: the in-place ``zero_()``,
    ``fill_(v)``, ``add_(x, alpha=1)``, ``sub_(x, alpha=1)``, ``mul_(x)``, ``div_(x)``,
    ``copy_(x)``, ``clamp_(min, max)`` (each returns the array itself), ``view(-1)``, ``clone()``,
    ``detach()``, ``cpu()``, ``numpy()``, ``numel()``, ``abs()``, ``norm(p=2, dim)`` (a NumPy
    scalar, so ``.item()`` gives the float), ``.data`` (the array itself), ``sum``/``mean``
    with ``dim``/``keepdim``, and ``var``/``std`` as PyTorch's (unbiased, as a Tensor's;
    ``np.std(g)`` stays NumPy's). An ``x`` may be a Tensor, an array or a number."""

    def __array_wrap__(self, arr: Any, context: Any = None, return_scalar: bool = False) -> Any:
        # NumPy's result of it: a new array stays NumPy's own (``lr * w.grad``), one value a
        # NumPy scalar; an ``out=`` it wrote into (``w.grad += g``) is itself. (NumPy 1.x
        # allocates a new result as the subclass and passes no return_scalar.)
        if return_scalar:
            return arr[()]
        if type(arr) is not Grad and not _NUMPY1:  # (NumPy 2's new result: plain already)
            return arr
        if context and any(arr is o for o in context[1][context[0].nin :]):
            return arr
        arr = np.ndarray.view(arr, np.ndarray)
        return arr[()] if arr.ndim == 0 and _NUMPY1 else arr  # (NumPy 1's reductions: 0-d)

    def __repr__(self) -> str:
        return repr(np.ndarray.view(self, np.ndarray))

    def zero_(self) -> Grad:
        self.fill(0)
        return self

    def fill_(self, value: float) -> Grad:
        self.fill(value)
        return self

    def add_(self, other: Any, *, alpha: float = 1) -> Grad:
        other = _values(other)
        self += other if alpha == 1 else np.multiply(other, alpha)
        return self

    def sub_(self, other: Any, *, alpha: float = 1) -> Grad:
        return self.add_(other, alpha=-alpha)

    def mul_(self, other: Any) -> Grad:
        self *= _values(other)
        return self

    def div_(self, other: Any) -> Grad:
        self /= _values(other)
        return self

    def copy_(self, src: Any) -> Grad:
        self[...] = _values(src)
        return self

    def clamp_(self, min: float | None = None, max: float | None = None) -> Grad:  # noqa: A002
        if min is None and max is None:
            raise ValueError(
                "clamp_(): give min or max (or both); with neither it would do nothing."
            )
        np.clip(self, _values(min), _values(max), out=self)
        return self

    def view(self, *args: Any, **kwargs: Any) -> Any:
        """PyTorch's ``g.view(-1)`` / ``g.view(2, 3)``: the values in that shape (a view);
        NumPy's ``view(dtype)`` or ``view(type)`` otherwise, as NumPy's."""
        shape = args[0] if len(args) == 1 and isinstance(args[0], tuple) else args
        if shape and not kwargs and all(isinstance(n, (int, np.integer)) for n in shape):
            out = self.reshape(shape)
            if out.size and not np.may_share_memory(out, self):  # (reshape copied it)
                raise RuntimeError(
                    f"view({', '.join(map(str, shape))}): this gradient of shape {self.shape} "
                    "is not contiguous in that order (PyTorch's view needs it); use "
                    ".reshape(...), which copies."
                )
            return out
        return super().view(*args, **kwargs)

    def clone(self) -> Grad:
        """A copy of the values (a Grad of its own memory)."""
        return self.copy()

    def detach(self) -> Grad:
        """The array itself: a gradient is in no graph (PyTorch's ``.detach()`` shares it)."""
        return self

    cpu = detach  # (on the CPU already: the array itself, as PyTorch's)

    def numpy(self) -> np.ndarray:
        """The values as a plain NumPy array (shared, not copied)."""
        return np.ndarray.view(self, np.ndarray)

    @property
    def data(self) -> Grad:  # (PyTorch's p.grad.data: the gradient itself, not NumPy's buffer)
        """The array itself, as PyTorch's ``p.grad.data`` (``p.grad.data.zero_()``);
        NumPy's buffer of it is ``memoryview(g)``."""
        return self

    def sum(self, *args: Any, dim: Any = None, keepdim: Any = None, **kwargs: Any) -> Any:
        """NumPy's ``sum``, with PyTorch's ``dim`` and ``keepdim`` too."""
        return super().sum(*args, **_axes("sum", dim, keepdim, kwargs))

    def mean(self, *args: Any, dim: Any = None, keepdim: Any = None, **kwargs: Any) -> Any:
        """NumPy's ``mean``, with PyTorch's ``dim`` and ``keepdim`` too."""
        return super().mean(*args, **_axes("mean", dim, keepdim, kwargs))

    def var(self, dim: Any = None, unbiased: Any = None, keepdim: Any = None, **kw: Any) -> Any:
        """PyTorch's ``var(dim, unbiased, keepdim)``: the unbiased estimate (``correction=1``;
        ``unbiased=False`` or ``correction=0``: divided by n), as a Tensor's ``var()``;
        ``var(False)`` is ``unbiased=False``, as there. NumPy's ``np.var(g)``, which passes
        ``ddof``, gets NumPy's own."""
        return super().var(**_spread("var", dim, unbiased, keepdim, kw))

    def std(self, dim: Any = None, unbiased: Any = None, keepdim: Any = None, **kw: Any) -> Any:
        """PyTorch's ``std``: the square root of :meth:`var` (unbiased by default)."""
        return super().std(**_spread("std", dim, unbiased, keepdim, kw))

    def numel(self) -> int:
        return self.size

    def abs(self) -> np.ndarray:
        return np.abs(self)

    def norm(self, p: float | str = 2, dim: Any = None, keepdim: bool = False) -> Any:
        """PyTorch's vector ``p``-norm of the values (``p=2``, or ``"fro"``: the Euclidean;
        ``inf``: the largest magnitude), over ``dim`` (all values by default): a NumPy
        scalar of the array's dtype, or an array."""
        a, p = np.abs(np.ndarray.view(self, np.ndarray)), 2 if p == "fro" else p
        axis = _axis(dim)
        if p in (np.inf, -np.inf):
            return (a.max if p > 0 else a.min)(axis=axis, keepdims=keepdim)
        if p == 0:
            return (a != 0).sum(axis=axis, keepdims=keepdim).astype(self.dtype)
        return (a**p).sum(axis=axis, keepdims=keepdim) ** self.dtype.type(1 / p)


def _axes(method: str, dim: Any, keepdim: Any, kwargs: dict) -> dict:
    """NumPy's keywords of a reduction given PyTorch's ``dim``/``keepdim`` or NumPy's
    ``axis``/``keepdims`` (both spellings of one: a TypeError)."""
    if (dim is not None and "axis" in kwargs) or (keepdim is not None and "keepdims" in kwargs):
        raise TypeError(f"{method}(): pass axis or dim, keepdims or keepdim, not both.")
    if dim is not None:
        kwargs["axis"] = _axis(dim)
    if keepdim is not None:
        kwargs["keepdims"] = bool(keepdim)
    return kwargs


def _axis(dim: Any) -> Any:
    """PyTorch's ``dim`` as NumPy's ``axis``: a list as a tuple, an empty one as every axis."""
    if isinstance(dim, (tuple, list)):
        return tuple(dim) if dim else None
    return dim


def _spread(method: str, dim: Any, unbiased: Any, keepdim: Any, kwargs: dict) -> dict:
    """NumPy's keywords of ``var``/``std`` called with PyTorch's (``dim``, ``unbiased``,
    ``keepdim``, ``correction``: ddof 1 unless given; a bool first argument is ``unbiased``)
    or NumPy's (``ddof`` given)."""
    if isinstance(dim, (bool, np.bool_)):  # (var(False): PyTorch's unbiased, as a Tensor's)
        dim, unbiased = None, dim
    correction = kwargs.pop("correction", None)
    if "ddof" not in kwargs:
        kwargs["ddof"] = correction if correction is not None else int(unbiased is not False)
    elif unbiased is not None or correction is not None:
        raise TypeError(f"{method}(): pass ddof (NumPy's) or unbiased/correction, not both.")
    return _axes(method, dim, keepdim, kwargs)


def as_grad(a: Any) -> Any:
    """``a`` seen as a :class:`Grad` (a view: the same memory) when it is a plain NumPy
    array; anything else (a Grad already, CuPy's array, None) as given."""
    return a.view(Grad) if type(a) is np.ndarray else a


def plain(a: Any) -> Any:
    """A Grad's plain NumPy view (the same memory), anything else as given: what an engine
    writes into with ``out=``, at NumPy's own cost (a subclass's output costs more)."""
    return np.ndarray.view(a, np.ndarray) if type(a) is Grad else a
