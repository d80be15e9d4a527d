"""The progress line of a training run (``glassnet.fit(verbose=1)``, the command line).

Presentation, not the engine: the loop calls it at the end of each epoch as it calls its
other callbacks, reading the epoch, the loss and the validation curves from the state.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from typing import Any

__all__ = ["Progress", "dumb_terminal", "STOP_REASONS"]

#: Why a run stopped, in words, by ``History.stop_reason`` (glassnet.train.STOP_REASONS).
STOP_REASONS = {
    "max_epochs": "reached the maximum number of epochs",
    "max_steps": "reached the maximum number of steps",
    "tol": "training loss improved by less than tol for n_iter_no_change epochs",
    "val_tol": "validation loss improved by less than tol for n_iter_no_change epochs (the "
    "last weights kept: EarlyStopping restores the best)",
    "early_stopping": "validation loss did not improve for n_iter_no_change epochs "
    "(best weights restored)",
    "callback": "a callback asked to stop",
    "interrupted": "interrupted by the user (KeyboardInterrupt); the weights learned so far "
    "are kept (the best ones, with early stopping)",
    "min_lr": "the adaptive learning rate reached its minimum",
    "lr_zero": "the learning-rate schedule brought every param group's lr to 0, where it stays "
    "for the rest of the run (every later epoch would leave the weights as they are)",
    "weight_change": "the weights changed by less than tol_weights (||Δw||, the L2 norm over "
    "all parameters in an epoch) for n_iter_no_change epochs",
    "diverged": "the loss became NaN or inf",
}  # (glassnet.sklearn adds the criteria only its estimators have: max_iter, max_fun, ...)


def dumb_terminal() -> bool:
    """Whether the terminal says it takes no escape codes (``TERM=dumb``: Emacs' shell, some
    CI log viewers that allocate a terminal): no colours, no line redrawn in place there."""
    return os.environ.get("TERM") == "dumb"


class Progress:
    """A one-line progress display on stderr, shown once a run has lasted ``after`` seconds:
    an end-of-epoch callback of ``glassnet.fit`` (``on_epoch_end(state)``, then ``close``).

    Hand-written (a dozen lines) rather than tqdm/rich because glassnet's core depends
    on NumPy only.
    """

    def __init__(
        self, total: int, verbose: int, after: float = 2.0, tty_only: bool = False
    ) -> None:
        if tty_only and not getattr(sys.stderr, "isatty", lambda: False)():
            verbose = 0  # the command line draws its bar on a terminal only
        self.total, self.verbose, self.after = total, verbose, after
        self.t0 = self.last = time.perf_counter()
        self.shown = self.printed = False  # a line on the terminal to end; any line printed
        self.before: int | None = None  # epochs done before this run (a resumed one)

    def on_epoch_end(self, state: Any) -> None:
        now, h = time.perf_counter(), state.history
        if self.before is None:  # the run's first epoch: initial_epoch + 1
            self.before = state.epoch - 1
        if not self.verbose or (self.verbose < 2 and now - self.t0 < self.after):
            return
        tty = getattr(sys.stderr, "isatty", lambda: False)() and not dumb_terminal()
        # a terminal gets one line redrawn; a log (or a dumb terminal) a plain line every
        # 10 s (and the last)
        # (verbose=2's first epoch at once: a log or a notebook saw nothing for 10 s)
        first = self.verbose >= 2 and not self.printed
        if now - self.last < (0.1 if tty else 10.0) and state.epoch < self.total and not first:
            return
        self.last, self.shown, self.printed = now, tty, True
        done = int(24 * state.epoch / max(self.total, 1))
        extra = h.val_loss and f"  val_loss {h.val_loss[-1]:.4g}" + (
            f"  val_{h.metric_name} {h.val_metric[-1]:.4g}" if h.metric_name != "none" else ""
        )
        line = (
            f"epoch {state.epoch}/{self.total} [{'#' * done}{'-' * (24 - done)}] loss "
            f"{state.epoch_loss:.4g}{extra or ''} "
            f"({(state.epoch - self.before) / max(now - self.t0, 1e-9):.1f} epochs/s)"
        )
        if tty:  # (cut to the terminal's width: a wrapped line's \r leaves rows behind)
            line = line[: max(shutil.get_terminal_size().columns - 1, 1)]
        sys.stderr.write(f"\r{line}\x1b[K" if tty else line + "\n")  # \x1b[K: erase the rest
        sys.stderr.flush()

    def on_train_begin(self, state: Any) -> None: ...

    def on_train_end(self, state: Any) -> None: ...

    def close(self, message: str = "") -> None:
        shown, self.shown = self.shown, False
        if shown:
            sys.stderr.write("\n")
        if message and self.verbose and (self.printed or self.verbose >= 2):
            sys.stderr.write(message + "\n")
        sys.stderr.flush()
