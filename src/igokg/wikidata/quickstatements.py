"""Our facts that Wikidata lacks, as QuickStatements v1 commands with qualifiers and references."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Sequence

from igokg.namespaces import compact
from igokg.sources import Sources
from igokg.sources.reference import read_reference
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
            urls = [v.strip('"') for p, v in c.references if p == "S854"]
            return compact(urls[0]) if urls else ""

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


def _qs_string(text: str) -> str:
    # QuickStatements v1 has no escape for a double quote inside a string; quotes in our data
    # are verbatim, so a quote that holds one is not sent (see _references).
    return '"' + re.sub(r"\s+", " ", text).strip() + '"'


def _references(sources: Sources, attestations: Sequence[str]) -> list[tuple[tuple[str, str], ...]]:
    """One reference per attestation: reference URL (S854) = our source document's IRI, which
    dereferences to its description; quote (S1683, monolingual); publication date (S577).
    No "stated in" (S248): our sources have no Wikidata items. No "retrieved" (S813): the
    seeds carry no retrieval date, and the clock must not make one up."""
    if not attestations:
        return []
    values = " ".join(f"<{a}>" for a in attestations)
    rows = _rows(sources, _OUR_PREFIXES + f"""
SELECT ?att ?src ?quote ?issued ?lang WHERE {{
  VALUES ?att {{ {values} }}
  ?att igo:source ?src .
  OPTIONAL {{ ?att igo:quote ?quote }}
  OPTIONAL {{ ?src dct:issued ?issued }}
  OPTIONAL {{ ?src dct:language ?lang }}
}} ORDER BY ?src ?att""")
    refs = []
    for r in rows:
        ref = [("S854", _qs_string(r["src"]))]
        if r["quote"] and '"' not in r["quote"] and len(r["quote"]) <= 1500:
            ref.append(("S1683", f'{(r["lang"] or "en").lower()}:{_qs_string(r["quote"])}'))
        if r["issued"]:
            ref.append(("S577", qs_time(WDate.ours(r["issued"]))))
        refs.append(tuple(ref))
    return sorted(set(refs))


def quickstatements(sources: Sources, client: WikidataClient, diff: DiffReport | None = None, check: CheckReport | None = None) -> QuickStatementsReport:
    """Our facts that Wikidata lacks, as QuickStatements v1 commands with qualifiers and a
    reference to our source. Only for QIDs the reference confirms from two sources and the
    link check passes; nothing Wikidata already states (an existing statement only gets the
    qualifiers it lacks, which QuickStatements adds to it)."""
    diff = diff if diff is not None else diff_statements(sources, client)
    check = check if check is not None else check_links(sources, client)
    reference = read_reference(sources.project.reference_tsv)
    trusted = {c.qid for c in check.checks if c.ok and reference.get(c.qid) is not None and reference[c.qid].confidence == "confirmed-2-sources"}
    untrusted_reason = {c.qid: ("link check: " + c.status) if not c.ok else "QID rests on one source" for c in check.checks if c.qid not in trusted}

    orgs = dict(_our_organizations(sources))
    qids = _qids_of(sources)
    names = _labels_of(sources)
    memberships = {(m.org, m.member): m for m in _our_memberships(sources, orgs, qids, names)}
    founding_atts = {
        r["org"]: r["atts"].split(" ")
        for r in _rows(sources, _OUR_PREFIXES + "SELECT ?org (GROUP_CONCAT(STR(?a); separator=' ') AS ?atts) WHERE { ?f a igo:Founding ; igo:founded ?org ; igo:attestation ?a } GROUP BY ?org")
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
            qualifiers = tuple((pid, qs_time(WDate.ours(v))) for pid, v in quals)
            for ref in _references(sources, m.attestations) or [()]:
                commands.append(QuickStatement(m.member_qid, "P463", m.org_qid, qualifiers, ref, m.iri))
        elif row.topic == "inception" and row.status == "ours-only":
            if not trusted_or_skip(row.organization, row.org_qid):
                continue
            value = qs_time(WDate.ours(row.ours))
            for ref in _references(sources, founding_atts.get(row.organization, [])) or [()]:
                commands.append(QuickStatement(row.org_qid, "P571", value, (), ref, row.organization))
        elif row.topic == "office" and row.status == "ours-only":
            # An office holding without a start would read as the current holder: not sent.
            skipped.append((row.subject_iri or row.organization, f"{row.property} holder {row.subject}: our graph gives no start date, only dates a source attests it"))
    commands.sort(key=lambda c: (_qnum(c.item), c.prop, _qnum(c.value), c.qualifiers, c.references))
    skipped = sorted(set(skipped))
    return QuickStatementsReport(client.endpoint, commands, skipped)
