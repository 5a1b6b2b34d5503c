"""Panel codes from status phases (igo:phase), at the precision of the source, as spans of years.

A membership known from a dataset (COW IGO v3) or a reference work has no igo:role: its
statuses over time are igo:MembershipPhase nodes with igo:status and a start and an end that
the source dates (igo:startDate, igo:endDate) or only bounds (igo:earliestStart /
igo:latestStart, igo:earliestEnd / igo:latestEnd). A phase codes:

- the years it certainly covers: from its start (or its latest start) to its end (or its
  earliest end). Years that only a bound covers (earliest start to latest start, earliest end
  to latest end) are not claimed: the source does not say the status held then. An open phase
  (earliest end at the end of the source's coverage, 2014 for COW) codes up to that year and
  no further: the end of coverage is neither an end nor a continuation.
- a phase without dates or bounds codes the years of its dated attestations (the Factbook's
  page of 2018), as an attested-only membership does.
- 0 after its end date when the source shows non-membership in the year after (the locator's
  igo:followingValue "0"): up to the year before the membership's next phase may begin, and
  not past the source's coverage (dct:temporal), the year the organization ended
  (igo:Dissolution), or into the year the state left the system (igo:leftSystem: it leaves
  during that year, which COW codes NA). This is the rule an
  end date gives an article's membership, bounded by what the dataset covers.

A phase ranked igo:DeprecatedRank codes nothing (its claim is kept in the graph, not used).
Spans are (first, last, code, origin, phase); `resolve` turns the spans of one (IGO, state)
pair into runs of one code, the strongest where spans overlap (1 over 2 over 3 over 0). Work
and memory grow with the phases, not with the years they cover.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from igokg.namespaces import IGO

#: Status -> code (the igo:Roles scheme, as COW codes it).
STATUS_CODES: dict[str, int] = {
    IGO + "Member": 1,
    IGO + "FoundingMember": 1,
    IGO + "AssociateMember": 2,
    IGO + "Observer": 3,
    IGO + "DialoguePartner": 0,
}

# Which claim gave a run its code; the agreement table counts cells by it.
ORIGIN_PHASE = "phase"  # a year inside a phase
ORIGIN_AFTER = "after-phase"  # 0 after a phase's end date
ORIGIN_ROLE = "role"  # an article's membership with igo:role (model.claims)
_STRENGTH = {1: 4, 2: 3, 3: 2, 0: 1}


@dataclass(frozen=True)
class PhaseAttestation:
    iri: str
    attested_at: str
    source: str
    source_file: str
    quote: str
    locator: str  # "igo_year_format3 ioname=CSTO column=uzbekistan 2002-2011: 1", or ""
    following: str  # the locator's igo:followingValue, or ""
    coverage_end: int | None  # the last year of the source's dct:temporal

    @property
    def year(self) -> int | None:
        m = re.match(r"^(\d{4})", self.attested_at or "")
        return int(m.group(1)) if m else None


@dataclass
class Phase:
    iri: str
    status: str
    start: int | None = None
    earliest_start: int | None = None
    latest_start: int | None = None
    end: int | None = None
    earliest_end: int | None = None
    latest_end: int | None = None
    start_text: str = ""  # as the graph writes it, for the evidence
    end_text: str = ""
    deprecated: bool = False
    attestations: list[PhaseAttestation] = field(default_factory=list)

    @property
    def code(self) -> int | None:
        return None if self.deprecated else STATUS_CODES.get(self.status)

    @property
    def first(self) -> int | None:
        """The first year the phase certainly holds."""
        return self.start if self.start is not None else self.latest_start

    @property
    def last(self) -> int | None:
        """The last year the phase certainly holds."""
        return self.end if self.end is not None else self.earliest_end

    @property
    def may_begin(self) -> int | None:
        """The first year the phase may hold (its start or its earliest start)."""
        for y in (self.start, self.earliest_start, self.latest_start):
            if y is not None:
                return y
        return None

    def years(self) -> set[int]:
        """Every year the phase names, for the panel's default span."""
        ys = {self.start, self.earliest_start, self.latest_start, self.end, self.earliest_end, self.latest_end}
        ys |= {a.year for a in self.attestations}
        return {y for y in ys if y is not None}


Span = tuple[int, int, int, str, "Phase | None"]  # first, last, code, origin, phase


def phase_spans(phases: list[Phase], left_system: list[int], dissolved: list[int]) -> list[Span]:
    """The spans of years the phases of one membership code (see the module's rules)."""
    out: list[Span] = []
    live = [p for p in phases if p.code is not None]
    for p in live:
        code = p.code
        first, last = p.first, p.last
        if first is not None and last is not None:
            out.append((first, last, code, ORIGIN_PHASE, p))
        else:
            for y in sorted({a.year for a in p.attestations if a.year is not None} | {y for y in (first, last) if y is not None}):
                out.append((y, y, code, ORIGIN_PHASE, p))
        if p.end is None or not any(a.following == "0" for a in p.attestations):
            continue
        stops = [y - 1 for y in (q.may_begin for q in phases) if y is not None and y > p.end]
        stops += [a.coverage_end for a in p.attestations if a.coverage_end is not None]
        stops += [y - 1 for y in left_system if y > p.end]  # the state leaves during that year
        stops += [y for y in dissolved if y > p.end]
        stop = min(stops) if stops else p.end + 1  # nothing bounds it: the one year the cell shows
        if stop > p.end:
            out.append((p.end + 1, stop, 0, ORIGIN_AFTER, p))
    return out


def resolve(spans: list[Span], lo: int, hi: int) -> list[tuple[int, int, int, str]]:
    """Runs (first, last, code, origin) of one pair inside lo..hi, the strongest code where
    spans overlap (the first span given wins a tie); sorted, adjacent runs of one code and
    origin merged. A sweep over the spans' edges: no loop over years."""
    clipped = [(max(a, lo), min(b, hi), c, o) for a, b, c, o, _ in spans if a <= hi and b >= lo and a <= b]
    if not clipped:
        return []
    edges = sorted({a for a, _, _, _ in clipped} | {b + 1 for _, b, _, _ in clipped})
    runs: list[tuple[int, int, int, str]] = []
    for a, nxt in zip(edges, edges[1:]):
        best = None
        for s, e, c, o in clipped:
            if s <= a <= e and (best is None or _STRENGTH[c] > _STRENGTH[best[0]]):
                best = (c, o)
        if best is None:
            continue
        if runs and runs[-1][1] == a - 1 and runs[-1][2:] == best:
            runs[-1] = (runs[-1][0], nxt - 1, *best)
        else:
            runs.append((a, nxt - 1, *best))
    return runs
