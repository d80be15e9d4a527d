"""The playground, round 20: accessibility and front-end mends (the epoch counter no live
region, canvases drawn for the screen's pixel ratio, tap targets of 24 px, text contrast of
4.5:1, named layer buttons, the chosen dataset's state, a phone's tap brought into view,
text alternatives of the canvases, a decimal comma in a typed weight, one wording for a
weight out of range, the explain panel's updates announced) and a server that stops
training for a client that has gone away.

The browser tests use headless Chromium through Playwright, as tests/test_playground_browser.py;
a few page loads each serve several checks (CI runs on 2 cores)."""

from __future__ import annotations

import http.client
import json
import socket
import time

import pytest
from browser_helpers import needs_browser, open_playground, page_of

from glassnet.playground import Playground


# ------------------------------------------------------------------ 9. a client gone
def _post(pg, path, body):
    c = http.client.HTTPConnection("127.0.0.1", pg.port, timeout=30)
    c.request(
        "POST",
        path,
        body=json.dumps(body),
        headers={"X-Glassnet-Token": pg.token, "Content-Type": "application/json"},
    )
    r = c.getresponse()
    out = json.loads(r.read())
    c.close()
    assert r.status == 200, out
    return out


def test_training_stops_when_the_client_disconnects():
    # a 6x8 network on 2,000 points: 200 epochs are seconds of training, which an abandoned
    # request went on with, holding the run's lock, after its socket was closed
    with Playground().start() as pg:
        config = {"dataset": "spiral", "hidden": [8] * 6, "noise": 0, "train_ratio": 100,
                  "batch_size": 10, "seed": 1, "grid": 10, "samples": 2000}  # fmt: skip
        rid = _post(pg, "/api/run", {"config": config})["run"]
        run = pg.run_of(rid)
        if len(run.train_idx) < 1000:  # (the dataset's size: the epochs must be many steps)
            pytest.fail(f"expected a large training set, got {len(run.train_idx)} rows")
        body = json.dumps({"run": rid, "epochs": 200}).encode()
        s = socket.create_connection(("127.0.0.1", pg.port))
        s.sendall(
            b"POST /api/train HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nX-Glassnet-Token: %s\r\n"
            b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
            % (pg.port, pg.token.encode(), len(body), body)
        )
        for _ in range(3000):  # the training has begun
            if run.epoch >= 1:
                break
            time.sleep(0.01)
        assert run.epoch >= 1
        s.close()
        with run.lock:  # the request has let go of the run
            stopped_at = run.epoch
        assert stopped_at < 200, f"trained all {stopped_at} epochs for a client gone"
        # and the server still answers (this run included)
        out = _post(pg, "/api/train", {"run": rid, "epochs": 1})
        assert out["frame"]["epoch"] == stopped_at + 1


# ------------------------------------------------------------------ the page
# the WCAG contrast of every text shown, over the colour behind it (opacities included): the
# texts under 4.5:1 (3:1 for large text), as [text, ratio]
_CONTRAST = r"""() => {
  const rgb = (s) => (s.match(/[\d.]+/g) || []).map(Number);
  const lum = (c) => { const a = c.slice(0, 3).map((v) => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * a[0] + 0.7152 * a[1] + 0.0722 * a[2]; };
  const bg = (e) => {
    for (; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const out = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) {
    const t = walk.currentNode, e = t.parentElement;
    if (!t.textContent.trim() || !e.getBoundingClientRect().width) continue;
    if (e.closest('.sr-only, [hidden]')) continue;
    const cs = getComputedStyle(e);
    if (cs.visibility === 'hidden' || e.closest('button:disabled')) continue;  // (disabled: exempt)
    let o = 1;
    for (let x = e; x; x = x.parentElement) o *= parseFloat(getComputedStyle(x).opacity);
    let fg = rgb(cs.color); const b = bg(e);
    if (fg.length > 3) o *= fg[3];
    fg = fg.slice(0, 3).map((v, i) => v * o + b[i] * (1 - o));
    const [l1, l2] = [lum(fg), lum(b)];
    const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    const size = parseFloat(cs.fontSize), bold = parseInt(cs.fontWeight) >= 700;
    if (ratio < (size >= 24 || (bold && size >= 18.66) ? 3 : 4.5))
      out.push([t.textContent.trim().slice(0, 30), +ratio.toFixed(2)]);
  }
  return out;
}"""


@needs_browser
def test_the_pages_names_states_text_alternatives_and_contrast(page, server):
    open_playground(page, server)
    # 1. the epoch counter: no live region, labelled "Epoch"
    assert page.get_attribute("#epoch", "aria-live") == "off"
    assert page.get_by_label("Epoch", exact=True).evaluate("e => e.id") == "epoch"
    # 5. each layer's buttons say what they do, and to which layer
    for name in (
        "add a neuron to hidden layer 1",
        "remove a neuron from hidden layer 1",
        "add a neuron to hidden layer 2",
        "remove a neuron from hidden layer 2",
    ):
        assert page.get_by_role("button", name=name, exact=True).count() == 1, name
    # 6. the chosen dataset is said, not only drawn
    pressed = "[...document.querySelectorAll('#datasets button:not([hidden])')]"
    pressed += ".map(b => b.dataset.name + '=' + b.getAttribute('aria-pressed'))"
    assert page.evaluate(pressed) == ["circle=true"] + [
        f"{n}=false" for n in ("xor", "gauss", "spiral", "moons", "xnor", "or", "and")
    ]
    assert page.get_attribute("#lecture", "aria-pressed") == "false"
    # 4. every text shown has a contrast of 4.5:1 (the unchosen datasets, the unused
    # features, the word "orange", the axes, the legend, "Runs kept", the hints)
    assert page.evaluate(_CONTRAST) == []
    # 8. the loss curve and the hidden feature space: images with a text alternative
    page.click("#play")
    page.wait_for_function("frame.epoch >= 3")
    page.click("#play")
    # ... and the pause says the epoch once, politely
    page.wait_for_function("document.querySelector('#play-status').textContent !== ''")
    page.wait_for_function("document.querySelector('#hidden-space').getAttribute('aria-label')"
                           ".includes('of 250 points on their class')")  # fmt: skip
    epoch = page.evaluate("frame.epoch")
    said = page.text_content("#play-status")
    assert said.startswith(f"Paused at epoch {epoch}: training loss ")
    assert page.text_content("#train-loss") in said
    assert page.get_attribute("#play-status", "role") == "status"
    curve = page.get_by_role("img", name="Loss curve", exact=False)
    assert curve.evaluate("e => e.id") == "loss-curve"
    label = page.get_attribute("#loss-curve", "aria-label")
    assert label.startswith(f"Loss curve over epochs 0 to {epoch}: training loss (grey line) from ")
    assert label.endswith(page.text_content("#test-loss"))
    space = page.get_by_role("img", name="Hidden feature space", exact=False)
    assert space.evaluate("e => e.id") == "hidden-space"
    assert "a5 across and a6 up" in page.get_attribute("#hidden-space", "aria-label")
    # 6. another dataset chosen: its state follows
    page.click('#datasets button[data-name="xor"]')
    page.wait_for_function("run.config.dataset === 'xor'")
    assert page.evaluate(pressed)[:2] == ["circle=false", "xor=true"]
    # the explain panel's news, said politely: a short summary
    page.click(".node.hidden >> nth=0")
    page.wait_for_selector("#set-value")
    page.wait_for_function("document.querySelector('#explain-status').textContent !== ''")
    summary = page.text_content("#explain-status")
    assert summary.startswith("The slides' numbers: neuron a1 for point #"), summary
    assert "z1 = " in summary and "dL/dz1 = " in summary and len(summary) < 160
    assert page.get_attribute("#explain-status", "aria-live") == "polite"
    # 10. a decimal comma is a decimal point (it was dropped: "1,5" set 15)
    page.fill("#set-value", "1,5")
    page.press("#set-value", "Enter")
    page.wait_for_function("frame.b[0][0] === 1.5")
    assert page.text_content("#status") == ""
    # 10., 11. not a number, or out of range: refused by name, in one wording
    for typed in ("0x10", "1.000,5", "1e308", "-1e400"):
        page.fill("#set-value", typed)
        page.press("#set-value", "Enter")
        page.wait_for_function("document.querySelector('#status').textContent !== ''")
        status = page.text_content("#status")
        assert status == (
            "set b1: its 'value' must be a number in [-100, 100] (a decimal point or comma: "
            f"0.5 or 0,5); got '{typed}'. b1 is still 1.5."
        ), status
        assert page.evaluate("frame.b[0][0]") == 1.5
        assert page.input_value("#set-value") == "1.5"
        page.evaluate("report(null)")
    page.errors[:] = [e for e in page.errors if "must be a number" not in e]


@pytest.fixture
def hidpi(browser, server):
    yield from page_of(browser, device_scale_factor=2)


@needs_browser
def test_canvases_are_drawn_for_the_screens_pixels(hidpi, server):
    # 2. a Retina screen or a phone (2 device pixels a CSS pixel): every canvas's backing
    # store has the device's pixels (they were 1x and drawn blurred), and a click on the
    # plot still picks the point under it
    open_playground(hidpi, server)
    sizes = hidpi.evaluate(
        """[...document.querySelectorAll('canvas')].filter((c) => c.clientWidth > 0
             && !c.closest('.node.off')).map((c) => [c.id || c.parentElement.className,
             c.width / c.clientWidth, c.height / c.clientHeight])"""
    )
    assert {n for n, *_ in sizes} >= {"loss-curve", "boundary", "legend", "hidden-space",
                                      "node input", "node hidden", "node output", ""}  # fmt: skip
    small = [s for s in sizes if s[1] < 2 or s[2] < 2]
    assert small == [], small
    # a training point away from the others: a click on it picks it, and the ring drawn
    # around it is where the point is, in the backing store's pixels
    point = hidpi.evaluate(
        """(() => { const P = run.data.points, T = run.data.train;
             const far = (i) => Math.min(...T.filter((j) => j !== i).map((j) =>
               Math.hypot(P[i][0] - P[j][0], P[i][1] - P[j][1])));
             return T.reduce((a, b) => (far(b) > far(a) ? b : a)); })()"""
    )
    box = hidpi.locator("#boundary").bounding_box()
    lo, hi = hidpi.evaluate("run.data.domain")
    x, y = hidpi.evaluate(f"run.data.points[{point}]")
    inner = box["width"] - 2  # (a 1-pixel border)
    cx = box["x"] + 1 + (x - lo) / (hi - lo) * inner
    cy = box["y"] + 1 + (hi - y) / (hi - lo) * inner
    hidpi.mouse.click(cx, cy)
    hidpi.wait_for_function(f"selected.point === {point}")
    ring = hidpi.evaluate(
        f"""(() => {{ const c = document.querySelector('#boundary'), r = window.devicePixelRatio;
              const W = +c.dataset.w, px = ({x} - {lo}) / ({hi} - {lo}) * W,
                    py = W - ({y} - {lo}) / ({hi} - {lo}) * W;
              const d = c.getContext('2d').getImageData(Math.round((px + 7) * r) - 1,
                    Math.round(py * r) - 1, 3, 3).data;
              let dark = 255 * 3;
              for (let i = 0; i < d.length; i += 4)
                dark = Math.min(dark, d[i] + d[i + 1] + d[i + 2]);
              return [r, c.width, dark]; }})()"""
    )
    assert ring[0] == 2 and ring[1] == 600
    assert ring[2] < 120, ring  # the ring's black, 7 CSS pixels right of the point


@pytest.fixture
def phone(browser, server):
    for pg in page_of(browser, has_touch=True, is_mobile=True, device_scale_factor=2):
        pg.set_viewport_size({"width": 375, "height": 667})
        yield pg


@needs_browser
def test_a_phone_has_targets_of_24_pixels_and_brings_a_neurons_numbers_into_view(phone, server):
    open_playground(phone, server)
    # 3. every button, box, list and link at least 24 x 24 CSS pixels (WCAG 2.5.8); the
    # edges (a path's thin line, its 9-pixel stroke the target) are left out
    targets = """[...document.querySelectorAll('button, select, input, a, [role=button]')]
             .filter((e) => !(e instanceof SVGElement)).map((e) => [e, e.getBoundingClientRect()])
             .filter(([e, r]) => r.width > 0 && (r.width < 24 || r.height < 24))
             .map(([e, r]) => [e.id || e.getAttribute('aria-label') || e.textContent.trim(),
                               r.width, r.height])"""
    assert phone.evaluate(targets) == []
    # six layers of eight: the drawing scaled down to the phone, its buttons and boxes not
    phone.evaluate("location.hash = location.hash.replace(/hidden=[^&]*/, 'hidden=8,8,8,8,8,8')")
    phone.wait_for_function("run.config.hidden.length === 6 && document.querySelectorAll("
                            "'.node.hidden').length === 48")  # fmt: skip
    assert phone.evaluate("layout().scale") < 0.8
    controls = targets.replace(", [role=button]", "")
    assert phone.evaluate(controls) == []
    # (its nodes are smaller, 19 pixels, and far apart: WCAG 2.5.8's spacing, a 24-pixel
    # circle round each target's centre meeting no other)
    gap = phone.evaluate(
        """(() => { const c = [...document.querySelectorAll('.node[role=button]')].map((e) => {
              const r = e.getBoundingClientRect();
              return [r.x + r.width / 2, r.y + r.height / 2]; });
            let least = Infinity;
            for (const [i, a] of c.entries()) for (const b of c.slice(i + 1))
              least = Math.min(least, Math.hypot(a[0] - b[0], a[1] - b[1]));
            return least; })()"""
    )
    assert gap >= 24
    phone.evaluate("location.hash = location.hash.replace(/hidden=[^&]*/, 'hidden=4,2')")
    phone.wait_for_function("document.querySelectorAll('.node.hidden').length === 6")
    # 7. the bar of exports, runs and status lines is not kept over a phone's screen
    assert phone.evaluate("getComputedStyle(document.querySelector('footer.bottom')).position") == (
        "static"
    )
    # 7. a tap on a neuron: its numbers are brought into view (they were 800 pixels below)
    phone.tap(".node.hidden >> nth=0")
    phone.wait_for_selector("#set-value")
    phone.wait_for_function(
        """(() => { const t = document.querySelector('#explain-panel').getBoundingClientRect().top;
             return t >= 0 && t < innerHeight * 0.6; })()"""
    )
