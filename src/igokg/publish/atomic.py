"""Publishing is atomic: a release is written beside its place and swapped in in one step.

Everything is written into a temporary sibling folder, which then takes the release's place
in one rename (an exchange, `renameat2(RENAME_EXCHANGE)`, where Linux offers it). A failed or
interrupted build removes its temporary folder and leaves the last good release as it was.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from igokg.errors import PublishError

__all__ = ["staging_folder", "swap_into_place"]


@contextmanager
def staging_folder(out: Path) -> Iterator[Path]:
    """A fresh folder beside `out`, readable like a release, removed on the way out."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)  # mkdtemp makes it private; a release is meant to be read
    try:
        yield tmp
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


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


def swap_into_place(tmp: Path, out: Path) -> None:
    """Put `tmp` where `out` is. After this, `tmp` holds the old release (or nothing)."""
    if out.exists() and not out.is_dir():
        raise PublishError(f"{out} exists and is not a folder; refusing to replace it")
    if not out.exists():
        os.rename(tmp, out)
        return
    if _exchange(tmp, out):
        return  # tmp now holds the previous release; the caller removes it
    # No atomic exchange: two renames, with a window in which `out` is missing but never partial.
    old = out.with_name(f".{out.name}.old-{os.getpid()}")
    os.rename(out, old)
    try:
        os.rename(tmp, out)
    except OSError:
        os.rename(old, out)
        raise
    os.rename(old, tmp)
