"""The release, loaded into an on-disk store in a scratch folder that serving processes open read-only.

Input: a release folder. Output: `/tmp/igokg-serve-*/store` (a pyoxigraph store holding the
facts and the ontology in the default graph) and the triple count.

Each scratch folder holds a `lock` file that its server keeps locked (`flock`) while it
lives, and its `pid`. A server starting removes the folders whose lock it can take — their
server is gone, killed or crashed — and never one whose lock is held: a live server's store
stays. A folder without a lock file (a server between creating the folder and locking it,
or a version before the lock) is left alone for a minute.
"""

from __future__ import annotations

import fcntl
import gzip
import os
import shutil
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from igokg.namespaces import ONTOLOGY

PREFIX = "igokg-serve-"


def load_release_store(release: Path, location: Path) -> int:
    """Bulk-load the release's facts and ontology into an on-disk store; the triple count.

    Everything goes into the default graph, so the published queries run as they are.
    """
    store = ox.Store(str(location))
    with gzip.open(release / "igokg.nt.gz", "rb") as fh:
        store.bulk_load(fh, format=ox.RdfFormat.N_TRIPLES)
    path = release / "ontology.ttl"
    if path.is_file():
        with path.open("rb") as fh:
            store.bulk_load(fh, format=ox.RdfFormat.TURTLE, base_iri=ONTOLOGY)
    store.optimize()
    count = len(store)
    store.flush()
    del store
    return count


class Scratch:
    """This server's scratch folder, locked for as long as the object lives."""

    def __init__(self, parent: Path | None = None) -> None:
        self.path = Path(tempfile.mkdtemp(prefix=PREFIX, dir=parent))
        # Locked under a temporary name, then renamed: a file called `lock` is never unlocked
        # while its server lives, so another server's clean-up cannot take it in between.
        self._fd: int | None = os.open(self.path / "lock.new", os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.rename(self.path / "lock.new", self.path / "lock")
        (self.path / "pid").write_text(f"{os.getpid()}\n", encoding="ascii")

    @property
    def store(self) -> Path:
        return self.path / "store"

    def forget_lock(self) -> None:
        """In a forked child: close our copy of the lock (the parent keeps it held)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        self.forget_lock()


def remove_stale(parent: Path | None = None, grace: float = 60.0) -> list[Path]:
    """Remove the scratch folders of servers that are gone; the folders removed."""
    removed = []
    root = Path(parent or tempfile.gettempdir())
    for folder in sorted(root.glob(PREFIX + "*")):
        try:
            if not folder.is_dir() or folder.is_symlink():
                continue
            lock = folder / "lock"
            if not lock.is_file():
                if time.time() - folder.stat().st_mtime > grace:
                    shutil.rmtree(folder, ignore_errors=True)
                    removed.append(folder)
                continue
            fd = os.open(lock, os.O_RDWR)
        except OSError:
            continue  # someone else's folder, or gone meanwhile
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # held: a live server
        finally:
            os.close(fd)  # (closing also releases the lock we may just have taken)
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed
