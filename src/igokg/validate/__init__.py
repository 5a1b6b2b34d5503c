"""Stage: validate. SHACL plus the project's own checks, as a `Report`.

Input: `Sources` (facts, ontology, shapes). Output: a `Report` (`igokg.report`) — data, not
prints — that renders as text grouped by entity (with file:line), as JSON, and as a SHACL
validation report in RDF.

    graph    validate_graph: the SHACL engine (fast, or pySHACL) + the checks below
    checks   what SHACL cannot see: quotes verbatim in their source, source files and their
             sha256, QIDs only from the reference and each on one entity, no dangling id:
             references, no undeclared igo: terms
    datasets what the pinned sources back: record locators against the dataset's cells, quotes
             from a reference document against its canonical text
"""

from igokg.validate.graph import ENGINES, validate_graph

__all__ = ["validate_graph", "ENGINES"]
