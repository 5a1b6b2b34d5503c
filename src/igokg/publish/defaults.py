"""The writers of a release, in the order they run.

A writer is a callable `writer(build) -> list[Written]` (see `igokg.release.Writer`). The
order is the contract: the example queries first, alone (their times are the queries' own,
and their memory is freed before the site forks); then the site's entity pages, which need
only the facts, started in processes of their own and collected after the last writer, so
that they render while the content is written (the dumps, the search index after the
ontology, whose class names it uses); then VoID (which describes the distributions written
before it), then the site's own pages (which show them all), then CHANGES against the
previous release. A writer from another stage (the Wikidata diff) is passed in by the caller
as `extra`.
"""

from __future__ import annotations

from typing import Sequence

from igokg.publish.panels import write_panels
from igokg.publish.site import start_site, write_site
from igokg.publish.void import write_void
from igokg.publish.writers.changes import write_changes
from igokg.publish.writers.conflicts import write_conflicts
from igokg.publish.writers.jsonld import write_jsonld_dump
from igokg.publish.writers.ntriples import write_ntriples_dump
from igokg.publish.writers.queries import write_query_results
from igokg.publish.writers.readme import write_readme
from igokg.publish.writers.schema import write_schema
from igokg.publish.writers.search import write_search
from igokg.publish.writers.turtle import write_turtle_dump
from igokg.release import Writer

__all__ = ["default_writers"]


def default_writers(extra: Sequence[Writer] = ()) -> list[Writer]:
    return [
        write_query_results,
        start_site,  # the entity pages render in processes of their own while the writers below run
        write_ntriples_dump,
        write_turtle_dump,
        write_jsonld_dump,
        write_schema,
        write_conflicts,
        write_readme,
        write_panels,
        write_search,
        *extra,
        write_void,
        write_site,  # its landing page lists every download written before it
        write_changes,
    ]
