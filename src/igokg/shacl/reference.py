"""The reference engine: pySHACL on an rdflib copy of the store, its report read back as
`ShaclResult`s so the two engines can be compared key by key.
"""

from __future__ import annotations

import pyoxigraph as ox
import rdflib

from igokg.report import ShaclResult, shacl_sort_key
from igokg.shacl.shapes_graph import _Index, _shape_label
from igokg.shacl.terms import (
    from_ox,
    from_rdflib,
    quiet_rdflib,
    to_rdflib_term,
)
from igokg.shacl.vocab import SH

# --------------------------------------------------------------------------- reference engine


def to_rdflib(store: ox.Store, *, dataset: bool = True) -> rdflib.Dataset | rdflib.Graph:
    """The store's quads as rdflib terms, lexical forms and blank node labels kept.

    Use it to give pySHACL exactly the terms the fast engine sees: rdflib's own
    parsers rewrite "01"^^xsd:integer to "1" and keep language tags' case, which
    makes the engines report different values for the same input.
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


def run_pyshacl(data: rdflib.Graph | rdflib.Dataset, shapes: rdflib.Graph) -> list[ShaclResult]:
    """pySHACL's results, normalised like `run_shapes` output."""
    import pyshacl

    sg = rdflib.Graph()  # pySHACL writes into the shapes graph it is given; keep the caller's intact
    for s, p, o in shapes.triples((None, None, None)):
        sg.add((s, p, o))
    for prefix, ns in shapes.namespaces():
        sg.bind(prefix, ns, override=False)
    _, report, _ = pyshacl.validate(
        data, shacl_graph=sg, inference="none", advanced=True, allow_warnings=True, meta_shacl=False,
    )
    idx = _Index.from_rdflib(sg)
    ns = rdflib.Namespace(SH)
    out: set[ShaclResult] = set()
    for rep in report.subjects(rdflib.RDF.type, ns.ValidationReport):
        # Only sh:result: nested sh:detail results (under sh:node) are not results of their own.
        for r in report.objects(rep, ns.result):
            get = lambda p: report.value(r, p)  # noqa: E731
            path = get(ns.resultPath)
            if path is None:
                path_nt = None
            elif isinstance(path, rdflib.BNode) and report.value(path, ns.inversePath) is not None:
                path_nt = "^" + from_rdflib(report.value(path, ns.inversePath)).nt
            else:
                path_nt = from_rdflib(path).nt if not isinstance(path, rdflib.BNode) else "[complex path]"
            value = get(ns.value)
            shape = from_rdflib(get(ns.sourceShape))
            msgs = sorted(str(m) for m in report.objects(r, ns.resultMessage))
            if not msgs:
                msgs = sorted(m.value for m in idx.objects(shape, SH + "message"))
            out.add(ShaclResult(
                focus=from_rdflib(get(ns.focusNode)).nt,
                path=path_nt,
                value=from_rdflib(value).nt if value is not None else None,
                component=str(get(ns.sourceConstraintComponent)),
                severity=str(get(ns.resultSeverity)),
                shape=_shape_label(idx, shape),
                message=msgs[0] if msgs else "",
            ))
    return sorted(out, key=shacl_sort_key)


def agree(a: list[ShaclResult], b: list[ShaclResult]) -> tuple[set, set]:
    """Result keys only in `a`, and only in `b`: two empty sets mean the engines agree."""
    ka, kb = {r.key() for r in a}, {r.key() for r in b}
    return ka - kb, kb - ka
