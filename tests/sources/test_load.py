"""Loading: every file parsed, blank nodes named from content, errors with file:line:column."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from conftest import EPOCH

from igokg.errors import SourceError
from igokg.namespaces import IGO, RDF_TYPE
from igokg.project import Project
from igokg.rdf import canonical_ntriples, sort_ntriples
from igokg.sources import fact_triples, load_sources, parse_turtle, skolemize

PREFIX = "@prefix id: <https://w3id.org/igokg/id/> .\n@prefix igo: <https://w3id.org/igokg/ontology#> .\n"


def test_every_file_has_its_own_graph(sources):
    assert "data/memberships.ttl" in sources.fact_files and "seeds/sources.ttl" in sources.fact_files
    assert sources.ontology_files == ["ontology/igo.ttl"]
    assert len(list(fact_triples(sources))) < len(sources.store)  # the ontology is loaded, not a fact


def test_no_blank_nodes_survive_loading(sources):
    assert not [t for t in fact_triples(sources) if isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)]


def test_blank_node_names_depend_on_content_not_on_parse(tmp_path):
    path = tmp_path / "x.ttl"
    path.write_text(PREFIX + 'id:e igo:participation [ igo:participant id:p ; igo:capacity "chair" ] .\n')
    first = skolemize(parse_turtle(path), "x.ttl")
    second = skolemize(parse_turtle(path), "x.ttl")
    assert first == second
    node = next(t.object.value for t in first if t.predicate.value.endswith("participation"))
    assert node.startswith("https://w3id.org/igokg/id/e#participation-") and len(node.rsplit("-", 1)[1]) == 8
    assert {t.subject.value for t in first} == {"https://w3id.org/igokg/id/e", node}


def test_shared_blank_node_is_refused(tmp_path):
    path = tmp_path / "x.ttl"
    path.write_text(PREFIX + 'id:a igo:participation _:b .\nid:c igo:participation _:b .\n_:b igo:capacity "x" .\n')
    with pytest.raises(SourceError, match="referenced 2 times"):
        skolemize(parse_turtle(path), "x.ttl")


def test_malformed_turtle_names_file_line_and_column(project_copy):
    bad = project_copy / "data" / "states.ttl"
    lines = bad.read_text().splitlines()
    lines[12] = lines[12] + " ;;; <broken"
    bad.write_text("\n".join(lines) + "\n")
    with pytest.raises(SourceError) as info:
        load_sources(Project.discover(project_copy, env=EPOCH, interactive=False))
    assert info.value.path == "data/states.ttl" and info.value.line == 13 and info.value.column
    assert str(info.value).startswith("data/states.ttl:13:")


def test_locate_points_at_the_subject_and_the_statement(sources):
    loc = sources.locate("https://w3id.org/igokg/id/membership-csto-armenia", "https://w3id.org/igokg/ontology#role")
    text = (sources.project.root / loc.file).read_text().splitlines()
    assert loc.file == "data/memberships.ttl" and "igo:role" in text[loc.line - 1]


def test_the_store_canonicalizes_literals_and_the_files_can_give_them_as_written(project_copy):
    """The seam for checks of lexical forms: the store keeps "01"^^xsd:integer as "1", and
    Sources gives a file's triples again, literals as written, blank nodes named as in the store."""
    (project_copy / "data" / "zz-lexical.ttl").write_text(
        PREFIX + '@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n'
        'id:x igo:count "01"^^xsd:integer ; igo:participation [ igo:share "1.50"^^xsd:decimal ] .\n')
    sources = load_sources(Project.discover(project_copy, env=EPOCH, interactive=False))
    stored = {str(q.object) for q in sources.store.quads_for_pattern(None, None, None, sources.graph_of("data/zz-lexical.ttl"))}
    written = {str(t.object) for t in sources.triples_as_written("data/zz-lexical.ttl")}
    assert '"1"^^<http://www.w3.org/2001/XMLSchema#integer>' in stored
    assert '"01"^^<http://www.w3.org/2001/XMLSchema#integer>' in written
    assert '"1.50"^^<http://www.w3.org/2001/XMLSchema#decimal>' in written
    subjects = {t.subject.value for t in sources.triples_as_written("data/zz-lexical.ttl")}
    stored_subjects = {q.subject.value for q in sources.store.quads_for_pattern(None, None, None, sources.graph_of("data/zz-lexical.ttl"))}
    assert subjects == stored_subjects and any("#participation-" in s for s in subjects)


def test_fact_ntriples_are_the_stores_lines_whether_a_file_is_kept_as_loaded_or_dumped(project_copy):
    """A file whose literals the store kept as written hands over the text it loaded; one with a
    rewritten literal ("01"^^xsd:integer) is dumped from the store: sorted, both are the graphs' lines."""
    (project_copy / "data" / "zz-lexical.ttl").write_text(
        PREFIX + '@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n'
        'id:x igo:count "01"^^xsd:integer ; igo:participation [ igo:share "1.5"^^xsd:decimal ] .\n')
    project = Project.discover(project_copy, env=EPOCH, interactive=False)
    assert not load_sources(project)._texts  # only a build keeps them
    sources = load_sources(project, keep_ntriples=True)
    assert "data/zz-lexical.ttl" not in sources._texts and "data/memberships.ttl" in sources._texts
    graphs = [sources.graph_of(rel) for rel in sources.fact_files]
    canonical = canonical_ntriples(sources.store, graphs)
    assert sort_ntriples(sources.fact_ntriples()) == canonical
    assert b'"1"^^<http://www.w3.org/2001/XMLSchema#integer>' in canonical and b'"01"' not in canonical
    assert not sources._texts  # handed over once; the store's dumps after that
    assert sort_ntriples(sources.fact_ntriples()) == canonical


def test_term_uses_counts_predicates_and_classes_of_the_facts_once_per_sources(project_copy):
    """What the vocabulary check and VoID both read: triples per predicate over the fact graphs
    (a triple two files state counted twice: VoID takes the distinct triples then), distinct
    subjects per class; the ontology's own triples are not counted. Asked of the store once."""
    (project_copy / "data" / "zz-terms-a.ttl").write_text(PREFIX + "id:zz-a a igo:Topic ; igo:zzUndeclared id:zz-b .\n")
    (project_copy / "data" / "zz-terms-b.ttl").write_text(PREFIX + "id:zz-a a igo:Topic .\n")
    sources = load_sources(Project.discover(project_copy, env=EPOCH, interactive=False))
    predicates, classes = sources.term_uses()
    graphs = [sources.graph_of(rel) for rel in sources.fact_files]
    typed = sum(1 for g in graphs for _ in sources.store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), None, g))
    assert predicates[RDF_TYPE] == typed  # zz-a's type twice, once per file
    assert predicates[IGO + "zzUndeclared"] == 1
    topics = {q.subject for g in graphs for q in sources.store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), ox.NamedNode(IGO + "Topic"), g)}
    assert classes[ox.NamedNode(IGO + "Topic")] == len(topics)
    assert ox.NamedNode("http://www.w3.org/2002/07/owl#Class") not in classes  # the ontology's, not the facts'
    assert sources.term_uses() is sources.term_uses()
