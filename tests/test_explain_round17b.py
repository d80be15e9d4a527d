"""explain's written-out arithmetic rounds as fmt rounds (a tie a half up, away from zero),
and a value keeps one form in a table: scientific with its digits, never fewer."""

from __future__ import annotations

import re
from decimal import Decimal

import numpy as np
import pytest
from decimal_helpers import own_decimal_context, rounds_to, weight_rows, written_value  # noqa: F401

import glassnet as gn
from glassnet import exercises
from glassnet.explain import _is_plain, explain, fmt_more, typeset
from glassnet.report import fmt


def _tie_net() -> gn.nn.MLP:
    net = gn.nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", dtype=np.float64)
    net.layers[0].W.data[:] = [[3, -2], [3, 2]]
    net.layers[0].b.data[:] = [2, -2]
    net.layers[2].W.data[:] = [[-1], [1]]
    net.layers[2].b.data[:] = [0]
    return net


def test_a_tie_that_rounds_the_other_way_gets_one_more_decimal() -> None:
    """-0.007 * 0.500 = -0.0035 reads -0.004 (fmt, and by hand), not the -0.003 printed:
    the row writes -0.0066 * 0.500 = -0.0033 instead."""
    assert fmt(-0.0035) == "-0.004"
    rows = {r[0]: r for r in weight_rows(explain(_tie_net(), [1.0, 0.5], [1.0]))}
    du, v, shown = rows["w4"][2:]
    assert shown == "-0.003"
    assert (du, v) == ("-0.0066", "0.500")
    assert rounds_to(Decimal(du) * Decimal(v), shown)


def _random_net(t: int):
    rng = np.random.default_rng(t)
    shape = [[2, 2, 1], [2, 3, 2]][t % 2]
    act = ["sigmoid", "tanh", "relu"][(t // 2) % 3]
    loss = ["half_mse", "mse", "binary_cross_entropy"][(t // 6) % 3] if t % 2 == 0 else "mse"
    net = gn.nn.MLP(shape, activation=act, output_activation="sigmoid", dtype=np.float64, rng=t)
    for l in (0, 2):
        net.layers[l].W.data[:] = rng.normal(size=net.layers[l].W.data.shape) * 2
        net.layers[l].b.data[:] = rng.normal(size=net.layers[l].b.data.shape)
    n = int(rng.integers(1, 6))
    x = rng.choice([0, 0.5, 1, 2, -1, -0.3, 0.25], size=(n, 2)).astype(float)
    y = rng.integers(0, 2, size=(n, shape[-1])).astype(float)
    return explain(net, x, y, loss=loss, l2=0.1 if t % 3 == 0 else 0.0)


def test_every_weight_row_rounds_half_up_to_its_printed_gradient() -> None:
    """Over random networks with inputs of 0.5 and 0.25 (which make ties common), every
    row's numbers as printed, worked out exactly and rounded a half up, give the dL/dw
    printed, unless the note under the table names the row."""
    checked = 0
    for t in range(120):
        e = _random_net(t)
        text = e.to_text(notation="ascii", parts=["weights"], max_rows=None)
        noted = set(re.findall(r"(\w+) \([-0-9.e]+\)", text.split("Not an equation")[-1]))
        for row in weight_rows(e):
            if row[0] in noted and "Not an equation" in text:
                continue
            if row[1].startswith("sum_n"):
                got, shown = written_value(row[2]), row[3]
            else:
                du, v, *decay, shown = row[2:]
                got = Decimal(du) * Decimal(v) + (Decimal(decay[0]) if decay and decay[0] else 0)
            assert rounds_to(got, shown), (t, row, got)
            checked += 1
    assert checked > 1000


def test_step3_rows_round_half_up_to_theirwritten_value() -> None:
    """Step 3 (one data point) is held to the same rule as the weight table."""
    checked = 0
    for t in range(60):
        rng = np.random.default_rng(t)
        net = gn.nn.MLP([2, 3, 1], activation="tanh", output_activation="sigmoid", rng=t)
        for l in (0, 2):
            net.layers[l].W.data[:] = rng.choice([-1.5, -0.5, 0.5, 1, 2], net.layers[l].W.shape)
        x = rng.choice([0.5, 0.25, 1, -1], size=2)
        text = explain(net, x, 1.0).to_text(notation="ascii", parts=["backward"])
        step3 = text.split("Step 3.")[1]
        for ln in step3.splitlines():
            cells = re.split(r"\s{2,}", ln.strip())
            if len(cells) == 4 and re.fullmatch(r"[-+*()0-9.e ]*[0-9][-+*()0-9.e ]*", cells[2]):
                assert rounds_to(written_value(cells[2]), cells[3]), (t, ln)
                checked += 1
    assert checked > 100


def test_a_small_value_keeps_its_scientific_form_and_digits() -> None:
    """2.708e-04 to 4 decimals read 0.0003 (one digit) where the table's other rows
    print 2.71e-04: it keeps 2.71e-04; more decimals give it more digits, never fewer."""
    assert fmt(0.0002708) == "2.71e-04"
    assert fmt_more(0.0002708, 3, 4) == "2.71e-04"
    assert fmt_more(0.0002708, 3, 7) == "2.708e-04"
    assert fmt_more(-6.024602e-05, 3, 8) == "-6.025e-05"
    assert fmt_more(-0.0426, 3, 4) == "-0.0426"
    assert fmt_more(0.5, 3, 6) == "0.500"
    for v in (0.0002708, -6.024602e-05, 3.3e-07, 1.234567e-05):
        for k in range(3, 10):
            s = fmt_more(v, 3, k)
            assert "e" in s, (v, k, s)
            assert len(s.partition("e")[0].lstrip("-").replace(".", "")) >= 3, (v, k, s)


def test_the_xnor_table_prints_one_form_of_eachwritten_value() -> None:
    """The slides' XNOR network, 4 points: dL/dz1 of point 1 was -6.02e-05 in rows w2 and
    b1 and -0.00006025 in row w1; it reads -6.02e-05 in every row now."""
    net = gn.nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", dtype=np.float64)
    net.layers[0].W.data[:] = [[4, -4], [4, -4]]
    net.layers[0].b.data[:] = [-6, 2]
    net.layers[2].W.data[:] = [[1], [1]]
    net.layers[2].b.data[:] = [-0.5]
    X, y = gn.datasets.xnor_gate()
    rows = {r[0]: r for r in weight_rows(explain(net, X, y))}
    assert rows["w1"][2].startswith("(-6.02e-05)*0 + ")
    assert rows["b1"][2].startswith("(-6.02e-05)*1 + ")
    assert "-0.0000602" not in " ".join(r[2] for r in rows.values())
    assert rounds_to(written_value(rows["w1"][2]), rows["w1"][3])


def test_softmax_sum_lines_round_half_up_to_the_key() -> None:
    """Seed 30: 0.3679 + 7.3891 + 20.0855 = 27.8425, a half up 27.843, where the key says
    27.842: the line now has the decimals that give 27.842."""
    ex = exercises.generate(30, ["softmax"])[0]
    st = {s.id: s for s in ex.steps}
    assert exercises._num(st["sum"].value) == "27.842"
    addends = [Decimal(t) for t in st["sum"].how.split("=")[1].split(" + ")]
    assert rounds_to(sum(addends), "27.842"), st["sum"].how
    assert st["sum"].how == "e^z1 + e^z2 + e^z3 = 0.36788 + 7.38906 + 20.08554"


@pytest.mark.parametrize(
    "cell",
    ["0.031*1.000 + (-0.022)*0.414", "-2.71e-04", "1.00e+06", "12", "(-0.5)*(-4), 3"],
)
def test_a_numbers_only_cell_is_typeset_unchanged(cell: str) -> None:
    assert _is_plain(cell)
    assert typeset(cell, "unicode") == cell == typeset(cell, "latex")


@pytest.mark.parametrize("cell", ["3 - 4", "2 * 3", "x1", "a1^2", "y_hat", "1/2 (1)"])
def test_a_cell_with_symbols_or_operators_is_typeset(cell: str) -> None:
    assert not _is_plain(cell)
