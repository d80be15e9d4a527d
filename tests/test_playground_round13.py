"""The playground's side panels after a pause, and the hidden-layer table's column names.

The browser tests drive Debian's Chromium through Playwright (as tests/test_playground_browser.py
does), skipped with the reason when either is missing."""

from __future__ import annotations

import http.client
import json
import threading

import numpy as np
import pytest
from browser_helpers import needs_browser, open_playground

from glassnet.playground import Run

_SHOWN = "ss => Object.fromEntries(ss.map(s => [s.dataset.key, +s.dataset.value]))"


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


# ------------------------------------------------------------------ the table's column names
ENGINEERED = ["x1", "x1^2", "sin_x2"]


def test_the_tables_input_columns_are_named_by_their_features():
    """With engineered inputs the columns read x1, x2, x3, and x2 held X1^2."""
    run = Run({"dataset": "circle", "features": ENGINEERED, "hidden": [2], "seed": 0})
    t = run.table()
    assert t["columns"] == ["x1", "x2 (x1^2)", "x3 (sin_x2)", "a1", "a2", "y", "y_hat"]
    x1, x2 = run.points[t["index"][0]]
    assert t["rows"][0][1] == x1 * x1 and t["rows"][0][2] == pytest.approx(np.sin(x2), abs=0)
    # the plain inputs keep the slides' names
    plain = Run({"preset": "lecture"}).table()["columns"]
    assert plain == ["x1", "x2", "a1", "a2", "y", "y_hat"]


@needs_browser
def test_the_pages_table_names_an_input_by_its_feature_as_the_explain_panel_does(page, server):
    open_playground(page, server, "#features=x1%2Cx1%5E2%2Csin_x2&hidden=2&seed=0")
    heads = page.eval_on_selector("#table tr", "r => [...r.cells].map(c => c.textContent)")
    assert heads == ["x1", "x2 (X\u2081\u00b2)", "x3 (sin(X\u2082))", "a1", "a2", "y", "y_hat"]
    page.click(".node.output")  # the explain panel names the inputs the same way
    page.wait_for_selector("#explain .num[data-key=y_hat]")
    text = page.text_content("#explain")
    assert "x2 = " in text and "(X\u2081\u00b2)" in text and "(sin(X\u2082))" in text


_JSON = {"Content-Type": "application/json"}


def _post(pg, path, body):
    c = http.client.HTTPConnection("127.0.0.1", pg.port, timeout=60)
    try:
        c.request("POST", path, json.dumps(body), {"X-Glassnet-Token": pg.token, **_JSON})
        r = c.getresponse()
        data = json.loads(r.read())
        assert r.status == 200, data
        return data
    finally:
        c.close()


def _intruder(run, log):
    """Another client's /api/train (one epoch) in the middle of a request's work, if the run's
    lock lets it in: without blocking (the lock held by the request, it is shut out)."""

    def train():
        if run.lock.acquire(blocking=False):
            try:
                run.train(1)
                log.append("trained")
            finally:
                run.lock.release()
        else:
            log.append("shut out")

    t = threading.Thread(target=train)
    t.start()
    t.join()


def test_a_view_and_a_trains_response_show_one_step_though_another_client_trains(server):
    """frame(), hidden_space() and table() took the run's lock one by one: another client's
    /api/train between them gave a frame of one step and side panels of a later one; and
    /api/train's (or /api/step's) view could show another client's epochs after its own."""
    rid = _post(server, "/api/run", {"config": {"seed": 3, "hidden": [4, 2]}})["run"]
    run = server.run_of(rid)
    log: list[str] = []
    frame = run.frame

    def frame_then_another_client(history=True):  # between the frame and the panels
        f = frame(history)
        _intruder(run, log)
        return f

    run.frame = frame_then_another_client
    try:
        v = _post(server, "/api/view", {"run": rid})
    finally:
        del run.frame
    assert log == ["shut out"]
    assert v["frame"]["b"][-1][0] == v["hidden_space"]["b"]
    assert v["frame"]["step"] == run.step_count  # (nothing trained in between)

    for path, body, change in (
        ("/api/train", {"run": rid, "epochs": 1}, "train"),
        ("/api/step", {"run": rid}, "step"),
    ):
        log.clear()
        own = getattr(run, change)
        after: list[int] = []

        def change_then_another_client(*args, own=own, after=after):
            out = own(*args)
            after.append(run.step_count)  # the step this request's change ends at
            _intruder(run, log)
            return out

        setattr(run, change, change_then_another_client)
        try:
            v = _post(server, path, body)
        finally:
            delattr(run, change)
        assert log == ["shut out"], path
        assert v["frame"]["step"] == after[0] == run.step_count, path
        assert v["frame"]["b"][-1][0] == v["hidden_space"]["b"], path
