"""JSON-LD: all facts with the context embedded, and the context published on its own.

The context is embedded (a remote context would make the file unusable offline) and also
published as `context.jsonld` for documents that want to refer to it. Keys and values are
sorted, so the same triples give the same bytes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable

import pyoxigraph as ox

from igokg.namespaces import PREFIXES, RDF_TYPE, XSD
from igokg.publish.writers.turtle import compact_iri
from igokg.rdf import sort_triples
from igokg.release import Written

__all__ = ["jsonld_context", "jsonld_document", "write_jsonld", "write_jsonld_dump", "JSONLD_DUMP", "CONTEXT_NAME"]

JSONLD_DUMP = "igokg.jsonld"
CONTEXT_NAME = "context.jsonld"
XSD_STRING = XSD + "string"


def jsonld_context() -> dict:
    """The published @context: the project's prefixes, so compact IRIs expand everywhere."""
    return {"@context": {prefix: ns for prefix, ns in PREFIXES.items()}}


def _key(iri: str) -> str:
    shown = compact_iri(iri, set())
    return iri if shown.startswith("<") else shown


def _value(term) -> dict | str:
    if isinstance(term, ox.NamedNode):
        return {"@id": _key(term.value)}
    if isinstance(term, ox.BlankNode):
        return {"@id": f"_:{term.value}"}
    if term.language:
        return {"@value": term.value, "@language": term.language}
    if term.datatype.value == XSD_STRING:
        return term.value
    return {"@value": term.value, "@type": _key(term.datatype.value)}


def jsonld_document(triples: Iterable[ox.Triple]) -> dict:
    nodes: dict[str, dict] = {}
    for t in sort_triples(triples):
        s = t.subject
        sid = f"_:{s.value}" if isinstance(s, ox.BlankNode) else _key(s.value)
        node = nodes.setdefault(str(s), {"@id": sid})
        if t.predicate.value == RDF_TYPE and isinstance(t.object, ox.NamedNode):
            node.setdefault("@type", []).append(_key(t.object.value))
        else:
            node.setdefault(_key(t.predicate.value), []).append(_value(t.object))
    graph = []
    for key in sorted(nodes):
        node = nodes[key]
        ordered = {"@id": node.pop("@id")}
        if "@type" in node:
            ordered["@type"] = sorted(node.pop("@type"))
        for k in sorted(node):
            values = node[k]
            if len(values) == 1:  # most are: skip the sort key, a json.dumps per value
                ordered[k] = values[0]
            else:
                ordered[k] = sorted(values, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
        graph.append(ordered)
    return {**jsonld_context(), "@graph": graph}


def write_jsonld(triples: Iterable[ox.Triple], path: Path) -> None:
    path.write_text(json.dumps(jsonld_document(triples), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def write_jsonld_dump(build) -> list[Written]:
    write_jsonld(build.facts(), build.out / JSONLD_DUMP)
    (build.out / CONTEXT_NAME).write_text(json.dumps(jsonld_context(), indent=1) + "\n", encoding="utf-8")
    return [
        Written(JSONLD_DUMP, "application/ld+json", "All facts as JSON-LD", distribution=True),
        Written(CONTEXT_NAME, "application/ld+json", "The JSON-LD context of the dumps (the project's prefixes)",
                distribution=True),
    ]
