"""Constraints as SPARQL boolean expressions over one node: value tests and nested conformance.

Input: a shape of the indexed shapes graph and the SPARQL variable holding a node. Output:
expressions that are true when the node passes, never an error (each is COALESCE'd to false),
so they can be ANDed into one FILTER, projected as flags, or nested in EXISTS.

`value_tests` are the per-value constraints of a shape (sh:class, sh:datatype, ..., sh:node,
sh:not, sh:and, sh:or, sh:xone), one entry per parameter value: SHACL makes each value of
sh:class (or of sh:pattern, sh:node...) a constraint of its own, with results of its own.
`conforms` is "the node conforms to this shape" for shapes used inside sh:node, sh:not,
sh:and, sh:or, sh:xone and sh:qualifiedValueShape: node shapes and property shapes alike,
counts included, as EXISTS patterns (a node conforms when validating it gives no result, of
any severity: SHACL §2.3.1, so severities of nested shapes do not matter here).

Comparisons follow SPARQL, as the spec defines them (sh:minInclusive is `$min <= ?v`,
sh:pattern is REGEX); sh:datatype asks the store's cast functions whether a literal is
well-formed, and `xsd` for the datatypes the store does not parse.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox

from igokg.errors import ShapeError, UnsupportedShape
from igokg.shacl.lexical import REWRITTEN_TYPES, StoredForms
from igokg.shacl.paths import Path, parse_path
from igokg.shacl.shapes_graph import _Index, _local, _shape_label
from igokg.shacl.terms import RDF_LANGSTRING, RDFS, XSD, XSD_STRING, Term, _escape
from igokg.shacl.vocab import (
    _FN_WELL_FORMED,
    _NODE_KINDS,
    _UNWRAP,
    SH,
    XSD_BOOLEAN,
    XSD_INTEGER,
)
from igokg.shacl.xsd import CASTABLE, KNOWN

_MAX_NESTED_COUNT = 3  # counts inside nested shapes are joins of n distinct values: keep n small
_ANY_LEXICAL_FORM = {XSD_STRING, XSD + "anyURI"}
_RANGE_OPS = {"minInclusive": "<=", "maxInclusive": ">=", "minExclusive": "<", "maxExclusive": ">"}


@dataclass(frozen=True)
class Test:
    """One constraint on one value: its component, default message and SPARQL test."""

    component: str
    message: str
    expr: str


@dataclass
class Tables:
    """What the compiled queries refer to by number; filled while compiling."""

    classes: list[str] = field(default_factory=list)  # class IRIs whose subclass closures are needed
    kept: list[str] = field(default_factory=list)  # datatypes whose literals may be kept as written


class _Expressions:
    def __init__(self, idx: _Index, forms: StoredForms) -> None:
        self.idx = idx
        self.forms = forms
        self.tables = Tables()
        self.counter = 0
        self._paths: dict[Term, Path | None] = {}

    # -- small helpers

    def fresh(self, stem: str = "x") -> str:
        self.counter += 1
        return f"?__{stem}{self.counter}"

    def label(self, shape: Term) -> str:
        return _shape_label(self.idx, shape)

    def one(self, shape: Term, pred: str) -> Term | None:
        vals = self.idx.objects(shape, pred)
        if len(vals) > 1:
            raise ShapeError(self.label(shape), f"{_local(pred)} has {len(vals)} values; at most one is allowed")
        return vals[0] if vals else None

    def integer(self, shape: Term, pred: str) -> int:
        term = self.one(shape, pred)
        if term is None or not (term.is_literal and term.datatype in (XSD_INTEGER, XSD + "nonNegativeInteger")
                                and re.fullmatch(r"[+-]?\d+", term.value)):
            raise ShapeError(self.label(shape), f"{_local(pred)} must be a non-negative xsd:integer, not {term.nt if term else 'missing'}")
        n = int(term.value)
        if n < 0:
            raise ShapeError(self.label(shape), f"{_local(pred)} must be >= 0, not {n}")
        return n

    def is_true(self, shape: Term, pred: str) -> bool:
        """SHACL switches a boolean parameter on only with the value true: "1"^^xsd:boolean is not it."""
        term = self.one(shape, pred)
        if term is None:
            return False
        if not (term.is_literal and term.datatype == XSD_BOOLEAN):
            raise ShapeError(self.label(shape), f"{_local(pred)} must be an xsd:boolean literal, not {term.nt}")
        return term.value == "true"

    def path(self, shape: Term) -> Path | None:
        """The shape's path (None for a node shape); ShapeError if it has several or a bad one."""
        if shape not in self._paths:
            paths = self.idx.objects(shape, SH + "path")
            if len(paths) > 1:
                raise ShapeError(self.label(shape), f"a property shape needs exactly one sh:path, found {len(paths)}")
            self._paths[shape] = parse_path(self.idx, paths[0], self.label(shape)) if paths else None
        return self._paths[shape]

    def members(self, shape: Term, pred: str) -> Iterator[list[Term]]:
        for lst in self.idx.objects(shape, pred):
            yield self.idx.items(lst, self.label(shape), _local(pred))

    def const(self, term: Term, shape: Term) -> str:
        if term.is_bnode:
            raise UnsupportedShape(self.label(shape), "a blank node as a constant (sh:in, sh:hasValue, sh:targetNode)")
        return self.forms.spell(term)

    # -- per-value tests

    def value_tests(self, shape: Term, v: str, stack: tuple[Term, ...]) -> list[Test]:
        idx, label, out = self.idx, self.label(shape), []
        preds = set(idx.predicates(shape))
        for c in idx.objects(shape, SH + "class"):
            if not c.is_iri:
                raise (UnsupportedShape(label, "sh:class with a blank node") if c.is_bnode
                       else ShapeError(label, f"sh:class must be an IRI, not {c.nt}"))
            self.tables.classes.append(c.value)
            check = f"__IGOKG_CLASS_CHECK_{len(self.tables.classes) - 1}_{v[1:]}__"
            out.append(Test("Class", f"Value is not an instance of {c.nt}", check))
        if SH + "datatype" in preds:
            dt = self.one(shape, SH + "datatype")
            assert dt is not None
            if not dt.is_iri:
                raise ShapeError(label, f"sh:datatype must be an IRI, not {dt.nt}")
            out.append(Test("Datatype", f"Value is not a literal with datatype {dt.nt}", self.datatype(label, dt.value, v)))
        if SH + "nodeKind" in preds:
            kind = self.one(shape, SH + "nodeKind")
            assert kind is not None
            if not kind.is_iri or kind.value not in _NODE_KINDS:
                raise ShapeError(label, f"sh:nodeKind must be one of the six SHACL node kinds, not {kind.nt}")
            out.append(Test("NodeKind", f"Value is not of node kind {kind.nt}", _NODE_KINDS[kind.value].format(v=v)))
        flags = self.one(shape, SH + "flags")
        if flags is not None and not flags.is_literal:
            raise ShapeError(label, f"sh:flags must be a literal, not {flags.nt}")
        for p in idx.objects(shape, SH + "pattern"):
            out.append(Test("Pattern", f"Value does not match pattern {p.nt}", self.pattern(label, p, flags, v)))
        for name, op in (("minLength", ">="), ("maxLength", "<=")):
            if SH + name in preds:
                n = self.integer(shape, SH + name)
                out.append(Test(name[0].upper() + name[1:], f"String length is {'less' if op == '>=' else 'more'} than {n}",
                                f"COALESCE(!isBlank({v}) && STRLEN(STR({v})) {op} {n}, false)"))
        for members in self.members(shape, SH + "in"):
            test = " || ".join(f"sameTerm({v}, {self.const(m, shape)})" for m in members) or "false"
            out.append(Test("In", "Value is not in the allowed list", f"({test})"))
        for members in self.members(shape, SH + "languageIn"):
            ranges = []
            for m in members:
                if not (m.is_literal and m.lang is None and m.datatype is None):
                    raise ShapeError(label, f"sh:languageIn members must be strings, not {m.nt}")
                ranges.append(f"langMatches(LANG({v}), \"{_escape(m.value)}\")")
            test = " || ".join(ranges) or "false"
            out.append(Test("LanguageIn", "Language tag is not in the allowed list", f"COALESCE(isLiteral({v}) && ({test}), false)"))
        for name, op in _RANGE_OPS.items():
            for b in idx.objects(shape, SH + name):
                if not b.is_literal:
                    raise ShapeError(label, f"sh:{name} must be a literal, not {b.nt}")
                # The bound as a value (the query engine reads it as the store would): this is a
                # comparison, not a term match.
                out.append(Test(name[0].upper() + name[1:], f"Value fails sh:{name} {b.nt}",
                                f"COALESCE({b.sparql()} {op} {_UNWRAP}({v}), false)"))
        for n in idx.objects(shape, SH + "node"):
            out.append(Test("Node", f"Value does not conform to shape {self.label(n)}", self.conforms(n, v, stack)))
        for n in idx.objects(shape, SH + "not"):
            out.append(Test("Not", f"Value conforms to shape {self.label(n)}", f"!({self.conforms(n, v, stack)})"))
        for name, word in (("and", "all shapes"), ("or", "any shape"), ("xone", "exactly one shape")):
            for members in self.members(shape, SH + name):
                tests = [self.conforms(m, v, stack) for m in members]
                if name == "and":
                    expr = " && ".join(tests) or "true"
                elif name == "or":
                    expr = " || ".join(tests) or "false"
                else:
                    expr = "(" + " + ".join(f"IF({t}, 1, 0)" for t in tests) + ") = 1" if tests else "false"
                out.append(Test(name[0].upper() + name[1:], f"Value does not conform to {word} in sh:{name}", f"({expr})"))
        return out

    def datatype(self, label: str, dt: str, v: str) -> str:
        if dt == RDFS + "Literal":
            return f"isLiteral({v})"  # as pySHACL reads it: any literal (no literal has this datatype)
        if dt == RDF_LANGSTRING:
            return f"COALESCE(isLiteral({v}) && LANG({v}) != \"\", false)"
        if dt == XSD_STRING:
            return f"COALESCE(isLiteral({v}) && sameTerm(DATATYPE({v}), <{XSD_STRING}>), false)"
        if dt == RDFS + "Datatype":
            raise UnsupportedShape(label, "sh:datatype rdfs:Datatype")
        same = f"sameTerm(DATATYPE({v}), <{dt}>)"
        if dt in CASTABLE:
            stored = f"{same} && isLiteral(<{dt}>(STR({v})))"  # the store's parser decides
        elif dt in REWRITTEN_TYPES:
            stored = "false"  # well-formed ones are stored as another type, and kept as written: below
        elif dt in KNOWN and dt not in _ANY_LEXICAL_FORM:
            stored = f"{same} && <{_FN_WELL_FORMED}>({v})"
        else:
            stored = same  # any lexical form is fine (xsd:anyURI), or a datatype nobody here knows
        kept = "false"
        if dt in REWRITTEN_TYPES:  # filled at run time: `false` unless the store holds such literals
            self.tables.kept.append(dt)
            kept = f"__IGOKG_KEPT_{len(self.tables.kept) - 1}_{v[1:]}__"
        return f"COALESCE(isLiteral({v}) && ({stored} || {kept}), false)"

    def pattern(self, label: str, p: Term, flags: Term | None, v: str) -> str:
        if not p.is_literal:
            raise ShapeError(label, f"sh:pattern must be a literal, not {p.nt}")
        args = f"\"{_escape(p.value)}\"" + (f", \"{_escape(flags.value)}\"" if flags is not None else "")
        try:  # SPARQL REGEX is XPath's: the store must accept the pattern, or pySHACL judges it
            (sol,) = ox.Store().query(f"SELECT (REGEX(\"\", {args}) AS ?r) {{}}")
            if sol["r"] is None:  # the store answers an error, not an exception, for a bad pattern
                raise ValueError("rejected")
        except Exception as exc:  # noqa: BLE001 - pyoxigraph reports a bad pattern as one of several types
            try:
                re.compile(p.value)
            except re.error as py_exc:
                raise ShapeError(label, f"sh:pattern {p.nt} is not a valid regular expression: {py_exc}") from None
            raise UnsupportedShape(label, f"sh:pattern {p.nt}, which the store's regular expressions reject ({exc})") from None
        return f"COALESCE(!isBlank({v}) && REGEX(STR({v}), {args}), false)"

    # -- nested conformance

    def conforms(self, shape: Term, v: str, stack: tuple[Term, ...]) -> str:
        """Expression: the node in `v` conforms to `shape`."""
        label = self.label(shape)
        if shape in stack or len(stack) > 16:
            raise UnsupportedShape(label, "recursive shapes")
        if shape.is_literal:
            raise ShapeError(label, "a literal is used where a shape is expected")
        if self.is_true(shape, SH + "deactivated"):
            return "true"
        inner = stack + (shape,)
        preds = set(self.idx.predicates(shape))
        if SH + "sparql" in preds:
            raise UnsupportedShape(label, "sh:sparql inside a shape used by sh:node, sh:not, sh:and, sh:or, sh:xone")
        path = self.path(shape)
        parts: list[str] = []
        if path is None:
            x, values = v, ""
            parts += [t.expr for t in self.value_tests(shape, v, inner)]
        else:
            x = self.fresh()
            values = path.pattern(v, x)
            tests = [t.expr for t in self.value_tests(shape, x, inner)]
            if tests:
                parts.append(f"NOT EXISTS {{ {values} FILTER(!({' && '.join(tests)})) }}")
            parts += self.nested_counts(shape, path, v)
            if self.is_true(shape, SH + "uniqueLang"):
                y = self.fresh()
                parts.append(f"NOT EXISTS {{ {values} {path.pattern(v, y)} FILTER(!sameTerm({x}, {y}) && "
                             f"isLiteral({x}) && LANG({x}) != \"\" && LCASE(LANG({x})) = LCASE(LANG({y}))) }}")
        for hv in self.idx.objects(shape, SH + "hasValue"):
            c, h = self.const(hv, shape), self.fresh("hv")
            parts.append(f"sameTerm({v}, {c})" if path is None else f"EXISTS {{ {path.pattern(v, h)} FILTER(sameTerm({h}, {c})) }}")
        for pair in self.pair_tests(shape, path, v, x, values):
            parts.append(pair)
        for q in self.qualified(shape, path, v, inner):
            parts.append(q)
        if self.is_true(shape, SH + "closed"):
            parts.append(self.closed_test(shape, path, v, x, values))
        for prop in self.idx.objects(shape, SH + "property"):
            if path is None:
                parts.append(self.conforms(prop, v, inner))
            else:
                parts.append(f"NOT EXISTS {{ {values} FILTER(!({self.conforms(prop, x, inner)})) }}")
        return "(" + " && ".join(f"({p})" for p in parts) + ")" if parts else "true"

    def distinct_values(self, path: Path, v: str, n: int, each: Callable[[str], str] | None = None) -> str:
        """A pattern with n pairwise distinct value nodes of `v`, each passing `each` (a test on a variable)."""
        xs = [self.fresh() for _ in range(n)]
        pats = " ".join(path.pattern(v, x) for x in xs)
        tests = [f"!sameTerm({a}, {b})" for i, a in enumerate(xs) for b in xs[i + 1:]]
        tests += [each(x) for x in xs] if each else []
        return pats + (f" FILTER({' && '.join(tests)})" if tests else "")

    def nested_counts(self, shape: Term, path: Path, v: str) -> list[str]:
        out = []
        preds = set(self.idx.predicates(shape))
        if SH + "minCount" in preds:
            n = self.integer(shape, SH + "minCount")
            if n > _MAX_NESTED_COUNT:
                raise UnsupportedShape(self.label(shape), f"sh:minCount {n} inside a nested shape")
            if n > 0:
                out.append(f"EXISTS {{ {self.distinct_values(path, v, n)} }}")
        if SH + "maxCount" in preds:
            n = self.integer(shape, SH + "maxCount")
            if n + 1 > _MAX_NESTED_COUNT:
                raise UnsupportedShape(self.label(shape), f"sh:maxCount {n} inside a nested shape")
            out.append(f"NOT EXISTS {{ {self.distinct_values(path, v, n + 1)} }}")
        return out

    def pair_tests(self, shape: Term, path: Path | None, v: str, x: str, values: str) -> list[str]:
        """sh:equals, sh:disjoint, sh:lessThan, sh:lessThanOrEquals as tests on the focus node `v`."""
        out = []
        own = f"BIND({v} AS {x})" if path is None else values
        for pred in ("equals", "disjoint", "lessThan", "lessThanOrEquals"):
            for other in self.idx.objects(shape, SH + pred):
                if not other.is_iri:
                    raise ShapeError(self.label(shape), f"sh:{pred} must be an IRI, not {other.nt}")
                w = self.fresh("w")
                if pred == "equals":
                    mine = f"sameTerm({w}, {v})" if path is None else f"EXISTS {{ {path.pattern(v, w)} }}"
                    out.append(f"NOT EXISTS {{ {own} FILTER NOT EXISTS {{ {v} {other.nt} {x} }} }} && "
                               f"NOT EXISTS {{ {v} {other.nt} {w} FILTER(!({mine})) }}")
                elif pred == "disjoint":
                    out.append(f"NOT EXISTS {{ {own} {v} {other.nt} {x} }}")
                else:
                    op = "<" if pred == "lessThan" else "<="
                    out.append(f"NOT EXISTS {{ {own} {v} {other.nt} {w} "
                               f"FILTER(!COALESCE({_UNWRAP}({x}) {op} {_UNWRAP}({w}), false)) }}")
        return out

    def qualified(self, shape: Term, path: Path | None, v: str, stack: tuple[Term, ...]) -> list[str]:
        out = []
        for q, low, high in self.qualified_params(shape):
            def ok(var: str, q: Term = q) -> str:
                return self.qualified_test(shape, q, var, stack)
            if path is None:  # the only value node is the focus node: it counts 1 or 0
                if low is not None and low > 1 or high is not None and high < 0:
                    out.append("false")
                if low == 1:
                    out.append(ok(v))
                if high == 0:
                    out.append(f"!({ok(v)})")
                continue
            for n, negate in ((low, False), (None if high is None else high + 1, True)):
                if not n:
                    continue
                if n > _MAX_NESTED_COUNT:
                    raise UnsupportedShape(self.label(shape), f"a qualified count of {n} inside a nested shape")
                out.append(f"{'NOT ' if negate else ''}EXISTS {{ {self.distinct_values(path, v, n, ok)} }}")
        return out

    def qualified_params(self, shape: Term) -> list[tuple[Term, int | None, int | None]]:
        qs = self.idx.objects(shape, SH + "qualifiedValueShape")
        if not qs:
            return []
        low = self.integer(shape, SH + "qualifiedMinCount") if self.idx.objects(shape, SH + "qualifiedMinCount") else None
        high = self.integer(shape, SH + "qualifiedMaxCount") if self.idx.objects(shape, SH + "qualifiedMaxCount") else None
        if low is None and high is None:
            return []
        return [(q, low, high) for q in qs]

    def qualified_test(self, shape: Term, q: Term, var: str, stack: tuple[Term, ...]) -> str:
        """The node in `var` counts for the qualified constraint: it conforms to `q` (and to no sibling)."""
        test = self.conforms(q, var, stack)
        if self.is_true(shape, SH + "qualifiedValueShapesDisjoint"):
            for sibling in self.siblings(shape, q):
                test += f" && !({self.conforms(sibling, var, stack)})"
        return test

    def siblings(self, shape: Term, q: Term) -> list[Term]:
        """SHACL §4.7.3: the qualified value shapes of the other property shapes of the same parents."""
        out: set[Term] = set()
        for parent in self.idx.subjects(SH + "property", shape):
            for prop in self.idx.objects(parent, SH + "property"):
                out.update(self.idx.objects(prop, SH + "qualifiedValueShape"))
        out.discard(q)
        return sorted(out, key=lambda t: t.nt)

    def closed_test(self, shape: Term, path: Path | None, v: str, x: str, values: str) -> str:
        allowed = self.allowed_properties(shape)
        p, o = self.fresh("p"), self.fresh("o")
        own = f"BIND({v} AS {x})" if path is None else values
        return f"NOT EXISTS {{ {own} {x} {p} {o} FILTER({p} NOT IN ({', '.join(allowed) or '<urn:igokg:none>'})) }}"

    def allowed_properties(self, shape: Term) -> list[str]:
        allowed = set()
        for prop in self.idx.objects(shape, SH + "property"):
            path = self.path(prop)
            if path is not None and path.is_predicate:
                allowed.add(f"<{path.iri}>")
        for members in self.members(shape, SH + "ignoredProperties"):
            allowed.update(m.nt for m in members if m.is_iri)
        return sorted(allowed)

