"""What a server is allowed to do: limits, workers, cache, federation."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from igokg.namespaces import BASE


@dataclass(frozen=True)
class ServeSettings:
    host: str = "127.0.0.1"
    port: int = 8000
    #: Seconds a query may run before its client gets 503 and its worker is killed.
    timeout: float = 5.0
    #: Query worker processes; each runs one query at a time.
    workers: int = field(default_factory=lambda: max(2, os.cpu_count() or 2))
    max_body: int = 1 << 20  # request bodies above this get 413
    max_result: int = 32 << 20  # serialized results above this get 422
    cache_bytes: int = 64 << 20  # 0 disables the result cache
    #: The published base IRI; links to it in HTML are rewritten to this server.
    base_iri: str = BASE
    #: Federated queries (SERVICE) make this server fetch any URL a client names: off unless asked.
    allow_service: bool = False
