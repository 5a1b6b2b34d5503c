"""Stage: sources. `igokg fetch`: download the pinned files that are missing into the cache.

Input: a `Project` and the names of pinned sources (all by default). Output: a `FetchReport`
(one line per file: already in the mirror or the cache, or downloaded), with every downloaded
file in `.cache/sources/<igo:path>` and its sha256 verified.

A download goes to a temporary file beside its target and is renamed into place only once its
sha256 is the pinned one: a wrong file, a 404 or a cut connection leaves nothing behind (the
cache never holds a file the project does not cite). Only the pinned URL is fetched.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from igokg import __version__
from igokg.errors import RemoteError, SourceError
from igokg.project import Project
from igokg.release import sha256_file
from igokg.sources.pinned import (
    PinnedFile,
    PinnedSource,
    candidate_folders,
    read_pinned,
)

__all__ = ["FetchReport", "FetchedFile", "fetch_sources"]

Progress = Callable[[str], None]


@dataclass(frozen=True)
class FetchedFile:
    source: str
    path: str
    status: str  # "mirror" | "cached" | "downloaded"
    where: str


@dataclass
class FetchReport:
    files: list[FetchedFile] = field(default_factory=list)

    @property
    def downloaded(self) -> int:
        return sum(1 for f in self.files if f.status == "downloaded")

    def to_text(self) -> str:
        lines = [f"{f.source:22} {f.path:40} {f.status:10} {f.where}" for f in self.files]
        lines.append(f"{len(self.files)} file(s), {self.downloaded} downloaded, every sha256 verified")
        return "\n".join(lines) + "\n"


def fetch_sources(
    project: Project,
    names: Iterable[str] = (),
    timeout: float = 60.0,
    progress: Progress | None = None,
) -> FetchReport:
    """Make every file of the named sources (all when none is named) available, verified."""
    say = progress or (lambda _m: None)
    sources = read_pinned(project)
    wanted = list(names)
    known = {s.name for s in sources}
    for name in wanted:
        if name not in known:
            raise SourceError(
                project.relative(project.pinned_sources_file),
                f"no pinned source named {name!r} (known: {', '.join(sorted(known)) or 'none'})",
            )
    report = FetchReport()
    for source in sources:
        if wanted and source.name not in wanted:
            continue
        for f in source.files:
            report.files.append(_ensure(project, source, f, timeout, say))
    return report


def _ensure(project: Project, source: PinnedSource, f: PinnedFile, timeout: float, say: Progress) -> FetchedFile:
    for folder, label in candidate_folders(project):
        local = folder / f.path
        if local.is_file() and sha256_file(local) == f.sha256:
            return FetchedFile(source.name, f.path, "mirror" if folder != project.source_cache_dir else "cached", label)
    target = project.source_cache_dir / f.path
    say(f"downloading {f.url}")
    download(f.url, target, f.sha256, timeout)
    return FetchedFile(source.name, f.path, "downloaded", project.relative(target))


def download(url: str, target: Path, sha256: str, timeout: float = 60.0) -> None:
    """Fetch `url` into `target` if and only if its bytes have the given sha256."""
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(f".{target.name}.part-{os.getpid()}")
    request = urllib.request.Request(url, headers={"User-Agent": f"igokg/{__version__} (pinned source fetch)"})
    digest = hashlib.sha256()
    try:
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response, part.open("wb") as out:
                expected = response.headers.get("Content-Length")
                received = 0
                for block in iter(lambda: response.read(1 << 16), b""):
                    digest.update(block)
                    out.write(block)
                    received += len(block)
                if expected is not None and expected.isdigit() and received != int(expected):
                    raise RemoteError(url, f"the connection ended after {received} of {expected} bytes; run igokg fetch again")
        except urllib.error.HTTPError as exc:
            raise RemoteError(url, f"download failed: {exc.reason}", exc.code) from None
        except urllib.error.URLError as exc:
            raise RemoteError(url, f"download failed: {exc.reason}") from None
        except (OSError, ValueError, http.client.HTTPException) as exc:  # reset, timeout, IncompleteRead
            raise RemoteError(url, f"download failed: {exc.__class__.__name__}: {exc}; run igokg fetch again") from None
        got = digest.hexdigest()
        if got != sha256:
            raise RemoteError(
                url,
                f"the file downloaded has sha256 {got[:16]}…, not the pinned {sha256[:16]}…: refused, nothing kept",
            )
        os.replace(part, target)
    finally:
        part.unlink(missing_ok=True)
