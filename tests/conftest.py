"""Shared fixtures: the real project, and disposable copies of it to break."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from igokg.project import Project
from igokg.sources import Sources, load_sources

ROOT = Path(__file__).resolve().parents[1]
#: A fixed date, so that tests do not depend on git history; and the article graph alone: the
#: pinned datasets (COW IGO v3, the Factbook) are tested with the mirror in tests/sources and
#: tests/data (MIRROR below), so the release and site tests stay small and need no network.
EPOCH = {"SOURCE_DATE_EPOCH": "1763856000", "IGOKG_SKIP_SOURCES": "all"}
#: The mirror of the pinned files that .ci/run sets (IGOKG_SOURCE_MIRROR), or the shared folder
#: beside the checkout.
MIRROR = Path(os.environ.get("IGOKG_SOURCE_MIRROR") or ROOT.parent / "shared" / "datasets" / "igo-membership" / "raw")


@pytest.fixture(scope="session")
def project() -> Project:
    return Project.discover(ROOT, env=EPOCH, interactive=False)


@pytest.fixture(scope="session")
def sources(project: Project) -> Sources:
    return load_sources(project)


@pytest.fixture()
def project_copy(tmp_path: Path) -> Path:
    """A copy of the editable parts of the project, to break one thing in."""
    return copy_project(tmp_path / "project")


def copy_project(dest: Path) -> Path:
    for part in ("ontology", "shapes", "data", "seeds", "sparql"):
        if (ROOT / part).is_dir():
            shutil.copytree(ROOT / part, dest / part)
    return dest
