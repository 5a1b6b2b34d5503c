"""Release files over HTTP: media types, ETags from SHA256SUMS, conditional requests, safe paths."""

from __future__ import annotations

from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import unquote

MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".ttl": "text/turtle; charset=utf-8",
    ".nt": "application/n-triples; charset=utf-8",
    ".nq": "application/n-quads; charset=utf-8",
    ".jsonld": "application/ld+json",
    ".json": "application/json",
    ".rdf": "application/rdf+xml",
    ".owl": "application/rdf+xml",
    ".xml": "application/xml",
    ".svg": "image/svg+xml",
    ".csv": "text/csv; charset=utf-8",
    ".tsv": "text/tab-separated-values; charset=utf-8",
    ".srj": "application/sparql-results+json",
    ".srx": "application/sparql-results+xml",
    ".rq": "application/sparql-query; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".gz": "application/gzip",
    ".zip": "application/zip",
}
_COMPRESSIBLE = ("text/", "application/json", "application/ld+json", "application/n-", "application/rdf+xml",
                 "application/xml", "application/sparql", "image/svg+xml")


def _media_type(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix in MEDIA_TYPES:
        return MEDIA_TYPES[suffix]
    return "text/plain; charset=utf-8" if name.isupper() or suffix == "" else "application/octet-stream"



def _unsafe_path(raw: str, path: str) -> bool:
    """Traversal in any spelling: `..` segments, encoded dots or slashes, backslashes, NUL."""
    low = raw.lower()
    if "%2f" in low or "%5c" in low or "%00" in low or "\\" in path or "\x00" in path:
        return True
    decoded = unquote(raw)
    for candidate in (raw, decoded, path):
        if any(seg in ("..", ".") for seg in candidate.split("/")):
            return True
    return False



def _read_sums(path: Path) -> dict[str, str]:
    """`name -> sha256` from a release's SHA256SUMS (empty when there is none)."""
    sums: dict[str, str] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return sums
    for line in lines:
        digest, sep, name = line.partition("  ")
        if sep and len(digest) == 64:
            sums[name] = digest
    return sums


def _not_modified(headers: dict[str, str], etag: str, mtime: float) -> bool:
    inm = headers.get("if-none-match")
    if inm is not None:
        tags = [t.strip() for t in inm.split(",")]
        return etag in tags or "*" in tags or f"W/{etag}" in tags
    ims = headers.get("if-modified-since")
    if ims:
        try:
            return int(mtime) <= int(parsedate_to_datetime(ims).timestamp())
        except (TypeError, ValueError, IndexError, OverflowError):
            return False
    return False
