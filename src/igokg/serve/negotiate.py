"""Media types and content negotiation: which representation a client gets."""

from __future__ import annotations

import functools

import pyoxigraph as ox

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
