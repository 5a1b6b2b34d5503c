"""Stage: push. Load a built release into an external triple store, atomically.

Input: a release folder (`igokg.nt.gz` and `void.ttl`, as `igokg build` writes them)
and a SPARQL endpoint. Output: the target named graph on that server replaced by the
release, and a `PushReport`.

Only standard protocols are spoken, so any SPARQL 1.1 store works (Oxigraph server,
Fuseki, Virtuoso, GraphDB…):

1. the dump is streamed, decompressed, in chunks of N-Triples lines into a fresh
   staging graph with the SPARQL 1.1 Graph Store HTTP Protocol (first chunk PUT,
   the next ones POST to the same graph);
2. the staging graph's triple count is checked against `void:triples` of the
   dataset in `void.ttl`;
3. ONE SPARQL Update request replaces the target by the staging graph (DELETE the
   target's triples, INSERT the staging graph's, DELETE the staging graph's; see
   `swap_update` for why not MOVE). A single request is one transaction on Oxigraph
   and Virtuoso (tested) and Fuseki/TDB2, so readers see the old graph or the new
   one, never a mixture.

On any failure before the swap the staging graph is dropped (best effort: a server
that died cannot drop anything; the error then names the graph to drop) and the
target is never touched. A staging graph is held under a lease renewed while its push
runs; a successful push drops the staging graphs of its target whose lease lapsed
(`staging`), so a push that died leaves nothing for long.

HTTP is stdlib `urllib`: a handful of PUT/POST requests with bounded bodies need no
extra dependency, and one code path for every request keeps error mapping and
credential redaction in one place (SPARQLWrapper has no Graph Store Protocol).
    run     push_release: plan, upload, verify, swap
    plan    the dump in chunks, its expected size, the staging graph, the swap update
    staging the staging graph's lease, and the sweep of stale staging graphs
    client  HTTP (urllib), errors mapped, credentials redacted, igokg's User-Agent
    auth    credentials and endpoints
"""

from igokg.push.auth import Auth, auth_from_settings, derive_endpoints
from igokg.push.plan import (
           CHUNK_TRIPLES,
           DEFAULT_GRAPH,
           PushPlan,
           plan_push,
           swap_update,
)
from igokg.push.run import PushReport, push_release

__all__ = ["Auth", "auth_from_settings", "derive_endpoints", "CHUNK_TRIPLES", "DEFAULT_GRAPH", "PushPlan", "plan_push",
           "swap_update", "PushReport", "push_release"]
