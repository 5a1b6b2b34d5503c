"""What a push will do: the release's dump in chunks, its expected size, the staging graph, the swap."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import pyoxigraph as ox

from igokg.errors import SourceError
from igokg.namespaces import DATASET_IRI, VOID
from igokg.push.auth import Auth, Endpoints, _redact_url, derive_endpoints
from igokg.push.staging import LEASE_SECONDS, leases_graph
from igokg.release import DUMP_NAME, VOID_NAME

#: The default target graph is the dataset IRI itself: a reader of the VoID finds the
#: data under the name it already knows, and no second IRI has to be minted and kept.
DEFAULT_GRAPH = DATASET_IRI
#: The dataset's `void:triples` in `void.ttl` is what the push verifies.
VOID_TRIPLES = VOID + "triples"
#: 100 000 N-Triples lines are ~15 MB: small enough for default request-size limits
#: (Virtuoso, nginx in front of Fuseki), large enough that a big dump is few requests.
CHUNK_TRIPLES = 100_000

Progress = Callable[[str], None]




# --------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class PushPlan:
    """What a push will do; `--dry-run` prints exactly this."""

    release_dir: str
    dump: str
    dump_sha256: str
    endpoints: Endpoints
    auth: str  # described, never the secret
    target: str
    staging: str
    triples: int
    chunk_triples: int
    chunks: int
    update: str
    lease_seconds: float = LEASE_SECONDS

    def to_text(self) -> str:
        e = self.endpoints
        return "\n".join(
            [
                f"release       {self.release_dir} ({self.dump}, sha256 {self.dump_sha256[:16]}…)",
                f"query         {_redact_url(e.query)}",
                f"update        {_redact_url(e.update)}",
                f"graph store   {_redact_url(e.gsp)}",
                f"credentials   {self.auth}",
                f"target graph  <{self.target}>",
                f"staging graph <{self.staging}>",
                f"lease         <staging> dct:modified NOW() in <{leases_graph(self.target)}>, before the upload, "
                f"renewed every {self.lease_seconds / 10:g} s",
                f"triples       {self.triples} (void:triples of <{DATASET_IRI}>)",
                f"upload        {self.chunks} chunk(s) of up to {self.chunk_triples} triples "
                f"(PUT the first, POST the rest, application/n-triples)",
                "verify        SELECT (COUNT(*) AS ?n) WHERE { GRAPH <staging> { ?s ?p ?o } } = triples",
                "swap          " + self.update.replace("\n", "\n              "),
                f"sweep         DROP SILENT GRAPH each staging graph of <{self.target}> whose lease is older than "
                f"{self.lease_seconds:g} s (its push is gone)",
            ]
        ) + "\n"


@dataclass
class PushReport:
    plan: PushPlan
    dry_run: bool
    uploaded_triples: int = 0
    uploaded_bytes: int = 0
    target_triples: int | None = None
    seconds: float = 0.0
    #: Staging graphs of earlier pushes that were gone, dropped after the swap.
    stale_dropped: list[str] = field(default_factory=list)

    def to_text(self) -> str:
        if self.dry_run:
            return "dry run: nothing was sent\n" + self.plan.to_text()
        return (
            f"pushed {self.plan.triples} triples into <{self.plan.target}> at {_redact_url(self.plan.endpoints.update)}\n"
            f"  {self.plan.chunks} chunk(s), {self.uploaded_bytes} bytes uploaded into <{self.plan.staging}>, "
            f"count verified, swapped in one update, {self.seconds:.1f} s\n"
            + "".join(f"  dropped the stale staging graph <{g}> of an earlier push\n" for g in self.stale_dropped)
        )

    def to_json(self) -> str:
        data = asdict(self)
        data["seconds"] = round(self.seconds, 3)
        return json.dumps(data, indent=2, sort_keys=True) + "\n"


def _release_files(release_dir: Path) -> tuple[Path, int]:
    dump, void = release_dir / DUMP_NAME, release_dir / VOID_NAME
    for p in (dump, void):
        if not p.is_file():
            raise SourceError(p, "missing from the release", hint="run igokg build first, or pass --out DIR")
    try:
        quads = list(ox.parse(void.read_bytes(), format=ox.RdfFormat.TURTLE))
    except (SyntaxError, ValueError) as exc:
        raise SourceError(void, f"not readable Turtle: {exc}") from None
    except MemoryError as exc:  # pyoxigraph's "Reached the buffer maximal size": one token over 16 MiB
        raise SourceError(void, f"not readable Turtle: a literal or IRI is too long for the parser ({exc})",
                          hint="rebuild the release with igokg build") from None
    counts = [
        q.object.value
        for q in quads
        if q.subject == ox.NamedNode(DATASET_IRI) and q.predicate == ox.NamedNode(VOID_TRIPLES) and isinstance(q.object, ox.Literal)
    ]
    if len(counts) != 1 or not counts[0].isdigit():
        raise SourceError(void, f"needs exactly one integer void:triples for <{DATASET_IRI}>, found {counts}")
    return dump, int(counts[0])


def _iter_chunks(dump: Path, chunk_triples: int) -> Iterator[tuple[bytes, int]]:
    """The dump, decompressed as it is read, in chunks of whole N-Triples lines."""
    lines: list[bytes] = []
    try:
        with gzip.open(dump, "rb") as fh:
            for line in fh:
                stripped = line.strip()
                if not stripped or stripped.startswith(b"#"):
                    continue
                lines.append(line if line.endswith(b"\n") else line + b"\n")
                if len(lines) >= chunk_triples:
                    yield b"".join(lines), len(lines)
                    lines = []
    except (OSError, EOFError) as exc:
        raise SourceError(dump, f"cannot read the gzip dump: {exc}") from None
    if lines:
        yield b"".join(lines), len(lines)


def _scan(dump: Path) -> tuple[int, str]:
    """Triples (non-empty, non-comment lines) and the sha256 of the decompressed dump."""
    digest = hashlib.sha256()
    n = 0
    try:
        with gzip.open(dump, "rb") as fh:
            for line in fh:
                digest.update(line)
                s = line.strip()
                if s and not s.startswith(b"#"):
                    n += 1
    except (OSError, EOFError) as exc:
        raise SourceError(dump, f"cannot read the gzip dump: {exc}") from None
    return n, digest.hexdigest()


def swap_update(staging: str, target: str) -> str:
    """The one request that replaces the target by the staging graph.

    Not `DROP GRAPH <target> ; MOVE <staging> TO <target>`: Virtuoso 7 runs DROP, CLEAR
    and MOVE in its own batches with intermediate commits, and a concurrent reader of
    the test suite saw half-deleted and half-moved graphs. DELETE/INSERT … WHERE in one
    request is one transaction on Virtuoso as on Oxigraph (and Fuseki/TDB2), so readers
    see the old graph or the new one.
    """
    return (
        f"DELETE {{ GRAPH <{target}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{target}> {{ ?s ?p ?o }} }} ;\n"
        f"INSERT {{ GRAPH <{target}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{staging}> {{ ?s ?p ?o }} }} ;\n"
        f"DELETE {{ GRAPH <{staging}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{staging}> {{ ?s ?p ?o }} }}"
    )


def plan_push(
    release_dir: Path | str,
    endpoint: str,
    graph: str | None = None,
    update_endpoint: str | None = None,
    gsp_endpoint: str | None = None,
    auth: Auth = Auth(),
    chunk_triples: int = CHUNK_TRIPLES,
    staging_token: str | None = None,
    lease: float = LEASE_SECONDS,
) -> PushPlan:
    """Read the release and settle every name and number of the push; send nothing."""
    if chunk_triples < 1:
        raise SourceError("--chunk-triples", "must be at least 1")
    release_dir = Path(release_dir)
    endpoints = derive_endpoints(endpoint, update_endpoint, gsp_endpoint)
    target = graph or DEFAULT_GRAPH
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\]*", target):
        raise SourceError("--graph", f"not an absolute IRI: {target!r}")
    dump, void_triples = _release_files(release_dir)
    lines, sha = _scan(dump)
    if lines != void_triples:
        raise SourceError(dump, f"holds {lines} triples but void.ttl says {void_triples}", hint="rebuild the release")
    # The dump's hash says what is being staged; the random part keeps two pushes of
    # the same release from sharing (and dropping) one staging graph.
    token = staging_token or secrets.token_hex(4)
    staging = f"{target}-staging-{sha[:12]}-{token}"
    return PushPlan(
        release_dir=str(release_dir),
        dump=DUMP_NAME,
        dump_sha256=sha,
        endpoints=endpoints,
        auth=auth.describe(),
        target=target,
        staging=staging,
        triples=void_triples,
        chunk_triples=chunk_triples,
        chunks=max(1, -(-lines // chunk_triples)),
        update=swap_update(staging, target),
        lease_seconds=lease,
    )
