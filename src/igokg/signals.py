"""Polite stops: SIGTERM and SIGHUP raise `Terminated` while a command has something to undo.

A build removes its staging folder (publish/atomic.py) and a push drops its staging graph on
the server (push/run.py) on the way out, as they do on Ctrl-C; without this, the default
action of SIGTERM (a service manager stopping igokg, `kill`, a CI timeout) ends the process
at once and leaves what was half-written behind.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Iterator

from igokg.errors import Terminated

__all__ = ["STOP_SIGNALS", "StopRequest", "stop_signals_deferred", "stop_signals_raise"]

#: Signals that end a command politely; each becomes `Terminated` inside `stop_signals_raise`.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


@contextmanager
def _handled(handler) -> Iterator[None]:
    """While inside, `handler` takes SIGTERM/SIGHUP (main thread, default handlers only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {}
    for sig in STOP_SIGNALS:
        if signal.getsignal(sig) is signal.SIG_DFL:
            previous[sig] = signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


@contextmanager
def stop_signals_raise() -> Iterator[None]:
    """While inside, SIGTERM/SIGHUP raise `Terminated` (main thread, default handlers only)."""

    def stop(signum: int, _frame: object) -> None:
        raise Terminated(signum)

    with _handled(stop):
        yield


class StopRequest:
    """Set by the first SIGTERM/SIGHUP inside `stop_signals_deferred`; `check()` raises it."""

    def __init__(self) -> None:
        self.signum: int | None = None

    def check(self) -> None:
        if self.signum is not None:
            raise Terminated(self.signum)


@contextmanager
def stop_signals_deferred() -> Iterator[StopRequest]:
    """Like `stop_signals_raise`, but the first signal only asks: the work stops at its next
    `check()`, between two requests to a server, so no request is cut half-way (a request cut
    after it was sent may still land on the server after the clean-up). A second signal stops
    at once."""
    request = StopRequest()

    def stop(signum: int, _frame: object) -> None:
        if request.signum is not None:
            raise Terminated(signum)
        request.signum = signum

    with _handled(stop):
        yield request
