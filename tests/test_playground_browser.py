"""The playground in a real browser: headless Chromium (Debian's ``chromium`` package)
driven by Playwright.

Skipped, with the reason, when Playwright or Chromium is missing; ``.ci/run`` installs
Chromium so CI runs them. Screenshots go to a temporary folder; with
``GLASSNET_UPDATE_SCREENSHOTS=1`` they are also copied to ``docs/img/`` (the README's).
"""

from __future__ import annotations

import json
import os
import shutil
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from browser_helpers import CHROMIUM, open_playground, page_of

from glassnet.explain import explain
from glassnet.playground import Playground

sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright (the test extra)")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="needs Chromium at /usr/bin/chromium (apt-get install -y chromium; .ci/run does it)",
)
DOCS_IMG = Path(__file__).resolve().parents[1] / "docs" / "img"


@pytest.fixture
def page(browser, server):
    yield from page_of(browser, accept_downloads=True)


_open = open_playground


def _state(server, page):
    """The server's view of the page's run: settings, weights."""
    rid = page.evaluate("run.id")
    req = urllib.request.Request(
        f"http://127.0.0.1:{server.port}/api/state?run={rid}",
        headers={"X-Glassnet-Token": server.token},
    )
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def _screenshot(page, tmp_path, name):
    path = tmp_path / name
    page.mouse.move(2, 2)  # no hovered neuron: the big plot shows the output
    # the bar kept in view at the window's bottom (sticky) would stand mid-page in a
    # full-page picture: in its place at the end of the page for this one
    page.add_style_tag(content=".bottom { position: static; }")
    page.wait_for_timeout(100)
    page.screenshot(path=str(path), full_page=True)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    if os.environ.get("GLASSNET_UPDATE_SCREENSHOTS") == "1":
        shutil.copy(path, DOCS_IMG / name)
    return path


def test_page_loads_with_the_network_and_the_boundary(page, server):
    _open(page, server)
    assert page.title() == "glassnet playground"
    assert page.text_content("#epoch") == "000,000"
    assert page.locator(".node.hidden").count() == 6  # 4 + 2
    assert page.locator(".node.input").count() == 7  # every feature, two lit
    assert page.locator(".node.input.off").count() == 5
    assert page.locator("path.shown").count() == 2 * 4 + 4 * 2 + 2 * 1
    assert page.locator("#datasets button").count() == 10  # 8 classification, 2 regression
    # hovering a neuron shows its output in the big plot, as TF Playground does
    output = page.evaluate("document.querySelector('#boundary').toDataURL()")
    page.hover(".node.hidden >> nth=0")
    assert page.evaluate("document.querySelector('#boundary').toDataURL()") != output
    page.mouse.move(5, 5)
    assert page.evaluate("document.querySelector('#boundary').toDataURL()") == output


def test_play_makes_the_test_loss_fall(page, server, tmp_path):
    _open(page, server, "#lr=0.1&seed=1")
    start = float(page.text_content("#test-loss"))
    page.click("#play")
    page.wait_for_function("frame && frame.epoch >= 25", timeout=60_000)
    page.click("#play")
    page.wait_for_timeout(300)
    epoch = int(page.text_content("#epoch").replace(",", ""))
    assert epoch >= 25
    assert float(page.text_content("#test-loss")) < 0.7 * start
    assert page.get_attribute("#play", "aria-label") == "play"  # paused again
    page.click("#step")  # the screenshot shows a step's update table too
    page.wait_for_selector("#update tr[data-name]")
    page.click(".node.hidden >> nth=1")
    page.wait_for_selector("#explain .num[data-key=z]")
    _screenshot(page, tmp_path, "playground.png")


def test_step_changes_the_weights_by_exactly_the_shown_update(page, server):
    _open(page, server)
    before = _state(server, page)["parameters"]
    page.click("#step")
    page.wait_for_selector("#update tr[data-name]")
    rows = page.eval_on_selector_all(
        "#update tr[data-name]",
        "trs => trs.map(tr => [tr.dataset.name, ...[...tr.querySelectorAll('.num')]"
        ".map(s => s.dataset.value)])",
    )
    lr = page.evaluate("run.config.lr")
    state = _state(server, page)
    assert [r[0] for r in rows] == state["names"]
    shown_before = np.array([float(r[1]) for r in rows])
    grad = np.array([float(r[2]) for r in rows])
    after = np.array([float(r[3]) for r in rows])
    np.testing.assert_array_equal(shown_before, before)
    np.testing.assert_array_equal(after, shown_before - lr * grad)
    np.testing.assert_array_equal(after, state["parameters"])
    assert np.any(grad != 0)
    assert page.text_content("#steps") == "1 step"
    # the table shows the numbers rounded, as the slides do
    first = page.locator("#update tr[data-name] >> nth=0").locator(".num").nth(2)
    assert first.text_content() == f"{after[0]:.4f}"
    # the keyboard: "s" steps, space plays and pauses
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("s")
    page.wait_for_function("frame.step === 2")
    page.keyboard.press(" ")
    page.wait_for_function("frame.epoch >= 2")
    page.keyboard.press(" ")
    assert page.get_attribute("#play", "aria-label") == "play"


def test_add_and_remove_layers_and_neurons(page, server):
    _open(page, server)
    page.click("#add-layer")
    page.wait_for_function("document.querySelectorAll('.node.hidden').length === 8")
    assert page.text_content("#layers-title") == "3 hidden layers"
    assert "hidden=4%2C2%2C2" in page.url
    page.click(".add-neuron >> nth=2")
    page.wait_for_function("document.querySelectorAll('.node.hidden').length === 9")
    assert _state(server, page)["config"]["hidden"] == [4, 2, 3]
    for _ in range(3):
        page.click("#remove-layer")
        page.wait_for_timeout(150)
    page.wait_for_function("document.querySelectorAll('.node.hidden').length === 0")
    assert page.text_content("#layers-title") == "0 hidden layers"
    assert page.is_disabled("#remove-layer")
    assert _state(server, page)["config"]["hidden"] == []
    assert page.locator("path.shown").count() == 2  # x1, x2 straight to the output


def test_the_url_state_round_trips(page, server, browser):
    _open(page, server)
    page.select_option("#activation", "relu")
    page.wait_for_function("run.config.activation === 'relu'")
    page.select_option("#lr", "0.1")
    page.select_option("#regularization", "L2")
    page.select_option("#reg_rate", "0.003")
    page.click("#datasets button[data-name=xor]")
    page.wait_for_function("run.config.dataset === 'xor'")
    page.click(".node.input >> nth=4")  # x1·x2
    page.wait_for_function("run.config.features.length === 3")
    page.click("#show_test")
    page.wait_for_function("run.config.reg_rate === 0.003")
    url = page.url
    assert "activation=relu" in url and "features=x1%2Cx2%2Cx1x2" in url
    other = browser.new_page(bypass_csp=True)
    try:
        _open(other, server, "#" + url.split("#", 1)[1])
        cfg = other.evaluate("run.config")
        assert cfg["activation"] == "relu" and cfg["dataset"] == "xor"
        assert cfg["features"] == ["x1", "x2", "x1x2"] and cfg["lr"] == 0.1
        assert cfg["regularization"] == "L2" and cfg["reg_rate"] == 0.003
        assert other.input_value("#activation") == "relu"
        assert other.input_value("#lr") == "0.1"
        assert other.is_checked("#show_test")
        assert other.url == url  # the restored page writes the same state back
    finally:
        other.close()


def test_a_link_with_refused_settings_says_so_and_shows_the_defaults(page, server):
    page.goto(server.url + "#hidden=4%2C99&activation=gelu")
    page.wait_for_function("run !== null && frame !== null")
    page.wait_for_function("document.querySelector('#status').textContent !== ''")
    status = page.text_content("#status")
    assert "refused" in status and "'hidden'" in status
    assert page.evaluate("run.config.hidden") == [4, 2]
    assert "hidden=4%2C2" in page.url
    # the browser logs the refused request itself; nothing else may have gone wrong
    page.errors[:] = [e for e in page.errors if "status of 400" not in e]


def test_regression_test_points_and_discretized_output(page, server):
    _open(page, server)
    page.select_option("#problem", "regression")
    page.wait_for_function("run.config.problem === 'regression'")
    assert page.evaluate("run.config.dataset") == "reg-plane"
    assert page.is_hidden("#acc-row")
    visible = page.eval_on_selector_all(
        "#datasets button:not([hidden])", "bs => bs.map(b => b.dataset.name)"
    )
    assert visible == ["reg-plane", "reg-gauss"]
    page.select_option("#problem", "classification")
    page.wait_for_function("run.config.problem === 'classification'")
    pixels = "document.querySelector('#boundary').toDataURL()"
    before = page.evaluate(pixels)
    page.click("#show_test")
    with_test = page.evaluate(pixels)
    page.click("#discretize")
    discrete = page.evaluate(pixels)
    assert len({before, with_test, discrete}) == 3
    assert "show_test=true" in page.url and "discretize=true" in page.url


def test_clicking_a_neuron_shows_glassnets_explain(page, server):
    _open(page, server, "#seed=3")
    page.click("#play")
    page.wait_for_function("frame && frame.epoch >= 3", timeout=30_000)
    page.click("#play")
    page.wait_for_timeout(300)
    page.click(".node.hidden >> nth=4")  # layer 2, neuron 0
    page.wait_for_selector("#explain .num[data-key=dL_dz]")
    shown = page.eval_on_selector_all(
        "#explain .num", "ss => Object.fromEntries(ss.map(s => [s.dataset.key, +s.dataset.value]))"
    )
    point = page.evaluate("selected.point")
    state = _state(server, page)
    # the same network with the weights the server reports, explained by glassnet
    import glassnet as gn
    from glassnet.playground.engine import feature_matrix

    net = gn.nn.MLP([2, 4, 2, 1], activation="tanh", output_activation="sigmoid", dtype=np.float64)
    for lin, W, b in zip(net.layers[::2], state["W"], state["b"]):
        lin.W.data[...], lin.b.data[...] = W, b
    pts = np.array(page.evaluate("run.data.points"))
    y = page.evaluate("run.data.targets")[point]
    e = explain(net, feature_matrix(pts[[point]], ["x1", "x2"])[0], y, "binary_cross_entropy")
    assert shown["z"] == pytest.approx(e.Z[1][0, 0], abs=1e-12)
    assert shown["a"] == pytest.approx(e.A[1][0, 0], abs=1e-12)
    assert shown["gprime"] == pytest.approx(e.gprime[1][0, 0], abs=1e-12)
    assert shown["dL_dz"] == pytest.approx(e.dL_dZ[1][0, 0], abs=1e-12)
    assert shown["y_hat"] == pytest.approx(e.y_hat[0, 0], abs=1e-12)
    assert shown["loss"] == pytest.approx(e.loss, abs=1e-12)
    assert shown["path"] == pytest.approx(shown["dL_dz"], abs=1e-12)
    text = page.text_content("#explain")
    assert "z5 = b5 + w9\u00b7a1" in text and "g'(z5)" in text
    # an edge: dL/dw = dL/du · v and the step preview
    page.click("path.hit >> nth=0", force=True)  # a straight edge has a zero-height box
    page.wait_for_selector("#explain .num[data-key=dL_dw]")
    shown = page.eval_on_selector_all(
        "#explain .num", "ss => Object.fromEntries(ss.map(s => [s.dataset.key, +s.dataset.value]))"
    )
    assert shown["dL_dw"] == pytest.approx(e.gradient("w1"), abs=1e-12)
    assert shown["after"] == pytest.approx(e.W[0][0, 0] - 0.03 * e.gradient("w1"), abs=1e-12)
    # set the weight by hand, as TF Playground allows
    page.fill("#set-value", "1.5")
    page.press("#set-value", "Enter")
    page.wait_for_function("frame.W[0][0][0] === 1.5")
    assert _state(server, page)["W"][0][0][0] == 1.5
    page.wait_for_selector("#explain .num[data-key=w][data-value='1.5']")


def test_lecture_preset_and_export_for_glassnet_predict(page, server, tmp_path, capsys):
    pytest.importorskip("safetensors")
    from glassnet.cli import main

    _open(page, server)
    page.click("#lecture")
    page.wait_for_function("run.config.preset === 'lecture'")
    page.wait_for_selector("#hidden-space-wrap:not([hidden])")
    cells = page.eval_on_selector_all("#table tr", "rs => rs.map(r => r.innerText.split('\\t'))")
    assert cells[0] == ["x1", "x2", "a1", "a2", "y", "y_hat"]
    assert [c[2:4] for c in cells[1:]] == [
        ["0.002", "0.881"], ["0.119", "0.119"], ["0.119", "0.119"], ["0.881", "0.002"],
    ]  # fmt: skip
    assert "preset=lecture" in page.url
    page.click(".node.output")
    page.wait_for_selector("#explain .num[data-key=z]")
    _screenshot(page, tmp_path, "playground_lecture.png")
    # export: the model file and the data, read by `glassnet predict`
    with page.expect_download() as d:
        page.click("#export-model")
    model = tmp_path / "xnor.glassnet"
    d.value.save_as(model)
    with page.expect_download() as d:
        page.click("#export-data")
    data = tmp_path / "xnor.csv"
    d.value.save_as(data)
    capsys.readouterr()
    assert main(["predict", str(model), str(data)]) == 0
    assert capsys.readouterr().out.split() == ["label", "1", "0", "0", "1"]


def test_a_diverging_run_stops_playing_and_says_why(page, server):
    # a deep linear network with learning rate 10 blows up within the first epoch
    hidden, features = "8%2C8%2C8%2C8%2C8%2C8", "x1%2Cx2%2Cx1%5E2%2Cx2%5E2%2Cx1x2"
    _open(page, server, f"#activation=linear&lr=10&hidden={hidden}&features={features}")
    page.click(".node.hidden >> nth=0")  # a selected neuron: its numbers are NaN once diverged
    page.wait_for_selector("#explain .num[data-key=z]")
    page.click("#play")
    page.wait_for_function("frame.diverged !== null", timeout=30_000)
    page.wait_for_timeout(300)
    assert page.get_attribute("#play", "aria-label") == "play"  # stopped by itself
    status = page.text_content("#status")
    assert "diverged" in status and "Lower the learning rate (now 10)" in status
    assert page.text_content("#train-loss") in ("NaN", "infinite")  # (the server's word)
    steps = page.evaluate("frame.step")
    assert _state(server, page)["step"] == steps  # the refused step was not taken
    page.select_option("#lr", "0.001")
    page.click("#reset")
    page.wait_for_function("frame.step === 0 && frame.diverged === null")
    assert page.text_content("#status") == "" and page.text_content("#train-loss") not in (
        "NaN",
        "infinite",
    )


def test_the_lecture_preset_is_the_slides_setup_whatever_came_before(page, server):
    _open(page, server)
    page.select_option("#regularization", "L2")
    page.select_option("#reg_rate", "0.1")
    page.wait_for_function("run.config.reg_rate === 0.1")
    page.click("#lecture")
    page.wait_for_function("run.config.preset === 'lecture'")
    cfg = page.evaluate("run.config")
    assert (cfg["lr"], cfg["regularization"], cfg["reg_rate"]) == (1, "none", 0)
    assert page.input_value("#regularization") == "none" and page.input_value("#reg_rate") == "0"
    # its 100% training points: the slider shows them as its label does
    assert cfg["train_ratio"] == 100 and page.input_value("#train_ratio") == "100"
    assert page.text_content("#train_ratio_v") == "100%"
    # its data and weights take no seed: no "regenerate" that would change nothing
    assert page.is_disabled("#regenerate")
    page.click("#datasets button[data-name=circle]")
    page.wait_for_function("run.config.preset === 'none'")
    assert page.is_enabled("#regenerate")


def test_quick_clicks_are_all_kept(page, server):
    _open(page, server)
    # three clicks on a layer's "+" and a new layer, each while the last one's run is made
    page.evaluate(
        "(async () => { for (let i = 0; i < 3; i++) {"
        "  document.querySelectorAll('.add-neuron')[0].click();"
        "  await new Promise((r) => setTimeout(r, 5)); }"
        "document.querySelector('#add-layer').click(); })()"
    )
    page.wait_for_function("run.config.hidden.length === 3")
    page.wait_for_timeout(300)
    assert _state(server, page)["config"]["hidden"] == [7, 2, 2]
    assert page.locator(".node.hidden").count() == 11 and "hidden=7%2C2%2C2" in page.url
    # two sliders and the learning rate at once: none of them is undone by the first new run
    page.evaluate(
        "for (const [id, v] of [['noise', '25'], ['train_ratio', '70'], ['lr', '0.1']]) {"
        "  const el = document.getElementById(id); el.value = v;"
        "  el.dispatchEvent(new Event('change')); }"
    )
    page.wait_for_function("run.config.noise === 25 && run.config.train_ratio === 70")
    page.wait_for_timeout(300)
    cfg = _state(server, page)["config"]
    assert (cfg["noise"], cfg["train_ratio"], cfg["lr"]) == (25, 70, 0.1)
    assert page.input_value("#train_ratio") == "70" and page.input_value("#lr") == "0.1"


def test_the_status_line_is_in_view_on_a_projector(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 720}, bypass_csp=True)
    try:
        pg = context.new_page()
        pg.goto(server.url + "#hidden=4%2C99")  # refused: the status line says so
        pg.wait_for_function("document.querySelector('#status').textContent !== ''")
        assert pg.evaluate("document.documentElement.scrollHeight") > 720  # a long page
        box = pg.locator("#status").bounding_box()
        assert box is not None and 0 <= box["y"] and box["y"] + box["height"] <= 720
        assert pg.locator("#export-model").bounding_box()["y"] < 720
    finally:
        context.close()


def test_the_board_fits_a_projectors_1024_pixels_with_six_layers(browser, server):
    # a classroom projector: the output plot was cut off at the right (the board needed
    # 1078 pixels), and six layers' controls ran into each other
    context = browser.new_context(viewport={"width": 1024, "height": 768}, bypass_csp=True)
    try:
        pg = context.new_page()
        _open(pg, server, "#hidden=8%2C8%2C8%2C8%2C8%2C8")
        assert pg.evaluate("document.documentElement.scrollWidth") <= 1024
        plot = pg.locator("#boundary").bounding_box()
        assert plot is not None and plot["x"] >= 0 and plot["x"] + plot["width"] <= 1024
        boxes = [pg.locator(".layer-ctl").nth(i).bounding_box() for i in range(6)]
        for a, b in zip(boxes, boxes[1:]):
            assert a["x"] + a["width"] <= b["x"] + 0.5, (a, b)  # side by side, not overlapping
        titles = pg.eval_on_selector_all(".layer-ctl", "els => els.map((e) => e.title)")
        assert titles == ["8 neurons"] * 6  # the short label's full words, on hover
    finally:
        context.close()


def test_six_layers_on_1024_pixels_leave_room_for_the_edges(browser, server, page):
    # the 40-pixel nodes of eight columns in 482 pixels stood 3 pixels apart: every edge
    # between two hidden layers was hidden behind them, a click on one hit a 3-pixel slot
    context = browser.new_context(viewport={"width": 1024, "height": 768}, bypass_csp=True)
    try:
        pg = context.new_page()
        _open(pg, server, "#hidden=8%2C8%2C8%2C8%2C8%2C8")
        first = [pg.locator(f".node[data-layer='{l}'] >> nth=0").bounding_box() for l in (1, 2)]
        assert first[1]["x"] - (first[0]["x"] + first[0]["width"]) >= 12, first
        # the edge between them (a straight line) answers a click with its numbers
        pg.mouse.click(
            (first[0]["x"] + first[0]["width"] + first[1]["x"]) / 2,
            first[0]["y"] + first[0]["height"] / 2,
        )
        pg.wait_for_selector("#explain .num")
        assert "w[2]_11" in pg.text_content("#explain")
        box = pg.locator(".node.input >> nth=0").bounding_box()
        label = pg.locator(".node.input .label >> nth=0").bounding_box()
        assert label["x"] + label["width"] <= box["x"]  # the feature's name left of its node
        assert abs((label["y"] + label["height"] / 2) - (box["y"] + box["height"] / 2)) < 3
    finally:
        context.close()
    # where there is room, the nodes keep their 40 pixels
    _open(page, server, "#hidden=8%2C8%2C8%2C8%2C8%2C8")
    assert page.locator(".node.hidden >> nth=0").bounding_box()["width"] == 40


def test_toggling_a_hovered_input_leaves_the_output_in_the_big_plot(page, server):
    _open(page, server)
    pixels = "document.querySelector('#boundary').toDataURL()"
    page.click(".node.input >> nth=0")  # x1 off; the pointer stays over its node
    page.wait_for_function("run.config.features.length === 1")
    page.wait_for_timeout(300)
    shown = page.evaluate(pixels)
    page.hover(".node.output")
    page.mouse.move(2, 2)  # leaving a node: the big plot shows the output
    page.wait_for_timeout(100)
    assert page.evaluate(pixels) == shown


def test_pausing_and_playing_quickly_leaves_one_loop(page, server):
    _open(page, server)
    # count the page's queued calls: one loop has one at a time
    page.evaluate(
        "(() => { window.__outstanding = 0; window.__most = 0; const q = window.queue;"
        "  window.queue = (fn) => { __outstanding++; __most = Math.max(__most, __outstanding);"
        "    const p = q(fn); p.finally(() => { __outstanding--; }); return p; }; })()"
    )
    page.evaluate(
        "for (let i = 0; i < 4; i++) {"
        "  document.querySelector('#play').click(); document.querySelector('#play').click(); }"
        "document.querySelector('#play').click();"
    )
    page.wait_for_function("frame.epoch >= 3", timeout=60_000)
    page.evaluate("__most = __outstanding")
    page.wait_for_function("frame.epoch >= 8", timeout=60_000)
    page.click("#play")
    assert page.evaluate("__most") == 1


def test_the_keys_work_with_the_focus_on_a_button_or_a_slider(page, server):
    _open(page, server)
    page.focus("#play")  # as after a click on it
    page.keyboard.press("s")
    page.wait_for_function("frame.step === 1")
    page.focus("#noise")  # as after dragging it
    page.keyboard.press(" ")
    page.wait_for_function("frame.epoch >= 1")
    assert page.get_attribute("#play", "aria-label") == "pause"
    page.keyboard.press(" ")
    page.wait_for_function("!playing")
    page.focus("#lr")  # a list: its keys are its own
    page.keyboard.press("s")
    page.wait_for_timeout(300)
    assert page.input_value("#lr") == "0.03" and not page.evaluate("playing")


def test_a_feature_clicked_while_playing_keeps_it_playing(page, server):
    _open(page, server)
    page.click("#play")
    page.wait_for_function("frame.epoch >= 2", timeout=30_000)
    for node in (2, 3):  # x1², then x2² (their boxes): each ticked while a frame is on its way
        page.evaluate(
            "new Promise((done) => { const f = window.fetch; window.fetch = (p, o) => {"
            "  window.fetch = f; const r = f(p, o);"
            f"  document.querySelectorAll('.feature-use')[{node}].click(); done(); return r;"
            " }; })"
        )
        page.wait_for_function(f"run.config.features.length === {node + 1}")
        page.wait_for_timeout(200)
        assert page.evaluate("playing"), page.text_content("#status")  # no error stopped it
    page.click("#play")
    assert page.locator(".node.input.off").count() == 3


ROW_HEIGHTS = (
    "Array.from(document.querySelectorAll('#table tr'),"
    " (r) => Math.round(r.getBoundingClientRect().height))"
)


def test_a_diverged_run_keeps_its_numbers_short_and_its_buttons_on_one_line(page, server):
    # a diverging run's hidden values (1e25) were written with all their digits, which ran
    # out of the table; a small one (1.00e-6) broke over two lines at its '-'; and the long
    # status line squeezed the export buttons onto two lines each ("Model / file")
    _open(page, server, "#dataset=spiral&features=x1%2Cx2%2Cx1%5E2%2Cx2%5E2%2Cx1x2%2Csin_x1")
    heights = page.evaluate(ROW_HEIGHTS)
    assert len(heights) > 5 and len(set(heights)) == 1, heights  # no cell on two lines
    assert "e-" in page.text_content("#table")  # (the small values this checks are there)
    buttons = ["#export-model", "#export-script", "#export-data"]
    one_line = [page.locator(b).bounding_box()["height"] for b in buttons]
    hidden, features = "8%2C8%2C8%2C8%2C8%2C8", "x1%2Cx2%2Cx1%5E2%2Cx2%5E2%2Cx1x2"
    _open(page, server, f"#activation=linear&lr=10&hidden={hidden}&features={features}")
    page.click("#play")
    page.wait_for_function("frame.diverged !== null", timeout=30_000)
    page.wait_for_timeout(300)
    assert "the batch's loss became NaN, so that step" in page.text_content("#status")
    assert [page.locator(b).bounding_box()["height"] for b in buttons] == one_line
    cells = page.eval_on_selector_all("#table td", "tds => tds.map((td) => td.textContent)")
    assert any("e+" in c for c in cells) and max(map(len, cells)) <= 10, max(cells, key=len)
    assert len(set(page.evaluate(ROW_HEIGHTS))) == 1
    for v, shown in [
        (5.38e25, "5.38e+25"),
        (-2.5e6, "-2.50e+06"),
        (1234.5678, "1234.568"),
        (1e-6, "1.00e-06"),
        (0, "0"),
    ]:
        assert page.evaluate(f"fmt({v}, 3)") == shown


def test_a_stopped_server_is_named_as_such(browser):
    # the status line said only "Failed to fetch" (the browser's words) once the server
    # had stopped (Ctrl-C in its terminal)
    pg = Playground().start()
    context = browser.new_context(viewport={"width": 1320, "height": 1000}, bypass_csp=True)
    try:
        page = context.new_page()
        _open(page, pg)
        pg.close()
        page.click("#step")
        page.wait_for_function("document.querySelector('#status').textContent !== ''")
        status = page.text_content("#status")
        assert "server does not answer" in status and "glassnet playground" in status, status
    finally:
        context.close()
        pg.close()
