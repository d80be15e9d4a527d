"""The flat-parameter helper: a model's parameters as one vector θ per dtype.

:func:`flatten_parameters` packs parameters (objects with ``.data``, a float32 or
float64 array, and ``.grad``, an array of the same shape or ``None``) into one
contiguous data buffer θ and one gradient buffer ∂J/∂θ per dtype, shape
``(numel_g,)``, and rebinds each ``p.data`` / ``p.grad`` to a reshaped *view* of
them. The lecture's update ``w ← w − γ ∂J/∂w`` is then one whole-buffer NumPy call
whatever the number of layers, and L-BFGS gets its vector without copies.

Packing is shared: packing the same parameters again returns the existing packing,
so several optimizers and an L-BFGS driver on one model use one memory.

>>> import numpy as np
>>> from glassnet import nn
>>> model = nn.MLP([2, 3, 1], rng=0)
>>> flat = flatten_parameters(model.parameters())
>>> [d.shape for d in flat.data]            # W (2, 3), b (3,), W (3, 1), b (1,)
[(13,)]
>>> W = model.parameters()[0]
>>> np.shares_memory(W.data, flat.data[0]), np.array_equal(flat.data[0][:6], W.data.ravel())
(True, True)
>>> flatten_parameters(model.parameters()) is flat
True
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Container, Iterable
from typing import Any

import numpy as np

from ..backend import namespace
from ..gradient import as_grad
from ._checks import check_bound, check_copyable, check_packable

__all__ = ["FlatParameters", "flatten_parameters", "grad_view"]

_PACKED: weakref.WeakValueDictionary[int, FlatParameters] = weakref.WeakValueDictionary()
"""id(parameter) → the packing that holds it (a packing keeps its parameters alive)."""


class FlatParameters:
    """Parameters packed into flat buffers; build it with :func:`flatten_parameters`.

    Attributes
    ----------
    params : list
        The parameters, in the order given.
    dtypes : list of numpy.dtype
        One per group, in order of first appearance among ``params``.
    data, grad : list of ndarray of shape (numel_g,)
        The flat data buffer θ_g and gradient buffer ∂J/∂θ_g of each group; within a
        group the parameters follow each other in the order given.
    slots : list of (int, slice)
        Where each parameter lives: its group g and its slice of ``data[g]`` / ``grad[g]``.

    ``zero_grad()`` (∂J/∂θ ← 0 in place; every ``p.grad`` its view again) is the optimizer's
    PyTorch habit's, attached by :mod:`glassnet.optim_habits`: no step calls it.
    """

    zero_grad: Callable[[], None]  # (attached by glassnet.optim_habits)

    def __init__(self, params: Iterable[Any]) -> None:
        self.params = params = list(params)
        check_packable(params)  # 1) check everything before changing anything
        self.dtypes = list(dict.fromkeys(p.data.dtype for p in params))
        self.slots, used = [], [0] * len(self.dtypes)
        for p in params:  # 2) lay the parameters out, one group per dtype
            g = self.dtypes.index(p.data.dtype)
            self.slots.append((g, slice(used[g], used[g] + p.data.size)))
            used[g] += p.data.size
        xp = namespace(params[0].data) if params else np  # NumPy, or CuPy for a GPU model
        self.data = [xp.empty(n, dt) for dt, n in zip(self.dtypes, used)]  # (numel_g,)
        self.grad = [xp.zeros(n, dt) for dt, n in zip(self.dtypes, used)]  # (numel_g,)
        views = (self.data, [as_grad(b) for b in self.grad])  # (.grad: glassnet.gradient's)
        self._slots = [  # (parameter, data view, grad view): the buffers' memory
            (p, *(buf[g][s].reshape(p.data.shape) for buf in views))
            for p, (g, s) in zip(params, self.slots)
        ]
        for i in range(len(params)):  # 3) copy the values in, then bind the views
            self._copy_in(i)
        for p, dv, gv in self._slots:
            p.data, p.grad = dv, gv
            check_bound(p, dv, gv)  # (a setter that copies instead: refused)
            _PACKED[id(p)] = self

    def _copy_in(self, i: int, grad: bool = True) -> None:
        """Copy parameter i's own ``.data`` and, with ``grad``, its ``.grad`` into its views
        (None grad: zeros)."""
        p, dv, gv = self._slots[i]
        for attr, view in (("data", dv), ("grad", gv))[: 1 + grad]:
            value = getattr(p, attr)
            if value is None and attr == "grad":  # no gradient computed: a zero gradient
                view.fill(0)
            elif value is not view:
                check_copyable(i, attr, value, view)  # (its shape, array library and dtype)
                view[...] = value

    def sync(self, keep: Container[int] = ()) -> FlatParameters:
        """Rebind each parameter whose ``.data`` / ``.grad`` the user replaced (its new
        values copied into its slot; a None ``.grad`` counts as 0). The ``.grad`` of the
        parameters numbered in ``keep`` stays where it is, uncopied (see :meth:`own_grads`).
        Returns self."""
        for i, (p, dv, gv) in enumerate(self._slots):
            own, g = i in keep, p.grad
            if p.data is dv:  # (its values in place)
                if g is gv or own:  # identity tests: nothing to do
                    continue
                if isinstance(gv, type(g)) and g.shape == gv.shape and g.dtype == gv.dtype:
                    gv[...] = g  # (the common case: a fresh gradient from backward())
                    p.grad = gv
                    continue
            self._copy_in(i, grad=not own)  # (own: .data copied in, .grad left where it is)
            p.data, p.grad = dv, g if own else gv
            _PACKED[id(p)] = self  # taken back from a packing that took it over
        return self

    def own_grads(self) -> dict[int, Any]:
        """``{i: p.grad}`` for each parameter whose ``.grad`` is an array of its own (not its
        slot's view) of the parameter's shape, dtype and array type: what a fresh
        ``backward()`` leaves after ``zero_grad()``. An update can read it where it is
        instead of copying it into the flat buffer first (one pass over it fewer)."""
        return {
            i: p.grad
            for i, ((p, _, gv), (g, _)) in enumerate(zip(self._slots, self.slots))
            if p.grad is not gv
            and isinstance(gv, type(p.grad))  # (one library's arrays: a Grad is NumPy's)
            and p.grad.shape == gv.shape
            and p.grad.dtype == gv.dtype
            # (not on the flat data the update writes; an array owning its memory is not)
            and (p.grad.base is None or not np.may_share_memory(p.grad, self.data[g]))
        }

    def __reduce__(self) -> tuple[Any, ...]:
        # Views do not survive pickling or deepcopy (each array is copied on its own):
        # pack the copied parameters again, from their copied values.
        return (FlatParameters, (self.params,))


def grad_view(p: Any) -> Any:
    """The view of the flat gradient buffer that ``p`` is packed into, or None (not
    packed)."""
    flat = _PACKED.get(id(p))
    return next((gv for q, _, gv in flat._slots if q is p), None) if flat is not None else None


def flatten_parameters(params: Iterable[Any]) -> FlatParameters:
    """The packing of ``params``: the existing one (synced) when exactly these parameters
    are already packed together, else a new :class:`FlatParameters`.

    A parameter lives in one packing at a time: packing it anew takes it over, and a
    previous packing copies it back the next time it is synced.
    """
    params = list(params)
    ids = {id(p) for p in params}
    old = _PACKED.get(id(params[0])) if params else None
    if old is not None and len(ids) == len(params) == len(old.params):
        if all(_PACKED.get(i) is old for i in ids):
            return old.sync()
    return FlatParameters(params)
