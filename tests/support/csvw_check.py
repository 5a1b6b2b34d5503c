"""A small CSV-on-the-Web validator for the subset of CSVW the panels use.

It checks a CSV against its `*.csv-metadata.json` (W3C "Metadata Vocabulary for Tabular
Data"): the header row equals the column titles, names are RFC 6570 variable names, every
cell parses as its datatype (string with a `format` regex, integer with minimum/maximum,
anyURI), required cells are present, list cells (`separator`) are split first, the primary
key is unique, the dialect's line terminator and encoding hold, and code columns
(`skos:inScheme`) hold only the notations of the code list the table conforms to.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

_VARNAME = re.compile(r"^(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2})(?:\.?(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2}))*$")
_INTEGER = re.compile(r"^[+-]?[0-9]+$")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$")


def _title(col: dict) -> str:
    t = col.get("titles", col.get("name"))
    return t[0] if isinstance(t, list) else t


def _check_value(value: str, datatype: object) -> str | None:
    """None if `value` is a valid literal of `datatype`, else why not."""
    dt = datatype if isinstance(datatype, dict) else {"base": datatype}
    base = dt.get("base", "string")
    if base == "string":
        fmt = dt.get("format")
        if fmt and not re.search(fmt, value):
            return f"{value!r} does not match {fmt}"
        return None
    if base == "integer":
        if not _INTEGER.match(value):
            return f"{value!r} is not an integer"
        n = int(value)
        if "minimum" in dt and n < dt["minimum"]:
            return f"{n} < minimum {dt['minimum']}"
        if "maximum" in dt and n > dt["maximum"]:
            return f"{n} > maximum {dt['maximum']}"
        return None
    if base == "anyURI":
        return None if _URI.match(value) else f"{value!r} is not an absolute URI"
    return f"datatype {base} is not supported by this checker"


def validate_csvw(metadata_path: Path) -> list[str]:
    """Every way the CSV named by the metadata fails it; an empty list means it is valid."""
    errors: list[str] = []
    meta = json.loads(metadata_path.read_text(encoding="utf-8"))
    context = meta.get("@context")
    if not (context == "http://www.w3.org/ns/csvw" or (isinstance(context, list) and context[0] == "http://www.w3.org/ns/csvw")):
        errors.append("@context is not the CSVW context")
    csv_path = metadata_path.parent / meta["url"]
    raw = csv_path.read_bytes()
    dialect = meta.get("dialect", {})
    if dialect.get("encoding", "utf-8") == "utf-8":
        if raw.startswith(b"\xef\xbb\xbf"):
            errors.append("the file starts with a byte-order mark")
        text = raw.decode("utf-8")
    else:  # pragma: no cover
        errors.append("only utf-8 is supported")
        return errors
    if dialect.get("lineTerminators") == ["\n"] and "\r" in text.replace('"\r', ""):
        errors.append("the dialect says \\n line endings, the file has \\r")
    columns = meta["tableSchema"]["columns"]
    names = [c["name"] for c in columns]
    for n in names:
        if not _VARNAME.match(n) or n.startswith("_"):
            errors.append(f"column name {n!r} is not an RFC 6570 variable name")
    if len(set(names)) != len(names):
        errors.append("column names are not unique")
    schemes = {}
    conforms = meta.get("dc:conformsTo")
    for scheme in conforms if isinstance(conforms, list) else [conforms] if conforms else []:
        schemes[scheme["@id"]] = {c["skos:notation"] for c in scheme.get("skos:hasTopConcept", [])}

    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        return errors + ["the file is empty"]
    header, body = rows[0], rows[1:]
    if dialect.get("header", True) and header != [_title(c) for c in columns]:
        errors.append(f"header {header} differs from the titles {[_title(c) for c in columns]}")
    key = meta["tableSchema"].get("primaryKey", [])
    key = [key] if isinstance(key, str) else key
    key_idx = [names.index(k) for k in key]
    seen: set[tuple] = set()
    for n, row in enumerate(body, start=2):
        if len(row) != len(columns):
            errors.append(f"row {n}: {len(row)} cells for {len(columns)} columns")
            continue
        for col, cell in zip(columns, row):
            where = f"row {n}, column {col['name']}"
            null = col.get("null", "")
            if cell == null:
                if col.get("required"):
                    errors.append(f"{where}: required value missing")
                continue
            values = cell.split(col["separator"]) if col.get("separator") else [cell]
            for v in values:
                why = _check_value(v, col.get("datatype", "string"))
                if why:
                    errors.append(f"{where}: {why}")
            scheme = col.get("skos:inScheme", {}).get("@id")
            if scheme is not None:
                if scheme not in schemes:
                    errors.append(f"{where}: code list {scheme} is not in dc:conformsTo")
                elif cell not in schemes[scheme]:
                    errors.append(f"{where}: {cell!r} is not a code of {scheme} ({sorted(schemes[scheme])})")
        k = tuple(row[i] for i in key_idx)
        if key_idx and k in seen:
            errors.append(f"row {n}: primary key {k} repeats")
        seen.add(k)
    return errors
