"""What docs/jit.md, gpu.md, engines.md, graph_speed.md, teaching.md and sklearn.md say
about glassnet, checked against what it does (numbers the text quotes, messages, names)."""

from __future__ import annotations

import re
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs"
BENCH = Path(__file__).resolve().parent.parent / "bench"


def _doc(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def _flat(text: str) -> str:
    """The text with its line breaks as spaces (a quote may wrap)."""
    return " ".join(text.split())


# ----------------------------------------------------------------------------- jit.md
def _fast(sizes: list[int], batch: int) -> int:
    from glassnet import jit, nn
    from glassnet.fused import FastMLP, layers_of

    model = nn.MLP(sizes, activation="tanh", output_activation="sigmoid", rng=0)
    return jit._macs(FastMLP(layers_of(model, training=True), "binary_cross_entropy"), batch)


def test_jit_size_rule_examples_are_the_rules_numbers():
    """ "(W3: 4 rows, 24; W2: 64 rows, 348k; W1 at batch 32, 7.5M, ...)": the forward pass's
    multiply-adds jit.is_small counts for each workload."""
    text = _flat(_doc("jit.md"))
    m = re.search(r"\(W3: 4 rows, ([\d.]+); W2: 64 rows, (\d+)k; W1 at batch 32, ([\d.]+)M,", text)
    assert m, "jit.md: the size rule's workload examples"
    w3, w2, w1 = float(m.group(1)), float(m.group(2)), float(m.group(3))
    assert w3 == _fast([2, 2, 1], 4)
    assert w2 == round(_fast([20, 64, 64, 1], 64) / 1e3)
    assert w1 == round(_fast([784, 256, 128, 10], 32) / 1e6, 1)


def test_jit_size_rule_wins_are_the_tables():
    """ "Within it every measured step won, by A× to B×": the smallest and largest NumPy / jit
    ratio of the crossover table's rows that the size rule takes (rows <= SMALL_ROWS,
    forward multiply-adds <= SMALL_MACS)."""
    from glassnet import jit

    text = _doc("jit.md")
    m = re.search(r"Within it every measured step won, by ([\d.]+)× to ([\d.]+)×", _flat(text))
    assert m, "jit.md: the size rule's measured wins"
    row = r"^\| (\d+) \| (\d+) \| ([\d,]+) \| [\d.]+ \| [\d.]+ \| ([\d.]+)× \|$"
    rows = re.findall(row, text, re.M)
    assert len(rows) == 24  # the crossover table
    inside = [
        float(r)
        for _, batch, macs, r in rows
        if int(batch) <= jit.SMALL_ROWS and int(macs.replace(",", "")) <= jit.SMALL_MACS
    ]
    assert inside and min(inside) > 1.0  # the rule keeps to the measured wins
    assert (float(m.group(1)), float(m.group(2))) == (round(min(inside), 1), round(max(inside), 1))
