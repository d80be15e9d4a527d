"""Mends of the command line under ``mpiexec``, streamed training and distributed fit.

* ``cat d.csv | mpiexec -n 2 glassnet train - ...`` hung for ever: MPICH's launcher forwards
  standard input to rank 0 only and never closes the other ranks'. A rank of a launch of
  several refuses '-' and a named pipe (a FIFO, a device) up front, naming what was given.
* A streamed CSV's target with a class the model cannot hold (a stray ``2`` in a binary
  target near the end of the file): refused after hundreds of steps, at a position in the
  shuffled epoch, the model's weights changed. The statistics pass counted the classes: fit
  refuses before training, naming the file's line of the class's first row.
* ``fit(distributed="mpi")``'s "Training interrupted by user" warning named
  glassnet/distributed.py instead of the caller's ``fit(...)`` line.
* The refusal of ranks with other data said "their checksums differ", as if the whole
  data were compared: it says what is compared (shapes, first and last rows, ...).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import glassnet as gn
from glassnet import stream
from glassnet.train import fit

ROOT = Path(__file__).resolve().parents[1]
RANK_VARS = ("PMI_RANK", "PMI_SIZE", "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE",
             "PMIX_RANK", "SLURM_STEP_NUM_TASKS", "GLASSNET_MPI_RANK_PID")  # fmt: skip


def _csv(path: Path, n: int = 200, bad_row: int | None = None) -> Path:
    """A CSV of ``n`` rows (a, b, c and a 0/1 target y); data row ``bad_row`` labelled 2."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 3))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    if bad_row is not None:
        y[bad_row] = 2
    rows = "".join(f"{r[0]:.4f},{r[1]:.4f},{r[2]:.4f},{t}\n" for r, t in zip(X, y))
    path.write_text("a,b,c,y\n" + rows)
    return path


def _env(**rank: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in RANK_VARS}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    return {**env, **rank}


def _glassnet(tmp_path, argv, env, stdin=None, timeout=30):
    """``python -m glassnet argv`` with ``stdin`` (a pipe never closed, as MPICH gives the
    ranks past 0, when "open"): (status, stderr); a hang fails the test."""
    with open(tmp_path / "err.txt", "w+") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "glassnet", *argv], cwd=tmp_path, env=env, text=True,
            stdin=subprocess.PIPE if stdin == "open" else subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=err, start_new_session=True,
        )  # fmt: skip
        try:
            code = proc.wait(timeout)  # (its standard input left open meanwhile)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            pytest.fail(f"glassnet {' '.join(argv)} hung (killed after {timeout} s)")
        finally:
            if proc.stdin is not None:
                proc.stdin.close()
        err.seek(0)
        return code, err.read()


@pytest.mark.parametrize(
    "rank",
    [
        {"PMI_RANK": "1", "PMI_SIZE": "2"},
        {"OMPI_COMM_WORLD_RANK": "0", "OMPI_COMM_WORLD_SIZE": "2"},
    ],
    ids=["mpich-rank1", "openmpi-rank0"],
)
@pytest.mark.parametrize("command", ["train", "predict"])
def test_standard_input_is_refused_in_a_rank_of_several(tmp_path, rank, command):
    """A rank past 0 under MPICH's mpiexec reads a standard input that never ends: it
    waited for ever (and rank 0 in MPI_Init for it). Refused on every rank, before reading."""
    pytest.importorskip("mpi4py")
    argv = ["train", "-", "--target", "y", "--epochs", "1", "--out", "m.glassnet"]
    if command == "predict":
        argv = ["predict", "m.glassnet", "-"]
    code, err = _glassnet(tmp_path, argv, _env(**rank), stdin="open")
    assert code == 2, err
    assert "glassnet: error: the data file '-' is standard input" in err, err
    assert "mpiexec" in err and "rank 0" in err, err
    assert "write the data to a file" in err.lower(), err
    assert "Traceback" not in err, err


def test_a_named_pipe_is_refused_in_a_rank_of_several(tmp_path):
    """A FIFO as the data file of every rank: each would read a part of one stream, or
    wait for a writer. Refused up front (the FIFO never opened: no writer needed)."""
    pytest.importorskip("mpi4py")
    fifo = tmp_path / "data.csv"
    os.mkfifo(fifo)
    argv = ["train", str(fifo), "--target", "y", "--stream", "--out", "m.glassnet"]
    code, err = _glassnet(tmp_path, argv, _env(PMI_RANK="1", PMI_SIZE="2"))
    assert code == 2, err
    assert f"'{fifo}' is a named pipe" in err, err
    assert "write the data to a file" in err.lower(), err


def test_standard_input_alone_still_trains(tmp_path):
    """One process (no launcher's variables): '-' is read as before."""
    data = _csv(tmp_path / "d.csv").read_text()
    argv = [sys.executable, "-m", "glassnet", "train", "-", "--target", "y", "--epochs", "1",
            "--out", "m.glassnet", "--quiet"]  # fmt: skip
    proc = subprocess.run(
        argv, input=data, capture_output=True, text=True, cwd=tmp_path, env=_env(), timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "m.glassnet").is_file()


def _mpiexec(tmp_path, args, stdin: str | None = None, timeout: float = 40):
    pytest.importorskip("mpi4py")
    mpiexec = shutil.which("mpiexec")
    if mpiexec is None:
        pytest.skip("mpiexec not found (pip install 'glassnet[mpi]' brings MPICH's)")
    proc = subprocess.Popen(
        [mpiexec, *map(str, args)], cwd=tmp_path, env=_env(), text=True,
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    try:
        out, err = proc.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"mpiexec {' '.join(map(str, args))} hung (killed after {timeout} s)")
    return proc.returncode, out, err


def test_standard_input_under_mpiexec_ends_with_one_error(tmp_path):
    """`cat d.csv | mpiexec -n 2 glassnet train - ...` never ended. (A few rows: MPICH's
    launcher itself fails a job whose rank 0 reads a larger standard input too slowly.)"""
    data = _csv(tmp_path / "d.csv", n=20).read_text()
    argv = ["-n", "2", sys.executable, "-m", "glassnet", "train", "-", "--target", "y",
            "--epochs", "1", "--out", "m.glassnet"]  # fmt: skip
    code, out, err = _mpiexec(tmp_path, argv, stdin=data)
    assert code == 2, err
    assert err.count("glassnet: error: the data file '-' is standard input") == 1, err
    assert not (tmp_path / "m.glassnet").exists()


def _stray_label(tmp_path, n=3000, bad=2900):
    return _csv(tmp_path / "d.csv", n, bad_row=bad)


@pytest.mark.parametrize("runs_kept", [True, False], ids=["runs-kept", "file-read-again"])
def test_a_streamed_class_the_model_cannot_hold_is_refused_before_training(
    tmp_path, monkeypatch, runs_kept
):
    """Label 2 at data row 2900 (line 2902) of a binary file: refused after steps had
    changed the model, at rows of the shuffled epoch. Now before the first step, the
    file's line named (found from the label's runs, or, for a file of more runs than are
    kept, by reading it again)."""
    if not runs_kept:
        monkeypatch.setattr(stream, "LABEL_RUNS_KEPT", 10)
    path = _stray_label(tmp_path)
    src = stream.from_csv(path, "y", block_size=4096, buffer_size=256, dtype=np.float64)
    assert src.columns.classes == [0, 1, 2]
    model = gn.nn.MLP([3, 4, 2], output_activation="softmax", rng=0)
    before = [p.data.copy() for p in model.parameters()]
    with pytest.raises(ValueError) as e:
        fit(model, src, None, loss="cross_entropy", batch_size=32, epochs=1, seed=0, verbose=0)
    text = str(e.value)
    assert f"'{path}' line 2902" in text, text
    assert "3 classes" in text and "2 outputs" in text, text
    assert "holds class 2 (its one row)" in text, text
    assert (src.columns.run_classes is None) != runs_kept
    assert "of the epoch" not in text, text
    for p, b in zip(model.parameters(), before):
        np.testing.assert_array_equal(p.data, b)


def test_a_file_path_names_the_line_of_the_stray_class(tmp_path):
    path = _stray_label(tmp_path, n=400, bad=390)
    model = gn.nn.MLP([3, 4, 2], output_activation="softmax", rng=0)
    with pytest.raises(ValueError, match=r"line 392\b"):
        fit(model, str(path), "y", loss="cross_entropy", batch_size=32, epochs=1, verbose=0)


def test_a_streamed_file_whose_classes_fit_trains(tmp_path):
    path = _stray_label(tmp_path, n=400, bad=390)
    model = gn.nn.MLP([3, 4, 3], output_activation="softmax", rng=0)
    h = fit(model, str(path), "y", loss="cross_entropy", batch_size=32, epochs=1, verbose=0)
    assert h.steps > 0


INTERRUPT = textwrap.dedent(
    """
    import sys, warnings
    import numpy as np
    import glassnet as gn
    from glassnet.train import fit

    class Stop(gn.Callback):
        def on_step_end(self, state):
            if state.history.steps == 3:
                raise KeyboardInterrupt

    X = np.random.default_rng(0).normal(size=(64, 2))
    y = (X[:, 0] > 0).astype(int)
    m = gn.nn.MLP([2, 3, 2], output_activation="softmax", rng=0)
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        fit(m, X, y, loss="cross_entropy", epochs=5, batch_size=8, seed=0, verbose=0,
            callbacks=[Stop()], distributed=sys.argv[1] or None)  # THE FIT LINE
    for w in got:
        print(w.filename, w.lineno, str(w.message)[:40])
    """
)


@pytest.mark.parametrize("distributed", ["", "mpi"])
def test_the_interrupt_warning_names_the_callers_fit_line(tmp_path, distributed):
    if distributed:
        pytest.importorskip("mpi4py")
    script = tmp_path / "f.py"
    script.write_text(INTERRUPT)
    lines = INTERRUPT.splitlines()
    line = lines.index(next(s for s in lines if s.startswith("    fit(m,"))) + 1
    proc = subprocess.run(
        [sys.executable, str(script), distributed], capture_output=True, text=True,
        cwd=tmp_path, env=_env(), timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    warned = [w for w in proc.stdout.splitlines() if "Training interrupted by user" in w]
    assert warned == [f"{script} {line} Training interrupted by user after 0 epo"], proc.stdout


OTHER_DATA = textwrap.dedent(
    """
    import numpy as np
    from mpi4py import MPI
    import glassnet as gn
    from glassnet.train import fit

    rank = MPI.COMM_WORLD.Get_rank()
    X = np.random.default_rng(0).normal(size=(200 if rank == 0 else 150, 2))
    y = (X[:, 0] > 0).astype(int)
    m = gn.nn.MLP([2, 3, 2], output_activation="softmax", rng=0)
    try:
        fit(m, X, y, loss="cross_entropy", epochs=1, batch_size=8, seed=0, verbose=0,
            distributed="mpi")
    except Exception as e:
        print(f"rank {rank}: {e}")
    """
)


def test_the_refusal_of_other_data_says_what_the_ranks_compare(tmp_path):
    """It said "their checksums differ ... the same X, y", as if every row were compared;
    only shapes, dtype and first/last rows are (the rest: unchecked)."""
    (tmp_path / "f.py").write_text(OTHER_DATA)
    code, out, err = _mpiexec(tmp_path, ["-n", "2", sys.executable, "f.py"])
    assert code == 0, err
    mine = next((s for s in out.splitlines() if s.startswith("rank 1:")), out + err)
    # (round 28: the item that differs named, with both ranks' values)
    assert (
        "rank 1's training data differs from rank 0's: X has 150 rows on rank 1, 200 rows "
        "on rank 0" in mine
    ), mine
    assert "checksums differ" not in mine, mine


def _two_stray_classes(path: Path) -> Path:
    """Classes a, b, c, d: 'd' x5 from line 42, then 'c' once at line 87 (a model of 2
    outputs holds neither)."""
    labels = ["a", "b"] * 20 + ["d"] * 5 + ["a", "b"] * 20 + ["c"] + ["a", "b"] * 20
    rows = "".join(f"{i / 10},{i % 3},{t}\n" for i, t in enumerate(labels))
    path.write_text("a,b,y\n" + rows)
    return path


@pytest.mark.parametrize("runs_kept", [True, False], ids=["runs-kept", "file-read-again"])
def test_the_refused_class_named_is_the_one_on_the_line_cited(tmp_path, monkeypatch, runs_kept):
    """Two classes the model cannot hold: the line cited was the first row of either, but
    the class named (and its row count) was the lowest one's ('line 42 holds class 'c' (its
    one row)', line 42 holding 'd', one of 5). The line, class and count now agree."""
    if not runs_kept:
        monkeypatch.setattr(stream, "LABEL_RUNS_KEPT", 10)
    path = _two_stray_classes(tmp_path / "d.csv")
    src = stream.from_csv(path, "y", dtype=np.float64)
    assert (src.columns.run_classes is None) != runs_kept
    model = gn.nn.MLP([2, 4, 2], output_activation="softmax", rng=1, dtype=np.float64)
    with pytest.raises(ValueError) as e:
        fit(model, src, None, loss="cross_entropy", batch_size=16, epochs=1, verbose=0)
    text = str(e.value)
    got = re.search(r"line (\d+): the target column 'y' holds class '(\w)' \(([^)]*)\)", text)
    assert got is not None, text
    line, cls, rows = int(got[1]), got[2], got[3]
    lines = path.read_text().splitlines()
    assert lines[line - 1].split(",")[-1] == cls, (text, lines[line - 1])
    assert [s.split(",")[-1] for s in lines[1 : line - 1]].count(cls) == 0, text  # its first
    many = [s.split(",")[-1] for s in lines[1:]].count(cls)
    assert rows == ("its one row" if many == 1 else f"the first of its {many} rows"), text


def test_many_classes_are_refused_without_checking_each(tmp_path, monkeypatch):
    """An ID-like integer target (a class per row) and a model of 2 outputs: each class was
    checked alone (200,000 classes: 35.7 s to the refusal, 0.1 s before). A few checks now."""
    n = 5000
    rows = "".join(f"{i % 7},{i % 3},{i}\n" for i in range(n))
    (tmp_path / "ids.csv").write_text("a,b,y\n" + rows)
    src = stream.from_csv(tmp_path / "ids.csv", "y", dtype=np.float64)
    assert len(src.columns.classes) == n
    calls = []
    bare = stream._bare
    monkeypatch.setattr(stream, "_bare", lambda e: calls.append(1) or bare(e))
    model = gn.nn.MLP([2, 4, 2], output_activation="softmax", rng=1, dtype=np.float64)
    with pytest.raises(ValueError, match=r"line 4: the target column 'y' holds class 2 \(its"):
        fit(model, src, None, loss="cross_entropy", batch_size=64, epochs=1, verbose=0)
    assert len(calls) < 100, len(calls)


def _stdin_run(tmp_path, argv, env, data):
    proc = subprocess.run(
        [sys.executable, "-m", "glassnet", *argv], input=data, capture_output=True,
        text=True, cwd=tmp_path, env=env, timeout=120,
    )  # fmt: skip
    return proc.returncode, proc.stdout, proc.stderr


def test_standard_input_with_a_leftover_launcher_variable(tmp_path):
    """A launcher's variables left in a shell that mpiexec did not start (PMI_SIZE=4 with a
    PMI_FD that is no socket of a launcher's; a process a rank started): 'glassnet evaluate
    m -' read standard input before the refusal came, and exited 2 after it. Such a process
    is no rank: it reads '-' again. Where the variables alone cannot tell (PMI_SIZE with
    nothing else), the refusal names the variable and says to unset it if no mpiexec or
    srun started glassnet."""
    data = _csv(tmp_path / "d.csv").read_text()
    argv = ["train", "d.csv", "--target", "y", "--epochs", "1", "--out", "m.glassnet"]
    code, _, err = _stdin_run(tmp_path, [*argv, "--quiet"], _env(), "")
    assert code == 0, err
    evaluate = ["evaluate", "m.glassnet", "-"]
    stale = {"PMI_RANK": "0", "PMI_SIZE": "4", "PMI_FD": "250"}  # (fd 250: not open)
    code, out, err = _stdin_run(tmp_path, evaluate, _env(**stale), data)
    assert code == 0, err
    assert "accuracy" in out, out
    child = {"PMI_RANK": "1", "PMI_SIZE": "2", "GLASSNET_MPI_RANK_PID": "1"}  # (a rank's)
    code, out, err = _stdin_run(tmp_path, evaluate, _env(**child), data)
    assert code == 0, err
    code, out, err = _stdin_run(tmp_path, evaluate, _env(PMI_SIZE="4"), data)
    assert code == 2, err
    assert "PMI_SIZE=4" in err and "unset PMI_SIZE" in err, err
