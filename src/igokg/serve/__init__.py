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

    app        the ASGI application: routing, SPARQL protocol, cool URIs, entry points
    negotiate  media types and content negotiation
    files      release files: media types, ETags, conditional requests, safe paths
    pool       query worker processes, killed at the time limit
    answer     what a worker does with one request
    cache      query results kept in memory
    store      the release loaded into an on-disk store
    settings   limits and switches

`serve` takes a release folder and never builds one: `igokg serve` builds first when the
folder is missing (that is the CLI's decision, not this package's).
"""

from igokg.serve.app import SparqlApp, create_app, run_server
from igokg.serve.negotiate import negotiate
from igokg.serve.settings import ServeSettings
from igokg.serve.store import load_release_store

__all__ = ["ServeSettings", "SparqlApp", "create_app", "run_server", "negotiate", "load_release_store"]
