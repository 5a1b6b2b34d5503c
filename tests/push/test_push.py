"""`igokg push` against real stores started here: Oxigraph server and Virtuoso (CI installs it).

Releases are written the way `igokg build` writes them (a gzip N-Triples dump and a
`void.ttl` with `void:triples`): one from the project's real facts, others generated
with a marker predicate so that old and new data can be told apart.
"""

from __future__ import annotations

import gzip
import threading
from pathlib import Path

import pyoxigraph as ox
import pytest
from support.push_servers import (
    MARK,
    VOID,
    Oxigraph,
    Proxy,
    Virtuoso,
    generated,
    graph_counts,
    markers,
    need_tool,
    sparql_select,
)

from igokg import __version__
from igokg.cli import main
from igokg.errors import RemoteError, SourceError
from igokg.namespaces import DATASET_IRI
from igokg.project import Settings, user_agent
from igokg.push import (
    DEFAULT_GRAPH,
    Auth,
    auth_from_settings,
    derive_endpoints,
    plan_push,
    push_release,
)


@pytest.fixture(scope="session")
def facts_release(project, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real release, as `igokg build` writes it."""
    from igokg.publish import build_release

    out = tmp_path_factory.mktemp("release") / "dist"
    build_release(project.with_out(out))
    return out


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory):
    server = Oxigraph(tmp_path_factory.mktemp("oxigraph") / "db").start()
    yield server
    server.kill()


# --------------------------------------------------------------------------- Oxigraph


def test_fresh_load_matches_void_and_the_store_answers_queries(oxigraph, facts_release):
    void = ox.Store()
    void.load(path=str(facts_release / "void.ttl"), format=ox.RdfFormat.TURTLE)
    (void_n,) = [int(q.object.value) for q in void.quads_for_pattern(ox.NamedNode(DATASET_IRI), ox.NamedNode(VOID + "triples"), None)]
    assert void_n == len(gzip.open(facts_release / "igokg.nt.gz").read().splitlines())
    report = push_release(facts_release, oxigraph.url + "/query")
    assert report.target_triples == void_n == report.plan.triples
    assert graph_counts(oxigraph) == {DEFAULT_GRAPH: void_n}  # no staging graph left behind
    rows = oxigraph.select(
        "SELECT ?org WHERE { GRAPH <%s> { ?org <http://www.w3.org/2002/07/owl#sameAs> "
        "<http://www.wikidata.org/entity/Q485207> } }" % DEFAULT_GRAPH
    )
    assert rows == [{"org": "https://w3id.org/igokg/id/sco"}]


def test_reload_removes_old_triples_and_leaves_other_graphs_alone(oxigraph, tmp_path):
    target = "http://example.org/graph/reload"
    other = "http://example.org/graph/other"
    push_release(generated(tmp_path / "keep", "keep", 3), oxigraph.url, graph=other)
    push_release(generated(tmp_path / "a", "old", 500), oxigraph.url, graph=target)
    assert markers(oxigraph, target) == {"old": 500}

    report = push_release(generated(tmp_path / "b", "new", 320), oxigraph.url, graph=target, chunk_triples=100)
    assert report.plan.chunks == 4 and report.uploaded_triples == 320
    assert markers(oxigraph, target) == {"new": 320}
    assert markers(oxigraph, other) == {"keep": 3}
    assert not [g for g in graph_counts(oxigraph) if "-staging-" in g]


def test_server_killed_between_chunks_leaves_the_target_intact(tmp_path):
    server = Oxigraph(tmp_path / "db").start()
    target = "http://example.org/graph/crash"
    try:
        push_release(generated(tmp_path / "a", "old", 250), server.url, graph=target)

        def kill_at_third_chunk(message: str) -> None:
            if message.startswith("uploading chunk 3/"):
                server.kill()

        with pytest.raises(RemoteError) as caught:
            push_release(
                generated(tmp_path / "b", "new", 1000), server.url, graph=target, chunk_triples=100, progress=kill_at_third_chunk
            )
        assert "staging graph" in str(caught.value) and "may remain" in str(caught.value)
        assert "DROP SILENT GRAPH <http://example.org/graph/crash-staging-" in str(caught.value)

        server.start()  # same folder: what was committed survived the kill
        assert markers(server, target) == {"old": 250}
        staged = [g for g in graph_counts(server) if "-staging-" in g]
        assert len(staged) == 1 and graph_counts(server)[staged[0]] == 200  # the two chunks that made it
    finally:
        server.kill()


def test_connection_cut_mid_upload_drops_the_staging_graph_and_keeps_the_target(oxigraph, tmp_path):
    target = "http://example.org/graph/cut"
    push_release(generated(tmp_path / "a", "old", 300), oxigraph.url, graph=target)
    with Proxy(oxigraph.url, drop_upload=2) as proxy:
        with pytest.raises(RemoteError) as caught:
            push_release(generated(tmp_path / "b", "new", 5000), proxy.url, graph=target, chunk_triples=2000)
    assert proxy.uploads == 2
    assert "the target graph was not touched, the staging graph was dropped" in str(caught.value)
    assert markers(oxigraph, target) == {"old": 300}
    assert not [g for g in graph_counts(oxigraph) if "-staging-" in g]


def test_wrong_credentials_fail_clearly_without_printing_the_password(oxigraph, tmp_path, capsys, monkeypatch):
    target = "http://example.org/graph/auth"
    release = generated(tmp_path / "a", "secret", 10)
    with Proxy(oxigraph.url, user="loader", password="right-pass-1") as proxy:
        monkeypatch.setenv("IGOKG_PUSH_USER", "loader")
        monkeypatch.setenv("IGOKG_PUSH_PASSWORD", "wrong-pass-2")
        code = main(["push", "--endpoint", proxy.url + "/query", "--graph", target, "--out", str(release)])
        out, err = capsys.readouterr()
        assert code == 2
        assert "(HTTP 401)" in err and "credentials rejected" in err and "'loader'" in err
        assert "nothing was written" in err
        assert "wrong-pass-2" not in out + err
        assert graph_counts(oxigraph, target) == {target: 0}

        monkeypatch.setenv("IGOKG_PUSH_PASSWORD", "right-pass-1")
        assert main(["push", "--endpoint", proxy.url + "/query", "--graph", target, "--out", str(release)]) == 0
        out, err = capsys.readouterr()
        assert "right-pass-1" not in out + err
        assert markers(oxigraph, target) == {"secret": 10}
        assert len(proxy.seen_auth) >= 4 and set(proxy.seen_auth[-4:]) == {proxy.expected}


def test_push_introduces_itself_as_igokg(oxigraph, tmp_path):
    with Proxy(oxigraph.url) as proxy:
        push_release(generated(tmp_path / "a", "ua", 5), proxy.url, graph="http://example.org/graph/ua")
    assert len(proxy.seen_agents) >= 4
    assert set(proxy.seen_agents) == {user_agent()} == {f"igokg/{__version__} (+https://w3id.org/igokg)"}


def test_bearer_token_is_sent_and_never_shown(tmp_path, monkeypatch):
    auth = auth_from_settings(Settings.from_env({"IGOKG_PUSH_TOKEN": "tok-123", "IGOKG_PUSH_USER": "ignored"}))
    assert auth.scheme == "bearer" and "tok-123" not in repr(auth) and "tok-123" not in auth.describe()
    plan = plan_push(generated(tmp_path / "a", "x", 3), "http://127.0.0.1:1/query", auth=auth)
    assert "tok-123" not in plan.to_text()
    assert auth_from_settings(Settings.from_env({"IGOKG_PUSH_USER": "u", "IGOKG_PUSH_PASSWORD": "p", "IGOKG_PUSH_AUTH": "digest"})) == Auth(
        "digest", "u", "p"
    )
    assert auth_from_settings(Settings.from_env({})) == Auth()


def test_a_reader_during_the_swap_sees_the_old_or_the_new_graph_never_a_mixture(oxigraph, tmp_path):
    target = "http://example.org/graph/concurrent"
    old, new = 3_000, 2_000
    push_release(generated(tmp_path / "a", "old", old), oxigraph.url, graph=target)
    seen: list[tuple] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            rows = oxigraph.select(
                f"SELECT ?v (COUNT(*) AS ?n) WHERE {{ GRAPH <{target}> {{ ?s ?p ?v }} }} GROUP BY ?v ORDER BY ?v"
            )
            seen.append(tuple((r["v"], int(r["n"])) for r in rows))

    readers = [threading.Thread(target=read) for _ in range(1)]
    for r in readers:
        r.start()
    try:
        push_release(generated(tmp_path / "b", "new", new), oxigraph.url, graph=target, chunk_triples=1000)
        push_release(generated(tmp_path / "c", "old", old), oxigraph.url, graph=target, chunk_triples=1000)
    finally:
        stop.set()
        for r in readers:
            r.join(30)
    states = set(seen)
    assert states <= {(("old", old),), (("new", new),)}, f"mixed or partial states: {states - {(('old', old),), (('new', new),)}}"
    assert (("new", new),) in states and (("old", old),) in states
    assert len(seen) > 10, len(seen)


# --------------------------------------------------------------------------- no server needed


def test_dry_run_prints_the_plan_and_sends_nothing(oxigraph, tmp_path, capsys, monkeypatch):
    target = "http://example.org/graph/dry"
    release = generated(tmp_path / "a", "dry", 250)
    monkeypatch.setenv("IGOKG_PUSH_USER", "admin")
    monkeypatch.setenv("IGOKG_PUSH_PASSWORD", "do-not-show-me")
    code = main(
        ["push", "--endpoint", oxigraph.url + "/query", "--graph", target, "--dry-run", "--chunk-triples", "100", "--out", str(release)]
    )
    out, err = capsys.readouterr()
    assert code == 0
    assert "dry run: nothing was sent" in out
    assert f"update        {oxigraph.url}/update" in out and f"graph store   {oxigraph.url}/store" in out
    assert "triples       250 " in out and "upload        3 chunk(s)" in out
    assert f"swap          DELETE {{ GRAPH <{target}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{target}> {{ ?s ?p ?o }} }} ;\n" in out
    assert f"INSERT {{ GRAPH <{target}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{target}-staging-" in out
    assert "basic as 'admin', password (redacted)" in out
    assert "do-not-show-me" not in out + err
    assert graph_counts(oxigraph, target) == {target: 0}


def test_a_dump_that_disagrees_with_void_is_refused_before_sending(tmp_path):
    release = generated(tmp_path / "a", "x", 5)
    (release / "void.ttl").write_text("<https://w3id.org/igokg/dataset> <http://rdfs.org/ns/void#triples> 6 .\n")
    with pytest.raises(SourceError, match="holds 5 triples but void.ttl says 6"):
        push_release(release, "http://127.0.0.1:1/query")


def test_a_void_with_a_token_beyond_the_parsers_limit_is_refused_before_sending(tmp_path):
    release = generated(tmp_path / "a", "x", 5)
    with (release / "void.ttl").open("a") as fh:
        fh.write('<https://w3id.org/igokg/dataset> <http://example.org/note> "' + "a" * 17_000_000 + '" .\n')
    with pytest.raises(SourceError, match="void.ttl: not readable Turtle: a literal or IRI is too long for the parser"):
        push_release(release, "http://127.0.0.1:1/query", dry_run=True)


def test_a_missing_release_names_the_file(tmp_path):
    with pytest.raises(SourceError, match="igokg.nt.gz: missing from the release"):
        push_release(tmp_path, "http://127.0.0.1:1/query")


@pytest.mark.parametrize(
    "endpoint, expected",
    [
        ("http://h:7878", ("http://h:7878/query", "http://h:7878/update", "http://h:7878/store")),
        ("http://h:7878/query", ("http://h:7878/query", "http://h:7878/update", "http://h:7878/store")),
        ("http://h:3030/ds/sparql", ("http://h:3030/ds/sparql", "http://h:3030/ds/update", "http://h:3030/ds/data")),
        ("http://h:3030/ds/query", ("http://h:3030/ds/query", "http://h:3030/ds/update", "http://h:3030/ds/data")),
        ("http://h:8890/sparql", ("http://h:8890/sparql", "http://h:8890/sparql", "http://h:8890/sparql-graph-crud")),
        (
            "http://h:8890/sparql-auth",
            ("http://h:8890/sparql-auth", "http://h:8890/sparql-auth", "http://h:8890/sparql-graph-crud-auth"),
        ),
    ],
)
def test_update_and_graph_store_endpoints_are_derived_from_known_servers(endpoint, expected):
    e = derive_endpoints(endpoint)
    assert (e.query, e.update, e.gsp) == expected


def test_an_unknown_endpoint_shape_needs_both_overrides():
    with pytest.raises(SourceError, match="--update-endpoint"):
        derive_endpoints("http://h/repositories/igokg")
    e = derive_endpoints("http://h/repositories/igokg", "http://h/repositories/igokg/statements", "http://h/repositories/igokg/rdf-graphs/service")
    assert e.update.endswith("/statements") and e.gsp.endswith("/rdf-graphs/service")


# --------------------------------------------------------------------------- Virtuoso


def test_under_ci_a_missing_store_fails_the_tests_instead_of_skipping_them():
    with pytest.raises(pytest.fail.Exception, match="virtuoso-t-nowhere is not installed: under CI it must be"):
        need_tool("virtuoso-t-nowhere", env={"CI": "true"})
    with pytest.raises(pytest.skip.Exception, match=r"\.ci/setup\.d/push\.sh installs it"):
        need_tool("virtuoso-t-nowhere", env={})


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory):
    server = Virtuoso(tmp_path_factory.mktemp("virtuoso")).start()
    yield server
    server.kill()


def virtuoso_markers(server: Virtuoso, graph: str) -> dict[str, int]:
    rows = sparql_select(
        server.url + "/sparql", f"SELECT ?v (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s <{MARK}> ?v }} }} GROUP BY ?v"
    )
    return {r["v"]: int(r["n"]) for r in rows}


def test_virtuoso_fresh_load_and_reload_through_the_digest_endpoints(virtuoso, facts_release, tmp_path):
    auth = Auth("digest", "dba", "dba")  # a fresh Virtuoso database's administrator
    url = virtuoso.url + "/sparql-auth"
    report = push_release(facts_release, url, auth=auth, timeout=60)
    assert report.target_triples == report.plan.triples
    rows = sparql_select(
        virtuoso.url + "/sparql",
        "SELECT ?org WHERE { GRAPH <%s> { ?org <http://www.w3.org/2002/07/owl#sameAs> "
        "<http://www.wikidata.org/entity/Q485207> } }" % DEFAULT_GRAPH,
    )
    assert rows == [{"org": "https://w3id.org/igokg/id/sco"}]

    target = "http://example.org/graph/virtuoso-reload"
    push_release(generated(tmp_path / "a", "old", 400), url, graph=target, auth=auth, timeout=60)
    push_release(generated(tmp_path / "b", "new", 250), url, graph=target, auth=auth, chunk_triples=100, timeout=60)
    assert virtuoso_markers(virtuoso, target) == {"new": 250}
    staged = sparql_select(
        virtuoso.url + "/sparql", 'SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(CONTAINS(STR(?g), "-staging-")) }'
    )
    assert staged == []


def test_virtuoso_wrong_password_is_rejected_and_the_target_kept(virtuoso, tmp_path):
    target = "http://example.org/graph/virtuoso-auth"
    url = virtuoso.url + "/sparql-auth"
    push_release(generated(tmp_path / "a", "old", 20), url, graph=target, auth=Auth("digest", "dba", "dba"), timeout=60)
    with pytest.raises(RemoteError) as caught:
        push_release(generated(tmp_path / "b", "new", 20), url, graph=target, auth=Auth("digest", "dba", "not-dba-9"), timeout=60)
    assert caught.value.status == 401 and "credentials rejected" in str(caught.value)
    assert "not-dba-9" not in str(caught.value)
    assert virtuoso_markers(virtuoso, target) == {"old": 20}


def test_virtuoso_reader_during_the_swap_sees_the_old_or_the_new_graph(virtuoso, tmp_path):
    target = "http://example.org/graph/virtuoso-concurrent"
    url, auth = virtuoso.url + "/sparql-auth", Auth("digest", "dba", "dba")
    old, new = 1_500, 1_000
    push_release(generated(tmp_path / "a", "old", old), url, graph=target, auth=auth, timeout=60)
    seen: list[tuple] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            rows = sparql_select(
                virtuoso.url + "/sparql",
                f"SELECT ?v (COUNT(*) AS ?n) WHERE {{ GRAPH <{target}> {{ ?s ?p ?v }} }} GROUP BY ?v ORDER BY ?v",
            )
            seen.append(tuple((r["v"], int(r["n"])) for r in rows))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for tag, n in (("new", new),):
            push_release(generated(tmp_path / tag, tag, n), url, graph=target, auth=auth, chunk_triples=500, timeout=60)
    finally:
        stop.set()
        reader.join(60)
    states = set(seen)
    assert states <= {(("old", old),), (("new", new),)}, f"mixed or partial states: {states - {(('old', old),), (('new', new),)}}"
    assert (("new", new),) in states and len(seen) > 3, len(seen)


def test_sigterm_mid_upload_drops_the_staging_graph_and_keeps_the_target(oxigraph, tmp_path):
    """A push stopped by SIGTERM (a service manager, a CI timeout) cleans up as Ctrl-C does."""
    import os
    import signal
    import subprocess
    import sys
    import time

    target = "http://example.org/graph/sigterm"
    push_release(generated(tmp_path / "a", "old", 200), oxigraph.url, graph=target)
    release = generated(tmp_path / "b", "new", 20000)
    env = {**os.environ, "CI": "true"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "igokg", "push", "--out", str(release), "--endpoint", oxigraph.url,
         "--graph", target, "--chunk-triples", "10"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path,
    )
    try:
        deadline = time.monotonic() + 60
        while not [g for g in graph_counts(oxigraph) if g.startswith(target + "-staging-")]:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the push never started uploading"
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 128 + signal.SIGTERM
    assert err.strip().splitlines() == [f"igokg: stopped by signal {int(signal.SIGTERM)}; what was half-written was removed"]
    assert markers(oxigraph, target) == {"old": 200}
    assert not [g for g in graph_counts(oxigraph) if g.startswith(target + "-staging-")]
