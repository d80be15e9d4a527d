"""The playground, round 20b: a half-closed client answered, full-width digits and "1,000" in
the weight box, its focus kept across the panel's rebuild, canvases redrawn for a new pixel
ratio (the dataset thumbnails too) with the heat maps' stores capped at 2, and the step
table's printed arithmetic adding up.

The browser tests use headless Chromium through Playwright, as tests/test_playground_round20.py;
one page load serves several checks (CI runs on 2 cores)."""

from __future__ import annotations

import json
import socket

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
