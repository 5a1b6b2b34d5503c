"""The verified Wikidata identifiers (`seeds/reference/*.tsv`): the only QIDs the data may use."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ReferenceEntry:
    qid: str
    label: str
    kind: str
    confidence: str  # confirmed-2-sources | one-source | not-found


def read_reference(path: Path) -> dict[str, ReferenceEntry]:
    """Verified QIDs, keyed by QID (rows marked not-found have no QID to key)."""
    out: dict[str, ReferenceEntry] = {}
    if not path.is_file():
        return out
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            qid = (row.get("id") or "").strip()
            if qid.startswith(("Q", "P")) and qid[1:].isdigit():
                out[qid] = ReferenceEntry(qid, row.get("label", ""), row.get("kind", ""), row.get("confidence", ""))
    return out


# --------------------------------------------------------------------------- validate
