import json

from openapi_spec_validator import validate

from tests.conftest import PROJECT

COMMITTED = PROJECT / "openapi" / "openapi.json"


def test_committed_document_is_fresh(client):
    served = client.get("/api/oas/v2").json
    assert json.loads(COMMITTED.read_text(encoding="utf-8")) == served, (
        "openapi/openapi.json is stale: run `make openapi`")


def test_document_is_valid_openapi(client):
    validate(client.get("/api/oas/v2").json)


def test_study_schema_uses_the_registry_component_names(client):
    schemas = client.get("/api/oas/v2").json["components"]["schemas"]
    assert {"Study", "ProtocolSection", "IdentificationModule", "DateStruct"} <= set(schemas)
    status = schemas["StatusModule"]["properties"]["overallStatus"]
    assert "RECRUITING" in status["enum"]


def test_errors_are_documented_as_plain_text(client):
    responses = client.get("/api/oas/v2").json["paths"]["/api/v2/studies/{nctId}"]["get"]["responses"]
    assert set(responses) >= {"200", "301", "400", "404"}
    assert list(responses["404"]["content"]) == ["text/plain"]


def test_docs_page_is_served_with_local_assets(client):
    page = client.get("/api/docs")
    assert page.status_code == 200
    assert "/api/docs/static/swagger-ui-bundle.js" in page.text
    asset = client.get("/api/docs/static/swagger-ui-bundle.js")
    assert asset.status_code == 200
    asset.close()


def test_every_component_and_registry_field_is_described(client):
    schemas = client.get("/api/oas/v2").json["components"]["schemas"]
    undescribed = [name for name, schema in schemas.items()
                   if "description" not in schema and name != "PaginationMetadata"]
    assert not undescribed
    assert schemas["IdentificationModule"]["properties"]["briefTitle"]["description"].startswith(
        "Piece `BriefTitle`")
    assert "`LeadSponsorName`, `CollaboratorName`" in (
        schemas["Sponsor"]["properties"]["name"]["description"])
