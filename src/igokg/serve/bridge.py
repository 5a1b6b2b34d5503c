"""ASGI on a connection's thread: how the HTTP front (protocol.py) runs the Starlette app.

Input: one parsed request (method, URL, headers, body) on a connection. Output: the app's
response written to the connection (Content-Length as the app gives it, else chunked;
no body for HEAD), and whether the connection can serve another request.

Each connection that needs the app gets its own event loop, on its own thread, made on
its first such request. So `send` may write to the socket directly (blocking only this
connection: a slow reader holds nobody else), and nothing crosses threads. Pages and
files are not the hot path; the SPARQL queries never come here (except a HEAD).
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import unquote

from igokg.serve.wire import date_header, status_line

#: protocol.Connection (not imported: the front imports this module): its `sock`, `addr`,
#: `front.server` and `plain(status, message)` are used here.
Connection = Any

_NO_BODY = {204, 304}


class Bridge:
    def __init__(self, app, conn: Connection) -> None:
        self.app = app
        self.conn = conn
        self.loop: asyncio.AbstractEventLoop | None = None

    def run(self, method: str, url: bytes, headers: list[tuple[bytes, bytes]], body: bytes, version: str,
            keep: bool) -> bool:
        """Answer one request through the app; True when the connection may be reused."""
        raw_path, _, qs = url.partition(b"?")
        raw_path = raw_path.partition(b"#")[0]
        path = raw_path.decode("latin-1")
        if "%" in path:
            path = unquote(path)
        scope = {
            "type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": version,
            "server": self.conn.front.server, "client": self.conn.addr, "scheme": "http", "method": method,
            "root_path": "", "path": path, "raw_path": raw_path, "query_string": qs, "headers": headers, "state": {},
        }
        if self.loop is None:
            self.loop = asyncio.new_event_loop()
        exchange = _Exchange(self.conn, method == "HEAD", version, keep, body)
        try:
            self.loop.run_until_complete(exchange.run(self.app, scope))
        except OSError:
            return False
        return exchange.reusable()

    def close(self) -> None:
        if self.loop is not None:
            try:
                self.loop.run_until_complete(self.loop.shutdown_asyncgens())
            finally:
                self.loop.close()
            self.loop = None


class _Exchange:
    """One request and its response, as ASGI messages."""

    def __init__(self, conn: Connection, head: bool, version: str, keep: bool, body: bytes) -> None:
        self.conn = conn
        self.head = head
        self.version = version
        self.keep = keep
        self.body = body
        self.body_sent = False
        self.started = False
        self.complete = False
        self.chunked = False
        self.close = not keep
        self.status: int | None = None
        self.status_allows_body = True
        self.finished: asyncio.Future | None = None

    async def run(self, app, scope: dict) -> None:
        self.finished = asyncio.get_running_loop().create_future()
        try:
            await app(scope, self.receive, self.send)
        except OSError:
            raise
        except Exception as exc:  # noqa: BLE001 - a bug must not hang the client
            if not self.started:
                self.conn.plain(500, f"internal error: {type(exc).__name__}: {exc}")
            self.close = True
        finally:
            if not self.finished.done():
                self.finished.set_result(None)
        if not self.started:
            self.conn.plain(500, "internal error: the app gave no response")
            self.close = True
        elif not self.complete:
            self.close = True

    def reusable(self) -> bool:
        return not self.close

    async def receive(self) -> dict:
        if not self.body_sent:
            self.body_sent = True
            return {"type": "http.request", "body": self.body, "more_body": False}
        await self.finished  # nothing more comes: the client is "gone" once the response is out
        return {"type": "http.disconnect"}

    async def send(self, message: dict) -> None:
        kind = message["type"]
        if kind == "http.response.start":
            if self.started:
                raise RuntimeError("response already started")
            self.started = True
            self.status = message["status"]
            self.headers = list(message.get("headers", []))
            return
        if kind != "http.response.body" or not self.started or self.complete:
            raise RuntimeError(f"unexpected ASGI message {kind!r}")
        data = message.get("body", b"")
        more = message.get("more_body", False)
        out = []
        if self.status is not None:  # the head goes out with the first part of the body
            out.append(self._head(more))
            self.status = None
        if not self.head and self.status_allows_body:
            if self.chunked:
                if data:
                    out.append(b"%x\r\n%s\r\n" % (len(data), data))
                if not more:
                    out.append(b"0\r\n\r\n")
            elif data:
                out.append(data)
        if not more:
            self.complete = True
            self.finished.set_result(None)
        if out:
            self.conn.sock.sendall(b"".join(out))

    def _head(self, more: bool) -> bytes:
        status, headers = self.status, self.headers
        names = {k.lower() for k, _ in headers}
        self.status_allows_body = status not in _NO_BODY and status >= 200
        if b"connection" in names and any(k.lower() == b"connection" and v.lower() == b"close" for k, v in headers):
            self.close = True
        if self.status_allows_body and not self.head and b"content-length" not in names:
            if self.version == "1.1":
                self.chunked = True
                headers.append((b"transfer-encoding", b"chunked"))
            else:
                self.close = True  # HTTP/1.0 without a length: the end of the body is the end of the connection
        parts = [status_line(status), date_header()]
        parts += [k + b": " + v + b"\r\n" for k, v in headers if k.lower() != b"connection"]
        parts.append(b"connection: close\r\n\r\n" if self.close else b"\r\n")
        return b"".join(parts)
