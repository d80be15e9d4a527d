"""The playground's side panels after a pause, and the hidden-layer table's column names.

The browser tests drive Debian's Chromium through Playwright (as tests/test_playground_browser.py
does), skipped with the reason when either is missing."""

from __future__ import annotations

import pytest
from browser_helpers import CHROMIUM, chromium, open_playground, page_of

from glassnet.playground import Playground

_SHOWN = "ss => Object.fromEntries(ss.map(s => [s.dataset.key, +s.dataset.value]))"

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


@needs_browser
def test_after_a_pause_the_side_panels_show_the_epoch_the_counter_shows(page, server):
    """While playing, the table, the hidden feature space and the slides' numbers are asked
    for at most 4 times a second; a pause right after a frame without them left them at an
    earlier epoch than the counter (the explain panel's b1 was some epochs old)."""
    open_playground(page, server, "#seed=3")
    page.click(".node.hidden >> nth=0")  # layer 1, neuron 0: its slides' numbers
    page.wait_for_selector("#explain .num[data-key=dL_dz]")
    # pause while the loop's request is one without the side panels (the usual case: 3 in 4)
    page.evaluate(
        "(() => { const api0 = window.api; window.__paused = false;"
        "  window.api = (path, body, o) => { const p = api0(path, body, o);"
        "    if (!__paused && path === '/api/train' && body.side === false && frame.epoch >= 4) {"
        "      __paused = true; document.querySelector('#play').click(); }"
        "    return p; }; })()"
    )
    page.click("#play")
    page.wait_for_function("__paused", timeout=60_000)
    page.evaluate("busy")  # the queue's calls, done
    assert page.evaluate("playing") is False
    epoch = int(page.text_content("#epoch").replace(",", ""))
    run = server.run_of(page.evaluate("run.id"))
    assert run.epoch == epoch >= 5
    target = page.evaluate("selected.target")
    e = run.explain(page.evaluate("selected.point ?? 0"), target)
    # the slides' numbers are asked for beside the queue: wait (5 s at most) for this epoch's
    page.wait_for_function(
        "v => +document.querySelector('#explain .num[data-key=dL_dz]').dataset.value === v",
        arg=e["dL_dz"],
        timeout=5_000,
    )
    # the hidden-layer table: the Python API's numbers at that epoch, printed as the page prints
    table = run.table()
    want = page.evaluate("rows => rows.map(r => r.map(v => fmt(v, 3)))", table["rows"])
    cells = page.eval_on_selector_all(
        "#table tr", "rs => rs.slice(1).map(r => [...r.cells].map(c => c.textContent))"
    )
    assert cells == want
    # the hidden feature space
    assert run.hidden_space() is not None
    assert page.evaluate("hiddenSpace") == run.hidden_space()
    # the slides' numbers for the selected neuron
    shown = page.eval_on_selector_all("#explain .num", _SHOWN)
    for key in ("z", "a", "gprime", "dL_da", "dL_dz", "y_hat", "loss"):
        assert shown[key] == e[key], key
