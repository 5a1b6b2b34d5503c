"""The example queries (`sparql/*.rq`) with their results, as CSV and SPARQL-JSON.

Federated queries (SERVICE) depend on a remote service and are copied, not run: a build
never touches the network. An example query that fails stops the build.
"""

from __future__ import annotations

import shutil

from igokg.errors import PublishError, QueryError
from igokg.query import render, run_query, uses_service
from igokg.release import Written

__all__ = ["write_query_results"]


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
        try:
            result = run_query(sources.store, text, source=sources.project.relative(path))
        except QueryError as exc:
            raise PublishError(f"{exc}\n  the example query must run before a release is published") from None
        if result.kind == "graph":
            (folder / f"{path.stem}.nt").write_text(render(result, "csv"), encoding="utf-8")
            written.append(Written(f"queries/{path.stem}.nt", "application/n-triples"))
            build.queries[path.stem] = len(result.triples)
            continue
        (folder / f"{path.stem}.csv").write_text(render(result, "csv"), encoding="utf-8", newline="")
        (folder / f"{path.stem}.srj").write_text(render(result, "json"), encoding="utf-8")
        written += [Written(f"queries/{path.stem}.csv", "text/csv"),
                    Written(f"queries/{path.stem}.srj", "application/sparql-results+json")]
        build.queries[path.stem] = len(result.rows)
    return written
