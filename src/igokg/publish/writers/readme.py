"""Release writer: README.md — what the release is, and which pinned sources it rests on.

Input: the build (its sources: the pinned datasets and reference documents used and skipped).
Output: README.md, naming each third-party source with its citation and the sha256 of every
file it was built from, and every source it was built without (--skip-source), so that a reader
of the release knows what is left out.
"""

from __future__ import annotations

from igokg.release import Written
from igokg.sources.pinned import read_pinned

__all__ = ["write_readme"]


def write_readme(build) -> list[Written]:
    sources = build.sources
    pinned = {s.name: s for s in read_pinned(build.project)}
    lines = [
        f"# igokg {build.project.version}",
        "",
        "The open knowledge graph of intergovernmental organizations: every fact with its source — a",
        "quote from an article or a reference document, or a record locator into a dataset's cells.",
        "void.ttl describes the files; SHA256SUMS lists their checksums.",
        "",
        "## Pinned third-party sources",
        "",
    ]
    used = [s for s in pinned.values() if s.iri in sources.pinned_used]
    if not used:
        lines.append("None: this release rests on the articles alone.")
    for s in used:
        lines.append(f"- {s.name} ({s.iri}):")
        lines += [f"  - {f.path} sha256 {f.sha256} from {f.url}" for f in s.files]
    if sources.skipped_sources:
        lines += ["", "## Left out", ""]
        for name in sources.skipped_sources:
            files = pinned[name].claims_files if name in pinned else ()
            also = f", and the facts of {', '.join(files)} that rest on it" if files else ""
            lines.append(f"- {name}: built with --skip-source {name}; none of its facts are in this release{also}.")
    (build.out / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [Written("README.md", "text/markdown", "What this release is and which sources it rests on")]
