"""Shapes to SPARQL: one SELECT query per (shape, constraint component).

Input: the shapes graph, indexed (`shapes_graph`). Output: `CompiledShapes`. Raises
`ShapeError` for a malformed shape and `UnsupportedShape` for a well-formed feature the
engine does not reproduce exactly (the caller then falls back to pySHACL).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

import pyoxigraph as ox

from igokg.errors import ShapeError, UnsupportedShape
from igokg.shacl.shapes_graph import _Index, _local, _shape_label
from igokg.shacl.sparql_constraints import (
    _BIND_CS,
    _BIND_PATH,
    _BIND_SG,
    _check_like_pyshacl,
    _rewrite_select,
)
from igokg.shacl.terms import (
    RDF_LANGSTRING,
    RDFS,
    XSD,
    XSD_STRING,
    Term,
    compile_pattern,
    rdflib_recognises,
)
from igokg.shacl.vocab import (
    _FN_DATATYPE,
    _FN_PATTERN,
    _FN_RANGE,
    _INERT,
    _NODE_KINDS,
    _RANGES,
    _STORE_ERASES,
    _UNSUPPORTED,
    _VALUE_LEVEL,
    _WHOLE_INTEGERS,
    INFO,
    OWL,
    RDF_FIRST,
    RDF_TYPE,
    RDFS_CLASS,
    RDFS_SUBCLASSOF,
    SH,
    VIOLATION,
    WARNING,
    XSD_BOOLEAN,
    XSD_INTEGER,
)


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




def compile_shapes(shapes: ox.Store) -> CompiledShapes:
    """Compile every shape with targets into SELECT queries.

    Raises ShapeError for malformed shapes and UnsupportedShape for well-formed
    features this engine does not reproduce exactly.
    """
    return _Compiler(_Index.from_store(shapes)).compile()
