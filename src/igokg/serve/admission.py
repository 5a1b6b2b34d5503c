"""Admission control: which query runs now, which waits, which is refused at once.

Input: a client (its IP address) asking to run a query, from the thread that will run it.
Output: a slot to run in (`enter` returns), or a `Refused` with the HTTP status, the
message naming what was limited, and `Retry-After`; `Gone` when the client left while
its query waited.

Rules (per serving process; see docs/serve.md):
* at most `slots` queries run at once, and one client at most `per_client` of them, so a
  few clients looping heavy queries cannot take every slot from the others;
* a query that cannot run yet waits; the waiting room holds `queue` queries, a client's
  share of it `client_queue`. Past either: refused at once (503 or 429, with Retry-After);
* a freed slot goes to the waiting query of the client with the fewest queries running
  (oldest first among equals), so one client's burst does not starve another client;
* a query that waited `max_wait` seconds without starting is refused (503), and the time
  spent waiting never counts against the query's run-time limit.

Queries run on the threads of their connections (protocol.py), so this is thread-based:
one lock, and a lock per waiting query that its admitter releases. The common case — a free slot — costs one
uncontended lock; only a query that really waits pays for an Event and a wake-up.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Refused(Exception):
    status: int
    message: str
    retry_after: int = 1


class Gone(Exception):
    """The client closed its connection while its query waited: it lost its place."""


class _Ticket:
    """A waiting query: a lock taken at once, released by whoever admits it (a C-level
    wake-up, cheaper than an Event)."""

    __slots__ = ("admitted", "lock")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.lock.acquire()
        self.admitted = False


#: How often a waiting query looks whether its client is still there (seconds).
_GONE_CHECK = 0.05


class Admission:
    def __init__(self, slots: int, per_client: int, queue: int, client_queue: int, max_wait: float) -> None:
        self.slots = max(1, slots)
        self.per_client = max(1, per_client)
        self.queue = max(0, queue)
        self.client_queue = max(0, client_queue)
        self.max_wait = max_wait
        self.running = 0
        self.waiting = 0
        self._lock = threading.Lock()
        self._running_by: dict[str, int] = {}
        self._waiting_by: OrderedDict[str, deque[_Ticket]] = OrderedDict()

    def enter(self, client: str, gone: Callable[[], bool] | None = None) -> None:
        """Return when the client's query may run; raise `Refused` when it may not, `Gone`
        when `gone()` says the client left while it waited."""
        with self._lock:
            if (self.running < self.slots and self._running_by.get(client, 0) < self.per_client
                    and client not in self._waiting_by):
                self._start(client)
                return
            ticket = self._queue_up(client)
        deadline = time.monotonic() + self.max_wait
        while True:
            remaining = deadline - time.monotonic()
            if remaining > 0 and ticket.lock.acquire(timeout=min(remaining, _GONE_CHECK) if gone else remaining):
                return
            left = gone is not None and gone()
            with self._lock:
                if ticket.admitted:
                    if not left:
                        return
                    self._leave(client)  # admitted in the instant its client left: give the slot back
                    raise Gone()
                if left:
                    self._forget(client, ticket)
                    raise Gone()
                if time.monotonic() >= deadline:
                    self._forget(client, ticket)
                    raise Refused(503, f"the server is busy: this query waited {self.max_wait:g} s for one of the "
                                       f"{self.slots} query slots and was not started; try again later", 5)

    def leave(self, client: str) -> None:
        """The client's query finished (or was given up): its slot goes to the next in line."""
        with self._lock:
            self._leave(client)

    # ------------------------------------------------------------------------------
    def _queue_up(self, client: str) -> _Ticket:
        queued = self._waiting_by.get(client)
        if self.waiting >= self.queue:
            raise Refused(503, f"the server is busy: {self.running} queries running and {self.waiting} waiting "
                               f"(queue limit {self.queue}); try again in a moment", 1)
        if queued is not None and len(queued) >= self.client_queue:
            raise Refused(429, f"too many queries from {client} at once: {self._running_by.get(client, 0)} running "
                               f"and {len(queued)} waiting (limit per client: {self.per_client} running, "
                               f"{self.client_queue} waiting); wait for your answers before sending more", 1)
        ticket = _Ticket()
        self._waiting_by.setdefault(client, deque()).append(ticket)
        self.waiting += 1
        return ticket

    def _start(self, client: str) -> None:
        self.running += 1
        self._running_by[client] = self._running_by.get(client, 0) + 1

    def _leave(self, client: str) -> None:
        self.running -= 1
        n = self._running_by.get(client, 1) - 1
        if n:
            self._running_by[client] = n
        else:
            self._running_by.pop(client, None)
        self._admit_next()

    def _forget(self, client: str, ticket: _Ticket) -> None:
        queued = self._waiting_by.get(client)
        if queued is not None and ticket in queued:
            queued.remove(ticket)
            self.waiting -= 1
            if not queued:
                del self._waiting_by[client]

    def _admit_next(self) -> None:
        while self.running < self.slots and self._waiting_by:
            best = None
            for client, queued in self._waiting_by.items():
                n = self._running_by.get(client, 0)
                if n < self.per_client and (best is None or n < best[1]):
                    best = (client, n)
            if best is None:
                return
            client = best[0]
            queued = self._waiting_by[client]
            ticket = queued.popleft()
            self.waiting -= 1
            if not queued:
                del self._waiting_by[client]
            else:
                self._waiting_by.move_to_end(client)  # round robin among equals
            self._start(client)
            ticket.admitted = True
            ticket.lock.release()
