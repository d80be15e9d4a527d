"""The command line's start-up, imported first by ``glassnet/__init__.py``: when this
import is the ``glassnet`` command starting (``python -m glassnet``, which imports the
package while ``sys.argv[0]`` is ``"-m"``, or the ``glassnet`` console script), a Ctrl-C
while NumPy and glassnet's modules are imported is the one line ``glassnet: error:
interrupted`` and status 130 that a Ctrl-C during a command gets, not a traceback.
:func:`done` (the end of ``__init__``) gives SIGINT back to Python's own handler."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import PurePath
from typing import Any


def _interrupted(signum: int, frame: Any) -> None:
    # (an exit at once: nothing is written yet, and no module being imported may catch it)
    sys.stderr.write("glassnet: error: interrupted\n")
    sys.stderr.flush()
    os._exit(130)


def _console_script() -> bool:
    """The ``glassnet`` command (its console script) is starting."""
    return bool(sys.argv) and PurePath(sys.argv[0]).stem == "glassnet"


def _starting_the_command() -> bool:
    """``python -m glassnet`` or the ``glassnet`` command is starting: not ``python -m`` of
    another package that imports glassnet (argv[0] is "-m" while runpy imports it too)."""
    if _console_script():
        return True
    if not sys.argv or sys.argv[0] != "-m":
        return False
    orig = list(getattr(sys, "orig_argv", []))
    return "-m" in orig and orig[orig.index("-m") + 1 :][:1] == ["glassnet"]


_previous: Any = None
if _starting_the_command():
    try:
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            _previous = signal.signal(signal.SIGINT, _interrupted)
    except ValueError:  # (not the main thread: no handler can be set there)
        pass


def done(final: bool = False) -> None:
    """SIGINT back to the handler it had (Python's KeyboardInterrupt) once imported: at the
    end of ``glassnet/__init__``, or for the ``glassnet`` command, whose console script
    imports ``glassnet.cli`` next, at the end of that (``final``)."""
    global _previous
    if _console_script() and not final:
        return
    if _previous is not None:
        signal.signal(signal.SIGINT, _previous)
        _previous = None
