"""The Wikidata client as a guest of other people's servers: a total deadline per request, a
User-Agent that says who is asking, and no query to Wikimedia without a way to reach us.

The servers are real, on 127.0.0.1: one that trickles its answer a byte at a time (in the
headers or in the body), and one that records what it was sent.
"""

from __future__ import annotations

import json
import os
import socketserver
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from support.filesystems import full_disk, read_only_folder

from igokg import __version__
from igokg.cli import main
from igokg.errors import OutputError, RemoteError, SourceError
from igokg.wikidata import DEFAULT_ENDPOINT, WikidataClient

EMPTY = b'{"head":{"vars":["x"]},"results":{"bindings":[]}}'
QUERY = "SELECT ?x WHERE { ?x ?p ?o }"


class _Trickle(socketserver.BaseRequestHandler):
    """Answers a complete, valid response, one byte every 0.25 s (from the status line on for
    /headers, after the headers for /body), or every 0.02 s after the headers (/timely)."""

    def handle(self) -> None:
        request = b""
        while b"\r\n\r\n" not in request:
            chunk = self.request.recv(4096)
            if not chunk:
                return
            request += chunk
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
        head += b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(EMPTY)
        line = request.split(b"\r\n", 1)[0]
        slow_from = 0 if b" /headers" in line else len(head)
        gap = 0.02 if b" /timely" in line else 0.25
        data = head + EMPTY
        try:
            self.request.sendall(data[:slow_from])
            for i in range(slow_from, len(data)):
                self.request.sendall(data[i : i + 1])
                time.sleep(gap)
        except OSError:
            pass  # the client hung up: what the test wants


class _TrickleServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


@pytest.fixture(scope="module")
def trickle():
    server = _TrickleServer(("127.0.0.1", 0), _Trickle)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class _Recorder(BaseHTTPRequestHandler):
    agents: list[str] = []

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        _Recorder.agents.append(self.headers.get("User-Agent", ""))
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(EMPTY)))
        self.end_headers()
        self.wfile.write(EMPTY)


@pytest.fixture(scope="module")
def recorder():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sparql"
    server.shutdown()
    server.server_close()


# --------------------------------------------------------------------------- the deadline


@pytest.mark.parametrize("where", ["headers", "body"])
def test_a_server_trickling_bytes_is_cut_off_at_the_total_deadline(trickle, where):
    # The whole answer takes ~40 s (headers) or ~12 s (body) at a byte per 0.25 s; each byte
    # comes well within any per-read timeout, so only a total deadline stops it. (The bound
    # leaves room for a loaded machine; before the deadline existed the test took the whole.)
    client = WikidataClient(endpoint=f"{trickle}/{where}", timeout=1.0, max_retries=0)
    started = time.monotonic()
    with pytest.raises(RemoteError, match=r"no complete answer within 1s \(timeout\)"):
        client.select(QUERY)
    assert time.monotonic() - started < 5.0


def test_a_slow_but_timely_answer_is_read_whole(trickle):
    client = WikidataClient(endpoint=f"{trickle}/timely", timeout=30.0)
    assert client.select(QUERY) == []


def test_the_timeout_must_be_positive():
    with pytest.raises(SourceError, match="--timeout: must be more than 0 seconds"):
        WikidataClient(endpoint="http://127.0.0.1:1/sparql", timeout=0)


# --------------------------------------------------------------------------- who is asking


def test_the_user_agent_names_igokg_and_the_contact_from_the_settings(recorder, project_copy, capsys, monkeypatch):
    monkeypatch.setenv("IGOKG_WIKIDATA_CONTACT", "mailto:ops@igo.test")
    _Recorder.agents.clear()
    code = main(["--root", str(project_copy), "wikidata", "check", "--endpoint", recorder, "--no-cache"])
    capsys.readouterr()
    assert code == 1  # the recorder knows no item: every link is reported missing
    assert len(_Recorder.agents) >= 4 and set(_Recorder.agents) == {f"igokg/{__version__} (+https://w3id.org/igokg; mailto:ops@igo.test)"}


def test_the_query_service_is_not_asked_without_a_contact(project_copy, capsys, monkeypatch):
    monkeypatch.delenv("IGOKG_WIKIDATA_CONTACT", raising=False)
    code = main(["--root", str(project_copy), "wikidata", "check", "--no-cache"])
    err = capsys.readouterr().err
    assert code == 2
    assert err == (
        "igokg: IGOKG_WIKIDATA_CONTACT: not set; Wikimedia asks every client of query.wikidata.org for a way to "
        "reach its operator: export IGOKG_WIKIDATA_CONTACT=<your email or web page>, or pass --endpoint URL for "
        "another SPARQL service\n"
    )


@pytest.mark.parametrize("endpoint", [DEFAULT_ENDPOINT, "https://query-main.wikidata.org/sparql", "https://commons-query.wikimedia.org/sparql"])
@pytest.mark.parametrize("contact", ["", "igokg@example.org", "https://example.com/me"])
def test_wikimedia_services_are_refused_a_placeholder_contact_before_any_request(endpoint, contact):
    client = WikidataClient(endpoint=endpoint, contact=contact)
    with pytest.raises(SourceError, match="IGOKG_WIKIDATA_CONTACT: " + ("not set" if not contact else "'.*' is a placeholder")):
        client.select(QUERY)
    assert client.requests == 0


def test_other_endpoints_need_no_contact_and_cached_answers_need_no_request(recorder, tmp_path):
    assert WikidataClient(endpoint=recorder).select(QUERY) == []
    cache = tmp_path / "cache"
    WikidataClient(endpoint=recorder, cache_dir=cache, contact="ops@igo.test").select(QUERY)
    offline = WikidataClient(endpoint=recorder, cache_dir=cache, offline=True)
    assert offline.select(QUERY) == [] and offline.requests == 0


@pytest.mark.parametrize("contact", ["ops@igo.test\r\nX-Injected: 1", "me (ops@igo.test)", "x" * 201])
def test_a_contact_that_cannot_go_in_a_header_is_refused(contact):
    with pytest.raises(SourceError, match="IGOKG_WIKIDATA_CONTACT: must be an email address or a web page"):
        WikidataClient(endpoint="http://127.0.0.1:1/sparql", contact=contact)


@pytest.mark.parametrize("endpoint", ["notaurl", "ftp://h/sparql", "http://[::1/sparql", "http://h:99999/sparql", "http:///sparql"])
def test_an_endpoint_that_is_not_an_http_url_is_a_one_line_error(endpoint, project_copy, capsys):
    code = main(["--root", str(project_copy), "wikidata", "check", "--endpoint", endpoint])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("igokg: --endpoint: not an http(s) URL: ") and err.count("\n") == 1


# --------------------------------------------------------------------------- where answers go


def test_a_cache_that_cannot_be_written_says_so_and_how_to_go_without(recorder, tmp_path):
    with read_only_folder(tmp_path / "ro") as ro:
        client = WikidataClient(endpoint=recorder, cache_dir=ro / "wikidata")
        with pytest.raises(OutputError, match=r"cannot write the answer cache: .*; or pass --no-cache"):
            client.select(QUERY)


def test_an_out_that_cannot_be_written_is_a_one_line_error(recorder, project_copy, tmp_path, capsys):
    (tmp_path / "a-file").write_text("")
    with read_only_folder(tmp_path / "ro") as ro:
        for out in (ro / "reports", tmp_path / "a-file"):
            code = main(["--root", str(project_copy), "wikidata", "check", "--endpoint", recorder, "--no-cache", "--out", str(out)])
            captured = capsys.readouterr()
            assert code == 2 and captured.err.count("\n") == 1 and "Traceback" not in captured.err
            assert captured.err.startswith(f"igokg: {out}: cannot write: ")
            assert captured.out == ""  # nothing printed as if it had worked
        assert json.dumps(sorted(p.name for p in ro.iterdir())) == "[]"


def test_a_full_disk_leaves_neither_a_half_file_nor_half_the_set(recorder, project_copy, tmp_path, capsys):
    with full_disk(tmp_path / "small", "8k") as small:
        out = small / "reports"
        code = main(["--root", str(project_copy), "wikidata", "check", "--endpoint", recorder, "--no-cache", "--out", str(out)])
        err = capsys.readouterr().err
        assert code == 2 and "no space left on the device" in err and err.count("\n") == 1
        assert os.listdir(small) == []
