"""Generate a complete igokg project of a given size, for the build/validate benchmark.

    python benchmarks/generate.py --triples 100000 --out benchmarks/out/p100000 [--violations K]

The output is a project folder that `igokg validate --root DIR` and `igokg build --root DIR`
accept: `ontology/`, `shapes/` and `sparql/` copied from this repository; `data/*.ttl` and
`seeds/` generated. The data follow the project's own model (ontology/igo.ttl, shapes/):
intergovernmental organizations with bodies and posts, states, places, persons, news
organizations; n-ary memberships with roles and dates at mixed precision; post holdings;
agreements with signatures; partnerships; events with participations; every fact attested by
a quote that stands verbatim in a generated source text (`seeds/gen-NNNNNN.txt`, described in
`seeds/sources.ttl` with its igo:file and igo:sha256).

The entities are invented, so their owl:sameAs QIDs are invented too (wd:Q90000000 upwards,
which are not the Wikidata items of anything here): the generated project gets its own
`seeds/reference/wikidata-ids.tsv` listing them as confirmed, so that the project's QID check
passes. Never copy these QIDs into the real data.

Deterministic: the same arguments give byte-identical files (one seeded `random.Random`, no
clock, sorted iteration only). `--triples N` counts the fact triples (data/ and seeds/*.ttl,
what `igokg build` publishes); the ontology adds about 600 more to the validated graph.

`--violations K` plants K SHACL violations (one each, on named nodes, each detectable by SHACL
alone, so that the naive pipeline and igokg must both find exactly them).
"""

from __future__ import annotations

import argparse
import hashlib
import random
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

PREFIXES = """@prefix igo:  <https://w3id.org/igokg/ontology#> .
@prefix id:   <https://w3id.org/igokg/id/> .
@prefix wd:   <http://www.wikidata.org/entity/> .
@prefix owl:  <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dct:  <http://purl.org/dc/terms/> .
"""

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
SYLLABLES = ["ka", "ro", "va", "lin", "tor", "mi", "sa", "del", "ban", "zur", "es", "ol", "ga", "ren",
             "tas", "ni", "pol", "mar", "ul", "dan", "ve", "kor", "ta", "shan", "bel", "ar", "qu", "im"]
TOPICS = [
    ("regional-security", "regional and international security and stability"),
    ("counter-terrorism", "counter-terrorism"),
    ("extremism", "countering extremism"),
    ("drug-trafficking", "drug trafficking"),
    ("arms-trafficking", "arms trafficking"),
    ("organized-crime", "transnational organized crime"),
    ("trade", "trade and customs"),
    ("energy", "energy cooperation"),
    ("transport", "transport corridors"),
    ("health", "public health"),
    ("cyber-security", "information and cyber security"),
    ("interorganizational-cooperation", "cooperation between organizations"),
]
BODY_KINDS = [("secretariat", "Secretariat", "Secretariat"), ("council", "Council", "Council of Heads of State"),
              ("rats", "AntiTerroristStructure", "Regional Anti-Terrorist Structure")]
EVENT_KINDS = [("Summit", "summit"), ("Meeting", "meeting"), ("Conference", "conference"),
               ("Videoconference", "videoconference"), ("Exercise", "exercise")]
VIOLATION_KINDS = ["membership-without-role", "end-before-start", "partnership-one-partner",
                   "event-date-and-period", "holding-post-not-a-post", "state-label-not-english",
                   "agreement-one-party"]


@dataclass(frozen=True)
class Date:
    """A date at the precision a source gives: 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD'."""

    lexical: str

    @property
    def turtle(self) -> str:
        kind = {4: "gYear", 7: "gYearMonth", 10: "date"}[len(self.lexical)]
        return f'"{self.lexical}"^^xsd:{kind}'

    @property
    def words(self) -> str:
        parts = self.lexical.split("-")
        if len(parts) == 1:
            return f"in {parts[0]}"
        if len(parts) == 2:
            return f"in {MONTHS[int(parts[1]) - 1]} {parts[0]}"
        return f"on {int(parts[2])} {MONTHS[int(parts[1]) - 1]} {parts[0]}"

    @property
    def year(self) -> int:
        return int(self.lexical[:4])


def lit(text: str, lang: str | None = None) -> str:
    body = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{body}"@{lang}' if lang else f'"{body}"'


class BNode:
    """An inline blank node `[ ... ]` with its own predicate/object pairs."""

    def __init__(self, pairs: list[tuple[str, list]]):
        self.pairs = pairs


def render(subject: str, pairs: list[tuple[str, list]], indent: str = "    ") -> tuple[str, int]:
    """Turtle for one subject block, and the number of triples it holds."""
    count = 0
    lines: list[str] = []
    for p, objs in pairs:
        rendered = []
        for o in objs:
            if isinstance(o, BNode):
                inner, n = render("", o.pairs, indent + "    ")
                count += n + 1
                rendered.append("[ " + inner.strip() + "\n" + indent + "]")
            else:
                count += 1
                rendered.append(o)
        lines.append(f"{p} " + " , ".join(rendered))
    sep = " ;\n" + indent
    text = (subject + " " if subject else "") + sep.join(lines)
    return (text + " .\n\n" if subject else text), count


@dataclass
class Entity:
    slug: str
    label: str
    qid: str | None = None


@dataclass
class Source:
    n: int
    slug: str
    publisher: Entity
    place: Entity
    issued: Date
    sentences: list[str] = field(default_factory=list)

    @property
    def file(self) -> str:
        return f"seeds/gen-{self.n:06d}.txt"


class Generator:
    def __init__(self, triples: int, seed: int, violations: int) -> None:
        self.target = triples
        self.rng = random.Random(seed)
        self.violations = violations
        self.count = 0
        self.files: dict[str, list[str]] = {}
        self.qids: list[tuple[str, str, str]] = []  # label, kind, qid
        self.sources: list[Source] = []
        self.current: Source | None = None
        self.counters: dict[str, int] = {}
        self.used_names: set[str] = set()
        self.used_pairs: set[tuple[str, str]] = set()

    # ------------------------------------------------------------------ helpers
    def next_id(self, kind: str) -> int:
        self.counters[kind] = self.counters.get(kind, 0) + 1
        return self.counters[kind]

    def name(self, parts: int = 2) -> str:
        while True:
            word = "".join(self.rng.choice(SYLLABLES) for _ in range(parts + self.rng.randrange(2)))
            if word not in self.used_names:
                self.used_names.add(word)
                return word.capitalize()

    def emit(self, file: str, subject: str, pairs: list[tuple[str, list]]) -> None:
        text, n = render(subject, pairs)
        self.files.setdefault(file, []).append(text)
        self.count += n

    def qid(self, label: str, kind: str) -> str:
        q = f"Q{90000000 + len(self.qids)}"
        self.qids.append((label, kind, q))
        return q

    def date(self, year: int, precision: str | None = None) -> Date:
        precision = precision or self.rng.choice(["day", "day", "month", "year"])
        month, day = self.rng.randrange(1, 13), self.rng.randrange(1, 29)
        if precision == "year":
            return Date(f"{year:04d}")
        if precision == "month":
            return Date(f"{year:04d}-{month:02d}")
        return Date(f"{year:04d}-{month:02d}-{day:02d}")

    def source(self) -> Source:
        """The source document being written; a new one every dozen sentences or so."""
        if self.current is None or len(self.current.sentences) >= self.current_cap:
            n = len(self.sources) + 1
            pub = self.rng.choice(self.news)
            self.current = Source(n, f"source-gen-{n:06d}", pub, self.rng.choice(self.places),
                                  self.date(self.rng.randrange(1995, 2025), self.rng.choice(["day", "day", "day", "month", "year"])))
            self.current_cap = self.rng.randrange(8, 16)
            self.sources.append(self.current)
        return self.current

    def attest(self, sentence: str, dated: bool = True) -> BNode:
        """An inline attestation whose quote is `sentence`, now part of the current source text."""
        src = self.source()
        src.sentences.append(sentence)
        pairs = [("a", ["igo:Attestation"]), ("igo:source", [f"id:{src.slug}"]), ("igo:quote", [lit(sentence)])]
        if dated:
            pairs.append(("igo:attestedAt", [src.issued.turtle]))
        return BNode(pairs)

    def named_attestation(self, file: str, sentence: str) -> str:
        src = self.source()
        src.sentences.append(sentence)
        slug = f"att-gen-{self.next_id('att'):07d}"
        self.emit(file, f"id:{slug}", [("a", ["igo:Attestation"]), ("igo:source", [f"id:{src.slug}"]),
                                       ("igo:attestedAt", [src.issued.turtle]), ("igo:quote", [lit(sentence)])])
        return f"id:{slug}"

    # ------------------------------------------------------------------ the world
    def world(self) -> None:
        u = max(self.target / 10000, 0.2)
        n_states = max(12, round(20 * u ** 0.5))
        n_orgs = max(3, round(4 * u))
        n_news = max(3, round(2 * u ** 0.5))
        n_persons = max(30, round(40 * u))

        for slug, label in TOPICS:
            self.emit("data/topics.ttl", f"id:topic-{slug}", [
                ("a", ["igo:Topic"]), ("skos:inScheme", ["igo:Topics"]), ("skos:prefLabel", [lit(label, "en")])])
        self.topics = [f"id:topic-{slug}" for slug, _ in TOPICS]

        self.states: list[Entity] = []
        self.places: list[Entity] = []
        self.state_posts: dict[str, str] = {}
        for i in range(1, n_states + 1):
            st = Entity(f"state-{i:04d}", self.name(2) + "ia")
            st.qid = self.qid(st.label, "state")
            self.states.append(st)
            self.emit("data/states.ttl", f"id:{st.slug}", [
                ("a", ["igo:State"]), ("rdfs:label", [lit(st.label, "en")]), ("owl:sameAs", [f"wd:{st.qid}"])])
            for k in range(3):
                pl = Entity(f"place-{i:04d}-{k}", self.name(2))
                pairs = [("a", ["igo:Place"]), ("rdfs:label", [lit(pl.label, "en")]), ("igo:country", [f"id:{st.slug}"])]
                if k == 0:
                    pairs.append(("igo:capitalOf", [f"id:{st.slug}"]))
                if k == 2:
                    pairs.append(("igo:locatedIn", [f"id:{self.places[-1].slug}"]))
                if k != 2 or i % 3:
                    pl.qid = self.qid(pl.label, "place")
                    pairs.append(("owl:sameAs", [f"wd:{pl.qid}"]))
                self.places.append(pl)
                self.emit("data/places.ttl", f"id:{pl.slug}", pairs)
            post = f"id:president-of-{st.slug}"
            self.state_posts[st.slug] = post
            self.emit("data/posts.ttl", post, [
                ("a", ["igo:Post"]), ("rdfs:label", [lit(f"President of {st.label}", "en")]), ("igo:postIn", [f"id:{st.slug}"])])

        self.news: list[Entity] = []
        for i in range(1, n_news + 1):
            ne = Entity(f"news-{i:03d}", self.name(2) + " News Agency")
            ne.qid = self.qid(ne.label, "org")
            self.news.append(ne)
            self.emit("data/organizations.ttl", f"id:{ne.slug}", [
                ("a", ["igo:NewsOrganization"]), ("rdfs:label", [lit(ne.label, "en")]), ("owl:sameAs", [f"wd:{ne.qid}"])])

        self.persons: list[Entity] = []
        for i in range(1, n_persons + 1):
            pe = Entity(f"person-{i:05d}", f"{self.name(2)} {self.name(3)}")
            pairs = [("a", ["igo:Person"]), ("rdfs:label", [lit(pe.label, "en")])]
            if i % 5:  # one person in five has no verified item: a warning, as in the real data
                pe.qid = self.qid(pe.label, "person")
                pairs.append(("owl:sameAs", [f"wd:{pe.qid}"]))
            self.persons.append(pe)
            self.emit("data/people.ttl", f"id:{pe.slug}", pairs)

        self.orgs: list[Entity] = []
        self.founded: dict[str, int] = {}
        self.bodies: dict[str, list[str]] = {}
        for i in range(1, n_orgs + 1):
            name = self.name(2)
            acronym = "".join(self.rng.choice("ABCDEFGHKLMNOPRSTUVZ") for _ in range(3)) + f"{i}"
            org = Entity(f"igo-{i:04d}", f"{name} Cooperation Organization")
            org.qid = self.qid(org.label, "org")
            self.orgs.append(org)
            self.founded[org.slug] = self.rng.randrange(1960, 2010)
            self.emit("data/organizations.ttl", f"id:{org.slug}", [
                ("a", ["igo:IntergovernmentalOrganization"]), ("rdfs:label", [lit(org.label, "en")]),
                ("skos:altLabel", [lit(acronym, "en")]), ("owl:sameAs", [f"wd:{org.qid}"])])
            self.bodies[org.slug] = []
            for key, cls, title in BODY_KINDS[: 1 + i % 3]:
                body = f"id:{org.slug}-{key}"
                self.bodies[org.slug].append(body)
                self.emit("data/organizations.ttl", body, [
                    ("a", [f"igo:{cls}"]), ("rdfs:label", [lit(f"{org.label} {title}", "en")]), ("igo:bodyOf", [f"id:{org.slug}"])])
            self.emit("data/posts.ttl", f"id:{org.slug}-secretary-general", [
                ("a", ["igo:Post"]), ("rdfs:label", [lit(f"Secretary General of the {org.label}", "en")]),
                ("igo:postIn", [f"id:{org.slug}"])])
        self.holders: dict[str, list[tuple[Entity, int]]] = {}
        self.series: dict[str, str] = {}

    # ------------------------------------------------------------------ facts
    def founding(self, org: Entity) -> None:
        year = self.founded[org.slug]
        founders = self.rng.sample(self.states, self.rng.randrange(3, min(7, len(self.states))))
        names = ", ".join(s.label for s in founders[:-1]) + " and " + founders[-1].label
        att = self.named_attestation("data/memberships.ttl", f"The {org.label} was founded in {year} by {names}.")
        for st in founders:
            self.used_pairs.add((org.slug, st.slug))
            self.emit("data/memberships.ttl", f"id:membership-{org.slug}-{st.slug}", [
                ("a", ["igo:Membership"]), ("igo:member", [f"id:{st.slug}"]), ("igo:organization", [f"id:{org.slug}"]),
                ("igo:role", ["igo:FoundingMember", "igo:Member"]), ("igo:startDate", [Date(str(year)).turtle]),
                ("igo:attestation", [att])])
        self.emit("data/events.ttl", f"id:founding-{org.slug}", [
            ("a", ["igo:Founding"]), ("rdfs:label", [lit(f"Founding of the {org.label}", "en")]),
            ("igo:founded", [f"id:{org.slug}"]), ("igo:date", [Date(str(year)).turtle]),
            ("igo:participation", [BNode([("a", ["igo:Participation"]), ("igo:participant", [f"id:{st.slug}"]),
                                          ("igo:attestation", [att])]) for st in founders]),
            ("igo:attestation", [att])])

    def membership(self, broken: str | None = None) -> None:
        for _ in range(50):
            org, st = self.rng.choice(self.orgs), self.rng.choice(self.states)
            if (org.slug, st.slug) not in self.used_pairs:
                break
        else:
            return self.holding()
        self.used_pairs.add((org.slug, st.slug))
        kind = self.rng.random()
        pairs: list[tuple[str, list]] = [("a", ["igo:Membership"]), ("igo:member", [f"id:{st.slug}"]),
                                         ("igo:organization", [f"id:{org.slug}"])]
        if kind < 0.7 or broken:
            start = self.date(self.rng.randrange(self.founded[org.slug] + 1, 2024))
            if broken != "membership-without-role":
                pairs.append(("igo:role", ["igo:Member"]))
            pairs.append(("igo:startDate", [start.turtle]))
            atts = [self.attest(f"{st.label} joined the {org.label} {start.words}, its {self.ordinal()} enlargement.")]
            if broken == "end-before-start" or (kind < 0.15 and start.year < 2020):
                end = (self.date(start.year - 1 - self.rng.randrange(3)) if broken == "end-before-start"
                       else self.date(self.rng.randrange(start.year + 1, 2025)))
                pairs.append(("igo:endDate", [end.turtle]))
                atts.append(self.attest(f"{st.label} left the {org.label} {end.words}, the ministry said."))
        else:
            role, word = ("igo:Observer", "an observer") if kind < 0.9 else ("igo:DialoguePartner", "a dialogue partner")
            pairs.append(("igo:role", [role]))
            atts = [self.attest(f"{st.label} takes part in the work of the {org.label} as {word}.")]
        pairs.append(("igo:attestation", atts))
        self.emit("data/memberships.ttl", f"id:membership-{org.slug}-{st.slug}", pairs)

    def ordinal(self) -> str:
        return self.rng.choice(["first", "second", "third", "latest", "long-awaited"])

    def holding(self, broken: str | None = None) -> None:
        org = self.rng.choice(self.orgs)
        terms = self.holders.setdefault(org.slug, [])
        year = max(self.founded[org.slug] + 1, terms[-1][1] + 3 if terms else 1990)
        if year > 2023:
            return self.event()
        person = self.rng.choice(self.persons)
        terms.append((person, year))
        start = self.date(year, self.rng.choice(["day", "month", "year"]))
        end = self.date(year + 3, "year")
        post = f"id:{org.slug}-secretary-general"
        n = self.next_id("holding")
        pairs = [("a", ["igo:PostHolding"]), ("igo:holder", [f"id:{person.slug}"]),
                 ("igo:post", [f"id:{person.slug}" if broken == "holding-post-not-a-post" else post]),
                 ("igo:startDate", [start.turtle])]
        atts = [self.attest(f"{person.label} took office as Secretary General of the {org.label} {start.words}.")]
        if year + 3 < 2024:
            pairs.append(("igo:endDate", [end.turtle]))
            atts.append(self.attest(f"The term of {person.label} at the head of the {org.label} ended {end.words}."))
        pairs.append(("igo:attestation", atts))
        self.emit("data/posts.ttl", f"id:holding-{org.slug}-{n:05d}", pairs)

    def current_holder(self, org: Entity) -> Entity:
        terms = self.holders.get(org.slug)
        return terms[-1][0] if terms else self.rng.choice(self.persons)

    def agreement(self, broken: str | None = None) -> None:
        a, b = self.rng.sample(self.orgs, 2)
        n = self.next_id("agreement")
        day = self.date(self.rng.randrange(1995, 2024), "day")
        place = self.rng.choice(self.places)
        topics = self.rng.sample(self.topics, 2)
        sa, sb = self.bodies[a.slug][0], self.bodies[b.slug][0]
        pa, pb = self.current_holder(a), self.current_holder(b)
        slug = f"id:mou-{n:05d}"
        signed = self.named_attestation(
            "data/agreements.ttl",
            f"The memorandum was signed by {pa.label} for the {a.label} and {pb.label} for the {b.label} in {place.label} {day.words}.")
        sigs = [BNode([("a", ["igo:Signature"]), ("igo:signatory", [f"id:{p.slug}"]), ("igo:onBehalfOf", [f"id:{o.slug}"]),
                       ("igo:capacity", [f"id:{o.slug}-secretary-general"]), ("igo:attestation", [signed])])
                for p, o in ((pa, a), (pb, b))]
        self.emit("data/agreements.ttl", slug, [
            ("a", ["igo:MemorandumOfUnderstanding"]),
            ("rdfs:label", [lit(f"Memorandum of understanding between the {a.label} and the {b.label} ({day.year})", "en")]),
            ("igo:party", [sa] if broken == "agreement-one-party" else [sa, sb]), ("igo:date", [day.turtle]),
            ("igo:location", [f"id:{place.slug}"]), ("igo:topic", topics), ("igo:signature", sigs),
            ("igo:attestation", [self.attest(
                f"The {a.label} and the {b.label} have signed a memorandum of understanding on cooperation in {len(topics)} fields.")])])
        if broken == "partnership-one-partner" or self.rng.random() < 0.5:
            month = Date(day.lexical[:7])
            self.emit("data/partnerships.ttl", f"id:partnership-{n:05d}", [
                ("a", ["igo:Partnership"]), ("rdfs:label", [lit(f"Partnership of the {a.label} and the {b.label}", "en")]),
                ("igo:partner", [f"id:{a.slug}"] if broken == "partnership-one-partner" else [f"id:{a.slug}", f"id:{b.slug}"]),
                ("igo:startDate", [month.turtle]), ("igo:basedOn", [slug]),
                ("igo:attestation", [self.attest(f"The {a.label} and the {b.label} are partner organizations since {month.words[3:]}.")])])

    def event(self, broken: str | None = None) -> None:
        org = self.rng.choice(self.orgs)
        cls, word = self.rng.choice(EVENT_KINDS)
        n = self.next_id("event")
        place = self.rng.choice(self.places)
        year = self.rng.randrange(max(1995, self.founded[org.slug] + 1), 2025)
        pairs: list[tuple[str, list]] = [("a", [f"igo:{cls}"]),
                                         ("rdfs:label", [lit(f"{org.label} {word} in {place.label} ({year})", "en")])]
        if self.rng.random() < 0.3 or broken:
            start = self.date(year, "day")
            end = Date(f"{start.lexical[:8]}{min(int(start.lexical[8:]) + 1, 28):02d}")
            pairs += [("igo:startDate", [start.turtle]), ("igo:endDate", [end.turtle])]
            if broken == "event-date-and-period":
                pairs.append(("igo:date", [start.turtle]))
            when = f"from {start.words[3:]} to {end.words[3:]}"
        else:
            day = self.date(year)
            pairs.append(("igo:date", [day.turtle]))
            when = day.words
        pairs += [("igo:location", [f"id:{place.slug}"]), ("igo:organizer", [f"id:{org.slug}"]),
                  ("igo:topic", [self.rng.choice(self.topics)])]
        if self.rng.random() < 0.3:
            pairs.append(("igo:about", [f"id:{self.rng.choice(self.orgs).slug}"]))
        if cls == "Meeting":
            series = self.series.get(org.slug)
            if series is None:
                series = self.series[org.slug] = f"id:series-{org.slug}-meetings"
                self.emit("data/events.ttl", series, [
                    ("a", ["igo:EventSeries"]), ("rdfs:label", [lit(f"Meetings of the {org.label} ministers", "en")]),
                    ("igo:attestation", [self.attest(f"Ministers of the {org.label} meet in this format every year.", dated=False)])])
            pairs.append(("igo:inSeries", [series]))
        people = self.rng.sample(self.persons, self.rng.randrange(2, 6))
        parts = []
        for p in people:
            st = self.rng.choice(self.states)
            parts.append(BNode([("a", ["igo:Participation"]), ("igo:participant", [f"id:{p.slug}"]),
                                ("igo:capacity", [self.state_posts[st.slug]]), ("igo:onBehalfOf", [f"id:{st.slug}"]),
                                ("igo:attestation", [self.attest(f"{p.label} represented {st.label} at the {word} in {place.label}.")])]))
        pairs.append(("igo:participation", parts))
        pairs.append(("igo:attestation", [self.attest(f"The {org.label} held a {word} in {place.label} {when}.")]))
        self.emit("data/events.ttl", f"id:event-{n:06d}", pairs)

    def broken_state(self) -> None:
        n = self.next_id("broken-state")
        st = Entity(f"state-x{n:03d}", self.name(2) + "ie")
        st.qid = self.qid(st.label, "state")
        self.emit("data/states.ttl", f"id:{st.slug}", [
            ("a", ["igo:State"]), ("rdfs:label", [lit(st.label, "fr")]), ("owl:sameAs", [f"wd:{st.qid}"])])

    # ------------------------------------------------------------------ run
    def run(self) -> None:
        self.world()
        for org in self.orgs:
            self.founding(org)
        planted = [VIOLATION_KINDS[i % len(VIOLATION_KINDS)] for i in range(self.violations)]
        for kind in planted:
            if kind in ("membership-without-role", "end-before-start"):
                self.membership(broken=kind)
            elif kind in ("partnership-one-partner", "agreement-one-party"):
                self.agreement(broken=kind)
            elif kind == "event-date-and-period":
                self.event(broken=kind)
            elif kind == "holding-post-not-a-post":
                self.holding(broken=kind)
            else:
                self.broken_state()
        makers = [self.membership] * 5 + [self.holding] * 2 + [self.agreement] + [self.event] * 3
        while self.count + self.sources_triples() < self.target:
            self.rng.choice(makers)()

    def sources_triples(self) -> int:
        return 8 * len(self.sources)

    def write(self, out: Path) -> None:
        if out.exists():
            shutil.rmtree(out)
        for folder in ("ontology", "shapes", "sparql"):
            if (REPO / folder).is_dir():
                shutil.copytree(REPO / folder, out / folder)
        (out / "data").mkdir(parents=True, exist_ok=True)
        (out / "seeds" / "reference").mkdir(parents=True, exist_ok=True)
        header = "# Generated by benchmarks/generate.py: invented entities, invented QIDs. Not real facts.\n\n"
        for rel, blocks in sorted(self.files.items()):
            (out / rel).write_text(header + PREFIXES + "\n" + "".join(blocks), encoding="utf-8")
        src_blocks = []
        for s in self.sources:
            text = (f"{s.place.label.upper()}, {s.issued.words[3:]} ({s.publisher.label}) -- "
                    + " ".join(s.sentences) + "\n")
            data = text.encode("utf-8")
            (out / s.file).write_bytes(data)
            block, _ = render(f"id:{s.slug}", [
                ("a", ["igo:SourceDocument"]), ("rdfs:label", [lit(f"{s.publisher.label}, {s.issued.words[3:]}: report {s.n}", "en")]),
                ("igo:file", [lit(s.file)]), ("igo:sha256", [lit(hashlib.sha256(data).hexdigest())]),
                ("dct:publisher", [f"id:{s.publisher.slug}"]), ("igo:datelinePlace", [f"id:{s.place.slug}"]),
                ("dct:issued", [s.issued.turtle]), ("dct:language", [lit("en")])])
            src_blocks.append(block)
        (out / "seeds" / "sources.ttl").write_text(header + PREFIXES + "\n" + "".join(src_blocks), encoding="utf-8")
        rows = ["label\tkind\tid\tconfidence\tevidence"]
        rows += [f"{label}\t{kind}\t{q}\tconfirmed-2-sources\tgenerated by benchmarks/generate.py: an invented QID for an invented entity"
                 for label, kind, q in self.qids]
        (out / "seeds" / "reference" / "wikidata-ids.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")


def generate(out: Path, triples: int, seed: int = 1, violations: int = 0) -> int:
    """Write the project into `out` (replacing it); return the number of fact triples."""
    gen = Generator(triples, seed, violations)
    gen.run()
    gen.write(Path(out))
    return gen.count + gen.sources_triples()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--triples", type=int, default=10000, help="fact triples to generate (default 10000)")
    ap.add_argument("--out", type=Path, required=True, help="project folder to write (replaced)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--violations", type=int, default=0, help="SHACL violations to plant (default 0)")
    ap.add_argument("--like-real", action="store_true",
                    help="replicate the project's real data instead (benchmarks/replicate.py); --seed and --violations do not apply")
    args = ap.parse_args(argv)
    if args.like_real:
        from replicate import replicate

        n = replicate(args.out, args.triples)
    else:
        n = generate(args.out, args.triples, args.seed, args.violations)
    print(f"{args.out}: {n} fact triples", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
