"""Stage: sources. The COW IGO v3 tables as data frames, and their cells as text.

Input: the pinned `.rda` files (R data, read with pyreadr). Output: `CowTables` — the IGO-year
table (`igo_year_format3`: one row per IGO and year, one column per state) and the state
system table (`states2016`: one row per spell of a state in the system) — and `cell_text`, the
one way a cell is written in a record locator and compared by `igokg validate`.

A cell is written as the dataset holds it: an integral number without a decimal point (R
stores 1 as 1.0), a missing value as NA (the codebook's -1 is NA in this copy), text as is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from igokg.errors import SourceError

__all__ = ["CowTables", "read_cow_tables", "read_rda_table", "cell_text", "STATE_COLUMNS_AFTER", "META_COLUMNS"]

IGO_TABLE = "igo_year_format3"
STATES_TABLE = "states2016"
#: The IGO-year table: ioname, orgname, year, then one column per state, then these.
STATE_COLUMNS_AFTER = 3
META_COLUMNS = ("sdate", "deaddate", "dead", "integrated", "replaced", "longorgname", "ionum")


@dataclass
class CowTables:
    igo: pd.DataFrame  # igo_year_format3
    states: pd.DataFrame  # states2016
    state_columns: list[str]  # the state columns of igo_year_format3, in the file's order


def read_rda_table(path: Path, table: str, shown: str | None = None) -> pd.DataFrame:
    """One named data frame of an .rda file; a file that is not R data is a `SourceError`."""
    import pyreadr  # noqa: PLC0415 - costs a second; only imports and checks of COW need it

    try:
        frames = pyreadr.read_r(str(path))
    except Exception as exc:  # pyreadr raises its own LibrdataError and others on bad bytes
        raise SourceError(shown or str(path), f"cannot read R data: {exc}") from None
    if table not in frames:
        raise SourceError(shown or str(path), f"has no table {table!r} (it has {', '.join(frames) or 'none'})")
    return frames[table]


def read_cow_tables(igo_path: Path, states_path: Path) -> CowTables:
    igo = read_rda_table(igo_path, IGO_TABLE)
    states = read_rda_table(states_path, STATES_TABLE)
    for col in ("ioname", "year", *META_COLUMNS):
        if col not in igo.columns:
            raise SourceError(str(igo_path), f"{IGO_TABLE} has no column {col!r}: not the COW IGO v3 layout")
    for col in ("ccode", "state", "statenme", "styear", "endyear"):
        if col not in states.columns:
            raise SourceError(str(states_path), f"{STATES_TABLE} has no column {col!r}")
    end = list(igo.columns).index("sdate")
    state_columns = list(igo.columns[STATE_COLUMNS_AFTER:end])
    unknown = sorted(set(state_columns) - set(states["state"]))
    if unknown:
        raise SourceError(str(igo_path), f"state columns not in {STATES_TABLE}: {', '.join(unknown)}")
    return CowTables(igo=igo, states=states, state_columns=state_columns)


def cell_text(value: object) -> str:
    """A cell as a locator writes it: 1.0 -> "1", NaN -> "NA", text as is."""
    if value is None:
        return "NA"
    if isinstance(value, str):
        return value
    try:
        f = float(value)  # numpy and pandas scalars too
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(f):
        return "NA"
    return str(int(f)) if f.is_integer() else repr(f)
