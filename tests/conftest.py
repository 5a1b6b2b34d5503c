"""Shared fixtures: the real project, on the article graph or with the pinned datasets, and
disposable copies of it to break.

Two graphs of the real project:
- the **article graph** (the five articles, `--skip-source all`): what most tests are about. Every
  test runs with `IGOKG_SKIP_SOURCES=all` in its environment (`_article_graph_by_default` below),
  so a test, a CLI call or a subprocess that loads the project gets this graph unless it asks
  for more — the release, site, serve and Wikidata tests stay small.
- the **full graph** (the articles, COW IGO v3 and the Factbook page, from the mirror that
  `.ci/run` sets in `IGOKG_SOURCE_MIRROR`, or from `igokg fetch`'s cache): `full_sources`, loaded
  once per session. Without the pinned files its tests skip, saying how to supply them; under
  CI (`CI` set) they fail instead, since CI must run them.
"""

from __future__ import annotations

import functools
import os
import shutil
from pathlib import Path

import pytest

from igokg.errors import MissingSource
from igokg.project import Project
from igokg.sources import Sources, load_sources
from igokg.sources.pinned import locate_files, read_pinned

ROOT = Path(__file__).resolve().parents[1]
_DATE = {"SOURCE_DATE_EPOCH": "1763856000"}
#: A fixed date, so that tests do not depend on git history; and the article graph alone.
EPOCH = {**_DATE, "IGOKG_SKIP_SOURCES": "all"}
#: The mirror of the pinned files as the environment gives it (.ci/run sets it); None if unset.
_MIRROR_ENV = os.environ.get("IGOKG_SOURCE_MIRROR", "").strip()
MIRROR: Path | None = Path(_MIRROR_ENV).resolve() if _MIRROR_ENV else None
#: The environment of the full graph: the fixed date and the mirror, nothing skipped.
FULL = {**_DATE, **({"IGOKG_SOURCE_MIRROR": str(MIRROR)} if MIRROR else {})}
NO_PINNED_FILES = ("the pinned third-party files (COW IGO v3, the Factbook page) are not at hand: "
                   "set IGOKG_SOURCE_MIRROR to a folder laid out like ../shared/datasets/igo-membership/raw "
                   "(as .ci/run does), or run igokg fetch")


@pytest.fixture(autouse=True, scope="session")
def _article_graph_by_default():
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("IGOKG_SKIP_SOURCES", "all")
        yield


@functools.lru_cache(maxsize=1)
def pinned_folder() -> Path | None:
    """The folder that holds every pinned file with its pinned sha256 (the mirror, else the
    cache), or None."""
    project = Project.discover(ROOT, env=FULL, interactive=False)
    try:
        files = [p for s in read_pinned(project) for p in locate_files(project, s).values()]
    except MissingSource:
        return None
    if not files:
        return None
    for folder in (project.source_mirror, project.source_cache_dir):
        if folder is not None and all(folder in p.parents for p in files):
            return folder
    return None


def need_pinned_files() -> Path:
    """The folder of the pinned files; skip the test without them (fail under CI)."""
    folder = pinned_folder()
    if folder is None:
        if os.environ.get("CI"):
            pytest.fail(NO_PINNED_FILES)
        pytest.skip(NO_PINNED_FILES)
    return folder


@pytest.fixture(scope="session")
def project() -> Project:
    return Project.discover(ROOT, env=EPOCH, interactive=False)


@pytest.fixture(scope="session")
def article_sources() -> Sources:
    """The article graph, loaded once."""
    return load_sources(Project.discover(ROOT, env=EPOCH, interactive=False))


@pytest.fixture(scope="session")
def sources(article_sources: Sources) -> Sources:
    return article_sources


@pytest.fixture(scope="session")
def full_project() -> Project:
    need_pinned_files()
    return Project.discover(ROOT, env=FULL, interactive=False)


@pytest.fixture(scope="session")
def full_sources(full_project: Project) -> Sources:
    """The full graph (articles, COW IGO v3, the Factbook), loaded once per session."""
    return load_sources(full_project)


@pytest.fixture(scope="session", params=["article_sources", "full_sources"], ids=["articles", "full"])
def each_graph(request) -> Sources:
    """The article graph, then the full graph: for checks that hold on both."""
    return request.getfixturevalue(request.param)


@pytest.fixture()
def project_copy(tmp_path: Path) -> Path:
    """A copy of the editable parts of the project, to break one thing in."""
    return copy_project(tmp_path / "project")


def copy_project(dest: Path) -> Path:
    for part in ("ontology", "shapes", "data", "seeds", "sparql"):
        if (ROOT / part).is_dir():
            shutil.copytree(ROOT / part, dest / part)
    return dest
