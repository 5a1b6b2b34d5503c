"""What a server is allowed to do: limits, processes, admission, timeouts, federation."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from igokg.namespaces import BASE


def _cpus() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


@dataclass(frozen=True)
class ServeSettings:
    host: str = "127.0.0.1"
    port: int = 8000
    #: Seconds a query may *run* (time waiting in the queue does not count). Past it the
    #: client gets 503 and the process that ran it is replaced (see server.py).
    timeout: float = 5.0
    #: Serving processes sharing the listening socket; each answers queries on its
    #: connections' threads. Two per CPU: pyoxigraph holds the GIL while it parses and plans
    #: a query, and Python holds it for HTTP, so one process cannot keep a core busy under
    #: load (measured, docs/serve.md); the store is shared, so a process costs ~50 MB.
    workers: int = field(default_factory=lambda: max(2, 2 * _cpus()))
    #: Queries running at once in one process (threads; pyoxigraph releases the GIL).
    slots: int = 8
    #: Queries one client (IP address) may have running at once in one process.
    per_client: int = 2
    #: Queries waiting for a slot in one process; past it: 503 with Retry-After at once.
    queue: int = 64
    #: Queries one client may have waiting in one process; past it: 429 with Retry-After.
    client_queue: int = 16
    #: Seconds a client has to send a request's headers, and to send its body.
    header_timeout: float = 5.0
    #: Seconds an idle keep-alive connection stays open.
    keepalive_timeout: float = 5.0
    max_body: int = 1 << 20  # request bodies above this get 413
    max_result: int = 32 << 20  # serialized results above this get 422
    cache_bytes: int = 64 << 20  # 0 disables the result cache
    #: The published base IRI; links to it in HTML are rewritten to this server.
    base_iri: str = BASE
    #: Endpoints that SERVICE (federation) may call. Empty: every SERVICE is refused,
    #: because the server would fetch whatever URL a client names.
    service_endpoints: tuple[str, ...] = ()
    #: A local copy of the query editor's files (YASGUI) to serve at /assets/ instead of the CDN.
    assets: Path | None = None

    @property
    def max_wait(self) -> float:
        """Seconds a query may wait in the queue before it is refused unstarted."""
        return max(2 * self.timeout, 10.0)
