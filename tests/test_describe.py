"""The symmetric concise bounded description of an entity (igokg.describe), on a small graph."""

from __future__ import annotations

import pyoxigraph as ox

from igokg.describe import describe, owner_of

ID = "https://w3id.org/igokg/id/"
IGO = "https://w3id.org/igokg/ontology#"
TTL = f"""
@prefix igo: <{IGO}> . @prefix id: <{ID}> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
id:org a igo:IntergovernmentalOrganization ; rdfs:label "Org"@en, "Орг"@ru ; igo:note <{ID}org#n-1> .
<{ID}org#n-1> igo:text "inline" ; igo:more <{ID}org#n-1.m-2> .
<{ID}org#n-1.m-2> igo:text "deeper" .
id:state rdfs:label "State"@en ; igo:unrelated id:elsewhere .
id:m1 a igo:Membership ; igo:member id:state ; igo:organization id:org .
id:deal rdfs:label "Deal"@en ; igo:signature <{ID}deal#sig-1> .
<{ID}deal#sig-1> igo:onBehalfOf id:org ; igo:signatory id:person ; igo:attestation <{ID}deal#sig-1.att-2> .
<{ID}deal#sig-1.att-2> igo:quote "signed" .
id:person skos:prefLabel "A Person"@en ; igo:age 50 .
igo:IntergovernmentalOrganization rdfs:label "intergovernmental organization"@en ; rdfs:comment "not a label" .
id:elsewhere rdfs:label "Elsewhere"@en .
"""


def _store() -> ox.Store:
    store = ox.Store()
    store.load(TTL.encode(), format=ox.RdfFormat.TURTLE)
    return store


def _short(triples) -> set[tuple[str, str, str]]:
    def s(term):
        return term.value.replace(ID, "id:").replace(IGO, "igo:").split("#", 1)[-1] if "rdf-schema" in term.value or "skos" in term.value else term.value.replace(ID, "id:").replace(IGO, "igo:")
    return {(s(t.subject), s(t.predicate), t.object.value.replace(ID, "id:").replace(IGO, "igo:")) for t in triples}


def test_describe_holds_outgoing_triples_and_the_skolemized_nodes_below():
    got = _short(describe(_store(), ID + "org"))
    assert ("id:org", "label", "Орг") in got
    assert ("id:org#n-1", "igo:text", "inline") in got
    assert ("id:org#n-1.m-2", "igo:text", "deeper") in got  # two levels down


def test_describe_holds_incoming_triples_and_the_chain_of_a_skolemized_subject():
    got = _short(describe(_store(), ID + "org"))
    assert ("id:m1", "igo:organization", "id:org") in got
    assert ("id:deal#sig-1", "igo:onBehalfOf", "id:org") in got
    assert ("id:deal#sig-1", "igo:signatory", "id:person") in got  # the node's own triples
    assert ("id:deal#sig-1.att-2", "igo:quote", "signed") in got  # and its children
    assert ("id:deal", "igo:signature", "id:deal#sig-1") in got  # the link to its owner


def test_describe_adds_the_labels_of_what_it_mentions_and_nothing_else_about_them():
    got = _short(describe(_store(), ID + "org"))
    assert ("id:deal", "label", "Deal") in got
    assert ("id:person", "prefLabel", "A Person") in got
    assert ("igo:IntergovernmentalOrganization", "label", "intergovernmental organization") in got
    assert not any(p == "igo:age" for _, p, _ in got)  # the person's other facts stay on its own page
    assert not any(p.endswith("comment") for _, p, _ in got)
    assert not any(s == "id:state" for s, _, _ in got)  # m1 mentions org; its member is m1's business
    assert not any(o == "id:elsewhere" for _, _, o in got)


def test_describe_of_an_iri_without_triples_is_empty():
    assert describe(_store(), ID + "nothing") == []
    assert describe(_store(), ID + "elsewhere") != []


def test_describe_is_sorted_and_distinct():
    got = describe(_store(), ID + "org")
    keys = [(str(t.subject), str(t.predicate), str(t.object)) for t in got]
    assert keys == sorted(set(keys))


def test_owner_of_a_skolemized_node():
    assert owner_of(ID + "deal#sig-1.att-2") == ID + "deal"
    assert owner_of(ID + "deal") is None
    assert owner_of(IGO + "Member") is None
