"""The README's promises: two Quick start commands, CI runs exactly the second one, and every
command output it shows is what the command prints today (cog)."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import ROOT

README = ROOT / "README.md"


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


def test_readme_command_outputs_are_current():
    """`cog -r -I docs README.md` regenerates them; this fails when the data or a command changed since."""
    proc = subprocess.run([sys.executable, "-m", "cogapp", "--check", "-I", "docs", "README.md"], cwd=ROOT,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:] + "\nrun: cog -r -I docs README.md"


def test_readme_is_short_and_links_every_doc():
    text = (ROOT / "README.md").read_text()
    prose = re.sub(r"```.*?```", "", re.sub(r"<!-- \[\[\[cog.*?\]\]\] -->", "", text, flags=re.S), flags=re.S)
    assert len(prose.split()) < 1200  # two minutes of reading, outputs aside
    for doc in (ROOT / "docs").glob("*.md"):
        assert f"docs/{doc.name}" in text, f"README does not link docs/{doc.name}"


def test_readme_links_point_at_files_that_exist():
    text = (ROOT / "README.md").read_text()
    for target in re.findall(r"\]\(((?:docs/)[^)#]+)", text):
        assert (ROOT / target).is_file(), target


_COW_COUNTS = """PREFIX igo: <https://w3id.org/igokg/ontology#>
PREFIX id: <https://w3id.org/igokg/id/>
SELECT ?what (COUNT(DISTINCT ?x) AS ?n) WHERE {
  { ?x igo:cowIoname ?name BIND("IGOs" AS ?what) }
  UNION { ?x a igo:State BIND("states" AS ?what) }
  UNION { ?x igo:phase/igo:attestation/igo:source id:cow-igo-v3 BIND("memberships" AS ?what) }
  UNION { ?x igo:attestation/igo:source id:cow-igo-v3 ; a igo:MembershipPhase BIND("status phases" AS ?what) }
  UNION { ?x igo:attestation/igo:source id:cow-igo-v3 ; igo:status ?s
          BIND(CONCAT(STRAFTER(STR(?s), "#"), " phases") AS ?what) }
} GROUP BY ?what"""


def test_the_readmes_dataset_figures_are_counted_in_the_full_graph(full_sources):
    got = {s["what"].value: int(s["n"].value) for s in full_sources.store.query(_COW_COUNTS, use_default_graph_as_union=True)}
    text = " ".join(README.read_text(encoding="utf-8").split())
    said = (f"{got['IGOs']:,} IGOs, {got['states']:,} states, {got['memberships']:,} memberships with "
            f"{got['status phases']:,} status phases: {got['Member phases']:,} full member, "
            f"{got['AssociateMember phases']:,} associate member and {got['Observer phases']:,} observer")
    assert said in text
    assert got["Member phases"] + got["AssociateMember phases"] + got["Observer phases"] == got["status phases"]
