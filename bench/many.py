"""Many models at once: ``fit_many`` against the same fits one after another.

    python bench/many.py              # K = 100 XNOR 2-2-1 fits, K = 16 W2 fits
    python bench/many.py --rounds 5

Both sides are timed as a user calls them (the whole ``fit_many`` call; the whole loop of
``fit`` calls), in interleaved rounds, on the same models and data; the table gives the
median time of each and the ratio per round (min-max). The weights of both sides are
compared too, so a fast wrong answer cannot pass unnoticed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import glassnet as gn  # noqa: E402


def xnor(K: int):
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    y = np.array([1, 0, 0, 1])
    nets = lambda: [  # noqa: E731
        gn.nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=s)
        for s in range(K)
    ]
    opts = dict(loss="binary_cross_entropy", lr=2.0, epochs=500)
    return "XNOR 2-2-1, full batch, 500 epochs", nets, X, y, opts, [None] * K


def w2(K: int):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((1000, 20)).astype(np.float32)
    y = (X[:, 0] + X[:, 1] * X[:, 2] > 0).astype(np.float32)
    nets = lambda: [  # noqa: E731
        gn.nn.MLP([20, 64, 64, 1], activation="tanh", output_activation="sigmoid", rng=s)
        for s in range(K)
    ]
    opts = dict(loss="binary_cross_entropy", lr=0.1, epochs=5, batch_size=64)
    return "W2 20-64-64-1, batch 64, 5 epochs, a seed per model", nets, X, y, opts, list(range(K))


def run(case, K: int, rounds: int) -> None:
    title, nets, X, y, opts, seeds = case(K)
    many_t, seq_t, ratios = [], [], []
    for _ in range(rounds):
        a = nets()
        t = time.perf_counter()
        gn.fit_many(a, X, y, seed=seeds if seeds[0] is not None else None, **opts)
        many_t.append(time.perf_counter() - t)
        b = nets()
        t = time.perf_counter()
        for k, net in enumerate(b):
            gn.fit(net, X, y, seed=seeds[k], verbose=0, **opts)
        seq_t.append(time.perf_counter() - t)
        ratios.append(seq_t[-1] / many_t[-1])
        worst = max(
            float(np.max(np.abs(p.data - q.data))) for m, n in zip(a, b)
            for p, q in zip(m.parameters(), n.parameters())
        )  # fmt: skip
    print(f"| {title} | K = {K} | {statistics.median(seq_t):.3f} s | "
          f"{statistics.median(many_t):.3f} s | {statistics.median(ratios):.1f}x "
          f"({min(ratios):.1f}-{max(ratios):.1f}) | {worst:.1g} |")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    print("| workload | models | K fit calls | fit_many | speed-up (min-max) | max abs diff |")
    print("|---|---|---|---|---|---|")
    run(xnor, 100, args.rounds)
    run(w2, 16, args.rounds)


if __name__ == "__main__":
    main()
