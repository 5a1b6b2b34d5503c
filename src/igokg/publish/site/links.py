"""Values as the templates see them: links between pages, terms, attestations, memberships."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from igokg.namespaces import (
    IGO,
    ONTOLOGY,
    WD,
    XSD,
    compact,
)
from igokg.publish.site.graph import (
    ROLE_KEY,
    ROLE_WORDS,
    Graph,
    _parent,
    _slug,
)


class Links:
    """Relative links from a page at a given depth (0: top level, 1: id/)."""

    def __init__(self, g: Graph, root: str, entities: set[str]):
        self.g = g
        self.root = root
        self.entities = entities
        # IRI -> its template value: the same states, organizations, sources and classes are on
        # thousands of pages. Shared: a caller that changes one copies it first (`dict(v, ...)`).
        self._named: dict[str, dict] = {}

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
            found = self._named.get(iri)
            if found is None:
                href = self.entity(iri)
                if href:
                    found = {"kind": "link", "text": self.g.label(iri), "href": href, "iri": iri}
                else:
                    found = {"kind": "external", "text": self.g.label(iri) if iri.startswith(WD) else compact(iri).strip("<>"),
                             "href": iri, "iri": iri}
                self._named[iri] = found
            return found
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


def _phases(g: Graph, m: str) -> list[dict]:
    """The status phases of a membership known only by them (a dataset's), in time order: the
    status and the years as the phase gives them (a date, or bounds; open at the data's end)."""
    if g.iris(m, IGO + "role"):
        return []
    out = []
    for p in sorted(g.iris(m, IGO + "phase"), key=lambda p: (g.phase_first_year(p), p)):
        status = g.first(p, IGO + "status")
        if status not in ROLE_KEY:
            continue
        start, end = g.first(p, IGO + "startDate"), g.first(p, IGO + "endDate")
        latest_start, earliest_end = g.first(p, IGO + "latestStart"), g.first(p, IGO + "earliestEnd")
        since = f"from {start}" if start else (f"from {latest_start} at the latest" if latest_start else "")
        until = f"to {end}" if end else (f"to at least {earliest_end}" if earliest_end else "")
        out.append({"role": ROLE_KEY[status], "span": " ".join(x for x in (since, until) if x), "iri": p,
                    "start": start, "latest_start": latest_start, "earliest_start": g.first(p, IGO + "earliestStart"),
                    "end": end, "earliest_end": earliest_end, "latest_end": g.first(p, IGO + "latestEnd")})
    return out


@dataclass
class MembershipInfo:
    iri: str
    member: str
    org: str
    role: str  # the strongest role: founding, member, associate, observer, partner
    start: str | None
    end: str | None
    attested: list[str]  # attestation dates, sorted
    attestations: list[dict]
    phases: list[dict] = field(default_factory=list)  # a membership known only by its phases: each {role, span, dates…}


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
                role=g.membership_roles(s)[0],
                start=g.first(s, IGO + "startDate"),
                end=g.first(s, IGO + "endDate"),
                attested=sorted({a["date"] for a in atts if a["date"]}),
                attestations=atts,
                phases=_phases(g, s),
            )
        )
    return out


@dataclass
class Relations:
    """The relation nodes a page shows, indexed by every entity that shows them (built once:
    a page looks its relations up instead of scanning them all)."""

    memberships: list[MembershipInfo]
    by_member: dict[str, list[MembershipInfo]]
    by_org: dict[str, list[MembershipInfo]]
    by_iri: dict[str, MembershipInfo]
    by_pair: dict[tuple[str, str], list[MembershipInfo]]
    holdings: dict[str, list[str]]  # holder, post or the holding itself -> holdings, sorted
    partnerships: dict[str, list[str]]  # partner or the partnership itself -> partnerships, sorted


def _relations(g: Graph, memberships: list[MembershipInfo]) -> Relations:
    def add(index: dict[str, list], key: str, value) -> None:
        lst = index.setdefault(key, [])
        if not lst or lst[-1] is not value:
            lst.append(value)

    by_member: dict[str, list[MembershipInfo]] = {}
    by_org: dict[str, list[MembershipInfo]] = {}
    by_pair: dict[tuple[str, str], list[MembershipInfo]] = {}
    for m in memberships:
        by_member.setdefault(m.member, []).append(m)
        by_org.setdefault(m.org, []).append(m)
        by_pair.setdefault((m.member, m.org), []).append(m)
    holdings: dict[str, list[str]] = {}
    for h in g.instances(IGO + "PostHolding"):
        holder, post = g.first(h, IGO + "holder"), g.first(h, IGO + "post")
        if holder and post:
            for key in (holder, post, h):
                add(holdings, key, h)
    partnerships: dict[str, list[str]] = {}
    for p in g.instances(IGO + "Partnership"):
        for key in sorted(g.iris(p, IGO + "partner")) + [p]:
            add(partnerships, key, p)
    return Relations(memberships, by_member, by_org, {m.iri: m for m in memberships}, by_pair, holdings, partnerships)


def _membership_sentence(g: Graph, links: Links, m: MembershipInfo) -> list:
    """'Armenia is a member of the CSTO, since 2001' as parts: text, and links to the entities."""
    org = dict(links.term(ox.NamedNode(m.org)), text=g.short(m.org))
    if m.phases:  # "Ukraine in the CIS: a member from 1991 to 1992; an associate member from 1993 to at least 2014"
        said = "; ".join(f"{ROLE_WORDS[p['role']]} {p['span']}".rstrip() for p in m.phases)
        return [links.term(ox.NamedNode(m.member)), " in the ", org, f": {said}"]
    parts: list = [links.term(ox.NamedNode(m.member)), f" is {ROLE_WORDS[m.role]} of the ", org]
    if m.start and m.end:
        parts.append(f", from {m.start} to {m.end}")
    elif m.start:
        parts.append(f", since {m.start}")
    elif m.end:
        parts.append(f", until {m.end}")
    return parts
