"""The command line maps every failure to one line and an exit code, never a traceback."""

from __future__ import annotations

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
