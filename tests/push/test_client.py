"""The push's HTTP client against a real HTTP server on 127.0.0.1: a store's deadlock answer
(Virtuoso's SQLSTATE 40001, the transaction rolled back) is sent again; other errors are not."""

from __future__ import annotations

import http.server
import threading

import pytest

from igokg.errors import RemoteError
from igokg.push import client as push_client
from igokg.push.auth import Auth

DEADLOCK = (b"Virtuoso 40001 Error SR172: Transaction deadlocked\n\nSPARQL query:\n"
            b"INSERT { GRAPH <urn:g> { <urn:a> <urn:b> 1 } } WHERE { }")


class _Store:
    """Answers each POST with the next of `answers` ((status, body)), then 200; counts them."""

    def __init__(self, answers: list[tuple[int, bytes]]) -> None:
        self.answers, self.bodies = list(answers), []
        store = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *_args) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                store.bodies.append(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                status, body = store.answers.pop(0) if store.answers else (200, b"done")
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fast(monkeypatch):
    monkeypatch.setattr(push_client, "DEADLOCK_WAITS", (0.01, 0.01, 0.01))


def _post(url: str) -> bytes:
    return push_client._Client(Auth("none")).request("POST", url, b"update=INSERT+DATA+%7B%7D",
                                                     {"Content-Type": "application/x-www-form-urlencoded"})


def test_a_deadlocked_update_is_sent_again_until_the_store_takes_it(fast):
    store = _Store([(500, DEADLOCK), (500, DEADLOCK)])
    try:
        assert _post(store.url) == b"done"
        assert len(store.bodies) == 3 and len(set(store.bodies)) == 1  # the same update, three times
    finally:
        store.close()


def test_a_store_that_keeps_deadlocking_is_reported_after_the_last_try(fast):
    store = _Store([(500, DEADLOCK)] * 5)
    try:
        with pytest.raises(RemoteError, match="Transaction deadlocked") as err:
            _post(store.url)
        assert err.value.status == 500 and len(store.bodies) == 4  # the first try and three more
    finally:
        store.close()


@pytest.mark.parametrize("answer", [(500, b"Virtuoso 37000 Error SP030: SPARQL compiler: syntax error"),
                                    (400, b"deadlock 40001 in a client's own message")])
def test_other_errors_are_not_sent_again(fast, answer):
    store = _Store([answer])
    try:
        with pytest.raises(RemoteError):
            _post(store.url)
        assert len(store.bodies) == 1
    finally:
        store.close()
