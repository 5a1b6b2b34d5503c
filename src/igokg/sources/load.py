"""Stage: sources. Load the files people edit into one graph.

Input: a `Project` (its `ontology/`, `shapes/`, `data/` and `seeds/` folders, and the pinned
third-party sources that `datasets` checks and imports).
Output: a `Sources` — a pyoxigraph store holding one named graph per file, the
shapes in a store of their own, and an index that maps every subject back to the
file and line where it is written (`locate`), so later stages can point people at
the line to fix. Blank nodes in the facts are named from their content (`skolem`).

The path of a file is native end to end: pyoxigraph parses the Turtle and writes it as
N-Triples, the skolemizer rewrites only the lines that hold a blank node (Python meets a
node's run of lines once, not each triple), and the store loads the text into the file's
graph. No triple becomes a Python object on the way.

For a build (`keep_ntriples`), the N-Triples text of a fact file is kept until the release's
dumps take it (`Sources.fact_ntriples`), when the store holds its literals as written: its
lines are then those the store would dump, and the dumps are sorted from it without asking
the store.

The store keeps literals in canonical form ("01"^^xsd:integer is stored as "1"). Where the
form as written matters, `Sources.triples_as_written(rel)` parses the file again (about a
second per million triples) and gives its triples, skolemized the same way, literals as
the file writes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import pyoxigraph as ox

from igokg.errors import SourceError
from igokg.project import Project
from igokg.rdf import Term
from igokg.sources.datasets import import_pinned, plan_pinned
from igokg.sources.locate import Location, SubjectIndex
from igokg.sources.skolem import skolemize_ntriples
from igokg.sources.turtle import read_source, turtle_to_ntriples, xsd_literals

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
    # per ontology or fact file: its distinct XSD-typed literals as written (N-Triples terms),
    # for the validator to ask which ones the store rewrote without parsing the file again
    xsd_literals: dict[str, set[bytes]] = field(default_factory=dict)
    # per fact file whose literals the store keeps as written: the N-Triples text it loaded
    # (the lines of its graph, in no order), until `fact_ntriples` hands it over
    _texts: dict[str, bytes] = field(default_factory=dict, repr=False)
    # `term_uses`, once asked (not copied by dataclasses.replace: a copy may hold another store)
    _term_uses: tuple[dict[str, int], dict[Term, int]] | None = field(default=None, init=False, repr=False, compare=False)

    def term_uses(self) -> tuple[dict[str, int], dict[Term, int]]:
        """How the fact graphs use terms: triples per predicate (a triple in two files counted
        twice), and distinct subjects per object of rdf:type. Asked of the store once, for the
        vocabulary check and VoID alike (two scans of every triple: 0.35 s at a million); the
        store must not change after (nothing adds to it once loaded)."""
        if self._term_uses is None:
            graphs = " ".join(f"FROM <{self.graph_of(rel).value}>" for rel in self.fact_files)
            predicates = {row["p"].value: int(row["n"].value) for row in self.store.query(
                f"SELECT ?p (COUNT(*) AS ?n) {graphs} WHERE {{ ?s ?p ?o }} GROUP BY ?p")}
            classes = {row["c"]: int(row["n"].value) for row in self.store.query(
                f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) {graphs} WHERE {{ ?s a ?c }} GROUP BY ?c")}
            self._term_uses = (predicates, classes)
        return self._term_uses

    def fact_ntriples(self) -> Iterator[bytes]:
        """The fact graphs as N-Triples, one text per file, each a set of lines in no order
        (empty lines, and a triple twice, may occur: `igokg.rdf.sort_ntriples` makes it canonical).

        A file's text is the one the loader loaded when the store kept all its literals as
        written (its graph's lines, byte for byte: no dump needed), given once and then
        dropped for memory; otherwise, and after that, the store's dump of the graph.
        """
        for rel in self.fact_files:
            text = self._texts.pop(rel, None)
            yield text if text is not None else self.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=self.graph_of(rel))

    def graph_of(self, rel: str) -> ox.NamedNode:
        return ox.NamedNode(GRAPH_PREFIX + rel)

    def locate(self, iri: str, hint: str | None = None) -> Location | None:
        """Where a subject is written; with `hint` (a predicate or a literal), the line of it."""
        return self.index.locate(iri, hint)

    def path_of(self, rel: str) -> Path:
        return self.project.root / rel

    def ntriples_as_written(self, rel: str) -> bytes:
        """A fact, ontology or shape file as N-Triples: literals as written, blank nodes in
        the facts named as in the store (the ontology's and shapes' stay blank)."""
        data = turtle_to_ntriples(read_source(self.path_of(rel), rel), rel)
        return skolemize_ntriples(data, rel) if rel in self.fact_files else data

    def triples_as_written(self, rel: str) -> Iterator[ox.Triple]:
        """The triples of one file with their literals as written (the store canonicalizes them)."""
        for q in ox.parse(self.ntriples_as_written(rel), format=ox.RdfFormat.N_TRIPLES):
            yield q.triple


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.ttl") if p.is_file())


def _kept_as_written(literals: set[bytes]) -> bool:
    """Whether a store keeps every one of these literals (N-Triples terms) as it is written,
    asked of a scratch store: it writes "01"^^xsd:integer as "1", "1e0"^^xsd:double as "1".
    Only XSD datatypes are rewritten; the parser already lowercased language tags."""
    if not literals:
        return True
    head = b"<urn:igokg:s> <urn:igokg:p> "
    scratch = ox.Store()
    scratch.load(b"".join(head + lit + b" .\n" for lit in literals), format=ox.RdfFormat.N_TRIPLES, lenient=True)
    stored = scratch.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    return {line[len(head):-2] for line in stored.splitlines()} == literals


def load_sources(project: Project, progress: Progress | None = None, *, keep_ntriples: bool = False) -> Sources:
    """Read every input file; raise `SourceError` on the first one that cannot be used.

    `keep_ntriples`: keep the fact files' N-Triples for `Sources.fact_ntriples` (a build's
    dumps: the size of the N-Triples, held from loading to the dumps)."""
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
    literals: dict[str, set[bytes]] = {}
    texts: dict[str, bytes] = {}

    fact_set = set(facts)
    for path in ontology + facts + shapes:
        rel = project.relative(path)
        say(f"loading {rel}")
        data = read_source(path, rel)
        nt = turtle_to_ntriples(data, rel)
        if path not in shapes:
            literals[rel] = xsd_literals(nt)
        if path in fact_set:
            nt = skolemize_ntriples(nt, rel, ordered=False)  # a store keeps a set: any line order
            if keep_ntriples and _kept_as_written(literals[rel]):
                texts[rel] = nt
        # `load`, not `bulk_load`: for an in-memory store it is the faster of the two (one
        # transaction, no parallel batches to merge), and it is all or nothing per file.
        # `lenient`: the text is pyoxigraph's own N-Triples of what its Turtle parser checked
        # (IRIs, language tags), the blank nodes named from those IRIs; checking them again
        # was a fifth of the load.
        if path in shapes:
            shape_store.load(nt, format=ox.RdfFormat.N_TRIPLES, lenient=True)
        else:
            store.load(nt, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(GRAPH_PREFIX + rel), lenient=True)
        index.add_file(rel, data.decode("utf-8", errors="replace"), path)
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
        xsd_literals=literals,
        _texts=texts,
    )


def fact_triples(sources: Sources) -> Iterator[ox.Triple]:
    """The facts that make up the published dataset (data/ and seeds/, not the ontology)."""
    for rel in sources.fact_files:
        for q in sources.store.quads_for_pattern(None, None, None, sources.graph_of(rel)):
            yield q.triple
