"""Do two versions of glassnet train to the same weights? A regression check for refactors.

    python bench/same_weights.py --save before.npz          # with the old version importable
    python bench/same_weights.py --compare before.npz       # with the new one

Trains every ``bench/`` workload (``--quick`` sizes: the full ones only take longer), the
lecture's XNOR network, a float64 network on the graph engine, a network with L2 and sample
weights, and both scikit-learn estimators, all from fixed seeds, and stores or compares the
trained weights. ``--compare`` prints the largest relative difference per run and exits 1
when one exceeds ``--rtol`` (default 1e-6: room for floating-point reordering only).
Point PYTHONPATH at a git worktree of the old commit to run the old version. In float32 a
change of summation order grows over thousands of steps; ``--float64`` separates a change of
order (differences near 1e-12) from a change of arithmetic.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

# one BLAS thread: a product split over more threads sums in another order, so a float32
# run would differ between two machines' loads rather than between two versions
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import workloads  # noqa: E402


def _weights(model) -> list[np.ndarray]:
    return [np.array(p.data, dtype=np.float64) for p in model.parameters()]


def _workload(name: str) -> list[np.ndarray]:
    import glassnet as gn
    from glassnet import nn, optim

    w = workloads.get(name, quick=True)
    data, init = workloads.make_data(w), workloads.init_weights(w)
    model = nn.MLP(
        list(w.sizes), activation=w.activation, output_activation=w.output, rng=0, dtype=DTYPE
    )
    for lin, (W, b) in zip([m for m in model.modules() if isinstance(m, nn.Linear)], init):
        lin.W.data[...], lin.b.data[...] = W, b
    opt = (optim.Adam if w.optimizer == "adam" else optim.SGD)(model.parameters(), lr=w.lr)
    gn.fit(
        model,
        data.X,
        data.y,
        loss=w.loss,
        optimizer=opt,
        batch_size=w.batch_size,
        epochs=w.epochs,
        shuffle=w.shuffle,
        seed=0,
        verbose=0,
    )
    return _weights(model)


def _lecture() -> list[np.ndarray]:
    import glassnet as gn
    from glassnet import nn

    X, y = gn.datasets.logic_gate("xnor")
    net = nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=0, dtype=DTYPE)
    gn.fit(net, X, y, loss="mse", lr=1.0, epochs=3000, verbose=0)
    neuron = nn.Neuron(2, "sigmoid", rng=0, dtype=DTYPE)
    gn.fit(
        neuron,
        *gn.datasets.logic_gate("or"),
        loss="binary_cross_entropy",
        lr=1.0,
        epochs=500,
        verbose=0,
    )
    return _weights(net) + _weights(neuron)


def _graph64() -> list[np.ndarray]:
    import glassnet as gn
    from glassnet import nn

    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 5))
    y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)
    net = nn.MLP(
        [5, 16, 2], activation="tanh", output_activation="softmax", rng=1, dtype=np.float64
    )
    gn.fit(
        net,
        X,
        y,
        loss="cross_entropy",
        optimizer="adam",
        lr=0.01,
        batch_size=32,
        epochs=10,
        seed=3,
        verbose=0,
        engine="graph",
    )
    return _weights(net)


def _l2_weighted() -> list[np.ndarray]:
    import glassnet as gn
    from glassnet import nn

    rng = np.random.default_rng(1)
    X = rng.normal(size=(300, 4)).astype(np.float32)
    y = (X @ np.arange(1, 5) > 0).astype(np.float32)
    out = []
    for engine in ("fused", "graph"):
        net = nn.MLP([4, 8, 1], activation="relu", output_activation="sigmoid", rng=2, dtype=DTYPE)
        gn.fit(
            net,
            X,
            y,
            loss="binary_cross_entropy",
            optimizer="sgd",
            lr=0.1,
            batch_size=50,
            epochs=5,
            seed=4,
            verbose=0,
            l2=0.01,
            sample_weight=rng.uniform(0, 2, 300),
            engine=engine,
            early_stopping=True,
            n_iter_no_change=3,
        )
        out += _weights(net)
    return out


def _sklearn() -> list[np.ndarray]:
    from glassnet.sklearn import MLPClassifier, MLPRegressor

    rng = np.random.default_rng(2)
    X = rng.normal(size=(200, 6))
    yc = (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 1)
    yr = X @ rng.normal(size=(6, 2))
    out = []
    for solver in ("adam", "sgd", "lbfgs"):
        clf = MLPClassifier(
            hidden_layer_sizes=(10,), solver=solver, max_iter=30, random_state=0, dtype=DTYPE
        ).fit(X, yc)
        reg = MLPRegressor(
            hidden_layer_sizes=(10,), solver=solver, max_iter=30, random_state=0, dtype=DTYPE
        ).fit(X, yr)
        out += [np.asarray(a, np.float64) for a in clf.coefs_ + clf.intercepts_]
        out += [np.asarray(a, np.float64) for a in reg.coefs_ + reg.intercepts_]
    return out


DTYPE = np.float32
RUNS = {name: (lambda n=name: _workload(n)) for name in workloads.WORKLOADS}
RUNS.update(lecture=_lecture, graph64=_graph64, l2_weighted=_l2_weighted, sklearn=_sklearn)


def main() -> int:
    from argtypes import existing_file

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--save", type=Path)
    group.add_argument("--compare", type=existing_file)
    parser.add_argument("--rtol", type=float, default=1e-6)
    parser.add_argument(
        "--float64",
        action="store_true",
        help="train the glassnet networks in float64 (float32 by default)",
    )
    args = parser.parse_args()
    global DTYPE
    DTYPE = np.float64 if args.float64 else np.float32
    import warnings

    warnings.simplefilter("ignore")  # convergence warnings of short scikit-learn runs
    got = {name: run() for name, run in RUNS.items()}
    if args.save:
        np.savez(args.save, **{f"{k}/{i}": a for k, ws in got.items() for i, a in enumerate(ws)})
        print(f"saved {sum(map(len, got.values()))} arrays from {len(got)} runs to {args.save}")
        return 0
    old = np.load(args.compare)
    worst = 0.0
    for name, ws in got.items():
        diffs = []
        for i, a in enumerate(ws):
            b = old[f"{name}/{i}"]
            diffs.append(float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-3))))
        rel = max(diffs)
        worst = max(worst, rel)
        print(f"{name:<10} max relative difference {rel:.3g}")
    print(f"worst {worst:.3g} (rtol {args.rtol:g})")
    return int(worst > args.rtol)


if __name__ == "__main__":
    raise SystemExit(main())
