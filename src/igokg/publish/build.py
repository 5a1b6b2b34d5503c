"""Stage: publish. A validated graph becomes a release folder, written atomically.

Input: a `Project` (or loaded `Sources` and their `Report`) and the list of writers.
Output: a `Release` in `project.release_dir` (default `dist/`).

Each writer writes its files into the staging folder and returns what it wrote
(`igokg.release.Written`): path, media type, title, whether it is a distribution. VoID/DCAT
is generated from those descriptions and `SHA256SUMS` lists every one of them, so a new
writer cannot be forgotten in either; a file on disk that no writer described stops the
build. Reproducible: no wall clock, no random labels — the date comes from the project
(SOURCE_DATE_EPOCH or the last commit), the order from sorting, and every file's and
folder's mtime is clamped to that date.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from igokg.errors import IgokgError, PublishError, explain_os_error
from igokg.project import Project
from igokg.publish.atomic import clamp_mtimes, staging_folder, swap_into_place
from igokg.publish.defaults import default_writers
from igokg.rdf import sort_ntriples
from igokg.release import SUMS_NAME, Writer, Written, sha256_file
from igokg.report import Report, ValidationFailed
from igokg.sources import Sources, load_sources
from igokg.validate import validate_graph

__all__ = ["Build", "Release", "build_release", "write_release"]

Progress = Callable[[str], None]


@dataclass
class Build:
    """A release being written: what the writers are given, and what they have written."""

    sources: Sources
    out: Path  # the staging folder the writers write into
    previous: Path  # where the release will go (and the last release is, if any)
    written: list[Written] = field(default_factory=list)
    queries: dict[str, int | None] = field(default_factory=dict)  # example query -> rows (None: not run)
    changes: str | None = None
    _ntriples: bytes | None = None
    _triple_count: int | None = None
    digests: dict[str, str] = field(default_factory=dict)  # relative name -> sha256, as files are hashed
    say: Progress = field(default=lambda _m: None, repr=False)  # progress within a writer (each example query)
    # relative name -> size, of the files their writer has hashed (in `digests`) and dated already
    # (mtime at most SOURCE_DATE_EPOCH): the checksums and the clamp of mtimes skip them.
    finished: dict[str, int] = field(default_factory=dict)
    # Work a writer started and left running (the site's page renderers): (name, finish, cancel).
    # `finish` returns what it wrote, once all writers have run; `cancel` stops it if the build fails.
    background: list[tuple[str, Callable[[], list[Written]], Callable[[], None]]] = field(default_factory=list)
    shared: dict[str, object] = field(default_factory=dict)  # what a writer leaves for a later one
    linked: int = 0  # files the same as the previous release's, linked from it, not written (the site's)

    @property
    def project(self) -> Project:
        return self.sources.project

    def ntriples(self) -> bytes:
        """The published facts (data/ and seeds/) as N-Triples in canonical order (`igokg.rdf`),
        computed once: the text every dump is written from."""
        if self._ntriples is None:
            self._ntriples = sort_ntriples(self.sources.fact_ntriples())
        return self._ntriples

    def sha256(self, rel: str) -> str:
        """The sha256 of a file written into the release, hashed once however often asked
        (VoID, SHA256SUMS and the site's downloads all list the dumps)."""
        if rel not in self.digests:
            self.digests[rel] = sha256_file(self.out / rel)
        return self.digests[rel]

    def triple_count(self) -> int:
        """Distinct fact triples: the lines of `ntriples()` (counted once: 0.1 s a pass at 1M)."""
        if self._triple_count is None:
            self._triple_count = self.ntriples().count(b"\n")
        return self._triple_count


@dataclass
class Release:
    out: Path
    triples: int
    files: dict[str, tuple[int, str]]  # relative name -> (bytes, sha256)
    report: Report
    written: list[Written] = field(default_factory=list)
    changes: str | None = None
    queries: dict[str, int | None] = field(default_factory=dict)  # name -> rows (None: not run)
    linked: int = 0  # files the same as the previous release's: linked from it, not written

    def summary(self) -> str:
        top = [n for n in self.files if "/" not in n]
        lines = [
            f"release written to {self.out}",
            f"  {self.triples} triples; {self.report.warning_count} warning(s), 0 violations",
            f"  {len(self.files)} files ({len(top)} at the top level), {sum(b for b, _ in self.files.values())} bytes"
            + (f"; {self.linked} of them the same as the last release's, linked from it" if self.linked else ""),
        ]
        for name in sorted(top):
            size, digest = self.files[name]
            lines.append(f"  {name:22} {size:>9}  sha256:{digest[:16]}…")
        ran = sum(1 for n in self.queries.values() if n is not None)
        lines.append(f"  {ran} queries run, {len(self.queries) - ran} federated (not run at build time)")
        if self.changes:
            lines.append("  " + self.changes.splitlines()[0])
        return "\n".join(lines) + "\n"


def build_release(
    project: Project, writers: Sequence[Writer] | None = None, engine: str = "fast", progress: Progress | None = None
) -> Release:
    """Load, validate, and publish; refuses (ValidationFailed) when there are violations."""
    say = progress or (lambda _m: None)
    sources = load_sources(project, say, keep_ntriples=True)  # the dumps are sorted from the loaded text
    report = validate_graph(sources, engine=engine, progress=say)
    if not report.conforms:
        raise ValidationFailed(report)
    return write_release(sources, report, project.release_dir, writers, say)


def write_release(
    sources: Sources, report: Report, out: Path, writers: Sequence[Writer] | None = None, progress: Progress | None = None
) -> Release:
    """Run every writer into a staging folder, check what they wrote, checksum it, swap it in."""
    say = progress or (lambda _m: None)
    out = Path(out).resolve()
    chosen = list(writers) if writers is not None else default_writers()
    swapped: list[int] = []  # the number of files, once the release is in place
    try:
        with staging_folder(out, swapped) as tmp:
            build = Build(sources=sources, out=tmp, previous=out, say=say)
            try:
                for writer in chosen:
                    say(f"writing {getattr(writer, '__name__', 'files').removeprefix('write_')}")
                    build.written.extend(writer(build))
                for name, finish, _cancel in build.background:
                    say(f"writing {name}")
                    build.written.extend(finish())
            finally:
                for _name, _finish, cancel in build.background:
                    cancel()
            say("checksumming")
            files = _checksums(build)
            clamp_mtimes(tmp, sources.project.source_date_epoch, skip=build.finished)
            say("swapping the release into place")
            swap_into_place(tmp, out)
            swapped.append(len(files))  # the folder left holds the previous release: removed now or in the background
    except IgokgError:
        raise
    except OSError as exc:
        raise PublishError(f"could not write the release {out}: {explain_os_error(exc)}; the last release was left as it was") from None
    return Release(out=out, triples=build.triple_count(), files=files, report=report, written=build.written,
                   changes=build.changes, queries=build.queries, linked=build.linked)


def _checksums(build: Build) -> dict[str, tuple[int, str]]:
    """SHA256SUMS from what the writers described; a file nobody described is a bug, not a release."""
    described: dict[str, Written] = {}
    for w in build.written:
        if w.path in described:
            raise PublishError(f"two writers claim {w.path}")
        described[w.path] = w
    on_disk = _files_on_disk(build.out, build.finished)
    missing, extra = sorted(set(described) - on_disk.keys()), sorted(on_disk.keys() - set(described))
    if missing or extra:
        raise PublishError(
            "the writers' descriptions do not match the files: "
            + (f"described but not written: {', '.join(missing[:5])}; " if missing else "")
            + (f"written but not described: {', '.join(extra[:5])}" if extra else "")
        )
    files: dict[str, tuple[int, str]] = {}
    for rel in sorted(described):
        files[rel] = (on_disk[rel], build.sha256(rel))
    lines = "".join(f"{digest}  {rel}\n" for rel, (_size, digest) in sorted(files.items()))
    (build.out / SUMS_NAME).write_text(lines, encoding="utf-8")
    files[SUMS_NAME] = ((build.out / SUMS_NAME).stat().st_size, sha256_file(build.out / SUMS_NAME))
    return files


def _files_on_disk(folder: Path, sizes: dict[str, int] | None = None) -> dict[str, int]:
    """Every file under `folder` (POSIX relative name -> size), in one walk of os.scandir: a
    release holds a hundred thousand files at a million triples, too many for pathlib's rglob,
    relative_to and a stat each. `sizes`: those known already (their writer wrote the bytes),
    not asked of the disk again."""
    sizes = sizes or {}
    found: dict[str, int] = {}
    todo = [("", str(folder))]
    while todo:
        prefix, path = todo.pop()
        with os.scandir(path) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    todo.append((f"{prefix}{entry.name}/", entry.path))
                elif entry.is_file():
                    rel = prefix + entry.name
                    size = sizes.get(rel)
                    found[rel] = entry.stat().st_size if size is None else size
    return found
