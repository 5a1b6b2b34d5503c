"""The HTTP/1.1 front (protocol.py) spoken to over real sockets: framing, deadlines, limits.

The front runs in this process on a free loopback port, on a tiny release made here, so
each test talks raw HTTP to it and sees exactly the bytes it sends.
"""

from __future__ import annotations

import gzip
import http.client
import json
import socket
import time
import urllib.parse

import pytest
from support.serve import free_port, tiny_release

from igokg.serve import ServeSettings, create_app
from igokg.serve.protocol import Front
from igokg.serve.store import load_release_store

ID = "https://w3id.org/igokg/id/"
ASK = "/sparql?query=" + urllib.parse.quote(f"ASK {{ <{ID}a> ?p ?o }}")


class Running:
    def __init__(self, folder, **limits) -> None:
        settings = ServeSettings(cache_bytes=0, **limits)
        self.app = create_app(folder, settings)
        self.app.open_store(*load_release_store(folder))
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", free_port()))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.front = Front(self.sock, self.app, self.app.endpoint, settings.header_timeout, settings.keepalive_timeout,
                           settings.max_body)
        self.front.start()

    def connect(self) -> socket.socket:
        s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        _LEFT.pop(s.fileno(), None)  # (a closed socket's number may come back)
        return s

    def close(self) -> None:
        self.front.retire()
        self.front.drain(5)
        self.sock.close()
        self.app.close()


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    return tiny_release(tmp_path_factory.mktemp("protocol") / "dist")


@pytest.fixture(scope="module")
def front(release):
    running = Running(release, header_timeout=2.0, keepalive_timeout=1.0, max_body=4096)
    yield running
    running.close()


_LEFT: dict[int, bytes] = {}  # bytes read past a response, by socket (pipelined answers)


def read_response(s: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """One response off a raw socket (Content-Length or chunked); what follows it is kept."""
    buf = _LEFT.pop(s.fileno(), b"")

    def more() -> bytes:
        chunk = s.recv(65536)
        assert chunk, f"closed before a whole response: {buf!r}"
        return chunk

    while b"\r\n\r\n" not in buf:
        buf += more()
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    if status == 100:
        _LEFT[s.fileno()] = rest
        return status, headers, b""
    if headers.get("transfer-encoding") == "chunked":
        body = b""
        while True:
            while b"\r\n" not in rest:
                rest += more()
            size_line, _, rest = rest.partition(b"\r\n")
            size = int(size_line, 16)
            while len(rest) < size + 2:
                rest += more()
            body, rest = body + rest[:size], rest[size + 2:]
            if size == 0:
                _LEFT[s.fileno()] = rest
                return status, headers, body
    length = int(headers.get("content-length", 0))
    while len(rest) < length:
        rest += more()
    _LEFT[s.fileno()] = rest[length:]
    return status, headers, rest[:length]


def closed(s: socket.socket, within: float) -> bool:
    s.settimeout(within)
    try:
        return s.recv(1) == b""
    except TimeoutError:
        return False
    except OSError:
        return True


def test_pipelined_requests_are_answered_in_order_on_one_connection(front):
    with front.connect() as s:
        s.sendall((f"GET {ASK} HTTP/1.1\r\nHost: x\r\n\r\n" + "GET /big.txt HTTP/1.1\r\nHost: x\r\n\r\n"
                   + f"GET {ASK.replace('a%3E', 'nothing%3E')} HTTP/1.1\r\nHost: x\r\n\r\n").encode())
        first, second, third = read_response(s), read_response(s), read_response(s)
    assert first[0] == 200 and json.loads(first[2])["boolean"] is True
    assert second[0] == 200 and second[2] == b"x" * 200_000
    assert third[0] == 200 and json.loads(third[2])["boolean"] is False


def test_a_post_that_expects_100_continue_gets_it_then_its_answer(front):
    body = urllib.parse.urlencode({"query": f"ASK {{ <{ID}a> ?p ?o }}"}).encode()
    with front.connect() as s:
        s.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                  b"Expect: 100-continue\r\nContent-Length: %d\r\n\r\n" % len(body))
        assert read_response(s)[0] == 100
        s.sendall(body)
        status, _, answer = read_response(s)
    assert status == 200 and json.loads(answer)["boolean"] is True


def test_a_chunked_post_body_is_read_and_a_too_large_one_refused(front):
    query = f"ASK {{ <{ID}a> ?p ?o }}".encode()
    with front.connect() as s:
        s.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                  b"Transfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n" % (len(query), query))
        status, _, answer = read_response(s)
        assert status == 200 and json.loads(answer)["boolean"] is True
        chunk = b"x" * 3000
        s.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                  b"Transfer-Encoding: chunked\r\n\r\n" + (b"%x\r\n%s\r\n" % (len(chunk), chunk)) * 2)
        status, headers, answer = read_response(s)
    assert status == 413 and b"larger than 4096" in answer and headers["connection"] == "close"


def test_a_slow_body_gets_408_and_a_slow_head_is_closed(front):
    with front.connect() as s:
        s.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                  b"Content-Length: 100\r\n\r\nASK")
        t0 = time.monotonic()
        status, _, answer = read_response(s)
        assert status == 408 and b"not received within 2 s" in answer
        assert time.monotonic() - t0 < 4
    with front.connect() as s:
        s.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\n")
        assert closed(s, 3)


def test_an_idle_keep_alive_connection_is_closed_after_its_timeout(front):
    with front.connect() as s:
        s.sendall(f"GET {ASK} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        assert read_response(s)[0] == 200
        t0 = time.monotonic()
        assert closed(s, 4)
        assert 0.9 <= time.monotonic() - t0 < 3


@pytest.mark.parametrize("asks", ["", "Connection: keep-alive\r\n"], ids=["plain", "asking-for-keep-alive"])
def test_http_1_0_gets_one_answer_and_a_closed_connection(front, asks):
    with front.connect() as s:
        s.sendall(f"GET {ASK} HTTP/1.0\r\n{asks}\r\n".encode())
        status, headers, _ = read_response(s)
        assert status == 200 and headers["connection"] == "close"
        assert closed(s, 2)


def test_http_1_1_keeps_the_connection_unless_the_client_says_close(front):
    with front.connect() as s:
        s.sendall(f"GET {ASK} HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n".encode())
        status, headers, _ = read_response(s)
        assert status == 200 and "connection" not in headers
        s.sendall(f"GET {ASK} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        status, headers, _ = read_response(s)
        assert status == 200 and headers["connection"] == "close"
        assert closed(s, 2)


def test_malformed_http_gets_400_and_is_closed(front):
    with front.connect() as s:
        s.sendall(b"GET /sparql HTTP/1.1\r\nHost x\r\n\r\n")
        status, _, body = read_response(s)
        assert status == 400 and b"malformed HTTP request" in body
        assert closed(s, 2)


def test_head_of_a_file_has_its_length_and_no_body(front):
    conn = http.client.HTTPConnection("127.0.0.1", front.port, timeout=10)
    conn.request("HEAD", "/big.txt")
    r = conn.getresponse()
    assert r.status == 200 and r.getheader("content-length") == "200000" and r.read() == b""
    conn.request("GET", "/big.txt")  # the same connection is still in step
    r = conn.getresponse()
    assert r.status == 200 and len(r.read()) == 200_000
    conn.close()


def test_a_streamed_app_response_is_chunked(front):
    conn = http.client.HTTPConnection("127.0.0.1", front.port, timeout=10)
    conn.request("GET", "/big.txt", headers={"Accept-Encoding": "gzip"})  # gzipped as it streams: no length known
    r = conn.getresponse()
    assert r.status == 200 and r.getheader("content-encoding") == "gzip"
    assert r.getheader("transfer-encoding") == "chunked"
    assert gzip.decompress(r.read()) == b"x" * 200_000
    conn.close()


def test_the_fast_path_and_the_app_give_the_same_headers_for_a_query(front):
    """A query goes the fast path; HEAD of the same URL goes through the app's ASGI endpoint."""
    conn = http.client.HTTPConnection("127.0.0.1", front.port, timeout=10)
    conn.request("GET", ASK)
    fast = conn.getresponse()
    fast.read()
    conn.request("HEAD", ASK)
    app = conn.getresponse()
    app.read()
    conn.close()
    skip = {"date"}
    assert {k.lower(): v for k, v in fast.getheaders() if k.lower() not in skip} == \
           {k.lower(): v for k, v in app.getheaders() if k.lower() not in skip}


def test_a_retiring_front_accepts_nothing_and_closes_idle_connections(release):
    running = Running(release, header_timeout=1.0, keepalive_timeout=30.0)
    idle = running.connect()
    idle.sendall(f"GET {ASK} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    assert read_response(idle)[0] == 200
    running.front.retire()
    assert closed(idle, 3)  # long before its keep-alive timeout
    time.sleep(1.0)  # the acceptor has seen it
    late = socket.create_connection(("127.0.0.1", running.port), timeout=2)
    late.sendall(f"GET {ASK} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    late.settimeout(1.5)
    with pytest.raises(socket.timeout):
        late.recv(1)  # in the backlog, never accepted by this front
    late.close()
    idle.close()
    running.close()


def test_the_first_request_has_its_deadline_from_the_connection_opening(release):
    running = Running(release, header_timeout=2.0)
    try:
        with running.connect() as s:
            time.sleep(1.5)
            s.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\n")  # and never the rest
            t0 = time.monotonic()
            assert closed(s, 5)
            assert time.monotonic() - t0 < 1.5  # 2 s from the opening, not from the first byte
    finally:
        running.close()


@pytest.mark.parametrize("burst", [False, True])
def test_connections_spread_over_the_fronts_sharing_a_socket(release, burst):
    """Two fronts on one listening socket, as two serving processes: a front that already
    holds connections lets the other take a new one, so keep-alive connections end up
    evenly spread (one process's threads share a GIL) whether they come one by one or at once."""
    running = Running(release, keepalive_timeout=30.0)
    other = Front(running.sock, running.app, running.app.endpoint, 5.0, 30.0, 4096, spread=True)
    running.front.spread = True
    other.start()
    clients = []
    try:
        for _ in range(8):
            clients.append(running.connect())
            if not burst:
                clients[-1].sendall(f"GET {ASK} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
                assert read_response(clients[-1])[0] == 200
        for s in clients if burst else ():
            s.sendall(f"GET {ASK} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        for s in clients if burst else ():
            assert read_response(s)[0] == 200
        counts = sorted((len(running.front.connections), len(other.connections)))
        assert sum(counts) == 8 and counts[0] >= 3, counts
    finally:
        for s in clients:
            s.close()
        other.retire()
        other.drain(5)
        running.close()
