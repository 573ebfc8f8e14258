"""Registry values mapped to FHIR R4 codes (value sets of FHIR 4.0.1).

- `research-study-status`: the registry's `Status` (REFERENCE.md §9). Expanded-access
  values map by what they mean for enrolment; `UNKNOWN` maps through the study's
  `lastKnownStatus`; `WITHHELD` (a record not yet public) is the nearest, `in-review`.
- `research-study-phase`: the registry's `phases` list (two phases are stored as a list).
- `research-study-prim-purp-type`: the registry's `PrimaryPurpose`; `ECT` and `OTHER` have no
  code there and are written as text only.
"""

from __future__ import annotations

STATUS_SYSTEM = "http://hl7.org/fhir/research-study-status"
PHASE_SYSTEM = "http://terminology.hl7.org/CodeSystem/research-study-phase"
PURPOSE_SYSTEM = "http://terminology.hl7.org/CodeSystem/research-study-prim-purp-type"
ORGANIZATION_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/organization-type"
GENDER_SYSTEM = "http://hl7.org/fhir/administrative-gender"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"

STATUS = {
    "NOT_YET_RECRUITING": "approved",
    "RECRUITING": "active",
    "ENROLLING_BY_INVITATION": "active",
    "ACTIVE_NOT_RECRUITING": "closed-to-accrual",
    "SUSPENDED": "temporarily-closed-to-accrual",
    "TERMINATED": "administratively-completed",
    "COMPLETED": "completed",
    "WITHDRAWN": "withdrawn",
    "AVAILABLE": "active",
    "TEMPORARILY_NOT_AVAILABLE": "temporarily-closed-to-accrual",
    "NO_LONGER_AVAILABLE": "closed-to-accrual",
    "APPROVED_FOR_MARKETING": "closed-to-accrual",
    "WITHHELD": "in-review",
}
UNKNOWN_STATUS_DEFAULT = "active"  # an UNKNOWN study without lastKnownStatus was ongoing

PHASES = {
    ("NA",): ("n-a", "N/A"),
    ("EARLY_PHASE1",): ("early-phase-1", "Early Phase 1"),
    ("PHASE1",): ("phase-1", "Phase 1"),
    ("PHASE1", "PHASE2"): ("phase-1-phase-2", "Phase 1/Phase 2"),
    ("PHASE2",): ("phase-2", "Phase 2"),
    ("PHASE2", "PHASE3"): ("phase-2-phase-3", "Phase 2/Phase 3"),
    ("PHASE3",): ("phase-3", "Phase 3"),
    ("PHASE4",): ("phase-4", "Phase 4"),
}

PURPOSES = {
    "TREATMENT": ("treatment", "Treatment"),
    "PREVENTION": ("prevention", "Prevention"),
    "DIAGNOSTIC": ("diagnostic", "Diagnostic"),
    "SUPPORTIVE_CARE": ("supportive-care", "Supportive Care"),
    "SCREENING": ("screening", "Screening"),
    "HEALTH_SERVICES_RESEARCH": ("health-services-research", "Health Services Research"),
    "BASIC_SCIENCE": ("basic-science", "Basic Science"),
    "DEVICE_FEASIBILITY": ("device-feasibility", "Device Feasibility"),
}

# NormalizedTime units (`18 Years`) as UCUM codes.
AGE_UNITS = {"year": "a", "month": "mo", "week": "wk", "day": "d", "hour": "h", "minute": "min"}

SEX = {"MALE": ("male", "Male"), "FEMALE": ("female", "Female")}

AGE_CODE = {"coding": [{"system": LOINC, "code": "30525-0", "display": "Age"}], "text": "Age"}
SEX_CODE = {"coding": [{"system": LOINC, "code": "46098-0", "display": "Sex"}], "text": "Sex"}
SPONSOR_TYPE = {
    "coding": [
        {"system": ORGANIZATION_TYPE_SYSTEM, "code": "crs", "display": "Clinical Research Sponsor"}
    ]
}


def status(overall: str | None, last_known: str | None) -> str:
    """The research-study-status code for the registry's overall (and last known) status."""
    if overall == "UNKNOWN" or overall is None:
        return STATUS.get(last_known, UNKNOWN_STATUS_DEFAULT)
    return STATUS.get(overall, UNKNOWN_STATUS_DEFAULT)


def coding(system: str, code: str, display: str) -> dict:
    """A FHIR Coding."""
    return {"system": system, "code": code, "display": display}
