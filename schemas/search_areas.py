"""The search areas: which pieces each `query.*` parameter and `AREA[...]` searches, and how much
a match in each counts for relevance.

One definition serves the search (`query.term` searches `BasicSearch`, ...) and
`/studies/search-areas`, which lists it. A part's `type` and `isEnum` come from the field
catalogue; `synonyms` says whether the registry expands synonyms for the part.
"""

from __future__ import annotations

from dataclasses import dataclass

DOCUMENT = "Study"


@dataclass(frozen=True)
class Part:
    """Pieces searched together, with their relevance weight (0 to 1)."""

    pieces: tuple[str, ...]
    weight: float
    synonyms: bool = False


@dataclass(frozen=True)
class SearchArea:
    """A named set of parts; `param` is its `query.*` parameter, `ui_label` its form label."""

    name: str
    parts: tuple[Part, ...]
    ui_label: str | None = None
    param: str | None = None


AREAS = (
    SearchArea(
        "BasicSearch",
        (
            Part(("NCTId",), 1),
            Part(("Acronym",), 1, synonyms=True),
            Part(("BriefTitle",), 0.89, synonyms=True),
            Part(("OfficialTitle",), 0.85, synonyms=True),
            Part(("Condition",), 0.81, synonyms=True),
            Part(("InterventionName",), 0.8, synonyms=True),
            Part(("InterventionOtherName",), 0.75, synonyms=True),
            Part(("Phase",), 0.65),
            Part(("StdAge",), 0.65),
            Part(("PrimaryOutcomeMeasure", "Keyword"), 0.6, synonyms=True),
            Part(("BriefSummary",), 0.6, synonyms=True),
            Part(("ArmGroupLabel", "SecondaryOutcomeMeasure"), 0.5, synonyms=True),
            Part(("InterventionDescription", "ArmGroupDescription"), 0.45, synonyms=True),
            Part(("PrimaryOutcomeDescription",), 0.4, synonyms=True),
            Part(("LeadSponsorName", "OrgStudyId", "SecondaryId", "NCTIdAlias"), 0.4),
            Part(("InterventionType",), 0.35),
            Part(("ArmGroupType",), 0.35),
            Part(("SecondaryOutcomeDescription",), 0.35, synonyms=True),
            Part(("LocationFacility", "LocationState", "LocationCountry", "LocationCity"), 0.35),
            Part(("LocationStatus",), 0.35),
            Part(("BioSpecDescription",), 0.3, synonyms=True),
            Part(
                (
                    "ResponsiblePartyInvestigatorFullName",
                    "ResponsiblePartyInvestigatorTitle",
                    "ResponsiblePartyInvestigatorAffiliation",
                    "ResponsiblePartyOldNameTitle",
                    "ResponsiblePartyOldOrganization",
                    "OverallOfficialAffiliation",
                    "OverallOfficialRole",
                    "OverallOfficialName",
                    "CentralContactName",
                    "ConditionMeshTerm",
                    "InterventionMeshTerm",
                ),
                0.3,
                synonyms=True,
            ),
            Part(("DesignAllocation",), 0.3),
            Part(("DesignInterventionModel",), 0.3),
            Part(("DesignMasking",), 0.3),
            Part(("DesignWhoMasked",), 0.3),
            Part(("DesignObservationalModel",), 0.3),
            Part(("DesignPrimaryPurpose",), 0.3),
            Part(("DesignTimePerspective",), 0.3),
            Part(("StudyType",), 0.3),
            Part(("ConditionAncestorTerm", "InterventionAncestorTerm"), 0.25, synonyms=True),
            Part(("CollaboratorName",), 0.25),
            Part(("OtherOutcomeMeasure", "OutcomeMeasureTitle"), 0.15, synonyms=True),
            Part(("OtherOutcomeDescription", "OutcomeMeasureDescription"), 0.1, synonyms=True),
            Part(("LocationContactName",), 0.1),
        ),
        ui_label="Other terms",
        param="term",
    ),
    SearchArea(
        "ConditionSearch",
        (
            Part(("Condition",), 0.95, synonyms=True),
            Part(("BriefTitle",), 0.6, synonyms=True),
            Part(("OfficialTitle",), 0.55, synonyms=True),
            Part(("ConditionMeshTerm",), 0.5, synonyms=True),
            Part(("ConditionAncestorTerm",), 0.4, synonyms=True),
            Part(("Keyword",), 0.3, synonyms=True),
            Part(("NCTId",), 0.2),
        ),
        ui_label="Conditions or disease",
        param="cond",
    ),
    SearchArea(
        "InterventionSearch",
        (
            Part(("InterventionName",), 0.95, synonyms=True),
            Part(("InterventionType",), 0.85),
            Part(("ArmGroupType",), 0.85),
            Part(("InterventionOtherName",), 0.75, synonyms=True),
            Part(("BriefTitle",), 0.65, synonyms=True),
            Part(("OfficialTitle",), 0.6, synonyms=True),
            Part(("ArmGroupLabel",), 0.5, synonyms=True),
            Part(("InterventionMeshTerm",), 0.5, synonyms=True),
            Part(("Keyword",), 0.5, synonyms=True),
            Part(("InterventionAncestorTerm",), 0.4, synonyms=True),
            Part(("InterventionDescription",), 0.4, synonyms=True),
            Part(("ArmGroupDescription",), 0.4, synonyms=True),
        ),
        ui_label="Intervention / treatment",
        param="intr",
    ),
    SearchArea(
        "InterventionNameSearch",
        (
            Part(("InterventionName",), 0.99, synonyms=True),
            Part(("InterventionOtherName",), 0.9, synonyms=True),
        ),
    ),
    SearchArea(
        "ObsoleteConditionSearch",
        (
            Part(("Condition",), 0.95, synonyms=True),
            Part(("ConditionMeshTerm",), 0.8, synonyms=True),
            Part(("ConditionAncestorTerm",), 0.8, synonyms=True),
            Part(("Keyword",), 0.6, synonyms=True),
        ),
    ),
    SearchArea(
        "ExternalIdsSearch",
        (
            Part(("OrgStudyId",), 0.9, synonyms=True),
            Part(("SecondaryId",), 0.7, synonyms=True),
        ),
    ),
    SearchArea(
        "ExternalIdTypesSearch",
        (
            Part(("OrgStudyIdType",), 0.9),
            Part(("SecondaryIdType",), 0.7),
        ),
    ),
    SearchArea(
        "EligibilitySearch",
        (
            Part(("EligibilityCriteria",), 0.95, synonyms=True),
            Part(("StudyPopulation",), 0.8, synonyms=True),
        ),
    ),
    SearchArea(
        "OutcomeSearch",
        (
            Part(("PrimaryOutcomeMeasure",), 0.9, synonyms=True),
            Part(("SecondaryOutcomeMeasure",), 0.8, synonyms=True),
            Part(("PrimaryOutcomeDescription",), 0.6, synonyms=True),
            Part(("SecondaryOutcomeDescription",), 0.5, synonyms=True),
            Part(("OtherOutcomeMeasure",), 0.4, synonyms=True),
            Part(("OutcomeMeasureTitle",), 0.4, synonyms=True),
            Part(("OtherOutcomeDescription",), 0.3, synonyms=True),
            Part(("OutcomeMeasureDescription",), 0.3, synonyms=True),
            Part(("OutcomeMeasurePopulationDescription",), 0.3, synonyms=True),
        ),
        ui_label="Outcome measure",
        param="outc",
    ),
    SearchArea(
        "OutcomeNameSearch",
        (
            Part(("PrimaryOutcomeMeasure",), 0.98, synonyms=True),
            Part(("SecondaryOutcomeMeasure",), 0.8, synonyms=True),
            Part(("OtherOutcomeMeasure",), 0.5, synonyms=True),
            Part(("OutcomeMeasureTitle",), 0.3, synonyms=True),
        ),
    ),
    SearchArea(
        "TitleSearch",
        (
            Part(("Acronym",), 0.99, synonyms=True),
            Part(("BriefTitle",), 0.95, synonyms=True),
            Part(("OfficialTitle",), 0.8, synonyms=True),
        ),
        ui_label="Title / acronym",
        param="titles",
    ),
    SearchArea(
        "LocationSearch",
        (
            Part(("LocationCity",), 0.95),
            Part(("LocationState",), 0.95),
            Part(("LocationCountry",), 0.95),
            Part(("LocationFacility",), 0.95),
            Part(("LocationZip",), 0.35),
        ),
        ui_label="Location terms",
        param="locn",
    ),
    SearchArea(
        "ContactSearch",
        (
            Part(("OverallOfficialName",), 0.95),
            Part(("CentralContactName",), 0.9),
            Part(("OverallOfficialAffiliation",), 0.85),
            Part(("LocationContactName",), 0.8),
        ),
    ),
    SearchArea(
        "NCTIdSearch",
        (
            Part(("NCTId",), 0.99),
            Part(("NCTIdAlias",), 0.9, synonyms=True),
        ),
    ),
    SearchArea(
        "IdSearch",
        (
            Part(("NCTId",), 0.99),
            Part(("NCTIdAlias",), 0.9, synonyms=True),
            Part(("Acronym",), 0.85, synonyms=True),
            Part(("OrgStudyId",), 0.8, synonyms=True),
            Part(("SecondaryId",), 0.75, synonyms=True),
        ),
        ui_label="Study IDs",
        param="id",
    ),
    SearchArea(
        "SponsorSearch",
        (
            Part(("LeadSponsorName",), 0.99),
            Part(("CollaboratorName",), 0.9),
            Part(("OrgFullName",), 0.6),
        ),
        ui_label="Sponsor / collaborator",
        param="spons",
    ),
    SearchArea(
        "FunderTypeSearch",
        (
            Part(("LeadSponsorClass",), 0.99),
            Part(("CollaboratorClass",), 0.9),
        ),
    ),
    SearchArea(
        "ResponsiblePartySearch",
        (
            Part(("ResponsiblePartyInvestigatorFullName",), 0.9, synonyms=True),
            Part(("ResponsiblePartyOldNameTitle",), 0.8, synonyms=True),
            Part(("ResponsiblePartyInvestigatorAffiliation",), 0.8, synonyms=True),
            Part(("ResponsiblePartyOldOrganization",), 0.7, synonyms=True),
            Part(("ResponsiblePartyInvestigatorTitle",), 0.7, synonyms=True),
        ),
    ),
    SearchArea(
        "PatientSearch",
        (
            Part(("Acronym",), 1, synonyms=True),
            Part(("Condition",), 0.95, synonyms=True),
            Part(("BriefTitle",), 0.9, synonyms=True),
            Part(("OfficialTitle",), 0.85, synonyms=True),
            Part(("ConditionMeshTerm",), 0.8, synonyms=True),
            Part(("ConditionAncestorTerm",), 0.7, synonyms=True),
            Part(("BriefSummary",), 0.65, synonyms=True),
            Part(
                ("Keyword", "InterventionName", "InterventionOtherName", "PrimaryOutcomeMeasure"),
                0.6,
                synonyms=True,
            ),
            Part(("StdAge",), 0.6),
            Part(("ArmGroupLabel",), 0.5, synonyms=True),
            Part(("SecondaryOutcomeMeasure",), 0.5, synonyms=True),
            Part(("InterventionDescription",), 0.45, synonyms=True),
            Part(("ArmGroupDescription",), 0.45, synonyms=True),
            Part(("PrimaryOutcomeDescription",), 0.45, synonyms=True),
            Part(("LeadSponsorName",), 0.4),
            Part(("OrgStudyId",), 0.4, synonyms=True),
            Part(("SecondaryId",), 0.4, synonyms=True),
            Part(("NCTIdAlias",), 0.4, synonyms=True),
            Part(("SecondaryOutcomeDescription",), 0.35, synonyms=True),
            Part(("LocationFacility",), 0.35),
            Part(("LocationState",), 0.35),
            Part(("LocationCountry",), 0.35),
            Part(("LocationCity",), 0.35),
            Part(("BioSpecDescription",), 0.3, synonyms=True),
            Part(("ResponsiblePartyInvestigatorFullName",), 0.3, synonyms=True),
            Part(("ResponsiblePartyInvestigatorTitle",), 0.3, synonyms=True),
            Part(("ResponsiblePartyInvestigatorAffiliation",), 0.3, synonyms=True),
            Part(("ResponsiblePartyOldNameTitle",), 0.3, synonyms=True),
            Part(("ResponsiblePartyOldOrganization",), 0.3, synonyms=True),
            Part(("OverallOfficialAffiliation",), 0.3),
            Part(("OverallOfficialName",), 0.3),
            Part(("CentralContactName",), 0.3),
            Part(("DesignInterventionModel",), 0.3),
            Part(("DesignMasking",), 0.3),
            Part(("DesignWhoMasked",), 0.3),
            Part(("DesignObservationalModel",), 0.3),
            Part(("DesignPrimaryPurpose",), 0.3),
            Part(("DesignTimePerspective",), 0.3),
            Part(("InterventionMeshTerm",), 0.3, synonyms=True),
            Part(("InterventionAncestorTerm",), 0.25, synonyms=True),
            Part(("CollaboratorName",), 0.25),
            Part(("OtherOutcomeMeasure",), 0.15, synonyms=True),
            Part(("OtherOutcomeDescription",), 0.1, synonyms=True),
            Part(("LocationContactName",), 0.1),
        ),
        param="patient",
    ),
)

BY_NAME = {area.name.lower(): area for area in AREAS}


def _query_parameters() -> dict[str, str]:
    """`query.*` parameter -> the area it searches, in the registry's parameter order.

    `query.lead` is no area's: it searches the one piece `LeadSponsorName` (official spec).
    """
    searched = {area.param: area.name for area in AREAS if area.param} | {
        "lead": "LeadSponsorName"}
    order = ("cond", "term", "locn", "titles", "intr", "outc", "spons", "lead", "id", "patient")
    return {f"query.{param}": searched[param] for param in order}


QUERY_PARAMETERS = _query_parameters()
