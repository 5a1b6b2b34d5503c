"""Stage: validate. SHACL shapes compiled to SPARQL, run on an in-memory pyoxigraph store.

Input: a shapes graph (in a pyoxigraph Store) and a data store (the project's
facts plus its ontology, possibly spread over named graphs). Output: a sorted,
de-duplicated list of `ShaclResult`, one per SHACL validation result.

Why: pySHACL walks the data node by node in Python and needs ~40 s for 100k
triples; the same constraints as one SPARQL query each run in well under a
second. Speed is worth nothing if the answers differ, so this engine copies
pySHACL's semantics (not merely the SHACL spec's) for everything it accepts, and
raises `UnsupportedShape` for everything else so the caller can fall back to
`run_pyshacl`, which wraps the reference engine and reports in the same form.
The tests hold the two engines to identical result keys.

Where pySHACL's verdict lives in Python rather than in SPARQL (is this literal
ill-typed? does this Python regular expression match? how does rdflib order two
literals?) the queries call back into Python through pyoxigraph custom
functions, on the value nodes only, so the answer is pySHACL's by construction.

The engines agree on the terms they are given; two loaders change terms first:
- pyoxigraph's Store canonicalises literals it understands ("01"^^xsd:integer is
  stored as "1", "1.0"^^xsd:decimal as "1", "1"^^xsd:boolean as "true") and maps
  derived integer types and xsd:dateTimeStamp to xsd:integer / xsd:dateTime, so
  sh:datatype naming those types is refused here;
- rdflib's parsers canonicalise too, differently ("2018-01-01Z"^^xsd:date loses its
  zone) and keep language tags' case, which oxigraph lower-cases.
Feed pySHACL `to_rdflib(store)` to compare like with like; blank node labels then
match as well.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import pyoxigraph as ox
import rdflib

from igokg._shacl_terms import (
    RDF,
    RDF_LANGSTRING,
    RDFS,
    XSD,
    XSD_STRING,
    Term,
    compile_pattern,
    datatype_ok,
    from_ox,
    from_rdflib,
    pattern_ok,
    quiet_rdflib,
    range_ok,
    rdflib_recognises,
    to_rdflib_term,
)
from igokg.errors import ShapeError, UnsupportedShape

__all__ = [
    "ShaclResult",
    "CompiledQuery",
    "CompiledShapes",
    "compile_shapes",
    "run_shapes",
    "run_pyshacl",
    "agree",
    "to_rdflib",
]

SH = "http://www.w3.org/ns/shacl#"
OWL = "http://www.w3.org/2002/07/owl#"
RDF_TYPE = RDF + "type"
RDF_FIRST = RDF + "first"
RDF_REST = RDF + "rest"
RDF_NIL = RDF + "nil"
RDFS_SUBCLASSOF = RDFS + "subClassOf"
RDFS_CLASS = RDFS + "Class"
XSD_INTEGER = XSD + "integer"
XSD_BOOLEAN = XSD + "boolean"

VIOLATION = SH + "Violation"
WARNING = SH + "Warning"
INFO = SH + "Info"

# pySHACL counts these (and only these) integer types as valid lengths.
_WHOLE_INTEGERS = {
    XSD + t
    for t in (
        "integer", "nonNegativeInteger", "positiveInteger", "nonPositiveInteger", "negativeInteger",
        "long", "int", "short", "byte", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte",
    )
}

# pyoxigraph's Store keeps these datatypes' values but not their IRIs: "5"^^xsd:int is
# stored as "5"^^xsd:integer, xsd:dateTimeStamp as xsd:dateTime. sh:datatype naming
# one of them cannot be checked on the store, so it is refused.
_STORE_ERASES = (_WHOLE_INTEGERS - {XSD_INTEGER}) | {XSD + "dateTimeStamp"}

# Custom SPARQL functions; the second argument indexes tables in CompiledShapes.
_FN = "urn:igokg:shacl:fn:"
_FN_DATATYPE = _FN + "datatype"
_FN_PATTERN = _FN + "pattern"
_FN_RANGE = _FN + "range"

# Placeholders filled at run time, once the subclass closure of the data is known.
_CLASS_TARGET = re.compile(r"__IGOKG_TARGET_CLASS_(\d+)__")
_CLASS_CHECK = re.compile(r"__IGOKG_CLASS_CHECK_(\d+)_(\w+)__")

# Terms a shape may carry that neither constrain nor target anything.
_INERT = {
    RDF_TYPE,
    SH + "name", SH + "description", SH + "order", SH + "group", SH + "defaultValue",
    SH + "message", SH + "severity", SH + "deactivated", SH + "path",
    SH + "targetClass", SH + "targetNode", SH + "targetSubjectsOf", SH + "targetObjectsOf",
    SH + "flags",  # read together with sh:pattern; alone, pySHACL ignores it too
}

# Value-level constraints: each is a test on one value node, so it compiles to a
# SPARQL boolean expression and can also appear inside sh:or/sh:and/sh:not/sh:xone/sh:node.
_VALUE_LEVEL = {
    SH + "class": "ClassConstraintComponent",
    SH + "datatype": "DatatypeConstraintComponent",
    SH + "nodeKind": "NodeKindConstraintComponent",
    SH + "pattern": "PatternConstraintComponent",
    SH + "minLength": "MinLengthConstraintComponent",
    SH + "maxLength": "MaxLengthConstraintComponent",
    SH + "in": "InConstraintComponent",
    SH + "languageIn": "LanguageInConstraintComponent",
    SH + "minInclusive": "MinInclusiveConstraintComponent",
    SH + "maxInclusive": "MaxInclusiveConstraintComponent",
    SH + "minExclusive": "MinExclusiveConstraintComponent",
    SH + "maxExclusive": "MaxExclusiveConstraintComponent",
    SH + "or": "OrConstraintComponent",
    SH + "and": "AndConstraintComponent",
    SH + "not": "NotConstraintComponent",
    SH + "xone": "XoneConstraintComponent",
    SH + "node": "NodeConstraintComponent",
}

_NODE_KINDS = {
    SH + "IRI": "isIRI({v})",
    SH + "BlankNode": "isBlank({v})",
    SH + "Literal": "isLiteral({v})",
    SH + "BlankNodeOrIRI": "(isIRI({v}) || isBlank({v}))",
    SH + "BlankNodeOrLiteral": "(isBlank({v}) || isLiteral({v}))",
    SH + "IRIOrLiteral": "(isIRI({v}) || isLiteral({v}))",
}

_RANGES = {
    SH + "minInclusive": (lambda c: c >= 0, ">="),
    SH + "maxInclusive": (lambda c: c <= 0, "<="),
    SH + "minExclusive": (lambda c: c > 0, ">"),
    SH + "maxExclusive": (lambda c: c < 0, "<"),
}

# Well-formed SHACL that this engine refuses, with the name it reports.
_UNSUPPORTED = {
    SH + "closed": "sh:closed",
    SH + "ignoredProperties": "sh:ignoredProperties",
    SH + "equals": "sh:equals",
    SH + "disjoint": "sh:disjoint",
    SH + "lessThan": "sh:lessThan",
    SH + "lessThanOrEquals": "sh:lessThanOrEquals",
    SH + "qualifiedValueShape": "sh:qualifiedValueShape",
    SH + "qualifiedMinCount": "sh:qualifiedMinCount",
    SH + "qualifiedMaxCount": "sh:qualifiedMaxCount",
    SH + "qualifiedValueShapesDisjoint": "sh:qualifiedValueShapesDisjoint",
    SH + "target": "sh:target (SHACL-AF custom target)",
    SH + "rule": "sh:rule (SHACL-AF rules)",
    SH + "expression": "sh:expression (SHACL-AF node expressions)",
    SH + "js": "sh:js (SHACL-JS)",
}


@dataclass(frozen=True, order=True)
class ShaclResult:
    """One validation result, normalised so that both engines spell it alike.

    Terms are in N-Triples syntax (language tags lower-cased, xsd:string implicit).
    Blank nodes keep their labels: the engines agree on them only when both were
    given the same terms, e.g. the rdflib graph was made from the store by `to_rdflib`.
    """

    focus: str
    path: str | None
    value: str | None
    component: str
    severity: str
    shape: str
    message: str

    def key(self) -> tuple:
        """What the agreement tests compare: shape labels and messages may differ."""
        return (self.focus, self.path, self.value, self.component, self.severity)


def _sort_key(r: ShaclResult) -> tuple:
    # order=True cannot compare None with str, so sort on a None-free key.
    return (r.focus, r.path or "", r.value or "", r.component, r.severity, r.shape, r.message)


@dataclass(frozen=True)
class CompiledQuery:
    """One SELECT query for one (shape, constraint component)."""

    shape: str
    component: str
    severity: str
    path: str | None  # N-Triples (or ^<iri>) of the shape's path, reported on every row
    sparql: str  # template: class placeholders are filled by run_shapes
    messages: tuple[str, ...]  # message templates; SPARQL constraints substitute {?var}
    value: str  # "value": ?value column; "this": the focus node; "none": no value
    sparql_constraint: bool = False
    projected: tuple[str, ...] = ()  # SPARQL constraints: the variables the author selected


@dataclass
class CompiledShapes:
    """The compiled form of a shapes graph; opaque apart from `queries` (for debugging)."""

    queries: list[CompiledQuery] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)  # class IRIs whose closures the queries need
    patterns: list[Any] = field(default_factory=list)  # compiled Python regular expressions
    bounds: list[tuple[Term, Callable[[int], bool]]] = field(default_factory=list)


# --------------------------------------------------------------------------- shapes graph


class _Index:
    """The shapes graph as an in-memory index of `Term`s (shapes graphs are small)."""

    def __init__(self, triples: Iterable[tuple[Term, Term, Term]]) -> None:
        self.spo: dict[Term, dict[str, list[Term]]] = defaultdict(lambda: defaultdict(list))
        self.pos: dict[tuple[str, Term], list[Term]] = defaultdict(list)
        self.by_pred: dict[str, list[tuple[Term, Term]]] = defaultdict(list)
        seen = set()
        for s, p, o in triples:
            if (s, p, o) in seen:
                continue
            seen.add((s, p, o))
            self.spo[s][p.value].append(o)
            self.pos[(p.value, o)].append(s)
            self.by_pred[p.value].append((s, o))

    @classmethod
    def from_store(cls, store: ox.Store) -> "_Index":
        return cls((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)) for q in store)

    @classmethod
    def from_rdflib(cls, graph: rdflib.Graph) -> "_Index":
        return cls((from_rdflib(s), from_rdflib(p), from_rdflib(o)) for s, p, o in graph)

    def objects(self, s: Term, p: str) -> list[Term]:
        return sorted(self.spo.get(s, {}).get(p, []), key=lambda t: t.nt)

    def subjects(self, p: str, o: Term) -> list[Term]:
        return sorted(self.pos.get((p, o), []), key=lambda t: t.nt)

    def predicates(self, s: Term) -> list[str]:
        return sorted(self.spo.get(s, {}))

    def items(self, head: Term, shape: str, what: str) -> list[Term]:
        out, node, seen = [], head, set()
        while node != Term("iri", RDF_NIL):
            if node in seen:
                raise ShapeError(shape, f"the RDF list of {what} is cyclic")
            seen.add(node)
            first, rest = self.objects(node, RDF_FIRST), self.objects(node, RDF_REST)
            if len(first) != 1 or len(rest) != 1:
                raise ShapeError(shape, f"the value of {what} is not a well-formed RDF list")
            out.append(first[0])
            node = rest[0]
        return out


def _path_label(idx: _Index, path: Term) -> str:
    if path.is_iri:
        return path.nt
    inverse = idx.objects(path, SH + "inversePath")
    if path.is_bnode and len(inverse) == 1 and inverse[0].is_iri and len(idx.predicates(path)) == 1:
        return "^" + inverse[0].nt
    return "[complex path]"


def _shape_label(idx: _Index, node: Term, depth: int = 0) -> str:
    """IRI shapes are their IRI; blank ones are named after the shape that holds them."""
    if not node.is_bnode:
        return node.nt
    if depth > 8:
        return "[]"
    for parent in idx.subjects(SH + "property", node):
        paths = idx.objects(node, SH + "path")
        where = _path_label(idx, paths[0]) if paths else "?"
        return f"{_shape_label(idx, parent, depth + 1)} sh:property [{where}]"
    for pred in ("node", "not", "qualifiedValueShape"):
        for parent in idx.subjects(SH + pred, node):
            return f"{_shape_label(idx, parent, depth + 1)} sh:{pred} []"
    return "[] (anonymous shape)"


def _local(iri: str) -> str:
    return "sh:" + iri[len(SH):] if iri.startswith(SH) else f"<{iri}>"


# --------------------------------------------------------------------------- compiler


class _Compiler:
    def __init__(self, idx: _Index) -> None:
        self.idx = idx
        self.out = CompiledShapes()
        self.shapes: dict[Term, Term | None] = {}  # shape -> path (None for node shapes)
        self.counter = 0

    # -- helpers

    def fresh(self, stem: str) -> str:
        self.counter += 1
        return f"?__{stem}{self.counter}"

    def label(self, shape: Term) -> str:
        return _shape_label(self.idx, shape)

    def one(self, shape: Term, pred: str, *, required: bool = False) -> Term | None:
        vals = self.idx.objects(shape, pred)
        if len(vals) > 1:
            raise ShapeError(self.label(shape), f"{_local(pred)} has {len(vals)} values; at most one is allowed")
        if required and not vals:
            raise ShapeError(self.label(shape), f"{_local(pred)} is missing")
        return vals[0] if vals else None

    def integer(self, shape: Term, pred: str, allowed: set[str]) -> int:
        term = self.one(shape, pred, required=True)
        assert term is not None
        if not (term.is_literal and term.datatype in allowed and re.fullmatch(r"[+-]?\d+", term.value)):
            raise ShapeError(self.label(shape), f"{_local(pred)} must be a non-negative xsd:integer, not {term.nt}")
        n = int(term.value)
        if n < 0:
            raise ShapeError(self.label(shape), f"{_local(pred)} must be >= 0, not {n}")
        return n

    def boolean(self, shape: Term, pred: str) -> bool | None:
        term = self.one(shape, pred)
        if term is None:
            return None
        if not (term.is_literal and term.datatype == XSD_BOOLEAN and term.value in ("true", "false", "1", "0")):
            raise ShapeError(self.label(shape), f"{_local(pred)} must be an xsd:boolean literal, not {term.nt}")
        return term.value in ("true", "1")

    def severity(self, shape: Term) -> str:
        term = self.one(shape, SH + "severity")
        if term is None:
            return VIOLATION
        if not term.is_iri:
            raise ShapeError(self.label(shape), f"sh:severity must be an IRI, not {term.nt}")
        return term.value

    def messages(self, shape: Term) -> list[Term]:
        return self.idx.objects(shape, SH + "message")

    # -- discovery, as pySHACL's ShapesGraph._build_node_shape_cache

    def discover(self) -> None:
        idx = self.idx
        sh_type = lambda c: set(idx.subjects(RDF_TYPE, Term("iri", SH + c)))  # noqa: E731
        node_typed, prop_typed = sh_type("NodeShape"), sh_type("PropertyShape")
        for s in node_typed:
            if idx.objects(s, SH + "path"):
                raise ShapeError(self.label(s), "a sh:NodeShape cannot have sh:path")
            self.shapes[s] = None
        for s in prop_typed:
            if s in node_typed:
                raise ShapeError(self.label(s), "a shape cannot be both sh:NodeShape and sh:PropertyShape")
            paths = idx.objects(s, SH + "path")
            if len(paths) != 1:
                raise ShapeError(self.label(s), f"a sh:PropertyShape needs exactly one sh:path, found {len(paths)}")
            self.shapes[s] = paths[0]
        candidates: set[Term] = set()
        for pred in ("targetClass", "targetNode", "targetObjectsOf", "targetSubjectsOf", "property", "node"):
            candidates.update(s for s, _ in idx.by_pred[SH + pred])
        for pred in ("property", "node", "not", "qualifiedValueShape"):
            candidates.update(o for _, o in idx.by_pred[SH + pred])
        for pred in ("and", "or", "xone"):
            for s, lst in idx.by_pred[SH + pred]:
                members = idx.items(lst, self.label(s), f"sh:{pred}")
                if not members:
                    raise ShapeError(self.label(s), f"sh:{pred} needs a list with at least one shape")
                candidates.update(members)
        for s in candidates:
            if s in self.shapes:
                continue
            if s.is_literal:
                raise ShapeError(s.nt, "a literal is used where a shape is expected")
            paths = idx.objects(s, SH + "path")
            if len(paths) > 1:
                raise ShapeError(self.label(s), f"a property shape needs exactly one sh:path, found {len(paths)}")
            self.shapes[s] = paths[0] if paths else None

    # -- whole graph

    def compile(self) -> CompiledShapes:
        idx = self.idx
        for kind in ("ConstraintComponent", "SPARQLFunction", "Function", "SPARQLTarget", "SPARQLTargetType",
                     "SPARQLRule", "TripleRule", "JSConstraint"):
            users = idx.subjects(RDF_TYPE, Term("iri", SH + kind))
            if users:
                raise UnsupportedShape(users[0].nt, f"sh:{kind} (custom components, functions, rules or targets)")
        for sub in idx.subjects(RDFS_SUBCLASSOF, Term("iri", SH + "ConstraintComponent")):
            raise UnsupportedShape(sub.nt, "custom constraint components")
        for pred, feature in _UNSUPPORTED.items():
            for s, _ in idx.by_pred[pred]:
                raise UnsupportedShape(self.label(s), feature)
        self.discover()
        for shape in sorted(self.shapes, key=lambda t: t.nt):
            focus = self.focus_pattern(shape)
            if focus is None or self.boolean(shape, SH + "deactivated"):
                continue
            self.compile_shape(shape, focus)
        return self.out

    # -- targets

    def focus_pattern(self, shape: Term) -> str | None:
        idx, label = self.idx, self.label(shape)
        branches: list[str] = []
        nodes = idx.objects(shape, SH + "targetNode")
        for n in nodes:
            if n.is_bnode:
                raise UnsupportedShape(label, "sh:targetNode with a blank node")
        if nodes:
            branches.append("{ VALUES ?this { " + " ".join(n.sparql() for n in nodes) + " } }")
        classes = list(idx.objects(shape, SH + "targetClass"))
        # Implicit class targets: pySHACL counts types that are rdfs:Class, owl:Class
        # (it adds owl:Class rdfs:subClassOf rdfs:Class itself) or direct subclasses
        # of rdfs:Class declared in the shapes graph.
        class_types = {RDFS_CLASS, OWL + "Class"} | {
            t.value for t in idx.subjects(RDFS_SUBCLASSOF, Term("iri", RDFS_CLASS)) if t.is_iri
        }
        if shape.is_iri and any(t.value in class_types for t in idx.objects(shape, RDF_TYPE)):
            classes.append(shape)
        for c in classes:
            if c.is_literal:
                raise ShapeError(label, f"sh:targetClass must be an IRI, not {c.nt}")
            if c.is_bnode:
                raise UnsupportedShape(label, "sh:targetClass with a blank node")
            self.out.classes.append(c.value)
            branches.append(f"{{ __IGOKG_TARGET_CLASS_{len(self.out.classes) - 1}__ }}")
        for pred, pattern in (("targetSubjectsOf", "?this {p} ?__o"), ("targetObjectsOf", "?__s {p} ?this")):
            for p in idx.objects(shape, SH + pred):
                if not p.is_iri:
                    raise ShapeError(label, f"sh:{pred} must be an IRI, not {p.nt}")
                branches.append("{ " + pattern.format(p=p.nt) + " }")
        if not branches:
            return None
        return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(branches) + " } }"

    # -- one shape with its focus nodes

    def path_pattern(self, shape: Term, path: Term, value: str = "?value") -> tuple[str, str]:
        """(SPARQL triple pattern from ?this to `value`, result path label)."""
        label = self.label(shape)
        if path.is_literal:
            raise ShapeError(label, f"sh:path cannot be a literal ({path.nt})")
        if path.is_iri:
            return f"?this {path.nt} {value} .", path.nt
        preds = self.idx.predicates(path)
        inverse = self.idx.objects(path, SH + "inversePath")
        if preds == [SH + "inversePath"] and len(inverse) == 1 and inverse[0].is_iri:
            return f"{value} {inverse[0].nt} ?this .", "^" + inverse[0].nt
        if preds and preds[0] == RDF_FIRST:
            raise UnsupportedShape(label, "sequence paths")
        kinds = [p for p in preds if p.startswith(SH)]
        raise UnsupportedShape(label, f"property path {', '.join(_local(k) for k in kinds) or 'of unknown form'}")

    def add(self, shape: Term, component: str, sparql: str, value: str, path: str | None,
            default_message: str, **extra: Any) -> None:
        msgs = tuple(m.value for m in self.messages(shape)) or (default_message,)
        self.out.queries.append(CompiledQuery(
            shape=self.label(shape), component=SH + component, severity=self.severity(shape),
            path=path, sparql=sparql, messages=msgs, value=value, **extra,
        ))

    def compile_shape(self, shape: Term, focus: str) -> None:
        idx, label = self.idx, self.label(shape)
        path = self.shapes.get(shape)
        is_property = path is not None
        self.severity(shape)  # malformed severities fail at compile time, not at the first result
        preds = idx.predicates(shape)
        for pred in preds:
            if pred in _UNSUPPORTED:
                raise UnsupportedShape(label, _UNSUPPORTED[pred])
            if pred.startswith(SH) and pred not in _INERT and pred not in _VALUE_LEVEL and pred not in (
                SH + "minCount", SH + "maxCount", SH + "hasValue", SH + "uniqueLang", SH + "property", SH + "sparql",
            ):
                raise UnsupportedShape(label, _local(pred))
        if is_property:
            assert path is not None
            pattern, path_nt = self.path_pattern(shape, path)
        else:
            for pred in ("minCount", "maxCount", "uniqueLang"):
                if SH + pred in preds:
                    raise ShapeError(label, f"sh:{pred} is only allowed on property shapes")
            pattern, path_nt = "BIND(?this AS ?value)", None

        if is_property:
            if SH + "minCount" in preds:
                n = self.integer(shape, SH + "minCount", {XSD_INTEGER})
                if n == 1:
                    q = f"SELECT DISTINCT ?this WHERE {{ {focus} FILTER NOT EXISTS {{ {pattern} }} }}"
                elif n > 1:
                    q = (f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ {pattern} }} }} "
                         f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) < {n})")
                if n > 0:
                    self.add(shape, "MinCountConstraintComponent", q, "none", path_nt, f"Less than {n} values")
            if SH + "maxCount" in preds:
                n = self.integer(shape, SH + "maxCount", {XSD_INTEGER})
                q = (f"SELECT ?this WHERE {{ {focus} {pattern} }} "
                     f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) > {n})")
                self.add(shape, "MaxCountConstraintComponent", q, "none", path_nt, f"More than {n} values")
            if SH + "uniqueLang" in preds:
                if self.boolean(shape, SH + "uniqueLang"):
                    q = (f"SELECT DISTINCT ?this WHERE {{ {focus} {pattern} "
                         f"FILTER(isLiteral(?value) && LANG(?value) != \"\") }} "
                         f"GROUP BY ?this (LCASE(LANG(?value)) AS ?__lang) HAVING (COUNT(DISTINCT ?value) > 1)")
                    self.add(shape, "UniqueLangConstraintComponent", q, "none", path_nt,
                             "More than one string shares the same language")

        for hv in idx.objects(shape, SH + "hasValue"):
            if hv.is_bnode:
                raise UnsupportedShape(label, "sh:hasValue with a blank node")
            if is_property:
                assert path is not None
                has, _ = self.path_pattern(shape, path, hv.sparql())
                q = f"SELECT DISTINCT ?this WHERE {{ {focus} FILTER NOT EXISTS {{ {has} }} }}"
            else:
                q = f"SELECT DISTINCT ?this WHERE {{ {focus} FILTER(!sameTerm(?this, {hv.sparql()})) }}"
            self.add(shape, "HasValueConstraintComponent", q, "none", path_nt, f"Missing required value {hv.nt}")

        for pred, component in _VALUE_LEVEL.items():
            if pred not in preds:
                continue
            expr = self.value_expr(shape, pred, "?value", stack=(shape,))
            q = f"SELECT DISTINCT ?this ?value WHERE {{ {focus} {pattern} FILTER(!({expr})) }}"
            self.add(shape, component, q, "value", path_nt, self.default_message(shape, pred))

        for prop in idx.objects(shape, SH + "property"):
            if is_property:
                raise UnsupportedShape(label, "sh:property on a property shape")
            if self.shapes.get(prop) is None:
                raise ShapeError(self.label(prop), "sh:path is missing on a property shape (value of sh:property)")
            if self.boolean(prop, SH + "deactivated"):
                continue
            self.compile_shape(prop, focus)

        for sparql_node in idx.objects(shape, SH + "sparql"):
            self.compile_sparql(shape, sparql_node, focus, path, path_nt)

    def default_message(self, shape: Term, pred: str) -> str:
        vals = ", ".join(v.nt for v in self.idx.objects(shape, pred))
        return {
            "class": f"Value is not an instance of {vals}",
            "datatype": f"Value is not a literal with datatype {vals}",
            "nodeKind": f"Value is not of node kind {vals}",
            "pattern": f"Value does not match pattern {vals}",
            "minLength": f"String length is less than {vals}",
            "maxLength": f"String length is more than {vals}",
            "in": "Value is not in the allowed list",
            "languageIn": "Language tag is not in the allowed list",
            "or": "Value does not conform to any shape in sh:or",
            "and": "Value does not conform to all shapes in sh:and",
            "xone": "Value does not conform to exactly one shape in sh:xone",
            "not": "Value conforms to a shape it must not conform to",
            "node": f"Value does not conform to shape {vals}",
        }.get(pred[len(SH):], f"Value fails {_local(pred)} {vals}")

    # -- value-level constraints as SPARQL boolean expressions, never raising an error

    def value_expr(self, shape: Term, pred: str, v: str, stack: tuple[Term, ...]) -> str:
        idx, label = self.idx, self.label(shape)
        vals = idx.objects(shape, pred)
        name = pred[len(SH):]
        parts: list[str] = []
        if name == "class":
            for c in vals:
                if not c.is_iri:
                    raise (UnsupportedShape(label, "sh:class with a blank node") if c.is_bnode
                           else ShapeError(label, f"sh:class must be an IRI, not {c.nt}"))
                self.out.classes.append(c.value)
                parts.append(f"__IGOKG_CLASS_CHECK_{len(self.out.classes) - 1}_{v[1:]}__")
        elif name == "datatype":
            dt = self.one(shape, pred)
            assert dt is not None
            if not dt.is_iri:
                raise ShapeError(label, f"sh:datatype must be an IRI, not {dt.nt}")
            parts.append(self.datatype_expr(label, dt.value, v))
        elif name == "nodeKind":
            kind = self.one(shape, pred)
            assert kind is not None
            if kind.value not in _NODE_KINDS or not kind.is_iri:
                raise ShapeError(label, f"sh:nodeKind must be one of the six SHACL node kinds, not {kind.nt}")
            parts.append(_NODE_KINDS[kind.value].format(v=v))
        elif name == "pattern":
            flags = self.one(shape, SH + "flags")
            if flags is not None and not flags.is_literal:
                raise ShapeError(label, f"sh:flags must be a literal, not {flags.nt}")
            for p in vals:
                if not p.is_literal:
                    raise ShapeError(label, f"sh:pattern must be a literal, not {p.nt}")
                try:
                    matcher = compile_pattern(p.value, flags.value if flags else None)
                except re.error as exc:
                    raise ShapeError(label, f"sh:pattern {p.nt} is not a valid regular expression: {exc}") from None
                self.out.patterns.append(matcher)
                parts.append(f"COALESCE(<{_FN_PATTERN}>({v}, {len(self.out.patterns) - 1}), false)")
        elif name in ("minLength", "maxLength"):
            n = self.integer(shape, pred, _WHOLE_INTEGERS)
            if name == "minLength" and n == 0:
                parts.append("true")  # pySHACL lets even blank nodes pass a zero minimum
            else:
                op = ">=" if name == "minLength" else "<="
                parts.append(f"COALESCE(!isBlank({v}) && STRLEN(STR({v})) {op} {n}, false)")
        elif name == "in":
            lst = self.one(shape, pred)
            assert lst is not None
            members = idx.items(lst, label, "sh:in")
            if any(m.is_bnode for m in members):
                raise UnsupportedShape(label, "sh:in with blank node members")
            # sameTerm, not =: pySHACL compares terms, so "1"^^xsd:integer is not "1.0"^^xsd:decimal.
            parts.append("(" + " || ".join(f"sameTerm({v}, {m.sparql()})" for m in members) + ")"
                         if members else "false")
        elif name == "languageIn":
            lst = self.one(shape, pred)
            assert lst is not None
            langs = set()
            for m in idx.items(lst, label, "sh:languageIn"):
                if not (m.is_literal and m.lang is None and m.datatype is None):
                    raise ShapeError(label, f"sh:languageIn members must be strings, not {m.nt}")
                langs.add(m.value.lower())
            if "*" in langs:
                parts.append(f"COALESCE(isLiteral({v}) && LANG({v}) != \"\", false)")
            elif not langs:
                parts.append("false")
            else:
                # pySHACL: the whole tag or its first subtag must be listed (not full langMatches).
                listed = ", ".join(Term("literal", lang).nt for lang in sorted(langs))
                firsts = ", ".join(Term("literal", lang).nt for lang in sorted(langs) if lang)
                test = f"LCASE(LANG({v})) IN ({listed})"
                if firsts:
                    test += f" || LCASE(STRBEFORE(LANG({v}), \"-\")) IN ({firsts})"
                parts.append(f"COALESCE(isLiteral({v}) && LANG({v}) != \"\" && ({test}), false)")
        elif name in ("minInclusive", "maxInclusive", "minExclusive", "maxExclusive"):
            accept, _ = _RANGES[pred]
            for b in vals:
                if not b.is_literal:
                    raise ShapeError(label, f"sh:{name} must be a literal, not {b.nt}")
                self.out.bounds.append((b, accept))
                parts.append(f"COALESCE(<{_FN_RANGE}>({v}, {len(self.out.bounds) - 1}), false)")
        elif name in ("or", "and", "xone"):
            for lst in vals:
                members = idx.items(lst, label, f"sh:{name}")
                tests = [self.conforms(m, v, stack, logical=True) for m in members]
                if name == "or":
                    parts.append("(" + " || ".join(tests) + ")")
                elif name == "and":
                    parts.append("(" + " && ".join(tests) + ")")
                else:
                    parts.append("((" + " + ".join(f"IF({t}, 1, 0)" for t in tests) + ") = 1)")
        elif name == "not":
            for m in vals:
                parts.append(f"!({self.conforms(m, v, stack, logical=True)})")
        elif name == "node":
            for m in vals:
                parts.append(self.conforms(m, v, stack, logical=False))
        else:  # pragma: no cover - _VALUE_LEVEL and this function list the same names
            raise UnsupportedShape(label, _local(pred))
        return " && ".join(f"({p})" for p in parts) if parts else "true"

    def datatype_expr(self, label: str, dt: str, v: str) -> str:
        if dt == RDFS + "Literal":
            return f"isLiteral({v})"
        if dt == RDF_LANGSTRING:
            return f"COALESCE(isLiteral({v}) && LANG({v}) != \"\", false)"
        if dt == XSD_STRING:
            return f"COALESCE(isLiteral({v}) && sameTerm(DATATYPE({v}), <{XSD_STRING}>), false)"
        if dt in _STORE_ERASES:
            raise UnsupportedShape(label, f"sh:datatype <{dt}>, which the pyoxigraph store rewrites on load")
        if dt == RDFS + "Datatype":
            # pySHACL asks rdflib whether the literal "has a datatype", which depends on
            # whether "x" was parsed as plain or as "x"^^xsd:string: not decidable here.
            raise UnsupportedShape(label, "sh:datatype rdfs:Datatype")
        same = f"isLiteral({v}) && sameTerm(DATATYPE({v}), <{dt}>)"
        if not rdflib_recognises(dt):
            return f"COALESCE({same}, false)"  # rdflib cannot call it ill-typed: the IRI decides
        return f"COALESCE({same} && <{_FN_DATATYPE}>({v}), false)"

    def conforms(self, member: Term, v: str, stack: tuple[Term, ...], *, logical: bool) -> str:
        """Expression: does the node in `v` conform to the member shape?"""
        label = self.label(member)
        if member in stack or len(stack) > 16:
            raise UnsupportedShape(label, "recursive shapes")
        if member.is_literal:
            raise ShapeError(label, "a literal is used where a shape is expected")
        if self.shapes.get(member) is not None:
            if not logical:
                raise ShapeError(label, "the value of sh:node must be a node shape, not a property shape")
            raise UnsupportedShape(label, "property shapes inside sh:or/sh:and/sh:not/sh:xone")
        if self.boolean(member, SH + "deactivated"):
            return "true"
        # With allow_warnings, pySHACL counts a member whose own severity is Warning or
        # Info as conforming in sh:or/and/not/xone; sh:node looks at its results instead.
        if logical and self.severity(member) in (WARNING, INFO):
            return "true"
        inner = stack + (member,)
        parts = []
        for pred in self.idx.predicates(member):
            if pred in _UNSUPPORTED:
                raise UnsupportedShape(label, _UNSUPPORTED[pred])
            if pred in _VALUE_LEVEL:
                parts.append(self.value_expr(member, pred, v, inner))
            elif pred == SH + "hasValue":
                for hv in self.idx.objects(member, pred):
                    if hv.is_bnode:
                        raise UnsupportedShape(label, "sh:hasValue with a blank node")
                    parts.append(f"sameTerm({v}, {hv.sparql()})")
            elif pred in (SH + "minCount", SH + "maxCount", SH + "uniqueLang"):
                raise ShapeError(label, f"{_local(pred)} is only allowed on property shapes")
            elif pred in (SH + "property", SH + "sparql"):
                raise UnsupportedShape(label, f"{_local(pred)} inside a shape used by sh:or/sh:and/sh:not/sh:xone/sh:node")
            elif pred.startswith(SH) and pred not in _INERT:
                raise UnsupportedShape(label, _local(pred))
        return "(" + " && ".join(f"({p})" for p in parts) + ")" if parts else "true"

    # -- SHACL-SPARQL

    def compile_sparql(self, shape: Term, node: Term, focus: str, path: Term | None, path_nt: str | None) -> None:
        label = self.label(shape)
        selects = self.idx.objects(node, SH + "select")
        if not selects:
            if self.idx.objects(node, SH + "ask"):
                raise UnsupportedShape(label, "sh:ask in a SPARQL constraint")
            raise ShapeError(label, "sh:sparql constraint without sh:select")
        if len(selects) > 1:
            raise ShapeError(label, "sh:sparql constraint with more than one sh:select")
        select = selects[0]
        if not (select.is_literal and select.datatype is None and select.lang is None):
            raise ShapeError(label, f"sh:select must be a string literal, not {select.nt}")
        for m in self.idx.objects(node, SH + "message"):
            if not m.is_literal or (m.datatype is not None):
                raise ShapeError(label, f"sh:message of a SPARQL constraint must be a string, not {m.nt}")
        if self.boolean(node, SH + "deactivated"):
            return
        text = select.value
        _check_like_pyshacl(label, text)
        if _BIND_SG.search(text) or _BIND_CS.search(text):
            raise UnsupportedShape(label, "$shapesGraph or $currentShape in a SPARQL constraint")
        if path is not None:
            _, path_sparql = self.path_pattern(shape, path)
            text = _BIND_PATH.sub(lambda m: m.group(1) + path_sparql, text)
        elif _BIND_PATH.search(text):
            raise ShapeError(label, "SPARQL constraint uses $PATH but the shape has no sh:path")
        prefixes = self.sparql_prefixes(label, node)
        prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes.items())
        try:
            list(ox.Store().query(prologue + text))  # evaluated lazily: iterate to surface every error
        except SyntaxError as exc:
            raise ShapeError(label, f"SPARQL constraint does not parse: {exc}") from None
        except Exception as exc:  # e.g. an unknown function: the store would fail at run time
            raise UnsupportedShape(label, f"a SPARQL constraint the store cannot evaluate ({exc})") from None
        rewritten, projected = _rewrite_select(label, text, focus)
        msgs = [m.value for m in self.idx.objects(node, SH + "message")] + [m.value for m in self.messages(shape)]
        self.out.queries.append(CompiledQuery(
            shape=label, component=SH + "SPARQLConstraintComponent", severity=self.severity(shape),
            path=path_nt, sparql=prologue + rewritten, messages=tuple(msgs),
            value="none" if path is not None else "this", sparql_constraint=True, projected=projected,
        ))

    def sparql_prefixes(self, label: str, node: Term) -> dict[str, str]:
        """sh:prefixes/sh:declare, collected the way pySHACL's collect_prefixes does."""
        idx = self.idx
        prefixes_vals = idx.objects(node, SH + "prefixes")
        if not prefixes_vals:
            return {}
        onts = set(idx.subjects(RDF_TYPE, Term("iri", OWL + "Ontology")))
        global_declares = {d for o in onts for d in idx.objects(o, SH + "declare")}
        out: dict[str, str] = {}
        for pv in prefixes_vals:
            own = set(idx.objects(pv, SH + "declare"))
            declares = own if (own and pv in onts) else global_declares | own
            for dec in sorted(declares, key=lambda t: t.nt):
                if dec.is_literal:
                    raise ShapeError(label, "sh:declare must point to a node, not a literal")
                pfx = idx.objects(dec, SH + "prefix")
                ns = idx.objects(dec, SH + "namespace")
                if len(pfx) != 1 or len(ns) != 1:
                    raise ShapeError(label, "each sh:declare needs exactly one sh:prefix and one sh:namespace")
                if not pfx[0].is_literal or pfx[0].datatype is not None:
                    raise ShapeError(label, f"sh:prefix must be a string, not {pfx[0].nt}")
                if not ns[0].is_literal or ns[0].datatype not in (None, XSD + "anyURI"):
                    raise ShapeError(label, f"sh:namespace must be an xsd:anyURI literal, not {ns[0].nt}")
                out[pfx[0].value] = ns[0].value
        return out


# pySHACL's own regular expressions (helper/sparql_query_helper.py), copied so that
# exactly the queries it refuses are refused here.
_BIND_THIS = re.compile(r"([\s{}()])[\$\?]this", flags=re.M)
_BIND_PATH = re.compile(r"([\s{}()])[\$\?]PATH", flags=re.M)
_BIND_SG = re.compile(r"([\s{}()])[\$\?]shapesGraph", flags=re.M)
_BIND_CS = re.compile(r"([\s{}()])[\$\?]currentShape", flags=re.M)
_HAS_MINUS = re.compile(r"^(?:[^#]*|M)(?!#)#?[^\?\$\#]M?INUS[\s\{]", flags=re.M | re.I)
_HAS_VALUES = re.compile(r"^(?!\s*#).*?(?<![\w\-\:])VALUES\b(?:\s*(?:\(|[\?\$]\w+|\{|\w|\s))", flags=re.M | re.I)
_HAS_SERVICE = re.compile(r"^(?:[^#]*|S)(?!#)#?[^\?\$\#]S?ERVICE[\s\<]", flags=re.M | re.I)
_HAS_AS_VAR = re.compile(r"[^\w]+AS[\s]+[\$\?](\w+)", flags=re.M | re.I)


def _check_like_pyshacl(label: str, text: str) -> None:
    if _HAS_MINUS.search(text):
        raise ShapeError(label, "a SPARQL constraint must not contain MINUS")
    if _HAS_VALUES.search(text):
        raise ShapeError(label, "a SPARQL constraint must not contain VALUES")
    if _HAS_SERVICE.search(text):
        raise ShapeError(label, "a SPARQL constraint must not contain SERVICE")
    m = _HAS_AS_VAR.search(text)
    if m and m.group(1) in ("this", "shapesGraph", "currentShape"):
        raise ShapeError(label, f"a SPARQL constraint must not rebind ${m.group(1)} with AS")


_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')


def _mask(text: str) -> str:
    """Blank out strings, IRIs and comments so keywords and braces can be found by regex."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c == "<" and (m := _IRIREF.match(text, i)):
            out.append("<" + " " * (m.end() - i - 2) + ">")
            i = m.end()
        elif c in "\"'":
            quote = c * 3 if text.startswith(c * 3, i) else c
            j = i + len(quote)
            while j < n and not text.startswith(quote, j):
                j += 2 if text[j] == "\\" else 1
            j = min(n, j + len(quote))
            out.append('"' + " " * (j - i - 2) + '"')
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


_AGGREGATE = re.compile(r"\b(COUNT|SUM|MIN|MAX|AVG|SAMPLE|GROUP_CONCAT)\s*\(", re.I)


def _rewrite_select(label: str, text: str, focus: str) -> tuple[str, tuple[str, ...]]:
    """Evaluate the constraint for all focus nodes at once: the focus subquery is
    joined first in the WHERE group, which for the query shapes accepted here equals
    pySHACL's pre-binding of $this. Anything where the two could differ is refused."""
    masked = _mask(text)
    selects = list(re.finditer(r"\bSELECT\b", masked, re.I))
    if len(selects) != 1:
        if not selects:
            raise ShapeError(label, "sh:select must hold a SELECT query")
        raise UnsupportedShape(label, "nested SELECT in a SPARQL constraint")
    if re.search(r"[\?\$]this\b", masked) and not _BIND_THIS.search(text):
        # pySHACL would leave $this unbound here; joining would change the answer.
        raise UnsupportedShape(label, "$this written where pySHACL does not pre-bind it")
    start = selects[0].end()
    brace = masked.find("{", start)
    if brace < 0:
        raise ShapeError(label, "sh:select has no WHERE group")
    head = re.sub(r"\bWHERE\b\s*$", "", masked[start:brace].rstrip(), flags=re.I)
    head_text = text[start:start + len(head)]  # same span, strings and IRIs intact
    m = re.match(r"\s*(DISTINCT|REDUCED)\b", head, re.I)
    skip = m.end() if m else 0
    projected = _projection(label, head[skip:])
    depth, close = 0, -1
    for i in range(brace, len(masked)):
        if masked[i] == "{":
            depth += 1
        elif masked[i] == "}":
            depth -= 1
            if depth == 0:
                close = i
                break
    if close < 0:
        raise ShapeError(label, "unbalanced braces in sh:select")
    body, body_masked = text[brace + 1:close], masked[brace + 1:close]
    tail_masked = masked[close + 1:]
    for word in ("UNION", "GRAPH", "SERVICE", "MINUS", "VALUES", "LIMIT", "OFFSET"):
        if re.search(rf"\b{word}\b", body_masked + " " + tail_masked, re.I):
            raise UnsupportedShape(label, f"{word} in a SPARQL constraint")
    _check_groups(label, body_masked)
    group = re.search(r"\bGROUP\s+BY\b(.*?)(\bHAVING\b|\bORDER\b|$)", tail_masked, re.I | re.S)
    if group and not re.search(r"[\?\$]this\b", group.group(1)):
        raise UnsupportedShape(label, "GROUP BY without $this in a SPARQL constraint")
    if not group and (_AGGREGATE.search(head) or re.search(r"\bHAVING\b", tail_masked, re.I)):
        raise UnsupportedShape(label, "aggregates without GROUP BY $this in a SPARQL constraint")
    # The author's projection is kept as written (expressions included); ?this is added
    # when it was not selected, because each row must name its focus node.
    extra = "" if "this" in projected else " ?this"
    query = f"SELECT {head_text[:skip]}{extra} {head_text[skip:]} WHERE {{ {focus}\n{body}\n}}{text[close + 1:]}"
    return query, projected


def _projection(label: str, head: str) -> tuple[str, ...]:
    """Variables named by a SELECT clause (with `(expr AS ?x)` projecting ?x)."""
    if head.strip() == "*":
        raise UnsupportedShape(label, "SELECT * in a SPARQL constraint")
    names, depth, i = [], 0, 0
    while i < len(head):
        c = head[i]
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c in "?$" and depth == 0:
            m = re.match(r"[\?\$](\w+)", head[i:])
            if m:
                names.append(m.group(1))
                i += m.end()
                continue
        i += 1
    for m in re.finditer(r"\bAS\s+[\?\$](\w+)", head, re.I):
        names.append(m.group(1))
    if not names:
        raise ShapeError(label, "sh:select projects no variables")
    return tuple(dict.fromkeys(names))


def _check_groups(label: str, body: str) -> None:
    """Allow nested groups only where the focus binding reaches them as under pre-binding:
    FILTER [NOT] EXISTS anywhere, OPTIONAL only at the top of the WHERE group."""
    stack: list[str] = []
    for m in re.finditer(r"[{}]", body):
        if m.group() == "}":
            if stack:
                stack.pop()
            continue
        before = body[:m.start()].rstrip()
        word = re.search(r"(\w+)$", before)
        kind = word.group(1).upper() if word else ""
        if kind == "EXISTS":
            stack.append("EXISTS")
        elif kind == "OPTIONAL" and not stack:
            stack.append("OPTIONAL")
        else:
            raise UnsupportedShape(label, "nested groups (other than top-level OPTIONAL or EXISTS) in a SPARQL constraint")


def compile_shapes(shapes: ox.Store) -> CompiledShapes:
    """Compile every shape with targets into SELECT queries.

    Raises ShapeError for malformed shapes and UnsupportedShape for well-formed
    features this engine does not reproduce exactly.
    """
    return _Compiler(_Index.from_store(shapes)).compile()


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
    return sorted(results, key=_sort_key)


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
    return sorted(out, key=_sort_key)


def agree(a: list[ShaclResult], b: list[ShaclResult]) -> tuple[set, set]:
    """Result keys only in `a`, and only in `b`: two empty sets mean the engines agree."""
    ka, kb = {r.key() for r in a}, {r.key() for r in b}
    return ka - kb, kb - ka
