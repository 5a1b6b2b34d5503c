"""Stage: publish. A validated graph becomes a release folder, written atomically.

    build       build_release / write_release: run the writers, checksum, swap in
    atomic      the staging folder and the one-step swap
    defaults    the writers of a release, in order
    writers/    one module per file or format (dumps, schema, query results, CHANGES)
    void        VoID + DCAT from what the writers wrote
    panels/     COW-style membership panels with CSVW metadata
    site/       the static site: entity pages, pictures, ontology docs, queries
"""

from igokg.publish.build import Build, Release, build_release, write_release
from igokg.publish.defaults import default_writers

__all__ = ["Build", "Release", "build_release", "write_release", "default_writers"]
