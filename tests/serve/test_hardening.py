"""igokg serve under hostile or heavy use: federation, fairness, slow clients, headers, litter, ports."""

from __future__ import annotations

import fcntl
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse

import pytest
from support.serve import ROOT, build_test_release, free_port, start_server, stop_server

ID = "https://w3id.org/igokg/id/"
JSON = "application/sparql-results+json"
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    return build_test_release(tmp_path_factory.mktemp("hardening") / "dist")


@pytest.fixture(scope="module")
def server(release):
    served = start_server(release)
    yield served
    stop_server(served)


def get(port: int, path: str, headers: dict | None = None, source: str = "127.0.0.1", timeout: float = 30):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(source, 0))
    try:
        conn.request("GET", path, headers=headers or {"Accept": JSON})
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def q(text: str) -> str:
    return "/sparql?query=" + urllib.parse.quote(text)


class Listener:
    """A real TCP listener on 127.0.0.1 that records every connection made to it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.received: list[bytes] = []
        self._stop = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            conn.settimeout(1)
            try:
                self.received.append(conn.recv(65536) or b"(connected)")
            except OSError:
                self.received.append(b"(connected)")
            finally:
                conn.close()

    def close(self) -> None:
        self._stop = True
        self._thread.join()
        self.sock.close()


@pytest.fixture
def listener():
    lst = Listener()
    yield lst
    lst.close()


# --------------------------------------------------------------------------- SSRF


def _federated(endpoint: str) -> dict[str, str]:
    return {
        "hash-in-iri": f"SELECT * WHERE {{ ?s <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> ?o . "
                       f"SERVICE <{endpoint}> {{ ?s ?p ?o }} }}",
        "hash-in-string": f'SELECT * WHERE {{ ?s ?p "a # b" . SERVICE <{endpoint}> {{ ?s ?p ?o }} }}',
        "lowercase": f"select * where {{ service <{endpoint}> {{ ?s ?p ?o }} }}",
        "subquery": f"SELECT * WHERE {{ {{ SELECT ?s WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }} }} }}",
        "exists": f"SELECT * WHERE {{ ?s ?p ?o FILTER EXISTS {{ SERVICE SILENT <{endpoint}> {{ ?s ?p ?o }} }} }}",
        "optional": f"SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }} }}",
        "union": f"SELECT * WHERE {{ {{ ?s ?p ?o }} UNION {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }} }}",
        "prefixed": f"PREFIX e: <{endpoint}> SELECT * WHERE {{ SERVICE e: {{ ?s ?p ?o }} }}",
        "codepoint-escape": f"SELECT * WHERE {{ \\u0053ERVICE <{endpoint}> {{ ?s ?p ?o }} }}",
    }


@pytest.mark.parametrize("form", sorted(_federated("x")))
def test_service_in_any_form_is_refused_and_nothing_is_fetched(server, listener, form):
    query = _federated(f"http://127.0.0.1:{listener.port}/sparql")[form]
    status, _, body = get(server.port, q(query))
    time.sleep(0.3)
    assert status == 400, body
    assert b"SERVICE" in body and b"--allow-service" in body
    assert listener.received == []


def test_queries_that_merely_say_service_run(server):
    query = ('SELECT ?service ?label WHERE { ?service <http://www.w3.org/2000/01/rdf-schema#label> ?label '
             'FILTER(?label != "SERVICE <http://127.0.0.1:9/>") } LIMIT 3 # SERVICE <http://127.0.0.1:9/>')
    status, _, body = get(server.port, q(query))
    assert status == 200, body
    assert b'"service"' in body


def test_allow_service_calls_only_the_endpoints_on_its_list(release, listener):
    other = Listener()
    served = start_server(release, "--allow-service", f"http://127.0.0.1:{other.port}/sparql")
    try:
        status, _, body = get(served.port, q(_federated(f"http://127.0.0.1:{listener.port}/sparql")["hash-in-iri"]))
        assert status == 400 and b"not allowed" in body and str(other.port).encode() in body
        status, _, _ = get(served.port, q(f"SELECT * WHERE {{ SERVICE SILENT <http://127.0.0.1:{other.port}/sparql> "
                                          "{ ?s ?p ?o } }"))
        time.sleep(0.3)
        assert listener.received == []
        assert other.received and b"POST /sparql" in other.received[0]  # the allowed one was called
    finally:
        stop_server(served)
        other.close()


# --------------------------------------------------------------------------- fairness


def test_four_heavy_clients_leave_room_for_a_fifth_small_one(release):
    """Four clients (four addresses) loop a heavy query; the fifth's small queries stay fast."""
    served = start_server(release, "--timeout", "30", "--no-cache")
    stop = time.monotonic() + 8
    heavy_done = [0] * 4
    small: list[tuple[int, float]] = []

    def heavy(i: int) -> None:
        while time.monotonic() < stop:
            status, _, _ = get(served.port, q(HEAVY + f" # client {i}"), source=f"127.0.0.{2 + i}", timeout=60)
            heavy_done[i] += status == 200

    members = (f"PREFIX igo: <https://w3id.org/igokg/ontology#> SELECT ?state WHERE {{ ?m igo:organization <{ID}csto> ; "
               "igo:member ?state } ORDER BY ?state")
    lookups = [f"SELECT ?p ?o WHERE {{ <{ID}csto> ?p ?o }}", members]
    try:
        threads = [threading.Thread(target=heavy, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        time.sleep(1.0)  # the heavy loops are under way
        n = 0
        while time.monotonic() < stop - 0.5:
            t0 = time.perf_counter()
            status, _, _ = get(served.port, q(lookups[n % 2] + f" # {n}"), source="127.0.0.6")
            small.append((status, time.perf_counter() - t0))
            n += 1
        for t in threads:
            t.join()
    finally:
        stop_server(served)
    assert sum(heavy_done) >= 4, "the heavy clients ran"
    assert len(small) >= 20 and all(s == 200 for s, _ in small), small
    times = sorted(t for _, t in small)
    p99 = times[min(len(times) - 1, int(0.99 * len(times)))]
    assert p99 < 1.0, f"p99 {p99:.3f} s"


def test_a_full_queue_is_refused_at_once_with_retry_after(release):
    served = start_server(release, "--workers", "1", "--per-client", "1", "--queue", "1", "--timeout", "30", "--no-cache")
    results: list[tuple[int, dict, bytes, float]] = []
    lock = threading.Lock()

    def one(i: int) -> None:
        t0 = time.monotonic()
        status, headers, body = get(served.port, q(HEAVY + f" # {i}"), timeout=60)
        with lock:
            results.append((status, headers, body, time.monotonic() - t0))

    try:
        threads = [threading.Thread(target=one, args=(i,)) for i in range(5)]
        for t in threads:
            t.start()
            time.sleep(0.05)
        for t in threads:
            t.join()
    finally:
        stop_server(served)
    refused = [r for r in results if r[0] == 503]
    assert len([r for r in results if r[0] == 200]) >= 2
    assert refused, [r[0] for r in results]
    for status, headers, body, elapsed in refused:
        assert headers["retry-after"].isdigit()
        assert b"queue limit 1" in body  # the message names what was limited
        assert elapsed < 1.0  # at once, not after waiting


# --------------------------------------------------------------------------- slow clients


def test_slow_header_senders_are_closed_within_seconds(server):
    socks = []
    for _ in range(50):
        s = socket.create_connection(("127.0.0.1", server.port))
        s.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\n")
        socks.append(s)
    t0 = time.monotonic()
    open_ = set(range(50))
    while open_ and time.monotonic() - t0 < 15:
        for i in list(open_):
            try:
                socks[i].sendall(b"X")  # one more header byte
                socks[i].settimeout(0.01)
                if socks[i].recv(1) == b"":
                    open_.discard(i)
            except socket.timeout:
                pass
            except OSError:
                open_.discard(i)
        time.sleep(0.2)
    elapsed = time.monotonic() - t0
    for s in socks:
        s.close()
    assert not open_, f"{len(open_)} slow connections still open after {elapsed:.1f} s"
    assert elapsed < 10
    assert get(server.port, q("ASK {}"))[0] == 200  # and the server still answers


# --------------------------------------------------------------------------- headers


@pytest.mark.parametrize("path, accept", [("/", "text/html"), ("/id/csto.html", "text/html"),
                                          ("/sparql", "text/html"), ("/no-such-page", "text/html")])
def test_every_html_response_has_the_security_headers(server, path, accept):
    status, headers, body = get(server.port, path, {"Accept": accept})
    assert headers["content-type"].startswith("text/html")
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"]
    csp = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
    if path == "/sparql":  # the editor's own inline script is allowed by its hash, nothing else inline
        assert re.search(r"script-src 'self'( https://cdn\.jsdelivr\.net)? 'sha256-[A-Za-z0-9+/=]+'", csp)  # the editor: its own script, and YASGUI's CDN
        assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]


# --------------------------------------------------------------------------- litter


def test_stale_stores_of_dead_servers_are_removed_a_live_ones_kept_and_nothing_written(release, tmp_path):
    """Older servers kept their store in TMPDIR; this one keeps it in memory and writes nothing there."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    dead = tmp / "igokg-serve-dead"
    (dead / "store").mkdir(parents=True)
    (dead / "lock").write_text("")
    live = tmp / "igokg-serve-live"
    (live / "store").mkdir(parents=True)
    fd = os.open(live / "lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)  # held, as a live server holds it
    try:
        served = start_server(release, env={"TMPDIR": str(tmp)})
        try:
            assert not dead.exists()
            assert live.exists()
            assert get(served.port, q("ASK { ?s ?p ?o }"))[0] == 200
            assert sorted(tmp.iterdir()) == [live]
        finally:
            os.kill(served.proc.pid, signal.SIGKILL)  # even killed, it leaves nothing
            served.proc.wait()
        time.sleep(0.5)  # (its serving processes see the supervisor gone and stop)
        assert sorted(tmp.iterdir()) == [live]
    finally:
        os.close(fd)


# --------------------------------------------------------------------------- ports


def _serve_exit(release, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "igokg", "--root", str(ROOT), "serve", "--out", str(release), *args],
                          capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, PYTHONPATH=str(ROOT / "src")))


def test_an_impossible_port_is_one_line_and_exit_2(release):
    done = _serve_exit(release, "--port", "99999")
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "99999" in done.stderr and "Traceback" not in done.stderr


def test_a_busy_port_is_one_line_and_exit_2(release):
    port = free_port()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen(1)
        done = _serve_exit(release, "--port", str(port))
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "in use" in done.stderr and "Traceback" not in done.stderr
