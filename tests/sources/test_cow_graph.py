"""What the COW import writes, on small COW-format tables (tests/support/cow.py), not the real file:
one membership per state and IGO with dated phases or bounds, each with its record locator; the
founding and the dissolution of an IGO (with how it ended) and their cells; the articles' entities
reused by their verified QID; polities of a split column; the same tables give the same text."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from support.cow import igo_table, tables

from igokg.errors import SourceError
from igokg.namespaces import ID, IGO, OWL_SAMEAS, RDF_TYPE, RDFS, WD, XSD
from igokg.sources.cow_graph import Known, cow_ntriples
from igokg.sources.cow_phases import Polity, compute_phases
from igokg.sources.reference import CowLink

SOURCE = ID + "cow-igo-v3"
NOTHING_KNOWN = Known(by_qid={}, labelled=set(), subjects=set())


def graph(t, polities=(), state_links=None, igo_links=None, known=NOTHING_KNOWN) -> ox.Store:
    text = cow_ntriples(t, compute_phases(t, list(polities)), list(polities), state_links or {}, igo_links or {}, known, SOURCE)
    store = ox.Store()
    store.load(text.encode(), format=ox.RdfFormat.N_TRIPLES)
    return store


def values(store: ox.Store, s: str, p: str) -> set[str]:
    return {q.object.value for q in store.quads_for_pattern(ox.NamedNode(s), ox.NamedNode(p), None)}


def one(store: ox.Store, s: str, p: str) -> str:
    (v,) = values(store, s, p)
    return v


def cells(store: ox.Store, node: str) -> dict[str, str]:
    """The locator of a node's (only) attestation, as {property: value}."""
    att = one(store, node, IGO + "attestation")
    assert one(store, att, IGO + "source") == SOURCE
    loc = one(store, att, IGO + "locator")
    return {q.predicate.value[len(IGO):]: q.object.value for q in store.quads_for_pattern(ox.NamedNode(loc), None, None)
            if q.predicate.value.startswith(IGO)}


def test_a_join_after_a_0_is_a_dated_phase_with_the_cells_that_show_it():
    g = graph(tables(igo_table("ORG", range(2000, 2005), {"aland": [0, 0, 1, 1, 0], "borduria": [0] * 5}, sdate=1990)))
    m = ID + "membership-org-aland"
    assert values(g, m, RDF_TYPE) == {IGO + "Membership"}
    assert one(g, m, IGO + "member") == ID + "aland" and one(g, m, IGO + "organization") == ID + "org"
    assert values(g, m, IGO + "role") == set()  # a status over time is a phase's, not the membership's
    phase = one(g, m, IGO + "phase")
    assert phase == m + "-phase-2002"
    assert one(g, phase, IGO + "status") == IGO + "Member"
    assert (one(g, phase, IGO + "startDate"), one(g, phase, IGO + "endDate")) == ("2002", "2003")
    assert values(g, phase, IGO + "latestStart") == values(g, phase, IGO + "earliestEnd") == set()
    assert cells(g, phase) == {
        "table": "igo_year_format3", "row": "ioname=ORG", "column": "aland", "cellValue": "1",
        "firstYear": "2002", "lastYear": "2003", "precedingValue": "0", "followingValue": "0",
    }
    # borduria was never a member: no membership is made of zeros
    assert not list(g.quads_for_pattern(ox.NamedNode(ID + "membership-org-borduria"), None, None))


def test_a_phase_through_2014_is_open_and_a_gap_gives_bounds():
    g = graph(tables(igo_table("ORG", range(2008, 2015), {"aland": [0, -9, 3, 3, 3, 3, 3], "borduria": [0] * 7}, sdate=1990)))
    phase = ID + "membership-org-aland-phase-2010"
    assert one(g, phase, IGO + "status") == IGO + "Observer"
    assert values(g, phase, IGO + "startDate") == values(g, phase, IGO + "endDate") == set()
    assert (one(g, phase, IGO + "earliestStart"), one(g, phase, IGO + "latestStart")) == ("2009", "2010")
    assert one(g, phase, IGO + "earliestEnd") == "2014" and values(g, phase, IGO + "latestEnd") == set()
    assert {q.object.datatype.value for q in g.quads_for_pattern(ox.NamedNode(phase), None, None)
            if isinstance(q.object, ox.Literal)} == {XSD + "gYear"}
    loc = cells(g, phase)
    assert loc["precedingValue"] == "-9" and "followingValue" not in loc  # no row after 2014


def test_a_dissolution_with_a_successor_flag_is_a_dated_end_of_kind_replaced():
    t = tables(
        igo_table("OLD", range(1990, 1996), {"aland": [1] * 6, "borduria": [0] * 6}, sdate=1990, deaddate=1995, replaced_from=1995),
        igo_table("NEW", range(1996, 1999), {"aland": [1] * 3, "borduria": [0] * 3}, sdate=1996),
    )
    g = graph(t)
    d = ID + "dissolution-old-cow"
    assert one(g, d, RDF_TYPE) == IGO + "Dissolution"
    assert one(g, d, IGO + "dissolved") == ID + "old" and one(g, d, IGO + "date") == "1995"
    assert one(g, d, IGO + "endKind") == IGO + "Replaced"
    locators = {}
    for att in values(g, d, IGO + "attestation"):
        loc = one(g, att, IGO + "locator")
        locators[one(g, loc, IGO + "column")] = (one(g, loc, IGO + "cellValue"), values(g, loc, IGO + "firstYear"))
    assert locators == {"deaddate": ("1995", set()), "replaced": ("1", {"1995"})}
    # the members' phases end with the organization, in its last year
    assert one(g, ID + "membership-old-aland-phase-1990", IGO + "endDate") == "1995"
    # the founding year of the successor starts its founders' memberships
    assert one(g, ID + "founding-new-cow", IGO + "date") == "1996"
    assert one(g, ID + "membership-new-aland-phase-1996", IGO + "startDate") == "1996"
    # COW flags that OLD was replaced but names no successor: the import names none either
    # (data/factbook.ttl does, where the Factbook does)
    assert not list(g.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), ox.NamedNode(IGO + "Succession")))
    assert values(g, ID + "dissolution-new-cow", RDF_TYPE) == set()


def test_entities_the_articles_know_are_reused_and_others_linked_only_from_the_tables():
    t = tables(igo_table("ORG", range(2000, 2002), {"aland": [1, 1], "borduria": [1, 1]}, sdate=2000))
    known = Known(by_qid={"Q1": ID + "aland-of-the-articles"}, labelled={ID + "aland-of-the-articles"},
                  subjects={ID + "aland-of-the-articles"}, typed={ID + "aland-of-the-articles"})
    links = {"1": CowLink("1", "Aland", "Q1", "confirmed-2-sources"), "2": CowLink("2", "Borduria", None, "not-found")}
    g = graph(t, state_links=links, igo_links={"ORG": CowLink("ORG", "ORG org", "Q9", "one-source")}, known=known)
    aland = ID + "aland-of-the-articles"
    # the project's entity gains COW's codes, not a second type, label or link
    assert one(g, aland, IGO + "cowCode") == "1" and one(g, aland, IGO + "cowColumn") == "aland"
    assert values(g, aland, RDF_TYPE) == values(g, aland, RDFS + "label") == values(g, aland, OWL_SAMEAS) == set()
    assert one(g, ID + "membership-org-aland-of-the-articles", IGO + "member") == aland
    # not-found: minted, labelled, unlinked; one-source: linked (igokg validate flags it)
    assert one(g, ID + "borduria", RDFS + "label") == "Borduria" and values(g, ID + "borduria", OWL_SAMEAS) == set()
    assert one(g, ID + "org", OWL_SAMEAS) == WD + "Q9"


def test_a_column_split_between_polities_makes_a_state_and_a_membership_per_polity():
    t = tables(igo_table("ORG", range(1988, 1994), {"aland": [1] * 6, "borduria": [0] * 6}, sdate=1980))
    polities = [Polity("aland", 1816, 1990, "old-aland", "Old Aland", None), Polity("aland", 1991, None, "new-aland", "New Aland", None)]
    g = graph(t, polities)
    assert (one(g, ID + "old-aland", IGO + "cowFirstYear"), one(g, ID + "old-aland", IGO + "cowLastYear")) == ("1816", "1990")
    assert values(g, ID + "new-aland", IGO + "cowLastYear") == set()
    assert one(g, ID + "old-aland", IGO + "cowCode") == one(g, ID + "new-aland", IGO + "cowCode") == "1"
    old, new = ID + "membership-org-old-aland-phase-1988", ID + "membership-org-new-aland-phase-1991"
    assert one(g, old, IGO + "endDate") == "1990" and one(g, new, IGO + "startDate") == "1991"
    # each locator names the years of its own polity, and the cells across the cut
    assert (cells(g, old)["lastYear"], cells(g, old)["followingValue"]) == ("1990", "1")
    assert (cells(g, new)["firstYear"], cells(g, new)["precedingValue"]) == ("1991", "1")


def test_the_same_tables_give_the_same_text():
    def text():
        t = tables(igo_table("B", range(2000, 2004), {"aland": [0, 1, 2, 2], "borduria": [3, 3, 0, 1]}, sdate=1999),
                   igo_table("A", range(1990, 1993), {"aland": [1, 1, 1], "borduria": [-9, 1, 1]}, sdate=1990, deaddate=1992))
        return cow_ntriples(t, compute_phases(t, []), [], {}, {}, NOTHING_KNOWN, SOURCE)

    first = text()
    assert first == text() and first.endswith(" .\n") and len(first.splitlines()) > 50


def test_two_cow_entities_that_would_share_an_iri_stop_the_import():
    t = tables(igo_table("ORG", range(2000, 2002), {"aland": [1, 1], "borduria": [1, 1]}, sdate=2000))
    with pytest.raises(SourceError, match="would share an IRI: .*id/org"):
        graph(t, known=Known(by_qid={}, labelled=set(), subjects={ID + "org"}))


def test_a_membership_the_project_only_adds_a_phase_to_is_typed_with_its_member_and_organization():
    """data/factbook.ttl adds a Factbook phase to id:membership-csto-uzbekistan without typing it:
    the import must not take a subject for a typed membership (it left two untyped)."""
    t = tables(igo_table("ORG", range(2000, 2002), {"aland": [1, 1], "borduria": [1, 1]}, sdate=2000))
    typed_elsewhere = ID + "membership-org-borduria"
    only_a_phase = ID + "membership-org-aland"
    g = graph(t, known=Known(by_qid={}, labelled=set(), subjects={only_a_phase, typed_elsewhere}, typed={typed_elsewhere}))
    assert values(g, only_a_phase, RDF_TYPE) == {IGO + "Membership"}
    assert one(g, only_a_phase, IGO + "member") == ID + "aland" and one(g, only_a_phase, IGO + "organization") == ID + "org"
    # a membership the project types keeps its own type, member and organization: no second copy
    assert values(g, typed_elsewhere, RDF_TYPE) == values(g, typed_elsewhere, IGO + "member") == set()
    assert values(g, typed_elsewhere, IGO + "phase") == {typed_elsewhere + "-phase-2000"}
