"""Stage: wikidata. Check our links to Wikidata, lay our facts beside its statements, and
write what Wikidata lacks as QuickStatements.

Input: the loaded `Sources` and a `WikidataClient` (a SPARQL endpoint: the Wikidata Query
Service by default, a local Oxigraph server loaded with a Wikidata-shaped fixture in the tests).
Output: reports that are data — `CheckReport`, `DiffReport`, `QuickStatementsReport` — each
rendering to a terminal table, CSV and JSON.

The client follows Wikimedia's etiquette for the Query Service: a descriptive User-Agent with
the operator's contact (`IGOKG_WIKIDATA_CONTACT`, required for Wikimedia's services), few and
batched queries (`VALUES`), a total deadline per request, retries with exponential backoff on
429 and 503 that honour `Retry-After` within a capped total wait, and a disk cache keyed by
the query's hash, so that a rerun asks the service nothing. Every failure becomes a
`RemoteError` naming the endpoint and the HTTP status.

    client           the SPARQL client: User-Agent, batching, retries, cache
    http             one HTTP request under a total deadline
    check            every owl:sameAs QID: exists, not merged, label and type fit
    diff             our statements beside Wikidata's
    quickstatements  what Wikidata lacks, as QuickStatements v1
    labels, dates    comparing labels across scripts, dates at Wikidata's precision
    ours             our side of the comparisons, read from the graph
    output           reports to files, and the release writer of the diff

A consumer: it imports from the stages above it (sources, query), never from publish, serve
or push; `cli` hands its diff writer to `build_release`.
"""

from igokg.wikidata.check import CheckReport, LinkCheck, check_links
from igokg.wikidata.client import (
    DEFAULT_ENDPOINT,
    WIKIMEDIA_DOMAINS,
    CacheMiss,
    WikidataClient,
)
from igokg.wikidata.dates import WDate, qs_time
from igokg.wikidata.diff import DiffReport, DiffRow, diff_statements
from igokg.wikidata.labels import labels_match, normalize_label
from igokg.wikidata.output import write_report, write_wikidata_diff
from igokg.wikidata.quickstatements import (
    QuickStatement,
    QuickStatementsReport,
    quickstatements,
)

__all__ = [
    "DEFAULT_ENDPOINT",
    "WIKIMEDIA_DOMAINS",
    "WDate",
    "qs_time",
    "labels_match",
    "normalize_label",
    "WikidataClient",
    "CacheMiss",
    "LinkCheck",
    "CheckReport",
    "DiffRow",
    "DiffReport",
    "QuickStatement",
    "QuickStatementsReport",
    "check_links",
    "diff_statements",
    "quickstatements",
    "write_report",
    "write_wikidata_diff",
]
