"""Turtle: all facts, with the project's prefixes (all declared), one block per subject, rdf:type first.

Written by pyoxigraph from the canonical N-Triples (`writers.serialize`), so the same triples
give the same bytes.
"""

from __future__ import annotations

from igokg.publish.writers.serialize import write_turtle
from igokg.release import Written

__all__ = ["TURTLE_DUMP", "write_turtle_dump"]

TURTLE_DUMP = "igokg.ttl"


def write_turtle_dump(build) -> list[Written]:
    header = (
        f"igokg {build.project.version}: the open knowledge graph of intergovernmental organizations.\n"
        f"Data licence: CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/). Described in void.ttl."
    )
    write_turtle(build.ntriples(), build.out / TURTLE_DUMP, header=header, all_prefixes=True)
    return [Written(TURTLE_DUMP, "text/turtle", "All facts as Turtle", distribution=True)]
