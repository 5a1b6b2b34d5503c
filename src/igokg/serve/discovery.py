"""Discovery: how a program finds out what this server offers, without reading its docs.

Input: the release folder, the URL a client reached the server by, the store's size.
Output:

* the SPARQL 1.1 Service Description of the endpoint (`GET /sparql` without a query, for a
  client that does not ask for HTML): languages, result formats, the default dataset and its
  size, the VoID description;
* `/.well-known/void` (RFC 5785, VoID §7.2): the release's `void.ttl` plus the one fact only
  the server knows, `void:sparqlEndpoint`;
* `Link: <…>; rel="alternate"; type="…"` headers for entity documents, so a client that
  fetched one representation finds the others.

Each graph goes out in the format the client negotiates (Turtle by default, RDF/XML, JSON-LD,
N-Triples; `application/json` gets JSON-LD).
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from igokg.namespaces import DATASET_IRI, DCT, ONTOLOGY, PREFIXES, RDF_TYPE, RDFS, VOID, XSD
from igokg.serve.negotiate import GRAPH_FORMATS, negotiate

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
ENTAILMENT_SIMPLE = "http://www.w3.org/ns/entailment/Simple"
#: What the endpoint answers in, as W3C format IRIs (https://www.w3.org/ns/formats/).
RESULT_FORMAT_IRIS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                      "Turtle", "N-Triples", "JSON-LD", "RDF_XML")
#: Graph documents (service description, VoID), Turtle first: what `*/*` and no Accept get.
DOCUMENT_OFFERS = ("text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples",
                   "application/json", "application/turtle", "text/n3")
#: An entity's documents, by extension, in the order `Link` lists them.
ENTITY_DOCUMENTS = (("html", "text/html"), ("ttl", "text/turtle"), ("jsonld", "application/ld+json"),
                    ("nt", "application/n-triples"), ("rdf", "application/rdf+xml"))


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def document_media(accept: str | None) -> str | None:
    """The graph format a client asked for, or None when it asked for none we write."""
    return negotiate(accept or "*/*", DOCUMENT_OFFERS)


def answered_media(media: str) -> str:
    """The media type a document is labelled with: JSON-LD for a client that asked for JSON."""
    return {"application/json": "application/ld+json", "application/turtle": "text/turtle",
            "text/n3": "text/turtle"}.get(media, media)


def service_description(endpoint: str, triples: int, federation: bool = False) -> list[ox.Triple]:
    """The SPARQL 1.1 Service Description of the endpoint at `endpoint` (an absolute URL)."""
    s = _n(endpoint)
    dataset, graph = _n(endpoint + "#dataset"), _n(endpoint + "#default-graph")
    out = [
        ox.Triple(s, _n(RDF_TYPE), _n(SD + "Service")),
        ox.Triple(s, _n(SD + "endpoint"), s),
        ox.Triple(s, _n(SD + "supportedLanguage"), _n(SD + "SPARQL11Query")),
        ox.Triple(s, _n(SD + "defaultEntailmentRegime"), _n(ENTAILMENT_SIMPLE)),
        ox.Triple(s, _n(SD + "defaultDataset"), dataset),
        ox.Triple(s, _n(DCT + "title"), ox.Literal("igokg SPARQL endpoint (read-only)", language="en")),
        ox.Triple(s, _n(RDFS + "seeAlso"), _n(endpoint.rsplit("/", 1)[0] + "/.well-known/void")),
        ox.Triple(dataset, _n(RDF_TYPE), _n(SD + "Dataset")),
        ox.Triple(dataset, _n(SD + "defaultGraph"), graph),
        ox.Triple(graph, _n(RDF_TYPE), _n(SD + "Graph")),
        ox.Triple(graph, _n(VOID + "triples"), ox.Literal(str(triples), datatype=_n(XSD + "integer"))),
        ox.Triple(graph, _n(DCT + "description"), ox.Literal(
            "The facts of the release (described in VoID) and the ontology, together in the default graph.",
            language="en")),
        ox.Triple(graph, _n(DCT + "source"), _n(DATASET_IRI)),
        ox.Triple(graph, _n(DCT + "source"), _n(ONTOLOGY)),
    ]
    out += [ox.Triple(s, _n(SD + "resultFormat"), _n(FORMATS + f)) for f in RESULT_FORMAT_IRIS]
    if federation:
        out.append(ox.Triple(s, _n(SD + "feature"), _n(SD + "BasicFederatedQuery")))
    return out


def served_void(release: Path, endpoint: str) -> list[ox.Triple] | None:
    """The release's VoID, with the endpoint that serves it; None when the release has no void.ttl."""
    path = Path(release) / "void.ttl"
    if not path.is_file():
        return None
    triples = [q.triple for q in ox.parse(path.read_bytes(), format=ox.RdfFormat.TURTLE)]
    triples.append(ox.Triple(_n(DATASET_IRI), _n(VOID + "sparqlEndpoint"), _n(endpoint)))
    return triples


def serialize(triples: list[ox.Triple], media: str) -> bytes:
    """A small description in the negotiated format: sorted, with only the prefixes it uses."""
    fmt = GRAPH_FORMATS[media]
    triples = sorted(set(triples), key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    prefixes = None
    if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML):
        namespaces = {**PREFIXES, "sd": SD, "formats": FORMATS}
        iris = {term.value for t in triples for term in (t.subject, t.predicate, t.object)
                if isinstance(term, ox.NamedNode)}
        iris |= {t.object.datatype.value for t in triples if isinstance(t.object, ox.Literal)}
        prefixes = {p: ns for p, ns in namespaces.items() if any(i.startswith(ns) for i in iris)}
    return ox.serialize(triples, format=fmt, prefixes=prefixes)


def entity_links(slug: str, available: set[str]) -> str:
    """`Link` header value: the entity's other documents (`available` holds their extensions)."""
    return ", ".join(f'</id/{slug}.{ext}>; rel="alternate"; type="{media}"'
                     for ext, media in ENTITY_DOCUMENTS if ext in available)
