"""The playground's numbers against glassnet's own.

* the page's number formatter (``fmt`` in app.js) rounded the float's binary value
  (``toFixed``): 2.675 read 2.67 and 1.005 read 1.00 where ``glassnet.report.fmt`` (the
  explain text, the command line) prints 2.68 and 1.01; 1e-7 read 1.00e-7 for Python's
  1.00e-07, and a weight of 1 read 1.000 for Python's 1. It now prints report.fmt's digits.
* the hidden-layer table came rounded to 6 decimals from the server, and was rounded again
  on the page: an activation of 2.06e-09 read 0 (and 0.1234996 read 0.124) in the table,
  while the explain panel beside it, the same neuron at the same point, read 2.06e-09
  (0.123). The table now comes as full floats.
* the export buttons were plain links: a refused export (safetensors not installed for the
  model file, the run pushed out by other pages' runs) was a failed download named
  ``export.json`` and not a word on the page; the server called the missing safetensors an
  internal error. The page now fetches the file and says a refusal on its status line, and
  the server answers 501 with glassnet's own words (``pip install "glassnet[io]"``).
* the page counted an output of exactly 0.5 as class 1 (``y_hat >= 0.5``), glassnet as
  class 0 (``y_hat > 0.5``, glassnet.tasks): a ReLU network's dead regions give exactly 0.5,
  so a fresh ReLU run showed 52.4% training accuracy where ``glassnet evaluate`` of its
  exported model, on the same rows, said 49.2%, and the discretized output painted those
  regions as class 1. Both now follow glassnet's rule.

The browser tests drive headless Chromium (Debian's ``chromium`` package) with Playwright,
and skip, saying why, when either is missing.
"""

from __future__ import annotations

import base64
import http.client
import json
import random
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from browser_helpers import needs_browser, open_playground

from glassnet import cli
from glassnet.io import load_model
from glassnet.playground import Run
from glassnet.playground.export import data_csv, model_bytes
from glassnet.report import fmt

sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright (the test extra)")


_open = open_playground


def _page_fmt(page, cases):
    """The page's fmt of each (value as Python's repr, decimals): the value read back from
    its repr by the browser (Number(repr) is the same float)."""
    return page.evaluate("cases => cases.map(([s, d]) => fmt(Number(s), d))", cases)


# halves (rounded up as by hand, not as their binary values: 2.675 is stored below 2.675),
# carries into a new digit, the edges of the scientific notation, zeros, whole numbers
TRICKY = [
    "2.675", "1.005", "-0.125", "0.125", "-2.675", "0.0625", "-0.0625", "0.881", "1.0005",
    "0.0005", "-0.0005", "0.00050001", "0.0004999", "0.0015", "9.9995", "-9.9995", "9.99951",
    "99.9995", "0.9995", "0.99949999", "1e-07", "-1e-07", "2.5e-05", "5.38e+25", "-5.38e+25",
    "0.0", "-0.0", "1.0", "-3.0", "2.0", "0.5", "999999.0", "999999.9996", "999999.4",
    "1000000.0", "-1000000.0", "123456.7895", "1e+16", "1.5e+16", "1e+21", "5e-324",
    "1.7976931348623157e+308", "0.30000000000000004", "1.2345e-05", "12.3456789",
]  # fmt: skip


def _random_values(n: int) -> list[str]:
    rng = random.Random(9)
    out = []
    for _ in range(n):
        v = rng.random() * 10 ** rng.randint(-8, 7) * rng.choice((1, -1))
        out += [repr(v), repr(round(v, rng.randint(0, 6)))]  # (the second often a half)
        out.append(f"{rng.randint(0, 9999)}.{rng.randint(0, 999):03d}5")  # a half
    return out


@needs_browser
def test_the_pages_fmt_is_report_fmt_digit_for_digit(page, server):
    _open(page, server)
    cases = [[s, d] for s in TRICKY for d in (3, 4, 2, 0, 1, 6)]
    want = [fmt(float(s), d) for s, d in cases]
    got = _page_fmt(page, cases)
    wrong = [(s, d, g, w) for (s, d), g, w in zip(cases, got, want) if g != w]
    assert not wrong, wrong
    # the cases the brief names, spelled out
    assert _page_fmt(page, [["2.675", 2], ["1.005", 2], ["-0.125", 2], ["1e-07", 3]]) == [
        "2.68", "1.01", "-0.13", "1.00e-07",
    ]  # fmt: skip
    assert _page_fmt(page, [["0.0005", 3], ["9.9995", 3], ["5.38e+25", 3], ["-0.0", 3]]) == [
        "5.00e-04", "10.000", "5.38e+25", "0",
    ]  # fmt: skip


@needs_browser
def test_the_pages_fmt_agrees_on_many_values(page, server):
    _open(page, server)
    cases = [[s, d] for s in _random_values(2000) for d in (3, 4)]
    want = [fmt(float(s), d) for s, d in cases]
    got = _page_fmt(page, cases)
    wrong = [(s, d, g, w) for (s, d), g, w in zip(cases, got, want) if g != w]
    assert not wrong, wrong[:20]


@needs_browser
def test_the_null_of_a_non_finite_number_shows_as_a_dash(page, server):
    _open(page, server)
    shown = page.evaluate("[fmt(null), fmt(undefined), fmt(NaN), fmt(Infinity), fmt(-Infinity)]")
    assert shown == ["-", "-", fmt(float("nan")), fmt(float("inf")), fmt(float("-inf"))]


# the lecture network with a1's bias at -20: a1 at (0, 0) is sigmoid(-20) = 2.06e-09
A1 = {"kind": "neuron", "layer": 1, "index": 0}


def test_the_table_holds_the_activations_explain_prints():
    run = Run({"preset": "lecture"})
    run.set_weight(A1, -20.0)
    table = run.table()
    a1 = table["columns"].index("a1")
    for row, point in zip(table["rows"], table["index"]):
        e = run.explain(point, A1)
        assert fmt(row[a1], 3) == fmt(e["a"], 3)
        assert fmt(row[-1], 3) == fmt(e["y_hat"], 3)
    assert fmt(table["rows"][0][a1], 3) == "2.06e-09"


@needs_browser
def test_the_pages_table_reads_as_the_explain_panel_beside_it(page, server):
    _open(page, server, "#preset=lecture&lr=1")
    page.click(".node.hidden >> nth=0")  # a1: its bias is set in the explain panel
    page.wait_for_selector("#set-value")
    page.fill("#set-value", "-20")  # a1 = sigmoid(-20 + 4 x1 + 4 x2): 2.06e-09 to 6.14e-06
    page.press("#set-value", "Enter")
    page.wait_for_function(
        "document.querySelector('#explain .num[data-key=a]')?.textContent.includes('e-')"
    )
    shown = page.text_content("#explain .num[data-key=a]")
    point = int(re.match(r"Point #(\d+) ", page.text_content("#explain .head")).group(1))
    rows = page.eval_on_selector_all(
        "#table tr", "trs => trs.map((tr) => [...tr.cells].map((c) => c.textContent))"
    )
    a1 = rows[0].index("a1")
    assert page.evaluate("run.data.points.length") == 4  # the table's rows: points 0 to 3
    assert rows[1 + point][a1] == shown, (rows, shown)
    run = server.run_of(page.evaluate("run.id"))
    explained = [fmt(run.explain(p, A1)["a"], 3) for p in range(4)]
    assert [row[a1] for row in rows[1:]] == explained
    assert explained[0] == "2.06e-09" and explained[3] == "6.14e-06"


def _no_safetensors(monkeypatch):
    """safetensors not installed, as far as an import in this process can tell."""
    for name in ("safetensors", "safetensors.numpy"):
        monkeypatch.setitem(sys.modules, name, None)  # (import raises ImportError)


def _export(pg, rid, what):
    c = http.client.HTTPConnection("127.0.0.1", pg.port, timeout=30)
    try:
        c.request(
            "GET", f"/api/export?run={rid}&what={what}", headers={"X-Glassnet-Token": pg.token}
        )
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


def test_a_model_export_without_safetensors_says_what_to_install(server, monkeypatch, capfd):
    rid, _ = server.new_run({"seed": 1})
    _no_safetensors(monkeypatch)
    status, body = _export(server, rid, "model")
    assert status == 501
    error = json.loads(body)["error"]
    assert "needs safetensors" in error and 'pip install "glassnet[io]"' in error
    assert "internal error" not in error and "internal error" not in capfd.readouterr().err
    status, body = _export(server, rid, "data")  # the rest needs no safetensors
    assert status == 200 and body.startswith(b"x1,x2,label\n")


@needs_browser
def test_a_refused_export_is_said_on_the_page(page, server, monkeypatch):
    _open(page, server)
    _no_safetensors(monkeypatch)
    page.click("#export-model")
    page.wait_for_function("document.querySelector('#status').textContent !== ''")
    status = page.text_content("#status")
    assert status.startswith("Export of the model file refused: ")
    assert 'pip install "glassnet[io]"' in status
    page.errors.clear()  # (the refusal is logged on the console too, as every error is)
    # a run the server no longer holds (pushed out by other pages' runs): said too
    server.drop([page.evaluate("run.id")])
    page.click("#export-data")
    page.wait_for_function("document.querySelector('#status').textContent.includes('data')")
    assert "Export of the data (csv) refused: unknown run" in page.text_content("#status")
    page.errors.clear()


@needs_browser
def test_an_export_still_downloads_the_file(browser, server, tmp_path):
    context = browser.new_context(accept_downloads=True, bypass_csp=False)  # (the page's CSP on)
    try:
        page = context.new_page()
        _open(page, server, "#seed=3")
        rid = page.evaluate("run.id")
        for what, name, head in [
            ("script", "playground_run.py", b'"""A glassnet playground run'),
            ("data", "playground_data.csv", b"x1,x2,label\n"),
            ("model", "playground.glassnet", None),
        ]:
            with page.expect_download() as info:
                page.click(f"#export-{what}")
            d = info.value
            assert d.suggested_filename == name and d.failure() is None
            data = Path(d.path()).read_bytes()
            if head is not None:  # the bytes the server sends
                assert data.startswith(head) and data == _export(server, rid, what)[1]
            else:  # (a model file holds the time it was written: its weights compared)
                (tmp_path / name).write_bytes(data)
                net = load_model(tmp_path / name, network_only=True)
                want = server.run_of(rid).model.state_dict()
                got = net.state_dict()
                assert got.keys() == want.keys()
                assert all(np.array_equal(got[k], want[k]) for k in want)
        assert page.text_content("#status") == ""
    finally:
        context.close()


RELU = {"activation": "relu"}  # (4, 2): at its start, about a third of the points give 0.5


def test_the_accuracy_is_glassnet_evaluates(tmp_path, capsys):
    run = Run(RELU)
    out = run.viewer.forward(run.X)[-1][:, 0]
    assert (out == 0.5).sum() > 50  # (the case this checks is there)
    model, data = tmp_path / "m.glassnet", tmp_path / "d.csv"
    model.write_bytes(model_bytes(run))
    accuracy = run.frame()["accuracy"]
    for k, which in enumerate(("train", "test")):
        data.write_text(data_csv(run, which))
        capsys.readouterr()
        assert cli.main(["evaluate", str(model), str(data)]) == 0
        out = capsys.readouterr().out
        right, n = map(int, re.search(r"accuracy +[\d.]+ +\((\d+) of (\d+) right\)", out).groups())
        assert accuracy[k] == right / n, (which, accuracy[k], out)


def test_an_output_of_exactly_one_half_is_painted_as_class_0():
    run = Run(RELU)
    p = run.viewer.forward(run.grid_inputs)[-1][:, 0]
    half = p == 0.5
    assert half.sum() > 100  # (dead regions on the plane)
    shown = np.frombuffer(base64.b64decode(run.frame()["output"]), np.uint8)
    s = shown / 127.5 - 1  # what the page reads (scaleValues), discretized at s > 0
    assert ((s > 0) == (p > 0.5)).all()
    assert (shown[half] == 127).all()


@needs_browser
def test_the_page_shows_glassnets_accuracy_and_classes(page, server):
    _open(page, server, "#activation=relu")
    run = server.run_of(page.evaluate("run.id"))
    acc = run.frame()["accuracy"]
    want = f"{100 * acc[1]:.1f}% test, {100 * acc[0]:.1f}% train"
    assert page.text_content("#accuracy") == want
    # the discretized output: a pixel of a dead region (y_hat exactly 0.5) is class 0's orange
    page.check("#discretize")
    g = run.config["grid"]
    p = run.viewer.forward(run.grid_inputs)[-1][:, 0].reshape(g, g)
    inside = [
        (r, c)
        for r, c in zip(*np.nonzero(p == 0.5))
        if (p[max(r - 3, 0) : r + 4, max(c - 3, 0) : c + 4] == 0.5).all()
    ]  # (inside a region: the canvas draws the grid scaled)
    r, c = inside[len(inside) // 2]
    rgb = page.evaluate(
        """([r, c, g]) => { const cv = document.querySelector('#boundary');
        const k = cv.width / g;
        return [...cv.getContext('2d').getImageData((c + 0.5) * k, (r + 0.5) * k, 1, 1).data]; }""",
        [int(r), int(c), g],
    )
    assert rgb[:3] == [245, 147, 34], rgb  # (NEG in app.js; class 1 is 8, 119, 189)


@needs_browser
def test_removing_the_only_input_says_why_it_is_kept(page, server):
    # a click on the network's only input did nothing, without a word
    _open(page, server, "#features=x2")
    only = page.locator('.node.input[data-feature="x2"]')
    assert "only input" in only.get_attribute("title")
    only.click()
    page.wait_for_function("document.querySelector('#status').textContent !== ''")
    assert page.text_content("#status") == (
        "X\u2082 is the network's only input, and a network needs one: click another feature "
        "to use it, then this one can be removed."
    )
    page.errors.clear()  # (the status line's message is logged on the console too)
    assert page.evaluate("run.config.features") == ["x2"]
    page.click('.node.input[data-feature="x1"]')  # another one: the message goes
    page.wait_for_function("run.config.features.length === 2")
    assert page.text_content("#status") == ""
    assert page.locator('.node.input[data-feature="x2"]').get_attribute("title") == (
        "Click to remove this feature"
    )


@needs_browser
def test_the_explained_point_is_the_row_glassnet_explain_reads(page, server, tmp_path, capsys):
    # the page counts points from 0 ("Point #3"), glassnet explain --row from 1: --row 3
    # explained another point. The panel now names the row, and its numbers are that row's.
    # (the Lecture preset's loss, the slides' half_mse: `glassnet explain` reads it from the
    # file, tests/test_cli_round28.py)
    _open(page, server, "#preset=lecture&lr=1")
    for _ in range(3):
        page.click("#step")
        page.wait_for_function(f"frame.step === {_ + 1}")
    page.click(".node.output")
    page.wait_for_selector("#explain .num[data-key=z]")
    head = page.text_content("#explain .head")
    point = int(re.match(r"Point #(\d+) ", head).group(1))
    row = int(re.search(r"\(glassnet explain --row (\d+) of the exported data\)", head).group(1))
    assert row == point + 1
    run = server.run_of(page.evaluate("run.id"))
    model, data = tmp_path / "m.glassnet", tmp_path / "d.csv"
    model.write_bytes(model_bytes(run))
    data.write_text(data_csv(run))  # (what the page's Data (CSV) button saves)
    capsys.readouterr()
    assert cli.main(["explain", str(model), str(data), "--row", str(row)]) == 0
    out = capsys.readouterr().out
    y_hat, loss = (page.text_content(f"#explain .num[data-key={k}]") for k in ("y_hat", "loss"))
    assert f"Prediction ŷ = {y_hat}; loss L = {loss}." in out
    x = page.evaluate(f"run.data.points[{point}]")
    assert f"Data point: x₁ = {fmt(x[0])}, x₂ = {fmt(x[1])};" in out


@needs_browser
def test_the_explain_panel_follows_a_new_learning_rate_and_penalty(page, server):
    # the panel's step w - γ·dL/dw kept the old learning rate (and penalty) after the
    # learning rate or the regularization was changed, until the next click
    _open(page, server, "#preset=lecture&lr=1")
    page.evaluate("choose({kind: 'edge', layer: 2, from: 0, to: 0})")  # w5
    page.wait_for_selector("#explain .num[data-key=after]")
    run = server.run_of(page.evaluate("run.id"))
    point = int(re.match(r"Point #(\d+) ", page.text_content("#explain .head")).group(1))
    edge = {"kind": "edge", "layer": 2, "from": 0, "to": 0}

    def shown_after():
        return float(page.get_attribute("#explain .num[data-key=after]", "data-value"))

    assert shown_after() == run.explain(point, edge)["after"]
    page.select_option("#lr", "0.1")
    page.wait_for_function("run.config.lr === 0.1")
    page.wait_for_function("document.querySelector('#explain').textContent.includes('0.1\u00b7')")
    assert shown_after() == run.explain(point, edge)["after"]
    page.select_option("#regularization", "L2")
    page.select_option("#reg_rate", "0.3")
    page.wait_for_selector("#explain .num[data-key=penalty]")
    page.wait_for_function("run.config.reg_rate === 0.3")
    page.wait_for_function("document.querySelector('#explain').textContent.includes('0.3\u00b7w5')")
    e = run.explain(point, edge)
    assert e["penalty"]["rate"] == 0.3 and shown_after() == e["after"]


@needs_browser
def test_a_lecture_link_without_settings_trains_as_the_lecture_button(page, server):
    # "#preset=lecture" typed by hand trained at the default learning rate 0.03 (the Lecture
    # button sets the slides' 1, no penalty); settings the link gives still win
    _open(page, server, "#preset=lecture")
    page.wait_for_function("run.config.lr === 1")
    assert page.evaluate("[state.lr, state.regularization, state.reg_rate]") == [1, "none", 0]
    _open(page, server, "#preset=lecture&lr=0.1")
    page.wait_for_function("run.config.lr === 0.1")
    assert page.evaluate("state.lr") == 0.1
