"""The time rules of the COW import, pinned on small COW-format tables written here (not the real
file, tests/support/cow.py): a join after a 0, a founding year, a gap of -9, an entry into the
system, the 2014 censoring, a status change, a dissolution, and the split of a column between
polities. What the graph says of them (dates, bounds, locators, the dissolution and its kind) is
pinned in test_cow_graph.py."""

from __future__ import annotations

import pytest
from support.cow import NA, igo_table, tables

from igokg.sources.cow_phases import Polity, compute_phases
from igokg.sources.cow_tables import CowTables, cell_text


def phases_of(t: CowTables, column: str = "aland", polities=()) -> list[dict]:
    p = compute_phases(t, list(polities))
    keep = ["code", "first", "last", "start", "earliest_start", "latest_start", "end", "earliest_end", "latest_end"]
    rows = p[p["column"] == column][keep + ["polity"]].to_dict("records")
    return [{k: (v if k == "polity" else int(v)) for k, v in r.items() if (k == "polity" and v) or (k != "polity" and v != -1)}
            for r in rows]


def test_a_join_after_a_0_starts_that_year():
    t = tables(igo_table("X", range(2000, 2005), {"aland": [0, 0, 1, 1, 0], "borduria": [0] * 5}, sdate=1990))
    assert phases_of(t) == [{"code": 1, "first": 2002, "last": 2003, "start": 2002, "end": 2003}]


def test_the_founding_year_starts_the_founders_membership():
    t = tables(igo_table("X", range(1990, 1993), {"aland": [1, 1, 0], "borduria": [0, 0, 0]}, sdate=1990))
    assert phases_of(t)[0]["start"] == 1990


def test_a_first_row_after_the_founding_gives_bounds_not_a_start():
    t = tables(igo_table("X", range(1992, 1994), {"aland": [1, 0], "borduria": [0, 0]}, sdate=1990))
    (p,) = phases_of(t)
    assert "start" not in p and (p["earliest_start"], p["latest_start"]) == (1990, 1992)


def test_a_gap_of_minus_9_is_not_non_membership():
    t = tables(igo_table("X", range(2000, 2008), {"aland": [0, 1, 1, -9, -9, 1, 1, 0], "borduria": [0] * 8}, sdate=1990))
    before, after = phases_of(t)
    # the same status on both sides: the gap may hide no change at all, so no bound past it
    assert before == {"code": 1, "first": 2001, "last": 2002, "start": 2001, "earliest_end": 2002}
    assert after == {"code": 1, "first": 2005, "last": 2006, "latest_start": 2005, "end": 2006}


def test_a_gap_of_minus_9_after_a_0_bounds_the_start():
    t = tables(igo_table("X", range(2000, 2006), {"aland": [0, -9, -9, 1, 1, 0], "borduria": [0] * 6}, sdate=1990))
    (p,) = phases_of(t)
    assert (p["earliest_start"], p["latest_start"]) == (2001, 2003) and "start" not in p


def test_entry_into_the_system_starts_the_membership_that_year():
    t = tables(igo_table("X", range(1990, 1995), {"aland": [NA, NA, 1, 1, 1], "borduria": [NA, NA, NA, 1, 1]}, sdate=1980),
               states=(("aland", 1, 1992, 2016), ("borduria", 2, 1816, 2016)))
    assert phases_of(t, "aland")[0]["start"] == 1992
    # borduria was in the system all along: NA is no evidence of a change, so bounds
    (b,) = phases_of(t, "borduria")
    assert "start" not in b and b["latest_start"] == 1993


def test_2014_is_the_end_of_coverage_not_an_end_date():
    t = tables(igo_table("X", range(2010, 2015), {"aland": [0, 1, 1, 1, 1], "borduria": [0] * 5}, sdate=1990))
    (p,) = phases_of(t)
    assert "end" not in p and "latest_end" not in p
    assert p["earliest_end"] == 2014  # through at least 2014


def test_a_status_change_ends_one_phase_and_starts_the_next():
    t = tables(igo_table("CIS", range(1991, 1996), {"aland": [1, 1, 2, 2, 2], "borduria": [0] * 5}, sdate=1991))
    full, associate = phases_of(t)
    assert (full["code"], full["start"], full["end"]) == (1, 1991, 1992)
    assert (associate["code"], associate["start"]) == (2, 1993)


def test_a_dissolution_ends_the_membership_with_the_organization():
    t = tables(igo_table("OLD", range(1990, 1996), {"aland": [1] * 6, "borduria": [0] * 6}, sdate=1990,
                         deaddate=1995, replaced_from=1995))
    (p,) = phases_of(t)
    assert p["end"] == 1995


def test_a_column_split_between_polities_gives_each_its_phase():
    t = tables(igo_table("X", range(1988, 1994), {"aland": [1] * 6, "borduria": [0] * 6}, sdate=1980))
    polities = [Polity("aland", 1816, 1990, "old-aland", "Old Aland", None), Polity("aland", 1991, None, "aland", "Aland", None)]
    old, new = phases_of(t, polities=polities)
    assert (old["polity"], old["first"], old["last"], old["end"]) == ("old-aland", 1988, 1990, 1990)
    assert (new["polity"], new["first"], new["start"]) == ("aland", 1991, 1991)


def test_runs_are_counted_like_the_reference_counts():
    """Runs of consecutive years with one status, broken by any other code or a missing year."""
    t = tables(igo_table("X", [2000, 2001, 2003, 2004], {"aland": [1, 1, 1, 3], "borduria": [3, 0, 3, 3]}, sdate=2000))
    p = compute_phases(t, [])
    assert sorted(zip(p["column"], p["code"], p["first"])) == [
        ("aland", 1, 2000), ("aland", 1, 2003), ("aland", 3, 2004), ("borduria", 3, 2000), ("borduria", 3, 2003),
    ]


@pytest.mark.parametrize("value,text", [(1.0, "1"), (-9.0, "-9"), (NA, "NA"), ("CSTO", "CSTO"), (1996.0, "1996"), (0.5, "0.5")])
def test_cells_are_written_as_the_dataset_holds_them(value, text):
    assert cell_text(value) == text
