"""Queries on threads of the serving process, admitted fairly, bounded in run time.

Input: a client address and a request tuple. Output: (status, content type, body, headers).

pyoxigraph releases the GIL while it evaluates and serializes, so a query runs on a
thread beside the event loop: no pipe, no pickling, no second process per request (that
hop capped the old worker-process design near 3k requests/s). What a thread cannot do is
stop: pyoxigraph has no cancellation. So a query that outlives the limit gets its 503 at
once, and the process calls `on_runaway`: under `igokg serve` it stops accepting
connections, lets its other queries finish, and exits — taking the runaway thread with
it — while the supervisor has already started its replacement (server.py).
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

import pyoxigraph as ox

from igokg.serve.admission import Admission, Refused
from igokg.serve.answer import answer
from igokg.serve.settings import ServeSettings

Reply = tuple[int, str, bytes, list[tuple[bytes, bytes]]]
_TEXT = "text/plain; charset=utf-8"


class Runner:
    def __init__(self, store: ox.Store, settings: ServeSettings, on_runaway: Callable[[], None] | None = None) -> None:
        self.store = store
        self.settings = settings
        self.on_runaway = on_runaway
        self.admission = Admission(settings.slots, settings.per_client, settings.queue, settings.client_queue,
                                   settings.max_wait)
        # a few threads beyond the slots: a runaway keeps its thread until the process ends
        self.pool = ThreadPoolExecutor(settings.slots + 4, thread_name_prefix="igokg-query")
        self.runaways = 0

    def _job(self, msg: tuple) -> tuple[int, str, bytes]:
        return answer(self.store, msg, self.settings.max_result, self.settings.service_endpoints)

    async def run(self, client: str, msg: tuple, receive=None) -> Reply:
        admission = self.admission
        try:
            if not admission.try_enter(client):
                await self._wait_turn(client, receive)
        except Refused as r:
            return r.status, _TEXT, (r.message + "\n").encode(), [(b"retry-after", str(r.retry_after).encode())]
        except _Gone:
            return 499, _TEXT, b"client closed the request\n", []
        loop = asyncio.get_running_loop()
        started = time.monotonic()
        fut = loop.run_in_executor(self.pool, self._job, msg)
        try:
            status, ctype, body = await asyncio.wait_for(asyncio.shield(fut), self.settings.timeout)
        except asyncio.TimeoutError:
            # The thread runs on; its slot is given back only when it really ends.
            fut.add_done_callback(lambda _f: admission.leave(client))
            self.runaways += 1
            if self.on_runaway is not None:
                self.on_runaway()
            return 503, _TEXT, (
                f"query timed out: it ran longer than this server's limit of {self.settings.timeout:g} s "
                f"(time spent waiting for a slot not counted: it started {time.monotonic() - started:.1f} s ago) "
                "and was stopped; narrow it or add a LIMIT\n"
            ).encode(), []
        except BaseException:
            fut.add_done_callback(lambda _f: admission.leave(client))
            raise
        admission.leave(client)
        return status, ctype, body, []

    async def _wait_turn(self, client: str, receive) -> None:
        """Wait in the queue; a client that disconnects meanwhile loses its place (raises `_Gone`)."""
        if receive is None:
            await self.admission.enter(client)
            return
        turn = asyncio.ensure_future(self.admission.enter(client))
        gone = asyncio.ensure_future(_disconnected(receive))
        try:
            await asyncio.wait((turn, gone), return_when=asyncio.FIRST_COMPLETED)
        finally:
            gone.cancel()
        if not turn.done():
            turn.cancel()
            try:
                await turn
            except (asyncio.CancelledError, Refused):
                pass
            else:  # admitted in the same instant (wait_for then swallows the cancel): give the slot back
                self.admission.leave(client)
            raise _Gone()
        turn.result()  # raises Refused

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


class _Gone(Exception):
    pass


async def _disconnected(receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
