"""`checks.SourceFiles`: the files the sources name, found inside the project and read once."""

from __future__ import annotations

import os
from pathlib import Path

from igokg.validate.checks import SourceFiles


def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "seeds").mkdir(parents=True)
    (root / "seeds" / "a.txt").write_bytes(b"first line\r\nsecond line\rthird\n")
    (tmp_path / "outside.txt").write_text("a secret\n", encoding="utf-8")
    return root


def test_a_file_in_the_project_is_read_with_universal_newlines(tmp_path):
    files = SourceFiles(project(tmp_path))
    assert files.data("seeds/a.txt") == b"first line\r\nsecond line\rthird\n"  # hashed as it is
    assert files.text("seeds/a.txt") == "first line\nsecond line\nthird\n"  # searched as Python reads text


def test_paths_and_links_that_leave_the_project_are_not_read(tmp_path):
    root = project(tmp_path)
    os.symlink(tmp_path / "outside.txt", root / "seeds" / "link.txt")
    os.symlink(tmp_path, root / "up")
    files = SourceFiles(root)
    assert files.data("seeds/link.txt") is None
    assert files.data("seeds/../../outside.txt") is None
    assert files.data("up/outside.txt") is None
    assert files.data("seeds/missing.txt") is None and files.data("seeds") is None
    assert files.text("seeds/link.txt") is None


def test_a_link_inside_the_project_is_followed(tmp_path):
    root = project(tmp_path)
    os.symlink(root / "seeds" / "a.txt", root / "seeds" / "b.txt")
    assert SourceFiles(root).data("seeds/b.txt") == (root / "seeds" / "a.txt").read_bytes()


def test_each_file_is_read_once_for_both_checks(tmp_path):
    root = project(tmp_path)
    files = SourceFiles(root)
    data = files.data("seeds/a.txt")
    (root / "seeds" / "a.txt").unlink()  # the quote check reads what the digest check read
    assert files.data("seeds/a.txt") == data and files.text("seeds/a.txt").startswith("first line\n")


def test_a_file_that_is_not_utf8_has_no_text(tmp_path):
    root = project(tmp_path)
    (root / "seeds" / "latin.txt").write_bytes("caf\u00e9".encode("latin-1"))
    files = SourceFiles(root)
    assert files.data("seeds/latin.txt") == b"caf\xe9" and files.text("seeds/latin.txt") is None
