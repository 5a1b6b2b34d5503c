"""Stage: push. Load a built release into an external triple store, atomically."""

from __future__ import annotations

import time
from pathlib import Path

from igokg.errors import RemoteError, SourceError
from igokg.push.auth import Auth, _redact_url
from igokg.push.client import TIMEOUT, _Client, _with_graph, count_triples, run_update
from igokg.push.plan import (
    CHUNK_TRIPLES,
    Progress,
    PushPlan,
    PushReport,
    _iter_chunks,
    plan_push,
)
from igokg.push.staging import LEASE_SECONDS, Lease, sweep_stale
from igokg.release import DUMP_NAME
from igokg.signals import stop_signals_raise

# --------------------------------------------------------------------------- the push


def push_release(
    release_dir: Path | str,
    endpoint: str,
    graph: str | None = None,
    update_endpoint: str | None = None,
    gsp_endpoint: str | None = None,
    auth: Auth = Auth(),
    dry_run: bool = False,
    progress: Progress | None = None,
    chunk_triples: int = CHUNK_TRIPLES,
    timeout: float = TIMEOUT,
    lease: float = LEASE_SECONDS,
) -> PushReport:
    """Replace graph `graph` at `endpoint` by the release; see the module docstring.

    Raises `SourceError` for an unusable release or arguments and `RemoteError` when
    the server refuses, fails or disagrees; in every such case the target graph is
    as it was. The staging graph is held under a lease of `lease` seconds
    (`igokg.push.staging`); after the swap, staging graphs of the same target whose lease
    lapsed are dropped.
    """
    say = progress or (lambda _message: None)
    if lease <= 0:
        raise SourceError("lease", f"must be more than 0 seconds, not {lease:g}")
    plan = plan_push(release_dir, endpoint, graph, update_endpoint, gsp_endpoint, auth, chunk_triples, lease=lease)
    report = PushReport(plan=plan, dry_run=dry_run)
    if dry_run:
        return report
    with stop_signals_raise():  # SIGTERM drops the staging graph on the way out, as Ctrl-C does
        return _push(release_dir, plan, report, auth, timeout, lease, chunk_triples, say)


def _push(release_dir: Path | str, plan: PushPlan, report: PushReport, auth: Auth, timeout: float, lease: float,
          chunk_triples: int, say: Progress) -> PushReport:
    """Upload, verify, swap, clean up (see `push_release`)."""
    client = _Client(auth, timeout)
    started = time.monotonic()
    e = plan.endpoints
    staged_url = _with_graph(e.gsp, plan.staging)
    held = Lease(lambda: _Client(auth, timeout), e.update, plan.target, plan.staging, lease)
    try:
        held.take(client)
        for i, (body, n) in enumerate(_iter_chunks(Path(release_dir) / DUMP_NAME, chunk_triples)):
            say(f"uploading chunk {i + 1}/{plan.chunks} ({report.uploaded_triples + n}/{plan.triples} triples)")
            client.request("PUT" if i == 0 else "POST", staged_url, body, {"Content-Type": "application/n-triples"})
            report.uploaded_triples += n
            report.uploaded_bytes += len(body)
        if report.uploaded_triples == 0:  # an empty release still gets an (empty) staging graph
            client.request("PUT", staged_url, b"", {"Content-Type": "application/n-triples"})
        say("verifying the staging graph")
        staged = count_triples(client, e.query, plan.staging)
        if staged != plan.triples:
            raise RemoteError(
                _redact_url(e.query),
                f"the staging graph holds {staged} triples, void.ttl says {plan.triples}",
            )
        held.check()
        say("swapping the staging graph into the target")
        run_update(client, e.update, plan.update)
    except RemoteError as exc:
        if exc.status in (401, 403) and report.uploaded_triples == 0:
            exc.message += "; nothing was written"
            exc.args = (str(exc),)
        else:
            _drop_staging(client, plan, exc)
        held.release(client)
        raise
    except BaseException:
        _drop_staging(client, plan, None)
        held.release(client)
        raise
    # The swap emptied the staging graph; dropping it also removes its name (Oxigraph keeps
    # empty named graphs). Then the lease, then the graphs of pushes that are gone.
    try:
        run_update(client, e.update, f"DROP SILENT GRAPH <{plan.staging}>")
    except RemoteError:
        pass
    held.release(client)
    say("dropping stale staging graphs")
    try:
        report.stale_dropped = sweep_stale(client, e.query, e.update, plan.target, plan.staging, lease)
    except RemoteError:
        pass  # the push is done; the next one sweeps again
    say("verifying the target graph")
    report.target_triples = count_triples(client, e.query, plan.target)
    report.seconds = time.monotonic() - started
    if report.target_triples != plan.triples:
        raise RemoteError(
            _redact_url(e.query),
            f"after the swap <{plan.target}> holds {report.target_triples} triples, not {plan.triples} "
            "(another writer changed it meanwhile)",
        )
    return report


def _drop_staging(client: _Client, plan: PushPlan, exc: RemoteError | None) -> None:
    try:
        run_update(client, plan.endpoints.update, f"DROP SILENT GRAPH <{plan.staging}>")
    except RemoteError:
        if exc is not None:
            exc.message += f"; the staging graph <{plan.staging}> may remain: DROP SILENT GRAPH <{plan.staging}>"
            exc.args = (str(exc),)
        return
    if exc is not None:
        exc.message += "; the target graph was not touched, the staging graph was dropped"
        exc.args = (str(exc),)
