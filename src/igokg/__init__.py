"""igokg: the open knowledge graph of intergovernmental organizations.

The data flows one way, and the modules follow it:

    sources   load seeds/, ontology/, shapes/, data/ into one graph (file:line kept)
    validate  SHACL + the project's own checks -> Report
    publish   a Release: dumps, VoID/DCAT, checksums, query results, site (atomic)
    serve / wikidata  consumers of the loaded graph or a built release
    api       the graph from Python: igokg.open(path).query(...), .members(...), .history(...)
    cli       a thin view over the functions above
"""

# The one place the version is written: pyproject.toml reads it from here (setuptools'
# dynamic version). Asking importlib.metadata instead cost every command 50 ms at start.
__version__ = "0.1.0"

__all__ = ["__version__", "open"]


def open(root="."):  # noqa: A001 - `igokg.open(path)` is the notebook entry point, as the docs show it
    """The graph of a release folder or a project, for notebooks: see `igokg.api` and docs/python.md."""
    # Imported when called, by name: every stage imports this package (for __version__), and the
    # import contract keeps them from depending on the consumer layer that `api` belongs to.
    import importlib

    return importlib.import_module("igokg.api").open_graph(root)
