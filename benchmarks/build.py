"""Benchmark: igokg validate + build against the naive rdflib -> pySHACL -> rdflib pipeline.

    python benchmarks/build.py --triples 1000000
    python benchmarks/build.py --sizes 10000,100000,1000000 --naive-timeout 1800

For each size it generates a project (benchmarks/generate.py; cached under benchmarks/out/),
then runs, each in a subprocess of its own so that time and peak memory (ru_maxrss of that
child, from os.wait4) do not pollute each other:

  naive-validate   rdflib: parse every Turtle file of the project (ontology, data, seeds) into
                   one Graph -> pyshacl.validate(graph, shacl_graph=shapes, inference='none',
                   advanced=True). The ontology is parsed into the data graph, not passed as
                   ont_graph: igokg validates facts + ontology together, and ont_graph would make
                   pySHACL copy the whole data graph to mix it in.
  naive-serialize  rdflib: parse the same files -> serialize N-Triples, Turtle and JSON-LD
                   (the formats igokg publishes). A separate process, so that the serializers
                   are measured even when pySHACL times out.
  igokg-validate   igokg.validate.validate_graph(igokg.sources.load_sources(project))
  igokg-build      igokg.publish.build_release(project): loads, validates and writes the
                   whole release (dumps, VoID, checksums, queries), the job `igokg build` does.

Times are measured inside each child per stage (interpreter start and imports excluded, the
same for both sides). The naive pipeline's total is parse + validate + serializations (its
parse counted once); its peak memory is the larger of its two processes. The line that ends
the output is the ratio of the naive total to igokg's build (validate + build) at the largest
size run; if pySHACL timed out, its time is the timeout and the ratio a lower bound (">").

Both pipelines' SHACL results are compared (focus node, path, value, constraint component,
severity; blank nodes, which igokg names at load, compared as blank): they must agree.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "src"))

import generate  # noqa: E402

ID = "https://w3id.org/igokg/id/"


# --------------------------------------------------------------------------- children


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Recorder:
    """Stage timings written to a JSON file after every stage, so a killed child still reports."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data: dict = {"stages": [], "notes": {}}
        self.t = time.perf_counter()
        self.c = time.process_time()

    def stage(self, name: str) -> None:
        now, cpu = time.perf_counter(), time.process_time()
        self.data["stages"].append([name, now - self.t, _peak_mib(), cpu - self.c])
        self.t, self.c = now, cpu
        self.flush()

    def skip(self) -> None:
        """Forget the time since the last stage (work that is not part of the pipeline)."""
        self.t, self.c = time.perf_counter(), time.process_time()

    def flush(self) -> None:
        self.path.write_text(json.dumps(self.data), encoding="utf-8")


def _turtle_files(root: Path) -> list[Path]:
    return [p for d in ("ontology", "data", "seeds") for p in sorted((root / d).glob("*.ttl"))]


def _key_term(term: str) -> str:
    """Terms compared across engines: blank nodes (skolem IRIs in igokg) are all alike."""
    if term.startswith("_:"):
        return "_:b"
    if term.startswith(f"<{ID}") and "#" in term:
        return "_:b"
    return term


def child_naive_validate(root: Path, rec: Recorder) -> None:
    import pyshacl
    import rdflib

    g = rdflib.Graph()
    for path in _turtle_files(root):
        g.parse(path, format="turtle")
    shapes = rdflib.Graph().parse(root / "shapes" / "igo-shapes.ttl", format="turtle")
    rec.data["notes"]["triples"] = len(g)
    rec.stage("parse")
    conforms, report, _ = pyshacl.validate(g, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True)
    rec.stage("validate")
    # Result keys for the comparison (not timed).
    from igokg.shacl.reference import report_path
    from igokg.shacl.terms import from_rdflib

    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    keys = []
    for r in report.objects(None, sh.result):
        get = lambda p: report.value(r, p)  # noqa: E731
        path_nt = report_path(report, get(sh.resultPath))  # a SHACL path in Turtle, as igokg reports it
        value = get(sh.value)
        keys.append([_key_term(from_rdflib(get(sh.focusNode)).nt), path_nt,
                     _key_term(from_rdflib(value).nt) if value is not None else None,
                     str(get(sh.sourceConstraintComponent)), str(get(sh.resultSeverity))])
    rec.data["keys"] = sorted(keys, key=str)
    rec.data["notes"]["conforms"] = bool(conforms)
    rec.flush()


def child_naive_serialize(root: Path, rec: Recorder, jsonld: bool) -> None:
    import rdflib

    g = rdflib.Graph()
    for path in _turtle_files(root):
        g.parse(path, format="turtle")
    rec.stage("parse")
    out = root / "naive-out"
    out.mkdir(exist_ok=True)
    g.serialize(out / "igokg.nt", format="nt", encoding="utf-8")
    rec.stage("serialize N-Triples")
    g.serialize(out / "igokg.ttl", format="turtle")
    rec.stage("serialize Turtle")
    if jsonld:
        g.serialize(out / "igokg.jsonld", format="json-ld")
        rec.stage("serialize JSON-LD")


def _project(root: Path):
    from igokg.project import Project

    return Project.discover(root, env={"SOURCE_DATE_EPOCH": "1700000000", "CI": "1"}, interactive=False)


def child_igokg_validate(root: Path, rec: Recorder) -> None:
    from igokg.sources import load_sources
    from igokg.validate import validate_graph

    project = _project(root)
    sources = load_sources(project)
    rec.data["notes"]["triples"] = len(sources.store)
    rec.stage("load")
    report = validate_graph(sources)
    rec.stage("validate")
    rec.data["keys"] = sorted(
        ([_key_term(r.focus), r.path, _key_term(r.value) if r.value is not None else None, r.component, r.severity]
         for r in report.shacl_results),
        key=str,
    )
    rec.data["notes"]["violations"] = report.violation_count
    rec.data["notes"]["own_checks"] = sum(1 for f in report.findings if f.rule.startswith("check:"))
    rec.flush()


def child_igokg_build(root: Path, rec: Recorder, profile: Path | None, without: list[str]) -> None:
    from igokg.publish import build_release, default_writers

    # Leave out extra parts of the release (site, panels...) that the naive pipeline does not make.
    writers = [w for w in default_writers() if w.__name__.removeprefix("write_") not in without]
    rec.data["notes"]["writers"] = [w.__name__.removeprefix("write_") for w in writers]

    project = _project(root).with_out(root / "dist")
    phases: list[list] = []
    start = time.perf_counter()

    def say(msg: str) -> None:
        phases.append([round(time.perf_counter() - start, 3), msg.split(" (")[0]])

    if profile:
        import cProfile

        prof = cProfile.Profile()
        prof.enable()
    release = build_release(project, writers, progress=say)
    if profile:
        prof.disable()
        prof.dump_stats(profile)
    rec.data["notes"]["phases"] = phases
    rec.data["notes"]["release_triples"] = release.triples
    rec.stage("build")


CHILDREN = ("naive-validate", "naive-serialize", "igokg-validate", "igokg-build")


def child_main(args: argparse.Namespace) -> int:
    rec = Recorder(Path(args.result))
    root = Path(args.root)
    if args.child == "naive-validate":
        child_naive_validate(root, rec)
    elif args.child == "naive-serialize":
        child_naive_serialize(root, rec, jsonld=not args.no_jsonld)
    elif args.child == "igokg-validate":
        child_igokg_validate(root, rec)
    elif args.child == "igokg-build":
        child_igokg_build(root, rec, Path(args.profile_out) if args.profile_out else None,
                          [w for w in (args.without or "").split(",") if w])
    return 0


# --------------------------------------------------------------------------- parent


def run_child(name: str, root: Path, timeout: float | None, extra: list[str] = ()) -> dict:
    """Run one child; return its stages, wall time, peak MiB (its own ru_maxrss) and status."""
    result = root.parent / f"{root.name}.{name}.json"
    result.unlink(missing_ok=True)
    cmd = [sys.executable, __file__, "--child", name, "--root", str(root), "--result", str(result), *extra]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, start_new_session=True)
    status = "ok"
    while True:
        pid, code, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if timeout is not None and time.perf_counter() - t0 > timeout:
            os.killpg(proc.pid, signal.SIGKILL)
            pid, code, usage = os.wait4(proc.pid, 0)
            status = "timeout"
            break
        time.sleep(0.05)
    proc.returncode = code
    wall = time.perf_counter() - t0
    if status == "ok" and code != 0:
        status = f"failed (status {code})"
    data = json.loads(result.read_text()) if result.is_file() else {"stages": [], "notes": {}}
    data.update(name=name, wall=wall, peak_mib=usage.ru_maxrss / 1024, status=status,
                cpu=usage.ru_utime + usage.ru_stime)
    return data


def _fingerprint() -> str:
    h = hashlib.sha256()
    # sparql/ is left out: the queries only matter to igokg build and are refreshed on every run.
    for p in [HERE / "generate.py", *sorted((REPO / "ontology").glob("*")), *sorted((REPO / "shapes").glob("*"))]:
        h.update(p.name.encode() + p.read_bytes())
    return h.hexdigest()[:16]


def project_for(n: int, violations: int = 0, seed: int = 1, queries: bool = False) -> tuple[Path, int]:
    """A generated project of n triples, reused from benchmarks/out/ when its inputs are unchanged.

    Without `queries`, its sparql/ is empty: the naive pipeline answers no queries, and the
    project's example queries ask about the real CSTO/SCO/CIS, absent from generated data.
    """
    root = OUT / (f"p{n}" + (f"-v{violations}" if violations else ""))
    stamp = root / ".generated"
    fp = f"{_fingerprint()} seed={seed}"
    if stamp.is_file() and stamp.read_text().split("\n")[0] == fp:
        shutil.rmtree(root / "sparql", ignore_errors=True)
        if queries and (REPO / "sparql").is_dir():
            shutil.copytree(REPO / "sparql", root / "sparql")
        return root, int(stamp.read_text().split("\n")[1])
    for stale in root.parent.glob(f"{root.name}.*.json"):
        stale.unlink()  # results measured on other data
    t = time.perf_counter()
    count = generate.generate(root, n, seed=seed, violations=violations)
    stamp.write_text(f"{fp}\n{count}\n")
    if not queries:
        shutil.rmtree(root / "sparql", ignore_errors=True)
    print(f"generated {root.relative_to(REPO)}: {count} fact triples in {time.perf_counter() - t:.1f} s", flush=True)
    return root, count


def _stage(data: dict, name: str) -> tuple[float, float] | None:
    for s, t, m, _c in data["stages"]:
        if s == name:
            return t, m
    return None


def _stage_cpu(data: dict, name: str) -> float:
    return next((c for s, _t, _m, c in data["stages"] if s == name), 0.0)


def _sum(data: dict, names: list[str]) -> float:
    return sum(t for s, t, *_ in data["stages"] if s in names)


def phase_spans(phases: list, total: float) -> list[tuple[str, float]]:
    """igokg's progress messages as named spans: each lasts until the next message."""
    def name(msg: str) -> str:
        if msg.startswith("loading"):
            return "load"
        if msg.startswith("writing") and msg not in ("writing dumps", "writing ontology and shapes"):
            return "extras+checksums"  # extra writers, then CHANGES and SHA256SUMS before the swap
        return {"checking shapes": "SHACL", "writing dumps": "dumps", "writing ontology and shapes": "ontology",
                "running the example queries": "queries", "describing the dataset": "VoID",
                "swapping the release into place": "swap"}.get(msg, msg.split(" ")[0] if msg.startswith("checking") else msg)

    spans: list[list] = []
    for i, (t, msg) in enumerate(phases):
        end = phases[i + 1][0] if i + 1 < len(phases) else total
        label = "own checks" if msg.startswith("checking quotes") else name(msg)
        if spans and spans[-1][0] == label:
            spans[-1][1] += end - t
        else:
            spans.append([label, end - t])
    return [(a, b) for a, b in spans]


def compare(naive: dict, igokg: dict) -> str:
    if naive.get("status") != "ok" or "keys" not in naive:
        return "not compared (pySHACL did not finish)"
    a = Counter(tuple(k) for k in naive["keys"])
    b = Counter(tuple(k) for k in igokg.get("keys", []))
    sev = Counter(k[4].rsplit("#", 1)[-1] for k in a.elements())
    summary = ", ".join(f"{n} {s.lower()}(s)" for s, n in sorted(sev.items())) or "no results"
    if a == b:
        return f"same SHACL results: {summary}"
    only_a, only_b = a - b, b - a
    return (f"DIFFERENT: {sum(only_a.values())} only in pySHACL, {sum(only_b.values())} only in igokg; "
            f"e.g. {list(only_a)[:2]} / {list(only_b)[:2]}")


def fmt_t(t: float | None, timed_out: bool = False) -> str:
    if t is None:
        return "-"
    return f"> {t:.0f}" if timed_out else (f"{t:.2f}" if t < 10 else f"{t:.1f}")


def bench_size(n: int, args: argparse.Namespace) -> dict:
    root, count = project_for(n, queries=args.queries)
    print(f"\n== {count} fact triples ({root.relative_to(REPO)}) ==", flush=True)
    res = {}
    for name in ("igokg-validate", "igokg-build", "naive-serialize", "naive-validate"):
        extra = []
        timeout = None
        if name == "naive-validate":
            timeout = args.naive_timeout
        if name == "naive-serialize" and n > args.jsonld_max:
            extra = ["--no-jsonld"]
        if name == "igokg-build":
            extra = ["--without", args.without]
            timeout = args.igokg_timeout
            if args.profile and n == max(args.sizes):
                extra += ["--profile-out", str(root.parent / f"{root.name}.igokg-build.prof")]
        saved = root.parent / f"{root.name}.{name}.done.json"
        if args.reuse_naive and name.startswith("naive") and saved.is_file():
            res[name] = d = json.loads(saved.read_text())
            print(f"  {name}: reused from {saved.relative_to(REPO)} ({d['status']}, {d['wall']:.1f} s)", flush=True)
            continue
        print(f"  running {name}...", end="", flush=True)
        res[name] = d = run_child(name, root, timeout, extra)
        saved.write_text(json.dumps(d))
        print(f" {d['status']}, {d['wall']:.1f} s, {d['peak_mib']:.0f} MiB", flush=True)
        if d["status"] not in ("ok", "timeout") or (name.startswith("igokg") and d["status"] != "ok"):
            raise SystemExit(f"{name} {d['status']} at {n} triples")

    nv, ns, iv, ib = res["naive-validate"], res["naive-serialize"], res["igokg-validate"], res["igokg-build"]
    timed_out = nv["status"] == "timeout"
    parse = _stage(ns, "parse") or _stage(nv, "parse")
    naive_parse = parse[0] if parse else None
    if timed_out:
        done = _stage(nv, "parse")
        naive_validate = args.naive_timeout - (done[0] if done else 0)
    else:
        naive_validate = _stage(nv, "validate")[0]
    ser = {s: t for s, t, *_ in ns["stages"] if s.startswith("serialize")}
    naive_ser = sum(ser.values())
    naive_total = (naive_parse or 0) + naive_validate + naive_ser
    naive_val_total = (naive_parse or 0) + naive_validate
    i_load, i_val = _stage(iv, "load")[0], _stage(iv, "validate")[0]
    i_build = _stage(ib, "build")[0]
    naive_mem = max(nv["peak_mib"], ns["peak_mib"])

    rows = [
        ("parse / load", naive_parse, i_load, ns["peak_mib"], None, False),
        ("SHACL + checks", naive_validate, i_val, nv["peak_mib"], None, timed_out),
        ("validate (parse+SHACL)", naive_val_total, i_load + i_val, nv["peak_mib"], iv["peak_mib"], timed_out),
    ]
    for s, t in ser.items():
        rows.append((s.replace("serialize ", "write "), t, None, None, None, False))
    if n > args.jsonld_max:
        rows.append(("write JSON-LD", None, None, None, None, False))
    rows.append(("validate+build (total)", naive_total, i_build, naive_mem, ib["peak_mib"], timed_out))

    print(f"  {'stage':26} {'naive s':>10} {'igokg s':>9} {'naive MiB':>10} {'igokg MiB':>10} {'ratio':>7}")
    for stage, a, b, ma, mb, lb in rows:
        ratio = f"{'>' if lb else ''}{a / b:.1f}" if a is not None and b else "-"
        print(f"  {stage:26} {fmt_t(a, lb):>10} {fmt_t(b):>9} {ma and f'{ma:.0f}' or '-':>10} {mb and f'{mb:.0f}' or '-':>10} {ratio:>7}")
    if n > args.jsonld_max:
        print(f"  (naive JSON-LD skipped above {args.jsonld_max} triples: --jsonld-max)")
    phases = ib["notes"].get("phases", [])
    if phases:
        print("  igokg build phases (wall s): " + ", ".join(f"{m} {t:.2f}" for m, t in phase_spans(phases, i_build)))
    cpu = lambda d: sum(c for *_, c in d["stages"])  # noqa: E731
    # A stopped pySHACL recorded no stage: take its process's CPU time (from wait4) instead.
    naive_cpu = cpu(ns) + (nv["cpu"] if timed_out else cpu(nv)) - (_stage_cpu(nv, "parse") if ns["stages"] else 0)
    print(f"  CPU seconds (less sensitive to other load on the machine): naive {naive_cpu:.1f}"
          f"{' (timed out)' if timed_out else ''}, igokg build {cpu(ib):.2f}, ratio {'>' if timed_out else ''}{naive_cpu / cpu(ib):.1f}")
    print(f"  check: {compare(nv, iv)}; igokg own checks: {iv['notes'].get('own_checks', 0)} finding(s)")
    return {"n": count, "naive_total": naive_total, "igokg_total": i_build, "timed_out": timed_out,
            "naive_validate": naive_val_total, "igokg_validate": i_load + i_val,
            "naive_mem": naive_mem, "igokg_mem": ib["peak_mib"]}


def planted_check(k: int, args: argparse.Namespace) -> None:
    """At 10k triples with k planted violations: both pipelines must report exactly them."""
    root, count = project_for(10000, violations=k)
    nv = run_child("naive-validate", root, args.naive_timeout)
    iv = run_child("igokg-validate", root, None)
    print(f"planted {k} violation(s) in {count} triples: {compare(nv, iv)}; igokg violations: {iv['notes'].get('violations')}",
          flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="igokg validate+build vs rdflib -> pySHACL -> rdflib")
    ap.add_argument("--triples", type=int, default=1000000, help="size in fact triples (default 1000000)")
    ap.add_argument("--sizes", help="comma-separated sizes, e.g. 10000,100000,1000000 (overrides --triples)")
    ap.add_argument("--naive-timeout", type=float, default=3600, help="seconds before pySHACL is stopped (default 3600)")
    ap.add_argument("--jsonld-max", type=int, default=10**9, help="skip the naive JSON-LD above this many triples")
    ap.add_argument("--planted", type=int, default=7, help="violations to plant for the agreement check at 10k (0: skip)")
    ap.add_argument("--reuse-naive", action="store_true",
                    help="reuse the naive pipeline's last results for the same generated project (they take long)")
    ap.add_argument("--igokg-timeout", type=float, default=None, help="seconds before igokg build is stopped")
    ap.add_argument("--queries", action="store_true",
                    help="keep the project's example queries (sparql/) in igokg build; off by default: see docs/benchmarks.md")
    ap.add_argument("--profile", action="store_true", help="cProfile igokg build at the largest size")
    ap.add_argument("--child", choices=CHILDREN, help=argparse.SUPPRESS)
    ap.add_argument("--root", help=argparse.SUPPRESS)
    ap.add_argument("--result", help=argparse.SUPPRESS)
    ap.add_argument("--no-jsonld", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--without", default=None,
                    help="extra release writers igokg build leaves out (default: site,panels,wikidata_diff)")
    ap.add_argument("--profile-out", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        return child_main(args)
    if args.without is None:
        args.without = "site,panels,wikidata_diff"
    args.sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else [args.triples]
    OUT.mkdir(exist_ok=True)
    if args.planted:
        planted_check(args.planted, args)
    results = [bench_size(n, args) for n in args.sizes]
    last = results[-1]
    lower = ">" if last["timed_out"] else ""
    print(f"\nvalidate only: naive {fmt_t(last['naive_validate'], last['timed_out'])} s, igokg {last['igokg_validate']:.2f} s")
    print(f"peak memory: naive {last['naive_mem']:.0f} MiB, igokg {last['igokg_mem']:.0f} MiB")
    print(f"ratio naive/igokg: {lower}{last['naive_total'] / last['igokg_total']:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
