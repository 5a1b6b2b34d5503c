"""Stage: validate. SHACL shapes compiled to SPARQL, run on an in-memory pyoxigraph store.

Input: a shapes graph (in a pyoxigraph Store) and a data store (the project's
facts plus its ontology, possibly spread over named graphs). Output: a sorted,
de-duplicated list of `ShaclResult`, one per SHACL validation result.

Why: pySHACL walks the data node by node in Python and needs ~40 s for 100k
triples; the same constraints as one SPARQL query each run in well under a
second. Speed is worth nothing if the answers differ, so this engine copies
pySHACL's semantics (not merely the SHACL spec's) for everything it accepts, and
raises `UnsupportedShape` for everything else so the caller can fall back to
`run_pyshacl`, which wraps the reference engine and reports in the same form.
The tests hold the two engines to identical result keys.

Where pySHACL's verdict lives in Python rather than in SPARQL (is this literal
ill-typed? does this Python regular expression match? how does rdflib order two
literals?) the queries call back into Python through pyoxigraph custom
functions, on the value nodes only, so the answer is pySHACL's by construction.

The engines agree on the terms they are given; two loaders change terms first:
- pyoxigraph's Store canonicalises literals it understands ("01"^^xsd:integer is
  stored as "1", "1.0"^^xsd:decimal as "1", "1"^^xsd:boolean as "true") and maps
  derived integer types and xsd:dateTimeStamp to xsd:integer / xsd:dateTime, so
  sh:datatype naming those types is refused here;
- rdflib's parsers canonicalise too, differently ("2018-01-01Z"^^xsd:date loses its
  zone) and keep language tags' case, which oxigraph lower-cases.
Feed pySHACL `to_rdflib(store)` to compare like with like; blank node labels then
match as well.

    vocab               SHACL terms; what is compiled, refused, ignored
    shapes_graph        the shapes graph indexed; labels of shapes and paths
    compiler            shapes -> one SELECT per (shape, constraint component)
    sparql_constraints  SHACL-SPARQL: pySHACL's acceptance rules, the SELECT rewrite
    run                 compiled queries on a data store -> ShaclResult
    reference           pySHACL on an rdflib copy of the store -> ShaclResult
    terms               one spelling of every term; pySHACL's value tests
"""

from igokg.report import ShaclResult
from igokg.shacl.compiler import CompiledQuery, CompiledShapes, compile_shapes
from igokg.shacl.reference import agree, run_pyshacl, to_rdflib
from igokg.shacl.run import run_shapes

__all__ = ["ShaclResult", "CompiledQuery", "CompiledShapes", "compile_shapes", "run_shapes", "run_pyshacl", "agree", "to_rdflib"]
