"""glassnet.micrograd against micrograd 0.1.0 itself on micrograd's training demo.

    python bench/micrograd_speed.py                       # 7 rounds, 100 samples, 3 steps
    python bench/micrograd_speed.py --rounds 9 --steps 5
    git worktree add /tmp/old HEAD~1
    python bench/micrograd_speed.py --old /tmp/old        # the old glassnet.micrograd too

micrograd's ``demo.ipynb`` loop: two moons (``n`` samples, labels -1/+1), ``MLP(2, [16,
16, 1])``, the max-margin loss ``relu(1 - y s)`` averaged plus ``1e-4`` times the sum of
squared weights, full-batch SGD with the rate ``1 - 0.9 k / 100``. Every side starts from
the same weights (micrograd's network from ``random.seed(1337)``, its numbers copied into
the others) and the same data, and runs the same steps; its trained losses are checked
against micrograd's (rtol 1e-12). The sides run in interleaved rounds, the order turned
each round, Python's garbage collected before each run (untimed: micrograd's nodes are
reference cycles, left for the collector, whose cost would fall on the next run). Per side
the median seconds of the whole run (min-max), and per round the ratio glassnet /
micrograd, given as the median over rounds (min-max).

``--old PATH`` adds a checkout's glassnet (``PATH/glassnet``), copied into a temporary
folder as ``glassnet_old`` (its absolute imports renamed), so the old and new
glassnet.micrograd are timed in the same process and sitting. ``--no-gc`` turns Python's
cyclic garbage collector off in the timed runs (the arithmetic alone: micrograd's closures
make a cycle a node, which the collector spends much of its run on).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import math
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from oldcopy import old_package  # noqa: E402  (bench/oldcopy.py)

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def moons(n: int, seed: int = 7) -> tuple[list[list[float]], list[int]]:
    """Two interleaved half circles with noise 0.1 (scikit-learn's make_moons' shape)."""
    r = np.random.default_rng(seed)
    t = r.uniform(0, np.pi, n)
    top = r.random(n) < 0.5
    X = np.c_[np.where(top, np.cos(t), 1 - np.cos(t)), np.where(top, np.sin(t), 0.5 - np.sin(t))]
    X = X + r.normal(scale=0.1, size=X.shape)
    return X.tolist(), np.where(top, 1, -1).tolist()


def demo(Value, model, X, y, steps: int) -> list[float]:
    """micrograd's demo loop on ``model`` (its weights already set); the losses."""
    losses = []
    for k in range(steps):
        inputs = [list(map(Value, row)) for row in X]
        scores = list(map(model, inputs))
        data_loss = sum((1 + -yi * si).relu() for yi, si in zip(y, scores)) * (1.0 / len(y))
        total = data_loss + 1e-4 * sum(p * p for p in model.parameters())
        model.zero_grad()
        total.backward()
        lr = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= lr * p.grad
        losses.append(total.data)
    return losses


def main() -> None:
    from argtypes import checkout, positive_int

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=positive_int, default=7)
    ap.add_argument("--steps", type=positive_int, default=3)
    ap.add_argument("--n", type=positive_int, default=100, help="samples (micrograd's demo: 100)")
    ap.add_argument("--old", type=checkout, help="a checkout holding an older glassnet/")
    ap.add_argument(
        "--no-gc", action="store_true", help="Python's cyclic collector off in the timed runs"
    )
    args = ap.parse_args()

    import micrograd.engine as mg_engine
    import micrograd.nn as mg_nn

    sides = {"micrograd": (mg_engine.Value, mg_nn.MLP), "glassnet": None}
    tmp = None
    if args.old is not None:
        tmp = tempfile.TemporaryDirectory()
        sides["glassnet_old"] = old_package(args.old, Path(tmp.name))
    for name in list(sides):
        if name != "micrograd":
            pkg = "glassnet" if name == "glassnet" else sides[name]
            mod = importlib.import_module(f"{pkg}.micrograd")
            sides[name] = (mod.Value, mod.MLP)

    X, y = moons(args.n)
    random.seed(1337)
    init = [p.data for p in mg_nn.MLP(2, [16, 16, 1]).parameters()]

    def run(name: str) -> tuple[float, list[float]]:
        Value, MLP = sides[name]
        model = MLP(2, [16, 16, 1])
        params = model.parameters()
        assert len(params) == len(init)
        for p, w in zip(params, init):
            p.data = w
        gc.collect()  # (the garbage of the run before, micrograd's cycles, is not this one's)
        if args.no_gc:
            gc.disable()
        t0 = time.perf_counter()
        losses = demo(Value, model, X, y, args.steps)
        sec = time.perf_counter() - t0
        gc.enable()
        return sec, losses

    times: dict[str, list[float]] = {name: [] for name in sides}
    ratios: dict[str, list[float]] = {name: [] for name in sides if name != "micrograd"}
    names = list(sides)
    for r in range(args.rounds):
        order = names if r % 2 == 0 else names[::-1]
        got = {}
        for name in order:
            got[name] = run(name)
        ref = got["micrograd"][1]
        for name, (sec, losses) in got.items():
            ok = all(math.isclose(a, b, rel_tol=1e-12) for a, b in zip(losses, ref))
            if not ok or len(losses) != len(ref):
                raise SystemExit(f"{name}'s losses {losses} are not micrograd's {ref}")
            times[name].append(sec)
            if name in ratios:
                ratios[name].append(sec / got["micrograd"][0])
        line = "  ".join(f"{n} {got[n][0]:.3f}s" for n in names)
        print(f"round {r + 1}/{args.rounds} (in order {', '.join(order)}): {line}", flush=True)

    print(
        f"\nmicrograd's demo: {args.n} samples, MLP(2, [16, 16, 1]), {args.steps} steps, "
        f"{args.rounds} interleaved rounds{', collector off' if args.no_gc else ''}; "
        "losses agree with micrograd's to 1e-12 "
        f"(last: {ref[-1]:.12f})"
    )
    for name in names:
        t = times[name]
        print(f"  {name:14s} median {statistics.median(t):.3f} s  ({min(t):.3f}-{max(t):.3f})")
    for name, rs in ratios.items():
        print(
            f"  {name} / micrograd: median {statistics.median(rs):.2f}x "
            f"({min(rs):.2f}-{max(rs):.2f}) per round"
        )
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
