"""Round 22's mends of glassnet.distributed and the command line under ``mpiexec``.

* ``mpiexec -n N glassnet predict`` / ``evaluate``: rank 0 alone prints and writes --out
  (every rank wrote the predictions: a CSV with every row N times, N ranks on one file).
* ``mpiexec -n N glassnet train``: its ``glassnet: note:`` lines printed once, by rank 0.
* ``end_rank`` given no exception: a TypeError naming the argument.
* ``validation_data`` of another dtype on one rank (same values): compared after fit's
  conversion, as the training data is.
* ``DataParallel(None)`` and ``distributed=MPI.COMM_NULL``: messages that say what is wrong.
* bench/mpi_scaling.py's bare Allreduce: the buffer of DataParallel's steps.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import mpi_helpers
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _mpiexec(tmp_path, args, timeout=120):
    got = mpi_helpers.launch(args, tmp_path, timeout)
    if got is None:
        pytest.fail(f"mpiexec {' '.join(map(str, args))} hung (killed after {timeout} s)")
    return got


def _model(tmp_path, n=103):
    """A classifier's model file m.glassnet and its data d.csv (``n`` rows) in ``tmp_path``."""
    from glassnet.cli import main

    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 3))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    rows = "".join(",".join(f"{v:.4f}" for v in r) + f",{t}\n" for r, t in zip(X, y))
    (tmp_path / "d.csv").write_text("a,b,c,y\n" + rows)
    out = tmp_path / "m.glassnet"
    argv = ["train", str(tmp_path / "d.csv"), "--target", "y", "--epochs", "2", "--seed", "0"]
    assert main([*argv, "--out", str(out), "--quiet"]) == 0


GLASSNET = [sys.executable, "-m", "glassnet"]


@pytest.mark.parametrize(
    ("argv", "once", "lines"),
    [
        (["predict", "m.glassnet", "d.csv", "--proba"], "y,p(0),p(1)", 104),
        (["predict", "m.glassnet", "d.csv", "--out", "p.csv"], "wrote 103 predictions", 1),
        (["evaluate", "m.glassnet", "d.csv"], "accuracy", None),
    ],
)
def test_predict_and_evaluate_print_once_under_mpiexec(tmp_path, argv, once, lines):
    """`mpiexec -n 2 glassnet predict` printed every prediction twice (a second header in
    the middle of the CSV) and both ranks wrote --out; evaluate printed its report twice.
    Rank 0 prints and writes, as one process does."""
    _model(tmp_path)
    code, out, err = _mpiexec(tmp_path, ["-n", "2", *GLASSNET, *argv])
    assert code == 0, err
    assert out.count(once) == 1, out
    if lines is not None:
        assert len(out.splitlines()) == lines, out
    if "--out" in argv:
        text = (tmp_path / "p.csv").read_text().splitlines()
        assert len(text) == 104 and text[0] == "y"


def test_train_notes_are_printed_once_under_mpiexec(tmp_path):
    """`mpiexec -n 2 glassnet train ... --batch-size 256` (more than the rows) printed its
    note once per rank; rank 0 prints it, as it prints the rest."""
    _model(tmp_path)
    argv = ["train", "d.csv", "--target", "y", "--batch-size", "256", "--epochs", "1"]
    code, out, err = _mpiexec(tmp_path, ["-n", "2", *GLASSNET, *argv, "--out", "n.glassnet"])
    assert code == 0, err
    assert err.count("note: --batch-size") == 1, err


@pytest.mark.parametrize("bad", ["oops", None, ValueError])
def test_end_rank_refuses_what_is_no_exception(bad):
    """end_rank("oops") (a script passing str(e)) crashed under mpiexec with an
    AttributeError from inside glassnet, which the other ranks were then told of; None was
    taken in silence."""
    from glassnet.distributed import end_rank

    with pytest.raises(TypeError, match=r"end_rank: error must be the exception .*Got ") as e:
        end_rank(bad)
    assert repr(bad)[:20] in str(e.value) and "end_rank(e)" in str(e.value)


def test_data_parallel_none_and_comm_null_say_what_to_pass():
    """DataParallel(None) said None was allowed ('must be None, ... Got None'), and
    distributed=MPI.COMM_NULL said 'Got Comm.' of what is an mpi4py communicator."""
    from glassnet import nn
    from glassnet.distributed import DataParallel
    from glassnet.train import fit

    with pytest.raises(TypeError) as e:
        DataParallel(None)
    assert "must be None" not in str(e.value)
    assert "DataParallel needs a communicator" in str(e.value) and "'mpi'" in str(e.value)
    MPI = pytest.importorskip("mpi4py.MPI")
    with pytest.raises(TypeError, match=r"MPI\.COMM_NULL.*not a member.*MPI\.UNDEFINED") as e:
        fit(nn.MLP([2, 1], rng=0), np.zeros((8, 2)), np.zeros((8, 1)), epochs=1, verbose=0,
            distributed=MPI.COMM_NULL)  # fmt: skip
    assert "Got Comm." not in str(e.value)


VALIDATION = textwrap.dedent(
    """
    import sys
    import numpy as np
    from mpi4py import MPI
    from glassnet import nn
    from glassnet.train import fit

    r = MPI.COMM_WORLD.Get_rank()
    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 5)); y = rng.integers(0, 3, 40)
    Xv = rng.normal(size=(10, 5)); yv = rng.integers(0, 3, 10)
    if r == 1:  # (a node whose loader gives int32 labels and float32 features)
        yv, Xv = yv.astype(np.int32), Xv.astype(np.float32)
    model = nn.MLP([5, 8, 3], output_activation="softmax", rng=0, dtype="float32")
    h = fit(model, X, y, loss="cross_entropy", batch_size=8, seed=0, epochs=2, verbose=0,
            validation_data=(Xv.astype(np.float32) if r else Xv, yv), distributed="mpi")
    open(f"v{r}.txt", "w").write(repr(h.val_loss[-1]))  # (the ranks' prints may interleave)
    """
)


def test_validation_data_of_another_dtype_is_compared_after_conversion(tmp_path):
    """One rank's validation labels int32 (int64 on the other) and features float32 for a
    float32 model were refused as other validation data, while the training data's dtypes
    are compared after fit converts them: now both are, and the ranks agree."""
    (tmp_path / "v.py").write_text(VALIDATION)
    code, out, err = _mpiexec(tmp_path, ["-n", "2", sys.executable, "v.py"])
    assert code == 0, err
    assert (tmp_path / "v0.txt").read_text() == (tmp_path / "v1.txt").read_text(), out


def test_bench_times_the_buffer_of_data_parallel(tmp_path):
    """bench/mpi_scaling.py's "bare Allreduce of the same buffer" was np.zeros(P + 7), where
    DataParallel's steps sum P + len(params) + the control slots: it takes that buffer."""
    pytest.importorskip("mpi4py")
    from glassnet import distributed

    args = ["--samples", "64", "--batches", "32", "--repeat", "1"]
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "mpi_scaling.py"), *args],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    sizes = [784 * 256 + 256, 256 * 128 + 128, 128 * 10 + 10]
    want = sum(sizes) + 6 + distributed._CONTROL
    assert f"bare Allreduce of the steps' {want}-value buffer" in proc.stdout, proc.stdout


def test_srun_with_pmix_is_recognised_as_a_launch(monkeypatch):
    """`srun --mpi=pmix` sets PMIX_RANK but no size of its own (no PMI_SIZE, no
    OMPI_COMM_WORLD_SIZE): launched() said (0, 1) on every rank, and `glassnet train` ran
    one whole training per rank, each printing and writing the model file. Slurm's step
    size (SLURM_STEP_NUM_TASKS, srun's) gives it."""
    from glassnet.distributed import launched

    for var in ("PMI_SIZE", "PMI_RANK", "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("PMIX_RANK", "2")
    monkeypatch.delenv("SLURM_STEP_NUM_TASKS", raising=False)
    assert launched() == (0, 1)  # (PMIx without Slurm's size: not known)
    monkeypatch.setenv("SLURM_STEP_NUM_TASKS", "3")
    assert launched() == (2, 3)


def test_a_launch_whose_ranks_mpi_does_not_join_is_refused(monkeypatch):
    """A launcher that says N ranks while MPI starts each as a process of its own (an MPI
    library that does not speak the launcher's process manager: srun --mpi=pmix with an
    MPICH built without PMIx): fit(distributed='mpi') trained each rank alone, in silence."""
    MPI = pytest.importorskip("mpi4py.MPI")
    from glassnet import nn
    from glassnet.train import fit

    if MPI.COMM_WORLD.Get_size() != 1:
        pytest.skip("this test runs in one process")
    monkeypatch.setenv("PMI_RANK", "0")
    monkeypatch.setenv("PMI_SIZE", "2")
    with pytest.raises(RuntimeError, match=r"PMI_SIZE=2.*MPI\.COMM_WORLD has 1 rank.*srun"):
        fit(nn.MLP([2, 1], rng=0), np.zeros((8, 2)), np.zeros((8, 1)), epochs=1, verbose=0,
            distributed="mpi")  # fmt: skip
