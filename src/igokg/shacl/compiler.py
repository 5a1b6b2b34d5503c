"""Shapes to SPARQL: a few SELECT queries per shape, grouped in units that fall back alone.

Input: the shapes graph, indexed (`shapes_graph`), ideally from the parsed triples so that its
literals are as written. Output: `CompiledShapes`, a list of `Unit`s. A unit is a shape with
targets (for a node shape: its own constraints; each of its property shapes is a unit of its
own) and the queries that validate it. A unit the engine cannot reproduce exactly is
`refused` (with the reason) and goes to pySHACL; the others run here. A malformed shape
raises `ShapeError` whatever the engine.

Per shape and focus nodes, the queries are few and wide ("fewer, larger queries"):
- `values`: every per-value constraint in one pass over (focus node, value node), one boolean
  column per constraint for the rows that fail any;
- `counts`: sh:minCount, sh:maxCount and qualified counts in one GROUP BY;
- `rows`: one result per row, for what needs a pattern of its own (sh:hasValue, sh:uniqueLang
  per language, sh:equals, sh:disjoint, sh:lessThan[OrEquals], sh:closed);
- `sparql`: a SHACL-SPARQL constraint, rewritten to run over all focus nodes at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pyoxigraph as ox

from igokg.errors import ShapeError, UnsupportedShape
from igokg.shacl.expressions import _Expressions
from igokg.shacl.lexical import StoredForms
from igokg.shacl.paths import Path
from igokg.shacl.shapes_graph import _Index, _local
from igokg.shacl.sparql_constraints import (
    _BIND_CS,
    _BIND_PATH,
    _BIND_SG,
    _check_like_pyshacl,
    _rewrite_select,
    _undeclared_prefixes,
    check_prebinding,
)
from igokg.shacl.terms import XSD, Term
from igokg.shacl.vocab import (
    _COMPILED,
    _INERT,
    _UNSUPPORTED,
    _UNWRAP,
    OWL,
    RDF_TYPE,
    RDFS_CLASS,
    RDFS_SUBCLASSOF,
    SH,
    VIOLATION,
)

# Declarations that can change any shape or the data itself: the whole graph goes to pySHACL.
_GLOBAL = ("ConstraintComponent", "SPARQLFunction", "Function", "SPARQLRule", "TripleRule", "JSRule")


@dataclass(frozen=True)
class Check:
    """One constraint a query checks: its component, default message, and where to read the verdict."""

    component: str
    message: str
    column: str = ""  # values: the flag column; counts: the count column
    low: int | None = None  # counts: a result when the count is below
    high: int | None = None  # counts: a result when the count is above


@dataclass(frozen=True)
class CompiledQuery:
    shape: str  # the source shape's label
    source_shape: str  # its node: <iri> or _:label
    severity: str
    path: str | None  # the result path, Turtle syntax; None for node shapes
    sparql: str  # template: placeholders are filled by run_shapes
    kind: str  # "values", "counts", "rows" or "sparql"
    checks: tuple[Check, ...]
    messages: tuple[str, ...] = ()  # the shape's sh:message (templates for SPARQL constraints)
    value: str = ""  # rows: the column that holds the value ("this", "value", a name, or "")
    path_column: str = ""  # rows: the column that holds the result path (sh:closed)
    detail: str = ""  # rows: a column named in the default message (sh:uniqueLang's language)
    projected: tuple[str, ...] = ()  # sparql: the variables the author selected
    ctx: tuple[str, ...] = ()  # values: the variables that, with ?this, name one validation of a focus node
    literal_sensitive: bool = False  # sparql: reads literals itself, so wrapped ones would mislead it

    @property
    def component(self) -> str:
        return self.checks[0].component


@dataclass
class Unit:
    """A shape with targets (or one property shape of it): what runs, or falls back, as one."""

    name: str
    shape: Term
    part: Term | None = None  # a property shape of `shape`; None: the shape's own constraints
    queries: list[CompiledQuery] = field(default_factory=list)
    refused: str | None = None


@dataclass
class CompiledShapes:
    units: list[Unit] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)  # class IRIs whose closures the queries need
    kept: list[str] = field(default_factory=list)  # datatypes of the sh:datatype tests of literals kept as written
    refused: str | None = None  # a feature that sends the whole shapes graph to pySHACL

    @property
    def queries(self) -> list[CompiledQuery]:
        return [q for u in self.units if u.refused is None for q in u.queries]

    def refusals(self) -> list[Unit]:
        return [u for u in self.units if u.refused is not None]


class _Compiler(_Expressions):
    def __init__(self, idx: _Index, forms: StoredForms) -> None:
        super().__init__(idx, forms)
        self.out = CompiledShapes(classes=self.tables.classes, kept=self.tables.kept)

    def severity(self, shape: Term) -> str:
        term = self.one(shape, SH + "severity")
        if term is None:
            return VIOLATION
        if not term.is_iri:
            raise ShapeError(self.label(shape), f"sh:severity must be an IRI, not {term.nt}")
        return term.value

    def source(self, shape: Term) -> str:
        return shape.nt

    def check_terms(self, shape: Term) -> None:
        label = self.label(shape)
        for pred in self.idx.predicates(shape):
            if pred in _UNSUPPORTED:
                raise UnsupportedShape(label, _UNSUPPORTED[pred])
            if pred.startswith(SH) and pred not in _INERT and pred not in _COMPILED:
                raise UnsupportedShape(label, _local(pred))
        types = {t.value for t in self.idx.objects(shape, RDF_TYPE)}
        has_path = bool(self.idx.objects(shape, SH + "path"))
        if SH + "NodeShape" in types and has_path:
            raise ShapeError(label, "a sh:NodeShape cannot have sh:path")
        if SH + "PropertyShape" in types and not has_path:
            raise ShapeError(label, "a sh:PropertyShape needs exactly one sh:path, found 0")

    def conforms(self, shape: Term, v: str, stack: tuple[Term, ...]) -> str:
        self.check_terms(shape)
        return super().conforms(shape, v, stack)

    # -- the whole graph

    def compile(self, strict: bool) -> CompiledShapes:
        idx = self.idx
        self.check_queries()
        for kind in _GLOBAL:
            users = idx.subjects(RDF_TYPE, Term("iri", SH + kind))
            if users:
                self.out.refused = f"sh:{kind} (custom components, functions, rules or targets), at {users[0].nt}"
        for sub in idx.subjects(RDFS_SUBCLASSOF, Term("iri", SH + "ConstraintComponent")):
            self.out.refused = f"custom constraint components, at {sub.nt}"
        for shape in sorted(self.targeted(), key=lambda t: t.nt):
            if self.is_true(shape, SH + "deactivated"):
                continue
            try:
                focus = self.focus(shape)
            except UnsupportedShape as exc:  # a custom target: the whole shape goes to pySHACL
                if strict:
                    raise
                self.out.units.append(Unit(self.label(shape), shape, None, refused=exc.feature))
                continue
            if focus is None:
                continue
            parts: list[Term | None] = [None]
            if self.path(shape) is None:
                parts += [p for p in idx.objects(shape, SH + "property")]
            for part in parts:
                unit = Unit(self.label(part if part is not None else shape), shape, part)
                self.out.units.append(unit)
                if self.out.refused:
                    unit.refused = self.out.refused
                    continue
                try:
                    if part is None:
                        self.compile_shape(shape, focus, unit, (), own_properties=False)
                    else:
                        self.compile_property(part, focus, unit, (shape,))
                except UnsupportedShape as exc:
                    if strict:
                        raise
                    unit.refused, unit.queries = exc.feature, []
                except ShapeError:
                    raise
                except Exception as exc:  # a bug of the compiler: pySHACL takes the shape over
                    if strict:
                        raise
                    unit.refused, unit.queries = f"internal error: {type(exc).__name__}: {exc}", []
        if strict and self.out.refused:
            raise UnsupportedShape("the shapes graph", self.out.refused)
        return self.out

    def check_queries(self) -> None:
        """Every SPARQL query of the shapes graph keeps SHACL's pre-binding rules, or the graph is broken."""
        idx = self.idx
        for _, node in idx.by_pred[SH + "sparql"]:
            for q in idx.objects(node, SH + "select"):
                check_prebinding(self.label(node), q.value, {"this", "shapesGraph", "currentShape"})
        for component in idx.subjects(RDF_TYPE, Term("iri", SH + "ConstraintComponent")):
            params = {re.split(r"[/#]", path.value)[-1] for p in idx.objects(component, SH + "parameter")
                      for path in idx.objects(p, SH + "path") if path.is_iri}
            for pred in ("validator", "nodeValidator", "propertyValidator"):
                for validator in idx.objects(component, SH + pred):
                    for q in idx.objects(validator, SH + "select"):
                        check_prebinding(self.label(validator), q.value, {"this", "shapesGraph", "currentShape"} | params)
                    for q in idx.objects(validator, SH + "ask"):
                        check_prebinding(self.label(validator), q.value, {"this", "value", "shapesGraph", "currentShape"} | params)

    def targeted(self) -> set[Term]:
        idx = self.idx
        out = {s for pred in ("targetClass", "targetNode", "targetObjectsOf", "targetSubjectsOf", "target")
               for s, _ in idx.by_pred[SH + pred]}
        shapes = set(idx.subjects(RDF_TYPE, Term("iri", SH + "NodeShape"))) | set(idx.subjects(RDF_TYPE, Term("iri", SH + "PropertyShape")))
        shapes |= {s for pred in _COMPILED for s, _ in idx.by_pred[pred]}
        out |= {s for s in shapes if self.implicit_class(s)}
        return out

    def implicit_class(self, shape: Term) -> bool:
        # pySHACL counts types that are rdfs:Class, owl:Class or direct subclasses of rdfs:Class
        # declared in the shapes graph.
        class_types = {RDFS_CLASS, OWL + "Class"} | {
            t.value for t in self.idx.subjects(RDFS_SUBCLASSOF, Term("iri", RDFS_CLASS)) if t.is_iri}
        return shape.is_iri and any(t.value in class_types for t in self.idx.objects(shape, RDF_TYPE))

    # -- targets

    def focus(self, shape: Term) -> str | None:
        idx, label = self.idx, self.label(shape)
        if idx.objects(shape, SH + "target"):
            raise UnsupportedShape(label, _UNSUPPORTED[SH + "target"])
        branches: list[str] = []
        nodes = idx.objects(shape, SH + "targetNode")
        if nodes:
            branches.append("{ VALUES ?this { " + " ".join(self.const(n, shape) for n in nodes) + " } }")
        classes = list(idx.objects(shape, SH + "targetClass"))
        if self.implicit_class(shape):
            classes.append(shape)
        for c in classes:
            if c.is_literal:
                raise ShapeError(label, f"sh:targetClass must be an IRI, not {c.nt}")
            if c.is_bnode:
                raise UnsupportedShape(label, "sh:targetClass with a blank node")
            self.tables.classes.append(c.value)
            branches.append(f"{{ __IGOKG_TARGET_CLASS_{len(self.tables.classes) - 1}__ }}")
        for pred, pattern in (("targetSubjectsOf", "?this {p} ?__tso"), ("targetObjectsOf", "?__tos {p} ?this")):
            for p in idx.objects(shape, SH + pred):
                if not p.is_iri:
                    raise ShapeError(label, f"sh:{pred} must be an IRI, not {p.nt}")
                branches.append("{ " + pattern.format(p=p.nt) + " }")
        if not branches:
            return None
        # A plain pattern, not a DISTINCT subquery: the queries are DISTINCT or GROUP BY anyway,
        # and the engine joins a plain pattern with the path a third faster.
        return " UNION ".join(branches)

    # -- one shape on its focus nodes

    def values_group(self, focus: str, path: Path | None, optional: bool = False, s: str = "?this", o: str = "?value") -> str:
        """A group binding `s` (from the group `focus`) and `o`, one of its value nodes.

        With `optional`, focus nodes without values stay, with `o` unbound (for counts).
        Nullable paths repeat the focus group: a BIND in a UNION branch cannot see `s`.
        """
        if path is None:
            return f"{focus} BIND({s} AS {o})"
        if path.nullable:
            return f"{{ {focus} {s} {path.sparql()} {o} }} UNION {{ {focus} BIND({s} AS {o}) }}"
        if optional:
            return f"{focus} OPTIONAL {{ {s} {path.sparql()} {o} }}"
        return f"{focus} {s} {path.sparql()} {o} ."

    def add(self, unit: Unit, shape: Term, path: Path | None, kind: str, sparql: str, checks: list[Check], **extra) -> None:
        unit.queries.append(CompiledQuery(
            shape=self.label(shape), source_shape=self.source(shape), severity=self.severity(shape),
            path=path.label() if path is not None else None, sparql=sparql, kind=kind, checks=tuple(checks),
            messages=tuple(sorted(m.value for m in self.idx.objects(shape, SH + "message"))), **extra))

    def compile_property(self, prop: Term, focus: str, unit: Unit, stack: tuple[Term, ...], ctx: str = "") -> None:
        if self.path(prop) is None:
            raise ShapeError(self.label(prop), "sh:path is missing on a property shape (value of sh:property)")
        if not self.is_true(prop, SH + "deactivated"):
            self.compile_shape(prop, focus, unit, stack, ctx=ctx)

    def compile_shape(self, shape: Term, focus: str, unit: Unit, stack: tuple[Term, ...], own_properties: bool = True,
                      ctx: str = "") -> None:
        """Queries for `shape` on the focus nodes `focus` binds to ?this.

        `ctx` names the variables that tell apart the ways a nested shape reaches a focus node
        (the outer focus nodes): SHACL validates it once per way, with results of its own.
        """
        label = self.label(shape)
        if shape in stack:
            raise UnsupportedShape(label, "recursive shapes")
        self.check_terms(shape)
        self.severity(shape)  # malformed severities fail at compile time, not at the first result
        path = self.path(shape)
        inner = stack + (shape,)
        preds = set(self.idx.predicates(shape))
        if path is None:
            for pred in ("minCount", "maxCount", "uniqueLang"):
                if SH + pred in preds:
                    raise ShapeError(label, f"sh:{pred} is only allowed on property shapes")
        values = self.values_group(focus, path)
        folded = self.compile_scan(shape, focus, path, unit, inner, ctx)
        self.compile_counts(shape, focus, path, unit, inner, ctx, folded)
        self.compile_rows(shape, focus, path, values, unit, ctx)

        if own_properties:
            for prop in self.idx.objects(shape, SH + "property"):
                if path is None:
                    self.compile_property(prop, focus, unit, inner, ctx)
                else:  # sh:property on a property shape: its focus nodes are this shape's values
                    n = self.counter = self.counter + 1
                    outer = f"{{ SELECT {ctx} (?this AS ?__f{n}) WHERE {{ {focus} }} }}"
                    nested = (f"{{ SELECT DISTINCT {ctx} ?__f{n} (?__v{n} AS ?this) WHERE {{ "
                              f"{self.values_group(outer, path, s=f'?__f{n}', o=f'?__v{n}')} }} }}")
                    self.compile_property(prop, nested, unit, inner, f"{ctx} ?__f{n}".strip())

        for node in self.idx.objects(shape, SH + "sparql"):
            if ctx:
                raise UnsupportedShape(label, "sh:sparql on a property shape of a property shape")
            self.compile_sparql(shape, node, focus, path, unit)

    def counts(self, shape: Term) -> tuple[int | None, int | None]:
        preds = set(self.idx.predicates(shape))
        low = self.integer(shape, SH + "minCount") if SH + "minCount" in preds else None
        high = self.integer(shape, SH + "maxCount") if SH + "maxCount" in preds else None
        return low or None, high

    def compile_scan(self, shape: Term, focus: str, path: Path | None, unit: Unit, stack: tuple[Term, ...], ctx: str) -> bool:
        """One pass over (focus node, value node) for every per-value test, and for sh:minCount 1
        and sh:maxCount 0 or 1 where the path allows: the commonest constraints, each of which
        would otherwise scan the same values again. True if the counts were folded in here.

        Rows: each value failing a test (one flag column per test), each value of a focus node
        that has another (sh:maxCount), and a focus node without values (?value unbound).
        """
        tests = self.value_tests(shape, "?value", stack)
        low, high = self.counts(shape)
        fold = (path is not None and not path.nullable and low in (None, 1) and high in (None, 0, 1)
                and (low is not None or high is not None))
        if not tests and not fold:
            return False
        cols = [f"?__c{i}" for i in range(len(tests))]
        flags = " ".join(f"({t.expr} AS {c})" for t, c in zip(tests, cols))
        checks = [Check(SH + t.component + "ConstraintComponent", t.message, c[1:]) for t, c in zip(tests, cols)]
        keep = [f"!({' && '.join(t.expr for t in tests)})"] if tests else []
        group = self.values_group(focus, path)
        if fold:
            assert path is not None
            if low == 1:
                group = self.values_group(focus, path, optional=True)
                keep.append("!BOUND(?value)")
                checks.append(Check(SH + "MinCountConstraintComponent", "Less than 1 values", low=1))
            if high == 0:
                keep.append("BOUND(?value)")
            elif high == 1:
                keep.append(f"EXISTS {{ ?this {path.sparql()} ?__other FILTER(!sameTerm(?__other, ?value)) }}")
            if high is not None:
                checks.append(Check(SH + "MaxCountConstraintComponent", f"More than {high} values", high=high))
        sparql = f"SELECT DISTINCT {ctx} ?this ?value {flags} WHERE {{ {group} FILTER({' || '.join(keep)}) }}"
        self.add(unit, shape, path, "values", sparql, checks, ctx=tuple(ctx.split()))
        return fold

    def compile_counts(self, shape: Term, focus: str, path: Path | None, unit: Unit, stack: tuple[Term, ...], ctx: str,
                       folded: bool) -> None:
        checks: list[Check] = []
        binds: list[str] = []
        aggregates: dict[str, str] = {}  # column -> aggregate (HAVING cannot name a projected alias)
        low, high = self.counts(shape)
        if path is not None and (low or high is not None) and not folded:
            aggregates["__n"] = "COUNT(DISTINCT ?value)"
            if low:
                checks.append(Check(SH + "MinCountConstraintComponent", f"Less than {low} values", "__n", low=low))
            if high is not None:
                checks.append(Check(SH + "MaxCountConstraintComponent", f"More than {high} values", "__n", high=high))
        for i, (q, qlow, qhigh) in enumerate(self.qualified_params(shape)):
            ok = self.qualified_test(shape, q, "?value", stack)
            binds.append(f"BIND(IF({ok}, ?value, ?__none) AS ?__q{i})")
            aggregates[f"__qn{i}"] = f"COUNT(DISTINCT ?__q{i})"
            if qlow:
                checks.append(Check(SH + "QualifiedMinCountConstraintComponent", f"Less than {qlow} values conform to the qualified shape", f"__qn{i}", low=qlow))
            if qhigh is not None:
                checks.append(Check(SH + "QualifiedMaxCountConstraintComponent", f"More than {qhigh} values conform to the qualified shape", f"__qn{i}", high=qhigh))
        if not checks:
            return
        having = " || ".join(
            (f"{aggregates[c.column]} < {c.low}" if c.low is not None else f"{aggregates[c.column]} > {c.high}")
            for c in checks)
        group = self.values_group(focus, path, optional=True)
        projection = " ".join(f"({a} AS ?{col})" for col, a in aggregates.items())
        sparql = (f"SELECT {ctx} ?this {projection} WHERE {{ {group} {' '.join(binds)} }} "
                  f"GROUP BY {ctx} ?this HAVING ({having})")
        self.add(unit, shape, path, "counts", sparql, checks)

    def compile_rows(self, shape: Term, focus: str, path: Path | None, values: str, unit: Unit, ctx: str) -> None:
        idx = self.idx

        def rows(component: str, message: str, sparql: str, **extra) -> None:
            self.add(unit, shape, path, "rows", sparql, [Check(SH + component + "ConstraintComponent", message)], **extra)

        if path is not None and self.is_true(shape, SH + "uniqueLang"):
            rows("UniqueLang", "Language \"{detail}\" is used by more than one value",
                 f"SELECT {ctx} ?this ?__lang WHERE {{ {values} FILTER(isLiteral(?value) && LANG(?value) != \"\") "
                 f"BIND(LCASE(LANG(?value)) AS ?__lang) }} GROUP BY {ctx} ?this ?__lang HAVING (COUNT(DISTINCT ?value) > 1)",
                 detail="__lang")
        for hv in idx.objects(shape, SH + "hasValue"):
            c = self.const(hv, shape)
            if path is None:
                test = f"FILTER(!sameTerm(?this, {c}))"
            elif path.nullable:
                test = f"FILTER NOT EXISTS {{ {path.pattern('?this', '?__h')} FILTER(sameTerm(?__h, {c})) }}"
            else:
                test = f"FILTER NOT EXISTS {{ ?this {path.sparql()} {c} }}"
            rows("HasValue", f"Missing expected value {hv.nt}", f"SELECT DISTINCT {ctx} ?this WHERE {{ {focus} {test} }}")
        for pred in ("equals", "disjoint", "lessThan", "lessThanOrEquals"):
            for other in idx.objects(shape, SH + pred):
                if not other.is_iri:
                    raise ShapeError(self.label(shape), f"sh:{pred} must be an IRI, not {other.nt}")
                q = other.nt
                component = pred[0].upper() + pred[1:]
                if pred == "equals":
                    mine = ("sameTerm(?value, ?this)" if path is None
                            else f"EXISTS {{ {path.pattern('?this', '?__e')} FILTER(sameTerm(?__e, ?value)) }}")
                    sparql = (f"SELECT DISTINCT {ctx} ?this ?value WHERE {{ {{ {values} FILTER NOT EXISTS {{ ?this {q} ?value }} }} "
                              f"UNION {{ {focus} ?this {q} ?value FILTER(!({mine})) }} }}")
                    rows(component, f"Value is not also a value of {q}", sparql, value="value")
                elif pred == "disjoint":
                    rows(component, f"Value is also a value of {q}",
                         f"SELECT DISTINCT {ctx} ?this ?value WHERE {{ {values} ?this {q} ?value }}", value="value")
                else:
                    op = "<" if pred == "lessThan" else "<="
                    rows(component, f"Value is not {op} a value of {q}",
                         f"SELECT DISTINCT {ctx} ?this ?value ?__w WHERE {{ {values} ?this {q} ?__w "
                         f"FILTER(!COALESCE({_UNWRAP}(?value) {op} {_UNWRAP}(?__w), false)) }}", value="value")
        if self.is_true(shape, SH + "closed"):
            allowed = ", ".join(self.allowed_properties(shape)) or "<urn:igokg:none>"
            rows("Closed", "Predicate {path} is not allowed (closed shape)",
                 f"SELECT DISTINCT {ctx} ?this ?__p ?__o WHERE {{ {values} ?value ?__p ?__o FILTER(?__p NOT IN ({allowed})) }}",
                 value="__o", path_column="__p")

    # -- SHACL-SPARQL

    def compile_sparql(self, shape: Term, node: Term, focus: str, path: Path | None, unit: Unit) -> None:
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
        if self.is_true(node, SH + "deactivated"):
            return
        text = select.value
        _check_like_pyshacl(label, text)
        if _BIND_SG.search(text) or _BIND_CS.search(text):
            raise UnsupportedShape(label, "$shapesGraph or $currentShape in a SPARQL constraint")
        if path is not None:
            text = _BIND_PATH.sub(lambda m: m.group(1) + path.sparql(), text)
        elif _BIND_PATH.search(text):
            raise ShapeError(label, "SPARQL constraint uses $PATH but the shape has no sh:path")
        prefixes = self.sparql_prefixes(label, node)
        prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes.items())
        missing = _undeclared_prefixes(text, set(prefixes))
        if missing:
            # pySHACL may still know them (rdflib binds prefixes it has seen): it decides.
            raise UnsupportedShape(label, f"a SPARQL constraint with undeclared prefixes {', '.join(p + ':' for p in missing)}")
        try:
            list(ox.Store().query(prologue + text))  # evaluated lazily: iterate to surface every error
        except SyntaxError as exc:
            raise ShapeError(label, f"SPARQL constraint does not parse: {exc}") from None
        except Exception as exc:  # noqa: BLE001 - e.g. an unknown function: the store would fail at run time
            raise UnsupportedShape(label, f"a SPARQL constraint the store cannot evaluate ({exc})") from None
        rewritten, projected = _rewrite_select(label, text, f"{{ SELECT DISTINCT ?this WHERE {{ {focus} }} }}")
        msgs = [m.value for m in self.idx.objects(node, SH + "message")] + [m.value for m in self.idx.objects(shape, SH + "message")]
        unit.queries.append(CompiledQuery(
            shape=label, source_shape=self.source(shape), severity=self.severity(shape),
            path=path.label() if path is not None else None, sparql=prologue + rewritten, kind="sparql",
            checks=(Check(SH + "SPARQLConstraintComponent", ""),), messages=tuple(msgs),
            value="" if path is not None else "this", projected=projected, literal_sensitive=True,
        ))

    def sparql_prefixes(self, label: str, node: Term) -> dict[str, str]:
        """sh:prefixes/sh:declare as pySHACL collects them, then the ontologies they owl:import.

        The shapes file's own Turtle prefixes come first, at the lowest priority: pySHACL
        (through rdflib) lets a query use them too.
        """
        idx = self.idx
        prefixes_vals = idx.objects(node, SH + "prefixes")
        out: dict[str, str] = dict(idx.namespaces)
        if not prefixes_vals:
            return out
        onts = set(idx.subjects(RDF_TYPE, Term("iri", OWL + "Ontology")))
        global_declares = {d for o in onts for d in idx.objects(o, SH + "declare")}
        for pv in prefixes_vals:
            own = set(idx.objects(pv, SH + "declare"))
            declares = own if (own and pv in onts) else global_declares | own
            seen, todo = {pv}, list(idx.objects(pv, OWL + "imports"))
            while todo:  # SHACL §5.2.1: declarations of the ontologies a prefixes node imports count too
                imported = todo.pop()
                if imported not in seen:
                    seen.add(imported)
                    declares |= set(idx.objects(imported, SH + "declare"))
                    todo += idx.objects(imported, OWL + "imports")
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


def compile_shapes(shapes: ox.Store | _Index, *, strict: bool = True, forms: StoredForms | None = None) -> CompiledShapes:
    """Compile every shape with targets into SELECT queries.

    `shapes` is a pyoxigraph Store or, better, an index of the parsed shapes (`index_shapes`),
    whose literals are as written. Raises ShapeError for malformed shapes. A well-formed
    feature the engine does not reproduce exactly raises UnsupportedShape with `strict`, and
    otherwise leaves its unit `refused`, for the caller to hand to pySHACL.
    """
    idx = shapes if isinstance(shapes, _Index) else _Index.from_store(shapes)
    return _Compiler(idx, forms or StoredForms()).compile(strict)
