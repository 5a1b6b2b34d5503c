"""The example queries (`sparql/*.rq`) with their results, as CSV and SPARQL-JSON.

Federated queries (SERVICE) depend on a remote service and are copied, not run: a build
never touches the network. An example query that fails stops the build.

The results are written by pyoxigraph's own serializers (CSV as RFC 4180 with CRLF, JSON
compact), straight from the query: no row becomes Python objects, so a query's cost here is
its evaluation. Each SELECT is evaluated twice, once per format, which is cheaper than
converting either output into the other in Python. A CONSTRUCT or DESCRIBE gives N-Triples in
canonical order.
"""

from __future__ import annotations

import csv
import io
import shutil

import pyoxigraph as ox

from igokg.errors import PublishError, QueryError
from igokg.query import evaluate, uses_service
from igokg.rdf import sort_ntriples
from igokg.release import Written

__all__ = ["write_query_results"]


def _records(data: bytes) -> int:
    """Rows of a SPARQL CSV result (a value may hold a line break, so lines are not rows)."""
    return sum(1 for _ in csv.reader(io.StringIO(data.decode("utf-8"), newline=""))) - 1


def write_query_results(build) -> list[Written]:
    sources, out = build.sources, build.out
    folder = out / "queries"
    folder.mkdir()
    written: list[Written] = []
    qdir = sources.project.sparql_dir
    for path in sorted(qdir.glob("*.rq")) if qdir.is_dir() else []:
        text = path.read_text(encoding="utf-8")
        shutil.copyfile(path, folder / path.name)
        written.append(Written(f"queries/{path.name}", "application/sparql-query"))
        if uses_service(text):
            build.queries[path.stem] = None  # federated: not run at build time
            continue
        shown = sources.project.relative(path)
        try:
            result = evaluate(sources.store, text, source=shown)
            if isinstance(result, ox.QueryTriples):
                nt = sort_ntriples(result.serialize(format=ox.RdfFormat.N_TRIPLES))
                (folder / f"{path.stem}.nt").write_bytes(nt)
                written.append(Written(f"queries/{path.stem}.nt", "application/n-triples"))
                build.queries[path.stem] = nt.count(b"\n")
                continue
            data = result.serialize(format=ox.QueryResultsFormat.CSV)
            (folder / f"{path.stem}.csv").write_bytes(data)
            evaluate(sources.store, text, source=shown).serialize(
                folder / f"{path.stem}.srj", ox.QueryResultsFormat.JSON)
        except QueryError as exc:
            raise PublishError(f"{exc}\n  the example query must run before a release is published") from None
        except (OSError, RuntimeError, ValueError) as exc:  # raised while the results are read
            raise PublishError(f"{shown}: {exc}\n  the example query must run before a release is published") from None
        written += [Written(f"queries/{path.stem}.csv", "text/csv"),
                    Written(f"queries/{path.stem}.srj", "application/sparql-results+json")]
        build.queries[path.stem] = _records(data) if isinstance(result, ox.QuerySolutions) else 0  # ASK: no rows
    return written
