"""Who runs the study and where: sponsors, responsible party, investigators, sites,
countries, and the study's other identifiers."""

from __future__ import annotations

from api.formats.study import dig
from api.pages.blocks import Card, Fact, Section, fact, line, present, section, tags

# What the website writes for an identifier of no stated type.
NO_TYPE = "-"


def sections(protocol: dict) -> list[Section | None]:
    """These sections, in the website's order."""
    contacts = protocol.get("contactsLocationsModule", {})
    return [sponsors(protocol), responsible_party(protocol), investigators(contacts),
            locations(contacts), countries(contacts), identifiers(protocol)]


def sponsors(protocol: dict) -> Section | None:
    """Collaborators, then the lead sponsor, as the website lists them."""
    module = protocol.get("sponsorCollaboratorsModule", {})
    listed = [(sponsor, "collaborator") for sponsor in module.get("collaborators", ())]
    if module.get("leadSponsor"):
        listed.append((module["leadSponsor"], "lead"))
    return section("sponsors", "Sponsors",
                   "Who sponsors the study and who collaborates on it.", [
                       Card(sponsor.get("name", ""), present([
                           line(sponsor.get("class")),
                           fact("Sponsor Role", role, inline=True)]))
                       for sponsor, role in listed])


def responsible_party(protocol: dict) -> Section | None:
    """The investigator who answers for the record (or the older name and title), and
    the party's type."""
    party = dig(protocol, "sponsorCollaboratorsModule", "responsibleParty") or {}
    blocks = present([
        line(party.get("investigatorFullName") or party.get("oldNameTitle"), strong=True),
        line(party.get("investigatorTitle")),
        line(party.get("investigatorAffiliation") or party.get("oldOrganization")),
        fact("Responsibility Role", party.get("type"), inline=True),
    ])
    return section("responsible-party", "Responsible Party",
                   "Who answers for the registration and its updates.", blocks)


def investigators(contacts: dict) -> Section | None:
    """The overall officials: name, role, affiliation."""
    return section("investigators", "Principal Investigators",
                   "The investigators named in the record and where they work.", [
                       Card(official.get("name", ""), present([
                           fact("Role:", official.get("role"), inline=True),
                           line(official.get("affiliation"))]))
                       for official in contacts.get("overallOfficials", ())])


def locations(contacts: dict) -> Section | None:
    """Each site: facility, place, recruitment status."""
    return section("locations", "Locations",
                   "The sites named in the record, with their recruitment status.",
                   [_site(site) for site in contacts.get("locations", ())])


def _site(site: dict) -> Card:
    place = ", ".join(site[key] for key in ("city", "state", "zip", "country") if site.get(key))
    # The website keeps the label when a site states no status.
    return Card(site.get("facility") or place, present([
        line(place), Fact("Site Status", site.get("status", ""), inline=True)]))


def countries(contacts: dict) -> Section | None:
    """The sites' countries, each once, in the order the sites list them."""
    return section("countries", "Countries",
                   "Every country the record lists a site in.",
                   [tags(site.get("country") for site in contacts.get("locations", ()))])


def identifiers(protocol: dict) -> Section | None:
    """The organization's study id, secondary ids and NCT id aliases."""
    module = protocol.get("identificationModule", {})
    listed = []
    if org := module.get("orgStudyIdInfo"):
        listed.append(_identifier(org, "org_study_id"))
    listed += [_identifier(other, "secondary_id") for other in module.get("secondaryIdInfos", ())]
    listed += [_identifier({"id": alias}, "nct_alias") for alias in module.get("nctIdAliases", ())]
    return section("other-identifiers", "Other Identifiers",
                   "The study's identifiers besides its NCT number.", listed)


def _identifier(info: dict, source: str) -> Card:
    return Card(info.get("id", ""), present([
        Fact("Identifier Type:", info.get("type") or NO_TYPE, inline=True),
        Fact("Identifier Source:", source, inline=True),
        line(info.get("domain")),
    ]))
