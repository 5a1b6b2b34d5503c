"""A Wikidata reference for each of our sources, as Wikidata editors expect one.

Stage: wikidata (a consumer). Input: the loaded graph and the QIDs the link check trusts.
Output: one `SourceReference` per source node: the QuickStatements source pairs that cite the
source itself, never our own IRI:

    S248   stated in         the publisher's Wikidata item (dct:publisher owl:sameAs wd:Q…),
                             only if that QID is trusted (verified in the reference, link check ok);
                             for a dataset (igo:Dataset), the dataset's own item (its owl:sameAs),
                             never its publisher's: a dataset is a work of its own. COW IGO v3 has
                             no verified QID in the reference, so it is cited without S248.
    S854   reference URL     schema:url, where the source can be read
    S1476  title             dct:title, in the source's language
    S577   publication date  dct:issued, at its precision (xsd:date 11, gYearMonth 10, gYear 9)
    S5017  last update       dct:modified, a page's own last-modified date
    S813   retrieved         igo:retrieved, the day the project's copy was fetched or saved;
                             none where the description records no such day (the COW copy: its
                             pinned commit is not dated there, and no date is made up)

Whatever a source has is used, so that articles, datasets and reference documents are cited
alike. A source with neither S248 nor S854 cannot be found from the reference: it is returned
with a `problem` and not cited. Two choices: the title is dct:title only — an rdfs:label of
ours (for an article that prints no headline, "Sergey Saenko, 2023: …") is our description,
not the source's title; and a date the document does not print (dct:date, established by
reasoning) is never a publication date. The quote (S1683) is added per attestation by
`quickstatements`, which knows which quote supports which statement.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from igokg.namespaces import WD, compact
from igokg.sources import Sources
from igokg.wikidata.dates import WDate, qs_time
from igokg.wikidata.ours import _OUR_PREFIXES, _rows

#: Wikimedia's limit on a string or monolingual text value.
MAX_TEXT = 1500


@dataclass(frozen=True)
class SourceReference:
    """What a reference to one source says, before the quote."""

    source: str
    language: str
    pairs: tuple[tuple[str, str], ...]
    problem: str = ""

    @property
    def citable(self) -> bool:
        return not self.problem


def qs_string(text: str) -> str | None:
    """A QuickStatements v1 string, or None when it cannot be one.

    QuickStatements v1 has no escape for a double quote inside a string, and Wikidata limits
    strings to 1500 characters: such a text is left out rather than altered (our quotes are
    verbatim). Runs of white space become one space, as Wikidata stores them.
    """
    flat = re.sub(r"\s+", " ", text).strip()
    if not flat or '"' in flat or len(flat) > MAX_TEXT:
        return None
    return f'"{flat}"'


def qs_monolingual(language: str, text: str) -> str | None:
    value = qs_string(text)
    return f"{language.lower()}:{value}" if value else None


def source_references(sources: Sources, trusted: set[str]) -> dict[str, SourceReference]:
    """Every node that is the igo:source of an attestation, or an igo:SourceDocument."""
    nodes = _rows(sources, _OUR_PREFIXES + """
SELECT DISTINCT ?src ?lang ?dataset WHERE {
  { ?att igo:source ?src } UNION { ?src a igo:SourceDocument }
  OPTIONAL { ?src dct:language ?lang }
  BIND(EXISTS { ?src a igo:Dataset } AS ?dataset)
}""")
    rows = _rows(sources, _OUR_PREFIXES + """
PREFIX schema: <https://schema.org/>
SELECT ?src ?p ?value ?valueLang WHERE {
  { ?att igo:source ?src } UNION { ?src a igo:SourceDocument }
  {
    VALUES ?p { dct:title dct:issued dct:modified schema:url igo:retrieved }
    ?src ?p ?value .
    BIND(LANG(?value) AS ?valueLang)
  } UNION {
    BIND(dct:publisher AS ?p)
    ?src dct:publisher ?publisher .
    ?publisher owl:sameAs ?value .
    FILTER(STRSTARTS(STR(?value), "http://www.wikidata.org/entity/"))
  } UNION {
    BIND(owl:sameAs AS ?p)
    ?src owl:sameAs ?value .
    FILTER(STRSTARTS(STR(?value), "http://www.wikidata.org/entity/"))
  }
}""")
    found: dict[str, dict[str, list[tuple[str, str]]]] = defaultdict(lambda: defaultdict(list))
    for r in rows:
        found[r["src"]][r["p"].rsplit("/", 1)[-1].rsplit("#", 1)[-1]].append((r["value"], r["valueLang"]))
    langs = {r["src"]: r["lang"] for r in sorted(nodes, key=lambda r: (r["src"], r["lang"]))}
    datasets = {r["src"] for r in nodes if r["dataset"] == "true"}
    out: dict[str, SourceReference] = {}
    for src in sorted(langs):
        props = {p: sorted(set(v)) for p, v in found[src].items()}
        language = (langs[src] or "en").lower()
        pairs: list[tuple[str, str]] = []
        items = props.get("sameAs" if src in datasets else "publisher", [])
        stated_in = [v[len(WD):] for v, _ in items if v[len(WD):] in trusted]
        if len(stated_in) == 1:
            pairs.append(("S248", stated_in[0]))
        urls = [v for v, _ in props.get("url", []) if re.match(r"^https?://\S+$", v)]
        if urls and qs_string(urls[0]):
            pairs.append(("S854", qs_string(urls[0])))  # the first by sort order: deterministic
        for title, tag in props.get("title", [])[:1]:
            value = qs_monolingual(tag or language, title)  # the literal's own tag, else the source's
            if value:
                pairs.append(("S1476", value))
        for prop, pid in (("issued", "S577"), ("modified", "S5017"), ("retrieved", "S813")):
            dates = props.get(prop, [])
            if len(dates) == 1:
                pairs.append((pid, qs_time(WDate.ours(dates[0][0]))))
        problem = ""
        if not any(p in ("S248", "S854") for p, _ in pairs):
            problem = (
                f"{compact(src)} has neither a publisher with a verified Wikidata item (stated in, P248) "
                "nor an address (schema:url, reference URL P854): a reader could not find it"
            )
        out[src] = SourceReference(src, language, tuple(pairs), problem)
    return out
