"""Name blank nodes from their content, so two loads of the same input give the same IRIs.

A blank node is named `<parent IRI>#<predicate>-<hash>`: parsers invent random labels, and
random labels would make two builds of the same input differ. A blank node must hang off
exactly one parent (a tree, as `[ ... ]` writes it); anything else is reported, because it
cannot be named stably.

Input: N-Triples text, as the parser writes it (`sources.turtle.turtle_to_ntriples`). Output:
the same lines in the same order, each blank node replaced by its IRI. Working on the text
keeps Python away from the triples without a blank node (the store loads the text natively)
and from term objects altogether: a line that holds a blank node is split with a few byte
operations. The hash is the sha256 of the node's sorted `<predicate> object` lines (a nested
node's object is its own hash), computed from the literals as written: the names are those
the loader gave when it parsed into Python objects, byte for byte.
"""

from __future__ import annotations

import hashlib
import re
from typing import Iterable

import pyoxigraph as ox

from igokg.errors import SourceError

__all__ = ["skolemize", "skolemize_ntriples"]

# In N-Triples a blank node is a subject at the start of a line, or the object at its end;
# "_:" anywhere else is inside a literal. IRIs hold neither spaces nor ">". One pattern finds
# the lines that hold a blank node: (1) a blank subject, any object; (2) an IRI subject, a
# blank object.
_BLANK_LINE = re.compile(rb"^(?:_:(\S+) <([^>]*)> (.*)|<([^>]*)> <([^>]*)> _:(\S+)) \.$", re.M)


def skolemize_ntriples(data: bytes, rel: str, root_iri: str | None = None, *, blank: bool = False) -> bytes:
    """Replace every blank node of N-Triples `data` by an IRI derived from its parent and content.

    With `root_iri`, a blank node that nothing points at (`[] a sh:NodeShape`) is named
    `root_iri` + its content digest instead of being refused. With `blank`, the nodes stay
    blank but get stable labels (`_:b` + 16 hex digits of their name's sha256), for formats
    that keep blank nodes (the ontology's and shapes' RDF/XML). The lines keep their order.
    """
    if b"_:" not in data:
        return data
    # Per blank node: its `<predicate> object` parts (what its hash is taken over; a nested
    # node's part is completed with that node's hash), its nested nodes, and its parent.
    # Bytes, one object per line: at a million triples this is most of the loader's memory.
    parts: dict[bytes, list[bytes]] = {}
    nested: dict[bytes, list[tuple[bytes, bytes]]] = {}  # node -> (predicate, nested node)
    parents: dict[bytes, list[tuple[bytes, bool, bytes]]] = {}  # node -> (subject, subject is blank, predicate)
    for m in _BLANK_LINE.finditer(data):
        b, p, o, s, p2, ob = m.groups()
        if b is None:
            parents.setdefault(ob, []).append((s, False, p2))
        elif o.startswith(b"_:"):
            nested.setdefault(b, []).append((p, o[2:]))
            parents.setdefault(o[2:], []).append((b, True, p))
            parts.setdefault(b, [])
        else:
            parts.setdefault(b, []).append(b"<" + p + b"> " + o)

    digests: dict[bytes, bytes] = {}
    names: dict[bytes, bytes] = {}
    locals_: dict[bytes, bytes] = {}

    def digest(b: bytes, seen: tuple = ()) -> bytes:
        d = digests.get(b)
        if d is not None:
            return d
        if b in seen:
            raise SourceError(rel, "a blank node refers to itself in a cycle", hint="give these nodes IRIs")
        mine = parts.get(b, [])
        if b in nested:
            mine = mine + [b"<" + p + b"> " + digest(c, seen + (b,)) for p, c in nested[b]]
        mine.sort()
        d = digests[b] = hashlib.sha256(b"\n".join(mine)).hexdigest().encode()
        return d

    naming: set[bytes] = set()  # nodes whose parents are being named: a cycle if met again

    def name(b: bytes) -> bytes:
        n = names.get(b)
        if n is not None:
            return n
        if b in naming:
            raise SourceError(rel, "blank nodes refer to each other in a cycle", hint="give these nodes IRIs")
        naming.add(b)
        up = parents.get(b, ())
        if not up and root_iri is not None:
            n = names[b] = root_iri.encode() + digest(b)[:16]
            return n
        if len(up) != 1:
            sample = next((x.split(b"> ", 1)[1] for x in parts.get(b, ()) if b'> "' in x), b"")
            shown = sample.decode("utf-8", "replace")
            where = f" (it holds {shown[:60]})" if sample else ""
            raise SourceError(
                rel,
                f"a blank node is referenced {len(up)} times{where}; blank nodes must hang off exactly one subject",
                hint="write it inline as [ ... ] under one subject, or give it an IRI",
            )
        s, s_blank, p = up[0]
        parent_iri = name(s) if s_blank else s
        local = locals_.get(p)
        if local is None:
            local = locals_[p] = re.split(rb"[#/]", p)[-1]
        n = names[b] = parent_iri + (b"." if b"#" in parent_iri else b"#") + local + b"-" + digest(b)[:8]
        return n

    for b in parts.keys() | parents.keys():
        name(b)
    if len(set(names.values())) != len(names):
        raise SourceError(rel, "two blank nodes under the same subject have identical content", hint="remove the duplicate")
    for table in (parts, nested, parents, digests):
        table.clear()  # memory for the rewrite
    if blank:
        terms = {b: b"_:b" + hashlib.sha256(n).hexdigest()[:16].encode() for b, n in names.items()}
    else:
        terms = {b: b"<" + n + b">" for b, n in names.items()}

    def renamed(m: re.Match) -> bytes:
        b, p, o, s, p2, ob = m.groups()
        if b is None:
            return b"<" + s + b"> <" + p2 + b"> " + terms[ob] + b" ."
        return terms[b] + b" <" + p + b"> " + (terms[o[2:]] if o.startswith(b"_:") else o) + b" ."

    # In slices of whole lines: `sub` holds every piece of its output before joining them.
    return b"".join(_BLANK_LINE.sub(renamed, chunk) for chunk in _slices(data))


def _slices(data: bytes, size: int = 1 << 22):
    start = 0
    while start < len(data):
        end = data.find(b"\n", start + size)
        end = len(data) if end < 0 else end + 1
        yield data[start:end]
        start = end


def skolemize(triples: Iterable[ox.Triple], rel: str, root_iri: str | None = None) -> list[ox.Triple]:
    """`skolemize_ntriples` for triples in memory (small graphs: the ontology, the shapes, tests).

    The triples come back in the order they were given, blank nodes replaced.
    """
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    named = skolemize_ntriples(data, rel, root_iri)
    return [q.triple for q in ox.parse(named, format=ox.RdfFormat.N_TRIPLES)]
