"""The verified Wikidata identifiers (`seeds/reference/*.tsv`): the only QIDs the data may use.

`wikidata-ids.tsv` lists the entities of the articles; `states-wikidata.tsv` (by COW state code)
and `igos-wikidata.tsv` (by COW IGO name) the entities of the COW IGO data. All three rate each
QID: confirmed-2-sources, one-source (usable, to verify), not-found (no QID: left unlinked).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from igokg.errors import SourceError


@dataclass(frozen=True)
class ReferenceEntry:
    qid: str
    label: str
    kind: str
    confidence: str  # confirmed-2-sources | one-source | not-found


def _tsv_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a reference table (UTF-8, tab-separated, a header row); none when it is absent."""
    if not path.is_file():
        return []
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh, delimiter="\t"))
    except UnicodeDecodeError as exc:
        raise SourceError(path, f"not UTF-8 text (byte {exc.start}: {exc.reason})", hint="save the table as UTF-8 TSV") from None
    except (OSError, csv.Error) as exc:
        raise SourceError(path, f"cannot read the table: {exc}") from None


def read_reference(path: Path) -> dict[str, ReferenceEntry]:
    """Verified QIDs, keyed by QID (rows marked not-found have no QID to key)."""
    out: dict[str, ReferenceEntry] = {}
    for row in _tsv_rows(path):
        qid = (row.get("id") or "").strip()
        if qid.startswith(("Q", "P")) and qid[1:].isdigit():
            label = row.get("label") or row.get("statenme") or row.get("orgname") or ""
            out[qid] = ReferenceEntry(qid, label, row.get("kind", ""), row.get("confidence", ""))
    return out


#: The reference tables of the COW entities, beside wikidata-ids.tsv.
COW_TABLES = ("states-wikidata.tsv", "igos-wikidata.tsv")
_RANK = {"confirmed-2-sources": 0, "one-source": 1}


def read_references(main: Path) -> dict[str, ReferenceEntry]:
    """Every verified QID of `main` (wikidata-ids.tsv) and of the COW tables beside it; where two
    tables list one QID, the stronger confidence holds."""
    out = read_reference(main)
    for name in COW_TABLES:
        for qid, entry in read_reference(main.parent / name).items():
            if qid not in out or _RANK.get(entry.confidence, 9) < _RANK.get(out[qid].confidence, 9):
                out[qid] = entry
    return out


@dataclass(frozen=True)
class CowLink:
    key: str  # ccode (states) or ioname (IGOs)
    name: str
    qid: str | None  # None where the table found none (not-found)
    confidence: str


def read_cow_links(path: Path, key: str) -> dict[str, CowLink]:
    """One row per COW state (key "ccode") or IGO (key "ioname") of a COW reference table."""
    out: dict[str, CowLink] = {}
    for row in _tsv_rows(path):
        if row.get(key) is None:
            raise SourceError(path, f"has no column {key!r}", hint="keep the table's header row as shipped")
        qid = (row.get("id") or "").strip()
        ok = qid.startswith("Q") and qid[1:].isdigit() and row.get("confidence") in _RANK
        name = row.get("statenme") or row.get("orgname") or ""
        out[row[key].strip()] = CowLink(row[key].strip(), name, qid if ok else None, row.get("confidence", ""))
    return out


# --------------------------------------------------------------------------- validate
