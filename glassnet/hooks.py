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
import types
from collections.abc import Callable
from typing import Any

from .gradient import as_grad, plain

__all__ = [
    "RemovableHandle",
    "grad_hooks",
    "ids",
    "read_only",
    "replacement",
    "run_grad_hooks",
    "run_module_hooks",
]

ids = itertools.count()  # the keys of every hook registered, in order
# how many gradient hooks of tensors are on (register_hook's): backward looks for them then
grad_hooks = types.SimpleNamespace(on=0)


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
        new = _called(hook, (read_only(g),), f"a hook of a tensor of shape {g.shape}")
        if new is not None:
            g = replacement(new, g, f"a hook of a tensor of shape {g.shape} and dtype {g.dtype}")
    return g


def read_only(g: Any) -> Any:
    """A gradient as a hook sees it: a read-only view (None stays None)."""
    if g is None:
        return None
    seen = as_grad(g).view()
    seen.flags.writeable = False
    return seen


def _called(hook: Callable[..., Any], args: tuple[Any, ...], who: str) -> Any:
    try:
        return hook(*args)
    except ValueError as e:
        if "read-only" not in str(e):
            raise
        raise ValueError(
            f"{who} wrote into its gradient ({e}): the gradient may be another tensor's too; "
            "return a new one (g.clip(-1, 1), g * 2)."
        ) from e


def replacement(new: Any, g: Any, who: str) -> Any:
    """A hook's result ``new`` in place of the gradient ``g``: its values, of g's shape and
    dtype, or an error naming ``who`` returned what."""
    new = new.data if hasattr(new, "backward_fn") else new  # (a Tensor: its values)
    if getattr(new, "shape", None) != g.shape or getattr(new, "dtype", None) != g.dtype:
        raise ValueError(
            f"{who} returned {type(new).__name__} of shape {getattr(new, 'shape', ())} and "
            f"dtype {getattr(new, 'dtype', None)}; return one of the gradient's shape "
            f"{g.shape} and dtype {g.dtype}, or None to keep the gradient."
        )
    return plain(new)


def run_module_hooks(
    hooks: dict[int, Any], front: tuple[Any, ...], grads: tuple[Any, ...], what: str, *after: Any
) -> tuple[Any, ...]:
    """A module's backward hooks (PyTorch's ``register_full_backward_hook`` /
    ``register_full_backward_pre_hook``), in their order: each is called with ``*front``
    and the tuple ``grads`` (read-only arrays, None where no gradient flows); a result
    other than None, a tuple of ``grads``' length (None where grads holds None), replaces
    them; ``after`` holds tuples of gradients passed after them (read-only, as given).
    ``what`` names the hooks' kind and module for the errors."""
    for hook, _ in list(hooks.values()):
        shown = [tuple(read_only(g) for g in gs) for gs in (grads, *after)]
        new = _called(hook, (*front, *shown), f"a {what}")
        if new is None:
            continue
        new = (new,) if hasattr(new, "shape") else new
        if not isinstance(new, (tuple, list)) or len(new) != len(grads):
            raise ValueError(
                f"a {what} returned {type(new).__name__} {new!r:.60}; return None or a tuple of "
                f"{len(grads)} gradient(s), one per entry of the tuple it was given."
            )
        if any((n is None) != (g is None) for n, g in zip(new, grads)):
            raise ValueError(
                f"a {what} returned None where a gradient flows, or a gradient where none "
                f"does (it was given {tuple(None if g is None else g.shape for g in grads)}); "
                "return a gradient exactly where it was given one."
            )
        grads = tuple(
            g if g is None else replacement(n, g, f"a {what} (entry {i})")
            for i, (n, g) in enumerate(zip(new, grads))
        )
    return grads
