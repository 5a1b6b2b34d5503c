"""CHANGES: triples added and removed per class against the previous dump."""

from __future__ import annotations

import gzip
from pathlib import Path

from igokg.publish.writers.changes import changes_text
from igokg.rdf import sort_ntriples

ID, IGO = "https://w3id.org/igokg/id/", "https://w3id.org/igokg/ontology#"
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def _line(s: str, p: str, o: str) -> bytes:
    return f"<{s}> <{p}> {o} .".encode()


OLD = [
    _line(ID + "armenia", TYPE, f"<{IGO}State>"),
    _line(ID + "armenia", LABEL, '"Armenia"@en'),
    _line(ID + "csto", TYPE, f"<{IGO}IntergovernmentalOrganization>"),
    _line(ID + "m1", TYPE, f"<{IGO}Membership>"),
    _line(ID + "m1#attestation-1", TYPE, f"<{IGO}Attestation>"),
    _line(ID + "m1#attestation-1", IGO + "quote", '"old words"'),
]
NEW = OLD[:4] + [_line(ID + "belarus", TYPE, f"<{IGO}State>"), _line(ID + "m1#attestation-1", IGO + "quote", '"new words"'),
                 _line(ID + "m1#attestation-1", TYPE, f"<{IGO}Attestation>")]


def _dump(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(gzip.compress(b"".join(line + b"\n" for line in lines)))
    return path


def test_changes_count_lines_per_class_of_the_entity_that_holds_them(tmp_path):
    text = changes_text(_dump(tmp_path / "old.nt.gz", sorted(OLD)), sort_ntriples(b"\n".join(NEW)))
    assert text.splitlines() == [
        "Changes since the previous release: +2 / -1 triples",
        "  igo:Membership                   +1      -1",  # the inline attestation counts under its membership
        "  igo:State                        +1      -0",
    ]


def test_a_previous_dump_in_another_order_gives_the_same_changes(tmp_path):
    new = sort_ntriples(b"\n".join(NEW))
    assert changes_text(_dump(tmp_path / "a.nt.gz", list(reversed(sorted(OLD)))), new) == \
        changes_text(_dump(tmp_path / "b.nt.gz", sorted(OLD)), new)


def test_an_identical_dump_is_no_change_and_no_dump_is_no_comparison(tmp_path):
    new = sort_ntriples(b"\n".join(NEW))
    written = _dump(tmp_path / "new.nt.gz", new.splitlines())
    previous = _dump(tmp_path / "old.nt.gz", new.splitlines())
    assert changes_text(previous, new, written).splitlines()[1] == "  no change in the facts"
    assert changes_text(tmp_path / "none.nt.gz", new) is None


def test_an_unreadable_previous_dump_says_so(tmp_path):
    bad = tmp_path / "old.nt.gz"
    bad.write_bytes(b"not gzip")
    assert "could not be read" in changes_text(bad, b"")
