"""A validation report renders for people (text), programs (JSON) and RDF tools (SHACL report)."""

from __future__ import annotations

import json

import rdflib

from igokg.report import Finding, Report

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")


def _report() -> Report:
    findings = [
        Finding("https://w3id.org/igokg/id/x", "Violation", "check:quote-verbatim", 'quote "not" verbatim', "igo:quote", "a \"b\"", "data/x.ttl:3"),
        *[
            Finding(f"https://w3id.org/igokg/id/p{i}", "Warning", "igosh:wikidataLinkPresent", "no Wikidata item", "owl:sameAs", "", f"data/p.ttl:{i}")
            for i in range(4)
        ],
    ]
    return Report(findings=findings, engine="fast", triples=10)


def test_text_puts_violations_first_and_collapses_repeated_warnings():
    text = _report().to_text()
    lines = text.splitlines()
    assert lines[0] == "id:x  (data/x.ttl)"
    assert "violation data/x.ttl:3:" in lines[1]
    assert text.count("no Wikidata item") == 1 and "warning ×4" in text
    assert lines[-1] == "10 triples does NOT conform (fast engine): 1 violation(s), 4 warning(s), 0 note(s)"


def test_quiet_text_shows_violations_only():
    assert "Wikidata" not in _report().to_text(min_severity="Violation")


def test_json_lists_every_finding():
    doc = json.loads(_report().to_json())
    assert doc["conforms"] is False and doc["violations"] == 1 and len(doc["findings"]) == 5
    assert doc["findings"][0]["location"] == "data/x.ttl:3"


def test_rdf_is_a_shacl_validation_report():
    g = rdflib.Graph().parse(data=_report().to_rdf(), format="turtle")
    (report,) = g.subjects(rdflib.RDF.type, SH.ValidationReport)
    assert g.value(report, SH.conforms) == rdflib.Literal(False)
    results = list(g.objects(report, SH.result))
    assert len(results) == 5
    severities = sorted(str(g.value(r, SH.resultSeverity)).rsplit("#", 1)[1] for r in results)
    assert severities == ["Violation", "Warning", "Warning", "Warning", "Warning"]


def test_rdf_names_shapes_paths_and_checks():
    g = rdflib.Graph().parse(data=_report().to_rdf(), format="turtle")
    shapes = set(g.objects(None, SH.sourceShape))
    assert shapes == {rdflib.URIRef("https://w3id.org/igokg/shapes#wikidataLinkPresent")}
    assert rdflib.URIRef("urn:igokg:check:quote-verbatim") in set(g.objects(None, SH.sourceConstraintComponent))
    assert rdflib.URIRef("https://w3id.org/igokg/ontology#quote") in set(g.objects(None, SH.resultPath))
