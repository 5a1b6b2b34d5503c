"""Consumer stage: membership panels in the Correlates of War (COW) IGO layout.

Input: the loaded graph (a pyoxigraph store from `sources`). Output: a `Panels` value
(IGO-year, state-year and dyad-year tables with COW codes, and the evidence behind every
coded cell), written as CSV files with W3C CSV-on-the-Web (CSVW) metadata beside them.

The cell rules follow the graph's time model (ontology/igo.ttl): an igo:Membership has a
role, an igo:startDate / igo:endDate only where a source dates them, and attestations that
say when a source listed it as current (igo:attestedAt). A panel never fills a gap the
sources leave: a year without evidence is -9 (missing), never 0. docs/panels.md states the
rules for people; `CELL_RULES` states them in every data dictionary.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

import pyoxigraph as ox

from igokg.errors import IgokgError
from igokg.namespaces import BASE, ID, IGO, PREFIXES, WD

if TYPE_CHECKING:  # pragma: no cover
    from igokg.sources import Sources

__all__ = [
    "Panels",
    "Entity",
    "Evidence",
    "compute_panels",
    "write_panels",
    "write_panel_files",
    "MISSING",
    "CODES",
    "ROLE_CODES",
    "CELL_RULES",
    "PANEL_FILES",
]

#: COW code for a year on which the graph holds no evidence.
MISSING = -9

#: The COW IGO codes the panels use, with what each means here.
CODES: dict[int, tuple[str, str]] = {
    1: ("full member", "Full membership: the state holds the role igo:Member (igo:FoundingMember implies it)."),
    2: (
        "associate member",
        "Associate membership. The ontology has no associate role and the graph records none, "
        "so no cell carries this code now; it stays in the list so that the codes are COW's.",
    ),
    3: ("observer", "Observer: the state holds the role igo:Observer."),
    0: (
        "no membership",
        "The graph positively says the state was not a member, associate or observer that year: "
        "the year lies after the end date (igo:endDate) of its membership, or the state held only "
        "the role igo:DialoguePartner (a status below observer, for which COW has no code).",
    ),
    MISSING: (
        "missing",
        "No evidence: no membership of the state in the IGO covers the year. Not a statement of "
        "non-membership.",
    ),
}

#: Role -> code. Memberships with a role outside this table are not coded.
ROLE_CODES: dict[str, int] = {
    IGO + "Member": 1,
    IGO + "FoundingMember": 1,
    IGO + "Observer": 3,
    IGO + "DialoguePartner": 0,
}

# When several memberships of one state in one IGO cover a year, the strongest code wins.
_STRENGTH = {1: 4, 2: 3, 3: 2, 0: 1, MISSING: 0}

#: The cell rules, as they stand in every data dictionary (rdfs:comment).
CELL_RULES: tuple[str, ...] = (
    "A cell (IGO, state, year) is coded from the igo:Membership nodes with igo:member the state "
    "and igo:organization the IGO. Dates are compared by their year (the first four characters of "
    "the xsd:date, xsd:gYearMonth or xsd:gYear), so a membership that starts or ends in a month "
    "or on a day covers that whole year.",
    "A membership with igo:startDate S and igo:endDate E covers the years S to E.",
    "A membership with igo:startDate S and no igo:endDate covers the years from S up to the "
    "evidence horizon: the latest year of any membership evidence in the graph (start, end or "
    "attestation date). No source in the graph says such a membership ended; after the horizon "
    "the graph knows nothing, so later years (with --to) are -9.",
    "A membership with igo:endDate E and no igo:startDate covers the year E and the years of its "
    "dated attestations; earlier years without an attestation are -9, because the graph does not "
    "say when it began.",
    "A membership known only from attestations (igo:attestation with igo:attestedAt, no start "
    "and no end) covers the years of those dates and no other year.",
    "Years after the igo:endDate of a membership, up to the evidence horizon, are coded 0 (no "
    "membership) unless another membership covers them. Years before a start date are not 0 but -9: a state that joins has "
    "often held another status before (Belarus was an SCO dialogue partner from 2010 and an "
    "observer from 2015 before it joined in 2024, seeds/reference/facts.md), which the graph need "
    "not record.",
    "A covered year takes the code of the membership's role: igo:Member or igo:FoundingMember 1, "
    "igo:Observer 3, igo:DialoguePartner 0. If several memberships cover a year, the strongest "
    "code wins: 1 over 2 over 3 over 0.",
    "A year that no membership covers is -9 (missing), never 0.",
    "Every coded cell (any code but -9) has at least one row in panels/evidence.csv naming the "
    "membership, the attestation, its source document, the seed file and the verbatim quote.",
)

#: The files `write_panel_files` writes under `<out>/panels/`, in order.
PANEL_FILES = ("igo_year.csv", "state_year.csv", "dyad_year.csv", "evidence.csv")

_CSVW = "http://www.w3.org/ns/csvw"
_DATASET = BASE + "dataset"
_SCHEME = "#cow-codes"
_LICENSE = "https://creativecommons.org/licenses/by/4.0/"
_DOCS = "docs/panels.md"


# --------------------------------------------------------------------------- model


@dataclass(frozen=True, order=True)
class Entity:
    """A state or an IGO as it names a row or a column."""

    slug: str
    iri: str
    qid: str = ""  # from owl:sameAs wd:Q…, which the graph carries only when verified
    label: str = ""

    @property
    def column(self) -> str:
        """The stable column name: `russia_Q159`, or the bare slug without a QID."""
        return f"{self.slug}_{self.qid}" if self.qid else self.slug


@dataclass(frozen=True, order=True)
class Evidence:
    """One reason for one coded cell: a membership and one of its attestations."""

    igo: str
    state: str
    year: int
    code: int
    basis: str  # period | attested | end | after-end
    membership: str
    role: str
    start_date: str
    end_date: str
    attestation: str
    attested_at: str
    source: str
    source_file: str
    quote: str


@dataclass(frozen=True)
class _Attestation:
    iri: str
    attested_at: str
    source: str
    source_file: str
    quote: str

    @property
    def year(self) -> int | None:
        return _year(self.attested_at)


@dataclass
class _Membership:
    iri: str
    state: str
    igo: str
    roles: set[str] = field(default_factory=set)
    start: str = ""
    end: str = ""
    attestations: list[_Attestation] = field(default_factory=list)

    @property
    def code(self) -> int | None:
        codes = [ROLE_CODES[r] for r in self.roles if r in ROLE_CODES]
        return max(codes, key=_STRENGTH.__getitem__) if codes else None

    @property
    def role(self) -> str:
        """The role that decides the code, compacted (igo:Member before igo:FoundingMember)."""
        code = self.code
        for iri in ROLE_CODES:
            if iri in self.roles and ROLE_CODES[iri] == code:
                return "igo:" + iri[len(IGO):]
        return ""

    def evidence_years(self) -> set[int]:
        years = {_year(self.start), _year(self.end)} | {a.year for a in self.attestations}
        return {y for y in years if y is not None}


@dataclass(frozen=True)
class Panels:
    """The COW panels of one graph over a span of years; `write_panel_files` writes them."""

    years: tuple[int, ...]
    igos: tuple[Entity, ...]
    states: tuple[Entity, ...]
    horizon: int | None  # the latest year of any membership evidence in the graph
    cells: dict[tuple[str, str, int], int]  # (igo slug, state slug, year) -> code; -9 cells left out
    evidence: tuple[Evidence, ...]

    def code(self, igo: str, state: str, year: int) -> int:
        """The COW code of `state` in `igo` (slugs) in `year`."""
        return self.cells.get((igo, state, year), MISSING)

    def members(self, igo: str, year: int, code: int = 1) -> list[str]:
        """Slugs of the states holding `code` in `igo` in `year`, sorted."""
        return [s.slug for s in self.states if self.code(igo, s.slug, year) == code]

    # Tables: header + rows, every value a string as it stands in the CSV --------------
    def igo_year(self) -> tuple[list[str], list[list[str]]]:
        header = ["igo", "igo_qid", "year"] + [s.column for s in self.states]
        rows = [
            [i.slug, i.qid, str(y)] + [str(self.code(i.slug, s.slug, y)) for s in self.states]
            for i in self.igos
            for y in self.years
        ]
        return header, rows

    def state_year(self) -> tuple[list[str], list[list[str]]]:
        header = ["state", "state_qid", "cow_ccode", "year"] + [i.column for i in self.igos]
        rows = [
            [s.slug, s.qid, "", str(y)] + [str(self.code(i.slug, s.slug, y)) for i in self.igos]
            for s in self.states
            for y in self.years
        ]
        return header, rows

    def dyad_year(self) -> tuple[list[str], list[list[str]]]:
        """Pairs of states (a < b by slug) per year: IGOs in which both are full members (code 1).

        An IGO is undetermined for a pair when neither state is known to be outside full
        membership (no 0, 2 or 3) and at least one of them is -9: the pair may share it.
        """
        header = [
            "state_a", "state_b", "year", "state_a_qid", "state_b_qid", "cow_ccode_a", "cow_ccode_b",
            "shared_count", "shared_igos", "undetermined_count", "undetermined_igos",
        ]
        # Per state and year: the IGOs it is a full member of, and those where it may be
        # (1 or -9); then each pair is two set intersections instead of a loop over IGOs.
        order = {i.slug: n for n, i in enumerate(self.igos)}
        full: dict[tuple[str, int], frozenset[str]] = {}
        maybe: dict[tuple[str, int], frozenset[str]] = {}
        for s in self.states:
            for y in self.years:
                codes = {i.slug: self.code(i.slug, s.slug, y) for i in self.igos}
                full[s.slug, y] = frozenset(i for i, c in codes.items() if c == 1)
                maybe[s.slug, y] = frozenset(i for i, c in codes.items() if c in (1, MISSING))
        rows = []
        for a, b in combinations(self.states, 2):  # states are sorted by slug, so a < b
            for y in self.years:
                shared = sorted(full[a.slug, y] & full[b.slug, y], key=order.__getitem__)
                unknown = sorted((maybe[a.slug, y] & maybe[b.slug, y]) - set(shared), key=order.__getitem__)
                rows.append(
                    [a.slug, b.slug, str(y), a.qid, b.qid, "", "",
                     str(len(shared)), ";".join(shared), str(len(unknown)), ";".join(unknown)]
                )
        return header, rows

    def evidence_table(self) -> tuple[list[str], list[list[str]]]:
        header = [
            "igo", "state", "year", "code", "basis", "membership", "role", "start_date", "end_date",
            "attestation", "attested_at", "source", "source_file", "quote",
        ]
        rows = [
            [e.igo, e.state, str(e.year), str(e.code), e.basis, e.membership, e.role, e.start_date,
             e.end_date, e.attestation, e.attested_at, e.source, e.source_file, e.quote]
            for e in self.evidence
        ]
        return header, rows


# --------------------------------------------------------------------------- compute


def _year(value: str) -> int | None:
    m = re.match(r"^(\d{4})", value or "")
    return int(m.group(1)) if m else None


def _slug(iri: str) -> str:
    if iri.startswith(ID):
        return iri[len(ID):]
    return re.split(r"[/#]", iri.rstrip("/#"))[-1]


def _select(store: ox.Store, body: str) -> list[dict[str, str]]:
    q = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items()) + body
    result = store.query(q, use_default_graph_as_union=True)
    names = [v.value for v in result.variables]
    out = []
    for sol in result:
        out.append({n: sol[n].value for n in names if sol[n] is not None})
    return out


def _memberships(store: ox.Store) -> list[_Membership]:
    found: dict[str, _Membership] = {}
    for row in _select(
        store,
        """SELECT ?m ?state ?org ?role ?start ?end WHERE {
             ?m a igo:Membership ; igo:member ?state ; igo:organization ?org .
             ?state a/rdfs:subClassOf* igo:State .
             OPTIONAL { ?m igo:role ?role }
             OPTIONAL { ?m igo:startDate ?start }
             OPTIONAL { ?m igo:endDate ?end }
           }""",
    ):
        m = found.setdefault(row["m"], _Membership(row["m"], row["state"], row["org"]))
        if "role" in row:
            m.roles.add(row["role"])
        m.start = row.get("start", m.start)
        m.end = row.get("end", m.end)
    for row in _select(
        store,
        """SELECT ?m ?a ?at ?src ?file ?quote WHERE {
             ?m a igo:Membership ; igo:attestation ?a .
             OPTIONAL { ?a igo:attestedAt ?at }
             OPTIONAL { ?a igo:quote ?quote }
             OPTIONAL { ?a igo:source ?src OPTIONAL { ?src igo:file ?file } }
           }""",
    ):
        if row["m"] in found:
            found[row["m"]].attestations.append(
                _Attestation(row["a"], row.get("at", ""), row.get("src", ""), row.get("file", ""), row.get("quote", ""))
            )
    for m in found.values():
        m.attestations.sort(key=lambda a: (a.attested_at, a.iri))
    return sorted(found.values(), key=lambda m: m.iri)


def _entities(store: ox.Store, iris: Iterable[str]) -> tuple[Entity, ...]:
    wanted = sorted(set(iris))
    if not wanted:
        return ()
    values = " ".join(f"<{i}>" for i in wanted)
    qids: dict[str, set[str]] = defaultdict(set)
    labels: dict[str, str] = {}
    for row in _select(
        store,
        f"""SELECT ?e ?same ?label WHERE {{
              VALUES ?e {{ {values} }}
              OPTIONAL {{ ?e owl:sameAs ?same FILTER(STRSTARTS(STR(?same), "{WD}")) }}
              OPTIONAL {{ ?e rdfs:label ?label FILTER(LANGMATCHES(LANG(?label), "en")) }}
            }}""",
    ):
        if "same" in row:
            qids[row["e"]].add(row["same"][len(WD):])
        if "label" in row:
            labels[row["e"]] = min(labels.get(row["e"], row["label"]), row["label"])
    out = []
    for iri in wanted:
        # Two QIDs on one entity is a data error `validate` reports; the column then has none.
        qid = next(iter(qids[iri])) if len(qids[iri]) == 1 else ""
        out.append(Entity(_slug(iri), iri, qid, labels.get(iri, "")))
    slugs = [e.slug for e in out]
    if len(set(slugs)) != len(slugs):
        raise IgokgError(f"two entities share a slug among {', '.join(sorted(slugs))}; columns would clash")
    return tuple(sorted(out))


def _coverage(m: _Membership, horizon: int) -> tuple[dict[int, str], int | None]:
    """Years the membership covers, each with its basis; and the year from which it is over."""
    start, end = _year(m.start), _year(m.end)
    attested = {a.year for a in m.attestations if a.year is not None}
    years: dict[int, str] = {}
    if start is not None:
        last = end if end is not None else horizon
        for y in range(start, last + 1):
            years[y] = "period"
    elif end is not None:
        years[end] = "end"
    for y in attested:
        years.setdefault(y, "attested")
    return years, (end + 1 if end is not None else None)


def compute_panels(store: ox.Store, year_from: int | None = None, year_to: int | None = None) -> Panels:
    """COW-coded panels of the memberships of states in organizations, with their evidence.

    Years default to the span of the membership evidence (earliest to latest start, end or
    attestation year). Raises `IgokgError` when the span is empty or reversed.
    """
    memberships = _memberships(store)
    evidence_years = sorted(set().union(*(m.evidence_years() for m in memberships)) if memberships else set())
    horizon = evidence_years[-1] if evidence_years else None
    lo = year_from if year_from is not None else (evidence_years[0] if evidence_years else None)
    hi = year_to if year_to is not None else horizon
    if lo is None or hi is None:
        raise IgokgError("no dated membership in the graph: give --from and --to, or add dated evidence")
    if lo > hi:
        raise IgokgError(f"the panel's first year {lo} is after its last year {hi}")
    years = tuple(range(lo, hi + 1))
    span = set(years)

    igos = _entities(store, (m.igo for m in memberships))
    states = _entities(store, (m.state for m in memberships))
    slug = {e.iri: e.slug for e in igos + states}

    # (igo, state, year) -> [(code, basis, membership)]
    claims: dict[tuple[str, str, int], list[tuple[int, str, _Membership]]] = defaultdict(list)
    for m in memberships:
        code = m.code
        if code is None:
            continue
        key = (slug[m.igo], slug[m.state])
        covered, over_from = _coverage(m, horizon if horizon is not None else hi)
        for y, basis in covered.items():
            if y in span:
                claims[(*key, y)].append((code, basis, m))
        if over_from is not None:
            # Non-membership is known up to the horizon only: a state may rejoin later.
            for y in range(max(over_from, lo), min(hi, horizon if horizon is not None else hi) + 1):
                claims[(*key, y)].append((0, "after-end", m))

    cells: dict[tuple[str, str, int], int] = {}
    evidence: list[Evidence] = []
    for cell, found in claims.items():
        code = max((c for c, _, _ in found), key=_STRENGTH.__getitem__)
        cells[cell] = code
        igo, state, year = cell
        for c, basis, m in found:
            if c != code:
                continue
            # A year coded from an attestation rests on the attestations dated in it; a year
            # coded from a period rests on everything that attests the membership.
            atts = [a for a in m.attestations if basis != "attested" or a.year == year]
            for a in atts or [_Attestation("", "", "", "", "")]:
                evidence.append(
                    Evidence(igo, state, year, code, basis, m.iri, m.role, m.start, m.end,
                             a.iri, a.attested_at, a.source, a.source_file, a.quote)
                )
    return Panels(years, igos, states, horizon, cells, tuple(sorted(set(evidence))))


# --------------------------------------------------------------------------- write


def _csv_text(header: list[str], rows: list[list[str]]) -> str:
    # One line ending everywhere: "\n" (CSVW's dialect allows it; git and diff read it best).
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def _name(title: str) -> str:
    """A CSVW column name (an RFC 6570 variable name) for a title: other characters %-encoded."""
    return re.sub(r"[^A-Za-z0-9_]", lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), title)


def _code_scheme() -> dict:
    roles = defaultdict(list)
    for iri, code in ROLE_CODES.items():
        roles[code].append({"@id": iri})
    return {
        "@id": _SCHEME,
        "@type": "skos:ConceptScheme",
        "skos:prefLabel": "Correlates of War IGO membership codes, as igokg assigns them",
        "rdfs:seeAlso": {"@id": "https://correlatesofwar.org/data-sets/igos/"},
        "skos:hasTopConcept": [
            {
                "@id": f"#code{code}",
                "skos:notation": str(code),
                "skos:prefLabel": label,
                "skos:definition": definition,
                **({"skos:related": roles[code]} if roles.get(code) else {}),
            }
            for code, (label, definition) in CODES.items()
        ],
    }


def _column(title: str, description: str, datatype: object = "string", **extra: object) -> dict:
    col = {"name": _name(title), "titles": title, "datatype": datatype, "dc:description": description}
    col.update(extra)
    return col


def _code_column(title: str, description: str, about: Entity) -> dict:
    return _column(
        title,
        description,
        {"base": "integer", "minimum": MISSING, "maximum": 3},
        required=True,
        **{"skos:inScheme": {"@id": _SCHEME}, "rdfs:seeAlso": {"@id": about.iri}},
    )


def _metadata(url: str, title: str, description: str, columns: list[dict], key: list[str], panels: Panels) -> dict:
    return {
        "@context": [_CSVW, {"@language": "en"}],
        "url": url,
        "dc:title": title,
        "dc:description": description,
        "dc:license": {"@id": _LICENSE},
        "dc:source": [
            {"@id": _DATASET},
            *({"@id": IGO + t} for t in ("Membership", "member", "organization", "role", "startDate",
                                          "endDate", "attestation", "attestedAt", "source", "quote")),
        ],
        "dc:temporal": f"{panels.years[0]}/{panels.years[-1]}",
        "rdfs:comment": list(CELL_RULES)
        + [f"The evidence horizon of this graph is {panels.horizon}.", f"The rules for people: {_DOCS}."],
        "dc:conformsTo": _code_scheme(),
        "dialect": {"encoding": "utf-8", "header": True, "lineTerminators": ["\n"], "doubleQuote": True},
        "tableSchema": {"columns": columns, "primaryKey": [_name(k) for k in key]},
    }


def _table_metadata(panels: Panels) -> dict[str, dict]:
    yr = _column("year", "The calendar year the row describes.", {"base": "integer"}, required=True)
    igo_cols = [
        _column("igo", "The IGO's slug: its igokg IRI is https://w3id.org/igokg/id/{igo}.", required=True,
                valueUrl=ID + "{igo}"),
        _column("igo_qid", "The IGO's Wikidata item (verified QID from owl:sameAs), blank if none.",
                {"base": "string", "format": "^Q[0-9]+$"}),
        yr,
    ] + [
        _code_column(s.column, f"COW code of {s.label or s.slug} ({s.iri}) in the IGO of the row, in the year of the row.", s)
        for s in panels.states
    ]
    state_cols = [
        _column("state", "The state's slug: its igokg IRI is https://w3id.org/igokg/id/{state}.", required=True,
                valueUrl=ID + "{state}"),
        _column("state_qid", "The state's Wikidata item (verified QID from owl:sameAs), blank if none.",
                {"base": "string", "format": "^Q[0-9]+$"}),
        _column("cow_ccode", "The state's COW country code. Blank throughout: the project holds no "
                "verifiable source for COW country codes yet (seeds/reference has none).",
                {"base": "integer", "minimum": 2, "maximum": 999}),
        yr,
    ] + [
        _code_column(i.column, f"COW code of the state of the row in {i.label or i.slug} ({i.iri}), in the year of the row.", i)
        for i in panels.igos
    ]
    qid = {"base": "string", "format": "^Q[0-9]+$"}
    dyad_cols = [
        _column("state_a", "The first state of the pair (slug; state_a < state_b).", required=True, valueUrl=ID + "{state_a}"),
        _column("state_b", "The second state of the pair (slug).", required=True, valueUrl=ID + "{state_b}"),
        yr,
        _column("state_a_qid", "Wikidata item of state_a, blank if none.", qid),
        _column("state_b_qid", "Wikidata item of state_b, blank if none.", qid),
        _column("cow_ccode_a", "COW country code of state_a: blank, see state_year.csv.", {"base": "integer", "minimum": 2, "maximum": 999}),
        _column("cow_ccode_b", "COW country code of state_b: blank, see state_year.csv.", {"base": "integer", "minimum": 2, "maximum": 999}),
        _column("shared_count", "Number of IGOs in which both states are full members (code 1) in the year. "
                "Observers (3) and associates (2) do not count, as in COW's joint-membership measures.",
                {"base": "integer", "minimum": 0}, required=True),
        _column("shared_igos", "Slugs of those IGOs, sorted, separated by ';'.", separator=";"),
        _column("undetermined_count", "Number of IGOs where the pair may share full membership but the "
                "graph cannot tell: each state is 1 or -9 there, and at least one is -9.",
                {"base": "integer", "minimum": 0}, required=True),
        _column("undetermined_igos", "Slugs of those IGOs, sorted, separated by ';'.", separator=";"),
    ]
    ev_cols = [
        _column("igo", "Slug of the IGO of the cell.", required=True, valueUrl=ID + "{igo}"),
        _column("state", "Slug of the state of the cell.", required=True, valueUrl=ID + "{state}"),
        yr,
        _code_column("code", "The cell's COW code, as in igo_year.csv and state_year.csv.", Entity("code", _DATASET)),
        _column("basis", "Which rule coded the cell: period (start to end, or start to the horizon), "
                "attested (a dated attestation in the year), end (the end year of a membership without "
                "a start), after-end (0 after an end date).",
                {"base": "string", "format": "^(period|attested|end|after-end)$"}, required=True),
        _column("membership", "The igo:Membership node.", "anyURI", required=True),
        _column("role", "The role that gave the code (igo:Member, igo:Observer…).", required=True),
        _column("start_date", "The membership's igo:startDate as the source gives it (day, month or year), blank if none."),
        _column("end_date", "The membership's igo:endDate, blank if none."),
        _column("attestation", "The igo:Attestation node.", "anyURI"),
        _column("attested_at", "The attestation's igo:attestedAt, blank if the source does not date it."),
        _column("source", "The igo:SourceDocument the quote is from.", "anyURI"),
        _column("source_file", "The source's text in the repository (igo:file)."),
        _column("quote", "The words of the source, verbatim."),
    ]
    return {
        "igo_year.csv": _metadata(
            "igo_year.csv", "IGO-year membership panel (COW codes)",
            "One row per IGO per year, one column per state (slug_QID), COW membership codes.",
            igo_cols, ["igo", "year"], panels),
        "state_year.csv": _metadata(
            "state_year.csv", "State-year membership panel (COW codes)",
            "One row per state per year, one column per IGO (slug_QID), COW membership codes.",
            state_cols, ["state", "year"], panels),
        "dyad_year.csv": _metadata(
            "dyad_year.csv", "Dyad-year joint IGO memberships",
            "One row per pair of states (ordered by slug) per year: the IGOs in which both are full members.",
            dyad_cols, ["state_a", "state_b", "year"], panels),
        "evidence.csv": _metadata(
            "evidence.csv", "Evidence for every coded cell of the membership panels",
            "One row per cell, membership and attestation: trace any coded cell to a source and its quote.",
            ev_cols, ["igo", "state", "year", "membership", "attestation"], panels),
    }


def write_panel_files(panels: Panels, out: Path) -> list[Path]:
    """Write the four CSVs and their `*.csv-metadata.json` into `out/panels/`; return the paths."""
    folder = Path(out) / "panels"
    folder.mkdir(parents=True, exist_ok=True)
    tables = {
        "igo_year.csv": panels.igo_year(),
        "state_year.csv": panels.state_year(),
        "dyad_year.csv": panels.dyad_year(),
        "evidence.csv": panels.evidence_table(),
    }
    meta = _table_metadata(panels)
    written = []
    for name in PANEL_FILES:
        path = folder / name
        path.write_text(_csv_text(*tables[name]), encoding="utf-8", newline="")
        side = folder / f"{name}-metadata.json"
        side.write_text(json.dumps(meta[name], indent=2, ensure_ascii=False) + "\n", encoding="utf-8", newline="")
        written += [path, side]
    return written


def write_panels(sources: "Sources", out: Path) -> None:
    """Release writer: the panels over the default span, into `out/panels/`."""
    write_panel_files(compute_panels(sources.store), out)
