"""Pictures readable without JavaScript: a membership timeline per organization, the matrix."""

from __future__ import annotations

import re

from igokg.namespaces import (
    IGO,
)
from igokg.publish.site.graph import ROLE_RANK, ROLE_STYLE, Graph, _slug
from igokg.publish.site.links import Relations


def _year_value(date: str, mid: bool = False) -> float:
    """A date at any precision as a fractional year: its start, or its middle with `mid`."""
    m = re.match(r"(-?\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", date)
    if not m:
        raise ValueError(f"not a date: {date!r}")
    y, mo, d = int(m.group(1)), m.group(2), m.group(3)
    if d:
        return y + (int(mo) - 1) / 12 + (int(d) - (0 if mid else 1)) / 365
    if mo:
        return y + (int(mo) - (0.5 if mid else 1)) / 12
    return y + (0.5 if mid else 0)


def _year_end(date: str) -> float:
    """The end of the period a date names (2017 ends at 2018.0)."""
    m = re.match(r"(-?\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", date)
    y, mo, d = int(m.group(1)), m.group(2), m.group(3)
    if d:
        return _year_value(date) + 1 / 365
    if mo:
        return y + int(mo) / 12
    return y + 1.0




def _fmt(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".") if "." in f"{x:.1f}" else str(x)


def timeline_data(g: Graph, org: str, rel: Relations, root: str) -> dict:
    """Geometry of one organization's membership timeline (pure data; the template draws it)."""
    mine = rel.by_org.get(org, [])
    by_member: dict[str, list] = {}
    for m in mine:
        by_member.setdefault(m.member, []).append(m)
    founding = sorted(
        {g.first(f, IGO + "date") for f, p in g.inc.get(org, []) if p == IGO + "founded"} - {None}
    )
    dates = [d for m in mine for d in ([m.start, m.end] + m.attested) if d] + founding
    first = min(int(_year_value(d)) for d in dates) if dates else 2000
    last = max(int(_year_end(d) + 0.999) for d in dates) if dates else 2001
    last = max(last, first + 1)
    span = last - first
    step = next(s for s in (1, 2, 5, 10, 20, 50) if span / s <= 12)

    label_w, plot_w, row_h, top = 170, 600, 26, 46
    rank = ROLE_RANK
    members = sorted(by_member, key=lambda s: (
        min(rank[m.role] for m in by_member[s]),
        min((m.start or "9999") for m in by_member[s]),
        g.label(s), s))

    def x(v: float) -> float:
        return label_w + (v - first) / span * plot_w

    rows = []
    for i, state in enumerate(members):
        y = top + i * row_h
        items = []
        for m in sorted(by_member[state], key=lambda m: (m.start or "", m.iri)):
            style = ROLE_STYLE[m.role]
            what = f"{g.label(state)}: {style['label']} of the {g.short(org)}"
            bar = None
            if m.start:
                x0 = x(_year_value(m.start))
                known_to = max([_year_end(m.start)] + [_year_end(d) for d in m.attested if d >= m.start]
                               + ([_year_end(m.end)] if m.end else []))
                x1 = x(_year_value(m.end) if m.end else known_to)
                title = f"{what}, from {m.start}" + (f" to {m.end}" if m.end else "; no end date in the sources")
                bar = {
                    "x": _fmt(x0), "w": _fmt(max(x1 - x0, 2.0)), "start": m.start, "end": m.end or "",
                    "open_x1": _fmt(x(last)) if not m.end else None, "open_x0": _fmt(x1), "title": title,
                }
            marks = [
                {"cx": _fmt(x(_year_value(d, mid=True))), "date": d,
                 "title": f"{what}: attested {d} by " + "; ".join(
                     sorted({a["source"]["text"] for a in m.attestations if a["date"] == d and a["source"]}))}
                for d in m.attested
            ]
            items.append({"role": m.role, "style": style, "bar": bar, "marks": marks, "iri": m.iri})
        rows.append({
            "slug": _slug(state), "label": g.label(state), "y": y, "cy": y + row_h / 2,
            "href": f"{root}id/{_slug(state)}.html", "items": items,
        })
    plot_bottom = top + max(len(rows), 1) * row_h
    ticks = [{"x": _fmt(x(yr)), "year": yr, "label": yr % step == 0 or span <= 12} for yr in range(first, last + 1)]
    founded = [{"x": _fmt(x(_year_value(d))), "date": d} for d in founding]
    legend_y = plot_bottom + 40
    width = label_w + plot_w + 30
    return {
        "org": org, "org_label": g.label(org), "org_short": g.short(org), "org_slug": _slug(org),
        "org_href": f"{root}id/{_slug(org)}.html",
        "width": width, "height": legend_y + 60, "rows": rows, "ticks": ticks, "founded": founded,
        "top": top, "plot_left": label_w, "plot_right": _fmt(label_w + plot_w), "plot_bottom": plot_bottom,
        "row_h": row_h, "legend_y": legend_y, "styles": ROLE_STYLE, "first": first, "last": last,
    }


def matrix_data(g: Graph, rel: Relations, root: str) -> dict:
    states = sorted((s for s in rel.by_member if IGO + "State" in g.types(s)), key=lambda s: (g.label(s), s))
    orgs = sorted(rel.by_org, key=lambda o: (g.short(o), o))
    rank = ROLE_RANK
    label_w, col_w, row_h, top = 130, 70, 24, 50
    cells = []
    for i, s in enumerate(states):
        for j, o in enumerate(orgs):
            ms = rel.by_pair.get((s, o), [])
            if not ms:
                continue
            role = min((m.role for m in ms), key=lambda r: rank[r])
            start = min((m.start for m in ms if m.start), default=None)
            cells.append({
                "state": _slug(s), "org": _slug(o), "role": role, "style": ROLE_STYLE[role],
                "cx": label_w + j * col_w + col_w / 2, "cy": top + i * row_h + row_h / 2,
                "title": f"{g.label(s)}: {ROLE_STYLE[role]['label']} of the {g.short(o)}"
                         + (f", since {start}" if start else ", attested " + ", ".join(sorted({d for m in ms for d in m.attested})) if any(m.attested for m in ms) else ""),
            })
    bottom = top + len(states) * row_h
    return {
        "rows": [{"slug": _slug(s), "label": g.label(s), "y": top + i * row_h, "cy": top + i * row_h + row_h / 2,
                  "href": f"{root}id/{_slug(s)}.html"} for i, s in enumerate(states)],
        "cols": [{"slug": _slug(o), "label": g.short(o), "x": label_w + j * col_w, "cx": label_w + j * col_w + col_w / 2,
                  "href": f"{root}id/{_slug(o)}.html"} for j, o in enumerate(orgs)],
        "cells": cells, "top": top, "bottom": bottom, "label_w": label_w, "col_w": col_w, "row_h": row_h,
        "width": label_w + len(orgs) * col_w + 190, "height": max(bottom + 20, top + 130),
        "legend_x": label_w + len(orgs) * col_w + 24, "styles": ROLE_STYLE,
    }
