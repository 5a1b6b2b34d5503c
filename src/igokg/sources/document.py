"""Stage: sources. The canonical text of a reference document, against which its quotes are checked.

Input: the bytes of a pinned HTML page (the World Factbook's appendix) and the extraction its
description names (igo:textExtraction). Output: one string.

igo:HtmlTextCollapsed: the text content of the page decoded as UTF-8 — every character of text
outside <script>, <style> and comments, with character references decoded (Python's
html.parser, convert_charrefs) — then every run of whitespace (no-break space included) made one
space, and the ends stripped. A line break (<br>) and the start or end of a block (div, p, li,
table cells and rows, headings, lists) count as whitespace; other tags separate nothing
('a<b>c</b>' gives 'ac'). A quote reads as the page reads ("members - (6) China, Kazakhstan, …"),
the page's own slips included ("Sri Lanka Turkey").
"""

from __future__ import annotations

import hashlib
import re
from html.parser import HTMLParser

from igokg.errors import SourceError
from igokg.namespaces import IGO

__all__ = ["EXTRACTIONS", "canonical_text", "text_sha256"]

HTML_TEXT_COLLAPSED = IGO + "HtmlTextCollapsed"
#: The extractions the project knows, by concept IRI.
EXTRACTIONS = (HTML_TEXT_COLLAPSED,)

_SPACE = re.compile(r"[\s\u00a0]+")


class _Text(HTMLParser):
    _SKIP = {"script", "style"}
    _BREAK = {"br", "div", "p", "li", "ul", "ol", "table", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs) -> None:  # noqa: ANN001 - html.parser's signature
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BREAK:
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs) -> None:  # noqa: ANN001 - <br />
        if tag in self._BREAK:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skipping:
            self._skipping -= 1
        elif tag in self._BREAK:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def canonical_text(data: bytes, extraction: str = HTML_TEXT_COLLAPSED, shown: str = "document") -> str:
    if extraction != HTML_TEXT_COLLAPSED:
        raise SourceError(shown, f"unknown text extraction {extraction}", hint=f"use {HTML_TEXT_COLLAPSED}")
    try:
        html = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(shown, f"not UTF-8 at byte {exc.start}") from None
    parser = _Text()
    parser.feed(html)
    parser.close()
    return _SPACE.sub(" ", "".join(parser.parts)).strip()


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
