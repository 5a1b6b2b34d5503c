"""Literals as written: the store's rewrites are found, put back for validation, and undone."""

from __future__ import annotations

import pyoxigraph as ox

from igokg.shacl import ShapesGraph, scan, validate_shapes
from igokg.shacl.lexical import StoredForms, wrap
from igokg.shacl.terms import Term, from_ox
from igokg.sources import skolemize

PREFIXES = b"""@prefix ex: <http://example.org/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
"""
XSD = "http://www.w3.org/2001/XMLSchema#"
G = ox.NamedNode("urn:igokg:file:data/x.ttl")


def load(ttl: bytes, *, bulk: bool = True) -> tuple[ox.Store, bytes]:
    data = PREFIXES + ttl
    store = ox.Store()
    if bulk:
        store.bulk_load(data, ox.RdfFormat.TURTLE, to_graph=G)
    else:
        store.extend(ox.Quad(q.subject, q.predicate, q.object, G) for q in ox.parse(data, format=ox.RdfFormat.TURTLE))
    return store, data


def objects(store: ox.Store) -> set[str]:
    return {from_ox(q.object).nt for q in store if isinstance(q.object, ox.Literal)}


def test_stored_forms_are_asked_of_the_store():
    forms = StoredForms()
    integer = lambda lex, dt="integer": ox.Literal(lex, datatype=ox.NamedNode(XSD + dt))
    assert forms.rewritten(integer("01")) and forms.rewritten(integer("5", "int")) and forms.rewritten(integer("300", "byte"))
    assert not forms.rewritten(integer("1")) and not forms.rewritten(integer("aldi"))
    assert forms.spell(Term("literal", "01", XSD + "integer")) == str(wrap(Term("literal", "01", XSD + "integer")))
    assert forms.spell(Term("literal", "1", XSD + "integer")) == f'"1"^^<{XSD}integer>'


def test_files_with_only_canonical_literals_have_nothing_to_put_back():
    store, data = load(b'ex:a ex:p 1, "2018-06-09"^^xsd:date, "2018"^^xsd:gYear, true, "x"@en, "aldi"^^xsd:integer .')
    assert not scan([(data, G)], store)


def test_rewritten_literals_are_put_back_as_written_and_the_store_restored_after():
    store, data = load(b'ex:a ex:p "01"^^xsd:integer, "1.50"^^xsd:decimal, "5"^^xsd:int, 7 .')
    before = set(store)
    as_written = scan([(data, G)], store)
    assert len(as_written.rewrites) == 3
    with as_written.applied(store):
        assert objects(store) == {f'"01"^^<{XSD}integer>', f'"1.50"^^<{XSD}decimal>', f'"5"^^<{XSD}int>', f'"7"^^<{XSD}integer>'}
    assert set(store) == before


def test_a_form_the_file_also_wrote_verbatim_stays():
    # "01" and "1" are one triple in the store, two in the data: both are there during validation.
    store, data = load(b'ex:a ex:p "01"^^xsd:integer, "1"^^xsd:integer .')
    assert len(store) == 1
    with scan([(data, G)], store).applied(store):
        assert objects(store) == {f'"01"^^<{XSD}integer>', f'"1"^^<{XSD}integer>'}
    assert len(store) == 1


def test_blank_node_subjects_are_found_by_their_content_whatever_the_parser_named_them():
    # The bulk loader labels [ ] afresh on every parse: the scan cannot rely on labels.
    store, data = load(b'ex:a ex:p [ ex:q "01"^^xsd:integer ; ex:r "x" ], [ ex:q 2 ; ex:r "y" ] .')
    as_written = scan([(data, G)], store)
    (rewrite,) = as_written.rewrites
    assert isinstance(rewrite.subject, ox.BlankNode)
    assert next(iter(store.quads_for_pattern(rewrite.subject, ox.NamedNode("http://example.org/r"), None))).object.value == "x"
    assert as_written.unmatched == []


def test_skolemized_blank_nodes_are_found_too():
    data = PREFIXES + b'ex:a ex:p [ ex:q "01"^^xsd:integer ] .'
    store = ox.Store()
    triples = skolemize([q.triple for q in ox.parse(data, format=ox.RdfFormat.TURTLE)], "data/x.ttl")
    store.extend(ox.Quad(t.subject, t.predicate, t.object, G) for t in triples)
    (rewrite,) = scan([(data, G)], store).rewrites
    assert rewrite.subject.value.startswith("http://example.org/a#p-")


def test_blank_nodes_alike_but_for_the_lexical_form_cannot_be_told_apart_and_say_so():
    store, data = load(b'ex:a ex:p [ ex:q "01"^^xsd:integer ], [ ex:q "1"^^xsd:integer ] .')
    as_written = scan([(data, G)], store)
    assert as_written.unmatched == ["the data"]
    outcome = validate_shapes(ShapesGraph.from_turtle([(PREFIXES + b"ex:S a sh:NodeShape ; sh:targetNode ex:a .", None)]),
                              store, as_written=as_written)
    assert outcome.notes == [("literals as written could not be restored for blank nodes in the data; "
                              "they are checked as the store holds them")]


def test_scan_reads_files_from_disk(tmp_path):
    path = tmp_path / "x.ttl"
    path.write_bytes(PREFIXES + b'ex:a ex:p "+3"^^xsd:integer .')
    store = ox.Store()
    store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=G)
    (rewrite,) = scan([(path, G)], store).rewrites
    assert rewrite.written.value == "+3" and rewrite.graph == G


def test_given_a_files_typed_literals_the_scan_parses_only_a_file_with_a_rewrite(tmp_path):
    from igokg.sources.turtle import turtle_to_ntriples, xsd_literals

    store, data = load(b'ex:a ex:p 1, "2018-06-09"^^xsd:date, "01"^^xsd:integer .')
    literals = xsd_literals(turtle_to_ntriples(data, "x.ttl"))
    canonical = literals - {f'"01"^^<{XSD}integer>'.encode()}
    missing = tmp_path / "not-there.ttl"  # never read: its literals say nothing was rewritten
    assert not scan([(missing, G, canonical)], store)
    path = tmp_path / "x.ttl"
    path.write_bytes(data)
    assert scan([(path, G, literals)], store).rewrites == scan([(path, G)], store).rewrites
    assert len(scan([(path, G, literals)], store).rewrites) == 1
