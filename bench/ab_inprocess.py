"""Two versions of glassnet in one process: the whole ``fit`` of a bench/ workload, timed in
interleaved rounds, new speed / old.

    git worktree add /tmp/old 1275b75
    python bench/ab_inprocess.py /tmp/old W1-b32,W1-b128,W2 --rounds 8

The old version's package is copied into a temporary folder as ``glassnet_old`` (its
absolute ``glassnet.`` imports rewritten), so both engines share one interpreter, one BLAS
and one data set: the differences between processes (memory layout, the scheduler) that
make one-process-per-side runs spread widely are gone. ``fit`` is called as a user calls
it, with the workload's data and initial weights, one BLAS thread, and ``engine="fused"``
for the new version where it has that argument (no compiled loop). Prints, per workload,
the median times and new speed / old as the median over rounds (min-max).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import workloads  # noqa: E402
from oldcopy import old_package  # noqa: E402


def main() -> None:
    from argtypes import checkout, positive_int, workload_list

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "old", type=checkout, help="a checkout of the old version (the folder holding glassnet/)"
    )
    ap.add_argument("workloads", type=workload_list, help="comma-separated, e.g. W1-b32,W2")
    ap.add_argument("--rounds", type=positive_int, default=8)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        old_package(Path(args.old), Path(tmp))
        import glassnet_old as old

        import glassnet as new

        for name in args.workloads.split(","):
            w = workloads.get(name)
            data, init = workloads.make_data(w), workloads.init_weights(w)

            def run(gn, w=w, data=data, init=init):
                model = gn.nn.MLP(list(w.sizes), w.activation, w.output, rng=0)
                linears = [m for m in model.layers if isinstance(m, gn.nn.Linear)]
                for lin, (W, b) in zip(linears, init):
                    lin.W.data[...], lin.b.data[...] = W, b
                kw = dict(loss=w.loss, optimizer=w.optimizer, lr=w.lr, epochs=w.epochs,
                          batch_size=w.batch_size, seed=2, verbose=0)  # fmt: skip
                if gn is new:
                    kw.update(threads=1, engine="fused")
                t = time.perf_counter()
                gn.fit(model, data.X, data.y, **kw)
                return time.perf_counter() - t

            run(new), run(old)  # (warm-up)
            times: dict[str, list[float]] = {"old": [], "new": []}
            for i in range(args.rounds):
                for k in ("old", "new") if i % 2 == 0 else ("new", "old"):
                    times[k].append(run(old if k == "old" else new))
            ratio = [a / b for a, b in zip(times["old"], times["new"])]
            print(
                f"{name}: old {statistics.median(times['old']):.3f} s, new "
                f"{statistics.median(times['new']):.3f} s, new speed / old "
                f"{statistics.median(ratio):.3f} ({min(ratio):.2f}-{max(ratio):.2f})",
                flush=True,
            )


if __name__ == "__main__":
    main()
