"""Discovery over plain HTTP (what curl sees): Service Description, /.well-known/void, Link headers,
JSON as JSON-LD, and SPARQLWrapper with every `format=` it sends."""

from __future__ import annotations

import http.client
import json
import warnings

import pyoxigraph as ox
import pytest
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDF, RDFXML, TSV, TURTLE, XML, SPARQLWrapper
from support.serve import build_test_release, start_server, stop_server

ID = "https://w3id.org/igokg/id/"
IGO = "https://w3id.org/igokg/ontology#"
SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    served = start_server(build_test_release(tmp_path_factory.mktemp("discovery") / "dist"))
    yield served
    stop_server(served)


def get(server, path: str, accept: str | None = None, method: str = "GET", body: bytes | None = None, **headers):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    h = dict(headers)
    if accept:
        h["Accept"] = accept
    try:
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


# --------------------------------------------------------------------------- Service Description


@pytest.mark.parametrize("accept, media, fmt", [
    (None, "text/turtle", ox.RdfFormat.TURTLE),
    ("*/*", "text/turtle", ox.RdfFormat.TURTLE),
    ("text/turtle", "text/turtle", ox.RdfFormat.TURTLE),
    ("application/rdf+xml", "application/rdf+xml", ox.RdfFormat.RDF_XML),
    ("application/ld+json", "application/ld+json", ox.RdfFormat.JSON_LD),
    ("application/json", "application/ld+json", ox.RdfFormat.JSON_LD),
    ("application/n-triples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
])
def test_get_sparql_without_a_query_is_the_service_description(server, accept, media, fmt):
    status, headers, body = get(server, "/sparql", accept)
    assert status == 200
    assert headers["content-type"].split(";")[0] == media
    graph = {(t.subject.value, t.predicate.value, t.object.value) for t in ox.parse(body, format=fmt)}
    endpoint = server.url + "/sparql"
    assert (endpoint, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", SD + "Service") in graph
    assert (endpoint, SD + "endpoint", endpoint) in graph
    assert (endpoint, SD + "supportedLanguage", SD + "SPARQL11Query") in graph
    assert (endpoint, SD + "resultFormat", "http://www.w3.org/ns/formats/SPARQL_Results_JSON") in graph
    triples = next(int(o) for s, p, o in graph if p == VOID + "triples")
    count = json.loads(get(server, "/sparql?query=SELECT%20(COUNT(*)%20AS%20%3Fn)%20%7B%3Fs%20%3Fp%20%3Fo%7D",
                           "application/sparql-results+json")[2])["results"]["bindings"][0]["n"]["value"]
    assert triples == int(count)  # the default graph's size, as the endpoint counts it


def test_a_browser_without_a_query_gets_the_editor_not_the_description(server):
    status, headers, body = get(server, "/sparql", BROWSER)
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert b"SPARQL endpoint" in body


def test_a_program_asking_results_without_a_query_gets_400(server):
    status, _, body = get(server, "/sparql", "application/sparql-results+json")
    assert status == 400 and b"missing query" in body
    status, _, body = get(server, "/sparql", "text/turtle", method="POST", body=b"",
                          **{"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 400 and b"missing query" in body


# --------------------------------------------------------------------------- /.well-known/void


@pytest.mark.parametrize("accept, fmt", [(None, ox.RdfFormat.TURTLE), ("application/json", ox.RdfFormat.JSON_LD),
                                         ("application/rdf+xml", ox.RdfFormat.RDF_XML)])
def test_well_known_void_is_the_release_void_with_this_endpoint(server, accept, fmt):
    status, headers, body = get(server, "/.well-known/void", accept)
    assert status == 200
    graph = {(t.subject.value, t.predicate.value, t.object.value) for t in ox.parse(body, format=fmt)}
    dataset = "https://w3id.org/igokg/dataset"
    assert (dataset, VOID + "sparqlEndpoint", server.url + "/sparql") in graph
    assert (dataset, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", VOID + "Dataset") in graph
    assert any(p == "http://www.w3.org/ns/dcat#distribution" for s, p, o in graph)


def test_well_known_void_sends_a_browser_to_the_front_page(server):
    status, headers, _ = get(server, "/.well-known/void", BROWSER)
    assert status == 303 and headers["location"] == "/"


# --------------------------------------------------------------------------- entities: Link, JSON


def test_entity_responses_link_to_every_representation(server):
    for path, accept in (("/id/csto", "text/turtle"), ("/id/csto.ttl", None), ("/id/csto.nt", None),
                         ("/id/csto.html", None)):
        status, headers, _ = get(server, path, accept)
        assert status in (200, 303), path
        link = headers["link"]
        for target, media in (("/id/csto.ttl", "text/turtle"), ("/id/csto.jsonld", "application/ld+json"),
                              ("/id/csto.nt", "application/n-triples"), ("/id/csto.rdf", "application/rdf+xml"),
                              ("/id/csto.html", "text/html")):
            assert f'<{target}>; rel="alternate"; type="{media}"' in link, (path, link)


def test_application_json_gets_json_ld_where_a_graph_is_asked_for(server):
    status, headers, _ = get(server, "/id/csto", "application/json")
    assert status == 303 and headers["location"] == "/id/csto.jsonld"
    status, headers, _ = get(server, "/ontology", "application/json")
    assert status == 303 and headers["location"] == "/ontology.jsonld"
    query = f"CONSTRUCT WHERE {{ <{ID}csto> ?p ?o }}".replace(" ", "%20").replace("{", "%7B").replace("}", "%7D")
    status, headers, body = get(server, "/sparql?query=" + query, "application/json")
    assert status == 200
    triples = list(ox.parse(body, format=ox.RdfFormat.JSON_LD))
    assert any(t.subject.value == ID + "csto" for t in triples)
    # a SELECT asked as application/json stays SPARQL-JSON
    status, headers, body = get(server, "/sparql?query=ASK%7B%7D", "application/json")
    assert json.loads(body) == {"head": {}, "boolean": True}


# --------------------------------------------------------------------------- SPARQLWrapper, every format


SELECT = f"PREFIX igo: <{IGO}> SELECT ?m WHERE {{ ?m igo:organization <{ID}csto> }} ORDER BY ?m"
ASK = f"ASK {{ <{ID}csto> ?p ?o }}"
CONSTRUCT = f"CONSTRUCT {{ <{ID}csto> ?p ?o }} WHERE {{ <{ID}csto> ?p ?o }}"
DESCRIBE = f"DESCRIBE <{ID}csto>"
ALL_FORMATS = (JSON, XML, TURTLE, N3, RDF, RDFXML, CSV, TSV, JSONLD)


@pytest.mark.parametrize("fmt", ALL_FORMATS)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_every_format_for_a_select(server, fmt, method):
    client = SPARQLWrapper(server.sparql)
    client.setMethod(method)
    client.setQuery(SELECT)
    client.setReturnFormat(fmt)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # SPARQLWrapper warns when a SELECT asks for RDF
        result = client.query()
        data = result.convert()
    members = ID.encode() + b"membership-csto-armenia"
    if fmt in (CSV, TSV):
        assert members in data
    elif fmt == XML:
        assert members in data.toxml().encode()
    else:  # JSON, and the graph formats, which a SELECT cannot have: SPARQL-JSON, not a 406
        assert any(b["m"]["value"] == members.decode() for b in data["results"]["bindings"])


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_sparqlwrapper_every_format_for_an_ask(server, fmt):
    client = SPARQLWrapper(server.sparql)
    client.setQuery(ASK)
    client.setReturnFormat(fmt)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        data = client.query().convert()
    if fmt in (CSV, TSV):
        assert b"true" in data.lower()
    elif fmt == XML:
        assert "true" in data.toxml()
    else:
        assert data["boolean"] is True


@pytest.mark.parametrize("fmt", ALL_FORMATS)
@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE], ids=["construct", "describe"])
def test_sparqlwrapper_every_format_for_a_graph(server, fmt, query):
    client = SPARQLWrapper(server.sparql)
    client.setQuery(query)
    client.setReturnFormat(fmt)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = client.query()
        ctype = result.info()["content-type"]
        data = result.convert()
    if hasattr(data, "triples"):  # rdflib Graph (XML, RDF, RDF+XML, JSON-LD, JSON)
        subjects = {str(s) for s, _, _ in data}
    else:  # bytes: Turtle / N3, or CSV/TSV, which a graph cannot have: Turtle
        assert ctype.startswith("text/turtle"), ctype
        subjects = {t.subject.value for t in ox.parse(data, format=ox.RdfFormat.TURTLE)}
    assert ID + "csto" in subjects
