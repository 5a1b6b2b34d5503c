"""Small tables in the COW IGO v3 layout, written by hand for the import's tests (never the real file)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from igokg.sources.cow_tables import CowTables

NA = np.nan


def igo_table(name: str, years: range, cells: dict[str, list], sdate: int | None = None, deaddate: int | None = None,
              replaced_from: int | None = None) -> pd.DataFrame:
    """One IGO in the igo_year_format3 layout: ioname, orgname, year, state columns, then the meta columns."""
    frame = pd.DataFrame({"ioname": name, "orgname": f"{name} org", "year": [float(y) for y in years]})
    for column, values in cells.items():
        frame[column] = [float(v) for v in values]
    frame["sdate"] = float(sdate if sdate is not None else years[0])
    frame["deaddate"] = float(deaddate) if deaddate is not None else NA
    frame["dead"] = [1.0 if deaddate is not None and y >= deaddate else 0.0 for y in years]
    frame["integrated"] = 0.0
    frame["replaced"] = [1.0 if replaced_from is not None and y >= replaced_from else 0.0 for y in years]
    frame["longorgname"] = f"The {name} Organization"
    frame["ionum"] = 1.0
    return frame


def tables(*igos: pd.DataFrame, states=(("aland", 1, 1816, 2016), ("borduria", 2, 1816, 2016))) -> CowTables:
    frame = pd.concat(igos, ignore_index=True)
    columns = [c for c in frame.columns if c not in ("ioname", "orgname", "year", "sdate", "deaddate", "dead",
                                                       "integrated", "replaced", "longorgname", "ionum")]
    frame = frame[["ioname", "orgname", "year", *columns, "sdate", "deaddate", "dead", "integrated", "replaced",
                   "longorgname", "ionum"]]
    st = pd.DataFrame([{"ccode": c, "stateabb": s[:3].upper(), "statenme": s.title(), "styear": a, "endyear": b, "state": s}
                       for s, c, a, b in states])
    return CowTables(igo=frame, states=st, state_columns=columns)
