"""The README's promises: two Quick start commands, and CI runs exactly the second one."""

from __future__ import annotations

import re

from conftest import ROOT


def _quick_start_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return [b.strip() for b in re.findall(r"```[a-z]*\n(.*?)```", section, re.S)]


def test_quick_start_has_exactly_two_command_blocks():
    blocks = _quick_start_blocks()
    assert len(blocks) == 2
    assert blocks[0].endswith("igokg build")
    assert blocks[1].endswith("pytest -q")


def test_ci_runs_the_readme_test_command_verbatim():
    ci = (ROOT / ".ci" / "run").read_text()
    assert _quick_start_blocks()[1] in ci.splitlines()
    assert "-eq 5" in ci  # pytest's "no tests collected" is treated as a failure
