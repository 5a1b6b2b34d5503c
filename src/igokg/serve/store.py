"""The release, loaded into an on-disk store that query workers open read-only."""

from __future__ import annotations

import gzip
from pathlib import Path

import pyoxigraph as ox

from igokg.namespaces import ONTOLOGY


def load_release_store(release: Path, location: Path) -> int:
    """Bulk-load the release's facts and ontology into an on-disk store; the triple count.

    Everything goes into the default graph, so the published queries run as they are.
    """
    store = ox.Store(str(location))
    with gzip.open(release / "igokg.nt.gz", "rb") as fh:
        store.bulk_load(fh, format=ox.RdfFormat.N_TRIPLES)
    for name, fmt in (("ontology.ttl", ox.RdfFormat.TURTLE),):
        path = release / name
        if path.is_file():
            with path.open("rb") as fh:
                store.bulk_load(fh, format=fmt, base_iri=ONTOLOGY)
    store.optimize()
    count = len(store)
    store.flush()
    del store
    return count
