"""Helpers shared by the tests that bound what a call allocates (tracemalloc's counts: bytes,
the same on any machine and under any load)."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from typing import Any


def traced(call: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, int]:
    """``call(*args, **kwargs)``'s result, and the peak of the memory Python allocated while
    it ran (bytes; tracemalloc started before it and stopped after)."""
    tracemalloc.start()
    try:
        out = call(*args, **kwargs)
        return out, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
