"""A validator of the QuickStatements v1 lines igokg writes (https://www.wikidata.org/wiki/Help:QuickStatements).

One command per line, tab-separated: ITEM, PROPERTY, VALUE, then qualifier pairs (Pn, value),
then source pairs (Sn, value), which QuickStatements adds as one reference. Values by type:
an item `Q123`; a string `"…"` (no double quote, tab or line break inside, at most 1500
characters: v1 has no escape); a monolingual text `en:"…"`; a time
`+YYYY-MM-DDT00:00:00Z/P` whose fields below the precision P (9 year, 10 month, 11 day) are 00
and above it are not.

On top of the syntax, what an editor expects of our references: every property has the type
Wikidata gives it; a reference names the source (stated in S248 or reference URL S854), never
our own IRI; no property twice in one reference; "retrieved" is a day.
"""

from __future__ import annotations

import re

OUR_BASE = "https://w3id.org/igokg/"

ITEM = re.compile(r"^Q[1-9]\d*$")
STRING = re.compile(r'^"([^"\t\n]{1,1500})"$')
MONOLINGUAL = re.compile(r'^([a-z]{2,3}(?:-[a-z0-9]+)*):"([^"\t\n]{1,1500})"$')
TIME = re.compile(r"^[+-]\d{4,}-(\d\d)-(\d\d)T00:00:00Z/(9|10|11)$")

#: The type of every property the export may write, as Wikidata defines it.
TYPES = {
    "P463": "item",  # member of
    "P571": "time",  # inception
    "P580": "time",  # start time
    "P582": "time",  # end time
    "P2868": "item",  # subject has role
    "S248": "item",  # stated in
    "S854": "url",  # reference URL
    "S1476": "monolingual",  # title
    "S1683": "monolingual",  # quote
    "S577": "time",  # publication date
    "S5017": "time",  # last update
    "S813": "time",  # retrieved
}


def _valid(kind: str, value: str) -> str | None:
    """None if `value` is a valid `kind`, else why not."""
    if kind == "item":
        return None if ITEM.match(value) else "not an item (Q…)"
    if kind in ("string", "url"):
        m = STRING.match(value)
        if not m:
            return 'not a string ("…", no double quote, tab or line break inside, at most 1500 characters)'
        if kind == "url" and not re.match(r"^https?://\S+$", m.group(1)):
            return "not a web address"
        return None
    if kind == "monolingual":
        return None if MONOLINGUAL.match(value) else 'not a monolingual text (lang:"…")'
    if kind == "time":
        m = TIME.match(value)
        if not m:
            return "not a time (+YYYY-MM-DDT00:00:00Z/precision)"
        month, day, precision = m.group(1), m.group(2), int(m.group(3))
        ok = {9: month == day == "00", 10: month != "00" and day == "00", 11: month != "00" and day != "00"}[precision]
        return None if ok else f"fields below precision {precision} must be 00, and only those"
    return f"unknown type {kind}"


def check_line(line: str) -> list[str]:
    """Every problem of one line (empty if it is valid)."""
    parts = line.split("\t")
    if len(parts) < 3 or len(parts) % 2 == 0:
        return [f"field count {len(parts)}: ITEM PROPERTY VALUE, then pairs"]
    problems = []
    if not ITEM.match(parts[0]):
        problems.append(f"item {parts[0]!r}")
    seen_source = False
    reference: list[tuple[str, str]] = []
    for prop, value in zip(parts[1::2], parts[2::2]):
        if not re.match(r"^[PS][1-9]\d*$", prop):
            problems.append(f"property {prop!r}")
            continue
        if prop.startswith("S"):
            seen_source = True
            reference.append((prop, value))
        elif seen_source:
            problems.append(f"qualifier {prop} after a source")
        kind = TYPES.get(prop)
        if kind is None:
            problems.append(f"{prop}: unknown property")
            continue
        why = _valid(kind, value)
        if why:
            problems.append(f"{prop} {value[:60]!r}: {why}")
    if reference:
        props = [p for p, _ in reference]
        if not {"S248", "S854"} & set(props):
            problems.append("the reference names no source: stated in (S248) or reference URL (S854)")
        if len(props) != len(set(props)):
            problems.append("a property twice in one reference")
        for prop, value in reference:
            if prop == "S854" and value.strip('"').startswith(OUR_BASE):
                problems.append("S854 is our own IRI, not the source's address")
            if prop == "S813" and not value.endswith("/11"):
                problems.append("retrieved (S813) is a day")
    return problems


def assert_quickstatements_v1(text: str) -> list[list[str]]:
    """Every line valid; returns the lines split into fields."""
    assert text.endswith("\n") or text == "", "the output ends with a line break"
    parsed = []
    for n, line in enumerate(text.splitlines(), 1):
        problems = check_line(line)
        assert problems == [], f"line {n}: {problems}: {line!r}"
        parsed.append(line.split("\t"))
    return parsed
