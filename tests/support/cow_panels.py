"""A small COW-format table (support/cow.py) run through the real import into a graph, for the
tests of the panels from phases and of their agreement with COW."""

from __future__ import annotations

import pyoxigraph as ox
from support.cow import NA, igo_table, tables

from igokg.namespaces import ID
from igokg.sources.cow_graph import Known, cow_ntriples
from igokg.sources.cow_phases import compute_phases

YEARS = range(2005, 2015)
CELLS = {
    "aland": [0, 1, 1, 0, 0, 0, 1, 1, 1, 1],  # joins after a 0, leaves, rejoins; open at 2014
    "borduria": [-9, -9, 1, 1, 2, 2, -9, -9, 3, 3],  # bounded start, a change to associate, a -9 gap, observer
    "carpathia": [0, 1, 1, 0, 0, NA, NA, NA, NA, NA],  # leaves the system in 2010
    "dravia": [0, 1, 0, -9, 0, 1, 1, 1, 1, 1],  # a -9 inside the 0s between two phases
}
STATES = (("aland", 1, 1816, 2016), ("borduria", 2, 1816, 2016), ("carpathia", 3, 1816, 2010), ("dravia", 4, 1816, 2016))


def cow_fixture():
    t = tables(igo_table("X", YEARS, CELLS, sdate=1990), states=STATES)
    text = cow_ntriples(t, compute_phases(t, []), [], {}, {}, Known(by_qid={}, labelled=set(), subjects=set()),
                        ID + "cow-igo-v3")
    store = ox.Store()
    store.load(text.encode(), format=ox.RdfFormat.N_TRIPLES)
    store.add(ox.Quad(ox.NamedNode(ID + "cow-igo-v3"), ox.NamedNode("http://purl.org/dc/terms/temporal"), ox.Literal("1816-2014")))
    return t, store
