"""Replicate the project's real graph into a benchmark project of a given size.

    python benchmarks/generate.py --like-real --triples 1000000 --out benchmarks/out/r1000000

The generator (`generate.py`) invents data that follows the model; this mode copies the data
people actually wrote, so that the figures hold on data shaped like the real one: the same
classes, properties, inline nodes, literal kinds and Turtle layout, in the same proportions.
Each copy of `data/*.ttl` and `seeds/sources.ttl` renames its entities, shifts its dates and
cites copies of the source articles, re-hashed:

* copy 0 is the real data itself, unchanged, so that the example queries (which ask about
  the CSTO, the SCO, Russia…) have their real answers among the copies'.
* states and intergovernmental organizations come from a pool (default 210 states and 534
  IGOs, the size of COW IGO v3), so that many copies share them: copy k maps the real states
  and IGOs onto pool members (k x their count, modulo the pool), and the panels, the matrix and
  the timelines see a COW-sized membership table. The pool's first members are the real
  states and IGOs; the others are derived from them (label + number, invented QID). All are
  described once (`data/pool.ttl`).
* topics (a concept scheme) are shared as they are; every other entity gets the suffix
  `-cNNNN`, blank nodes a per-copy label.
* dates (xsd:date, gYearMonth, gYear) move back by (37 k mod 200) years, so that the copies
  spread over two centuries, as COW's 1816-2014 does; a copy's relations between dates stay.
* each copy cites its own copy of every article (`seeds/NNN_…-cNNNN.txt`: the article and one
  line naming the copy), with its sha256, so quotes still stand verbatim and every source is
  checked.
* QIDs are invented (Q95000000 upwards) and listed as confirmed in the project's own
  `seeds/reference/wikidata-ids.tsv`, as generate.py does. Never copy them into real data.

Deterministic: the same arguments give byte-identical files.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pyoxigraph as ox

REPO = Path(__file__).resolve().parents[1]
ID = "https://w3id.org/igokg/id/"
IGO = "https://w3id.org/igokg/ontology#"
WD = "http://www.wikidata.org/entity/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
OWL_SAMEAS = "http://www.w3.org/2002/07/owl#sameAs"
LABELS = {"http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#prefLabel",
          "http://www.w3.org/2004/02/skos/core#altLabel"}
DATES = {XSD + "date", XSD + "gYearMonth", XSD + "gYear"}
PREFIXES = {
    "igo": IGO, "id": ID, "wd": WD, "owl": "http://www.w3.org/2002/07/owl#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#", "xsd": XSD, "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/", "prov": "http://www.w3.org/ns/prov#",
}
HEADER = "# Replicated by benchmarks/replicate.py from the project's data: renamed entities, shifted dates,\n" \
         "# invented QIDs. Not real facts.\n"


def _parse(path: Path) -> list[ox.Triple]:
    """A file's triples, blank nodes relabelled in order of appearance (the parser's are random)."""
    labels: dict[str, ox.BlankNode] = {}

    def fix(t):
        if isinstance(t, ox.BlankNode):
            return labels.setdefault(t.value, ox.BlankNode(f"b{len(labels)}"))
        return t

    return [ox.Triple(fix(q.subject), q.predicate, fix(q.object)) for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)]


def _typed(files: dict[str, list[ox.Triple]], cls: str) -> list[str]:
    return sorted({t.subject.value for ts in files.values() for t in ts
                   if t.predicate.value == RDF_TYPE and t.object.value == IGO + cls})


class Replicator:
    def __init__(self, states: int, igos: int) -> None:
        self.files = {
            rel: _parse(REPO / rel)
            for rel in [p.relative_to(REPO).as_posix() for p in sorted((REPO / "data").glob("*.ttl"))]
            + ["seeds/sources.ttl"]
        }
        self.states, self.igos = _typed(self.files, "State"), _typed(self.files, "IntergovernmentalOrganization")
        self.shared = set(_typed(self.files, "Topic"))
        self.pool_size = {"state": states, "igo": igos}
        self.qids: list[tuple[str, str]] = []  # (label, QID)
        self.articles = sorted(p.name for p in (REPO / "seeds").glob("*.txt"))

    def qid(self, label: str) -> str:
        self.qids.append((label, f"Q{95000000 + len(self.qids)}"))
        return self.qids[-1][1]

    # ------------------------------------------------------------------ the pool
    def pool_iri(self, kind: str, n: int) -> str:
        real = self.states if kind == "state" else self.igos
        return real[n] if n < len(real) else f"{ID}{kind}-{n:03d}"

    def pool(self) -> list[ox.Triple]:
        """The pooled states and IGOs, each described after a real one (label + number)."""
        out = []
        for kind, real in (("state", self.states), ("igo", self.igos)):
            for n in range(self.pool_size[kind]):
                model = real[n % len(real)]
                me = ox.NamedNode(self.pool_iri(kind, n))
                for t in (t for ts in self.files.values() for t in ts if t.subject.value == model):
                    o = t.object
                    if n < len(real):
                        pass  # the real entity, as it is
                    elif t.predicate.value == OWL_SAMEAS:
                        o = ox.NamedNode(WD + self.qid(f"{kind} {n}"))
                    elif t.predicate.value in LABELS and isinstance(o, ox.Literal):
                        o = ox.Literal(f"{o.value} {n}", language=o.language) if o.language else ox.Literal(f"{o.value} {n}")
                    elif isinstance(o, ox.NamedNode) and o.value.startswith(ID) and o.value not in self.shared:
                        continue  # a link to a per-copy entity: the pool stands alone
                    elif isinstance(o, ox.BlankNode):
                        continue
                    out.append(ox.Triple(me, t.predicate, o))
        return out

    # ------------------------------------------------------------------ one copy
    def copy(self, k: int) -> tuple[dict[str, list[ox.Triple]], dict[str, bytes]]:
        """Copy k of every file (pooled and shared subjects left out), and its article copies.
        Copy 0 is the real data, its articles the real ones."""
        shift = (37 * k) % 200
        suffix = f"-c{k:04d}" if k else ""
        pooled = {s: self.pool_iri("state", (k * len(self.states) + i) % self.pool_size["state"])
                  for i, s in enumerate(self.states)}
        pooled |= {g: self.pool_iri("igo", (k * len(self.igos) + i) % self.pool_size["igo"])
                   for i, g in enumerate(self.igos)}
        qids: dict[str, str] = {}
        articles = {}
        for name in self.articles:
            data = (REPO / "seeds" / name).read_bytes()
            if k:
                data += f"\n[copy {k} of this article, for the benchmark]\n".encode()
            articles[f"seeds/{name[:-4]}{suffix}.txt"] = data

        def iri(value: str) -> str:
            if not value.startswith(ID) or value in self.shared:
                return value
            return pooled.get(value) or f"{value}{suffix}"

        def term(t):
            if isinstance(t, ox.BlankNode):
                return ox.BlankNode(f"{t.value}c{k}")
            if isinstance(t, ox.NamedNode):
                return ox.NamedNode(iri(t.value))
            return t

        out: dict[str, list[ox.Triple]] = {}
        for rel, triples in self.files.items():
            mine = []
            for t in triples:
                if t.subject.value in pooled or t.subject.value in self.shared:
                    continue
                p, o = t.predicate.value, t.object
                if not k:
                    pass  # the real data, as it is (its QIDs are in the real reference)
                elif p == OWL_SAMEAS and isinstance(o, ox.NamedNode) and o.value.startswith(WD):
                    if o.value not in qids:
                        qids[o.value] = WD + self.qid(f"{o.value[len(WD):]} copy {k}")
                    o = ox.NamedNode(qids[o.value])
                elif isinstance(o, ox.Literal) and o.datatype is not None and o.datatype.value in DATES:
                    o = ox.Literal(f"{int(o.value[:4]) - shift:04d}{o.value[4:]}", datatype=o.datatype)
                elif p == IGO + "file":
                    o = ox.Literal(f"{o.value[:-4]}{suffix}.txt")
                elif p == IGO + "sha256":
                    continue  # set below, from the copied article
                mine.append(ox.Triple(term(t.subject), t.predicate, term(o)))
            if rel == "seeds/sources.ttl":
                files = {t.subject.value: t.object.value for t in mine if t.predicate.value == IGO + "file"}
                for source, file in sorted(files.items()):
                    digest = hashlib.sha256(articles[file]).hexdigest()
                    mine.append(ox.Triple(ox.NamedNode(source), ox.NamedNode(IGO + "sha256"), ox.Literal(digest)))
            out[rel] = mine
        return out, articles

    def triples_per_copy(self) -> int:
        return sum(len(v) for v in self.copy(0)[0].values())


def _turtle(triples: list[ox.Triple]) -> bytes:
    return HEADER.encode() + ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)


def replicate(out: Path, triples: int, states: int = 210, igos: int = 534) -> int:
    """Write a project of about `triples` fact triples into `out` (replacing it); return the count."""
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    for folder in ("ontology", "shapes", "sparql"):
        if (REPO / folder).is_dir():
            shutil.copytree(REPO / folder, out / folder)
    (out / "data").mkdir(parents=True)
    (out / "seeds" / "reference").mkdir(parents=True)
    r = Replicator(states, igos)
    pool = r.pool()
    shared = [t for ts in r.files.values() for t in ts if t.subject.value in r.shared]
    copies = max(1, round((triples - len(pool) - len(shared)) / r.triples_per_copy()))
    r.qids.clear()
    pool = r.pool()  # again, so the pool's QIDs come first whatever was counted
    merged: dict[str, list[ox.Triple]] = {rel: [] for rel in r.files}
    for k in range(copies):
        files, articles = r.copy(k)
        for rel, ts in files.items():
            merged[rel] += ts
        for rel, data in articles.items():
            (out / rel).write_bytes(data)
    merged["data/pool.ttl"] = pool
    merged["data/topics.ttl"] = merged.get("data/topics.ttl", []) + shared
    count = 0
    for rel, ts in sorted(merged.items()):
        (out / rel).write_bytes(_turtle(ts))
        count += len(ts)
    rows = (REPO / "seeds" / "reference" / "wikidata-ids.tsv").read_text(encoding="utf-8").rstrip("\n").split("\n")
    rows += [f"{label}\treplicated\t{q}\tconfirmed-2-sources\tinvented by benchmarks/replicate.py for a replicated entity"
             for label, q in r.qids]
    (out / "seeds" / "reference" / "wikidata-ids.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return count

