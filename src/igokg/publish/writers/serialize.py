"""The release's RDF styles, in one place: pyoxigraph's serializers fed canonical N-Triples.

Input: N-Triples text in canonical order (`igokg.rdf.sort_ntriples`: sorted lines, a
subject's rdf:type first, no blank nodes in the facts). pyoxigraph writes a triple where it
is given, grouping consecutive triples of one subject (and predicate), so the order of the
input makes the bytes of the output; the input's order is a function of the triples only.

* Turtle: pyoxigraph's, with the project's prefixes declared in the order of
  `namespaces.PREFIXES` (the serializer's own order of declarations is not promised, so its
  header is replaced), and an optional comment header. A small document declares the
  prefixes it uses; the dump declares them all (finding the unused ones in a large text
  means reading it once per prefix).
* JSON-LD: pyoxigraph's expanded form (no @context: every IRI in full), one node per line.
  `context.jsonld` holds the project's prefixes for whoever wants to compact it.

Both are streamed to disk: memory stays that of the input text.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from igokg.namespaces import PREFIXES, RDF, RDF_TYPE

__all__ = ["jsonld_bytes", "turtle_bytes", "used_prefixes", "write_jsonld", "write_turtle"]


# No namespace of the project's begins another (tested), so one alternation finds each IRI's.
_NAMESPACES = re.compile(b"<(" + b"|".join(re.escape(ns.encode()) for ns in PREFIXES.values()) + b")")
_RDF, _RDF_TYPE = b"<" + RDF.encode(), b"<" + RDF_TYPE.encode() + b">"


def used_prefixes(nt: bytes) -> dict[str, str]:
    """The project's prefixes whose namespace occurs in the text (a spare one is harmless), in
    the order of `PREFIXES`; one pass over the text.

    rdf: only when an rdf: term other than rdf:type occurs: Turtle writes rdf:type as `a`.
    """
    found = {ns.decode() for ns in set(_NAMESPACES.findall(nt))}
    used = {p: ns for p, ns in PREFIXES.items() if ns in found}
    if "rdf" in used and nt.count(_RDF) == nt.count(_RDF_TYPE):
        del used["rdf"]
    return used


def _triples(nt: bytes):
    # The parser's quads (all in the default graph) go to the serializer as they are: a
    # generator taking `.triple` of each cost a Python frame per triple (a tenth of the time).
    return ox.parse(nt, format=ox.RdfFormat.N_TRIPLES)


class _SkipLines:
    """A binary sink that drops the first `n` lines written to it (pyoxigraph's prefix lines)."""

    def __init__(self, fh: BinaryIO, n: int) -> None:
        self.fh, self.n = fh, n

    def write(self, data: bytes) -> int:
        data = bytes(data)
        size = len(data)
        while self.n and data:
            cut = data.find(b"\n")
            if cut < 0:
                return size  # the rest of a prefix line
            data = data[cut + 1 :]
            self.n -= 1
        if data:
            self.fh.write(data)
        return size

    def flush(self) -> None:
        self.fh.flush()


def _turtle_head(header: str, prefixes: dict[str, str]) -> bytes:
    """The comment header (if any) and the prefix declarations, in the order of `prefixes`."""
    head = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines()) if header else ""
    return (head + "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in prefixes.items()) + "\n").encode()


def _write_turtle(nt: bytes, fh: BinaryIO, header: str, all_prefixes: bool = False) -> None:
    prefixes = dict(PREFIXES) if all_prefixes else used_prefixes(nt)
    fh.write(_turtle_head(header, prefixes))
    ox.serialize(_triples(nt), _SkipLines(fh, len(prefixes)), ox.RdfFormat.TURTLE, prefixes=prefixes)


def write_turtle(nt: bytes, path: Path, header: str = "", *, all_prefixes: bool = False) -> None:
    with Path(path).open("wb") as fh:
        _write_turtle(nt, fh, header, all_prefixes)


def turtle_bytes(nt: bytes, header: str = "", triples: list[ox.Triple | ox.Quad] | None = None) -> bytes:
    """Turtle of a small graph, as `write_turtle` writes it; `triples`, when given, are those of
    `nt` (or its quads in the default graph), in the same order (then they are not parsed
    again). pyoxigraph returns the bytes: no Python sink in between."""
    prefixes = used_prefixes(nt)
    body = ox.serialize(_triples(nt) if triples is None else triples, None, ox.RdfFormat.TURTLE, prefixes=prefixes)
    for _ in prefixes:  # pyoxigraph's own declarations, one a line, replaced by the header
        body = body[body.find(b"\n") + 1:] if b"\n" in body else b""
    return _turtle_head(header, prefixes) + body


# Between two nodes of the expanded document: the end of a node's last property, the start
# of the next node. Inside a value array objects end with '"}' or '}' after a value, never
# ']}', and a JSON string cannot hold an unescaped '"', so this marks node boundaries only.
_NODE_END = b']},{"@id":'
_NODE_END_NL = b']},\n{"@id":'


class _NodePerLine:
    """A binary sink that starts every node of pyoxigraph's JSON-LD array on a line of its own."""

    def __init__(self, fh: BinaryIO) -> None:
        self.fh, self.pending, self.started = fh, b"", False

    def write(self, data: bytes) -> int:
        size = len(data)
        data = self.pending + bytes(data)
        if not self.started and data:
            self.started = True
            if data.startswith(b"["):
                self.fh.write(b"[\n")
                data = data[1:]
        # Keep back what could be the start of a boundary that the next write completes.
        last = data.rfind(_NODE_END)
        safe = max(len(data) - (len(_NODE_END) - 1), last + len(_NODE_END) if last >= 0 else 0)
        self.fh.write(data[:safe].replace(_NODE_END, _NODE_END_NL))
        self.pending = data[safe:]
        return size

    def flush(self) -> None:
        self.fh.flush()

    def close(self) -> None:
        tail = self.pending.replace(_NODE_END, _NODE_END_NL)
        self.fh.write(tail[:-1] + b"\n]\n" if tail.endswith(b"]") else tail)
        self.pending = b""


def _write_jsonld(nt: bytes, fh: BinaryIO) -> None:
    sink = _NodePerLine(fh)
    ox.serialize(_triples(nt), sink, ox.RdfFormat.JSON_LD)
    sink.close()


def write_jsonld(nt: bytes, path: Path) -> None:
    with Path(path).open("wb") as fh:
        _write_jsonld(nt, fh)


def jsonld_bytes(nt: bytes, triples: list[ox.Triple | ox.Quad] | None = None) -> bytes:
    """JSON-LD of a small graph, as `write_jsonld` writes it; `triples` as for `turtle_bytes`."""
    raw = ox.serialize(_triples(nt) if triples is None else triples, None, ox.RdfFormat.JSON_LD)
    # pyoxigraph's array, "[" … "]", laid out as `_NodePerLine` lays out the stream.
    return b"[\n" + raw[1:-1].replace(_NODE_END, _NODE_END_NL) + b"\n]\n"
