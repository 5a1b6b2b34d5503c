"""Release writer: README.md — what the release is, and which pinned sources it rests on.

Input: the build (its sources: the graph, the pinned datasets and reference documents used and
skipped). Output: README.md: what the graph holds (organizations, states, memberships and their
status phases, counted in the graph), each third-party source with the sha256 of every file it was
built from, and every source it was built without (--skip-source), so that a reader of the
release knows what is left out.
"""

from __future__ import annotations

from igokg.namespaces import IGO
from igokg.release import Written
from igokg.sources.pinned import read_pinned

__all__ = ["write_readme"]

_COUNTS = f"""PREFIX igo: <{IGO}>
SELECT
  (COUNT(DISTINCT ?igo) AS ?igos) (COUNT(DISTINCT ?cow) AS ?cowIgos) (COUNT(DISTINCT ?state) AS ?states)
  (COUNT(DISTINCT ?m) AS ?memberships) (COUNT(DISTINCT ?phased) AS ?phased)
WHERE {{
  {{ ?igo a igo:IntergovernmentalOrganization OPTIONAL {{ ?igo igo:cowIoname ?n BIND(?igo AS ?cow) }} }}
  UNION {{ ?state a igo:State }}
  UNION {{ ?m a igo:Membership OPTIONAL {{ ?m igo:phase ?p BIND(?m AS ?phased) }} }}
}}"""
_PHASES = f"""PREFIX igo: <{IGO}>
SELECT ?status (COUNT(DISTINCT ?p) AS ?n) WHERE {{ ?p a igo:MembershipPhase ; igo:status ?status }}
GROUP BY ?status ORDER BY DESC(?n) ?status"""
_WORDS = {"Member": "full member", "AssociateMember": "associate member", "Observer": "observer",
          "DialoguePartner": "dialogue partner"}


def _contents(sources) -> list[str]:
    (row,) = list(sources.store.query(_COUNTS, use_default_graph_as_union=True))
    n = {k: int(row[k].value) for k in ("igos", "cowIgos", "states", "memberships", "phased")}
    phases = [(sol["status"].value.rsplit("#", 1)[-1], int(sol["n"].value))
              for sol in sources.store.query(_PHASES, use_default_graph_as_union=True)]
    cow = f" ({n['cowIgos']:,} of them in COW IGO v3)" if n["cowIgos"] else ""
    lines = [f"- {n['igos']:,} intergovernmental organizations{cow}, {n['states']:,} states",
             f"- {n['memberships']:,} memberships, {n['phased']:,} of them with status phases"]
    if phases:
        said = ", ".join(f"{count:,} {_WORDS.get(status, status)}" for status, count in phases)
        lines.append(f"- {sum(c for _, c in phases):,} status phases: {said}")
    return lines


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
        "## Contents",
        "",
        *_contents(sources),
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
