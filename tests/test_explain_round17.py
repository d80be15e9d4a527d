"""explain's weight-gradient tables: the arithmetic as written gives dL/dw as printed."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
from decimal_helpers import own_decimal_context, rounds_to, weight_rows, written_value  # noqa: F401

import glassnet as gn
from glassnet.explain import explain


def _xnor_net(act: str = "sigmoid") -> gn.nn.MLP:
    """The lecture's XNOR network (the slides' weights)."""
    net = gn.nn.MLP([2, 2, 1], activation=act, output_activation="sigmoid", dtype=np.float64)
    net.layers[0].W.data[:] = [[4, -4], [4, -4]]
    net.layers[0].b.data[:] = [-6, 2]
    net.layers[2].W.data[:] = [[1], [1]]
    net.layers[2].b.data[:] = [-0.5]
    return net


def test_batch_xnor_sums_as_written_give_the_printed_gradient() -> None:
    X, y = gn.datasets.xnor_gate()
    for loss in ("mse", "binary_cross_entropy"):
        rows = weight_rows(explain(_xnor_net(), X, y, loss=loss))
        assert len(rows) == 9, rows
        for name, _, numbers, shown in rows:
            got = written_value(numbers)
            assert rounds_to(got, shown), (loss, name, numbers, got, shown)
    # the audit's rows: w1 and b3 of the slides' network with half-MSE
    rows = {r[0]: r for r in weight_rows(explain(_xnor_net(), X, y))}
    assert rows["w1"][3] == "2.42e-04" and rounds_to(written_value(rows["w1"][2]), "2.42e-04")
    assert rows["b3"][3] == "0.005" and rounds_to(written_value(rows["b3"][2]), "0.005")


def test_one_point_product_gives_the_printed_gradient() -> None:
    rows = {r[0]: r for r in weight_rows(explain(_xnor_net(), [1.0, 1.0], 1.0))}
    du, v, shown = rows["w6"][2], rows["w6"][3], rows["w6"][4]
    assert shown == "2.42e-04" or shown == "-2.42e-04"
    assert rounds_to(Decimal(du) * Decimal(v), shown), (du, v, shown)
    # the lecture's table keeps its 3 decimals where they already multiply out
    assert rows["w5"][2:] == ["-0.098", "0.881", "-0.086"]


def test_one_point_random_networks_multiply_out() -> None:
    rng = np.random.default_rng(0)
    checked = 0
    for trial in range(40):
        act = ["sigmoid", "tanh", "relu"][trial % 3]
        net = gn.nn.MLP([2, 2, 1], activation=act, output_activation="sigmoid", rng=trial)
        for l in (0, 2):
            net.layers[l].W.data[:] = rng.normal(size=net.layers[l].W.data.shape).round(1) * 2
            net.layers[l].b.data[:] = rng.normal(size=net.layers[l].b.data.shape).round(1)
        x = rng.choice([0, 0.5, 1, 2, -1], size=2).astype(float)
        yv = float(rng.integers(0, 2))
        for row in weight_rows(explain(net, x, yv, l2=0.1 if trial % 2 else 0.0)):
            du, v, *decay, shown = row[2:]
            got = Decimal(du) * Decimal(v) + (Decimal(decay[0]) if decay and decay[0] else 0)
            assert rounds_to(got, shown), (trial, row, got)
            checked += 1
    assert checked == 40 * 9


def test_a_sum_that_cannot_add_up_is_said_so() -> None:
    """A bias gradient that is float noise around 0 (0.1 + 0.2 - 0.3): the numbers as
    printed add up to 0, not to the printed 1.39e-17, and the text says so."""
    net = gn.nn.MLP([1, 1], output_activation="identity", dtype=np.float64)
    net.layers[0].W.data[:] = [[0.0]]
    net.layers[0].b.data[:] = [0.0]
    e = explain(net, [[1.0], [2.0], [3.0]], [-0.1, -0.2, 0.3])
    text = e.to_text(notation="ascii", parts=["weights"])
    assert "Not an equation as printed: the numbers of w0 (0) give" in text
    assert "w1 (" not in text  # (w1's row adds up)
    rows = {r[0]: r for r in weight_rows(e)}
    assert written_value(rows["w0"][2]) == 0 and rows["w0"][3] != "0"


def test_markdown_writes_the_word_node_upright() -> None:
    """``\\partial node`` typeset n·o·d·e as a product in italics."""
    md = explain(_xnor_net(), [1.0, 1.0], 1.0).to_markdown()
    assert r"\frac{\partial L}{\partial \text{node}}" in md
    assert r"\partial node}" not in md
    assert gn.explain.latex_symbol("dL/dz1") == r"\frac{\partial L}{\partial z_{1}}"


def test_the_docs_call_the_layer_superscript_glassnets_rendering_of_the_slides() -> None:
    """The lecture writes W^{[1]}; teaching.md called W⁽¹⁾ the slides' notation."""
    from pathlib import Path

    doc = (Path(__file__).parent.parent / "docs" / "teaching.md").read_text(encoding="utf-8")
    assert "glassnet's rendering of the lecture's `W^{[1]}`" in doc
    assert "the slides' `W⁽¹⁾`" not in doc
