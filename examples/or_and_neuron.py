"""OR and AND, each learned by one sigmoid neuron (the lecture's first networks).

A neuron computes z = w0 + w1 x1 + w2 x2 and y_hat = sigma(z); it predicts 1 when
y_hat > 0.5 = sigma(0), so its decision boundary z = 0 is a straight line. OR and
AND are linearly separable: gradient descent finds such a line.

Run: python examples/or_and_neuron.py
"""

from __future__ import annotations

import numpy as np

import glassnet as gn
from glassnet import nn
from glassnet.datasets import logic_gate


def show_gate(name: str, neuron: nn.Neuron, X: np.ndarray, y: np.ndarray) -> float:
    """Print the truth table with the neuron's z, y_hat and prediction; return the accuracy."""
    z = X @ neuron.weights + neuron.bias  # (4,)
    y_hat = neuron.predict(X)[:, 0]  # (4,)
    pred = (y_hat > 0.5).astype(int)
    print("  x1 x2 | y | z        y_hat  prediction")
    for (x1, x2), t, zi, p, c in zip(X.astype(int), y.astype(int), z, y_hat, pred):
        print(f"   {x1}  {x2} | {t} | {zi:+7.3f}  {p:.3f}  {c}")
    acc = float(np.mean(pred == y))
    print(f"{name} accuracy: {acc:.2f}")
    return acc


def main() -> None:
    for gate in ("or", "and"):
        X, y = logic_gate(gate)
        neuron = nn.Neuron(2, "sigmoid", rng=0)
        history = gn.fit(neuron, X, y, loss="binary_cross_entropy", lr=1.0, epochs=1000, verbose=0)
        w1, w2 = neuron.weights
        print(f"\n{gate.upper()} gate, one sigmoid neuron trained by gradient descent")
        print(f"  {history.message} Final loss {history.loss[-1]:.4f}.")
        print(f"  learned boundary: z = {neuron.bias:+.2f} {w1:+.2f} x1 {w2:+.2f} x2 = 0")
        show_gate(gate.upper(), neuron, X, y)

    # The slide's AND neuron, set by hand: z = -1.5 + x1 + x2
    X, y = logic_gate("and")
    slide = nn.Neuron(2, "sigmoid", rng=0)
    slide.set_weights([1.0, 1.0], -1.5)
    print("\nAND gate with the slide's weights: z = -1.5 + x1 + x2")
    show_gate("slide AND", slide, X, y)


if __name__ == "__main__":
    main()
