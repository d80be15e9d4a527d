"""Ctrl-C between two training steps, never inside one.

An optimizer's update is several NumPy calls (Adam: the step count, the two moments, then
the weights). A ``KeyboardInterrupt`` raised between two of them would leave a model whose
weights, moments and step count describe different steps, and ``fit`` would report a clean
stop. While :func:`deferred` is active (``fit`` holds it for its run), the training loops
mark an update and the books of its step as held (``HOLD.held = True``); a SIGINT arriving
then is noted and raised as soon as the step is whole (:meth:`Hold.release`). Elsewhere a
Ctrl-C raises at once, as Python's own handler does.

The handler is installed only in the main thread (the one Python delivers signals to) and
only over a handler that raises (Python's default, or another callable, which is called in
its place); a SIGINT that is ignored or left to the system stays so.

>>> with deferred():
...     HOLD.held = True  # an update: a Ctrl-C here waits for release()
...     HOLD.release()
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from typing import Any

__all__ = ["HOLD", "Hold", "deferred"]


class Hold:
    """Whether a step is in progress (``held``), and a SIGINT noted meanwhile (``pending``)."""

    def __init__(self) -> None:
        self.held = False
        self.pending = False
        self.depth = 0  # (fits inside fits: the handler is installed once)
        self.previous: Any = None

    def on_sigint(self, signum: int, frame: Any) -> None:
        if self.held:
            self.pending = True
        else:
            self.previous(signum, frame)

    def release(self) -> None:
        """The step is whole: raise the Ctrl-C that arrived during it, if one did."""
        self.held = False
        if self.pending:
            self.pending = False
            self.previous(signal.SIGINT, None)


#: The loops' one hold (signals are the process's; the main thread's loop uses it).
HOLD = Hold()


@contextlib.contextmanager
def deferred() -> Iterator[Hold]:
    """Install :data:`HOLD`'s SIGINT handler for the block (once, however deeply nested),
    the previous handler put back after it, whatever happens; yields the hold the loop marks
    its steps with. In a thread other than the main one, or over a SIGINT that is ignored
    or left to the system, a hold of its own that no signal reaches."""
    main = threading.current_thread() is threading.main_thread()
    if not main or (HOLD.depth == 0 and not callable(signal.getsignal(signal.SIGINT))):
        yield Hold()
        return
    if HOLD.depth == 0 and signal.getsignal(signal.SIGINT) != HOLD.on_sigint:
        HOLD.previous = signal.signal(signal.SIGINT, HOLD.on_sigint)  # (never itself: a
    HOLD.depth += 1  # handler of ours left by a callback keeps the one it replaced)
    held = HOLD.held
    try:
        yield HOLD
    finally:
        HOLD.held = held
        HOLD.depth -= 1
        if HOLD.depth == 0:  # (a Ctrl-C noted in a step that raised: that error wins)
            HOLD.pending = False
            if signal.getsignal(signal.SIGINT) == HOLD.on_sigint:  # (not one set meanwhile)
                signal.signal(signal.SIGINT, HOLD.previous)
