"""Is a literal well-formed for its XSD datatype? The part of the answer the store cannot give.

`sh:datatype` fails an ill-formed literal ("2018-02-30"^^xsd:date, "300"^^xsd:byte). For the
datatypes pyoxigraph understands (`CASTABLE`) the compiled query asks the store itself: its
cast functions accept exactly the well-formed lexical forms, in Rust, with no call back into
Python. This module answers for the rest: the types the store reads as another one (the
integer subtypes and xsd:dateTimeStamp, whose facets it does not check), the string and
binary types it keeps as opaque text, and literals whose lexical form was restored as
written (`lexical`), which the store cannot read at all.
"""

from __future__ import annotations

import calendar
import re

XSD = "http://www.w3.org/2001/XMLSchema#"

#: Datatypes with a SPARQL cast function in pyoxigraph: `<dt>(STR(?v))` fails iff ill-formed.
CASTABLE = frozenset(XSD + t for t in (
    "boolean", "float", "double", "decimal", "integer", "dateTime", "date", "time", "gYear", "gYearMonth",
    "gMonth", "gDay", "gMonthDay", "duration", "yearMonthDuration", "dayTimeDuration",
))

_INTEGER_RANGES: dict[str, tuple[int | None, int | None]] = {
    "integer": (None, None),
    "nonNegativeInteger": (0, None),
    "positiveInteger": (1, None),
    "nonPositiveInteger": (None, 0),
    "negativeInteger": (None, -1),
    "long": (-2**63, 2**63 - 1),
    "int": (-2**31, 2**31 - 1),
    "short": (-2**15, 2**15 - 1),
    "byte": (-2**7, 2**7 - 1),
    "unsignedLong": (0, 2**64 - 1),
    "unsignedInt": (0, 2**32 - 1),
    "unsignedShort": (0, 2**16 - 1),
    "unsignedByte": (0, 2**8 - 1),
}
INTEGER_TYPES = frozenset(XSD + t for t in _INTEGER_RANGES)

_TZ = r"(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00))"
_YEAR = r"-?([1-9]\d{3,}|0\d{3})"
_TIME = r"(([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?|24:00:00(\.0+)?)"
_DUR_DAY_TIME = r"(\d+D)?(T(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?"
_NAME_START = r"[:A-Z_a-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD]"
_NAME_CHAR = _NAME_START[:-1] + r"\-.0-9\u00B7\u0300-\u036F\u203F-\u2040]"

_PATTERNS = {name: re.compile(p) for name, p in {
    "boolean": r"true|false|1|0",
    "decimal": r"[+-]?(\d+(\.\d*)?|\.\d+)",
    "float": r"[+-]?(\d+(\.\d*)?|\.\d+)([Ee][+-]?\d+)?|[+-]?INF|NaN",
    "double": r"[+-]?(\d+(\.\d*)?|\.\d+)([Ee][+-]?\d+)?|[+-]?INF|NaN",
    "dateTime": rf"{_YEAR}-(\d\d)-(\d\d)T{_TIME}{_TZ}?",
    "dateTimeStamp": rf"{_YEAR}-(\d\d)-(\d\d)T{_TIME}{_TZ}",
    "date": rf"{_YEAR}-(\d\d)-(\d\d){_TZ}?",
    "time": rf"{_TIME}{_TZ}?",
    "gYear": rf"{_YEAR}{_TZ}?",
    "gYearMonth": rf"{_YEAR}-(0[1-9]|1[0-2]){_TZ}?",
    "gMonth": rf"--(0[1-9]|1[0-2]){_TZ}?",
    "gDay": rf"---(0[1-9]|[12]\d|3[01]){_TZ}?",
    "gMonthDay": rf"--(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]){_TZ}?",
    "duration": rf"-?P(\d+Y)?(\d+M)?{_DUR_DAY_TIME}",
    "yearMonthDuration": r"-?P((\d+Y)(\d+M)?|(\d+M))",
    "dayTimeDuration": rf"-?P{_DUR_DAY_TIME}",
    "hexBinary": r"([0-9a-fA-F]{2})*",
    "base64Binary": r"((([A-Za-z0-9+/] ?){4})*(([A-Za-z0-9+/] ?){3}[A-Za-z0-9+/]|([A-Za-z0-9+/] ?){2}"
                    r"[AEIMQUYcgkosw048] ?=|[A-Za-z0-9+/] ?[AQgw] ?= ?=))?",
    "language": r"[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*",
    "NMTOKEN": rf"{_NAME_CHAR}+",
    "Name": rf"{_NAME_START}{_NAME_CHAR}*",
    "NCName": rf"{_NAME_START.replace(':', '')}{_NAME_CHAR.replace(':', '')}*",
}.items()}
for _alias in ("ENTITY", "ID", "IDREF"):
    _PATTERNS[_alias] = _PATTERNS["NCName"]

_OTHER = {"string", "anyURI", "normalizedString", "token"}
KNOWN = frozenset(XSD + t for t in (*_INTEGER_RANGES, *_PATTERNS, *_OTHER))


def well_formed(lexical: str, datatype: str) -> bool | None:
    """True or False for the XSD datatypes this module knows (`KNOWN`); None for any other IRI."""
    if not datatype.startswith(XSD):
        return None
    name = datatype[len(XSD):]
    if name in _INTEGER_RANGES:
        if not re.fullmatch(r"[+-]?\d+", lexical):
            return False
        low, high = _INTEGER_RANGES[name]
        n = int(lexical)
        return (low is None or n >= low) and (high is None or n <= high)
    if name in ("string", "anyURI"):
        return True  # any string (RDF literals cannot hold the characters XML excludes anyway)
    if name == "normalizedString":
        return not re.search(r"[\r\n\t]", lexical)
    if name == "token":
        return not re.search(r"[\r\n\t]|^ | $|  ", lexical)
    pattern = _PATTERNS.get(name)
    if pattern is None:
        return None
    m = pattern.fullmatch(lexical)
    if m is None:
        return False
    if name in ("date", "dateTime", "dateTimeStamp"):
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
        # calendar.monthrange wants a year in 1..9999; leap years repeat every 400 years.
        return 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year % 400 + 2000, month)[1]
    if name == "gMonthDay":
        month, day = int(lexical[2:4]), int(lexical[5:7])
        return day <= (29 if month == 2 else calendar.monthrange(2001, month)[1])
    # "P" and "PT" alone are not durations
    return not (name in ("duration", "dayTimeDuration") and lexical.endswith(("P", "T")))
