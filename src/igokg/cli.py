"""The command line: parse arguments, call one library function, render its result.

Exit codes: 0 success (warnings allowed), 1 the input is usable but wrong
(violations, mismatches), 2 the input cannot be used (bad Turtle, bad query, bad
arguments). Every `IgokgError` is caught here, once, and printed without a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable, Sequence

from igokg import __version__
from igokg.errors import IgokgError, ValidationFailed
from igokg.progress import progress_reporter
from igokg.project import Project

__all__ = ["main", "build_parser"]


def _project(args: argparse.Namespace) -> Project:
    return Project.discover(args.root)


# --------------------------------------------------------------------------- commands


def cmd_validate(args: argparse.Namespace) -> int:
    from igokg.sources import load_sources
    from igokg.validate import validate_graph

    project = _project(args)
    with progress_reporter(project.show_progress) as say:
        sources = load_sources(project, say)
        report = validate_graph(sources, engine=args.engine, progress=say)
    if args.format == "json":
        sys.stdout.write(report.to_json())
    elif args.format == "rdf":
        sys.stdout.write(report.to_rdf())
    else:
        sys.stdout.write(report.to_text(min_severity="Info" if args.verbose else "Violation" if args.quiet else "Warning"))
    return 0 if report.conforms else 1


def cmd_build(args: argparse.Namespace) -> int:
    from igokg.publish import build_release

    project = _project(args).with_out(args.out)
    with progress_reporter(project.show_progress) as say:
        try:
            release = build_release(project, engine=args.engine, progress=say)
        except ValidationFailed as exc:
            sys.stdout.write(exc.report.to_text(min_severity="Violation"))
            raise
    sys.stdout.write(release.summary())
    return 0


def cmd_query(args: argparse.Namespace) -> int:
    from igokg.query import read_query, render, run_query
    from igokg.sources import load_sources

    text, source = read_query(args.query)
    project = _project(args)
    with progress_reporter(project.show_progress) as say:
        sources = load_sources(project, say)
        result = run_query(sources.store, text, source=source)
    sys.stdout.write(render(result, args.format))
    return 0


# --------------------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="igokg",
        description="The open knowledge graph of intergovernmental organizations: validate, build, query and serve it.",
    )
    parser.add_argument("--version", action="version", version=f"igokg {__version__}")
    parser.add_argument("--root", metavar="DIR", help="project folder (default: the one holding the current directory)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("validate", help="check the data against the shapes and the project's own rules")
    p.add_argument("--engine", choices=("fast", "pyshacl"), default="fast", help="SHACL engine (same results; fast is the default)")
    p.add_argument("--format", choices=("text", "json", "rdf"), default="text", help="report format")
    p.add_argument("-v", "--verbose", action="store_true", help="also show notes (QIDs to verify)")
    p.add_argument("-q", "--quiet", action="store_true", help="show violations only")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("build", help="validate, then write the release (dumps, VoID, checksums, query results, site)")
    p.add_argument("--out", metavar="DIR", help="release folder (default: dist/)")
    p.add_argument("--engine", choices=("fast", "pyshacl"), default="fast", help="SHACL engine")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("query", help="run SPARQL on the graph")
    p.add_argument("query", metavar="QUERY|FILE", help="a SPARQL query, or a .rq file")
    p.add_argument("--format", choices=("table", "csv", "tsv", "json"), default="table")
    p.set_defaults(func=cmd_query)

    for register in _EXTENSIONS:
        register(sub)
    return parser


#: Commands of the consumer stages (serve, wikidata, push, export) add themselves here.
_EXTENSIONS: list[Callable[[argparse._SubParsersAction], None]] = []


# --------------------------------------------------------------------------- serve


def cmd_serve(args: argparse.Namespace) -> int:
    from igokg.serve import ServeSettings, create_app, ensure_release, run_server

    project = _project(args).with_out(args.out)
    settings = ServeSettings(host=args.host, port=args.port, timeout=args.timeout, base_iri=project.base_iri,
                             **({"workers": args.workers} if args.workers else {}),
                             **({"cache_bytes": 0} if args.no_cache else {}))
    with progress_reporter(project.show_progress) as say:
        release = ensure_release(project, say)
    app = create_app(release, settings)

    def ready(url: str) -> None:
        print(f"igokg: serving {project.relative(release)} ({app.triples} triples) at {url}", flush=True)
        print(f"  SPARQL endpoint {url}sparql · entities {url}id/<slug> · ontology {url}ontology · Ctrl-C stops", flush=True)

    run_server(app, settings, on_ready=ready)
    return 0


def register_serve(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="serve the release: SPARQL endpoint, entity pages by content negotiation, downloads")
    p.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    p.add_argument("--out", metavar="DIR", help="release folder to serve (default: dist/; built first when missing)")
    p.add_argument("--timeout", type=float, default=5.0, metavar="SECONDS", help="time limit per query (default: 5)")
    p.add_argument("--workers", type=int, default=0, metavar="N", help="query worker processes (default: CPUs, at least 2)")
    p.add_argument("--no-cache", action="store_true", help="do not cache query results")
    p.set_defaults(func=cmd_serve)


_EXTENSIONS.append(register_serve)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except IgokgError as exc:
        print(f"igokg: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("igokg: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `igokg query ... | head`
        try:
            sys.stdout = open("/dev/null", "w")  # noqa: SIM115 - silence the flush at exit
        except OSError:
            pass
        return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
