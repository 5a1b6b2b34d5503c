"""Parsing one Turtle file: whatever is wrong with it becomes `file:line: message`, never a traceback."""

from __future__ import annotations

import pytest

from igokg.cli import main
from igokg.sources.turtle import turtle_to_ntriples, xsd_literals

PREFIX = "@prefix id: <https://w3id.org/igokg/id/> .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"


@pytest.mark.parametrize("command", ["validate", "build", "query"])
def test_a_literal_beyond_the_parsers_limit_names_file_and_line(project_copy, tmp_path, capsys, command):
    # pyoxigraph stops at 16 MiB per token with "MemoryError: Reached the buffer maximal size".
    (project_copy / "data" / "huge.ttl").write_text(PREFIX + 'id:x rdfs:comment "' + "a" * 17_000_000 + '" .\n')
    args = {"validate": [], "build": ["--out", str(tmp_path / "dist")], "query": ["ASK {}"]}[command]
    code = main(["--root", str(project_copy), command, *args])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert err.startswith("igokg: data/huge.ttl:3: a literal or IRI is too long for the parser"), err
    assert "hint: keep long texts in a file of their own and cite it" in err
    assert not (tmp_path / "dist").exists()


def test_xsd_literals_are_found_as_written_and_only_literal_objects_count():
    ttl = (b'@prefix ex: <http://example.org/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n'
           b'ex:a ex:p "01"^^xsd:integer, 1.50, true, "x \\"q\\"^^<http://www.w3.org/2001/XMLSchema#int> ." , "y"@en ,\n'
           b'  "a\\\\"^^xsd:string, "z"^^<http://example.org/dt> ; ex:q [ ex:r "2018-6"^^xsd:gYearMonth ] .\n')
    found = xsd_literals(turtle_to_ntriples(ttl, "x.ttl"))
    xsd = "http://www.w3.org/2001/XMLSchema#"
    assert found == {f'"01"^^<{xsd}integer>'.encode(), f'"1.50"^^<{xsd}decimal>'.encode(),
                     f'"true"^^<{xsd}boolean>'.encode(), f'"2018-6"^^<{xsd}gYearMonth>'.encode()}
