"""validate_graph: the SHACL engine, then the project's own checks, as one sorted `Report`.

Two SHACL engines give the same results (tests hold them to it): `fast` runs the shapes
compiled to SPARQL on the embedded store (`igokg.shacl`), `pyshacl` runs the reference
implementation. `fast` hands any shape it cannot compile, or that fails, to pySHACL (one note
in the report says which and why), so the choice only ever changes speed.

Both engines see the data as written: the literals the store rewrote on load ("01"^^xsd:integer
kept as "1") are put back for the time of validation (`igokg.shacl.lexical`), and the shapes
are read from their files again rather than from the store, for the same reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from igokg import shacl
from igokg.namespaces import compact
from igokg.report import Finding, Report, ShaclResult
from igokg.sources import Sources
from igokg.sources.datasets import IMPORT_PREFIX
from igokg.validate.checks import (
    SourceFiles,
    check_qids,
    check_quotes,
    check_references,
    check_sources,
    check_vocabulary,
)
from igokg.validate.datasets import check_locators, check_reference_quotes

ENGINES = shacl.ENGINES


def validate_graph(sources: Sources, engine: str = "fast", progress: Callable[[str], None] | None = None) -> Report:
    """Run the shapes and the project's checks; return every finding, sorted."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    say = progress or (lambda _m: None)
    say("checking shapes")
    outcome = check_shapes(sources, engine, say)
    shacl_findings = [_from_shacl(r, sources) for r in outcome.results]
    say("checking quotes, sources and Wikidata links")
    files = SourceFiles(sources.project.root)  # each cited file read once for both checks
    findings = check_sources(sources, files)
    findings += check_quotes(sources, files)
    findings += check_qids(sources)
    findings += check_references(sources)
    findings += check_vocabulary(sources)
    say("checking record locators and reference quotes against the pinned sources")
    findings += check_locators(sources)
    findings += check_reference_quotes(sources)
    # The project's checks may find one thing twice; SHACL results stay one per result.
    findings = sorted(shacl_findings + list(set(findings)), key=Finding.sort_key)
    return Report(findings=findings, engine=outcome.engine, triples=len(sources.store),
                  shacl_results=outcome.results, notes=outcome.fallbacks + outcome.notes)


def check_shapes(sources: Sources, engine: str = "fast", say: Callable[[str], None] | None = None) -> shacl.Outcome:
    """The SHACL part alone: the shapes as written, on the data as written."""
    root = sources.project.root
    shapes = shacl.ShapesGraph.from_turtle(((root / rel).read_bytes(), None) for rel in sources.shape_files)
    # an imported graph (a dataset's, import/NAME) has no file: the import writes canonical literals
    files = [(root / rel, sources.graph_of(rel), sources.xsd_literals.get(rel))
             for rel in sources.ontology_files + sources.fact_files if not rel.startswith(IMPORT_PREFIX)]
    as_written = shacl.scan(files, sources.store)
    return shacl.validate_shapes(shapes, sources.store, as_written=as_written, engine=engine, say=say)


def _strip(term: str) -> str:
    """An N-Triples-ish term as the report shows it."""
    if term.startswith("<") and term.endswith(">"):
        return term[1:-1]
    return term


def _compact_path(path: str) -> str:
    """A SHACL path in Turtle with the project's prefixes: `[ sh:inversePath igo:member ]`."""
    return re.sub(r"<([^<>\s]+)>", lambda m: compact(m.group(1)), path)


def _from_shacl(r: ShaclResult, sources: Sources) -> Finding:
    focus = _strip(r.focus)
    simple = r.path is not None and r.path.startswith("<") and r.path.endswith(">")
    loc = sources.locate(focus, _strip(r.path) if simple and r.path else None) if focus.startswith("http") else None
    return Finding(
        entity=focus,
        severity=r.severity.rsplit("#", 1)[-1],
        rule=_compact_path(r.shape) if r.shape else "shape",
        message=r.message or r.component.rsplit("#", 1)[-1],
        path=_compact_path(r.path) if r.path else "",
        value=r.value or "",
        location=str(loc) if loc else "",
    )
