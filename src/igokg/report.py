"""Reports are data: what validation found, as values that render to text, JSON and RDF.

A `Finding` is one thing to tell a person (a SHACL result or one of the project's own
checks, with file:line); a `Report` holds them and renders them. `ShaclResult` is one SHACL
validation result as both engines spell it. `ValidationFailed` carries a report to the CLI.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field

from igokg.errors import IgokgError
from igokg.namespaces import SH, compact, expand

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
    shacl_results: list[ShaclResult] = field(default_factory=list)
    #: How validation went, one line each (which shapes pySHACL checked instead, and why).
    notes: list[str] = field(default_factory=list)

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
            f"{self.triples} triples {verdict} ({self.engine if ' ' in self.engine else self.engine + ' engine'}): "
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
        out += [f"note: {n}" for n in self.notes]
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
                "engine_notes": self.notes,
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
            path = _path_turtle(f.path)
            if path:
                props.append(f"sh:resultPath {path}")
            if f.rule.startswith("check:"):  # the project's own checks are components of their own
                props.append(f"sh:sourceConstraintComponent <urn:igokg:{f.rule}>")
            elif expand(f.rule).startswith("http"):
                props.append(f"sh:sourceShape <{expand(f.rule)}>")
            if f.value:
                props.append(f"sh:value {json.dumps(f.value, ensure_ascii=False)}")
            end = " ;" if n < len(self.findings) - 1 else " ."
            lines.append("    sh:result [ " + " ; ".join(props) + " ]" + end)
        return "\n".join(lines) + "\n"


_NAME = re.compile(r"(?<![<\w:])([A-Za-z][\w-]*):([\w.\-]*[\w-])")


def _path_turtle(path: str) -> str:
    """A finding's path (`igo:member`, `[ sh:inversePath igo:member ]`) with full IRIs; "" if none."""
    if not path:
        return ""
    if path.startswith(("<", "[", "(")) or ":" in path:
        out = _NAME.sub(lambda m: m.group(0) if m.group(1) == "sh" else f"<{expand(m.group(0))}>", path)
        return out if "<http" in out or out.startswith(("[", "(")) else ""
    return ""


@dataclass(frozen=True, order=True)
class ShaclResult:
    """One validation result, normalised so that both engines spell it alike.

    Terms are in N-Triples syntax (language tags lower-cased, xsd:string implicit); the path
    is a SHACL path in Turtle syntax (`<p>`, `[ sh:inversePath <p> ]`, `( <p> <q> )`).
    Blank nodes keep their labels: the engines agree on them only when both were
    given the same terms, e.g. the rdflib graph was made from the store by `to_rdflib`.
    A report holds one result per value and per constraint, as SHACL says: two results
    may be alike in every field (the same property shape reached twice).
    """

    focus: str
    path: str | None
    value: str | None
    component: str
    severity: str
    shape: str  # a label: the IRI, or the shape that holds a blank one
    message: str
    source_shape: str = field(default="", compare=False)  # the sh:sourceShape node: <iri> or _:label

    def key(self) -> tuple:
        """What the agreement tests compare: shape labels and messages may differ."""
        return (self.focus, self.path, self.value, self.component, self.severity)


def shacl_sort_key(r: ShaclResult) -> tuple:
    # order=True cannot compare None with str, so sort on a None-free key.
    return (r.focus, r.path or "", r.value or "", r.component, r.severity, r.shape, r.message)


class ValidationFailed(IgokgError):
    """The data is readable but violates the shapes or the project's checks."""

    exit_code = 1

    def __init__(self, report: Report) -> None:
        self.report = report
        super().__init__(f"{report.violation_count} violation(s); nothing was published")
