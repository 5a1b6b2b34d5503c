"""One query on the store, on a worker thread: federation checked, run, serialized within a size cap.

Input: the store, a request tuple (`("query", text, result media, graph media)` or
`("describe", iri, media)`), the limits. Output: (status, content type, body).
pyoxigraph releases the GIL while it evaluates and serializes, so these run on threads
beside the event loop.
"""

from __future__ import annotations

import pyoxigraph as ox

from igokg.describe import describe
from igokg.namespaces import PREFIXES
from igokg.query import service_endpoints
from igokg.serve.negotiate import GRAPH_FORMATS, RESULT_FORMATS


class _CappedWriter:
    """A bytes sink that refuses to grow past `limit`: a huge result stops early."""

    __slots__ = ("limit", "parts", "size")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.parts: list[bytes] = []

    def write(self, b: bytes) -> int:
        n = len(b)
        size = self.size = self.size + n
        if size > self.limit:
            raise _TooLarge()
        self.parts.append(b if type(b) is bytes else bytes(b))
        return n

    def flush(self) -> None:
        pass

    def getvalue(self) -> bytes:
        return self.parts[0] if len(self.parts) == 1 else b"".join(self.parts)


class _TooLarge(Exception):
    pass


_SOLUTIONS, _TRIPLES = ox.QuerySolutions, ox.QueryTriples


def _serialize_graph(triples, media: str, limit: int) -> bytes:
    w = _CappedWriter(limit)
    prefixes = PREFIXES if GRAPH_FORMATS[media] in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
    ox.serialize(triples, w, GRAPH_FORMATS[media], prefixes=prefixes)
    return w.getvalue()


def answer(store: ox.Store, msg: tuple, max_result: int, allowed: tuple[str, ...] = ()) -> tuple[int, str, bytes]:
    """One request: (status, content type, body)."""
    op = msg[0]
    try:
        if op == "query":
            _, text, result_media, graph_media = msg
            refused = _federation_refused(text, allowed)
            if refused:
                return 400, "text/plain; charset=utf-8", refused.encode()
            try:
                result = store.query(text)
            except SyntaxError as exc:
                return 400, "text/plain; charset=utf-8", f"malformed query: {exc}\n".encode()
            kind = type(result)
            if kind is _SOLUTIONS:  # (the common case first)
                if result_media is None:
                    return 406, "text/plain; charset=utf-8", _not_acceptable("results").encode()
                w = _CappedWriter(max_result)
                result.serialize(w, RESULT_FORMATS[result_media])
                return 200, result_media, w.getvalue()
            if kind is _TRIPLES:
                if graph_media is None:
                    return 406, "text/plain; charset=utf-8", _not_acceptable("graph").encode()
                # (without the project's 20 prefixes: they cost a CONSTRUCT a third of its time, 9 µs;
                # entity documents, made for reading, keep them: _describe below)
                w = _CappedWriter(max_result)
                fmt = GRAPH_FORMATS[graph_media]
                if fmt == ox.RdfFormat.RDF_XML:
                    ox.serialize(result, w, fmt, prefixes=PREFIXES)
                else:
                    result.serialize(w, fmt)
                return 200, graph_media, w.getvalue()
            if result_media is None:
                return 406, "text/plain; charset=utf-8", _not_acceptable("results").encode()
            # a boolean: a few bytes, no size cap needed
            return 200, result_media, result.serialize(format=RESULT_FORMATS[result_media])
        if op == "describe":
            _, iri, media = msg
            triples = describe(store, iri)  # the symmetric CBD (igokg.describe)
            if not triples:
                return 404, "text/plain; charset=utf-8", f"no data about <{iri}>\n".encode()
            return 200, media, _serialize_graph(triples, media, max_result)
        return 500, "text/plain; charset=utf-8", f"unknown operation {op!r}\n".encode()
    except _TooLarge:
        return 422, "text/plain; charset=utf-8", (
            f"the result is larger than this server's limit of {max_result} bytes; add a LIMIT or narrow the query\n"
        ).encode()
    except OSError as exc:  # a store read error, or a query evaluation error
        return 500, "text/plain; charset=utf-8", f"query failed: {exc}\n".encode()
    except (RuntimeError, ValueError) as exc:  # an evaluation error of this query
        return 400, "text/plain; charset=utf-8", f"query failed: {exc}\n".encode()


def _federation_refused(text: str, allowed: tuple[str, ...]) -> str | None:
    """Why the query may not run here, if it calls an endpoint not on the allow-list."""
    if "\\" not in text and "service" not in text.lower():  # (what service_endpoints checks first, without its regex)
        return None
    endpoints = service_endpoints(text)
    if not endpoints:
        return None
    if not allowed:
        return ("SERVICE (federated query) is disabled on this endpoint: it would make the server fetch other URLs; "
                "run the query locally with igokg query, or start igokg serve --allow-service ENDPOINT\n")
    bad = [e for e in endpoints if e not in allowed]
    if not bad:
        return None
    named = ", ".join("a variable endpoint" if e is None else f"<{e}>" for e in dict.fromkeys(bad))
    return (f"SERVICE to {named} is not allowed here: this server calls only " + ", ".join(f"<{e}>" for e in allowed)
            + " (igokg serve --allow-service ENDPOINT adds one)\n")


def _not_acceptable(kind: str) -> str:
    offers = RESULT_FORMATS if kind == "results" else GRAPH_FORMATS
    return "none of the requested media types (Accept) can hold these " + kind + "; offered: " + ", ".join(offers) + "\n"
