"""`GET /studies/metadata`, `/studies/enums`, `/studies/search-areas`."""

import pytest

from api.resources.metadata.schemas import EnumInfoSchema, FieldNodeSchema, SearchDocumentSchema

ENDPOINTS = {
    "metadata": FieldNodeSchema,
    "enums": EnumInfoSchema,
    "search-areas": SearchDocumentSchema,
}


def nodes(tree):
    for node in tree:
        yield node
        yield from nodes(node.get("children", []))


@pytest.mark.parametrize("name", ENDPOINTS)
def test_static_paths_win_over_the_nct_id_route(client, name):
    response = client.get(f"/api/v2/studies/{name}")
    assert response.status_code == 200
    assert response.content_type == "application/json"
    assert isinstance(response.json, list)


@pytest.mark.parametrize("name", ENDPOINTS)
def test_the_answer_has_the_documented_shape(client, name):
    # Loading with the response schema fails on any undocumented key.
    ENDPOINTS[name](many=True).load(client.get(f"/api/v2/studies/{name}").json)


@pytest.mark.parametrize("name", ENDPOINTS)
def test_unknown_parameters_are_refused(client, name):
    response = client.get(f"/api/v2/studies/{name}?bogusParam=1")
    assert (response.status_code, response.text) == (400, "`bogusParam` is unknown parameter")
    assert response.content_type.startswith("text/plain")


def test_metadata_nodes_have_the_registry_s_keys_in_its_order(client):
    nct_id = client.get("/api/v2/studies/metadata").json[0]["children"][0]["children"][0]
    assert list(nct_id) == ["name", "piece", "sourceType", "maxChars", "type"]
    status = next(
        node
        for node in nodes(client.get("/api/v2/studies/metadata").json)
        if node["piece"] == "OverallStatus"
    )
    assert list(status) == ["name", "piece", "sourceType", "type", "isEnum"]


def test_historic_fields_are_listed_only_on_request(client):
    default = {node["piece"] for node in nodes(client.get("/api/v2/studies/metadata").json)}
    historic = client.get("/api/v2/studies/metadata?includeHistoricOnly=true").json
    flagged = {node["piece"] for node in nodes(historic) if node.get("historicOnly")}
    assert flagged == {"ModelPredictions", "BmiLimits", "MinBmi", "MaxBmi"}
    assert not flagged & default
    assert {node["piece"] for node in nodes(historic)} == default | flagged


def test_indexed_only_fields_change_nothing_here(client):
    assert (
        client.get("/api/v2/studies/metadata?includeIndexedOnly=true").json
        == client.get("/api/v2/studies/metadata").json
    )


@pytest.mark.parametrize("parameter", ["includeIndexedOnly", "includeHistoricOnly"])
def test_a_flag_must_be_a_boolean(client, parameter):
    response = client.get(f"/api/v2/studies/metadata?{parameter}=maybe")
    assert (response.status_code, response.text) == (
        400,
        f"Invalid value in parameter `{parameter}`: `maybe`",
    )


def test_enums_give_type_pieces_and_values(client):
    status = next(
        info for info in client.get("/api/v2/studies/enums").json if info["type"] == "Status"
    )
    assert list(status) == ["type", "pieces", "values"]
    assert status["pieces"] == ["OverallStatus", "LastKnownStatus"]
    assert status["values"][-1] == {"value": "UNKNOWN", "legacyValue": "Unknown status"}


def test_enum_exceptions_map_pieces_to_their_legacy_label(client):
    date_type = next(
        info for info in client.get("/api/v2/studies/enums").json if info["type"] == "DateType"
    )
    assert date_type["values"] == [
        {"value": "ACTUAL", "legacyValue": "Actual"},
        {
            "value": "ESTIMATED",
            "legacyValue": "Anticipated",
            "exceptions": {
                "StartDateType": "Estimate",
                "PrimaryCompletionDateType": "Estimate",
                "CompletionDateType": "Estimate",
                "FirstMCPPostDateType": "Estimate",
            },
        },
    ]


def test_search_area_weights_keep_whole_numbers_whole(client):
    text = client.get("/api/v2/studies/search-areas").text
    assert '"pieces":["NCTId"],"type":"text","isEnum":false,"isSynonyms":false,"weight":1}' in text
    assert '"weight":0.89' in text


def test_the_documents_and_their_areas(client):
    (document,) = client.get("/api/v2/studies/search-areas").json
    assert document["name"] == "Study"
    condition = next(area for area in document["areas"] if area["name"] == "ConditionSearch")
    assert (condition["uiLabel"], condition["param"]) == ("Conditions or disease", "cond")
