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

import pyoxigraph as ox

from igokg.describe import owner_of
from igokg.publish.site.graph import RDFS_LABEL, SKOS_PREF, Graph, _slug
from igokg.publish.writers.serialize import jsonld_bytes, turtle_bytes
from igokg.rdf import sort_ntriples

__all__ = ["DataFiles", "entity_description"]

_LABELS = (RDFS_LABEL, SKOS_PREF)


def _below(node: str, iri: str) -> bool:
    """Whether `iri` is a skolemized descendant of `node` (as `igokg.describe` reads the names)."""
    return iri.startswith(node + ("." if "#" in node else "#"))


class _Describer:
    """Describes the entities of one graph; remembers the label lines of every node it met."""

    def __init__(self, g: Graph) -> None:
        self.g = g
        self._labels: dict[str, bytes] = {}

    def label_lines(self, node: str) -> bytes:
        found = self._labels.get(node)
        if found is None:
            g, lines = self.g, []
            named = ox.NamedNode(node)
            for p in _LABELS:
                for o in (*g.values(node, p), *g.onto_values(named, p)):
                    lines.append(f"<{node}> <{p}> {o} .\n")
            found = self._labels[node] = "".join(lines).encode()
        return found

    def describe(self, iri: str) -> bytes:
        """The entity's description as N-Triples in canonical order; empty when the graph holds
        no triple about `iri`."""
        g = self.g
        if iri not in g.spans:
            return b""
        subjects: list[str] = []  # nodes whose every triple is in
        lines: list[str] = []  # single triples (incoming, links to an owner)
        mentioned: set[str] = {iri}

        def subtree(node: str) -> None:
            todo, seen = [node], {node}
            while todo:
                current = todo.pop()
                if current not in g.spans:
                    continue
                subjects.append(current)
                for _p, o in g.out[current]:
                    if type(o) is ox.NamedNode:
                        mentioned.add(o.value)
                        if o.value not in seen and _below(current, o.value):
                            seen.add(o.value)
                            todo.append(o.value)

        subtree(iri)
        for s, p in g.inc.get(iri, ()):
            if s == iri or _below(iri, s):
                continue  # already there: the entity's own nodes
            lines.append(f"<{s}> <{p}> <{iri}> .\n")
            mentioned.add(s)
            if owner_of(s) is not None:
                subtree(s)
                current = s  # the chain of links up to the owning entity
                while owner_of(current) is not None:
                    parents = [(ps, pp) for ps, pp in g.inc.get(current, ()) if _below(ps, current)]
                    if not parents:
                        break
                    for ps, pp in parents:
                        lines.append(f"<{ps}> <{pp}> <{current}> .\n")
                        mentioned.add(ps)
                    current = parents[0][0]
        mentioned.update(subjects)
        chunks = [g.nt[a:b] for a, b in (g.spans[s] for s in subjects)]
        chunks.append("".join(lines).encode())
        chunks += [self.label_lines(n) for n in mentioned]
        return sort_ntriples(b"".join(chunks))


def entity_description(g: Graph, iri: str) -> bytes:
    """One entity's description (canonical N-Triples); `DataFiles` for many."""
    return _Describer(g).describe(iri)


class DataFiles(_Describer):
    """Writes the data files of the entities of one graph, one entity at a time."""

    def __init__(self, g: Graph, files) -> None:
        super().__init__(g)
        self.files = files

    def write(self, iri: str) -> bytes:
        """Write `id/<slug>.ttl` and `.jsonld`; returns the JSON-LD (the page embeds it)."""
        nt = self.describe(iri)
        triples = list(ox.parse(nt, format=ox.RdfFormat.N_TRIPLES))  # parsed once for both (quads: no copies)
        slug = _slug(iri)
        self.files.write(f"id/{slug}.ttl", "text/turtle", turtle_bytes(nt, triples=triples))
        jsonld = jsonld_bytes(nt, triples=triples)
        self.files.write(f"id/{slug}.jsonld", "application/ld+json", jsonld)
        return jsonld
