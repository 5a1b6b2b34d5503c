"""The SPARQL 1.1 Protocol at `/sparql`, as a plain ASGI callable: the hot path.

Input: GET `?query=`, POST form (`query=`), POST `application/sparql-query`. Output: the
results in the negotiated format, or a one-line message with a 4xx/5xx status.

Why not a Starlette route: measured on this machine (docs/serve.md), a Starlette route
plus its middleware answered a small query at about half the requests/s of this plain
callable on the same uvicorn, and this path is what the throughput targets measure. The
rest of the server (pages, entity documents, files) is Starlette.
"""

from __future__ import annotations

import gzip
import json
from collections import OrderedDict
from typing import Callable
from urllib.parse import parse_qs

from igokg.serve.cache import ResultCache
from igokg.serve.execute import Runner
from igokg.serve.files import INCOMPRESSIBLE
from igokg.serve.headers import COMMON, html_headers
from igokg.serve.negotiate import _GRAPH_OFFERS, _RESULT_OFFERS, FORMAT_PARAM, _wants_html, negotiate
from igokg.serve.settings import ServeSettings

Headers = list[tuple[bytes, bytes]]
_BASE_HEADERS: Headers = [(b"access-control-allow-origin", b"*"), *COMMON]
_TEXT = "text/plain; charset=utf-8"
_CHARSET = ("text/csv", "text/tab-separated-values", "text/turtle", "application/n-triples", "text/plain")
_WANTED = {b"accept", b"accept-encoding", b"content-type", b"content-length"}


class SparqlEndpoint:
    def __init__(self, settings: ServeSettings, runner: Callable[[], Runner | None], editor: Callable[[], bytes]) -> None:
        self.settings = settings
        self.runner = runner
        self.editor = editor
        self.cache = ResultCache(settings.cache_bytes)
        self._seen: OrderedDict[tuple, tuple] = OrderedDict()

    async def __call__(self, scope: dict, receive, send) -> None:
        headers: dict[bytes, bytes] = {}
        for k, v in scope["headers"]:
            if k in _WANTED:
                headers[k] = v
        method = scope["method"]
        try:
            status, ctype, body, extra = await self.handle(method, scope, headers, receive)
        except Exception as exc:  # noqa: BLE001 - a bug must not hang the client
            status, ctype, body, extra = 500, _TEXT, f"internal error: {type(exc).__name__}: {exc}\n".encode(), []
        if ctype in _CHARSET:
            ctype += "; charset=utf-8"
        out: Headers = [(b"content-type", ctype.encode()), *_BASE_HEADERS, *extra]
        if status == 200:
            out.append((b"vary", b"Accept, Accept-Encoding"))
        if (len(body) > 1024 and b"gzip" in headers.get(b"accept-encoding", b"")
                and not ctype.startswith(INCOMPRESSIBLE)):
            body = gzip.compress(body, compresslevel=5, mtime=0)
            out.append((b"content-encoding", b"gzip"))
        out.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": out})
        await send({"type": "http.response.body", "body": b"" if method == "HEAD" else body})

    async def handle(self, method: str, scope: dict, headers: dict[bytes, bytes], receive):
        qs = scope.get("query_string", b"")
        accept_raw = headers.get(b"accept")
        # A GET seen before maps straight to its request tuple, without decoding the query
        # string or negotiating again (that costs more than running a small query).
        raw_key = (qs, accept_raw) if method != "POST" else None
        msg = self._seen.get(raw_key) if raw_key is not None else None
        if msg is None:
            parsed = await self._parse(method, qs, headers, receive)
            if not isinstance(parsed, tuple) or parsed[0] != "query":
                return parsed
            msg = parsed
            if raw_key is not None:
                if len(self._seen) >= 4096:
                    self._seen.popitem(last=False)
                self._seen[raw_key] = msg
        return await self.answer(scope, msg, receive)

    async def answer(self, scope: dict, msg: tuple, receive=None):
        cached = self.cache.get(msg) if self.settings.cache_bytes else None
        if cached is not None:
            return (*cached, [])
        runner = self.runner()
        if runner is None:
            return 503, _TEXT, b"the store is not open yet; try again in a moment\n", [(b"retry-after", b"1")]
        client = scope.get("client")
        status, ctype, body, extra = await runner.run(client[0] if client else "?", msg, receive)
        if status == 200 and self.settings.cache_bytes:
            self.cache.put(msg, (status, ctype, body))
        return status, ctype, body, extra

    async def _parse(self, method: str, qs: bytes, headers: dict[bytes, bytes], receive):
        """The request as `("query", text, result media, graph media)`, or a finished reply."""
        params = {k: [_utf8(v) for v in vs] for k, vs in parse_qs(qs.decode("latin-1"), keep_blank_values=True).items()}
        if method == "POST":
            ctype = headers.get(b"content-type", b"").decode("latin-1").split(";")[0].strip().lower()
            length = headers.get(b"content-length", b"")
            if length.isdigit() and int(length) > self.settings.max_body:
                return _reply(413, f"request body larger than {self.settings.max_body} bytes")
            body = await _read_body(receive, self.settings.max_body, self.settings.header_timeout)
            if body is None:
                return _reply(413, f"request body larger than {self.settings.max_body} bytes")
            if body is _SLOW:
                return _reply(408, f"request body not received within {self.settings.header_timeout:g} s")
            if ctype == "application/sparql-update":
                return _read_only()
            if ctype == "application/x-www-form-urlencoded":
                for k, vs in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items():
                    params.setdefault(k, []).extend(vs)
            elif ctype == "application/sparql-query":
                params.setdefault("query", []).append(body.decode("utf-8", "replace"))
            else:
                return _reply(415, "POST a form (application/x-www-form-urlencoded) or a query (application/sparql-query)")
        if "update" in params:
            return _read_only()
        queries = params.get("query", [])
        accept = headers.get(b"accept", b"").decode("latin-1") or None
        if not queries:
            if _wants_html(accept):
                page = self.editor()
                return 200, "text/html; charset=utf-8", page, html_headers(page)
            return _reply(400, "missing query: pass ?query=... (GET) or a form field query (POST); see the SPARQL 1.1 Protocol")
        if len(queries) > 1:
            return _reply(400, "more than one query parameter")
        if params.get("default-graph-uri") or params.get("named-graph-uri"):
            return _reply(400, "default-graph-uri and named-graph-uri are not supported: everything is in the default graph")
        accept = accept or "*/*"
        if params.get("format"):
            accept = FORMAT_PARAM.get(params["format"][0].lower(), params["format"][0])
        return ("query", queries[0], negotiate(accept, _RESULT_OFFERS), negotiate(accept, _GRAPH_OFFERS))


def _reply(status: int, message: str):
    return status, _TEXT, (message + "\n").encode(), []


def _read_only():
    return _reply(403, "this endpoint is read-only: SPARQL Update is not accepted here")


def _utf8(s: str) -> str:
    # parse_qs decoded %XX as latin-1 because the query string was decoded so; redo as UTF-8
    try:
        return s.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return s


_SLOW: bytes = object()  # type: ignore[assignment]  # a sentinel, not a body


async def _read_body(receive, limit: int, deadline: float) -> bytes | None:
    """The request body; None past `limit` bytes, `_SLOW` when it takes over `deadline` seconds."""
    import asyncio

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


def examples_json(examples: list[dict[str, str]]) -> str:
    return json.dumps(examples, ensure_ascii=False).replace("</", "<\\/")
