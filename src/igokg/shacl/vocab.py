"""The SHACL vocabulary as the compiler sees it: IRIs, and which constraints it compiles, refuses or ignores."""

from __future__ import annotations

import re

from igokg.shacl.terms import (
    RDF,
    RDFS,
    XSD,
)

SH = "http://www.w3.org/ns/shacl#"
OWL = "http://www.w3.org/2002/07/owl#"
RDF_TYPE = RDF + "type"
RDF_FIRST = RDF + "first"
RDF_REST = RDF + "rest"
RDF_NIL = RDF + "nil"
RDFS_SUBCLASSOF = RDFS + "subClassOf"
RDFS_CLASS = RDFS + "Class"
XSD_INTEGER = XSD + "integer"
XSD_BOOLEAN = XSD + "boolean"

VIOLATION = SH + "Violation"
WARNING = SH + "Warning"
INFO = SH + "Info"

# The one custom SPARQL function: is this literal well-formed for its datatype (`xsd`)? Called
# only for datatypes the store cannot parse and for literals kept as written.
_FN_WELL_FORMED = "urn:igokg:shacl:fn:well-formed"

# Placeholders filled at run time: `__IGOKG_UNWRAP(?v)` reads a literal kept as written
# (`lexical`) as the value it denotes, and is just ?v when the store holds none.
_UNWRAP = "__IGOKG_UNWRAP"
_UNWRAP_RE = re.compile(r"__IGOKG_UNWRAP\((\?\w+)\)")

# Placeholders filled at run time, once the subclass closure of the data is known.
_CLASS_TARGET = re.compile(r"__IGOKG_TARGET_CLASS_(\d+)__")
_CLASS_CHECK = re.compile(r"__IGOKG_CLASS_CHECK_(\d+)_(\w+)__")
# A literal kept as written (`lexical`) passing sh:datatype: only where the store holds some.
_KEPT = re.compile(r"__IGOKG_KEPT_(\d+)_(\w+)__")

# Terms a shape may carry that neither constrain nor target anything by themselves.
_INERT = {
    RDF_TYPE,
    SH + "name", SH + "description", SH + "order", SH + "group", SH + "defaultValue",
    SH + "message", SH + "severity", SH + "deactivated", SH + "path",
    SH + "targetClass", SH + "targetNode", SH + "targetSubjectsOf", SH + "targetObjectsOf",
    SH + "flags", SH + "qualifiedMinCount", SH + "qualifiedMaxCount", SH + "qualifiedValueShapesDisjoint",
    SH + "ignoredProperties", SH + "prefixes", SH + "declare",
    SH + "select", SH + "ask",  # parts of a SPARQL constraint: read through sh:sparql, even on a shape itself
}

# Every constraint parameter the compiler reads.
_COMPILED = {
    SH + p for p in (
        "class", "datatype", "nodeKind", "pattern", "minLength", "maxLength", "in", "languageIn",
        "minInclusive", "maxInclusive", "minExclusive", "maxExclusive", "node", "not", "and", "or", "xone",
        "minCount", "maxCount", "uniqueLang", "hasValue", "equals", "disjoint", "lessThan", "lessThanOrEquals",
        "qualifiedValueShape", "closed", "property", "sparql",
    )
}

_NODE_KINDS = {
    SH + "IRI": "isIRI({v})",
    SH + "BlankNode": "isBlank({v})",
    SH + "Literal": "isLiteral({v})",
    SH + "BlankNodeOrIRI": "(isIRI({v}) || isBlank({v}))",
    SH + "BlankNodeOrLiteral": "(isBlank({v}) || isLiteral({v}))",
    SH + "IRIOrLiteral": "(isIRI({v}) || isLiteral({v}))",
}

# Well-formed SHACL that this engine refuses, with the name it reports.
_UNSUPPORTED = {
    SH + "target": "sh:target (SHACL-AF custom target)",
    SH + "rule": "sh:rule (SHACL-AF rules)",
    SH + "expression": "sh:expression (SHACL-AF node expressions)",
    SH + "js": "sh:js (SHACL-JS)",
}
