"""Stage: publish (site). Write the browsable, static part of a release."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from importlib import resources
from pathlib import Path

import pyoxigraph as ox
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from igokg.errors import PublishError
from igokg.namespaces import (
    BASE,
    IGO,
    compact,
)
from igokg.publish.site.conflicts import conflicts_data
from igokg.publish.site.data import DataFiles
from igokg.publish.site.entities import _entity_page
from igokg.publish.site.graph import _entity_iris, _index, _slug
from igokg.publish.site.links import Links, Relations, _memberships, _relations
from igokg.publish.site.ontology_doc import _ontology_terms
from igokg.publish.site.pictures import matrix_data, member_timeline_data, timeline_data
from igokg.publish.site.queries import _downloads, _queries
from igokg.publish.writers.search import entries_of, search_index_js
from igokg.release import SEARCH_INDEX_JS, Written
from igokg.sources import Sources


class _Environment(Environment):
    """Jinja with `x.key` looking into a dict first: the pages' values are dicts, and Jinja's
    default (an attribute first, the item after its AttributeError) was a fifth of the time of
    rendering a page. Falls back to Jinja's own lookup, so undefined names stay errors."""

    def getattr(self, obj, attribute):
        if type(obj) is dict:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


def _environment() -> Environment:
    env = _Environment(
        loader=PackageLoader("igokg", "templates"),
        autoescape=select_autoescape(["html", "svg", "xml"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["compact"] = compact
    env.filters["thousands"] = lambda n: f"{n:,}"
    # Set before any template is loaded: a template sees the globals there were when it loaded.
    env.globals["value"] = _cached_value(lambda: env.get_template("site_macros.html").module.render_value)
    return env


def _cached_value(load_macro, limit: int = 200_000):
    """`value(v)` for the templates: the macro `render_value` (the HTML of one term stays in the
    template), called once per distinct term. The same states, organizations and sources appear
    on thousands of pages; a macro call was most of a page's rendering time."""
    memo: dict[tuple, object] = {}
    macro = None

    def value(v: dict):
        nonlocal macro
        if macro is None:
            macro = load_macro()
        if v["kind"] == "union":
            return macro(v)
        key = (v["kind"], v["text"], v.get("href"), v.get("lang"), v.get("precision"))
        html = memo.get(key)
        if html is None:
            if len(memo) >= limit:
                memo.clear()
            html = memo[key] = macro(v)
        return html

    return value


class _Files:
    """Writes the site's files and remembers each as `Written` (path, media type); when given
    `finished`, also its sha256 in `digests`, its size in `finished`, and its mtime clamped to
    `epoch` (SOURCE_DATE_EPOCH) as it is written: a release lists every file in SHA256SUMS and
    dates every file, and doing both with the bytes and the file in hand spares reading, stating
    and touching a quarter of a million files again at the end (`build._checksums`,
    `atomic.clamp_mtimes`). One open, write, fstat and close a file, no pathlib."""

    def __init__(self, out: Path, digests: dict[str, str] | None = None, finished: dict[str, int] | None = None,
                 epoch: int | None = None) -> None:
        self.out = out
        self.written: list[Written] = []
        self.digests = digests
        self.finished = finished
        self.epoch = epoch
        self._root = os.fspath(out) + os.sep
        self._folders: set[str] = set()

    def write(self, rel: str, media_type: str, data: bytes) -> None:
        self.written.append(Written(rel, media_type))
        folder, _, _name = rel.rpartition("/")
        if folder not in self._folders:
            (self.out / folder).mkdir(parents=True, exist_ok=True)
            self._folders.add(folder)
        fd = os.open(self._root + rel, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            if self.finished is not None and self.epoch is not None and os.fstat(fd).st_mtime > self.epoch:
                os.utime(fd, (self.epoch, self.epoch))  # clamped, never moved forward (as clamp_mtimes)
        finally:
            os.close(fd)
        if self.digests is not None:
            self.digests[rel] = hashlib.sha256(data).hexdigest()
        if self.finished is not None:
            self.finished[rel] = len(data)

    def text(self, rel: str, text: str) -> None:
        media = {".html": "text/html", ".svg": "image/svg+xml"}[Path(rel).suffix]
        self.write(rel, media, text.encode("utf-8"))


# Entity pages are most of a large site (237,000 files on the full graph, nine tenths of the
# site's time). Above PARALLEL_FROM entities they are rendered by forked processes, one
# contiguous share of the entities each, once everything a page reads (the index, the relations,
# the timelines, the templates) is computed: a page is a function of that, so the files are the
# same bytes whatever the number of processes. Fork shares the index without pickling it.
PARALLEL_FROM = 5_000
_PAGES: dict | None = None  # what the forked renderers read; set before the pool forks


def page_processes(entities: int) -> int:
    """Processes for the entity pages: one per CPU this process may use (at most 8), or one for a
    small site (forking costs more than it saves)."""
    if entities < PARALLEL_FROM or not hasattr(os, "fork"):
        return 1
    return max(1, min(8, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))


def _render_pages(lo: int, hi: int, files: _Files | None = None) -> tuple[list[Written], dict[str, str], dict[str, int]]:
    """The pages and data files of entities[lo:hi] (in a forked process, or in this one)."""
    job = _PAGES
    assert job is not None
    if files is None:
        files = _Files(job["out"], {} if job["digests"] is not None else None,
                       {} if job["finished"] is not None else None, job["epoch"])
    g, deep, rel, page, timelines, common = job["g"], job["deep"], job["rel"], job["page"], job["timelines"], job["common"]
    data, involved = DataFiles(g, files), job["conflicts"]
    for iri in job["entities"][lo:hi]:
        ctx = _entity_page(g, deep, iri, rel)
        timeline = timelines.get(iri)
        if timeline is None and iri in rel.by_member and IGO + "State" in g.types(iri):  # a state's, compact
            timeline = job["svg_timeline"].render(t=member_timeline_data(g, iri, rel, "../"), standalone=False)
        files.text(f"id/{ctx['slug']}.html", page.render(
            root="../", e=ctx, jsonld=_script_json(data.write(iri)), timeline=timeline, conflicts=involved.get(iri, []),
            timeline_file=(f"../timeline-{_slug(iri)}.svg" if iri in timelines else None), **common))
    return files.written, files.digests or {}, files.finished or {}


def _entity_pages(files: _Files, processes: int) -> None:
    n = len(_PAGES["entities"])
    if processes <= 1:
        _render_pages(0, n, files)
        return
    bounds = [(n * k // processes, n * (k + 1) // processes) for k in range(processes)]
    (files.out / "id").mkdir(parents=True, exist_ok=True)
    try:
        with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork")) as pool:
            shares = [pool.submit(_render_pages, lo, hi) for lo, hi in bounds]
            for share in shares:  # in entity order, as one process would have written them
                written, digests, finished = share.result()
                files.written += written
                if files.digests is not None:
                    files.digests.update(digests)
                if files.finished is not None:
                    files.finished.update(finished)
    except BrokenProcessPool:
        raise PublishError(f"a process rendering the site's pages was killed (out of memory?) while writing into "
                           f"{files.out}; nothing was published") from None


def write_site(build) -> list[Written]:
    """Release writer: the static site (see the package docstring for the files)."""
    return render_site(build.sources, build.out, build.written, nt=build.ntriples(), digest=build.sha256,
                       digests=build.digests, finished=build.finished, epoch=build.project.source_date_epoch)


def render_site(sources: Sources, out: Path, before: list[Written] = (), *, nt: bytes | None = None,
                digest: Callable[[str], str] | None = None, digests: dict[str, str] | None = None,
                finished: dict[str, int] | None = None, epoch: int | None = None,
                processes: int | None = None) -> list[Written]:
    """Write the static site into `out`; `before` is what the release holds already (the
    downloads the landing page lists). When the caller has them (a build does): `nt`, the facts
    as canonical N-Triples; `digest`, the sha256 of a file already in `out`; `digests`, where to
    put the sha256 of every file written here; `finished`, where to put the size of every file
    written here, each then dated `epoch` at the latest (see `_Files`). `processes`: for the
    entity pages (default: `page_processes`)."""
    global _PAGES
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    files = _Files(out, digests, finished, epoch)
    _write = files.text
    project = sources.project
    g = _index(sources, nt)
    entities = _entity_iris(g)
    entity_set = set(entities)
    top = Links(g, "", entity_set)
    deep = Links(g, "../", entity_set)
    # Computed once, with links from id/ (the pictures at the top level use no link of theirs).
    memberships = _memberships(g, deep)
    rel = _relations(g, memberships)
    env = _environment()
    downloads = _downloads(out, before, digest)

    common = {
        "version": project.version,
        "issued": project.issued,
        "base_iri": BASE,
    }

    # Pictures: files at the top level, and the same drawings inline on the pages.
    orgs = sorted({m.org for m in memberships}, key=lambda o: (g.short(o), o))
    svg_timeline = env.get_template("site_timeline.svg")
    svg_matrix = env.get_template("site_matrix.svg")
    inline_timelines: dict[str, str] = {}
    for org in orgs:
        _write(f"timeline-{_slug(org)}.svg", svg_timeline.render(t=timeline_data(g, org, rel, ""), standalone=True))
        inline_timelines[org] = svg_timeline.render(t=timeline_data(g, org, rel, "../"), standalone=False)
    matrix = matrix_data(g, rel, "")
    _write("matrix.svg", svg_matrix.render(m=matrix, standalone=True))
    index_rel, matrix_scope = _index_matrix(g, rel)
    inline_matrix = svg_matrix.render(m=matrix if index_rel is rel else matrix_data(g, index_rel, ""), standalone=False)

    # Where the sources disagree: a page, linked from the landing page and each entity involved.
    conflicts, involved = conflicts_data(g, top, sources)
    _write("conflicts.html", env.get_template("site_conflicts.html").render(
        root="", conflicts=conflicts, files=[f for f in ("conflicts.csv", "conflicts.json", "queries/conflicts.rq") if (out / f).is_file()],
        **common))

    # Entity pages and their data: the page embeds the data as JSON-LD, for static hosts.
    _PAGES = {"g": g, "deep": deep, "rel": rel, "page": env.get_template("site_entity.html"), "entities": entities,
              "timelines": inline_timelines, "svg_timeline": svg_timeline, "conflicts": involved,
              "common": common, "out": out, "digests": digests,
              "finished": finished, "epoch": epoch}
    try:
        _entity_pages(files, page_processes(len(entities)) if processes is None else processes)
    finally:
        _PAGES = None

    # Index of entities, by class.
    by_class: dict[str, list[str]] = {}
    for iri in entities:
        for t in g.types(iri):
            by_class.setdefault(t, []).append(iri)
    classes = [
        {"class": top.term(ox.NamedNode(c)), "count": len(members),
         "entities": [top.term(ox.NamedNode(e)) for e in sorted(members, key=lambda e: (g.label(e), e))]}
        for c, members in sorted(by_class.items(), key=lambda kv: (g.label(kv[0]), kv[0]))
    ]
    _write("entities.html", env.get_template("site_entities.html").render(root="", classes=classes, **common))

    # Landing page.
    sources_count = len(by_class.get(IGO + "SourceDocument", []))
    org_rows = [
        {"org": top.term(ox.NamedNode(o)), "short": g.short(o),
         "members": len({m.member for m in rel.by_org[o] if m.role in ("founding", "member")}),
         "observers": len({m.member for m in rel.by_org[o] if m.role in ("observer", "partner")}),
         "timeline": f"timeline-{_slug(o)}.svg"}
        for o in orgs
    ]
    other_orgs = [top.term(ox.NamedNode(o)) for o in sorted(by_class.get(IGO + "IntergovernmentalOrganization", []),
                                                          key=lambda o: (g.label(o), o)) if o not in orgs]
    year = (project.issued or "")[:4]
    _write("index.html", env.get_template("site_index.html").render(
        root="", triples=g.triples, entity_count=len(entities), classes=classes,
        memberships=len(memberships), sources_count=sources_count, orgs=org_rows, other_orgs=other_orgs,
        downloads=downloads, matrix=inline_matrix, matrix_scope=matrix_scope, year=year, conflicts=conflicts, **common))

    # Ontology documentation.
    header, sections = _ontology_terms(g, top)
    _write("ontology.html", env.get_template("site_ontology.html").render(
        root="", header=header, sections=sections,
        downloads=[d["name"] for d in downloads if d["name"].startswith("ontology.")], **common))

    # Example queries.
    _write("queries.html", env.get_template("site_queries.html").render(
        root="", queries=_queries(sources, out, g, top), **common))

    # Search without a server: the index as a script, and a page that searches it in the browser.
    files.write(SEARCH_INDEX_JS, "text/javascript", search_index_js(entries_of(sources)).encode("utf-8"))
    _write("search.html", env.get_template("site_search.html").render(root="", **common))

    # Style sheet and script.
    for name, media in (("site.css", "text/css"), ("search.js", "text/javascript")):
        files.write(f"static/{name}", media, resources.files("igokg").joinpath(f"static/{name}").read_bytes())
    return files.written


#: Above this many organizations the landing page draws the articles' part of the matrix only
#: (the full one, 224 states x 534 organizations on the full graph, is 4 MB: matrix.svg).
INDEX_MATRIX_ORGS = 40


def _index_matrix(g, rel: Relations) -> tuple[Relations, dict | None]:
    """The memberships the landing page's matrix draws, and what it leaves out (None: all)."""
    if len(rel.by_org) <= INDEX_MATRIX_ORGS:
        return rel, None
    stated = [m for m in rel.memberships if g.iris(m.iri, IGO + "role")]  # the articles': a role, not phases
    part = _relations(g, stated)
    return part, {"orgs": len(part.by_org), "all_orgs": len(rel.by_org), "all_states": len(rel.by_member)}


#: Larger descriptions are linked from the page, not embedded in it (the COW dataset's, with
#: its 20,000 attestations, is 3 MB: a page to read should not carry that).
EMBED_LIMIT = 512 * 1024


def _script_json(jsonld: bytes) -> str | None:
    """JSON-LD to embed in `<script>`: no "<", ">" or "&" left to end the element early (the
    JSON escapes read the same); None over `EMBED_LIMIT`."""
    if len(jsonld) > EMBED_LIMIT:
        return None
    return jsonld.decode("utf-8").replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")

