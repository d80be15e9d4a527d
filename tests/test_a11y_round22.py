"""The playground's page, round 22 (accessibility): a control the keyboard focuses is never
hidden under the sticky export bar at 200 % zoom (WCAG 2.4.11), a point the arrow keys choose
is said with its class and the network's output there (not by colour only: WCAG 1.4.1), and
the explain panel's spoken summary follows the numbers shown (a weight set, a pause).

Headless Chromium through Playwright, as tests/test_playground_browser.py."""

from __future__ import annotations

import re

import pytest
from browser_helpers import needs_browser, open_playground

pytestmark = needs_browser

# the focused element, its box, what is at its centre, and the export bar's top
_FOCUS = """() => {
  const e = document.activeElement, q = e.getBoundingClientRect();
  const bar = document.querySelector('.bottom').getBoundingClientRect();
  const h = document.elementFromPoint(q.left + q.width / 2, q.top + q.height / 2);
  return {name: e.getAttribute('aria-label') || e.id || e.textContent.trim().slice(0, 30),
          inBar: !!e.closest('.bottom'), svg: e instanceof SVGElement,
          top: q.top, bottom: q.bottom, barTop: bar.top,
          atCentre: !!h && (h === e || e.contains(h)), underBar: !!h && !!h.closest('.bottom')};
}"""


# ------------------------------------------------------------------ 1. focus not obscured
@pytest.mark.parametrize("height", [400, 360])  # 1280 x 800 and 1280 x 720 at 200 %
def test_no_focused_control_is_hidden_under_the_export_bar(page, server, height):
    page.set_viewport_size({"width": 640, "height": height})
    open_playground(page, server)
    seen, hidden = set(), []
    for _ in range(60):
        page.keyboard.press("Tab")
        f = page.evaluate(_FOCUS)
        if f["inBar"]:
            break
        seen.add(f["name"])
        # its whole box above the bar, and (an HTML control) itself at its centre
        if f["underBar"] or f["bottom"] > f["barTop"] + 0.5 or not (f["svg"] or f["atCentre"]):
            hidden.append(f)
    assert {"Lecture", "show_test", "batch_size"} & seen or len(seen) > 20, seen
    assert not hidden, hidden


# ------------------------------------------------------------------ 2. not by colour only
def test_a_point_chosen_with_the_keys_is_said_with_its_class_and_prediction(page, server):
    open_playground(page, server, "#preset=lecture")
    page.focus("#boundary")
    page.keyboard.press("ArrowRight")
    said = "document.querySelector('#point-status').textContent"
    page.wait_for_function(f"{said}.includes('\u0177')", timeout=5000)
    said = page.text_content("#point-status")
    i = page.evaluate("selected.point")
    t = page.evaluate(f"run.data.targets[{i}]")
    assert said.startswith(f"Point #{i}, ")
    assert f"class {t:g}" in said, said
    m = re.search(r"\u0177 = (-?[\d.]+(?:e[-+]?\d+)?)", said)
    assert m, said
    right = (float(m.group(1)) > 0.5) == (t > 0.5)
    assert ("(right)" if right else "(wrong)") in said, said


def test_the_plots_label_says_its_points_class_and_how_many_are_classified_right(page, server):
    open_playground(page, server)
    label = page.get_attribute("#boundary", "aria-label")
    n = page.evaluate("run.data.train.length")
    right = page.evaluate("Math.round(frame.accuracy[0] * run.data.train.length)")
    assert f"{right} of {n} training points classified right" in label, label
    i = page.evaluate("selected.point")
    t = page.evaluate(f"run.data.targets[{i}]")
    assert f"now point #{i}, " in label and f"class {t:g}" in label, label


# ------------------------------------------------------------------ 3. the spoken summary
def _choose_a1(page):
    page.locator('[aria-label^="neuron a1"]').focus()
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelector('#explain-status').textContent.includes('a1 =')")


def _shown_z(page):
    return page.evaluate("document.querySelector('#explain .num[data-key=z]')?.textContent")


def test_a_weight_set_with_the_box_is_said_with_the_new_numbers(page, server):
    open_playground(page, server, "#preset=lecture")
    _choose_a1(page)
    before = page.text_content("#explain-status")
    page.fill("#set-value", "0.5")
    page.focus("#set-value")
    page.keyboard.press("Enter")
    said = "document.querySelector('#explain-status').textContent"
    page.wait_for_function(f"{said}.includes('set to 0.5')", timeout=5000)
    said = page.text_content("#explain-status")
    assert said != before
    z = page.evaluate("+document.querySelector('#explain .num[data-key=z]').dataset.value")
    assert f"= {page.evaluate(f'fmt({z})')}," in said, (said, z)


def test_the_spoken_summary_follows_the_numbers_after_play_and_pause(page, server):
    open_playground(page, server, "#preset=lecture")
    _choose_a1(page)
    before = page.text_content("#explain-status")
    page.click("#play")
    page.wait_for_function("frame.epoch >= 30")
    page.click("#play")
    page.wait_for_function(
        "document.querySelector('#play-status').textContent.startsWith('Paused')"
    )
    said = "document.querySelector('#explain-status').textContent"
    page.wait_for_function(f"{said} !== {before!r} && {said} !== ''", timeout=5000)
    said = page.text_content("#explain-status")
    z = page.evaluate("+document.querySelector('#explain .num[data-key=z]').dataset.value")
    assert f"= {page.evaluate(f'fmt({z})')}," in said, (said, z)


# ------------------------------------------------------------------ round 22, review d
# 1. the arrow keys on the plot: one /api/explain for a burst of keys (the last key's point),
# not one per key (about 11 a second cut training's frames by a fifth while playing)
def _explains(page):
    seen = []
    page.on("request", lambda r: seen.append(r.url) if "/api/explain" in r.url else None)
    return seen


# a burst of arrow keys in one task: well within the debounce window, however loaded the host
_BURST = """(n) => {
  const plot = document.querySelector('#boundary');
  for (let k = 0; k < n; k++)
    plot.dispatchEvent(new KeyboardEvent('keydown',
                                         {key: 'ArrowRight', bubbles: true, cancelable: true}));
  return selected.point;
}"""


@pytest.mark.parametrize("play", [False, True])
def test_a_burst_of_arrow_keys_asks_the_server_once_for_the_last_point(page, server, play):
    open_playground(page, server, "#preset=lecture")
    page.focus("#boundary")
    if play:
        page.click("#play")
        page.focus("#boundary")
        page.wait_for_function("playing && frame.epoch >= 3")
    explains = _explains(page)
    last = page.evaluate(_BURST, 8)
    said = "document.querySelector('#point-status').textContent"
    page.wait_for_function(f"{said}.startsWith('Point #{last},') && {said}.includes('\u0177')")
    page.wait_for_timeout(300)  # (a late request for an earlier key would be in by now)
    if play:
        page.click("#play")
    assert len(explains) == 1, explains


# 2. on a phone, the status line (fixed at the bottom while it speaks) hides no control the
# keyboard reaches: the page ends its height below the last one (Data (CSV) was under it)
_UNDER_STATUS = """() => {
  const e = document.activeElement, q = e.getBoundingClientRect();
  const st = document.querySelector('#status').getBoundingClientRect();
  const h = document.elementFromPoint(q.left + q.width / 2, q.top + q.height / 2);
  return {name: e.getAttribute('aria-label') || e.id || e.textContent.trim().slice(0, 30),
          top: q.top, bottom: q.bottom, statusTop: st.top, statusHeight: st.height,
          svg: e instanceof SVGElement, atCentre: !!h && (h === e || e.contains(h)),
          body: e === document.body};
}"""


@pytest.mark.parametrize("width", [360, 375])
def test_no_focused_control_is_hidden_under_a_phones_status_line(page, server, width):
    page.set_viewport_size({"width": width, "height": 740})
    open_playground(page, server)
    page.evaluate(
        "note('A long note to test the fixed status line on a phone: it covers the bottom "
        "of the screen while it speaks.')"
    )
    seen, hidden = [], []
    for _ in range(150):
        page.keyboard.press("Tab")
        f = page.evaluate(_UNDER_STATUS)
        if f["body"] or (seen and f["name"] == seen[0]):
            break  # round the page once
        assert f["statusHeight"] > 20, f
        seen.append(f["name"])
        if f["bottom"] > f["statusTop"] + 0.5 or not (f["svg"] or f["atCentre"]):
            hidden.append(f)
    assert "export-data" in seen, seen
    assert not hidden, hidden
