"""Round 21 (review of the deploy mends): the bench scripts refuse a non-finite number
(``--sizes inf`` wrote until the disk was full, ``--seconds inf`` never ended), in-process
``main()`` calls whose reader left do not keep their stdouts open, and ``bench/ab.sh``
stopped by a plain ``kill`` stops its measurement and leaves nothing behind."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _script(*argv: str) -> tuple[int, str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1"}
    proc = subprocess.run(
        [sys.executable, *argv], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120
    )
    return proc.returncode, proc.stdout, proc.stderr


# ------------------------------------------ bench/argtypes.py: positive_float and inf


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["bench/stream_rss.py", "--sizes", "1,inf", "--dir", "/nonexistent"], "--sizes"),
        (["bench/playground_fps.py", "--seconds", "inf"], "--seconds"),
        (["bench/playground_fps.py", "--seconds=-inf"], "--seconds"),
        (["bench/playground_fps.py", "--seconds", "1e999"], "--seconds"),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else v,
)
def test_scripts_refuse_an_infinite_size_or_duration_with_a_usage_line(argv, needle):
    """`stream_rss.py --sizes inf` wrote its CSV until the disk was full and
    `playground_fps.py --seconds inf` never ended: now a usage line, status 2."""
    code, _, err = _script(*argv)
    assert code == 2, err
    assert f"argument {needle}: must be above 0 and finite" in err, err
    assert "Traceback" not in err, err


def test_positive_float_takes_finite_numbers_above_0():
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import argtypes
    finally:
        sys.path.remove(str(ROOT / "bench"))
    assert argtypes.positive_float("0.2") == 0.2
    assert argtypes.positive_float("1e300") == 1e300
    assert argtypes.positive_floats("0.2,1,5") == "0.2,1,5"
    for bad in ["inf", "Infinity", "nan", "0", "-1"]:
        with pytest.raises(Exception, match="must be above 0 and finite"):
            argtypes.positive_float(bad)


# ----------------------- glassnet.cli: main() keeps no stdout alive once its reader left


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts /proc/self/fd")
def test_main_called_in_process_keeps_no_broken_stdout_open(tmp_path):
    """Every in-process main() call whose stdout's reader left kept that stdout alive for
    the rest of the process (for its check at exit): 20 calls left 20 more open file
    descriptors. Now the stdout goes when its caller lets it go."""
    import contextlib
    import gc
    import io
    import warnings
    import weakref

    from cli_helpers import FAST, HEADER, rows, write_csv

    from glassnet import cli

    data = write_csv(tmp_path / "d.csv", HEADER, rows(40))
    model = tmp_path / "m.glassnet"
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert cli.main(["train", str(data), "--target", "label", *FAST, "--out", str(model)]) == 0
    big = write_csv(tmp_path / "big.csv", HEADER, rows(4000))  # (more than a pipe's buffer)
    before = _open_fds()
    refs = []
    saved = sys.stdout
    for _ in range(20):
        r, w = os.pipe()
        os.close(r)  # (the reader left: every write is a broken pipe)
        out = io.TextIOWrapper(io.BufferedWriter(io.FileIO(w, "w")))
        sys.stdout = out
        try:
            with contextlib.redirect_stderr(io.StringIO()) as err:
                code = cli.main(["predict", str(model), str(big)])
        finally:
            sys.stdout = saved
        assert code == 0, err.getvalue()
        # (what the stream still holds goes to /dev/null when it is closed, not a broken
        # pipe: its finalizer stays quiet)
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, w)
        os.close(null)
        refs.append(weakref.ref(out))
        with warnings.catch_warnings():  # (a host that lets its stream go unclosed)
            warnings.simplefilter("ignore", ResourceWarning)
            del out
            gc.collect()
    assert len(cli._GONE_STDOUTS) > 0  # (the case: each reader left)
    assert [ref() for ref in refs] == [None] * 20
    assert _open_fds() <= before, _open_fds() - before


# ------------------------------------ bench/ab.sh stopped by a plain kill leaves nothing


def _session_processes(sid: int) -> list[str]:
    out = subprocess.run(["ps", "-e", "-o", "sid=,pid=,args="], capture_output=True, text=True)
    return [line for line in out.stdout.splitlines() if line.split()[0] == str(sid)]


@pytest.mark.skipif(sys.platform == "win32", reason="a bash script")
@pytest.mark.parametrize("signame", ["SIGTERM", "SIGHUP"])
def test_ab_sh_killed_stops_its_measurement_and_leaves_no_folder(tmp_path, signame):
    """`kill <pid of ab.sh>` (SIGTERM, or SIGHUP when its terminal closed) removed the
    temporary folder but left the running measurement (bench/run.py and its worker)
    going: it wrote its report into a recreated folder that stayed behind. Now the
    measurement is stopped before the cleanup, and the script ends with 128 + the
    signal's number."""
    import signal
    import time

    env = {**os.environ, "TMPDIR": str(tmp_path), "ROUNDS": "40", "OLD": str(ROOT)}
    env.update(HARNESS="new", PYTHON=sys.executable, OPENBLAS_NUM_THREADS="1")
    log = tmp_path / "ab.log"
    with open(log, "w") as f:
        proc = subprocess.Popen(
            ["bash", str(ROOT / "bench" / "ab.sh"), "--quick", "--workloads", "W3"],
            env=env, stdout=f, stderr=f, start_new_session=True, cwd=tmp_path,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any(
            "bench/run.py" in p for p in _session_processes(proc.pid)
        ):  # (bench/run.py started)
            time.sleep(0.05)
        time.sleep(0.5)  # (its worker measuring)
        assert any("bench/run.py" in p for p in _session_processes(proc.pid)), log.read_text()
        os.kill(proc.pid, getattr(signal, signame))  # (the script alone, not its group)
        code = proc.wait(timeout=30)
        time.sleep(3)  # (what an orphan would have written by now)
        left = _session_processes(proc.pid)
    finally:
        with __import__("contextlib").suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        for line in _session_processes(proc.pid):
            with __import__("contextlib").suppress(ProcessLookupError):
                os.kill(int(line.split()[1]), signal.SIGKILL)
    assert left == [], left
    assert code == 128 + getattr(signal, signame), log.read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ab.log"], log.read_text()


# ------------------ one check for a value beyond the network's dtype, in every message


def test_first_beyond_finds_the_first_cell_a_dtype_cannot_hold():
    """The check was in four copies (the command line's inputs and target,
    Pipeline.transform, feeds): now one, glassnet.preprocessing.first_beyond."""
    import numpy as np

    from glassnet.preprocessing import first_beyond

    Z = np.array([[0.0, 1e300], [1e39, 0.0], [np.nan, 2.0]])
    found = first_beyond(Z, "float32")  # (the first column, then its first row)
    assert (found.row, found.column, found.value, found.columns) == (1, 0, 1e39, 2)
    assert found.as_input() == "is 1e+39 as the network's input, beyond float32's largest 3.4e+38"
    assert first_beyond(Z, "float32", by_row=True)[:2] == (0, 1)
    assert first_beyond(Z, np.float32, check=np.isfinite(Z) & (Z < 1e100))[:2] == (1, 0)
    assert first_beyond(Z, "float64")[:2] == (2, 0)  # (NaN is no value the network can take)
    assert first_beyond(np.array([[0.0, 1e300]]), "float64") is None
    assert first_beyond(np.array([[np.nan, 1e300]]), "float64", check=np.array([[0, 1]])) is None
    big = np.ones((3, 2_000_000))  # (checked a block of rows at a time)
    assert first_beyond(big, "float32") is None
    big[2, 1_999_999] = -1e39
    assert first_beyond(big, "float32")[:3] == (2, 1_999_999, -1e39)


def test_the_four_refusals_share_their_words(tmp_path):
    """glassnet train (an input and a target), glassnet predict, Pipeline.predict and feeds
    say the same of a value beyond float32: '... beyond float32's largest 3.4e+38'."""
    pd = pytest.importorskip("pandas")
    import contextlib
    import io

    import numpy as np

    from glassnet.cli import main
    from glassnet.io import load_pipeline
    from glassnet.preprocessing import FAR_OUTSIDE

    said = "is 1e+300 as the network's input, beyond float32's largest 3.4e+38"
    x = np.random.default_rng(0).normal(size=30)
    lines = ["a,y"] + [f"{v:.3f},{v * 2:.3f}" for v in x]
    (tmp_path / "d.csv").write_text("\n".join(lines) + "\n")
    (tmp_path / "big.csv").write_text("a,y\n0.5,1\n1e300,2\n")
    (tmp_path / "bigy.csv").write_text("\n".join([*lines, "0.5,1e300"]) + "\n")
    common = ["--hidden", "none", "--no-standardize", "--epochs", "1", "-q"]
    model = str(tmp_path / "m.glassnet")

    def run(*argv: str) -> tuple[int, str]:
        with (
            contextlib.redirect_stdout(io.StringIO()),
            contextlib.redirect_stderr(io.StringIO()) as err,
        ):
            code = main(list(argv))
        return code, " ".join(err.getvalue().split())

    assert run("train", str(tmp_path / "d.csv"), "--target", "y", *common, "--out", model)[0] == 0
    code, err = run("predict", model, str(tmp_path / "big.csv"))
    assert code != 0 and said in err and FAR_OUTSIDE in err, err
    code, err = run("train", str(tmp_path / "big.csv"), "--target", "y", *common)
    assert code != 0 and said in err, err
    code, err = run("train", str(tmp_path / "bigy.csv"), "--target", "y", *common)
    assert code != 0 and "1e+300 is beyond float32's largest 3.4e+38" in err, err
    rows = pd.DataFrame({"a": [0.5, 1e300]})
    with pytest.raises(ValueError, match="beyond") as caught:
        load_pipeline(model).predict(rows)
    assert said in str(caught.value) and FAR_OUTSIDE in str(caught.value)
    pytest.importorskip("onnxruntime")
    from glassnet.onnx import export, feeds

    proto = export(model)
    import onnxruntime as ort

    sess = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    with pytest.raises(ValueError, match="beyond") as caught:
        feeds(sess, rows)
    assert said in str(caught.value) and FAR_OUTSIDE in str(caught.value)
