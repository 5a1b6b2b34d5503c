"""Stage: sources. COW's yearly codes become status phases with honest time.

Input: `CowTables` and the polity table (`Polity` rows: which years of a state column belong to
which polity). Output: a `phases` data frame, one row per phase, with the years COW codes it,
the cells around it, and its start and end as the data shows them (a date) or bounds them.

A phase is a run of consecutive years in which one state column holds one status (1 full, 2
associate, 3 observer) in one IGO, broken by any other code, by a year without a row, or by
the year a column passes from one polity to the next. The rules, in the words of issue 12:
- start: a date where the year before is coded 0 or another status (the data shows the
  change), or the IGO's first row is the year COW starts it (sdate), or the state entered the
  system that year (states2016), or the polity begins that year; otherwise bounds: the latest
  start is the first year coded, the earliest the first year of the unknown years (-9, NA, no
  row) before it — none when the same status stands before those years (it may continue).
- end: a date where the year after is coded 0 or another status, the IGO ends that year
  (deaddate), the state left the system, or the polity ends; a phase coded in 2014, the end of
  COW's coverage, is open (earliest end 2014, no date); otherwise the earliest end is the last
  year coded and the latest the last unknown year after it (none when the same status follows).
Vectorized over the code matrix; Python loops only over IGOs and the few split runs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from igokg.sources.cow_tables import CowTables

__all__ = ["Polity", "compute_phases", "COVERAGE_END", "NO_ROW", "NA_CODE"]

#: The last year COW IGO v3 codes: an end of coverage, never an end of membership.
COVERAGE_END = 2014
NA_CODE = -1  # NA in the igoR copy: state not in the system (codebook -1)
NO_ROW = -2  # the table has no row for this IGO and year (inside the IGO's span)
STATUSES = (1, 2, 3)


@dataclass(frozen=True)
class Polity:
    column: str  # the state column of igo_year_format3
    first_year: int
    last_year: int | None  # None: to the end of the data
    slug: str
    label: str
    qid: str | None


def _grid(igo: pd.DataFrame, state_columns: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """Every IGO on every year from its first row to its last; codes as int8 (NA -1, no row -2)."""
    frame = igo[["ioname", "year", *state_columns]].copy()
    frame["year"] = frame["year"].astype(int)
    span = frame.groupby("ioname", sort=True)["year"].agg(["min", "max"])
    names = np.repeat(span.index.to_numpy(), (span["max"] - span["min"] + 1).to_numpy())
    years = np.concatenate([np.arange(a, b + 1) for a, b in zip(span["min"], span["max"])])
    keys = pd.DataFrame({"ioname": names, "year": years})
    full = keys.merge(frame, on=["ioname", "year"], how="left", indicator=True)
    values = full[state_columns].to_numpy(dtype=float)
    codes = np.where(np.isnan(values), NA_CODE, values).astype(np.int8)
    codes[(full["_merge"] == "left_only").to_numpy()] = NO_ROW
    return full[["ioname", "year"]].reset_index(drop=True), codes


def compute_phases(tables: CowTables, polities: list[Polity]) -> pd.DataFrame:
    """One row per phase: ioname, column, code, first/last year, preceding/following code,
    start (date or bounds), end (date or bounds), polity slug (None: the column's own state)."""
    keys, codes = _grid(tables.igo, tables.state_columns)
    n, _ = codes.shape
    ioname = keys["ioname"].to_numpy()
    year = keys["year"].to_numpy()
    first_row = np.r_[True, ioname[1:] != ioname[:-1]]
    last_row = np.r_[ioname[1:] != ioname[:-1], True]

    prev = np.vstack([np.full((1, codes.shape[1]), NO_ROW, np.int8), codes[:-1]])
    prev[first_row] = NO_ROW
    nxt = np.vstack([codes[1:], np.full((1, codes.shape[1]), NO_ROW, np.int8)])
    nxt[last_row] = NO_ROW
    status = np.isin(codes, STATUSES)
    starts = np.argwhere((status & (codes != prev)).T)  # (column, row), by column then row
    ends = np.argwhere((status & (codes != nxt)).T)
    col, r0 = starts[:, 0], starts[:, 1]
    r1 = ends[:, 1]

    # The last known code (0-3) at or before each row, within the IGO; the next at or after.
    rows = np.arange(n)[:, None]
    igo_start = np.maximum.accumulate(np.where(first_row, np.arange(n), 0))[:, None]
    igo_end = np.minimum.accumulate(np.where(last_row, np.arange(n), n)[::-1])[::-1][:, None]
    known = codes >= 0
    last_known = np.maximum.accumulate(np.where(known, rows, -1), axis=0)
    next_known = np.minimum.accumulate(np.where(known, rows, n)[::-1], axis=0)[::-1]

    lk = np.where(r0 > 0, last_known[np.maximum(r0 - 1, 0), col], -1)
    lk = np.where(lk >= igo_start[r0, 0], lk, -1)  # none within this IGO
    nk = np.where(r1 < n - 1, next_known[np.minimum(r1 + 1, n - 1), col], n)
    nk = np.where(nk <= igo_end[r1, 0], nk, n)

    code = codes[r0, col]
    phases = pd.DataFrame(
        {
            "ioname": ioname[r0],
            "column": np.asarray(tables.state_columns)[col],
            "code": code.astype(int),
            "first": year[r0],
            "last": year[r1],
            "prev": prev[r0, col].astype(int),
            "next": nxt[r1, col].astype(int),
            "igo_first": year[igo_start[r0, 0]],
            "igo_last": year[igo_end[r1, 0]],
            "lk_code": np.where(lk >= 0, codes[np.maximum(lk, 0), col], NO_ROW).astype(int),
            "lk_year": np.where(lk >= 0, year[np.maximum(lk, 0)], -1),
            "nk_code": np.where(nk < n, codes[np.minimum(nk, n - 1), col], NO_ROW).astype(int),
            "nk_year": np.where(nk < n, year[np.minimum(nk, n - 1)], -1),
        }
    )
    phases["polity"] = None
    phases["polity_begins"] = False
    phases["polity_ends"] = False
    phases = _split_polities(phases, polities)
    return _time(phases, tables)


def _split_polities(phases: pd.DataFrame, polities: list[Polity]) -> pd.DataFrame:
    """Cut phases at the years a column passes from one polity to the next."""
    by_column: dict[str, list[Polity]] = {}
    for p in polities:
        by_column.setdefault(p.column, []).append(p)
    if not by_column:
        return phases
    plain = phases[~phases["column"].isin(by_column)]
    pieces = []
    for row in phases[phases["column"].isin(by_column)].itertuples(index=False):
        for p in sorted(by_column[row.column], key=lambda p: p.first_year):
            a = max(row.first, p.first_year)
            b = min(row.last, p.last_year if p.last_year is not None else COVERAGE_END)
            if a > b:
                continue
            piece = row._asdict()
            piece.update(polity=p.slug, first=a, last=b,
                         polity_begins=a == p.first_year and a > row.first,
                         polity_ends=p.last_year is not None and b == p.last_year and b < row.last)
            if a > row.first:
                piece["prev"] = row.code  # the cell before is the same status, under the polity before
            if b < row.last:
                piece["next"] = row.code
            pieces.append(piece)
    out = pd.concat([plain, pd.DataFrame(pieces, columns=phases.columns)], ignore_index=True)
    return out.sort_values(["ioname", "column", "first"], kind="stable").reset_index(drop=True)


def _system_years(states: pd.DataFrame, which: str) -> set[tuple[str, int]]:
    return {(s, int(y)) for s, y in zip(states["state"], states[which])}


def _time(phases: pd.DataFrame, tables: CowTables) -> pd.DataFrame:
    igo_meta = tables.igo.groupby("ioname", sort=True).agg(sdate=("sdate", "first"), deaddate=("deaddate", "max"))
    phases = phases.join(igo_meta, on="ioname")
    entered = _system_years(tables.states, "styear")
    left = _system_years(tables.states, "endyear")
    pairs_first = list(zip(phases["column"], phases["first"]))
    pairs_last = list(zip(phases["column"], phases["last"]))
    entered_now = np.array([p in entered for p in pairs_first], dtype=bool)
    left_now = np.array([p in left for p in pairs_last], dtype=bool)

    code, prev, nxt = phases["code"], phases["prev"], phases["next"]
    first, last = phases["first"], phases["last"]
    at_igo_start = (prev == NO_ROW) & (first == phases["igo_first"])
    at_igo_end = (nxt == NO_ROW) & (last == phases["igo_last"])

    change_before = prev.isin((0, *STATUSES)) & (prev != code) & ~phases["polity_begins"]
    starts_exact = (
        change_before
        | (at_igo_start & (phases["sdate"] == first))
        | ((prev == NA_CODE) & entered_now)
        | phases["polity_begins"]
    )
    # Bounds: the start lies in the unknown years before the first year coded.
    earliest_start = np.where(phases["lk_year"] >= 0, phases["lk_year"] + 1, phases["igo_first"])
    earliest_start = np.where(
        (phases["lk_year"] < 0) & phases["sdate"].notna() & (phases["sdate"] < earliest_start),
        phases["sdate"].fillna(0),
        earliest_start,
    )
    continues_before = phases["lk_code"] == code  # the same status stands before the unknown years

    change_after = nxt.isin((0, *STATUSES)) & (nxt != code) & ~phases["polity_ends"]
    open_end = last == COVERAGE_END
    igo_ends = at_igo_end & (phases["deaddate"] == last)
    ends_exact = ~open_end & (change_after | igo_ends | ((nxt == NA_CODE) & left_now) | phases["polity_ends"])
    latest_end = np.where(phases["nk_year"] >= 0, phases["nk_year"] - 1, -1)
    # No known code after: the unknown years run to the IGO's last row; a dead IGO bounds the end.
    latest_end = np.where(
        (phases["nk_year"] < 0) & phases["deaddate"].notna() & (phases["deaddate"] > last),
        phases["deaddate"].fillna(0),
        latest_end,
    )
    latest_end = np.where((phases["nk_year"] < 0) & (phases["igo_last"] == COVERAGE_END), -1, latest_end)
    continues_after = phases["nk_code"] == code

    out = phases.copy()
    out["start"] = np.where(starts_exact, first, -1)
    out["earliest_start"] = np.where(~starts_exact & ~continues_before, earliest_start, -1).astype(int)
    out["latest_start"] = np.where(starts_exact, -1, first)
    out["end"] = np.where(ends_exact, last, -1)
    out["earliest_end"] = np.where(ends_exact, -1, last)
    out["latest_end"] = np.where(~ends_exact & ~open_end & ~continues_after, latest_end, -1).astype(int)
    # A bound equal to the year coded adds nothing: it is the date.
    same = (out["earliest_start"] == out["latest_start"]) & (out["latest_start"] >= 0)
    out.loc[same, "start"] = out.loc[same, "latest_start"]
    out.loc[same, ["earliest_start", "latest_start"]] = -1
    same = (out["earliest_end"] == out["latest_end"]) & (out["latest_end"] >= 0)
    out.loc[same, "end"] = out.loc[same, "latest_end"]
    out.loc[same, ["earliest_end", "latest_end"]] = -1
    return out.drop(columns=["lk_code", "lk_year", "nk_code", "nk_year"])
