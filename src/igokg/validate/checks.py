"""The project's own checks: what SHACL cannot see."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox

from igokg.namespaces import ID, IGO, OWL_SAMEAS, RDF_TYPE, WD, compact
from igokg.report import Finding
from igokg.sources import Sources
from igokg.sources.reference import read_references


def _select(store: ox.Store, query: str) -> list[dict[str, ox.NamedNode | ox.Literal]]:
    res = store.query(query, use_default_graph_as_union=True)
    names = [v.value for v in res.variables]
    return [{n: sol[n] for n in names if sol[n] is not None} for sol in res]


PREFIXES = f"PREFIX igo: <{IGO}>\nPREFIX owl: <http://www.w3.org/2002/07/owl#>\n"


class SourceFiles:
    """The files the source documents name, each found inside the project and read once.

    `check_sources` hashes a file and `check_quotes` searches its text: one read serves both.
    A folder is resolved once (thousands of sources share a few folders: resolving every path
    from the root was half of these checks at a million triples); a name that is a link, or
    no plain name, is resolved whole. A path that leaves the project is not read.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._folders: dict[str, Path] = {}
        self._bytes: dict[str, bytes | None] = {}
        self._texts: dict[str, str | None] = {}

    def _path(self, rel: str) -> Path | None:
        folder, _, name = rel.rpartition("/")
        base = self._folders.get(folder)
        if base is None:
            base = self._folders[folder] = (self.root / folder).resolve()
        path = base / name
        if name in ("", ".", "..") or path.is_symlink():
            path = path.resolve()
        return path if path.is_relative_to(self.root) else None

    def data(self, rel: str) -> bytes | None:
        """The file's bytes; None when it is missing, not a file, unreadable or outside the project."""
        if rel not in self._bytes:
            path = self._path(rel)
            try:
                self._bytes[rel] = path.read_bytes() if path is not None else None
            except OSError:
                self._bytes[rel] = None
        return self._bytes[rel]

    def text(self, rel: str) -> str | None:
        """The file as text, line ends as Python reads text (universal newlines); None if unusable."""
        if rel not in self._texts:
            data = self.data(rel)
            try:
                text = data.decode("utf-8") if data is not None else None
            except UnicodeDecodeError:
                text = None
            self._texts[rel] = text.replace("\r\n", "\n").replace("\r", "\n") if text else text
        return self._texts[rel]


def check_sources(sources: Sources, files: SourceFiles | None = None) -> list[Finding]:
    """Each source document names a file that exists and has the recorded sha256."""
    out: list[Finding] = []
    files = files or SourceFiles(sources.project.root)
    rows = _select(
        sources.store,
        PREFIXES + "SELECT ?src ?file ?sha WHERE { ?src a igo:SourceDocument . OPTIONAL { ?src igo:file ?file } OPTIONAL { ?src igo:sha256 ?sha } }",
    )
    digests: dict[str, str] = {}
    for row in rows:
        if "file" not in row:
            continue  # the shapes report a missing igo:file
        src = row["src"].value
        rel = row["file"].value
        digest = digests.get(rel)
        if digest is None:
            data = files.data(rel)
            if data is None:
                loc = sources.locate(src, IGO + "file")
                out.append(Finding(src, "Violation", "check:source-file", f"source file {rel} does not exist", "igo:file", rel, str(loc or "")))
                continue
            digest = digests[rel] = hashlib.sha256(data).hexdigest()
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


# Joins the quotes of one file for a first pass. A quote that holds it can only make that pass
# fail, and a failed pass is followed by the exact one for that file: it never hides a finding.
_QUOTE_SEPARATOR = "\u0000"


def check_quotes(sources: Sources, files: SourceFiles | None = None) -> list[Finding]:
    """Every quote stands verbatim in the file of the source it cites.

    First one row per file with its distinct quotes joined (the store does the grouping: at a
    million triples that is thousands of rows instead of hundreds of thousands); only for a
    file where some quote is missing are the quotes fetched one by one, to name their nodes.
    """
    out: list[Finding] = []
    files = files or SourceFiles(sources.project.root)
    grouped = _select(
        sources.store,
        PREFIXES + f"""SELECT ?file (GROUP_CONCAT(DISTINCT ?quote; separator="{_QUOTE_SEPARATOR}") AS ?quotes)
        WHERE {{ ?node igo:quote ?quote ; igo:source ?src . ?src igo:file ?file }} GROUP BY ?file""",
    )
    suspect = []
    for row in grouped:
        if "file" not in row:
            continue
        rel = row["file"].value
        text = files.text(rel)
        if text is None:
            continue  # check_sources reports the missing file
        if not all(q in text for q in row["quotes"].value.split("\x00")):
            suspect.append(row["file"])
    for file in sorted(suspect, key=lambda f: f.value):
        rel = file.value
        text = files.text(rel)
        rows = _select(
            sources.store,
            PREFIXES + f"SELECT ?node ?quote WHERE {{ ?node igo:quote ?quote ; igo:source ?src . ?src igo:file {file} }}",
        )
        for row in rows:
            node = row["node"].value
            quote = row["quote"].value
            if quote in text:
                continue
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
    reference = read_references(sources.project.reference_tsv)
    ref_rel = sources.project.relative(sources.project.reference_tsv) + " (or the COW tables beside it)"
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
    """igo: classes and properties used in the facts are declared by the ontology.

    The terms used are the store's count of them (`Sources.term_uses`, which VoID reads too),
    so the facts are not walked in Python; only an undeclared term's subjects are fetched.
    """
    declared = {
        q.subject.value
        for rel in sources.ontology_files
        for q in sources.store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), None, sources.graph_of(rel))
        if q.subject.value.startswith(IGO)
    }
    predicates, classes = sources.term_uses()
    used = set(predicates) | {c.value for c in classes if isinstance(c, ox.NamedNode)}
    undeclared = sorted(term for term in used if term.startswith(IGO) and term not in declared)
    out: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for term in undeclared:
        node = ox.NamedNode(term)
        for rel in sources.fact_files:
            graph = sources.graph_of(rel)
            subjects = [q.subject for q in sources.store.quads_for_pattern(None, node, None, graph)]
            subjects += [q.subject for q in sources.store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), node, graph)]
            for subject in subjects:
                if (subject.value, term) in seen:
                    continue
                seen.add((subject.value, term))
                out.append(
                    Finding(
                        subject.value, "Violation", "check:declared-term",
                        f"{compact(term)} is not a term of the ontology: check the spelling in ontology/igo.ttl",
                        compact(term), "", str(sources.locate(subject.value, compact(term)) or ""),
                    )
                )
    return out
