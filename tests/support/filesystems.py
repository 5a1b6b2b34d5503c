"""Real file systems that refuse writes, for the tests of what igokg says when a disk says no.

Root ignores folder permissions, so as root these mount a real tmpfs (read-only, or tiny so
that it fills up) and the kernel answers EROFS or ENOSPC, as it would to a user. Without
root, a read-only folder is one without write permission (EACCES); a full disk needs root.
Where mounting is not permitted (a container without CAP_SYS_ADMIN) the test skips and says so.
"""

from __future__ import annotations

import os
import subprocess
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest


def _mount_tmpfs(path: Path, options: str) -> None:
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "igokg-test", str(path)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip() or done.returncode})")


def _umount(path: Path) -> None:
    subprocess.run(["umount", str(path)], check=True, capture_output=True)


@contextmanager
def read_only_folder(path: Path) -> Iterator[Path]:
    """`path`, a folder in which nothing can be created (a read-only tmpfs as root)."""
    if os.geteuid() == 0:
        _mount_tmpfs(path, "ro,size=64k")
        try:
            yield path
        finally:
            _umount(path)
    else:
        path.mkdir(parents=True, exist_ok=True)
        path.chmod(0o555)
        try:
            yield path
        finally:
            path.chmod(0o755)


@contextmanager
def full_disk(path: Path, size: str = "256k") -> Iterator[Path]:
    """`path`, a tmpfs of `size` bytes: writing more fails with ENOSPC (root only)."""
    if os.geteuid() != 0:
        pytest.skip("a full disk needs a small tmpfs, and mounting one needs root")
    _mount_tmpfs(path, f"size={size}")
    try:
        yield path
    finally:
        _umount(path)
