"""argparse types shared by the bench scripts: an ordinary mistake (``--rounds 0``, a
workload that does not exist, a file or checkout that is not there) is a usage line that
names the argument, ``script.py: error: argument --rounds: ...``, as ``run.py`` gives, not
a traceback from the middle of a run."""

from __future__ import annotations

import argparse
import math
from pathlib import Path


def positive_int(text: str) -> int:
    """A count of at least 1 (rounds, steps, samples)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def positive_float(text: str) -> float:
    """A duration or size above 0 and finite (seconds per timing, gigabytes): ``inf``
    would run or write for ever."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"must be above 0 and finite, got {text}")
    return value


def _known(names: list[str]) -> list[str]:
    from workloads import WORKLOADS  # (bench/, on sys.path when a script runs)

    unknown = [n for n in names if n not in WORKLOADS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown {unknown or names}; choose from {','.join(WORKLOADS)}"
        )
    return names


def workload(text: str) -> str:
    """One workload name, ``W1-b32`` ... ``W4``."""
    return _known([text])[0]


def workload_list(text: str) -> str:
    """Comma-separated workload names, ``W1-b32,W3``; returned as given."""
    _known([n for n in text.split(",") if n])
    return text


def existing_file(text: str) -> Path:
    """A file that is there (a saved run to compare against)."""
    if not Path(text).is_file():
        raise argparse.ArgumentTypeError(f"no such file: {text!r}")
    return Path(text)


def existing_files(text: str) -> str:
    """Comma-separated files that are all there; returned as given."""
    for part in text.split(","):
        existing_file(part)
    return text


def checkout(text: str) -> Path:
    """A checkout of another glassnet version: the folder holding ``glassnet/``."""
    if not (Path(text) / "glassnet" / "__init__.py").is_file():
        raise argparse.ArgumentTypeError(
            f"{text!r} holds no glassnet/ package; give the root of an old checkout "
            f"(git worktree add /tmp/old HEAD~1)"
        )
    return Path(text)


def positive_ints(text: str) -> str:
    """Comma-separated counts of at least 1 (``64,128,256``); returned as given."""
    for part in text.split(","):
        positive_int(part.strip())
    return text


def positive_floats(text: str) -> str:
    """Comma-separated numbers above 0 (``0.2,1,5``); returned as given."""
    for part in text.split(","):
        positive_float(part.strip())
    return text


def some_of(*allowed: str):  # noqa: ANN201 - an argparse type
    """A type for comma-separated names among ``allowed``; the text returned as given."""

    def names(text: str) -> str:
        got = [n.strip() for n in text.split(",") if n.strip()]
        unknown = [n for n in got if n not in allowed]
        if unknown or not got:
            raise argparse.ArgumentTypeError(
                f"unknown {unknown or got}; choose from {','.join(allowed)}"
            )
        return text

    return names
