"""What a linked entity must be, by our class, in Wikidata's classes (P31/P279*)."""

from __future__ import annotations

from igokg.namespaces import IGO

# --------------------------------------------------------------------------- expected classes
#
# What a linked entity must be an instance of (wdt:P31/wdt:P279*), by our class. QIDs listed in
# seeds/reference/wikidata-ids.tsv are taken from there: Q484652 international organization,
# Q245065 intergovernmental organization, Q192283 news agency, Q3624078 sovereign state,
# Q6256 country, Q5 human, Q515 city. The reference does not list four upper classes that the
# check needs; they are Wikidata's standard top classes for these kinds of thing (the rule
# "never guess a QID" is about the links of our entities, which come only from the reference):
#   Q43229  organization — for bodies of organizations (a council, a secretariat) and national
#           institutions, which are not international organizations themselves;
#   Q7275   state — for states that Wikidata does not class as sovereign states or countries;
#   Q486972 human settlement — for places that are towns rather than cities;
#   Q56061  administrative territorial entity — for provinces and regions.
_NOT_IN_REFERENCE = {
    "Q43229": "organization",
    "Q7275": "state",
    "Q486972": "human settlement",
    "Q56061": "administrative territorial entity",
}


#: Our class -> (kind, expected Wikidata classes); most specific class first.
EXPECTED_CLASSES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (IGO + "IntergovernmentalOrganization", "organization", ("Q484652", "Q245065")),
    (IGO + "NewsOrganization", "news organization", ("Q192283", "Q43229")),
    (IGO + "OrganizationBody", "body", ("Q484652", "Q245065", "Q43229")),
    (IGO + "Organization", "organization", ("Q484652", "Q245065", "Q43229")),
    (IGO + "State", "state", ("Q3624078", "Q7275", "Q6256")),
    (IGO + "Person", "person", ("Q5",)),
    (IGO + "Place", "place", ("Q515", "Q486972", "Q56061")),
)


#: Classes of members that `diff` accepts from an organization's "has part(s)" (P527).
STATE_CLASSES = ("Q3624078", "Q7275", "Q6256")


#: Properties of office holders on an organization: secretary general, chairperson, director/manager.
OFFICE_PROPERTIES = ("P3975", "P488", "P1037")
