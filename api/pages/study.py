"""A study record as the sections of the registry website's study page, in its order.

Section titles and labels are the website's (the seed's page, NCT04325594, is the model);
the line under each title saying what the section holds is this project's own wording.
Enum values are shown as that page shows them: the API v2 value (`COMPLETED`,
`SINGLE_GROUP`), phases joined by `/` (`PHASE1/PHASE2`). Pieces the model page has no label
for, because the seed lacks them (a primary completion date, a maximum age, an
observational design), get labels in the same style.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.formats.study import dig, items
from api.pages import groups, parties
from api.pages.blocks import Card, Line, Section, fact, present, prose, section, tags

RESULTS_PENDING = "No results have been posted to the registry for this study."
RESULTS_POSTED = "Results have been posted to the registry for this study."


@dataclass(frozen=True)
class Heading:
    """What the page shows above its sections."""

    nct_id: str
    title: str
    official_title: str | None
    last_updated: str | None


def heading(document: dict) -> Heading:
    """The title (brief, else official), the official one when it differs, the NCT id and
    the last update posted."""
    protocol = document.get("protocolSection", {})
    identification = protocol.get("identificationModule", {})
    title = identification.get("briefTitle") or identification.get("officialTitle") or ""
    official = identification.get("officialTitle")
    return Heading(identification.get("nctId", ""), title,
                   official if official != title else None,
                   dig(protocol, "statusModule", "lastUpdatePostDateStruct", "date"))


def sections(document: dict) -> tuple[Section, ...]:
    """The record's sections, in the website's order; those it has nothing for left out."""
    protocol = document.get("protocolSection", {})
    return present([
        results(document), basic_information(protocol),
        prose_section("brief-summary", "Brief Summary",
                      "The sponsor's short account of the study.",
                      dig(protocol, "descriptionModule", "briefSummary")),
        prose_section("detailed-description", "Detailed Description",
                      "The sponsor's full account of the study.",
                      dig(protocol, "descriptionModule", "detailedDescription")),
        conditions(protocol), design(protocol), groups.study_groups(protocol),
        groups.interventions(protocol), eligibility(protocol), *parties.sections(protocol),
    ])


def results(document: dict) -> Section:
    """Posted results or "Results pending" (every study has one or the other)."""
    if document.get("hasResults"):
        posted = dig(document, "protocolSection", "statusModule",
                     "resultsFirstPostDateStruct", "date")
        blocks = [Line("Results posted", strong=True), Line(RESULTS_POSTED),
                  fact("Results First Posted", posted)]
    else:
        blocks = [Line("Results pending", strong=True), Line(RESULTS_PENDING)]
    return Section("results", "Study Results", "", present(blocks))


def basic_information(protocol: dict) -> Section | None:
    """Status, phases, enrollment, study type and the key dates."""
    status = protocol.get("statusModule", {})
    study_design = protocol.get("designModule", {})
    return section("basic-information", "Basic Information",
                   "Status, phase, size, type and key dates.", [
                       fact("Recruitment Status", status.get("overallStatus")),
                       fact("Clinical Phase", "/".join(study_design.get("phases", ()))),
                       fact("Total Enrollment", enrollment(study_design.get("enrollmentInfo"))),
                       fact("Study Classification", study_design.get("studyType")),
                       fact("Study Start Date", dig(status, "startDateStruct", "date")),
                       fact("Primary Completion Date",
                            dig(status, "primaryCompletionDateStruct", "date")),
                       fact("Study Completion Date", dig(status, "completionDateStruct", "date")),
                       fact("Why Stopped", status.get("whyStopped")),
                   ])


def enrollment(info: dict | None) -> str | None:
    """`30 participants`; an estimate says so."""
    if not info or info.get("count") is None:
        return None
    estimated = " (ESTIMATED)" if info.get("type") == "ESTIMATED" else ""
    return f"{info['count']} participants{estimated}"


def prose_section(anchor: str, title: str, blurb: str, text: str | None) -> Section | None:
    """A section of one markdown text (summary, description); None without it."""
    return section(anchor, title, blurb, [prose(text)])


def conditions(protocol: dict) -> Section | None:
    """The conditions, then the keywords."""
    module = protocol.get("conditionsModule", {})
    keywords = tags(module.get("keywords", ()))
    return section("conditions", "Conditions",
                   "What the study is about, as conditions and keywords.", [
                       tags(module.get("conditions", ())),
                       Card("Keywords", (keywords,)) if keywords else None,
                   ])


def design(protocol: dict) -> Section | None:
    """Allocation, models, purpose and masking: an interventional or observational design."""
    info = dig(protocol, "designModule", "designInfo") or {}
    return section("study-design", "Study Design",
                   "How participants are assigned, observed and masked.", [
                       fact("Allocation Method", info.get("allocation")),
                       fact("Intervention Model", info.get("interventionModel")),
                       fact("Observational Model", info.get("observationalModel")),
                       fact("Time Perspective", info.get("timePerspective")),
                       fact("Primary Study Purpose", info.get("primaryPurpose")),
                       fact("Blinding Strategy", dig(info, "maskingInfo", "masking")),
                       fact("Masked Roles", ", ".join(items(info, "maskingInfo", "whoMasked"))),
                   ])


def eligibility(protocol: dict) -> Section | None:
    """The criteria (markdown), ages, sex, healthy volunteers, and an observational
    study's population."""
    module = protocol.get("eligibilityModule", {})
    healthy = module.get("healthyVolunteers")
    population = prose(module.get("studyPopulation"))
    return section("eligibility", "Eligibility Criteria",
                   "Who may take part: the criteria, ages, sex and healthy volunteers.", [
                       prose(module.get("eligibilityCriteria")),
                       fact("Minimum Eligible Age", module.get("minimumAge")),
                       fact("Maximum Eligible Age", module.get("maximumAge")),
                       fact("Eligible Sex", module.get("sex")),
                       fact("Accepts Healthy Volunteers",
                            None if healthy is None else ("Yes" if healthy else "No")),
                       Card("Study Population", (population,)) if population else None,
                       fact("Sampling Method", module.get("samplingMethod")),
                   ])

