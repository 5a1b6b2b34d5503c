"""The ontology and the shapes, each as Turtle (the file as written, or the files merged)
and as RDF/XML."""

from __future__ import annotations

import shutil

from igokg.publish.writers.rdfxml import relabel_blank_nodes, write_rdfxml
from igokg.publish.writers.serialize import turtle_bytes
from igokg.release import Written

__all__ = ["write_schema"]

_TITLES = {"ontology": "The igo ontology (OWL 2)", "shapes": "The SHACL shapes"}


def write_schema(build) -> list[Written]:
    project, sources, out = build.project, build.sources, build.out
    written = []
    for stem, files in (("ontology", sources.ontology_files), ("shapes", sources.shape_files)):
        nt = b"".join(sources.ntriples_as_written(rel) for rel in files)
        if len(files) == 1:
            shutil.copyfile(project.root / files[0], out / f"{stem}.ttl")
        else:  # several files: merged, blank nodes labelled from their content
            (out / f"{stem}.ttl").write_bytes(turtle_bytes(relabel_blank_nodes(nt)))
        write_rdfxml(nt, out / f"{stem}.rdf")
        written += [
            Written(f"{stem}.ttl", "text/turtle", f"{_TITLES[stem]} as Turtle", distribution=True),
            Written(f"{stem}.rdf", "application/rdf+xml", f"{_TITLES[stem]} as RDF/XML", distribution=True),
        ]
    return written
