"""Terms shared by both SHACL engines: one spelling of every RDF term, and the
pySHACL value tests that the fast engine calls back into.

Both engines must print a focus node or a value the same way, or their results
cannot be compared; rdflib's `n3()` and pyoxigraph's `str()` differ (triple quotes,
language-tag case, explicit `^^xsd:string`). So each engine converts its terms to a
`Term` and `Term.nt` is the only serialisation the results use.

The value tests (`datatype_ok`, `pattern_ok`, `range_ok`) reproduce pySHACL's
Python code rather than SPARQL semantics, because that is what pySHACL does: an
XSD-valid literal can still fail there (rdflib decides "ill-typed"), and patterns
are Python regular expressions, not XPath ones.
"""

from __future__ import annotations

import logging
import re
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Callable, Iterator

import pyoxigraph as ox
import rdflib

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
RDF_LANGSTRING = RDF + "langString"


@dataclass(frozen=True)
class Term:
    """An RDF term as plain data: kind is "iri", "bnode" or "literal"."""

    kind: str
    value: str
    datatype: str | None = None  # literals only; never xsd:string, which is spelled as a plain literal
    lang: str | None = None  # lower-cased: tags are case-insensitive and oxigraph lower-cases them

    @property
    def nt(self) -> str:
        if self.kind == "iri":
            return f"<{self.value}>"
        if self.kind == "bnode":
            return f"_:{self.value}"
        text = '"' + _escape(self.value) + '"'
        if self.lang:
            return f"{text}@{self.lang}"
        if self.datatype:
            return f"{text}^^<{self.datatype}>"
        return text

    @property
    def is_iri(self) -> bool:
        return self.kind == "iri"

    @property
    def is_literal(self) -> bool:
        return self.kind == "literal"

    @property
    def is_bnode(self) -> bool:
        return self.kind == "bnode"

    def sparql(self) -> str:
        """The term as it may appear in SPARQL text (not for blank nodes)."""
        if self.kind == "bnode":
            raise ValueError("blank nodes cannot be written into a query")
        return self.nt

    def rdflib_str(self) -> str:
        """What `str()` of the matching rdflib term gives (used in message substitution)."""
        return self.value


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"}


def _escape(text: str) -> str:
    return "".join(_ESCAPES.get(c, c) for c in text)


def from_ox(term: Any) -> Term:
    if isinstance(term, ox.NamedNode):
        return Term("iri", term.value)
    if isinstance(term, ox.BlankNode):
        return Term("bnode", term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Term("literal", term.value, None, term.language.lower())
        dt = term.datatype.value
        return Term("literal", term.value, None if dt == XSD_STRING else dt)
    raise TypeError(f"not an RDF term: {term!r}")


def from_rdflib(term: Any) -> Term:
    if isinstance(term, rdflib.URIRef):
        return Term("iri", str(term))
    if isinstance(term, rdflib.BNode):
        return Term("bnode", str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return Term("literal", str(term), None, term.language.lower())
        dt = str(term.datatype) if term.datatype is not None else None
        return Term("literal", str(term), None if dt == XSD_STRING else dt)
    raise TypeError(f"not an RDF term: {term!r}")


def to_rdflib_term(term: Term) -> Any:
    if term.kind == "iri":
        return rdflib.URIRef(term.value)
    if term.kind == "bnode":
        return rdflib.BNode(term.value)
    if term.lang:
        return rdflib.Literal(term.value, lang=term.lang)
    if term.datatype:
        # normalize=False keeps the lexical form the fast engine sees; rdflib would
        # otherwise rewrite "01"^^xsd:integer to "1" and the engines would disagree.
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype), normalize=False)
    return rdflib.Literal(term.value)


class _DropConversionNoise(logging.Filter):
    """rdflib logs a full traceback for every ill-typed literal it builds; checking
    "2018-13-01"^^xsd:date is expected work here, not an error worth a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Failed to convert Literal lexical form")


_NOISE_FILTER = _DropConversionNoise()


@contextmanager
def quiet_rdflib() -> Iterator[None]:
    """Silence rdflib's complaints about ill-typed literals while building them."""
    logger = logging.getLogger("rdflib.term")
    logger.addFilter(_NOISE_FILTER)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.removeFilter(_NOISE_FILTER)


def quiet_rdflib_literal(term: Term) -> rdflib.Literal:
    with quiet_rdflib():
        return to_rdflib_term(term)


def rdflib_recognises(datatype: str) -> bool:
    """True when rdflib has a converter for the datatype, i.e. it can call a literal ill-typed."""
    from rdflib.term import (
        _toPythonMapping,  # rdflib's own table; private but stable since 6.0
    )

    return rdflib.URIRef(datatype) in _toPythonMapping


# pySHACL's DatatypeConstraintComponent._assert_actual_datatype: after the
# ill-typed test it also checks the Python type of the parsed value.
_PY_TYPE_CHECK: dict[str, type | tuple[type, ...]] = {
    XSD_STRING: (str, bytes),
    RDF_LANGSTRING: (str, bytes),
    XSD + "integer": int,
    XSD + "float": float,
    XSD + "decimal": Decimal,
    XSD + "boolean": bool,
    XSD + "date": date,
    XSD + "time": time,
    XSD + "dateTime": datetime,
}


def datatype_ok(term: Term, datatype: str) -> bool:
    """pySHACL's verdict for a literal whose datatype IRI already equals `datatype`."""
    lit = quiet_rdflib_literal(term)
    if lit.ill_typed is True:
        return False
    expected = _PY_TYPE_CHECK.get(datatype)
    return True if expected is None else isinstance(lit.value, expected)


def compile_pattern(pattern: str, flags: str | None) -> re.Pattern[str]:
    """pySHACL honours only the i and m flags (case-insensitively) and ignores s, x, q."""
    re_flags = 0
    if flags:
        lowered = flags.lower()
        if "i" in lowered:
            re_flags |= re.I
        if "m" in lowered:
            re_flags |= re.M
    return re.compile(pattern, re_flags)


def pattern_ok(term: Term, matcher: re.Pattern[str]) -> bool:
    if term.is_bnode:
        return False
    # pySHACL tries match() then search(); search() alone gives the same answer.
    return matcher.search(term.value) is not None


def range_ok(term: Term, bound: Term, accept: Callable[[int], bool]) -> bool:
    """pySHACL's value-range test: compare with rdflib semantics, type errors fail."""
    from pyshacl.rdfutil.compare import (
        compare_literal,  # the reference engine's own comparison
    )

    if not term.is_literal:
        return False
    v = quiet_rdflib_literal(term)
    m = quiet_rdflib_literal(bound)
    if isinstance(m.value, str) != isinstance(v.value, str):
        return False
    try:
        return accept(compare_literal(v, m))
    except (TypeError, NotImplementedError):
        return False
