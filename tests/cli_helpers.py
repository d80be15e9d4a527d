"""Helpers shared by the command line's tests: write a CSV, run ``glassnet`` in-process,
check that an error is the one line a user should see."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from glassnet.cli import main


def write_csv(
    path: Path, header: list[str], rows: list[list[object]], delimiter: str = ","
) -> Path:
    with open(path, "w", newline="") as f:
        w = csv.writer(f, delimiter=delimiter)
        w.writerow(header)
        w.writerows(rows)
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    """``glassnet *argv`` in this process: (exit status, stdout, stderr)."""
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(err: str, *needles: str) -> None:
    """``err`` is one ``glassnet: error: ...`` line holding every needle, no traceback."""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("glassnet: error: ")
    assert "Traceback" not in err
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


# the audits' small labelled table: two number columns and a yes/no label
FAST = ["--epochs", "2", "--hidden", "4", "--seed", "0", "-q"]
HEADER = ["a", "b", "label"]


def rows(n: int = 40, seed: int = 0) -> list[list[str]]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    return [[f"{a:.3f}", f"{b:.3f}", "yes" if a + b > 0 else "no"] for a, b in X]


#: The columns of :func:`multilabel_rows`: two features, a category, four labels.
MULTILABEL_HEADER = ["x1", "x2", "color", "a", "b", "c", "d"]


def multilabel_rows(n: int = 120, seed: int = 0) -> list[list[object]]:
    """Rows of :data:`MULTILABEL_HEADER` with four labels: 0/1 numbers, yes/no in two
    spellings, two texts, true/false."""
    rng = np.random.default_rng(seed)
    out: list[list[object]] = []
    for i, (x1, x2) in enumerate(rng.normal(size=(n, 2))):
        out.append([
            f"{x1:.3f}", f"{x2:.3f}", ["red", "blue"][i % 2],
            int(x1 > 0),
            ("yes" if i % 3 else "Yes") if x2 > 0 else "no",
            "dog" if x1 + x2 > 0 else "cat",
            "TRUE" if x1 - x2 > 0 else "false",
        ])  # fmt: skip
    return out


def warnings(err: str) -> list[str]:
    """The warnings of stderr, without the one about a held-out score (2 epochs earn one)."""
    lines = err.splitlines()
    return [x for x in lines if x.startswith("glassnet: warning: ") and "held-out" not in x]


def train_interrupted(out: Path, *signals: signal.Signals, gap: float = 0.002) -> tuple[int, str]:
    """``glassnet train`` on digits (16 hidden, 1,000 epochs, checkpoints on) in a process of
    its own, sent ``signals`` (``gap`` seconds apart) 0.3 s into training: (status, stderr)."""
    cmd = [sys.executable, "-m", "glassnet", "train", "--dataset", "digits", "--hidden", "16",
           "--epochs", "1000", "--checkpoint-every", "5000", "--threads", "1", "-q",
           "--out", out]  # fmt: skip
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True) as proc:  # fmt: skip
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("training"):
                break
        time.sleep(0.3)
        for i, sig in enumerate(signals):
            if i:
                time.sleep(gap)
            proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
    return proc.returncode, err
