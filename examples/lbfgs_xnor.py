"""The lecture's XNOR network trained by L-BFGS, in PyTorch's closure loop.

Gradient descent takes thousands of steps on the 2-2-1 XNOR network; L-BFGS, which builds
a picture of the loss's curvature from the last gradients, takes a few dozen loss
evaluations. The loop is PyTorch's, spelled ``gn`` for ``torch``: a closure that zeroes the
gradients, computes the loss and calls ``backward()``, handed to ``optimizer.step``.

Run: python examples/lbfgs_xnor.py

It prints the loss before and after each call of ``step`` and the network's table, and ends with
"L-BFGS accuracy: 1.00" and the loss evaluations L-BFGS took to a loss of 0.01 against the
steps gradient descent takes from the same start.
"""

from __future__ import annotations

import numpy as np

import glassnet as gn
import glassnet.nn.functional as F
from glassnet import nn
from glassnet.datasets import xnor_gate


def network() -> nn.Module:
    return nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=1,
                  dtype=np.float64)  # fmt: skip


def main() -> None:
    X, y = xnor_gate()
    y = y.reshape(-1, 1)  # (one output: the targets as a column)
    Xt, yt = gn.tensor(X, dtype=gn.float64), gn.tensor(y, dtype=gn.float64)

    model = network()
    optimizer = gn.optim.LBFGS(model.parameters(), lr=1.0, line_search_fn="strong_wolfe")
    calls, reached = 0, None  # closure calls; the call at which the loss first fell to 0.01

    def closure() -> gn.Tensor:
        nonlocal calls, reached
        calls += 1
        optimizer.zero_grad()
        loss = F.binary_cross_entropy(model(Xt), yt)
        if reached is None and float(loss) <= 0.01:
            reached = calls
        loss.backward()
        return loss

    print("L-BFGS on the lecture's XNOR network (binary cross-entropy, full batch)")
    for step in range(1, 4):
        before = optimizer.step(closure)  # (PyTorch's: the loss the step started from)
        with gn.no_grad():
            after = float(F.binary_cross_entropy(model(Xt), yt))
        print(f"  step {step}: loss {float(before):.6f} -> {after:.6f} ({calls} closure calls)")
    out = model(Xt).data[:, 0]
    print("  x1 x2  y   y_hat")
    for (x1, x2), t, p in zip(X, y[:, 0], out):
        print(f"  {x1:2.0f} {x2:2.0f}  {t:.0f}   {p:.4f}")
    print(f"L-BFGS accuracy: {np.mean((out > 0.5) == (y[:, 0] > 0.5)):.2f}")

    # plain gradient descent (the lecture's rule, learning rate 1) from the same start
    gd = network()
    sgd = gn.optim.SGD(gd.parameters(), lr=1.0)
    steps = 0
    while steps < 100_000:
        sgd.zero_grad()
        loss = F.binary_cross_entropy(gd(Xt), yt)
        if float(loss) <= 0.01:
            break
        loss.backward()
        sgd.step()
        steps += 1
    print(f"to loss 0.01: L-BFGS {reached} loss evaluations, gradient descent {steps} steps")


if __name__ == "__main__":
    main()
