"""Stage: serve. The release on the web: SPARQL endpoint, cool URIs, downloads, site."""

from __future__ import annotations

import asyncio
import gzip
import json
import re
import shutil
import tempfile
from collections import OrderedDict
from dataclasses import dataclass, field
from email.utils import formatdate
from pathlib import Path
from typing import Awaitable, Callable
from urllib.parse import parse_qs, quote

import pyoxigraph as ox

from igokg.namespaces import ID, ONTOLOGY
from igokg.query import uses_service
from igokg.serve.answer import _serialize_graph
from igokg.serve.cache import ResultCache
from igokg.serve.files import (
    _COMPRESSIBLE,
    _media_type,
    _not_modified,
    _read_sums,
    _unsafe_path,
)
from igokg.serve.negotiate import (
    _GRAPH_OFFERS,
    _RESULT_OFFERS,
    DATA_EXTENSIONS,
    FORMAT_PARAM,
    _wants_html,
    negotiate,
)
from igokg.serve.pool import QueryPool
from igokg.serve.settings import ServeSettings
from igokg.serve.store import load_release_store

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
