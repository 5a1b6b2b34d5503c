"""One place decides paths and settings.

A `Project` is resolved once (by the CLI, or by a test) and passed down; no other
module reads the environment or the working directory.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Mapping

from igokg import __version__
from igokg.errors import SourceError
from igokg.namespaces import BASE

__all__ = ["Project"]

# Where the input lives, relative to the project root: the layout people edit.
INPUT_DIRS = ("ontology", "shapes", "data", "seeds")


@dataclass(frozen=True)
class Project:
    root: Path
    base_iri: str = BASE
    version: str = __version__
    #: Seconds since the epoch that date the release; never the wall clock.
    source_date_epoch: int | None = None
    show_progress: bool = False
    out_dir: Path | None = None
    extra: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def discover(
        cls,
        root: Path | str | None = None,
        env: Mapping[str, str] | None = None,
        interactive: bool | None = None,
    ) -> "Project":
        """Find the project root (the folder holding `ontology/` and `data/`) and settle settings.

        `SOURCE_DATE_EPOCH` dates the release; without it, the date of the last git
        commit does, so that a clean clone rebuilds the same bytes.
        """
        env = os.environ if env is None else env
        start = Path(root) if root is not None else Path(env.get("IGOKG_ROOT", os.getcwd()))
        found = _find_root(start.resolve())
        if found is None:
            raise SourceError(
                start,
                "not an igokg project (no ontology/ and data/ folders here or above)",
                hint="run the command inside a checkout of igokg, or pass --root DIR",
            )
        epoch = _epoch_from(env.get("SOURCE_DATE_EPOCH"), found)
        if interactive is None:
            interactive = sys.stderr.isatty() and not env.get("CI")
        return cls(root=found, source_date_epoch=epoch, show_progress=bool(interactive))

    def with_out(self, out: Path | str | None) -> "Project":
        return replace(self, out_dir=Path(out) if out is not None else None)

    # Paths --------------------------------------------------------------------------
    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def shapes_dir(self) -> Path:
        return self.root / "shapes"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def seeds_dir(self) -> Path:
        return self.root / "seeds"

    @property
    def sparql_dir(self) -> Path:
        return self.root / "sparql"

    @property
    def reference_tsv(self) -> Path:
        return self.seeds_dir / "reference" / "wikidata-ids.tsv"

    @property
    def release_dir(self) -> Path:
        return self.out_dir if self.out_dir is not None else self.root / "dist"

    @property
    def cache_dir(self) -> Path:
        return self.root / ".cache"

    def relative(self, path: Path | str) -> str:
        """A path as people see it in messages: relative to the root when inside it."""
        p = Path(path)
        try:
            return p.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return str(p)

    @property
    def issued(self) -> str | None:
        """The release date (YYYY-MM-DD, UTC) or None when nothing dates it."""
        if self.source_date_epoch is None:
            return None
        return datetime.fromtimestamp(self.source_date_epoch, tz=timezone.utc).date().isoformat()


def _find_root(start: Path) -> Path | None:
    for candidate in (start, *start.parents):
        if (candidate / "ontology").is_dir() and (candidate / "data").is_dir():
            return candidate
    return None


def _epoch_from(value: str | None, root: Path) -> int | None:
    if value:
        try:
            return int(value)
        except ValueError:
            raise SourceError("SOURCE_DATE_EPOCH", f"not an integer: {value!r}") from None
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "log", "-1", "--format=%ct"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = out.stdout.strip()
    return int(text) if out.returncode == 0 and text.isdigit() else None
