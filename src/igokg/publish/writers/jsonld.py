"""JSON-LD: all facts, and the project's prefixes as a context of their own.

The dump is pyoxigraph's expanded JSON-LD (every IRI in full, no @context), one node per
line, written from the canonical N-Triples (`writers.serialize`). `context.jsonld` holds the
project's prefixes, for whoever wants to compact the dump or an entity's document.
"""

from __future__ import annotations

import json

from igokg.namespaces import PREFIXES
from igokg.publish.writers.serialize import write_jsonld
from igokg.release import Written

__all__ = ["CONTEXT_NAME", "JSONLD_DUMP", "jsonld_context", "write_jsonld_dump"]

JSONLD_DUMP = "igokg.jsonld"
CONTEXT_NAME = "context.jsonld"


def jsonld_context() -> dict:
    """The published @context: the project's prefixes, so compact IRIs expand everywhere."""
    return {"@context": dict(PREFIXES.items())}


def write_jsonld_dump(build) -> list[Written]:
    write_jsonld(build.ntriples(), build.out / JSONLD_DUMP)
    (build.out / CONTEXT_NAME).write_text(json.dumps(jsonld_context(), indent=1) + "\n", encoding="utf-8")
    return [
        Written(JSONLD_DUMP, "application/ld+json", "All facts as JSON-LD (expanded, one node per line)",
                distribution=True),
        Written(CONTEXT_NAME, "application/ld+json", "A JSON-LD context with the project's prefixes, to compact the dumps",
                distribution=True),
    ]
