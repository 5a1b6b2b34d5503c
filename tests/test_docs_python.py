"""docs/python.md: every Python example runs, in order, and prints what the page shows.

`IGOKG_UPDATE_DOCS=1 pytest tests/test_docs_python.py` rewrites the shown output from a run.
"""

from __future__ import annotations

import contextlib
import io
import os
import re

import pytest
from conftest import ROOT
from support.serve import build_test_release

DOC = ROOT / "docs" / "python.md"
PAIR = re.compile(r"```python\n(.*?)```\n\n```text\n(.*?)```", re.S)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("notebook")
    build_test_release(folder / "dist")
    return folder


def test_the_python_examples_print_what_the_page_shows(workdir, monkeypatch):
    pytest.importorskip("pandas")
    pytest.importorskip("polars")
    text = DOC.read_text(encoding="utf-8")
    pairs = PAIR.findall(text)
    assert len(pairs) >= 5
    monkeypatch.chdir(workdir)
    namespace: dict = {}
    got = []
    for code, _shown in pairs:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, str(DOC), "exec"), namespace)  # noqa: S102 - the page's own examples
        got.append(out.getvalue())
    if os.environ.get("IGOKG_UPDATE_DOCS"):
        parts = iter(got)
        DOC.write_text(PAIR.sub(lambda m: f"```python\n{m.group(1)}```\n\n```text\n{next(parts)}```", text), encoding="utf-8")
    assert got == [shown for _code, shown in pairs]


def test_rows_convert_to_dataframes_with_the_query_columns(workdir):
    pd = pytest.importorskip("pandas")
    import igokg

    rows = igokg.open(workdir / "dist").members("csto", at="2018-06")
    df = rows.to_pandas()
    assert isinstance(df, pd.DataFrame) and list(df.columns) == rows.variables and len(df) == len(rows) == 6
    assert df["since"].isna().all() and set(df["attestedAt"]) == {"2018-06-08"}  # precision kept, nothing invented
