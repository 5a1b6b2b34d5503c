"""Panels on disk: CSV files with W3C CSV-on-the-Web (CSVW) metadata beside them; with COW IGO
v3 in the graph, the agreement of the panels with COW's own coding (`agreement`).

Each table is written as its rows are made (`tables.Panels`), through the csv module's C
writer, so memory stays that of the coded cells whatever the size of the table.
"""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from pathlib import Path

from igokg.collector import paused
from igokg.namespaces import ID, IGO
from igokg.publish.panels.agreement import Agreement, cow_agreement
from igokg.publish.panels.compute import compute_panels
from igokg.publish.panels.model import (
    _CSVW,
    _DATASET,
    _DOCS,
    _LICENSE,
    _SCHEME,
    AGREEMENT_FILE,
    CELL_RULES,
    CODES,
    MISSING,
    PANEL_FILES,
    ROLE_CODES,
    Entity,
)
from igokg.publish.panels.tables import Panels
from igokg.release import Written


def _write_csv(path: Path, header: list[str], rows, plain: bool = False) -> None:
    """One line ending everywhere: "\n" (CSVW's dialect allows it; git and diff read it best).
    `plain`: no cell needs quoting (`Panels.plain`), so a row is its cells joined by commas, the
    same bytes as the csv module's, in a third of the time (the grids have 537 cells a row)."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        if not plain:
            writer = csv.writer(fh, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
            writer.writerow(header)
            writer.writerows(rows)
            return
        fh.write(",".join(header) + "\n")
        batch: list[str] = []
        for row in rows:
            batch.append(",".join(row))
            if len(batch) == 4096:
                batch.append("")
                fh.write("\n".join(batch))
                batch = []
        if batch:
            batch.append("")
            fh.write("\n".join(batch))


def _name(title: str) -> str:
    """A CSVW column name (an RFC 6570 variable name) for a title: other characters %-encoded."""
    return re.sub(r"[^A-Za-z0-9_]", lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), title)


def _code_scheme() -> dict:
    roles = defaultdict(list)
    for iri, code in ROLE_CODES.items():
        roles[code].append({"@id": iri})
    return {
        "@id": _SCHEME,
        "@type": "skos:ConceptScheme",
        "skos:prefLabel": "Correlates of War IGO membership codes, as igokg assigns them",
        "rdfs:seeAlso": {"@id": "https://correlatesofwar.org/data-sets/igos/"},
        "skos:hasTopConcept": [
            {
                "@id": f"#code{code}",
                "skos:notation": str(code),
                "skos:prefLabel": label,
                "skos:definition": definition,
                **({"skos:related": roles[code]} if roles.get(code) else {}),
            }
            for code, (label, definition) in CODES.items()
        ],
    }


def _column(title: str, description: str, datatype: object = "string", **extra: object) -> dict:
    col = {"name": _name(title), "titles": title, "datatype": datatype, "dc:description": description}
    col.update(extra)
    return col


def _code_column(title: str, description: str, about: Entity) -> dict:
    return _column(
        title,
        description,
        {"base": "integer", "minimum": MISSING, "maximum": 3},
        required=True,
        **{"skos:inScheme": {"@id": _SCHEME}, "rdfs:seeAlso": {"@id": about.iri}},
    )


def _metadata(url: str, title: str, description: str, columns: list[dict], key: list[str], panels: Panels) -> dict:
    return {
        "@context": [_CSVW, {"@language": "en"}],
        "url": url,
        "dc:title": title,
        "dc:description": description,
        "dc:license": {"@id": _LICENSE},
        "dc:source": [
            {"@id": _DATASET},
            *({"@id": IGO + t} for t in ("Membership", "member", "organization", "role", "startDate",
                                          "endDate", "attestation", "attestedAt", "source", "quote", "phase",
                                          "status", "earliestStart", "latestStart", "earliestEnd", "latestEnd",
                                          "locator", "followingValue")),
        ],
        "dc:temporal": f"{panels.years[0]}/{panels.years[-1]}",
        "rdfs:comment": list(CELL_RULES)
        + [f"The evidence horizon of this graph is {panels.horizon}.", f"The rules for people: {_DOCS}."],
        "dc:conformsTo": _code_scheme(),
        "dialect": {"encoding": "utf-8", "header": True, "lineTerminators": ["\n"], "doubleQuote": True},
        "tableSchema": {"columns": columns, "primaryKey": [_name(k) for k in key]},
    }


def _table_metadata(panels: Panels) -> dict[str, dict]:
    yr = _column("year", "The calendar year the row describes.", {"base": "integer"}, required=True)
    igo_cols = [
        _column("igo", "The IGO's slug: its igokg IRI is https://w3id.org/igokg/id/{igo}.", required=True,
                valueUrl=ID + "{igo}"),
        _column("igo_qid", "The IGO's Wikidata item (verified QID from owl:sameAs), blank if none.",
                {"base": "string", "format": "^Q[0-9]+$"}),
        yr,
    ] + [
        _code_column(s.column, f"COW code of {s.label or s.slug} ({s.iri}) in the IGO of the row, in the year of the row.", s)
        for s in panels.states
    ]
    state_cols = [
        _column("state", "The state's slug: its igokg IRI is https://w3id.org/igokg/id/{state}.", required=True,
                valueUrl=ID + "{state}"),
        _column("state_qid", "The state's Wikidata item (verified QID from owl:sameAs), blank if none.",
                {"base": "string", "format": "^Q[0-9]+$"}),
        _column("cow_ccode", "The state's COW country code. Blank throughout: the project holds no "
                "verifiable source for COW country codes yet (seeds/reference has none).",
                {"base": "integer", "minimum": 2, "maximum": 999}),
        yr,
    ] + [
        _code_column(i.column, f"COW code of the state of the row in {i.label or i.slug} ({i.iri}), in the year of the row.", i)
        for i in panels.igos
    ]
    qid = {"base": "string", "format": "^Q[0-9]+$"}
    dyad_cols = [
        _column("state_a", "The first state of the pair (slug; state_a < state_b).", required=True, valueUrl=ID + "{state_a}"),
        _column("state_b", "The second state of the pair (slug).", required=True, valueUrl=ID + "{state_b}"),
        yr,
        _column("state_a_qid", "Wikidata item of state_a, blank if none.", qid),
        _column("state_b_qid", "Wikidata item of state_b, blank if none.", qid),
        _column("cow_ccode_a", "COW country code of state_a: blank, see state_year.csv.", {"base": "integer", "minimum": 2, "maximum": 999}),
        _column("cow_ccode_b", "COW country code of state_b: blank, see state_year.csv.", {"base": "integer", "minimum": 2, "maximum": 999}),
        _column("shared_count", "Number of IGOs in which both states are full members (code 1) in the year "
                "(at least 1: other pair-years have no row). Observers (3) and associates (2) do not count, as in "
                "COW's joint-membership measures.",
                {"base": "integer", "minimum": 1}, required=True),
        _column("shared_igos", "Slugs of those IGOs, sorted, separated by ';'.", separator=";"),
        _column("undetermined_count", "Number of IGOs where the pair may share full membership but the "
                "graph cannot tell: one state is a full member (1) there and the graph has no code for the "
                "other (-9). Which IGOs they are is in state_year.csv.",
                {"base": "integer", "minimum": 0}, required=True),
    ]
    ev_cols = [
        _column("igo", "Slug of the IGO of the cell.", required=True, valueUrl=ID + "{igo}"),
        _column("state", "Slug of the state of the cell.", required=True, valueUrl=ID + "{state}"),
        yr,
        _code_column("code", "The cell's COW code, as in igo_year.csv and state_year.csv.", Entity("code", _DATASET)),
        _column("basis", "Which rule coded the cell: period (start to end, or start to the last dated attestation), "
                "attested (a dated attestation in the year), end (the end year of a membership without "
                "a start), after-end (0 after an end date).",
                {"base": "string", "format": "^(period|attested|end|after-end)$"}, required=True),
        _column("membership", "The igo:Membership node.", "anyURI", required=True),
        _column("role", "The role that gave the code (igo:Member, igo:Observer…).", required=True),
        _column("start_date", "The membership's igo:startDate as the source gives it (day, month or year), blank if none."),
        _column("end_date", "The membership's igo:endDate, blank if none."),
        _column("attestation", "The igo:Attestation node.", "anyURI"),
        _column("attested_at", "The attestation's igo:attestedAt, blank if the source does not date it."),
        _column("source", "The igo:SourceDocument the quote is from.", "anyURI"),
        _column("source_file", "The source's text in the repository (igo:file)."),
        _column("quote", "The words of the source, verbatim."),
    ]
    ph_cols = [
        _column("igo", "Slug of the IGO.", required=True, valueUrl=ID + "{igo}"),
        _column("state", "Slug of the state.", required=True, valueUrl=ID + "{state}"),
        _column("first_year", "The first year of the span.", {"base": "integer"}, required=True),
        _column("last_year", "The last year of the span (every year from first_year to last_year has the code).",
                {"base": "integer"}, required=True),
        _code_column("code", "The COW code of every cell of the span, as in igo_year.csv and state_year.csv.",
                     Entity("code", _DATASET)),
        _column("basis", "Which rule coded the span: phase (years the phase certainly covers), after-phase (0 "
                "after a phase's end date that its source shows followed by non-membership).",
                {"base": "string", "format": "^(phase|after-phase)$"}, required=True),
        _column("membership", "The igo:Membership node.", "anyURI", required=True),
        _column("phase", "The igo:MembershipPhase node (its dates and bounds are in the graph).", "anyURI", required=True),
        _column("status", "The phase's igo:status.", required=True),
        _column("start_date", "The phase's igo:startDate, blank if the source only bounds the start."),
        _column("end_date", "The phase's igo:endDate, blank if the source only bounds the end or it is open."),
        _column("attestation", "The igo:Attestation node.", "anyURI"),
        _column("attested_at", "The attestation's igo:attestedAt, blank if none (a dataset's cells are not dated)."),
        _column("source", "The source (igo:Dataset, igo:ReferenceDocument…).", "anyURI"),
        _column("source_file", "The source's text in the repository (igo:file), blank for a pinned source."),
        _column("locator", "The record locator: table, row, column, years and the verbatim cell value, which "
                "igokg validate re-reads from the dataset; blank for a quote."),
        _column("quote", "The words of the source, verbatim; blank for a dataset's cells."),
    ]
    return {
        "phase_evidence.csv": _metadata(
            "phase_evidence.csv", "Evidence for the cells coded from status phases",
            "One row per span of years, phase and attestation: every cell a phase codes lies in a span; trace it "
            "to the record locator (a dataset's cells) or the quote (a reference document).",
            ph_cols, ["igo", "state", "first_year", "phase", "attestation"], panels),
        "igo_year.csv": _metadata(
            "igo_year.csv", "IGO-year membership panel (COW codes)",
            "One row per IGO per year, one column per state (slug_QID), COW membership codes.",
            igo_cols, ["igo", "year"], panels),
        "state_year.csv": _metadata(
            "state_year.csv", "State-year membership panel (COW codes)",
            "One row per state per year, one column per IGO (slug_QID), COW membership codes.",
            state_cols, ["state", "year"], panels),
        "dyad_year.csv": _metadata(
            "dyad_year.csv", "Dyad-year joint IGO memberships",
            "One row per pair of states (ordered by slug) per year in which they share at least one IGO as "
            "full members: those IGOs. A pair-year that shares none has no row.",
            dyad_cols, ["state_a", "state_b", "year"], panels),
        "evidence.csv": _metadata(
            "evidence.csv", "Evidence for every coded cell of the membership panels",
            "One row per cell, membership and attestation: trace any coded cell to a source and its quote.",
            ev_cols, ["igo", "state", "year", "membership", "attestation"], panels),
    }


def _agreement_metadata(panels: Panels, agreement: Agreement) -> dict:
    coded, same = agreement.coded()
    cow = {"base": "string", "format": "^(-9|NA|0|1|2|3)$"}
    cols = [
        _column("cow_code", "COW's cell in igo_year_format3: 1, 2, 3, 0, -9, or NA (the state not in the system).",
                cow, required=True),
        _code_column("panel_code", "The panel's cell for the same IGO, state (the polity of that year) and year.",
                     Entity("code", _DATASET)),
        _column("panel_basis", "Which claim gave the panel's code: phase (a year inside a phase), after-phase (0 after "
                "a phase's end date), role (an article's membership); with -9, none (the graph has no membership of the state "
                "in the IGO) or outside (it has one, whose claims do not reach the year).",
                {"base": "string", "format": "^(phase|after-phase|role|none|outside)$"}, required=True),
        _column("cells", "How many cells of igo_year_format3 are of this kind.", {"base": "integer", "minimum": 1},
                required=True),
        _column("share", "cells / all cells of igo_year_format3.", {"base": "decimal", "minimum": 0, "maximum": 1},
                required=True),
        _column("agree", "Whether the panel agrees with COW: the same code, or COW's NA beside the panel's -9.",
                "boolean", required=True),
        _column("reason", "Why the cells of this kind are as they are (docs/panels.md).", required=True),
    ]
    meta = _metadata(
        AGREEMENT_FILE, "The panels against COW IGO v3's own coding",
        "Every cell of COW's igo_year_format3 (one row per IGO and year, one column per state) beside the panel's "
        "cell, counted by kind: COW's code, the panel's code and the claim that gave it.",
        cols, ["cow_code", "panel_code", "panel_basis"], panels)
    meta["dc:source"] = [{"@id": ID + "cow-igo-v3"}, {"@id": _DATASET}]
    meta["rdfs:comment"] = [
        f"{agreement.total} cells compared: {agreement.agreeing} agree, {agreement.differing} differ.",
        f"Of the {coded} cells COW codes 0, 1, 2 or 3, the panel codes {same} the same.",
        "COW's cells are read from the pinned igo_year_format3 by the project's dataset reader; a column "
        "that spans several polities is compared, year by year, with the polity of that year.",
        f"The rules for people: {_DOCS}.",
    ]
    return meta


@paused()  # its rows, made and dropped by the hundred thousand, hold no cycle (igokg.collector)
def write_panel_files(panels: Panels, out: Path, agreement: Agreement | None = None) -> list[Path]:
    """Write the CSVs and their `*.csv-metadata.json` into `out/panels/`, with the agreement with
    COW (`cow_agreement.csv`) when it is given; return the paths."""
    folder = Path(out) / "panels"
    folder.mkdir(parents=True, exist_ok=True)
    tables = {
        "igo_year.csv": panels.igo_year,
        "state_year.csv": panels.state_year,
        "dyad_year.csv": panels.dyad_year,
        "evidence.csv": panels.evidence_table,
        "phase_evidence.csv": panels.phase_evidence_table,
    }
    meta = _table_metadata(panels)
    written = []
    plain = {"igo_year.csv", "state_year.csv", "dyad_year.csv"} if panels.plain else set()
    for name in PANEL_FILES:
        path = folder / name
        _write_csv(path, *tables[name](), plain=name in plain)
        side = folder / f"{name}-metadata.json"
        side.write_text(json.dumps(meta[name], indent=2, ensure_ascii=False) + "\n", encoding="utf-8", newline="")
        written += [path, side]
    if agreement is not None:
        path = folder / AGREEMENT_FILE
        _write_csv(path, *agreement.table())
        side = folder / f"{AGREEMENT_FILE}-metadata.json"
        side.write_text(json.dumps(_agreement_metadata(panels, agreement), indent=2, ensure_ascii=False) + "\n",
                        encoding="utf-8", newline="")
        written += [path, side]
    return written


def write_panels(build) -> list[Written]:
    """Release writer: the panels over the default span, into `panels/`, each CSV a distribution
    with its CSVW metadata beside it."""
    panels = compute_panels(build.sources.store)
    agreement = cow_agreement(panels, build.sources)
    meta = _table_metadata(panels)
    if agreement is not None:
        meta[AGREEMENT_FILE] = _agreement_metadata(panels, agreement)
    written = []
    for path in write_panel_files(panels, build.out, agreement):
        rel = path.relative_to(build.out).as_posix()
        if rel.endswith(".csv"):
            written.append(Written(rel, "text/csv", meta[path.name]["dc:title"], distribution=True))
        else:
            table = path.name.removesuffix("-metadata.json")
            written.append(Written(rel, "application/csvm+json", f"CSVW metadata of {table}", distribution=True))
    return written
