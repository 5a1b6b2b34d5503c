"""Panels from the graph: memberships and their evidence, coded per IGO, state and year."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Iterable

import pyoxigraph as ox

from igokg.collector import paused
from igokg.errors import IgokgError
from igokg.namespaces import ID, IGO, PREFIXES, WD
from igokg.publish.panels.model import Entity, _Attestation, _Membership, claims
from igokg.publish.panels.phases import ORIGIN_ROLE, Phase, PhaseAttestation, phase_spans, resolve
from igokg.publish.panels.tables import Panels

_GYEAR_PREDICATES = {
    "start": "startDate", "earliest_start": "earliestStart", "latest_start": "latestStart",
    "end": "endDate", "earliest_end": "earliestEnd", "latest_end": "latestEnd",
}

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
    _phases(store, found)
    for m in found.values():
        m.attestations.sort(key=lambda a: (a.attested_at, a.iri))
    return sorted(found.values(), key=lambda m: m.iri)


def _first_year(value: str) -> int | None:
    m = re.match(r"^(\d{4})", value or "")
    return int(m.group(1)) if m else None


def _phases(store: ox.Store, found: dict[str, _Membership]) -> None:
    """The status phases of the memberships in `found`, with their attestations and locators.

    Four plain queries joined here: one query with nested OPTIONALs took minutes on the 19,000
    phases of the full graph."""
    dates = " ".join(f"OPTIONAL {{ ?p igo:{pred} ?{var} }}" for var, pred in _GYEAR_PREDICATES.items())
    phases: dict[str, Phase] = {}
    for row in _select(store, f"""SELECT ?m ?p ?status ?rank {" ".join("?" + v for v in _GYEAR_PREDICATES)} WHERE {{
             ?m a igo:Membership ; igo:phase ?p . ?p igo:status ?status .
             OPTIONAL {{ ?p igo:rank ?rank }} {dates} }}"""):
        m = found.get(row["m"])
        if m is None or row["p"] in phases:
            continue
        p = phases[row["p"]] = Phase(row["p"], row["status"], deprecated=row.get("rank") == IGO + "DeprecatedRank",
                                     start_text=row.get("start", ""), end_text=row.get("end", ""))
        for var in _GYEAR_PREDICATES:
            setattr(p, var, _first_year(row.get(var, "")))
        m.phases.append(p)
    sources: dict[str, tuple[str, int | None]] = {}
    for row in _select(store, """SELECT DISTINCT ?src ?file ?temporal WHERE { ?x a igo:MembershipPhase ; igo:attestation/igo:source ?src .
             OPTIONAL { ?src igo:file ?file } OPTIONAL { ?src dct:temporal ?temporal } }"""):
        cover = re.findall(r"\d{4}", row.get("temporal", ""))
        sources[row["src"]] = (row.get("file", ""), int(cover[-1]) if cover else None)
    locators: dict[str, tuple[str, str]] = {}
    for row in _select(store, """SELECT ?a ?table ?row ?col ?val ?fy ?ly ?following WHERE {
             ?x a igo:MembershipPhase ; igo:attestation ?a . ?a igo:locator ?l .
             ?l igo:table ?table ; igo:row ?row ; igo:column ?col ; igo:cellValue ?val .
             OPTIONAL { ?l igo:firstYear ?fy } OPTIONAL { ?l igo:lastYear ?ly } OPTIONAL { ?l igo:followingValue ?following } }"""):
        years = f" {row['fy'][:4]}-{row['ly'][:4]}" if "fy" in row and "ly" in row else ""
        locators[row["a"]] = (f"{row['table']} {row['row']} column={row['col']}{years}: {row['val']}", row.get("following", ""))
    for row in _select(store, """SELECT ?p ?a ?at ?src ?quote WHERE { ?p a igo:MembershipPhase ; igo:attestation ?a .
             OPTIONAL { ?a igo:attestedAt ?at } OPTIONAL { ?a igo:source ?src } OPTIONAL { ?a igo:quote ?quote } }"""):
        p = phases.get(row["p"])
        if p is None:
            continue
        file, cover = sources.get(row.get("src", ""), ("", None))
        locator, following = locators.get(row["a"], ("", ""))
        att = PhaseAttestation(row["a"], row.get("at", ""), row.get("src", ""), file, row.get("quote", ""), locator, following, cover)
        if att not in p.attestations:
            p.attestations.append(att)
    for m in found.values():
        m.phases.sort(key=lambda p: (p.may_begin or 0, p.iri))
        for p in m.phases:
            p.attestations.sort(key=lambda a: (a.attested_at, a.iri))


def _years_of(store: ox.Store, query: str) -> dict[str, list[int]]:
    out: dict[str, list[int]] = defaultdict(list)
    for row in _select(store, query):
        y = _first_year(row["y"])
        if y is not None:
            out[row["e"]].append(y)
    return out


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


@paused()  # its memberships, phases and codes hold no cycle (igokg.collector)
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

    igos = _entities(store, (m.igo for m in memberships))
    states = _entities(store, (m.state for m in memberships))
    igo_at = {e.iri: n for n, e in enumerate(igos)}
    state_at = {e.iri: n for n, e in enumerate(states)}

    by_pair: dict[tuple[int, int], list[_Membership]] = defaultdict(list)
    for m in memberships:
        by_pair[igo_at[m.igo], state_at[m.state]].append(m)
    left = _years_of(store, "SELECT ?e ?y WHERE { ?e igo:leftSystem ?y }")
    dissolved = _years_of(store, "SELECT ?e ?y WHERE { ?d igo:dissolved ?e ; igo:date ?y }")
    codes: dict[tuple[int, int], list[tuple[int, int, int, str]]] = {}
    phase_spans_of: dict[tuple[int, int], list] = {}
    for pair, ms in by_pair.items():
        spans = []
        for m in ms:
            if m.phases:
                spans += phase_spans(m.phases, left.get(m.state, []), dissolved.get(m.igo, []))
        if spans:
            phase_spans_of[pair] = spans
        # A role's claims are years (article memberships: a few each); one-year spans.
        spans = spans + [(y, y, code, ORIGIN_ROLE, None) for y, found in claims(ms, lo, hi, horizon).items() for code, _, _ in found]
        runs = resolve(spans, lo, hi)
        if runs:
            codes[pair] = runs
    return Panels(years, igos, states, horizon, dict(by_pair), codes,
                  {p: phase_spans_of[p] for p in codes if p in phase_spans_of})
