"""Benchmark: igokg's endpoint vs rdflib-endpoint vs Oxigraph's server, same data, same load.

    python benchmarks/serve.py [--triples 1000000] [--duration 3] [--concurrency 16]

For each data set (the seed release, and a generated graph of --triples triples) and
each query (the CQ queries in `sparql/*.rq` without SERVICE, and one heavy aggregation),
each server is put under the same bounded loopback load: `wrk` (Debian package) with
--concurrency open connections for --duration seconds, or a Python thread load
generator when wrk is missing. Prints requests/s and p50/p99 latency, and ends with

    ratio igokg/rdflib-endpoint: X.X; igokg/oxigraph: Y.YY

— each ratio is the geometric mean, over the CQ queries of every data set, of the
per-query throughput ratio, counting only the queries where both servers finished at
least one request within the window (how many were left out is printed). The rows
"igokg --no-cache" show the endpoint without its result cache (every request runs the
query in a worker), with their own ratio line; the last line uses igokg as it ships
(cache on).

rdflib-endpoint and oxigraph are not igokg dependencies: install them into any venv
(`pip install rdflib-endpoint oxigraph`) and pass --rdflib-endpoint / --oxigraph, or let
the script find them on PATH or in `.cache/bench-venv/bin`.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
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
from dataclasses import dataclass
from pathlib import Path

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
    """A release of about `triples` synthetic triples in the project's model (seeded, deterministic).

    Uses `benchmarks/generate.py` when it offers `generate(n, path)`; else the small
    generator below (states, organizations, memberships with roles, dates and attestations).
    """
    out.mkdir(parents=True, exist_ok=True)
    target = out / "igokg.nt.gz"
    gen = ROOT / "benchmarks" / "generate.py"
    used_external = False
    if gen.is_file():
        import importlib.util

        spec = importlib.util.spec_from_file_location("igokg_bench_generate", gen)
        mod = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(mod)  # type: ignore[union-attr]
            if hasattr(mod, "generate"):
                mod.generate(triples, target)
                used_external = True
        except Exception as exc:  # noqa: BLE001 - fall back, but say so
            print(f"benchmarks/generate.py failed ({exc}); using the built-in generator", file=sys.stderr)
    if not used_external:
        _generate(triples, target)
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
    return shutil.which(name) or next((str(p) for p in [ROOT / ".cache" / "bench-venv" / "bin" / name] if p.exists()), None)


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
                             "--port", str(port), "--timeout", "60", *extra],
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


def check_answer(endpoint: str, query: str, limit: float) -> int | None:
    """One request first: it must succeed; the row count is compared across servers.

    None when the server needs longer than `limit` seconds for one answer: it is then
    not put under load (its throughput is below 1/limit requests per second).
    """
    url = endpoint + "?query=" + urllib.parse.quote(query)
    try:
        r = urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": ACCEPT}), timeout=limit)
    except TimeoutError:
        return None
    except urllib.error.HTTPError as exc:
        return -exc.code  # the server refuses the query (e.g. syntax it does not support)
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            return None
        raise
    with r:
        import json

        data = json.loads(r.read())
    return len(data["results"]["bindings"]) if "results" in data else int(bool(data.get("boolean")))


_WRK_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def load_wrk(wrk: str, url: str, duration: float, concurrency: int) -> Measure:
    out = subprocess.run(
        [wrk, f"-t{min(2, concurrency)}", f"-c{concurrency}", f"-d{max(1, round(duration))}s", "--timeout", "60s",
         "--latency", "-H", f"Accept: {ACCEPT}", url],
        capture_output=True, text=True, check=True,
    ).stdout

    def latency(pct: str) -> float:
        m = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)
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


def load_python(url: str, duration: float, concurrency: int) -> Measure:
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
                conn.request("GET", path, headers={"Accept": ACCEPT})
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
    q = lambda p: latencies[min(n - 1, int(p * n))] * 1000 if n else float("nan")  # noqa: E731
    return Measure(n, errors[0], n / duration, q(0.50), q(0.99))


# --------------------------------------------------------------------------- run


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--triples", type=int, default=1_000_000, help="size of the generated graph (0: seed only)")
    ap.add_argument("--duration", type=float, default=3.0, help="seconds of load per server and query")
    ap.add_argument("--concurrency", type=int, default=16, help="concurrent connections")
    ap.add_argument("--oxigraph", help="oxigraph binary (PyPI oxigraph)")
    ap.add_argument("--rdflib-endpoint", dest="rdflib_endpoint", help="rdflib-endpoint binary (PyPI rdflib-endpoint)")
    ap.add_argument("--no-rdflib-on-generated", action="store_true",
                    help="skip rdflib-endpoint on the generated graph (it takes minutes to load)")
    ap.add_argument("--slow-limit", type=float, default=20.0,
                    help="a server that needs longer than this (s) for one answer is not loaded; its req/s is < 1/limit")
    ap.add_argument("--python-load", action="store_true", help="use the Python load generator even if wrk is there")
    args = ap.parse_args(argv)

    oxigraph = find_tool("oxigraph", args.oxigraph)
    rdflib_ep = find_tool("rdflib-endpoint", args.rdflib_endpoint)
    wrk = None if args.python_load else shutil.which("wrk")
    if not oxigraph or not rdflib_ep:
        print("need oxigraph and rdflib-endpoint: pip install oxigraph rdflib-endpoint (any venv), "
              "then pass --oxigraph/--rdflib-endpoint", file=sys.stderr)
        return 2
    queries = cq_queries()
    all_queries = {**queries, "heavy-aggregation": HEAVY}
    print(f"load: {'wrk' if wrk else 'python threads'}, {args.concurrency} connections, {args.duration:g} s per query; "
          f"{len(queries)} CQ queries + 1 heavy aggregation; {os.cpu_count()} CPUs", flush=True)

    tmp = Path(tempfile.mkdtemp(prefix="igokg-bench-serve-"))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally blocks: stop servers, remove tmp
    ratios_rdflib: list[float] = []
    ratios_ox: list[float] = []
    ratios_nocache: dict[str, list[float]] = {}
    skipped: dict[str, int] = {}
    rows: list[tuple] = []
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
            starters = [
                ("igokg", lambda: start_igokg(release, work)),
                ("igokg --no-cache", lambda: start_igokg(release, work, "--no-cache")),
                ("oxigraph", lambda: start_oxigraph(oxigraph, release, work)),
            ]
            if not (args.no_rdflib_on_generated and dname != "seed"):
                starters.append(("rdflib-endpoint", lambda: start_rdflib_endpoint(rdflib_ep, release, work)))
            results: dict[str, dict[str, Measure]] = {}
            answers: dict[str, dict[str, int]] = {}
            for sname, start in starters:
                server = start()
                print(f"[{dname}] {sname}: ready in {server.load_seconds:.1f} s", flush=True)
                try:
                    for qname, text in all_queries.items():
                        count = check_answer(server.endpoint, text, args.slow_limit)
                        if count is None:
                            m = Measure(0, 0, 0.0, float("nan"), float("nan"))
                            results.setdefault(sname, {})[qname] = m
                            rows.append((dname, qname, sname, m))
                            print(f"  {qname:<40} {sname:<18} one answer took > {args.slow_limit:g} s: not loaded", flush=True)
                            # (not restarted: rdflib-endpoint reloads a big graph for minutes; the
                            # query it still works on only slows it further)
                            continue
                        if count < 0:
                            m = Measure(0, 1, float("nan"), float("nan"), float("nan"))
                            results.setdefault(sname, {})[qname] = m
                            rows.append((dname, qname, sname, m))
                            print(f"  {qname:<40} {sname:<18} refused the query (HTTP {-count}): not loaded", flush=True)
                            continue
                        answers.setdefault(qname, {})[sname] = count
                        url = server.endpoint + "?query=" + urllib.parse.quote(text)
                        m = load_wrk(wrk, url, args.duration, args.concurrency) if wrk else load_python(url, args.duration, args.concurrency)
                        results.setdefault(sname, {})[qname] = m
                        rows.append((dname, qname, sname, m))
                        print(f"  {qname:<40} {sname:<18} {m.rps:>9.1f} req/s  p50 {m.p50_ms:>8.2f} ms  p99 {m.p99_ms:>8.2f} ms"
                              f"  errors {m.errors}", flush=True)
                finally:
                    stop(server)
            for qname, per in answers.items():
                if len(set(per.values())) > 1:
                    print(f"  warning: {qname}: servers disagree on the row count: {per}", flush=True)
            # A ratio counts only where both servers finished requests within the window: a
            # query one of them could not answer in time would make any number up.
            def rps(server: str, qname: str) -> float:
                m = results.get(server, {}).get(qname)
                return m.rps if m is not None and m.requests > 0 else float("nan")

            for qname in queries:
                for other, bucket in (("rdflib-endpoint", ratios_rdflib), ("oxigraph", ratios_ox)):
                    mine, theirs = rps("igokg", qname), rps(other, qname)
                    if math.isnan(mine) or math.isnan(theirs):
                        skipped[other] = skipped.get(other, 0) + 1
                        continue
                    bucket.append(mine / theirs)
                    uncached = rps("igokg --no-cache", qname)
                    if not math.isnan(uncached):
                        ratios_nocache.setdefault(other, []).append(uncached / theirs)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print()
    print(f"{'data':<16} {'query':<40} {'server':<18} {'req/s':>10} {'p50 ms':>9} {'p99 ms':>9} {'errors':>7}")
    for dname, qname, sname, m in rows:
        rps = (f"{m.rps:>10.1f}" if m.requests else f"{'refused':>10}" if math.isnan(m.rps)
               else f"{'<' + format(1 / args.slow_limit, '.2f'):>10}")
        print(f"{dname:<16} {qname:<40} {sname:<18} {rps} {m.p50_ms:>9.2f} {m.p99_ms:>9.2f} {m.errors:>7}")
    gm = lambda xs: math.exp(statistics.fmean(math.log(x) for x in xs)) if xs else float("nan")  # noqa: E731
    print()
    print(f"CQ pairs compared: rdflib-endpoint {len(ratios_rdflib)}, oxigraph {len(ratios_ox)} "
          f"(left out, one side finished no request in time: {skipped or 'none'})")
    print(f"without the result cache: igokg/rdflib-endpoint {gm(ratios_nocache.get('rdflib-endpoint', [])):.1f}; "
          f"igokg/oxigraph {gm(ratios_nocache.get('oxigraph', [])):.2f}")
    print(f"ratio igokg/rdflib-endpoint: {gm(ratios_rdflib):.1f}; igokg/oxigraph: {gm(ratios_ox):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
