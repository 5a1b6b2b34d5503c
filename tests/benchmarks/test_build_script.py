"""The build benchmark's real-data row stops clearly without the pinned files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "build.py"


@pytest.mark.skipif((ROOT / ".cache" / "sources").is_dir(), reason="this clone has fetched the pinned files (.cache/sources)")
def test_the_real_row_without_the_pinned_files_stops_with_one_line_naming_how_to_supply_them(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "IGOKG_SOURCE_MIRROR": str(tmp_path / "empty-mirror")}
    (tmp_path / "empty-mirror").mkdir()
    run = subprocess.run([sys.executable, str(SCRIPT), "--real"], env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode != 0 and "Traceback" not in run.stderr
    first = run.stderr.strip().splitlines()[0]
    assert first.startswith("--real needs the pinned files: source cow-igo-v3:")
    assert "IGOKG_SOURCE_MIRROR" in run.stderr

