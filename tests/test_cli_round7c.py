"""The command line's round-7 fixes (third part): a signal while standard input is copied,
the --missing advice for marks that start with '-', a streamed regression of huge targets,
the stream's scale of a column of tiny numbers, the single-value and ID-column warnings
under --impute, and a streamed row with one more empty field than the header."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from cli_helpers import FAST, assert_one_line_error, run, write_csv

from glassnet.cli import build_parser


def _default_sigint() -> None:  # (a shell starts a background job with SIGINT ignored)
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _copies(tmp: Path) -> list[Path]:
    return list(tmp.glob("glassnet-*/stdin.csv"))


@pytest.mark.parametrize(
    ("signum", "code", "line"),
    [
        (signal.SIGINT, 130, "glassnet: error: interrupted"),
        (signal.SIGTERM, 128 + signal.SIGTERM, "glassnet: error: stopped by SIGTERM"),
        (signal.SIGHUP, 128 + signal.SIGHUP, "glassnet: error: stopped by SIGHUP"),
    ],
)
def test_signal_while_stdin_is_copied(tmp_path, signum, code, line):
    """A pipe that stalls: Ctrl-C (or SIGTERM, SIGHUP) while standard input is copied is
    one line and its status, no traceback, and the temporary copy is removed."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = dict(os.environ, TMPDIR=str(tmp))
    root = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    proc = subprocess.Popen(
        [sys.executable, "-m", "glassnet", "train", "-", "--target", "y", "--out",
         str(tmp_path / "m.glassnet")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
        preexec_fn=_default_sigint,
    )  # fmt: skip
    try:
        proc.stdin.write(b"a,y\n1,2\n")
        proc.stdin.flush()
        deadline = time.monotonic() + 120
        while not _copies(tmp) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _copies(tmp), "the copy of standard input never appeared"
        time.sleep(0.3)  # (in the copy's loop, reading the pipe)
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    err = err.decode()
    assert "Traceback" not in err, err
    assert err.strip().splitlines() == [line], err
    assert proc.returncode == code, (proc.returncode, err)
    assert _copies(tmp) == []
    assert list(tmp.glob("glassnet-*")) == []


def _marks_file(path):
    rng = np.random.default_rng(0)
    rows = []
    for i in range(200):
        x = rng.normal()
        c = ["red", "blue", "--", "-?"][i % 4] if i % 10 < 8 else ["red", "blue"][i % 2]
        rows.append([f"{x:.3f}", c, "yes" if x > 0 else "no"])
    return write_csv(path, ["x", "c", "y"], rows)


def test_missing_advice_for_marks_that_start_with_a_dash(capsys, tmp_path):
    """Marks '--' and '-?': the advice writes --missing=TEXT (which argparse reads), and
    the advice, as given, is read: '--missing=--' is the text '--', no internal error."""
    data = _marks_file(tmp_path / "d.csv")
    out = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "y", "--out", out, *FAST)
    assert code == 0, err
    (note,) = [x for x in err.splitlines() if "marks of a missing cell" in x]
    assert "pass --missing '' --missing=-- --missing='-?' (" in note, note
    flags = shlex.split("--missing '' --missing=-- --missing='-?'")
    assert build_parser().parse_args(["train", str(data), "--target", "y", *flags]).missing == [
        "", "--", "-?"
    ]  # fmt: skip
    code, _, err = run(capsys, "train", data, "--target", "y", "--out", out, *FAST, *flags,
                       "--impute", "mean")  # fmt: skip
    assert code == 0, err
    assert "internal error" not in err
    assert not [x for x in err.splitlines() if "marks of a missing cell" in x], err
    # without --impute, the error's advice (the marks but '--') reads too
    code, _, err = run(capsys, "train", data, "--target", "y", "--out", out, *FAST, *flags)
    assert code == 2
    assert_one_line_error(err, "Missing value '--'", "e.g. --missing '' --missing='-?'.")
