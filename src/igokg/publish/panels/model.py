"""Membership panels in the Correlates of War (COW) IGO layout: codes, cell rules and tables.

The cell rules follow the graph's time model (ontology/igo.ttl): an igo:Membership has a
role, an igo:startDate / igo:endDate only where a source dates them, and attestations that
say when a source listed it as current (igo:attestedAt). A panel never fills a gap the
sources leave: a year without evidence is -9 (missing), never 0. docs/panels.md states the
rules for people; `CELL_RULES` states them in every data dictionary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from igokg.namespaces import BASE, IGO

#: COW code for a year on which the graph holds no evidence.
MISSING = -9

#: The COW IGO codes the panels use, with what each means here.
CODES: dict[int, tuple[str, str]] = {
    1: ("full member", "Full membership: the state holds the role igo:Member (igo:FoundingMember implies it), "
        "or a phase of its membership has the status igo:Member."),
    2: ("associate member", "Associate membership: a phase of the state's membership has the status "
        "igo:AssociateMember (COW's code 2)."),
    3: ("observer", "Observer: the state holds the role igo:Observer, or a phase has the status igo:Observer."),
    0: (
        "no membership",
        "The graph positively says the state was not a member, associate or observer that year: "
        "the year lies after the end date (igo:endDate) of its membership or of a phase the source "
        "shows followed by non-membership, or the state held only the role or status "
        "igo:DialoguePartner (a status below observer, for which COW has no code).",
    ),
    MISSING: (
        "missing",
        "No evidence: no membership of the state in the IGO covers the year. Not a statement of "
        "non-membership.",
    ),
}

#: Role -> code. Memberships with a role outside this table are not coded.
ROLE_CODES: dict[str, int] = {
    IGO + "Member": 1,
    IGO + "FoundingMember": 1,
    IGO + "Observer": 3,
    IGO + "DialoguePartner": 0,
}

# When several memberships of one state in one IGO cover a year, the strongest code wins.
_STRENGTH = {1: 4, 2: 3, 3: 2, 0: 1, MISSING: 0}

#: The cell rules, as they stand in every data dictionary (rdfs:comment).
CELL_RULES: tuple[str, ...] = (
    "A cell (IGO, state, year) is coded from the igo:Membership nodes with igo:member the state "
    "and igo:organization the IGO. Dates are compared by their year (the first four characters of "
    "the xsd:date, xsd:gYearMonth or xsd:gYear), so a membership that starts or ends in a month "
    "or on a day covers that whole year.",
    "A membership with igo:startDate S and igo:endDate E covers the years S to E.",
    "A membership with igo:startDate S and no igo:endDate covers the years from S up to the "
    "latest year in which one of its attestations dates it (igo:attestedAt), or S alone if none "
    "is later: between the start and that attestation it held, since no source says it broke "
    "off; after it no source says it still held, so later years are -9, not 1.",
    "A membership with igo:endDate E and no igo:startDate covers the year E and the years of its "
    "dated attestations; earlier years without an attestation are -9, because the graph does not "
    "say when it began.",
    "A membership known only from attestations (igo:attestation with igo:attestedAt, no start "
    "and no end) covers the years of those dates and no other year.",
    "Years after the igo:endDate of a membership, up to the evidence horizon, are coded 0 (no "
    "membership) unless another membership covers them. Years before a start date are not 0 but -9: a state that joins has "
    "often held another status before (Belarus was an SCO dialogue partner from 2010 and an "
    "observer from 2015 before it joined in 2024, seeds/reference/facts.md), which the graph need "
    "not record.",
    "A covered year takes the code of the membership's role: igo:Member or igo:FoundingMember 1, "
    "igo:Observer 3, igo:DialoguePartner 0. If several memberships, roles or phases cover a year, "
    "the strongest code wins: 1 over 2 over 3 over 0.",
    "A membership with status phases (igo:phase: COW IGO v3, the World Factbook) is coded from "
    "them, year by year: a phase codes the years it certainly covers, from its igo:startDate (or "
    "igo:latestStart) to its igo:endDate (or igo:earliestEnd), with its igo:status (igo:Member 1, "
    "igo:AssociateMember 2, igo:Observer 3, igo:DialoguePartner 0). A year only a bound covers "
    "(igo:earliestStart to igo:latestStart, igo:earliestEnd to igo:latestEnd) is not claimed. A "
    "phase open at the end of its source's coverage (COW: 2014) codes up to that year and no "
    "further: the end of coverage is neither an end nor a continuation. A phase without dates or "
    "bounds codes the years of its dated attestations. A phase ranked igo:DeprecatedRank codes nothing.",
    "After a phase's igo:endDate whose record locator shows non-membership in the next year "
    "(igo:followingValue 0), the years are 0 up to the year before the membership's next phase may "
    "begin, and not past the source's coverage (dct:temporal), the organization's dissolution, "
    "or into the year the state left the system (igo:leftSystem).",
    "A year that no membership covers is -9 (missing), never 0.",
    "Every coded cell (any code but -9) has at least one row in panels/evidence.csv (a cell coded "
    "from a role: the membership, the attestation, its source document, the seed file and the "
    "verbatim quote) or lies in a span of panels/phase_evidence.csv (a cell coded from a phase: the "
    "phase, its attestation and its record locator or quote).",
)

#: The files `write_panel_files` writes under `<out>/panels/`, in order.
PANEL_FILES = ("igo_year.csv", "state_year.csv", "dyad_year.csv", "evidence.csv", "phase_evidence.csv")
#: Written beside them when the graph holds COW IGO v3 (the panel against COW's own cells).
AGREEMENT_FILE = "cow_agreement.csv"

_CSVW = "http://www.w3.org/ns/csvw"
_DATASET = BASE + "dataset"
_SCHEME = "#cow-codes"
_LICENSE = "https://creativecommons.org/licenses/by/4.0/"
_DOCS = "docs/panels.md"


# --------------------------------------------------------------------------- model


@dataclass(frozen=True, order=True)
class Entity:
    """A state or an IGO as it names a row or a column."""

    slug: str
    iri: str
    qid: str = ""  # from owl:sameAs wd:Q…, which the graph carries only when verified
    label: str = ""

    @property
    def column(self) -> str:
        """The stable column name: `russia_Q159`, or the bare slug without a QID."""
        return f"{self.slug}_{self.qid}" if self.qid else self.slug


@dataclass(frozen=True, order=True)
class Evidence:
    """One reason for one coded cell: a membership and one of its attestations."""

    igo: str
    state: str
    year: int
    code: int
    basis: str  # period | attested | end | after-end
    membership: str
    role: str
    start_date: str
    end_date: str
    attestation: str
    attested_at: str
    source: str
    source_file: str
    quote: str


@dataclass(frozen=True)
class _Attestation:
    iri: str
    attested_at: str
    source: str
    source_file: str
    quote: str

    @property
    def year(self) -> int | None:
        return _year(self.attested_at)


@dataclass
class _Membership:
    iri: str
    state: str
    igo: str
    roles: set[str] = field(default_factory=set)
    start: str = ""
    end: str = ""
    attestations: list[_Attestation] = field(default_factory=list)
    phases: list = field(default_factory=list)  # phases.Phase: statuses over time (COW, the Factbook)

    @property
    def code(self) -> int | None:
        codes = [ROLE_CODES[r] for r in self.roles if r in ROLE_CODES]
        return max(codes, key=_STRENGTH.__getitem__) if codes else None

    @property
    def role(self) -> str:
        """The role that decides the code, compacted (igo:Member before igo:FoundingMember)."""
        code = self.code
        for iri in ROLE_CODES:
            if iri in self.roles and ROLE_CODES[iri] == code:
                return "igo:" + iri[len(IGO):]
        return ""

    def evidence_years(self) -> set[int]:
        years = {_year(self.start), _year(self.end)} | {a.year for a in self.attestations}
        for p in self.phases:
            years |= p.years()
        return {y for y in years if y is not None}


def _year(value: str) -> int | None:
    m = re.match(r"^(\d{4})", value or "")
    return int(m.group(1)) if m else None


def coverage(m: _Membership) -> tuple[dict[int, str], int | None]:
    """Years the membership covers, each with its basis; and the year from which it is over."""
    start, end = _year(m.start), _year(m.end)
    attested = {a.year for a in m.attestations if a.year is not None}
    years: dict[int, str] = {}
    if start is not None:
        # Without an end, the period runs to the last year a source attests the membership in:
        # between a start and a later attestation it held (no source says it broke off), after
        # the last attestation no source says it still did (India in the SCO: started 2017,
        # attested 2018 and 2020, so 2021 and 2022 are missing, not member).
        last = end if end is not None else max([start, *attested])
        for y in range(start, last + 1):
            years[y] = "period"
    elif end is not None:
        years[end] = "end"
    for y in attested:
        years.setdefault(y, "attested")
    return years, (end + 1 if end is not None else None)


def claims(memberships: list[_Membership], lo: int, hi: int, horizon: int | None) -> dict[int, list[tuple[int, str, _Membership]]]:
    """Year -> (code, basis, membership) for the memberships of one state in one IGO (the cell rules)."""
    out: dict[int, list[tuple[int, str, _Membership]]] = {}
    until = horizon if horizon is not None else hi
    for m in memberships:
        code = m.code
        if code is None:
            continue
        covered, over_from = coverage(m)
        for y, basis in covered.items():
            if lo <= y <= hi:
                out.setdefault(y, []).append((code, basis, m))
        if over_from is not None:
            # Non-membership is known up to the horizon only: a state may rejoin later.
            for y in range(max(over_from, lo), min(hi, until) + 1):
                out.setdefault(y, []).append((0, "after-end", m))
    return out


def strongest(found: list[tuple[int, str, _Membership]]) -> int:
    return max((c for c, _, _ in found), key=_STRENGTH.__getitem__)
