"""Stage: push. Load a built release into an external triple store, atomically."""

from __future__ import annotations

import time
from pathlib import Path

from igokg.errors import RemoteError
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
from igokg.release import DUMP_NAME

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
) -> PushReport:
    """Replace graph `graph` at `endpoint` by the release; see the module docstring.

    Raises `SourceError` for an unusable release or arguments and `RemoteError` when
    the server refuses, fails or disagrees; in every such case the target graph is
    as it was.
    """
    say = progress or (lambda _message: None)
    plan = plan_push(release_dir, endpoint, graph, update_endpoint, gsp_endpoint, auth, chunk_triples)
    report = PushReport(plan=plan, dry_run=dry_run)
    if dry_run:
        return report
    client = _Client(auth, timeout)
    started = time.monotonic()
    e = plan.endpoints
    staged_url = _with_graph(e.gsp, plan.staging)
    try:
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
        say("swapping the staging graph into the target")
        run_update(client, e.update, plan.update)
    except RemoteError as exc:
        if exc.status in (401, 403) and report.uploaded_triples == 0:
            exc.message += "; nothing was written"
            exc.args = (str(exc),)
        else:
            _drop_staging(client, plan, exc)
        raise
    except BaseException:
        _drop_staging(client, plan, None)
        raise
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
