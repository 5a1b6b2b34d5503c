"""Stage: publish. A validated graph becomes a release folder, written atomically.

Input: a `Project`. Output: a `Release` in `project.release_dir` (default `dist/`):
dumps (N-Triples gzip, Turtle, JSON-LD + context), the ontology and shapes (Turtle
and RDF/XML), a VoID + DCAT description with sizes and checksums, the result of
every query in `sparql/`, SHA256SUMS, CHANGES against the previous release, and
whatever the extra writers add (site, panels).

Atomic: everything is written into a temporary sibling folder, which then takes
the release's place in one rename (an exchange where Linux offers it). A failed or
interrupted build removes its temporary folder and leaves the last good release as
it was. Reproducible: no wall clock, no random labels — the date comes from the
project (SOURCE_DATE_EPOCH or the last commit), the order from sorting.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gzip
import hashlib
import json
import os
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pyoxigraph as ox

from igokg.errors import IgokgError, PublishError, QueryError, ValidationFailed
from igokg.formats import (
    FORMATS,
    jsonld_context,
    ntriples_lines,
    sort_triples,
    turtle_text,
    write_jsonld,
    write_ntriples_gz,
    write_rdfxml,
    write_turtle,
)
from igokg.namespaces import BASE, DCAT, DCT, ID, IGO, OWL_SAMEAS, RDF_TYPE, SPDX, VOID, WD, XSD, compact
from igokg.panels import write_panels
from igokg.project import Project
from igokg.query import render, run_query, uses_service
from igokg.site import write_site
from igokg.sources import Sources, fact_triples, load_sources, parse_turtle
from igokg.validate import Report, validate_graph
from igokg.wikidata import write_wikidata_diff

__all__ = ["Release", "build_release", "write_release", "EXTRA_WRITERS", "DATASET_IRI", "DUMP_NAME", "sha256_file"]

DATASET_IRI = BASE + "dataset"
DUMP_NAME = "igokg.nt.gz"
WIKIDATA_DATASET = "https://www.wikidata.org/"
LICENSE_DATA = "https://creativecommons.org/licenses/by/4.0/"
IANA = "https://www.iana.org/assignments/media-types/"

Progress = Callable[[str], None]
#: Writers for extra parts of a release: `write(sources, out_dir)`. They run after the
#: dumps, VoID and query results are in `out_dir`, before the checksums.
EXTRA_WRITERS: list[Callable[[Sources, Path], None]] = []
EXTRA_WRITERS.append(write_panels)  # panels/: COW membership panels with CSVW metadata
EXTRA_WRITERS.append(write_wikidata_diff)  # wikidata/diff.csv|json, from the Wikidata cache only; skipped without it
EXTRA_WRITERS.append(write_site)  # index.html, id/*, ontology.html, queries.html, SVG pictures; last: it lists the files


@dataclass
class Release:
    out: Path
    triples: int
    files: dict[str, tuple[int, str]]  # relative name -> (bytes, sha256)
    report: Report
    changes: str | None = None
    queries: dict[str, int | None] = field(default_factory=dict)  # name -> rows (None: not run)

    def summary(self) -> str:
        dumps = [n for n in self.files if "/" not in n]
        lines = [
            f"release written to {self.out}",
            f"  {self.triples} triples; {self.report.warning_count} warning(s), 0 violations",
            f"  {len(self.files)} files ({len(dumps)} at the top level), {sum(b for b, _ in self.files.values())} bytes",
        ]
        for name in sorted(dumps):
            size, digest = self.files[name]
            lines.append(f"  {name:22} {size:>9}  sha256:{digest[:16]}…")
        ran = sum(1 for n in self.queries.values() if n is not None)
        lines.append(f"  {ran} queries run, {len(self.queries) - ran} federated (not run at build time)")
        if self.changes:
            lines.append("  " + self.changes.splitlines()[0])
        return "\n".join(lines) + "\n"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def build_release(project: Project, engine: str = "fast", progress: Progress | None = None) -> Release:
    """Load, validate, and publish; refuses (ValidationFailed) when there are violations."""
    say = progress or (lambda _m: None)
    sources = load_sources(project, say)
    report = validate_graph(sources, engine=engine, progress=say)
    if not report.conforms:
        raise ValidationFailed(report)
    return write_release(sources, report, project.release_dir, say)


def write_release(sources: Sources, report: Report, out: Path, progress: Progress | None = None) -> Release:
    say = progress or (lambda _m: None)
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)  # mkdtemp makes it private; a release is meant to be read
    try:
        release = _write_into(sources, report, tmp, out, say)
        say("swapping the release into place")
        _swap_into_place(tmp, out)
        release.out = out
        return release
    except IgokgError:
        raise
    except OSError as exc:
        raise PublishError(f"could not write the release ({exc}); {out} was left as it was") from None
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _write_into(sources: Sources, report: Report, tmp: Path, out: Path, say: Progress) -> Release:
    project = sources.project
    triples = sort_triples(fact_triples(sources))

    say(f"writing dumps ({len(triples)} triples)")
    write_ntriples_gz(triples, tmp / DUMP_NAME)
    header = (
        f"igokg {project.version}: the open knowledge graph of intergovernmental organizations.\n"
        f"Data licence: CC BY 4.0 ({LICENSE_DATA}). Described in void.ttl."
    )
    write_turtle(triples, tmp / "igokg.ttl", header=header)
    write_jsonld(triples, tmp / "igokg.jsonld")
    (tmp / "context.jsonld").write_text(json.dumps(jsonld_context(), indent=1) + "\n", encoding="utf-8")

    say("writing ontology and shapes")
    for stem, files in (("ontology", sources.ontology_files), ("shapes", sources.shape_files)):
        if len(files) == 1:
            shutil.copyfile(project.root / files[0], tmp / f"{stem}.ttl")
        else:  # several files: merge them
            merged = [t for rel in files for t in parse_turtle(project.root / rel, rel)]
            (tmp / f"{stem}.ttl").write_text(turtle_text(merged), encoding="utf-8")
        parts = [t for rel in files for t in parse_turtle(project.root / rel, rel)]
        write_rdfxml(parts, tmp / f"{stem}.rdf")

    say("running the example queries")
    queries = _write_query_results(sources, tmp)

    say("describing the dataset (VoID, DCAT)")
    _write_void(sources, triples, tmp)

    for writer in EXTRA_WRITERS:
        say(f"writing {writer.__name__.removeprefix('write_')}")
        writer(sources, tmp)

    changes = _changes(out / DUMP_NAME, triples, sources)
    if changes is not None:
        (tmp / "CHANGES").write_text(changes, encoding="utf-8")

    files = _checksums(tmp)
    return Release(out=tmp, triples=len(triples), files=files, report=report, changes=changes, queries=queries)


# --------------------------------------------------------------------------- queries


def _write_query_results(sources: Sources, tmp: Path) -> dict[str, int | None]:
    folder = tmp / "queries"
    folder.mkdir()
    done: dict[str, int | None] = {}
    qdir = sources.project.sparql_dir
    for path in sorted(qdir.glob("*.rq")) if qdir.is_dir() else []:
        text = path.read_text(encoding="utf-8")
        shutil.copyfile(path, folder / path.name)
        if uses_service(text):
            done[path.stem] = None  # federated: depends on a remote service, not run at build time
            continue
        try:
            result = run_query(sources.store, text, source=sources.project.relative(path))
        except QueryError as exc:
            raise PublishError(f"{exc}\n  the example query must run before a release is published") from None
        if result.kind == "graph":
            (folder / f"{path.stem}.nt").write_text(render(result, "csv"), encoding="utf-8")
            done[path.stem] = len(result.triples)
            continue
        (folder / f"{path.stem}.csv").write_text(render(result, "csv"), encoding="utf-8", newline="")
        (folder / f"{path.stem}.srj").write_text(render(result, "json"), encoding="utf-8")
        done[path.stem] = len(result.rows)
    return done


# --------------------------------------------------------------------------- VoID / DCAT


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _lit(value, datatype: str | None = None, lang: str | None = None) -> ox.Literal:
    if lang:
        return ox.Literal(str(value), language=lang)
    if datatype:
        return ox.Literal(str(value), datatype=_n(datatype))
    return ox.Literal(str(value))


DISTRIBUTIONS = [
    # file, title, format (its media type and compression come from the writer registry)
    (DUMP_NAME, "All facts as N-Triples (sorted, gzip)", "ntriples-gz"),
    ("igokg.ttl", "All facts as Turtle", "turtle"),
    ("igokg.jsonld", "All facts as JSON-LD", "jsonld"),
    ("ontology.ttl", "The igo ontology (OWL 2) as Turtle", "turtle"),
    ("ontology.rdf", "The igo ontology (OWL 2) as RDF/XML", "rdfxml"),
    ("shapes.ttl", "The SHACL shapes as Turtle", "turtle"),
    ("shapes.rdf", "The SHACL shapes as RDF/XML", "rdfxml"),
]


def _write_void(sources: Sources, triples: list[ox.Triple], tmp: Path) -> None:
    project = sources.project
    d = _n(DATASET_IRI)
    t: list[ox.Triple] = []

    def add(s, p, o):
        t.append(ox.Triple(s, _n(p), o))

    add(d, RDF_TYPE, _n(VOID + "Dataset"))
    add(d, RDF_TYPE, _n(DCAT + "Dataset"))
    add(d, DCT + "title", _lit("igokg: the open knowledge graph of intergovernmental organizations", lang="en"))
    add(
        d,
        DCT + "description",
        _lit(
            "Intergovernmental organizations, their memberships (with roles and dates), agreements, events and "
            "office holders, every fact linked to Wikidata and to the source sentence that states it.",
            lang="en",
        ),
    )
    add(d, DCT + "license", _n(LICENSE_DATA))
    add(d, DCAT + "version", _lit(project.version))
    add(d, "http://www.w3.org/2002/07/owl#versionInfo", _lit(project.version))
    if project.issued:
        add(d, DCT + "issued", _lit(project.issued, XSD + "date"))
    add(d, VOID + "uriSpace", _lit(ID))
    add(d, VOID + "vocabulary", _n(IGO))
    add(d, VOID + "exampleResource", _n(ID + "csto"))
    add(d, VOID + "exampleResource", _n(ID + "membership-sco-india"))
    add(d, DCT + "conformsTo", _n(BASE + "shapes"))

    subjects = {x.subject for x in triples}
    typed = Counter(x.object.value for x in triples if x.predicate.value == RDF_TYPE)
    by_property = Counter(x.predicate.value for x in triples)
    entities = {x.subject for x in triples if x.predicate.value == RDF_TYPE and x.subject.value.startswith(ID) and "#" not in x.subject.value}
    add(d, VOID + "triples", _lit(len(triples), XSD + "integer"))
    add(d, VOID + "entities", _lit(len(entities), XSD + "integer"))
    add(d, VOID + "distinctSubjects", _lit(len(subjects), XSD + "integer"))
    add(d, VOID + "distinctObjects", _lit(len({x.object for x in triples}), XSD + "integer"))
    add(d, VOID + "properties", _lit(len(by_property), XSD + "integer"))
    add(d, VOID + "classes", _lit(len(typed), XSD + "integer"))
    for cls, n in sorted(typed.items()):
        part = _n(f"{DATASET_IRI}/class/{_slug(cls)}")
        add(d, VOID + "classPartition", part)
        add(part, VOID + "class", _n(cls))
        add(part, VOID + "entities", _lit(n, XSD + "integer"))
    for prop, n in sorted(by_property.items()):
        part = _n(f"{DATASET_IRI}/property/{_slug(prop)}")
        add(d, VOID + "propertyPartition", part)
        add(part, VOID + "property", _n(prop))
        add(part, VOID + "triples", _lit(n, XSD + "integer"))

    links = [x for x in triples if x.predicate.value == OWL_SAMEAS and x.object.value.startswith(WD)]
    ls = _n(DATASET_IRI + "/wikidata-links")
    add(ls, RDF_TYPE, _n(VOID + "Linkset"))
    add(ls, DCT + "title", _lit("owl:sameAs links to Wikidata (verified QIDs only)", lang="en"))
    add(ls, VOID + "subjectsTarget", d)
    add(ls, VOID + "objectsTarget", _n(WIKIDATA_DATASET))
    add(ls, VOID + "linkPredicate", _n(OWL_SAMEAS))
    add(ls, VOID + "triples", _lit(len(links), XSD + "integer"))
    add(d, VOID + "subset", ls)
    add(_n(WIKIDATA_DATASET), RDF_TYPE, _n(VOID + "Dataset"))
    add(_n(WIKIDATA_DATASET), VOID + "sparqlEndpoint", _n("https://query.wikidata.org/sparql"))
    add(_n(WIKIDATA_DATASET), VOID + "uriSpace", _lit(WD))

    for name, title, fmt in DISTRIBUTIONS:
        media, compress = FORMATS[fmt].media_type, FORMATS[fmt].compress
        path = tmp / name
        dist = _n(f"{DATASET_IRI}/distribution/{name}")
        add(d, DCAT + "distribution", dist)
        add(dist, RDF_TYPE, _n(DCAT + "Distribution"))
        add(dist, DCT + "title", _lit(title, lang="en"))
        add(dist, DCAT + "downloadURL", _n(BASE + name))
        add(dist, DCAT + "mediaType", _n(IANA + media))
        if compress:
            add(dist, DCAT + "compressFormat", _n(IANA + compress))
        add(dist, DCT + "license", _n(LICENSE_DATA))
        add(dist, DCAT + "byteSize", _lit(path.stat().st_size, XSD + "nonNegativeInteger"))
        checksum = _n(f"{DATASET_IRI}/distribution/{name}#sha256")
        add(dist, SPDX + "checksum", checksum)
        add(checksum, RDF_TYPE, _n(SPDX + "Checksum"))
        add(checksum, SPDX + "algorithm", _n(SPDX + "checksumAlgorithm_sha256"))
        add(checksum, SPDX + "checksumValue", _lit(sha256_file(path), XSD + "hexBinary"))
        if name == DUMP_NAME:
            add(d, VOID + "dataDump", _n(BASE + name))

    header = "VoID and DCAT description of this release: counts, partitions, the Wikidata linkset, distributions."
    write_turtle(t, tmp / "void.ttl", header=header)


def _slug(iri: str) -> str:
    shown = compact(iri)
    return shown.replace(":", "-") if not shown.startswith("<") else hashlib.sha256(iri.encode()).hexdigest()[:12]


# --------------------------------------------------------------------------- CHANGES, checksums, swap


def _changes(previous: Path, triples: list[ox.Triple], sources: Sources) -> str | None:
    """Triples added and removed per class against the previous release, if there is one."""
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
        return compact(classes.get(t.subject.value.split("#", 1)[0], "(untyped)")) if classes.get(t.subject.value.split("#", 1)[0]) else "(untyped)"

    plus = Counter(class_of(new_by_line[line]) for line in added)
    minus = Counter(class_of(old_by_line[line]) for line in removed)
    lines = [f"Changes since the previous release: +{len(added)} / -{len(removed)} triples"]
    if not added and not removed:
        lines.append("  no change in the facts")
    for cls in sorted(set(plus) | set(minus)):
        lines.append(f"  {cls:32} +{plus.get(cls, 0):<6} -{minus.get(cls, 0)}")
    return "\n".join(lines) + "\n"


def _checksums(tmp: Path) -> dict[str, tuple[int, str]]:
    files: dict[str, tuple[int, str]] = {}
    for path in sorted(p for p in tmp.rglob("*") if p.is_file()):
        rel = path.relative_to(tmp).as_posix()
        files[rel] = (path.stat().st_size, sha256_file(path))
    lines = "".join(f"{digest}  {rel}\n" for rel, (_size, digest) in sorted(files.items()))
    (tmp / "SHA256SUMS").write_text(lines, encoding="utf-8")
    files["SHA256SUMS"] = ((tmp / "SHA256SUMS").stat().st_size, sha256_file(tmp / "SHA256SUMS"))
    return files


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2); False where the system cannot."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    rc = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return rc == 0


def _swap_into_place(tmp: Path, out: Path) -> None:
    """Put `tmp` where `out` is. After this, `tmp` holds the old release (or nothing)."""
    if out.exists() and not out.is_dir():
        raise PublishError(f"{out} exists and is not a folder; refusing to replace it")
    if not out.exists():
        os.rename(tmp, out)
        return
    if _exchange(tmp, out):
        return  # tmp now holds the previous release; the caller removes it
    # No atomic exchange: two renames, with a window in which `out` is missing but never partial.
    old = out.with_name(f".{out.name}.old-{os.getpid()}")
    os.rename(out, old)
    try:
        os.rename(tmp, out)
    except OSError:
        os.rename(old, out)
        raise
    os.rename(old, tmp)
