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

# pySHACL counts these (and only these) integer types as valid lengths.
_WHOLE_INTEGERS = {
    XSD + t
    for t in (
        "integer", "nonNegativeInteger", "positiveInteger", "nonPositiveInteger", "negativeInteger",
        "long", "int", "short", "byte", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte",
    )
}

# pyoxigraph's Store keeps these datatypes' values but not their IRIs: "5"^^xsd:int is
# stored as "5"^^xsd:integer, xsd:dateTimeStamp as xsd:dateTime. sh:datatype naming
# one of them cannot be checked on the store, so it is refused.
_STORE_ERASES = (_WHOLE_INTEGERS - {XSD_INTEGER}) | {XSD + "dateTimeStamp"}

# Custom SPARQL functions; the second argument indexes tables in CompiledShapes.
_FN = "urn:igokg:shacl:fn:"
_FN_DATATYPE = _FN + "datatype"
_FN_PATTERN = _FN + "pattern"
_FN_RANGE = _FN + "range"

# Placeholders filled at run time, once the subclass closure of the data is known.
_CLASS_TARGET = re.compile(r"__IGOKG_TARGET_CLASS_(\d+)__")
_CLASS_CHECK = re.compile(r"__IGOKG_CLASS_CHECK_(\d+)_(\w+)__")

# Terms a shape may carry that neither constrain nor target anything.
_INERT = {
    RDF_TYPE,
    SH + "name", SH + "description", SH + "order", SH + "group", SH + "defaultValue",
    SH + "message", SH + "severity", SH + "deactivated", SH + "path",
    SH + "targetClass", SH + "targetNode", SH + "targetSubjectsOf", SH + "targetObjectsOf",
    SH + "flags",  # read together with sh:pattern; alone, pySHACL ignores it too
}

# Value-level constraints: each is a test on one value node, so it compiles to a
# SPARQL boolean expression and can also appear inside sh:or/sh:and/sh:not/sh:xone/sh:node.
_VALUE_LEVEL = {
    SH + "class": "ClassConstraintComponent",
    SH + "datatype": "DatatypeConstraintComponent",
    SH + "nodeKind": "NodeKindConstraintComponent",
    SH + "pattern": "PatternConstraintComponent",
    SH + "minLength": "MinLengthConstraintComponent",
    SH + "maxLength": "MaxLengthConstraintComponent",
    SH + "in": "InConstraintComponent",
    SH + "languageIn": "LanguageInConstraintComponent",
    SH + "minInclusive": "MinInclusiveConstraintComponent",
    SH + "maxInclusive": "MaxInclusiveConstraintComponent",
    SH + "minExclusive": "MinExclusiveConstraintComponent",
    SH + "maxExclusive": "MaxExclusiveConstraintComponent",
    SH + "or": "OrConstraintComponent",
    SH + "and": "AndConstraintComponent",
    SH + "not": "NotConstraintComponent",
    SH + "xone": "XoneConstraintComponent",
    SH + "node": "NodeConstraintComponent",
}

_NODE_KINDS = {
    SH + "IRI": "isIRI({v})",
    SH + "BlankNode": "isBlank({v})",
    SH + "Literal": "isLiteral({v})",
    SH + "BlankNodeOrIRI": "(isIRI({v}) || isBlank({v}))",
    SH + "BlankNodeOrLiteral": "(isBlank({v}) || isLiteral({v}))",
    SH + "IRIOrLiteral": "(isIRI({v}) || isLiteral({v}))",
}

_RANGES = {
    SH + "minInclusive": (lambda c: c >= 0, ">="),
    SH + "maxInclusive": (lambda c: c <= 0, "<="),
    SH + "minExclusive": (lambda c: c > 0, ">"),
    SH + "maxExclusive": (lambda c: c < 0, "<"),
}

# Well-formed SHACL that this engine refuses, with the name it reports.
_UNSUPPORTED = {
    SH + "closed": "sh:closed",
    SH + "ignoredProperties": "sh:ignoredProperties",
    SH + "equals": "sh:equals",
    SH + "disjoint": "sh:disjoint",
    SH + "lessThan": "sh:lessThan",
    SH + "lessThanOrEquals": "sh:lessThanOrEquals",
    SH + "qualifiedValueShape": "sh:qualifiedValueShape",
    SH + "qualifiedMinCount": "sh:qualifiedMinCount",
    SH + "qualifiedMaxCount": "sh:qualifiedMaxCount",
    SH + "qualifiedValueShapesDisjoint": "sh:qualifiedValueShapesDisjoint",
    SH + "target": "sh:target (SHACL-AF custom target)",
    SH + "rule": "sh:rule (SHACL-AF rules)",
    SH + "expression": "sh:expression (SHACL-AF node expressions)",
    SH + "js": "sh:js (SHACL-JS)",
}
