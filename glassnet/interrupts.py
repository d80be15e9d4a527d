"""Ctrl-C (and a stop signal) between two training steps, never inside one.

An optimizer's update is several NumPy calls (Adam: the step count, the two moments, then
the weights). A ``KeyboardInterrupt`` raised between two of them would leave a model whose
weights, moments and step count describe different steps, and ``fit`` would report a clean
stop. While :func:`deferred` is active (``fit`` holds it for its run), the training loops
mark an update and the books of its step as held (``HOLD.held = True``); a signal arriving
then is noted and its handler run as soon as the step is whole (:meth:`Hold.release`).
Elsewhere a signal's handler runs at once, as without glassnet.

The signals held are SIGINT and, where a handler of Python's is set for them (the command
line's, which stop training as Ctrl-C does), SIGTERM and SIGHUP. Their handlers are taken
over only in the main thread (the one Python delivers signals to) and only where the
handler is a Python callable (Python's default for SIGINT, or one of the program's, which
is called in its place); a signal ignored or left to the system stays so.

>>> with deferred():
...     HOLD.held = True  # an update: a Ctrl-C here waits for release()
...     HOLD.release()
"""

from __future__ import annotations

import _signal  # (signal's functions without its enum wrapping: a fit takes over and
import contextlib  # gives back Ctrl-C's handler at every call)
import signal
import threading
from collections.abc import Iterator
from typing import Any

__all__ = ["HOLD", "Hold", "deferred", "interrupted_warning"]

#: The signals whose Python handlers wait for a step to end.
SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


class Hold:
    """Whether a step is in progress (``held``), and the signals that arrived meanwhile
    (``pending``: their numbers, in the order they came, each once)."""

    def __init__(self) -> None:
        self.held = False
        self.pending: list[int] = []
        self.depth = 0  # (fits inside fits: the handlers are taken over once)
        self.previous: dict[int, Any] = {}  # the handlers taken over, by signal

    def on_signal(self, signum: int, frame: Any) -> None:
        if not self.held:
            self.previous[signum](signum, frame)
        elif signum not in self.pending:
            self.pending.append(signum)

    def release(self) -> None:
        """The step is whole: run the handlers of the signals that arrived during it, in
        order (Ctrl-C's raises KeyboardInterrupt; one that raises ends the list)."""
        self.held = False
        pending, self.pending = self.pending, []
        for signum in pending:
            self.previous[signum](signum, None)


#: The loops' one hold (signals are the process's; the main thread's loop uses it).
HOLD = Hold()


@contextlib.contextmanager
def deferred() -> Iterator[Hold]:
    """Take over the held signals' handlers for the block (once, however deeply nested),
    each put back after it while the block's own is still installed; yields the hold the
    loop marks its steps with. In a thread other than the main one, a hold of its own that
    no signal reaches."""
    if threading.current_thread() is not threading.main_thread():
        yield Hold()
        return
    if HOLD.depth == 0:
        for signum in SIGNALS:
            handler = _signal.getsignal(signum)
            # (never the hold's own: one a callback left installed keeps what it replaced)
            if callable(handler) and handler != HOLD.on_signal:
                HOLD.previous[signum] = _signal.signal(signum, HOLD.on_signal)
    HOLD.depth += 1
    held = HOLD.held
    try:
        yield HOLD
    finally:
        HOLD.held = held
        HOLD.depth -= 1
        if HOLD.depth == 0:
            for signum, handler in HOLD.previous.items():
                if _signal.getsignal(signum) == HOLD.on_signal:  # (not one set meanwhile)
                    _signal.signal(signum, handler)
            pending, HOLD.pending = HOLD.pending, []
            for signum in pending:  # (noted in a step that raised: each handler runs, and
                with contextlib.suppress(BaseException):  # the step's error is the one
                    HOLD.previous[signum](signum, None)  # raised, not Ctrl-C's)


class OwnInterrupt:
    """The last callback of a ``fit`` whose caller tells of an interrupt in its own words
    (the estimators warn once at their caller's line; the command line names the signal,
    the checkpoint and the exit status): after every other callback's ``on_train_end`` has
    seen ``stop_reason`` 'interrupted', it renames it, so ``fit`` does not warn, without a
    warning filter (the process's, not thread-safe); :meth:`named` puts the name back on the
    History ``fit`` returns."""

    REASON = "interrupted (its caller tells of it)"
    between_epochs = False  # (nothing between epochs: fit keeps its whole-run loop)

    def on_train_begin(self, state: Any) -> None: ...

    def on_epoch_end(self, state: Any) -> None: ...

    def on_train_end(self, state: Any) -> None:
        if state.history.stop_reason == "interrupted":
            state.history.stop_reason = self.REASON

    @classmethod
    def named(cls, history: Any) -> Any:
        """``history`` (fit's), its ``stop_reason`` 'interrupted' again where renamed."""
        if history.stop_reason == cls.REASON:
            history.stop_reason = "interrupted"
        return history


def interrupted_warning(history: Any) -> str:
    """The warning of a run cut off by KeyboardInterrupt (fit's; the estimators' too)."""
    return (
        f"Training interrupted by user after {history.epochs} epochs ({history.steps} "
        "steps): the model keeps the weights of the last whole step (the best ones where "
        "early stopping restores them), not those of a finished run."
    )
