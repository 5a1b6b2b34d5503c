"""The data about one entity: its symmetric concise bounded description, as linked-data users expect.

Input: a pyoxigraph store holding the facts and the ontology in its default graph (a loaded
release, as `igokg serve` has it, or the facts of a build), and an entity IRI. Output: the
entity's description, distinct triples in canonical order:

* **outgoing**: every triple about the entity and, recursively, about the skolemized nodes
  that hang off it (`<entity>#signature-…`, and below those `<…>.<pred>-…`): what a blank
  node would have been, it is described with its owner;
* **incoming**: every triple that points at the entity (the memberships of an organization,
  the posts in it, the partnerships it is in). When the subject is itself a skolemized node
  (a signature made on behalf of the CSTO, inside an agreement), that node is described too
  (its own triples and those of its children) and so is the chain of triples that links it
  to its owning entity (`id:mou-2007-csto-sco igo:signature <…#signature-…>`);
* **labels**: the `rdfs:label` and `skos:prefLabel` of every IRI the triples above mention
  (subjects and objects, classes and concepts from the ontology included), in every
  language, so a client can name what it shows without another request.

This is the symmetric CBD of the W3C member submission (Stickler, 2005), with our skolemized
nodes in the place of blank nodes, plus labels as DBpedia and LodView give them. One
definition, used by `igokg serve` (`/id/<slug>.nt`, `.rdf`) and by the site writer
(`id/<slug>.ttl`, `.jsonld`), so every served format of an entity holds the same triples.
"""

from __future__ import annotations

import pyoxigraph as ox

from igokg.namespaces import ID, RDFS, SKOS
from igokg.rdf import sort_triples

__all__ = ["describe", "LABEL_PREDICATES", "owner_of"]

LABEL_PREDICATES = (ox.NamedNode(RDFS + "label"), ox.NamedNode(SKOS + "prefLabel"))
_DEFAULT = ox.DefaultGraph()


def owner_of(iri: str) -> str | None:
    """The entity a skolemized node belongs to (`id:x#sig-1.att-2` -> `id:x`); None for an entity."""
    if iri.startswith(ID) and "#" in iri:
        return iri.split("#", 1)[0]
    return None


def _below(node: str, iri: str) -> bool:
    """Whether `iri` is a skolemized descendant of `node` (an entity or a skolemized node)."""
    return iri.startswith(node + ("." if "#" in node else "#"))


def describe(store: ox.Store, iri: str, labels: dict[ox.NamedNode, list[ox.Triple]] | None = None) -> list[ox.Triple]:
    """The symmetric concise bounded description of `iri` (see the module docstring).

    Empty when the store holds no triple about `iri` (an IRI that is only pointed at is not
    an entity of this graph). `labels` is a cache of label triples by node, for callers that
    describe many entities of one store (the site writer).
    """
    entity = ox.NamedNode(iri)
    out: set[ox.Triple] = set()
    if not _subtree(store, entity, out):
        return []
    for q in store.quads_for_pattern(None, None, entity, _DEFAULT):
        s = q.subject
        if isinstance(s, ox.NamedNode) and (s == entity or _below(iri, s.value)):
            continue  # already there: the entity's own nodes
        out.add(q.triple)
        if isinstance(s, ox.NamedNode) and owner_of(s.value) is not None:
            _subtree(store, s, out)
            _chain_to_owner(store, s, out)
    cache = labels if labels is not None else {}
    mentioned = {t.subject for t in out} | {t.object for t in out if isinstance(t.object, ox.NamedNode)}
    for node in mentioned:
        if not isinstance(node, ox.NamedNode):
            continue
        found = cache.get(node)
        if found is None:
            found = [q.triple for p in LABEL_PREDICATES for q in store.quads_for_pattern(node, p, None, _DEFAULT)]
            cache[node] = found
        out.update(found)
    return sort_triples(out)


def _subtree(store: ox.Store, node: ox.NamedNode, out: set[ox.Triple]) -> bool:
    """The triples of `node` and, recursively, of its skolemized children; whether it had any."""
    todo, seen, found = [node], {node.value}, False
    while todo:
        current = todo.pop()
        for q in store.quads_for_pattern(current, None, None, _DEFAULT):
            found = True
            out.add(q.triple)
            o = q.object
            if isinstance(o, ox.NamedNode) and o.value not in seen and _below(current.value, o.value):
                seen.add(o.value)
                todo.append(o)
    return found


def _chain_to_owner(store: ox.Store, node: ox.NamedNode, out: set[ox.Triple]) -> None:
    """The triples that link a skolemized node to its parent, and that one to its own, up to the entity."""
    current = node
    while owner_of(current.value) is not None:
        parents = [q for q in store.quads_for_pattern(None, None, current, _DEFAULT)
                   if isinstance(q.subject, ox.NamedNode) and _below(q.subject.value, current.value)]
        if not parents:
            return
        for q in parents:
            out.add(q.triple)
        current = parents[0].subject
