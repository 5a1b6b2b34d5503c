"""Stale staging graphs: a later successful push drops those of pushes that are gone, never a
live push's, never a graph of another name. Against real Oxigraph and Virtuoso servers.

Leases are shortened to a second here (300 s by default) so that "gone" takes a second.
"""

from __future__ import annotations

import threading
import time

import pytest
from support.push_servers import (
    Oxigraph,
    Virtuoso,
    generated,
    graph_counts,
    markers,
    sparql_select,
)

from igokg.errors import RemoteError
from igokg.push import Auth, push_release
from igokg.push.client import _Client, run_update
from igokg.push.staging import Lease, leases_graph

LEASE = 1.0


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory):
    server = Oxigraph(tmp_path_factory.mktemp("oxigraph") / "db").start()
    yield server
    server.kill()


def staging_graphs(counts: dict[str, int], target: str) -> list[str]:
    return sorted(g for g in counts if g.startswith(f"{target}-staging-"))


def leases(server, target: str) -> dict[str, int]:
    return graph_counts(server, leases_graph(target))


def test_a_failed_pushs_staging_graph_is_dropped_by_a_later_successful_push(tmp_path):
    target = "http://example.org/graph/after-crash"
    server = Oxigraph(tmp_path / "db").start()
    try:
        def kill_at_third_chunk(message: str) -> None:
            if message.startswith("uploading chunk 3/"):
                server.kill()

        with pytest.raises(RemoteError, match="may remain"):
            push_release(generated(tmp_path / "a", "lost", 500), server.url, graph=target, chunk_triples=100,
                         progress=kill_at_third_chunk)
        server.start()
        (left,) = staging_graphs(graph_counts(server), target)
        assert graph_counts(server)[left] == 200

        time.sleep(LEASE * 1.5)  # the dead push renews nothing: its lease lapses
        report = push_release(generated(tmp_path / "b", "new", 30), server.url, graph=target, lease=LEASE)
        assert report.stale_dropped == [left]
        assert f"dropped the stale staging graph <{left}> of an earlier push" in report.to_text()
        assert staging_graphs(graph_counts(server), target) == []
        assert leases(server, target) == {leases_graph(target): 0}
        assert markers(server, target) == {"new": 30}
    finally:
        server.kill()


def test_a_live_pushs_staging_graph_survives_a_concurrent_push(oxigraph, tmp_path):
    target = "http://example.org/graph/concurrent-pushes"
    paused, resume = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def hold_before_verifying(message: str) -> None:
        if message == "verifying the staging graph":
            paused.set()
            resume.wait(60)

    def slow_push() -> None:
        try:
            outcome["report"] = push_release(generated(tmp_path / "slow", "slow", 40), oxigraph.url, graph=target,
                                             progress=hold_before_verifying, lease=LEASE)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            outcome["error"] = exc

    slow = threading.Thread(target=slow_push)
    slow.start()
    try:
        assert paused.wait(30)
        time.sleep(LEASE * 2)  # longer than a lease: only the renewals keep it alive
        (live,) = staging_graphs(graph_counts(oxigraph), target)
        report = push_release(generated(tmp_path / "fast", "fast", 20), oxigraph.url, graph=target, lease=LEASE)
        assert report.stale_dropped == []
        assert graph_counts(oxigraph)[live] == 40 and markers(oxigraph, target) == {"fast": 20}
    finally:
        resume.set()
        slow.join(60)
    assert "error" not in outcome, outcome.get("error")
    assert markers(oxigraph, target) == {"slow": 40}  # the slow push swapped in last
    assert staging_graphs(graph_counts(oxigraph), target) == []


def test_only_staging_graphs_of_the_target_and_of_our_naming_are_dropped(oxigraph, tmp_path):
    target = "http://example.org/graph/names"
    ours = f"{target}-staging-0123456789ab-89abcdef"  # an older igokg's: no lease
    theirs = [f"{target}-staging-handmade", f"{target}-staging-0123456789ab-89abcdef-copy",
              "http://example.org/graph/other-staging-0123456789ab-89abcdef"]
    client = _Client(Auth())
    for g in [ours, *theirs]:
        run_update(client, oxigraph.url + "/update", f"INSERT DATA {{ GRAPH <{g}> {{ <http://example.org/s> <http://example.org/p> 1 }} }}")
    report = push_release(generated(tmp_path / "a", "x", 3), oxigraph.url, graph=target, lease=LEASE)
    assert report.stale_dropped == [ours]
    counts = graph_counts(oxigraph)
    assert ours not in counts and all(counts[g] == 1 for g in theirs)


def test_a_push_that_cannot_renew_its_lease_stops_before_the_swap(oxigraph):
    client = _Client(Auth())
    lease = Lease(lambda: _Client(Auth()), oxigraph.url + "/update", "http://example.org/graph/lapsed",
                  "http://example.org/graph/lapsed-staging-0123456789ab-89abcdef", seconds=0.4)
    lease.take(client)
    lease.check()
    lease._stop.set()  # as if every renewal failed from now on
    time.sleep(0.4)
    with pytest.raises(RemoteError, match="could not renew the lease on the staging graph .*; stopped before the swap"):
        lease.check()
    lease.release(client)


# --------------------------------------------------------------------------- Virtuoso


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory):
    server = Virtuoso(tmp_path_factory.mktemp("virtuoso")).start()
    yield server
    server.kill()


def test_virtuoso_drops_a_dead_pushs_staging_graph_and_keeps_a_live_ones(virtuoso, tmp_path):
    # Virtuoso cannot list named graphs cheaply (GRAPH ?g {} answers nothing): leases tell.
    target = "http://example.org/graph/virtuoso-sweep"
    url, auth = virtuoso.url + "/sparql-auth", Auth("digest", "dba", "dba")
    client = _Client(auth)
    held: dict[str, Lease] = {}
    for name in ("dead", "live"):
        staging = f"{target}-staging-{'0' * 12}-{name.encode().hex():0<8}"
        held[name] = Lease(lambda: _Client(auth), url, target, staging, seconds=LEASE)
        held[name].take(client)
        run_update(client, url, f"INSERT DATA {{ GRAPH <{staging}> {{ <http://example.org/s> <http://example.org/p> 1 }} }}")
    held["dead"]._stop.set()  # its process is gone: nobody renews
    try:
        time.sleep(LEASE * 2)
        report = push_release(generated(tmp_path / "a", "v", 10), url, graph=target, auth=auth, lease=LEASE, timeout=60)
        assert report.stale_dropped == [held["dead"].staging]
        rows = sparql_select(virtuoso.url + "/sparql",
                             f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{target}-staging-")) }}')
        assert [r["g"] for r in rows] == [held["live"].staging]
    finally:
        held["live"].release(client)
