"""The release's README.md (publish/writers/readme.py): what the graph holds, counted in it; the
pinned sources it was built from, with the sha256 of each file; those it was built without."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from igokg.publish.writers.readme import write_readme
from igokg.sources import load_sources
from igokg.sources.pinned import read_pinned


def readme(sources, out: Path) -> str:
    (written,) = write_readme(SimpleNamespace(sources=sources, project=sources.project, out=out))
    assert (written.path, written.media_type) == ("README.md", "text/markdown")
    return (out / "README.md").read_text(encoding="utf-8")


def test_the_article_release_counts_its_graph_and_says_what_it_was_built_without(sources, tmp_path):
    text = readme(sources, tmp_path)
    assert "- 8 intergovernmental organizations, 15 states\n- 26 memberships, 0 of them with status phases\n" in text
    assert "None: this release rests on the articles alone." in text
    assert "- cow-igo-v3: built with --skip-source cow-igo-v3; none of its facts are in this release, " \
           "and the facts of data/factbook.ttl that rest on it." in text
    assert "- factbook-appendix-b: built with --skip-source factbook-appendix-b;" in text


def test_the_full_release_counts_cow_and_pins_every_file_it_was_built_from(full_sources, tmp_path):
    text = readme(full_sources, tmp_path)
    # docs/datasets.md explains each figure against COW's own counts
    assert "(534 of them in COW IGO v3), 224 states\n" in text
    assert "- 17,867 memberships, 17,867 of them with status phases\n" in text
    assert "- 19,170 status phases: 18,776 full member, 293 observer, 98 associate member, 3 dialogue partner\n" in text
    for source in read_pinned(full_sources.project):
        assert f"- {source.name} ({source.iri}):" in text
        for f in source.files:
            assert f"  - {f.path} sha256 {f.sha256} from {f.url}" in text
    assert "## Left out" not in text


def test_a_release_without_the_factbook_says_so_and_keeps_cow(full_project, tmp_path):
    text = readme(load_sources(full_project.with_sources(skip=["factbook-appendix-b"])), tmp_path)
    assert "- cow-igo-v3 (https://w3id.org/igokg/id/cow-igo-v3):" in text
    assert "- factbook-appendix-b: built with --skip-source factbook-appendix-b; none of its facts are in this release, " \
           "and the facts of data/factbook.ttl that rest on it." in text
    assert "- 19,148 status phases:" in text  # COW's alone: the Factbook's 22 phases are left out
