"""The playground, round 21c: four mends after the review of round 21's commits.

1. A shared link's changes stay in the address bar while its replay is pending: the page
   rewrote the URL at once with only the changes applied so far, so a reload (or a copy)
   before the link's last change gave another run, unsaid.
2. /api/run takes the 1,000 changes it documents: a real record of 1,000 changes (~70 KB)
   was refused by the 64 KiB body cap, and a longer one's 413 did not name the change limit.
3. ``glassnet playground --max-per-client N`` / ``--max-connections N`` and serve()'s
   keywords of the same names: the docs' advice for a room behind one NAT (raise
   max_per_client) could be followed only from Playground().
4. Bound to every address, an IP address with the wrong port (or none, port 80) is refused
   saying the port is wrong, not "a name is refused"; ``host='[::1]'`` (a URL's spelling)
   is ::1, and an address that cannot be bound is not shown as ``[[::1]]``."""

from __future__ import annotations

import io
import json
import socket
import urllib.error
import urllib.request

import pytest
from browser_helpers import needs_browser, open_playground, steps

from glassnet.playground import Playground
from glassnet.playground.engine import LIMITS


@pytest.fixture(scope="module")
def pg():
    p = Playground().start()
    yield p
    p.close()


def _call(pg, path, body=None, raw=None):
    data = raw if raw is not None else None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(
        pg.url.split("?")[0].rstrip("/") + path,
        data=data,
        headers={"X-Glassnet-Token": pg.token, "Content-Type": "application/json"},
        method="GET" if data is None else "POST",
    )
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


# ------------------------------------------------------------------ 1. the link, mid-replay
_LINK = "#seed=4&lr=0.03&changes=5:t,1,none,0;8:w,1,1,0,0.75;200:t,0.3,none,0"
_CHANGES = "changes=5:t,1,none,0;8:w,1,1,0,0.75;200:t,0.3,none,0"


@needs_browser
def test_the_address_bar_keeps_a_links_changes_while_its_replay_is_pending(browser, server):
    from browser_helpers import page_of

    gen = page_of(browser)
    page = next(gen)
    open_playground(page, server, _LINK)
    assert page.evaluate("frame.replay") == {"pending": 3, "next": 5}
    assert _CHANGES in page.url and "lr=0.03" in page.url  # (it had no changes= at all)
    steps(page, 6)  # the first change applied: the two to come stay in the link
    assert page.evaluate("frame.replay") == {"pending": 2, "next": 8}
    assert page.evaluate("run.config.lr") == 1
    assert _CHANGES in page.url and "lr=0.03" in page.url
    w_before = page.evaluate("frame.W")
    # a reload mid-replay rebuilds the link's run: all three changes to come again
    page.reload()
    page.wait_for_selector(".node.output canvas")
    page.wait_for_function("frame && frame.replay && frame.replay.pending === 3")
    assert page.evaluate("frame.replay") == {"pending": 3, "next": 5}
    steps(page, 6)
    assert page.evaluate("frame.W") == w_before
    # a change of the student's own drops the rest: the link is the run as it now is
    page.select_option("#lr", "0.3")
    page.wait_for_function("document.getElementById('link-status').textContent.includes('dropped')")
    page.wait_for_function("location.hash.includes('changes=5:t,1,none,0;6:t,0.3,none,0')")
    assert "8:w" not in page.url and "200:t" not in page.url
    next(gen, None)


# ------------------------------------------------------------------ 2. 1,000 changes
_CONFIG = {"dataset": "circle", "seed": 4, "lr": 0.03, "batch_size": 10}


def _largest_changes(n):
    """n changes of the largest forms a record holds (a training change with every key and
    17-digit numbers, a weight's change with a 17-digit value), at the largest steps."""
    out = []
    for k in range(n):
        step = 2**53 - n + k
        if k % 2:
            out.append({"step": step, "set": [1, 1, 0, -0.12345678901234567 - k / 1e6]})
        else:
            lr = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10][k % 11]
            out.append({"step": step, "lr": lr, "regularization": "none", "reg_rate": 0.0})
    return out


def test_a_record_of_1000_changes_is_taken_by_api_run(pg):
    rid = _call(pg, "/api/run", {"config": _CONFIG})[1]["run"]
    for k in range(LIMITS["changes"]):  # a real record: 1,000 changes, each after a step
        status, out = _call(
            pg, "/api/settings", {"run": rid, "lr": 0.1 if k % 2 else 0.3, "reg_rate": 0.003,
                                  "regularization": "L2" if k % 2 else "L1"},
        )  # fmt: skip
        assert status == 200, out
        assert _call(pg, "/api/step", {"run": rid})[0] == 200
    record = _call(pg, f"/api/state?run={rid}")[1]["changes"]
    assert len(record) == LIMITS["changes"]
    body = json.dumps({"config": _CONFIG, "changes": record}).encode()
    assert len(body) > 64 * 1024  # (what the 64 KiB cap refused)
    status, out = _call(pg, "/api/run", raw=body)
    assert status == 200, out
    frame = out["frame"]  # (the first change, at step 0, applied at once)
    assert frame["changes_total"] == 1 and frame["replay"]["pending"] == LIMITS["changes"] - 1
    # the largest forms, indented as a script may send them, fit too
    body = json.dumps({"config": _CONFIG, "changes": _largest_changes(1000)}, indent=2).encode()
    status, out = _call(pg, "/api/run", raw=body)
    assert status == 200, out


def test_more_changes_than_the_limit_are_refused_naming_it(pg):
    status, out = _call(pg, "/api/run", {"config": _CONFIG, "changes": _largest_changes(1001)})
    assert status == 400 and "at most 1000 changes" in out["error"], out
    n = len(json.dumps({"config": _CONFIG, "changes": _largest_changes(10_000)}))
    status, said = _announce(pg, "/api/run", n)  # (refused on its Content-Length)
    assert status == 413, said
    assert "1000 changes" in said and f"got {n}" in said, said
    # another request's body keeps its 64 KiB cap
    status, said = _announce(pg, "/api/settings", 64 * 1024 + 1)
    assert status == 413 and "65536" in said and "changes" not in said, said


def _announce(pg, path, n):
    """A POST that announces an n-byte body (and sends none): the status and message."""
    import http.client

    c = http.client.HTTPConnection("127.0.0.1", pg.port, timeout=30)
    try:
        c.putrequest("POST", path)
        for k, v in (("X-Glassnet-Token", pg.token), ("Content-Type", "application/json"),
                     ("Content-Length", str(n))):  # fmt: skip
            c.putheader(k, v)
        c.endheaders()
        r = c.getresponse()
        return r.status, json.loads(r.read())["error"]
    finally:
        c.close()


# ------------------------------------------------------------------ 3. max_per_client
def test_serve_takes_max_per_client_and_max_connections():
    from glassnet.playground import serve

    out = io.StringIO()
    p = serve(port=0, open_browser=False, block=False, out=out, max_per_client=48,
              max_connections=100)  # fmt: skip
    try:
        assert (p.max_per_client, p.max_connections) == (48, 100)
    finally:
        p.close()
    for bad in (0, 1.5, "48"):
        with pytest.raises(ValueError, match="max_per_client"):
            serve(port=0, open_browser=False, block=False, out=out, max_per_client=bad)


def test_the_command_line_takes_max_per_client(monkeypatch, capsys):
    import glassnet.playground as playground
    from glassnet.cli import main

    seen = {}
    monkeypatch.setattr(playground, "serve", lambda **kw: seen.update(kw))
    argv = ["playground", "--no-browser", "--max-per-client", "48", "--max-connections", "200"]
    assert main(argv) == 0
    assert seen["max_per_client"] == 48 and seen["max_connections"] == 200
    seen.clear()
    assert main(["playground", "--no-browser"]) == 0
    assert "max_per_client" not in seen and "max_connections" not in seen  # (the defaults)
    for flag, bad in (("--max-per-client", "0"), ("--max-connections", "x")):
        assert main(["playground", "--no-browser", flag, bad]) == 2
        said = capsys.readouterr().err
        assert flag in said and "a whole number from 1 to 100000" in said, said


# ------------------------------------------------------------------ 4. the Host, the brackets
def _refusal(p, host):
    with socket.create_connection(("127.0.0.1", p.port), timeout=10) as s:
        s.sendall(f"GET /api/previews?token={p.token} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        data = b""
        while b"\r\n\r\n" not in data or not data.rstrip().endswith(b"}"):
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body)["error"]


def test_an_ip_address_with_the_wrong_port_is_told_the_port():
    p = Playground(host="0.0.0.0").start()
    try:
        assert p.port != 80
        for host, given in (("127.0.0.1:80", "80"), ("127.0.0.1", "80"), ("10.1.2.3:1", "1")):
            status, said = _refusal(p, host)
            assert status in (400, 403, 421), said
            assert "a name is refused" not in said, said
            assert f"port {p.port}" in said and given in said and "port" in said, said
        status, said = _refusal(p, f"evil.com:{p.port}")  # a name: still said so
        assert "a name is refused" in said
    finally:
        p.close()


def test_a_bracketed_ipv6_host_is_the_address():
    p = Playground(host="[::1]").start()
    try:
        assert p.addresses == ["::1"] and p.url.startswith(f"http://[::1]:{p.port}/")
    finally:
        p.close()
    from glassnet.playground.server import BindError

    e = BindError(OSError(99, "Cannot assign requested address"), "[fe80::9]", 5)
    assert e.where == "[fe80::9]:5" and "[[" not in str(e)
    with pytest.raises(OSError) as info:
        Playground(host="[fe80::9]")
    assert "[[" not in str(info.value) and "fe80::9" in str(info.value)
