"""Stage: publish (site). Write the browsable, static part of a release.

Input: the loaded `Sources` and the release folder `out`, which already holds the dumps, the
VoID description and the example queries' results when `igokg build` calls this writer.
Output, into `out`: `index.html`, `entities.html`, `ontology.html`, `queries.html`, one page and
two data files per entity (`id/<slug>.html|.ttl|.jsonld`), the pictures (`matrix.svg`,
`timeline-<org>.svg`) and `static/site.css`.

The pages link to each other by relative paths only, so the same files work from any static
host, from `file://` and behind `igokg serve`; the canonical IRIs are shown as text. Nothing
here reads the clock: identical sources give identical bytes.

    writer        start_site, write_site, render_site: what the pages read; the top-level pages
    pages         the entity pages and data files, rendered in processes of their own
    graph         the graph indexed for page building
    links         values as templates see them
    pictures      timelines and the matrix (SVG)
    entities      one page per entity, and its data files
    ontology_doc  ontology documentation
    queries       the example queries page, the downloads list
"""

from igokg.publish.site.graph import SITE_PAGES
from igokg.publish.site.writer import render_site, start_site, write_site

__all__ = ["start_site", "write_site", "render_site", "SITE_PAGES"]
