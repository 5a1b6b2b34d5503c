"""The ASGI application: `/sparql` on its own fast path, everything else on Starlette.

Input: a release folder and `ServeSettings`. Output: an ASGI app that answers

* the SPARQL 1.1 Protocol at `/sparql` (sparql.py), queries run on threads (execute.py);
  without a query, the query editor for a browser and the Service Description for a
  program; a browser's query gets a results page (pages.py, discovery.py);
* the entity IRIs `/id/<slug>` (303 by `Accept` to the release's own `id/<slug>.html`,
  `.ttl`, `.jsonld` files, or to `.nt` / `.rdf` made from the store, each with `Link`
  headers to the others) and `/ontology`, `/shapes`, `/dataset`, `/.well-known/void`;
* `/search?q=` over names, abbreviations and other labels (search.py);
* every other path as a release file (files.py), gzipped (Starlette's GZipMiddleware),
  with CORS (CORSMiddleware) and the security headers (headers.py).

The store is handed over by `open_store` (the supervisor's serving processes get it
loaded in memory before serving) or, when the app is run by another ASGI server, loaded
at lifespan startup.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from igokg.namespaces import ID, ONTOLOGY
from igokg.serve import discovery
from igokg.serve.answer import _serialize_graph
from igokg.serve.assets import editor_assets
from igokg.serve.execute import Runner
from igokg.serve.files import INCOMPRESSIBLE, ReleaseFiles, unsafe_path
from igokg.serve.headers import SecurityHeaders, html_headers
from igokg.serve.negotiate import DATA_EXTENSIONS, _wants_html, negotiate, wants_page
from igokg.serve.pages import editor_context, results_context
from igokg.serve.search import SearchIndex
from igokg.serve.settings import ServeSettings
from igokg.serve.sparql import SparqlEndpoint
from igokg.serve.store import load_release_store

_SLUG_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")
#: What an entity IRI answers: the media types a client may ask for, and the document each gets.
#: `application/json` is JSON-LD's JSON: a client asking a graph for JSON can read it.
_ENTITY_OFFERS = {**{media: ext for ext, media in DATA_EXTENSIONS.items()}, "application/json": "jsonld"}
_DOCUMENTS = {
    "ontology": {"text/html": "ontology.html", "text/turtle": "ontology.ttl", "application/rdf+xml": "ontology.rdf",
                 "application/ld+json": "ontology.jsonld", "application/n-triples": "ontology.nt",
                 "application/json": "ontology.jsonld"},
    "shapes": {"text/turtle": "shapes.ttl", "application/rdf+xml": "shapes.rdf"},
    "dataset": {"text/html": "index.html", "text/turtle": "void.ttl"},
}


class ServeApp:
    """The whole server as one ASGI callable."""

    def __init__(self, release: Path, settings: ServeSettings, examples: list[dict[str, str]] | None = None) -> None:
        self.release = Path(release).resolve()
        self.settings = settings
        self.examples = examples if examples is not None else _examples(self.release)
        self.assets = editor_assets(settings.assets)  # a bad --assets folder stops here, before serving
        self.triples = 0
        self.runner: Runner | None = None
        self.on_runaway = None
        self._env = _templates()
        self._ontology: dict[str, bytes] = {}
        self._editor: bytes | None = None
        self.endpoint = SparqlEndpoint(settings, lambda: self.runner, self.front)
        self.files = ReleaseFiles(self.release, settings.base_iri, self.not_found)
        self.search_index = SearchIndex(self.release)
        extra_routes = []
        if self.assets.folder is not None:
            extra_routes.append(Mount("/assets", app=_AssetFiles(directory=self.assets.folder)))
        site = Starlette(
            routes=[
                Route("/id/{rest:path}", self.entity, methods=["GET", "HEAD"]),
                Route("/.well-known/void", self.well_known_void, methods=["GET", "HEAD"]),
                Route("/search", self.search, methods=["GET", "HEAD"]),
                Route("/search.html", self.search, methods=["GET", "HEAD"]),  # the static site's box, answered here
                *extra_routes,
                Route("/ontology.jsonld", self.ontology_data, methods=["GET", "HEAD"]),
                Route("/ontology.nt", self.ontology_data, methods=["GET", "HEAD"]),
                *(Route(f"/{name}", self.document, methods=["GET", "HEAD"]) for name in _DOCUMENTS),
                Mount("/", app=self.files),
            ],
            middleware=[
                Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "HEAD", "POST", "OPTIONS"],
                           allow_headers=["Accept", "Content-Type"], max_age=86400),
                Middleware(GZipMiddleware, minimum_size=1024, compresslevel=6, exclude_content_types=INCOMPRESSIBLE),
            ],
        )
        self.site = SecurityHeaders(site)

    # lifecycle ----------------------------------------------------------------------
    def open_store(self, store: ox.Store, triples: int | None = None) -> None:
        """Answer queries from a loaded store (read-only: nothing here writes to it)."""
        self.triples = triples if triples is not None else len(store)
        self.runner = Runner(store, self.settings, lambda: self.on_runaway and self.on_runaway())

    def close(self) -> None:
        if self.runner is not None:
            self.runner.close()

    def _load_here(self) -> None:
        self.open_store(*load_release_store(self.release))

    # ASGI ---------------------------------------------------------------------------
    async def __call__(self, scope: Scope, receive, send) -> None:
        kind = scope["type"]
        if kind == "http":
            method = scope["method"]
            if scope["path"] == "/sparql" and method != "OPTIONS":
                if method not in ("GET", "HEAD", "POST"):
                    await _plain(send, 405, "use GET or POST", [(b"allow", b"GET, HEAD, POST, OPTIONS")])
                    return
                await self.endpoint(scope, receive, send)
                return
            if unsafe_path((scope.get("raw_path") or b"").decode("latin-1"), scope["path"]):
                await _plain(send, 400, "bad path: it leaves the release folder or has encoded separators")
                return
            if method not in ("GET", "HEAD", "OPTIONS"):
                await _plain(send, 405, "only GET and HEAD here; SPARQL queries go to /sparql",
                             [(b"allow", b"GET, HEAD, OPTIONS")])
                return
            await self.site(scope, receive, send)
        elif kind == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    try:
                        if self.runner is None:
                            await asyncio.get_running_loop().run_in_executor(None, self._load_here)
                    except Exception as exc:  # noqa: BLE001 - reported to the server, which stops
                        await send({"type": "lifespan.startup.failed", "message": str(exc)})
                        return
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    self.close()
                    await send({"type": "lifespan.shutdown.complete"})
                    return

    # pages --------------------------------------------------------------------------
    def editor_page(self) -> bytes:
        if self._editor is None:
            self._editor = self._env.get_template("serve_sparql.html").render(
                **editor_context(self.release, self.examples, self.assets, self.settings.timeout, self.triples)).encode()
        return self._editor

    def _html_reply(self, status: int, page: bytes, origins: tuple[str, ...] = ()):
        return status, "text/html; charset=utf-8", page, html_headers(page, origins)

    async def front(self, scope: Scope, query: str | None, accept: str | None):
        """`/sparql` for a browser (the editor, or a query's results as a page) and, without a
        query, for a program (the Service Description). A reply tuple for sparql.py."""
        if query is not None:  # a browser asked: run it as SPARQL-JSON / Turtle, show it as a page
            status, ctype, body, _extra = await self.endpoint.answer(
                scope, ("query", query, "application/sparql-results+json", "text/turtle"))
            ctx = results_context(query, status, ctype, body)
            page = self._env.get_template("serve_results.html").render(**ctx).encode()
            return self._html_reply(status, page)
        if wants_page(accept):
            return self._html_reply(200, self.editor_page(), (self.assets.origin,) if self.assets.origin else ())
        media = discovery.document_media(accept)
        if scope.get("method") == "POST" or media is None:
            return 400, "text/plain; charset=utf-8", (
                b"missing query: pass ?query=... (GET) or a form field query (POST); see the SPARQL 1.1 Protocol. "
                b"GET without a query returns the service description (text/turtle, application/ld+json, "
                b"application/rdf+xml, application/n-triples)\n"), []
        sd = discovery.service_description(_base_url(scope) + "/sparql", self.triples, bool(self.settings.service_endpoints))
        body = discovery.serialize(sd, media)
        return 200, discovery.answered_media(media), body, [(b"vary", b"Accept")]

    async def well_known_void(self, request: Request) -> Response:
        """`/.well-known/void`: the release's VoID and this server's endpoint, in the format asked for."""
        accept = request.headers.get("accept")
        if _wants_html(accept):
            return RedirectResponse("/", 303, headers={"vary": "Accept"})
        media = discovery.document_media(accept)
        if media is None:
            return PlainTextResponse("acceptable here: " + ", ".join(discovery.DOCUMENT_OFFERS) + "\n", 406)
        triples = discovery.served_void(self.release, _base_url(request.scope) + "/sparql")
        if triples is None:
            return self.not_found(request.scope)
        body = discovery.serialize(triples, media)
        return Response(body, media_type=_charset(discovery.answered_media(media)), headers={"vary": "Accept"})

    def not_found(self, scope: Scope) -> Response:
        path = scope.get("path", "")
        accept = next((v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"accept"), None)
        if path in ("", "/") and not (self.release / "index.html").is_file():
            return self.landing()
        if _wants_html(accept):
            return _html(404, self._env.get_template("serve_404.html").render(path=path))
        return PlainTextResponse(
            f"not found: {path}\nentities live at /id/<slug>, the ontology at /ontology, queries go to /sparql\n", 404)

    def landing(self) -> Response:
        """A minimal front page when the release has no site (index.html)."""
        files = sorted(p.relative_to(self.release).as_posix() for p in self.release.rglob("*") if p.is_file())
        return _html(200, self._env.get_template("serve_index.html").render(files=files, triples=self.triples))

    def search(self, request: Request) -> Response:
        """`/search?q=`: HTML, or JSON for `Accept: application/json` / `format=json` (runs on a thread)."""
        q = request.query_params.get("q", "").strip()
        accept = request.headers.get("accept")
        as_json = request.query_params.get("format") == "json" or (
            not _wants_html(accept) and negotiate(accept, ["application/json", "text/html"]) == "application/json")
        limit = 50
        if not self.search_index.available:
            message = "this release has no search index (search.sqlite): rebuild it with igokg build"
            if as_json:
                return PlainTextResponse(message + "\n", 404)
            return _html(404, self._env.get_template("serve_search.html").render(q=q, hits=[], message=message, limit=limit))
        if as_json and not q:
            return PlainTextResponse("missing q: /search?q=CSTO (names, abbreviations and other labels)\n", 400)
        hits = self.search_index.search(q, limit) if q else []
        if as_json:
            return JSONResponse({"query": q, "results": [h.as_json() for h in hits]}, headers={"vary": "Accept"})
        return _html(200, self._env.get_template("serve_search.html").render(q=q, hits=hits, message=None, limit=limit,
                                                                               search_q=q))

    # cool URIs ----------------------------------------------------------------------
    async def entity(self, request: Request) -> Response:
        rest = request.path_params["rest"]
        accept = request.headers.get("accept")
        slug, dot, ext = rest.partition(".")
        if not slug or not _SLUG_CHARS.issuperset(rest) or (dot and ext not in (*DATA_EXTENSIONS, "html")):
            return await self.files.get_response("id/" + rest, request.scope) if dot else self.not_found(request.scope)
        docs = self.release / "id"
        if not dot:
            if _wants_html(accept):
                ext = "html" if (docs / f"{slug}.html").is_file() else "ttl"
            else:
                media = negotiate(accept, list(_ENTITY_OFFERS))
                if media is None:
                    return PlainTextResponse("acceptable here: text/html, " + ", ".join(_ENTITY_OFFERS) + "\n", 406)
                ext = _ENTITY_OFFERS[media]
            if not any((docs / f"{slug}.{e}").is_file() for e in ("html", "ttl", "jsonld")):
                found = await self.describe(request, slug, "application/n-triples")
                if found.status_code == 404:
                    return self.not_found(request.scope)
            return self._linked(RedirectResponse(f"/id/{quote(slug)}.{ext}", 303, headers={"vary": "Accept"}), slug)
        if (docs / rest).is_file():  # the release's own document: a file
            return self._linked(await self.files.get_response("id/" + rest, request.scope), slug)
        if ext == "html":
            return self.not_found(request.scope)
        response = await self.describe(request, slug, DATA_EXTENSIONS[ext])
        return self._linked(response, slug) if response.status_code == 200 else response

    def _linked(self, response: Response, slug: str) -> Response:
        """`Link: rel="alternate"` to every document about the entity (the page and each data format)."""
        if response.status_code in (200, 303, 304):
            # every data format is served (from the release's files, or made from the store); a page if written
            available = {"ttl", "jsonld", "nt", "rdf"} | ({"html"} if (self.release / "id" / f"{slug}.html").is_file() else set())
            response.headers["link"] = discovery.entity_links(quote(slug), available)
        return response

    async def describe(self, request: Request, slug: str, media: str) -> Response:
        """The entity's triples and those of its skolemized `#` children, from the store."""
        status, ctype, body, extra = await self.endpoint.answer(request.scope, ("describe", ID + slug, media))
        if status == 404:
            return self.not_found(request.scope)
        if ctype.startswith(("text/", "application/n-")):
            ctype += "; charset=utf-8"
        return Response(body, status, {k.decode(): v.decode() for k, v in extra}, media_type=ctype)

    async def document(self, request: Request) -> Response:
        """`/ontology`, `/shapes`, `/dataset`: 303 to the file that suits the client."""
        name = request.url.path.strip("/")
        files = _DOCUMENTS[name]
        accept = request.headers.get("accept")
        offers = [m for m, f in files.items() if (self.release / f).is_file() or f in ("ontology.jsonld", "ontology.nt")]
        if not offers:
            return self.not_found(request.scope)
        html_first = _wants_html(accept) and "text/html" in offers
        media = "text/html" if html_first else negotiate(accept, [m for m in offers if m != "text/html"] or offers)
        if media is None:
            return PlainTextResponse("acceptable here: " + ", ".join(offers) + "\n", 406)
        target = "/" + files[media]
        return RedirectResponse("/" if target == "/index.html" else target, 303, headers={"vary": "Accept"})

    async def ontology_data(self, request: Request) -> Response:
        ext = request.url.path.rsplit(".", 1)[1]
        if ext not in self._ontology:
            path = self.release / "ontology.ttl"
            if not path.is_file():
                return PlainTextResponse("no ontology in this release\n", 404)
            triples = [q.triple for q in ox.parse(path.read_bytes(), format=ox.RdfFormat.TURTLE, base_iri=ONTOLOGY)]
            triples.sort(key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
            self._ontology[ext] = _serialize_graph(triples, DATA_EXTENSIONS[ext], self.settings.max_result)
        media = DATA_EXTENSIONS[ext]
        return Response(self._ontology[ext], media_type=media + ("; charset=utf-8" if media.startswith("application/n") else ""))


def _base_url(scope: Scope) -> str:
    """This server as the client reached it (scheme and Host), for absolute IRIs in descriptions."""
    host = next((v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"host"), None)
    if not host:
        server = scope.get("server") or ("127.0.0.1", 80)
        host = f"{server[0]}:{server[1]}"
    return f"{scope.get('scheme', 'http')}://{host}"


def _charset(media: str) -> str:
    return media + "; charset=utf-8" if media.startswith(("text/", "application/n-")) else media


class _AssetFiles(StaticFiles):
    """`--assets DIR` at /assets/: YASGUI's files, cached long (their version is pinned)."""

    def file_response(self, *args, **kwargs) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["cache-control"] = "public, max-age=86400"
        return response


def _html(status: int, page: str) -> Response:
    body = page.encode()
    return Response(body, status, {k.decode(): v.decode() for k, v in html_headers(body)}, media_type="text/html; charset=utf-8")


async def _plain(send, status: int, message: str, extra: list[tuple[bytes, bytes]] = ()) -> None:
    from igokg.serve.headers import COMMON

    body = (message + "\n").encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()),
        (b"access-control-allow-origin", b"*"), *COMMON, *extra]})
    await send({"type": "http.response.body", "body": body})


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


def create_app(release: Path, settings: ServeSettings | None = None, examples: list[dict[str, str]] | None = None) -> ServeApp:
    """The ASGI app for a release folder (the store is loaded at startup unless opened before)."""
    return ServeApp(Path(release), settings or ServeSettings(), examples)
