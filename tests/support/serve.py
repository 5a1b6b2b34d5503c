"""Shared by the serve tests: a release folder and a real server on a free loopback port."""

from __future__ import annotations

import gzip
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pyoxigraph as ox
from conftest import ROOT  # noqa: E402

#: Queries the tests know the answers of; the published `sparql/*.rq` are added when present.
TEST_QUERIES = {
    "organizations": "# Organizations in the graph\nPREFIX igo: <https://w3id.org/igokg/ontology#>\n"
    "SELECT ?org WHERE { ?org a igo:IntergovernmentalOrganization } ORDER BY ?org\n",
    "members-of-csto": "# Members of the CSTO\nPREFIX igo: <https://w3id.org/igokg/ontology#>\n"
    "PREFIX id: <https://w3id.org/igokg/id/>\n"
    "SELECT ?state WHERE { ?m igo:organization id:csto ; igo:member ?state } ORDER BY ?state\n",
}


def build_test_release(out: Path) -> Path:
    """The release `igokg build` writes, plus queries whose answers the tests know."""
    from igokg.project import Project
    from igokg.publish import build_release

    build_release(Project.discover(ROOT, env={"SOURCE_DATE_EPOCH": "1700000000", "IGOKG_SKIP_SOURCES": "all"}, interactive=False).with_out(out))
    queries = out / "queries"
    queries.mkdir(exist_ok=True)
    for name, text in TEST_QUERIES.items():
        (queries / f"zz-test-{name}.rq").write_text(text, encoding="utf-8")
    # a secret next to the release: traversal tests try to read it
    (out.parent / "secret.txt").write_text("do not serve me\n", encoding="utf-8")
    return out


def tiny_release(folder: Path) -> Path:
    """A release of a few hundred triples about one entity, and a 200 kB text file: enough to
    speak HTTP to a front running in the test's own process."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = [f'<https://w3id.org/igokg/id/a> <http://www.w3.org/2000/01/rdf-schema#label> "A {i}"@en .'
             for i in range(200)]
    with gzip.open(folder / "igokg.nt.gz", "wb") as fh:
        fh.write(("\n".join(lines) + "\n").encode())
    (folder / "big.txt").write_text("x" * 200_000, encoding="utf-8")
    return folder


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    def __init__(self, proc: subprocess.Popen, port: int, release: Path) -> None:
        self.proc = proc
        self.port = port
        self.release = release
        self.url = f"http://127.0.0.1:{port}"

    @property
    def sparql(self) -> str:
        return self.url + "/sparql"


def start_server(release: Path, *args: str, wait: float = 60.0, env: dict[str, str] | None = None) -> Served:
    """`python -m igokg serve` for real, in a subprocess; returns once it answers."""
    port = free_port()
    env = dict(os.environ, **(env or {}), PYTHONPATH=str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen(
        [sys.executable, "-m", "igokg", "--root", str(ROOT), "serve", "--out", str(release), "--port", str(port), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        text=True,
    )
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"igokg serve exited {proc.returncode}: {proc.stdout.read()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/sparql?query=ASK%7B%7D", timeout=2) as r:
                if r.status == 200:
                    return Served(proc, port, release)
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"igokg serve did not answer within {wait} s: {proc.stdout.read()}")


def stop_server(served: Served) -> str:
    served.proc.terminate()
    try:
        out, _ = served.proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        served.proc.kill()
        out, _ = served.proc.communicate()
    return out or ""


def embedded_select(release: Path, query: str) -> list[dict[str, str]]:
    """The same query on a store loaded in this process: what the server must answer."""
    store = ox.Store()
    with gzip.open(release / "igokg.nt.gz", "rb") as fh:
        store.bulk_load(fh, format=ox.RdfFormat.N_TRIPLES)
    store.bulk_load(path=str(release / "ontology.ttl"), format=ox.RdfFormat.TURTLE, base_iri="https://w3id.org/igokg/ontology")
    solutions = store.query(query)
    names = solutions.variables
    return [{v.value: s[v].value for v in names if s[v] is not None} for s in solutions]
