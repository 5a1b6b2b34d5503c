"""Stage: serve. The release on the web: SPARQL endpoint, cool URIs, downloads, site.

Input: a release folder (what `igokg build` writes: `igokg.nt.gz`, `ontology.ttl`, the
static site pages and entity documents, the dumps). Output: an HTTP server that

* answers the SPARQL 1.1 Protocol at `/sparql` (GET, POST form, POST
  `application/sparql-query`), results by `Accept`; a browser gets a query editor (YASGUI)
  and a results page, a program without a query the Service Description;
* searches names, abbreviations and other labels (`/search?q=`), from the release's index;
* resolves the entity IRIs `/id/<slug>` and the ontology IRI `/ontology` by content
  negotiation (303 to the release's `.html`, `.ttl`, `.jsonld` files, or `.nt`, `.rdf`);
* serves the release files with media types, ETag / Last-Modified (304) and gzip.

Design (measured; see docs/serve.md): a supervisor loads the release into an in-memory
store and forks N serving processes that share it and one socket; each runs its own
HTTP/1.1 front, a thread per connection, answers queries on the connection's thread
(pyoxigraph releases the GIL), admits them fairly per client, and is replaced when a query
outlives the limit.

    app        the ASGI application: Starlette routes for pages, entities and files
    pages      the query editor and a query's results page
    assets     the editor's files (YASGUI): CDN with SRI, or a checked local copy
    discovery  Service Description, /.well-known/void, Link headers
    search     /search over the release's full-text index
    protocol   the HTTP/1.1 front: a thread per connection, deadlines, queries answered on it
    bridge     ASGI on a connection's thread: how the front runs the Starlette app
    wire       response heads as bytes: status lines, Date, header blocks
    sparql     the SPARQL protocol at /sparql: parse, run, shape the response (also ASGI)
    execute    queries on the caller's thread, the time limit's watchdog, runaways
    admission  slots, per-client limits, the bounded queue, Retry-After
    answer     one query: federation check, evaluation, serialization within a cap
    negotiate  media types and content negotiation
    files      release files (StaticFiles): ETags from SHA256SUMS, base-IRI links, safe paths
    headers    security headers and the Content-Security-Policy
    cache      query results kept in memory
    store      the release loaded into memory; clean-up of older servers' scratch folders
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
