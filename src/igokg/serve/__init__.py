"""Stage: serve. The release on the web: SPARQL endpoint, cool URIs, downloads, site.

Input: a release folder (what `igokg build` writes: `igokg.nt.gz`, `ontology.ttl`, the
static site pages and entity documents, the dumps). Output: an HTTP server that

* answers the SPARQL 1.1 Protocol at `/sparql` (GET, POST form, POST
  `application/sparql-query`), results by `Accept`; a browser gets a query editor;
* resolves the entity IRIs `/id/<slug>` and the ontology IRI `/ontology` by content
  negotiation (303 to the release's `.html`, `.ttl`, `.jsonld` files, or `.nt`, `.rdf`);
* serves the release files with media types, ETag / Last-Modified (304) and gzip.

Design (measured; see docs/serve.md): a supervisor and N serving processes sharing one
socket; each runs uvicorn, answers queries in-process on threads (pyoxigraph releases the
GIL), admits them fairly per client, and is replaced when a query outlives the limit.

    app        the ASGI application: Starlette routes for pages, entities and files
    sparql     the SPARQL protocol at /sparql (a plain ASGI callable: the hot path)
    execute    queries on threads, time limit, runaway handling
    admission  slots, per-client limits, the bounded queue, Retry-After
    answer     one query: federation check, evaluation, serialization within a cap
    negotiate  media types and content negotiation
    files      release files (StaticFiles): ETags from SHA256SUMS, base-IRI links, safe paths
    headers    security headers and the Content-Security-Policy
    cache      query results kept in memory
    store      the release loaded into an on-disk store; scratch folders and their clean-up
    protocol   uvicorn's HTTP protocol with a deadline for request headers
    server     the supervisor and its serving processes
    settings   limits and switches

`serve` takes a release folder and never builds one: `igokg serve` builds first when the
folder is missing (that is the CLI's decision, not this package's).
"""

from igokg.serve.app import ServeApp, create_app
from igokg.serve.negotiate import negotiate
from igokg.serve.server import run_server
from igokg.serve.settings import ServeSettings
from igokg.serve.store import load_release_store

__all__ = ["ServeApp", "ServeSettings", "create_app", "load_release_store", "negotiate", "run_server"]
