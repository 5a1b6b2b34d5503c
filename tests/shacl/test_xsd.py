"""Well-formedness of literals for the datatypes the store cannot judge."""

from __future__ import annotations

import pytest

from igokg.shacl.xsd import XSD, well_formed


@pytest.mark.parametrize(
    ("lexical", "datatype", "ok"),
    [
        ("300", "byte", False), ("127", "byte", True), ("-129", "byte", False), ("c", "byte", False),
        ("-1", "nonNegativeInteger", False), ("0", "nonNegativeInteger", True), ("0", "positiveInteger", False),
        ("256", "unsignedByte", False), ("+5", "int", True), ("2147483648", "int", False),
        ("2018-01-01T00:00:00", "dateTimeStamp", False), ("2018-01-01T00:00:00+01:00", "dateTimeStamp", True),
        ("2018-02-29", "date", False), ("2016-02-29", "date", True), ("2000-02-29", "date", True), ("1900-02-29", "date", False),
        ("2018-13-01", "date", False), ("24:00:00", "time", True), ("25:00:00", "time", False),
        ("--02-30", "gMonthDay", False), ("--02-29", "gMonthDay", True), ("2018-04", "gYearMonth", True), ("20x8", "gYear", False),
        ("P", "duration", False), ("PT", "duration", False), ("P1YT1S", "duration", True), ("P1D", "yearMonthDuration", False),
        ("1", "boolean", True), ("TRUE", "boolean", False), ("1e3", "double", True), ("INF", "float", True), ("1.", "decimal", True),
        ("0A1b", "hexBinary", True), ("0A1", "hexBinary", False), ("aGVsbG8=", "base64Binary", True), ("aGVsbG8", "base64Binary", False),
        ("en-GB", "language", True), ("en_GB", "language", False), ("a b", "token", True), (" a", "token", False),
        ("a\tb", "normalizedString", False), ("x:y", "Name", True), ("x:y", "NCName", False), ("anything at all", "anyURI", True),
    ],
)
def test_well_formed_follows_xml_schema(lexical, datatype, ok):
    assert well_formed(lexical, XSD + datatype) is ok


def test_datatypes_outside_xml_schema_are_not_judged():
    assert well_formed("x", "http://example.org/type") is None
    assert well_formed("x", XSD + "QName") is None
