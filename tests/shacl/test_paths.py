"""SHACL paths: read from the shapes graph, written as SPARQL property paths and as Turtle."""

from __future__ import annotations

import pytest

from igokg.errors import ShapeError
from igokg.shacl import ShapesGraph
from igokg.shacl.paths import parse_path
from igokg.shacl.terms import Term

PREFIXES = ("@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> . "
            "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> . ")


def path(ttl: str):
    idx = ShapesGraph.from_turtle([((PREFIXES + f"ex:S sh:path {ttl} .").encode(), None)])
    (node,) = idx.objects(Term("iri", "http://example.org/S"), "http://www.w3.org/ns/shacl#path")
    return parse_path(idx, node, "ex:S")


def p(local: str) -> str:
    return f"<http://example.org/{local}>"


@pytest.mark.parametrize(
    ("ttl", "label", "sparql", "nullable"),
    [
        ("ex:p", p("p"), p("p"), False),
        ("[ sh:inversePath ex:p ]", f"[ sh:inversePath {p('p')} ]", f"^({p('p')})", False),
        ("( ex:p ex:q )", f"( {p('p')} {p('q')} )", f"({p('p')} / {p('q')})", False),
        ("[ sh:alternativePath ( ex:p ex:q ) ]", f"[ sh:alternativePath ( {p('p')} {p('q')} ) ]", f"({p('p')} | {p('q')})", False),
        ("[ sh:zeroOrMorePath ex:p ]", f"[ sh:zeroOrMorePath {p('p')} ]", f"({p('p')})*", True),
        ("[ sh:oneOrMorePath ex:p ]", f"[ sh:oneOrMorePath {p('p')} ]", f"({p('p')})+", False),
        ("[ sh:zeroOrOnePath ex:p ]", f"[ sh:zeroOrOnePath {p('p')} ]", f"({p('p')})?", True),
        ("( [ sh:zeroOrOnePath ex:p ] [ sh:zeroOrMorePath ex:q ] )",
         f"( [ sh:zeroOrOnePath {p('p')} ] [ sh:zeroOrMorePath {p('q')} ] )", f"(({p('p')})? / ({p('q')})*)", True),
        ("[ sh:inversePath ( ex:p ex:q ) ]", f"[ sh:inversePath ( {p('p')} {p('q')} ) ]", f"^(({p('p')} / {p('q')}))", False),
    ],
)
def test_paths_are_written_as_turtle_and_as_sparql(ttl, label, sparql, nullable):
    parsed = path(ttl)
    assert (parsed.label(), parsed.sparql(), parsed.nullable) == (label, sparql, nullable)


def test_a_list_is_a_sequence_even_with_other_path_properties():
    # W3C path-strange-001: the list wins.
    strange = path("[ rdf:first ex:p ; rdf:rest ( ex:q ) ; sh:inversePath ex:p ]")
    assert strange.label() == f"( {p('p')} {p('q')} )"


@pytest.mark.parametrize(("ttl", "message"), [
    ("( ex:p )", "at least two members"),
    ('"p"', "literal"),
    ("[ sh:alternativePath ( ex:p ) ]", "at least two paths"),
    ("[ ex:x ex:y ]", "is not a SHACL path"),
])
def test_malformed_paths_are_shape_errors(ttl, message):
    with pytest.raises(ShapeError) as info:
        path(ttl)
    assert message in str(info.value)


def test_compact_labels_for_reports():
    assert path("[ sh:inversePath ex:p ]").label(lambda iri: "ex:" + iri.rsplit("/", 1)[1]) == "[ sh:inversePath ex:p ]"
