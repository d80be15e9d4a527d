"""The playground's web server: the standard library's ``http.server``, nothing else.

Why the standard library: the page asks for one frame at a time (a POST answered with
JSON) while it plays, so a plain threaded HTTP/1.1 server with keep-alive gives the
frame rate the page needs (see ``docs/playground.md`` for the measurement) with no
dependency at all; an ASGI stack would add two packages and buy nothing here.

Security (a server that computes on request):

* it binds to this computer's loopback addresses by default, 127.0.0.1 and ::1 (two
  sockets on one port, so that a browser whose ``localhost`` is ::1 finds it too; ::1
  only where the system has IPv6); ``host="0.0.0.0"`` one dual-stack IPv6 socket
  (``IPV6_V6ONLY`` off) for every IPv4 and IPv6 address, or IPv4 alone where the system
  has no IPv6;
* every request needs the token, random and new at each start, either as ``?token=``
  in the URL (the page and downloads) or in the ``X-Glassnet-Token`` header (the API
  calls of the page); it is compared in constant time;
* a request whose ``Host`` is not this server's loopback address (DNS rebinding; bound
  to every address, ``host="0.0.0.0"``, any IP address with its port, never a name; no
  port means port 80) or whose ``Origin`` is another site's is refused, and so is an API
  call that is not ``application/json`` (a cross-site form cannot send one without
  asking first);
* a request must arrive whole within ``request_deadline`` seconds of its first byte
  (408), and connections are capped per client address and in all: one past a cap gets
  503 at once and is closed while the others are served, unless it can take the slot of
  a connection that has not yet shown the token (see :meth:`Playground._admit`); an
  accept() short of file descriptors waits a moment rather than spin;
* a request with two ``Host`` headers, or an absolute URL naming another host, is 400;
* every field is checked by :func:`glassnet.playground.engine.check_config` and the
  handlers here: names from fixed lists, finite numbers in range, sizes capped, bodies
  at most 64 KiB (/api/run's 256 KiB: a link's 1,000 changes); a GET takes none, and a
  connection ends after any request whose body was not read (it would be read as the
  next request). A bad request gets a 4xx answer with a one-line JSON message; an
  unexpected error a 500 answer; the server keeps serving either way.
"""

from __future__ import annotations

import errno
import hmac
import io
import ipaddress
import json
import math
import os
import re
import secrets
import select
import socket
import socketserver
import sys
import threading
import time
import webbrowser
from collections import OrderedDict, deque
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .._validation import (
    ParameterError,
    check_bool,
    check_choice,
    check_number,
    distinct_keys,
)
from .engine import LIMITS, Diverged, Run, previews
from .export import data_csv, model_bytes

__all__ = ["Playground", "serve", "lan_addresses", "MAX_BODY", "MAX_RUNS", "LOOPBACK"]

MAX_BODY = 64 * 1024  # bytes of a request body
# /api/run's: its settings and a link's 1,000 changes (LIMITS["changes"]) of the largest
# form, a training change with 17-digit numbers at a 16-digit step: 186 KB indented by 4
MAX_RUN_BODY = 256 * 1024
MAX_RUNS = 32  # runs kept at once by default (the least recently used one goes first)
RUNS_LIMIT = 1000  # the most max_runs may be (a run holds 2 to 15 MB, 53 MB at most)
DROPPED_KEPT = 4096  # ids of runs dropped for room, remembered to say so when asked for
MAX_UPDATES = 50_000  # gradient-descent steps one request may ask for
REQUEST_DEADLINE = 20  # seconds a request's headers and body may take, together
MAX_PER_CLIENT = 24  # connections one client address may hold open at once
FIRST_REQUEST_SECONDS = 10  # a connection yet to show the token: its idle time at most
CONNECTIONS_LIMIT = 512  # the most connections open at once by default (fewer: see below)
REFUSED_KEPT = 32  # refused connections kept open a moment so that their 503 is read
# connections waiting to be accepted (the listen backlog; the system caps it, Linux at
# net.core.somaxconn): socketserver's 5 dropped a class's burst (about 5 requests a page,
# while the accepting thread waits for the GIL) with resets instead of answers or 503s
BACKLOG = 1024
# a body refused as too large (413) is read away, up to this many bytes within this many
# seconds, before the connection ends: a client that writes its whole body before reading
# (urllib, requests) then reads the 413; closing with it unread sent a reset (BrokenPipe)
DISCARD_MAX = 16 * 1024 * 1024
DISCARD_SECONDS = 5.0
STATIC = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/static/app.js": ("app.js", "text/javascript; charset=utf-8"),
    "/static/style.css": ("style.css", "text/css; charset=utf-8"),
}
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


class RequestError(Exception):
    """A request the server refuses: an HTTP status and a message for the page."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class BindError(OSError):
    """The address could not be bound: ``errno`` and ``strerror`` are the system's, the
    message names the address and what to do (the bare OSError named neither)."""

    def __init__(self, exc: OSError, host: str, port: int) -> None:
        super().__init__(exc.errno, exc.strerror)
        bracket = ":" in host and not host.startswith("[")  # (an IPv6 address's, once)
        self.where = where = f"[{host}]:{port}" if bracket else f"{host}:{port}"
        if exc.errno in (errno.EADDRINUSE, errno.EACCES):  # taken, or a port below 1024
            hint = "choose another port, or port=0 for a free one"
        else:  # a name that does not resolve, an address not this computer's
            hint = (
                "give host an address of this computer, such as '127.0.0.1' or '::1', or "
                "leave it out (both loopback addresses)"
            )
        self.message = f"cannot serve on {where}: {exc.strerror or exc}; {hint}"

    def __str__(self) -> str:
        return self.message


LOOPBACK = "loopback"  # serve(host=...)'s default: 127.0.0.1 and ::1, this computer only
_EVERY = ("0.0.0.0", "::")  # every address of this computer


def _runs(n: int) -> str:
    return "1 run" if n == 1 else f"{n} runs"


def _every(host: str) -> bool:
    """Whether ``host`` means every address of this computer, in any spelling ('0.0.0.0',
    '::', '::0', '0:0:0:0:0:0:0:0', '0', as the system reads an IPv4 address)."""
    if host in _EVERY:
        return True
    try:
        return ipaddress.ip_address(host).is_unspecified
    except ValueError:
        pass
    try:
        return socket.inet_aton(host) == bytes(4)
    except OSError:
        return False


def _default_max_connections() -> int:
    """The connections kept open at once by default: 512, or fewer where the system gives
    a process fewer file descriptors (macOS: 256), leaving 64 for the rest of the process."""
    try:
        import resource

        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    except (ImportError, OSError, ValueError):  # (Windows: no resource module)
        return CONNECTIONS_LIMIT
    if soft == resource.RLIM_INFINITY:
        return CONNECTIONS_LIMIT
    return max(16, min(CONNECTIONS_LIMIT, soft - 64))


def busy_answer(why: str) -> bytes:
    """The 503 of a connection past a cap (refused at accept, or evicted while it waited for
    its request), ``why`` in its JSON body's "error", as the page shows an API error."""
    body = json.dumps({"error": why}).encode()
    head = (
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nRetry-After: 5\r\nCache-Control: no-store\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode() + body


def _client(address: str) -> str:
    """A client's address as people write it (an IPv4 client of a dual-stack socket
    arrives as ``::ffff:a.b.c.d``)."""
    return address.removeprefix("::ffff:") if "." in address else address


class _Server(ThreadingHTTPServer):
    """One listening socket: IPv4, or IPv6 (with ``dual``: IPV6_V6ONLY off, so that it
    takes IPv4 connections too, as ``::ffff:a.b.c.d``; else IPv6 only, so that a second
    socket can hold the same port on IPv4).

    Each connection accepted is counted by its playground (:meth:`Playground._admit`): one
    past a cap is answered 503 at once, in the accepting thread, and closed (kept open a
    second first, so that the client reads the answer rather than a reset). An accept()
    that fails for want of file descriptors waits a moment before the next try: the
    listening socket stays readable, and the loop spun a core while no one was let in."""

    daemon_threads = True
    request_queue_size = BACKLOG

    def __init__(self, address: tuple, handler: type, family: int, dual: bool = False) -> None:
        self.address_family = family
        self._dual = dual
        self._refused: deque[tuple[float, socket.socket]] = deque()
        self._keep: socket.socket | None = None
        super().__init__(address, handler)

    @property
    def _playground(self) -> Playground:
        return self.RequestHandlerClass.playground  # type: ignore[attr-defined]

    def get_request(self) -> tuple[socket.socket, Any]:
        try:
            return super().get_request()
        except OSError as exc:
            if exc.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM):
                self._playground._out_of_descriptors(exc)
                time.sleep(0.1)  # (the socket stays readable: without a wait, a spin)
            raise

    def verify_request(self, request: Any, client_address: Any) -> bool:
        refusal = self._playground._admit(_client(client_address[0]), request)
        if refusal is None:
            return True
        try:
            request.setblocking(False)  # (never wait here: this thread accepts for everyone)
            request.send(busy_answer(refusal))
            request.shutdown(socket.SHUT_WR)
        except OSError:
            return False  # (gone already: shutdown_request closes it)
        self._refused.append((time.monotonic() + 1.0, request))
        self._keep = request
        while len(self._refused) > REFUSED_KEPT:
            self._close_refused(self._refused.popleft()[1])
        return False

    def shutdown_request(self, request: Any) -> None:
        if request is self._keep:  # a refused one: closed a second later (service_actions)
            self._keep = None
            return
        super().shutdown_request(request)

    def service_actions(self) -> None:
        now = time.monotonic()
        while self._refused and self._refused[0][0] <= now:
            self._close_refused(self._refused.popleft()[1])

    @staticmethod
    def _close_refused(sock: socket.socket) -> None:
        try:  # what the client sent (its request): read, so that closing sends no reset
            sock.recv(65536)
        except OSError:
            pass
        sock.close()

    def process_request(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request(request, client_address)
        except BaseException:  # (no thread: the connection is no longer counted)
            self._playground._release(_client(client_address[0]), request)
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._playground._release(_client(client_address[0]), request)

    def server_close(self) -> None:
        super().server_close()
        while self._refused:
            self._close_refused(self._refused.popleft()[1])

    def server_bind(self) -> None:
        if self.address_family == socket.AF_INET6:
            self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0 if self._dual else 1)
        # (not HTTPServer's: it looks the address's name up, which can wait on DNS; the
        # name is used for nothing here)
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = "localhost", self.server_address[1]


def _ipv6_loopback() -> bool:
    """Whether this system can listen on ::1 (IPv6 compiled in and a loopback address)."""
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
    except OSError:
        return False
    return True


def _bind(host: str, port: int, handler: type) -> list[_Server]:
    """The listening sockets for ``host`` (see :class:`Playground`), the first the one
    the URL names; :class:`BindError` when they cannot be had."""
    if _every(host):  # every address: one dual-stack socket, or IPv4 alone
        if socket.has_ipv6:
            try:
                return [_Server(("::", port), handler, socket.AF_INET6, dual=True)]
            except OSError as exc:
                if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                    raise BindError(exc, host, port) from None
        try:
            return [_Server(("0.0.0.0", port), handler, socket.AF_INET)]
        except OSError as exc:
            raise BindError(exc, host, port) from None
    if host in (LOOPBACK, "localhost"):
        return _bind_loopback(port, handler)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        family, *_, address = infos[0]
        return [_Server(address, handler, family)]
    except OSError as exc:  # (socket.gaierror too: a name that does not resolve)
        raise BindError(exc, host, port) from None


def _bind_loopback(port: int, handler: type) -> list[_Server]:
    """127.0.0.1 and ::1 on one port (::1 only where the system has IPv6 loopback; ::1
    alone on a system with no IPv4 loopback)."""
    six = _ipv6_loopback()
    for _ in range(20):  # port 0: the port IPv4 got may be taken on ::1; draw again
        try:
            first = _Server(("127.0.0.1", port), handler, socket.AF_INET)
        except OSError as exc:
            if not six or exc.errno in (errno.EADDRINUSE, errno.EACCES):
                raise BindError(exc, "127.0.0.1", port) from None
            try:  # no IPv4 loopback (an IPv6-only system): ::1 alone
                return [_Server(("::1", port), handler, socket.AF_INET6)]
            except OSError as exc6:
                raise BindError(exc6, "::1", port) from None
        if not six:
            return [first]
        try:
            return [first, _Server(("::1", first.server_address[1]), handler, socket.AF_INET6)]
        except OSError as exc:
            first.server_close()
            if port != 0 or exc.errno != errno.EADDRINUSE:
                raise BindError(exc, "::1", first.server_address[1]) from None
    raise BindError(OSError(errno.EADDRINUSE, os.strerror(errno.EADDRINUSE)), "::1", port)


def _static(name: str) -> bytes:
    return resources.files("glassnet.playground").joinpath("static", name).read_bytes()


class Playground:
    """A running playground server. ``url`` holds the token; :meth:`close` stops it.

    Parameters
    ----------
    port : int
        The port (0: a free one, chosen by the system).
    host : str
        The address to listen on. By default (``"loopback"``) this computer's loopback
        addresses, 127.0.0.1 and ::1, on one port: only this computer can connect, and a
        browser whose ``localhost`` is ::1 finds it (::1 where the system has IPv6; ::1
        alone where it has no IPv4 loopback). ``"localhost"`` is the same. An address
        (``"127.0.0.1"``, ``"::1"`` or ``"[::1]"``, ...) is that one alone;
        ``"0.0.0.0"`` or ``"::"`` every address of this computer, IPv4 and IPv6 (one
        dual-stack socket, ``IPV6_V6ONLY`` off; IPv4 alone where the system has no IPv6).
    token : str or None
        The access token; None draws a new random one (``secrets.token_urlsafe(24)``).
    max_runs : int
        How many runs the server keeps at once (1 to 1,000). A run holds about 2 MB (the
        page's first network), 15 MB (six layers of eight on 2,000 points), 53 MB at most
        (a 200x200 grid, from the API). Past it the run used least recently is dropped:
        the terminal says so, the page that made the dropped run says so at its next
        request, and the page that made the new one notes it beside its export buttons,
        where the limit is shown.
    request_deadline : float
        Seconds a request's line, headers and body may take to arrive, together (default
        20; the clock starts at its first byte). Past it the answer is 408 and the
        connection ends: a client that sends a byte every few seconds no longer holds a
        connection for ever. (An idle keep-alive connection is closed after 30 seconds.)
    max_connections : int or None
        Connections open at once, from every client together. None: 512, or fewer where
        the system gives the process fewer file descriptors (the limit less 64: 192 on
        macOS's default of 256). Past it a new connection gets 503 at once and is closed,
        while the open ones keep being served.
    max_per_client : int
        Connections one client address may hold open at once (default 24: a browser opens
        6 a server, so several browsers or tabs of one computer fit). Past it: 503, as
        above. Students behind one address (a NAT) share it: raise it then.
    """

    def __init__(
        self,
        port: int = 0,
        host: str = LOOPBACK,
        token: str | None = None,
        max_runs: int = MAX_RUNS,
        *,
        request_deadline: float = REQUEST_DEADLINE,
        max_connections: int | None = None,
        max_per_client: int = MAX_PER_CLIENT,
    ) -> None:
        port = check_number(port, "port", "playground", low=0, high=65535, integer=True)
        self.request_deadline = check_number(
            request_deadline, "request_deadline", "playground", low=0.1, high=3600
        )
        self.max_connections = (
            _default_max_connections()
            if max_connections is None
            else check_number(
                max_connections, "max_connections", "playground", low=1, high=100_000,
                integer=True,
            )
        )  # fmt: skip
        self.max_per_client = check_number(
            max_per_client, "max_per_client", "playground", low=1, high=100_000, integer=True
        )
        self._open = 0  # connections counted (accepted, not yet closed)
        self._open_by_client: dict[str, int] = {}
        # connections counted that have not yet sent a request with the token, oldest
        # first (each with its client), and those closed to make room, not yet released
        self._pending: OrderedDict[socket.socket, str] = OrderedDict()
        self._evicted: set[socket.socket] = set()
        self._descriptors_said = -math.inf  # when the want of file descriptors was last said
        if not isinstance(host, str) or not host:
            raise ParameterError(
                "The 'host' parameter of playground must be a str (an address such as "
                f"'127.0.0.1', '::1' or '0.0.0.0', or 'loopback', the default). Got {host!r}."
            )
        if re.fullmatch(r"\[[0-9A-Fa-f:.]*:[0-9A-Fa-f:.%\w]*\]", host):
            host = host[1:-1]  # an IPv6 address as a URL writes it, '[::1]': the address
        self.max_runs = check_number(
            max_runs, "max_runs", "playground", low=1, high=RUNS_LIMIT, integer=True
        )
        self.token = token if token is not None else secrets.token_urlsafe(24)
        # it travels in the URL (?token=) and the page as it is: URL-safe characters only
        if not isinstance(self.token, str) or not re.fullmatch(r"[A-Za-z0-9_.~-]{16,}", self.token):
            raise ParameterError(
                "The 'token' parameter of playground must be a str of 16+ characters, each a "
                f"letter, a digit or one of _ . ~ - (it goes into the URL). Got {token!r:.40}."
            )
        self.runs: OrderedDict[str, Run] = OrderedDict()
        self._runs_lock = threading.Lock()
        # the runs dropped for room (id -> when, and the limit then): a page asking for one
        # is told why it is gone, not only that it is unknown
        self._dropped: OrderedDict[str, str] = OrderedDict()
        self.dropped_count = 0  # runs dropped for room since the start
        self._local = threading.local()  # (new_run's count of runs dropped, per request)
        # every listening socket (127.0.0.1 and ::1 by default); httpd: the URL's
        self.servers = _bind(host, port, _handler_for(self))
        self.httpd = self.servers[0]
        self.addresses = [srv.server_address[0] for srv in self.servers]
        self.host, self.port = host, int(self.httpd.server_address[1])
        first = self.addresses[0]
        shown = "127.0.0.1" if _every(host) or first in ("0.0.0.0", "::") else first
        shown = f"[{shown}]" if ":" in shown else shown
        self.url = f"http://{shown}:{self.port}/?token={self.token}"
        self._names = {"127.0.0.1", "localhost", "[::1]", shown}  # (Host: name, or name:port)
        self.allowed_hosts = {f"{h}:{self.port}" for h in self._names}
        if self.port == 80:  # a Host without its port means port 80 (browsers send it so)
            self.allowed_hosts |= self._names
        # bound to every address: the other computers ask by this one's IP address (a name
        # could be DNS rebinding; an address cannot)
        self.any_address = _every(host)
        # the addresses the room opens it by, for the URLs printed and the refusal of a name
        self.lan_addresses = lan_addresses() if self.any_address else []
        self._threads: list[threading.Thread] = []
        # the open connections (a page's keep-alive one): close() ends them too, or a page
        # would go on training through its connection after the server stopped
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self._serving = False  # serve_forever runs (shutdown() waits for it: never call it else)

    # ------------------------------------------------------------ lifecycle
    def start(self) -> Playground:
        """Serve in background threads, one a listening socket (returns at once)."""
        self._serving = True
        for srv in self.servers:
            t = threading.Thread(target=srv.serve_forever, daemon=True)
            t.start()
            self._threads.append(t)
        return self

    def serve_forever(self) -> None:
        """Serve until Ctrl-C (the URL's socket here, any other in a thread)."""
        self._serving = True
        for srv in self.servers[1:]:
            t = threading.Thread(target=srv.serve_forever, daemon=True)
            t.start()
            self._threads.append(t)
        try:
            self.httpd.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            self.close()

    def close(self) -> None:
        """Stop serving and release the port (also when it never served, or is closed)."""
        if self._serving:
            self._serving = False
            for srv in self.servers:  # (each one serves, or has served: shutdown returns)
                srv.shutdown()
        for srv in self.servers:
            srv.server_close()
        with self._connections_lock:
            open_now = list(self._connections)
        for conn in open_now:
            try:
                conn.shutdown(socket.SHUT_RDWR)  # its handler reads the end and finishes
            except OSError:
                pass  # closed meanwhile
        for t in self._threads:
            t.join(timeout=5)
        self._threads = []

    def __enter__(self) -> Playground:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # ------------------------------------------------------------ connections
    def connections_open(self) -> int:
        """How many connections are open now (counted at accept, until they close)."""
        with self._connections_lock:
            return self._open

    def _admit(self, client: str, sock: socket.socket | None = None) -> str | None:
        """Count a connection just accepted from ``client``; past a cap, the refusal instead.

        Connections are counted from their accept, before any request says who sent it, so
        a process without the token (on a loopback bind every local process is 127.0.0.1)
        could hold every slot with idle sockets and keep the page at 503. So a connection
        counts as *pending* until it sends a request with the right token (:meth:`_trust`),
        and a connection past a cap first takes the slot of the oldest pending one (of the
        same client for ``max_per_client``, of any for ``max_connections``), which is closed:
        a page's connection sends its request at once and is trusted within milliseconds,
        while a socket held idle is the oldest. Only trusted connections make a 503. A
        pending connection also idles at most ``FIRST_REQUEST_SECONDS`` (not the 30 s of
        one that has shown the token)."""
        with self._connections_lock:
            mine = self._open_by_client.get(client, 0)
            if mine >= self.max_per_client and self._evict(client):
                mine = self._open_by_client.get(client, 0)
            if mine >= self.max_per_client:
                return (
                    f"{mine} connections from {client} are open, the most one computer may "
                    f"hold (max_per_client={self.max_per_client}): close some of its tabs or "
                    "scripts, or wait for them to finish, then reload"
                )
            if self._open >= self.max_connections and not self._evict(None):
                return (
                    f"the playground holds {self._open} connections, the most it takes "
                    f"(max_connections={self.max_connections}): wait a moment, then reload"
                )
            self._open += 1
            self._open_by_client[client] = mine + 1
            if sock is not None:
                self._pending[sock] = client
        return None

    def _evict(self, client: str | None) -> bool:
        """Close the oldest pending connection (of ``client``, or of any with None) and stop
        counting it; False when there is none. The caller holds the connections' lock."""
        sock = next((k for k, c in self._pending.items() if client in (None, c)), None)
        if sock is None:
            return False
        who = self._pending.pop(sock)
        self._uncount(who)
        self._evicted.add(sock)  # (its thread's release counts nothing again)
        why = (  # (a page's own connection, evicted before its request came: told why)
            f"this connection waited for its request while more connections from {who} came "
            f"than one computer may hold (max_per_client={self.max_per_client}), and gave its "
            "place to a newer one: close some tabs or scripts, then reload"
            if client is not None
            else f"this connection waited for its request while more connections came than "
            f"the playground takes (max_connections={self.max_connections}), and gave its "
            "place to a newer one: wait a moment, then reload"
        )
        try:
            sock.setblocking(False)  # (never wait here: the accepting thread holds the lock)
            sock.send(busy_answer(why))  # read by a request sent later, not a bare close
        except OSError:
            pass  # its buffer full or the peer gone: closed without the answer
        try:
            sock.shutdown(socket.SHUT_RDWR)  # its handler reads the end and finishes
        except OSError:
            pass  # closed meanwhile
        return True

    def _trust(self, sock: socket.socket) -> None:
        """The connection ``sock`` sent a request with the right token: it keeps its slot."""
        with self._connections_lock:
            self._pending.pop(sock, None)

    def _trusted(self, sock: socket.socket) -> bool:
        with self._connections_lock:
            return sock not in self._pending

    def _release(self, client: str, sock: socket.socket | None = None) -> None:
        with self._connections_lock:
            if sock is not None:
                if sock in self._evicted:  # (no longer counted since its eviction)
                    self._evicted.discard(sock)
                    return
                self._pending.pop(sock, None)
            self._uncount(client)

    def _uncount(self, client: str) -> None:
        """One connection of ``client`` no longer counted (the connections' lock held)."""
        self._open -= 1
        left = self._open_by_client.get(client, 1) - 1
        if left > 0:
            self._open_by_client[client] = left
        else:
            self._open_by_client.pop(client, None)

    def _out_of_descriptors(self, exc: OSError) -> None:
        """Say (at most once a minute) that accept() failed for want of file descriptors."""
        now = time.monotonic()
        if now - self._descriptors_said < 60:
            return
        self._descriptors_said = now
        print(
            f"glassnet playground: cannot accept a connection: {exc.strerror} (out of file "
            f"descriptors, with {self.connections_open()} connections open): new "
            "connections wait until some close; raise the limit (ulimit -n), or lower "
            f"max_connections (now {self.max_connections}) so that the extra ones get a "
            "503 at once",
            file=sys.stderr,
            flush=True,
        )

    def host_allowed(self, value: str) -> bool:
        """Whether a request's ``Host`` header names this server: one of its loopback
        names with its port (RFC 9110 7.2: no port, or an empty one, is port 80), or,
        bound to every address, any IP address with the port; never another name (DNS
        rebinding)."""
        parsed = _split_host(value)
        if parsed is None or parsed[1] != self.port:
            return False
        return parsed[0] in self._names or (self.any_address and _is_ip(parsed[0]))

    def wrong_host(self, value: str) -> str:
        """The refusal of a ``Host`` that :meth:`host_allowed` refuses: what to open."""
        if not self.any_address:
            return f"this server answers only as {self.url.split('/?')[0]}"
        shown = value[:60]
        urls = " or ".join(f"http://{ip}:{self.port}/" for ip in self.lan_addresses)
        where = (
            f"open {urls} with the same ?token=..., or ask the teacher for the address"
            if urls
            else f"ask the teacher for this computer's IP address and open http://<that "
            f"address>:{self.port}/ with the same ?token=..."
        )
        parsed = _split_host(value)
        if parsed is not None and (parsed[0] in self._names or _is_ip(parsed[0])):
            # an address (or loopback name) with the wrong port, or none: the port is wrong
            bare = "" if re.search(r":[0-9]+$", value.strip()) else " (no port means 80)"
            return (
                f"this server answers on port {self.port}, and {shown!r} asks for port "
                f"{parsed[1]}{bare}: {where}"
            )
        return (
            f"this server answers by this computer's IP address and port {self.port}, not "
            f"as {shown!r} (a name is refused: it could be a DNS-rebinding attack): {where}"
        )

    # ------------------------------------------------------------ runs
    def new_run(
        self, config: Any, replaces: Any = (), changes: Any = None, supersedes: Any = ()
    ) -> tuple[str, Run]:
        """A new run from ``config``; the runs ``replaces`` names (the ids of the runs the
        page shows no more) are dropped once it is made, so that the ``max_runs`` kept
        are the pages' current runs, not one per click (a teacher clicking through settings
        in one tab would push out the run of another tab). Ids the server no longer holds
        are no error. Past ``max_runs`` the run used least recently is dropped, and said
        so (:meth:`_drop_for_room`); ``last_dropped`` holds how many this call dropped.
        ``changes``: a shared link's changes by step, replayed (:meth:`Run.replay`).
        ``supersedes``: the page's run until now, kept (a late answer to it lands quietly)
        until its next new run names it in ``replaces``, but the first to go for room: an
        idle page's current run went first, while the runs other pages had left behind
        stayed (20 pages that each changed a setting held 40 runs)."""
        replaces = _run_ids(replaces, "replaces", self.max_runs)
        supersedes = _run_ids(supersedes, "supersedes", self.max_runs)
        run = Run(config)  # (refused settings: nothing is dropped)
        if changes is not None:
            run.replay(changes)  # (refused changes: nothing is dropped either)
        rid = secrets.token_urlsafe(9)
        with self._runs_lock:
            for old in replaces:
                self.runs.pop(old, None)
            self.runs[rid] = run
            for old in supersedes:  # (to the least recently used end)
                if old in self.runs and old != rid:
                    self.runs.move_to_end(old, last=False)
            dropped = []
            while len(self.runs) > self.max_runs:
                dropped.append(self._drop_for_room())
        for old_id, old_run in dropped:  # (outside the lock: a slow terminal waits alone)
            print(
                f"glassnet playground: dropped run {old_id} (epoch {old_run.epoch}), the one "
                f"used least recently: the server keeps at most {_runs(self.max_runs)} "
                "(glassnet playground --max-runs N, or serve(max_runs=N), raises the limit); "
                "its page says so",
                file=sys.stderr,
                flush=True,
            )
        self._local.dropped = len(dropped)
        return rid, run

    @property
    def last_dropped(self) -> int:
        """How many runs this thread's last :meth:`new_run` dropped for room."""
        return getattr(self._local, "dropped", 0)

    def _drop_for_room(self) -> tuple[str, Run]:
        """Drop the run used least recently (under ``_runs_lock``) and remember its id, so
        that its page learns why it is gone."""
        old_id, old_run = self.runs.popitem(last=False)
        self.dropped_count += 1
        self._dropped[old_id] = (
            f"this page's run was dropped to make room for a newer one: the server keeps at "
            f"most {_runs(self.max_runs)} (each open page holds one), and this one was the run "
            f"used least recently. Reload the page to start again; to keep more runs, start "
            f"the playground with a larger limit (glassnet playground --max-runs N, or "
            f"serve(max_runs=N))"
        )
        while len(self._dropped) > DROPPED_KEPT:
            self._dropped.popitem(last=False)
        return old_id, old_run

    def drop(self, runs: Any) -> int:
        """Drop the runs ``runs`` names (a page closed or reloaded); how many were held."""
        runs = _run_ids(runs, "runs", self.max_runs)
        with self._runs_lock:
            return sum(self.runs.pop(r, None) is not None for r in runs)

    def run_of(self, rid: Any) -> Run:
        if not isinstance(rid, str) or not rid:
            raise RequestError(400, f"'run' must be the id a POST /api/run gave. Got {rid!r:.40}.")
        with self._runs_lock:
            run = self.runs.get(rid)
            if run is None:
                why = self._dropped.get(rid)
                if why is not None:
                    raise RequestError(410, why)
                raise RequestError(
                    404,
                    f"unknown run {rid!r:.40} (the server restarted, or the page was closed): "
                    "reload the page",
                )
            self.runs.move_to_end(rid)
            return run

    def runs_info(self) -> dict[str, int]:
        """What the page shows beside its export buttons: runs held, the limit, and how
        many runs were dropped for room since the start."""
        with self._runs_lock:
            return {"held": len(self.runs), "max": self.max_runs, "dropped": self.dropped_count}


def _run_ids(ids: Any, name: str, max_runs: int = MAX_RUNS) -> list[str]:
    """A request's list of run ids (the runs a page shows no more), checked."""
    most = max(max_runs, MAX_RUNS)
    if (
        not isinstance(ids, (list, tuple))
        or len(ids) > most
        or not all(isinstance(r, str) for r in ids)
    ):
        raise RequestError(
            400,
            f"'{name}' must be a list of at most {most} run ids (the runs this page made "
            f"before, which it shows no more). Got {str(ids)[:80]}.",
        )
    return list(ids)


def serve(
    port: int = 0,
    *,
    open_browser: bool = True,
    host: str = LOOPBACK,
    block: bool = True,
    out: Any = None,
    max_runs: int = MAX_RUNS,
    max_per_client: int = MAX_PER_CLIENT,
    max_connections: int | None = None,
) -> Playground:
    """Start the playground: a local web app where glassnet trains a network live.

    Prints the URL with its token on one line, opens it in the browser unless
    ``open_browser=False``, and serves until Ctrl-C (``block=True``) or returns the
    running :class:`Playground` at once (``block=False``; call ``.close()`` to stop).
    ``port=0`` picks a free port. ``host``, ``max_runs``, ``max_per_client`` and
    ``max_connections``: see :class:`Playground` (by default 127.0.0.1 and ::1, 32 runs
    kept at once, 24 connections a client address, 512 in all; a room behind one address,
    a NAT, shares its 24: raise ``max_per_client``). On every address
    (``host="0.0.0.0"``) it prints the URLs the room opens too, one a line: this computer's
    IPv4 addresses (:func:`lan_addresses`).
    """
    pg = Playground(
        port=port, host=host, max_runs=max_runs, max_per_client=max_per_client,
        max_connections=max_connections,
    )  # fmt: skip
    stream = out if out is not None else sys.stdout
    print(f"glassnet playground: {pg.url}", file=stream, flush=True)
    if pg.any_address:
        query = pg.url.split("/?", 1)[1]
        for ip in pg.lan_addresses:
            print(f"glassnet playground: the room: http://{ip}:{pg.port}/?{query}", file=stream)
        if not pg.lan_addresses:
            print(
                f"glassnet playground: the room: http://<this computer's IP address>:{pg.port}"
                f"/?{query} (no network address was found: see ipconfig, or ip addr)",
                file=stream,
            )
        stream.flush()
    if pg.host not in (LOOPBACK, "localhost", "127.0.0.1", "::1"):  # ('[::1]' is ::1)
        print(
            f"glassnet playground: warning: listening on {pg.host}, not only this computer: "
            "anyone on its networks who has the URL with its token can use the playground "
            "(the token is the lock: give it to the room only)",
            file=sys.stderr,
        )
    if open_browser:
        threading.Thread(target=webbrowser.open, args=(pg.url,), daemon=True).start()
    if not block:
        return pg.start()
    print("glassnet playground: press Ctrl-C to stop", file=stream, flush=True)
    pg.serve_forever()
    return pg


# =====================================================================================
# The request handler
# =====================================================================================
def _handler_for(pg: Playground) -> type[BaseHTTPRequestHandler]:
    class Handler(_Handler):
        playground = pg

    return Handler


class _TooSlow(Exception):
    """A request that did not arrive whole within the playground's ``request_deadline``
    (not a TimeoutError: the standard library would end the connection without an answer)."""


class _Reads(io.RawIOBase):
    """A connection's reads, each given what is left of the request's deadline (the
    handler's ``_deadline``; None between requests: the idle timeout alone). The socket's
    own timeout is per read: a client sending a byte every few seconds never reached it."""

    def __init__(self, handler: _Handler) -> None:
        self.handler, self.sock = handler, handler.connection

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        deadline, idle = self.handler._deadline, self.handler.timeout
        if deadline is None:
            return self.sock.recv_into(buffer)
        left = deadline - time.monotonic()
        if left <= 0:
            raise _TooSlow
        self.sock.settimeout(min(left, idle) if idle is not None else left)
        try:
            return self.sock.recv_into(buffer)
        except TimeoutError:
            if time.monotonic() >= deadline - 0.01:
                raise _TooSlow from None
            raise
        finally:
            try:
                self.sock.settimeout(idle)  # (the answer's writes: the usual timeout)
            except OSError:
                pass  # closed meanwhile


def _seconds(n: float) -> str:
    return "1 second" if n == 1 else f"{n:g} seconds"


class _Handler(BaseHTTPRequestHandler):
    _probed = False  # (a half-close probed: _client_gone)
    _deadline: float | None = None  # when the request being read must have arrived
    _discard = 0  # bytes of a body refused as too large, read away after the answer
    protocol_version = "HTTP/1.1"  # keep-alive: the page's frame requests reuse one connection
    server_version = "glassnet-playground"
    sys_version = ""
    timeout = 30  # seconds a connection may idle or dribble
    # headers and body leave as two writes: without TCP_NODELAY, Nagle's algorithm holds the
    # second until the client's delayed ACK (about 40 ms), which would cap the frame rate
    disable_nagle_algorithm = True
    playground: Playground

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        pass  # quiet: the terminal shows the URL line only

    def handle(self) -> None:
        try:
            super().handle()
        except ConnectionError:  # reset between two requests (a tab closed): no traceback
            self.close_connection = True

    def setup(self) -> None:
        super().setup()
        plain, self.rfile = self.rfile, io.BufferedReader(_Reads(self))
        plain.close()  # (it holds a reference to the socket, which would stay open)
        with self.playground._connections_lock:
            self.playground._connections.add(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            with self.playground._connections_lock:
                self.playground._connections.discard(self.connection)

    def handle_one_request(self) -> None:
        """One request, which must arrive whole within ``request_deadline`` seconds of its
        first byte (408 past it); before that byte, the connection idles up to ``timeout``."""
        self._deadline = None
        # (what a 408 answer reads, where it comes before the request line is read)
        self.requestline, self.request_version, self.command = "", "HTTP/1.1", None
        trusted = self.playground._trusted(self.connection)  # (else: see Playground._admit)
        try:
            self.connection.settimeout(
                self.timeout if trusted else min(self.timeout, FIRST_REQUEST_SECONDS)
            )
            if not self.rfile.peek(1):  # the client closed the connection
                self.close_connection = True
                return
        except TimeoutError:  # idle too long between requests: the connection ends
            self.close_connection = True
            return
        limit = self.playground.request_deadline
        self._deadline = time.monotonic() + limit
        try:
            super().handle_one_request()
        except _TooSlow:
            self.send_error(
                408,
                f"the request did not arrive whole within {_seconds(limit)} (its line, "
                "headers and body must arrive within that time of its first byte)",
            )

    # ------------------------------------------------------------ dispatch
    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def do_HEAD(self) -> None:
        self._handle("HEAD")

    def do_OPTIONS(self) -> None:
        self._handle("OPTIONS")

    def _handle(self, method: str) -> None:
        self._read_body = False
        try:
            parts = urlsplit(self.path)
            if self.path.startswith("/"):  # (the origin form: '//x/y' is a path, no authority)
                parts = parts._replace(netloc="", path=re.split(r"[?#]", self.path, maxsplit=1)[0])
            try:
                query = parse_qs(parts.query, keep_blank_values=True, max_num_fields=20)
            except ValueError:
                raise RequestError(400, "too many query fields (at most 20)") from None
            self._check_access(query, parts.netloc)
            route = ROUTES.get(parts.path)
            if route is None:
                raise RequestError(404, f"no such page {parts.path[:80]!r}")
            want, func = route
            # HEAD: a GET's answer without its body (curl -I)
            if method != want and not (method == "HEAD" and want == "GET"):
                raise RequestError(405, f"{parts.path} takes {want}, not {method}")
            if parts.path in QUERY_FIELDS:  # (as a POST's body: a misspelt field is refused)
                _fields(query, ("token", *QUERY_FIELDS[parts.path]))
            body = self._body() if method == "POST" else self._no_body(method)
            self._deadline = None  # (the request has arrived: the answer takes its time)
            func(self, query, body)
        except RequestError as exc:
            self._send_json({"error": str(exc)}, exc.status)
        except ParameterError as exc:
            self._send_json({"error": _shorten(str(exc))}, 400)
        except Diverged as exc:  # the run's network gives NaN or inf: reset, or a lower lr
            self._send_json({"error": str(exc)}, 409)
        except ConnectionError:  # the page went away mid-answer
            self.close_connection = True
        except Exception as exc:  # a bug in glassnet: answer, log, keep serving
            print(f"glassnet playground: internal error: {exc!r}", file=sys.stderr)
            self._send_json({"error": f"internal error: {type(exc).__name__}: {exc}"}, 500)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The standard library's own refusals (a request line that is not HTTP, an
        unknown method, too long a URL, too many headers) as JSON, like every other
        answer, instead of its HTML page; the connection ends."""
        self.close_connection = True
        self._read_body = True  # nothing more is read from this connection
        if self.request_version == "HTTP/0.9":  # (no version read yet: 0.9 sends no headers)
            self.request_version = "HTTP/1.0"
        if code == 501:  # a method with no do_* at all (PATCH, TRACE, ...)
            code, message = 405, f"this server takes GET and POST, not {self.command}"
        elif code == 505:
            code = 400
            message = f"this server speaks HTTP/1.0 and 1.1, not {self.request_version[:20]}"
        text = message or self.responses.get(code, ("refused", ""))[0]
        self._send_json({"error": _shorten(text)}, code)

    def _check_access(self, query: dict[str, list[str]], authority: str = "") -> None:
        hosts = self.headers.get_all("Host") or []
        if len(hosts) > 1:  # (RFC 9112 3.2: which one is meant is anyone's guess)
            shown = ", ".join(repr(h[:60]) for h in hosts[:3])
            raise RequestError(
                400, f"the request gives {len(hosts)} Host headers ({shown}); give one"
            )
        host = hosts[0] if hosts else ""
        if authority and authority.lower() != host.lower():  # (an absolute URL's host is meant)
            raise RequestError(
                400,
                f"the request's URL names the host {authority[:60]!r} and its Host header "
                f"{host[:60]!r}: send the path alone (GET /api/...) with one Host",
            )
        if not self.playground.host_allowed(host):
            raise RequestError(403, self.playground.wrong_host(host))
        origin = self.headers.get("Origin")
        if origin is not None and not _same_origin(origin, host):  # the page's own only
            raise RequestError(403, "requests from another origin are refused")
        given = self.headers.get("X-Glassnet-Token") or (query.get("token") or [""])[0]
        if not hmac.compare_digest(given.encode(), self.playground.token.encode()):
            raise RequestError(
                403,
                "missing or wrong token: open the URL that 'glassnet playground' printed "
                "(it ends with ?token=...)",
            )
        self.playground._trust(self.connection)

    def _no_body(self, method: str) -> dict[str, Any]:
        """A GET's (or HEAD's) body, which must be none: one left unread would be read as
        the next request on the connection, so one announced is refused and the connection
        ends (by ``_send``); a Content-Length of 0 is no body."""
        if self.headers.get("Transfer-Encoding") is not None:
            raise RequestError(
                400, f"a {method} takes no body; send it without a Transfer-Encoding or a body"
            )
        lengths = self.headers.get_all("Content-Length") or []
        if len(lengths) > 1 or not all(re.fullmatch(r"[0-9]+", v.strip()) for v in lengths):
            shown = ", ".join(repr(v[:20]) for v in lengths[:3])
            raise RequestError(400, f"the Content-Length must be one number of bytes; got {shown}")
        digits = lengths[0].strip().lstrip("0") if lengths else ""
        if digits:
            got = digits if len(digits) <= 40 else f"a number of {len(digits)} digits"
            raise RequestError(
                413, f"a {method} takes no body; got {got} bytes (send it with no body, or a POST)"
            )
        return {}

    def _body(self) -> dict[str, Any]:
        ctype = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        lengths = self.headers.get_all("Content-Length") or []
        # where the body ends must be certain, or what follows it would be read as the next
        # request: one plain Content-Length, no chunks; else answer and end the connection
        if self.headers.get("Transfer-Encoding") is not None:
            self.close_connection = True
            raise RequestError(411, "a POST needs a Content-Length, not a Transfer-Encoding")
        if not lengths:
            raise RequestError(411, "a POST needs a Content-Length")
        if len(lengths) > 1 or not re.fullmatch(r"[0-9]+", lengths[0].strip()):
            self.close_connection = True
            shown = ", ".join(repr(v[:20]) for v in lengths[:3])
            raise RequestError(400, f"the Content-Length must be one number of bytes; got {shown}")
        # any number of digits is a length (too large a one is refused as too large below);
        # one of thousands of digits is not converted (int() refuses past 4300) nor shown whole
        digits = lengths[0].strip().lstrip("0") or "0"
        most = MAX_RUN_BODY if urlsplit(self.path).path == "/api/run" else MAX_BODY
        if len(digits) > len(str(most)) or int(digits) > most:
            self.close_connection = True
            run = (
                f" (a run's settings and its 'changes', at most {LIMITS['changes']} changes)"
                if most == MAX_RUN_BODY
                else ""
            )
            got = digits if len(digits) <= 40 else f"a number of {len(digits)} digits"
            if len(digits) <= 9 and int(digits) <= DISCARD_MAX:  # (read away once answered)
                self._discard = int(digits)
            raise RequestError(413, f"the body must be at most {most} bytes{run}; got {got}")
        n = int(digits)
        try:
            raw = self.rfile.read(n)
        except TimeoutError:  # the client announced more than it sends
            self.close_connection = True
            raise RequestError(
                408, f"the body's {n} bytes did not arrive within {self.timeout} seconds"
            ) from None
        except _TooSlow:  # it sends, but too slowly
            self.close_connection = True
            limit = _seconds(self.playground.request_deadline)
            raise RequestError(
                408,
                f"the body's {n} bytes did not arrive within {limit} of the request's first "
                "byte (its line, headers and body must arrive within that time)",
            ) from None
        self._read_body = True
        if len(raw) != n:  # the client closed its side early: a cut body is not the request
            self.close_connection = True
            raise RequestError(400, f"the body ended after {len(raw)} of its {n} bytes")
        if ctype != "application/json":
            raise RequestError(415, "the body must be JSON (Content-Type: application/json)")
        body = _read_json(raw)
        if not isinstance(body, dict):
            raise RequestError(400, f"the body must be a JSON object, not {type(body).__name__}")
        return body

    # ------------------------------------------------------------ answers
    def _send(
        self, status: int, data: bytes, ctype: str, extra: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        if not self._read_body and self._announces_body():
            self.close_connection = True  # its body is still unread: end the connection
        if self.close_connection:
            self.send_header("Connection", "close")
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Content-Security-Policy", CSP)
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        if self._discard:
            self._read_away()

    def _read_away(self) -> None:
        """Read (and drop) the body of a request refused as too large, so that the client,
        which may be writing it still, reads the answer rather than a reset; at most
        ``DISCARD_MAX`` bytes within ``DISCARD_SECONDS`` (the connection ends after)."""
        left, self._discard = self._discard, 0
        self._deadline = time.monotonic() + DISCARD_SECONDS
        try:
            while left > 0:
                chunk = self.rfile.read1(min(left, 1 << 16))
                if not chunk:
                    break
                left -= len(chunk)
        except (_TooSlow, OSError, ValueError):
            pass  # (gone, or too slow: the connection ends as it would have)
        finally:
            self._deadline = None

    def _announces_body(self) -> bool:
        """Whether the request announces a body (chunks, or a Content-Length other than
        0): one not read would be read as the next request."""
        if self.headers.get("Transfer-Encoding") is not None:
            return True
        return any(v.strip().lstrip("0") for v in self.headers.get_all("Content-Length") or [])

    def _send_json(self, obj: Any, status: int = 200) -> None:
        try:
            data = json.dumps(obj, allow_nan=False, separators=(",", ":")).encode()
        except ValueError:  # NaN or inf (a diverged network's numbers): JSON has no word
            data = json.dumps(_finite(obj), allow_nan=False, separators=(",", ":")).encode()
        self._send(status, data, "application/json")


def _finite(obj: Any) -> Any:
    """``obj`` with every NaN or infinite float replaced by None (JSON's null): JSON has
    no NaN or Infinity, and the page's ``JSON.parse`` refuses them."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    return obj


def _shorten(message: str, limit: int = 400) -> str:
    """An error message cut to ``limit`` characters: its field and what is allowed come
    first, the value given last (which may be a 60 KiB list)."""
    return message if len(message) <= limit else message[: limit - 1] + "…"


def _split_host(value: str) -> tuple[str, int] | None:
    """A ``Host`` header's host (lower case; an IPv6 address in its brackets) and port, 80
    where it gives none or an empty one (RFC 9110 7.2, RFC 3986 3.2.3); None where it is
    malformed."""
    value = value.strip().lower()
    if value.startswith("["):
        name, sep, rest = value.partition("]")
        name += sep
        if not sep or (rest and not rest.startswith(":")):
            return None
        port = rest[1:]
    else:
        name, _, port = value.partition(":")
        if ":" in port:
            return None
    if not name or not re.fullmatch(r"[0-9]{0,5}", port):
        return None
    return name, int(port) if port else 80


def _is_ip(name: str) -> bool:
    """Whether a Host's host is an IP address (an IPv6 one in brackets), not a name."""
    try:
        if name.startswith("["):
            ipaddress.IPv6Address(name[1:-1])
        else:
            ipaddress.IPv4Address(name)
    except ValueError:
        return False
    return True


def _same_origin(origin: str, host: str) -> bool:
    """Whether an ``Origin`` header is the page's own: http:// and the Host's host and port
    (a browser leaves port 80 out of both, or writes it in one only)."""
    if not origin.lower().startswith("http://"):
        return False
    mine = _split_host(host)
    return mine is not None and _split_host(origin[len("http://") :]) == mine


def lan_addresses() -> list[str]:
    """This computer's IPv4 addresses on its networks (not loopback), which the other
    computers of a room open the playground by: the source address the system would use
    toward a few private and public networks (a UDP socket's connect() sends nothing)."""
    found: list[str] = []
    for target in ("198.51.100.254", "10.254.254.254", "172.31.254.254", "192.168.254.254"):
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.connect((target, 9))
                ip = s.getsockname()[0]
        except OSError:  # no route that way
            continue
        addr = ipaddress.IPv4Address(ip)
        if not (addr.is_loopback or addr.is_unspecified) and ip not in found:
            found.append(ip)
    return found


class _Unreadable(ValueError):
    """Why a request's JSON cannot be read, in glassnet's own words."""


def _no_constant(name: str) -> Any:
    raise _Unreadable(
        f"the body is not valid JSON: {name} is not a number JSON allows; give a finite number"
    )


def _json_int(text: str) -> int:
    """A JSON integer, or the reason it is not one: int() refuses one of more than
    sys.get_int_max_str_digits() digits with advice for Python's callers (before Python
    3.10.7, which has no such function, int() has no limit: 0)."""
    limit = getattr(sys, "get_int_max_str_digits", lambda: 0)()
    size = len(text.lstrip("-"))
    if limit and size > limit:
        raise _Unreadable(
            f"the body's JSON has a number of {size} digits (an integer may have at most "
            f"{limit}); give a smaller number"
        )
    return int(text)


def _distinct(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    try:
        return distinct_keys(pairs)
    except ValueError as exc:  # its own message, short (the key shown to 60 characters)
        raise _Unreadable(f"the body's JSON has a {exc}; give each key once") from None


def _read_json(raw: bytes) -> Any:
    """A request's body read as JSON, or a 400 that says what was wrong and what to send
    (never a Python exception's text, which was cut at 100 characters mid-word)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RequestError(
            400,
            f"the body is not UTF-8 text (byte 0x{raw[exc.start]:02x} at position {exc.start}); "
            "send the JSON encoded as UTF-8",
        ) from None
    # a byte-order mark before the JSON (Windows' editors, PowerShell) may be ignored (RFC
    # 8259 8.1); json.loads refused it with advice for Python's callers (utf-8-sig)
    text = text.removeprefix("\ufeff")
    try:
        return json.loads(
            text, parse_constant=_no_constant, parse_int=_json_int, object_pairs_hook=_distinct
        )
    except json.JSONDecodeError as exc:  # (json's own message is short and whole)
        said = "a second byte-order mark (U+FEFF)" if "BOM" in exc.msg else exc.msg
        raise RequestError(
            400,
            f"the body is not valid JSON: {said} at line {exc.lineno} column {exc.colno}; "
            'send one JSON object, such as {"config": {"lr": 0.03}}',
        ) from None
    except RecursionError:
        raise RequestError(
            400,
            "the body's JSON nests too deeply (arrays or objects within each other, thousands "
            "of levels); send one JSON object of settings",
        ) from None
    except _Unreadable as exc:
        raise RequestError(400, str(exc)) from None
    except ValueError:  # (no other is known: said in glassnet's words all the same)
        raise RequestError(
            400, 'the body is not valid JSON; send one JSON object, such as {"config": {}}'
        ) from None


# =====================================================================================
# Routes
# =====================================================================================
def _page(h: _Handler, query: dict, body: dict) -> None:
    name, ctype = STATIC[urlsplit(h.path).path]
    data = _static(name)
    if name == "index.html":
        data = data.replace(b"{{TOKEN}}", h.playground.token.encode())
        # the page opened as a file (no server) says to run glassnet playground, and hides
        # the rest: served, that sentence and the hiding go
        data = re.sub(rb"<!--file-only-->.*?<!--/file-only-->", b"", data, flags=re.S)
        # its style and script: comments in the file (opened as one, the browser asked for
        # /static/... on the disk and logged two errors), tags when served
        data = re.sub(rb"<!--if-served (.*?) /if-served-->", rb"\1", data, flags=re.S)
    h._send(200, data, ctype)


def _fields(body: dict, allowed: tuple[str, ...]) -> None:
    unknown = [str(k)[:40] for k in body if k not in allowed]
    if unknown:
        raise RequestError(400, f"unknown field(s) {unknown[:5]}; this call takes {list(allowed)}")


def _one(query: dict[str, list[str]], name: str, default: str | None = None) -> str | None:
    """The one value of the URL's field ``name`` (``default`` when it is absent)."""
    values = query.get(name, [default])
    if len(values) > 1:
        raise RequestError(400, f"the URL gives {name!r} {len(values)} times; give it once")
    return values[0]


def _view(run: Run, history: bool | int = True, side: bool = True) -> dict[str, Any]:
    """A frame, and with ``side`` the side panels (the hidden-layer table and space), all
    of one step: under the run's lock throughout (each takes it, but between them another
    client's /api/train could step the run, giving a frame of one step, panels of a later
    one). The lock is re-entrant, so a route that changes the run holds it over the change
    and this view too (the view shows that change, not another client's after it)."""
    with run.lock:
        view: dict[str, Any] = {"frame": run.frame(history)}
        if side:
            view.update(hidden_space=run.hidden_space(), table=run.table())
        return view


def _api_run(h: _Handler, query: dict, body: dict) -> None:
    _fields(body, ("config", "replaces", "changes", "supersedes"))
    pg = h.playground
    rid, run = pg.new_run(
        body.get("config", {}), body.get("replaces", []), body.get("changes"),
        body.get("supersedes", []),
    )  # fmt: skip
    # runs: the limit, for the page to show, and the runs this new one pushed out
    runs = {**pg.runs_info(), "dropped_now": pg.last_dropped}
    with run.lock:  # config: the settings in force (a link's changes at step 0 applied);
        # initial: those the run started with (its link's)
        answer = {"run": rid, "config": run.config, "initial": run.initial, "data": run.data()}
        h._send_json({**answer, "runs": runs, **_view(run)})


def _api_drop(h: _Handler, query: dict, body: dict) -> None:
    _fields(body, ("runs",))
    h._send_json({"dropped": h.playground.drop(body.get("runs"))})


def _api_train(h: _Handler, query: dict, body: dict) -> None:
    _fields(body, ("run", "epochs", "side"))
    run = h.playground.run_of(body.get("run"))
    epochs = check_number(
        body.get("epochs", 1), "epochs", "train", low=1, high=LIMITS["epochs_per_request"],
        integer=True,
    )  # fmt: skip
    per_epoch = math.ceil(len(run.train_idx) / run.config["batch_size"])
    if epochs * per_epoch > MAX_UPDATES:
        raise RequestError(
            400, f"{epochs} epochs are {epochs * per_epoch} steps; ask for at most {MAX_UPDATES}"
        )
    side = check_bool(body.get("side", True), "side", "train")
    with run.lock:  # (the view of these epochs, not of another client's after them)
        records = run.records
        try:
            # epoch by epoch: a client gone (a tab closed, a script stopped) ends the training
            # at the epoch's end (its request held the run's lock until every epoch was done)
            for done in range(1, epochs + 1):
                run.train(1)
                if done < epochs and _client_gone(h):
                    break
        except Diverged:
            pass  # the frame says so ("diverged"), and shows where the run stopped
        if _client_gone(h):
            h.close_connection = True  # (no one to answer)
            return
        # the loss points these epochs recorded (one an epoch, and a diverging one's climb)
        new = min(run.records - records, len(run.history))
        view = _view(run, history=max(1, new), side=side)
    h._send_json(view)  # the page appends the loss points (sent outside the lock)


def _client_gone(h: _Handler) -> bool:
    """Whether the client of ``h``'s request has gone (closed the connection, or reset it).
    A request sent after this one (keep-alive) is data to read, not a close. The end of what
    it sends (nothing more to read) is a close, or a half-close (shutdown(SHUT_WR): nc -N,
    socat, a script that then reads the answer), which only a write tells apart: the first
    time, an interim ``100 Continue`` is sent (HTTP/1.1 clients skip it), which a closed
    client's system answers with a reset, seen at the next check. A client still listening
    gets its answer and all its epochs."""
    sock = h.connection
    try:
        if sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
            return True  # (reset: the probe's answer, or the client's own)
        readable, _, _ = select.select([sock], [], [], 0)
        if not readable or sock.recv(1, socket.MSG_PEEK) != b"":
            return False
        if not h._probed and h.request_version == "HTTP/1.1":
            h._probed = True
            sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        return False
    except (OSError, ValueError):  # reset, or closed here
        return True


def _api_view(h: _Handler, query: dict, body: dict) -> None:
    """The run as it stands, with the side panels: the page asks for it when play stops
    (while playing it gets the side panels at most 4 times a second, so its last ones may
    be from an earlier epoch than the counter's)."""
    _fields(body, ("run",))
    run = h.playground.run_of(body.get("run"))
    h._send_json(_view(run, history=False))


def _api_step(h: _Handler, query: dict, body: dict) -> None:
    _fields(body, ("run",))
    run = h.playground.run_of(body.get("run"))
    with run.lock:  # (the view of this step, not of another client's after it)
        try:
            update = run.step()
        except Diverged:
            update = None  # not taken; the frame's "diverged" says why
        view = _view(run)
    h._send_json({"update": update, **view})


def _api_settings(h: _Handler, query: dict, body: dict) -> None:
    _fields(body, ("run", "lr", "regularization", "reg_rate"))
    # the run first: a body without it (or with an unknown one) is told so, not only on a
    # second try once a setting is added
    run = h.playground.run_of(body.get("run"))
    if set(body) <= {"run"}:  # (a silent 200 that changed nothing)
        raise RequestError(
            400,
            "/api/settings needs at least one of 'lr', 'regularization' and 'reg_rate' beside "
            "'run'; got none, so nothing would change",
        )
    with run.lock:
        dropped = run.set_training({k: v for k, v in body.items() if k != "run"})
        answer: dict[str, Any] = {"config": run.config, "replay": run.replay_state()}
        # the record's first changes, as frames carry them (the page's link)
        answer.update(run.link_changes())
    if dropped:  # a change of the user's own dropped a link's changes still to replay
        answer["replay_dropped"] = dropped
    h._send_json(answer)


def _api_weight(h: _Handler, query: dict, body: dict) -> None:
    _fields(body, ("run", "target", "value"))
    run = h.playground.run_of(body.get("run"))
    with run.lock:  # (the view of this weight, not of another client's step after it)
        dropped = run.set_weight(body.get("target"), body.get("value"))
        view = _view(run)
    if dropped:  # a change of the user's own dropped a link's changes still to replay
        view["replay_dropped"] = dropped
    h._send_json(view)


def _api_explain(h: _Handler, query: dict, body: dict) -> None:
    _fields(body, ("run", "point", "target"))
    run = h.playground.run_of(body.get("run"))
    h._send_json(run.explain(body.get("point", 0), body.get("target")))


def _api_state(h: _Handler, query: dict, body: dict) -> None:
    run = h.playground.run_of(_one(query, "run"))
    with run.lock:
        h._send_json(
            {
                "config": run.config,
                "epoch": run.epoch,
                "step": run.step_count,
                "names": run.parameter_names(),
                "parameters": run.parameters().tolist(),
                "W": [lay.W.tolist() for lay in run.layers],
                "b": [lay.b.tolist() for lay in run.layers],  # type: ignore[union-attr]
                "changes": run.changes,  # (by step: what a link or the script replays)
            }
        )


def _api_previews(h: _Handler, query: dict, body: dict) -> None:
    h._send_json(previews())


def _download(h: _Handler, data: bytes, ctype: str, filename: str) -> None:
    h._send(200, data, ctype, {"Content-Disposition": f'attachment; filename="{filename}"'})


def _api_export(h: _Handler, query: dict, body: dict) -> None:
    run = h.playground.run_of(_one(query, "run"))
    what = check_choice(_one(query, "what", "model"), "what", "export", ("model", "script", "data"))
    # the data's rows: all (the split not said: a column would be a feature to evaluate), or
    # the train or test rows alone, whose `glassnet evaluate` is the page's accuracy
    rows = check_choice(_one(query, "rows", "all"), "rows", "export", ("all", "train", "test"))
    if "rows" in query and what != "data":
        raise RequestError(400, f"'rows' chooses the data's rows (what=data), not the {what}'s")
    with run.lock:
        if what == "model":
            try:
                data = model_bytes(run)
            except ImportError as exc:  # safetensors missing: said, as glassnet train says it
                raise RequestError(501, str(exc)) from None  # (not an internal error)
            _download(h, data, "application/octet-stream", "playground.glassnet")
        elif what == "script":
            _download(h, run.script().encode(), "text/x-python; charset=utf-8", "playground_run.py")
        else:
            name = "playground_data.csv" if rows == "all" else f"playground_{rows}.csv"
            _download(h, data_csv(run, rows).encode(), "text/csv; charset=utf-8", name)


#: The URL fields each API GET takes besides ``token`` (another is refused, naming it).
QUERY_FIELDS: dict[str, tuple[str, ...]] = {
    "/api/state": ("run",),
    "/api/previews": (),
    "/api/export": ("run", "what", "rows"),
}

ROUTES: dict[str, tuple[str, Callable[[_Handler, dict, dict], None]]] = {
    **{path: ("GET", _page) for path in STATIC},
    "/api/run": ("POST", _api_run),
    "/api/drop": ("POST", _api_drop),
    "/api/train": ("POST", _api_train),
    "/api/step": ("POST", _api_step),
    "/api/view": ("POST", _api_view),
    "/api/settings": ("POST", _api_settings),
    "/api/explain": ("POST", _api_explain),
    "/api/weight": ("POST", _api_weight),
    "/api/state": ("GET", _api_state),
    "/api/previews": ("GET", _api_previews),
    "/api/export": ("GET", _api_export),
}
