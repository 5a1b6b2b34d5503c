"""Staging graphs of a push: a lease that says their push is alive, and the sweep of dead ones.

Input: the store's endpoints, the target graph, a staging graph. Output: the staging graph's
lease, kept while the push runs; after a successful push, the stale staging graphs of the same
target dropped.

A push that dies (killed, its server restarted mid-upload, its connection lost) cannot drop
its staging graph `<target>-staging-<sha>-<random>`. Later pushes do — and only for pushes
that are gone. How a push tells a dead one from a live one:

- before its first upload, a push writes a lease into the graph `<target>-push-leases`:
  `<staging> dct:modified NOW()`, and renews it every `lease / 10` seconds from a background
  thread while it runs. The time is the store's own (`NOW()` at write, `NOW()` at sweep), so
  no two machines' clocks are ever compared.
- after its swap, a successful push drops every staging graph of its target (by name:
  `<target>-staging-` + 12 + 8 hex digits, never another name) whose lease is older than
  `lease` seconds (300 by default: ten missed renewals), and staging graphs that have no lease
  at all (an older igokg's; every push of this version holds one for as long as its
  graph exists). A store that cannot list its named graphs (Virtuoso answers `GRAPH ?g {}`
  with nothing) is swept by the leases alone.
- a push that could not renew its lease for `lease / 2` seconds stops before its swap, the
  target untouched: past that point another push might take its staging graph for dead.
"""

from __future__ import annotations

import re
import threading
import time
from datetime import datetime, timezone
from typing import Callable

from igokg.errors import RemoteError
from igokg.namespaces import DCT
from igokg.push.auth import _redact_url
from igokg.push.client import _Client, run_update, select_rows

#: Seconds after its last renewal when a lease, and its staging graph, count as abandoned.
LEASE_SECONDS = 300.0
_MODIFIED = DCT + "modified"


def leases_graph(target: str) -> str:
    return f"{target}-push-leases"


def is_staging_of(target: str, graph: str) -> bool:
    """Whether `graph` is named as `plan_push` names the staging graphs of `target`."""
    return re.fullmatch(re.escape(target) + r"-staging-[0-9a-f]{12}-[0-9a-f]{8}", graph) is not None


class Lease:
    """A push's claim on its staging graph, renewed by a background thread while held."""

    def __init__(self, make_client: Callable[[], _Client], update_url: str, target: str, staging: str,
                 seconds: float = LEASE_SECONDS) -> None:
        self.make_client, self.update_url = make_client, update_url
        self.graph, self.staging, self.seconds = leases_graph(target), staging, seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._renewed = 0.0  # monotonic time at which the last successful renewal was sent

    def renew_update(self) -> str:
        # Insert the new time, then delete the older ones: never an instant without a lease
        # (Virtuoso runs the operations of one request as separate steps).
        g, s = self.graph, self.staging
        return (
            f"INSERT {{ GRAPH <{g}> {{ <{s}> <{_MODIFIED}> ?now }} }} WHERE {{ BIND(NOW() AS ?now) }} ;\n"
            f"DELETE {{ GRAPH <{g}> {{ <{s}> <{_MODIFIED}> ?t }} }} WHERE {{ GRAPH <{g}> {{ <{s}> <{_MODIFIED}> ?t , ?u }} FILTER(?t < ?u) }}"
        )

    def take(self, client: _Client) -> None:
        """Write the lease (errors propagate: nothing is uploaded without one), then keep it."""
        sent = time.monotonic()
        run_update(client, self.update_url, self.renew_update())
        self._renewed = sent
        self._thread = threading.Thread(target=self._keep, name=f"lease {self.staging}", daemon=True)
        self._thread.start()

    def _keep(self) -> None:
        client = self.make_client()
        while not self._stop.wait(self.seconds / 10):
            sent = time.monotonic()
            try:
                run_update(client, self.update_url, self.renew_update())
            except RemoteError:
                continue  # the push itself will meet the same trouble; `check` decides
            self._renewed = sent

    def check(self) -> None:
        """Refuse to go on (to the swap) when the lease may have lapsed in others' eyes."""
        idle = time.monotonic() - self._renewed
        if idle > self.seconds / 2:
            raise RemoteError(_redact_url(self.update_url),
                              f"could not renew the lease on the staging graph for {idle:.0f}s; stopped before the swap")

    def release(self, client: _Client) -> None:
        """Stop renewing and remove the lease (best effort: a lease left behind lapses)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(30)
        try:
            run_update(client, self.update_url, f"DELETE WHERE {{ GRAPH <{self.graph}> {{ <{self.staging}> <{_MODIFIED}> ?t }} }}")
        except RemoteError:
            pass


def sweep_stale(client: _Client, query_url: str, update_url: str, target: str, own: str,
                seconds: float = LEASE_SECONDS) -> list[str]:
    """Drop the staging graphs of `target` whose push is gone (see the module docstring)."""
    leases: dict[str, datetime] = {}
    now: datetime | None = None
    for row in select_rows(client, query_url,
                           f"SELECT ?g ?t ?now WHERE {{ BIND(NOW() AS ?now) OPTIONAL {{ GRAPH <{leases_graph(target)}> {{ ?g <{_MODIFIED}> ?t }} }} }}"):
        now = _instant(row.get("now", ""))
        when = _instant(row.get("t", ""))
        if "g" in row and when is not None:
            leases[row["g"]] = max(when, leases.get(row["g"], when))
    if now is None:
        return []  # a store without NOW(): no way to tell the dead from the living
    named = {row["g"] for row in select_rows(
        client, query_url,
        f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ }} FILTER(STRSTARTS(STR(?g), "{target}-staging-")) }}') if "g" in row}
    stale = sorted(
        g for g in named | set(leases)
        if g != own and is_staging_of(target, g) and (g not in leases or (now - leases[g]).total_seconds() > seconds)
    )
    for g in stale:
        # The graph first, then its lease: a graph is never left without one while it exists.
        run_update(client, update_url, f"DROP SILENT GRAPH <{g}> ;\n"
                   f"DELETE WHERE {{ GRAPH <{leases_graph(target)}> {{ <{g}> <{_MODIFIED}> ?t }} }}")
    return stale


def _instant(value: str) -> datetime | None:
    """An xsd:dateTime as the store wrote it, in UTC (without a zone: the store's own, the same for all)."""
    m = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)?", value.strip())
    if not m:
        return None
    fraction = (m.group(2) or ".0")[1:7].ljust(6, "0")
    zone = m.group(3)
    when = datetime.fromisoformat(f"{m.group(1)}.{fraction}" + ("" if not zone else "+00:00" if zone == "Z" else zone))
    return when.astimezone(timezone.utc).replace(tzinfo=None) if zone else when
