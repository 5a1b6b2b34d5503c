"""The server's processes: one supervisor, N serving processes sharing one listening socket.

Input: a `ServeApp` and its settings. Output: a running server until SIGTERM or Ctrl-C.
The store lives in memory (store.py), so a stopped or killed server leaves nothing behind.

The supervisor binds the socket (a bad or busy port is a `ServeError`, not a traceback),
removes the scratch folders older servers left, loads the release into an in-memory store
(no threads are left running after the load, so it stays safe to fork from), then forks
the serving processes, which share the store's pages. Each runs the HTTP front
(protocol.py) on the shared socket: the kernel hands each new connection to one of them,
and the connection gets a thread that answers its queries.

A serving process whose query outlives the time limit cannot stop that query (pyoxigraph
has no cancellation). It tells the supervisor, which forks a replacement at once (a fork
of a supervisor that has loaded everything: milliseconds), stops accepting connections,
lets its other requests finish, and exits — which ends the runaway thread. A serving
process that dies unexpectedly is replaced too; a supervisor whose children die at
start, or keep dying, stops with the reason.
"""

from __future__ import annotations

import errno
import gc
import os
import select
import signal
import socket
import threading
import time
from collections.abc import Callable

import pyoxigraph as ox

from igokg.errors import ServeError
from igokg.serve.app import ServeApp
from igokg.serve.settings import ServeSettings
from igokg.serve.store import load_release_store, remove_stale


def run_server(app: ServeApp, settings: ServeSettings, on_ready: Callable[[str], None] | None = None) -> None:
    """Serve until SIGTERM or SIGINT (blocking). `on_ready` gets the URL once every process answers."""
    sock = bind(settings.host, settings.port)
    try:
        remove_stale()
        try:
            store, app.triples = load_release_store(app.release)
        except (OSError, SyntaxError, ValueError) as exc:
            raise ServeError(f"cannot load {app.release} into a store: {exc}") from None
        Supervisor(app, settings, sock, store).run(on_ready)
    finally:
        sock.close()


def bind(host: str, port: int) -> socket.socket:
    """The listening socket, or a `ServeError` that says what to change."""
    if not 0 <= port <= 65535:
        raise ServeError(f"--port {port} is not a port number: use 1-65535 (or 0 for any free port)")
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except (socket.gaierror, UnicodeError) as exc:
        raise ServeError(f"--host {host}: not an address of this machine ({exc})") from None
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(1024)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ServeError(f"cannot listen on {host}:{port}: the port is in use (another server?); "
                             "choose another with --port") from None
        if exc.errno == errno.EACCES:
            raise ServeError(f"cannot listen on {host}:{port}: permission denied (ports below 1024 need root); "
                             "choose another with --port") from None
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.set_inheritable(True)
    return sock


class Supervisor:
    def __init__(self, app: ServeApp, settings: ServeSettings, sock: socket.socket, store: ox.Store) -> None:
        self.app = app
        self.settings = settings
        self.sock = sock
        self.store = store
        self.children: dict[int, str] = {}  # pid -> "starting" | "serving" | "retiring"
        self.stopping = False
        self.failures: list[float] = []
        self._buf = b""

    def run(self, on_ready: Callable[[str], None] | None) -> None:
        self.r, self.w = os.pipe()
        # Everything imported and loaded so far lives as long as the processes: out of the
        # garbage collector's sight, it is never scanned (no pauses) nor written to by the
        # scans (the forked processes keep sharing those pages).
        gc.freeze()
        previous = {s: signal.signal(s, self._stop) for s in (signal.SIGTERM, signal.SIGINT)}
        try:
            for _ in range(max(1, self.settings.workers)):
                self._spawn()
            self._wait_started()
            # (even when stopping already: a client may have been answered by then)
            if on_ready is not None and "serving" in self.children.values():
                host, port = self.sock.getsockname()[:2]
                on_ready(f"http://{f'[{host}]' if ':' in host else host}:{port}/")
            while not self.stopping:
                self._step(0.5)
        finally:
            self._stop_children()
            for s, handler in previous.items():
                signal.signal(s, handler)
            os.close(self.r)
            os.close(self.w)

    def _stop(self, *_args) -> None:
        self.stopping = True

    def _spawn(self) -> None:
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child
            code = 1
            try:
                os.close(self.r)
                _serve_child(self.app, self.settings, self.sock, self.store, self.w)
                code = 0
            except BaseException as exc:  # noqa: BLE001 - reported to the supervisor
                os.write(self.w, f"E{os.getpid()} {type(exc).__name__}: {exc}\n".encode()[:4000])
            finally:
                os._exit(code)
        self.children[pid] = "starting"

    def _wait_started(self) -> None:
        deadline = time.monotonic() + 120
        while any(s == "starting" for s in self.children.values()) and not self.stopping:
            if time.monotonic() > deadline:
                raise ServeError("the serving processes did not start within 120 s")
            self._step(0.2, starting=True)

    def _step(self, wait: float, starting: bool = False) -> None:
        try:
            ready, _, _ = select.select([self.r], [], [], wait)
        except InterruptedError:
            ready = []
        if ready:
            self._buf += os.read(self.r, 65536)
            *lines, self._buf = self._buf.split(b"\n")
            for line in lines:
                self._message(line.decode("utf-8", "replace"), starting)
        while True:
            try:
                pid, _status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            state = self.children.pop(pid, None)
            if state is None or self.stopping or state == "retiring":
                continue
            if starting or state == "starting":
                raise ServeError("a serving process stopped while starting (see the message above)")
            self._failed()
            self._spawn()

    def _message(self, line: str, starting: bool) -> None:
        kind, _, rest = line.partition(" ") if line[:1] == "E" else (line[:1], "", line[1:])
        if kind == "S":
            pid = int(rest)
            if pid in self.children:
                self.children[pid] = "serving"
        elif kind == "R":
            pid = int(rest)
            if self.children.get(pid) == "serving":
                self.children[pid] = "retiring"
                if not self.stopping:
                    self._spawn()
        elif kind.startswith("E") and starting:
            raise ServeError(f"a serving process failed to start: {rest}")

    def _failed(self) -> None:
        now = time.monotonic()
        self.failures = [t for t in self.failures if now - t < 30] + [now]
        if len(self.failures) > 5:
            raise ServeError("serving processes keep stopping (6 in 30 s); giving up")

    def _stop_children(self) -> None:
        for pid in list(self.children):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                self.children.pop(pid, None)
        deadline = time.monotonic() + self.settings.timeout + 3
        while self.children and time.monotonic() < deadline:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                time.sleep(0.05)
            else:
                self.children.pop(pid, None)
        for pid in list(self.children):
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
        self.children.clear()


def _serve_child(app: ServeApp, settings: ServeSettings, sock: socket.socket, store: ox.Store, report: int) -> None:
    """One serving process: the HTTP front on the shared socket until told to stop, then drain."""
    from igokg.serve.protocol import Front

    stop = threading.Event()
    for s in (signal.SIGTERM, signal.SIGINT):
        signal.signal(s, lambda *_: stop.set())
    parent = os.getppid()
    app.open_store(store, app.triples)
    front = Front(sock, app, app.endpoint, settings.header_timeout, settings.keepalive_timeout, settings.max_body,
                  spread=settings.workers > 1)
    retired = threading.Lock()

    def retire() -> None:
        if retired.acquire(blocking=False):  # once
            os.write(report, f"R{os.getpid()}\n".encode())
            stop.set()

    app.on_runaway = retire
    front.start()
    os.write(report, f"S{os.getpid()}\n".encode())
    while not stop.wait(0.5):
        if os.getppid() != parent:  # the supervisor is gone (killed): do not linger
            break
    front.retire()
    front.drain(settings.timeout + 1)
    app.close()
