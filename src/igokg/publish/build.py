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

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from igokg.errors import IgokgError, PublishError, explain_os_error
from igokg.project import Project
from igokg.publish.atomic import clamp_mtimes, staging_folder, swap_into_place
from igokg.publish.defaults import default_writers
from igokg.rdf import SortedTriples, sort_triples
from igokg.release import SUMS_NAME, Writer, Written, sha256_file
from igokg.report import Report, ValidationFailed
from igokg.sources import Sources, fact_triples, load_sources
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
    _facts: SortedTriples | None = None

    @property
    def project(self) -> Project:
        return self.sources.project

    def facts(self) -> SortedTriples:
        """The published facts (data/ and seeds/), distinct and sorted, computed once."""
        if self._facts is None:
            self._facts = sort_triples(fact_triples(self.sources))
        return self._facts


@dataclass
class Release:
    out: Path
    triples: int
    files: dict[str, tuple[int, str]]  # relative name -> (bytes, sha256)
    report: Report
    written: list[Written] = field(default_factory=list)
    changes: str | None = None
    queries: dict[str, int | None] = field(default_factory=dict)  # name -> rows (None: not run)

    def summary(self) -> str:
        top = [n for n in self.files if "/" not in n]
        lines = [
            f"release written to {self.out}",
            f"  {self.triples} triples; {self.report.warning_count} warning(s), 0 violations",
            f"  {len(self.files)} files ({len(top)} at the top level), {sum(b for b, _ in self.files.values())} bytes",
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
    sources = load_sources(project, say)
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
    try:
        with staging_folder(out) as tmp:
            build = Build(sources=sources, out=tmp, previous=out)
            for writer in chosen:
                say(f"writing {getattr(writer, '__name__', 'files').removeprefix('write_')}")
                build.written.extend(writer(build))
            files = _checksums(build)
            clamp_mtimes(tmp, sources.project.source_date_epoch)
            say("swapping the release into place")
            swap_into_place(tmp, out)
    except IgokgError:
        raise
    except OSError as exc:
        raise PublishError(f"could not write the release {out}: {explain_os_error(exc)}; the last release was left as it was") from None
    return Release(out=out, triples=len(build.facts()), files=files, report=report, written=build.written,
                   changes=build.changes, queries=build.queries)


def _checksums(build: Build) -> dict[str, tuple[int, str]]:
    """SHA256SUMS from what the writers described; a file nobody described is a bug, not a release."""
    described: dict[str, Written] = {}
    for w in build.written:
        if w.path in described:
            raise PublishError(f"two writers claim {w.path}")
        described[w.path] = w
    on_disk = {p.relative_to(build.out).as_posix() for p in build.out.rglob("*") if p.is_file()}
    missing, extra = sorted(set(described) - on_disk), sorted(on_disk - set(described))
    if missing or extra:
        raise PublishError(
            "the writers' descriptions do not match the files: "
            + (f"described but not written: {', '.join(missing[:5])}; " if missing else "")
            + (f"written but not described: {', '.join(extra[:5])}" if extra else "")
        )
    files: dict[str, tuple[int, str]] = {}
    for rel in sorted(described):
        path = build.out / rel
        files[rel] = (path.stat().st_size, sha256_file(path))
    lines = "".join(f"{digest}  {rel}\n" for rel, (_size, digest) in sorted(files.items()))
    (build.out / SUMS_NAME).write_text(lines, encoding="utf-8")
    files[SUMS_NAME] = ((build.out / SUMS_NAME).stat().st_size, sha256_file(build.out / SUMS_NAME))
    return files
