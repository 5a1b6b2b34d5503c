"""Check every owl:sameAs QID: it exists, is not merged away, its label and type fit ours."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Iterable

from igokg.namespaces import compact
from igokg.sources import Sources
from igokg.sources.reference import read_reference
from igokg.wikidata.classes import _NOT_IN_REFERENCE, EXPECTED_CLASSES
from igokg.wikidata.client import (
    WD_PREFIXES,
    WikidataClient,
    _batches,
    _qid,
    _val,
    _values,
)
from igokg.wikidata.labels import labels_match
from igokg.wikidata.ours import _linked_entities
from igokg.wikidata.tables import _csv, _table

# =========================================================================== check


@dataclass(frozen=True)
class LinkCheck:
    """The verdict on one owl:sameAs link."""

    entity: str
    qid: str
    kind: str
    label: str
    problems: tuple[str, ...]
    redirect_to: str = ""
    wikidata_label: str = ""
    matched_label: str = ""
    types: tuple[str, ...] = ()
    matched_classes: tuple[str, ...] = ()
    note: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def status(self) -> str:
        return "ok" if self.ok else ", ".join(p.split(":", 1)[0] for p in self.problems)






@dataclass
class CheckReport:
    endpoint: str
    checks: list[LinkCheck] = field(default_factory=list)

    @property
    def mismatches(self) -> list[LinkCheck]:
        return [c for c in self.checks if not c.ok]

    @property
    def ok(self) -> bool:
        return not self.mismatches

    _HEADERS = ("entity", "qid", "kind", "status", "wikidata label", "detail")

    def _cells(self) -> list[list[str]]:
        return [
            [compact(c.entity), c.qid, c.kind, c.status, c.wikidata_label, "; ".join([
                *c.problems,
                *([f"matched {c.matched_label!r}"] if c.matched_label and c.matched_label != c.wikidata_label else []),
                *([c.note] if c.note else []),
            ])]
            for c in self.checks
        ]

    def to_table(self) -> str:
        text = _table(self._HEADERS, self._cells(), widths_max=70)
        n, bad = len(self.checks), len(self.mismatches)
        return text + f"{n} link(s) checked against {self.endpoint}: {n - bad} ok, {bad} mismatch(es)\n"

    def to_csv(self) -> str:
        return _csv(self._HEADERS, self._cells())

    def to_json(self) -> str:
        return json.dumps(
            {
                "endpoint": self.endpoint,
                "ok": self.ok,
                "checked": len(self.checks),
                "mismatches": len(self.mismatches),
                "links": [{**asdict(c), "status": c.status, "ok": c.ok} for c in self.checks],
            },
            indent=2,
            ensure_ascii=False,
        ) + "\n"


def check_links(sources: Sources, client: WikidataClient, only: Iterable[str] | None = None) -> CheckReport:
    """For every owl:sameAs QID (or those in `only`): does the item exist, is it a redirect,
    does a label or alias match ours, and is it an instance of a class that fits ours?"""
    entities = _linked_entities(sources)
    if only is not None:
        keep = set(only)
        entities = [e for e in entities if e.qid in keep]
    reference = read_reference(sources.project.reference_tsv)
    qids = sorted({e.qid for e in entities})

    redirects: dict[str, str] = {}
    for batch in _batches(qids):
        for row in client.select(WD_PREFIXES + f"SELECT ?item ?target WHERE {{ VALUES ?item {{ {_values(batch)} }} ?item owl:sameAs ?target . }}"):
            if _qid(row.get("target")):
                redirects[_qid(row.get("item"))] = _qid(row.get("target"))
    resolved = sorted({redirects.get(q, q) for q in qids})

    labels: dict[str, set[str]] = defaultdict(set)
    en_label: dict[str, str] = {}
    types: dict[str, set[str]] = defaultdict(set)
    matched: dict[str, set[str]] = defaultdict(set)
    all_expected = sorted({c for _, _, exp in EXPECTED_CLASSES for c in exp})
    for batch in _batches(resolved):
        for row in client.select(WD_PREFIXES + f"""SELECT ?item ?label ?alias WHERE {{
  VALUES ?item {{ {_values(batch)} }}
  {{ ?item rdfs:label ?label }} UNION {{ ?item skos:altLabel ?alias }}
}}"""):
            q = _qid(row.get("item"))
            labels[q].add(_val(row, "label") or _val(row, "alias"))
            if row.get("label", {}).get("xml:lang") == "en" and (q not in en_label or _val(row, "label") < en_label[q]):
                en_label[q] = _val(row, "label")
        for row in client.select(WD_PREFIXES + f"SELECT ?item ?class WHERE {{ VALUES ?item {{ {_values(batch)} }} ?item wdt:P31 ?class . }}"):
            types[_qid(row.get("item"))].add(_qid(row.get("class")))
        for row in client.select(WD_PREFIXES + f"""SELECT DISTINCT ?item ?class WHERE {{
  VALUES ?item {{ {_values(batch)} }}
  VALUES ?class {{ {_values(all_expected)} }}
  ?item wdt:P31/wdt:P279* ?class .
}}"""):
            matched[_qid(row.get("item"))].add(_qid(row.get("class")))

    checks = []
    for e in entities:
        target = redirects.get(e.qid, e.qid)
        problems: list[str] = []
        if e.qid in redirects:
            problems.append(f"redirected: wd:{e.qid} is merged into wd:{target}; link to wd:{target}")
        exists = bool(labels.get(target) or types.get(target))
        if not exists:
            problems.append(f"missing: wd:{target} has no labels and no types (deleted or never existed)")
        shown = en_label.get(target, "")
        hit = (shown if shown and labels_match(e.labels, [shown]) else labels_match(e.labels, labels.get(target, ()))) if exists else None
        if exists and hit is None:
            problems.append(f"label-mismatch: none of Wikidata's labels or aliases matches {e.label!r}")
        fits = tuple(sorted(matched.get(target, set()) & set(e.expected), key=_qnum))
        if exists and e.expected and not fits:
            want = " or ".join(f"{c} ({_class_label(c, reference)})" for c in e.expected)
            have = ", ".join(sorted(types.get(target, ()), key=_qnum)) or "no P31"
            problems.append(f"type-mismatch: not an instance of {want}, as our {e.kind} should be; Wikidata has P31 {have}")
        entry = reference.get(e.qid)
        note = ""
        if entry is not None and entry.confidence == "one-source":
            note = "reference: one source only — to verify against Wikidata"
        elif entry is None:
            note = "QID not in the reference"
        checks.append(
            LinkCheck(
                entity=e.iri,
                qid=e.qid,
                kind=e.kind,
                label=e.label,
                problems=tuple(problems),
                redirect_to=redirects.get(e.qid, ""),
                wikidata_label=en_label.get(target, min(labels.get(target, {""}))),
                matched_label=hit or "",
                types=tuple(sorted(types.get(target, ()), key=_qnum)),
                matched_classes=fits,
                note=note,
            )
        )
    return CheckReport(client.endpoint, checks)


def _qnum(qid: str) -> tuple[int, str]:
    return (int(qid[1:]) if qid[1:].isdigit() else 1 << 62, qid)


def _class_label(qid: str, reference) -> str:
    entry = reference.get(qid)
    if entry is not None:
        return entry.label
    return _NOT_IN_REFERENCE.get(qid, qid)
