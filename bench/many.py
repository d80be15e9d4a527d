"""Many models at once: ``fit_many`` against the same fits one after another.

    python bench/many.py              # K = 100 XNOR 2-2-1 fits, K = 16 W2 fits
    python bench/many.py --rounds 5

Every side is timed as a user calls it (the whole ``fit_many`` call; the whole loop of
``fit`` calls), in interleaved rounds, on the same models and data: the K ``fit`` calls,
``fit_many`` on one thread (``threads=1``) and ``fit_many`` with its default
(``threads='auto'``: the stack split over the free CPUs where the step has the work for
it; the table says how many it chose at the end). The table gives the median time of each
and the speed-up per round (min-max). The weights of every side are compared too, so a
fast wrong answer cannot pass unnoticed. BLAS runs on one thread throughout (as the K
``fit`` calls would choose for these sizes).
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
    seed = seeds if seeds[0] is not None else None
    times: dict[str, list[float]] = {"seq": [], "one": [], "auto": []}
    ratios: dict[str, list[float]] = {"one": [], "auto": []}
    worst = 0.0
    for r in range(rounds):
        trained = {}
        order = ["one", "auto", "seq"] if r % 2 == 0 else ["seq", "auto", "one"]
        for side in order:  # interleaved, the order flipped every round
            models = nets()
            t = time.perf_counter()
            if side == "seq":
                for k, net in enumerate(models):
                    gn.fit(net, X, y, seed=seeds[k], verbose=0, **opts)
            else:
                threads = 1 if side == "one" else "auto"
                gn.fit_many(models, X, y, seed=seed, threads=threads, **opts)
            times[side].append(time.perf_counter() - t)
            trained[side] = models
        for side in ratios:
            ratios[side].append(times["seq"][-1] / times[side][-1])
            worst = max(
                worst,
                *(float(np.max(np.abs(p.data - q.data)))
                  for m, n in zip(trained[side], trained["seq"])
                  for p, q in zip(m.parameters(), n.parameters())),
            )  # fmt: skip
    f = gn.threads.gemm_flops(nets()[0], opts.get("batch_size") or len(X))
    n = gn.threads.model_threads(K * (3 * sum(f) - f[0]), K)
    cells = [f"{statistics.median(times[s]):.3f} s" for s in ("seq", "one", "auto")]
    speed = [
        f"{statistics.median(ratios[s]):.1f}x ({min(ratios[s]):.1f}-{max(ratios[s]):.1f})"
        for s in ratios
    ]
    print(f"| {title} | K = {K} | {' | '.join(cells)} | {speed[0]} | {speed[1]} | {n} | "
          f"{worst:.1g} |")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    print(
        "| workload | models | K fit calls | fit_many, 1 thread | fit_many, threads='auto' "
        "| speed-up, 1 thread (min-max) | speed-up, 'auto' | 'auto' threads now "
        "| max abs diff |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    run(xnor, 100, args.rounds)
    run(w2, 16, args.rounds)


if __name__ == "__main__":
    main()
