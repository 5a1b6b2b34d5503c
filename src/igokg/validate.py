"""Stage: validate. SHACL plus the project's own checks, as a `Report`.

Input: `Sources` (facts, ontology, shapes). Output: a `Report` — data, not prints —
that renders as text grouped by entity (with file:line), as JSON, and as a SHACL
validation report in RDF.

Two SHACL engines give the same results (tests hold them to it): `fast` runs the
shapes compiled to SPARQL on the embedded store (`igokg.shacl`), `pyshacl` runs the
reference implementation. `fast` falls back to pySHACL for a shape it cannot
compile, so the choice only ever changes speed.

The project's own checks cover what SHACL cannot see: a quote must stand verbatim
in the file its source names (and the file must be the one whose sha256 the source
records); a QID must be one the reference lists as verified; two entities must not
share a QID; an `id:` IRI that is used must be described; `igo:` terms must exist
in the ontology.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import pyoxigraph as ox

from igokg import shacl
from igokg.errors import UnsupportedShape
from igokg.namespaces import ID, IGO, OWL_SAMEAS, RDF_TYPE, SH, WD, compact, expand
from igokg.sources import Sources

__all__ = ["Finding", "Report", "validate_graph", "read_reference", "ReferenceEntry", "ENGINES"]

ENGINES = ("fast", "pyshacl")
SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


@dataclass(frozen=True, order=True)
class Finding:
    entity: str
    severity: str  # Violation | Warning | Info
    rule: str  # a shape (igosh:…) or one of the project's checks (check:…)
    message: str
    path: str = ""
    value: str = ""
    location: str = ""  # file:line where it can be told

    def sort_key(self) -> tuple:
        return (self.entity, SEVERITY_ORDER.get(self.severity, 9), self.rule, self.path, self.value, self.message)


@dataclass
class Report:
    findings: list[Finding]
    engine: str
    triples: int
    shacl_results: list[shacl.ShaclResult] = field(default_factory=list)

    @property
    def violation_count(self) -> int:
        return sum(1 for f in self.findings if f.severity == "Violation")

    @property
    def warning_count(self) -> int:
        return sum(1 for f in self.findings if f.severity == "Warning")

    @property
    def info_count(self) -> int:
        return sum(1 for f in self.findings if f.severity == "Info")

    @property
    def conforms(self) -> bool:
        return self.violation_count == 0

    def summary(self) -> str:
        verdict = "conforms" if self.conforms else "does NOT conform"
        return (
            f"{self.triples} triples {verdict} ({self.engine} engine): "
            f"{self.violation_count} violation(s), {self.warning_count} warning(s), {self.info_count} note(s)"
        )

    def to_text(self, *, min_severity: str = "Info") -> str:
        limit = SEVERITY_ORDER[min_severity]
        shown = [f for f in self.findings if SEVERITY_ORDER[f.severity] <= limit]
        # A warning repeated on many entities (say, "no Wikidata item") is one line of
        # advice and a list of places, not the same sentence twenty times.
        same: dict[tuple[str, str, str], list[Finding]] = defaultdict(list)
        for f in shown:
            if f.severity != "Violation":
                same[(f.severity, f.rule, f.message)].append(f)
        collapsed = {key: items for key, items in same.items() if len(items) >= 3}
        skip = {id(f) for items in collapsed.values() for f in items}
        by_entity: dict[str, list[Finding]] = defaultdict(list)
        for f in shown:
            if id(f) not in skip:
                by_entity[f.entity].append(f)
        out: list[str] = []
        # Entities with violations first, so the things that block a build are on top.
        order = sorted(by_entity, key=lambda e: (min(SEVERITY_ORDER[f.severity] for f in by_entity[e]), e))
        for entity in order:
            items = by_entity[entity]
            where = next((f.location for f in items if f.location), "")
            out.append(f"{compact(entity) if entity.startswith('http') else entity}" + (f"  ({where.split(':')[0]})" if where else ""))
            for f in items:
                loc = f"{f.location}: " if f.location else ""
                detail = f" [{f.path}]" if f.path else ""
                out.append(f"  {f.severity.lower():9} {loc}{f.message}{detail}  ({f.rule})")
        for (severity, rule, message), items in sorted(collapsed.items(), key=lambda kv: (SEVERITY_ORDER[kv[0][0]], kv[0][1])):
            out.append(f"{severity.lower()} ×{len(items)}: {message}  ({rule})")
            for f in items:
                name = compact(f.entity) if f.entity.startswith("http") else f.entity
                out.append(f"  {name:34} {f.location}")
        out.append(self.summary())
        return "\n".join(out) + "\n"

    def to_json(self) -> str:
        return json.dumps(
            {
                "conforms": self.conforms,
                "engine": self.engine,
                "triples": self.triples,
                "violations": self.violation_count,
                "warnings": self.warning_count,
                "notes": self.info_count,
                "findings": [asdict(f) for f in self.findings],
            },
            indent=2,
            ensure_ascii=False,
        ) + "\n"

    def to_rdf(self) -> str:
        """A SHACL validation report (Turtle), with the project's checks as extra results."""
        lines = [
            f"@prefix sh: <{SH}> .",
            "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
            "",
            "[] a sh:ValidationReport ;",
            f'    sh:conforms "{str(self.conforms).lower()}"^^xsd:boolean' + (" ;" if self.findings else " ."),
        ]
        for n, f in enumerate(self.findings):
            focus = f"<{f.entity}>" if f.entity.startswith(("http", "urn:")) else json.dumps(f.entity)
            props = [
                "a sh:ValidationResult",
                f"sh:focusNode {focus}",
                f"sh:resultSeverity sh:{f.severity}",
                f"sh:resultMessage {json.dumps(f.message, ensure_ascii=False)}",
            ]
            path = expand(f.path)
            if path.startswith("http"):
                props.append(f"sh:resultPath <{path}>")
            if f.rule.startswith("check:"):  # the project's own checks are components of their own
                props.append(f"sh:sourceConstraintComponent <urn:igokg:{f.rule}>")
            elif expand(f.rule).startswith("http"):
                props.append(f"sh:sourceShape <{expand(f.rule)}>")
            if f.value:
                props.append(f"sh:value {json.dumps(f.value, ensure_ascii=False)}")
            end = " ;" if n < len(self.findings) - 1 else " ."
            lines.append("    sh:result [ " + " ; ".join(props) + " ]" + end)
        return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- reference


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


def validate_graph(sources: Sources, engine: str = "fast", progress: Callable[[str], None] | None = None) -> Report:
    """Run the shapes and the project's checks; return every finding, sorted."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    say = progress or (lambda _m: None)
    say("checking shapes")
    used = engine
    if engine == "fast":
        try:
            compiled = shacl.compile_shapes(sources.shapes)
            results = shacl.run_shapes(compiled, sources.store, union=True)
        except UnsupportedShape:
            used = "pyshacl (fast engine fell back)"
            results = _pyshacl(sources)
    else:
        results = _pyshacl(sources)
    findings = [_from_shacl(r, sources) for r in results]
    say("checking quotes, sources and Wikidata links")
    findings += check_sources(sources)
    findings += check_quotes(sources)
    findings += check_qids(sources)
    findings += check_references(sources)
    findings += check_vocabulary(sources)
    findings = sorted(set(findings), key=Finding.sort_key)
    return Report(findings=findings, engine=used, triples=len(sources.store), shacl_results=results)


def _pyshacl(sources: Sources) -> list[shacl.ShaclResult]:
    return shacl.run_pyshacl(shacl.to_rdflib(sources.store), shacl.to_rdflib(sources.shapes, dataset=False))


def _strip(term: str) -> str:
    """An N-Triples-ish term as the report shows it."""
    if term.startswith("<") and term.endswith(">"):
        return term[1:-1]
    return term


def _from_shacl(r: shacl.ShaclResult, sources: Sources) -> Finding:
    focus = _strip(r.focus)
    path = compact(_strip(r.path)) if r.path and r.path.startswith("<") else (r.path or "")
    hint = _strip(r.path) if r.path and r.path.startswith("<") else None
    loc = sources.locate(focus, hint) if focus.startswith("http") else None
    shape = compact(_strip(r.shape)) if r.shape and r.shape.startswith("<") else "shape"
    return Finding(
        entity=focus,
        severity=r.severity.rsplit("#", 1)[-1],
        rule=shape,
        message=r.message or r.component.rsplit("#", 1)[-1],
        path=path,
        value=r.value or "",
        location=str(loc) if loc else "",
    )


def _select(store: ox.Store, query: str) -> list[dict[str, ox.NamedNode | ox.Literal]]:
    res = store.query(query, use_default_graph_as_union=True)
    names = [v.value for v in res.variables]
    return [{n: sol[n] for n in names if sol[n] is not None} for sol in res]


PREFIXES = f"PREFIX igo: <{IGO}>\nPREFIX owl: <http://www.w3.org/2002/07/owl#>\n"


def check_sources(sources: Sources) -> list[Finding]:
    """Each source document names a file that exists and has the recorded sha256."""
    out: list[Finding] = []
    root = sources.project.root
    rows = _select(
        sources.store,
        PREFIXES + "SELECT ?src ?file ?sha WHERE { ?src a igo:SourceDocument . OPTIONAL { ?src igo:file ?file } OPTIONAL { ?src igo:sha256 ?sha } }",
    )
    for row in rows:
        src = row["src"].value
        loc = sources.locate(src, IGO + "file")
        if "file" not in row:
            continue  # the shapes report a missing igo:file
        rel = row["file"].value
        path = (root / rel).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            out.append(Finding(src, "Violation", "check:source-file", f"source file {rel} does not exist", "igo:file", rel, str(loc or "")))
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if "sha" in row and row["sha"].value != digest:
            out.append(
                Finding(
                    src,
                    "Violation",
                    "check:source-sha256",
                    f"{rel} has changed since it was described (sha256 {digest[:12]}…, recorded {row['sha'].value[:12]}…); "
                    "seeds are kept byte for byte — restore the file, or re-check every quote and update igo:sha256",
                    "igo:sha256",
                    row["sha"].value,
                    str(sources.locate(src, IGO + "sha256") or ""),
                )
            )
    return out


def check_quotes(sources: Sources) -> list[Finding]:
    """Every quote stands verbatim in the file of the source it cites."""
    out: list[Finding] = []
    root = sources.project.root
    texts: dict[str, str | None] = {}
    rows = _select(
        sources.store,
        PREFIXES + "SELECT ?node ?quote ?src ?file WHERE { ?node igo:quote ?quote . OPTIONAL { ?node igo:source ?src . OPTIONAL { ?src igo:file ?file } } }",
    )
    for row in rows:
        node = row["node"].value
        quote = row["quote"].value
        if "src" not in row:
            continue  # the shapes report a quote without a source
        if "file" not in row:
            continue  # the shapes report a source without a file
        rel = row["file"].value
        if rel not in texts:
            path = (root / rel).resolve()
            try:
                texts[rel] = path.read_text(encoding="utf-8") if path.is_relative_to(root) else None
            except (OSError, UnicodeDecodeError):
                texts[rel] = None
        text = texts[rel]
        if text is None:
            continue  # check_sources reports the missing file
        if quote not in text:
            loc = sources.locate(node, quote[:40]) or sources.locate(node)
            out.append(
                Finding(
                    node,
                    "Violation",
                    "check:quote-verbatim",
                    f"quote does not stand verbatim in {rel}: copy the sentence from the file exactly (punctuation and spaces included)",
                    "igo:quote",
                    quote if len(quote) <= 80 else quote[:77] + "...",
                    str(loc or ""),
                )
            )
    return out


def check_qids(sources: Sources) -> list[Finding]:
    """owl:sameAs QIDs are ones the reference verifies, each on one entity only."""
    reference = read_reference(sources.project.reference_tsv)
    ref_rel = sources.project.relative(sources.project.reference_tsv)
    out: list[Finding] = []
    owners: dict[str, list[str]] = defaultdict(list)
    for q in sources.store.quads_for_pattern(None, ox.NamedNode(OWL_SAMEAS), None, None):
        if not isinstance(q.object, ox.NamedNode) or not q.object.value.startswith(WD):
            continue
        entity, qid = q.subject.value, q.object.value[len(WD):]
        owners[qid].append(entity)
        loc = str(sources.locate(entity, q.object.value) or "")
        entry = reference.get(qid)
        if entry is None:
            out.append(
                Finding(
                    entity, "Violation", "check:qid-verified",
                    f"wd:{qid} is not in {ref_rel}; use only verified QIDs (never guess one) or leave the entity unlinked",
                    "owl:sameAs", f"wd:{qid}", loc,
                )
            )
        elif entry.confidence == "one-source":
            out.append(
                Finding(
                    entity, "Info", "check:qid-one-source",
                    f"wd:{qid} ({entry.label}) rests on one source: to verify against Wikidata (igokg wikidata check)",
                    "owl:sameAs", f"wd:{qid}", loc,
                )
            )
    for qid, entities in owners.items():
        if len(set(entities)) > 1:
            for entity in sorted(set(entities)):
                others = ", ".join(compact(e) for e in sorted(set(entities)) if e != entity)
                out.append(
                    Finding(
                        entity, "Violation", "check:qid-unique",
                        f"wd:{qid} is also the Wikidata item of {others}; one item identifies one entity",
                        "owl:sameAs", f"wd:{qid}", str(sources.locate(entity, WD + qid) or ""),
                    )
                )
    return out


def check_references(sources: Sources) -> list[Finding]:
    """Every id: IRI used as an object is described somewhere (has a type)."""
    rows = _select(
        sources.store,
        f"""SELECT DISTINCT ?s ?p ?o WHERE {{
              ?s ?p ?o . FILTER(isIRI(?o) && STRSTARTS(STR(?o), "{ID}"))
              FILTER NOT EXISTS {{ ?o a ?type }}
            }}""",
    )
    out = []
    for row in rows:
        s, p, o = row["s"].value, row["p"].value, row["o"].value
        out.append(
            Finding(
                s, "Violation", "check:dangling-reference",
                f"{compact(o)} is used here but described nowhere: fix the spelling or add the entity (with a type)",
                compact(p), compact(o), str(sources.locate(s, compact(o)) or sources.locate(s) or ""),
            )
        )
    return out


def check_vocabulary(sources: Sources) -> list[Finding]:
    """igo: classes and properties used in the facts are declared by the ontology."""
    declared = {
        q.subject.value
        for q in sources.store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), None, None)
        if q.subject.value.startswith(IGO) and q.graph_name.value.endswith(tuple(sources.ontology_files))
    }
    out: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for rel in sources.fact_files:
        for q in sources.store.quads_for_pattern(None, None, None, sources.graph_of(rel)):
            terms = [q.predicate.value]
            if q.predicate.value == RDF_TYPE and isinstance(q.object, ox.NamedNode):
                terms.append(q.object.value)
            for term in terms:
                if term.startswith(IGO) and term not in declared and (q.subject.value, term) not in seen:
                    seen.add((q.subject.value, term))
                    out.append(
                        Finding(
                            q.subject.value, "Violation", "check:declared-term",
                            f"{compact(term)} is not a term of the ontology: check the spelling in ontology/igo.ttl",
                            compact(term), "", str(sources.locate(q.subject.value, compact(term)) or ""),
                        )
                    )
    return out
