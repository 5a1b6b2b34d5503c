"""Search over names, abbreviations and other labels: the release's full-text index, read.

Input: the release's `search.sqlite` (written by `publish/writers/search.py`; schema in
`igokg.release.SEARCH_SCHEMA`) and what a user typed. Output: ranked hits.

Ranking: FTS5 finds the entities with every typed word (or word start: "Collective Secur"),
bm25 weighs where they matched (name > abbreviation > other labels > class name); then an
exact name or abbreviation ("CSTO", "ОДКБ", compared case-folded) comes first, a name that
starts with the query next. At the dataset's size (thousands of entities) a query takes well
under a millisecond; the index is opened read-only, one connection per thread.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

from igokg.release import SEARCH_NAME

_WORD = re.compile(r"\w+", re.UNICODE)
MAX_QUERY = 200  # characters; a longer query is cut
MAX_WORDS = 12
CANDIDATES = 200  # best by bm25, re-ranked


@dataclass(frozen=True)
class Hit:
    iri: str
    slug: str
    name: str
    kind: str
    abbreviations: list[str]
    labels: list[str]
    href: str

    def as_json(self) -> dict:
        return asdict(self)


def _norm(text: str) -> str:
    """Words, case-folded, one space apart: how a name and a query are compared."""
    return " ".join(_WORD.findall(text)).casefold()


def match_expression(text: str) -> str | None:
    """FTS5 query: every word as a prefix (`"collective"* "secur"*`), or None when nothing to look for."""
    words = _WORD.findall(text[:MAX_QUERY])[:MAX_WORDS]
    return " ".join(f'"{w}"*' for w in words) if words else None


class SearchIndex:
    def __init__(self, release: Path) -> None:
        self.path = Path(release) / SEARCH_NAME
        self._local = threading.local()

    @property
    def available(self) -> bool:
        return self.path.is_file()

    def _connection(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(f"file:{self.path}?mode=ro&immutable=1", uri=True)
            self._local.con = con
        return con

    def search(self, text: str, limit: int = 20) -> list[Hit]:
        expr = match_expression(text)
        if expr is None:
            return []
        rows = self._connection().execute(
            "SELECT iri, slug, name, abbreviations, labels, kind, bm25(names, 10.0, 8.0, 3.0, 0.5) AS score "
            "FROM names WHERE names MATCH ? ORDER BY score LIMIT ?", (expr, CANDIDATES)).fetchall()
        wanted = _norm(text[:MAX_QUERY])

        def rank(row) -> tuple:
            iri, _slug, name, _abbreviations, labels, _kind, score = row
            folded = _norm(name)
            exact = wanted == folded or wanted in {_norm(x) for x in labels.split(" | ")}
            return (0 if exact else 1 if folded.startswith(wanted) else 2, score, name, iri)

        rows.sort(key=rank)
        return [Hit(iri=r[0], slug=r[1], name=r[2], kind=r[5], abbreviations=r[3].split(),
                    labels=[x for x in r[4].split(" | ") if x], href=f"/id/{r[1]}") for r in rows[:limit]]
