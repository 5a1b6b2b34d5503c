"""An independent SPARQL client (Comunica, from npm) gets the answers of the embedded store."""

from __future__ import annotations

import json
import os
import subprocess

import pytest
from support.serve import (
    ROOT,
    TEST_QUERIES,
    build_test_release,
    embedded_select,
    start_server,
    stop_server,
)

COMUNICA = ROOT / ".cache" / "npm" / "node_modules" / ".bin" / "comunica-sparql"

if not COMUNICA.exists():
    if os.environ.get("CI"):
        raise RuntimeError(f"{COMUNICA} is missing: .ci/setup.d/serve.sh installs it")
    pytest.skip("Comunica not installed: run bash .ci/setup.d/serve.sh", allow_module_level=True)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    release = build_test_release(tmp_path_factory.mktemp("comunica") / "dist")
    s = start_server(release)
    yield s
    stop_server(s)


def comunica(endpoint: str, query: str) -> list[dict[str, str]]:
    out = subprocess.run(
        [str(COMUNICA), f"sparql@{endpoint}", "-t", "application/sparql-results+json", query],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout
    data = json.loads(out)
    return [{k: v["value"] for k, v in b.items()} for b in data["results"]["bindings"]]


@pytest.mark.parametrize("name", sorted(TEST_QUERIES))
def test_comunica_gets_the_same_rows_as_the_embedded_query(served, name):
    query = TEST_QUERIES[name]
    got = comunica(served.sparql, query)
    expected = embedded_select(served.release, query)
    assert expected, "the test query must have answers"
    assert sorted(map(json.dumps, got)) == sorted(map(json.dumps, expected))
