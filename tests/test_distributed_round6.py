"""A rank that ends its program on its own under ``mpiexec`` ends the job, not a hang.

* A rank failing before its first distributed fit (its shard missing on its node) left the
  others waiting in MPI_Init for ever (MPICH's mpiexec does not end a job when a rank that
  never started MPI exits with an error).
* ``sys.exit(0)`` on one rank (a user's script ending early there) left the others waiting
  in their next fit's first collective.
* An error every rank hit alike was printed by every rank; it is printed once (rank 0), the
  other ranks ending quietly with the same status.

Each job runs under a timeout, in a session of its own killed whole when it expires: a hang
fails the test instead of blocking the run."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import SimpleNamespace

import mpi_helpers
import pytest

from glassnet import distributed

WORKER = Path(__file__).with_name("mpi_worker_round6.py")


def job(n, case, timeout=90):
    """``mpiexec -n n python tests/mpi_worker_round6.py case``: (status, stdout, stderr), or
    None when it had not ended after ``timeout`` seconds (it hung: killed whole)."""
    return mpi_helpers.launch(["-n", n, sys.executable, WORKER, case], timeout=timeout)


def ended(n, case):
    got = job(n, case)
    assert got is not None, f"mpiexec -n {n}, {case}: the job hung (killed after its timeout)"
    return got


@pytest.mark.parametrize("n", [2, 4])
def test_a_rank_failing_before_its_first_fit_ends_every_rank(n):
    """Rank 1's data file is missing: the others, in their first fit, raise DistributedError
    naming rank 1 and its error (printed once), and rank 1 prints its traceback."""
    rc, out, err = ended(n, "load1")
    assert rc != 0
    assert 'np.load(f"shard{RANK}-missing.npy")' in err  # rank 1's traceback
    told = (
        f"glassnet.distributed.DistributedError: distributed training stopped: rank 1 of {n} "
        "failed with FileNotFoundError: [Errno 2] No such file or directory: "
        "'shard1-missing.npy' outside fit, and has ended its program"
    )
    assert err.count(told) == 1, err  # one rank reports it for all that were in fit
    assert "done" not in out


def test_rank_0_failing_before_its_first_fit_ends_every_rank():
    rc, out, err = ended(2, "load0")
    assert rc != 0
    assert "rank 0 of 2 failed with FileNotFoundError" in err, err
    assert "'shard0-missing.npy'" in err


@pytest.mark.parametrize("n", [2, 4])
def test_sys_exit_on_one_rank_ends_the_job_naming_that_rank(n):
    """Rank 1 calls sys.exit(0) after the first fit; the others' second fit ends with
    DistributedError naming rank 1, printed once; the job's status is not 0."""
    rc, out, err = ended(n, "exit")
    assert rc != 0
    told = (
        f"glassnet.distributed.DistributedError: distributed training stopped: rank 1 of {n} "
        "has ended its program (sys.exit(), the end of the script, or an uncaught error) while "
        "this rank called fit(distributed='mpi')"
    )
    assert err.count(told) == 1, err
    others = [r for r in range(n) if r != 1]
    assert (
        f"glassnet: rank 1 of {n} has ended its program while rank(s) {others} called "
        "fit(distributed='mpi'): they stop with DistributedError"
    ) in err, err
    assert "done" not in out


def test_sys_exit_before_the_first_fit_or_on_rank_0():
    rc, out, err = ended(2, "exit_before")  # rank 1 never started MPI
    assert rc != 0
    assert "distributed training stopped: rank 1 of 2 has ended its program" in err, err
    rc, out, err = ended(2, "exit0")  # rank 0 leaves; rank 1 is in fit
    assert rc != 0
    assert "distributed training stopped: rank 0 of 2 has ended its program" in err, err
    assert "glassnet: rank 0 of 2 has ended its program while rank(s) [1]" in err, err


def test_sys_exit_on_one_rank_while_the_others_fit_on_a_communicator_of_their_own():
    """distributed=comm (a Dup of COMM_WORLD): the rank leaving joins the others there first."""
    rc, out, err = ended(2, "exit_own_comm")
    assert rc != 0
    assert "distributed training stopped: rank 1 of 2 has ended its program" in err, err


def test_a_fit_after_a_rank_has_left_raises_at_once():
    """Rank 0 catches the DistributedError of rank 1 leaving and calls fit again: that fit
    raises the same error at once, instead of waiting for rank 1 for ever."""
    rc, out, err = ended(2, "exit_retry")
    assert rc == 0, err
    lines = out.splitlines()
    assert len(lines) == 2, out
    for attempt, line in enumerate(lines, 1):
        assert line.startswith(
            f"attempt {attempt}: DistributedError: distributed training stopped: rank 1 of 2 "
            "has ended its program"
        ), out


@pytest.mark.parametrize("n", [2, 4])
def test_an_error_every_rank_hits_in_fit_is_printed_once(n):
    """Every rank's fit refuses its labels alike: rank 0 prints it, the others end with the
    same status (1) and print nothing."""
    rc, out, err = ended(n, "same_in_fit")
    assert rc == 1
    message = "ValueError: fit: binary cross-entropy needs targets in [0, 1]"
    assert err.count(message) == 1, err
    assert err.count("Traceback (most recent call last)") == 1, err


@pytest.mark.parametrize("n", [2, 4])
def test_an_error_every_rank_hits_before_fit_is_printed_once(n):
    rc, out, err = ended(n, "same_before")
    assert rc == 1
    assert err.count("ValueError: the config's epochs must be positive, got -1") == 1, err
    assert "MPI_Abort" not in err  # (every rank ended alike: no rank was left waiting)


@pytest.mark.parametrize("n", [2, 4])
def test_a_front_door_that_catches_its_errors_prints_an_error_every_rank_hit_once(n):
    """The command line catches its errors and prints one line: with end_rank, the line of
    an error every rank hit alike (a bad argument) is printed by rank 0 alone, and every
    rank ends with the status the front door chose."""
    rc, out, err = ended(n, "front_door_same")
    assert rc == 2, err
    assert err.count("glassnet: error: --epochs must be at least 1, got 0") == 1, err


def test_a_front_door_rank_failing_alone_ends_the_others_fit():
    rc, out, err = ended(2, "front_door_one")
    assert rc == 2, err
    assert err.count("glassnet: error: --epochs must be at least 1, got 0") == 1, err  # rank 1
    assert (
        "glassnet: error: distributed training stopped: rank 1 of 2 failed with ValueError: "
        "--epochs must be at least 1, got 0 outside fit, and has ended its program"
    ) in err, err  # rank 0, whose fit was waiting for rank 1


def test_end_rank_outside_mpiexec_reports(monkeypatch):
    monkeypatch.setattr(distributed, "_HOOKED", [])
    assert distributed.end_rank(ValueError("x")) == "report"


def test_ranks_that_do_not_train_distributed_end_as_before():
    """glassnet imported under mpiexec, no distributed fit: ranks ending at other times end
    normally; one failing ends with its error and a failing status."""
    rc, out, err = ended(2, "no_fit")
    assert rc == 0, err
    assert out.count("done") == 2
    rc, out, err = ended(2, "no_fit_fail")
    assert rc != 0
    assert "OSError: rank 1 cannot write its report" in err
    assert err.count("Traceback (most recent call last)") == 1, err


def test_importing_glassnet_changes_nothing_of_how_a_rank_ends():
    """Without install() or a distributed fit, glassnet installs no hook and starts no MPI:
    a sweep whose ranks train their own models ends as it would without glassnet (a rank
    failing there once aborted the others after 10 s)."""
    rc, out, err = ended(2, "hooks")
    assert rc == 0, err
    assert out.count("untouched=True mpi=False") == 2 and out.count("exits") == 2, out


def test_a_process_the_rank_forks_does_not_take_part():
    """A child the rank forks inherits its hooks: its end must not start MPI over the
    rank's launcher socket (PMI errors ended the job)."""
    rc, out, err = ended(2, "fork")
    assert rc == 0, err
    assert out.count("done") == 2 and "PMI" not in err, err


def test_a_rank_failing_while_the_others_wait_in_the_user_s_own_collective():
    """Rank 0 fails while rank 1 waits in the script's own bcast, where glassnet cannot
    reach it: after 10 s without an answer, MPI_Abort ends the job."""
    rc, out, err = ended(2, "user_collective")
    assert rc != 0
    assert "OSError: rank 0 cannot read the data it would send" in err
    assert "the other ranks did not answer within 10 s" in err, err


# ------------------------------------------------------------------ without mpiexec


def test_a_process_a_rank_started_is_not_a_rank(monkeypatch):
    """Workers a rank starts (multiprocessing, joblib) inherit its environment: they must
    not take part in the ranks' collectives."""
    monkeypatch.setenv("PMI_RANK", "1")
    monkeypatch.setenv("PMI_SIZE", "2")
    monkeypatch.delenv("PMI_FD", raising=False)
    monkeypatch.setenv("GLASSNET_MPI_RANK_PID", str(os.getpid() + 1))  # its parent's
    assert not distributed.rank_process()
    monkeypatch.setenv("GLASSNET_MPI_RANK_PID", str(os.getpid()))
    assert distributed.rank_process()
    r, w = os.pipe()  # (MPICH's rank holds a socket to its launcher there, not a pipe)
    try:
        monkeypatch.setenv("PMI_FD", str(r))
        assert not distributed.rank_process()
    finally:
        os.close(r)
        os.close(w)
    monkeypatch.setenv("PMI_SIZE", "1")
    monkeypatch.delenv("PMI_FD")
    assert not distributed.rank_process()


def test_who_reports_a_failure(monkeypatch):
    """Every rank failing alike: rank 0 reports it. One rank failing: it reports its own
    error and the first of the others the DistributedError. (error, has ended) per rank."""
    monkeypatch.setattr(distributed, "_BROKEN", [])

    def quiet(rank, got):
        return distributed._heard(SimpleNamespace(Get_rank=lambda: rank), got)

    same = [("ValueError: bad\n...", False)] * 3
    assert [quiet(r, same) for r in range(3)] == [False, True, True]
    other = [("ValueError: bad 0\n", False), ("ValueError: bad 1\n", False)]
    assert [quiet(r, other) for r in range(2)] == [False, False]
    one = [(None, False), ("OSError: x\n", True), (None, False), (None, False)]
    assert [quiet(r, one) for r in range(4)] == [False, False, True, True]
    assert len(distributed._BROKEN) == 4  # (a rank left: that communicator is not used again)
    left = [(None, True), (None, False), (None, False)]
    assert [quiet(r, left) for r in range(3)] == [False, False, True]


@pytest.mark.parametrize("case", ["slow_fail", "slow_fail_installed"])
def test_a_rank_failing_long_after_the_others_ended_reports_and_ends(case):
    """After a distributed fit, rank 1 ends and rank 0 fails later (with install(): after
    rank 1 stopped waiting for it, 10 s): rank 0's last collective met rank 1's, then waited
    for ever in a second one rank 1 never joined. Its error is printed and the job ends."""
    rc, out, err = ended(2, case)
    assert rc != 0 and "rank 1 done" in out
    assert "OSError: rank 0 cannot write the report" in err, err


def test_a_rank_failing_just_after_a_distributed_fit_ends_the_job_at_once():
    """Without install(): the ranks that end normally join the failing rank's last
    collective (a distributed fit set the exit hook too), so its error is printed and the
    job ends, where it waited 10 s for ranks already in MPI_Finalize and aborted."""
    rc, out, err = ended(2, "raise_after_fit")
    assert rc != 0 and "rank 0 done" in out
    assert "RuntimeError: rank 1 cannot save its plots" in err
    assert "did not answer" not in err and "MPI_Abort" not in err, err
