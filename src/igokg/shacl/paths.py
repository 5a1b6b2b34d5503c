"""SHACL property paths: read from the shapes graph, written as SPARQL and as Turtle.

Every SHACL path has a SPARQL 1.1 property path with the same value nodes (SHACL §2.3.1),
except at length zero: SPARQL matches `?x p* ?y` with ?x itself only when ?x occurs in the
graph, while SHACL counts the focus node as a value of `p*` even when nothing mentions it.
`nullable` says when a pattern must add the focus node itself.

`label` spells the path in Turtle, as sh:resultPath holds it: `ex:p`, `[ sh:inversePath ex:p ]`,
`( ex:p ex:q )`, `[ sh:alternativePath ( ex:p ex:q ) ]`, `[ sh:zeroOrMorePath ex:p ]`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from igokg.errors import ShapeError
from igokg.shacl.terms import Term


class Graph(Protocol):
    """What a path is read from: the shapes graph index (`shapes_graph._Index`), or a report's."""

    def objects(self, s: Term, p: str) -> list[Term]: ...

    def items(self, head: Term, shape: str, what: str) -> list[Term]: ...

SH = "http://www.w3.org/ns/shacl#"
RDF_FIRST = "http://www.w3.org/1999/02/22-rdf-syntax-ns#first"

_UNARY = ("inversePath", "zeroOrMorePath", "oneOrMorePath", "zeroOrOnePath")
_SPARQL_SUFFIX = {"zeroOrMorePath": "*", "oneOrMorePath": "+", "zeroOrOnePath": "?"}


def iri_name(iri: str) -> str:
    return f"<{iri}>"


@dataclass(frozen=True)
class Path:
    """kind: "iri", "sequence", "alternativePath", or one of the unary sh:...Path names."""

    kind: str
    iri: str = ""
    parts: tuple[Path, ...] = ()

    @property
    def is_predicate(self) -> bool:
        return self.kind == "iri"

    @property
    def nullable(self) -> bool:
        """True when the focus node itself is a value node (a path of length zero)."""
        if self.kind in ("zeroOrMorePath", "zeroOrOnePath"):
            return True
        if self.kind == "sequence":
            return all(p.nullable for p in self.parts)
        if self.kind == "alternativePath":
            return any(p.nullable for p in self.parts)
        if self.kind == "inversePath":
            return self.parts[0].nullable
        return False

    def sparql(self) -> str:
        if self.kind == "iri":
            return f"<{self.iri}>"
        if self.kind == "sequence":
            return "(" + " / ".join(p.sparql() for p in self.parts) + ")"
        if self.kind == "alternativePath":
            return "(" + " | ".join(p.sparql() for p in self.parts) + ")"
        if self.kind == "inversePath":
            return f"^({self.parts[0].sparql()})"
        return f"({self.parts[0].sparql()}){_SPARQL_SUFFIX[self.kind]}"

    def label(self, name: Callable[[str], str] = iri_name) -> str:
        """Turtle syntax; `name` spells an IRI (full by default, compact in reports)."""
        if self.kind == "iri":
            return name(self.iri)
        if self.kind == "sequence":
            return "( " + " ".join(p.label(name) for p in self.parts) + " )"
        if self.kind == "alternativePath":
            return "[ sh:alternativePath ( " + " ".join(p.label(name) for p in self.parts) + " ) ]"
        return f"[ sh:{self.kind} {self.parts[0].label(name)} ]"

    def pattern(self, subject: str, obj: str) -> str:
        """A group pattern binding `obj` to the value nodes of `subject` (bound by the caller)."""
        if self.nullable:
            return f"{{ {subject} {self.sparql()} {obj} }} UNION {{ BIND({subject} AS {obj}) }}"
        return f"{subject} {self.sparql()} {obj} ."


def parse_path(idx: Graph, node: Term, shape: str, seen: frozenset = frozenset()) -> Path:
    """The SHACL path at `node`, or ShapeError for one that is not a well-formed path.

    A node that is an RDF list is a sequence path even if it carries other path properties,
    as pySHACL and the W3C tests (path-strange-001/002) read it.
    """
    if node.is_literal:
        raise ShapeError(shape, f"sh:path cannot be a literal ({node.nt})")
    if node.is_iri and not idx.objects(node, RDF_FIRST):
        return Path("iri", node.value)
    if node in seen:
        raise ShapeError(shape, "sh:path is cyclic")
    inner = seen | {node}
    if idx.objects(node, RDF_FIRST):
        members = idx.items(node, shape, "a sequence path")
        if len(members) < 2:
            raise ShapeError(shape, "a sequence path needs at least two members")
        return Path("sequence", parts=tuple(parse_path(idx, m, shape, inner) for m in members))
    alternatives = idx.objects(node, SH + "alternativePath")
    if alternatives:
        if len(alternatives) != 1:
            raise ShapeError(shape, "sh:alternativePath needs exactly one list")
        members = idx.items(alternatives[0], shape, "sh:alternativePath")
        if len(members) < 2:
            raise ShapeError(shape, "sh:alternativePath needs a list of at least two paths")
        return Path("alternativePath", parts=tuple(parse_path(idx, m, shape, inner) for m in members))
    for kind in _UNARY:
        values = idx.objects(node, SH + kind)
        if values:
            if len(values) != 1:
                raise ShapeError(shape, f"sh:{kind} needs exactly one path")
            return Path(kind, parts=(parse_path(idx, values[0], shape, inner),))
    raise ShapeError(shape, f"sh:path {node.nt} is not a SHACL path")
