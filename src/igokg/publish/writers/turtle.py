"""Turtle: readable and canonical — the prefixes used, one block per subject, `a` first.

Why an own writer: library serializers do not promise an order (of prefixes, subjects or
objects), and a release must be reproducible byte for byte. The input is simple (IRIs and
literals, sorted), so the writer is small.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable

import pyoxigraph as ox

from igokg.namespaces import PREFIXES, RDF_TYPE, XSD
from igokg.rdf import sort_triples
from igokg.release import Written

__all__ = ["turtle_text", "write_turtle", "write_turtle_dump", "compact_iri", "TURTLE_DUMP"]

TURTLE_DUMP = "igokg.ttl"
XSD_STRING = XSD + "string"
_PN_LOCAL = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?$")

# Every namespace ends in "/" or "#", so the namespaces an IRI starts with are its cuts after
# a "/" or "#"; looking those up, longest first, replaces a scan of every prefix per term
# (the scan was the largest cost of writing Turtle and JSON-LD at a million triples).
_BY_NAMESPACE: dict[str, str] = {}
for _prefix, _ns in PREFIXES.items():
    assert _ns[-1] in "/#", f"namespace {_ns} must end in / or #"
    _BY_NAMESPACE.setdefault(_ns, _prefix)


def compact_iri(iri: str, used: set[str]) -> str:
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
        return compact_iri(term.value, used)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    text = str(term)  # N-Triples form, correctly escaped
    if term.language:
        return text
    dt = term.datatype.value
    if dt == XSD_STRING:
        return text
    lexical = text[: text.rindex("^^")]
    return f"{lexical}^^{compact_iri(dt, used)}"


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
                order.append((0 if p == RDF_TYPE else 1, p, "a" if p == RDF_TYPE else compact_iri(p, used)))
            preds[p].append(_turtle_term(t.object, used))
        lines = []
        for _rank, p, shown in sorted(order):
            lines.append(f"    {shown} {' , '.join(sorted(preds[p]))}")
        blocks.append(subject + "\n" + " ;\n".join(lines) + " .\n")
    prefix_lines = [f"@prefix {p}: <{ns}> ." for p, ns in PREFIXES.items() if p in used]
    head = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines()) if header else ""
    return head + "\n".join(prefix_lines) + "\n\n" + "\n".join(blocks)


def write_turtle(triples: Iterable[ox.Triple], path: Path, header: str = "") -> None:
    path.write_text(turtle_text(triples, header), encoding="utf-8")


def write_turtle_dump(build) -> list[Written]:
    header = (
        f"igokg {build.project.version}: the open knowledge graph of intergovernmental organizations.\n"
        f"Data licence: CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/). Described in void.ttl."
    )
    write_turtle(build.facts(), build.out / TURTLE_DUMP, header=header)
    return [Written(TURTLE_DUMP, "text/turtle", "All facts as Turtle", distribution=True)]
