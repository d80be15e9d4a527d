"""The playground's "slides' numbers" equations fit their panel (phone and laptop), and its
output colour scale says what the colours mean for the problem's outputs.

The browser tests drive Debian's Chromium through Playwright (as tests/test_playground_browser.py
does), skipped with the reason when either is missing."""

from __future__ import annotations

import pytest
from browser_helpers import CHROMIUM, chromium, open_playground, page_of

from glassnet.playground import Playground

needs_browser = pytest.mark.skipif(
    CHROMIUM is None,
    reason="needs Chromium at /usr/bin/chromium (apt-get install -y chromium; .ci/run does it)",
)


@pytest.fixture(scope="module")
def server():
    pg = Playground().start()
    yield pg
    pg.close()


@pytest.fixture(scope="module")
def browser():
    pytest.importorskip("playwright.sync_api", reason="needs playwright (the test extra)")
    if CHROMIUM is None:
        pytest.skip("needs Chromium at /usr/bin/chromium (apt-get install -y chromium)")
    yield from chromium()


@pytest.fixture
def page(browser, server):
    yield from page_of(browser)


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
