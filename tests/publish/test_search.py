"""The search index writer (publish/writers/search.py): who is indexed, with which names, deterministically."""

from __future__ import annotations

import json
import sqlite3

import pyoxigraph as ox

from igokg.publish.writers.search import search_entries, write_search_index

ID = "https://w3id.org/igokg/id/"
IGO = "https://w3id.org/igokg/ontology#"
FIXTURE = f"""
@prefix igo: <{IGO}> . @prefix id: <{ID}> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
id:csto a igo:IntergovernmentalOrganization ; rdfs:label "Collective Security Treaty Organization"@en ;
    skos:altLabel "CSTO"@en, "ОДКБ"@ru, "Организация Договора о коллективной безопасности"@ru .
id:csto-secretariat a igo:Secretariat ; rdfs:label "CSTO Secretariat"@en .
id:membership-csto-armenia a igo:Membership ; igo:organization id:csto .
id:armenia a igo:State ; rdfs:label "Armenia"@en ; rdfs:label "Arménie"@fr .
<{ID}csto#note-1> rdfs:label "not an entity" .
"""


def fixture_triples() -> list[ox.Triple]:
    return [q.triple for q in ox.parse(FIXTURE.encode(), format=ox.RdfFormat.TURTLE)]


CLASSES = {IGO + "IntergovernmentalOrganization": "intergovernmental organization", IGO + "State": "state"}


def test_named_entities_are_indexed_with_every_label_and_their_class_names():
    entries = {e.iri[len(ID):]: e for e in search_entries(fixture_triples(), CLASSES)}
    assert set(entries) == {"csto", "csto-secretariat", "armenia"}  # no unnamed membership, no # node
    csto = entries["csto"]
    assert csto.name == "Collective Security Treaty Organization"
    assert csto.abbreviations == ("CSTO", "ОДКБ")
    assert "Организация Договора о коллективной безопасности" in csto.labels
    assert csto.kind == "intergovernmental organization"
    assert entries["armenia"].name == "Armenia" and entries["armenia"].labels == ("Arménie",)
    assert entries["csto-secretariat"].kind == "Secretariat"  # no name in the ontology: the local name


def test_the_index_is_fts5_and_the_same_facts_give_the_same_bytes(tmp_path):
    a, b = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    write_search_index(search_entries(fixture_triples(), CLASSES), a)
    write_search_index(search_entries(list(reversed(fixture_triples())), CLASSES), b)
    assert a.read_bytes() == b.read_bytes()
    con = sqlite3.connect(a)
    hits = [r[0] for r in con.execute("SELECT slug FROM names WHERE names MATCH ? ORDER BY slug", ('"одкб"*',))]
    assert hits == ["csto"]  # Cyrillic, case-folded
    hits = [r[0] for r in con.execute("SELECT slug FROM names WHERE names MATCH ?", ('"armenie"',))]
    assert hits == ["armenia"]  # diacritics folded


def test_a_build_makes_the_search_entries_once_for_the_index_and_the_site(tmp_path, project, monkeypatch):
    """The SQLite index and the static site's search script list the same entries: the search
    writer makes them, the site takes them (at a million triples a second pass cost 1 s)."""
    from igokg.publish import build_release
    from igokg.publish.defaults import default_writers
    from igokg.publish.site import writer as site_writer
    from igokg.publish.writers import search

    calls = []

    def counted(sources):
        calls.append(sources)
        return real(sources)

    real = search.entries_of
    monkeypatch.setattr(search, "entries_of", counted)
    monkeypatch.setattr(site_writer, "entries_of", counted)
    keep = {"write_search", "start_site", "write_site"}
    writers = [w for w in default_writers() if w.__name__ in keep]
    build_release(project.with_out(tmp_path / "dist"), writers)
    assert len(calls) == 1
    (script,) = (tmp_path / "dist").rglob("search-index.js")
    rows = json.loads(script.read_text(encoding="utf-8").split(" = ", 1)[1].rstrip().rstrip(";"))
    con = sqlite3.connect(tmp_path / "dist" / "search.sqlite")
    try:
        indexed = sorted(slug for (slug,) in con.execute("SELECT slug FROM names"))
    finally:
        con.close()
    assert sorted(r[0] for r in rows) == indexed and len(indexed) > 100
