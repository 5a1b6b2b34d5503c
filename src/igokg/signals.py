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

__all__ = ["STOP_SIGNALS", "stop_signals_raise"]

#: Signals that end a command politely; each becomes `Terminated` inside `stop_signals_raise`.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


@contextmanager
def stop_signals_raise() -> Iterator[None]:
    """While inside, SIGTERM/SIGHUP raise `Terminated` (main thread, default handlers only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, _frame: object) -> None:
        raise Terminated(signum)

    previous = {}
    for sig in STOP_SIGNALS:
        if signal.getsignal(sig) is signal.SIG_DFL:
            previous[sig] = signal.signal(sig, stop)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
