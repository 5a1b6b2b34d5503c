"""The IRIs the project mints and the vocabularies it reuses: decided here, once."""

from __future__ import annotations

BASE = "https://w3id.org/igokg/"
IGO = BASE + "ontology#"
ONTOLOGY = BASE + "ontology"
ID = BASE + "id/"
IGOSH = BASE + "shapes#"
WD = "http://www.wikidata.org/entity/"
WDT = "http://www.wikidata.org/prop/direct/"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SH = "http://www.w3.org/ns/shacl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
ORG = "http://www.w3.org/ns/org#"
SCHEMA = "https://schema.org/"
FOAF = "http://xmlns.com/foaf/0.1/"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
SPDX = "http://spdx.org/rdf/terms#"
VANN = "http://purl.org/vocab/vann/"

#: The dataset this project publishes: VoID and DCAT describe it, push loads it into this graph.
DATASET_IRI = BASE + "dataset"
#: Datatype prefix of a literal kept as written during validation (`igokg.shacl.lexical`):
#: "01"^^<urn:igokg:lexical:http://www.w3.org/2001/XMLSchema#integer>.
LEXICAL = "urn:igokg:lexical:"
#: The licence of the ontology and the data.
LICENSE_DATA = "https://creativecommons.org/licenses/by/4.0/"

RDF_TYPE = RDF + "type"
OWL_SAMEAS = OWL + "sameAs"

# Prefixes used in every serialization and query the project writes; order is output order.
PREFIXES: dict[str, str] = {
    "igo": IGO,
    "id": ID,
    "igosh": IGOSH,
    "wd": WD,
    "wdt": WDT,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "dct": DCT,
    "prov": PROV,
    "org": ORG,
    "schema": SCHEMA,
    "foaf": FOAF,
    "sh": SH,
    "void": VOID,
    "dcat": DCAT,
    "spdx": SPDX,
    "vann": VANN,
}


#: Every prefix above as SPARQL PREFIX declarations, to put before a query body.
SPARQL_PREFIXES = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


def compact(iri: str) -> str:
    """`https://w3id.org/igokg/id/csto` -> `id:csto`; IRIs outside the known prefixes stay whole."""
    best = ""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(PREFIXES.get(best, "")):
            local = iri[len(ns):]
            if local and all(c.isalnum() or c in "-_." for c in local) and not local.endswith("."):
                best = prefix
    return f"{best}:{iri[len(PREFIXES[best]):]}" if best else f"<{iri}>"


def expand(name: str) -> str:
    """`id:csto` -> the full IRI; `<iri>` -> iri; anything else is returned as it is."""
    if name.startswith("<") and name.endswith(">"):
        return name[1:-1]
    prefix, sep, local = name.partition(":")
    if sep and prefix in PREFIXES:
        return PREFIXES[prefix] + local
    return name
