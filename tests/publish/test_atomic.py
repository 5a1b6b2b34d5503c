"""Builds clean up after themselves: killed builds' folders are swept, live builds' never are.

The builds here are real `igokg build`s in their own processes, held at one point by an
extra writer that waits for a line on stdin, so that a signal or a concurrent build arrives
while the staging folder exists — not by luck of timing.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import EPOCH

from igokg.cli import main
from igokg.project import Project
from igokg.publish import build_release
from igokg.publish.atomic import staging_folder, sweep_stale
from igokg.release import SUMS_NAME

# `igokg build` with one more writer at the end, which says where it writes and waits.
_HELD_BUILD = textwrap.dedent(
    """
    import signal
    import sys
    import igokg.cli as cli

    # As from a terminal: a suite run under nohup ignores hangups, and the build would keep to that.
    signal.signal(signal.SIGHUP, signal.SIG_DFL)

    def hold(build):
        print(build.out, flush=True)
        sys.stdin.readline()
        return []

    everything = cli.release_writers
    cli.release_writers = lambda: everything() + [hold]
    raise SystemExit(cli.main(sys.argv[1:]))
    """
)


class HeldBuild:
    """`igokg build --out OUT` in a child process, held inside its staging folder."""

    def __init__(self, root: Path, out: Path) -> None:
        env = {**os.environ, **EPOCH, "IGOKG_ROOT": str(root)}
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _HELD_BUILD, "build", "--out", str(out)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        )
        line = self.proc.stdout.readline().strip()
        if not line:
            self.proc.kill()
            raise AssertionError(f"the build did not reach its staging folder: {self.proc.stderr.read()}")
        self.staging = Path(line)

    def release(self) -> tuple[int, str]:
        _out, err = self.proc.communicate("go\n", timeout=120)
        return self.proc.returncode, err

    def signal(self, signum: int) -> tuple[int, str]:
        self.proc.send_signal(signum)
        _out, err = self.proc.communicate(timeout=60)
        return self.proc.returncode, err


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _litter(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if ".tmp-" in p.name or ".old-" in p.name)


def test_a_sigkilled_builds_folder_is_removed_by_the_next_build(tmp_path, project):
    out = tmp_path / "dist"
    held = HeldBuild(project.root, out)
    assert held.staging.parent == tmp_path and held.staging.name.startswith(".dist.tmp-")
    assert held.signal(signal.SIGKILL)[0] == -signal.SIGKILL
    assert _litter(tmp_path) == [held.staging.name]  # the litter of issue 15

    build_release(project.with_out(out))
    assert _litter(tmp_path) == []
    assert (out / SUMS_NAME).is_file()


def test_a_live_builds_folder_survives_a_concurrent_build(tmp_path, project):
    out = tmp_path / "dist"
    held = HeldBuild(project.root, out)
    build_release(project.with_out(out))  # sweeps while the held build is inside its folder
    assert held.staging.is_dir() and (held.staging / "igokg.nt.gz").is_file()
    code, err = held.release()
    assert code == 0, err
    assert _litter(tmp_path) == []
    assert "igokg.nt.gz" in _snapshot(out)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_terminated_build_removes_its_folder_and_keeps_the_last_release(tmp_path, project, signum):
    out = tmp_path / "dist"
    build_release(project.with_out(out))
    before = _snapshot(out)
    held = HeldBuild(project.root, out)
    code, err = held.signal(signum)
    assert code == 128 + signum
    assert err == f"igokg: stopped by signal {signum}; what was half-written was removed\n"
    assert _litter(tmp_path) == []
    assert _snapshot(out) == before


def test_a_folder_in_use_is_not_swept_and_a_released_one_is(tmp_path):
    out = tmp_path / "dist"
    with staging_folder(out) as tmp:
        (tmp / "half").write_text("in progress")
        assert sweep_stale(out) == []  # our own lock holds
        assert tmp.is_dir()
    stale = tmp_path / ".dist.tmp-left"
    stale.mkdir()
    (stale / "half").write_text("from a build that died")
    other = tmp_path / ".other.tmp-x"  # another release's folder: not ours to judge
    other.mkdir()
    assert sweep_stale(out) == [stale]
    assert not stale.exists() and other.is_dir()


def test_an_old_release_left_by_an_interrupted_swap_is_put_back(tmp_path):
    out = tmp_path / "dist"
    old = tmp_path / ".dist.old-4242"
    old.mkdir()
    (old / SUMS_NAME).write_text("")
    sweep_stale(out)
    assert (out / SUMS_NAME).is_file() and not old.exists()


def test_every_file_and_folder_of_the_release_is_dated_source_date_epoch(tmp_path, project):
    out = tmp_path / "dist"
    build_release(project.with_out(out))
    epoch = int(EPOCH["SOURCE_DATE_EPOCH"])
    paths = [out, *out.rglob("*")]
    assert len(paths) > 50
    assert {p.relative_to(out).as_posix() for p in paths if p.lstat().st_mtime != epoch} == set()


def test_mtimes_are_clamped_not_moved_forward(tmp_path, project_copy):
    future = 4_102_444_800  # 2100-01-01: files written now are older, and keep their time
    project = Project.discover(project_copy, env={"SOURCE_DATE_EPOCH": str(future), "IGOKG_SKIP_SOURCES": "all"}, interactive=False)
    build_release(project.with_out(tmp_path / "dist"))
    assert all(p.stat().st_mtime < future for p in (tmp_path / "dist").rglob("*"))


def test_a_folder_that_is_not_a_release_is_never_replaced(tmp_path, project, capsys):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("precious")
    code = main(["--root", str(project.root), "build", "--out", str(mine)])
    err = capsys.readouterr().err
    assert code == 2
    assert err == (f"igokg: {mine} is a folder that is not an igokg release (no SHA256SUMS); refusing to replace it: "
                   "choose a new or empty folder with --out\n")
    assert [p.name for p in mine.iterdir()] == ["notes.txt"] and _litter(tmp_path) == []


# --------------------------------------------------------------------------- the previous release, removed in the background

# `igokg build` whose previous release goes to a background remover that only says who it is and
# waits (it holds the folder's lock and removes nothing), as a remover stopped half-way would.
_SLOW_REMOVER_BUILD = textwrap.dedent(
    """
    import sys
    import igokg.cli as cli
    from igokg.publish import atomic

    atomic.BACKGROUND_FROM = 1
    atomic._REMOVER = "import os, sys, time; print(os.getpid(), file=open(%r, 'w'), flush=True); time.sleep(120)"
    raise SystemExit(cli.main(sys.argv[1:]))
    """
)


def _wait_until(check, timeout: float = 30.0) -> bool:
    import time

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.05)
    return check()


def test_a_large_previous_release_is_removed_in_the_background_after_the_build_returns(tmp_path, project, monkeypatch):
    from igokg.publish import atomic

    out = tmp_path / "dist"
    build_release(project.with_out(out))
    before = _snapshot(out)
    monkeypatch.setattr(atomic, "BACKGROUND_FROM", 1)
    build_release(project.with_out(out))
    assert len(atomic._REMOVERS) == 1  # the previous release went to a remover, not removed here
    atomic.wait_for_removers(60)
    assert _litter(tmp_path) == [] and atomic._REMOVERS == []
    after = _snapshot(out)  # the same input: the same release, complete, and now CHANGES against the first
    assert set(after) == set(before) | {"CHANGES"}
    assert {k: v for k, v in after.items() if k not in ("CHANGES", SUMS_NAME)} == {
        k: v for k, v in before.items() if k != SUMS_NAME}


def test_a_live_removers_folder_is_left_alone_and_a_killed_ones_is_swept(tmp_path, project):
    out = tmp_path / "dist"
    build_release(project.with_out(out))
    pid_file = tmp_path / "remover.pid"
    env = {**os.environ, **EPOCH, "IGOKG_ROOT": str(project.root)}
    # The build's output is read to its end: the remover must not hold the build's pipes open.
    done = subprocess.run([sys.executable, "-c", _SLOW_REMOVER_BUILD % str(pid_file), "build", "--out", str(out)], check=False,
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (out / SUMS_NAME).is_file()
    assert _wait_until(lambda: pid_file.is_file() and pid_file.read_text().strip())
    pid = int(pid_file.read_text())
    [left] = _litter(tmp_path)  # the previous release, hidden beside the new one while it is removed
    assert left.startswith(".dist.tmp-")
    assert sweep_stale(out) == [] and (tmp_path / left).is_dir()  # its remover is alive: not touched
    os.kill(pid, signal.SIGKILL)  # a remover that dies (killed, a reboot) leaves the folder unlocked
    assert _wait_until(lambda: sweep_stale(out) == [tmp_path / left])
    assert _litter(tmp_path) == [] and (out / SUMS_NAME).is_file()
