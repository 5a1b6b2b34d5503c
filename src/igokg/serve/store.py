"""The release in memory, and the clean-up of scratch folders older servers left.

Input: a release folder. Output: an in-memory pyoxigraph store holding the facts and the
ontology in the default graph, and its triple count.

Why in memory: the store is read-only and the release small (1M triples take about
350 MiB), and measured on this machine (docs/serve.md) pyoxigraph's memory store answers
the published queries 1.3–5× faster than its on-disk (RocksDB) store. The supervisor
loads it once and forks the serving processes, which share its pages; a replacement
process is a fork too, ready in milliseconds. Nothing is written to disk, so a killed
server leaves nothing behind.

Servers before this one kept an on-disk store in `/tmp/igokg-serve-*/`, with a `lock` file
held (`flock`) while they lived. `remove_stale` removes the folders whose lock it can take
(their server is gone) and never one whose lock is held; a folder without a lock file is
left alone for a minute.
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


def load_release_store(release: Path) -> tuple[ox.Store, int]:
    """The release's facts and ontology in an in-memory store, and the triple count.

    Everything goes into the default graph, so the published queries run as they are.
    """
    store = ox.Store()
    with gzip.open(release / "igokg.nt.gz", "rb") as fh:
        store.bulk_load(fh, format=ox.RdfFormat.N_TRIPLES)
    path = release / "ontology.ttl"
    if path.is_file():
        with path.open("rb") as fh:
            store.bulk_load(fh, format=ox.RdfFormat.TURTLE, base_iri=ONTOLOGY)
    return store, len(store)


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
