"""Shared fixtures: the real project, and disposable copies of it to break."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from igokg.project import Project
from igokg.sources import Sources, load_sources

ROOT = Path(__file__).resolve().parents[1]
#: A fixed date, so that tests do not depend on git history.
EPOCH = {"SOURCE_DATE_EPOCH": "1763856000"}


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
