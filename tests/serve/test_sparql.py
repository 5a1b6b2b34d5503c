"""The SPARQL endpoint's own code, in-process: decoding, the raw response, the ASGI path, read-only."""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import urllib.parse

import pytest
from support.serve import tiny_release

from igokg.serve import ServeSettings, create_app
from igokg.serve.sparql import _params, unquote
from igokg.serve.store import load_release_store
from igokg.serve.wire import render_head

ID = "https://w3id.org/igokg/id/"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    folder = tiny_release(tmp_path_factory.mktemp("sparql") / "dist")
    served = create_app(folder, ServeSettings(cache_bytes=0))
    served.open_store(*load_release_store(folder))
    yield served
    served.close()


def test_form_decoding_matches_urllib_on_any_text():
    rnd = random.Random(7)
    alphabet = [chr(c) for c in range(1, 0x500)] + ["\n", "\r\n", " ", "=", "%", "+", "_", "&", "€", "𝄞"]
    for _ in range(3000):
        values = {k: "".join(rnd.choice(alphabet) for _ in range(rnd.randrange(0, 30))) for k in ("query", "format")}
        assert _params(urllib.parse.urlencode(values).encode()) == {k: [v] for k, v in values.items()}


@pytest.mark.parametrize("raw", [b"a%zzb", b"%", b"a%2", b"50%+off", b"%E2%82%AC%", b"x%4", b"%%41"])
def test_malformed_escapes_decode_as_urllib_does(raw):
    assert unquote(raw) == urllib.parse.unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8", "replace")


def test_every_short_string_of_escapes_and_line_breaks_decodes_as_urllib_does():
    """The fast decoder trusts its output only when the length and the absence of line breaks
    say every escape was well-formed: every string of up to 4 of these bytes, as urllib."""
    alphabet = [b"%", b"=", b"3", b"D", b"4", b"a", b"z", b"\n", b"\r", b"+", b" ", b"\xe2"]
    for length in range(5):
        for parts in itertools.product(alphabet, repeat=length):
            raw = b"".join(parts)
            assert unquote(raw) == urllib.parse.unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8", "replace"), raw


def test_a_query_alone_and_the_same_query_among_other_parameters_are_the_same_request(app):
    text = f"SELECT * {{ <{ID}a> ?p ?o }} # 50% & more"
    alone = app.endpoint.parse("GET", b"query=" + urllib.parse.quote(text).encode(), {}, None)
    among = app.endpoint.parse("GET", urllib.parse.urlencode({"query": text, "x": "1"}).encode(), {}, None)
    assert alone == among == ("query", text, "application/sparql-results+json", "text/turtle")


@pytest.mark.parametrize("accept, expected", [
    (b"text/html,application/xhtml+xml,*/*;q=0.8", "front"),  # a browser: the results page
    (b"application/sparql-results+xml", "query"),
    (b"", "query"),
])
def test_a_browser_gets_the_page_and_a_client_the_data_whatever_the_query_string(app, accept, expected):
    for qs in (b"query=ASK%20%7B%7D", b"query=ASK%20%7B%7D&x=1"):
        assert app.endpoint.parse("GET", qs, {b"accept": accept}, None)[0] == expected


def test_format_overrides_a_browsers_accept(app):
    parsed = app.endpoint.parse("GET", b"query=ASK%20%7B%7D&format=csv", {b"accept": b"text/html"}, None)
    assert parsed == ("query", "ASK {}", "text/csv", "text/turtle")  # (a graph still gets Turtle: format=csv of a CONSTRUCT)


def test_blank_and_bare_parameters_are_kept():
    assert _params(b"query=&format=json&flag") == {"query": [""], "format": ["json"], "flag": [""]}


def _normalized(response: bytes) -> tuple[bytes, list[bytes], bytes]:
    head, _, body = response.partition(b"\r\n\r\n")
    status, *lines = head.split(b"\r\n")
    return status, sorted(line for line in lines if not line.startswith(b"date:")), body


@pytest.mark.parametrize("query, encoding, close", [
    ("ASK {}", None, False),
    ("SELECT * { ?s ?p ?o }", b"gzip, br", False),  # large enough to be gzipped
    ("SELECT * { ?s ?p }", None, True),  # a 400
])
def test_the_ready_made_response_is_the_same_as_the_headers_built_one(app, query, encoding, close):
    endpoint = app.endpoint
    reply = endpoint.handle("GET", b"query=" + urllib.parse.quote(query).encode(), {}, None, "127.0.0.1")
    status, headers, body = endpoint.finish(reply, encoding)
    assert _normalized(endpoint.response(reply, encoding, close)) == _normalized(render_head(status, headers, close) + body)


def test_an_update_sent_as_a_query_is_refused_and_changes_nothing(app):
    endpoint = app.endpoint
    insert = f"INSERT DATA {{ <{ID}new> <{ID}p> 1 }}"
    status, _, body, _ = endpoint.handle("GET", b"query=" + urllib.parse.quote(insert).encode(), {}, None, "c")
    assert status == 400 and b"malformed query" in body
    status, _, body, _ = endpoint.handle("GET", b"query=" + urllib.parse.quote(f"ASK {{ <{ID}new> ?p ?o }}").encode(),
                                         {}, None, "c")
    assert status == 200 and json.loads(body)["boolean"] is False


def test_the_asgi_endpoint_answers_after_lifespan_startup(tmp_path):
    """Run by another ASGI server, the app loads its own store at startup and answers on its pool."""
    folder = tiny_release(tmp_path / "dist")
    served = create_app(folder, ServeSettings(cache_bytes=0))

    async def go():
        lifespan = asyncio.Queue()
        await lifespan.put({"type": "lifespan.startup"})
        sent: list[dict] = []

        async def send_lifespan(message):
            sent.append(message)
            if message["type"] == "lifespan.startup.complete":
                await lifespan.put({"type": "lifespan.shutdown"})

        await served({"type": "lifespan"}, lifespan.get, send_lifespan)
        assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
        messages: list[dict] = []

        async def receive():
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message):
            messages.append(message)

        query = urllib.parse.quote(f"ASK {{ <{ID}a> ?p ?o }}").encode()
        await served({"type": "http", "method": "GET", "path": "/sparql", "raw_path": b"/sparql",
                      "query_string": b"query=" + query, "headers": [(b"accept", b"application/sparql-results+json")],
                      "client": ("127.0.0.1", 5000)}, receive, send)
        return messages

    messages = asyncio.run(go())
    assert messages[0]["status"] == 200
    assert json.loads(messages[1]["body"])["boolean"] is True
