import json

import pytest

from api.store import Record

from tests.conftest import SEED, read_json

URL = "/api/v2/studies/NCT04325594"


@pytest.mark.parametrize(("path", "keys"), [
    ("protocolSection", ["protocolSection"]),
    ("protocolSection/eligibilityModule", ["protocolSection", "eligibilityModule"]),
    ("protocolSection/armsInterventionsModule", ["protocolSection", "armsInterventionsModule"]),
])
def test_sections_and_modules_are_served_as_stored(client, path, keys):
    expected = read_json(SEED)
    for key in keys:
        expected = expected[key]
    response = client.get(f"{URL}/{path}")
    assert response.status_code == 200
    assert response.content_type == "application/json"
    assert response.json == expected
    assert list(response.json) == list(expected)


@pytest.mark.parametrize(("path", "message"), [
    ("resultsSection", "Study NCT04325594 has no `resultsSection`"),
    ("protocolSection/oversightModule", "Study NCT04325594 has no `protocolSection.oversightModule`"),
])
def test_parts_the_record_lacks_are_404(client, path, message):
    response = client.get(f"{URL}/{path}")
    assert (response.status_code, response.text) == (404, message)


def test_unknown_section_is_404_naming_the_sections(client):
    response = client.get(f"{URL}/hasResults")
    assert response.status_code == 404
    assert response.text == ("Unknown section `hasResults`; expected one of: protocolSection, "
                             "resultsSection, annotationSection, documentSection, derivedSection")


def test_unknown_module_is_404(client):
    response = client.get(f"{URL}/protocolSection/adverseEventsModule")
    assert response.status_code == 404
    assert response.text.startswith("Unknown module `adverseEventsModule` in `protocolSection`;")


def test_a_module_the_study_has_is_served_and_one_it_lacks_is_404(make_app):
    document = read_json(SEED)
    document["derivedSection"] = {"miscInfoModule": {"versionHolder": "2025-01-01"}}
    app = make_app(RECORDS_DIR="")
    app.extensions["store"].put([Record("NCT04325594", json.dumps(document))])
    client = app.test_client()
    response = client.get(f"{URL}/derivedSection/miscInfoModule")
    assert (response.status_code, response.json) == (200, {"versionHolder": "2025-01-01"})
    response = client.get(f"{URL}/derivedSection/conditionBrowseModule")
    assert (response.status_code, response.text) == (
        404, "Study NCT04325594 has no `derivedSection.conditionBrowseModule`")


def test_a_leaf_is_not_a_module(client):
    response = client.get(f"{URL}/protocolSection/identificationModule")
    assert response.status_code == 200
    response = client.get(f"{URL}/protocolSection/nctId")
    assert response.status_code == 404
    assert response.text.startswith("Unknown module `nctId` in `protocolSection`;")


def test_parts_check_the_nct_id_and_parameters(client):
    assert client.get("/api/v2/studies/XYZ/protocolSection").text == (
        "Parameter `nctId` has incorrect format")
    assert client.get("/api/v2/studies/NCT99999999/protocolSection").status_code == 404
    response = client.get(f"{URL}/protocolSection?fields=NCTId")
    assert (response.status_code, response.text) == (400, "`fields` is unknown parameter")
