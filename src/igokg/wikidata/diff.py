"""Lay Wikidata's statements on our organizations beside ours: memberships, inception,
headquarters and office holders, each row agree / conflict / ours-only / wikidata-only.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict, dataclass, field

from igokg.namespaces import ID, IGO, RDFS, WD, compact
from igokg.sources import Sources
from igokg.wikidata.check import _qnum
from igokg.wikidata.classes import OFFICE_PROPERTIES, STATE_CLASSES
from igokg.wikidata.client import WD_PREFIXES, WikidataClient, _qid, _val, _values
from igokg.wikidata.dates import WDate, _before, _same
from igokg.wikidata.labels import labels_match, normalize_label
from igokg.wikidata.ours import _OUR_PREFIXES, _rows
from igokg.wikidata.phases import OurPhase, phases_of, summarize
from igokg.wikidata.tables import _csv, _table

# =========================================================================== diff


ROLE_LABELS = {
    "member": "member",
    "member state": "member",
    "full member": "member",
    "founding member": "founding member",
    "founder": "founding member",
    "observer": "observer",
    "observer state": "observer",
    "dialogue partner": "dialogue partner",
    "partner": "dialogue partner",
    "associate member": "associate member",
    "associate": "associate member",
}
_OUR_ROLES = {IGO + "Member": "member", IGO + "FoundingMember": "founding member", IGO + "Observer": "observer", IGO + "DialoguePartner": "dialogue partner"}


def _role_of(label: str) -> str:
    key = " ".join(sorted(normalize_label(label)))
    for text, role in ROLE_LABELS.items():
        if " ".join(sorted(normalize_label(text))) == key:
            return role
    return label or "?"


def _standing(roles: set[str]) -> str:
    """Associate member, observer and dialogue partner are not (full) membership; anything else is."""
    for r in ("associate member", "observer", "dialogue partner"):
        if r in roles:
            return r
    return "member"


@dataclass(frozen=True)
class DiffRow:
    topic: str  # membership | inception | headquarters | office
    organization: str  # our IRI
    org_qid: str
    subject: str  # member / holder / place label
    subject_qid: str
    property: str  # the Wikidata property (P463, P571, P159, P3975…)
    ours: str
    wikidata: str
    status: str  # agree | ours-only | wikidata-only | conflict
    detail: str = ""
    subject_iri: str = ""
    #: Qualifiers and values we have that Wikidata's statement lacks: (property, value) pairs.
    missing: tuple[tuple[str, str], ...] = ()


STATUSES = ("agree", "conflict", "ours-only", "wikidata-only")


@dataclass
class DiffReport:
    endpoint: str
    rows: list[DiffRow] = field(default_factory=list)
    #: What we hold but do not compare, and why: (our IRI, reason). A post holding whose post
    #: names no Wikidata property (igo:wikidataProperty) has nothing to be compared with.
    not_compared: list[tuple[str, str]] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def conflicts(self) -> list[DiffRow]:
        return [r for r in self.rows if r.status == "conflict"]

    _HEADERS = ("topic", "organization", "subject", "property", "ours", "wikidata", "status", "detail")

    def _cells(self) -> list[list[str]]:
        return [
            [r.topic, f"{compact(r.organization)} ({r.org_qid})", f"{r.subject} ({r.subject_qid})" if r.subject_qid else r.subject, r.property, r.ours, r.wikidata, r.status, r.detail]
            for r in self.rows
        ]

    def summary(self) -> str:
        return ", ".join(f"{self.count(s)} {s}" for s in STATUSES)

    def to_table(self) -> str:
        text = _table(self._HEADERS, self._cells(), widths_max=48) + f"{len(self.rows)} statement(s) compared with {self.endpoint}: {self.summary()}\n"
        if self.not_compared:
            text += f"{len(self.not_compared)} not compared:\n" + "".join(f"  {compact(w)}: {r}\n" for w, r in self.not_compared)
        return text

    def to_csv(self) -> str:
        return _csv(
            ("topic", "organization", "org_qid", "subject", "subject_qid", "property", "ours", "wikidata", "status", "detail"),
            ([r.topic, r.organization, r.org_qid, r.subject, r.subject_qid, r.property, r.ours, r.wikidata, r.status, r.detail] for r in self.rows),
        )

    def to_json(self) -> str:
        rows = []
        for r in self.rows:
            d = asdict(r)
            d["missing"] = [list(m) for m in r.missing]
            rows.append(d)
        return json.dumps(
            {"endpoint": self.endpoint, "counts": {s: self.count(s) for s in STATUSES}, "rows": rows,
             "not_compared": [{"from": w, "reason": r} for w, r in self.not_compared]},
            indent=2,
            ensure_ascii=False,
        ) + "\n"


@dataclass
class _OurMembership:
    iri: str
    member: str
    member_qid: str
    member_label: str
    org: str
    org_qid: str
    roles: set[str]
    start: WDate | None
    end: WDate | None
    attested: list[WDate]
    attestations: list[str]
    #: The attestations whose quote states the start or end (igo:datedBy): the only ones a
    #: start time or end time may be cited with.
    dated_by: list[str] = field(default_factory=list)
    #: For a membership without igo:role: its status phases (wikidata.phases), each a statement.
    phases: list[OurPhase] = field(default_factory=list)


@dataclass
class _WdStatement:
    subject: str  # QID of the member / holder / value
    label: str
    labels: set[str]
    prop: str
    start: WDate | None = None
    end: WDate | None = None
    roles: set[str] = field(default_factory=set)
    via: set[str] = field(default_factory=set)


def _our_organizations(sources: Sources) -> list[tuple[str, str]]:
    rows = _rows(sources, _OUR_PREFIXES + f"""
SELECT DISTINCT ?org ?wd WHERE {{
  ?m a igo:Membership ; igo:organization ?org .
  ?org owl:sameAs ?wd . FILTER(STRSTARTS(STR(?wd), "{WD}"))
}} ORDER BY ?org""")
    return [(r["org"], r["wd"][len(WD):]) for r in rows]


def _qids_of(sources: Sources) -> dict[str, str]:
    rows = _rows(sources, _OUR_PREFIXES + f'SELECT ?e ?wd WHERE {{ ?e owl:sameAs ?wd . FILTER(STRSTARTS(STR(?wd), "{WD}")) }}')
    return {r["e"]: r["wd"][len(WD):] for r in rows}


def _labels_of(sources: Sources) -> dict[str, list[str]]:
    rows = _rows(sources, _OUR_PREFIXES + "SELECT ?e ?p ?l WHERE { VALUES ?p { rdfs:label skos:altLabel } ?e ?p ?l . FILTER(STRSTARTS(STR(?e), \"" + ID + "\")) }")
    out: dict[str, list[str]] = defaultdict(list)
    for r in sorted(rows, key=lambda r: (r["e"], r["p"] != RDFS + "label", r["l"])):
        out[r["e"]].append(r["l"])
    return out


def _our_memberships(sources: Sources, orgs: dict[str, str], qids: dict[str, str], names: dict[str, list[str]]) -> list[_OurMembership]:
    rows = _rows(sources, _OUR_PREFIXES + """
SELECT ?m ?member ?org ?role ?start ?end ?att ?at ?dated WHERE {
  ?m a igo:Membership ; igo:member ?member ; igo:organization ?org .
  OPTIONAL { ?m igo:role ?role }
  OPTIONAL { ?m igo:startDate ?start }
  OPTIONAL { ?m igo:endDate ?end }
  OPTIONAL { ?m igo:attestation ?att . OPTIONAL { ?att igo:attestedAt ?at } }
  OPTIONAL { ?m igo:datedBy ?dated }
}""")
    out: dict[str, _OurMembership] = {}
    for r in rows:
        if r["org"] not in orgs:
            continue
        m = out.get(r["m"])
        if m is None:
            m = out[r["m"]] = _OurMembership(
                r["m"], r["member"], qids.get(r["member"], ""), (names.get(r["member"]) or [compact(r["member"])])[0],
                r["org"], orgs[r["org"]], set(), WDate.ours(r["start"]) if r["start"] else None,
                WDate.ours(r["end"]) if r["end"] else None, [], [],
            )
        if r["role"]:
            m.roles.add(_OUR_ROLES.get(r["role"], compact(r["role"])))
        if r["at"] and WDate.ours(r["at"]) not in m.attested:
            m.attested.append(WDate.ours(r["at"]))
        if r["att"] and r["att"] not in m.attestations:
            m.attestations.append(r["att"])
        if r["dated"] and r["dated"] not in m.dated_by:
            m.dated_by.append(r["dated"])
    phases = phases_of(sources)
    for m in out.values():
        if not m.roles and m.iri in phases:
            # Known by its phases only (COW, the Factbook): the phases say it as one statement.
            m.phases = phases[m.iri]
            m.roles, m.start, m.end, atts, m.dated_by = summarize(m.phases)
            m.attestations = sorted(set(m.attestations) | set(atts))
        m.attestations.sort()
        m.dated_by.sort()
    return sorted(out.values(), key=lambda m: (m.org, m.member))


def _unlinked_organizations(sources: Sources) -> list[tuple[str, str]]:
    """Organizations with memberships but no Wikidata link: listed as not compared, not errors."""
    rows = _rows(sources, _OUR_PREFIXES + f"""
SELECT ?org (COUNT(DISTINCT ?m) AS ?n) WHERE {{
  ?m a igo:Membership ; igo:organization ?org .
  FILTER NOT EXISTS {{ ?org owl:sameAs ?wd . FILTER(STRSTARTS(STR(?wd), "{WD}")) }}
}} GROUP BY ?org""")
    return [(r["org"], f"no verified Wikidata link: its {r['n']} membership(s) are not compared") for r in rows]


def _wd_memberships(client: WikidataClient, org_qids: list[str]) -> dict[str, dict[str, _WdStatement]]:
    """org QID -> member QID -> the statement, merged from member P463 and the org's P527."""
    out: dict[str, dict[str, _WdStatement]] = defaultdict(dict)
    if not org_qids:
        return out
    rows = client.select(WD_PREFIXES + f"""SELECT DISTINCT ?org ?member ?memberLabel ?via ?st ?start ?startPrecision ?end ?endPrecision ?role ?roleLabel WHERE {{
  VALUES ?org {{ {_values(org_qids)} }}
  {{ ?member p:P463 ?st . ?st ps:P463 ?org . BIND("P463" AS ?via) }}
  UNION
  {{ ?org p:P527 ?st . ?st ps:P527 ?member .
     VALUES ?stateClass {{ {_values(STATE_CLASSES)} }}
     ?member wdt:P31/wdt:P279* ?stateClass . BIND("P527" AS ?via) }}
  FILTER NOT EXISTS {{ ?st wikibase:rank wikibase:DeprecatedRank }}
  OPTIONAL {{ ?st pqv:P580 ?sv . ?sv wikibase:timeValue ?start ; wikibase:timePrecision ?startPrecision }}
  OPTIONAL {{ ?st pqv:P582 ?ev . ?ev wikibase:timeValue ?end ; wikibase:timePrecision ?endPrecision }}
  OPTIONAL {{ ?st pq:P2868 ?role . OPTIONAL {{ ?role rdfs:label ?roleLabel . FILTER(LANG(?roleLabel) = "en") }} }}
  OPTIONAL {{ ?member rdfs:label ?memberLabel . FILTER(LANG(?memberLabel) = "en") }}
}}""")
    for r in rows:
        org, member = _qid(r.get("org")), _qid(r.get("member"))
        s = out[org].get(member)
        if s is None:
            s = out[org][member] = _WdStatement(member, _val(r, "memberLabel") or member, set(), "P463")
        s.via.add(_val(r, "via"))
        if _val(r, "start"):
            d = WDate.wikidata(_val(r, "start"), _val(r, "startPrecision"))
            s.start = d if s.start is None or d < s.start else s.start
        if _val(r, "end"):
            d = WDate.wikidata(_val(r, "end"), _val(r, "endPrecision"))
            s.end = d if s.end is None or d > s.end else s.end
        if r.get("role"):
            s.roles.add(_role_of(_val(r, "roleLabel") or _qid(r.get("role"))))
    return out


def _period(start: WDate | None, end: WDate | None) -> str:
    if not start and not end:
        return ""
    return f"{start or '…'}–{end or ''}"


def _fmt_membership(roles: set[str], start: WDate | None, end: WDate | None) -> str:
    text = ", ".join(sorted(roles)) if roles else "member"
    p = _period(start, end)
    return f"{text} {p}".strip()


def _compare_membership(ours: _OurMembership, wd: _WdStatement) -> tuple[str, list[str], list[tuple[str, str]]]:
    problems, notes, missing = [], [], []
    wd_roles = set(wd.roles) or {"member"}
    if _standing(ours.roles) != _standing(wd_roles):
        problems.append(f"role: ours {_standing(ours.roles)}, Wikidata {_standing(wd_roles)}" + ("" if wd.roles else " (no subject has role)"))
    elif wd.roles and ({"founding member"} & ours.roles) != ({"founding member"} & wd_roles):
        problems.append(f"role: ours {', '.join(sorted(ours.roles))}, Wikidata {', '.join(sorted(wd_roles))}")
    for name, mine, theirs, pid in (("start", ours.start, wd.start, "P580"), ("end", ours.end, wd.end, "P582")):
        if mine and theirs and not _same(mine, theirs):
            problems.append(f"{name}: ours {mine}, Wikidata {theirs}")
        elif mine and not theirs:
            notes.append(f"{name} {mine} only in ours")
            missing.append((pid, mine.text))
        elif theirs and not mine:
            notes.append(f"{name} {theirs} only in Wikidata")
    for d in sorted(ours.attested):
        if wd.start and _before(d, wd.start):
            problems.append(f"a source attests it on {d}, before Wikidata's start {wd.start}")
        if wd.end and _before(wd.end, d):
            problems.append(f"a source attests it on {d}, after Wikidata's end {wd.end}")
    if wd.via == {"P527"}:
        notes.append("Wikidata states it only as has part(s) (P527) on the organization")
    return ("conflict" if problems else "agree"), problems + notes, missing


def _diff_memberships(sources, client, orgs, qids, names) -> list[DiffRow]:
    ours = _our_memberships(sources, orgs, qids, names)
    theirs = _wd_memberships(client, sorted(set(orgs.values()), key=_qnum))
    by_qid = {q: e for e, q in qids.items()}
    rows: list[DiffRow] = []
    seen: set[tuple[str, str]] = set()
    for m in ours:
        wd = theirs.get(m.org_qid, {}).get(m.member_qid) if m.member_qid else None
        ours_text = _fmt_membership(m.roles, m.start, m.end)
        if wd is None:
            detail = "" if m.member_qid else "member has no Wikidata link"
            rows.append(DiffRow("membership", m.org, m.org_qid, m.member_label, m.member_qid, "P463", ours_text, "", "ours-only", detail, m.member))
            continue
        seen.add((m.org_qid, m.member_qid))
        status, details, missing = _compare_membership(m, wd)
        rows.append(
            DiffRow("membership", m.org, m.org_qid, m.member_label, m.member_qid, "P463", ours_text,
                    _fmt_membership(wd.roles, wd.start, wd.end), status, "; ".join(details), m.member, tuple(missing))
        )
    for org, org_qid in sorted(orgs.items()):
        for member, wd in sorted(theirs.get(org_qid, {}).items(), key=lambda kv: _qnum(kv[0])):
            if (org_qid, member) in seen:
                continue
            ours_entity = by_qid.get(member, "")
            label = (names.get(ours_entity) or [wd.label])[0]
            detail = "only as has part(s) (P527)" if wd.via == {"P527"} else ""
            rows.append(DiffRow("membership", org, org_qid, label, member, "P463", "", _fmt_membership(wd.roles, wd.start, wd.end), "wikidata-only", detail, ours_entity))
    return rows


def _diff_inception(sources, client, orgs, names) -> list[DiffRow]:
    ours = {
        r["org"]: WDate.ours(r["date"])
        for r in _rows(sources, _OUR_PREFIXES + "SELECT ?org ?date WHERE { ?f a igo:Founding ; igo:founded ?org ; igo:date ?date }")
    }
    theirs: dict[str, list[WDate]] = defaultdict(list)
    if orgs:
        for r in client.select(WD_PREFIXES + f"""SELECT ?org ?date ?precision WHERE {{
  VALUES ?org {{ {_values(sorted(set(orgs.values()), key=_qnum))} }}
  ?org p:P571 ?st . ?st psv:P571 ?v . ?v wikibase:timeValue ?date ; wikibase:timePrecision ?precision .
  FILTER NOT EXISTS {{ ?st wikibase:rank wikibase:DeprecatedRank }}
}}"""):
            theirs[_qid(r.get("org"))].append(WDate.wikidata(_val(r, "date"), _val(r, "precision")))
    rows = []
    for org, qid in sorted(orgs.items()):
        mine, wds = ours.get(org), sorted(set(theirs.get(qid, [])))
        label = (names.get(org) or [compact(org)])[0]
        wtext = ", ".join(map(str, wds))
        if mine and not wds:
            rows.append(DiffRow("inception", org, qid, label, "", "P571", str(mine), "", "ours-only", "", org, (("P571", mine.text),)))
        elif wds and not mine:
            rows.append(DiffRow("inception", org, qid, label, "", "P571", "", wtext, "wikidata-only", "", org))
        elif mine and wds:
            ok = any(_same(mine, d) for d in wds)
            rows.append(DiffRow("inception", org, qid, label, "", "P571", str(mine), wtext, "agree" if ok else "conflict", "" if ok else f"inception: ours {mine}, Wikidata {wtext}", org))
    return rows


def _diff_headquarters(client, orgs, qids, names) -> list[DiffRow]:
    # The ontology has no headquarters property yet: every Wikidata value is Wikidata-only.
    by_qid = {q: e for e, q in qids.items()}
    rows = []
    if not orgs:
        return rows
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for r in client.select(WD_PREFIXES + f"""SELECT ?org ?hq ?hqLabel WHERE {{
  VALUES ?org {{ {_values(sorted(set(orgs.values()), key=_qnum))} }}
  ?org wdt:P159 ?hq .
  OPTIONAL {{ ?hq rdfs:label ?hqLabel . FILTER(LANG(?hqLabel) = "en") }}
}}"""):
        found[_qid(r.get("org"))][_qid(r.get("hq"))] = _val(r, "hqLabel")
    for org, qid in sorted(orgs.items()):
        for hq, label in sorted(found.get(qid, {}).items(), key=lambda kv: _qnum(kv[0])):
            ours = by_qid.get(hq, "")
            rows.append(DiffRow("headquarters", org, qid, (names.get(ours) or [label or hq])[0], hq, "P159", "", label or hq, "wikidata-only", "our model has no headquarters property", ours))
    return rows


@dataclass
class _OurHolding:
    iri: str
    holder: str
    holder_qid: str
    labels: list[str]
    org: str
    org_qid: str
    prop: str
    post: str
    start: WDate | None
    end: WDate | None
    attested: list[WDate]
    attestations: list[str]


def _diff_offices(sources, client, orgs, qids, names, not_compared: list[tuple[str, str]]) -> list[DiffRow]:
    rows_ours = _rows(sources, _OUR_PREFIXES + """
SELECT ?h ?holder ?post ?org ?prop ?start ?end ?att ?at WHERE {
  ?h a igo:PostHolding ; igo:holder ?holder ; igo:post ?post .
  ?post igo:postIn ?org .
  OPTIONAL { ?post igo:wikidataProperty ?prop }
  OPTIONAL { ?h igo:startDate ?start }
  OPTIONAL { ?h igo:endDate ?end }
  OPTIONAL { ?h igo:attestation ?att . OPTIONAL { ?att igo:attestedAt ?at } }
}""")
    ours: dict[str, _OurHolding] = {}
    for r in rows_ours:
        if r["org"] not in orgs:
            continue
        h = ours.get(r["h"])
        if h is None:
            h = ours[r["h"]] = _OurHolding(
                r["h"], r["holder"], qids.get(r["holder"], ""), names.get(r["holder"]) or [compact(r["holder"])],
                r["org"], orgs[r["org"]], r["prop"][len(WD):] if r["prop"].startswith(WD) else "", r["post"],
                WDate.ours(r["start"]) if r["start"] else None, WDate.ours(r["end"]) if r["end"] else None, [], [],
            )
        if r["at"] and WDate.ours(r["at"]) not in h.attested:
            h.attested.append(WDate.ours(r["at"]))
        if r["att"] and r["att"] not in h.attestations:
            h.attestations.append(r["att"])

    theirs: dict[str, dict[str, _WdStatement]] = defaultdict(dict)
    if orgs:
        props = " ".join(f'(p:{p} ps:{p} "{p}")' for p in OFFICE_PROPERTIES)
        for r in client.select(WD_PREFIXES + f"""SELECT DISTINCT ?org ?pid ?holder ?holderLabel ?start ?startPrecision ?end ?endPrecision WHERE {{
  VALUES ?org {{ {_values(sorted(set(orgs.values()), key=_qnum))} }}
  VALUES (?p ?ps ?pid) {{ {props} }}
  ?org ?p ?st . ?st ?ps ?holder .
  FILTER NOT EXISTS {{ ?st wikibase:rank wikibase:DeprecatedRank }}
  OPTIONAL {{ ?st pqv:P580 ?sv . ?sv wikibase:timeValue ?start ; wikibase:timePrecision ?startPrecision }}
  OPTIONAL {{ ?st pqv:P582 ?ev . ?ev wikibase:timeValue ?end ; wikibase:timePrecision ?endPrecision }}
  OPTIONAL {{ {{ ?holder rdfs:label ?holderLabel }} UNION {{ ?holder skos:altLabel ?holderLabel }} }}
}}"""):
            org, holder = _qid(r.get("org")), _qid(r.get("holder"))
            s = theirs[org].get(holder)
            if s is None:
                s = theirs[org][holder] = _WdStatement(holder, "", set(), _val(r, "pid"))
            s.via.add(_val(r, "pid"))
            label = _val(r, "holderLabel")
            if label:
                s.labels.add(label)
                if r["holderLabel"].get("xml:lang") == "en" and (not s.label or label < s.label):
                    s.label = label
            if _val(r, "start"):
                d = WDate.wikidata(_val(r, "start"), _val(r, "startPrecision"))
                s.start = d if s.start is None or d < s.start else s.start
            if _val(r, "end"):
                d = WDate.wikidata(_val(r, "end"), _val(r, "endPrecision"))
                s.end = d if s.end is None or d > s.end else s.end

    rows: list[DiffRow] = []
    used: set[tuple[str, str]] = set()
    for h in sorted(ours.values(), key=lambda h: (h.org, h.post, h.holder)):
        if not h.prop:
            # A post that maps to no Wikidata property (a deputy, a presidency without one) is
            # not any of Wikidata's offices: comparing it as secretary general (P3975) would
            # set a deputy beside the Secretaries General.
            not_compared.append((h.iri, f"{compact(h.post)} names no Wikidata property (igo:wikidataProperty): not compared"))
            continue
        candidates = theirs.get(h.org_qid, {})
        wd, how = None, ""
        if h.holder_qid and h.holder_qid in candidates:
            wd, how = candidates[h.holder_qid], ""
        elif not h.holder_qid:
            for q, s in sorted(candidates.items()):
                if labels_match(h.labels, s.labels) and (h.org_qid, q) not in used:
                    wd, how = s, f"matched by label ({labels_match(h.labels, s.labels)}); our entity has no Wikidata link"
                    break
        prop = h.prop
        ours_text = (compact(h.post) + " " + _period(h.start, h.end)).strip()
        subject = h.labels[0]
        if wd is None:
            rows.append(DiffRow("office", h.org, h.org_qid, subject, h.holder_qid, prop, ours_text, "", "ours-only", "" if h.holder_qid else "holder has no Wikidata link", h.holder))
            continue
        used.add((h.org_qid, wd.subject))
        problems, notes, missing = [], [], []
        if prop not in wd.via:
            notes.append(f"Wikidata states it as {', '.join(sorted(wd.via))}")
        for name, mine, th, pid in (("start", h.start, wd.start, "P580"), ("end", h.end, wd.end, "P582")):
            if mine and th and not _same(mine, th):
                problems.append(f"{name}: ours {mine}, Wikidata {th}")
            elif mine and not th:
                missing.append((pid, mine.text))
                notes.append(f"{name} {mine} only in ours")
        for d in sorted(h.attested):
            if wd.start and _before(d, wd.start):
                problems.append(f"a source attests the holder on {d}, before Wikidata's start {wd.start}")
            if wd.end and _before(wd.end, d):
                problems.append(f"a source attests the holder on {d}, after Wikidata's end {wd.end}")
        if how:
            notes.append(how)
        rows.append(
            DiffRow("office", h.org, h.org_qid, subject, h.holder_qid, prop, ours_text,
                    f"{wd.label or wd.subject}{'' if h.holder_qid else f' ({wd.subject})'} {_period(wd.start, wd.end)}".strip(), "conflict" if problems else "agree",
                    "; ".join(problems + notes), h.holder, tuple(missing))
        )
    by_qid = {q: e for e, q in qids.items()}
    for org, org_qid in sorted(orgs.items()):
        for q, s in sorted(theirs.get(org_qid, {}).items(), key=lambda kv: _qnum(kv[0])):
            if (org_qid, q) in used:
                continue
            rows.append(DiffRow("office", org, org_qid, s.label or q, q, sorted(s.via)[0], "", f"{s.label or q} {_period(s.start, s.end)}".strip(), "wikidata-only", "", by_qid.get(q, "")))
    return rows


_TOPIC_ORDER = {"membership": 0, "inception": 1, "headquarters": 2, "office": 3}


def diff_statements(sources: Sources, client: WikidataClient) -> DiffReport:
    """Wikidata's statements about our organizations beside ours: memberships (P463, and P527
    on the organization) with start, end and role; inception (P571); headquarters (P159);
    office holders (P3975, P488, P1037) with their terms."""
    orgs = dict(_our_organizations(sources))
    qids = _qids_of(sources)
    names = _labels_of(sources)
    not_compared: list[tuple[str, str]] = _unlinked_organizations(sources)
    rows = [
        *_diff_memberships(sources, client, orgs, qids, names),
        *_diff_inception(sources, client, orgs, names),
        *_diff_headquarters(client, orgs, qids, names),
        *_diff_offices(sources, client, orgs, qids, names, not_compared),
    ]
    rows.sort(key=lambda r: (_TOPIC_ORDER[r.topic], r.organization, STATUSES.index(r.status), r.subject.casefold(), r.subject_qid))
    return DiffReport(client.endpoint, rows, sorted(set(not_compared)))
