"""The Wikidata-shaped endpoints the tests of igokg.wikidata ask: real Oxigraph servers on
127.0.0.1 (tests/support/wikidata_servers.py). "good": base.ttl + good.ttl, every link right;
"planted": base.ttl + planted.ttl (a wrong label, a wrong type, a redirect)."""

from __future__ import annotations

import pytest
from support.wikidata_servers import OxigraphServers


@pytest.fixture(scope="session")
def oxigraph_endpoint(tmp_path_factory):
    servers = OxigraphServers(tmp_path_factory.mktemp)
    yield servers.start
    servers.stop()


@pytest.fixture(scope="session")
def good(oxigraph_endpoint) -> str:
    return oxigraph_endpoint("good", "base.ttl", "good.ttl")


@pytest.fixture(scope="session")
def planted(oxigraph_endpoint) -> str:
    return oxigraph_endpoint("planted", "base.ttl", "planted.ttl")
