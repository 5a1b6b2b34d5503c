"""Stage: publish (site). Write the browsable, static part of a release: what every page reads,
computed once; the top-level pages and pictures; the entity pages through `pages`."""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from pathlib import Path

import pyoxigraph as ox
from jinja2 import Environment, PackageLoader, StrictUndefined, Template, select_autoescape
from jinja2.runtime import Context, Macro
from markupsafe import escape as _markup_escape

try:
    from markupsafe._speedups import _escape_inner
except ImportError:  # markupsafe without its C speedups, or a later one without this name
    def _escape_inner(s: str) -> str:
        return str(_markup_escape(s))

from igokg.collector import freeze, paused, thaw
from igokg.namespaces import (
    BASE,
    IGO,
    compact,
)
from igokg.publish.site.conflicts import conflicts_data
from igokg.publish.site.graph import _entity_iris, _index, _slug
from igokg.publish.site.links import Links, Relations, _memberships, _relations
from igokg.publish.site.ontology_doc import _ontology_terms
from igokg.publish.site.pages import Renderers, _Files, page_processes
from igokg.publish.site.pictures import matrix_data, timeline_data
from igokg.publish.site.queries import _downloads, _queries
from igokg.publish.writers.search import entries_of, search_index_js
from igokg.release import SEARCH_INDEX_JS, Written
from igokg.sources import Sources


class _Context(Context):
    """Jinja's context, calling macros and `value` straight away. Jinja's `Context.call` asks
    every callable, on every call, whether it wants the context, the evaluation context or the
    environment passed in (a third of the time of rendering an entity page went there); a
    macro and `value` want none of them, so the answer is known."""

    def call(__self, __obj, *args, **kwargs):  # noqa: N805 - Jinja's own signature
        if type(__obj) is Macro or type(__obj) is _Value:
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
            return __obj(*args, **kwargs)
        return super().call(__obj, *args, **kwargs)


def _escape(s) -> str:
    """markupsafe's `escape` for what a template writes out, without wrapping each piece in
    `Markup`: the same characters escaped, an `__html__` object's own text kept. In compiled
    templates `escape` only makes the pieces that are joined into a page or a macro's result,
    which Jinja marks safe whole; creating a `Markup` for every value written cost about a tenth
    of the CPU of rendering the entity pages (measured on 6,000 pages at 1M triples)."""
    if type(s) is str:
        return _escape_inner(s)
    if hasattr(s, "__html__"):
        return s.__html__()
    return _escape_inner(str(s))


class _Template(Template):
    """A template whose compiled code escapes with `_escape`."""

    @classmethod
    def _from_namespace(cls, environment, namespace, globals):  # (Jinja's own signature)
        namespace["escape"] = _escape
        return super()._from_namespace(environment, namespace, globals)


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

    context_class = _Context
    template_class = _Template


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
    env.globals["value"] = _Value(lambda: env.get_template("site_macros.html").module.render_value)
    return env


class _Value:
    """`value(v)` for the templates: the macro `render_value` (the HTML of one term stays in the
    template), called once per distinct term. The same states, organizations and sources appear
    on thousands of pages; a macro call was most of a page's rendering time. A value met before
    as the same dict (`Links` hands out one dict per IRI) is found by identity, without reading
    its fields: the entry keeps the dict alive, so its id is not reused while the entry stands."""

    def __init__(self, load_macro, limit: int = 200_000) -> None:
        self.load_macro, self.limit = load_macro, limit
        self.memo: dict[tuple, object] = {}
        self.seen: dict[int, tuple[dict, object]] = {}
        self.macro = None

    def __call__(self, v: dict):
        hit = self.seen.get(id(v))
        if hit is not None and hit[0] is v:
            return hit[1]
        if self.macro is None:
            self.macro = self.load_macro()
        if v["kind"] == "union":
            return self.macro(v)
        key = (v["kind"], v["text"], v.get("href"), v.get("lang"), v.get("precision"))
        memo = self.memo
        html = memo.get(key)
        if html is None:
            if len(memo) >= self.limit:
                memo.clear()
            html = memo[key] = self.macro(v)
        if len(self.seen) >= self.limit:
            self.seen.clear()
        self.seen[id(v)] = (v, html)
        return html


def start_site(build) -> list[Written]:
    """Release writer, early in the list: computes what the entity pages read and starts their
    renderers (`pages.Renderers`), which run while the other writers do; `write_site` writes
    the rest of the site, and the build collects the pages before it checksums the release."""
    build.shared["site"] = _start(build)
    return []


def _start(build) -> _Site:
    """The site of a build, with its entity pages started and left for the build to collect."""
    site = _Site(build.sources, build.out, nt=build.ntriples(), digests=build.digests, finished=build.finished,
                 epoch=build.project.source_date_epoch, previous=build.previous)
    try:
        pages = Renderers(site.page_job(), page_processes(len(site.entities)))
    except BaseException:
        site.close()
        raise

    def finish() -> list[Written]:
        written = pages.finish()
        build.linked += pages.linked
        return written

    def cancel() -> None:  # (the build calls it last, whether it failed or not)
        pages.cancel()
        site.close()

    build.background.append(("site_pages", finish, cancel))
    return site


def write_site(build) -> list[Written]:
    """Release writer: the static site (see the package docstring for the files). Its entity
    pages are those `start_site` started, or, without it, started here."""
    site = build.shared.pop("site", None) or _start(build)
    written, linked = site.write_top(build.written, build.sha256, build.shared.get("search_entries"))
    build.linked += linked
    return written


def render_site(sources: Sources, out: Path, before: list[Written] = (), *, nt: bytes | None = None,
                digest: Callable[[str], str] | None = None, digests: dict[str, str] | None = None,
                finished: dict[str, int] | None = None, epoch: int | None = None,
                processes: int | None = None) -> list[Written]:
    """Write the static site into `out`; `before` is what the release holds already (the
    downloads the landing page lists). When the caller has them (a build does): `nt`, the facts
    as canonical N-Triples; `digest`, the sha256 of a file already in `out`; `digests`, where to
    put the sha256 of every file written here; `finished`, where to put the size of every file
    written here, each then dated `epoch` at the latest (see `pages._Files`). `processes`: for
    the entity pages (default: `page_processes`). Returns the top-level files, then the pages."""
    site = _Site(sources, out, nt=nt, digests=digests, finished=finished, epoch=epoch)
    try:
        pages = Renderers(site.page_job(), page_processes(len(site.entities)) if processes is None else processes)
        try:
            top, _linked = site.write_top(before, digest)
            return top + pages.finish()
        finally:
            pages.cancel()
    finally:
        site.close()


class _Site:
    """The site of one graph: what its pages read, computed once; the top-level pages."""

    def __init__(self, sources: Sources, out: Path, *, nt: bytes | None = None, digests: dict[str, str] | None = None,
                 finished: dict[str, int] | None = None, epoch: int | None = None, previous: Path | None = None) -> None:
        self.sources, self.out = sources, Path(out)
        self.out.mkdir(parents=True, exist_ok=True)
        self.digests, self.finished, self.epoch, self.previous = digests, finished, epoch, previous
        project = sources.project
        self._frozen = False
        # The collector is paused while what the pages read is computed (`igokg.collector`): the
        # index is millions of objects without a cycle, and each full pass walked them all
        # (listing the entities and the instances of a class took 2.4 s at 1M with it, 0.5 s without).
        with paused():
            g = self.g = _index(sources, nt)
            self.entities = _entity_iris(g)
            entity_set = set(self.entities)
            self.top = Links(g, "", entity_set)
            self.deep = Links(g, "../", entity_set)
            # Computed once, with links from id/ (the pictures at the top level use no link of theirs).
            self.memberships = _memberships(g, self.deep)
            self.rel = _relations(g, self.memberships)
            self.env = _environment()
            self.common = {"version": project.version, "issued": project.issued, "base_iri": BASE}
            self.orgs = sorted({m.org for m in self.memberships}, key=lambda o: (g.short(o), o))
            # Where the sources disagree: a page, linked from the landing page and each entity involved.
            self.conflicts, self.involved = conflicts_data(g, self.top, sources)
        # Frozen from here until `close` (`igokg.collector.freeze`; the build closes the site
        # when it has collected the pages): while the build goes on beside the renderers (the
        # dumps, panels, search, VoID, the top-level pages, collecting what they wrote), the
        # collector's full passes would walk the index again and again (the top-level pages
        # alone took 4.5 s of CPU at 1M with it walked, 2.7 s frozen).
        freeze()
        self._frozen = True

    def close(self) -> None:
        """Give the index back to the collector (once; the index itself is freed when dropped)."""
        if self._frozen:
            self._frozen = False
            thaw()

    def page_job(self) -> dict:
        """What the entity pages read (`pages._PAGES`)."""
        return {"g": self.g, "deep": self.deep, "rel": self.rel, "page": self.env.get_template("site_entity.html"),
                "entities": self.entities, "orgs": set(self.orgs),
                "svg_timeline": self.env.get_template("site_timeline.svg"), "conflicts": self.involved,
                "common": self.common, "out": self.out, "digests": self.digests, "finished": self.finished,
                "epoch": self.epoch, "previous": self.previous}

    def write_top(self, before: list[Written], digest: Callable[[str], str] | None,
                  entries: list | None = None) -> tuple[list[Written], int]:
        """Every file of the site but the entity pages, and how many of them were linked from the
        previous release (`_Files`); `before`: the downloads the landing page lists; `entries`:
        the search entries, when the search writer has made them (else made here)."""
        g, rel, env, top, out, common, orgs = self.g, self.rel, self.env, self.top, self.out, self.common, self.orgs
        files = _Files(out, self.digests, self.finished, self.epoch, self.previous)
        _write = files.text
        project = self.sources.project
        downloads = _downloads(out, before, digest)

        # Pictures: files at the top level (the entity pages draw the same, with links from id/).
        svg_timeline = env.get_template("site_timeline.svg")
        svg_matrix = env.get_template("site_matrix.svg")
        for org in orgs:
            _write(f"timeline-{_slug(org)}.svg", svg_timeline.render(t=timeline_data(g, org, rel, ""), standalone=True))
        matrix = matrix_data(g, rel, "")
        _write("matrix.svg", svg_matrix.render(m=matrix, standalone=True))
        index_rel, matrix_scope = _index_matrix(g, rel)
        inline_matrix = svg_matrix.render(m=matrix if index_rel is rel else matrix_data(g, index_rel, ""), standalone=False)

        conflicts = self.conflicts
        _write("conflicts.html", env.get_template("site_conflicts.html").render(
            root="", conflicts=conflicts,
            files=[f for f in ("conflicts.csv", "conflicts.json", "queries/conflicts.rq") if (out / f).is_file()],
            **common))

        # Index of entities, by class.
        by_class: dict[str, list[str]] = {}
        for iri in self.entities:
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
            root="", triples=g.triples, entity_count=len(self.entities), classes=classes,
            memberships=len(self.memberships), sources_count=sources_count, orgs=org_rows, other_orgs=other_orgs,
            downloads=downloads, matrix=inline_matrix, matrix_scope=matrix_scope, year=year, conflicts=conflicts,
            **common))

        # Ontology documentation.
        header, sections = _ontology_terms(g, top)
        _write("ontology.html", env.get_template("site_ontology.html").render(
            root="", header=header, sections=sections,
            downloads=[d["name"] for d in downloads if d["name"].startswith("ontology.")], **common))

        # Example queries.
        _write("queries.html", env.get_template("site_queries.html").render(
            root="", queries=_queries(self.sources, out, g, top), **common))

        # Search without a server: the index as a script, and a page that searches it in the browser.
        files.write(SEARCH_INDEX_JS, "text/javascript", search_index_js(entries if entries is not None else entries_of(self.sources)).encode("utf-8"))
        _write("search.html", env.get_template("site_search.html").render(root="", **common))

        # Style sheet and script.
        for name, media in (("site.css", "text/css"), ("search.js", "text/javascript")):
            files.write(f"static/{name}", media, resources.files("igokg").joinpath(f"static/{name}").read_bytes())
        return files.written, files.linked


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
