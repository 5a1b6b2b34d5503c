"""Query worker processes: one killed and replaced when its query overruns the time limit.

pyoxigraph cannot cancel a running query, but a process can be killed. Workers are plain
`python -c` children speaking pickles over two pipes; they open the release store read-only.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox

from igokg.serve.answer import _answer


def _worker_main(location: str, rfd: int, wfd: int, max_result: int) -> None:  # pragma: no cover - runs in a child
    """A query worker: a plain `python -c` child speaking pickles over two pipes.

    Not `multiprocessing`'s spawn: that re-runs the parent's `__main__`, which a script
    calling `create_app` without a main guard does not survive.
    """
    from multiprocessing.connection import Connection

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when workers stop
    inbox = Connection(rfd, writable=False)
    outbox = Connection(wfd, readable=False)
    store = ox.Store.read_only(location)
    outbox.send(("ready",))
    while True:
        try:
            msg = inbox.recv()
        except (EOFError, OSError):
            return
        outbox.send(_answer(store, msg, max_result))


class _Proc:
    """The worker's process and the parent's ends of its pipes."""

    def __init__(self, location: str, max_result: int) -> None:
        from multiprocessing.connection import Connection

        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        code = (
            "import sys; from igokg.serve.pool import _worker_main; "
            f"_worker_main(sys.argv[1], {to_child_r}, {from_child_w}, {max_result})"
        )
        self.popen = subprocess.Popen(
            [sys.executable, "-c", code, location],
            pass_fds=(to_child_r, from_child_w),
            stdin=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)},
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self.send_conn = Connection(to_child_w, readable=False)
        self.recv_conn = Connection(from_child_r, writable=False)

    def is_alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        self.popen.kill()

    def join(self, timeout: float) -> None:
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            pass

    def close(self) -> None:
        self.send_conn.close()
        self.recv_conn.close()


class _Worker:
    def __init__(self, proc: _Proc) -> None:
        self.proc = proc
        self.future: asyncio.Future | None = None
        self.ready = False


class QueryPool:
    """Worker processes that run queries; one killed and replaced when it overruns."""

    def __init__(self, location: Path, size: int, timeout: float, max_result: int) -> None:
        self.location = str(location)
        self.size = max(1, size)
        self.timeout = timeout
        self.max_result = max_result
        self._idle: asyncio.Queue[_Worker] | None = None
        self._workers: set[_Worker] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self.killed = 0

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._idle = asyncio.Queue()
        waits = [self._spawn() for _ in range(self.size)]
        await asyncio.gather(*waits)

    def _spawn(self) -> asyncio.Future:
        assert self._loop is not None
        w = _Worker(_Proc(self.location, self.max_result))
        w.future = self._loop.create_future()
        self._workers.add(w)
        self._loop.add_reader(w.proc.recv_conn.fileno(), self._readable, w)
        return w.future

    def _readable(self, w: _Worker) -> None:
        try:
            # uvloop makes watched fds non-blocking; a reply larger than the pipe buffer
            # would then fail half-read. The worker writes it whole at once: block for it.
            os.set_blocking(w.proc.recv_conn.fileno(), True)
            msg = w.proc.recv_conn.recv()
        except (EOFError, OSError):
            self._retire(w)
            if w.future is not None and not w.future.done():
                w.future.set_result((500, "text/plain; charset=utf-8", b"the query worker stopped unexpectedly\n"))
            if self._loop is not None and not self._closing:
                self._spawn()
            return
        if not w.ready:
            w.ready = True
            fut, w.future = w.future, None
            assert self._idle is not None
            self._idle.put_nowait(w)
            if fut is not None and not fut.done():
                fut.set_result(None)
            return
        if w.future is not None and not w.future.done():
            w.future.set_result(msg)

    _closing = False

    def _retire(self, w: _Worker) -> None:
        if w not in self._workers:
            return
        self._workers.discard(w)
        assert self._loop is not None
        try:
            self._loop.remove_reader(w.proc.recv_conn.fileno())
        except (OSError, ValueError):
            pass
        if w.proc.is_alive():
            w.proc.kill()
        w.proc.join(timeout=2)
        w.proc.close()

    async def run(self, msg: tuple) -> tuple[int, str, bytes]:
        assert self._idle is not None and self._loop is not None
        # Waiting for a free worker has its own, longer bound: a replacement worker needs a
        # moment to start, and a queued query should not time out before it ran at all.
        wait = max(2 * self.timeout, 10.0)
        try:
            w = await asyncio.wait_for(self._idle.get(), wait)
        except asyncio.TimeoutError:
            return 503, "text/plain; charset=utf-8", (
                f"the server is busy: no query worker became free within {wait:g} s; try again later\n"
            ).encode()
        deadline = self._loop.time() + self.timeout
        if w not in self._workers:  # retired while queued
            return await self.run(msg)
        w.future = self._loop.create_future()
        w.proc.send_conn.send(msg)
        try:
            reply = await asyncio.wait_for(asyncio.shield(w.future), max(0.01, deadline - self._loop.time()))
        except asyncio.CancelledError:
            # the client went away: its answer is wanted by nobody, free the worker now
            self._retire(w)
            self._spawn()
            raise
        except asyncio.TimeoutError:
            self.killed += 1
            self._retire(w)
            self._spawn()
            return 503, "text/plain; charset=utf-8", (
                f"query timed out: it ran longer than this server's limit of {self.timeout:g} s and was stopped\n"
            ).encode()
        w.future = None
        self._idle.put_nowait(w)
        return reply

    async def close(self) -> None:
        self._closing = True
        for w in list(self._workers):
            self._retire(w)
