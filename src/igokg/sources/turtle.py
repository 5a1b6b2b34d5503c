"""Parse one Turtle file; a syntax error becomes `file:line:column: message`.

`turtle_to_ntriples` is the loader's path: pyoxigraph parses and writes N-Triples natively,
so no triple becomes a Python object; `parse_turtle` gives the triples themselves, for the
small files (ontology, shapes) and for callers that want the literals as written.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox

from igokg.errors import SourceError

__all__ = ["parse_turtle", "turtle_to_ntriples", "read_source", "xsd_literals"]


def read_source(path: Path, shown: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SourceError(shown, f"cannot read: {exc.strerror}") from None


def turtle_to_ntriples(data: bytes, shown: str) -> bytes:
    """The triples of Turtle `data` as N-Triples text (in parse order, literals as written)."""
    try:
        return ox.serialize(ox.parse(data, format=ox.RdfFormat.TURTLE, base_iri=None), format=ox.RdfFormat.N_TRIPLES)
    except (SyntaxError, ValueError, MemoryError) as exc:
        raise _source_error(exc, shown, data) from None


# A line of N-Triples that ends in a literal with an XSD datatype. No IRI holds '"', so the
# line's first '"' opens that literal; inside a literal a '"' is escaped, so '"^^<' followed by
# the end of the line closes it. The pattern starts with literal text: the regex engine
# jumps from one such ending to the next instead of trying every line.
_XSD_END = re.compile(rb'"\^\^<http://www\.w3\.org/2001/XMLSchema#\w+> \.\n')


def xsd_literals(nt: bytes) -> set[bytes]:
    """The distinct literals with an XSD datatype in N-Triples text from pyoxigraph (every line
    ends with "\\n"), as N-Triples terms, lexical forms as written: `"01"^^<…#integer>`."""
    found = set()
    rfind, index = nt.rfind, nt.index
    for m in _XSD_END.finditer(nt):
        start = m.start()
        found.add(nt[index(b'"', rfind(b"\n", 0, start) + 1):m.end() - 3])
    return found


def parse_turtle(path: Path, display: str | None = None) -> list[ox.Triple]:
    """Parse one Turtle file; a syntax error becomes `file:line:column: message`."""
    shown = display or str(path)
    data = read_source(path, shown)
    try:
        return [q.triple for q in ox.parse(data, format=ox.RdfFormat.TURTLE, base_iri=None)]
    except (SyntaxError, ValueError, MemoryError) as exc:
        raise _source_error(exc, shown, data) from None


def _source_error(exc: Exception, shown: str, data: bytes) -> SourceError:
    """What the parser raised, as a `SourceError` naming the file (and line and column)."""
    if isinstance(exc, SyntaxError):
        return _syntax_error(exc, shown)
    if isinstance(exc, MemoryError):  # "Reached the buffer maximal size": one token over the parser's limit
        return SourceError(shown, f"a literal or IRI is too long for the parser ({exc})", _long_line(data),
                           hint="keep long texts in a file of their own and cite it")
    return SourceError(shown, str(exc), hint="the file must be UTF-8 Turtle")  # e.g. invalid UTF-8


def _long_line(data: bytes, limit: int = 1 << 24) -> int | None:
    """The first line longer than the parser's buffer (16 MiB): where the oversized token is."""
    for number, line in enumerate(data.split(b"\n"), 1):
        if len(line) >= limit:
            return number
    return None


def _syntax_error(exc: SyntaxError, shown: str) -> SourceError:
    line, column, message = _position(exc)
    return SourceError(shown, message, line, column, hint="fix the Turtle syntax at this position, then run igokg validate")


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
