"""The ontology and the shapes, each as Turtle (the file as written, or the files merged)
and as RDF/XML."""

from __future__ import annotations

import shutil

from igokg.publish.writers.rdfxml import write_rdfxml
from igokg.publish.writers.turtle import turtle_text
from igokg.release import Written
from igokg.sources import parse_turtle

__all__ = ["write_schema"]

_TITLES = {"ontology": "The igo ontology (OWL 2)", "shapes": "The SHACL shapes"}


def write_schema(build) -> list[Written]:
    project, sources, out = build.project, build.sources, build.out
    written = []
    for stem, files in (("ontology", sources.ontology_files), ("shapes", sources.shape_files)):
        parts = [t for rel in files for t in parse_turtle(project.root / rel, rel)]
        if len(files) == 1:
            shutil.copyfile(project.root / files[0], out / f"{stem}.ttl")
        else:  # several files: merge them
            (out / f"{stem}.ttl").write_text(turtle_text(parts), encoding="utf-8")
        write_rdfxml(parts, out / f"{stem}.rdf")
        written += [
            Written(f"{stem}.ttl", "text/turtle", f"{_TITLES[stem]} as Turtle", distribution=True),
            Written(f"{stem}.rdf", "application/rdf+xml", f"{_TITLES[stem]} as RDF/XML", distribution=True),
        ]
    return written
