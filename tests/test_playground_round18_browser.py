"""The playground's page, round 18: the keyboard reaches the network (every input in use,
neuron and edge, and the output plot's points), a touch screen reaches an input's numbers
(a tap shows them, a box beside the input turns it on or off), leaving the Lecture preset
is said, and a change of the network keeps the chosen point where the data are the same.

Headless Chromium through Playwright, as tests/test_playground_browser.py (the ``page`` and
``server`` fixtures of conftest.py); skipped with the reason when either is missing."""

from __future__ import annotations

import pytest
from browser_helpers import needs_browser, open_playground

pytestmark = needs_browser

_FOCUSED = "document.activeElement.getAttribute('aria-label') || document.activeElement.id"


def _tab_to(page, start, label_start, presses=60):
    """Press Tab from ``start`` until the focused element's label starts with
    ``label_start``; the labels passed on the way."""
    page.focus(start)
    seen = []
    for _ in range(presses):
        page.keyboard.press("Tab")
        label = page.evaluate(_FOCUSED) or ""
        seen.append(label)
        if label.startswith(label_start):
            return seen
    raise AssertionError(f"Tab never reached {label_start!r}: {seen}")


# ------------------------------------------------------------------ 1. the keyboard
def test_the_tab_key_reaches_inputs_neurons_and_edges(page, server):
    open_playground(page, server)
    seen = _tab_to(page, "#remove-layer", "weight w1 ")
    for label in (
        "use X\u2081 as an input",  # its box
        "input x1 (X\u2081): show its numbers for the chosen point",
        "neuron a1: show its numbers for the chosen point",
        "neuron y_hat, the output: show its numbers for the chosen point",
    ):
        assert label in seen, seen
    assert not any(s.startswith("input X\u2081\u00b2") for s in seen)  # (no numbers: passed)
    # one Tab stop a group (round 18b): the other boxes, inputs, neurons by the arrow keys
    assert seen.count("use X\u2081 as an input") == 1 and "use X\u2082 as an input" not in seen
    # the focused edge is drawn, with its value beside it as on hover
    assert page.evaluate("document.querySelector('#edges path.shown.focused') !== null")
    assert page.is_visible("#tooltip") and page.text_content("#tooltip").startswith("w1 = ")


@pytest.mark.parametrize(
    ("selector", "kind", "words"),
    [
        (".node.hidden >> nth=0", "neuron", "Forward: weighted sum"),
        ("#edges path.hit >> nth=0", "edge", "The weight w1"),
        ('.node.input[data-feature="x2"]', "neuron", "the gradient reaching an input"),
    ],
)
def test_enter_on_a_focused_node_or_edge_shows_its_numbers(page, server, selector, kind, words):
    open_playground(page, server)
    page.focus(selector)
    page.keyboard.press("Enter")
    page.wait_for_function(f"document.querySelector('#explain').textContent.includes({words!r})")
    assert page.evaluate("selected.target.kind") == kind
    assert page.evaluate("run.config.features") == ["x1", "x2"]  # Enter on x2 keeps it
    assert page.evaluate("playing") is False


def test_a_focused_neuron_shows_its_map_and_an_outline(page, server):
    open_playground(page, server)
    page.focus(".node.hidden >> nth=1")
    assert page.evaluate("hover") == [1, 1]  # its map in the big plot, as on hover
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
    page.focus("#boundary")
    assert page.evaluate("hover") is None


def test_the_arrow_keys_pick_the_plots_point(page, server):
    open_playground(page, server)
    page.click(".node.hidden >> nth=0")  # a neuron chosen: the panel follows the point
    page.wait_for_selector("#explain .num")
    page.focus("#boundary")
    first = page.evaluate("selected.point")
    x0, y0 = page.evaluate(f"run.data.points[{first}]")
    for key, check in (
        ("ArrowRight", lambda x, y: x > x0),
        ("ArrowDown", lambda x, y: y < y0),
    ):
        page.focus("#boundary")
        page.keyboard.press(key)
        page.wait_for_function(f"selected.point !== {first}")
        point = page.evaluate("selected.point")
        x, y = page.evaluate(f"run.data.points[{point}]")
        assert check(x, y), (key, (x0, y0), (x, y))
        assert point in page.evaluate("run.data.train")
        page.wait_for_function(
            f"document.querySelector('#explain').textContent.startsWith('Point #{point} ')"
        )
        assert f"now point #{point}," in page.get_attribute("#boundary", "aria-label")
        page.keyboard.press("Home")
        page.wait_for_function(f"selected.point === {first}")
    assert page.evaluate("window.scrollY") == 0  # (the arrows did not scroll the page)


# ------------------------------------------------------------------ 2. touch
@pytest.fixture
def phone(browser, server):
    from browser_helpers import page_of

    for pg in page_of(browser, has_touch=True, is_mobile=True):  # (a phone's: 360 x 740)
        pg.set_viewport_size({"width": 360, "height": 740})
        yield pg


def test_a_tap_on_an_input_shows_its_numbers_and_keeps_the_lecture(phone, server):
    open_playground(phone, server, "#preset=lecture&loss=half_mse")  # (loss=: no note)
    phone.tap('.node.input[data-feature="x1"]')
    phone.wait_for_function(
        "document.querySelector('#explain').textContent.includes('the gradient reaching an input')"
    )
    assert phone.evaluate("run.config.preset") == "lecture"
    assert phone.evaluate("run.config.features") == ["x1", "x2"]
    assert phone.evaluate("selected.target") == {"kind": "neuron", "layer": 0, "index": 0}
    assert phone.text_content("#status") == ""


def test_a_tap_on_an_inputs_box_turns_it_off_and_says_the_lecture_is_left(phone, server):
    open_playground(phone, server, "#preset=lecture&loss=half_mse")  # (loss=: no note)
    box = phone.locator('.feature-use[data-feature="x1"]')
    assert box.is_visible() and box.is_checked()
    assert box.bounding_box()["width"] >= 20  # a finger's box (pointer: coarse)
    box.tap()
    phone.wait_for_function("run.config.preset === 'none' && run.config.features.length === 1")
    phone.wait_for_function("document.querySelector('#status').textContent !== ''")
    status = phone.text_content("#status")
    assert status.startswith("The Lecture preset is left:"), status
    assert "Lecture button brings the slide's network back" in status
    assert not phone.locator('.feature-use[data-feature="x1"]').is_checked()
    phone.tap('.node.input[data-feature="x1"]')  # not in use: a tap says how to use it
    phone.wait_for_function("document.getElementById('status').textContent.includes('tick its')")
    assert phone.evaluate("run.config.features") == ["x2"]


def test_a_mouse_click_on_an_input_still_toggles_it(page, server):
    open_playground(page, server)
    page.click('.node.input[data-feature="x1x2"]')
    page.wait_for_function("run.config.features.length === 3")
    page.click('.feature-use[data-feature="x1x2"]')  # its box: off again
    page.wait_for_function("run.config.features.length === 2")
    page.click('.feature-use[data-feature="x2"]')
    page.wait_for_function("run.config.features.length === 1")
    page.click('.feature-use[data-feature="x1"]')  # the only input: refused, said, ticked
    page.wait_for_function("document.querySelector('#status').textContent.includes('only input')")
    assert page.locator('.feature-use[data-feature="x1"]').is_checked()
    page.errors.clear()  # (none expected: refusals are warnings)


# ------------------------------------------------------------------ 3. the chosen point
@pytest.mark.parametrize(
    "change",
    [
        ".add-neuron >> nth=0",
        "#remove-layer",
        '.node.input[data-feature="x1^2"]',  # a feature: the same points
    ],
)
def test_a_network_change_keeps_the_chosen_point(page, server, change):
    open_playground(page, server)
    box = page.locator("#boundary").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.9, box["y"] + box["height"] * 0.5)
    chosen = page.evaluate("selected.point")
    assert chosen != page.evaluate("run.data.train[0]")
    old = page.evaluate("run.id")
    page.click(change)
    page.wait_for_function(f"run.id !== {old!r}")
    assert page.evaluate("selected.point") == chosen
    page.click(".node.hidden >> nth=0")
    page.wait_for_function(
        f"document.querySelector('#explain').textContent.startsWith('Point #{chosen} ')"
    )


def test_new_data_start_from_the_first_training_point(page, server):
    open_playground(page, server)
    box = page.locator("#boundary").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.9, box["y"] + box["height"] * 0.5)
    old = page.evaluate("run.id")
    page.click("#regenerate")  # a new seed: new points
    page.wait_for_function(f"run.id !== {old!r}")
    assert page.evaluate("selected.point") == page.evaluate("run.data.train[0]")


@pytest.mark.parametrize(
    ("selector", "after"),
    [
        ('.feature-use[data-feature="x1^2"]', "run.config.features.length === 3"),
        (".add-neuron >> nth=0", "run.config.hidden[0] === 5"),
    ],
)
def test_the_focus_stays_in_place_when_the_network_is_built_again(page, server, selector, after):
    # a feature ticked or a neuron added with the keyboard: the focus fell back to the page
    open_playground(page, server)
    page.focus(selector)
    label = page.evaluate(_FOCUSED)
    page.keyboard.press("Enter")
    page.wait_for_function(after)
    page.wait_for_function(
        f"document.activeElement.getAttribute('aria-label') === {label!r}"
        if label
        else "document.activeElement.matches('.add-neuron[data-layer=\"1\"]')"
    )
    page.keyboard.press("Tab")  # and Tab goes on from there
    assert page.evaluate("document.getElementById('net-draw').contains(document.activeElement)")
