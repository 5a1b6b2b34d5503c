"""Panels from the graph: memberships and their evidence, coded per IGO, state and year."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Iterable

import pyoxigraph as ox

from igokg.errors import IgokgError
from igokg.namespaces import ID, PREFIXES, WD
from igokg.publish.panels.model import (
    _STRENGTH,
    Entity,
    Evidence,
    Panels,
    _Attestation,
    _Membership,
    _year,
)

# --------------------------------------------------------------------------- compute




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


def _coverage(m: _Membership) -> tuple[dict[int, str], int | None]:
    """Years the membership covers, each with its basis; and the year from which it is over."""
    start, end = _year(m.start), _year(m.end)
    attested = {a.year for a in m.attestations if a.year is not None}
    years: dict[int, str] = {}
    if start is not None:
        # Without an end, the period runs to the last year a source attests the membership in:
        # between a start and a later attestation it held (no source says it broke off), after
        # the last attestation no source says it still did (India in the SCO: started 2017,
        # attested 2018 and 2020, so 2021 and 2022 are missing, not member).
        last = end if end is not None else max([start, *attested])
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
        covered, over_from = _coverage(m)
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
