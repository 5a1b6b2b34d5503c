"""One page per entity: its facts in plain words, each with its source and quote; its data files."""

from __future__ import annotations

import pyoxigraph as ox

from igokg.namespaces import (
    DCT,
    IGO,
    OWL_SAMEAS,
    RDF_TYPE,
    SKOS,
    WD,
    compact,
)
from igokg.publish.site.graph import (
    NO_ITEM_CLASSES,
    PREDICATE_ORDER,
    RDFS_LABEL,
    ROLE_RANK,
    ROLE_STYLE,
    SKOS_ALT,
    SKOS_DEF,
    SKOS_NOTE,
    SKOS_PREF,
    SPECIAL_PREDICATES,
    Graph,
    _parent,
    _slug,
)
from igokg.publish.site.links import (
    Links,
    Relations,
    _attestations,
    _membership_sentence,
)

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
    targets = sorted({*g.owned.get(iri, ()), iri})
    for target in targets:
        for s, p in g.inc.get(target, []):
            owner = _parent(s)
            if owner == iri or owner not in links.entities:
                continue
            via = p if s == owner else p
            seen[(owner, via)] = {"entity": links.term(ox.NamedNode(owner)), "predicate": _predicate(links, via),
                                  "inline": s != owner}
    return [seen[k] for k in sorted(seen, key=lambda k: (g.label(k[0]), k[0], k[1]))]


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


def _entity_page(g: Graph, links: Links, iri: str, rel: Relations) -> dict:
    types = g.types(iri)
    sentences = []
    mine = rel.by_member.get(iri, [])
    if iri in rel.by_iri:  # a membership's own page
        mine = sorted([*mine, rel.by_iri[iri]], key=lambda m: m.iri)
    for m in mine:
        sentences.append({"parts": _membership_sentence(g, links, m),
                          "href": links.entity(m.iri) if m.iri != iri else None,
                          "attestations": m.attestations})
    for h in rel.holdings.get(iri, ()):
        holder, post = g.first(h, IGO + "holder"), g.first(h, IGO + "post")
        start, end = g.first(h, IGO + "startDate"), g.first(h, IGO + "endDate")
        span = (f", from {start}" if start else "") + (f" to {end}" if end else "")
        sentences.append({"parts": [links.term(ox.NamedNode(holder)), " held the post ",
                                    links.term(ox.NamedNode(post)), span],
                          "href": links.entity(h) if h != iri else None,
                          "attestations": _attestations(g, links, h)})
    for p in rel.partnerships.get(iri, ()):
        partners = sorted(g.iris(p, IGO + "partner"), key=g.label)
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

    if any(g.is_subclass(t, IGO + "Event") for t in types):
        sentences.insert(0, _event_sentence(g, links, iri))

    members = []
    if IGO + "IntergovernmentalOrganization" in types or iri in rel.by_org:
        for m in sorted(rel.by_org.get(iri, ()),
                        key=lambda m: (ROLE_RANK[m.role],
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
