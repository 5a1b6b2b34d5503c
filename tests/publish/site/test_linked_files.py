"""A rebuild links the site's files that did not change from the release it replaces.

`pages._Files` links a file (a hard link) when the previous release holds the same path with
the same bytes, date and mode; anything else is written. The release is the same either way:
the same bytes, dates and modes as a build into an empty folder.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from igokg.publish.site.pages import _Files

EPOCH = 1_700_000_000


def _release(folder: Path, files: dict[str, bytes], epoch: int = EPOCH) -> Path:
    written = _Files(folder, {}, {}, epoch)
    for rel, data in files.items():
        written.write(rel, "text/html", data)
    return folder


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int, int]]:
    return {p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_mode)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_file_the_same_as_the_previous_releases_is_linked_and_the_others_are_written(tmp_path):
    previous = _release(tmp_path / "previous", {"id/same.html": b"<p>same</p>", "id/changed.html": b"<p>old</p>"})
    before = _snapshot(previous)
    digests: dict[str, str] = {}
    finished: dict[str, int] = {}
    files = _Files(tmp_path / "new", digests, finished, EPOCH, previous)
    for rel, data in (("id/same.html", b"<p>same</p>"), ("id/changed.html", b"<p>new</p>"), ("id/added.html", b"<p>+</p>")):
        files.write(rel, "text/html", data)

    new = tmp_path / "new"
    assert files.linked == 1
    assert (new / "id/same.html").stat().st_ino == (previous / "id/same.html").stat().st_ino
    assert (new / "id/changed.html").stat().st_ino != (previous / "id/changed.html").stat().st_ino
    assert _snapshot(new) == _snapshot(_release(tmp_path / "clean", {
        "id/same.html": b"<p>same</p>", "id/changed.html": b"<p>new</p>", "id/added.html": b"<p>+</p>"}))
    assert digests["id/same.html"] == hashlib.sha256(b"<p>same</p>").hexdigest() and finished["id/same.html"] == 11
    assert [w.path for w in files.written] == ["id/same.html", "id/changed.html", "id/added.html"]
    assert _snapshot(previous) == before  # only read


def test_a_file_of_another_date_or_mode_or_a_link_is_written_not_linked(tmp_path):
    previous = _release(tmp_path / "previous", {"id/dated.html": b"x", "id/mode.html": b"y", "id/real.html": b"z"})
    os.utime(previous / "id/dated.html", (EPOCH - 60, EPOCH - 60))  # a release of another commit
    os.chmod(previous / "id/mode.html", 0o600)
    (previous / "id/link.html").symlink_to(previous / "id/real.html")
    files = _Files(tmp_path / "new", {}, {}, EPOCH, previous)
    for rel, data in (("id/dated.html", b"x"), ("id/mode.html", b"y"), ("id/link.html", b"z")):
        files.write(rel, "text/html", data)
    assert files.linked == 0
    assert all(p.stat().st_nlink == 1 and p.stat().st_mtime_ns == EPOCH * 10**9 for p in (tmp_path / "new/id").iterdir())


@pytest.mark.parametrize("kwargs", [{"previous": None}, {"epoch": None}, {"finished": None}])
def test_without_a_previous_release_or_a_date_every_file_is_written(tmp_path, kwargs):
    previous = _release(tmp_path / "previous", {"id/same.html": b"<p>same</p>"})
    args = {"digests": {}, "finished": {}, "epoch": EPOCH, "previous": previous} | kwargs
    files = _Files(tmp_path / "new", **args)
    files.write("id/same.html", "text/html", b"<p>same</p>")
    assert files.linked == 0 and (tmp_path / "new/id/same.html").stat().st_nlink == 1


@pytest.mark.parametrize("renderers", [1, 2])
def test_a_rebuild_links_the_unchanged_site_and_is_the_release_a_clean_build_writes(project, tmp_path, monkeypatch,
                                                                                   renderers):
    from igokg.publish import build_release
    from igokg.publish.site import pages

    if renderers > 1:  # the article graph's few entities, in forked renderers taking blocks in turn
        monkeypatch.setattr(pages, "PARALLEL_FROM", 1)
        monkeypatch.setattr(pages.os, "sched_getaffinity", lambda _pid: set(range(renderers)))

    first = build_release(project.with_out(tmp_path / "dist"))
    assert first.linked == 0
    again = build_release(project.with_out(tmp_path / "dist"))
    site = [rel for rel in again.files if rel.startswith("id/")]
    assert again.linked >= len(site) > 0  # every entity page and data file, and the unchanged top-level pages
    assert "the same as the last release's, linked from it" in again.summary()
    build_release(project.with_out(tmp_path / "clean"))
    rebuilt, clean = _snapshot(tmp_path / "dist"), _snapshot(tmp_path / "clean")
    assert rebuilt.pop("CHANGES") and rebuilt.pop("SHA256SUMS") and clean.pop("SHA256SUMS")  # a rebuild has CHANGES
    assert rebuilt == clean


def test_a_rebuild_that_fails_leaves_the_previous_release_as_it_was(project, tmp_path):
    from igokg.errors import PublishError
    from igokg.publish import build_release, default_writers

    build_release(project.with_out(tmp_path / "dist"))
    before = _snapshot(tmp_path / "dist")

    def broken(build):  # after the top-level pages (`write_site`): those were linked
        assert any(p.stat().st_nlink > 1 for p in build.out.iterdir() if p.is_file())
        raise OSError(28, "No space left on device")

    with pytest.raises(PublishError, match="left as it was"):
        build_release(project.with_out(tmp_path / "dist"), [*default_writers(), broken])
    assert _snapshot(tmp_path / "dist") == before
    assert all(p.stat().st_nlink == 1 for p in (tmp_path / "dist" / "id").iterdir())  # the staging folder's links are gone
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist"]
