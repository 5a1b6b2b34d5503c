"""Stage: validate. Facts from pinned sources, checked against the sources' own bytes.

Input: `Sources` (the store, with the pinned sources it used). Output: `Finding`s.

- every record locator (a fact from a dataset) against the cells it names: the dataset's table is
  read again from the pinned file, every named cell must hold the locator's value verbatim, every
  year of its range must have a row, and the cells before and after, where given, theirs;
- every quote from a reference document against the document's canonical text, and that text
  against the igo:textSha256 the description records (a new extraction or a new file shows);
- a skipped source: nothing of it is in the graph, so nothing of it is checked.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from igokg.errors import SourceError
from igokg.namespaces import IGO
from igokg.report import Finding
from igokg.sources import Sources
from igokg.sources.document import canonical_text, text_sha256
from igokg.sources.pinned import PinnedSource, locate_files, read_pinned

if TYPE_CHECKING:  # numpy is imported where the tables are read: a graph without them never needs it
    import numpy as np

__all__ = ["check_locators", "check_reference_quotes"]

PREFIXES = f"PREFIX igo: <{IGO}>\n"


def _select(sources: Sources, query: str) -> list[dict]:
    res = sources.store.query(PREFIXES + query, use_default_graph_as_union=True)
    names = [v.value for v in res.variables]
    return [{n: sol[n].value for n in names if sol[n] is not None} for sol in res]


def _used(sources: Sources) -> dict[str, PinnedSource]:
    skipped = set(sources.skipped_sources)
    return {s.iri: s for s in read_pinned(sources.project) if s.name not in skipped}


def _short(text: str, n: int = 80) -> str:
    return text if len(text) <= n else text[: n - 3] + "..."


# --------------------------------------------------------------------------- reference documents


def check_reference_quotes(sources: Sources) -> list[Finding]:
    """Every quote of a reference document stands verbatim in its canonical text."""
    out: list[Finding] = []
    used = _used(sources)
    docs = _select(sources, """SELECT ?doc ?x ?sha WHERE { ?doc a igo:ReferenceDocument .
        OPTIONAL { ?doc igo:textExtraction ?x } OPTIONAL { ?doc igo:textSha256 ?sha } }""")
    texts: dict[str, str] = {}
    for d in docs:
        doc = d["doc"]
        pinned = used.get(doc)
        if pinned is None or "x" not in d:
            continue  # skipped; the shapes report a missing extraction
        files = locate_files(sources.project, pinned)
        (path,) = files.values()
        try:
            texts[doc] = canonical_text(path.read_bytes(), d["x"], str(path))
        except SourceError as exc:
            out.append(Finding(doc, "Violation", "check:reference-text", str(exc), "igo:textExtraction", d["x"], ""))
            continue
        digest = text_sha256(texts[doc])
        if d.get("sha") and d["sha"] != digest:
            out.append(Finding(
                doc, "Violation", "check:reference-text-sha256",
                f"the canonical text of {pinned.name} has sha256 {digest[:16]}…, not the recorded {d['sha'][:16]}…: "
                "the extraction changed; re-check every quote, then update igo:textSha256",
                "igo:textSha256", d["sha"], str(sources.locate(doc, IGO + "textSha256") or ""),
            ))
    rows = _select(sources, "SELECT ?node ?quote ?doc WHERE { ?node igo:quote ?quote ; igo:source ?doc . ?doc a igo:ReferenceDocument }")
    for r in rows:
        text = texts.get(r["doc"])
        if text is None or r["quote"] in text:
            continue
        node = r["node"]
        out.append(Finding(
            node, "Violation", "check:quote-verbatim",
            f"quote does not stand verbatim in the canonical text of {r['doc'].rsplit('/', 1)[-1]}: copy it from the "
            "page's text (tags dropped, whitespace collapsed), the page's own slips included",
            "igo:quote", _short(r["quote"]), str(sources.locate(node, r["quote"][:40]) or sources.locate(node) or ""),
        ))
    return out


# --------------------------------------------------------------------------- record locators

_LOCATORS = """
SELECT ?att ?loc ?src ?table ?row ?col ?val ?fy ?ly ?pv ?fv WHERE {
  ?att igo:locator ?loc ; igo:source ?src .
  ?loc igo:table ?table ; igo:row ?row ; igo:column ?col ; igo:cellValue ?val .
  OPTIONAL { ?loc igo:firstYear ?fy } OPTIONAL { ?loc igo:lastYear ?ly }
  OPTIONAL { ?loc igo:precedingValue ?pv } OPTIONAL { ?loc igo:followingValue ?fv }
}"""


class _Table:
    """One dataset table, with its rows grouped by the value of a key column, sorted by year."""

    def __init__(self, frame) -> None:  # noqa: ANN001 - a pandas DataFrame
        self.frame = frame
        self.columns = set(frame.columns)
        self.years = frame["year"].to_numpy() if "year" in frame.columns else None
        self._groups: dict[str, dict[str, np.ndarray]] = {}
        self._arrays: dict[str, np.ndarray] = {}

    def rows(self, key: str, value: str) -> np.ndarray:
        import numpy as np  # noqa: PLC0415

        if key not in self._groups:
            from igokg.sources.cow_tables import cell_text  # noqa: PLC0415

            groups: dict[str, list[int]] = defaultdict(list)
            for i, v in enumerate(self.frame[key].to_numpy()):
                groups[cell_text(v)].append(i)
            order = self.years if self.years is not None else None
            self._groups[key] = {
                k: np.array(sorted(ix, key=lambda i: order[i]) if order is not None else ix) for k, ix in groups.items()
            }
        return self._groups[key].get(value, np.array([], dtype=int))

    def texts(self, column: str, rows: np.ndarray) -> list[str]:
        import numpy as np  # noqa: PLC0415

        from igokg.sources.cow_tables import cell_text  # noqa: PLC0415

        if column not in self._arrays:
            self._arrays[column] = self.frame[column].to_numpy()
        values = self._arrays[column][rows]
        if values.dtype.kind == "f":  # numbers: compare as the locator writes them, without a loop per cell
            uniq = np.unique(np.where(np.isnan(values), np.inf, values))
            if len(uniq) == 1:
                return [cell_text(np.nan if np.isinf(uniq[0]) else uniq[0])] * len(values)
        return [cell_text(v) for v in values]


def _load_tables(sources: Sources, pinned: PinnedSource) -> dict[str, _Table]:
    from igokg.sources.cow_tables import read_rda_table  # noqa: PLC0415

    files = locate_files(sources.project, pinned)
    out = {}
    for f in pinned.files:
        if f.table:
            out[f.table] = _Table(read_rda_table(files[f.path], f.table, f.path))
    return out


def check_locators(sources: Sources) -> list[Finding]:
    """Every record locator names cells that hold its values, in a dataset the project pins."""
    used = _used(sources)
    tables: dict[str, dict[str, _Table]] = {}
    out: list[Finding] = []
    for r in _select(sources, _LOCATORS):
        pinned = used.get(r["src"])
        if pinned is None:
            continue  # not a pinned dataset: the shapes say what a locator must cite
        if r["src"] not in tables:
            tables[r["src"]] = _load_tables(sources, pinned)
        problem = _check_one(tables[r["src"]], r)
        if problem:
            where = sources.locate(r["att"]) or sources.locate(r["loc"])
            desc = f"{r['table']}: {r['row']}, column {r['col']}" + (f", years {r['fy']}–{r['ly']}" if "fy" in r else "")
            out.append(Finding(r["att"], "Violation", "check:locator-cells", f"{desc}: {problem}", "igo:locator",
                               r["val"], str(where or "")))
    return out


def _check_one(tables: dict[str, _Table], r: dict) -> str | None:
    import numpy as np  # noqa: PLC0415

    table = tables.get(r["table"])
    if table is None:
        return f"the dataset has no table {r['table']} (it has {', '.join(sorted(tables))})"
    key, _, value = r["row"].partition("=")
    if key not in table.columns:
        return f"the table has no column {key}"
    if r["col"] not in table.columns:
        return f"the table has no column {r['col']}"
    rows = table.rows(key, value)
    if not len(rows):
        return f"no row has {key}={value}"
    by_year = {}
    if table.years is not None:
        by_year = {int(table.years[i]): i for i in rows}
    if "fy" in r:
        first, last = int(r["fy"]), int(r["ly"])
        missing = [y for y in range(first, last + 1) if y not in by_year]
        if missing:
            return f"no row for {missing[0]}" + (f" (and {len(missing) - 1} more years)" if len(missing) > 1 else "")
        rows = np.array([by_year[y] for y in range(first, last + 1)])
        for name, year in (("pv", first - 1), ("fv", last + 1)):
            if name in r:
                if year not in by_year:
                    return f"no row for {year}, whose cell the locator gives as {r[name]}"
                got = table.texts(r["col"], np.array([by_year[year]]))[0]
                if got != r[name]:
                    return f"the cell of {year} holds {got}, not {r[name]}"
    got = table.texts(r["col"], rows)
    bad = [i for i, g in enumerate(got) if g != r["val"]]
    if bad:
        year = f" in {int(table.years[rows[bad[0]]])}" if table.years is not None else ""
        return f"a cell{year} holds {got[bad[0]]}, not {r['val']}"
    return None
