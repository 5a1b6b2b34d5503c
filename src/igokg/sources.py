"""Stage: sources. Load the files people edit into one graph.

Input: a `Project` (its `ontology/`, `shapes/`, `data/` and `seeds/` folders).
Output: a `Sources` — a pyoxigraph store holding one named graph per file, the
shapes in a store of their own, and an index that maps every subject back to the
file and line where it is written, so later stages can point people at the line
to fix.

Blank nodes are named here, from their content (`<parent IRI>#<predicate>-<hash>`):
parsers invent random labels, and random labels would make two builds of the same
input differ. A blank node must hang off exactly one parent (a tree, as `[ ... ]`
writes it); anything else is reported, because it cannot be named stably.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import pyoxigraph as ox

from igokg.errors import SourceError
from igokg.namespaces import ID, PREFIXES
from igokg.project import Project

__all__ = [
    "Sources",
    "Location",
    "load_sources",
    "parse_turtle",
    "fact_triples",
    "GRAPH_PREFIX",
]

#: Named graphs in the working store are named after the file they come from.
GRAPH_PREFIX = "urn:igokg:file:"

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Location:
    file: str  # relative to the project root, as people see it
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass
class Sources:
    """Everything loaded, ready to validate, query or publish."""

    project: Project
    store: ox.Store  # facts and ontology, one named graph per file
    shapes: ox.Store  # the SHACL shapes, in the default graph
    fact_files: list[str]  # data/*.ttl and seeds/*.ttl, relative
    ontology_files: list[str]
    shape_files: list[str]
    _subjects: dict[str, Location] = field(default_factory=dict)
    _texts: dict[str, str] = field(default_factory=dict)
    _lines: dict[str, list[str]] = field(default_factory=dict, repr=False)  # _texts split, on first use

    def graph_of(self, rel: str) -> ox.NamedNode:
        return ox.NamedNode(GRAPH_PREFIX + rel)

    def locate(self, iri: str, hint: str | None = None) -> Location | None:
        """Where a subject is written; with `hint` (a predicate or a literal), the line of it.

        A skolemized blank node is found through its parent's block.
        """
        base = iri.split("#", 1)[0] if iri.startswith(ID) and "#" in iri else iri
        loc = self._subjects.get(base)
        if loc is None:
            return None
        if not hint:
            return loc
        # Split each file once: a report can locate thousands of findings in one large file.
        lines = self._lines.get(loc.file)
        if lines is None:
            lines = self._lines[loc.file] = self._texts.get(loc.file, "").split("\n")
        needles = [hint]
        for prefix, ns in PREFIXES.items():
            if hint.startswith(ns):
                needles = [f"{prefix}:{hint[len(ns):]}", hint]
        start = (loc.line or 1) - 1
        for n in range(start, len(lines)):
            if n > start and re.match(r"^\S", lines[n]):  # next subject: the block has ended
                break
            if any(needle in lines[n] for needle in needles):
                return Location(loc.file, n + 1)
        return loc


def parse_turtle(path: Path, display: str | None = None) -> list[ox.Triple]:
    """Parse one Turtle file; a syntax error becomes `file:line:column: message`."""
    shown = display or str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(shown, f"cannot read: {exc.strerror}") from None
    try:
        return [q.triple for q in ox.parse(data, format=ox.RdfFormat.TURTLE, base_iri=None)]
    except SyntaxError as exc:
        line, column, message = _position(exc)
        raise SourceError(
            shown, message, line, column, hint="fix the Turtle syntax at this position, then run igokg validate"
        ) from None
    except ValueError as exc:  # e.g. invalid UTF-8
        raise SourceError(shown, str(exc), hint="the file must be UTF-8 Turtle") from None


def _position(exc: SyntaxError) -> tuple[int | None, int | None, str]:
    message = exc.msg if isinstance(exc.msg, str) else str(exc)
    m = re.match(r"Parser error (?:at|between) line (\d+) column (\d+)(?: and line \d+ column \d+)?: (.*)", message, re.S)
    if m:
        return int(m.group(1)), int(m.group(2)), m.group(3).strip()
    # oxigraph also reports a span on one line: "at line 12 between columns 5 and 17"
    m = re.match(r"Parser error at line (\d+) between columns (\d+) and \d+: (.*)", message, re.S)
    if m:
        return int(m.group(1)), int(m.group(2)), m.group(3).strip()
    return exc.lineno, exc.offset, message


def _files(folder: Path, root: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.ttl") if p.is_file())


def load_sources(project: Project, progress: Progress | None = None) -> Sources:
    """Read every input file; raise `SourceError` on the first one that cannot be used."""
    say = progress or (lambda _msg: None)
    root = project.root
    ontology = _files(project.ontology_dir, root)
    shapes = _files(project.shapes_dir, root)
    facts = _files(project.data_dir, root) + _files(project.seeds_dir, root)
    if not ontology:
        raise SourceError(project.relative(project.ontology_dir), "no ontology (*.ttl) found")
    if not facts:
        raise SourceError(project.relative(project.data_dir), "no data (*.ttl) found")

    store = ox.Store()
    shape_store = ox.Store()
    subjects: dict[str, Location] = {}
    texts: dict[str, str] = {}

    for path in ontology + facts:
        rel = project.relative(path)
        say(f"loading {rel}")
        triples = parse_turtle(path, rel)
        if path in facts:
            triples = skolemize(triples, rel)
        graph = ox.NamedNode(GRAPH_PREFIX + rel)
        store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples)
        text = path.read_text(encoding="utf-8", errors="replace")
        texts[rel] = text
        _index_subjects(text, rel, subjects)
    for path in shapes:
        rel = project.relative(path)
        say(f"loading {rel}")
        shape_store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in parse_turtle(path, rel))
        texts[rel] = path.read_text(encoding="utf-8", errors="replace")
        _index_subjects(texts[rel], rel, subjects)

    return Sources(
        project=project,
        store=store,
        shapes=shape_store,
        fact_files=[project.relative(p) for p in facts],
        ontology_files=[project.relative(p) for p in ontology],
        shape_files=[project.relative(p) for p in shapes],
        _subjects=subjects,
        _texts=texts,
    )


_PREFIX_DECL = re.compile(r"@prefix\s+([\w-]*):\s*<([^>]*)>", re.I)
_SUBJECT = re.compile(r"^([\w-]*):([\w.-]*[\w-])(?=[\s;,]|$)|^<([^>]+)>")


def _index_subjects(text: str, rel: str, out: dict[str, Location]) -> None:
    """Map each subject written at the start of a line to that line (the first one wins)."""
    prefixes = {p: ns for p, ns in _PREFIX_DECL.findall(text)}
    for n, line in enumerate(text.split("\n"), start=1):
        m = _SUBJECT.match(line)
        if not m:
            continue
        if m.group(3):
            iri = m.group(3)
        elif m.group(1) in prefixes:
            iri = prefixes[m.group(1)] + m.group(2)
        else:
            continue
        out.setdefault(iri, Location(rel, n))


def skolemize(triples: list[ox.Triple], rel: str, root_iri: str | None = None) -> list[ox.Triple]:
    """Replace every blank node by an IRI derived from its parent and its content.

    With `root_iri`, a blank node that nothing points at (`[] a sh:NodeShape`) is named
    `root_iri` + its content digest instead of being refused.
    """
    incoming: dict[ox.BlankNode, list[ox.Triple]] = {}
    outgoing: dict[ox.BlankNode, list[ox.Triple]] = {}
    for t in triples:
        if isinstance(t.subject, ox.BlankNode):
            outgoing.setdefault(t.subject, []).append(t)
        if isinstance(t.object, ox.BlankNode):
            incoming.setdefault(t.object, []).append(t)
    if not outgoing and not incoming:
        return triples

    digests: dict[ox.BlankNode, str] = {}
    names: dict[ox.BlankNode, ox.NamedNode] = {}

    def digest(b: ox.BlankNode, seen: tuple = ()) -> str:
        if b in digests:
            return digests[b]
        if b in seen:
            raise SourceError(rel, "a blank node refers to itself in a cycle", hint="give these nodes IRIs")
        parts = []
        for t in outgoing.get(b, []):
            o = t.object
            parts.append(f"{t.predicate} {digest(o, seen + (b,)) if isinstance(o, ox.BlankNode) else o}")
        digests[b] = hashlib.sha256("\n".join(sorted(parts)).encode()).hexdigest()
        return digests[b]

    def name(b: ox.BlankNode) -> ox.NamedNode:
        if b in names:
            return names[b]
        parents = incoming.get(b, [])
        if not parents and root_iri is not None:
            names[b] = ox.NamedNode(f"{root_iri}{digest(b)[:16]}")
            return names[b]
        if len(parents) != 1:
            sample = next((str(t.object) for t in outgoing.get(b, []) if isinstance(t.object, ox.Literal)), "")
            where = f" (it holds {sample[:60]})" if sample else ""
            raise SourceError(
                rel,
                f"a blank node is referenced {len(parents)} times{where}; blank nodes must hang off exactly one subject",
                hint="write it inline as [ ... ] under one subject, or give it an IRI",
            )
        parent = parents[0]
        parent_iri = name(parent.subject).value if isinstance(parent.subject, ox.BlankNode) else parent.subject.value
        local = re.split(r"[#/]", parent.predicate.value)[-1]
        sep = "." if "#" in parent_iri else "#"
        names[b] = ox.NamedNode(f"{parent_iri}{sep}{local}-{digest(b)[:8]}")
        return names[b]

    def sub(term):
        return name(term) if isinstance(term, ox.BlankNode) else term

    # Most triples touch no blank node: keep those as they are rather than rebuild a million.
    out = [
        ox.Triple(sub(t.subject), t.predicate, sub(t.object))
        if isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)
        else t
        for t in triples
    ]
    if len(set(names.values())) != len(names):
        raise SourceError(rel, "two blank nodes under the same subject have identical content", hint="remove the duplicate")
    return out


def fact_triples(sources: Sources) -> Iterator[ox.Triple]:
    """The facts that make up the published dataset (data/ and seeds/, not the ontology)."""
    for rel in sources.fact_files:
        for q in sources.store.quads_for_pattern(None, None, None, sources.graph_of(rel)):
            yield q.triple


def iter_graph_names(sources: Sources) -> Iterable[str]:
    return [*sources.ontology_files, *sources.fact_files]
