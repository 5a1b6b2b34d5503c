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
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from igokg.errors import PublishError, explain_os_error
from igokg.release import SUMS_NAME
from igokg.signals import stop_signals_raise

__all__ = ["staging_folder", "swap_into_place", "sweep_stale", "clamp_mtimes"]

def _tmp_prefix(out: Path) -> str:
    return f".{out.name}.tmp-"


def _old_prefix(out: Path) -> str:
    return f".{out.name}.old-"


@contextmanager
def staging_folder(out: Path) -> Iterator[Path]:
    """A fresh, locked folder beside `out`, readable like a release, removed on the way out."""
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
            umask = os.umask(0)
            os.umask(umask)
            tmp.chmod(0o777 & ~umask)  # mkdtemp makes it private; a release is meant to be read
            yield tmp
        finally:
            try:
                if tmp.exists():
                    shutil.rmtree(tmp, ignore_errors=True)
            finally:
                if lock is not None:
                    os.close(lock)


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


def clamp_mtimes(folder: Path, epoch: int | None) -> None:
    """Set every file's and folder's mtime to at most `epoch` (SOURCE_DATE_EPOCH), deepest first.

    The release then looks the same on disk however late it was built (Last-Modified, tar, rsync).
    """
    if epoch is None:
        return
    for dirpath, dirnames, filenames in os.walk(folder, topdown=False):
        for name in [*filenames, *dirnames]:
            _clamp(os.path.join(dirpath, name), epoch)
    _clamp(str(folder), epoch)


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
