"""The example queries' result files: the CSV made from the SPARQL-JSON is the CSV pyoxigraph
writes for the same solutions, and the row count is exact, whatever the values hold."""

from __future__ import annotations

import pyoxigraph as ox

from igokg.publish.writers.queries import _csv_from_json


def _store() -> ox.Store:
    store = ox.Store()
    p = ox.NamedNode("urn:p")
    store.add(ox.Quad(ox.NamedNode("urn:a"), p, ox.Literal('a "quoted", comma,\r\nline\nbreak')))
    store.add(ox.Quad(ox.BlankNode("b1"), p, ox.Literal("", language="en")))
    store.add(ox.Quad(ox.NamedNode("urn:c"), p, ox.Literal("2018-06", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#gYearMonth"))))
    return store


def test_the_csv_is_pyoxigraphs_own_and_counts_rows_with_line_breaks_in_values():
    store = _store()
    query = "SELECT ?s ?o ?unbound WHERE { ?s <urn:p> ?o } ORDER BY STR(?o)"
    data = store.query(query).serialize(format=ox.QueryResultsFormat.JSON)
    table, rows = _csv_from_json(data)
    assert table == store.query(query).serialize(format=ox.QueryResultsFormat.CSV)
    assert rows == 3
    assert table.startswith(b"s,o,unbound\r\n") and b'"a ""quoted"", comma,\r\nline\nbreak"' in table


def test_no_solution_is_a_header_and_zero_rows():
    store = _store()
    data = store.query("SELECT ?s WHERE { ?s <urn:none> ?o }").serialize(format=ox.QueryResultsFormat.JSON)
    assert _csv_from_json(data) == (b"s\r\n", 0)


def test_the_row_count_agrees_with_the_csv_module_on_quoted_line_breaks():
    import csv
    import io

    values = ['plain', 'a,b', '"', '""', '\r\n', 'x"\r\n"y', '"\r\n', '\r\n"', '\n', '\r', 'end"']
    store = ox.Store()
    for i, v in enumerate(values):
        for j, w in enumerate(values):
            store.add(ox.Quad(ox.NamedNode(f"urn:s{i}"), ox.NamedNode(f"urn:p{j}"), ox.Literal(v + "|" + w)))
    data = store.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o }").serialize(format=ox.QueryResultsFormat.JSON)
    table, rows = _csv_from_json(data)
    assert rows == len(values) ** 2
    assert rows == sum(1 for _ in csv.reader(io.StringIO(table.decode("utf-8"), newline=""))) - 1
