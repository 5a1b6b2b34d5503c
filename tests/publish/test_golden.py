"""Release bytes change only on purpose: the real project and a generated 10k project, built
with a fixed date, give exactly the checksums recorded in `golden/`.

The golden files were recorded before the package was reorganized into stages (issue 11),
so this test proves the renovation kept every byte; VoID (which now lists every distribution)
and the landing page (which shows VoID's checksum) are left out. When a change alters the
output on purpose, record the new checksums with `IGOKG_UPDATE_GOLDEN=1 pytest tests/publish/test_golden.py`
and say why in the commit.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from conftest import EPOCH, ROOT

from igokg.project import Project
from igokg.publish import build_release

GOLDEN = Path(__file__).parent / "golden"
#: Files whose bytes depend on VoID's distribution list.
SKIP = {"void.ttl", "index.html", "SHA256SUMS"}


def _sums(release: Path) -> list[tuple[str, str]]:
    rows = []
    for line in (release / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ", 1)
        if name not in SKIP:
            rows.append((name, digest))
    return rows


def _summary(rows: list[tuple[str, str]]) -> str:
    """Top-level files one per line; each folder as its file count and one digest of its lines."""
    top = [f"{d}  {n}" for n, d in rows if "/" not in n]
    folders: dict[str, list[str]] = {}
    for n, d in rows:
        if "/" in n:
            folders.setdefault(n.split("/", 1)[0], []).append(f"{d}  {n}")
    for name, lines in sorted(folders.items()):
        digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()
        top.append(f"{digest}  {name}/ ({len(lines)} files)")
    return "\n".join(top) + "\n"


def _check(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("IGOKG_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == text, f"release output changed: compare with {path}"


def test_the_project_release_is_byte_identical_to_the_recorded_one(tmp_path):
    release = build_release(Project.discover(ROOT, env=EPOCH, interactive=False).with_out(tmp_path / "dist"))
    _check("project.sha256", "".join(f"{d}  {n}\n" for n, d in _sums(release.out)))


def test_a_generated_10k_release_is_byte_identical_to_the_recorded_one(tmp_path):
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--triples", "10000",
                    "--out", str(tmp_path / "p")], check=True, capture_output=True)
    project = Project.discover(tmp_path / "p", env=EPOCH, interactive=False).with_out(tmp_path / "dist")
    release = build_release(project)
    _check("generated-10k.summary", _summary(_sums(release.out)))
