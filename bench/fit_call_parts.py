"""The pieces of fit's fixed cost that round 30 cut, each timed alone: this checkout against
an old one in one process (bench/oldcopy.py), interleaved rounds, ``timeit``'s minimum.

    git worktree add /tmp/old <commit>
    python bench/fit_call_parts.py /tmp/old            # 15 rounds
    python bench/fit_call_parts.py /tmp/old --rounds 31

bench/fit_call.py times the whole call; this says which piece moved. The model is the
lecture's XNOR 2-2-1 network (4 parameters).
"""

from __future__ import annotations

import argparse
import importlib
import os
import statistics
import sys
import tempfile
import timeit
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # (this checkout's)

from oldcopy import old_package  # noqa: E402


def cases(gn) -> dict:
    """name -> (call, calls a block), on one XNOR network of ``gn`` (a glassnet package)."""
    mod = lambda name: importlib.import_module(f"{gn.__name__}.{name}")  # noqa: E731
    eng, F, optim, fused = mod("engines"), mod("functional"), mod("optim"), mod("fused")
    m = gn.nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=0)
    ps = list(m.parameters())
    return {
        "replaced_entry('sigmoid')": (lambda: F.replaced_entry("sigmoid"), 2000),
        "replaced_entry('bce', loss=True)": (
            lambda: F.replaced_entry("binary_cross_entropy", loss=True),
            2000,
        ),
        "optimizer_for('sgd')": (lambda: eng.optimizer_for("sgd", ps, 1.0, None, "fit"), 300),
        "optimizer_for('adam')": (lambda: eng.optimizer_for("adam", ps, 0.01, None, "fit"), 300),
        "optim.SGD(params, lr=1.0)": (lambda: optim.SGD(ps, lr=1.0), 300),
        "fused.layers_of(model, 'fit', training=True)": (
            lambda: fused.layers_of(m, "fit", training=True),
            1000,
        ),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old", help="a checkout of the old version (holding glassnet/)")
    ap.add_argument("--rounds", type=int, default=15)
    args = ap.parse_args()
    import glassnet as new

    old = importlib.import_module(old_package(Path(args.old), Path(tempfile.mkdtemp())))
    both = (cases(old), cases(new))
    times: dict[str, tuple[list[float], list[float]]] = {k: ([], []) for k in both[0]}
    print(f"load average before: {os.getloadavg()}")
    for r in range(args.rounds):
        for k in times:
            for i in (0, 1) if r % 2 else (1, 0):  # (which version goes first alternates)
                f, n = both[i][k]
                times[k][i].append(timeit.timeit(f, number=n) / n)
    print(f"load average after: {os.getloadavg()}")
    print("| call | old, fastest | new, fastest | old / new | medians old, new |")
    print("|---|---:|---:|---:|---:|")
    for k, (o, n) in times.items():
        med = f"{statistics.median(o) * 1e6:.1f}, {statistics.median(n) * 1e6:.1f} µs"
        fast = f"{min(o) * 1e6:.2f} µs | {min(n) * 1e6:.2f} µs | {min(o) / min(n):.2f}"
        print(f"| {k} | {fast} | {med} |")


if __name__ == "__main__":
    main()
