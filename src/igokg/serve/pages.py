"""The server's own HTML pages: the query editor, a query's results, the helpers they share.

Input: the release folder (example queries, VoID, ontology), the editor's assets, a query's
answer. Output: HTML bytes, rendered from `templates/serve_*.html`.

* The **query editor** is YASGUI (assets.py) set up for this graph: the release's example
  queries in a menu (each opens in a tab), the project's prefixes known to the editor and to
  the results table (compact names), completion of the properties and classes the graph
  uses (from VoID and the ontology; the bundled completers would fetch other sites), links
  from result IRIs to this server's entity pages, `#query=` share links, CSV/JSON downloads.
  Without JavaScript (or without the CDN) a plain form posts the query instead.
* A **results page** is what a browser gets for `/sparql?query=…`: a table with compact
  names, language tags and datatypes shown as such, links to entity pages, and links to the
  same results as CSV and JSON and to the editor.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from igokg.namespaces import BASE, PREFIXES, VOID, compact
from igokg.serve.assets import EditorAssets

#: How many rows a results page shows; the downloads hold every row.
PAGE_ROWS = 1000
RESULT_DOWNLOADS = (("CSV", "csv"), ("JSON", "json"), ("TSV", "tsv"), ("XML", "xml"))
GRAPH_DOWNLOADS = (("Turtle", "turtle"), ("N-Triples", "ntriples"), ("JSON-LD", "jsonld"), ("RDF/XML", "rdfxml"))

DEFAULT_QUERY = "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in ("igo", "rdfs", "skos")) + """
# Every intergovernmental organization, with its name and abbreviations
SELECT ?organization ?name ?abbreviation WHERE {
  ?organization a igo:IntergovernmentalOrganization ;
      rdfs:label ?name .
  OPTIONAL { ?organization skos:altLabel ?abbreviation }
}
ORDER BY ?name ?abbreviation
LIMIT 200
"""


def vocabulary(release: Path) -> tuple[list[str], list[str]]:
    """The properties and classes this graph uses (VoID partitions) or declares (the ontology), sorted."""
    properties: set[str] = set()
    classes: set[str] = set()
    void, onto = release / "void.ttl", release / "ontology.ttl"
    if void.is_file():
        for t in ox.parse(void.read_bytes(), format=ox.RdfFormat.TURTLE):
            if t.predicate.value == VOID + "property":
                properties.add(t.object.value)
            elif t.predicate.value == VOID + "class":
                classes.add(t.object.value)
    if onto.is_file():
        owl = "http://www.w3.org/2002/07/owl#"
        for t in ox.parse(onto.read_bytes(), format=ox.RdfFormat.TURTLE, base_iri=BASE + "ontology"):
            if t.predicate.value.endswith("#type") and isinstance(t.subject, ox.NamedNode):
                kind = t.object.value
                if kind in (owl + "ObjectProperty", owl + "DatatypeProperty", owl + "AnnotationProperty"):
                    properties.add(t.subject.value)
                elif kind == owl + "Class":
                    classes.add(t.subject.value)
    return sorted(properties), sorted(classes)


def editor_context(release: Path, examples: list[dict[str, str]], assets: EditorAssets, timeout: float,
                   triples: int) -> dict[str, Any]:
    properties, classes = vocabulary(release)
    config = {
        "endpoint": "/sparql",
        "base": BASE,
        "prefixes": dict(PREFIXES),
        "properties": properties,
        "classes": classes,
        "default_query": DEFAULT_QUERY,
        "examples": examples,
    }
    return {
        "assets": assets, "examples": examples, "timeout": timeout, "triples": triples,
        "endpoint_path": "/sparql", "default_query": DEFAULT_QUERY,
        "config_json": json.dumps(config, ensure_ascii=False).replace("</", "<\\/"),
    }


def _cell(term: dict | None) -> dict | None:
    """One SPARQL-JSON term as the results table shows it."""
    if term is None:
        return None
    kind, value = term.get("type"), term.get("value", "")
    if kind == "uri":
        href = "/" + value[len(BASE):] if value.startswith(BASE) else value
        shown = compact(value)
        return {"kind": "iri", "iri": value, "href": href, "text": value if shown.startswith("<") else shown}
    if kind == "bnode":
        return {"kind": "bnode", "text": value}
    datatype = term.get("datatype")
    shown = None
    if datatype and datatype != "http://www.w3.org/2001/XMLSchema#string":
        shown = compact(datatype)
    return {"kind": "literal", "text": value, "lang": term.get("xml:lang"), "datatype": shown}


def results_context(query: str, status: int, ctype: str, body: bytes) -> dict[str, Any]:
    """What `serve_results.html` needs, from the endpoint's answer to the query."""
    ctx: dict[str, Any] = {"query": query, "status": status, "error": None, "kind": "select", "rows": [],
                           "variables": [], "count": 0, "downloads": RESULT_DOWNLOADS}
    if status != 200:
        ctx["error"] = body.decode("utf-8", "replace").strip()
        return ctx
    if "json" not in ctype:  # a graph, as Turtle
        text = body.decode("utf-8", "replace")
        ctx.update(kind="graph", graph=text, downloads=GRAPH_DOWNLOADS,
                   count=sum(1 for _ in ox.parse(body, format=ox.RdfFormat.TURTLE)))
        return ctx
    data = json.loads(body)
    if "boolean" in data:
        ctx.update(kind="boolean", boolean=bool(data["boolean"]))
        return ctx
    variables = data["head"]["vars"]
    bindings = data["results"]["bindings"]
    ctx.update(variables=variables, count=len(bindings),
               rows=[[_cell(b.get(v)) for v in variables] for b in bindings[:PAGE_ROWS]])
    return ctx
