"""Our facts that Wikidata lacks, as QuickStatements v1 commands with qualifiers and references.

Stage: wikidata (a consumer). Input: the loaded graph, the diff and the link check. Output: a
`QuickStatementsReport`: the commands, and what is held back with the reason.

A quote is cited only for the statement it supports: a command with a start or end time
(P580/P582) or an inception (P571) cites only the attestations that state that date
(igo:datedBy), and only if one of their quotes states its year; a command without a date cites
every attestation of the fact. Each reference cites the source itself (`references.py`: stated
in, reference URL, title, publication date, last update, retrieved) plus the quote (S1683),
never our own IRI.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Sequence

from igokg.namespaces import compact
from igokg.sources import Sources
from igokg.sources.reference import read_references
from igokg.wikidata.check import CheckReport, _qnum, check_links
from igokg.wikidata.client import WikidataClient
from igokg.wikidata.dates import WDate, qs_time
from igokg.wikidata.diff import (
    DiffReport,
    _labels_of,
    _our_memberships,
    _our_organizations,
    _qids_of,
    _standing,
    diff_statements,
)
from igokg.wikidata.ours import _OUR_PREFIXES, _rows
from igokg.wikidata.references import SourceReference, qs_monolingual, source_references
from igokg.wikidata.tables import _csv, _table

# =========================================================================== quickstatements


@dataclass(frozen=True)
class QuickStatement:
    """One QuickStatements v1 command: tab-separated item, property, value, qualifiers, sources."""

    item: str
    prop: str
    value: str
    qualifiers: tuple[tuple[str, str], ...] = ()
    references: tuple[tuple[str, str], ...] = ()
    why: str = ""  # what in our graph this comes from

    def line(self) -> str:
        parts = [self.item, self.prop, self.value]
        for p, v in (*self.qualifiers, *self.references):
            parts += [p, v]
        return "\t".join(parts)


@dataclass
class QuickStatementsReport:
    endpoint: str
    commands: list[QuickStatement] = field(default_factory=list)
    #: What we have but do not send, and why (an unverified QID, a role without a verified QID…).
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def to_quickstatements(self) -> str:
        return "".join(c.line() + "\n" for c in self.commands)

    def to_table(self) -> str:
        def source(c: QuickStatement) -> str:
            cited = dict(c.references)
            return cited.get("S854", "").strip('"') or cited.get("S248", "")

        cells = [[c.item, c.prop, c.value, " ".join(f"{p} {v}" for p, v in c.qualifiers), source(c), compact(c.why)] for c in self.commands]
        text = _table(("item", "property", "value", "qualifiers", "reference", "from"), cells, widths_max=60)
        text += f"{len(self.commands)} command(s) for facts Wikidata lacks ({self.endpoint})"
        if self.skipped:
            text += f"; {len(self.skipped)} fact(s) held back:\n" + "".join(f"  {compact(w)}: {r}\n" for w, r in self.skipped)
        else:
            text += "\n"
        return text

    def to_csv(self) -> str:
        return _csv(("item", "property", "value", "qualifiers", "references", "from", "quickstatements"),
                    ([c.item, c.prop, c.value, " ".join(f"{p} {v}" for p, v in c.qualifiers), " ".join(f"{p} {v}" for p, v in c.references), c.why, c.line()] for c in self.commands))

    def to_json(self) -> str:
        return json.dumps(
            {
                "endpoint": self.endpoint,
                "commands": [{"item": c.item, "property": c.prop, "value": c.value, "qualifiers": [list(q) for q in c.qualifiers],
                              "references": [list(r) for r in c.references], "from": c.why, "line": c.line()} for c in self.commands],
                "skipped": [{"from": w, "reason": r} for w, r in self.skipped],
            },
            indent=2,
            ensure_ascii=False,
        ) + "\n"


@dataclass(frozen=True)
class _Cited:
    """The references for one command, or why there are none."""

    references: tuple[tuple[tuple[str, str], ...], ...]
    problem: str = ""


@dataclass(frozen=True)
class _Att:
    source: str
    quote: str
    years: tuple[str, ...]  # the years a record locator names (first, last): the dates it states


def _attestations(sources: Sources) -> dict[str, _Att]:
    """Every attestation with its source, quote and locator years: read once, not per command
    (17,000 memberships from COW would make 17,000 queries)."""
    rows = _rows(sources, _OUR_PREFIXES + """
SELECT ?att ?src ?quote ?fy ?ly WHERE {
  ?att igo:source ?src .
  OPTIONAL { ?att igo:quote ?quote }
  OPTIONAL { ?att igo:locator ?l . OPTIONAL { ?l igo:firstYear ?fy } OPTIONAL { ?l igo:lastYear ?ly } }
}""")
    return {r["att"]: _Att(r["src"], r["quote"], tuple(y[:4] for y in (r["fy"], r["ly"]) if y)) for r in rows}


def _cite(atts: dict[str, _Att], refs: dict[str, SourceReference], attestations: Sequence[str], years: Sequence[str] = ()) -> _Cited:
    """One reference per attestation: the source's reference (stated in, URL, title, dates)
    and the quote (S1683, in the source's language; left out where QuickStatements cannot
    carry it). With `years` (the years of the command's date values), an attestation is cited
    only if it states one of them: its quote names the year, or its record locator's first or
    last year is the year (the cells around it show the change). A quote that does not state
    a date does not support it."""
    if not attestations:
        return _Cited((), "no attestation states it")
    out, problems = [], []
    for a in sorted(set(attestations), key=lambda a: (atts[a].source if a in atts else "", a)):
        att = atts.get(a)
        if att is None:
            problems.append(f"{compact(a)} names no source")
            continue
        if years and not any(y in att.quote or y in att.years for y in years):
            problems.append(f"{compact(a)} does not state {' or '.join(years)}")
            continue
        ref = refs.get(att.source)
        if ref is None or not ref.citable:
            problems.append(ref.problem if ref else f"{compact(att.source)} is not a source")
            continue
        pairs = list(ref.pairs)
        quote = qs_monolingual(ref.language, att.quote) if att.quote else None
        if quote:
            pairs.append(("S1683", quote))
        out.append(tuple(pairs))
    if out:
        return _Cited(tuple(sorted(set(out))))
    return _Cited((), "; ".join(sorted(set(problems))) or "no citable attestation")


def quickstatements(sources: Sources, client: WikidataClient, diff: DiffReport | None = None, check: CheckReport | None = None) -> QuickStatementsReport:
    """Our facts that Wikidata lacks, as QuickStatements v1 commands with qualifiers and a
    reference to our source. Only for QIDs the reference confirms from two sources and the
    link check passes; nothing Wikidata already states (an existing statement only gets the
    qualifiers it lacks, which QuickStatements adds to it)."""
    diff = diff if diff is not None else diff_statements(sources, client)
    check = check if check is not None else check_links(sources, client)
    reference = read_references(sources.project.reference_tsv)  # the articles' table and COW's
    trusted = {c.qid for c in check.checks if c.ok and reference.get(c.qid) is not None and reference[c.qid].confidence == "confirmed-2-sources"}
    untrusted_reason = {c.qid: ("link check: " + c.status) if not c.ok else "QID rests on one source" for c in check.checks if c.qid not in trusted}

    orgs = dict(_our_organizations(sources))
    qids = _qids_of(sources)
    names = _labels_of(sources)
    refs = source_references(sources, trusted)
    atts = _attestations(sources)
    memberships = {(m.org, m.member): m for m in _our_memberships(sources, orgs, qids, names)}
    # an inception is cited with the attestations that state the founding date (igo:datedBy)
    founding_atts = {
        r["org"]: sorted(r["atts"].split(" "))
        for r in _rows(sources, _OUR_PREFIXES + "SELECT ?org (GROUP_CONCAT(STR(?a); separator=' ') AS ?atts) WHERE { ?f a igo:Founding ; igo:founded ?org ; igo:datedBy ?a } GROUP BY ?org")
    }
    commands: list[QuickStatement] = []
    skipped: list[tuple[str, str]] = []

    def trusted_or_skip(why: str, *qs: str) -> bool:
        for q in qs:
            if not q:
                skipped.append((why, "no Wikidata link"))
                return False
            if q not in trusted:
                skipped.append((why, f"wd:{q}: {untrusted_reason.get(q, 'not checked')}"))
                return False
        return True

    for row in diff.rows:
        if row.status == "conflict":
            skipped.append((row.subject_iri or row.organization, f"{row.property} {row.subject}: conflicts with Wikidata ({row.detail}); settle it by hand"))
        elif row.topic == "membership" and row.status in ("ours-only", "agree"):
            m = memberships.get((row.organization, row.subject_iri))
            if m is None:
                continue
            quals = tuple(row.missing) if row.status == "agree" else tuple(
                (pid, d.text) for pid, d in (("P580", m.start), ("P582", m.end)) if d is not None
            )
            if row.status == "agree" and not quals:
                continue  # Wikidata has it all
            if not trusted_or_skip(m.iri, m.member_qid, m.org_qid):
                continue
            if _standing(m.roles) != "member" and row.status == "ours-only":
                # "subject has role" needs the QID of the role item; the reference has none verified.
                skipped.append((m.iri, f"role {_standing(m.roles)} needs a subject has role (P2868) value, and the reference verifies no QID for it"))
                continue
            periods = [p for p in m.phases if p.standing == "member"]
            if len(periods) > 1:
                # QuickStatements v1 adds a line whose value the item already has to that
                # statement: two periods would become one statement with two starts.
                spans = ", ".join(f"{p.start or '…'}–{p.end or ''}" for p in periods)
                skipped.append((m.iri, f"P463 {m.member_label}: {len(periods)} periods of membership ({spans}); "
                                       "QuickStatements v1 would merge them into one statement: add them by hand"))
                continue
            if m.phases and row.status == "ours-only":
                commands += _phase_commands(m, atts, refs, skipped)
                continue
            qualifiers = tuple((pid, qs_time(WDate.ours(v))) for pid, v in quals)
            # a start or end is cited only with the quotes that state it; membership alone
            # with every quote that attests it
            cited = _cite(atts, refs, m.dated_by, [v[:4] for _, v in quals]) if quals else _cite(atts, refs, m.attestations)
            if not cited.references:
                what = " and ".join(f"{pid} {v}" for pid, v in quals) if quals else "membership"
                skipped.append((m.iri, f"P463 {m.member_label}: no quote supports the {what} ({cited.problem}); not sent"))
                continue
            for ref in cited.references:
                commands.append(QuickStatement(m.member_qid, "P463", m.org_qid, qualifiers, ref, m.iri))
        elif row.topic == "inception" and row.status == "ours-only":
            if not trusted_or_skip(row.organization, row.org_qid):
                continue
            value = qs_time(WDate.ours(row.ours))
            cited = _cite(atts, refs, founding_atts.get(row.organization, []), [row.ours[:4]])
            if not cited.references:
                skipped.append((row.organization, f"P571 {row.subject}: no quote supports the inception {row.ours} ({cited.problem}); not sent"))
                continue
            for ref in cited.references:
                commands.append(QuickStatement(row.org_qid, "P571", value, (), ref, row.organization))
        elif row.topic == "office" and row.status == "ours-only":
            # An office holding without a start would read as the current holder: not sent.
            skipped.append((row.subject_iri or row.organization, f"{row.property} holder {row.subject}: our graph gives no start date, only dates a source attests it"))
    # a post without a Wikidata property is compared with nothing, and sent nowhere
    skipped += [(w, r + "; not sent") for w, r in diff.not_compared]
    commands.sort(key=lambda c: (_qnum(c.item), c.prop, _qnum(c.value), c.qualifiers, c.references))
    skipped = sorted(set(skipped))
    return QuickStatementsReport(client.endpoint, commands, skipped)


def _phase_commands(m, atts: dict[str, _Att], refs: dict[str, SourceReference], skipped: list[tuple[str, str]]) -> list[QuickStatement]:
    """A membership known by its phases, which Wikidata lacks: one P463 per member phase, with
    the start (P580) and end (P582) the source dates (a year: precision 9; a bound or an open
    end is no qualifier), cited with the phase's attestations (a dataset: its reference, no
    quote). A phase of another status needs a subject has role (P2868) value that the reference
    does not verify: held back and listed."""
    out = []
    for p in m.phases:
        if p.standing != "member":
            skipped.append((p.iri, f"{p.standing} of {compact(m.org)}: needs a subject has role (P2868) value, and the "
                                   "reference verifies no QID for it; not sent"))
            continue
        quals = tuple((pid, d) for pid, d in (("P580", p.start), ("P582", p.end)) if d is not None)
        cited = _cite(atts, refs, p.attestations, [d.text[:4] for _, d in quals]) if quals else _cite(atts, refs, p.attestations)
        if not cited.references:
            skipped.append((p.iri, f"P463 {m.member_label}: no citable attestation ({cited.problem}); not sent"))
            continue
        for ref in cited.references:
            out.append(QuickStatement(m.member_qid, "P463", m.org_qid, tuple((pid, qs_time(d)) for pid, d in quals), ref, p.iri))
    return out
