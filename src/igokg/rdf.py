"""Small RDF helpers every stage uses: canonical triple order and SELECT results as rows.

The canonical order is that of N-Triples lines compared as bytes (UTF-8, so by code point),
duplicates dropped. It is a function of the triples alone (not of the files they come from,
the order they were loaded in or Python's hash seed). Lines that share a subject are
contiguous, and within them lines that share a predicate, so serializers fed in this order
write one block per subject and one list of objects per predicate.

(Two refinements were tried and dropped: rdf:type first in each block, and an entity's
inline nodes `id:x#…` right after it. Both need a sort key other than the line, and building
it cost more than the sort itself at a million triples.)
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

__all__ = ["Term", "canonical_ntriples", "select_rows", "select_values", "sort_ntriples", "sort_triples"]

Term = ox.NamedNode | ox.BlankNode | ox.Literal

def sort_ntriples(chunks: bytes | Iterable[bytes]) -> bytes:
    """N-Triples text (one text, or several) in canonical order, duplicates dropped; every
    line ends with "\\n". Memory: the lines once as objects, then the result.

    No set: a graph's lines are distinct already, so a triple in two graphs shows up as two
    equal neighbours once sorted, and is dropped there (a set cost a hash table the size of the
    lines and a third of the time).
    """
    lines: list[bytes] = []
    for chunk in [chunks] if isinstance(chunks, bytes) else chunks:
        lines += chunk.split(b"\n")
    lines.sort()
    distinct = [line for line, before in zip(lines, [b"", *lines]) if line != before]
    del lines
    if not distinct:
        return b""
    distinct.append(b"")
    return b"\n".join(distinct)


def canonical_ntriples(store: ox.Store, graphs: Iterable[ox.NamedNode]) -> bytes:
    """The triples of `graphs` (their union, as a set) as N-Triples text in canonical order.

    pyoxigraph writes each graph natively; Python only splits and sorts the lines.
    """
    return sort_ntriples(store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=g) for g in graphs)


def sort_triples(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    """Triples in canonical order, distinct (for small graphs; large ones stay text)."""
    data = sort_ntriples(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))
    return [q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]


def select_rows(store: ox.Store, query: str, *, union: bool = True) -> list[dict[str, Term]]:
    """A SELECT query's solutions as dicts of the bound variables (unbound ones are absent)."""
    res = store.query(query, use_default_graph_as_union=union)
    names = [v.value for v in res.variables]
    return [{n: sol[n] for n in names if sol[n] is not None} for sol in res]


def select_values(store: ox.Store, query: str, *, union: bool = True) -> list[dict[str, str]]:
    """Like `select_rows`, with each bound term reduced to its value (IRI or lexical form)."""
    return [{k: v.value for k, v in row.items()} for row in select_rows(store, query, union=union)]
