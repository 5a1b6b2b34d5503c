"""The shapes graph as an in-memory index of terms, and the labels results give shapes and paths.

Build it from the parsed triples (`from_triples`) to see literals as the shapes file wrote them:
a pyoxigraph Store rewrites them ("1"^^xsd:boolean becomes "true"), which changes what a
shape means (`sh:uniqueLang "1"^^xsd:boolean` does not switch the constraint on).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

import pyoxigraph as ox
import rdflib

from igokg.errors import ShapeError
from igokg.shacl.paths import parse_path
from igokg.shacl.terms import (
    Term,
    from_ox,
    from_rdflib,
)
from igokg.shacl.vocab import RDF_FIRST, RDF_NIL, RDF_REST, SH

# --------------------------------------------------------------------------- shapes graph


class _Index:
    """The shapes graph as an in-memory index of `Term`s (shapes graphs are small)."""

    def __init__(self, triples: Iterable[tuple[Term, Term, Term]], namespaces: dict[str, str] | None = None) -> None:
        #: Turtle prefixes of the shapes file(s): SPARQL constraints may use them, as pySHACL allows.
        self.namespaces: dict[str, str] = dict(namespaces or {})
        self.spo: dict[Term, dict[str, list[Term]]] = defaultdict(lambda: defaultdict(list))
        self.pos: dict[tuple[str, Term], list[Term]] = defaultdict(list)
        self.by_pred: dict[str, list[tuple[Term, Term]]] = defaultdict(list)
        seen = set()
        for s, p, o in triples:
            if (s, p, o) in seen:
                continue
            seen.add((s, p, o))
            self.spo[s][p.value].append(o)
            self.pos[(p.value, o)].append(s)
            self.by_pred[p.value].append((s, o))

    @classmethod
    def from_store(cls, store: ox.Store) -> _Index:
        return cls((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)) for q in store)

    @classmethod
    def from_triples(cls, triples: Iterable[ox.Triple | ox.Quad], namespaces: dict[str, str] | None = None) -> _Index:
        return cls(((from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)) for t in triples), namespaces)

    @classmethod
    def from_turtle(cls, sources: Iterable[tuple[bytes, str | None]]) -> _Index:
        """Parse Turtle documents (bytes, base IRI) as written, with their prefixes.

        Raises SyntaxError as pyoxigraph does; callers that read files report it with the file.
        """
        triples: list[ox.Quad] = []
        namespaces: dict[str, str] = {}
        for data, base in sources:
            parser = ox.parse(data, format=ox.RdfFormat.TURTLE, base_iri=base)
            triples += parser
            namespaces.update(parser.prefixes)
        return cls.from_triples(triples, namespaces)

    @classmethod
    def from_rdflib(cls, graph: rdflib.Graph) -> _Index:
        return cls(((from_rdflib(s), from_rdflib(p), from_rdflib(o)) for s, p, o in graph),
                   {p: str(ns) for p, ns in graph.namespaces()})

    def triples(self) -> Iterator[tuple[Term, str, Term]]:
        for s, preds in self.spo.items():
            for p, objs in preds.items():
                for o in objs:
                    yield s, p, o

    def objects(self, s: Term, p: str) -> list[Term]:
        return sorted(self.spo.get(s, {}).get(p, []), key=lambda t: t.nt)

    def subjects(self, p: str, o: Term) -> list[Term]:
        return sorted(self.pos.get((p, o), []), key=lambda t: t.nt)

    def predicates(self, s: Term) -> list[str]:
        return sorted(self.spo.get(s, {}))

    def items(self, head: Term, shape: str, what: str) -> list[Term]:
        out, node, seen = [], head, set()
        while node != Term("iri", RDF_NIL):
            if node in seen:
                raise ShapeError(shape, f"the RDF list of {what} is cyclic")
            seen.add(node)
            first, rest = self.objects(node, RDF_FIRST), self.objects(node, RDF_REST)
            if len(first) != 1 or len(rest) != 1:
                raise ShapeError(shape, f"the value of {what} is not a well-formed RDF list")
            out.append(first[0])
            node = rest[0]
        return out


def _path_label(idx: _Index, path: Term) -> str:
    try:
        return parse_path(idx, path, "").label()
    except ShapeError:
        return "[malformed path]"


def _shape_label(idx: _Index, node: Term, depth: int = 0) -> str:
    """IRI shapes are their IRI; blank ones are named after the shape that holds them."""
    if not node.is_bnode:
        return node.nt
    if depth > 8:
        return "[]"
    for parent in idx.subjects(SH + "property", node):
        paths = idx.objects(node, SH + "path")
        where = _path_label(idx, paths[0]) if paths else "?"
        return f"{_shape_label(idx, parent, depth + 1)} sh:property [{where}]"
    for pred in ("node", "not", "qualifiedValueShape"):
        for parent in idx.subjects(SH + pred, node):
            return f"{_shape_label(idx, parent, depth + 1)} sh:{pred} []"
    return "[] (anonymous shape)"


def _local(iri: str) -> str:
    return "sh:" + iri[len(SH):] if iri.startswith(SH) else f"<{iri}>"
