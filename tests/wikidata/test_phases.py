"""Memberships known by their status phases (COW IGO v3, the Factbook) in the Wikidata diff and
QuickStatements (igokg.wikidata.phases): a P463 per member phase at the source's precision, cited
by the dataset itself; on a small graph for the precision rules, on the full graph (the pinned
COW files) against a real Oxigraph server loaded with the Wikidata-shaped fixture."""

from __future__ import annotations

import dataclasses

import pyoxigraph as ox
import pytest
from support.quickstatements_v1 import assert_quickstatements_v1

from igokg.wikidata import WDate, WikidataClient, diff_statements, quickstatements
from igokg.wikidata.phases import phases_of, summarize
from igokg.wikidata.references import source_references

ID = "https://w3id.org/igokg/id/"
COW_REFERENCE = {
    "S854": '"https://correlatesofwar.org/data-sets/igos/"',
    "S1476": 'en:"Correlates of War 3 International Governmental Organizations Data Set, Version 3.0"',
    "S577": "+2019-07-00T00:00:00Z/10",
}


def _store(ttl: str) -> ox.Store:
    store = ox.Store()
    store.load(("""@prefix igo: <https://w3id.org/igokg/ontology#> . @prefix id: <https://w3id.org/igokg/id/> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        """ + ttl).encode(), format=ox.RdfFormat.TURTLE)
    return store


def test_a_bound_is_no_start_or_end_and_an_open_phase_has_no_end(sources):
    store = _store("""
        id:m a igo:Membership ; igo:member id:a ; igo:organization id:o ;
            igo:phase id:p1, id:p2, id:p3 .
        id:p1 a igo:MembershipPhase ; igo:status igo:Member ; igo:earliestStart "1950"^^xsd:gYear ;
            igo:latestStart "1955"^^xsd:gYear ; igo:endDate "1960"^^xsd:gYear ; igo:attestation id:a1 .
        id:p2 a igo:MembershipPhase ; igo:status igo:Observer ; igo:startDate "1961"^^xsd:gYear ;
            igo:endDate "1970"^^xsd:gYear ; igo:attestation id:a2 .
        id:p3 a igo:MembershipPhase ; igo:status igo:Member ; igo:startDate "1971"^^xsd:gYear ;
            igo:earliestEnd "2014"^^xsd:gYear ; igo:attestation id:a3 .
        id:deprecated a igo:Membership ; igo:member id:b ; igo:organization id:o ; igo:phase id:d1 .
        id:d1 a igo:MembershipPhase ; igo:status igo:Observer ; igo:rank igo:DeprecatedRank .
    """)
    phases = phases_of(dataclasses.replace(sources, store=store))
    p1, p2, p3 = phases[ID + "m"]
    assert (p1.standing, p1.start, p1.end) == ("member", None, WDate("1960", 9))  # a bound-only start: no P580
    assert (p2.standing, p2.start, p2.end) == ("observer", WDate("1961", 9), WDate("1970", 9))
    assert (p3.start, p3.end) == (WDate("1971", 9), None)  # open at 2014: no P582
    assert ID + "deprecated" not in phases  # a deprecated claim is not sent
    # as one statement: the member phases, from the first's start (none: bounded) to the last's end (none: open)
    roles, start, end, atts, dated = summarize([p1, p2, p3])
    assert (roles, start, end) == ({"member"}, None, None)
    assert atts == [ID + "a1", ID + "a3"] and dated == []


def test_the_cow_dataset_is_cited_by_its_landing_page_title_and_issue_without_stated_in_or_retrieved(full_sources):
    # The reference tables hold no QID for the dataset (never its publisher's): no S248. The
    # description records no day the copy was taken: no S813.
    refs = source_references(full_sources, trusted={"Q159", "Q7779"})
    assert dict(refs[ID + "cow-igo-v3"].pairs) == COW_REFERENCE
    assert refs[ID + "cow-igo-v3"].citable


@pytest.fixture(scope="module")
def full_report(full_sources, good):
    client = WikidataClient(endpoint=good, cache_dir=None)
    diff = diff_statements(full_sources, client)
    return diff, quickstatements(full_sources, client, diff=diff)


def test_dataset_statements_carry_the_years_cow_shows_and_cite_the_dataset(full_report):
    _, report = full_report
    lines = assert_quickstatements_v1(report.to_quickstatements())
    assert len(lines) == len(report.commands) == 21
    by = {(c.item, c.value): c for c in report.commands}
    # Russia in the UN from 1991 (the polity's first year), open at 2014: a start, no end
    russia = by["Q159", "Q1065"]
    assert russia.qualifiers == (("P580", "+1991-00-00T00:00:00Z/9"),) and dict(russia.references) == COW_REFERENCE
    assert russia.why == ID + "membership-un-russia-phase-1991"
    # Ukraine in the CIS: Wikidata has it (as has part(s)) without dates; COW dates the full
    # membership 1991-1992 (then associate): both qualifiers added, cited by the dataset
    ukraine = by["Q212", "Q7779"]
    assert ukraine.qualifiers == (("P580", "+1991-00-00T00:00:00Z/9"), ("P582", "+1992-00-00T00:00:00Z/9"))
    assert dict(ukraine.references) == COW_REFERENCE
    assert not any("w3id.org/igokg" in v for c in report.commands for _, v in c.references)


def test_two_periods_of_one_membership_are_held_back_not_merged(full_report):
    _, report = full_report
    held = dict(report.skipped)
    assert "2 periods of membership (1945–1948, 1971–)" in held[ID + "membership-un-china"]
    assert ("Q148", "Q1065") not in {(c.item, c.value) for c in report.commands}


def test_entities_without_a_verified_link_are_listed_not_errors(full_report):
    diff, report = full_report
    not_compared = dict(diff.not_compared)
    assert "no verified Wikidata link: its" in not_compared[ID + "wassen"]
    held = dict(report.skipped)
    # a QID the reference has but the fixture endpoint does not know fails the link check: held back
    assert "link check" in held[ID + "membership-wto-china"]
    assert len(report.skipped) > 9000
