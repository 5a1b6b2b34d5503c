"""N-Triples: the release's main dump (`igokg.nt.gz`), lines sorted, gzip without a timestamp."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Iterable

import pyoxigraph as ox

from igokg.release import DUMP_NAME, Written

__all__ = ["ntriples_lines", "write_ntriples_gz", "write_ntriples_dump"]


def ntriples_lines(triples: Iterable[ox.Triple]) -> list[str]:
    return sorted({f"{t} .\n" for t in triples})


def write_ntriples_gz(triples: Iterable[ox.Triple], path: Path) -> None:
    data = "".join(ntriples_lines(triples)).encode("utf-8")
    # mtime=0 and no file name in the header: the same triples give the same bytes.
    with path.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
        gz.write(data)


def write_ntriples_dump(build) -> list[Written]:
    write_ntriples_gz(build.facts(), build.out / DUMP_NAME)
    return [Written(DUMP_NAME, "application/n-triples", "All facts as N-Triples (sorted, gzip)",
                    distribution=True, compress="application/gzip")]
