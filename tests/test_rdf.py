"""Canonical triple order: N-Triples lines as bytes, duplicates dropped, whatever the input order."""

from __future__ import annotations

import random

import pyoxigraph as ox

from igokg.rdf import canonical_ntriples, sort_ntriples, sort_triples

LINES = [
    b'<https://w3id.org/igokg/id/x> <http://www.w3.org/2000/01/rdf-schema#label> "X"@en .',
    b'<https://w3id.org/igokg/id/x#attestation-1> <https://w3id.org/igokg/ontology#quote> "caf\xc3\xa9" .',
    b'<https://w3id.org/igokg/id/x-2> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/igokg/ontology#State> .',
    b'<https://w3id.org/igokg/id/x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/igokg/ontology#State> .',
]


def test_sorted_lines_distinct_every_line_ended_in_any_input_order():
    expected = b"".join(line + b"\n" for line in sorted(LINES))
    for seed in range(5):
        shuffled = LINES * 2
        random.Random(seed).shuffle(shuffled)
        assert sort_ntriples(b"\n".join(shuffled)) == expected
    assert sort_ntriples([b"\n".join(LINES[:2]) + b"\n", b"\n".join(LINES[1:])]) == expected
    assert sort_ntriples(b"") == b""


def test_a_triple_in_two_graphs_is_one_line():
    store = ox.Store()
    for g in ("urn:a", "urn:b"):
        store.load(b"\n".join(LINES), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(g))
    text = canonical_ntriples(store, [ox.NamedNode("urn:a"), ox.NamedNode("urn:b")])
    assert text.count(b"\n") == len(LINES) and text == sort_ntriples(b"\n".join(LINES))


def test_sort_triples_agrees_with_the_text_order():
    triples = [q.triple for q in ox.parse(b"\n".join(reversed(LINES)), format=ox.RdfFormat.N_TRIPLES)]
    assert [f"{t} .".encode() for t in sort_triples(triples)] == sorted(LINES)
