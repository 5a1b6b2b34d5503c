"""Name blank nodes from their content, so two loads of the same input give the same IRIs.

A blank node is named `<parent IRI>#<predicate>-<hash>`: parsers invent random labels, and
random labels would make two builds of the same input differ. A blank node must hang off
exactly one parent (a tree, as `[ ... ]` writes it); anything else is reported, because it
cannot be named stably.
"""

from __future__ import annotations

import hashlib
import re

import pyoxigraph as ox

from igokg.errors import SourceError


def skolemize(triples: list[ox.Triple], rel: str, root_iri: str | None = None) -> list[ox.Triple]:
    """Replace every blank node by an IRI derived from its parent and its content.

    With `root_iri`, a blank node that nothing points at (`[] a sh:NodeShape`) is named
    `root_iri` + its content digest instead of being refused.
    """
    incoming: dict[ox.BlankNode, list[ox.Triple]] = {}
    outgoing: dict[ox.BlankNode, list[ox.Triple]] = {}
    for t in triples:
        if isinstance(t.subject, ox.BlankNode):
            outgoing.setdefault(t.subject, []).append(t)
        if isinstance(t.object, ox.BlankNode):
            incoming.setdefault(t.object, []).append(t)
    if not outgoing and not incoming:
        return triples

    digests: dict[ox.BlankNode, str] = {}
    names: dict[ox.BlankNode, ox.NamedNode] = {}

    def digest(b: ox.BlankNode, seen: tuple = ()) -> str:
        if b in digests:
            return digests[b]
        if b in seen:
            raise SourceError(rel, "a blank node refers to itself in a cycle", hint="give these nodes IRIs")
        parts = []
        for t in outgoing.get(b, []):
            o = t.object
            parts.append(f"{t.predicate} {digest(o, seen + (b,)) if isinstance(o, ox.BlankNode) else o}")
        digests[b] = hashlib.sha256("\n".join(sorted(parts)).encode()).hexdigest()
        return digests[b]

    def name(b: ox.BlankNode) -> ox.NamedNode:
        if b in names:
            return names[b]
        parents = incoming.get(b, [])
        if not parents and root_iri is not None:
            names[b] = ox.NamedNode(f"{root_iri}{digest(b)[:16]}")
            return names[b]
        if len(parents) != 1:
            sample = next((str(t.object) for t in outgoing.get(b, []) if isinstance(t.object, ox.Literal)), "")
            where = f" (it holds {sample[:60]})" if sample else ""
            raise SourceError(
                rel,
                f"a blank node is referenced {len(parents)} times{where}; blank nodes must hang off exactly one subject",
                hint="write it inline as [ ... ] under one subject, or give it an IRI",
            )
        parent = parents[0]
        parent_iri = name(parent.subject).value if isinstance(parent.subject, ox.BlankNode) else parent.subject.value
        local = re.split(r"[#/]", parent.predicate.value)[-1]
        sep = "." if "#" in parent_iri else "#"
        names[b] = ox.NamedNode(f"{parent_iri}{sep}{local}-{digest(b)[:8]}")
        return names[b]

    def sub(term):
        return name(term) if isinstance(term, ox.BlankNode) else term

    # Most triples touch no blank node: keep those as they are rather than rebuild a million.
    out = [
        ox.Triple(sub(t.subject), t.predicate, sub(t.object))
        if isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)
        else t
        for t in triples
    ]
    if len(set(names.values())) != len(names):
        raise SourceError(rel, "two blank nodes under the same subject have identical content", hint="remove the duplicate")
    return out
