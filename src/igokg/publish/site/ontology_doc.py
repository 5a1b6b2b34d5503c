"""Ontology documentation generated from the ontology itself."""

from __future__ import annotations

import pyoxigraph as ox

from igokg.namespaces import (
    DCT,
    IGO,
    ONTOLOGY,
    OWL,
    RDF,
    RDF_TYPE,
    RDFS,
    SKOS,
    WD,
    compact,
)
from igokg.publish.site.graph import SKOS_DEF, Graph, _key
from igokg.publish.site.links import Links

ONTO_KINDS = [
    ("Classes", [OWL + "Class"]),
    ("Object properties", [OWL + "ObjectProperty"]),
    ("Datatype properties", [OWL + "DatatypeProperty"]),
    ("Annotation properties", [OWL + "AnnotationProperty"]),
    ("Datatypes", [RDFS + "Datatype"]),
    # skos:Concept: the text extractions, COW's codes, the ways an organization ends, ranks and rules
    ("Concept schemes and concepts", [SKOS + "ConceptScheme", IGO + "Role", IGO + "StatementKind", IGO + "Medium",
                                      IGO + "ReportingMode", SKOS + "Concept"]),
]


def _onto_value(g: Graph, links: Links, term: object) -> dict:
    if isinstance(term, ox.BlankNode):
        union = g.onto_values(term, OWL + "unionOf")
        if union:
            items, node = [], union[0]
            while isinstance(node, (ox.BlankNode, ox.NamedNode)) and node != ox.NamedNode(RDF + "nil"):
                first = g.onto_values(node, RDF + "first")
                if not first:
                    break
                items.append(links.term(first[0]))
                rest = g.onto_values(node, RDF + "rest")
                node = rest[0] if rest else None
            return {"kind": "union", "items": items}
        return {"kind": "literal", "text": "(anonymous)", "lang": None, "precision": ""}
    return links.term(term)


def _ontology_terms(g: Graph, links: Links) -> tuple[dict, list[dict]]:
    subjects = sorted((s for s in g.onto if isinstance(s, ox.NamedNode) and s.value.startswith(IGO)), key=_key)
    uses = g.uses
    sections = []
    placed: set[str] = set()
    for title, kinds in ONTO_KINDS:
        terms = []
        for s in subjects:
            types = {t.value for t in g.onto_values(s, RDF_TYPE)}
            if s.value in placed or not (types & set(kinds)):
                continue
            placed.add(s.value)

            def vals(p: str) -> list[dict]:
                return [_onto_value(g, links, o) for o in g.onto_values(s, p)]

            local = s.value[len(IGO):]
            supers = vals(RDFS + "subClassOf") + vals(RDFS + "subPropertyOf")
            terms.append({
                "local": local,
                "iri": s.value,
                "label": g.label(s.value),
                "definition": " ".join(o.value for o in g.onto_values(s, SKOS_DEF)),
                "characteristics": sorted(compact(t).split(":", 1)[1] for t in types
                                          if t not in (OWL + "ObjectProperty", OWL + "DatatypeProperty",
                                                       OWL + "AnnotationProperty", OWL + "Class")),
                "internal_supers": [v for v in supers if v.get("iri", "").startswith(IGO)],
                "alignments": [v for v in supers if not v.get("iri", "").startswith(IGO)],
                "equivalent": vals(OWL + "equivalentClass") + vals(OWL + "equivalentProperty"),
                "domain": vals(RDFS + "domain"),
                "range": vals(RDFS + "range"),
                "wikidata": [{"id": o.value[len(WD):], "href": o.value}
                             for p in (IGO + "wikidataProperty", IGO + "wikidataClass")
                             for o in g.onto_values(s, p)],
                "broader": vals(SKOS + "broader"),
                "scheme": vals(SKOS + "inScheme"),
                "uses": uses.get(s.value, 0),
                "pages": sum(1 for e in g.instances(s.value) if e in links.entities),
                "is_class": OWL + "Class" in types,
                "subs": sorted(
                    ({"local": x.value[len(IGO):], "label": g.label(x.value)}
                     for x, pos in g.onto.items()
                     if isinstance(x, ox.NamedNode) and x.value.startswith(IGO)
                     and any(p in (RDFS + "subClassOf", RDFS + "subPropertyOf") and o == s for p, o in pos)),
                    key=lambda d: d["local"]),
            })
        sections.append({"title": title, "terms": terms})
    node = ox.NamedNode(ONTOLOGY)

    def first(p: str) -> str:
        v = g.onto_values(node, p)
        return v[0].value if v else ""

    header = {"iri": ONTOLOGY, "title": first(DCT + "title"), "description": first(DCT + "description"),
              "version": first(OWL + "versionInfo"), "version_iri": first(OWL + "versionIRI"),
              "license": first(DCT + "license")}
    return header, sections
