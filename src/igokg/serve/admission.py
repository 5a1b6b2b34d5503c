"""Admission control: which query runs now, which waits, which is refused at once.

Input: a client (its IP address) asking to run a query. Output: a slot to run in, or a
`Refused` with the HTTP status, the message naming what was limited, and `Retry-After`.

Rules (per serving process; see docs/serve.md):
* at most `slots` queries run at once, and one client at most `per_client` of them, so a
  few clients looping heavy queries cannot take every slot from the others;
* a query that cannot run yet waits; the waiting room holds `queue` queries, a client's
  share of it `client_queue`. Past either: refused at once (503 or 429, with Retry-After);
* a freed slot goes to the waiting query of the client with the fewest queries running
  (oldest first among equals), so one client's burst does not starve another client;
* a query that waited `max_wait` seconds without starting is refused (503), and the time
  spent waiting never counts against the query's run-time limit.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict, deque
from dataclasses import dataclass


@dataclass
class Refused(Exception):
    status: int
    message: str
    retry_after: int = 1


class Admission:
    def __init__(self, slots: int, per_client: int, queue: int, client_queue: int, max_wait: float) -> None:
        self.slots = max(1, slots)
        self.per_client = max(1, per_client)
        self.queue = max(0, queue)
        self.client_queue = max(0, client_queue)
        self.max_wait = max_wait
        self.running = 0
        self.waiting = 0
        self._running_by: dict[str, int] = {}
        self._waiting_by: OrderedDict[str, deque[asyncio.Future]] = OrderedDict()

    def try_enter(self, client: str) -> bool:
        """Take a slot at once if the rules allow it (the common case: no waiting)."""
        if self.running < self.slots and self._running_by.get(client, 0) < self.per_client and client not in self._waiting_by:
            self._start(client)
            return True
        return False

    async def enter(self, client: str) -> None:
        """Return when the client's query may run; raise `Refused` when it may not."""
        if self.try_enter(client):
            return
        mine = self._running_by.get(client, 0)
        queued = self._waiting_by.get(client)
        if self.waiting >= self.queue:
            raise Refused(503, f"the server is busy: {self.running} queries running and {self.waiting} waiting "
                               f"(queue limit {self.queue}); try again in a moment", 1)
        if queued is not None and len(queued) >= self.client_queue:
            raise Refused(429, f"too many queries from {client} at once: {mine} running and {len(queued)} waiting "
                               f"(limit per client: {self.per_client} running, {self.client_queue} waiting); "
                               f"wait for your answers before sending more", 1)
        fut: asyncio.Future = asyncio.get_running_loop().create_future()
        self._waiting_by.setdefault(client, deque()).append(fut)
        self.waiting += 1
        try:
            await asyncio.wait_for(fut, self.max_wait)
        except asyncio.TimeoutError:
            raise Refused(503, f"the server is busy: this query waited {self.max_wait:g} s for one of the "
                               f"{self.slots} query slots and was not started; try again later", 5) from None
        except asyncio.CancelledError:
            if fut.done() and not fut.cancelled():  # admitted just as the client left
                self.leave(client)
            raise
        finally:
            if not fut.done() or fut.cancelled():
                self._forget(client, fut)

    def leave(self, client: str) -> None:
        """The client's query finished (or was given up): its slot goes to the next in line."""
        self.running -= 1
        n = self._running_by.get(client, 1) - 1
        if n:
            self._running_by[client] = n
        else:
            self._running_by.pop(client, None)
        self._admit_next()

    # ------------------------------------------------------------------------------
    def _start(self, client: str) -> None:
        self.running += 1
        self._running_by[client] = self._running_by.get(client, 0) + 1

    def _forget(self, client: str, fut: asyncio.Future) -> None:
        queued = self._waiting_by.get(client)
        if queued is not None and fut in queued:
            queued.remove(fut)
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
            fut = queued.popleft()
            self.waiting -= 1
            if not queued:
                del self._waiting_by[client]
            else:
                self._waiting_by.move_to_end(client)  # round robin among equals
            if fut.done():  # gave up meanwhile
                continue
            self._start(client)
            fut.set_result(None)
