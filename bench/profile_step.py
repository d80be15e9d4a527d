"""Profile one training run of a workload: the hand-written NumPy step against glassnet.

    python bench/profile_step.py W1-b128        # or W1-b32, W1-b1024, W2, W3, W4
    python bench/profile_step.py W3 --top 20

Runs each framework's runner from ``bench/peers`` once after a warm-up, under cProfile,
and prints the functions with the most own time. bench/README.md's "Where the time goes"
comes from this.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys

os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import workloads  # noqa: E402
from peers import fused_numpy, glassnet_fit  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("workload", help="W1-b32, W1-b128, W1-b1024, W2, W3 or W4")
    ap.add_argument("--top", type=int, default=12, help="rows per profile (default 12)")
    args = ap.parse_args()
    w = workloads.get(args.workload)
    data, init = workloads.make_data(w), workloads.init_weights(w)
    for label, mod in (("hand-written numpy", fused_numpy), ("glassnet", glassnet_fit)):
        runner = mod.Runner(w, data, init)
        runner.warmup()
        runner.reset()
        prof = cProfile.Profile()
        prof.enable()
        runner.train()
        prof.disable()
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(args.top)
        print(f"===== {label}: {args.workload}")
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip()))


if __name__ == "__main__":
    main()
