"""Search: ranking on a fixture index (serve/search.py), and /search over HTTP on the real release."""

from __future__ import annotations

import http.client
import json
import urllib.parse

import pytest
from support.serve import build_test_release, start_server, stop_server

from igokg.publish.writers.search import search_entries, write_search_index
from igokg.release import SEARCH_NAME
from igokg.serve.search import SearchIndex, match_expression

from publish.test_search import CLASSES, fixture_triples  # noqa: E402


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    folder = tmp_path_factory.mktemp("index")
    write_search_index(search_entries(fixture_triples(), CLASSES), folder / SEARCH_NAME)
    return SearchIndex(folder)


@pytest.mark.parametrize("typed", ["CSTO", "csto", "ОДКБ", "одкб", "Collective Security", "collective secur",
                                   "Организация Договора"])
def test_names_abbreviations_and_other_labels_find_the_csto_first(index, typed):
    hits = index.search(typed)
    assert hits and hits[0].slug == "csto", [h.slug for h in hits]


def test_an_exact_abbreviation_outranks_names_that_contain_it(index):
    assert [h.slug for h in index.search("CSTO")] == ["csto", "csto-secretariat"]


def test_nothing_to_look_for_finds_nothing(index):
    assert index.search("  ?! ") == [] and match_expression("--") is None
    assert index.search("zzzz") == []


def test_fts_syntax_in_the_query_is_taken_as_words(index):
    assert index.search('CSTO" OR armenia NEAR(') == []  # every word must match; none is an operator
    assert index.search("armenia*")[0].slug == "armenia"


# --------------------------------------------------------------------------- over HTTP


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    served = start_server(build_test_release(tmp_path_factory.mktemp("search") / "dist"))
    yield served
    stop_server(served)


def get(server, path, accept=None):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request("GET", path, headers={"Accept": accept} if accept else {})
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def test_search_json_ranks_the_organization_first(server):
    status, headers, body = get(server, "/search?q=CSTO", "application/json")
    assert status == 200 and headers["content-type"].startswith("application/json")
    data = json.loads(body)
    assert data["query"] == "CSTO"
    assert data["results"][0]["iri"] == "https://w3id.org/igokg/id/csto"
    assert data["results"][0]["href"] == "/id/csto"
    assert len(data["results"]) > 3  # the secretariat, the posts, the meetings…


def test_search_html_lists_links_to_entity_pages(server):
    for path in ("/search?q=" + urllib.parse.quote("Collective Security"), "/search.html?q=collective+security"):
        status, headers, body = get(server, path, "text/html")
        assert status == 200 and headers["content-type"].startswith("text/html")
        page = body.decode()
        assert '<a href="/id/csto">Collective Security Treaty Organization</a>' in page
        assert "content-security-policy" in headers


def test_search_json_without_q_is_400(server):
    status, _, body = get(server, "/search?format=json")
    assert status == 400 and b"missing q" in body


def test_search_index_is_a_distribution_in_void(server):
    status, _, body = get(server, "/void.ttl")
    assert status == 200 and b"search.sqlite" in body and b"application/vnd.sqlite3" in body


def test_what_was_typed_is_shown_escaped(server):
    status, _, body = get(server, "/search?q=" + urllib.parse.quote('<script>alert("x")</script>'), "text/html")
    assert status == 200
    assert b"<script>alert" not in body and b"&lt;script&gt;alert" in body
    status, _, body = get(server, "/sparql?query=" + urllib.parse.quote('SELECT * { ?s ?p "<script>x</script>" }'),
                          "text/html")
    assert status == 200 and b"<script>x" not in body and b"&lt;script&gt;x" in body
