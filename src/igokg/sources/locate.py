"""Where things are written: every subject mapped back to its file and line.

Later stages point people at the line to fix; this index is how they find it. A
skolemized blank node (`id:x#signature-1a2b`) is found through its parent's block.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from igokg.namespaces import ID, PREFIXES

__all__ = ["Location", "SubjectIndex"]


@dataclass(frozen=True)
class Location:
    file: str  # relative to the project root, as people see it
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


_PREFIX_DECL = re.compile(r"@prefix\s+([\w-]*):\s*<([^>]*)>", re.I)
# After a newline: the regex engine skips to each "\n" quickly, where "^" would make it try
# every position. (The text is given a leading newline.)
_SUBJECT = re.compile(r"\n(?:([\w-]*):([\w.-]*[\w-])(?=[\s;,]|$)|<([^>]+)>)", re.MULTILINE)


@dataclass
class SubjectIndex:
    """Subjects written at the start of a line, by IRI, and the text of each file."""

    subjects: dict[str, Location] = field(default_factory=dict)
    # Where to read a file's text again for `locate` with a hint: the texts are not kept (at a
    # million triples they are 70 MB, and only files with a finding are ever read again).
    paths: dict[str, Path] = field(default_factory=dict)
    _lines: dict[str, list[str]] = field(default_factory=dict, repr=False)  # texts split, on first use

    def add_file(self, rel: str, text: str, path: Path | None = None) -> None:
        """Index one file: each subject at the start of a line maps to that line (first one wins).
        `path`: where the text can be read again (without it, the text is kept)."""
        if path is None:
            self._lines[rel] = text.split("\n")
        else:
            self.paths[rel] = path
        prefixes = {p: ns for p, ns in _PREFIX_DECL.findall(text)}
        # One pass of the pattern over the text; line numbers by counting the newlines between hits.
        line, at = 1, 0
        text = "\n" + text
        for m in _SUBJECT.finditer(text):
            if m.group(3):
                iri = m.group(3)
            elif m.group(1) in prefixes:
                iri = prefixes[m.group(1)] + m.group(2)
            else:
                continue
            line += text.count("\n", at, m.start())
            at = m.start()
            self.subjects.setdefault(iri, Location(rel, line))

    def locate(self, iri: str, hint: str | None = None) -> Location | None:
        """Where a subject is written; with `hint` (a predicate or a literal), the line of it."""
        base = iri.split("#", 1)[0] if iri.startswith(ID) and "#" in iri else iri
        loc = self.subjects.get(base)
        if loc is None:
            return None
        if not hint:
            return loc
        # Split each file once: a report can locate thousands of findings in one large file.
        lines = self._lines.get(loc.file)
        if lines is None:
            path = self.paths.get(loc.file)
            try:
                text = path.read_text(encoding="utf-8", errors="replace") if path else ""
            except OSError:
                text = ""
            lines = self._lines[loc.file] = text.split("\n")
        needles = [hint]
        for prefix, ns in PREFIXES.items():
            if hint.startswith(ns):
                needles = [f"{prefix}:{hint[len(ns):]}", hint]
        start = (loc.line or 1) - 1
        for n in range(start, len(lines)):
            if n > start and re.match(r"^\S", lines[n]):  # next subject: the block has ended
                break
            if any(needle in lines[n] for needle in needles):
                return Location(loc.file, n + 1)
        return loc
