"""The panels of one graph, and their tables as rows made one at a time.

A panel is mostly -9: COW's 534 IGOs x 217 states x 199 years are 23 million cells, of which
the graph codes the years its memberships cover. So the cells are kept per (IGO, state) pair
that has any, the tables are generated row by row from them (a row starts as all -9), and the
evidence rows are made per pair when they are written. Memory grows with the coded cells, not
with the tables; the dyad table is output-sensitive (see `dyad_year`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property

from igokg.namespaces import compact
from igokg.publish.panels.model import MISSING, Entity, Evidence, _Attestation, _Membership, claims
from igokg.publish.panels.phases import PhaseAttestation, Span

__all__ = ["Panels", "DYAD_HEADER", "EVIDENCE_HEADER", "PHASE_EVIDENCE_HEADER"]

DYAD_HEADER = [
    "state_a", "state_b", "year", "state_a_qid", "state_b_qid", "cow_ccode_a", "cow_ccode_b",
    "shared_count", "shared_igos", "undetermined_count",
]
EVIDENCE_HEADER = [
    "igo", "state", "year", "code", "basis", "membership", "role", "start_date", "end_date",
    "attestation", "attested_at", "source", "source_file", "quote",
]
PHASE_EVIDENCE_HEADER = [
    "igo", "state", "first_year", "last_year", "code", "basis", "membership", "phase", "status", "start_date",
    "end_date", "attestation", "attested_at", "source", "source_file", "locator", "quote",
]
_CSV_SPECIAL = set(',"\r\n')
_NO_ATTESTATION = _Attestation("", "", "", "", "")
_NO_PHASE_ATTESTATION = PhaseAttestation("", "", "", "", "", "", "", None)


@dataclass(frozen=True)
class Panels:
    """The COW panels of one graph over a span of years; `write_panel_files` writes them."""

    years: tuple[int, ...]
    igos: tuple[Entity, ...]  # sorted by slug: a column's index is its place here
    states: tuple[Entity, ...]
    horizon: int | None  # the latest year of any membership evidence in the graph
    # (IGO index, state index) -> the memberships of that state in that IGO (every pair that has one), and the codes
    # they give as runs (first year, last year, code, origin), sorted; -9 years left out.
    # Runs, not years: COW's memberships code 2.7 million cells in some 40,000 runs.
    memberships: dict[tuple[int, int], list[_Membership]] = field(repr=False)
    codes: dict[tuple[int, int], list[tuple[int, int, int, str]]] = field(repr=False)
    # (IGO index, state index) -> the spans its phases code (phases.phase_spans), for the evidence.
    spans: dict[tuple[int, int], list[Span]] = field(default_factory=dict, repr=False)

    # Lookups ---------------------------------------------------------------------------
    @cached_property
    def _igo_index(self) -> dict[str, int]:
        return {e.slug: n for n, e in enumerate(self.igos)}

    @cached_property
    def _state_index(self) -> dict[str, int]:
        return {e.slug: n for n, e in enumerate(self.states)}

    def code(self, igo: str, state: str, year: int) -> int:
        """The COW code of `state` in `igo` (slugs) in `year`."""
        i, s = self._igo_index.get(igo), self._state_index.get(state)
        for a, b, c, _ in self.codes.get((i, s), ()):
            if a <= year <= b:
                return c
        return MISSING

    def members(self, igo: str, year: int, code: int = 1) -> list[str]:
        """Slugs of the states holding `code` in `igo` in `year`, sorted."""
        return [s.slug for s in self.states if self.code(igo, s.slug, year) == code]

    @cached_property
    def cells(self) -> dict[tuple[str, str, int], int]:
        """(IGO slug, state slug, year) -> code, every coded cell (for small panels and tests)."""
        return {(self.igos[i].slug, self.states[s].slug, y): c
                for (i, s), runs in sorted(self.codes.items()) for a, b, c, _ in runs for y in range(a, b + 1)}

    def pairs(self) -> Iterator[tuple[tuple[int, int], list[tuple[int, int, int, str]]]]:
        """Every (IGO, state) pair with a membership, and its runs (none: its claims fall outside
        the span, or it codes nothing)."""
        for pair in sorted(self.memberships.keys() | self.codes.keys()):
            yield pair, self.codes.get(pair, [])

    @property
    def coded_cells(self) -> int:
        """How many cells have a code (not -9), counted from the runs."""
        return sum(b - a + 1 for runs in self.codes.values() for a, b, _, _ in runs)

    def _runs_by(self, axis: int) -> dict[int, list[tuple[int, list]]]:
        """Row entity (0: IGO, 1: state) -> [(column index, runs)]: the pairs of each row."""
        out: dict[int, list[tuple[int, list]]] = {}
        for pair, runs in sorted(self.codes.items()):
            out.setdefault(pair[axis], []).append((pair[1 - axis], runs))
        return out

    @cached_property
    def plain(self) -> bool:
        """Whether every slug and QID stands in a CSV cell as it is (no comma, quote or line
        break): then the grids and the dyads, whose other cells are numbers, are written by
        joining their cells (`write._write_csv`), three times faster than the csv module."""
        return not any(set(text) & _CSV_SPECIAL for e in (*self.igos, *self.states) for text in (e.slug, e.qid, e.column))

    # Tables: header + rows, every value a string as it stands in the CSV --------------
    def igo_year(self) -> tuple[list[str], Iterator[list[str]]]:
        header = ["igo", "igo_qid", "year"] + [s.column for s in self.states]
        return header, self._grid(self.igos, len(self.states), self._runs_by(0), lambda e: [e.slug, e.qid])

    def state_year(self) -> tuple[list[str], Iterator[list[str]]]:
        header = ["state", "state_qid", "cow_ccode", "year"] + [i.column for i in self.igos]
        return header, self._grid(self.states, len(self.igos), self._runs_by(1), lambda e: [e.slug, e.qid, ""])

    def _grid(self, rows_of, width, pairs, head) -> Iterator[list[str]]:
        # One entity's block of years at a time: memory is one block (years x columns).
        lo, hi = self.years[0], self.years[-1]
        missing = str(MISSING)
        for r, entity in enumerate(rows_of):
            first = head(entity)
            block = [[missing] * width for _ in self.years]
            for col, runs in pairs.get(r, ()):
                for a, b, c, _ in runs:
                    text = str(c)
                    for y in range(max(a, lo), min(b, hi) + 1):
                        block[y - lo][col] = text
            for y, row in zip(self.years, block):
                yield [*first, str(y), *row]

    def dyad_year(self) -> tuple[list[str], Iterator[list[str]]]:
        """Pairs of states (a < b by slug) per year in which they share at least one IGO as full
        members (code 1); a pair-year that shares none has no row.

        The rows are found from the IGOs' members (each pair-year is reached through an IGO it
        shares), so the work and the file grow with the joint memberships the graph shows, not
        with states x states x years x IGOs. `undetermined_count` counts the IGOs where one of
        the pair is a full member and the graph codes nothing for the other (-9): the pair may
        share them, the graph cannot tell. (Which IGOs they are is in `state_year`; listed on
        every row, they made the file grow with the memberships of the two states, not with
        what they share: ten times the size on data shaped like COW's.)
        """
        return DYAD_HEADER, self._dyads()

    def _dyads(self) -> Iterator[tuple[str, ...]]:
        full: dict[tuple[int, int], list[int]] = {}  # (state, year) -> IGOs where it is a full member
        members: dict[tuple[int, int], list[int]] = {}  # (IGO, year) -> its full members
        # (state, year) -> IGOs with any code, and those with code 1, as bits: what a pair shares is
        # one AND, the undetermined count one AND and a popcount per side.
        coded_bits: dict[tuple[int, int], int] = {}
        for (i, s), runs in sorted(self.codes.items()):
            bit = 1 << i
            for a, b, c, _ in runs:
                for y in range(a, b + 1):
                    coded_bits[s, y] = coded_bits.get((s, y), 0) | bit
                    if c == 1:
                        full.setdefault((s, y), []).append(i)
                        members.setdefault((i, y), []).append(s)
        full_bits = {k: sum(1 << i for i in v) for k, v in full.items()}
        slugs = [i.slug for i in self.igos]
        full_sets = {k: frozenset(v) for k, v in full.items()}
        # What a pair shares, as text, once per distinct set of IGOs (a pair's set changes seldom
        # from one year to the next): the intersection, sort and names in C, no Python loop.
        shared_text: dict[int, tuple[str, str]] = {}
        known = shared_text.get
        slug_of = slugs.__getitem__
        coded = coded_bits.get
        stride = self.years[-1] + 1  # an int key b * stride + y sorts as (b, y) and hashes faster
        states = self.states
        for a, ea in enumerate(states):
            keys: list[int] = []
            for y in self.years:
                mine = full.get((a, y))
                if not mine:
                    continue
                # The states that share an IGO with `a` this year: the union of the IGOs' members
                # (in C), so the work grows with the joint memberships, not with states x states.
                partners = set().union(*[members[i, y] for i in mine])
                keys += [b * stride + y for b in partners if b > a]
            keys.sort()
            head, qa = ea.slug, ea.qid
            for key in keys:
                b, y = divmod(key, stride)
                fa, fb = full_bits[a, y], full_bits[b, y]
                both = fa & fb
                text = known(both)
                if text is None:
                    text = shared_text[both] = (str(both.bit_count()),
                                                ";".join(map(slug_of, sorted(full_sets[a, y] & full_sets[b, y]))))
                eb = states[b]
                yield (head, eb.slug, str(y), qa, eb.qid, "", "", *text,
                       str((fa & ~coded((b, y), 0)).bit_count() + (fb & ~coded((a, y), 0)).bit_count()))

    # Evidence ------------------------------------------------------------------------------
    @property
    def evidence(self) -> "EvidenceRows":
        """Every reason for every coded cell, sorted; made when read (len() counts them)."""
        return EvidenceRows(self)

    def evidence_table(self) -> tuple[list[str], Iterator[tuple]]:
        # Tuples in Evidence's field order, sorted as tuples (in C), year and code made text.
        rows = ((*r[:2], str(r[2]), str(r[3]), *r[4:]) for i, s in sorted(self.memberships) for r in self._pair_evidence(i, s))
        return EVIDENCE_HEADER, rows

    def _pair_evidence(self, i: int, s: int) -> list[tuple]:
        """The evidence of one pair as tuples in `Evidence`'s field order, sorted."""
        igo, state = self.igos[i].slug, self.states[s].slug
        lo, hi = self.years[0], self.years[-1]
        rows = set()
        runs = self.codes.get((i, s), ())
        for year, found in claims(self.memberships[i, s], lo, hi, self.horizon).items():
            # The cell's code may come from a phase (stronger than the role): then the phase's
            # evidence (phase_evidence) traces it, not this.
            code = next((c for a, b, c, _ in runs if a <= year <= b), MISSING)
            for c, basis, m in found:
                if c != code:
                    continue
                # A year coded from an attestation rests on the attestations dated in it; a year
                # coded from a period rests on everything that attests the membership.
                atts = [a for a in m.attestations if basis != "attested" or a.year == year]
                for a in atts or [_NO_ATTESTATION]:
                    rows.add((igo, state, year, code, basis, m.iri, m.role, m.start, m.end,
                              a.iri, a.attested_at, a.source, a.source_file, a.quote))
        return sorted(rows)


    def phase_evidence_table(self) -> tuple[list[str], Iterator[list[str]]]:
        """Spans of years coded from phases, one row per span, phase and attestation, sorted."""
        return PHASE_EVIDENCE_HEADER, (r for i, s in sorted(self.spans) for r in self._pair_phase_evidence(i, s))

    def _pair_phase_evidence(self, i: int, s: int) -> list[list[str]]:
        igo, state = self.igos[i].slug, self.states[s].slug
        runs = self.codes.get((i, s), ())
        rows = set()
        for a, b, code, origin, phase in self.spans[i, s]:
            for ra, rb, rc, _ in runs:
                lo, hi = max(a, ra), min(b, rb)
                if lo > hi or rc != code:
                    continue  # a stronger code holds these years; its own evidence traces it
                for att in phase.attestations or [_NO_PHASE_ATTESTATION]:
                    rows.add((igo, state, lo, hi, code, origin, self._membership_of(i, s, phase), phase.iri,
                              compact(phase.status), phase.start_text, phase.end_text, att.iri, att.attested_at,
                              att.source, att.source_file, att.locator, att.quote))
        return [[*r[:2], str(r[2]), str(r[3]), str(r[4]), *r[5:]] for r in sorted(rows)]

    def _membership_of(self, i: int, s: int, phase) -> str:
        return next(m.iri for m in self.memberships[i, s] if phase in m.phases)


class EvidenceRows:
    """The evidence of a `Panels`, pair by pair in key order (so sorted as a whole)."""

    def __init__(self, panels: Panels) -> None:
        self.panels = panels

    def __iter__(self) -> Iterator[Evidence]:
        for i, s in sorted(self.panels.memberships):
            for row in self.panels._pair_evidence(i, s):
                yield Evidence(*row)

    def __len__(self) -> int:
        return sum(len(self.panels._pair_evidence(i, s)) for i, s in self.panels.memberships)
