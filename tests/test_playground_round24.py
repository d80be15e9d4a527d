"""The playground's note of a setting a link gives more than once: each value as the link
writes it (``hidden=3,3``), separated by "; ", so that a value's own commas do not run into
the separators (it read "(3,3, 5)": three values, or two?)."""

from __future__ import annotations


def _status_of(page, server, fragment: str) -> str:
    page.goto("about:blank")
    page.goto(server.url + "#" + fragment)
    page.wait_for_function(
        "run !== null && frame !== null && document.querySelector('#status').textContent !== ''"
    )
    return page.text_content("#status")


def test_a_repeated_setting_whose_value_holds_commas_is_named_unambiguously(page, server):
    status = _status_of(page, server, "hidden=3,3&hidden=5")
    assert (
        "link gives 'hidden' 2 times (hidden=3,3; hidden=5) and only the first "
        "(hidden=3,3) was used (give each setting once)"
    ) in status, status
    assert page.evaluate("state.hidden") == [3, 3]


def test_past_five_values_the_note_ends_with_an_ellipsis(page, server):
    status = _status_of(page, server, "&".join(f"seed={k}" for k in range(1, 8)))
    assert "'seed' 7 times (seed=1; seed=2; seed=3; seed=4; seed=5; ...)" in status, status
    assert "(seed=1) was used" in status, status
