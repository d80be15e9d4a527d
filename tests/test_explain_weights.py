"""explain's sample_weight and l2: the gradients fit's step uses, and the chain-rule text."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet import tasks
from glassnet.explain import explain
from glassnet.train import graph_step

F64 = np.float64

CASES = [  # loss, hidden activation, output activation, outputs
    ("half_mse", "sigmoid", "sigmoid", 1),
    ("mse", "tanh", "identity", 2),
    ("binary_cross_entropy", "relu", "sigmoid", 1),
    ("binary_cross_entropy_with_logits", "leaky_relu", "identity", 2),
    ("cross_entropy", "tanh", "softmax", 3),
    ("cross_entropy", "sigmoid", "identity", 3),
]


def _data(loss: str, K: int, N: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(N, 3))
    if loss == "cross_entropy":
        Y = np.eye(K)[rng.integers(0, K, N)]
    else:
        Y = (rng.uniform(size=(N, K)) > 0.5).astype(F64)
    w = rng.uniform(0.0, 3.0, size=N)
    w[0] = 0.0 if N > 1 else w[0]  # a weight 0 leaves a data point out
    return X, Y, w


@pytest.mark.parametrize("loss,act,out,K", CASES)
@pytest.mark.parametrize("N", [1, 4])
def test_gradients_are_those_of_fits_step_with_weights_and_l2(loss, act, out, K, N) -> None:
    """explain took neither sample_weight nor l2: a run trained with both could not be
    seen. Its gradients and loss are now the graph engine's step on the same batch."""
    net = gn.nn.MLP([3, 4, K], activation=act, output_activation=out, rng=1, dtype=F64)
    X, Y, w = _data(loss, K, N)
    e = explain(net, X, Y, loss, sample_weight=w, l2=0.3)
    spec = tasks.loss_spec(loss)
    Xc, yc, wc = tasks.check_data(net, spec, X, Y, w, "fit", whole=False)
    value = graph_step(net, spec, loss, 0.3)(Xc, yc, wc)
    ours = [g for l in range(2) for g in (e.grad_W[l], e.grad_b[l])]
    for p, g in zip(net.parameters(), ours):
        np.testing.assert_allclose(g, p.grad, rtol=1e-12, atol=1e-14)
    assert e.loss == pytest.approx(value, rel=1e-12)
    assert e.penalty == pytest.approx(0.3 / (2 * N) * sum((W**2).sum() for W in e.W), rel=1e-12)
    # the step preview steps with them
    name, (w1, g1, new) = next(iter(e.step().items()))
    assert g1 == e.gradient(name) and new == w1 - 0.1 * g1


def test_gradient_is_the_float64_finite_difference_of_the_weighted_penalized_loss() -> None:
    net = gn.nn.MLP([3, 4, 2], activation="tanh", output_activation="sigmoid", rng=2, dtype=F64)
    X, Y, w = _data("half_mse", 2, 3, seed=5)
    e = explain(net, X, Y, sample_weight=w, l2=0.5)
    W = net.layers[0].W.data
    for i, k in [(0, 0), (2, 3)]:
        h = 1e-6
        W[i, k] += h
        up = explain(net, X, Y, sample_weight=w, l2=0.5).loss
        W[i, k] -= 2 * h
        down = explain(net, X, Y, sample_weight=w, l2=0.5).loss
        W[i, k] += h
        assert e.grad_W[0][i, k] == pytest.approx((up - down) / (2 * h), rel=1e-6, abs=1e-10)


def test_unit_weights_and_no_penalty_change_nothing() -> None:
    net = gn.nn.MLP([3, 4, 1], activation="sigmoid", output_activation="sigmoid", rng=1)
    X, Y, _ = _data("half_mse", 1, 4)
    plain = explain(net, X, Y)
    same = explain(net, X, Y, sample_weight=np.ones(4), l2=0.0)
    assert all((a == b).all() for a, b in zip(plain.grad_W, same.grad_W))
    assert plain.loss == same.loss and str(explain(net, X, Y, l2=None)) == str(plain)


def test_text_shows_the_weight_and_the_penalty_one_data_point() -> None:
    net = gn.nn.Sequential(
        gn.nn.Linear(2, 1, bias=True, dtype=F64), gn.nn.Sigmoid()
    )  # one neuron: z = w0 + w1 x1 + w2 x2
    net.layers[0].W.data[:] = [[0.5], [-1.0]]
    e = explain(net, [1.0, 2.0], 1.0, sample_weight=2.0, l2=0.1)
    text = e.to_text(notation="ascii")
    assert "Loss: L = s * 1/2 (y_hat - y)^2." in text
    assert "sample_weight (s = 2)" in text
    y_hat = 1 / (1 + np.exp(-(0.5 - 2.0)))
    # (y_hat with 4 decimals: 2 * (0.182 - 1) would make -1.636, not the -1.635 shown)
    assert f"dL/dy_hat = s * (y_hat - y) = 2 * ({y_hat:.4f} - 1) = {2 * (y_hat - 1):.3f}" in text
    # the penalty: its value in the loss (0.0625, rounded half up as by hand), its gradient
    # l2/N * w in the weights' table
    assert "l2/(2N) * sum w^2 over every weight (no bias) = 0.1/2 * 1.250 = 0.063" in text
    assert "3. Weight gradients: dL/dw = dL/du * v + l2/N * w" in text
    table = e.to_text("weights", notation="ascii").splitlines()
    rows = {r.split()[0]: r.split() for r in table if r.startswith(("w1 ", "w0 "))}
    assert rows["w1"][1:6] == ["dL/dz", "*", "x1", "+", "l2/N"]
    assert rows["w1"][-2] == "0.050"  # l2/N * w1 = 0.1 * 0.5
    assert rows["w0"][1:4] == ["dL/dz", "*", "1"] and len(rows["w0"]) == 7  # a bias: none
    assert e.paths("x1").symbolic.startswith("s (y_hat - y) g'(z)")
    assert "s · ½(ŷ − y)²" in e.to_text(notation="unicode")


def test_text_shows_the_weights_of_a_batch() -> None:
    net = gn.nn.MLP([3, 2, 3], activation="tanh", output_activation="softmax", rng=0)
    X, _, _ = _data("cross_entropy", 3, 2)
    e = explain(net, X, [0, 2], "cross_entropy", sample_weight=[0.5, 2.0], l2=0.2)
    text = e.to_text(notation="ascii", max_rows=None)
    assert "L = s * (-sum_k y_k log y_hat_k), averaged over 2 data points" in text
    assert "s = 0.500, 2 for data points #1 to #2" in text
    assert "dL/dy_hat = s * (-y_k / y_hat_k) / 2." in text
    header = next(r for r in text.splitlines() if r.startswith("#  "))
    assert header.split()[:8] == ["#", "x1", "x2", "x3", "y1", "y2", "y3", "s"]
    data = float(e.sample_loss.mean())
    assert f"+ L2 penalty = {data:.3f} + {e.penalty:.3f} = {e.loss:.3f}." in text
    assert "sum_n dL/dz1 * x1 + l2/N * w1" in text
    assert e.paths("z3").symbolic == "s (y_hat1 - y1)/2"


@pytest.mark.parametrize(
    "kwargs,words",
    [
        ({"sample_weight": [1.0, -1.0]}, "sample_weight must hold finite values >= 0"),
        ({"sample_weight": [1.0, np.nan]}, "sample_weight must hold finite values >= 0"),
        ({"sample_weight": [1.0, 2.0, 3.0]}, r"one weight per data point of x: 2 value\(s\)"),
        ({"sample_weight": 1.0}, r"shape \(2,\). Got shape \(\)"),
        ({"sample_weight": [[1.0, 1.0]]}, r"Got shape \(1, 2\)"),
        ({"sample_weight": ["1", "2"]}, "sample_weight must be real numbers .text is not read"),
        ({"sample_weight": "heavy"}, "sample_weight must be real numbers"),
        ({"l2": -0.1}, "The 'l2' parameter of explain must be a float >= 0. Got -0.1."),
        ({"l2": "0.1"}, "The 'l2' parameter of explain must be a float >= 0. Got '0.1'."),
        ({"l2": np.inf}, "The 'l2' parameter of explain must be a float >= 0. Got inf."),
    ],
)
def test_bad_weights_and_l2_are_named(kwargs, words) -> None:
    net = gn.nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=0)
    with pytest.raises((ValueError, TypeError), match=words):
        explain(net, [[1.0, 0.0], [0.0, 1.0]], [1.0, 0.0], **kwargs)


def test_one_data_points_path_sum_of_a_weight_includes_the_l2_penalty() -> None:
    """With l2 and one data point, section 5 printed dL/dw1 = (the paths' sum) without
    the penalty's l2 * w1, a number other than section 3's dL/dw1. The penalty is the
    reversed graph's direct edge from L to the weight: its own term of the sum."""
    net = gn.nn.MLP([2, 2, 3], activation="tanh", output_activation="softmax", rng=1, dtype=F64)
    e = explain(net, [0.5, -1.0], [0], "cross_entropy", sample_weight=[2.0], l2=0.3, paths=True)
    for name in ["w1", "w5", "b1", "x1"]:
        p = e.paths(name, max_terms=10_000)
        assert p.value == pytest.approx(sum(p.products), rel=1e-12)
        assert p.value == pytest.approx(e.gradient(name), rel=1e-12)
    assert e.paths("w5").symbolic == "s (y_hat1 - y1) a1 + l2 w5"
    assert e.paths("b3").symbolic == "s (y_hat1 - y1)"  # (a bias has no penalty)
    assert e.paths("w5", max_terms=1).symbolic == "s (y_hat1 - y1) a1 + l2 w5"
    text = e.to_text("paths", notation="ascii")
    w5 = text[text.index("dL/dw5 =") :].splitlines()
    # (4 decimals: (-1.630)(0.709) + (0.300)(-0.412) would make -1.279, not the -1.280 shown)
    assert w5[1].split("=")[1].split() == ["(-1.6298)(0.7095)", "+", "(0.300)(-0.4123)"]
    assert w5[2].split() == ["=", f"{e.gradient('w5'):.3f}"]
    # a batch's paths are data point #1's share, the penalty added once for the batch
    batch = explain(net, [[0.5, -1.0], [1.0, 0.0]], [0, 1], "cross_entropy", l2=0.3, paths=True)
    assert "l2" not in batch.paths("w5").symbolic
    assert "the batch's l2/N * w once" in batch.to_text("paths", notation="ascii")


def test_an_overflow_from_l2_or_sample_weight_is_named() -> None:
    """An l2 or a sample weight too large for float64 was blamed on the weights and the
    inputs ("the weights (largest |w| 1.184) or the inputs are too large"), and a
    penalty that alone overflowed left L = inf with no warning at all."""
    net = gn.nn.MLP([2, 2, 1], activation="tanh", output_activation="sigmoid", rng=0, dtype=F64)
    x = [0.5, -1.0]
    e = explain(net, x, 1.0, "binary_cross_entropy", l2=1.7e308)
    assert len(e.problems) == 1 and "l2 = 1.7e+308" in e.problems[0]
    assert "lower l2" in e.problems[0]
    assert "l2 = 1.7e+308 are too large" in e.to_text()  # (no NumPy overflow warning)
    assert "l2 = 1.7e+308 are too large" in explain(net, [x, x], [1.0, 1.0], l2=1.7e308).to_text()
    e = explain(net, x, 0.0, "binary_cross_entropy", sample_weight=1.5e308)
    assert len(e.problems) == 1 and "sample_weight (largest 1.5e+308)" in e.problems[0]
    for W in (net.layers[0].W, net.layers[2].W):
        W.data[:] = 0.9  # every gradient l2 * w finite, their sum of squares l2/2 * 4.86 not
    e = explain(net, x, 1.0, "binary_cross_entropy", l2=1e308)
    assert np.isinf(e.loss) and all(np.isfinite(g).all() for g in e.grad_W)
    assert len(e.problems) == 1 and "l2 = 1e+308" in e.problems[0]
    assert "the loss" in e.problems[0]
