"""Stage: wikidata. Check our links to Wikidata, lay our facts beside its statements, and
write what Wikidata lacks as QuickStatements.

Input: the loaded `Sources` and a `WikidataClient` (a SPARQL endpoint: the Wikidata Query
Service by default, a local Oxigraph server loaded with a Wikidata-shaped fixture in the tests).
Output: reports that are data — `CheckReport`, `DiffReport`, `QuickStatementsReport` — each
rendering to a terminal table, CSV and JSON.

The client follows Wikimedia's etiquette for the Query Service: a descriptive User-Agent with
a contact, few and batched queries (`VALUES`), a timeout, retries with exponential backoff on
429 and 503 that honour `Retry-After` within a capped total wait, and a disk cache keyed by
the query's hash, so that a rerun asks the service nothing. Every failure becomes a
`RemoteError` naming the endpoint and the HTTP status.

This module imports only from the stages above it (sources, validate, query); never from
serve or push.
"""

from __future__ import annotations

import csv
import hashlib
import http.client
import io
import json
import os
import re
import socket
import tempfile
import time
import unicodedata
import urllib.error
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Callable, Iterable, Sequence

from igokg import __version__
from igokg.errors import IgokgError, RemoteError
from igokg.namespaces import ID, IGO, OWL, RDFS, SKOS, WD, compact
from igokg.sources import Sources
from igokg.validate import read_reference

__all__ = [
    "DEFAULT_ENDPOINT",
    "CONTACT",
    "USER_AGENT",
    "WikidataClient",
    "CacheMiss",
    "LinkCheck",
    "CheckReport",
    "DiffRow",
    "DiffReport",
    "QuickStatement",
    "QuickStatementsReport",
    "check_links",
    "diff_statements",
    "quickstatements",
    "normalize_label",
    "labels_match",
    "qs_time",
    "write_report",
    "write_wikidata_diff",
]

DEFAULT_ENDPOINT = "https://query.wikidata.org/sparql"
#: Who to write to about our traffic. Wikimedia's User-Agent policy asks for a way to reach us.
CONTACT = "https://w3id.org/igokg; igokg@example.org"
USER_AGENT = f"igokg/{__version__} ({CONTACT}) SPARQLWrapper"

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

# --------------------------------------------------------------------------- expected classes
#
# What a linked entity must be an instance of (wdt:P31/wdt:P279*), by our class. QIDs listed in
# seeds/reference/wikidata-ids.tsv are taken from there: Q484652 international organization,
# Q245065 intergovernmental organization, Q192283 news agency, Q3624078 sovereign state,
# Q6256 country, Q5 human, Q515 city. The reference does not list four upper classes that the
# check needs; they are Wikidata's standard top classes for these kinds of thing (the rule
# "never guess a QID" is about the links of our entities, which come only from the reference):
#   Q43229  organization — for bodies of organizations (a council, a secretariat) and national
#           institutions, which are not international organizations themselves;
#   Q7275   state — for states that Wikidata does not class as sovereign states or countries;
#   Q486972 human settlement — for places that are towns rather than cities;
#   Q56061  administrative territorial entity — for provinces and regions.
_NOT_IN_REFERENCE = {
    "Q43229": "organization",
    "Q7275": "state",
    "Q486972": "human settlement",
    "Q56061": "administrative territorial entity",
}
#: Our class -> (kind, expected Wikidata classes); most specific class first.
EXPECTED_CLASSES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (IGO + "IntergovernmentalOrganization", "organization", ("Q484652", "Q245065")),
    (IGO + "NewsOrganization", "news organization", ("Q192283", "Q43229")),
    (IGO + "OrganizationBody", "body", ("Q484652", "Q245065", "Q43229")),
    (IGO + "Organization", "organization", ("Q484652", "Q245065", "Q43229")),
    (IGO + "State", "state", ("Q3624078", "Q7275", "Q6256")),
    (IGO + "Person", "person", ("Q5",)),
    (IGO + "Place", "place", ("Q515", "Q486972", "Q56061")),
)
#: Classes of members that `diff` accepts from an organization's "has part(s)" (P527).
STATE_CLASSES = ("Q3624078", "Q7275", "Q6256")
#: Properties of office holders on an organization: secretary general, chairperson, director/manager.
OFFICE_PROPERTIES = ("P3975", "P488", "P1037")

Sleep = Callable[[float], None]


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
    user_agent: str = USER_AGENT
    #: HTTP requests actually sent (cache hits do not count).
    requests: int = 0
    cache_hits: int = 0

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
        result = self._with_retries(query)
        if path is not None:
            _write_atomic(path, json.dumps({"endpoint": self.endpoint, "query": query, "result": result}, ensure_ascii=False, sort_keys=True))
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
        from SPARQLWrapper import GET, JSON, POST, SPARQLWrapper
        from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

        sw = SPARQLWrapper(self.endpoint, agent=self.user_agent)
        sw.setQuery(query)
        sw.setReturnFormat(JSON)
        sw.setOnlyConneg(True)  # no format=/output= parameters: WDQS and Oxigraph negotiate
        sw.setTimeout(int(max(1, round(self.timeout))))
        # GET lets the service's HTTP cache answer; long queries go by POST (URL length).
        sw.setMethod(GET if len(query) < 4000 else POST)
        self.requests += 1
        try:
            response = sw.query().response
            raw = response.read()
        except urllib.error.HTTPError as exc:
            status = exc.code
            body = _short_body(exc.read() if exc.fp is not None else b"")
            if status in (429, 503, 502, 504):
                reason = {429: "too many requests", 503: "service unavailable", 502: "bad gateway", 504: "gateway timeout"}[status]
                raise _Retryable(status, reason + (f": {body}" if body else ""), _retry_after(exc.headers.get("Retry-After"))) from None
            raise RemoteError(self.endpoint, body or exc.reason or "request failed", status) from None
        except SPARQLWrapperException as exc:
            status = {"QueryBadFormed": 400, "Unauthorized": 401, "EndPointNotFound": 404, "URITooLong": 414, "EndPointInternalError": 500}.get(type(exc).__name__)
            raise RemoteError(self.endpoint, _short_body(str(exc).encode()), status) from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, (socket.timeout, TimeoutError)):
                raise RemoteError(self.endpoint, f"no answer within {self.timeout:g}s (timeout)") from None
            raise RemoteError(self.endpoint, f"cannot connect: {exc.reason}") from None
        except (socket.timeout, TimeoutError):
            raise RemoteError(self.endpoint, f"no answer within {self.timeout:g}s (timeout)") from None
        except (http.client.HTTPException, ConnectionError, OSError) as exc:
            raise RemoteError(self.endpoint, f"connection failed: {exc}") from None
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


# =========================================================================== labels


_CYRILLIC = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "i", "k", "l", "m", "n", "o", "p", "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"],
    )
)
# Romanizations of the same name differ in a few letter groups (Sergey/Sergei, Yury/Yuri,
# Bordyuzha/Bordjuzha, Nurgaliyev/Nurgaliev). Folding them to one skeleton lets those match
# while different names (Sergey/Mikhail) still differ.
_FOLDS = (("isation", "ization"), ("ise", "ize"), ("shch", "sc"), ("kh", "h"), ("zh", "z"), ("ch", "c"), ("sh", "s"), ("ts", "c"), ("tz", "c"), ("ph", "f"), ("w", "v"), ("j", "i"), ("y", "i"), ("ck", "k"), ("q", "k"), ("x", "ks"))


def normalize_label(text: str) -> frozenset[str]:
    """A label as a set of folded tokens: casefolded, accents stripped, Cyrillic romanized,
    punctuation dropped, romanization variants folded. Two labels match when the sets are equal."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = "".join(_CYRILLIC.get(c, c) for c in text)
    text = re.sub(r"['\u2018\u2019\u02bb\u02bc`]", "", text)  # O'zbekiston, Oʻzbekiston, People's
    text = re.sub(r"[^\w\s]|_", " ", text)
    tokens = set()
    for tok in text.split():
        for a, b in _FOLDS:
            tok = tok.replace(a, b)
        tok = re.sub(r"(.)\1+", r"\1", tok)  # doubled letters
        tok = re.sub(r"(?<=[aeiou])i(?=[aeiou])|(?<=[aeiou])i$", "", tok) if len(tok) > 3 else tok  # -iev/-ev, -ei/-e
        tokens.add(tok)
    return frozenset(tokens)


def labels_match(ours: Iterable[str], theirs: Iterable[str]) -> str | None:
    """The first of `theirs` that matches one of `ours`, or None."""
    mine = {normalize_label(t) for t in ours}
    mine.discard(frozenset())
    for label in sorted(theirs):
        if normalize_label(label) in mine:
            return label
    return None


# =========================================================================== our side


def _rows(sources: Sources, query: str) -> list[dict[str, str]]:
    from igokg.query import run_query

    res = run_query(sources.store, query, source="igokg.wikidata")
    return [{v: (t.value if t is not None else "") for v, t in zip(res.variables, row)} for row in res.rows]


_OUR_PREFIXES = f"""PREFIX igo: <{IGO}>
PREFIX owl: <{OWL}>
PREFIX rdfs: <{RDFS}>
PREFIX skos: <{SKOS}>
PREFIX dct: <http://purl.org/dc/terms/>
"""


@dataclass(frozen=True)
class _Linked:
    iri: str
    qid: str
    kind: str
    expected: tuple[str, ...]
    labels: tuple[str, ...]
    label: str


def _linked_entities(sources: Sources) -> list[_Linked]:
    links = _rows(sources, _OUR_PREFIXES + f"""
SELECT DISTINCT ?e ?wd ?class WHERE {{
  ?e owl:sameAs ?wd . FILTER(STRSTARTS(STR(?wd), "{WD}"))
  OPTIONAL {{ ?e a ?t . ?t rdfs:subClassOf* ?class }}
}}""")
    labels = _rows(sources, _OUR_PREFIXES + f"""
SELECT DISTINCT ?e ?p ?l WHERE {{
  ?e owl:sameAs ?wd . FILTER(STRSTARTS(STR(?wd), "{WD}"))
  VALUES ?p {{ rdfs:label skos:altLabel skos:prefLabel }}
  ?e ?p ?l .
}}""")
    classes: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in links:
        classes[(r["e"], r["wd"][len(WD):])].add(r["class"])
    names: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for r in labels:
        names[r["e"]].append((0 if r["p"] == RDFS + "label" else 1, r["l"]))
    out = []
    for (iri, qid), cls in sorted(classes.items()):
        kind, expected = "", ()
        for klass, k, exp in EXPECTED_CLASSES:
            if klass in cls:
                kind, expected = k, exp
                break
        ls = sorted(names.get(iri, []))
        out.append(_Linked(iri, qid, kind, expected, tuple(sorted({l for _, l in ls})), ls[0][1] if ls else ""))
    return out


# =========================================================================== check


@dataclass(frozen=True)
class LinkCheck:
    """The verdict on one owl:sameAs link."""

    entity: str
    qid: str
    kind: str
    label: str
    problems: tuple[str, ...]
    redirect_to: str = ""
    wikidata_label: str = ""
    matched_label: str = ""
    types: tuple[str, ...] = ()
    matched_classes: tuple[str, ...] = ()
    note: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def status(self) -> str:
        return "ok" if self.ok else ", ".join(p.split(":", 1)[0] for p in self.problems)


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], widths_max: int = 60) -> str:
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [min(max(w, len(c)), widths_max) for w, c in zip(widths, row)]

    def line(values: Sequence[str]) -> str:
        # The last column (details) is never cut: it is what people read.
        cells = [(v if len(v) <= w or i == len(values) - 1 else v[: w - 1] + "…").ljust(w) for i, (v, w) in enumerate(zip(values, widths))]
        return "  ".join(cells).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)]) + "\n"


def _csv(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(headers)
    w.writerows(rows)
    return buf.getvalue()


@dataclass
class CheckReport:
    endpoint: str
    checks: list[LinkCheck] = field(default_factory=list)

    @property
    def mismatches(self) -> list[LinkCheck]:
        return [c for c in self.checks if not c.ok]

    @property
    def ok(self) -> bool:
        return not self.mismatches

    _HEADERS = ("entity", "qid", "kind", "status", "wikidata label", "detail")

    def _cells(self) -> list[list[str]]:
        return [
            [compact(c.entity), c.qid, c.kind, c.status, c.wikidata_label, "; ".join([
                *c.problems,
                *([f"matched {c.matched_label!r}"] if c.matched_label and c.matched_label != c.wikidata_label else []),
                *([c.note] if c.note else []),
            ])]
            for c in self.checks
        ]

    def to_table(self) -> str:
        text = _table(self._HEADERS, self._cells(), widths_max=70)
        n, bad = len(self.checks), len(self.mismatches)
        return text + f"{n} link(s) checked against {self.endpoint}: {n - bad} ok, {bad} mismatch(es)\n"

    def to_csv(self) -> str:
        return _csv(self._HEADERS, self._cells())

    def to_json(self) -> str:
        return json.dumps(
            {
                "endpoint": self.endpoint,
                "ok": self.ok,
                "checked": len(self.checks),
                "mismatches": len(self.mismatches),
                "links": [{**asdict(c), "status": c.status, "ok": c.ok} for c in self.checks],
            },
            indent=2,
            ensure_ascii=False,
        ) + "\n"


def check_links(sources: Sources, client: WikidataClient, only: Iterable[str] | None = None) -> CheckReport:
    """For every owl:sameAs QID (or those in `only`): does the item exist, is it a redirect,
    does a label or alias match ours, and is it an instance of a class that fits ours?"""
    entities = _linked_entities(sources)
    if only is not None:
        keep = set(only)
        entities = [e for e in entities if e.qid in keep]
    reference = read_reference(sources.project.reference_tsv)
    qids = sorted({e.qid for e in entities})

    redirects: dict[str, str] = {}
    for batch in _batches(qids):
        for row in client.select(WD_PREFIXES + f"SELECT ?item ?target WHERE {{ VALUES ?item {{ {_values(batch)} }} ?item owl:sameAs ?target . }}"):
            if _qid(row.get("target")):
                redirects[_qid(row.get("item"))] = _qid(row.get("target"))
    resolved = sorted({redirects.get(q, q) for q in qids})

    labels: dict[str, set[str]] = defaultdict(set)
    en_label: dict[str, str] = {}
    types: dict[str, set[str]] = defaultdict(set)
    matched: dict[str, set[str]] = defaultdict(set)
    all_expected = sorted({c for _, _, exp in EXPECTED_CLASSES for c in exp})
    for batch in _batches(resolved):
        for row in client.select(WD_PREFIXES + f"""SELECT ?item ?label ?alias WHERE {{
  VALUES ?item {{ {_values(batch)} }}
  {{ ?item rdfs:label ?label }} UNION {{ ?item skos:altLabel ?alias }}
}}"""):
            q = _qid(row.get("item"))
            labels[q].add(_val(row, "label") or _val(row, "alias"))
            if row.get("label", {}).get("xml:lang") == "en" and (q not in en_label or _val(row, "label") < en_label[q]):
                en_label[q] = _val(row, "label")
        for row in client.select(WD_PREFIXES + f"SELECT ?item ?class WHERE {{ VALUES ?item {{ {_values(batch)} }} ?item wdt:P31 ?class . }}"):
            types[_qid(row.get("item"))].add(_qid(row.get("class")))
        for row in client.select(WD_PREFIXES + f"""SELECT DISTINCT ?item ?class WHERE {{
  VALUES ?item {{ {_values(batch)} }}
  VALUES ?class {{ {_values(all_expected)} }}
  ?item wdt:P31/wdt:P279* ?class .
}}"""):
            matched[_qid(row.get("item"))].add(_qid(row.get("class")))

    checks = []
    for e in entities:
        target = redirects.get(e.qid, e.qid)
        problems: list[str] = []
        if e.qid in redirects:
            problems.append(f"redirected: wd:{e.qid} is merged into wd:{target}; link to wd:{target}")
        exists = bool(labels.get(target) or types.get(target))
        if not exists:
            problems.append(f"missing: wd:{target} has no labels and no types (deleted or never existed)")
        shown = en_label.get(target, "")
        hit = (shown if shown and labels_match(e.labels, [shown]) else labels_match(e.labels, labels.get(target, ()))) if exists else None
        if exists and hit is None:
            problems.append(f"label-mismatch: none of Wikidata's labels or aliases matches {e.label!r}")
        fits = tuple(sorted(matched.get(target, set()) & set(e.expected), key=_qnum))
        if exists and e.expected and not fits:
            want = " or ".join(f"{c} ({_class_label(c, reference)})" for c in e.expected)
            have = ", ".join(sorted(types.get(target, ()), key=_qnum)) or "no P31"
            problems.append(f"type-mismatch: not an instance of {want}, as our {e.kind} should be; Wikidata has P31 {have}")
        entry = reference.get(e.qid)
        note = ""
        if entry is not None and entry.confidence == "one-source":
            note = "reference: one source only — to verify against Wikidata"
        elif entry is None:
            note = "QID not in the reference"
        checks.append(
            LinkCheck(
                entity=e.iri,
                qid=e.qid,
                kind=e.kind,
                label=e.label,
                problems=tuple(problems),
                redirect_to=redirects.get(e.qid, ""),
                wikidata_label=en_label.get(target, min(labels.get(target, {""}))),
                matched_label=hit or "",
                types=tuple(sorted(types.get(target, ()), key=_qnum)),
                matched_classes=fits,
                note=note,
            )
        )
    return CheckReport(client.endpoint, checks)


def _qnum(qid: str) -> tuple[int, str]:
    return (int(qid[1:]) if qid[1:].isdigit() else 1 << 62, qid)


def _class_label(qid: str, reference) -> str:
    entry = reference.get(qid)
    if entry is not None:
        return entry.label
    return _NOT_IN_REFERENCE.get(qid, qid)


# =========================================================================== dates


@dataclass(frozen=True, order=True)
class WDate:
    """A date at a precision, as Wikidata keeps them: 9 year, 10 month, 11 day."""

    text: str  # ISO at its precision: "2017", "2017-06", "2017-06-09"
    precision: int

    @classmethod
    def ours(cls, lexical: str) -> "WDate":
        lexical = lexical.strip()
        return cls(lexical, {4: 9, 7: 10}.get(len(lexical.lstrip("-")), 11))

    @classmethod
    def wikidata(cls, value: str, precision: str | int | None) -> "WDate":
        p = int(precision) if precision not in (None, "") else 11
        p = min(max(p, 9), 11)  # decades and centuries compare as their first year
        m = re.match(r"([+-]?\d{4,})-(\d\d)-(\d\d)", value)
        if not m:
            return cls(value, p)
        year = m.group(1).lstrip("+")
        return cls({9: year, 10: f"{year}-{m.group(2)}", 11: f"{year}-{m.group(2)}-{m.group(3)}"}[p], p)

    def at(self, precision: int) -> str:
        return self.text[: {9: 4, 10: 7, 11: 10}[precision]] if precision < self.precision else self.text

    def __str__(self) -> str:
        return self.text


def _same(a: WDate, b: WDate) -> bool:
    p = min(a.precision, b.precision)
    return a.at(p) == b.at(p)


def _before(a: WDate, b: WDate) -> bool:
    """a is certainly before b."""
    p = min(a.precision, b.precision)
    return a.at(p) < b.at(p)


def qs_time(d: WDate) -> str:
    """A QuickStatements time value: +YYYY-MM-DDT00:00:00Z/precision, zeros below the precision."""
    y, m, dd = (d.text.split("-") + ["00", "00"])[:3]
    return f"+{y}-{m}-{dd}T00:00:00Z/{d.precision}"


# =========================================================================== diff


ROLE_LABELS = {
    "member": "member",
    "member state": "member",
    "full member": "member",
    "founding member": "founding member",
    "founder": "founding member",
    "observer": "observer",
    "observer state": "observer",
    "dialogue partner": "dialogue partner",
    "partner": "dialogue partner",
}
_OUR_ROLES = {IGO + "Member": "member", IGO + "FoundingMember": "founding member", IGO + "Observer": "observer", IGO + "DialoguePartner": "dialogue partner"}


def _role_of(label: str) -> str:
    key = " ".join(sorted(normalize_label(label)))
    for text, role in ROLE_LABELS.items():
        if " ".join(sorted(normalize_label(text))) == key:
            return role
    return label or "?"


def _standing(roles: set[str]) -> str:
    """Observer and dialogue partner are not membership; anything else is."""
    for r in ("observer", "dialogue partner"):
        if r in roles:
            return r
    return "member"


@dataclass(frozen=True)
class DiffRow:
    topic: str  # membership | inception | headquarters | office
    organization: str  # our IRI
    org_qid: str
    subject: str  # member / holder / place label
    subject_qid: str
    property: str  # the Wikidata property (P463, P571, P159, P3975…)
    ours: str
    wikidata: str
    status: str  # agree | ours-only | wikidata-only | conflict
    detail: str = ""
    subject_iri: str = ""
    #: Qualifiers and values we have that Wikidata's statement lacks: (property, value) pairs.
    missing: tuple[tuple[str, str], ...] = ()


STATUSES = ("agree", "conflict", "ours-only", "wikidata-only")


@dataclass
class DiffReport:
    endpoint: str
    rows: list[DiffRow] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def conflicts(self) -> list[DiffRow]:
        return [r for r in self.rows if r.status == "conflict"]

    _HEADERS = ("topic", "organization", "subject", "property", "ours", "wikidata", "status", "detail")

    def _cells(self) -> list[list[str]]:
        return [
            [r.topic, f"{compact(r.organization)} ({r.org_qid})", f"{r.subject} ({r.subject_qid})" if r.subject_qid else r.subject, r.property, r.ours, r.wikidata, r.status, r.detail]
            for r in self.rows
        ]

    def summary(self) -> str:
        return ", ".join(f"{self.count(s)} {s}" for s in STATUSES)

    def to_table(self) -> str:
        return _table(self._HEADERS, self._cells(), widths_max=48) + f"{len(self.rows)} statement(s) compared with {self.endpoint}: {self.summary()}\n"

    def to_csv(self) -> str:
        return _csv(
            ("topic", "organization", "org_qid", "subject", "subject_qid", "property", "ours", "wikidata", "status", "detail"),
            ([r.topic, r.organization, r.org_qid, r.subject, r.subject_qid, r.property, r.ours, r.wikidata, r.status, r.detail] for r in self.rows),
        )

    def to_json(self) -> str:
        rows = []
        for r in self.rows:
            d = asdict(r)
            d["missing"] = [list(m) for m in r.missing]
            rows.append(d)
        return json.dumps(
            {"endpoint": self.endpoint, "counts": {s: self.count(s) for s in STATUSES}, "rows": rows},
            indent=2,
            ensure_ascii=False,
        ) + "\n"


@dataclass
class _OurMembership:
    iri: str
    member: str
    member_qid: str
    member_label: str
    org: str
    org_qid: str
    roles: set[str]
    start: WDate | None
    end: WDate | None
    attested: list[WDate]
    attestations: list[str]


@dataclass
class _WdStatement:
    subject: str  # QID of the member / holder / value
    label: str
    labels: set[str]
    prop: str
    start: WDate | None = None
    end: WDate | None = None
    roles: set[str] = field(default_factory=set)
    via: set[str] = field(default_factory=set)


def _our_organizations(sources: Sources) -> list[tuple[str, str]]:
    rows = _rows(sources, _OUR_PREFIXES + f"""
SELECT DISTINCT ?org ?wd WHERE {{
  ?m a igo:Membership ; igo:organization ?org .
  ?org owl:sameAs ?wd . FILTER(STRSTARTS(STR(?wd), "{WD}"))
}} ORDER BY ?org""")
    return [(r["org"], r["wd"][len(WD):]) for r in rows]


def _qids_of(sources: Sources) -> dict[str, str]:
    rows = _rows(sources, _OUR_PREFIXES + f'SELECT ?e ?wd WHERE {{ ?e owl:sameAs ?wd . FILTER(STRSTARTS(STR(?wd), "{WD}")) }}')
    return {r["e"]: r["wd"][len(WD):] for r in rows}


def _labels_of(sources: Sources) -> dict[str, list[str]]:
    rows = _rows(sources, _OUR_PREFIXES + "SELECT ?e ?p ?l WHERE { VALUES ?p { rdfs:label skos:altLabel } ?e ?p ?l . FILTER(STRSTARTS(STR(?e), \"" + ID + "\")) }")
    out: dict[str, list[str]] = defaultdict(list)
    for r in sorted(rows, key=lambda r: (r["e"], r["p"] != RDFS + "label", r["l"])):
        out[r["e"]].append(r["l"])
    return out


def _our_memberships(sources: Sources, orgs: dict[str, str], qids: dict[str, str], names: dict[str, list[str]]) -> list[_OurMembership]:
    rows = _rows(sources, _OUR_PREFIXES + """
SELECT ?m ?member ?org ?role ?start ?end ?att ?at WHERE {
  ?m a igo:Membership ; igo:member ?member ; igo:organization ?org .
  OPTIONAL { ?m igo:role ?role }
  OPTIONAL { ?m igo:startDate ?start }
  OPTIONAL { ?m igo:endDate ?end }
  OPTIONAL { ?m igo:attestation ?att . OPTIONAL { ?att igo:attestedAt ?at } }
}""")
    out: dict[str, _OurMembership] = {}
    for r in rows:
        if r["org"] not in orgs:
            continue
        m = out.get(r["m"])
        if m is None:
            m = out[r["m"]] = _OurMembership(
                r["m"], r["member"], qids.get(r["member"], ""), (names.get(r["member"]) or [compact(r["member"])])[0],
                r["org"], orgs[r["org"]], set(), WDate.ours(r["start"]) if r["start"] else None,
                WDate.ours(r["end"]) if r["end"] else None, [], [],
            )
        if r["role"]:
            m.roles.add(_OUR_ROLES.get(r["role"], compact(r["role"])))
        if r["at"] and WDate.ours(r["at"]) not in m.attested:
            m.attested.append(WDate.ours(r["at"]))
        if r["att"] and r["att"] not in m.attestations:
            m.attestations.append(r["att"])
    return sorted(out.values(), key=lambda m: (m.org, m.member))


def _wd_memberships(client: WikidataClient, org_qids: list[str]) -> dict[str, dict[str, _WdStatement]]:
    """org QID -> member QID -> the statement, merged from member P463 and the org's P527."""
    out: dict[str, dict[str, _WdStatement]] = defaultdict(dict)
    if not org_qids:
        return out
    rows = client.select(WD_PREFIXES + f"""SELECT DISTINCT ?org ?member ?memberLabel ?via ?st ?start ?startPrecision ?end ?endPrecision ?role ?roleLabel WHERE {{
  VALUES ?org {{ {_values(org_qids)} }}
  {{ ?member p:P463 ?st . ?st ps:P463 ?org . BIND("P463" AS ?via) }}
  UNION
  {{ ?org p:P527 ?st . ?st ps:P527 ?member .
     VALUES ?stateClass {{ {_values(STATE_CLASSES)} }}
     ?member wdt:P31/wdt:P279* ?stateClass . BIND("P527" AS ?via) }}
  FILTER NOT EXISTS {{ ?st wikibase:rank wikibase:DeprecatedRank }}
  OPTIONAL {{ ?st pqv:P580 ?sv . ?sv wikibase:timeValue ?start ; wikibase:timePrecision ?startPrecision }}
  OPTIONAL {{ ?st pqv:P582 ?ev . ?ev wikibase:timeValue ?end ; wikibase:timePrecision ?endPrecision }}
  OPTIONAL {{ ?st pq:P2868 ?role . OPTIONAL {{ ?role rdfs:label ?roleLabel . FILTER(LANG(?roleLabel) = "en") }} }}
  OPTIONAL {{ ?member rdfs:label ?memberLabel . FILTER(LANG(?memberLabel) = "en") }}
}}""")
    for r in rows:
        org, member = _qid(r.get("org")), _qid(r.get("member"))
        s = out[org].get(member)
        if s is None:
            s = out[org][member] = _WdStatement(member, _val(r, "memberLabel") or member, set(), "P463")
        s.via.add(_val(r, "via"))
        if _val(r, "start"):
            d = WDate.wikidata(_val(r, "start"), _val(r, "startPrecision"))
            s.start = d if s.start is None or d < s.start else s.start
        if _val(r, "end"):
            d = WDate.wikidata(_val(r, "end"), _val(r, "endPrecision"))
            s.end = d if s.end is None or d > s.end else s.end
        if r.get("role"):
            s.roles.add(_role_of(_val(r, "roleLabel") or _qid(r.get("role"))))
    return out


def _period(start: WDate | None, end: WDate | None) -> str:
    if not start and not end:
        return ""
    return f"{start or '…'}–{end or ''}"


def _fmt_membership(roles: set[str], start: WDate | None, end: WDate | None) -> str:
    text = ", ".join(sorted(roles)) if roles else "member"
    p = _period(start, end)
    return f"{text} {p}".strip()


def _compare_membership(ours: _OurMembership, wd: _WdStatement) -> tuple[str, list[str], list[tuple[str, str]]]:
    problems, notes, missing = [], [], []
    wd_roles = set(wd.roles) or {"member"}
    if _standing(ours.roles) != _standing(wd_roles):
        problems.append(f"role: ours {_standing(ours.roles)}, Wikidata {_standing(wd_roles)}" + ("" if wd.roles else " (no subject has role)"))
    elif wd.roles and ({"founding member"} & ours.roles) != ({"founding member"} & wd_roles):
        problems.append(f"role: ours {', '.join(sorted(ours.roles))}, Wikidata {', '.join(sorted(wd_roles))}")
    for name, mine, theirs, pid in (("start", ours.start, wd.start, "P580"), ("end", ours.end, wd.end, "P582")):
        if mine and theirs and not _same(mine, theirs):
            problems.append(f"{name}: ours {mine}, Wikidata {theirs}")
        elif mine and not theirs:
            notes.append(f"{name} {mine} only in ours")
            missing.append((pid, mine.text))
        elif theirs and not mine:
            notes.append(f"{name} {theirs} only in Wikidata")
    for d in sorted(ours.attested):
        if wd.start and _before(d, wd.start):
            problems.append(f"a source attests it on {d}, before Wikidata's start {wd.start}")
        if wd.end and _before(wd.end, d):
            problems.append(f"a source attests it on {d}, after Wikidata's end {wd.end}")
    if wd.via == {"P527"}:
        notes.append("Wikidata states it only as has part(s) (P527) on the organization")
    return ("conflict" if problems else "agree"), problems + notes, missing


def _diff_memberships(sources, client, orgs, qids, names) -> list[DiffRow]:
    ours = _our_memberships(sources, orgs, qids, names)
    theirs = _wd_memberships(client, sorted(set(orgs.values()), key=_qnum))
    by_qid = {q: e for e, q in qids.items()}
    rows: list[DiffRow] = []
    seen: set[tuple[str, str]] = set()
    for m in ours:
        wd = theirs.get(m.org_qid, {}).get(m.member_qid) if m.member_qid else None
        ours_text = _fmt_membership(m.roles, m.start, m.end)
        if wd is None:
            detail = "" if m.member_qid else "member has no Wikidata link"
            rows.append(DiffRow("membership", m.org, m.org_qid, m.member_label, m.member_qid, "P463", ours_text, "", "ours-only", detail, m.member))
            continue
        seen.add((m.org_qid, m.member_qid))
        status, details, missing = _compare_membership(m, wd)
        rows.append(
            DiffRow("membership", m.org, m.org_qid, m.member_label, m.member_qid, "P463", ours_text,
                    _fmt_membership(wd.roles, wd.start, wd.end), status, "; ".join(details), m.member, tuple(missing))
        )
    for org, org_qid in sorted(orgs.items()):
        for member, wd in sorted(theirs.get(org_qid, {}).items(), key=lambda kv: _qnum(kv[0])):
            if (org_qid, member) in seen:
                continue
            ours_entity = by_qid.get(member, "")
            label = (names.get(ours_entity) or [wd.label])[0]
            detail = "only as has part(s) (P527)" if wd.via == {"P527"} else ""
            rows.append(DiffRow("membership", org, org_qid, label, member, "P463", "", _fmt_membership(wd.roles, wd.start, wd.end), "wikidata-only", detail, ours_entity))
    return rows


def _diff_inception(sources, client, orgs, names) -> list[DiffRow]:
    ours = {
        r["org"]: WDate.ours(r["date"])
        for r in _rows(sources, _OUR_PREFIXES + "SELECT ?org ?date WHERE { ?f a igo:Founding ; igo:founded ?org ; igo:date ?date }")
    }
    theirs: dict[str, list[WDate]] = defaultdict(list)
    if orgs:
        for r in client.select(WD_PREFIXES + f"""SELECT ?org ?date ?precision WHERE {{
  VALUES ?org {{ {_values(sorted(set(orgs.values()), key=_qnum))} }}
  ?org p:P571 ?st . ?st psv:P571 ?v . ?v wikibase:timeValue ?date ; wikibase:timePrecision ?precision .
  FILTER NOT EXISTS {{ ?st wikibase:rank wikibase:DeprecatedRank }}
}}"""):
            theirs[_qid(r.get("org"))].append(WDate.wikidata(_val(r, "date"), _val(r, "precision")))
    rows = []
    for org, qid in sorted(orgs.items()):
        mine, wds = ours.get(org), sorted(set(theirs.get(qid, [])))
        label = (names.get(org) or [compact(org)])[0]
        wtext = ", ".join(map(str, wds))
        if mine and not wds:
            rows.append(DiffRow("inception", org, qid, label, "", "P571", str(mine), "", "ours-only", "", org, (("P571", mine.text),)))
        elif wds and not mine:
            rows.append(DiffRow("inception", org, qid, label, "", "P571", "", wtext, "wikidata-only", "", org))
        elif mine and wds:
            ok = any(_same(mine, d) for d in wds)
            rows.append(DiffRow("inception", org, qid, label, "", "P571", str(mine), wtext, "agree" if ok else "conflict", "" if ok else f"inception: ours {mine}, Wikidata {wtext}", org))
    return rows


def _diff_headquarters(client, orgs, qids, names) -> list[DiffRow]:
    # The ontology has no headquarters property yet: every Wikidata value is Wikidata-only.
    by_qid = {q: e for e, q in qids.items()}
    rows = []
    if not orgs:
        return rows
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for r in client.select(WD_PREFIXES + f"""SELECT ?org ?hq ?hqLabel WHERE {{
  VALUES ?org {{ {_values(sorted(set(orgs.values()), key=_qnum))} }}
  ?org wdt:P159 ?hq .
  OPTIONAL {{ ?hq rdfs:label ?hqLabel . FILTER(LANG(?hqLabel) = "en") }}
}}"""):
        found[_qid(r.get("org"))][_qid(r.get("hq"))] = _val(r, "hqLabel")
    for org, qid in sorted(orgs.items()):
        for hq, label in sorted(found.get(qid, {}).items(), key=lambda kv: _qnum(kv[0])):
            ours = by_qid.get(hq, "")
            rows.append(DiffRow("headquarters", org, qid, (names.get(ours) or [label or hq])[0], hq, "P159", "", label or hq, "wikidata-only", "our model has no headquarters property", ours))
    return rows


@dataclass
class _OurHolding:
    iri: str
    holder: str
    holder_qid: str
    labels: list[str]
    org: str
    org_qid: str
    prop: str
    post: str
    start: WDate | None
    end: WDate | None
    attested: list[WDate]
    attestations: list[str]


def _diff_offices(sources, client, orgs, qids, names) -> list[DiffRow]:
    rows_ours = _rows(sources, _OUR_PREFIXES + """
SELECT ?h ?holder ?post ?org ?prop ?start ?end ?att ?at WHERE {
  ?h a igo:PostHolding ; igo:holder ?holder ; igo:post ?post .
  ?post igo:postIn ?org .
  OPTIONAL { ?post igo:wikidataProperty ?prop }
  OPTIONAL { ?h igo:startDate ?start }
  OPTIONAL { ?h igo:endDate ?end }
  OPTIONAL { ?h igo:attestation ?att . OPTIONAL { ?att igo:attestedAt ?at } }
}""")
    ours: dict[str, _OurHolding] = {}
    for r in rows_ours:
        if r["org"] not in orgs:
            continue
        h = ours.get(r["h"])
        if h is None:
            h = ours[r["h"]] = _OurHolding(
                r["h"], r["holder"], qids.get(r["holder"], ""), names.get(r["holder"]) or [compact(r["holder"])],
                r["org"], orgs[r["org"]], r["prop"][len(WD):] if r["prop"].startswith(WD) else "", r["post"],
                WDate.ours(r["start"]) if r["start"] else None, WDate.ours(r["end"]) if r["end"] else None, [], [],
            )
        if r["at"] and WDate.ours(r["at"]) not in h.attested:
            h.attested.append(WDate.ours(r["at"]))
        if r["att"] and r["att"] not in h.attestations:
            h.attestations.append(r["att"])

    theirs: dict[str, dict[str, _WdStatement]] = defaultdict(dict)
    if orgs:
        props = " ".join(f'(p:{p} ps:{p} "{p}")' for p in OFFICE_PROPERTIES)
        for r in client.select(WD_PREFIXES + f"""SELECT DISTINCT ?org ?pid ?holder ?holderLabel ?start ?startPrecision ?end ?endPrecision WHERE {{
  VALUES ?org {{ {_values(sorted(set(orgs.values()), key=_qnum))} }}
  VALUES (?p ?ps ?pid) {{ {props} }}
  ?org ?p ?st . ?st ?ps ?holder .
  FILTER NOT EXISTS {{ ?st wikibase:rank wikibase:DeprecatedRank }}
  OPTIONAL {{ ?st pqv:P580 ?sv . ?sv wikibase:timeValue ?start ; wikibase:timePrecision ?startPrecision }}
  OPTIONAL {{ ?st pqv:P582 ?ev . ?ev wikibase:timeValue ?end ; wikibase:timePrecision ?endPrecision }}
  OPTIONAL {{ {{ ?holder rdfs:label ?holderLabel }} UNION {{ ?holder skos:altLabel ?holderLabel }} }}
}}"""):
            org, holder = _qid(r.get("org")), _qid(r.get("holder"))
            s = theirs[org].get(holder)
            if s is None:
                s = theirs[org][holder] = _WdStatement(holder, "", set(), _val(r, "pid"))
            s.via.add(_val(r, "pid"))
            label = _val(r, "holderLabel")
            if label:
                s.labels.add(label)
                if r["holderLabel"].get("xml:lang") == "en" and (not s.label or label < s.label):
                    s.label = label
            if _val(r, "start"):
                d = WDate.wikidata(_val(r, "start"), _val(r, "startPrecision"))
                s.start = d if s.start is None or d < s.start else s.start
            if _val(r, "end"):
                d = WDate.wikidata(_val(r, "end"), _val(r, "endPrecision"))
                s.end = d if s.end is None or d > s.end else s.end

    rows: list[DiffRow] = []
    used: set[tuple[str, str]] = set()
    for h in sorted(ours.values(), key=lambda h: (h.org, h.post, h.holder)):
        candidates = theirs.get(h.org_qid, {})
        wd, how = None, ""
        if h.holder_qid and h.holder_qid in candidates:
            wd, how = candidates[h.holder_qid], ""
        elif not h.holder_qid:
            for q, s in sorted(candidates.items()):
                if labels_match(h.labels, s.labels) and (h.org_qid, q) not in used:
                    wd, how = s, f"matched by label ({labels_match(h.labels, s.labels)}); our entity has no Wikidata link"
                    break
        prop = h.prop or "P3975"
        ours_text = (compact(h.post) + " " + _period(h.start, h.end)).strip()
        subject = h.labels[0]
        if wd is None:
            rows.append(DiffRow("office", h.org, h.org_qid, subject, h.holder_qid, prop, ours_text, "", "ours-only", "" if h.holder_qid else "holder has no Wikidata link", h.holder))
            continue
        used.add((h.org_qid, wd.subject))
        problems, notes, missing = [], [], []
        if prop not in wd.via:
            notes.append(f"Wikidata states it as {', '.join(sorted(wd.via))}")
        for name, mine, th, pid in (("start", h.start, wd.start, "P580"), ("end", h.end, wd.end, "P582")):
            if mine and th and not _same(mine, th):
                problems.append(f"{name}: ours {mine}, Wikidata {th}")
            elif mine and not th:
                missing.append((pid, mine.text))
                notes.append(f"{name} {mine} only in ours")
        for d in sorted(h.attested):
            if wd.start and _before(d, wd.start):
                problems.append(f"a source attests the holder on {d}, before Wikidata's start {wd.start}")
            if wd.end and _before(wd.end, d):
                problems.append(f"a source attests the holder on {d}, after Wikidata's end {wd.end}")
        if how:
            notes.append(how)
        rows.append(
            DiffRow("office", h.org, h.org_qid, subject, h.holder_qid, prop, ours_text,
                    f"{wd.label or wd.subject}{'' if h.holder_qid else f' ({wd.subject})'} {_period(wd.start, wd.end)}".strip(), "conflict" if problems else "agree",
                    "; ".join(problems + notes), h.holder, tuple(missing))
        )
    by_qid = {q: e for e, q in qids.items()}
    for org, org_qid in sorted(orgs.items()):
        for q, s in sorted(theirs.get(org_qid, {}).items(), key=lambda kv: _qnum(kv[0])):
            if (org_qid, q) in used:
                continue
            rows.append(DiffRow("office", org, org_qid, s.label or q, q, sorted(s.via)[0], "", f"{s.label or q} {_period(s.start, s.end)}".strip(), "wikidata-only", "", by_qid.get(q, "")))
    return rows


_TOPIC_ORDER = {"membership": 0, "inception": 1, "headquarters": 2, "office": 3}


def diff_statements(sources: Sources, client: WikidataClient) -> DiffReport:
    """Wikidata's statements about our organizations beside ours: memberships (P463, and P527
    on the organization) with start, end and role; inception (P571); headquarters (P159);
    office holders (P3975, P488, P1037) with their terms."""
    orgs = dict(_our_organizations(sources))
    qids = _qids_of(sources)
    names = _labels_of(sources)
    rows = [
        *_diff_memberships(sources, client, orgs, qids, names),
        *_diff_inception(sources, client, orgs, names),
        *_diff_headquarters(client, orgs, qids, names),
        *_diff_offices(sources, client, orgs, qids, names),
    ]
    rows.sort(key=lambda r: (_TOPIC_ORDER[r.topic], r.organization, STATUSES.index(r.status), r.subject.casefold(), r.subject_qid))
    return DiffReport(client.endpoint, rows)


# =========================================================================== quickstatements


@dataclass(frozen=True)
class QuickStatement:
    """One QuickStatements v1 command: tab-separated item, property, value, qualifiers, sources."""

    item: str
    prop: str
    value: str
    qualifiers: tuple[tuple[str, str], ...] = ()
    references: tuple[tuple[str, str], ...] = ()
    why: str = ""  # what in our graph this comes from

    def line(self) -> str:
        parts = [self.item, self.prop, self.value]
        for p, v in (*self.qualifiers, *self.references):
            parts += [p, v]
        return "\t".join(parts)


@dataclass
class QuickStatementsReport:
    endpoint: str
    commands: list[QuickStatement] = field(default_factory=list)
    #: What we have but do not send, and why (an unverified QID, a role without a verified QID…).
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def to_quickstatements(self) -> str:
        return "".join(c.line() + "\n" for c in self.commands)

    def to_table(self) -> str:
        def source(c: QuickStatement) -> str:
            urls = [v.strip('"') for p, v in c.references if p == "S854"]
            return compact(urls[0]) if urls else ""

        cells = [[c.item, c.prop, c.value, " ".join(f"{p} {v}" for p, v in c.qualifiers), source(c), compact(c.why)] for c in self.commands]
        text = _table(("item", "property", "value", "qualifiers", "reference", "from"), cells, widths_max=60)
        text += f"{len(self.commands)} command(s) for facts Wikidata lacks ({self.endpoint})"
        if self.skipped:
            text += f"; {len(self.skipped)} fact(s) held back:\n" + "".join(f"  {compact(w)}: {r}\n" for w, r in self.skipped)
        else:
            text += "\n"
        return text

    def to_csv(self) -> str:
        return _csv(("item", "property", "value", "qualifiers", "references", "from", "quickstatements"),
                    ([c.item, c.prop, c.value, " ".join(f"{p} {v}" for p, v in c.qualifiers), " ".join(f"{p} {v}" for p, v in c.references), c.why, c.line()] for c in self.commands))

    def to_json(self) -> str:
        return json.dumps(
            {
                "endpoint": self.endpoint,
                "commands": [{"item": c.item, "property": c.prop, "value": c.value, "qualifiers": [list(q) for q in c.qualifiers],
                              "references": [list(r) for r in c.references], "from": c.why, "line": c.line()} for c in self.commands],
                "skipped": [{"from": w, "reason": r} for w, r in self.skipped],
            },
            indent=2,
            ensure_ascii=False,
        ) + "\n"


def _qs_string(text: str) -> str:
    # QuickStatements v1 has no escape for a double quote inside a string; quotes in our data
    # are verbatim, so a quote that holds one is not sent (see _references).
    return '"' + re.sub(r"\s+", " ", text).strip() + '"'


def _references(sources: Sources, attestations: Sequence[str]) -> list[tuple[tuple[str, str], ...]]:
    """One reference per attestation: reference URL (S854) = our source document's IRI, which
    dereferences to its description; quote (S1683, monolingual); publication date (S577).
    No "stated in" (S248): our sources have no Wikidata items. No "retrieved" (S813): the
    seeds carry no retrieval date, and the clock must not make one up."""
    if not attestations:
        return []
    values = " ".join(f"<{a}>" for a in attestations)
    rows = _rows(sources, _OUR_PREFIXES + f"""
SELECT ?att ?src ?quote ?issued ?lang WHERE {{
  VALUES ?att {{ {values} }}
  ?att igo:source ?src .
  OPTIONAL {{ ?att igo:quote ?quote }}
  OPTIONAL {{ ?src dct:issued ?issued }}
  OPTIONAL {{ ?src dct:language ?lang }}
}} ORDER BY ?src ?att""")
    refs = []
    for r in rows:
        ref = [("S854", _qs_string(r["src"]))]
        if r["quote"] and '"' not in r["quote"] and len(r["quote"]) <= 1500:
            ref.append(("S1683", f'{(r["lang"] or "en").lower()}:{_qs_string(r["quote"])}'))
        if r["issued"]:
            ref.append(("S577", qs_time(WDate.ours(r["issued"]))))
        refs.append(tuple(ref))
    return sorted(set(refs))


def quickstatements(sources: Sources, client: WikidataClient, diff: DiffReport | None = None, check: CheckReport | None = None) -> QuickStatementsReport:
    """Our facts that Wikidata lacks, as QuickStatements v1 commands with qualifiers and a
    reference to our source. Only for QIDs the reference confirms from two sources and the
    link check passes; nothing Wikidata already states (an existing statement only gets the
    qualifiers it lacks, which QuickStatements adds to it)."""
    diff = diff if diff is not None else diff_statements(sources, client)
    check = check if check is not None else check_links(sources, client)
    reference = read_reference(sources.project.reference_tsv)
    trusted = {c.qid for c in check.checks if c.ok and reference.get(c.qid) is not None and reference[c.qid].confidence == "confirmed-2-sources"}
    untrusted_reason = {c.qid: ("link check: " + c.status) if not c.ok else "QID rests on one source" for c in check.checks if c.qid not in trusted}

    orgs = dict(_our_organizations(sources))
    qids = _qids_of(sources)
    names = _labels_of(sources)
    memberships = {(m.org, m.member): m for m in _our_memberships(sources, orgs, qids, names)}
    founding_atts = {
        r["org"]: r["atts"].split(" ")
        for r in _rows(sources, _OUR_PREFIXES + "SELECT ?org (GROUP_CONCAT(STR(?a); separator=' ') AS ?atts) WHERE { ?f a igo:Founding ; igo:founded ?org ; igo:attestation ?a } GROUP BY ?org")
    }
    commands: list[QuickStatement] = []
    skipped: list[tuple[str, str]] = []

    def trusted_or_skip(why: str, *qs: str) -> bool:
        for q in qs:
            if not q:
                skipped.append((why, "no Wikidata link"))
                return False
            if q not in trusted:
                skipped.append((why, f"wd:{q}: {untrusted_reason.get(q, 'not checked')}"))
                return False
        return True

    for row in diff.rows:
        if row.status == "conflict":
            skipped.append((row.subject_iri or row.organization, f"{row.property} {row.subject}: conflicts with Wikidata ({row.detail}); settle it by hand"))
        elif row.topic == "membership" and row.status in ("ours-only", "agree"):
            m = memberships.get((row.organization, row.subject_iri))
            if m is None:
                continue
            quals = tuple(row.missing) if row.status == "agree" else tuple(
                (pid, d.text) for pid, d in (("P580", m.start), ("P582", m.end)) if d is not None
            )
            if row.status == "agree" and not quals:
                continue  # Wikidata has it all
            if not trusted_or_skip(m.iri, m.member_qid, m.org_qid):
                continue
            if _standing(m.roles) != "member" and row.status == "ours-only":
                # "subject has role" needs the QID of the role item; the reference has none verified.
                skipped.append((m.iri, f"role {_standing(m.roles)} needs a subject has role (P2868) value, and the reference verifies no QID for it"))
                continue
            qualifiers = tuple((pid, qs_time(WDate.ours(v))) for pid, v in quals)
            for ref in _references(sources, m.attestations) or [()]:
                commands.append(QuickStatement(m.member_qid, "P463", m.org_qid, qualifiers, ref, m.iri))
        elif row.topic == "inception" and row.status == "ours-only":
            if not trusted_or_skip(row.organization, row.org_qid):
                continue
            value = qs_time(WDate.ours(row.ours))
            for ref in _references(sources, founding_atts.get(row.organization, [])) or [()]:
                commands.append(QuickStatement(row.org_qid, "P571", value, (), ref, row.organization))
        elif row.topic == "office" and row.status == "ours-only":
            # An office holding without a start would read as the current holder: not sent.
            skipped.append((row.subject_iri or row.organization, f"{row.property} holder {row.subject}: our graph gives no start date, only dates a source attests it"))
    commands.sort(key=lambda c: (_qnum(c.item), c.prop, _qnum(c.value), c.qualifiers, c.references))
    skipped = sorted(set(skipped))
    return QuickStatementsReport(client.endpoint, commands, skipped)


# =========================================================================== output


def write_report(report: CheckReport | DiffReport | QuickStatementsReport, out: Path, name: str) -> list[Path]:
    """Write `<name>.csv` and `<name>.json` (and `<name>.txt` of commands for QuickStatements)
    into `out`, each atomically."""
    files = [(out / f"{name}.csv", report.to_csv()), (out / f"{name}.json", report.to_json())]
    if isinstance(report, QuickStatementsReport):
        files.append((out / f"{name}.txt", report.to_quickstatements()))
    for path, text in files:
        _write_atomic(path, text)
    return [p for p, _ in files]


def write_wikidata_diff(sources: Sources, out: Path) -> None:
    """Release writer: `wikidata/diff.csv` and `wikidata/diff.json`, from the Wikidata cache
    only (never the network: a build must not depend on a remote service). Skipped silently
    when the cache does not hold every answer the diff needs (run `igokg wikidata diff` first).
    The endpoint whose answers count is Wikidata's, unless the project names another in
    `extra["wikidata_endpoint"]` (the tests use their fixture server)."""
    endpoint = sources.project.extra.get("wikidata_endpoint", DEFAULT_ENDPOINT)
    client = WikidataClient(endpoint=endpoint, cache_dir=sources.project.cache_dir / "wikidata", offline=True)
    try:
        report = diff_statements(sources, client)
    except CacheMiss:
        return
    write_report(report, Path(out) / "wikidata", "diff")
