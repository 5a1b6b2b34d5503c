"""The panels against COW's own coding: how far they agree, and why they differ.

Input: a `Panels` (made from the graph), the COW IGO v3 tables as the project's dataset reader
gives them (`sources.cow_tables.read_cow_tables`, the pinned igo_year_format3), and the graph's
COW names of its entities (igo:cowIoname on IGOs; igo:cowColumn, igo:cowFirstYear and
igo:cowLastYear on states, so a year of a split column goes to its polity). Output: an
`Agreement`: every cell of igo_year_format3 (a row per IGO and year, a column per state) set
beside the panel's cell, counted by kind — COW's code, the panel's code, and which claim gave
the panel's code (a phase, the 0 after a phase, an article's role; or none: "outside" when the
state has a membership in the IGO whose claims do not reach the year) — with the reason of
each kind of difference. Written as `panels/cow_agreement.csv` with its CSVW metadata.

Agreement: the same code; COW's NA (the state is not in the system) beside the panel's -9
counts as agreeing (the panels have no NA: no evidence either way). Vectorized over the
4.2 million cells (numpy); Python loops only over the panel's runs.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from igokg.namespaces import IGO
from igokg.sources import Sources
from igokg.sources.datasets import COW_NAME
from igokg.sources.pinned import locate_files, read_pinned
from igokg.publish.panels.model import MISSING
from igokg.publish.panels.phases import ORIGIN_AFTER, ORIGIN_PHASE, ORIGIN_ROLE
from igokg.publish.panels.tables import Panels

__all__ = ["Agreement", "AgreementRow", "compare_with_cow", "cow_agreement", "AGREEMENT_HEADER"]

NA = -1  # COW's NA (not in the system) in the comparison
# "none": the graph has no membership of the state in the IGO; "outside": it has one, and the
# year lies outside what it claims.
_ORIGINS = ("none", ORIGIN_PHASE, ORIGIN_AFTER, ORIGIN_ROLE, "outside")
AGREEMENT_HEADER = ["cow_code", "panel_code", "panel_basis", "cells", "share", "agree", "reason"]


def _reason(cow: int, panel: int, origin: str) -> str:
    """Why a kind of cell is as it is (docs/panels.md gives the figures)."""
    if origin == ORIGIN_ROLE:
        return ("an article's membership (igo:role, dated by its quotes) codes the year; the strongest code wins, "
                "so an article adds a code where COW has none or changes COW's")
    if cow == panel:
        return {MISSING: "neither codes the year", 0: "COW's 0 after a phase's end date, read as the end date reads",
                }.get(cow, "the phase codes COW's own cells")
    if cow == NA and panel == MISSING:
        return "the state is not in the system (COW's NA); the panels have no code for it"
    if panel == MISSING:
        if cow == 0 and origin == "none":
            return ("COW codes 0 every state in the system that is not in the IGO; the graph records memberships, "
                    "not their absence: a state never in the IGO has no membership to read a 0 from")
        if cow == 0:
            return ("the state has a membership in the IGO, but no phase says it was out that year: a 0 before its "
                    "first phase, or after an end the source only bounds")
        return "a cell only a bound covers (-9 or missing rows around it), or a deprecated claim"
    if origin == ORIGIN_AFTER:
        if cow == MISSING:
            return ("a 0 after a phase's end date runs on to the next phase across years COW codes -9 (an end date "
                    "reads as non-membership until the next phase may begin)")
        if cow == NA:
            return "a 0 after a phase's end date runs into years COW codes NA"
        return "a 0 after a phase's end date meets a status COW codes in a year no phase of the graph covers"
    return "a phase of another source (the Factbook) or of a polity codes the year differently"


@dataclass(frozen=True)
class AgreementRow:
    cow_code: int  # -1: NA
    panel_code: int
    basis: str  # which claim gave the panel's code
    cells: int
    agree: bool
    reason: str


@dataclass(frozen=True)
class Agreement:
    rows: tuple[AgreementRow, ...]
    total: int

    @property
    def agreeing(self) -> int:
        return sum(r.cells for r in self.rows if r.agree)

    @property
    def differing(self) -> int:
        return self.total - self.agreeing

    def coded(self) -> tuple[int, int]:
        """Cells COW codes 0-3: (how many, how many the panel codes the same)."""
        cells = [r for r in self.rows if r.cow_code >= 0]
        return sum(r.cells for r in cells), sum(r.cells for r in cells if r.agree)

    def table(self) -> tuple[list[str], list[list[str]]]:
        def code(c: int) -> str:
            return "NA" if c == NA else str(c)

        return AGREEMENT_HEADER, [
            [code(r.cow_code), str(r.panel_code), r.basis, str(r.cells), f"{r.cells / self.total:.6f}",
             "true" if r.agree else "false", r.reason]
            for r in self.rows
        ]


def _cow_names(store: ox.Store) -> tuple[dict[str, str], dict[str, tuple[str, int, int]]]:
    """IGO IRI -> ioname; state IRI -> (column, first year, last year) from the graph."""
    q = store.query(f"""SELECT ?e ?n WHERE {{ ?e <{IGO}cowIoname> ?n }}""", use_default_graph_as_union=True)
    igos = {r["e"].value: r["n"].value for r in q}
    q = store.query(f"""SELECT ?e ?c ?f ?l WHERE {{ ?e <{IGO}cowColumn> ?c .
        OPTIONAL {{ ?e <{IGO}cowFirstYear> ?f }} OPTIONAL {{ ?e <{IGO}cowLastYear> ?l }} }}""",
                    use_default_graph_as_union=True)
    states = {r["e"].value: (r["c"].value, int(r["f"].value[:4]) if r["f"] else -9999, int(r["l"].value[:4]) if r["l"] else 9999)
              for r in q}
    return igos, states


def compare_with_cow(panels: Panels, tables, store: ox.Store) -> Agreement:
    """Every cell of COW's igo_year_format3 in the panel's years beside the panel's (`tables`: a `CowTables`)."""
    import numpy as np  # noqa: PLC0415 - here: a build without COW's tables never needs it (70 ms to import)

    igo_names, state_cols = _cow_names(store)
    frame = tables.igo.sort_values(["ioname", "year"], kind="stable")
    lo, hi = panels.years[0], panels.years[-1]
    frame = frame[(frame["year"] >= lo) & (frame["year"] <= hi)].reset_index(drop=True)  # the panel's span
    values = frame[tables.state_columns].to_numpy(dtype=float)
    cow = np.where(np.isnan(values), NA, values).astype(np.int8)
    panel = np.full(cow.shape, MISSING, dtype=np.int8)
    origin = np.zeros(cow.shape, dtype=np.int8)
    years = frame["year"].to_numpy().astype(int)
    names = frame["ioname"].to_numpy()
    bounds = {}
    starts = np.r_[0, np.flatnonzero(names[1:] != names[:-1]) + 1, len(names)]
    for a, b in zip(starts[:-1], starts[1:]):
        bounds[names[a]] = (a, b)
    column_at = {c: n for n, c in enumerate(tables.state_columns)}
    for (i, s), runs in panels.pairs():
        ioname = igo_names.get(panels.igos[i].iri)
        state = state_cols.get(panels.states[s].iri)
        if ioname not in bounds or state is None or state[0] not in column_at:
            continue  # not a COW IGO or state: nothing to compare with
        column, first, last = state
        col = column_at[column]
        a0, b0 = bounds[ioname]
        ys = years[a0:b0]
        r0, r1 = a0 + np.searchsorted(ys, first, "left"), a0 + np.searchsorted(ys, last, "right")
        origin[r0:r1, col] = _ORIGINS.index("outside")  # the pair has a membership; its runs overwrite
        for a, b, c, o in runs:
            lo, hi = max(a, first), min(b, last)
            if lo > hi:
                continue
            r0, r1 = a0 + np.searchsorted(ys, lo, "left"), a0 + np.searchsorted(ys, hi, "right")
            panel[r0:r1, col] = c
            origin[r0:r1, col] = _ORIGINS.index(o)
    key = (cow.astype(np.int32) + 16) * 256 + (panel.astype(np.int32) + 16) * 8 + origin
    kinds, counts = np.unique(key.ravel(), return_counts=True)
    rows = []
    for k, n in zip(kinds.tolist(), counts.tolist()):
        c, rest = divmod(k, 256)
        p, o = divmod(rest, 8)
        c, p = c - 16, p - 16
        agree = c == p or (c == NA and p == MISSING)
        rows.append(AgreementRow(c, p, _ORIGINS[o], n, agree, _reason(c, p, _ORIGINS[o])))
    rows.sort(key=lambda r: (not r.agree, -r.cells, r.cow_code, r.panel_code, r.basis))
    return Agreement(tuple(rows), int(cow.size))


def cow_agreement(panels: Panels, sources: Sources) -> Agreement | None:
    """The agreement with COW when the graph holds COW IGO v3 (None when it was skipped)."""
    from igokg.sources.cow_tables import read_cow_tables  # noqa: PLC0415 - pandas only with COW

    source = next((s for s in read_pinned(sources.project) if s.name == COW_NAME), None)
    if source is None or source.iri not in sources.pinned_used:
        return None  # no COW in this project, or skipped (--skip-source)
    files = locate_files(sources.project, source, verify=False)  # the load verified them
    tables = read_cow_tables(files[source.file_for_table("igo_year_format3").path],
                             files[source.file_for_table("states2016").path])
    return compare_with_cow(panels, tables, sources.store)
