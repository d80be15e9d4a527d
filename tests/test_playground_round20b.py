"""The playground, round 20b: a half-closed client answered, full-width digits and "1,000" in
the weight box, its focus kept across the panel's rebuild, canvases redrawn for a new pixel
ratio (the dataset thumbnails too) with the heat maps' stores capped at 2, and the step
table's printed arithmetic adding up.

The browser tests use headless Chromium through Playwright, as tests/test_playground_round20.py;
one page load serves several checks (CI runs on 2 cores)."""

from __future__ import annotations

import json
import re
import socket
from decimal import ROUND_HALF_UP, Decimal

from browser_helpers import needs_browser, open_playground

from glassnet.playground import Playground


# ------------------------------------------------------------------ 2. a half-close
def test_a_client_that_half_closes_after_its_request_gets_the_answer_and_every_epoch():
    # nc -N, socat, a script: the request sent, then shutdown(SHUT_WR), then the answer read.
    # That end of input was taken for a client gone: training stopped at epoch 1, no answer.
    with Playground().start() as pg:
        rid, run = pg.new_run({"dataset": "circle", "hidden": [4, 4]}, [])
        body = json.dumps({"run": rid, "epochs": 20}).encode()
        s = socket.create_connection(("127.0.0.1", pg.port), timeout=60)
        s.sendall(
            b"POST /api/train HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nX-Glassnet-Token: %s\r\n"
            b"Content-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s"
            % (pg.port, pg.token.encode(), len(body), body)
        )
        s.shutdown(socket.SHUT_WR)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
        s.close()
        # (an interim "100 Continue" may come first: the probe that tells a close apart)
        final = data.split(b"HTTP/1.1 100 Continue\r\n\r\n")[-1]
        head, _, answer = final.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200 "), data[:200]
        assert json.loads(answer)["frame"]["epoch"] == 20
        assert run.epoch == 20


# ------------------------------------------------------------------ the page
def _adds_up(written: str, result: str, decimals: int) -> bool:
    """Whether the arithmetic ``written`` (numbers, + - and the page's \u00b7 \u2212, and
    parentheses) gives ``result`` rounded half up to ``decimals``, worked out exactly."""
    expr = written.replace("\u2212", "-").replace("\u00b7", "*")
    expr = re.sub(r"\d+\.?\d*(e[+-]?\d+)?", lambda m: f"Decimal('{m.group(0)}')", expr)
    got = eval(expr, {"Decimal": Decimal})  # (the page's numbers, as Decimals)
    # (to the result's last digit: 4 decimals, or a tiny one's 8.162e-06 to its 3rd)
    last = Decimal(result).as_tuple().exponent if "e" in result else -decimals
    return got.quantize(Decimal(1).scaleb(last), ROUND_HALF_UP) == Decimal(result)


_STORES = """[...document.querySelectorAll(`#boundary, #loss-curve, #legend, #datasets canvas,
    .node.output canvas`)].filter((c) => c.clientWidth > 0).map((c) => [c.id
    || c.parentElement.dataset.name || 'output', c.width / c.clientWidth])"""

# the media queries the page asks for, kept: a screen's new pixel ratio makes the browser send
# a "change" to a resolution query that no longer matches, which CDP's emulation of the
# ratio does not; the test sends it as the browser would
_KEEP_QUERIES = """window.queries = []; const own = window.matchMedia.bind(window);
window.matchMedia = (q) => { const l = own(q); queries.push([q, l]); return l; };"""
_SCREEN_CHANGED = """queries.filter(([q, l]) => q.startsWith('(resolution') && !l.matches)
    .forEach(([, l]) => l.dispatchEvent(new Event('change')))"""


@needs_browser
def test_the_weight_box_the_pixel_ratio_and_the_printed_arithmetic(page, server):
    page.add_init_script(_KEEP_QUERIES)
    open_playground(page, server, "#hidden=4,4")
    # 8. the step table: w - lr * dL/dw from its printed numbers gives the printed w after
    # (with 4 decimals: -0.4483 - 0.1 * 0.0063 is -0.4489, printed -0.4490)
    rows = []
    for _ in range(3):
        page.click("#step")
        page.wait_for_function("document.querySelectorAll('#update tr').length > 30")
        lr = page.evaluate("String(run.config.lr)")
        rows += page.evaluate(
            """[...document.querySelectorAll('#update tr')].slice(1).map((tr) =>
                 [...tr.querySelectorAll('.num')].map((s) => s.textContent))"""
        )
        page.evaluate("document.querySelector('#update').replaceChildren()")
    wrong = [r for r in rows if not _adds_up(f"{r[0]} - {lr}*({r[1]})", r[2], 4)]
    assert len(rows) > 90 and wrong == [], wrong
    # ... and the explain panel's chain rule and step, for a weight and a neuron
    for target in (
        "{kind: 'edge', layer: 2, from: 1, to: 2}",
        "{kind: 'neuron', layer: 2, index: 1}",
    ):
        page.evaluate(f"choose({target})")
        page.wait_for_selector("#explain .eq .num")
        page.wait_for_function("document.querySelector('#explain-status').textContent !== ''")
        eqs = page.evaluate(
            """[...document.querySelectorAll('#explain .eq:not(.path)')].map((d) => d.textContent)
                 .filter((t) => /=.*[\u00b7\u2212].* = /.test(t) && !t.includes('\u2026'))"""
        )
        assert len(eqs) == 2, eqs  # (a weight: dL/dw and its step; a neuron: z and dL/dz)
        for text in eqs:
            written, result = text.rsplit(" = ", 1)
            written = written.rsplit("= ", 1)[1].replace(" ", "")
            assert _adds_up(written, result.split()[0], 3), text
        page.evaluate("document.querySelector('#explain-status').textContent = ''")
    # 5. the weight box keeps the focus across the panel's rebuild: the arrow keys step on
    page.focus("#set-value")
    start = page.evaluate("+document.querySelector('#set-value').value")
    for k in (1, 2):
        page.keyboard.press("ArrowUp")
        value = f"{start + k / 10:.10g}"
        page.wait_for_function(f"frame.b[1][1] === {value}")
        page.wait_for_function(f"document.querySelector('#set-value').value === '{value}'")
        assert page.evaluate("document.activeElement.id") == "set-value"
    page.keyboard.press("Space")  # (types in the box: play is not started)
    assert page.evaluate("playing") is False
    # 1. full-width digits (an IME's) read as digits; 6. "1," as "1."
    for typed, value in (
        ("\uff11", 1),
        ("\uff12\uff0e\uff15", 2.5),
        ("1,", 1),
        ("-\uff10,5", -0.5),
    ):
        page.fill("#set-value", typed)
        page.press("#set-value", "Enter")
        page.wait_for_function(f"frame.b[1][1] === {value}")
        assert page.text_content("#status") == "", typed
    # 6. "1,000": a thousand, or 1.000? refused, saying what to write
    page.fill("#set-value", "1,000")
    page.press("#set-value", "Enter")
    page.wait_for_function("document.querySelector('#status').textContent !== ''")
    assert page.text_content("#status") == (
        "set b[2]_2: its 'value' '1,000' may be 1000 (a thousands comma) or 1.000 (a decimal "
        "comma); write 1000, or 1.000. b[2]_2 is still -0.5."
    )
    assert page.evaluate("frame.b[1][1]") == -0.5
    page.evaluate("report(null)")
    page.errors[:] = [e for e in page.errors if "thousands comma" not in e]
    # 5. a panel rebuilt while a value is typed (after a set, or while playing): the text is
    # kept, and Enter sets it
    page.fill("#set-value", "0,7")
    page.evaluate("window.before = document.querySelector('#set-value'); explainSelected(false)")
    page.wait_for_function("document.querySelector('#set-value') !== before")
    assert page.evaluate("[document.activeElement.id, document.activeElement.value]") == [
        "set-value",
        "0,7",
    ]
    page.keyboard.press("Enter")
    page.wait_for_function("frame.b[1][1] === 0.7")
    # 4. a new pixel ratio without a resize (a window moved to a Retina screen): every canvas
    # redrawn for it, the dataset thumbnails too; 3. the heat maps' stores stop at 2
    cdp = page.context.new_cdp_session(page)
    page.evaluate("window.resizes = 0; addEventListener('resize', () => resizes++)")
    for ratio in (2, 3):
        metrics = {"width": 1320, "height": 1000, "deviceScaleFactor": ratio, "mobile": False}
        cdp.send("Emulation.setDeviceMetricsOverride", metrics)
        page.wait_for_function(f"devicePixelRatio === {ratio}")
        page.evaluate(_SCREEN_CHANGED)
        heat = min(ratio, 2)
        want = {"boundary": heat, "output": heat, "loss-curve": ratio, "legend": ratio}
        for _ in range(100):  # (redrawn at once; a few frames' grace)
            stores = page.evaluate(_STORES)
            wrong = [(n, r) for n, r in stores if abs(r - want.get(n, ratio)) > 0.05]
            if not wrong:
                break
            page.wait_for_timeout(50)
        assert wrong == [], (ratio, stores)
        assert len(stores) == 4 + 8 and {n for n, _ in stores} >= {"circle", "spiral"}, stores
    assert page.evaluate("resizes") == 0  # (no resize event: the media query told it)
