"""Stage: publish (site). The entity data files: `id/<slug>.ttl` and `id/<slug>.jsonld`.

Input: the site's indexed graph (`graph.Graph`: canonical N-Triples with each subject's span,
triples by subject and by object, the ontology). Output: each entity's symmetric concise
bounded description, as `igokg.describe` defines it and `igokg serve` answers `.nt` / `.rdf`
with (the entity and its skolemized nodes; what points at it, with the skolemized nodes among
those subjects and their links to their owner; the labels of everything mentioned), as
canonical N-Triples, then Turtle and JSON-LD in the release's style.

`igokg.describe` asks a store; here the same walk asks the graph's dicts (`Graph.out` for the
outgoing side, `Graph.inc` for the incoming side, `Graph.spans` for a subject's lines), so the
description of every entity costs its own size: no entity scans the triples.
"""

from __future__ import annotations

import bisect

import pyoxigraph as ox

from igokg.describe import owner_of
from igokg.publish.site.graph import RDFS_LABEL, SKOS_PREF, Graph, _slug
from igokg.publish.writers.serialize import jsonld_bytes, turtle_bytes

__all__ = ["DataFiles", "entity_description"]

_LABELS = (RDFS_LABEL, SKOS_PREF)


def _below(node: str, iri: str) -> bool:
    """Whether `iri` is a skolemized descendant of `node` (as `igokg.describe` reads the names)."""
    return iri.startswith(node + ("." if "#" in node else "#"))


class _Describer:
    """Describes the entities of one graph as line numbers of its canonical N-Triples (`Graph.nt`):
    their order is the canonical order, so a description is sorted as integers, its text is
    slices of `nt` and its triples are those `Graph.quads` holds (nothing printed or parsed
    again). The ontology's labels are not lines of `nt`: each has the number of the fact lines
    that sort before it (`_onto_label`), and is merged there."""

    def __init__(self, g: Graph) -> None:
        self.g = g
        self.onto_labels: dict[str, list[tuple[int, bytes, ox.Triple]]] = {}
        for node, pos in g.onto.items():
            if isinstance(node, ox.NamedNode):
                found = [self._onto_label(ox.Triple(node, ox.NamedNode(p), o)) for p, o in pos if p in _LABELS]
                if any(found):
                    self.onto_labels[node.value] = [x for x in found if x is not None]

    def _line(self, i: int) -> bytes:
        offsets = self.g.offsets
        return self.g.nt[offsets[i]:offsets[i + 1]]

    def _onto_label(self, triple: ox.Triple) -> tuple[int, bytes, ox.Triple] | None:
        """An ontology label: the number of fact lines before it, its line, the triple; None when
        it is a fact line too (a duplicate, dropped as `sort_ntriples` drops it)."""
        line = f"<{triple.subject.value}> <{triple.predicate.value}> {triple.object} .\n".encode()
        lo, hi = 0, len(self.g.quads)
        while lo < hi:  # the first fact line not below it
            mid = (lo + hi) // 2
            if self._line(mid) < line:
                lo = mid + 1
            else:
                hi = mid
        if lo < len(self.g.quads) and self._line(lo) == line:
            return None
        return lo, line, triple

    def lines(self, iri: str) -> tuple[list[int], list[tuple[int, bytes, ox.Triple]]]:
        """The entity's description: its fact lines, sorted, and its ontology labels, sorted by
        place and text; both empty when the graph holds no triple about `iri`."""
        g = self.g
        rows, out, inc, inc_rows = g.rows, g.out, g.inc, g.inc_rows
        if iri not in rows:
            return [], []
        subjects: list[str] = []  # nodes whose every triple is in
        lines: list[int] = []  # single triples (incoming, links to an owner)
        mentioned: set[str] = {iri}
        named = ox.NamedNode

        def subtree(node: str) -> None:
            todo, seen = [node], {node}
            while todo:
                current = todo.pop()
                if current not in rows:
                    continue
                subjects.append(current)
                below = current + ("." if "#" in current else "#")
                for _p, o in out[current]:
                    if type(o) is named:
                        value = o.value
                        mentioned.add(value)
                        if value.startswith(below) and value not in seen:
                            seen.add(value)
                            todo.append(value)

        subtree(iri)
        for (s, _p), line in zip(inc.get(iri, ()), inc_rows.get(iri, ())):
            if s == iri or _below(iri, s):
                continue  # already there: the entity's own nodes
            lines.append(line)
            mentioned.add(s)
            if owner_of(s) is not None:
                subtree(s)
                current = s  # the chain of links up to the owning entity
                while owner_of(current) is not None:
                    parents = [(ps, line) for (ps, _pp), line in zip(inc.get(current, ()), inc_rows.get(current, ()))
                               if _below(ps, current)]
                    if not parents:
                        break
                    for ps, line in parents:
                        lines.append(line)
                        mentioned.add(ps)
                    current = parents[0][0]
        mentioned.update(subjects)
        for s in subjects:
            first = rows[s]
            lines += range(first, first + len(out[s]))
        label_rows, onto_labels = g.label_rows, self.onto_labels
        onto: list[tuple[int, bytes, ox.Triple]] = []
        for n in mentioned:
            found = label_rows.get(n)
            if found is not None:
                lines += found
            more = onto_labels.get(n)
            if more is not None:
                onto += more
        onto.sort(key=lambda x: (x[0], x[1]))
        return sorted(set(lines)), onto

    def describe(self, iri: str) -> tuple[bytes, list[ox.Quad | ox.Triple]]:
        """The entity's description: N-Triples in canonical order, and its triples in that
        order; empty when the graph holds no triple about `iri`."""
        facts, onto = self.lines(iri)
        g = self.g
        offsets = g.offsets
        text = list(map(g.nt.__getitem__, map(slice, map(offsets.__getitem__, facts),
                                                map(offsets.__getitem__, map((1).__add__, facts)))))
        triples: list[ox.Quad | ox.Triple] = list(map(g.quads.__getitem__, facts))
        for place, line, triple in reversed(onto):  # a few: the labels of the classes mentioned
            at = bisect.bisect_left(facts, place)
            text.insert(at, line)
            triples.insert(at, triple)
        return b"".join(text), triples


def entity_description(g: Graph, iri: str) -> bytes:
    """One entity's description (canonical N-Triples); `DataFiles` for many."""
    return _Describer(g).describe(iri)[0]


class DataFiles(_Describer):
    """Writes the data files of the entities of one graph, one entity at a time."""

    def __init__(self, g: Graph, files) -> None:
        super().__init__(g)
        self.files = files

    def write(self, iri: str) -> bytes:
        """Write `id/<slug>.ttl` and `.jsonld`; returns the JSON-LD (the page embeds it)."""
        nt, triples = self.describe(iri)
        slug = _slug(iri)
        self.files.write(f"id/{slug}.ttl", "text/turtle", turtle_bytes(nt, triples=triples))
        jsonld = jsonld_bytes(nt, triples=triples)
        self.files.write(f"id/{slug}.jsonld", "application/ld+json", jsonld)
        return jsonld
