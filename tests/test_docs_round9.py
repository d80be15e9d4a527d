"""What docs/jit.md, gpu.md, engines.md, graph_speed.md, teaching.md and sklearn.md say
about glassnet, checked against what it does (numbers the text quotes, messages, names)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

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


# ----------------------------------------------------------------------------- gpu.md
def test_gpu_cuda_1_is_refused_with_the_way_to_pick_a_device():
    """gpu.md: which calls refuse 'cuda:1' naming cupy.cuda.Device(n).use(); both do (fit
    once only listed 'cpu' and 'cuda', and the doc still said so)."""
    import glassnet as gn

    text = _flat(_doc("gpu.md"))
    said = re.search(
        r"(`[^`]*\"cuda:1\"\)`(?: and `[^`]*\"cuda:1\"\)`)?) (?:is|are) refused with", text
    )
    assert said, "gpu.md: what refuses 'cuda:1'"
    calls = re.findall(r"`([^`]*)`", said.group(1))
    assert calls == ['model.to("cuda:1")', 'fit(device="cuda:1")']
    model = gn.nn.MLP([2, 3, 1], rng=0)
    X, y = np.zeros((4, 2)), np.zeros((4, 1))
    for call in (lambda: model.to("cuda:1"), lambda: gn.fit(model, X, y, device="cuda:1")):
        with pytest.raises(ValueError, match=re.escape("cupy.cuda.Device(n).use()")):
            call()
    assert "only lists the accepted" not in text
