"""Settings are decided once: root, release date, progress."""

from __future__ import annotations

import pytest
from conftest import ROOT

from igokg.errors import SourceError
from igokg.project import Project


def test_source_date_epoch_dates_the_release():
    project = Project.discover(ROOT, env={"SOURCE_DATE_EPOCH": "1700000000"}, interactive=False)
    assert project.issued == "2023-11-14"


def test_bad_source_date_epoch_is_a_clear_error():
    with pytest.raises(SourceError, match="not an integer"):
        Project.discover(ROOT, env={"SOURCE_DATE_EPOCH": "yesterday"})


@pytest.mark.parametrize("value", ["-1", "99999999999999"])
def test_a_source_date_epoch_that_is_no_date_is_a_clear_error(value):
    # 99999999999999 was "ValueError: year 3170843 is out of range" from the build's first date.
    with pytest.raises(SourceError, match=f"SOURCE_DATE_EPOCH: {value} is not a date between 1970 and 9999"):
        Project.discover(ROOT, env={"SOURCE_DATE_EPOCH": value})


def test_progress_stays_quiet_in_ci_and_pipes():
    # Under pytest stderr is not a terminal, and CI is set: no spinner either way.
    assert Project.discover(ROOT, env={"CI": "true", "SOURCE_DATE_EPOCH": "0"}).show_progress is False


def test_a_folder_outside_any_project_is_refused(tmp_path):
    with pytest.raises(SourceError, match="not an igokg project"):
        Project.discover(tmp_path, env={})


def test_the_root_is_found_from_a_subfolder():
    assert Project.discover(ROOT / "data", env={"SOURCE_DATE_EPOCH": "0"}).root == ROOT
