"""Benchmark: igokg validate + build against the floor (pyoxigraph alone) and the naive
rdflib -> pySHACL -> rdflib pipeline; then the full default build.

    python benchmarks/build.py --sizes 100000,1000000 --without-naive
    python benchmarks/build.py --triples 1000000 --like-real --without-naive
    python benchmarks/build.py --sizes 10000,100000,1000000 --naive-timeout 1800
    IGOKG_SOURCE_MIRROR=../shared/datasets/igo-membership/raw python benchmarks/build.py --real

For each size it makes a project (benchmarks/generate.py, or with --like-real copies of the
project's real data, benchmarks/replicate.py; cached under benchmarks/out/), then runs, each in
a subprocess of its own so that time and peak memory (ru_maxrss of that child, from os.wait4)
do not pollute each other:

  floor            pyoxigraph alone: Store.bulk_load of every Turtle file of the project
                   (ontology, data, seeds), then Store.dump to N-Triples, Turtle (with the
                   project's prefixes) and JSON-LD. What any pipeline on pyoxigraph must at least
                   do to read the input and write the three formats igokg publishes.
  igokg-validate   igokg.validate.validate_graph(igokg.sources.load_sources(project))
  igokg-build      igokg.publish.build_release(project): loads, validates and writes the
                   release (dumps, VoID, schema, CHANGES, checksums), the job `igokg build`
                   does, without the extra parts the others have no counterpart for (site,
                   panels, example queries): the compared build.
  igokg-full       the full default build: every default writer (site, panels) and the
                   example queries of sparql/, over the release of its previous run (a
                   rebuild of the same input: the site's files are linked from it).
  igokg-full-clean the same into an empty folder (every file written), run once.
  naive-validate   rdflib: parse every Turtle file into one Graph -> pyshacl.validate(graph,
                   shacl_graph=shapes, inference='none', advanced=True). The ontology is parsed
                   into the data graph, not passed as ont_graph: igokg validates facts +
                   ontology together, and ont_graph would make pySHACL copy the data graph.
  naive-serialize  rdflib: parse the same files -> serialize N-Triples, Turtle and JSON-LD.
                   A separate process, so that the serializers are measured even when pySHACL
                   times out. (--without-naive skips both naive children: at 1M they take most
                   of an hour.)

Times are measured inside each child per stage (interpreter start and imports excluded, the
same for all); CPU seconds beside wall seconds, since the machine may be shared. The output
ends with the ratios at the largest size run: the naive total over igokg's (wall; ">" if
pySHACL timed out), then `ratio igokg/floor: X`, CPU seconds of igokg's validate+build over
the floor's.

--real measures the project's own data instead: the five articles, COW IGO v3 and the World
Factbook appendix (seeds/datasets.ttl; the files from IGOKG_SOURCE_MIRROR or the fetch cache),
validated and built as `igokg build` does. Its floor loads the published facts (the release's
N-Triples, decompressed beforehand) and the ontology, and writes the three dumps: igokg's extra
work over it is reading the dataset's R files, the import, the checks and the writers.

--repeat N runs the floor and the two builds N times, taking turns, and reports each one's run
of median CPU time: on a shared machine (here a guest whose host's load comes and goes) the
same build varies by 10-20 % from one run to the next.

Both SHACL engines' results are compared when the naive pipeline runs (focus node, path,
value, constraint component, severity; blank nodes, which igokg names at load, compared as
blank): they must agree.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
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

import generate
import replicate

ID = "https://w3id.org/igokg/id/"


# --------------------------------------------------------------------------- children


def _cpu_now() -> float:
    """CPU seconds of this process and of its children that have ended (the site's forked page
    renderers): the work done, whatever the number of processes it was spread over."""
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + kids.ru_utime + kids.ru_stime


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Recorder:
    """Stage timings written to a JSON file after every stage, so a killed child still reports."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data: dict = {"stages": [], "notes": {}}
        self.t = time.perf_counter()
        self.c = _cpu_now()

    def stage(self, name: str) -> None:
        now, cpu = time.perf_counter(), _cpu_now()
        self.data["stages"].append([name, now - self.t, _peak_mib(), cpu - self.c])
        self.t, self.c = now, cpu
        self.flush()

    def skip(self) -> None:
        """Forget the time since the last stage (work that is not part of the pipeline)."""
        self.t, self.c = time.perf_counter(), _cpu_now()

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
        get = lambda p, r=r: report.value(r, p)
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


def child_floor(root: Path, rec: Recorder, facts: Path | None = None) -> None:
    """`facts`: N-Triples (gzip) of the facts, loaded with the ontology instead of the Turtle files
    (the real data, most of which comes from a dataset's R files, not Turtle)."""
    import gzip

    import pyoxigraph as ox

    from igokg.namespaces import PREFIXES

    store = ox.Store()
    if facts is not None:
        text = gzip.decompress(facts.read_bytes())
        rec.skip()
        store.bulk_load(text, format=ox.RdfFormat.N_TRIPLES)
        for path in sorted((root / "ontology").glob("*.ttl")):
            store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
    else:
        for path in _turtle_files(root):
            store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
    rec.data["notes"]["triples"] = len(store)
    rec.stage("load")
    out = root / "floor-out"
    out.mkdir(exist_ok=True)
    graph = ox.DefaultGraph()
    store.dump(str(out / "all.nt"), ox.RdfFormat.N_TRIPLES, from_graph=graph)
    rec.stage("write N-Triples")
    store.dump(str(out / "all.ttl"), ox.RdfFormat.TURTLE, from_graph=graph, prefixes=dict(PREFIXES))
    rec.stage("write Turtle")
    store.dump(str(out / "all.jsonld"), ox.RdfFormat.JSON_LD, from_graph=graph)
    rec.stage("write JSON-LD")


def _project(root: Path):
    from igokg.project import Project

    # The real data's articles run to 2024: its release is dated after them, as the tests date it.
    env = {"SOURCE_DATE_EPOCH": "1763856000" if root.name == "real" else "1700000000", "CI": "1"}
    if os.environ.get("IGOKG_SOURCE_MIRROR"):  # the real data's pinned files (--real); generated projects pin none
        env["IGOKG_SOURCE_MIRROR"] = os.environ["IGOKG_SOURCE_MIRROR"]
    return Project.discover(root, env=env, interactive=False)


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


def child_igokg_build(root: Path, rec: Recorder, profile: Path | None, without: list[str], out: str = "dist") -> None:
    from igokg.publish import build_release, default_writers

    def part(w) -> str:  # start_site starts the site's pages: a part of the site
        return w.__name__.removeprefix("write_").removeprefix("start_")

    writers = [w for w in default_writers() if part(w) not in without]
    rec.data["notes"]["writers"] = [w.__name__.removeprefix("write_") for w in writers]

    project = _project(root).with_out(root / out)
    phases: list[list] = []
    start, cpu0 = time.perf_counter(), _cpu_now()

    def say(msg: str) -> None:
        phases.append([round(time.perf_counter() - start, 3), round(_cpu_now() - cpu0, 3), msg.split(" (")[0],
                       round(_peak_mib())])

    if profile:
        import cProfile

        prof = cProfile.Profile()
        prof.enable()
    release = build_release(project, writers, progress=say)
    if profile:
        prof.disable()
        prof.dump_stats(profile)
    say("done")
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    rec.data["notes"]["sys"] = me.ru_stime + kids.ru_stime  # (the forked page renderers have ended)
    rec.data["notes"]["phases"] = phases
    rec.data["notes"]["release_triples"] = release.triples
    rec.data["notes"]["files"] = len(release.files)
    rec.data["notes"]["linked"] = release.linked
    rec.stage("build")
    t = time.perf_counter()
    _settle()
    rec.data["notes"]["settle"] = time.perf_counter() - t  # (taken out of the child's wall time)
    rec.flush()


def _settle() -> None:
    """After the measured build: wait for the previous release's removal, which the build left
    to a background process, and write it out (`sync`), so that it does not run beside the next
    child (a removal of 172,000 files did). What the removal leaves for the next build's files
    (ext4 without a journal passes over recently freed inodes) is not waited out: it lasts
    minutes, see docs/benchmarks.md."""
    from igokg.publish.atomic import wait_for_removers

    wait_for_removers()
    os.sync()
    time.sleep(1)


CHILDREN = ("floor", "floor-facts", "naive-validate", "naive-serialize", "igokg-validate", "igokg-build", "igokg-full",
            "igokg-full-clean")


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
    elif args.child == "igokg-full":
        child_igokg_build(root, rec, Path(args.profile_out) if args.profile_out else None, [], out="dist-full")
    elif args.child == "igokg-full-clean":  # into an empty folder: every file written, none linked
        shutil.rmtree(root / "dist-clean", ignore_errors=True)
        child_igokg_build(root, rec, None, [], out="dist-clean")
    elif args.child == "floor":
        child_floor(root, rec)
    elif args.child == "floor-facts":
        child_floor(root, rec, facts=root / "dist-full" / "igokg.nt.gz")
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
    wall -= data.get("notes", {}).get("settle", 0)
    data.update(name=name, wall=wall, peak_mib=usage.ru_maxrss / 1024, status=status,
                cpu=usage.ru_utime + usage.ru_stime)
    return data


def _fingerprint() -> str:
    h = hashlib.sha256()
    # sparql/ is left out: the queries only matter to igokg build and are refreshed on every run.
    parts = [HERE / "generate.py", HERE / "replicate.py", *sorted((REPO / "ontology").glob("*")),
             *sorted((REPO / "shapes").glob("*")), *sorted((REPO / "data").glob("*")), *sorted((REPO / "seeds").glob("*.*"))]
    for p in parts:
        h.update(p.name.encode() + p.read_bytes())
    return h.hexdigest()[:16]


def set_queries(root: Path, on: bool) -> None:
    """The project's example queries in the benchmark project (the full build runs them), or none."""
    shutil.rmtree(root / "sparql", ignore_errors=True)
    if on and (REPO / "sparql").is_dir():
        shutil.copytree(REPO / "sparql", root / "sparql")


def project_for(n: int, violations: int = 0, seed: int = 1, queries: bool = False, like_real: bool = False) -> tuple[Path, int]:
    """A generated (or, `like_real`, replicated) project of n triples, reused from benchmarks/out/
    when its inputs are unchanged.

    Without `queries`, its sparql/ is empty: the naive pipeline answers no queries, and the
    compared build leaves them out (the full build puts them back).
    """
    root = OUT / (("r" if like_real else "p") + f"{n}" + (f"-v{violations}" if violations else ""))
    stamp = root / ".generated"
    fp = f"{_fingerprint()} seed={seed}"
    if stamp.is_file() and stamp.read_text().split("\n")[0] == fp:
        set_queries(root, queries)
        return root, int(stamp.read_text().split("\n")[1])
    for stale in root.parent.glob(f"{root.name}.*.json"):
        stale.unlink()  # results measured on other data
    t = time.perf_counter()
    if like_real:
        count = replicate.replicate(root, n)
    else:
        count = generate.generate(root, n, seed=seed, violations=violations)
    stamp.write_text(f"{fp}\n{count}\n")
    set_queries(root, queries)
    print(f"{'replicated' if like_real else 'generated'} {root.relative_to(REPO)}: {count} fact triples "
          f"in {time.perf_counter() - t:.1f} s", flush=True)
    return root, count


def _stage(data: dict, name: str) -> tuple[float, float] | None:
    for s, t, m, _c in data["stages"]:
        if s == name:
            return t, m
    return None


def _stage_cpu(data: dict, name: str) -> float:
    return next((c for s, _t, _m, c in data["stages"] if s == name), 0.0)


def phase_spans(phases: list) -> list[tuple[str, float, float, int]]:
    """igokg's progress messages as named spans (wall s, CPU s, peak MiB at their end)."""
    def name(msg: str) -> str:
        if msg.startswith("loading"):
            return "load"
        if msg.startswith("checking shapes"):
            return "SHACL"
        if msg.startswith("checking"):
            return "own checks"
        if msg.startswith("swapping"):
            return "swap"
        if msg.startswith("checksumming"):
            return "checksums"
        if msg.startswith("querying "):
            return "query_results"
        return msg.removeprefix("writing ").removesuffix("_dump")

    spans: list[list] = []
    for i, (t, c, msg, _m) in enumerate(phases[:-1]):
        t2, c2, _next, m2 = phases[i + 1]
        label = name(msg)
        if spans and spans[-1][0] == label:
            spans[-1][1] += t2 - t
            spans[-1][2] += c2 - c
            spans[-1][3] = m2
        else:
            spans.append([label, t2 - t, c2 - c, m2])
    return [tuple(x) for x in spans]


def query_times(phases: list) -> list[tuple[float, float, str]]:
    """Each example query's span in the build (wall s, CPU s, name): evaluation and its CSV and
    SPARQL-JSON files, from one "querying NAME" message to the next message."""
    spans = []
    for (t, c, msg, _m), (t2, c2, _n, _m2) in itertools.pairwise(phases):
        if msg.startswith("querying "):
            spans.append((t2 - t, c2 - c, msg.removeprefix("querying ")))
    return sorted(spans, reverse=True)


def print_queries(phases: list) -> float | None:
    """The slowest example queries; returns the slowest one's wall seconds."""
    spans = query_times(phases)
    if not spans:
        return None
    over = [s for s in spans if s[0] >= 1.0]
    print(f"  example queries ({len(spans)} run; wall s / CPU s, with their files): "
          + ", ".join(f"{name} {t:.2f}/{c:.2f}" for t, c, name in spans[:3])
          + f"; {len(over)} over 1 s")
    return spans[0][0]


def print_bound(floor: dict, build: dict) -> None:
    """What bounds igokg/floor, from the same run: validation is work the floor does not do, so
    the floor's own work plus validation alone is a ratio no validating build goes below; then
    what igokg spends over the floor on the floor's own jobs (load, the three dumps) and on
    what only it writes."""
    spans = {n: c for n, _t, c, _m in phase_spans(build["notes"].get("phases", []))}
    if "SHACL" not in spans or "load" not in spans:
        return
    total = _cpu(floor)
    validation = spans["SHACL"] + spans.get("own checks", 0.0)
    f_load = _stage_cpu(floor, "load")
    dumps = spans.get("ntriples", 0.0) + spans.get("turtle", 0.0) + spans.get("jsonld", 0.0)
    rest = _cpu(build) - spans["load"] - validation - dumps
    print(f"  what bounds igokg/floor: validation (SHACL {spans['SHACL']:.2f} + own checks {spans.get('own checks', 0.0):.2f}"
          f" CPU s) alone is {validation / total:.2f}x the floor, so the floor's work plus validation is already "
          f"{(total + validation) / total:.2f}x it; over the floor's own jobs igokg's load costs "
          f"{spans['load'] - f_load:+.2f} s (blank nodes named, a graph per file) and its three dumps "
          f"{dumps - (total - f_load):+.2f} s (N-Triples sorted and gzipped); what only igokg writes (VoID, search "
          f"index, schema, checksums, swap) {rest:.2f} s")


def print_phases(title: str, phases: list) -> None:
    spans = phase_spans(phases)
    if spans:
        print(f"  {title} phases (CPU s / wall s / peak MiB): "
              + ", ".join(f"{n} {c:.2f}/{t:.2f}/{m}" for n, t, c, m in spans))


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


def _cpu(d: dict) -> float:
    return sum(c for *_, c in d["stages"])


def _run(name: str, root: Path, args: argparse.Namespace, n: int, timeout: float | None = None,
         extra: list[str] = ()) -> dict:
    saved = root.parent / f"{root.name}.{name}.done.json"
    if args.reuse_naive and name.startswith("naive") and saved.is_file():
        d = json.loads(saved.read_text())
        print(f"  {name}: reused from {saved.relative_to(REPO)} ({d['status']}, {d['wall']:.1f} s)", flush=True)
        return d
    print(f"  running {name}...", end="", flush=True)
    d = run_child(name, root, timeout, list(extra))
    saved.write_text(json.dumps(d))
    print(f" {d['status']}, {d['wall']:.1f} s wall, {_cpu(d):.1f} s CPU, {d['peak_mib']:.0f} MiB", flush=True)
    if d["status"] not in ("ok", "timeout") or (not name.startswith("naive") and d["status"] != "ok"):
        raise SystemExit(f"{name} {d['status']} at {n} triples")
    return d


def _repeat(res: dict, again: dict, times: int) -> None:
    """--repeat: run these children `times` times in all, taking turns (so that a slow spell of a
    shared machine falls on each of them), and keep each one's run of median CPU time."""
    if times <= 1:
        return
    runs = {name: [res[name]] for name in again}
    for _ in range(times - 1):
        for name, run in again.items():
            runs[name].append(run())
    for name, done in runs.items():
        res[name] = sorted(done, key=_cpu)[len(done) // 2]
        print(f"  {name}: CPU s of the {len(done)} runs {', '.join(f'{_cpu(d):.2f}' for d in done)}; "
              f"the median run is the one reported", flush=True)


def bench_size(n: int, args: argparse.Namespace) -> dict:
    root, count = project_for(n, queries=False, like_real=args.like_real)
    print(f"\n== {count} fact triples ({root.relative_to(REPO)}) ==", flush=True)
    res = {"floor": _run("floor", root, args, n)}
    res["igokg-validate"] = _run("igokg-validate", root, args, n)
    extra = ["--without", args.without]
    if args.profile and n == max(args.sizes):
        extra += ["--profile-out", str(root.parent / f"{root.name}.igokg-build.prof")]
    res["igokg-build"] = _run("igokg-build", root, args, n, args.igokg_timeout, extra)
    naive = not args.without_naive
    if naive:
        res["naive-serialize"] = _run("naive-serialize", root, args, n, None,
                                      ["--no-jsonld"] if n > args.jsonld_max else [])
        res["naive-validate"] = _run("naive-validate", root, args, n, args.naive_timeout)
    def full() -> dict:
        set_queries(root, True)
        try:
            return _run("igokg-full", root, args, n, args.igokg_timeout)
        finally:
            set_queries(root, False)

    if not args.without_full:
        res["igokg-full"] = full()
    again = {"floor": lambda: _run("floor", root, args, n),
             "igokg-build": lambda: _run("igokg-build", root, args, n, args.igokg_timeout, extra)}
    if not args.without_full:
        again["igokg-full"] = full
    _repeat(res, again, args.repeat)
    if not args.without_full:  # once: the first build of a project, and what a new commit costs
        set_queries(root, True)
        try:
            res["igokg-full-clean"] = _run("igokg-full-clean", root, args, n, args.igokg_timeout)
        finally:
            set_queries(root, False)
            shutil.rmtree(root / "dist-clean", ignore_errors=True)
            os.sync()

    fl, iv, ib = res["floor"], res["igokg-validate"], res["igokg-build"]
    i_load, i_val = _stage(iv, "load")[0], _stage(iv, "validate")[0]
    i_build = _stage(ib, "build")[0]
    f_load = _stage(fl, "load")[0]
    f_ser = {s: t for s, t, *_ in fl["stages"] if s.startswith("write")}
    f_total = f_load + sum(f_ser.values())
    out = {"n": count, "igokg_total": i_build, "igokg_mem": ib["peak_mib"], "floor_total": f_total,
           "floor_mem": fl["peak_mib"], "igokg_cpu": _cpu(ib), "floor_cpu": _cpu(fl), "igokg_validate": i_load + i_val}

    if naive:
        nv, ns = res["naive-validate"], res["naive-serialize"]
        timed_out = nv["status"] == "timeout"
        parse = _stage(ns, "parse") or _stage(nv, "parse")
        naive_parse = parse[0] if parse else 0.0
        if timed_out:
            done = _stage(nv, "parse")
            naive_validate = args.naive_timeout - (done[0] if done else 0)
        else:
            naive_validate = _stage(nv, "validate")[0]
        n_ser = {s.replace("serialize ", "write "): t for s, t, *_ in ns["stages"] if s.startswith("serialize")}
        naive_total = naive_parse + naive_validate + sum(n_ser.values())
        naive_mem = max(nv["peak_mib"], ns["peak_mib"])
        # A stopped pySHACL recorded no stage: take its process's CPU time (from wait4) instead.
        naive_cpu = _cpu(ns) + (nv["cpu"] if timed_out else _cpu(nv)) - (_stage_cpu(nv, "parse") if ns["stages"] else 0)
        out.update(naive_total=naive_total, naive_mem=naive_mem, timed_out=timed_out,
                   naive_validate=naive_parse + naive_validate, naive_cpu=naive_cpu)
    else:
        timed_out, naive_parse, naive_validate, n_ser, naive_mem = False, None, None, {}, None

    def ratio(a, b, lower=False):
        return f"{'>' if lower else ''}{a / b:.1f}" if a is not None and b else "-"

    rows = [
        ("parse / load", naive_parse, f_load, i_load, False),
        ("SHACL + checks", naive_validate, None, i_val, timed_out),
        ("validate (load+SHACL)", naive_parse + naive_validate if naive else None, None, i_load + i_val, timed_out),
    ]
    for stage in ("write N-Triples", "write Turtle", "write JSON-LD"):
        rows.append((stage, n_ser.get(stage), f_ser.get(stage), None, False))
    rows.append(("validate+build (total)", out.get("naive_total"), f_total, i_build, timed_out))
    print(f"  {'stage (wall s)':26} {'naive':>9} {'floor':>8} {'igokg':>8} {'naive/igokg':>12} {'igokg/floor':>12}")
    for stage, a, f, b, lb in rows:
        print(f"  {stage:26} {fmt_t(a, lb):>9} {fmt_t(f):>8} {fmt_t(b):>8} {ratio(a, b, lb):>12} {ratio(b, f):>12}")
    print(f"  {'peak MiB':26} {naive_mem and f'{naive_mem:.0f}' or '-':>9} {fl['peak_mib']:>8.0f} {ib['peak_mib']:>8.0f}")
    print(f"  CPU seconds (the fairer figures on a shared machine): floor {out['floor_cpu']:.2f}, igokg validate+build "
          f"{out['igokg_cpu']:.2f} (igokg/floor {out['igokg_cpu'] / out['floor_cpu']:.2f})"
          + (f", naive {out['naive_cpu']:.1f}{' (timed out)' if timed_out else ''} "
             f"(naive/igokg {'>' if timed_out else ''}{out['naive_cpu'] / out['igokg_cpu']:.1f})" if naive else ""))
    print_phases("igokg build", ib["notes"].get("phases", []))
    print_bound(fl, ib)
    if naive:
        print(f"  check: {compare(res['naive-validate'], iv)}; igokg own checks: {iv['notes'].get('own_checks', 0)} finding(s)")
    if "igokg-full" in res:
        full = res["igokg-full"]
        out.update(full_cpu=_cpu(full), full_wall=_stage(full, "build")[0], full_mem=full["peak_mib"],
                   full_files=full["notes"].get("files"))
        print(f"  full default build (site, panels, example queries): {out['full_cpu']:.1f} s CPU "
              f"({full['notes'].get('sys', 0):.1f} of them in the kernel), {out['full_wall']:.1f} s wall, "
              f"{full['peak_mib']:.0f} MiB, {out['full_files']} files; "
              f"{out['full_wall'] / out['igokg_total']:.2f}x the compared build's wall time, "
              f"{out['full_cpu'] / out['igokg_cpu']:.2f}x its CPU time")
        print(f"  of its files, {full['notes'].get('linked', 0)} were the same as the previous release's and "
              f"linked from it (a rebuild of the same input)")
        print_phases("full build", full["notes"].get("phases", []))
        out["slowest_query"] = print_queries(full["notes"].get("phases", []))
    if "igokg-full-clean" in res:
        clean = res["igokg-full-clean"]
        out.update(clean_cpu=_cpu(clean), clean_wall=_stage(clean, "build")[0])
        print(f"  full default build into an empty folder (every file written; run once): {out['clean_cpu']:.1f} s CPU "
              f"({clean['notes'].get('sys', 0):.1f} of them in the kernel), {out['clean_wall']:.1f} s wall, "
              f"{clean['peak_mib']:.0f} MiB; {out['clean_wall'] / out['igokg_total']:.2f}x the compared build's wall "
              f"time, {out['clean_cpu'] / out['igokg_cpu']:.2f}x its CPU time")
    return out


def real_project() -> Path:
    """benchmarks/out/real: a copy of the repository's project folders (the children write their
    releases and results beside it, not into the repository; copied, not linked, since the
    project's checks refuse a source file that resolves outside the project)."""
    root = OUT / "real"
    for name in ("ontology", "shapes", "data", "seeds", "sparql"):
        shutil.rmtree(root / name, ignore_errors=True)
        shutil.copytree(REPO / name, root / name)
    if (REPO / ".cache" / "sources").is_dir():  # fetched files, when there is no mirror
        shutil.rmtree(root / ".cache", ignore_errors=True)
        shutil.copytree(REPO / ".cache" / "sources", root / ".cache" / "sources")
    return root


def bench_real(args: argparse.Namespace) -> dict:
    """The real-data row: the project's articles, COW IGO v3 and the Factbook."""
    from igokg.errors import MissingSource
    from igokg.sources.datasets import plan_pinned

    root = real_project()
    project = _project(root)
    from igokg.sources.pinned import locate_files

    try:
        for source in plan_pinned(project).used:
            locate_files(project, source)
    except MissingSource as e:
        raise SystemExit(f"--real needs the pinned files: {e}") from None
    print("\n== real data: the five articles, COW IGO v3 and the World Factbook appendix ==", flush=True)
    res = {"igokg-validate": _run("igokg-validate", root, args, 0)}
    res["igokg-build"] = _run("igokg-build", root, args, 0, args.igokg_timeout, ["--without", args.without])
    res["igokg-full"] = _run("igokg-full", root, args, 0, args.igokg_timeout)
    res["floor"] = _run("floor-facts", root, args, 0)
    _repeat(res, {"igokg-build": lambda: _run("igokg-build", root, args, 0, args.igokg_timeout, ["--without", args.without]),
                  "igokg-full": lambda: _run("igokg-full", root, args, 0, args.igokg_timeout),
                  "floor": lambda: _run("floor-facts", root, args, 0)}, args.repeat)
    try:  # once: the first build, every file written
        res["igokg-full-clean"] = _run("igokg-full-clean", root, args, 0, args.igokg_timeout)
    finally:
        shutil.rmtree(root / "dist-clean", ignore_errors=True)
        os.sync()
    fl, iv, ib, full = res["floor"], res["igokg-validate"], res["igokg-build"], res["igokg-full"]
    n = full["notes"].get("release_triples", 0)
    print(f"  {n} fact triples, {full['notes'].get('files')} files in the full release")
    print(f"  {'(one run)' if args.repeat <= 1 else '(median runs)':42} {'wall s':>8} {'CPU s':>8} {'peak MiB':>9}")
    for label, d in (("floor: load facts + three dumps", fl), ("igokg validate (load, import, checks)", iv),
                     ("igokg build (dumps, VoID, checksums)", ib), ("igokg build, full (site, panels, queries)", full),
                     ("  the same into an empty folder (once)", res["igokg-full-clean"])):
        print(f"  {label:42} {d['wall']:>8.1f} {_cpu(d):>8.1f} {d['peak_mib']:>9.0f}")
    print(f"  the full rebuild linked {full['notes'].get('linked', 0)} files from the previous release")
    print_phases("full build", full["notes"].get("phases", []))
    out = {"n": n, "igokg_cpu": _cpu(ib), "floor_cpu": _cpu(fl), "full_cpu": _cpu(full)}
    print(f"real data: ratio igokg/floor (CPU, compared build): {out['igokg_cpu'] / out['floor_cpu']:.2f}; "
          f"full build {out['full_cpu']:.1f} s CPU, {full['wall']:.1f} s wall, {full['peak_mib']:.0f} MiB; "
          f"into an empty folder {_cpu(res['igokg-full-clean']):.1f} s CPU, {res['igokg-full-clean']['wall']:.1f} s wall")
    return out


def planted_check(k: int, args: argparse.Namespace) -> None:
    """At 10k triples with k planted violations: both pipelines must report exactly them."""
    root, count = project_for(10000, violations=k)
    nv = run_child("naive-validate", root, args.naive_timeout)
    iv = run_child("igokg-validate", root, None)
    print(f"planted {k} violation(s) in {count} triples: {compare(nv, iv)}; igokg violations: {iv['notes'].get('violations')}",
          flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="igokg validate+build vs the floor (pyoxigraph) and rdflib -> pySHACL -> rdflib")
    ap.add_argument("--triples", type=int, default=1000000, help="size in fact triples (default 1000000)")
    ap.add_argument("--sizes", help="comma-separated sizes, e.g. 10000,100000,1000000 (overrides --triples)")
    ap.add_argument("--like-real", action="store_true",
                    help="replicate the project's real data (benchmarks/replicate.py) instead of generating data")
    ap.add_argument("--real", action="store_true",
                    help="the project's own data with COW IGO v3 and the Factbook (needs IGOKG_SOURCE_MIRROR or igokg fetch)")
    ap.add_argument("--without-naive", action="store_true", help="skip the naive pipeline (it takes most of an hour at 1M)")
    ap.add_argument("--without-full", action="store_true", help="skip the full default build (site, panels, queries)")
    ap.add_argument("--naive-timeout", type=float, default=3600, help="seconds before pySHACL is stopped (default 3600)")
    ap.add_argument("--jsonld-max", type=int, default=10**9, help="skip the naive JSON-LD above this many triples")
    ap.add_argument("--planted", type=int, default=7,
                    help="violations to plant for the agreement check at 10k (0: skip; skipped with --without-naive)")
    ap.add_argument("--reuse-naive", action="store_true",
                    help="reuse the naive pipeline's last results for the same generated project (they take long)")
    ap.add_argument("--igokg-timeout", type=float, default=None, help="seconds before an igokg build is stopped")
    ap.add_argument("--repeat", type=int, default=1,
                    help="run the floor and the two builds this many times, in turn, and report each one's median "
                         "run by CPU (a shared machine's slow spells vary a run by 10-20%%)")
    ap.add_argument("--profile", action="store_true", help="cProfile igokg build at the largest size")
    ap.add_argument("--child", choices=CHILDREN, help=argparse.SUPPRESS)
    ap.add_argument("--root", help=argparse.SUPPRESS)
    ap.add_argument("--result", help=argparse.SUPPRESS)
    ap.add_argument("--no-jsonld", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--without", default=None,
                    help="release writers the compared build leaves out (default: site,panels,wikidata_diff)")
    ap.add_argument("--profile-out", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        return child_main(args)
    if args.without is None:
        args.without = "site,panels,wikidata_diff"
    args.sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else [args.triples]
    OUT.mkdir(exist_ok=True)
    print(f"machine: {os.cpu_count()} cores, load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    if args.real:
        bench_real(args)
        return 0
    if args.planted and not args.without_naive:
        planted_check(args.planted, args)
    results = [bench_size(n, args) for n in args.sizes]
    last = results[-1]
    print(f"\nat {last['n']} triples:")
    print(f"validate only: igokg {last['igokg_validate']:.2f} s"
          + (f", naive {fmt_t(last['naive_validate'], last['timed_out'])} s" if "naive_total" in last else ""))
    print(f"peak memory: floor {last['floor_mem']:.0f} MiB, igokg {last['igokg_mem']:.0f} MiB"
          + (f", naive {last['naive_mem']:.0f} MiB" if "naive_total" in last else "")
          + (f", full default build {last['full_mem']:.0f} MiB" if "full_mem" in last else ""))
    if "full_cpu" in last:
        print(f"full default build / compared build: {last['full_wall'] / last['igokg_total']:.2f} in wall time, "
              f"{last['full_cpu'] / last['igokg_cpu']:.2f} in CPU time"
              + (f" (into an empty folder: {last['clean_wall'] / last['igokg_total']:.2f} and "
                 f"{last['clean_cpu'] / last['igokg_cpu']:.2f})" if "clean_cpu" in last else ""))
    if last.get("slowest_query") is not None:
        print(f"slowest example query (wall s, with its files): {last['slowest_query']:.2f}")
    if "naive_total" in last:
        lower = ">" if last["timed_out"] else ""
        print(f"ratio naive/igokg: {lower}{last['naive_total'] / last['igokg_total']:.1f}")
    print(f"ratio igokg/floor: {last['igokg_cpu'] / last['floor_cpu']:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
