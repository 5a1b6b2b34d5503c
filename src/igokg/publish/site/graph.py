"""The graph indexed for page building: facts and ontology by subject and by object, labels."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pyoxigraph as ox

from igokg.namespaces import (
    DCT,
    ID,
    IGO,
    OWL_SAMEAS,
    RDF,
    RDF_TYPE,
    RDFS,
    SKOS,
    WD,
    compact,
)
from igokg.sources import Sources, fact_triples

__all__ = ["SITE_PAGES"]

#: The top-level files this writer owns (besides id/, static/ and timeline-*.svg).
SITE_PAGES = ("index.html", "entities.html", "ontology.html", "queries.html", "matrix.svg")

RDFS_LABEL = RDFS + "label"
SKOS_PREF = SKOS + "prefLabel"
SKOS_ALT = SKOS + "altLabel"
SKOS_NOTE = SKOS + "note"
SKOS_DEF = SKOS + "definition"

# Roles, strongest first: a founding membership also carries igo:Member, and is drawn as founding.
ROLE_ORDER = (IGO + "FoundingMember", IGO + "Member", IGO + "Observer", IGO + "DialoguePartner")
ROLE_KEY = {
    IGO + "FoundingMember": "founding",
    IGO + "Member": "member",
    IGO + "Observer": "observer",
    IGO + "DialoguePartner": "partner",
}
ROLE_WORDS = {
    "founding": "a founding member",
    "member": "a member",
    "observer": "an observer",
    "partner": "a dialogue partner",
}
# Facts that are relations rather than things: they have no Wikidata item of their own.
NO_ITEM_CLASSES = {
    IGO + c
    for c in ("Attestation", "Membership", "Partnership", "PostHolding", "Signature", "Participation", "SourceDocument",
              "Statement", "SourcedTriple", "BackgroundKnowledge")
}
# Shown elsewhere on an entity page (header, notes, sources), not in the table of properties.
SPECIAL_PREDICATES = {RDF_TYPE, OWL_SAMEAS, SKOS_NOTE, IGO + "attestation"}
PREDICATE_ORDER = [RDFS_LABEL, SKOS_PREF, SKOS_ALT, DCT + "title", SKOS_DEF]

MEDIA_TYPES = {
    ".nt.gz": "application/n-triples (gzip)",
    ".nt": "application/n-triples",
    ".ttl": "text/turtle",
    ".jsonld": "application/ld+json",
    ".rdf": "application/rdf+xml",
    ".rq": "application/sparql-query",
    ".csv": "text/csv",
    ".srj": "application/sparql-results+json",
    "-metadata.json": "application/csvm+json",
    ".json": "application/json",
}
DOWNLOAD_NOTES = {
    "igokg.nt.gz": "the facts, sorted N-Triples (gzip)",
    "igokg.ttl": "the facts, Turtle",
    "igokg.jsonld": "the facts, JSON-LD",
    "context.jsonld": "JSON-LD context",
    "ontology.ttl": "the ontology, Turtle",
    "ontology.rdf": "the ontology, RDF/XML",
    "shapes.ttl": "SHACL shapes, Turtle",
    "shapes.rdf": "SHACL shapes, RDF/XML",
    "void.ttl": "VoID / DCAT description of the dataset",
    "SHA256SUMS": "checksums",
    "CHANGES": "changes between releases",
    "panels/": "membership panels for statistics (CSV on the Web)",
    "wikidata/": "differences between the graph and Wikidata",
}






def _key(term: object) -> str:
    """A sort key for RDF terms that is stable across runs (N-Triples form)."""
    return str(term)


@dataclass
class Graph:
    """Facts and ontology, indexed by subject and by object."""

    out: dict[str, list[tuple[str, object]]] = field(default_factory=dict)
    inc: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    facts: list[ox.Triple] = field(default_factory=list)
    onto: dict[object, list[tuple[str, object]]] = field(default_factory=dict)
    by_owner: dict[str, list[ox.Triple]] = field(default_factory=dict)  # entity -> its and its inline nodes' triples
    _types: dict[str, list[str]] = field(default_factory=dict)
    _instances: dict[str, list[str]] = field(default_factory=dict)

    def values(self, s: str, p: str) -> list[object]:
        return [o for pp, o in self.out.get(s, []) if pp == p]

    def iris(self, s: str, p: str) -> list[str]:
        return [o.value for o in self.values(s, p) if isinstance(o, ox.NamedNode)]

    def first(self, s: str, p: str) -> str | None:
        vals = self.values(s, p)
        return vals[0].value if vals else None

    def types(self, s: str) -> list[str]:
        if s not in self._types:
            self._types[s] = self.iris(s, RDF_TYPE)
        return self._types[s]

    def instances(self, cls: str) -> list[str]:
        """Subjects typed `cls` (asserted types), sorted."""
        if cls not in self._instances:
            self._instances[cls] = sorted(s for s in self.out if cls in self.types(s))
        return self._instances[cls]

    def onto_values(self, s: object, p: str) -> list[object]:
        return [o for pp, o in self.onto.get(s, []) if pp == p]

    def label(self, iri: str) -> str:
        for p in (RDFS_LABEL, SKOS_PREF, DCT + "title"):
            v = self.first(iri, p)
            if v:
                return v
        node = ox.NamedNode(iri)
        for p in (RDFS_LABEL, SKOS_PREF):
            vals = self.onto_values(node, p)
            if vals:
                return vals[0].value
        if iri.startswith(WD):
            return "wd:" + iri[len(WD):]
        derived = self._derived_label(iri)
        return derived or compact(iri).strip("<>")

    def _derived_label(self, iri: str) -> str | None:
        """Relation nodes have no rdfs:label; name them from their parts."""
        types = self.types(iri)
        if IGO + "Membership" in types:
            member, org = self.first(iri, IGO + "member"), self.first(iri, IGO + "organization")
            roles = [ROLE_KEY[r] for r in ROLE_ORDER if r in self.iris(iri, IGO + "role")] or ["member"]
            if member and org:
                return f"{self.label(member)}: {ROLE_STYLE[roles[0]]['label']} of the {self.short(org)}"
        if IGO + "PostHolding" in types:
            holder, post = self.first(iri, IGO + "holder"), self.first(iri, IGO + "post")
            if holder and post:
                return f"{self.label(holder)} as {self.label(post)}"
        if IGO + "Attestation" in types:
            source = self.first(iri, IGO + "source")
            date = self.first(iri, IGO + "attestedAt")
            if source:
                publisher = self.first(source, DCT + "publisher")
                by = self.label(publisher) if publisher else self.label(source)
                return f"Attestation by {by}" + (f", {date}" if date else "")
        if IGO + "Participation" in types:
            who = self.first(iri, IGO + "participant")
            if who:
                return f"Participation of {self.label(who)}"
        if IGO + "SourcedTriple" in types:
            s, pred, o = (self.first(iri, RDF + x) for x in ("subject", "predicate", "object"))
            if s and pred and o:
                return f"{self.label(s)} – {self.label(pred)} – {self.label(o)}"
        if IGO + "Signature" in types:
            who = self.first(iri, IGO + "signatory")
            if who:
                return f"Signature of {self.label(who)}"
        return None

    def short(self, iri: str) -> str:
        """An acronym where the data gives one (CSTO), else the label."""
        for v in sorted(self.values(iri, SKOS_ALT), key=_key):
            if re.fullmatch(r"[A-Z]{2,6}", v.value):
                return v.value
        return self.label(iri)


def _index(sources: Sources) -> Graph:
    g = Graph()
    g.facts = sorted(set(fact_triples(sources)), key=lambda t: (_key(t.subject), _key(t.predicate), _key(t.object)))
    for t in g.facts:
        s = t.subject.value
        g.out.setdefault(s, []).append((t.predicate.value, t.object))
        g.by_owner.setdefault(_parent(s), []).append(t)
        if isinstance(t.object, ox.NamedNode):
            g.inc.setdefault(t.object.value, []).append((s, t.predicate.value))
    for rel in sources.ontology_files:
        for q in sources.store.quads_for_pattern(None, None, None, sources.graph_of(rel)):
            g.onto.setdefault(q.subject, []).append((q.predicate.value, q.object))
    for lst in g.onto.values():
        lst.sort(key=lambda po: (po[0], _key(po[1])))
    return g


def _entity_iris(g: Graph) -> list[str]:
    return sorted(s for s in g.out if s.startswith(ID) and "#" not in s and g.types(s))


def _slug(iri: str) -> str:
    return iri[len(ID):]


def _parent(iri: str) -> str:
    return iri.split("#", 1)[0]


ROLE_STYLE = {
    "founding": {"fill": "#1f3f73", "stroke": "#1f3f73", "label": "founding member"},
    "member": {"fill": "#4f83c2", "stroke": "#2b5d99", "label": "member"},
    "observer": {"fill": "#ffffff", "stroke": "#c2571a", "label": "observer"},
    "partner": {"fill": "#ffffff", "stroke": "#2f7d4f", "label": "dialogue partner"},
}
