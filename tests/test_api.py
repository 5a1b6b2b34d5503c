"""igokg.api: the graph from Python, on the repository's own release and sources."""

from __future__ import annotations

import pytest
from conftest import ROOT
from support.serve import build_test_release, embedded_select

import igokg
from igokg.errors import IgokgError, QueryError


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    return build_test_release(tmp_path_factory.mktemp("api") / "dist")


@pytest.fixture(scope="module")
def g(release):
    return igokg.open(release)


@pytest.mark.parametrize("cq, org, at", [("cq01-csto-members-2018-06", "csto", "2018-06"),
                                         ("cq03-sco-members-2020-11", "sco", "2020-11")])
def test_members_at_a_month_are_those_of_the_competency_question(g, release, cq, org, at):
    expected = embedded_select(release, (ROOT / "sparql" / f"{cq}.rq").read_text())
    got = g.members(org, at=at)
    assert sorted({r["member"] for r in got}) == sorted({r["state"] for r in expected})
    assert sorted((r["member"], r["source"]) for r in got) == sorted((r["state"], r["source"]) for r in expected)


def test_members_keep_the_sources_precision(g):
    # India joined the SCO in 2017 (a year): a member "in 2017", not "in 2017-01" or on any day of it
    assert "India" in g.members("sco", at="2017").column("name")
    assert "India" in g.members("sco", at="2017-03").column("name")  # a year cut to the month's length
    assert "India" not in g.members("sco", at="2016").column("name")
    assert g.members("csto", at="2018-06-09") == []  # attested on the 8th: the 9th is not what the source says


def test_entities_by_slug_prefixed_name_or_iri(g):
    a = g.members("csto", at="2018-06")
    assert a == g.members("id:csto", at="2018-06") == g.members("https://w3id.org/igokg/id/csto", at="2018-06")


def test_roles_and_any_time(g):
    assert sorted(g.members("csto", at="2018-06", role="observer").column("name")) == ["Afghanistan", "Serbia"]
    assert len({r["member"] for r in g.members("csto", role=None)}) == 8


def test_history_is_in_time_order_at_each_sources_precision(g):
    rows = g.history("india", "sco")
    assert [(r["date"], r["what"]) for r in rows] == [("2017", "start"), ("2018-06-08", "attested"),
                                                       ("2020-11-10", "attested")]


def test_query_rows_ask_and_graph(g):
    rows = g.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert rows.variables == ["n"] and rows[0]["n"] == len(g) and isinstance(rows[0]["n"], int)
    assert g.query("ASK { <https://w3id.org/igokg/id/csto> ?p ?o }") is True
    triples = g.query("CONSTRUCT WHERE { <https://w3id.org/igokg/id/csto> ?p ?o }")
    assert triples.variables == ["subject", "predicate", "object"] and len(triples) >= 4


def test_a_project_folder_gives_the_same_answers_as_its_release(g):
    project = igokg.open(ROOT)
    assert project.members("sco", at="2020-11") == g.members("sco", at="2020-11")


@pytest.mark.parametrize("call, message", [
    (lambda g: g.members("csto", at="June 2018"), "is not a date"),
    (lambda g: g.members("csto", role="boss"), "role='boss'"),
    (lambda g: g.query("SELECT ?x WHERE { ?x }"), "query:1"),
])
def test_bad_input_raises_a_typed_error_that_says_what_to_do(g, call, message):
    with pytest.raises(QueryError, match=message.replace("(", r"\(")):
        call(g)


def test_opening_a_folder_that_is_neither_release_nor_project_is_a_typed_error(tmp_path):
    with pytest.raises(IgokgError, match="not an igokg project"):
        igokg.open(tmp_path)
