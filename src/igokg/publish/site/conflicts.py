"""Stage: publish (site). `conflicts.html`: where the sources disagree, both sides drawn.

Input: the conflicts report (`sparql/conflicts.rq`, run by `publish.writers.conflicts`, the
definition behind `conflicts.csv` / `.json`) and the site's graph for names and links. Output:
one entry per disagreement — what it is about, each claim with its value, its sources (linked)
and whether it is the preferred one, the rule that prefers it (with the rule's definition from
the ontology) — and a small time axis with both claims at their precision (a year is drawn as a
year, a day as a point; "since" runs on to the axis' end); and, for the entity pages, which
entities each disagreement involves.
"""

from __future__ import annotations

import re

import pyoxigraph as ox

from igokg.namespaces import IGO
from igokg.publish.site.graph import SKOS_DEF, Graph, _slug
from igokg.publish.site.links import Links
from igokg.publish.writers.conflicts import conflict_rows
from igokg.sources import Sources

__all__ = ["conflicts_data"]

_WHEN = re.compile(r"(?:(at|since) )?(-?\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")
AXIS_LEFT, AXIS_WIDTH, ROW_H = 90, 440, 22


def _when(value: str) -> dict | None:
    """The date a claim's value gives ("2002-10-07", "Observer at 2018-02-01", "Member since
    2017"), as a span of years at its precision: [start, end) and whether it runs on."""
    m = _WHEN.search(value)
    if not m:
        return None
    how, y, mo, d = m.group(1) or "at", int(m.group(2)), m.group(3), m.group(4)
    if d:
        start = y + (int(mo) - 1) / 12 + (int(d) - 1) / 365
        end, precision = start, "day"
    elif mo:
        start, end, precision = y + (int(mo) - 1) / 12, y + int(mo) / 12, "month"
    else:
        start, end, precision = float(y), y + 1.0, "year"
    return {"how": how, "start": start, "end": end, "precision": precision, "date": m.group(0).split(" ")[-1]}


def _axis(claims: list[dict]) -> dict | None:
    """Both claims on one small time axis (pure geometry; the template draws it)."""
    whens = [c["when"] for c in claims if c["when"]]
    if not whens:
        return None
    first = int(min(w["start"] for w in whens)) - 1
    last = int(max(w["end"] for w in whens) + 0.999) + (2 if any(w["how"] == "since" for w in whens) else 1)
    span = max(last - first, 2)
    step = next(s for s in (1, 2, 5, 10, 20) if span / s <= 8)

    def x(v: float) -> str:
        return f"{AXIS_LEFT + (v - first) / span * AXIS_WIDTH:.1f}"

    rows = []
    for i, c in enumerate(claims):
        w = c["when"]
        if not w:
            continue
        row = {"side": c["side"], "cy": 14 + i * ROW_H + ROW_H / 2, "preferred": c["preferred"], "how": w["how"],
               "precision": w["precision"], "date": w["date"], "x0": x(w["start"]), "title": c["value"]}
        if w["how"] == "since":
            row["x1"] = x(last)
        elif w["precision"] != "day":
            row["x1"] = x(w["end"])
        rows.append(row)
    ticks = [{"x": x(yr), "year": yr} for yr in range(first, last + 1) if yr % step == 0]
    return {"rows": rows, "ticks": ticks, "left": AXIS_LEFT, "right": AXIS_LEFT + AXIS_WIDTH,
            "bottom": 14 + len(claims) * ROW_H, "height": 14 + len(claims) * ROW_H + 20, "width": AXIS_LEFT + AXIS_WIDTH + 20}


def conflicts_data(g: Graph, links: Links, sources: Sources) -> tuple[list[dict] | None, dict[str, list[dict]]]:
    """The disagreements for `conflicts.html` (links from the top level; None when the project
    has no `sparql/conflicts.rq`), and for each entity they involve (what they are about, both
    claims, a membership's member and organization) the entries that name it."""
    found = conflict_rows(sources)
    if found is None:
        return None, {}
    variables, rows = found
    out, involved = [], {}
    for row in rows:
        r = {k: (t.value if t is not None else "") for k, t in zip(variables, row)}
        subject = r["subject"]
        anchor = f"{_slug(r['claimA'])}--{_slug(r['claimB'])}"
        claims = []
        for side in "AB":
            claim = r["claim" + side]
            claims.append({
                "side": side, "iri": claim, "claim": links.term(ox.NamedNode(claim)), "value": r["value" + side],
                "sources": [links.term(ox.NamedNode(s)) for s in sorted(r["sources" + side].split(), key=lambda s: (g.label(s), s))],
                "preferred": r["preferred"] == claim, "when": _when(r["value" + side]),
            })
        rule = r["rule"]
        definition = g.onto_values(ox.NamedNode(rule), SKOS_DEF) if rule else []
        entry = {
            "id": anchor, "kind": r["kind"], "subject": links.term(ox.NamedNode(subject)),
            "claims": claims, "rule": links.term(ox.NamedNode(rule)) if rule else None,
            "rule_definition": definition[0].value if definition else "",
            "preferred": next((c["side"] for c in claims if c["preferred"]), None),
            "axis": _axis(claims),
        }
        out.append(entry)
        names = {subject, r["claimA"], r["claimB"]}
        names.update(v for p in ("member", "organization") if (v := g.first(subject, IGO + p)))
        for iri in sorted(names):
            involved.setdefault(iri, []).append({"id": anchor, "text": f"{r['kind']} of {g.label(subject)}"})
    return out, involved
