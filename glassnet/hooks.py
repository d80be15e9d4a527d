"""Hooks, as PyTorch's: the handle a registration returns, and the run of a tensor's hooks.

``Tensor.register_hook`` and a module's ``register_forward_hook`` /
``register_forward_pre_hook`` keep their hooks in a dict of their own, keyed by a number
drawn from :data:`ids` (one count for all, so the order of registration is the order of
the keys); the handle they return takes its hook out of that dict.

>>> hooks = {}
>>> handle = RemovableHandle(hooks, next(ids))
>>> hooks[handle.id] = print
>>> handle.remove()
>>> hooks
{}
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from .gradient import as_grad, plain

__all__ = ["RemovableHandle", "ids", "run_grad_hooks"]

ids = itertools.count()  # the keys of every hook registered, in order


class RemovableHandle:
    """``handle.remove()`` takes the hook off (again: nothing more to do); a with-block
    around the hook's uses does it at the block's end. ``after()``, when given, runs once
    the hook is out (a module's call goes plain again when it has no hooks left)."""

    def __init__(self, hooks: dict[int, Any], key: int, after: Callable[[], None] | None = None):
        self.hooks, self.id, self.after = hooks, key, after

    def remove(self) -> None:
        if self.hooks.pop(self.id, None) is not None and self.after is not None:
            self.after()  # (once: a second remove() has nothing to take off)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


def run_grad_hooks(hooks: dict[int, Callable[[Any], Any]], g: Any) -> Any:
    """dL/dt after the hooks of a tensor t (``Tensor.register_hook``), in their order: each
    sees the gradient read-only (``backward`` may pass one array to several inputs: ``a + b``
    gives both the same), and a result other than None, of g's shape and dtype, replaces it."""
    for hook in list(hooks.values()):
        seen = as_grad(g).view()
        seen.flags.writeable = False
        try:
            new = hook(seen)
        except ValueError as e:
            if "read-only" not in str(e):
                raise
            raise ValueError(
                f"a hook of a tensor of shape {g.shape} wrote into its gradient ({e}): the "
                "gradient may be another tensor's too; return a new one (g.clip(-1, 1), g * 2)."
            ) from e
        if new is not None:
            new = new.data if hasattr(new, "backward_fn") else new  # (a Tensor: its values)
            if getattr(new, "shape", None) != g.shape or getattr(new, "dtype", None) != g.dtype:
                raise ValueError(
                    f"a hook of a tensor of shape {g.shape} and dtype {g.dtype} returned "
                    f"{type(new).__name__} of shape {getattr(new, 'shape', ())} and dtype "
                    f"{getattr(new, 'dtype', None)}; return one of the tensor's shape and dtype, "
                    "or None to keep the gradient."
                )
            g = plain(new)
    return g
