"""Stage: sources. The pinned sources in the load: which are used, which skipped, what they add.

Input: a `Project` (its pinned sources, mirror, cache, `skip_sources`) and the store holding the
project's own files. Output: `plan_pinned` says which sources are used and which project files
are left out with a skipped source (its igo:claimsFile); `import_pinned` checks that every used
source's files are there with their pinned sha256 (`MissingSource` otherwise) and loads what a
dataset adds (COW IGO v3: states, IGOs, memberships, phases) into a named graph of its own.
A reference document adds no triples: its claims are written by hand (data/) and its quotes are
checked by `igokg validate` against its canonical text.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from typing import Callable

import pyoxigraph as ox

from igokg.collector import paused
from igokg.errors import SourceError
from igokg.namespaces import OWL_SAMEAS, RDF_TYPE, RDFS, WD
from igokg.project import Project
from igokg.sources.pinned import PinnedSource, locate_files, read_pinned

__all__ = ["PinnedPlan", "plan_pinned", "import_pinned", "read_polities", "IMPORT_PREFIX", "COW_NAME"]

#: Imported graphs are named GRAPH_PREFIX + IMPORT_PREFIX + source name.
IMPORT_PREFIX = "import/"
COW_NAME = "cow-igo-v3"

Progress = Callable[[str], None]


@dataclass
class PinnedPlan:
    used: list[PinnedSource] = field(default_factory=list)
    skipped: list[PinnedSource] = field(default_factory=list)
    excluded_files: set[str] = field(default_factory=set)  # project files left out with a skipped source


def plan_pinned(project: Project) -> PinnedPlan:
    sources = read_pinned(project)
    known = {s.name for s in sources}
    unknown = sorted(project.skip_sources - known - {"all"})
    if unknown:
        raise SourceError(
            project.relative(project.pinned_sources_file),
            f"--skip-source {unknown[0]}: no pinned source of that name (known: {', '.join(sorted(known)) or 'none'})",
        )
    plan = PinnedPlan()
    for s in sources:
        skip = s.name in project.skip_sources or "all" in project.skip_sources
        (plan.skipped if skip else plan.used).append(s)
        if skip:
            plan.excluded_files.update(s.claims_files)
    return plan


def read_polities(project: Project):
    """The polity table (seeds/reference/cow-polities.tsv)."""
    from igokg.sources.cow_phases import Polity  # noqa: PLC0415 - pandas only when COW is imported

    path = project.reference_dir / "cow-polities.tsv"
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        return [
            Polity(r["column"], int(r["first_year"]), int(r["last_year"]) if r["last_year"] else None, r["slug"],
                   r["label"], None if r["qid"] in ("", "NONE") else r["qid"])
            for r in csv.DictReader(fh, delimiter="\t")
        ]


def _known(store: ox.Store):
    from igokg.sources.cow_graph import Known  # noqa: PLC0415

    by_qid: dict[str, str] = {}
    for q in store.quads_for_pattern(None, ox.NamedNode(OWL_SAMEAS), None, None):
        if isinstance(q.object, ox.NamedNode) and q.object.value.startswith(WD):
            by_qid[q.object.value[len(WD):]] = q.subject.value
    labelled = {q.subject.value for q in store.quads_for_pattern(None, ox.NamedNode(RDFS + "label"), None, None)}
    subjects = {q.subject.value for q in store.quads_for_pattern(None, None, None, None) if isinstance(q.subject, ox.NamedNode)}
    typed = {q.subject.value for q in store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), None, None)
             if isinstance(q.subject, ox.NamedNode)}
    return Known(by_qid=by_qid, labelled=labelled, subjects=subjects, typed=typed)


def import_cow(project: Project, source: PinnedSource, files: dict, store: ox.Store) -> str:
    """The COW IGO v3 graph as N-Triples (see cow_graph)."""
    from igokg.sources.cow_graph import cow_ntriples  # noqa: PLC0415 - pandas only when COW is imported
    from igokg.sources.cow_phases import compute_phases  # noqa: PLC0415
    from igokg.sources.cow_tables import read_cow_tables  # noqa: PLC0415
    from igokg.sources.reference import read_cow_links  # noqa: PLC0415

    tables = read_cow_tables(files[source.file_for_table("igo_year_format3").path],
                             files[source.file_for_table("states2016").path])
    polities = read_polities(project)
    phases = compute_phases(tables, polities)
    ref = project.reference_dir
    return cow_ntriples(
        tables, phases, polities,
        read_cow_links(ref / "states-wikidata.tsv", "ccode"),
        read_cow_links(ref / "igos-wikidata.tsv", "ioname"),
        _known(store), source.iri,
    )


#: Datasets whose facts are imported, by source name.
IMPORTERS = {COW_NAME: import_cow}


def import_pinned(project: Project, store: ox.Store, plan: PinnedPlan, graph_prefix: str,
                  progress: Progress | None = None) -> list[str]:
    """Check every used source is at hand and import the datasets; the graphs' names (relative)."""
    say = progress or (lambda _m: None)
    rels = []
    for source in plan.used:
        files = locate_files(project, source)
        importer = IMPORTERS.get(source.name)
        if importer is None:
            continue
        say(f"importing {source.name}")
        rel = IMPORT_PREFIX + source.name
        with paused():  # the tables read and the lines written hold no cycle (igokg.collector)
            text = importer(project, source, files, store)
        store.bulk_load(text.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph_prefix + rel))
        rels.append(rel)
    return rels
