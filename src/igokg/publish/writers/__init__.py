"""Release writers: one module per file or format, each writing its files into the staging
folder and returning what it wrote (`igokg.release.Written`).

    ntriples  igokg.nt.gz        turtle   igokg.ttl         jsonld   igokg.jsonld, context.jsonld
    schema    ontology, shapes   rdfxml   RDF/XML output    queries  example query results
    changes   CHANGES

The order they run in is `igokg.publish.defaults.default_writers`.
"""
