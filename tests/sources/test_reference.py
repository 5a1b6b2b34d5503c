"""The reference table of verified QIDs: unreadable bytes are a clear error, never a traceback."""

from __future__ import annotations

import pytest

from igokg.cli import main
from igokg.errors import SourceError
from igokg.sources.reference import read_cow_links


def test_a_reference_table_that_is_not_utf8_names_the_file(project_copy, capsys):
    table = project_copy / "seeds" / "reference" / "wikidata-ids.tsv"
    table.write_bytes(table.read_bytes() + b"Q1\t\xff\xfe\n")
    code = main(["--root", str(project_copy), "validate"])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert err.startswith(f"igokg: {table}: not UTF-8 text (byte "), err
    assert err.endswith("\n  hint: save the table as UTF-8 TSV\n")


def test_a_cow_reference_table_without_its_key_column_names_the_file_and_the_column(tmp_path):
    table = tmp_path / "igos-wikidata.tsv"
    table.write_text("name\tid\tconfidence\nCSTO\tQ1\tone-source\n", encoding="utf-8")
    with pytest.raises(SourceError) as err:
        read_cow_links(table, "ioname")
    assert "has no column 'ioname'" in str(err.value) and str(table) in str(err.value)
    table.write_text("ioname\tid\tconfidence\nCSTO\tQ1\tone-source\n", encoding="utf-8")
    (link,) = read_cow_links(table, "ioname").values()
    assert (link.key, link.qid, link.confidence) == ("CSTO", "Q1", "one-source")
