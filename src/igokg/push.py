"""Stage: push. Load a built release into an external triple store, atomically.

Input: a release folder (`igokg.nt.gz` and `void.ttl`, as `igokg build` writes them)
and a SPARQL endpoint. Output: the target named graph on that server replaced by the
release, and a `PushReport`.

Only standard protocols are spoken, so any SPARQL 1.1 store works (Oxigraph server,
Fuseki, Virtuoso, GraphDB…):

1. the dump is streamed, decompressed, in chunks of N-Triples lines into a fresh
   staging graph with the SPARQL 1.1 Graph Store HTTP Protocol (first chunk PUT,
   the next ones POST to the same graph);
2. the staging graph's triple count is checked against `void:triples` of the
   dataset in `void.ttl`;
3. ONE SPARQL Update request replaces the target by the staging graph (DELETE the
   target's triples, INSERT the staging graph's, DELETE the staging graph's; see
   `swap_update` for why not MOVE). A single request is one transaction on Oxigraph
   and Virtuoso (tested) and Fuseki/TDB2, so readers see the old graph or the new
   one, never a mixture.

On any failure before the swap the staging graph is dropped (best effort: a server
that died cannot drop anything; the error then names the graph to drop) and the
target is never touched.

HTTP is stdlib `urllib`: a handful of PUT/POST requests with bounded bodies need no
extra dependency, and one code path for every request keeps error mapping and
credential redaction in one place (SPARQLWrapper has no Graph Store Protocol).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import http.client
import json
import re
import secrets
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Mapping

import pyoxigraph as ox

from igokg.errors import RemoteError, SourceError

__all__ = [
    "Auth",
    "Endpoints",
    "PushPlan",
    "PushReport",
    "DEFAULT_GRAPH",
    "DATASET_IRI",
    "auth_from_env",
    "derive_endpoints",
    "plan_push",
    "push_release",
]

#: The dataset that `void.ttl` describes; its `void:triples` is what the push verifies.
DATASET_IRI = "https://w3id.org/igokg/dataset"
#: The default target graph is the dataset IRI itself: a reader of the VoID finds the
#: data under the name it already knows, and no second IRI has to be minted and kept.
DEFAULT_GRAPH = DATASET_IRI
VOID_TRIPLES = "http://rdfs.org/ns/void#triples"
DUMP_NAME = "igokg.nt.gz"
VOID_NAME = "void.ttl"
#: 100 000 N-Triples lines are ~15 MB: small enough for default request-size limits
#: (Virtuoso, nginx in front of Fuseki), large enough that a big dump is few requests.
CHUNK_TRIPLES = 100_000
TIMEOUT = 300.0

Progress = Callable[[str], None]


# --------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class Auth:
    """Credentials for the server; `repr` and every rendering hide the secrets.

    `scheme` is "basic" (sent with every request), "digest" (answered when the server
    challenges, as Virtuoso's `-auth` endpoints do) or "bearer".
    """

    scheme: str = "none"
    user: str = ""
    password: str = field(default="", repr=False)
    token: str = field(default="", repr=False)

    def describe(self) -> str:
        if self.scheme == "bearer":
            return "bearer token (redacted)"
        if self.scheme in ("basic", "digest"):
            return f"{self.scheme} as {self.user!r}, password (redacted)"
        return "none"

    def secrets(self) -> list[str]:
        return [s for s in (self.password, self.token) if s]


def auth_from_env(env: Mapping[str, str]) -> Auth:
    """Credentials from `IGOKG_PUSH_TOKEN` (bearer) or `IGOKG_PUSH_USER`/`IGOKG_PUSH_PASSWORD`.

    `IGOKG_PUSH_AUTH=digest` answers digest challenges instead of sending basic auth.
    The caller passes the environment (the CLI passes `os.environ`).
    """
    token = env.get("IGOKG_PUSH_TOKEN", "")
    user = env.get("IGOKG_PUSH_USER", "")
    password = env.get("IGOKG_PUSH_PASSWORD", "")
    scheme = env.get("IGOKG_PUSH_AUTH", "").strip().lower()
    if token:
        return Auth("bearer", token=token)
    if user or password:
        if scheme not in ("", "basic", "digest"):
            raise SourceError("IGOKG_PUSH_AUTH", f"unknown scheme {scheme!r}", hint="use basic or digest")
        return Auth(scheme or "basic", user=user, password=password)
    return Auth()


@dataclass(frozen=True)
class Endpoints:
    query: str
    update: str
    gsp: str


def derive_endpoints(endpoint: str, update: str | None = None, gsp: str | None = None) -> Endpoints:
    """Fill in the update and Graph Store endpoints from the query endpoint's shape.

    Oxigraph `…/query` (or the bare server URL) → `/update`, `/store`; Fuseki
    `…/<ds>/query|sparql` → `/<ds>/update`, `/<ds>/data`; Virtuoso `/sparql` →
    `/sparql`, `/sparql-graph-crud` and `/sparql-auth` → `/sparql-auth`,
    `/sparql-graph-crud-auth`. Anything else needs both overrides.
    """
    parts = urllib.parse.urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SourceError("--endpoint", f"not an http(s) URL: {_redact_url(endpoint)}")
    path = parts.path.rstrip("/")

    def at(p: str) -> str:
        return urllib.parse.urlunsplit((parts.scheme, parts.netloc, p, "", ""))

    derived: tuple[str, str, str] | None = None
    if path == "":  # an Oxigraph server's root
        derived = (at("/query"), at("/update"), at("/store"))
    elif path == "/query":
        derived = (endpoint, at("/update"), at("/store"))
    elif path == "/sparql":
        derived = (endpoint, endpoint, at("/sparql-graph-crud"))
    elif path == "/sparql-auth":
        derived = (endpoint, endpoint, at("/sparql-graph-crud-auth"))
    elif re.fullmatch(r"/[^/]+/(query|sparql)", path):
        base = path.rsplit("/", 1)[0]
        derived = (endpoint, at(base + "/update"), at(base + "/data"))
    if derived is None and not (update and gsp):
        raise SourceError(
            "--endpoint",
            f"cannot tell the update and Graph Store endpoints from {_redact_url(endpoint)}",
            hint="pass --update-endpoint URL and --gsp-endpoint URL",
        )
    query_url = derived[0] if derived else endpoint
    return Endpoints(
        query=query_url,
        update=update or (derived[1] if derived else ""),
        gsp=gsp or (derived[2] if derived else ""),
    )


# --------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class PushPlan:
    """What a push will do; `--dry-run` prints exactly this."""

    release_dir: str
    dump: str
    dump_sha256: str
    endpoints: Endpoints
    auth: str  # described, never the secret
    target: str
    staging: str
    triples: int
    chunk_triples: int
    chunks: int
    update: str

    def to_text(self) -> str:
        e = self.endpoints
        return "\n".join(
            [
                f"release       {self.release_dir} ({self.dump}, sha256 {self.dump_sha256[:16]}…)",
                f"query         {_redact_url(e.query)}",
                f"update        {_redact_url(e.update)}",
                f"graph store   {_redact_url(e.gsp)}",
                f"credentials   {self.auth}",
                f"target graph  <{self.target}>",
                f"staging graph <{self.staging}>",
                f"triples       {self.triples} (void:triples of <{DATASET_IRI}>)",
                f"upload        {self.chunks} chunk(s) of up to {self.chunk_triples} triples "
                f"(PUT the first, POST the rest, application/n-triples)",
                "verify        SELECT (COUNT(*) AS ?n) WHERE { GRAPH <staging> { ?s ?p ?o } } = triples",
                "swap          " + self.update.replace("\n", "\n              "),
            ]
        ) + "\n"


@dataclass
class PushReport:
    plan: PushPlan
    dry_run: bool
    uploaded_triples: int = 0
    uploaded_bytes: int = 0
    target_triples: int | None = None
    seconds: float = 0.0

    def to_text(self) -> str:
        if self.dry_run:
            return "dry run: nothing was sent\n" + self.plan.to_text()
        return (
            f"pushed {self.plan.triples} triples into <{self.plan.target}> at {_redact_url(self.plan.endpoints.update)}\n"
            f"  {self.plan.chunks} chunk(s), {self.uploaded_bytes} bytes uploaded into <{self.plan.staging}>, "
            f"count verified, swapped in one update, {self.seconds:.1f} s\n"
        )

    def to_json(self) -> str:
        data = asdict(self)
        data["seconds"] = round(self.seconds, 3)
        return json.dumps(data, indent=2, sort_keys=True) + "\n"


def _release_files(release_dir: Path) -> tuple[Path, int]:
    dump, void = release_dir / DUMP_NAME, release_dir / VOID_NAME
    for p in (dump, void):
        if not p.is_file():
            raise SourceError(p, "missing from the release", hint="run igokg build first, or pass --out DIR")
    try:
        quads = list(ox.parse(void.read_bytes(), format=ox.RdfFormat.TURTLE))
    except (SyntaxError, ValueError) as exc:
        raise SourceError(void, f"not readable Turtle: {exc}") from None
    counts = [
        q.object.value
        for q in quads
        if q.subject == ox.NamedNode(DATASET_IRI) and q.predicate == ox.NamedNode(VOID_TRIPLES) and isinstance(q.object, ox.Literal)
    ]
    if len(counts) != 1 or not counts[0].isdigit():
        raise SourceError(void, f"needs exactly one integer void:triples for <{DATASET_IRI}>, found {counts}")
    return dump, int(counts[0])


def _iter_chunks(dump: Path, chunk_triples: int) -> Iterator[tuple[bytes, int]]:
    """The dump, decompressed as it is read, in chunks of whole N-Triples lines."""
    lines: list[bytes] = []
    try:
        with gzip.open(dump, "rb") as fh:
            for line in fh:
                stripped = line.strip()
                if not stripped or stripped.startswith(b"#"):
                    continue
                lines.append(line if line.endswith(b"\n") else line + b"\n")
                if len(lines) >= chunk_triples:
                    yield b"".join(lines), len(lines)
                    lines = []
    except (OSError, EOFError) as exc:
        raise SourceError(dump, f"cannot read the gzip dump: {exc}") from None
    if lines:
        yield b"".join(lines), len(lines)


def _scan(dump: Path) -> tuple[int, str]:
    """Triples (non-empty, non-comment lines) and the sha256 of the decompressed dump."""
    digest = hashlib.sha256()
    n = 0
    try:
        with gzip.open(dump, "rb") as fh:
            for line in fh:
                digest.update(line)
                s = line.strip()
                if s and not s.startswith(b"#"):
                    n += 1
    except (OSError, EOFError) as exc:
        raise SourceError(dump, f"cannot read the gzip dump: {exc}") from None
    return n, digest.hexdigest()


def swap_update(staging: str, target: str) -> str:
    """The one request that replaces the target by the staging graph.

    Not `DROP GRAPH <target> ; MOVE <staging> TO <target>`: Virtuoso 7 runs DROP, CLEAR
    and MOVE in its own batches with intermediate commits, and a concurrent reader of
    the test suite saw half-deleted and half-moved graphs. DELETE/INSERT … WHERE in one
    request is one transaction on Virtuoso as on Oxigraph (and Fuseki/TDB2), so readers
    see the old graph or the new one.
    """
    return (
        f"DELETE {{ GRAPH <{target}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{target}> {{ ?s ?p ?o }} }} ;\n"
        f"INSERT {{ GRAPH <{target}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{staging}> {{ ?s ?p ?o }} }} ;\n"
        f"DELETE {{ GRAPH <{staging}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{staging}> {{ ?s ?p ?o }} }}"
    )


def plan_push(
    release_dir: Path | str,
    endpoint: str,
    graph: str | None = None,
    update_endpoint: str | None = None,
    gsp_endpoint: str | None = None,
    auth: Auth = Auth(),
    chunk_triples: int = CHUNK_TRIPLES,
    staging_token: str | None = None,
) -> PushPlan:
    """Read the release and settle every name and number of the push; send nothing."""
    if chunk_triples < 1:
        raise SourceError("--chunk-triples", "must be at least 1")
    release_dir = Path(release_dir)
    endpoints = derive_endpoints(endpoint, update_endpoint, gsp_endpoint)
    target = graph or DEFAULT_GRAPH
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\]*", target):
        raise SourceError("--graph", f"not an absolute IRI: {target!r}")
    dump, void_triples = _release_files(release_dir)
    lines, sha = _scan(dump)
    if lines != void_triples:
        raise SourceError(dump, f"holds {lines} triples but void.ttl says {void_triples}", hint="rebuild the release")
    # The dump's hash says what is being staged; the random part keeps two pushes of
    # the same release from sharing (and dropping) one staging graph.
    token = staging_token or secrets.token_hex(4)
    staging = f"{target}-staging-{sha[:12]}-{token}"
    return PushPlan(
        release_dir=str(release_dir),
        dump=DUMP_NAME,
        dump_sha256=sha,
        endpoints=endpoints,
        auth=auth.describe(),
        target=target,
        staging=staging,
        triples=void_triples,
        chunk_triples=chunk_triples,
        chunks=max(1, -(-lines // chunk_triples)),
        update=swap_update(staging, target),
    )


# --------------------------------------------------------------------------- HTTP


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
        headers = dict(headers or {})
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


def _redact_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.username or parts.password:
        host = parts.hostname or ""
        if parts.port:
            host += f":{parts.port}"
        parts = parts._replace(netloc=f"[redacted]@{host}")
    return urllib.parse.urlunsplit(parts)


def _with_graph(gsp: str, graph: str) -> str:
    sep = "&" if "?" in gsp else "?"
    return f"{gsp}{sep}{urllib.parse.urlencode({'graph': graph})}"


def count_triples(client: _Client, query_url: str, graph: str) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    body = urllib.parse.urlencode({"query": query}).encode()
    raw = client.request(
        "POST",
        query_url,
        body,
        {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"},
    )
    try:
        bindings = json.loads(raw)["results"]["bindings"]
        return int(bindings[0]["n"]["value"]) if bindings else 0
    except (ValueError, KeyError, IndexError, TypeError):
        raise RemoteError(_redact_url(query_url), f"answered the count query with something else: {raw[:200]!r}") from None


def run_update(client: _Client, update_url: str, update: str) -> None:
    body = urllib.parse.urlencode({"update": update}).encode()
    client.request("POST", update_url, body, {"Content-Type": "application/x-www-form-urlencoded"})


# --------------------------------------------------------------------------- the push


def push_release(
    release_dir: Path | str,
    endpoint: str,
    graph: str | None = None,
    update_endpoint: str | None = None,
    gsp_endpoint: str | None = None,
    auth: Auth = Auth(),
    dry_run: bool = False,
    progress: Progress | None = None,
    chunk_triples: int = CHUNK_TRIPLES,
    timeout: float = TIMEOUT,
) -> PushReport:
    """Replace graph `graph` at `endpoint` by the release; see the module docstring.

    Raises `SourceError` for an unusable release or arguments and `RemoteError` when
    the server refuses, fails or disagrees; in every such case the target graph is
    as it was.
    """
    say = progress or (lambda _message: None)
    plan = plan_push(release_dir, endpoint, graph, update_endpoint, gsp_endpoint, auth, chunk_triples)
    report = PushReport(plan=plan, dry_run=dry_run)
    if dry_run:
        return report
    client = _Client(auth, timeout)
    started = time.monotonic()
    e = plan.endpoints
    staged_url = _with_graph(e.gsp, plan.staging)
    try:
        for i, (body, n) in enumerate(_iter_chunks(Path(release_dir) / DUMP_NAME, chunk_triples)):
            say(f"uploading chunk {i + 1}/{plan.chunks} ({report.uploaded_triples + n}/{plan.triples} triples)")
            client.request("PUT" if i == 0 else "POST", staged_url, body, {"Content-Type": "application/n-triples"})
            report.uploaded_triples += n
            report.uploaded_bytes += len(body)
        if report.uploaded_triples == 0:  # an empty release still gets an (empty) staging graph
            client.request("PUT", staged_url, b"", {"Content-Type": "application/n-triples"})
        say("verifying the staging graph")
        staged = count_triples(client, e.query, plan.staging)
        if staged != plan.triples:
            raise RemoteError(
                _redact_url(e.query),
                f"the staging graph holds {staged} triples, void.ttl says {plan.triples}",
            )
        say("swapping the staging graph into the target")
        run_update(client, e.update, plan.update)
    except RemoteError as exc:
        if exc.status in (401, 403) and report.uploaded_triples == 0:
            exc.message += "; nothing was written"
            exc.args = (str(exc),)
        else:
            _drop_staging(client, plan, exc)
        raise
    except BaseException:
        _drop_staging(client, plan, None)
        raise
    say("verifying the target graph")
    report.target_triples = count_triples(client, e.query, plan.target)
    report.seconds = time.monotonic() - started
    if report.target_triples != plan.triples:
        raise RemoteError(
            _redact_url(e.query),
            f"after the swap <{plan.target}> holds {report.target_triples} triples, not {plan.triples} "
            "(another writer changed it meanwhile)",
        )
    return report


def _drop_staging(client: _Client, plan: PushPlan, exc: RemoteError | None) -> None:
    try:
        run_update(client, plan.endpoints.update, f"DROP SILENT GRAPH <{plan.staging}>")
    except RemoteError:
        if exc is not None:
            exc.message += f"; the staging graph <{plan.staging}> may remain: DROP SILENT GRAPH <{plan.staging}>"
            exc.args = (str(exc),)
        return
    if exc is not None:
        exc.message += "; the target graph was not touched, the staging graph was dropped"
        exc.args = (str(exc),)
