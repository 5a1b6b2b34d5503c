"""validate_graph: the SHACL engine, then the project's own checks, as one sorted `Report`.

Two SHACL engines give the same results (tests hold them to it): `fast` runs the shapes
compiled to SPARQL on the embedded store (`igokg.shacl`), `pyshacl` runs the reference
implementation. `fast` falls back to pySHACL for a shape it cannot compile, so the choice
only ever changes speed.
"""

from __future__ import annotations

from typing import Callable

from igokg import shacl
from igokg.errors import UnsupportedShape
from igokg.namespaces import compact
from igokg.report import Finding, Report, ShaclResult
from igokg.sources import Sources
from igokg.validate.checks import (
    check_qids,
    check_quotes,
    check_references,
    check_sources,
    check_vocabulary,
)
from igokg.validate.datasets import check_locators, check_reference_quotes

ENGINES = ("fast", "pyshacl")


def validate_graph(sources: Sources, engine: str = "fast", progress: Callable[[str], None] | None = None) -> Report:
    """Run the shapes and the project's checks; return every finding, sorted."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    say = progress or (lambda _m: None)
    say("checking shapes")
    used = engine
    if engine == "fast":
        try:
            compiled = shacl.compile_shapes(sources.shapes)
            results = shacl.run_shapes(compiled, sources.store, union=True)
        except UnsupportedShape:
            used = "pyshacl (fast engine fell back)"
            results = _pyshacl(sources)
    else:
        results = _pyshacl(sources)
    findings = [_from_shacl(r, sources) for r in results]
    say("checking quotes, sources and Wikidata links")
    findings += check_sources(sources)
    findings += check_quotes(sources)
    findings += check_qids(sources)
    findings += check_references(sources)
    findings += check_vocabulary(sources)
    say("checking record locators and reference quotes against the pinned sources")
    findings += check_locators(sources)
    findings += check_reference_quotes(sources)
    findings = sorted(set(findings), key=Finding.sort_key)
    return Report(findings=findings, engine=used, triples=len(sources.store), shacl_results=results)


def _pyshacl(sources: Sources) -> list[ShaclResult]:
    return shacl.run_pyshacl(shacl.to_rdflib(sources.store), shacl.to_rdflib(sources.shapes, dataset=False))


def _strip(term: str) -> str:
    """An N-Triples-ish term as the report shows it."""
    if term.startswith("<") and term.endswith(">"):
        return term[1:-1]
    return term


def _from_shacl(r: ShaclResult, sources: Sources) -> Finding:
    focus = _strip(r.focus)
    path = compact(_strip(r.path)) if r.path and r.path.startswith("<") else (r.path or "")
    hint = _strip(r.path) if r.path and r.path.startswith("<") else None
    loc = sources.locate(focus, hint) if focus.startswith("http") else None
    shape = compact(_strip(r.shape)) if r.shape and r.shape.startswith("<") else "shape"
    return Finding(
        entity=focus,
        severity=r.severity.rsplit("#", 1)[-1],
        rule=shape,
        message=r.message or r.component.rsplit("#", 1)[-1],
        path=path,
        value=r.value or "",
        location=str(loc) if loc else "",
    )
