"""Small RDF helpers every stage uses: canonical triple order and SELECT results as rows."""

from __future__ import annotations

from typing import Iterable

import pyoxigraph as ox

__all__ = ["SortedTriples", "sort_triples", "select_rows", "select_values", "Term"]

Term = ox.NamedNode | ox.BlankNode | ox.Literal


class SortedTriples(list):
    """A list of distinct triples in canonical order, as `sort_triples` returns it."""


def sort_triples(triples: Iterable[ox.Triple]) -> SortedTriples:
    """Canonical order: by the N-Triples text of subject, predicate, object.

    Input that `sort_triples` already returned is passed through: several writers sort
    what they are given, and a release hands each of them the same sorted triples.
    """
    if isinstance(triples, SortedTriples):
        return triples
    return SortedTriples(sorted(set(triples), key=lambda t: (str(t.subject), str(t.predicate), str(t.object))))


def select_rows(store: ox.Store, query: str, *, union: bool = True) -> list[dict[str, Term]]:
    """A SELECT query's solutions as dicts of the bound variables (unbound ones are absent)."""
    res = store.query(query, use_default_graph_as_union=union)
    names = [v.value for v in res.variables]
    return [{n: sol[n] for n in names if sol[n] is not None} for sol in res]


def select_values(store: ox.Store, query: str, *, union: bool = True) -> list[dict[str, str]]:
    """Like `select_rows`, with each bound term reduced to its value (IRI or lexical form)."""
    return [{k: v.value for k, v in row.items()} for row in select_rows(store, query, union=union)]
