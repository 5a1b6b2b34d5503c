"""RDF/XML, which people rarely read but some tools still want: pyoxigraph's serializer, fed
triples in canonical order with blank nodes labelled from their content, so the bytes are stable."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from igokg.namespaces import PREFIXES
from igokg.rdf import sort_ntriples
from igokg.sources import skolemize_ntriples

__all__ = ["relabel_blank_nodes", "write_rdfxml"]


def relabel_blank_nodes(nt: bytes) -> bytes:
    """N-Triples with every blank node labelled from its content and its parents, sorted."""
    return sort_ntriples(skolemize_ntriples(nt, "(ontology or shapes)", root_iri="urn:igokg:bnode:", blank=True))


def write_rdfxml(nt: bytes, path: Path) -> None:
    """`nt`: the graph as N-Triples (blank nodes with any labels)."""
    triples = (q.triple for q in ox.parse(relabel_blank_nodes(nt), format=ox.RdfFormat.N_TRIPLES))
    path.write_bytes(ox.serialize(triples, format=ox.RdfFormat.RDF_XML, prefixes=dict(PREFIXES)))
