"""Tests for glassnet.distributed: fit(distributed="mpi") under ``mpiexec -n 2`` and ``-n 4``
gives the weights of one process (float64, to 1e-12), keeps every rank's weights bitwise
equal, runs callbacks on rank 0, and ends every rank with the error of a failing one."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import mpi_worker  # tests/mpi_worker.py: the runs, shared by both sides
import numpy as np
import pytest

from glassnet import nn
from glassnet.train import fit

WORKER = Path(__file__).with_name("mpi_worker.py")


@pytest.fixture(scope="module")
def single():
    return mpi_worker.runs(None)


@pytest.fixture(scope="module", params=[2, 4], ids=lambda n: f"n{n}")
def launched(request, tmp_path_factory):
    """Every rank's results of ``mpiexec -n N``, launched once per N for this module."""
    n = request.param
    return n, launch(n, tmp_path_factory.mktemp(f"mpi{n}"))


def launch(n, tmp_path):
    pytest.importorskip("mpi4py")
    mpiexec = shutil.which("mpiexec")
    if mpiexec is None:
        pytest.skip("mpiexec not found (pip install 'glassnet[mpi]' brings MPICH's)")
    # MPICH's launcher runs more ranks than cores (this test runs 4 on 2) without a flag
    proc = subprocess.run(
        [mpiexec, "-n", str(n), sys.executable, str(WORKER), str(tmp_path)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    ranks = []
    for r in range(n):
        with np.load(tmp_path / f"rank{r}.npz") as f:
            ranks.append({k: f[k] for k in f.files})
    return ranks


def test_mpi_matches_one_process(launched, single):
    n, ranks = launched
    for r, got in enumerate(ranks):
        for name, ref in single.items():
            if name == "dropout":  # masks drawn per shard: not one process's run
                assert got["dropout.same"]
                continue
            # the same trained weights and curves as one process, to float64 summation error
            np.testing.assert_allclose(got[f"{name}.w"], ref["w"], rtol=0, atol=1e-12)
            assert got[f"{name}.same"], f"{name}: rank {r}'s weights differ from another's"
            for key in ("loss", "val"):
                if key in ref:
                    np.testing.assert_allclose(got[f"{name}.{key}"], ref[key], rtol=1e-12)
        assert got["early.epochs"] == single["early"]["epochs"] < 40
        assert str(got["early.reason"]) == "early_stopping"
        assert got["fused.steps"] == single["fused"]["steps"]
        # each rank its own dropout stream (equal ones would drop the same positions)
        draws = {float(g["dropout.draw"]) for g in ranks}
        assert len(draws) == n
        # epoch callbacks on rank 0 only; on_step_end on every rank
        epochs, steps = got["fused.calls"]
        assert (epochs, steps) == ((4, 24) if r == 0 else (0, 24))


def test_a_failing_rank_stops_every_rank(launched):
    n, ranks = launched  # the launch has a timeout: a hang fails the test
    for r, got in enumerate(ranks):
        step = str(got["fail_step.error"])
        if r == 1:
            assert step == "ValueError: rank 1 cannot go on at step 4"
        else:
            assert step.startswith("DistributedError: distributed training stopped: rank 1 of")
            assert "ValueError: rank 1 cannot go on at step 4" in step
            assert "mpi_worker.py" in str(got["fail_step.cause"])  # its traceback
        epoch = str(got["fail_epoch.error"])
        if r == 0:
            assert epoch == "OSError: No space left on device: 'model.ckpt'"
        else:
            assert "rank 0 of" in epoch and "No space left on device" in epoch
        for case, said in (  # other data; another learning rate: named
            ("fail_data", "rank 1's training data differs from rank 0's: the first row of X "
             "differs; the last rows of X, y or sample_weight differ"),
            ("fail_optim", "rank 1's optimizer differs from rank 0's: the optimizer's lr is "
             "0.02 on rank 1, 0.01 on rank 0"),
        ):  # fmt: skip
            error = str(got[f"{case}.error"])
            assert said in error, error
            if r != 1:
                assert "DistributedError" in error and "rank 1 of" in error
        # a rank failing before the others' first Allreduce, or with another model or
        # other settings: the buffers of every rank must still meet, and every rank end
        mine = {
            "fail_labels": "ValueError: fit: y has labels from 0 to 3, but the model has 3 outputs",
            "fail_model": "rank 1's model differs from rank 0's (rank 0's has 147 parameter "
            "values, this rank's 156: layers ['MLP', 'Linear', 'Tanh', 'Linear', 'Softmax']",
            "fail_dtype": "rank 1's model differs from rank 0's",
            "fail_settings": "rank 1 called fit with other settings than rank 0: "
            "epochs=4, batch_size=5 on rank 1, where rank 0 has epochs=3, batch_size=10",
        }
        for case, text in mine.items():
            error = str(got[f"{case}.error"])
            if r == 1:
                assert text in error, error
            else:
                assert error.startswith("DistributedError: distributed training stopped: rank 1")
                assert text in error, error
        assert str(got["same_patience.error"]) == ""  # (fit's default given by one rank)
        # each rank validating on other rows: refused on every rank but 0, before training
        error = str(got["fail_val.error"])
        text = (
            f"rank {max(r, 1)} called fit with other settings than rank 0: validation_data "
            "(its shapes, dtypes, first or last rows) differs from rank 0's"
        )
        if r == 0:
            assert error.startswith("DistributedError: distributed training stopped: rank 1")
        assert text in error, error
        assert r == 0 or "give every rank the same rows" in error
        # the ranks at different points of fit before training: said, not misread
        for case, doing in (
            ("fail_seed_none", "rank 0 draws the seed every rank shuffles with (its fit has "
             "seed=None), while rank {r} compares the model and fit's settings"),
            ("fail_split", "rank 0 compares the model and fit's settings, while rank {r} "
             "checks the value of the seed function for an epoch (seed(0) is drawn"),
        ):  # fmt: skip
            error = str(got[f"{case}.error"])
            text = f"rank {max(r, 1)} and rank 0 are at different points of fit: "
            text += doing.format(r=max(r, 1))
            if r == 0:
                assert error.startswith("DistributedError: distributed training stopped: rank 1")
            assert text in error, error
            assert "give every rank the same seed (None on every rank or on none)" in error
        # rank 0's callback halves the lr: every other rank finds its lr is not rank 0's
        error = str(got["fail_lr.error"])
        text = f"after epoch 1 rank {max(r, 1)}'s learning rates [0.01] are not rank 0's"
        if r == 0:
            assert error.startswith("DistributedError: distributed training stopped: rank 1")
        assert text in error, error
        assert "fit(schedule=...)" in error
        # rank 0 alone stops mid-epoch: every rank raises at the collective where they part
        error = str(got["fail_step_stop.error"])
        assert error.startswith(
            f"DistributedError: fit(distributed='mpi'): rank(s) [0] of {n} ended the epoch "
            "while the others took another step: an on_step_end callback set state.stop"
        ), error
        # seed(epoch) differs between ranks: every rank other than 0 sees it at epoch 1
        error = str(got["fail_seed.error"])
        text = f"seed(1) gave rank {max(r, 1)} another seed than rank 0 ({100 * max(r, 1) + 1})"
        if r == 0:
            assert error.startswith("DistributedError: distributed training stopped: rank 1")
        assert text in error, error


def test_without_mpi4py_one_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "mpi4py", None)  # import mpi4py now raises ImportError
    X, y, _ = mpi_worker.data()
    with pytest.raises(ImportError, match=r'pip install "glassnet\[mpi\]"'):
        fit(mpi_worker.model(), X, y, loss="cross_entropy", epochs=1, distributed="mpi")


def test_bad_distributed_argument():
    pytest.importorskip("mpi4py")
    X, y, _ = mpi_worker.data()
    m = nn.MLP([5, 3], rng=0)
    with pytest.raises(ValueError, match="'distributed' parameter of fit must be None, 'mpi'"):
        fit(m, X, y, loss="cross_entropy", epochs=1, distributed="nccl")
    with pytest.raises(ValueError, match="Got 'MPI'. Write it 'mpi', in lower case."):
        fit(m, X, y, loss="cross_entropy", epochs=1, distributed="MPI")


def test_command_line_under_mpiexec(tmp_path):
    """`mpiexec -n 2 glassnet train`: rank 0 alone prints and writes the model file and the
    checkpoints, and the weights are those of one process (float32 sums: to 1e-5)."""
    pytest.importorskip("mpi4py")
    pytest.importorskip("safetensors")
    from glassnet.cli import main
    from glassnet.io import load_arrays

    args = ["train", "--dataset", "iris", "--epochs", "4", "--batch-size", "16", "--seed", "1"]
    assert main([*args, "--out", str(tmp_path / "one.glassnet"), "--quiet"]) == 0
    mpi = [*args, "--out", str(tmp_path / "mpi.glassnet"), "--checkpoint-every", "2"]
    proc = subprocess.run(
        [shutil.which("mpiexec") or "mpiexec", "-n", "2", sys.executable, "-m", "glassnet", *mpi],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.count("saved") == 1  # one rank reports
    one, _ = load_arrays(tmp_path / "one.glassnet")
    got, _ = load_arrays(tmp_path / "mpi.glassnet")
    assert (tmp_path / "mpi.glassnet.ckpt").is_file()
    for k in one:
        np.testing.assert_allclose(got[k], one[k], rtol=0, atol=1e-5)


def test_settings_compared_between_ranks_tell_apart_what_changes_training():
    """What each rank compares with rank 0's (no MPI needed): equal settings give equal
    values whatever their Python type, different ones different values."""
    from glassnet import functional as F
    from glassnet import optim, schedules
    from glassnet.distributed import _comparable

    assert _comparable(np.int64(10)) == _comparable(10) == _comparable(10.0)
    assert _comparable(F.get_loss("mse")) != _comparable(F.get_loss("cross_entropy"))
    opt = optim.SGD(nn.Linear(2, 1, rng=0).parameters(), lr=0.1)
    assert _comparable(schedules.StepLR(opt, 2)) != _comparable(schedules.StepLR(opt, 3))
    assert _comparable(schedules.StepLR(opt, 2)) == _comparable(schedules.StepLR(opt, 2))
