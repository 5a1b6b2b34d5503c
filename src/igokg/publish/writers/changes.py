"""CHANGES: triples added and removed per class against the release this build replaces."""

from __future__ import annotations

import gzip
from collections import Counter
from pathlib import Path

import pyoxigraph as ox

from igokg.namespaces import RDF_TYPE, compact
from igokg.publish.writers.ntriples import ntriples_lines
from igokg.release import CHANGES_NAME, DUMP_NAME, Written

__all__ = ["changes_text", "write_changes"]


def changes_text(previous: Path, triples: list[ox.Triple]) -> str | None:
    """Triples added and removed per class against the previous dump, if there is one."""
    if not previous.is_file():
        return None
    try:
        with gzip.open(previous, "rt", encoding="utf-8") as fh:
            old_lines = set(fh)
    except (OSError, EOFError, UnicodeDecodeError):
        return "Changes: the previous release's dump could not be read; no comparison.\n"
    new_lines = set(ntriples_lines(triples))
    added, removed = new_lines - old_lines, old_lines - new_lines
    old_triples = [q.triple for q in ox.parse("".join(sorted(removed)), format=ox.RdfFormat.N_TRIPLES)] if removed else []
    classes: dict[str, str] = {}
    for t in [*old_triples, *triples]:
        if t.predicate.value == RDF_TYPE:
            classes.setdefault(t.subject.value.split("#", 1)[0], t.object.value)
    new_by_line = {f"{t} .\n": t for t in triples}
    old_by_line = {f"{t} .\n": t for t in old_triples}

    def class_of(t: ox.Triple) -> str:
        cls = classes.get(t.subject.value.split("#", 1)[0])
        return compact(cls) if cls else "(untyped)"

    plus = Counter(class_of(new_by_line[line]) for line in added)
    minus = Counter(class_of(old_by_line[line]) for line in removed)
    lines = [f"Changes since the previous release: +{len(added)} / -{len(removed)} triples"]
    if not added and not removed:
        lines.append("  no change in the facts")
    for cls in sorted(set(plus) | set(minus)):
        lines.append(f"  {cls:32} +{plus.get(cls, 0):<6} -{minus.get(cls, 0)}")
    return "\n".join(lines) + "\n"


def write_changes(build) -> list[Written]:
    text = changes_text(build.previous / DUMP_NAME, build.facts())
    build.changes = text
    if text is None:
        return []
    (build.out / CHANGES_NAME).write_text(text, encoding="utf-8")
    return [Written(CHANGES_NAME, "text/plain", "Changes since the previous release")]
