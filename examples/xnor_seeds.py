"""How often does XNOR get stuck? 100 random starts of the lecture's 2-2-1 network at once.

Gradient descent on the XNOR network does not always find the solution: from some
starting weights both hidden neurons learn the same feature, or one saturates, and the
loss stalls on a plateau (a local minimum or a saddle) with 3 of the 4 rows right, or 2.
Trying many seeds shows how often. ``glassnet.fit_many`` trains all 100 networks in one
stacked pass (their weights stacked, every step one set of NumPy calls for all of them),
with the same result as 100 separate ``fit`` calls, many times faster.

Then ``glassnet.many.search`` sweeps the learning rate over the same seeds: the success
rate per learning rate, and the best network on a validation set.

Run: python examples/xnor_seeds.py
"""

from __future__ import annotations

import time

import numpy as np

import glassnet as gn
from glassnet import nn
from glassnet.datasets import xnor_gate
from glassnet.many import search

SEEDS = range(100)


def network(seed: int) -> nn.MLP:
    return nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=seed)


def solved(model: nn.Module, X: np.ndarray, y: np.ndarray) -> bool:
    """All four rows on the right side of 0.5."""
    return bool(np.all((model.predict(X)[:, 0] > 0.5) == (y > 0.5)))


def main() -> None:
    X, y = xnor_gate()

    # 1) 100 seeds, one stacked run: how often does gradient descent solve XNOR?
    nets = [network(s) for s in SEEDS]
    start = time.perf_counter()
    histories = gn.fit_many(nets, X, y, loss="binary_cross_entropy", lr=2.0, epochs=2000)
    seconds = time.perf_counter() - start
    ok = [solved(m, X, y) for m in nets]
    stuck = [h.loss[-1] for h, good in zip(histories, ok) if not good]
    print(f"XNOR 2-2-1 from {len(nets)} seeds (lr 2.0, 2000 epochs, full batch)")
    print(f"  trained at once in {seconds:.2f} s")
    print(f"  solved: {sum(ok)} of {len(ok)} ({100 * np.mean(ok):.0f}%)")
    if stuck:
        print(f"  stuck runs end at a loss of {min(stuck):.3f}-{max(stuck):.3f} (solved: < 0.1)")

    # the same weights as a separate fit of one of them
    alone = network(SEEDS[-1])
    gn.fit(alone, X, y, loss="binary_cross_entropy", lr=2.0, epochs=2000, verbose=0)
    same = all(np.allclose(p.data, q.data, rtol=1e-5, atol=1e-6)
               for p, q in zip(nets[-1].parameters(), alone.parameters()))  # fmt: skip
    print(f"  the last seed's weights equal a separate fit's: {same}")

    # 2) the learning rate over the same seeds: success rate per rate, and the best network
    rates = [0.5, 2.0, 8.0]
    result = search(
        lambda p: network(p["seed"]), X, y, {"lr": rates, "seed": list(SEEDS)},
        validation_data=(X, y), loss="binary_cross_entropy", epochs=2000,
    )  # fmt: skip
    print("success rate by learning rate (the same 100 seeds)")
    for lr in rates:
        runs = [m for p, m in zip(result.params, result.models) if p["lr"] == lr]
        rate = np.mean([solved(m, X, y) for m in runs])
        print(f"  lr {lr:>4}: {100 * rate:.0f}%")
    best = result.best_params
    print(
        f"best: lr {best['lr']}, seed {best['seed']}, loss {result.val_loss[result.best_index]:.4f}"
    )


if __name__ == "__main__":
    main()
