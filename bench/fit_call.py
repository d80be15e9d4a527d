"""fit's fixed cost: the whole ``glassnet.fit`` call on tiny runs, new against an old checkout.

    git worktree add /tmp/old HEAD~1
    python bench/fit_call.py /tmp/old                    # every case, 30 rounds
    python bench/fit_call.py /tmp/old --cases xnor-1,sklearn --rounds 60
    python bench/fit_call.py /tmp/old --profile xnor-1   # cProfile of the new version's calls

On a run this short the steps are a small part of the call: what a user pays is fit's own
work before and after them (checks of the arguments and data, the engine's choice, the BLAS
thread count, the history's set-up). They pay it on every call: ``GridSearchCV`` over the
estimators, ``fit(epochs=1)`` in a loop, the command line, 100 XNOR seeds fitted one by one.

The cases, each a call as a user writes it (``verbose=0``, threads left to fit's rule):

    xnor-1     the lecture's XNOR 2-2-1 sigmoid network, MSE, gradient descent lr 1.0, full
               batch, 1 epoch (bench/'s W3 network)
    xnor-50    the same, 50 epochs
    tab-1      20-64-64-1 tanh, binary cross-entropy, SGD lr 0.05, batch 64, 256 rows,
               1 epoch (W2's network)
    sklearn    ``glassnet.sklearn.MLPClassifier(max_iter=5)`` on 200 rows of 20 features
               (its own default network), ``.fit(X, y)``

Both versions run in one process (bench/oldcopy.py: the old package copied as
``glassnet_old``, as bench/ab_inprocess.py does; the new one is this checkout's glassnet,
so ``python /tmp/new/bench/fit_call.py /tmp/old`` compares two worktrees), each on its own
model built once and fitted again and again (a model goes on from its weights: the cost per
call does not depend on them). Each round times, for each version in an order that
alternates between rounds, a block of calls (as many as take about ``--block`` seconds,
fixed after the warm-up) and divides by their number. Prints per case the median per-call
time of each (min-max over the rounds) and old time / new (the ratio within each round:
median, min-max), the fastest single call of each over all rounds (the least disturbed on a
shared machine) and their ratio, and the load average before and after. The BLAS
environment is left as the user's (fit's thread rule sets the count for each call and puts
the one before back, which is part of the call).
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # (this checkout's)

import numpy as np  # noqa: E402
from oldcopy import old_package  # noqa: E402

CASES = ("xnor-1", "xnor-50", "tab-1", "sklearn")


def _data(case: str) -> tuple[np.ndarray, np.ndarray]:
    if case.startswith("xnor"):
        X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
        return X, np.array([[1], [0], [0], [1]], dtype=np.float32)
    rng = np.random.default_rng(0)
    n = 256 if case == "tab-1" else 200
    X = rng.standard_normal((n, 20)).astype(np.float32)
    y = (np.sin(X[:, 0]) + X[:, 1] * X[:, 2] > 0).astype(np.float32)
    return X, (y[:, None] if case == "tab-1" else y.astype(np.int64))


def call_for(gn, case: str):
    """A function making one whole fit call of ``case`` with glassnet package ``gn``."""
    X, y = _data(case)
    if case == "sklearn":
        from importlib import import_module

        cls = import_module(gn.__name__ + ".sklearn").MLPClassifier

        def one() -> None:
            cls(max_iter=5).fit(X, y)

        return one
    if case.startswith("xnor"):
        model = gn.nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=0)
        kw = dict(loss="mse", optimizer="sgd", lr=1.0, epochs=1 if case == "xnor-1" else 50)
    else:
        model = gn.nn.MLP([20, 64, 64, 1], activation="tanh", output_activation="sigmoid",
                          dtype=np.float32, rng=0)  # fmt: skip
        kw = dict(loss="binary_cross_entropy", optimizer="sgd", lr=0.05, batch_size=64, epochs=1)

    def one() -> None:
        gn.fit(model, X, y, seed=0, verbose=0, **kw)

    return one


def _block(f, k: int) -> tuple[float, float]:
    """Seconds per call over k calls of f, and the fastest call's."""
    gc.collect()
    clock, fastest = time.perf_counter, float("inf")
    t0 = clock()
    for _ in range(k):
        t = clock()
        f()
        fastest = min(fastest, clock() - t)
    return (clock() - t0) / k, fastest


def _ms(v: list[float]) -> str:
    return f"{statistics.median(v) * 1e3:.3f} ({min(v) * 1e3:.3f}-{max(v) * 1e3:.3f})"


def compare(old, new, cases: list[str], rounds: int, block: float) -> None:
    print(f"load average before: {Path('/proc/loadavg').read_text().strip()}", flush=True)
    print("| case | old ms/call | new ms/call | old / new | fastest call old, new: old / new |")
    print("|---|---:|---:|---:|---:|")
    for case in cases:
        calls = {"old": call_for(old, case), "new": call_for(new, case)}
        for f in calls.values():  # (warm-up: imports, caches, BLAS)
            _block(f, 3)
        k = max(1, round(block / _block(calls["old"], 5)[0]))
        times: dict[str, list[float]] = {"old": [], "new": []}
        best = {"old": float("inf"), "new": float("inf")}
        for i in range(rounds):
            for side in ("old", "new") if i % 2 == 0 else ("new", "old"):
                mean, fastest = _block(calls[side], k)
                times[side].append(mean)
                best[side] = min(best[side], fastest)
        ratio = [a / b for a, b in zip(times["old"], times["new"])]
        r = f"{statistics.median(ratio):.2f} ({min(ratio):.2f}-{max(ratio):.2f})"
        quick = f"{best['old'] * 1e3:.3f}, {best['new'] * 1e3:.3f}: {best['old'] / best['new']:.2f}"
        print(f"| {case} | {_ms(times['old'])} | {_ms(times['new'])} | {r} | {quick} |", flush=True)
    print(f"load average after: {Path('/proc/loadavg').read_text().strip()}", flush=True)


def profile(new, case: str, calls: int, top: int) -> None:
    import cProfile
    import pstats

    f = call_for(new, case)
    _block(f, 3)
    pr = cProfile.Profile()
    pr.enable()
    for _ in range(calls):
        f()
    pr.disable()
    st = pstats.Stats(pr)
    st.sort_stats("cumulative").print_stats(top)
    st.sort_stats("tottime").print_stats(top)


def main(argv: list[str] | None = None) -> int:
    from argtypes import checkout, positive_float, positive_int

    def case_list(text: str) -> list[str]:
        names = [c for c in text.split(",") if c]
        if not names or any(c not in CASES for c in names):
            raise argparse.ArgumentTypeError(f"unknown {text!r}; choose from {','.join(CASES)}")
        return names

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old", type=checkout, help="a checkout of the old version (holding glassnet/)")
    ap.add_argument("--cases", type=case_list, default=list(CASES), help=",".join(CASES))
    ap.add_argument("--rounds", type=positive_int, default=30)
    ap.add_argument("--block", type=positive_float, default=0.05, help="seconds per timed block")
    ap.add_argument("--profile", choices=CASES, help="profile the new version's calls instead")
    ap.add_argument("--calls", type=positive_int, default=200, help="calls profiled")
    ap.add_argument("--top", type=positive_int, default=40)
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore")  # (ConvergenceWarning of max_iter=5: the same each call)
    with tempfile.TemporaryDirectory() as tmp:
        import glassnet as new

        if args.profile:
            profile(new, args.profile, args.calls, args.top)
            return 0
        old_package(Path(args.old), Path(tmp))
        import glassnet_old as old

        compare(old, new, args.cases, args.rounds, args.block)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
