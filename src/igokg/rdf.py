"""Small RDF helpers every stage uses: canonical triple order and SELECT results as rows.

The canonical order compares triples by subject, predicate and object as strings (an IRI
before any longer IRI it begins: `id:x` before `id:x#attestation-1` before `id:x-2`), a
subject's rdf:type first; duplicates are dropped. It is computed on N-Triples lines, as
bytes, with a sort key that only swaps separators, so it is a function of the triples alone
(not of files, insertion order or hash seeds). Lines that share a subject are contiguous,
and within them lines that share a predicate, so serializers fed in this order write one
block per subject, types first; an entity's inline nodes (`id:x#…`) follow it.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

__all__ = ["Term", "canonical_key", "canonical_ntriples", "select_rows", "select_values", "sort_ntriples", "sort_triples"]

Term = ox.NamedNode | ox.BlankNode | ox.Literal

_TYPE = b" <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
_TYPE_KEY = b" \x01 "
_IRI_END = b"> "
_IRI_END_KEY = b"\x02 "
# N-Triples escapes every control character, so \x01 and \x02 never occur in it: standing in
# for rdf:type and for the end of an IRI while sorting, they sort before any character of an
# IRI, and are put back exactly. (A literal that holds "> " is put back exactly too; only its
# line's place among the lines of one subject and predicate depends on it, still by content.)


def canonical_key(line: bytes) -> bytes:
    """The sort key of N-Triples text in canonical order (one line, or many)."""
    return line.replace(_TYPE, _TYPE_KEY).replace(_IRI_END, _IRI_END_KEY)


def _unkey(text: bytes) -> bytes:
    return text.replace(_IRI_END_KEY, _IRI_END).replace(_TYPE_KEY, _TYPE)


def sort_ntriples(chunks: bytes | Iterable[bytes]) -> bytes:
    """N-Triples text (one text, or several) in canonical order, duplicates dropped; every
    line ends with "\\n". Memory: the distinct lines once, and the result twice at the end."""
    lines: set[bytes] = set()
    for chunk in [chunks] if isinstance(chunks, bytes) else chunks:
        lines.update(canonical_key(chunk).split(b"\n"))
    lines.discard(b"")
    if not lines:
        return b""
    ordered = sorted(lines)
    lines.clear()
    ordered.append(b"")
    text = b"\n".join(ordered)
    del ordered
    text = text.replace(_IRI_END_KEY, _IRI_END)  # _unkey, one copy alive at a time
    return text.replace(_TYPE_KEY, _TYPE)


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
