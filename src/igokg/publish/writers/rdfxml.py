"""RDF/XML, which people rarely read but some tools still want: pyoxigraph's serializer, fed
sorted triples with blank nodes labelled from their content, so the bytes are stable."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyoxigraph as ox

from igokg.namespaces import PREFIXES
from igokg.rdf import sort_triples
from igokg.sources import skolemize

__all__ = ["relabel_blank_nodes", "write_rdfxml"]


def relabel_blank_nodes(triples: list[ox.Triple]) -> list[ox.Triple]:
    """Name blank nodes from their content and their parents, so labels are stable."""
    named = skolemize(triples, "(ontology or shapes)", root_iri="urn:igokg:bnode:")

    def label(original, skolem):
        if isinstance(original, ox.BlankNode):
            return ox.BlankNode("b" + hashlib.sha256(skolem.value.encode()).hexdigest()[:16])
        return original

    # skolemize keeps the order of the triples, so each term pairs with its new name.
    return [ox.Triple(label(a.subject, b.subject), a.predicate, label(a.object, b.object)) for a, b in zip(triples, named)]


def write_rdfxml(triples: list[ox.Triple], path: Path) -> None:
    data = ox.serialize(sort_triples(relabel_blank_nodes(triples)), format=ox.RdfFormat.RDF_XML, prefixes=dict(PREFIXES))
    path.write_bytes(data)
