"""Stage: validate. SHACL shapes compiled to SPARQL, run on an in-memory pyoxigraph store.

Input: a shapes graph (parsed as written: `index_shapes`) and a data store (the project's
facts plus its ontology, possibly spread over named graphs). Output: an `Outcome` with the
sorted list of `ShaclResult`, one per SHACL validation result.

Why: pySHACL walks the data node by node in Python and needs ~40 s for 100k triples; the
same constraints as a few SPARQL queries per shape run in well under a second. Speed is
worth nothing if the answers are wrong, so the engine follows the SHACL spec as the W3C test
suite pins it (`tests/shacl/test_w3c.py`), and refuses what it cannot reproduce exactly:
`validate_shapes` hands each refused shape to pySHACL (`run_pyshacl`), on the same terms.

Two loaders change terms before any engine sees them:
- pyoxigraph's Store rewrites literals it understands ("01"^^xsd:integer is stored as "1",
  "5"^^xsd:int as "5"^^xsd:integer): `lexical` finds those and puts them back as written
  for the time of a validation;
- rdflib's parsers rewrite too, differently: feed pySHACL `to_rdflib(store)` so both engines
  see the same terms and blank node labels.

    vocab               SHACL terms; what is compiled, refused, ignored
    shapes_graph        the shapes graph indexed; labels of shapes
    paths               SHACL paths: parsed, as SPARQL, as Turtle
    expressions         per-value tests and nested conformance as SPARQL expressions
    compiler            shapes -> units of SELECT queries
    sparql_constraints  SHACL-SPARQL: pySHACL's acceptance rules, the SELECT rewrite
    run                 compiled queries on a data store -> ShaclResult
    lexical             literals as the data wrote them
    xsd                 well-formedness of literals the store cannot judge
    reference           pySHACL on an rdflib copy of the store -> ShaclResult
    engine              validate_shapes: fast engine, pySHACL per refused shape
    terms               one spelling of every term
"""

from igokg.report import ShaclResult
from igokg.shacl.compiler import CompiledQuery, CompiledShapes, compile_shapes
from igokg.shacl.engine import ENGINES, Outcome, validate_shapes
from igokg.shacl.lexical import AsWritten, scan
from igokg.shacl.reference import agree, run_pyshacl, to_rdflib
from igokg.shacl.run import run_shapes
from igokg.shacl.shapes_graph import _Index as ShapesGraph

__all__ = [
           "ENGINES",
           "AsWritten",
           "CompiledQuery",
           "CompiledShapes",
           "Outcome",
           "ShaclResult",
           "ShapesGraph",
           "agree",
           "compile_shapes",
           "run_pyshacl",
           "run_shapes",
           "scan",
           "to_rdflib",
           "validate_shapes",
]
