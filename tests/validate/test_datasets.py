"""The checks of facts from pinned sources fail on a tampered cell, locator or quote.

Each test loads a copy of the project with a copy of the mirror, tampers one thing, and runs the
check: a cell of the real COW table changed after the import (its new sha256 pinned, as a new
release of the data would be), a locator's value changed in the data, a Factbook quote changed,
the Factbook page itself changed.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from conftest import FULL, copy_project, need_pinned_files

from igokg.project import Project
from igokg.sources import load_sources
from igokg.validate.datasets import check_locators, check_reference_quotes

ENV = {k: v for k, v in FULL.items() if k != "IGOKG_SOURCE_MIRROR"}  # each test names its own copy of the mirror


def copy_with_mirror(tmp_path: Path) -> tuple[Path, Path]:
    root = copy_project(tmp_path / "p")
    mirror = tmp_path / "mirror"
    shutil.copytree(need_pinned_files(), mirror)
    for f in mirror.rglob("*"):
        f.chmod(0o644) if f.is_file() else f.chmod(0o755)
    return root, mirror


def load(root: Path, mirror: Path, skip=()):
    return load_sources(Project.discover(root, env=ENV, interactive=False).with_sources(mirror=mirror, skip=skip))


def repin(root: Path, old: str, path: Path) -> None:
    seeds = root / "seeds" / "datasets.ttl"
    seeds.write_text(seeds.read_text(encoding="utf-8").replace(old, hashlib.sha256(path.read_bytes()).hexdigest()), encoding="utf-8")


def test_every_locator_and_reference_quote_of_the_project_holds(tmp_path):
    root, mirror = copy_with_mirror(tmp_path)
    sources = load(root, mirror)
    assert check_locators(sources) == []
    assert check_reference_quotes(sources) == []


def test_a_tampered_cell_fails_the_locator_that_names_it(tmp_path):
    import pyreadr

    from igokg.sources.cow_tables import read_rda_table

    root, mirror = copy_with_mirror(tmp_path)
    sources = load(root, mirror)
    rda = mirror / "igoR" / "igo_year_format3.rda"
    frame = read_rda_table(rda, "igo_year_format3")
    frame.loc[(frame["ioname"] == "NATO") & (frame["year"] == 2005), "poland"] = 0.0
    old = hashlib.sha256(rda.read_bytes()).hexdigest()
    pyreadr.write_rdata(str(rda), frame, df_name="igo_year_format3")
    repin(root, old, rda)
    findings = check_locators(sources)
    assert [(f.rule, f.entity.rsplit("/", 1)[-1]) for f in findings] == [
        ("check:locator-cells", "membership-nato-poland-phase-1999-cow")
    ]
    assert "igo_year_format3: ioname=NATO, column poland, years 1999–2014: a cell in 2005 holds 0, not 1" in findings[0].message


def test_a_tampered_locator_value_in_the_data_fails(tmp_path):
    root, mirror = copy_with_mirror(tmp_path)
    factbook = root / "data" / "factbook.ttl"
    text = factbook.read_text(encoding="utf-8")
    assert 'igo:row "ioname=GATT" ; igo:column "replaced" ;\n            igo:firstYear "1995"^^xsd:gYear ; igo:lastYear "1995"^^xsd:gYear ; igo:cellValue "1"' in text
    factbook.write_text(text.replace('igo:row "ioname=GATT" ; igo:column "replaced" ;\n            igo:firstYear "1995"^^xsd:gYear ; igo:lastYear "1995"^^xsd:gYear ; igo:cellValue "1"',
                                     'igo:row "ioname=GATT" ; igo:column "replaced" ;\n            igo:firstYear "1994"^^xsd:gYear ; igo:lastYear "1995"^^xsd:gYear ; igo:cellValue "1"'), encoding="utf-8")
    findings = check_locators(load(root, mirror))
    assert len(findings) == 1
    assert "ioname=GATT, column replaced, years 1994–1995: a cell in 1994 holds 0, not 1" in findings[0].message
    assert findings[0].location.startswith("data/factbook.ttl:")


def test_a_tampered_factbook_quote_fails(tmp_path):
    root, mirror = copy_with_mirror(tmp_path)
    factbook = root / "data" / "factbook.ttl"
    factbook.write_text(factbook.read_text(encoding="utf-8").replace(
        '"Shanghai Cooperation Organization (SCO) 15 June 2001"', '"Shanghai Cooperation Organization (SCO) 16 June 2001"'),
        encoding="utf-8")
    findings = check_reference_quotes(load(root, mirror))
    assert [(f.rule, f.value) for f in findings] == [("check:quote-verbatim", "Shanghai Cooperation Organization (SCO) 16 June 2001")]
    assert findings[0].location.startswith("data/factbook.ttl:")


def test_a_changed_factbook_page_fails_its_text_digest_and_the_quotes_it_lost(tmp_path):
    root, mirror = copy_with_mirror(tmp_path)
    page = mirror / "dieghernan-cc-orgs" / "FactAppB.html"
    old = hashlib.sha256(page.read_bytes()).hexdigest()
    page.write_bytes(page.read_bytes().replace(b"15 June 2001", b"15 July 2001"))
    repin(root, old, page)
    rules = sorted(f.rule for f in check_reference_quotes(load(root, mirror)))
    assert rules == ["check:quote-verbatim", "check:reference-text-sha256"]


def test_skipping_a_source_leaves_out_its_facts_and_the_files_that_rest_on_it(tmp_path):
    root, mirror = copy_with_mirror(tmp_path)
    sources = load(root, mirror, skip=["factbook-appendix-b"])
    assert sources.skipped_sources == ["factbook-appendix-b"]
    assert "data/factbook.ttl" not in sources.fact_files and "import/cow-igo-v3" in sources.fact_files
    assert check_reference_quotes(sources) == []
