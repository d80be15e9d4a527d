"""The playground, round 21: a classroom on one server. A slow client (a header byte every
few seconds) held its connections open for ever, and a few hundred of them exhausted the
file descriptors: the server then spun a core and accepted no one. Now a request must
arrive whole within a deadline, connections are capped per client address and in all
(past a cap: 503 and close, at once), and an accept() that fails for want of descriptors
backs off. Also: a Host without its port on port 80 (as every browser sends it), the
refusal of a name when the server listens on every address, the command line's --host,
and the URLs printed for the room.

The slow clients connect from 127.0.0.2 (Linux routes all of 127/8 to the loopback), so
that the student, on 127.0.0.1, is another client address."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from glassnet.playground import Playground, lan_addresses, serve

ROOT = Path(__file__).resolve().parents[1]


def _connect(pg_port, source="127.0.0.1", timeout=10):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.settimeout(timeout)
        s.bind((source, 0))
        s.connect(("127.0.0.1", pg_port))
    except OSError:
        s.close()
        raise
    return s


def _get(port, token, path="/api/previews", host=None, source="127.0.0.1", timeout=10):
    """(status, JSON or bytes) of one GET over a raw socket from ``source``."""
    s = _connect(port, source, timeout)
    try:
        host = host if host is not None else f"127.0.0.1:{port}"
        sep = "&" if "?" in path else "?"
        s.sendall(f"GET {path}{sep}token={token} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        return _answer(s)
    finally:
        s.close()


def _answer(s):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed after {data!r}")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split()[1])
    fields = dict(h.split(b":", 1) for h in head.split(b"\r\n")[1:])
    length = int({k.lower(): v for k, v in fields.items()}[b"content-length"])
    while len(body) < length:
        chunk = s.recv(65536)
        if not chunk:
            break
        body += chunk
    try:
        return status, json.loads(body)
    except ValueError:
        return status, body


def _request_line(pg):
    host = f"127.0.0.1:{pg.port}"
    return f"GET /api/previews?token={pg.token} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()


# ------------------------------------------------------------------ 1. slow clients
def test_a_request_must_arrive_whole_within_the_deadline():
    """One header byte every 0.3 s: each read came within the 30 s timeout, so the request
    was never over; now headers and body together have the deadline (1 s here)."""
    with Playground(request_deadline=1).start() as pg:
        s = _connect(pg.port)
        s.sendall(b"GET /api/previews HTTP/1.1\r\nX-a: ")
        cut = False  # the server answered and closed while the client was still sending
        try:
            # the deadline must cut the request within 15 sends (4.5 s, for a 1 s deadline:
            # a load that slows the server slows this client too, whose sleeps never end
            # early), not merely some time before 30 s
            for _ in range(15):
                s.sendall(b"a")
                time.sleep(0.3)
        except OSError:
            cut = True
        status, body = _answer(s)
        s.close()
        assert status == 408 and "within 1 second" in body["error"], body
        assert cut, "the server waited for the client to stop sending"
        # a body that dribbles in is cut at the deadline too
        s = _connect(pg.port)
        s.sendall(
            f"POST /api/run HTTP/1.1\r\nHost: 127.0.0.1:{pg.port}\r\n"
            f"X-Glassnet-Token: {pg.token}\r\nContent-Type: application/json\r\n"
            "Content-Length: 500\r\n\r\n".encode()
        )
        try:
            for _ in range(20):
                s.sendall(b" ")
                time.sleep(0.3)
        except OSError:
            pass
        status, body = _answer(s)
        s.close()
        assert status == 408 and "within 1 second" in body["error"], body
        # a client at a normal pace, over one keep-alive connection, is never cut: the
        # deadline counts from each request's first byte, not from the connection's start
        s = _connect(pg.port)
        for _ in range(3):
            s.sendall(_request_line(pg))
            assert _answer(s)[0] == 200
            time.sleep(0.7)
        s.close()


def _wait(predicate, seconds=5):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def _held(pg, source):
    """A connection from ``source`` that has shown the token (one request answered): it
    counts against the caps (a connection yet to show it gives its slot up: sec29 #3)."""
    s = _connect(pg.port, source)
    s.sendall(_request_line(pg))
    assert _answer(s)[0] == 200
    return s


def test_connections_past_the_caps_get_503_at_once_and_the_others_keep_being_served():
    with Playground(max_connections=5, max_per_client=3).start() as pg:
        held = [_held(pg, "127.0.0.2") for _ in range(3)]
        assert _wait(lambda: pg.connections_open() == 3)
        extra = _connect(pg.port, "127.0.0.2")
        status, body = _answer(extra)  # (the held three never close meanwhile: no waiting)
        extra.close()
        assert status == 503 and pg.connections_open() == 3
        assert "3 connections from 127.0.0.2" in body["error"], body
        # another address is served meanwhile, and so is a connection already held
        assert _get(pg.port, pg.token)[0] == 200
        held[0].sendall(_request_line(pg))
        assert _answer(held[0])[0] == 200
        # the total: 3 + 2 held, a sixth is refused whoever asks
        held += [_held(pg, "127.0.0.3") for _ in range(2)]
        assert _wait(lambda: pg.connections_open() == 5)
        status, body = _get(pg.port, pg.token)
        assert status == 503 and "5 connections" in body["error"], body
        # one closed: served again
        held.pop().close()
        assert _wait(lambda: pg.connections_open() == 4)
        assert _get(pg.port, pg.token)[0] == 200
        for s in held:
            s.close()
        assert _wait(lambda: pg.connections_open() == 0)


# The server counts the turns of its accept loops (each waits in select() for a connection
# or the poll interval; a loop that spins turns without waiting), and notes the waits it
# asks for: select()'s timeouts (the poll interval) and the sleeps after a failed accept()
# (the back-off). Each line on its stdin is answered with them (JSON). Its request deadline
# is an hour, so that a slow client's connections end only when the client closes them.
SERVER = """
import json, resource, socketserver, sys, time
resource.setrlimit(resource.RLIMIT_NOFILE, ({fds}, {fds}))
from glassnet.playground import Playground, server
turns, polls, backoffs = [0], set(), set()
select = socketserver._ServerSelector.select  # (what serve_forever waits in)
def counted(self, timeout=None):
    turns[0] += 1
    polls.add(timeout)
    return select(self, timeout)
socketserver._ServerSelector.select = counted
class Time:  # (server.py's time module: its sleeps in get_request noted)
    def __getattr__(self, name):
        return getattr(time, name)
    def sleep(self, seconds):
        if sys._getframe(1).f_code.co_name == "get_request":
            backoffs.add(seconds)
        time.sleep(seconds)
server.time = Time()
pg = Playground(port=0, token="t" * 24, request_deadline=3600, **{kwargs}).start()
print(pg.port, flush=True)
for line in sys.stdin:
    state = dict(turns=turns[0], polls=sorted(polls), backoffs=sorted(backoffs))
    print(json.dumps(state), flush=True)
pg.close()
"""


def _state(proc):
    """The server's turns, poll intervals and back-offs so far (see SERVER)."""
    proc.stdin.write("\n")
    proc.stdin.flush()
    return json.loads(proc.stdout.readline())


def _turns(proc):
    """How many times the server's accept loops have turned (see SERVER)."""
    return _state(proc)["turns"]


class _Loris:
    """``n`` connections from ``source`` that send a request's first line, then a header
    byte each second (every read comes well within the 30 s timeout), until closed."""

    def __init__(self, port, n, source="127.0.0.2"):
        self.held, failures = [], 0
        while len(self.held) < n and failures < 5:
            try:
                s = _connect(port, source, timeout=1.5)
                s.sendall(b"GET / HTTP/1.1\r\nX-a: a")
                self.held.append(s)
            except OSError:  # (refused, or the backlog full: no more)
                failures += 1
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._dribble, daemon=True)
        self.thread.start()

    def _dribble(self):
        while not self.stop.wait(1):
            for s in self.held:
                try:
                    s.send(b"a")
                except OSError:
                    pass

    def close(self):
        self.stop.set()
        self.thread.join()
        for s in self.held:
            s.close()


@pytest.mark.parametrize(
    "fds, kwargs, word",
    [
        (96, {}, ""),  # the defaults: the caps leave the descriptors a margin
        # caps above what the system gives: accept() fails (EMFILE), and the server waits
        (64, {"max_connections": 1000, "max_per_client": 1000}, "file descriptors"),
    ],
)
def test_a_slow_loris_does_not_stop_the_server(fds, kwargs, word):
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVER.format(fds=fds, kwargs=kwargs)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    loris = None
    try:
        port = int(proc.stdout.readline())
        loris = _Loris(port, 150)
        assert len(loris.held) > fds  # (connected: accepted, or waiting in the backlog)
        time.sleep(0.5)
        turns = _turns(proc)
        time.sleep(2)
        # a loop that waits turns a few times a second (poll interval 0.5 s; after a failed
        # accept(), 0.1 s), fewer under load; a spinning one turns without end
        assert _turns(proc) - turns < 200, "the server spins while the slow client holds on"
        if not word:  # a student is served while the slow client holds its connections
            assert _get(port, "t" * 24, timeout=5)[0] == 200
        loris.close()
        loris = None
        # once the slow client has gone, a student is served: at once, not when the slow
        # client's connections time out (the request deadline, an hour here; the 60 s of
        # the socket's timeout only keep a failure from hanging), nor after a long back-off:
        # the server waits after a failed accept() no longer than its loop's poll interval
        # (the waits it asks for are counted, not the time it takes)
        assert _get(port, "t" * 24, timeout=60)[0] == 200
        state = _state(proc)
        assert state["polls"] == [0.5], state
        if word:
            assert state["backoffs"] and max(state["backoffs"]) <= 0.5, state
        else:
            assert state["backoffs"] == [], state
    finally:
        if loris is not None:
            loris.close()
        _, err = proc.communicate("", timeout=20)
    if word:
        assert word in err and err.count("file descriptors") == 1, err


# ------------------------------------------------------------------ 2. port 80
def test_a_host_without_its_port_is_the_default_port_80():
    """Browsers leave ':80' out of Host; the server took only 'IP:PORT' and refused every
    page on port 80 (403), its own printed URL's included."""
    try:
        pg = Playground(port=80, host="0.0.0.0").start()
    except OSError as exc:  # not root, or port 80 taken: the same check, by the method
        pg = Playground(port=0, host="0.0.0.0")
        pg.port = 80
        assert pg.host_allowed("127.0.0.1") and pg.host_allowed("192.0.2.2"), exc
        assert pg.host_allowed("[::1]") and pg.host_allowed("localhost:80")
        assert not pg.host_allowed("teacher-laptop.local") and not pg.host_allowed("192.0.2.2:81")
        pg.close()
        return
    with pg:
        for host in ("127.0.0.1", "localhost", "127.0.0.1:80", "[::1]", "127.0.0.1:"):
            assert _get(80, pg.token, host=host)[0] == 200, host
        for ip in lan_addresses():
            assert _get(80, pg.token, host=ip)[0] == 200, ip
        # still no name (DNS rebinding), and no other port
        for host in ("evil.example", "evil.example:80", "127.0.0.1:81", "[::1"):
            assert _get(80, pg.token, host=host)[0] == 403, host
        # the page's own origin, as a browser writes it for port 80
        s = _connect(80)
        s.sendall(
            f"GET /api/previews HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://127.0.0.1\r\n"
            f"X-Glassnet-Token: {pg.token}\r\n\r\n".encode()
        )
        assert _answer(s)[0] == 200
        s.close()
    # loopback only, port 80: the same
    try:
        pg = Playground(port=80).start()
    except OSError:
        return
    with pg:
        assert _get(80, pg.token, host="127.0.0.1")[0] == 200
        assert _get(80, pg.token, host="localhost")[0] == 200
        assert _get(80, pg.token, host="evil.example")[0] == 403


def test_a_host_on_another_port_than_80_needs_its_port():
    with Playground(host="0.0.0.0").start() as pg:
        assert _get(pg.port, pg.token, host="127.0.0.1")[0] == 403
        assert _get(pg.port, pg.token, host=f"127.0.0.1:{pg.port}")[0] == 200


# ------------------------------------------------------------------ 3. a name on every address
def test_a_name_refused_on_every_address_names_the_ip_addresses():
    with Playground(host="0.0.0.0").start() as pg:
        status, body = _get(pg.port, pg.token, host=f"teacher-laptop.local:{pg.port}")
        assert status == 403
        message = body["error"]
        assert "127.0.0.1" not in message and "teacher-laptop.local" in message, message
        assert "IP address" in message and "ask the teacher" in message, message
        for ip in lan_addresses():
            assert f"http://{ip}:{pg.port}/" in message, message
    with Playground().start() as pg:  # loopback only: this computer's address, as before
        status, body = _get(pg.port, pg.token, host=f"teacher-laptop.local:{pg.port}")
        assert status == 403 and f"http://127.0.0.1:{pg.port}" in body["error"]


def test_lan_addresses_are_this_computers_ipv4_addresses():
    for ip in lan_addresses():
        parts = ip.split(".")
        assert len(parts) == 4 and not ip.startswith("127.")
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind((ip, 0))  # (this computer's: it binds)


# ------------------------------------------------------------------ 5. --host
def test_serve_on_every_address_prints_the_urls_students_open(capsys):
    import io

    out = io.StringIO()
    pg = serve(host="0.0.0.0", open_browser=False, block=False, out=out)
    try:
        lines = out.getvalue().splitlines()
        err = capsys.readouterr().err
        assert lines[0] == f"glassnet playground: {pg.url}"
        addresses = lan_addresses()
        for ip in addresses:
            url = f"http://{ip}:{pg.port}/?token={pg.token}"
            assert any(url in line for line in lines), lines
            assert _get(pg.port, pg.token, host=f"{ip}:{pg.port}")[0] == 200
        if not addresses:
            assert any("this computer's IP address" in line for line in lines), lines
        assert "warning: listening on 0.0.0.0" in err and "token" in err, err
    finally:
        pg.close()


def test_command_line_host_opens_the_playground_to_the_room():
    with subprocess.Popen(
        [sys.executable, "-m", "glassnet", "playground", "--no-browser", "--host", "0.0.0.0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    ) as proc:
        try:
            first = proc.stdout.readline().strip()
            url = first.split(": ", 1)[1]
            port = int(url.split(":")[2].split("/")[0])
            token = url.split("token=")[1]
            for ip in lan_addresses():
                line = proc.stdout.readline()
                assert f"http://{ip}:{port}/?token={token}" in line, line
                c = http.client.HTTPConnection(ip, port, timeout=10)
                c.request("GET", f"/?token={token}")
                assert c.getresponse().status == 200
                c.close()
        finally:
            proc.terminate()
            _, err = proc.communicate(timeout=10)
        assert "warning: listening on 0.0.0.0" in err, err


def test_command_line_refuses_a_host_that_is_not_this_computers(capsys):
    from glassnet.cli import main

    assert main(["playground", "--no-browser", "--host", "203.0.113.77"]) == 2
    err = capsys.readouterr().err
    assert "cannot serve on 203.0.113.77" in err and "--host" in err and "--port" not in err, err
    assert main(["playground", "--no-browser", "--host", ""]) == 2
    assert "--host must be" in capsys.readouterr().err
