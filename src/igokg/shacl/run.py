"""Run compiled shapes on a data store: fill the class placeholders, call back into Python
for pySHACL's value tests, turn solutions into `ShaclResult`s.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any, Callable

import pyoxigraph as ox

from igokg.report import ShaclResult, shacl_sort_key
from igokg.shacl.compiler import CompiledQuery, CompiledShapes
from igokg.shacl.terms import (
    XSD_STRING,
    Term,
    datatype_ok,
    from_ox,
    pattern_ok,
    range_ok,
)
from igokg.shacl.vocab import (
    _CLASS_CHECK,
    _CLASS_TARGET,
    _FN_DATATYPE,
    _FN_PATTERN,
    _FN_RANGE,
    RDF_TYPE,
    RDFS_SUBCLASSOF,
    XSD_BOOLEAN,
)

# --------------------------------------------------------------------------- running


def _subclass_closures(data: ox.Store, classes: list[str], union: bool) -> dict[str, tuple[list[str], bool]]:
    """For each class: the IRIs of it and all its subclasses, and whether a blank node is among them."""
    if not classes:
        return {}
    down: dict[Term, set[Term]] = defaultdict(set)
    for sol in data.query(f"SELECT ?s ?o WHERE {{ ?s <{RDFS_SUBCLASSOF}> ?o }}", use_default_graph_as_union=union):
        down[from_ox(sol["o"])].add(from_ox(sol["s"]))
    out = {}
    for c in set(classes):
        seen, todo = {Term("iri", c)}, [Term("iri", c)]
        while todo:
            for sub in down.get(todo.pop(), ()):
                if sub not in seen:
                    seen.add(sub)
                    todo.append(sub)
        out[c] = (sorted(t.value for t in seen if t.is_iri), any(t.is_bnode for t in seen))
    return out


def _fill_classes(sparql: str, compiled: CompiledShapes, closures: dict[str, tuple[list[str], bool]]) -> str:
    def target(m: re.Match[str]) -> str:
        c = compiled.classes[int(m.group(1))]
        iris, has_blank = closures[c]
        pattern = f"?this <{RDF_TYPE}> ?__tc . VALUES ?__tc {{ {' '.join(f'<{i}>' for i in iris)} }}"
        if has_blank:
            pattern = (f"{{ {pattern} }} UNION {{ ?this <{RDF_TYPE}> ?__tb . FILTER(isBlank(?__tb)) "
                       f"?__tb <{RDFS_SUBCLASSOF}>+ <{c}> }}")
        return pattern

    def check(m: re.Match[str]) -> str:
        c = compiled.classes[int(m.group(1))]
        v = "?" + m.group(2)
        iris, has_blank = closures[c]
        t = f"?__ct{m.group(1)}"
        test = f"EXISTS {{ {v} <{RDF_TYPE}> {t} . VALUES {t} {{ {' '.join(f'<{i}>' for i in iris)} }} }}"
        if has_blank:
            test += (f" || EXISTS {{ {v} <{RDF_TYPE}> {t}b . FILTER(isBlank({t}b)) "
                     f"{t}b <{RDFS_SUBCLASSOF}>+ <{c}> }}")
        return f"COALESCE({test}, false)"

    return _CLASS_CHECK.sub(check, _CLASS_TARGET.sub(target, sparql))


_TRUE = ox.Literal("true", datatype=ox.NamedNode(XSD_BOOLEAN))
_FALSE = ox.Literal("false", datatype=ox.NamedNode(XSD_BOOLEAN))


def _custom_functions(compiled: CompiledShapes) -> dict[ox.NamedNode, Callable[..., Any]]:
    dt_cache: dict[Term, bool] = {}
    range_cache: dict[tuple[Term, int], bool] = {}

    def datatype(v: Any) -> Any:
        term = from_ox(v)
        ok = dt_cache.get(term)
        if ok is None:
            ok = dt_cache[term] = datatype_ok(term, term.datatype or XSD_STRING)
        return _TRUE if ok else _FALSE

    def pattern(v: Any, i: Any) -> Any:
        return _TRUE if pattern_ok(from_ox(v), compiled.patterns[int(i.value)]) else _FALSE

    def value_range(v: Any, i: Any) -> Any:
        key = (from_ox(v), int(i.value))
        ok = range_cache.get(key)
        if ok is None:
            bound, accept = compiled.bounds[key[1]]
            ok = range_cache[key] = range_ok(key[0], bound, accept)
        return _TRUE if ok else _FALSE

    return {
        ox.NamedNode(_FN_DATATYPE): datatype,
        ox.NamedNode(_FN_PATTERN): pattern,
        ox.NamedNode(_FN_RANGE): value_range,
    }


def _substitute(message: str, bindings: dict[str, Term]) -> str:
    # pySHACL replaces {?var} and {$var} with str() of the rdflib term: the bare IRI or lexical form.
    for var, val in bindings.items():
        message = re.sub("{{[?$]{}}}".format(re.escape(var)), lambda _m, s=val.rdflib_str(): s, message)
    return message


def run_shapes(compiled: CompiledShapes, data: ox.Store, *, union: bool = True) -> list[ShaclResult]:
    """Run the compiled queries; results sorted, deterministic and de-duplicated."""
    closures = _subclass_closures(data, compiled.classes, union)
    functions = _custom_functions(compiled)
    results: set[ShaclResult] = set()
    for q in compiled.queries:
        sparql = _fill_classes(q.sparql, compiled, closures)
        solutions = data.query(sparql, use_default_graph_as_union=union, custom_functions=functions)
        for sol in solutions:
            this = from_ox(sol["this"])
            if not q.sparql_constraint:
                if q.value == "value":
                    value: str | None = from_ox(sol["value"]).nt
                elif q.value == "this":
                    value = this.nt
                else:
                    value = None
                message = min(q.messages)
                results.add(ShaclResult(this.nt, q.path, value, q.component, q.severity, q.shape, message))
                continue
            results.update(_sparql_rows(q, this, sol))
    return sorted(results, key=shacl_sort_key)


def _sparql_rows(q: CompiledQuery, this: Term, sol: Any) -> list[ShaclResult]:
    """One row of a SPARQL constraint, interpreted as pySHACL's _validate_sparql_query does."""
    row = {}
    for var in q.projected:
        term = sol[var]
        if term is not None:
            row[var] = from_ox(term)
    default_value = this if q.value == "this" else None
    if "failure" in row:
        bindings = {k: v for k, v in row.items() if k != "failure"}
        value = default_value
        path_nt = q.path
    else:
        t, p, v = row.get("this"), row.get("path"), row.get("value")
        if t is None and p is None and v is None:
            return []  # pySHACL drops rows that bind none of $this, ?path, ?value
        value = v if v is not None else default_value
        path_nt = p.nt if p is not None else q.path
        bindings = {k: x for k, x in row.items() if k not in ("this", "path", "value")}
        for name, term in (("this", t), ("path", p), ("value", value)):
            if term is not None:
                bindings[name] = term
    messages = [_substitute(m, bindings) for m in q.messages]
    message = min(messages) if messages else ""
    return [ShaclResult(this.nt, path_nt, value.nt if value is not None else None,
                        q.component, q.severity, q.shape, message)]
