#!/usr/bin/env python
"""predict_proba time of glassnet.sklearn's MLPClassifier against scikit-learn's own, on a
large batch (the same fitted shapes, the same X), interleaved rounds, one BLAS thread.

    python bench/sklearn_predict.py                       # 400,000 x 50, hidden (100,), 7 rounds
    python bench/sklearn_predict.py --rows 100000 --rounds 15 --threads 2

Both estimators are fitted on the first 5,000 rows (20 epochs, random_state=0), then each
round times ``predict_proba(X)`` on all rows, scikit-learn's first, then glassnet's, with
the process's CPU time (``--threads 1``) or wall time (more threads). Prints the ratio
scikit-learn's time / glassnet's per round as its median, min and max (above 1: glassnet is
faster). glassnet's predict_proba does more than scikit-learn's: it checks every output is
finite and derives the probabilities from log-probabilities (so ``predict_proba`` and
``predict_log_proba`` rank alike).
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings

import numpy as np


def main() -> None:
    from argtypes import positive_int

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=positive_int, default=400_000)
    ap.add_argument("--features", type=positive_int, default=50)
    ap.add_argument("--rounds", type=positive_int, default=7)
    ap.add_argument("--threads", type=positive_int, default=1)
    args = ap.parse_args()
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier as Theirs
    from threadpoolctl import threadpool_limits

    from glassnet.sklearn import MLPClassifier as Ours

    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(args.rows, args.features))
    y = (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 1)
    theirs = Theirs(max_iter=20, random_state=0).fit(X[:5000], y[:5000])
    ours = Ours(max_iter=20, random_state=0).fit(X[:5000], y[:5000])
    clock = time.process_time if args.threads == 1 else time.perf_counter
    ratios = []
    with threadpool_limits(args.threads):
        ours.predict_proba(X[:1000]), theirs.predict_proba(X[:1000])  # (warm)
        for _ in range(args.rounds):
            t = clock()
            theirs.predict_proba(X)
            t_theirs = clock() - t
            t = clock()
            ours.predict_proba(X)
            ratios.append(t_theirs / (clock() - t))
    print(
        f"predict_proba, {args.rows} x {args.features}, hidden (100,), {args.threads} thread(s): "
        f"scikit-learn's time / glassnet's: median {statistics.median(ratios):.2f} "
        f"(min {min(ratios):.2f}, max {max(ratios):.2f}) over {args.rounds} rounds"
    )


if __name__ == "__main__":
    main()
