"""Blank nodes named from their content, on N-Triples text, the names the loader always gave."""

from __future__ import annotations

import hashlib

import pyoxigraph as ox
import pytest

from igokg.errors import SourceError
from igokg.sources import skolemize_ntriples, turtle_to_ntriples

PREFIX = "@prefix id: <https://w3id.org/igokg/id/> .\n@prefix igo: <https://w3id.org/igokg/ontology#> .\n"
ID, IGO = "https://w3id.org/igokg/id/", "https://w3id.org/igokg/ontology#"


def _named(turtle: str, **kw) -> list[str]:
    nt = skolemize_ntriples(turtle_to_ntriples((PREFIX + turtle).encode(), "x.ttl"), "x.ttl", **kw)
    return sorted(nt.decode().splitlines())


def _digest(parts: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted(parts)).encode()).hexdigest()


def test_a_name_is_parent_predicate_and_the_hash_of_the_sorted_content():
    lines = _named('id:e igo:participation [ igo:participant id:p ; igo:capacity "chair" ] .')
    h = _digest([f"<{IGO}participant> <{ID}p>", f'<{IGO}capacity> "chair"'])[:8]
    node = f"<{ID}e#participation-{h}>"
    assert lines == sorted([f"<{ID}e> <{IGO}participation> {node} .", f'{node} <{IGO}capacity> "chair" .',
                            f"{node} <{IGO}participant> <{ID}p> ."])


def test_a_nested_node_is_named_below_its_parent_and_hashed_into_it():
    lines = _named('id:e igo:participation [ igo:attestation [ igo:quote "q" ] ] .')
    inner = _digest([f'<{IGO}quote> "q"'])
    outer = _digest([f"<{IGO}attestation> {inner}"])
    child = f"{ID}e#participation-{outer[:8]}.attestation-{inner[:8]}"
    assert f'<{child}> <{IGO}quote> "q" .' in lines


def test_the_same_content_written_in_another_order_gets_the_same_names():
    a = _named('id:e igo:participation [ igo:participant id:p ; igo:capacity "chair" ] , [ igo:participant id:q ] .')
    b = _named('id:e igo:participation [ igo:participant id:q ] , [ igo:capacity "chair" ; igo:participant id:p ] .')
    assert a == b


def test_blank_node_text_inside_a_literal_is_left_alone():
    lines = _named('id:e igo:quote "it said _:b and _:b ." ; igo:participation [ igo:quote "x _:y ." ] .')
    assert f'<{ID}e> <{IGO}quote> "it said _:b and _:b ." .' in lines
    assert not [line for line in lines if line.startswith("_:") or line.endswith("_:y .")]


def test_stable_blank_labels_for_formats_that_keep_blank_nodes():
    lines = _named("[] igo:about [ igo:quote \"q\" ] .", root_iri="urn:igokg:bnode:", blank=True)
    assert len(lines) == 2 and all(line.startswith("_:b") for line in lines)
    assert lines == _named("[] igo:about [ igo:quote \"q\" ] .", root_iri="urn:igokg:bnode:", blank=True)


def test_unnamed_roots_shared_nodes_cycles_and_twins_are_refused():
    with pytest.raises(SourceError, match="referenced 0 times"):
        _named('[] igo:quote "orphan" .')
    with pytest.raises(SourceError, match="referenced 2 times"):
        _named('id:a igo:participation _:b .\nid:c igo:participation _:b .\n_:b igo:capacity "x" .')
    with pytest.raises(SourceError, match="cycle"):
        _named("_:b igo:next _:c .\n_:c igo:next _:b .")
    with pytest.raises(SourceError, match="cycle"):
        _named("_:b igo:next _:b .")
    with pytest.raises(SourceError, match="identical content"):
        _named('id:a igo:participation [ igo:capacity "x" ] , [ igo:capacity "x" ] .')


def test_a_text_without_blank_nodes_is_returned_as_it_is():
    nt = turtle_to_ntriples((PREFIX + 'id:e igo:quote "no _:blank here" .').encode(), "x.ttl")
    assert skolemize_ntriples(nt, "x.ttl") is nt or skolemize_ntriples(nt, "x.ttl") == nt
    assert [q.triple for q in ox.parse(nt, format=ox.RdfFormat.N_TRIPLES)]


def test_unordered_output_holds_the_same_lines_and_refuses_the_same_input():
    ttl = (PREFIX + 'id:e igo:participation [ igo:attestation [ igo:quote "a> _:x ." ] ; igo:capacity "c" ] , '
           '[ igo:participant id:p ] ; igo:quote "q" .\nid:f igo:participation [ igo:capacity "d" ] .\n').encode()
    nt = turtle_to_ntriples(ttl, "x.ttl")
    ordered = skolemize_ntriples(nt, "x.ttl")
    unordered = skolemize_ntriples(nt, "x.ttl", ordered=False)
    assert sorted(ordered.splitlines()) == sorted(line for line in unordered.splitlines() if line)
    assert len(list(ox.parse(unordered, format=ox.RdfFormat.N_TRIPLES))) == len(ordered.splitlines()) == 9
    shared = turtle_to_ntriples((PREFIX + "id:a igo:participation _:b .\nid:c igo:participation _:b .\n"
                                 '_:b igo:capacity "x" .').encode(), "x.ttl")
    with pytest.raises(SourceError, match=r'referenced 2 times \(it holds "x"\)'):
        skolemize_ntriples(shared, "x.ttl", ordered=False)


def test_the_last_line_may_lack_its_newline():
    nt = turtle_to_ntriples((PREFIX + 'id:e igo:participation [ igo:capacity "c" ] .').encode(), "x.ttl")
    assert skolemize_ntriples(nt.rstrip(b"\n"), "x.ttl") == skolemize_ntriples(nt, "x.ttl").rstrip(b"\n")
