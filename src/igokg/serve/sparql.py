"""The SPARQL 1.1 Protocol at `/sparql`: parse a request, run it, shape the response.

Input: GET `?query=`, POST form (`query=`), POST `application/sparql-query`. Output: the
results in the negotiated format, or a one-line message with a 4xx/5xx status.

Two callers share this code. The serving processes' own HTTP front (protocol.py) calls
`handle` and `finish` straight from the connection's thread for every request that
carries a query: no ASGI scope or message dicts, no event loop, no thread hand-off on
the hot path. The same endpoint is also a plain ASGI callable (`__call__`), for what the
front hands to the Starlette app (a browser's `/sparql` without a query) and for any
other ASGI server; there the blocking part runs on a thread pool.
"""

from __future__ import annotations

import asyncio
import gzip
from binascii import a2b_qp
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import unquote_to_bytes

from igokg.serve.cache import ResultCache
from igokg.serve.execute import Reply, Runner
from igokg.serve.files import INCOMPRESSIBLE
from igokg.serve.headers import COMMON
from igokg.serve.negotiate import (
    _GRAPH_OFFERS,
    _RESULT_OFFERS,
    FORMAT_PARAM,
    negotiate,
    wants_page,
)
from igokg.serve.settings import ServeSettings
from igokg.serve.wire import date_header, header_lines, status_line

Headers = list[tuple[bytes, bytes]]
_BASE_HEADERS: Headers = [(b"access-control-allow-origin", b"*"), *COMMON]
_VARY: Headers = [(b"vary", b"Accept, Accept-Encoding")]
_TEXT = "text/plain; charset=utf-8"
_CHARSET = ("text/csv", "text/tab-separated-values", "text/turtle", "application/n-triples", "text/plain")
_CTYPES: dict[str, bytes] = {}
_HEADS: dict[tuple[int, str, bool], bytes] = {}
_FORMATS: dict[bytes, tuple[bool, str | None, str | None]] = {}
#: The request headers this endpoint reads.
WANTED = frozenset({b"accept", b"accept-encoding", b"content-type", b"content-length"})


class SparqlEndpoint:
    def __init__(self, settings: ServeSettings, runner: Callable[[], Runner | None], front: Callable) -> None:
        self.settings = settings
        self.runner = runner
        self.front = front  # async (scope, query or None, accept) -> reply: the pages and the service description
        self.cache = ResultCache(settings.cache_bytes)
        self._cache = self.cache if settings.cache_bytes else None
        self._pool: ThreadPoolExecutor | None = None

    # the request, on the caller's thread ------------------------------------------------
    def handle(self, method: str, qs: bytes, headers: dict[bytes, bytes], body: bytes | None, client: str,
               gone: Callable[[], bool] | None = None, on_overrun: Callable[[bytes], None] | None = None) -> Reply | None:
        """One request whose body has been read: its reply, None when it overran and
        `on_overrun` answered the client, or `("front", …)` when it is for the app's pages
        (the caller hands it to the app)."""
        parsed = self.parse(method, qs, headers, body)
        if parsed[0] != "query":
            return parsed
        return self.run(parsed, client, gone, on_overrun)

    def run(self, msg: tuple, client: str, gone: Callable[[], bool] | None = None,
            on_overrun: Callable[[bytes], None] | None = None) -> Reply | None:
        cache = self._cache
        if cache is not None:
            cached = cache.get(msg)
            if cached is not None:
                return (*cached, [])
        runner = self.runner()
        if runner is None:
            return 503, _TEXT, b"the store is not open yet; try again in a moment\n", [(b"retry-after", b"1")]
        reply = runner.run(client, msg, gone, on_overrun)
        if cache is not None and reply is not None and reply[0] == 200:
            cache.put(msg, reply[:3])
        return reply

    def parse(self, method: str, qs: bytes, headers: dict[bytes, bytes], body: bytes | None):
        """The request as `("query", text, result media, graph media)`, `("front", query or
        None, accept)` for the app's pages (editor, results page, Service Description), or a
        finished reply."""
        if method == "GET" and qs[:6] == b"query=" and qs.find(b"&") < 0:  # the common request: one query, no options
            return self._query(unquote(qs[6:]), headers.get(b"accept", b""))
        params = _params(qs)
        if method == "POST":
            ctype = headers.get(b"content-type", b"").decode("latin-1").split(";")[0].strip().lower()
            body = body or b""
            if ctype == "application/sparql-update":
                return _read_only()
            if ctype == "application/x-www-form-urlencoded":
                for k, vs in _params(body).items():
                    params.setdefault(k, []).extend(vs)
            elif ctype == "application/sparql-query":
                params.setdefault("query", []).append(body.decode("utf-8", "replace"))
            else:
                return _reply(415, "POST a form (application/x-www-form-urlencoded) or a query (application/sparql-query)")
        if "update" in params:
            return _read_only()
        queries = params.get("query", [])
        accept = headers.get(b"accept", b"")
        if not queries:
            return ("front", None, accept.decode("latin-1") or None)  # editor, service description
        if len(queries) > 1:
            return _reply(400, "more than one query parameter")
        if params.get("default-graph-uri") or params.get("named-graph-uri"):
            return _reply(400, "default-graph-uri and named-graph-uri are not supported: everything is in the default graph")
        if params.get("format"):  # (it overrides Accept, and asks for data, not a page)
            named = params["format"][0]
            return ("query", queries[0], *_negotiated(FORMAT_PARAM.get(named.lower(), named).encode("latin-1", "replace"))[1:])
        return self._query(queries[0], accept)

    @staticmethod
    def _query(text: str, accept: bytes) -> tuple:
        """A query with this `Accept`: the request tuple, or the app's results page for a browser."""
        page, result_media, graph_media = _negotiated(accept)
        if page:
            return ("front", text, accept.decode("latin-1"))
        return ("query", text, result_media, graph_media)

    def response(self, reply: Reply, accept_encoding: bytes | None, close: bool) -> bytes:
        """The whole HTTP/1.1 response as bytes (the front's hot path): what `finish` gives,
        from a head made once per status and media type."""
        status, ctype, body, extra = reply
        gz = (len(body) > 1024 and accept_encoding is not None and b"gzip" in accept_encoding
              and not ctype.startswith(INCOMPRESSIBLE))
        if gz:
            body = gzip.compress(body, compresslevel=5, mtime=0)
        head = _HEADS.get((status, ctype, gz))
        if head is None:
            out = self.finish((status, ctype, b"", []), None)[1][:-1]  # (without its content-length)
            head = _HEADS.setdefault((status, ctype, gz), status_line(status) + header_lines(
                out + ([(b"content-encoding", b"gzip")] if gz else [])))
        return b"".join((head, date_header(), header_lines(extra) if extra else b"", b"content-length: ",
                         str(len(body)).encode(), b"\r\nconnection: close\r\n\r\n" if close else b"\r\n\r\n", body))

    def finish(self, reply: Reply, accept_encoding: bytes | None) -> tuple[int, Headers, bytes]:
        """The response: status, headers (CORS, security, Vary, gzip when it pays, length), body."""
        status, ctype, body, extra = reply
        ctype_b = _CTYPES.get(ctype)
        if ctype_b is None:
            ctype_b = _CTYPES.setdefault(ctype, (ctype + "; charset=utf-8" if ctype in _CHARSET else ctype).encode())
        out: Headers = [(b"content-type", ctype_b), *_BASE_HEADERS, *extra]
        if status == 200:
            out += _VARY
        if (len(body) > 1024 and accept_encoding is not None and b"gzip" in accept_encoding
                and not ctype.startswith(INCOMPRESSIBLE)):
            body = gzip.compress(body, compresslevel=5, mtime=0)
            out.append((b"content-encoding", b"gzip"))
        out.append((b"content-length", str(len(body)).encode()))
        return status, out, body

    # ASGI ---------------------------------------------------------------------------------
    async def __call__(self, scope: dict, receive, send) -> None:
        headers: dict[bytes, bytes] = {k: v for k, v in scope["headers"] if k in WANTED}
        method = scope["method"]
        try:
            reply = await self._asgi_reply(method, scope, headers, receive)
        except Exception as exc:  # a bug must not hang the client
            reply = 500, _TEXT, f"internal error: {type(exc).__name__}: {exc}\n".encode(), []
        status, out, body = self.finish(reply, headers.get(b"accept-encoding"))
        await send({"type": "http.response.start", "status": status, "headers": out})
        await send({"type": "http.response.body", "body": b"" if method == "HEAD" else body})

    async def _asgi_reply(self, method: str, scope: dict, headers: dict[bytes, bytes], receive) -> Reply:
        body = None
        if method == "POST":
            length = headers.get(b"content-length", b"")
            if length.isdigit() and int(length) > self.settings.max_body:
                return _reply(413, f"request body larger than {self.settings.max_body} bytes")
            body = await _read_body(receive, self.settings.max_body, self.settings.header_timeout)
            if body is None:
                return _reply(413, f"request body larger than {self.settings.max_body} bytes")
            if body is _SLOW:
                return _reply(408, f"request body not received within {self.settings.header_timeout:g} s")
        parsed = self.parse(method, scope.get("query_string", b""), headers, body)
        if parsed[0] == "front":
            return await self.front(scope, *parsed[1:])
        if parsed[0] != "query":
            return parsed
        return await self.answer(scope, parsed, receive)

    async def answer(self, scope: dict, msg: tuple, receive=None) -> Reply:
        """Run a request tuple on the thread pool (from an event loop); its reply."""
        loop = asyncio.get_running_loop()
        overrun: asyncio.Future = loop.create_future()

        def on_overrun(message: bytes) -> None:
            loop.call_soon_threadsafe(lambda: overrun.done() or overrun.set_result((503, _TEXT, message, [])))

        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.settings.slots + 4, thread_name_prefix="igokg-query")
        client = scope.get("client")
        job = loop.run_in_executor(self._pool, self.run, msg, client[0] if client else "?", None, on_overrun)
        await asyncio.wait((job, overrun), return_when=asyncio.FIRST_COMPLETED)
        if overrun.done():
            return overrun.result()
        reply = job.result()
        return reply if reply is not None else await overrun


def _negotiated(accept: bytes) -> tuple[bool, str | None, str | None]:
    """For an `Accept` header: (a browser wanting the results page, results media, graph media).
    Clients send few distinct headers: each is negotiated once (a bounded table)."""
    found = _FORMATS.get(accept)
    if found is None:
        text = accept.decode("latin-1") or None
        if len(_FORMATS) >= 1024:
            _FORMATS.clear()
        any_ = text or "*/*"
        found = _FORMATS[accept] = (wants_page(text), negotiate(any_, _RESULT_OFFERS), negotiate(any_, _GRAPH_OFFERS))
    return found


def _params(qs: bytes) -> dict[str, list[str]]:
    """`application/x-www-form-urlencoded` (a query string or a form body), every value kept."""
    params: dict[str, list[str]] = {}
    for part in qs.split(b"&"):
        if part:
            k, _, v = part.partition(b"=")
            params.setdefault(unquote(k), []).append(unquote(v))
    return params


def unquote(value: bytes) -> str:
    """Percent-decoding, `+` as space, as UTF-8.

    binascii's quoted-printable decoder does it in C once `%` is its `=` (and `=` its
    `=3D`): some 20× faster than urllib's on a 4 kB query, which costs urllib more than
    running many queries. A malformed escape (`%zz`, a lone `%`) goes urllib's way: the
    decoder keeps it as it is, so the text comes out longer than n escapes make it
    (`len - 2n`) — except a `%` before a line break, a soft break to the decoder, hence
    no line break either (none is in a URL; tests/serve/test_sparql.py tries every short string).
    """
    value = value.replace(b"+", b" ")
    n = value.count(b"%")
    if not n:
        return value.decode("utf-8", "replace")
    decoded = a2b_qp(value.replace(b"=", b"=3D").replace(b"%", b"="))
    if len(decoded) == len(value) - 2 * n and value.find(b"\n") < 0 and value.find(b"\r") < 0:
        return decoded.decode("utf-8", "replace")
    return unquote_to_bytes(value).decode("utf-8", "replace")


def _reply(status: int, message: str) -> Reply:
    return status, _TEXT, (message + "\n").encode(), []


def _read_only() -> Reply:
    return _reply(403, "this endpoint is read-only: SPARQL Update is not accepted here")


_SLOW: bytes = object()  # type: ignore[assignment]  # a sentinel, not a body


async def _read_body(receive, limit: int, deadline: float) -> bytes | None:
    """The request body; None past `limit` bytes, `_SLOW` when it takes over `deadline` seconds."""

    async def read() -> bytes | None:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return None
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        return b"".join(chunks)

    try:
        return await asyncio.wait_for(read(), deadline)
    except asyncio.TimeoutError:
        return _SLOW
