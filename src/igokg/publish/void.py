"""VoID and DCAT: the release describes itself — counts, partitions, the Wikidata linkset and
every distribution, generated from what the writers said they wrote (so a new writer cannot
be forgotten here).

The statistics are SPARQL aggregates over the fact graphs, run in the store. A triple that
two files state is in two graphs, and a plain COUNT over the graphs counts it twice: when
the graphs hold more quads than the release has distinct triples, the counts run over the
distinct triples instead (slower, and rare)."""

from __future__ import annotations

import hashlib

import pyoxigraph as ox

from igokg.namespaces import (
    BASE,
    DATASET_IRI,
    DCAT,
    DCT,
    ID,
    IGO,
    LICENSE_DATA,
    OWL_SAMEAS,
    RDF_TYPE,
    SKOS,
    SPDX,
    VOID,
    WD,
    XSD,
    compact,
)
from igokg.publish.writers.serialize import write_turtle
from igokg.rdf import sort_ntriples
from igokg.release import VOID_NAME, Written

__all__ = ["write_void"]

WIKIDATA_DATASET = "https://www.wikidata.org/"
IANA = "https://www.iana.org/assignments/media-types/"


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _lit(value, datatype: str | None = None, lang: str | None = None) -> ox.Literal:
    if lang:
        return ox.Literal(str(value), language=lang)
    if datatype:
        return ox.Literal(str(value), datatype=_n(datatype))
    return ox.Literal(str(value))


def _slug(iri: str) -> str:
    shown = compact(iri)
    return shown.replace(":", "-") if not shown.startswith("<") else hashlib.sha256(iri.encode()).hexdigest()[:12]


def write_void(build) -> list[Written]:
    project = build.project
    d = _n(DATASET_IRI)
    t: list[ox.Triple] = []

    def add(s, p, o):
        t.append(ox.Triple(s, _n(p), o))

    add(d, RDF_TYPE, _n(VOID + "Dataset"))
    add(d, RDF_TYPE, _n(DCAT + "Dataset"))
    add(d, DCT + "title", _lit("igokg: the open knowledge graph of intergovernmental organizations", lang="en"))
    add(
        d,
        DCT + "description",
        _lit(
            "Intergovernmental organizations, their memberships (with roles and dates), agreements, events and "
            "office holders, every fact linked to Wikidata and to the source sentence that states it.",
            lang="en",
        ),
    )
    add(d, DCT + "license", _n(LICENSE_DATA))
    add(d, DCAT + "version", _lit(project.version))
    add(d, "http://www.w3.org/2002/07/owl#versionInfo", _lit(project.version))
    if project.issued:
        add(d, DCT + "issued", _lit(project.issued, XSD + "date"))
    add(d, VOID + "uriSpace", _lit(ID))
    add(d, VOID + "vocabulary", _n(IGO))
    add(d, VOID + "exampleResource", _n(ID + "csto"))
    add(d, VOID + "exampleResource", _n(ID + "membership-sco-india"))
    add(d, DCT + "conformsTo", _n(BASE + "shapes"))
    # The pinned third-party sources: those the release rests on, and those it was built without.
    for iri in build.sources.pinned_used:
        add(d, DCT + "source", _n(iri))
    for name in build.sources.skipped_sources:
        add(d, SKOS + "note", _lit(f"Built without the pinned source {name} (--skip-source {name}): none of its facts, "
                                   "nor those of the files that rest on it, are in this release.", lang="en"))

    stats = _statistics(build)
    add(d, VOID + "triples", _lit(build.triple_count(), XSD + "integer"))
    add(d, VOID + "entities", _lit(stats["entities"], XSD + "integer"))
    add(d, VOID + "distinctSubjects", _lit(stats["subjects"], XSD + "integer"))
    add(d, VOID + "distinctObjects", _lit(stats["objects"], XSD + "integer"))
    add(d, VOID + "properties", _lit(len(stats["properties"]), XSD + "integer"))
    add(d, VOID + "classes", _lit(len(stats["classes"]), XSD + "integer"))
    for cls, n in sorted(stats["classes"].items()):
        part = _n(f"{DATASET_IRI}/class/{_slug(cls)}")
        add(d, VOID + "classPartition", part)
        add(part, VOID + "class", _n(cls))
        add(part, VOID + "entities", _lit(n, XSD + "integer"))
    for prop, n in sorted(stats["properties"].items()):
        part = _n(f"{DATASET_IRI}/property/{_slug(prop)}")
        add(d, VOID + "propertyPartition", part)
        add(part, VOID + "property", _n(prop))
        add(part, VOID + "triples", _lit(n, XSD + "integer"))

    ls = _n(DATASET_IRI + "/wikidata-links")
    add(ls, RDF_TYPE, _n(VOID + "Linkset"))
    add(ls, DCT + "title", _lit("owl:sameAs links to Wikidata (verified QIDs only)", lang="en"))
    add(ls, VOID + "subjectsTarget", d)
    add(ls, VOID + "objectsTarget", _n(WIKIDATA_DATASET))
    add(ls, VOID + "linkPredicate", _n(OWL_SAMEAS))
    add(ls, VOID + "triples", _lit(stats["links"], XSD + "integer"))
    add(d, VOID + "subset", ls)
    add(_n(WIKIDATA_DATASET), RDF_TYPE, _n(VOID + "Dataset"))
    add(_n(WIKIDATA_DATASET), VOID + "sparqlEndpoint", _n("https://query.wikidata.org/sparql"))
    add(_n(WIKIDATA_DATASET), VOID + "uriSpace", _lit(WD))

    for w in build.written:
        if not w.distribution:
            continue
        path = build.out / w.path
        dist = _n(f"{DATASET_IRI}/distribution/{w.path}")
        add(d, DCAT + "distribution", dist)
        add(dist, RDF_TYPE, _n(DCAT + "Distribution"))
        if w.title:
            add(dist, DCT + "title", _lit(w.title, lang="en"))
        add(dist, DCAT + "downloadURL", _n(BASE + w.path))
        add(dist, DCAT + "mediaType", _n(IANA + w.media_type))
        if w.compress:
            add(dist, DCAT + "compressFormat", _n(IANA + w.compress))
        add(dist, DCT + "license", _n(LICENSE_DATA))
        add(dist, DCAT + "byteSize", _lit(path.stat().st_size, XSD + "nonNegativeInteger"))
        checksum = _n(f"{DATASET_IRI}/distribution/{w.path}#sha256")
        add(dist, SPDX + "checksum", checksum)
        add(checksum, RDF_TYPE, _n(SPDX + "Checksum"))
        add(checksum, SPDX + "algorithm", _n(SPDX + "checksumAlgorithm_sha256"))
        add(checksum, SPDX + "checksumValue", _lit(build.sha256(w.path), XSD + "hexBinary"))
        if w.media_type == "application/n-triples":
            add(d, VOID + "dataDump", _n(BASE + w.path))

    header = "VoID and DCAT description of this release: counts, partitions, the Wikidata linkset, distributions."
    write_turtle(sort_ntriples(ox.serialize(t, format=ox.RdfFormat.N_TRIPLES)), build.out / VOID_NAME, header=header)
    return [Written(VOID_NAME, "text/turtle", "VoID and DCAT description of this release")]


def _statistics(build) -> dict:
    """Counts for VoID, by SPARQL over the fact graphs (see the module docstring for duplicates)."""
    sources = build.sources
    graphs = " ".join(f"FROM <{sources.graph_of(rel).value}>" for rel in sources.fact_files)
    store = sources.store

    def rows(select: str, where: str, tail: str = "") -> list:
        return list(store.query(f"SELECT {select} {graphs} WHERE {{ {where} }} {tail}"))

    def number(select: str, where: str) -> int:
        return int(rows(f"({select} AS ?n)", where)[0]["n"].value)

    # Each triple once: the graphs themselves, or their distinct triples if a file repeats another's.
    properties, by_class = sources.term_uses()  # (counted once for the vocabulary check and here)
    if sum(properties.values()) != build.triple_count():
        by_property = rows("?p (COUNT(*) AS ?n)", "{ SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }", "GROUP BY ?p")
        properties = {r["p"].value: int(r["n"].value) for r in by_property}
    classes = {c.value: n for c, n in by_class.items()}
    (distinct,) = rows("(COUNT(DISTINCT ?s) AS ?s_) (COUNT(DISTINCT ?o) AS ?o_)", "?s ?p ?o")
    return {
        "properties": properties,
        "classes": classes,
        "subjects": int(distinct["s_"].value),
        "objects": int(distinct["o_"].value),
        "entities": number("COUNT(DISTINCT ?s)",
                           f'?s a ?c FILTER(STRSTARTS(STR(?s), "{ID}") && !CONTAINS(STR(?s), "#"))'),
        "links": number("COUNT(*)", f'{{ SELECT DISTINCT ?s ?o WHERE {{ ?s <{OWL_SAMEAS}> ?o '
                                    f'FILTER(isIRI(?o) && STRSTARTS(STR(?o), "{WD}")) }} }}'),
    }
