"""The lecture's four tasks, end to end on real data.

================================  ==============================  ===============
task                              output layer, loss              data
================================  ==============================  ===============
binary classification             1 sigmoid neuron, binary CE     breast cancer
multi-class classification        C softmax neurons, CE           digits, iris
single-output regression          1 identity neuron, MSE          diabetes
multi-output regression           K identity neurons, MSE         synthetic, K = 3
================================  ==============================  ===============

Each run: a 75/25 train/test split, features standardized with statistics of the
training part, the task inferred from the targets, an MLP with the task's output
layer, mini-batch training with Adam, then the test score (accuracy or R^2).
The scikit-learn data sets need scikit-learn (pip install "glassnet[sklearn]").

Run: python examples/four_tasks.py
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

import glassnet as gn
from glassnet import datasets
from glassnet.preprocessing import StandardScaler, train_test_split
from glassnet.tasks import infer_task

# name: (loader, hidden layers, activation, epochs, learning rate, batch size)
RUNS: dict[str, tuple[Any, tuple[int, ...], str, int, float, int | None]] = {
    "breast_cancer": (datasets.load_breast_cancer, (16,), "relu", 50, 1e-3, 32),
    "digits": (datasets.load_digits, (64,), "relu", 30, 1e-3, 32),
    "iris": (datasets.load_iris, (8,), "tanh", 200, 1e-2, None),
    "diabetes": (datasets.load_diabetes, (16,), "relu", 200, 1e-2, 32),
    "regression_multi": (
        lambda: datasets.make_regression_multi(1000, seed=0),
        (64,),
        "tanh",
        100,
        3e-3,
        32,
    ),
}


def run(name: str, seed: int = 0) -> None:
    load, hidden, activation, epochs, lr, batch_size = RUNS[name]
    X, y = load()
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, seed=seed)
    scaler = StandardScaler().fit(X_tr)  # statistics of the training part only
    X_tr, X_te = scaler.transform(X_tr), scaler.transform(X_te)

    task = infer_task(y_tr)  # the targets decide: binary, multiclass, regression, ...
    model = task.build_model(X.shape[1], hidden=hidden, activation=activation, rng=seed)
    t0 = time.perf_counter()
    history = gn.fit(
        model,
        X_tr,
        task.encode(y_tr),
        loss=task.loss,
        optimizer="adam",
        lr=lr,
        epochs=epochs,
        batch_size=batch_size,
        seed=seed,
        verbose=0,
    )
    seconds = time.perf_counter() - t0
    pred = task.decode(model.predict(X_te.astype(np.float32)))
    metric = "accuracy" if task.is_classifier else "R^2"
    print(
        f"{name:17s} {task.name:23s} outputs={task.n_outputs:<3d} {task.output_activation:8s} "
        f"{task.loss:21s} test {metric} = {task.score(y_te, pred):.3f}   "
        f"({history.epochs} epochs, {seconds:.2f} s)"
    )
    if task.name == "multioutput_regression":
        per = [task.score(y_te[:, k], pred[:, k]) for k in range(y_te.shape[1])]
        print(f"{'':17s} R^2 per output: {', '.join(f'{r:.3f}' for r in per)}")


def main() -> None:
    for name in RUNS:
        run(name)


if __name__ == "__main__":
    main()
