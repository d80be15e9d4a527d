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
