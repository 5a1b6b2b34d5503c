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


def _clip(text: str, size: int = 18) -> str:
    """A row label that fits a compact timeline's margin (the page names the organization in full)."""
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


def _first_year(m) -> str:
    """When a membership is first known: its start, else its first phase's date or bound."""
    return m.start or next((p["start"] or p["latest_start"] for p in m.phases if p["start"] or p["latest_start"]), "9999")


def _phase_ends(p: dict) -> tuple[float, str, float | None]:
    """Where a phase's solid part ends, how ("date", "bound": between its bounds, "open": it
    reaches the data's end or nothing says it ended), and the end of its faded tail."""
    if p["end"]:
        return _year_end(p["end"]), "date", None
    known = p["earliest_end"] or p["start"] or p["latest_start"]
    if p["earliest_end"] and p["latest_end"]:
        return _year_end(known), "bound", _year_end(p["latest_end"])
    return _year_end(known), "open", None


def _phase_segment(p: dict, x, axis_end: float, what: str) -> dict | None:
    """One status phase as drawn: a solid segment from a known start (a hard edge) or from the
    latest start (with a faded lead-in back to the earliest start: the start is a bound); to
    its end date, or to its earliest end with a faded tail to the latest, or, open, to its last
    year coded and an arrow past the end of the axis ("through at least 2014", never an end)."""
    if not (p["start"] or p["latest_start"]):
        return None
    style = ROLE_STYLE[p["role"]]
    s0 = _year_value(p["start"] or p["latest_start"])
    e1, end_kind, tail = _phase_ends(p)
    x0, x1 = x(s0), x(e1)
    seg = {
        "role": p["role"], "style": style, "phase": _slug(p["iri"]),
        "start": p["start"] or p["latest_start"], "start_kind": "date" if p["start"] else "bound",
        "end": p["end"] or p["earliest_end"] or "", "end_kind": end_kind,
        "x": _fmt(x0), "w": _fmt(max(x1 - x0, 2.0)), "x1": _fmt(x0 + max(x1 - x0, 2.0)), "title": f"{what}: {style['label']} {p['span']}",
        "lead": None, "tail": None, "arrow": None,
    }
    if not p["start"]:
        lx = x(_year_value(p["earliest_start"])) if p["earliest_start"] else x0 - 8
        seg["lead"] = {"x": _fmt(lx), "w": _fmt(max(x0 - lx, 2.0))}
    if end_kind == "bound":
        seg["tail"] = {"x": _fmt(x1), "w": _fmt(max(x(tail) - x1, 2.0))}
    elif end_kind == "open":
        tip = x(axis_end) + 10
        seg["arrow"] = {"x0": _fmt(x1), "x1": _fmt(tip - 6), "tip": _fmt(tip)}
    return seg


def timeline_data(g: Graph, org: str, rel: Relations, root: str) -> dict:
    """Geometry of one organization's membership timeline: a row per member."""
    founding = sorted(
        {g.first(f, IGO + "date") for f, p in g.inc.get(org, []) if p == IGO + "founded"} - {None}
    )
    return _timeline(g, org, rel.by_org.get(org, []), lambda m: m.member, root, founding, compact=False)


def member_timeline_data(g: Graph, member: str, rel: Relations, root: str) -> dict:
    """A member's (a state's) memberships across organizations: a compact row per organization."""
    return _timeline(g, member, rel.by_member.get(member, []), lambda m: m.org, root, [], compact=True)


def _timeline(g: Graph, subject: str, mine: list, row_of, root: str, founding: list[str], compact: bool) -> dict:
    """Geometry of a timeline (pure data; the template draws it). Articles' memberships: a bar
    from the start a source gives, dots where a source attests them. Memberships known by their
    status phases (COW's): a segment per phase, styled by its status."""
    by_row: dict[str, list] = {}
    for m in mine:
        by_row.setdefault(row_of(m), []).append(m)
    dates = [d for m in mine for d in ([m.start, m.end] + m.attested) if d] + founding
    dates += [d for m in mine for p in m.phases for d in (p["start"], p["latest_start"], p["earliest_start"],
                                                          p["end"], p["earliest_end"], p["latest_end"]) if d]
    first = min(int(_year_value(d)) for d in dates) if dates else 2000
    last = max(int(_year_end(d) + 0.999) for d in dates) if dates else 2001
    opens = [e1 for m in mine for p in m.phases if (p["start"] or p["latest_start"])
             for e1, kind, _ in [_phase_ends(p)] if kind == "open"]
    if opens:
        last = max(last, int(max(opens) + 0.999) + 1)  # room for the arrows past the last year coded
    last = max(last, first + 1)
    span = last - first
    step = next(s for s in (1, 2, 5, 10, 20, 50) if span / s <= 12)

    label_w, plot_w, top = (120, 560, 40) if compact else (170, 600, 46)
    row_h, bar_h = (16, 10) if compact else (26, 14)
    rank = ROLE_RANK
    keys = sorted(by_row, key=lambda k: (
        min(rank[m.role] for m in by_row[k]), min(_first_year(m) for m in by_row[k]),
        g.short(k) if compact else g.label(k), k))

    def x(v: float) -> float:
        return label_w + (v - first) / span * plot_w

    used: set[str] = set()
    rows = []
    for i, key in enumerate(keys):
        y = top + i * row_h
        items = []
        for m in sorted(by_row[key], key=lambda m: (_first_year(m), m.iri)):
            style = ROLE_STYLE[m.role]
            what = f"{g.label(m.member)}: {style['label']} of the {g.short(m.org)}"
            bar = None
            if m.start:
                x0 = x(_year_value(m.start))
                known_to = max([_year_end(m.start)] + [_year_end(d) for d in m.attested if d >= m.start]
                               + ([_year_end(m.end)] if m.end else []))
                x1 = x(_year_value(m.end) if m.end else known_to)
                title = f"{what}, from {m.start}" + (f" to {m.end}" if m.end else "; no end date in the sources")
                bar = {
                    "x": _fmt(x0), "w": _fmt(max(x1 - x0, 2.0)), "x1": _fmt(x0 + max(x1 - x0, 2.0)), "start": m.start, "end": m.end or "",
                    "open_x1": _fmt(x(last)) if not m.end else None, "open_x0": _fmt(x1), "title": title,
                }
                used.add(m.role)
                if not m.end:
                    used.add("no-end")
            phases = [] if m.start else [
                seg for p in m.phases if (seg := _phase_segment(p, x, last, f"{g.label(m.member)} in the {g.short(m.org)}"))]
            for seg in phases:
                used.add(seg["role"])
                used.update(k for k in ("lead", "tail", "arrow") if seg[k])
            marks = [
                {"cx": _fmt(x(_year_value(d, mid=True))), "date": d,
                 "title": f"{what}: attested {d} by " + "; ".join(
                     sorted({a["source"]["text"] for a in m.attestations if a["date"] == d and a["source"]}))}
                for d in m.attested
            ]
            if marks:
                used.add("attested")
            items.append({"role": m.role, "style": style, "bar": bar, "phases": phases, "marks": marks, "iri": m.iri})
        rows.append({
            "slug": _slug(key), "label": _clip(g.short(key)) if compact else g.label(key), "y": y, "cy": y + row_h / 2,
            "href": f"{root}id/{_slug(key)}.html", "items": items,
        })
    plot_bottom = top + max(len(rows), 1) * row_h
    ticks = [{"x": _fmt(x(yr)), "year": yr, "label": yr % step == 0 or span <= 12} for yr in range(first, last + 1)]
    founded = [{"x": _fmt(x(_year_value(d))), "date": d} for d in founding]
    if founded:
        used.add("founded")
    legend = _legend(used)
    legend_y = plot_bottom + 40
    width = label_w + plot_w + 40
    return {
        "org": subject, "org_label": g.label(subject), "org_short": g.short(subject), "org_slug": _slug(subject),
        "org_href": f"{root}id/{_slug(subject)}.html", "compact": compact,
        "width": width, "height": legend_y + (max(e["y"] for e in legend) + 24 if legend else 10),
        "rows": rows, "ticks": ticks, "founded": founded, "bar_h": bar_h,
        "top": top, "plot_left": label_w, "plot_right": _fmt(label_w + plot_w), "plot_bottom": plot_bottom,
        "row_h": row_h, "legend_y": legend_y, "legend": legend, "first": first, "last": last,
    }


_LEGEND_MARKS = (
    ("attested", "attested by a source at this date (not a start)"),
    ("no-end", "no end date in the sources"),
    ("lead", "start known only as a bound (faded: from the earliest to the latest start)"),
    ("tail", "end known only as a bound (faded: from the earliest to the latest end)"),
    ("arrow", "open: held through at least the data's last year, not an end"),
    ("founded", "founding of the organization"),
)


def _legend(used: set[str]) -> list[dict]:
    """A legend entry for each style the picture uses: the statuses in a row, then the marks."""
    out = [{"kind": "role", "role": r, "style": ROLE_STYLE[r], "text": ROLE_STYLE[r]["label"], "x": i * 140, "y": 0}
           for i, r in enumerate(r for r in ROLE_STYLE if r in used)]
    y = 16 if out else 0
    for kind, text in _LEGEND_MARKS:
        if kind in used:
            out.append({"kind": kind, "text": text, "x": 0, "y": y + 6})
            y += 16
    return out


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
