"""Publishing is atomic: a release is written beside its place and swapped in in one step.

Input: the release folder's path. Output: a staging folder to write into, then the release.

Everything is written into a temporary sibling folder, `.<name>.tmp-<random>`, which then
takes the release's place in one rename (an exchange, `renameat2(RENAME_EXCHANGE)`, where
Linux offers it). A failed or interrupted build removes its temporary folder and leaves the
last good release as it was.

A build that dies before it can clean up (SIGKILL, a power cut) leaves its folder behind, so
builds sweep up stale folders of their own naming — and only stale ones:

- a build holds an exclusive `flock` on its staging folder (on the folder itself, so that
  nothing extra lands in the release) for as long as it lives; the kernel drops the lock
  when the process ends, however it ends;
- before it makes its own folder, a build removes each `.<name>.tmp-*` beside the release
  whose lock it can take: nobody alive holds it. A folder whose lock is held (a live build)
  or cannot be tested (a file system without locks) is left alone;
- the sweep and the making-and-locking of a new folder run under a lock on the parent
  folder, so no sweep sees a folder between its creation and its lock.

SIGTERM and SIGHUP raise `Terminated` while a staging folder exists (unless the program
already handles them), so that the folder is removed on the way out, as it is on Ctrl-C.

After the swap the staging folder holds the previous release. A small one is removed before
the build returns. A large one (when the release has `BACKGROUND_FROM` files or more: the full
graph's 237,000 took 10–40 s to remove, most of it waiting for the disk) is handed to a process of its own that
removes it after the build has returned: the new release is in place already, and the folder
(`.<name>.tmp-<random>`, hidden beside the release) stays locked until the remover is done,
so a build started meanwhile leaves it alone; a remover that dies (killed, a reboot) leaves an
unlocked folder that the next build sweeps, like any other stale folder.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Container, Iterator
from contextlib import contextmanager
from pathlib import Path

from igokg.errors import PublishError, explain_os_error
from igokg.release import SUMS_NAME
from igokg.signals import stop_signals_raise

__all__ = ["BACKGROUND_FROM", "clamp_mtimes", "current_umask", "staging_folder", "swap_into_place", "sweep_stale"]


def current_umask() -> int:
    """This process's umask, read without changing it where Linux tells it (/proc): setting it
    to read it back would, for that instant, apply to files other threads create."""
    try:
        with open("/proc/self/status", "rb") as fh:
            for line in fh:
                if line.startswith(b"Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _tmp_prefix(out: Path) -> str:
    return f".{out.name}.tmp-"


def _old_prefix(out: Path) -> str:
    return f".{out.name}.old-"


#: From this many files in the folder left after the swap (the previous release), it is removed by
#: a background process (`_remove_later`) instead of before the build returns.
BACKGROUND_FROM = 20_000

#: Folders that hold a previous release after a swap (path -> an fd locking it), until removed.
_SWAPPED_OUT: dict[str, int] = {}

#: The background removers this process started (reaped when done, so none stays a zombie).
_REMOVERS: list[subprocess.Popen] = []

# The remover: removes the folder given; the lock it inherits is held until it exits.
_REMOVER = "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)"


@contextmanager
def staging_folder(out: Path, files: list[int] | None = None) -> Iterator[Path]:
    """A fresh, locked folder beside `out`, readable like a release, removed on the way out.

    `files`, when the caller fills it in (one number: how many files the release has), lets a
    large folder be removed in the background once it is no longer the release being written
    (after the swap it holds the previous one)."""
    _reap_removers()
    check_replaceable(out)
    parent = _make_parent(out)
    with stop_signals_raise():
        with _locked_dir(parent):
            sweep_stale(out)
            try:
                tmp = Path(tempfile.mkdtemp(prefix=_tmp_prefix(out), dir=parent))
            except OSError as exc:
                raise PublishError(f"cannot write the release {out}: {explain_os_error(exc)}") from None
            lock = _try_lock(tmp)
        try:
            tmp.chmod(0o777 & ~current_umask())  # mkdtemp makes it private; a release is meant to be read
            yield tmp
        finally:
            # After a swap, `tmp` is the previous release: another folder, locked by the swap.
            held = _SWAPPED_OUT.pop(os.path.abspath(tmp), None)
            try:
                if tmp.exists() and not (files and files[0] >= BACKGROUND_FROM and held is not None
                                         and _remove_later(tmp, held)):
                    shutil.rmtree(tmp, ignore_errors=True)
            finally:
                for fd in (lock, held):
                    if fd is not None:
                        os.close(fd)


def _remove_later(folder: Path, lock: int) -> bool:
    """Start a process that removes `folder` and holds its lock (`lock`, inherited) until done;
    False if it could not be started (then the caller removes the folder itself).

    The process is in a session of its own (a Ctrl-C in the terminal does not stop it half-way,
    and the terminal's job control does not wait for it), with no standard streams of ours (a
    caller reading our output is not kept waiting), and it is a fresh interpreter, not a fork
    (the build's memory is freed when the build ends)."""
    try:
        proc = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", _REMOVER, os.path.abspath(folder)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            pass_fds=(lock,), start_new_session=True, cwd="/",
        )
    except OSError:
        return False
    _REMOVERS.append(proc)
    return True


def _reap_removers() -> None:
    """Forget the background removers that have finished (their exit status collected)."""
    _REMOVERS[:] = [p for p in _REMOVERS if p.poll() is None]


def wait_for_removers(timeout: float | None = None) -> None:
    """Wait until the background removers this process started are done (tests, benchmarks)."""
    for proc in _REMOVERS:
        proc.wait(timeout)
    _reap_removers()


def sweep_stale(out: Path) -> list[Path]:
    """Remove the temporary folders beside `out` that no live process holds; return them.

    A left-over `.<name>.old-*` (a swap without `renameat2` that died half-way) is the last
    good release: it goes back into place if `out` is missing, and is removed otherwise.
    """
    removed: list[Path] = []
    try:
        names = sorted(os.listdir(out.parent))
    except OSError:
        return removed
    for name in names:
        is_tmp, is_old = name.startswith(_tmp_prefix(out)), name.startswith(_old_prefix(out))
        if not (is_tmp or is_old):
            continue
        path = out.parent / name
        fd = _try_lock(path)
        if fd is None:
            continue  # alive, not a folder, or untestable: never touch it
        try:
            if is_old and not out.exists():
                os.rename(path, out)
            else:
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
        except OSError:
            pass
        finally:
            os.close(fd)
    return removed


def _make_parent(out: Path) -> Path:
    """`out`'s parent, created if missing; a file in the way is named, not a traceback."""
    parent = out.parent
    for ancestor in (parent, *parent.parents):
        if ancestor.exists() or ancestor.is_symlink():
            if not ancestor.is_dir():
                raise PublishError(f"cannot write the release {out}: {ancestor} is a file, not a folder; choose another --out")
            break
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PublishError(f"cannot write the release {out}: {explain_os_error(exc)}") from None
    return parent


def _try_lock(path: Path) -> int | None:
    """An fd holding an exclusive lock on the folder `path`, or None if it is held or cannot be had."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


@contextmanager
def _locked_dir(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on a folder (waiting for it); where locks are not supported, go on."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        yield
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError as exc:
            if exc.errno not in (errno.ENOLCK, errno.EOPNOTSUPP, errno.EBADF, errno.EINVAL):
                raise
        yield
    finally:
        os.close(fd)


def clamp_mtimes(folder: Path, epoch: int | None, skip: Container[str] = ()) -> None:
    """Set every file's and folder's mtime to at most `epoch` (SOURCE_DATE_EPOCH), deepest first.

    The release then looks the same on disk however late it was built (Last-Modified, tar, rsync).
    `skip`: files (POSIX names relative to `folder`) dated already by their writer.
    """
    if epoch is None:
        return
    root = os.fspath(folder)

    def walk(path: str, prefix: str) -> None:
        with os.scandir(path) as entries:
            found = list(entries)
        for entry in found:
            if entry.is_dir(follow_symlinks=False):
                walk(entry.path, f"{prefix}{entry.name}/")
                _clamp(entry.path, epoch)
            elif prefix + entry.name not in skip:
                _clamp(entry.path, epoch)

    walk(root, "")
    _clamp(root, epoch)


def _clamp(path: str, epoch: int) -> None:
    st = os.stat(path, follow_symlinks=False)
    if st.st_mtime > epoch:
        os.utime(path, (epoch, epoch), follow_symlinks=False)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2); False where the system cannot."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    rc = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return rc == 0


def check_replaceable(out: Path) -> None:
    """Refuse to replace anything but a release (or an empty folder): `--out data` must not eat data/."""
    if not (out.exists() or out.is_symlink()):
        return
    if not out.is_dir():
        raise PublishError(f"{out} exists and is not a folder; refusing to replace it")
    if (out / SUMS_NAME).is_file():
        return
    try:
        empty = not any(out.iterdir())
    except OSError as exc:
        raise PublishError(f"cannot read {out}: {explain_os_error(exc)}") from None
    if not empty:
        raise PublishError(
            f"{out} is a folder that is not an igokg release (no {SUMS_NAME}); refusing to replace it: "
            "choose a new or empty folder with --out"
        )


def swap_into_place(tmp: Path, out: Path) -> None:
    """Put `tmp` where `out` is. After this, `tmp` holds the old release (or nothing).

    Under the parent folder's lock, so that no sweep runs while a release is half-swapped.
    """
    check_replaceable(out)
    with _locked_dir(out.parent):
        _swap(tmp, out)
        # The lock of the staging folder went with it (a lock is on the folder, not its name):
        # what is left at `tmp` now, the previous release, is locked before any sweep can see it.
        if tmp.exists():
            fd = _try_lock(tmp)
            if fd is not None:
                _SWAPPED_OUT[os.path.abspath(tmp)] = fd


def _swap(tmp: Path, out: Path) -> None:
    if not out.exists():
        os.rename(tmp, out)
        return
    if _exchange(tmp, out):
        return  # tmp now holds the previous release; the caller removes it
    # No atomic exchange: two renames, with a window in which `out` is missing but never partial.
    # A build killed inside that window leaves `.<name>.old-<pid>`; the next sweep puts it back.
    old = out.with_name(f"{_old_prefix(out)}{os.getpid()}")
    os.rename(out, old)
    try:
        os.rename(tmp, out)
    except OSError:
        os.rename(old, out)
        raise
    os.rename(old, tmp)
