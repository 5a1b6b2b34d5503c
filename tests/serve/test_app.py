"""igokg serve, started for real on 127.0.0.1 and spoken to over HTTP."""

from __future__ import annotations

import gzip
import hashlib
import http.client
import json
import threading
import time
import urllib.parse

import pyoxigraph as ox
import pytest
from SPARQLWrapper import CSV, JSON, TURTLE, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed
from support.serve import (
    TEST_QUERIES,
    build_test_release,
    embedded_select,
    start_server,
    stop_server,
)

from igokg.serve import negotiate

ID = "https://w3id.org/igokg/id/"
IGO = "https://w3id.org/igokg/ontology#"


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    out = build_test_release(tmp_path_factory.mktemp("serve") / "dist")
    (out / "about-test.html").write_text(
        '<!doctype html><p><a href="https://w3id.org/igokg/id/csto">CSTO</a> '
        "https://w3id.org/igokg/id/csto</p>" + "<!-- padding -->" * 200,
        encoding="utf-8",
    )
    return out


@pytest.fixture(scope="module")
def server(release):
    served = start_server(release)
    yield served
    stop_server(served)


def request(server, method: str, path: str, headers: dict | None = None, body: bytes | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def get(server, path: str, accept: str | None = None, **headers):
    h = {k.replace("_", "-"): v for k, v in headers.items()}
    if accept:
        h["Accept"] = accept
    return request(server, "GET", path, h)


def q(text: str) -> str:
    return "/sparql?query=" + urllib.parse.quote(text)


# --------------------------------------------------------------------------- SPARQL protocol


def test_sparqlwrapper_select_gets_the_same_rows_as_the_embedded_store(server, release):
    query = TEST_QUERIES["members-of-csto"]
    client = SPARQLWrapper(server.sparql)
    client.setQuery(query)
    client.setReturnFormat(JSON)
    got = client.query().convert()
    rows = [{k: v["value"] for k, v in b.items()} for b in got["results"]["bindings"]]
    expected = embedded_select(release, query)
    assert rows == expected
    assert {"state": ID + "armenia"} in rows or len(rows) >= 3


def test_sparqlwrapper_ask_and_construct(server):
    client = SPARQLWrapper(server.sparql)
    client.setQuery(f"ASK {{ <{ID}csto> a <{IGO}IntergovernmentalOrganization> }}")
    client.setReturnFormat(JSON)
    assert client.query().convert()["boolean"] is True

    client = SPARQLWrapper(server.sparql)
    client.setQuery(f"CONSTRUCT {{ <{ID}csto> ?p ?o }} WHERE {{ <{ID}csto> ?p ?o }}")
    client.setReturnFormat(TURTLE)
    data = client.query().convert()
    triples = list(ox.parse(data, format=ox.RdfFormat.TURTLE))
    assert triples and all(t.subject == ox.NamedNode(ID + "csto") for t in triples)


def test_sparqlwrapper_post_and_csv(server):
    client = SPARQLWrapper(server.sparql)
    client.setMethod("POST")
    client.setQuery(TEST_QUERIES["organizations"])
    client.setReturnFormat(CSV)
    text = client.query().convert().decode()
    assert text.splitlines()[0].strip() == "org"
    assert ID + "csto" in text


@pytest.mark.parametrize(
    "accept, media, marker",
    [
        ("application/sparql-results+json", "application/sparql-results+json", b'"head"'),
        ("application/sparql-results+xml", "application/sparql-results+xml", b"<sparql"),
        ("text/csv", "text/csv", b"org\r\n"),
        ("text/tab-separated-values", "text/tab-separated-values", b"?org\n"),
        ("text/html;q=0.9, text/csv", "text/csv", b"org\r\n"),
    ],
)
def test_select_results_follow_accept(server, accept, media, marker):
    status, headers, body = get(server, q(TEST_QUERIES["organizations"]), accept)
    assert status == 200
    assert headers["content-type"].startswith(media)
    assert marker in body


@pytest.mark.parametrize(
    "accept, fmt",
    [
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
    ],
)
def test_construct_results_follow_accept(server, accept, fmt):
    status, headers, body = get(server, q(f"CONSTRUCT WHERE {{ <{ID}csto> ?p ?o }}"), accept)
    assert status == 200
    assert headers["content-type"].startswith(accept)
    triples = list(ox.parse(body, format=fmt))
    assert any(t.predicate == ox.NamedNode("http://www.w3.org/2002/07/owl#sameAs") for t in triples)


def test_unsupportable_accept_gets_406(server):
    status, _, body = get(server, q("SELECT * { ?s ?p ?o } LIMIT 1"), "image/png")
    assert status == 406
    assert b"application/sparql-results+json" in body
    status, _, _ = get(server, q("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1"), "text/csv")
    assert status == 406


def test_post_form_and_post_query_body(server):
    query = TEST_QUERIES["organizations"]
    s1, _, b1 = request(server, "POST", "/sparql", {"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/csv"},
                        urllib.parse.urlencode({"query": query}).encode())
    s2, _, b2 = request(server, "POST", "/sparql", {"Content-Type": "application/sparql-query", "Accept": "text/csv"},
                        query.encode())
    assert s1 == s2 == 200
    assert b1 == b2 and ID.encode() + b"csto" in b1


def test_update_is_refused_with_a_message(server):
    update = f"INSERT DATA {{ <{ID}x> <{IGO}p> 1 }}"
    s1, _, b1 = request(server, "POST", "/sparql", {"Content-Type": "application/x-www-form-urlencoded"},
                        urllib.parse.urlencode({"update": update}).encode())
    s2, _, b2 = request(server, "POST", "/sparql", {"Content-Type": "application/sparql-update"}, update.encode())
    assert s1 == s2 == 403
    assert b"read-only" in b1 and b"read-only" in b2
    # and nothing changed
    status, _, body = get(server, q(f"ASK {{ <{ID}x> ?p ?o }}"), "application/sparql-results+json")
    assert json.loads(body)["boolean"] is False


def test_malformed_query_gets_400_with_the_parser_message(server):
    status, _, body = get(server, q("SELECT ?x WHERE { ?x ?y }"))
    assert status == 400
    assert b"malformed query" in body and b"1:26" in body  # the parser's position
    client = SPARQLWrapper(server.sparql)
    client.setQuery("SELEC nothing")
    with pytest.raises(QueryBadFormed):
        client.query()


def test_oversized_body_gets_413(server):
    big = b"query=" + b"%20" * (1 << 20)
    status, _, body = request(server, "POST", "/sparql", {"Content-Type": "application/x-www-form-urlencoded"}, big)
    assert status == 413
    assert b"larger than" in body


def test_browser_gets_the_query_editor_with_the_examples(server, release):
    status, headers, body = get(server, "/sparql", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
    assert status == 200 and headers["content-type"].startswith("text/html")
    page = body.decode()
    for rq in (release / "queries").glob("*.rq"):
        assert rq.stem in page
    # YASGUI from the CDN, pinned by version and sha384, and the CSP allows that one origin
    assert 'src="https://cdn.jsdelivr.net/npm/@zazuko/yasgui@4.6.2/build/yasgui.min.js" integrity="sha384-' in page
    csp = headers["content-security-policy"]
    assert "script-src 'self' https://cdn.jsdelivr.net 'sha256-" in csp
    assert "connect-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert '<header class="site">' in page and 'action="/search"' in page  # the site header, with search
    assert '<form id="plain-form"' in page  # works without JavaScript too


def test_missing_query_for_a_program_is_400(server):
    status, _, body = get(server, "/sparql", "application/sparql-results+json")
    assert status == 400 and b"missing query" in body


def test_cors_is_open_and_preflight_answers(server):
    _, headers, _ = get(server, q("ASK {}"), "application/sparql-results+json", Origin="http://elsewhere.example")
    assert headers["access-control-allow-origin"] == "*"
    status, headers, _ = request(server, "OPTIONS", "/sparql", {
        "Origin": "http://elsewhere.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert status in (200, 204)
    assert "POST" in headers["access-control-allow-methods"]
    assert "content-type" in headers["access-control-allow-headers"].lower()


# --------------------------------------------------------------------------- cool URIs


@pytest.mark.parametrize("accept, ext", [("text/turtle", "ttl"), ("application/ld+json", "jsonld"),
                                         ("application/n-triples", "nt"), ("application/rdf+xml", "rdf")])
def test_entity_iri_redirects_by_accept(server, accept, ext):
    status, headers, _ = get(server, "/id/csto", accept)
    assert status == 303
    assert headers["location"] == f"/id/csto.{ext}"
    assert "accept" in headers["vary"].lower()


def test_entity_iri_redirects_a_browser_to_a_page(server, release):
    status, headers, _ = get(server, "/id/csto", "text/html,application/xhtml+xml,*/*;q=0.8")
    assert status == 303
    expected = "/id/csto.html" if (release / "id" / "csto.html").is_file() else "/id/csto.ttl"
    assert headers["location"] == expected


@pytest.mark.parametrize("ext, fmt", [("ttl", ox.RdfFormat.TURTLE), ("jsonld", ox.RdfFormat.JSON_LD),
                                      ("nt", ox.RdfFormat.N_TRIPLES), ("rdf", ox.RdfFormat.RDF_XML)])
def test_entity_data_is_its_symmetric_concise_bounded_description(server, release, ext, fmt):
    status, headers, body = get(server, f"/id/csto.{ext}")
    assert status == 200
    triples = {(t.subject.value, t.predicate.value, t.object.value) for t in ox.parse(body, format=fmt)}
    csto = ID + "csto"
    assert (csto, "http://www.w3.org/2002/07/owl#sameAs", "http://www.wikidata.org/entity/Q318693") in triples
    # incoming: the memberships of the CSTO
    assert (ID + "membership-csto-armenia", IGO + "organization", csto) in triples
    # a skolemized node pointing at it (a signature on behalf of the CSTO), its own triples and its owner's link
    signatures = {s for s, p, o in triples if p == IGO + "onBehalfOf" and o == csto and s.startswith(ID + "mou-2007-csto-sco#")}
    assert signatures
    sig = signatures.pop()
    assert (ID + "mou-2007-csto-sco", IGO + "signature", sig) in triples
    assert any(s == sig and p == IGO + "signatory" for s, p, o in triples)
    # labels of what it mentions: the agreement, the signatory, the class
    labels = {s for s, p, o in triples if p == "http://www.w3.org/2000/01/rdf-schema#label"}
    assert {ID + "mou-2007-csto-sco", ID + "nikolai-bordyuzha", IGO + "IntergovernmentalOrganization"} <= labels


def test_every_format_of_an_entity_holds_the_same_triples(server):
    def triples(ext, fmt):
        body = get(server, f"/id/csto.{ext}")[2]
        return {(t.subject.value, t.predicate.value, str(t.object)) for t in ox.parse(body, format=fmt)}

    nt = triples("nt", ox.RdfFormat.N_TRIPLES)
    assert len(nt) > 50
    assert triples("rdf", ox.RdfFormat.RDF_XML) == nt
    assert triples("ttl", ox.RdfFormat.TURTLE) == nt  # the site writer's file, the same definition
    assert triples("jsonld", ox.RdfFormat.JSON_LD) == nt


def test_entity_children_are_included(server, release):
    rows = embedded_select(release, f"SELECT DISTINCT ?c {{ <{ID}csto> ?p ?c FILTER(STRSTARTS(STR(?c), \"{ID}csto#\")) }}")
    status, _, body = get(server, "/id/csto.nt")
    subjects = {t.subject.value for t in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)}
    assert {r["c"] for r in rows} <= subjects


def test_unknown_entity_is_404_with_a_helpful_page(server):
    status, headers, body = get(server, "/id/no-such-thing", "text/html")
    assert status == 404
    assert headers["content-type"].startswith("text/html") and b"/sparql" in body
    assert get(server, "/id/no-such-thing", "text/turtle")[0] == 404
    assert get(server, "/id/no-such-thing.ttl")[0] == 404


def test_ontology_iri_resolves_by_accept(server):
    status, headers, _ = get(server, "/ontology", "text/turtle")
    assert status == 303 and headers["location"] == "/ontology.ttl"
    status, headers, body = get(server, "/ontology.ttl")
    assert status == 200 and headers["content-type"].startswith("text/turtle")
    terms = {t.subject.value for t in ox.parse(body, format=ox.RdfFormat.TURTLE, base_iri="https://w3id.org/igokg/ontology")}
    assert IGO + "Membership" in terms
    status, headers, body = get(server, "/ontology", "application/ld+json")
    assert status == 303 and headers["location"] == "/ontology.jsonld"
    status, headers, body = get(server, "/ontology.jsonld")
    assert status == 200 and IGO.encode() + b"Membership" in body


def test_links_to_the_base_iri_point_at_this_server_in_html(server):
    status, _, body = get(server, "/about-test.html")
    assert status == 200
    assert b'href="/id/csto"' in body
    assert b"https://w3id.org/igokg/id/csto</p>" in body  # displayed IRIs stay as published


# --------------------------------------------------------------------------- downloads


def test_dump_is_served_as_gzip_file_not_reencoded(server, release):
    status, headers, body = get(server, "/igokg.nt.gz", Accept_Encoding="gzip")
    assert status == 200
    assert headers["content-type"] == "application/gzip"
    assert "content-encoding" not in headers
    assert int(headers["content-length"]) == len(body) == (release / "igokg.nt.gz").stat().st_size
    assert gzip.decompress(body).startswith(b"<https://w3id.org/igokg/")


def test_conditional_get_answers_304(server):
    status, headers, _ = get(server, "/ontology.ttl")
    assert status == 200 and headers["etag"] and headers["last-modified"]
    assert get(server, "/ontology.ttl", If_None_Match=headers["etag"])[0] == 304
    assert get(server, "/ontology.ttl", If_Modified_Since=headers["last-modified"])[0] == 304
    assert get(server, "/ontology.ttl", If_None_Match='"other"')[0] == 200


def test_etag_is_the_content_digest_so_a_rebuild_keeps_it(server, release):
    _, headers, _ = get(server, "/ontology.ttl")
    digest = hashlib.sha256((release / "ontology.ttl").read_bytes()).hexdigest()
    assert headers["etag"] == f'"{digest[:32]}"'


CHUNK = 64 * 1024  # Starlette's FileResponse reads a file in chunks of this size


def test_text_is_gzipped_when_the_client_accepts_it(server, release):
    # a file read in one chunk is gzipped whole, with its length (shapes.ttl: 43 KB)
    assert 1024 < (release / "shapes.ttl").stat().st_size < CHUNK
    status, headers, body = get(server, "/shapes.ttl", Accept_Encoding="gzip, deflate")
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert gzip.decompress(body) == (release / "shapes.ttl").read_bytes()
    assert int(headers["content-length"]) == len(body)


def test_a_text_file_of_several_chunks_is_gzipped_as_a_stream(server, release):
    # read in several chunks, it is compressed as it is sent: chunked, no length (ontology.ttl,
    # past 64 KB with the ontology of datasets, phases and ranks)
    assert (release / "ontology.ttl").stat().st_size > CHUNK
    status, headers, body = get(server, "/ontology.ttl", Accept_Encoding="gzip, deflate")
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert gzip.decompress(body) == (release / "ontology.ttl").read_bytes()
    assert "content-length" not in headers and headers["transfer-encoding"] == "chunked"


@pytest.mark.parametrize("path", [
    "/../secret.txt",
    "/queries/../../secret.txt",
    "/%2e%2e/secret.txt",
    "/%2E%2E/%2E%2E/secret.txt",
    "/queries%2f..%2f..%2fsecret.txt",
    "/id/..%2f..%2fsecret.txt",
    "/..%5csecret.txt",
    "/id/%2e%2e/%2e%2e/secret.txt",
    "/.%2e/secret.txt",
])
def test_path_traversal_is_refused(server, path):
    status, _, body = request(server, "GET", path)
    assert status in (400, 404)
    assert b"do not serve me" not in body


# --------------------------------------------------------------------------- bounds


def test_query_time_limit_is_honoured_and_the_server_recovers(release):
    served = start_server(release, "--timeout", "0.5", "--workers", "1")
    try:
        heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
        t0 = time.monotonic()
        status, _, body = get(served, q(heavy), "application/sparql-results+json")
        elapsed = time.monotonic() - t0
        assert status == 503
        assert b"timed out" in body
        assert elapsed < 3
        # the worker that ran it was replaced: the next query is answered
        status, _, body = get(served, q("ASK { ?s ?p ?o }"), "application/sparql-results+json")
        assert status == 200 and json.loads(body)["boolean"] is True
    finally:
        stop_server(served)


def test_bounded_load_has_no_errors(server):
    queries = [q(t) for t in TEST_QUERIES.values()] + [q("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"), "/id/csto.nt", "/ontology.ttl"]
    errors: list[str] = []
    counts = [0] * 16
    stop = time.monotonic() + 5

    def client(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        n = 0
        while time.monotonic() < stop:
            path = queries[(i + n) % len(queries)]
            try:
                conn.request("GET", path, headers={"Accept": "application/sparql-results+json, text/turtle;q=0.5"})
                r = conn.getresponse()
                r.read()
                if r.status != 200:
                    errors.append(f"{path}: {r.status}")
            except OSError as exc:
                errors.append(f"{path}: {exc!r}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            n += 1
        counts[i] = n
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(counts) > 16 * 20  # every client was served many times


# --------------------------------------------------------------------------- library


def test_negotiate_prefers_q_then_specificity_then_our_order():
    offers = ["application/sparql-results+json", "text/csv"]
    assert negotiate(None, offers) == offers[0]
    assert negotiate("text/csv;q=0.5, */*;q=0.1", offers) == "text/csv"
    assert negotiate("text/*", offers) == "text/csv"
    assert negotiate("image/png", offers) is None
    assert negotiate("application/sparql-results+json;q=0, */*", offers) == "text/csv"


def test_a_large_result_crosses_the_worker_pipe_whole(server):
    status, _, body = get(server, q("SELECT * WHERE { ?s ?p ?o }"), "application/sparql-results+json")
    assert status == 200
    assert len(body) > 200_000
    assert len(json.loads(body)["results"]["bindings"]) > 1000


def test_serve_builds_the_release_first_when_it_is_missing(tmp_path):
    pytest.importorskip("igokg.publish")
    missing = tmp_path / "not-built-yet"
    served = start_server(missing, wait=180)
    try:
        assert (missing / "igokg.nt.gz").is_file()
        status, _, body = get(served, q(f"ASK {{ <{ID}csto> ?p ?o }}"), "application/sparql-results+json")
        assert status == 200 and json.loads(body)["boolean"] is True
    finally:
        out = stop_server(served)
    assert "serving" in out


def test_federated_queries_are_refused_unless_allowed(server):
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } } LIMIT 1"
    status, _, body = get(server, q(query), "application/sparql-results+json")
    assert status == 400
    assert b"SERVICE" in body and b"--allow-service" in body


def test_a_query_whose_client_went_away_frees_its_worker(release):
    served = start_server(release, "--timeout", "60", "--workers", "1")
    try:
        heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
        conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=30)
        conn.request("GET", q(heavy), headers={"Accept": "application/sparql-results+json"})
        time.sleep(0.5)
        conn.close()  # gives up without reading
        t0 = time.monotonic()
        status, _, body = get(served, q("ASK { ?s ?p ?o }"), "application/sparql-results+json")
        assert status == 200 and json.loads(body)["boolean"] is True
        assert time.monotonic() - t0 < 10  # not stuck behind the abandoned query (limit 60 s)
    finally:
        stop_server(served)
