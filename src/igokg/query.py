"""Stage: query. SPARQL on the embedded store, with results as data and as text.

Input: a pyoxigraph store (the loaded sources, or a loaded release) and a query
(text or a `.rq` file). Output: a `QueryResult` that renders as a table, CSV, TSV,
SPARQL-JSON (and Turtle / N-Triples for CONSTRUCT and DESCRIBE).

A query that does not parse raises `QueryError` with the parser's own message and
its line and column, so `igokg query` can say where the mistake is.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from igokg.errors import QueryError
from igokg.namespaces import PREFIXES, compact

__all__ = [
    "QueryResult",
    "run_query",
    "evaluate",
    "render",
    "read_query",
    "uses_service",
    "service_endpoints",
    "query_title",
    "FORMATS",
]

FORMATS = ("table", "csv", "tsv", "json")

#: A bare word SERVICE, not part of a variable (?service), a prefixed name (ex:service) or a longer word.
_SERVICE_WORD = re.compile(r"(?<![?$:\w\-])service(?![\w:\-])", re.I)
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_PN_LOCAL_ESCAPE = re.compile(r"\\([_~.\-!$&'()*+,;=/?#@%])")


@dataclass
class QueryResult:
    kind: str  # "select" | "ask" | "graph"
    variables: list[str] = field(default_factory=list)
    rows: list[list[ox.NamedNode | ox.BlankNode | ox.Literal | None]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)

    def values(self, var: str) -> list[str]:
        """The lexical values of one column (IRIs as IRIs, literals as their text)."""
        i = self.variables.index(var)
        return [row[i].value for row in self.rows if row[i] is not None]


def read_query(arg: str) -> tuple[str, str]:
    """A query given on the command line: a path to a file, or the query text itself."""
    path = Path(arg)
    if len(arg) < 4096 and "\n" not in arg and path.suffix in (".rq", ".sparql", ".txt") or (len(arg) < 4096 and path.is_file()):
        try:
            return path.read_text(encoding="utf-8"), str(arg)
        except (OSError, UnicodeDecodeError) as exc:
            raise QueryError(f"cannot read query file: {exc}", source=str(arg)) from None
    return arg, "query"


def uses_service(text: str) -> bool:
    """Whether a query federates: a SERVICE pattern anywhere in its parsed form.

    Decided on the parse tree, never on the text: the word in a comment, a string, an IRI
    or a variable (`?service`) does not count; a SERVICE in a subquery, `EXISTS`,
    `OPTIONAL` or `UNION` does. A query the parser cannot read is treated as federating
    when the bare word SERVICE appears in it (the safe side).
    """
    return bool(service_endpoints(text))


def service_endpoints(text: str) -> list[str | None]:
    """The endpoints of every SERVICE pattern in the query, in order (None: a variable).

    SPARQL's `\\u` codepoint escapes are decoded first (the grammar applies after them, so
    `\\u0053ERVICE` is SERVICE). A query without the letters "service" cannot federate and
    is not parsed; any other is parsed by tree-sitter's SPARQL 1.1 grammar (compiled C,
    some 10-50 µs a query). Prefixed names are resolved with the query's own PREFIX and
    BASE declarations; a query with a syntax error that still holds the bare word SERVICE
    yields `[None]` (unknown endpoint), so callers refuse it.
    """
    text = _CODEPOINT.sub(_codepoint, text)
    if "service" not in text.lower():
        return []
    tree = _sparql_parser().parse(text.encode("utf-8"))
    found: list[str | None] = []
    prefixes: dict[str, str] = {}
    base = ""
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        kind = node.type
        if kind == "base_declaration":
            iri = _child(node, "iri_reference")
            base = _iri(iri, "") if iri is not None else base
        elif kind == "prefix_declaration":
            ns, iri = _child(node, "namespace"), _child(node, "iri_reference")
            if ns is not None and iri is not None:
                prefixes[_text(ns).rstrip(":")] = _iri(iri, base)
        elif kind == "service_graph_pattern":
            found.append(_service_target(node, prefixes, base))
        stack.extend(reversed(node.children))
    if not found and tree.root_node.has_error and _SERVICE_WORD.search(_without_literals(text)):
        found.append(None)
    return found


def _codepoint(m: re.Match) -> str:
    try:
        return chr(int(m.group(1) or m.group(2), 16))
    except ValueError:  # beyond U+10FFFF: leave it for the query parser to refuse
        return m.group(0)


def _text(node) -> str:
    return node.text.decode("utf-8", "replace")


def _child(node, kind: str):
    return next((c for c in node.children if c.type == kind), None)


def _iri(node, base: str) -> str:
    from urllib.parse import urljoin

    value = _text(node)[1:-1]
    return urljoin(base, value) if base and ":" not in value.split("/", 1)[0] else value


def _service_target(node, prefixes: dict[str, str], base: str) -> str | None:
    for c in node.children:
        if c.type == "iri_reference":
            return _iri(c, base)
        if c.type == "prefixed_name":
            ns = _child(c, "namespace")
            local = _child(c, "pn_local")
            prefix = _text(ns).rstrip(":") if ns is not None else ""
            if prefix not in prefixes:
                return None
            return prefixes[prefix] + (_PN_LOCAL_ESCAPE.sub(r"\1", _text(local)) if local is not None else "")
        if c.type == "var":
            return None
    return None


def _without_literals(text: str) -> str:
    """The text without comments, strings and IRIs: where a bare keyword can stand."""
    return re.sub(r'#[^\n]*|"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>',
                  " ", text)


_PARSER = None


def _sparql_parser():
    """One tree-sitter parser per process (a parser is not shared between threads)."""
    import threading

    global _PARSER
    local = _PARSER
    if local is None:
        local = _PARSER = threading.local()
    parser = getattr(local, "parser", None)
    if parser is None:
        import warnings

        import tree_sitter_sparql
        from tree_sitter import Language, Parser

        with warnings.catch_warnings():
            # tree-sitter-sparql hands its grammar over as an int pointer, which
            # tree-sitter 0.25+ still takes but calls deprecated.
            warnings.simplefilter("ignore", DeprecationWarning)
            parser = local.parser = Parser(Language(tree_sitter_sparql.language()))
    return parser


def query_title(text: str) -> str:
    """The first comment line of a query file: the question it answers."""
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("#"):
            title = line.lstrip("#").strip()
            if title:
                return title
        elif line:
            break
    return ""


def _parse_error(exc: SyntaxError, source: str) -> QueryError:
    message = str(exc.msg if isinstance(exc.msg, str) else exc)
    m = re.match(r"error at (\d+):(\d+): (.*)", message, re.S)
    if m:
        return QueryError(m.group(3), source=source, line=int(m.group(1)), column=int(m.group(2)))
    return QueryError(message, source=source)


def evaluate(store: ox.Store, text: str, *, source: str = "query", union: bool = True):
    """pyoxigraph's own result of a query (to serialize natively), errors as `QueryError`.

    Evaluation errors can also surface while the result is read or serialized (OSError,
    RuntimeError, ValueError): the caller maps those.
    """
    try:
        return store.query(text, use_default_graph_as_union=union)
    except SyntaxError as exc:
        raise _parse_error(exc, source) from None
    except (OSError, RuntimeError, ValueError) as exc:
        raise QueryError(str(exc), source=source) from None


def run_query(store: ox.Store, text: str, *, source: str = "query", union: bool = True) -> QueryResult:
    """Run SPARQL (SELECT, ASK, CONSTRUCT, DESCRIBE) on the store."""
    res = evaluate(store, text, source=source, union=union)
    try:
        if isinstance(res, bool):
            return QueryResult(kind="ask", boolean=res)
        if isinstance(res, ox.QuerySolutions):
            variables = [v.value for v in res.variables]
            rows = [[sol[i] for i in range(len(variables))] for sol in res]
            return QueryResult(kind="select", variables=variables, rows=rows)
        if isinstance(res, ox.QueryBoolean):
            return QueryResult(kind="ask", boolean=bool(res))
        return QueryResult(kind="graph", triples=list(res))
    except (OSError, RuntimeError, ValueError) as exc:  # evaluation errors surface while iterating
        raise QueryError(str(exc), source=source) from None


# --------------------------------------------------------------------------- rendering


def _plain(term) -> str:
    if term is None:
        return ""
    return term.value


def _short(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return compact(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def _json_term(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        out["datatype"] = term.datatype.value
    return out


def render(result: QueryResult, fmt: str = "table") -> str:
    """Text for one of FORMATS (graph results are always N-Triples, sorted, or Turtle for 'table')."""
    if result.kind == "ask":
        if fmt == "json":
            return json.dumps({"head": {}, "boolean": bool(result.boolean)}) + "\n"
        return ("true" if result.boolean else "false") + "\n"
    if result.kind == "graph":
        triples = sorted(result.triples, key=str)
        if fmt == "table":
            out = io.BytesIO()
            ox.serialize(triples, out, format=ox.RdfFormat.TURTLE, prefixes={k: v for k, v in PREFIXES.items()})
            return out.getvalue().decode()
        return "".join(f"{t} .\n" for t in triples)
    if fmt == "csv":
        buf = io.StringIO()
        import csv

        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(result.variables)
        for row in result.rows:
            writer.writerow([_plain(t) for t in row])
        return buf.getvalue()
    if fmt == "tsv":
        lines = ["\t".join("?" + v for v in result.variables)]
        for row in result.rows:
            lines.append("\t".join("" if t is None else str(t) for t in row))
        return "\n".join(lines) + "\n"
    if fmt == "json":
        bindings = [
            {v: _json_term(t) for v, t in zip(result.variables, row) if t is not None} for row in result.rows
        ]
        return json.dumps({"head": {"vars": result.variables}, "results": {"bindings": bindings}}, indent=2, ensure_ascii=False) + "\n"
    if fmt == "table":
        cells = [[_short(t) for t in row] for row in result.rows]
        widths = [len(v) for v in result.variables]
        for row in cells:
            widths = [min(max(w, len(c)), 80) for w, c in zip(widths, row)]

        def line(values: list[str]) -> str:
            return "  ".join((v if len(v) <= w else v[: w - 1] + "…").ljust(w) for v, w in zip(values, widths)).rstrip()

        out = [line(result.variables), line(["-" * w for w in widths])]
        out += [line(row) for row in cells]
        out.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
        return "\n".join(out) + "\n"
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
