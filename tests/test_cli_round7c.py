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

from glassnet.cli import _signals_exit, _StreamedScores, build_parser, regression_metrics
from glassnet.preprocessing import StandardScaler
from glassnet.stream import from_csv as stream_from_csv


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


def _big_targets(path, scale):
    rng = np.random.default_rng(0)
    rows = []
    for _ in range(300):
        a, b = rng.normal(size=2)
        rows.append([f"{a:.4f}", f"{b:.4f}", repr(float((a + 2 * b) * scale))])
    return write_csv(path, ["a", "b", "y"], rows)


@pytest.mark.parametrize("scale", [1e156, 1e200])
def test_streamed_regression_of_huge_targets_scores(capsys, tmp_path, scale):
    """--stream --dtype float64 with targets of 1e156 or more: the test rows are scored
    (R^2 a number, the mean square inf as in memory), not an internal OverflowError."""
    data = _big_targets(tmp_path / "big.csv", scale)
    out = tmp_path / "m.glassnet"
    for stream in ([], ["--stream"]):
        code, text, err = run(capsys, "train", data, "--target", "y", "--dtype", "float64",
                              "--out", out, "--epochs", "30", "--seed", "0", *stream)  # fmt: skip
        assert code == 0, err
        assert "internal error" not in err
        (line,) = [x for x in text.splitlines() if x.startswith("test ")]
        r2 = float(line.split("R^2 ")[1].split(",")[0])
        assert 0.9 < r2 <= 1.0, line


def test_streamed_scores_equal_the_in_memory_scores_across_magnitudes():
    """The streamed sums (chunks of growing magnitude, the last near 1e200) give the
    in-memory R^2 and MAE, and its MSE (inf where the squares overflow, as in memory)."""
    rng = np.random.default_rng(1)
    chunks = [rng.normal(size=50) * s for s in (1.0, 1e100, 1e199, 3e199)]
    preds = [t + rng.normal(size=t.size) * abs(t).max() * 0.1 for t in chunks]
    scores = _StreamedScores(None)
    for t, p in zip(chunks, preds):
        scores.add(t, p)
    got = scores.metrics()
    with np.errstate(over="ignore"):
        want = regression_metrics(np.concatenate(chunks), np.concatenate(preds))
    assert got["r2"][0] == pytest.approx(want["r2"][0], rel=1e-12)
    assert got["mae"][0] == pytest.approx(want["mae"][0], rel=1e-12)
    assert got["mse"][0] == want["mse"][0] == np.inf
    small = _StreamedScores(None)  # ordinary magnitudes: the same numbers as before
    t, p = rng.normal(size=(2, 40))
    small.add(t[:25], p[:25])
    small.add(t[25:], p[25:])
    want = regression_metrics(t, p)
    for key in ("r2", "mae", "mse"):
        assert small.metrics()[key][0] == pytest.approx(want[key][0], rel=1e-12)


def test_stream_scales_a_column_of_tiny_numbers_as_in_memory(tmp_path):
    """A feature of gauss * 1e-20 (and one of 1e-20 repeated, a constant): the stream's mean
    and scale are the in-memory StandardScaler's (the rounding floor relative to the
    column's largest |x|, not to 1, which left the tiny column unscaled)."""
    rng = np.random.default_rng(0)
    n = 400
    tiny, big = rng.normal(size=n) * 1e-20, rng.normal(size=n) * 1e3 + 5
    X = np.column_stack([tiny, np.full(n, 1e-20), big, np.zeros(n)])
    rows = [[repr(float(v)) for v in x] + ["yes" if x[0] > 0 else "no"] for x in X]
    data = write_csv(tmp_path / "tiny.csv", ["t", "c", "b", "z", "y"], rows)
    cols = stream_from_csv(str(data), target="y", standardize=True).columns
    assert cols.numeric == ["t", "c", "b", "z"]
    scaler = StandardScaler().fit(X)
    np.testing.assert_allclose(cols.mean, scaler.mean_, rtol=1e-12, atol=0)
    np.testing.assert_allclose(cols.scale, scaler.scale_, rtol=1e-12, atol=0)
    assert cols.scale[0] == pytest.approx(np.std(tiny), rel=1e-12)  # scaled, not / 1
    assert list(cols.scale[1:2]) == [1.0] and cols.scale[3] == 1.0  # constants: 1


def _with_gaps(path, column, values, gaps):
    """x, a column ``column`` of ``values`` with the cells at rows ``gaps`` empty, y."""
    rng = np.random.default_rng(0)
    rows = []
    for i, v in enumerate(values):
        x = rng.normal()
        rows.append([f"{x:.3f}", "" if i in gaps else v, "yes" if x > 0 else "no"])
    return write_csv(path, ["x", column, "y"], rows)


@pytest.mark.parametrize("impute", ["mean", "median"])
def test_single_value_warning_names_a_cell_that_is_not_missing(capsys, tmp_path, impute):
    """A column of 5 with empty cells (the first among them) under --impute: the warning
    names the value 5, not the empty text of a filled cell."""
    data = _with_gaps(tmp_path / "d.csv", "kk", ["5"] * 200, {0, 7, 50})
    code, _, err = run(capsys, "train", data, "--target", "y", "--impute", impute,
                       "--out", tmp_path / "m.glassnet", *FAST)  # fmt: skip
    assert code == 0, err
    (line,) = [x for x in err.splitlines() if "single value" in x]
    assert "'kk' holds the single value '5' in all 200 rows" in line, line


@pytest.mark.parametrize("impute", ["mean", "median"])
def test_id_column_is_warned_of_under_impute(capsys, tmp_path, impute):
    """customer_id: 400 distinct random whole numbers and 10 empty cells: --impute fills
    those with a number that is no ID, and the ID warning stays, as without the gaps."""
    rng = np.random.default_rng(3)
    ids = [str(v) for v in rng.choice(10**6, size=410, replace=False)]
    data = _with_gaps(tmp_path / "d.csv", "customer_id", ids, set(range(5, 410, 41)))
    code, _, err = run(capsys, "train", data, "--target", "y", "--impute", impute,
                       "--out", tmp_path / "m.glassnet", *FAST)  # fmt: skip
    assert code == 0, err
    (line,) = [x for x in err.splitlines() if "reads as an identifier" in x]
    assert "'customer_id' holds 400 distinct whole numbers, each once" in line, line


def _trailing_file(path, header_end, row_end):
    """a, b, y (and the header's ``header_end``), line 7 ending in ``row_end`` more."""
    rng = np.random.default_rng(0)
    lines = ["a,b,y" + header_end]
    for _ in range(40):
        a, b = rng.normal(size=2)
        lines.append(f"{a:.3f},{b:.3f},{'yes' if a > 0 else 'no'}{header_end}")
    lines[6] += row_end
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize(("header_end", "fields"), [(",", 2), ("", 1)])
def test_streamed_row_with_one_more_empty_field_is_read(capsys, tmp_path, header_end, fields):
    """A row with one more trailing empty field than the header: the in-memory run reads
    it, and so does the stream (it was an error), with the in-memory run's note (the
    fields past the header's named columns)."""
    data = _trailing_file(tmp_path / "d.csv", header_end, ",")
    out = tmp_path / "m.glassnet"
    said = f"1 of the 40 rows end in {fields} empty field(s) past the header's 3 columns"
    code, stdout, err = run(capsys, "train", data, "--target", "y", "--out", out, *FAST)
    assert code == 0, err
    assert said in stdout
    code, stdout, err = run(capsys, "train", data, "--target", "y", "--out", out, *FAST, "--stream")
    assert code == 0, err
    assert said in stdout


def test_signal_handlers_leave_an_ignored_hangup_alone():
    """Under nohup (SIGHUP ignored) the copy's handlers leave SIGHUP ignored, set SIGTERM's
    only while the copy exists, and restore both after."""
    before = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        with _signals_exit():
            assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
            assert callable(signal.getsignal(signal.SIGTERM))
        assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
        assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    finally:
        for s, handler in before.items():
            signal.signal(s, handler)


def test_a_file_over_the_memory_limit_is_refused_saying_how_much(capsys, tmp_path, monkeypatch):
    """read_csv's refusal before reading (how much memory, what to do) was caught as any
    MemoryError and became the generic "out of memory reading" line."""
    rng = np.random.default_rng(0)
    rows = "".join(f"{a:.6f},{b:.6f},{i % 2}\n" for i, (a, b) in
                   enumerate(rng.standard_normal((100_000, 2))))  # fmt: skip
    data = tmp_path / "big.csv"
    data.write_text("a,b,y\n" + rows)
    monkeypatch.setenv("GLASSNET_MEMORY_LIMIT", "2M")
    code, _, err = run(capsys, "train", data, "--target", "y", "--out", tmp_path / "m.glassnet")
    assert code == 2
    assert_one_line_error(err, "into memory needs about", "more than GLASSNET_MEMORY_LIMIT=2M",
                          "train with --stream")  # fmt: skip
    assert not (tmp_path / "m.glassnet").exists()
