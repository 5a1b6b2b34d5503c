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
from igokg.collector import paused
from igokg.rdf import canonical_ntriples
from igokg.sources import Sources

__all__ = ["SITE_PAGES"]

#: The top-level files this writer owns (besides id/, static/ and timeline-*.svg).
SITE_PAGES = ("index.html", "entities.html", "ontology.html", "queries.html", "search.html", "conflicts.html", "matrix.svg")

RDFS_LABEL = RDFS + "label"
SKOS_PREF = SKOS + "prefLabel"
SKOS_ALT = SKOS + "altLabel"
SKOS_NOTE = SKOS + "note"
SKOS_DEF = SKOS + "definition"

# Roles, strongest first: a founding membership also carries igo:Member, and is drawn as founding.
# Associate member is a status of a membership phase (COW IGO v3), never an igo:role of the articles.
ROLE_ORDER = (IGO + "FoundingMember", IGO + "Member", IGO + "AssociateMember", IGO + "Observer", IGO + "DialoguePartner")
ROLE_KEY = {
    IGO + "FoundingMember": "founding",
    IGO + "Member": "member",
    IGO + "AssociateMember": "associate",
    IGO + "Observer": "observer",
    IGO + "DialoguePartner": "partner",
}
ROLE_WORDS = {
    "founding": "a founding member",
    "member": "a member",
    "associate": "an associate member",
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


_NONE: list = []  # no values (shared, as every list `values` returns)


@dataclass
class Graph:
    """Facts and ontology, indexed by subject (and predicate) and by object, with every lookup
    a page makes answered from a dict: page building is linear in the entities."""

    out: dict[str, list[tuple[str, object]]] = field(default_factory=dict)
    inc: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # object -> (subject, predicate), not rdf:type
    triples: int = 0  # distinct fact triples
    uses: dict[str, int] = field(default_factory=dict)  # property or class -> fact triples that use it
    onto: dict[object, list[tuple[str, object]]] = field(default_factory=dict)
    owned: dict[str, list[str]] = field(default_factory=dict)  # entity -> it and its inline nodes, in canonical order
    nt: bytes = b""  # the facts as canonical N-Triples
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)  # subject -> its lines in `nt`
    _by_pred: dict[str, dict[str, list[object]]] = field(default_factory=dict)
    _onto_by_pred: dict[object, dict[str, list[object]]] = field(default_factory=dict)
    _types: dict[str, list[str]] = field(default_factory=dict)
    _instances: dict[str, list[str]] | None = None
    _roles: dict[str, list[str]] = field(default_factory=dict)
    _labels: dict[str, str] = field(default_factory=dict)
    _shorts: dict[str, str] = field(default_factory=dict)
    _subclass: dict[tuple[str, str], bool] = field(default_factory=dict)

    def entity_ntriples(self, iri: str) -> bytes:
        """The lines of an entity and of its inline nodes, in canonical order (a slice of `nt` per
        subject: the graph keeps no triple objects for the data files)."""
        return b"".join(self.nt[a:b] for a, b in (self.spans[s] for s in self.owned.get(iri, ())))

    def values(self, s: str, p: str) -> list[object]:
        """The objects of `s p ?o` in canonical order (the list is shared: do not change it)."""
        idx = self._by_pred.get(s)
        if idx is None:  # (`_index` fills it for every subject: this is for a graph built otherwise)
            idx = self._by_pred[s] = {}
            for pp, o in self.out.get(s, ()):
                idx.setdefault(pp, []).append(o)
        return idx.get(p, _NONE)

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
        if self._instances is None:
            index: dict[str, list[str]] = {}
            for s in sorted(self.out):
                for t in self.types(s):
                    index.setdefault(t, []).append(s)
            self._instances = index
        return self._instances.get(cls, [])

    def onto_values(self, s: object, p: str) -> list[object]:
        idx = self._onto_by_pred.get(s)
        if idx is None:
            idx = self._onto_by_pred[s] = {}
            for pp, o in self.onto.get(s, ()):
                idx.setdefault(pp, []).append(o)
        return idx.get(p, [])

    def is_subclass(self, cls: str, ancestor: str) -> bool:
        """Whether the ontology makes `cls` a (reflexive, transitive) subclass of `ancestor`."""
        key = (cls, ancestor)
        if key not in self._subclass:
            seen, todo, found = set(), [ox.NamedNode(cls)], False
            while todo and not found:
                c = todo.pop()
                if c.value == ancestor:
                    found = True
                elif c not in seen:
                    seen.add(c)
                    todo += [o for o in self.onto_values(c, RDFS + "subClassOf") if isinstance(o, ox.NamedNode)]
            self._subclass[key] = found
        return self._subclass[key]

    def label(self, iri: str) -> str:
        found = self._labels.get(iri)
        if found is None:
            found = self._labels[iri] = self._label(iri)
        return found

    def _label(self, iri: str) -> str:
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

    def membership_roles(self, iri: str) -> list[str]:
        """A membership's role keys, strongest first: its igo:role; for a membership known only by
        its phases (a dataset's), the status of its latest phase; "member" when it has neither.
        Remembered: labels ask for it again and again."""
        if iri not in self._roles:
            roles = [ROLE_KEY[r] for r in ROLE_ORDER if r in self.iris(iri, IGO + "role")]
            if not roles:
                latest = max(self.iris(iri, IGO + "phase"), key=lambda p: (self.phase_first_year(p), p), default=None)
                status = self.first(latest, IGO + "status") if latest else None
                roles = [ROLE_KEY[status]] if status in ROLE_KEY else []
            self._roles[iri] = roles or ["member"]
        return self._roles[iri]

    def phase_first_year(self, phase: str) -> str:
        """The year a phase is first known: its start, else its latest start (the first year coded)."""
        return self.first(phase, IGO + "startDate") or self.first(phase, IGO + "latestStart") or ""

    def _derived_label(self, iri: str) -> str | None:
        """Relation nodes have no rdfs:label; name them from their parts."""
        types = self.types(iri)
        if IGO + "Membership" in types:
            member, org = self.first(iri, IGO + "member"), self.first(iri, IGO + "organization")
            if member and org:
                return f"{self.label(member)}: {ROLE_STYLE[self.membership_roles(iri)[0]]['label']} of the {self.short(org)}"
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
        found = self._shorts.get(iri)
        if found is None:
            found = self._shorts[iri] = next(
                (v.value for v in sorted(self.values(iri, SKOS_ALT), key=_key) if re.fullmatch(r"[A-Z]{2,6}", v.value)),
                None) or self.label(iri)
        return found


@paused()
def _index(sources: Sources, nt: bytes | None = None) -> Graph:
    """The facts from their canonical N-Triples (`nt`, computed here when not given), so every
    list below is in canonical order without a sort in Python; the ontology as loaded.

    The cyclic collector is paused meanwhile (`igokg.collector`): the index is millions of
    lists, tuples and dicts without a cycle (6.0 s with it running, 3.1 s paused, at 1M)."""
    if nt is None:
        nt = canonical_ntriples(sources.store, [sources.graph_of(rel) for rel in sources.fact_files])
    g = Graph(nt=nt)
    uses, inc, out, owned, spans, by_pred = g.uses, g.inc, g.out, g.owned, g.spans, g._by_pred
    predicates: dict[str, str] = {}  # one string per predicate, not one per triple
    last, start, end = None, 0, 0
    find = nt.find
    named = ox.NamedNode
    for q in ox.parse(nt, format=ox.RdfFormat.N_TRIPLES):
        s = q.subject.value
        if s != last:  # a subject's triples are consecutive in canonical order, one per line
            if last is not None:
                spans[last] = (start, end)
            mine = out.setdefault(s, [])
            mine_by = by_pred.setdefault(s, {})  # what `values` reads, made here: not a second pass per subject
            owned.setdefault(_parent(s), []).append(s)
            last, start, lastp = s, end, None
        end = find(b"\n", end) + 1
        p = q.predicate.value
        o = q.object
        if p != lastp:  # (a subject's triples of one predicate are consecutive too)
            lastp = predicates.setdefault(p, p)
            objects = mine_by.setdefault(lastp, [])
        p = lastp  # one string per predicate, not one per triple
        mine.append((p, o))
        objects.append(o)
        if type(o) is named and p != RDF_TYPE:  # (what points at a class is not asked: `instances` is)
            inc.setdefault(o.value, []).append((s, p))
    if last is not None:
        spans[last] = (start, end)
    for po in by_pred.values():  # triples per property, and per class (its rdf:type triples)
        for p, objects in po.items():
            uses[p] = uses.get(p, 0) + len(objects)
        for o in po.get(RDF_TYPE, ()):
            if type(o) is named:
                uses[o.value] = uses.get(o.value, 0) + 1
    g.triples = sum(len(v) for v in out.values())
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
    "associate": {"fill": "#b9d0ec", "stroke": "#2b5d99", "label": "associate member"},
    "observer": {"fill": "#ffffff", "stroke": "#c2571a", "label": "observer"},
    "partner": {"fill": "#ffffff", "stroke": "#2f7d4f", "label": "dialogue partner"},
}
#: Role keys, strongest first (sorting members, choosing what a matrix cell shows).
ROLE_RANK = {key: i for i, key in enumerate(ROLE_STYLE)}
