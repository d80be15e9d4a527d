"""The lecture's own examples and numbers, reproduced with glassnet.

OR and AND by one sigmoid neuron, the slide's AND boundary, XNOR (not linearly
separable: one neuron fails, a 2-2-1 network succeeds), the slide's hand-set XNOR
network and its hidden-feature table, forward propagation as matrix products, and
the chain-rule gradients of the 2-2-1 network.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import glassnet as gn
from glassnet import functional as F
from glassnet import nn
from glassnet.datasets import and_gate, logic_gate, or_gate, xnor_gate

GATE_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)


def sigma(z):
    return 1.0 / (1.0 + np.exp(-z))


def accuracy(model, X, y):
    return float(np.mean((model.predict(X)[:, 0] > 0.5) == (y > 0.5)))


# ------------------------------------------------------------- OR, AND: one neuron
def test_gate_tables_match_the_slides():
    for name, column in [("or", [0, 1, 1, 1]), ("and", [0, 0, 0, 1]), ("xnor", [1, 0, 0, 1])]:
        X, y = logic_gate(name)
        np.testing.assert_array_equal(X, GATE_INPUTS)
        np.testing.assert_array_equal(y, column)


@pytest.mark.parametrize("gate", [or_gate, and_gate])
def test_one_sigmoid_neuron_learns_or_and_and(gate):
    X, y = gate()
    neuron = nn.Neuron(2, "sigmoid", rng=0)
    h = gn.fit(neuron, X, y, loss="binary_cross_entropy", lr=1.0, epochs=1000, verbose=0)
    assert h.loss[-1] < h.loss[0]
    assert accuracy(neuron, X, y) == 1.0
    # the decision boundary z = w0 + w1 x1 + w2 x2 = 0 is a straight line with the
    # positive corners on one side and the negative ones on the other
    z = X @ neuron.weights + neuron.bias
    assert np.all((z > 0) == (y == 1))


def test_slide_and_weights():
    # The slide: z = -1.5 + x1 + x2; the boundary z = 0 passes between (1, 1) and the rest.
    neuron = nn.Neuron(2, "sigmoid", rng=0)
    neuron.set_weights([1.0, 1.0], -1.5)
    X, y = and_gate()
    z = X @ neuron.weights + neuron.bias
    np.testing.assert_allclose(z, [-1.5, -0.5, -0.5, 0.5])
    np.testing.assert_allclose(neuron.predict(X)[:, 0], sigma(z), rtol=1e-6)
    assert accuracy(neuron, X, y) == 1.0
    assert sigma(0.0) == 0.5  # the decision threshold 0.5 = sigma(0)


# ------------------------------------------------------------------------ XNOR
def test_one_neuron_cannot_learn_xnor():
    # No line separates XNOR. A neuron classifies (x1, x2) as 1 when z = w0 + w1 x1 + w2 x2 > 0.
    # Getting all four rows right needs
    #   (0,0) -> 1: w0 > 0            (1,1) -> 1: w0 + w1 + w2 > 0
    #   (0,1) -> 0: w0 + w2 <= 0      (1,0) -> 0: w0 + w1 <= 0
    # Adding the left pair gives 2 w0 + w1 + w2 > 0; adding the right pair gives
    # 2 w0 + w1 + w2 <= 0. Both cannot hold, so at most 3 of 4 rows (75 %) are right.
    X, y = xnor_gate()
    for seed in range(3):
        neuron = nn.Neuron(2, "sigmoid", rng=seed, dtype=np.float64)
        h = gn.fit(
            neuron,
            X,
            y,
            loss="binary_cross_entropy",
            optimizer="adam",
            lr=0.1,
            epochs=1500,
            verbose=0,
        )
        # trained well: at the best a line can do, the logistic loss is ln 2 (w = 0 by the
        # data's symmetry), so the neuron reached its optimum and still fails
        assert h.loss[-1] == pytest.approx(math.log(2), abs=1e-3)
        assert accuracy(neuron, X, y) <= 0.75
    # the same argument checked on a grid of weights: no (w0, w1, w2) gets all four right
    g = np.linspace(-5, 5, 41)
    W0, W1, W2 = np.meshgrid(g, g, g, indexing="ij")
    right = np.zeros(W0.shape, dtype=int)
    for (x1, x2), target in zip(X, y):
        right += ((W0 + W1 * x1 + W2 * x2) > 0) == (target == 1)
    assert right.max() == 3


def test_two_layer_network_learns_xnor_from_random_weights():
    X, y = xnor_gate()
    model = nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=0)
    h = gn.fit(model, X, y, loss="binary_cross_entropy", lr=5.0, epochs=2000, verbose=0)
    assert h.loss[-1] < 0.01
    assert accuracy(model, X, y) == 1.0


def slide_xnor_network(dtype=np.float64):
    """The slide's 2-2-1 network: a1 = s(-6 + 4 x1 + 4 x2), a2 = s(2 - 4 x1 - 4 x2),
    and the output neuron z = -0.5 + a1 + a2."""
    model = nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=0, dtype=dtype)
    hidden, out = model.layers[0], model.layers[2]
    hidden.W.data[...] = [[4.0, -4.0], [4.0, -4.0]]  # column i: neuron i's weights
    hidden.b.data[...] = [-6.0, 2.0]
    out.W.data[...] = [[1.0], [1.0]]
    out.b.data[...] = [-0.5]
    return model


def test_slide_xnor_hidden_features_table():
    model = slide_xnor_network()
    X, y = xnor_gate()
    A = model[:2].predict(X)  # (4, 2): the new features a1, a2
    table = [[0.002, 0.881], [0.119, 0.119], [0.119, 0.119], [0.881, 0.002]]
    np.testing.assert_array_equal(np.round(A, 3), table)
    # in (a1, a2) space the classes are separated by the line -0.5 + a1 + a2 = 0
    z = -0.5 + A.sum(axis=1)
    assert np.all((z > 0) == (y == 1))
    assert accuracy(model, X, y) == 1.0
    np.testing.assert_allclose(model.predict(X)[:, 0], sigma(z), rtol=1e-12)


def test_slide_xnor_network_float32():
    model = slide_xnor_network(np.float32)
    X, y = xnor_gate(dtype=np.float32)
    A = model[:2].predict(X)
    assert A.dtype == np.float32
    table = [[0.002, 0.881], [0.119, 0.119], [0.119, 0.119], [0.881, 0.002]]
    np.testing.assert_allclose(A, table, atol=5e-4)  # equal to 3 decimals
    assert accuracy(model, X, y) == 1.0


# ------------------------------------------------- forward propagation as matrices
def test_forward_propagation_single_layer_no_bias():
    # y_hat = g(W^T x) with W of shape (3 inputs, 2 neurons), as on the slide
    rng = np.random.default_rng(0)
    layer = nn.Sequential(nn.Linear(3, 2, bias=False, rng=1, dtype=np.float64), nn.Sigmoid())
    W = layer.layers[0].W.data
    assert W.shape == (3, 2)
    for x in rng.standard_normal((5, 3)):
        np.testing.assert_allclose(layer.predict(x[None, :])[0], sigma(W.T @ x), rtol=1e-12)


def test_forward_propagation_two_layers_no_bias():
    # y_hat = g2(W2^T g1(W1^T x)), W1: (3, 3), W2: (3, 2)
    net = nn.Sequential(
        nn.Linear(3, 3, bias=False, rng=1, dtype=np.float64),
        nn.Tanh(),
        nn.Linear(3, 2, bias=False, rng=2, dtype=np.float64),
        nn.Sigmoid(),
    )
    W1, W2 = net.layers[0].W.data, net.layers[2].W.data
    X = np.random.default_rng(3).standard_normal((6, 3))
    by_hand = np.stack([sigma(W2.T @ np.tanh(W1.T @ x)) for x in X])  # one column x at a time
    np.testing.assert_allclose(net.predict(X), by_hand, rtol=1e-12)
    # the batch form: rows of X are the x's, so W^T x becomes X @ W
    np.testing.assert_allclose(net.predict(X), sigma(np.tanh(X @ W1) @ W2), rtol=1e-12)


def test_forward_propagation_mlp_with_bias_as_x0():
    # the bias is w_0 with x_0 = 1: prepend a 1 to x and a row b to W
    mlp = nn.MLP(
        [4, 5, 3, 2], activation="relu", output_activation="softmax", rng=0, dtype=np.float64
    )
    lins = [m for m in mlp.layers if isinstance(m, nn.Linear)]
    X = np.random.default_rng(1).standard_normal((7, 4))

    def layer(a, lin):
        W_aug = np.vstack([lin.b.data[None, :], lin.W.data])  # (1 + inputs, neurons)
        a_aug = np.hstack([np.ones((len(a), 1)), a])  # x_0 = 1
        return a_aug @ W_aug

    a = np.maximum(layer(X, lins[0]), 0)
    a = np.maximum(layer(a, lins[1]), 0)
    z = layer(a, lins[2])
    y_hat = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(mlp.predict(X), y_hat, rtol=1e-12)
    np.testing.assert_allclose(mlp.predict(X).sum(axis=1), 1.0)


# ------------------------------------------------------- tasks: one-hot encoding
def test_one_hot_table():
    # Cat -> [1, 0, 0], Dog -> [0, 1, 0], Bird -> [0, 0, 1] (classes numbered in that order)
    np.testing.assert_array_equal(F.one_hot([0, 1, 2], 3), np.eye(3))


# ------------------------------------------------- backpropagation on the 2-2-1 network
def test_chain_rule_gradients_of_the_slide_network():
    # z1 = w1 x1 + w3 x2, z2 = w2 x1 + w4 x2, a_i = g(z_i), z3 = w5 a1 + w6 a2, y_hat = g(z3),
    # L = 1/2 (y_hat - y)^2 with g the sigmoid (no biases, as on the slides).
    w1, w2, w3, w4, w5, w6 = 0.3, -0.8, 0.5, 0.2, 1.1, -0.7
    x1, x2, y = 0.6, -1.2, 1.0
    net = nn.Sequential(
        nn.Linear(2, 2, bias=False, rng=0, dtype=np.float64),
        nn.Sigmoid(),
        nn.Linear(2, 1, bias=False, rng=0, dtype=np.float64),
        nn.Sigmoid(),
    )
    net.layers[0].W.data[...] = [[w1, w2], [w3, w4]]  # row j: input x_j; column i: neuron i
    net.layers[2].W.data[...] = [[w5], [w6]]
    x = gn.Tensor(np.array([[x1, x2]]), requires_grad=True)
    loss = F.mse(net(x), np.array([[y]]), half=True)
    loss.backward()

    z1, z2 = w1 * x1 + w3 * x2, w2 * x1 + w4 * x2
    a1, a2 = sigma(z1), sigma(z2)
    z3 = w5 * a1 + w6 * a2
    y_hat = sigma(z3)

    def gp(z):
        return sigma(z) * (1 - sigma(z))

    d3 = (y_hat - y) * gp(z3)  # dL/dz3 = (y_hat - y) g'(z3)
    d1, d2 = d3 * w5 * gp(z1), d3 * w6 * gp(z2)  # dL/dz1, dL/dz2
    assert float(loss.data) == pytest.approx(0.5 * (y_hat - y) ** 2, rel=1e-12)
    np.testing.assert_allclose(net.layers[2].W.grad[:, 0], [d3 * a1, d3 * a2], rtol=1e-12)
    np.testing.assert_allclose(
        net.layers[0].W.grad, [[d1 * x1, d2 * x1], [d1 * x2, d2 * x2]], rtol=1e-12
    )
    # chain rule (2): x1 reaches L along two paths, and the gradient is their sum
    dx1 = d3 * w5 * gp(z1) * w1 + d3 * w6 * gp(z2) * w2
    dx2 = d3 * w5 * gp(z1) * w3 + d3 * w6 * gp(z2) * w4
    np.testing.assert_allclose(x.grad[0], [dx1, dx2], rtol=1e-12)


def test_gradient_descent_step_is_the_slides_update():
    # w_j <- w_j - gamma dL/dw_j, one full-batch step of plain gradient descent
    X, y = and_gate()
    neuron = nn.Neuron(2, "sigmoid", rng=3, dtype=np.float64)
    w, w0 = neuron.weights.copy(), neuron.bias
    gn.fit(neuron, X, y, loss="half_mse", optimizer="sgd", lr=0.5, epochs=1, verbose=0)
    a = sigma(X @ w + w0)
    delta = (a - y) * a * (1 - a) / len(X)  # dL/dz averaged over the four rows
    np.testing.assert_allclose(neuron.weights, w - 0.5 * X.T @ delta, rtol=1e-12)
    assert neuron.bias == pytest.approx(w0 - 0.5 * delta.sum(), rel=1e-12)
