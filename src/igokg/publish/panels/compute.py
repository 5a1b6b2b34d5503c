"""Panels from the graph: memberships and their evidence, coded per IGO, state and year."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Iterable

import pyoxigraph as ox

from igokg.errors import IgokgError
from igokg.namespaces import ID, PREFIXES, WD
from igokg.publish.panels.model import Entity, _Attestation, _Membership, claims, strongest
from igokg.publish.panels.tables import Panels

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
    codes: dict[tuple[int, int], dict[int, int]] = {}
    for pair, ms in by_pair.items():
        found = claims(ms, lo, hi, horizon)
        if found:
            codes[pair] = {y: strongest(f) for y, f in sorted(found.items())}
    return Panels(years, igos, states, horizon, {p: by_pair[p] for p in codes}, codes)
