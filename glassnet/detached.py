"""``t.detach()`` and ``Tensor(t)``: a tensor sharing another's values, cut from its graph.

PyTorch's surface, not the lecture's engine: the forward and backward passes never make a
tensor of another tensor's values. What they need of it stays in ``tensor.py``: the version
clock (``_bump``, ``_written``), by which ``backward`` refuses a graph whose values were
written in place since, through this tensor or any tensor sharing them.

This module attaches ``Tensor.detach`` and ``Tensor._stand_in`` (what ``Tensor(t)``'s
constructor links to) a layer above the Tensor, as :mod:`glassnet.tensor_habits` attaches
its methods (``import glassnet`` loads it), and is counted outside the core (``tools/loc.py``).
"""

from __future__ import annotations

from typing import Any

from ._validation import attach
from .tensor import Tensor

__all__ = ["detach"]


def _graph_cut(g: Any) -> tuple:  # (a stand-in's backward: none reaches it, it has no parents)
    return ()


def detach(self: Tensor) -> Tensor:
    """A tensor sharing the values but cut from the graph (no gradient flows back). An
    in-place change of one is a change of the other for the graphs that used either."""
    return Tensor(self, label=self.label)  # (its array, on this tensor's clock)


def _stand_in(self: Tensor) -> Tensor:
    """What a tensor sharing these values links to (``Tensor(t)``, ``t.detach()``): this
    tensor, or for a graph's node a stand-in with its values, op and clock but not its
    graph, which the link kept alive (a loop of ``h = h.detach()`` grew without end)."""
    head = tail = None
    t: Tensor | None = self
    while t is not None and t.backward_fn is not None:  # (a loop: long chains of views)
        out = Tensor.__new__(Tensor)  # (no op: nothing for detect_anomaly to check)
        out.data, out._grad, out.label, out._retain, out._rg = t.data, None, None, False, False
        out.op, out.parents, out.backward_fn = t.op, (), _graph_cut  # (a write refused)
        out._version, out._base = t._version, None
        if tail is None:
            head = out
        else:
            tail._base = out
        tail, t = out, t._base
    if tail is None:
        return self
    tail._base = t  # (the leaf whose values these are, or None)
    return head


attach(Tensor, (detach, _stand_in), module=False)  # (their names as methods: help(), tracebacks)
