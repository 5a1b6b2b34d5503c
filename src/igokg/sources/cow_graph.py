"""Stage: sources. The COW IGO v3 import: tables -> N-Triples of states, IGOs, memberships, phases.

Input: `CowTables`, the phases (`cow_phases`), the polity table and the COW reference tables
(QIDs with their confidence), and what the project's own files already describe (entities by
their owl:sameAs, and which have a label). Output: N-Triples text, loaded by the caller into a
named graph of its own.

Identity: a COW state or IGO whose verified QID is already the owl:sameAs of an entity of the
articles *is* that entity (id:csto, id:russia): the import adds COW's codes to it, no second
label, no second link. Others get stable IRIs: id:<slug of the state's COW name> (or of the
polity, for a split column), id:<slug of the IGO's ioname>. A QID is linked only from the
reference tables, never by matching a name or an abbreviation; `one-source` QIDs are linked
and flagged by `igokg validate -v`, `not-found` ones stay unlinked.

Every fact carries an attestation whose record locator names its cells. Deterministic: the same
tables give the same text, line for line.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from igokg.errors import SourceError
from igokg.namespaces import ID, IGO, OWL_SAMEAS, RDF_TYPE, RDFS, SKOS, WD, XSD
from igokg.sources.cow_phases import COVERAGE_END, NA_CODE, NO_ROW, Polity
from igokg.sources.cow_tables import IGO_TABLE, CowTables, cell_text
from igokg.sources.reference import CowLink

__all__ = ["Known", "cow_ntriples", "slugify", "entity_slugs"]

_STATUS = {1: IGO + "Member", 2: IGO + "AssociateMember", 3: IGO + "Observer"}
_GYEAR = f"^^<{XSD}gYear>"


@dataclass
class Known:
    """What the project's own files already say: entity IRI by QID, IRIs that have a label, IRIs
    that are subjects, and IRIs that have a type (those the import does not type again)."""

    by_qid: dict[str, str]
    labelled: set[str]
    subjects: set[str]
    typed: set[str] = field(default_factory=set)


def slugify(text: str) -> str:
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")


def _lit(text: str, lang: str | None = None) -> str:
    esc = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{esc}"@{lang}' if lang else f'"{esc}"'


def _iri(iri: str) -> str:
    return f"<{iri}>"


class _Out:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, s: str, p: str, o: str) -> None:
        self.lines.append(f"{s} {p} {o} .")


def entity_slugs(tables: CowTables, polities: list[Polity], state_links: dict[str, CowLink],
                 igo_links: dict[str, CowLink], known: Known) -> tuple[dict[tuple[str, str | None], str], dict[str, str]]:
    """IRIs of the states (by column and polity slug) and of the IGOs (by ioname)."""
    states = tables.states.drop_duplicates("state").set_index("state")
    state_iri: dict[tuple[str, str | None], str] = {}
    split = {p.column for p in polities}
    for column in tables.state_columns:
        if column in split:
            continue
        ccode = str(int(states.loc[column, "ccode"]))
        link = state_links.get(ccode)
        qid = link.qid if link else None
        state_iri[(column, None)] = known.by_qid.get(qid) if qid in known.by_qid else ID + slugify(states.loc[column, "statenme"])
    for p in polities:
        state_iri[(p.column, p.slug)] = known.by_qid.get(p.qid) if p.qid in known.by_qid else ID + p.slug
    igo_iri: dict[str, str] = {}
    for name in sorted(tables.igo["ioname"].unique()):
        link = igo_links.get(name)
        qid = link.qid if link else None
        igo_iri[name] = known.by_qid[qid] if qid in known.by_qid else ID + slugify(name)
    minted = [i for i in [*state_iri.values(), *igo_iri.values()] if i not in known.by_qid.values()]
    dupes = sorted({i for i in minted if minted.count(i) > 1})
    taken = sorted(i for i in minted if i in known.subjects)
    if dupes or taken:
        raise SourceError(
            IGO_TABLE,
            f"COW entities would share an IRI: {', '.join(dupes + taken)}",
            hint="add the entity to seeds/reference/cow-polities.tsv or give the project's entity its verified QID",
        )
    return state_iri, igo_iri


def cow_ntriples(
    tables: CowTables,
    phases: pd.DataFrame,
    polities: list[Polity],
    state_links: dict[str, CowLink],
    igo_links: dict[str, CowLink],
    known: Known,
    source_iri: str,
) -> str:
    """The COW graph as N-Triples."""
    state_iri, igo_iri = entity_slugs(tables, polities, state_links, igo_links, known)
    out = _Out()
    _states(out, tables, polities, state_links, known, state_iri)
    _igos(out, tables, igo_links, known, igo_iri, source_iri)
    out.lines.extend(_phase_lines(phases, state_iri, igo_iri, source_iri, known))
    return "\n".join(out.lines) + "\n"


def _link(out: _Out, s: str, qid: str | None, known: Known, iri: str) -> None:
    if qid and iri not in known.by_qid.values():
        out.add(s, _iri(OWL_SAMEAS), _iri(WD + qid))


def _states(out: _Out, tables: CowTables, polities: list[Polity], links: dict[str, CowLink], known: Known,
            state_iri: dict[tuple[str, str | None], str]) -> None:
    spells = tables.states.sort_values(["ccode", "styear"])
    by_column = {c: g for c, g in spells.groupby("state", sort=True)}
    for (column, slug), iri in sorted(state_iri.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        s = _iri(iri)
        g = by_column[column]
        ccode = int(g["ccode"].iloc[0])
        polity = next((p for p in polities if p.column == column and p.slug == slug), None)
        first, last = (polity.first_year, polity.last_year or COVERAGE_END) if polity else (0, 9999)
        if iri not in known.typed:  # the project's own entity is typed already: no second copy
            out.add(s, _iri(RDF_TYPE), _iri(IGO + "State"))
        label = polity.label if polity else str(g["statenme"].iloc[0])
        if iri not in known.labelled:
            out.add(s, _iri(RDFS + "label"), _lit(label, "en"))
        elif polity is None:
            out.add(s, _iri(SKOS + "altLabel"), _lit(label, "en"))
        out.add(s, _iri(IGO + "cowCode"), f'"{ccode}"^^<{XSD}integer>')
        out.add(s, _iri(IGO + "cowColumn"), _lit(column))
        if polity:
            out.add(s, _iri(IGO + "cowFirstYear"), f'"{first}"{_GYEAR}')
            if polity.last_year is not None:
                out.add(s, _iri(IGO + "cowLastYear"), f'"{polity.last_year}"{_GYEAR}')
            _link(out, s, polity.qid, known, iri)
        else:
            link = links.get(str(ccode))
            _link(out, s, link.qid if link else None, known, iri)
        for start, end in zip(g["styear"], g["endyear"]):
            if first <= int(start) <= last:
                out.add(s, _iri(IGO + "enteredSystem"), f'"{int(start)}"{_GYEAR}')
            if first <= int(end) <= last and int(end) < 2016:  # 2016: the end of states2016's coverage
                out.add(s, _iri(IGO + "leftSystem"), f'"{int(end)}"{_GYEAR}')


def _dated_event(out: _Out, iri: str, cls: str, label: str, link: str, igo: str, year: int,
                 cell: tuple[str, str, str, str]) -> str:
    """A founding or an end of an IGO in COW's year, attested by the cell it is read from
    (`cell`: source, row, column, value); its IRI."""
    e = _iri(iri)
    out.add(e, _iri(RDF_TYPE), _iri(IGO + cls))
    out.add(e, _iri(RDFS + "label"), _lit(label, "en"))
    out.add(e, _iri(IGO + link), igo)
    out.add(e, _iri(IGO + "date"), f'"{year}"{_GYEAR}')
    source_iri, row, column, value = cell
    att = _iri(f"{iri}-{column}")
    out.add(e, _iri(IGO + "attestation"), att)
    _locator(out, att, source_iri, IGO_TABLE, row, column, value)
    return e


def _locator(out: _Out, att: str, source_iri: str, table: str, row: str, column: str, value: str,
             years: tuple[int, int] | None = None) -> None:
    loc = att[:-1] + "-cells>"
    out.add(att, _iri(RDF_TYPE), _iri(IGO + "Attestation"))
    out.add(att, _iri(IGO + "source"), _iri(source_iri))
    out.add(att, _iri(IGO + "locator"), loc)
    out.add(loc, _iri(RDF_TYPE), _iri(IGO + "RecordLocator"))
    out.add(loc, _iri(IGO + "table"), _lit(table))
    out.add(loc, _iri(IGO + "row"), _lit(row))
    out.add(loc, _iri(IGO + "column"), _lit(column))
    out.add(loc, _iri(IGO + "cellValue"), _lit(value))
    if years:
        out.add(loc, _iri(IGO + "firstYear"), f'"{years[0]}"{_GYEAR}')
        out.add(loc, _iri(IGO + "lastYear"), f'"{years[1]}"{_GYEAR}')


def _igos(out: _Out, tables: CowTables, links: dict[str, CowLink], known: Known, igo_iri: dict[str, str],
          source_iri: str) -> None:
    igo = tables.igo.sort_values(["ioname", "year"])
    for name, g in igo.groupby("ioname", sort=True):
        iri = igo_iri[name]
        s = _iri(iri)
        slug = iri[len(ID):]
        first = g.iloc[0]
        long_name = str(first["longorgname"]).strip() or str(first["orgname"]).strip()
        if iri not in known.typed:
            out.add(s, _iri(RDF_TYPE), _iri(IGO + "IntergovernmentalOrganization"))
        out.add(s, _iri(RDFS + "label" if iri not in known.labelled else SKOS + "altLabel"), _lit(long_name, "en"))
        for alt in sorted({str(first["orgname"]).strip(), name} - {long_name}):
            out.add(s, _iri(SKOS + "altLabel"), _lit(alt, "en"))
        out.add(s, _iri(IGO + "cowIoname"), _lit(name))
        out.add(s, _iri(IGO + "cowIonum"), f'"{int(first["ionum"])}"^^<{XSD}integer>')
        link = links.get(name)
        _link(out, s, link.qid if link else None, known, iri)
        row = f"ioname={name}"
        if not np.isnan(first["sdate"]):
            _dated_event(out, f"{ID}founding-{slug}-cow", "Founding", f"Founding of {name}, per COW IGO v3", "founded", s,
                         int(first["sdate"]), (source_iri, row, "sdate", cell_text(first["sdate"])))
        dead = g["deaddate"].dropna()
        if len(dead):
            year = int(dead.iloc[0])
            d = _dated_event(out, f"{ID}dissolution-{slug}-cow", "Dissolution", f"End of {name}, per COW IGO v3", "dissolved",
                             s, year, (source_iri, row, "deaddate", cell_text(dead.iloc[0])))
            for flag, kind in (("integrated", "Integrated"), ("replaced", "Replaced"), ("dead", "Ceased")):
                flagged = g[g[flag] == 1]
                if flag == "dead" and (g["integrated"].eq(1).any() or g["replaced"].eq(1).any()):
                    continue  # dead is set with integrated/replaced too; the specific kind says more
                if len(flagged) and (g[g["year"] >= flagged["year"].min()][flag] == 1).all():
                    out.add(d, _iri(IGO + "endKind"), _iri(IGO + kind))
                    att = _iri(f"{ID}dissolution-{slug}-cow-{flag}")
                    out.add(d, _iri(IGO + "attestation"), att)
                    years = (int(flagged["year"].min()), int(g["year"].max()))
                    _locator(out, att, source_iri, IGO_TABLE, row, flag, "1", years)
                    break


def _code_text(codes: pd.Series) -> pd.Series:
    return codes.map(lambda c: "NA" if c == NA_CODE else str(c))


def _phase_lines(phases: pd.DataFrame, state_iri: dict, igo_iri: dict, source_iri: str, known: Known) -> list[str]:
    """Membership, phase, attestation and locator triples, built column-wise over all phases."""
    p = phases.sort_values(["ioname", "column", "first"]).reset_index(drop=True)
    keys = list(zip(p["column"], p["polity"].where(p["polity"].notna(), None)))
    state = pd.Series([state_iri[(c, s)] for c, s in keys])
    org = p["ioname"].map(igo_iri)
    m = "<" + ID + "membership-" + org.str[len(ID):] + "-" + state.str[len(ID):] + ">"
    ph = m.str[:-1] + "-phase-" + p["first"].astype(str) + ">"
    att = ph.str[:-1] + "-cow>"
    loc = ph.str[:-1] + "-cow-cells>"
    year = lambda s: '"' + s.astype(str) + '"' + _GYEAR  # noqa: E731
    T = lambda pred: " <" + pred + "> "  # noqa: E731
    cols: list[pd.Series] = []

    def add(subj: pd.Series, pred: str, obj: pd.Series | str, mask: pd.Series | None = None) -> None:
        line = subj + T(pred) + obj + " ."
        cols.append(line[mask] if mask is not None else line)

    # A membership the articles type already has its member and organization: a copy in this
    # graph would show twice in queries over the union of graphs. One the project only adds a
    # phase to (data/factbook.ttl) is typed here, with its member and organization.
    first_of_membership = ~m.duplicated() & ~m.str[1:-1].isin(known.typed)
    add(m, RDF_TYPE, f"<{IGO}Membership>", first_of_membership)
    add(m, IGO + "member", "<" + state + ">", first_of_membership)
    add(m, IGO + "organization", "<" + org + ">", first_of_membership)
    add(m, IGO + "phase", ph)
    add(ph, RDF_TYPE, f"<{IGO}MembershipPhase>")
    add(ph, IGO + "status", "<" + p["code"].map(_STATUS) + ">")
    for col, pred in (("start", "startDate"), ("earliest_start", "earliestStart"), ("latest_start", "latestStart"),
                      ("end", "endDate"), ("earliest_end", "earliestEnd"), ("latest_end", "latestEnd")):
        mask = p[col] >= 0
        add(ph, IGO + pred, year(p[col]), mask)
    add(ph, IGO + "attestation", att)
    add(att, RDF_TYPE, f"<{IGO}Attestation>")
    add(att, IGO + "source", f"<{source_iri}>")
    add(att, IGO + "locator", loc)
    add(loc, RDF_TYPE, f"<{IGO}RecordLocator>")
    add(loc, IGO + "table", f'"{IGO_TABLE}"')
    add(loc, IGO + "row", '"ioname=' + p["ioname"] + '"')
    add(loc, IGO + "column", '"' + p["column"] + '"')
    add(loc, IGO + "cellValue", '"' + p["code"].astype(str) + '"')
    add(loc, IGO + "firstYear", year(p["first"]))
    add(loc, IGO + "lastYear", year(p["last"]))
    add(loc, IGO + "precedingValue", '"' + _code_text(p["prev"]) + '"', p["prev"] != NO_ROW)
    add(loc, IGO + "followingValue", '"' + _code_text(p["next"]) + '"', p["next"] != NO_ROW)
    return pd.concat(cols, ignore_index=True).tolist()

