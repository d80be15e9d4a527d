"""Profile one training run of a workload: the hand-written NumPy step against glassnet.

    python bench/profile_step.py W1-b128        # or W1-b32, W1-b1024, W2, W3, W4
    python bench/profile_step.py W3 --top 20
    python bench/profile_step.py W3 --instructions 200 1200   # valgrind needed

Runs each framework's runner from ``bench/peers`` once after a warm-up, under cProfile,
and prints the functions with the most own time. bench/README.md's "Where the time goes"
comes from this.

``--instructions E1 E2`` counts instead of timing, for a machine too busy to time on: the
CPU instructions a training step executes (``valgrind --tool=callgrind``), for the
hand-written step (``hand``; ``hand-old``: the per-layer loop it replaced,
``fused_numpy.LayerLoopRunner``), the hand-written step with its loss
(bench/fit_overhead.py's ``_WithLoss``) and ``glassnet.fit`` (``--who`` picks), each as
the difference between a whole run of E2 epochs and one of E1 (imports, data and warm-up
cancel), divided by the steps between.
``--rows N`` shrinks the data (N rows) so that a run under valgrind stays short. The
counts are deterministic (one BLAS thread, ``PYTHONHASHSEED=0``); they weigh a
microsecond of Python the same as one of arithmetic, so they show where the Python
around the NumPy calls goes, not the memory's share of a step.
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import io
import os
import pstats
import re
import subprocess
import sys

os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import workloads  # noqa: E402
from peers import fused_numpy, glassnet_fit  # noqa: E402


def _runner(who: str, w: workloads.Workload, data: workloads.Data, init: workloads.Weights):
    if who == "hand+loss":
        sys.argv = sys.argv[:1]
        import fit_overhead

        return fit_overhead._WithLoss(w, data, init)
    if who == "hand-old":
        return fused_numpy.LayerLoopRunner(w, data, init)
    return (fused_numpy if who == "hand" else glassnet_fit).Runner(w, data, init)


def _one_run(who: str, name: str, epochs: int, rows: int | None) -> None:
    """A warm-up, then one whole run of ``epochs`` epochs (what valgrind counts)."""
    os.environ["OPENBLAS_NUM_THREADS"] = os.environ["BENCH_GLASSNET_THREADS"] = "1"
    w = dataclasses.replace(workloads.get(name), epochs=epochs)
    w = w if rows is None else dataclasses.replace(w, n_samples=rows)
    r = _runner(who, w, workloads.make_data(w), workloads.init_weights(w))
    r.warmup()
    r.reset()
    r.train()


WHO = ("hand-old", "hand", "hand+loss", "fit")


def instructions(name: str, e1: int, e2: int, rows: int | None, who_list=WHO) -> None:
    env = {**os.environ, "PYTHONHASHSEED": "0", "OPENBLAS_NUM_THREADS": "1"}
    w = workloads.get(name)
    w = w if rows is None else dataclasses.replace(w, n_samples=rows)
    extra = dataclasses.replace(w, epochs=e2).steps - dataclasses.replace(w, epochs=e1).steps
    per = {}
    for who in who_list:
        count = []
        for e in (e1, e2):
            cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"]
            cmd += [sys.executable, __file__, name, "--one-run", who, str(e)]
            cmd += [] if rows is None else ["--rows", str(rows)]
            out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
            count.append(int(re.search(r"Collected : (\d+)", out.stderr).group(1)))
        per[who] = (count[1] - count[0]) / extra
        print(f"{name} {who}: {per[who]:,.0f} instructions a step", flush=True)
    for who in (x for x in who_list if x != "fit" and "fit" in per):
        print(f"{name} {who} / fit: {per[who] / per['fit']:.3f}")


def main() -> None:
    from argtypes import positive_int, workload

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("workload", type=workload, help="W1-b32, W1-b128, W1-b1024, W2, W3 or W4")
    ap.add_argument("--top", type=positive_int, default=12, help="rows per profile (default 12)")
    what = "count instructions a step (valgrind) between runs of E1 and E2 epochs"
    ap.add_argument("--instructions", type=int, nargs=2, metavar=("E1", "E2"), help=what)
    ap.add_argument("--rows", type=positive_int, help="with --instructions: the data's rows")
    ap.add_argument("--who", nargs="+", choices=WHO, default=list(WHO), help="with --instructions")
    ap.add_argument("--one-run", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one_run:
        return _one_run(args.one_run[0], args.workload, int(args.one_run[1]), args.rows)
    if args.instructions:
        return instructions(args.workload, *args.instructions, args.rows, args.who)
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
