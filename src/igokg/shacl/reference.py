"""The reference engine: pySHACL on an rdflib copy of the store, its report read back as
`ShaclResult`s so the two engines can be compared key by key, and run for the units the
fast engine hands over (`fallback_graph`).
"""

from __future__ import annotations

from collections import Counter

import pyoxigraph as ox
import rdflib

from igokg.errors import ShapeError
from igokg.report import ShaclResult, shacl_sort_key
from igokg.shacl.compiler import CompiledShapes
from igokg.shacl.paths import parse_path
from igokg.shacl.shapes_graph import _Index, _shape_label
from igokg.shacl.terms import Term, from_ox, from_rdflib, quiet_rdflib, to_rdflib_term
from igokg.shacl.vocab import OWL, RDF_TYPE, RDFS_CLASS, RDFS_SUBCLASSOF, SH

_TARGETS = tuple(SH + t for t in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf"))
FALLBACK = "urn:igokg:fallback:"


def to_rdflib(store: ox.Store, *, dataset: bool = True) -> rdflib.Dataset | rdflib.Graph:
    """The store's quads as rdflib terms, lexical forms and blank node labels kept.

    Use it to give pySHACL exactly the terms the fast engine sees: rdflib's own
    parsers rewrite "01"^^xsd:integer to "1" and keep language tags' case, which
    makes the engines report different values for the same input. Literals kept as
    written (`lexical`) come out as written.
    """
    out: rdflib.Dataset | rdflib.Graph = rdflib.Dataset() if dataset else rdflib.Graph()
    with quiet_rdflib():
        for q in store:
            triple = tuple(to_rdflib_term(from_ox(t)) for t in (q.subject, q.predicate, q.object))
            if not isinstance(out, rdflib.Dataset):
                out.add(triple)
            elif isinstance(q.graph_name, ox.DefaultGraph):
                out.default_graph.add(triple)
            else:
                out.graph(to_rdflib_term(from_ox(q.graph_name))).add(triple)
    return out


def index_to_rdflib(idx: _Index) -> rdflib.Graph:
    g = rdflib.Graph()
    with quiet_rdflib():
        for s, p, o in idx.triples():
            g.add((to_rdflib_term(s), rdflib.URIRef(p), to_rdflib_term(o)))
    for prefix, ns in idx.namespaces.items():
        g.bind(prefix, ns, override=False)
    return g


def fallback_graph(idx: _Index, compiled: CompiledShapes) -> tuple[_Index, dict[Term, Term]]:
    """The shapes graph for pySHACL: refused units keep their targets, the others lose them.

    A node shape whose own constraints run here but one of whose property shapes is refused
    gets a stand-in (`urn:igokg:fallback:N`) with its targets and just that property shape;
    the returned map turns the stand-in back into the shape in results.
    """
    if compiled.refused:
        return idx, {}
    by_shape: dict[Term, list] = {}
    for unit in compiled.units:
        by_shape.setdefault(unit.shape, []).append(unit)
    drop: set[Term] = set()
    extra: list[tuple[Term, str, Term]] = []
    stand_ins: dict[Term, Term] = {}
    class_types = {RDFS_CLASS, OWL + "Class"} | {t.value for t in idx.subjects(RDFS_SUBCLASSOF, Term("iri", RDFS_CLASS))}
    for shape, units in sorted(by_shape.items(), key=lambda kv: kv[0].nt):
        refused = [u for u in units if u.refused is not None]
        if len(refused) == len(units):
            continue
        drop.add(shape)
        if not refused:
            continue
        stand_in = Term("iri", f"{FALLBACK}{len(stand_ins)}")
        stand_ins[stand_in] = shape
        extra.append((stand_in, RDF_TYPE, Term("iri", SH + "NodeShape")))
        for pred in _TARGETS:
            extra += [(stand_in, pred, o) for o in idx.objects(shape, pred)]
        if shape.is_iri and any(t.value in class_types for t in idx.objects(shape, RDF_TYPE)):
            extra.append((stand_in, SH + "targetClass", shape))
        for u in refused:
            if u.part is not None:
                extra.append((stand_in, SH + "property", u.part))
            else:
                extra += [(stand_in, p, o) for p in idx.predicates(shape)
                          if p not in _TARGETS and p not in (RDF_TYPE, SH + "property") for o in idx.objects(shape, p)]

    def kept(s: Term, p: str, o: Term) -> bool:
        if s not in drop:
            return True
        return not (p in _TARGETS or (p == RDF_TYPE and o.value in class_types))

    out = _Index([(s, Term("iri", p), o) for s, p, o in idx.triples() if kept(s, p, o)]
                 + [(s, Term("iri", p), o) for s, p, o in extra], idx.namespaces)
    return out, stand_ins


def run_pyshacl(data: rdflib.Graph | rdflib.Dataset, shapes: rdflib.Graph | _Index,
                stand_ins: dict[Term, Term] | None = None, labels: _Index | None = None) -> list[ShaclResult]:
    """pySHACL's results, normalised like `run_shapes` output (one per result, duplicates kept).

    `labels` is the shapes graph to name shapes after (the caller's, when `shapes` was
    rewritten by `fallback_graph`); `stand_ins` maps stand-in shapes back.
    """
    import pyshacl

    if isinstance(shapes, _Index):
        idx, sg = shapes, index_to_rdflib(shapes)
    else:
        sg = rdflib.Graph()  # pySHACL writes into the shapes graph it is given; keep the caller's intact
        for s, p, o in shapes.triples((None, None, None)):
            sg.add((s, p, o))
        for prefix, ns in shapes.namespaces():
            sg.bind(prefix, ns, override=False)
        idx = _Index.from_rdflib(sg)
    labels = labels or idx
    stand_ins = stand_ins or {}
    try:
        # allow_warnings=False: a nested shape with warnings does not conform (SHACL §2.3.1);
        # whether the data conforms is decided by the caller from the results.
        _, report, _ = pyshacl.validate(
            data, shacl_graph=sg, inference="none", advanced=True, allow_warnings=False, meta_shacl=False,
        )
    except Exception as exc:  # noqa: BLE001 - pySHACL reports a broken shapes graph in many types
        raise ShapeError("the shapes graph", f"pySHACL cannot use it: {exc}") from None
    if not isinstance(report, rdflib.Graph):  # a ValidationFailure: pySHACL gave up on a constraint
        raise ShapeError("the shapes graph", f"pySHACL cannot use it: {report}")
    report_idx = _Index.from_rdflib(report)
    ns = rdflib.Namespace(SH)
    out: list[ShaclResult] = []
    for rep in report.subjects(rdflib.RDF.type, ns.ValidationReport):
        # Only sh:result: nested sh:detail results (under sh:node) are not results of their own.
        for r in report.objects(rep, ns.result):
            def get(p: rdflib.URIRef, r: object = r) -> object:
                return report.value(r, p)

            path = get(ns.resultPath)
            value = get(ns.value)
            shape = from_rdflib(get(ns.sourceShape))
            shape = stand_ins.get(shape, shape)
            msgs = sorted(str(m) for m in report.objects(r, ns.resultMessage))
            if not msgs:
                msgs = sorted(m.value for m in labels.objects(shape, SH + "message"))
            out.append(ShaclResult(
                focus=from_rdflib(get(ns.focusNode)).nt,
                path=None if path is None else _path_label(from_rdflib(path), idx, report_idx),
                value=from_rdflib(value).nt if value is not None else None,
                component=str(get(ns.sourceConstraintComponent)),
                severity=str(get(ns.resultSeverity)),
                shape=_shape_label(labels, shape),
                message=msgs[0] if msgs else "",
                source_shape=shape.nt,
            ))
    return sorted(out, key=shacl_sort_key)


def report_path(report: rdflib.Graph, node: object) -> str | None:
    """The sh:resultPath `node` of a pySHACL report graph in Turtle syntax, as ShaclResult.path holds it."""
    if node is None:
        return None
    term = from_rdflib(node)
    return term.nt if term.is_iri else _path_label(term, _Index.from_rdflib(report))


def _path_label(node: Term, *graphs: _Index) -> str:
    if node.is_iri:
        return node.nt
    for g in graphs:
        if g.predicates(node):
            try:
                return parse_path(g, node, "").label()
            except ShapeError:
                pass
    return node.nt


def agree(a: list[ShaclResult], b: list[ShaclResult]) -> tuple[set, set]:
    """Result keys only in `a`, and only in `b` (counting repeats): two empty sets mean the engines agree."""
    ka, kb = Counter(r.key() for r in a), Counter(r.key() for r in b)
    return set(ka - kb), set(kb - ka)
