"""The shapes graph as an in-memory index of terms, and the labels results give shapes and paths."""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable

import pyoxigraph as ox
import rdflib

from igokg.errors import ShapeError
from igokg.shacl.terms import (
    Term,
    from_ox,
    from_rdflib,
)
from igokg.shacl.vocab import RDF_FIRST, RDF_NIL, RDF_REST, SH

# --------------------------------------------------------------------------- shapes graph


class _Index:
    """The shapes graph as an in-memory index of `Term`s (shapes graphs are small)."""

    def __init__(self, triples: Iterable[tuple[Term, Term, Term]]) -> None:
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
    def from_store(cls, store: ox.Store) -> "_Index":
        return cls((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)) for q in store)

    @classmethod
    def from_rdflib(cls, graph: rdflib.Graph) -> "_Index":
        return cls((from_rdflib(s), from_rdflib(p), from_rdflib(o)) for s, p, o in graph)

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
    if path.is_iri:
        return path.nt
    inverse = idx.objects(path, SH + "inversePath")
    if path.is_bnode and len(inverse) == 1 and inverse[0].is_iri and len(idx.predicates(path)) == 1:
        return "^" + inverse[0].nt
    return "[complex path]"


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
