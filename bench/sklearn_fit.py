#!/usr/bin/env python
"""Fit time of glassnet.sklearn's MLPs against scikit-learn's own, same data and settings.

    python bench/sklearn_fit.py                 # 3 rounds, 2 BLAS threads, Markdown table
    python bench/sklearn_fit.py --quick         # 1 round, fewer epochs: a smoke run
    python bench/sklearn_fit.py --rounds 5 --threads 4 --out bench/sklearn_fit.md

Each row fits the same estimator settings on the same data: scikit-learn's
``MLPClassifier`` (float64, as it trains on float64 X), then glassnet's with
``dtype='float64'`` (the same arithmetic, and glassnet's default for float64 X: the ratio
measures the engine) and with ``dtype='float32'``. ``tol=0`` and
``n_iter_no_change=max_iter`` make every run do exactly ``max_iter`` epochs, so times
compare the same work (lbfgs may stop earlier, when its line search makes no progress:
the epochs column shows each run's count).
Measurements are interleaved (one round runs every estimator on every row, in a rotated
order) and the table gives medians; ``ratio = scikit-learn's time / glassnet's time``
(above 1: glassnet is faster). Accuracy on the training data is printed as a sanity check
that both trained the same problem.

Rows: digits (1797 x 64, 10 classes), breast_cancer (569 x 30, 2 classes, standardized),
synthetic (20000 x 20, 3 classes, ``make_classification``), each with ``adam`` (the
default), ``sgd`` (momentum 0.9, Nesterov) and ``lbfgs``; hidden_layer_sizes=(100,),
batch_size='auto' (200), alpha=1e-4, random_state=0.
"""

from __future__ import annotations

import argparse
import os
import sys

THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def _threads_from_argv(argv: list[str]) -> int:
    for i, a in enumerate(argv):
        if a == "--threads" and i + 1 < len(argv):
            return int(argv[i + 1])
        if a.startswith("--threads="):
            return int(a.split("=", 1)[1])
    return 2


# BLAS reads its thread count once, at import: set it before NumPy loads.
_THREADS = _threads_from_argv(sys.argv)
for _v in THREAD_VARS:
    os.environ.setdefault(_v, str(_THREADS))

import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))


def datasets(quick: bool) -> dict[str, tuple[np.ndarray, np.ndarray, int]]:
    """name -> (X, y, epochs)."""
    from sklearn.datasets import load_breast_cancer, load_digits, make_classification
    from sklearn.preprocessing import StandardScaler

    Xd, yd = load_digits(return_X_y=True)
    Xb, yb = load_breast_cancer(return_X_y=True)
    Xs, ys = make_classification(
        n_samples=20000, n_features=20, n_informative=10, n_classes=3, random_state=0
    )
    f = 0.2 if quick else 1.0
    return {
        "digits": (Xd / 16.0, yd, int(100 * f)),
        "breast_cancer": (StandardScaler().fit_transform(Xb), yb, int(200 * f)),
        "synthetic 20000x20": (Xs, ys, int(20 * f)),
    }


def estimators(solver: str, epochs: int) -> dict[str, object]:
    from sklearn.neural_network import MLPClassifier as SK

    from glassnet.sklearn import MLPClassifier as GN

    kw = dict(
        hidden_layer_sizes=(100,),
        solver=solver,
        max_iter=epochs,
        tol=0.0,
        n_iter_no_change=epochs,
        random_state=0,
    )
    if solver == "sgd":
        kw["learning_rate_init"] = 0.01
    return {
        "sklearn": SK(**kw),
        "glassnet f64": GN(dtype="float64", **kw),
        "glassnet f32": GN(dtype="float32", **kw),
    }


def time_fit(est: object, X: np.ndarray, y: np.ndarray) -> tuple[float, float, int]:
    t0 = time.perf_counter()
    est.fit(X, y)  # type: ignore[attr-defined]
    dt = time.perf_counter() - t0
    return dt, float(est.score(X, y)), int(est.n_iter_)  # type: ignore[attr-defined]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2, help="BLAS threads (default 2)")
    ap.add_argument("--quick", action="store_true", help="1 round, 1/5 of the epochs")
    ap.add_argument("--solvers", default="adam,sgd,lbfgs")
    ap.add_argument("--out", help="also write the table to this Markdown file")
    args = ap.parse_args()
    rounds = 1 if args.quick else args.rounds
    solvers = args.solvers.split(",")
    data = datasets(args.quick)
    rows = [(d, s) for d in data for s in solvers]
    names = ["sklearn", "glassnet f64", "glassnet f32"]
    times: dict[tuple[str, str, str], list[float]] = {}
    info: dict[tuple[str, str, str], tuple[float, int]] = {}
    warnings.simplefilter("ignore")  # ConvergenceWarning: every run stops at max_iter
    for r in range(rounds):
        for i, (d, s) in enumerate(rows):
            X, y, epochs = data[d]
            ests = estimators(s, epochs)
            order = names[(r + i) % 3 :] + names[: (r + i) % 3]
            for name in order:
                dt, acc, n_iter = time_fit(ests[name], X, y)
                times.setdefault((d, s, name), []).append(dt)
                info[(d, s, name)] = (acc, n_iter)
        print(f"round {r + 1}/{rounds} done", file=sys.stderr)

    import sklearn

    import glassnet

    lines = [
        f"glassnet {glassnet.__version__}, scikit-learn {sklearn.__version__}, "
        f"NumPy {np.__version__}, Python {platform.python_version()}, "
        f"{platform.machine()} ({os.cpu_count()} CPUs visible), BLAS threads {args.threads}, "
        f"median of {rounds} round(s).",
        "",
        "| data | solver | epochs sk / f64 / f32 | scikit-learn s | glassnet f64 s "
        "| glassnet f32 s | ratio f64 | ratio f32 | train acc sk / gn f32 |",
        "|---|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for d, s in rows:
        med = {n: statistics.median(times[(d, s, n)]) for n in names}
        it = " / ".join(str(info[(d, s, n)][1]) for n in names)
        lines.append(
            f"| {d} | {s} | {it} | {med['sklearn']:.3f} | {med['glassnet f64']:.3f} "
            f"| {med['glassnet f32']:.3f} | {med['sklearn'] / med['glassnet f64']:.2f} "
            f"| {med['sklearn'] / med['glassnet f32']:.2f} "
            f"| {info[(d, s, 'sklearn')][0]:.3f} / {info[(d, s, 'glassnet f32')][0]:.3f} |"
        )
    table = "\n".join(lines)
    print(table)
    if args.out:
        with open(args.out, "w") as f:
            f.write(table + "\n")


if __name__ == "__main__":
    main()
