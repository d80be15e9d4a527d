"""The playground, round 11: what a link holds that the page cannot use is said, never
dropped silently (headless Chromium through Playwright, as tests/test_playground_browser.py)."""

from __future__ import annotations

import pytest

pytest.importorskip("playwright.sync_api", reason="needs playwright (the test extra)")


def _status_after(page, server, fragment):
    page.goto(server.url + "#" + fragment)
    page.wait_for_function("run !== null && frame !== null")
    page.wait_for_function("document.querySelector('#status').textContent !== ''")
    return page.text_content("#status")


@pytest.mark.parametrize(
    ("fragment", "field", "given"),
    [
        ("lr=1e400", "'lr'", "'1e400'"),  # not finite: it trained at the default 0.03, unsaid
        ("lr=abc", "'lr'", "'abc'"),  # not a number: the same
        ("hidden=4%2Cabc", "'hidden'", "'abc'"),  # it read "Got None."
        ("features=x1%2Cfoo", "'features'", "'foo'"),  # foo was filtered out, unsaid
    ],
)
def test_a_links_value_that_is_no_setting_is_refused_by_name(page, server, fragment, field, given):
    status = _status_after(page, server, fragment)
    assert "refused" in status and field in status and f"Got {given}" in status, status
    assert page.evaluate("run.config.lr") == 0.03
    assert page.evaluate("run.config.features") == ["x1", "x2"]
    # the browser logs the refused request itself; nothing else may have gone wrong
    page.errors[:] = [e for e in page.errors if "status of 400" not in e]


def test_a_box_in_a_link_that_is_not_true_or_false_is_said(page, server):
    status = _status_after(page, server, "show_test=1&discretize=yes")
    assert "show_test=1 is not true or false: false is shown" in status, status
    assert "discretize=yes is not true or false: false is shown" in status, status
    assert page.evaluate("run.config.hidden") == [4, 2]  # the rest of the link still holds


def test_an_unknown_setting_in_a_link_is_named(page, server):
    status = _status_after(page, server, "lr=0.1&hiden=3")
    assert "'hiden' is no setting of the playground" in status and "hidden" in status, status
    assert page.evaluate("run.config.lr") == 0.1  # the settings it knows are used


def test_a_link_of_known_settings_says_nothing(page, server):
    page.goto(server.url + "#lr=0.1&show_test=true&hidden=3")
    page.wait_for_function("run !== null && frame !== null")
    page.wait_for_timeout(300)
    assert page.text_content("#status") == ""
    assert page.evaluate("run.config.hidden") == [3]


def test_a_refused_click_is_said_without_a_console_error(page, server):
    # the status line's message for a student's ordinary click was a console error too
    warnings = []
    page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    page.goto(server.url + "#features=x2")
    page.wait_for_function("run !== null && frame !== null")
    page.click('.node.input[data-feature="x2"]')  # the network's only input
    page.wait_for_function("document.querySelector('#status').textContent !== ''")
    assert "only input" in page.text_content("#status")
    page.click(".node.hidden >> nth=0")  # a neuron: its bias box
    page.wait_for_selector("#set-value")
    page.fill("#set-value", "")
    page.dispatch_event("#set-value", "change")  # no number: refused, said
    page.wait_for_function("document.querySelector('#status').textContent.startsWith('set ')")
    assert any("only input" in w for w in warnings) and any("set " in w for w in warnings)
    assert page.errors == []  # (page_of fails the test on any console error as well)


def test_an_unexpected_error_is_still_a_console_error(page, server):
    page.goto(server.url)
    page.wait_for_function("run !== null && frame !== null")
    page.evaluate("report(new Error('a fault of the page'))")
    page.wait_for_timeout(100)
    assert any("a fault of the page" in e for e in page.errors), page.errors
    page.errors.clear()
