"""The playground, round 26: a ``#preset=lecture`` link's other network and data settings
are named on the status line (they were dropped silently), the LAST STEP table never shows a
step that is no longer the last one, the server's listen backlog and a too-large body's 413,
the model file's epochs and the exported test rows, and the drawings' labels and sizes."""

from __future__ import annotations

from browser_helpers import needs_browser, open_playground


def _status(page) -> str:
    return page.text_content("#status")


# ------------------------------------------------------------- 1. a lecture link's settings
@needs_browser
def test_a_lecture_link_names_the_settings_the_preset_fixes(page, server):
    """#preset=lecture&hidden=4,4&dataset=circle&activation=relu loaded the slide's network
    with an empty status line, and the address bar lost hidden, dataset and activation."""
    link = "#preset=lecture&hidden=4,4&dataset=circle&activation=relu&lr=0.5"
    open_playground(page, server, link)
    page.wait_for_function("document.querySelector('#status').textContent !== ''")
    said = _status(page)
    fixed = "dataset=circle, hidden=4,4, activation=relu are settings the Lecture preset fixes"
    assert fixed in said, said
    assert "dataset=xnor, hidden=2, activation=sigmoid" in said and "set preset=none" in said, said
    assert page.evaluate("[state.preset, state.hidden, state.dataset, state.lr]") == [
        "lecture", [2], "xnor", 0.5]  # fmt: skip
    # the page's own lecture link (its every setting the preset's) is taken without a word
    link = page.evaluate("location.hash")
    assert "hidden=2" in link and "dataset=xnor" in link, link
    page.goto("about:blank")
    open_playground(page, server, link)
    page.wait_for_timeout(200)
    assert _status(page) == "" and page.evaluate("state.preset") == "lecture"
