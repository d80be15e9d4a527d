#!/usr/bin/env python
"""glassnet.fit's final loss against the hand-written NumPy step drawing fit's batch order.

    python bench/loss_check.py                 # every workload, full size
    python bench/loss_check.py W2 W3 --quick

bench/run.py's loss table compares peers that draw their batches from one generator
(``workloads.SHUFFLE_SEED``); ``glassnet.fit`` draws its own (``seed=0``:
``default_rng(0).permutation(n)`` each epoch), so its final loss differs from theirs by the
seed's variance (about ±10% on W1), which would hide a step that went wrong. Here the
hand-written step (bench/peers/fused_numpy.py) is given ``shuffle_seed=0``: the same
batches in the same order as fit, so the two train the same sequence of float32 updates
and their final losses should agree to float32 rounding. One BLAS thread for both (fit at
``threads=1``), so the products sum in the same order run to run. Prints, per workload,
both losses (workloads.evaluate_loss), their relative difference and the largest
difference between the two sets of trained weights. Exits 1 when a relative difference
exceeds ``--rtol`` (default 1e-5: float32 rounding, accumulated over a run).

The two are not bit for bit the same (fit sums a few products in another order), and on
W1 (ReLU, lr 0.1, 469-1875 steps) those rounding differences grow as training goes on:
on W1-b32 the largest weight difference was 1e-7 after 125 steps, 2e-5 after 250, 3e-4
after 500 and 7e-2 after 1000, and the final losses of the full epoch differ by 0.5-3%.
So W1 is checked to float32 rounding with ``--quick`` (2,000 rows: 63 steps at b32,
relative differences of a few 1e-9), and W2, W3 and W4 at full size (1e-7 or less).
"""

from __future__ import annotations

import argparse
import os
import sys

os.environ["OPENBLAS_NUM_THREADS"] = "1"
os.environ["OMP_NUM_THREADS"] = "1"
os.environ["BENCH_GLASSNET_THREADS"] = "1"  # fit's threads= (peers/glassnet_fit.py)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import workloads  # noqa: E402
from peers import fused_numpy, glassnet_fit  # noqa: E402

FIT_SEED = 0  # peers/glassnet_fit.py calls fit(..., seed=0)


def check(name: str, quick: bool) -> tuple[float, float, float]:
    """(fit's final loss, the reference's in fit's order, the largest weight difference)."""
    w = workloads.get(name, quick=quick)
    data, init = workloads.make_data(w), workloads.init_weights(w)
    out = []
    for r in (glassnet_fit.Runner(w, data, init),
              fused_numpy.Runner(w, data, init, shuffle_seed=FIT_SEED)):  # fmt: skip
        r.reset()
        r.train()
        out.append(r.weights())
    diff = max(float(np.abs(a - b).max()) for la, lb in zip(*out) for a, b in zip(la, lb))
    return (*(workloads.evaluate_loss(w, data, ws) for ws in out), diff)


def main(argv: list[str] | None = None) -> int:
    from argtypes import positive_float, workload

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("workloads", nargs="*", type=workload, default=list(workloads.WORKLOADS))
    ap.add_argument("--quick", action="store_true", help="the workloads shrunk, as run.py --quick")
    ap.add_argument("--rtol", type=positive_float, default=1e-5)
    a = ap.parse_args(argv)
    print("| workload | glassnet.fit | numpy, fit's batch order | relative difference "
          "| largest weight difference |")  # fmt: skip
    print("|---|---:|---:|---:|---:|")
    bad = 0
    for name in a.workloads:
        fit, ref, diff = check(name, a.quick)
        rel = abs(fit - ref) / abs(ref)
        bad += rel > a.rtol
        print(f"| {name} | {fit:.7f} | {ref:.7f} | {rel:.1e} | {diff:.1e} |", flush=True)
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
