"""The HTTP/1.1 front of a serving process: a thread per connection, queries answered on it.

Input: the listening socket (shared by the serving processes), the SPARQL endpoint, the
ASGI app. Output: HTTP/1.1 responses; requests that carry a SPARQL query are answered by
the endpoint on the connection's own thread, everything else by the Starlette app
(bridge.py).

Why threads, not an event loop: measured on this machine (docs/serve.md), a thread per
connection with blocking sockets answered an entity lookup with about as little CPU as
uvloop answering it inline in its callback, and it never blocks other connections: the
query runs on the connection's thread with the GIL released, so two queries evaluate on
two cores, and a slow one delays nobody else. An event loop must hand each query to a
thread and back (two wake-ups; 1.5–3× the CPU per small request) or risk stalling every
connection behind one slow query. Oxigraph's own server is built the same way.

Limits kept here (the same as before, see docs/serve.md): a request's headers must be
complete within `header_timeout` seconds of the connection opening or of the request's
first byte, and a body within `header_timeout` of its headers (else the connection is
closed, a slow body gets 408); an idle keep-alive connection is closed after
`keepalive_timeout`; bodies over `max_body` get 413; a client that reads nothing of its
answer for `_SEND_TIMEOUT` seconds is dropped. Sockets wake every `_TICK` seconds to look
at these deadlines (SO_RCVTIMEO), so no timer costs anything per request.
"""

from __future__ import annotations

import errno
import select
import socket
import struct
import threading
import time
from collections.abc import Callable

import httptools

from igokg.serve.bridge import Bridge
from igokg.serve.sparql import WANTED, SparqlEndpoint
from igokg.serve.wire import render_head

_TICK = 0.5
#: Seconds a serving process waits, per connection it holds (up to 4), before it takes a new one.
_SPREAD = 0.0005
_SEND_TIMEOUT = 30
_RECV = 65536
_IDLE, _HEADERS, _BODY = 0, 1, 2
#: Bytes of request line and headers accepted (a GET may carry a long query).
_HEAD_LIMIT_EXTRA = 64 << 10
_TEXT = b"text/plain; charset=utf-8"
_COMMON = b"x-content-type-options: nosniff\r\nreferrer-policy: strict-origin-when-cross-origin\r\n"


def _timeval(seconds: float) -> bytes:
    return struct.pack("ll", int(seconds), int((seconds % 1) * 1_000_000))


class Front:
    """Accepts connections on the shared socket; each gets a thread (`Connection`)."""

    def __init__(self, sock: socket.socket, app: Callable, endpoint: SparqlEndpoint, header_timeout: float,
                 keepalive_timeout: float, max_body: int, max_connections: int = 1024, spread: bool = False) -> None:
        self.sock = sock
        self.app = app
        self.endpoint = endpoint
        self.header_timeout = header_timeout
        self.keepalive_timeout = keepalive_timeout
        self.max_body = max_body
        self.max_connections = max_connections
        self.spread = spread  # other serving processes share the socket
        self.retiring = False
        self.connections: set[Connection] = set()
        self._cv = threading.Condition()
        self.server = sock.getsockname()[:2]

    def start(self) -> None:
        # Non-blocking, with a poll before accept: another serving process may take a
        # connection first (EAGAIN), and retiring is seen in time.
        self.sock.setblocking(False)
        threading.Thread(target=self._accept, name="igokg-accept", daemon=True).start()

    def _accept(self) -> None:
        poller = select.poll()
        poller.register(self.sock, select.POLLIN)
        while not self.retiring:
            with self._cv:
                while len(self.connections) >= self.max_connections and not self.retiring:
                    self._cv.wait(_TICK)
            if not poller.poll(_TICK * 1000):
                continue
            if self.spread and self.connections:
                # Every serving process is woken for a new connection. One that already holds
                # connections lets a less busy one take it first (a keep-alive connection stays
                # where it lands): the threads of one process share its GIL, so connections
                # crowded into one process wait for each other while another process idles.
                time.sleep(_SPREAD * min(len(self.connections), 4))
            try:
                sock, addr = self.sock.accept()
            except (TimeoutError, BlockingIOError, InterruptedError):
                continue
            except OSError as exc:
                if exc.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM):
                    time.sleep(0.05)  # out of descriptors or memory: let connections end first
                continue
            sock.setblocking(True)  # (the deadlines are socket options: SO_RCVTIMEO, SO_SNDTIMEO)
            conn = Connection(self, sock, addr)
            with self._cv:
                self.connections.add(conn)
            threading.Thread(target=conn.serve, name="igokg-conn", daemon=True).start()

    def _done(self, conn: Connection) -> None:
        with self._cv:
            self.connections.discard(conn)
            self._cv.notify_all()

    def retire(self) -> None:
        """Accept nothing more; idle connections close at their next tick, busy ones after their answer."""
        self.retiring = True

    def drain(self, timeout: float) -> None:
        """Wait until every connection has closed, except those held by a runaway query."""
        deadline = time.monotonic() + timeout
        with self._cv:
            while any(not c.runaway for c in self.connections):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                self._cv.wait(min(remaining, _TICK))


class Connection:
    """One client connection: parse requests (httptools), answer them, honour the deadlines."""

    def __init__(self, front: Front, sock: socket.socket, addr) -> None:
        self.front = front
        self.sock = sock
        self.addr = addr
        self.client = addr[0] if addr else "?"
        self.parser = httptools.HttpRequestParser(self)
        self.state = _IDLE
        self.deadline = time.monotonic() + front.header_timeout  # the first request's headers
        self.head_bytes = 0
        self.answered = 0
        self.closing = False
        self.rejected = False  # answered before its body was read (413): drain, then close
        self.runaway = False
        self.url = b""
        self.qs = b""
        self.headers: list[tuple[bytes, bytes]] = []
        self.body: list[bytes] = []
        self.body_size = 0
        self.connection_header = False
        self.fast = False
        self.method = b""
        self.bridge = None

    # the connection's life -----------------------------------------------------------------
    def serve(self) -> None:
        sock = self.sock
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, _timeval(_TICK))
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, _timeval(_SEND_TIMEOUT))
            self._loop()
            if self.rejected:
                self._linger()
        except OSError:
            pass  # the client went away
        finally:
            if self.bridge is not None:
                self.bridge.close()
            try:
                sock.close()
            except OSError:
                pass
            self.front._done(self)

    def _loop(self) -> None:
        recv_into = self.sock.recv_into
        feed = self.parser.feed_data
        front = self.front
        buffer = bytearray(_RECV)  # one buffer for the connection's life (httptools copies what it keeps)
        view = memoryview(buffer)
        while not self.closing:
            try:
                n = recv_into(buffer)
            except BlockingIOError:  # a tick (SO_RCVTIMEO) without data
                if self.state == _IDLE and front.retiring:
                    return
                if time.monotonic() > self.deadline:
                    if self.state == _BODY:
                        self.plain(408, f"request body not received within {front.header_timeout:g} s")
                    return
                continue
            if not n:
                return
            data = view[:n]
            try:
                feed(data)
            except httptools.HttpParserUpgrade:
                self.plain(400, "protocol upgrades are not supported here")
                return
            except httptools.HttpParserError as exc:
                if not self.closing:
                    self.plain(400, f"malformed HTTP request: {exc}")
                return
            if self.state != _IDLE:
                if time.monotonic() > self.deadline:
                    if self.state == _BODY:
                        self.plain(408, f"request body not received within {front.header_timeout:g} s")
                    return
                if self.state == _HEADERS:
                    self.head_bytes += len(data)
                    if self.head_bytes > front.max_body + _HEAD_LIMIT_EXTRA:
                        self.plain(431, "request line and headers too large")
                        return

    def _linger(self) -> None:
        """After answering early (413), read and drop what the client still sends, briefly,
        so that closing does not reset the connection before the client reads the answer."""
        try:
            self.sock.shutdown(socket.SHUT_WR)
            end = time.monotonic() + 2
            while time.monotonic() < end and self.sock.recv(_RECV):
                pass
        except OSError:
            pass

    # httptools callbacks ---------------------------------------------------------------------
    def on_message_begin(self) -> None:
        self.state = _HEADERS
        if self.answered:  # (the first request's headers count from the connection's opening)
            self.deadline = time.monotonic() + self.front.header_timeout
        self.head_bytes = 0
        self.url = b""
        self.headers = []
        self.body = []
        self.body_size = 0
        self.connection_header = False

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        name = name.lower()
        if name == b"connection":
            self.connection_header = True
        self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        if self.closing:
            return
        self.state = _BODY
        front = self.front
        self.deadline = time.monotonic() + front.header_timeout  # for the body
        self.method = method = self.parser.get_method()
        path, _, self.qs = self.url.partition(b"?")
        # A request that carries a query is answered here; the rest (editor, pages, files,
        # CORS preflight) goes to the app.
        self.fast = path == b"/sparql" and (method == b"POST" or (method == b"GET" and self.qs.find(b"query=") >= 0))
        if method == b"GET":
            return  # no body to wait for
        for k, v in self.headers:
            if k == b"content-length" and v.isdigit() and int(v) > front.max_body:
                self.plain(413, f"request body larger than {front.max_body} bytes")
                self.rejected = self.closing = True
                return
            if k == b"expect" and v.lower() == b"100-continue":
                self.sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")

    def on_body(self, chunk: bytes) -> None:
        if self.closing:
            return
        self.body_size += len(chunk)
        if self.body_size > self.front.max_body:
            self.plain(413, f"request body larger than {self.front.max_body} bytes")
            self.rejected = self.closing = True
            return
        self.body.append(chunk)

    def on_message_complete(self) -> None:
        if self.closing:
            return
        self.state = _IDLE
        # HTTP/1.0 clients get one answer per connection (no keep-alive negotiation to get
        # wrong). Without a Connection header, llhttp already says "close" for HTTP/1.0.
        parser = self.parser
        keep = parser.should_keep_alive() and not self.front.retiring and (
            not self.connection_header or parser.get_http_version() == "1.1")
        ok = self._sparql(keep) if self.fast else self._app(keep)
        if not ok or not keep:
            self.closing = True
        self.answered += 1
        self.deadline = time.monotonic() + self.front.keepalive_timeout

    # answering ---------------------------------------------------------------------------------
    def _sparql(self, keep: bool) -> bool:
        endpoint = self.front.endpoint
        post = self.method == b"POST"
        headers = {k: v for k, v in self.headers if k in WANTED}
        try:
            reply = endpoint.handle("POST" if post else "GET", self.qs, headers, b"".join(self.body) if post else None,
                                    self.client, self.gone, self.overrun)
        except Exception as exc:  # noqa: BLE001 - a bug must not hang the client nor pass for bad HTTP
            reply = 500, "text/plain; charset=utf-8", f"internal error: {type(exc).__name__}: {exc}\n".encode(), []
        if reply is None:  # it overran: the watchdog answered and closed the connection; the thread is free again
            self.runaway = False
            return False
        if reply[0] == "front":  # a page (a browser's query, the editor): the app's
            return self._app(keep)
        self.sock.sendall(endpoint.response(reply, headers.get(b"accept-encoding"), not keep))
        return True

    def _app(self, keep: bool) -> bool:
        if self.bridge is None:
            self.bridge = Bridge(self.front.app, self)
        return self.bridge.run(self.method.decode("latin-1"), self.url, self.headers, b"".join(self.body),
                               self.parser.get_http_version(), keep)

    def plain(self, status: int, message: str, close: bool = True) -> None:
        body = (message + "\n").encode()
        head = render_head(status, [(b"content-type", _TEXT), (b"access-control-allow-origin", b"*"),
                                    (b"content-length", str(len(body)).encode())], close)
        try:
            self.sock.sendall(head[:-2] + _COMMON + b"\r\n" + body)
        except OSError:
            pass
        if close:
            self.closing = True

    def gone(self) -> bool:
        """Has the client closed its connection (while its query waits for a slot)?"""
        poller = select.poll()
        poller.register(self.sock, select.POLLIN | select.POLLRDHUP)
        events = poller.poll(0)
        if not events:
            return False
        if events[0][1] & (select.POLLHUP | select.POLLERR | select.POLLRDHUP):
            return True
        try:
            return self.sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
        except BlockingIOError:
            return False
        except OSError:
            return True

    def overrun(self, message: bytes) -> None:
        """From the watchdog: the query outlived the limit. Answer 503 now and close; the
        connection's thread stays in the query until the process ends."""
        self.runaway = True
        endpoint = self.front.endpoint
        status, out, payload = endpoint.finish((503, "text/plain; charset=utf-8", message, []), None)
        try:
            self.sock.send(render_head(status, out, True) + payload, socket.MSG_DONTWAIT)
        except OSError:
            pass
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
