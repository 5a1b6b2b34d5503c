"""Stage: serve. The release on the web: SPARQL endpoint, cool URIs, downloads, site.

Input: a release folder (what `igokg build` writes: `igokg.nt.gz`, `ontology.ttl`, the
static site pages, the dumps). Output: one HTTP server process that

* answers the SPARQL 1.1 Protocol at `/sparql` (GET, POST form, POST
  `application/sparql-query`), results by `Accept`; a browser gets a query editor;
* resolves the entity IRIs `/id/<slug>` and the ontology IRI `/ontology` by content
  negotiation (303 to `.html`, `.ttl`, `.jsonld`, `.nt`, `.rdf`);
* serves the release files with media types, ETag / Last-Modified (304) and gzip.

Design (measured; see docs/serve.md). The HTTP front is one asyncio process (uvicorn with
httptools and uvloop): it parses requests, negotiates formats, serves files and keeps a
cache of query results (the store is read-only, so a result never goes stale). Queries
run in a small pool of worker *processes* that open the same on-disk store read-only:
pyoxigraph cannot cancel a running query, but a process can be killed. A query that
outlives the time limit gets a 503 with a message, its worker is killed and replaced
(opening a read-only store takes milliseconds, so the pool is whole again at once).
"""

from __future__ import annotations

import asyncio
import functools
import gzip
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections import OrderedDict
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from typing import Awaitable, Callable
from urllib.parse import parse_qs, quote, unquote

import pyoxigraph as ox

from igokg.errors import PublishError
from igokg.namespaces import BASE, ID, ONTOLOGY, PREFIXES
from igokg.project import Project
from igokg.query import uses_service

__all__ = [
    "ServeSettings",
    "SparqlApp",
    "ensure_release",
    "load_release_store",
    "create_app",
    "run_server",
    "negotiate",
]

# --------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class ServeSettings:
    host: str = "127.0.0.1"
    port: int = 8000
    #: Seconds a query may run before its client gets 503 and its worker is killed.
    timeout: float = 5.0
    #: Query worker processes; each runs one query at a time.
    workers: int = field(default_factory=lambda: max(2, os.cpu_count() or 2))
    max_body: int = 1 << 20  # request bodies above this get 413
    max_result: int = 32 << 20  # serialized results above this get 422
    cache_bytes: int = 64 << 20  # 0 disables the result cache
    #: The published base IRI; links to it in HTML are rewritten to this server.
    base_iri: str = BASE
    #: Federated queries (SERVICE) make this server fetch any URL a client names: off unless asked.
    allow_service: bool = False


# --------------------------------------------------------------------------- formats

RESULT_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
_RESULT_OFFERS = tuple(RESULT_FORMATS)
_GRAPH_OFFERS = tuple(GRAPH_FORMATS)
#: `?format=` shortcuts, as other endpoints accept them.
FORMAT_PARAM = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ttl": "text/turtle",
    "ntriples": "application/n-triples",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "json-ld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
    "rdf": "application/rdf+xml",
}
#: Data views of an entity or the ontology, by file extension.
DATA_EXTENSIONS = {
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
    "rdf": "application/rdf+xml",
}
MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".ttl": "text/turtle; charset=utf-8",
    ".nt": "application/n-triples; charset=utf-8",
    ".nq": "application/n-quads; charset=utf-8",
    ".jsonld": "application/ld+json",
    ".json": "application/json",
    ".rdf": "application/rdf+xml",
    ".owl": "application/rdf+xml",
    ".xml": "application/xml",
    ".svg": "image/svg+xml",
    ".csv": "text/csv; charset=utf-8",
    ".tsv": "text/tab-separated-values; charset=utf-8",
    ".srj": "application/sparql-results+json",
    ".srx": "application/sparql-results+xml",
    ".rq": "application/sparql-query; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".gz": "application/gzip",
    ".zip": "application/zip",
}
_COMPRESSIBLE = ("text/", "application/json", "application/ld+json", "application/n-", "application/rdf+xml",
                 "application/xml", "application/sparql", "image/svg+xml")


def _media_type(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix in MEDIA_TYPES:
        return MEDIA_TYPES[suffix]
    return "text/plain; charset=utf-8" if name.isupper() or suffix == "" else "application/octet-stream"


def _parse_accept(accept: str) -> list[tuple[str, float, int]]:
    ranges = []
    for i, part in enumerate(accept.split(",")):
        bits = [b.strip() for b in part.split(";")]
        media = bits[0].lower()
        if not media:
            continue
        q = 1.0
        for b in bits[1:]:
            if b.startswith("q="):
                try:
                    q = float(b[2:])
                except ValueError:
                    q = 0.0
        ranges.append((media, q, i))
    return ranges


def negotiate(accept: str | None, offers: list[str] | tuple[str, ...]) -> str | None:
    """The offer the `Accept` header prefers (q-value, then specificity, then our order)."""
    return _negotiate(accept, tuple(offers))


@functools.lru_cache(maxsize=1024)
def _negotiate(accept: str | None, offers: tuple[str, ...]) -> str | None:
    if not accept or not accept.strip():
        return offers[0] if offers else None
    ranges = _parse_accept(accept)
    best: tuple[float, int, int] | None = None
    chosen = None
    for order, offer in enumerate(offers):
        main = offer.split("/", 1)[0]
        match: tuple[float, int] | None = None  # (q, specificity)
        for media, q, _i in ranges:
            if media == offer:
                spec = 3
            elif media == f"{main}/*":
                spec = 2
            elif media == "*/*" or media == "*":
                spec = 1
            else:
                continue
            if match is None or spec > match[1]:
                match = (q, spec)
        if match is None or match[0] <= 0:
            continue
        key = (match[0], match[1], -order)
        if best is None or key > best:
            best, chosen = key, offer
    return chosen


def _wants_html(accept: str | None) -> bool:
    """A browser: it names text/html and likes it at least as much as any RDF we offer."""
    if not accept or "text/html" not in accept.lower():
        return False
    return negotiate(accept, ["text/html", *DATA_EXTENSIONS.values()]) == "text/html"


# --------------------------------------------------------------------------- release


def ensure_release(project: Project, progress: Callable[[str], None] | None = None) -> Path:
    """The release folder, built first (`igokg build`) when it is missing."""
    release = project.release_dir
    if not (release / "igokg.nt.gz").is_file():
        from igokg.publish import build_release  # only when needed: serve reads a release

        if progress:
            progress(f"no release in {project.relative(release)}: building it first")
        build_release(project, progress=progress)
    if not (release / "igokg.nt.gz").is_file():
        raise PublishError(f"{project.relative(release)} has no igokg.nt.gz; run igokg build")
    return release


def load_release_store(release: Path, location: Path) -> int:
    """Bulk-load the release's facts and ontology into an on-disk store; the triple count.

    Everything goes into the default graph, so the published queries run as they are.
    """
    store = ox.Store(str(location))
    with gzip.open(release / "igokg.nt.gz", "rb") as fh:
        store.bulk_load(fh, format=ox.RdfFormat.N_TRIPLES)
    for name, fmt in (("ontology.ttl", ox.RdfFormat.TURTLE),):
        path = release / name
        if path.is_file():
            with path.open("rb") as fh:
                store.bulk_load(fh, format=fmt, base_iri=ONTOLOGY)
    store.optimize()
    count = len(store)
    store.flush()
    del store
    return count


# --------------------------------------------------------------------------- workers


class _CappedWriter:
    """A bytes sink that refuses to grow past `limit`: a huge result stops early."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.parts: list[bytes] = []

    def write(self, b: bytes) -> int:
        self.size += len(b)
        if self.size > self.limit:
            raise _TooLarge()
        self.parts.append(bytes(b))
        return len(b)

    def flush(self) -> None:
        pass

    def getvalue(self) -> bytes:
        return b"".join(self.parts)


class _TooLarge(Exception):
    pass


def _describe_triples(store: ox.Store, iri: str) -> list[ox.Triple]:
    """An entity's own triples and those of its skolemized `#` children, sorted."""
    seen = {iri}
    todo = [iri]
    out: list[ox.Triple] = []
    while todo:
        subject = ox.NamedNode(todo.pop())
        for q in store.quads_for_pattern(subject, None, None):
            out.append(q.triple)
            o = q.object
            if isinstance(o, ox.NamedNode) and o.value.startswith(iri + "#") and o.value not in seen:
                seen.add(o.value)
                todo.append(o.value)
    out.sort(key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    return out


def _serialize_graph(triples, media: str, limit: int) -> bytes:
    w = _CappedWriter(limit)
    prefixes = PREFIXES if GRAPH_FORMATS[media] in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
    ox.serialize(triples, w, GRAPH_FORMATS[media], prefixes=prefixes)
    return w.getvalue()


def _answer(store: ox.Store, msg: tuple, max_result: int) -> tuple[int, str, bytes]:
    """One request in a worker: (status, content type, body)."""
    op = msg[0]
    try:
        if op == "query":
            _, text, result_media, graph_media = msg
            try:
                result = store.query(text)
            except SyntaxError as exc:
                return 400, "text/plain; charset=utf-8", f"malformed query: {exc}\n".encode()
            if isinstance(result, ox.QueryTriples):
                if graph_media is None:
                    return 406, "text/plain; charset=utf-8", _not_acceptable("graph").encode()
                return 200, graph_media, _serialize_graph(result, graph_media, max_result)
            if result_media is None:
                return 406, "text/plain; charset=utf-8", _not_acceptable("results").encode()
            w = _CappedWriter(max_result)
            result.serialize(w, RESULT_FORMATS[result_media])
            return 200, result_media, w.getvalue()
        if op == "describe":
            _, iri, media = msg
            triples = _describe_triples(store, iri)
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


def _not_acceptable(kind: str) -> str:
    offers = RESULT_FORMATS if kind == "results" else GRAPH_FORMATS
    return "none of the requested media types (Accept) can hold these " + kind + "; offered: " + ", ".join(offers) + "\n"


def _worker_main(location: str, rfd: int, wfd: int, max_result: int) -> None:  # pragma: no cover - runs in a child
    """A query worker: a plain `python -c` child speaking pickles over two pipes.

    Not `multiprocessing`'s spawn: that re-runs the parent's `__main__`, which a script
    calling `create_app` without a main guard does not survive.
    """
    from multiprocessing.connection import Connection

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when workers stop
    inbox = Connection(rfd, writable=False)
    outbox = Connection(wfd, readable=False)
    store = ox.Store.read_only(location)
    outbox.send(("ready",))
    while True:
        try:
            msg = inbox.recv()
        except (EOFError, OSError):
            return
        outbox.send(_answer(store, msg, max_result))


class _Proc:
    """The worker's process and the parent's ends of its pipes."""

    def __init__(self, location: str, max_result: int) -> None:
        from multiprocessing.connection import Connection

        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        code = (
            "import sys; from igokg.serve import _worker_main; "
            f"_worker_main(sys.argv[1], {to_child_r}, {from_child_w}, {max_result})"
        )
        self.popen = subprocess.Popen(
            [sys.executable, "-c", code, location],
            pass_fds=(to_child_r, from_child_w),
            stdin=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)},
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self.send_conn = Connection(to_child_w, readable=False)
        self.recv_conn = Connection(from_child_r, writable=False)

    def is_alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        self.popen.kill()

    def join(self, timeout: float) -> None:
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            pass

    def close(self) -> None:
        self.send_conn.close()
        self.recv_conn.close()


class _Worker:
    def __init__(self, proc: _Proc) -> None:
        self.proc = proc
        self.future: asyncio.Future | None = None
        self.ready = False


class QueryPool:
    """Worker processes that run queries; one killed and replaced when it overruns."""

    def __init__(self, location: Path, size: int, timeout: float, max_result: int) -> None:
        self.location = str(location)
        self.size = max(1, size)
        self.timeout = timeout
        self.max_result = max_result
        self._idle: asyncio.Queue[_Worker] | None = None
        self._workers: set[_Worker] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self.killed = 0

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._idle = asyncio.Queue()
        waits = [self._spawn() for _ in range(self.size)]
        await asyncio.gather(*waits)

    def _spawn(self) -> asyncio.Future:
        assert self._loop is not None
        w = _Worker(_Proc(self.location, self.max_result))
        w.future = self._loop.create_future()
        self._workers.add(w)
        self._loop.add_reader(w.proc.recv_conn.fileno(), self._readable, w)
        return w.future

    def _readable(self, w: _Worker) -> None:
        try:
            # uvloop makes watched fds non-blocking; a reply larger than the pipe buffer
            # would then fail half-read. The worker writes it whole at once: block for it.
            os.set_blocking(w.proc.recv_conn.fileno(), True)
            msg = w.proc.recv_conn.recv()
        except (EOFError, OSError):
            self._retire(w)
            if w.future is not None and not w.future.done():
                w.future.set_result((500, "text/plain; charset=utf-8", b"the query worker stopped unexpectedly\n"))
            if self._loop is not None and not self._closing:
                self._spawn()
            return
        if not w.ready:
            w.ready = True
            fut, w.future = w.future, None
            assert self._idle is not None
            self._idle.put_nowait(w)
            if fut is not None and not fut.done():
                fut.set_result(None)
            return
        if w.future is not None and not w.future.done():
            w.future.set_result(msg)

    _closing = False

    def _retire(self, w: _Worker) -> None:
        if w not in self._workers:
            return
        self._workers.discard(w)
        assert self._loop is not None
        try:
            self._loop.remove_reader(w.proc.recv_conn.fileno())
        except (OSError, ValueError):
            pass
        if w.proc.is_alive():
            w.proc.kill()
        w.proc.join(timeout=2)
        w.proc.close()

    async def run(self, msg: tuple) -> tuple[int, str, bytes]:
        assert self._idle is not None and self._loop is not None
        # Waiting for a free worker has its own, longer bound: a replacement worker needs a
        # moment to start, and a queued query should not time out before it ran at all.
        wait = max(2 * self.timeout, 10.0)
        try:
            w = await asyncio.wait_for(self._idle.get(), wait)
        except asyncio.TimeoutError:
            return 503, "text/plain; charset=utf-8", (
                f"the server is busy: no query worker became free within {wait:g} s; try again later\n"
            ).encode()
        deadline = self._loop.time() + self.timeout
        if w not in self._workers:  # retired while queued
            return await self.run(msg)
        w.future = self._loop.create_future()
        w.proc.send_conn.send(msg)
        try:
            reply = await asyncio.wait_for(asyncio.shield(w.future), max(0.01, deadline - self._loop.time()))
        except asyncio.CancelledError:
            # the client went away: its answer is wanted by nobody, free the worker now
            self._retire(w)
            self._spawn()
            raise
        except asyncio.TimeoutError:
            self.killed += 1
            self._retire(w)
            self._spawn()
            return 503, "text/plain; charset=utf-8", (
                f"query timed out: it ran longer than this server's limit of {self.timeout:g} s and was stopped\n"
            ).encode()
        w.future = None
        self._idle.put_nowait(w)
        return reply

    async def close(self) -> None:
        self._closing = True
        for w in list(self._workers):
            self._retire(w)


# --------------------------------------------------------------------------- cache


class ResultCache:
    """Least-recently-used results by (request, formats), bounded in bytes."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._items: OrderedDict[tuple, tuple[int, str, bytes]] = OrderedDict()

    def get(self, key: tuple) -> tuple[int, str, bytes] | None:
        item = self._items.get(key)
        if item is not None:
            self._items.move_to_end(key)
        return item

    def put(self, key: tuple, value: tuple[int, str, bytes]) -> None:
        n = len(value[2]) + sum(len(k) for k in key if isinstance(k, str))
        if self.max_bytes <= 0 or n > self.max_bytes // 8:
            return
        if key in self._items:
            return
        self._items[key] = value
        self.size += n
        while self.size > self.max_bytes and self._items:
            k, v = self._items.popitem(last=False)
            self.size -= len(v[2]) + sum(len(x) for x in k if isinstance(x, str))


# --------------------------------------------------------------------------- the app

Headers = list[tuple[bytes, bytes]]
_CORS: Headers = [(b"access-control-allow-origin", b"*")]
_SAFE_SEGMENT = re.compile(r"^[A-Za-z0-9_~\-][A-Za-z0-9_.~\-]*$")
_SLUG = re.compile(r"^[A-Za-z0-9_\-]+(?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?$")


@dataclass
class _Response:
    status: int
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    headers: Headers = field(default_factory=list)


def _text(status: int, message: str) -> _Response:
    return _Response(status, message.encode() if message.endswith("\n") else (message + "\n").encode())


class SparqlApp:
    """The ASGI application. `startup()` loads the store and starts the workers."""

    def __init__(self, release: Path, settings: ServeSettings, examples: list[dict[str, str]] | None = None) -> None:
        self.release = release.resolve()
        self.settings = settings
        self.examples = examples if examples is not None else _examples(self.release)
        self.cache = ResultCache(settings.cache_bytes)
        self.triples = 0
        self.pool: QueryPool | None = None
        self._tmp: str | None = None
        self._files: dict[tuple[str, int, int], tuple[bytes, bytes | None]] = {}
        self._env = _templates()
        self._ontology_cache: dict[str, bytes] = {}
        self._seen: OrderedDict[tuple, tuple] = OrderedDict()
        self._sums = _read_sums(self.release / "SHA256SUMS")

    # lifecycle ----------------------------------------------------------------------
    def prepare(self) -> None:
        """Load the release into a temporary on-disk store (blocking; call before serving)."""
        if self._tmp is None:
            self._tmp = tempfile.mkdtemp(prefix="igokg-serve-")
            self.triples = load_release_store(self.release, Path(self._tmp) / "store")

    async def startup(self) -> None:
        if self._tmp is None:
            await asyncio.get_running_loop().run_in_executor(None, self.prepare)
        assert self._tmp is not None
        self.pool = QueryPool(Path(self._tmp) / "store", self.settings.workers, self.settings.timeout, self.settings.max_result)
        await self.pool.start()

    async def shutdown(self) -> None:
        if self.pool is not None:
            await self.pool.close()
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    # ASGI ---------------------------------------------------------------------------
    async def __call__(self, scope: dict, receive: Callable[[], Awaitable[dict]], send: Callable[[dict], Awaitable[None]]) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    try:
                        await self.startup()
                    except Exception as exc:  # noqa: BLE001 - reported to the server, which stops
                        await send({"type": "lifespan.startup.failed", "message": str(exc)})
                        return
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await self.shutdown()
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        method = scope["method"]
        try:
            response = await self.handle(method, scope, headers, receive)
        except Exception as exc:  # noqa: BLE001 - a bug must not hang the client
            response = _text(500, f"internal error: {type(exc).__name__}: {exc}")
        await self._send(send, method, headers, response)

    async def _send(self, send, method: str, headers: dict[str, str], r: _Response) -> None:
        body = r.body
        out: Headers = list(r.headers)
        names = {k for k, _ in out}
        if r.content_type and b"content-type" not in names:
            out.append((b"content-type", r.content_type.encode()))
        if (
            len(body) > 1024
            and b"content-encoding" not in names
            and "gzip" in headers.get("accept-encoding", "")
            and r.content_type.startswith(_COMPRESSIBLE)
        ):
            body = gzip.compress(body, compresslevel=5, mtime=0)
            out.append((b"content-encoding", b"gzip"))
            out.append((b"vary", b"Accept-Encoding"))
        if b"content-length" not in names:
            out.append((b"content-length", str(len(body)).encode()))
        out.extend(_CORS)
        await send({"type": "http.response.start", "status": r.status, "headers": out})
        await send({"type": "http.response.body", "body": b"" if method == "HEAD" or r.status == 304 else body})

    # routing ------------------------------------------------------------------------
    async def handle(self, method: str, scope: dict, headers: dict[str, str], receive) -> _Response:
        raw_path = scope.get("raw_path") or scope["path"].encode()
        raw = raw_path.decode("latin-1")
        path = scope["path"]
        accept = headers.get("accept")
        if method == "OPTIONS":
            return _Response(204, b"", "", [
                (b"access-control-allow-methods", b"GET, HEAD, POST, OPTIONS"),
                (b"access-control-allow-headers", b"Accept, Content-Type"),
                (b"access-control-max-age", b"86400"),
                (b"allow", b"GET, HEAD, POST, OPTIONS"),
            ])
        if path == "/sparql":
            return await self.sparql(method, scope, headers, receive)
        if _unsafe_path(raw, path):
            return _text(400, "bad path: it leaves the release folder or has encoded separators")
        if method not in ("GET", "HEAD"):
            return _Response(405, b"only GET and HEAD here; SPARQL queries go to /sparql\n", headers=[(b"allow", b"GET, HEAD, OPTIONS")])
        if path.startswith("/id/"):
            return await self.entity(path[len("/id/"):], headers)
        if path in ("/ontology", "/shapes", "/dataset"):
            return self.document(path[1:], accept)
        if path == "/ontology.jsonld" or path == "/ontology.nt":
            return self.ontology_data(path.rsplit(".", 1)[1])
        return self.static(path, headers)

    # SPARQL -------------------------------------------------------------------------
    async def sparql(self, method: str, scope: dict, headers: dict[str, str], receive) -> _Response:
        # The fast path: a GET seen before maps straight to its cached result, without
        # decoding the query string or negotiating again (that costs more than the lookup).
        raw_key = (scope.get("query_string", b""), headers.get("accept")) if method == "GET" else None
        if raw_key is not None:
            msg = self._seen.get(raw_key)
            if msg is not None and self.cache.get(msg) is not None:
                return await self._query(msg)
        params = parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        params = {k: [_utf8(v) for v in vs] for k, vs in params.items()}
        if method == "POST":
            ctype = headers.get("content-type", "").split(";")[0].strip().lower()
            length = headers.get("content-length")
            if length is not None and length.isdigit() and int(length) > self.settings.max_body:
                return _text(413, f"request body larger than {self.settings.max_body} bytes")
            body = await _read_body(receive, self.settings.max_body)
            if body is None:
                return _text(413, f"request body larger than {self.settings.max_body} bytes")
            if ctype == "application/sparql-update":
                return _read_only()
            if ctype == "application/x-www-form-urlencoded":
                form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
                for k, vs in form.items():
                    params.setdefault(k, []).extend(vs)
            elif ctype == "application/sparql-query":
                params.setdefault("query", []).append(body.decode("utf-8", "replace"))
            else:
                return _text(415, "POST a form (application/x-www-form-urlencoded) or a query (application/sparql-query)")
        elif method not in ("GET", "HEAD"):
            return _Response(405, b"use GET or POST\n", headers=[(b"allow", b"GET, HEAD, POST, OPTIONS")])
        if "update" in params:
            return _read_only()
        queries = params.get("query", [])
        if not queries:
            if _wants_html(headers.get("accept")):
                return self.editor()
            return _text(400, "missing query: pass ?query=... (GET) or a form field query (POST); see the SPARQL 1.1 Protocol")
        if len(queries) > 1:
            return _text(400, "more than one query parameter")
        text = queries[0]
        if not self.settings.allow_service and uses_service(text):
            return _text(400, "SERVICE (federated query) is disabled on this endpoint: it would make the server fetch "
                              "other URLs; run the query locally with igokg query, or start igokg serve --allow-service")
        if params.get("default-graph-uri") or params.get("named-graph-uri"):
            return _text(400, "default-graph-uri and named-graph-uri are not supported: everything is in the default graph")
        accept = headers.get("accept") or "*/*"
        if params.get("format"):
            accept = FORMAT_PARAM.get(params["format"][0].lower(), params["format"][0])
        result_media = negotiate(accept, _RESULT_OFFERS)
        graph_media = negotiate(accept, _GRAPH_OFFERS)
        msg = ("query", text, result_media, graph_media)
        if raw_key is not None and self.settings.cache_bytes > 0:
            if len(self._seen) >= 4096:
                self._seen.popitem(last=False)
            self._seen[raw_key] = msg
        return await self._query(msg, receive)

    async def _query(self, msg: tuple, receive=None) -> _Response:
        cached = self.cache.get(msg)
        if cached is None:
            assert self.pool is not None
            cached = await self._run_unless_gone(msg, receive)
            if cached[0] == 200:
                self.cache.put(msg, cached)
        status, ctype, body = cached
        if ctype in ("text/csv", "text/tab-separated-values", "text/turtle", "application/n-triples", "text/plain"):
            ctype += "; charset=utf-8"
        return _Response(status, body, ctype, [(b"vary", b"Accept")] if status == 200 else [])

    async def _run_unless_gone(self, msg: tuple, receive) -> tuple[int, str, bytes]:
        """Run in the pool; if the client disconnects first, drop the work (queued or running).

        Without this, a client that gives up leaves its query queued, and a burst of
        abandoned heavy queries would keep every worker busy long after.
        """
        assert self.pool is not None
        if receive is None:
            return await self.pool.run(msg)
        work = asyncio.ensure_future(self.pool.run(msg))
        gone = asyncio.ensure_future(_disconnected(receive))
        try:
            await asyncio.wait((work, gone), return_when=asyncio.FIRST_COMPLETED)
        finally:
            if not work.done():
                work.cancel()
            gone.cancel()
        if work.cancelled() or not work.done():
            return 499, "text/plain; charset=utf-8", b"client closed the request\n"
        return work.result()

    def editor(self) -> _Response:
        page = self._env.get_template("serve_sparql.html").render(
            examples_json=json.dumps(self.examples, ensure_ascii=False).replace("</", "<\\/"),
            examples=self.examples,
            timeout=self.settings.timeout,
        )
        return _Response(200, page.encode(), "text/html; charset=utf-8")

    # cool URIs ----------------------------------------------------------------------
    async def entity(self, rest: str, headers: dict[str, str]) -> _Response:
        accept = headers.get("accept")
        slug, dot, ext = rest.partition(".")
        if not _SLUG.match(slug) or (dot and ext not in (*DATA_EXTENSIONS, "html")):
            if dot:
                return self.static("/id/" + rest, headers)
            return self.not_found("/id/" + rest, accept)
        iri = ID + slug
        if not dot:
            if _wants_html(accept):
                target = f"/id/{quote(slug)}.html" if (self.release / "id" / f"{slug}.html").is_file() else None
                if target is None:
                    target = f"/id/{quote(slug)}.ttl"
            else:
                media = negotiate(accept, list(DATA_EXTENSIONS.values()))
                if media is None:
                    return _text(406, "acceptable here: text/html, " + ", ".join(DATA_EXTENSIONS.values()))
                target = f"/id/{quote(slug)}.{_ext_of(media)}"
            exists = await self._query(("describe", iri, "application/n-triples"))
            if exists.status == 404:
                return self.not_found("/id/" + slug, accept)
            return _Response(303, f"see {target}\n".encode(), headers=[(b"location", target.encode()), (b"vary", b"Accept")])
        if ext == "html":
            return self.static("/id/" + rest, headers)
        static = self.release / "id" / rest
        if ext in ("ttl", "jsonld") and static.is_file():
            return self.static("/id/" + rest, headers)
        r = await self._query(("describe", iri, DATA_EXTENSIONS[ext]))
        if r.status == 404:
            return self.not_found("/id/" + rest, accept)
        return r

    def document(self, name: str, accept: str | None) -> _Response:
        """`/ontology`, `/shapes`, `/dataset`: 303 to the file that suits the client."""
        files = {
            "ontology": {"text/html": "ontology.html", "text/turtle": "ontology.ttl", "application/rdf+xml": "ontology.rdf",
                         "application/ld+json": "ontology.jsonld", "application/n-triples": "ontology.nt"},
            "shapes": {"text/turtle": "shapes.ttl", "application/rdf+xml": "shapes.rdf"},
            "dataset": {"text/html": "index.html", "text/turtle": "void.ttl"},
        }[name]
        offers = [m for m, f in files.items() if (self.release / f).is_file() or f in ("ontology.jsonld", "ontology.nt")]
        if not offers:
            return self.not_found("/" + name, accept)
        html_first = _wants_html(accept) and "text/html" in offers
        media = "text/html" if html_first else negotiate(accept, [m for m in offers if m != "text/html"] or offers)
        if media is None:
            return _text(406, "acceptable here: " + ", ".join(offers))
        target = "/" + files[media]
        if target == "/index.html":
            target = "/"
        return _Response(303, f"see {target}\n".encode(), headers=[(b"location", target.encode()), (b"vary", b"Accept")])

    def ontology_data(self, ext: str) -> _Response:
        if ext not in self._ontology_cache:
            path = self.release / "ontology.ttl"
            if not path.is_file():
                return _text(404, "no ontology in this release")
            triples = [q.triple for q in ox.parse(path.read_bytes(), format=ox.RdfFormat.TURTLE, base_iri=ONTOLOGY)]
            triples.sort(key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
            self._ontology_cache[ext] = _serialize_graph(triples, DATA_EXTENSIONS[ext], self.settings.max_result)
        media = DATA_EXTENSIONS[ext]
        return _Response(200, self._ontology_cache[ext], media + ("; charset=utf-8" if media.startswith("application/n") else ""))

    def not_found(self, path: str, accept: str | None) -> _Response:
        if _wants_html(accept):
            page = self._env.get_template("serve_404.html").render(path=path)
            return _Response(404, page.encode(), "text/html; charset=utf-8")
        return _text(404, f"not found: {path}\nentities live at /id/<slug>, the ontology at /ontology, queries go to /sparql")

    # files --------------------------------------------------------------------------
    def static(self, path: str, headers: dict[str, str]) -> _Response:
        accept = headers.get("accept")
        segments = [s for s in path.split("/") if s]
        if any(not _SAFE_SEGMENT.match(s) for s in segments):
            return self.not_found(path, accept)
        target = self.release.joinpath(*segments) if segments else self.release
        if target.is_dir():
            target = target / "index.html"
            if not target.is_file() and not segments:
                return self.landing()
        try:
            resolved = target.resolve(strict=True)
            resolved.relative_to(self.release)
        except (OSError, ValueError):
            return self.not_found(path, accept)
        if not resolved.is_file():
            return self.not_found(path, accept)
        st = resolved.stat()
        # The content digest where SHA256SUMS has it: a byte-identical rebuild keeps its ETag.
        digest = self._sums.get(resolved.relative_to(self.release).as_posix())
        etag = f'"{digest[:32]}"' if digest else f'"{st.st_size:x}-{st.st_mtime_ns:x}"'
        last_modified = formatdate(st.st_mtime, usegmt=True)
        ctype = _media_type(resolved.name)
        common: Headers = [
            (b"etag", etag.encode()),
            (b"last-modified", last_modified.encode()),
            (b"cache-control", b"public, max-age=300"),
        ]
        if _not_modified(headers, etag, st.st_mtime):
            return _Response(304, b"", "", common)
        key = (str(resolved), st.st_size, st.st_mtime_ns)
        cached = self._files.get(key)
        if cached is None:
            data = resolved.read_bytes()
            if ctype.startswith("text/html"):
                data = self._rewrite_base(data)
            gz = gzip.compress(data, compresslevel=6, mtime=0) if ctype.startswith(_COMPRESSIBLE) and len(data) > 1024 else None
            cached = (data, gz)
            if st.st_size <= 4 << 20:
                self._files[key] = cached
        data, gz = cached
        if gz is not None:
            common.append((b"vary", b"Accept-Encoding"))
            if "gzip" in headers.get("accept-encoding", ""):
                return _Response(200, gz, ctype, common + [(b"content-encoding", b"gzip")])
        return _Response(200, data, ctype, common)

    def _rewrite_base(self, data: bytes) -> bytes:
        """Links to the published base point at this server instead, wherever it runs."""
        base = self.settings.base_iri.encode()
        for attr in (b'href="', b'src="', b'action="'):
            data = data.replace(attr + base, attr + b"/")
        return data

    def landing(self) -> _Response:
        """A minimal front page when the release has no site (index.html) yet."""
        files = sorted(p.relative_to(self.release).as_posix() for p in self.release.rglob("*") if p.is_file())
        page = self._env.get_template("serve_index.html").render(files=files, triples=self.triples)
        return _Response(200, page.encode(), "text/html; charset=utf-8")


def _utf8(s: str) -> str:
    # parse_qs decoded %XX as latin-1 because the query string was decoded so; redo as UTF-8
    try:
        return s.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return s


def _ext_of(media: str) -> str:
    return next(e for e, m in DATA_EXTENSIONS.items() if m == media)


def _read_only() -> _Response:
    return _text(403, "this endpoint is read-only: SPARQL Update is not accepted here")


def _unsafe_path(raw: str, path: str) -> bool:
    """Traversal in any spelling: `..` segments, encoded dots or slashes, backslashes, NUL."""
    low = raw.lower()
    if "%2f" in low or "%5c" in low or "%00" in low or "\\" in path or "\x00" in path:
        return True
    decoded = unquote(raw)
    for candidate in (raw, decoded, path):
        if any(seg in ("..", ".") for seg in candidate.split("/")):
            return True
    return False


async def _read_body(receive, limit: int) -> bytes | None:
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


async def _disconnected(receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


def _read_sums(path: Path) -> dict[str, str]:
    """`name -> sha256` from a release's SHA256SUMS (empty when there is none)."""
    sums: dict[str, str] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return sums
    for line in lines:
        digest, sep, name = line.partition("  ")
        if sep and len(digest) == 64:
            sums[name] = digest
    return sums


def _not_modified(headers: dict[str, str], etag: str, mtime: float) -> bool:
    inm = headers.get("if-none-match")
    if inm is not None:
        tags = [t.strip() for t in inm.split(",")]
        return etag in tags or "*" in tags or f"W/{etag}" in tags
    ims = headers.get("if-modified-since")
    if ims:
        try:
            return int(mtime) <= int(parsedate_to_datetime(ims).timestamp())
        except (TypeError, ValueError, IndexError, OverflowError):
            return False
    return False


def _templates():
    from jinja2 import Environment, PackageLoader, select_autoescape

    return Environment(loader=PackageLoader("igokg", "templates"), autoescape=select_autoescape(["html"]))


def _examples(release: Path) -> list[dict[str, str]]:
    """The published example queries (`queries/*.rq` in the release), for the editor."""
    from igokg.query import query_title

    out = []
    folder = release / "queries"
    for path in sorted(folder.glob("*.rq")) if folder.is_dir() else []:
        text = path.read_text(encoding="utf-8")
        out.append({"name": path.stem, "title": query_title(text) or path.stem, "query": text})
    return out


# --------------------------------------------------------------------------- entry points


def create_app(release: Path, settings: ServeSettings | None = None, examples: list[dict[str, str]] | None = None) -> SparqlApp:
    """The ASGI app for a release folder; it loads the store at startup."""
    return SparqlApp(Path(release), settings or ServeSettings(), examples)


def run_server(app: SparqlApp, settings: ServeSettings, on_ready: Callable[[str], None] | None = None) -> None:
    """Serve until interrupted (blocking). `on_ready` gets the URL once the port is bound."""
    import uvicorn

    app.prepare()
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        lifespan="on",
        access_log=False,
        log_level="warning",
        loop=_pick("uvloop", "uvloop", "asyncio"),
        http=_pick("httptools", "httptools", "h11"),
        backlog=1024,
        timeout_keep_alive=15,
    )
    server = uvicorn.Server(config)
    if on_ready is not None:
        original = server.startup

        async def startup(sockets=None):
            await original(sockets=sockets)
            if server.started:
                on_ready(f"http://{_url_host(settings.host)}:{settings.port}/")

        server.startup = startup  # type: ignore[method-assign]
    server.run()


def _pick(module: str, yes: str, no: str) -> str:
    import importlib.util

    return yes if importlib.util.find_spec(module) is not None else no


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
