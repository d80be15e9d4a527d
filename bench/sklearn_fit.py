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

``--partial-fit`` times one ``partial_fit`` call on a small batch instead, where the
per-call overhead (input checks, setup) is most of the time, with one BLAS thread unless
``--threads`` says otherwise:

    python bench/sklearn_fit.py --partial-fit                 # 15 rounds of 200 calls
    python bench/sklearn_fit.py --partial-fit --before /tmp/old_sklearn.py

Rows: MLPClassifier on a 64-row batch of a 20-feature 3-class problem (integer labels;
string labels with ``classes=`` passed at every call) and MLPRegressor on the same X,
hidden_layer_sizes=(32,), adam, each against scikit-learn's estimator of the same name.
A round times ``--calls`` calls of every estimator, in a rotated order; the table gives
the median over rounds of the per-call time, its min-max, and scikit-learn's time /
glassnet's. ``--before FILE`` adds a column for another version of
``glassnet/sklearn.py`` (e.g. ``git show REV:glassnet/sklearn.py > FILE``), loaded into
this glassnet package as ``glassnet.sklearn_before``: a before/after in the same run.
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
    return 1 if "--partial-fit" in argv else 2


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


def _load_before(path: str) -> object:
    """Another version of glassnet/sklearn.py as ``glassnet.sklearn_before`` (its relative
    imports then read this glassnet package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("glassnet.sklearn_before", path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules["glassnet.sklearn_before"] = module
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def partial_fit_rows(
    before: object | None,
) -> list[tuple[str, dict[str, object], np.ndarray, np.ndarray, dict[str, object]]]:
    """(row name, {estimator name: estimator after its first call}, X, y, kwargs per call)."""
    from sklearn.datasets import make_classification
    from sklearn.neural_network import MLPClassifier as SKC
    from sklearn.neural_network import MLPRegressor as SKR

    import glassnet.sklearn as gns

    X, y = make_classification(
        n_samples=64, n_features=20, n_informative=10, n_classes=3, random_state=0
    )
    y_str = np.array(["ant", "bee", "cat"])[y]
    y_reg = X[:, 0] - 0.5 * X[:, 1]
    kw = dict(hidden_layer_sizes=(32,), random_state=0)
    versions = [("glassnet", gns)] + ([("glassnet before", before)] if before else [])
    rows = []
    for row, cls, sk, yy, classes, every in [
        ("MLPClassifier, int labels", "MLPClassifier", SKC, y, np.unique(y), False),
        ("MLPClassifier, str labels, classes= each call", "MLPClassifier", SKC, y_str,
         np.unique(y_str), True),
        ("MLPRegressor", "MLPRegressor", SKR, y_reg, None, False),
    ]:  # fmt: skip
        ests = {"scikit-learn": sk(**kw)}
        ests.update({name: getattr(mod, cls)(**kw) for name, mod in versions})
        first = {} if classes is None else {"classes": classes}
        for est in ests.values():
            est.partial_fit(X, yy, **first)  # type: ignore[attr-defined]
        rows.append((row, ests, X, yy, first if every else {}))
    return rows


def main_partial_fit(args: argparse.Namespace) -> None:
    before = _load_before(args.before) if args.before else None
    rows = partial_fit_rows(before)
    names = list(rows[0][1])
    times: dict[tuple[str, str], list[float]] = {}
    warnings.simplefilter("ignore")
    for r in range(args.rounds):
        for i, (row, ests, X, y, kw) in enumerate(rows):
            k = (r + i) % len(names)
            for name in names[k:] + names[:k]:
                fit = ests[name].partial_fit  # type: ignore[attr-defined]
                t0 = time.perf_counter()
                for _ in range(args.calls):
                    fit(X, y, **kw)
                times.setdefault((row, name), []).append(
                    (time.perf_counter() - t0) / args.calls * 1e3
                )
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)

    import sklearn

    import glassnet

    def cell(row: str, name: str) -> str:
        t = times[(row, name)]
        return f"{statistics.median(t):.3f} ({min(t):.3f}-{max(t):.3f})"

    def ratio(row: str, name: str) -> str:
        sk = times[(row, "scikit-learn")]
        per = sorted(a / b for a, b in zip(sk, times[(row, name)]))
        return f"{statistics.median(per):.2f} ({per[0]:.2f}-{per[-1]:.2f})"

    others = [n for n in names if n != "scikit-learn"]
    lines = [
        f"glassnet {glassnet.__version__}, scikit-learn {sklearn.__version__}, "
        f"NumPy {np.__version__}, Python {platform.python_version()}, "
        f"{platform.machine()} ({os.cpu_count()} CPUs visible), BLAS threads {args.threads}; "
        f"ms per partial_fit call (64 x 20 batch, hidden (32,), adam): median of "
        f"{args.rounds} rounds of {args.calls} calls (min-max); ratio = scikit-learn / "
        "glassnet per round (above 1: glassnet is faster).",
        "",
        "| row | scikit-learn ms | "
        + " | ".join(f"{n} ms" for n in others)
        + " | "
        + " | ".join(f"ratio {n}" for n in others)
        + " |",
        "|---|" + "---:|" * (1 + 2 * len(others)),
    ]
    for row, *_ in rows:
        lines.append(
            f"| {row} | {cell(row, 'scikit-learn')} | "
            + " | ".join(cell(row, n) for n in others)
            + " | "
            + " | ".join(ratio(row, n) for n in others)
            + " |"
        )
    table = "\n".join(lines)
    print(table)
    if args.out:
        with open(args.out, "w") as f:
            f.write(table + "\n")


def main() -> None:
    from argtypes import positive_int, some_of

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=positive_int, help="default 3 (fit), 15 (--partial-fit)")
    ap.add_argument(
        "--threads", type=int, default=2, help="BLAS threads (default 2; 1 with --partial-fit)"
    )
    ap.add_argument("--quick", action="store_true", help="1 round, 1/5 of the epochs")
    ap.add_argument("--solvers", type=some_of("adam", "sgd", "lbfgs"), default="adam,sgd,lbfgs")
    ap.add_argument("--out", help="also write the table to this Markdown file")
    ap.add_argument("--partial-fit", action="store_true", help="time one partial_fit call")
    ap.add_argument("--calls", type=positive_int, default=200, help="partial_fit calls per round")
    ap.add_argument("--before", help="another glassnet/sklearn.py to time alongside")
    args = ap.parse_args()
    args.threads = _THREADS
    if args.partial_fit:
        args.rounds = args.rounds or (3 if args.quick else 15)
        main_partial_fit(args)
        return
    args.rounds = args.rounds or 3
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
