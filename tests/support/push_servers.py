"""Real servers for the push tests, on 127.0.0.1: Oxigraph, Virtuoso and a small proxy.

Nothing here imitates a protocol: the stores are the real programs, and the proxy
forwards every byte to one of them (it only adds what a real deployment puts in
front of a store: an authentication check, or a connection that breaks).
"""

from __future__ import annotations

import base64
import gzip
import http.client
import http.server
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

MARK = "http://example.org/marker"
VOID = "http://rdfs.org/ns/void#"


# --------------------------------------------------------------------------- releases to push


def write_release(folder: Path, lines: list[str]) -> Path:
    """A release as `igokg build` writes it, as far as push reads it: the dump and void.ttl."""
    folder.mkdir(parents=True, exist_ok=True)
    body = "".join(sorted(line if line.endswith("\n") else line + "\n" for line in lines))
    with gzip.GzipFile(folder / "igokg.nt.gz", "wb", mtime=0) as fh:
        fh.write(body.encode())
    (folder / "void.ttl").write_text(
        "@prefix void: <http://rdfs.org/ns/void#> .\n"
        f"<https://w3id.org/igokg/dataset> a void:Dataset ; void:triples {len(lines)} .\n"
    )
    return folder


def generated(folder: Path, tag: str, n: int) -> Path:
    """n triples, each carrying the marker value `tag`."""
    return write_release(folder, [f'<http://example.org/{tag}/{i}> <{MARK}> "{tag}" .' for i in range(n)])


def graph_counts(server, graph: str | None = None) -> dict[str, int]:
    """Triples per named graph (graphs without triples are not listed)."""
    rows = server.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    counts = {r["g"]: int(r["n"]) for r in rows}
    return counts if graph is None else {graph: counts.get(graph, 0)}


def markers(server, graph: str) -> dict[str, int]:
    rows = server.select(f"SELECT ?v (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s <{MARK}> ?v }} }} GROUP BY ?v")
    return {r["v"]: int(r["n"]) for r in rows}


# --------------------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def need_tool(name: str, env: dict[str, str] | None = None) -> str:
    """The tool's path. Missing, it fails under CI (its setup script installs it: a skip there
    would hide that the tests did not run) and skips elsewhere, saying how to get it."""
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if found:
        return found
    env = os.environ if env is None else env
    if env.get("CI"):
        pytest.fail(f"{name} is not installed: under CI it must be (.ci/setup.d installs it)", pytrace=False)
    pytest.skip(f"{name} is not installed (bash .ci/setup.d/push.sh installs it on Debian)")


def wait_http(url: str, proc: subprocess.Popen, seconds: float, log: Path) -> None:
    """Wait until the server answers; if it never does, stop it (a fixture that raised in its
    setup never runs its teardown, and an unready server would outlive the tests)."""
    try:
        _wait_http(url, proc, seconds, log)
    except BaseException:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        raise


def _wait_http(url: str, proc: subprocess.Popen, seconds: float, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{log.read_text(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {seconds} s:\n{log.read_text(errors='replace')[-2000:]}")


class Oxigraph:
    """`oxigraph serve` on a folder; can be killed and started again on the same folder."""

    def __init__(self, location: Path) -> None:
        self.binary = need_tool("oxigraph")
        self.location = location
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.log = location.parent / f"{location.name}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Oxigraph":
        self.proc = subprocess.Popen(
            [self.binary, "serve", "--location", str(self.location), "--bind", f"127.0.0.1:{self.port}"],
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        wait_http(self.url + "/query?query=ASK%7B%7D", self.proc, 30, self.log)
        return self

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def select(self, query: str) -> list[dict[str, str]]:
        return sparql_select(self.url + "/query", query)


def sparql_select(url: str, query: str, auth: tuple[str, str] | None = None) -> list[dict[str, str]]:
    import json

    data = urllib.parse.urlencode({"query": query}).encode()
    req = urllib.request.Request(url, data=data, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        rows = json.load(resp)["results"]["bindings"]
    return [{k: v["value"] for k, v in row.items()} for row in rows]


class Proxy:
    """A forwarding HTTP proxy in front of a store.

    `user`/`password` make it demand basic auth (401 otherwise), as a reverse proxy in
    front of Oxigraph does in production. `drop_upload` = n makes it cut the connection
    halfway through the body of the n-th Graph Store upload.
    """

    def __init__(self, upstream: str, user: str | None = None, password: str | None = None, drop_upload: int | None = None):
        self.upstream = urllib.parse.urlsplit(upstream)
        self.expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode() if user is not None else None
        self.drop_upload = drop_upload
        self.uploads = 0
        self.seen_auth: list[str] = []
        self.seen_agents: list[str] = []
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def _any(self) -> None:
                proxy.seen_agents.append(self.headers.get("User-Agent", ""))
                length = int(self.headers.get("Content-Length") or 0)
                if self.command in ("PUT", "POST") and self.path.startswith("/store"):
                    proxy.uploads += 1
                    if proxy.drop_upload == proxy.uploads:
                        self.rfile.read(length // 2)
                        self.connection.shutdown(socket.SHUT_RDWR)
                        self.close_connection = True
                        return
                body = self.rfile.read(length) if length else b""
                if proxy.expected is not None:
                    got = self.headers.get("Authorization", "")
                    proxy.seen_auth.append(got)
                    if got != proxy.expected:
                        msg = b"authentication required"
                        self.send_response(401)
                        self.send_header("WWW-Authenticate", 'Basic realm="igokg"')
                        self.send_header("Content-Length", str(len(msg)))
                        self.end_headers()
                        self.wfile.write(msg)
                        return
                conn = http.client.HTTPConnection(proxy.upstream.hostname, proxy.upstream.port, timeout=120)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("authorization", "host", "connection")}
                conn.request(self.command, self.path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                self.send_response(resp.status)
                for k, v in resp.getheaders():
                    if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                conn.close()

            do_GET = do_POST = do_PUT = do_DELETE = _any

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> "Proxy":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., {d}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
ThreadsPerQuery = 2
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {d}
ServerThreads = 4
MaxClientConnections = 4
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 60
"""

class Virtuoso:
    """Virtuoso open source (`virtuoso-t`) on a fresh database in a temporary folder."""

    def __init__(self, folder: Path) -> None:
        self.binary = need_tool("virtuoso-t")
        self.folder = folder
        self.http_port, self.sql_port = free_port(), free_port()
        self.log = folder / "stdout.log"
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def start(self) -> "Virtuoso":
        ini = self.folder / "virtuoso.ini"
        ini.write_text(VIRTUOSO_INI.format(d=self.folder, sql_port=self.sql_port, http_port=self.http_port))
        self.proc = subprocess.Popen(
            [self.binary, "+foreground", "+configfile", str(ini)],
            cwd=self.folder,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        wait_http(self.url + "/sparql?query=ASK%7B%7D", self.proc, 90, self.log)
        return self

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
