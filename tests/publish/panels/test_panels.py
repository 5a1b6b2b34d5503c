"""COW panels: known answers on a fixture graph, CSVW-valid files, and the real graph's CQs."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from support.csvw_check import validate_csvw

from igokg.cli import main
from igokg.errors import IgokgError
from igokg.project import Project
from igokg.publish.panels import CODES, PANEL_FILES, compute_panels, write_panel_files
from igokg.sources import load_sources

HERE = Path(__file__).parent
from conftest import ROOT  # noqa: E402

FIXTURE = HERE / "fixtures" / "basic.ttl"
M = "https://w3id.org/igokg/id/"

# The fixture's answer, cell by cell: years 2001..2005 (the span of its evidence).
EXPECTED = {
    "alpha": {
        "aland": [1, 1, 1, 1, 1],  # founding member from 2001, no end: up to its attestation in 2005
        "boria": [-9, 1, 1, 1, 0],  # 2002-03 to 2004-06-30, then 0
        "corvia": [-9, -9, 3, -9, -9],  # observer, attested in May 2003 only
        "dunia": [-9, 1, -9, 1, -9],  # attested 2002 and 2004 only: 2003 stays missing
    },
    "beta": {
        "aland": [-9, -9, 1, -9, -9],  # from 2003, attested by no later source: 2003 only; before a start is missing, not 0
        "boria": [-9, 1, 1, 0, 0],  # attested 2002, ended 2003-12, no start
        "corvia": [-9, -9, -9, 0, -9],  # dialogue partner in 2004: not a COW status
        "dunia": [3, -9, 1, 1, -9],  # observer from 2001 (never attested later), member from 2003 to its attestation of 2004
    },
}


@pytest.fixture(scope="module")
def fixture_store() -> ox.Store:
    store = ox.Store()
    store.load(FIXTURE.read_bytes(), ox.RdfFormat.TURTLE)
    return store


@pytest.fixture(scope="module")
def real_sources():
    return load_sources(Project.discover(ROOT, env={"IGOKG_SKIP_SOURCES": "all"}))


@pytest.fixture(scope="module")
def real_panels(real_sources):
    return compute_panels(real_sources.store)


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


# --------------------------------------------------------------------------- fixture answers


def test_fixture_panel_matches_every_expected_cell(fixture_store):
    panels = compute_panels(fixture_store)
    assert panels.years == (2001, 2002, 2003, 2004, 2005)
    assert panels.horizon == 2005
    got = {i: {s: [panels.code(i, s, y) for y in panels.years] for s in EXPECTED[i]} for i in EXPECTED}
    assert got == EXPECTED


def test_members_that_are_not_states_get_no_column(fixture_store):
    panels = compute_panels(fixture_store)
    assert [s.slug for s in panels.states] == ["aland", "boria", "corvia", "dunia"]
    assert [i.slug for i in panels.igos] == ["alpha", "beta"]


def test_columns_are_slug_and_qid_or_bare_slug(fixture_store):
    header, rows = compute_panels(fixture_store).igo_year()
    rows = list(rows)
    assert header == ["igo", "igo_qid", "year", "aland_Q9000011", "boria", "corvia_Q9000013", "dunia_Q9000014"]
    assert rows[0][:3] == ["alpha", "Q9000001", "2001"]
    assert rows[5][:3] == ["beta", "", "2001"]


def test_years_outside_the_evidence_are_missing_even_after_an_end(fixture_store):
    panels = compute_panels(fixture_store, year_from=1999, year_to=2007)
    assert [panels.code("alpha", "aland", y) for y in (1999, 2000, 2005, 2006, 2007)] == [-9, -9, 1, -9, -9]
    # Non-membership after an end is known up to the horizon only.
    assert [panels.code("alpha", "boria", y) for y in (2005, 2006)] == [0, -9]


def test_a_reversed_span_is_refused(fixture_store):
    with pytest.raises(IgokgError, match="after its last year"):
        compute_panels(fixture_store, year_from=2005, year_to=2001)


def test_a_graph_without_memberships_needs_explicit_years():
    with pytest.raises(IgokgError, match="no dated membership"):
        compute_panels(ox.Store())


def test_every_coded_cell_has_evidence_and_missing_cells_have_none(fixture_store):
    panels = compute_panels(fixture_store)
    traced = {(e.igo, e.state, e.year): e.code for e in panels.evidence}
    coded = {k: v for k, v in panels.cells.items()}
    assert traced == coded
    assert all(e.quote and e.source == M + "src" for e in panels.evidence)


def test_attested_cells_cite_only_the_attestation_of_their_year(fixture_store):
    panels = compute_panels(fixture_store)
    rows = [e for e in panels.evidence if (e.igo, e.state) == ("alpha", "dunia")]
    assert [(e.year, e.basis, e.attestation) for e in rows] == [
        (2002, "attested", M + "att-2002"),
        (2004, "attested", M + "att-2004"),
    ]
    ended = [e for e in panels.evidence if (e.igo, e.state, e.year) == ("alpha", "boria", 2005)]
    assert [(e.code, e.basis, e.end_date) for e in ended] == [(0, "after-end", "2004-06-30")]


def test_dyads_count_joint_full_memberships_and_flag_the_undetermined(fixture_store):
    header, rows = compute_panels(fixture_store).dyad_year()
    table = {(r[0], r[1], int(r[2])): dict(zip(header, r)) for r in rows}
    ab03 = table[("aland", "boria", 2003)]
    assert (ab03["shared_count"], ab03["shared_igos"], ab03["undetermined_count"]) == ("2", "alpha;beta", "0")
    # Boria is a full member of beta in 2002, Aland has no code there: they may share it.
    ab02 = table[("aland", "boria", 2002)]
    assert (ab02["shared_igos"], ab02["undetermined_count"]) == ("alpha", "1")
    # Dunia observes beta in 2002: coded, so not undetermined.
    assert table[("aland", "dunia", 2002)]["undetermined_count"] == "0"
    assert table[("aland", "dunia", 2003)]["undetermined_count"] == "1"  # Dunia has no alpha code in 2003
    assert "undetermined_igos" not in header


def test_the_dyad_table_has_a_row_only_for_pairs_that_share_an_igo(fixture_store):
    panels = compute_panels(fixture_store)
    header, rows = panels.dyad_year()
    keys = [(r[0], r[1], int(r[2])) for r in rows]
    expected = sorted(
        (a.slug, b.slug, y)
        for a in panels.states for b in panels.states if a.slug < b.slug
        for y in panels.years
        if any(panels.code(i.slug, a.slug, y) == 1 == panels.code(i.slug, b.slug, y) for i in panels.igos)
    )
    assert keys == expected and len(keys) == 9  # of 6 pairs x 5 years
    assert ("corvia", "dunia", 2003) not in keys  # an observer shares nothing
    assert ("aland", "boria", 2005) not in keys  # Boria's memberships have ended


# --------------------------------------------------------------------------- files


def test_written_files_validate_against_their_csvw_metadata(fixture_store, tmp_path):
    write_panel_files(compute_panels(fixture_store), tmp_path)
    for name in PANEL_FILES:
        meta = tmp_path / "panels" / f"{name}-metadata.json"
        assert meta.is_file()
        assert validate_csvw(meta) == [], name


def _break(path: Path, how) -> None:
    lines = path.read_text().split("\n")
    how(lines)
    path.write_text("\n".join(lines))


def _cell(lines: list[str], row: int, col: int, value: str) -> None:
    cells = lines[row].split(",")
    cells[col] = value
    lines[row] = ",".join(cells)


@pytest.mark.parametrize(("name", "how", "finding"), [
    # found by the csvw package
    ("igo_year.csv", lambda ls: ls.__setitem__(0, ls[0].replace("boria", "boria_Q1")), "csvw: "),
    ("igo_year.csv", lambda ls: _cell(ls, 1, -1, "7"), "csvw: "),  # above the datatype's maximum
    ("igo_year.csv", lambda ls: _cell(ls, 1, 1, "Z1"), "csvw: "),  # igo_qid does not match ^Q[0-9]+$
    ("igo_year.csv", lambda ls: ls.__setitem__(2, ls[1]), "csvw: "),  # the primary key repeats
    ("evidence.csv", lambda ls: _cell(ls, 1, 4, "guessed"), "csvw: "),  # basis outside its pattern
    # found by the checks csvw does not make
    ("igo_year.csv", lambda ls: _cell(ls, 1, -1, "-1"), "is not a code"),  # within -9..3, not a COW code
    ("igo_year.csv", lambda ls: ls.__setitem__(1, ls[1] + ",1"), "cells for"),
    ("igo_year.csv", lambda ls: ls.__setitem__(1, ls[1] + "\r"), "line endings"),
    ("igo_year.csv", lambda ls: ls.__setitem__(0, "\ufeff" + ls[0]), "byte-order mark"),
    ("evidence.csv", lambda ls: _cell(ls, 1, 5, "not-a-uri"), "not an absolute URI"),
])
def test_the_checker_rejects_each_kind_of_broken_file(fixture_store, tmp_path, name, how, finding):
    write_panel_files(compute_panels(fixture_store), tmp_path)
    meta = tmp_path / "panels" / f"{name}-metadata.json"
    assert validate_csvw(meta) == []
    _break(tmp_path / "panels" / name, how)
    errors = validate_csvw(meta)
    assert any(finding in e for e in errors), errors


def test_metadata_states_the_code_list_and_the_cell_rules(fixture_store, tmp_path):
    write_panel_files(compute_panels(fixture_store), tmp_path)
    meta = json.loads((tmp_path / "panels" / "state_year.csv-metadata.json").read_text())
    codes = {c["skos:notation"]: c for c in meta["dc:conformsTo"]["skos:hasTopConcept"]}
    assert set(codes) == {str(c) for c in CODES} == {"1", "2", "3", "0", "-9"}
    assert {r["@id"] for r in codes["1"]["skos:related"]} == {
        "https://w3id.org/igokg/ontology#Member", "https://w3id.org/igokg/ontology#FoundingMember"}
    assert any("no other year" in c for c in meta["rdfs:comment"])
    assert {"@id": "https://w3id.org/igokg/ontology#attestedAt"} in meta["dc:source"]
    ccode = next(c for c in meta["tableSchema"]["columns"] if c["name"] == "cow_ccode")
    assert "Blank" in ccode["dc:description"]


def test_output_is_byte_identical_across_runs_and_uses_lf(fixture_store, tmp_path):
    write_panel_files(compute_panels(fixture_store), tmp_path / "a")
    store2 = ox.Store()
    store2.load(FIXTURE.read_bytes(), ox.RdfFormat.TURTLE)
    write_panel_files(compute_panels(store2), tmp_path / "b")
    for name in PANEL_FILES:
        a = (tmp_path / "a" / "panels" / name).read_bytes()
        assert a == (tmp_path / "b" / "panels" / name).read_bytes()
        assert b"\r" not in a
        assert a.endswith(b"\n")


# --------------------------------------------------------------------------- the real graph


def test_sco_2020_row_lists_exactly_the_eight_members_of_cq3(real_panels):
    assert real_panels.members("sco", 2020) == [
        "china", "india", "kazakhstan", "kyrgyzstan", "pakistan", "russia", "tajikistan", "uzbekistan"]
    assert real_panels.members("sco", 2020, code=3) == []


def test_csto_2018_has_serbia_and_afghanistan_as_observers(real_panels):
    assert real_panels.members("csto", 2018, code=3) == ["afghanistan", "serbia"]
    assert real_panels.members("csto", 2018) == ["armenia", "belarus", "kazakhstan", "kyrgyzstan", "russia", "tajikistan"]


def test_a_membership_with_a_start_covers_no_year_after_its_last_attestation(real_panels):
    """India joined the SCO in 2017 (source 003) and is attested as a member in 2018 and 2020; no
    source says it was a member in 2021 or 2022, so those years are missing, not member."""
    assert [real_panels.code("sco", "india", y) for y in range(2016, 2024)] == [-9, 1, 1, 1, 1, -9, -9, -9]
    assert [real_panels.code("sco", "china", y) for y in (2001, 2010, 2020, 2021, 2022)] == [1, 1, 1, -9, -9]
    # the evidence of a covered year still traces to a quote: 2019 lies between the start and 2020
    india_2019 = [e for e in real_panels.evidence if (e.igo, e.state, e.year) == ("sco", "india", 2019)]
    assert india_2019 and {e.basis for e in india_2019} == {"period"}


def test_real_panels_keep_gaps_missing_not_zero(real_panels):
    # The CSTO's members are attested in 2018, 2020 and 2023 only: 2019 is missing.
    assert real_panels.code("csto", "armenia", 2019) == -9
    # Iran joined the SCO in 2023 (source 003): before that the graph does not say.
    assert real_panels.code("sco", "iran", 2022) == -9
    assert real_panels.code("sco", "iran", 2023) == 1
    assert 0 not in real_panels.cells.values()  # no membership in the graph has ended


def test_real_cells_trace_to_quotes_standing_verbatim_in_their_seed(real_panels):
    coded = set(real_panels.cells)
    traced = {(e.igo, e.state, e.year) for e in real_panels.evidence if e.quote}
    assert coded and coded <= traced
    texts: dict[str, str] = {}
    for e in real_panels.evidence:
        text = texts.setdefault(e.source_file, (ROOT / e.source_file).read_text(encoding="utf-8"))
        assert e.quote in text, (e.attestation, e.source_file)


def test_release_writer_writes_valid_panels_of_the_real_graph(real_sources, tmp_path):
    write_panel_files(compute_panels(real_sources.store), tmp_path)
    for name in PANEL_FILES:
        assert validate_csvw(tmp_path / "panels" / f"{name}-metadata.json") == [], name
    rows = read_csv(tmp_path / "panels" / "state_year.csv")
    russia = next(r for r in rows if r["state"] == "russia" and r["year"] == "2020")
    assert (russia["state_qid"], russia["cow_ccode"]) == ("Q159", "")
    assert (russia["cis_Q7779"], russia["csto_Q318693"], russia["sco_Q485207"]) == ("1", "1", "1")


def test_cli_export_panels_writes_the_requested_years(tmp_path, capsys):
    rc = main(["--root", str(ROOT), "export", "panels", "--from", "2018", "--to", "2020", "--out", str(tmp_path)])
    assert rc == 0
    assert "panels 2018-2020" in capsys.readouterr().out
    years = {r["year"] for r in read_csv(tmp_path / "panels" / "igo_year.csv")}
    assert years == {"2018", "2019", "2020"}


def test_cli_export_panels_rejects_a_reversed_span_with_exit_2(tmp_path, capsys):
    rc = main(["--root", str(ROOT), "export", "panels", "--from", "2020", "--to", "2018", "--out", str(tmp_path)])
    assert rc == 2
    assert "after its last year" in capsys.readouterr().err
    assert not (tmp_path / "panels").exists()


@pytest.mark.parametrize("option", ["--to", "--from"])
def test_cli_export_panels_refuses_a_year_no_panel_needs_before_loading_anything(tmp_path, capsys, option):
    with pytest.raises(SystemExit) as stop:
        main(["--root", str(ROOT), "export", "panels", option, "900000", "--out", str(tmp_path)])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert f"argument {option}: 900000 is outside 1700-2100" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_pandas_reads_the_state_year_panel_as_integers(real_sources, tmp_path):
    pd = pytest.importorskip("pandas", reason="pandas is optional; the docs example uses it")
    write_panel_files(compute_panels(real_sources.store), tmp_path)
    df = pd.read_csv(tmp_path / "panels" / "state_year.csv")
    assert str(df["sco_Q485207"].dtype) == "int64"
    assert df.loc[(df.state == "india") & (df.year == 2017), "sco_Q485207"].item() == 1


def test_every_release_has_the_panels_with_checksums(tmp_path):
    from igokg.publish import build_release

    project = Project.discover(ROOT, env={"SOURCE_DATE_EPOCH": "1700000000", "IGOKG_SKIP_SOURCES": "all"}, interactive=False)
    release = build_release(project.with_out(tmp_path / "dist"))
    sums = (tmp_path / "dist" / "SHA256SUMS").read_text()
    for name in PANEL_FILES:
        assert f"  panels/{name}\n" in sums
        assert validate_csvw(tmp_path / "dist" / "panels" / f"{name}-metadata.json") == [], name
    assert "panels/state_year.csv" in release.files


def test_docs_show_the_real_output(real_sources, tmp_path, capsys):
    import re

    text = (ROOT / "docs" / "panels.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```console\n(.*?)```", text, re.S)
    assert main(["--root", str(ROOT), "export", "panels", "--out", str(tmp_path)]) == 0
    summary = capsys.readouterr().out.splitlines()[0]
    assert blocks[0].splitlines()[1] == summary
    lines: set[str] = set()
    for name in PANEL_FILES:
        lines |= set((tmp_path / "panels" / name).read_text(encoding="utf-8").splitlines())
    shown = [ln for b in blocks[1:] for ln in b.splitlines() if ln and not ln.startswith("$")]
    assert shown and all(ln in lines for ln in shown), [ln for ln in shown if ln not in lines]


def test_the_panels_are_computed_and_written_with_the_collector_paused_and_given_back(fixture_store, tmp_path, monkeypatch):
    import gc

    from igokg.publish.panels import compute, write

    seen = []
    memberships, write_csv = compute._memberships, write._write_csv

    def _memberships(store):
        seen.append(("compute", gc.isenabled()))
        return memberships(store)

    def _write_csv(*args, **kwargs):
        seen.append(("write", gc.isenabled()))
        return write_csv(*args, **kwargs)

    monkeypatch.setattr(compute, "_memberships", _memberships)
    monkeypatch.setattr(write, "_write_csv", _write_csv)
    panels = compute_panels(fixture_store)
    write_panel_files(panels, tmp_path)
    assert seen and ("compute", False) in seen and all(not on for _, on in seen)
    assert gc.isenabled()
