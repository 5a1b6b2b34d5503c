"""Stage: sources. The files people edit (and the sources they cite), loaded into one graph.

    load        Turtle files -> `Sources` (one named graph per file, file:line index)
    turtle      parse one Turtle file, syntax errors as file:line:column
    skolem      blank nodes named from their content
    locate      subject -> file:line
    articles    the text of a cited article, checked against its sha256
    reference   the verified Wikidata identifiers
"""

from igokg.sources.load import GRAPH_PREFIX, Sources, fact_triples, load_sources
from igokg.sources.locate import Location
from igokg.sources.skolem import skolemize, skolemize_ntriples
from igokg.sources.turtle import parse_turtle, turtle_to_ntriples

__all__ = [
    "GRAPH_PREFIX",
    "Location",
    "Sources",
    "fact_triples",
    "load_sources",
    "parse_turtle",
    "skolemize",
    "skolemize_ntriples",
    "turtle_to_ntriples",
]
