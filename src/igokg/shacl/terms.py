"""Terms shared by both SHACL engines: one spelling of every RDF term.

Both engines must print a focus node or a value the same way, or their results
cannot be compared; rdflib's `n3()` and pyoxigraph's `str()` differ (triple quotes,
language-tag case, explicit `^^xsd:string`). So each engine converts its terms to a
`Term` and `Term.nt` is the only serialisation the results use.

A literal whose lexical form the store would rewrite ("01"^^xsd:integer) is kept in the
store as written under a wrapper datatype (`lexical`): `from_ox` unwraps it, so every
result and every Python-side test sees the literal the data wrote.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
import rdflib

from igokg.namespaces import LEXICAL

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
        """The term as it may appear in SPARQL text (not for blank nodes).

        Literals the store would rewrite must go through `lexical.Constants` instead.
        """
        if self.kind == "bnode":
            raise ValueError("blank nodes cannot be written into a query")
        return self.nt

    def to_ox(self) -> Any:
        if self.kind == "iri":
            return ox.NamedNode(self.value)
        if self.kind == "bnode":
            return ox.BlankNode(self.value)
        if self.lang:
            return ox.Literal(self.value, language=self.lang)
        return ox.Literal(self.value, datatype=ox.NamedNode(self.datatype or XSD_STRING))

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
        dt = dt.removeprefix(LEXICAL)  # a literal kept as written: its own datatype follows the prefix
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
