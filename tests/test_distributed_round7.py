"""How the ranks of ``mpiexec -n 2`` end after a distributed fit.

* A rank that called ``MPI.Finalize()`` itself, or that stayed busy for more than 10 s after
  its fit, left the others waiting 10 s for their last collective at exit, after which MPICH
  warned at their MPI_Finalize of the request left pending ("Builtin communicator ... has
  pending 4 references"). A rank that finalizes MPI itself now joins the others' last
  collective from MPI_Finalize, and a rank ending normally waits for every rank of a
  communicator it trained on, however late it ends (MPICH's MPI_Finalize waits for every
  rank too).
* A rank killed by a signal or leaving with ``os._exit()`` mid-training: what MPICH's
  ``mpiexec`` does, as docs/scaling.md says (the others are killed at once; no hang).

Each job runs under a timeout, in a session of its own killed whole when it expires: a hang
fails the test instead of blocking the run."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import mpi_helpers
import pytest

ROOT = Path(__file__).resolve().parents[1]

# A user's script: every rank trains, then rank 1 finalizes MPI itself or stays busy. Rank 0
# prints how long its own exit took, from its last atexit function (registered last, it runs
# first) to its first (registered before glassnet's, it runs after glassnet's exit hook).
SCRIPT = textwrap.dedent(
    """
    import atexit, os, signal, sys, time
    import numpy as np

    marks = {}
    atexit.register(lambda: print(f"rank {RANK} exit took {time.monotonic() - marks['exit']:.1f} s",
                                  flush=True))
    from glassnet import nn
    from glassnet.distributed import install, launched
    from glassnet.train import Callback, fit

    RANK = launched()[0]
    case = sys.argv[1]
    if case == "finalize_early":  # MPI started by the script before install(), no fit
        from mpi4py import MPI
    if case.endswith("_installed") or case == "finalize_early":
        install()
    X = np.random.default_rng(0).normal(size=(20, 3))
    y = (X[:, 0] > 0).astype(float)


    class Die(Callback):  # rank 1 ends mid-training without running any Python code
        def on_step_end(self, state):
            if RANK == 1 and state.step == 3:
                if case == "kill":
                    os.kill(os.getpid(), signal.SIGKILL)
                os._exit(int(case[4:]))  # exit0, exit3


    def train(callbacks=None):
        net = nn.MLP([3, 4, 1], output_activation="sigmoid", rng=0)
        fit(net, X, y, loss="binary_cross_entropy", epochs=2, batch_size=5, seed=0, verbose=0,
            distributed="mpi", callbacks=callbacks)


    if case != "finalize_early":
        train([Die()] if case in ("kill", "exit0", "exit3") else None)
    if case.startswith("finalize") and (RANK == 1 or case == "finalize_all"):
        from mpi4py import MPI

        MPI.Finalize()
        print(f"rank {RANK} finalized MPI", flush=True)
    if case == "finalize_then_fit" and RANK == 0:
        train()  # (rank 1 will not train again)
    if case.startswith("busy") and RANK == 1:
        time.sleep(12)  # (past the 10 s the other rank waited for this one)
    print(f"rank {RANK} done", flush=True)
    atexit.register(lambda: marks.__setitem__("exit", time.monotonic()))
    """
)


def job(tmp_path, n, case, timeout=120):
    """``mpiexec -n n python script.py case``: (status, stdout, stderr), or None when it had
    not ended after ``timeout`` seconds (it hung: killed whole)."""
    script = tmp_path / "script.py"
    script.write_text(SCRIPT)
    return launch(tmp_path, ["-n", str(n), sys.executable, str(script), case], timeout)


def launch(tmp_path, args, timeout=120):
    """``mpiexec *args`` in ``tmp_path``: (status, stdout, stderr), or None after ``timeout``
    seconds (a hang: the job is killed whole)."""
    return mpi_helpers.launch(args, tmp_path, timeout)


def exit_time(out, rank):
    """The seconds rank ``rank`` spent in its exit (glassnet's last collective included)."""
    lines = [line for line in out.splitlines() if line.startswith(f"rank {rank} exit took ")]
    assert len(lines) == 1, out
    return float(lines[0].split()[4])


@pytest.mark.parametrize("case", ["finalize", "finalize_installed", "finalize_early"])
def test_a_rank_that_finalizes_mpi_itself_ends_with_the_others(tmp_path, case):
    """Rank 1 calls MPI.Finalize() after the fit (finalize_early: after install(), with MPI
    started by the script and no fit): rank 0 no longer waits for a collective rank 1 never
    joins, and MPICH has no pending request to warn of."""
    got = job(tmp_path, 2, case)
    assert got is not None, f"{case}: the job hung (killed after its timeout)"
    rc, out, err = got
    assert rc == 0, err
    assert "rank 1 finalized MPI" in out and out.count(" done") == 2, out
    # rank 0 waited 10 s for rank 1, then gave up, leaving its request pending: MPICH's
    # warning at MPI_Finalize is the sign of that wait (no test here asserts a time)
    assert "pending" not in err and "glassnet" not in err, err
    exit_time(out, 0)  # (rank 0's exit ran to its end)


def test_ranks_that_all_finalize_mpi_themselves_end_as_before(tmp_path):
    got = job(tmp_path, 2, "finalize_all")
    assert got is not None, "the job hung (killed after its timeout)"
    rc, out, err = got
    assert rc == 0, err
    assert out.count("finalized MPI") == 2 and out.count(" done") == 2, out
    assert "pending" not in err and "glassnet" not in err, err


def test_a_rank_that_finalizes_mpi_while_another_calls_fit_ends_that_fit(tmp_path):
    """Rank 1 finalizes MPI while rank 0 calls fit again: rank 0's fit raises
    DistributedError naming rank 1 (it waited for ever: rank 1's end told no one, and rank
    1's MPI_Finalize waited for rank 0)."""
    got = job(tmp_path, 2, "finalize_then_fit")
    assert got is not None, "the job hung (killed after its timeout)"
    rc, out, err = got
    assert rc != 0
    assert "rank 1 finalized MPI" in out and "rank 0 done" not in out, out
    assert (
        "glassnet.distributed.DistributedError: distributed training stopped: rank 1 of 2 "
        "has ended its program"
    ) in err, err
    assert (
        "glassnet: rank 1 of 2 has ended its program while rank(s) [0] called "
        "fit(distributed='mpi'): they stop with DistributedError"
    ) in err, err


@pytest.mark.parametrize("case", ["busy", "busy_installed"])
def test_a_rank_busy_long_after_the_fit_is_waited_for_without_a_warning(tmp_path, case):
    """Rank 1 works 12 s more after the fit (its plots, its report): rank 0 waits for it (as
    MPI_Finalize would), instead of giving up after 10 s with a request left pending."""
    got = job(tmp_path, 2, case)
    assert got is not None, f"{case}: the job hung (killed after its timeout)"
    rc, out, err = got
    assert rc == 0, err
    assert out.count(" done") == 2, out
    assert "pending" not in err and "glassnet" not in err, err


# ------------------------------------------- a rank killed, or leaving with os._exit()
# No Python code runs on that rank: glassnet cannot tell the others. What MPICH's mpiexec does
# (docs/scaling.md, "A rank killed"): it kills the other ranks at once, so they do not hang;
# its status is the signal's number, or os._exit's status, 0 included. These tests hold the
# documented behaviour (a change of MPICH's, or a glassnet hook that kept the others alive
# waiting, would show here).


@pytest.mark.parametrize("n", [2, 4])
def test_a_rank_killed_mid_training_ends_the_job_with_the_signal(tmp_path, n):
    got = job(tmp_path, n, "kill")
    assert got is not None, "the job hung (killed after its timeout)"
    rc, out, err = got
    assert rc == 9, err
    assert "Killed (signal 9)" in out + err
    assert " done" not in out  # every other rank was killed in its fit, not left to finish


@pytest.mark.parametrize("status", [3, 0])
def test_a_rank_leaving_with_os_exit_mid_training_ends_the_job_with_its_status(tmp_path, status):
    """With os._exit(0) the job's status is 0 although rank 0's training was cut short (and
    nothing is printed): docs/scaling.md warns of it."""
    got = job(tmp_path, 2, f"exit{status}")
    assert got is not None, "the job hung (killed after its timeout)"
    rc, out, err = got
    # Hydra's status is the OR of every rank's wait status. Mostly the other rank's is not
    # counted and the job ends with os._exit's n; at times (seen once, on CI's loaded 2-core
    # machine) it is, and the OR of n's status with SIGKILL's reads as signal 9 (the status
    # CI saw, its message not kept). Either way the job ends at once, with n or with 9.
    assert rc in (status, 9), out + err
    assert " done" not in out, out


# ------------------------------------------------ the command line's usage errors, once
# (needs glassnet/cli.py's UsageError: _Parser.error raises it under mpiexec -n N, and
# main() hands it to _end_the_job)


@pytest.mark.parametrize("n", [2, 4])
@pytest.mark.parametrize(
    "flags, line",
    [
        (
            ["--bogus"],
            "glassnet: error: unrecognized arguments: --bogus (see 'glassnet train --help')",
        ),
        (
            ["--epochs", "x"],
            "glassnet: error: argument --epochs: expected a whole number > 0, got 'x' "
            "(see 'glassnet train --help')",
        ),
    ],
)
def test_a_usage_error_of_train_is_printed_once_under_mpiexec(tmp_path, n, flags, line):
    """`mpiexec -n N glassnet train ... --bogus`: argparse's error was printed by every rank
    (N copies); rank 0 prints it, the others end quietly, with the same status (2)."""
    (tmp_path / "d.csv").write_text("a,b,y\n1,2,0\n3,4,1\n")
    args = ["train", "d.csv", "--target", "y", *flags]
    got = launch(tmp_path, ["-n", str(n), sys.executable, "-m", "glassnet", *args])
    assert got is not None, "the job hung (killed after its timeout)"
    rc, out, err = got
    assert rc == 2, err
    assert err.count(line) == 1 and err.count("glassnet: error:") == 1, err


def test_a_usage_error_of_one_rank_ends_the_others_train(tmp_path):
    """`mpiexec -n 1 glassnet train ... : -n 1 glassnet train ... --bogus`: rank 1 prints its
    usage error, and rank 0's training ends with DistributedError naming it (not a hang)."""
    rows = "".join(f"{i % 7},{i % 5},{i % 2}\n" for i in range(40))
    (tmp_path / "d.csv").write_text("a,b,y\n" + rows)
    good = [sys.executable, "-m", "glassnet", "train", "d.csv", "--target", "y"]
    good += ["--epochs", "2", "--out", "m.glassnet"]
    bad = [sys.executable, "-m", "glassnet", "train", "d.csv", "--target", "y", "--bogus"]
    got = launch(tmp_path, ["-n", "1", *good, ":", "-n", "1", *bad])
    assert got is not None, "the job hung (killed after its timeout)"
    rc, out, err = got
    assert rc != 0
    usage = "glassnet: error: unrecognized arguments: --bogus (see 'glassnet train --help')"
    assert err.count(usage) == 1, err
    assert (
        "glassnet: error: distributed training stopped: rank 1 of 2 failed with UsageError: "
        "unrecognized arguments: --bogus"
    ) in err, err
