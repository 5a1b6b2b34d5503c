"""Stage: publish (site). Write the browsable, static part of a release.

Input: the loaded `Sources` and the release folder `out`, which already holds the dumps, the
VoID description and the example queries' results when `igokg build` calls this writer.
Output, into `out`: `index.html`, `entities.html`, `ontology.html`, `queries.html`, one page and
two data files per entity (`id/<slug>.html|.ttl|.jsonld`), the pictures (`matrix.svg`,
`timeline-<org>.svg`) and `static/site.css`.

The pages link to each other by relative paths only, so the same files work from any static
host, from `file://` and behind `igokg serve`; the canonical IRIs are shown as text. Nothing
here reads the clock: identical sources give identical bytes.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import pyoxigraph as ox
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from igokg.formats import jsonld_document, turtle_text
from igokg.namespaces import (
    DCT,
    ID,
    IGO,
    ONTOLOGY,
    OWL,
    OWL_SAMEAS,
    RDF,
    RDF_TYPE,
    RDFS,
    SKOS,
    WD,
    XSD,
    compact,
)
from igokg.query import query_title, uses_service
from igokg.sources import Sources, fact_triples

__all__ = ["write_site", "SITE_PAGES"]

#: The top-level files this writer owns (besides id/, static/ and timeline-*.svg).
SITE_PAGES = ("index.html", "entities.html", "ontology.html", "queries.html", "matrix.svg")

RDFS_LABEL = RDFS + "label"
SKOS_PREF = SKOS + "prefLabel"
SKOS_ALT = SKOS + "altLabel"
SKOS_NOTE = SKOS + "note"
SKOS_DEF = SKOS + "definition"

# Roles, strongest first: a founding membership also carries igo:Member, and is drawn as founding.
ROLE_ORDER = (IGO + "FoundingMember", IGO + "Member", IGO + "Observer", IGO + "DialoguePartner")
ROLE_KEY = {
    IGO + "FoundingMember": "founding",
    IGO + "Member": "member",
    IGO + "Observer": "observer",
    IGO + "DialoguePartner": "partner",
}
ROLE_WORDS = {
    "founding": "a founding member",
    "member": "a member",
    "observer": "an observer",
    "partner": "a dialogue partner",
}
# Facts that are relations rather than things: they have no Wikidata item of their own.
NO_ITEM_CLASSES = {
    IGO + c
    for c in ("Attestation", "Membership", "Partnership", "PostHolding", "Signature", "Participation", "SourceDocument")
}
# Shown elsewhere on an entity page (header, notes, sources), not in the table of properties.
SPECIAL_PREDICATES = {RDF_TYPE, OWL_SAMEAS, SKOS_NOTE, IGO + "attestation"}
PREDICATE_ORDER = [RDFS_LABEL, SKOS_PREF, SKOS_ALT, DCT + "title", SKOS_DEF]

MEDIA_TYPES = {
    ".nt.gz": "application/n-triples (gzip)",
    ".nt": "application/n-triples",
    ".ttl": "text/turtle",
    ".jsonld": "application/ld+json",
    ".rdf": "application/rdf+xml",
    ".rq": "application/sparql-query",
    ".csv": "text/csv",
    ".srj": "application/sparql-results+json",
    "-metadata.json": "application/csvm+json",
    ".json": "application/json",
}
DOWNLOAD_NOTES = {
    "igokg.nt.gz": "the facts, sorted N-Triples (gzip)",
    "igokg.ttl": "the facts, Turtle",
    "igokg.jsonld": "the facts, JSON-LD",
    "context.jsonld": "JSON-LD context",
    "ontology.ttl": "the ontology, Turtle",
    "ontology.rdf": "the ontology, RDF/XML",
    "shapes.ttl": "SHACL shapes, Turtle",
    "shapes.rdf": "SHACL shapes, RDF/XML",
    "void.ttl": "VoID / DCAT description of the dataset",
    "SHA256SUMS": "checksums",
    "CHANGES": "changes between releases",
    "panels/": "membership panels for statistics (CSV on the Web)",
    "wikidata/": "differences between the graph and Wikidata",
}


# --------------------------------------------------------------------------------------------
# The graph, indexed for page building
# --------------------------------------------------------------------------------------------


def _key(term: object) -> str:
    """A sort key for RDF terms that is stable across runs (N-Triples form)."""
    return str(term)


@dataclass
class Graph:
    """Facts and ontology, indexed by subject and by object."""

    out: dict[str, list[tuple[str, object]]] = field(default_factory=dict)
    inc: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    facts: list[ox.Triple] = field(default_factory=list)
    onto: dict[object, list[tuple[str, object]]] = field(default_factory=dict)
    by_owner: dict[str, list[ox.Triple]] = field(default_factory=dict)  # entity -> its and its inline nodes' triples
    _types: dict[str, list[str]] = field(default_factory=dict)
    _instances: dict[str, list[str]] = field(default_factory=dict)

    def values(self, s: str, p: str) -> list[object]:
        return [o for pp, o in self.out.get(s, []) if pp == p]

    def iris(self, s: str, p: str) -> list[str]:
        return [o.value for o in self.values(s, p) if isinstance(o, ox.NamedNode)]

    def first(self, s: str, p: str) -> str | None:
        vals = self.values(s, p)
        return vals[0].value if vals else None

    def types(self, s: str) -> list[str]:
        if s not in self._types:
            self._types[s] = self.iris(s, RDF_TYPE)
        return self._types[s]

    def instances(self, cls: str) -> list[str]:
        """Subjects typed `cls` (asserted types), sorted."""
        if cls not in self._instances:
            self._instances[cls] = sorted(s for s in self.out if cls in self.types(s))
        return self._instances[cls]

    def onto_values(self, s: object, p: str) -> list[object]:
        return [o for pp, o in self.onto.get(s, []) if pp == p]

    def label(self, iri: str) -> str:
        for p in (RDFS_LABEL, SKOS_PREF, DCT + "title"):
            v = self.first(iri, p)
            if v:
                return v
        node = ox.NamedNode(iri)
        for p in (RDFS_LABEL, SKOS_PREF):
            vals = self.onto_values(node, p)
            if vals:
                return vals[0].value
        if iri.startswith(WD):
            return "wd:" + iri[len(WD):]
        derived = self._derived_label(iri)
        return derived or compact(iri).strip("<>")

    def _derived_label(self, iri: str) -> str | None:
        """Relation nodes have no rdfs:label; name them from their parts."""
        types = self.types(iri)
        if IGO + "Membership" in types:
            member, org = self.first(iri, IGO + "member"), self.first(iri, IGO + "organization")
            roles = [ROLE_KEY[r] for r in ROLE_ORDER if r in self.iris(iri, IGO + "role")] or ["member"]
            if member and org:
                return f"{self.label(member)}: {ROLE_STYLE[roles[0]]['label']} of the {self.short(org)}"
        if IGO + "PostHolding" in types:
            holder, post = self.first(iri, IGO + "holder"), self.first(iri, IGO + "post")
            if holder and post:
                return f"{self.label(holder)} as {self.label(post)}"
        if IGO + "Attestation" in types:
            source = self.first(iri, IGO + "source")
            date = self.first(iri, IGO + "attestedAt")
            if source:
                publisher = self.first(source, DCT + "publisher")
                by = self.label(publisher) if publisher else self.label(source)
                return f"Attestation by {by}" + (f", {date}" if date else "")
        if IGO + "Participation" in types:
            who = self.first(iri, IGO + "participant")
            if who:
                return f"Participation of {self.label(who)}"
        if IGO + "Signature" in types:
            who = self.first(iri, IGO + "signatory")
            if who:
                return f"Signature of {self.label(who)}"
        return None

    def short(self, iri: str) -> str:
        """An acronym where the data gives one (CSTO), else the label."""
        for v in sorted(self.values(iri, SKOS_ALT), key=_key):
            if re.fullmatch(r"[A-Z]{2,6}", v.value):
                return v.value
        return self.label(iri)


def _index(sources: Sources) -> Graph:
    g = Graph()
    g.facts = sorted(set(fact_triples(sources)), key=lambda t: (_key(t.subject), _key(t.predicate), _key(t.object)))
    for t in g.facts:
        s = t.subject.value
        g.out.setdefault(s, []).append((t.predicate.value, t.object))
        g.by_owner.setdefault(_parent(s), []).append(t)
        if isinstance(t.object, ox.NamedNode):
            g.inc.setdefault(t.object.value, []).append((s, t.predicate.value))
    for rel in sources.ontology_files:
        for q in sources.store.quads_for_pattern(None, None, None, sources.graph_of(rel)):
            g.onto.setdefault(q.subject, []).append((q.predicate.value, q.object))
    for lst in g.onto.values():
        lst.sort(key=lambda po: (po[0], _key(po[1])))
    return g


def _entity_iris(g: Graph) -> list[str]:
    return sorted(s for s in g.out if s.startswith(ID) and "#" not in s and g.types(s))


def _slug(iri: str) -> str:
    return iri[len(ID):]


def _parent(iri: str) -> str:
    return iri.split("#", 1)[0]


# --------------------------------------------------------------------------------------------
# Values as the templates see them
# --------------------------------------------------------------------------------------------


class Links:
    """Relative links from a page at a given depth (0: top level, 1: id/)."""

    def __init__(self, g: Graph, root: str, entities: set[str]):
        self.g = g
        self.root = root
        self.entities = entities

    def entity(self, iri: str) -> str | None:
        base = _parent(iri)
        if base in self.entities:
            frag = iri[len(base):]
            return f"{self.root}id/{_slug(base)}.html{frag}"
        if iri.startswith(IGO):
            return f"{self.root}ontology.html#{iri[len(IGO):]}"
        if iri == ONTOLOGY:
            return f"{self.root}ontology.html"
        return None

    def term(self, term: object) -> dict:
        """A template value: {kind, text, href?, iri?, datatype?}."""
        if isinstance(term, ox.NamedNode):
            iri = term.value
            href = self.entity(iri)
            if href:
                return {"kind": "link", "text": self.g.label(iri), "href": href, "iri": iri}
            return {"kind": "external", "text": self.g.label(iri) if iri.startswith(WD) else compact(iri).strip("<>"),
                    "href": iri, "iri": iri}
        if isinstance(term, ox.Literal):
            dt = term.datatype.value if term.datatype is not None else None
            note = ""
            if dt in (XSD + "date", XSD + "gYearMonth", XSD + "gYear"):
                note = {XSD + "date": "day", XSD + "gYearMonth": "month", XSD + "gYear": "year"}[dt]
            return {"kind": "literal", "text": term.value, "lang": term.language, "precision": note}
        return {"kind": "literal", "text": str(term), "lang": None, "precision": ""}


def _attestations(g: Graph, links: Links, node: str) -> list[dict]:
    out = []
    for att in g.iris(node, IGO + "attestation"):
        source = g.first(att, IGO + "source")
        out.append(
            {
                "iri": att,
                "href": links.entity(att) if "#" not in att else None,
                "date": g.first(att, IGO + "attestedAt"),
                "source": links.term(ox.NamedNode(source)) if source else None,
                "quote": g.first(att, IGO + "quote") or "",
            }
        )
    out.sort(key=lambda a: (a["date"] or "9999", a["source"]["text"] if a["source"] else "", a["quote"]))
    return out


def _roles(g: Graph, m: str) -> list[str]:
    return [ROLE_KEY[r] for r in ROLE_ORDER if r in g.iris(m, IGO + "role")] or ["member"]


@dataclass
class MembershipInfo:
    iri: str
    member: str
    org: str
    role: str  # the strongest role: founding, member, observer, partner
    start: str | None
    end: str | None
    attested: list[str]  # attestation dates, sorted
    attestations: list[dict]


def _memberships(g: Graph, links: Links) -> list[MembershipInfo]:
    out = []
    for s in g.instances(IGO + "Membership"):
        member, org = g.first(s, IGO + "member"), g.first(s, IGO + "organization")
        if not member or not org:
            continue
        atts = _attestations(g, links, s)
        out.append(
            MembershipInfo(
                iri=s,
                member=member,
                org=org,
                role=_roles(g, s)[0],
                start=g.first(s, IGO + "startDate"),
                end=g.first(s, IGO + "endDate"),
                attested=sorted({a["date"] for a in atts if a["date"]}),
                attestations=atts,
            )
        )
    return out


def _membership_sentence(g: Graph, links: Links, m: MembershipInfo) -> list:
    """'Armenia is a member of the CSTO, since 2001' as parts: text, and links to the entities."""
    org = dict(links.term(ox.NamedNode(m.org)), text=g.short(m.org))
    parts: list = [links.term(ox.NamedNode(m.member)), f" is {ROLE_WORDS[m.role]} of the ", org]
    if m.start and m.end:
        parts.append(f", from {m.start} to {m.end}")
    elif m.start:
        parts.append(f", since {m.start}")
    elif m.end:
        parts.append(f", until {m.end}")
    return parts


# --------------------------------------------------------------------------------------------
# Pictures
# --------------------------------------------------------------------------------------------


def _year_value(date: str, mid: bool = False) -> float:
    """A date at any precision as a fractional year: its start, or its middle with `mid`."""
    m = re.match(r"(-?\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", date)
    if not m:
        raise ValueError(f"not a date: {date!r}")
    y, mo, d = int(m.group(1)), m.group(2), m.group(3)
    if d:
        return y + (int(mo) - 1) / 12 + (int(d) - (0 if mid else 1)) / 365
    if mo:
        return y + (int(mo) - (0.5 if mid else 1)) / 12
    return y + (0.5 if mid else 0)


def _year_end(date: str) -> float:
    """The end of the period a date names (2017 ends at 2018.0)."""
    m = re.match(r"(-?\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", date)
    y, mo, d = int(m.group(1)), m.group(2), m.group(3)
    if d:
        return _year_value(date) + 1 / 365
    if mo:
        return y + int(mo) / 12
    return y + 1.0


ROLE_STYLE = {
    "founding": {"fill": "#1f3f73", "stroke": "#1f3f73", "label": "founding member"},
    "member": {"fill": "#4f83c2", "stroke": "#2b5d99", "label": "member"},
    "observer": {"fill": "#ffffff", "stroke": "#c2571a", "label": "observer"},
    "partner": {"fill": "#ffffff", "stroke": "#2f7d4f", "label": "dialogue partner"},
}


def _fmt(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".") if "." in f"{x:.1f}" else str(x)


def timeline_data(g: Graph, org: str, memberships: list[MembershipInfo], root: str, links: Links) -> dict:
    """Geometry of one organization's membership timeline (pure data; the template draws it)."""
    mine = [m for m in memberships if m.org == org]
    founding = sorted(
        {g.first(f, IGO + "date") for f, p in g.inc.get(org, []) if p == IGO + "founded"} - {None}
    )
    dates = [d for m in mine for d in ([m.start, m.end] + m.attested) if d] + founding
    first = min(int(_year_value(d)) for d in dates) if dates else 2000
    last = max(int(_year_end(d) + 0.999) for d in dates) if dates else 2001
    last = max(last, first + 1)
    span = last - first
    step = next(s for s in (1, 2, 5, 10, 20, 50) if span / s <= 12)

    label_w, plot_w, row_h, top = 170, 600, 26, 46
    rank = {"founding": 0, "member": 1, "observer": 2, "partner": 3}
    members = sorted({m.member for m in mine}, key=lambda s: (
        min(rank[m.role] for m in mine if m.member == s),
        min((m.start or "9999") for m in mine if m.member == s),
        g.label(s), s))

    def x(v: float) -> float:
        return label_w + (v - first) / span * plot_w

    rows = []
    for i, state in enumerate(members):
        y = top + i * row_h
        items = []
        for m in sorted((m for m in mine if m.member == state), key=lambda m: (m.start or "", m.iri)):
            style = ROLE_STYLE[m.role]
            what = f"{g.label(state)}: {style['label']} of the {g.short(org)}"
            bar = None
            if m.start:
                x0 = x(_year_value(m.start))
                known_to = max([_year_end(m.start)] + [_year_end(d) for d in m.attested if d >= m.start]
                               + ([_year_end(m.end)] if m.end else []))
                x1 = x(_year_value(m.end) if m.end else known_to)
                title = f"{what}, from {m.start}" + (f" to {m.end}" if m.end else "; no end date in the sources")
                bar = {
                    "x": _fmt(x0), "w": _fmt(max(x1 - x0, 2.0)), "start": m.start, "end": m.end or "",
                    "open_x1": _fmt(x(last)) if not m.end else None, "open_x0": _fmt(x1), "title": title,
                }
            marks = [
                {"cx": _fmt(x(_year_value(d, mid=True))), "date": d,
                 "title": f"{what}: attested {d} by " + "; ".join(
                     sorted({a["source"]["text"] for a in m.attestations if a["date"] == d and a["source"]}))}
                for d in m.attested
            ]
            items.append({"role": m.role, "style": style, "bar": bar, "marks": marks, "iri": m.iri})
        rows.append({
            "slug": _slug(state), "label": g.label(state), "y": y, "cy": y + row_h / 2,
            "href": f"{root}id/{_slug(state)}.html", "items": items,
        })
    plot_bottom = top + max(len(rows), 1) * row_h
    ticks = [{"x": _fmt(x(yr)), "year": yr, "label": yr % step == 0 or span <= 12} for yr in range(first, last + 1)]
    founded = [{"x": _fmt(x(_year_value(d))), "date": d} for d in founding]
    legend_y = plot_bottom + 40
    width = label_w + plot_w + 30
    return {
        "org": org, "org_label": g.label(org), "org_short": g.short(org), "org_slug": _slug(org),
        "org_href": f"{root}id/{_slug(org)}.html",
        "width": width, "height": legend_y + 60, "rows": rows, "ticks": ticks, "founded": founded,
        "top": top, "plot_left": label_w, "plot_right": _fmt(label_w + plot_w), "plot_bottom": plot_bottom,
        "row_h": row_h, "legend_y": legend_y, "styles": ROLE_STYLE, "first": first, "last": last,
    }


def matrix_data(g: Graph, memberships: list[MembershipInfo], root: str) -> dict:
    states = sorted({m.member for m in memberships if IGO + "State" in g.types(m.member)}, key=lambda s: (g.label(s), s))
    orgs = sorted({m.org for m in memberships}, key=lambda o: (g.short(o), o))
    rank = {"founding": 0, "member": 1, "observer": 2, "partner": 3}
    label_w, col_w, row_h, top = 130, 70, 24, 50
    cells = []
    for i, s in enumerate(states):
        for j, o in enumerate(orgs):
            ms = [m for m in memberships if m.member == s and m.org == o]
            if not ms:
                continue
            role = min((m.role for m in ms), key=lambda r: rank[r])
            start = min((m.start for m in ms if m.start), default=None)
            cells.append({
                "state": _slug(s), "org": _slug(o), "role": role, "style": ROLE_STYLE[role],
                "cx": label_w + j * col_w + col_w / 2, "cy": top + i * row_h + row_h / 2,
                "title": f"{g.label(s)}: {ROLE_STYLE[role]['label']} of the {g.short(o)}"
                         + (f", since {start}" if start else ", attested " + ", ".join(sorted({d for m in ms for d in m.attested})) if any(m.attested for m in ms) else ""),
            })
    bottom = top + len(states) * row_h
    return {
        "rows": [{"slug": _slug(s), "label": g.label(s), "y": top + i * row_h, "cy": top + i * row_h + row_h / 2,
                  "href": f"{root}id/{_slug(s)}.html"} for i, s in enumerate(states)],
        "cols": [{"slug": _slug(o), "label": g.short(o), "x": label_w + j * col_w, "cx": label_w + j * col_w + col_w / 2,
                  "href": f"{root}id/{_slug(o)}.html"} for j, o in enumerate(orgs)],
        "cells": cells, "top": top, "bottom": bottom, "label_w": label_w, "col_w": col_w, "row_h": row_h,
        "width": label_w + len(orgs) * col_w + 190, "height": max(bottom + 20, top + 130),
        "legend_x": label_w + len(orgs) * col_w + 24, "styles": ROLE_STYLE,
    }


# --------------------------------------------------------------------------------------------
# Entity pages and data files
# --------------------------------------------------------------------------------------------


PREDICATE_WORDS = {
    RDFS_LABEL: "label",
    SKOS_PREF: "label",
    SKOS_ALT: "also known as",
    SKOS_DEF: "definition",
    SKOS + "inScheme": "in scheme",
    DCT + "title": "title",
    DCT + "publisher": "publisher",
    DCT + "contributor": "contributor",
    DCT + "issued": "issued",
    DCT + "language": "language",
    RDF_TYPE: "type",
}


def _predicate(links: Links, p: str) -> dict:
    """igo: predicates link to their documentation; reused vocabularies are named in words."""
    if p.startswith(IGO):
        return links.term(ox.NamedNode(p))
    return {"kind": "literal", "text": PREDICATE_WORDS.get(p, compact(p)), "lang": None, "precision": ""}


def _is_child(node: str, iri: str) -> bool:
    """Skolemized nodes are named `<parent>#<pred>-<hash>`, and below those `<...>.<pred>-<hash>`."""
    return iri.startswith(node + ("." if "#" in node else "#"))


def _node_rows(g: Graph, links: Links, node: str, depth: int = 0) -> list[dict]:
    """The properties of a node for the table: predicate, values (children inline)."""
    rows: dict[str, list[dict]] = {}
    for p, o in g.out.get(node, []):
        if p in SPECIAL_PREDICATES:
            continue
        if isinstance(o, ox.NamedNode) and _is_child(node, o.value):
            value = {"kind": "child", "iri": o.value, "anchor": o.value.split("#", 1)[1],
                     "types": [links.term(ox.NamedNode(t)) for t in g.types(o.value)],
                     "rows": _node_rows(g, links, o.value, depth + 1),
                     "attestations": _attestations(g, links, o.value),
                     "notes": [v.value for v in g.values(o.value, SKOS_NOTE)]}
        else:
            value = links.term(o)
        rows.setdefault(p, []).append(value)
    order = {p: i for i, p in enumerate(PREDICATE_ORDER)}
    return [
        {"predicate": _predicate(links, p), "values": vals}
        for p, vals in sorted(rows.items(), key=lambda kv: (order.get(kv[0], 99), g.label(kv[0]), kv[0]))
    ]


def _related(g: Graph, links: Links, iri: str) -> list[dict]:
    """Entities that point at this one (directly or through their inline nodes)."""
    seen: dict[tuple[str, str], dict] = {}
    targets = sorted({t.subject.value for t in g.by_owner.get(iri, [])} | {iri})
    for target in targets:
        for s, p in g.inc.get(target, []):
            owner = _parent(s)
            if owner == iri or owner not in links.entities:
                continue
            via = p if s == owner else p
            seen[(owner, via)] = {"entity": links.term(ox.NamedNode(owner)), "predicate": _predicate(links, via),
                                  "inline": s != owner}
    return [seen[k] for k in sorted(seen, key=lambda k: (g.label(k[0]), k[0], k[1]))]


def _entity_triples(g: Graph, iri: str) -> list[ox.Triple]:
    return g.by_owner.get(iri, [])


def _write_data_files(g: Graph, iri: str, folder: Path) -> None:
    """The entity's triples and its inline nodes', in the release's own Turtle and JSON-LD style."""
    triples = _entity_triples(g, iri)
    slug = _slug(iri)
    (folder / f"{slug}.ttl").write_text(turtle_text(triples), encoding="utf-8")
    (folder / f"{slug}.jsonld").write_text(
        json.dumps(jsonld_document(triples), indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def _subclass_of(g: Graph, cls: str, ancestor: str) -> bool:
    seen, todo = set(), [ox.NamedNode(cls)]
    while todo:
        c = todo.pop()
        if c.value == ancestor:
            return True
        if c in seen:
            continue
        seen.add(c)
        todo += [o for o in g.onto_values(c, RDFS + "subClassOf") if isinstance(o, ox.NamedNode)]
    return False


def _event_sentence(g: Graph, links: Links, iri: str) -> dict:
    """'<event> took place on 2018-06-09 in Qingdao, organized by …, on the margins of …'."""
    parts: list = [g.label(iri)]
    date, start, end = (g.first(iri, IGO + p) for p in ("date", "startDate", "endDate"))
    if date:
        parts.append(f" took place on {date}" if len(date) == 10 else f" took place in {date}")
    elif start:
        parts.append(f" took place from {start}" + (f" to {end}" if end else ""))
    else:
        parts.append(" took place (the sources give no date)")
    for pred, words in (("location", " in "), ("organizer", ", organized by "), ("chair", ", chaired by "),
                        ("parentEvent", ", on the margins of ")):
        vals = sorted(g.iris(iri, IGO + pred), key=lambda v: (g.label(v), v))
        for i, v in enumerate(vals):
            parts += [words if i == 0 else " and ", links.term(ox.NamedNode(v))]
    return {"parts": parts, "href": None, "attestations": []}  # listed under Sources


def _cited_by_source(g: Graph, links: Links, source: str) -> list[dict]:
    """Every quote taken from a source document, with the facts it supports."""
    out = []
    for att, p in g.inc.get(source, []):
        if p != IGO + "source":
            continue
        facts = sorted({_parent(s) for s, pp in g.inc.get(att, []) if pp == IGO + "attestation"},
                       key=lambda e: (g.label(e), e))
        out.append({"quote": g.first(att, IGO + "quote") or "", "date": g.first(att, IGO + "attestedAt"),
                    "facts": [links.term(ox.NamedNode(f)) for f in facts if f in links.entities],
                    "href": links.entity(att) if "#" not in att else None})
    out.sort(key=lambda c: (c["date"] or "9999", c["quote"]))
    return out


def _entity_page(g: Graph, links: Links, iri: str, memberships: list[MembershipInfo]) -> dict:
    types = g.types(iri)
    sentences = []
    for m in memberships:
        if iri in (m.member, m.iri):
            sentences.append({"parts": _membership_sentence(g, links, m),
                              "href": links.entity(m.iri) if m.iri != iri else None,
                              "attestations": m.attestations})
    for h in g.instances(IGO + "PostHolding"):
        holder, post = g.first(h, IGO + "holder"), g.first(h, IGO + "post")
        if iri in (holder, post, h) and holder and post:
            start, end = g.first(h, IGO + "startDate"), g.first(h, IGO + "endDate")
            span = (f", from {start}" if start else "") + (f" to {end}" if end else "")
            sentences.append({"parts": [links.term(ox.NamedNode(holder)), " held the post ",
                                        links.term(ox.NamedNode(post)), span],
                              "href": links.entity(h) if h != iri else None,
                              "attestations": _attestations(g, links, h)})
    for p in g.instances(IGO + "Partnership"):
        partners = sorted(g.iris(p, IGO + "partner"), key=g.label)
        if iri in partners or iri == p:
            start = g.first(p, IGO + "startDate")
            parts: list = ["The "]
            for i, x in enumerate(partners):
                parts += ([" and the "] if i else []) + [dict(links.term(ox.NamedNode(x)), text=g.short(x))]
            parts.append(" are partner organizations" + (f", since {start}" if start else ""))
            sentences.append({"parts": parts,
                              "href": links.entity(p) if p != iri else None,
                              "attestations": _attestations(g, links, p)})
    for s, pred in g.inc.get(iri, []):
        if pred == IGO + "participant" and IGO + "Participation" in g.types(s):
            event = _parent(s)
            capacity = g.first(s, IGO + "capacity")
            behalf = g.first(s, IGO + "onBehalfOf")
            parts = [g.label(iri) + " took part in “", links.term(ox.NamedNode(event)), "”"]
            if capacity:
                parts += [" as ", links.term(ox.NamedNode(capacity))]
            if behalf:
                parts += [", on behalf of the ", dict(links.term(ox.NamedNode(behalf)), text=g.short(behalf))]
            date = g.first(event, IGO + "date") or g.first(event, IGO + "startDate")
            if date:
                parts.append(f" ({date})")
            sentences.append({"parts": parts, "href": None, "attestations": _attestations(g, links, s)})

    if any(_subclass_of(g, t, IGO + "Event") for t in types):
        sentences.insert(0, _event_sentence(g, links, iri))

    members = []
    if IGO + "IntergovernmentalOrganization" in types or any(m.org == iri for m in memberships):
        for m in sorted((m for m in memberships if m.org == iri),
                        key=lambda m: ({"founding": 0, "member": 1, "observer": 2, "partner": 3}[m.role],
                                       g.label(m.member), m.iri)):
            members.append({"member": links.term(ox.NamedNode(m.member)), "role": ROLE_STYLE[m.role]["label"],
                            "start": m.start, "end": m.end, "href": links.entity(m.iri),
                            "attestations": m.attestations})
    same = sorted(g.iris(iri, OWL_SAMEAS))
    return {
        "cited": _cited_by_source(g, links, iri) if IGO + "SourceDocument" in types else [],
        "iri": iri,
        "slug": _slug(iri),
        "label": g.label(iri),
        "types": [links.term(ox.NamedNode(t)) for t in sorted(types)],
        "wikidata": [{"qid": w[len(WD):], "href": w} for w in same if w.startswith(WD)],
        "other_same": [links.term(ox.NamedNode(w)) for w in same if not w.startswith(WD)],
        "wants_item": not (set(types) & NO_ITEM_CLASSES),
        "sentences": sentences,
        "members": members,
        "rows": _node_rows(g, links, iri),
        "attestations": _attestations(g, links, iri),
        "notes": [v.value for v in g.values(iri, SKOS_NOTE)],
        "related": _related(g, links, iri),
    }


# --------------------------------------------------------------------------------------------
# Ontology documentation
# --------------------------------------------------------------------------------------------

ONTO_KINDS = [
    ("Classes", [OWL + "Class"]),
    ("Object properties", [OWL + "ObjectProperty"]),
    ("Datatype properties", [OWL + "DatatypeProperty"]),
    ("Annotation properties", [OWL + "AnnotationProperty"]),
    ("Datatypes", [RDFS + "Datatype"]),
    ("Concept schemes and concepts", [SKOS + "ConceptScheme", IGO + "Role"]),
]


def _onto_value(g: Graph, links: Links, term: object) -> dict:
    if isinstance(term, ox.BlankNode):
        union = g.onto_values(term, OWL + "unionOf")
        if union:
            items, node = [], union[0]
            while isinstance(node, (ox.BlankNode, ox.NamedNode)) and node != ox.NamedNode(RDF + "nil"):
                first = g.onto_values(node, RDF + "first")
                if not first:
                    break
                items.append(links.term(first[0]))
                rest = g.onto_values(node, RDF + "rest")
                node = rest[0] if rest else None
            return {"kind": "union", "items": items}
        return {"kind": "literal", "text": "(anonymous)", "lang": None, "precision": ""}
    return links.term(term)


def _ontology_terms(g: Graph, links: Links) -> tuple[dict, list[dict]]:
    subjects = sorted((s for s in g.onto if isinstance(s, ox.NamedNode) and s.value.startswith(IGO)), key=_key)
    uses: dict[str, int] = {}
    for t in g.facts:
        uses[t.predicate.value] = uses.get(t.predicate.value, 0) + 1
        if t.predicate.value == RDF_TYPE:
            uses[t.object.value] = uses.get(t.object.value, 0) + 1
    sections = []
    placed: set[str] = set()
    for title, kinds in ONTO_KINDS:
        terms = []
        for s in subjects:
            types = {t.value for t in g.onto_values(s, RDF_TYPE)}
            if s.value in placed or not (types & set(kinds)):
                continue
            placed.add(s.value)

            def vals(p: str) -> list[dict]:
                return [_onto_value(g, links, o) for o in g.onto_values(s, p)]

            local = s.value[len(IGO):]
            supers = vals(RDFS + "subClassOf") + vals(RDFS + "subPropertyOf")
            terms.append({
                "local": local,
                "iri": s.value,
                "label": g.label(s.value),
                "definition": " ".join(o.value for o in g.onto_values(s, SKOS_DEF)),
                "characteristics": sorted(compact(t).split(":", 1)[1] for t in types
                                          if t not in (OWL + "ObjectProperty", OWL + "DatatypeProperty",
                                                       OWL + "AnnotationProperty", OWL + "Class")),
                "internal_supers": [v for v in supers if v.get("iri", "").startswith(IGO)],
                "alignments": [v for v in supers if not v.get("iri", "").startswith(IGO)],
                "equivalent": vals(OWL + "equivalentClass") + vals(OWL + "equivalentProperty"),
                "domain": vals(RDFS + "domain"),
                "range": vals(RDFS + "range"),
                "wikidata": [{"id": o.value[len(WD):], "href": o.value}
                             for p in (IGO + "wikidataProperty", IGO + "wikidataClass")
                             for o in g.onto_values(s, p)],
                "broader": vals(SKOS + "broader"),
                "scheme": vals(SKOS + "inScheme"),
                "uses": uses.get(s.value, 0),
                "pages": sum(1 for e in g.instances(s.value) if e in links.entities),
                "is_class": OWL + "Class" in types,
                "subs": sorted(
                    ({"local": x.value[len(IGO):], "label": g.label(x.value)}
                     for x, pos in g.onto.items()
                     if isinstance(x, ox.NamedNode) and x.value.startswith(IGO)
                     and any(p in (RDFS + "subClassOf", RDFS + "subPropertyOf") and o == s for p, o in pos)),
                    key=lambda d: d["local"]),
            })
        sections.append({"title": title, "terms": terms})
    node = ox.NamedNode(ONTOLOGY)

    def first(p: str) -> str:
        v = g.onto_values(node, p)
        return v[0].value if v else ""

    header = {"iri": ONTOLOGY, "title": first(DCT + "title"), "description": first(DCT + "description"),
              "version": first(OWL + "versionInfo"), "version_iri": first(OWL + "versionIRI"),
              "license": first(DCT + "license")}
    return header, sections


# --------------------------------------------------------------------------------------------
# Example queries and downloads
# --------------------------------------------------------------------------------------------


def _queries(sources: Sources, out: Path, g: Graph, links: Links) -> list[dict]:
    folder = sources.project.sparql_dir
    result = []
    for path in sorted(folder.glob("*.rq")) if folder.is_dir() else []:
        text = path.read_text(encoding="utf-8")
        name = path.stem
        table = None
        csv_path = out / "queries" / f"{name}.csv"
        if csv_path.is_file():
            with csv_path.open(encoding="utf-8", newline="") as fh:
                rows = list(csv.reader(fh))
            if rows:
                table = {"header": rows[0], "rows": [[_cell(c, g, links) for c in r] for r in rows[1:]]}
        files = [f"queries/{name}{ext}" for ext in (".rq", ".csv", ".srj", ".nt") if (out / "queries" / f"{name}{ext}").is_file()]
        result.append({
            "name": name,
            "title": query_title(text) or name,
            "text": text,
            "federated": uses_service(text),
            "table": table,
            "files": files,
        })
    return result


def _cell(value: str, g: Graph, links: Links) -> dict:
    if value.startswith(ID) or value.startswith(IGO):
        href = links.entity(value)
        if href:
            return {"kind": "link", "text": g.label(value), "href": href, "iri": value}
    if re.match(r"https?://", value):
        return {"kind": "external", "text": value, "href": value, "iri": value}
    return {"kind": "literal", "text": value, "lang": None, "precision": ""}


def _media_type(name: str) -> str:
    for ext, mt in MEDIA_TYPES.items():
        if name.endswith(ext):
            return mt
    return "text/plain"


# Folders of a release that the pages link to on their own (or that are the site itself).
NOT_DOWNLOADS = {"id", "static", "queries"}


def _downloads(out: Path) -> list[dict]:
    """Every file of the release other writers put there (top level and their folders), hashed."""
    files = []
    paths = sorted(p for p in out.rglob("*") if p.is_file()) if out.is_dir() else []
    for p in paths:
        rel = p.relative_to(out).as_posix()
        top = rel.split("/", 1)[0]
        if top in NOT_DOWNLOADS or top in SITE_PAGES or ("/" not in rel and p.suffix in (".html", ".svg", ".css")):
            continue
        if top.startswith("."):
            continue
        data = p.read_bytes()
        files.append({"name": rel, "size": len(data), "sha256": hashlib.sha256(data).hexdigest(),
                      "media_type": _media_type(p.name), "note": DOWNLOAD_NOTES.get(rel) or DOWNLOAD_NOTES.get(top + "/", "")})
    files.sort(key=lambda f: ("/" in f["name"], f["name"]))
    return files


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("igokg", "templates"),
        autoescape=select_autoescape(["html", "svg", "xml"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["compact"] = compact
    env.filters["thousands"] = lambda n: f"{n:,}"
    return env


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))


def write_site(sources: Sources, out: Path) -> None:
    """Write the static site of a release into `out` (see the module docstring for the files)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    project = sources.project
    g = _index(sources)
    entities = _entity_iris(g)
    entity_set = set(entities)
    top = Links(g, "", entity_set)
    deep = Links(g, "../", entity_set)
    memberships = _memberships(g, top)
    deep_memberships = _memberships(g, deep)  # the same, with links from id/
    env = _environment()
    downloads = _downloads(out)  # before any page of ours is written

    common = {
        "version": project.version,
        "issued": project.issued,
        "base_iri": project.base_iri,
    }

    # Pictures: files at the top level, and the same drawings inline on the pages.
    orgs = sorted({m.org for m in memberships}, key=lambda o: (g.short(o), o))
    svg_timeline = env.get_template("site_timeline.svg")
    svg_matrix = env.get_template("site_matrix.svg")
    inline_timelines: dict[str, str] = {}
    for org in orgs:
        _write(out / f"timeline-{_slug(org)}.svg",
               svg_timeline.render(t=timeline_data(g, org, memberships, "", top), standalone=True))
        inline_timelines[org] = svg_timeline.render(t=timeline_data(g, org, memberships, "../", deep), standalone=False)
    _write(out / "matrix.svg", svg_matrix.render(m=matrix_data(g, memberships, ""), standalone=True))
    inline_matrix = svg_matrix.render(m=matrix_data(g, memberships, ""), standalone=False)

    # Entity pages and their data.
    id_dir = out / "id"
    id_dir.mkdir(parents=True, exist_ok=True)
    page = env.get_template("site_entity.html")
    for iri in entities:
        ctx = _entity_page(g, deep, iri, deep_memberships)
        _write(id_dir / f"{ctx['slug']}.html", page.render(
            root="../", e=ctx, timeline=inline_timelines.get(iri), timeline_file=(
                f"../timeline-{_slug(iri)}.svg" if iri in inline_timelines else None), **common))
        _write_data_files(g, iri, id_dir)

    # Index of entities, by class.
    by_class: dict[str, list[str]] = {}
    for iri in entities:
        for t in g.types(iri):
            by_class.setdefault(t, []).append(iri)
    classes = [
        {"class": top.term(ox.NamedNode(c)), "count": len(members),
         "entities": [top.term(ox.NamedNode(e)) for e in sorted(members, key=lambda e: (g.label(e), e))]}
        for c, members in sorted(by_class.items(), key=lambda kv: (g.label(kv[0]), kv[0]))
    ]
    _write(out / "entities.html", env.get_template("site_entities.html").render(root="", classes=classes, **common))

    # Landing page.
    sources_count = len(by_class.get(IGO + "SourceDocument", []))
    org_rows = [
        {"org": top.term(ox.NamedNode(o)), "short": g.short(o),
         "members": len({m.member for m in memberships if m.org == o and m.role in ("founding", "member")}),
         "observers": len({m.member for m in memberships if m.org == o and m.role in ("observer", "partner")}),
         "timeline": f"timeline-{_slug(o)}.svg"}
        for o in orgs
    ]
    other_orgs = [top.term(ox.NamedNode(o)) for o in sorted(by_class.get(IGO + "IntergovernmentalOrganization", []),
                                                          key=lambda o: (g.label(o), o)) if o not in orgs]
    year = (project.issued or "")[:4]
    _write(out / "index.html", env.get_template("site_index.html").render(
        root="", triples=len(g.facts), entity_count=len(entities), classes=classes,
        memberships=len(memberships), sources_count=sources_count, orgs=org_rows, other_orgs=other_orgs,
        downloads=downloads, matrix=inline_matrix, year=year, **common))

    # Ontology documentation.
    header, sections = _ontology_terms(g, top)
    _write(out / "ontology.html", env.get_template("site_ontology.html").render(
        root="", header=header, sections=sections,
        downloads=[d["name"] for d in downloads if d["name"].startswith("ontology.")], **common))

    # Example queries.
    _write(out / "queries.html", env.get_template("site_queries.html").render(
        root="", queries=_queries(sources, out, g, top), **common))

    # Style sheet.
    css = resources.files("igokg").joinpath("static/site.css").read_bytes()
    (out / "static").mkdir(exist_ok=True)
    (out / "static" / "site.css").write_bytes(css)
