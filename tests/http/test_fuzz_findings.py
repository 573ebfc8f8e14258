"""What the fuzzers and the generated client found, kept found.

Each test names its finder and what it saw.
"""

from __future__ import annotations

import json

import pytest

from api.loading import load
from api.sources import Unit
from api.store.base import SearchQuery, SortKey
from schemas import guard
from tests.conftest import SEED, read_json

SEED_ID = "NCT04325594"


@pytest.fixture
def aliased_client(app):
    """A client of an app holding the seed and a copy of it listing the alias NCT09900002."""
    copy_of_seed = read_json(SEED)
    identification = copy_of_seed["protocolSection"]["identificationModule"]
    identification["nctId"], identification["nctIdAliases"] = "NCT09900001", ["NCT09900002"]
    report = load(app.extensions["store"], [Unit("aliased.json", json.dumps(copy_of_seed))])
    assert not report.refused
    return app.test_client()


# Generated client (openapi-python-client sends a list parameter repeated, not joined).
@pytest.mark.parametrize("path", [f"/api/v2/studies/{SEED_ID}", "/api/v2/studies"])
def test_a_repeated_list_parameter_counts_every_value(client, path):
    joined = client.get(f"{path}?fields=NCTId|BriefTitle|Phase")
    repeated = client.get(f"{path}?fields=NCTId&fields=BriefTitle&fields=Phase")
    assert repeated.status_code == 200
    assert repeated.data == joined.data


def test_a_repeated_filter_parameter_counts_every_value(client):
    response = client.get(
        "/api/v2/studies?filter.overallStatus=RECRUITING&filter.overallStatus=NOT_A_STATUS"
    )
    assert response.status_code == 400
    assert response.text == "Invalid value in parameter `overallStatus`: `NOT_A_STATUS`"


# schemathesis over our document: `fields=BaselineMeasurementSpread` answered `{}`, which the
# documented Study schema (protocolSection, identificationModule, nctId required) refused.
def test_no_study_component_requires_what_a_projection_may_leave_out(client):
    schemas = client.get("/api/oas/v2").json["components"]["schemas"]
    for name in ("Study", "ProtocolSection", "IdentificationModule"):
        assert "required" not in schemas[name], name
    assert schemas["GeoPoint"]["required"] == ["lat", "lon"]  # a leaf: it comes whole


@pytest.mark.parametrize(
    ("fields", "body"),
    [
        ("BaselineMeasurementSpread", b"{}"),
        ("BriefTitle", None),
    ],
)
def test_a_projection_answer_may_lack_the_required_keys_of_a_record(client, fields, body):
    response = client.get(f"/api/v2/studies/{SEED_ID}?fields={fields}")
    assert response.status_code == 200
    assert "nctId" not in response.text
    assert body is None or response.data == body


# schemathesis over our document: an alias answered an undocumented 301 on the sub-resources.
@pytest.mark.parametrize(
    "path", ["/api/v2/studies/{nctId}/{section}", "/api/v2/studies/{nctId}/{section}/{module}"]
)
def test_the_301_of_an_alias_is_documented_on_sections_and_modules(client, path):
    responses = client.get("/api/oas/v2").json["paths"][path]["get"]["responses"]
    assert "Location" in responses["301"]["headers"]


@pytest.mark.parametrize("part", ["protocolSection", "protocolSection/eligibilityModule"])
def test_an_alias_answers_301_on_sections_and_modules(aliased_client, part):
    response = aliased_client.get(f"/api/v2/studies/NCT09900002/{part}")
    assert response.status_code == 301
    assert response.headers["Location"].endswith(f"/api/v2/studies/NCT09900001/{part}")


# Guard property test: NCT00000000 was stored, then never served (400 on every GET).
def test_a_record_numbered_zero_is_refused():
    document = read_json(SEED)
    document["protocolSection"]["identificationModule"]["nctId"] = "NCT00000000"
    assert [problem.pointer for problem in guard.problems(document)] == [
        "/protocolSection/identificationModule/nctId"
    ]
    assert not guard.is_valid(document)


def test_an_alias_numbered_zero_is_refused():
    document = read_json(SEED)
    document["protocolSection"]["identificationModule"]["nctIdAliases"] = ["NCT00000000"]
    assert not guard.is_valid(document)


# schemathesis, both documents (e.g. `query.outc=%00%C3%A1`): SQLite's full-text MATCH stops
# at a NUL character ("unterminated string") and the request ends in a 500.
@pytest.mark.parametrize(("parameter", "first", "second"), [
    ("query.term", "heart", "failure"), ("query.cond", "heart", "failure"),
    ("query.titles", "umbilical", "cord"), ("filter.advanced", "heart", "failure")])
def test_a_nul_character_in_a_query_separates_words(client, parameter, first, second):
    response = client.get(f"/api/v2/studies?{parameter}={first}%00{second}&countTotal=true")
    assert response.status_code == 200
    separated = client.get(f"/api/v2/studies?{parameter}={first}%20{second}&countTotal=true")
    assert response.json["totalCount"] == separated.json["totalCount"] > 0


# schemathesis over the official document (`sort=@relevance:asc|@relevance`): two relevance
# keys reached the store, whose ranked query then named `r.score` twice: a 500.
@pytest.mark.parametrize(
    ("twice", "once"),
    [
        ("@relevance:asc|@relevance", "@relevance:asc"),
        ("@relevance,@relevance:asc", "@relevance"),
        ("LastUpdatePostDate,LastUpdatePostDate:asc", "LastUpdatePostDate"),
    ],
)
def test_a_sort_key_given_twice_sorts_as_given_once(client, twice, once):
    response = client.get(f"/api/v2/studies?sort={twice}")
    assert response.status_code == 200
    assert response.data == client.get(f"/api/v2/studies?sort={once}").data


def test_the_store_ranks_with_relevance_given_twice(store):
    twice = (SortKey(None, True), SortKey(None, False))
    assert len(store.search(SearchQuery(sort=twice)).documents) == store.count()


# schemathesis over the official document, invalid data: `pageSize=2147483648` (beyond the
# spec's int32) was quietly served as 1000 instead of refused.
@pytest.mark.parametrize(("size", "status"), [(2**31 - 1, 200), (2**31, 400), (10**30, 400)])
def test_a_page_size_beyond_int32_is_refused(client, size, status):
    response = client.get(f"/api/v2/studies?pageSize={size}")
    assert response.status_code == status
    if status == 400:
        assert response.text == f"Invalid value in parameter `pageSize`: `{size}`"
