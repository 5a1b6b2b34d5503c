"""One place decides paths and settings.

A `Project` is resolved once (by the CLI, or by a test) and passed down; no other
module reads the environment or the working directory. `Settings` are the environment
variables the project knows, read once (see `Settings.from_env` for the list).
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Mapping

from igokg import __version__
from igokg.errors import SourceError
from igokg.namespaces import BASE

__all__ = ["Project", "Settings", "resolve_settings", "user_agent"]

# Where the input lives, relative to the project root: the layout people edit.
INPUT_DIRS = ("ontology", "shapes", "data", "seeds")


@dataclass(frozen=True)
class Settings:
    """What the environment says, read in one place.

    - `IGOKG_PUSH_USER`, `IGOKG_PUSH_PASSWORD`, `IGOKG_PUSH_AUTH` (basic|digest),
      `IGOKG_PUSH_TOKEN` (bearer): credentials for `igokg push`; never printed.
    - `IGOKG_WIKIDATA_CONTACT`: who Wikimedia can write to about your queries, an email address
      or a web page, sent in the User-Agent of `igokg wikidata`. Required to query Wikimedia's
      services (Wikimedia's User-Agent policy); other endpoints do without.
    - `IGOKG_SOURCE_MIRROR`: a folder holding the pinned third-party files, for offline builds,
      laid out by each file's `igo:path` (seeds/datasets.ttl); a relative path is taken from
      the project root.
    - `IGOKG_SKIP_SOURCES`: pinned sources to build without, comma-separated (as --skip-source;
      `all` skips every one).
    - `CI`: set by CI services; no progress display there.
    """

    push_user: str = ""
    push_password: str = field(default="", repr=False)
    push_auth: str = ""
    push_token: str = field(default="", repr=False)
    wikidata_contact: str = ""
    source_mirror: Path | None = None
    skip_sources: frozenset[str] = frozenset()
    ci: bool = False

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "Settings":
        mirror = env.get("IGOKG_SOURCE_MIRROR", "").strip()
        return cls(
            push_user=env.get("IGOKG_PUSH_USER", ""),
            push_password=env.get("IGOKG_PUSH_PASSWORD", ""),
            push_auth=env.get("IGOKG_PUSH_AUTH", "").strip().lower(),
            push_token=env.get("IGOKG_PUSH_TOKEN", ""),
            wikidata_contact=env.get("IGOKG_WIKIDATA_CONTACT", "").strip(),
            source_mirror=Path(mirror) if mirror else None,
            skip_sources=frozenset(n.strip() for n in env.get("IGOKG_SKIP_SOURCES", "").split(",") if n.strip()),
            ci=bool(env.get("CI")),
        )


def user_agent(contact: str = "") -> str:
    """How igokg introduces itself to every server it talks to: name, version, home page, contact."""
    about = BASE.rstrip("/") + (f"; {contact}" if contact else "")
    return f"igokg/{__version__} (+{about})"


def resolve_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Settings from `env`, or from the process environment (for commands run outside a project)."""
    return Settings.from_env(os.environ if env is None else env)


@dataclass(frozen=True)
class Project:
    root: Path
    version: str = __version__
    #: Seconds since the epoch that date the release; never the wall clock.
    source_date_epoch: int | None = None
    show_progress: bool = False
    out_dir: Path | None = None
    settings: Settings = field(default_factory=Settings)
    extra: Mapping[str, str] = field(default_factory=dict)
    #: Pinned sources to build without (`--skip-source NAME`): not imported, not checked.
    skip_sources: frozenset[str] = frozenset()

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
        settings = Settings.from_env(env)
        if interactive is None:
            interactive = sys.stderr.isatty() and not settings.ci
        return cls(root=found, source_date_epoch=epoch, show_progress=bool(interactive), settings=settings,
                   skip_sources=settings.skip_sources)

    def with_out(self, out: Path | str | None) -> "Project":
        return replace(self, out_dir=Path(out) if out is not None else None)

    def with_sources(self, mirror: Path | str | None = None, skip: Iterable[str] = ()) -> "Project":
        """The same project with a mirror folder (overriding IGOKG_SOURCE_MIRROR) and sources to skip."""
        settings = replace(self.settings, source_mirror=Path(mirror)) if mirror is not None else self.settings
        return replace(self, settings=settings, skip_sources=self.skip_sources | frozenset(skip))

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

    @property
    def source_cache_dir(self) -> Path:
        """Where `igokg fetch` puts the pinned third-party files (never committed)."""
        return self.cache_dir / "sources"

    @property
    def source_mirror(self) -> Path | None:
        """The mirror folder of pinned files, if one is configured (relative: from the root)."""
        mirror = self.settings.source_mirror
        if mirror is None:
            return None
        return mirror if mirror.is_absolute() else (self.root / mirror)

    @property
    def pinned_sources_file(self) -> Path:
        """The descriptions of the pinned third-party sources (datasets, reference documents)."""
        return self.seeds_dir / "datasets.ttl"

    @property
    def reference_dir(self) -> Path:
        return self.seeds_dir / "reference"

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


#: 9999-12-31T23:59:59Z, the last second an xsd:date (and Python's datetime) can name.
_LAST_EPOCH = 253_402_300_799


def _epoch_from(value: str | None, root: Path) -> int | None:
    if value:
        try:
            epoch = int(value)
        except ValueError:
            raise SourceError("SOURCE_DATE_EPOCH", f"not an integer: {value!r}") from None
        # reproducible-builds.org: seconds since 1970, not negative; dates end in year 9999.
        if not 0 <= epoch <= _LAST_EPOCH:
            raise SourceError("SOURCE_DATE_EPOCH", f"{epoch} is not a date between 1970 and 9999 "
                              f"(seconds since 1970-01-01, 0 to {_LAST_EPOCH})")
        return epoch
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
