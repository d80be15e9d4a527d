"""The playground on small screens, with many layers, with many runs, and over IPv6.

* the page scrolled sideways below about 930 pixels: it now stacks its panels, down to a
  phone's 360;
* with six hidden layers of eight neurons on 1024 pixels the neurons' names ran into the
  edges between the columns (``a[1]_`` and a tangle of lines): every name is now drawn
  where nothing else is;
* the server kept 32 runs and dropped the oldest without a word: the limit is now
  ``max_runs``, shown on the page, and a dropped run is said so (terminal, both pages);
* the server listened on 127.0.0.1 alone: a browser whose ``localhost`` is ::1 found
  nothing. It now listens on ::1 too (and ``host="0.0.0.0"`` is one dual-stack socket).

The server-side tests always run; the browser ones drive headless Chromium (Debian's
``chromium`` package) with Playwright, and skip, saying why, when either is missing.
"""

from __future__ import annotations

import http.client
import io
import json
import socket

import numpy as np
import pytest
from browser_helpers import needs_browser

from glassnet._validation import ParameterError
from glassnet.playground import Playground, serve
from glassnet.playground import server as server_module

IPV6 = server_module._ipv6_loopback()  # (the server's own probe: IPv6 compiled in, ::1 bound)
needs_ipv6 = pytest.mark.skipif(
    not IPV6,
    reason="this machine has no IPv6 loopback (socket.has_ipv6 is False, or ::1 cannot be "
    "bound): the ::1 half of this check cannot run here; the 127.0.0.1 half runs",
)


def _get(pg, address, path="/api/previews", host=None):
    """GET ``path`` from ``pg`` at ``address`` (127.0.0.1 or ::1): status and body."""
    shown = f"[{address}]" if ":" in address else address
    c = http.client.HTTPConnection(address, pg.port, timeout=20)
    try:
        c.request(
            "GET",
            path,
            headers={"X-Glassnet-Token": pg.token, "Host": host or f"{shown}:{pg.port}"},
        )
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


def _post(pg, path, body):
    c = http.client.HTTPConnection("127.0.0.1", pg.port, timeout=30)
    try:
        headers = {"X-Glassnet-Token": pg.token, "Content-Type": "application/json"}
        c.request("POST", path, body=json.dumps(body), headers=headers)
        r = c.getresponse()
        return r.status, json.loads(r.read())
    finally:
        c.close()


SMALL = {"grid": 10, "samples": 20}


# =====================================================================================
# IPv4 and IPv6
# =====================================================================================


def test_the_default_server_answers_on_127_0_0_1(server):
    status, data = _get(server, "127.0.0.1")
    assert status == 200 and b"circle" in data
    assert server.url.startswith(f"http://127.0.0.1:{server.port}/?token=")


@needs_ipv6
def test_the_default_server_answers_on_ipv6_loopback_too(server):
    # a browser whose 'localhost' is ::1 first: the server listened on 127.0.0.1 alone
    assert server.addresses == ["127.0.0.1", "::1"]
    status, data = _get(server, "::1")
    assert status == 200 and b"circle" in data
    status, data = _get(server, "::1", host=f"localhost:{server.port}")
    assert status == 200
    # a run made over one address is the same run over the other
    status, out = _post(server, "/api/run", {"config": SMALL})
    assert status == 200
    status, data = _get(server, "::1", f"/api/state?run={out['run']}")
    assert status == 200 and json.loads(data)["config"]["samples"] == 20


# every address, in each spelling ('::0', '0' and the long form printed a URL that did not
# answer, or answered other computers with 403)
@pytest.mark.parametrize("host", ["0.0.0.0", "::", "::0", "0:0:0:0:0:0:0:0", "0"])
def test_every_address_is_one_dual_stack_socket(host):
    pg = Playground(host=host).start()
    try:
        assert pg.any_address and pg.url.startswith(f"http://127.0.0.1:{pg.port}/")
        assert _get(pg, "127.0.0.1")[0] == 200
        lan = f"192.168.1.10:{pg.port}"  # another computer, by this one's IPv4 address
        assert _get(pg, "127.0.0.1", host=lan)[0] == 200
        # one dual-stack socket where the system has IPv6 (a loopback or not), else IPv4 alone
        assert pg.addresses == (["::"] if socket.has_ipv6 else ["0.0.0.0"]) or (
            pg.addresses == ["0.0.0.0"] and not IPV6
        )
        if IPV6:
            assert _get(pg, "::1")[0] == 200
    finally:
        pg.close()


def test_the_command_line_sets_the_runs_kept(monkeypatch, capsys):
    import glassnet.playground as playground
    from glassnet import cli
    from glassnet.playground import server

    seen = []
    monkeypatch.setattr(playground, "serve", lambda **kw: seen.append(kw))
    assert cli.main(["playground", "--no-browser", "--max-runs", "5"]) == 0
    assert cli.main(["playground", "--no-browser"]) == 0
    assert seen[0]["max_runs"] == 5 and "max_runs" not in seen[1]  # (serve's default)
    assert cli.main(["playground", "--max-runs", str(server.RUNS_LIMIT + 1)]) == 2
    assert f"from 1 to {server.RUNS_LIMIT}" in capsys.readouterr().err

    def taken(**kw):  # the ::1 half of the default loopback pair is taken
        raise server.BindError(OSError(98, "Address already in use"), "::1", 4242)

    monkeypatch.setattr(playground, "serve", taken)
    assert cli.main(["playground", "--no-browser", "--port", "4242"]) == 2
    assert "cannot serve on [::1]:4242: Address already in use" in capsys.readouterr().err


def test_a_limit_of_one_run_is_said_in_the_singular(capsys):
    pg = Playground(max_runs=1)
    try:
        first, _ = pg.new_run(SMALL)
        pg.new_run(SMALL)
        err = capsys.readouterr().err
        assert "keeps at most 1 run (glassnet playground --max-runs N" in err
        assert "at most 1 run (each open page" in pg._dropped[first]
    finally:
        pg.close()


@needs_ipv6
def test_an_ipv6_address_alone_is_served_and_named_in_brackets():
    pg = Playground(host="::1").start()
    try:
        assert pg.url.startswith(f"http://[::1]:{pg.port}/?token=")
        assert _get(pg, "::1")[0] == 200
        with pytest.raises(OSError):  # that address alone
            _get(pg, "127.0.0.1")
    finally:
        pg.close()


def test_an_address_that_is_not_this_computers_says_what_to_give():
    with pytest.raises(OSError) as info:
        Playground(host="2001:db8::1")  # (the documentation prefix: nobody's address)
    message = str(info.value)
    assert "cannot serve on [2001:db8::1]:0" in message
    assert "'127.0.0.1'" in message and "'::1'" in message


@needs_ipv6
def test_a_port_taken_on_ipv6_loopback_is_named():
    with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as busy:
        busy.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        busy.bind(("::1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(OSError) as info:
            Playground(port=port)
    assert f"[::1]:{port}" in str(info.value) and "port=0" in str(info.value)
    # and the IPv4 socket it had bound is released
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))


def test_close_stops_every_socket():
    pg = Playground().start()
    pg.close()
    for family, address in [(socket.AF_INET, "127.0.0.1")] + [(socket.AF_INET6, "::1")] * IPV6:
        with socket.socket(family, socket.SOCK_STREAM) as s:
            s.settimeout(2)
            with pytest.raises(OSError):
                s.connect((address, pg.port))


# =====================================================================================
# The runs kept: a limit that is shown and can be set, and a drop that is said
# =====================================================================================
def test_the_run_limit_is_set_shown_and_a_drop_is_said(capfd):
    pg = Playground(max_runs=3).start()
    try:
        ids = []
        for k in range(3):
            status, out = _post(pg, "/api/run", {"config": {**SMALL, "seed": k}})
            assert status == 200
            assert out["runs"] == {"held": k + 1, "max": 3, "dropped": 0, "dropped_now": 0}
            ids.append(out["run"])
        capfd.readouterr()
        status, out = _post(pg, "/api/run", {"config": SMALL})
        assert status == 200
        assert out["runs"] == {"held": 3, "max": 3, "dropped": 1, "dropped_now": 1}
        # the terminal says which run went, and how to keep more
        err = capfd.readouterr().err
        assert f"dropped run {ids[0]}" in err and "at most 3 runs" in err and "max_runs" in err
        # the dropped run's page is told why, not only that the run is unknown
        status, out = _post(pg, "/api/step", {"run": ids[0]})
        assert status == 410
        assert "dropped to make room" in out["error"] and "at most 3 runs" in out["error"]
        assert "max_runs" in out["error"] and "Reload the page" in out["error"]
        # a run never made is still the plain unknown one
        status, out = _post(pg, "/api/step", {"run": "never-made"})
        assert status == 404 and "unknown run" in out["error"]
        assert _post(pg, "/api/step", {"run": ids[1]})[0] == 200  # the others are kept
    finally:
        pg.close()


@pytest.mark.parametrize("bad", [0, -1, 1.5, "32", 1001, True])
def test_max_runs_is_checked(bad):
    with pytest.raises(ParameterError, match="'max_runs'"):
        Playground(max_runs=bad)


def test_serve_takes_max_runs():
    pg = serve(port=0, open_browser=False, block=False, out=io.StringIO(), max_runs=500)
    try:
        assert pg.max_runs == 500
        status, out = _post(pg, "/api/run", {"config": SMALL})
        assert status == 200 and out["runs"]["max"] == 500
        # a page's list of runs left behind may be as long as the limit
        assert _post(pg, "/api/drop", {"runs": ["x"] * 500}) == (200, {"dropped": 0})
    finally:
        pg.close()


# =====================================================================================
# In the browser
# =====================================================================================

SIX = "#hidden=8%2C8%2C8%2C8%2C8%2C8"


def _open(browser, url, width, height=800):
    # bypass_csp: Playwright's waits evaluate strings, which the page's policy forbids
    context = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors
    page.goto(url)
    page.wait_for_selector(".node.output canvas")
    page.wait_for_function("document.querySelector('#train-loss').textContent !== '-'")
    return context, page


@needs_browser
@pytest.mark.parametrize("width", [360, 600, 800])
@pytest.mark.parametrize("fragment", ["", SIX])
def test_no_sideways_scrolling_down_to_a_phone(browser, server, width, fragment):
    # below about 930 pixels the page scrolled sideways: the board's three columns, the
    # lecture row's three panels and the footer kept their widths
    context, page = _open(browser, server.url + fragment, width)
    try:
        page.click(".node.hidden >> nth=0")  # the slides' numbers: long equations
        page.wait_for_selector("#explain .num")
        page.click("#step")  # the update table
        page.wait_for_selector("#update tr[data-name]")
        page.wait_for_timeout(200)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert page.evaluate("window.innerWidth") == width
        # everything a user works with is inside the window's width
        for sel in ["#boundary", "#play", "#datasets", ".node.output", "#export-data", "#lr"]:
            box = page.locator(sel).first.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, sel
        cols = [page.locator(c).bounding_box() for c in (".data-col", ".net-col", ".out-col")]
        if width == 360:  # a phone: the panels one under the other
            assert cols[0]["y"] + cols[0]["height"] <= cols[1]["y"] + 1
            assert cols[1]["y"] + cols[1]["height"] <= cols[2]["y"] + 1
        assert not page.errors
    finally:
        context.close()


LABELS = ".node .label, .node .name, .layer-ctl span"


def _label_boxes(page):
    return page.eval_on_selector_all(
        LABELS,
        "els => els.map((e) => { const r = e.getBoundingClientRect();"
        " return {text: e.textContent, x: r.left, y: r.top, w: r.width, h: r.height,"
        " node: [...document.querySelectorAll('.node')].indexOf(e.closest('.node'))}; })",
    )


def _inside(a, b, slack=0.5):
    return (
        a["x"] >= b["x"] - slack
        and a["y"] >= b["y"] - slack
        and a["x"] + a["w"] <= b["x"] + b["w"] + slack
        and a["y"] + a["h"] <= b["y"] + b["h"] + slack
    )


def _overlap(a, b):
    return (
        min(a["x"] + a["w"], b["x"] + b["w"]) - max(a["x"], b["x"]) > 0.5
        and min(a["y"] + a["h"], b["y"] + b["h"]) - max(a["y"], b["y"]) > 0.5
    )


@needs_browser
@pytest.mark.parametrize("width", [1024, 360])
def test_every_label_of_six_layers_of_eight_is_visible(browser, server, width):
    # six hidden layers of eight on a projector's 1024 pixels: each name (a[1]_1) ran past
    # its 26-pixel node into the gap where the edges run, and was lost in them
    from PIL import Image  # (Pillow: matplotlib's, in the test extra)

    context, page = _open(browser, server.url + SIX, width, height=1000)
    try:
        # the bar kept in view at the window's bottom (sticky) would stand over the network
        # in the full-page picture below: in its place at the end of the page
        page.add_style_tag(content=".bottom { position: static; }")
        labels = _label_boxes(page)
        names = [lab["text"] for lab in labels]
        assert len(labels) == 7 + 6 * 8 + 1 + 6 and "a[6]_8" in names and "y_hat" in names
        net = page.locator("#network").bounding_box()
        net = {"x": net["x"], "y": net["y"], "w": net["width"], "h": net["height"]}
        view = {"x": 0, "y": 0, "w": width, "h": 1e9}
        nodes = page.eval_on_selector_all(
            ".node",
            "els => els.map((e) => { const r = e.getBoundingClientRect();"
            " return {x: r.left, y: r.top, w: r.width, h: r.height}; })",
        )
        for i, lab in enumerate(labels):
            assert lab["w"] > 0 and lab["h"] > 0, lab
            assert _inside(lab, net) and _inside(lab, view), (lab, net)  # not cut off
            for other in labels[i + 1 :]:
                assert not _overlap(lab, other), (lab, other)
            for k, nd in enumerate(nodes):
                if k != lab["node"]:
                    assert not _overlap(lab, nd), (lab, nd)
        # nothing drawn behind a label: with its text made transparent, its box is one
        # colour (an edge passing behind the text made it unreadable)
        page.mouse.move(1, 1)
        page.add_style_tag(content=f"{LABELS} {{ color: transparent !important; }}")
        page.wait_for_timeout(100)
        shot = np.asarray(Image.open(io.BytesIO(page.screenshot(full_page=True))).convert("RGB"))
        for lab in labels:
            x0, x1 = int(np.ceil(lab["x"])) + 1, int(np.floor(lab["x"] + lab["w"])) - 1
            y0, y1 = int(np.ceil(lab["y"])) + 1, int(np.floor(lab["y"] + lab["h"])) - 1
            box = shot[y0:y1, x0:x1].reshape(-1, 3).astype(int)
            assert len(box), lab
            spread = np.abs(box - np.median(box, axis=0)).max()
            assert spread <= 16, (lab["text"], spread)
        assert not page.errors
    finally:
        context.close()


@needs_browser
def test_the_page_shows_the_run_limit_and_says_when_a_run_was_dropped(browser):
    pg = Playground(max_runs=1).start()
    try:
        first, a = _open(browser, pg.url, 1280)
        try:
            assert a.text_content("#runs-info").startswith("Runs kept: 1 of 1")
            assert "max_runs" in a.get_attribute("#runs-info", "title")
            second, b = _open(browser, pg.url, 1280)  # a second page: the first run goes
            try:
                note = b.text_content("#runs-info")
                assert "Runs kept: 1 of 1" in note and "pushed out the run" in note, note
                a.click("#step")  # the first page learns why its run is gone
                a.wait_for_function("document.querySelector('#status').textContent !== ''")
                status = a.text_content("#status")
                assert "dropped to make room" in status and "max_runs" in status, status
            finally:
                second.close()
        finally:
            first.close()
    finally:
        pg.close()


@needs_browser
@needs_ipv6
def test_the_page_works_over_ipv6_loopback(browser, server):
    # the page itself, opened as http://[::1]:PORT/ (what 'localhost' can mean)
    url = f"http://[::1]:{server.port}/?token={server.token}"
    context, page = _open(browser, url, 1280)
    try:
        page.click("#step")
        page.wait_for_selector("#update tr[data-name]")
        assert page.text_content("#steps") == "1 step" and page.text_content("#status") == ""
        assert not page.errors
    finally:
        context.close()
