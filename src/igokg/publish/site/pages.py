"""Stage: publish (site). The entity pages and their data files, and the files they go into.

Input: what every page reads, computed once by `writer` (the indexed graph, the relations, the
templates, the conflicts), as a dict in `_PAGES`. Output: `id/<slug>.html|.ttl|.jsonld` per
entity, each file listed (`Written`), hashed, sized and dated as it is written (`_Files`).

Entity pages are most of a large site (237,000 files on the full graph, nine tenths of the
site's time). Above PARALLEL_FROM entities they are rendered by forked processes, blocks
of entities taken in turn (below): a page is a function of what `_PAGES` holds, so the
files are the same bytes, listed and hashed in the same order, whatever the number of
processes. Fork shares the index without pickling it. The processes start when the pages are
started (`Renderers`) and run while the build goes on with its other writers (the dumps,
panels, search, VoID, the site's own top-level pages); the build collects them
(`Renderers.finish`) before it checksums the release, and kills them (`Renderers.cancel`) if
it fails first.

The processes take the entities a block at a time, the next block nobody has taken
(`_blocks`, `_taken`), not a half each: with halves, at 1M facts, one renderer's half took 41 s
of CPU and the other's 27 s, and the slower one worked alone for its last 15 s.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from igokg.collector import frozen
from igokg.errors import PublishError
from igokg.namespaces import IGO
from igokg.publish.atomic import current_umask
from igokg.publish.site.data import DataFiles
from igokg.publish.site.entities import _entity_page
from igokg.publish.site.graph import _slug
from igokg.publish.site.pictures import member_timeline_data, timeline_data
from igokg.release import Written

__all__ = ["PARALLEL_FROM", "Renderers", "page_processes"]

PARALLEL_FROM = 5_000
_PAGES: dict | None = None  # what the renderers read; set before they fork (or render here)


class _Files:
    """Writes the site's files and remembers each as `Written` (path, media type); when given
    `finished`, also its sha256 in `digests`, its size in `finished`, and its mtime clamped to
    `epoch` (SOURCE_DATE_EPOCH) as it is written: a release lists every file in SHA256SUMS and
    dates every file, and doing both with the bytes and the file in hand spares reading, stating
    and touching a quarter of a million files again at the end (`build._checksums`,
    `atomic.clamp_mtimes`). One open, write, fstat and close a file, no pathlib.

    Given `previous` (the release this one replaces), a file whose bytes, date and mode are
    already those of the same path there is linked from it (a hard link, as `rsync
    --link-dest` does) instead of written: the result is the same file, but a rebuild that
    changes a few facts neither writes nor allocates the inodes of the pages that stayed the
    same, and removing the previous release frees none of them. (On this project's machine,
    ext4 without a journal passes over every inode freed in the last minutes each time it
    creates a file: up to 72 s of kernel time for the real graph's site.) The previous release
    is only read; a link that cannot be made (another file system, too many links) is a write."""

    def __init__(self, out: Path, digests: dict[str, str] | None = None, finished: dict[str, int] | None = None,
                 epoch: int | None = None, previous: Path | None = None) -> None:
        self.out = out
        self.written: list[Written] = []
        self.digests = digests
        self.finished = finished
        self.epoch = epoch
        self.linked = 0
        self._root = os.fspath(out) + os.sep
        self._folders: set[str] = set()
        # Only a dated file can be the same as one written now: its date is the epoch's.
        self._previous = (os.fspath(previous) + os.sep if previous is not None and epoch is not None
                          and finished is not None and os.path.isdir(previous) else None)
        self._mode = 0o666 & ~current_umask()

    def _same_before(self, rel: str, data: bytes) -> bool:
        """Whether the previous release has `rel` with these bytes, the epoch's date and the mode
        a new file gets."""
        try:
            fd = os.open(self._previous + rel, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW)
        except OSError:
            return False
        try:
            st = os.fstat(fd)
            return (stat.S_ISREG(st.st_mode) and st.st_size == len(data) and stat.S_IMODE(st.st_mode) == self._mode
                    and st.st_mtime_ns == self.epoch * 1_000_000_000 and os.read(fd, len(data) + 1) == data)
        except OSError:
            return False
        finally:
            os.close(fd)

    def write(self, rel: str, media_type: str, data: bytes) -> None:
        self.written.append(Written(rel, media_type))
        folder, _, _name = rel.rpartition("/")
        if folder not in self._folders:
            (self.out / folder).mkdir(parents=True, exist_ok=True)
            self._folders.add(folder)
        if self._previous is None or not self._link_same(rel, data):
            self._write(rel, data)
        if self.digests is not None:
            self.digests[rel] = hashlib.sha256(data).hexdigest()
        if self.finished is not None:
            self.finished[rel] = len(data)

    def _link_same(self, rel: str, data: bytes) -> bool:
        if not self._same_before(rel, data):
            return False
        try:
            os.link(self._previous + rel, self._root + rel, follow_symlinks=False)
        except OSError:
            return False
        self.linked += 1
        return True

    def _write(self, rel: str, data: bytes) -> None:
        fd = os.open(self._root + rel, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            if self.finished is not None and self.epoch is not None and os.fstat(fd).st_mtime > self.epoch:
                os.utime(fd, (self.epoch, self.epoch))  # clamped, never moved forward (as clamp_mtimes)
        finally:
            os.close(fd)

    def text(self, rel: str, text: str) -> None:
        media = {".html": "text/html", ".svg": "image/svg+xml"}[Path(rel).suffix]
        self.write(rel, media, text.encode("utf-8"))


def page_processes(entities: int) -> int:
    """Processes for the entity pages: one per CPU this process may use (at most 8), or one for a
    small site (forking costs more than it saves)."""
    if entities < PARALLEL_FROM or not hasattr(os, "fork"):
        return 1
    return max(1, min(8, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))


def _blocks(n: int, processes: int) -> list[tuple[int, int]]:
    """n entities in blocks for `processes` renderers to take in turn: small enough that the
    renderers finish together (a few hundred entities, well under a second; a few on a small
    site), large enough that taking one is not a cost of its own."""
    size = max(1, min(256, n // (processes * 8)))
    return [(lo, min(n, lo + size)) for lo in range(0, n, size)]


_Result = tuple[int, list[Written], dict[str, str], dict[str, int], int]  # (first entity, files, sha256s, sizes, linked)


def _render_pages(ranges: Iterable[tuple[int, int]], files: _Files | None = None) -> list[_Result]:
    """The pages and data files of entities[lo:hi] for each range, taken as the renderer gets
    to it (in a forked process, or in this one): what each range wrote. Given `files`, every
    range writes there."""
    job = _PAGES
    assert job is not None
    g, deep, rel, page, orgs, common = job["g"], job["deep"], job["rel"], job["page"], job["orgs"], job["common"]
    svg_timeline, data, involved = job["svg_timeline"], DataFiles(g, files), job["conflicts"]
    entities, done = job["entities"], []
    for lo, hi in ranges:
        into = files or _Files(job["out"], {} if job["digests"] is not None else None,
                               {} if job["finished"] is not None else None, job["epoch"], job.get("previous"))
        data.files = into  # one describer for all the ranges: the labels it met stay known
        for iri in entities[lo:hi]:
            ctx = _entity_page(g, deep, iri, rel)
            timeline = None
            if iri in orgs:  # an organization's: the drawing of timeline-<org>.svg, with links from id/
                timeline = svg_timeline.render(t=timeline_data(g, iri, rel, "../"), standalone=False)
            elif iri in rel.by_member and IGO + "State" in g.types(iri):  # a state's, compact
                timeline = svg_timeline.render(t=member_timeline_data(g, iri, rel, "../"), standalone=False)
            into.text(f"id/{ctx['slug']}.html", page.render(
                root="../", e=ctx, jsonld=_script_json(data.write(iri)), timeline=timeline, conflicts=involved.get(iri, []),
                timeline_file=(f"../timeline-{_slug(iri)}.svg" if iri in orgs else None), **common))
        done.append((lo, into.written, into.digests or {}, into.finished or {}, into.linked))
    return done


def _taken(blocks: list[tuple[int, int]], next_block) -> Iterator[tuple[int, int]]:
    """The blocks this renderer takes: the next one nobody has taken, until none is left."""
    while True:
        with next_block.get_lock():
            k = next_block.value
            next_block.value = k + 1
        if k >= len(blocks):
            return
        yield blocks[k]


def _share(blocks: list[tuple[int, int]], next_block, conn) -> None:
    """A forked renderer: renders blocks until none is left, sends back what it wrote (or what
    went wrong)."""
    try:
        result = ("done", _render_pages(_taken(blocks, next_block)))
    except BaseException as exc:  # noqa: BLE001 - handed to the parent, which raises it
        result = ("failed", exc)
    conn.send(result)
    conn.close()


class Renderers:
    """The entity pages of `job` (what `_PAGES` holds), being rendered.

    With more than one process they are forked at once and render while the caller goes on;
    with one, the pages are rendered here, in `finish`. Either way `finish` returns what was
    written, in entity order, and fills the job's `digests` and `finished`."""

    def __init__(self, job: dict, processes: int) -> None:
        global _PAGES
        self.job = job
        self.procs: list = []
        self.linked = 0  # files linked from the previous release (`_Files`), once finished
        n = len(job["entities"])
        if processes <= 1:
            return
        Path(job["out"], "id").mkdir(parents=True, exist_ok=True)
        ctx = multiprocessing.get_context("fork")
        _PAGES = job
        # Frozen before the fork: the renderers' garbage collector then leaves the inherited heap
        # (the index, millions of objects) alone instead of walking it on each full pass, and does
        # not write into its pages, which the processes share until one writes. The parent takes
        # its objects back (thaw) as soon as the renderers are started, unless a caller froze them.
        blocks, next_block = _blocks(n, processes), ctx.Value("q", 0)
        try:
            with frozen():  # (thawed here; the build's site keeps its own freeze: `writer._Site`)
                for _k in range(processes):
                    recv, send = ctx.Pipe(duplex=False)
                    proc = ctx.Process(target=_share, args=(blocks, next_block, send), daemon=True)
                    proc.start()
                    send.close()
                    self.procs.append((proc, recv))
        except BaseException:
            self.cancel()
            raise
        finally:
            _PAGES = None

    def finish(self) -> list[Written]:
        global _PAGES
        job = self.job
        files = _Files(job["out"], job["digests"], job["finished"], job["epoch"], job.get("previous"))
        try:
            if not self.procs:
                _PAGES = job
                _render_pages([(0, len(job["entities"]))], files)
                self.linked = files.linked
                return files.written
            blocks: list[_Result] = []
            for proc, recv in self.procs:
                try:
                    status, result = recv.recv()
                except (EOFError, OSError):
                    raise PublishError(f"a process rendering the site's pages was killed (out of memory?) while writing "
                                       f"into {job['out']}; nothing was published") from None
                if status == "failed":
                    raise result
                proc.join()
                blocks += result
            blocks.sort(key=lambda b: b[0])  # in entity order, as one process would have written them
            for _lo, written, digests, finished, linked in blocks:
                files.written += written
                self.linked += linked
                if files.digests is not None:
                    files.digests.update(digests)
                if files.finished is not None:
                    files.finished.update(finished)
            return files.written
        finally:
            _PAGES = None
            self.cancel()

    def cancel(self) -> None:
        """Stop the renderers still running (the build failed, or is done with them)."""
        for proc, recv in self.procs:
            if proc.is_alive():
                proc.kill()
            proc.join()
            recv.close()
        self.procs = []


#: Larger descriptions are linked from the page, not embedded in it (the COW dataset's, with
#: its 20,000 attestations, is 3 MB: a page to read should not carry that).
EMBED_LIMIT = 512 * 1024


def _script_json(jsonld: bytes) -> str | None:
    """JSON-LD to embed in `<script>`: no "<", ">" or "&" left to end the element early (the
    JSON escapes read the same); None over `EMBED_LIMIT`."""
    if len(jsonld) > EMBED_LIMIT:
        return None
    return jsonld.decode("utf-8").replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
