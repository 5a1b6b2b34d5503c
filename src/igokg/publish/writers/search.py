"""The search index: every named entity's names, abbreviations and other labels, full-text indexed.

Input: the release's facts and its ontology (for the names of classes). Output, into the
release:

* `search.sqlite` — a SQLite FTS5 table (`igokg.release.SEARCH_NAME`, schema below) that
  `igokg serve` answers `/search?q=` from, and that anyone can open (sqlite3, datasette);
* and, through `search_index_js`, the same entries as a small script for the static site
  (`search-index.js`, written by the site writer: `window.IGOKG_SEARCH = [...]`), so the
  site's search box works without a server, from any static host or `file://` (a `<script>`
  loads where `fetch` of a local file would not).

An entity is indexed when it has a name (`rdfs:label`, `skos:prefLabel` or `dct:title`; the
English one first): states, organizations, persons, events, places, sources, posts. Every
other label, in any language, is indexed as well (`skos:altLabel` "CSTO", "ОДКБ"); the
all-capital ones (CSTO, ОДКБ, BELTA) also as abbreviations, which rank first on an exact
match. Tokens are Unicode-aware and diacritics-folded (`unicode61 remove_diacritics 2`), with
prefix indexes so that "Collective Secur" finds the CSTO as it is typed.

Deterministic: rows are inserted in IRI order into a fresh file, then optimized and vacuumed;
the same facts give the same bytes with the same SQLite.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from igokg.namespaces import DCT, ID, RDF_TYPE, RDFS, SKOS
from igokg.release import SEARCH_NAME, SEARCH_SCHEMA, Written

__all__ = ["SearchEntry", "class_names", "entries_of", "naming_triples", "search_entries", "search_index_js", "write_search_index", "write_search"]

_NAMES = (RDFS + "label", SKOS + "prefLabel", DCT + "title")
_OTHER = (SKOS + "altLabel",)


@dataclass(frozen=True)
class SearchEntry:
    iri: str
    name: str
    abbreviations: tuple[str, ...]
    labels: tuple[str, ...]  # every other name and label, any language
    kind: str  # the names of its classes


def _is_abbreviation(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return 2 <= len(text) <= 12 and " " not in text and len(letters) >= 2 and all(c.isupper() for c in letters)


def _pick_name(values: list[ox.Literal]) -> str | None:
    for lang in ("en", None):
        for v in values:
            if lang is None or v.language == lang:
                return v.value
    return None


def search_entries(facts: Iterable[ox.Triple], class_names: dict[str, str]) -> list[SearchEntry]:
    """One entry per named entity (`id:` IRIs without `#`), in IRI order."""
    labels: dict[str, dict[str, list[ox.Literal]]] = {}
    types: dict[str, list[str]] = {}
    for t in facts:
        s = t.subject
        if not isinstance(s, ox.NamedNode) or not s.value.startswith(ID) or "#" in s.value:
            continue
        p = t.predicate.value
        if p == RDF_TYPE:
            types.setdefault(s.value, []).append(t.object.value)
        elif p in _NAMES or p in _OTHER:
            if isinstance(t.object, ox.Literal):
                labels.setdefault(s.value, {}).setdefault(p, []).append(t.object)
    out = []
    for iri in sorted(labels):
        by_pred = labels[iri]
        name = next((n for p in _NAMES if (n := _pick_name(sorted(by_pred.get(p, []), key=str)))), None)
        if name is None:
            continue
        others = sorted({v.value for vals in by_pred.values() for v in vals} - {name})
        kinds = sorted({class_names.get(c, c.rsplit("#", 1)[-1]) for c in types.get(iri, [])})
        out.append(SearchEntry(iri, name, tuple(o for o in others if _is_abbreviation(o)), tuple(others), ", ".join(kinds)))
    return out


def write_search_index(entries: list[SearchEntry], path) -> None:
    """A fresh SQLite FTS5 database at `path` holding `entries`."""
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA journal_mode=OFF")
        con.execute("PRAGMA page_size=4096")
        con.executescript(SEARCH_SCHEMA)
        con.executemany(
            "INSERT INTO names(iri, slug, name, abbreviations, labels, kind) VALUES (?, ?, ?, ?, ?, ?)",
            [(e.iri, e.iri[len(ID):], e.name, " ".join(e.abbreviations), " | ".join(e.labels), e.kind) for e in entries],
        )
        con.execute("INSERT INTO names(names) VALUES ('optimize')")
        con.commit()
        con.execute("VACUUM")
    finally:
        con.close()


def class_names(sources) -> dict[str, str]:
    """English names of the ontology's terms (`igo:State` -> "state"), from its graphs in the store."""
    label = ox.NamedNode(RDFS + "label")
    found = [q.triple for rel in sources.ontology_files
             for q in sources.store.quads_for_pattern(None, label, None, sources.graph_of(rel))]
    names: dict[str, str] = {}
    for t in sorted(found, key=str):
        if isinstance(t.subject, ox.NamedNode) and isinstance(t.object, ox.Literal) and t.object.language == "en":
            names.setdefault(t.subject.value, t.object.value)
    return names


def entries_of(sources) -> list[SearchEntry]:
    """The search entries of the loaded sources: the SQLite index's rows and the static site's script."""
    return search_entries(naming_triples(sources), class_names(sources))


def search_index_js(entries: list[SearchEntry]) -> str:
    """The entries as a script for the static site: `[slug, name, abbreviations, labels, kind]`."""
    rows = [[e.iri[len(ID):], e.name, list(e.abbreviations), list(e.labels), e.kind] for e in entries]
    return ("// igokg search index for the static site: [slug, name, abbreviations, other labels, kind]\n"
            "window.IGOKG_SEARCH = " + json.dumps(rows, ensure_ascii=False, separators=(",", ":")) + ";\n")


def naming_triples(sources):
    """The fact triples `search_entries` reads (classes and labels), asked of the store by
    predicate, so no other triple is materialized in Python."""
    store = sources.store
    graphs = [sources.graph_of(rel) for rel in sources.fact_files]
    for p in (RDF_TYPE, *_NAMES, *_OTHER):
        predicate = ox.NamedNode(p)
        for g in graphs:
            for q in store.quads_for_pattern(None, predicate, None, g):
                yield q.triple


def write_search(build) -> list[Written]:
    # made once: the site's search script lists the same entries (1 s of CPU at 1M)
    entries = build.shared["search_entries"] = entries_of(build.sources)
    path = build.out / SEARCH_NAME
    if path.exists():
        path.unlink()
    write_search_index(entries, path)
    return [Written(SEARCH_NAME, "application/vnd.sqlite3",
                    "Names, abbreviations and other labels of every entity: a SQLite full-text (FTS5) index",
                    distribution=True)]
