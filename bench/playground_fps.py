"""Frames per second of the playground: how often the page can redraw the boundary.

A 2-4-4-1 tanh network on the circle data (500 points, batch 10), the output over a
100x100 grid. Two measurements:

1. the server alone: sequential ``POST /api/train {"epochs": 1}`` calls over one
   keep-alive connection, each training one epoch and returning a whole frame (output
   grid, every neuron's thumbnail, weights, losses), JSON-encoded, with the side panels
   (hidden-layer table and space) in one frame of four, about as often as the page asks;
2. end to end in headless Chromium (when Playwright and /usr/bin/chromium are there):
   the page playing for a few seconds, each frame requested, decoded and drawn.

    python bench/playground_fps.py [--seconds 5]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import time
from pathlib import Path

from glassnet.playground import Playground

CONFIG = {"hidden": [4, 4], "grid": 100, "dataset": "circle", "samples": 500, "batch_size": 10}


def server_fps(pg: Playground, seconds: float) -> tuple[float, int]:
    conn = http.client.HTTPConnection("127.0.0.1", pg.port, timeout=30)
    headers = {
        "Host": f"127.0.0.1:{pg.port}",
        "X-Glassnet-Token": pg.token,
        "Content-Type": "application/json",
    }

    def post(path: str, body: dict) -> dict:
        conn.request("POST", path, body=json.dumps(body), headers=headers)
        r = conn.getresponse()
        data = r.read()
        assert r.status == 200, data[:200]
        return json.loads(data)

    rid = post("/api/run", {"config": CONFIG})["run"]
    frames, nbytes = 0, 0
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        body = {
            "run": rid,
            "epochs": 1,
            "side": frames % 4 == 0,
        }  # side panels: 1 in 4, as the page
        conn.request("POST", "/api/train", body=json.dumps(body), headers=headers)
        r = conn.getresponse()
        nbytes += len(r.read())
        frames += 1
    fps = frames / (time.perf_counter() - t0)
    conn.close()
    return fps, nbytes // max(frames, 1)


def browser_fps(pg: Playground, seconds: float) -> tuple[float, float, float] | None:
    """Frames per second of the page playing, and the CPU milliseconds each frame costs
    Chromium (all its processes) and this Python process (the server)."""
    chromium = "/usr/bin/chromium"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if not Path(chromium).is_file():
        return None
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"]
    args += ["--disable-background-networking", "--disable-component-update", "--disable-sync"]
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=args)
        page = b.new_page(viewport={"width": 1320, "height": 1000}, bypass_csp=True)
        page.goto(pg.url + "#hidden=4%2C4")
        page.wait_for_selector(".node.output canvas")
        page.wait_for_function("frame !== null")
        page.click("#play")
        page.wait_for_function("frame.epoch >= 1")
        e0, t0 = page.evaluate("frame.epoch"), time.perf_counter()
        c0 = _chromium_cpu(), time.process_time()
        time.sleep(seconds)
        e1, t1 = page.evaluate("frame.epoch"), time.perf_counter()
        c1 = _chromium_cpu(), time.process_time()
        page.click("#play")
        b.close()
    frames = max(e1 - e0, 1)
    browser_ms, python_ms = ((c1[k] - c0[k]) * 1000 / frames for k in (0, 1))
    return (e1 - e0) / (t1 - t0), browser_ms, python_ms


def _chromium_cpu() -> float:
    """CPU seconds used so far by every Chromium process (Linux /proc), children included."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        if "chrom" in name or "headless" in name:
            fields = text[text.rindex(")") + 2 :].split()
            total += (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    return total


def main() -> None:
    from argtypes import positive_float

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=positive_float, default=5.0)
    args = ap.parse_args()
    pg = Playground().start()
    try:
        fps, size = server_fps(pg, args.seconds)
        print(f"server:  {fps:6.1f} frames/s  (one epoch + one frame each, {size / 1024:.0f} KiB)")
        b = browser_fps(pg, args.seconds)
        if b is None:
            print("browser: skipped (needs playwright and /usr/bin/chromium)")
        else:
            fps, browser_ms, python_ms = b
            print(f"browser: {fps:6.1f} frames/s  (headless Chromium playing, drawn)")
            print(
                f"CPU per frame: {browser_ms:.1f} ms Chromium + {python_ms:.1f} ms Python "
                f"= {browser_ms + python_ms:.1f} ms (one after the other: about "
                f"{1000 / (browser_ms + python_ms):.0f} frames/s on an idle machine)"
            )
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(
            f"({os.cpu_count()} CPUs, load average {load:.1f}; 2-4-4-1 tanh network, "
            "500 points, batch 10, 100x100 grid)"
        )
    finally:
        pg.close()


if __name__ == "__main__":
    main()
