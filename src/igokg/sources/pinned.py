"""Stage: sources. The pinned third-party sources: what they are and where their files lie.

Input: `seeds/datasets.ttl` (one igo:Dataset or igo:ReferenceDocument per source, each file a
dcat:Distribution with its download location, sha256 and path in a mirror) and a `Project`
(its mirror folder and its cache). Output: `PinnedSource`s, and for one of them the local path
of each file — from the mirror if one is configured, else from the cache — or `MissingSource`.

The description is read on its own (not from the loaded store) so that `igokg fetch` works
before anything else can load.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from igokg.errors import MissingSource, SourceError
from igokg.namespaces import IGO, SPARQL_PREFIXES
from igokg.project import Project
from igokg.release import sha256_file
from igokg.sources.turtle import parse_turtle

__all__ = ["PinnedFile", "PinnedSource", "candidate_folders", "locate_files", "pinned_source", "read_pinned"]


@dataclass(frozen=True)
class PinnedFile:
    path: str  # relative to a mirror folder or the cache: igoR/igo_year_format3.rda
    url: str  # the pinned download location
    sha256: str
    size: int | None = None
    table: str | None = None  # the table the file holds, where it holds one


@dataclass(frozen=True)
class PinnedSource:
    name: str  # cow-igo-v3: what fetch and --skip-source take
    iri: str
    kind: str  # Dataset | ReferenceDocument
    files: tuple[PinnedFile, ...]
    claims_files: tuple[str, ...] = ()  # project files whose facts rest on this source

    def file_for_table(self, table: str) -> PinnedFile:
        for f in self.files:
            if f.table == table:
                return f
        raise KeyError(table)


_QUERY = SPARQL_PREFIXES + """
SELECT ?src ?kind ?name ?path ?url ?sha ?size ?table WHERE {
  ?src a ?kind ; igo:sourceName ?name ; dcat:distribution ?d .
  FILTER(?kind IN (igo:Dataset, igo:ReferenceDocument))
  ?d igo:path ?path ; dcat:downloadURL ?url ; igo:sha256 ?sha .
  OPTIONAL { ?d dcat:byteSize ?size }
  OPTIONAL { ?d igo:table ?table }
} ORDER BY ?name ?path
"""


def read_pinned(project: Project) -> list[PinnedSource]:
    """Every pinned source of the project, by name; none when seeds/datasets.ttl is absent."""
    path = project.pinned_sources_file
    if not path.is_file():
        return []
    store = ox.Store()
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in parse_turtle(path, project.relative(path)))
    files: dict[str, list[PinnedFile]] = {}
    meta: dict[str, tuple[str, str]] = {}
    for row in store.query(_QUERY):
        name = row["name"].value
        meta[name] = (row["src"].value, row["kind"].value[len(IGO):])
        size = row["size"]
        files.setdefault(name, []).append(
            PinnedFile(
                path=row["path"].value,
                url=row["url"].value,
                sha256=row["sha"].value,
                size=int(size.value) if size is not None else None,
                table=row["table"].value if row["table"] is not None else None,
            )
        )
    out = []
    for name in sorted(files):
        iri, kind = meta[name]
        claims = sorted(
            q.object.value for q in store.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(IGO + "claimsFile"), None)
        )
        for f in files[name]:
            if Path(f.path).is_absolute() or ".." in Path(f.path).parts:
                raise SourceError(project.relative(path), f"igo:path {f.path!r} of {name} must be relative, inside the folder")
        out.append(PinnedSource(name, iri, kind, tuple(files[name]), tuple(claims)))
    return out


def pinned_source(project: Project, name: str) -> PinnedSource:
    for source in read_pinned(project):
        if source.name == name:
            return source
    known = ", ".join(s.name for s in read_pinned(project)) or "none"
    raise SourceError(project.relative(project.pinned_sources_file), f"no pinned source named {name!r} (known: {known})")


def candidate_folders(project: Project) -> list[tuple[Path, str]]:
    """Where pinned files are looked for, in order: the mirror (if set), then the cache."""
    out = []
    if project.source_mirror is not None:
        out.append((project.source_mirror, f"the mirror {project.source_mirror}"))
    out.append((project.source_cache_dir, f"the cache {project.relative(project.source_cache_dir)}"))
    return out


def locate_files(project: Project, source: PinnedSource, verify: bool = True) -> dict[str, Path]:
    """The local copy of every file of `source`: the mirror's when it has it, else the cache's.

    With `verify`, each file's sha256 must be the pinned one: a different file is refused, since
    every locator and quote was checked against exactly those bytes.
    """
    folders = candidate_folders(project)
    out: dict[str, Path] = {}
    for f in source.files:
        found = [(folder / f.path, label) for folder, label in folders if (folder / f.path).is_file()]
        if not found:
            where = " nor in ".join(label for _, label in folders)
            raise MissingSource(source.name, f"{f.path} is neither in {where}" if len(folders) > 1 else f"{f.path} is not in {where}", f.url)
        local, label = found[0]
        if verify:
            digest = sha256_file(local)
            if digest != f.sha256:
                raise MissingSource(
                    source.name,
                    f"{f.path} in {label} has sha256 {digest[:16]}…, not the pinned {f.sha256[:16]}…: "
                    "it is not the file the project cites",
                    f.url,
                )
        out[f.path] = local
    return out
