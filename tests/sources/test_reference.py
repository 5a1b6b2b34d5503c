"""The reference table of verified QIDs: unreadable bytes are a clear error, never a traceback."""

from __future__ import annotations

from igokg.cli import main


def test_a_reference_table_that_is_not_utf8_names_the_file(project_copy, capsys):
    table = project_copy / "seeds" / "reference" / "wikidata-ids.tsv"
    table.write_bytes(table.read_bytes() + b"Q1\t\xff\xfe\n")
    code = main(["--root", str(project_copy), "validate"])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert err.startswith(f"igokg: {table}: not UTF-8 text (byte "), err
    assert err.endswith("\n  hint: save the table as UTF-8 TSV\n")
