"""Literals as written: what the data says, not what the store makes of it.

Input: the Turtle files a store was loaded from (each with the graph it went into) and the
store. Output: `AsWritten`, the literals the store rewrote, which `applied(store)` puts back
as written for the time of a validation.

Why: pyoxigraph's store keeps a literal it understands as its value: "01"^^xsd:integer is
stored as "1", "1.50"^^xsd:decimal as "1.5", "5"^^xsd:int as "5"^^xsd:integer (a different
term), and "300"^^xsd:byte, which is no byte at all, as "300"^^xsd:integer. SHACL speaks of
the terms of the data graph: sh:datatype xsd:integer must reject "5"^^xsd:int, sh:maxLength 3
must reject "1.50", sh:in (1) must reject "01", and a result must name the value the data has.

How, without slowing down the common case:
1. `scan` looks only at literals whose datatype the store rewrites (numbers, booleans, dates
   and times, durations); whether it rewrote one is asked of the store itself (a scratch
   store, one batch per few thousand distinct literals), so this module holds no copy of
   oxigraph's canonical forms. The literals are the file's distinct XSD-typed ones as the
   loader found them in its N-Triples text (`Sources.xsd_literals`: one regex pass, no
   triple in Python), or, for a file given without them, those of one more parse of it.
   Files where nothing was rewritten (all the project's files, all the benchmark's) cost
   nothing more.
2. A file with rewritten literals is read again, whole, to find each rewritten triple's
   subject in the store: an IRI is itself; a blank node (the loader may have named it, or
   the parser relabelled it) is found by its content, one small query each.
3. `applied(store)` adds each rewritten triple as written, under a wrapper datatype the store
   keeps verbatim ("01"^^<urn:igokg:lexical:…#integer>), removes the rewritten form unless
   the file also wrote it, and undoes both afterwards. During validation the store holds the
   data's own terms: counts, sh:in, sh:equals see "01" and "1" as two terms, STR() gives the
   lexical form, `terms.from_ox` reads the wrapper back, and the compiled queries unwrap it
   where a value is compared (`compiler` emits those guards only when there is something to
   unwrap). pySHACL, given `reference.to_rdflib(store)` meanwhile, sees the same terms.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from igokg.namespaces import LEXICAL, XSD
from igokg.shacl.terms import Term
from igokg.shacl.xsd import CASTABLE, INTEGER_TYPES

#: Datatypes whose literals the store may rewrite.
REWRITTEN_TYPES = frozenset(CASTABLE | INTEGER_TYPES | {XSD + "dateTimeStamp"})
_BATCH = 4096
_P = ox.NamedNode("urn:igokg:lexical:p")

Graph = ox.NamedNode | ox.DefaultGraph


def wrap(term: Term) -> ox.Literal:
    """A literal kept as written: its datatype moves behind the `LEXICAL` prefix."""
    return ox.Literal(term.value, datatype=ox.NamedNode(LEXICAL + (term.datatype or XSD + "string")))


class StoredForms:
    """Which literals the store rewrites, asked of a scratch store and remembered."""

    def __init__(self) -> None:
        self._rewritten: dict[ox.Literal, bool] = {}

    def resolve(self, literals: Iterable[ox.Literal]) -> None:
        todo = [lit for lit in set(literals) if lit not in self._rewritten]
        for start in range(0, len(todo), _BATCH):
            batch = todo[start:start + _BATCH]
            scratch = ox.Store()
            scratch.extend(ox.Quad(ox.NamedNode(f"urn:igokg:lexical:{i}"), _P, lit) for i, lit in enumerate(batch))
            for q in scratch:
                lit = batch[int(q.subject.value.rsplit(":", 1)[1])]
                self._rewritten[lit] = q.object != lit

    def rewritten(self, lit: ox.Literal) -> bool:
        if lit not in self._rewritten:
            self.resolve([lit])
        return self._rewritten[lit]

    def spell(self, term: Term) -> str:
        """`term` as SPARQL text that the query engine will not rewrite either."""
        if term.is_literal and term.datatype in REWRITTEN_TYPES and self.rewritten(term.to_ox()):
            return str(wrap(term))
        return term.sparql()


def candidate(o: object) -> bool:
    return type(o) is ox.Literal and o.language is None and o.datatype.value in REWRITTEN_TYPES  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Rewrite:
    graph: Graph
    subject: ox.NamedNode | ox.BlankNode  # as the store has it
    predicate: ox.NamedNode
    written: ox.Literal
    stored_too: bool  # the file also wrote the store's form: keep it


@dataclass
class AsWritten:
    """The rewritten literals of a store, and how to put them back for a while."""

    rewrites: list[Rewrite] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)  # files whose blank nodes could not be told apart

    def __bool__(self) -> bool:
        return bool(self.rewrites)

    @contextmanager
    def applied(self, store: ox.Store) -> Iterator[None]:
        """The store holds the literals as written inside the block, and its own forms after it."""
        added = [ox.Quad(r.subject, r.predicate, wrap(_term(r.written)), r.graph) for r in self.rewrites]
        removed = [q for r in self.rewrites if not r.stored_too
                   for q in store.quads_for_pattern(r.subject, r.predicate, r.written, r.graph)]
        try:
            for q in removed:
                store.remove(q)
            store.extend(added)
            yield
        finally:
            for q in added:
                store.remove(q)
            store.extend(removed)


def _term(lit: ox.Literal) -> Term:
    return Term("literal", lit.value, lit.datatype.value)


def _parse(source: Path | bytes, base_iri: str | None) -> Iterator[ox.Quad]:
    if isinstance(source, bytes):
        return ox.parse(source, format=ox.RdfFormat.TURTLE, base_iri=base_iri)
    return ox.parse(path=str(source), format=ox.RdfFormat.TURTLE, base_iri=base_iri)


def _has_rewrite(quads: Iterable[ox.Quad], forms: StoredForms) -> bool:
    """Whether any literal of `quads` is one the store rewrites; stops at the first."""
    known = forms._rewritten
    pending: set[ox.Literal] = set()
    literal = ox.Literal
    for q in quads:
        o = q.object
        if type(o) is not literal:
            continue
        seen = known.get(o)
        if seen:
            return True
        if seen is None and o.language is None and o.datatype.value in REWRITTEN_TYPES:
            pending.add(o)
            if len(pending) >= _BATCH:
                forms.resolve(pending)
                if any(known[lit] for lit in pending):
                    return True
                pending = set()
    forms.resolve(pending)
    return any(known[lit] for lit in pending)


def _literal_quads(literals: Iterable[bytes]) -> Iterator[ox.Quad]:
    """Literals given as N-Triples terms, as the parser reads them (one triple each)."""
    doc = b"".join(b"<urn:igokg:lexical:s> <urn:igokg:lexical:p> " + lit + b" .\n" for lit in literals)
    return ox.parse(doc, format=ox.RdfFormat.N_TRIPLES)


def scan(files: Iterable[tuple[Path | bytes, Graph] | tuple[Path | bytes, Graph, Collection[bytes] | None]],
         store: ox.Store, *, base_iri: str | None = None, forms: StoredForms | None = None) -> AsWritten:
    """Find the literals the store rewrote when it loaded `files`: (Turtle file or bytes, its graph),
    or (file, graph, its XSD-typed literals as written, as N-Triples terms: `Sources.xsd_literals`).

    With the literals, a file the store rewrote nothing of (every file, as a rule) is not parsed
    again: only its distinct typed literals are asked about.
    """
    forms = forms or StoredForms()
    out = AsWritten()
    for source, graph, *known in files:
        literals = known[0] if known else None
        quads = _parse(source, base_iri) if literals is None else _literal_quads(literals)
        if _has_rewrite(quads, forms):
            where = str(source) if isinstance(source, Path) else "the data"
            _rewrites_of_file(list(_parse(source, base_iri)), graph, store, forms, out, where)
    return out


def _rewrites_of_file(quads: list[ox.Quad], graph: Graph, store: ox.Store, forms: StoredForms,
                      out: AsWritten, where: str) -> None:
    written = {(q.subject, q.predicate, q.object) for q in quads}
    found = [q for q in quads if candidate(q.object) and forms.rewritten(q.object)]
    subjects: dict[ox.BlankNode, ox.NamedNode | ox.BlankNode | None] = {}
    for q in found:
        if isinstance(q.subject, ox.BlankNode) and q.subject not in subjects:
            subjects[q.subject] = _find_blank(q.subject, quads, graph, store)
    for q in found:
        subject = subjects.get(q.subject, q.subject) if isinstance(q.subject, ox.BlankNode) else q.subject
        if subject is None:
            out.unmatched.append(where)
            continue
        stored_too = (q.subject, q.predicate, _stored_form(q.object)) in written
        out.rewrites.append(Rewrite(graph, subject, q.predicate, q.object, stored_too))
    out.unmatched = sorted(set(out.unmatched))


def _stored_form(lit: ox.Literal) -> ox.Literal:
    scratch = ox.Store()
    scratch.add(ox.Quad(ox.NamedNode("urn:igokg:lexical:s"), _P, lit))
    return next(iter(scratch)).object


def _find_blank(node: ox.BlankNode, quads: list[ox.Quad], graph: Graph, store: ox.Store) -> ox.NamedNode | ox.BlankNode | None:
    """The store's node for a parsed blank node: the one subject in `graph` with its content.

    Its own triples (nested blank nodes as variables) and the triple that points at it are
    matched; literals are written as parsed, and the query engine reads them as the store did.
    """
    names: dict[ox.BlankNode, str] = {node: "?n"}

    def spell(t: object) -> str:
        if isinstance(t, ox.BlankNode):
            names.setdefault(t, f"?b{len(names)}")
            return names[t]
        return str(t)

    patterns = [f"{spell(q.subject)} {q.predicate} {spell(q.object)} ." for q in quads
                if q.subject == node or q.object == node]
    body = " ".join(patterns)
    where = f"GRAPH {graph} {{ {body} }}" if isinstance(graph, ox.NamedNode) else body
    found = {sol["n"] for sol in store.query(f"SELECT DISTINCT ?n WHERE {{ {where} }}")}
    return found.pop() if len(found) == 1 else None
