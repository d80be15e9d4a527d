"""Many models at once: ``fit_many`` against the same fits one after another.

    python bench/many.py              # K = 100 XNOR 2-2-1 fits, K = 16 W2 fits
    python bench/many.py --rounds 5
    python bench/many.py --floor      # W2's stacked matrix products alone: the floor

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


def products_floor(K: int = 16, n: int = 64, sizes=(20, 64, 64, 1), rounds: int = 7) -> None:
    """W2's matrix products alone, the floor under any stacked step: the forward products and
    the backward's dL/dW and dL/dA (none for the first layer's input) of K stacked networks
    on a batch of n rows, against one network's, in float32 on NumPy's BLAS. No activation,
    no loss, no update: what a step of ``fit_many`` cannot go below."""
    rng = np.random.default_rng(0)
    f32 = np.float32
    X = rng.standard_normal((n, sizes[0])).astype(f32)
    shapes = list(zip(sizes[:-1], sizes[1:]))

    def parts(lead):
        Ws = [rng.standard_normal((*lead, i, o)).astype(f32) * 0.1 for i, o in shapes]
        A = [np.empty((*lead, n, o), f32) for _, o in shapes]
        G = [rng.standard_normal(a.shape).astype(f32) * 0.01 for a in A]
        return Ws, A, G, [np.empty_like(W) for W in Ws]

    def step(Ws, A, G, gW):
        a = X
        for W, out in zip(Ws, A):
            np.matmul(a, W, out=out)
            a = out
        for i in range(len(Ws) - 1, -1, -1):
            prev = X if i == 0 else A[i - 1]
            np.matmul(prev.swapaxes(-1, -2), G[i], out=gW[i])
            if i:
                np.matmul(G[i], Ws[i].swapaxes(-1, -2), out=G[i - 1])

    def best(bufs, calls=200):
        times = []
        for _ in range(rounds):
            t = time.perf_counter()
            for _ in range(calls):
                step(*bufs)
            times.append((time.perf_counter() - t) / calls)
        return min(times) * 1e6

    stacked, one = best(parts((K,))), best(parts(()))
    mac = sum(n * i * o * 3 for i, o in shapes) - n * sizes[0] * sizes[1]
    print(
        f"W2's matrix products alone, a step: {K} stacked {stacked:.1f} us "
        f"({stacked / K:.1f} us a model, {mac * K / stacked / 1e3:.1f} GMAC/s); "
        f"one network {one:.1f} us ({mac / one / 1e3:.1f} GMAC/s); {mac / 1e6:.2f} M "
        "multiply-adds a model-step"
    )


def main() -> None:
    from argtypes import positive_int

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=positive_int, default=3)
    ap.add_argument(
        "--floor", action="store_true", help="time W2's matrix products alone (the floor)"
    )
    args = ap.parse_args()
    if args.floor:
        products_floor()
        return
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
