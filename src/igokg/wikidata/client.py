"""A client for the Wikidata Query Service (or any SPARQL endpoint), polite and cached.

It follows Wikimedia's etiquette: a descriptive User-Agent with the operator's contact
(`IGOKG_WIKIDATA_CONTACT`; without one, Wikimedia's services are not asked at all), few and
batched queries (`VALUES`), a total deadline per request, retries with exponential backoff on
429 and 503 that honour `Retry-After` within a capped total wait, and a disk cache keyed by the
query's hash, so that a rerun asks the service nothing. Every failure becomes a `RemoteError`
naming the endpoint and the HTTP status.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Callable, Iterable, Sequence

from igokg.errors import (
    IgokgError,
    OutputError,
    RemoteError,
    SourceError,
    explain_os_error,
)
from igokg.namespaces import WD
from igokg.project import user_agent
from igokg.wikidata.http import DeadlineExceeded, fetch

DEFAULT_ENDPOINT = "https://query.wikidata.org/sparql"
#: Wikimedia's own services (the Query Service and its mirrors): they get no query without a
#: real contact in the User-Agent (https://foundation.wikimedia.org/wiki/Policy:User-Agent_policy).
WIKIMEDIA_DOMAINS = ("wikidata.org", "wikimedia.org")
#: Reserved for examples (RFC 2606): a contact there reaches nobody.
_PLACEHOLDER_DOMAINS = re.compile(r"(^|[@./])example\.(org|com|net)\b|^$", re.I)

#: QIDs per query. WDQS answers 50 items with all their labels well within its limits.
BATCH = 50

# Wikidata's RDF vocabularies (https://www.mediawiki.org/wiki/Wikibase/Indexing/RDF_Dump_Format).
WDT = "http://www.wikidata.org/prop/direct/"
WD_PREFIXES = """PREFIX wd: <http://www.wikidata.org/entity/>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
PREFIX p: <http://www.wikidata.org/prop/>
PREFIX ps: <http://www.wikidata.org/prop/statement/>
PREFIX pq: <http://www.wikidata.org/prop/qualifier/>
PREFIX psv: <http://www.wikidata.org/prop/statement/value/>
PREFIX pqv: <http://www.wikidata.org/prop/qualifier/value/>
PREFIX wikibase: <http://wikiba.se/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
"""



# =========================================================================== client


class CacheMiss(IgokgError):
    """An offline client was asked a query it has no cached answer for."""

    def __init__(self, query_hash: str) -> None:
        self.query_hash = query_hash
        super().__init__(f"no cached answer for query {query_hash[:12]}")


class _Retryable(Exception):
    def __init__(self, status: int, message: str, retry_after: float | None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.retry_after = retry_after


def _retry_after(value: str | None) -> float | None:
    """Retry-After is seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


@dataclass
class WikidataClient:
    """Runs SELECT queries on a Wikidata-shaped SPARQL endpoint, politely, with a disk cache.

    `cache_dir=None` turns the cache off; `refresh=True` asks the service again and stores the
    new answers; `offline=True` answers only from the cache (a miss raises `CacheMiss`).
    `sleep` is injectable so that tests of the backoff need not wait.
    """

    endpoint: str = DEFAULT_ENDPOINT
    cache_dir: Path | None = None
    refresh: bool = False
    offline: bool = False
    timeout: float = 60.0
    max_retries: int = 4
    #: Total seconds the client may sleep between retries of one query; beyond, it gives up.
    max_wait: float = 120.0
    backoff: float = 2.0
    sleep: Sleep = time.sleep
    #: Who Wikimedia can write to about this traffic: an email or a web page (Settings.wikidata_contact).
    contact: str = ""
    #: HTTP requests actually sent (cache hits do not count).
    requests: int = 0
    cache_hits: int = 0

    def __post_init__(self) -> None:
        try:
            parts = urllib.parse.urlsplit(self.endpoint)
            parts.port  # noqa: B018 - raises ValueError on a port out of range
        except ValueError:
            parts = None
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
            raise SourceError("--endpoint", f"not an http(s) URL: {self.endpoint!r}")
        self.contact = self.contact.strip()
        if self.contact and (not self.contact.isprintable() or len(self.contact) > 200 or set(self.contact) & set("()")):
            raise SourceError("IGOKG_WIKIDATA_CONTACT", "must be an email address or a web page: one line, "
                              "printable, without parentheses, at most 200 characters")
        if self.timeout <= 0:
            raise SourceError("--timeout", f"must be more than 0 seconds, not {self.timeout:g}")

    @property
    def user_agent(self) -> str:
        return user_agent(self.contact)

    @property
    def is_wikimedia(self) -> bool:
        host = (urllib.parse.urlsplit(self.endpoint).hostname or "").lower()
        return any(host == d or host.endswith("." + d) for d in WIKIMEDIA_DOMAINS)

    def _check_contact(self) -> None:
        """Wikimedia's services are asked only with a contact that reaches someone."""
        if not self.is_wikimedia or not _PLACEHOLDER_DOMAINS.search(self.contact):
            return
        what = f"{self.contact!r} is a placeholder" if self.contact else "not set"
        raise SourceError(
            "IGOKG_WIKIDATA_CONTACT",
            f"{what}; Wikimedia asks every client of {urllib.parse.urlsplit(self.endpoint).hostname} for a way to "
            "reach its operator: export IGOKG_WIKIDATA_CONTACT=<your email or web page>, or pass --endpoint URL "
            "for another SPARQL service",
        )

    # -- public -----------------------------------------------------------------------------
    def select(self, query: str) -> list[dict[str, dict]]:
        """The bindings of a SELECT query, as SPARQL 1.1 JSON result objects."""
        key = hashlib.sha256(f"{self.endpoint}\n{query}".encode()).hexdigest()
        path = self.cache_dir / f"{key}.json" if self.cache_dir is not None else None
        if path is not None and not self.refresh and path.is_file():
            try:
                cached = json.loads(path.read_text(encoding="utf-8"))
                self.cache_hits += 1
                return cached["result"]["results"]["bindings"]
            except (OSError, ValueError, KeyError, TypeError):
                pass  # a damaged cache entry is asked again
        if self.offline:
            raise CacheMiss(key)
        self._check_contact()
        result = self._with_retries(query)
        if path is not None:
            text = json.dumps({"endpoint": self.endpoint, "query": query, "result": result}, ensure_ascii=False, sort_keys=True)
            try:
                _write_atomic(path, text)
            except OSError as exc:
                raise OutputError(path.parent, f"cannot write the answer cache: {explain_os_error(exc)}; "
                                  "or pass --no-cache") from None
        return result["results"]["bindings"]

    # -- internals --------------------------------------------------------------------------
    def _with_retries(self, query: str) -> dict:
        waited = 0.0
        attempt = 0
        while True:
            try:
                return self._fetch(query)
            except _Retryable as exc:
                attempt += 1
                if attempt > self.max_retries:
                    raise RemoteError(self.endpoint, f"{exc.message}; gave up after {attempt} attempts", exc.status) from None
                delay = exc.retry_after if exc.retry_after is not None else self.backoff * 2 ** (attempt - 1)
                if waited + delay > self.max_wait:
                    raise RemoteError(
                        self.endpoint,
                        f"{exc.message}; the service asks to wait {delay:g}s, beyond the limit of {self.max_wait:g}s in all — try again later",
                        exc.status,
                    ) from None
                self.sleep(delay)
                waited += delay

    def _fetch(self, query: str) -> dict:
        # GET lets the service's HTTP cache answer; long queries go by POST (URL length).
        form = urllib.parse.urlencode({"query": query})
        headers = {"Accept": "application/sparql-results+json", "User-Agent": self.user_agent}
        if len(query) < 4000:
            sep = "&" if "?" in self.endpoint else "?"
            req = urllib.request.Request(f"{self.endpoint}{sep}{form}", headers=headers, method="GET")
        else:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            req = urllib.request.Request(self.endpoint, data=form.encode(), headers=headers, method="POST")
        self.requests += 1
        try:
            status, answer_headers, raw = fetch(req, self.timeout)
        except DeadlineExceeded:
            raise RemoteError(self.endpoint, f"no complete answer within {self.timeout:g}s (timeout)") from None
        except urllib.error.URLError as exc:
            raise RemoteError(self.endpoint, f"cannot connect: {exc.reason}") from None
        except (http.client.HTTPException, OSError) as exc:
            raise RemoteError(self.endpoint, f"connection failed: {exc or exc.__class__.__name__}") from None
        if status in (429, 503, 502, 504):
            reason = {429: "too many requests", 503: "service unavailable", 502: "bad gateway", 504: "gateway timeout"}[status]
            body = _short_body(raw)
            raise _Retryable(status, reason + (f": {body}" if body else ""), _retry_after(answer_headers.get("Retry-After")))
        if status >= 400:
            raise RemoteError(self.endpoint, _short_body(raw) or http.client.responses.get(status, "request failed"), status)
        try:
            data = json.loads(raw.decode("utf-8"))
            bindings = data["results"]["bindings"]
            if not isinstance(bindings, list) or not all(isinstance(b, dict) for b in bindings):
                raise TypeError("bindings is not a list of objects")
        except (UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
            raise RemoteError(self.endpoint, f"malformed response, not SPARQL JSON results ({exc.__class__.__name__}: {str(exc)[:120]})") from None
        return data


def _short_body(body: bytes) -> str:
    text = body.decode("utf-8", "replace").strip()
    text = re.sub(r"<[^>]+>", " ", text)  # HTML error pages
    text = re.sub(r"\s+", " ", text).strip()
    return text[:300]


def _write_atomic(path: Path, text: str) -> None:
    """Write through a temporary file in the same folder and rename: never a half file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _batches(items: Sequence[str], size: int = BATCH) -> Iterable[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _values(qids: Iterable[str]) -> str:
    return " ".join(f"wd:{q}" for q in qids)


def _qid(binding: dict | None) -> str:
    if not binding:
        return ""
    value = binding.get("value", "")
    return value[len(WD):] if value.startswith(WD) else ""


def _val(row: dict, var: str) -> str:
    b = row.get(var)
    return b.get("value", "") if b else ""


Sleep = Callable[[float], None]
