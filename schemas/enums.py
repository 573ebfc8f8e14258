"""Every enumeration of the ClinicalTrials.gov API v2 data model, defined once.

The registry's enums show up in several places: as allowed values of marshmallow fields, in
the JSON Schema guard that checks stored records, and in the ``/studies/enums`` endpoint, which
lists each value with the label the classic (pre-2023 PRS / API v1) interface used for it. If
each of those kept its own list they would drift apart, so all of them are derived from the
classes in this module.

Conventions:

* One class per enum component of the official OpenAPI document, with the component's name.
* Member name = the API v2 value, exactly as the registry sends it (``ACTIVE_NOT_RECRUITING``).
* Member value = the classic display label (``"Active, not recruiting"``).
* Members are in the order the OpenAPI document lists them, because clients and
  ``/studies/enums`` show them in that order.

This module is pure data plus a few helpers; it must not import Flask.
"""

from __future__ import annotations

import enum
from types import MappingProxyType
from typing import Mapping


class RegistryEnum(enum.Enum):
    """Base class of all registry enums: name is the API v2 value, value is the legacy label."""

    @classmethod
    def values(cls) -> list[str]:
        """Return the API v2 value strings of this enum, in registry order."""
        return [member.name for member in cls]

    @classmethod
    def legacy(cls, value: str | RegistryEnum, piece: str | None = None) -> str:
        """Return the legacy label for ``value`` (an API v2 string or a member of this enum).

        If ``piece`` is given and the registry used a different label for that data piece, the
        piece's label is returned instead. Raises ``ValueError`` for a value not in this enum.
        """
        if isinstance(value, cls):
            member = value
        else:
            try:
                member = cls[value]
            except KeyError:
                raise ValueError(f"{value!r} is not a valid {cls.__name__} value") from None
        if piece is not None:
            override = cls.exceptions().get(member.name, {}).get(piece)
            if override is not None:
                return override
        return member.value

    @classmethod
    def exceptions(cls) -> Mapping[str, Mapping[str, str]]:
        """Return ``{api_value: {piece_name: legacy_label}}`` for pieces whose label differs.

        Empty for almost every enum; see ``DateType``.
        """
        return {}


class FieldStatsType(RegistryEnum):
    """Kinds of field reported by the stats endpoints (not a study-record enum)."""

    # The legacy interface had no separate labels for these, so the label is the value.
    ENUM = "ENUM"
    STRING = "STRING"
    DATE = "DATE"
    INTEGER = "INTEGER"
    NUMBER = "NUMBER"
    BOOLEAN = "BOOLEAN"


class Status(RegistryEnum):
    """Overall and last-known status of a study."""

    ACTIVE_NOT_RECRUITING = "Active, not recruiting"
    COMPLETED = "Completed"
    ENROLLING_BY_INVITATION = "Enrolling by invitation"
    NOT_YET_RECRUITING = "Not yet recruiting"
    RECRUITING = "Recruiting"
    SUSPENDED = "Suspended"
    TERMINATED = "Terminated"
    WITHDRAWN = "Withdrawn"
    AVAILABLE = "Available"
    NO_LONGER_AVAILABLE = "No longer available"
    TEMPORARILY_NOT_AVAILABLE = "Temporarily not available"
    APPROVED_FOR_MARKETING = "Approved for marketing"
    WITHHELD = "Withheld"
    UNKNOWN = "Unknown status"


class StudyType(RegistryEnum):
    """Study type."""

    EXPANDED_ACCESS = "Expanded Access"
    INTERVENTIONAL = "Interventional"
    OBSERVATIONAL = "Observational"


class Phase(RegistryEnum):
    """Study phase; a study lists one or more of these (there are no combined values)."""

    NA = "Not Applicable"
    EARLY_PHASE1 = "Early Phase 1"
    PHASE1 = "Phase 1"
    PHASE2 = "Phase 2"
    PHASE3 = "Phase 3"
    PHASE4 = "Phase 4"


class Sex(RegistryEnum):
    """Sex of participants eligible for the study."""

    FEMALE = "Female"
    MALE = "Male"
    ALL = "All"


class StandardAge(RegistryEnum):
    """Age group derived from the eligibility age limits."""

    CHILD = "Child"
    ADULT = "Adult"
    OLDER_ADULT = "Older Adult"


class SamplingMethod(RegistryEnum):
    """How participants of an observational study were sampled."""

    PROBABILITY_SAMPLE = "Probability Sample"
    NON_PROBABILITY_SAMPLE = "Non-Probability Sample"


class IpdSharing(RegistryEnum):
    """Whether individual participant data will be shared."""

    YES = "Yes"
    NO = "No"
    UNDECIDED = "Undecided"


class IpdSharingInfoType(RegistryEnum):
    """Supporting documents shared along with individual participant data."""

    STUDY_PROTOCOL = "Study Protocol"
    SAP = "Statistical Analysis Plan (SAP)"
    ICF = "Informed Consent Form (ICF)"
    CSR = "Clinical Study Report (CSR)"
    ANALYTIC_CODE = "Analytic Code"


class OrgStudyIdType(RegistryEnum):
    """Type of the organization's own study identifier when it is a U.S. grant or contract."""

    NIH = "U.S. NIH Grant/Contract"
    FDA = "U.S. FDA Grant/Contract"
    VA = "U.S. VA Grant/Contract"
    CDC = "U.S. CDC Grant/Contract"
    AHRQ = "U.S. AHRQ Grant/Contract"
    SAMHSA = "U.S. SAMHSA Grant/Contract"


class SecondaryIdType(RegistryEnum):
    """Type of a secondary study identifier."""

    # The first six must stay in step with OrgStudyIdType: the registry uses the same labels.
    NIH = "U.S. NIH Grant/Contract"
    FDA = "U.S. FDA Grant/Contract"
    VA = "U.S. VA Grant/Contract"
    CDC = "U.S. CDC Grant/Contract"
    AHRQ = "U.S. AHRQ Grant/Contract"
    SAMHSA = "U.S. SAMHSA Grant/Contract"
    OTHER_GRANT = "Other Grant/Funding Number"
    EUDRACT_NUMBER = "EudraCT Number"
    CTIS = "EU Trial (CTIS) Number"
    REGISTRY = "Registry Identifier"
    OTHER = "Other Identifier"


class AgencyClass(RegistryEnum):
    """Class of a sponsor or collaborator organization."""

    # The migration guide lists the legacy labels of this enum as identical to the values.
    NIH = "NIH"
    FED = "FED"
    OTHER_GOV = "OTHER_GOV"
    INDIV = "INDIV"
    INDUSTRY = "INDUSTRY"
    NETWORK = "NETWORK"
    AMBIG = "AMBIG"
    OTHER = "OTHER"
    UNKNOWN = "UNKNOWN"


class ExpandedAccessStatus(RegistryEnum):
    """Availability of an expanded-access program."""

    # Labels match the corresponding Status members; keep them in step.
    AVAILABLE = "Available"
    NO_LONGER_AVAILABLE = "No longer available"
    TEMPORARILY_NOT_AVAILABLE = "Temporarily not available"
    APPROVED_FOR_MARKETING = "Approved for marketing"


# The classic interface labelled a not-yet-reached date "Estimate" on the study-timeline dates
# but "Anticipated" on the posting dates, so one label per value cannot describe DateType.
# "Anticipated" is the default (it matches EnrollmentType); these are the pieces that differ,
# keyed by API v2 value and then by piece name, the shape /studies/enums publishes.
DATE_TYPE_EXCEPTIONS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "ESTIMATED": MappingProxyType(
            {
                "StartDateType": "Estimate",
                "PrimaryCompletionDateType": "Estimate",
                "CompletionDateType": "Estimate",
                "FirstMCPPostDateType": "Estimate",
            }
        ),
    }
)


class DateType(RegistryEnum):
    """Whether a date is actual or not yet reached."""

    ACTUAL = "Actual"
    ESTIMATED = "Anticipated"

    @classmethod
    def exceptions(cls) -> Mapping[str, Mapping[str, str]]:
        """Return the per-piece legacy labels that differ from the default (see module note)."""
        return DATE_TYPE_EXCEPTIONS


class ResponsiblePartyType(RegistryEnum):
    """Who is responsible for the study record."""

    SPONSOR = "Sponsor"
    PRINCIPAL_INVESTIGATOR = "Principal Investigator"
    SPONSOR_INVESTIGATOR = "Sponsor-Investigator"


class DesignAllocation(RegistryEnum):
    """How participants are allocated to arms."""

    RANDOMIZED = "Randomized"
    NON_RANDOMIZED = "Non-Randomized"
    NA = "N/A"


class InterventionalAssignment(RegistryEnum):
    """Intervention model of an interventional study."""

    SINGLE_GROUP = "Single Group Assignment"
    PARALLEL = "Parallel Assignment"
    CROSSOVER = "Crossover Assignment"
    FACTORIAL = "Factorial Assignment"
    SEQUENTIAL = "Sequential Assignment"


class PrimaryPurpose(RegistryEnum):
    """Primary purpose of an interventional study."""

    TREATMENT = "Treatment"
    PREVENTION = "Prevention"
    DIAGNOSTIC = "Diagnostic"
    ECT = "Educational/Counseling/Training"
    SUPPORTIVE_CARE = "Supportive Care"
    SCREENING = "Screening"
    HEALTH_SERVICES_RESEARCH = "Health Services Research"
    BASIC_SCIENCE = "Basic Science"
    DEVICE_FEASIBILITY = "Device Feasibility"
    OTHER = "Other"


class ObservationalModel(RegistryEnum):
    """Design model of an observational study."""

    COHORT = "Cohort"
    CASE_CONTROL = "Case-Control"
    CASE_ONLY = "Case-Only"
    CASE_CROSSOVER = "Case-Crossover"
    ECOLOGIC_OR_COMMUNITY = "Ecologic or Community"
    FAMILY_BASED = "Family-Based"
    DEFINED_POPULATION = "Defined Population"
    NATURAL_HISTORY = "Natural History"
    OTHER = "Other"


class DesignTimePerspective(RegistryEnum):
    """Time perspective of an observational study."""

    RETROSPECTIVE = "Retrospective"
    PROSPECTIVE = "Prospective"
    CROSS_SECTIONAL = "Cross-Sectional"
    OTHER = "Other"


class BioSpecRetention(RegistryEnum):
    """Whether and how biospecimens are retained."""

    NONE_RETAINED = "None Retained"
    SAMPLES_WITH_DNA = "Samples With DNA"
    SAMPLES_WITHOUT_DNA = "Samples Without DNA"


class EnrollmentType(RegistryEnum):
    """Whether the enrollment count is actual or expected."""

    ACTUAL = "Actual"
    ESTIMATED = "Anticipated"


class ArmGroupType(RegistryEnum):
    """Role of an arm or group in the study."""

    EXPERIMENTAL = "Experimental"
    ACTIVE_COMPARATOR = "Active Comparator"
    PLACEBO_COMPARATOR = "Placebo Comparator"
    SHAM_COMPARATOR = "Sham Comparator"
    NO_INTERVENTION = "No Intervention"
    OTHER = "Other"


class InterventionType(RegistryEnum):
    """Kind of intervention."""

    BEHAVIORAL = "Behavioral"
    BIOLOGICAL = "Biological"
    COMBINATION_PRODUCT = "Combination Product"
    DEVICE = "Device"
    DIAGNOSTIC_TEST = "Diagnostic Test"
    DIETARY_SUPPLEMENT = "Dietary Supplement"
    DRUG = "Drug"
    GENETIC = "Genetic"
    PROCEDURE = "Procedure"
    RADIATION = "Radiation"
    OTHER = "Other"


class ContactRole(RegistryEnum):
    """Role of a location contact."""

    STUDY_CHAIR = "Study Chair"
    STUDY_DIRECTOR = "Study Director"
    PRINCIPAL_INVESTIGATOR = "Principal Investigator"
    SUB_INVESTIGATOR = "Sub-Investigator"
    CONTACT = "Contact"


class OfficialRole(RegistryEnum):
    """Role of an overall study official."""

    # Same labels as ContactRole minus CONTACT; keep them in step.
    STUDY_CHAIR = "Study Chair"
    STUDY_DIRECTOR = "Study Director"
    PRINCIPAL_INVESTIGATOR = "Principal Investigator"
    SUB_INVESTIGATOR = "Sub-Investigator"


class RecruitmentStatus(RegistryEnum):
    """Recruitment status of a single study location."""

    # A prefix of Status; labels must match it.
    ACTIVE_NOT_RECRUITING = "Active, not recruiting"
    COMPLETED = "Completed"
    ENROLLING_BY_INVITATION = "Enrolling by invitation"
    NOT_YET_RECRUITING = "Not yet recruiting"
    RECRUITING = "Recruiting"
    SUSPENDED = "Suspended"
    TERMINATED = "Terminated"
    WITHDRAWN = "Withdrawn"
    AVAILABLE = "Available"


class ReferenceType(RegistryEnum):
    """How a cited publication relates to the study."""

    # The classic interface used lower-case labels here, unlike almost everywhere else.
    BACKGROUND = "background"
    RESULT = "result"
    DERIVED = "derived"


class MeasureParam(RegistryEnum):
    """Measure type (central tendency or count) of an outcome or baseline measure."""

    GEOMETRIC_MEAN = "Geometric Mean"
    GEOMETRIC_LEAST_SQUARES_MEAN = "Geometric Least Squares Mean"
    LEAST_SQUARES_MEAN = "Least Squares Mean"
    LOG_MEAN = "Log Mean"
    MEAN = "Mean"
    MEDIAN = "Median"
    NUMBER = "Number"
    COUNT_OF_PARTICIPANTS = "Count of Participants"
    COUNT_OF_UNITS = "Count of Units"


class MeasureDispersionType(RegistryEnum):
    """Measure of dispersion or precision of an outcome or baseline measure."""

    NA = "Not Applicable"
    STANDARD_DEVIATION = "Standard Deviation"
    STANDARD_ERROR = "Standard Error"
    INTER_QUARTILE_RANGE = "Inter-Quartile Range"
    FULL_RANGE = "Full Range"
    CONFIDENCE_80 = "80% Confidence Interval"
    CONFIDENCE_90 = "90% Confidence Interval"
    CONFIDENCE_95 = "95% Confidence Interval"
    CONFIDENCE_975 = "97.5% Confidence Interval"
    CONFIDENCE_99 = "99% Confidence Interval"
    CONFIDENCE_OTHER = "Other Confidence Interval Level"
    GEOMETRIC_COEFFICIENT = "Geometric Coefficient of Variation"


class OutcomeMeasureType(RegistryEnum):
    """Whether an outcome measure is primary, secondary, or other."""

    PRIMARY = "Primary"
    SECONDARY = "Secondary"
    OTHER_PRE_SPECIFIED = "Other Pre-specified"
    POST_HOC = "Post-Hoc"


class ReportingStatus(RegistryEnum):
    """Whether results for an outcome measure have been posted."""

    NOT_POSTED = "Not Posted"
    POSTED = "Posted"


class EventAssessment(RegistryEnum):
    """How adverse events were collected."""

    NON_SYSTEMATIC_ASSESSMENT = "Non-systematic Assessment"
    SYSTEMATIC_ASSESSMENT = "Systematic Assessment"


class AgreementRestrictionType(RegistryEnum):
    """Kind of restriction the sponsor places on investigators' disclosure of results."""

    # The classic interface exposed these codes as-is, so the label is the value.
    LTE60 = "LTE60"
    GT60 = "GT60"
    OTHER = "OTHER"


class BrowseLeafRelevance(RegistryEnum):
    """Relevance of a derived MeSH browse leaf to the study."""

    # Lower case in the classic interface, as with ReferenceType.
    LOW = "low"
    HIGH = "high"


class DesignMasking(RegistryEnum):
    """Masking (blinding) level of an interventional study."""

    NONE = "None (Open Label)"
    SINGLE = "Single"
    DOUBLE = "Double"
    TRIPLE = "Triple"
    QUADRUPLE = "Quadruple"


class WhoMasked(RegistryEnum):
    """Party that is masked."""

    PARTICIPANT = "Participant"
    CARE_PROVIDER = "Care Provider"
    INVESTIGATOR = "Investigator"
    OUTCOMES_ASSESSOR = "Outcomes Assessor"


class AnalysisDispersionType(RegistryEnum):
    """Dispersion measure reported with a statistical analysis estimate."""

    STANDARD_DEVIATION = "Standard Deviation"
    STANDARD_ERROR_OF_MEAN = "Standard Error of the Mean"


class ConfidenceIntervalNumSides(RegistryEnum):
    """Whether a confidence interval is one- or two-sided."""

    ONE_SIDED = "1-Sided"
    TWO_SIDED = "2-Sided"


class NonInferiorityType(RegistryEnum):
    """Type of hypothesis of a statistical analysis."""

    SUPERIORITY = "Superiority"
    NON_INFERIORITY = "Non-Inferiority"
    EQUIVALENCE = "Equivalence"
    OTHER = "Other"
    NON_INFERIORITY_OR_EQUIVALENCE = "Non-Inferiority or Equivalence"
    SUPERIORITY_OR_OTHER = "Superiority or Other"
    # The *_LEGACY values mark analyses entered under older PRS rules. Their labels need the
    # "(legacy)" suffix to stay apart from the pair above: Enum would otherwise alias them.
    NON_INFERIORITY_OR_EQUIVALENCE_LEGACY = "Non-Inferiority or Equivalence (legacy)"
    SUPERIORITY_OR_OTHER_LEGACY = "Superiority or Other (legacy)"


class UnpostedEventType(RegistryEnum):
    """Kind of event in the history of a submission that was not posted."""

    RESET = "Reset"
    RELEASE = "Release"
    UNRELEASE = "Unrelease"


class ViolationEventType(RegistryEnum):
    """Kind of FDAAA 801 violation event."""

    VIOLATION_IDENTIFIED = "Violation Identified by FDA"
    CORRECTION_CONFIRMED = "Correction Confirmed by FDA"
    PENALTY_IMPOSED = "Penalty Imposed by FDA"
    ISSUES_IN_LETTER_ADDRESSED_CONFIRMED = "Issues in letter addressed; confirmed by FDA"


# Every enum, by OpenAPI component name, in the order the OpenAPI document defines them.
ENUMS: Mapping[str, type[RegistryEnum]] = MappingProxyType(
    {
        cls.__name__: cls
        for cls in (
            FieldStatsType,
            Status,
            StudyType,
            Phase,
            Sex,
            StandardAge,
            SamplingMethod,
            IpdSharing,
            IpdSharingInfoType,
            OrgStudyIdType,
            SecondaryIdType,
            AgencyClass,
            ExpandedAccessStatus,
            DateType,
            ResponsiblePartyType,
            DesignAllocation,
            InterventionalAssignment,
            PrimaryPurpose,
            ObservationalModel,
            DesignTimePerspective,
            BioSpecRetention,
            EnrollmentType,
            ArmGroupType,
            InterventionType,
            ContactRole,
            OfficialRole,
            RecruitmentStatus,
            ReferenceType,
            MeasureParam,
            MeasureDispersionType,
            OutcomeMeasureType,
            ReportingStatus,
            EventAssessment,
            AgreementRestrictionType,
            BrowseLeafRelevance,
            DesignMasking,
            WhoMasked,
            AnalysisDispersionType,
            ConfidenceIntervalNumSides,
            NonInferiorityType,
            UnpostedEventType,
            ViolationEventType,
        )
    }
)

# /studies/enums covers study-record enums only; FieldStatsType belongs to the stats endpoints.
STUDY_ENUMS: Mapping[str, type[RegistryEnum]] = MappingProxyType(
    {name: cls for name, cls in ENUMS.items() if cls is not FieldStatsType}
)

# A repeated label would make Enum alias the second name to the first, silently dropping a
# registry value; fail at import instead.
for _cls in ENUMS.values():
    enum.unique(_cls)
del _cls
