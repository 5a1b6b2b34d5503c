"""Release writer: where the sources disagree — conflicts.csv and conflicts.json.

Input: the built graph and `sparql/conflicts.rq` (the report's one definition, also an example
query). Output: one row per disagreement: its kind, what it is about, both claims with their
values and sources, and the preferred claim with the rule that prefers it, where one does.
Sorted by the query, so a rebuild gives the same bytes.
"""

from __future__ import annotations

import csv
import io
import json

from igokg.errors import PublishError, QueryError
from igokg.namespaces import compact
from igokg.query import run_query
from igokg.release import Written

__all__ = ["write_conflicts", "conflict_rows", "CONFLICTS_QUERY"]

CONFLICTS_QUERY = "conflicts.rq"


def _text(term) -> str:  # noqa: ANN001 - a pyoxigraph term or None
    if term is None:
        return ""
    value = term.value
    return compact(value) if value.startswith("http") and " " not in value else value


def conflict_rows(sources) -> tuple[list[str], list[list]] | None:
    """The report's variables and rows (pyoxigraph terms, None where unbound), from
    `sparql/conflicts.rq` run on the sources; None when the project has no such query."""
    project = sources.project
    path = project.sparql_dir / CONFLICTS_QUERY
    if not path.is_file():
        return None
    try:
        result = run_query(sources.store, path.read_text(encoding="utf-8"), source=project.relative(path))
    except QueryError as exc:
        raise PublishError(f"{exc}\n  the conflicts report must run before a release is published") from None
    return result.variables, result.rows


def write_conflicts(build) -> list[Written]:
    found = conflict_rows(build.sources)
    if found is None:
        return []
    variables, result_rows = found
    rows = [[_text(t) for t in row] for row in result_rows]
    rows = [[" ".join(compact(x) for x in cell.split()) if cell.startswith("http") else cell for cell in row] for row in rows]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(variables)
    writer.writerows(rows)
    (build.out / "conflicts.csv").write_text(buf.getvalue(), encoding="utf-8", newline="")
    records = [dict(zip(variables, row)) for row in rows]
    doc = {"description": "Where the sources disagree: both claims, their sources, and the preferred one with its rule",
           "query": f"queries/{CONFLICTS_QUERY}", "conflicts": records}
    (build.out / "conflicts.json").write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return [
        Written("conflicts.csv", "text/csv", "Where the sources disagree (both claims, sources, preferred claim and rule)", distribution=True),
        Written("conflicts.json", "application/json", "Where the sources disagree, as JSON", distribution=True),
    ]
