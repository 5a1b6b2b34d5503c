"""A release folder, as publish writes it and every consumer reads it.

This is the contract between the publish stage and its consumers (serve, wikidata, push):
the names of the files they rely on, how a writer says what it wrote (`Written`), and how
to read the release's checksums (`SHA256SUMS`). Consumers
import this module, never `igokg.publish`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

__all__ = [
    "Written",
    "Writer",
    "DUMP_NAME",
    "VOID_NAME",
    "SUMS_NAME",
    "CHANGES_NAME",
    "ONTOLOGY_NAME",
    "SEARCH_NAME",
    "SEARCH_INDEX_JS",
    "SEARCH_SCHEMA",
    "sha256_file",
    "read_sums",
]

#: All facts, N-Triples, lines sorted, gzip: the dump that push loads and serve indexes.
DUMP_NAME = "igokg.nt.gz"
#: VoID + DCAT description of the release.
VOID_NAME = "void.ttl"
#: `sha256sum -c` compatible checksums of every other file.
SUMS_NAME = "SHA256SUMS"
CHANGES_NAME = "CHANGES"
ONTOLOGY_NAME = "ontology.ttl"
#: The search index: names, abbreviations and other labels of every named entity (SQLite FTS5).
SEARCH_NAME = "search.sqlite"
#: The same entries as a script for the static site's search box (works without a server).
SEARCH_INDEX_JS = "search-index.js"
#: The index's one table. Columns in bm25 order: name, abbreviations, labels, kind; `iri`
#: and `slug` are stored, not indexed. Unicode-aware tokens, diacritics folded, prefix
#: indexes for search-as-you-type.
SEARCH_SCHEMA = """
CREATE VIRTUAL TABLE names USING fts5(
    name, abbreviations, labels, kind, iri UNINDEXED, slug UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3'
);
"""


@dataclass(frozen=True)
class Written:
    """One file a release writer wrote, as it describes it.

    `path` is relative to the release folder (POSIX). A file that is a `distribution` is
    listed in VoID/DCAT with its title, media type, size and checksum; every file, whatever
    it is, is listed in SHA256SUMS. `compress` is the IANA media type of the compression
    (`application/gzip`) when the bytes are compressed `media_type`.
    """

    path: str
    media_type: str
    title: str = ""
    distribution: bool = False
    compress: str | None = None


#: A release writer: called with the build in progress (`build.sources`, `build.out`, what
#: `build.written` so far), it writes files into `build.out` and returns what it wrote.
Writer = Callable[[Any], "list[Written]"]


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_sums(release: Path) -> dict[str, str]:
    """`name -> sha256` from a release's SHA256SUMS (empty when there is none)."""
    sums: dict[str, str] = {}
    try:
        lines = (Path(release) / SUMS_NAME).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return sums
    for line in lines:
        digest, sep, name = line.partition("  ")
        if sep and len(digest) == 64:
            sums[name] = digest
    return sums

