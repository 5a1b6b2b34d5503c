"""The command line maps every failure to one line and an exit code, never a traceback."""

from __future__ import annotations

import pytest
from support.filesystems import read_only_folder

from igokg.cli import main


def test_export_panels_where_it_cannot_write_is_a_one_line_error(project, tmp_path, capsys):
    (tmp_path / "a-file").write_text("")
    with read_only_folder(tmp_path / "ro") as ro:
        for out in (ro / "exports", tmp_path / "a-file"):
            code = main(["--root", str(project.root), "export", "panels", "--out", str(out)])
            captured = capsys.readouterr()
            assert code == 2 and captured.out == ""
            assert captured.err.startswith("igokg: ") and captured.err.count("\n") == 1, captured.err
            assert "Traceback" not in captured.err and str(out.parent) in captured.err


def test_version_is_the_installed_one_and_the_import_pulls_no_heavy_module(capsys):
    """`igokg --version` prints the version pyproject.toml gives the package (read from
    igokg.__version__); importing the build needs neither importlib.metadata's lookup nor
    numpy (COW's agreement imports it when it runs): each cost every command 50-70 ms."""
    import importlib.metadata
    import subprocess
    import sys

    import igokg

    assert importlib.metadata.version("igokg") == igokg.__version__
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0 and capsys.readouterr().out.strip() == f"igokg {igokg.__version__}"
    code = "import sys; import igokg.publish; print(sorted(m for m in ('numpy', 'pandas') if m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "[]"
