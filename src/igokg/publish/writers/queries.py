"""The example queries (`sparql/*.rq`) with their results, as CSV and SPARQL-JSON.

Federated queries (SERVICE) depend on a remote service and are copied, not run: a build
never touches the network. An example query that fails stops the build.

A SELECT is evaluated once: pyoxigraph writes its SPARQL-JSON (compact), then reads that JSON
back and writes the CSV (RFC 4180 with CRLF), both natively.
At a million triples the listing queries take about a second each, so a second evaluation for the
CSV cost more than reading the JSON back. A CONSTRUCT or DESCRIBE gives N-Triples in canonical
order; an ASK is cheap and evaluated once per format.
"""

from __future__ import annotations

import shutil

import pyoxigraph as ox

from igokg.errors import PublishError, QueryError
from igokg.query import evaluate, uses_service
from igokg.rdf import sort_ntriples
from igokg.release import Written

__all__ = ["write_query_results"]


def _csv_from_json(data: bytes) -> tuple[bytes, int]:
    """SPARQL CSV of a SPARQL-JSON SELECT result, and its number of rows.

    pyoxigraph reads its own JSON back and writes the CSV natively (no Python object per row:
    a third of the time of the csv module at a million triples). A row ends with CRLF outside
    quotes; a quoted value may hold a line break. Split at the quotes, the pieces inside a
    quoted value are the odd ones (a doubled quote inside one adds an empty piece, which keeps
    the parity), so the rows are the CRLFs less those in the odd pieces, less the header: a
    fifth of the time of the csv module's reader on 35,000 rows."""
    table = ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON).serialize(format=ox.QueryResultsFormat.CSV)
    quoted = b'"'.join(table.split(b'"')[1::2])  # joined with a quote: no CRLF across two pieces
    rows = table.count(b"\r\n") - quoted.count(b"\r\n") - 1
    return table, max(rows, 0)


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
        build.say(f"querying {path.stem}")
        try:
            result = evaluate(sources.store, text, source=shown)
            if isinstance(result, ox.QueryTriples):
                nt = sort_ntriples(result.serialize(format=ox.RdfFormat.N_TRIPLES))
                (folder / f"{path.stem}.nt").write_bytes(nt)
                written.append(Written(f"queries/{path.stem}.nt", "application/n-triples"))
                build.queries[path.stem] = nt.count(b"\n")
                continue
            if isinstance(result, ox.QuerySolutions):
                data = result.serialize(format=ox.QueryResultsFormat.JSON)
                (folder / f"{path.stem}.srj").write_bytes(data)
                table, count = _csv_from_json(data)
                (folder / f"{path.stem}.csv").write_bytes(table)
            else:  # ASK
                (folder / f"{path.stem}.csv").write_bytes(result.serialize(format=ox.QueryResultsFormat.CSV))
                evaluate(sources.store, text, source=shown).serialize(folder / f"{path.stem}.srj", ox.QueryResultsFormat.JSON)
                count = 0
        except QueryError as exc:
            raise PublishError(f"{exc}\n  the example query must run before a release is published") from None
        except (OSError, RuntimeError, ValueError) as exc:  # raised while the results are read
            if isinstance(exc, OSError) and exc.errno is not None:
                raise  # the release's folder could not be written (a full disk): the build says so, not the query
            raise PublishError(f"{shown}: {exc}\n  the example query must run before a release is published") from None
        written += [Written(f"queries/{path.stem}.csv", "text/csv"),
                    Written(f"queries/{path.stem}.srj", "application/sparql-results+json")]
        build.queries[path.stem] = count
    return written
