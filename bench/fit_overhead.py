"""fit's own cost: the whole ``glassnet.fit`` call against the hand-written NumPy step.

    python bench/fit_overhead.py                      # W1-b32 ... W4, 7 rounds
    python bench/fit_overhead.py W2 W3 --rounds 15

Each round times, one after another and in an order that alternates between rounds, the
hand-written fused NumPy step's training run (``peers/fused_numpy.py``: no loss value,
every buffer preallocated) and ``glassnet.fit`` as a user calls it, twice: as it runs by
default (its epochs handed to the fast path's eager loop, ``glassnet.eager``, when nothing
runs between steps), and with the eager loop turned off (``glassnet.eager.use`` patched to
refuse: fit's per-step loop, its books kept after every step, as before glassnet.eager).
Each run starts from the same weights; one BLAS thread (``OPENBLAS_NUM_THREADS=1``, and
``threads=1`` for fit); wall time. The table gives, per workload, each fit's speed divided
by the hand-written step's within each round: the median over the rounds and the range
(min-max), the spread of a shared machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

os.environ["OPENBLAS_NUM_THREADS"] = "1"
os.environ["OMP_NUM_THREADS"] = "1"
os.environ["BENCH_GLASSNET_THREADS"] = "1"  # fit's threads= (peers/glassnet_fit.py)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import workloads  # noqa: E402
from peers import fused_numpy, glassnet_fit  # noqa: E402

DEFAULT = ["W1-b32", "W1-b128", "W1-b1024", "W2", "W3", "W4"]


class _PerStep(glassnet_fit.Runner):
    """glassnet.fit with its eager loop turned off: fit's per-step loop (the optimizer's
    prepared rules, the books kept after every step), as before glassnet.eager."""

    def _fit(self, X, y, epochs):
        from glassnet import eager

        use, eager.use = eager.use, lambda *a: False
        try:
            return super()._fit(X, y, epochs)
        finally:
            eager.use = use


def _time(runner) -> float:
    runner.reset()
    t = time.perf_counter()
    runner.train()
    return time.perf_counter() - t


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("workloads", nargs="*", default=DEFAULT)
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args(argv)
    print("| workload | hand-written step | fit | fit / step | per-step loop / step |")
    print("|---|---:|---:|---:|---:|")
    for name in args.workloads:
        w = workloads.get(name)
        data, init = workloads.make_data(w), workloads.init_weights(w)
        runners = {
            "step": fused_numpy.Runner(w, data, init),
            "fit": glassnet_fit.Runner(w, data, init),
            "per-step": _PerStep(w, data, init),
        }
        for r in runners.values():
            r.warmup()
        times: dict[str, list[float]] = {k: [] for k in runners}
        for i in range(args.rounds):
            for k in list(runners)[:: 1 if i % 2 == 0 else -1]:
                times[k].append(_time(runners[k]))
        ratio = {k: [s / t for s, t in zip(times["step"], times[k])] for k in ("fit", "per-step")}
        us = {k: statistics.median(v) / w.steps * 1e6 for k, v in times.items()}
        cells = [f"{statistics.median(v):.2f} ({min(v):.2f}-{max(v):.2f})" for v in ratio.values()]
        print(f"| {name} | {us['step']:.1f} µs/step | {us['fit']:.1f} µs/step | "
              f"{cells[0]} | {cells[1]} |")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
