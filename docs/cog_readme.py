"""Helpers for the README's generated parts (cog): run the real commands, print what they print.

`cog -r -I docs README.md` regenerates the README's command outputs; `tests/test_readme.py`
runs `cog --check -I docs README.md`, so they cannot drift from what the commands do. The
release is built once per cog run, into a temporary folder, by `igokg build` itself.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import cog

ROOT = Path(__file__).resolve().parent.parent
_tmp = Path(tempfile.mkdtemp(prefix="igokg-readme-"))
atexit.register(shutil.rmtree, _tmp, True)
_built: dict[str, str] = {}


def _env() -> dict[str, str]:
    # The article release (--skip-source all): the README says so. With the datasets a build takes
    # minutes (the site writes a page per entity), and its figures are in docs/datasets.md.
    return dict(os.environ, PYTHONPATH=str(ROOT / "src"), COLUMNS="120", IGOKG_SKIP_SOURCES="all")


def _run(args: list[str], cwd: Path = ROOT) -> str:
    proc = subprocess.run(args, cwd=cwd, env=_env(), capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return proc.stdout


def release() -> Path:
    """`igokg build` into a temporary `dist`, once."""
    if not _built:
        out = _tmp / "dist"
        _built["stdout"] = _run([sys.executable, "-m", "igokg", "--root", str(ROOT), "build", "--out", str(out)])
        _built["dist"] = str(out)
    return Path(_built["dist"])


def _block(command: str, output: str, lang: str = "console") -> None:
    cog.outl(f"```{lang}")
    cog.outl(f"$ {command}")
    cog.out(output if output.endswith("\n") else output + "\n")
    cog.outl("```")


def build() -> None:
    """The first lines of `igokg build`'s summary, and its last (the file list is in docs/commands.md)."""
    release()
    lines = _built["stdout"].replace(str(_tmp / "dist"), str(ROOT / "dist")).replace(str(ROOT) + "/", "").splitlines()
    head = lines[:3]
    tail = [line for line in lines[3:] if not line.startswith("    ") and "sha256:" not in line]
    _block("igokg build", "\n".join(head + ["  …"] + tail))


def serve() -> None:
    """What `igokg serve` prints once it answers (the same function, on the same release)."""
    sys.path.insert(0, str(ROOT / "src"))
    from igokg.cli import serve_banner
    from igokg.serve import load_release_store

    _store, triples = load_release_store(release())
    _block("igokg serve", serve_banner("dist", triples, "http://127.0.0.1:8000/"))


def counts() -> tuple[int, int]:
    """(facts in the release, facts + ontology served)."""
    sys.path.insert(0, str(ROOT / "src"))
    from igokg.serve import load_release_store

    facts = int(_built["stdout"].splitlines()[1].split()[0]) if release() else 0
    return facts, load_release_store(release())[1]


def query(text: str, shown: str | None = None, width: int = 110, rows: int | None = None) -> None:
    """`igokg query` on the project, its table cut to `width` columns (and `rows` rows)."""
    out = _run([sys.executable, "-m", "igokg", "--root", str(ROOT), "query", textwrap.dedent(text).strip()])
    lines = out.splitlines()
    if rows is not None and len(lines) > rows + 3:
        lines = lines[: rows + 2] + ["…"] + lines[-1:]
    lines = [line if len(line) <= width else line[: width - 1] + "…" for line in lines]
    _block(shown or "igokg query '" + textwrap.dedent(text).strip().replace("\n", "\n  ") + "'", "\n".join(lines))


def python(code: str) -> None:
    """A Python snippet, run with the release as `dist/` in its folder, and what it prints."""
    release()
    folder = _tmp / "py"
    folder.mkdir(exist_ok=True)
    if not (folder / "dist").exists():
        (folder / "dist").symlink_to(release())
    code = textwrap.dedent(code).strip() + "\n"
    out = _run([sys.executable, "-c", code], cwd=folder)
    cog.outl("```python")
    cog.out(code)
    cog.outl("```")
    cog.outl("```text")
    cog.out(out)
    cog.outl("```")
