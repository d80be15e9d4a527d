"""Notebook display round 20: explain's display cost, interrupted training, figure and SVG
displays, Parameter's repr, Markdown escaping, verbose=2, legend labels, scaler repr."""

from __future__ import annotations

import re

import numpy as np
import pytest

import glassnet as gn
import glassnet.explain as ex
from glassnet import nn


def _explanation(width: int) -> ex.Explanation:
    net = nn.MLP([width, width, width, 10], activation="relu", output_activation="softmax", rng=0)
    x = np.random.default_rng(0).normal(size=width)
    return gn.explain(net, x, np.eye(10)[0], loss="cross_entropy")


def _count_formatting(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls = [0]
    for name in ("fmt", "fmt_more"):
        real = getattr(ex, name)

        def counted(*a, _real=real, **k):  # type: ignore[no-untyped-def]
            calls[0] += 1
            return _real(*a, **k)

        monkeypatch.setattr(ex, name, counted)
    return calls


def test_explain_display_formats_only_the_rows_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    # a 128-128-128-10 network's display formatted every one of its ~35,000 weights'
    # rows (and every term of each 128-term sum) before cutting to MAX_ROWS: 14 s a cell
    # (both networks have more rows in every table than MAX_ROWS shows)
    small, wide = _explanation(100), _explanation(200)
    calls = _count_formatting(monkeypatch)
    small.to_text()
    at_32 = calls[0]
    calls[0] = 0
    text = wide.to_text()
    at_128 = calls[0]
    assert at_128 < 1.5 * at_32, (at_32, at_128)  # (the work grew with the weights, 4x)
    # the rows left out are still counted
    more = [int(m) for m in re.findall(r"\.\.\. (\d+) more rows of this table", text)]
    n_weights = 200 * 201 * 2 + 201 * 10
    assert n_weights - ex.MAX_ROWS in more  # sections 3 and 4: one row per weight
    assert len(wide.to_text().splitlines()) == len(text.splitlines())


def test_explain_formats_shared_between_notebook_forms(monkeypatch: pytest.MonkeyPatch) -> None:
    e = _explanation(16)
    built = [0]
    real = ex.Explanation._build_sections

    def counting(self, limit):  # type: ignore[no-untyped-def]
        built[0] += 1
        return real(self, limit)

    monkeypatch.setattr(ex.Explanation, "_build_sections", counting)
    e._repr_html_()
    e._repr_markdown_()
    repr(e)
    assert built[0] == 1
    e.decimals = 5  # a changed setting builds them again
    assert "0.00000" in e.to_text() or built[0] == 2
    assert built[0] == 2


def test_explain_cut_counts_match_the_full_table() -> None:
    e = _explanation(12)
    full = e.to_text(max_rows=None)
    cut = e.to_text(max_rows=5)
    n_full = [len(t.splitlines()) for t in full.split("\n\n")]
    assert full != cut and n_full
    # every "N more rows" + the 5 shown = the rows of that table in the full text
    stated = [int(m) + 5 for m in re.findall(r"\.\.\. (\d+) more rows of this table", cut)]
    assert 12 * 13 * 2 + 13 * 10 in stated
