"""Reports as terminal tables and CSV."""

from __future__ import annotations

import csv
import io
from typing import Iterable, Sequence


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], widths_max: int = 60) -> str:
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [min(max(w, len(c)), widths_max) for w, c in zip(widths, row)]

    def line(values: Sequence[str]) -> str:
        # The last column (details) is never cut: it is what people read.
        cells = [(v if len(v) <= w or i == len(values) - 1 else v[: w - 1] + "…").ljust(w) for i, (v, w) in enumerate(zip(values, widths))]
        return "  ".join(cells).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)]) + "\n"


def _csv(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(headers)
    w.writerows(rows)
    return buf.getvalue()
