"""The example queries with their results, and the list of downloads."""

from __future__ import annotations

import csv
import hashlib
import re
from pathlib import Path

from igokg.namespaces import (
    ID,
    IGO,
)
from igokg.publish.site.graph import DOWNLOAD_NOTES, MEDIA_TYPES, SITE_PAGES, Graph
from igokg.publish.site.links import Links
from igokg.query import query_title, uses_service
from igokg.release import Written
from igokg.sources import Sources


#: The rows of a query's result shown on queries.html; the CSV beside it has them all. (At a
#: million triples a listing query returns 100,000 rows: a page of 100 MB is no page.)
SHOWN_ROWS = 200


def _queries(sources: Sources, out: Path, g: Graph, links: Links) -> list[dict]:
    folder = sources.project.sparql_dir
    result = []
    for path in sorted(folder.glob("*.rq")) if folder.is_dir() else []:
        text = path.read_text(encoding="utf-8")
        name = path.stem
        table = None
        csv_path = out / "queries" / f"{name}.csv"
        if csv_path.is_file():
            with csv_path.open(encoding="utf-8", newline="") as fh:
                reader = csv.reader(fh)
                header = next(reader, None)
                shown = [r for _, r in zip(range(SHOWN_ROWS), reader)]
                total = len(shown) + sum(1 for _ in reader)
            if header is not None:
                table = {"header": header, "rows": [[_cell(c, g, links) for c in r] for r in shown], "total": total}
        files = [f"queries/{name}{ext}" for ext in (".rq", ".csv", ".srj", ".nt") if (out / "queries" / f"{name}{ext}").is_file()]
        result.append({
            "name": name,
            "title": query_title(text) or name,
            "text": text,
            "federated": uses_service(text),
            "table": table,
            "files": files,
        })
    return result


def _cell(value: str, g: Graph, links: Links) -> dict:
    if value.startswith(ID) or value.startswith(IGO):
        href = links.entity(value)
        if href:
            return {"kind": "link", "text": g.label(value), "href": href, "iri": value}
    if re.match(r"https?://", value):
        return {"kind": "external", "text": value, "href": value, "iri": value}
    return {"kind": "literal", "text": value, "lang": None, "precision": ""}


def _media_type(name: str) -> str:
    for ext, mt in MEDIA_TYPES.items():
        if name.endswith(ext):
            return mt
    return "text/plain"


# Folders of a release that the pages link to on their own (or that are the site itself).
NOT_DOWNLOADS = {"id", "static", "queries"}


def _downloads(out: Path, written: list[Written], digest=None) -> list[dict]:
    """Every file the release's other writers wrote (top level and their folders), hashed
    (by `digest`, the build's cache of sha256s, when given)."""
    files = []
    for rel in sorted(w.path for w in written):
        p = out / rel
        top = rel.split("/", 1)[0]
        if top in NOT_DOWNLOADS or top in SITE_PAGES or ("/" not in rel and p.suffix in (".html", ".svg", ".css", ".js")):
            continue
        if top.startswith("."):
            continue
        size = p.stat().st_size
        sha = digest(rel) if digest else hashlib.sha256(p.read_bytes()).hexdigest()
        files.append({"name": rel, "size": size, "sha256": sha,
                      "media_type": _media_type(p.name), "note": DOWNLOAD_NOTES.get(rel) or DOWNLOAD_NOTES.get(top + "/", "")})
    files.sort(key=lambda f: ("/" in f["name"], f["name"]))
    return files
