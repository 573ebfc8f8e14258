import re


def test_version_reports_api_and_data_timestamp(client):
    response = client.get("/api/v2/version")
    assert response.status_code == 200
    assert list(response.json) == ["apiVersion", "dataTimestamp"]
    assert response.json["apiVersion"] == "2.0.5"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", response.json["dataTimestamp"])


def test_an_empty_store_has_no_data_timestamp(make_app):
    client = make_app(RECORDS_DIR="").test_client()
    assert client.get("/api/v2/version").json == {"apiVersion": "2.0.5"}


def test_version_takes_no_parameters(client):
    response = client.get("/api/v2/version?format=json")
    assert (response.status_code, response.text) == (400, "`format` is unknown parameter")
