"""`GET /studies/{nctId}?format=...&markupFormat=...`: every format the registry offers."""

import csv
import io
import json
import zipfile

import pytest
import rispy
from fhir.resources.R4B.bundle import Bundle

from tests.conftest import SEED, read_json

URL = "/api/v2/studies/NCT04325594"


@pytest.mark.parametrize(
    ("format_name", "media_type"),
    [
        ("json", "application/json"),
        ("csv", "text/csv"),
        ("json.zip", "application/zip"),
        ("fhir.json", "application/fhir+json"),
        ("ris", "application/x-research-info-systems"),
    ],
)
def test_each_format_has_its_media_type(client, format_name, media_type):
    response = client.get(f"{URL}?format={format_name}")
    assert response.status_code == 200
    assert response.mimetype == media_type
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_csv_is_the_header_row_and_the_study_row(client):
    rows = list(csv.reader(io.StringIO(client.get(f"{URL}?format=csv").text, newline="")))
    assert len(rows) == 2 and len(rows[0]) == 30
    row = dict(zip(rows[0], rows[1]))
    assert row["NCT Number"] == "NCT04325594"
    assert row["Phases"] == "PHASE1|PHASE2"


def test_csv_fields_are_column_names_in_the_server_order(client):
    response = client.get(f"{URL}?format=csv&fields=Phases|NCT Number")
    assert response.text == "NCT Number,Phases\r\nNCT04325594,PHASE1|PHASE2\r\n"


def test_the_zip_is_an_attachment_holding_the_stored_document(client):
    response = client.get(f"{URL}?format=json.zip&markupFormat=legacy")
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="NCT04325594.json.zip"'
    )
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert json.loads(archive.read("NCT04325594.json")) == read_json(SEED)


def test_the_zip_takes_json_fields(client):
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"{URL}?format=json.zip&fields=NCTId").data))
    assert json.loads(archive.read("NCT04325594.json")) == {
        "protocolSection": {"identificationModule": {"nctId": "NCT04325594"}}
    }


def test_fhir_is_a_valid_bundle(client):
    bundle = Bundle.model_validate(client.get(f"{URL}?format=fhir.json").json)
    assert bundle.entry[0].resource.status == "completed"


def test_ris_reads_back_as_one_record(client):
    (entry,) = rispy.loads(client.get(f"{URL}?format=ris").text)
    assert entry["urls"] == ["https://clinicaltrials.gov/study/NCT04325594"]


def test_legacy_markup_in_json(client):
    document = client.get(f"{URL}?markupFormat=legacy").json
    criteria = document["protocolSection"]["eligibilityModule"]["eligibilityCriteria"]
    assert criteria.startswith("Inclusion Criteria:\r\n\r\n  - Men and women aged 18 years")
    assert list(document) == list(read_json(SEED))


def test_legacy_markup_with_fields(client):
    document = client.get(f"{URL}?markupFormat=legacy&fields=DetailedDescription,NCTId").json
    module = document["protocolSection"]
    assert list(module) == ["identificationModule", "descriptionModule"]
    assert "\r\n\r\n" in module["descriptionModule"]["detailedDescription"]


def test_markdown_is_the_stored_document_unchanged(client):
    assert client.get(f"{URL}?markupFormat=markdown").data == client.get(URL).data


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("format=csv&fields=NCTId", "Parameter 'fields' contains invalid CSV column name: 'NCTId'"),
        (
            "format=fhir.json&fields=NCTId",
            (
                "Parameter 'fields' must not be specified with format "
                "'fhir.json': fields are not customizable"
            ),
        ),
        ("format=ris&fields=TI,NCTId", "Parameter 'fields' contains invalid RIS tag name: 'NCTId'"),
        (
            "format=json.zip&fields=Study Title",
            "Parameter 'fields' contains invalid field name: 'Study Title'",
        ),
        ("format=xml", "Invalid value in parameter `format`: `xml`"),
        ("format=CSV", "Invalid value in parameter `format`: `CSV`"),
        ("markupFormat=html", "Invalid value in parameter `markupFormat`: `html`"),
    ],
    ids=[
        "csv-piece-name",
        "fhir-fields",
        "ris-piece-name",
        "zip-column-name",
        "unknown-format",
        "format-case",
        "unknown-markup",
    ],
)
def test_bad_format_parameters_are_400(client, query, message):
    response = client.get(f"{URL}?{query}")
    assert (response.status_code, response.text) == (400, message)


@pytest.mark.parametrize("format_name", ["csv", "json.zip", "fhir.json", "ris"])
def test_an_absent_study_is_404_in_every_format(client, format_name):
    response = client.get(f"/api/v2/studies/NCT99999999?format={format_name}")
    assert (response.status_code, response.text) == (404, "NCT number NCT99999999 not found")


def test_the_openapi_document_lists_every_format(client):
    operation = client.get("/api/oas/v2").json["paths"]["/api/v2/studies/{nctId}"]["get"]
    content = operation["responses"]["200"]["content"]
    assert set(content) == {
        "application/json",
        "text/csv",
        "application/zip",
        "application/fhir+json",
        "application/x-research-info-systems",
    }
    assert all(
        "example" in content[kind]
        for kind in ("text/csv", "application/fhir+json", "application/x-research-info-systems")
    )
    (parameter,) = [p for p in operation["parameters"] if p["name"] == "format"]
    assert parameter["schema"]["enum"] == ["csv", "json", "json.zip", "fhir.json", "ris"]
