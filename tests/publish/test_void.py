"""VoID and DCAT: generated from what the writers say they wrote."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from conftest import EPOCH

from igokg.errors import PublishError
from igokg.namespaces import BASE, DATASET_IRI
from igokg.project import Project
from igokg.publish import build_release, default_writers
from igokg.publish.panels import PANEL_FILES
from igokg.rdf import sort_ntriples
from igokg.release import Written

VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
SPDX = "http://spdx.org/rdf/terms#"


@pytest.fixture(scope="module")
def release(tmp_path_factory, project) -> Path:
    out = tmp_path_factory.mktemp("release") / "dist"
    build_release(project.with_out(out))
    return out


def _void(release: Path) -> ox.Store:
    store = ox.Store()
    store.load(path=str(release / "void.ttl"), format=ox.RdfFormat.TURTLE)
    return store


def test_every_distribution_in_void_exists_with_its_size_and_checksum(release):
    rows = list(_void(release).query(f"""
        PREFIX dcat: <{DCAT}> PREFIX spdx: <{SPDX}>
        SELECT ?url ?size ?sum ?media WHERE {{
          <{DATASET_IRI}> dcat:distribution ?d .
          ?d dcat:downloadURL ?url ; dcat:byteSize ?size ; dcat:mediaType ?media ;
             spdx:checksum [ spdx:checksumValue ?sum ] }}"""))
    names = {row["url"].value.removeprefix(BASE) for row in rows}
    assert {"igokg.nt.gz", "igokg.ttl", "igokg.jsonld", "context.jsonld", "ontology.ttl", "ontology.rdf",
            "shapes.ttl", "shapes.rdf"} <= names
    # every panel and its CSVW metadata: a writer's distributions cannot be forgotten
    assert {f"panels/{n}{s}" for n in PANEL_FILES for s in ("", "-metadata.json")} <= names
    for row in rows:
        name = row["url"].value.removeprefix(BASE)
        data = (release / name).read_bytes()
        assert int(row["size"].value) == len(data), name
        assert row["sum"].value == hashlib.sha256(data).hexdigest(), name
        assert row["media"].value.startswith("https://www.iana.org/assignments/media-types/")


def test_ntriples_dump_parses_and_its_count_matches_void(release):
    text = gzip.decompress((release / "igokg.nt.gz").read_bytes()).decode()
    graph = rdflib.Graph().parse(data=text, format="nt")
    (count,) = _void(release).query(f"SELECT ?n WHERE {{ <{DATASET_IRI}> <{VOID}triples> ?n }}")
    assert int(count["n"].value) == len(graph) == text.count("\n")
    assert text.encode() == sort_ntriples(text.encode())  # canonical order (igokg.rdf)
    assert "_:" not in text  # no blank-node labels that would change between builds


def test_void_linkset_counts_the_wikidata_links(release):
    text = gzip.decompress((release / "igokg.nt.gz").read_bytes()).decode()
    links = sum(1 for line in text.splitlines() if "owl#sameAs> <http://www.wikidata.org/entity/Q" in line)
    (row,) = _void(release).query(f"SELECT ?n WHERE {{ <{DATASET_IRI}/wikidata-links> <{VOID}triples> ?n }}")
    assert int(row["n"].value) == links > 20


def _extra_writer(build) -> list[Written]:
    (build.out / "extra.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (build.out / "notes.txt").write_text("not a distribution\n", encoding="utf-8")
    return [Written("extra.csv", "text/csv", "An extra table", distribution=True), Written("notes.txt", "text/plain")]


def test_a_new_writers_distribution_is_in_void_and_every_file_in_the_checksums(tmp_path, project_copy):
    project = Project.discover(project_copy, env=EPOCH, interactive=False).with_out(tmp_path / "dist")
    release = build_release(project, default_writers(extra=[_extra_writer]))
    store = _void(release.out)
    titles = {r["t"].value for r in store.query(
        f"SELECT ?t WHERE {{ <{DATASET_IRI}> <{DCAT}distribution> [ <http://purl.org/dc/terms/title> ?t ] }}")}
    assert "An extra table" in titles
    urls = {r["u"].value for r in store.query(f"SELECT ?u WHERE {{ ?d <{DCAT}downloadURL> ?u }}")}
    assert BASE + "extra.csv" in urls and BASE + "notes.txt" not in urls
    sums = (release.out / "SHA256SUMS").read_text(encoding="utf-8")
    assert "  extra.csv\n" in sums and "  notes.txt\n" in sums


def test_a_file_no_writer_described_stops_the_build(tmp_path, project_copy):
    def sloppy(build) -> list[Written]:
        (build.out / "forgotten.txt").write_text("x", encoding="utf-8")
        return []

    out = tmp_path / "dist"
    project = Project.discover(project_copy, env=EPOCH, interactive=False).with_out(out)
    with pytest.raises(PublishError, match="written but not described: forgotten.txt"):
        build_release(project, default_writers(extra=[sloppy]))
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project"]  # no temporary folder left


def test_void_names_the_pinned_sources_the_release_was_built_without(release):
    """The article release (--skip-source all): no dct:source for a dataset, a note for each."""
    store = _void(release)
    sources = {q.object.value for q in store.quads_for_pattern(ox.NamedNode(DATASET_IRI), ox.NamedNode("http://purl.org/dc/terms/source"), None)}
    assert not {"https://w3id.org/igokg/id/cow-igo-v3", "https://w3id.org/igokg/id/factbook-appendix-b"} & sources
    notes = {q.object.value for q in store.quads_for_pattern(ox.NamedNode(DATASET_IRI), ox.NamedNode("http://www.w3.org/2004/02/skos/core#note"), None)}
    for name in ("cow-igo-v3", "factbook-appendix-b"):
        assert any(f"Built without the pinned source {name} (--skip-source {name})" in n for n in notes), name
