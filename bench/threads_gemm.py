#!/usr/bin/env python
"""The measurements behind glassnet.threads' rule: GEMM speed at 1 and N BLAS threads.

    python bench/threads_gemm.py                 # the GEMM grid, quiet
    python bench/threads_gemm.py --load 1        # the same with one core kept busy
    python bench/threads_gemm.py --calibrate 20  # also: the rule against a calibration

1) The grid: for each (batch, inputs, neurons) the three products of a training step
   (forward ``X @ W``, ``X.T @ dZ``, ``dZ @ W.T``), float32, timed at 1 and at N threads
   (N = the usable CPUs), rounds interleaved; the median time of each and the speedup
   N-thread / 1-thread against the GEMM's FLOP (2 * batch * inputs * neurons).
2) ``--calibrate K``: the alternative to a rule, a short calibration per shape (time the
   step's three largest products at 1 and N threads, 3 times each, keep the faster
   count), run K times on each workload's shapes: how often it picks each count, and
   what it costs, next to the rule's choice.
Prints Markdown tables; docs/threads.md quotes them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's glassnet

from threadpoolctl import ThreadpoolController  # noqa: E402

from glassnet import threads  # noqa: E402

SPIN = (  # one busy core, ending with its parent
    "import os\np = os.getppid()\nwhile os.getppid() == p:\n    for _ in range(10**6):\n"
    "        pass"
)
GRID = [
    (b, i, o)
    for b in (16, 32, 64, 128, 256, 1024)
    for i, o in ((8, 64), (20, 64), (64, 64), (128, 128), (256, 128), (784, 256))
]
WORKLOADS = {  # bench/workloads.py: sizes, batch
    "W1-b32": ([784, 256, 128, 10], 32),
    "W1-b128": ([784, 256, 128, 10], 128),
    "W1-b1024": ([784, 256, 128, 10], 1024),
    "W2": ([20, 64, 64, 1], 64),
    "W3": ([2, 2, 1], 4),
    "W4": ([8, 64, 3], 256),
}
CTL = ThreadpoolController()


def _products(b: int, i: int, o: int, rng: np.random.Generator) -> list:
    X = rng.standard_normal((b, i), dtype=np.float32)
    W = rng.standard_normal((i, o), dtype=np.float32)
    dZ = rng.standard_normal((b, o), dtype=np.float32)
    return [
        (X, W, np.empty((b, o), np.float32)),  # Z = X @ W
        (X.T, dZ, np.empty((i, o), np.float32)),  # dW = X.T @ dZ
        (dZ, W.T, np.empty((b, i), np.float32)),  # dX = dZ @ W.T
    ]


def _time(prods: list, n_threads: int, reps: int) -> float:
    """Seconds per step of the three products at ``n_threads``."""
    with CTL.limit(limits=n_threads, user_api="blas"):
        for a, b, out in prods:
            np.matmul(a, b, out=out)
        t0 = time.perf_counter()
        for _ in range(reps):
            for a, b, out in prods:
                np.matmul(a, b, out=out)
        return (time.perf_counter() - t0) / reps


def grid(n: int, rounds: int) -> list[str]:
    rng = np.random.default_rng(0)
    L = [
        f"| batch x inputs x neurons | MFLOP per GEMM | 1 thread (µs / step) | {n} threads | "
        f"speedup ({n} / 1) | spread |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for b, i, o in sorted(GRID, key=lambda s: s[0] * s[1] * s[2]):
        prods = _products(b, i, o, rng)
        reps = max(3, int(3e7 / (6 * b * i * o + 3e4)))
        t1, tn = [], []
        for _ in range(rounds):
            t1.append(_time(prods, 1, reps))
            tn.append(_time(prods, n, reps))
        ratios = [a / c for a, c in zip(t1, tn)]
        sp = statistics.median(ratios)
        L.append(
            f"| {b} x {i} x {o} | {2 * b * i * o / 1e6:.2f} | {statistics.median(t1) * 1e6:.1f} "
            f"| {statistics.median(tn) * 1e6:.1f} | {sp:.2f} | "
            f"{min(ratios):.2f}-{max(ratios):.2f} |"
        )
    return L


def calibrate(n: int, k: int) -> list[str]:
    rng = np.random.default_rng(1)
    L = [
        f"| workload | rule's choice | calibration picked 1 / {n} threads (of {k}) | "
        "calibration cost (ms, median) |",
        "|---|---:|---:|---:|",
    ]
    for name, (sizes, batch) in WORKLOADS.items():
        i, o = max(zip(sizes[:-1], sizes[1:]), key=lambda s: s[0] * s[1])
        prods = _products(batch, i, o, rng)
        picks, costs = {1: 0, n: 0}, []
        for _ in range(k):
            t0 = time.perf_counter()
            best = min((1, n), key=lambda t: min(_time(prods, t, 1) for _ in range(3)))
            costs.append((time.perf_counter() - t0) * 1e3)
            picks[best] += 1
        L.append(
            f"| {name} | {threads.blas_threads(sizes, batch)} | {picks[1]} / {picks[n]} | "
            f"{statistics.median(costs):.2f} |"
        )
    return L


def main() -> None:
    from argtypes import positive_int

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=positive_int, default=5, help="interleaved rounds (default 5)")
    ap.add_argument("--load", type=int, default=0, help="background processes keeping a core busy")
    ap.add_argument("--calibrate", type=int, default=0, help="calibration runs per workload")
    args = ap.parse_args()
    n = max(2, threads.usable_cpus())
    spin = [subprocess.Popen([sys.executable, "-c", SPIN]) for _ in range(args.load)]
    try:
        time.sleep(0.2 if spin else 0)
        print(
            f"# GEMM at 1 and {n} BLAS threads ({os.cpu_count()} CPUs, {args.load} kept busy; "
            f"load average {os.getloadavg()[0]:.2f}; medians of {args.rounds} rounds)\n"
        )
        print("\n".join(grid(n, args.rounds)))
        if args.calibrate:
            print(f"\n# The rule against a calibration per shape ({args.load} core(s) busy)\n")
            print("\n".join(calibrate(n, args.calibrate)))
    finally:
        for p in spin:
            p.kill()
            p.wait()


if __name__ == "__main__":
    main()
