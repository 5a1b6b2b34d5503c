"""Search and entity descriptions at the dataset's size: build the index, time queries and CBDs.

    python benchmarks/search.py [--triples 200000] [--queries 2000]

Generates a project with `benchmarks/generate.py` (states, organizations, persons, events,
memberships in the project's model), loads its facts, writes `search.sqlite` with the release
writer's own functions, then times (wall and CPU seconds, side by side):

* building the index (entries from the facts, FTS5 insert, optimize, vacuum);
* `SearchIndex.search` for names, abbreviations, word starts and misses, as `/search` runs it;
* `igokg.describe` for every entity (what serve answers for `/id/<slug>.nt`).

The machine is shared: read CPU seconds beside wall time.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

import pyoxigraph as ox

from igokg.describe import describe
from igokg.namespaces import ID
from igokg.project import Project
from igokg.publish.writers.search import search_entries, write_search_index
from igokg.serve.search import SearchIndex
from igokg.sources import fact_triples, load_sources


def timed(fn):
    w, c = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - w, time.process_time() - c


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--triples", type=int, default=200_000)
    ap.add_argument("--queries", type=int, default=2000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="igokg-search-bench-") as tmp:
        project_dir = Path(tmp) / "p"
        subprocess.run([sys.executable, str(REPO / "benchmarks" / "generate.py"), "--triples", str(args.triples),
                        "--out", str(project_dir)], check=True, capture_output=True)
        sources = load_sources(Project.discover(project_dir, interactive=False))
        facts = sorted(set(fact_triples(sources)), key=str)
        entries, w1, c1 = timed(lambda: search_entries(facts, {}))
        _, w2, c2 = timed(lambda: write_search_index(entries, Path(tmp) / "search.sqlite"))
        size = (Path(tmp) / "search.sqlite").stat().st_size
        kinds: dict[str, int] = {}
        for e in entries:
            kinds[e.kind] = kinds.get(e.kind, 0) + 1
        index = SearchIndex(Path(tmp))
        rnd = random.Random(7)
        sample = rnd.sample(entries, min(len(entries), args.queries // 4))
        typed = ([e.name for e in sample] + [a for e in sample for a in e.abbreviations][: len(sample)]
                 + [e.name.split()[0][:4] for e in sample] + ["zzzzzz qqqq"] * len(sample))
        found, w3, c3 = timed(lambda: [index.search(q) for q in typed])
        first = sum(1 for q, hits in zip(typed[: len(sample)], found) if hits and hits[0].name == q)

        store = ox.Store()
        store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in facts)
        entities = sorted({t.subject.value for t in facts if t.subject.value.startswith(ID) and "#" not in t.subject.value})
        cache: dict = {}
        sizes, w4, c4 = timed(lambda: [len(describe(store, iri, cache)) for iri in entities])

    top = ", ".join(f"{k or '?'} {n}" for k, n in sorted(kinds.items(), key=lambda kv: -kv[1])[:6])
    print(f"facts {len(facts)}, named entities indexed {len(entries)} ({top})")
    print(f"{'step':42} {'wall s':>8} {'CPU s':>8} {'per item':>12}")
    print(f"{'index entries from the facts':42} {w1:8.3f} {c1:8.3f} {1e6 * w1 / max(1, len(entries)):9.1f} µs")
    print(f"{'FTS5 insert + optimize + vacuum':42} {w2:8.3f} {c2:8.3f} {1e6 * w2 / max(1, len(entries)):9.1f} µs   ({size / 1e6:.1f} MB)")
    print(f"{'search, ' + str(len(typed)) + ' queries':42} {w3:8.3f} {c3:8.3f} {1e6 * w3 / len(typed):9.1f} µs")
    print(f"{'describe (CBD), ' + str(len(entities)) + ' entities':42} {w4:8.3f} {c4:8.3f} {1e6 * w4 / max(1, len(entities)):9.1f} µs"
          f"   (mean {sum(sizes) / max(1, len(sizes)):.0f} triples, max {max(sizes, default=0)})")
    print(f"exact name ranked first: {first} of {len(sample)}")


if __name__ == "__main__":
    main()
