"""The release's RDF styles: pyoxigraph's Turtle and JSON-LD fed canonical N-Triples."""

from __future__ import annotations

import io
import json

import pyoxigraph as ox
import rdflib
from rdflib.compare import isomorphic

from igokg.publish.writers.serialize import _NodePerLine, jsonld_bytes, turtle_bytes, used_prefixes
from igokg.rdf import sort_ntriples

TTL = r'''@prefix id: <https://w3id.org/igokg/id/> . @prefix igo: <https://w3id.org/igokg/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
id:b a igo:State ; rdfs:label "B ]},{\"@id\": tricky"@en , """two
lines"""@en ; igo:attestation <https://w3id.org/igokg/id/b#att> .
<https://w3id.org/igokg/id/b#att> a igo:Attestation ; igo:attestedAt "2018-06"^^xsd:gYearMonth .
id:a a igo:State ; rdfs:label "A"@en .
'''


def _nt(text: str = TTL) -> bytes:
    return sort_ntriples(ox.serialize(ox.parse(text.encode(), format=ox.RdfFormat.TURTLE), format=ox.RdfFormat.N_TRIPLES))


def test_turtle_declares_the_prefixes_it_uses_in_the_projects_order_and_holds_the_graph():
    text = turtle_bytes(_nt(), header="first\n\nthird").decode()
    head = [line for line in text.splitlines() if line.startswith("@prefix")]
    assert head == ["@prefix igo: <https://w3id.org/igokg/ontology#> .", "@prefix id: <https://w3id.org/igokg/id/> .",
                    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .", "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> ."]
    assert text.startswith("# first\n#\n# third\n@prefix")
    assert "rdf:" not in text  # rdf:type is written `a`
    assert isomorphic(rdflib.Graph().parse(data=text, format="turtle"), rdflib.Graph().parse(data=TTL, format="turtle"))


def test_used_prefixes_keeps_rdf_for_rdf_terms_other_than_type():
    nt = b"<https://w3id.org/igokg/id/x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#value> \"1\" .\n"
    assert "rdf" in used_prefixes(nt) and "igo" not in used_prefixes(nt)


def test_jsonld_is_one_node_per_line_and_holds_the_graph():
    text = jsonld_bytes(_nt()).decode()
    lines = text.splitlines()
    assert lines[0] == "[" and lines[-1] == "]" and text.endswith("]\n")
    nodes = [json.loads(line.rstrip(",")) for line in lines[1:-1]]
    assert [n["@id"] for n in nodes] == ["https://w3id.org/igokg/id/a", "https://w3id.org/igokg/id/b#att",
                                         "https://w3id.org/igokg/id/b"]  # canonical order: N-Triples lines as bytes
    assert isomorphic(rdflib.Graph().parse(data=text, format="json-ld"), rdflib.Graph().parse(data=TTL, format="turtle"))


def test_node_per_line_gives_the_same_bytes_whatever_the_chunks_it_is_written_in():
    whole = ox.serialize(ox.parse(_nt(), format=ox.RdfFormat.N_TRIPLES), format=ox.RdfFormat.JSON_LD)
    expected = jsonld_bytes(_nt())
    for size in (1, 2, 3, 7, 11, 64):
        out = io.BytesIO()
        sink = _NodePerLine(out)
        for i in range(0, len(whole), size):
            sink.write(whole[i : i + size])
        sink.close()
        assert out.getvalue() == expected, size


def test_empty_input_gives_an_empty_array():
    assert json.loads(jsonld_bytes(b"")) == []


def test_no_namespace_of_the_project_begins_another_so_one_pass_finds_the_prefixes():
    from igokg.namespaces import PREFIXES

    spaces = list(PREFIXES.values())
    assert [(a, b) for a in spaces for b in spaces if a != b and b.startswith(a)] == []
    nt = _nt()
    assert used_prefixes(nt) == {p: ns for p, ns in PREFIXES.items() if b"<" + ns.encode() in nt and p != "rdf"}


def test_the_bytes_of_a_small_graph_are_those_the_streaming_writers_write_from_its_quads(tmp_path):
    from igokg.publish.writers.serialize import write_jsonld, write_turtle

    nt = _nt()
    quads = list(ox.parse(nt, format=ox.RdfFormat.N_TRIPLES))
    write_turtle(nt, tmp_path / "g.ttl")
    write_jsonld(nt, tmp_path / "g.jsonld")
    assert turtle_bytes(nt, triples=quads) == turtle_bytes(nt) == (tmp_path / "g.ttl").read_bytes()
    assert jsonld_bytes(nt, triples=quads) == jsonld_bytes(nt) == (tmp_path / "g.jsonld").read_bytes()
