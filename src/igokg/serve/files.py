"""Release files over HTTP: Starlette's StaticFiles with content-digest ETags and base-IRI links.

Input: the release folder. Output: its files with media types, `ETag` (the sha256 from
`SHA256SUMS`, so a byte-identical rebuild keeps it), `Last-Modified`, 304 on
`If-None-Match` / `If-Modified-Since`, ranges; gzip is the app's middleware. HTML pages
have links to the published base IRI rewritten to this server. Traversal in any spelling
is refused before a path reaches the file system (`unsafe_path`), and StaticFiles itself
refuses any name that resolves outside the release (symlinks).
"""

from __future__ import annotations

import os
from email.utils import formatdate
from pathlib import Path
from typing import Callable
from urllib.parse import unquote

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import FileResponse, Response
from starlette.staticfiles import NotModifiedResponse, StaticFiles
from starlette.types import Scope

from igokg.release import read_sums
from igokg.serve.headers import html_headers

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
#: Never gzipped again: already compressed.
INCOMPRESSIBLE = ("application/gzip", "application/zip", "image/png", "image/x-icon", "application/octet-stream",
                  "text/event-stream")


def media_type(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix in MEDIA_TYPES:
        return MEDIA_TYPES[suffix]
    return "text/plain; charset=utf-8" if name.isupper() or suffix == "" else "application/octet-stream"


def unsafe_path(raw: str, path: str) -> bool:
    """Traversal in any spelling: `..` segments, encoded dots or slashes, backslashes, NUL."""
    low = raw.lower()
    if "%2f" in low or "%5c" in low or "%00" in low or "\\" in path or "\x00" in path:
        return True
    decoded = unquote(raw)
    for candidate in (raw, decoded, path):
        if any(seg in ("..", ".") for seg in candidate.split("/")):
            return True
    return False



class ReleaseFiles(StaticFiles):
    """The release folder as static files; `not_found(scope)` answers what is not there."""

    def __init__(self, release: Path, base_iri: str, not_found: Callable[[Scope], Response]) -> None:
        super().__init__(directory=release, html=True)
        self.release = Path(release).resolve()
        self.base = base_iri.encode()
        self.not_found = not_found
        self.sums = read_sums(self.release)
        self._pages: dict[tuple[str, int, int], bytes] = {}

    async def get_response(self, path: str, scope: Scope) -> Response:
        try:
            return await super().get_response(path, scope)
        except HTTPException as exc:
            if exc.status_code == 404:
                return self.not_found(scope)
            raise

    def file_response(self, full_path, stat_result: os.stat_result, scope: Scope, status_code: int = 200) -> Response:
        full = Path(full_path)
        try:
            rel = full.resolve().relative_to(self.release).as_posix()
        except ValueError:
            return self.not_found(scope)
        digest = self.sums.get(rel)
        headers = {"cache-control": "public, max-age=300"}
        if digest:  # the content's digest: a byte-identical rebuild keeps its ETag
            headers["etag"] = f'"{digest[:32]}"'
        ctype = media_type(full.name)
        if ctype.startswith("text/html"):
            page = self._page(full, stat_result)
            response: Response = Response(page, status_code=status_code, media_type=ctype, headers=headers)
            response.headers.update({k.decode(): v.decode() for k, v in html_headers(page)})
            response.headers["last-modified"] = formatdate(stat_result.st_mtime, usegmt=True)
            response.headers.setdefault("etag", f'"{stat_result.st_size:x}-{stat_result.st_mtime_ns:x}"')
        else:
            response = FileResponse(full, status_code=status_code, stat_result=stat_result, media_type=ctype,
                                    headers=headers)
        if status_code == 200 and self.is_not_modified(response.headers, Headers(scope=scope)):
            return NotModifiedResponse(response.headers)
        return response

    def _page(self, path: Path, st: os.stat_result) -> bytes:
        """An HTML file with links to the published base pointing at this server instead."""
        key = (str(path), st.st_size, st.st_mtime_ns)
        page = self._pages.get(key)
        if page is None:
            page = path.read_bytes()
            for attr in (b'href="', b'src="', b'action="'):
                page = page.replace(attr + self.base, attr + b"/")
            if len(self._pages) < 10_000:
                self._pages[key] = page
        return page
