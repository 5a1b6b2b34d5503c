"""igokg query: SPARQL on the embedded store, rendered for people and programs."""

from __future__ import annotations

import csv
import io
import json

import pytest

from igokg.cli import main
from igokg.errors import QueryError
from igokg.query import query_title, read_query, render, run_query, service_endpoints, uses_service

MEMBERS = """PREFIX igo: <https://w3id.org/igokg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?state ?label WHERE {
  ?m igo:organization <https://w3id.org/igokg/id/cis> ; igo:member ?state ; igo:role igo:Member .
  ?state rdfs:label ?label } ORDER BY ?label"""


def test_select_returns_rows_in_order(sources):
    result = run_query(sources.store, MEMBERS)
    assert result.values("label") == [
        "Armenia", "Azerbaijan", "Belarus", "Kazakhstan", "Kyrgyzstan", "Moldova", "Russia", "Tajikistan", "Uzbekistan",
    ]


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json"])
def test_every_format_renders_every_row(sources, fmt):
    text = render(run_query(sources.store, MEMBERS), fmt)
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0] == ["state", "label"] and len(rows) == 10
        assert rows[1] == ["https://w3id.org/igokg/id/armenia", "Armenia"]
    elif fmt == "json":
        doc = json.loads(text)
        assert doc["head"]["vars"] == ["state", "label"]
        assert doc["results"]["bindings"][0]["label"] == {"type": "literal", "value": "Armenia", "xml:lang": "en"}
    elif fmt == "tsv":
        assert text.splitlines()[1] == '<https://w3id.org/igokg/id/armenia>\t"Armenia"@en'
    else:
        assert "id:armenia" in text and text.rstrip().endswith("(9 rows)")


def test_ask_and_construct(sources):
    assert render(run_query(sources.store, "ASK { ?s ?p ?o }"), "table") == "true\n"
    graph = run_query(sources.store, "CONSTRUCT { ?s a ?t } WHERE { ?s a ?t } LIMIT 2")
    assert graph.kind == "graph" and len(graph.triples) == 2


def test_syntax_error_gives_position(sources):
    with pytest.raises(QueryError) as info:
        run_query(sources.store, "SELECT ?s WHERE {\n  ?s ?p }", source="bad.rq")
    assert info.value.line == 2 and info.value.column is not None
    assert str(info.value).startswith("bad.rq:2:")


def test_query_command_exit_codes(capsys, project):
    assert main(["--root", str(project.root), "query", MEMBERS, "--format", "csv"]) == 0
    assert capsys.readouterr().out.count("\n") == 10
    assert main(["--root", str(project.root), "query", "SELEC ?x"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("igokg: query:1:") and "Traceback" not in err


def test_query_file_is_read_and_titled(tmp_path):
    path = tmp_path / "q.rq"
    path.write_text("# Which things?\n# more\nSELECT * WHERE { ?s ?p ?o }\n")
    text, source = read_query(str(path))
    assert source == str(path) and query_title(text) == "Which things?"
    assert not uses_service(text)
    assert uses_service("SELECT * WHERE { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }")
    assert not uses_service("# SERVICE in a comment\nSELECT * WHERE { ?s ?p ?o }")


@pytest.mark.parametrize("text, endpoints", [
    # a `#` inside an IRI or a string hides nothing
    ("SELECT * { ?s <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> ?o . SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
     ["http://127.0.0.1:9/"]),
    ('SELECT * { ?s ?p "a # b" . SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }', ["http://127.0.0.1:9/"]),
    ("select * { service <http://127.0.0.1:9/> { ?s ?p ?o } }", ["http://127.0.0.1:9/"]),
    ("SELECT * { { SELECT ?s { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } } } }", ["http://127.0.0.1:9/"]),
    ("SELECT * { ?s ?p ?o FILTER EXISTS { SERVICE SILENT <http://127.0.0.1:9/> { ?s ?p ?o } } }", ["http://127.0.0.1:9/"]),
    ("SELECT * { ?s ?p ?o OPTIONAL { SERVICE ?endpoint { ?s ?p ?o } } }", [None]),
    ("SELECT * { { ?s ?p ?o } UNION { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } } }", ["http://127.0.0.1:9/"]),
    ("PREFIX e: <http://127.0.0.1:9/> SELECT * { SERVICE e:sparql { ?s ?p ?o } }", ["http://127.0.0.1:9/sparql"]),
    ("BASE <http://127.0.0.1:9/> SELECT * { SERVICE <sparql> { ?s ?p ?o } }", ["http://127.0.0.1:9/sparql"]),
    ("SELECT * { \\u0053ERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", ["http://127.0.0.1:9/"]),
    # the word alone federates nothing
    ("SELECT ?service WHERE { ?service ?p 'SERVICE <http://a/> {}' } # SERVICE <http://b/>", []),
    ("PREFIX service: <http://a/> SELECT * { ?s service:x <http://a/SERVICE> }", []),
])
def test_service_is_found_on_the_parsed_query_wherever_it_stands(text, endpoints):
    assert service_endpoints(text) == endpoints
    assert uses_service(text) == bool(endpoints)


def test_a_malformed_query_with_a_bare_service_counts_as_federated():
    assert uses_service("SELECT * { ?s ?p ?o . SERVICE")
    assert not uses_service("SELECT ?service { ?service ?p ")
