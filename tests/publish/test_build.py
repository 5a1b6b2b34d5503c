"""The release: complete, verifiable, reproducible, and written atomically."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from conftest import EPOCH, copy_project
from rdflib.compare import isomorphic
from support.filesystems import full_disk, read_only_folder

from igokg import publish
from igokg.cli import main
from igokg.errors import PublishError
from igokg.namespaces import PREFIXES
from igokg.project import Project
from igokg.publish import build_release
from igokg.rdf import sort_ntriples
from igokg.report import ValidationFailed

VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
SPDX = "http://spdx.org/rdf/terms#"


def _build(root: Path, out: Path) -> publish.Release:
    return build_release(Project.discover(root, env=EPOCH, interactive=False).with_out(out))


@pytest.fixture(scope="module")
def release(tmp_path_factory, project) -> Path:
    out = tmp_path_factory.mktemp("release") / "dist"
    build_release(project.with_out(out))
    return out


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _void(release: Path) -> ox.Store:
    store = ox.Store()
    store.load(path=str(release / "void.ttl"), format=ox.RdfFormat.TURTLE)
    return store


def test_two_builds_are_byte_identical(tmp_path, project):
    build_release(project.with_out(tmp_path / "a"))
    build_release(project.with_out(tmp_path / "b"))
    a, b = _snapshot(tmp_path / "a"), _snapshot(tmp_path / "b")
    assert sorted(a) == sorted(b)
    assert [name for name in a if a[name] != b[name]] == []


def test_release_holds_every_part(release):
    for name in ("igokg.nt.gz", "igokg.ttl", "igokg.jsonld", "context.jsonld", "ontology.ttl", "ontology.rdf",
                 "shapes.ttl", "shapes.rdf", "void.ttl", "SHA256SUMS"):
        assert (release / name).is_file(), name
    assert not (release / "CHANGES").exists()  # first release into this folder: nothing to compare


def test_turtle_and_jsonld_dumps_hold_the_same_graph_as_ntriples(release):
    nt = rdflib.Graph().parse(data=gzip.decompress((release / "igokg.nt.gz").read_bytes()).decode(), format="nt")
    assert isomorphic(rdflib.Graph().parse(release / "igokg.ttl", format="turtle"), nt)
    assert isomorphic(rdflib.Graph().parse(release / "igokg.jsonld", format="json-ld"), nt)


def test_jsonld_dump_is_expanded_one_node_per_line_and_the_context_holds_the_prefixes(release):
    lines = (release / "igokg.jsonld").read_text().splitlines()
    doc = json.loads("\n".join(lines))
    assert lines[0] == "[" and lines[-1] == "]" and len(lines) == len(doc) + 2
    assert [json.loads(line.rstrip(","))["@id"] for line in lines[1:-1]] == [node["@id"] for node in doc]
    assert json.loads((release / "context.jsonld").read_text())["@context"] == dict(PREFIXES)


def test_ntriples_dump_is_in_canonical_order(release):
    text = gzip.decompress((release / "igokg.nt.gz").read_bytes())
    assert text == sort_ntriples(text) and text.endswith(b"\n")


def test_rdfxml_holds_the_same_graph_as_turtle(release):
    for stem in ("ontology", "shapes"):
        ttl = rdflib.Graph().parse(release / f"{stem}.ttl", format="turtle")
        assert isomorphic(rdflib.Graph().parse(release / f"{stem}.rdf", format="xml"), ttl), stem


def test_sha256sums_lists_every_file(release):
    lines = (release / "SHA256SUMS").read_text().splitlines()
    listed = {}
    for line in lines:
        digest, name = line.split("  ", 1)
        listed[name] = digest
    on_disk = {p.relative_to(release).as_posix() for p in release.rglob("*") if p.is_file()} - {"SHA256SUMS"}
    assert set(listed) == on_disk
    for name, digest in listed.items():
        assert hashlib.sha256((release / name).read_bytes()).hexdigest() == digest, name


def test_every_query_has_results_unless_federated(release, project):
    for rq in sorted(project.sparql_dir.glob("*.rq")):
        text = rq.read_text()
        folder = release / "queries"
        assert (folder / rq.name).read_text() == text
        if "SERVICE" in text.upper():
            continue
        csv_text = (folder / f"{rq.stem}.csv").read_text()
        srj = json.loads((folder / f"{rq.stem}.srj").read_text())
        assert len(csv_text.splitlines()) == len(srj["results"]["bindings"]) + 1, rq.name


def test_second_build_writes_changes_per_class(tmp_path, project_copy):
    out = tmp_path / "dist"
    _build(project_copy, out)
    states = project_copy / "data" / "states.ttl"
    states.write_text(states.read_text() + '\nid:testland a igo:State ; rdfs:label "Testland"@en .\n')
    _build(project_copy, out)
    changes = (out / "CHANGES").read_text()
    assert changes.startswith("Changes since the previous release: +2 / -0 triples")
    assert "igo:State" in changes


def test_violations_refuse_to_publish_and_keep_the_last_release(tmp_path, project_copy):
    out = tmp_path / "dist"
    _build(project_copy, out)
    before = _snapshot(out)
    people = project_copy / "data" / "people.ttl"
    people.write_text(people.read_text() + "\nid:nobody a igo:Person .\n")  # no label: violates the shapes
    with pytest.raises(ValidationFailed) as info:
        _build(project_copy, out)
    assert any(f.entity.endswith("/id/nobody") for f in info.value.report.findings if f.severity == "Violation")
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist", "project"]


def test_a_failure_while_writing_leaves_the_last_release_untouched(tmp_path, project_copy, monkeypatch):
    out = tmp_path / "dist"
    _build(project_copy, out)
    before = _snapshot(out)

    def broken_writer(build):
        (build.out / "half-written").write_text("partial")
        raise OSError(28, "No space left on device")

    project = Project.discover(project_copy, env=EPOCH, interactive=False).with_out(out)
    with pytest.raises(PublishError, match="left as it was"):
        publish.build_release(project, publish.default_writers(extra=[broken_writer]))
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist", "project"]  # no temporary folder left


def test_build_command_on_broken_turtle_names_file_and_line(tmp_path, project_copy, capsys):
    (project_copy / "data" / "places.ttl").write_text('@prefix id: <https://w3id.org/igokg/id/> .\nid:x id:y "open\n')
    code = main(["--root", str(project_copy), "build", "--out", str(tmp_path / "dist")])
    err = capsys.readouterr().err
    assert code == 2
    assert "data/places.ttl:2:" in err
    assert "Traceback" not in err
    assert not (tmp_path / "dist").exists()


def test_build_command_prints_a_summary(tmp_path, capsys, project):
    code = main(["--root", str(project.root), "build", "--out", str(tmp_path / "dist")])
    out = capsys.readouterr().out
    assert code == 0
    assert "triples" in out and "igokg.nt.gz" in out


def _reordered_copy(dest: Path) -> Path:
    """The project with the same facts in other files, in another order: every data and seed
    file rewritten as its triples (N-Triples, valid Turtle) shuffled, under a name that loads
    it in another place."""
    copy_project(dest)
    rng = random.Random(7)
    # The pinned-source list has its place (seeds/datasets.ttl) and names the files that go
    # with each source: those keep their names, and only their lines are shuffled.
    pinned = (dest / "seeds" / "datasets.ttl").read_text(encoding="utf-8")
    for folder in ("data", "seeds"):
        for path in sorted((dest / folder).glob("*.ttl")):
            lines = ox.serialize(ox.parse(path=path, format=ox.RdfFormat.TURTLE), format=ox.RdfFormat.N_TRIPLES).splitlines()
            rng.shuffle(lines)
            path.unlink()
            named = path.name == "datasets.ttl" or f"{folder}/{path.name}" in pinned
            (dest / folder / (path.name if named else f"{len(lines) % 7}-{path.name}")).write_bytes(b"\n".join(lines) + b"\n")
    return dest


def _build_in_process(root: Path, out: Path, hash_seed: str) -> None:
    env = {**os.environ, **EPOCH, "PYTHONHASHSEED": hash_seed, "CI": "1"}
    subprocess.run([sys.executable, "-m", "igokg", "--root", str(root), "build", "--out", str(out)],
                   env=env, check=True, capture_output=True)


def test_the_same_facts_in_other_files_order_and_hash_seed_give_a_byte_identical_release(tmp_path):
    """The native pipeline's output is a function of the triples: not of the files they are
    in, the order they are written and loaded in, or Python's hash seed."""
    a, b = copy_project(tmp_path / "a"), _reordered_copy(tmp_path / "b")
    assert sorted(p.name for p in (a / "data").glob("*.ttl")) != sorted(p.name for p in (b / "data").glob("*.ttl"))
    _build_in_process(a, tmp_path / "out-a", "1")
    _build_in_process(b, tmp_path / "out-b", "2")
    first, second = _snapshot(tmp_path / "out-a"), _snapshot(tmp_path / "out-b")
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []


# --------------------------------------------------------------------------- when the disk says no


def _build_cli(project, out: Path, capsys) -> tuple[int, str]:
    code = main(["--root", str(project.root), "build", "--out", str(out)])
    return code, capsys.readouterr().err


def test_a_read_only_file_system_is_a_one_line_error(tmp_path, project, capsys):
    with read_only_folder(tmp_path / "ro") as ro:
        code, err = _build_cli(project, ro / "dist", capsys)
        assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
        assert err.startswith(f"igokg: cannot write the release {ro / 'dist'}: ")
        assert ("the file system is read-only" if os.geteuid() == 0 else "permission denied") in err
        assert os.listdir(ro) == []


def test_an_out_whose_parent_cannot_be_created_is_a_one_line_error(tmp_path, project, capsys):
    with read_only_folder(tmp_path / "ro") as ro:
        code, err = _build_cli(project, ro / "deeper" / "dist", capsys)
        assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
        assert f"({ro / 'deeper'})" in err and os.listdir(ro) == []
    (tmp_path / "a-file").write_text("")
    code, err = _build_cli(project, tmp_path / "a-file" / "sub" / "dist", capsys)
    assert code == 2
    assert err == (f"igokg: cannot write the release {tmp_path / 'a-file' / 'sub' / 'dist'}: {tmp_path / 'a-file'} "
                   "is a file, not a folder; choose another --out\n")


def test_an_out_that_is_a_file_is_refused(tmp_path, project, capsys):
    (tmp_path / "dist").write_text("keep me")
    code, err = _build_cli(project, tmp_path / "dist", capsys)
    assert code == 2 and err == f"igokg: {tmp_path / 'dist'} exists and is not a folder; refusing to replace it\n"
    assert (tmp_path / "dist").read_text() == "keep me"


def test_a_full_disk_is_a_one_line_error_and_leaves_nothing(tmp_path, project, capsys):
    with full_disk(tmp_path / "small", "512k") as small:
        code, err = _build_cli(project, small / "dist", capsys)
        assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
        assert "no space left on the device" in err and "the last release was left as it was" in err
        assert os.listdir(small) == []
