"""The layering is checked, not hoped for: the import contract in pyproject.toml holds, and it bites."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

SRC = ROOT / "src" / "igokg"


def _lint(src_parent: Path) -> subprocess.CompletedProcess:
    env = {"PYTHONPATH": str(src_parent), "PATH": str(Path(sys.executable).parent)}
    return subprocess.run([str(Path(sys.executable).parent / "lint-imports"), "--config", str(ROOT / "pyproject.toml"),
                           "--no-cache"], capture_output=True, text=True, env=env, cwd=ROOT, check=False)


def test_the_import_contract_holds():
    result = _lint(ROOT / "src")
    assert result.returncode == 0, result.stdout[-3000:]
    assert result.stdout.count("KEPT") == 3


def test_a_consumer_importing_publish_breaks_the_contract(tmp_path):
    shutil.copytree(SRC, tmp_path / "igokg", ignore=shutil.ignore_patterns("__pycache__"))
    app = tmp_path / "igokg" / "serve" / "cache.py"
    app.write_text(app.read_text(encoding="utf-8") + "\nimport igokg.publish  # noqa\n", encoding="utf-8")
    result = _lint(tmp_path)
    assert result.returncode != 0
    assert "consumers take a release folder: they never import publish BROKEN" in result.stdout
    assert "stages import only from the stages above them KEPT" in result.stdout


def test_a_stage_importing_a_later_one_breaks_the_contract(tmp_path):
    shutil.copytree(SRC, tmp_path / "igokg", ignore=shutil.ignore_patterns("__pycache__"))
    errors = tmp_path / "igokg" / "sources" / "turtle.py"
    errors.write_text(errors.read_text(encoding="utf-8") + "\nimport igokg.validate  # noqa\n", encoding="utf-8")
    result = _lint(tmp_path)
    assert "stages import only from the stages above them BROKEN" in result.stdout


def test_no_module_grows_past_a_few_hundred_lines():
    sizes = {p.relative_to(SRC).as_posix(): len(p.read_text(encoding="utf-8").splitlines()) for p in SRC.rglob("*.py")}
    assert {name: n for name, n in sizes.items() if n > 600} == {}
