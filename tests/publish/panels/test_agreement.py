"""The panels against COW's own coding (publish/panels/agreement.py): on the small COW-format table
of tests/support/cow_panels.py, every kind counted by hand; on the full graph (the pinned COW files, read by
the project's dataset reader), the figures docs/panels.md gives; and the written table."""

from __future__ import annotations

import csv
import io

import pytest
from support.csvw_check import validate_csvw
from support.cow_panels import cow_fixture

from igokg.publish.panels import AGREEMENT_FILE, compare_with_cow, compute_panels, cow_agreement, write_panel_files


def kinds(agreement) -> dict[tuple[int, int, str], int]:
    return {(r.cow_code, r.panel_code, r.basis): r.cells for r in agreement.rows}


def test_every_cell_of_the_table_is_counted_by_kind():
    t, store = cow_fixture()
    agreement = compare_with_cow(compute_panels(store, 2005, 2016), t, store)
    assert kinds(agreement) == {
        (1, 1, "phase"): 16, (2, 2, "phase"): 2, (3, 3, "phase"): 2,
        (0, 0, "after-phase"): 7,  # the 0s after an end, as COW has them
        (-9, -9, "outside"): 4, (-1, -9, "outside"): 5,  # COW's NA (-1 here) beside -9 agrees
        (0, -9, "outside"): 3,  # COW's 0 before a state's first phase: the graph states none
        (-9, 0, "after-phase"): 1,  # dravia 2008: the 0 after an end runs across COW's -9
    }
    assert (agreement.total, agreement.agreeing, agreement.differing) == (40, 36, 4)
    assert agreement.coded() == (30, 27)


def test_a_state_without_any_membership_in_the_igo_is_told_apart():
    t, store = cow_fixture()
    t.igo["elbonia"] = 0.0  # a column of 0s: COW's coding of a state never in the IGO
    t.state_columns.append("elbonia")
    agreement = compare_with_cow(compute_panels(store, 2005, 2016), t, store)
    assert kinds(agreement)[0, -9, "none"] == 10


def test_a_panel_span_shorter_than_cow_compares_its_own_years_only():
    t, store = cow_fixture()
    agreement = compare_with_cow(compute_panels(store, 2010, 2016), t, store)
    assert agreement.total == 5 * 4


@pytest.fixture(scope="module")
def full_agreement(full_sources):
    panels = compute_panels(full_sources.store, 1816, 2014)
    return panels, cow_agreement(panels, full_sources)


def test_the_full_graph_agrees_with_every_status_cow_codes_and_differs_on_zeros_it_does_not_state(full_agreement):
    _, agreement = full_agreement
    assert kinds(agreement) == {
        (-1, -9, "none"): 1_100_756, (-1, -9, "outside"): 193_702,
        (1, 1, "phase"): 536_320,
        (-9, -9, "none"): 167_380, (-9, -9, "outside"): 22_678,
        (0, 0, "after-phase"): 21_814,
        (3, 3, "phase"): 2_387,
        (2, 2, "phase"): 1_095,
        # COW's 0 for every state in the system outside the IGO: the graph records no absence
        (0, -9, "none"): 2_019_753,
        # a state with a membership in the IGO, in a year no phase of it reaches
        (0, -9, "outside"): 129_118,
        (-9, 0, "after-phase"): 692,
    }
    assert (agreement.total, agreement.agreeing, agreement.differing) == (4_195_695, 2_046_132, 2_149_563)
    assert agreement.coded() == (2_710_487, 561_616)


def test_the_agreement_is_written_with_valid_csvw_metadata(full_agreement, tmp_path):
    panels, agreement = full_agreement
    paths = write_panel_files(panels, tmp_path, agreement)
    table = tmp_path / "panels" / AGREEMENT_FILE
    assert table in paths
    rows = list(csv.DictReader(io.StringIO(table.read_text(encoding="utf-8"))))
    assert rows[0] == {"cow_code": "NA", "panel_code": "-9", "panel_basis": "none", "cells": "1100756",
                       "share": "0.262354", "agree": "true",
                       "reason": "the state is not in the system (COW's NA); the panels have no code for it"}
    assert validate_csvw(table.with_name(AGREEMENT_FILE + "-metadata.json")) == []
