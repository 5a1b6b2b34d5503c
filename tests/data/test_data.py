"""The facts in data/ and seeds/sources.ttl are what the five seed articles say, no more.

Quotes stand verbatim in the exact file their source names; QIDs come from the reference
only; dates keep the precision of the source; no page furniture (navigation, unrelated
headlines, a hotel address) became a fact.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections import defaultdict

import pyoxigraph as ox
import pytest
from conftest import ROOT  # noqa: E402

from igokg.sources import fact_triples

IGO = "https://w3id.org/igokg/ontology#"
ID = "https://w3id.org/igokg/id/"
WD = "http://www.wikidata.org/entity/"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS_NOTE = "http://www.w3.org/2004/02/skos/core#note"
DATE_TYPES = {XSD + "date", XSD + "gYearMonth", XSD + "gYear"}
PREFIXES = f"PREFIX igo: <{IGO}>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\nPREFIX owl: <http://www.w3.org/2002/07/owl#>\n"

#: Page furniture around the articles, by seed file: navigation, unrelated headlines, a hotel
#: address. Each stands in its seed file and must not appear in any fact of the graph.
BOILERPLATE = {
    "001_5776edcb9c8e37dc.txt": [
        "The tragedy in Mina", "Donald Trump", "Navrouz", "Crocus City Hall", "Global Forum in Baku",
        "Financial literacy", "Supreme Leader", "ASAN model", "St. Petersburg", "All news", "Авторизуйтесь",
    ],
    "002_7b4fffe1529c1b1d.txt": ["Go back", "Back to the section", "Back to the all news", "Встреча Генска", ".jpg"],
    "003_2b8a04619646ed24.txt": [
        "Kurortniy", "Radisson", "Lazurnaya", "There must be time", "terms of participation",
    ],
    "004_8d8ce291ca1d0b08.txt": ["4 minutes ago", "10:17 PM", "UrduPoint.com"],
}

SOURCED_CLASSES = ("Membership", "Partnership", "Agreement", "Signature", "Event", "EventSeries", "Participation", "PostHolding")


@pytest.fixture(scope="module")
def sources(each_graph):
    """The article graph, then the full graph (COW and the Factbook beside the articles)."""
    return each_graph


def select(sources, query: str) -> list[dict]:
    res = sources.store.query(PREFIXES + query, use_default_graph_as_union=True)
    names = [v.value for v in res.variables]
    return [{n: sol[n] for n in names if sol[n] is not None} for sol in res]


def reference() -> dict[str, dict]:
    with (ROOT / "seeds/reference/wikidata-ids.tsv").open(encoding="utf-8", newline="") as fh:
        return {row["id"]: row for row in csv.DictReader(fh, delimiter="\t")}


# --------------------------------------------------------------------------- sources


def test_every_seed_file_is_described_once_with_its_sha256(sources):
    rows = select(sources, "SELECT ?src ?file ?sha WHERE { ?src a igo:SourceDocument ; igo:file ?file ; igo:sha256 ?sha }")
    described = {r["file"].value: r["sha"].value for r in rows}
    assert len(rows) == len(described) == 5
    on_disk = {f"seeds/{p.name}": hashlib.sha256(p.read_bytes()).hexdigest() for p in (ROOT / "seeds").glob("*.txt")}
    assert described == on_disk


def test_every_quote_stands_verbatim_in_the_file_of_its_source(sources):
    rows = select(sources, "SELECT ?node ?quote ?file ?sha WHERE { ?node igo:quote ?quote ; igo:source ?src . ?src igo:file ?file ; igo:sha256 ?sha }")
    article_quotes = select(sources, "SELECT ?node WHERE { ?node igo:quote ?quote ; igo:source/a igo:SourceDocument }")
    assert len(rows) == len(article_quotes) > 40  # every quote of an article has a source with a file
    # the other quotes are a reference document's, checked against its canonical text by igokg
    # validate (tests/validate/test_datasets.py)
    others = select(sources, "SELECT ?src WHERE { ?node igo:quote ?quote ; igo:source ?src FILTER NOT EXISTS { ?src a igo:SourceDocument } }")
    assert {r["src"].value for r in others} <= {ID + "factbook-appendix-b"}
    for r in rows:
        data = (ROOT / r["file"].value).read_bytes()
        assert hashlib.sha256(data).hexdigest() == r["sha"].value, r["file"].value
        assert r["quote"].value in data.decode("utf-8"), (r["node"].value, r["quote"].value)


def test_every_sourced_node_has_a_source_and_a_quote(sources):
    values = " ".join(f"igo:{c}" for c in SOURCED_CLASSES)
    nodes = select(sources, f"SELECT DISTINCT ?n WHERE {{ VALUES ?k {{ {values} }} ?n a/rdfs:subClassOf* ?k }}")
    # a quote (article, reference document) or a locator (dataset); a membership from COW carries
    # them on its phases
    sourced = select(
        sources,
        f"""SELECT DISTINCT ?n WHERE {{ VALUES ?k {{ {values} }} ?n a/rdfs:subClassOf* ?k ;
              igo:phase?/igo:attestation ?a . ?a igo:source ?s . {{ ?a igo:quote ?q }} UNION {{ ?a igo:locator ?l }} }}""",
    )
    assert len(nodes) > 60
    assert {r["n"].value for r in nodes} == {r["n"].value for r in sourced}


# --------------------------------------------------------------------------- Wikidata


def test_every_qid_is_verified_in_the_reference(sources):
    ref = reference()
    for name in ("states-wikidata.tsv", "igos-wikidata.tsv"):  # the COW entities' tables
        with (ROOT / "seeds/reference" / name).open(encoding="utf-8", newline="") as fh:
            ref.update({row["id"]: row for row in csv.DictReader(fh, delimiter="\t") if row["id"] not in ref})
    rows = select(sources, "SELECT ?e ?item WHERE { ?e owl:sameAs ?item }")
    assert len(rows) > 30
    for r in rows:
        item = r["item"].value
        assert item.startswith(WD), (r["e"].value, item)
        qid = item[len(WD):]
        assert qid in ref, (r["e"].value, qid)
        assert ref[qid]["confidence"] in ("confirmed-2-sources", "one-source"), (r["e"].value, qid)


def test_no_qid_identifies_two_entities(sources):
    owners: dict[str, set[str]] = defaultdict(set)
    for r in select(sources, "SELECT ?e ?item WHERE { ?e owl:sameAs ?item }"):
        owners[r["item"].value].add(r["e"].value)
    shared = {item: entities for item, entities in owners.items() if len(entities) > 1}
    assert shared == {}


def test_entities_marked_not_found_in_the_reference_stay_unlinked(sources):
    labels = {r["label"].strip().split(" (")[0].lower() for r in reference().values() if r["confidence"] == "not-found"}
    linked = select(sources, "SELECT ?e ?label WHERE { ?e owl:sameAs ?item ; rdfs:label ?label }")
    assert {r["label"].value.lower() for r in linked} & labels == set()
    # and the ones the issue names are indeed unlinked
    for slug in ("qingdao", "yuri-khachaturov", "nikolai-bordyuzha", "sco-rats", "cis-atc"):
        assert not select(sources, f"SELECT ?i WHERE {{ <{ID}{slug}> owl:sameAs ?i }}"), slug


# --------------------------------------------------------------------------- dates


def _literals(sources):
    for t in fact_triples(sources):
        if isinstance(t.object, ox.Literal):
            yield t


#: Numbers that may look like a year: a file's size in bytes, COW's codes of a state and an IGO.
NUMBERS = {"http://www.w3.org/ns/dcat#byteSize", IGO + "cowCode", IGO + "cowIonum"}
#: A dataset's cells as a record locator quotes them: verbatim text, like a quote ("1996" in sdate).
CELLS = {IGO + "cellValue", IGO + "precedingValue", IGO + "followingValue"}


def test_every_date_has_a_source_precision_datatype(sources):
    date_like = re.compile(r"^-?\d{4}(-\d{2}(-\d{2})?)?$")
    checked = 0
    for t in _literals(sources):
        dt = t.object.datatype.value
        if t.predicate.value in NUMBERS | CELLS:
            assert dt == XSD + ("integer" if t.predicate.value in NUMBERS else "string"), (t.subject, t.predicate, t.object)
            continue
        if dt.startswith(XSD) and dt[len(XSD):] in ("dateTime", "gMonth", "gDay", "gMonthDay", "time", "dateTimeStamp"):
            pytest.fail(f"{t.subject} {t.predicate}: {t.object} is not at a source precision")
        if date_like.match(t.object.value) or dt in DATE_TYPES:
            assert dt in DATE_TYPES, f"{t.subject} {t.predicate}: date {t.object} must be xsd:date, xsd:gYearMonth or xsd:gYear"
            checked += 1
    assert checked > 40


def test_date_properties_only_hold_typed_dates(sources):
    preds = ["igo:date", "igo:startDate", "igo:endDate", "igo:attestedAt", "igo:notBefore", "<http://purl.org/dc/terms/issued>"]
    rows = select(sources, f"SELECT ?s ?d WHERE {{ VALUES ?p {{ {' '.join(preds)} }} ?s ?p ?d }}")
    assert rows
    for r in rows:
        assert isinstance(r["d"], ox.Literal) and r["d"].datatype.value in DATE_TYPES, (r["s"].value, r["d"])


def test_a_membership_known_only_by_attestation_has_no_start_date(sources):
    rows = select(
        sources,
        """SELECT ?m WHERE { ?m a igo:Membership ; igo:startDate ?start .
             FILTER NOT EXISTS { ?m igo:attestation ?a . FILTER NOT EXISTS { ?a igo:attestedAt ?at } } }""",
    )
    assert rows == [], "memberships with a start date but only 'as of' attestations"
    # e.g. the CSTO's members: attested in 2018, 2020 and 2023, never dated
    assert not select(sources, "SELECT ?s WHERE { ?m igo:organization <https://w3id.org/igokg/id/csto> ; igo:startDate ?s }")


def test_every_start_date_is_in_a_quote_or_explained_by_a_note(sources):
    rows = select(
        sources,
        """SELECT ?m ?start (GROUP_CONCAT(?q; separator=" | ") AS ?quotes) (COUNT(?note) AS ?notes) WHERE {
             ?m a igo:Membership ; igo:startDate ?start ; igo:attestation/igo:quote ?q .
             OPTIONAL { ?m <http://www.w3.org/2004/02/skos/core#note> ?note }
           } GROUP BY ?m ?start""",
    )
    assert rows
    for r in rows:
        year = r["start"].value[:4]
        assert year in r["quotes"].value or int(r["notes"].value) > 0, r["m"].value


# --------------------------------------------------------------------------- boilerplate


def test_boilerplate_strings_stand_in_their_seed_files_outside_every_quote(sources):
    quotes = [r["q"].value for r in select(sources, "SELECT ?q WHERE { ?a igo:quote ?q }")]
    for name, strings in BOILERPLATE.items():
        text = (ROOT / "seeds" / name).read_text(encoding="utf-8")
        for s in strings:
            assert s in text, (name, s)
            assert not any(s in q for q in quotes), (name, s)


def _furniture_notes(sources) -> set[tuple[str, str]]:
    """Notes on source documents that name their page furniture as such: the one allowed mention.

    They say which lines of a capture are not the article ("page furniture … no fact is taken
    from them") or use the navigation as evidence of who published the page.
    """
    rows = select(sources, f"SELECT ?s ?n WHERE {{ ?s a igo:SourceDocument ; <{SKOS_NOTE}> ?n }}")
    return {(r["s"].value, r["n"].value) for r in rows if re.search(r"page furniture|navigation", r["n"].value)}


def test_no_boilerplate_became_data(sources):
    allowed = _furniture_notes(sources)
    strings = [s for group in BOILERPLATE.values() for s in group]
    offenders = []
    for t in _literals(sources):
        for s in strings:
            if s in t.object.value and (t.subject.value, t.object.value) not in allowed:
                offenders.append((t.subject.value, t.predicate.value, s))
    assert offenders == []
    # the warnings themselves exist, and say that nothing was taken from the furniture
    assert len(allowed) == 3
    assert all(t.predicate.value == SKOS_NOTE for t in _literals(sources) if (t.subject.value, t.object.value) in allowed)


def test_the_hotel_address_is_not_the_venue_of_any_event(sources):
    rows = select(sources, "SELECT ?e WHERE { ?e igo:location <https://w3id.org/igokg/id/sochi> }")
    assert rows == []
    # Sochi is in the graph only as the dateline of source 004 (SOCHI (UrduPoint News / Sputnik …)),
    # and as the subject of its country, which rests on background knowledge, not on the hotel address
    uses = select(sources, "SELECT ?s ?p WHERE { ?s ?p <https://w3id.org/igokg/id/sochi> }")
    assert {(r["s"].value, r["p"].value) for r in uses} == {
        (f"{ID}source-004-urdupoint", f"{IGO}datelinePlace"),
        (f"{ID}triple-sochi-country", "http://www.w3.org/1999/02/22-rdf-syntax-ns#subject"),
    }
    (country,) = select(sources, f"SELECT ?bg ?att WHERE {{ <{ID}triple-sochi-country> igo:background ?bg OPTIONAL {{ <{ID}triple-sochi-country> igo:attestation ?att }} }}")
    assert country["bg"].value == f"{ID}background-geography" and "att" not in country
