#!/usr/bin/env python
"""Do a training step's matrix products give the same bits at 1 and N BLAS threads?

    python bench/threads_bits.py              # the workloads' products, and a k sweep
    python bench/threads_bits.py --counts 4   # counts 1..4 (default: 1..usable CPUs, >= 2)

1) For each workload (bench/workloads.py's W1-W4 and the digits MLP of docs/threads.md)
   and each layer, the step's products as glassnet's fused step runs them, forward
   ``X @ W`` (NN), ``dW = X.T @ dZ`` (TN, a transposed view), ``dX = dZ @ W.T`` (NT) and
   the bias gradient ``ones @ dZ`` (GEMV), in float32 and float64, on fixed
   pseudo-random data at every count: which differ from the count-1 result, and by how
   much at most.
2) The same verdicts on data of other kinds (uniform, small integers, mostly zeros,
   magnitudes from 1e-30 to 1e30): whether "bit-identical on random data" ever says
   otherwise than on other data (a calibration on random data is sound only if not).
3) What such a calibration costs: the seconds to compare every product of the step at
   every count, per workload (once per shape, dtype and counts, if cached).
4) A sweep over the inner dimension k of (256 x k) @ (k x 128) and the widths of
   (m x 200) @ (200 x n): where the counts differ.
Prints Markdown; docs/threads.md quotes it.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's glassnet

from threadpoolctl import ThreadpoolController  # noqa: E402

from glassnet import threads  # noqa: E402

CTL = ThreadpoolController()
WORKLOADS = {  # sizes, batch (bench/workloads.py; digits: docs/threads.md's MLPClassifier)
    "W1-b32": ([784, 256, 128, 10], 32),
    "W1-b128": ([784, 256, 128, 10], 128),
    "W1-b1024": ([784, 256, 128, 10], 1024),
    "W2": ([20, 64, 64, 1], 64),
    "W4": ([8, 64, 3], 256),
    "digits": ([64, 100, 10], 200),
}
KINDS = {
    "normal": lambda rng, s, dt: rng.standard_normal(s).astype(dt),
    "uniform": lambda rng, s, dt: rng.uniform(-1, 1, s).astype(dt),
    "integers": lambda rng, s, dt: rng.integers(-3, 4, s).astype(dt),
    "mostly zeros": lambda rng, s, dt: (rng.standard_normal(s) * (rng.random(s) < 0.05)).astype(dt),
    "wide range": lambda rng, s, dt: (
        rng.standard_normal(s)
        * 10.0
        ** rng.integers(-30 if dt == np.float32 else -100, 30 if dt == np.float32 else 100, s)
    ).astype(dt),  # fmt: skip
}


def step_products(b: int, i: int, o: int, dt: type, kind: str, rng) -> dict:
    """The fused step's products of one layer, as it calls them (fused.py)."""
    make = KINDS[kind]
    X, W, G = make(rng, (b, i), dt), make(rng, (i, o), dt), make(rng, (b, o), dt)
    ones = np.ones(b, dt)
    return {
        "X @ W": (X, W),
        "X.T @ dZ": (X.T, G),
        "dZ @ W.T": (G, W.T),
        "1 @ dZ": (ones, G),
    }


def results(prods: dict, counts: range) -> dict[str, list]:
    out: dict[str, list] = {}
    for k in counts:
        with CTL.limit(limits=k, user_api="blas"), np.errstate(over="ignore", invalid="ignore"):
            for name, (a, b) in prods.items():
                out.setdefault(name, []).append(np.matmul(a, b))
    return out


def _bits(r: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(r).view(np.uint32 if r.dtype == np.float32 else np.uint64)


def verdicts(prods: dict, counts: range) -> dict[str, float]:
    """Per product: 0.0 where every count gives the count-1 bits, else the largest gap
    (NaN where the bits differ but no gap is finite: an inf or a NaN moved)."""
    got = {}
    for name, rs in results(prods, counts).items():
        first = _bits(rs[0])
        if all(np.array_equal(_bits(r), first) for r in rs):
            got[name] = 0.0
            continue
        with np.errstate(invalid="ignore", over="ignore"):
            gaps = [np.abs(r - rs[0]) for r in rs]
        finite = [float(np.nanmax(np.where(np.isfinite(g), g, np.nan), initial=0.0)) for g in gaps]
        got[name] = max(finite) or float("nan")
    return got


def layers(sizes: list[int]) -> list[tuple[int, int]]:
    return list(zip(sizes[:-1], sizes[1:]))


def table_workloads(counts: range) -> list[str]:
    L = [
        f"| workload | layer (inputs x neurons) | dtype | products that differ between "
        f"{counts.start} and {counts.stop - 1} threads (largest gap) |",
        "|---|---|---|---|",
    ]
    for name, (sizes, b) in WORKLOADS.items():
        for dt in (np.float32, np.float64):
            for i, o in layers(sizes):
                v = verdicts(step_products(b, i, o, dt, "normal", np.random.default_rng(0)), counts)
                bad = [f"{k} ({g:.1e})" for k, g in v.items() if g != 0.0]
                L.append(f"| {name} | {i} x {o} | {dt.__name__} | {', '.join(bad) or 'none'} |")
    return L


def table_kinds(counts: range) -> list[str]:
    """Does the verdict on random normal data ever differ from the verdict on other data?"""
    cases = [(b, i, o) for _, (sizes, b) in WORKLOADS.items() for i, o in layers(sizes)]
    cases += [(256, k, 128) for k in (200, 392, 456, 480, 784)] + [(64, 200, 100)]
    agree = disagree = 0
    notes = []
    for b, i, o in sorted(set(cases)):
        for dt in (np.float32, np.float64):
            base = {
                k: g != 0.0
                for k, g in verdicts(
                    step_products(b, i, o, dt, "normal", np.random.default_rng(1)), counts
                ).items()
            }
            for kind in KINDS:
                if kind == "normal":
                    continue
                v = verdicts(step_products(b, i, o, dt, kind, np.random.default_rng(2)), counts)
                for prod, g in v.items():
                    if (g != 0.0) == base[prod]:
                        agree += 1
                    else:
                        disagree += 1
                        notes.append(
                            f"- ({b} x {i}) x ({i} x {o}) {dt.__name__} {prod}: normal data "
                            f"{'differ' if base[prod] else 'same'}, {kind} "
                            f"{'differ' if g != 0.0 else 'same'}"
                        )  # fmt: skip
    L = [f"{agree} verdicts agree with those on normal data, {disagree} do not."]
    return L + (["", *notes] if notes else [])


def table_cost(counts: range) -> list[str]:
    """Seconds to compare a whole step's products at every count (a calibration)."""
    L = [
        "| workload | dtype | calibration (ms): every product of the step at every count "
        "| verdict |",
        "|---|---|---:|---|",
    ]
    for name, (sizes, b) in WORKLOADS.items():
        for dt in (np.float32, np.float64):
            rng = np.random.default_rng(0)
            t0 = time.perf_counter()
            same = True
            for i, o in layers(sizes):
                v = verdicts(step_products(b, i, o, dt, "normal", rng), counts)
                same = same and all(g == 0.0 for g in v.values())
            ms = (time.perf_counter() - t0) * 1e3
            verdict = "same bits: the load may choose" if same else "differ: size-only count"
            L.append(f"| {name} | {dt.__name__} | {ms:.1f} | {verdict} |")
    return L


def table_sweep(counts: range) -> list[str]:
    rng = np.random.default_rng(3)
    L = []
    for dt in (np.float32, np.float64):
        ks = [k for k in range(8, 1100, 8) if _differ((256, k, 128), dt, rng, counts)]
        L.append(f"- {dt.__name__} (256 x k) @ (k x 128): differ for k in {_ranges(ks)}")
    for dt in (np.float32, np.float64):
        mn = [(m, n) for m in (16, 32, 48, 64, 96, 128, 200) for n in (10, 64, 100, 128)
              if _differ((m, 200, n), dt, rng, counts)]  # fmt: skip
        L.append(f"- {dt.__name__} (m x 200) @ (200 x n): differ for (m, n) in {mn or 'none'}")
    return L


def _differ(shape: tuple[int, int, int], dt: type, rng, counts: range) -> bool:
    m, k, n = shape
    A, B = rng.standard_normal((m, k)).astype(dt), rng.standard_normal((k, n)).astype(dt)
    rs = results({"p": (A, B)}, counts)["p"]
    return any(not np.array_equal(_bits(r), _bits(rs[0])) for r in rs)


def _ranges(ks: list[int]) -> str:
    if not ks:
        return "none"
    multiples_of_32 = [k for k in range(ks[0], ks[-1] + 1, 8) if k % 32 == 0]
    gaps = [k for k in range(ks[0], ks[-1] + 1, 8) if k not in ks and k % 32]
    return f"{ks[0]}..{ks[-1]} except the multiples of 32 ({len(multiples_of_32)} of them)" + (
        f" and {gaps}" if gaps else ""
    )


def main() -> None:
    from argtypes import positive_int

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--counts", type=positive_int, default=max(2, threads.usable_cpus()))
    args = ap.parse_args()
    counts = range(1, args.counts + 1)
    blas = [d for d in CTL.info() if d["user_api"] == "blas"]
    print(
        f"# BLAS products at 1..{args.counts} threads ({os.cpu_count()} CPUs; "
        + ", ".join(f"{d['internal_api']} {d['version']} {d.get('architecture')}" for d in blas)
        + f"; NumPy {np.__version__})\n"
    )
    print("## The workloads' products\n")
    print("\n".join(table_workloads(counts)))
    print("\n## Random data against other data\n")
    print("\n".join(table_kinds(counts)))
    print("\n## What a calibration costs (the machine shared: times are rough)\n")
    print("\n".join(table_cost(counts)))
    print("\n## Where the counts differ\n")
    print("\n".join(table_sweep(counts)))


if __name__ == "__main__":
    main()
