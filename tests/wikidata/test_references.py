"""A Wikidata reference per source (igokg.wikidata.references): what each of our five sources
offers, read from the graph; and, on a small graph, every property a dataset or a reference
document may carry (issue 12 adds such sources), at its precision."""

from __future__ import annotations

import dataclasses

import pyoxigraph as ox

from igokg.wikidata.references import qs_string, source_references

ID = "https://w3id.org/igokg/id/"




def test_each_article_is_cited_by_its_own_address_and_what_it_prints(sources):
    refs = source_references(sources, trusted={"Q204839", "Q318693"})
    got = {k[len(ID):]: dict(v.pairs) for k, v in refs.items()}
    assert got["source-000-xinhua"] == {
        "S248": "Q204839",  # Xinhua News Agency, verified
        "S854": '"http://xinhuanet.com/english/2018-06/08/c_137239917.htm"',
        "S577": "+2018-06-08T00:00:00Z/11",
    }
    # the CSTO's website, stated in the CSTO; its page prints a title and no date
    assert got["source-002-csto"]["S248"] == "Q318693" and "S577" not in got["source-002-csto"]
    assert got["source-002-csto"]["S1476"].startswith('en:"CSTO Secretary General Yuri Khachaturov in Qingdao')
    # the dates of 001 and 003 are established, not printed: no publication date; no headline: no title
    for s in ("source-001-asia-plus", "source-003-saenko"):
        assert set(got[s]) == {"S854"}, s
    assert all(v.citable for v in refs.values())
    assert not any("w3id.org/igokg" in value for v in refs.values() for _, value in v.pairs)


def test_a_publisher_is_stated_in_only_when_its_qid_is_trusted(sources):
    refs = source_references(sources, trusted=set())
    assert "S248" not in dict(refs[ID + "source-000-xinhua"].pairs)


def _store(ttl: str):
    store = ox.Store()
    store.load(("""@prefix igo: <https://w3id.org/igokg/ontology#> . @prefix id: <https://w3id.org/igokg/id/> .
        @prefix dct: <http://purl.org/dc/terms/> . @prefix schema: <https://schema.org/> .
        @prefix owl: <http://www.w3.org/2002/07/owl#> . @prefix wd: <http://www.wikidata.org/entity/> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        """ + ttl).encode(), format=ox.RdfFormat.TURTLE)
    return store


def test_every_property_a_source_may_carry_is_read_at_its_precision(sources):
    store = _store("""
        id:dataset a igo:SourceDocument ; rdfs:label "A dataset"@en ; dct:title "Membership data, version 3"@en ;
            dct:issued "2019-05"^^xsd:gYearMonth ; dct:publisher id:keeper ; schema:url "https://example.org/data" ;
            igo:retrieved "2024-01-02"^^xsd:date ; dct:language "en" .
        id:keeper owl:sameAs wd:Q42 .
        id:page a igo:SourceDocument ; dct:title "Une page" ; dct:language "fr" ; dct:modified "2018-02-01"^^xsd:date ;
            schema:url <https://example.org/page> ; dct:issued "2001"^^xsd:gYear .
        id:nowhere a igo:SourceDocument ; rdfs:label "Known by its label only"@en .
    """)
    refs = source_references(dataclasses.replace(sources, store=store), trusted={"Q42"})
    assert refs[ID + "dataset"].pairs == (
        ("S248", "Q42"), ("S854", '"https://example.org/data"'), ("S1476", 'en:"Membership data, version 3"'),
        ("S577", "+2019-05-00T00:00:00Z/10"), ("S813", "+2024-01-02T00:00:00Z/11"),
    )
    assert refs[ID + "page"].pairs == (
        ("S854", '"https://example.org/page"'), ("S1476", 'fr:"Une page"'),
        ("S577", "+2001-00-00T00:00:00Z/9"), ("S5017", "+2018-02-01T00:00:00Z/11"),
    )
    nowhere = refs[ID + "nowhere"]
    assert not nowhere.citable and "neither a publisher" in nowhere.problem
    assert nowhere.pairs == ()  # a label of ours is not the source's title


def test_a_text_quickstatements_cannot_carry_is_left_out_not_altered():
    assert qs_string("two  spaces\nand a line") == '"two spaces and a line"'
    assert qs_string('he said "no"') is None
    assert qs_string("x" * 1501) is None


def test_a_dataset_is_stated_in_its_own_verified_item_never_its_publishers(sources):
    store = _store("""
        id:data a igo:Dataset ; dct:title "Membership data" ; dct:publisher id:keeper ;
            schema:url <https://example.org/data> ; owl:sameAs wd:Q7 .
        id:bare a igo:Dataset ; dct:title "Other data" ; dct:publisher id:keeper ; schema:url <https://example.org/bare> .
        id:keeper owl:sameAs wd:Q42 .
        id:att1 igo:source id:data . id:att2 igo:source id:bare .
    """)
    refs = source_references(dataclasses.replace(sources, store=store), trusted={"Q7", "Q42"})
    assert dict(refs[ID + "data"].pairs)["S248"] == "Q7"
    assert "S248" not in dict(refs[ID + "bare"].pairs)  # the publisher's item is not the dataset
    untrusted = source_references(dataclasses.replace(sources, store=store), trusted={"Q42"})
    assert "S248" not in dict(untrusted[ID + "data"].pairs)
