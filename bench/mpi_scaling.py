"""Step time and Allreduce time of data-parallel training on W1 (784-256-128-10).

Run under MPI, once per number of ranks:

    mpiexec -n 1 python bench/mpi_scaling.py
    mpiexec -n 2 python bench/mpi_scaling.py

For each global batch size it trains W1 (float32, SGD) with ``fit(distributed="mpi")`` and
reports, per optimizer step: the wall time, the time spent in the step's collective
(the Allreduce, including waiting for the slowest rank), and, separately, the time of a
bare Allreduce of the same buffer (DataParallel's own, as its steps sum it: the gradients,
one slot per parameter and the control slots) with the ranks in step. The numbers feed
the model in docs/scaling.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import workloads  # noqa: E402

from glassnet import distributed as dist  # noqa: E402
from glassnet import nn  # noqa: E402
from glassnet.train import fit  # noqa: E402


def model_for(w: workloads.Workload) -> nn.MLP:
    m = nn.MLP(list(w.sizes), activation=w.activation, output_activation=w.output, rng=0)
    for lin, (W, b) in zip([x for x in m.modules() if isinstance(x, nn.Linear)],
                           workloads.init_weights(w)):  # fmt: skip
        lin.W.data[...] = W
        lin.b.data[...] = b
    return m


def main() -> None:
    from argtypes import positive_int, positive_ints
    from mpi4py import MPI

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=positive_int, default=16_384)
    ap.add_argument("--batches", type=positive_ints, default="64,128,256,1024,4096")
    ap.add_argument(
        "--repeat", type=positive_int, default=3, help="runs per batch size; the best kept"
    )
    ap.add_argument("--json", help="append the results to this file (rank 0)")
    args = ap.parse_args()
    comm = MPI.COMM_WORLD
    rank, size = comm.Get_rank(), comm.Get_size()

    # time spent in each step's collective, counted by wrapping DataParallel._collective
    spent = {"t": 0.0, "n": 0}
    steps: list[np.ndarray] = []  # the buffer of the steps' collective (DataParallel's own)
    inner = dist.DataParallel._collective

    def timed(self, *args, **kwargs):  # (whatever DataParallel._collective takes)
        if kwargs.get("step"):
            steps[:] = [self.buf]
        t0 = time.perf_counter()
        try:
            return inner(self, *args, **kwargs)
        finally:
            spent["t"] += time.perf_counter() - t0
            spent["n"] += 1

    dist.DataParallel._collective = timed  # type: ignore[method-assign]

    rows = []
    base = workloads.get("W1-b128")
    for bs in [int(b) for b in args.batches.split(",")]:
        w = workloads.dataclasses.replace(base, batch_size=bs, n_samples=args.samples)
        data = workloads.make_data(w)
        best = None
        for _ in range(args.repeat):
            m = model_for(w)
            comm.Barrier()
            spent.update(t=0.0, n=0)
            t0 = time.perf_counter()
            h = fit(m, data.X, data.y, loss="cross_entropy", optimizer="sgd", lr=w.lr,
                    epochs=1, batch_size=bs, seed=2, verbose=0, distributed="mpi")  # fmt: skip
            total = time.perf_counter() - t0
            step = total / h.steps
            comm_t = spent["t"] / max(spent["n"], 1)
            # the slowest rank sets the pace: take the max over ranks
            step, comm_t = comm.allreduce(step, op=MPI.MAX), comm.allreduce(comm_t, op=MPI.MAX)
            if best is None or step < best[0]:
                best = (step, comm_t)
        P = sum(p.data.size for p in m.parameters())
        rows.append({"ranks": size, "batch": bs, "step_ms": best[0] * 1e3,
                     "collective_ms": best[1] * 1e3, "params": P})  # fmt: skip

    # a bare Allreduce of the same buffer, ranks in step (median of 50)
    buf = np.zeros_like(steps[0])
    times = []
    for _ in range(50):
        comm.Barrier()
        t0 = time.perf_counter()
        comm.Allreduce(MPI.IN_PLACE, buf, op=MPI.SUM)
        times.append(time.perf_counter() - t0)
    bare = float(np.median(times)) * 1e3
    if rank == 0:
        print(f"W1 784-256-128-10, float32, {P} parameters ({P * 4 / 1e6:.2f} MB of gradients), "
              f"{args.samples} samples, ranks={size}; bare Allreduce of the steps' "
              f"{buf.size}-value buffer {bare:.3f} ms")  # fmt: skip
        print("| ranks | global batch | step (ms) | in the collective (ms) | samples/s |")
        print("|---:|---:|---:|---:|---:|")
        for r in rows:
            r["bare_allreduce_ms"] = bare
            print(f"| {size} | {r['batch']} | {r['step_ms']:.2f} | {r['collective_ms']:.2f} | "
                  f"{r['batch'] / r['step_ms'] * 1e3:,.0f} |")  # fmt: skip
        if args.json:
            with open(args.json, "a") as f:
                for r in rows:
                    f.write(json.dumps(r) + "\n")


if __name__ == "__main__":
    main()
