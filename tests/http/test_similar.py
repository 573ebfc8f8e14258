"""`GET /api/v2/studies/{nctId}/similar`: stored studies ranked by how much of the study's
conditions, interventions, keywords and MeSH terms they share, the study itself left out."""

from __future__ import annotations

import pytest

from api.services import similar
from tests.conftest import SEED, read_json
from tests.http.stored import put_studies

SEED_ID = SEED.stem


def study(nct_id: str, title: str, conditions: list[str], intervention: str,
          **derived) -> dict:
    """The seed as another study about `conditions`, treated with `intervention`."""
    document = read_json(SEED)
    protocol = document["protocolSection"]
    protocol["identificationModule"].update(nctId=nct_id, briefTitle=title)
    protocol["conditionsModule"] = {"conditions": conditions}
    protocol["armsInterventionsModule"] = {"interventions": [
        {"type": "DRUG", "name": intervention}]}
    if derived:
        document = {"protocolSection": protocol, "derivedSection": derived,
                    "hasResults": document["hasResults"]}
    return document


def similar_ids(client, nct_id: str = SEED_ID, query: str = "") -> list[str]:
    answer = client.get(f"/api/v2/studies/{nct_id}/similar{query}")
    assert answer.status_code == 200, answer.text
    return [found["protocolSection"]["identificationModule"]["nctId"]
            for found in answer.json["studies"]]


@pytest.fixture
def alike(store):
    """Three studies sharing less and less with the seed, and one sharing nothing."""
    put_studies(store,
        study("NCT09900101", "Cells for heart failure", ["Chronic Heart Failure",
              "Dilated Cardiomyopathy"], "Umbilical cord-derived MSCs"),
        study("NCT09900102", "Heart failure registry", ["Heart Failure"], "Diuretic"),
        study("NCT09900103", "Cardiomyopathy in children", ["Cardiomyopathy"], "Beta blocker"),
        study("NCT09900104", "Sealing of teeth", ["Dental Caries"], "Fissure sealant"))
    return store


def test_more_shared_terms_rank_higher_and_the_study_is_left_out(client, alike):
    assert similar_ids(client) == ["NCT09900101", "NCT09900102", "NCT09900103"]


def test_pages_follow_one_another_as_the_search_pages_do(client, alike):
    first = client.get(f"/api/v2/studies/{SEED_ID}/similar?pageSize=2&countTotal=true").json
    assert first["totalCount"] == 3 and len(first["studies"]) == 2
    rest = similar_ids(client, query=f"?pageSize=2&pageToken={first['nextPageToken']}")
    assert rest == ["NCT09900103"]


def test_fields_project_each_study(client, alike):
    answer = client.get(f"/api/v2/studies/{SEED_ID}/similar?fields=NCTId,OverallStatus")
    assert answer.json["studies"][0] == {"protocolSection": {
        "identificationModule": {"nctId": "NCT09900101"},
        "statusModule": {"overallStatus": "COMPLETED"}}}


def test_mesh_terms_are_matched_whole(client, store):
    mesh = {"conditionBrowseModule": {"meshes": [{"id": "D006333", "term": "Heart Failure"}]}}
    put_studies(store, study("NCT09900111", "Registry one", ["Edema"], "Furosemide", **mesh),
        study("NCT09900112", "Registry two", ["Failure to thrive"], "Feeding"),
        study("NCT09900113", "Registry three", ["Pulmonary edema"], "Oxygen", **mesh))
    found = similar_ids(client, "NCT09900111")
    # 113 shares the heading and a word, the seed's title holds the heading; 112 has only
    # one of its words. (Which of the first two ranks higher is the backend's weighing.)
    assert sorted(found) == [SEED_ID, "NCT09900113"]


def test_a_study_with_no_terms_has_no_similar_studies(client, store):
    document = study("NCT09900121", "An untitled study", [], "x")
    document["protocolSection"]["conditionsModule"] = {}
    document["protocolSection"].pop("armsInterventionsModule")
    put_studies(store, document)
    answer = client.get("/api/v2/studies/NCT09900121/similar?countTotal=true")
    assert answer.json == {"totalCount": 0, "studies": []}


def sharing(prefix: int, conditions: list[str], count: int) -> list[dict]:
    """`count` studies about `conditions`, numbered from `prefix`."""
    return [study(f"NCT0990{prefix + n:04d}", f"Study {prefix + n}", conditions, "Placebo")
            for n in range(count)]


def test_a_large_store_keeps_to_the_rarest_terms_that_fit_the_budget(client, store,
                                                                    monkeypatch):
    put_studies(store, study("NCT09901000", "Target", ["Zyxomatosis Quorvian"], "Placebo"),
                *sharing(1100, ["Zyxomatosis"], 1), *sharing(1200, ["Quorvian"], 3))
    everyone = {"NCT09901100", "NCT09901200", "NCT09901201", "NCT09901202"}
    assert set(similar_ids(client, "NCT09901000", "?pageSize=10")) - {SEED_ID} == everyone
    # Three other studies fit: the rarest term's one and not the other term's three too.
    monkeypatch.setattr(similar, "CANDIDATES", 3)
    assert similar_ids(client, "NCT09901000", "?pageSize=10") == ["NCT09901100"]


def test_terms_the_same_studies_share_are_counted_once_against_the_budget(store, monkeypatch):
    target = study("NCT09901000", "Target", ["Zyxomatosis Quorvian"], "Placebo")
    put_studies(store, target, *sharing(1100, ["Quorvian Zyxomatosis"], 3))
    monkeypatch.setattr(similar, "CANDIDATES", 3)
    kept = similar.rarest(store, similar.similarity_terms(target))
    # Each of the three terms matches the same three studies: 3, not 9, against a budget of 3.
    assert sorted(term.term.text for term in kept) == ["Placebo", "Quorvian", "Zyxomatosis"]


def test_of_only_common_terms_the_least_common_is_searched(client, store, monkeypatch):
    monkeypatch.setattr(similar, "CANDIDATES", 1)
    # Both terms are past the budget; the first, in more studies, is counted no less.
    put_studies(store, study("NCT09901000", "Target", ["Zyxomatosis Quorvian"], "Placebo"),
                *sharing(1100, ["Zyxomatosis"], 5), *sharing(1200, ["Quorvian"], 3))
    assert sorted(similar_ids(client, "NCT09901000", "?pageSize=10")) == [
        "NCT09901200", "NCT09901201", "NCT09901202"]


@pytest.mark.parametrize("path, status, message", [
    ("/api/v2/studies/NCT09999999/similar", 404, "NCT number NCT09999999 not found"),
    ("/api/v2/studies/NCT-x/similar", 400, "Parameter `nctId` has incorrect format"),
    ("/api/v2/studies/NCT04325594/similar?pageSize=x", 400,
     "Invalid value in parameter `pageSize`: `x`"),
    ("/api/v2/studies/NCT04325594/similar?query.cond=x", 400, "`query.cond` is unknown parameter"),
], ids=["unknown", "malformed", "page size", "unknown parameter"])
def test_refusals_are_the_registry_text(client, path, status, message):
    answer = client.get(path)
    assert (answer.status_code, answer.mimetype, answer.text) == (status, "text/plain", message)


def test_the_endpoint_is_documented(client):
    path = client.get("/api/oas/v2").json["paths"]["/api/v2/studies/{nctId}/similar"]
    operation = path["get"]
    assert operation["summary"] == "Similar studies"
    assert {"200", "301", "400", "404", "503"} <= set(operation["responses"])
    assert [parameter["name"] for parameter in path["parameters"]] == ["nctId"]
    assert {parameter["name"] for parameter in operation["parameters"]} >= {
        "fields", "pageSize", "pageToken", "countTotal"}
