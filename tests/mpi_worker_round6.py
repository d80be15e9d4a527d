"""Scripts for tests/test_distributed_round6.py, run as ``mpiexec -n N python
tests/mpi_worker_round6.py CASE``: a rank that ends its program on its own (an uncaught error
before its first fit, ``sys.exit(0)``) while the others train, and every rank failing alike.
Each case is a user's script as written, with ``glassnet.distributed.install()`` at its top
(the cases ``no_fit*``, ``fork`` and ``hooks`` show what glassnet leaves alone without it)."""

from __future__ import annotations

import sys
import time

import numpy as np

from glassnet import nn
from glassnet.distributed import launched
from glassnet.train import fit

RANK = launched()[0]
X = np.random.default_rng(0).normal(size=(20, 3))
y = (X[:, 0] > 0).astype(float)
KW = dict(loss="binary_cross_entropy", epochs=2, batch_size=5, seed=0, verbose=0)


def train(labels=y, comm="mpi"):
    net = nn.MLP([3, 4, 1], output_activation="sigmoid", rng=0)
    fit(net, X, labels, distributed=comm, **KW)


def main(case: str) -> None:
    if case == "hooks":  # glassnet imported, nothing asked: Python's own hooks, MPI not started
        import atexit

        from glassnet import distributed

        same = sys.excepthook is sys.__excepthook__ and not distributed._HOOKED
        print(f"rank {RANK} untouched={same} mpi={'mpi4py.MPI' in sys.modules}", flush=True)
        atexit.register(lambda: print(f"rank {RANK} exits", flush=True))
        return
    if case == "raise_after_fit":  # no install(): rank 1 fails after training, at once
        train()
        if RANK == 1:
            raise RuntimeError("rank 1 cannot save its plots")
        print(f"rank {RANK} done", flush=True)
        return
    if case.startswith("slow_fail"):  # trained; rank 1 ends at once, rank 0 fails later
        if case == "slow_fail_installed":
            from glassnet.distributed import install

            install()
        train()
        if RANK == 0:
            time.sleep(12 if case == "slow_fail_installed" else 1)
            raise OSError("rank 0 cannot write the report")
        print(f"rank {RANK} done", flush=True)
        return
    if not case.startswith("no_fit"):
        from glassnet.distributed import install

        install()
    if case == "fork":  # a process the rank forks ends: the rank's job goes on
        import os

        pid = os.fork()
        if pid == 0:
            sys.exit(0)
        os.waitpid(pid, 0)
        train()
        print(f"rank {RANK} done", flush=True)
        return
    if case == "load1" and RANK == 1:  # its shard missing on its node, before any fit
        np.load(f"shard{RANK}-missing.npy")
    if case == "load0" and RANK == 0:
        np.load(f"shard{RANK}-missing.npy")
    if case == "exit_before" and RANK == 1:  # leaves before its first fit
        sys.exit(0)
    if case == "same_before":  # every rank: one bad setting of the script, before fit
        raise ValueError("the config's epochs must be positive, got -1")
    if case == "user_collective":  # a rank fails while the others wait in the user's bcast
        from mpi4py import MPI

        if RANK == 0:
            raise OSError("rank 0 cannot read the data it would send")
        MPI.COMM_WORLD.bcast(None, root=0)
    if case == "no_fit":  # glassnet imported, no distributed fit: ranks end at other times
        time.sleep(RANK)
        print(f"rank {RANK} done", flush=True)
        return
    if case == "no_fit_fail":
        if RANK == 1:
            raise OSError("rank 1 cannot write its report")
        print(f"rank {RANK} done", flush=True)
        return
    if case.startswith("front_door"):  # errors caught and printed as the command line does
        from glassnet.distributed import end_rank

        try:
            if case == "front_door_same" or RANK == 1:
                raise ValueError("--epochs must be at least 1, got 0")
            train()
        except Exception as e:
            told = end_rank(e)
            if told != "quiet":
                print(f"glassnet: error: {e}", file=sys.stderr, flush=True)
            sys.exit(2)
    if case == "exit_own_comm":  # fit on a communicator of the script's own
        from mpi4py import MPI

        comm = MPI.COMM_WORLD.Dup()
        train(comm=comm)
        if RANK == 1:
            sys.exit(0)
        train(comm=comm)
        return
    train()
    if case == "exit" and RANK == 1:  # a user's script ends early on rank 1
        sys.exit(0)
    if case == "exit0" and RANK == 0:
        sys.exit(0)
    if case == "same_in_fit":  # every rank's fit refuses its labels alike
        train(y + 3)
    if case == "exit_retry":  # rank 1 leaves; rank 0 catches the error and tries again
        if RANK == 1:
            sys.exit(0)
        for attempt in (1, 2):
            try:
                train()
            except Exception as e:
                print(f"attempt {attempt}: {type(e).__name__}: {e}", flush=True)
        return
    train()
    print(f"rank {RANK} done", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
