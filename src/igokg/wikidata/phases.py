"""Our memberships known by their status phases (COW IGO v3, the Factbook), as Wikidata sees them.

Stage: wikidata (a consumer). Input: the loaded graph. Output: for every membership without
igo:role, its phases (`OurPhase`: status, start and end at the source's precision, the
attestations that state them) and what the membership says as a whole (`summarize`).

Precision: a phase's igo:startDate / igo:endDate is a year (xsd:gYear: Wikidata precision 9);
a start the source only bounds (igo:earliestStart / igo:latestStart) is no start time (P580),
and an end it only bounds, or a phase open at the end of the source's coverage (COW: "through
at least 2014"), gives no end time (P582). A deprecated phase (igo:rank igo:DeprecatedRank) is
not used. A record locator states the years it names: its igo:firstYear is the start a phase
dates, its igo:lastYear the end (the cells before and after show the change).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from igokg.namespaces import IGO
from igokg.sources import Sources
from igokg.wikidata.dates import WDate
from igokg.wikidata.ours import _OUR_PREFIXES, _rows

__all__ = ["OurPhase", "phases_of", "summarize", "STATUS_STANDING"]

#: igo:status -> the standing the diff compares ("associate member" is not membership: P463
#: with a role, which needs a verified QID for the role).
STATUS_STANDING = {
    IGO + "Member": "member",
    IGO + "FoundingMember": "member",
    IGO + "AssociateMember": "associate member",
    IGO + "Observer": "observer",
    IGO + "DialoguePartner": "dialogue partner",
}


@dataclass
class OurPhase:
    iri: str
    standing: str
    first: int  # the first year it may hold, for order
    start: WDate | None
    end: WDate | None
    attestations: list[str] = field(default_factory=list)


def phases_of(sources: Sources) -> dict[str, list[OurPhase]]:
    """Membership IRI -> its phases in time order, for memberships without igo:role."""
    rows = _rows(sources, _OUR_PREFIXES + """
SELECT ?m ?p ?status ?start ?es ?ls ?end ?att WHERE {
  ?m a igo:Membership ; igo:phase ?p . FILTER NOT EXISTS { ?m igo:role ?r }
  ?p igo:status ?status .
  FILTER NOT EXISTS { ?p igo:rank igo:DeprecatedRank }
  OPTIONAL { ?p igo:startDate ?start } OPTIONAL { ?p igo:earliestStart ?es } OPTIONAL { ?p igo:latestStart ?ls }
  OPTIONAL { ?p igo:endDate ?end }
  OPTIONAL { ?p igo:attestation ?att }
}""")
    found: dict[str, dict[str, OurPhase]] = defaultdict(dict)
    for r in rows:
        p = found[r["m"]].get(r["p"])
        if p is None:
            first = next((int(v[:4]) for v in (r["start"], r["es"], r["ls"]) if v), 0)
            p = found[r["m"]][r["p"]] = OurPhase(
                r["p"], STATUS_STANDING.get(r["status"], r["status"]), first,
                WDate.ours(r["start"]) if r["start"] else None, WDate.ours(r["end"]) if r["end"] else None)
        if r["att"] and r["att"] not in p.attestations:
            p.attestations.append(r["att"])
    out = {}
    for m, phases in found.items():
        for p in phases.values():
            p.attestations.sort()
        out[m] = sorted(phases.values(), key=lambda p: (p.first, p.iri))
    return out


def summarize(phases: list[OurPhase]) -> tuple[set[str], WDate | None, WDate | None, list[str], list[str]]:
    """What the phases say of the membership as one statement: standing, start, end, the
    attestations, and those that state the start or end (the only ones to cite them with).

    Membership (P463) is the member phases: the start of the first, when it is a date, and the
    end of the last, when it is one. Without a member phase, the standing is the latest phase's.
    """
    members = [p for p in phases if p.standing == "member"]
    if not members:
        latest = phases[-1]
        return {latest.standing}, None, None, list(latest.attestations), []
    first, last = members[0], members[-1]
    dated = sorted({*(first.attestations if first.start else []), *(last.attestations if last.end else [])})
    atts = sorted({a for p in members for a in p.attestations})
    return {"member"}, first.start, last.end, atts, dated
