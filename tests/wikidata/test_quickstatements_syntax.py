"""The QuickStatements v1 validator (tests/support/quickstatements_v1.py) rejects what it must:
every test of the export relies on it, so it is tested on lines known to be wrong."""

from __future__ import annotations

import pytest
from support.quickstatements_v1 import assert_quickstatements_v1, check_line

GOOD = "\t".join([
    "Q148", "P463", "Q485207", "P580", "+2001-00-00T00:00:00Z/9",
    "S248", "Q204839", "S854", '"https://example.org/a"', "S1476", 'en:"A title"',
    "S577", "+2018-06-08T00:00:00Z/11", "S5017", "+2018-02-00T00:00:00Z/10", "S813", "+2024-01-02T00:00:00Z/11",
    "S1683", 'en:"A quote."',
])


def test_a_complete_line_is_valid():
    assert check_line(GOOD) == []
    assert assert_quickstatements_v1(GOOD + "\n")[0][:3] == ["Q148", "P463", "Q485207"]


BAD = {
    "odd field count": ("Q148\tP463", "field count"),
    "item not a QID": ("China\tP463\tQ485207", "item 'China'"),
    "qualifier after a source": ('Q148\tP463\tQ485207\tS854\t"https://example.org/a"\tP580\t+2001-00-00T00:00:00Z/9', "qualifier P580 after a source"),
    "string with a double quote": ('Q148\tP463\tQ485207\tS1683\ten:"He said "no"."\tS854\t"https://example.org/a"', "not a monolingual text"),
    "month set at year precision": ("Q148\tP463\tQ485207\tP580\t+2001-06-00T00:00:00Z/9", "below precision 9"),
    "day missing at day precision": ("Q148\tP463\tQ485207\tP580\t+2001-06-00T00:00:00Z/11", "below precision 11"),
    "our own IRI as the source": ('Q148\tP463\tQ485207\tS854\t"https://w3id.org/igokg/id/source-000-xinhua"', "our own IRI"),
    "a reference naming no source": ('Q148\tP463\tQ485207\tS1683\ten:"A quote."', "names no source"),
    "an unknown property": ("Q148\tP999\tQ485207", "P999: unknown property"),
    "a URL that is not a web address": ('Q148\tP463\tQ485207\tS854\t"ftp://example.org/a"', "not a web address"),
    "stated in a string": ('Q148\tP463\tQ485207\tS248\t"Xinhua"', "not an item"),
    "retrieved at a month": ('Q148\tP463\tQ485207\tS854\t"https://example.org/a"\tS813\t+2024-01-00T00:00:00Z/10', "retrieved (S813) is a day"),
    "two URLs in one reference": ('Q148\tP463\tQ485207\tS854\t"https://example.org/a"\tS854\t"https://example.org/b"', "twice"),
    "a string over 1500 characters": ('Q148\tP463\tQ485207\tS854\t"https://example.org/a"\tS1683\ten:"' + "x" * 1501 + '"', "not a monolingual text"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_a_bad_line_is_rejected_with_its_reason(name):
    line, reason = BAD[name]
    problems = check_line(line)
    assert any(reason in p for p in problems), problems
    with pytest.raises(AssertionError, match="line 1"):
        assert_quickstatements_v1(line + "\n")
