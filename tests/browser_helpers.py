"""What the browser tests share: Debian's Chromium (or $GLASSNET_CHROMIUM), found once, and
the flags it runs headless with (Playwright's own browser download is not used)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CHROMIUM = os.environ.get("GLASSNET_CHROMIUM") or next(
    (p for p in ("/usr/bin/chromium", shutil.which("chromium") or "") if p and Path(p).is_file()),
    None,
)
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium() -> Iterator[Any]:
    """Headless Chromium through Playwright, closed after (a module fixture's body)."""
    from playwright import sync_api

    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def page_of(browser: Any, **context: Any) -> Iterator[Any]:
    """A page of a new context (1320 x 1000; ``context``: more of new_context's options)
    whose script errors and console errors fail the test at its end (a fixture's body)."""
    # bypass_csp: Playwright's waits evaluate strings, which the page's policy forbids
    ctx = browser.new_context(viewport={"width": 1320, "height": 1000}, bypass_csp=True, **context)
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.errors = errors
    yield pg
    ctx.close()
    assert not errors, errors


def open_playground(page: Any, server: Any, fragment: str = "") -> None:
    """Load the playground's page (``fragment``: its settings after '#') and wait for its
    first drawing and loss."""
    page.goto(server.url + fragment)
    page.wait_for_selector(".node.output canvas")
    page.wait_for_function("document.querySelector('#train-loss').textContent !== '-'")


import pytest  # noqa: E402

needs_browser = pytest.mark.skipif(
    CHROMIUM is None,
    reason="needs Chromium at /usr/bin/chromium (apt-get install -y chromium; .ci/run does it)",
)
"""A browser test's mark: skipped, saying why, where Chromium is missing."""


def steps(page: Any, n: int) -> None:
    """Click the page's Step button ``n`` times, each time waiting for the step it takes."""
    for _ in range(n):
        # the page's queue first: a frame of play still on its way after a pause (an epoch of
        # steps) would land after ``before`` was read, and the click's step be before + k + 1
        before = page.evaluate("busy.then(() => frame.step)")
        page.click("#step")
        page.wait_for_function(f"frame.step === {before + 1}")
