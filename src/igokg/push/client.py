"""HTTP for push: stdlib urllib, one code path for every request, credentials redacted from errors."""

from __future__ import annotations

import base64
import http.client
import json
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request

from igokg.errors import RemoteError
from igokg.project import user_agent
from igokg.push.auth import Auth, _redact_url

# --------------------------------------------------------------------------- HTTP


#: Seconds before a request to the store gives up.
TIMEOUT = 300.0

#: Seconds to wait before each new try of a request the store answered with a deadlock.
DEADLOCK_WAITS = (0.1, 0.4, 1.6)
_DEADLOCK = re.compile(r"\b40001\b.*deadlock|SR172", re.IGNORECASE)


class _Client:
    """Every request of a push goes through here: auth, timeouts, errors, redaction."""

    def __init__(self, auth: Auth, timeout: float = TIMEOUT) -> None:
        self.auth = auth
        self.timeout = timeout
        handlers: list[urllib.request.BaseHandler] = []
        if auth.scheme == "digest":
            mgr = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            self._mgr = mgr
            handlers.append(urllib.request.HTTPDigestAuthHandler(mgr))
        self.opener = urllib.request.build_opener(*handlers)
        self._registered: set[str] = set()

    def redact(self, text: str) -> str:
        for s in self.auth.secrets():
            text = text.replace(s, "[redacted]")
        return text

    def request(self, method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> bytes:
        """Send one request; a store's answer that the transaction deadlocked (Virtuoso's SQLSTATE
        40001, `SR172: Transaction deadlocked`: rolled back whole, as the SQL standard says of
        40001, so sending it again is safe) is sent again after each of DEADLOCK_WAITS, then
        reported. Two pushes, or a push and its lease's renewal, can deadlock that way."""
        waits = iter(DEADLOCK_WAITS)
        while True:
            try:
                return self._request(method, url, body, headers)
            except RemoteError as exc:
                wait = next(waits, None)
                if wait is None or (exc.status or 0) < 500 or not _DEADLOCK.search(exc.message):
                    raise
                time.sleep(wait)

    def _request(self, method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> bytes:
        headers = {"User-Agent": user_agent(), **(headers or {})}
        if self.auth.scheme == "basic":
            pair = f"{self.auth.user}:{self.auth.password}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
        elif self.auth.scheme == "bearer":
            headers["Authorization"] = f"Bearer {self.auth.token}"
        elif self.auth.scheme == "digest":
            root = urllib.parse.urlunsplit(urllib.parse.urlsplit(url)[:2] + ("/", "", ""))
            if root not in self._registered:
                self._mgr.add_password(None, root, self.auth.user, self.auth.password)
                self._registered.add(root)
        req = urllib.request.Request(url, data=body, method=method, headers=headers)
        shown = _redact_url(url.split("?", 1)[0])
        try:
            with self.opener.open(req, timeout=self.timeout) as resp:
                return resp.read()
        except urllib.error.HTTPError as exc:
            detail = _error_text(exc)
            if exc.code in (401, 403):
                what = (
                    f"credentials rejected ({self.auth.describe()})"
                    if exc.code == 401 or self.auth.scheme != "none"
                    else "writing refused without credentials (a read-only server, or one that needs them)"
                )
                raise RemoteError(
                    shown,
                    self.redact(
                        f"{what}; set IGOKG_PUSH_USER and IGOKG_PUSH_PASSWORD "
                        f"(IGOKG_PUSH_AUTH=digest for Virtuoso's -auth endpoints) or IGOKG_PUSH_TOKEN"
                        f"{': ' + detail if detail else ''}"
                    ),
                    exc.code,
                ) from None
            raise RemoteError(shown, self.redact(f"{method} failed: {detail or exc.reason}"), exc.code) from None
        except (urllib.error.URLError, http.client.HTTPException, ConnectionError, socket.timeout, OSError) as exc:
            reason = getattr(exc, "reason", None) or exc
            raise RemoteError(shown, self.redact(f"{method} failed: {reason}")) from None


def _error_text(exc: urllib.error.HTTPError) -> str:
    try:
        raw = exc.read(2000).decode("utf-8", "replace")
    except Exception:  # noqa: BLE001 - the status is the message then
        return ""
    text = re.sub(r"<[^>]+>", " ", raw)
    return re.sub(r"\s+", " ", text).strip()[:300]




def _with_graph(gsp: str, graph: str) -> str:
    sep = "&" if "?" in gsp else "?"
    return f"{gsp}{sep}{urllib.parse.urlencode({'graph': graph})}"


def select_rows(client: _Client, query_url: str, query: str) -> list[dict[str, str]]:
    """A SELECT query's rows, each variable's value as text (unbound variables absent)."""
    body = urllib.parse.urlencode({"query": query}).encode()
    raw = client.request(
        "POST",
        query_url,
        body,
        {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"},
    )
    try:
        return [{k: str(v["value"]) for k, v in row.items()} for row in json.loads(raw)["results"]["bindings"]]
    except (ValueError, KeyError, TypeError, AttributeError):
        raise RemoteError(_redact_url(query_url), f"answered a query with something else: {raw[:200]!r}") from None


def count_triples(client: _Client, query_url: str, graph: str) -> int:
    rows = select_rows(client, query_url, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    try:
        return int(rows[0]["n"]) if rows else 0
    except (KeyError, ValueError):
        raise RemoteError(_redact_url(query_url), f"answered the count query with something else: {rows[:1]!r}") from None


def run_update(client: _Client, update_url: str, update: str) -> None:
    body = urllib.parse.urlencode({"update": update}).encode()
    client.request("POST", update_url, body, {"Content-Type": "application/x-www-form-urlencoded"})
