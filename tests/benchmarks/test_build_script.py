"""The build benchmark's real-data row stops clearly without the pinned files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "build.py"


@pytest.mark.skipif((ROOT / ".cache" / "sources").is_dir(), reason="this clone has fetched the pinned files (.cache/sources)")
def test_the_real_row_without_the_pinned_files_stops_with_one_line_naming_how_to_supply_them(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "IGOKG_SOURCE_MIRROR": str(tmp_path / "empty-mirror")}
    (tmp_path / "empty-mirror").mkdir()
    run = subprocess.run([sys.executable, str(SCRIPT), "--real"], env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode != 0 and "Traceback" not in run.stderr
    first = run.stderr.strip().splitlines()[0]
    assert first.startswith("--real needs the pinned files: source cow-igo-v3:")
    assert "IGOKG_SOURCE_MIRROR" in run.stderr



def test_each_example_query_is_timed_from_the_builds_progress_messages():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import build as bench

    # (wall s, CPU s, message, peak MiB) as the benchmark's child records igokg's progress
    phases = [[0.0, 0.0, "writing query_results", 100], [0.1, 0.1, "querying cq01", 100],
              [0.3, 0.25, "querying showcase", 100], [1.8, 1.6, "writing search", 120], [2.0, 1.8, "done", 120]]
    got = bench.query_times(phases)
    assert [name for *_t, name in got] == ["showcase", "cq01"]  # slowest first
    assert [t for t, _c, _n in got] == pytest.approx([1.5, 0.2])
    spans = dict((name, (t, c)) for name, t, c, _m in bench.phase_spans(phases))
    assert spans["query_results"] == pytest.approx((1.8, 1.6))  # the queries stay in their writer's phase


def test_repeated_runs_take_turns_and_keep_each_ones_median_run(capsys):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import build as bench

    order, cpus = [], {"floor": iter([7.0, 9.0]), "igokg-build": iter([30.0, 20.0])}

    def run(name):
        def again():
            order.append(name)
            return {"stages": [["build", 1.0, next(cpus[name])]], "name": name}
        return again

    res = {"floor": {"stages": [["build", 1.0, 8.0]]}, "igokg-build": {"stages": [["build", 1.0, 25.0]]}}
    bench._repeat(res, {"floor": run("floor"), "igokg-build": run("igokg-build")}, 3)
    assert order == ["floor", "igokg-build", "floor", "igokg-build"]  # in turns, not one child's runs in a row
    assert bench._cpu(res["floor"]) == 8.0 and bench._cpu(res["igokg-build"]) == 25.0  # the medians
    assert "CPU s of the 3 runs 8.00, 7.00, 9.00" in capsys.readouterr().out
    res_once = {"floor": {"stages": [["build", 1.0, 8.0]]}}
    bench._repeat(res_once, {"floor": run("floor")}, 1)
    assert order == ["floor", "igokg-build", "floor", "igokg-build"]  # one run: nothing run again


def test_the_bound_line_adds_validation_to_the_floor_and_splits_the_rest_by_job(capsys):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import build as bench

    floor = {"stages": [["load", 4.0, 390, 4.0], ["write N-Triples", 1.0, 390, 1.0], ["write Turtle", 1.0, 390, 1.0],
                        ["write JSON-LD", 1.0, 390, 1.0]]}  # 7 CPU s
    # (wall s, CPU s, message, peak MiB): load 6, SHACL 4, own checks 3, dumps 4.5, the rest 1.5
    marks = [(0, "loading sources"), (6, "checking shapes"), (10, "checking quotes"), (13, "writing ntriples_dump"),
             (15, "writing turtle_dump"), (16.5, "writing jsonld_dump"), (17.5, "writing void"), (19, "done")]
    build = {"stages": [["build", 19.0, 900, 19.0]], "notes": {"phases": [[c, c, m, 900] for c, m in marks]}}
    bench.print_bound(floor, build)
    out = capsys.readouterr().out
    assert "validation (SHACL 4.00 + own checks 3.00 CPU s) alone is 1.00x the floor" in out
    assert "the floor's work plus validation is already 2.00x it" in out
    assert "igokg's load costs +2.00 s" in out and "its three dumps +1.50 s" in out
    assert "(VoID, search index, schema, checksums, swap) 1.50 s" in out
    bench.print_bound(floor, {"stages": [["build", 1.0, 9, 1.0]], "notes": {}})  # no phases recorded: no line
    assert capsys.readouterr().out == ""
