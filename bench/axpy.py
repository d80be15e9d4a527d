"""The optimizer's update of a large buffer: BLAS's axpy (one pass) against NumPy's two calls.

    python bench/axpy.py                  # W1 at batch 32, 128 and 1024, 5 rounds
    python bench/axpy.py --rounds 9 --workloads W1-b32

Times the whole ``fit`` call (bench/peers/glassnet_fit.py's runner, as bench/run.py does)
with glassnet.blas's axpy found and with it hidden (the optimizer then forms γ d block by
block and subtracts it: two NumPy calls), next to the hand-written NumPy step of
bench/peers/fused_numpy.py (which folds γ into the output delta: one subtraction), in
interleaved rounds on one BLAS thread, in process CPU time. The table gives the medians,
the spread, and the ratios to the hand-written step (higher is faster).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import workloads  # noqa: E402
from peers import fused_numpy, glassnet_fit  # noqa: E402

import glassnet.blas as blas  # noqa: E402


def main() -> None:
    from argtypes import positive_int, workload_list

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=positive_int, default=5)
    ap.add_argument("--workloads", type=workload_list, default="W1-b32,W1-b128,W1-b1024")
    args = ap.parse_args()
    if not blas.available():
        sys.exit("glassnet.blas finds no axpy in this NumPy's BLAS: nothing to compare.")
    found = blas._FUNCS
    print("| workload | NumPy step | glassnet, axpy | glassnet, two NumPy calls | "
          "axpy / NumPy step | two calls / NumPy step | axpy speed-up |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for name in args.workloads.split(","):
        w = workloads.get(name)
        data, init = workloads.make_data(w), workloads.init_weights(w)
        runners = {"numpy": fused_numpy.Runner(w, data, init)}
        runners["axpy"] = runners["two"] = glassnet_fit.Runner(w, data, init)
        for r in runners.values():
            r.warmup()
        times: dict[str, list[float]] = {k: [] for k in runners}
        for i in range(args.rounds):
            order = list(runners) if i % 2 == 0 else list(runners)[::-1]
            for k in order:
                blas._FUNCS = found if k != "two" else {}
                runners[k].reset()
                t = time.process_time()
                runners[k].train()
                times[k].append(time.process_time() - t)
        blas._FUNCS = found
        med = {k: statistics.median(v) for k, v in times.items()}
        spread = {k: f"{med[k]:.3f} s ({min(v):.3f}-{max(v):.3f})" for k, v in times.items()}
        per_round = [b / a for a, b in zip(times["axpy"], times["two"])]
        print(
            f"| {name} | {spread['numpy']} | {spread['axpy']} | {spread['two']} | "
            f"{med['numpy'] / med['axpy']:.2f}x | {med['numpy'] / med['two']:.2f}x | "
            f"{statistics.median(per_round):.2f}x ({min(per_round):.2f}-{max(per_round):.2f}) |"
        )


if __name__ == "__main__":
    main()
