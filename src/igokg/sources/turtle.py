"""Parse one Turtle file; a syntax error becomes `file:line:column: message`."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox

from igokg.errors import SourceError


def parse_turtle(path: Path, display: str | None = None) -> list[ox.Triple]:
    """Parse one Turtle file; a syntax error becomes `file:line:column: message`."""
    shown = display or str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(shown, f"cannot read: {exc.strerror}") from None
    try:
        return [q.triple for q in ox.parse(data, format=ox.RdfFormat.TURTLE, base_iri=None)]
    except SyntaxError as exc:
        line, column, message = _position(exc)
        raise SourceError(
            shown, message, line, column, hint="fix the Turtle syntax at this position, then run igokg validate"
        ) from None
    except ValueError as exc:  # e.g. invalid UTF-8
        raise SourceError(shown, str(exc), hint="the file must be UTF-8 Turtle") from None
    except MemoryError as exc:  # "Reached the buffer maximal size": one token over the parser's limit
        raise SourceError(shown, f"a literal or IRI is too long for the parser ({exc})", _long_line(data),
                          hint="keep long texts in a file of their own and cite it") from None


def _long_line(data: bytes, limit: int = 1 << 24) -> int | None:
    """The first line longer than the parser's buffer (16 MiB): where the oversized token is."""
    for number, line in enumerate(data.split(b"\n"), 1):
        if len(line) >= limit:
            return number
    return None


def _position(exc: SyntaxError) -> tuple[int | None, int | None, str]:
    message = exc.msg if isinstance(exc.msg, str) else str(exc)
    m = re.match(r"Parser error (?:at|between) line (\d+) column (\d+)(?: and line \d+ column \d+)?: (.*)", message, re.S)
    if m:
        return int(m.group(1)), int(m.group(2)), m.group(3).strip()
    # oxigraph also reports a span on one line: "at line 12 between columns 5 and 17"
    m = re.match(r"Parser error at line (\d+) between columns (\d+) and \d+: (.*)", message, re.S)
    if m:
        return int(m.group(1)), int(m.group(2)), m.group(3).strip()
    return exc.lineno, exc.offset, message
