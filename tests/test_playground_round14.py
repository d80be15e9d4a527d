"""The playground's keys with the focus on a control just clicked, and the hidden-layer table's
y and y_hat columns in view on a projector's screen.

The browser tests drive Debian's Chromium through Playwright (as tests/test_playground_browser.py
does), skipped with the reason when either is missing."""

from __future__ import annotations

import pytest
from browser_helpers import needs_browser, open_playground

_NOW = "({run: run.id, seed: state.seed, epoch: frame.epoch})"


def _settle(page):
    """Wait for the requests the page has queued (a new run, a step) to be answered."""
    page.evaluate("busy.then(() => 0)")


def _space_plays(page):
    """Space starts the training (the epoch counter moves on), and space again pauses it."""
    page.keyboard.press(" ")
    page.wait_for_function("frame.epoch >= 2", timeout=20_000)
    assert page.get_attribute("#play", "aria-label") == "pause"
    page.keyboard.press(" ")
    page.wait_for_function("!playing")
    _settle(page)


@needs_browser
@pytest.mark.parametrize(
    "control",
    ['#datasets button[data-name="moons"]', "#lecture", "#step", "#regenerate"],
    ids=["dataset", "lecture", "step", "regenerate"],
)
def test_space_plays_after_a_click_on_a_button(page, server, control):
    """A button clicked with the mouse keeps the focus: space clicked it once more (the same
    dataset or preset again, so nothing played; one more step; a new seed, the run thrown
    away) instead of playing, as the docs say it does wherever the focus is."""
    open_playground(page, server, "#seed=4")
    page.click(control)
    _settle(page)
    assert page.evaluate(f"document.activeElement === document.querySelector({control!r})")
    before = page.evaluate(_NOW)
    _space_plays(page)
    after = page.evaluate(_NOW)
    assert after["run"] == before["run"]  # no new run (Regenerate, a dataset, the preset)
    assert after["seed"] == before["seed"]
    assert after["epoch"] >= before["epoch"] + 2  # it played


@needs_browser
def test_enter_still_clicks_a_focused_button_and_ticks_a_focused_box(page, server):
    """For the keyboard's users: Enter clicks the button with the focus (space no longer
    does), and ticks the box with the focus (space plays there too)."""
    open_playground(page, server, "#seed=4")
    page.focus("#step")
    page.keyboard.press("Enter")
    page.wait_for_function("frame.step === 1")
    page.keyboard.press("Enter")
    page.wait_for_function("frame.step === 2")
    assert not page.evaluate("playing")
    page.click("#show_test")  # ticked by the mouse, the focus stays on it
    assert page.is_checked("#show_test")
    _space_plays(page)
    assert page.is_checked("#show_test")  # space played, and left the box as it was
    page.keyboard.press("Enter")
    assert not page.is_checked("#show_test")
    assert page.evaluate("state.show_test") is False
    page.keyboard.press("Enter")
    assert page.is_checked("#show_test")
    assert page.evaluate("state.show_test") is True


@needs_browser
def test_space_still_types_in_a_list(page, server):
    """A list (the learning rate) keeps its own keys: space there plays nothing."""
    open_playground(page, server, "#seed=4")
    page.focus("#lr")
    page.keyboard.press(" ")
    page.wait_for_timeout(400)
    assert not page.evaluate("playing")
    assert page.evaluate("frame.epoch") == 0


# the hidden-layer table's cells named by their column's heading: where each is, and whether it
# is the element seen at its centre (not one scrolled beneath another)
_CELLS = """names => {
  const panel = document.querySelector('#table-panel').getBoundingClientRect();
  const rows = [...document.querySelectorAll('#table tr')].slice(0, 3);
  const heads = [...rows[0].cells].map((c) => c.textContent);
  return Object.fromEntries(names.map((name) => [name, rows.map((r) => {
    const cell = r.cells[heads.indexOf(name)], b = cell.getBoundingClientRect();
    const seen = document.elementFromPoint((b.left + b.right) / 2, (b.top + b.bottom) / 2);
    return {inside: b.left >= panel.left - 0.5 && b.right <= panel.right + 0.5
                    && b.right <= innerWidth, seen: seen === cell || cell.contains(seen),
            text: cell.textContent};
  })]));
}"""


@needs_browser
@pytest.mark.parametrize("size", [(1280, 720), (1400, 900)], ids=["1280x720", "1400x900"])
def test_the_tables_y_and_y_hat_are_in_view_with_the_default_network(page, server, size):
    """The default network's table (x1, x2, a1..a6, y, y_hat) is wider than its third of the
    row: y and y_hat, the columns to hold against the slide, were past the panel's edge with
    no scrollbar in sight. They stay in view at its right edge; the hidden columns scroll
    beneath them, each one reachable, and a line under the table says that more are there."""
    page.set_viewport_size({"width": size[0], "height": size[1]})
    open_playground(page, server, "#seed=4")
    page.wait_for_selector("#table td")
    page.evaluate("document.querySelector('#table-panel').scrollIntoView()")
    heads = page.eval_on_selector("#table tr", "r => [...r.cells].map(c => c.textContent)")
    assert heads == ["x1", "x2", "a1", "a2", "a3", "a4", "a5", "a6", "y", "y_hat"]
    wide = page.evaluate("(t => t.scrollWidth > t.clientWidth)(document.querySelector('#table'))")
    assert wide  # (what this checks: the columns do not all fit)
    for cells in page.evaluate(_CELLS, ["y", "y_hat"]).values():
        assert all(c["inside"] and c["seen"] for c in cells), cells
    assert page.is_visible("#table-more")
    page.evaluate("document.querySelector('#table').scrollLeft = 1e6")
    for cells in page.evaluate(_CELLS, ["a6", "y", "y_hat"]).values():
        assert all(c["inside"] and c["seen"] for c in cells), cells
    page.evaluate("document.querySelector('#table').scrollLeft = 0")
    for cells in page.evaluate(_CELLS, ["x1", "y", "y_hat"]).values():
        assert all(c["inside"] and c["seen"] for c in cells), cells


@needs_browser
def test_a_table_that_fits_says_nothing_of_more_columns(page, server):
    """The lecture's table (x1, x2, a1, a2, y, y_hat) fits: no line about scrolling."""
    open_playground(page, server, "#preset=lecture")
    page.wait_for_selector("#table td")
    heads = page.eval_on_selector("#table tr", "r => [...r.cells].map(c => c.textContent)")
    assert heads == ["x1", "x2", "a1", "a2", "y", "y_hat"]
    assert page.evaluate("(t => t.scrollWidth <= t.clientWidth)(document.querySelector('#table'))")
    assert not page.is_visible("#table-more")
    for cells in page.evaluate(_CELLS, heads).values():
        assert all(c["inside"] and c["seen"] for c in cells), cells
