"""The graph from Python, for notebooks: open it, query it, get rows or a DataFrame.

Stage: a consumer (like serve): it reads a release folder, or a project's sources as
`igokg query` does, and never builds. Input: a folder. Output: a `Graph` whose methods return
`Rows` (a list of dicts, one per solution), convertible to pandas or polars when installed.

    import igokg
    g = igokg.open("dist")                    # a release folder (a download, or `igokg build`'s dist/)
    g.query("SELECT ...")                     # Rows; ASK gives a bool
    g.members("csto", at="2018-06")           # who was a member then, with the evidence
    g.history("india", "sco")                 # every dated statement, in time order
    g.members("sco", at="2020-11").to_pandas()

Values come as plain Python: IRIs and strings as `str`, integers, decimals and booleans as
numbers and `bool`, and dates as their ISO 8601 text, so a month stays a month ("2018-06") —
the precision the source gives, which a `datetime.date` would invent. Time logic is that of
the competency questions (docs/queries.md), in `src/igokg/queries/*.rq`. Examples, tested:
docs/python.md.
"""

from __future__ import annotations

import datetime as _dt
import gzip
import re
from importlib import resources
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from igokg.errors import IgokgError, QueryError
from igokg.namespaces import ID, IGO, ONTOLOGY, PREFIXES, XSD, expand
from igokg.project import Project
from igokg.query import run_query
from igokg.release import DUMP_NAME, ONTOLOGY_NAME

__all__ = ["open_graph", "Graph", "Rows"]

_NUMBERS = {XSD + "integer": int, XSD + "int": int, XSD + "long": int, XSD + "nonNegativeInteger": int,
            XSD + "positiveInteger": int, XSD + "decimal": float, XSD + "double": float, XSD + "float": float}
#: The example bindings of a packaged query: one `VALUES (?a ?b) { (…) }` line.
_VALUES = re.compile(r"^([ \t]*)VALUES \(([?\w ]+)\) \{ \(.*\) \}[ \t]*$", re.M)
ROLES = {"member": IGO + "Member", "founding member": IGO + "FoundingMember", "observer": IGO + "Observer",
         "dialogue partner": IGO + "DialoguePartner"}


def _value(term: Any) -> Any:
    """A term as plain Python (see the module docstring)."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        dt = term.datatype.value
        if dt in _NUMBERS:
            try:
                return _NUMBERS[dt](term.value)
            except ValueError:
                return term.value
        if dt == XSD + "boolean":
            return term.value in ("true", "1")
        return term.value
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    return term.value


class Rows(list):
    """Solutions as dicts (`{"member": "https://…/armenia", "name": "Armenia", …}`), in order."""

    def __init__(self, variables: list[str], rows: list[dict[str, Any]]) -> None:
        super().__init__(rows)
        self.variables = list(variables)

    def column(self, name: str) -> list[Any]:
        return [row.get(name) for row in self]

    def to_pandas(self):
        """A pandas DataFrame, columns in the query's order (pandas must be installed)."""
        try:
            import pandas as pd
        except ImportError:
            raise IgokgError("to_pandas needs pandas: pip install pandas") from None
        return pd.DataFrame(list(self), columns=self.variables)

    def to_polars(self):
        """A polars DataFrame, columns in the query's order (polars must be installed)."""
        try:
            import polars as pl
        except ImportError:
            raise IgokgError("to_polars needs polars: pip install polars") from None
        return pl.DataFrame({v: self.column(v) for v in self.variables}, strict=False)

    def __repr__(self) -> str:
        return f"<Rows: {len(self)} rows of {', '.join(self.variables)}>"


def _query_file(name: str) -> str:
    return resources.files("igokg").joinpath(f"queries/{name}").read_text(encoding="utf-8")


def _iri(name: str) -> str:
    """`csto`, `id:csto` or the full IRI of an entity -> its IRI."""
    if "://" in name:
        return name
    if ":" in name and name.split(":", 1)[0] in PREFIXES:
        return expand(name)
    return ID + name


def _at(at: str | _dt.date | int | None) -> str:
    if at is None:
        return ""
    if isinstance(at, _dt.datetime):
        at = at.date()
    if isinstance(at, (_dt.date, int)):
        return str(at) if isinstance(at, int) else at.isoformat()
    text = str(at).strip()
    parts = text.split("-")
    if not (1 <= len(parts) <= 3 and all(p.isdigit() for p in parts) and len(parts[0]) == 4):
        raise QueryError(f"at={at!r} is not a date: give a year '2018', a month '2018-06' or a day '2018-06-08'")
    return text


class Graph:
    """The facts and the ontology in one store (and, opened from a project, its shapes too)."""

    def __init__(self, store: ox.Store, source: str, union: bool) -> None:
        self.store = store
        self.source = source
        self._union = union

    def __repr__(self) -> str:
        return f"<igokg.Graph {self.source}: {len(self)} triples>"

    def __len__(self) -> int:
        return len(self.store)

    def query(self, sparql: str) -> Rows | bool:
        """Run SPARQL: SELECT gives `Rows`, ASK a bool, CONSTRUCT/DESCRIBE rows of subject, predicate, object."""
        result = run_query(self.store, sparql, union=self._union)
        if result.kind == "ask":
            return bool(result.boolean)
        if result.kind == "graph":
            return Rows(["subject", "predicate", "object"], [
                {"subject": _value(t.subject), "predicate": _value(t.predicate), "object": _value(t.object)}
                for t in result.triples])
        return Rows(result.variables, [{v: _value(x) for v, x in zip(result.variables, row)} for row in result.rows])

    def _select(self, name: str, bindings: dict[str, ox.NamedNode | ox.Literal | None]) -> Rows:
        """Run a packaged query with its example `VALUES` line replaced by `bindings` (None: UNDEF)."""
        text = _query_file(name)
        line = _VALUES.search(text)
        if line is None or line.group(2).split() != [f"?{k}" for k in bindings]:
            raise QueryError(f"no VALUES ({' '.join('?' + k for k in bindings)}) line to bind", source=f"igokg/queries/{name}")
        values = " ".join("UNDEF" if v is None else str(v) for v in bindings.values())
        text = text[:line.start()] + f"{line.group(1)}VALUES ({line.group(2)}) {{ ({values}) }}" + text[line.end():]
        return self.query(text)  # type: ignore[return-value]

    def members(self, org: str, at: str | _dt.date | int | None = None, role: str | None = "member") -> Rows:
        """The members of `org` at `at` (a year, month or day; None: at any time), with the evidence.

        `role`: "member" (default), "founding member", "observer", "dialogue partner", or None for
        any. One row per member, role and piece of evidence (source and quote).
        """
        if role is not None and role not in ROLES:
            raise QueryError(f"role={role!r}: use one of {', '.join(ROLES)} or None")
        return self._select("members-at.rq", {"organization": ox.NamedNode(_iri(org)), "at": ox.Literal(_at(at)),
                                              "role": ox.NamedNode(ROLES[role]) if role else None})

    def history(self, member: str, org: str) -> Rows:
        """Every dated statement about `member`'s memberships of `org`: start, end, attested; in time order."""
        return self._select("history.rq", {"member": ox.NamedNode(_iri(member)), "organization": ox.NamedNode(_iri(org))})


def open_graph(root: str | Path = ".") -> Graph:
    """The graph of a release folder (one holding `igokg.nt.gz`), or of a project's sources.

    A release (a download, or `dist/` after `igokg build`) is read as published: the facts and
    the ontology. A project folder is read from its Turtle files, as `igokg query` reads it
    (facts, ontology and shapes; nothing is validated or built).
    """
    path = Path(root)
    if (path / DUMP_NAME).is_file():
        store = ox.Store()
        with gzip.open(path / DUMP_NAME, "rb") as fh:
            store.bulk_load(fh, format=ox.RdfFormat.N_TRIPLES)
        if (path / ONTOLOGY_NAME).is_file():
            store.bulk_load(path=str(path / ONTOLOGY_NAME), format=ox.RdfFormat.TURTLE, base_iri=ONTOLOGY)
        return Graph(store, f"release {path}", union=False)
    from igokg.sources import load_sources

    project = Project.discover(path, interactive=False)
    return Graph(load_sources(project).store, f"project {project.root}", union=True)
