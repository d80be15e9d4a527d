"""Two versions of glassnet in one process: the hand-written PyTorch-style loop on the
autodiff graph (``bench/graph_grid.py``'s step), timed in interleaved rounds, new speed / old.

    git worktree add /tmp/old HEAD~1
    python bench/ab_graph_loop.py /tmp/old --rounds 9

Each cell builds the same model (the same initial weights) in both versions and times
``opt.zero_grad(); loss = crit(model(xb), yb); loss.backward(); opt.step()`` for about
``--seconds`` per timing, the two versions alternating (the order swapped every round), with
one BLAS thread and the process's CPU time (as graph_grid.py). Prints per cell the median
microseconds per step of each side and new speed / old as the median over rounds (min-max).
``bench/ab_inprocess.py`` does the same for the whole ``fit``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import graph_grid  # noqa: E402
from oldcopy import old_package  # noqa: E402

CELLS = {  # graph_grid's smallest corner, its middle cell, and a wide one
    "tanh w8 b1 d1": {**graph_grid.MID, "width": 8, "batch": 1, "depth": 1},
    "tanh w256 b64 d2": dict(graph_grid.MID),
    "relu w1024 b64 d2 mse": {**graph_grid.MID, "act": "relu", "width": 1024, "head": "mse"},
}


def loop(gn, cell: dict):  # type: ignore[no-untyped-def]
    """graph_grid.glassnet_step's loop, on the glassnet package ``gn``."""
    return graph_grid.glassnet_step(cell, *graph_grid.make_data(cell), gn=gn)


def timed(step, n: int) -> float:  # type: ignore[no-untyped-def]
    t0 = time.process_time()
    for _ in range(n):
        step()
    return (time.process_time() - t0) / n


def main() -> None:
    from argtypes import checkout, positive_float, positive_int

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "old", type=checkout, help="a checkout of the old version (the folder holding glassnet/)"
    )
    ap.add_argument("--rounds", type=positive_int, default=9)
    ap.add_argument("--seconds", type=positive_float, default=0.3)
    args = ap.parse_args()
    from threadpoolctl import threadpool_limits

    with tempfile.TemporaryDirectory() as tmp, threadpool_limits(1):
        old = importlib.import_module(old_package(Path(args.old), Path(tmp)))
        new = importlib.import_module("glassnet")
        print("| cell | old us/step | new us/step | new speed / old (min-max) |")
        print("|---|---:|---:|---:|")
        for name, cell in CELLS.items():
            steps = {"old": loop(old, cell), "new": loop(new, cell)}
            for s in steps.values():  # warm up; then N steps last about --seconds
                s()
            n = max(1, int(args.seconds / max(timed(steps["new"], 20), 1e-7)))
            times: dict[str, list[float]] = {"old": [], "new": []}
            for r in range(args.rounds):
                for side in ("old", "new") if r % 2 == 0 else ("new", "old"):
                    times[side].append(timed(steps[side], n))
            ratios = [o / w for o, w in zip(times["old"], times["new"])]
            print(
                f"| {name} | {statistics.median(times['old']) * 1e6:.1f} | "
                f"{statistics.median(times['new']) * 1e6:.1f} | {statistics.median(ratios):.3f} "
                f"({min(ratios):.2f}-{max(ratios):.2f}) |"
            )


if __name__ == "__main__":
    main()
