"""The playground's "slides' numbers" equations fit their panel (phone and laptop), and its
output colour scale says what the colours mean for the problem's outputs.

The browser tests drive Debian's Chromium through Playwright (as tests/test_playground_browser.py
does), skipped with the reason when either is missing."""

from __future__ import annotations

import pytest
from browser_helpers import needs_browser, open_playground

_CUT = """() => [...document.querySelectorAll('#explain .eq')]
  .filter(e => e.scrollWidth > e.clientWidth)
  .map(e => [e.clientWidth, e.scrollWidth, e.textContent.slice(0, 80)])"""

_LAPTOP = "#dataset=spiral&activation=tanh&features=x1,x2,x1^2,x2^2,x1x2,sin_x1,sin_x2&hidden=8,8"


def _choose(page, ending):
    for node in page.query_selector_all("#network .node"):
        if node.inner_text().strip().endswith(ending):
            node.click()
            break
    else:
        raise AssertionError(f"no neuron {ending}")
    page.wait_for_selector("#explain .eq")
    page.wait_for_function("document.querySelectorAll('#explain .eq').length > 3")


@needs_browser
@pytest.mark.parametrize("width", [390, 1366])
@pytest.mark.parametrize("setup", ["lecture", "seven features"])
def test_each_equation_shows_whole_in_its_box(page, server, width, setup):
    """`.eq {white-space: pre}` cut equations at the box's edge: a phone showed
    'dL/dz2 = ... = -0.00', a laptop with 7 features 1107-pixel lines in 488-pixel boxes."""
    page.set_viewport_size({"width": width, "height": 844 if width == 390 else 768})
    if setup == "lecture":
        open_playground(page, server, "#preset=lecture")
        _choose(page, "a2")
    else:
        open_playground(page, server, _LAPTOP)
        _choose(page, "a[2]_1")
    assert page.evaluate(_CUT) == []
    texts = page.eval_on_selector_all("#explain .eq", "es => es.map(e => e.textContent)")
    assert any("dL/d" in t for t in texts)


# ------------------------------------------------------------------ 2. the colour scale
def test_the_output_colours_are_what_the_legend_says():
    """A classifier's ŷ in (0, 1) was painted as 2ŷ - 1 under a legend '-1 0 1' and a
    caption 'orange negative, blue positive': ŷ = 0.435 read 'negative'. The legend's ticks
    (frame['scale']) are the values painted at its orange end, middle and blue end."""
    import base64

    import numpy as np

    from glassnet.playground.engine import Run, colour_bytes, output_colours, output_scale

    decode = lambda b64: np.frombuffer(base64.b64decode(b64), np.uint8).astype(int)  # noqa: E731
    for problem, ticks in (("classification", [0.0, 0.5, 1.0]), ("regression", [-1.0, 0.0, 1.0])):
        scale = output_scale(problem)
        assert scale["ticks"] == ticks
        # the legend's ends and middle: bytes 0 (orange), 127 (white's side), 255 (blue)
        assert decode(colour_bytes(output_colours(np.array(ticks), problem))).tolist() == [
            0,
            127,
            255,
        ]
    assert "class 0" in output_scale("classification")["words"]
    assert "negative" in output_scale("regression")["words"]
    run = Run({"seed": 2, "grid": 20})
    frame = run.frame()
    assert frame["scale"] == output_scale("classification")
    p = run.viewer.forward(run.grid_inputs)[-1][:, 0]
    assert frame["output"] == colour_bytes(output_colours(p, "classification"))


_LEGEND = """() => ['legend-lo', 'legend-mid', 'legend-hi', 'legend-words', 'output-colours']
  .map(id => document.getElementById(id).textContent)"""


@needs_browser
def test_the_legend_reads_the_problems_scale(page, server):
    open_playground(page, server, "#preset=lecture")
    lo, mid, hi, words, caption = page.evaluate(_LEGEND)
    assert (lo, mid, hi) == ("0", "0.5", "1")
    assert "orange class 0" in words and "blue class 1" in words
    assert "class 0" in caption and "negative" not in caption
    page.select_option("#problem", "regression")
    page.wait_for_function("frame && frame.scale && frame.scale.ticks[0] === -1")
    page.wait_for_function("document.getElementById('legend-lo').textContent === '-1'")
    lo, mid, hi, words, caption = page.evaluate(_LEGEND)
    assert (lo, mid, hi) == ("-1", "0", "1")
    assert "negative" in words and "class" not in words and "class" not in caption
