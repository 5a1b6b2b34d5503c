"""`validate_graph`'s SHACL part on small projects: what a user who writes a new shape sees.

Each test writes a tiny project (the real ontology, one shapes file, one data file), runs
`validate_graph` as `igokg validate` does, and asserts the SHACL findings: entity, path, value,
rule. They are the cases of issue 17, each wrong before it: literals checked as the data
writes them, one result per value and constraint, paths spelled as SHACL paths, and a shape
the fast engine cannot run handed to pySHACL alone, with a note, without stopping validation.
"""

from __future__ import annotations

import shutil
import sys
from collections import Counter
from pathlib import Path

import pytest
from conftest import ROOT

from igokg.project import Project
from igokg.report import Report
from igokg.sources import load_sources
from igokg.validate import validate_graph

PREFIXES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
"""
XSD = "http://www.w3.org/2001/XMLSchema#"
EX = "http://example.org/"


def validate(tmp_path: Path, shapes: str, data: str, engine: str = "fast") -> Report:
    shutil.copytree(ROOT / "ontology", tmp_path / "ontology")
    for folder, text in (("shapes", shapes), ("data", data)):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "case.ttl").write_text(PREFIXES + text, encoding="utf-8")
    (tmp_path / "seeds").mkdir()
    project = Project.discover(tmp_path, env={"SOURCE_DATE_EPOCH": "1763856000"}, interactive=False)
    return validate_graph(load_sources(project), engine=engine)


def found(report: Report) -> list[tuple[str, str, str, str]]:
    """(entity, path, value, rule) of each SHACL finding, repeats kept, sorted."""
    return sorted((f.entity.removeprefix(EX), f.path, f.value, f.rule.replace(EX, ""))
                  for f in report.findings if not f.rule.startswith("check:"))


def prop(constraints: str, path: str = "ex:p") -> str:
    return f"ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:property ex:P . ex:P sh:path {path} ; {constraints} ."


# --------------------------------------------------------------------------- literals as written


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_datatype_integer_rejects_int_long_and_byte_values(tmp_path, engine):
    report = validate(tmp_path, prop("sh:datatype xsd:integer"),
                      'ex:a ex:p "1"^^xsd:int, "2"^^xsd:long, "3"^^xsd:byte, "4"^^xsd:integer .', engine)
    assert found(report) == [("a", f"<{EX}p>", f'"{n}"^^<{XSD}{t}>', "<P>") for n, t in (("1", "int"), ("2", "long"), ("3", "byte"))]


def test_ill_formed_byte_is_reported_with_the_value_the_data_has(tmp_path):
    report = validate(tmp_path, prop("sh:datatype xsd:byte"), 'ex:a ex:p "300"^^xsd:byte, "12"^^xsd:byte .')
    assert [v for _, _, v, _ in found(report)] == [f'"300"^^<{XSD}byte>']


def test_max_length_counts_the_characters_the_data_writes(tmp_path):
    report = validate(tmp_path, prop("sh:maxLength 3"), 'ex:a ex:p "1.50"^^xsd:decimal, "1.5"^^xsd:decimal .')
    assert [v for _, _, v, _ in found(report)] == [f'"1.50"^^<{XSD}decimal>']


def test_min_exclusive_reports_the_value_as_written(tmp_path):
    report = validate(tmp_path, prop("sh:minExclusive 4"), 'ex:a ex:p "4.0"^^xsd:decimal, "4.5"^^xsd:decimal .')
    assert [v for _, _, v, _ in found(report)] == [f'"4.0"^^<{XSD}decimal>']


def test_in_compares_terms_as_written(tmp_path):
    report = validate(tmp_path, prop("sh:in ( 1 )"), 'ex:a ex:p "01"^^xsd:integer, 1 .')
    assert [v for _, _, v, _ in found(report)] == [f'"01"^^<{XSD}integer>']


# --------------------------------------------------------------------------- one result per value


def test_class_with_two_values_gives_a_result_for_each_class(tmp_path):
    report = validate(tmp_path, prop("sh:class ex:A, ex:B"), "ex:a ex:p ex:x . ex:x a ex:Other .")
    assert found(report) == [("a", f"<{EX}p>", f"<{EX}x>", "<P>")] * 2
    assert {f.message for f in report.findings} == {f"Value is not an instance of <{EX}A>", f"Value is not an instance of <{EX}B>"}


def test_unique_lang_gives_a_result_for_each_repeated_language(tmp_path):
    report = validate(tmp_path, prop("sh:uniqueLang true"), 'ex:a ex:p "a"@en, "b"@en, "c"@fr, "d"@fr, "e"@de .')
    assert found(report) == [("a", f"<{EX}p>", "", "<P>")] * 2
    assert {f.message for f in report.findings} == {'Language "en" is used by more than one value',
                                                    'Language "fr" is used by more than one value'}


def test_unique_lang_one_as_boolean_does_not_switch_the_constraint_on(tmp_path):
    report = validate(tmp_path, prop('sh:uniqueLang "1"^^xsd:boolean'), 'ex:a ex:p "a"@en, "b"@en .')
    assert found(report) == []


def test_a_result_reached_twice_is_reported_twice(tmp_path):
    # W3C validation-reports/shared: one property shape under two others is validated twice.
    shapes = """ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:property ex:P1, ex:P2 .
        ex:P1 sh:path ex:p ; sh:property ex:R . ex:P2 sh:path ex:q ; sh:property ex:R .
        ex:R sh:path ex:r ; sh:class ex:C ."""
    report = validate(tmp_path, shapes, "ex:a ex:p ex:j ; ex:q ex:j . ex:j ex:r ex:k .")
    assert found(report) == [("j", f"<{EX}r>", f"<{EX}k>", "<R>")] * 2
    assert report.violation_count == 2


# --------------------------------------------------------------------------- paths


def test_complex_paths_are_reported_as_shacl_paths(tmp_path):
    shapes = """ex:S a sh:NodeShape ; sh:targetNode ex:a ;
        sh:property [ sh:path [ sh:inversePath ex:member ] ; sh:minCount 1 ] ;
        sh:property [ sh:path ( ex:p ex:q ) ; sh:minCount 1 ] ;
        sh:property [ sh:path [ sh:alternativePath ( ex:p [ sh:zeroOrMorePath ex:q ] ) ] ; sh:maxCount 0 ] ."""
    report = validate(tmp_path, shapes, "ex:a ex:p ex:b .")
    assert sorted(f.path for f in report.findings) == [
        "( <http://example.org/p> <http://example.org/q> )",
        "[ sh:alternativePath ( <http://example.org/p> [ sh:zeroOrMorePath <http://example.org/q> ] ) ]",
        "[ sh:inversePath <http://example.org/member> ]",
    ]
    assert "[complex path]" not in report.to_text()
    assert "sh:resultPath [ sh:inversePath <http://example.org/member> ]" in report.to_rdf()


# --------------------------------------------------------------------------- falling back


def test_sparql_prefixes_through_owl_imports_do_not_stop_validation(tmp_path):
    # The ontology named by sh:prefixes declares xsd: itself and imports the one that declares ex:.
    shapes = """<http://example.org/shapes> a owl:Ontology ; owl:imports <http://example.org/prefixes> ;
            sh:declare [ sh:prefix "xsd" ; sh:namespace "http://www.w3.org/2001/XMLSchema#"^^xsd:anyURI ] .
        <http://example.org/prefixes> sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] .
        ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:sparql [ sh:prefixes <http://example.org/shapes> ;
            sh:select "SELECT $this ?value WHERE { $this ex:p ?value . FILTER(isIRI(?value)) }" ] ."""
    report = validate(tmp_path, shapes, "ex:a ex:p ex:b .")
    assert found(report) == [("a", "", f"<{EX}b>", "<S>")]
    assert report.notes == []  # the fast engine follows owl:imports to the declaration


def test_sparql_constraint_with_a_prefix_it_cannot_resolve_goes_to_pyshacl(tmp_path):
    # foaf: is declared nowhere in the shapes; rdflib, under pySHACL, knows it all the same.
    shapes = """ex:S a sh:NodeShape ; sh:targetNode ex:a ;
        sh:sparql [ sh:select "SELECT $this WHERE { FILTER NOT EXISTS { $this foaf:name ?n } }" ] ."""
    report = validate(tmp_path, shapes, "ex:a ex:p ex:b .")
    assert found(report) == [("a", "", f"<{EX}a>", "<S>")]
    assert report.notes == [(f"pySHACL checks <{EX}S>: the fast engine does not compile a SPARQL constraint "
                             "with undeclared prefixes foaf:")]


def test_a_shape_the_fast_engine_refuses_goes_to_pyshacl_alone_with_a_note(tmp_path):
    # A SHACL-AF SPARQL target is not compiled: pySHACL finds ex:T's focus nodes and checks it;
    # ex:S, beside it, stays on the fast engine.
    shapes = prop("sh:minCount 2") + """ ex:T a sh:NodeShape ;
        sh:target [ a sh:SPARQLTarget ; sh:select "SELECT ?this WHERE { ?this <http://example.org/p> ?x }" ] ;
        sh:property [ sh:path ex:q ; sh:minCount 1 ] ."""
    report = validate(tmp_path, shapes, "ex:a ex:p 1 .")
    assert found(report) == [("a", f"<{EX}p>", "", "<P>"), ("a", f"<{EX}q>", "", "<T> sh:property [<q>]")]
    assert report.notes == [f"pySHACL checks <{EX}T>: the fast engine does not compile sh:target (SHACL-AF custom target)"]
    assert report.engine == "fast engine, pySHACL for 1 of 3 shapes"
    assert f"note: {report.notes[0]}" in report.to_text()
    assert "(fast engine, pySHACL for 1 of 3 shapes): 2 violation(s)" in report.to_text()


# --------------------------------------------------------------------------- agreement at scale


def test_both_engines_give_the_same_results_on_generated_benchmark_data(tmp_path):
    # benchmarks/generate.py: data in the project's own model, with every kind of planted violation.
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import generate

    root = tmp_path / "generated"
    generate.generate(root, 6000, violations=len(generate.VIOLATION_KINDS))
    sources = load_sources(Project.discover(root, env={"SOURCE_DATE_EPOCH": "1700000000"}, interactive=False))
    fast, ref = (validate_graph(sources, engine=e) for e in ("fast", "pyshacl"))
    assert fast.notes == [] and fast.engine == "fast"
    assert Counter(r.key() for r in fast.shacl_results) == Counter(r.key() for r in ref.shacl_results)
    assert fast.violation_count == len(generate.VIOLATION_KINDS) and fast.warning_count > 0
