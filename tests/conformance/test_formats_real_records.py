"""Every output format for the seed trial and every real registry record.

Each format is produced without error and read back with an independent reader (`csv`,
`zipfile`, `fhir.resources`, `rispy`); a few records are checked cell by cell against values
read off their JSON by hand.
"""

import csv
import io
import json
import zipfile

import pytest
import rispy
from fhir.resources.R4B.bundle import Bundle

from tests.conftest import REAL_RECORDS, SEED, read_json
from tests.fhir_r4 import R4_PHASE, R4_STATUS

pytestmark = pytest.mark.conformance

RECORDS = [*REAL_RECORDS, SEED]
IDS = [path.stem for path in RECORDS]



def get(client, nct_id: str, query: str):
    response = client.get(f"/api/v2/studies/{nct_id}?{query}")
    assert response.status_code == 200, response.text
    return response


def csv_row(client, nct_id: str) -> dict:
    header, row = csv.reader(io.StringIO(get(client, nct_id, "format=csv").text, newline=""))
    return dict(zip(header, row, strict=True))


@pytest.mark.parametrize("path", RECORDS, ids=IDS)
def test_csv_has_one_row_of_30_cells(loaded_client, path):
    row = csv_row(loaded_client, path.stem)
    assert row["NCT Number"] == path.stem
    assert row["Study URL"] == f"https://clinicaltrials.gov/study/{path.stem}"
    assert row["Study Results"] == ("YES" if read_json(path)["hasResults"] else "NO")


@pytest.mark.parametrize("path", RECORDS, ids=IDS)
def test_the_zip_unzips_to_the_exact_stored_text(loaded_client, path):
    archive = zipfile.ZipFile(io.BytesIO(get(loaded_client, path.stem, "format=json.zip").data))
    stored = get(loaded_client, path.stem, "format=json").data
    assert archive.read(f"{path.stem}.json") == stored
    assert json.loads(stored) == read_json(path)


@pytest.mark.parametrize("path", RECORDS, ids=IDS)
def test_fhir_bundle_validates_with_r4_codes(loaded_client, path):
    document = get(loaded_client, path.stem, "format=fhir.json").json
    bundle = Bundle.model_validate(document)
    study = bundle.entry[0].resource
    assert study.__resource_type__ == "ResearchStudy"
    assert study.identifier[0].value == path.stem
    assert study.status in R4_STATUS
    if study.phase is not None:
        assert study.phase.coding[0].code in R4_PHASE
    locations = read_json(path)["protocolSection"].get("contactsLocationsModule", {})
    assert len(study.site or []) == len(locations.get("locations", []))


@pytest.mark.parametrize("path", RECORDS, ids=IDS)
def test_ris_reads_back_as_one_record(loaded_client, path):
    text = get(loaded_client, path.stem, "format=ris").text
    (entry,) = rispy.loads(text)
    assert entry["type_of_reference"] == "DBASE"
    assert entry["id"] == path.stem
    protocol = read_json(path)["protocolSection"]
    assert entry["title"] == protocol["identificationModule"]["briefTitle"]
    assert text.endswith("ER  - \r\n")


@pytest.mark.parametrize("path", RECORDS, ids=IDS)
def test_legacy_markup_keeps_keys_and_leaves_no_lone_lf(loaded_client, path):
    document = get(loaded_client, path.stem, "markupFormat=legacy").json
    original = read_json(path)
    assert list(document) == list(original)
    criteria = (
        document["protocolSection"].get("eligibilityModule", {}).get("eligibilityCriteria", "")
    )
    assert "\n" not in criteria.replace("\r\n", "")
    assert "\\>" not in criteria and "\\<" not in criteria


def test_a_csv_row_with_results_locations_and_outcomes(loaded_client):
    # Values read by hand off NCT02210780.json.
    row = csv_row(loaded_client, "NCT02210780")
    assert row["Study Results"] == "YES"
    assert row["Results First Posted"] == "2020-05-07"
    assert row["Sponsor"] == "Regeneron Pharmaceuticals"
    assert (row["Collaborators"], row["Funder Type"]) == ("Sanofi", "INDUSTRY")
    assert row["Study Design"] == (
        "Allocation: RANDOMIZED | Intervention Model: PARALLEL | "
        "Masking: TRIPLE (PARTICIPANT, INVESTIGATOR, OUTCOMES_ASSESSOR)"
        " | Primary Purpose: TREATMENT"
    )
    assert row["Other IDs"] == "R668-AD-1314"
    locations = row["Locations"].split("|")
    assert len(locations) == 42
    assert locations[:2] == [
        "Birmingham, Alabama, United States",
        "Fort Smith, Arkansas, United States",
    ]
    assert row["Primary Outcome Measures"].startswith(
        "Percentage of Participants With a Positive Response (≥4-Fold Increase) to Tetanus "
        "Toxoid (the Adacel [Tdap] Vaccine) at Week 16, A positive response was defined as "
    )
    assert row["Primary Outcome Measures"].endswith(", Week 16")


def test_a_csv_row_with_a_study_document(loaded_client):
    # Values read by hand off NCT03630471.json.
    row = csv_row(loaded_client, "NCT03630471")
    assert row["Study Documents"] == (
        "Statistical Analysis Plan, https://cdn.clinicaltrials.gov/"
        "large-docs/71/NCT03630471/SAP_000.pdf"
    )
    assert row["Locations"] == "Sangath, New Delhi, Delhi, 110016, India"


def test_an_observational_design_cell(loaded_client):
    row = csv_row(loaded_client, "NCT03475563")
    assert row["Study Design"] == "Observational Model: CASE_ONLY | Time Perspective: PROSPECTIVE"
    assert row["Phases"] == ""
