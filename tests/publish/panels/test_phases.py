"""Panels from status phases (publish/panels/phases.py), pinned on a small COW-format table written
here (tests/support/cow_panels.py, not the real file) run through the real import: a year inside a phase
gets its status's code, a year only a bound covers is not claimed, 2014 is the end of coverage
(neither an end nor a continuation), a 0 follows an end the cells show, and stops before the
state leaves the system."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from support.cow_panels import cow_fixture

from igokg.namespaces import ID
from igokg.publish.panels import compute_panels

# The panel, 2005-2016, cell by cell.
EXPECTED = {
    "aland": [-9, 1, 1, 0, 0, 0, 1, 1, 1, 1, -9, -9],  # no 0 before the first start; nothing after 2014
    "borduria": [-9, -9, 1, 1, 2, 2, -9, -9, 3, 3, -9, -9],  # years only a bound covers are not claimed
    "carpathia": [-9, 1, 1, 0, 0, -9, -9, -9, -9, -9, -9, -9],  # no 0 into the year it left the system
    "dravia": [-9, 1, 0, 0, 0, 1, 1, 1, 1, 1, -9, -9],  # an end reads as non-membership to the next phase
}


@pytest.fixture(scope="module")
def fixture():
    t, store = cow_fixture()
    return t, store, compute_panels(store, 2005, 2016)


def test_phases_code_the_years_they_cover_at_the_source_precision(fixture):
    _, _, panels = fixture
    got = {s: [panels.code("x", s, y) for y in range(2005, 2017)] for s in EXPECTED}
    assert got == EXPECTED


def test_the_default_span_runs_from_the_first_to_the_last_year_a_phase_names(fixture):
    _, store, _ = fixture
    panels = compute_panels(store)
    assert (panels.years[0], panels.years[-1]) == (1990, 2014)  # borduria's earliest start is the founding


def test_every_cell_a_phase_codes_lies_in_a_span_of_phase_evidence_with_its_locator(fixture):
    _, _, panels = fixture
    header, rows = panels.phase_evidence_table()
    rows = [dict(zip(header, r)) for r in rows]
    spanned = {(r["state"], y): int(r["code"]) for r in rows for y in range(int(r["first_year"]), int(r["last_year"]) + 1)}
    coded = {(s, y): c for (i, s, y), c in panels.cells.items()}
    assert spanned == coded
    after = [r for r in rows if r["state"] == "carpathia" and r["basis"] == "after-phase"]
    assert [(r["first_year"], r["last_year"], r["code"]) for r in after] == [("2008", "2009", "0")]
    assert after[0]["locator"] == "igo_year_format3 ioname=X column=carpathia 2006-2007: 1"
    assert after[0]["phase"] == ID + "membership-x-carpathia-phase-2006" and after[0]["quote"] == ""


def test_a_deprecated_phase_codes_nothing(fixture):
    _, store, _ = fixture
    store.add(ox.Quad(ox.NamedNode(ID + "membership-x-aland-phase-2006"), ox.NamedNode("https://w3id.org/igokg/ontology#rank"),
                      ox.NamedNode("https://w3id.org/igokg/ontology#DeprecatedRank")))
    try:
        panels = compute_panels(store, 2005, 2016)
        assert [panels.code("x", "aland", y) for y in (2006, 2007, 2008)] == [-9, -9, -9]
    finally:
        store.remove(ox.Quad(ox.NamedNode(ID + "membership-x-aland-phase-2006"), ox.NamedNode("https://w3id.org/igokg/ontology#rank"),
                             ox.NamedNode("https://w3id.org/igokg/ontology#DeprecatedRank")))
