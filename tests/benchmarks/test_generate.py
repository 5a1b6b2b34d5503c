"""The benchmark's data generator: deterministic, conforming, and of the size asked for."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from igokg.project import Project
from igokg.sources import load_sources
from igokg.validate import validate_graph

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import generate


def _digests(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _fact_triples(root: Path) -> int:
    files = sorted((root / "data").glob("*.ttl")) + sorted((root / "seeds").glob("*.ttl"))
    return sum(len(list(ox.parse(path=str(f), format=ox.RdfFormat.TURTLE))) for f in files)


def _report(root: Path):
    project = Project.discover(root, env={"SOURCE_DATE_EPOCH": "1700000000"}, interactive=False)
    return validate_graph(load_sources(project))


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> tuple[Path, int]:
    root = tmp_path_factory.mktemp("gen") / "project"
    return root, generate.generate(root, 4000)


def test_same_arguments_give_byte_identical_files(small, tmp_path):
    root, _ = small
    again = tmp_path / "again"
    generate.generate(again, 4000)
    first, second = _digests(root), _digests(again)
    assert any(name.startswith("seeds/gen-") for name in first)
    assert first == second


def test_another_seed_gives_other_data(small, tmp_path):
    root, _ = small
    other = tmp_path / "other"
    generate.generate(other, 4000, seed=2)
    assert _digests(root)["data/memberships.ttl"] != _digests(other)["data/memberships.ttl"]


def test_generated_project_conforms_and_passes_the_projects_own_checks(small):
    root, _ = small
    report = _report(root)
    assert report.violation_count == 0, report.to_text(min_severity="Violation")
    assert not [f for f in report.findings if f.rule.startswith("check:")]
    # Persons without a Wikidata item are warned about, as in the real data.
    assert report.warning_count > 0


@pytest.mark.parametrize("target", [2000, 25000])
def test_triple_count_is_within_two_percent_of_the_target(target, tmp_path):
    root = tmp_path / "p"
    counted = generate.generate(root, target)
    assert counted == _fact_triples(root)
    assert abs(counted - target) <= 0.02 * target


def test_planted_violations_are_found_one_each(tmp_path):
    root = tmp_path / "broken"
    generate.generate(root, 4000, violations=len(generate.VIOLATION_KINDS))
    report = _report(root)
    violations = [f for f in report.findings if f.severity == "Violation"]
    assert len(violations) == len(generate.VIOLATION_KINDS)
    assert len({f.entity for f in violations}) == len(violations)
    assert not [f for f in violations if f.rule.startswith("check:")]


def test_quotes_stand_in_the_generated_source_texts(small):
    root, _ = small
    texts = {p.name: p.read_text(encoding="utf-8") for p in (root / "seeds").glob("gen-*.txt")}
    store = ox.Store()
    for f in sorted((root / "data").glob("*.ttl")):
        store.bulk_extend(ox.parse(path=str(f), format=ox.RdfFormat.TURTLE))
    quotes = [t.object.value for t in store.quads_for_pattern(None, ox.NamedNode("https://w3id.org/igokg/ontology#quote"), None)]
    assert len(quotes) > 100
    assert all(any(q in text for text in texts.values()) for q in quotes[:200])
