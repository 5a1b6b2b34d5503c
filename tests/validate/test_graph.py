"""`validate_graph` and `igokg validate` catch what SHACL cannot see, and say where.

Each test copies the project's inputs (ontology/, shapes/, data/, seeds/) into a temporary
folder, breaks one thing in the copy, and asserts the finding: its rule, the entity, and the
data file and line to fix.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import ROOT  # noqa: E402

from igokg.cli import main
from igokg.project import Project
from igokg.report import Finding
from igokg.sources import load_sources
from igokg.validate import validate_graph

pytestmark = pytest.mark.filterwarnings("ignore:Dataset.default_context is deprecated:DeprecationWarning")
ID = "https://w3id.org/igokg/id/"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for folder in ("ontology", "shapes", "data", "seeds"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return tmp_path


def edit(path: Path, old: str, new: str, count: int = 1) -> int:
    """Replace `old` (which must occur) and return the 1-based line where it stood."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return line


def validate(root: Path, engine: str = "fast"):
    return validate_graph(load_sources(Project.discover(root)), engine=engine)


def violations(report, rule: str) -> list[Finding]:
    return [f for f in report.findings if f.rule == rule and f.severity == "Violation"]


def line_of(path: Path, needle: str) -> int:
    text = path.read_text(encoding="utf-8")
    return text[: text.index(needle)].count("\n") + 1


# --------------------------------------------------------------------------- the real project


def test_the_project_itself_conforms_with_both_engines(sources):
    for engine in ("fast", "pyshacl"):
        report = validate_graph(sources, engine=engine)
        assert report.conforms, report.to_text()
        assert report.violation_count == 0
        assert {f.rule for f in report.findings if f.severity == "Warning"} == {"igosh:wikidataLinkPresent"}
        # the two one-source QIDs are notes: to verify against Wikidata
        assert {f.entity for f in report.findings if f.severity == "Info"} == {ID + "imangali-tasmagambetov", ID + "sergey-lebedev"}


def test_the_full_graph_conforms_and_flags_every_one_source_qid(full_sources):
    """With COW IGO v3 and the Factbook (the fast engine: pySHACL is not run on 400,000 triples):
    every locator and Factbook quote holds; warnings are unlinked entities; every QID that a
    reference table rates one-source is a note, to verify."""
    import csv

    report = validate_graph(full_sources)
    assert report.conforms, report.to_text()
    assert {f.rule for f in report.findings if f.severity == "Warning"} == {"igosh:wikidataLinkPresent"}
    one_source = set()
    for name in ("wikidata-ids.tsv", "states-wikidata.tsv", "igos-wikidata.tsv"):
        with (ROOT / "seeds" / "reference" / name).open(encoding="utf-8", newline="") as fh:
            one_source |= {r["id"] for r in csv.DictReader(fh, delimiter="\t") if r["confidence"] == "one-source"}
    infos = [f for f in report.findings if f.severity == "Info"]
    assert {f.rule for f in infos} == {"check:qid-one-source"}
    assert {f.value.removeprefix("wd:") for f in infos} <= one_source
    assert len(infos) > 2


# --------------------------------------------------------------------------- the project's own checks


def test_quote_that_is_not_verbatim_names_the_node_and_its_line(project):
    path = project / "data" / "memberships.ttl"
    line = edit(path, "consists of six members, namely,", "consists of six members, namely")
    report = validate(project)
    (finding,) = violations(report, "check:quote-verbatim")
    assert finding.entity == ID + "att-000-csto-composition"
    assert finding.location == f"data/memberships.ttl:{line}"
    assert "seeds/000_0028a70cb1f432cd.txt" in finding.message
    assert not report.conforms


def test_quote_in_a_skolemized_attestation_points_at_its_parent_block(project):
    path = project / "data" / "posts.ttl"
    line = edit(path, "Russian President Vladimir Putin on Tuesday expressed hope", "President Putin on Tuesday expressed hope")
    (finding,) = violations(validate(project), "check:quote-verbatim")
    assert finding.entity.startswith(ID + "holding-president-of-russia-putin#attestation-")
    assert finding.location == f"data/posts.ttl:{line}"


def test_qid_not_in_the_reference_is_a_violation(project):
    path = project / "data" / "people.ttl"
    line = edit(path, 'rdfs:label "Rashid Alimov"@en .', 'rdfs:label "Rashid Alimov"@en ;\n    owl:sameAs wd:Q4115712 .')
    (finding,) = violations(validate(project), "check:qid-verified")
    assert finding.entity == ID + "rashid-alimov"
    assert finding.value == "wd:Q4115712"
    assert finding.location == f"data/people.ttl:{line + 1}"
    assert "seeds/reference/wikidata-ids.tsv" in finding.message


def test_qid_marked_not_found_cannot_be_used(project):
    # Qingdao's candidate Q170322 is listed as unverified: it has no QID in the reference.
    path = project / "data" / "places.ttl"
    edit(path, "igo:locatedIn id:shandong .", "igo:locatedIn id:shandong ;\n    owl:sameAs wd:Q170322 .")
    (finding,) = violations(validate(project), "check:qid-verified")
    assert finding.entity == ID + "qingdao"


def test_one_qid_on_two_entities_is_a_violation_on_both(project):
    path = project / "data" / "places.ttl"
    line = edit(path, 'rdfs:label "Sochi"@en ;', 'rdfs:label "Sochi"@en ;\n    owl:sameAs wd:Q649 ;')
    found = violations(validate(project), "check:qid-unique")
    assert {f.entity for f in found} == {ID + "moscow", ID + "sochi"}
    sochi = next(f for f in found if f.entity == ID + "sochi")
    assert sochi.location == f"data/places.ttl:{line + 1}"
    assert "id:moscow" in sochi.message


def test_dangling_reference_is_a_violation(project):
    path = project / "data" / "memberships.ttl"
    edit(path, "igo:member id:serbia ;", "igo:member id:serbiaa ;")
    found = violations(validate(project), "check:dangling-reference")
    assert [(f.entity, f.value) for f in found] == [(ID + "membership-csto-serbia", "id:serbiaa")]
    assert found[0].location == f"data/memberships.ttl:{line_of(path, 'id:serbiaa')}"


def test_undeclared_ontology_term_is_a_violation(project):
    path = project / "data" / "partnerships.ttl"
    edit(path, "igo:basedOn id:mou-2007-csto-sco ;", "igo:basedUpon id:mou-2007-csto-sco ;")
    found = violations(validate(project), "check:declared-term")
    assert [(f.entity, f.path) for f in found] == [(ID + "partnership-sco-csto", "igo:basedUpon")]
    assert found[0].location == f"data/partnerships.ttl:{line_of(path, 'igo:basedUpon')}"


def test_changed_seed_file_is_a_violation_of_its_source(project):
    seed = project / "seeds" / "004_8d8ce291ca1d0b08.txt"
    seed.write_bytes(seed.read_bytes() + b"\n")
    report = validate(project)
    (finding,) = violations(report, "check:source-sha256")
    assert finding.entity == ID + "source-004-urdupoint"
    assert finding.location == f"seeds/sources.ttl:{line_of(project / 'seeds' / 'sources.ttl', 'a818fe63')}"
    # the quotes still stand in the changed file: only the digest says it changed
    assert violations(report, "check:quote-verbatim") == []


def test_missing_seed_file_is_a_violation(project):
    (project / "seeds" / "001_5776edcb9c8e37dc.txt").unlink()
    (finding,) = violations(validate(project), "check:source-file")
    assert finding.entity == ID + "source-001-asia-plus"


def test_shape_violation_names_the_rule_and_the_line(project):
    path = project / "data" / "memberships.ttl"
    line = edit(path, 'igo:startDate "2017"^^xsd:gYear ;\n    igo:attestation id:att-003-sco-joined, id:att-000-sco-members, id:att-004-sco-members ;\n    igo:datedBy id:att-003-sco-joined .\n\nid:membership-sco-pakistan',
                'igo:startDate "2017"^^xsd:gYear ; igo:endDate "2016"^^xsd:gYear ;\n    igo:attestation id:att-003-sco-joined, id:att-000-sco-members, id:att-004-sco-members ;\n    igo:datedBy id:att-003-sco-joined .\n\nid:membership-sco-pakistan')
    for engine in ("fast", "pyshacl"):
        found = violations(validate(project, engine), "igosh:PeriodShape")
        assert [(f.entity, f.message) for f in found] == [(ID + "membership-sco-india", "igo:endDate 2016 is before igo:startDate 2017")]
        # the line where the membership is written (its subject), two above the edited dates
        written = path.read_text(encoding="utf-8").splitlines().index("id:membership-sco-india a igo:Membership ;") + 1
        assert written == line - 2 and [f.location for f in found] == [f"data/memberships.ttl:{written}"]


# --------------------------------------------------------------------------- the command line


def test_cli_broken_turtle_reports_file_line_and_column(project, capsys):
    path = project / "data" / "events.ttl"
    line = edit(path, 'igo:date "2018-06-09"^^xsd:date ;\n    igo:location id:qingdao ;\n    igo:parentEvent',
                'igo:date "2018-06-09"^^xsd:date \n    igo:location id:qingdao ;\n    igo:parentEvent')
    code = main(["--root", str(project), "validate"])
    out, err = capsys.readouterr()
    assert code == 2
    assert err.startswith("igokg: data/events.ttl:")
    location = err.split(": ", 2)[1]
    file, err_line, column = location.split(":")
    assert file == "data/events.ttl" and int(err_line) in (line, line + 1) and int(column) >= 1
    # the parser's own position prefix is not repeated after ours
    assert "Parser error" not in err and "dot is expected" in err
    assert "Traceback" not in out + err


def test_cli_violation_exits_1_and_names_entity_and_rule(project, capsys):
    edit(project / "data" / "memberships.ttl", "igo:member id:serbia ;", "igo:member id:serbiaa ;")
    code = main(["--root", str(project), "validate"])
    out, err = capsys.readouterr()
    assert code == 1
    assert "id:membership-csto-serbia" in out
    assert "check:dangling-reference" in out
    assert "does NOT conform" in out
    assert "Traceback" not in out + err


def test_cli_conforming_project_exits_0(project, capsys):
    code = main(["--root", str(project), "validate"])
    out, _ = capsys.readouterr()
    assert code == 0
    # 25 unlinked entities: the articles' 23 and the publishers of the pinned sources (COW, the CIA)
    assert "conforms (fast engine): 0 violation(s), 25 warning(s)" in out


def test_cli_json_report_lists_the_findings(project, capsys):
    edit(project / "data" / "partnerships.ttl", "igo:basedOn id:mou-2007-csto-sco ;", "igo:basedUpon id:mou-2007-csto-sco ;")
    code = main(["--root", str(project), "validate", "--format", "json"])
    out, _ = capsys.readouterr()
    assert code == 1
    report = json.loads(out)
    assert report["conforms"] is False and report["violations"] == 1
    (finding,) = [f for f in report["findings"] if f["severity"] == "Violation"]
    assert finding["rule"] == "check:declared-term"
    assert finding["entity"] == ID + "partnership-sco-csto"
    assert finding["location"].startswith("data/partnerships.ttl:")
    assert sum(1 for f in report["findings"] if f["severity"] == "Warning") == report["warnings"] == 25
