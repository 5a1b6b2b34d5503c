"""One HTTP request under a total deadline: the transport of the Wikidata client.

Input: a `urllib.request.Request` and a number of seconds. Output: status, headers and body,
or `DeadlineExceeded` once the seconds have passed, whatever the request was doing then.

urllib's `timeout` (like every Python HTTP library's) bounds each socket operation, so a
server that sends one byte a second holds a request for as long as it likes. Here a
watchdog timer shuts down the request's sockets when the deadline passes — while it
connects, sends, waits for the headers or reads the body — and the request fails at once.
It holds a duplicate of each socket (`socket.dup`): shutting that down stops the kernel's
socket under any wrapper (TLS included), and its own file descriptor cannot be reused by
another file while the watchdog holds it. urllib stays underneath, so proxies from the
environment, redirects and TLS work as they do in urllib.
"""

from __future__ import annotations

import functools
import http.client
import socket
import threading
import time
import urllib.error
import urllib.request
from email.message import Message

__all__ = ["DeadlineExceeded", "fetch"]


class DeadlineExceeded(Exception):
    """The request did not complete within its deadline."""


class _Watchdog:
    """Shuts down every socket registered with it when its deadline passes."""

    def __init__(self, seconds: float) -> None:
        self.fired = False
        self._socks: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def __enter__(self) -> "_Watchdog":
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        with self._lock:
            for s in self._socks:
                s.close()
            self._socks.clear()

    def register(self, sock: socket.socket) -> socket.socket:
        dup = sock.dup()
        with self._lock:
            self._socks.append(dup)
            if self.fired:
                _shutdown(dup)
        return sock

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            for s in self._socks:
                _shutdown(s)


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed by its owner


def _watched(cls: type[http.client.HTTPConnection], watch: _Watchdog, *args, **kwargs) -> http.client.HTTPConnection:
    conn = cls(*args, **kwargs)
    # http.client opens every socket (plain, proxied, before TLS) through this attribute.
    create = conn._create_connection  # type: ignore[attr-defined]
    conn._create_connection = lambda *a, **k: watch.register(create(*a, **k))  # type: ignore[attr-defined]
    return conn


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, watch: _Watchdog) -> None:
        super().__init__()
        self.watch = watch

    def http_open(self, req: urllib.request.Request):
        return self.do_open(functools.partial(_watched, http.client.HTTPConnection, self.watch), req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, watch: _Watchdog) -> None:
        super().__init__()
        self.watch = watch

    def https_open(self, req: urllib.request.Request):
        return self.do_open(functools.partial(_watched, http.client.HTTPSConnection, self.watch), req,
                            context=self._context)


def fetch(req: urllib.request.Request, seconds: float) -> tuple[int, Message, bytes]:
    """Send `req` and read the whole answer within `seconds` in all.

    Returns (status, headers, body) for every HTTP status, errors included. Raises
    `DeadlineExceeded`, or `OSError`/`http.client.HTTPException` when the connection fails.
    """
    started = time.monotonic()
    with _Watchdog(seconds) as watch:
        opener = urllib.request.build_opener(_HTTPHandler(watch), _HTTPSHandler(watch))
        try:
            try:
                with opener.open(req, timeout=seconds) as resp:
                    status, headers, body = resp.status, resp.headers, resp.read()
            except urllib.error.HTTPError as exc:
                status, headers = exc.code, exc.headers
                body = exc.read() if exc.fp is not None else b""
                exc.close()
        except (OSError, http.client.HTTPException) as exc:
            if watch.fired or _is_timeout(exc):
                raise DeadlineExceeded(f"no complete answer within {time.monotonic() - started:.3g}s") from None
            raise
        if watch.fired:  # the body may look complete when the server closes: it is not trusted
            raise DeadlineExceeded(f"no complete answer within {time.monotonic() - started:.3g}s")
    return status, headers, body


def _is_timeout(exc: BaseException) -> bool:
    reason = getattr(exc, "reason", None)
    return isinstance(exc, (socket.timeout, TimeoutError)) or isinstance(reason, (socket.timeout, TimeoutError))
