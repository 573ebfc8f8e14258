"""`api.formats.fhir`: the study as a FHIR R4 Bundle, validated with `fhir.resources`.

`fhir.resources` ships FHIR R4B (4.3.0), whose ResearchStudy, Group, Organization,
Practitioner, Location and Bundle are those of R4 (4.0.1); it checks structure and types but
not bound codes, so the codes are checked here against the R4 value sets, written out below.
"""

import json

import pytest
from fhir.resources.R4B.bundle import Bundle

from api.formats import FieldsError, StudyText
from api.formats.fhir import bundle, render, select
from tests.conftest import SEED, read_json
from tests.fhir_r4 import R4_STATUS

# FHIR R4 value set research-study-status (hl7.org/fhir/R4/valueset-research-study-status.html).


def seed_bundle(document=None) -> dict:
    return bundle("NCT04325594", document or read_json(SEED))


def resources(result: dict, kind: str) -> list[dict]:
    return [
        entry["resource"] for entry in result["entry"] if entry["resource"]["resourceType"] == kind
    ]


def study_of(result: dict) -> dict:
    (study,) = resources(result, "ResearchStudy")
    return study


def test_the_seed_bundle_is_valid_fhir():
    text = render(StudyText("NCT04325594", SEED.read_bytes()))
    parsed = Bundle.model_validate(json.loads(text))
    assert parsed.type == "collection"
    assert [entry.resource.__resource_type__ for entry in parsed.entry] == [
        "ResearchStudy",
        "Group",
        "Organization",
        "Practitioner",
        "Location",
    ]


def test_the_research_study_carries_the_registry_profile_and_nct_number():
    study = study_of(seed_bundle())
    assert study["meta"]["profile"] == [
        "http://hl7.org/fhir/uv/ebm/StructureDefinition/study-registry-record"
    ]
    assert study["identifier"][0] == {
        "use": "official",
        "system": "https://clinicaltrials.gov/nctid",
        "value": "NCT04325594",
    }
    assert study["status"] == "completed"
    assert study["phase"]["coding"][0]["code"] == "phase-1-phase-2"
    assert study["period"] == {"start": "2020-03-01", "end": "2023-04-01"}
    assert [c["text"] for c in study["condition"]] == [
        "Chronic Heart Failure",
        "Non-ischemic Cardiomyopathy",
        "Non-ischemic Dilated Cardiomyopathy",
    ]
    assert study["arm"] == [
        {
            "name": "Treatment Group",
            "type": {"text": "EXPERIMENTAL"},
            "description": read_json(SEED)["protocolSection"]["armsInterventionsModule"][
                "armGroups"
            ][0]["description"],
        }
    ]


def test_references_point_at_entries_of_the_bundle():
    result = seed_bundle()
    urls = {entry["fullUrl"] for entry in result["entry"]}
    study = study_of(result)
    pointed = [
        study["sponsor"],
        study["principalInvestigator"],
        *study["site"],
        *study["enrollment"],
    ]
    assert {reference["reference"] for reference in pointed} <= urls
    assert study["sponsor"]["display"] == (
        "The Research-Clinical Center for Cardiac Surgery and Transplantology LLP"
    )
    assert study["principalInvestigator"]["display"] == "Aziz Azkhojayev, MD"


def test_the_eligibility_group_holds_criteria_age_range_sex_and_enrolment():
    (group,) = resources(seed_bundle(), "Group")
    eligibility = read_json(SEED)["protocolSection"]["eligibilityModule"]
    assert (group["type"], group["actual"], group["quantity"]) == ("person", False, 30)
    by_code = {c["code"]["text"]: c for c in group["characteristic"]}
    assert (
        by_code["Eligibility Criteria"]["valueCodeableConcept"]["text"]
        == (eligibility["eligibilityCriteria"])
    )
    assert by_code["Age"]["valueRange"] == {
        "low": {"value": 18, "unit": "years", "system": "http://unitsofmeasure.org", "code": "a"}
    }
    assert by_code["Sex"]["valueCodeableConcept"] == {"text": "ALL"}
    assert by_code["Accepts Healthy Volunteers"]["valueBoolean"] is False


def test_a_single_sex_study_is_coded_with_administrative_gender():
    document = read_json(SEED)
    document["protocolSection"]["eligibilityModule"]["sex"] = "FEMALE"
    (group,) = resources(seed_bundle(document), "Group")
    (sex,) = [c for c in group["characteristic"] if c["code"]["text"] == "Sex"]
    assert sex["valueCodeableConcept"]["coding"][0]["code"] == "female"


@pytest.mark.parametrize(
    ("overall", "last_known", "code"),
    [
        ("NOT_YET_RECRUITING", None, "approved"),
        ("RECRUITING", None, "active"),
        ("ENROLLING_BY_INVITATION", None, "active"),
        ("ACTIVE_NOT_RECRUITING", None, "closed-to-accrual"),
        ("SUSPENDED", None, "temporarily-closed-to-accrual"),
        ("TERMINATED", None, "administratively-completed"),
        ("COMPLETED", None, "completed"),
        ("WITHDRAWN", None, "withdrawn"),
        ("AVAILABLE", None, "active"),
        ("NO_LONGER_AVAILABLE", None, "closed-to-accrual"),
        ("TEMPORARILY_NOT_AVAILABLE", None, "temporarily-closed-to-accrual"),
        ("APPROVED_FOR_MARKETING", None, "closed-to-accrual"),
        ("WITHHELD", None, "in-review"),
        ("UNKNOWN", "RECRUITING", "active"),
        ("UNKNOWN", "ACTIVE_NOT_RECRUITING", "closed-to-accrual"),
        ("UNKNOWN", None, "active"),
    ],
)
def test_status_maps_to_the_r4_value_set(overall, last_known, code):
    document = read_json(SEED)
    status = document["protocolSection"]["statusModule"]
    status["overallStatus"] = overall
    if last_known:
        status["lastKnownStatus"] = last_known
    study = study_of(seed_bundle(document))
    assert study["status"] == code and code in R4_STATUS


@pytest.mark.parametrize(
    ("phases", "code"),
    [
        (["NA"], "n-a"),
        (["EARLY_PHASE1"], "early-phase-1"),
        (["PHASE1"], "phase-1"),
        (["PHASE1", "PHASE2"], "phase-1-phase-2"),
        (["PHASE2"], "phase-2"),
        (["PHASE2", "PHASE3"], "phase-2-phase-3"),
        (["PHASE3"], "phase-3"),
        (["PHASE4"], "phase-4"),
    ],
)
def test_phases_map_to_research_study_phase(phases, code):
    document = read_json(SEED)
    document["protocolSection"]["designModule"]["phases"] = phases
    phase = study_of(seed_bundle(document))["phase"]
    assert phase["coding"] == [
        {
            "system": "http://terminology.hl7.org/CodeSystem/research-study-phase",
            "code": code,
            "display": phase["coding"][0]["display"],
        }
    ]
    assert phase["text"] == "|".join(phases)


def test_a_study_without_phases_has_no_phase():
    document = read_json(SEED)
    del document["protocolSection"]["designModule"]["phases"]
    assert "phase" not in study_of(seed_bundle(document))


def test_partial_dates_are_valid_fhir_dates():
    document = read_json(SEED)
    status = document["protocolSection"]["statusModule"]
    status["startDateStruct"] = {"date": "2020-03"}
    status["completionDateStruct"] = {"date": "2023"}
    result = seed_bundle(document)
    Bundle.model_validate(result)
    assert study_of(result)["period"] == {"start": "2020-03", "end": "2023"}


def test_fields_are_refused():
    with pytest.raises(FieldsError) as error:
        select(["NCTId"])
    assert str(error.value) == (
        "Parameter 'fields' must not be specified with format "
        "'fhir.json': fields are not customizable"
    )
