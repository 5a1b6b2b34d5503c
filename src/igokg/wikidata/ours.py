"""Our side of every comparison: the linked entities, their QIDs, labels and classes."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from igokg.namespaces import IGO, OWL, RDFS, SKOS, WD
from igokg.sources import Sources
from igokg.wikidata.classes import EXPECTED_CLASSES

# =========================================================================== our side


def _rows(sources: Sources, query: str) -> list[dict[str, str]]:
    from igokg.query import run_query

    res = run_query(sources.store, query, source="igokg.wikidata")
    return [{v: (t.value if t is not None else "") for v, t in zip(res.variables, row)} for row in res.rows]


_OUR_PREFIXES = f"""PREFIX igo: <{IGO}>
PREFIX owl: <{OWL}>
PREFIX rdfs: <{RDFS}>
PREFIX skos: <{SKOS}>
PREFIX dct: <http://purl.org/dc/terms/>
"""


@dataclass(frozen=True)
class _Linked:
    iri: str
    qid: str
    kind: str
    expected: tuple[str, ...]
    labels: tuple[str, ...]
    label: str


def _linked_entities(sources: Sources) -> list[_Linked]:
    links = _rows(sources, _OUR_PREFIXES + f"""
SELECT DISTINCT ?e ?wd ?class WHERE {{
  ?e owl:sameAs ?wd . FILTER(STRSTARTS(STR(?wd), "{WD}"))
  OPTIONAL {{ ?e a ?t . ?t rdfs:subClassOf* ?class }}
}}""")
    labels = _rows(sources, _OUR_PREFIXES + f"""
SELECT DISTINCT ?e ?p ?l WHERE {{
  ?e owl:sameAs ?wd . FILTER(STRSTARTS(STR(?wd), "{WD}"))
  VALUES ?p {{ rdfs:label skos:altLabel skos:prefLabel }}
  ?e ?p ?l .
}}""")
    classes: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in links:
        classes[(r["e"], r["wd"][len(WD):])].add(r["class"])
    names: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for r in labels:
        names[r["e"]].append((0 if r["p"] == RDFS + "label" else 1, r["l"]))
    out = []
    for (iri, qid), cls in sorted(classes.items()):
        kind, expected = "", ()
        for klass, k, exp in EXPECTED_CLASSES:
            if klass in cls:
                kind, expected = k, exp
                break
        ls = sorted(names.get(iri, []))
        out.append(_Linked(iri, qid, kind, expected, tuple(sorted({l for _, l in ls})), ls[0][1] if ls else ""))
    return out
