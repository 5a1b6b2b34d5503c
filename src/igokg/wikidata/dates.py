"""Dates as Wikidata holds them: a value and a precision (9 year, 10 month, 11 day)."""

from __future__ import annotations

import re
from dataclasses import dataclass

# =========================================================================== dates


@dataclass(frozen=True, order=True)
class WDate:
    """A date at a precision, as Wikidata keeps them: 9 year, 10 month, 11 day."""

    text: str  # ISO at its precision: "2017", "2017-06", "2017-06-09"
    precision: int

    @classmethod
    def ours(cls, lexical: str) -> "WDate":
        lexical = lexical.strip()
        return cls(lexical, {4: 9, 7: 10}.get(len(lexical.lstrip("-")), 11))

    @classmethod
    def wikidata(cls, value: str, precision: str | int | None) -> "WDate":
        p = int(precision) if precision not in (None, "") else 11
        p = min(max(p, 9), 11)  # decades and centuries compare as their first year
        m = re.match(r"([+-]?\d{4,})-(\d\d)-(\d\d)", value)
        if not m:
            return cls(value, p)
        year = m.group(1).lstrip("+")
        return cls({9: year, 10: f"{year}-{m.group(2)}", 11: f"{year}-{m.group(2)}-{m.group(3)}"}[p], p)

    def at(self, precision: int) -> str:
        return self.text[: {9: 4, 10: 7, 11: 10}[precision]] if precision < self.precision else self.text

    def __str__(self) -> str:
        return self.text


def _same(a: WDate, b: WDate) -> bool:
    p = min(a.precision, b.precision)
    return a.at(p) == b.at(p)


def _before(a: WDate, b: WDate) -> bool:
    """a is certainly before b."""
    p = min(a.precision, b.precision)
    return a.at(p) < b.at(p)


def qs_time(d: WDate) -> str:
    """A QuickStatements time value: +YYYY-MM-DDT00:00:00Z/precision, zeros below the precision."""
    y, m, dd = (d.text.split("-") + ["00", "00"])[:3]
    return f"+{y}-{m}-{dd}T00:00:00Z/{d.precision}"
