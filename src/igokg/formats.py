"""Stage: publish (formats). One small writer per serialization, in a registry.

Input: a list of triples (skolemized, so there are no blank nodes in the facts).
Output: bytes on disk, canonical: the same triples always give the same bytes.

Why own writers for Turtle and JSON-LD: the library serializers do not promise an
order (of prefixes, subjects or keys), and a release must be reproducible byte for
byte. The writers are small because the input is simple: IRIs and literals, sorted.
RDF/XML, which people rarely read, comes from pyoxigraph's serializer fed sorted
triples with blank nodes labelled from their content.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import pyoxigraph as ox

from igokg.namespaces import PREFIXES, RDF_TYPE, XSD

__all__ = [
    "Format",
    "FORMATS",
    "sort_triples",
    "ntriples_lines",
    "write_ntriples_gz",
    "write_ntriples",
    "write_turtle",
    "write_jsonld",
    "write_rdfxml",
    "turtle_text",
    "jsonld_context",
    "relabel_blank_nodes",
]

XSD_STRING = XSD + "string"


@dataclass(frozen=True)
class Format:
    name: str
    suffix: str
    media_type: str
    write: Callable[[list[ox.Triple], Path], None]
    compress: str | None = None  # IANA media type of the compression, if any


class SortedTriples(list):
    """A list of distinct triples in canonical order, as `sort_triples` returns it."""


def sort_triples(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    """Canonical order: by the N-Triples text of subject, predicate, object.

    Input that `sort_triples` already returned is passed through: the writers sort what
    they are given, and a release hands each of them the same sorted million triples.
    """
    if isinstance(triples, SortedTriples):
        return triples
    return SortedTriples(sorted(set(triples), key=lambda t: (str(t.subject), str(t.predicate), str(t.object))))


def ntriples_lines(triples: Iterable[ox.Triple]) -> list[str]:
    return sorted({f"{t} .\n" for t in triples})


def write_ntriples(triples: list[ox.Triple], path: Path) -> None:
    path.write_text("".join(ntriples_lines(triples)), encoding="utf-8")


def write_ntriples_gz(triples: list[ox.Triple], path: Path) -> None:
    data = "".join(ntriples_lines(triples)).encode("utf-8")
    # mtime=0 and no file name in the header: the same triples give the same bytes.
    with path.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
        gz.write(data)


# --------------------------------------------------------------------------- Turtle

_PN_LOCAL = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?$")


# Every namespace ends in "/" or "#", so the namespaces an IRI starts with are its cuts after
# a "/" or "#"; looking those up, longest first, replaces a scan of every prefix per term
# (the scan was the largest cost of writing Turtle and JSON-LD at a million triples).
_BY_NAMESPACE: dict[str, str] = {}
for _prefix, _ns in PREFIXES.items():
    assert _ns[-1] in "/#", f"namespace {_ns} must end in / or #"
    _BY_NAMESPACE.setdefault(_ns, _prefix)


def _compact(iri: str, used: set[str]) -> str:
    """The longest prefix whose local part is a valid PN_LOCAL (or empty), else `<iri>`."""
    cut = len(iri)
    while True:
        cut = max(iri.rfind("/", 0, cut), iri.rfind("#", 0, cut))
        if cut < 0:
            return f"<{iri}>"
        prefix = _BY_NAMESPACE.get(iri[: cut + 1])
        if prefix is not None:
            local = iri[cut + 1 :]
            if not local or _PN_LOCAL.match(local):
                used.add(prefix)
                return f"{prefix}:{local}"


def _turtle_term(term, used: set[str]) -> str:
    if isinstance(term, ox.NamedNode):
        return _compact(term.value, used)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    text = str(term)  # N-Triples form, correctly escaped
    if term.language:
        return text
    dt = term.datatype.value
    if dt == XSD_STRING:
        return text
    lexical = text[: text.rindex("^^")]
    return f"{lexical}^^{_compact(dt, used)}"


def turtle_text(triples: Iterable[ox.Triple], header: str = "") -> str:
    """Readable Turtle: prefixes used, one block per subject, rdf:type first."""
    used: set[str] = set()
    by_subject: dict[str, list[ox.Triple]] = {}
    for t in sort_triples(triples):
        by_subject.setdefault(str(t.subject), []).append(t)
    blocks = []
    for _key, group in sorted(by_subject.items()):
        subject = _turtle_term(group[0].subject, used)
        preds: dict[str, list[str]] = {}
        order: list[tuple[int, str, str]] = []
        for t in group:
            p = t.predicate.value
            if p not in preds:
                preds[p] = []
                order.append((0 if p == RDF_TYPE else 1, p, "a" if p == RDF_TYPE else _compact(p, used)))
            preds[p].append(_turtle_term(t.object, used))
        lines = []
        for _rank, p, shown in sorted(order):
            lines.append(f"    {shown} {' , '.join(sorted(preds[p]))}")
        blocks.append(subject + "\n" + " ;\n".join(lines) + " .\n")
    prefix_lines = [f"@prefix {p}: <{ns}> ." for p, ns in PREFIXES.items() if p in used]
    head = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines()) if header else ""
    return head + "\n".join(prefix_lines) + "\n\n" + "\n".join(blocks)


def write_turtle(triples: list[ox.Triple], path: Path, header: str = "") -> None:
    path.write_text(turtle_text(triples, header), encoding="utf-8")


# --------------------------------------------------------------------------- JSON-LD


def jsonld_context() -> dict:
    """The published @context: the project's prefixes, so compact IRIs expand everywhere."""
    return {"@context": {prefix: ns for prefix, ns in PREFIXES.items()}}


def _jsonld_value(term) -> dict | str:
    used: set[str] = set()
    if isinstance(term, ox.NamedNode):
        return {"@id": _compact(term.value, used) if _compact(term.value, used)[0] != "<" else term.value}
    if isinstance(term, ox.BlankNode):
        return {"@id": f"_:{term.value}"}
    if term.language:
        return {"@value": term.value, "@language": term.language}
    if term.datatype.value == XSD_STRING:
        return term.value
    dt = _compact(term.datatype.value, used)
    return {"@value": term.value, "@type": dt if dt[0] != "<" else term.datatype.value}


def _jsonld_key(iri: str) -> str:
    shown = _compact(iri, set())
    return iri if shown.startswith("<") else shown


def jsonld_document(triples: Iterable[ox.Triple]) -> dict:
    nodes: dict[str, dict] = {}
    for t in sort_triples(triples):
        s = t.subject
        sid = f"_:{s.value}" if isinstance(s, ox.BlankNode) else _jsonld_key(s.value)
        node = nodes.setdefault(str(s), {"@id": sid})
        if t.predicate.value == RDF_TYPE and isinstance(t.object, ox.NamedNode):
            node.setdefault("@type", []).append(_jsonld_key(t.object.value))
        else:
            node.setdefault(_jsonld_key(t.predicate.value), []).append(_jsonld_value(t.object))
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


def write_jsonld(triples: list[ox.Triple], path: Path) -> None:
    # The context is embedded (a remote context would make the file unusable offline)
    # and also published as context.jsonld for documents that want to refer to it.
    path.write_text(json.dumps(jsonld_document(triples), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------- RDF/XML


def relabel_blank_nodes(triples: list[ox.Triple]) -> list[ox.Triple]:
    """Name blank nodes from their content and their parents, so labels are stable."""
    from igokg.sources import skolemize

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


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("ntriples-gz", ".nt.gz", "application/n-triples", write_ntriples_gz, compress="application/gzip"),
        Format("turtle", ".ttl", "text/turtle", write_turtle),
        Format("jsonld", ".jsonld", "application/ld+json", write_jsonld),
        Format("rdfxml", ".rdf", "application/rdf+xml", write_rdfxml),
    )
}
