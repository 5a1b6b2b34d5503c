"""Queries run on the thread that asks, admitted fairly, bounded in run time.

Input: a client address, a request tuple, and how to answer the client if the query
overruns. Output: (status, content type, body, headers), or None when the query overran
and the client was already answered.

pyoxigraph releases the GIL while it evaluates and serializes, so a query runs on the
thread of its connection (protocol.py): no hand-off to a pool, no pipe, no second process
per request. What a thread cannot do is stop: pyoxigraph has no cancellation. So a
watchdog thread looks at the running queries ten times a second; one that has outlived
the limit gets its 503 at once (`on_overrun`, from the watchdog), and the process calls
`on_runaway`: under `igokg serve` it stops accepting connections, lets its other queries
finish, and exits — taking the runaway thread with it — while the supervisor has already
started its replacement (server.py). The runaway keeps its admission slot until it
really ends, so the slots count what really runs.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Sequence

import pyoxigraph as ox

from igokg.serve.admission import Admission, Gone, Refused
from igokg.serve.answer import answer
from igokg.serve.settings import ServeSettings

Reply = tuple[int, str, bytes, Sequence[tuple[bytes, bytes]]]
_TEXT = "text/plain; charset=utf-8"
_NO_EXTRA = ((),)  # (a reply's extra headers: none)


class _Run:
    __slots__ = ("deadline", "on_overrun", "started")

    def __init__(self, started: float, deadline: float, on_overrun: Callable[[bytes], None] | None) -> None:
        self.started = started
        self.deadline = deadline
        self.on_overrun = on_overrun


class Runner:
    def __init__(self, store: ox.Store, settings: ServeSettings, on_runaway: Callable[[], None] | None = None) -> None:
        self.store = store
        self.settings = settings
        self.on_runaway = on_runaway
        self.admission = Admission(settings.slots, settings.per_client, settings.queue, settings.client_queue,
                                   settings.max_wait)
        self.runaways = 0
        # Running queries by ticket. The query's thread and the watchdog each `pop` its
        # ticket; whoever pops it first answers the client (dict.pop is atomic).
        self._running: dict[int, _Run] = {}
        self._tickets = itertools.count()
        self._watchdog: threading.Thread | None = None
        self._closed = threading.Event()
        self._start_lock = threading.Lock()

    def run(self, client: str, msg: tuple, gone: Callable[[], bool] | None = None,
            on_overrun: Callable[[bytes], None] | None = None) -> Reply | None:
        """Run one request on this thread. None: it overran, and `on_overrun` answered the client."""
        admission = self.admission
        try:
            admission.enter(client, gone)
        except Refused as r:
            return r.status, _TEXT, (r.message + "\n").encode(), [(b"retry-after", str(r.retry_after).encode())]
        except Gone:
            return 499, _TEXT, b"client closed the request\n", []
        if self._watchdog is None:
            self._start_watchdog()
        ticket = next(self._tickets)
        started = time.monotonic()
        running = self._running
        settings = self.settings
        running[ticket] = _Run(started, started + settings.timeout, on_overrun)
        try:
            reply = answer(self.store, msg, settings.max_result, settings.service_endpoints)
        finally:
            mine = running.pop(ticket, None) is not None
            admission.leave(client)  # a runaway's slot comes back only now that it really ended
        return reply + _NO_EXTRA if mine else None

    def overrun_message(self, started: float) -> bytes:
        return (
            f"query timed out: it ran longer than this server's limit of {self.settings.timeout:g} s "
            f"(time spent waiting for a slot not counted: it started {time.monotonic() - started:.1f} s ago) "
            "and was stopped; narrow it or add a LIMIT\n"
        ).encode()

    # watchdog -------------------------------------------------------------------------
    def _start_watchdog(self) -> None:
        with self._start_lock:
            if self._watchdog is None:
                self._watchdog = threading.Thread(target=self._watch, name="igokg-watchdog", daemon=True)
                self._watchdog.start()

    def _watch(self) -> None:
        tick = min(0.1, self.settings.timeout / 5)
        while not self._closed.wait(tick):
            now = time.monotonic()
            for ticket, run in list(self._running.items()):
                if now >= run.deadline and self._running.pop(ticket, None) is not None:
                    self.runaways += 1
                    if run.on_overrun is not None:
                        try:
                            run.on_overrun(self.overrun_message(run.started))
                        except Exception:  # noqa: BLE001, S110 - the client may be gone; the runaway still counts
                            pass
                    if self.on_runaway is not None:
                        self.on_runaway()

    def close(self) -> None:
        self._closed.set()
