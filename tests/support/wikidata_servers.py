"""Wikidata-shaped SPARQL endpoints for the tests: real Oxigraph servers (PyPI `oxigraph`) on
127.0.0.1, loaded with the fixtures of tests/wikidata/fixtures/. No mocks of the protocol."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "wikidata" / "fixtures"


def oxigraph_binary() -> str:
    found = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    if not Path(found).is_file():
        message = "the `oxigraph` server is missing: pip install -e '.[test]' (it is in the test extra)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url: str, proc: subprocess.Popen, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"oxigraph exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "?query=ASK%7B%7D", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"oxigraph did not answer at {url}")


class OxigraphServers:
    """Starts read-only Oxigraph servers, each loaded with fixture files; stops them all."""

    def __init__(self, workdir) -> None:
        self.workdir = workdir  # a callable: name -> a fresh folder
        self.started: list[subprocess.Popen] = []

    def start(self, name: str, *files: str) -> str:
        binary = oxigraph_binary()
        location = self.workdir(f"oxigraph-{name}")
        args = [binary, "load", "--location", str(location)]
        for f in files:
            args += ["--file", str(FIXTURES / f)]
        subprocess.run(args, check=True, capture_output=True)
        port = free_port()
        proc = subprocess.Popen(
            [binary, "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.started.append(proc)
        url = f"http://127.0.0.1:{port}/query"
        wait_ready(url, proc)
        return url

    def stop(self) -> None:
        for proc in self.started:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
