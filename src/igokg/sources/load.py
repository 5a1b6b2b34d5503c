"""Stage: sources. Load the files people edit into one graph.

Input: a `Project` (its `ontology/`, `shapes/`, `data/` and `seeds/` folders, and the pinned
third-party sources that `datasets` checks and imports).
Output: a `Sources` — a pyoxigraph store holding one named graph per file, the
shapes in a store of their own, and an index that maps every subject back to the
file and line where it is written (`locate`), so later stages can point people at
the line to fix. Blank nodes in the facts are named from their content (`skolem`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import pyoxigraph as ox

from igokg.errors import SourceError
from igokg.project import Project
from igokg.sources.datasets import import_pinned, plan_pinned
from igokg.sources.locate import Location, SubjectIndex
from igokg.sources.skolem import skolemize
from igokg.sources.turtle import parse_turtle

__all__ = ["Sources", "load_sources", "fact_triples", "GRAPH_PREFIX"]

#: Named graphs in the working store are named after the file they come from.
GRAPH_PREFIX = "urn:igokg:file:"

Progress = Callable[[str], None]


@dataclass
class Sources:
    """Everything loaded, ready to validate, query or publish."""

    project: Project
    store: ox.Store  # facts and ontology, one named graph per file
    shapes: ox.Store  # the SHACL shapes, in the default graph
    fact_files: list[str]  # data/*.ttl and seeds/*.ttl, relative; then imported graphs (import/NAME)
    ontology_files: list[str]
    shape_files: list[str]
    index: SubjectIndex = field(default_factory=SubjectIndex)
    skipped_sources: list[str] = field(default_factory=list)  # pinned sources left out (--skip-source)
    pinned_used: list[str] = field(default_factory=list)  # IRIs of the pinned sources loaded and checked
    excluded_files: list[str] = field(default_factory=list)  # project files left out with them

    def graph_of(self, rel: str) -> ox.NamedNode:
        return ox.NamedNode(GRAPH_PREFIX + rel)

    def locate(self, iri: str, hint: str | None = None) -> Location | None:
        """Where a subject is written; with `hint` (a predicate or a literal), the line of it."""
        return self.index.locate(iri, hint)


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.ttl") if p.is_file())


def load_sources(project: Project, progress: Progress | None = None) -> Sources:
    """Read every input file; raise `SourceError` on the first one that cannot be used."""
    say = progress or (lambda _msg: None)
    ontology = _files(project.ontology_dir)
    shapes = _files(project.shapes_dir)
    plan = plan_pinned(project)
    facts = [p for p in _files(project.data_dir) + _files(project.seeds_dir) if project.relative(p) not in plan.excluded_files]
    if not ontology:
        raise SourceError(project.relative(project.ontology_dir), "no ontology (*.ttl) found")
    if not facts:
        raise SourceError(project.relative(project.data_dir), "no data (*.ttl) found")

    store = ox.Store()
    shape_store = ox.Store()
    index = SubjectIndex()

    for path in ontology + facts:
        rel = project.relative(path)
        say(f"loading {rel}")
        triples = parse_turtle(path, rel)
        if path in facts:
            triples = skolemize(triples, rel)
        graph = ox.NamedNode(GRAPH_PREFIX + rel)
        store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples)
        index.add_file(rel, path.read_text(encoding="utf-8", errors="replace"))
    for path in shapes:
        rel = project.relative(path)
        say(f"loading {rel}")
        shape_store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in parse_turtle(path, rel))
        index.add_file(rel, path.read_text(encoding="utf-8", errors="replace"))
    imported = import_pinned(project, store, plan, GRAPH_PREFIX, say)

    return Sources(
        project=project,
        store=store,
        shapes=shape_store,
        fact_files=[project.relative(p) for p in facts] + imported,
        ontology_files=[project.relative(p) for p in ontology],
        shape_files=[project.relative(p) for p in shapes],
        index=index,
        skipped_sources=[s.name for s in plan.skipped],
        pinned_used=[s.iri for s in plan.used],
        excluded_files=sorted(plan.excluded_files),
    )


def fact_triples(sources: Sources) -> Iterator[ox.Triple]:
    """The facts that make up the published dataset (data/ and seeds/, not the ontology)."""
    for rel in sources.fact_files:
        for q in sources.store.quads_for_pattern(None, None, None, sources.graph_of(rel)):
            yield q.triple
