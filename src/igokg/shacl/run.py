"""Run compiled shapes on a data store: fill the placeholders, run each unit's queries, turn
solutions into `ShaclResult`s (one per failing value and constraint).

The store must hold the data's literals as written (`lexical.AsWritten.applied`) or hold none
the store rewrote; `wrapped` says whether it holds literals kept as written.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import pyoxigraph as ox

from igokg.errors import UnsupportedShape
from igokg.namespaces import LEXICAL
from igokg.report import ShaclResult, shacl_sort_key
from igokg.shacl.compiler import CompiledQuery, CompiledShapes, Unit
from igokg.shacl.terms import XSD_STRING, Term, from_ox
from igokg.shacl.vocab import (
    _CLASS_CHECK,
    _CLASS_TARGET,
    _FN_WELL_FORMED,
    _KEPT,
    _UNWRAP_RE,
    RDF_TYPE,
    RDFS_SUBCLASSOF,
    XSD_BOOLEAN,
)
from igokg.shacl.xsd import CASTABLE, well_formed


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


_UNWRAPPED = ("IF(COALESCE(STRSTARTS(STR(DATATYPE({v})), \"{p}\"), false), "
              "STRDT(STR({v}), IRI(SUBSTR(STR(DATATYPE({v})), {n}))), {v})")


def fill(sparql: str, compiled: CompiledShapes, closures: dict[str, tuple[list[str], bool]], wrapped: bool) -> str:
    """The runnable query: class closures written out, wrapped literals read as values if any."""
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
        test = " || ".join(f"EXISTS {{ {v} <{RDF_TYPE}> <{i}> }}" for i in iris)
        if has_blank:
            test += (f" || EXISTS {{ {v} <{RDF_TYPE}> {t}b . FILTER(isBlank({t}b)) "
                     f"{t}b <{RDFS_SUBCLASSOF}>+ <{c}> }}")
        return f"COALESCE({test}, false)"

    def unwrap(m: re.Match[str]) -> str:
        v = m.group(1)
        return _UNWRAPPED.format(v=v, p=LEXICAL, n=len(LEXICAL) + 1) if wrapped else v

    def kept(m: re.Match[str]) -> str:
        if not wrapped:
            return "false"
        v = "?" + m.group(2)
        return f"sameTerm(DATATYPE({v}), <{LEXICAL}{compiled.kept[int(m.group(1))]}>) && <{_FN_WELL_FORMED}>({v})"

    sparql = _KEPT.sub(kept, _UNWRAP_RE.sub(unwrap, sparql))
    return _CLASS_CHECK.sub(check, _CLASS_TARGET.sub(target, sparql))


_TRUE = ox.Literal("true", datatype=ox.NamedNode(XSD_BOOLEAN))
_FALSE = ox.Literal("false", datatype=ox.NamedNode(XSD_BOOLEAN))


def _custom_functions() -> dict[ox.NamedNode, Callable[..., Any]]:
    cache: dict[Any, bool] = {}

    def is_well_formed(v: Any) -> Any:
        ok = cache.get(v)
        if ok is None:
            dt = v.datatype.value if isinstance(v, ox.Literal) and not v.language else ""
            if dt.startswith(LEXICAL) and dt[len(LEXICAL):] in CASTABLE:
                ok = True  # the store rewrote it, so its parser read it: well-formed
            else:
                term = from_ox(v)
                ok = well_formed(term.value, term.datatype or XSD_STRING) is not False
            cache[v] = ok
        return _TRUE if ok else _FALSE

    return {ox.NamedNode(_FN_WELL_FORMED): is_well_formed}


def _message(q: CompiledQuery, default: str, **names: str) -> str:
    # pySHACL reports one of several sh:message values; the smallest is a stable choice.
    text = q.messages[0] if q.messages else default
    for name, value in names.items():
        text = text.replace("{" + name + "}", value)
    return text


def _rows(q: CompiledQuery, solutions: Any) -> list[ShaclResult]:
    out = []
    seen: dict[tuple, set[str]] = {}  # values: the values met per validation of a focus node
    for sol in solutions:
        this = from_ox(sol["this"]).nt

        def result(check: Any, value: str | None, path: str | None = q.path, names: dict[str, str] | None = None,
                   focus: str = this) -> ShaclResult:
            return ShaclResult(focus, path, value, check.component, q.severity, q.shape,
                               _message(q, check.message, **(names or {})), q.source_shape)

        if q.kind == "values":
            values = seen.setdefault((this, *(sol[v[1:]] for v in q.ctx)), set())
            if sol["value"] is None:
                continue  # a focus node without values: sh:minCount, below
            value = from_ox(sol["value"]).nt
            values.add(value)
            out += [result(c, value) for c in q.checks if c.column and sol[c.column].value == "false"]
        elif q.kind == "counts":
            for c in q.checks:
                n = int(sol[c.column].value)
                if (c.low is not None and n < c.low) or (c.high is not None and n > c.high):
                    out.append(result(c, None))
        elif q.kind == "rows":
            value = None if not q.value else (this if q.value == "this" else from_ox(sol[q.value]).nt)
            path = from_ox(sol[q.path_column]).nt if q.path_column else q.path
            names = {"path": path or ""} | ({"detail": sol[q.detail].value} if q.detail else {})
            out.append(result(q.checks[0], value, path, names))
        else:
            out += _sparql_rows(q, from_ox(sol["this"]), sol)
    for (this, *_), values in seen.items():
        for c in q.checks:
            if not c.column and ((c.low is not None and len(values) < c.low) or (c.high is not None and len(values) > c.high)):
                out.append(ShaclResult(this, q.path, None, c.component, q.severity, q.shape, _message(q, c.message), q.source_shape))
    return out


def run_unit(unit: Unit, compiled: CompiledShapes, data: ox.Store, closures: dict[str, tuple[list[str], bool]],
             *, union: bool = True, wrapped: bool = False) -> list[ShaclResult]:
    """One unit's results; any error of the store or of a custom function propagates."""
    functions = _custom_functions()
    out: list[ShaclResult] = []
    for q in unit.queries:
        if wrapped and q.literal_sensitive:
            raise UnsupportedShape(q.shape, "a SPARQL constraint over data with literals kept as written")
        solutions = data.query(fill(q.sparql, compiled, closures, wrapped), use_default_graph_as_union=union,
                               custom_functions=functions)
        out += _rows(q, solutions)
    return out


def run_shapes(compiled: CompiledShapes, data: ox.Store, *, union: bool = True, wrapped: bool = False) -> list[ShaclResult]:
    """Run every unit; results sorted and deterministic, one per value and constraint.

    Raises UnsupportedShape if a unit was refused: the results would be incomplete
    (`igokg.shacl.engine.validate_shapes` sends such units to pySHACL instead).
    """
    refused = compiled.refusals()
    if refused:
        raise UnsupportedShape(refused[0].name, refused[0].refused or "")
    closures = _subclass_closures(data, compiled.classes, union)
    out: list[ShaclResult] = []
    for unit in compiled.units:
        out += run_unit(unit, compiled, data, closures, union=union, wrapped=wrapped)
    return sorted(out, key=shacl_sort_key)


def _substitute(message: str, bindings: dict[str, Term]) -> str:
    # pySHACL replaces {?var} and {$var} with str() of the rdflib term: the bare IRI or lexical form.
    for var, val in bindings.items():
        message = message.replace(f"{{?{var}}}", val.rdflib_str()).replace(f"{{${var}}}", val.rdflib_str())
    return message


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
                        q.component, q.severity, q.shape, message, q.source_shape)]
