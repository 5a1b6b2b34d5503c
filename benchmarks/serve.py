"""Benchmark: igokg's endpoint vs Oxigraph server vs rdflib-endpoint, same data, same load, one run.

    python benchmarks/serve.py [--triples 100000] [--duration 2]

For each data set (the seed release, and a generated graph of --triples triples) and each
query type (an entity lookup, members of an organization at a date, a join over posts,
an aggregation over every predicate, a CONSTRUCT, an ASK), each server is put under the
same loopback load with `wrk` (Debian package; a Python thread load generator when it is
missing) at 1 and at 16 connections. igokg runs with `--no-cache` (every request runs its
query: in real use every distinct query is a cache miss). Prints, per data set, query type
and connection count, the requests/s of the three servers and the ratios side by side,
and the CPU seconds each server process tree used during the run; then the fairness check
of issue 15 (four clients loop the most expensive example query, a fifth runs small
queries: its p99), and ends with

    min ratio igokg/oxigraph (no cache): X
    geomean ratio igokg/rdflib-endpoint (no cache): Y

X is the smallest per-(data, type, connections) ratio; Y the geometric mean over the pairs
both servers answered (a server that needed longer than --slow-limit for one answer is not
put under load; such pairs are counted and left out rather than invented).

rdflib-endpoint and oxigraph are not igokg dependencies: `pip install rdflib-endpoint
oxigraph` into any venv and pass --rdflib-endpoint / --oxigraph, or let the script find
them on PATH or in `.cache/bench-venv/bin`. The machine is shared: compare the columns
of one run, not figures across runs.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import json
import math
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

IGO = "https://w3id.org/igokg/ontology#"
ID = "https://w3id.org/igokg/id/"
ACCEPT = "application/sparql-results+json"

HEAVY = """# Heavy aggregation: every predicate with its triple count and distinct objects
SELECT ?p (COUNT(*) AS ?triples) (COUNT(DISTINCT ?o) AS ?objects)
WHERE { ?s ?p ?o }
GROUP BY ?p
ORDER BY DESC(?triples) ?p
"""

#: Used only when the project has no `sparql/*.rq` yet: competency questions of the model.
FALLBACK_CQ = {
    "cq-members-of-csto": """PREFIX igo: <https://w3id.org/igokg/ontology#>
PREFIX id: <https://w3id.org/igokg/id/>
SELECT ?state ?role WHERE { ?m a igo:Membership ; igo:organization id:csto ; igo:member ?state ; igo:role ?role } ORDER BY ?state""",
    "cq-organizations-of-a-state": """PREFIX igo: <https://w3id.org/igokg/ontology#>
PREFIX id: <https://w3id.org/igokg/id/>
SELECT ?org ?role WHERE { ?m igo:member id:kazakhstan ; igo:organization ?org ; igo:role ?role } ORDER BY ?org""",
    "cq-founding-members": """PREFIX igo: <https://w3id.org/igokg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?org ?state ?label WHERE { ?m igo:role igo:FoundingMember ; igo:organization ?org ; igo:member ?state .
  OPTIONAL { ?state rdfs:label ?label } } ORDER BY ?org ?state""",
    "cq-membership-sources": """PREFIX igo: <https://w3id.org/igokg/ontology#>
SELECT ?m ?source ?at WHERE { ?m a igo:Membership ; igo:attestation ?a . ?a igo:source ?source .
  OPTIONAL { ?a igo:attestedAt ?at } } ORDER BY ?m ?source LIMIT 200""",
    "cq-states-in-two-organizations": """PREFIX igo: <https://w3id.org/igokg/ontology#>
SELECT ?state (COUNT(DISTINCT ?org) AS ?n) WHERE { ?m igo:member ?state ; igo:organization ?org }
GROUP BY ?state HAVING (COUNT(DISTINCT ?org) >= 2) ORDER BY DESC(?n) ?state LIMIT 100""",
}


# --------------------------------------------------------------------------- data


def cq_queries() -> dict[str, str]:
    from igokg.query import uses_service

    folder = ROOT / "sparql"
    found = {p.stem: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.rq"))} if folder.is_dir() else {}
    found = {k: v for k, v in found.items() if not uses_service(v)}
    # the competency questions are cq*.rq; the showcase queries are for people, not this benchmark
    found = {k: v for k, v in found.items() if k.startswith("cq")} or found
    return found or dict(FALLBACK_CQ)


def seed_release(out: Path) -> Path:
    """The release `igokg build` writes from the seed data."""
    from igokg.project import Project
    from igokg.publish import build_release

    build_release(Project.discover(ROOT, env={"SOURCE_DATE_EPOCH": "1700000000", "IGOKG_SKIP_SOURCES": "all"}, interactive=False).with_out(out))
    return out


def generated_release(out: Path, triples: int, seed_dir: Path) -> Path:
    """A release of about `triples` synthetic triples in the project's model (seeded, deterministic):
    states, organizations, memberships with roles, dates and attestations (`_generate`)."""
    out.mkdir(parents=True, exist_ok=True)
    _generate(triples, out / "igokg.nt.gz")
    shutil.copy(seed_dir / "ontology.ttl", out / "ontology.ttl")
    return out


def _generate(n: int, path: Path) -> None:
    rng = random.Random(20240601)
    t = f"<{IGO}"
    rdf_type = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    label = "<http://www.w3.org/2000/01/rdf-schema#label>"
    same = "<http://www.w3.org/2002/07/owl#sameAs>"
    states = max(50, n // 400)
    orgs = max(10, n // 4000)
    sources = max(10, n // 2000)
    lines: list[str] = []
    for i in range(states):
        s = f"<{ID}state-{i}>"
        lines += [f"{s} {rdf_type} {t}State> .", f'{s} {label} "State {i}"@en .', f"{s} {same} <http://www.wikidata.org/entity/Q{100000 + i}> ."]
    # the seed's slugs exist too, so the CQ queries that name them have answers
    for slug in ("csto", "sco", "cis"):
        lines.append(f"<{ID}{slug}> {rdf_type} {t}IntergovernmentalOrganization> .")
    for slug in ("kazakhstan", "russia", "armenia"):
        lines.append(f"<{ID}{slug}> {rdf_type} {t}State> .")
    for i in range(orgs):
        o = f"<{ID}org-{i}>"
        lines += [f"{o} {rdf_type} {t}IntergovernmentalOrganization> .", f'{o} {label} "Organization {i}"@en .',
                  f'{o} {t}foundingDate> "{1945 + i % 75}"^^<http://www.w3.org/2001/XMLSchema#gYear> .']
    for i in range(sources):
        lines.append(f"<{ID}source-{i}> {rdf_type} {t}SourceDocument> .")
    roles = ["Member", "Member", "Member", "FoundingMember", "Observer", "DialoguePartner"]
    org_names = [f"org-{i}" for i in range(orgs)] + ["csto", "sco", "cis"]
    state_names = [f"state-{i}" for i in range(states)] + ["kazakhstan", "russia", "armenia"]
    i = 0
    while len(lines) < n:
        org = rng.choice(org_names)
        st = rng.choice(state_names)
        m = f"<{ID}membership-{org}-{st}-{i}>"
        a = f"<{ID}membership-{org}-{st}-{i}#attestation-{i:08x}>"
        year = 1950 + rng.randrange(74)
        lines += [
            f"{m} {rdf_type} {t}Membership> .",
            f"{m} {t}member> <{ID}{st}> .",
            f"{m} {t}organization> <{ID}{org}> .",
            f"{m} {t}role> {t}{rng.choice(roles)}> .",
            f'{m} {t}startDate> "{year}"^^<http://www.w3.org/2001/XMLSchema#gYear> .',
            f"{m} {t}attestation> {a} .",
            f"{a} {rdf_type} {t}Attestation> .",
            f"{a} {t}source> <{ID}source-{rng.randrange(sources)}> .",
            f'{a} {t}attestedAt> "{year + rng.randrange(5)}-0{1 + rng.randrange(9)}"^^<http://www.w3.org/2001/XMLSchema#gYearMonth> .',
            f'{a} {t}quote> "State {st} is a member of {org} (synthetic quote {i})."@en .',
        ]
        i += 1
    with gzip.GzipFile(path, "wb", mtime=0) as fh:
        fh.write(("\n".join(sorted(set(lines))) + "\n").encode())


# --------------------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_tool(name: str, given: str | None) -> str | None:
    if given:
        return given
    places = [Path(sys.executable).parent / name, ROOT / ".cache" / "bench-venv" / "bin" / name]
    return shutil.which(name) or next((str(p) for p in places if p.exists()), None)


@dataclass
class Server:
    name: str
    proc: subprocess.Popen
    endpoint: str
    load_seconds: float


def wait_ready(proc: subprocess.Popen, endpoint: str, timeout: float) -> None:
    url = endpoint + "?query=" + urllib.parse.quote("ASK { ?s ?p ?o }")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": ACCEPT}), timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{endpoint} not ready after {timeout} s")


def start_igokg(release: Path, workdir: Path, *extra: str) -> Server:
    port = free_port()
    t0 = time.monotonic()
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    proc = subprocess.Popen([sys.executable, "-m", "igokg", "--root", str(ROOT), "serve", "--out", str(release),
                             "--port", str(port), *extra],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    endpoint = f"http://127.0.0.1:{port}/sparql"
    wait_ready(proc, endpoint, 900)
    return Server("igokg" + (" " + " ".join(extra) if extra else ""), proc, endpoint, time.monotonic() - t0)


def plain_files(release: Path, workdir: Path) -> list[Path]:
    nt = workdir / "data.nt"
    if not nt.exists():
        with gzip.open(release / "igokg.nt.gz", "rb") as src, nt.open("wb") as dst:
            shutil.copyfileobj(src, dst)
    return [nt, release / "ontology.ttl"]


def start_oxigraph(binary: str, release: Path, workdir: Path) -> Server:
    port = free_port()
    location = workdir / "oxigraph"
    t0 = time.monotonic()
    nt, onto = plain_files(release, workdir)
    if not location.exists():
        subprocess.run([binary, "load", "--location", str(location), "--file", str(nt)], check=True, capture_output=True)
        subprocess.run([binary, "load", "--location", str(location), "--file", str(onto), "--base",
                        "https://w3id.org/igokg/ontology"], check=True, capture_output=True)
    proc = subprocess.Popen([binary, "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}/query"
    wait_ready(proc, endpoint, 600)
    return Server("oxigraph", proc, endpoint, time.monotonic() - t0)


def start_rdflib_endpoint(binary: str, release: Path, workdir: Path) -> Server:
    port = free_port()
    t0 = time.monotonic()
    nt, onto = plain_files(release, workdir)
    proc = subprocess.Popen([binary, "serve", str(nt), str(onto), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}/"  # rdflib-endpoint answers at the root
    wait_ready(proc, endpoint, 1800)
    return Server("rdflib-endpoint", proc, endpoint, time.monotonic() - t0)


def stop(server: Server) -> None:
    server.proc.send_signal(signal.SIGTERM)
    try:
        server.proc.wait(15)
    except subprocess.TimeoutExpired:
        server.proc.kill()
        server.proc.wait()


# --------------------------------------------------------------------------- load


@dataclass
class Measure:
    requests: int
    errors: int
    rps: float
    p50_ms: float
    p99_ms: float


def check_answer(endpoint: str, query: str, limit: float, accept: str = ACCEPT) -> int | None:
    """One request first: it must succeed; the answer size is compared across servers.

    None when the server needs longer than `limit` seconds for one answer; a negative
    HTTP status when it refuses the query.
    """
    url = endpoint + "?query=" + urllib.parse.quote(query)
    try:
        r = urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": accept}), timeout=limit)
    except TimeoutError:
        return None
    except urllib.error.HTTPError as exc:
        return -exc.code
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            return None
        raise
    with r:
        body = r.read()
    if accept != ACCEPT:
        return len(list(ox.parse(body, format=ox.RdfFormat.TURTLE)))
    data = json.loads(body)
    return len(data["results"]["bindings"]) if "results" in data else int(bool(data.get("boolean")))


_WRK_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def load_wrk(wrk: str, url: str, duration: float, concurrency: int, accept: str = ACCEPT) -> Measure:
    out = subprocess.run(
        [wrk, f"-t{min(2, concurrency)}", f"-c{concurrency}", f"-d{max(1, round(duration))}s", "--timeout", "60s",
         "--latency", "-H", f"Accept: {accept}", url],
        capture_output=True, text=True, check=True,
    ).stdout

    def latency(pct: str) -> float:
        m = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.MULTILINE)
        return float(m.group(1)) * _WRK_UNITS[m.group(2)] if m else float("nan")

    requests = int(re.search(r"(\d+) requests in", out).group(1))
    errors = 0
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if m:
        errors += int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        errors += sum(int(x) for x in m.groups())
    return Measure(requests, errors, requests / max(1, round(duration)), latency("50"), latency("99"))


def load_python(url: str, duration: float, concurrency: int, accept: str = ACCEPT) -> Measure:
    parsed = urllib.parse.urlsplit(url)
    path = parsed.path + "?" + parsed.query
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + duration

    def client() -> None:
        conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=60)
        mine = []
        while time.monotonic() < stop_at:
            t0 = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Accept": accept})
                r = conn.getresponse()
                r.read()
                ok = r.status == 200
            except OSError:
                ok = False
                conn.close()
                conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=60)
            mine.append(time.perf_counter() - t0)
            if not ok:
                with lock:
                    errors[0] += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    n = len(latencies)
    q = lambda p: latencies[min(n - 1, int(p * n))] * 1000 if n else float("nan")
    return Measure(n, errors[0], n / duration, q(0.50), q(0.99))


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process and all its living descendants, and their reaped children."""
    tick = os.sysconf("SC_CLK_TCK")
    stats: dict[int, tuple[int, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ppid = int(fields[1])
        cpu = sum(int(x) for x in fields[11:15]) / tick  # utime, stime, cutime, cstime
        stats[int(entry.name)] = (ppid, cpu)
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        if p in stats:
            total += stats[p][1]
        todo.extend(c for c, (pp, _) in stats.items() if pp == p)
    return total


# --------------------------------------------------------------------------- query types


def query_types() -> dict[str, tuple[str, str]]:
    """name -> (query, Accept): the kinds of request an endpoint of this graph answers."""
    cq = cq_queries()
    pick = lambda prefix, fallback: next((v for k, v in cq.items() if k.startswith(prefix)), fallback)
    return {
        "entity-lookup": (f"SELECT ?p ?o WHERE {{ <{ID}csto> ?p ?o }}", ACCEPT),
        "members-at-date": (pick("cq01", FALLBACK_CQ["cq-members-of-csto"]), ACCEPT),
        "join-posts": (pick("cq12", FALLBACK_CQ["cq-organizations-of-a-state"]), ACCEPT),
        "aggregation": (HEAVY, ACCEPT),
        "construct": (f"CONSTRUCT WHERE {{ <{ID}csto> ?p ?o }}", "text/turtle"),
        "ask": (f"ASK {{ <{ID}csto> ?p ?o }}", ACCEPT),
    }


# --------------------------------------------------------------------------- fairness


def fairness(endpoint: str, heavy: str, duration: float) -> tuple[int, int, int, float]:
    """Four clients (127.0.0.2-5) loop `heavy`; a fifth (127.0.0.6) runs small queries.

    Returns (heavy answers, small answers, small failures, small p99 in seconds).
    """
    parsed = urllib.parse.urlsplit(endpoint)
    stop_at = time.monotonic() + duration
    heavy_ok = [0]
    small = [f"SELECT ?p ?o WHERE {{ <{ID}csto> ?p ?o }}", cq_queries().get("cq01-csto-members-2018-06",
                                                                             FALLBACK_CQ["cq-members-of-csto"])]

    def ask(source: str, text: str, timeout: float = 120) -> int:
        conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=timeout, source_address=(source, 0))
        try:
            conn.request("GET", parsed.path + "?query=" + urllib.parse.quote(text), headers={"Accept": ACCEPT})
            r = conn.getresponse()
            r.read()
            return r.status
        except OSError:
            return 0
        finally:
            conn.close()

    def loop(i: int) -> None:
        n = 0
        while time.monotonic() < stop_at:
            heavy_ok[0] += ask(f"127.0.0.{2 + i}", heavy + f" # {i}-{n}") == 200
            n += 1

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    time.sleep(min(2.0, duration / 4))
    times, failures, n = [], 0, 0
    while time.monotonic() < stop_at:
        t0 = time.perf_counter()
        ok = ask("127.0.0.6", small[n % 2] + f" # {n}", timeout=30) == 200
        times.append(time.perf_counter() - t0)
        failures += not ok
        n += 1
    for t in threads:
        t.join()
    times.sort()
    p99 = times[min(len(times) - 1, int(0.99 * len(times)))] if times else float("nan")
    return heavy_ok[0], len(times), failures, p99


# --------------------------------------------------------------------------- run


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--triples", type=int, default=100_000, help="size of the generated graph (0: seed only)")
    ap.add_argument("--duration", type=float, default=2.0, help="seconds of one load run")
    ap.add_argument("--rounds", type=int, default=3,
                    help="load runs per server, query type and connections, interleaved across the servers; "
                         "the table shows medians (default: 3)")
    ap.add_argument("--connections", default="1,16", help="connection counts (default: 1,16)")
    ap.add_argument("--oxigraph", help="oxigraph binary (PyPI oxigraph)")
    ap.add_argument("--rdflib-endpoint", dest="rdflib_endpoint", help="rdflib-endpoint binary (PyPI rdflib-endpoint)")
    ap.add_argument("--slow-limit", type=float, default=20.0,
                    help="a server that needs longer than this (s) for one answer is not loaded")
    ap.add_argument("--fairness-duration", type=float, default=10.0, help="seconds of the fairness check (0: skip)")
    ap.add_argument("--python-load", action="store_true", help="use the Python load generator even if wrk is there")
    ap.add_argument("--igokg-args", default="", help="extra arguments for igokg serve (e.g. '--workers 4')")
    args = ap.parse_args(argv)

    oxigraph = find_tool("oxigraph", args.oxigraph)
    rdflib_ep = find_tool("rdflib-endpoint", args.rdflib_endpoint)
    wrk = None if args.python_load else shutil.which("wrk")
    if not oxigraph or not rdflib_ep:
        print("need oxigraph and rdflib-endpoint: pip install oxigraph rdflib-endpoint (any venv), "
              "then pass --oxigraph/--rdflib-endpoint", file=sys.stderr)
        return 2
    conns = [int(c) for c in args.connections.split(",")]
    types = query_types()
    print(f"load: {'wrk' if wrk else 'python threads'}, {args.connections} connections, {args.duration:g} s a run, "
          f"{args.rounds} rounds; {len(types)} query types; {os.cpu_count()} CPUs (shared with other work); "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)

    tmp = Path(tempfile.mkdtemp(prefix="igokg-bench-serve-"))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally blocks: stop servers, remove tmp
    rows: list[tuple[str, str, int, dict[str, Row]]] = []
    cpu: dict[tuple[str, str], float] = {}
    fair: list[str] = []
    try:
        seed = seed_release(tmp / "seed" / "release")
        datasets = [("seed", seed)]
        if args.triples > 0:
            t0 = time.monotonic()
            gen = generated_release(tmp / "generated" / "release", args.triples, seed)
            print(f"generated graph: {args.triples} triples in {time.monotonic() - t0:.1f} s", flush=True)
            datasets.append((f"generated-{args.triples // 1000}k", gen))
        for dname, release in datasets:
            work = release.parent
            extra = ["--no-cache", *args.igokg_args.split()]
            starters = [("igokg", lambda r=release, w=work, e=extra: start_igokg(r, w, *e)),
                        ("oxigraph", lambda r=release, w=work: start_oxigraph(oxigraph, r, w)),
                        ("rdflib-endpoint", lambda r=release, w=work: start_rdflib_endpoint(rdflib_ep, r, w))]
            servers: list[tuple[str, Server]] = []
            try:
                for sname, start in starters:
                    servers.append((sname, start()))
                    print(f"[{dname}] {sname}: ready in {servers[-1][1].load_seconds:.1f} s", flush=True)
                results = run_rounds(dname, servers, types, conns, args, wrk, cpu)
                igokg = dict(servers)["igokg"]
                if args.fairness_duration > 0:
                    heavy_name, heavy_text = slowest_example(igokg.endpoint, args.slow_limit)
                    h, n, f, p99 = fairness(igokg.endpoint, heavy_text, args.fairness_duration)
                    fair.append(f"{dname:<16} 4 clients loop {heavy_name} ({h} answers); a fifth ran {n} small "
                                f"queries, {f} failed, p99 {p99 * 1000:.0f} ms (goal < 1000 ms)")
                    print("  fairness: " + fair[-1], flush=True)
            finally:
                for _, server in servers:
                    stop(server)
            for (tname, c), per in results.items():
                rows.append((dname, tname, c, per))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print()
    hdr = (f"{'data':<16} {'query type':<16} {'conn':>4} {'igokg':>9} {'oxigraph':>9} {'rdflib-ep':>9} "
           f"{'igokg/ox':>9} {'igokg/rdflib':>12} {'p99 igokg':>10} {'p99 ox':>8} {'µs/req igokg':>13} {'µs/req ox':>10}")
    print(hdr)
    ox_ratios, rdf_ratios, left_out = [], [], 0
    for dname, tname, c, per in rows:
        mine, oxi, rdf = per.get("igokg"), per.get("oxigraph"), per.get("rdflib-endpoint")
        # (a median of 0 requests/s: the server answered nothing in most rounds; left out, not divided by)
        r_ox = mine.rps / oxi.rps if mine and oxi and mine.rps > 0 and oxi.rps > 0 else float("nan")
        r_rdf = mine.rps / rdf.rps if mine and rdf and mine.rps > 0 and rdf.rps > 0 else float("nan")
        if not math.isnan(r_ox):
            ox_ratios.append(r_ox)
        if not math.isnan(r_rdf):
            rdf_ratios.append(r_rdf)
        else:
            left_out += 1
        fmt = lambda m: f"{m.rps:>9.1f}" if m and m.requests else f"{'—':>9}"
        us = lambda m, width: f"{m.cpu_us:>{width}.0f}" if m and m.requests else f"{'—':>{width}}"
        print(f"{dname:<16} {tname:<16} {c:>4} {fmt(mine)} {fmt(oxi)} {fmt(rdf)} {r_ox:>9.2f} {r_rdf:>12.1f} "
              f"{mine.p99_ms if mine else float('nan'):>10.2f} {oxi.p99_ms if oxi else float('nan'):>8.2f} "
              f"{us(mine, 13)} {us(oxi, 10)}")
    print()
    for (dname, sname), seconds in cpu.items():
        print(f"CPU seconds during the load, {dname:<16} {sname:<16} {seconds:8.1f}")
    for line in fair:
        print("fairness: " + line)
    gm = lambda xs: math.exp(statistics.fmean(math.log(x) for x in xs)) if xs else float("nan")
    line = bound_line(rows, engine_fixed_cost)
    if line:
        print(line)
    print(f"pairs left out of the rdflib-endpoint ratio (it answered no request in time): {left_out}")
    print(f"min ratio igokg/oxigraph (no cache): {min(ox_ratios) if ox_ratios else float('nan'):.2f}")
    print(f"geomean ratio igokg/rdflib-endpoint (no cache): {gm(rdf_ratios):.1f}")
    return 0


_SLOW_TYPES = {"members-at-date", "join-posts", "aggregation"}


@dataclass
class Row:
    """One server, query type and connection count over the rounds."""

    requests: int  # all rounds
    errors: int
    rps: float  # median of the rounds
    p99_ms: float  # median of the rounds
    cpu_us: float  # CPU microseconds of the server's process tree per request, all rounds


def run_rounds(dname: str, servers: list[tuple[str, Server]], types: dict[str, tuple[str, str]], conns: list[int],
               args: argparse.Namespace, wrk: str | None, cpu: dict[tuple[str, str], float]) -> dict:
    """Load every server with every query type and connection count, `args.rounds` times,
    the servers taking turns (in a rotating order) so that the machine's other work falls on
    all of them alike. Returns {(type, conns): {server: Row}}."""
    counts = {}
    for sname, server in servers:
        # the cheap types first: a server that is still working on a query it was too slow
        # to answer (rdflib-endpoint on 100k triples) would fail the next check for nothing
        for tname in sorted(types, key=lambda t: t in _SLOW_TYPES):
            text, accept = types[tname]
            counts[(sname, tname)] = check_answer(server.endpoint, text, args.slow_limit, accept)
    runs: dict[tuple[str, int, str], list[tuple[Measure, float]]] = {}
    for rnd in range(args.rounds):
        order = servers[rnd % len(servers):] + servers[:rnd % len(servers)]
        for tname, (text, accept) in types.items():
            for c in conns:
                for sname, server in order:
                    count = counts[(sname, tname)]
                    if count is None or count < 0:
                        continue
                    url = server.endpoint + "?query=" + urllib.parse.quote(text)
                    cpu0 = tree_cpu(server.proc.pid)
                    m = (load_wrk(wrk, url, args.duration, c, accept) if wrk
                         else load_python(url, args.duration, c, accept))
                    used = tree_cpu(server.proc.pid) - cpu0
                    # a server still working through requests of this run (rdflib-endpoint on
                    # 16 aggregations at once) must not carry them into the next server's turn
                    # or its own next run: wait until it answers a trivial query again
                    wait_idle(server.endpoint, args.slow_limit * 10)
                    cpu[(dname, sname)] = cpu.get((dname, sname), 0.0) + used
                    runs.setdefault((tname, c, sname), []).append((m, used))
                    print(f"  round {rnd + 1} {tname:<16} c={c:<3} {sname:<16} {m.rps:>9.1f} req/s  "
                          f"p99 {m.p99_ms:>8.2f} ms  CPU {used:5.2f} s  errors {m.errors}", flush=True)
    results: dict[tuple[str, int], dict[str, Row]] = {}
    for tname in types:
        for c in conns:
            for sname, _ in servers:
                count = counts[(sname, tname)]
                got = runs.get((tname, c, sname))
                if not got:
                    print(f"  {tname} c={c} {sname}: not loaded"
                          + (" (slower than the limit)" if count is None else f" (HTTP {-count})"), flush=True)
                    results.setdefault((tname, c), {})[sname] = Row(0, 1 if count else 0, *(float("nan"),) * 3)
                    continue
                n = sum(m.requests for m, _ in got)
                results.setdefault((tname, c), {})[sname] = Row(
                    n, sum(m.errors for m, _ in got), statistics.median(m.rps for m, _ in got),
                    statistics.median(m.p99_ms for m, _ in got), sum(u for _, u in got) / max(1, n) * 1e6)
    return results


def bound_line(rows: list[tuple[str, str, int, dict[str, Row]]], fixed_cost: Callable[[], float]) -> str | None:
    """What bounds igokg/oxigraph, said on the row of the lowest ratio: the engine's fixed cost
    per query (`fixed_cost()`, CPU µs), most of which both servers pay, and each server's CPU
    per request."""
    worst = min(((mine.rps / oxi.rps, dname, tname, c, mine, oxi) for dname, tname, c, per in rows
                 if (mine := per.get("igokg")) and (oxi := per.get("oxigraph")) and mine.rps > 0 and oxi.rps > 0),
                default=None, key=lambda x: x[0])
    if worst is None:
        return None
    _, dname, tname, c, mine, oxi = worst
    return (f"what bounds igokg/oxigraph: the smallest queries. One query's fixed cost in pyoxigraph (ASK {{}} on "
            f"an empty store, in this process) is {fixed_cost():.0f} µs of CPU, most of it paid by Oxigraph server too "
            f"(the same engine; it clones a prebuilt function table where pyoxigraph builds one); on the row of "
            f"the lowest ratio ({dname} {tname} c={c}) Oxigraph server's whole request costs "
            f"{oxi.cpu_us:.0f} µs and igokg's {mine.cpu_us:.0f}"
            + (f": the {round(mine.cpu_us) - round(oxi.cpu_us)} µs between them are igokg's Python (HTTP front, admission, "
               "negotiation) and its threads' GIL hand-offs" if mine.cpu_us > oxi.cpu_us else
               ": no more CPU, so the gap is in waiting (the machine's other load, the GIL's hand-offs)"))


def engine_fixed_cost(n: int = 20000) -> float:
    """CPU µs of the cheapest query pyoxigraph can run (`ASK {}`, empty store), best of three:
    the per-query setup (parsing, the evaluator with its function table, the query's clock)
    that every query pays in igokg, and Oxigraph server too but for the function table, which
    it clones from a prebuilt one."""
    store, best = ox.Store(), float("inf")
    for _ in range(3):
        t0 = time.process_time()
        for _ in range(n):
            store.query("ASK {}")
        best = min(best, (time.process_time() - t0) / n * 1e6)
    return best


def wait_idle(endpoint: str, limit: float) -> None:
    """Return once the server answers `ASK {}` (at most `limit` seconds)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            if check_answer(endpoint, "ASK {}", max(1.0, deadline - time.monotonic())) is not None:
                return
        except OSError:
            time.sleep(0.5)


def slowest_example(endpoint: str, limit: float) -> tuple[str, str]:
    """The example query (sparql/cq*.rq) that takes igokg longest to answer once."""
    best = ("heavy-aggregation", HEAVY, 0.0)
    for name, text in cq_queries().items():
        t0 = time.perf_counter()
        count = check_answer(endpoint, text, limit)
        took = time.perf_counter() - t0
        if count is not None and count >= 0 and took > best[2]:
            best = (name, text, took)
    return best[0], best[1]


if __name__ == "__main__":
    raise SystemExit(main())
