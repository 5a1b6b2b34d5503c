"""Every shape in shapes/igo-shapes.ttl can fail, and fails with the result it promises.

Each case adds a few triples to BASE — a small graph that conforms, with one valid node of
every class — so that exactly one rule breaks, then asserts the complete list of results
(focus node, path, value, constraint component, severity, source shape and message) from
both engines: the fast one (shapes compiled to SPARQL on pyoxigraph) and pySHACL. The
ontology is loaded alongside, since sh:class follows rdfs:subClassOf.

`test_every_shape_has_a_failing_example` enumerates the shapes file: a node shape, a
property shape or a SPARQL constraint without a failing case is a defect of the shapes
(or of this file).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox
import pytest
from conftest import ROOT  # noqa: E402

from igokg.shacl import (
    ShaclResult,
    agree,
    compile_shapes,
    run_pyshacl,
    run_shapes,
    to_rdflib,
)
from igokg.validate import validate_graph

SHAPES_FILE = ROOT / "shapes" / "igo-shapes.ttl"
ONTOLOGY_FILE = ROOT / "ontology" / "igo.ttl"

SH = "http://www.w3.org/ns/shacl#"
IGOSH = "https://w3id.org/igokg/shapes#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
NS = {
    "igo": "https://w3id.org/igokg/ontology#",
    "id": "https://w3id.org/igokg/id/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "wd": "http://www.wikidata.org/entity/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "schema": "https://schema.org/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "igosh": IGOSH,
}
PREFIXES = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in NS.items())

#: Valid nodes that cases refer to (sources, agents, places, a post, a topic, a series).
#: It holds no event, membership or other period-bearing node on purpose: pySHACL parses a
#: SPARQL constraint once per focus node, and every such node would cost each case time.
BASE = """
id:src a igo:SourceDocument ; rdfs:label "A source"@en ;
    igo:file "seeds/source.txt" ;
    igo:sha256 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" ;
    dct:language "en" ; dct:issued "2020-11-10"^^xsd:date ;
    dct:publisher id:news ; igo:datelinePlace id:city .
id:att a igo:Attestation ; igo:source id:src ; igo:quote "A sentence of the source." ;
    igo:attestedAt "2020-11"^^xsd:gYearMonth .

id:news a igo:NewsOrganization ; rdfs:label "News"@en ; owl:sameAs wd:Q101 .
id:org a igo:IntergovernmentalOrganization ; rdfs:label "Org"@en ; owl:sameAs wd:Q102 .
id:org2 a igo:IntergovernmentalOrganization ; rdfs:label "Org two"@en ; owl:sameAs wd:Q103 .
id:body a igo:Secretariat ; rdfs:label "Body"@en ; owl:sameAs wd:Q104 ; igo:bodyOf id:org .
id:state a igo:State ; rdfs:label "State"@en ; owl:sameAs wd:Q105 .
id:person a igo:Person ; rdfs:label "Person"@en ; owl:sameAs wd:Q106 .
id:city a igo:Place ; rdfs:label "City"@en ; owl:sameAs wd:Q107 ;
    igo:country id:state ; igo:capitalOf id:state .
id:district a igo:Place ; rdfs:label "District"@en ; owl:sameAs wd:Q108 ; igo:locatedIn id:city .
id:post a igo:Post ; rdfs:label "Post"@en ; igo:postIn id:org .
id:topic a igo:Topic ; skos:inScheme igo:Topics ; skos:prefLabel "topic"@en .
id:series a igo:EventSeries ; rdfs:label "Series"@en ; igo:attestation id:att .
id:sig a igo:Signature ; igo:signatory id:person ; igo:onBehalfOf id:org ; igo:capacity id:post ;
    igo:attestation id:att .

id:dataset a igo:Dataset ; rdfs:label "A dataset"@en ; igo:sourceName "a-dataset" ; dct:title "A dataset" ;
    dct:publisher id:news ; schema:version "3.0" ; dct:bibliographicCitation "Cite the dataset." ;
    dct:rights "Free to use." ; dcat:distribution id:table-file .
id:table-file a dcat:Distribution ; igo:path "dataset/table.rda" ;
    dcat:downloadURL <https://example.org/0123abc/table.rda> ;
    igo:sha256 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" .
id:page a igo:ReferenceDocument ; rdfs:label "A page"@en ; igo:sourceName "a-page" ; dct:title "A page" ;
    dct:publisher id:news ; dct:modified "2018-02-01"^^xsd:date ; igo:retrieved "2020-01-29"^^xsd:date ;
    igo:textExtraction igo:HtmlTextCollapsed ;
    igo:textSha256 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" ;
    dcat:distribution id:page-file .
id:page-file a dcat:Distribution ; igo:path "pages/page.html" ;
    dcat:downloadURL <https://example.org/0123abc/page.html> ;
    igo:sha256 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" .
id:cells a igo:RecordLocator ; igo:table "igo_year" ; igo:row "ioname=ORG" ; igo:column "state" ;
    igo:cellValue "1" ; igo:firstYear "2001"^^xsd:gYear ; igo:lastYear "2014"^^xsd:gYear .
id:att-cells a igo:Attestation ; igo:source id:dataset ; igo:locator id:cells .
id:att-page a igo:Attestation ; igo:source id:page ; igo:quote "A sentence of the page." ;
    igo:attestedAt "2018-02-01"^^xsd:date .
"""

#: With BASE, one valid node of every other class the shapes target; together they conform.
BASE_FACTS = """
id:membership a igo:Membership ; igo:member id:state ; igo:organization id:org ; igo:role igo:Member ;
    igo:startDate "2001"^^xsd:gYear ; igo:attestation id:att .
id:partnership a igo:Partnership ; rdfs:label "Partnership"@en ; igo:partner id:org, id:org2 ;
    igo:startDate "2007-10"^^xsd:gYearMonth ; igo:basedOn id:mou ; igo:attestation id:att .
id:mou a igo:MemorandumOfUnderstanding ; rdfs:label "Memorandum"@en ; igo:party id:body, id:org2 ;
    igo:date "2007-10-05"^^xsd:date ; igo:location id:city ; igo:topic id:topic ;
    igo:signature id:sig ; igo:attestation id:att .
id:summit a igo:Summit ; rdfs:label "Summit"@en ;
    igo:startDate "2018-06-09"^^xsd:date ; igo:endDate "2018-06-10"^^xsd:date ; igo:attestation id:att .
id:event a igo:Meeting ; rdfs:label "Meeting"@en ; igo:date "2018-06-09"^^xsd:date ;
    igo:location id:district ; igo:organizer id:org ; igo:chair id:state ; igo:parentEvent id:summit ;
    igo:inSeries id:series ; igo:topic id:topic ; igo:about id:org ; igo:participation id:part ;
    igo:attestation id:att .
id:signing a igo:SigningCeremony ; rdfs:label "Signing"@en ; igo:concerns id:mou ;
    igo:date "2007-10-05"^^xsd:date ; igo:attestation id:att .
id:part a igo:Participation ; igo:participant id:person ; igo:capacity id:post ; igo:onBehalfOf id:org ;
    igo:attestation id:att .
id:holding a igo:PostHolding ; igo:holder id:person ; igo:post id:post ; igo:attestation id:att .
id:founding a igo:Founding ; rdfs:label "Founding"@en ; igo:founded id:org ; igo:date "2001"^^xsd:gYear ;
    igo:attestation id:att ; igo:datedBy id:att .
id:statement a igo:Statement ; rdfs:label "Statement"@en ; igo:speaker id:person ; igo:capacity id:post ;
    igo:onBehalfOf id:org ; igo:madeAt id:event ; igo:medium igo:MediumSpeech ; igo:statementKind igo:Position ;
    igo:reporting igo:DirectSpeech ; igo:about id:org ; igo:refersTo id:mou, id:appeal ; igo:topic id:topic ;
    igo:attestation id:att .
id:appeal a igo:PolicyDocument ; rdfs:label "Appeal"@en ; igo:adoptionPlannedAt id:summit ; igo:topic id:topic ;
    igo:attestation id:att .
id:programme a igo:PolicyDocument ; rdfs:label "Programme"@en ; igo:implements id:appeal ; igo:attestation id:att .
id:exercises a igo:EventSeries ; rdfs:label "Exercises"@en ; igo:organizer id:org ; igo:topic id:topic ;
    igo:participation id:series-part ; igo:attestation id:att .
id:series-part a igo:Participation ; igo:participant id:state ; igo:attestation id:att .
id:triple-body a igo:SourcedTriple ; rdf:subject id:body ; rdf:predicate igo:bodyOf ; rdf:object id:org ;
    igo:attestation id:att .
id:triple-city a igo:SourcedTriple ; rdf:subject id:city ; rdf:predicate igo:country ; rdf:object id:state ;
    igo:background id:background .
id:background a igo:BackgroundKnowledge ; rdfs:label "Background"@en ; skos:note "What readers know."@en .
id:src schema:url <https://example.org/src> ; igo:retrieved "2024-01-02"^^xsd:date ;
    dct:modified "2023-12"^^xsd:gYearMonth ; dct:date "2020-11-10"^^xsd:date .
id:membership-phases a igo:Membership ; igo:member id:state ; igo:organization id:org2 ;
    igo:phase id:phase-dated, id:phase-bounded .
id:phase-dated a igo:MembershipPhase ; igo:status igo:Member ; igo:startDate "2001"^^xsd:gYear ;
    igo:earliestEnd "2014"^^xsd:gYear ; igo:attestation id:att-cells .
id:phase-bounded a igo:MembershipPhase ; igo:status igo:Observer ;
    igo:earliestStart "1990"^^xsd:gYear ; igo:latestStart "1992"^^xsd:gYear ;
    igo:earliestEnd "1995"^^xsd:gYear ; igo:latestEnd "1998"^^xsd:gYear ; igo:attestation id:att-cells .
id:state igo:cowCode 2 ; igo:cowColumn "state" .
id:org igo:cowIoname "ORG" ; igo:cowIonum 1 .
id:dissolution a igo:Dissolution ; rdfs:label "End"@en ; igo:dissolved id:org2 ; igo:date "1995"^^xsd:gYear ;
    igo:endKind igo:Replaced ; igo:attestation id:att-cells .
id:succession a igo:Succession ; igo:predecessor id:org2 ; igo:successor id:org ; igo:date "1995"^^xsd:gYear ;
    igo:attestation id:att-page .
id:founding igo:rank igo:PreferredRank ; igo:rankReason igo:MoreRecentSource .
"""

#: Complete, valid nodes for cases to start from (the case appends the triple that breaks it).
SOURCE_X = """id:x a igo:SourceDocument ; rdfs:label "X"@en ; igo:file "seeds/x.txt" ;
    igo:sha256 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" ; dct:language "en" """
MEMBERSHIP_X = """id:x a igo:Membership ; igo:member id:state ; igo:organization id:org2 ; igo:role igo:Observer ;
    igo:attestation id:att """
EVENT_X = """id:x a igo:Meeting ; rdfs:label "X"@en ; igo:attestation id:att """
AGREEMENT_X = """id:x a igo:MemorandumOfUnderstanding ; rdfs:label "X"@en ; igo:attestation id:att """
SIGNATURE_X = """id:x a igo:Signature ; igo:attestation id:att """
PARTICIPATION_X = """id:ev a igo:Interview ; rdfs:label "Ev"@en ; skos:note "Undated."@en ; igo:attestation id:att ; igo:participation id:x .
    id:x a igo:Participation ; igo:attestation id:att """
PLACE_X = """id:x a igo:Place ; rdfs:label "X"@en ; owl:sameAs wd:Q900 """
#: A valid statement made at a valid event by a speaker who took part in it, in a post they held.
STATEMENT_X = """id:ev a igo:Interview ; rdfs:label "Ev"@en ; skos:note "Undated."@en ; igo:attestation id:att ;
        igo:participation [ a igo:Participation ; igo:participant id:person ; igo:attestation id:att ] .
    id:holds a igo:PostHolding ; igo:holder id:person ; igo:post id:post ; igo:attestation id:att .
    id:x a igo:Statement ; rdfs:label "X"@en ; igo:attestation id:att ; igo:statementKind igo:Hope ;
        igo:reporting igo:ReportedSpeech """
STATEMENT_DONE = """; igo:speaker id:person ; igo:madeAt id:ev ; igo:capacity id:post ."""
TRIPLE_X = """id:x a igo:SourcedTriple ; rdf:subject id:district ; rdf:predicate igo:locatedIn ; rdf:object id:city """
LOCATOR_X = """id:x a igo:RecordLocator ; igo:table "igo_year" ; igo:row "ioname=ORG" ; igo:column "state" ; igo:cellValue "1" """
DATASET_X = """id:x a igo:Dataset ; rdfs:label "X"@en ; igo:sourceName "x" ; dct:title "X" ; dct:publisher id:news ;
    dcat:distribution id:table-file ; schema:version "1" ; dct:bibliographicCitation "Cite X." ; dct:rights "Free." """
PAGE_X = """id:x a igo:ReferenceDocument ; rdfs:label "X"@en ; igo:sourceName "x" ; dct:title "X" ; dct:publisher id:news ;
    dcat:distribution id:page-file ; igo:textExtraction igo:HtmlTextCollapsed ; dct:modified "2018"^^xsd:gYear ;
    igo:textSha256 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" """
FILE_X = """id:dataset dcat:distribution id:x .
    id:x a dcat:Distribution ; igo:path "dataset/x.rda" ; dcat:downloadURL <https://example.org/0123abc/x.rda> ;
        igo:sha256 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" """
#: A membership known by its phases alone (no igo:role, no attestation of its own), and one phase.
PHASE_X = """id:m a igo:Membership ; igo:member id:state ; igo:organization id:org2 ; igo:phase id:x .
    id:x a igo:MembershipPhase ; igo:attestation id:att-cells """
DISSOLUTION_X = """id:x a igo:Dissolution ; rdfs:label "X"@en ; igo:date "1995"^^xsd:gYear ; igo:attestation id:att-cells """
SUCCESSION_X = """id:x a igo:Succession ; igo:attestation id:att-page """
RANKED_X = """id:x a igo:Founding ; rdfs:label "X"@en ; igo:founded id:org ; igo:date "1996"^^xsd:gYear ;
    igo:attestation id:att-cells """
SHA = "0123456789abcdef" * 4
#: Messages of the SPARQL constraints that take no value from the result.
QUOTE_OR_LOCATOR = "an attestation needs a verbatim igo:quote (article, reference document) or an igo:locator (dataset), not both"
HAS_ROLE = "a membership needs at least one igo:role (from the igo:Roles scheme) or one igo:phase with a status"
MEMBERSHIP_SOURCED = "a membership needs an igo:attestation, or phases that carry theirs"
LOCATOR_YEARS = "a record locator gives igo:firstYear and igo:lastYear together, the first not after the last"
START_DATE_OR_BOUNDS = "a phase's start is either igo:startDate or bounds (igo:earliestStart/igo:latestStart), not both"
END_DATE_OR_BOUNDS = "a phase's end is either igo:endDate or bounds (igo:earliestEnd/igo:latestEnd), not both"


def iri(curie: str) -> str:
    prefix, local = curie.split(":", 1)
    return f"<{NS[prefix]}{local}>"


def term(value: str | None) -> str | None:
    """`id:x` -> <…>; a literal in N-Triples syntax is kept as it is."""
    if value is None or value.startswith('"') or value.startswith("<"):
        return value
    return iri(value)


@dataclass
class Expect:
    """One expected result; `shape` is a named shape (igosh:…) or (node shape, path) for a blank one."""

    focus: str
    path: str | None
    value: str | None
    component: str
    shape: str | tuple[str, str]
    severity: str = "Violation"
    message: str | None = None  # None: the shape's own sh:message

    @property
    def shape_label(self) -> str:
        if isinstance(self.shape, tuple):
            node, path = self.shape
            return f"{iri(node)} sh:property [{iri(path)}]"
        return iri(self.shape)


@dataclass
class Case:
    id: str
    ttl: str
    expect: list[Expect]
    covers: tuple[str, ...] = ()  # node shapes / property shapes / SPARQL constraints it proves can fail
    notes: str = ""

    def __post_init__(self) -> None:
        self.covers = tuple(self.covers)


def E(focus, path, value, component, shape, severity="Violation", message=None) -> Expect:
    return Expect(focus, path, value, component, shape, severity, message)


S = '"{}"'  # an xsd:string literal in N-Triples
XSDT = "http://www.w3.org/2001/XMLSchema#"

CASES: list[Case] = [
    # -- shared rules ------------------------------------------------------------------------
    Case("label-missing", 'id:x a igo:State ; owl:sameAs wd:Q900 .',
         [E("id:x", "rdfs:label", None, "MinCount", "igosh:label")], ("igosh:label", "igosh:LabelledShape")),
    Case("label-not-english", 'id:x a igo:State ; rdfs:label "Etat"@fr ; owl:sameAs wd:Q900 .',
         [E("id:x", "rdfs:label", '"Etat"@fr', "LanguageIn", "igosh:label")], ("igosh:label",)),
    Case("label-plain-string", 'id:x a igo:State ; rdfs:label "State X" ; owl:sameAs wd:Q900 .',
         [E("id:x", "rdfs:label", '"State X"', "Datatype", "igosh:label"),
          E("id:x", "rdfs:label", '"State X"', "LanguageIn", "igosh:label")], ("igosh:label",)),
    Case("label-two-english", 'id:x a igo:State ; rdfs:label "X"@en, "Y"@en ; owl:sameAs wd:Q900 .',
         [E("id:x", "rdfs:label", None, "UniqueLang", "igosh:label")], ("igosh:label",)),
    Case("wikidata-link-not-an-item", 'id:x a igo:State ; rdfs:label "X"@en ; owl:sameAs <http://www.wikidata.org/wiki/Q900> .',
         [E("id:x", "owl:sameAs", "<http://www.wikidata.org/wiki/Q900>", "Pattern", "igosh:wikidataLink")],
         ("igosh:wikidataLink", "igosh:WikidataLinkShape")),
    Case("wikidata-link-two-items", 'id:x a igo:Person ; rdfs:label "X"@en ; owl:sameAs wd:Q900, wd:Q901 .',
         [E("id:x", "owl:sameAs", None, "MaxCount", "igosh:wikidataLink")], ("igosh:wikidataLink",)),
    Case("wikidata-link-literal", 'id:x a igo:Person ; rdfs:label "X"@en ; owl:sameAs "Q900" .',
         [E("id:x", "owl:sameAs", '"Q900"', "NodeKind", "igosh:wikidataLink"),
          E("id:x", "owl:sameAs", '"Q900"', "Pattern", "igosh:wikidataLink")], ("igosh:wikidataLink",)),
    Case("wikidata-link-missing-is-a-warning", 'id:x a igo:Secretariat ; rdfs:label "X"@en ; igo:bodyOf id:org .',
         [E("id:x", "owl:sameAs", None, "MinCount", "igosh:wikidataLinkPresent", "Warning")],
         ("igosh:wikidataLinkPresent", "igosh:WikidataLinkShape")),
    Case("fact-without-attestation", "id:x a igo:PostHolding ; igo:holder id:person ; igo:post id:post .",
         [E("id:x", "igo:attestation", None, "MinCount", "igosh:attestation")], ("igosh:attestation", "igosh:SourcedShape")),
    Case("attestation-not-an-attestation", "id:x a igo:PostHolding ; igo:holder id:person ; igo:post id:post ; igo:attestation id:src .",
         [E("id:x", "igo:attestation", "id:src", "Class", "igosh:attestation")], ("igosh:attestation",)),
    # -- periods ------------------------------------------------------------------------------
    Case("start-date-as-string", MEMBERSHIP_X + '; igo:startDate "2018-06-01" .',
         [E("id:x", "igo:startDate", S.format("2018-06-01"), "Or", "igosh:startDate")], ("igosh:startDate", "igosh:PeriodShape")),
    Case("two-start-dates", MEMBERSHIP_X + '; igo:startDate "2018"^^xsd:gYear, "2019"^^xsd:gYear .',
         [E("id:x", "igo:startDate", None, "MaxCount", "igosh:startDate")], ("igosh:startDate",)),
    Case("end-date-as-string", MEMBERSHIP_X + '; igo:endDate "June 2018" .',
         [E("id:x", "igo:endDate", S.format("June 2018"), "Or", "igosh:endDate")], ("igosh:endDate",)),
    Case("end-before-start", MEMBERSHIP_X + '; igo:startDate "2018"^^xsd:gYear ; igo:endDate "2017-05"^^xsd:gYearMonth .',
         [E("id:x", None, f'"2017-05"^^<{XSDT}gYearMonth>', "SPARQL", "igosh:PeriodShape",
            message="igo:endDate 2017-05 is before igo:startDate 2018")],
         ("igosh:endNotBeforeStart", "igosh:PeriodShape")),
    Case("end-in-start-year-at-coarser-precision-is-fine",
         MEMBERSHIP_X + '; igo:startDate "2018"^^xsd:gYear ; igo:endDate "2018-05"^^xsd:gYearMonth .', []),
    Case("event-period-ending-before-it-starts", EVENT_X + '; igo:startDate "2018-06-10"^^xsd:date ; igo:endDate "2018-06-09"^^xsd:date .',
         [E("id:x", None, f'"2018-06-09"^^<{XSDT}date>', "SPARQL", "igosh:PeriodShape",
            message="igo:endDate 2018-06-09 is before igo:startDate 2018-06-10")], ("igosh:endNotBeforeStart",)),
    # -- sources ------------------------------------------------------------------------------
    Case("source-file-outside-seeds", SOURCE_X.replace('"seeds/x.txt"', '"data/x.ttl"') + '; dct:issued "2020"^^xsd:gYear .',
         [E("id:x", "igo:file", S.format("data/x.ttl"), "Pattern", "igosh:sourceFile")], ("igosh:sourceFile", "igosh:SourceDocumentShape")),
    Case("source-without-file", SOURCE_X.replace('igo:file "seeds/x.txt" ;', "") + '; dct:issued "2020"^^xsd:gYear .',
         [E("id:x", "igo:file", None, "MinCount", "igosh:sourceFile")], ("igosh:sourceFile",)),
    Case("source-sha256-not-lowercase-hex", SOURCE_X.replace("0123456789abcdef" * 4, "0123456789ABCDEF" * 4) + '; dct:issued "2020"^^xsd:gYear .',
         [E("id:x", "igo:sha256", S.format("0123456789ABCDEF" * 4), "Pattern", "igosh:sourceSha256")],
         ("igosh:sourceSha256",)),
    Case("source-language-not-a-tag", SOURCE_X.replace('dct:language "en"', 'dct:language "English"') + '; dct:issued "2020"^^xsd:gYear .',
         [E("id:x", "dct:language", S.format("English"), "Pattern", "igosh:sourceLanguage")], ("igosh:sourceLanguage",)),
    Case("source-publisher-a-person", SOURCE_X + '; dct:issued "2020"^^xsd:gYear ; dct:publisher id:person .',
         [E("id:x", "dct:publisher", "id:person", "Class", "igosh:sourcePublisher")], ("igosh:sourcePublisher",)),
    Case("source-dateline-a-state", SOURCE_X + '; dct:issued "2020"^^xsd:gYear ; igo:datelinePlace id:state .',
         [E("id:x", "igo:datelinePlace", "id:state", "Class", "igosh:sourceDateline")], ("igosh:sourceDateline",)),
    Case("source-issued-as-words", SOURCE_X + '; dct:issued "8 June 2018" .',
         [E("id:x", "dct:issued", S.format("8 June 2018"), "Or", "igosh:sourceIssued")], ("igosh:sourceIssued",)),
    Case("source-not-before-as-words", SOURCE_X + '; dct:issued "2020"^^xsd:gYear ; igo:notBefore "soon" .',
         [E("id:x", "igo:notBefore", S.format("soon"), "Or", "igosh:sourceNotBefore")], ("igosh:sourceNotBefore",)),
    Case("source-undated", SOURCE_X + " .",
         [E("id:x", None, "id:x", "SPARQL", "igosh:SourceDocumentShape",
            message="a source needs dct:issued, or dct:date or igo:notBefore with a skos:note saying how it was dated")],
         ("igosh:sourceIsDated",)),
    Case("source-not-before-without-note", SOURCE_X + '; igo:notBefore "2024-07-25"^^xsd:date .',
         [E("id:x", None, "id:x", "SPARQL", "igosh:SourceDocumentShape",
            message="a source needs dct:issued, or dct:date or igo:notBefore with a skos:note saying how it was dated")],
         ("igosh:sourceIsDated",)),
    Case("source-not-before-with-note-is-fine", SOURCE_X + '; igo:notBefore "2024-07-25"^^xsd:date ; skos:note "Latest item."@en .', []),
    Case("attestation-without-source", 'id:x a igo:Attestation ; igo:quote "A sentence of the source." .',
         [E("id:x", "igo:source", None, "MinCount", "igosh:attestationSource")], ("igosh:attestationSource", "igosh:AttestationShape")),
    Case("attestation-source-not-a-document", 'id:x a igo:Attestation ; igo:source id:org ; igo:quote "A sentence of the source." .',
         [E("id:x", "igo:source", "id:org", "Class", "igosh:attestationSource")], ("igosh:attestationSource",)),
    Case("quote-too-short", 'id:x a igo:Attestation ; igo:source id:src ; igo:quote "too short" .',
         [E("id:x", "igo:quote", S.format("too short"), "MinLength", "igosh:attestationQuote")], ("igosh:attestationQuote",)),
    Case("quote-missing", "id:x a igo:Attestation ; igo:source id:src .",
         [E("id:x", None, "id:x", "SPARQL", "igosh:AttestationShape", message=QUOTE_OR_LOCATOR)], ("igosh:quoteOrLocator",)),
    Case("quote-and-locator", 'id:x a igo:Attestation ; igo:source id:dataset ; igo:quote "A sentence of the source." ; igo:locator id:cells .',
         [E("id:x", None, "id:x", "SPARQL", "igosh:AttestationShape", message=QUOTE_OR_LOCATOR)], ("igosh:quoteOrLocator", "igosh:AttestationShape")),
    Case("quote-with-language-tag", 'id:x a igo:Attestation ; igo:source id:src ; igo:quote "A sentence of the source."@en .',
         [E("id:x", "igo:quote", '"A sentence of the source."@en', "Datatype", "igosh:attestationQuote")], ("igosh:attestationQuote",)),
    Case("attested-at-as-words", 'id:x a igo:Attestation ; igo:source id:src ; igo:quote "A sentence of the source." ; igo:attestedAt "yesterday" .',
         [E("id:x", "igo:attestedAt", S.format("yesterday"), "Or", "igosh:attestedAt")], ("igosh:attestedAt",)),
    # -- agents and places --------------------------------------------------------------------
    Case("body-of-nothing", 'id:x a igo:Secretariat ; rdfs:label "X"@en ; owl:sameAs wd:Q900 .',
         [E("id:x", "igo:bodyOf", None, "MinCount", "igosh:bodyOf")], ("igosh:bodyOf", "igosh:OrganizationBodyShape")),
    Case("body-of-a-state", 'id:x a igo:Council ; rdfs:label "X"@en ; owl:sameAs wd:Q900 ; igo:bodyOf id:state .',
         [E("id:x", "igo:bodyOf", "id:state", "Class", "igosh:bodyOf")], ("igosh:bodyOf",)),
    Case("place-country-an-organization", PLACE_X + "; igo:country id:org .",
         [E("id:x", "igo:country", "id:org", "Class", "igosh:placeCountry")], ("igosh:placeCountry", "igosh:PlaceShape")),
    Case("place-located-in-a-state", PLACE_X + "; igo:locatedIn id:state .",
         [E("id:x", "igo:locatedIn", "id:state", "Class", "igosh:placeLocatedIn")], ("igosh:placeLocatedIn",)),
    Case("place-capital-of-an-organization", PLACE_X + "; igo:capitalOf id:org .",
         [E("id:x", "igo:capitalOf", "id:org", "Class", "igosh:placeCapitalOf")], ("igosh:placeCapitalOf",)),
    # -- memberships, roles, topics -----------------------------------------------------------
    Case("member-a-person", MEMBERSHIP_X.replace("igo:member id:state", "igo:member id:person") + " .",
         [E("id:x", "igo:member", "id:person", "Or", "igosh:membershipMember")], ("igosh:membershipMember", "igosh:MembershipShape")),
    Case("membership-organization-a-state", MEMBERSHIP_X.replace("igo:organization id:org2", "igo:organization id:state") + " .",
         [E("id:x", "igo:organization", "id:state", "Class", "igosh:membershipOrganization")], ("igosh:membershipOrganization",)),
    Case("membership-without-role-or-phase", MEMBERSHIP_X.replace("igo:role igo:Observer ;", "") + " .",
         [E("id:x", None, "id:x", "SPARQL", "igosh:MembershipShape", message=HAS_ROLE)], ("igosh:membershipHasRole",)),
    Case("membership-without-attestation-or-phase", MEMBERSHIP_X.replace(";\n    igo:attestation id:att", "") + " .",
         [E("id:x", None, "id:x", "SPARQL", "igosh:MembershipShape", message=MEMBERSHIP_SOURCED)], ("igosh:membershipSourced", "igosh:MembershipShape")),
    Case("membership-with-phases-and-no-role-or-attestation-is-fine",
         PHASE_X + '; igo:status igo:Member ; igo:startDate "2001"^^xsd:gYear .', []),
    Case("phases-of-something-without-member-or-organization",
         'id:x a igo:Partnership ; rdfs:label "X"@en ; igo:partner id:org, id:org2 ; igo:attestation id:att ; igo:phase id:p . '
         'id:p a igo:MembershipPhase ; igo:status igo:Member ; igo:attestation id:att-cells .',
         [E("id:x", "igo:member", None, "MinCount", "igosh:membershipMember"),
          E("id:x", "igo:organization", None, "MinCount", "igosh:membershipOrganization")], ("igosh:PhasedShape",)),
    Case("membership-phase-not-a-phase", MEMBERSHIP_X + "; igo:phase id:att-cells .",
         [E("id:x", "igo:phase", "id:att-cells", "Class", "igosh:membershipPhase")], ("igosh:membershipPhase",)),
    Case("membership-role-a-topic", MEMBERSHIP_X.replace("igo:role igo:Observer", "igo:role id:topic") + " .",
         [E("id:x", "igo:role", "id:topic", "Class", "igosh:membershipRole")], ("igosh:membershipRole",)),
    Case("role-outside-the-roles-scheme", 'id:x a igo:Role ; skos:prefLabel "chair"@en .',
         [E("id:x", "skos:inScheme", None, "HasValue", ("igosh:RoleShape", "skos:inScheme"))], ("igosh:RoleShape",)),
    Case("role-without-label", "id:x a igo:Role ; skos:inScheme igo:Roles .",
         [E("id:x", "skos:prefLabel", None, "MinCount", "igosh:conceptLabel")], ("igosh:conceptLabel", "igosh:RoleShape")),
    Case("topic-without-label", "id:x a igo:Topic ; skos:inScheme igo:Topics .",
         [E("id:x", "skos:prefLabel", None, "MinCount", "igosh:conceptLabel")], ("igosh:conceptLabel", "igosh:TopicShape")),
    Case("topic-in-the-roles-scheme", 'id:x a igo:Topic ; skos:prefLabel "x"@en ; skos:inScheme igo:Roles .',
         [E("id:x", "skos:inScheme", None, "HasValue", ("igosh:TopicShape", "skos:inScheme"))], ("igosh:TopicShape",)),
    # -- partnerships, agreements, signatures ---------------------------------------------------
    Case("partnership-with-one-partner", 'id:x a igo:Partnership ; rdfs:label "X"@en ; igo:partner id:org ; igo:attestation id:att .',
         [E("id:x", "igo:partner", None, "MinCount", "igosh:partner")], ("igosh:partner", "igosh:PartnershipShape")),
    Case("partnership-with-a-state", 'id:x a igo:Partnership ; rdfs:label "X"@en ; igo:partner id:org, id:state ; igo:attestation id:att .',
         [E("id:x", "igo:partner", "id:state", "Class", "igosh:partner")], ("igosh:partner",)),
    Case("partnership-based-on-an-organization",
         'id:x a igo:Partnership ; rdfs:label "X"@en ; igo:partner id:org, id:org2 ; igo:basedOn id:org ; igo:attestation id:att .',
         [E("id:x", "igo:basedOn", "id:org", "Class", "igosh:basedOn")], ("igosh:basedOn",)),
    Case("agreement-with-one-party", AGREEMENT_X + "; igo:party id:org .",
         [E("id:x", "igo:party", None, "MinCount", "igosh:party")], ("igosh:party", "igosh:AgreementShape")),
    Case("agreement-party-a-person", AGREEMENT_X + "; igo:party id:org, id:person .",
         [E("id:x", "igo:party", "id:person", "Class", "igosh:party")], ("igosh:party",)),
    Case("agreement-date-as-words", AGREEMENT_X + '; igo:party id:org, id:org2 ; igo:date "5 October 2007" .',
         [E("id:x", "igo:date", S.format("5 October 2007"), "Or", "igosh:agreementDate")], ("igosh:agreementDate",)),
    Case("agreement-located-in-a-state", AGREEMENT_X + "; igo:party id:org, id:org2 ; igo:location id:state .",
         [E("id:x", "igo:location", "id:state", "Class", "igosh:agreementLocation")], ("igosh:agreementLocation",)),
    Case("agreement-signature-not-a-signature", AGREEMENT_X + "; igo:party id:org, id:org2 ; igo:signature id:att .",
         [E("id:x", "igo:signature", "id:att", "Class", "igosh:signature")], ("igosh:signature",)),
    Case("agreement-topic-not-a-topic", AGREEMENT_X + "; igo:party id:org, id:org2 ; igo:topic id:org .",
         [E("id:x", "igo:topic", "id:org", "Class", "igosh:topic")], ("igosh:topic",)),
    Case("signature-without-signatory", SIGNATURE_X + "; igo:onBehalfOf id:org .",
         [E("id:x", "igo:signatory", None, "MinCount", "igosh:signatory")], ("igosh:signatory", "igosh:SignatureShape")),
    Case("signatory-an-organization", SIGNATURE_X + "; igo:signatory id:org ; igo:onBehalfOf id:org .",
         [E("id:x", "igo:signatory", "id:org", "Class", "igosh:signatory")], ("igosh:signatory",)),
    Case("signature-on-behalf-of-nobody", SIGNATURE_X + "; igo:signatory id:person .",
         [E("id:x", "igo:onBehalfOf", None, "MinCount", "igosh:onBehalfOfOne")], ("igosh:onBehalfOfOne",)),
    Case("signature-on-behalf-of-a-place", SIGNATURE_X + "; igo:signatory id:person ; igo:onBehalfOf id:city .",
         [E("id:x", "igo:onBehalfOf", "id:city", "Class", "igosh:onBehalfOfOne")], ("igosh:onBehalfOfOne",)),
    Case("signature-capacity-not-a-post", SIGNATURE_X + "; igo:signatory id:person ; igo:onBehalfOf id:org ; igo:capacity id:org .",
         [E("id:x", "igo:capacity", "id:org", "Class", "igosh:capacity")], ("igosh:capacity",)),
    # -- events -------------------------------------------------------------------------------
    Case("event-date-as-string", EVENT_X + '; igo:date "2018" .',
         [E("id:x", "igo:date", S.format("2018"), "Or", "igosh:eventDate")], ("igosh:eventDate", "igosh:EventShape")),
    Case("event-with-two-dates", EVENT_X + '; igo:date "2018"^^xsd:gYear, "2018-06"^^xsd:gYearMonth .',
         [E("id:x", "igo:date", None, "MaxCount", "igosh:eventDate")], ("igosh:eventDate",)),
    Case("event-located-in-an-organization", EVENT_X + '; igo:date "2018"^^xsd:gYear ; igo:location id:org .',
         [E("id:x", "igo:location", "id:org", "Or", "igosh:eventLocation")], ("igosh:eventLocation",)),
    Case("event-located-in-a-state-is-fine", EVENT_X + '; igo:date "2022-01"^^xsd:gYearMonth ; igo:location id:state .', []),
    Case("event-organized-by-a-place", EVENT_X + '; igo:date "2018"^^xsd:gYear ; igo:organizer id:city .',
         [E("id:x", "igo:organizer", "id:city", "Class", "igosh:organizer")], ("igosh:organizer",)),
    Case("event-chaired-by-a-place", EVENT_X + '; igo:date "2018"^^xsd:gYear ; igo:chair id:city .',
         [E("id:x", "igo:chair", "id:city", "Class", "igosh:chair")], ("igosh:chair",)),
    Case("event-participation-not-a-participation", EVENT_X + '; igo:date "2018"^^xsd:gYear ; igo:participation id:att .',
         [E("id:x", "igo:participation", "id:att", "Class", "igosh:participation")], ("igosh:participation",)),
    Case("event-parent-an-organization", EVENT_X + '; igo:date "2018"^^xsd:gYear ; igo:parentEvent id:org .',
         [E("id:x", "igo:parentEvent", "id:org", "Class", "igosh:parentEvent")], ("igosh:parentEvent",)),
    Case("event-in-an-event-not-a-series", EVENT_X + '; igo:date "2018"^^xsd:gYear ; igo:inSeries id:topic .',
         [E("id:x", "igo:inSeries", "id:topic", "Class", "igosh:inSeries")], ("igosh:inSeries",)),
    Case("event-topic-not-a-topic", EVENT_X + '; igo:date "2018"^^xsd:gYear ; igo:topic id:state .',
         [E("id:x", "igo:topic", "id:state", "Class", "igosh:topic")], ("igosh:topic",)),
    Case("event-about-a-place", EVENT_X + '; igo:date "2018"^^xsd:gYear ; igo:about id:city .',
         [E("id:x", "igo:about", "id:city", "Class", "igosh:about")], ("igosh:about",)),
    Case("event-concerns-an-organization", EVENT_X + '; igo:date "2018"^^xsd:gYear ; igo:concerns id:org .',
         [E("id:x", "igo:concerns", "id:org", "Class", "igosh:concerns")], ("igosh:concerns",)),
    Case("event-undated", EVENT_X + " .",
         [E("id:x", None, "id:x", "SPARQL", "igosh:EventShape",
            message="an event needs igo:date or igo:startDate, or a skos:note saying why the source gives none")],
         ("igosh:eventIsDated",)),
    Case("event-undated-with-note-is-fine", EVENT_X + '; skos:note "Undated in the source."@en .', []),
    Case("event-with-date-and-period", EVENT_X + '; igo:date "2018"^^xsd:gYear ; igo:startDate "2018-06-09"^^xsd:date .',
         [E("id:x", None, f'"2018"^^<{XSDT}gYear>', "SPARQL", "igosh:EventShape",
            message="an event has either igo:date (one day, month or year) or a period (igo:startDate/igo:endDate), not both")],
         ("igosh:eventDateOrPeriod",)),
    Case("founding-of-a-state", 'id:x a igo:Founding ; rdfs:label "X"@en ; igo:date "1991"^^xsd:gYear ; igo:founded id:state ; igo:attestation id:att .',
         [E("id:x", "igo:founded", "id:state", "Class", ("igosh:FoundingShape", "igo:founded"))], ("igosh:FoundingShape",)),
    Case("founding-of-nothing", 'id:x a igo:Founding ; rdfs:label "X"@en ; igo:date "1991"^^xsd:gYear ; igo:attestation id:att .',
         [E("id:x", "igo:founded", None, "MinCount", ("igosh:FoundingShape", "igo:founded"))], ("igosh:FoundingShape",)),
    # -- participations -----------------------------------------------------------------------
    Case("participation-without-participant", PARTICIPATION_X + " .",
         [E("id:x", "igo:participant", None, "MinCount", "igosh:participant")], ("igosh:participant", "igosh:ParticipationShape")),
    Case("participant-a-place", PARTICIPATION_X + "; igo:participant id:city .",
         [E("id:x", "igo:participant", "id:city", "Class", "igosh:participant")], ("igosh:participant",)),
    Case("participation-capacity-not-a-post", PARTICIPATION_X + "; igo:participant id:person ; igo:capacity id:org .",
         [E("id:x", "igo:capacity", "id:org", "Class", "igosh:participationCapacity")], ("igosh:participationCapacity",)),
    Case("participation-on-behalf-of-a-place", PARTICIPATION_X + "; igo:participant id:person ; igo:onBehalfOf id:city .",
         [E("id:x", "igo:onBehalfOf", "id:city", "Class", "igosh:onBehalfOf")], ("igosh:onBehalfOf",)),
    Case("participation-in-no-event", "id:x a igo:Participation ; igo:participant id:person ; igo:attestation id:att .",
         [E("id:x", "^igo:participation", None, "MinCount", "igosh:participationOf")], ("igosh:participationOf",)),
    Case("participation-in-two-events", PARTICIPATION_X + '; igo:participant id:person . id:ev2 a igo:Debate ; rdfs:label "Ev2"@en ; skos:note "Undated."@en ; igo:attestation id:att ; igo:participation id:x .',
         [E("id:x", "^igo:participation", None, "MaxCount", "igosh:participationOf")], ("igosh:participationOf",)),
    # -- posts --------------------------------------------------------------------------------
    Case("post-in-nothing", 'id:x a igo:Post ; rdfs:label "X"@en .',
         [E("id:x", "igo:postIn", None, "MinCount", ("igosh:PostShape", "igo:postIn"))], ("igosh:PostShape",)),
    Case("post-in-a-place", 'id:x a igo:Post ; rdfs:label "X"@en ; igo:postIn id:city .',
         [E("id:x", "igo:postIn", "id:city", "Class", ("igosh:PostShape", "igo:postIn"))], ("igosh:PostShape",)),
    Case("post-held-by-a-place", "id:x a igo:PostHolding ; igo:holder id:city ; igo:post id:post ; igo:attestation id:att .",
         [E("id:x", "igo:holder", "id:city", "Class", "igosh:holder")], ("igosh:holder", "igosh:PostHoldingShape")),
    Case("post-holding-of-two-posts", "id:x a igo:PostHolding ; igo:holder id:person ; igo:post id:post, id:post2 ; igo:attestation id:att . "
         'id:post2 a igo:Post ; rdfs:label "Post two"@en ; igo:postIn id:org .',
         [E("id:x", "igo:post", None, "MaxCount", "igosh:post")], ("igosh:post",)),
    Case("post-holding-of-an-organization", "id:x a igo:PostHolding ; igo:holder id:person ; igo:post id:org ; igo:attestation id:att .",
         [E("id:x", "igo:post", "id:org", "Class", "igosh:post")], ("igosh:post",)),
    # -- statements ---------------------------------------------------------------------------
    Case("statement-complete-is-fine", STATEMENT_X + STATEMENT_DONE, []),
    Case("statement-without-speaker", STATEMENT_X + "; igo:medium igo:MediumSpeech .",
         [E("id:x", "igo:speaker", None, "MinCount", "igosh:statementSpeaker")], ("igosh:statementSpeaker", "igosh:StatementShape")),
    Case("statement-spoken-by-a-place", STATEMENT_X + "; igo:medium igo:MediumSpeech ; igo:speaker id:city .",
         [E("id:x", "igo:speaker", "id:city", "Class", "igosh:statementSpeaker")], ("igosh:statementSpeaker",)),
    Case("statement-without-kind", STATEMENT_X.replace("igo:statementKind igo:Hope ;", "") + STATEMENT_DONE,
         [E("id:x", "igo:statementKind", None, "MinCount", "igosh:statementKind")], ("igosh:statementKind",)),
    Case("statement-kind-a-role", STATEMENT_X.replace("igo:statementKind igo:Hope", "igo:statementKind igo:Member") + STATEMENT_DONE,
         [E("id:x", "igo:statementKind", "igo:Member", "Class", "igosh:statementKind")], ("igosh:statementKind",)),
    Case("statement-without-reporting", STATEMENT_X.replace(";\n        igo:reporting igo:ReportedSpeech", "") + STATEMENT_DONE,
         [E("id:x", "igo:reporting", None, "MinCount", "igosh:statementReporting")], ("igosh:statementReporting",)),
    Case("statement-reporting-not-a-mode", STATEMENT_X.replace("igo:reporting igo:ReportedSpeech", "igo:reporting igo:Hope") + STATEMENT_DONE,
         [E("id:x", "igo:reporting", "igo:Hope", "In", "igosh:statementReporting")], ("igosh:statementReporting",)),
    Case("statement-made-at-a-series", STATEMENT_X + "; igo:speaker id:person ; igo:madeAt id:series .",
         [E("id:x", "igo:madeAt", "id:series", "Class", "igosh:statementMadeAt"),
          E("id:x", None, "id:person", "SPARQL", "igosh:StatementShape",
            message=f"the speaker {NS['id']}person does not take part in the event the statement was made at (add its igo:participation, or correct igo:madeAt)")],
         ("igosh:statementMadeAt", "igosh:speakerTookPart")),
    Case("statement-medium-a-kind", STATEMENT_X + "; igo:speaker id:person ; igo:medium igo:Hope .",
         [E("id:x", "igo:medium", "igo:Hope", "Class", "igosh:statementMedium")], ("igosh:statementMedium",)),
    Case("statement-refers-to-an-organization", STATEMENT_X + STATEMENT_DONE[:-1] + "; igo:refersTo id:org .",
         [E("id:x", "igo:refersTo", "id:org", "Or", "igosh:statementRefersTo")], ("igosh:statementRefersTo",)),
    Case("statement-neither-made-at-nor-in-a-medium", STATEMENT_X + "; igo:speaker id:person .",
         [E("id:x", None, "id:x", "SPARQL", "igosh:StatementShape",
            message="a statement needs igo:madeAt (the event) or igo:medium, or a skos:note saying why the source gives neither")],
         ("igosh:statementIsPlaced",)),
    Case("statement-undated-occasion-with-note-is-fine", STATEMENT_X + '; igo:speaker id:person ; skos:note "Has repeatedly noted."@en .', []),
    Case("statement-speaker-not-at-the-event", STATEMENT_X + "; igo:speaker id:person, id:state ; igo:madeAt id:ev .",
         [E("id:x", None, "id:state", "SPARQL", "igosh:StatementShape",
            message=f"the speaker {NS['id']}state does not take part in the event the statement was made at (add its igo:participation, or correct igo:madeAt)")],
         ("igosh:speakerTookPart",)),
    Case("statement-capacity-the-speaker-never-held",
         STATEMENT_X + '; igo:speaker id:person ; igo:madeAt id:ev ; igo:capacity id:post2 . id:post2 a igo:Post ; rdfs:label "Post two"@en ; igo:postIn id:org .',
         [E("id:x", None, "id:post2", "SPARQL", "igosh:StatementShape",
            message=f"no igo:PostHolding says the speaker held the post {NS['id']}post2 given as igo:capacity")],
         ("igosh:speakerHeldCapacity",)),
    Case("statement-kind-outside-its-scheme", 'id:x a igo:StatementKind ; skos:prefLabel "boast"@en ; skos:inScheme igo:Roles .',
         [E("id:x", "skos:inScheme", None, "HasValue", ("igosh:StatementKindShape", "skos:inScheme"))], ("igosh:StatementKindShape",)),
    Case("medium-outside-its-scheme", 'id:x a igo:Medium ; skos:prefLabel "tweet"@en .',
         [E("id:x", "skos:inScheme", None, "HasValue", ("igosh:MediumShape", "skos:inScheme"))], ("igosh:MediumShape",)),
    # -- documents and series -----------------------------------------------------------------
    Case("document-without-attestation", 'id:x a igo:PolicyDocument ; rdfs:label "X"@en .',
         [E("id:x", "igo:attestation", None, "MinCount", "igosh:attestation")], ("igosh:PolicyDocumentShape",)),
    Case("document-to-be-adopted-at-a-place", 'id:x a igo:PolicyDocument ; rdfs:label "X"@en ; igo:attestation id:att ; igo:adoptionPlannedAt id:city .',
         [E("id:x", "igo:adoptionPlannedAt", "id:city", "Class", "igosh:adoptionPlannedAt")], ("igosh:adoptionPlannedAt", "igosh:PolicyDocumentShape")),
    Case("document-implements-an-organization", 'id:x a igo:PolicyDocument ; rdfs:label "X"@en ; igo:attestation id:att ; igo:implements id:org .',
         [E("id:x", "igo:implements", "id:org", "Class", "igosh:implements")], ("igosh:implements",)),
    Case("series-organized-by-a-place", 'id:x a igo:EventSeries ; rdfs:label "X"@en ; igo:attestation id:att ; igo:organizer id:city .',
         [E("id:x", "igo:organizer", "id:city", "Class", "igosh:organizer")], ("igosh:EventSeriesShape",)),
    # -- what a quote supports ------------------------------------------------------------------
    Case("dated-by-a-source", MEMBERSHIP_X + '; igo:startDate "2001"^^xsd:gYear ; igo:datedBy id:src .',
         [E("id:x", "igo:datedBy", "id:src", "Class", "igosh:datedBy"),
          E("id:x", None, "id:src", "SPARQL", "igosh:DatedByShape",
            message=f"the igo:datedBy attestation {NS['id']}src is not among the node's igo:attestation")],
         ("igosh:datedBy", "igosh:DatedByShape", "igosh:datedByIsAttestation")),
    Case("dated-by-on-an-undated-node", MEMBERSHIP_X + "; igo:datedBy id:att .",
         [E("id:x", None, "id:x", "SPARQL", "igosh:DatedByShape",
            message="igo:datedBy names the attestation of a date, but the node has no igo:date, igo:startDate or igo:endDate")],
         ("igosh:datedByNodeIsDated",)),
    # -- plain facts as sourced triples -----------------------------------------------------------
    Case("sourced-triple-is-fine", TRIPLE_X + "; igo:attestation id:att .", []),
    Case("sourced-triple-without-subject", 'id:x a igo:SourcedTriple ; rdf:predicate igo:bodyOf ; rdf:object id:org ; igo:attestation id:att .',
         [E("id:x", "rdf:subject", None, "MinCount", "igosh:tripleSubject")], ("igosh:tripleSubject", "igosh:SourcedTripleShape")),
    Case("sourced-triple-subject-a-literal", TRIPLE_X.replace("rdf:subject id:district", 'rdf:subject "district"') + "; igo:attestation id:att .",
         [E("id:x", "rdf:subject", S.format("district"), "NodeKind", "igosh:tripleSubject"),
          E("id:x", None, "id:x", "SPARQL", "igosh:SourcedTripleShape",
            message="the sourced triple is not in the graph: assert it, or correct its subject, predicate or object")],
         ("igosh:tripleSubject", "igosh:tripleAsserted")),
    Case("sourced-triple-of-a-membership-predicate", TRIPLE_X.replace("igo:locatedIn", "igo:member") + "; igo:attestation id:att .",
         [E("id:x", "rdf:predicate", "igo:member", "In", "igosh:triplePredicate"),
          E("id:x", None, "id:x", "SPARQL", "igosh:SourcedTripleShape",
            message="the sourced triple is not in the graph: assert it, or correct its subject, predicate or object")],
         ("igosh:triplePredicate",)),
    Case("sourced-triple-without-object", TRIPLE_X.replace("; rdf:object id:city", "") + "; igo:attestation id:att .",
         [E("id:x", "rdf:object", None, "MinCount", "igosh:tripleObject")], ("igosh:tripleObject",)),
    Case("sourced-triple-not-asserted", TRIPLE_X.replace("rdf:object id:city", "rdf:object id:state") + "; igo:attestation id:att .",
         [E("id:x", None, "id:x", "SPARQL", "igosh:SourcedTripleShape",
            message="the sourced triple is not in the graph: assert it, or correct its subject, predicate or object")],
         ("igosh:tripleAsserted",)),
    Case("sourced-triple-attested-by-a-source", TRIPLE_X + "; igo:attestation id:src .",
         [E("id:x", "igo:attestation", "id:src", "Class", "igosh:tripleAttestation")], ("igosh:tripleAttestation",)),
    Case("sourced-triple-background-an-attestation", TRIPLE_X + "; igo:background id:att .",
         [E("id:x", "igo:background", "id:att", "Class", "igosh:tripleBackground")], ("igosh:tripleBackground",)),
    Case("sourced-triple-without-support", TRIPLE_X + " .",
         [E("id:x", None, "id:x", "SPARQL", "igosh:SourcedTripleShape",
            message="a sourced triple needs an igo:attestation (a source and a verbatim quote) or igo:background")],
         ("igosh:tripleSupported",)),
    Case("background-without-note", 'id:x a igo:BackgroundKnowledge ; rdfs:label "X"@en .',
         [E("id:x", "skos:note", None, "MinCount", "igosh:backgroundNote")], ("igosh:backgroundNote", "igosh:BackgroundKnowledgeShape")),
    Case("background-note-without-language", 'id:x a igo:BackgroundKnowledge ; rdfs:label "X"@en ; skos:note "Known." .',
         [E("id:x", "skos:note", S.format("Known."), "Datatype", "igosh:backgroundNote")], ("igosh:backgroundNote",)),
    # -- what a source offers to a citation -------------------------------------------------------
    Case("source-url-not-on-the-web", SOURCE_X + '; dct:issued "2020"^^xsd:gYear ; schema:url "ftp://example.org/a" .',
         [E("id:x", "schema:url", S.format("ftp://example.org/a"), "Pattern", "igosh:sourceUrl")], ("igosh:sourceUrl", "igosh:SourceCitationShape")),
    Case("source-url-iri-is-fine", SOURCE_X + '; dct:issued "2020"^^xsd:gYear ; schema:url <https://example.org/a> .', []),
    Case("source-retrieved-a-month", SOURCE_X + '; dct:issued "2020"^^xsd:gYear ; igo:retrieved "2024-01"^^xsd:gYearMonth .',
         [E("id:x", "igo:retrieved", f'"2024-01"^^<{XSDT}gYearMonth>', "Datatype", "igosh:sourceRetrieved")], ("igosh:sourceRetrieved",)),
    Case("source-modified-as-words", SOURCE_X + '; dct:issued "2020"^^xsd:gYear ; dct:modified "last week" .',
         [E("id:x", "dct:modified", S.format("last week"), "Or", "igosh:sourceModified")], ("igosh:sourceModified",)),
    Case("source-established-date-as-words", SOURCE_X + '; dct:issued "2020"^^xsd:gYear ; dct:date "in 2007" .',
         [E("id:x", "dct:date", S.format("in 2007"), "Or", "igosh:sourceDate")], ("igosh:sourceDate",)),
    Case("source-established-date-with-note-is-fine", SOURCE_X + '; dct:date "2007-10-05"^^xsd:date ; skos:note "Year from other sources."@en .', []),
    Case("source-established-date-without-note", SOURCE_X + '; dct:date "2007-10-05"^^xsd:date .',
         [E("id:x", None, "id:x", "SPARQL", "igosh:SourceDocumentShape",
            message="a source needs dct:issued, or dct:date or igo:notBefore with a skos:note saying how it was dated")],
         ("igosh:sourceIsDated",)),
    # -- sources of three kinds: locators, pinned datasets and reference documents ------------------
    Case("quote-from-a-reference-document-is-fine", 'id:x a igo:Attestation ; igo:source id:page ; igo:quote "A sentence of the page." .', []),
    Case("locator-not-a-locator", "id:x a igo:Attestation ; igo:source id:dataset ; igo:locator id:att .",
         [E("id:x", "igo:locator", "id:att", "Class", "igosh:attestationLocator")], ("igosh:attestationLocator",)),
    Case("two-locators", "id:x a igo:Attestation ; igo:source id:dataset ; igo:locator id:cells, id:cells2 . "
         'id:cells2 a igo:RecordLocator ; igo:table "igo_year" ; igo:row "ioname=ORG" ; igo:column "sdate" ; igo:cellValue "1990" .',
         [E("id:x", "igo:locator", None, "MaxCount", "igosh:attestationLocator")], ("igosh:attestationLocator",)),
    Case("locator-citing-an-article", "id:x a igo:Attestation ; igo:source id:src ; igo:locator id:cells .",
         [E("id:x", "igo:source", "id:src", "Class", ("igosh:LocatorSourceShape", "igo:source"))], ("igosh:LocatorSourceShape",)),
    Case("locator-is-fine", LOCATOR_X + " .", []),
    Case("locator-without-table", LOCATOR_X.replace('igo:table "igo_year" ;', "") + " .",
         [E("id:x", "igo:table", None, "MinCount", ("igosh:RecordLocatorShape", "igo:table"))], ("igosh:RecordLocatorShape",)),
    Case("locator-row-not-key-value", LOCATOR_X.replace('"ioname=ORG"', '"ORG"') + " .",
         [E("id:x", "igo:row", S.format("ORG"), "Pattern", ("igosh:RecordLocatorShape", "igo:row"))], ("igosh:RecordLocatorShape",)),
    Case("locator-without-column", LOCATOR_X.replace('igo:column "state" ;', "") + " .",
         [E("id:x", "igo:column", None, "MinCount", ("igosh:RecordLocatorShape", "igo:column"))], ("igosh:RecordLocatorShape",)),
    Case("locator-cell-value-a-number", LOCATOR_X.replace('igo:cellValue "1"', "igo:cellValue 1") + " .",
         [E("id:x", "igo:cellValue", f'"1"^^<{XSDT}integer>', "Datatype", ("igosh:RecordLocatorShape", "igo:cellValue"))],
         ("igosh:RecordLocatorShape",)),
    Case("locator-years-as-dates", LOCATOR_X + '; igo:firstYear "2001-01-01"^^xsd:date ; igo:lastYear "2002" .',
         [E("id:x", "igo:firstYear", f'"2001-01-01"^^<{XSDT}date>', "Datatype", ("igosh:RecordLocatorShape", "igo:firstYear")),
          E("id:x", "igo:lastYear", S.format("2002"), "Datatype", ("igosh:RecordLocatorShape", "igo:lastYear"))],
         ("igosh:RecordLocatorShape",)),
    Case("locator-first-year-without-last", LOCATOR_X + '; igo:firstYear "2001"^^xsd:gYear .',
         [E("id:x", None, "id:x", "SPARQL", "igosh:RecordLocatorShape", message=LOCATOR_YEARS)], ("igosh:locatorYears",)),
    Case("locator-years-reversed", LOCATOR_X + '; igo:firstYear "2005"^^xsd:gYear ; igo:lastYear "2001"^^xsd:gYear .',
         [E("id:x", None, "id:x", "SPARQL", "igosh:RecordLocatorShape", message=LOCATOR_YEARS)], ("igosh:locatorYears",)),
    Case("dataset-is-fine", DATASET_X + " .", []),
    Case("dataset-name-with-capitals", DATASET_X.replace('igo:sourceName "x"', 'igo:sourceName "COW IGO"') + " .",
         [E("id:x", "igo:sourceName", S.format("COW IGO"), "Pattern", ("igosh:PinnedSourceShape", "igo:sourceName"))],
         ("igosh:PinnedSourceShape",)),
    Case("dataset-without-title", DATASET_X.replace('dct:title "X" ;', "") + " .",
         [E("id:x", "dct:title", None, "MinCount", ("igosh:PinnedSourceShape", "dct:title"))], ("igosh:PinnedSourceShape",)),
    Case("dataset-published-by-a-person", DATASET_X.replace("dct:publisher id:news", "dct:publisher id:person") + " .",
         [E("id:x", "dct:publisher", "id:person", "Class", ("igosh:PinnedSourceShape", "dct:publisher"))], ("igosh:PinnedSourceShape",)),
    Case("dataset-without-files", DATASET_X.replace("dcat:distribution id:table-file ;", "") + " .",
         [E("id:x", "dcat:distribution", None, "MinCount", ("igosh:PinnedSourceShape", "dcat:distribution"))],
         ("igosh:PinnedSourceShape",)),
    Case("dataset-without-version-citation-or-terms",
         DATASET_X.replace('; schema:version "1" ; dct:bibliographicCitation "Cite X." ; dct:rights "Free."', "") + " .",
         [E("id:x", "schema:version", None, "MinCount", ("igosh:DatasetShape", "schema:version")),
          E("id:x", "dct:bibliographicCitation", None, "MinCount", ("igosh:DatasetShape", "dct:bibliographicCitation")),
          E("id:x", "dct:rights", None, "MinCount", ("igosh:DatasetShape", "dct:rights"))],
         ("igosh:DatasetShape",)),
    Case("reference-document-is-fine", PAGE_X + " .", []),
    Case("reference-document-modified-as-words", PAGE_X.replace('"2018"^^xsd:gYear', '"February 2018"') + " .",
         [E("id:x", "dct:modified", S.format("February 2018"), "Or", ("igosh:ReferenceDocumentShape", "dct:modified"))],
         ("igosh:ReferenceDocumentShape",)),
    Case("reference-document-retrieved-a-month", PAGE_X + '; igo:retrieved "2020-01"^^xsd:gYearMonth .',
         [E("id:x", "igo:retrieved", f'"2020-01"^^<{XSDT}gYearMonth>', "Datatype", ("igosh:ReferenceDocumentShape", "igo:retrieved"))],
         ("igosh:ReferenceDocumentShape",)),
    Case("reference-document-without-extraction-or-text-digest",
         PAGE_X.replace("igo:textExtraction igo:HtmlTextCollapsed ;", "").replace(f';\n    igo:textSha256 "{SHA}"', "") + " .",
         [E("id:x", "igo:textExtraction", None, "MinCount", ("igosh:ReferenceDocumentShape", "igo:textExtraction")),
          E("id:x", "igo:textSha256", None, "MinCount", ("igosh:ReferenceDocumentShape", "igo:textSha256"))],
         ("igosh:ReferenceDocumentShape",)),
    Case("pinned-file-is-fine", FILE_X + " .", []),
    Case("pinned-file-path-leaving-the-folder", FILE_X.replace('"dataset/x.rda"', '"../x.rda"') + " .",
         [E("id:x", "igo:path", S.format("../x.rda"), "Pattern", ("igosh:PinnedFileShape", "igo:path"))], ("igosh:PinnedFileShape",)),
    Case("pinned-file-over-plain-http", FILE_X.replace("<https://example.org/0123abc/x.rda>", "<http://example.org/0123abc/x.rda>") + " .",
         [E("id:x", "dcat:downloadURL", "<http://example.org/0123abc/x.rda>", "Pattern", ("igosh:PinnedFileShape", "dcat:downloadURL"))],
         ("igosh:PinnedFileShape",)),
    Case("pinned-file-sha256-short", FILE_X.replace(SHA, "0123abcd") + " .",
         [E("id:x", "igo:sha256", S.format("0123abcd"), "Pattern", ("igosh:PinnedFileShape", "igo:sha256"))], ("igosh:PinnedFileShape",)),
    # -- membership phases ----------------------------------------------------------------------
    Case("phase-without-status", PHASE_X + " .",
         [E("id:x", "igo:status", None, "MinCount", ("igosh:MembershipPhaseShape", "igo:status"))], ("igosh:MembershipPhaseShape",)),
    Case("phase-status-a-topic", PHASE_X + "; igo:status id:topic .",
         [E("id:x", "igo:status", "id:topic", "Class", ("igosh:MembershipPhaseShape", "igo:status"))], ("igosh:MembershipPhaseShape",)),
    Case("phase-of-no-membership", PHASE_X.replace("id:m a igo:Membership ; igo:member id:state ; igo:organization id:org2 ; igo:phase id:x .", "")
         + "; igo:status igo:Member .",
         [E("id:x", "^igo:phase", None, "MinCount", "igosh:phaseOf")], ("igosh:phaseOf",)),
    Case("phase-of-two-memberships", PHASE_X + "; igo:status igo:Member . "
         "id:m2 a igo:Membership ; igo:member id:state ; igo:organization id:org ; igo:phase id:x .",
         [E("id:x", "^igo:phase", None, "MaxCount", "igosh:phaseOf")], ("igosh:phaseOf", "igosh:MembershipPhaseShape")),
    Case("phase-without-attestation", PHASE_X.replace("; igo:attestation id:att-cells", "") + "; igo:status igo:Member .",
         [E("id:x", "igo:attestation", None, "MinCount", "igosh:attestation")], ("igosh:SourcedShape",)),
    Case("phase-bounds-as-dates", PHASE_X + '; igo:status igo:Member ; igo:earliestStart "1990-01-01"^^xsd:date ; '
         'igo:latestStart "1992" ; igo:earliestEnd "1995-06"^^xsd:gYearMonth ; igo:latestEnd 1998 .',
         [E("id:x", "igo:earliestStart", f'"1990-01-01"^^<{XSDT}date>', "Datatype", ("igosh:MembershipPhaseShape", "igo:earliestStart")),
          E("id:x", "igo:latestStart", S.format("1992"), "Datatype", ("igosh:MembershipPhaseShape", "igo:latestStart")),
          E("id:x", "igo:earliestEnd", f'"1995-06"^^<{XSDT}gYearMonth>', "Datatype", ("igosh:MembershipPhaseShape", "igo:earliestEnd")),
          E("id:x", "igo:latestEnd", f'"1998"^^<{XSDT}integer>', "Datatype", ("igosh:MembershipPhaseShape", "igo:latestEnd"))],
         ("igosh:MembershipPhaseShape",)),
    Case("phase-with-start-date-and-bounds", PHASE_X + '; igo:status igo:Member ; igo:startDate "1992"^^xsd:gYear ; igo:latestStart "1992"^^xsd:gYear .',
         [E("id:x", None, "id:x", "SPARQL", "igosh:MembershipPhaseShape", message=START_DATE_OR_BOUNDS)], ("igosh:phaseDateOrBounds",)),
    Case("phase-with-end-date-and-bounds", PHASE_X + '; igo:status igo:Member ; igo:endDate "1992"^^xsd:gYear ; igo:earliestEnd "1992"^^xsd:gYear .',
         [E("id:x", None, "id:x", "SPARQL", "igosh:MembershipPhaseShape", message=END_DATE_OR_BOUNDS)], ("igosh:phaseEndDateOrBounds",)),
    Case("phase-start-bounds-reversed", PHASE_X + '; igo:status igo:Member ; igo:earliestStart "1995"^^xsd:gYear ; igo:latestStart "1992"^^xsd:gYear .',
         [E("id:x", None, "id:x", "SPARQL", "igosh:MembershipPhaseShape", message="start bounds out of order: earliest 1995 is after latest 1992")],
         ("igosh:startBoundsInOrder",)),
    Case("phase-end-bounds-reversed", PHASE_X + '; igo:status igo:Member ; igo:earliestEnd "2001"^^xsd:gYear ; igo:latestEnd "1999"^^xsd:gYear .',
         [E("id:x", None, "id:x", "SPARQL", "igosh:MembershipPhaseShape", message="end bounds out of order: earliest 2001 is after latest 1999")],
         ("igosh:endBoundsInOrder",)),
    Case("phase-ending-before-it-starts", PHASE_X + '; igo:status igo:Member ; igo:startDate "1993"^^xsd:gYear ; igo:endDate "1992"^^xsd:gYear .',
         [E("id:x", None, f'"1992"^^<{XSDT}gYear>', "SPARQL", "igosh:MembershipPhaseShape",
            message="igo:endDate 1992 is before igo:startDate 1993")], ("igosh:endNotBeforeStart",)),
    # -- states and organizations over time -----------------------------------------------------
    Case("cow-state-with-two-codes", 'id:x a igo:State ; rdfs:label "X"@en ; owl:sameAs wd:Q900 ; igo:cowCode 365, 366 ; igo:cowColumn "x" .',
         [E("id:x", "igo:cowCode", None, "MaxCount", ("igosh:CowStateShape", "igo:cowCode"))], ("igosh:CowStateShape",)),
    Case("cow-code-as-text", 'id:x a igo:State ; rdfs:label "X"@en ; owl:sameAs wd:Q900 ; igo:cowCode "365" ; igo:cowColumn "x" .',
         [E("id:x", "igo:cowCode", S.format("365"), "Datatype", ("igosh:CowStateShape", "igo:cowCode"))], ("igosh:CowStateShape",)),
    Case("cow-state-without-column", 'id:x a igo:State ; rdfs:label "X"@en ; owl:sameAs wd:Q900 ; igo:cowCode 365 .',
         [E("id:x", "igo:cowColumn", None, "MinCount", ("igosh:CowStateShape", "igo:cowColumn"))], ("igosh:CowStateShape",)),
    Case("cow-organization-with-two-names", 'id:x a igo:IntergovernmentalOrganization ; rdfs:label "X"@en ; owl:sameAs wd:Q900 ; igo:cowIoname "X", "Y" .',
         [E("id:x", "igo:cowIoname", None, "MaxCount", ("igosh:CowOrganizationShape", "igo:cowIoname"))], ("igosh:CowOrganizationShape",)),
    Case("dissolution-of-nothing", DISSOLUTION_X + " .",
         [E("id:x", "igo:dissolved", None, "MinCount", ("igosh:DissolutionShape", "igo:dissolved"))], ("igosh:DissolutionShape",)),
    Case("dissolution-of-a-state", DISSOLUTION_X + "; igo:dissolved id:state .",
         [E("id:x", "igo:dissolved", "id:state", "Class", ("igosh:DissolutionShape", "igo:dissolved"))], ("igosh:DissolutionShape",)),
    Case("dissolution-of-an-unknown-kind", DISSOLUTION_X + "; igo:dissolved id:org2 ; igo:endKind igo:Member .",
         [E("id:x", "igo:endKind", "igo:Member", "In", ("igosh:DissolutionShape", "igo:endKind"))], ("igosh:DissolutionShape",)),
    Case("succession-without-predecessor", SUCCESSION_X + "; igo:successor id:org .",
         [E("id:x", "igo:predecessor", None, "MinCount", ("igosh:SuccessionShape", "igo:predecessor"))], ("igosh:SuccessionShape",)),
    Case("succession-by-a-state", SUCCESSION_X + "; igo:predecessor id:org2 ; igo:successor id:state .",
         [E("id:x", "igo:successor", "id:state", "Class", ("igosh:SuccessionShape", "igo:successor"))], ("igosh:SuccessionShape",)),
    Case("succession-dated-in-words", SUCCESSION_X + '; igo:predecessor id:org2 ; igo:successor id:org ; igo:date "in 1995" .',
         [E("id:x", "igo:date", S.format("in 1995"), "Or", "igosh:agreementDate")], ("igosh:agreementDate",)),
    # -- claims side by side: ranks -------------------------------------------------------------
    Case("rank-not-a-rank", RANKED_X + "; igo:rank igo:Member ; igo:rankReason igo:MoreRecentSource .",
         [E("id:x", "igo:rank", "igo:Member", "In", ("igosh:RankShape", "igo:rank"))], ("igosh:RankShape",)),
    Case("rank-without-reason", RANKED_X + "; igo:rank igo:DeprecatedRank .",
         [E("id:x", "igo:rankReason", None, "MinCount", ("igosh:RankShape", "igo:rankReason"))], ("igosh:RankShape",)),
]


# --------------------------------------------------------------------------- helpers


def _turtle_store(*texts: str) -> ox.Store:
    store = ox.Store()
    store.load(path=str(ONTOLOGY_FILE), format=ox.RdfFormat.TURTLE)
    for text in texts:
        store.load((PREFIXES + text).encode(), format=ox.RdfFormat.TURTLE)
    return store


@pytest.fixture(scope="module")
def shapes_store() -> ox.Store:
    store = ox.Store()
    store.load(path=str(SHAPES_FILE), format=ox.RdfFormat.TURTLE)
    return store


@pytest.fixture(scope="module")
def engines(shapes_store):
    compiled = compile_shapes(shapes_store)
    shapes_rdflib = to_rdflib(shapes_store, dataset=False)

    def run(data: ox.Store) -> tuple[list[ShaclResult], list[ShaclResult]]:
        fast = run_shapes(compiled, data)
        ref = run_pyshacl(to_rdflib(data), shapes_rdflib)
        return fast, ref

    return run


def _messages(shapes_store: ox.Store) -> dict[str, str]:
    """sh:message of every shape, keyed by the label the engines report for it."""
    out = {}
    q = f"""PREFIX sh: <{SH}>
        SELECT ?shape ?node ?path ?msg WHERE {{
          ?shape sh:message ?msg .
          OPTIONAL {{ ?node sh:property ?shape . ?shape sh:path ?path FILTER(isBlank(?shape)) }}
        }}"""
    for sol in shapes_store.query(q):
        if isinstance(sol["shape"], ox.BlankNode):
            if sol["node"] is None:
                continue
            out[f"<{sol['node'].value}> sh:property [<{sol['path'].value}>]"] = sol["msg"].value
        else:
            out[f"<{sol['shape'].value}>"] = sol["msg"].value
    return out


def _expected(case: Case, shapes_store: ox.Store) -> list[ShaclResult]:
    messages = _messages(shapes_store)
    out = []
    for e in case.expect:
        # Paths as SHACL writes them (Turtle): an inverse path is [ sh:inversePath <p> ].
        path = None if e.path is None else (f"[ sh:inversePath {iri(e.path[1:])} ]" if e.path.startswith("^") else iri(e.path))
        out.append(
            ShaclResult(
                focus=term(e.focus),
                path=path,
                value=term(e.value),
                component=f"{SH}{e.component}ConstraintComponent",
                severity=SH + e.severity,
                shape=e.shape_label,
                message=e.message if e.message is not None else messages[e.shape_label],
            )
        )
    return sorted(out, key=lambda r: (r.focus, r.path or "", r.value or "", r.component, r.severity, r.shape, r.message))


# --------------------------------------------------------------------------- tests


def test_base_fixture_conforms_with_both_engines(engines):
    fast, ref = engines(_turtle_store(BASE, BASE_FACTS))
    assert fast == [] and ref == []


pytestmark = pytest.mark.filterwarnings("ignore:Dataset.default_context is deprecated:DeprecationWarning")


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_shape_case_gives_exactly_the_expected_results(case, engines, shapes_store):
    data = _turtle_store(BASE, case.ttl)
    fast, ref = engines(data)
    expected = _expected(case, shapes_store)
    assert fast == expected, "fast engine"
    assert ref == expected, "pySHACL"
    assert agree(fast, ref) == (set(), set())


def _all_shapes(shapes_store: ox.Store) -> dict[str, str]:
    """Every shape and SPARQL constraint: its id (igosh:… or igosh:Node/path) -> kind."""
    out: dict[str, str] = {}
    q = f"""PREFIX sh: <{SH}>
        SELECT ?s ?kind WHERE {{
          {{ ?s a sh:NodeShape . BIND("node" AS ?kind) }}
          UNION {{ ?s a sh:PropertyShape . BIND("property" AS ?kind) }}
          UNION {{ ?n sh:sparql ?s . BIND("sparql" AS ?kind) }}
        }}"""
    for sol in shapes_store.query(q):
        out["igosh:" + sol["s"].value[len(IGOSH):]] = sol["kind"].value
    return out


def _node_shapes_of(shapes_store: ox.Store) -> dict[str, dict]:
    """Per node shape: its target classes, property shapes (labels) and SPARQL constraints."""
    out: dict[str, dict] = {}
    q = f"""PREFIX sh: <{SH}>
        SELECT ?n ?p ?t ?so ?oo ?c ?path WHERE {{
          ?n a sh:NodeShape .
          {{ ?n sh:targetClass ?t }} UNION {{ ?n sh:targetSubjectsOf ?so }} UNION {{ ?n sh:targetObjectsOf ?oo }}
          UNION {{ ?n sh:property ?p OPTIONAL {{ ?p sh:path ?path }} }} UNION {{ ?n sh:sparql ?c }}
        }}"""
    for sol in shapes_store.query(q):
        key = "igosh:" + sol["n"].value[len(IGOSH):]
        entry = out.setdefault(key, {"targets": set(), "subjects_of": set(), "objects_of": set(), "properties": set(), "sparql": set()})
        if sol["t"] is not None:
            entry["targets"].add(sol["t"].value)
        if sol["so"] is not None:
            entry["subjects_of"].add(sol["so"].value)
        if sol["oo"] is not None:
            entry["objects_of"].add(sol["oo"].value)
        if sol["p"] is not None:
            if isinstance(sol["p"], ox.BlankNode):
                entry["properties"].add(f"<{sol['n'].value}> sh:property [<{sol['path'].value}>]")
            else:
                entry["properties"].add(f"<{sol['p'].value}>")
        if sol["c"] is not None:
            entry["sparql"].add("igosh:" + sol["c"].value[len(IGOSH):])
    return out


def test_every_shape_has_a_failing_example(shapes_store):
    shapes = _all_shapes(shapes_store)
    covered = {c for case in CASES if case.expect for c in case.covers}
    assert set(shapes) - covered == set(), "shapes without a failing example"
    assert covered - set(shapes) == set(), "cases claim shapes that do not exist"
    # every blank property shape (sh:property [ … ] with a message) fails in some case too
    failing_labels = {e.shape_label for case in CASES for e in case.expect}
    blank = {label for label in _messages(shapes_store) if " sh:property [" in label}
    assert blank and blank <= failing_labels


def test_cases_fail_the_shapes_they_claim(shapes_store):
    """A case that claims a shape must produce a result from it (not just any result)."""
    node_shapes = _node_shapes_of(shapes_store)
    kinds = _all_shapes(shapes_store)
    constraint_messages = {
        "igosh:" + sol["c"].value[len(IGOSH):]: sol["m"].value
        for sol in shapes_store.query(f"PREFIX sh: <{SH}> SELECT ?c ?m WHERE {{ ?n sh:sparql ?c . ?c sh:message ?m }}")
    }
    for case in CASES:
        labels = {e.shape_label for e in case.expect}
        for claim in case.covers:
            kind = kinds[claim]
            if kind == "property":
                assert iri(claim) in labels, (case.id, claim)
            elif kind == "node":
                entry = node_shapes[claim]
                assert labels & (entry["properties"] | {iri(claim)}), (case.id, claim)
                types = {m.group(1) for m in re.finditer(r"id:x a (\w+:\w+)", case.ttl)}
                assert types, case.id
                # the focus is an instance of a target class, directly or through rdfs:subClassOf,
                # or the subject (object) of a property the shape targets the subjects (objects) of
                closure = _superclasses({iri(t)[1:-1] for t in types})
                used = {iri(m.group(1))[1:-1] for m in re.finditer(r"(\w+:\w+) ", case.ttl) if m.group(1).split(":")[0] in NS}
                assert (closure & entry["targets"] or used & entry["subjects_of"]
                        or re.search(r"\w+:\w+ id:x\b", case.ttl) and used & entry["objects_of"]), (case.id, claim)
            else:  # a SPARQL constraint: a result of its node shape, with its message filled in
                pattern = re.escape(constraint_messages[claim])
                pattern = re.sub(r"\\\{\\\?\w+\\\}", ".+", pattern)
                assert any(e.message and re.fullmatch(pattern, e.message) for e in case.expect), (case.id, claim)


def _superclasses(classes: set[str]) -> set[str]:
    store = ox.Store()
    store.load(path=str(ONTOLOGY_FILE), format=ox.RdfFormat.TURTLE)
    seen, todo = set(classes), list(classes)
    while todo:
        c = todo.pop()
        for q in store.quads_for_pattern(ox.NamedNode(c), ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf"), None):
            if isinstance(q.object, ox.NamedNode) and q.object.value not in seen:
                seen.add(q.object.value)
                todo.append(q.object.value)
    return seen


# --------------------------------------------------------------------------- the real graph


# `sources` is the article graph (tests/conftest.py): pySHACL, the reference engine, is not run on
# the 400,000 triples of COW; the fast engine is, in tests/validate/test_graph.py.


def _unlinked_entities(sources) -> set[str]:
    q = """PREFIX igo: <https://w3id.org/igokg/ontology#>
        PREFIX owl: <http://www.w3.org/2002/07/owl#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT DISTINCT ?e WHERE {
          VALUES ?k { igo:Agent igo:Place }
          ?e a/rdfs:subClassOf* ?k .
          FILTER NOT EXISTS { ?e owl:sameAs ?item }
        }"""
    return {sol["e"].value for sol in sources.store.query(q, use_default_graph_as_union=True)}


def test_real_graph_conforms_with_both_engines_and_only_warns_about_unlinked_entities(sources):
    fast = run_shapes(compile_shapes(sources.shapes), sources.store)
    ref = run_pyshacl(to_rdflib(sources.store), to_rdflib(sources.shapes, dataset=False))
    assert agree(fast, ref) == (set(), set())
    assert [r for r in fast if r.severity != SH + "Warning"] == []
    assert {(r.shape, r.path) for r in fast} == {(f"<{IGOSH}wikidataLinkPresent>", "<http://www.w3.org/2002/07/owl#sameAs>")}
    warned = {r.focus[1:-1] for r in fast}
    unlinked = _unlinked_entities(sources)
    assert warned == unlinked
    assert len(unlinked) == 25  # the articles' 23, the publishers of the pinned sources (seeds/datasets.ttl)
    assert {NS["id"] + "correlates-of-war", NS["id"] + "cia"} <= unlinked


def test_validate_report_warns_exactly_the_unlinked_entities(sources):
    for engine in ("fast", "pyshacl"):
        report = validate_graph(sources, engine=engine)
        assert report.violation_count == 0, report.to_text()
        warned = {f.entity for f in report.findings if f.severity == "Warning"}
        assert warned == _unlinked_entities(sources)
        assert {f.rule for f in report.findings if f.severity == "Warning"} == {"igosh:wikidataLinkPresent"}
