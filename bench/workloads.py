"""The benchmark workloads: data, initial weights and the reference loss.

Every framework trains the same network, on the same float32 data, from the same initial
weights, with the same optimizer and the same loss scale. Data and weights are made here
with NumPy from fixed seeds; each framework only loads them.

Weight layout is glassnet's (and scikit-learn's): ``W`` has shape ``(inputs, neurons)``
and a layer computes ``Z = X @ W + b``. A framework that stores ``W.T`` (PyTorch) loads
the transpose.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

DATA_SEED = 0  # data of every workload
INIT_SEED = 1  # initial weights
SHUFFLE_SEED = 2  # epoch permutations of the runners written here (numpy, torch, jax)

Weights = list[tuple[np.ndarray, np.ndarray]]  # [(W (inputs, neurons), b (neurons,)), ...]


@dataclass(frozen=True)
class Workload:
    """One training run to time.

    ``batch_size=None`` means full-batch gradient descent (one step per epoch).
    ``loss`` is one of ``cross_entropy`` (softmax output, int labels),
    ``binary_cross_entropy`` (sigmoid output, float 0/1 targets of shape (N, 1)) and
    ``mse`` (mean over all elements of ``(y_hat - y)**2``; the output is ``output``).
    """

    name: str
    title: str
    sizes: tuple[int, ...]
    activation: str  # hidden layers: relu | tanh | sigmoid
    output: str  # softmax | sigmoid | identity
    loss: str  # cross_entropy | binary_cross_entropy | mse
    optimizer: str  # sgd | adam
    lr: float
    batch_size: int | None
    epochs: int
    n_samples: int
    shuffle: bool = True
    unit: str = "samples/s"

    @property
    def batch(self) -> int:
        """Rows in a full batch."""
        return self.n_samples if self.batch_size is None else min(self.batch_size, self.n_samples)

    @property
    def batch_shapes(self) -> list[int]:
        """Distinct batch sizes met in one epoch (the last batch may be partial)."""
        rest = self.n_samples % self.batch
        return [self.batch] + ([rest] if rest else [])

    @property
    def steps(self) -> int:
        """Optimizer steps in the whole run."""
        return self.epochs * -(-self.n_samples // self.batch)

    def throughput(self, seconds: float) -> float:
        """samples/s over the whole run, or steps/s for ``unit == 'steps/s'``."""
        if self.unit == "steps/s":
            return self.steps / seconds
        return self.n_samples * self.epochs / seconds

    def describe(self) -> str:
        net = "-".join(str(s) for s in self.sizes)
        bs = "full batch" if self.batch_size is None else f"batch {self.batch_size}"
        return (
            f"{net} {self.activation}, {self.output} + {self.loss}, {self.optimizer} lr {self.lr}, "
            f"{bs}, {self.epochs} epoch(s), N={self.n_samples}"
        )


def _w1(bs: int) -> Workload:
    return Workload(
        name=f"W1-b{bs}",
        title="mnist-mlp",
        sizes=(784, 256, 128, 10),
        activation="relu",
        output="softmax",
        loss="cross_entropy",
        optimizer="sgd",
        lr=0.1,
        batch_size=bs,
        epochs=1,
        n_samples=60_000,
    )


WORKLOADS: dict[str, Workload] = {
    w.name: w
    for w in [
        _w1(32),
        _w1(128),
        _w1(1024),
        Workload(
            name="W2",
            title="tabular-small",
            sizes=(20, 64, 64, 1),
            activation="tanh",
            output="sigmoid",
            loss="binary_cross_entropy",
            optimizer="sgd",
            lr=0.05,
            batch_size=64,
            epochs=5,
            n_samples=20_000,
        ),
        Workload(
            name="W3",
            title="xnor",
            sizes=(2, 2, 1),
            activation="sigmoid",
            output="sigmoid",
            loss="mse",
            optimizer="sgd",
            lr=1.0,
            batch_size=None,
            epochs=2000,
            n_samples=4,
            shuffle=False,
            unit="steps/s",
        ),
        Workload(
            name="W4",
            title="regression-multi",
            sizes=(8, 64, 3),
            activation="relu",
            output="identity",
            loss="mse",
            optimizer="adam",
            lr=1e-3,
            batch_size=256,
            epochs=5,
            n_samples=20_000,
        ),
    ]
}

# --quick: the same networks on less data (sizes chosen to keep a partial last batch).
_QUICK: dict[str, dict] = {
    "W1": {"n_samples": 2_000},
    "W2": {"n_samples": 1_000, "epochs": 2},
    "W3": {"epochs": 200},
    "W4": {"n_samples": 1_000, "epochs": 2},
}


def get(name: str, quick: bool = False) -> Workload:
    """The workload called ``name`` (``W1-b32`` ... ``W4``), shrunk when ``quick``."""
    if name not in WORKLOADS:
        raise ValueError(f"workload {name!r} is unknown; choose from {', '.join(WORKLOADS)}")
    w = WORKLOADS[name]
    if quick:
        w = dataclasses.replace(w, **_QUICK[name.split("-")[0]])
    return w


@dataclass
class Data:
    """Training data: ``X`` float32 (N, inputs); ``y`` int64 (N,) labels for
    cross-entropy, else float32 (N, outputs)."""

    X: np.ndarray
    y: np.ndarray


def make_data(w: Workload) -> Data:
    """The data of ``w``, from ``DATA_SEED``; generated in float32 (no float64 copy)."""
    rng = np.random.default_rng([DATA_SEED, w.sizes[0], w.sizes[-1]])
    n, d = w.n_samples, w.sizes[0]
    if w.title == "xnor":
        X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
        return Data(X, np.array([[1], [0], [0], [1]], dtype=np.float32))
    X = rng.standard_normal((n, d), dtype=np.float32)
    if w.loss == "cross_entropy":
        # labels from a fixed random linear teacher: y = argmax(X @ T)
        T = rng.standard_normal((d, w.sizes[-1]), dtype=np.float32)
        return Data(X, np.argmax(X @ T, axis=1).astype(np.int64))
    if w.loss == "binary_cross_entropy":
        # a noisy nonlinear teacher: y = [X u + 0.5 (X v)^2 - 0.5 + 0.3 noise > 0]
        u = rng.standard_normal(d, dtype=np.float32) / np.sqrt(d)
        v = rng.standard_normal(d, dtype=np.float32) / np.sqrt(d)
        s = X @ u + 0.5 * (X @ v) ** 2 - 0.5 + 0.3 * rng.standard_normal(n, dtype=np.float32)
        return Data(X, (s > 0).astype(np.float32)[:, None])
    # regression: Y = tanh(X A) B + 0.1 noise
    A = rng.standard_normal((d, 16), dtype=np.float32) / np.sqrt(d)
    B = rng.standard_normal((16, w.sizes[-1]), dtype=np.float32)
    Y = np.tanh(X @ A) @ B + 0.1 * rng.standard_normal((n, w.sizes[-1]), dtype=np.float32)
    return Data(X, Y.astype(np.float32))


def init_weights(w: Workload) -> Weights:
    """Initial weights from ``INIT_SEED``, float32.

    He-uniform ``U(-sqrt(6/fan_in), +)`` for layers followed by ReLU, Glorot-uniform
    ``U(-sqrt(6/(fan_in+fan_out)), +)`` for the others (tanh, sigmoid, output layer);
    biases are zero.
    """
    rng = np.random.default_rng([INIT_SEED, *w.sizes])
    out = []
    n_layers = len(w.sizes) - 1
    for i, (fan_in, fan_out) in enumerate(zip(w.sizes[:-1], w.sizes[1:])):
        hidden = i < n_layers - 1
        if hidden and w.activation == "relu":
            limit = np.sqrt(6.0 / fan_in)
        else:
            limit = np.sqrt(6.0 / (fan_in + fan_out))
        W = rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32)
        out.append((W, np.zeros(fan_out, dtype=np.float32)))
    return out


def epoch_order(rng: np.random.Generator, n: int) -> np.ndarray:
    """One epoch's sample order: a permutation of ``range(n)`` (int64)."""
    return rng.permutation(n)


def evaluate_loss(w: Workload, data: Data, weights: Weights, max_rows: int = 20_000) -> float:
    """The training loss of ``weights`` on (the first ``max_rows`` of) ``data``.

    Forward in float32, loss in float64; the same definition for every framework:
    cross-entropy and BCE are means over samples, MSE the mean over all elements.
    """
    X, y = data.X[:max_rows], data.y[:max_rows]
    a = X
    for i, (W, b) in enumerate(weights):
        z = a @ W.astype(np.float32) + b.astype(np.float32)
        if i < len(weights) - 1:
            if w.activation == "relu":
                z = np.maximum(z, 0)
            elif w.activation == "tanh":
                z = np.tanh(z)
            else:
                z = 0.5 * (1 + np.tanh(0.5 * z))
        a = z
    z = a.astype(np.float64)
    if w.loss == "cross_entropy":
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return float(-logp[np.arange(len(y)), y].mean())
    if w.loss == "binary_cross_entropy":
        # mean(softplus(z) - y z), the stable form of -[y log p + (1-y) log(1-p)]
        return float((np.logaddexp(0, z) - y * z).mean())
    if w.output == "sigmoid":
        z = 0.5 * (1 + np.tanh(0.5 * z))
    return float(((z - y) ** 2).mean())
