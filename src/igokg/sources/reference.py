"""The verified Wikidata identifiers (`seeds/reference/*.tsv`): the only QIDs the data may use."""

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


def read_reference(path: Path) -> dict[str, ReferenceEntry]:
    """Verified QIDs, keyed by QID (rows marked not-found have no QID to key)."""
    out: dict[str, ReferenceEntry] = {}
    if not path.is_file():
        return out
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                qid = (row.get("id") or "").strip()
                if qid.startswith(("Q", "P")) and qid[1:].isdigit():
                    out[qid] = ReferenceEntry(qid, row.get("label", ""), row.get("kind", ""), row.get("confidence", ""))
    except UnicodeDecodeError as exc:
        raise SourceError(path, f"not UTF-8 text (byte {exc.start}: {exc.reason})", hint="save the table as UTF-8 TSV") from None
    except (OSError, csv.Error) as exc:
        raise SourceError(path, f"cannot read the table: {exc}") from None
    return out


# --------------------------------------------------------------------------- validate
