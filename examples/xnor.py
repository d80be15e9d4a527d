"""XNOR: one neuron cannot learn it, two layers can (the lecture's feature transformation).

XNOR is 1 when x1 == x2. No straight line puts (0,0) and (1,1) on one side and
(0,1), (1,0) on the other: a neuron would need w0 > 0 and w0 + w1 + w2 > 0 (sum:
2 w0 + w1 + w2 > 0) and also w0 + w1 <= 0 and w0 + w2 <= 0 (sum: 2 w0 + w1 + w2 <= 0).
So one neuron gets at most 3 of 4 rows right. A hidden layer of two neurons turns
(x1, x2) into new features (a1, a2) in which the classes are separable.

Run: python examples/xnor.py
"""

from __future__ import annotations

import numpy as np

import glassnet as gn
from glassnet import nn
from glassnet.datasets import xnor_gate


def accuracy(model: nn.Module, X: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean((model.predict(X)[:, 0] > 0.5) == (y > 0.5)))


def sigma(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def main() -> None:
    X, y = xnor_gate()

    # 1) one sigmoid neuron, trained to its optimum (loss ln 2 = 0.693: w = 0)
    neuron = nn.Neuron(2, "sigmoid", rng=0, dtype=np.float64)
    h = gn.fit(
        neuron, X, y, loss="binary_cross_entropy", optimizer="adam", lr=0.1, epochs=1500, verbose=0
    )
    print("XNOR with one sigmoid neuron")
    print(f"  final loss {h.loss[-1]:.4f} (ln 2 = {np.log(2):.4f}: the best a line can do)")
    print(f"one neuron accuracy: {accuracy(neuron, X, y):.2f}")

    # 2) a 2-2-1 sigmoid network from random weights (seed 0), plain gradient descent
    model = nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=0)
    h = gn.fit(model, X, y, loss="binary_cross_entropy", lr=5.0, epochs=2000, verbose=0)
    print("\nXNOR with a 2-2-1 sigmoid network, random initial weights (seed 0)")
    print(f"  final loss {h.loss[-1]:.4f}; outputs {np.round(model.predict(X)[:, 0], 3)}")
    print(f"2-2-1 network accuracy: {accuracy(model, X, y):.2f}")

    # 3) the slide's hand-set network: a1 = s(-6 + 4 x1 + 4 x2), a2 = s(2 - 4 x1 - 4 x2),
    #    output z = -0.5 + a1 + a2
    slide = nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=0)
    slide.layers[0].W.data[...] = [[4, -4], [4, -4]]  # W1: (inputs, neurons)
    slide.layers[0].b.data[...] = [-6, 2]
    slide.layers[2].W.data[...] = [[1], [1]]
    slide.layers[2].b.data[...] = [-0.5]
    A = slide[:2].predict(X)  # (4, 2): the hidden features
    print("\nThe slide's network: hidden features a1, a2")
    print("  x1 x2 | y | a1     a2    | z = -0.5 + a1 + a2 | prediction")
    for (x1, x2), t, (a1, a2) in zip(X.astype(int), y.astype(int), A):
        z = -0.5 + a1 + a2
        print(f"   {x1}  {x2} | {t} | {a1:.3f}  {a2:.3f} | {z:+.3f}             | {int(z > 0)}")
    print(f"slide network accuracy: {accuracy(slide, X, y):.2f}")

    # 4) forward propagation as matrices: y_hat = g2(W2^T g1(W1^T x)) (+ biases)
    W1, b1 = slide.layers[0].W.data, slide.layers[0].b.data
    W2, b2 = slide.layers[2].W.data, slide.layers[2].b.data
    by_hand = np.array([sigma(W2.T @ sigma(W1.T @ x + b1) + b2)[0] for x in X])
    same = np.allclose(by_hand, slide.predict(X)[:, 0], rtol=1e-5)
    print(f"\nforward propagation by hand equals the network's output: {same}")


if __name__ == "__main__":
    main()
