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

from igokg.collector import paused
from igokg.errors import SourceError

__all__ = ["skolemize", "skolemize_ntriples"]

# In N-Triples a blank node is a subject at the start of a line, or the object at its end;
# "_:" anywhere else is inside a literal. IRIs hold neither spaces nor ">". One pattern finds
# the text that holds blank nodes, in two kinds of pieces, each after the "\n" that ends the
# line before: (1) a run of consecutive lines with the same blank subject (the parser writes
# a `[ ... ]` node's triples together: a node is one run, or a few when it nests others);
# (2) a line with an IRI subject and a blank object. Python meets a run once, not each line.
_PIECE = re.compile(
    rb"\n(?:_:(\S+) <[^>]*> [^\n]* \.(?:\n_:\1 <[^>]*> [^\n]* \.)*|<([^>]*)> <([^>]*)> _:(\S+) \.)(?=\n)"
)


@paused()  # its tables hold no cycle (igokg.collector): about a tenth of its time at 1M
def skolemize_ntriples(data: bytes, rel: str, root_iri: str | None = None, *, blank: bool = False,
                       ordered: bool = True) -> bytes:
    """Replace every blank node of N-Triples `data` by an IRI derived from its parent and content.

    With `root_iri`, a blank node that nothing points at (`[] a sh:NodeShape`) is named
    `root_iri` + its content digest instead of being refused. With `blank`, the nodes stay
    blank but get stable labels (`_:b` + 16 hex digits of their name's sha256), for formats
    that keep blank nodes (the ontology's and shapes' RDF/XML). The lines keep their order;
    with `ordered=False` (for a store, which keeps a set) they are the same lines, but those
    that hold a blank node come last, written from what was collected (no second pass).
    """
    if b"_:" not in data:
        return data
    ended = data.endswith(b"\n")
    text = b"\n" + data + (b"" if ended else b"\n")
    # Per blank node: its `<predicate> object` parts (what its hash is taken over; a nested
    # node's part is completed with that node's hash), its nested nodes, and its parent.
    # Bytes, one object per line: at a million triples this is most of the loader's memory.
    parts: dict[bytes, list[bytes]] = {}
    nested: dict[bytes, list[tuple[bytes, bytes]]] = {}  # node -> (predicate, nested node)
    parents: dict[bytes, list[tuple[bytes, bool, bytes]]] = {}  # node -> (subject, subject is blank, predicate)
    spans: list[tuple[int, int, bytes | None, bytes | None]] = []  # ordered: the pieces, to rewrite in place
    gaps: list[bytes] = []  # not ordered: the text between the pieces
    prev = 0
    for m in _PIECE.finditer(text):
        b, s, p, c = m.groups()
        start, end = m.span()
        if ordered:
            spans.append((start, end, b, c))
        else:
            gaps.append(text[prev:start])
            prev = end
        if b is None:
            parents.setdefault(c, []).append((s, False, p))
            continue
        # The run's `<predicate> object` parts: between "_:b " and " ." on each line, so the
        # text between the first "_:b " and the last " ." split at " .\n_:b ".
        lines = text[start + len(b) + 4:end - 2].split(b" .\n_:" + b + b" ")
        mine = parts.setdefault(b, [])
        if text.find(b"> _:", start, end) < 0:
            mine += lines
            continue
        for part in lines:
            p, o = part[1:].split(b"> ", 1)
            if o.startswith(b"_:"):
                nested.setdefault(b, []).append((p, o[2:]))
                parents.setdefault(o[2:], []).append((b, True, p))
            else:
                mine.append(part)

    sha256 = hashlib.sha256
    digests: dict[bytes, bytes] = {}
    names: dict[bytes, bytes] = {}
    locals_: dict[bytes, bytes] = {}

    def digest(b: bytes, seen: tuple = ()) -> bytes:
        d = digests.get(b)
        if d is not None:
            return d
        if b in seen:
            raise SourceError(rel, "a blank node refers to itself in a cycle", hint="give these nodes IRIs")
        mine = parts.get(b, []) + [b"<" + p + b"> " + digest(c, seen + (b,)) for p, c in nested.get(b, ())]
        d = digests[b] = sha256(b"\n".join(sorted(mine))).hexdigest().encode()
        return d

    def local_of(p: bytes) -> bytes:
        local = locals_.get(p)
        if local is None:
            local = locals_[p] = re.split(rb"[#/]", p)[-1]
        return local

    def child_name(parent_iri: bytes, p: bytes, b: bytes) -> bytes:
        """A node's name under its parent: the parent's IRI, the predicate's local name, its digest."""
        return parent_iri + (b"." if b"#" in parent_iri else b"#") + local_of(p) + b"-" + digest(b)[:8]

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
        n = names[b] = child_name(name(s) if s_blank else s, p, b)
        return n

    # The common case without a call per node: leaves hashed in one pass, then names handed
    # down from each node under an IRI to the nodes it nests, each with exactly one parent.
    # What is left (roots, shared nodes, cycles) goes through `name`, which names or refuses it.
    for b, mine in parts.items():
        if b not in nested:
            digests[b] = sha256(b"\n".join(sorted(mine))).hexdigest().encode()

    todo = []
    for b, up in parents.items():
        if len(up) == 1 and not up[0][1]:
            s, _, p = up[0]
            names[b] = child_name(s, p, b)
            if b in nested:
                todo.append(b)
    while todo:
        b = todo.pop()
        for p, c in nested[b]:
            if c not in names and len(parents[c]) == 1:
                names[c] = child_name(names[b], p, c)
                if c in nested:
                    todo.append(c)
    for b in parts.keys() | parents.keys():
        name(b)
    if len(set(names.values())) != len(names):
        raise SourceError(rel, "two blank nodes under the same subject have identical content", hint="remove the duplicate")
    if blank:
        terms = {b: b"_:b" + hashlib.sha256(n).hexdigest()[:16].encode() for b, n in names.items()}
    else:
        terms = {b: b"<" + n + b">" for b, n in names.items()}
    if not ordered:
        out = gaps + [text[prev:]]
        for b, mine in parts.items():
            tok = terms[b]
            lines = mine + [b"<" + p + b"> " + terms[c] for p, c in nested.get(b, ())]
            out.append(tok + b" " + (b" .\n" + tok + b" ").join(lines) + b" .\n")
        for c, up in parents.items():
            out += [b"<" + s + b"> <" + p + b"> " + terms[c] + b" .\n" for s, s_blank, p in up if not s_blank]
        return b"".join(out)

    out, prev = [], 0
    for start, end, b, c in spans:
        out.append(text[prev:start])
        prev = end
        piece = text[start:end]
        if b is None:  # "\n<s> <p> _:c ."
            out.append(piece[:-(len(c) + 4)] + terms[c] + b" .")
            continue
        tok = terms[b]
        if b"> _:" not in piece:  # no nested node: only the subject to rename, on every line
            out.append(piece.replace(b"\n_:" + b + b" ", b"\n" + tok + b" "))
            continue
        k = len(b) + 3
        for line in piece[1:].split(b"\n"):
            p, o = line[k:-2].split(b"> ", 1)
            out.append(b"\n" + tok + b" " + p + b"> " + (terms[o[2:]] if o.startswith(b"_:") else o) + b" .")
    out.append(text[prev:])
    return b"".join(out)[1:] if ended else b"".join(out)[1:-1]


def skolemize(triples: Iterable[ox.Triple], rel: str, root_iri: str | None = None) -> list[ox.Triple]:
    """`skolemize_ntriples` for triples in memory (small graphs: the ontology, the shapes, tests).

    The triples come back in the order they were given, blank nodes replaced.
    """
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    named = skolemize_ntriples(data, rel, root_iri)
    return [q.triple for q in ox.parse(named, format=ox.RdfFormat.N_TRIPLES)]
