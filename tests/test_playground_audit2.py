"""The playground as a teacher uses it: two tabs open at once, a value typed by hand, the
status line after an error, links whose settings the controls cannot show.

The server-side tests always run; the browser ones drive headless Chromium (Debian's
``chromium`` package) with Playwright, and skip, saying why, when either is missing.
"""

from __future__ import annotations

import http.client
import json
import os

import pytest
from browser_helpers import needs_browser

from glassnet.playground import Playground
from glassnet.playground.server import MAX_RUNS


def _post(server, path, body):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    headers = {"X-Glassnet-Token": server.token, "Content-Type": "application/json"}
    conn.request("POST", path, body=json.dumps(body), headers=headers)
    r = conn.getresponse()
    out = json.loads(r.read())
    conn.close()
    return r.status, out


SMALL = {"grid": 10, "samples": 20}


# =====================================================================================
# Runs a page leaves behind do not push out another page's run
# =====================================================================================
def test_a_page_replacing_its_run_does_not_drop_another_pages_run(server):
    # tab 1: the lecture network, trained for a while, then left alone
    status, tab1 = _post(server, "/api/run", {"config": {"preset": "lecture"}})
    assert status == 200
    assert _post(server, "/api/train", {"run": tab1["run"], "epochs": 50})[0] == 200
    # tab 2: a teacher clicks through settings; each click makes a new run replacing the last
    rid = None
    for k in range(MAX_RUNS + 8):
        body = {"config": {**SMALL, "seed": k}}
        if rid is not None:
            body["replaces"] = [rid]
        status, out = _post(server, "/api/run", body)
        assert status == 200, out
        rid = out["run"]
    # tab 1's run is still there, where it was
    status, out = _post(server, "/api/step", {"run": tab1["run"]})
    assert status == 200, out
    assert out["frame"]["step"] == 51  # (four points, a batch of four: a step an epoch)
    # and the server holds one run per page, not one per click
    assert rid in server.runs and len(server.runs) <= 3


def test_a_replaced_run_is_dropped_only_when_the_new_one_is_made(server):
    _, first = _post(server, "/api/run", {"config": SMALL})
    # refused settings: no new run, and the page's current run stays
    status, out = _post(
        server, "/api/run", {"config": {**SMALL, "hidden": [9]}, "replaces": [first["run"]]}
    )
    assert status == 400 and "'hidden'" in out["error"]
    assert first["run"] in server.runs
    # an id the server no longer has (dropped, or from before a restart) is no error
    status, second = _post(
        server, "/api/run", {"config": SMALL, "replaces": [first["run"], "gone-long-ago"]}
    )
    assert status == 200 and first["run"] not in server.runs and second["run"] in server.runs


@pytest.mark.parametrize(
    "replaces, word",
    [
        ("abc", "list"),
        ([1], "list"),
        ([["abc"]], "list"),
        (["x"] * (MAX_RUNS + 1), str(MAX_RUNS)),
    ],
)
def test_replaces_is_checked(server, replaces, word):
    status, out = _post(server, "/api/run", {"config": SMALL, "replaces": replaces})
    assert status == 400 and "'replaces'" in out["error"] and word in out["error"]


# =====================================================================================
# In the browser
# =====================================================================================


@pytest.fixture
def context(browser):
    # bypass_csp: Playwright's waits evaluate strings, which the page's policy forbids
    ctx = browser.new_context(viewport={"width": 1320, "height": 1000}, bypass_csp=True)
    yield ctx
    ctx.close()


def _page(context, server, fragment=""):
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors
    page.goto(server.url + fragment)
    page.wait_for_selector(".node.output canvas")
    page.wait_for_function("document.querySelector('#train-loss').textContent !== '-'")
    return page


def _settled(page):
    """Every request the page queued has been answered."""
    page.evaluate("busy")


@needs_browser
def test_two_tabs_a_teacher_clicking_in_one_keeps_the_other(context, server):
    tab1 = _page(context, server)
    tab1.click("#lecture")
    tab1.wait_for_function("run && run.config.preset === 'lecture'")
    for _ in range(3):
        tab1.click("#step")
    _settled(tab1)
    assert tab1.text_content("#steps") == "3 steps"
    tab2 = _page(context, server)
    # more clicks than the server keeps runs: datasets, activations, layers, neurons
    names = ["circle", "xor", "gauss", "spiral", "moons"]
    for k in range(MAX_RUNS + 4):
        tab2.click(f"#datasets button[data-name='{names[k % len(names)]}']")
        _settled(tab2)
    assert not tab2.errors
    tab1.click("#step")
    _settled(tab1)
    assert tab1.text_content("#status") == ""
    assert tab1.text_content("#steps") == "4 steps"
    assert not tab1.errors


def _gone(page, server, rid):
    """Wait (up to 10 s) until the server holds no run ``rid``."""
    for _ in range(100):
        if rid not in server.runs:
            return True
        page.wait_for_timeout(100)
    return False


@needs_browser
def test_a_reloaded_or_closed_tab_leaves_no_run_behind(context, server):
    page = _page(context, server)
    before = page.evaluate("run.id")
    page.click("#datasets button[data-name='xor']")  # a run left behind, and a current one
    page.wait_for_function(f"run.id !== {before!r}")
    _settled(page)
    current = page.evaluate("run.id")
    page.reload()
    page.wait_for_function(f"run && run.id !== {current!r}")
    _settled(page)
    assert _gone(page, server, before) and _gone(page, server, current)
    assert page.evaluate("run.id") in server.runs
    last = page.evaluate("run.id")
    watcher = context.new_page()  # (something to wait with once the tab is closed)
    page.close()
    assert _gone(watcher, server, last)


def test_drop_is_checked_and_drops_only_what_it_names(server):
    _, a = _post(server, "/api/run", {"config": SMALL})
    _, b = _post(server, "/api/run", {"config": SMALL})
    assert _post(server, "/api/drop", {"runs": [a["run"], "gone"]}) == (200, {"dropped": 1})
    assert a["run"] not in server.runs and b["run"] in server.runs
    for bad in ["x", [1], None, ["x"] * (MAX_RUNS + 1)]:
        status, out = _post(server, "/api/drop", {"runs": bad})
        assert status == 400 and "'runs'" in out["error"]
    assert _post(server, "/api/drop", {"run": b["run"]})[0] == 400
    assert b["run"] in server.runs


# =====================================================================================
# A value typed by hand, and the status line after an error
# =====================================================================================
def _weight(page, l, i, j):
    return page.evaluate(f"frame.W[{l}][{i}][{j}]")


@needs_browser
def test_a_refused_weight_leaves_the_box_and_the_status_line_true(context, server):
    page = _page(context, server)
    page.click("path.hit >> nth=0", force=True)  # w1: from x1 into the first neuron
    page.wait_for_selector("#set-value")
    w = _weight(page, 0, 0, 0)
    shown = page.input_value("#set-value")
    assert float(shown) == pytest.approx(w, abs=1e-4)
    # out of range: the server refuses it, the status line says why, the box shows w again
    page.fill("#set-value", "500")
    page.press("#set-value", "Enter")
    _settled(page)
    assert "'value'" in page.text_content("#status") and "500" in page.text_content("#status")
    assert page.input_value("#set-value") == shown and _weight(page, 0, 0, 0) == w
    # a number past a float's range: said so on the page, not ignored without a word
    page.fill("#set-value", "1e400")
    page.press("#set-value", "Enter")
    _settled(page)
    status = page.text_content("#status")
    assert "w1" in status and "[-100, 100]" in status and "500" not in status
    assert page.input_value("#set-value") == shown and _weight(page, 0, 0, 0) == w
    # a good value: set, and the earlier error is gone from the status line
    page.fill("#set-value", "-3.5")
    page.press("#set-value", "Enter")
    _settled(page)
    assert _weight(page, 0, 0, 0) == -3.5
    assert page.text_content("#status") == ""
    assert not page.errors


@needs_browser
def test_an_error_leaves_the_status_line_at_the_next_answered_request(context, server):
    page = _page(context, server)
    rid = page.evaluate("run.id")
    # settings the server refuses, from an edited link: the run stays, the status says why
    page.evaluate("location.hash = location.hash.replace(/hidden=[^&]*/, 'hidden=9')")
    page.wait_for_function("document.querySelector('#status').textContent.includes('hidden')")
    _settled(page)
    assert page.evaluate("run.id") == rid
    page.click("#step")
    _settled(page)
    assert page.text_content("#steps") == "1 step"
    assert page.text_content("#status") == ""


@needs_browser
def test_an_answer_to_a_request_sent_before_an_error_leaves_it_up(context, server):
    """Any answered request cleared the status line's error, also one sent before it (a slow
    train answered after a refused weight): the error vanished before the user read it."""
    page = _page(context, server)
    _settled(page)
    shown = page.evaluate(
        """async () => {
          const earlier = api("/api/step", { run: run.id });   // sent before the error
          report(new Error("refused: the weight is not a number"));
          await earlier;
          const kept = document.querySelector("#status").textContent;
          await api("/api/step", { run: run.id });              // sent after it
          return [kept, document.querySelector("#status").textContent];
        }"""
    )
    assert shown == ["refused: the weight is not a number", ""], shown
    assert not page.errors


# =====================================================================================
# A link's settings that the sliders' own range and steps miss
# =====================================================================================
@needs_browser
def test_the_sliders_show_the_runs_values_from_a_link(context, server):
    # the API takes a batch of up to 2,000 points, any noise in 0-50 and any ratio in 10-100;
    # the sliders' own marks are TF Playground's (1-30, steps of 5 and 10)
    page = _page(context, server, "#batch_size=100&noise=7&train_ratio=55")
    config = page.evaluate("run.config")
    assert (config["batch_size"], config["noise"], config["train_ratio"]) == (100, 7, 55)
    for name, value in [("batch_size", 100), ("noise", 7), ("train_ratio", 55)]:
        assert page.eval_on_selector(f"#{name}", "e => +e.value") == value, name
    assert page.text_content("#batch_size_v") == "100"
    # and a slider moved afterwards sets what it shows
    page.focus("#batch_size")
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("run.config.batch_size === 99")
    assert page.eval_on_selector("#batch_size", "e => +e.value") == 99
    # a link within the marks gets them back
    page.evaluate("location.hash = location.hash.replace(/batch_size=[0-9]+/, 'batch_size=10')")
    page.wait_for_function("run.config.batch_size === 10")
    assert page.eval_on_selector("#batch_size", "e => +e.max") == 30
    assert not page.errors


# =====================================================================================
# The slides' numbers of a run the page shows no more
# =====================================================================================
@needs_browser
def test_an_explain_answer_overtaken_by_a_new_run_is_not_shown(context, server):
    page = _page(context, server)
    page.click(".node.hidden >> nth=0")
    page.wait_for_function("document.querySelector('#explain').textContent.includes('Point #')")
    held = []
    page.route("**/api/explain", lambda route: held.append(route))
    page.click("#play")  # while playing, the panel is refreshed a few times a second
    deadline = 100
    while not held and deadline:
        page.wait_for_timeout(50)
        deadline -= 1
    assert held, "no explain request while playing"
    page.click("#play")  # pause; then another data set: a new run, the panel cleared
    old = page.evaluate("run.id")
    page.click("#datasets button[data-name='xor']")
    page.wait_for_function(f"run.id !== {old!r}")
    _settled(page)
    for route in held:  # the old run's numbers arrive late
        route.continue_()
    page.wait_for_timeout(500)
    assert "Point #" not in page.text_content("#explain")
    assert page.text_content("#status") == ""


# =====================================================================================
# The Python API (docs/playground.md, "Without a browser")
# =====================================================================================
@pytest.mark.parametrize("epochs", [0, -1, 2.5, 2.0, True, float("nan"), "3", None])
def test_run_train_checks_its_epochs(epochs):
    from glassnet._validation import ParameterError
    from glassnet.playground import Run

    run = Run({"samples": 20, "grid": 10})
    with pytest.raises(ParameterError, match="'epochs'.*Run.train"):
        run.train(epochs)
    assert run.epoch == 0 and run.step_count == 0  # nothing trained
    run.train(2)
    assert run.epoch == 2


def test_a_busy_port_from_python_says_which_and_what_to_do():
    """serve(port=N) on a taken port raised the bare "[Errno 98] Address already in use"."""
    import errno
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(OSError) as info:
            Playground(port=port)
    exc = info.value
    assert exc.errno == errno.EADDRINUSE and exc.strerror == os.strerror(errno.EADDRINUSE)
    assert f"127.0.0.1:{port}" in str(exc) and "port=0" in str(exc)


@pytest.mark.parametrize("host", ["example.invalid", "2001:db8::1"])
def test_a_host_that_cannot_be_bound_says_so(host):
    with pytest.raises(OSError) as info:
        Playground(host=host)
    message = str(info.value)
    assert "cannot serve on" in message and host in message and "'127.0.0.1'" in message
    assert "port=0" not in message


@needs_browser
def test_a_tab_opened_from_another_leaves_the_others_run(context, server):
    # a tab opened from the page (window.open, as a duplicated tab) starts with a copy of its
    # session storage: it must not take the other tab's run for one of its own left behind
    page = _page(context, server)
    page.click("#step")
    _settled(page)
    with context.expect_page() as opened:
        page.evaluate("window.open(location.href)")
    other = opened.value
    other.wait_for_selector(".node.output canvas")
    other.wait_for_function("document.querySelector('#train-loss').textContent !== '-'")
    other.evaluate("busy")
    page.click("#step")
    _settled(page)
    assert page.text_content("#status") == ""
    assert page.text_content("#steps") == "2 steps"


@needs_browser
def test_show_test_data_shows_them_in_the_hidden_feature_space_too(context, server):
    page = _page(context, server)  # 4-2: the last hidden layer has two neurons
    assert page.is_visible("#hidden-space")
    picture = "document.querySelector('#hidden-space').toDataURL()"
    before = page.evaluate(picture)
    page.click("#show_test")  # paused: no frame comes, the panels must redraw themselves
    page.wait_for_timeout(200)
    assert page.evaluate(picture) != before
    page.click("#show_test")
    page.wait_for_timeout(200)
    assert page.evaluate(picture) == before


@needs_browser
def test_discretize_output_redraws_the_output_neuron_too(context, server):
    page = _page(context, server)
    picture = "document.querySelector('.node.output canvas').toDataURL()"
    before = page.evaluate(picture)
    page.click("#discretize")  # paused: the output's thumbnail, as the big plot, discretized
    page.wait_for_timeout(200)
    assert page.evaluate(picture) != before
    page.click("#discretize")
    page.wait_for_timeout(200)
    assert page.evaluate(picture) == before


# =====================================================================================
# The update one point would make, with a penalty on
# =====================================================================================
@pytest.mark.parametrize("reg", ["L1", "L2"])
def test_an_edges_update_for_one_point_includes_the_penalty(reg):
    """With L1/L2 on, the panel's 'w - lr dL/dw (this point alone)' left the penalty out: a
    step on a batch of that one point moved the weight elsewhere."""
    import numpy as np

    from glassnet.playground import Run

    run = Run({"batch_size": 1, "regularization": reg, "reg_rate": 0.3, "lr": 0.1, "seed": 2})
    run.train(1)  # weights away from their start, some of them of either sign
    # the next step's batch is one point: the one the panel explains
    order = np.random.default_rng([run.config["seed"], 2, run.epoch]).permutation(
        len(run.train_idx)
    )
    point = int(run.train_idx[order[0]])
    edge = {"kind": "edge", "layer": 2, "from": 1, "to": 0}
    e = run.explain(point, edge)
    update = run.step()
    assert update["batch"] == [point]
    row = next(r for r in update["rows"] if r[0] == e["name"])
    w, grad, after = row[1], row[2], row[3]
    assert e["w"] == w
    assert e["after"] == pytest.approx(after, rel=1e-12)
    lam = 0.3
    penalty = lam * (w if reg == "L2" else np.sign(w))
    assert e["penalty"] == {"kind": reg, "rate": lam, "dL_dw": pytest.approx(penalty, rel=1e-15)}
    assert e["dL_dw"] + e["penalty"]["dL_dw"] == pytest.approx(grad, rel=1e-9)
    # without a penalty there is none to show
    plain = Run({"batch_size": 1, "seed": 2})
    assert "penalty" not in plain.explain(point, edge)


@needs_browser
def test_the_panel_shows_the_penalty_in_an_edges_update(context, server):
    page = _page(context, server, "#regularization=L2&reg_rate=0.3&batch_size=1")
    page.click("path.hit >> nth=0", force=True)
    page.wait_for_selector("#explain .num[data-key='penalty']")
    shown = {
        k: float(page.get_attribute(f"#explain .num[data-key='{k}']", "data-value"))
        for k in ("w", "dL_dw", "penalty", "after")
    }
    run = server.runs[page.evaluate("run.id")]
    e = run.explain(page.evaluate("selected.point"), page.evaluate("selected.target"))
    assert shown == {"w": e["w"], "dL_dw": e["dL_dw"], "penalty": e["penalty"]["dL_dw"],
                     "after": e["after"]}  # fmt: skip
    assert shown["after"] == shown["w"] - 0.03 * (shown["dL_dw"] + 0.3 * shown["w"])
    assert "0.3\u00b7w1" in page.text_content("#explain")
    assert not page.errors


def test_a_diverged_networks_accuracy_is_not_a_number():
    """Its NaN outputs were counted as class 0 ('49.2% train') beside a loss of 'NaN / inf'."""
    from glassnet.playground import Run
    from glassnet.playground.engine import Diverged

    run = Run({"activation": "linear", "lr": 10, "hidden": [8] * 6,
               "features": ["x1", "x2", "x1^2", "x2^2", "x1x2"]})  # fmt: skip
    with pytest.raises(Diverged):
        run.train(5)
    frame = run.frame()
    assert frame["train_loss"] is None and frame["test_loss"] is None
    assert frame["accuracy"] == [None, None]


@needs_browser
def test_an_error_stays_up_while_training_plays(context, server):
    """The play loop's /api/train and the explain panel's refresh, sent by the page on its
    own, cleared the status line's error at once while training played; only a request the
    user started (a step) clears it."""
    page = _page(context, server)
    page.click("path.hit >> nth=0", force=True)  # a weight chosen: the explain panel refreshes
    page.wait_for_selector("#set-value")
    _settled(page)
    page.evaluate("report(new Error('refused: the weight is not a number'))")
    page.click("#play")
    page.wait_for_function("document.querySelector('#steps').textContent !== '0 steps'")
    steps = page.text_content("#steps")
    page.wait_for_function(f"document.querySelector('#steps').textContent !== {steps!r}")
    page.wait_for_timeout(600)  # (the side panels and the explain refresh, twice)
    assert page.text_content("#status") == "refused: the weight is not a number"
    page.click("#play")  # paused
    _settled(page)
    assert page.text_content("#status") == "refused: the weight is not a number"
    page.click("#step")  # a request the user started: the error is over
    _settled(page)
    assert page.text_content("#status") == ""
    assert not page.errors
