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
    # Aliases some clients send (SPARQLWrapper's N3 and JSON lists): Turtle is N3's subset,
    # and a JSON-LD document is the JSON a client asking a graph for JSON can read.
    "application/turtle": ox.RdfFormat.TURTLE,
    "text/n3": ox.RdfFormat.TURTLE,
    "text/rdf+n3": ox.RdfFormat.TURTLE,
    "application/n3": ox.RdfFormat.TURTLE,
    "application/json": ox.RdfFormat.JSON_LD,
    "application/x-json+ld": ox.RdfFormat.JSON_LD,
}
_RESULT_OFFERS = tuple(RESULT_FORMATS)
_GRAPH_OFFERS = tuple(GRAPH_FORMATS)
#: `?format=` shortcuts, as other endpoints accept them, each as the `Accept` it stands for.
#: A name stands for a family (SPARQLWrapper's `xml` is "SPARQL XML results, or RDF/XML for a
#: graph"), so it names a results type and a graph type; `*/*;q=0.01` lets a query of the
#: other kind still be answered (SPARQLWrapper sends `format=turtle` with a SELECT too).
#: Every value SPARQLWrapper sends is here: json, xml, turtle, n3, rdf, rdf+xml, csv, tsv, json-ld.
_ANY = ", */*;q=0.01"
FORMAT_PARAM = {
    "json": "application/sparql-results+json, application/ld+json" + _ANY,
    "srj": "application/sparql-results+json" + _ANY,
    "xml": "application/sparql-results+xml, application/rdf+xml" + _ANY,
    "srx": "application/sparql-results+xml" + _ANY,
    "csv": "text/csv" + _ANY,
    "tsv": "text/tab-separated-values" + _ANY,
    "turtle": "text/turtle" + _ANY,
    "ttl": "text/turtle" + _ANY,
    "n3": "text/turtle" + _ANY,
    "ntriples": "application/n-triples" + _ANY,
    "nt": "application/n-triples" + _ANY,
    "jsonld": "application/ld+json" + _ANY,
    "json-ld": "application/ld+json" + _ANY,
    "rdfxml": "application/rdf+xml" + _ANY,
    "rdf+xml": "application/rdf+xml" + _ANY,
    "rdf": "application/rdf+xml" + _ANY,
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


def wants_page(accept: str | None) -> bool:
    """At `/sparql`: a browser, which likes HTML at least as much as any result or graph format."""
    if not accept or "text/html" not in accept.lower():
        return False
    return negotiate(accept, ("text/html", *_RESULT_OFFERS, *_GRAPH_OFFERS)) == "text/html"
