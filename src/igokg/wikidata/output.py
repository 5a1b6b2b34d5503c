"""Reports written to files (CSV, JSON, QuickStatements), and the release writer of the diff."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from igokg.errors import OutputError
from igokg.release import Written
from igokg.wikidata.check import CheckReport
from igokg.wikidata.client import (
    DEFAULT_ENDPOINT,
    CacheMiss,
    WikidataClient,
)
from igokg.wikidata.diff import DiffReport, diff_statements
from igokg.wikidata.quickstatements import QuickStatementsReport


def write_report(report: CheckReport | DiffReport | QuickStatementsReport, out: Path, name: str) -> list[Path]:
    """Write `<name>.csv` and `<name>.json` (and `<name>.txt` of commands for QuickStatements)
    into `out`, all or none: every file is written under a temporary name first, and renamed
    only when all are (a full disk leaves neither a half file nor half a set)."""
    files = [(out / f"{name}.csv", report.to_csv()), (out / f"{name}.json", report.to_json())]
    if isinstance(report, QuickStatementsReport):
        files.append((out / f"{name}.txt", report.to_quickstatements()))
    made = [p for p in (out, *out.parents) if not p.exists()]
    staged: list[str] = []
    current = out
    try:
        out.mkdir(parents=True, exist_ok=True)
        for path, text in files:
            current = path
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=out)
            staged.append(tmp)
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
        for (path, _), tmp in zip(files, staged):
            os.replace(tmp, path)
    except OSError as exc:
        for tmp in staged:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        for folder in made:  # the folders this call created, deepest first
            try:
                folder.rmdir()
            except OSError:
                break
        raise OutputError.from_os_error(current, exc) from None
    return [p for p, _ in files]


def write_wikidata_diff(build) -> list[Written]:
    """Release writer: `wikidata/diff.csv` and `wikidata/diff.json`, from the Wikidata cache
    only (never the network: a build must not depend on a remote service). Skipped silently
    when the cache does not hold every answer the diff needs (run `igokg wikidata diff` first).
    The endpoint whose answers count is Wikidata's, unless the project names another in
    `extra["wikidata_endpoint"]` (the tests use their fixture server)."""
    sources = build.sources
    endpoint = sources.project.extra.get("wikidata_endpoint", DEFAULT_ENDPOINT)
    client = WikidataClient(endpoint=endpoint, cache_dir=sources.project.cache_dir / "wikidata", offline=True)
    try:
        report = diff_statements(sources, client)
    except CacheMiss:
        return []
    paths = write_report(report, Path(build.out) / "wikidata", "diff")
    media = {".csv": "text/csv", ".json": "application/json"}
    return [Written(p.relative_to(build.out).as_posix(), media[p.suffix],
                    f"Differences between the graph and Wikidata ({p.suffix[1:].upper()})", distribution=True)
            for p in paths]
