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
from igokg.errors import IgokgError, PublishError, ServeError, Terminated, explain_os_error
from igokg.progress import progress_reporter
from igokg.project import Project, resolve_settings
from igokg.report import ValidationFailed

__all__ = ["main", "build_parser"]


def _project(args: argparse.Namespace) -> Project:
    project = Project.discover(args.root)
    mirror, skip = getattr(args, "mirror", None), getattr(args, "skip_source", None) or ()
    if mirror is not None or skip:
        project = project.with_sources(mirror=Path(mirror).resolve() if mirror else None, skip=skip)
    return project


def _source_options(p: argparse.ArgumentParser) -> None:
    """--mirror and --skip-source, for every command that loads the graph."""
    p.add_argument("--mirror", metavar="DIR",
                   help="folder holding the pinned dataset files (as IGOKG_SOURCE_MIRROR; default: .cache/sources/)")
    p.add_argument("--skip-source", metavar="NAME", action="append", default=[],
                   help="build without this pinned source (and the files that rest on it); repeatable, or 'all'")


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


def release_writers() -> list:
    """Every writer of a release: publish's own, and the Wikidata diff (from the cache only).

    Assembled here so that publish never imports a consumer stage.
    """
    from igokg.publish import default_writers
    from igokg.wikidata import write_wikidata_diff

    return default_writers(extra=[write_wikidata_diff])


def cmd_build(args: argparse.Namespace) -> int:
    from igokg.publish import build_release

    project = _project(args).with_out(args.out)
    with progress_reporter(project.show_progress) as say:
        try:
            release = build_release(project, release_writers(), engine=args.engine, progress=say)
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


def cmd_fetch(args: argparse.Namespace) -> int:
    from igokg.sources.fetch import fetch_sources

    project = _project(args)
    with progress_reporter(project.show_progress) as say:
        report = fetch_sources(project, args.names, timeout=args.timeout, progress=say)
    sys.stdout.write(report.to_text())
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
    _source_options(p)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("build", help="validate, then write the release (dumps, VoID, checksums, query results, site)")
    p.add_argument("--out", metavar="DIR", help="release folder (default: dist/)")
    p.add_argument("--engine", choices=("fast", "pyshacl"), default="fast", help="SHACL engine")
    _source_options(p)
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("query", help="run SPARQL on the graph")
    p.add_argument("query", metavar="QUERY|FILE", help="a SPARQL query, or a .rq file")
    p.add_argument("--format", choices=("table", "csv", "tsv", "json"), default="table")
    _source_options(p)
    p.set_defaults(func=cmd_query)

    p = sub.add_parser("fetch", help="download the pinned dataset files that are missing into .cache/sources/, checksums verified")
    p.add_argument("names", nargs="*", metavar="NAME", help="pinned sources to fetch (default: all; see seeds/datasets.ttl)")
    p.add_argument("--mirror", metavar="DIR", help="a folder that already holds files (as IGOKG_SOURCE_MIRROR): nothing to download from it")
    p.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS", help="per download (default: 60)")
    p.set_defaults(func=cmd_fetch)

    for register in _EXTENSIONS:
        register(sub)
    return parser


#: Commands of the consumer stages (serve, wikidata, push, export) add themselves here.
_EXTENSIONS: list[Callable[[argparse._SubParsersAction], None]] = []


# --------------------------------------------------------------------------- serve


def ensure_release(project: Project, progress: Callable[[str], None] | None = None) -> Path:
    """The release folder, built first (as `igokg build` would) when it is missing."""
    from igokg.publish import build_release
    from igokg.release import DUMP_NAME

    release = project.release_dir
    if not (release / DUMP_NAME).is_file():
        if progress:
            progress(f"no release in {project.relative(release)}: building it first")
        build_release(project, release_writers(), progress=progress)
    if not (release / DUMP_NAME).is_file():
        raise PublishError(f"{project.relative(release)} has no {DUMP_NAME}; run igokg build")
    return release


def cmd_serve(args: argparse.Namespace) -> int:
    from igokg.serve import ServeSettings, create_app, run_server

    project = _project(args).with_out(args.out)
    settings = ServeSettings(host=args.host, port=args.port, timeout=args.timeout,
                             service_endpoints=tuple(args.allow_service or ()),
                             **({"workers": args.workers} if args.workers else {}),
                             **({"per_client": args.per_client} if args.per_client else {}),
                             **({"queue": args.queue} if args.queue is not None else {}),
                             **({"cache_bytes": 0} if args.no_cache else {}),
                             **({"assets": Path(args.assets)} if args.assets else {}))
    if not 0 <= args.port <= 65535:  # before any build: the answer is the same either way
        raise ServeError(f"--port {args.port} is not a port number: use 1-65535 (or 0 for any free port)")
    if settings.assets is not None:  # a wrong folder is told before a build, not after
        from igokg.serve.assets import editor_assets

        editor_assets(settings.assets)
    with progress_reporter(project.show_progress) as say:
        release = ensure_release(project, say)
    app = create_app(release, settings)

    def ready(url: str) -> None:
        print(serve_banner(str(project.relative(release)), app.triples, url), flush=True)

    run_server(app, settings, on_ready=ready)
    return 0


def serve_banner(release: str, triples: int, url: str) -> str:
    """What `igokg serve` says once it answers (the README shows it, generated from here)."""
    return (f"igokg: serving {release} ({triples} triples: the facts and the ontology) at {url}\n"
            f"  query editor and SPARQL endpoint {url}sparql · search {url}search · entities {url}id/<slug> · "
            f"Ctrl-C stops")


def register_serve(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="serve the release: SPARQL endpoint, entity pages by content negotiation, downloads")
    p.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    p.add_argument("--out", metavar="DIR", help="release folder to serve (default: dist/; built first when missing)")
    p.add_argument("--timeout", type=float, default=5.0, metavar="SECONDS",
                   help="run-time limit per query; waiting in the queue does not count (default: 5)")
    p.add_argument("--workers", type=int, default=0, metavar="N", help="serving processes (default: two per CPU, at least 2)")
    p.add_argument("--per-client", type=int, default=0, metavar="N",
                   help="queries one client (IP) may run at once, per process (default: 2)")
    p.add_argument("--queue", type=int, default=None, metavar="N",
                   help="queries that may wait for a slot, per process; past it 503 + Retry-After (default: 64)")
    p.add_argument("--no-cache", action="store_true", help="do not cache query results")
    p.add_argument("--assets", metavar="DIR",
                   help="serve the query editor's files (YASGUI, from npm: node_modules/@zazuko/yasgui/build) "
                        "from DIR instead of a public CDN, for offline use")
    p.add_argument("--allow-service", action="append", metavar="ENDPOINT",
                   help="let SERVICE (federated queries) call this endpoint; repeatable. Without it every SERVICE "
                        "is refused: the server would fetch URLs that clients name")
    p.set_defaults(func=cmd_serve)


_EXTENSIONS.append(register_serve)

# --------------------------------------------------------------------------- wikidata


def _wikidata_client(args: argparse.Namespace, project: Project):
    from igokg.wikidata import WikidataClient

    cache = None if args.no_cache else project.cache_dir / "wikidata"
    return WikidataClient(endpoint=args.endpoint, cache_dir=cache, refresh=args.refresh, timeout=args.timeout,
                          contact=project.settings.wikidata_contact)


def cmd_wikidata(args: argparse.Namespace) -> int:
    from igokg.sources import load_sources
    from igokg.wikidata import (
        check_links,
        diff_statements,
        quickstatements,
        write_report,
    )

    project = _project(args)
    client = _wikidata_client(args, project)
    with progress_reporter(project.show_progress) as say:
        sources = load_sources(project, say)
        say(f"asking {client.endpoint}")
        if args.wikidata_command == "check":
            report = check_links(sources, client)
            code = 0 if report.ok else 1
        elif args.wikidata_command == "diff":
            report, code = diff_statements(sources, client), 0
        else:
            report, code = quickstatements(sources, client), 0
    # Everything is fetched before anything is written: a failure leaves no file behind.
    if args.out:
        name = {"check": "check", "diff": "diff", "quickstatements": "quickstatements"}[args.wikidata_command]
        for path in write_report(report, Path(args.out), name):
            print(f"wrote {path}", file=sys.stderr)
    fmt = args.format
    if fmt == "csv":
        sys.stdout.write(report.to_csv())
    elif fmt == "json":
        sys.stdout.write(report.to_json())
    elif fmt == "qs" or (fmt is None and args.wikidata_command == "quickstatements"):
        sys.stdout.write(report.to_quickstatements())
    else:
        sys.stdout.write(report.to_table())
    if args.wikidata_command == "quickstatements" and fmt in (None, "qs") and getattr(report, "skipped", None):
        print(f"igokg: {len(report.skipped)} fact(s) held back (see --format table)", file=sys.stderr)
    return code


def register_wikidata(sub: argparse._SubParsersAction) -> None:
    from igokg.wikidata import DEFAULT_ENDPOINT

    p = sub.add_parser("wikidata", help="check our Wikidata links, compare statements, export QuickStatements")
    wsub = p.add_subparsers(dest="wikidata_command", metavar="WIKIDATA_COMMAND", required=True)
    helps = {
        "check": "check every owl:sameAs QID: exists, not merged, label and type fit (exit 1 on a mismatch)",
        "diff": "lay Wikidata's statements on our organizations beside ours",
        "quickstatements": "our facts Wikidata lacks, as QuickStatements v1 commands",
    }
    for name, text in helps.items():
        q = wsub.add_parser(name, help=text)
        q.add_argument("--endpoint", metavar="URL", default=DEFAULT_ENDPOINT, help=f"SPARQL endpoint (default: {DEFAULT_ENDPOINT})")
        formats = ("table", "csv", "json", "qs") if name == "quickstatements" else ("table", "csv", "json")
        q.add_argument("--format", choices=formats, default=None, help="output on the terminal (default: " + ("qs, the commands" if name == "quickstatements" else "table") + ")")
        q.add_argument("--out", metavar="DIR", help=f"also write {name}.csv and {name}.json" + (" and quickstatements.txt" if name == "quickstatements" else "") + " into DIR")
        q.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS", help="the most a request may take, in all (default: 60)")
        cache = q.add_mutually_exclusive_group()
        cache.add_argument("--no-cache", action="store_true", help="neither read nor write the answer cache (.cache/wikidata)")
        cache.add_argument("--refresh", action="store_true", help="ask the service again and replace the cached answers")
        q.set_defaults(func=cmd_wikidata)


_EXTENSIONS.append(register_wikidata)


# --------------------------------------------------------------------------- export panels


def _export_subparsers(sub: argparse._SubParsersAction) -> argparse._SubParsersAction:
    """The subcommands of `igokg export`, shared by every exporter that registers one."""
    parser = sub.choices.get("export")
    if parser is None:
        parser = sub.add_parser("export", help="write the graph in formats for other tools (panels…)")
        return parser.add_subparsers(dest="export_what", metavar="WHAT", required=True)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    raise RuntimeError("igokg export has no subcommands")  # pragma: no cover


def cmd_export_panels(args: argparse.Namespace) -> int:
    from igokg.publish.panels import compute_panels, cow_agreement, write_panel_files
    from igokg.sources import load_sources

    project = _project(args)
    with progress_reporter(project.show_progress) as say:
        sources = load_sources(project, say)
        panels = compute_panels(sources.store, args.year_from, args.year_to)
        say("comparing with COW's own coding")
        agreement = cow_agreement(panels, sources)
    paths = write_panel_files(panels, Path(args.out), agreement)
    sys.stdout.write(
        f"panels {panels.years[0]}-{panels.years[-1]}: {len(panels.igos)} IGOs x {len(panels.states)} states x "
        f"{len(panels.years)} years, {panels.coded_cells} coded cells, {len(panels.evidence)} evidence rows\n"
    )
    if agreement is not None:
        coded, same = agreement.coded()
        sys.stdout.write(f"against COW's igo_year_format3: {agreement.agreeing} of {agreement.total} cells agree; "
                         f"of the {coded} cells COW codes 0-3, {same} the same (panels/cow_agreement.csv)\n")
    for path in paths:
        sys.stdout.write(f"  {path}\n")
    return 0


# A panel's years: the sources' years with room on either side. Every cell outside the sources'
# years is -9, and the tables are written row by row, so a span of thousands of years would fill
# a disk with -9s; a year outside this range is refused before anything is loaded.
PANEL_YEARS = (1700, 2100)


def _panel_year(text: str) -> int:
    try:
        year = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a year") from None
    lo, hi = PANEL_YEARS
    if not lo <= year <= hi:
        raise argparse.ArgumentTypeError(f"{year} is outside {lo}-{hi} (the panels' years; every cell "
                                         "outside the sources' years would be -9)")
    return year


def register_export_panels(sub: argparse._SubParsersAction) -> None:
    p = _export_subparsers(sub).add_parser(
        "panels", help="membership panels in the Correlates of War IGO layout (CSV + CSVW metadata)"
    )
    p.add_argument("--from", dest="year_from", type=_panel_year, metavar="YEAR", help="first year (default: earliest evidence)")
    p.add_argument("--to", dest="year_to", type=_panel_year, metavar="YEAR", help="last year (default: latest evidence)")
    p.add_argument("--out", metavar="DIR", default=".", help="folder to write panels/ into (default: the current one)")
    _source_options(p)
    p.set_defaults(func=cmd_export_panels)


_EXTENSIONS.append(register_export_panels)


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
    except Terminated as exc:
        print(f"igokg: stopped by signal {exc.signum}; what was half-written was removed", file=sys.stderr)
        return 128 + exc.signum
    except BrokenPipeError:  # `igokg query ... | head`
        try:
            sys.stdout = open("/dev/null", "w")  # noqa: SIM115 - silence the flush at exit
        except OSError:
            pass
        return 0
    except OSError as exc:  # the library names its own files; this is the net for what it did not foresee
        print(f"igokg: {explain_os_error(exc)}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())


# --------------------------------------------------------------------------- push


def cmd_push(args: argparse.Namespace) -> int:
    from igokg.push import auth_from_settings, push_release

    try:
        project = _project(args).with_out(args.out)
        release_dir, show_progress, settings = project.release_dir, project.show_progress, project.settings
    except IgokgError:
        if args.out is None:
            raise
        # A downloaded release needs no checkout around it.
        release_dir, settings = Path(args.out), resolve_settings()
        show_progress = sys.stderr.isatty() and not settings.ci
    with progress_reporter(show_progress) as say:
        report = push_release(
            release_dir,
            args.endpoint,
            graph=args.graph,
            update_endpoint=args.update_endpoint,
            gsp_endpoint=args.gsp_endpoint,
            auth=auth_from_settings(settings),
            dry_run=args.dry_run,
            progress=say,
            chunk_triples=args.chunk_triples,
        )
    sys.stdout.write(report.to_json() if args.format == "json" else report.to_text())
    return 0


def register_push(sub: argparse._SubParsersAction) -> None:
    from igokg.push import CHUNK_TRIPLES, DEFAULT_GRAPH

    p = sub.add_parser(
        "push",
        help="load the release into a SPARQL store (Graph Store Protocol upload, verified, swapped atomically)",
        description="Upload the release's dump into a staging graph, check its size against VoID, then replace "
        "the target graph in one SPARQL Update. Credentials: IGOKG_PUSH_USER + IGOKG_PUSH_PASSWORD "
        "(IGOKG_PUSH_AUTH=basic|digest) or IGOKG_PUSH_TOKEN (bearer).",
    )
    p.add_argument("--endpoint", required=True, metavar="URL", help="SPARQL query endpoint (Oxigraph http://host:7878/query)")
    p.add_argument("--graph", metavar="IRI", help=f"target named graph (default: {DEFAULT_GRAPH})")
    p.add_argument("--update-endpoint", metavar="URL", help="SPARQL Update endpoint (default: derived from --endpoint)")
    p.add_argument("--gsp-endpoint", metavar="URL", help="Graph Store Protocol endpoint (default: derived from --endpoint)")
    p.add_argument("--dry-run", action="store_true", help="print the plan and change nothing")
    p.add_argument("--out", metavar="DIR", help="release folder (default: dist/)")
    p.add_argument("--chunk-triples", type=int, default=CHUNK_TRIPLES, metavar="N", help="triples per upload request")
    p.add_argument("--format", choices=("text", "json"), default="text", help="report format")
    p.set_defaults(func=cmd_push)


_EXTENSIONS.append(register_push)
