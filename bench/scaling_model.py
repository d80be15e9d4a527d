"""The data-parallel speedup of W1 for N = 1..64 nodes, modelled from measured step times.

    python bench/scaling_model.py [bench/mpi_scaling.jsonl]

From the one-rank rows of ``bench/mpi_scaling.py`` it fits the step time as
``t0 + B * t_sample`` (least squares over the global batch sizes B measured), then models
one data-parallel step on N nodes, each computing B / N samples, as

    T(N, B) = t0 + (B / N) t_sample + T_allreduce(N)
    T_allreduce(N) = 2 (N - 1) latency + 2 (N - 1) / N * S / bandwidth      (ring all-reduce)

with S the gradient bytes (P parameters x 4 bytes, float32). ``t0`` (the optimizer's
update and the per-step overhead) does not shrink with N: every node updates all weights.
Speedup = T(1, B) / T(N, B); efficiency = speedup / N.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from argtypes import existing_file  # noqa: E402

NETWORKS = {  # name: (bandwidth in bytes/s, latency per ring step in s)
    "10 GbE": (1.25e9, 20e-6),
    "100 Gb/s InfiniBand": (12.5e9, 2e-6),
}
NODES = [1, 2, 4, 8, 16, 32, 64]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 2)[2],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument(
        "path",
        nargs="?",
        type=existing_file,
        default=Path(__file__).with_name("mpi_scaling.jsonl"),
        help="bench/mpi_scaling.py's JSON lines (default bench/mpi_scaling.jsonl)",
    )
    path = ap.parse_args(argv).path
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    one = [r for r in rows if r["ranks"] == 1]
    B = np.array([r["batch"] for r in one], float)
    T = np.array([r["step_ms"] for r in one]) / 1e3
    (t_sample, t0), *_ = np.linalg.lstsq(np.column_stack([B, np.ones_like(B)]), T, rcond=None)
    t0 = max(t0, 0.0)
    S = one[0]["params"] * 4
    print(f"fit on one rank: t0 = {t0 * 1e3:.2f} ms per step, t_sample = {t_sample * 1e6:.1f} us;"
          f" gradients S = {S / 1e6:.2f} MB")  # fmt: skip
    for net, (bw, lat) in NETWORKS.items():
        print(f"\n{net} ({bw / 1e9:g} GB/s, {lat * 1e6:g} us per step of the ring)\n")
        print("| global batch | " + " | ".join(f"N={n}" for n in NODES) + " |")
        print("|---:|" + "---:|" * len(NODES))
        for b in (128, 1024, 4096, 16384):
            t1 = t0 + b * t_sample
            cells = []
            for n in NODES:
                ar = 0.0 if n == 1 else 2 * (n - 1) * lat + 2 * (n - 1) / n * S / bw
                sp = t1 / (t0 + b / n * t_sample + ar)
                cells.append(f"{sp:.1f} ({sp / n:.0%})")
            print(f"| {b} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
