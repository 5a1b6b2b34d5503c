"""CHANGES: triples added and removed per class against the release this build replaces.

The comparison is of N-Triples lines: the previous dump's and this release's canonical text
(both written by pyoxigraph, so the same triple is the same line). A line counts under the
class of its subject's entity (the part of the IRI before '#': an inline node counts under
the entity that holds it).

Cheap in the common cases: an unchanged dump is recognised by its bytes; a changed one is
merged line by line with the new text (both in canonical order), so memory stays that of
the new text and the differences. A previous dump in another order (an older igokg) is
sorted first.
"""

from __future__ import annotations

import gzip
import re
from collections import Counter
from pathlib import Path

from igokg.namespaces import compact
from igokg.release import CHANGES_NAME, DUMP_NAME, Written

__all__ = ["changes_text", "write_changes"]

_TYPE_LINE = re.compile(rb"^<([^>]*)> <http://www\.w3\.org/1999/02/22-rdf-syntax-ns#type> <([^>]*)> \.$", re.MULTILINE)


def _classes(text: bytes, own: dict[bytes, bytes], inline: dict[bytes, bytes]) -> None:
    """Entity -> its own first type (canonical order), and -> the first type of an inline node."""
    for m in _TYPE_LINE.finditer(text):
        subject, cls = m.groups()
        owner = subject.split(b"#", 1)[0]
        (own if subject == owner else inline).setdefault(owner, cls)


def _lines(text: bytes):
    """The lines of a text, one at a time (a million of them at once would double the memory)."""
    at = 0
    while at < len(text):
        end = text.find(b"\n", at)
        end = len(text) if end < 0 else end
        if end > at:
            yield text[at:end]
        at = end + 1


def _merge(old, new) -> tuple[list[bytes], list[bytes]]:
    """Lines added and removed between two sorted, distinct sequences of lines."""
    added: list[bytes] = []
    removed: list[bytes] = []
    mine = next(new, None)
    for line in old:
        while mine is not None and mine < line:
            added.append(mine)
            mine = next(new, None)
        if mine == line:
            mine = next(new, None)
        else:
            removed.append(line)
    while mine is not None:
        added.append(mine)
        mine = next(new, None)
    return added, removed


def _diff(previous: Path, nt: bytes) -> tuple[list[bytes], list[bytes]]:
    """Lines added and removed: a merge of the previous dump, read as it is decompressed, with
    the new text (both in canonical order); a previous dump in another order is sorted first."""
    def old_lines():
        with gzip.open(previous, "rb") as fh:
            for raw in fh:
                line = raw.rstrip(b"\n")
                if line:
                    yield line

    last = b""
    for line in old_lines():
        if line < last:
            break  # not in canonical order (an older igokg): sort it
        last = line
    else:
        return _merge(old_lines(), _lines(nt))
    return _merge(iter(sorted(set(old_lines()))), _lines(nt))


def changes_text(previous: Path, nt: bytes, written: Path | None = None) -> str | None:
    """Triples added and removed per class against the previous dump, if there is one.

    `written`, the new dump once written, lets an unchanged release skip the comparison.
    """
    if not previous.is_file():
        return None
    try:
        if written is not None and previous.read_bytes() == written.read_bytes():
            added, removed = [], []
        else:
            added, removed = _diff(previous, nt)
    except (OSError, EOFError):
        return "Changes: the previous release's dump could not be read; no comparison.\n"
    own: dict[bytes, bytes] = {}
    inline: dict[bytes, bytes] = {}
    if added or removed:
        _classes(nt, own, inline)
        _classes(b"\n".join(removed), own, inline)

    def class_of(line: bytes) -> str:
        owner = line[1 : line.find(b">")].split(b"#", 1)[0] if line.startswith(b"<") else b""
        cls = own.get(owner) or inline.get(owner)
        return compact(cls.decode()) if cls else "(untyped)"

    plus = Counter(class_of(line) for line in added)
    minus = Counter(class_of(line) for line in removed)
    lines = [f"Changes since the previous release: +{len(added)} / -{len(removed)} triples"]
    if not added and not removed:
        lines.append("  no change in the facts")
    for cls in sorted(set(plus) | set(minus)):
        lines.append(f"  {cls:32} +{plus.get(cls, 0):<6} -{minus.get(cls, 0)}")
    return "\n".join(lines) + "\n"


def write_changes(build) -> list[Written]:
    text = changes_text(build.previous / DUMP_NAME, build.ntriples(), build.out / DUMP_NAME)
    build.changes = text
    if text is None:
        return []
    (build.out / CHANGES_NAME).write_text(text, encoding="utf-8")
    return [Written(CHANGES_NAME, "text/plain", "Changes since the previous release")]
