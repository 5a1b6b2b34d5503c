"""Check a CSV against its CSVW metadata: the `csvw` package first, then what it does not check.

The `csvw` package (cldf/csvw, written by other hands than the panels' writer) reads the table
through its `*.csv-metadata.json` and validates what CSVW defines: the @context, column names,
the header against the column titles, every cell against its datatype (integers with minimum
and maximum, strings with a `format` pattern, lists split on their `separator`), required
cells and the primary key. Its findings come first, prefixed `csvw:`.

Kept here because `csvw` does not check them (each tried on a broken file, see the panels'
tests), and the panels promise them:

* **code lists**: a column with `skos:inScheme` holds only the `skos:notation`s of the concept
  scheme in `dc:conformsTo` (igokg's data dictionary, not a CSVW constraint: `csvw` accepts
  -1 in a code column whose datatype allows -9..3);
* **the dialect as written**: UTF-8 without a byte-order mark and `\\n` line ends when the
  dialect says `lineTerminators: ["\\n"]` (`csvw` reads a dialect as a hint and accepts CRLF and
  a BOM);
* **every row as wide as the schema** (`csvw` ignores extra cells);
* **anyURI cells are absolute URIs** (`csvw` accepts any string as anyURI).
"""

from __future__ import annotations

import csv
import io
import json
import re
import warnings
from pathlib import Path

from csvw import CSVW

_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$")


def _csvw_findings(metadata_path: Path) -> list[str]:
    try:
        # csvw collects its findings as warnings (with warnings.catch_warnings(record=True)):
        # filters must let them through, so none is set here.
        with warnings.catch_warnings():
            table = CSVW(str(metadata_path), validate=True)
            valid = table.is_valid
    except Exception as exc:  # the package raises on a missing column, a repeated key, a bad @context
        return [f"csvw: {exc}"]
    return [] if valid else [f"csvw: {w.message}" for w in table.warnings]


def validate_csvw(metadata_path: Path) -> list[str]:
    """Every way the CSV named by the metadata fails it; an empty list means it is valid."""
    errors = _csvw_findings(metadata_path)
    meta = json.loads(metadata_path.read_text(encoding="utf-8"))
    raw = (metadata_path.parent / meta["url"]).read_bytes()
    dialect = meta.get("dialect", {})
    if raw.startswith(b"\xef\xbb\xbf"):
        errors.append("the file starts with a byte-order mark")
    text = raw.decode("utf-8")
    if dialect.get("lineTerminators") == ["\n"] and "\r" in text.replace('"\r', ""):
        errors.append("the dialect says \\n line endings, the file has \\r")
    columns = meta["tableSchema"]["columns"]
    schemes = {}
    conforms = meta.get("dc:conformsTo")
    for scheme in conforms if isinstance(conforms, list) else [conforms] if conforms else []:
        schemes[scheme["@id"]] = {c["skos:notation"] for c in scheme.get("skos:hasTopConcept", [])}
    for n, row in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
        if n == 1:
            continue
        if len(row) != len(columns):
            errors.append(f"row {n}: {len(row)} cells for {len(columns)} columns")
            continue
        for col, cell in zip(columns, row):
            where = f"row {n}, column {col['name']}"
            if cell == col.get("null", ""):
                continue
            if col.get("datatype") == "anyURI" and not _URI.match(cell):
                errors.append(f"{where}: {cell!r} is not an absolute URI")
            scheme = col.get("skos:inScheme", {}).get("@id")
            if scheme is not None:
                if scheme not in schemes:
                    errors.append(f"{where}: code list {scheme} is not in dc:conformsTo")
                elif cell not in schemes[scheme]:
                    errors.append(f"{where}: {cell!r} is not a code of {scheme} ({sorted(schemes[scheme])})")
    return errors
