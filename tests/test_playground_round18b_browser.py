"""The playground's page, round 18b: an input's "show its numbers" does so for every activation
but a mouse's plain click (a screen reader's click dropped the input), the keyboard's focus is
drawn for the keyboard only (a clicked edge, a clicked plot), the network's Tab stops are one a
group with the arrow keys within it, the focus survives a disabled ＋/−, the status line and the
plot speak to screen readers, and the arrow keys start from a hidden test point's place.

Headless Chromium through Playwright, as tests/test_playground_browser.py."""

from __future__ import annotations

from browser_helpers import needs_browser, open_playground

pytestmark = needs_browser

_FOCUSED = "document.activeElement.getAttribute('aria-label') || document.activeElement.id"
_X1 = '.node.input[data-feature="x1"]'


# ------------------------------------------------------------------ 1. an input's activation
def test_a_screen_readers_click_on_an_input_shows_its_numbers(page, server):
    # el.click() (a click with no pointer pressed: NVDA's, VoiceOver's activate) removed the
    # input and left the Lecture preset, though its label says "show its numbers"
    open_playground(page, server, "#preset=lecture")
    assert page.get_attribute(_X1, "aria-label").endswith("show its numbers for the chosen point")
    page.evaluate(f"document.querySelector('{_X1}').click()")
    page.wait_for_function(
        "document.querySelector('#explain').textContent.includes('the gradient reaching an input')"
    )
    assert page.evaluate("run.config.preset") == "lecture"
    assert page.evaluate("run.config.features") == ["x1", "x2"]
    assert page.evaluate("selected.target") == {"kind": "neuron", "layer": 0, "index": 0}


def test_a_shift_click_shows_the_numbers_and_a_plain_click_toggles(page, server):
    open_playground(page, server)
    page.click(_X1, modifiers=["Shift"])
    page.wait_for_function(
        "document.querySelector('#explain').textContent.includes('the gradient reaching an input')"
    )
    assert page.evaluate("run.config.features") == ["x1", "x2"]
    page.click(_X1)  # a mouse's plain click: off
    page.wait_for_function("run.config.features.join() === 'x2'")


# ------------------------------------------------------------------ 2. and 3. a click's focus
def test_a_clicked_edge_keeps_its_chosen_mark_and_a_tabbed_one_is_drawn_focused(page, server):
    open_playground(page, server)
    box = page.locator("#edges path.hit >> nth=1").bounding_box()  # (w1 is level: no box)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.move(5, 5)
    page.wait_for_selector("#edges path.shown.chosen")
    shown = "document.querySelector('#edges path.shown.chosen')"
    to = page.evaluate(f"+{shown}.dataset.to")
    assert page.evaluate(f"{shown}.classList.contains('focused')") is False
    assert page.evaluate(f"getComputedStyle({shown}).stroke") == "rgb(0, 0, 0)"
    assert page.evaluate(f"getComputedStyle({shown}).strokeDasharray") == "none"
    assert page.evaluate("+document.activeElement.dataset.to") == to  # (it has the focus)
    page.keyboard.press("ArrowDown")  # the keyboard's: drawn, and the next edge's
    assert page.evaluate("+document.activeElement.dataset.to") == to + 1
    assert page.evaluate("document.querySelectorAll('#edges path.shown.focused').length") == 1
    assert page.evaluate(f"{shown}.classList.contains('focused')") is False


def test_after_a_click_on_the_plot_the_arrow_keys_scroll_the_page(page, server):
    open_playground(page, server)
    page.set_viewport_size({"width": 1320, "height": 500})
    box = page.locator("#boundary").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.9, box["y"] + box["height"] * 0.5)
    chosen = page.evaluate("selected.point")
    for _ in range(5):
        page.keyboard.press("ArrowDown")
    page.wait_for_function("window.scrollY > 0")
    assert page.evaluate("selected.point") == chosen
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "none"
    page.keyboard.press("Shift+Tab")  # the keyboard's focus: the arrows pick points
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "boundary"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
    page.keyboard.press("ArrowLeft")
    page.wait_for_function(f"selected.point !== {chosen}")
    said = "document.getElementById('point-status').textContent"
    page.wait_for_function(f"{said}.startsWith('Point #' + selected.point + ', x1 = ')")


# ------------------------------------------------------------------ 4. a disabled ＋/−
def test_the_focus_goes_to_the_other_button_when_its_own_is_disabled(page, server):
    open_playground(page, server)
    page.focus('.remove-neuron[data-layer="2"]')  # 2 neurons: to 1, and − is disabled
    page.keyboard.press("Enter")
    page.wait_for_function("run.config.hidden.join() === '4,1'")
    page.wait_for_function("document.activeElement.matches('.add-neuron[data-layer=\"2\"]')")
    page.focus("#remove-layer")
    for n in (1, 0):
        page.keyboard.press("Enter")
        page.wait_for_function(f"run.config.hidden.length === {n}")
    page.wait_for_function("document.activeElement.id === 'add-layer'")


# ------------------------------------------------------------------ 5. the Tab order
def test_a_wide_network_takes_few_tab_stops_and_the_arrows_move_within_a_group(page, server):
    features = "x1,x2,x1^2,x2^2,x1x2,sin_x1,sin_x2"
    open_playground(page, server, f"#features={features}&hidden=8,8,8,8,8,8")
    page.focus(".feature-use >> nth=0")
    stop = "document.activeElement.getAttribute('aria-label') || document.activeElement.title"
    seen = [page.evaluate(stop)]
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "boundary":
            break
        seen.append(page.evaluate(stop))
    assert page.evaluate("document.activeElement.id") == "boundary", seen
    # the boxes, the inputs, 6 x (− (+ is off at 8), the neurons), the output, 7 edge layers
    assert len(seen) == 2 + 6 * 2 + 1 + 7, seen
    assert seen[2:4] == [
        "remove a neuron from hidden layer 1",  # (its name: the action and the layer)
        "neuron a[1]_1: show its numbers for the chosen point",
    ]
    assert seen[-7].startswith("weight w[1]_11 ") and seen[-1].startswith("weight w[7]_11 ")
    # within a group: the arrow keys, to the last and back
    page.focus(".node.hidden >> nth=0")
    page.keyboard.press("End")
    assert page.evaluate(_FOCUSED).startswith("neuron a[1]_8:")
    page.keyboard.press("ArrowUp")
    assert page.evaluate(_FOCUSED).startswith("neuron a[1]_7:")
    page.keyboard.press("Tab")  # the group's stop is now a[1]_7: Tab leaves the layer
    assert page.evaluate(_FOCUSED) == "remove a neuron from hidden layer 2"  # (layer 2's −)
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(_FOCUSED).startswith("neuron a[1]_7:")
    page.keyboard.press("Shift+Tab")  # the layer's − before its neurons
    assert page.evaluate("document.activeElement.title") == "Remove a neuron"
    assert page.evaluate("window.scrollY") == 0


# ------------------------------------------------------------------ 6. screen readers
_COLOUR = "getComputedStyle(document.getElementById('status')).color"


def test_the_plot_and_the_status_line_speak_to_screen_readers(page, server):
    open_playground(page, server, "#preset=lecture")
    assert page.get_attribute("#boundary", "role") == "application"
    assert page.get_attribute("#status", "aria-live") == "polite"
    page.click('.feature-use[data-feature="x1"]')  # the Lecture left: a note, not red
    page.wait_for_function("document.getElementById('status').textContent.startsWith('The Lec')")
    assert page.get_attribute("#status", "role") == "status"
    assert page.evaluate(_COLOUR) != "rgb(187, 0, 0)"
    page.click('.feature-use[data-feature="x2"]')  # the only input: refused, an alert in red
    page.wait_for_function("document.querySelector('#status').textContent.includes('only input')")
    assert page.get_attribute("#status", "role") == "alert"
    assert page.evaluate(_COLOUR) == "rgb(187, 0, 0)"
    page.errors.clear()  # (a refusal is a warning)


# ------------------------------------------------------------------ 7. a hidden test point
def test_the_arrow_keys_start_from_a_hidden_test_points_place(page, server):
    open_playground(page, server)
    page.check("#show_test")
    test = page.evaluate("run.data.test")
    pts = page.evaluate("run.data.points")
    train = page.evaluate("run.data.train")
    chosen = max(test, key=lambda i: pts[i][0])  # the rightmost test point, far from train[0]
    page.evaluate(f"selectPoint({chosen})")
    page.uncheck("#show_test")
    page.focus("#boundary")  # (the keyboard's focus: no pointer pressed)
    page.keyboard.press("ArrowLeft")
    page.wait_for_function(f"selected.point !== {chosen}")
    x0, y0 = pts[chosen]  # the nearest training point leftwards, near the line that way

    def cost(i):
        x, y = pts[i]
        return (x0 - x) + 2 * abs(y - y0) if x0 - x > 1e-9 else float("inf")

    want = min(train, key=cost)
    assert want != train[0]  # (it jumped to the first training point)
    assert page.evaluate("selected.point") == want
