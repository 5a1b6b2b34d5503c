"""A dataset's importer runs with Python's cyclic collector paused (igokg.collector), and the
loader gets it back after."""

from __future__ import annotations

import gc
from types import SimpleNamespace

import pyoxigraph as ox

from igokg.sources import datasets


def test_an_importer_runs_with_the_collector_paused_and_gives_it_back(monkeypatch):
    seen = []

    def importer(project, source, files, store):
        seen.append(gc.isenabled())
        return "<urn:igokg:s> <urn:igokg:p> <urn:igokg:o> .\n"

    monkeypatch.setattr(datasets, "locate_files", lambda project, source: [])
    monkeypatch.setattr(datasets, "IMPORTERS", {"x": importer})
    store = ox.Store()
    plan = SimpleNamespace(used=[SimpleNamespace(name="x")])
    assert datasets.import_pinned(None, store, plan, "urn:igokg:file:") == [datasets.IMPORT_PREFIX + "x"]
    assert seen == [False] and gc.isenabled()
    assert len(store) == 1
